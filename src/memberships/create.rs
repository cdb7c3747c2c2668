use derive_builder::Builder;
use serde::Serialize;
use serde_json::Value;

use crate::builder::metadata::{MetadataBody, MetadataInput, metadata_setters};
use crate::builder::{Unbuilt, id, operation_builder, operation_methods, role_field};
use crate::call::Operation;
use crate::endpoint::{Endpoint, PathWriter};
use crate::error::BuildError;
use crate::models::OrganizationMembership;

/// Adds a user to an organization: `POST /organizations/{organization_id}/memberships`.
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::CreateMembership;
/// use serde_json::json;
///
/// let membership = CreateMembership::builder()
///     .organization_id("org_1")
///     .user_id("user_1")
///     .role("org:member")
///     .public_metadata(json!({"team": "billing"}))
///     .build()?
///     .send(&client)?;
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Builder)]
#[builder(
    name = "CreateMembershipFields",
    private,
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "Unbuilt", validate = "Self::validate")
)]
pub struct CreateMembership {
    organization_id: String,
    user_id: String,
    role: String,
    #[builder(
        setter(custom),
        field(ty = "MetadataInput", build = "self.public_metadata.into_value()")
    )]
    public_metadata: Option<Value>,
    #[builder(
        setter(custom),
        field(ty = "MetadataInput", build = "self.private_metadata.into_value()")
    )]
    private_metadata: Option<Value>,
}

/// The body: `{"user_id":…,"role":…}`, then each metadata object that was set. The
/// organization goes in the path, never here.
#[derive(Serialize)]
pub(crate) struct CreateBody<'a> {
    user_id: &'a str,
    role: &'a str,
    #[serde(flatten)]
    metadata: MetadataBody<'a>,
}

operation_builder! {
    /// Builds a [`CreateMembership`]: start with [`CreateMembership::builder`], set the
    /// organization, the user and the role, optionally metadata, then
    /// [`build`](Self::build). Setters take the builder by value and return it.
    ///
    /// ```
    /// use clerk_memberships::{CreateMembership, CreateMembershipBuilder};
    /// use serde_json::json;
    ///
    /// let mut builder: CreateMembershipBuilder = CreateMembership::builder()
    ///     .organization_id("org_1")
    ///     .user_id("user_1")
    ///     .role("org:member");
    /// let seat: Option<u32> = Some(7);
    /// if let Some(seat) = seat {
    ///     builder = builder.private_metadata(json!({ "seat": seat }));
    /// }
    /// let request = builder.build()?;
    /// # Ok::<(), clerk_memberships::BuildError>(())
    /// ```
    pub struct CreateMembershipBuilder(CreateMembershipFields) -> CreateMembership;

    /// Checks the request and builds it; nothing is sent.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the field at fault:
    ///
    /// - [`InvalidField`](BuildError::InvalidField) for `organization_id` or `user_id` if it is
    ///   empty, only whitespace, `.` or `..`, or longer than 256 bytes;
    /// - `InvalidField` for `role` if it is empty or longer than 1024 bytes;
    /// - `InvalidField` for `public_metadata` or `private_metadata` if the value set is not a
    ///   JSON object, nests arrays and objects deeper than 64 levels, or is longer than 65536
    ///   bytes as compact JSON (checked when set, reported here);
    /// - [`MissingField`](BuildError::MissingField) for `organization_id`, `user_id` or `role`
    ///   if it was never set.
    ///
    /// The first rule broken, in that order, is the one reported. Whether the user may join is
    /// the server's to say. The length of the whole URL depends on the client's base URL, so
    /// [`send`](CreateMembership::send) checks it.
    fn build;

    /// Sets the organization to add the user to, by id (at most 256 bytes). Required.
    fn organization_id(text);
    /// Sets the user to add, by id (at most 256 bytes). Required.
    fn user_id(text);
    /// Sets the new member's role, e.g. `org:member` (at most 1024 bytes). Required.
    fn role(text);
}

metadata_setters!(CreateMembershipBuilder);

impl CreateMembershipFields {
    fn validate(&self) -> Result<(), BuildError> {
        id("organization_id", self.organization_id.as_ref())?;
        id("user_id", self.user_id.as_ref())?;
        role_field(self.role.as_ref())?;
        self.public_metadata.check()?;
        self.private_metadata.check()
    }
}

operation_methods!(
    CreateMembership,
    CreateMembershipBuilder,
    OrganizationMembership,
    "the new membership",
    "(404 `\"resource_not_found\"` for an unknown organization or user; 400 `\"already_a_member_in_organization\"`, tested by [`Error::is_already_member`](crate::Error::is_already_member), for a user who already is a member; 403 `\"organization_membership_quota_exceeded\"`, tested by [`Error::is_quota_exceeded`](crate::Error::is_quota_exceeded), for a full organization; …)"
);

impl Endpoint for CreateMembership {
    type Body<'a> = CreateBody<'a>;
    type Response = OrganizationMembership;
    const OPERATION: Operation = Operation::Create;

    fn path(&self, path: &mut PathWriter<'_>) {
        path.memberships(&self.organization_id);
    }

    fn body(&self) -> Option<CreateBody<'_>> {
        Some(CreateBody {
            user_id: &self.user_id,
            role: &self.role,
            metadata: MetadataBody::new(&self.public_metadata, &self.private_metadata),
        })
    }
}
