use derive_builder::Builder;

use crate::builder::{Unbuilt, id, operation_builder, operation_methods};
use crate::call::Operation;
use crate::endpoint::{Endpoint, PathWriter};
use crate::error::BuildError;
use crate::models::OrganizationInvitation;

/// Reads one invitation: `GET /organizations/{organization_id}/invitations/{invitation_id}`.
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::GetInvitation;
///
/// let invitation = GetInvitation::builder()
///     .organization_id("org_1")
///     .invitation_id("orginv_1")
///     .build()?
///     .send(&client)?;
/// println!("{} is {}", invitation.email_address, invitation.status);
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Builder)]
#[builder(
    name = "GetInvitationFields",
    private,
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "Unbuilt", validate = "Self::validate")
)]
pub struct GetInvitation {
    organization_id: String,
    invitation_id: String,
}

operation_builder! {
    /// Builds a [`GetInvitation`]: set both ids, then [`build`](Self::build).
    ///
    /// ```
    /// use clerk_memberships::{BuildError, GetInvitation};
    ///
    /// let builder = GetInvitation::builder().organization_id("org_1");
    /// assert_eq!(builder.build(), Err(BuildError::MissingField("invitation_id")));
    /// ```
    pub struct GetInvitationBuilder(GetInvitationFields) -> GetInvitation;

    /// Checks the request and builds it; nothing is sent.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the field at fault:
    /// [`InvalidField`](BuildError::InvalidField) for `organization_id` or `invitation_id`
    /// if it is empty, only whitespace, `.` or `..`, or longer than 256 bytes;
    /// [`MissingField`](BuildError::MissingField) for either if it was never set. The first
    /// rule broken, in that order, is reported.
    fn build;

    /// Sets the organization, by id (at most 256 bytes). Required.
    fn organization_id(text);
    /// Sets the invitation, by id (`orginv_…`, at most 256 bytes). Required.
    fn invitation_id(text);
}

impl GetInvitationFields {
    fn validate(&self) -> Result<(), BuildError> {
        id("organization_id", self.organization_id.as_ref())?;
        id("invitation_id", self.invitation_id.as_ref())
    }
}

operation_methods!(
    GetInvitation,
    GetInvitationBuilder,
    OrganizationInvitation,
    "the invitation, whatever its status",
    "(404 `\"resource_not_found\"` for an unknown organization or invitation, …)"
);

impl Endpoint for GetInvitation {
    type Body<'a> = ();
    type Response = OrganizationInvitation;
    const OPERATION: Operation = Operation::GetInvitation;

    fn path(&self, path: &mut PathWriter<'_>) {
        path.invitation(&self.organization_id, &self.invitation_id);
    }
}
