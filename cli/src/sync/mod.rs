//! `sync`: make an organization's members match a roster CSV file. The arguments and help in
//! `args`, the plan-or-apply flow in `run` (and in `orgs` for a roster over many
//! organizations), the safety rails in `rails`, the text and JSON shown in `render`.

mod args;
mod orgs;
mod rails;
mod render;
mod run;

use std::process::ExitCode;

pub use args::SyncArgs;

use crate::config::GlobalArgs;
use crate::fail::Failure;
use crate::roster;
use args::MetadataArg;

/// Runs `sync`: reads the roster, then plans for the one organization of `--org` ([`run`]) or
/// for each organization the roster's column names ([`orgs`]), and prints the plan or
/// applies it.
pub fn run(global: &GlobalArgs, args: &SyncArgs) -> Result<ExitCode, Failure> {
    let file = roster::read(&args.roster)?;
    if file.has_metadata() && args.metadata == MetadataArg::Ignore && !global.quiet {
        stderr_line!(
            "note: the roster sets metadata, which --metadata ignore (the default) leaves \
             alone; pass --metadata merge or --metadata exact to manage it"
        );
    }
    match (&args.org, file.has_organizations()) {
        (Some(_), true) => Err(Failure::usage(
            "--org and an organization column: the column names each row's \
             organization; drop --org, or the column",
        )),
        (None, true) => orgs::run(global, args, &file),
        (Some(org), false) => run::one_organization(global, args, &file, org),
        (None, false) => Err(Failure::usage(
            "no organization: pass --org ORG, or give the roster an organization column",
        )),
    }
}
