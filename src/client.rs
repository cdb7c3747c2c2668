//! The client: configuration, the secret key, and the one place that executes requests.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::answer::{Answer, redact};
use crate::call::Call;
use crate::clock::{Clock, SystemClock};
use crate::endpoint::{Endpoint, PathWriter, QueryWriter, check_url_len};
use crate::error::{BuildError, Error, ErrorKind};
use crate::models::Model;
use crate::pacing::{Pacing, RateLimiter, SlidingWindowLimiter};
use crate::retry::{
    AttemptEvent, AttemptHook, CallContext, MIN_RETRY_BUDGET, RetryPolicy, send_with_retries,
};
use crate::secret::{KeyInput, SecretKey};
use crate::text::{DECODE_DETAIL_LIMIT, snippet};
use crate::transport::{HeaderValue, HttpRequest, Transport};
use crate::ureq_transport::DEFAULT_CONNECT_TIMEOUT;
#[cfg(doc)]
use crate::ureq_transport::UreqTransport;
use crate::ureq_transport::{UreqTransportBuilder, is_loopback_host};

/// The default base URL, `https://api.clerk.com/v1`.
const DEFAULT_BASE_URL: &str = "https://api.clerk.com/v1";
/// The default `Clerk-API-Version` header, the spec version this crate is written against.
const DEFAULT_API_VERSION: &str = "2026-05-12";
/// The default `User-Agent`, `clerk-memberships/<crate version>`.
const DEFAULT_USER_AGENT: &str = concat!("clerk-memberships/", env!("CARGO_PKG_VERSION"));
/// The environment variable [`Client::from_env`] reads the secret key from.
const SECRET_KEY_VAR: &str = "CLERK_SECRET_KEY";
/// The optional environment variable [`Client::from_env`] reads a base URL from.
const BASE_URL_VAR: &str = "CLERK_API_URL";

/// A blocking client for Clerk's organization-membership API.
///
/// Cheap to clone (clones share one connection pool and configuration), `Send` and `Sync`.
///
/// ```
/// use clerk_memberships::Client;
///
/// let client = Client::builder().secret_key("sk_test_123").build()?;
/// let other_thread = client.clone();
/// # Ok::<(), clerk_memberships::BuildError>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    retry: RetryPolicy,
}

struct Inner {
    secret_key: SecretKey,
    base_url: String,
    api_version: HeaderValue,
    user_agent: HeaderValue,
    /// `Bearer <key>`, rendered once: every request shares it instead of formatting it anew.
    authorization: HeaderValue,
    /// `application/json`, shared by the `accept` and `content-type` headers of every request.
    json: HeaderValue,
    transport: Arc<dyn Transport>,
    pacing: Pacing,
    on_attempt: Option<AttemptHook>,
    /// The least time left for a retry to start: see [`MIN_RETRY_BUDGET`].
    min_retry_budget: Duration,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("secret_key", &self.inner.secret_key)
            .field("base_url", &self.inner.base_url)
            .field("api_version", &self.inner.api_version)
            .field("user_agent", &self.inner.user_agent)
            .field("retry", &self.retry)
            .field("rate_limited", &self.inner.pacing.is_rate_limited())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client with the secret key from the environment variable `CLERK_SECRET_KEY` and,
    /// when it is set and not empty, the base URL from `CLERK_API_URL`; everything else at its
    /// default. The same as [`ClientBuilder::from_env`] then `build()`.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] when `CLERK_SECRET_KEY` is unset or not a valid key, or
    /// `CLERK_API_URL` is not a valid base URL.
    pub fn from_env() -> Result<Client, BuildError> {
        ClientBuilder::from_env().build()
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The retry policy calls through this client use.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// A client that shares everything with this one (connections, rate limiter, clock) but
    /// retries by `policy`: the way to change retries for one call.
    ///
    /// ```
    /// # let client = clerk_memberships::testing::doc_client();
    /// use clerk_memberships::{DeleteMembership, RetryPolicy};
    ///
    /// DeleteMembership::builder()
    ///     .organization_id("org_1")
    ///     .user_id("user_1")
    ///     .build()?
    ///     .send(&client.with_retry_policy(RetryPolicy::none()))?;
    /// # Ok::<(), clerk_memberships::Error>(())
    /// ```
    pub fn with_retry_policy(&self, policy: impl Into<RetryPolicy>) -> Client {
        Client {
            inner: Arc::clone(&self.inner),
            retry: policy.into(),
        }
    }

    /// The client's pacing, shared by its clones: what an apply sizes its workers by.
    pub(crate) fn pacing(&self) -> &Pacing {
        &self.inner.pacing
    }

    /// Renders, sends (with retries) and decodes one request: the single execution path of
    /// the crate.
    pub(crate) fn execute<E: Endpoint>(&self, endpoint: &E) -> Result<E::Response, Error> {
        let call = self.call_of(endpoint);
        let inner = &*self.inner;
        let context = CallContext {
            call: &call,
            transport: &*inner.transport,
            pacing: &inner.pacing,
            on_attempt: inner.on_attempt.as_ref(),
            secret_key: &inner.secret_key,
            min_retry_budget: inner.min_retry_budget,
        };
        self.render_request(endpoint)
            .and_then(|request| send_with_retries(&context, &self.retry, request))
            .and_then(|(answer, attempts)| decode::<E>(&answer, attempts, &inner.secret_key))
            .map_err(|err| err.in_call(&call))
    }

    /// Turns an operation into the exact request that goes on the wire.
    pub(crate) fn render<E: Endpoint>(&self, endpoint: &E) -> Result<HttpRequest, Error> {
        self.render_request(endpoint)
            .map_err(|err| err.in_call(&self.call_of(endpoint)))
    }

    /// Which call `endpoint` is, for errors and attempt events: its operation and its path
    /// below the base URL.
    pub(crate) fn call_of<E: Endpoint>(&self, endpoint: &E) -> Call {
        let mut path = String::new();
        endpoint.path(&mut PathWriter::new(&mut path));
        Call::new(E::OPERATION, path)
    }

    /// [`render`](Self::render), whose errors do not yet say which call they are of.
    fn render_request<E: Endpoint>(&self, endpoint: &E) -> Result<HttpRequest, Error> {
        let inner = &*self.inner;
        let mut url = String::with_capacity(inner.base_url.len() + 96);
        url.push_str(&inner.base_url);
        endpoint.path(&mut PathWriter::new(&mut url));
        endpoint.query(&mut QueryWriter::new(&mut url));
        check_url_len(&url)?;
        let body = match endpoint.body() {
            Some(body) => Some(
                serde_json::to_vec(&body)
                    .map_err(|err| BuildError::invalid("body", err.to_string()))?,
            ),
            None => None,
        };
        // Header values are shared with the client: cloning them copies no strings.
        let mut headers = Vec::with_capacity(5);
        headers.push(("authorization", HeaderValue::clone(&inner.authorization)));
        headers.push(("accept", HeaderValue::clone(&inner.json)));
        if body.is_some() {
            headers.push(("content-type", HeaderValue::clone(&inner.json)));
        }
        headers.push(("user-agent", HeaderValue::clone(&inner.user_agent)));
        headers.push(("clerk-api-version", HeaderValue::clone(&inner.api_version)));
        Ok(HttpRequest {
            operation: E::OPERATION,
            method: E::OPERATION.method(),
            url,
            headers,
            body,
            time_left: None,
        })
    }
}

/// Decodes a 2xx answer into the model.
///
/// The decoder's message can quote values from the body, so the secret key is blanked out of
/// it, in case a proxy or server echoes the `Authorization` header back.
fn decode<E: Endpoint>(
    answer: &Answer,
    attempts: u32,
    key: &SecretKey,
) -> Result<E::Response, Error> {
    serde_json::from_slice(answer.body()).map_err(|err| {
        // The decoder's message can quote the body, in any spelling the body used: describe
        // the body with the key blanked out instead, and blank the message once more.
        let key = key.expose_secret().as_bytes();
        let message = serde_json::from_slice::<E::Response>(&redact(answer.body(), key))
            .err()
            .unwrap_or(err)
            .to_string();
        let message = redact(message.as_bytes(), key);
        Error::new(ErrorKind::Decode {
            model: <E::Response as Model>::NAME,
            status: answer.status(),
            detail: snippet(&message, DECODE_DETAIL_LIMIT),
        })
        .after(attempts)
    })
}

/// Configures a [`Client`].
///
/// ```
/// use std::time::Duration;
/// use clerk_memberships::Client;
///
/// let client = Client::builder()
///     .secret_key("sk_test_123")
///     .base_url("http://127.0.0.1:8080/v1")
///     .api_version("2026-05-12")
///     .connect_timeout(Duration::from_secs(3))
///     .request_timeout(Duration::from_secs(15))
///     .build()?;
/// assert_eq!(client.base_url(), "http://127.0.0.1:8080/v1");
/// # Ok::<(), clerk_memberships::BuildError>(())
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    secret_key: Option<KeyInput>,
    /// The environment variable the key was to come from, when it was.
    key_from: Option<&'static str>,
    /// The environment variable the base URL came from, when it did.
    base_url_from: Option<&'static str>,
    base_url: String,
    api_version: String,
    user_agent: String,
    /// The application's name and version, sent in front of `user_agent`.
    app_name: Option<String>,
    /// Settings of the default transport.
    ureq: UreqTransportBuilder,
    /// The default transport's connect timeout, which also bounds the least time a retry needs.
    connect_timeout: Duration,
    transport: Option<Arc<dyn Transport>>,
    retry: RetryPolicy,
    clock: Option<Arc<dyn Clock>>,
    rate_limit: RateLimit,
    /// The share (0 to 1] of the instance's limit this client uses.
    rate_share: f64,
    on_attempt: Option<AttemptHook>,
    allow_insecure_http: bool,
}

#[derive(Clone)]
enum RateLimit {
    Off,
    ClerkDefault,
    Custom(Arc<dyn RateLimiter>),
    #[cfg(feature = "redis")]
    Redis(crate::redis_limiter::RedisRateLimit),
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            secret_key: None,
            key_from: None,
            base_url_from: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            api_version: DEFAULT_API_VERSION.to_owned(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            app_name: None,
            ureq: UreqTransportBuilder::default(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            transport: None,
            retry: RetryPolicy::default(),
            clock: None,
            rate_limit: RateLimit::Off,
            rate_share: 1.0,
            on_attempt: None,
            allow_insecure_http: false,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = self.secret_key.as_ref().map(|_| "<redacted>");
        f.debug_struct("ClientBuilder")
            .field("secret_key", &key)
            .field("base_url", &self.base_url)
            .field("api_version", &self.api_version)
            .field("user_agent", &self.user_agent)
            .field("app_name", &self.app_name)
            .field("default_transport", &self.ureq)
            .field("custom_transport", &self.transport.is_some())
            .field("retry", &self.retry)
            .field("custom_clock", &self.clock.is_some())
            .field(
                "rate_limit",
                &match self.rate_limit {
                    RateLimit::Off => "off",
                    RateLimit::ClerkDefault => "clerk default",
                    RateLimit::Custom(_) => "custom",
                    #[cfg(feature = "redis")]
                    RateLimit::Redis(_) => "redis",
                },
            )
            .field("rate_share", &self.rate_share)
            .field("on_attempt", &self.on_attempt.is_some())
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

impl ClientBuilder {
    /// A builder with the secret key from the environment variable `CLERK_SECRET_KEY` and,
    /// when it is set and not empty, the base URL from `CLERK_API_URL`. Nothing is checked
    /// until [`build`](Self::build), whose errors then name the variable.
    pub fn from_env() -> ClientBuilder {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> ClientBuilder {
        let mut builder = ClientBuilder {
            key_from: Some(SECRET_KEY_VAR),
            ..ClientBuilder::default()
        };
        builder.secret_key = lookup(SECRET_KEY_VAR).map(KeyInput::from);
        if let Some(url) = lookup(BASE_URL_VAR).filter(|url| !url.is_empty()) {
            builder.base_url = url;
            builder.base_url_from = Some(BASE_URL_VAR);
        }
        builder
    }

    /// The secret key (`sk_live_…` or `sk_test_…`): a string, checked by
    /// [`build`](Self::build), or a [`SecretKey`]. Required.
    ///
    /// ```
    /// use clerk_memberships::{Client, SecretKey};
    ///
    /// let key = SecretKey::new("sk_test_123")?;
    /// let from_key = Client::builder().secret_key(&key).build()?;
    /// let from_text = Client::builder().secret_key("sk_test_123").build()?;
    /// # Ok::<(), clerk_memberships::BuildError>(())
    /// ```
    pub fn secret_key(mut self, key: impl Into<KeyInput>) -> Self {
        self.secret_key = Some(key.into());
        self.key_from = None;
        self
    }

    /// Where requests go: an `https` URL, with an optional path prefix and no query. A
    /// trailing slash is ignored. A URL with no path, or only slashes (`https://api.clerk.com`, as
    /// Clerk's other SDKs hold `CLERK_API_URL`), gets the API's `/v1` appended; a URL with a
    /// path is used as given (`http://127.0.0.1:8080/clerk/v1`). An `http` URL is accepted for a loopback host only
    /// (`localhost`, `127.0.0.0/8`, `[::1]`: a local test server or proxy), unless
    /// [`allow_insecure_http`](Self::allow_insecure_http) is set, since every request carries
    /// the secret key.
    ///
    /// Defaults to `https://api.clerk.com/v1`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self.base_url_from = None;
        self
    }

    /// Accepts an `http` base URL for any host, not only a loopback one. The secret key then
    /// crosses the network in clear text: only for a trusted network, e.g. a sidecar proxy
    /// reached by a private name.
    ///
    /// Defaults to `false`.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The `Clerk-API-Version` header.
    ///
    /// Defaults to `2026-05-12`.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = version.into();
        self
    }

    /// The `User-Agent` header, replacing this crate's own. To name an application while
    /// keeping this crate's name and version in the header, use
    /// [`app_name`](Self::app_name) instead.
    ///
    #[doc = concat!(
        "Defaults to `clerk-memberships/", env!("CARGO_PKG_VERSION"),
        "`: this crate's name and version."
    )]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Names the application, `name/version`, in front of the `User-Agent`
    /// ([`user_agent`](Self::user_agent), this crate's own by default), so that the header
    /// says who is calling and through which library:
    ///
    /// ```
    /// use clerk_memberships::testing::MockTransport;
    /// use clerk_memberships::ListMemberships;
    ///
    /// let mock = MockTransport::new(); // records requests instead of sending them
    /// let client = mock.client_builder().app_name("roster-sync/2.1.0").build()?;
    /// let request = ListMemberships::builder().organization_id("org_1").build()?;
    /// let agent = request.render(&client)?.header("user-agent").unwrap().to_owned();
    #[doc = concat!(
        "assert_eq!(agent, \"roster-sync/2.1.0 clerk-memberships/",
        env!("CARGO_PKG_VERSION"), "\");"
    )]
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// Defaults to none: the header is the user agent alone.
    pub fn app_name(mut self, name_and_version: impl Into<String>) -> Self {
        self.app_name = Some(name_and_version.into());
        self
    }

    /// Time allowed to resolve the host, and again to open a connection (TLS included). Applies
    /// to the default
    /// transport only.
    ///
    /// Defaults to 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.ureq = self.ureq.connect_timeout(timeout);
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one request, from connecting to the last byte of the answer. Applies to
    /// the default transport only.
    ///
    /// Defaults to 30 s.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.ureq = self.ureq.request_timeout(timeout);
        self
    }

    /// Largest response body accepted, in bytes. Applies to the default transport only.
    ///
    /// Defaults to 8 MiB.
    pub fn max_response_body(mut self, bytes: u64) -> Self {
        self.ureq = self.ureq.max_response_body(bytes);
        self
    }

    /// Sends every request through the proxy at `url`, whatever the environment says. Applies
    /// to the default transport only; see [`UreqTransportBuilder::proxy`].
    ///
    /// Defaults to none: see [`proxy_from_env`](Self::proxy_from_env).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.ureq = self.ureq.proxy(url);
        self
    }

    /// Sets or clears (`None`) the explicit proxy of [`proxy`](Self::proxy). Applies to the
    /// default transport only.
    ///
    /// Defaults to `None`.
    pub fn set_proxy(mut self, url: Option<String>) -> Self {
        self.ureq = self.ureq.set_proxy(url);
        self
    }

    /// Whether, without an explicit [`proxy`](Self::proxy), the default transport takes its
    /// proxy from `ALL_PROXY` / `HTTPS_PROXY` / `HTTP_PROXY` and `NO_PROXY`, read when the
    /// client is built; loopback hosts are always reached directly. See
    /// [`UreqTransportBuilder::proxy_from_env`].
    ///
    /// Defaults to `true`.
    pub fn proxy_from_env(mut self, from_env: bool) -> Self {
        self.ureq = self.ureq.proxy_from_env(from_env);
        self
    }

    /// Sends requests through `transport` instead of the default [`UreqTransport`]; the
    /// timeout, body-cap and proxy settings above are then the transport's business.
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// How failed calls are retried; [`Client::with_retry_policy`] overrides it for one call.
    ///
    /// Defaults to [`RetryPolicy::default()`]: up to 4 attempts within 30 s, 429 retried for
    /// every operation, 5xx and maybe-sent failures for every operation but `create`.
    pub fn retry_policy(mut self, policy: impl Into<RetryPolicy>) -> Self {
        self.retry = policy.into();
        self
    }

    /// Paces requests by Clerk's published limits for the key: 1000 per 10 s for `sk_live_`
    /// keys, 100 per 10 s otherwise. Shared by all clones of the client.
    ///
    /// Defaults to off (only the server's `Retry-After` paces the client).
    pub fn clerk_rate_limit(mut self) -> Self {
        self.rate_limit = RateLimit::ClerkDefault;
        self
    }

    /// Paces requests with `limiter`, e.g. a [`SlidingWindowLimiter`] with limits of your own.
    /// Shared by all clones of the client. It is used as given: the
    /// [`rate_share`](Self::rate_share) does not apply to it.
    ///
    /// Defaults to none.
    pub fn rate_limiter(mut self, limiter: impl RateLimiter + 'static) -> Self {
        self.rate_limit = RateLimit::Custom(Arc::new(limiter));
        self
    }

    /// Paces requests by a budget that every process using the same Redis and the same key
    /// (or budget name) shares: Clerk's limit belongs to the instance, not to a process. See
    /// [`RedisRateLimit`](crate::RedisRateLimit) for the window, the shared 429 gate and what
    /// happens when Redis cannot be reached.
    ///
    /// Defaults to none.
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn redis_rate_limit(mut self, shared: crate::redis_limiter::RedisRateLimit) -> Self {
        self.rate_limit = RateLimit::Redis(shared);
        self
    }

    /// Uses at most `share` (0 to 1) of the instance's limit, so that a bulk job leaves room
    /// for the production traffic on the same instance: with
    /// [`clerk_rate_limit`](Self::clerk_rate_limit), this client starts at most that share
    /// of Clerk's published limit (1000 requests per 10 s for `sk_live_` keys, 100 per 10 s
    /// for `sk_test_`); with a shared budget
    /// ([`redis_rate_limit`](Self::redis_rate_limit)), it starts a request only while fewer
    /// than that share of the limit started in the window, counting every process. The
    /// share is rounded down to whole requests, at least 1 per window; values out of range
    /// are brought into it (not a number counts as 1). A limiter given with
    /// [`rate_limiter`](Self::rate_limiter) is used as given.
    ///
    /// ```
    /// use clerk_memberships::Client;
    ///
    /// // A nightly sync that leaves half of the instance's budget to the web servers.
    /// let client = Client::builder()
    ///     .secret_key("sk_live_123")
    ///     .clerk_rate_limit()
    ///     .rate_share(0.5) // 500 per 10 s
    ///     .build()?;
    /// # Ok::<(), clerk_memberships::BuildError>(())
    /// ```
    ///
    /// Defaults to `1.0`: the whole limit.
    pub fn rate_share(mut self, share: f64) -> Self {
        self.rate_share = if share.is_finite() {
            share.clamp(0.0, 1.0)
        } else {
            1.0
        };
        self
    }

    /// The clock the client reads and sleeps with.
    ///
    /// Defaults to [`SystemClock`]; tests use [`ManualClock`](crate::testing::ManualClock).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Calls `hook` after every attempt with the operation, attempt number, status or
    /// transport failure, Clerk trace id and the wait before the next attempt. The event never
    /// holds the secret key, bodies or metadata.
    ///
    /// ```
    /// use clerk_memberships::Client;
    ///
    /// let client = Client::builder()
    ///     .secret_key("sk_test_123")
    ///     .on_attempt(|event| {
    ///         eprintln!("{} attempt {}: {:?}", event.call, event.attempt, event.status)
    ///     })
    ///     .build()?;
    /// # Ok::<(), clerk_memberships::BuildError>(())
    /// ```
    pub fn on_attempt(mut self, hook: impl Fn(&AttemptEvent) + Send + Sync + 'static) -> Self {
        self.on_attempt = Some(Arc::new(hook));
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the field at fault: a missing or malformed `secret_key`, a
    /// `base_url` that is not an absolute `https` URL (or `http` for a loopback host, unless
    /// [`allow_insecure_http`](Self::allow_insecure_http)) without query or fragment, an
    /// `api_version` or `user_agent` that cannot be sent as a header, a zero timeout, a
    /// `proxy` that is not a proxy URL, or (feature `redis`) a `redis_url` that is not a
    /// `redis://` URL.
    pub fn build(self) -> Result<Client, BuildError> {
        let secret_key = match (&self.secret_key, self.key_from) {
            (Some(key), from) => key.check().map_err(|err| read_from(err, from))?,
            (None, Some(var)) => {
                return Err(BuildError::invalid(
                    "secret_key",
                    format!("must be set: the environment variable {var} is not set"),
                ));
            }
            (None, None) => return Err(BuildError::MissingField("secret_key")),
        };
        let base_url = check_base_url(&self.base_url, self.allow_insecure_http)
            .map_err(|err| read_from(err, self.base_url_from))?;
        check_header_value("api_version", &self.api_version)?;
        check_header_value("user_agent", &self.user_agent)?;
        let user_agent = match &self.app_name {
            Some(app) => {
                check_header_value("app_name", app)?;
                format!("{app} {}", self.user_agent)
            }
            None => self.user_agent.clone(),
        };
        self.ureq.check()?;
        let transport: Arc<dyn Transport> = match &self.transport {
            Some(transport) => Arc::clone(transport),
            None => Arc::new(self.ureq.build()),
        };
        let clock = self.clock.clone().unwrap_or_else(|| Arc::new(SystemClock));
        let limiter: Option<Arc<dyn RateLimiter>> = match &self.rate_limit {
            RateLimit::Off => None,
            RateLimit::ClerkDefault => {
                let clerk = SlidingWindowLimiter::for_key(&secret_key);
                let share = crate::pacing::share_of(clerk.limit(), self.rate_share);
                Some(Arc::new(SlidingWindowLimiter::new(share, clerk.per())))
            }
            RateLimit::Custom(limiter) => Some(Arc::clone(limiter)),
            #[cfg(feature = "redis")]
            RateLimit::Redis(shared) => Some(Arc::new(crate::redis_limiter::RedisLimiter::new(
                shared,
                &secret_key,
                self.rate_share,
                Arc::clone(&clock),
            )?)),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                authorization: format!("Bearer {}", secret_key.expose_secret()).into(),
                json: "application/json".into(),
                secret_key,
                base_url,
                api_version: self.api_version.as_str().into(),
                user_agent: user_agent.into(),
                transport,
                pacing: Pacing::new(clock, limiter),
                on_attempt: self.on_attempt.clone(),
                min_retry_budget: MIN_RETRY_BUDGET.min(self.connect_timeout),
            }),
            retry: self.retry.clone(),
        })
    }
}

/// Accepts `https://host[:port][/path]`, and `http://` for a loopback host or when
/// `allow_insecure_http`; returns it without a trailing slash.
fn check_base_url(url: &str, allow_insecure_http: bool) -> Result<String, BuildError> {
    let invalid = |rule: &str| BuildError::invalid("base_url", rule);
    // The URI parser takes spaces, `#` and odd ports in its stride; refuse them first.
    if !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(
            "must be ASCII without spaces or control characters",
        ));
    }
    if url.contains(['?', '#']) {
        return Err(invalid("must not have a query or fragment"));
    }
    let uri =
        ureq::http::Uri::try_from(url).map_err(|_| invalid("must be a valid absolute URL"))?;
    if !matches!(uri.scheme_str(), Some("https" | "http")) {
        return Err(invalid("must start with `https://` or `http://`"));
    }
    let authority = uri.authority().map_or("", |a| a.as_str());
    let host = uri.host().unwrap_or_default();
    if host.is_empty() || authority.contains('@') {
        return Err(invalid("must name a host, without user information"));
    }
    // The parser takes any text after the host's colon as a port (and then ignores it).
    let port = authority
        .strip_prefix(host)
        .and_then(|rest| rest.strip_prefix(':'))
        .unwrap_or_default();
    let port_ok = port.is_empty()
        || (port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().is_ok());
    if !port_ok {
        return Err(invalid("must have a port between 0 and 65535"));
    }
    if uri.scheme_str() == Some("http") && !allow_insecure_http && !is_loopback_host(host) {
        return Err(invalid(
            "must use `https://` for a host other than localhost, 127.0.0.0/8 or [::1] \
             (every request carries the secret key; see `allow_insecure_http`)",
        ));
    }
    let url = url.trim_end_matches('/');
    // A path of slashes only (`https://api.clerk.com//`) is no path, as `/` is.
    Ok(if uri.path().bytes().all(|b| b == b'/') {
        format!("{url}/v1")
    } else {
        url.to_owned()
    })
}

/// `err`, saying which environment variable the value came from (never the value).
fn read_from(err: BuildError, var: Option<&'static str>) -> BuildError {
    match (err, var) {
        (BuildError::InvalidField { field, rule }, Some(var)) => BuildError::invalid(
            field,
            format!("{rule} (read from the environment variable {var})"),
        ),
        (err, _) => err,
    }
}

fn check_header_value(field: &'static str, value: &str) -> Result<(), BuildError> {
    if value.trim().is_empty() {
        return Err(BuildError::invalid(field, "must not be empty or blank"));
    }
    if !value.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
        return Err(BuildError::invalid(
            field,
            "must be printable ASCII (it is sent as an HTTP header)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn from_env_reads_key_and_base_url() {
        let client = ClientBuilder::from_lookup(env(&[
            ("CLERK_SECRET_KEY", "sk_test_abc"),
            ("CLERK_API_URL", "http://127.0.0.1:9/v1/"),
        ]))
        .build()
        .unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:9/v1");
        assert_eq!(client.inner.secret_key.expose_secret(), "sk_test_abc");
    }

    #[test]
    fn from_env_without_key_names_the_variable() {
        let err = ClientBuilder::from_lookup(env(&[])).build().unwrap_err();
        assert_eq!(err.field(), "secret_key");
        assert!(
            err.to_string().contains("CLERK_SECRET_KEY is not set"),
            "{err}"
        );
    }

    #[test]
    fn from_env_uses_default_base_url_when_unset() {
        let client = ClientBuilder::from_lookup(env(&[("CLERK_SECRET_KEY", "sk_live_abc")]))
            .build()
            .unwrap();
        assert_eq!(client.base_url(), DEFAULT_BASE_URL);
    }

    #[test]
    fn base_urls_are_checked() {
        for bad in [
            "",
            "api.clerk.com",
            "ftp://x",
            "https://",
            "https://a b",
            "https://x/v1?x=1",
            "https://x/#f",
            "https://user:pw@x/v1",
        ] {
            let err = check_base_url(bad, true).unwrap_err();
            assert_eq!(err.field(), "base_url", "{bad}");
        }
        assert_eq!(
            check_base_url("https://api.clerk.com/v1/", false).unwrap(),
            "https://api.clerk.com/v1"
        );
        for (path_less, with_v1) in [
            ("http://[::1]:8080", "http://[::1]:8080/v1"),
            ("https://api.clerk.com", "https://api.clerk.com/v1"),
            ("https://api.clerk.com/", "https://api.clerk.com/v1"),
            ("https://api.clerk.com//", "https://api.clerk.com/v1"),
            ("http://127.0.0.1:9///", "http://127.0.0.1:9/v1"),
        ] {
            assert_eq!(check_base_url(path_less, false).unwrap(), with_v1);
        }
        assert_eq!(
            check_base_url("http://127.0.0.1:9/clerk", false).unwrap(),
            "http://127.0.0.1:9/clerk",
            "a path is used as given"
        );
        for bad in [
            "",
            "api.clerk.com",
            "ftp://x",
            "https://a b",
            "https://x/v1?x=1",
        ] {
            let rule = match check_base_url(bad, false).unwrap_err() {
                BuildError::InvalidField { rule, .. } => rule,
                other => panic!("{other:?}"),
            };
            assert!(rule.starts_with("must "), "{bad}: {rule}");
        }
    }

    #[test]
    fn from_env_errors_name_the_variable_and_never_the_value() {
        let err = ClientBuilder::from_lookup(env(&[("CLERK_SECRET_KEY", "Bearer sk_test_abc")]))
            .build()
            .unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains("CLERK_SECRET_KEY"), "{shown}");
        assert!(shown.contains("drop the `Bearer ` prefix"), "{shown}");
        assert!(!shown.contains("sk_test_abc"), "{shown}");

        let err = ClientBuilder::from_lookup(env(&[
            ("CLERK_SECRET_KEY", "sk_test_abc"),
            ("CLERK_API_URL", "ftp://secret-host.example"),
        ]))
        .build()
        .unwrap_err();
        let shown = err.to_string();
        assert_eq!(err.field(), "base_url");
        assert!(shown.contains("CLERK_API_URL"), "{shown}");
        assert!(!shown.contains("secret-host"), "{shown}");

        // A key set by hand after from_env no longer speaks of the variable.
        let err = ClientBuilder::from_lookup(env(&[]))
            .secret_key("sk_nope")
            .build()
            .unwrap_err();
        assert!(!err.to_string().contains("CLERK_SECRET_KEY"), "{err}");
    }

    #[test]
    fn a_path_less_base_url_from_the_environment_gets_v1() {
        let client = ClientBuilder::from_lookup(env(&[
            ("CLERK_SECRET_KEY", "sk_test_abc"),
            ("CLERK_API_URL", "https://api.clerk.com"),
        ]))
        .build()
        .unwrap();
        assert_eq!(client.base_url(), "https://api.clerk.com/v1");
    }
}
