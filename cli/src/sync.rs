//! `sync`: make an organization's members match a roster CSV file.
//!
//! A dry run unless `--apply`: the plan is read from Clerk and printed, and nothing is
//! written. With `--apply` the plan is applied and each change's outcome printed. The exit
//! code tells a CI job which of the two it needs next (see [`HELP`]).

use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

use clap::{Args, ValueEnum};
use clerk_memberships::sync::{
    self, ApplyOptions, ApplyReport, CancelToken, ChangeResult, MetadataPolicy, Outcome,
    OutcomeKind, Plan, Progress, RemovalThreshold, SkipReason, SyncError, SyncOptions,
};
use serde_json::Value;

use crate::config::GlobalArgs;
use crate::fail::{EXIT_PENDING, Failure};
use crate::output;
use crate::progress;
use crate::roster::{self, RosterFile};
use crate::signals::{self, Signal};

/// What `sync --help` adds after the options: the roster's format, the plan's signs, the
/// JSON document and the exit codes.
pub const HELP: &str = "\
Roster (CSV, a header line first; column names in any case):
  user_id | email | external_id  exactly one of them per row names the user
  role                           the role, e.g. org:member or org:admin
  public_metadata                optional: a JSON object, quoted as CSV quotes
  private_metadata               (e.g. \"{\"\"team\"\":\"\"ops\"\"}\"); used with --metadata
  Blank lines are ignored; unknown columns are refused. Problems are listed as ROSTER:LINE,
  and nothing is read from Clerk until the file has none.

The plan (and, with --apply, each change followed by `=> outcome`):
  + add   ~ change the role or merge metadata   - remove (only with --prune)
  ! a change the safety rails skip, with the reason: a --protect'ed member, the last
    org:admin, a member an ambiguous row may mean. Skips are not pending changes.
  ? a row that names nobody, or several users: listed with its line, never guessed.

Safety rails: --apply prints the plan and refuses it (nothing is changed, exit 2) unless
--force when
  - its removals are over the threshold: --max-removals N allows at most N, P% at most P%
    of the current members; by default a plan removing more than 10% of the members and
    more than 10 members is over it;
  - it removes members while some row names nobody (a row with a typo may mean one of them);
  - the roster lists nobody and --prune would remove the members.
--force changes nothing without --apply. --protect takes user ids (user_…) only.

--format json prints one JSON document on stdout: the plan for a dry run, and for --apply
{\"plan\": …, \"report\": …} (the report null when the apply was refused). A roster row
is named by its \"index\" (from 0, among the rows read) and its \"line\" in the file.

Exit codes:
  0  in sync; with --apply, every change done (applied or already done)
  1  an API or transport error (while planning: nothing was changed)
  2  a usage error: bad arguments, no key, a roster problem (ROSTER:LINE), or --apply
     stopped by a safety rail without --force (nothing was changed)
  3  dry run: changes are pending, or some row names nobody
  5  --apply: some change failed, is unknown or was not made, or some row names nobody;
     run sync again without --apply to see what is left
  130  --apply stopped by SIGINT (Ctrl-C), with no change failed: the changes under way
       finished, no new one was started, and the report marks the others \"not started\";
       sync --apply again makes them. A second signal quits at once (130), without the
       report
  143  --apply stopped by SIGTERM, likewise";

/// `sync --org ORG ROSTER`.
#[derive(Debug, Args)]
#[command(after_help = HELP)]
pub struct SyncArgs {
    /// The organization's id (`org_…`).
    #[arg(long, value_name = "ORG")]
    pub org: String,
    /// The roster CSV file, or `-` for stdin.
    #[arg(value_name = "ROSTER")]
    pub roster: PathBuf,
    /// Make the changes (with a progress bar on a terminal, a progress line every 10 s
    /// elsewhere) and print how each one ended.
    /// Without it, sync is a dry run: it prints the plan and changes nothing.
    #[arg(long)]
    pub apply: bool,
    /// Remove the members the roster does not list.
    #[arg(long)]
    pub prune: bool,
    /// Never remove this user, nor move them away from org:admin (a user id, user_…;
    /// repeatable).
    #[arg(long = "protect", value_name = "USER", value_parser = parse_user_id)]
    pub protect: Vec<String>,
    /// The most removals a plan may make without --force: a number of members (N) or a
    /// share of the current members (P%) [default: removing more than 10% of the members
    /// and more than 10 needs --force].
    #[arg(long, value_name = "N|P%", value_parser = parse_max_removals)]
    pub max_removals: Option<MaxRemovals>,
    /// With --apply: apply a plan that the safety rails stop (removals over the threshold,
    /// removals while some row names nobody, an empty roster with --prune), after review.
    /// Without --apply it changes nothing, so a dry run and its apply can share their flags.
    #[arg(long)]
    pub force: bool,
    /// What to do with the roster's metadata: ignore it, merge its keys into the members'
    /// metadata, or make the metadata exactly the roster's.
    #[arg(long, value_enum, value_name = "POLICY", default_value_t = MetadataArg::Ignore)]
    pub metadata: MetadataArg,
    /// How many changes are sent at once with --apply, 1 to 64 (they share the rate
    /// limit) [default: sized by the apply from the rate it gets and the round trips it
    /// measures, starting from 8]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub workers: Option<u16>,
    /// With --apply: stop at the first change that fails or ends unknown; the changes not
    /// started yet are reported as skipped (exit 5). By default every change is tried.
    #[arg(long)]
    pub stop_on_error: bool,
    /// How the plan and the report are printed.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = SyncFormat::Text)]
    pub format: SyncFormat,
}

/// `--metadata`: the library's [`MetadataPolicy`], as the flag spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MetadataArg {
    /// Leave metadata as it is; members are added without it.
    Ignore,
    /// Set the roster's keys (deep-merged) and keep the others.
    Merge,
    /// Set the roster's keys and remove the others.
    Exact,
}

impl MetadataArg {
    /// The policy this flag value stands for.
    fn policy(self) -> MetadataPolicy {
        match self {
            MetadataArg::Ignore => MetadataPolicy::Ignore,
            MetadataArg::Merge => MetadataPolicy::Merge,
            MetadataArg::Exact => MetadataPolicy::Exact,
        }
    }
}

/// `--format` for `sync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SyncFormat {
    /// Lines like a diff, and a summary line.
    Text,
    /// One JSON document.
    Json,
}

/// `--max-removals`: at most a number of members, or a share of the current members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxRemovals {
    /// At most this many removals.
    Count(u64),
    /// At most this percentage of the current members.
    Percent(u32),
}

impl MaxRemovals {
    /// The library's threshold, which is exceeded when removals are over its percentage AND
    /// over its count: a bare count leaves the percentage at 0 (any removal is over 0%), a
    /// percentage leaves the count at 0, so that the one limit given is the one that holds.
    fn threshold(self) -> RemovalThreshold {
        match self {
            MaxRemovals::Count(count) => RemovalThreshold::new(0, count),
            MaxRemovals::Percent(percent) => RemovalThreshold::new(percent, 0),
        }
    }
}

/// `--protect`: a Clerk user id. An email address or external id would protect nobody,
/// silently: it is refused instead.
fn parse_user_id(text: &str) -> Result<String, String> {
    if text.starts_with("user_") && !text.contains(char::is_whitespace) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "{text:?} is not a user id (user_…); find one with \
             `clerk-memberships list --org ORG --email-address ADDRESS`"
        ))
    }
}

/// Parses `N` (a number of members) or `P%` (a percentage from 0 to 100).
fn parse_max_removals(text: &str) -> Result<MaxRemovals, String> {
    let text = text.trim();
    if let Some(percent) = text.strip_suffix('%') {
        return match percent.trim().parse::<u32>() {
            Ok(percent) if percent <= 100 => Ok(MaxRemovals::Percent(percent)),
            _ => Err(format!(
                "{text:?} is not a whole percentage from 0% to 100%"
            )),
        };
    }
    text.parse::<u64>().map(MaxRemovals::Count).map_err(|_| {
        format!("{text:?} is not a number of members (e.g. 10) or a percentage (e.g. 5%)")
    })
}

/// Runs `sync`: reads the roster, plans, and prints the plan or applies it.
pub fn run(global: &GlobalArgs, args: &SyncArgs) -> Result<ExitCode, Failure> {
    let file = roster::read(&args.roster)?;
    if file.has_metadata() && args.metadata == MetadataArg::Ignore && !global.quiet {
        stderr_line!(
            "note: the roster sets metadata, which --metadata ignore (the default) leaves \
             alone; pass --metadata merge or --metadata exact to manage it"
        );
    }
    let client = global.client()?;
    let plan = make_plan(global, args, &client, &file)?;
    if !args.apply {
        return dry_run(global, args, &file, &plan);
    }
    if let Some(rail) = stopped_by_rails(args, &file, &plan).filter(|_| !args.force) {
        print_refused(args, &file, &plan)?;
        return Err(Failure::usage(format!(
            "refused: {}; nothing was changed. Review the plan, then {}",
            rail.reason, rail.remedy
        )));
    }
    apply(global, args, &client, &file, &plan)
}

/// A safety rail that stops `--apply` without `--force`: why, and what to do.
struct Rail {
    /// What the plan would do that needs a second look.
    reason: String,
    /// How to go ahead.
    remedy: &'static str,
}

/// The rail that stops `--apply` without `--force`, if one does: removals over the
/// threshold; removals while some row names nobody (the person a row with a typo meant may
/// be among them); or an empty roster with `--prune`, which would remove every member.
fn stopped_by_rails(args: &SyncArgs, file: &RosterFile, plan: &Plan) -> Option<Rail> {
    let check = plan.removal_check();
    if check.exceeded {
        return Some(Rail {
            reason: format!(
                "{} of {} members would be removed, over the removal threshold ({})",
                check.removals,
                check.current_members,
                threshold_text(args)
            ),
            remedy: "pass --force to apply it, or raise --max-removals",
        });
    }
    let unresolved = plan.unresolved().len();
    if check.removals > 0 && unresolved > 0 {
        let rows = if unresolved == 1 {
            "row names"
        } else {
            "rows name"
        };
        return Some(Rail {
            reason: format!(
                "{unresolved} {rows} nobody while {} would be removed: the person a row meant \
                 may be one of them",
                members(check.removals)
            ),
            remedy: "fix the rows, or pass --force to apply it as it is",
        });
    }
    if args.prune && file.roster().is_empty() && check.removals > 0 {
        return Some(Rail {
            reason: format!(
                "the roster lists nobody, so --prune would remove {} of the {}",
                check.removals,
                members(check.current_members)
            ),
            remedy: "pass --force if that is meant",
        });
    }
    None
}

/// The plan, with a progress bar while the members are read and the rows resolved.
fn make_plan(
    global: &GlobalArgs,
    args: &SyncArgs,
    client: &clerk_memberships::Client,
    file: &RosterFile,
) -> Result<Plan, Failure> {
    let bar = progress::bar(global.quiet, 0, "planning");
    let shown = bar.clone();
    let mut options = SyncOptions::builder()
        .prune(args.prune)
        .protect_all(&args.protect)
        .metadata(args.metadata.policy())
        .on_progress(move |step| {
            let label = match step {
                Progress::ReadingMembers { .. } => "reading members",
                Progress::ResolvingUsers { .. } => "resolving users",
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
    let planned = sync::plan(client, &args.org, file.roster(), &options.build());
    bar.finish_and_clear();
    planned.map_err(|error| plan_failure(file, error))
}

/// The failure for a plan that could not be made.
fn plan_failure(file: &RosterFile, error: SyncError) -> Failure {
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
fn is_pending(plan: &Plan) -> bool {
    !plan.is_empty() || !plan.unresolved().is_empty()
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
    let counts = report.counts();
    let done = counts.applied + counts.already_done;
    let not_done = plan.changes().len().saturating_sub(done);
    let unresolved = plan.unresolved().len();
    if let Some(signal) = interrupted
        && counts.failed + counts.unknown == 0
    {
        // A failure says more (exit 5); without one, the signal is why changes are left.
        return Err(Failure::Interrupted {
            signal,
            not_started: not_started(&report),
        });
    }
    if not_done == 0 && unresolved == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    let mut parts = Vec::new();
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
    if let Some(signal) = interrupted {
        parts.push(format!("interrupted by {signal}"));
    }
    if unresolved > 0 {
        let s = if unresolved == 1 { "" } else { "s" };
        parts.push(format!("{unresolved} row{s} naming nobody"));
    }
    Err(Failure::Incomplete(parts.join(", ")))
}

/// On the first SIGINT or SIGTERM, cancels the apply (the changes under way finish, no new
/// one starts) and records which signal it was; a second one quits at once (exit 130).
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
}

/// How many changes the apply did not start because it was cancelled.
fn not_started(report: &ApplyReport) -> usize {
    report
        .results()
        .iter()
        .filter(|result| matches!(result.outcome, Outcome::Skipped(SkipReason::Cancelled)))
        .count()
}

/// `1 member`, `2 members`.
fn members(n: u64) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{n} member{s}")
}

/// The removal threshold in words, as the options set it.
fn threshold_text(args: &SyncArgs) -> String {
    match args.max_removals {
        Some(MaxRemovals::Count(count)) => format!("more than {}", members(count)),
        Some(MaxRemovals::Percent(percent)) => {
            format!("more than {percent}% of the members")
        }
        None => RemovalThreshold::default().to_string(),
    }
}

/// A skip reason in words, an ambiguous row named by its line.
fn reason_text(file: &RosterFile, reason: &SkipReason) -> String {
    match reason {
        SkipReason::AmbiguousEntry { entry } => {
            format!("{} ({}) may mean this member", file.at(entry), entry.key)
        }
        other => other.to_string(),
    }
}

/// The unresolved rows, one line each: `? ROSTER:LINE: key: why`.
fn unresolved_text(out: &mut String, file: &RosterFile, plan: &Plan) {
    for unresolved in plan.unresolved() {
        let entry = &unresolved.entry;
        let _ = writeln!(
            out,
            "? {}: {}: {}",
            file.at(entry),
            entry.key,
            unresolved.problem
        );
    }
}

/// The plan as text: the changes, the skipped changes, the unresolved rows, the removal
/// check when it is exceeded, and a summary line; or `in sync` when there is nothing.
fn plan_text(args: &SyncArgs, file: &RosterFile, plan: &Plan) -> String {
    let mut out = String::new();
    if plan.is_empty() && plan.skipped().is_empty() && plan.unresolved().is_empty() {
        out.push_str("in sync: nothing to change\n");
        return out;
    }
    for change in plan.changes() {
        let _ = writeln!(out, "{change}");
    }
    for skipped in plan.skipped() {
        let reason = reason_text(file, &skipped.reason);
        let _ = writeln!(out, "! {} (skipped: {reason})", skipped.change);
    }
    unresolved_text(&mut out, file, plan);
    let check = plan.removal_check();
    if check.exceeded {
        let s = if check.removals == 1 { "" } else { "s" };
        let _ = writeln!(
            out,
            "! {} removal{s} of {} members exceed the removal threshold ({}): --apply needs \
             --force",
            check.removals,
            check.current_members,
            threshold_text(args)
        );
    }
    let _ = writeln!(out, "plan: {}", plan.counts());
    out
}

/// One result of the report: the change and how it ended.
fn result_text(file: &RosterFile, result: &ChangeResult) -> String {
    match &result.outcome {
        Outcome::Skipped(reason @ SkipReason::AmbiguousEntry { .. }) => format!(
            "{} => skipped ({})",
            result.change,
            reason_text(file, reason)
        ),
        _ => result.to_string(),
    }
}

/// The report as text: each change and its outcome, the unresolved rows, and a summary
/// line; or `in sync` when there was nothing to do.
fn report_text(file: &RosterFile, plan: &Plan, report: &ApplyReport) -> String {
    let mut out = String::new();
    if report.results().is_empty() && plan.unresolved().is_empty() {
        out.push_str("in sync: nothing to change\n");
        return out;
    }
    for result in report.results() {
        let _ = writeln!(out, "{}", result_text(file, result));
    }
    unresolved_text(&mut out, file, plan);
    let _ = writeln!(
        out,
        "result: {}, {} unresolved",
        report.counts(),
        plan.unresolved().len()
    );
    out
}

/// Adds `"line"` to the JSON of an entry (`{"index": …, "key": …}`).
fn add_line(file: &RosterFile, entry: Option<&mut Value>) {
    let Some(Value::Object(entry)) = entry else {
        return;
    };
    let line = entry
        .get("index")
        .and_then(Value::as_u64)
        .and_then(|index| usize::try_from(index).ok())
        .and_then(|index| file.line(index));
    if let Some(line) = line {
        entry.insert("line".to_owned(), Value::from(line));
    }
}

/// Adds `"line"` to the entry of each item's `reason` that names one (an ambiguous row).
fn add_reason_lines(file: &RosterFile, items: Option<&mut Value>) {
    let Some(Value::Array(items)) = items else {
        return;
    };
    for item in items {
        add_line(file, item.pointer_mut("/reason/entry"));
    }
}

/// The plan's JSON, each roster entry in it with its line.
fn plan_json(file: &RosterFile, plan: &Plan) -> Result<Value, Failure> {
    let mut json = serde_json::to_value(plan).map_err(|e| Failure::Output(e.into()))?;
    if let Some(Value::Array(unresolved)) = json.get_mut("unresolved") {
        for item in unresolved {
            add_line(file, item.get_mut("entry"));
        }
    }
    add_reason_lines(file, json.get_mut("skipped"));
    Ok(json)
}

/// The report's JSON, each roster entry in it with its line.
fn report_json(file: &RosterFile, report: &ApplyReport) -> Result<Value, Failure> {
    let mut json = serde_json::to_value(report).map_err(|e| Failure::Output(e.into()))?;
    add_reason_lines(file, json.get_mut("results"));
    Ok(json)
}

/// Writes `text` to stdout. A reader that closed the pipe early (`| head`) is no failure:
/// the exit code still says how the sync went.
fn print_text(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    Ok(output::unless_closed(written)?)
}

/// Writes `json` to stdout as one indented document; a closed pipe as for [`print_text`].
fn print_json(json: &Value) -> Result<(), Failure> {
    let mut out = BufWriter::new(io::stdout().lock());
    let written = output::write_json_pretty(&mut out, json)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    Ok(output::unless_closed(written)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_removals_reads_counts_and_percentages() {
        assert_eq!(parse_max_removals("10"), Ok(MaxRemovals::Count(10)));
        assert_eq!(parse_max_removals("0"), Ok(MaxRemovals::Count(0)));
        assert_eq!(parse_max_removals("5%"), Ok(MaxRemovals::Percent(5)));
        assert_eq!(parse_max_removals("100%"), Ok(MaxRemovals::Percent(100)));
        assert!(parse_max_removals("101%").is_err());
        assert!(parse_max_removals("2.5%").is_err());
        assert!(parse_max_removals("-1").is_err());
        assert!(parse_max_removals("many").is_err());
        assert!(parse_max_removals("").is_err());
    }

    #[test]
    fn a_count_or_a_percentage_alone_sets_the_limit() {
        let count = MaxRemovals::Count(2).threshold();
        assert!(!count.is_exceeded(2, 3));
        assert!(count.is_exceeded(3, 10_000));
        let percent = MaxRemovals::Percent(10).threshold();
        assert!(!percent.is_exceeded(10, 100));
        assert!(percent.is_exceeded(11, 100));
        assert!(percent.is_exceeded(1, 5));
        assert!(!MaxRemovals::Percent(100).threshold().is_exceeded(5, 5));
        assert!(MaxRemovals::Count(0).threshold().is_exceeded(1, 1));
    }
}
