//! Errors, sorted by the stage at which a call failed.
//!
//! | stage | variant | was the request sent? |
//! |---|---|---|
//! | building or validating the request | [`Error::InvalidRequest`] | never |
//! | waiting for the rate limit | [`Error::RateLimited`] | no (this attempt) |
//! | talking to the server | [`Error::Transport`] | see [`TransportError::may_have_been_sent`] |
//! | a 2xx whose body is over the transport's cap | [`Error::ResponseTooLarge`] | yes |
//! | the server answered with Clerk's error JSON | [`Error::Api`] | yes |
//! | the server answered with something else | [`Error::UnexpectedResponse`] | yes |
//! | a 2xx whose body does not fit the model | [`Error::Decode`] | yes |
//!
//! No error's `Display` repeats its [`source`](std::error::Error::source): printing an error
//! and then each source in turn shows every message once. Text that comes from the server
//! (Clerk's messages, codes and trace id, an unreadable body, a transport's message) is shown
//! with control characters escaped and cut to a bounded length, so that an answer cannot forge
//! log lines or flood a terminal.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::memberships::Operation;
use crate::models::Metadata;
use crate::transport::Method;

/// How many bytes of an unreadable response body [`Error::UnexpectedResponse`] keeps.
pub(crate) const BODY_SNIPPET_LIMIT: usize = 512;
/// How many bytes of the decoder's message [`Error::Decode`] keeps.
pub(crate) const DECODE_DETAIL_LIMIT: usize = 160;
/// Largest error body read as Clerk's error JSON; a larger one is shown as a snippet. Clerk's
/// error answers are a few hundred bytes, so this only stops a hostile body from becoming
/// millions of [`ClerkError`]s.
pub(crate) const MAX_ERROR_JSON: usize = 64 * 1024;
/// How many of Clerk's errors the `Display` of an [`ApiError`] lists; all are kept in
/// [`ApiError::errors`].
const DISPLAYED_ERRORS: usize = 3;
/// How many bytes of Clerk's trace id the `Display` of an [`ApiError`] shows (real ones are 32).
const DISPLAYED_TRACE_ID: usize = 128;

/// A request could not be built: a required field is missing or a value is certainly invalid.
///
/// Returned by every `build()` of this crate (operations and [`ClientBuilder`](crate::ClientBuilder)).
/// A `BuildError` is raised before anything is sent.
///
/// ```
/// use clerk_memberships::{BuildError, ListMemberships};
///
/// let err = ListMemberships::builder().build().unwrap_err();
/// assert_eq!(err, BuildError::MissingField("organization_id"));
/// assert_eq!(err.to_string(), "missing required field `organization_id`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A required field was never set.
    #[error("missing required field `{0}`")]
    MissingField(&'static str),
    /// A field was set to a value that the API certainly rejects.
    #[error("invalid `{field}`: {rule}")]
    InvalidField {
        /// The field's name, as the builder's setter spells it.
        field: &'static str,
        /// The rule the value broke, in words.
        rule: String,
    },
}

impl BuildError {
    /// The name of the field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            BuildError::MissingField(field) | BuildError::InvalidField { field, .. } => field,
        }
    }

    pub(crate) fn invalid(field: &'static str, rule: impl Into<String>) -> Self {
        BuildError::InvalidField {
            field,
            rule: rule.into(),
        }
    }
}

/// Whether a request that failed in transport may have reached the server.
///
/// This is what decides whether repeating a write is safe.
///
/// ```
/// use clerk_memberships::{Delivery, TransportError, TransportErrorKind};
///
/// let refused = TransportError::not_sent(TransportErrorKind::Connect, "connection refused");
/// assert_eq!(refused.delivery(), Delivery::NotSent); // safe to send a create again
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// The request certainly did not reach the server (for example the connection was refused).
    NotSent,
    /// The request may have reached the server and may have been processed
    /// (for example a timeout while waiting for the answer).
    MaybeSent,
}

/// What went wrong in transport.
///
/// The [`Delivery`] each kind comes with, as [`UreqTransport`](crate::UreqTransport) reports
/// it, is part of each variant's description.
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
/// server ([`delivery`](Self::delivery)) and whether trying again can help
/// ([`is_retryable`](Self::is_retryable)). Custom transports build one with
/// [`TransportError::not_sent`] or [`TransportError::maybe_sent`], and attach the underlying
/// error with [`with_source`](Self::with_source).
///
/// Its `Display` shows the kind, the delivery and the message (control characters escaped, at
/// most 512 bytes of it), never the source's text: that is the next link of
/// the [`source`](std::error::Error::source) chain.
///
/// ```
/// use clerk_memberships::{Delivery, TransportError, TransportErrorKind};
///
/// let err = TransportError::not_sent(TransportErrorKind::Connect, "connection refused");
/// assert_eq!(err.delivery(), Delivery::NotSent);
/// assert!(!err.may_have_been_sent());
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
    pub fn new(kind: TransportErrorKind, delivery: Delivery, message: impl Into<String>) -> Self {
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
    /// status. The client turns it into [`Error::ResponseTooLarge`].
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

    /// Whether the request may have reached the server.
    pub fn delivery(&self) -> Delivery {
        self.delivery
    }

    /// `true` unless the request certainly did not reach the server.
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

/// One entry of the `errors` array of Clerk's error JSON.
///
/// Fields the server leaves out decode as empty strings (`code`, `message`, `long_message`) or
/// `None` (`meta`), so that an error answer is never lost to a missing field.
///
/// It is `#[non_exhaustive]`: to make one in a test, start from `ClerkError::default()` and
/// set its fields, or decode it from JSON.
///
/// ```
/// use clerk_memberships::ClerkError;
///
/// let error: ClerkError = serde_json::from_str(
///     r#"{"code":"form_param_value_invalid","message":"is invalid","meta":{"param_name":"limit"}}"#,
/// )?;
/// assert_eq!(error.code, "form_param_value_invalid");
/// assert_eq!(error.long_message, "", "a field left out decodes as empty");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClerkError {
    /// A stable, machine-readable code, e.g. `resource_not_found` or `form_param_value_invalid`.
    #[serde(default)]
    pub code: String,
    /// A short message, e.g. `is invalid`.
    #[serde(default)]
    pub message: String,
    /// A longer, human-readable explanation.
    #[serde(default)]
    pub long_message: String,
    /// Extra details, e.g. `{"param_name": "limit"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Metadata>,
}

/// Clerk's error JSON, as sent with any non-2xx status.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct ClerkErrors {
    pub errors: Vec<ClerkError>,
    #[serde(default)]
    pub meta: Option<Metadata>,
    #[serde(default)]
    pub clerk_trace_id: Option<String>,
}

/// A non-2xx answer that carried Clerk's error JSON.
///
/// ```
/// use clerk_memberships::Error;
///
/// fn explain(err: &Error) {
///     if let Some(api) = err.api_error() {
///         eprintln!("status {}, trace id {:?}", api.status, api.clerk_trace_id);
///         for clerk in &api.errors {
///             eprintln!("  {}: {}", clerk.code, clerk.long_message);
///         }
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// Every error Clerk listed, in order.
    pub errors: Vec<ClerkError>,
    /// The top-level `meta` object, when present.
    pub meta: Option<Metadata>,
    /// Clerk's trace id, to quote when contacting Clerk support.
    pub clerk_trace_id: Option<String>,
    /// How long the server asked the client to wait (`Retry-After`), when present.
    pub retry_after: Option<Duration>,
}

impl ApiError {
    pub(crate) fn new(status: u16, body: ClerkErrors, retry_after: Option<Duration>) -> Self {
        ApiError {
            status,
            errors: body.errors,
            meta: body.meta,
            clerk_trace_id: body.clerk_trace_id,
            retry_after,
        }
    }
}

/// Shows the status, the first few of Clerk's errors (long message, else message, and code) and
/// the trace id. Clerk's text is shown with control characters escaped; the errors take at most
/// 512 bytes and the trace id at most 128, each ending in `…` when cut.
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "clerk api error (status {})", self.status)?;
        let mut out = Clipped::new(f, BODY_SNIPPET_LIMIT);
        for (i, error) in self.errors.iter().take(DISPLAYED_ERRORS).enumerate() {
            let text = if error.long_message.is_empty() {
                &error.message
            } else {
                &error.long_message
            };
            out.text(if i == 0 { ": " } else { "; " })?;
            out.text(text)?;
            out.text(" [")?;
            out.text(&error.code)?;
            out.text("]")?;
        }
        if let Some(more) = self
            .errors
            .len()
            .checked_sub(DISPLAYED_ERRORS)
            .filter(|n| *n > 0)
        {
            out.text(&format!("; and {more} more"))?;
        }
        if let Some(trace) = &self.clerk_trace_id {
            f.write_str(" (trace id ")?;
            Clipped::new(f, DISPLAYED_TRACE_ID).text(trace)?;
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// Writes text with control characters escaped, up to a budget of output bytes, then `…` once
/// and nothing more.
struct Clipped<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    left: usize,
    cut: bool,
}

impl<'a, 'b> Clipped<'a, 'b> {
    fn new(f: &'a mut fmt::Formatter<'b>, budget: usize) -> Self {
        Clipped {
            f,
            left: budget,
            cut: false,
        }
    }

    fn text(&mut self, text: &str) -> fmt::Result {
        use fmt::Write;
        for c in text.chars() {
            if self.cut {
                return Ok(());
            }
            let len = escaped_len(c);
            if len > self.left {
                self.cut = true;
                return self.f.write_char('…');
            }
            self.left -= len;
            write_escaped(self.f, c)?;
        }
        Ok(())
    }
}

/// Characters that must not reach a terminal or log as they are: control characters (CR, LF,
/// ESC, …) and the invisible marks that reorder text (bidirectional overrides and isolates).
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escaped_len(c: char) -> usize {
    if c.is_control() {
        c.escape_debug().len()
    } else if needs_escape(c) {
        c.escape_unicode().len()
    } else {
        c.len_utf8()
    }
}

/// Writes `c`, escaped as Rust would (`\n`, `\r`, `\u{1b}`) when it [needs it](needs_escape).
pub(crate) fn write_escaped(f: &mut dyn fmt::Write, c: char) -> fmt::Result {
    if c.is_control() {
        write!(f, "{}", c.escape_debug())
    } else if needs_escape(c) {
        write!(f, "{}", c.escape_unicode())
    } else {
        f.write_char(c)
    }
}

/// Everything that can go wrong with a call, by the stage at which it failed.
///
/// The HTTP status is never lost: [`Error::status`] returns it for every answer the server gave.
///
/// ```
/// use clerk_memberships::{Client, Error, UpdateMembership};
/// use clerk_memberships::testing::MockTransport;
///
/// let mock = MockTransport::new();
/// mock.push_json(404, r#"{"errors":[{"code":"resource_not_found","message":"not found","long_message":"Resource not found"}]}"#);
/// let client = Client::builder().secret_key("sk_test_123").transport(mock).build()?;
///
/// let err = UpdateMembership::builder()
///     .organization_id("org_1")
///     .user_id("user_nobody")
///     .role("org:admin")
///     .build()?
///     .send(&client)
///     .unwrap_err();
/// assert!(err.is_not_found());
/// assert_eq!(err.status(), Some(404));
/// assert_eq!(err.clerk_codes().collect::<Vec<_>>(), ["resource_not_found"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request was invalid and was never sent.
    ///
    /// Its `Display` includes the [`BuildError`]'s, so it has no
    /// [`source`](std::error::Error::source).
    #[non_exhaustive]
    InvalidRequest {
        /// The field at fault and the rule it broke.
        error: BuildError,
        /// The call, when the request was refused while it was rendered for sending;
        /// `None` for an error of `build()`. See [`Error::operation`].
        call: Option<Box<Call>>,
    },

    /// The transport failed; [`TransportError::may_have_been_sent`] says whether the
    /// server may have seen the request.
    ///
    /// Its `Display` is the [`TransportError`]'s, and its
    /// [`source`](std::error::Error::source) is the transport error's source (e.g. the
    /// underlying I/O error); [`Error::transport_error`] returns the transport error itself.
    #[non_exhaustive]
    Transport {
        /// What went wrong.
        source: TransportError,
        /// How many times the request was tried.
        attempts: u32,
        /// The call that failed; see [`Error::operation`].
        call: Option<Box<Call>>,
    },

    /// The request was not sent: the client's rate limiter, or a `Retry-After` the server gave
    /// on an earlier 429, asked for a wait that would end past the retry deadline.
    #[non_exhaustive]
    RateLimited {
        /// How long until a request may be sent.
        wait: Duration,
        /// How many times the request was sent before the wait: always 0 today, since only the
        /// first attempt can be held back this way (a retry that would wait past the deadline
        /// returns the previous attempt's error instead).
        attempts: u32,
        /// The call that failed; see [`Error::operation`].
        call: Option<Box<Call>>,
    },

    /// The server answered with a non-2xx status and Clerk's error JSON (a body over 64 KiB
    /// is not read as JSON: it is [`Error::UnexpectedResponse`]).
    #[non_exhaustive]
    Api {
        /// The status, Clerk's errors, trace id and `Retry-After`.
        error: Box<ApiError>,
        /// How many times the request was tried.
        attempts: u32,
        /// The call that failed; see [`Error::operation`].
        call: Option<Box<Call>>,
    },

    /// The server answered with a non-2xx status and a body that is not Clerk's error JSON
    /// (an HTML page from a proxy, an empty body, …), or one over 64 KiB.
    ///
    /// Its `Display` quotes the snippet with control characters escaped.
    #[non_exhaustive]
    UnexpectedResponse {
        /// The HTTP status.
        status: u16,
        /// The start of the body (at most 512 bytes), lossily decoded as UTF-8.
        body_snippet: String,
        /// How long the server asked the client to wait (`Retry-After`), when present.
        retry_after: Option<Duration>,
        /// How many times the request was tried.
        attempts: u32,
        /// The call that failed; see [`Error::operation`].
        call: Option<Box<Call>>,
    },

    /// The server answered with a success status, but the body is larger than the transport's
    /// cap ([`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body)), so
    /// it was not read further. The request was processed; it is not retried.
    ///
    /// An error answer over the cap is not this: it is kept, cut to the cap, and becomes
    /// [`Error::Api`] or [`Error::UnexpectedResponse`] with its status.
    #[non_exhaustive]
    ResponseTooLarge {
        /// The HTTP status.
        status: u16,
        /// The cap the body was over, in bytes.
        cap: u64,
        /// How many times the request was tried.
        attempts: u32,
        /// The call that failed; see [`Error::operation`].
        call: Option<Box<Call>>,
    },

    /// While paging, the server answered a page made only of memberships (or users, for
    /// [`ListUsers`](crate::ListUsers), or roles, for
    /// [`ListOrganizationRoles`](crate::ListOrganizationRoles)) already on the two pages
    /// before it, instead of advancing; paging stopped rather than loop.
    #[non_exhaustive]
    PageNotAdvancing {
        /// The offset that was requested.
        offset: u64,
        /// The call that failed; see [`Error::operation`].
        call: Option<Box<Call>>,
    },

    /// [`ListMemberships::collect_all`](crate::ListMemberships::collect_all) found more
    /// matching memberships than the caller's cap.
    #[non_exhaustive]
    TooManyMemberships {
        /// The caller's cap.
        cap: usize,
        /// How many memberships the server reports.
        total_count: i64,
        /// The call that failed; see [`Error::operation`].
        call: Option<Box<Call>>,
    },

    /// The server answered 2xx with a body that does not match the expected model.
    #[non_exhaustive]
    Decode {
        /// The name of the model that was expected, e.g. `OrganizationMembership`.
        model: &'static str,
        /// The HTTP status.
        status: u16,
        /// Where and how the JSON did not match: the decoder's message, cut to
        /// 160 bytes (it can quote values from the body).
        detail: String,
        /// How many times the request was tried.
        attempts: u32,
        /// The call that failed; see [`Error::operation`].
        call: Option<Box<Call>>,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(call) = self.operation() {
            write!(f, "{call}: ")?;
        }
        match self {
            Error::InvalidRequest { error, .. } => write!(f, "invalid request: {error}"),
            Error::Transport { source, .. } => fmt::Display::fmt(source, f),
            Error::RateLimited { wait, .. } => write!(
                f,
                "rate limited: not sent, the next send is allowed in {wait:?}, past the deadline"
            ),
            Error::Api { error, .. } => fmt::Display::fmt(error, f),
            Error::UnexpectedResponse {
                status,
                body_snippet,
                ..
            } => write!(f, "unexpected response (status {status}): {body_snippet:?}"),
            Error::ResponseTooLarge { status, cap, .. } => write!(
                f,
                "response too large: the body of the {status} answer exceeds the cap of {cap} bytes"
            ),
            Error::PageNotAdvancing { offset, call } => {
                let seen = match call.as_deref().map(Call::operation) {
                    Some(Operation::ListUsers) => "users",
                    Some(Operation::ListOrganizationRoles) => "roles",
                    Some(Operation::ListInvitations) => "invitations",
                    _ => "memberships",
                };
                write!(
                    f,
                    "pagination stopped: the page at offset {offset} holds only {seen} already seen"
                )
            }
            Error::TooManyMemberships {
                cap, total_count, ..
            } => write!(
                f,
                "{total_count} memberships match, more than the cap of {cap}"
            ),
            Error::Decode {
                model,
                status,
                detail,
                ..
            } => {
                write!(f, "could not decode {model} from a {status} response: ")?;
                // The decoder's message can quote names and values from the body.
                Clipped::new(f, DECODE_DETAIL_LIMIT + 1).text(detail)
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // The transport error's own text is this error's `Display`: the chain goes on
            // with what lies beneath it.
            Error::Transport { source, .. } => std::error::Error::source(source),
            _ => None,
        }
    }
}

impl From<BuildError> for Error {
    fn from(error: BuildError) -> Self {
        Error::InvalidRequest { error, call: None }
    }
}

impl Error {
    /// The HTTP status, for every error where the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { error, .. } => Some(error.status),
            Error::UnexpectedResponse { status, .. }
            | Error::ResponseTooLarge { status, .. }
            | Error::Decode { status, .. } => Some(*status),
            Error::InvalidRequest { .. }
            | Error::Transport { .. }
            | Error::RateLimited { .. }
            | Error::PageNotAdvancing { .. }
            | Error::TooManyMemberships { .. } => None,
        }
    }

    /// `true` for a 404 answer.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// `true` for a 429 answer, or a request held back by the client's own rate limiting.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429) || matches!(self, Error::RateLimited { .. })
    }

    /// How long the server asked the client to wait (`Retry-After`), when it said so; for
    /// [`Error::RateLimited`], how long until the client would send.
    ///
    /// A `Retry-After` is read as delay-seconds or an HTTP-date in any of the three formats of
    /// RFC 9110, and capped at one hour: the most the client itself ever waits for one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api { error, .. } => error.retry_after,
            Error::UnexpectedResponse { retry_after, .. } => *retry_after,
            Error::RateLimited { wait, .. } => Some(*wait),
            _ => None,
        }
    }

    /// The Clerk error details, for [`Error::Api`].
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The `code` of every Clerk error in the answer (none unless [`Error::Api`]).
    pub fn clerk_codes(&self) -> impl Iterator<Item = &str> {
        self.api_error()
            .into_iter()
            .flat_map(|error| error.errors.iter().map(|e| e.code.as_str()))
    }

    /// Clerk's trace id, when the answer carried one.
    pub fn clerk_trace_id(&self) -> Option<&str> {
        self.api_error()?.clerk_trace_id.as_deref()
    }

    /// `true` when Clerk answered that the user already is a member of the organization
    /// ([`ALREADY_A_MEMBER`], from [`CreateMembership`](crate::CreateMembership)).
    pub fn is_already_member(&self) -> bool {
        self.has_code(ALREADY_A_MEMBER)
    }

    /// `true` when Clerk answered that the organization has no room for another member
    /// ([`MEMBERSHIP_QUOTA_EXCEEDED`], from [`CreateMembership`](crate::CreateMembership)).
    pub fn is_quota_exceeded(&self) -> bool {
        self.has_code(MEMBERSHIP_QUOTA_EXCEEDED)
    }

    /// `true` when any of Clerk's errors in the answer has this `code`.
    ///
    /// ```
    /// use clerk_memberships::{Error, RESOURCE_NOT_FOUND};
    ///
    /// fn gone(err: &Error) -> bool {
    ///     err.has_code(RESOURCE_NOT_FOUND)
    /// }
    /// ```
    pub fn has_code(&self, code: &str) -> bool {
        self.clerk_codes().any(|c| c == code)
    }

    /// The [`BuildError`] of a request that was refused before sending, for
    /// [`Error::InvalidRequest`].
    pub fn build_error(&self) -> Option<&BuildError> {
        match self {
            Error::InvalidRequest { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Which call failed: the operation, its method and its path below the base URL (no
    /// query string, which can hold email addresses). Every error from `send` and from the
    /// pagers has it; `None` for an error raised before any operation existed (a `build()`
    /// turned into an [`Error`] by `?`).
    ///
    /// ```
    /// use clerk_memberships::{Method, Operation, UpdateMembership};
    /// use clerk_memberships::testing::MockTransport;
    ///
    /// let mock = MockTransport::new();
    /// mock.push_json(404, r#"{"errors":[{"code":"resource_not_found","message":"not found"}]}"#);
    /// let err = UpdateMembership::builder()
    ///     .organization_id("org_1")
    ///     .user_id("user_1")
    ///     .role("org:admin")
    ///     .build()?
    ///     .send(&mock.client())
    ///     .unwrap_err();
    /// let call = err.operation().unwrap();
    /// assert_eq!(call.operation(), Operation::Update);
    /// assert_eq!(call.method(), Method::Patch);
    /// assert_eq!(call.path(), "/organizations/org_1/memberships/user_1");
    /// assert!(err.to_string().starts_with(
    ///     "update membership (PATCH /organizations/org_1/memberships/user_1): clerk api error (status 404)"
    /// ));
    /// # Ok::<(), clerk_memberships::BuildError>(())
    /// ```
    pub fn operation(&self) -> Option<&Call> {
        match self {
            Error::InvalidRequest { call, .. }
            | Error::Transport { call, .. }
            | Error::RateLimited { call, .. }
            | Error::Api { call, .. }
            | Error::UnexpectedResponse { call, .. }
            | Error::ResponseTooLarge { call, .. }
            | Error::PageNotAdvancing { call, .. }
            | Error::TooManyMemberships { call, .. }
            | Error::Decode { call, .. } => call.as_deref(),
        }
    }

    /// This error, said of `call` (unless it already names one).
    pub(crate) fn in_call(mut self, of: &Call) -> Error {
        let (Error::InvalidRequest { call, .. }
        | Error::Transport { call, .. }
        | Error::RateLimited { call, .. }
        | Error::Api { call, .. }
        | Error::UnexpectedResponse { call, .. }
        | Error::ResponseTooLarge { call, .. }
        | Error::PageNotAdvancing { call, .. }
        | Error::TooManyMemberships { call, .. }
        | Error::Decode { call, .. }) = &mut self;
        if call.is_none() {
            *call = Some(Box::new(of.clone()));
        }
        self
    }

    /// The transport failure, for [`Error::Transport`].
    pub fn transport_error(&self) -> Option<&TransportError> {
        match self {
            Error::Transport { source, .. } => Some(source),
            _ => None,
        }
    }

    /// How many times the request was sent (or tried) before this error was returned.
    ///
    /// `0` where no single request is at fault: [`Error::InvalidRequest`], which never reaches
    /// the transport, and the pagination errors.
    pub fn attempts(&self) -> u32 {
        match self {
            Error::InvalidRequest { .. }
            | Error::PageNotAdvancing { .. }
            | Error::TooManyMemberships { .. } => 0,
            Error::Transport { attempts, .. }
            | Error::RateLimited { attempts, .. }
            | Error::Decode { attempts, .. }
            | Error::Api { attempts, .. }
            | Error::UnexpectedResponse { attempts, .. }
            | Error::ResponseTooLarge { attempts, .. } => *attempts,
        }
    }

    /// The error a call ends with when its last attempt failed in transport: a 2xx over the
    /// body cap keeps its status as [`Error::ResponseTooLarge`], anything else is
    /// [`Error::Transport`].
    pub(crate) fn from_transport(source: TransportError, attempts: u32) -> Error {
        match (source.kind(), source.status(), source.body_cap()) {
            (TransportErrorKind::BodyTooLarge, Some(status), Some(cap)) => {
                Error::ResponseTooLarge {
                    status,
                    cap,
                    attempts,
                    call: None,
                }
            }
            _ => Error::Transport {
                source,
                attempts,
                call: None,
            },
        }
    }
}

/// Clerk's code for a create whose user already is a member of the organization (400),
/// as [`Error::is_already_member`] tests it.
pub const ALREADY_A_MEMBER: &str = "already_a_member_in_organization";
/// Clerk's code for a create in an organization that has no room for another member (403),
/// as [`Error::is_quota_exceeded`] tests it.
pub const MEMBERSHIP_QUOTA_EXCEEDED: &str = "organization_membership_quota_exceeded";
/// Clerk's code for an organization, user or membership that does not exist (404).
pub const RESOURCE_NOT_FOUND: &str = "resource_not_found";

/// Which call an error came from: the operation, its method and its path below the base URL,
/// without the query string. Its `Display` begins every such error's message, e.g.
/// `update membership (PATCH /organizations/org_1/memberships/user_1)`.
///
/// See [`Error::operation`].
///
/// ```
/// use clerk_memberships::{DeleteMembership, Method};
/// use clerk_memberships::testing::MockTransport;
///
/// let mock = MockTransport::new();
/// mock.push_json(404, r#"{"errors":[{"code":"resource_not_found"}]}"#);
/// let err = DeleteMembership::builder()
///     .organization_id("org_1")
///     .user_id("user_1")
///     .build()?
///     .send(&mock.client())
///     .unwrap_err();
/// let call = err.operation().unwrap();
/// assert_eq!(call.method(), Method::Delete);
/// assert_eq!(call.to_string(), "delete membership (DELETE /organizations/org_1/memberships/user_1)");
/// # Ok::<(), clerk_memberships::BuildError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    operation: Operation,
    path: String,
}

impl Call {
    pub(crate) fn new(operation: Operation, path: String) -> Self {
        Call { operation, path }
    }

    /// The operation.
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.operation.method()
    }

    /// The path below the base URL, ids percent-encoded, e.g.
    /// `/organizations/org_1/memberships/user_1`.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.operation {
            Operation::Create => "create membership",
            Operation::List => "list memberships",
            Operation::Update => "update membership",
            Operation::Delete => "delete membership",
            Operation::UpdateMetadata => "update membership metadata",
            Operation::ListUsers => "list users",
            Operation::ListOrganizationRoles => "list organization roles",
            Operation::CreateInvitation => "create invitation",
            Operation::BulkCreateInvitations => "bulk create invitations",
            Operation::ListInvitations => "list invitations",
            Operation::GetInvitation => "get invitation",
            Operation::RevokeInvitation => "revoke invitation",
        };
        write!(f, "{what} ({} {})", self.method(), self.path)
    }
}

/// The first [`BODY_SNIPPET_LIMIT`] bytes of `body`, as text.
pub(crate) fn body_snippet(body: &[u8]) -> String {
    snippet(body, BODY_SNIPPET_LIMIT)
}

/// At most `limit` bytes from the start of `bytes`, as text, never splitting a character,
/// with `…` when something was cut.
pub(crate) fn snippet(bytes: &[u8], limit: usize) -> String {
    let Some(cut) = bytes.get(..limit).filter(|_| bytes.len() > limit) else {
        return String::from_utf8_lossy(bytes).into_owned();
    };
    let cut = &cut[..cut.len() - split_char_len(cut)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    text.push('…');
    text
}

/// How many bytes at the end of `bytes` are the start of a UTF-8 character whose remaining
/// bytes are missing (0 when the last character is complete).
fn split_char_len(bytes: &[u8]) -> usize {
    for (i, &byte) in bytes.iter().rev().take(3).enumerate() {
        if byte & 0xC0 == 0x80 {
            continue; // a continuation byte: look further back for the start
        }
        let needed = match byte {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1,
        };
        return if needed > i + 1 { i + 1 } else { 0 };
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decode_detail_is_shown_escaped_and_bounded() {
        let err = Error::Decode {
            model: "OrganizationMembership",
            status: 200,
            detail: format!("unknown field `x\u{1b}[31m\r\n`{}", "y".repeat(1000)),
            attempts: 1,
            call: None,
        };
        let shown = err.to_string();
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert!(shown.contains(r"x\u{1b}[31m\r\n"), "{shown}");
        assert!(shown.ends_with('…'), "{shown}");
        assert!(shown.len() < 300, "{}", shown.len());
    }
}
