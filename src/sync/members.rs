//! One change at a time: find a member, make sure a user is a member with a role, change a
//! role, merge metadata, remove a member. Each makes the fewest requests it can and absorbs
//! the races that happen between reading and writing, the way applying a plan does.

use serde_json::Value;

use super::guard::may_lose_admin;
use super::outcome::{ChangeError, Outcome, may_have_landed};
use super::vocab::SkipReason;
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

/// What [`EnsureMember`](super::EnsureMember) did.
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

/// What [`ChangeRole`](super::ChangeRole) did.
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

/// What [`RemoveMember`](super::RemoveMember) did.
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
    /// [`RemoveMember`](super::RemoveMember) follows: a 404 on the first attempt means there was no such
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

/// What [`MergeMetadata`](super::MergeMetadata) did.
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

/// The membership of `user_id`, matched exactly: see [`FindMember`](super::FindMember).
pub(crate) fn find(
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

/// Makes `user_id` a member with `role`, with the metadata if the membership is created: see
/// [`EnsureMember`](super::EnsureMember).
pub(crate) fn ensure(
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

/// Sets the role of `user_id`, adding them with it if they are not a member, asking the server
/// first whether another member holds `guard` (the admin role) when there is one to keep: see
/// [`ChangeRole`](super::ChangeRole).
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

/// Removes `user_id`, asking the server first whether another member holds `guard` (the admin
/// role) when there is one to keep: see [`RemoveMember`](super::RemoveMember).
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

/// Deep-merges metadata into the membership of `user_id`: see
/// [`MergeMetadata`](super::MergeMetadata).
pub(crate) fn merge(
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
        find(self.client, self.organization_id, self.user_id)
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
