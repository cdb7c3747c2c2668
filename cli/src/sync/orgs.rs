//! `sync ROSTER` for a roster with an `organization` column: one plan over every
//! organization the rows name, grouped by organization, each under its own safety rails.
//!
//! A dry run prints each organization's plan under a `# org_… (names)` heading (those in
//! sync are left out) and a total line; `--apply` applies the organizations no rail stops
//! and lists the others as refused (exit 5). When every organization with changes is
//! stopped, the whole run is refused before anything is written (exit 2), as for one
//! organization.

use std::fmt::Write as _;
use std::process::ExitCode;

use clerk_memberships::sync::{self, OrganizationPlans, OrganizationReports, Plan};
use serde_json::Value;

use super::args::{SyncArgs, SyncFormat};
use super::rails::{Rail, stopped_by_rails};
use super::render::{
    add_plan_lines, add_report_lines, plan_text, print_json, print_text, result_text,
    unresolved_text,
};
use super::run::{
    Applying, Ended, applying, is_pending, not_started, note_waiting, plan_failure, sync_options,
};
use crate::config::GlobalArgs;
use crate::fail::{EXIT_PENDING, Failure};
use crate::output::{printable, quoted};
use crate::progress;
use crate::roster::RosterFile;

/// Runs `sync` over the organizations `file` names.
pub(super) fn run(
    global: &GlobalArgs,
    args: &SyncArgs,
    file: &RosterFile,
) -> Result<ExitCode, Failure> {
    let client = global.client()?;
    let bar = progress::bar(global.quiet, 0, "planning");
    let options = sync_options(args, &bar);
    let planned = sync::plan_all(&client, file.roster(), &options);
    bar.finish_and_clear();
    let plans = planned.map_err(|error| plan_failure(file, error))?;
    if !args.apply {
        return dry_run(global, args, file, &plans);
    }
    let stopped = stopped(args, file, &plans);
    let with_changes = plans.plans().iter().filter(|plan| !plan.is_empty()).count();
    if !stopped.is_empty() && stopped.len() == with_changes {
        match args.format {
            SyncFormat::Text => print_text(&plans_text(args, file, &plans, &stopped))?,
            SyncFormat::Json => print_json(&serde_json::json!({
                "plan": plans_json(file, &plans)?,
                "report": Value::Null,
            }))?,
        }
        return Err(Failure::usage(format!(
            "refused: every organization with changes is stopped by a safety rail ({}); \
             nothing was changed. Review the plan, then pass --force to apply it",
            stopped
                .iter()
                .map(|(id, rail)| format!("{}: {}", printable(id), rail.reason))
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    apply(global, args, &client, file, &plans, &stopped)
}

/// The organizations a rail stops (none with `--force`), with the rail: the library's
/// removal threshold, and the CLI's own (removals while some row names nobody).
fn stopped<'a>(
    args: &SyncArgs,
    file: &RosterFile,
    plans: &'a OrganizationPlans,
) -> Vec<(&'a str, Rail)> {
    if args.force {
        return Vec::new();
    }
    plans
        .plans()
        .iter()
        .filter_map(|plan| {
            stopped_by_rails(args, file, plan).map(|rail| (plan.organization_id(), rail))
        })
        .collect()
}

/// `# org_… (names)`.
fn heading(plans: &OrganizationPlans, plan: &Plan) -> String {
    let id = plan.organization_id();
    let others: Vec<&str> = plans
        .names(id)
        .iter()
        .map(String::as_str)
        .filter(|name| *name != id)
        .collect();
    let id = printable(id);
    if others.is_empty() {
        format!("# {id}")
    } else {
        let others: Vec<String> = others.into_iter().map(quoted).collect();
        format!("# {id} ({})", others.join(", "))
    }
}

/// Whether a plan shows anything: a change, a skipped change, an unresolved row or a row
/// waiting on its invitation.
fn shows_something(plan: &Plan) -> bool {
    !plan.is_empty()
        || !plan.skipped().is_empty()
        || !plan.unresolved().is_empty()
        || !plan.waiting().is_empty()
}

/// Every organization's plan that shows something, under its heading; the organizations a
/// rail stops; a total line. `in sync` when no organization has anything.
fn plans_text(
    args: &SyncArgs,
    file: &RosterFile,
    plans: &OrganizationPlans,
    stopped: &[(&str, Rail)],
) -> String {
    let mut out = String::new();
    let shown: Vec<&Plan> = plans
        .plans()
        .iter()
        .filter(|plan| shows_something(plan))
        .collect();
    if shown.is_empty() {
        let n = plans.plans().len();
        let s = if n == 1 { "" } else { "s" };
        let _ = writeln!(out, "in sync: nothing to change in {n} organization{s}");
        return out;
    }
    for plan in shown {
        let _ = writeln!(out, "{}", heading(plans, plan));
        out.push_str(&plan_text(args, file, plan));
    }
    for (id, rail) in stopped {
        let _ = writeln!(
            out,
            "! {}: {}: --apply refuses it without --force",
            printable(id),
            rail.reason
        );
    }
    let _ = writeln!(
        out,
        "total: {} in {} organizations",
        plans.counts(),
        plans.plans().len()
    );
    out
}

/// The plans' JSON, each roster entry in it with its line.
fn plans_json(file: &RosterFile, plans: &OrganizationPlans) -> Result<Value, Failure> {
    let mut json = serde_json::to_value(plans).map_err(|e| Failure::Output(e.into()))?;
    if let Some(Value::Array(organizations)) = json.get_mut("organizations") {
        for plan in organizations {
            add_plan_lines(file, plan);
        }
    }
    Ok(json)
}

/// A dry run: prints the plans; exit 3 when something is pending.
fn dry_run(
    global: &GlobalArgs,
    args: &SyncArgs,
    file: &RosterFile,
    plans: &OrganizationPlans,
) -> Result<ExitCode, Failure> {
    let stopped = stopped(args, file, plans);
    match args.format {
        SyncFormat::Text => print_text(&plans_text(args, file, plans, &stopped))?,
        SyncFormat::Json => print_json(&plans_json(file, plans)?)?,
    }
    if !plans.plans().iter().any(is_pending) {
        note_waiting(
            global,
            plans.plans().iter().map(|plan| plan.waiting().len()).sum(),
        );
        return Ok(ExitCode::SUCCESS);
    }
    if !global.quiet {
        if stopped.is_empty() {
            stderr_line!("dry run: nothing was changed; pass --apply to make these changes");
        } else if stopped.len() >= plans.plans().iter().filter(|plan| !plan.is_empty()).count() {
            stderr_line!(
                "dry run: nothing was changed; --apply would refuse every organization with \
                 changes (see the lines starting with `! `)"
            );
        } else {
            stderr_line!(
                "dry run: nothing was changed; --apply would refuse {} of the organizations \
                 (see the lines starting with `! `) and apply the others",
                stopped.len()
            );
        }
    }
    Err(Failure::Exit(EXIT_PENDING))
}

/// Applies every organization no rail stops; prints the reports; exit 5 when an
/// organization was refused or a change not done.
fn apply(
    global: &GlobalArgs,
    args: &SyncArgs,
    client: &clerk_memberships::Client,
    file: &RosterFile,
    plans: &OrganizationPlans,
    stopped: &[(&str, Rail)],
) -> Result<ExitCode, Failure> {
    let mut to_apply = plans.clone();
    to_apply.retain(|plan| !stopped.iter().any(|(id, _)| *id == plan.organization_id()));
    let total = to_apply
        .plans()
        .iter()
        .map(|plan| (plan.changes().len() + plan.skipped().len()) as u64)
        .sum();
    let Applying {
        options,
        meter,
        interrupted,
    } = applying(global, args, total)?;
    let report = to_apply.apply(client, &options);
    meter.finish();
    let interrupted = interrupted.get().copied();

    match args.format {
        SyncFormat::Text => print_text(&reports_text(file, plans, &report, stopped))?,
        SyncFormat::Json => print_json(&serde_json::json!({
            "plan": plans_json(file, plans)?,
            "report": reports_json(file, plans, &report, stopped)?,
        }))?,
    }
    Ended {
        planned: to_apply.plans().iter().map(|p| p.changes().len()).sum(),
        counts: report.counts(),
        unresolved: plans.plans().iter().map(|p| p.unresolved().len()).sum(),
        refused: stopped.len() + report.refused().len(),
        interrupted,
        not_started: report.reports().iter().map(not_started).sum(),
    }
    .exit()
}

/// Each organization's results under its heading, the unresolved rows, the refused
/// organizations with their numbers, and a total line.
fn reports_text(
    file: &RosterFile,
    plans: &OrganizationPlans,
    report: &OrganizationReports,
    stopped: &[(&str, Rail)],
) -> String {
    let mut out = String::new();
    for plan in plans.plans() {
        let results = report
            .reports()
            .iter()
            .find(|r| r.organization_id() == plan.organization_id());
        let has_results = results.is_some_and(|r| !r.results().is_empty());
        if !has_results && plan.unresolved().is_empty() {
            continue;
        }
        let _ = writeln!(out, "{}", heading(plans, plan));
        for result in results.map_or(&[][..], |r| r.results()) {
            let _ = writeln!(out, "{}", result_text(file, result));
        }
        unresolved_text(&mut out, file, plan);
    }
    for (id, rail) in stopped {
        let _ = writeln!(
            out,
            "! refused {}: {}; nothing was changed there",
            printable(id),
            rail.reason
        );
    }
    for refused in report.refused() {
        let _ = writeln!(out, "! refused {refused}; nothing was changed there");
    }
    let unresolved: usize = plans.plans().iter().map(|p| p.unresolved().len()).sum();
    let _ = writeln!(
        out,
        "result: {}, {} unresolved, {} organizations refused",
        report.counts(),
        unresolved,
        stopped.len() + report.refused().len()
    );
    out
}

/// The reports' JSON, each roster entry in it with its line, the refused organizations
/// with the rail's reason.
fn reports_json(
    file: &RosterFile,
    plans: &OrganizationPlans,
    report: &OrganizationReports,
    stopped: &[(&str, Rail)],
) -> Result<Value, Failure> {
    let mut json = serde_json::to_value(report).map_err(|e| Failure::Output(e.into()))?;
    if let Some(Value::Array(organizations)) = json.get_mut("organizations") {
        for report in organizations {
            add_report_lines(file, report);
        }
    }
    if let Some(Value::Array(refused)) = json.get_mut("refused") {
        for (id, rail) in stopped {
            let check = plans.plan(id).map(Plan::removal_check);
            refused.push(serde_json::json!({
                "organization_id": id,
                "removal_check": check,
                "reason": rail.reason,
            }));
        }
    }
    Ok(json)
}
