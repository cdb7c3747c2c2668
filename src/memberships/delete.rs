use derive_builder::Builder;

use crate::builder::{Unbuilt, id, operation_builder, operation_methods};
use crate::call::Operation;
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
    name = "DeleteMembershipFields",
    private,
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "Unbuilt", validate = "Self::validate")
)]
pub struct DeleteMembership {
    organization_id: String,
    user_id: String,
}

operation_builder! {
    /// Builds a [`DeleteMembership`]: start with [`DeleteMembership::builder`], set both ids,
    /// then [`build`](Self::build). Setters take the builder by value and return it.
    ///
    /// ```
    /// use clerk_memberships::{BuildError, DeleteMembership, DeleteMembershipBuilder};
    ///
    /// let builder: DeleteMembershipBuilder = DeleteMembership::builder().organization_id("org_1");
    /// assert_eq!(builder.clone().build(), Err(BuildError::MissingField("user_id")));
    /// let request = builder.user_id("user_1").build()?;
    /// # Ok::<(), BuildError>(())
    /// ```
    pub struct DeleteMembershipBuilder(DeleteMembershipFields) -> DeleteMembership;

    /// Checks the request and builds it; nothing is sent.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the field at fault:
    ///
    /// - [`InvalidField`](BuildError::InvalidField) for `organization_id` or `user_id` if it is
    ///   empty, only whitespace, `.` or `..`, or longer than 256 bytes;
    /// - [`MissingField`](BuildError::MissingField) for `organization_id` or `user_id` if it
    ///   was never set.
    ///
    /// The first rule broken, in that order, is the one reported. The length of the whole URL
    /// depends on the client's base URL, so [`send`](DeleteMembership::send) checks it.
    fn build;

    /// Sets the organization, by id (at most 256 bytes). Required.
    fn organization_id(text);
    /// Sets the member to remove, by user id (at most 256 bytes). Required.
    fn user_id(text);
}

impl DeleteMembershipFields {
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
    "(404 `\"resource_not_found\"` when the user is not a member, …)"
);

impl Endpoint for DeleteMembership {
    type Body<'a> = ();
    type Response = OrganizationMembership;
    const OPERATION: Operation = Operation::Delete;

    fn path(&self, path: &mut PathWriter<'_>) {
        path.membership(&self.organization_id, &self.user_id);
    }
}
