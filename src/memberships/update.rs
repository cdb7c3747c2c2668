use derive_builder::Builder;
use serde::Serialize;

use super::{Operation, id, non_empty, operation_methods};
use crate::endpoint::{Endpoint, PathWriter};
use crate::error::BuildError;
use crate::models::OrganizationMembership;

/// Changes a member's role: `PATCH /organizations/{organization_id}/memberships/{user_id}`.
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::UpdateMembership;
///
/// let membership = UpdateMembership::builder()
///     .organization_id("org_1")
///     .user_id("user_1")
///     .role("org:admin")
///     .build()?
///     .send(&client)?;
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Builder)]
#[builder(
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "BuildError", validate = "Self::validate")
)]
pub struct UpdateMembership {
    /// The organization. Required; refused if empty, only whitespace, `.`, `..` or
    /// over [`MAX_ID_LEN`](super::MAX_ID_LEN) bytes.
    organization_id: String,
    /// The member, by user id. Required; refused if empty, only whitespace, `.`, `..` or
    /// over [`MAX_ID_LEN`](super::MAX_ID_LEN) bytes.
    user_id: String,
    /// The new role, e.g. `org:admin`. Required, not empty.
    role: String,
}

/// The body: `{"role":…}`.
#[derive(Serialize)]
pub(crate) struct UpdateBody<'a> {
    role: &'a str,
}

impl UpdateMembershipBuilder {
    fn validate(&self) -> Result<(), BuildError> {
        id("organization_id", self.organization_id.as_ref())?;
        id("user_id", self.user_id.as_ref())?;
        non_empty("role", self.role.as_ref())
    }
}

operation_methods!(
    UpdateMembership,
    UpdateMembershipBuilder,
    OrganizationMembership,
    "the updated membership",
    "(404 when the user is not a member, 422 for an unknown role, …)"
);

impl Endpoint for UpdateMembership {
    type Body<'a> = UpdateBody<'a>;
    type Response = OrganizationMembership;
    const OPERATION: Operation = Operation::Update;

    fn path(&self, path: &mut PathWriter<'_>) {
        path.membership(&self.organization_id, &self.user_id);
    }

    fn body(&self) -> Option<UpdateBody<'_>> {
        Some(UpdateBody { role: &self.role })
    }
}
