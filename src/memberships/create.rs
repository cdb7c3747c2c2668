use derive_builder::Builder;
use serde::Serialize;
use serde_json::Value;

use super::metadata::{MetadataInput, metadata_setters};
use super::{Operation, id, non_empty, operation_methods};
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
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "BuildError", validate = "Self::validate")
)]
pub struct CreateMembership {
    /// The organization to add the user to. Required; refused if empty, only whitespace, `.`,
    /// `..` or over [`MAX_ID_LEN`](super::MAX_ID_LEN) bytes.
    organization_id: String,
    /// The user to add. Required; refused if empty, only whitespace, `.`, `..` or
    /// over [`MAX_ID_LEN`](super::MAX_ID_LEN) bytes.
    user_id: String,
    /// The new member's role, e.g. `org:member`. Required, not empty.
    role: String,
    /// Metadata visible to frontend and backend: a JSON object. Not sent unless set.
    #[builder(
        setter(custom),
        field(ty = "MetadataInput", build = "self.public_metadata.into_value()")
    )]
    public_metadata: Option<Value>,
    /// Metadata visible to the backend only: a JSON object. Not sent unless set.
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
    #[serde(skip_serializing_if = "Option::is_none")]
    public_metadata: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    private_metadata: Option<&'a Value>,
}

metadata_setters!(CreateMembershipBuilder);

impl CreateMembershipBuilder {
    fn validate(&self) -> Result<(), BuildError> {
        id("organization_id", self.organization_id.as_ref())?;
        id("user_id", self.user_id.as_ref())?;
        non_empty("role", self.role.as_ref())?;
        self.public_metadata.check()?;
        self.private_metadata.check()
    }
}

operation_methods!(
    CreateMembership,
    CreateMembershipBuilder,
    OrganizationMembership,
    "the new membership",
    "(404 for an unknown organization or user, 4xx for a user who is already a member or a full organization, …)"
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
            public_metadata: self.public_metadata.as_ref(),
            private_metadata: self.private_metadata.as_ref(),
        })
    }
}
