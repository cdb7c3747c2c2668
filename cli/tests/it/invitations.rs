//! `invite`, `invitations list|revoke` and `sync --invite`: the binary against the fake
//! served on loopback, from the first plan to the accepted invitation.

use crate::support::{ORG, acme, cli, sync, text};
use clerk_memberships::Operation;
use clerk_memberships::testing::FakeServer;
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
