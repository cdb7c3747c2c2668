//! One change at a time, as requests built like the crate's operations:
//! `X::builder()`, named setters, `build()`, then `send(&client)`. Each sends the fewest
//! requests it can and absorbs the races between reading and writing (the work is done in
//! `members`, which applying a plan shares).

use super::guard::admin_to_guard;
use super::members::{self, Ensured, MetadataMerge, Removal, RoleSet};
use super::outcome::ChangeError;
use super::roles::KnownRoles;
use super::vocab::ADMIN_ROLE;
use crate::builder::role_rule;
use crate::client::Client;
use crate::error::{BuildError, Error};
use crate::models::{Metadata, OrganizationMembership};

/// The setters of the organization and the user, which every request has.
macro_rules! member_setters {
    () => {
        /// The organization. Required.
        pub fn organization_id(mut self, organization_id: impl Into<String>) -> Self {
            self.member.organization_id = Some(organization_id.into());
            self
        }

        /// The user. Required.
        pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
            self.member.user_id = Some(user_id.into());
            self
        }
    };
}

/// The setters of a request that gives a role.
macro_rules! role_setters {
    () => {
        /// The role to give. Required.
        pub fn role(mut self, role: impl Into<String>) -> Self {
            self.role.role = Some(role.into());
            self
        }

        /// Refuses a role that is not one of `roles`: [`build`](Self::build) fails with
        /// [`BuildError::InvalidField`] for `role`, with the words of [`KnownRoles::check`],
        /// and nothing is sent.
        ///
        /// Defaults to no check: the role is sent as given, and the server refuses one the
        /// instance does not have only once the write is under way.
        pub fn known_roles(mut self, roles: &KnownRoles) -> Self {
            self.role.known = Some(roles.clone());
            self
        }
    };
}

/// The setters of a request that sends metadata; `$what` says what becomes of it.
macro_rules! metadata_setters {
    ($what:literal) => {
        #[doc = concat!("Public metadata, ", $what, ".\n\nDefaults to none.")]
        pub fn public_metadata(self, metadata: Metadata) -> Self {
            self.set_public_metadata(Some(metadata))
        }

        /// [`public_metadata`](Self::public_metadata) from an `Option`, for a caller that
        /// forwards one; `None` sends none.
        pub fn set_public_metadata(mut self, metadata: Option<Metadata>) -> Self {
            self.public_metadata = metadata;
            self
        }

        #[doc = concat!("Private metadata, ", $what, ".\n\nDefaults to none.")]
        pub fn private_metadata(self, metadata: Metadata) -> Self {
            self.set_private_metadata(Some(metadata))
        }

        /// [`private_metadata`](Self::private_metadata) from an `Option`, for a caller that
        /// forwards one; `None` sends none.
        pub fn set_private_metadata(mut self, metadata: Option<Metadata>) -> Self {
            self.private_metadata = metadata;
            self
        }
    };
}

/// The setter of the admin role a request that can take it from someone keeps.
macro_rules! admin_role_setter {
    () => {
        /// The role the organization never loses its last member of: a demotion or a removal
        /// of the last member holding it is not sent.
        ///
        /// Defaults to `org:admin`, as
        /// [`SyncOptionsBuilder::admin_role`](super::SyncOptionsBuilder::admin_role) does. An
        /// empty role is refused by [`build`](Self::build).
        pub fn admin_role(mut self, role: impl Into<String>) -> Self {
            self.admin_role = Some(role.into());
            self
        }
    };
}

/// Reads the membership of a user in an organization, if there is one: one request,
/// `GET /organizations/{organization_id}/memberships?user_id={user_id}&limit=1`.
///
/// There is no endpoint that reads one membership, so this lists with the `user_id` filter.
/// The answer is checked: only a membership whose `public_user_data.user_id` is the user id
/// counts, so a server that ignored the filter cannot make another member pass for this one
/// (it makes the user look absent instead). A user id beginning with `+` or `-` is sent with
/// one more `+` in front, since the API reads a leading sign as include or exclude.
///
/// ```
/// use clerk_memberships::sync::FindMember;
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
/// let john = fake.add_user(FakeUser::new("John", "Roe"));
/// fake.add_membership(&org, &jane, "org:admin")?;
/// let client = fake.client();
///
/// let found = FindMember::builder().organization_id(&org).user_id(&jane).build()?.send(&client)?;
/// assert_eq!(found.map(|membership| membership.role).as_deref(), Some("org:admin"));
/// let absent = FindMember::builder().organization_id(&org).user_id(&john).build()?;
/// assert_eq!(absent.send(&client)?, None);
/// assert_eq!(fake.requests().len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindMember {
    member: Member,
}

impl FindMember {
    /// A builder; the organization and the user are required.
    pub fn builder() -> FindMemberBuilder {
        FindMemberBuilder::default()
    }

    /// Sends the request.
    ///
    /// # Errors
    ///
    /// The request's [`Error`] (after the client's retries); an unknown organization is a 404
    /// ([`Error::is_not_found`]), an id that cannot be sent is [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest).
    pub fn send(&self, client: &Client) -> Result<Option<OrganizationMembership>, Error> {
        members::find(client, &self.member.organization_id, &self.member.user_id)
    }
}

/// Builds a [`FindMember`].
#[derive(Debug, Clone, Default)]
pub struct FindMemberBuilder {
    member: MemberFields,
}

impl FindMemberBuilder {
    member_setters!();

    /// The request.
    ///
    /// # Errors
    ///
    /// [`BuildError::MissingField`] for `organization_id` or `user_id` when not set.
    pub fn build(self) -> Result<FindMember, BuildError> {
        Ok(FindMember {
            member: self.member.build()?,
        })
    }
}

/// Makes a user a member of an organization with a role, whether or not they are one
/// already, with the fewest requests:
///
/// | the user | requests | answer |
/// |---|---|---|
/// | is not a member | 1: create | [`Ensured::Created`] |
/// | is a member with the role | 2: create (answered "already a member"), read | [`Ensured::Unchanged`] |
/// | is a member with another role | 3: create, read, update | [`Ensured::RoleChanged`] |
///
/// The create goes first because it settles the commonest case, a new member, in one
/// request. "Already a member" ([`Error::is_already_member`]) is answered by reading the
/// membership (as [`FindMember`] does) and, if its role differs, updating it. Metadata, if
/// set, goes into the create's body; a user who already is a member keeps their metadata as
/// it is: only the role is compared and set (to bring metadata in line, plan with a metadata
/// policy, or send a [`MergeMetadata`]).
///
/// **Races are absorbed**, each at the cost of one more request: a membership that vanishes
/// between the read and the update (the update is answered 404), or between "already a
/// member" and the read, is created again.
///
/// **A create whose answer is lost** — a transport failure after the request may have been
/// sent, a 5xx, or a 2xx that could not be read; the client does not retry creates after
/// those by default — is settled by reading the membership back (one more request): there,
/// with the role, it is [`Ensured::Created`] (with another role, the role is then updated);
/// absent, the create did not happen and is sent once more. If that read fails too, the call
/// ends with [`ChangeError::Unknown`]: never a guess.
///
/// **"Already a member" after a lost answer** is most likely this call's own create: the one
/// whose answer was lost went through after all (the create sent again is refused), or a
/// client whose policy [retries ambiguous
/// creates](crate::RetryPolicyBuilder::retry_ambiguous_creates) repeated it. The membership
/// is read back (the user id matched exactly): there with the role, it is
/// [`Ensured::Created`]; with another role, the role is set ([`Ensured::RoleChanged`]); if
/// the read fails, [`ChangeError::Unknown`] with the lost create's error (or the repeat's),
/// never a failure while the membership may be there.
///
/// At most two creates are sent in one call; a membership that keeps appearing and vanishing
/// beyond that ends the call with the last error. So a call makes at most six requests (each
/// of which the client may retry as its policy says).
///
/// ```
/// use clerk_memberships::sync::{EnsureMember, Ensured};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
/// use serde_json::json;
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
/// let client = fake.client();
/// let ensure = |role: &str| {
///     EnsureMember::builder().organization_id(&org).user_id(&jane).role(role).build()
/// };
///
/// assert_eq!(ensure("org:member")?.send(&client)?, Ensured::Created);
/// assert_eq!(ensure("org:member")?.send(&client)?, Ensured::Unchanged);
/// assert_eq!(
///     ensure("org:admin")?.send(&client)?,
///     Ensured::RoleChanged { from: "org:member".into() }
/// );
/// assert_eq!(fake.requests().len(), 1 + 2 + 3);
///
/// // Metadata for a new member goes into the create: still one request.
/// let john = fake.add_user(FakeUser::new("John", "Roe"));
/// let ensured = EnsureMember::builder()
///     .organization_id(&org)
///     .user_id(&john)
///     .role("org:member")
///     .public_metadata(json!({"team": "billing"}).as_object().cloned().unwrap_or_default())
///     .build()?
///     .send(&client)?;
/// assert_eq!(ensured, Ensured::Created);
/// assert_eq!(fake.membership(&org, &john).unwrap().public_metadata["team"], "billing");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EnsureMember {
    member: Member,
    role: String,
    public_metadata: Option<Metadata>,
    private_metadata: Option<Metadata>,
}

impl EnsureMember {
    /// A builder; the organization, the user and the role are required.
    pub fn builder() -> EnsureMemberBuilder {
        EnsureMemberBuilder::default()
    }

    /// Sends the requests it takes.
    ///
    /// # Errors
    ///
    /// [`ChangeError::Failed`] with the request's [`Error`] when a step fails and the
    /// membership is not as asked: an unknown organization or user (404), a full organization
    /// ([`Error::is_quota_exceeded`]), an invalid id or metadata that is too deep or too
    /// large (over 64 levels or 65536 bytes:
    /// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest), nothing sent), a read
    /// or an update that failed after the client's retries. [`ChangeError::Unknown`] when a
    /// create's fate could not be settled, as above, including a create answered "already a
    /// member" after a lost answer whose read back failed.
    pub fn send(&self, client: &Client) -> Result<Ensured, ChangeError> {
        members::ensure(
            client,
            &self.member.organization_id,
            &self.member.user_id,
            &self.role,
            self.public_metadata.as_ref(),
            self.private_metadata.as_ref(),
        )
    }
}

/// Builds an [`EnsureMember`].
#[derive(Debug, Clone, Default)]
pub struct EnsureMemberBuilder {
    member: MemberFields,
    role: RoleFields,
    public_metadata: Option<Metadata>,
    private_metadata: Option<Metadata>,
}

impl EnsureMemberBuilder {
    member_setters!();
    role_setters!();
    metadata_setters!("the membership's, if it is created");

    /// The request.
    ///
    /// # Errors
    ///
    /// [`BuildError::MissingField`] for `organization_id`, `user_id` or `role` when not set;
    /// [`BuildError::InvalidField`] for `role` when it is empty, longer than 1024 bytes or not
    /// one of the [known roles](Self::known_roles).
    pub fn build(self) -> Result<EnsureMember, BuildError> {
        Ok(EnsureMember {
            member: self.member.build()?,
            role: self.role.build()?,
            public_metadata: self.public_metadata,
            private_metadata: self.private_metadata,
        })
    }
}

/// Sets the role of a member, adding the user with it if they are not a member, and never
/// moving the last member holding the admin role away from it: one request when they are a
/// member (`PATCH …/memberships/{user_id}`), and one read before it when the role is not the
/// [admin role](ChangeRoleBuilder::admin_role).
///
/// **The last admin keeps the role.** Before a member can be moved away from the admin role,
/// the server is asked whether another member holds it (`GET …/memberships?role={admin
/// role}&limit=2`). If the member holds it and nobody else does, nothing is written:
/// [`RoleSet::LastAdmin`]. A member who does not hold it is not held back.
///
/// For a change planned from a member's current role. If the update is answered 404, the
/// membership vanished since: the user is added with the role ([`RoleSet::Created`], one more
/// request), and from there it goes as [`EnsureMember`] does (a create answered "already a
/// member" is read and compared, a lost create's answer is settled by reading back). So a
/// call makes at most eight requests. A user added this way gets no metadata; planning again
/// shows any metadata still to merge.
///
/// An update answered 404 because the organization does not exist is followed by a create,
/// which is answered 404 too: the call fails with that error.
///
/// ```
/// use clerk_memberships::sync::{ChangeRole, RoleSet};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
/// let john = fake.add_user(FakeUser::new("John", "Roe"));
/// fake.add_membership(&org, &jane, "org:member")?;
/// let client = fake.client();
/// let change = |user: &str, role: &str| {
///     ChangeRole::builder().organization_id(&org).user_id(user).role(role).build()
/// };
///
/// assert_eq!(change(&jane, "org:admin")?.send(&client)?, RoleSet::Changed);
/// assert_eq!(fake.requests().len(), 1);
/// // John is not a member (someone removed him after the plan was made): he is added.
/// assert_eq!(change(&john, "org:admin")?.send(&client)?, RoleSet::Created);
/// assert_eq!(fake.requests().len(), 1 + 2);
/// // Jane may go back to being a member: John remains an admin (one read, then the update).
/// assert_eq!(change(&jane, "org:member")?.send(&client)?, RoleSet::Changed);
/// assert_eq!(fake.requests().len(), 1 + 2 + 2);
///
/// // With another admin role: Ann is the only owner, she stays one.
/// let ann = fake.add_user(FakeUser::new("Ann", "Lee"));
/// fake.add_membership(&org, &ann, "org:owner")?;
/// let set = ChangeRole::builder()
///     .organization_id(&org)
///     .user_id(&ann)
///     .role("org:member")
///     .admin_role("org:owner")
///     .build()?
///     .send(&client)?;
/// assert_eq!(set, RoleSet::LastAdmin { role: "org:owner".into() });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRole {
    member: Member,
    role: String,
    admin_role: String,
}

impl ChangeRole {
    /// A builder; the organization, the user and the role are required.
    pub fn builder() -> ChangeRoleBuilder {
        ChangeRoleBuilder::default()
    }

    /// Sends the requests it takes.
    ///
    /// # Errors
    ///
    /// [`ChangeError::Failed`] with the request's [`Error`]: the read of the admins failed
    /// (nothing was written), the update failed other than with a 404 (after the client's
    /// retries: an update is idempotent, so it is retried on 5xx and lost answers), or the
    /// create that followed failed (an unknown organization or user, a full organization, …).
    /// [`ChangeError::Unknown`] when that create's fate could not be settled. An invalid id
    /// is [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest), and nothing is sent.
    pub fn send(&self, client: &Client) -> Result<RoleSet, ChangeError> {
        members::set_role(
            client,
            &self.member.organization_id,
            &self.member.user_id,
            &self.role,
            admin_to_guard(&self.admin_role, Some(&self.role)),
        )
    }
}

/// Builds a [`ChangeRole`].
#[derive(Debug, Clone, Default)]
pub struct ChangeRoleBuilder {
    member: MemberFields,
    role: RoleFields,
    admin_role: Option<String>,
}

impl ChangeRoleBuilder {
    member_setters!();
    role_setters!();
    admin_role_setter!();

    /// The request.
    ///
    /// # Errors
    ///
    /// [`BuildError::MissingField`] for `organization_id`, `user_id` or `role` when not set;
    /// [`BuildError::InvalidField`] for `role` when it is empty, longer than 1024 bytes or not
    /// one of the [known roles](Self::known_roles), for `admin_role` when it is empty.
    pub fn build(self) -> Result<ChangeRole, BuildError> {
        Ok(ChangeRole {
            member: self.member.build()?,
            role: self.role.build()?,
            admin_role: admin_role(self.admin_role)?,
        })
    }
}

/// Removes a member from an organization, never the last member holding the admin role: two
/// requests, a read of the members holding the [admin role](RemoveMemberBuilder::admin_role)
/// (`GET …/memberships?role={admin role}&limit=2`), then
/// `DELETE /organizations/{organization_id}/memberships/{user_id}`.
///
/// **The last admin stays.** If the read shows that the member holds the admin role and
/// nobody else does, nothing is written: [`Removal::LastAdmin`].
///
/// A 404 means the membership is gone, which is what was asked: [`Removal::WasNotMember`]
/// when the first attempt was answered 404, [`Removal::Gone`] when a retry was (an earlier
/// attempt most likely removed the member and its answer was lost); the rule is
/// [`Removal::from_error`]. Clerk answers an unknown organization or user with the same 404,
/// so those read as "not a member" too.
///
/// ```
/// use clerk_memberships::sync::{Removal, RemoveMember};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
/// let john = fake.add_user(FakeUser::new("John", "Roe"));
/// fake.add_membership(&org, &jane, "org:admin")?;
/// fake.add_membership(&org, &john, "org:admin")?;
/// let client = fake.client();
/// let remove = |user: &str| RemoveMember::builder().organization_id(&org).user_id(user).build();
///
/// assert_eq!(remove(&jane)?.send(&client)?, Removal::Removed { role: "org:admin".into() });
/// assert_eq!(remove(&jane)?.send(&client)?, Removal::WasNotMember);
/// // John is the last admin now: he stays.
/// assert_eq!(remove(&john)?.send(&client)?, Removal::LastAdmin { role: "org:admin".into() });
/// assert_eq!(fake.requests().len(), 2 + 2 + 1);
///
/// // Another admin role: John is no owner, so he may go.
/// let removed = RemoveMember::builder()
///     .organization_id(&org)
///     .user_id(&john)
///     .admin_role("org:owner")
///     .build()?
///     .send(&client)?;
/// assert_eq!(removed, Removal::Removed { role: "org:admin".into() });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveMember {
    member: Member,
    admin_role: String,
}

impl RemoveMember {
    /// A builder; the organization and the user are required.
    pub fn builder() -> RemoveMemberBuilder {
        RemoveMemberBuilder::default()
    }

    /// Sends the requests it takes.
    ///
    /// # Errors
    ///
    /// The request's [`Error`]: the read of the admins failed (nothing was written), or the
    /// delete failed with anything but a 404 (after the client's retries: a delete is retried
    /// on 5xx and lost answers). An id that cannot be sent is [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest), and
    /// nothing is sent.
    pub fn send(&self, client: &Client) -> Result<Removal, Error> {
        members::remove(
            client,
            &self.member.organization_id,
            &self.member.user_id,
            admin_to_guard(&self.admin_role, None),
        )
    }
}

/// Builds a [`RemoveMember`].
#[derive(Debug, Clone, Default)]
pub struct RemoveMemberBuilder {
    member: MemberFields,
    admin_role: Option<String>,
}

impl RemoveMemberBuilder {
    member_setters!();
    admin_role_setter!();

    /// The request.
    ///
    /// # Errors
    ///
    /// [`BuildError::MissingField`] for `organization_id` or `user_id` when not set;
    /// [`BuildError::InvalidField`] for `admin_role` when it is empty.
    pub fn build(self) -> Result<RemoveMember, BuildError> {
        Ok(RemoveMember {
            member: self.member.build()?,
            admin_role: admin_role(self.admin_role)?,
        })
    }
}

/// Deep-merges metadata into a membership: one request,
/// `PATCH /organizations/{organization_id}/memberships/{user_id}/metadata`.
///
/// Objects merge key by key at any depth and a `null` removes its key (see
/// [`UpdateMembershipMetadata`](crate::UpdateMembershipMetadata)); metadata not set is left
/// alone. A 404 means the user is not a member (anymore): [`MetadataMerge::NotAMember`],
/// nothing written. The membership is not created, since that takes a role; planning again
/// proposes adding the user, with their metadata. Clerk answers an unknown organization with
/// the same 404.
///
/// ```
/// use clerk_memberships::sync::{MergeMetadata, MetadataMerge};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
/// use serde_json::json;
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
/// let john = fake.add_user(FakeUser::new("John", "Roe"));
/// fake.add_membership(&org, &jane, "org:member")?;
/// let client = fake.client();
/// let private = json!({"hr": {"employee_id": 42}}).as_object().cloned().unwrap_or_default();
/// let merge = |user: &str| {
///     MergeMetadata::builder()
///         .organization_id(&org)
///         .user_id(user)
///         .private_metadata(private.clone())
///         .build()
/// };
///
/// assert_eq!(merge(&jane)?.send(&client)?, MetadataMerge::Merged);
/// let membership = fake.membership(&org, &jane).unwrap();
/// assert_eq!(membership.private_metadata.unwrap()["hr"]["employee_id"], 42);
///
/// assert_eq!(merge(&john)?.send(&client)?, MetadataMerge::NotAMember);
/// assert_eq!(fake.requests().len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MergeMetadata {
    member: Member,
    public_metadata: Option<Metadata>,
    private_metadata: Option<Metadata>,
}

impl MergeMetadata {
    /// A builder; the organization and the user are required.
    pub fn builder() -> MergeMetadataBuilder {
        MergeMetadataBuilder::default()
    }

    /// Sends the request.
    ///
    /// # Errors
    ///
    /// The request's [`Error`] for anything but a 404 (after the client's retries: a merge is
    /// retried on 5xx and lost answers, since merging the same patch twice gives the same
    /// metadata). Metadata that is too deep or too large, or an id that cannot be sent, is
    /// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest), and nothing is sent.
    pub fn send(&self, client: &Client) -> Result<MetadataMerge, Error> {
        members::merge(
            client,
            &self.member.organization_id,
            &self.member.user_id,
            self.public_metadata.as_ref(),
            self.private_metadata.as_ref(),
        )
    }
}

/// Builds a [`MergeMetadata`].
#[derive(Debug, Clone, Default)]
pub struct MergeMetadataBuilder {
    member: MemberFields,
    public_metadata: Option<Metadata>,
    private_metadata: Option<Metadata>,
}

impl MergeMetadataBuilder {
    member_setters!();
    metadata_setters!("merged into the membership's");

    /// The request.
    ///
    /// # Errors
    ///
    /// [`BuildError::MissingField`] for `organization_id` or `user_id` when not set.
    pub fn build(self) -> Result<MergeMetadata, BuildError> {
        Ok(MergeMetadata {
            member: self.member.build()?,
            public_metadata: self.public_metadata,
            private_metadata: self.private_metadata,
        })
    }
}

/// Whose membership a request is about.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Member {
    organization_id: String,
    user_id: String,
}

/// [`Member`], as a builder gathers it.
#[derive(Debug, Clone, Default)]
struct MemberFields {
    organization_id: Option<String>,
    user_id: Option<String>,
}

impl MemberFields {
    fn build(self) -> Result<Member, BuildError> {
        Ok(Member {
            organization_id: self
                .organization_id
                .ok_or(BuildError::MissingField("organization_id"))?,
            user_id: self.user_id.ok_or(BuildError::MissingField("user_id"))?,
        })
    }
}

/// The role a request gives, and the roles it may be, as a builder gathers them.
#[derive(Debug, Clone, Default)]
struct RoleFields {
    role: Option<String>,
    known: Option<KnownRoles>,
}

impl RoleFields {
    fn build(self) -> Result<String, BuildError> {
        let role = self.role.ok_or(BuildError::MissingField("role"))?;
        if let Some(rule) = role_rule(&role) {
            return Err(BuildError::invalid("role", rule));
        }
        match self.known.and_then(|known| known.refusal(&role)) {
            Some(refused) => Err(refused),
            None => Ok(role),
        }
    }
}

/// The admin role a builder was given, or the default; an empty one is refused.
fn admin_role(role: Option<String>) -> Result<String, BuildError> {
    let role = role.unwrap_or_else(|| ADMIN_ROLE.to_owned());
    if role.trim().is_empty() {
        return Err(BuildError::invalid("admin_role", "must not be empty"));
    }
    Ok(role)
}
