//! Text the CLI does not control (values from Clerk, roster cells, arguments) cannot trick a
//! terminal, a spreadsheet or a log: the binary against the fake Clerk served on loopback.

use std::process::{Command, Stdio};

use crate::support::{ORG, acme, bare_cli, cli, run, serve, text};
use clerk_memberships::sync::Plan;
use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeServer, FakeUser};
use serde_json::{Value, json};

/// The characters that reorder text on display: the bidirectional embeddings, overrides and
/// isolates, and the marks.
const BIDI: [char; 12] = [
    '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}', '\u{200e}', '\u{200f}', '\u{061c}',
];

/// An email address that shows as `eve@acme.com…` reversed: `eve\u{202e}moc.live@acme.com`.
const RTL_EMAIL: &str = "eve\u{202e}moc.live@acme.com";

/// Whether `text` holds a raw bidirectional mark.
fn has_raw_bidi(text: &str) -> bool {
    text.chars().any(|c| BIDI.contains(&c))
}

/// A fake holding [`ORG`] with one member for each `(user id, email, role)`, oldest first.
fn org_of(members: &[(&str, &str, &str)]) -> FakeServer {
    let fake = FakeClerk::new();
    fake.add_organization(FakeOrganization::new("Acme").id(ORG));
    for (id, email, role) in members {
        let user = fake.add_user(
            FakeUser::new("Eve\u{202e}", "Example")
                .id(*id)
                .email(*email),
        );
        fake.add_membership(ORG, &user, role)
            .expect("seed membership");
    }
    serve(&fake)
}

// ---- tables ------------------------------------------------------------------------------------

#[test]
fn tables_escape_bidirectional_marks_as_they_escape_control_characters() {
    let server = org_of(&[("user_rtl", RTL_EMAIL, "org:\u{2067}admin\u{200f}\u{1b}[2J")]);
    let row = "user_rtl  eve\\u{202e}moc.live@acme.com  org:\\u{2067}admin\\u{200f}\\u{1b}[2J  \
               2026-05-12T00:00:00.000Z";
    for args in [
        &["list", "--org", ORG, "--format", "table"][..],
        &[
            "get", "--org", ORG, "--user", "user_rtl", "--format", "table",
        ],
    ] {
        let (code, stdout, stderr) = run(cli(&server).args(args));
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(!has_raw_bidi(&stdout), "{args:?}: {stdout:?}");
        assert!(!stdout.contains('\u{1b}'), "{args:?}: {stdout:?}");
        assert_eq!(stdout.lines().nth(1), Some(row), "{args:?}");
    }
    // The streamed table cuts its cells to fixed widths, after escaping.
    let (code, stdout, _) =
        run(cli(&server).args(["list", "--org", ORG, "--all", "--format", "table"]));
    assert_eq!(code, 0);
    assert!(!has_raw_bidi(&stdout), "{stdout:?}");
    assert!(stdout.contains("eve\\u{202e}moc.live@acme.com"), "{stdout}");
}

// ---- CSV ---------------------------------------------------------------------------------------

/// The members whose cells a spreadsheet would run, oldest first (listed newest first).
const FORMULAS: [(&str, &str, &str); 4] = [
    ("user_eq", "=HYPERLINK(\"http://evil\")@x.com", "org:member"),
    ("user_plus", "+1@x.com", "-org:member"),
    ("@user_at", "\tx@x.com", "org:member"),
    ("user_cr", "\r=1@x.com", "@org:member"),
];

#[test]
fn csv_cells_a_spreadsheet_would_run_get_an_apostrophe_unless_csv_raw() {
    let server = org_of(&FORMULAS);
    let (code, stdout, stderr) = run(cli(&server).args(["list", "--org", ORG, "--format", "csv"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "user_id,identifier,role,created_at,public_metadata\n\
         user_cr,'\\r=1@x.com,'@org:member,2026-05-12T00:00:00.000Z,{}\n\
         '@user_at,'\\tx@x.com,org:member,2026-05-12T00:00:00.000Z,{}\n\
         user_plus,'+1@x.com,'-org:member,2026-05-12T00:00:00.000Z,{}\n\
         user_eq,\"'=HYPERLINK(\"\"http://evil\"\")@x.com\",org:member,2026-05-12T00:00:00.000Z,{}\n"
    );

    // For programs: the cells as they are, but control characters still escaped.
    let (code, stdout, _) =
        run(cli(&server).args(["list", "--org", ORG, "--format", "csv", "--csv-raw"]));
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "user_id,identifier,role,created_at,public_metadata\n\
         user_cr,\\r=1@x.com,@org:member,2026-05-12T00:00:00.000Z,{}\n\
         @user_at,\\tx@x.com,org:member,2026-05-12T00:00:00.000Z,{}\n\
         user_plus,+1@x.com,-org:member,2026-05-12T00:00:00.000Z,{}\n\
         user_eq,\"=HYPERLINK(\"\"http://evil\"\")@x.com\",org:member,2026-05-12T00:00:00.000Z,{}\n"
    );

    // The commands that print one member take the flag too.
    let get = |raw: bool| {
        let mut command = cli(&server);
        command.args([
            "get",
            "--org",
            ORG,
            "--user",
            "user_plus",
            "--format",
            "csv",
        ]);
        if raw {
            command.arg("--csv-raw");
        }
        run(&mut command).1
    };
    assert!(
        get(false).ends_with("\nuser_plus,'+1@x.com,'-org:member,2026-05-12T00:00:00.000Z,{}\n")
    );
    assert!(get(true).ends_with("\nuser_plus,+1@x.com,-org:member,2026-05-12T00:00:00.000Z,{}\n"));
}

#[test]
fn csv_escapes_control_characters_and_bidirectional_marks_and_keeps_metadata_json() {
    let server = org_of(&[("user_rtl", RTL_EMAIL, "org:member\n,evil")]);
    let metadata = json!({"note\u{202e}": "=1+1 \u{2066}x\u{2069}", "nl": "a\nb"});
    let (code, _, stderr) = run(cli(&server).args([
        "metadata",
        "--org",
        ORG,
        "--user",
        "user_rtl",
        "--public-metadata",
        &metadata.to_string(),
    ]));
    assert_eq!(code, 0, "{stderr}");
    for raw in [false, true] {
        let mut command = cli(&server);
        command.args(["list", "--org", ORG, "--format", "csv"]);
        if raw {
            command.arg("--csv-raw");
        }
        let (code, stdout, _) = run(&mut command);
        assert_eq!(code, 0);
        assert!(!has_raw_bidi(&stdout), "{stdout:?}");
        assert_eq!(stdout.lines().count(), 2, "one header, one row: {stdout:?}");
        let mut reader = csv::Reader::from_reader(stdout.as_bytes());
        let row = reader.records().next().expect("a row").expect("valid CSV");
        assert_eq!(&row[1], "eve\\u{202e}moc.live@acme.com");
        assert_eq!(&row[2], "org:member\\n,evil");
        // The metadata stays JSON that reads back to the same value.
        assert!(row[4].contains(r"note\u202e"), "{}", &row[4]);
        assert_eq!(serde_json::from_str::<Value>(&row[4]).unwrap(), metadata);
    }
}

#[test]
fn help_documents_csv_raw() {
    let (code, stdout, _) = run(bare_cli().args(["list", "--help"]));
    assert_eq!(code, 0);
    assert!(stdout.contains("--csv-raw"), "{stdout}");
    assert!(stdout.contains("spreadsheet"), "{stdout}");
    let (_, stdout, _) = run(bare_cli().args(["get", "--help"]));
    assert!(stdout.contains("--csv-raw"), "{stdout}");
}

// ---- JSON --------------------------------------------------------------------------------------

#[test]
fn json_escapes_bidirectional_marks_and_reads_back_to_the_same_values() {
    let server = org_of(&[("user_rtl", RTL_EMAIL, "org:\u{2067}member")]);
    let metadata = json!({"k\u{202e}": ["a\u{202e}b", "\u{200f}\u{061c}\u{2068}"], "q": "\"\\\n"});
    let (code, stdout, stderr) = run(cli(&server).args([
        "metadata",
        "--org",
        ORG,
        "--user",
        "user_rtl",
        "--public-metadata",
        &metadata.to_string(),
        "--format",
        "json",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let mut outputs = vec![stdout];
    for args in [
        &["list", "--org", ORG, "--format", "json"][..],
        &["list", "--org", ORG, "--format", "jsonl"],
        &["list", "--org", ORG, "--all", "--format", "json"],
        &[
            "get", "--org", ORG, "--user", "user_rtl", "--format", "json",
        ],
        &[
            "get", "--org", ORG, "--user", "user_rtl", "--format", "jsonl",
        ],
    ] {
        let (code, stdout, _) = run(cli(&server).args(args));
        assert_eq!(code, 0, "{args:?}");
        outputs.push(stdout);
    }
    for output in outputs {
        assert!(!has_raw_bidi(&output), "{output:?}");
        assert!(output.contains(r"eve\u202emoc.live@acme.com"), "{output}");
        let value: Value = match serde_json::from_str(&output).expect("exact JSON") {
            Value::Array(mut items) => items.pop().expect("one membership"),
            one => one,
        };
        assert_eq!(value["public_metadata"], metadata, "{output}");
        assert_eq!(value["role"], "org:\u{2067}member");
        assert_eq!(value["public_user_data"]["identifier"], RTL_EMAIL);
        assert_eq!(value["public_user_data"]["first_name"], "Eve\u{202e}");
    }
}

#[test]
fn sync_json_escapes_bidirectional_marks_and_reads_back() {
    let server = acme();
    // A role of the instance whose key hides a bidirectional mark, so that the plan shows it.
    server.add_role("org:\u{202e}admin", "Odd", Vec::<String>::new());
    let roster = format!(
        "email,role\nann@acme.com,org:admin\nbob@acme.com,org:\u{202e}admin\n\
         {RTL_EMAIL},org:member\n"
    );
    let out = cli(&server)
        .args(["sync", "--org", ORG, "-", "--format", "json"])
        .write_stdin(roster)
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(!has_raw_bidi(&stdout), "{stdout}");
    assert!(stdout.contains(r"eve\u202emoc.live@acme.com"), "{stdout}");
    assert!(stdout.contains(r"org:\u202eadmin"), "{stdout}");
    let plan: Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert_eq!(
        plan["unresolved"][0]["entry"]["key"]["email_address"],
        RTL_EMAIL
    );
    assert_eq!(plan["unresolved"][0]["entry"]["line"], 4);
    let plan: Plan = serde_json::from_value(plan).expect("the plan reads back");
    assert_eq!(
        plan.changes().first().map(ToString::to_string).as_deref(),
        Some("~ user_bob (bob@acme.com) role org:member -> org:\\u{202e}admin")
    );
}

// ---- roster problems ---------------------------------------------------------------------------

/// `sync --org org_acme -` with `roster` on stdin.
fn sync(server: &FakeServer, roster: &[u8]) -> (i32, String, String) {
    run(cli(server)
        .args(["sync", "--org", ORG, "-"])
        .write_stdin(roster))
}

#[test]
fn a_10_mb_cell_makes_a_short_error_and_nothing_is_read_from_clerk() {
    let server = acme();
    let huge = "x".repeat(10 * 1024 * 1024);
    let roster = format!(
        "email,user_id,external_id,role\n\
         {huge}@acme.com,,,org:member\n\
         ,user_{huge},,org:member\n\
         ,,hr-{huge},org:member\n\
         ann@acme.com,,,org:{huge}\n"
    );
    let (code, stdout, stderr) = sync(&server, roster.as_bytes());
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(stderr.len() < 1000, "{} bytes", stderr.len());
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [
            format!(
                "clerk-memberships: error: <stdin>:2: email address \"{}…\": must be at most \
                 1024 bytes, got 10485769",
                "x".repeat(80)
            ),
            format!(
                "<stdin>:3: user id \"user_{}…\": must be at most 256 bytes, got 10485765",
                "x".repeat(75)
            ),
            format!(
                "<stdin>:4: external id \"hr-{}…\": must be at most 1024 bytes, got 10485763",
                "x".repeat(77)
            ),
            "<stdin>:5: the role must be at most 1024 bytes, got 10485764".to_owned(),
        ]
    );
    assert!(
        server.fake().requests().is_empty(),
        "nothing read from Clerk"
    );

    let header = format!("email,role,{huge}\n");
    let (code, _, stderr) = sync(&server, header.as_bytes());
    assert_eq!(code, 2);
    assert!(stderr.len() < 300, "{} bytes", stderr.len());
    assert!(
        stderr.contains(&format!("unknown column \"{}…\"", "x".repeat(80))),
        "{stderr}"
    );
}

#[test]
fn an_email_with_a_nul_a_space_or_no_at_is_a_roster_line_never_looked_up() {
    let server = acme();
    let (code, stdout, stderr) = sync(
        &server,
        b"email,role\n\
          ann@acme.com,org:admin\n\
          bob\0@acme.com,org:member\n\
          cara @acme.com,org:member\n\
          \"dave\t@acme.com\",org:member\n\
          dave.acme.com,org:member\n\
           bob@acme.com ,org:member\n",
    );
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert_eq!(
        stderr,
        "clerk-memberships: error: <stdin>:3: email address \"bob\\0@acme.com\": is not an email \
         address (it has a control character)\n\
         <stdin>:4: email address \"cara @acme.com\": is not an email address (it has a space)\n\
         <stdin>:5: email address \"dave\\t@acme.com\": is not an email address (it has a control \
         character)\n\
         <stdin>:6: email address \"dave.acme.com\": is not an email address (it has no `@`)\n"
    );
    assert!(server.fake().requests().is_empty(), "nothing looked up");
}

// ---- secret keys -------------------------------------------------------------------------------

#[test]
fn a_key_given_as_an_argument_is_never_echoed() {
    let server = acme();
    let live = "sk_live_2h8op3Isl1QR7tKu5FGNfaLKEoU9xYz";
    let test = "sk_test_Zq4w8Fv1Nc0Xr7tKu5FGNfaLKEoUaB";
    for args in [
        vec!["list", live],
        vec!["list", "--org", ORG, test],
        vec![live],
        vec!["list", "--org", ORG, "--format", live],
        vec!["sync", "--org", ORG, "-", "--protect", test],
        vec!["list", "--org", ORG, &format!("--{live}")],
    ] {
        let (code, stdout, stderr) = run(cli(&server).args(&args));
        assert_eq!((code, stdout.as_str()), (2, ""), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("2h8op3") && !stderr.contains("Zq4w8F"),
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains("sk_live_…redacted") || stderr.contains("sk_test_…redacted"),
            "{args:?}: {stderr}"
        );
    }
    let (_, _, stderr) = run(cli(&server).args(["list", live]));
    assert!(
        stderr.starts_with("error: unexpected argument 'sk_live_…redacted' found\n"),
        "{stderr}"
    );
    // Given where an id, a filter or a path goes, it is refused before anything is sent: in a
    // URL it would sit in every log on the way. `-v` prints no attempt line, since there is
    // none.
    for args in [
        vec!["-v", "list", "--org", live],
        vec!["-v", "get", "--org", ORG, "--user", test],
        vec!["list", "--org", ORG, "--user-id", test],
        vec!["-v", "remove", "--org", ORG, "--user", live, "--yes"],
        vec!["invitations", "revoke", "--org", ORG, "--id", test, "--yes"],
        vec!["sync", "--org", ORG, &format!("/tmp/{live}.csv")],
    ] {
        let (code, stdout, stderr) = run(cli(&server).args(&args));
        assert_eq!((code, stdout.as_str()), (2, ""), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("2h8op3") && !stderr.contains("Zq4w8F"),
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains("an argument holds a secret key; nothing was sent"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("> "), "{args:?}: no attempt: {stderr}");
    }
    assert!(
        server.fake().requests().is_empty(),
        "nothing reached the server"
    );
}

// ---- closed pipes ------------------------------------------------------------------------------

/// Runs the binary with `args`, its stdout a pipe whose reader is gone before anything is
/// written (as `| head -1` is by the time a long output reaches it), and returns its exit
/// code and stderr. A panic would show as "panicked" and exit 101.
fn into_a_closed_pipe(mut command: Command, args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = command
        .args(args)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs");
    (output.status.code(), text(&output.stderr))
}

/// The binary with no configuration, as a `std::process::Command`.
fn bare() -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("clerk-memberships"));
    command.env_clear();
    command
}

#[test]
fn nothing_panics_on_a_closed_stdout() {
    for args in [
        &["completions", "bash"][..],
        &["completions", "zsh"],
        &["completions", "fish"],
        &["completions", "powershell"],
        &["completions", "elvish"],
        &["--help"],
        &["-h"],
        &["--version"],
        &["list", "--help"],
        &["sync", "--help"],
        &["help", "sync"],
    ] {
        let (code, stderr) = into_a_closed_pipe(bare(), args);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
    }
    // Usage errors go to stderr, and keep their exit code whatever stdout is.
    for args in [&["list", "sk_live_abc"][..], &[], &["nope"]] {
        let (code, stderr) = into_a_closed_pipe(bare(), args);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
    }
    let server = acme();
    for format in ["table", "json", "jsonl", "csv"] {
        let args = ["list", "--org", ORG, "--format", format];
        let (code, stderr) =
            into_a_closed_pipe(crate::support::spawnable(server.base_url()), &args);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
    }
}

#[test]
fn nothing_panics_on_a_closed_stderr() {
    for (args, expected) in [
        (&["list", "sk_live_abc"][..], 2),
        (&[], 2),
        (&["list", "--org", ORG], 2), // no key
    ] {
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let status = bare()
            .args(args)
            .stdout(Stdio::null())
            .stderr(writer)
            .status()
            .expect("the binary runs");
        assert_eq!(status.code(), Some(expected), "{args:?}");
    }
}
