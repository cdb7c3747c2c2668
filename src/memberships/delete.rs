use derive_builder::Builder;

use super::{Operation, id, operation_methods};
use crate::endpoint::{Endpoint, PathWriter};
use crate::error::BuildError;
use crate::models::OrganizationMembership;

/// Removes a member: `DELETE /organizations/{organization_id}/memberships/{user_id}`.
///
/// Delete is retried after a failure that may have reached the server (a timeout, a reset, a
/// 5xx). If the first attempt did remove the member, the retry answers 404: an error with
/// [`is_not_found`](crate::Error::is_not_found) and [`attempts`](crate::Error::attempts) above
/// 1 means the member is gone, most likely removed by this very call.
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
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "BuildError", validate = "Self::validate")
)]
pub struct DeleteMembership {
    /// The organization. Required; refused if empty, only whitespace, `.`, `..` or
    /// over [`MAX_ID_LEN`](super::MAX_ID_LEN) bytes.
    organization_id: String,
    /// The member, by user id. Required; refused if empty, only whitespace, `.`, `..` or
    /// over [`MAX_ID_LEN`](super::MAX_ID_LEN) bytes.
    user_id: String,
}

impl DeleteMembershipBuilder {
    fn validate(&self) -> Result<(), BuildError> {
        id("organization_id", self.organization_id.as_ref())?;
        id("user_id", self.user_id.as_ref())
    }
}

operation_methods!(
    DeleteMembership,
    DeleteMembershipBuilder,
    OrganizationMembership,
    "the removed membership",
    "(404 when the user is not a member, …)"
);

impl Endpoint for DeleteMembership {
    type Body<'a> = ();
    type Response = OrganizationMembership;
    const OPERATION: Operation = Operation::Delete;

    fn path(&self, path: &mut PathWriter<'_>) {
        path.membership(&self.organization_id, &self.user_id);
    }
}
