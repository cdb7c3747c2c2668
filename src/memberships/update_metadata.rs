use derive_builder::Builder;
use serde::Serialize;
use serde_json::Value;

use super::metadata::{MetadataInput, metadata_setters};
use super::{Operation, id, operation_methods};
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
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "BuildError", validate = "Self::validate")
)]
pub struct UpdateMembershipMetadata {
    /// The organization. Required; refused if empty, only whitespace, `.`, `..` or
    /// over [`MAX_ID_LEN`](super::MAX_ID_LEN) bytes.
    organization_id: String,
    /// The member, by user id. Required; refused if empty, only whitespace, `.`, `..` or
    /// over [`MAX_ID_LEN`](super::MAX_ID_LEN) bytes.
    user_id: String,
    /// Public metadata to merge in: a JSON object. Not sent unless set.
    #[builder(
        setter(custom),
        field(ty = "MetadataInput", build = "self.public_metadata.into_value()")
    )]
    public_metadata: Option<Value>,
    /// Private metadata to merge in: a JSON object. Not sent unless set.
    #[builder(
        setter(custom),
        field(ty = "MetadataInput", build = "self.private_metadata.into_value()")
    )]
    private_metadata: Option<Value>,
}

/// The body: each metadata object that was set (`{}` if neither). The ids go in the path.
#[derive(Serialize)]
pub(crate) struct UpdateMetadataBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    public_metadata: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    private_metadata: Option<&'a Value>,
}

metadata_setters!(UpdateMembershipMetadataBuilder);

impl UpdateMembershipMetadataBuilder {
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
    "(404 when the user is not a member, …)"
);

impl Endpoint for UpdateMembershipMetadata {
    type Body<'a> = UpdateMetadataBody<'a>;
    type Response = OrganizationMembership;
    const OPERATION: Operation = Operation::UpdateMetadata;

    fn path(&self, path: &mut PathWriter<'_>) {
        path.membership(&self.organization_id, &self.user_id)
            .literal("metadata");
    }

    fn body(&self) -> Option<UpdateMetadataBody<'_>> {
        Some(UpdateMetadataBody {
            public_metadata: self.public_metadata.as_ref(),
            private_metadata: self.private_metadata.as_ref(),
        })
    }
}
