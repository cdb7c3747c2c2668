use derive_builder::Builder;
use serde::Serialize;

use crate::builder::{Unbuilt, id, operation_builder, operation_methods, role_field};
use crate::call::Operation;
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
    name = "UpdateMembershipFields",
    private,
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "Unbuilt", validate = "Self::validate")
)]
pub struct UpdateMembership {
    organization_id: String,
    user_id: String,
    role: String,
}

/// The body: `{"role":…}`.
#[derive(Serialize)]
pub(crate) struct UpdateBody<'a> {
    role: &'a str,
}

operation_builder! {
    /// Builds an [`UpdateMembership`]: start with [`UpdateMembership::builder`], set both ids
    /// and the role, then [`build`](Self::build). Setters take the builder by value and return
    /// it, so one can be kept (and cloned) half-built.
    ///
    /// ```
    /// use clerk_memberships::{UpdateMembership, UpdateMembershipBuilder};
    ///
    /// let promote: UpdateMembershipBuilder = UpdateMembership::builder()
    ///     .organization_id("org_1")
    ///     .role("org:admin");
    /// let first = promote.clone().user_id("user_1").build()?;
    /// let second = promote.user_id("user_2").build()?;
    /// assert_ne!(first, second);
    /// # Ok::<(), clerk_memberships::BuildError>(())
    /// ```
    pub struct UpdateMembershipBuilder(UpdateMembershipFields) -> UpdateMembership;

    /// Checks the request and builds it; nothing is sent.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the field at fault:
    ///
    /// - [`InvalidField`](BuildError::InvalidField) for `organization_id` or `user_id` if it is
    ///   empty, only whitespace, `.` or `..`, or longer than 256 bytes;
    /// - `InvalidField` for `role` if it is empty or longer than 1024 bytes;
    /// - [`MissingField`](BuildError::MissingField) for `organization_id`, `user_id` or `role`
    ///   if it was never set.
    ///
    /// The first rule broken, in that order, is the one reported. Whether the role exists is
    /// the server's to say (422). The length of the whole URL depends on the client's base URL,
    /// so [`send`](UpdateMembership::send) checks it.
    fn build;

    /// Sets the organization, by id (at most 256 bytes). Required.
    fn organization_id(text);
    /// Sets the member, by user id (at most 256 bytes). Required.
    fn user_id(text);
    /// Sets the new role, e.g. `org:admin` (at most 1024 bytes). Required.
    fn role(text);
}

impl UpdateMembershipFields {
    fn validate(&self) -> Result<(), BuildError> {
        id("organization_id", self.organization_id.as_ref())?;
        id("user_id", self.user_id.as_ref())?;
        role_field(self.role.as_ref())
    }
}

operation_methods!(
    UpdateMembership,
    UpdateMembershipBuilder,
    OrganizationMembership,
    "the updated membership",
    "(404 `\"resource_not_found\"` when the user is not a member, 422 for an unknown role, …)"
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
