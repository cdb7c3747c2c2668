//! `clerk-memberships fake-server` as its users run it: a child process whose printed settings
//! the binary's own commands use, stopped by a signal or the end of its stdin.
// Unix: the server is stopped with a signal. The command exists only with the feature.
#![cfg(all(unix, feature = "fake-server"))]

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use clerk_memberships::OrganizationMembership;
use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
use nix::sys::signal::{self, Signal};
use nix::unistd::Pid;
use serde_json::json;

use crate::support::text;

/// The names of the settings, in the order they are printed.
const SETTINGS: [&str; 4] = [
    "CLERK_API_URL",
    "CLERK_SECRET_KEY",
    "ORG",
    "FAKE_SERVER_PID",
];

/// A running `fake-server`. Dropping it kills the process, so a failing test leaves none
/// behind; [`stop`](Self::stop) ends it with a signal instead, as people do.
struct Served {
    child: Option<Child>,
    stdout: BufReader<ChildStdout>,
    settings: HashMap<String, String>,
    /// Every `ORG=` line's value, in the order printed.
    orgs: Vec<String>,
}

impl Served {
    /// Starts `fake-server ARGS` with no environment and stdin from `/dev/null`.
    fn start(args: &[&str]) -> Served {
        Served::start_with_stdin(args, Stdio::null()).0
    }

    /// Starts `fake-server ARGS` and reads its settings: the stdout lines up to
    /// `FAKE_SERVER_PID`, which the server prints once it listens. Returns the server and its
    /// stdin, if `stdin` was a pipe.
    fn start_with_stdin(args: &[&str], stdin: Stdio) -> (Served, Option<ChildStdin>) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_clerk-memberships"))
            .arg("fake-server")
            .args(args)
            .env_clear()
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start clerk-memberships fake-server");
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let stdin = child.stdin.take();
        let mut served = Served {
            child: Some(child),
            stdout,
            settings: HashMap::new(),
            orgs: Vec::new(),
        };
        while !served.settings.contains_key("FAKE_SERVER_PID") {
            let mut line = String::new();
            let read = served.stdout.read_line(&mut line).expect("read stdout");
            if read == 0 {
                let (status, stderr) = served.wait();
                panic!("fake-server ended ({status}) before its settings:\n{stderr}");
            }
            let (name, value) = line
                .trim_end()
                .split_once('=')
                .unwrap_or_else(|| panic!("not NAME=value: {line:?}"));
            if name == "ORG" {
                served.orgs.push(value.to_owned());
                if served.settings.contains_key("ORG") {
                    continue; // `ORG` is the first one
                }
            }
            served.settings.insert(name.to_owned(), value.to_owned());
        }
        (served, stdin)
    }

    /// A printed setting.
    fn setting(&self, name: &str) -> &str {
        self.settings
            .get(name)
            .unwrap_or_else(|| panic!("no {name} in {:?}", self.settings))
    }

    /// The organization the server printed.
    fn org(&self) -> &str {
        self.setting("ORG")
    }

    /// The binary, configured with the printed URL and key only.
    fn cli(&self) -> assert_cmd::Command {
        let mut command = crate::support::bare_cli();
        command
            .env("CLERK_API_URL", self.setting("CLERK_API_URL"))
            .env("CLERK_SECRET_KEY", self.setting("CLERK_SECRET_KEY"));
        command
    }

    /// `list ARGS --org ORG --format jsonl`, which must succeed, as memberships.
    fn list(&self, args: &[&str]) -> Vec<OrganizationMembership> {
        let output = self
            .cli()
            .args(["list", "--org", self.org(), "--format", "jsonl"])
            .args(args)
            .output()
            .expect("run list");
        assert!(output.status.success(), "list: {}", text(&output.stderr));
        text(&output.stdout)
            .lines()
            .map(|line| serde_json::from_str(line).expect("a membership per line"))
            .collect()
    }

    /// Sends `signal` (SIGTERM, SIGINT) to the pid the server printed, as `kill` would, and
    /// waits for the end.
    fn stop(mut self, signal: Signal) -> (ExitStatus, String) {
        let pid: i32 = self
            .setting("FAKE_SERVER_PID")
            .parse()
            .expect("a pid is a number");
        signal::kill(Pid::from_raw(pid), signal).expect("send the signal");
        self.wait()
    }

    /// Waits for the process to end and returns its status and stderr.
    fn wait(&mut self) -> (ExitStatus, String) {
        let mut child = self.child.take().expect("not waited for yet");
        let status = child.wait().expect("wait for fake-server");
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            pipe.read_to_string(&mut stderr).expect("read stderr");
        }
        (status, stderr)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// An empty directory of this test's own under the target's scratch space.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("fake_server")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the scratch directory");
    dir
}

/// The system clock in Unix milliseconds.
fn now_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970");
    i64::try_from(since.as_millis()).expect("fits")
}

/// The user ids and emails of a listing.
fn identifiers(members: &[OrganizationMembership]) -> BTreeSet<String> {
    members
        .iter()
        .map(|member| member.identifier().expect("an identifier").to_owned())
        .collect()
}

/// A small state document as a test would write one: `org_acme` with Ann (admin, with
/// metadata) and Bob, and Dave, who is not a member.
fn acme_state() -> String {
    let fake = FakeClerk::new();
    fake.add_organization(FakeOrganization::new("Acme").id("org_acme"));
    for (id, first) in [
        ("user_ann", "Ann"),
        ("user_bob", "Bob"),
        ("user_dave", "Dave"),
    ] {
        fake.add_user(
            FakeUser::new(first, "Example")
                .id(id)
                .email(format!("{}@acme.com", first.to_lowercase()))
                .external_id(format!("hr-{}", &id[5..])),
        );
    }
    fake.add_membership("org_acme", "user_ann", "org:admin")
        .expect("seed Ann");
    fake.add_membership("org_acme", "user_bob", "org:member")
        .expect("seed Bob");
    let state = fake.dump_state();
    // Metadata goes in through the document: seeding sets none.
    let mut document: serde_json::Value = serde_json::from_str(&state).expect("JSON");
    document["organizations"][0]["memberships"][0]["public_metadata"] = json!({"team": "core"});
    // Loaded and dumped again: the document exactly as the fake writes it.
    FakeClerk::from_state(&document.to_string())
        .expect("the document loads")
        .dump_state()
}

#[test]
fn stdout_is_four_settings_then_ends_while_the_server_serves_on() {
    let mut served = Served::start(&["--members", "3"]);
    let mut rest = String::new();
    served
        .stdout
        .read_to_string(&mut rest)
        .expect("stdout reaches its end");
    assert_eq!(rest, "", "nothing after the settings");
    let mut names: Vec<&str> = served.settings.keys().map(String::as_str).collect();
    names.sort_unstable();
    let mut expected = SETTINGS.to_vec();
    expected.sort_unstable();
    assert_eq!(names, expected);

    let url = served.setting("CLERK_API_URL");
    assert!(url.starts_with("http://127.0.0.1:"), "loopback: {url}");
    assert!(url.ends_with("/v1"), "{url}");
    assert_eq!(served.setting("CLERK_SECRET_KEY"), FakeClerk::SECRET_KEY);
    assert!(served.org().starts_with("org_"), "{}", served.org());
    let pid = served.child.as_ref().expect("running").id();
    assert_eq!(served.setting("FAKE_SERVER_PID"), pid.to_string());

    // Still serving with its stdout gone.
    assert_eq!(served.list(&[]).len(), 3);
    let (status, _) = served.stop(Signal::SIGTERM);
    assert!(status.success(), "{status}");
}

#[test]
fn lists_the_seeded_members_then_sigterm_dumps_the_change_made() {
    let dir = scratch("sigterm_dump");
    let dump = dir.join("state.json");
    let before = now_ms();
    let served = Served::start(&[
        "--members",
        "3",
        "--dump-on-exit",
        dump.to_str().expect("UTF-8 path"),
    ]);

    let members = served.list(&[]);
    assert_eq!(
        identifiers(&members),
        BTreeSet::from(
            [
                "user0@example.com",
                "user1@example.com",
                "user2@example.com"
            ]
            .map(String::from)
        )
    );
    for member in &members {
        let expected = if member.identifier() == Some("user0@example.com") {
            "org:admin"
        } else {
            "org:member"
        };
        assert_eq!(member.role, expected, "{:?}", member.identifier());
        // The system clock, not the fake's fixed default.
        assert!(
            (before..=now_ms()).contains(&member.created_at),
            "created_at {} is the time of the run",
            member.created_at
        );
    }
    let user2 = members
        .iter()
        .find(|member| member.identifier() == Some("user2@example.com"))
        .and_then(OrganizationMembership::user_id)
        .expect("user2 listed")
        .to_owned();
    let changed = served
        .cli()
        .args(["set-role", "--org", served.org(), "--user", &user2])
        .args(["--role", "org:admin", "--format", "jsonl"])
        .output()
        .expect("run set-role");
    assert!(changed.status.success(), "{}", text(&changed.stderr));
    assert!(!dump.exists(), "written on exit, not before");

    let org = served.org().to_owned();
    let (status, stderr) = served.stop(Signal::SIGTERM);
    assert!(status.success(), "{status}: {stderr}");
    assert!(stderr.contains("state written to"), "{stderr}");

    let state = std::fs::read_to_string(&dump).expect("the dump was written");
    let reloaded = FakeClerk::from_state(&state).expect("the dump loads");
    let membership = reloaded.membership(&org, &user2).expect("still a member");
    assert_eq!(membership.role, "org:admin");
    assert!(membership.updated_at >= membership.created_at);
    assert_eq!(reloaded.memberships(&org).len(), 3);
}

#[test]
fn sigint_stops_it_too_and_a_seed_file_comes_back_byte_for_byte() {
    let dir = scratch("seed_round_trip");
    let seed = dir.join("seed.json");
    let dump = dir.join("dump.json");
    std::fs::write(&seed, acme_state()).expect("write the seed");
    let served = Served::start(&[
        "--seed-file",
        seed.to_str().expect("UTF-8 path"),
        "--dump-on-exit",
        dump.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(served.org(), "org_acme");
    let members = served.list(&[]);
    assert_eq!(
        identifiers(&members),
        BTreeSet::from(["ann@acme.com".to_owned(), "bob@acme.com".to_owned()])
    );
    let ann = members
        .iter()
        .find(|member| member.user_id() == Some("user_ann"))
        .expect("Ann listed");
    assert_eq!(ann.public_metadata["team"], "core");

    let (status, stderr) = served.stop(Signal::SIGINT);
    assert!(status.success(), "{status}: {stderr}");
    assert_eq!(
        std::fs::read_to_string(&dump).expect("the dump was written"),
        std::fs::read_to_string(&seed).expect("the seed"),
        "nothing changed, so the dump is the seed"
    );
}

#[test]
fn a_change_carries_over_to_the_next_run_through_the_dump() {
    let dir = scratch("next_run");
    let first = dir.join("first.json");
    let second = dir.join("second.json");
    std::fs::write(&first, acme_state()).expect("write the seed");

    let served = Served::start(&[
        "--seed-file",
        first.to_str().expect("UTF-8 path"),
        "--dump-on-exit",
        second.to_str().expect("UTF-8 path"),
    ]);
    let removed = served
        .cli()
        .args(["remove", "--org", "org_acme", "--user", "user_bob", "--yes"])
        .args(["--format", "jsonl"])
        .output()
        .expect("run remove");
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    let added = served
        .cli()
        .args(["add", "--org", "org_acme", "--user", "user_dave"])
        .args(["--role", "org:member", "--format", "jsonl"])
        .output()
        .expect("run add");
    assert!(added.status.success(), "{}", text(&added.stderr));
    let (status, stderr) = served.stop(Signal::SIGTERM);
    assert!(status.success(), "{status}: {stderr}");

    let served = Served::start(&["--seed-file", second.to_str().expect("UTF-8 path")]);
    assert_eq!(
        identifiers(&served.list(&[])),
        BTreeSet::from(["ann@acme.com".to_owned(), "dave@acme.com".to_owned()])
    );
}

#[test]
fn members_seeds_that_many_with_the_first_an_admin() {
    let served = Served::start(&["--members", "1234"]);
    let output = served
        .cli()
        .args(["list", "--org", served.org(), "--all", "--format", "jsonl"])
        .args(["--rate-limit", "off"])
        .output()
        .expect("run list --all");
    assert!(output.status.success(), "{}", text(&output.stderr));
    let lines = text(&output.stdout);
    assert_eq!(lines.lines().count(), 1234, "three pages of up to 500");
    let members: Vec<OrganizationMembership> = lines
        .lines()
        .map(|line| serde_json::from_str(line).expect("a membership per line"))
        .collect();
    let users = identifiers(&members);
    assert_eq!(users.len(), 1234, "every member once");
    assert!(users.contains("user1233@example.com"));

    let admins = served.list(&["--role", "org:admin"]);
    assert_eq!(
        identifiers(&admins),
        BTreeSet::from(["user0@example.com".to_owned()])
    );
}

#[test]
fn members_and_seed_file_cannot_be_given_together() {
    let output = crate::support::bare_cli()
        .args(["fake-server", "--members", "5", "--seed-file", "state.json"])
        .output()
        .expect("run fake-server");
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

#[test]
fn key_makes_the_server_accept_that_key_only() {
    let served = Served::start(&["--members", "2", "--key", "sk_test_only_this"]);
    assert_eq!(served.setting("CLERK_SECRET_KEY"), "sk_test_only_this");
    assert_eq!(served.list(&[]).len(), 2);

    let refused = served
        .cli()
        .env("CLERK_SECRET_KEY", FakeClerk::SECRET_KEY)
        .args(["list", "--org", served.org()])
        .output()
        .expect("run list");
    assert_eq!(refused.status.code(), Some(1));
    let stderr = text(&refused.stderr);
    assert!(stderr.contains("401"), "{stderr}");

    let output = crate::support::bare_cli()
        .args(["fake-server", "--key", "pk_test_public"])
        .output()
        .expect("run fake-server");
    assert_eq!(
        output.status.code(),
        Some(2),
        "a key the client would refuse"
    );
}

#[test]
fn until_stdin_closes_stops_and_dumps_when_stdin_ends() {
    let dir = scratch("stdin_closes");
    let dump = dir.join("state.json");
    let (mut served, stdin) = Served::start_with_stdin(
        &[
            "--members",
            "2",
            "--until-stdin-closes",
            "--dump-on-exit",
            dump.to_str().expect("UTF-8 path"),
        ],
        Stdio::piped(),
    );
    assert_eq!(served.list(&[]).len(), 2);
    drop(stdin.expect("stdin is piped"));
    let (status, stderr) = served.wait();
    assert!(status.success(), "{status}: {stderr}");
    assert!(stderr.contains("stdin closed"), "{stderr}");
    let state = std::fs::read_to_string(&dump).expect("the dump was written");
    assert_eq!(
        FakeClerk::from_state(&state)
            .expect("the dump loads")
            .memberships(served.org())
            .len(),
        2
    );
}

#[test]
fn port_is_the_one_asked_for_and_a_taken_one_is_a_usage_error() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let port = taken.local_addr().expect("its address").port().to_string();
    let output = crate::support::bare_cli()
        .args(["fake-server", "--port", &port])
        .output()
        .expect("run fake-server");
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );

    drop(taken);
    let served = Served::start(&["--members", "1", "--port", &port]);
    assert_eq!(
        served.setting("CLERK_API_URL"),
        format!("http://127.0.0.1:{port}/v1")
    );
    assert_eq!(served.list(&[]).len(), 1);
}

#[test]
fn an_unusable_seed_file_or_dump_directory_is_refused_before_serving() {
    let dir = scratch("refused");
    let not_json = dir.join("not.json");
    std::fs::write(&not_json, "{ no").expect("write");
    let missing = dir.join("missing.json");
    let no_directory = dir.join("no-such-directory").join("state.json");
    for (args, expected) in [
        (
            vec!["--seed-file", missing.to_str().expect("UTF-8")],
            "cannot read --seed-file",
        ),
        (
            vec!["--seed-file", not_json.to_str().expect("UTF-8")],
            "--seed-file",
        ),
        (
            vec!["--dump-on-exit", no_directory.to_str().expect("UTF-8")],
            "does not exist",
        ),
        (
            vec!["--dump-on-exit", dir.to_str().expect("UTF-8")],
            "is a directory; name a file in it",
        ),
    ] {
        let output = crate::support::bare_cli()
            .arg("fake-server")
            .args(&args)
            .output()
            .expect("run fake-server");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(text(&output.stdout), "", "no settings for {args:?}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn org_is_the_smallest_id_so_a_restart_from_the_dump_prints_the_same() {
    let dir = scratch("org_order");
    let seed = dir.join("seed.json");
    let dump = dir.join("dump.json");
    // Hand-written, the organizations out of order.
    std::fs::write(
        &seed,
        r#"{"format": "clerk-memberships/fake-state", "version": 1,
            "organizations": [{"id": "org_zeta", "name": "Zeta"}, {"id": "org_alpha", "name": "Alpha"}]}"#,
    )
    .expect("write the seed");
    let served = Served::start(&[
        "--seed-file",
        seed.to_str().expect("UTF-8 path"),
        "--dump-on-exit",
        dump.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(served.setting("ORG"), "org_alpha");
    let (status, stderr) = served.stop(Signal::SIGTERM);
    assert!(status.success(), "{status}: {stderr}");
    let again = Served::start(&["--seed-file", dump.to_str().expect("UTF-8 path")]);
    assert_eq!(again.setting("ORG"), "org_alpha");
}

#[test]
fn roles_sets_the_instances_roles_which_writes_and_dumps_follow() {
    let dir = scratch("roles");
    let dump = dir.join("state.json");
    let served = Served::start(&[
        "--members",
        "2",
        "--roles",
        "org:admin,org:member,org:billing",
        "--dump-on-exit",
        dump.to_str().expect("UTF-8 path"),
    ]);
    let members = served.list(&[]);
    let user = members
        .iter()
        .find(|member| member.role == "org:member")
        .and_then(OrganizationMembership::user_id)
        .expect("a member")
        .to_owned();
    let set_role = |role: &str| {
        served
            .cli()
            .args(["set-role", "--org", served.org(), "--user", &user])
            .args(["--role", role, "--format", "jsonl"])
            .output()
            .expect("run set-role")
    };
    let billing = set_role("org:billing");
    assert!(billing.status.success(), "{}", text(&billing.stderr));
    let refused = set_role("org:owner");
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    assert!(
        text(&refused.stderr).contains("(its roles: org:admin, org:billing, org:member)"),
        "{}",
        text(&refused.stderr)
    );

    let org = served.org().to_owned();
    let (status, stderr) = served.stop(Signal::SIGTERM);
    assert!(status.success(), "{status}: {stderr}");
    let reloaded = FakeClerk::from_state(&std::fs::read_to_string(&dump).expect("dumped"))
        .expect("the dump loads");
    assert_eq!(reloaded.roles(), ["org:admin", "org:billing", "org:member"]);
    assert_eq!(
        reloaded.membership(&org, &user).expect("a member").role,
        "org:billing"
    );
}

#[test]
fn roles_replaces_the_seed_files_roles_and_refuses_an_empty_one() {
    let dir = scratch("roles_seed");
    let seed = dir.join("seed.json");
    std::fs::write(
        &seed,
        r#"{"format": "clerk-memberships/fake-state", "version": 1,
            "users": [{"id": "user_ann"}],
            "organizations": [{"id": "org_acme", "name": "Acme"}]}"#,
    )
    .expect("write the seed");
    let served = Served::start(&[
        "--seed-file",
        seed.to_str().expect("UTF-8 path"),
        "--roles",
        "org:owner",
    ]);
    let added = served
        .cli()
        .args(["add", "--org", "org_acme", "--user", "user_ann"])
        .args(["--role", "org:owner", "--format", "jsonl"])
        .output()
        .expect("run add");
    assert!(added.status.success(), "{}", text(&added.stderr));
    let refused = served
        .cli()
        .args(["set-role", "--org", "org_acme", "--user", "user_ann"])
        .args(["--role", "org:admin"])
        .output()
        .expect("run set-role");
    assert_eq!(
        refused.status.code(),
        Some(2),
        "org:admin is not a role any more"
    );
    let (status, _) = served.stop(Signal::SIGTERM);
    assert!(status.success());

    let empty = crate::support::bare_cli()
        .args([
            "fake-server",
            "--members",
            "1",
            "--roles",
            "org:admin,,org:member",
        ])
        .output()
        .expect("run fake-server");
    assert_eq!(empty.status.code(), Some(2));
    assert!(
        text(&empty.stderr).contains("--roles: a role must not be empty"),
        "{}",
        text(&empty.stderr)
    );

    // A role that is not `org:` and a name, and a set without the example members' roles,
    // are refused before anything is served.
    for (roles, says) in [
        ("org:admin,admin,org:member", "admin is not a role key"),
        (
            "org:member,org:viewer",
            "the example members hold org:admin and org:member; keep org:admin",
        ),
    ] {
        let refused = crate::support::bare_cli()
            .args(["fake-server", "--members", "2", "--roles", roles])
            .output()
            .expect("run fake-server");
        assert_eq!(refused.status.code(), Some(2), "{roles}");
        assert!(
            text(&refused.stderr).contains(says),
            "{roles}: {}",
            text(&refused.stderr)
        );
    }
}

#[test]
fn orgs_seeds_that_many_organizations_prints_each_and_dumps_them_all() {
    let dir = scratch("orgs");
    let dump = dir.join("state.json");
    let served = Served::start(&[
        "--orgs",
        "3",
        "--members",
        "2",
        "--dump-on-exit",
        dump.to_str().expect("UTF-8 path"),
    ]);
    let orgs = served.orgs.clone();
    assert_eq!(orgs.len(), 3, "one ORG= line per organization");
    let mut sorted = orgs.clone();
    sorted.sort();
    assert_eq!(orgs, sorted, "by id");
    assert_eq!(served.org(), orgs[0], "ORG is the first, as without --orgs");
    assert_eq!(
        identifiers(&served.list(&[])),
        BTreeSet::from(["user0@example.com", "user1@example.com"].map(String::from))
    );
    let (status, stderr) = served.stop(Signal::SIGTERM);
    assert!(status.success(), "{status}: {stderr}");

    let state = std::fs::read_to_string(&dump).expect("the dump was written");
    let reloaded = FakeClerk::from_state(&state).expect("the dump loads");
    for org in &orgs {
        assert_eq!(reloaded.memberships(org).len(), 2, "{org}");
    }
    let third = reloaded.memberships(&orgs[2]);
    assert_eq!(
        identifiers(&third),
        BTreeSet::from(["user0@org3.example.com", "user1@org3.example.com"].map(String::from))
    );
    assert_eq!(third[0].organization.slug, "org-3");
}
