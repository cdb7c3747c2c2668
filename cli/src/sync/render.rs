//! How `sync` shows a plan and a report: as text for a person, as JSON for a CI job, each
//! roster entry named by its line in the roster file.

use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};

use clerk_memberships::sync::{ApplyReport, ChangeResult, Outcome, Plan, SkipReason};
use serde_json::Value;

use super::args::SyncArgs;
use super::rails::{threshold_text, tools_own_rails};
use crate::fail::Failure;
use crate::output;
use crate::roster::RosterFile;

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
pub(super) fn unresolved_text(out: &mut String, file: &RosterFile, plan: &Plan) {
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
pub(super) fn plan_text(args: &SyncArgs, file: &RosterFile, plan: &Plan) -> String {
    let mut out = String::new();
    if plan.is_empty()
        && plan.skipped().is_empty()
        && plan.unresolved().is_empty()
        && plan.waiting().is_empty()
    {
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
    waiting_text(&mut out, file, plan);
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
    let invites = plan.invite_check();
    if invites.exceeded {
        let _ = writeln!(out, "! {invites}: --apply needs --force");
    }
    for rail in tools_own_rails(args, file, plan) {
        let _ = writeln!(out, "! {}: --apply needs --force", rail.reason);
    }
    let _ = writeln!(out, "plan: {}", plan.counts());
    out
}

/// The rows waiting on a pending invitation, one line each: `… waiting ROSTER:LINE: …`.
fn waiting_text(out: &mut String, file: &RosterFile, plan: &Plan) {
    for waiting in plan.waiting() {
        let _ = writeln!(out, "… waiting {}: {}", file.at(&waiting.entry), {
            let line = waiting.to_string();
            line.strip_prefix("… waiting ").unwrap_or(&line).to_owned()
        });
    }
}

/// One result of the report: the change and how it ended.
pub(super) fn result_text(file: &RosterFile, result: &ChangeResult) -> String {
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
pub(super) fn report_text(file: &RosterFile, plan: &Plan, report: &ApplyReport) -> String {
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
pub(super) fn plan_json(file: &RosterFile, plan: &Plan) -> Result<Value, Failure> {
    let mut json = serde_json::to_value(plan).map_err(|e| Failure::Output(e.into()))?;
    add_plan_lines(file, &mut json);
    Ok(json)
}

/// Adds its line to each roster entry in a plan's JSON (unresolved and waiting rows).
pub(super) fn add_plan_lines(file: &RosterFile, json: &mut Value) {
    for list in ["unresolved", "waiting"] {
        if let Some(Value::Array(items)) = json.get_mut(list) {
            for item in items {
                add_line(file, item.get_mut("entry"));
            }
        }
    }
    add_reason_lines(file, json.get_mut("skipped"));
}

/// The report's JSON, each roster entry in it with its line.
pub(super) fn report_json(file: &RosterFile, report: &ApplyReport) -> Result<Value, Failure> {
    let mut json = serde_json::to_value(report).map_err(|e| Failure::Output(e.into()))?;
    add_report_lines(file, &mut json);
    Ok(json)
}

/// Adds its line to each roster entry in a report's JSON.
pub(super) fn add_report_lines(file: &RosterFile, json: &mut Value) {
    add_reason_lines(file, json.get_mut("results"));
}

/// Writes `text` to stdout. A reader that closed the pipe early (`| head`) is no failure:
/// the exit code still says how the sync went.
pub(super) fn print_text(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    Ok(output::unless_closed(written)?)
}

/// Writes `json` to stdout as one indented document; a closed pipe as for [`print_text`].
pub(super) fn print_json(json: &Value) -> Result<(), Failure> {
    let mut out = BufWriter::new(io::stdout().lock());
    let written = output::write_json_pretty(&mut out, json)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    Ok(output::unless_closed(written)?)
}
