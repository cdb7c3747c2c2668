//! `sync`'s command line: its arguments, how they parse, and its `--help` text.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use clerk_memberships::sync::{MetadataPolicy, RemovalThreshold};

/// What `sync --help` adds after the options: the roster's format, the plan's signs, the
/// JSON document and the exit codes.
pub const HELP: &str = "\
Roster (CSV, a header line first; column names in any case):
  user_id | email | external_id  exactly one of them per row names the user
  role                           the role, e.g. org:member or org:admin
  organization                   optional: the row's organization, an id (org_…) or a
                                 slug; then --org is not given, and the plan is grouped
                                 by organization
  public_metadata                optional: a JSON object, quoted as CSV quotes
  private_metadata               (e.g. \"{\"\"team\"\":\"\"ops\"\"}\"); used with --metadata
  Blank lines are ignored; unknown columns are refused. Problems are listed as ROSTER:LINE,
  and nothing is read from Clerk until the file has none.

The plan (and, with --apply, each change followed by `=> outcome`):
  + add   ~ change the role or merge metadata   - remove (only with --prune)
  ! a change the safety rails skip, with the reason: a --protect'ed member, the last
    org:admin, a member an ambiguous row may mean. Skips are not pending changes.
  ? a row that names nobody, or several users: listed with its line, never guessed.
  + invite (with --invite) an email row that names nobody: Clerk emails a join link, and
    the membership is made with the row's role and metadata when it is accepted
  - revoke a pending invitation: replaced (--reinvite) or, with --prune, its address is no
    longer on the roster
  … waiting a row whose invitation is pending (sent, not accepted): not a pending change;
    invited with another role, it is replaced only with --reinvite

Safety rails: --apply prints the plan and refuses it (nothing is changed, exit 2) unless
--force when
  - its removals are over the threshold: --max-removals N allows at most N, P% at most P%
    of the current members; by default a plan removing more than 10% of the members and
    more than 10 members is over it;
  - it removes members while some row names nobody (a row with a typo may mean one of them);
  - the roster lists nobody and --prune would remove the members;
  - it sends more invitations than --max-invites (default 50): an email cannot be taken
    back.
--force changes nothing without --apply. --protect takes user ids (user_…) only.

--format json prints one JSON document on stdout: the plan for a dry run, and for --apply
{\"plan\": …, \"report\": …} (the report null when the apply was refused). A roster row
is named by its \"index\" (from 0, among the rows read) and its \"line\" in the file.

A roster with an organization column is one plan over all its organizations: each
organization is looked up once (an id and a slug of one are one), the users are resolved
once, and the rails hold for each organization on its own. --apply applies the
organizations no rail stops and lists the others as refused (exit 5); only when every
organization with changes is stopped is the whole run refused (exit 2). Its JSON is
{\"organizations\": [plan, …], \"counts\": …, \"refused\": […], \"member_reading\": …},
each plan with the \"names\" the rows gave its organization, and for --apply
{\"plan\": …, \"report\": {\"organizations\": [report, …], \"counts\": …, \"refused\": …}}.

Exit codes:
  0  in sync; with --apply, every change done (applied or already done)
  1  an API or transport error (while planning: nothing was changed)
  2  a usage error: bad arguments, no key, a roster problem (ROSTER:LINE), --org with an
     organization column, or --apply stopped by a safety rail without --force (nothing
     was changed; with many organizations, every organization with changes stopped)
  3  dry run: changes are pending, or some row names nobody (with --invite, an email row
     that names nobody is an invitation to send, and one already invited is waiting: a
     dry run with only waiting rows exits 0 and says how many wait)
  5  --apply: some change failed, is unknown or was not made, some row names nobody, or
     some organization was refused by a safety rail while others were applied;
     run sync again without --apply to see what is left
  130  --apply stopped by SIGINT (Ctrl-C), with no change failed: the changes under way
       finished, no new one was started, and the report marks the others \"not started\";
       sync --apply again makes them. A second signal quits at once (130), without the
       report
  143  --apply stopped by SIGTERM, likewise";

/// `sync --org ORG ROSTER`, or `sync ROSTER` for a roster with an `organization` column.
#[derive(Debug, Args)]
#[command(after_help = HELP)]
pub struct SyncArgs {
    /// The organization's id (`org_…`), for a roster of one organization. A roster with an
    /// `organization` column names each row's organization instead, and takes no --org.
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
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
    /// Invite the email rows that name no user: Clerk emails each a join link, and the
    /// membership is made with the row's role (and metadata, with --metadata) on acceptance.
    /// Reads the organization's pending invitations once, so an address already invited is
    /// waiting, not invited again. Without it such rows name nobody (exit 3, or 5).
    #[arg(long)]
    pub invite: bool,
    /// With --invite: replace a pending invitation whose role differs from the row's
    /// (revoke it and invite again: a second email).
    #[arg(long, requires = "invite")]
    pub reinvite: bool,
    /// With --invite: the most invitations one run sends without --force [default: 50].
    #[arg(long, value_name = "N", requires = "invite")]
    pub max_invites: Option<u64>,
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
    pub(super) fn policy(self) -> MetadataPolicy {
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
    pub(super) fn threshold(self) -> RemovalThreshold {
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
