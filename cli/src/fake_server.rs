//! `fake-server`: the library's in-memory Clerk served over HTTP on loopback.

use std::process::ExitCode;

use clap::Args;

use crate::config::GlobalArgs;
use crate::fail::Failure;

/// `fake-server [--port] [--members N] [--seed-file F] [--dump-on-exit F]`.
#[derive(Debug, Args)]
pub struct FakeServerArgs {
    /// The loopback port (0: any free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
}

/// Runs `fake-server`.
pub fn run(_global: &GlobalArgs, _args: &FakeServerArgs) -> Result<ExitCode, Failure> {
    Err(Failure::usage("fake-server is not built yet"))
}
