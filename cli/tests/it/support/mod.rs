//! Runs the `clerk-memberships` binary against the library's fake Clerk served on loopback.

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

/// A loopback HTTP/1.1 server whose answers come from `answer(request line)` as
/// `(status, content type, body)`; for servers that do not behave like the fake. Returns
/// the base URL (`http://127.0.0.1:PORT/v1`). It serves until the test process ends.
pub fn serve_raw(
    answer: impl Fn(&str) -> (u16, &'static str, String) + Send + Sync + 'static,
) -> String {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::Arc;

    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let answer = Arc::clone(&answer);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone the stream"));
                let mut writer = stream;
                loop {
                    let mut request_line = String::new();
                    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
                        return;
                    }
                    // The rest of the head; these requests have no body.
                    loop {
                        let mut header = String::new();
                        if reader.read_line(&mut header).unwrap_or(0) == 0 {
                            return;
                        }
                        if header == "\r\n" {
                            break;
                        }
                    }
                    let (status, content_type, body) = answer(request_line.trim_end());
                    let head = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\n\
                         content-length: {}\r\n\r\n",
                        body.len()
                    );
                    if writer.write_all(head.as_bytes()).is_err()
                        || writer.write_all(body.as_bytes()).is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    base_url
}
