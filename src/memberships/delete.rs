use derive_builder::Builder;

use super::{Operation, non_empty};
use crate::client::Client;
use crate::endpoint::{Endpoint, PathWriter};
use crate::error::{BuildError, Error};
use crate::models::OrganizationMembership;

/// Removes a member: `DELETE /organizations/{organization_id}/memberships/{user_id}`.
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::DeleteMembership;
///
/// let removed = DeleteMembership::builder()
///     .organization_id("org_1")
///     .user_id("user_1")
///     .build()?
///     .send(&client)?;
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Builder)]
#[builder(
    setter(into),
    derive(Debug),
    build_fn(error = "BuildError", validate = "Self::validate")
)]
pub struct DeleteMembership {
    /// The organization. Required, not empty.
    organization_id: String,
    /// The member, by user id. Required, not empty.
    user_id: String,
}

impl DeleteMembershipBuilder {
    fn validate(&self) -> Result<(), BuildError> {
        non_empty("organization_id", self.organization_id.as_ref())?;
        non_empty("user_id", self.user_id.as_ref())
    }
}

impl DeleteMembership {
    /// Starts building the request.
    pub fn builder() -> DeleteMembershipBuilder {
        DeleteMembershipBuilder::default()
    }

    /// Sends the request and returns the removed membership.
    ///
    /// # Errors
    ///
    /// An [`Error`] when the request cannot be sent or completed, or the server refuses it
    /// (404 when the user is not a member, …).
    pub fn send(&self, client: &Client) -> Result<OrganizationMembership, Error> {
        client.execute(self)
    }
}

impl Endpoint for DeleteMembership {
    type Body = ();
    type Response = OrganizationMembership;
    const RESPONSE_MODEL: &'static str = "OrganizationMembership";
    const OPERATION: Operation = Operation::Delete;

    fn path(&self, path: &mut PathWriter<'_>) {
        path.literal("organizations")
            .segment(&self.organization_id)
            .literal("memberships")
            .segment(&self.user_id);
    }
}
