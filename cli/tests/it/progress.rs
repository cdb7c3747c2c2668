//! Progress where no bar is drawn (stderr not a terminal, as in a CI log): a plain line every
//! so often, of a fixed shape, and none under `--quiet`.

use std::time::Duration;

use crate::support::{ORG, PROGRESS_INTERVAL, cli, invitations_server, serve, text};
use clerk_memberships::SystemClock;
use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeServer, FakeUser};

/// How many users the roster adds.
const NEW_USERS: usize = 10;

/// Acme on the real clock, each request taking `latency`, with Ann its admin and `members`
/// example members, and [`NEW_USERS`] users who are not members yet.
fn slow_acme(latency: Duration, members: usize) -> FakeServer {
    let fake = FakeClerk::with_clock(SystemClock);
    fake.add_organization(FakeOrganization::new("Acme").id(ORG));
    fake.add_example_members(ORG, members).expect("seed");
    for i in 0..NEW_USERS {
        fake.add_user(FakeUser::new(format!("New{i}"), "Example").id(format!("user_new{i:02}")));
    }
    fake.latency(latency);
    serve(&fake)
}

/// Adds every new user, one change at a time, printing a progress line every 50 ms; a run
/// of at least 10 × 100 ms.
fn apply(server: &FakeServer, extra: &[&str]) -> (Option<i32>, String) {
    let mut roster = String::from("user_id,role\n");
    for i in 0..NEW_USERS {
        roster.push_str(&format!("user_new{i:02},org:member\n"));
    }
    let out = cli(server)
        .env(PROGRESS_INTERVAL, "50ms")
        .args(["sync", "--org", ORG, "-", "--apply", "--workers", "1"])
        .args(extra)
        .write_stdin(roster)
        .output()
        .expect("the binary runs");
    (out.status.code(), text(&out.stderr))
}

/// Whether `line` reads `applied N/10, F failed, R/s`.
fn is_apply_line(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("applied ") else {
        return false;
    };
    let Some((done, rest)) = rest.split_once(&format!("/{NEW_USERS}, ")) else {
        return false;
    };
    let Some((failed, rate)) = rest.split_once(" failed, ") else {
        return false;
    };
    number(done) && number(failed) && rate.strip_suffix("/s").is_some_and(self::rate)
}

/// Whether `line` reads `listed N members, R/s`.
fn is_list_line(line: &str) -> bool {
    is_listed_line(line, "members")
}

/// Whether `line` reads `listed N {what}, R/s`.
fn is_listed_line(line: &str, what: &str) -> bool {
    line.strip_prefix("listed ")
        .and_then(|rest| rest.split_once(&format!(" {what}, ")))
        .is_some_and(|(listed, per)| number(listed) && per.strip_suffix("/s").is_some_and(rate))
}

fn number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// A rate: a whole number, or one decimal below 10 (`0.4`).
fn rate(text: &str) -> bool {
    number(text)
        || text
            .split_once('.')
            .is_some_and(|(whole, tenth)| number(whole) && tenth.len() == 1 && number(tenth))
}

#[test]
fn apply_without_a_terminal_prints_a_plain_progress_line_every_interval() {
    let server = slow_acme(Duration::from_millis(100), 1);
    let (code, stderr) = apply(&server, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|line| is_apply_line(line)).collect();
    assert!(!lines.is_empty(), "no progress line in:\n{stderr}");
    assert!(
        stderr.lines().all(is_apply_line),
        "only progress lines on stderr:\n{stderr}"
    );
    assert!(lines.iter().all(|line| line.contains(", 0 failed, ")));
}

#[test]
fn quiet_prints_no_progress_line() {
    let server = slow_acme(Duration::from_millis(100), 1);
    let (code, stderr) = apply(&server, &["--quiet"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn list_all_without_a_terminal_prints_a_plain_progress_line_every_interval() {
    // 1,500 members: 3 pages of 500 and 100 ms each, besides the first request.
    let server = slow_acme(Duration::from_millis(100), 1500);
    let list = |extra: &[&str]| {
        cli(&server)
            .env(PROGRESS_INTERVAL, "50ms")
            .args(["list", "--org", ORG, "--all", "--format", "jsonl"])
            .args(extra)
            .output()
            .expect("the binary runs")
    };
    let out = list(&[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout).lines().count(), 1500);
    let stderr = text(&out.stderr);
    assert!(
        stderr.lines().any(is_list_line),
        "no progress line in:\n{stderr}"
    );
    assert!(stderr.lines().all(is_list_line), "{stderr}");
    assert!(
        stderr
            .lines()
            .last()
            .is_some_and(|last| last.starts_with("listed 1500 members, ")),
        "the last line has the final count: {stderr}"
    );

    let quiet = list(&["--quiet"]);
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(text(&quiet.stderr), "");
}

#[test]
fn invitations_list_all_without_a_terminal_prints_a_plain_progress_line_every_interval() {
    // 1,500 invitations: 3 pages of 500 and 100 ms each.
    let server = invitations_server(1500, 500, Duration::from_millis(100));
    let list = |extra: &[&str]| {
        crate::support::invitations_list_all(&server.base_url(), "jsonl")
            .env(PROGRESS_INTERVAL, "50ms")
            .args(extra)
            .output()
            .expect("the binary runs")
    };
    let is_line = |line: &str| is_listed_line(line, "invitations");
    let out = list(&[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout).lines().count(), 1500);
    let stderr = text(&out.stderr);
    assert!(
        stderr.lines().any(is_line),
        "no progress line in:\n{stderr}"
    );
    assert!(stderr.lines().all(is_line), "{stderr}");

    let quiet = list(&["--quiet"]);
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(text(&quiet.stderr), "");
}

/// On a terminal, `list --all` draws its spinner on stderr while its table goes to stdout:
/// the spinner is taken off before each page's rows, so no row or header shares a line with
/// it (the screen, read as a terminal shows it: each line as it stands after its last
/// carriage return).
#[test]
fn on_a_terminal_the_spinner_never_shares_a_line_with_the_table() {
    let server = slow_acme(Duration::from_millis(150), 1200);
    let args = format!("list --org {ORG} --all --format table --rate-limit off");
    let Some((code, screen)) = crate::support::terminal_screen(&server, &args, "") else {
        crate::support::skip_without("util-linux `script` (a terminal)");
        return;
    };
    assert_eq!(code, 0, "{screen}");
    // The terminal ends each line with "\r\n"; a lone "\r" goes back over the line.
    let shown: Vec<String> = screen
        .replace("\r\n", "\n")
        .split('\n')
        .map(|line| {
            let last = line.rsplit('\r').next().unwrap_or("");
            // Without the escape sequences a terminal acts on (clear line, colours).
            let mut plain = String::new();
            let mut chars = last.chars();
            while let Some(c) = chars.next() {
                if c == '\u{1b}' {
                    for c in chars.by_ref() {
                        if c.is_ascii_alphabetic() {
                            break;
                        }
                    }
                } else {
                    plain.push(c);
                }
            }
            plain
        })
        .collect();
    let rows: Vec<&String> = shown
        .iter()
        .filter(|line| line.contains("USER_ID") || line.contains("@example.com"))
        .collect();
    assert_eq!(rows.len(), 1201, "the header and 1,200 rows:\n{screen:?}");
    for row in rows {
        assert!(
            row.starts_with("USER_ID") || row.starts_with("user_"),
            "a row drawn after the spinner: {row:?}"
        );
    }
}
