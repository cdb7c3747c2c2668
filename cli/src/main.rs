//! `clerk-memberships`: manage Clerk organization memberships from the command line.
//!
//! Data goes to stdout, progress and diagnostics to stderr. See `clerk-memberships --help`
//! and `cli/README.md`.

// Diagnostics go through `stderr_line!`/`stderr_text!`, which cannot panic; data is written
// to stdout's handle, whose errors are handled.
#![deny(clippy::print_stderr, clippy::print_stdout)]

/// `eprintln!` that ignores a stderr it cannot write to (closed, full) instead of panicking:
/// a diagnostic must never end a command, nor change its exit code.
macro_rules! stderr_line {
    () => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr());
    }};
    ($($arg:tt)+) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)+);
    }};
}

/// `eprint!` likewise (a prompt, or text that ends its own lines).
macro_rules! stderr_text {
    ($($arg:tt)+) => {{
        use std::io::Write as _;
        let mut stderr = std::io::stderr();
        let _ = write!(stderr, $($arg)+).and_then(|()| stderr.flush());
    }};
}

mod completions;
mod config;
mod fail;
#[cfg(feature = "fake-server")]
mod fake_server;
mod invitations;
mod members;
mod output;
mod progress;
mod roster;
mod signals;
mod sync;
mod timefmt;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::config::GlobalArgs;
use crate::fail::Failure;

/// The exit codes, as `--help` shows them.
const EXIT_CODES: &str = "\
Exit codes:
  0  success (for sync: in sync, or every change applied)
  1  an API or transport error (the error names the call, the status and Clerk's message),
     an answer sync cannot act on, or the output could not be written
  2  a usage error: bad arguments, no secret key, an unreadable or malformed file (a roster
     problem is named ROSTER:LINE), a role the instance does not have (add, set-role,
     invite, sync), a removal or revocation not confirmed, a sync --apply stopped by a safety
     rail without --force
  3  sync: the dry run found changes pending, or a roster row that names nobody (with
     --invite, a row whose invitation is pending is waiting, not pending: exit 0)
  4  the user is not a member of the organization (get, set-role, metadata, remove)
  5  sync --apply: some change failed, is unknown or was not made, a row names nobody, or
     an organization was refused by a safety rail while others were applied (this wins
     over 130 and 143)
  130  sync --apply stopped by SIGINT (Ctrl-C): the changes under way finished, none was
       started after it, and the report lists those not started; a second signal quits at
       once with 130, without the report
  143  sync --apply stopped by SIGTERM, likewise

Environment:
  CLERK_SECRET_KEY  the secret key (or --secret-key-file; never a plain flag)
  CLERK_API_URL     the base URL (or --api-url), default https://api.clerk.com/v1
  NO_COLOR          when set and not empty, no progress bars are drawn
  CLERK_MEMBERSHIPS_PROGRESS_INTERVAL
                    where no bar is drawn (stderr not a terminal, or NO_COLOR), sync --apply,
                    list --all and invitations list --all print a plain progress line this
                    often (e.g. 30s, 500ms; 0 for none), such as `applied 420/2000, 0 failed,
                    98/s`; default 10s. --quiet prints none";

/// Manage Clerk organization memberships: list, add, change and remove members, edit their
/// metadata, and sync an organization with a roster file.
#[derive(Debug, Parser)]
#[command(name = "clerk-memberships", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: the size of the largest variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    /// List an organization's members, with any of the API's filters.
    List(members::ListArgs),
    /// Show one member of an organization.
    Get(members::GetArgs),
    /// Add a user to an organization with a role.
    Add(members::AddArgs),
    /// Change a member's role.
    SetRole(members::SetRoleArgs),
    /// Remove a member from an organization (asks for confirmation on a terminal).
    Remove(members::RemoveArgs),
    /// Deep-merge a member's public and private metadata (`null` deletes a key).
    Metadata(members::MetadataArgs),
    /// Invite an email address to an organization: Clerk emails a join link, and the
    /// membership is made with the role when it is accepted.
    Invite(invitations::InviteArgs),
    /// List or revoke an organization's invitations.
    #[command(subcommand)]
    Invitations(invitations::InvitationsCommand),
    /// Make an organization's members match a roster CSV file: a dry run unless --apply.
    Sync(sync::SyncArgs),
    /// Serve an in-memory Clerk over HTTP on loopback, for trying the CLI offline.
    #[cfg(feature = "fake-server")]
    FakeServer(fake_server::FakeServerArgs),
    /// Print a shell completion script to stdout.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return clap_exit(&error),
    };
    match run(cli) {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let global = &cli.global;
    #[cfg(feature = "fake-server")]
    let checks_keys = !matches!(cli.command, Command::FakeServer(_));
    #[cfg(not(feature = "fake-server"))]
    let checks_keys = true;
    if checks_keys {
        refuse_keys_in_arguments()?;
    }
    match cli.command {
        Command::List(args) => members::list(global, &args),
        Command::Get(args) => members::get(global, &args),
        Command::Add(args) => members::add(global, &args),
        Command::SetRole(args) => members::set_role(global, &args),
        Command::Remove(args) => members::remove(global, &args),
        Command::Metadata(args) => members::metadata(global, &args),
        Command::Invite(args) => invitations::invite(global, &args),
        Command::Invitations(command) => invitations::invitations(global, &command),
        Command::Sync(args) => sync::run(global, &args),
        #[cfg(feature = "fake-server")]
        Command::FakeServer(args) => fake_server::run(global, &args),
        Command::Completions { shell } => {
            let script = completions::script(shell, &mut Cli::command(), "clerk-memberships");
            let mut out = std::io::stdout().lock();
            out.write_all(&script)
                .and_then(|()| out.flush())
                .map_err(Failure::output)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Refuses a run one of whose arguments holds a secret key (pasted where an id, a filter or
/// a path goes): sent, it would sit in a URL, and so in the logs of every proxy and server
/// on the way. The key comes from `CLERK_SECRET_KEY` or `--secret-key-file`, never an
/// argument; only `fake-server --key` takes one (a made-up key the fake is to require).
fn refuse_keys_in_arguments() -> Result<(), Failure> {
    for arg in std::env::args_os().skip(1) {
        let arg = arg.to_string_lossy();
        let redacted = fail::redact_keys(&arg);
        if redacted != arg {
            return Err(Failure::usage(format!(
                "{redacted}: an argument holds a secret key; nothing was sent (the key comes \
                 from CLERK_SECRET_KEY or --secret-key-file, never an argument)"
            )));
        }
    }
    Ok(())
}

/// Ends a run that clap stopped: `--help` or `--version` on stdout (exit 0), or a usage
/// error on stderr (exit 2). A usage error quotes the arguments, so a secret key pasted as
/// one is redacted (see [`fail::redact_keys`]); help and version quote none, and are
/// printed as written (the help's example keys stay readable). Nothing is left to a panic:
/// a closed stdout or stderr (`--help | head -1`) ends the run quietly with clap's exit code.
fn clap_exit(error: &clap::Error) -> ExitCode {
    let rendered = error.render().ansi().to_string();
    let text = if error.use_stderr() {
        fail::redact_keys(&rendered)
    } else {
        rendered
    };
    // Styles are kept for a terminal and stripped otherwise, as clap's own printing does. A
    // write that fails (a closed pipe) changes neither how the run ends nor its exit code.
    let _ = if error.use_stderr() {
        let mut err = anstream::AutoStream::auto(std::io::stderr().lock());
        err.write_all(text.as_bytes()).and_then(|()| err.flush())
    } else {
        let mut out = anstream::AutoStream::auto(std::io::stdout().lock());
        out.write_all(text.as_bytes()).and_then(|()| out.flush())
    };
    ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(fail::EXIT_USAGE))
}
