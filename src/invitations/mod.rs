//! The organization-invitation operations: onboarding people who have no account yet.
//!
//! | operation | method and path (below the base URL) | answer |
//! |---|---|---|
//! | [`CreateInvitation`] | `POST /organizations/{organization_id}/invitations` | [`OrganizationInvitation`](crate::OrganizationInvitation) |
//! | [`BulkCreateInvitations`] | `POST /organizations/{organization_id}/invitations/bulk` | [`OrganizationInvitations`](crate::OrganizationInvitations) |
//! | [`ListInvitations`] | `GET /organizations/{organization_id}/invitations` | [`OrganizationInvitations`](crate::OrganizationInvitations) (a page, with `total_count`) |
//! | [`GetInvitation`] | `GET /organizations/{organization_id}/invitations/{invitation_id}` | [`OrganizationInvitation`](crate::OrganizationInvitation) |
//! | [`RevokeInvitation`] | `POST /organizations/{organization_id}/invitations/{invitation_id}/revoke` | [`OrganizationInvitation`](crate::OrganizationInvitation) (the revoked one) |
//!
//! They are built and sent like the membership operations, with the same checks at
//! `build()` (ids, metadata, paging) and the same wire rules.
//!
//! An invitation is an email: it cannot be taken back. The two creates are therefore never
//! repeated by the client once they may have reached the server (see
//! [`Operation::sends_email`](crate::Operation::sends_email)); when such a call fails without
//! a readable answer, read `GET …/invitations?status=pending&email_address=…` to learn
//! whether the invitation exists rather than sending it again.
//! The sync does exactly that when it invites.
//!
//! Clerk's deprecated `GET …/invitations/pending` is not used: [`ListInvitations`] with
//! `status("pending")` lists the same invitations.

mod bulk;
mod create;
mod get;
mod list;
mod revoke;

pub use bulk::{
    BulkCreateInvitations, BulkCreateInvitationsBuilder, MAX_BULK_INVITATIONS, NewInvitation,
};
pub use create::{CreateInvitation, CreateInvitationBuilder, MAX_EXPIRES_IN_DAYS};
pub use get::{GetInvitation, GetInvitationBuilder};
pub use list::{ListInvitations, ListInvitationsBuilder};
pub use revoke::{RevokeInvitation, RevokeInvitationBuilder};

use serde::Serialize;
use serde_json::Value;

use crate::error::BuildError;

/// The JSON of one invitation, as both creates send it: `email_address` and `role`, then
/// each optional field that was set. The organization goes in the path, never here.
#[derive(Serialize)]
pub(crate) struct InvitationBody<'a> {
    email_address: &'a str,
    role: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    inviter_user_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    public_metadata: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    private_metadata: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in_days: Option<u32>,
}

/// A set email address must not be empty nor only whitespace, and hold an `@`: Clerk would
/// refuse it, and an invitation to nobody is certainly a mistake.
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
    } else if value.len() > crate::MAX_FILTER_VALUE_LEN {
        Some(format!(
            "must be at most {} bytes, got {}",
            crate::MAX_FILTER_VALUE_LEN,
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
