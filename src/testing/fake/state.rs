//! The fake's data: organizations, users, roles and memberships, the id generator, and the
//! operations applied to them.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use crate::models::{
    Metadata, Organization, OrganizationMembership, Permission, PublicUserData, Role as RoleModel,
};

use super::error::FakeError;
use super::merge::deep_merge;
use super::response::Failure;
use super::seed::{FakeOrganization, FakeUser, Profile, slugify};

pub(super) mod invitations;
pub(super) mod snapshot;

/// Where the fake's default clock stands, and when the built-in roles were made:
/// 2026-05-12T00:00:00Z, in Unix milliseconds.
pub(super) const START_MS: i64 = 1_778_544_000_000;

/// The image URL Clerk gives organizations and users without an image of their own.
const DEFAULT_IMAGE_URL: &str = "https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCJ9";

/// The permissions whose absence among all members makes an organization "missing a member
/// with elevated permissions" (Clerk's definition).
const ELEVATED: [&str; 3] = [
    "org:sys_memberships:read",
    "org:sys_memberships:manage",
    "org:sys_profile:delete",
];

#[derive(Debug, Clone)]
pub(super) struct OrgRecord {
    id: String,
    name: String,
    slug: String,
    max_allowed_memberships: u32,
    public_metadata: Metadata,
    private_metadata: Metadata,
    created_at: i64,
    updated_at: i64,
    /// Members by insertion sequence number (creation order).
    members: BTreeMap<u64, MembershipRecord>,
    /// User id → sequence number in `members`.
    by_user: HashMap<String, u64>,
}

#[derive(Debug, Clone)]
pub(super) struct MembershipRecord {
    /// Insertion order: breaks every sort tie.
    pub(super) seq: u64,
    pub(super) id: String,
    pub(super) user_id: String,
    pub(super) role: String,
    pub(super) public_metadata: Metadata,
    pub(super) private_metadata: Metadata,
    pub(super) created_at: i64,
    pub(super) updated_at: i64,
}

/// A membership with its user, as a listing filters and sorts them.
pub(super) type Member<'a> = (&'a MembershipRecord, Cow<'a, UserRecord>);

/// A seeded user as the fake keeps it: a [`FakeUser`]'s profile with its id and creation time
/// settled.
#[derive(Debug, Clone)]
pub(super) struct UserRecord {
    pub(super) id: String,
    pub(super) created_at: i64,
    pub(super) profile: Profile,
    /// Insertion order among users: breaks every sort tie of `GET /users`.
    pub(super) seq: u64,
    /// The `idn_…` ids of the email addresses, phone numbers and web3 wallets, in order.
    pub(super) email_address_ids: Vec<String>,
    pub(super) phone_number_ids: Vec<String>,
    pub(super) web3_wallet_ids: Vec<String>,
}

impl UserRecord {
    /// The record of `seed` under `id` (the seed's own id, if any, is not looked at), created
    /// at `now` unless the seed says when.
    fn new(id: String, seed: FakeUser, now: i64) -> Self {
        UserRecord {
            id,
            created_at: seed.created_at.unwrap_or(now),
            profile: seed.profile,
            seq: 0,
            email_address_ids: Vec::new(),
            phone_number_ids: Vec::new(),
            web3_wallet_ids: Vec::new(),
        }
    }

    /// A user without names or contact details, created at 0.
    fn placeholder(id: &str) -> Self {
        UserRecord::new(id.to_owned(), FakeUser::unnamed(), 0)
    }
}

#[derive(Debug, Clone)]
pub(super) struct Role {
    pub(super) name: String,
    permissions: Vec<String>,
    /// When the instance got the role; `GET /organization_roles` sorts by it.
    pub(super) created_at: i64,
    /// Definition order: breaks sort ties.
    pub(super) seq: u64,
}

/// Counters behind the deterministic ids.
#[derive(Debug, Default)]
struct Counters {
    organization: u64,
    user: u64,
    membership: u64,
    seq: u64,
    user_seq: u64,
    identification: u64,
    role_seq: u64,
    invitation: u64,
}

/// Everything the fake knows.
#[derive(Debug)]
pub(super) struct State {
    organizations: HashMap<String, OrgRecord>,
    users: HashMap<String, UserRecord>,
    roles: HashMap<String, Role>,
    /// Every invitation ever created, oldest first.
    invitations: Vec<invitations::InvitationRecord>,
    counters: Counters,
}

impl Default for State {
    fn default() -> Self {
        let mut state = State {
            organizations: HashMap::new(),
            users: HashMap::new(),
            roles: HashMap::new(),
            invitations: Vec::new(),
            counters: Counters::default(),
        };
        state.add_builtin_roles();
        state
    }
}

/// `prefix` + `fake` + the counter on 23 digits: 27 characters after the prefix, like a
/// Clerk id, and only `[A-Za-z0-9_]`.
fn generated_id(prefix: &str, counter: &mut u64, taken: impl Fn(&str) -> bool) -> String {
    loop {
        *counter += 1;
        let id = format!("{prefix}fake{:023}", *counter);
        if !taken(&id) {
            return id;
        }
    }
}

impl State {
    /// Defines the two roles every instance starts with, `org:admin` and `org:member`, with
    /// Clerk's names and system permissions; the fake's date from its default start.
    pub(super) fn add_builtin_roles(&mut self) {
        let since = START_MS;
        self.add_role(
            "org:admin",
            "Admin",
            vec![
                "org:sys_domains:manage".into(),
                "org:sys_domains:read".into(),
                "org:sys_memberships:manage".into(),
                "org:sys_memberships:read".into(),
                "org:sys_profile:delete".into(),
                "org:sys_profile:manage".into(),
            ],
            since,
        );
        self.add_role(
            "org:member",
            "Member",
            vec!["org:sys_memberships:read".into()],
            since,
        );
    }

    /// Defines a role of the instance, or redefines one (which keeps its creation time).
    pub(super) fn add_role(
        &mut self,
        key: &str,
        name: &str,
        permissions: Vec<String>,
        created_at: i64,
    ) {
        let (created_at, seq) = match self.roles.get(key) {
            Some(role) => (role.created_at, role.seq),
            None => {
                self.counters.role_seq += 1;
                (created_at, self.counters.role_seq)
            }
        };
        self.roles.insert(
            key.to_owned(),
            Role {
                name: name.to_owned(),
                permissions,
                created_at,
                seq,
            },
        );
    }

    /// Takes a role from the instance; memberships that hold it keep it. Whether it was
    /// there.
    pub(super) fn remove_role(&mut self, key: &str) -> bool {
        self.roles.remove(key).is_some()
    }

    /// The keys of the instance's roles, sorted.
    pub(super) fn role_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.roles.keys().cloned().collect();
        keys.sort();
        keys
    }

    /// A write may give only a role the instance has: `422 form_param_value_invalid` for
    /// `role` otherwise.
    fn check_role(&self, role: &str) -> Result<(), Failure> {
        if self.roles.contains_key(role) {
            Ok(())
        } else {
            Err(Failure::value_invalid("role", role))
        }
    }

    pub(super) fn add_organization(&mut self, seed: FakeOrganization, now: i64) -> String {
        let id = match seed.id {
            Some(id) => id,
            None => generated_id("org_", &mut self.counters.organization, |id| {
                self.organizations.contains_key(id)
            }),
        };
        let created_at = seed.created_at.unwrap_or(now);
        let slug = seed.slug.unwrap_or_else(|| slugify(&seed.name));
        let (members, by_user) = match self.organizations.remove(&id) {
            Some(previous) => (previous.members, previous.by_user),
            None => Default::default(),
        };
        self.organizations.insert(
            id.clone(),
            OrgRecord {
                id: id.clone(),
                name: seed.name,
                slug,
                max_allowed_memberships: seed.max_allowed_memberships,
                public_metadata: seed.public_metadata,
                private_metadata: seed.private_metadata,
                created_at,
                updated_at: created_at,
                members,
                by_user,
            },
        );
        id
    }

    pub(super) fn add_user(&mut self, mut seed: FakeUser, now: i64) -> String {
        let id = match seed.id.take() {
            Some(id) => id,
            None => generated_id("user_", &mut self.counters.user, |id| {
                self.users.contains_key(id)
            }),
        };
        let mut record = UserRecord::new(id.clone(), seed, now);
        record.seq = match self.users.get(&id) {
            Some(previous) => previous.seq,
            None => {
                self.counters.user_seq += 1;
                self.counters.user_seq
            }
        };
        let counter = &mut self.counters.identification;
        let mut ids = |values: &[String]| -> Vec<String> {
            // Never chosen by callers, so the counter alone keeps them unique.
            values
                .iter()
                .map(|_| generated_id("idn_", counter, |_| false))
                .collect()
        };
        record.email_address_ids = ids(&record.profile.email_addresses);
        record.phone_number_ids = ids(&record.profile.phone_numbers);
        record.web3_wallet_ids = ids(&record.profile.web3_wallets);
        self.users.insert(id.clone(), record);
        id
    }

    /// Seeds a membership, without the quota check `create` makes.
    pub(super) fn add_membership(
        &mut self,
        organization_id: &str,
        user_id: &str,
        role: &str,
        now: i64,
    ) -> Result<String, FakeError> {
        if !self.users.contains_key(user_id) {
            return Err(FakeError::UnknownUser(user_id.to_owned()));
        }
        let Some(org) = self.organizations.get_mut(organization_id) else {
            return Err(FakeError::UnknownOrganization(organization_id.to_owned()));
        };
        if org.by_user.contains_key(user_id) {
            return Err(FakeError::AlreadyAMember {
                organization_id: organization_id.to_owned(),
                user_id: user_id.to_owned(),
            });
        }
        let record = insert_member(
            org,
            &mut self.counters,
            user_id,
            role,
            Metadata::new(),
            Metadata::new(),
            now,
        );
        Ok(record.id.clone())
    }

    /// `POST …/memberships`.
    pub(super) fn create(
        &mut self,
        organization_id: &str,
        new: NewMembership,
        now: i64,
    ) -> Result<OrganizationMembership, Failure> {
        let Some(org) = self.organizations.get_mut(organization_id) else {
            return Err(Failure::organization_not_found());
        };
        if !self.users.contains_key(&new.user_id) {
            return Err(Failure::user_not_found(&new.user_id));
        }
        if !self.roles.contains_key(&new.role) {
            return Err(Failure::value_invalid("role", &new.role));
        }
        if org.by_user.contains_key(&new.user_id) {
            return Err(Failure::already_a_member(&new.user_id));
        }
        let max = org.max_allowed_memberships;
        if max > 0 && org.members.len() >= max as usize {
            return Err(Failure::quota_exceeded(max));
        }
        let seq = insert_member(
            org,
            &mut self.counters,
            &new.user_id,
            &new.role,
            new.public_metadata,
            new.private_metadata,
            now,
        )
        .seq;
        self.answer(organization_id, seq)
    }

    /// `PATCH …/memberships/{user_id}` as a request makes it: the membership must exist
    /// (`404`) and the role be one of the instance's (`422`).
    pub(super) fn set_role(
        &mut self,
        organization_id: &str,
        user_id: &str,
        role: String,
        now: i64,
    ) -> Result<OrganizationMembership, Failure> {
        self.member_mut(organization_id, user_id)?;
        self.check_role(&role)?;
        self.update_role(organization_id, user_id, role, now)
    }

    /// Sets a membership's role, whatever the role (seeding stages races with it).
    pub(super) fn update_role(
        &mut self,
        organization_id: &str,
        user_id: &str,
        role: String,
        now: i64,
    ) -> Result<OrganizationMembership, Failure> {
        let (seq, membership) = self.member_mut(organization_id, user_id)?;
        membership.role = role;
        membership.updated_at = now;
        self.answer(organization_id, seq)
    }

    /// `PATCH …/memberships/{user_id}/metadata`.
    pub(super) fn merge_metadata(
        &mut self,
        organization_id: &str,
        user_id: &str,
        public: Option<Metadata>,
        private: Option<Metadata>,
        now: i64,
    ) -> Result<OrganizationMembership, Failure> {
        let (seq, membership) = self.member_mut(organization_id, user_id)?;
        if let Some(public) = public {
            deep_merge(&mut membership.public_metadata, public);
        }
        if let Some(private) = private {
            deep_merge(&mut membership.private_metadata, private);
        }
        membership.updated_at = now;
        self.answer(organization_id, seq)
    }

    /// `DELETE …/memberships/{user_id}`: the removed membership, as it was, in an
    /// organization that no longer counts it.
    pub(super) fn delete(
        &mut self,
        organization_id: &str,
        user_id: &str,
    ) -> Result<OrganizationMembership, Failure> {
        let org = self
            .organizations
            .get_mut(organization_id)
            .ok_or_else(Failure::organization_not_found)?;
        let seq = org
            .by_user
            .remove(user_id)
            .ok_or_else(Failure::membership_not_found)?;
        let removed = org
            .members
            .remove(&seq)
            .ok_or_else(Failure::membership_not_found)?;
        let org = self
            .organizations
            .get(organization_id)
            .ok_or_else(Failure::organization_not_found)?;
        Ok(self.membership_model(&self.organization_model(org), &removed))
    }

    /// An organization's members, each with their user, in no particular order; and the
    /// organization as its memberships show it.
    pub(super) fn members(
        &self,
        organization_id: &str,
    ) -> Result<(Organization, Vec<Member<'_>>), Failure> {
        let org = self
            .organizations
            .get(organization_id)
            .ok_or_else(Failure::organization_not_found)?;
        let members = org
            .members
            .values()
            .map(|membership| (membership, self.user(&membership.user_id)))
            .collect();
        Ok((self.organization_model(org), members))
    }

    /// `GET /organizations/{organization_id}`: the organization with this id, else the one
    /// with this slug; `members_count` and `missing_member_with_elevated_permissions` only
    /// when asked for, as Clerk leaves them out otherwise.
    pub(super) fn organization(
        &self,
        id_or_slug: &str,
        members_count: bool,
        missing_elevated: bool,
    ) -> Result<Organization, Failure> {
        let org = self
            .organizations
            .get(id_or_slug)
            .or_else(|| {
                self.organizations
                    .values()
                    .find(|org| org.slug == id_or_slug)
            })
            .ok_or_else(Failure::organization_not_found)?;
        let mut model = self.organization_model(org);
        if !members_count {
            model.members_count = None;
        }
        if !missing_elevated {
            model.missing_member_with_elevated_permissions = None;
        }
        Ok(model)
    }

    /// Every organization's members, each with their user and the organization as its
    /// memberships show it, in no particular order.
    pub(super) fn instance_members(&self) -> Vec<(std::rc::Rc<Organization>, Member<'_>)> {
        let mut rows = Vec::new();
        for org in self.organizations.values() {
            let organization = std::rc::Rc::new(self.organization_model(org));
            for membership in org.members.values() {
                rows.push((
                    std::rc::Rc::clone(&organization),
                    (membership, self.user(&membership.user_id)),
                ));
            }
        }
        rows
    }

    /// Every user, in no particular order.
    pub(super) fn users(&self) -> impl Iterator<Item = &UserRecord> {
        self.users.values()
    }

    /// Every role of the instance with its key, in no particular order.
    pub(super) fn roles(&self) -> impl Iterator<Item = (&String, &Role)> {
        self.roles.iter()
    }

    /// One membership as the API shows it, if it exists.
    pub(super) fn find(
        &self,
        organization_id: &str,
        user_id: &str,
    ) -> Option<OrganizationMembership> {
        let org = self.organizations.get(organization_id)?;
        let membership = org.members.get(org.by_user.get(user_id)?)?;
        Some(self.membership_model(&self.organization_model(org), membership))
    }

    /// Every membership of an organization, oldest first.
    pub(super) fn all(&self, organization_id: &str) -> Vec<OrganizationMembership> {
        let Some(org) = self.organizations.get(organization_id) else {
            return Vec::new();
        };
        let organization = self.organization_model(org);
        org.members
            .values()
            .map(|membership| self.membership_model(&organization, membership))
            .collect()
    }

    /// One user as `GET /users` shows them, if they exist.
    pub(super) fn user_value(&self, user_id: &str) -> Option<Value> {
        self.users.get(user_id).map(user_json)
    }

    pub(super) fn counts(&self) -> (usize, usize) {
        (self.organizations.len(), self.users.len())
    }

    fn member_mut(
        &mut self,
        organization_id: &str,
        user_id: &str,
    ) -> Result<(u64, &mut MembershipRecord), Failure> {
        let org = self
            .organizations
            .get_mut(organization_id)
            .ok_or_else(Failure::organization_not_found)?;
        let seq = *org
            .by_user
            .get(user_id)
            .ok_or_else(Failure::membership_not_found)?;
        let membership = org
            .members
            .get_mut(&seq)
            .ok_or_else(Failure::membership_not_found)?;
        Ok((seq, membership))
    }

    /// The membership with sequence number `seq`, as the API answers with it.
    fn answer(&self, organization_id: &str, seq: u64) -> Result<OrganizationMembership, Failure> {
        let org = self
            .organizations
            .get(organization_id)
            .ok_or_else(Failure::organization_not_found)?;
        let membership = org
            .members
            .get(&seq)
            .ok_or_else(Failure::membership_not_found)?;
        Ok(self.membership_model(&self.organization_model(org), membership))
    }

    fn organization_model(&self, org: &OrgRecord) -> Organization {
        let elevated = org.members.values().any(|membership| {
            self.roles.get(&membership.role).is_some_and(|role| {
                ELEVATED
                    .iter()
                    .all(|needed| role.permissions.iter().any(|p| p == needed))
            })
        });
        Organization {
            object: "organization".into(),
            id: org.id.clone(),
            name: org.name.clone(),
            slug: org.slug.clone(),
            image_url: Some(DEFAULT_IMAGE_URL.into()),
            has_image: false,
            members_count: Some(i64::try_from(org.members.len()).unwrap_or(i64::MAX)),
            missing_member_with_elevated_permissions: Some(!elevated),
            pending_invitations_count: Some(0),
            max_allowed_memberships: i64::from(org.max_allowed_memberships),
            admin_delete_enabled: true,
            public_metadata: org.public_metadata.clone(),
            private_metadata: Some(org.private_metadata.clone()),
            created_by: None,
            created_at: org.created_at,
            updated_at: org.updated_at,
            last_active_at: None,
            role_set_key: None,
        }
    }

    pub(super) fn membership_model(
        &self,
        organization: &Organization,
        membership: &MembershipRecord,
    ) -> OrganizationMembership {
        let role = self.roles.get(&membership.role);
        OrganizationMembership {
            object: "organization_membership".into(),
            id: membership.id.clone(),
            role: membership.role.clone(),
            role_name: role.map(|role| role.name.clone()),
            // Clerk sends `null` for roles without permissions; roles the fake does not know
            // have none.
            permissions: role
                .map(|role| role.permissions.clone())
                .filter(|permissions| !permissions.is_empty()),
            public_metadata: membership.public_metadata.clone(),
            private_metadata: Some(membership.private_metadata.clone()),
            organization: organization.clone(),
            public_user_data: Some(self.public_user_data(&membership.user_id)),
            created_at: membership.created_at,
            updated_at: membership.updated_at,
        }
    }

    /// A member's user record. Users are never removed, so the placeholder is only there to
    /// make a lookup that cannot fail also unable to panic.
    fn user(&self, user_id: &str) -> Cow<'_, UserRecord> {
        match self.users.get(user_id) {
            Some(user) => Cow::Borrowed(user),
            None => Cow::Owned(UserRecord::placeholder(user_id)),
        }
    }

    fn public_user_data(&self, user_id: &str) -> PublicUserData {
        let user = self.user(user_id);
        PublicUserData {
            user_id: user.id.clone(),
            first_name: user.profile.first_name.clone(),
            last_name: user.profile.last_name.clone(),
            profile_image_url: Some(DEFAULT_IMAGE_URL.into()),
            image_url: DEFAULT_IMAGE_URL.into(),
            has_image: false,
            identifier: user.profile.identifier(),
            username: user.profile.username.clone(),
            banned: Some(false),
            deprovisioned: Some(false),
        }
    }
}

/// A user as Clerk's `User` schema has it: every field the spec requires, with the values
/// Clerk sends for a user created by the Backend API (verified addresses, no password, no
/// second factor). The fake does not record updates to users, so `updated_at` is the
/// creation time.
pub(super) fn user_json(user: &UserRecord) -> Value {
    let identification = |ids: &[String], values: &[String], object: &str, field: &str| {
        ids.iter()
            .zip(values)
            .map(|(id, value)| {
                let mut item = json!({
                    "id": id,
                    "object": object,
                    field: value,
                    // `object` is the discriminator the spec's `oneOf` of verifications
                    // names: SDKs generated from it refuse a verification without one.
                    "verification": {"object": "verification_admin", "status": "verified",
                                     "strategy": "admin", "attempts": null, "expire_at": null},
                    "created_at": user.created_at,
                    "updated_at": user.created_at,
                });
                // A web3 wallet has neither `reserved` nor `linked_to`: its schema allows no
                // other properties.
                if object != "web3_wallet"
                    && let Some(item) = item.as_object_mut()
                {
                    item.insert("reserved".into(), Value::Bool(false));
                    item.insert("linked_to".into(), json!([]));
                    if object == "email_address" {
                        item.insert("matches_sso_connection".into(), Value::Bool(false));
                    }
                }
                item
            })
            .collect::<Vec<_>>()
    };
    json!({
        "id": user.id,
        "object": "user",
        "external_id": user.profile.external_id,
        "primary_email_address_id": user.email_address_ids.first(),
        "primary_phone_number_id": user.phone_number_ids.first(),
        "primary_web3_wallet_id": user.web3_wallet_ids.first(),
        "username": user.profile.username,
        "first_name": user.profile.first_name,
        "last_name": user.profile.last_name,
        "locale": null,
        "profile_image_url": DEFAULT_IMAGE_URL,
        "image_url": DEFAULT_IMAGE_URL,
        "has_image": false,
        "public_metadata": {},
        "private_metadata": {},
        "unsafe_metadata": {},
        "email_addresses": identification(
            &user.email_address_ids, &user.profile.email_addresses, "email_address", "email_address"),
        "phone_numbers": identification(
            &user.phone_number_ids, &user.profile.phone_numbers, "phone_number", "phone_number"),
        "web3_wallets": identification(
            &user.web3_wallet_ids, &user.profile.web3_wallets, "web3_wallet", "web3_wallet"),
        "passkeys": [],
        "password_enabled": false,
        "two_factor_enabled": false,
        "totp_enabled": false,
        "backup_code_enabled": false,
        "mfa_enabled_at": null,
        "mfa_disabled_at": null,
        "external_accounts": [],
        "saml_accounts": [],
        "enterprise_accounts": [],
        "last_sign_in_at": null,
        "banned": false,
        "locked": false,
        "lockout_expires_in_seconds": null,
        "verification_attempts_remaining": null,
        "created_at": user.created_at,
        "updated_at": user.created_at,
        "delete_self_enabled": true,
        "create_organization_enabled": true,
        "last_active_at": user.profile.last_active_at,
        "legal_accepted_at": null,
    })
}

/// A role's id, made from its key so that it is the same in every fake and after a reload:
/// `role_fake` and 23 digits, 27 characters after the prefix like a Clerk id.
pub(super) fn role_id(key: &str) -> String {
    format!("role_fake{:023}", fnv1a(key))
}

/// 64-bit FNV-1a: a stable hash for the ids made from keys.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A role as `GET /organization_roles` shows it. Its permissions are shown with their key as
/// their name, `system` for Clerk's own (`org:sys_…`) and `user` for the others; a role may
/// be given to an organization's creator when it grants the elevated permissions.
pub(super) fn role_model(key: &str, role: &Role, id: String) -> RoleModel {
    let permissions = role
        .permissions
        .iter()
        .map(|permission| Permission {
            object: "permission".into(),
            id: format!("perm_fake{:023}", fnv1a(permission)),
            name: permission.clone(),
            key: permission.clone(),
            description: String::new(),
            kind: if permission.starts_with("org:sys_") {
                "system".into()
            } else {
                "user".into()
            },
            created_at: role.created_at,
            updated_at: role.created_at,
        })
        .collect();
    RoleModel {
        object: "role".into(),
        id,
        name: role.name.clone(),
        key: key.to_owned(),
        description: None,
        is_creator_eligible: ELEVATED
            .iter()
            .all(|needed| role.permissions.iter().any(|p| p == needed)),
        permissions,
        created_at: role.created_at,
        updated_at: role.created_at,
    }
}

/// A checked `create` body.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct NewMembership {
    pub(super) user_id: String,
    pub(super) role: String,
    pub(super) public_metadata: Metadata,
    pub(super) private_metadata: Metadata,
}

fn insert_member<'a>(
    org: &'a mut OrgRecord,
    counters: &mut Counters,
    user_id: &str,
    role: &str,
    public_metadata: Metadata,
    private_metadata: Metadata,
    now: i64,
) -> &'a MembershipRecord {
    counters.seq += 1;
    let seq = counters.seq;
    // Membership ids are never chosen by callers, so the counter alone keeps them unique.
    let id = generated_id("orgmem_", &mut counters.membership, |_| false);
    org.by_user.insert(user_id.to_owned(), seq);
    org.members.entry(seq).or_insert(MembershipRecord {
        seq,
        id,
        user_id: user_id.to_owned(),
        role: role.to_owned(),
        public_metadata,
        private_metadata,
        created_at: now,
        updated_at: now,
    })
}
