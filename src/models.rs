//! Response models, as the API sends them.
//!
//! Required fields are plain; optional or nullable ones are `Option`. Unknown fields are ignored,
//! so new fields that Clerk adds never break decoding. Metadata is a JSON object map passed
//! through untouched. Timestamps are Unix milliseconds.
//!
//! Every model is `#[non_exhaustive]`: its fields are public to read (and to change), but a
//! model cannot be written as a struct literal outside this crate, so that the fields Clerk adds
//! can be added here without breaking your code. To make one in a test, decode it from JSON
//! or start from a constructor in `testing` (feature `test-util`) and change its fields.

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
///
/// ```
/// use clerk_memberships::Metadata;
/// use serde_json::json;
///
/// let mut metadata = Metadata::new();
/// metadata.insert("department".into(), json!("finance"));
/// assert_eq!(serde_json::to_string(&metadata)?, r#"{"department":"finance"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
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
#[non_exhaustive]
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
///
/// ```
/// # let membership: clerk_memberships::OrganizationMembership =
/// #     serde_json::from_str(clerk_memberships::testing::MEMBERSHIP_JSON).unwrap();
/// let org = &membership.organization;
/// assert_eq!((org.id.as_str(), org.slug.as_str()), ("org_2g7np7Hrk0SN6kj5EDMLDaKNL0S", "acme-corp"));
/// assert_eq!(org.max_allowed_memberships, 5);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
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
///
/// ```
/// # let membership: clerk_memberships::OrganizationMembership =
/// #     serde_json::from_str(clerk_memberships::testing::MEMBERSHIP_JSON).unwrap();
/// let user = membership.public_user_data.as_ref().unwrap();
/// assert_eq!(user.first_name.as_deref(), Some("Jane"));
/// assert_eq!(user.identifier.as_deref(), Some("jane.doe@acme.com"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
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

impl OrganizationMembership {
    /// The member's user id, from `public_user_data` (Clerk always sends it; `None` only when
    /// an answer left that object out).
    ///
    /// ```
    /// # let membership: clerk_memberships::OrganizationMembership =
    /// #     serde_json::from_str(clerk_memberships::testing::MEMBERSHIP_JSON).unwrap();
    /// assert_eq!(membership.user_id(), Some("user_2h8op3Isl1QR7tKu5FGNfaLKEoU"));
    /// assert_eq!(membership.identifier(), Some("jane.doe@acme.com"));
    /// assert_eq!(membership.email_address(), Some("jane.doe@acme.com"));
    /// assert_eq!(membership.display_name(), "Jane Doe");
    /// ```
    pub fn user_id(&self) -> Option<&str> {
        Some(self.public_user_data.as_ref()?.user_id.as_str())
    }

    /// The member's identifier as Clerk reports it: their primary email address, phone number
    /// or username, whichever the instance uses.
    pub fn identifier(&self) -> Option<&str> {
        self.public_user_data.as_ref()?.identifier.as_deref()
    }

    /// The [identifier](Self::identifier) when it is an email address (it holds an `@`); `None`
    /// for a phone number or username.
    pub fn email_address(&self) -> Option<&str> {
        self.identifier()
            .filter(|identifier| identifier.contains('@'))
    }

    /// A name to show for the member: first and last name when Clerk has either, else the
    /// identifier, else the user id, else the membership id.
    pub fn display_name(&self) -> String {
        let data = self.public_user_data.as_ref();
        let names: Vec<&str> = data
            .into_iter()
            .flat_map(|data| [data.first_name.as_deref(), data.last_name.as_deref()])
            .flatten()
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .collect();
        if !names.is_empty() {
            return names.join(" ");
        }
        self.identifier()
            .filter(|identifier| !identifier.is_empty())
            .or(self.user_id())
            .unwrap_or(&self.id)
            .to_owned()
    }
}

/// One page of memberships.
///
/// ```
/// use clerk_memberships::OrganizationMemberships;
///
/// let page: OrganizationMemberships = serde_json::from_str(r#"{"data":[],"total_count":0}"#)?;
/// assert!(page.data.is_empty());
/// assert_eq!(page.total_count, 0);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrganizationMemberships {
    /// The memberships on this page.
    pub data: Vec<OrganizationMembership>,
    /// How many memberships match the filters in all, across every page.
    pub total_count: i64,
}
