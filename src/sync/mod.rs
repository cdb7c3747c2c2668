//! Keep an organization's members in step with a roster kept elsewhere (an HR system, an
//! identity provider, a spreadsheet): plan first, review, then apply.
//!
//! A [`Roster`] is the desired state: one [`RosterEntry`] per person, named by a
//! [`UserKey`] (a Clerk user id, an email address or an external id), with a role and
//! optionally metadata. A [`Plan`] is what it would take to get there, with the safety rails
//! of [`SyncOptions`] applied; it renders as a diff for a person and as JSON for CI. Nothing
//! is written while planning.
//!
//! Nothing in this module is re-exported at the crate root: import it from
//! `clerk_memberships::sync`.

mod error;
mod options;
mod patch;
mod plan;
mod progress;
mod resolve;
mod roster;
mod run;

pub use error::{RosterProblem, SyncError};
pub use options::{
    DEFAULT_ADMIN_ROLE, MetadataPolicy, RemovalThreshold, SyncOptions, SyncOptionsBuilder,
};
pub use plan::{
    Change, ChangeKind, Plan, PlanCounts, RemovalCheck, SkipReason, SkippedChange, Unresolved,
    UnresolvedEntry,
};
pub use progress::Progress;
pub use resolve::UserKey;
pub use roster::{EntryRef, Roster, RosterEntry};
