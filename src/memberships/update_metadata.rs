use derive_builder::Builder;
use serde_json::Value;

use crate::builder::metadata::{MetadataBody, MetadataInput, metadata_setters};
use crate::builder::{Unbuilt, id, operation_builder, operation_methods};
use crate::call::Operation;
use crate::endpoint::{Endpoint, PathWriter};
use crate::error::BuildError;
use crate::models::OrganizationMembership;

/// Deep-merges metadata into a membership:
/// `PATCH /organizations/{organization_id}/memberships/{user_id}/metadata`.
///
/// The server merges nested objects; a key set to `null` at any depth is removed. Either
/// object, both, or neither (an empty `{}` body) may be sent.
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::UpdateMembershipMetadata;
/// use serde_json::json;
///
/// let membership = UpdateMembershipMetadata::builder()
///     .organization_id("org_1")
///     .user_id("user_1")
///     .private_metadata(json!({"hr": {"employee_id": 42, "old_key": null}}))
///     .build()?
///     .send(&client)?;
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Builder)]
#[builder(
    name = "UpdateMembershipMetadataFields",
    private,
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "Unbuilt", validate = "Self::validate")
)]
pub struct UpdateMembershipMetadata {
    organization_id: String,
    user_id: String,
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

operation_builder! {
    /// Builds an [`UpdateMembershipMetadata`]: start with
    /// [`UpdateMembershipMetadata::builder`], set both ids and the metadata to merge, then
    /// [`build`](Self::build). Setters take the builder by value and return it; the `set_`
    /// forms forward an `Option`.
    ///
    /// ```
    /// use clerk_memberships::{UpdateMembershipMetadata, UpdateMembershipMetadataBuilder};
    /// use serde_json::{Value, json};
    ///
    /// let public: Option<Value> = None;
    /// let builder: UpdateMembershipMetadataBuilder = UpdateMembershipMetadata::builder()
    ///     .organization_id("org_1")
    ///     .user_id("user_1")
    ///     .set_public_metadata(public)
    ///     .private_metadata(json!({"seat": null}));
    /// let request = builder.build()?;
    /// # Ok::<(), clerk_memberships::BuildError>(())
    /// ```
    pub struct UpdateMembershipMetadataBuilder(UpdateMembershipMetadataFields)
        -> UpdateMembershipMetadata;

    /// Checks the request and builds it; nothing is sent.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the field at fault:
    ///
    /// - [`InvalidField`](BuildError::InvalidField) for `organization_id` or `user_id` if it is
    ///   empty, only whitespace, `.` or `..`, or longer than 256 bytes;
    /// - `InvalidField` for `public_metadata` or `private_metadata` if the value set is not a
    ///   JSON object, nests arrays and objects deeper than 64 levels, or is longer than 65536
    ///   bytes as compact JSON (checked when set, reported here);
    /// - [`MissingField`](BuildError::MissingField) for `organization_id` or `user_id` if it
    ///   was never set.
    ///
    /// The first rule broken, in that order, is the one reported. Neither metadata object is
    /// required. The length of the whole URL depends on the client's base URL, so
    /// [`send`](UpdateMembershipMetadata::send) checks it.
    fn build;

    /// Sets the organization, by id (at most 256 bytes). Required.
    fn organization_id(text);
    /// Sets the member, by user id (at most 256 bytes). Required.
    fn user_id(text);
}

metadata_setters!(UpdateMembershipMetadataBuilder);

impl UpdateMembershipMetadataFields {
    fn validate(&self) -> Result<(), BuildError> {
        id("organization_id", self.organization_id.as_ref())?;
        id("user_id", self.user_id.as_ref())?;
        self.public_metadata.check()?;
        self.private_metadata.check()
    }
}

operation_methods!(
    UpdateMembershipMetadata,
    UpdateMembershipMetadataBuilder,
    OrganizationMembership,
    "the membership with its merged metadata",
    "(404 `\"resource_not_found\"` when the user is not a member, …)"
);

impl Endpoint for UpdateMembershipMetadata {
    type Body<'a> = MetadataBody<'a>;
    type Response = OrganizationMembership;
    const OPERATION: Operation = Operation::UpdateMetadata;

    fn path(&self, path: &mut PathWriter<'_>) {
        path.membership(&self.organization_id, &self.user_id)
            .literal("metadata");
    }

    /// Each metadata object that was set (`{}` if neither). The ids go in the path.
    fn body(&self) -> Option<MetadataBody<'_>> {
        Some(MetadataBody::new(
            &self.public_metadata,
            &self.private_metadata,
        ))
    }
}
