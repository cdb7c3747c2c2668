//! The blocking HTTP layer: a fully rendered request in, status + headers + body out.
//!
//! [`UreqTransport`] is the default. Anything that implements [`Transport`] can take its place:
//! a proxy-aware client, a recorder, or the test doubles in [`testing`](crate::testing).
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
use std::io::{self, Read};
use std::time::Duration;

use crate::error::{BuildError, TransportError, TransportErrorKind};
use crate::memberships::Operation;

/// Default cap on a response body: 8 MiB (a full page of 500 memberships is well under 1 MiB).
pub const DEFAULT_MAX_RESPONSE_BODY: u64 = 8 * 1024 * 1024;
/// Default time allowed to open a connection: 10 seconds.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for one attempt, from connecting to the last byte of the answer: 30 s.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A blocking HTTP transport.
///
/// Implementations send the request as given and return whatever the server answered, whatever
/// its status: turning statuses into errors is the [`Client`](crate::Client)'s job. A failure to
/// get an answer is a [`TransportError`] that says whether the request may have reached the
/// server: [`TransportError::not_sent`] only when it certainly did not (the connection was never
/// made), since that is what allows a `create` to be retried. A transport should give up once
/// [`HttpRequest::time_left`] has passed, and should cap the bodies it reads.
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

/// An HTTP method used by the memberships API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name, e.g. `"PATCH"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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
    /// then, as [`UreqTransport`] does; `None` outside a call (e.g. from `render`).
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
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

/// The default [`Transport`], built on `ureq`: one keep-alive connection pool, timeouts on
/// connecting and on each request, a cap on the response body, no redirects followed, and
/// statuses passed through untouched.
///
/// ```
/// use std::time::Duration;
/// use clerk_memberships::UreqTransport;
///
/// let transport = UreqTransport::builder()
///     .connect_timeout(Duration::from_secs(5))
///     .request_timeout(Duration::from_secs(20))
///     .max_response_body(2 * 1024 * 1024)
///     .build();
/// ```
#[derive(Clone)]
pub struct UreqTransport {
    agent: ureq::Agent,
    request_timeout: Duration,
    max_response_body: u64,
}

impl fmt::Debug for UreqTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UreqTransport")
            .field("max_response_body", &self.max_response_body)
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
#[derive(Debug, Clone)]
pub struct UreqTransportBuilder {
    connect_timeout: Duration,
    request_timeout: Duration,
    max_response_body: u64,
}

impl Default for UreqTransportBuilder {
    fn default() -> Self {
        UreqTransportBuilder {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
        }
    }
}

impl UreqTransportBuilder {
    /// Time allowed to resolve the host, and again to open a connection (TLS included).
    ///
    /// Defaults to [`DEFAULT_CONNECT_TIMEOUT`] (10 s).
    pub fn connect_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one request, from connecting to the last byte of the answer.
    ///
    /// Defaults to [`DEFAULT_REQUEST_TIMEOUT`] (30 s).
    pub fn request_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.request_timeout = timeout;
        self
    }

    /// Largest response body accepted, in bytes; a larger one fails with
    /// [`TransportErrorKind::BodyTooLarge`].
    ///
    /// Defaults to [`DEFAULT_MAX_RESPONSE_BODY`] (8 MiB).
    pub fn max_response_body(&mut self, bytes: u64) -> &mut Self {
        self.max_response_body = bytes;
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
        Ok(())
    }

    /// Builds the transport.
    pub fn build(&self) -> UreqTransport {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_resolve(Some(self.connect_timeout))
            .timeout_connect(Some(self.connect_timeout))
            .timeout_global(Some(self.request_timeout))
            .build();
        UreqTransport {
            agent: ureq::Agent::new_with_config(config),
            request_timeout: self.request_timeout,
            max_response_body: self.max_response_body,
        }
    }
}

impl UreqTransport {
    fn run<S: ureq::AsSendBody>(
        &self,
        request: Result<ureq::http::Request<S>, ureq::http::Error>,
        timeout: Duration,
    ) -> Result<ureq::http::Response<ureq::Body>, TransportError> {
        let request = request.map_err(invalid_request)?;
        let request = self
            .agent
            .configure_request(request)
            .timeout_global(Some(timeout))
            .build();
        self.agent.run(request).map_err(|err| classify(&err))
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
        // The attempt ends at the call's deadline if that comes before the request timeout.
        let timeout = request
            .time_left
            .map_or(self.request_timeout, |left| left.min(self.request_timeout));
        let mut response = match request.body.as_deref() {
            Some(body) => self.run(builder.body(body), timeout),
            None => self.run(builder.body(()), timeout),
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
        // Size the buffer from Content-Length (never beyond the cap) so that a large page is
        // read in place instead of through a series of doubling copies.
        let expected = response
            .body()
            .content_length()
            .map_or(0, |len| len.min(cap));
        let mut body = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
        response
            .body_mut()
            .with_config()
            .limit(cap.saturating_add(1))
            .reader()
            .take(cap.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(classify_io)?;
        if body.len() as u64 > cap {
            if (200..300).contains(&status) {
                return Err(TransportError::maybe_sent(
                    TransportErrorKind::BodyTooLarge,
                    format!("response body exceeds the cap of {cap} bytes"),
                ));
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

fn invalid_request(err: ureq::http::Error) -> TransportError {
    TransportError::not_sent(TransportErrorKind::Other, format!("invalid request: {err}"))
}

/// Sorts an error met while reading the body: ureq wraps its own errors in `io::Error`.
fn classify_io(err: io::Error) -> TransportError {
    match err
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<ureq::Error>())
    {
        Some(inner) => classify(inner),
        None => classify(&ureq::Error::Io(err)),
    }
}

/// Sorts a ureq error into kind and delivery: only failures that happen before a connection
/// exists count as "not sent".
fn classify(err: &ureq::Error) -> TransportError {
    use ureq::Error as E;
    use ureq::Timeout as T;
    let message = err.to_string();
    let (kind, sent) = match err {
        E::HostNotFound | E::ConnectionFailed | E::ConnectProxyFailed(_) => {
            (TransportErrorKind::Connect, false)
        }
        E::Tls(_) | E::Rustls(_) | E::TlsRequired | E::BadUri(_) | E::RequireHttpsOnly(_) => {
            (TransportErrorKind::Connect, false)
        }
        E::Timeout(T::Resolve | T::Connect) => (TransportErrorKind::Timeout, false),
        E::Timeout(_) => (TransportErrorKind::Timeout, true),
        E::Io(io) if connect_failure(io) => (TransportErrorKind::Connect, false),
        E::Io(io) if io.kind() == io::ErrorKind::TimedOut => (TransportErrorKind::Timeout, true),
        E::Io(_) | E::BodyStalled => (TransportErrorKind::Io, true),
        E::BodyExceedsLimit(_) | E::LargeResponseHeader(..) => {
            (TransportErrorKind::BodyTooLarge, true)
        }
        E::Protocol(_) | E::Decompress(..) | E::StatusCode(_) => {
            (TransportErrorKind::Protocol, true)
        }
        _ => (TransportErrorKind::Other, true),
    };
    if sent {
        TransportError::maybe_sent(kind, message)
    } else {
        TransportError::not_sent(kind, message)
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
    use crate::error::Delivery;

    #[test]
    fn a_failed_host_lookup_was_not_sent() {
        let err =
            io::Error::other("failed to lookup address information: Name or service not known");
        let err = classify(&ureq::Error::Io(err));
        assert_eq!(err.kind(), TransportErrorKind::Connect);
        assert_eq!(err.delivery(), Delivery::NotSent);
    }

    #[test]
    fn a_reset_may_have_been_sent() {
        let err = classify(&ureq::Error::Io(io::Error::from(
            io::ErrorKind::ConnectionReset,
        )));
        assert_eq!(err.kind(), TransportErrorKind::Io);
        assert_eq!(err.delivery(), Delivery::MaybeSent);
    }

    #[test]
    fn a_refused_connection_was_not_sent() {
        let err = classify(&ureq::Error::Io(io::Error::from(
            io::ErrorKind::ConnectionRefused,
        )));
        assert_eq!(err.kind(), TransportErrorKind::Connect);
        assert_eq!(err.delivery(), Delivery::NotSent);
    }
}
