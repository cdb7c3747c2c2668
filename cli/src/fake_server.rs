//! `fake-server`: the library's in-memory Clerk served over HTTP on loopback, until stopped.
//!
//! Stdout gets the settings as `NAME=value` lines, one each, the last one
//! `FAKE_SERVER_PID`, and nothing else; then (on Unix) stdout is pointed at `/dev/null`, so a
//! reader sees it end while the server goes on serving. That makes
//! `eval "$(clerk-memberships fake-server &)"` work in a shell, and a program that starts the
//! server reads its settings up to the end of the stream. Everything for people (where it
//! listens, how to use and stop it) goes to stderr.
//!
//! The server stops on Ctrl-C, SIGTERM or SIGHUP (and, with `--until-stdin-closes`, when
//! stdin ends), closes its connections, then writes `--dump-on-exit`'s file.

use std::fs::File;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use clap::Args;
use clerk_memberships::SecretKey;
use clerk_memberships::SystemClock;
use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser, ServeOptions};

use crate::config::GlobalArgs;
use crate::fail::Failure;
use crate::signals;

/// The members `--members` seeds when it is not given.
const DEFAULT_MEMBERS: usize = 100;

/// How often the server forgets the requests the fake records for tests: nobody reads them
/// here, and a long-running server would otherwise keep every one.
const FORGET_REQUESTS_EVERY: Duration = Duration::from_secs(5);

/// `fake-server [--port P] [--members N | --seed-file F] [--dump-on-exit F] [--key KEY]
/// [--roles R,…]`.
#[derive(Debug, Args)]
#[command(after_help = FAKE_SERVER_HELP)]
pub struct FakeServerArgs {
    /// The port to listen on, on 127.0.0.1 only (0: a free one, printed).
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub port: u16,

    /// Seed one organization, "Acme Corp", with N members: users user{i}@example.com with
    /// external ids hr-{i}, the first (i = 0) an org:admin, the others org:member.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MEMBERS,
          conflicts_with = "seed_file")]
    pub members: usize,

    /// Seed N organizations, each with --members members: the first "Acme Corp" as
    /// --members describes, organization k (from 2) "Org k" (slug org-k) with users
    /// user{i}@org{k}.example.com and external ids hr-{k}-{i}, the first an org:admin. One
    /// ORG= line is printed per organization, by id.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=10_000),
          conflicts_with = "seed_file")]
    pub orgs: u32,

    /// Start from this state document (as --dump-on-exit writes it) instead of seeding
    /// --members. ORG is its organization with the smallest id.
    #[arg(long, value_name = "FILE")]
    pub seed_file: Option<PathBuf>,

    /// When stopped, write the whole state (users, organizations, memberships, metadata) to
    /// this file, which --seed-file reads back. It is replaced in one step, never left half
    /// written.
    #[arg(long, value_name = "FILE")]
    pub dump_on_exit: Option<PathBuf>,

    /// Accept only this secret key (an sk_test_… or sk_live_… value, not a real one) and
    /// print it. By default any sk_… key is accepted and sk_test_fake is printed.
    #[arg(long, value_name = "KEY", value_parser = parse_key)]
    pub key: Option<String>,

    /// Also stop when stdin ends, e.g. when the program that started the server with a pipe
    /// on its stdin exits.
    #[arg(long)]
    pub until_stdin_closes: bool,

    /// The instance's organization roles, comma-separated, e.g. org:admin,org:member,
    /// org:billing [default: org:admin,org:member, or --seed-file's]. Creating a membership
    /// or changing a role to any other is refused (422), as Clerk refuses it; GET
    /// /organization_roles lists them.
    #[arg(long, value_name = "ROLES", value_delimiter = ',')]
    pub roles: Option<Vec<String>>,
}

/// Whether `role` has the shape of Clerk's organization role keys: `org:` and a name.
fn is_role_key(role: &str) -> bool {
    role.strip_prefix("org:")
        .is_some_and(|name| !name.is_empty() && !name.chars().any(char::is_whitespace))
}

/// `fake-server --help`'s closing words: the output and how to use it.
const FAKE_SERVER_HELP: &str = "\
Output:
  stdout gets four NAME=value lines (one more ORG= line per organization --orgs adds, in
  id order; a shell's eval keeps the last), then ends (on Unix) while the server keeps
  serving:
    CLERK_API_URL=http://127.0.0.1:PORT/v1
    CLERK_SECRET_KEY=sk_test_fake
    ORG=org_...
    FAKE_SERVER_PID=12345
  A value with characters a shell would act on is single-quoted. Notes go to stderr.

Use it from a shell:
  set -a; eval \"$(clerk-memberships fake-server --members 500 &)\"; set +a
  clerk-memberships list --org \"$ORG\" --all
  kill \"$FAKE_SERVER_PID\"

Rehearse an onboarding: invitations are served too, and the fake's own route plays the
invitee who clicks the link (the user is created if needed, then the membership):
  clerk-memberships invite --org \"$ORG\" --email new@example.com --role org:member
  curl -s -X POST \"$CLERK_API_URL/__fake/invitations/accept\" \\
    -H \"authorization: Bearer $CLERK_SECRET_KEY\" -d '{\"email_address\":\"new@example.com\"}'

Stop it with Ctrl-C, SIGTERM or SIGHUP; --dump-on-exit's file is written first. A second
Ctrl-C quits at once (exit 130) without writing it.

Of the options shared by every command, only --quiet applies (it drops the note on stderr);
the client's (--api-url, --secret-key-file, --allow-http, --timeout, --rate-limit, -v) do
not: the server is not a client.";

/// Why the server stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Ctrl-C, SIGTERM or SIGHUP (a console's Ctrl-C, Ctrl-Break or close on Windows).
    Signal,
    /// Stdin ended, under `--until-stdin-closes`.
    StdinClosed,
}

/// Runs `fake-server`: seeds, serves, prints the settings, waits to be stopped, dumps.
///
/// # Errors
///
/// A usage failure when the seed file cannot be read or loaded, the dump file's directory
/// does not exist, the port cannot be bound, or the dump cannot be written.
pub fn run(global: &GlobalArgs, args: &FakeServerArgs) -> Result<ExitCode, Failure> {
    if let Some(path) = &args.dump_on_exit {
        check_dump_target(path)?;
    }
    let fake = FakeClerk::with_clock(SystemClock);
    let (organization, others) = match &args.seed_file {
        Some(path) => (load_seed(&fake, path)?, Vec::new()),
        None => {
            let first = seed(&fake, args.members)?;
            (Some(first), seed_more(&fake, args.orgs, args.members)?)
        }
    };
    if let Some(roles) = &args.roles {
        if roles.iter().any(|role| role.trim().is_empty()) {
            return Err(Failure::usage("--roles: a role must not be empty"));
        }
        if let Some(role) = roles.iter().find(|role| !is_role_key(role)) {
            return Err(Failure::usage(format!(
                "--roles: {} is not a role key: Clerk's are `org:` and a name, as org:billing",
                crate::output::quoted(role)
            )));
        }
        // The example members hold these two; a role set without them would hold members
        // whose role the instance does not have.
        let seeded = args.seed_file.is_none() && args.members > 0;
        if let Some(missing) = ["org:admin", "org:member"]
            .into_iter()
            .find(|role| seeded && !roles.iter().any(|given| given == role))
        {
            return Err(Failure::usage(format!(
                "--roles: the example members hold org:admin and org:member; keep {missing}, \
                 or seed the members with --seed-file (or --members 0)"
            )));
        }
        fake.set_roles(roles);
    }
    let key = match &args.key {
        Some(key) => {
            fake.require_secret_key(key.as_str());
            key.clone()
        }
        None => FakeClerk::SECRET_KEY.to_owned(),
    };

    // The handler is in place before the settings are printed: whoever reads them may stop
    // the server at once, and that must still write the dump.
    let (stop_sender, stops) = mpsc::channel();
    install_signal_handler(stop_sender.clone())?;
    if args.until_stdin_closes {
        watch_stdin(stop_sender)?;
    }

    let server = ServeOptions::new()
        .serve(&fake, ("127.0.0.1", args.port))
        .map_err(|error| {
            Failure::usage(format!("cannot listen on 127.0.0.1:{}: {error}", args.port))
        })?;
    let organization = organization.unwrap_or_default();
    let settings = Settings {
        base_url: server.base_url(),
        key: &key,
        organization: &organization,
        others: &others,
        pid: std::process::id(),
    };
    print_settings(&settings)?;
    if !global.quiet {
        stderr_text!("{}", note(&settings, &fake, args));
    }

    let why = wait_for_stop(&stops, &fake);
    server.shutdown();
    if !global.quiet {
        let why = match why {
            Stop::Signal => "stopped",
            Stop::StdinClosed => "stdin closed",
        };
        stderr_line!("fake-server: {why}");
    }
    if let Some(path) = &args.dump_on_exit {
        write_dump(path, &fake.dump_state())?;
        if !global.quiet {
            stderr_line!("fake-server: state written to {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--key`: a key the CLI's own client accepts, so that the printed settings work.
fn parse_key(text: &str) -> Result<String, String> {
    SecretKey::new(text)
        .map(|_| text.to_owned())
        .map_err(|error| error.to_string())
}

/// Refuses a dump file whose directory does not exist now, rather than after hours of
/// serving.
fn check_dump_target(path: &Path) -> Result<(), Failure> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if path.is_dir() {
        return Err(Failure::usage(format!(
            "--dump-on-exit {}: is a directory; name a file in it",
            path.display()
        )));
    }
    if directory.is_dir() {
        Ok(())
    } else {
        Err(Failure::usage(format!(
            "--dump-on-exit {}: the directory {} does not exist",
            path.display(),
            directory.display()
        )))
    }
}

/// Seeds one organization with `members` members, as `--members` describes, and returns its
/// id.
fn seed(fake: &FakeClerk, members: usize) -> Result<String, Failure> {
    let organization = fake.add_organization(FakeOrganization::new("Acme Corp"));
    fake.add_example_members(&organization, members)
        .map_err(|error| Failure::usage(format!("cannot seed the members: {error}")))?;
    Ok(organization)
}

/// Seeds organizations 2 to `orgs` with `members` members each, as `--orgs` describes, and
/// returns their ids, sorted.
fn seed_more(fake: &FakeClerk, orgs: u32, members: usize) -> Result<Vec<String>, Failure> {
    let mut ids = Vec::new();
    for k in 2..=orgs {
        let organization = fake.add_organization(FakeOrganization::new(format!("Org {k}")));
        let users = fake.add_users((0..members).map(|i| {
            FakeUser::new(format!("User{i}"), format!("Org{k}"))
                .email(format!("user{i}@org{k}.example.com"))
                .external_id(format!("hr-{k}-{i}"))
        }));
        for (i, user) in users.iter().enumerate() {
            let role = if i == 0 { "org:admin" } else { "org:member" };
            fake.add_membership(&organization, user, role)
                .map_err(|error| Failure::usage(format!("cannot seed the members: {error}")))?;
        }
        ids.push(organization);
    }
    ids.sort();
    Ok(ids)
}

/// Loads `--seed-file` and returns the id of its first organization by id, if it has one:
/// the order the dump writes them in, so that a server restarted from its own dump prints the
/// same `ORG`.
fn load_seed(fake: &FakeClerk, path: &Path) -> Result<Option<String>, Failure> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        Failure::usage(format!(
            "cannot read --seed-file {}: {error}",
            path.display()
        ))
    })?;
    fake.load_state(&text)
        .map_err(|error| Failure::usage(format!("--seed-file {}: {error}", path.display())))?;
    // The fake's own dump lists the organizations sorted by id, whatever the file's order.
    let document: serde_json::Value = serde_json::from_str(&fake.dump_state())
        .map_err(|error| Failure::usage(format!("--seed-file {}: {error}", path.display())))?;
    Ok(document["organizations"][0]["id"]
        .as_str()
        .map(str::to_owned))
}

/// Sends [`Stop::Signal`] on the first Ctrl-C, SIGTERM or SIGHUP; a second one ends the
/// process at once, for a dump that takes too long.
fn install_signal_handler(stops: mpsc::Sender<Stop>) -> Result<(), Failure> {
    signals::on_stop(
        true,
        "fake-server: interrupted again, quitting without the dump",
        move |_| {
            // The receiver lives until the process ends: nothing to do if it is gone.
            let _ = stops.send(Stop::Signal);
        },
    )
    .map_err(Failure::signal_handler)
}

/// Reads stdin on a thread of its own, discarding what comes, and sends
/// [`Stop::StdinClosed`] when it ends (or cannot be read).
fn watch_stdin(stops: mpsc::Sender<Stop>) -> Result<(), Failure> {
    std::thread::Builder::new()
        .name("stdin-watch".into())
        .spawn(move || {
            let mut stdin = io::stdin().lock();
            let mut line = Vec::new();
            while matches!(stdin.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                line.clear();
            }
            let _ = stops.send(Stop::StdinClosed);
        })
        .map(drop)
        .map_err(|error| Failure::usage(format!("cannot watch stdin: {error}")))
}

/// Waits for a reason to stop, forgetting the recorded requests now and then meanwhile.
fn wait_for_stop(stops: &mpsc::Receiver<Stop>, fake: &FakeClerk) -> Stop {
    loop {
        match stops.recv_timeout(FORGET_REQUESTS_EVERY) {
            Ok(why) => return why,
            Err(RecvTimeoutError::Timeout) => fake.clear_requests(),
            // Every sender is gone only if no signal handler could ever send again, which
            // cannot happen: it holds its sender for the life of the process.
            Err(RecvTimeoutError::Disconnected) => return Stop::Signal,
        }
    }
}

/// What a client needs to talk to the server, as printed.
#[derive(Debug)]
struct Settings<'a> {
    /// `http://127.0.0.1:PORT/v1`.
    base_url: &'a str,
    /// The key to send.
    key: &'a str,
    /// The seeded (or first loaded) organization; empty when the seed file has none.
    organization: &'a str,
    /// The other organizations `--orgs` seeded, by id.
    others: &'a [String],
    /// This process, to stop it with `kill`.
    pid: u32,
}

impl Settings<'_> {
    /// The four `NAME=value` lines, each value quoted for a POSIX shell when it needs to be.
    fn lines(&self) -> String {
        let mut lines = vec![
            ("CLERK_API_URL", self.base_url.to_owned()),
            ("CLERK_SECRET_KEY", self.key.to_owned()),
            ("ORG", self.organization.to_owned()),
        ];
        lines.extend(self.others.iter().map(|other| ("ORG", other.clone())));
        lines.push(("FAKE_SERVER_PID", self.pid.to_string()));
        lines
            .iter()
            .map(|(name, value)| format!("{name}={}\n", shell_quote(value)))
            .collect()
    }
}

/// `value` as a POSIX shell word: as it is when every character is one a shell takes
/// literally (so the common values stay easy to read and to cut), else in single quotes.
fn shell_quote(value: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-.,/:@%+=".contains(c);
    if value.chars().all(plain) {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// Prints the settings on stdout and then (on Unix) points stdout at `/dev/null`, so that a
/// reader of the pipe sees it end. A reader already gone is no reason to stop serving: the
/// note on stderr says the same.
fn print_settings(settings: &Settings<'_>) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    let written = out
        .write_all(settings.lines().as_bytes())
        .and_then(|()| out.flush());
    match written {
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => {
            return Err(Failure::output(error));
        }
        _ => {}
    }
    drop(out);
    detach_stdout()
}

/// Replaces stdout with `/dev/null`, closing the pipe or file it was while keeping the
/// descriptor valid for anything that still writes to it.
#[cfg(unix)]
fn detach_stdout() -> Result<(), Failure> {
    let null = File::options()
        .write(true)
        .open("/dev/null")
        .map_err(Failure::output)?;
    nix::unistd::dup2_stdout(&null).map_err(|errno| Failure::output(errno.into()))
}

/// Elsewhere stdout stays open: read the settings up to `FAKE_SERVER_PID`.
#[cfg(not(unix))]
fn detach_stdout() -> Result<(), Failure> {
    Ok(())
}

/// The note on stderr: where it listens, what it holds, how to use and stop it.
fn note(settings: &Settings<'_>, fake: &FakeClerk, args: &FakeServerArgs) -> String {
    let organization = settings.organization;
    let holds = if organization.is_empty() {
        "no organization".to_owned()
    } else {
        let members = fake.memberships(organization).len();
        let s = if members == 1 { "" } else { "s" };
        format!("{organization} with {members} member{s}")
    };
    let source = match &args.seed_file {
        Some(path) => format!(" from {}", path.display()),
        None => String::new(),
    };
    let dump = match &args.dump_on_exit {
        Some(path) => format!("; the state is then written to {}", path.display()),
        None => "; the state is then lost (--dump-on-exit FILE keeps it)".to_owned(),
    };
    let stdin = if args.until_stdin_closes {
        ", or close its stdin"
    } else {
        ""
    };
    let org_arg = if organization.is_empty() {
        "ORG".to_owned()
    } else {
        shell_quote(organization)
    };
    format!(
        "fake-server: an in-memory Clerk on {url}, holding {holds}{source}\n\
         In another shell:\n  \
           export CLERK_API_URL={url} CLERK_SECRET_KEY={key}\n  \
           clerk-memberships list --org {org_arg}\n\
         Stop it with Ctrl-C or `kill {pid}`{stdin}{dump}.\n",
        url = shell_quote(settings.base_url),
        key = shell_quote(settings.key),
        pid = settings.pid,
    )
}

/// Writes the dump next to `path` and renames it into place, so that `path` holds either
/// its old content or the whole new state, never a part of it.
fn write_dump(path: &Path, state: &str) -> Result<(), Failure> {
    let failed = |error: io::Error| {
        Failure::usage(format!(
            "cannot write --dump-on-exit {}: {error}",
            path.display()
        ))
    };
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = PathBuf::from(temporary);
    let written = File::create(&temporary)
        .and_then(|mut file| {
            file.write_all(state.as_bytes())?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, path));
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(failed(error));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_stay_bare_and_others_are_single_quoted() {
        assert_eq!(
            shell_quote("http://127.0.0.1:8787/v1"),
            "http://127.0.0.1:8787/v1"
        );
        assert_eq!(shell_quote("sk_test_fake"), "sk_test_fake");
        assert_eq!(shell_quote("org a"), "'org a'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("$HOME"), "'$HOME'");
        assert_eq!(shell_quote(""), "");
    }

    #[test]
    fn settings_are_four_name_value_lines_ending_with_the_pid() {
        let settings = Settings {
            base_url: "http://127.0.0.1:8787/v1",
            key: "sk_test_fake",
            organization: "org_acme",
            others: &[],
            pid: 42,
        };
        assert_eq!(
            settings.lines(),
            "CLERK_API_URL=http://127.0.0.1:8787/v1\n\
             CLERK_SECRET_KEY=sk_test_fake\n\
             ORG=org_acme\n\
             FAKE_SERVER_PID=42\n"
        );
    }

    #[test]
    fn keys_the_client_refuses_are_refused() {
        assert_eq!(parse_key("sk_live_x"), Ok("sk_live_x".to_owned()));
        assert!(parse_key("pk_test_x").is_err());
        assert!(parse_key("sk_test_").is_err());
    }

    #[test]
    fn the_seed_is_one_admin_and_members() {
        let fake = FakeClerk::new();
        let organization = seed(&fake, 3).expect("seeded");
        let members = fake.memberships(&organization);
        assert_eq!(members.len(), 3);
        let admins: Vec<_> = members
            .iter()
            .filter(|member| member.role == "org:admin")
            .filter_map(|member| member.identifier())
            .collect();
        assert_eq!(admins, ["user0@example.com"]);
    }
}
