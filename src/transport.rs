//! The transport seam: a fully rendered request in, status + headers + body out, or a
//! [`TransportError`] that says whether the request may have reached the server.
//!
//! [`UreqTransport`](crate::UreqTransport) (in `ureq_transport`) is the default. Anything that
//! implements [`Transport`] can take its place: a proxy-aware client, a recorder, or the test
//! doubles in [`testing`](crate::testing).
//!
//! ```
//! use clerk_memberships::{
//!     Client, HttpRequest, HttpResponse, Transport, TransportError, UreqTransport,
//! };
//!
//! /// Logs every call, then hands it to the default transport.
//! struct Logged(UreqTransport);
//!
//! impl Transport for Logged {
//!     fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
//!         eprintln!("-> {} {}", request.method(), request.url());
//!         let response = self.0.send(request)?;
//!         eprintln!("<- {}", response.status());
//!         Ok(response)
//!     }
//! }
//!
//! let client = Client::builder()
//!     .secret_key("sk_test_123")
//!     .transport(Logged(UreqTransport::new()))
//!     .build()?;
//! # Ok::<(), clerk_memberships::BuildError>(())
//! ```

use std::fmt;
use std::time::Duration;

use crate::call::{Method, Operation};
use crate::text::{BODY_SNIPPET_LIMIT, Clipped};

/// A blocking HTTP transport.
///
/// Implementations send the request as given and return whatever the server answered, whatever
/// its status: turning statuses into errors is the [`Client`](crate::Client)'s job. A failure to
/// get an answer is a [`TransportError`] that says whether the request may have reached the
/// server: [`TransportError::not_sent`] only when it certainly did not (the connection was never
/// made), since that is what allows a `create` to be retried. A transport should give up once
/// [`HttpRequest::time_left`] has passed, and should cap the bodies it reads.
///
/// A transport that answers every request itself, e.g. for a dry run:
///
/// ```
/// use clerk_memberships::{Client, HttpRequest, HttpResponse, Transport, TransportError};
///
/// struct DryRun;
///
/// impl Transport for DryRun {
///     fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
///         eprintln!("would send {} {}", request.method(), request.path_and_query());
///         Ok(HttpResponse::new(503, "dry run"))
///     }
/// }
///
/// let client = Client::builder().secret_key("sk_test_123").transport(DryRun).build()?;
/// # Ok::<(), clerk_memberships::BuildError>(())
/// ```
pub trait Transport: Send + Sync {
    /// Sends one request and returns the server's answer.
    ///
    /// # Errors
    ///
    /// A [`TransportError`] when no complete answer was received.
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError>;
}

impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        (**self).send(request)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        (**self).send(request)
    }
}

/// A request header's value, shared between the client that renders requests and every
/// request it renders, so that rendering copies no header strings.
pub(crate) type HeaderValue = std::sync::Arc<str>;

/// A fully rendered request, as a [`Transport`] receives it.
///
/// Its `Debug` output hides the `Authorization` header.
///
/// Two requests are equal when they would put the same bytes on the wire: the per-attempt
/// [`time_left`](Self::time_left) is not compared.
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::{ListMemberships, Method};
///
/// let request = ListMemberships::builder()
///     .organization_id("org_1")
///     .role("org:admin")
///     .role("org:member")
///     .build()?
///     .render(&client)?;
/// assert_eq!(request.method(), Method::Get);
/// assert_eq!(
///     request.path_and_query(),
///     "/v1/organizations/org_1/memberships?role=org%3Aadmin&role=org%3Amember"
/// );
/// assert!(!format!("{request:?}").contains("sk_test"), "Debug hides the key");
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Clone)]
pub struct HttpRequest {
    pub(crate) operation: Operation,
    pub(crate) method: Method,
    pub(crate) url: String,
    pub(crate) headers: Vec<(&'static str, HeaderValue)>,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) time_left: Option<Duration>,
}

impl HttpRequest {
    /// Which operation this request performs.
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The absolute URL, path segments and query already percent-encoded.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The path and query part of the URL (everything after the authority), e.g.
    /// `/v1/organizations/org_1/memberships?limit=10`.
    pub fn path_and_query(&self) -> &str {
        let after_scheme = self.url.find("://").map_or(0, |i| i + 3);
        self.url[after_scheme..]
            .find('/')
            .map_or("/", |i| &self.url[after_scheme + i..])
    }

    /// The headers to send, names in lowercase.
    ///
    /// They include `Authorization: Bearer <secret key>`: log a request with its `Debug`
    /// output, which hides that header, never by printing these.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(k, v)| (*k, &**v))
    }

    /// The value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(self.headers(), name)
    }

    /// The JSON body, if the operation has one.
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// How long this attempt may take at most: what is left of the call's retry deadline
    /// ([`RetryPolicy::deadline`](crate::RetryPolicy::deadline)). A transport should give up by
    /// then, as [`UreqTransport`](crate::UreqTransport) does; `None` outside a call (e.g. from `render`), and for the
    /// first attempt of a call whose deadline is zero (the request timeout applies then).
    pub fn time_left(&self) -> Option<Duration> {
        self.time_left
    }
}

impl PartialEq for HttpRequest {
    fn eq(&self, other: &Self) -> bool {
        self.operation == other.operation
            && self.method == other.method
            && self.url == other.url
            && self.headers == other.headers
            && self.body == other.body
    }
}

impl Eq for HttpRequest {}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Headers<'a>(&'a [(&'static str, HeaderValue)]);
        impl fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map()
                    .entries(self.0.iter().map(|(k, v)| {
                        let shown = if k.eq_ignore_ascii_case("authorization") {
                            "<redacted>"
                        } else {
                            &**v
                        };
                        (k, shown)
                    }))
                    .finish()
            }
        }
        f.debug_struct("HttpRequest")
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &Headers(&self.headers))
            .field("body", &self.body.as_deref().map(String::from_utf8_lossy))
            .finish()
    }
}

/// A server's answer, as a [`Transport`] returns it.
///
/// ```
/// use clerk_memberships::HttpResponse;
///
/// let response = HttpResponse::new(200, r#"{"data":[],"total_count":0}"#)
///     .with_header("Content-Type", "application/json");
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.header("content-type"), Some("application/json"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl HttpResponse {
    /// An answer with a status and a body, and no headers.
    ///
    /// ```
    /// use clerk_memberships::HttpResponse;
    ///
    /// let response = HttpResponse::new(429, "{}").with_header("Retry-After", "3");
    /// assert_eq!(response.header("retry-after"), Some("3"));
    /// ```
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        HttpResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The headers, as received.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(self.headers(), name)
    }

    /// The body bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Takes the body out of the response.
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }
}

fn find_header<'a>(
    mut headers: impl Iterator<Item = (&'a str, &'a str)>,
    name: &str,
) -> Option<&'a str> {
    headers
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// Whether a request that failed in transport may have reached the server: what decides
/// whether repeating a write is safe. Callers ask
/// [`TransportError::may_have_been_sent`]; a transport says it by the constructor it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Delivery {
    /// The request certainly did not reach the server (for example the connection was refused).
    NotSent,
    /// The request may have reached the server and may have been processed
    /// (for example a timeout while waiting for the answer).
    MaybeSent,
}

/// What went wrong in transport.
///
/// Whether each kind comes with a request that may have been sent, as
/// [`UreqTransport`](crate::UreqTransport) reports it, is part of each variant's description.
///
/// ```
/// use clerk_memberships::{Error, TransportErrorKind};
///
/// fn worth_a_later_try(err: &Error) -> bool {
///     err.transport_error().is_some_and(|t| {
///         matches!(t.kind(), TransportErrorKind::Connect | TransportErrorKind::Timeout)
///     })
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made: the host name did not resolve, the connection was refused
    /// or unreachable, a proxy refused the tunnel, or the TLS handshake failed (the server sent
    /// something that is not TLS, closed the connection during the handshake, or presented a
    /// certificate that does not verify). The request was not sent.
    Connect,
    /// A timeout elapsed. While resolving or connecting (TLS handshake included) the request
    /// was not sent; while sending or waiting for the answer it may have been.
    Timeout,
    /// Reading or writing failed once the connection existed: the connection was reset or
    /// closed early. The request may have been sent.
    Io,
    /// The answer is larger than the transport accepts: its body is over the cap
    /// ([`TransportError::response_too_large`]) or its head is over the HTTP library's limit.
    /// The request was sent; it is never retried.
    BodyTooLarge,
    /// The server's answer is not valid HTTP. The request may have been sent.
    Protocol,
    /// The request cannot be sent as it stands, and trying again cannot help: a URL or header
    /// the HTTP library refuses, a proxy or TLS setting it cannot use, or an `http` URL where
    /// only `https` is allowed. The request was not sent; it is never retried.
    Config,
    /// Anything else the transport reports. The request may have been sent.
    Other,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "connect",
            TransportErrorKind::Timeout => "timeout",
            TransportErrorKind::Io => "i/o",
            TransportErrorKind::BodyTooLarge => "body too large",
            TransportErrorKind::Protocol => "protocol",
            TransportErrorKind::Config => "configuration",
            TransportErrorKind::Other => "other",
        })
    }
}

/// A request could not be completed by the [`Transport`](crate::Transport).
///
/// It says what failed ([`kind`](Self::kind)), whether the request may have reached the
/// server ([`may_have_been_sent`](Self::may_have_been_sent)) and whether trying again can help
/// ([`is_retryable`](Self::is_retryable)). Custom transports build one with
/// [`TransportError::not_sent`] or [`TransportError::maybe_sent`], and attach the underlying
/// error with [`with_source`](Self::with_source).
///
/// Its `Display` shows the kind, the delivery and the message (control characters escaped, at
/// most 512 bytes of it), never the source's text: that is the next link of
/// the [`source`](std::error::Error::source) chain.
///
/// ```
/// use clerk_memberships::{TransportError, TransportErrorKind};
///
/// let err = TransportError::not_sent(TransportErrorKind::Connect, "connection refused");
/// assert!(!err.may_have_been_sent()); // safe to send a create again
/// assert!(err.is_retryable());
/// assert_eq!(err.to_string(), "connect error (request not sent): connection refused");
/// ```
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    delivery: Delivery,
    message: String,
    /// The status of an answer whose body was over the cap.
    status: Option<u16>,
    /// The cap that body was over.
    body_cap: Option<u64>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl TransportError {
    /// A failure that certainly happened before the request reached the server.
    pub fn not_sent(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        Self::new(kind, Delivery::NotSent, message)
    }

    /// A failure after which the server may have received, and processed, the request.
    pub fn maybe_sent(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        Self::new(kind, Delivery::MaybeSent, message)
    }

    /// A failure with an explicit [`Delivery`].
    pub(crate) fn new(
        kind: TransportErrorKind,
        delivery: Delivery,
        message: impl Into<String>,
    ) -> Self {
        TransportError {
            kind,
            delivery,
            message: message.into(),
            status: None,
            body_cap: None,
            source: None,
        }
    }

    /// The server answered with `status`, but the body is larger than the transport's cap of
    /// `cap` bytes: a [`BodyTooLarge`](TransportErrorKind::BodyTooLarge) failure that keeps the
    /// status. The client turns it into [`ErrorKind::ResponseTooLarge`](crate::ErrorKind::ResponseTooLarge).
    ///
    /// ```
    /// use clerk_memberships::{TransportError, TransportErrorKind};
    ///
    /// let err = TransportError::response_too_large(200, 1024);
    /// assert_eq!(err.kind(), TransportErrorKind::BodyTooLarge);
    /// assert_eq!(err.status(), Some(200));
    /// assert_eq!(err.body_cap(), Some(1024));
    /// assert!(!err.is_retryable());
    /// ```
    pub fn response_too_large(status: u16, cap: u64) -> Self {
        let mut err = Self::maybe_sent(
            TransportErrorKind::BodyTooLarge,
            format!("the body of the {status} answer exceeds the cap of {cap} bytes"),
        );
        err.status = Some(status);
        err.body_cap = Some(cap);
        err
    }

    /// Attaches the underlying error, reachable through [`std::error::Error::source`].
    ///
    /// The message should then say what was being done, not repeat the source's text, so that
    /// a printed chain shows each message once.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// What failed.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// `true` unless the request certainly did not reach the server: a write that failed so
    /// may have been made, and is settled by reading rather than sent again.
    pub fn may_have_been_sent(&self) -> bool {
        self.delivery == Delivery::MaybeSent
    }

    /// Whether sending the same request again could succeed: `false` for
    /// [`Config`](TransportErrorKind::Config) (the request can never be sent as it stands)
    /// and [`BodyTooLarge`](TransportErrorKind::BodyTooLarge) (the answer would be as large
    /// again). The retry logic never repeats a request after such a failure.
    pub fn is_retryable(&self) -> bool {
        !matches!(
            self.kind,
            TransportErrorKind::Config | TransportErrorKind::BodyTooLarge
        )
    }

    /// The status of the answer, when the server answered but the answer could not be taken
    /// in (see [`response_too_large`](Self::response_too_large)).
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The cap, in bytes, that the answer's body was over (see
    /// [`response_too_large`](Self::response_too_large)).
    pub fn body_cap(&self) -> Option<u64> {
        self.body_cap
    }

    /// The transport's description of the failure, as given (unescaped).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let delivery = match self.delivery {
            Delivery::NotSent => "request not sent",
            Delivery::MaybeSent => "request may have been sent",
        };
        write!(f, "{} error ({delivery}): ", self.kind)?;
        Clipped::new(f, BODY_SNIPPET_LIMIT).text(&self.message)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}
