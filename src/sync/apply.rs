//! Applying a plan: two phases with a barrier between them, a pool of workers sharing one
//! client, and one [`Outcome`] per change.
//!
//! The rooms: `options` says how, `report` holds what came of it. Each change is sent by the
//! single-change helper of its kind (`members`), which absorbs its races; this file orders
//! the changes and hands them out.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use super::error::SyncError;
use super::invite;
use super::members::{ensure, merge, remove, set_role};
use super::outcome::Outcome;
use super::plan::{Change, Plan};
use super::progress::Progress;
use super::vocab::SkipReason;
use crate::client::Client;

mod cancel;
mod options;
mod pace;
mod report;

pub use cancel::CancelToken;
pub use options::{ApplyOptions, ApplyOptionsBuilder};
pub use report::{ApplyReport, ChangeResult, OutcomeCounts};

use pace::{MAX_AUTO_WORKERS, Pace};
use report::{is_done, is_failure};

impl Plan {
    /// Makes the plan's changes, `options.workers()` at a time, and reports how each ended.
    ///
    /// - **Refusal.** A plan whose removals exceed its threshold
    ///   ([`exceeds_removal_threshold`](Plan::exceeds_removal_threshold)), or that sends more
    ///   invitations than its limit ([`invite_check`](Plan::invite_check)), is refused before
    ///   anything is sent, unless [forced](ApplyOptionsBuilder::force).
    /// - **Invitations** go in the first phase, an address's revocation before the invitation
    ///   that replaces it: an invite as [`InviteMember`](super::InviteMember) sends it (at
    ///   most once: a lost answer is settled by reading the address's pending invitations,
    ///   never by sending again; found pending after a refusal → [`Outcome::AlreadyDone`]), a
    ///   revocation as [`RevokeInvitation`](crate::RevokeInvitation) (refused as no longer
    ///   pending, or 404 → [`Outcome::AlreadyDone`]).
    /// - **Two phases, a barrier between them.** First the adds, the metadata merges and
    ///   every role change except a move away from the [admin role](Plan::admin_role); once
    ///   every one of those has ended, the moves away from the admin role and the removals. A
    ///   new admin is in place before an old one goes. If a change of the first phase that
    ///   gives someone the admin role does not succeed, the changes of the second that take
    ///   it from someone are skipped ([`SkipReason::AdminNotGained`]): the organization is
    ///   never left without an admin.
    /// - **The last admin is checked again when applying.** Someone else may have demoted or
    ///   removed the other admins since the plan was made. Before each change that takes the
    ///   admin role from a member (as planned), the server is asked whether another member
    ///   holds it (`GET …/memberships?role={admin role}&limit=2`); if the member holds it and
    ///   nobody else does, the change is skipped ([`SkipReason::NoOtherAdmin`]). These changes
    ///   go one at a time, check and write together, so two workers never each count the
    ///   other's member as the admin who remains.
    /// - **Workers.** Each phase's changes are handed out from one queue to worker threads
    ///   (within a phase, a member's role change and metadata merge go together, in that
    ///   order, to one worker; a demotion from admin waits for phase 2, after its member's
    ///   metadata merge). By default the apply finds its own pace: it starts with
    ///   8 workers and, every half second, sizes the workers from the rate the
    ///   client actually gets (with a shared limiter, this process's part of the budget) and
    ///   the round trips it measures: while the rate limiter holds them back, as many as rate
    ///   × round trip (Little's law) and a quarter more; while it does not, half as many
    ///   again; always 1 to 64. [`workers`](ApplyOptionsBuilder::workers) pins the number.
    ///   They share `client`, so they share its rate limiter and its wait after a 429: build
    ///   it with [`clerk_rate_limit`](crate::ClientBuilder::clerk_rate_limit) to run at
    ///   Clerk's limit without tripping it.
    /// - **Races are absorbed** (someone else changed the member since the plan was made).
    ///   Each change is sent by the single-change helper of its kind, the one place that knows
    ///   its races: an add as [`EnsureMember`](super::EnsureMember) sends it
    ///   ("already a member" → the membership is read and its role set where it differs), a
    ///   role change as [`ChangeRole`](super::ChangeRole) (404 → the member is added with the
    ///   new role), a removal as [`RemoveMember`](super::RemoveMember) (404 → gone), each
    ///   ending as [`Outcome::AlreadyDone`] (a removal whose retry met 404, most likely after
    ///   its own first attempt removed the member, ends as [`Outcome::Applied`]); a metadata merge as
    ///   [`MergeMetadata`](super::MergeMetadata) (404 → skipped,
    ///   [`SkipReason::NotAMember`]).
    /// - **A create is never repeated blindly.** An add whose answer was lost (a timeout, a
    ///   reset connection, a 5xx: the client does not retry those for a create) is settled by
    ///   reading the membership back: there with the role asked → applied; there with another
    ///   role → the role is set, [`Outcome::AlreadyDone`];
    ///   certainly absent → created once more; the read fails too → [`Outcome::Unknown`]. A
    ///   create sent again that is answered "already a member" (the lost one went through
    ///   after all) is read back the same way: there with the role → applied; the read
    ///   fails → [`Outcome::Unknown`], never failed.
    /// - **Failures.** A change that fails ends as [`Outcome::Failed`] with the client's
    ///   [`Error`](crate::Error) and the others go on, unless
    ///   [`stop_on_error`](ApplyOptionsBuilder::stop_on_error) is set. Planning again shows
    ///   what is left; after a successful apply it shows nothing.
    /// - **Progress.** One [`Progress::Applying`] per change as it ends, to
    ///   [`on_progress`](ApplyOptionsBuilder::on_progress): the plan's skipped changes first.
    /// - **Cancelling.** Once the [`cancel`](ApplyOptionsBuilder::cancel) token is cancelled,
    ///   no change is started: those under way finish, the others end as skipped
    ///   ([`SkipReason::Cancelled`]).
    ///
    /// ```
    /// use clerk_memberships::sync::{self, ApplyOptions, OutcomeKind, Roster, RosterEntry, SyncOptions};
    /// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
    ///
    /// let fake = FakeClerk::new();
    /// let org = fake.add_organization(FakeOrganization::new("Acme"));
    /// let ann = fake.add_user(FakeUser::new("Ann", "Lee").email("ann@acme.com"));
    /// let bob = fake.add_user(FakeUser::new("Bob", "Kay").email("bob@acme.com"));
    /// fake.add_membership(&org, &ann, "org:admin")?;
    /// let client = fake.client();
    ///
    /// // Bob takes over as the admin; Ann stays as a member.
    /// let roster = Roster::new()
    ///     .entry(RosterEntry::email("bob@acme.com", "org:admin"))?
    ///     .entry(RosterEntry::email("ann@acme.com", "org:member"))?;
    /// let plan = sync::plan(&client, &org, &roster, &SyncOptions::default())?;
    /// let report = plan.apply(&client, &ApplyOptions::default())?;
    /// assert!(report.is_success());
    /// assert_eq!(report.counts().applied, 2);
    /// assert_eq!(
    ///     report.to_string(),
    ///     format!(
    ///         "+ {bob} (bob@acme.com) org:admin => applied\n\
    ///          ~ {ann} (ann@acme.com) role org:admin -> org:member => applied\n"
    ///     )
    /// );
    ///
    /// // Converged: planning again finds nothing to do.
    /// assert!(sync::plan(&client, &org, &roster, &SyncOptions::default())?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When not forced, and then nothing is sent:
    /// [`SyncError::RemovalThresholdExceeded`], with the numbers, for a plan over its removal
    /// threshold; [`SyncError::TooManyInvitations`], with the numbers, for a plan that would
    /// send more invitations than `max_invites`. Every other failure is a change's outcome in
    /// the report.
    pub fn apply(&self, client: &Client, options: &ApplyOptions) -> Result<ApplyReport, SyncError> {
        if !options.force() {
            self.check_removals()?;
            self.check_invites()?;
        }
        let tally = Tally::new(self.size());
        Ok(self.apply_in(client, options, options.workers(), &tally))
    }

    /// How many changes applying the plan ends: those to make and those skipped.
    pub(crate) fn size(&self) -> u64 {
        (self.changes().len() + self.skipped().len()) as u64
    }

    /// Applies the plan with `workers` workers (the rails already checked), counting what
    /// ends in `tally`, which other plans of the same run may share.
    pub(crate) fn apply_in(
        &self,
        client: &Client,
        options: &ApplyOptions,
        workers: usize,
        tally: &Tally,
    ) -> ApplyReport {
        let changes = self.changes();
        let run = Run {
            client,
            organization_id: self.organization_id(),
            admin_role: self.admin_role(),
            admin_lock: Mutex::new(()),
            options,
            workers,
            changes,
            tally,
        };
        for skipped in self.skipped() {
            run.report(&skipped.change, &Outcome::Skipped(skipped.reason.clone()));
        }

        let admin = self.admin_role();
        let (first, second): (Vec<usize>, Vec<usize>) =
            (0..changes.len()).partition(|&i| changes.get(i).is_some_and(|c| !takes(c, admin)));
        let mut outcomes: Vec<Option<Outcome>> = changes.iter().map(|_| None).collect();
        run.phase(&first, &mut outcomes);

        // The barrier is behind us: every change of the first phase has ended.
        let admin_gained = first.iter().all(|&i| {
            let gives = changes.get(i).is_some_and(|change| change.gives(admin));
            !gives
                || outcomes
                    .get(i)
                    .and_then(Option::as_ref)
                    .is_some_and(|o| is_done(o.kind()))
        });
        let mut later = Vec::new();
        for &i in &second {
            let change = changes.get(i);
            if !admin_gained && change.is_some_and(|change| change.takes_away(admin)) {
                let outcome = Outcome::Skipped(SkipReason::AdminNotGained {
                    role: admin.to_owned(),
                });
                if let (Some(change), Some(slot)) = (change, outcomes.get_mut(i)) {
                    run.report(change, &outcome);
                    *slot = Some(outcome);
                }
            } else {
                later.push(i);
            }
        }
        run.phase(&later, &mut outcomes);

        let results = changes
            .iter()
            .zip(outcomes)
            .map(|(change, outcome)| ChangeResult {
                change: change.clone(),
                // Every change has ended by now; `Stopped` is only a fallback.
                outcome: outcome.unwrap_or(Outcome::Skipped(SkipReason::Stopped)),
            })
            .chain(self.skipped().iter().map(|skipped| ChangeResult {
                change: skipped.change.clone(),
                outcome: Outcome::Skipped(skipped.reason.clone()),
            }))
            .collect();
        ApplyReport::new(self.organization_id(), results)
    }
}

/// What the organizations of one apply share: the stop after a failure (under
/// `stop_on_error`) and the count of changes ended, whose lock keeps progress calls one at a
/// time and in order.
#[derive(Debug)]
pub(crate) struct Tally {
    /// Set by the first failure under `stop_on_error`.
    stopped: AtomicBool,
    /// Changes ended so far.
    done: Mutex<u64>,
    /// Changes to end in all.
    total: u64,
}

impl Tally {
    /// A tally of `total` changes, none ended.
    pub(crate) fn new(total: u64) -> Self {
        Tally {
            stopped: AtomicBool::new(false),
            done: Mutex::new(0),
            total,
        }
    }
}

/// Sends `change` with the single-change helper of its kind, which absorbs its races:
///
/// | change | helper | a race since the plan |
/// |---|---|---|
/// | add | [`EnsureMember`](super::EnsureMember) | "already a member": read, role set where it differs → already done |
/// | change role | [`ChangeRole`](super::ChangeRole) | 404: added with the role → already done |
/// | merge metadata | [`MergeMetadata`](super::MergeMetadata) | 404: skipped ([`SkipReason::NotAMember`]) |
/// | remove | [`RemoveMember`](super::RemoveMember) | 404: already done |
/// | revoke an invitation | [`RevokeInvitation`](crate::RevokeInvitation) | no longer pending, or 404: already done |
/// | invite | [`InviteMember`](super::InviteMember) | refused and found pending: already done |
///
/// A create whose answer was lost is read back, never sent blindly again; if the read fails
/// too the outcome is [`Outcome::Unknown`]. With `guard` (the admin role, for a change that
/// takes it from someone), a role change or a removal first asks the server whether another
/// member holds it, and is skipped ([`SkipReason::NoOtherAdmin`]) if not.
fn send(client: &Client, organization_id: &str, change: &Change, guard: Option<&str>) -> Outcome {
    match change {
        Change::Add {
            user_id,
            role,
            public_metadata,
            private_metadata,
            ..
        } => Outcome::from(ensure(
            client,
            organization_id,
            user_id,
            role,
            public_metadata.as_ref(),
            private_metadata.as_ref(),
        )),
        Change::ChangeRole { user_id, to, .. } => {
            Outcome::from(set_role(client, organization_id, user_id, to, guard))
        }
        Change::MergeMetadata {
            user_id,
            public_metadata,
            private_metadata,
            ..
        } => Outcome::from(merge(
            client,
            organization_id,
            user_id,
            public_metadata.as_ref(),
            private_metadata.as_ref(),
        )),
        Change::Remove { user_id, .. } => {
            Outcome::from(remove(client, organization_id, user_id, guard))
        }
        Change::RevokeInvitation { invitation_id, .. } => {
            invite::revoke(client, organization_id, invitation_id)
        }
        Change::Invite {
            email_address,
            role,
            public_metadata,
            private_metadata,
        } => invite::invite(
            client,
            organization_id,
            email_address,
            role,
            public_metadata.as_ref(),
            private_metadata.as_ref(),
        ),
    }
}

/// Whether `change` belongs to the second phase: a move away from the admin role, or a removal.
fn takes(change: &Change, admin: &str) -> bool {
    change.demotes_from(admin) || matches!(change, Change::Remove { .. })
}

/// One apply under way: what every worker shares.
struct Run<'a> {
    client: &'a Client,
    organization_id: &'a str,
    /// The plan's admin role.
    admin_role: &'a str,
    /// Held around the check and the write of every change that takes the admin role from
    /// someone, so that two workers never each count the other's member as the admin who
    /// remains.
    admin_lock: Mutex<()>,
    options: &'a ApplyOptions,
    /// How many workers this plan's phases use.
    workers: usize,
    changes: &'a [Change],
    /// The stop and the count this run shares with the other organizations'.
    tally: &'a Tally,
}

impl Run<'_> {
    /// Runs the changes at `indexes` (into the plan's changes) and records each outcome in
    /// `outcomes`; returns once every one has ended.
    fn phase(&self, indexes: &[usize], outcomes: &mut [Option<Outcome>]) {
        // One task per member, their changes in plan order (a role change before a metadata
        // merge), so that no two workers write the same membership at once.
        let mut by_user: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for &i in indexes {
            if let Some(change) = self.changes.get(i) {
                by_user.entry(change.user_id()).or_default().push(i);
            }
        }
        let mut tasks: Vec<Vec<usize>> = by_user.into_values().collect();
        // Hand them out in plan order.
        tasks.sort_by_key(|task| task.first().copied());

        // Pinned workers, or as many as the pace the client gets asks for (see `pace`): up to
        // this plan's part of the bound when several plans are applied at once.
        let auto = self.options.auto_workers();
        let bound = if auto {
            (MAX_AUTO_WORKERS * self.workers)
                .div_ceil(self.options.workers().max(1))
                .max(self.workers)
        } else {
            self.workers
        }
        .clamp(1, tasks.len().max(1));
        let pace = Pace::new(self.client, self.workers, bound, auto);
        let workers = bound;
        let next = AtomicUsize::new(0);
        let work = || {
            let mut ended = Vec::new();
            loop {
                pace.enter();
                let began = pace.now();
                let Some(task) = tasks.get(next.fetch_add(1, Ordering::Relaxed)) else {
                    pace.leave(Duration::ZERO);
                    break;
                };
                for &i in task {
                    if let Some(change) = self.changes.get(i) {
                        ended.push((i, self.run(change)));
                    }
                }
                pace.leave(pace.now().saturating_sub(began));
            }
            ended
        };
        let ended: Vec<(usize, Outcome)> = if workers == 1 {
            work()
        } else {
            thread::scope(|scope| {
                let handles: Vec<_> = (0..workers).map(|_| scope.spawn(work)).collect();
                handles
                    .into_iter()
                    .flat_map(|handle| match handle.join() {
                        Ok(ended) => ended,
                        // Only the caller's progress callback can panic: pass it on.
                        Err(panic) => std::panic::resume_unwind(panic),
                    })
                    .collect()
            })
        };
        for (i, outcome) in ended {
            if let Some(slot) = outcomes.get_mut(i) {
                *slot = Some(outcome);
            }
        }
    }

    /// Sends one change (unless stopped or cancelled) and reports how it ended.
    fn run(&self, change: &Change) -> Outcome {
        let outcome = if self.tally.stopped.load(Ordering::SeqCst) {
            Outcome::Skipped(SkipReason::Stopped)
        } else if self.options.is_cancelled() {
            Outcome::Skipped(SkipReason::Cancelled)
        } else {
            self.send(change)
        };
        if self.options.stop_on_error() && is_failure(outcome.kind()) {
            self.tally.stopped.store(true, Ordering::SeqCst);
        }
        self.report(change, &outcome);
        outcome
    }

    /// Sends `change`; one that takes the admin role from someone holds the admin lock while
    /// the server is asked whether another member holds the role and the change is written.
    fn send(&self, change: &Change) -> Outcome {
        if change.takes_away(self.admin_role) {
            let _one_at_a_time = crate::lock::lock(&self.admin_lock);
            send(
                self.client,
                self.organization_id,
                change,
                Some(self.admin_role),
            )
        } else {
            send(self.client, self.organization_id, change, None)
        }
    }

    /// One [`Progress::Applying`] for a change that ended.
    fn report(&self, change: &Change, outcome: &Outcome) {
        let mut done = crate::lock::lock(&self.tally.done);
        *done += 1;
        self.options.report(Progress::Applying {
            done: *done,
            total: self.tally.total,
            change: change.kind(),
            outcome: outcome.kind(),
        });
    }
}
