//! The safety rails that stop `sync --apply` without `--force`, and the words for them.

use clerk_memberships::sync::{Plan, RemovalThreshold};

use super::args::{MaxRemovals, SyncArgs};
use crate::roster::RosterFile;

/// `1 member`, `2 members`.
pub(super) fn members(n: u64) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{n} member{s}")
}

/// The removal threshold in words, as the options set it.
pub(super) fn threshold_text(args: &SyncArgs) -> String {
    match args.max_removals {
        Some(MaxRemovals::Count(count)) => format!("more than {}", members(count)),
        Some(MaxRemovals::Percent(percent)) => {
            format!("more than {percent}% of the members")
        }
        None => RemovalThreshold::default().to_string(),
    }
}

/// A safety rail that stops `--apply` without `--force`: why, and what to do.
pub(super) struct Rail {
    /// What the plan would do that needs a second look.
    pub(super) reason: String,
    /// How to go ahead.
    pub(super) remedy: &'static str,
}

/// The rail that stops `--apply` without `--force`, if one does: removals over the
/// threshold; removals while some row names nobody (the person a row with a typo meant may
/// be among them); or an empty roster with `--prune`, which would remove every member.
pub(super) fn stopped_by_rails(args: &SyncArgs, file: &RosterFile, plan: &Plan) -> Option<Rail> {
    threshold_rail(args, plan)
        .or_else(|| unresolved_rail(plan))
        .or_else(|| invites_rail(plan))
        .or_else(|| empty_roster_rail(args, file, plan))
}

/// The rails this tool adds to the library's (removals while a row names nobody, pruning from
/// an empty roster), which a plan's text names with a `!` line as it names the others.
pub(super) fn tools_own_rails(args: &SyncArgs, file: &RosterFile, plan: &Plan) -> Vec<Rail> {
    unresolved_rail(plan)
        .into_iter()
        .chain(empty_roster_rail(args, file, plan))
        .collect()
}

/// Removals over the threshold (the library's rail).
fn threshold_rail(args: &SyncArgs, plan: &Plan) -> Option<Rail> {
    let check = plan.removal_check();
    if !check.exceeded {
        return None;
    }
    Some(Rail {
        reason: format!(
            "{} of {} members would be removed, over the removal threshold ({})",
            check.removals,
            check.current_members,
            threshold_text(args)
        ),
        remedy: "pass --force to apply it, or raise --max-removals",
    })
}

/// Removals while some row names nobody: the person a row with a typo meant may be among
/// them.
fn unresolved_rail(plan: &Plan) -> Option<Rail> {
    let check = plan.removal_check();
    let unresolved = plan.unresolved().len();
    if check.removals == 0 || unresolved == 0 {
        return None;
    }
    let rows = if unresolved == 1 {
        "row names"
    } else {
        "rows name"
    };
    Some(Rail {
        reason: format!(
            "{unresolved} {rows} nobody while {} would be removed: the person a row meant \
                 may be one of them",
            members(check.removals)
        ),
        remedy: "fix the rows, or pass --force to apply it as it is",
    })
}

/// More invitations than `--max-invites` (the library's rail).
fn invites_rail(plan: &Plan) -> Option<Rail> {
    let invites = plan.invite_check();
    if !invites.exceeded {
        return None;
    }
    Some(Rail {
        reason: format!(
            "{} invitations would be sent, over the limit of {} (an email cannot be \
                 taken back)",
            invites.invites, invites.max_invites
        ),
        remedy: "pass --force to send them, or raise --max-invites",
    })
}

/// An empty roster with `--prune`, which would remove every member.
fn empty_roster_rail(args: &SyncArgs, file: &RosterFile, plan: &Plan) -> Option<Rail> {
    let check = plan.removal_check();
    if !(args.prune && file.roster().is_empty() && check.removals > 0) {
        return None;
    }
    Some(Rail {
        reason: format!(
            "the roster lists nobody, so --prune would remove {} of the {}",
            check.removals,
            members(check.current_members)
        ),
        remedy: "pass --force if that is meant",
    })
}
