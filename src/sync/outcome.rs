//! How one change ends: the [`Outcome`] every single-change helper maps to, and the
//! [`ChangeError`] of a change that was not made or whose fate is unknown.

use super::vocab::{OutcomeKind, SkipReason};
use crate::error::Error;

/// How one change to an organization ended: exactly one of applied, already done, skipped,
/// failed or unknown.
///
/// Every single-change helper's answer converts into one with `Outcome::from`, whether it is
/// a success or an error: see [`Ensured`](super::Ensured), [`RoleSet`](super::RoleSet),
/// [`Removal`](super::Removal) and [`MetadataMerge`](super::MetadataMerge) for which of their
/// cases is which.
///
/// ```
/// use clerk_memberships::sync::{EnsureMember, Outcome, OutcomeKind, RemoveMember};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
/// let client = fake.client();
/// let ensure = EnsureMember::builder().organization_id(&org).user_id(&jane).role("org:member");
/// let ensure = ensure.build()?;
/// let remove = RemoveMember::builder().organization_id(&org).user_id(&jane).build()?;
///
/// let first = Outcome::from(ensure.send(&client));
/// assert_eq!(first.kind(), OutcomeKind::Applied);
/// let again = Outcome::from(ensure.send(&client));
/// assert_eq!(again.kind(), OutcomeKind::AlreadyDone);
/// let removed = Outcome::from(remove.send(&client));
/// assert_eq!(removed.kind(), OutcomeKind::Applied);
/// let gone = Outcome::from(remove.send(&client));
/// assert_eq!(gone.kind(), OutcomeKind::AlreadyDone); // a 404 on delete: nothing to remove
/// # Ok::<(), clerk_memberships::BuildError>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// The change was made.
    Applied,
    /// Nothing was left to do, or a race between planning and applying was absorbed: the
    /// organization had changed meanwhile, and what was written (if anything) brought it to
    /// the state the change aimed at. E.g. a user added by someone else meanwhile whose role
    /// was then set, or a member to remove who was already gone.
    AlreadyDone,
    /// The change was not made, for this reason; nothing was written.
    Skipped(SkipReason),
    /// The change was not made, and the error says why. For a create, it certainly was not
    /// made (a create whose fate is in doubt is read back, see [`Unknown`](Self::Unknown)).
    /// A role update, metadata merge or removal that failed after its request may have
    /// reached the server
    /// ([`TransportError::may_have_been_sent`](crate::TransportError::may_have_been_sent))
    /// may have been made: those writes are idempotent, so planning again and applying is
    /// safe.
    Failed(Error),
    /// A create may or may not have reached the server (its answer was lost, or was a 5xx),
    /// and reading the membership back to find out failed too. Planning again shows what
    /// happened.
    Unknown {
        /// The create's error.
        create: Error,
        /// The error of the read that was to settle it.
        read_back: Box<Error>,
    },
}

impl Outcome {
    /// Which of the five outcomes this is, without its details.
    pub fn kind(&self) -> OutcomeKind {
        match self {
            Outcome::Applied => OutcomeKind::Applied,
            Outcome::AlreadyDone => OutcomeKind::AlreadyDone,
            Outcome::Skipped(_) => OutcomeKind::Skipped,
            Outcome::Failed(_) => OutcomeKind::Failed,
            Outcome::Unknown { .. } => OutcomeKind::Unknown,
        }
    }

    /// The error, for [`Failed`](Self::Failed), or the create's error, for
    /// [`Unknown`](Self::Unknown).
    pub fn error(&self) -> Option<&Error> {
        match self {
            Outcome::Failed(error) | Outcome::Unknown { create: error, .. } => Some(error),
            Outcome::Applied | Outcome::AlreadyDone | Outcome::Skipped(_) => None,
        }
    }
}

impl From<ChangeError> for Outcome {
    fn from(error: ChangeError) -> Self {
        match error {
            ChangeError::Failed(error) => Outcome::Failed(error),
            ChangeError::Unknown { create, read_back } => Outcome::Unknown { create, read_back },
        }
    }
}

impl<T: Into<Outcome>> From<Result<T, ChangeError>> for Outcome {
    fn from(result: Result<T, ChangeError>) -> Self {
        result.map_or_else(Outcome::from, Into::into)
    }
}

impl<T: Into<Outcome>> From<Result<T, Error>> for Outcome {
    fn from(result: Result<T, Error>) -> Self {
        result.map_or_else(Outcome::Failed, Into::into)
    }
}

/// Why a change that may create a membership ([`EnsureMember`](super::EnsureMember),
/// [`ChangeRole`](super::ChangeRole)) did not end as asked: it failed, or whether its create
/// reached the server could not be settled.
///
/// Its `Display` is the failed request's (for [`Unknown`](Self::Unknown), the create's, said to
/// be unsettled); its [`source`](std::error::Error::source) is that error's source, or for
/// `Unknown` the read-back's error.
///
/// ```
/// use clerk_memberships::sync::{ChangeError, EnsureMember};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization};
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let ensure = EnsureMember::builder().organization_id(&org).user_id("user_unknown");
/// let err = ensure.role("org:member").build()?.send(&fake.client()).unwrap_err();
/// assert!(!err.is_unknown());
/// assert!(err.error().is_not_found()); // Clerk knows no such user: nothing was written
/// # Ok::<(), clerk_memberships::BuildError>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChangeError {
    /// A request failed and the change was not made; see [`Outcome::Failed`] for what that
    /// means for each kind of write.
    #[error(transparent)]
    Failed(#[from] Error),
    /// A create may or may not have reached the server, and reading the membership back to
    /// find out failed too.
    #[error("unknown whether the membership was created: {create}; reading it back failed")]
    Unknown {
        /// The create's error.
        create: Error,
        /// The error of the read that was to settle it (boxed, to keep the error small).
        #[source]
        read_back: Box<Error>,
    },
}

impl ChangeError {
    /// The failed request's error; for [`Unknown`](Self::Unknown), the create's.
    pub fn error(&self) -> &Error {
        match self {
            ChangeError::Failed(error) | ChangeError::Unknown { create: error, .. } => error,
        }
    }

    /// The error of the read that was to settle a create, for [`Unknown`](Self::Unknown).
    pub fn read_back_error(&self) -> Option<&Error> {
        match self {
            ChangeError::Unknown { read_back, .. } => Some(read_back.as_ref()),
            ChangeError::Failed(_) => None,
        }
    }

    /// `true` when whether the membership was created is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, ChangeError::Unknown { .. })
    }
}

/// `true` when a create (of a membership or an invitation) that failed with `err` may have
/// been processed: its request may have reached the server and its answer was lost (a
/// transport failure after sending), was a 5xx, or was a 2xx that could not be read.
/// Everything else (4xx, 429, not sent) certainly was not processed.
pub(crate) fn may_have_landed(err: &Error) -> bool {
    if let Some(transport) = err.transport_error() {
        return transport.may_have_been_sent();
    }
    err.status()
        .is_some_and(|status| status >= 500 || (200..300).contains(&status))
}
