//! What applying a plan did: one outcome per change.

use std::fmt;

use serde::{Serialize, Serializer};

use super::super::plan::{Change, SkipReason};
use crate::error::Error;

/// How a change ended, in a word: the kinds of [`Outcome`].
///
/// ```
/// use clerk_memberships::sync::OutcomeKind;
///
/// assert_eq!(OutcomeKind::AlreadyDone.to_string(), "already done");
/// assert_eq!(serde_json::to_string(&OutcomeKind::AlreadyDone)?, r#""already_done""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OutcomeKind {
    /// [`Outcome::Applied`].
    Applied,
    /// [`Outcome::AlreadyDone`].
    AlreadyDone,
    /// [`Outcome::Skipped`].
    Skipped,
    /// [`Outcome::Failed`].
    Failed,
    /// [`Outcome::Unknown`].
    Unknown,
}

impl OutcomeKind {
    /// Whether the organization is as the change wanted: applied or already done.
    pub fn is_done(self) -> bool {
        matches!(self, OutcomeKind::Applied | OutcomeKind::AlreadyDone)
    }

    /// Whether the change went wrong: failed, or unknown.
    pub fn is_failure(self) -> bool {
        matches!(self, OutcomeKind::Failed | OutcomeKind::Unknown)
    }
}

impl fmt::Display for OutcomeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OutcomeKind::Applied => "applied",
            OutcomeKind::AlreadyDone => "already done",
            OutcomeKind::Skipped => "skipped",
            OutcomeKind::Failed => "failed",
            OutcomeKind::Unknown => "unknown",
        })
    }
}

/// The race an [`Outcome::AlreadyDone`] absorbed: someone else changed the member between
/// planning and applying, and the change was brought to what the plan wanted another way.
///
/// ```
/// use clerk_memberships::sync::Absorbed;
///
/// assert_eq!(Absorbed::AlreadyGone.to_string(), "was not a member any more");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Absorbed {
    /// An add found the user a member already ("already a member", or a read-back after an
    /// answer that was lost): their role, and the metadata the add carried, were compared
    /// and set where they differed.
    AlreadyMember,
    /// A role change found no membership (404): the user was added with the new role.
    NotAMember,
    /// A removal found no membership (404): the member was gone already.
    AlreadyGone,
}

impl fmt::Display for Absorbed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Absorbed::AlreadyMember => "was a member already",
            Absorbed::NotAMember => "was not a member, added",
            Absorbed::AlreadyGone => "was not a member any more",
        })
    }
}

/// How one change of a plan ended: exactly one of these.
///
/// Its `Display` is the kind in words and what goes with it, e.g. `skipped (protected)` or
/// `failed: <the error>`.
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// The change was made.
    Applied,
    /// The organization was already as the change wanted, or was brought there another way
    /// after a race.
    AlreadyDone(Absorbed),
    /// The change was not tried: the plan's rails stopped it, or applying did (see
    /// [`SkipReason::AdminNotGained`] and [`SkipReason::Stopped`]).
    Skipped(SkipReason),
    /// The change was not made: the request's error (after the client's retries). Planning
    /// again shows what is left to do.
    Failed(Error),
    /// An add whose answer was lost (a timeout, a reset connection, a 5xx) and that could
    /// not be read back: it may or may not have happened. The client never repeats such a
    /// create; planning again shows which.
    Unknown {
        /// The create's error.
        error: Error,
        /// The error of the read that would have settled it.
        read_back: Error,
    },
}

impl Outcome {
    /// The outcome in a word.
    pub fn kind(&self) -> OutcomeKind {
        match self {
            Outcome::Applied => OutcomeKind::Applied,
            Outcome::AlreadyDone(_) => OutcomeKind::AlreadyDone,
            Outcome::Skipped(_) => OutcomeKind::Skipped,
            Outcome::Failed(_) => OutcomeKind::Failed,
            Outcome::Unknown { .. } => OutcomeKind::Unknown,
        }
    }

    /// The error, for a failed or unknown change.
    pub fn error(&self) -> Option<&Error> {
        match self {
            Outcome::Failed(error) | Outcome::Unknown { error, .. } => Some(error),
            Outcome::Applied | Outcome::AlreadyDone(_) | Outcome::Skipped(_) => None,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Applied => f.write_str("applied"),
            Outcome::AlreadyDone(absorbed) => write!(f, "already done ({absorbed})"),
            Outcome::Skipped(reason) => write!(f, "skipped ({reason})"),
            Outcome::Failed(error) => write!(f, "failed: {error}"),
            Outcome::Unknown { error, read_back } => {
                write!(f, "unknown: {error}; reading it back: {read_back}")
            }
        }
    }
}

/// The JSON of an outcome: `{"outcome": kind}` and what goes with it (`absorbed`, `reason`,
/// or the errors' text and status).
impl Serialize for Outcome {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct ErrorJson {
            message: String,
            #[serde(skip_serializing_if = "Option::is_none")]
            status: Option<u16>,
        }
        #[derive(Serialize)]
        struct OutcomeJson<'a> {
            outcome: OutcomeKind,
            #[serde(skip_serializing_if = "Option::is_none")]
            absorbed: Option<Absorbed>,
            #[serde(skip_serializing_if = "Option::is_none")]
            reason: Option<&'a SkipReason>,
            #[serde(skip_serializing_if = "Option::is_none")]
            error: Option<ErrorJson>,
            #[serde(skip_serializing_if = "Option::is_none")]
            read_back_error: Option<ErrorJson>,
        }
        let error = |error: &Error| ErrorJson {
            message: error.to_string(),
            status: error.status(),
        };
        OutcomeJson {
            outcome: self.kind(),
            absorbed: match self {
                Outcome::AlreadyDone(absorbed) => Some(*absorbed),
                _ => None,
            },
            reason: match self {
                Outcome::Skipped(reason) => Some(reason),
                _ => None,
            },
            error: self.error().map(error),
            read_back_error: match self {
                Outcome::Unknown { read_back, .. } => Some(error(read_back)),
                _ => None,
            },
        }
        .serialize(serializer)
    }
}

/// One change of the plan and how it ended.
#[derive(Debug, Serialize)]
#[non_exhaustive]
pub struct ChangeResult {
    /// The change, as planned.
    pub change: Change,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// `change => outcome`, on one line (the change as a plan shows it).
impl fmt::Display for ChangeResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} => {}", self.change, self.outcome)
    }
}

/// How many changes ended each way.
///
/// ```
/// use clerk_memberships::sync::OutcomeCounts;
///
/// assert_eq!(
///     OutcomeCounts::default().to_string(),
///     "0 applied, 0 already done, 0 skipped, 0 failed, 0 unknown"
/// );
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct OutcomeCounts {
    /// Changes made.
    pub applied: usize,
    /// Changes found done, or done another way after a race.
    pub already_done: usize,
    /// Changes not tried.
    pub skipped: usize,
    /// Changes that failed.
    pub failed: usize,
    /// Adds that may or may not have happened.
    pub unknown: usize,
}

impl fmt::Display for OutcomeCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} applied, {} already done, {} skipped, {} failed, {} unknown",
            self.applied, self.already_done, self.skipped, self.failed, self.unknown
        )
    }
}

/// What [`Plan::apply`](super::super::Plan::apply) did: every change of the plan, and every
/// change the plan skipped, each with its [`Outcome`].
///
/// - **Order**: the plan's changes in the plan's order, then the plan's skipped changes —
///   not the order they were sent in.
/// - **`Display`**: one line per change, `change => outcome` (see [`ChangeResult`]).
/// - **JSON** (`Serialize`): `organization_id`, `counts` and `results`, each result the
///   `change` (as in a plan's JSON) and `outcome`, plus as they apply `absorbed`, `reason`,
///   `error` and `read_back_error` (each error as its `message` and, when the server
///   answered, its `status`).
#[derive(Debug, Serialize)]
pub struct ApplyReport {
    organization_id: String,
    counts: OutcomeCounts,
    results: Vec<ChangeResult>,
}

impl ApplyReport {
    pub(crate) fn new(organization_id: &str, results: Vec<ChangeResult>) -> Self {
        let mut counts = OutcomeCounts::default();
        for result in &results {
            match result.outcome.kind() {
                OutcomeKind::Applied => counts.applied += 1,
                OutcomeKind::AlreadyDone => counts.already_done += 1,
                OutcomeKind::Skipped => counts.skipped += 1,
                OutcomeKind::Failed => counts.failed += 1,
                OutcomeKind::Unknown => counts.unknown += 1,
            }
        }
        ApplyReport {
            organization_id: organization_id.to_owned(),
            counts,
            results,
        }
    }

    /// The organization the plan was for.
    pub fn organization_id(&self) -> &str {
        &self.organization_id
    }

    /// Every change and how it ended, in the plan's order, then the plan's skipped changes.
    pub fn results(&self) -> &[ChangeResult] {
        &self.results
    }

    /// The results, owned (to keep the errors).
    pub fn into_results(self) -> Vec<ChangeResult> {
        self.results
    }

    /// How many changes ended each way.
    pub fn counts(&self) -> OutcomeCounts {
        self.counts
    }

    /// Whether no change failed or ended unknown (skipped changes are not failures).
    pub fn is_success(&self) -> bool {
        self.counts.failed == 0 && self.counts.unknown == 0
    }

    /// The changes that failed or ended unknown, in the report's order.
    pub fn failures(&self) -> impl Iterator<Item = &ChangeResult> {
        self.results
            .iter()
            .filter(|result| result.outcome.kind().is_failure())
    }
}

impl fmt::Display for ApplyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for result in &self.results {
            writeln!(f, "{result}")?;
        }
        Ok(())
    }
}
