//! What applying a plan did: one outcome per change.

use std::fmt;

use serde::{Serialize, Serializer};

use super::super::outcome::Outcome;
use super::super::plan::Change;
use super::super::vocab::{OutcomeKind, SkipReason};
use crate::error::Error;

/// Whether the organization is as the change wanted: applied, or already done.
pub(super) fn is_done(kind: OutcomeKind) -> bool {
    matches!(kind, OutcomeKind::Applied | OutcomeKind::AlreadyDone)
}

/// Whether the change went wrong: failed, or unknown.
pub(super) fn is_failure(kind: OutcomeKind) -> bool {
    matches!(kind, OutcomeKind::Failed | OutcomeKind::Unknown)
}

/// An outcome on one line: its kind, and the reason or the error that goes with it, e.g.
/// `skipped (protected)` or `failed: <the error>`.
struct OutcomeText<'a>(&'a Outcome);

impl fmt::Display for OutcomeText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Outcome::Skipped(reason) => write!(f, "skipped ({reason})"),
            Outcome::Failed(error) => write!(f, "failed: {error}"),
            Outcome::Unknown { create, read_back } => {
                write!(f, "unknown: {create}; reading it back: {read_back}")
            }
            other => write!(f, "{}", other.kind()),
        }
    }
}

/// The JSON of an error: its message and, when the server answered, its status.
#[derive(Serialize)]
struct ErrorJson {
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
}

impl From<&Error> for ErrorJson {
    fn from(error: &Error) -> Self {
        ErrorJson {
            message: error.to_string(),
            status: error.status(),
        }
    }
}

/// One change of the plan and how it ended.
///
/// Its `Display` is `change => outcome` on one line: the change as a plan shows it, then the
/// outcome's kind, with the reason of a skipped change or the error of a failed one.
#[derive(Debug)]
#[non_exhaustive]
pub struct ChangeResult {
    /// The change, as planned.
    pub change: Change,
    /// How it ended.
    pub outcome: Outcome,
}

impl fmt::Display for ChangeResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} => {}", self.change, OutcomeText(&self.outcome))
    }
}

/// `{"change": …, "outcome": kind}`, plus `reason` for a skipped change, `error` for a failed
/// or unknown one and `read_back_error` for an unknown one (each error as its `message` and,
/// when the server answered, its `status`).
impl Serialize for ChangeResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct ResultJson<'a> {
            change: &'a Change,
            outcome: OutcomeKind,
            #[serde(skip_serializing_if = "Option::is_none")]
            reason: Option<&'a SkipReason>,
            #[serde(skip_serializing_if = "Option::is_none")]
            error: Option<ErrorJson>,
            #[serde(skip_serializing_if = "Option::is_none")]
            read_back_error: Option<ErrorJson>,
        }
        ResultJson {
            change: &self.change,
            outcome: self.outcome.kind(),
            reason: match &self.outcome {
                Outcome::Skipped(reason) => Some(reason),
                _ => None,
            },
            error: self.outcome.error().map(ErrorJson::from),
            read_back_error: match &self.outcome {
                Outcome::Unknown { read_back, .. } => Some(ErrorJson::from(read_back.as_ref())),
                _ => None,
            },
        }
        .serialize(serializer)
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
    /// Creates (adds, or role changes that turned into adds) that may or may not have
    /// happened.
    pub unknown: usize,
}

super::super::vocab::sum_of_counts!(
    /// Adds up the counts of several reports, as
    /// [`OrganizationReports::counts`](super::super::OrganizationReports::counts) does.
    OutcomeCounts {
        applied,
        already_done,
        skipped,
        failed,
        unknown,
    }
);

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
///   `change` (as in a plan's JSON) and its `outcome`, plus as they apply `reason`, `error`
///   and `read_back_error` (see [`ChangeResult`]).
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
            .filter(|result| is_failure(result.outcome.kind()))
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
