//! An offline Clerk over HTTP: the crate's in-memory fake, seeded and served on loopback, for
//! any program in any language to talk to.
//!
//! ```sh
//! cargo run --example fake-clerk --features fake-server -- --members 1200 --port 8787
//! ```
//!
//! It prints the base URL, the secret key to use and the seeded organization's id, then
//! serves until the process is interrupted (Ctrl-C). Options:
//!
//! - `--members N`: seed one organization with N members (default 100; the first is an
//!   admin), users `user{i}@example.com` with external ids `hr-{i}`.
//! - `--port P`: the loopback port (default 0: a free one, printed).
//! - `--state FILE`: seed from a state document instead (see `FakeClerk::dump_state`);
//!   `--members` is then ignored.
//! - `--require-key KEY`: accept only this secret key (default: any `sk_…` key).

use std::process::ExitCode;

use clerk_memberships::SystemClock;
use clerk_memberships::testing::{FakeClerk, FakeOrganization, ServeOptions};

struct Args {
    members: usize,
    port: u16,
    state: Option<String>,
    require_key: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        members: 100,
        port: 0,
        state: None,
        require_key: None,
    };
    let mut rest = std::env::args().skip(1);
    while let Some(flag) = rest.next() {
        let mut value = || rest.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--members" => {
                args.members = value()?
                    .parse()
                    .map_err(|_| "--members needs a number".to_owned())?;
            }
            "--port" => {
                args.port = value()?
                    .parse()
                    .map_err(|_| "--port needs a port number".to_owned())?;
            }
            "--state" => args.state = Some(value()?),
            "--require-key" => args.require_key = Some(value()?),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("fake-clerk: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let fake = FakeClerk::with_clock(SystemClock);
    let organization = match &args.state {
        Some(path) => {
            fake.load_state(&std::fs::read_to_string(path)?)?;
            let document: serde_json::Value = serde_json::from_str(&fake.dump_state())?;
            document["organizations"][0]["id"]
                .as_str()
                .unwrap_or("(none)")
                .to_owned()
        }
        None => seed(&fake, args.members)?,
    };
    let key = match args.require_key {
        Some(key) => {
            fake.require_secret_key(key.clone());
            key
        }
        None => FakeClerk::SECRET_KEY.to_owned(),
    };
    let server = ServeOptions::new().serve(&fake, ("127.0.0.1", args.port))?;
    println!("base URL:        {}", server.base_url());
    println!("secret key:      {key}");
    println!("organization id: {organization}");
    eprintln!("serving until interrupted (Ctrl-C)");
    loop {
        std::thread::park();
    }
}

/// One organization with `members` members: the first an admin, the others members.
fn seed(fake: &FakeClerk, members: usize) -> Result<String, Box<dyn std::error::Error>> {
    let organization = fake.add_organization(FakeOrganization::new("Acme Corp"));
    fake.add_example_members(&organization, members)?;
    Ok(organization)
}
