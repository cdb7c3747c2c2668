//! What both invitation creates share: the JSON of one invitation and the checks of its
//! email address and expiry.

use serde::Serialize;

use crate::builder::MAX_FILTER_VALUE_LEN;
use crate::builder::metadata::MetadataBody;
use crate::error::BuildError;

/// Longest validity an invitation may be given, in days (the API's maximum).
pub(crate) const MAX_EXPIRES_IN_DAYS: u32 = 365;

/// The JSON of one invitation, as both creates send it: `email_address` and `role`, then
/// each optional field that was set. The organization goes in the path, never here.
#[derive(Serialize)]
pub(crate) struct InvitationBody<'a> {
    pub(super) email_address: &'a str,
    pub(super) role: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) inviter_user_id: Option<&'a str>,
    #[serde(flatten)]
    pub(super) metadata: MetadataBody<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) redirect_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) expires_in_days: Option<u32>,
}

/// A set email address must not be empty nor only whitespace, hold an `@`, and hold no
/// whitespace (but around it), control character or bidirectional mark: Clerk would refuse
/// it, an invitation to nobody is certainly a mistake, and an invisible character would send
/// the email somewhere else than it reads.
pub(crate) fn email(field: &'static str, value: Option<&String>) -> Result<(), BuildError> {
    match value.and_then(|value| email_rule(value)) {
        Some(rule) => Err(BuildError::invalid(field, rule)),
        None => Ok(()),
    }
}

/// The rule `value` breaks as an email address to invite, if any.
pub(crate) fn email_rule(value: &str) -> Option<String> {
    if value.trim().is_empty() {
        Some("must not be empty or only whitespace".to_owned())
    } else if !value.contains('@') {
        Some("must be an email address (no `@`)".to_owned())
    } else if value.chars().any(crate::text::needs_escape) {
        Some("must not hold control characters or bidirectional marks".to_owned())
    } else if value.trim().chars().any(char::is_whitespace) {
        Some("must not hold whitespace".to_owned())
    } else if value.len() > MAX_FILTER_VALUE_LEN {
        Some(format!(
            "must be at most {MAX_FILTER_VALUE_LEN} bytes, got {}",
            value.len()
        ))
    } else {
        None
    }
}

/// A set `expires_in_days` is 1 to [`MAX_EXPIRES_IN_DAYS`].
pub(crate) fn expires_rule(days: u32) -> Option<String> {
    (!(1..=MAX_EXPIRES_IN_DAYS).contains(&days))
        .then(|| format!("must be between 1 and {MAX_EXPIRES_IN_DAYS}, got {days}"))
}
