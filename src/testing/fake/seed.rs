//! What a test puts into the fake before it starts: organizations and users, described with
//! small chained builders.

use serde_json::Value;

use crate::models::Metadata;

/// An organization to seed a [`FakeClerk`](super::FakeClerk) with.
///
/// Only the name is required. Everything else has a default: a generated `org_…` id, a slug
/// made from the name (`"Acme Corp"` → `"acme-corp"`), no membership limit, empty metadata and
/// the fake's current time as creation time.
///
/// ```
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization};
/// use serde_json::json;
///
/// let fake = FakeClerk::new();
/// let acme = fake.add_organization(
///     FakeOrganization::new("Acme Corp")
///         .slug("acme")
///         .max_allowed_memberships(5)
///         .public_metadata(json!({"plan": "pro"})),
/// );
/// assert!(acme.starts_with("org_"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FakeOrganization {
    pub(super) id: Option<String>,
    pub(super) name: String,
    pub(super) slug: Option<String>,
    pub(super) max_allowed_memberships: u32,
    pub(super) public_metadata: Metadata,
    pub(super) private_metadata: Metadata,
    pub(super) created_at: Option<i64>,
}

impl FakeOrganization {
    /// An organization with this display name.
    pub fn new(name: impl Into<String>) -> Self {
        FakeOrganization {
            id: None,
            name: name.into(),
            slug: None,
            max_allowed_memberships: 0,
            public_metadata: Metadata::new(),
            private_metadata: Metadata::new(),
            created_at: None,
        }
    }

    /// Uses this id instead of a generated one. Any string is accepted (`/`, spaces, `%`,
    /// non-ASCII…), which is how tests check that ids are escaped on the way to the server.
    ///
    /// Seeding an id that already exists replaces that organization's data and keeps its
    /// members.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The URL-friendly name.
    ///
    /// Defaults to the name in lowercase, with every run of other characters than letters
    /// and digits turned into one `-`.
    pub fn slug(mut self, slug: impl Into<String>) -> Self {
        self.slug = Some(slug.into());
        self
    }

    /// The most members the organization may have; creating one more answers `403
    /// organization_membership_quota_exceeded`.
    ///
    /// Defaults to `0`, which means unlimited (as in Clerk).
    pub fn max_allowed_memberships(mut self, max: u32) -> Self {
        self.max_allowed_memberships = max;
        self
    }

    /// The organization's public metadata. A value that is not a JSON object counts as `{}`.
    ///
    /// Defaults to `{}`.
    pub fn public_metadata(mut self, metadata: Value) -> Self {
        self.public_metadata = into_object(metadata);
        self
    }

    /// The organization's private metadata. A value that is not a JSON object counts as `{}`.
    ///
    /// Defaults to `{}`.
    pub fn private_metadata(mut self, metadata: Value) -> Self {
        self.private_metadata = into_object(metadata);
        self
    }

    /// Creation time, Unix milliseconds.
    ///
    /// Defaults to the fake's clock when the organization is added.
    pub fn created_at(mut self, millis: i64) -> Self {
        self.created_at = Some(millis);
        self
    }
}

/// A user to seed a [`FakeClerk`](super::FakeClerk) with.
///
/// The first email address, phone number and web3 wallet added are the user's primary ones:
/// they are what `order_by=email_address` / `phone_number` sort on, what
/// `primary_email_address_id` names in `GET /users`, and what `public_user_data.identifier`
/// shows (the first of email, phone, username, wallet that the user has). Each address,
/// number and wallet gets a deterministic `idn_…` id when the user is added.
///
/// Email addresses and external ids are stored as given. Clerk keeps addresses in lowercase
/// and refuses a second user with the same address or external id; the fake checks neither,
/// so that a test can seed what a real instance would hold (lowercase, unique) or, on
/// purpose, the duplicates that make a lookup ambiguous.
///
/// ```
/// use clerk_memberships::testing::{FakeClerk, FakeUser};
///
/// let fake = FakeClerk::new();
/// let jane = fake.add_user(
///     FakeUser::new("Jane", "Doe")
///         .email("jane@acme.com")
///         .phone_number("+15555550100")
///         .username("jane")
///         .external_id("hr-00042")
///         .last_active_at(1_778_000_000_000),
/// );
/// assert!(jane.starts_with("user_"));
/// assert_eq!(fake.user(&jane).unwrap().external_id.as_deref(), Some("hr-00042"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeUser {
    pub(super) id: Option<String>,
    pub(super) created_at: Option<i64>,
    pub(super) profile: Profile,
}

/// Who a user is, as seeded and as the fake keeps them: names, contact details, external id
/// and last activity. A [`FakeUser`] is a profile with an id and a creation time still to be
/// settled; the fake's record of a user is one with both settled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Profile {
    pub(super) first_name: Option<String>,
    pub(super) last_name: Option<String>,
    pub(super) email_addresses: Vec<String>,
    pub(super) phone_numbers: Vec<String>,
    pub(super) username: Option<String>,
    pub(super) web3_wallets: Vec<String>,
    pub(super) external_id: Option<String>,
    pub(super) last_active_at: Option<i64>,
}

impl Profile {
    /// What Clerk shows as the user's identifier: the primary email, else phone, else
    /// username, else web3 wallet.
    pub(super) fn identifier(&self) -> Option<String> {
        self.email_addresses
            .first()
            .or(self.phone_numbers.first())
            .or(self.username.as_ref())
            .or(self.web3_wallets.first())
            .cloned()
    }
}

impl FakeUser {
    /// A user with a first and a last name.
    pub fn new(first_name: impl Into<String>, last_name: impl Into<String>) -> Self {
        FakeUser::unnamed()
            .first_name(first_name)
            .last_name(last_name)
    }

    /// A user without names (`first_name` and `last_name` are `null` on the wire).
    pub fn unnamed() -> Self {
        FakeUser {
            id: None,
            created_at: None,
            profile: Profile::default(),
        }
    }

    /// Uses this id instead of a generated `user_…` one. Any string is accepted.
    ///
    /// Seeding an id that already exists replaces that user's data and keeps their
    /// memberships.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the first name.
    pub fn first_name(mut self, first_name: impl Into<String>) -> Self {
        self.profile.first_name = Some(first_name.into());
        self
    }

    /// Sets the last name.
    pub fn last_name(mut self, last_name: impl Into<String>) -> Self {
        self.profile.last_name = Some(last_name.into());
        self
    }

    /// Adds an email address; the first one added is the primary one.
    pub fn email(mut self, email_address: impl Into<String>) -> Self {
        self.profile.email_addresses.push(email_address.into());
        self
    }

    /// Adds a phone number; the first one added is the primary one.
    pub fn phone_number(mut self, phone_number: impl Into<String>) -> Self {
        self.profile.phone_numbers.push(phone_number.into());
        self
    }

    /// Sets the username.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.profile.username = Some(username.into());
        self
    }

    /// Adds a web3 wallet address.
    pub fn web3_wallet(mut self, address: impl Into<String>) -> Self {
        self.profile.web3_wallets.push(address.into());
        self
    }

    /// Sets the id of the user in your own systems (`external_id`), which `GET /users` can
    /// filter on. Any string is accepted, one beginning with `+` or `-` included.
    ///
    /// Defaults to none (`null` on the wire).
    pub fn external_id(mut self, external_id: impl Into<String>) -> Self {
        self.profile.external_id = Some(external_id.into());
        self
    }

    /// Time of the user's last session activity, Unix milliseconds.
    ///
    /// Defaults to none: such a user never matches a `last_active_at_*` filter.
    pub fn last_active_at(mut self, millis: i64) -> Self {
        self.profile.last_active_at = Some(millis);
        self
    }

    /// The user's creation time, Unix milliseconds (what the `created_at_*` list filters
    /// look at).
    ///
    /// Defaults to the fake's clock when the user is added.
    pub fn created_at(mut self, millis: i64) -> Self {
        self.created_at = Some(millis);
        self
    }
}

fn into_object(value: Value) -> Metadata {
    match value {
        Value::Object(map) => map,
        _ => Metadata::new(),
    }
}

/// `"Acme Corp!"` → `"acme-corp"`.
pub(super) fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    let mut pending_dash = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(c);
        } else {
            pending_dash = true;
        }
    }
    slug
}
