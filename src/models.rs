//! Response models, as the API sends them.
//!
//! Required fields are plain; optional or nullable ones are `Option`. Unknown fields are ignored,
//! so new fields that Clerk adds never break decoding. Metadata is a JSON object map passed
//! through untouched. Timestamps are Unix milliseconds.

use serde::{Deserialize, Serialize};

/// A model an operation answers with, named in decode errors.
pub(crate) trait Model: serde::de::DeserializeOwned {
    /// The model's name, e.g. `OrganizationMembership`.
    const NAME: &'static str;
}

impl Model for OrganizationMembership {
    const NAME: &'static str = "OrganizationMembership";
}

impl Model for OrganizationMemberships {
    const NAME: &'static str = "OrganizationMemberships";
}

/// A metadata object: any JSON object, keys kept verbatim.
pub type Metadata = serde_json::Map<String, serde_json::Value>;

/// A user's membership in an organization.
///
/// ```
/// use clerk_memberships::OrganizationMembership;
///
/// let json = r#"{"object":"organization_membership","id":"orgmem_1","role":"org:member",
///   "permissions":null,"public_metadata":{},"created_at":1716883200000,"updated_at":1716883200000,
///   "organization":{"object":"organization","id":"org_1","name":"Acme","slug":"acme",
///     "has_image":false,"max_allowed_memberships":5,"admin_delete_enabled":true,
///     "public_metadata":{},"created_at":1716883200000,"updated_at":1716883200000}}"#;
/// let membership: OrganizationMembership = serde_json::from_str(json)?;
/// assert_eq!(membership.role, "org:member");
/// assert_eq!(membership.permissions, None);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationMembership {
    /// Always `organization_membership`.
    pub object: String,
    /// The membership's id (`orgmem_…`). Operations address a membership by user id instead.
    pub id: String,
    /// The member's role key, e.g. `org:admin`, `org:member` or a custom `org:<key>`.
    pub role: String,
    /// The role's display name, e.g. `Member`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
    /// The permissions the role grants. Real servers send `null` for roles without
    /// permissions, which decodes as `None`.
    #[serde(default)]
    pub permissions: Option<Vec<String>>,
    /// Metadata visible to both frontend and backend.
    pub public_metadata: Metadata,
    /// Metadata visible to the backend only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Metadata>,
    /// The organization.
    pub organization: Organization,
    /// Public data of the member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_user_data: Option<PublicUserData>,
    /// Creation time, Unix milliseconds.
    pub created_at: i64,
    /// Last update time, Unix milliseconds.
    pub updated_at: i64,
}

/// An organization, as embedded in a membership.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    /// Always `organization`.
    pub object: String,
    /// The organization's id (`org_…`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// URL-friendly unique name.
    pub slug: String,
    /// Logo URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Whether the organization has a logo of its own.
    pub has_image: bool,
    /// Number of members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_count: Option<i64>,
    /// Whether no member holds a role with elevated permissions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_member_with_elevated_permissions: Option<bool>,
    /// Number of pending invitations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_invitations_count: Option<i64>,
    /// Most members the organization may have (`0` means unlimited).
    pub max_allowed_memberships: i64,
    /// Whether admins may delete the organization.
    pub admin_delete_enabled: bool,
    /// Metadata visible to both frontend and backend.
    pub public_metadata: Metadata,
    /// Metadata visible to the backend only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Metadata>,
    /// Id of the user who created the organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Creation time, Unix milliseconds.
    pub created_at: i64,
    /// Last update time, Unix milliseconds.
    pub updated_at: i64,
    /// Last activity time, Unix milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_active_at: Option<i64>,
    /// Key of the role set assigned to the organization (may be `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_set_key: Option<String>,
}

/// Public data of the member of a membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicUserData {
    /// The user's id (`user_…`).
    pub user_id: String,
    /// First name (may be `null`).
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name (may be `null`).
    #[serde(default)]
    pub last_name: Option<String>,
    /// Deprecated by Clerk in favour of `image_url` (may be `null`).
    #[serde(default)]
    pub profile_image_url: Option<String>,
    /// Profile image URL.
    pub image_url: String,
    /// Whether the user uploaded a profile image.
    pub has_image: bool,
    /// The user's primary identifier, e.g. an email address (may be `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// Username (may be `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Whether the user is banned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banned: Option<bool>,
    /// Whether the user was deprovisioned by a directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprovisioned: Option<bool>,
}

/// One page of memberships.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationMemberships {
    /// The memberships on this page.
    pub data: Vec<OrganizationMembership>,
    /// How many memberships match the filters in all, across every page.
    pub total_count: i64,
}
