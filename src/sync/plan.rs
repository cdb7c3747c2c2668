//! The plan: what a sync would change, computed from the desired and the current state.
//!
//! Computing it reads nothing: [`compute`] takes the roster, what each entry resolved to and
//! the current members, and applies the options' rails. The requests that gather those live
//! in `run`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::{RosterProblem, SyncError};
use super::options::{DEFAULT_ADMIN_ROLE, MetadataPolicy, RemovalThreshold, SyncOptions};
use super::patch::{merge_patch, without_nulls};
use super::resolve::UserKey;
use super::roster::{EntryRef, Roster, RosterEntry};
use crate::models::{Metadata, OrganizationMembership};

/// One change a plan makes to one member.
///
/// `label` is what a person recognises the member by: the roster's email address or external
/// id for the entries that name one, else the member's identifier as Clerk shows it (usually
/// their primary email address), when there is one.
///
/// ```
/// use clerk_memberships::sync::{Change, ChangeKind};
///
/// let json = r#"{"kind":"change_role","user_id":"user_1","label":"jane@acme.com","from":"org:member","to":"org:admin"}"#;
/// let change: Change = serde_json::from_str(json)?;
/// assert_eq!(change.kind(), ChangeKind::ChangeRole);
/// assert_eq!(change.user_id(), "user_1");
/// assert_eq!(change.to_string(), "~ user_1 (jane@acme.com) role org:member -> org:admin");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// Make the user a member (`+`).
    Add {
        /// The user to add.
        user_id: String,
        /// How a person recognises them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        /// Their role.
        role: String,
        /// Their public metadata (only under [`MetadataPolicy::Merge`] or
        /// [`Exact`](MetadataPolicy::Exact), when the roster has some).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        public_metadata: Option<Metadata>,
        /// Their private metadata (likewise).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        private_metadata: Option<Metadata>,
    },
    /// Change a member's role (`~`).
    ChangeRole {
        /// The member.
        user_id: String,
        /// How a person recognises them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        /// The role they have.
        from: String,
        /// The role they should have.
        to: String,
    },
    /// Deep-merge a patch into a member's metadata (`~`): the smallest patch that gives the
    /// roster's metadata under the policy; a `null` removes a key.
    MergeMetadata {
        /// The member.
        user_id: String,
        /// How a person recognises them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        /// The patch for the public metadata, if it changes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        public_metadata: Option<Metadata>,
        /// The patch for the private metadata, if it changes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        private_metadata: Option<Metadata>,
    },
    /// Remove a member (`-`).
    Remove {
        /// The member.
        user_id: String,
        /// How a person recognises them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        /// The role they have.
        role: String,
    },
}

/// The kinds of [`Change`], in the order a plan lists them.
///
/// ```
/// use clerk_memberships::sync::ChangeKind;
///
/// assert_eq!(ChangeKind::Remove.sign(), '-');
/// assert_eq!(serde_json::to_string(&ChangeKind::MergeMetadata)?, r#""merge_metadata""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeKind {
    /// [`Change::Add`].
    Add,
    /// [`Change::ChangeRole`].
    ChangeRole,
    /// [`Change::MergeMetadata`].
    MergeMetadata,
    /// [`Change::Remove`].
    Remove,
}

impl ChangeKind {
    /// The character a plan's lines start with: `+` to add, `~` to change, `-` to remove.
    pub fn sign(self) -> char {
        match self {
            ChangeKind::Add => '+',
            ChangeKind::ChangeRole | ChangeKind::MergeMetadata => '~',
            ChangeKind::Remove => '-',
        }
    }
}

impl Change {
    /// Whether this change gives someone `role`: an add with it, or a move to it.
    pub(crate) fn gives(&self, role: &str) -> bool {
        match self {
            Change::Add { role: given, .. } => given == role,
            Change::ChangeRole { from, to, .. } => to == role && from != role,
            Change::MergeMetadata { .. } | Change::Remove { .. } => false,
        }
    }

    /// Whether this change moves someone from `role` to another role.
    pub(crate) fn demotes_from(&self, role: &str) -> bool {
        matches!(self, Change::ChangeRole { from, to, .. } if from == role && to != role)
    }

    /// Whether this change takes `role` from someone: a move away from it, or a removal of a
    /// member who holds it.
    pub(crate) fn takes_away(&self, role: &str) -> bool {
        match self {
            Change::Remove { role: held, .. } => held == role,
            other => other.demotes_from(role),
        }
    }

    /// What kind of change this is.
    pub fn kind(&self) -> ChangeKind {
        match self {
            Change::Add { .. } => ChangeKind::Add,
            Change::ChangeRole { .. } => ChangeKind::ChangeRole,
            Change::MergeMetadata { .. } => ChangeKind::MergeMetadata,
            Change::Remove { .. } => ChangeKind::Remove,
        }
    }

    /// The user the change is about.
    pub fn user_id(&self) -> &str {
        match self {
            Change::Add { user_id, .. }
            | Change::ChangeRole { user_id, .. }
            | Change::MergeMetadata { user_id, .. }
            | Change::Remove { user_id, .. } => user_id,
        }
    }

    /// How a person recognises the user, when known.
    pub fn label(&self) -> Option<&str> {
        match self {
            Change::Add { label, .. }
            | Change::ChangeRole { label, .. }
            | Change::MergeMetadata { label, .. }
            | Change::Remove { label, .. } => label.as_deref(),
        }
    }

    /// The order changes are listed in: by kind, then by user id.
    fn sort_key(&self) -> (ChangeKind, &str) {
        (self.kind(), self.user_id())
    }
}

/// One line, like a diff: `+` add, `~` change, `-` remove, then the user id, the label in
/// parentheses and what changes. Metadata shows as compact JSON. Control characters in ids,
/// labels and roles are escaped (`\n`, `\u{1b}`), so a change is always one line.
impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind().sign(), Clean(self.user_id()))?;
        if let Some(label) = self.label() {
            write!(f, " ({})", Clean(label))?;
        }
        match self {
            Change::Add {
                role,
                public_metadata,
                private_metadata,
                ..
            } => {
                write!(f, " {}", Clean(role))?;
                write_metadata(f, public_metadata.as_ref(), private_metadata.as_ref())
            }
            Change::ChangeRole { from, to, .. } => {
                write!(f, " role {} -> {}", Clean(from), Clean(to))
            }
            Change::MergeMetadata {
                public_metadata,
                private_metadata,
                ..
            } => {
                f.write_str(" metadata")?;
                write_metadata(f, public_metadata.as_ref(), private_metadata.as_ref())
            }
            Change::Remove { role, .. } => write!(f, " {}", Clean(role)),
        }
    }
}

fn write_metadata(
    f: &mut fmt::Formatter<'_>,
    public: Option<&Metadata>,
    private: Option<&Metadata>,
) -> fmt::Result {
    for (name, metadata) in [("public_metadata", public), ("private_metadata", private)] {
        if let Some(metadata) = metadata {
            // Serializing a map of JSON values cannot fail; never let Display fail on it.
            let json = serde_json::to_string(metadata).unwrap_or_else(|_| "{…}".to_owned());
            write!(f, " {name}={}", Clean(&json))?;
        }
    }
    Ok(())
}

/// Text shown escaped as error messages are (control characters and the marks that reorder
/// text), so that it stays on its line and reads as it is.
struct Clean<'a>(&'a str);

impl fmt::Display for Clean<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0
            .chars()
            .try_for_each(|c| crate::text::write_escaped(f, c))
    }
}

/// Why a change was planned but will not be made.
///
/// ```
/// use clerk_memberships::sync::SkipReason;
///
/// let reason = SkipReason::LastAdmin { role: "org:admin".into() };
/// assert_eq!(reason.to_string(), "the last member holding org:admin");
///
/// let when_applied = SkipReason::NoOtherAdmin { role: "org:admin".into() };
/// assert_eq!(when_applied.to_string(), "no other member holding org:admin when applied");
/// assert_eq!(
///     serde_json::to_string(&when_applied)?,
///     r#"{"reason":"no_other_admin","role":"org:admin"}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SkipReason {
    /// The member is [protected](super::SyncOptionsBuilder::protect): never removed, never
    /// moved away from the admin role.
    Protected,
    /// The change would leave no member holding the admin role.
    LastAdmin {
        /// The admin role.
        role: String,
    },
    /// The member is one of the users an ambiguous roster entry could mean: removing them
    /// would be a guess.
    AmbiguousEntry {
        /// The ambiguous entry.
        entry: EntryRef,
    },
    /// Only when applying: a change of the first phase that gives someone the admin role did
    /// not succeed, so this change, which takes the role from someone, was not made (it could
    /// have left no member holding it). Plan again to retry it.
    AdminNotGained {
        /// The admin role.
        role: String,
    },
    /// Found when applying: the member holds the admin role and, as the server answered
    /// just before the change was to be sent, no other member does (someone else demoted or
    /// removed the other admins after the plan was made). The member was neither demoted nor
    /// removed.
    NoOtherAdmin {
        /// The admin role.
        role: String,
    },
    /// Only when applying: an earlier change failed and the apply was asked to
    /// [stop on error](super::ApplyOptionsBuilder::stop_on_error), so this one was not tried.
    Stopped,
    /// Found when applying: the user is not a member any more (removed after the plan was
    /// made), so there is no membership to change. Planning again proposes adding them, if
    /// the roster still names them.
    NotAMember,
    /// Only when applying: the apply was [cancelled](super::CancelToken::cancel) before this
    /// change was started, so it was not tried. Plan again to see what is left.
    Cancelled,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Protected => f.write_str("protected"),
            SkipReason::LastAdmin { role } => {
                write!(f, "the last member holding {}", Clean(role))
            }
            SkipReason::AmbiguousEntry { entry } => write!(f, "{entry} may mean this member"),
            SkipReason::AdminNotGained { role } => {
                write!(f, "no new member holding {} yet", Clean(role))
            }
            SkipReason::NoOtherAdmin { role } => {
                write!(f, "no other member holding {} when applied", Clean(role))
            }
            SkipReason::Stopped => f.write_str("not tried after an earlier failure"),
            SkipReason::NotAMember => f.write_str("no longer a member"),
            SkipReason::Cancelled => f.write_str("not started: the apply was cancelled"),
        }
    }
}

/// A change the rails stopped, with the reason.
///
/// ```
/// # use clerk_memberships::sync::{Change, SkipReason, SkippedChange};
/// let json = r#"{"change":{"kind":"remove","user_id":"user_1","role":"org:admin"},"reason":{"reason":"protected"}}"#;
/// let skipped: SkippedChange = serde_json::from_str(json)?;
/// assert_eq!(skipped.reason, SkipReason::Protected);
/// assert_eq!(skipped.to_string(), "! - user_1 org:admin (skipped: protected)");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SkippedChange {
    /// The change that will not be made.
    pub change: Change,
    /// Why.
    pub reason: SkipReason,
}

/// `! ` and the change's line, then `(skipped: reason)`.
impl fmt::Display for SkippedChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "! {} (skipped: {})", self.change, self.reason)
    }
}

/// Why a roster entry names nobody the plan can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Unresolved {
    /// No user has this email address, external id or user id.
    NotFound,
    /// Several users match; none was picked.
    Ambiguous {
        /// Every matching user id.
        user_ids: Vec<String>,
    },
    /// The key cannot name anyone (empty, an email address without `@`, …), so it was not
    /// looked up.
    Refused {
        /// Why, in words.
        reason: String,
    },
}

impl fmt::Display for Unresolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unresolved::NotFound => f.write_str("not found"),
            Unresolved::Ambiguous { user_ids } => {
                write!(f, "ambiguous, {} users match (", user_ids.len())?;
                for (i, id) in user_ids.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{}", Clean(id))?;
                }
                f.write_str(")")
            }
            Unresolved::Refused { reason } => write!(f, "refused: {}", Clean(reason)),
        }
    }
}

/// A roster entry the plan does nothing for, and why.
///
/// ```
/// use clerk_memberships::sync::{EntryRef, Unresolved, UnresolvedEntry, UserKey};
///
/// let json = r#"{"entry":{"index":4,"key":{"email_address":"ghost@acme.com"}},"problem":{"outcome":"not_found"}}"#;
/// let unresolved: UnresolvedEntry = serde_json::from_str(json)?;
/// assert_eq!(unresolved.entry, EntryRef::new(4, UserKey::email("ghost@acme.com")));
/// assert_eq!(unresolved.problem, Unresolved::NotFound);
/// assert_eq!(unresolved.to_string(), r#"? entry 4 (email address "ghost@acme.com"): not found"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UnresolvedEntry {
    /// The entry.
    pub entry: EntryRef,
    /// Why it names nobody.
    pub problem: Unresolved,
}

/// `? `, the entry, and what became of its key.
impl fmt::Display for UnresolvedEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "? {}: {}", self.entry, self.problem)
    }
}

/// How many changes of each kind a plan has, and how many it skipped or could not resolve.
///
/// ```
/// use clerk_memberships::sync::PlanCounts;
///
/// let counts = PlanCounts::default();
/// assert_eq!(counts.changes(), 0);
/// assert_eq!(counts.to_string(), "0 to add, 0 role changes, 0 metadata merges, 0 to remove, 0 skipped, 0 unresolved");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlanCounts {
    /// Members to add.
    pub add: usize,
    /// Roles to change.
    pub change_role: usize,
    /// Metadata to merge.
    pub merge_metadata: usize,
    /// Members to remove.
    pub remove: usize,
    /// Changes the rails stopped.
    pub skipped: usize,
    /// Roster entries that name nobody (or several users).
    pub unresolved: usize,
}

impl PlanCounts {
    /// Changes to make, of every kind (skipped ones not included).
    pub fn changes(&self) -> usize {
        self.add + self.change_role + self.merge_metadata + self.remove
    }
}

impl fmt::Display for PlanCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = |n: usize| if n == 1 { "" } else { "s" };
        write!(
            f,
            "{} to add, {} role change{}, {} metadata merge{}, {} to remove, {} skipped, {} unresolved",
            self.add,
            self.change_role,
            s(self.change_role),
            self.merge_metadata,
            s(self.merge_metadata),
            self.remove,
            self.skipped,
            self.unresolved
        )
    }
}

/// A plan's removals held against its [`RemovalThreshold`].
///
/// ```
/// use clerk_memberships::sync::{RemovalCheck, RemovalThreshold};
///
/// let check = RemovalCheck::new(15, 100, RemovalThreshold::default());
/// assert!(check.exceeded);
/// assert_eq!(
///     check.to_string(),
///     "15 removals of 100 members exceed the removal threshold \
///      (more than 10% of the members and more than 10 members)"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RemovalCheck {
    /// Members the plan removes (skipped removals not included).
    pub removals: u64,
    /// Members the organization had when the plan was made.
    pub current_members: u64,
    /// The threshold.
    pub threshold: RemovalThreshold,
    /// Whether the removals exceed it.
    pub exceeded: bool,
}

impl RemovalCheck {
    /// `removals` of `current_members` held against `threshold`.
    pub fn new(removals: u64, current_members: u64, threshold: RemovalThreshold) -> Self {
        RemovalCheck {
            removals,
            current_members,
            threshold,
            exceeded: threshold.is_exceeded(removals, current_members),
        }
    }
}

impl fmt::Display for RemovalCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.removals == 1 { "" } else { "s" };
        let verdict = if self.exceeded {
            "exceed"
        } else {
            "are within"
        };
        write!(
            f,
            "{} removal{s} of {} members {verdict} the removal threshold ({})",
            self.removals, self.current_members, self.threshold
        )
    }
}

/// What a sync would change in one organization: made by [`plan`](super::plan), read only,
/// for a person (`Display`) or a CI job (JSON) to review before anything is applied.
///
/// - **Order** is deterministic and does not depend on the roster's order or the order the
///   server listed members in: changes by kind (add, change role, merge metadata, remove),
///   then by user id; skipped changes likewise; unresolved entries in roster order.
/// - **`Display`** is one line per change, like a diff: `+` add, `~` change role or merge
///   metadata, `-` remove (see [`Change`]'s `Display`). Then one line per skipped change,
///   `! ` followed by the change's own line and `(skipped: reason)`; then one line per
///   unresolved entry, starting with `? `; then, when the removals exceed the threshold, a
///   last line starting with `! ` that states the numbers. A plan with nothing in it shows
///   nothing.
/// - **JSON** (`Serialize`): `organization_id`, `current_members`, `removal_threshold`,
///   `admin_role`, `changes`, `skipped`, `unresolved`, plus `counts` and `removal_check` for
///   CI to test (e.g. `jq .removal_check.exceeded`). It reads back with `Deserialize` into an
///   equal plan (`counts` and `removal_check` are recomputed, not read; a missing
///   `admin_role` is `org:admin`).
///
/// ```
/// use clerk_memberships::sync::Plan;
///
/// let json = r#"{"organization_id":"org_1","current_members":2,
///   "removal_threshold":{"percent":10,"count":10},
///   "changes":[{"kind":"add","user_id":"user_3","label":"new@acme.com","role":"org:member"},
///              {"kind":"remove","user_id":"user_2","role":"org:member"}],
///   "skipped":[],
///   "unresolved":[{"entry":{"index":1,"key":{"email_address":"ghost@acme.com"}},"problem":{"outcome":"not_found"}}]}"#;
/// let plan: Plan = serde_json::from_str(json)?;
/// assert_eq!((plan.counts().add, plan.counts().remove), (1, 1));
/// assert!(!plan.is_empty());
/// assert!(!plan.exceeds_removal_threshold());
/// assert_eq!(
///     plan.to_string(),
///     "+ user_3 (new@acme.com) org:member\n\
///      - user_2 org:member\n\
///      ? entry 1 (email address \"ghost@acme.com\"): not found\n"
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Plan {
    organization_id: String,
    current_members: u64,
    removal_threshold: RemovalThreshold,
    #[serde(default = "default_admin_role")]
    admin_role: String,
    #[serde(default)]
    changes: Vec<Change>,
    #[serde(default)]
    skipped: Vec<SkippedChange>,
    #[serde(default)]
    unresolved: Vec<UnresolvedEntry>,
}

/// The plan's JSON: its fields, and the numbers derived from them.
#[derive(Serialize)]
struct PlanJson<'a> {
    organization_id: &'a str,
    current_members: u64,
    removal_threshold: RemovalThreshold,
    admin_role: &'a str,
    counts: PlanCounts,
    removal_check: RemovalCheck,
    changes: &'a [Change],
    skipped: &'a [SkippedChange],
    unresolved: &'a [UnresolvedEntry],
}

impl Serialize for Plan {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PlanJson {
            organization_id: &self.organization_id,
            current_members: self.current_members,
            removal_threshold: self.removal_threshold,
            admin_role: &self.admin_role,
            counts: self.counts(),
            removal_check: self.removal_check(),
            changes: &self.changes,
            skipped: &self.skipped,
            unresolved: &self.unresolved,
        }
        .serialize(serializer)
    }
}

impl Plan {
    /// The organization the plan is for.
    pub fn organization_id(&self) -> &str {
        &self.organization_id
    }

    /// The changes to make, in order.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// The changes the rails stopped, each with its reason.
    pub fn skipped(&self) -> &[SkippedChange] {
        &self.skipped
    }

    /// The roster entries that name nobody, or several users.
    pub fn unresolved(&self) -> &[UnresolvedEntry] {
        &self.unresolved
    }

    /// How many members the organization had when the plan was made.
    pub fn current_members(&self) -> u64 {
        self.current_members
    }

    /// The role the plan keeps at least one member in (the options'
    /// [`admin_role`](super::SyncOptionsBuilder::admin_role)); applying gives it before it
    /// takes it away.
    pub fn admin_role(&self) -> &str {
        &self.admin_role
    }

    /// How many changes of each kind there are.
    pub fn counts(&self) -> PlanCounts {
        let mut counts = PlanCounts {
            skipped: self.skipped.len(),
            unresolved: self.unresolved.len(),
            ..PlanCounts::default()
        };
        for change in &self.changes {
            match change.kind() {
                ChangeKind::Add => counts.add += 1,
                ChangeKind::ChangeRole => counts.change_role += 1,
                ChangeKind::MergeMetadata => counts.merge_metadata += 1,
                ChangeKind::Remove => counts.remove += 1,
            }
        }
        counts
    }

    /// Whether there is nothing to change. Skipped changes and unresolved entries do not
    /// count: a plan can be empty and still have them to report.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Whether every roster entry named exactly one user.
    pub fn is_fully_resolved(&self) -> bool {
        self.unresolved.is_empty()
    }

    /// The plan's removals held against its removal threshold, with the numbers.
    pub fn removal_check(&self) -> RemovalCheck {
        let removals = self
            .changes
            .iter()
            .filter(|change| change.kind() == ChangeKind::Remove)
            .count();
        RemovalCheck::new(
            u64::try_from(removals).unwrap_or(u64::MAX),
            self.current_members,
            self.removal_threshold,
        )
    }

    /// Whether the removals exceed the threshold: applying the plan will be refused unless
    /// forced.
    pub fn exceeds_removal_threshold(&self) -> bool {
        self.removal_check().exceeded
    }

    /// Succeeds when the removals are within the threshold; for a CI job that must fail on
    /// a plan that would remove too many members.
    ///
    /// # Errors
    ///
    /// [`SyncError::RemovalThresholdExceeded`], with the numbers, when the removals exceed
    /// the threshold.
    pub fn check_removals(&self) -> Result<(), SyncError> {
        let check = self.removal_check();
        if check.exceeded {
            Err(SyncError::RemovalThresholdExceeded(check))
        } else {
            Ok(())
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for change in &self.changes {
            writeln!(f, "{change}")?;
        }
        for skipped in &self.skipped {
            writeln!(f, "{skipped}")?;
        }
        for unresolved in &self.unresolved {
            writeln!(f, "{unresolved}")?;
        }
        let check = self.removal_check();
        if check.exceeded {
            writeln!(f, "! {check}: applying needs force")?;
        }
        Ok(())
    }
}

/// The admin role of a plan whose JSON does not name one.
fn default_admin_role() -> String {
    DEFAULT_ADMIN_ROLE.to_owned()
}

/// A current member, as much of them as planning needs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Member {
    pub(crate) user_id: String,
    pub(crate) identifier: Option<String>,
    pub(crate) role: String,
    pub(crate) public_metadata: Metadata,
    /// A missing `private_metadata` counts as `{}`.
    pub(crate) private_metadata: Metadata,
    pub(crate) created_at: i64,
}

impl Member {
    /// The member of `membership`; `None` when the answer left out who it is.
    pub(crate) fn from_membership(membership: OrganizationMembership) -> Option<Member> {
        let data = membership.public_user_data?;
        Some(Member {
            user_id: data.user_id,
            identifier: data.identifier.filter(|identifier| !identifier.is_empty()),
            role: membership.role,
            public_metadata: membership.public_metadata,
            private_metadata: membership.private_metadata.unwrap_or_default(),
            created_at: membership.created_at,
        })
    }
}

/// What one roster entry's key resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lookup {
    Found(String),
    NotFound,
    Ambiguous(Vec<String>),
    Refused(String),
}

/// The current state of the organization, as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Current {
    /// The members, each user once.
    pub(crate) members: Vec<Member>,
}

/// The plan for `organization_id`: from the roster, what each of its entries resolved to
/// (`lookups[i]` for entry `i`), and the current members.
pub(crate) fn compute(
    organization_id: &str,
    roster: &Roster,
    lookups: &[Lookup],
    current: &Current,
    options: &SyncOptions,
) -> Result<Plan, SyncError> {
    check_options(options)?;

    // Who the roster wants, by user id; entries that name nobody.
    let mut wanted: BTreeMap<&str, (usize, &RosterEntry)> = BTreeMap::new();
    let mut by_user: HashMap<&str, Vec<EntryRef>> = HashMap::new();
    let mut unresolved = Vec::new();
    let mut ambiguous: HashMap<&str, EntryRef> = HashMap::new();
    for (index, entry) in roster.iter().enumerate() {
        let here = || EntryRef::new(index, entry.key().clone());
        let problem = match lookups.get(index) {
            Some(Lookup::Found(user_id)) => {
                by_user.entry(user_id).or_default().push(here());
                wanted.entry(user_id).or_insert((index, entry));
                continue;
            }
            Some(Lookup::Ambiguous(user_ids)) => {
                for user_id in user_ids {
                    ambiguous.entry(user_id).or_insert_with(here);
                }
                Unresolved::Ambiguous {
                    user_ids: user_ids.clone(),
                }
            }
            Some(Lookup::Refused(reason)) => Unresolved::Refused {
                reason: reason.clone(),
            },
            Some(Lookup::NotFound) | None => Unresolved::NotFound,
        };
        unresolved.push(UnresolvedEntry {
            entry: here(),
            problem,
        });
    }
    let mut same_user: Vec<RosterProblem> = by_user
        .into_iter()
        .filter(|(_, entries)| entries.len() > 1)
        .map(|(user_id, entries)| RosterProblem::SameUser {
            user_id: user_id.to_owned(),
            entries,
        })
        .collect();
    if !same_user.is_empty() {
        same_user.sort_by_key(|problem| match problem {
            RosterProblem::SameUser { entries, .. } => entries.first().map(|e| e.index),
            _ => None,
        });
        return Err(SyncError::InvalidRoster {
            problems: same_user,
        });
    }

    let mut members: HashMap<&str, &Member> = HashMap::new();
    for member in &current.members {
        members.entry(&member.user_id).or_insert(member);
    }

    let mut candidates = Vec::new();
    for (&user_id, &(_, entry)) in &wanted {
        let member = members.get(user_id).copied();
        let label = match entry.key() {
            UserKey::UserId(_) => member.and_then(|m| m.identifier.clone()),
            key => Some(key.value().to_owned()),
        };
        candidates.extend(changes_for(
            user_id,
            label,
            entry,
            member,
            options.metadata(),
        ));
    }
    if options.prune() {
        for member in &current.members {
            if !wanted.contains_key(member.user_id.as_str()) {
                candidates.push(Change::Remove {
                    user_id: member.user_id.clone(),
                    label: member.identifier.clone(),
                    role: member.role.clone(),
                });
            }
        }
    }

    let (mut changes, mut skipped) = apply_rails(candidates, &members, &ambiguous, options);
    changes.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    skipped.sort_by(|a, b| a.change.sort_key().cmp(&b.change.sort_key()));
    Ok(Plan {
        organization_id: organization_id.to_owned(),
        current_members: current.members.len() as u64,
        removal_threshold: options.removal_threshold(),
        admin_role: options.admin_role().to_owned(),
        changes,
        skipped,
        unresolved,
    })
}

/// Refuses options no plan can be made with.
pub(crate) fn check_options(options: &SyncOptions) -> Result<(), SyncError> {
    if options.admin_role().trim().is_empty() {
        return Err(SyncError::InvalidOptions {
            option: "admin_role",
            rule: "must not be empty".to_owned(),
        });
    }
    Ok(())
}

/// The changes that bring `member` (or a new member) to what `entry` wants.
fn changes_for(
    user_id: &str,
    label: Option<String>,
    entry: &RosterEntry,
    member: Option<&Member>,
    policy: MetadataPolicy,
) -> Vec<Change> {
    let managed = policy != MetadataPolicy::Ignore;
    let Some(member) = member else {
        let new = |metadata: Option<&Metadata>| {
            metadata
                .filter(|_| managed)
                .map(without_nulls)
                .filter(|metadata| !metadata.is_empty())
        };
        return vec![Change::Add {
            user_id: user_id.to_owned(),
            label,
            role: entry.role().to_owned(),
            public_metadata: new(entry.public_metadata()),
            private_metadata: new(entry.private_metadata()),
        }];
    };
    let mut changes = Vec::new();
    if member.role != entry.role() {
        changes.push(Change::ChangeRole {
            user_id: user_id.to_owned(),
            label: label.clone(),
            from: member.role.clone(),
            to: entry.role().to_owned(),
        });
    }
    if managed {
        let exact = policy == MetadataPolicy::Exact;
        let patch = |have: &Metadata, want: Option<&Metadata>| {
            want.map(|want| merge_patch(have, want, exact))
                .filter(|patch| !patch.is_empty())
        };
        let public_metadata = patch(&member.public_metadata, entry.public_metadata());
        let private_metadata = patch(&member.private_metadata, entry.private_metadata());
        if public_metadata.is_some() || private_metadata.is_some() {
            changes.push(Change::MergeMetadata {
                user_id: user_id.to_owned(),
                label,
                public_metadata,
                private_metadata,
            });
        }
    }
    changes
}

/// Splits `candidates` into the changes to make and those the rails stop: protected members,
/// members an ambiguous entry may mean, and the last member holding the admin role.
fn apply_rails(
    candidates: Vec<Change>,
    members: &HashMap<&str, &Member>,
    ambiguous: &HashMap<&str, EntryRef>,
    options: &SyncOptions,
) -> (Vec<Change>, Vec<SkippedChange>) {
    let admin = options.admin_role();
    let mut changes = Vec::new();
    let mut skipped = Vec::new();
    for change in candidates {
        let reason = match &change {
            Change::Remove { user_id, .. } if options.is_protected(user_id) => {
                Some(SkipReason::Protected)
            }
            Change::ChangeRole { user_id, .. }
                if options.is_protected(user_id) && change.demotes_from(admin) =>
            {
                Some(SkipReason::Protected)
            }
            Change::Remove { user_id, .. } => {
                ambiguous
                    .get(user_id.as_str())
                    .map(|entry| SkipReason::AmbiguousEntry {
                        entry: entry.clone(),
                    })
            }
            _ => None,
        };
        match reason {
            Some(reason) => skipped.push(SkippedChange { change, reason }),
            None => changes.push(change),
        }
    }

    // The admins left once the plan is applied: those there now, less those removed or
    // demoted, plus those added or promoted.
    let admins_now = members.values().filter(|m| m.role == admin).count();
    let losing: Vec<usize> = changes
        .iter()
        .enumerate()
        .filter(|(_, change)| change.takes_away(admin))
        .map(|(i, _)| i)
        .collect();
    let gaining = changes.iter().filter(|change| change.gives(admin)).count();
    if admins_now > 0 && admins_now + gaining <= losing.len() {
        // Keep the longest-standing admin among those the plan would lose.
        let keep = losing.iter().copied().min_by_key(|&i| {
            let user_id = changes.get(i).map_or("", Change::user_id);
            let created_at = members.get(user_id).map_or(i64::MAX, |m| m.created_at);
            (created_at, user_id.to_owned())
        });
        if let Some(keep) = keep {
            let change = changes.remove(keep);
            skipped.push(SkippedChange {
                change,
                reason: SkipReason::LastAdmin {
                    role: admin.to_owned(),
                },
            });
        }
    }
    (changes, skipped)
}

#[cfg(test)]
mod tests;
