//! Runs the `clerk-memberships` binary against the library's fake Clerk served on loopback.
//! For servers that do not behave like the fake, tests use `httpmock`, or the library tests'
//! raw loopback server ([`server`]) for what `httpmock` cannot do.

/// The library tests' scriptable loopback server, shared rather than written twice.
#[allow(dead_code)] // the CLI's tests use a part of it
#[path = "../../../../tests/it/support/server.rs"]
pub mod server;

use std::time::Duration;

use assert_cmd::Command;
use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeServer, FakeUser, ServeOptions};

/// The small organization most tests use: `org_acme` ("Acme") with Ann (admin), Bob and Cara
/// (members), and Dave, a user who is not a member.
pub const ORG: &str = "org_acme";

/// A served fake seeded with [`ORG`]. Its clock is manual, so every timestamp is
/// 1778544000000 (2026-05-12T00:00:00.000Z) and the output is the same on every run.
pub fn acme() -> FakeServer {
    let fake = FakeClerk::new();
    fake.add_organization(FakeOrganization::new("Acme").id(ORG));
    for (id, first, email, role) in [
        ("user_ann", "Ann", "ann@acme.com", Some("org:admin")),
        ("user_bob", "Bob", "bob@acme.com", Some("org:member")),
        ("user_cara", "Cara", "cara@acme.com", Some("org:member")),
        ("user_dave", "Dave", "dave@acme.com", None),
    ] {
        let user = fake.add_user(
            FakeUser::new(first, "Example")
                .id(id)
                .email(email)
                .external_id(format!("hr-{}", &id[5..])),
        );
        if let Some(role) = role {
            fake.add_membership(ORG, &user, role)
                .expect("seed membership");
        }
    }
    serve(&fake)
}

/// `fake` served on a free loopback port.
pub fn serve(fake: &FakeClerk) -> FakeServer {
    ServeOptions::new()
        .serve(fake, "127.0.0.1:0")
        .expect("serve the fake on loopback")
}

/// The binary, pointed at `server` with the fake's key in `CLERK_SECRET_KEY`, with no
/// inherited Clerk settings or `NO_COLOR`, and no progress lines (however slow the machine,
/// stderr holds only what the test looks for; tests of the lines set the interval).
pub fn cli(server: &FakeServer) -> Command {
    let mut command = Command::cargo_bin("clerk-memberships").expect("the binary is built");
    command
        .env_clear()
        .env("CLERK_SECRET_KEY", FakeClerk::SECRET_KEY)
        .env("CLERK_API_URL", server.base_url())
        .env(PROGRESS_INTERVAL, "0");
    command
}

/// The variable that sets how often a progress line is printed where no bar is drawn.
pub const PROGRESS_INTERVAL: &str = "CLERK_MEMBERSHIPS_PROGRESS_INTERVAL";

/// The binary as a `std::process::Command` to spawn (for a test that reads its output while
/// it runs, or gives it other stdio), pointed at `base_url` with the fake's key, and no
/// progress lines as for [`cli`].
pub fn spawnable(base_url: &str) -> std::process::Command {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("clerk-memberships"));
    command
        .env_clear()
        .env("CLERK_SECRET_KEY", FakeClerk::SECRET_KEY)
        .env("CLERK_API_URL", base_url)
        .env(PROGRESS_INTERVAL, "0");
    command
}

/// `invitations list --org ORG --all --format FORMAT --rate-limit off` against `base_url`, as
/// [`spawnable`] makes it.
pub fn invitations_list_all(base_url: &str, format: &str) -> std::process::Command {
    let mut command = spawnable(base_url);
    command
        .args([
            "invitations",
            "list",
            "--org",
            ORG,
            "--all",
            "--format",
            format,
        ])
        .args(["--rate-limit", "off"]);
    command
}

/// The binary with no configuration at all.
pub fn bare_cli() -> Command {
    let mut command = Command::cargo_bin("clerk-memberships").expect("the binary is built");
    command.env_clear();
    command
}

/// The output of a finished command as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("output is UTF-8")
}

/// Runs the binary and returns (exit code, stdout, stderr).
pub fn run(command: &mut Command) -> (i32, String, String) {
    let output = command.output().expect("the binary runs");
    (
        output.status.code().expect("exited, not killed"),
        text(&output.stdout),
        text(&output.stderr),
    )
}

/// `sync --org org_acme -` with `args` after it and `roster` on stdin.
pub fn sync(server: &FakeServer, roster: &str, args: &[&str]) -> std::process::Output {
    cli(server)
        .args(["sync", "--org", ORG, "-"])
        .args(args)
        .write_stdin(roster)
        .output()
        .expect("the binary runs")
}

/// Invitation `i` as Clerk sends it ([`INVITATION_JSON`]), as `orginv_{i}` to
/// `user{i}@example.com`.
///
/// [`INVITATION_JSON`]: clerk_memberships::testing::INVITATION_JSON
pub fn invitation(i: usize) -> serde_json::Value {
    let mut invitation: serde_json::Value =
        serde_json::from_str(clerk_memberships::testing::INVITATION_JSON).expect("valid JSON");
    invitation["id"] = format!("orginv_{i}").into();
    invitation["email_address"] = format!("user{i}@example.com").into();
    invitation
}

/// A page of a listing as Clerk sends it: `data` and the listing's `total_count`.
pub fn page_of(data: &[serde_json::Value], total: usize) -> String {
    serde_json::json!({"data": data, "total_count": total}).to_string()
}

/// The `offset` of a request target, 0 when it has none.
pub fn offset_of(target: &str) -> usize {
    target
        .split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("offset="))
        .and_then(|offset| offset.parse().ok())
        .unwrap_or(0)
}

/// A server that lists `total` invitations ([`invitation`]) in pages of at most `page`
/// whatever the `limit` asked for (Clerk may cap pages too), each answer held `latency`.
pub fn invitations_server(total: usize, page: usize, latency: Duration) -> server::Server {
    server::Server::builder()
        .handler(move |request| {
            std::thread::sleep(latency);
            let first = offset_of(&request.target).min(total);
            let data: Vec<serde_json::Value> =
                (first..(first + page).min(total)).map(invitation).collect();
            server::Action::Respond(server::Response::json(200, page_of(&data, total)))
        })
        .start()
}

/// Runs the binary on a pseudo-terminal (util-linux `script`), with `answer` typed in, and
/// returns its exit code and the screen with carriage returns taken out. `None` when
/// `script` is not installed.
pub fn on_a_terminal(server: &FakeServer, args: &str, answer: &str) -> Option<(i32, String)> {
    terminal_screen(server, args, answer).map(|(code, screen)| (code, screen.replace('\r', "")))
}

/// As [`on_a_terminal`], the screen as the terminal got it: carriage returns and escape
/// sequences kept (stdout and stderr both, as a terminal shows them).
pub fn terminal_screen(server: &FakeServer, args: &str, answer: &str) -> Option<(i32, String)> {
    let binary = assert_cmd::cargo::cargo_bin("clerk-memberships");
    let output = std::process::Command::new("script")
        .args(["-qec", &format!("{} {args}", binary.display()), "/dev/null"])
        .env("CLERK_SECRET_KEY", FakeClerk::SECRET_KEY)
        .env("CLERK_API_URL", server.base_url())
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(answer.as_bytes())?;
            child.wait_with_output()
        })
        .ok()?;
    Some((output.status.code()?, text(&output.stdout)))
}

/// For a test that needs a program the machine may lack (bash, util-linux `script`): says it
/// is skipped, or fails when `CLERK_MEMBERSHIPS_REQUIRE_TOOLS=1` (as `.ci/run` sets it, after
/// installing them), so that CI never skips it silently.
pub fn skip_without(tool: &str) {
    let why = format!("this test needs {tool}, which is not installed");
    assert!(
        std::env::var_os("CLERK_MEMBERSHIPS_REQUIRE_TOOLS").is_none_or(|set| set != "1"),
        "{why} (CLERK_MEMBERSHIPS_REQUIRE_TOOLS=1)"
    );
    eprintln!("skipped: {why}");
}
