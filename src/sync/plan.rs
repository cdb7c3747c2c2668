//! The plan: what a sync would change, as a person reviews it (`Display`) and a CI job
//! checks it (JSON). How one is computed lives in `diff`; the requests that gather its inputs
//! in `run`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::SyncError;
use super::invitation::{DEFAULT_MAX_INVITES, InviteCheck, WaitingInvitation};
use super::vocab::{
    ADMIN_ROLE, ChangeKind, Clean, EntryRef, RemovalCheck, RemovalThreshold, SkipReason,
};
use crate::models::Metadata;

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
        /// Their public metadata (only under [`MetadataPolicy::Merge`](super::MetadataPolicy::Merge) or
        /// [`Exact`](super::MetadataPolicy::Exact), when the roster has some).
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
    /// Revoke a pending invitation (`- revoke`): its address is no longer on the roster
    /// (with [`prune`](super::SyncOptionsBuilder::prune)), or it is replaced by an invitation
    /// with the roster's role (with [`reinvite`](super::SyncOptionsBuilder::reinvite)).
    RevokeInvitation {
        /// The invitation (`orginv_…`).
        invitation_id: String,
        /// The address it invites.
        email_address: String,
        /// The role it gives on acceptance.
        role: String,
    },
    /// Invite an address that names no user yet (`+ invite`), with
    /// [`invite`](super::SyncOptionsBuilder::invite): Clerk emails a join link, and the
    /// membership is created with this role and metadata when the invitee accepts.
    Invite {
        /// The address to invite, as the roster spells it.
        email_address: String,
        /// The role the membership gets.
        role: String,
        /// The public metadata the membership gets (the roster's, under
        /// [`MetadataPolicy::Merge`](super::MetadataPolicy::Merge) or
        /// [`Exact`](super::MetadataPolicy::Exact)).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        public_metadata: Option<Metadata>,
        /// The private metadata the membership gets (likewise).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        private_metadata: Option<Metadata>,
    },
}

impl Change {
    /// Whether this change gives someone `role`: an add with it, or a move to it.
    pub(crate) fn gives(&self, role: &str) -> bool {
        match self {
            Change::Add { role: given, .. } => given == role,
            Change::ChangeRole { from, to, .. } => to == role && from != role,
            Change::MergeMetadata { .. }
            | Change::Remove { .. }
            | Change::RevokeInvitation { .. }
            | Change::Invite { .. } => false,
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
            Change::RevokeInvitation { .. } => ChangeKind::RevokeInvitation,
            Change::Invite { .. } => ChangeKind::Invite,
        }
    }

    /// The user the change is about; for an invitation change, which has no user yet, the
    /// address invited.
    pub fn user_id(&self) -> &str {
        match self {
            Change::Add { user_id, .. }
            | Change::ChangeRole { user_id, .. }
            | Change::MergeMetadata { user_id, .. }
            | Change::Remove { user_id, .. } => user_id,
            Change::RevokeInvitation { email_address, .. }
            | Change::Invite { email_address, .. } => email_address,
        }
    }

    /// How a person recognises the user, when known; for a revocation, the invitation's id.
    pub fn label(&self) -> Option<&str> {
        match self {
            Change::Add { label, .. }
            | Change::ChangeRole { label, .. }
            | Change::MergeMetadata { label, .. }
            | Change::Remove { label, .. } => label.as_deref(),
            Change::RevokeInvitation { invitation_id, .. } => Some(invitation_id),
            Change::Invite { .. } => None,
        }
    }

    /// The order changes are listed in: by kind, then by user id.
    pub(super) fn sort_key(&self) -> (ChangeKind, &str) {
        (self.kind(), self.user_id())
    }
}

/// One line, like a diff: `+` add, `~` change, `-` remove, then the user id, the label in
/// parentheses and what changes; `+ invite` and the address, or `- revoke` and the address,
/// the invitation's id in parentheses. Metadata shows as compact JSON. Control characters in
/// ids, labels and roles are escaped (`\n`, `\u{1b}`), so a change is always one line.
impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Invite {
                email_address,
                role,
                public_metadata,
                private_metadata,
            } => {
                write!(f, "+ invite {} {}", Clean(email_address), Clean(role))?;
                return write_metadata(f, public_metadata.as_ref(), private_metadata.as_ref());
            }
            Change::RevokeInvitation {
                invitation_id,
                email_address,
                role,
            } => {
                return write!(
                    f,
                    "- revoke {} ({}) {}",
                    Clean(email_address),
                    Clean(invitation_id),
                    Clean(role)
                );
            }
            _ => {}
        }
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
            Change::Remove { role, .. }
            | Change::RevokeInvitation { role, .. }
            | Change::Invite { role, .. } => write!(f, " {}", Clean(role)),
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
    /// Addresses to invite (in the JSON only when not 0, as the two below).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub invite: usize,
    /// Pending invitations to revoke.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub revoke_invitation: usize,
    /// Roster entries whose invitation is pending: sent, not yet accepted. Not a change.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub waiting: usize,
}

impl PlanCounts {
    /// Changes to make, of every kind, invitations included (skipped ones and waiting
    /// entries not included).
    pub fn changes(&self) -> usize {
        self.add
            + self.change_role
            + self.merge_metadata
            + self.remove
            + self.invite
            + self.revoke_invitation
    }
}

super::vocab::sum_of_counts!(
    /// Adds up the counts of several plans, as
    /// [`OrganizationPlans::counts`](super::OrganizationPlans::counts) does.
    ///
    /// ```
    /// use clerk_memberships::sync::PlanCounts;
    ///
    /// let mut one = PlanCounts::default();
    /// one.add = 2;
    /// one.invite = 1;
    /// let total: PlanCounts = [one, one].into_iter().sum();
    /// assert_eq!((total.add, total.invite, total.changes()), (4, 2, 6));
    /// ```
    PlanCounts {
        add,
        change_role,
        merge_metadata,
        remove,
        skipped,
        unresolved,
        invite,
        revoke_invitation,
        waiting,
    }
);

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
        )?;
        // Only a sync that invites has these: the line stays as it was for the others.
        if self.invite + self.revoke_invitation + self.waiting > 0 {
            write!(
                f,
                ", {} to invite, {} invitation{} to revoke, {} waiting",
                self.invite,
                self.revoke_invitation,
                s(self.revoke_invitation),
                self.waiting
            )?;
        }
        Ok(())
    }
}

/// What a sync would change in one organization: made by [`plan`](super::plan), read only,
/// for a person (`Display`) or a CI job (JSON) to review before anything is applied.
///
/// - **Order** is deterministic and does not depend on the roster's order or the order the
///   server listed members in: changes by kind (add, change role, merge metadata, remove,
///   revoke an invitation, invite),
///   then by user id; skipped changes likewise; unresolved entries in roster order.
/// - **`Display`** is one line per change, like a diff: `+` add, `~` change role or merge
///   metadata, `-` remove (see [`Change`]'s `Display`). Then one line per skipped change,
///   `! ` followed by the change's own line and `(skipped: reason)`; then one line per
///   unresolved entry, starting with `? `; then one line per entry
///   [waiting](Plan::waiting) on its pending invitation, starting with `… waiting`; then,
///   when the removals exceed the threshold or the invitations their limit, a line starting
///   with `! ` that states the numbers. A plan with nothing in it shows nothing.
/// - **JSON** (`Serialize`): `organization_id`, `current_members`, `removal_threshold`,
///   `admin_role`, `changes`, `skipped`, `unresolved`, `waiting` (when not empty),
///   `max_invites`, plus `counts`, `removal_check` and `invite_check` for
///   CI to test (e.g. `jq .removal_check.exceeded`). It reads back with `Deserialize` into an
///   equal plan (`counts`, `removal_check` and `invite_check` are recomputed, not read; a
///   missing `admin_role` is `org:admin`, a missing `max_invites` 50).
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
    pub(super) organization_id: String,
    pub(super) current_members: u64,
    pub(super) removal_threshold: RemovalThreshold,
    #[serde(default = "default_admin_role")]
    pub(super) admin_role: String,
    #[serde(default)]
    pub(super) changes: Vec<Change>,
    #[serde(default)]
    pub(super) skipped: Vec<SkippedChange>,
    #[serde(default)]
    pub(super) unresolved: Vec<UnresolvedEntry>,
    #[serde(default)]
    pub(super) waiting: Vec<WaitingInvitation>,
    #[serde(default = "default_max_invites")]
    pub(super) max_invites: u64,
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
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    waiting: &'a [WaitingInvitation],
    max_invites: u64,
    invite_check: InviteCheck,
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
            waiting: &self.waiting,
            max_invites: self.max_invites,
            invite_check: self.invite_check(),
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
                ChangeKind::RevokeInvitation => counts.revoke_invitation += 1,
                ChangeKind::Invite => counts.invite += 1,
            }
        }
        counts.waiting = self.waiting.len();
        counts
    }

    /// Roster entries whose invitation is pending (sent, not yet accepted), in roster order:
    /// nothing to do but wait, unless the invitation's role differs from the roster's and
    /// [`reinvite`](super::SyncOptionsBuilder::reinvite) was not set.
    pub fn waiting(&self) -> &[WaitingInvitation] {
        &self.waiting
    }

    /// The plan's invitations held against its limit,
    /// [`max_invites`](super::SyncOptionsBuilder::max_invites).
    pub fn invite_check(&self) -> InviteCheck {
        let invites = self
            .changes
            .iter()
            .filter(|change| change.kind() == ChangeKind::Invite)
            .count();
        let invites = u64::try_from(invites).unwrap_or(u64::MAX);
        InviteCheck {
            invites,
            max_invites: self.max_invites,
            exceeded: invites > self.max_invites,
        }
    }

    /// Succeeds when the invitations are within their limit.
    ///
    /// # Errors
    ///
    /// [`SyncError::TooManyInvitations`], with the numbers, when the plan would send more
    /// invitations than [`max_invites`](super::SyncOptionsBuilder::max_invites): an email
    /// cannot be taken back, so applying such a plan needs force.
    pub fn check_invites(&self) -> Result<(), SyncError> {
        let check = self.invite_check();
        if check.exceeded {
            Err(SyncError::TooManyInvitations(check))
        } else {
            Ok(())
        }
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
        for waiting in &self.waiting {
            writeln!(f, "{waiting}")?;
        }
        let check = self.removal_check();
        if check.exceeded {
            writeln!(f, "! {check}: applying needs force")?;
        }
        let invites = self.invite_check();
        if invites.exceeded {
            writeln!(f, "! {invites}: applying needs force")?;
        }
        Ok(())
    }
}

/// Whether a count is zero: the invitation counts are left out of the JSON of a sync that
/// does not invite, which reads as it did before invitations.
fn is_zero(count: &usize) -> bool {
    *count == 0
}

/// The invitation limit of a plan whose JSON does not name one.
fn default_max_invites() -> u64 {
    DEFAULT_MAX_INVITES
}

/// The admin role of a plan whose JSON does not name one.
fn default_admin_role() -> String {
    ADMIN_ROLE.to_owned()
}
