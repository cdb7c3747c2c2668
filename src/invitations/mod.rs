//! The organization-invitation operations: onboarding people who have no account yet.
//!
//! | operation | method and path (below the base URL) | answer |
//! |---|---|---|
//! | [`CreateInvitation`] | `POST /organizations/{organization_id}/invitations` | [`OrganizationInvitation`](crate::OrganizationInvitation) |
//! | [`BulkCreateInvitations`] | `POST /organizations/{organization_id}/invitations/bulk` | [`Page`](crate::Page)`<`[`OrganizationInvitation`](crate::OrganizationInvitation)`>` |
//! | [`ListInvitations`] | `GET /organizations/{organization_id}/invitations` | [`Page`](crate::Page)`<`[`OrganizationInvitation`](crate::OrganizationInvitation)`>` (a page, with `total_count`) |
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

mod body;
mod bulk;
mod create;
mod get;
mod list;
mod revoke;

pub use bulk::{BulkCreateInvitations, BulkCreateInvitationsBuilder, NewInvitation};
pub use create::{CreateInvitation, CreateInvitationBuilder};
pub use get::{GetInvitation, GetInvitationBuilder};
pub use list::{ListInvitations, ListInvitationsBuilder};
pub use revoke::{RevokeInvitation, RevokeInvitationBuilder};
