//! One change at a time: find a member, make sure a user is a member with a role, change a
//! role, merge metadata, remove a member. Each makes the fewest requests it can and absorbs
//! the races that happen between reading and writing, the way applying a plan does.

use serde_json::Value;

use super::guard::{ChangeOptions, may_lose_admin};
use super::outcome::{ChangeError, Outcome};
use super::plan::SkipReason;
use crate::client::Client;
use crate::error::Error;
use crate::memberships::{
    CreateMembership, DeleteMembership, ListMemberships, UpdateMembership, UpdateMembershipMetadata,
};
use crate::models::{Metadata, OrganizationMembership};

/// How many creates one call may send: the first, and one more after the membership was
/// found missing (a create whose fate was settled as "did not happen", a membership that
/// vanished between two steps). Races beyond that are reported, not chased.
const MAX_CREATES: u32 = 2;

/// What [`ensure_member`] did.
///
/// As an [`Outcome`]: [`Created`](Self::Created) is [`Outcome::Applied`];
/// [`RoleChanged`](Self::RoleChanged) and [`Unchanged`](Self::Unchanged) are
/// [`Outcome::AlreadyDone`] (the user was a member already, which for a planned addition
/// means someone added them meanwhile).
///
/// ```
/// use clerk_memberships::sync::{Ensured, Outcome, OutcomeKind};
///
/// let ensured = Ensured::RoleChanged { from: "org:member".into() };
/// assert_eq!(ensured.to_string(), "role changed from org:member");
/// assert_eq!(Outcome::from(ensured).kind(), OutcomeKind::AlreadyDone);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ensured {
    /// The user was not a member; they are now, with the role.
    Created,
    /// The user was a member with another role; the role is set now.
    RoleChanged {
        /// The role they had.
        from: String,
    },
    /// The user was a member with the role already; nothing was written.
    Unchanged,
}

impl std::fmt::Display for Ensured {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ensured::Created => f.write_str("created"),
            Ensured::RoleChanged { from } => write!(f, "role changed from {from}"),
            Ensured::Unchanged => f.write_str("unchanged"),
        }
    }
}

impl From<Ensured> for Outcome {
    fn from(ensured: Ensured) -> Self {
        match ensured {
            Ensured::Created => Outcome::Applied,
            Ensured::RoleChanged { .. } | Ensured::Unchanged => Outcome::AlreadyDone,
        }
    }
}

/// What [`change_role`] did.
///
/// As an [`Outcome`]: [`Changed`](Self::Changed) is [`Outcome::Applied`];
/// [`Created`](Self::Created) and [`Unchanged`](Self::Unchanged) are
/// [`Outcome::AlreadyDone`] (a race absorbed: the membership had vanished and was made again);
/// [`LastAdmin`](Self::LastAdmin) is [`Outcome::Skipped`] with [`SkipReason::NoOtherAdmin`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RoleSet {
    /// The member's role was updated. The answer does not say what it was before.
    Changed,
    /// The user was not a member (the update was answered 404): they were added with the
    /// role.
    Created,
    /// The user was not a member when the update was sent, and a member with the role by the
    /// time they were to be added (someone else added them meanwhile); nothing was written.
    Unchanged,
    /// The member holds the admin role and, as the server answered just before, no other
    /// member does: they were not moved away from it, and nothing was written.
    LastAdmin {
        /// The admin role.
        role: String,
    },
}

impl From<RoleSet> for Outcome {
    fn from(set: RoleSet) -> Self {
        match set {
            RoleSet::Changed => Outcome::Applied,
            RoleSet::Created | RoleSet::Unchanged => Outcome::AlreadyDone,
            RoleSet::LastAdmin { role } => Outcome::Skipped(SkipReason::NoOtherAdmin { role }),
        }
    }
}

/// What [`remove_member`] did.
///
/// As an [`Outcome`]: [`Removed`](Self::Removed) and [`Gone`](Self::Gone) are
/// [`Outcome::Applied`]; [`WasNotMember`](Self::WasNotMember) is [`Outcome::AlreadyDone`];
/// [`LastAdmin`](Self::LastAdmin) is [`Outcome::Skipped`] with [`SkipReason::NoOtherAdmin`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Removal {
    /// The member was removed.
    Removed {
        /// The role they had.
        role: String,
    },
    /// The delete was answered 404 on its first attempt: there was no such membership.
    WasNotMember,
    /// The delete was answered 404 on a retry: the member is gone, most likely removed by an
    /// earlier attempt of this very call whose answer was lost (so their role is not known).
    Gone,
    /// The member holds the admin role and, as the server answered just before, no other
    /// member does: they were not removed, and nothing was written.
    LastAdmin {
        /// The admin role.
        role: String,
    },
}

impl Removal {
    /// What a delete that failed with `error` says about the membership, by the rule
    /// [`remove_member`] follows: a 404 on the first attempt means there was no such
    /// membership ([`WasNotMember`](Self::WasNotMember)); a 404 on a retry means the member
    /// is gone ([`Gone`](Self::Gone)), most likely removed by an earlier attempt of the same
    /// call whose answer was lost, or else by someone else meanwhile. Any other error says
    /// nothing: `None`.
    ///
    /// For a caller that sends [`DeleteMembership`] itself, to keep the membership it
    /// answers, and must still read its 404s right.
    ///
    /// ```
    /// use clerk_memberships::sync::Removal;
    /// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser, Fault, FaultScope};
    /// use clerk_memberships::{DeleteMembership, Operation};
    ///
    /// let fake = FakeClerk::new();
    /// let org = fake.add_organization(FakeOrganization::new("Acme"));
    /// let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
    /// fake.add_membership(&org, &jane, "org:member")?;
    /// // The first attempt removes Jane, then its answer is lost; the retry meets a 404.
    /// fake.inject_with(
    ///     Fault::ServerError { status: 503 },
    ///     FaultScope::default().only(Operation::Delete).after_processing(),
    /// );
    /// let delete = DeleteMembership::builder().organization_id(&org).user_id(&jane).build()?;
    ///
    /// let error = delete.send(&fake.client()).unwrap_err();
    /// assert_eq!(error.attempts(), 2);
    /// assert_eq!(Removal::from_error(&error), Some(Removal::Gone));
    /// // Sent again, the delete is answered 404 at once: Jane was not a member.
    /// let error = delete.send(&fake.client()).unwrap_err();
    /// assert_eq!(Removal::from_error(&error), Some(Removal::WasNotMember));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_error(error: &Error) -> Option<Removal> {
        if !error.is_not_found() {
            None
        } else if error.attempts() > 1 {
            Some(Removal::Gone)
        } else {
            Some(Removal::WasNotMember)
        }
    }
}

impl From<Removal> for Outcome {
    fn from(removal: Removal) -> Self {
        match removal {
            Removal::Removed { .. } | Removal::Gone => Outcome::Applied,
            Removal::WasNotMember => Outcome::AlreadyDone,
            Removal::LastAdmin { role } => Outcome::Skipped(SkipReason::NoOtherAdmin { role }),
        }
    }
}

/// What [`merge_metadata`] did.
///
/// As an [`Outcome`]: [`Merged`](Self::Merged) is [`Outcome::Applied`];
/// [`NotAMember`](Self::NotAMember) is [`Outcome::Skipped`] with
/// [`SkipReason::NotAMember`]: there is no membership to hold the metadata, and adding the
/// user would take a role this change does not have (planning again proposes the addition).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MetadataMerge {
    /// The metadata was merged into the membership.
    Merged,
    /// The merge was answered 404: the user is not a member. Nothing was written.
    NotAMember,
}

impl From<MetadataMerge> for Outcome {
    fn from(merge: MetadataMerge) -> Self {
        match merge {
            MetadataMerge::Merged => Outcome::Applied,
            MetadataMerge::NotAMember => Outcome::Skipped(SkipReason::NotAMember),
        }
    }
}

/// The membership of `user_id` in `organization_id`, if there is one: one request,
/// `GET /organizations/{organization_id}/memberships?user_id={user_id}&limit=1`.
///
/// There is no endpoint that reads one membership, so this lists with the `user_id` filter.
/// The answer is checked: only a membership whose `public_user_data.user_id` is `user_id`
/// counts, so a server that ignored the filter cannot make another member pass for this one
/// (it makes the user look absent instead). A user id beginning with `+` or `-` is sent with
/// one more `+` in front, since the API reads a leading sign as include or exclude.
///
/// ```
/// use clerk_memberships::sync;
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
/// let john = fake.add_user(FakeUser::new("John", "Roe"));
/// fake.add_membership(&org, &jane, "org:admin")?;
/// let client = fake.client();
///
/// let found = sync::find_member(&client, &org, &jane)?;
/// assert_eq!(found.map(|membership| membership.role).as_deref(), Some("org:admin"));
/// assert_eq!(sync::find_member(&client, &org, &john)?, None);
/// assert_eq!(fake.requests().len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// The request's [`Error`] (after the client's retries); an unknown organization is a 404
/// ([`Error::is_not_found`]), an id that cannot be sent is [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest).
pub fn find_member(
    client: &Client,
    organization_id: &str,
    user_id: &str,
) -> Result<Option<OrganizationMembership>, Error> {
    let filter = if user_id.starts_with(['+', '-']) {
        format!("+{user_id}")
    } else {
        user_id.to_owned()
    };
    let page = ListMemberships::builder()
        .organization_id(organization_id)
        .user_id(filter)
        .limit(1)
        .build()?
        .send(client)?;
    Ok(page
        .data
        .into_iter()
        .find(|membership| membership.user_id() == Some(user_id)))
}

/// Makes `user_id` a member of `organization_id` with `role`, whether or not they are one
/// already, with the fewest requests:
///
/// | the user | requests | answer |
/// |---|---|---|
/// | is not a member | 1: create | [`Ensured::Created`] |
/// | is a member with `role` | 2: create (answered "already a member"), read | [`Ensured::Unchanged`] |
/// | is a member with another role | 3: create, read, update | [`Ensured::RoleChanged`] |
///
/// The create goes first because it settles the commonest case, a new member, in one
/// request. "Already a member" ([`Error::is_already_member`]) is answered by reading the
/// membership ([`find_member`]) and, if its role differs, updating it.
///
/// **Races are absorbed**, each at the cost of one more request: a membership that vanishes
/// between the read and the update (the update is answered 404), or between "already a
/// member" and the read, is created again.
///
/// **A create whose answer is lost** — a transport failure after the request may have been
/// sent, a 5xx, or a 2xx that could not be read; the client does not retry creates after
/// those by default — is settled by reading the membership back (one more request): there,
/// with `role`, it is [`Ensured::Created`] (with another role, the role is then updated);
/// absent, the create did not happen and is sent once more. If that read fails too, the call
/// ends with [`ChangeError::Unknown`]: never a guess.
///
/// **"Already a member" after a lost answer** is most likely this call's own create: the one
/// whose answer was lost went through after all (the create sent again is refused), or a
/// client whose policy [retries ambiguous
/// creates](crate::RetryPolicyBuilder::retry_ambiguous_creates) repeated it. The membership
/// is read back ([`find_member`], the `user_id` matched exactly): there with `role`, it is
/// [`Ensured::Created`]; with another role, the role is set ([`Ensured::RoleChanged`]); if
/// the read fails, [`ChangeError::Unknown`] with the lost create's error (or the repeat's),
/// never a failure while the membership may be there.
///
/// At most two creates are sent in one call; a membership that keeps appearing and vanishing
/// beyond that ends the call with the last error. So a call makes at most six requests (each
/// of which the client may retry as its policy says).
///
/// ```
/// use clerk_memberships::sync::{self, Ensured};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
/// let client = fake.client();
///
/// assert_eq!(sync::ensure_member(&client, &org, &jane, "org:member")?, Ensured::Created);
/// assert_eq!(sync::ensure_member(&client, &org, &jane, "org:member")?, Ensured::Unchanged);
/// assert_eq!(
///     sync::ensure_member(&client, &org, &jane, "org:admin")?,
///     Ensured::RoleChanged { from: "org:member".into() }
/// );
/// assert_eq!(fake.requests().len(), 1 + 2 + 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`ChangeError::Failed`] with the request's [`Error`] when a step fails and the membership
/// is not as asked: an unknown organization or user (404), a full organization
/// ([`Error::is_quota_exceeded`]), an invalid id or empty role ([`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest),
/// nothing sent), a read or an update that failed after the client's retries.
/// [`ChangeError::Unknown`] when a create's fate could not be settled, as above, including a
/// create answered "already a member" after a lost answer whose read back failed.
pub fn ensure_member(
    client: &Client,
    organization_id: &str,
    user_id: &str,
    role: &str,
) -> Result<Ensured, ChangeError> {
    ensure_member_with_metadata(client, organization_id, user_id, role, None, None)
}

/// [`ensure_member`], with metadata for the membership if it is created.
///
/// The metadata goes into the create's body, so a new member costs one request, as with
/// [`ensure_member`]. A user who already is a member keeps their metadata as it is: only the
/// role is compared and set (to bring metadata in line, plan with a metadata policy, or call
/// [`merge_metadata`]). Requests and races are as for [`ensure_member`].
///
/// ```
/// use clerk_memberships::sync::{self, Ensured};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
/// use serde_json::json;
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
/// let public = json!({"team": "billing"});
///
/// let ensured = sync::ensure_member_with_metadata(
///     &fake.client(),
///     &org,
///     &jane,
///     "org:member",
///     public.as_object(),
///     None,
/// )?;
/// assert_eq!(ensured, Ensured::Created);
/// assert_eq!(fake.membership(&org, &jane).unwrap().public_metadata["team"], "billing");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`ensure_member`]; metadata that is too deep or too large is
/// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) (see [`MAX_METADATA_DEPTH`](crate::MAX_METADATA_DEPTH) and
/// [`MAX_METADATA_BYTES`](crate::MAX_METADATA_BYTES)), and nothing is sent.
pub fn ensure_member_with_metadata(
    client: &Client,
    organization_id: &str,
    user_id: &str,
    role: &str,
    public_metadata: Option<&Metadata>,
    private_metadata: Option<&Metadata>,
) -> Result<Ensured, ChangeError> {
    let target = Target {
        client,
        organization_id,
        user_id,
        role,
        public_metadata,
        private_metadata,
    };
    target.converge(Step::Create(None))
}

/// Sets the role of `user_id` in `organization_id`, adding them with it if they are not a
/// member, and never moving the last member holding the admin role (`org:admin`) away from
/// it: [`change_role_with`] with the default [`ChangeOptions`].
///
/// ```
/// use clerk_memberships::sync::{self, RoleSet};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
/// let john = fake.add_user(FakeUser::new("John", "Roe"));
/// fake.add_membership(&org, &jane, "org:member")?;
/// let client = fake.client();
///
/// assert_eq!(sync::change_role(&client, &org, &jane, "org:admin")?, RoleSet::Changed);
/// assert_eq!(fake.requests().len(), 1);
/// // John is not a member (someone removed him after the plan was made): he is added.
/// assert_eq!(sync::change_role(&client, &org, &john, "org:admin")?, RoleSet::Created);
/// assert_eq!(fake.requests().len(), 1 + 2);
/// assert_eq!(fake.membership(&org, &john).unwrap().role, "org:admin");
/// // Jane may go back to being a member: John remains an admin (one read, then the update).
/// assert_eq!(sync::change_role(&client, &org, &jane, "org:member")?, RoleSet::Changed);
/// assert_eq!(fake.requests().len(), 1 + 2 + 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`change_role_with`].
pub fn change_role(
    client: &Client,
    organization_id: &str,
    user_id: &str,
    role: &str,
) -> Result<RoleSet, ChangeError> {
    change_role_with(
        client,
        organization_id,
        user_id,
        role,
        &ChangeOptions::default(),
    )
}

/// Sets the role of `user_id` in `organization_id`, adding them with it if they are not a
/// member: one request when they are (`PATCH …/memberships/{user_id}`), and one read before
/// it when `role` is not the options' [admin role](ChangeOptions::admin_role).
///
/// **The last admin keeps the role.** Before a member can be moved away from the admin role,
/// the server is asked whether another member holds it (`GET …/memberships?role={admin
/// role}&limit=2`). If the member holds it and nobody else does, nothing is written:
/// [`RoleSet::LastAdmin`]. A member who does not hold it is not held back.
///
/// For a change planned from a member's current role. If the update is answered 404, the
/// membership vanished since: the user is added with `role` ([`RoleSet::Created`], one more
/// request), and from there it goes as [`ensure_member`] does (a create answered "already a
/// member" is read and compared, a lost create's answer is settled by reading back). So a
/// call makes at most eight requests. A user added this way gets no metadata; planning again
/// shows any metadata still to merge.
///
/// An update answered 404 because the organization does not exist is followed by a create,
/// which is answered 404 too: the call fails with that error.
///
/// ```
/// use clerk_memberships::sync::{self, ChangeOptions, RoleSet};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
/// fake.add_membership(&org, &jane, "org:owner")?;
/// let options = ChangeOptions::builder().admin_role("org:owner").build();
///
/// // Jane is the only owner: she stays one.
/// let set = sync::change_role_with(&fake.client(), &org, &jane, "org:member", &options)?;
/// assert_eq!(set, RoleSet::LastAdmin { role: "org:owner".into() });
/// assert_eq!(fake.membership(&org, &jane).unwrap().role, "org:owner");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`ChangeError::Failed`] with the request's [`Error`]: the read of the admins failed
/// (nothing was written), the update failed other than with a 404 (after the client's
/// retries: an update is idempotent, so it is retried on 5xx and lost answers), or the create
/// that followed failed (an unknown organization or user, a full organization, …).
/// [`ChangeError::Unknown`] when that create's fate could not be settled. An empty admin role
/// is [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest), and nothing is sent.
pub fn change_role_with(
    client: &Client,
    organization_id: &str,
    user_id: &str,
    role: &str,
    options: &ChangeOptions,
) -> Result<RoleSet, ChangeError> {
    let guard = options.guard_for(Some(role))?;
    set_role(client, organization_id, user_id, role, guard)
}

/// [`change_role_with`], asking the server first whether another member holds `guard` (the
/// admin role) when there is one to keep.
pub(crate) fn set_role(
    client: &Client,
    organization_id: &str,
    user_id: &str,
    role: &str,
    guard: Option<&str>,
) -> Result<RoleSet, ChangeError> {
    let target = Target {
        client,
        organization_id,
        user_id,
        role,
        public_metadata: None,
        private_metadata: None,
    };
    // Refused before anything is sent, the check included.
    let update = target.update_request()?;
    if let Some(admin) = guard
        && !may_lose_admin(client, organization_id, user_id, admin)?
    {
        return Ok(RoleSet::LastAdmin {
            role: admin.to_owned(),
        });
    }
    match update.send(client) {
        Ok(_) => Ok(RoleSet::Changed),
        Err(err) if err.is_not_found() => Ok(match target.converge(Step::Create(Some(err)))? {
            Ensured::Created => RoleSet::Created,
            Ensured::RoleChanged { .. } => RoleSet::Changed,
            Ensured::Unchanged => RoleSet::Unchanged,
        }),
        Err(err) => Err(ChangeError::Failed(err)),
    }
}

/// Removes `user_id` from `organization_id`, never the last member holding the admin role
/// (`org:admin`): [`remove_member_with`] with the default [`ChangeOptions`].
///
/// ```
/// use clerk_memberships::sync::{self, Removal};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
/// let john = fake.add_user(FakeUser::new("John", "Roe"));
/// fake.add_membership(&org, &jane, "org:admin")?;
/// fake.add_membership(&org, &john, "org:admin")?;
/// let client = fake.client();
///
/// assert_eq!(
///     sync::remove_member(&client, &org, &jane)?,
///     Removal::Removed { role: "org:admin".into() }
/// );
/// assert_eq!(sync::remove_member(&client, &org, &jane)?, Removal::WasNotMember);
/// // John is the last admin now: he stays.
/// assert_eq!(
///     sync::remove_member(&client, &org, &john)?,
///     Removal::LastAdmin { role: "org:admin".into() }
/// );
/// assert_eq!(fake.requests().len(), 2 + 2 + 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`remove_member_with`].
pub fn remove_member(
    client: &Client,
    organization_id: &str,
    user_id: &str,
) -> Result<Removal, Error> {
    remove_member_with(client, organization_id, user_id, &ChangeOptions::default())
}

/// Removes `user_id` from `organization_id`: two requests, a read of the members holding the
/// options' [admin role](ChangeOptions::admin_role) (`GET …/memberships?role={admin
/// role}&limit=2`), then `DELETE /organizations/{organization_id}/memberships/{user_id}`.
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
/// use clerk_memberships::sync::{self, ChangeOptions, Removal};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
/// fake.add_membership(&org, &jane, "org:owner")?;
/// let client = fake.client();
/// let owners = ChangeOptions::builder().admin_role("org:owner").build();
///
/// let kept = sync::remove_member_with(&client, &org, &jane, &owners)?;
/// assert_eq!(kept, Removal::LastAdmin { role: "org:owner".into() });
/// assert!(fake.membership(&org, &jane).is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// The request's [`Error`]: the read of the admins failed (nothing was written), or the
/// delete failed with anything but a 404 (after the client's retries: a delete is retried on
/// 5xx and lost answers). An id that cannot be sent, or an empty admin role, is
/// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest), and nothing is sent.
pub fn remove_member_with(
    client: &Client,
    organization_id: &str,
    user_id: &str,
    options: &ChangeOptions,
) -> Result<Removal, Error> {
    let guard = options.guard_for(None)?;
    remove(client, organization_id, user_id, guard)
}

/// [`remove_member_with`], asking the server first whether another member holds `guard` (the
/// admin role) when there is one to keep.
pub(crate) fn remove(
    client: &Client,
    organization_id: &str,
    user_id: &str,
    guard: Option<&str>,
) -> Result<Removal, Error> {
    let delete = DeleteMembership::builder()
        .organization_id(organization_id)
        .user_id(user_id)
        .build()?;
    if let Some(admin) = guard
        && !may_lose_admin(client, organization_id, user_id, admin)?
    {
        return Ok(Removal::LastAdmin {
            role: admin.to_owned(),
        });
    }
    match delete.send(client) {
        Ok(membership) => Ok(Removal::Removed {
            role: membership.role,
        }),
        Err(err) => Removal::from_error(&err).ok_or(err),
    }
}

/// Deep-merges metadata into the membership of `user_id` in `organization_id`: one request,
/// `PATCH /organizations/{organization_id}/memberships/{user_id}/metadata`.
///
/// Objects merge key by key at any depth and a `null` removes its key (see
/// [`UpdateMembershipMetadata`]); `None` leaves that metadata alone. A 404 means the user is
/// not a member (anymore): [`MetadataMerge::NotAMember`], nothing written. The membership is
/// not created, since that takes a role; planning again proposes adding the user, with their
/// metadata. Clerk answers an unknown organization with the same 404.
///
/// ```
/// use clerk_memberships::sync::{self, MetadataMerge};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
/// use serde_json::json;
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
/// let john = fake.add_user(FakeUser::new("John", "Roe"));
/// fake.add_membership(&org, &jane, "org:member")?;
/// let client = fake.client();
/// let private = json!({"hr": {"employee_id": 42}});
///
/// let merged = sync::merge_metadata(&client, &org, &jane, None, private.as_object())?;
/// assert_eq!(merged, MetadataMerge::Merged);
/// let membership = fake.membership(&org, &jane).unwrap();
/// assert_eq!(membership.private_metadata.unwrap()["hr"]["employee_id"], 42);
///
/// let skipped = sync::merge_metadata(&client, &org, &john, None, private.as_object())?;
/// assert_eq!(skipped, MetadataMerge::NotAMember);
/// assert_eq!(fake.requests().len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// The request's [`Error`] for anything but a 404 (after the client's retries: a merge is
/// retried on 5xx and lost answers, since merging the same patch twice gives the same
/// metadata). Metadata that is too deep or too large, or an id that cannot be sent, is
/// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest), and nothing is sent.
pub fn merge_metadata(
    client: &Client,
    organization_id: &str,
    user_id: &str,
    public_metadata: Option<&Metadata>,
    private_metadata: Option<&Metadata>,
) -> Result<MetadataMerge, Error> {
    let merged = UpdateMembershipMetadata::builder()
        .organization_id(organization_id)
        .user_id(user_id)
        .set_public_metadata(public_metadata.map(object))
        .set_private_metadata(private_metadata.map(object))
        .build()?
        .send(client);
    match merged {
        Ok(_) => Ok(MetadataMerge::Merged),
        Err(err) if err.is_not_found() => Ok(MetadataMerge::NotAMember),
        Err(err) => Err(err),
    }
}

fn object(metadata: &Metadata) -> Value {
    Value::Object(metadata.clone())
}

/// `true` when a create that failed with `err` may have been processed: its request may have
/// reached the server and its answer was lost (a transport failure after sending), was a 5xx,
/// or was a 2xx that could not be read. Everything else (4xx, 429, not sent) certainly was
/// not processed.
fn may_have_landed(err: &Error) -> bool {
    if let Some(transport) = err.transport_error() {
        return transport.may_have_been_sent();
    }
    err.status()
        .is_some_and(|status| status >= 500 || (200..300).contains(&status))
}

/// The membership a call works towards.
struct Target<'a> {
    client: &'a Client,
    organization_id: &'a str,
    user_id: &'a str,
    role: &'a str,
    public_metadata: Option<&'a Metadata>,
    private_metadata: Option<&'a Metadata>,
}

/// The next request of [`Target::converge`].
enum Step {
    /// Create the membership; `Some` with the error that made a create needed again, which is
    /// reported if no create is left.
    Create(Option<Error>),
    /// Read the membership after a create was answered "already a member" (`already`).
    /// `lost` is the error of an earlier create of this call whose answer was lost and which
    /// may have landed after all, if there was one.
    Find { already: Error, lost: Option<Error> },
    /// Set the role of a membership found with another.
    Update { from: String },
}

impl Target<'_> {
    /// Runs the steps from `step` until the user is a member with the role, a step fails, or
    /// no create is left.
    fn converge(&self, mut step: Step) -> Result<Ensured, ChangeError> {
        let mut creates = 0;
        loop {
            step = match step {
                Step::Create(why) => {
                    let why = match why {
                        Some(err) if creates >= MAX_CREATES => {
                            return Err(ChangeError::Failed(err));
                        }
                        why => why,
                    };
                    creates += 1;
                    match self.create() {
                        Ok(_) => return Ok(Ensured::Created),
                        Err(already) if already.is_already_member() => Step::Find {
                            already,
                            lost: why.filter(may_have_landed),
                        },
                        Err(err) if may_have_landed(&err) => match self.find() {
                            Ok(Some(found)) if found.role == self.role => {
                                return Ok(Ensured::Created);
                            }
                            Ok(Some(found)) => Step::Update { from: found.role },
                            // It did not happen: creating again cannot duplicate it.
                            Ok(None) => Step::Create(Some(err)),
                            Err(read_back) => {
                                return Err(ChangeError::Unknown {
                                    create: err,
                                    read_back: Box::new(read_back),
                                });
                            }
                        },
                        Err(err) => return Err(ChangeError::Failed(err)),
                    }
                }
                Step::Find { already, lost } => {
                    // This call's own create may be the membership the server refers to.
                    let own = lost.is_some() || self.repeated_after_loss(&already);
                    match self.find() {
                        Ok(Some(found)) if found.role == self.role => {
                            return Ok(if own {
                                Ensured::Created
                            } else {
                                Ensured::Unchanged
                            });
                        }
                        Ok(Some(found)) => Step::Update { from: found.role },
                        // Removed since the create was refused.
                        Ok(None) => Step::Create(Some(already)),
                        Err(read_back) if own => {
                            return Err(ChangeError::Unknown {
                                create: lost.unwrap_or(already),
                                read_back: Box::new(read_back),
                            });
                        }
                        Err(err) => return Err(ChangeError::Failed(err)),
                    }
                }
                Step::Update { from } => match self.update() {
                    Ok(_) => return Ok(Ensured::RoleChanged { from }),
                    // Removed since it was read.
                    Err(err) if err.is_not_found() => Step::Create(Some(err)),
                    Err(err) => return Err(ChangeError::Failed(err)),
                },
            };
        }
    }

    /// Whether the client sent this create again after an attempt that may have landed, and
    /// the repeat was answered with `already` ("already a member"): only a client whose
    /// policy [retries ambiguous creates](crate::RetryPolicyBuilder::retry_ambiguous_creates)
    /// does. Its first attempt most likely made the membership.
    fn repeated_after_loss(&self, already: &Error) -> bool {
        already.attempts() > 1 && self.client.retry_policy().retry_ambiguous_creates()
    }

    fn create(&self) -> Result<OrganizationMembership, Error> {
        CreateMembership::builder()
            .organization_id(self.organization_id)
            .user_id(self.user_id)
            .role(self.role)
            .set_public_metadata(self.public_metadata.map(object))
            .set_private_metadata(self.private_metadata.map(object))
            .build()?
            .send(self.client)
    }

    fn find(&self) -> Result<Option<OrganizationMembership>, Error> {
        find_member(self.client, self.organization_id, self.user_id)
    }

    fn update(&self) -> Result<OrganizationMembership, Error> {
        self.update_request()?.send(self.client)
    }

    fn update_request(&self) -> Result<UpdateMembership, Error> {
        Ok(UpdateMembership::builder()
            .organization_id(self.organization_id)
            .user_id(self.user_id)
            .role(self.role)
            .build()?)
    }
}
