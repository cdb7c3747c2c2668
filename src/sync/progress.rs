//! What planning and applying report as they go.

use std::fmt;
use std::sync::Arc;

use super::vocab::{ChangeKind, OutcomeKind};

/// A step of [`plan`](super::plan), reported to
/// [`SyncOptionsBuilder::on_progress`](super::SyncOptionsBuilder::on_progress), or of
/// [`Plan::apply`](super::Plan::apply), reported to
/// [`ApplyOptionsBuilder::on_progress`](super::ApplyOptionsBuilder::on_progress).
///
/// Only counts and kinds: no key, id, email address or metadata, and never the secret key.
/// Planning first reads the current members (one event per page), then looks up the roster
/// entries that need it (one event before the first lookup and one after each batch).
/// Applying reports one [`Progress::Applying`] per change, as it ends.
///
/// ```
/// use clerk_memberships::sync::Progress;
///
/// let step = Progress::ReadingMembers { pages: 2, total_pages: 20, members: 1_000, total_members: 10_000 };
/// assert_eq!(step.to_string(), "reading members: page 2 of 20 (1000 of 10000 members)");
/// assert_eq!(step.fraction(), Some((2, 20)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Progress {
    /// A page of current members was read.
    ReadingMembers {
        /// Pages read so far.
        pages: u64,
        /// Pages in all, from the `total_count` of the latest page (it can change while
        /// others add or remove members).
        total_pages: u64,
        /// Members read so far.
        members: u64,
        /// Members in all, from the `total_count` of the latest page.
        total_members: u64,
    },
    /// An organization a roster names was looked up, by [`plan_all`](super::plan_all): one
    /// event per organization name, before the members are read.
    ///
    /// ```
    /// use clerk_memberships::sync::Progress;
    ///
    /// let step = Progress::LookingUpOrganizations { done: 3, total: 500 };
    /// assert_eq!(step.to_string(), "looking up organizations: 3 of 500");
    /// assert_eq!(step.fraction(), Some((3, 500)));
    /// ```
    LookingUpOrganizations {
        /// Organization names looked up so far.
        done: u64,
        /// Organization names in all.
        total: u64,
    },
    /// Roster entries were looked up (email addresses, external ids, and user ids that are
    /// not members yet).
    ResolvingUsers {
        /// Entries looked up so far.
        resolved: u64,
        /// Entries to look up in all.
        total: u64,
    },
    /// A change of the plan being applied ended. The changes the plan skipped come first,
    /// then each change as it ends, whatever the worker. `done` goes up by one at each event
    /// and reaches `total` at the last.
    ///
    /// ```
    /// use clerk_memberships::sync::{ChangeKind, OutcomeKind, Progress};
    ///
    /// let step = Progress::Applying { done: 3, total: 10, change: ChangeKind::Add, outcome: OutcomeKind::Applied };
    /// assert_eq!(step.to_string(), "applying: 3 of 10 changes (+ applied)");
    /// assert_eq!(step.fraction(), Some((3, 10)));
    /// ```
    Applying {
        /// Changes ended so far, this one included.
        done: u64,
        /// Changes in all: those to make and those the plan skipped.
        total: u64,
        /// What kind of change this one was.
        change: ChangeKind,
        /// How it ended.
        outcome: OutcomeKind,
    },
}

impl Progress {
    /// How far this step is, as `(done, of)`, for a progress bar; `None` when there is
    /// nothing to count.
    pub fn fraction(&self) -> Option<(u64, u64)> {
        let (done, of) = match *self {
            Progress::ReadingMembers {
                pages, total_pages, ..
            } => (pages, total_pages),
            Progress::ResolvingUsers { resolved, total } => (resolved, total),
            Progress::LookingUpOrganizations { done, total } => (done, total),
            Progress::Applying { done, total, .. } => (done, total),
        };
        (of > 0).then_some((done.min(of), of))
    }
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Progress::ReadingMembers {
                pages,
                total_pages,
                members,
                total_members,
            } => write!(
                f,
                "reading members: page {pages} of {total_pages} ({members} of {total_members} members)"
            ),
            Progress::ResolvingUsers { resolved, total } => {
                write!(f, "resolving users: {resolved} of {total}")
            }
            Progress::LookingUpOrganizations { done, total } => {
                write!(f, "looking up organizations: {done} of {total}")
            }
            Progress::Applying {
                done,
                total,
                change,
                outcome,
            } => write!(
                f,
                "applying: {done} of {total} changes ({} {outcome})",
                change.sign()
            ),
        }
    }
}

/// The callback an options' `on_progress` was given, if any: cloned with the options, shown
/// in their `Debug` as `Some("Fn(Progress)")` or `None`.
#[derive(Clone, Default)]
pub(crate) struct OnProgress(Option<Arc<dyn Fn(Progress) + Send + Sync>>);

impl OnProgress {
    pub(crate) fn new(callback: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        OnProgress(Some(Arc::new(callback)))
    }

    /// Reports `progress` to the callback, if there is one.
    pub(crate) fn report(&self, progress: Progress) {
        if let Some(callback) = &self.0 {
            callback(progress);
        }
    }
}

impl fmt::Debug for OnProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0.as_ref().map(|_| "Fn(Progress)"), f)
    }
}
