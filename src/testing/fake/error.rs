//! What the fake refuses from the test that drives it.

/// Why [`FakeClerk`](super::FakeClerk) refused to be seeded or to load a state: the test's
/// own input was wrong (nothing a client sends ends here; the fake answers those as Clerk
/// would).
///
/// Seeding fails with the first four variants: [`add_membership`](super::FakeClerk::add_membership)
/// with `UnknownOrganization`, `UnknownUser` or `AlreadyAMember`,
/// [`add_example_members`](super::FakeClerk::add_example_members) with
/// `UnknownOrganization`, [`accept_invitation`](super::FakeClerk::accept_invitation) with
/// `NoPendingInvitation` (or `UnknownOrganization`). Loading a state document
/// ([`load_state`](super::FakeClerk::load_state), [`from_state`](super::FakeClerk::from_state))
/// fails with the last four, or with `UnknownOrganization`, `UnknownUser` or
/// `AlreadyAMember` for a membership or invitation it seeds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FakeError {
    /// No organization has this id.
    #[error("no organization with id {0:?} was seeded")]
    UnknownOrganization(String),
    /// No user has this id.
    #[error("no user with id {0:?} was seeded")]
    UnknownUser(String),
    /// The user is already a member of the organization.
    #[error("user {user_id:?} is already a member of organization {organization_id:?}")]
    AlreadyAMember {
        /// The organization.
        organization_id: String,
        /// The user.
        user_id: String,
    },
    /// No invitation to this address is pending.
    #[error("no pending invitation to {0:?}")]
    NoPendingInvitation(String),
    /// Not JSON, or not the shape of a state document (the message says where).
    #[error("not a fake-state document: {0}")]
    Invalid(String),
    /// The `format` field is not `clerk-memberships/fake-state`.
    #[error("the format is {0:?}, not \"clerk-memberships/fake-state\"")]
    WrongFormat(String),
    /// A version this crate cannot read.
    #[error("fake-state version {0} is not supported (this crate reads version 1)")]
    UnsupportedVersion(u32),
    /// Two organizations, or two users, or two invitations, with the same id.
    #[error("the id {0:?} appears twice")]
    DuplicateId(String),
}
