//! Clerk's error JSON: the [`ClerkError`]s of an error answer, the [`ApiError`] they make with
//! its status, and the codes the client recognises.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::models::Metadata;
use crate::text::{BODY_SNIPPET_LIMIT, Clipped};

/// Largest error body read as Clerk's error JSON; a larger one is shown as a snippet. Clerk's
/// error answers are a few hundred bytes, so this only stops a hostile body from becoming
/// millions of [`ClerkError`]s.
pub(crate) const MAX_ERROR_JSON: usize = 64 * 1024;
/// How many of Clerk's errors the `Display` of an [`ApiError`] lists; all are kept in
/// [`ApiError::errors`].
const DISPLAYED_ERRORS: usize = 3;
/// How many bytes of Clerk's trace id the `Display` of an [`ApiError`] shows (real ones are 32).
const DISPLAYED_TRACE_ID: usize = 128;

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

/// Clerk's code for a create whose user already is a member of the organization (400),
/// as [`Error::is_already_member`](crate::Error::is_already_member) tests it.
pub(crate) const ALREADY_A_MEMBER: &str = "already_a_member_in_organization";
/// Clerk's code for a create in an organization that has no room for another member (403),
/// as [`Error::is_quota_exceeded`](crate::Error::is_quota_exceeded) tests it.
pub(crate) const MEMBERSHIP_QUOTA_EXCEEDED: &str = "organization_membership_quota_exceeded";
