//! Errors, sorted by the stage at which a call failed.
//!
//! | stage | [`ErrorKind`] | was the request sent? |
//! |---|---|---|
//! | building or validating the request | [`ErrorKind::InvalidRequest`] | never |
//! | waiting for the rate limit | [`ErrorKind::RateLimited`] | no (this attempt) |
//! | talking to the server | [`ErrorKind::Transport`] | see [`TransportError::may_have_been_sent`] |
//! | a 2xx whose body is over the transport's cap | [`ErrorKind::ResponseTooLarge`] | yes |
//! | the server answered with Clerk's error JSON | [`ErrorKind::Api`] | yes |
//! | the server answered with something else | [`ErrorKind::UnexpectedResponse`] | yes |
//! | a 2xx whose body does not fit the model | [`ErrorKind::Decode`] | yes |
//!
//! What every kind shares, the [`Call`] that failed and how many attempts it took, is kept
//! once, beside the kind, in [`Error`].
//!
//! No error's `Display` repeats its [`source`](std::error::Error::source): printing an error
//! and then each source in turn shows every message once. Text that comes from the server
//! (Clerk's messages, codes and trace id, an unreadable body, a transport's message) is shown
//! with control characters escaped and cut to a bounded length, so that an answer cannot forge
//! log lines or flood a terminal.

use std::fmt;
use std::time::Duration;

use crate::api_error::{ALREADY_A_MEMBER, ApiError, MEMBERSHIP_QUOTA_EXCEEDED};
use crate::call::{Call, Operation};
use crate::text::{Clipped, DECODE_DETAIL_LIMIT};
use crate::transport::{TransportError, TransportErrorKind};

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
///
/// # Limits
///
/// Every limit the operations' builders check, in one place (each setter and each `build()`
/// says its own). A value over one is [`InvalidField`](BuildError::InvalidField) naming the
/// field; lengths are in bytes of UTF-8.
///
/// | value | limit |
/// |---|---|
/// | an id: `organization_id`, `user_id`, `invitation_id`, `inviter_user_id`, `requesting_user_id`, each value of a `user_id` filter after its `+`/`-` | at most 256 bytes; not empty, only whitespace, `.` or `..` ([`check_id`](crate::check_id) applies this rule) |
/// | a filter value: `query` and the other `…_query` filters, `order_by`, `status`, each value of an `email_address`, `phone_number`, `username`, `web3_wallet`, `role` or `external_id` filter | at most 1024 bytes (an `external_id` after its `+`/`-`, and not empty) |
/// | an array filter: `user_id`, `email_address`, `phone_number`, `username`, `web3_wallet`, `role`, `external_id` | at most 100 values |
/// | `limit` | 1 to 500 (the pagers' default page size is 500) |
/// | `offset` | at most `i64::MAX` |
/// | `public_metadata`, `private_metadata` | a JSON object nested at most 64 levels deep (the object itself is level 1) and at most 65536 bytes as compact JSON; checked when set |
/// | the `role` a membership or an invitation gives | not empty, at most 1024 bytes (as a `role` filter value) |
/// | an invitation's `email_address` | holds an `@`, at most 1024 bytes, not empty; no whitespace (but around it), control characters or bidirectional marks |
/// | an invitation's `expires_in_days` | 1 to 365 |
/// | the `invitations` of a [`BulkCreateInvitations`](crate::BulkCreateInvitations) | 1 to 10, no address twice |
/// | the whole URL (base URL, escaped path and query) | at most 8192 bytes; checked by `send` and `render`, which return it as [`ErrorKind::InvalidRequest`] for field `url` |
///
/// Besides these, a required field must be set, and a `redirect_url` that is set must not be
/// empty.
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

/// Everything that can go wrong with a call: its [`kind`](Error::kind), by the stage at which
/// it failed, and the [`call`](Error::call) it failed in and its [`attempts`](Error::attempts).
///
/// The HTTP status is never lost: [`Error::status`] returns it for every answer the server gave.
///
/// ```
/// use clerk_memberships::{Client, Error, ErrorKind, UpdateMembership};
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
/// assert!(matches!(err.kind(), ErrorKind::Api { .. }));
/// assert_eq!(err.status(), Some(404));
/// assert_eq!(err.clerk_codes().collect::<Vec<_>>(), ["resource_not_found"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    /// How many times the request was sent (or tried); 0 where no request is at fault.
    attempts: u32,
    /// The call that failed, once it is known.
    call: Option<Box<Call>>,
}

/// What went wrong, by the stage at which a call failed: the kind of an [`Error`].
///
/// ```
/// use clerk_memberships::{Error, ErrorKind};
///
/// fn worth_retrying_later(err: &Error) -> bool {
///     matches!(err.kind(), ErrorKind::RateLimited { .. } | ErrorKind::Transport { .. })
/// }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request was invalid and was never sent.
    ///
    /// Its `Display` includes the [`BuildError`]'s, so it has no
    /// [`source`](std::error::Error::source).
    #[non_exhaustive]
    InvalidRequest {
        /// The field at fault and the rule it broke.
        error: BuildError,
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
    },

    /// The request was not sent: the client's rate limiter, or a `Retry-After` the server gave
    /// on an earlier 429, asked for a wait that would end past the retry deadline. Its
    /// [`attempts`](Error::attempts) is always 0 today, since only the first attempt can be held
    /// back this way (a retry that would wait past the deadline returns the previous attempt's
    /// error instead).
    #[non_exhaustive]
    RateLimited {
        /// How long until a request may be sent.
        wait: Duration,
    },

    /// The server answered with a non-2xx status and Clerk's error JSON (a body over 64 KiB
    /// is not read as JSON: it is [`ErrorKind::UnexpectedResponse`]).
    #[non_exhaustive]
    Api {
        /// The status, Clerk's errors, trace id and `Retry-After`.
        error: Box<ApiError>,
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
    },

    /// The server answered with a success status, but the body is larger than the transport's
    /// cap ([`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body)), so
    /// it was not read further. The request was processed; it is not retried.
    ///
    /// An error answer over the cap is not this: it is kept, cut to the cap, and becomes
    /// [`ErrorKind::Api`] or [`ErrorKind::UnexpectedResponse`] with its status.
    #[non_exhaustive]
    ResponseTooLarge {
        /// The HTTP status.
        status: u16,
        /// The cap the body was over, in bytes.
        cap: u64,
    },

    /// While paging, the server answered a page made only of memberships (or users, for
    /// [`ListUsers`](crate::ListUsers), or roles, for
    /// [`ListOrganizationRoles`](crate::ListOrganizationRoles)) already on the two pages
    /// before it, instead of advancing; paging stopped rather than loop.
    #[non_exhaustive]
    PageNotAdvancing {
        /// The offset that was requested.
        offset: u64,
    },

    /// [`ListMemberships::collect_all`](crate::ListMemberships::collect_all) found more
    /// matching memberships than the caller's cap.
    #[non_exhaustive]
    TooManyMemberships {
        /// The caller's cap.
        cap: usize,
        /// How many memberships the server reports.
        total_count: i64,
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
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(call) = self.call() {
            write!(f, "{call}: ")?;
        }
        match &self.kind {
            ErrorKind::InvalidRequest { error } => write!(f, "invalid request: {error}"),
            ErrorKind::Transport { source } => fmt::Display::fmt(source, f),
            ErrorKind::RateLimited { wait } => write!(
                f,
                "rate limited: not sent, the next send is allowed in {wait:?}, past the deadline"
            ),
            ErrorKind::Api { error } => fmt::Display::fmt(error, f),
            ErrorKind::UnexpectedResponse {
                status,
                body_snippet,
                ..
            } => write!(f, "unexpected response (status {status}): {body_snippet:?}"),
            ErrorKind::ResponseTooLarge { status, cap } => write!(
                f,
                "response too large: the body of the {status} answer exceeds the cap of {cap} bytes"
            ),
            ErrorKind::PageNotAdvancing { offset } => {
                let seen = match self.call().map(Call::operation) {
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
            ErrorKind::TooManyMemberships { cap, total_count } => write!(
                f,
                "{total_count} memberships match, more than the cap of {cap}"
            ),
            ErrorKind::Decode {
                model,
                status,
                detail,
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
        match &self.kind {
            // The transport error's own text is this error's `Display`: the chain goes on
            // with what lies beneath it.
            ErrorKind::Transport { source } => std::error::Error::source(source),
            _ => None,
        }
    }
}

impl From<BuildError> for Error {
    fn from(error: BuildError) -> Self {
        Error::new(ErrorKind::InvalidRequest { error })
    }
}

impl Error {
    /// An error of `kind`, of no call yet, after no attempt.
    pub(crate) fn new(kind: ErrorKind) -> Error {
        Error {
            kind,
            attempts: 0,
            call: None,
        }
    }

    /// This error, after `attempts` attempts.
    pub(crate) fn after(mut self, attempts: u32) -> Error {
        self.attempts = attempts;
        self
    }

    /// What went wrong, by the stage at which the call failed.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// What went wrong, taken out of the error.
    pub fn into_kind(self) -> ErrorKind {
        self.kind
    }

    /// The HTTP status, for every error where the server answered.
    pub fn status(&self) -> Option<u16> {
        match &self.kind {
            ErrorKind::Api { error } => Some(error.status),
            ErrorKind::UnexpectedResponse { status, .. }
            | ErrorKind::ResponseTooLarge { status, .. }
            | ErrorKind::Decode { status, .. } => Some(*status),
            ErrorKind::InvalidRequest { .. }
            | ErrorKind::Transport { .. }
            | ErrorKind::RateLimited { .. }
            | ErrorKind::PageNotAdvancing { .. }
            | ErrorKind::TooManyMemberships { .. } => None,
        }
    }

    /// `true` for a 404 answer.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// `true` for a 429 answer, or a request held back by the client's own rate limiting.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429) || matches!(self.kind, ErrorKind::RateLimited { .. })
    }

    /// How long the server asked the client to wait (`Retry-After`), when it said so; for
    /// [`ErrorKind::RateLimited`], how long until the client would send.
    ///
    /// A `Retry-After` is read as delay-seconds or an HTTP-date in any of the three formats of
    /// RFC 9110, and capped at one hour: the most the client itself ever waits for one.
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.kind {
            ErrorKind::Api { error } => error.retry_after,
            ErrorKind::UnexpectedResponse { retry_after, .. } => *retry_after,
            ErrorKind::RateLimited { wait } => Some(*wait),
            _ => None,
        }
    }

    /// The Clerk error details, for [`ErrorKind::Api`].
    pub fn api_error(&self) -> Option<&ApiError> {
        match &self.kind {
            ErrorKind::Api { error } => Some(error),
            _ => None,
        }
    }

    /// The `code` of every Clerk error in the answer (none unless [`ErrorKind::Api`]).
    pub fn clerk_codes(&self) -> impl Iterator<Item = &str> {
        self.api_error()
            .into_iter()
            .flat_map(|error| error.errors.iter().map(|e| e.code.as_str()))
    }

    /// Clerk's trace id, when the answer carried one.
    pub fn clerk_trace_id(&self) -> Option<&str> {
        self.api_error()?.clerk_trace_id.as_deref()
    }

    /// `true` when Clerk answered that the user already is a member of the organization: the
    /// code `"already_a_member_in_organization"` (a 400 from
    /// [`CreateMembership`](crate::CreateMembership)).
    pub fn is_already_member(&self) -> bool {
        self.has_code(ALREADY_A_MEMBER)
    }

    /// `true` when Clerk answered that the organization has no room for another member: the
    /// code `"organization_membership_quota_exceeded"` (a 403 from
    /// [`CreateMembership`](crate::CreateMembership)).
    pub fn is_quota_exceeded(&self) -> bool {
        self.has_code(MEMBERSHIP_QUOTA_EXCEEDED)
    }

    /// `true` when any of Clerk's errors in the answer has this `code`, such as
    /// `"resource_not_found"` (a 404: no such organization, user, membership or invitation).
    ///
    /// ```
    /// use clerk_memberships::Error;
    ///
    /// fn gone(err: &Error) -> bool {
    ///     err.has_code("resource_not_found")
    /// }
    /// ```
    pub fn has_code(&self, code: &str) -> bool {
        self.clerk_codes().any(|c| c == code)
    }

    /// The [`BuildError`] of a request that was refused before sending, for
    /// [`ErrorKind::InvalidRequest`].
    pub fn build_error(&self) -> Option<&BuildError> {
        match &self.kind {
            ErrorKind::InvalidRequest { error } => Some(error),
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
    /// let call = err.call().unwrap();
    /// assert_eq!(call.operation(), Operation::Update);
    /// assert_eq!(call.method(), Method::Patch);
    /// assert_eq!(call.path(), "/organizations/org_1/memberships/user_1");
    /// assert!(err.to_string().starts_with(
    ///     "update membership (PATCH /organizations/org_1/memberships/user_1): clerk api error (status 404)"
    /// ));
    /// # Ok::<(), clerk_memberships::BuildError>(())
    /// ```
    pub fn call(&self) -> Option<&Call> {
        self.call.as_deref()
    }

    /// This error, said of `call` (unless it already names one).
    pub(crate) fn in_call(mut self, of: &Call) -> Error {
        if self.call.is_none() {
            self.call = Some(Box::new(of.clone()));
        }
        self
    }

    /// The transport failure, for [`ErrorKind::Transport`].
    pub fn transport_error(&self) -> Option<&TransportError> {
        match &self.kind {
            ErrorKind::Transport { source } => Some(source),
            _ => None,
        }
    }

    /// How many times the request was sent (or tried) before this error was returned.
    ///
    /// `0` where no single request is at fault: [`ErrorKind::InvalidRequest`], which never
    /// reaches the transport, and the pagination errors.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The error a call ends with when its last attempt failed in transport: a 2xx over the
    /// body cap keeps its status as [`ErrorKind::ResponseTooLarge`], anything else is
    /// [`ErrorKind::Transport`].
    pub(crate) fn from_transport(source: TransportError, attempts: u32) -> Error {
        let kind = match (source.kind(), source.status(), source.body_cap()) {
            (TransportErrorKind::BodyTooLarge, Some(status), Some(cap)) => {
                ErrorKind::ResponseTooLarge { status, cap }
            }
            _ => ErrorKind::Transport { source },
        };
        Error::new(kind).after(attempts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decode_detail_is_shown_escaped_and_bounded() {
        let err = Error::new(ErrorKind::Decode {
            model: "OrganizationMembership",
            status: 200,
            detail: format!("unknown field `x\u{1b}[31m\r\n`{}", "y".repeat(1000)),
        })
        .after(1);
        let shown = err.to_string();
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert!(shown.contains(r"x\u{1b}[31m\r\n"), "{shown}");
        assert!(shown.ends_with('…'), "{shown}");
        assert!(shown.len() < 300, "{}", shown.len());
    }

    #[test]
    fn every_kind_keeps_its_call_and_attempts_in_one_place() {
        let call = Call::new(
            Operation::List,
            "/organizations/org_1/memberships".to_owned(),
        );
        let err = Error::new(ErrorKind::PageNotAdvancing { offset: 10 })
            .after(3)
            .in_call(&call);
        assert_eq!(err.call(), Some(&call));
        assert_eq!(err.attempts(), 3);
        let other = Call::new(Operation::ListUsers, "/users".to_owned());
        assert_eq!(
            err.in_call(&other).call(),
            Some(&call),
            "the first call stays"
        );
    }
}
