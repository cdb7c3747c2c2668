use derive_builder::Builder;
use serde::Serialize;

use crate::builder::{Unbuilt, id, operation_builder, operation_methods, option_setters};
use crate::call::Operation;
use crate::endpoint::{Endpoint, PathWriter};
use crate::error::BuildError;
use crate::models::OrganizationInvitation;

/// Revokes a pending invitation, so that its join link no longer works: `POST
/// /organizations/{organization_id}/invitations/{invitation_id}/revoke`.
///
/// The email already sent cannot be taken back, only made useless. Only a pending invitation
/// can be revoked; Clerk refuses the others. Revoking is retried like the other idempotent
/// operations: if a retry is refused because the first attempt did revoke, read the
/// invitation with [`GetInvitation`](crate::GetInvitation).
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::RevokeInvitation;
///
/// let revoked = RevokeInvitation::builder()
///     .organization_id("org_1")
///     .invitation_id("orginv_1")
///     .requesting_user_id("user_admin")
///     .build()?
///     .send(&client)?;
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Builder)]
#[builder(
    name = "RevokeInvitationFields",
    private,
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "Unbuilt", validate = "Self::validate")
)]
pub struct RevokeInvitation {
    organization_id: String,
    invitation_id: String,
    #[builder(setter(into, strip_option), default)]
    requesting_user_id: Option<String>,
}

/// The body: `{}`, or `{"requesting_user_id":…}` when one was set.
#[derive(Serialize)]
pub(crate) struct RevokeBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    requesting_user_id: Option<&'a str>,
}

operation_builder! {
    /// Builds a [`RevokeInvitation`]: set both ids, optionally who revokes, then
    /// [`build`](Self::build).
    ///
    /// ```
    /// use clerk_memberships::RevokeInvitation;
    ///
    /// let admin: Option<&str> = None;
    /// let request = RevokeInvitation::builder()
    ///     .organization_id("org_1")
    ///     .invitation_id("orginv_1")
    ///     .set_requesting_user_id(admin)
    ///     .build()?;
    /// # Ok::<(), clerk_memberships::BuildError>(())
    /// ```
    pub struct RevokeInvitationBuilder(RevokeInvitationFields) -> RevokeInvitation;

    /// Checks the request and builds it; nothing is sent.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the field at fault:
    /// [`InvalidField`](BuildError::InvalidField) for `organization_id`, `invitation_id` or
    /// `requesting_user_id` if it is empty, only whitespace, `.` or `..`, or longer than 256
    /// bytes; [`MissingField`](BuildError::MissingField) for `organization_id` or
    /// `invitation_id` if it was never set. The first rule broken, in that order, is
    /// reported.
    fn build;

    /// Sets the organization, by id (at most 256 bytes). Required.
    fn organization_id(text);
    /// Sets the invitation to revoke, by id (`orginv_…`, at most 256 bytes). Required.
    fn invitation_id(text);
    /// Sets the user who revokes (an admin of the organization), by id (at most 256 bytes).
    /// Not sent unless set.
    fn requesting_user_id(text);
}

option_setters!(RevokeInvitationBuilder {
    set_requesting_user_id => requesting_user_id: text,
});

impl RevokeInvitationFields {
    fn validate(&self) -> Result<(), BuildError> {
        id("organization_id", self.organization_id.as_ref())?;
        id("invitation_id", self.invitation_id.as_ref())?;
        id(
            "requesting_user_id",
            self.requesting_user_id.as_ref().and_then(Option::as_ref),
        )
    }
}

operation_methods!(
    RevokeInvitation,
    RevokeInvitationBuilder,
    OrganizationInvitation,
    "the revoked invitation",
    "(404 `\"resource_not_found\"` for an unknown organization or invitation, 400 for one that is not pending, …)"
);

impl Endpoint for RevokeInvitation {
    type Body<'a> = RevokeBody<'a>;
    type Response = OrganizationInvitation;
    const OPERATION: Operation = Operation::RevokeInvitation;

    fn path(&self, path: &mut PathWriter<'_>) {
        path.invitation(&self.organization_id, &self.invitation_id)
            .literal("revoke");
    }

    fn body(&self) -> Option<RevokeBody<'_>> {
        Some(RevokeBody {
            requesting_user_id: self.requesting_user_id.as_deref(),
        })
    }
}
