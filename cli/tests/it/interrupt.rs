//! `sync --apply` stopped by a signal: the changes under way finish, no new one starts, the
//! report is printed and the exit code names the signal; a second signal quits at once.
// Unix: the binary is sent signals as `kill` sends them.
#![cfg(unix)]

use std::process::{Child, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::{ORG, cli, serve, spawnable, text};
use clerk_memberships::Operation;
use clerk_memberships::SystemClock;
use clerk_memberships::testing::{
    FakeClerk, FakeOrganization, FakeServer, FakeUser, Fault, FaultScope,
};
use nix::sys::signal::{self, Signal};
use nix::unistd::Pid;

/// How many users the roster adds, one at a time.
const NEW_USERS: usize = 20;

/// The longest a test waits for the binary to get somewhere, before it gives up.
const PATIENCE: Duration = Duration::from_secs(60);

/// Acme with Ann as its admin and [`NEW_USERS`] users to add, on the real clock, each request
/// taking 200 ms: an apply with one worker takes seconds, and a signal lands in the middle.
fn slow_acme() -> FakeServer {
    let fake = FakeClerk::with_clock(SystemClock);
    fake.add_organization(FakeOrganization::new("Acme").id(ORG));
    let ann = fake.add_user(FakeUser::new("Ann", "Example").id("user_ann"));
    fake.add_membership(ORG, &ann, "org:admin").expect("seed");
    for i in 0..NEW_USERS {
        fake.add_user(FakeUser::new(format!("New{i}"), "Example").id(format!("user_new{i:02}")));
    }
    fake.latency(Duration::from_millis(200));
    serve(&fake)
}

/// The roster: Ann stays the admin, every new user becomes a member.
fn roster_file(test: &str) -> String {
    let mut roster = String::from("user_id,role\nuser_ann,org:admin\n");
    for i in 0..NEW_USERS {
        roster.push_str(&format!("user_new{i:02},org:member\n"));
    }
    let path =
        std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("interrupt-{test}.csv"));
    std::fs::write(&path, roster).expect("write the roster");
    path.to_string_lossy().into_owned()
}

/// How many creates the fake has received.
fn creates(server: &FakeServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|request| request.operation() == Operation::Create)
        .count()
}

/// Starts `sync --apply --workers 1`, waits until the fake has received 3 creates, sends
/// `signals` one after the other, and returns what the binary printed and how it ended.
fn interrupted_apply(server: &FakeServer, test: &str, signals: &[Signal]) -> Output {
    let roster = roster_file(test);
    let child = spawnable(server.base_url())
        .args(["sync", "--org", ORG, &roster, "--apply", "--workers", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the binary");
    let child = Running(Some(child));
    let started = Instant::now();
    while creates(server) < 3 {
        assert!(started.elapsed() < PATIENCE, "the apply never got going");
        thread::sleep(Duration::from_millis(10));
    }
    let pid = Pid::from_raw(i32::try_from(child.id()).expect("a pid"));
    for &sent in signals {
        signal::kill(pid, sent).expect("send the signal");
    }
    child.wait()
}

/// A child that is killed if the test fails before it ends.
struct Running(Option<Child>);

impl Running {
    fn id(&self) -> u32 {
        self.0.as_ref().expect("running").id()
    }

    /// Waits for the child to end, at most [`PATIENCE`].
    fn wait(mut self) -> Output {
        let started = Instant::now();
        loop {
            let child = self.0.as_mut().expect("running");
            if child.try_wait().expect("poll the child").is_some() {
                break;
            }
            assert!(started.elapsed() < PATIENCE, "the binary did not stop");
            thread::sleep(Duration::from_millis(10));
        }
        self.0
            .take()
            .expect("running")
            .wait_with_output()
            .expect("read the output")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Checks the report of an apply stopped by `name`: some changes applied, the others not
/// started, a summary, and the line on stderr. Returns how many were applied.
fn check_stopped_report(out: &Output, name: &str) -> usize {
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    let applied = stdout.matches(" => applied\n").count();
    let not_started = stdout
        .matches(" => skipped (not started: the apply was cancelled)\n")
        .count();
    assert!(applied >= 3, "{stdout}");
    assert!(not_started >= 1, "{stdout}");
    assert_eq!(applied + not_started, NEW_USERS, "{stdout}");
    assert!(
        stdout.ends_with(&format!(
            "result: {applied} applied, 0 already done, {not_started} skipped, 0 failed, \
             0 unknown, 0 unresolved\n"
        )),
        "{stdout}"
    );
    assert!(
        stderr.contains(&format!(
            "clerk-memberships: {name}: finishing the changes under way, starting no more"
        )),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(&format!(
            "clerk-memberships: error: sync interrupted by {name}: {not_started} changes not \
             started; run sync again to make what is left\n"
        )),
        "{stderr}"
    );
    applied
}

#[test]
fn sigint_during_apply_prints_the_report_exits_130_and_a_rerun_finishes_the_job() {
    let server = slow_acme();
    let out = interrupted_apply(&server, "sigint", &[Signal::SIGINT]);
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    let applied = check_stopped_report(&out, "SIGINT");
    assert_eq!(creates(&server), applied, "every create sent was reported");
    assert_eq!(server.memberships(ORG).len(), 1 + applied);

    // Run again: what was left is made, and no create is sent twice.
    let again = cli(&server)
        .args(["sync", "--org", ORG, &roster_file("sigint"), "--apply"])
        .output()
        .expect("the binary runs");
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(
        text(&again.stdout).matches(" => applied\n").count(),
        NEW_USERS - applied
    );
    assert_eq!(
        creates(&server),
        NEW_USERS,
        "one create per new member, over both runs"
    );
    assert_eq!(server.memberships(ORG).len(), 1 + NEW_USERS);
}

#[test]
fn sigterm_during_apply_prints_the_report_and_exits_143() {
    let server = slow_acme();
    let out = interrupted_apply(&server, "sigterm", &[Signal::SIGTERM]);
    assert_eq!(out.status.code(), Some(143), "{}", text(&out.stderr));
    let applied = check_stopped_report(&out, "SIGTERM");
    assert_eq!(creates(&server), applied);
}

#[test]
fn a_second_signal_quits_at_once_with_130() {
    let server = slow_acme();
    // Two different signals: two of the same, sent at once, may arrive as one.
    let out = interrupted_apply(&server, "twice", &[Signal::SIGTERM, Signal::SIGINT]);
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.ends_with(
            "clerk-memberships: interrupted again, quitting at once; run sync again without \
             --apply to see what is left\n"
        ),
        "{stderr}"
    );
    assert!(creates(&server) < NEW_USERS);
}

#[test]
fn a_failed_change_wins_over_the_signal_with_exit_5() {
    let server = slow_acme();
    server.inject_with(
        Fault::ServerError { status: 400 },
        FaultScope::default().only(Operation::Create),
    );
    let out = interrupted_apply(&server, "failed", &[Signal::SIGINT]);
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.matches(" => failed: ").count(), 1, "{stdout}");
    assert!(stdout.contains(" => skipped (not started: the apply was cancelled)\n"));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("clerk-memberships: error: sync incomplete (1 failed, "),
        "{stderr}"
    );
    assert!(
        stderr.contains(" not made, interrupted by SIGINT); run sync again"),
        "{stderr}"
    );
}

#[test]
fn help_lists_the_exit_codes_of_a_signal() {
    for args in [&["--help"][..], &["sync", "--help"][..]] {
        let out = crate::support::bare_cli()
            .args(args)
            .output()
            .expect("the binary runs");
        let help = text(&out.stdout);
        for needle in [
            "130  ",
            "stopped by SIGINT (Ctrl-C)",
            "143  ",
            "stopped by SIGTERM",
        ] {
            assert!(help.contains(needle), "{needle:?} in {args:?}:\n{help}");
        }
    }
}
