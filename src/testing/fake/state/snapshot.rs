//! The fake's state as a JSON document: dumped from the state, loaded into a fresh one.
//!
//! The format is documented on [`FakeClerk::dump_state`](crate::testing::FakeClerk::dump_state).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::models::Metadata;

use super::super::error::FakeError;
use super::super::seed::slugify;
use super::invitations::{InvitationRecord, Stored};
use super::{Counters, MembershipRecord, OrgRecord, Role, State, UserRecord};

/// The `format` field of every state document.
pub(in crate::testing::fake) const FORMAT: &str = "clerk-memberships/fake-state";
/// The version this crate writes and reads.
pub(in crate::testing::fake) const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::testing::fake) struct Document {
    format: String,
    version: u32,
    /// Absent: the built-in roles. Present, even empty: exactly these.
    #[serde(default)]
    roles: Option<Vec<RoleDoc>>,
    #[serde(default)]
    users: Vec<UserDoc>,
    #[serde(default)]
    organizations: Vec<OrganizationDoc>,
    /// Every invitation, oldest first; absent: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    invitations: Vec<InvitationDoc>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InvitationDoc {
    id: String,
    organization_id: String,
    email_address: String,
    role: String,
    /// `pending`, `accepted` or `revoked`; a pending one past `expires_at` shows as expired.
    status: Stored,
    #[serde(default)]
    public_metadata: Metadata,
    #[serde(default)]
    private_metadata: Metadata,
    #[serde(default)]
    inviter_id: Option<String>,
    #[serde(default)]
    redirect_url: Option<String>,
    #[serde(default)]
    created_at: Option<i64>,
    #[serde(default)]
    updated_at: Option<i64>,
    #[serde(default)]
    expires_at: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleDoc {
    key: String,
    name: String,
    #[serde(default)]
    permissions: Vec<String>,
    #[serde(default)]
    created_at: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserDoc {
    id: String,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    email_addresses: Vec<String>,
    #[serde(default)]
    phone_numbers: Vec<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    web3_wallets: Vec<String>,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    last_active_at: Option<i64>,
    #[serde(default)]
    created_at: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrganizationDoc {
    id: String,
    name: String,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    max_allowed_memberships: u32,
    #[serde(default)]
    public_metadata: Metadata,
    #[serde(default)]
    private_metadata: Metadata,
    #[serde(default)]
    created_at: Option<i64>,
    #[serde(default)]
    updated_at: Option<i64>,
    #[serde(default)]
    memberships: Vec<MembershipDoc>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MembershipDoc {
    #[serde(default)]
    id: Option<String>,
    user_id: String,
    role: String,
    #[serde(default)]
    public_metadata: Metadata,
    #[serde(default)]
    private_metadata: Metadata,
    #[serde(default)]
    created_at: Option<i64>,
    #[serde(default)]
    updated_at: Option<i64>,
}

impl State {
    /// The whole state as a document: roles by key, users in insertion order,
    /// organizations by id, each with its members in insertion order.
    pub(in crate::testing::fake) fn dump(&self) -> Document {
        let roles: BTreeMap<&String, &Role> = self.roles.iter().collect();
        let mut users: Vec<&UserRecord> = self.users.values().collect();
        users.sort_by_key(|user| user.seq);
        let mut organizations: Vec<&OrgRecord> = self.organizations.values().collect();
        organizations.sort_by(|a, b| a.id.cmp(&b.id));
        Document {
            format: FORMAT.into(),
            version: VERSION,
            roles: Some(
                roles
                    .into_iter()
                    .map(|(key, role)| RoleDoc {
                        key: key.clone(),
                        name: role.name.clone(),
                        permissions: role.permissions.clone(),
                        created_at: Some(role.created_at),
                    })
                    .collect(),
            ),
            users: users
                .into_iter()
                .map(|user| UserDoc {
                    id: user.id.clone(),
                    first_name: user.profile.first_name.clone(),
                    last_name: user.profile.last_name.clone(),
                    email_addresses: user.profile.email_addresses.clone(),
                    phone_numbers: user.profile.phone_numbers.clone(),
                    username: user.profile.username.clone(),
                    web3_wallets: user.profile.web3_wallets.clone(),
                    external_id: user.profile.external_id.clone(),
                    last_active_at: user.profile.last_active_at,
                    created_at: Some(user.created_at),
                })
                .collect(),
            organizations: organizations
                .into_iter()
                .map(|org| OrganizationDoc {
                    id: org.id.clone(),
                    name: org.name.clone(),
                    slug: Some(org.slug.clone()),
                    max_allowed_memberships: org.max_allowed_memberships,
                    public_metadata: org.public_metadata.clone(),
                    private_metadata: org.private_metadata.clone(),
                    created_at: Some(org.created_at),
                    updated_at: Some(org.updated_at),
                    memberships: org
                        .members
                        .values()
                        .map(|member| MembershipDoc {
                            id: Some(member.id.clone()),
                            user_id: member.user_id.clone(),
                            role: member.role.clone(),
                            public_metadata: member.public_metadata.clone(),
                            private_metadata: member.private_metadata.clone(),
                            created_at: Some(member.created_at),
                            updated_at: Some(member.updated_at),
                        })
                        .collect(),
                })
                .collect(),
            invitations: self
                .invitations
                .iter()
                .map(|invitation| InvitationDoc {
                    id: invitation.id.clone(),
                    organization_id: invitation.organization_id.clone(),
                    email_address: invitation.email_address.clone(),
                    role: invitation.role.clone(),
                    status: invitation.stored,
                    public_metadata: invitation.public_metadata.clone(),
                    private_metadata: invitation.private_metadata.clone(),
                    inviter_id: invitation.inviter_id.clone(),
                    redirect_url: invitation.redirect_url.clone(),
                    created_at: Some(invitation.created_at),
                    updated_at: Some(invitation.updated_at),
                    expires_at: Some(invitation.expires_at),
                })
                .collect(),
        }
    }

    /// A fresh state holding exactly what `document` says (the built-in roles when it has no
    /// `roles`); missing times are `now`, missing membership ids generated.
    pub(in crate::testing::fake) fn load(document: Document, now: i64) -> Result<State, FakeError> {
        if document.format != FORMAT {
            return Err(FakeError::WrongFormat(document.format));
        }
        if document.version != VERSION {
            return Err(FakeError::UnsupportedVersion(document.version));
        }
        let mut state = State {
            organizations: HashMap::new(),
            users: HashMap::new(),
            roles: HashMap::new(),
            invitations: Vec::new(),
            counters: Counters::default(),
        };
        match document.roles {
            Some(roles) => {
                for role in roles {
                    let created_at = role.created_at.unwrap_or(now);
                    state.add_role(&role.key, &role.name, role.permissions, created_at);
                }
            }
            None => state.add_builtin_roles(),
        }
        for user in document.users {
            if state.users.contains_key(&user.id) {
                return Err(FakeError::DuplicateId(user.id));
            }
            let mut seed = super::FakeUser::unnamed().id(user.id);
            seed.profile.first_name = user.first_name;
            seed.profile.last_name = user.last_name;
            seed.profile.email_addresses = user.email_addresses;
            seed.profile.phone_numbers = user.phone_numbers;
            seed.profile.username = user.username;
            seed.profile.web3_wallets = user.web3_wallets;
            seed.profile.external_id = user.external_id;
            seed.profile.last_active_at = user.last_active_at;
            seed.created_at = user.created_at;
            state.add_user(seed, now);
        }
        // Ids given in the document are kept; generated ones must not collide with them.
        let mut largest_generated = 0;
        let mut unnamed = Vec::new();
        for org in document.organizations {
            if state.organizations.contains_key(&org.id) {
                return Err(FakeError::DuplicateId(org.id));
            }
            let created_at = org.created_at.unwrap_or(now);
            let mut record = OrgRecord {
                id: org.id.clone(),
                slug: org.slug.unwrap_or_else(|| slugify(&org.name)),
                name: org.name,
                max_allowed_memberships: org.max_allowed_memberships,
                public_metadata: org.public_metadata,
                private_metadata: org.private_metadata,
                created_at,
                updated_at: org.updated_at.unwrap_or(created_at),
                members: BTreeMap::new(),
                by_user: HashMap::new(),
            };
            for member in org.memberships {
                if !state.users.contains_key(&member.user_id) {
                    return Err(FakeError::UnknownUser(member.user_id));
                }
                if record.by_user.contains_key(&member.user_id) {
                    return Err(FakeError::AlreadyAMember {
                        organization_id: org.id,
                        user_id: member.user_id,
                    });
                }
                state.counters.seq += 1;
                let seq = state.counters.seq;
                let id = match member.id {
                    Some(id) => {
                        if let Some(n) = generated_number(&id) {
                            largest_generated = largest_generated.max(n);
                        }
                        id
                    }
                    None => {
                        unnamed.push((org.id.clone(), seq));
                        String::new()
                    }
                };
                let created_at = member.created_at.unwrap_or(now);
                record.by_user.insert(member.user_id.clone(), seq);
                record.members.insert(
                    seq,
                    MembershipRecord {
                        seq,
                        id,
                        user_id: member.user_id,
                        role: member.role,
                        public_metadata: member.public_metadata,
                        private_metadata: member.private_metadata,
                        created_at,
                        updated_at: member.updated_at.unwrap_or(created_at),
                    },
                );
            }
            state.organizations.insert(org.id, record);
        }
        state.counters.membership = largest_generated;
        for invitation in document.invitations {
            if !state
                .organizations
                .contains_key(&invitation.organization_id)
            {
                return Err(FakeError::UnknownOrganization(invitation.organization_id));
            }
            if state.invitations.iter().any(|i| i.id == invitation.id) {
                return Err(FakeError::DuplicateId(invitation.id));
            }
            let created_at = invitation.created_at.unwrap_or(now);
            state.invitations.push(InvitationRecord {
                id: invitation.id,
                organization_id: invitation.organization_id,
                email_address: invitation.email_address,
                role: invitation.role,
                public_metadata: invitation.public_metadata,
                private_metadata: invitation.private_metadata,
                inviter_id: invitation.inviter_id,
                redirect_url: invitation.redirect_url,
                stored: invitation.status,
                created_at,
                updated_at: invitation.updated_at.unwrap_or(created_at),
                expires_at: invitation
                    .expires_at
                    .unwrap_or(created_at.saturating_add(30 * 24 * 60 * 60 * 1000)),
            });
        }
        // Now that the counter is past every given id, name the members that had none, in
        // the document's order.
        for (org_id, seq) in unnamed {
            let id = super::generated_id("orgmem_", &mut state.counters.membership, |_| false);
            if let Some(member) = state
                .organizations
                .get_mut(&org_id)
                .and_then(|org| org.members.get_mut(&seq))
            {
                member.id = id;
            }
        }
        Ok(state)
    }
}

/// `n` for an id the fake generates (`orgmem_fake` + 23 digits).
fn generated_number(id: &str) -> Option<u64> {
    let digits = id.strip_prefix("orgmem_fake")?;
    if digits.len() == 23 && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()
    } else {
        None
    }
}
