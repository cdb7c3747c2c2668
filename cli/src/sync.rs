//! `sync`: make an organization's members match a roster CSV file.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::config::GlobalArgs;
use crate::fail::Failure;

/// `sync --org ORG ROSTER`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The organization's id (`org_…`).
    #[arg(long, value_name = "ORG")]
    pub org: String,
    /// The roster CSV file, or `-` for stdin.
    #[arg(value_name = "ROSTER")]
    pub roster: PathBuf,
}

/// Runs `sync`.
pub fn run(_global: &GlobalArgs, _args: &SyncArgs) -> Result<ExitCode, Failure> {
    Err(Failure::usage("sync is not built yet"))
}
