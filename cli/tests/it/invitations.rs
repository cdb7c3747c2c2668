//! `invite`, `invitations list|revoke` and `sync --invite`: the binary against the fake
//! served on loopback, from the first plan to the accepted invitation.

use crate::support::{ORG, acme, cli, sync, text};
use clerk_memberships::testing::FakeServer;
use clerk_memberships::{Operation, OrganizationInvitation};
use serde_json::Value;

fn run(server: &FakeServer, args: &[&str]) -> std::process::Output {
    cli(server).args(args).output().expect("the binary runs")
}

fn invite(server: &FakeServer, email: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "invite",
        "--org",
        ORG,
        "--email",
        email,
        "--role",
        "org:member",
    ];
    args.extend_from_slice(extra);
    run(server, &args)
}

#[test]
fn invite_sends_once_and_prints_the_invitation_in_every_format() {
    let server = acme();
    let out = invite(
        &server,
        "new@acme.com",
        &["--format", "json", "--public-metadata", r#"{"team":"ops"}"#],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["email_address"], "new@acme.com");
    assert_eq!(json["status"], "pending");
    assert_eq!(json["public_metadata"]["team"], "ops");

    // Again: nothing is sent, the pending invitation is shown, exit 0.
    let again = invite(&server, "new@acme.com", &["--format", "jsonl"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(
        text(&again.stderr).contains("already has a pending invitation"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(server.fake().invitations(ORG).len(), 1);
    assert!(
        !text(&again.stderr).contains(" as "),
        "{}",
        text(&again.stderr)
    );
    // Again with another role: still nothing sent, and the role that stands is named.
    let admin = run(
        &server,
        &[
            "invite",
            "--org",
            ORG,
            "--email",
            "new@acme.com",
            "--role",
            "org:admin",
        ],
    );
    assert_eq!(admin.status.code(), Some(0));
    assert!(
        text(&admin.stderr).contains("already has a pending invitation (orginv_")
            && text(&admin.stderr).contains(
                " as org:member, not org:admin (revoke it and invite again to change the role): \
             nothing was sent"
            ),
        "{}",
        text(&admin.stderr)
    );
    assert_eq!(server.fake().invitations(ORG).len(), 1);

    let table = invite(&server, "other@acme.com", &["--format", "table"]);
    let table = text(&table.stdout);
    assert!(table.starts_with("ID "), "{table}");
    assert!(
        table.contains("other@acme.com  org:member  pending"),
        "{table}"
    );
    let csv = invite(&server, "=cmd@acme.com", &["--format", "csv"]);
    let csv = text(&csv.stdout);
    assert!(
        csv.starts_with("id,email_address,role,status,created_at,expires_at,public_metadata\n"),
        "{csv}"
    );
    assert!(csv.contains(",'=cmd@acme.com,"), "the formula guard: {csv}");
}

#[test]
fn invite_refuses_a_role_the_instance_does_not_have() {
    let server = acme();
    let out = run(
        &server,
        &[
            "invite",
            "--org",
            ORG,
            "--email",
            "a@acme.com",
            "--role",
            "org:admn",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("org:admn") && stderr.contains("org:admin, org:member"),
        "the role and the instance's roles: {stderr}"
    );
    assert!(server.fake().invitations(ORG).is_empty());

    // --no-role-check: the roles are not read, and the invitation is sent.
    let before = server.requests().len();
    let out = invite(&server, "b@acme.com", &["--no-role-check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let operations: Vec<Operation> = server.requests()[before..]
        .iter()
        .map(|request| request.operation())
        .collect();
    assert!(
        !operations.contains(&Operation::ListOrganizationRoles),
        "{operations:?}"
    );
    assert_eq!(server.fake().invitations(ORG).len(), 1);
}

#[test]
fn invitations_list_filters_and_formats() {
    let server = acme();
    invite(&server, "a@acme.com", &[]);
    invite(&server, "b@acme.com", &[]);
    server.fake().accept_invitation("a@acme.com").unwrap();
    let out = run(
        &server,
        &[
            "invitations",
            "list",
            "--org",
            ORG,
            "--status",
            "pending",
            "--format",
            "jsonl",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["email_address"], "b@acme.com");
    let all = run(
        &server,
        &[
            "invitations",
            "list",
            "--org",
            ORG,
            "--all",
            "--format",
            "json",
        ],
    );
    let all: Value = serde_json::from_slice(&all.stdout).unwrap();
    assert_eq!(all.as_array().map(Vec::len), Some(2));
    let csv = run(
        &server,
        &[
            "invitations",
            "list",
            "--org",
            ORG,
            "--format",
            "csv",
            "--order-by",
            "+email_address",
        ],
    );
    let csv = text(&csv.stdout);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(
        rows[1].contains(",a@acme.com,org:member,accepted,"),
        "{csv}"
    );
}

#[test]
fn invitations_list_limit_out_of_range_is_a_usage_error_and_nothing_is_sent() {
    let server = acme();
    for limit in ["0", "501"] {
        let out = run(
            &server,
            &["invitations", "list", "--org", ORG, "--limit", limit],
        );
        assert_eq!(out.status.code(), Some(2), "{limit}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains("between 1 and 500"), "{limit}: {stderr}");
    }
    assert!(server.requests().is_empty());
}

#[test]
fn invitations_list_all_reads_pages_of_500() {
    let server = acme();
    invite(&server, "a@acme.com", &[]);
    let out = run(&server, &["invitations", "list", "--org", ORG, "--all"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let request = server.last_request().unwrap();
    assert!(request.url().contains("limit=500"), "{}", request.url());
}

#[test]
fn revoke_needs_yes_without_a_terminal() {
    let server = acme();
    invite(&server, "a@acme.com", &[]);
    let id = server.fake().invitations(ORG)[0].id.clone();
    let refused = run(
        &server,
        &["invitations", "revoke", "--org", ORG, "--id", &id],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).starts_with(&format!(
            "clerk-memberships: error: refusing to revoke the invitation {id} without \
             confirmation: stdin is not a terminal; pass --yes to revoke anyway\n"
        )),
        "{}",
        text(&refused.stderr)
    );
    assert_eq!(server.fake().invitations(ORG)[0].status, "pending");
    let done = run(
        &server,
        &[
            "invitations",
            "revoke",
            "--org",
            ORG,
            "--id",
            &id,
            "--yes",
            "--format",
            "json",
        ],
    );
    assert_eq!(done.status.code(), Some(0), "{}", text(&done.stderr));
    let json: Value = serde_json::from_slice(&done.stdout).unwrap();
    assert_eq!(json["status"], "revoked");
    // Revoking it again: Clerk refuses (exit 1).
    let again = run(
        &server,
        &["invitations", "revoke", "--org", ORG, "--id", &id, "--yes"],
    );
    assert_eq!(again.status.code(), Some(1));
}

const ROSTER: &str = "email,role\n\
                      ann@acme.com,org:admin\n\
                      bob@acme.com,org:member\n\
                      cara@acme.com,org:member\n\
                      new@acme.com,org:member\n";

#[test]
fn sync_invite_onboards_a_new_hire_from_plan_to_acceptance() {
    let server = acme();
    // Without --invite the row names nobody: exit 3 as before.
    let before = sync(&server, ROSTER, &[]);
    assert_eq!(before.status.code(), Some(3));
    assert!(
        text(&before.stdout).contains("? <stdin>:5"),
        "{}",
        text(&before.stdout)
    );

    let dry = sync(&server, ROSTER, &["--invite"]);
    assert_eq!(dry.status.code(), Some(3), "{}", text(&dry.stderr));
    assert_eq!(
        text(&dry.stdout),
        "+ invite new@acme.com org:member\n\
         plan: 0 to add, 0 role changes, 0 metadata merges, 0 to remove, 0 skipped, 0 unresolved, \
         1 to invite, 0 invitations to revoke, 0 waiting\n"
    );
    assert!(server.fake().invitations(ORG).is_empty());

    let applied = sync(&server, ROSTER, &["--invite", "--apply"]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied.stderr));
    assert!(
        text(&applied.stdout).starts_with("+ invite new@acme.com org:member => applied"),
        "{}",
        text(&applied.stdout)
    );

    // Sent, not accepted: waiting, exit 0, and it says how many wait.
    let waiting = sync(&server, ROSTER, &["--invite"]);
    assert_eq!(waiting.status.code(), Some(0), "{}", text(&waiting.stderr));
    assert!(
        text(&waiting.stdout).starts_with("… waiting <stdin>:5: new@acme.com org:member (orginv_"),
        "{}",
        text(&waiting.stdout)
    );
    assert_eq!(
        text(&waiting.stderr),
        "dry run: nothing to change; 1 invitation is pending, waiting to be accepted\n"
    );
    let json = sync(&server, ROSTER, &["--invite", "--format", "json"]);
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["waiting"][0]["entry"]["line"], 5);
    assert_eq!(json["counts"]["waiting"], 1);

    server.fake().accept_invitation("new@acme.com").unwrap();
    let done = sync(&server, ROSTER, &["--invite"]);
    assert_eq!(done.status.code(), Some(0));
    assert_eq!(text(&done.stdout), "in sync: nothing to change\n");
    assert_eq!(server.fake().invitations(ORG).len(), 1, "one email in all");
}

#[test]
fn sync_refuses_more_invitations_than_max_invites_unless_forced() {
    let server = acme();
    let roster =
        "email,role\nann@acme.com,org:admin\nx@acme.com,org:member\ny@acme.com,org:member\n";
    let refused = sync(
        &server,
        roster,
        &["--invite", "--max-invites", "1", "--apply"],
    );
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    assert!(
        text(&refused.stderr).contains("--max-invites"),
        "{}",
        text(&refused.stderr)
    );
    assert!(server.fake().invitations(ORG).is_empty());
    let forced = sync(
        &server,
        roster,
        &["--invite", "--max-invites", "1", "--apply", "--force"],
    );
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced.stderr));
    assert_eq!(server.fake().invitations(ORG).len(), 2);
}

#[test]
fn sync_reinvite_replaces_an_invitation_with_another_role() {
    let server = acme();
    invite(&server, "new@acme.com", &[]);
    let promoted = "email,role\nann@acme.com,org:admin\nbob@acme.com,org:member\ncara@acme.com,org:member\nnew@acme.com,org:admin\n";
    let waiting = sync(&server, promoted, &["--invite"]);
    assert_eq!(waiting.status.code(), Some(0));
    assert!(
        text(&waiting.stdout).contains("invited as org:member: a reinvite replaces it"),
        "{}",
        text(&waiting.stdout)
    );
    let replaced = sync(&server, promoted, &["--invite", "--reinvite", "--apply"]);
    assert_eq!(
        replaced.status.code(),
        Some(0),
        "{}",
        text(&replaced.stderr)
    );
    let statuses: Vec<String> = server
        .fake()
        .invitations(ORG)
        .into_iter()
        .map(|i| format!("{}:{}", i.status, i.role))
        .collect();
    assert_eq!(statuses, ["revoked:org:member", "pending:org:admin"]);
}

#[test]
fn with_an_organization_column_waiting_rows_show_and_exit_0() {
    let server = acme();
    server.fake().add_organization(
        clerk_memberships::testing::FakeOrganization::new("Globex").id("org_globex"),
    );
    let roster = "organization,email,role\n\
                  acme,ann@acme.com,org:admin\n\
                  acme,bob@acme.com,org:member\n\
                  acme,cara@acme.com,org:member\n\
                  org_globex,new@acme.com,org:member\n";
    let all = |args: &[&str]| {
        cli(&server)
            .args(["sync", "-", "--invite"])
            .args(args)
            .write_stdin(roster)
            .output()
            .expect("the binary runs")
    };
    let dry = all(&[]);
    assert_eq!(dry.status.code(), Some(3), "{}", text(&dry.stderr));
    assert!(
        text(&dry.stdout).contains("+ invite new@acme.com org:member"),
        "{}",
        text(&dry.stdout)
    );
    let applied = all(&["--apply"]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied.stderr));
    assert_eq!(server.fake().invitations("org_globex").len(), 1);
    let waiting = all(&[]);
    assert_eq!(waiting.status.code(), Some(0), "{}", text(&waiting.stderr));
    assert!(
        text(&waiting.stdout).contains("… waiting <stdin>:5: new@acme.com"),
        "{}",
        text(&waiting.stdout)
    );
    assert!(
        text(&waiting.stderr).contains("1 invitation is pending"),
        "{}",
        text(&waiting.stderr)
    );
}

/// Five invitations whose cells each format treats with care: a formula, a bidirectional
/// mark, wide characters, an escape sequence, commas and quotes, no expiry.
fn awkward_invitations() -> Vec<Value> {
    let edits: [(&str, &str, &str, Option<i64>, Value); 5] = [
        (
            "=cmd@acme.com",
            "org:admin",
            "pending",
            Some(1_719_475_200_000),
            serde_json::json!({"team": "billing, \"ops\""}),
        ),
        (
            "ann\u{202e}moc@acme.com",
            "org:member",
            "accepted",
            Some(1_719_475_200_000),
            serde_json::json!({}),
        ),
        (
            "山田太郎@例え.jp",
            "org:member",
            "revoked",
            None,
            serde_json::json!({"n": 1}),
        ),
        (
            "esc\u{1b}[31m@acme.com",
            "org:member",
            "expired",
            Some(1_716_883_200_000),
            serde_json::json!({"note": "=1+1\n"}),
        ),
        (
            "+x@acme.com",
            "org:member",
            "pending",
            Some(1_719_475_200_000),
            serde_json::json!({}),
        ),
    ];
    edits
        .into_iter()
        .enumerate()
        .map(|(i, (email, role, status, expires_at, metadata))| {
            let mut invitation = crate::support::invitation(i);
            invitation["email_address"] = email.into();
            invitation["role"] = role.into();
            invitation["status"] = status.into();
            invitation["expires_at"] = expires_at.into();
            invitation["public_metadata"] = metadata;
            invitation
        })
        .collect()
}

/// A server holding [`awkward_invitations`]: in pages of 2 for `--all` (whose requests ask
/// for 500), in one page for `--limit 5`.
fn awkward_server() -> crate::support::server::Server {
    use crate::support::server::{Action, Response, Server};
    let invitations = awkward_invitations();
    Server::builder()
        .handler(move |request| {
            let first = crate::support::offset_of(&request.target).min(invitations.len());
            let size = if request.target.contains("limit=500") {
                2
            } else {
                5
            };
            let last = (first + size).min(invitations.len());
            let page = crate::support::page_of(&invitations[first..last], invitations.len());
            Action::Respond(Response::json(200, page))
        })
        .start()
}

const AWKWARD_TABLE: &str = "\
ID        EMAIL_ADDRESS            ROLE        STATUS    EXPIRES_AT
orginv_0  =cmd@acme.com            org:admin   pending   2024-06-27T08:00:00.000Z
orginv_1  ann\\u{202e}moc@acme.com  org:member  accepted  2024-06-27T08:00:00.000Z
orginv_2  山田太郎@例え.jp         org:member  revoked   -
orginv_3  esc\\u{1b}[31m@acme.com   org:member  expired   2024-05-28T08:00:00.000Z
orginv_4  +x@acme.com              org:member  pending   2024-06-27T08:00:00.000Z
";

/// The same rows as `--all` prints them: each as it comes, in columns of fixed widths (34, 36,
/// 20 and 10 columns, then the last cell as it is), as `list --all` prints memberships.
const AWKWARD_FIXED_TABLE: &str = "\
ID                                  EMAIL_ADDRESS                         ROLE                  STATUS      EXPIRES_AT
orginv_0                            =cmd@acme.com                         org:admin             pending     2024-06-27T08:00:00.000Z
orginv_1                            ann\\u{202e}moc@acme.com               org:member            accepted    2024-06-27T08:00:00.000Z
orginv_2                            山田太郎@例え.jp                      org:member            revoked     -
orginv_3                            esc\\u{1b}[31m@acme.com                org:member            expired     2024-05-28T08:00:00.000Z
orginv_4                            +x@acme.com                           org:member            pending     2024-06-27T08:00:00.000Z
";

const AWKWARD_CSV_HEADER: &str =
    "id,email_address,role,status,created_at,expires_at,public_metadata\n";

#[test]
fn invitations_list_all_over_several_pages_prints_what_one_page_prints_in_every_format_the_table_in_fixed_widths()
 {
    let server = awkward_server();
    let list = |args: &[&str]| {
        let out = crate::support::spawnable(&server.base_url())
            .args(["invitations", "list", "--org", ORG, "--rate-limit", "off"])
            .args(args)
            .output()
            .expect("the binary runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stderr), "", "{args:?}");
        text(&out.stdout)
    };
    let mut jsonl = String::new();
    for invitation in awkward_invitations() {
        // As the binary reads and writes it: the model's fields in its order, the
        // bidirectional mark escaped.
        let invitation: OrganizationInvitation = serde_json::from_value(invitation).unwrap();
        let line = serde_json::to_string(&invitation).unwrap();
        jsonl.push_str(&line.replace('\u{202e}', r"\u202e"));
        jsonl.push('\n');
    }
    let json = format!("[\n{}\n]\n", jsonl.trim_end().replace('\n', ",\n"));
    let created = "2024-05-28T08:00:00.000Z";
    let csv_rows = |guard: &str| {
        format!(
            "orginv_0,{guard}=cmd@acme.com,org:admin,pending,{created},2024-06-27T08:00:00.000Z,\
             \"{{\"\"team\"\":\"\"billing, \\\"\"ops\\\"\"\"\"}}\"\n\
             orginv_1,ann\\u{{202e}}moc@acme.com,org:member,accepted,{created},2024-06-27T08:00:00.000Z,{{}}\n\
             orginv_2,山田太郎@例え.jp,org:member,revoked,{created},,\"{{\"\"n\"\":1}}\"\n\
             orginv_3,esc\\u{{1b}}[31m@acme.com,org:member,expired,{created},2024-05-28T08:00:00.000Z,\
             \"{{\"\"note\"\":\"\"=1+1\\n\"\"}}\"\n\
             orginv_4,{guard}+x@acme.com,org:member,pending,{created},2024-06-27T08:00:00.000Z,{{}}\n"
        )
    };
    let csv = format!("{AWKWARD_CSV_HEADER}{}", csv_rows("'"));
    // (format, one page, every page with --all): the same but for the table's widths.
    let expected = [
        ("table", AWKWARD_TABLE, AWKWARD_FIXED_TABLE),
        ("json", &json, &json),
        ("jsonl", &jsonl, &jsonl),
        ("csv", &csv, &csv),
    ];
    for (format, one, all) in expected {
        let one_page = list(&["--limit", "5", "--format", format]);
        assert_eq!(one_page, one, "{format}, one page");
        let pages = list(&["--all", "--format", format]);
        assert_eq!(pages, all, "{format} --all, three pages");
    }
    let raw = format!("{AWKWARD_CSV_HEADER}{}", csv_rows(""));
    assert_eq!(list(&["--limit", "5", "--format", "csv", "--csv-raw"]), raw);
    assert_eq!(list(&["--all", "--format", "csv", "--csv-raw"]), raw);
    let requests: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.target.contains("limit=500"))
        .map(|r| r.target.clone())
        .collect();
    assert_eq!(
        requests.len(),
        3 * 5,
        "three pages for each --all: {requests:?}"
    );
}

#[test]
fn an_empty_or_failed_invitation_listing_prints_its_header_or_nothing() {
    let server = acme();
    let fixed_header = AWKWARD_FIXED_TABLE.lines().next().unwrap().to_owned() + "\n";
    for (format, empty, empty_all) in [
        (
            "table",
            "ID  EMAIL_ADDRESS  ROLE  STATUS  EXPIRES_AT\n",
            fixed_header.as_str(),
        ),
        ("json", "[]\n", "[]\n"),
        ("jsonl", "", ""),
        ("csv", AWKWARD_CSV_HEADER, AWKWARD_CSV_HEADER),
    ] {
        for all in [false, true] {
            let mut args = vec!["invitations", "list", "--org", ORG, "--format", format];
            let empty = if all { empty_all } else { empty };
            if all {
                args.push("--all");
            }
            let out = run(&server, &args);
            assert_eq!(
                (out.status.code(), text(&out.stdout).as_str()),
                (Some(0), empty),
                "{format} --all={all}"
            );
            args[3] = "org_nope";
            let failed = run(&server, &args);
            assert_eq!(
                (failed.status.code(), text(&failed.stdout).as_str()),
                (Some(1), ""),
                "{format} --all={all}: a listing that fails at once writes nothing"
            );
        }
    }
}

#[test]
fn invitations_list_all_prints_the_first_page_before_the_second_is_answered() {
    use crate::support::server::{Action, Response, Server};
    use crate::support::{invitation, page_of};
    use std::io::{BufRead, BufReader};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex, mpsc};
    use std::time::Duration;

    let (release, released) = mpsc::channel::<()>();
    let released = Mutex::new(released);
    // Set when the second page had to be answered without the test's word: the binary
    // printed nothing until it had every page.
    let held_in_vain = Arc::new(AtomicBool::new(false));
    let in_vain = Arc::clone(&held_in_vain);
    let server = Server::builder()
        .handler(move |request| {
            let data: Vec<Value> = if request.target.contains("offset=500") {
                // Held until the test has read a row of the first page from the binary.
                let wait = released
                    .lock()
                    .unwrap()
                    .recv_timeout(Duration::from_secs(10));
                in_vain.store(wait.is_err(), Ordering::SeqCst);
                (500..600).map(invitation).collect()
            } else {
                (0..500).map(invitation).collect()
            };
            Action::Respond(Response::json(200, page_of(&data, 600)))
        })
        .start();
    let mut child = crate::support::invitations_list_all(&server.base_url(), "jsonl")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(
        !held_in_vain.load(Ordering::SeqCst),
        "the first page was printed only once the last one was answered"
    );
    let first: Value =
        serde_json::from_str(&first).expect("a row of the first page, already printed");
    assert_eq!(first["id"], "orginv_0");
    release.send(()).unwrap();
    let rest: Vec<String> = stdout.lines().map(Result::unwrap).collect();
    assert_eq!(rest.len(), 599);
    assert!(rest[598].contains(r#""id":"orginv_599""#), "{}", rest[598]);
    assert!(child.wait().unwrap().success());
}

#[test]
fn a_reader_that_stops_early_ends_the_invitation_listing_quietly() {
    use std::io::{BufRead, BufReader};

    let server = crate::support::invitations_server(1500, 500, std::time::Duration::ZERO);
    for format in ["csv", "jsonl"] {
        // As `clerk-memberships invitations list --all | head -1`.
        let mut child = crate::support::invitations_list_all(&server.base_url(), format)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(
            first.starts_with(if format == "csv" { "id," } else { "{" }),
            "{first}"
        );
        let output = child.wait_with_output().unwrap();
        assert_eq!(
            (output.status.code(), text(&output.stderr).as_str()),
            (Some(0), ""),
            "{format}: no error, no panic"
        );
    }
}

/// A later page that fails leaves the pages already printed on stdout and exits non-zero,
/// as `list --all` does; the JSON array is then left open, so that no reader takes the
/// rows for the whole listing.
#[test]
fn a_page_that_fails_part_way_leaves_the_pages_before_it_and_exits_1() {
    use crate::support::server::{Action, Response, Server};
    use crate::support::{invitation, page_of};

    let server = Server::builder()
        .handler(|request| {
            if crate::support::offset_of(&request.target) == 0 {
                let first: Vec<Value> = (0..2).map(invitation).collect();
                Action::Respond(Response::json(200, page_of(&first, 4)))
            } else {
                Action::Respond(Response::json(
                    400,
                    r#"{"errors":[{"code":"form_param_format_invalid","message":"bad","long_message":"bad"}]}"#,
                ))
            }
        })
        .start();
    for (format, printed) in [
        ("jsonl", 2),
        ("json", 3), // "[" with the first row, then the second row: no "]"
        ("csv", 3),  // the header and two rows
    ] {
        let out = crate::support::invitations_list_all(&server.base_url(), format)
            .output()
            .expect("the binary runs");
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {}",
            text(&out.stderr)
        );
        assert_eq!(stdout.lines().count(), printed, "{format}: {stdout}");
        assert!(stdout.contains("orginv_1"), "{format}: {stdout}");
        assert!(!stdout.contains(']'), "{format}: {stdout}");
        assert!(
            text(&out.stderr).contains("400"),
            "{format}: {}",
            text(&out.stderr)
        );
    }
}

/// The streamed table cuts a cell longer than its column with `…`, keeping the columns
/// aligned row after row.
#[test]
fn the_streamed_invitation_table_cuts_a_long_cell_to_its_column() {
    use crate::support::server::{Action, Response, Server};
    use crate::support::{invitation, page_of};

    let mut long = invitation(0);
    long["email_address"] = format!("{}@acme.com", "a".repeat(60)).into();
    let rows = vec![long, invitation(1)];
    let server = Server::builder()
        .handler(move |_| Action::Respond(Response::json(200, page_of(&rows, 2))))
        .start();
    let out = crate::support::invitations_list_all(&server.base_url(), "table")
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    let cut = format!("{}…", "a".repeat(35));
    assert!(lines[1].contains(&format!("{cut}  org:member")), "{stdout}");
    // The role column starts at the same place on every line: after 34 + 2 + 36 + 2.
    for line in &lines {
        let role = line.find("ROLE").or_else(|| line.find("org:")).unwrap();
        assert_eq!(line[..role].chars().count(), 74, "{line:?}\n{stdout}");
    }
}

/// A 404 names the flags that carried the ids of the call that failed.
#[test]
fn a_404_hint_names_the_flags_of_the_call() {
    let server = acme();
    let out = run(
        &server,
        &[
            "invitations",
            "revoke",
            "--org",
            ORG,
            "--id",
            "orginv_nope",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("hint: not found: check the ids given (--org, --id)"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&server, &["invitations", "list", "--org", "org_nope"]);
    assert!(
        text(&out.stderr).contains("hint: not found: check the ids given (--org)"),
        "{}",
        text(&out.stderr)
    );
}
