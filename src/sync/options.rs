//! How a plan is made: the safety rails and the metadata policy.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::invitation::DEFAULT_MAX_INVITES;
use super::progress::{OnProgress, Progress};
use super::roles::RoleCheck;
use super::vocab::{ADMIN_ROLE, RemovalThreshold};

/// What a sync does with the metadata of the members it keeps and the members it adds.
///
/// Only the objects a roster entry sets are managed: an entry without `public_metadata` leaves
/// the member's public metadata alone under every policy, and likewise for
/// `private_metadata`. A `null` in a roster object means "this key should not be there".
///
/// ```
/// use clerk_memberships::sync::MetadataPolicy;
///
/// assert_eq!(MetadataPolicy::default(), MetadataPolicy::Ignore);
/// assert_eq!(MetadataPolicy::Exact.to_string(), "exact");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MetadataPolicy {
    /// Metadata is never written: no metadata changes, and members are added without
    /// metadata. The default.
    #[default]
    Ignore,
    /// The roster's keys are set (at any depth, as Clerk's deep merge does) and every other
    /// key is kept. New members are added with the roster's metadata.
    Merge,
    /// Like [`Merge`](Self::Merge), and keys the roster's object does not have are removed
    /// (set to `null` in the merge), at any depth, so the object ends up exactly as the
    /// roster has it.
    Exact,
}

impl fmt::Display for MetadataPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MetadataPolicy::Ignore => "ignore",
            MetadataPolicy::Merge => "merge",
            MetadataPolicy::Exact => "exact",
        })
    }
}

/// How [`plan`](super::plan) decides: the safety rails (all on by default) and the metadata
/// policy.
///
/// | option | default |
/// |---|---|
/// | [`prune`](SyncOptionsBuilder::prune) | off: members missing from the roster are kept |
/// | [`protect`](SyncOptionsBuilder::protect) | nobody |
/// | [`admin_role`](SyncOptionsBuilder::admin_role) | `org:admin` |
/// | [`removal_threshold`](SyncOptionsBuilder::removal_threshold) | more than 10% and more than 10 members |
/// | [`metadata`](SyncOptionsBuilder::metadata) | [`MetadataPolicy::Ignore`] |
/// | [`role_check`](SyncOptionsBuilder::role_check) | [`RoleCheck::Instance`]: the instance's roles, one request |
/// | [`on_progress`](SyncOptionsBuilder::on_progress) | none |
/// | [`invite`](SyncOptionsBuilder::invite) | `false`: an address that names nobody is unresolved |
/// | [`reinvite`](SyncOptionsBuilder::reinvite) | `false` |
/// | [`max_invites`](SyncOptionsBuilder::max_invites) | 50 |
///
/// ```
/// use clerk_memberships::sync::{MetadataPolicy, SyncOptions};
///
/// let options = SyncOptions::builder()
///     .prune(true)
///     .protect("user_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
///     .metadata(MetadataPolicy::Merge)
///     .on_progress(|progress| eprintln!("{progress}"))
///     .build();
/// assert!(options.prune());
/// assert!(options.is_protected("user_2g7np7Hrk0SN6kj5EDMLDaKNL0S"));
/// assert_eq!(SyncOptions::default().admin_role(), "org:admin");
/// ```
#[derive(Debug, Clone)]
pub struct SyncOptions {
    prune: bool,
    protected: BTreeSet<String>,
    admin_role: String,
    removal_threshold: RemovalThreshold,
    metadata: MetadataPolicy,
    role_check: RoleCheck,
    invite: bool,
    reinvite: bool,
    max_invites: u64,
    on_progress: OnProgress,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            prune: false,
            protected: BTreeSet::new(),
            admin_role: ADMIN_ROLE.to_owned(),
            removal_threshold: RemovalThreshold::default(),
            metadata: MetadataPolicy::default(),
            role_check: RoleCheck::default(),
            invite: false,
            reinvite: false,
            max_invites: DEFAULT_MAX_INVITES,
            on_progress: OnProgress::default(),
        }
    }
}

impl SyncOptions {
    /// A builder starting from the defaults.
    pub fn builder() -> SyncOptionsBuilder {
        SyncOptionsBuilder {
            options: SyncOptions::default(),
        }
    }

    /// Whether members missing from the roster are removed.
    pub fn prune(&self) -> bool {
        self.prune
    }

    /// The protected user ids, sorted.
    pub fn protected(&self) -> impl Iterator<Item = &str> {
        self.protected.iter().map(String::as_str)
    }

    /// Whether `user_id` is protected.
    pub fn is_protected(&self, user_id: &str) -> bool {
        self.protected.contains(user_id)
    }

    /// The role the organization must keep at least one member in.
    pub fn admin_role(&self) -> &str {
        &self.admin_role
    }

    /// When a plan removes too many members.
    pub fn removal_threshold(&self) -> RemovalThreshold {
        self.removal_threshold
    }

    /// What happens to metadata.
    pub fn metadata(&self) -> MetadataPolicy {
        self.metadata
    }

    /// Which roles a roster may give.
    pub fn role_check(&self) -> &RoleCheck {
        &self.role_check
    }

    /// Whether a roster email address that names no user is invited.
    pub fn invite(&self) -> bool {
        self.invite
    }

    /// Whether a pending invitation with another role than the roster's is replaced.
    pub fn reinvite(&self) -> bool {
        self.reinvite
    }

    /// How many invitations a plan may send without being forced.
    pub fn max_invites(&self) -> u64 {
        self.max_invites
    }

    /// Reports `progress` to the callback, if there is one.
    pub(crate) fn report(&self, progress: Progress) {
        self.on_progress.report(progress);
    }
}

/// Builds [`SyncOptions`]; every setter has a default, so `build()` cannot fail.
#[derive(Debug, Clone)]
pub struct SyncOptionsBuilder {
    options: SyncOptions,
}

impl SyncOptionsBuilder {
    /// Whether members who are not in the roster are removed.
    ///
    /// Defaults to `false`: a roster that lists only some members adds and updates, and never
    /// removes anyone.
    pub fn prune(mut self, prune: bool) -> Self {
        self.options.prune = prune;
        self
    }

    /// Protects a user id: that member is never removed, and never moved away from the
    /// [admin role](Self::admin_role). A change that would do either is planned as skipped.
    ///
    /// Defaults to protecting nobody.
    pub fn protect(mut self, user_id: impl Into<String>) -> Self {
        self.options.protected.insert(user_id.into());
        self
    }

    /// Protects each of these user ids (see [`protect`](Self::protect)).
    pub fn protect_all(mut self, user_ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.options
            .protected
            .extend(user_ids.into_iter().map(Into::into));
        self
    }

    /// The role the organization never loses its last member of: the change that would
    /// remove or demote the last one is planned as skipped, with the reason.
    ///
    /// Defaults to `org:admin`. An empty role is refused by
    /// [`plan`](super::plan).
    pub fn admin_role(mut self, role: impl Into<String>) -> Self {
        self.options.admin_role = role.into();
        self
    }

    /// When a plan removes too many members to be applied without being forced.
    ///
    /// Defaults to [`RemovalThreshold::default`]: more than 10% of the current members and
    /// more than 10 members.
    pub fn removal_threshold(mut self, threshold: RemovalThreshold) -> Self {
        self.options.removal_threshold = threshold;
        self
    }

    /// What happens to metadata.
    ///
    /// Defaults to [`MetadataPolicy::Ignore`].
    pub fn metadata(mut self, policy: MetadataPolicy) -> Self {
        self.options.metadata = policy;
        self
    }

    /// Which roles a roster may give: an entry with another role is a
    /// [`RosterProblem::UnknownRole`](super::RosterProblem::UnknownRole) and nothing is
    /// planned. See [`RoleCheck`] for what the instance's roles do and do not promise.
    ///
    /// Defaults to [`RoleCheck::Instance`]: the instance's roles, read once per plan (when the
    /// roster has entries).
    pub fn role_check(mut self, check: RoleCheck) -> Self {
        self.options.role_check = check;
        self
    }

    /// Accepts exactly these roles, with no request: [`role_check`](Self::role_check) with
    /// [`RoleCheck::Allow`].
    pub fn roles(self, roles: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.role_check(RoleCheck::Allow(
            roles.into_iter().map(Into::into).collect(),
        ))
    }

    /// A function called as planning goes (users resolved, pages of members read), e.g. to
    /// draw a progress bar. It is given only counts, never a key, an id or metadata. It runs
    /// on the planning thread, between requests: keep it quick.
    ///
    /// Defaults to none.
    pub fn on_progress(mut self, callback: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.options.on_progress = OnProgress::new(callback);
        self
    }

    /// Whether a roster entry whose email address names no user is invited: it becomes a
    /// [`Change::Invite`](super::Change::Invite) with the entry's role and metadata instead of
    /// an unresolved entry. The plan then also reads the organization's pending invitations
    /// once (`GET …/invitations?status=pending`), so that an address already invited is
    /// [waiting](super::Plan::waiting), not invited again; and with [`prune`](Self::prune),
    /// a pending invitation to an address no longer on the roster is revoked.
    ///
    /// Only email entries are invited: an external id or a user id that names nobody stays
    /// unresolved. The entry's role passes the same [role check](Self::role_check) as a
    /// membership's.
    ///
    /// Defaults to `false`: an address that names nobody is unresolved, and no invitation is
    /// read or sent.
    pub fn invite(mut self, invite: bool) -> Self {
        self.options.invite = invite;
        self
    }

    /// With [`invite`](Self::invite): whether a pending invitation that gives another role
    /// than the roster's is replaced (revoked, then sent again with the roster's role and
    /// metadata: a second email).
    ///
    /// Defaults to `false`: the entry is shown waiting, with the role its invitation gives.
    pub fn reinvite(mut self, reinvite: bool) -> Self {
        self.options.reinvite = reinvite;
        self
    }

    /// The most invitations one plan may send: a plan with more is marked
    /// ([`Plan::invite_check`](super::Plan::invite_check)) and applying it is refused unless
    /// forced, since an email cannot be taken back.
    ///
    /// Defaults to 50.
    pub fn max_invites(mut self, max: u64) -> Self {
        self.options.max_invites = max;
        self
    }

    /// The options.
    pub fn build(self) -> SyncOptions {
        self.options
    }
}
