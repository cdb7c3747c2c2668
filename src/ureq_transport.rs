//! The default [`Transport`]: [`UreqTransport`], built on `ureq`, and its builder.

use std::fmt;
use std::io::{self, Read};
use std::time::Duration;

use crate::error::BuildError;
use crate::transport::{
    Delivery, HttpRequest, HttpResponse, Transport, TransportError, TransportErrorKind,
};

/// Default cap on a response body: 8 MiB (a full page of 500 memberships is well under 1 MiB).
const DEFAULT_MAX_RESPONSE_BODY: u64 = 8 * 1024 * 1024;
/// How many idle keep-alive connections the default transport keeps (per host, and in all):
/// enough for a pool of workers sharing one client (ureq's own default is 3 per host).
const IDLE_CONNECTIONS: usize = 32;
/// Default time allowed to open a connection: 10 seconds.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for one attempt, from connecting to the last byte of the answer: 30 s.
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The default [`Transport`], built on `ureq`: one keep-alive connection pool (keeping up to 32
/// idle connections, so that a pool of workers sharing one client reuses its connections
/// instead of opening new ones), timeouts on connecting and on each request, a cap on the
/// response body, no redirects followed, and statuses passed through untouched.
///
/// **Response bodies.** A body is read up to the cap
/// ([`max_response_body`](UreqTransportBuilder::max_response_body)) and never further. The
/// buffer grows with the bytes that actually arrive: whatever `Content-Length` announces, at most
/// 1 MiB is set aside before the first byte is read (enough for a page of 500 memberships to be
/// read in place), so a hostile length cannot make a call allocate more than that beyond the
/// body it really sends. A 2xx over the cap fails with
/// [`TransportError::response_too_large`] (the call returns
/// [`ErrorKind::ResponseTooLarge`](crate::ErrorKind::ResponseTooLarge), status kept); an error answer
/// over the cap is cut to the cap and kept, so its status and start still reach the caller.
///
/// **Proxies.** By default the proxy comes from the environment, as most HTTP tools do:
/// `ALL_PROXY`, else `HTTPS_PROXY`, else `HTTP_PROXY` (or their lower-case forms; the first one
/// set to a valid URL serves every request, `https` or not), with `NO_PROXY` naming hosts
/// reached directly. The variables are read once, when the transport is built. The transport
/// tunnels through the proxy with `CONNECT`, so for an `https` base URL the proxy relays
/// encrypted bytes and never sees the secret key. Loopback hosts (`localhost`, `127.0.0.0/8`,
/// `[::1]`) never go through a proxy taken from the environment, so a local test server is
/// reached directly and a plain-`http` request to it is not handed to a remote proxy. Set a
/// proxy explicitly with [`proxy`](UreqTransportBuilder::proxy), or ignore the environment
/// with [`proxy_from_env(false)`](UreqTransportBuilder::proxy_from_env).
///
/// ```
/// use std::time::Duration;
/// use clerk_memberships::UreqTransport;
///
/// let transport = UreqTransport::builder()
///     .connect_timeout(Duration::from_secs(5))
///     .request_timeout(Duration::from_secs(20))
///     .max_response_body(2 * 1024 * 1024)
///     .proxy_from_env(false)
///     .build();
/// ```
#[derive(Clone)]
pub struct UreqTransport {
    agent: ureq::Agent,
    request_timeout: Duration,
    max_response_body: u64,
    proxy: ProxyUse,
}

/// How a built transport uses a proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProxyUse {
    /// Every request goes direct.
    None,
    /// The proxy was set explicitly: every request goes through it.
    Explicit,
    /// The proxy came from the environment: every request but those to loopback hosts goes
    /// through it.
    FromEnv,
    /// The explicit proxy URL is not one: every request fails without being sent.
    Invalid,
}

/// At most this much of a response buffer is set aside from `Content-Length` before the body
/// arrives: a page of 500 memberships (about 600 KB) is read in place instead of through a
/// buffer doubled five times, and a lying header costs at most this.
const MAX_PREALLOCATED_BODY: u64 = 1024 * 1024;

impl fmt::Debug for UreqTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UreqTransport")
            .field("max_response_body", &self.max_response_body)
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

impl Default for UreqTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl UreqTransport {
    /// A transport with the default timeouts and body cap.
    pub fn new() -> Self {
        UreqTransportBuilder::default().build()
    }

    /// Configures a transport.
    pub fn builder() -> UreqTransportBuilder {
        UreqTransportBuilder::default()
    }
}

/// Configures a [`UreqTransport`].
///
/// Its `Debug` output hides the password of a proxy URL.
///
/// ```
/// use std::time::Duration;
/// use clerk_memberships::{Client, UreqTransport};
///
/// let transport = UreqTransport::builder()
///     .request_timeout(Duration::from_secs(10))
///     .proxy_from_env(false)
///     .build();
/// let client = Client::builder().secret_key("sk_test_123").transport(transport).build()?;
/// # Ok::<(), clerk_memberships::BuildError>(())
/// ```
#[derive(Clone)]
pub struct UreqTransportBuilder {
    connect_timeout: Duration,
    request_timeout: Duration,
    max_response_body: u64,
    proxy: Option<String>,
    proxy_from_env: bool,
}

impl Default for UreqTransportBuilder {
    fn default() -> Self {
        UreqTransportBuilder {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
            proxy: None,
            proxy_from_env: true,
        }
    }
}

impl fmt::Debug for UreqTransportBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UreqTransportBuilder")
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("max_response_body", &self.max_response_body)
            .field("proxy", &self.proxy.as_deref().map(without_userinfo))
            .field("proxy_from_env", &self.proxy_from_env)
            .finish()
    }
}

/// `url` with any `user:password@` replaced by `<redacted>@`.
fn without_userinfo(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let authority_end = url[start..].find('/').map_or(url.len(), |i| start + i);
    match url[start..authority_end].rfind('@') {
        Some(at) => format!("{}<redacted>{}", &url[..start], &url[start + at..]),
        None => url.to_owned(),
    }
}

impl UreqTransportBuilder {
    /// Time allowed to resolve the host, and again to open a connection (TLS included).
    ///
    /// Defaults to 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one request, from connecting to the last byte of the answer.
    ///
    /// Defaults to 30 s.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Largest response body accepted, in bytes. A 2xx with a larger body fails with
    /// [`TransportError::response_too_large`] (the call returns
    /// [`ErrorKind::ResponseTooLarge`](crate::ErrorKind::ResponseTooLarge) with the status); an error
    /// answer with a larger body is cut to this size and kept. Memory follows the bytes that
    /// arrive, not the `Content-Length` announced, so even `u64::MAX` is safe.
    ///
    /// Defaults to 8 MiB.
    pub fn max_response_body(mut self, bytes: u64) -> Self {
        self.max_response_body = bytes;
        self
    }

    /// Sends every request through the proxy at `url`, loopback hosts included, whatever the
    /// environment says: `http://host:port` or `https://host:port`, optionally with
    /// percent-encoded `user:password@` (hidden in `Debug` output). The transport tunnels with
    /// `CONNECT`, so an `https` request stays encrypted end to end.
    ///
    /// An invalid URL is refused by [`ClientBuilder::build`](crate::ClientBuilder::build) (field
    /// `proxy`); a transport built directly with it fails every request with
    /// [`TransportErrorKind::Config`], without sending it.
    ///
    /// Defaults to none: see [`proxy_from_env`](Self::proxy_from_env).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// Sets or clears (`None`) the explicit proxy of [`proxy`](Self::proxy).
    ///
    /// Defaults to `None`.
    pub fn set_proxy(mut self, url: Option<String>) -> Self {
        self.proxy = url;
        self
    }

    /// Whether, without an explicit [`proxy`](Self::proxy), the proxy comes from the
    /// environment when the transport is built: `ALL_PROXY`, else `HTTPS_PROXY`, else
    /// `HTTP_PROXY` (or their lower-case forms), for every request whatever its scheme, with
    /// `NO_PROXY` naming hosts reached directly. Loopback hosts (`localhost`, `127.0.0.0/8`,
    /// `[::1]`) are always reached directly. With `false`, requests go direct unless a proxy is
    /// set explicitly.
    ///
    /// Defaults to `true`.
    pub fn proxy_from_env(mut self, from_env: bool) -> Self {
        self.proxy_from_env = from_env;
        self
    }

    /// Refuses settings that would fail every request.
    pub(crate) fn check(&self) -> Result<(), BuildError> {
        if self.connect_timeout.is_zero() {
            return Err(BuildError::invalid("connect_timeout", "must not be zero"));
        }
        if self.request_timeout.is_zero() {
            return Err(BuildError::invalid("request_timeout", "must not be zero"));
        }
        if let Some(url) = &self.proxy
            && ureq::Proxy::new(url).is_err()
        {
            return Err(BuildError::invalid(
                "proxy",
                "must be a proxy URL such as `http://host:port`",
            ));
        }
        Ok(())
    }

    /// Builds the transport. The proxy variables of the environment are read here (see
    /// [`proxy_from_env`](Self::proxy_from_env)).
    pub fn build(self) -> UreqTransport {
        let (proxy, proxy_use) = match (&self.proxy, self.proxy_from_env) {
            (Some(url), _) => match ureq::Proxy::new(url) {
                Ok(proxy) => (Some(proxy), ProxyUse::Explicit),
                Err(_) => (None, ProxyUse::Invalid),
            },
            (None, true) => match ureq::Proxy::try_from_env() {
                Some(proxy) => (Some(proxy), ProxyUse::FromEnv),
                None => (None, ProxyUse::None),
            },
            (None, false) => (None, ProxyUse::None),
        };
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_resolve(Some(self.connect_timeout))
            .timeout_connect(Some(self.connect_timeout))
            .timeout_global(Some(self.request_timeout))
            .proxy(proxy)
            // Several workers sharing one client each return a connection at once: keep
            // them all, instead of ureq's 3 per host, so none is closed to be reopened.
            .max_idle_connections(IDLE_CONNECTIONS)
            .max_idle_connections_per_host(IDLE_CONNECTIONS)
            .build();
        UreqTransport {
            agent: ureq::Agent::with_parts(
                config,
                MarkConnectFailures::default(),
                ureq::unversioned::resolver::DefaultResolver::default(),
            ),
            request_timeout: self.request_timeout,
            max_response_body: self.max_response_body,
            proxy: proxy_use,
        }
    }
}

/// Whether `host` (as a URL spells it, IPv6 in brackets or not) is the local machine:
/// `localhost`, an address in `127.0.0.0/8`, or `::1` (an IPv4-mapped loopback included).
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

impl UreqTransport {
    fn run<S: ureq::AsSendBody>(
        &self,
        request: Result<ureq::http::Request<S>, ureq::http::Error>,
        timeout: Duration,
        https: bool,
    ) -> Result<ureq::http::Response<ureq::Body>, TransportError> {
        let request = request.map_err(invalid_request)?;
        if self.proxy == ProxyUse::Invalid {
            return Err(TransportError::not_sent(
                TransportErrorKind::Config,
                "the proxy URL is invalid",
            ));
        }
        let direct =
            self.proxy == ProxyUse::FromEnv && request.uri().host().is_some_and(is_loopback_host);
        let mut config = self
            .agent
            .configure_request(request)
            .timeout_global(Some(timeout));
        if direct {
            config = config.proxy(None);
        }
        self.agent
            .run(config.build())
            .map_err(|err| classify(err, https))
    }
}

impl Transport for UreqTransport {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut builder = ureq::http::Request::builder()
            .method(request.method.as_str())
            .uri(request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(*name, &**value);
        }
        let https = request
            .url
            .get(..8)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"));
        // The attempt ends at the call's deadline if that comes before the request timeout.
        let timeout = request
            .time_left
            .map_or(self.request_timeout, |left| left.min(self.request_timeout));
        let mut response = match request.body.as_deref() {
            Some(body) => self.run(builder.body(body), timeout, https),
            None => self.run(builder.body(()), timeout, https),
        }?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect();
        // Read one byte past the cap to tell "exactly at the cap" from "over it".
        let cap = self.max_response_body;
        // `Content-Length` sizes the buffer so that a page is read in place, but only up to a
        // fixed amount: the header is the server's word, and memory beyond that must follow
        // the bytes that actually arrive.
        let expected = response
            .body()
            .content_length()
            .map_or(0, |len| len.min(cap).min(MAX_PREALLOCATED_BODY));
        let mut body = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
        response
            .body_mut()
            .with_config()
            .limit(cap.saturating_add(1))
            .reader()
            .take(cap.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(|err| classify(ureq::Error::from(err), https))?;
        if body.len() as u64 > cap {
            if (200..300).contains(&status) {
                return Err(TransportError::response_too_large(status, cap));
            }
            // An error answer keeps its status; its body is only ever shown as a snippet.
            body.truncate(usize::try_from(cap).unwrap_or(usize::MAX));
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// A request the HTTP library refuses to build (a header value it cannot send, a URL it
/// cannot parse): it can never be sent as it stands.
fn invalid_request(err: ureq::http::Error) -> TransportError {
    TransportError::not_sent(TransportErrorKind::Config, "the request is invalid").with_source(err)
}

/// Sorts a ureq error into kind and delivery. Only failures that happen before the request
/// can have been written count as "not sent": resolving, connecting, the TLS handshake, and
/// settings that stop the request before any of that.
///
/// An I/O error stays the [`source`](std::error::Error::source) of the result, and the
/// message then says only what failed, so that a printed chain shows each message once. Other
/// ureq errors carry no underlying error worth keeping: their text is the message.
///
/// `https` says whether the request was for an `https` URL.
fn classify(err: ureq::Error, https: bool) -> TransportError {
    use TransportErrorKind as K;
    use ureq::Error as E;
    use ureq::Timeout as T;
    // Only an I/O error from making the connection (TLS handshake included) is "not sent",
    // besides those that name a failed connect.
    let (err, connecting) = unmark(err);
    let (kind, sent, message) = match &err {
        E::Io(io) if connect_failure(io) => (K::Connect, false, "could not connect"),
        E::Io(_) if connecting && https => (K::Connect, false, "the TLS handshake failed"),
        E::Io(_) if connecting => (K::Connect, false, "could not connect"),
        E::Io(io) if io.kind() == io::ErrorKind::TimedOut => (K::Timeout, true, "timed out"),
        E::Io(_) => (K::Io, true, "the connection failed during the exchange"),
        E::Decompress(..) => (K::Protocol, true, "the body could not be decompressed"),
        E::HostNotFound | E::ConnectionFailed | E::ConnectProxyFailed(_) => (K::Connect, false, ""),
        E::Timeout(T::Resolve | T::Connect) => (K::Timeout, false, ""),
        E::Timeout(_) => (K::Timeout, true, ""),
        // The URL, a setting or the TLS configuration stops the request before a connection
        // is made, and will again on every try.
        E::BadUri(_)
        | E::RequireHttpsOnly(_)
        | E::Http(_)
        | E::InvalidProxyUrl
        | E::Tls(_)
        | E::Rustls(_)
        | E::TlsRequired => (K::Config, false, ""),
        E::BodyStalled => (K::Io, true, ""),
        E::BodyExceedsLimit(_) | E::LargeResponseHeader(..) => (K::BodyTooLarge, true, ""),
        E::Protocol(_) | E::StatusCode(_) => (K::Protocol, true, ""),
        _ => (K::Other, true, ""),
    };
    let delivery = if sent {
        Delivery::MaybeSent
    } else {
        Delivery::NotSent
    };
    match err {
        // An I/O error is kept as the source; the message says only what failed.
        E::Io(io) | E::Decompress(_, io) => {
            TransportError::new(kind, delivery, message).with_source(io)
        }
        // Other ureq errors carry nothing worth keeping beneath their text.
        other => TransportError::new(kind, delivery, other.to_string()),
    }
}

/// ureq's own connectors (TCP, proxies, TLS), with every I/O error they return marked as
/// [`WhileConnecting`]: those happen while the connection is made, TLS handshake included,
/// before a byte of the request is written. The same `io::Error` kinds (`InvalidData` from
/// rustls, an end of stream, a reset) also happen during the exchange, where the request may
/// have been sent, so the kind alone cannot tell them apart: the place they came from does.
#[derive(Debug, Default)]
struct MarkConnectFailures(ureq::unversioned::transport::DefaultConnector);

impl ureq::unversioned::transport::Connector<()> for MarkConnectFailures {
    type Out = Box<dyn ureq::unversioned::transport::Transport>;

    fn connect(
        &self,
        details: &ureq::unversioned::transport::ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        self.0.connect(details, chained).map_err(|err| match err {
            ureq::Error::Io(io) => ureq::Error::Io(io::Error::new(io.kind(), WhileConnecting(io))),
            other => other,
        })
    }
}

/// An I/O error that happened while connecting (see [`MarkConnectFailures`]); [`classify`]
/// unwraps it again.
#[derive(Debug)]
struct WhileConnecting(io::Error);

impl std::fmt::Display for WhileConnecting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for WhileConnecting {}

/// `err` without its [`WhileConnecting`] mark, and whether it had one.
fn unmark(err: ureq::Error) -> (ureq::Error, bool) {
    match err {
        ureq::Error::Io(io) if io.get_ref().is_some_and(|e| e.is::<WhileConnecting>()) => {
            let kind = io.kind();
            match io
                .into_inner()
                .map(|inner| inner.downcast::<WhileConnecting>())
            {
                Some(Ok(marked)) => (ureq::Error::Io(marked.0), true),
                // Not reached: the guard saw the mark.
                Some(Err(inner)) => (ureq::Error::Io(io::Error::new(kind, inner)), false),
                None => (ureq::Error::Io(io::Error::from(kind)), false),
            }
        }
        other => (other, false),
    }
}

/// Whether an I/O error happened before any connection existed: refused, unreachable, or a
/// failed host lookup (which std reports without an error kind of its own, only with this
/// message and no OS error code).
fn connect_failure(err: &io::Error) -> bool {
    let lookup_failed = err.raw_os_error().is_none()
        && err
            .to_string()
            .starts_with("failed to lookup address information");
    lookup_failed
        || matches!(
            err.kind(),
            io::ErrorKind::ConnectionRefused
                | io::ErrorKind::AddrNotAvailable
                | io::ErrorKind::AddrInUse
                | io::ErrorKind::NetworkUnreachable
                | io::ErrorKind::HostUnreachable
                | io::ErrorKind::NotFound
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::{Method, Operation};

    #[test]
    fn a_failed_host_lookup_was_not_sent() {
        let err =
            io::Error::other("failed to lookup address information: Name or service not known");
        let err = classify(ureq::Error::Io(err), false);
        assert_eq!(err.kind(), TransportErrorKind::Connect);
        assert!(!err.may_have_been_sent());
    }

    #[test]
    fn a_reset_may_have_been_sent() {
        let err = classify(
            ureq::Error::Io(io::Error::from(io::ErrorKind::ConnectionReset)),
            true,
        );
        assert_eq!(err.kind(), TransportErrorKind::Io);
        assert!(err.may_have_been_sent());
    }

    #[test]
    fn an_io_error_stays_the_source_and_is_not_repeated_in_the_message() {
        let err = classify(
            ureq::Error::Io(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "reset by the test",
            )),
            false,
        );
        let source = std::error::Error::source(&err).expect("the io error is the source");
        assert_eq!(source.to_string(), "reset by the test");
        assert!(!err.to_string().contains("reset by the test"), "{err}");
    }

    /// An I/O error as [`MarkConnectFailures`] returns it.
    fn marked(err: io::Error) -> ureq::Error {
        ureq::Error::Io(io::Error::new(err.kind(), WhileConnecting(err)))
    }

    #[test]
    fn tls_handshake_failures_on_https_were_not_sent() {
        // rustls while connecting: bytes that are not TLS, an end of stream, a reset.
        for io in [
            io::Error::new(io::ErrorKind::InvalidData, "corrupt message"),
            io::Error::from(io::ErrorKind::UnexpectedEof),
            io::Error::from(io::ErrorKind::ConnectionReset),
        ] {
            let err = classify(marked(io), true);
            assert_eq!(err.kind(), TransportErrorKind::Connect, "{err}");
            assert!(!err.may_have_been_sent(), "{err}");
            assert!(
                err.to_string().ends_with("the TLS handshake failed"),
                "{err}"
            );
        }
        // The source is the error itself, without the mark.
        let err = classify(
            marked(io::Error::new(io::ErrorKind::InvalidData, "bad")),
            true,
        );
        let source = std::error::Error::source(&err).expect("the io error is the source");
        assert_eq!(source.to_string(), "bad");
        let io = source.downcast_ref::<io::Error>().expect("an io::Error");
        assert!(
            !io.get_ref()
                .is_some_and(|inner| inner.is::<WhileConnecting>())
        );
    }

    #[test]
    fn the_same_errors_during_the_exchange_may_have_been_sent() {
        // rustls reports a TLS failure after the handshake as `InvalidData` too, and a bare end
        // of stream can come from the exchange: without the mark, a create is never repeated
        // on a guess.
        for io in [
            io::Error::new(io::ErrorKind::InvalidData, "corrupt message"),
            io::Error::from(io::ErrorKind::UnexpectedEof),
            io::Error::new(io::ErrorKind::UnexpectedEof, "Peer disconnected"),
        ] {
            let err = classify(ureq::Error::Io(io), true);
            assert!(err.may_have_been_sent(), "{err}");
        }
        // Over plain http, a failure while connecting is "could not connect".
        let err = classify(marked(io::Error::from(io::ErrorKind::UnexpectedEof)), false);
        assert!(!err.may_have_been_sent());
        assert!(err.to_string().ends_with("could not connect"), "{err}");
    }

    #[test]
    fn settings_that_can_never_work_are_config_errors_not_retried() {
        for err in [
            ureq::Error::BadUri("no host".into()),
            ureq::Error::RequireHttpsOnly("http://x".into()),
            ureq::Error::InvalidProxyUrl,
            ureq::Error::Tls("Rustls invalid dns name error"),
            ureq::Error::TlsRequired,
        ] {
            let err = classify(err, true);
            assert_eq!(err.kind(), TransportErrorKind::Config, "{err}");
            assert!(!err.may_have_been_sent(), "{err}");
            assert!(!err.is_retryable(), "{err}");
        }
        let refused = ureq::http::Request::builder()
            .header("x", "bad\nvalue")
            .body(())
            .map_err(invalid_request)
            .unwrap_err();
        assert_eq!(refused.kind(), TransportErrorKind::Config);
        assert!(!refused.is_retryable());
        assert!(std::error::Error::source(&refused).is_some());
    }

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.8.9.10",
            "[::1]",
            "::1",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "api.clerk.com",
            "10.0.0.1",
            "[::2]",
            "127.0.0.1.nip.io",
            "localhost.evil",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn the_proxy_password_is_hidden_in_debug() {
        let builder = UreqTransport::builder().proxy("http://user:hunter2@proxy.example:3128");
        let shown = format!("{builder:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(
            shown.contains("http://<redacted>@proxy.example:3128"),
            "{shown}"
        );
        assert_eq!(
            without_userinfo("http://proxy.example:3128/a@b"),
            "http://proxy.example:3128/a@b"
        );
    }

    #[test]
    fn an_invalid_proxy_fails_every_request_unsent() {
        let builder = UreqTransport::builder().proxy("http://[bad");
        assert_eq!(builder.check().unwrap_err().field(), "proxy");
        let transport = builder.build();
        let request = HttpRequest {
            operation: Operation::List,
            method: Method::Get,
            url: "http://127.0.0.1:9/v1".into(),
            headers: Vec::new(),
            body: None,
            time_left: None,
        };
        let err = transport.send(&request).unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Config);
        assert!(!err.may_have_been_sent());
    }

    #[test]
    fn a_refused_connection_was_not_sent() {
        let err = classify(
            ureq::Error::Io(io::Error::from(io::ErrorKind::ConnectionRefused)),
            false,
        );
        assert_eq!(err.kind(), TransportErrorKind::Connect);
        assert!(!err.may_have_been_sent());
    }
}
