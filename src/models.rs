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

use crate::email::normalized_email;
use serde::{Deserialize, Serialize};

/// A model an operation answers with, named in decode errors.
pub(crate) trait Model: serde::de::DeserializeOwned {
    /// The model's name, e.g. `OrganizationMembership`.
    const NAME: &'static str;
}

impl Model for OrganizationMembership {
    const NAME: &'static str = "OrganizationMembership";
}

impl Model for Organization {
    const NAME: &'static str = "Organization";
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

/// An organization, as embedded in a membership, and as
/// [`GetOrganization`](crate::GetOrganization) answers. `members_count` is there when the
/// server counts the members: always in a membership, on request
/// ([`include_members_count`](crate::GetOrganizationBuilder::include_members_count)) from
/// `GetOrganization`.
///
/// ```
/// # let membership: clerk_memberships::OrganizationMembership =
/// #     serde_json::from_str(clerk_memberships::testing::MEMBERSHIP_JSON).unwrap();
/// let org = &membership.organization;
/// assert_eq!((org.id.as_str(), org.slug.as_str()), ("org_2g7np7Hrk0SN6kj5EDMLDaKNL0S", "acme-corp"));
/// assert_eq!(org.max_allowed_memberships, 5);
///
/// let alone: clerk_memberships::Organization =
///     serde_json::from_str(clerk_memberships::testing::ORGANIZATION_JSON)?;
/// assert_eq!(&alone, org);
/// assert_eq!(alone.members_count, Some(2));
/// # Ok::<(), serde_json::Error>(())
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

/// One page of a listing: the items on it and how many there are in all.
///
/// [`ListMemberships`](crate::ListMemberships) and
/// [`ListInstanceMemberships`](crate::ListInstanceMemberships) answer a
/// `Page<`[`OrganizationMembership`]`>` (also named [`OrganizationMemberships`]),
/// [`ListOrganizationRoles`](crate::ListOrganizationRoles) a `Page<`[`Role`]`>`,
/// [`ListInvitations`](crate::ListInvitations) a `Page<`[`OrganizationInvitation`]`>`, and so
/// does [`BulkCreateInvitations`](crate::BulkCreateInvitations), with the invitations it
/// created. ([`ListUsers`](crate::ListUsers) answers a bare `Vec<`[`User`]`>`: Clerk sends no
/// count.) On the wire a page is `{"data": [...], "total_count": n}`; other fields are
/// ignored.
///
/// Both fields are required and neither may be `null`, whatever the items are: an answer
/// without them is a decode error, so it never reads as an organization without members, or
/// without pending invitations (which would make a sync invite the same people again).
///
/// ```
/// use clerk_memberships::{OrganizationInvitation, OrganizationMembership, Page};
///
/// let page: Page<OrganizationMembership> = serde_json::from_str(r#"{"data":[],"total_count":0}"#)?;
/// assert!(page.data.is_empty());
/// assert_eq!(page.total_count, 0);
///
/// assert!(serde_json::from_str::<Page<OrganizationMembership>>("{}").is_err());
/// assert!(serde_json::from_str::<Page<OrganizationInvitation>>(r#"{"data":null}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items on this page, in the listing's order.
    pub data: Vec<T>,
    /// How many items the listing holds in all, across every page, as the server counts them
    /// (Clerk's `total_count`).
    pub total_count: i64,
}

/// One page of memberships, as [`ListMemberships`](crate::ListMemberships) answers: the name
/// Clerk's API reference gives it.
pub type OrganizationMemberships = Page<OrganizationMembership>;

impl Model for Page<OrganizationMembership> {
    const NAME: &'static str = "Page<OrganizationMembership>";
}

impl Model for Page<Role> {
    const NAME: &'static str = "Page<Role>";
}

impl Model for Page<OrganizationInvitation> {
    const NAME: &'static str = "Page<OrganizationInvitation>";
}

impl Model for Vec<User> {
    const NAME: &'static str = "Vec<User>";
}

/// A Clerk user, as `GET /users` lists them.
///
/// Only what a caller resolving or showing people needs is decoded; the many other fields
/// Clerk sends (phone numbers, external accounts, sign-in state, …) are ignored, as are fields
/// Clerk adds later. Every field the spec makes nullable, and every field but `id`, `object`
/// and the timestamps, is an `Option` or defaults when it is left out, so a sparse answer
/// still decodes.
///
/// ```
/// use clerk_memberships::User;
///
/// let json = r#"{"id":"user_1","object":"user","external_id":"hr-42",
///   "primary_email_address_id":"idn_1","username":null,"first_name":"Jane","last_name":null,
///   "email_addresses":[{"id":"idn_1","object":"email_address","email_address":"jane@acme.com"}],
///   "created_at":1716883200000,"updated_at":1716883200000,"passkeys":[]}"#;
/// let user: User = serde_json::from_str(json)?;
/// assert_eq!(user.external_id.as_deref(), Some("hr-42"));
/// assert_eq!(user.primary_email_address(), Some("jane@acme.com"));
/// assert_eq!(user.last_name, None);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// The user's id (`user_…`).
    pub id: String,
    /// Always `user`.
    pub object: String,
    /// The id of the user in your own systems (may be `null`). Unique across an instance.
    #[serde(default)]
    pub external_id: Option<String>,
    /// The id of the primary one among [`email_addresses`](Self::email_addresses) (may be
    /// `null`); see [`primary_email_address`](Self::primary_email_address).
    #[serde(default)]
    pub primary_email_address_id: Option<String>,
    /// Every email address of the user, the primary one included. Left out or `null`
    /// decodes as empty.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub email_addresses: Vec<EmailAddress>,
    /// Username (may be `null`).
    #[serde(default)]
    pub username: Option<String>,
    /// First name (may be `null`).
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name (may be `null`).
    #[serde(default)]
    pub last_name: Option<String>,
    /// Profile image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Whether the user uploaded a profile image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_image: Option<bool>,
    /// Metadata visible to both frontend and backend. Left out decodes as `{}`.
    #[serde(default)]
    pub public_metadata: Metadata,
    /// Metadata visible to the backend only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Metadata>,
    /// Whether the user is banned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banned: Option<bool>,
    /// Whether the user is locked out of signing in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked: Option<bool>,
    /// Time of the latest session activity, Unix milliseconds (may be `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_active_at: Option<i64>,
    /// Time of the last sign-in, Unix milliseconds (may be `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sign_in_at: Option<i64>,
    /// Creation time, Unix milliseconds.
    pub created_at: i64,
    /// Last update time, Unix milliseconds.
    pub updated_at: i64,
}

/// One email address of a [`User`].
///
/// ```
/// use clerk_memberships::EmailAddress;
///
/// let json = r#"{"id":"idn_1","object":"email_address","email_address":"jane@acme.com",
///   "reserved":false,"verification":{"status":"verified","strategy":"admin"},"linked_to":[],
///   "created_at":1716883200000,"updated_at":1716883200000}"#;
/// let address: EmailAddress = serde_json::from_str(json)?;
/// assert_eq!(address.id.as_deref(), Some("idn_1"));
/// assert_eq!(address.email_address, "jane@acme.com");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmailAddress {
    /// The address's id (`idn_…`), which [`User::primary_email_address_id`] names. Clerk
    /// always sends it, though its spec does not require it.
    #[serde(default)]
    pub id: Option<String>,
    /// Always `email_address`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// The address, e.g. `jane@acme.com`. Clerk keeps addresses in lowercase.
    pub email_address: String,
    /// Whether the address is reserved (unverified, but held for this user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved: Option<bool>,
    /// Creation time, Unix milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    /// Last update time, Unix milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<i64>,
}

impl User {
    /// The user's primary email address: the one of [`email_addresses`](Self::email_addresses)
    /// whose id is [`primary_email_address_id`](Self::primary_email_address_id). `None` when
    /// the user has no primary address or the answer did not include it.
    ///
    /// ```
    /// # let user: clerk_memberships::User =
    /// #     serde_json::from_str(clerk_memberships::testing::USER_JSON).unwrap();
    /// assert_eq!(user.primary_email_address(), Some("jane.doe@acme.com"));
    /// ```
    pub fn primary_email_address(&self) -> Option<&str> {
        let primary = self.primary_email_address_id.as_deref()?;
        self.email_addresses
            .iter()
            .find(|address| address.id.as_deref() == Some(primary))
            .map(|address| address.email_address.as_str())
    }

    /// Whether one of the user's email addresses is `email_address`, compared without regard
    /// to ASCII case (Clerk keeps addresses in lowercase; a roster may not) and to surrounding
    /// ASCII whitespace. Every other character must match exactly: there is no Unicode case
    /// folding, so a KELVIN SIGN (`\u{212A}`) or a fullwidth letter never matches its ASCII
    /// look-alike.
    ///
    /// ```
    /// # let user: clerk_memberships::User =
    /// #     serde_json::from_str(clerk_memberships::testing::USER_JSON).unwrap();
    /// assert!(user.has_email_address("Jane.Doe@ACME.com"));
    /// assert!(!user.has_email_address("jane@acme.com"));
    /// assert!(!user.has_email_address("Jane.Doe@ACME.\u{0441}om"), "a Cyrillic es is not a c");
    /// ```
    pub fn has_email_address(&self, email_address: &str) -> bool {
        let wanted = normalized_email(email_address);
        self.email_addresses
            .iter()
            .any(|address| normalized_email(&address.email_address) == wanted)
    }
}

/// A `null` array decodes as empty, as a missing one does.
fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// An organization role of the instance: the `key` a membership's
/// [`role`](OrganizationMembership::role) names, and what it grants.
///
/// Only `key` is needed to tell whether a role exists, so only it and `id` are required; every
/// other field defaults when it is left out or `null`, and fields Clerk adds are ignored.
///
/// ```
/// use clerk_memberships::Role;
///
/// let json = r#"{"object":"role","id":"role_1","name":"Billing","key":"org:billing",
///   "description":null,"is_creator_eligible":false,
///   "permissions":[{"object":"permission","id":"perm_1","name":"Read invoices",
///     "key":"org:invoices:read","description":"","type":"user",
///     "created_at":1716883200000,"updated_at":1716883200000}],
///   "created_at":1716883200000,"updated_at":1716883200000}"#;
/// let role: Role = serde_json::from_str(json)?;
/// assert_eq!(role.key, "org:billing");
/// assert_eq!(role.permission_keys().collect::<Vec<_>>(), ["org:invoices:read"]);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Role {
    /// Always `role`.
    #[serde(default)]
    pub object: String,
    /// The role's id (`role_…`).
    pub id: String,
    /// Display name, e.g. `Admin`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// The key memberships name the role by, e.g. `org:admin` or a custom `org:<key>`.
    pub key: String,
    /// Description (may be `null`).
    #[serde(default)]
    pub description: Option<String>,
    /// Whether the role may be given to the creator of an organization.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_creator_eligible: bool,
    /// The permissions the role grants. Left out or `null` decodes as empty.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub permissions: Vec<Permission>,
    /// Creation time, Unix milliseconds.
    #[serde(default)]
    pub created_at: i64,
    /// Last update time, Unix milliseconds.
    #[serde(default)]
    pub updated_at: i64,
}

impl Role {
    /// The keys of the permissions the role grants, in order.
    pub fn permission_keys(&self) -> impl Iterator<Item = &str> {
        self.permissions
            .iter()
            .map(|permission| permission.key.as_str())
    }
}

/// A permission an organization [`Role`] grants.
///
/// Only `key` is required; every other field defaults when it is left out or `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Permission {
    /// Always `permission`.
    #[serde(default)]
    pub object: String,
    /// The permission's id (`perm_…`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: String,
    /// Display name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// The key, e.g. `org:sys_memberships:manage` or a custom `org:<feature>:<action>`.
    pub key: String,
    /// Description.
    #[serde(default, deserialize_with = "null_as_default")]
    pub description: String,
    /// `system` for Clerk's own permissions, `user` for custom ones.
    #[serde(default, rename = "type", deserialize_with = "null_as_default")]
    pub kind: String,
    /// Creation time, Unix milliseconds.
    #[serde(default)]
    pub created_at: i64,
    /// Last update time, Unix milliseconds.
    #[serde(default)]
    pub updated_at: i64,
}

/// A `null` decodes as the type's default, as a missing field does.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

impl Model for OrganizationInvitation {
    const NAME: &'static str = "OrganizationInvitation";
}

/// An invitation to join an organization: an email with a join link that Clerk sent to an
/// address. When the invitee accepts, Clerk creates the membership with the invitation's
/// `role` and metadata.
///
/// Only `id` and `email_address` are required; every other field defaults when it is left
/// out or `null`, and fields Clerk adds are ignored.
///
/// ```
/// use clerk_memberships::OrganizationInvitation;
///
/// let json = r#"{"object":"organization_invitation","id":"orginv_1",
///   "email_address":"new.hire@acme.com","role":"org:member","role_name":"Member",
///   "organization_id":"org_1","inviter_id":null,"public_inviter_data":null,
///   "status":"pending","public_metadata":{"team":"billing"},"private_metadata":{},
///   "url":null,"expires_at":1719475200000,"created_at":1716883200000,
///   "updated_at":1716883200000}"#;
/// let invitation: OrganizationInvitation = serde_json::from_str(json)?;
/// assert!(invitation.is_pending());
/// assert_eq!(invitation.role, "org:member");
/// assert_eq!(invitation.public_metadata["team"], "billing");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrganizationInvitation {
    /// Always `organization_invitation`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub object: String,
    /// The invitation's id (`orginv_…`).
    pub id: String,
    /// The invited address, as Clerk keeps it.
    pub email_address: String,
    /// The role the membership gets on acceptance, e.g. `org:member`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub role: String,
    /// The role's display name, e.g. `Member`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
    /// The organization the invitation is to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// The user who sent the invitation, if one was named.
    #[serde(default)]
    pub inviter_id: Option<String>,
    /// Public data of the inviter, if one was named.
    #[serde(default)]
    pub public_inviter_data: Option<PublicUserData>,
    /// `pending`, `accepted`, `revoked` or `expired` (Clerk may add others).
    #[serde(default, deserialize_with = "null_as_default")]
    pub status: String,
    /// Metadata the membership gets on acceptance, visible to frontend and backend.
    #[serde(default, deserialize_with = "null_as_default")]
    pub public_metadata: Metadata,
    /// Metadata the membership gets on acceptance, visible to the backend only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Metadata>,
    /// The join link, when Clerk sends it.
    #[serde(default)]
    pub url: Option<String>,
    /// When the invitation expires, Unix milliseconds.
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// Creation time, Unix milliseconds.
    #[serde(default, deserialize_with = "null_as_default")]
    pub created_at: i64,
    /// Last update time, Unix milliseconds.
    #[serde(default, deserialize_with = "null_as_default")]
    pub updated_at: i64,
}

impl OrganizationInvitation {
    /// Whether the invitation is `pending`: sent, neither accepted, revoked nor expired.
    pub fn is_pending(&self) -> bool {
        self.status == "pending"
    }

    /// Whether it invites `email_address`, compared as the crate compares addresses
    /// (surrounding whitespace and ASCII case ignored).
    ///
    /// ```
    /// # let invitation: clerk_memberships::OrganizationInvitation = serde_json::from_str(
    /// #     r#"{"id":"orginv_1","email_address":"new.hire@acme.com"}"#).unwrap();
    /// assert!(invitation.invites("New.Hire@ACME.com"));
    /// ```
    pub fn invites(&self, email_address: &str) -> bool {
        normalized_email(&self.email_address) == normalized_email(email_address)
    }
}
