//! `sync`: make an organization's members match a roster CSV file.
//!
//! A dry run unless `--apply`: the plan is read from Clerk and printed, and nothing is
//! written. With `--apply` the plan is applied and each change's outcome printed. The exit
//! code tells a CI job which of the two it needs next (see [`HELP`](super::args::HELP)).

use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

use clerk_memberships::sync::{
    self, ApplyOptions, ApplyReport, CancelToken, Outcome, OutcomeCounts, OutcomeKind, Plan,
    Progress, SkipReason, SyncError, SyncOptions,
};
use serde_json::Value;

use super::args::{SyncArgs, SyncFormat};
use super::rails::stopped_by_rails;
use super::render::{plan_json, plan_text, print_json, print_text, report_json, report_text};
use crate::config::GlobalArgs;
use crate::fail::{EXIT_PENDING, Failure};
use crate::progress;
use crate::roster::RosterFile;
use crate::signals::{self, Signal};

/// `sync` for one organization (`--org`): plans, and prints the plan or applies it.
pub fn one_organization(
    global: &GlobalArgs,
    args: &SyncArgs,
    file: &RosterFile,
    org: &str,
) -> Result<ExitCode, Failure> {
    let client = global.client()?;
    let plan = make_plan(global, args, &client, org, file)?;
    if !args.apply {
        return dry_run(global, args, file, &plan);
    }
    if let Some(rail) = stopped_by_rails(args, file, &plan).filter(|_| !args.force) {
        print_refused(args, file, &plan)?;
        return Err(Failure::usage(format!(
            "refused: {}; nothing was changed. Review the plan, then {}",
            rail.reason, rail.remedy
        )));
    }
    apply(global, args, &client, file, &plan)
}

/// The plan, with a progress bar while the members are read and the rows resolved.
fn make_plan(
    global: &GlobalArgs,
    args: &SyncArgs,
    client: &clerk_memberships::Client,
    org: &str,
    file: &RosterFile,
) -> Result<Plan, Failure> {
    let bar = progress::bar(global.quiet, 0, "planning");
    let options = sync_options(args, &bar);
    let planned = sync::plan(client, org, file.roster(), &options);
    bar.finish_and_clear();
    planned.map_err(|error| plan_failure(file, error))
}

/// The sync options the arguments ask for, showing progress on `bar`.
pub(super) fn sync_options(args: &SyncArgs, bar: &indicatif::ProgressBar) -> SyncOptions {
    let shown = bar.clone();
    let mut options = SyncOptions::builder()
        .prune(args.prune)
        .protect_all(&args.protect)
        .metadata(args.metadata.policy())
        .invite(args.invite)
        .reinvite(args.reinvite)
        .on_progress(move |step| {
            let label = match step {
                Progress::ReadingMembers { .. } => "reading members",
                Progress::ResolvingUsers { .. } => "resolving users",
                Progress::LookingUpOrganizations { .. } => "looking up organizations",
                _ => "planning",
            };
            shown.set_message(label);
            if let Some((done, of)) = step.fraction() {
                shown.set_length(of);
                shown.set_position(done);
            }
        });
    if let Some(max) = args.max_removals {
        options = options.removal_threshold(max.threshold());
    }
    if let Some(max) = args.max_invites {
        options = options.max_invites(max);
    }
    options.build()
}

/// The failure for a plan that could not be made.
pub(super) fn plan_failure(file: &RosterFile, error: SyncError) -> Failure {
    match error {
        SyncError::InvalidRoster { problems } => file.problems_failure(&problems),
        SyncError::Client(error) => Failure::from(error),
        answer @ SyncError::UnidentifiedMembership { .. } => Failure::Answer(answer.to_string()),
        other => Failure::usage(other.to_string()),
    }
}

/// A dry run: prints the plan; exit 3 when something is pending.
fn dry_run(
    global: &GlobalArgs,
    args: &SyncArgs,
    file: &RosterFile,
    plan: &Plan,
) -> Result<ExitCode, Failure> {
    match args.format {
        SyncFormat::Text => print_text(&plan_text(args, file, plan))?,
        SyncFormat::Json => print_json(&plan_json(file, plan)?)?,
    }
    if !is_pending(plan) {
        note_waiting(global, plan.waiting().len());
        return Ok(ExitCode::SUCCESS);
    }
    if !global.quiet {
        if plan.is_empty() {
            stderr_line!("dry run: some rows name nobody; fix them in the roster");
        } else if let Some(rail) = stopped_by_rails(args, file, plan).filter(|_| !args.force) {
            stderr_line!(
                "dry run: nothing was changed; --apply would refuse: {}; review the plan, then \
                 {}",
                rail.reason,
                rail.remedy
            );
        } else {
            stderr_line!("dry run: nothing was changed; pass --apply to make these changes");
        }
    }
    Err(Failure::Exit(EXIT_PENDING))
}

/// Whether a dry run leaves work to do: a change to make, or a row that names nobody.
/// Skipped changes are not pending: they stay skipped until the roster or options change.
pub(super) fn is_pending(plan: &Plan) -> bool {
    !plan.is_empty() || !plan.unresolved().is_empty()
}

/// A dry run with nothing to change: says how many invitations wait to be accepted, if any.
pub(super) fn note_waiting(global: &GlobalArgs, waiting: usize) {
    if waiting > 0 && !global.quiet {
        let (s, verb) = if waiting == 1 {
            ("", "is")
        } else {
            ("s", "are")
        };
        stderr_line!(
            "dry run: nothing to change; {waiting} invitation{s} {verb} pending, waiting to \
             be accepted"
        );
    }
}

/// Prints the plan that `--apply` refused to apply.
fn print_refused(args: &SyncArgs, file: &RosterFile, plan: &Plan) -> Result<(), Failure> {
    match args.format {
        SyncFormat::Text => print_text(&plan_text(args, file, plan)),
        SyncFormat::Json => print_json(&serde_json::json!({
            "plan": plan_json(file, plan)?,
            "report": Value::Null,
        })),
    }
}

/// Applies the plan with a progress bar, prints the report; exit 5 unless every change was
/// done and every row resolved.
fn apply(
    global: &GlobalArgs,
    args: &SyncArgs,
    client: &clerk_memberships::Client,
    file: &RosterFile,
    plan: &Plan,
) -> Result<ExitCode, Failure> {
    let total = (plan.changes().len() + plan.skipped().len()) as u64;
    let Applying {
        options,
        meter,
        interrupted,
    } = applying(global, args, total)?;
    let applied = plan.apply(client, &options);
    meter.finish();
    let report = applied.map_err(|error| Failure::usage(error.to_string()))?;
    // A signal from here on only cancels what has ended: the report is printed all the same.
    let interrupted = interrupted.get().copied();

    match args.format {
        SyncFormat::Text => print_text(&report_text(file, plan, &report))?,
        SyncFormat::Json => print_json(&serde_json::json!({
            "plan": plan_json(file, plan)?,
            "report": report_json(file, &report)?,
        }))?,
    }
    Ended {
        planned: plan.changes().len(),
        counts: report.counts(),
        unresolved: plan.unresolved().len(),
        refused: 0,
        interrupted,
        not_started: not_started(&report),
    }
    .exit()
}

/// How an apply ended, for its exit: what was planned, what became of it, the rows that name
/// nobody, the organizations a rail refused and the signal that stopped it, if any.
pub(super) struct Ended {
    pub planned: usize,
    pub counts: OutcomeCounts,
    pub unresolved: usize,
    pub refused: usize,
    pub interrupted: Option<Signal>,
    pub not_started: usize,
}

impl Ended {
    /// 0 when every planned change was done and nothing was left out; the signal's exit when
    /// it stopped an apply in which nothing failed (a failure says more: exit 5); otherwise
    /// exit 5 with what was left, in one line.
    pub fn exit(self) -> Result<ExitCode, Failure> {
        let counts = self.counts;
        let not_done = self
            .planned
            .saturating_sub(counts.applied + counts.already_done);
        if let Some(signal) = self.interrupted
            && counts.failed + counts.unknown == 0
        {
            return Err(Failure::Interrupted {
                signal,
                not_started: self.not_started,
            });
        }
        if not_done == 0 && self.unresolved == 0 && self.refused == 0 {
            return Ok(ExitCode::SUCCESS);
        }
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut parts = Vec::new();
        if self.refused > 0 {
            let refused = self.refused;
            parts.push(format!(
                "{refused} organization{} refused by a safety rail",
                plural(refused)
            ));
        }
        if counts.failed > 0 {
            parts.push(format!("{} failed", counts.failed));
        }
        if counts.unknown > 0 {
            parts.push(format!("{} unknown", counts.unknown));
        }
        let not_made = not_done.saturating_sub(counts.failed + counts.unknown);
        if not_made > 0 {
            parts.push(format!("{not_made} not made"));
        }
        if let Some(signal) = self.interrupted {
            parts.push(format!("interrupted by {signal}"));
        }
        if self.unresolved > 0 {
            let unresolved = self.unresolved;
            parts.push(format!(
                "{unresolved} row{} naming nobody",
                plural(unresolved)
            ));
        }
        Err(Failure::Incomplete(parts.join(", ")))
    }
}

/// On the first SIGINT or SIGTERM, cancels the apply (the changes under way finish, no new
/// one starts) and records which signal it was; a second one quits at once (exit 130).
/// What an apply runs with: the options the flags ask for, wired to a progress meter over its
/// changes and to the signals that cancel it.
pub(super) struct Applying {
    pub options: ApplyOptions,
    pub meter: progress::Meter,
    /// The signal that cancelled the apply, once one has.
    pub interrupted: Arc<OnceLock<Signal>>,
}

/// The [`Applying`] for an apply of `total` changes; the signal handlers are set from here on.
pub(super) fn applying(
    global: &GlobalArgs,
    args: &SyncArgs,
    total: u64,
) -> Result<Applying, Failure> {
    let meter = progress::Meter::apply(global.quiet, total);
    let shown = meter.clone();
    let interrupted = Arc::new(OnceLock::new());
    let cancel = CancelToken::new();
    stop_on_signal(global, &cancel, &interrupted)?;
    let mut options = ApplyOptions::builder();
    if let Some(workers) = args.workers {
        options = options.workers(usize::from(workers));
    }
    let options = options
        .force(args.force)
        .stop_on_error(args.stop_on_error)
        .cancel(cancel)
        .on_progress(move |step| {
            if let Progress::Applying { done, outcome, .. } = step {
                if matches!(outcome, OutcomeKind::Failed | OutcomeKind::Unknown) {
                    shown.add_failed();
                }
                shown.set_done(done);
            }
        })
        .build();
    Ok(Applying {
        options,
        meter,
        interrupted,
    })
}

fn stop_on_signal(
    global: &GlobalArgs,
    cancel: &CancelToken,
    interrupted: &Arc<OnceLock<Signal>>,
) -> Result<(), Failure> {
    let cancel = cancel.clone();
    let interrupted = Arc::clone(interrupted);
    let quiet = global.quiet;
    signals::on_stop(
        false,
        "clerk-memberships: interrupted again, quitting at once; run sync again without \
         --apply to see what is left",
        move |signal| {
            let _ = interrupted.set(signal);
            cancel.cancel();
            if !quiet {
                stderr_line!(
                    "clerk-memberships: {signal}: finishing the changes under way, starting \
                     no more (once more to quit at once)"
                );
            }
        },
    )
    .map_err(Failure::signal_handler)
}

/// How many changes the apply did not start because it was cancelled.
pub(super) fn not_started(report: &ApplyReport) -> usize {
    report
        .results()
        .iter()
        .filter(|result| matches!(result.outcome, Outcome::Skipped(SkipReason::Cancelled)))
        .count()
}
