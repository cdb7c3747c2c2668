//! `sync`: the binary against the library's fake Clerk served on loopback.

use std::path::PathBuf;

use crate::support::{ORG, acme, cli, serve, sync, text};
use clerk_memberships::Operation;
use clerk_memberships::sync::Plan;
use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeServer, FakeUser, ROLES_JSON};
use serde_json::{Value, json};

/// A roster that promotes Bob, adds Dave and keeps Ann.
const ROSTER: &str = "email,role\n\
                      ann@acme.com,org:admin\n\
                      bob@acme.com,org:admin\n\
                      dave@acme.com,org:member\n";

/// The plan [`ROSTER`] makes against [`acme`].
const PLAN: &str = "\
+ user_dave (dave@acme.com) org:member
~ user_bob (bob@acme.com) role org:member -> org:admin
plan: 1 to add, 1 role change, 0 metadata merges, 0 to remove, 0 skipped, 0 unresolved
";

/// The roles of the organization's members, as `user_id=role`, oldest first.
fn members(server: &FakeServer) -> Vec<String> {
    server
        .fake()
        .memberships(ORG)
        .iter()
        .map(|m| format!("{}={}", m.user_id().unwrap_or("?"), m.role))
        .collect()
}

/// Whether every request the fake received only read.
fn only_reads(server: &FakeServer) -> bool {
    server.fake().requests().iter().all(|request| {
        matches!(
            request.operation(),
            Operation::List | Operation::ListUsers | Operation::ListOrganizationRoles
        )
    })
}

/// A fresh directory for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("sync-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}

#[test]
fn a_dry_run_prints_the_plan_changes_nothing_and_exits_3() {
    let server = acme();
    let before = members(&server);
    let out = sync(&server, ROSTER, &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), PLAN);
    assert_eq!(
        text(&out.stderr),
        "dry run: nothing was changed; pass --apply to make these changes\n"
    );
    assert_eq!(members(&server), before);
    assert!(only_reads(&server));
}

#[test]
fn quiet_keeps_the_plan_and_drops_the_notes() {
    let server = acme();
    let out = sync(&server, ROSTER, &["--quiet"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(text(&out.stdout), PLAN);
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn apply_makes_the_changes_and_a_rerun_is_in_sync() {
    let server = acme();
    let out = sync(&server, ROSTER, &["--apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "+ user_dave (dave@acme.com) org:member => applied\n\
         ~ user_bob (bob@acme.com) role org:member -> org:admin => applied\n\
         result: 2 applied, 0 already done, 0 skipped, 0 failed, 0 unknown, 0 unresolved\n"
    );
    assert_eq!(text(&out.stderr), "", "no progress bar without a terminal");
    assert_eq!(
        members(&server),
        [
            "user_ann=org:admin",
            "user_bob=org:admin",
            "user_cara=org:member",
            "user_dave=org:member"
        ]
    );

    let again = sync(&server, ROSTER, &[]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(text(&again.stdout), "in sync: nothing to change\n");
    assert_eq!(text(&again.stderr), "");

    let applied_again = sync(&server, ROSTER, &["--apply", "--workers", "1"]);
    assert_eq!(applied_again.status.code(), Some(0));
    assert_eq!(text(&applied_again.stdout), "in sync: nothing to change\n");
}

#[test]
fn prune_within_the_threshold_removes_the_members_not_listed() {
    let server = acme();
    let roster = "user_id,role\nuser_ann,org:admin\n";
    let plan = sync(&server, roster, &["--prune"]);
    assert_eq!(plan.status.code(), Some(3));
    assert_eq!(
        text(&plan.stdout),
        "- user_bob (bob@acme.com) org:member\n\
         - user_cara (cara@acme.com) org:member\n\
         plan: 0 to add, 0 role changes, 0 metadata merges, 2 to remove, 0 skipped, 0 unresolved\n"
    );

    let out = sync(&server, roster, &["--prune", "--apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(members(&server), ["user_ann=org:admin"]);
    assert_eq!(sync(&server, roster, &["--prune"]).status.code(), Some(0));
}

#[test]
fn prune_over_the_threshold_is_refused_without_force() {
    let server = acme();
    let before = members(&server);
    let roster = "user_id,role\nuser_ann,org:admin\n";
    let over = "! 2 removals of 3 members exceed the removal threshold (more than 1 member): \
                --apply needs --force\n";

    let plan = sync(&server, roster, &["--prune", "--max-removals", "1"]);
    assert_eq!(plan.status.code(), Some(3));
    assert!(text(&plan.stdout).contains(over), "{}", text(&plan.stdout));

    // Refused: the plan is printed so the reviewer sees why, and nothing changes.
    let refused = sync(
        &server,
        roster,
        &["--prune", "--max-removals", "1", "--apply"],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stdout).contains(over));
    assert!(
        text(&refused.stderr).starts_with(
            "clerk-memberships: error: refused: 2 of 3 members would be removed, over the \
             removal threshold (more than 1 member); nothing was changed."
        ),
        "{}",
        text(&refused.stderr)
    );
    assert!(text(&refused.stderr).contains("--force"));
    assert_eq!(members(&server), before);
    assert!(only_reads(&server));

    // A percentage: 2 of 3 is over 50%.
    let percent = sync(
        &server,
        roster,
        &["--prune", "--max-removals", "50%", "--apply"],
    );
    assert_eq!(percent.status.code(), Some(2));
    assert!(text(&percent.stdout).contains("(more than 50% of the members)"));
    assert_eq!(members(&server), before);

    let forced = sync(
        &server,
        roster,
        &["--prune", "--max-removals", "1", "--apply", "--force"],
    );
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced.stderr));
    assert_eq!(members(&server), ["user_ann=org:admin"]);
}

#[test]
fn the_default_threshold_lets_a_small_organization_shrink() {
    let server = acme();
    // 2 of 3 removed is over 10%, but not over 10 members: within the default threshold.
    let out = sync(
        &server,
        "email,role\nann@acme.com,org:admin\n",
        &["--prune", "--apply"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(members(&server), ["user_ann=org:admin"]);
}

#[test]
fn protected_members_and_the_last_admin_are_skipped_not_pending() {
    let server = acme();
    let roster = "external_id,role\nhr-cara,org:member\n";
    let out = sync(&server, roster, &["--prune", "--protect", "user_bob"]);
    assert_eq!(
        text(&out.stdout),
        "! - user_ann (ann@acme.com) org:admin (skipped: the last member holding org:admin)\n\
         ! - user_bob (bob@acme.com) org:member (skipped: protected)\n\
         plan: 0 to add, 0 role changes, 0 metadata merges, 0 to remove, 2 skipped, 0 unresolved\n"
    );
    assert_eq!(out.status.code(), Some(0), "skips are not pending changes");
}

#[test]
fn json_prints_one_document_that_reads_back() {
    let server = acme();
    let roster = format!("{ROSTER}ghost@acme.com,org:member\n");
    let out = sync(&server, &roster, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(3));
    let json: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(json["organization_id"], ORG);
    assert_eq!(json["counts"]["add"], 1);
    assert_eq!(json["counts"]["change_role"], 1);
    assert_eq!(json["removal_check"]["exceeded"], false);
    assert_eq!(
        json["unresolved"],
        json!([{
            "entry": {"index": 3, "line": 5, "key": {"email_address": "ghost@acme.com"}},
            "problem": {"outcome": "not_found"}
        }])
    );
    let plan: Plan = serde_json::from_value(json).expect("the plan reads back");
    assert_eq!(plan.changes().len(), 2);

    let applied = sync(&server, &roster, &["--format", "json", "--apply"]);
    assert_eq!(
        applied.status.code(),
        Some(5),
        "the ghost is still unresolved"
    );
    let json: Value = serde_json::from_slice(&applied.stdout).expect("one JSON document");
    assert_eq!(json["plan"]["counts"]["add"], 1);
    assert_eq!(json["report"]["counts"]["applied"], 2);
    assert_eq!(
        json["report"]["results"][0]["change"]["user_id"],
        "user_dave"
    );
    assert_eq!(json["report"]["results"][0]["outcome"], "applied");

    let refused = sync(
        &server,
        "email,role\n",
        &[
            "--format",
            "json",
            "--prune",
            "--max-removals",
            "0",
            "--apply",
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    let json: Value = serde_json::from_slice(&refused.stdout).expect("one JSON document");
    assert_eq!(json["report"], Value::Null);
    assert_eq!(json["plan"]["removal_check"]["exceeded"], true);
}

#[test]
fn a_malformed_roster_line_is_named_and_nothing_is_read_from_clerk() {
    let server = acme();
    let dir = scratch("malformed");
    std::fs::write(
        dir.join("roster.csv"),
        "\u{feff}email,role,public_metadata\n\
         \n\
         ann@acme.com,org:admin,\n\
         bob@acme.com,org:member,{\"team\":\n",
    )
    .expect("write the roster");
    let out = cli(&server)
        .current_dir(&dir)
        .args(["sync", "--org", ORG, "roster.csv"])
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "");
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(
            "clerk-memberships: error: roster.csv:4: public_metadata is not valid JSON: "
        ),
        "{stderr}"
    );
    assert!(server.fake().requests().is_empty());
}

#[test]
fn every_roster_problem_is_listed_with_its_line() {
    let server = acme();
    let roster = "email,user_id,role,team\n";
    let out = sync(&server, roster, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "clerk-memberships: error: <stdin>:1: unknown column \"team\": the columns are user_id, \
         email, external_id, role, organization, public_metadata, private_metadata\n"
    );

    let roster = "email,user_id,role\n\
                  ,,org:member\n\
                  ann@acme.com,user_ann,org:admin\n\
                  bob@acme.com,,\n\
                  cara@acme.com,,org:member\n\
                  CARA@acme.com,,org:admin\n";
    let out = sync(&server, roster, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "clerk-memberships: error: <stdin>:2: no user_id, email or external_id: name the user \
         by exactly one of them\n\
         <stdin>:3: user_id and email are set: name the user by exactly one of them\n\
         <stdin>:4: the role is empty\n\
         <stdin>:6: email address \"CARA@acme.com\" is already on line 5\n"
    );
    assert!(server.fake().requests().is_empty());
}

#[test]
fn two_rows_for_the_same_user_are_refused_by_line() {
    let server = acme();
    let roster = "email,user_id,role\nann@acme.com,,org:admin\n,user_ann,org:member\n";
    let out = sync(&server, roster, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "clerk-memberships: error: <stdin>:3: user id \"user_ann\" is the same user (user_ann) \
         as email address \"ann@acme.com\" on <stdin>:2: list each person once\n"
    );
}

#[test]
fn emails_that_do_not_resolve_are_listed_not_guessed() {
    let server = acme();
    let roster = "email,role\n\
                  ann@acme.com,org:admin\n\
                  ann@acme.co,org:admin\n\
                  dave@acme.com,org:member\n\
                  eve@acme.com,org:member\n";
    let out = sync(&server, roster, &[]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        text(&out.stdout),
        "+ user_dave (dave@acme.com) org:member\n\
         ? <stdin>:3: email address \"ann@acme.co\": not found\n\
         ? <stdin>:5: email address \"eve@acme.com\": not found\n\
         plan: 1 to add, 0 role changes, 0 metadata merges, 0 to remove, 0 skipped, 2 unresolved\n"
    );

    // Applying makes the changes it can and exits 5: the rows naming nobody are not done.
    let applied = sync(&server, roster, &["--apply"]);
    assert_eq!(applied.status.code(), Some(5));
    let stdout = text(&applied.stdout);
    assert!(stdout.starts_with("+ user_dave (dave@acme.com) org:member => applied\n"));
    assert!(stdout.contains("? <stdin>:3: email address \"ann@acme.co\": not found\n"));
    assert!(stdout.ends_with(
        "result: 1 applied, 0 already done, 0 skipped, 0 failed, 0 unknown, 2 unresolved\n"
    ));
    assert_eq!(
        text(&applied.stderr),
        "clerk-memberships: error: sync incomplete (2 rows naming nobody); run sync again \
         without --apply to see what is left\n"
    );
    assert_eq!(members(&server).len(), 4, "only Dave was added");

    // Only the unresolved rows are left.
    let again = sync(&server, roster, &[]);
    assert_eq!(again.status.code(), Some(3));
    assert_eq!(
        text(&again.stderr),
        "dry run: some rows name nobody; fix them in the roster\n"
    );
}

#[test]
fn a_change_that_fails_makes_the_apply_exit_5() {
    // Acme may have 3 members: adding Dave fails, promoting Bob does not.
    let fake = FakeClerk::new();
    fake.add_organization(
        FakeOrganization::new("Acme")
            .id(ORG)
            .max_allowed_memberships(3),
    );
    for (id, email, role) in [
        ("user_ann", "ann@acme.com", Some("org:admin")),
        ("user_bob", "bob@acme.com", Some("org:member")),
        ("user_cara", "cara@acme.com", Some("org:member")),
        ("user_dave", "dave@acme.com", None),
    ] {
        let user = fake.add_user(FakeUser::new("A", "B").id(id).email(email));
        if let Some(role) = role {
            fake.add_membership(ORG, &user, role).expect("seed");
        }
    }
    let server = serve(&fake);
    let out = sync(&server, ROSTER, &["--apply"]);
    assert_eq!(out.status.code(), Some(5));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("+ user_dave (dave@acme.com) org:member => failed: "),
        "{stdout}"
    );
    assert!(stdout.contains("~ user_bob (bob@acme.com) role org:member -> org:admin => applied\n"));
    assert!(stdout.ends_with(
        "result: 1 applied, 0 already done, 0 skipped, 1 failed, 0 unknown, 0 unresolved\n"
    ));
    assert_eq!(
        text(&out.stderr),
        "clerk-memberships: error: sync incomplete (1 failed); run sync again without --apply \
         to see what is left\n"
    );
}

#[test]
fn metadata_merge_adds_and_updates_the_rosters_keys() {
    let server = acme();
    let roster = "email,role,public_metadata\n\
                  bob@acme.com,org:member,\"{\"\"team\"\":\"\"ops\"\"}\"\n\
                  dave@acme.com,org:member,\"{\"\"team\"\":\"\"web\"\"}\"\n";

    let ignored = sync(&server, roster, &[]);
    assert!(
        text(&ignored.stderr).starts_with("note: the roster sets metadata"),
        "{}",
        text(&ignored.stderr)
    );
    assert_eq!(
        text(&ignored.stdout),
        "+ user_dave (dave@acme.com) org:member\n\
         plan: 1 to add, 0 role changes, 0 metadata merges, 0 to remove, 0 skipped, 0 unresolved\n"
    );

    let plan = sync(&server, roster, &["--metadata", "merge"]);
    assert_eq!(
        text(&plan.stdout),
        "+ user_dave (dave@acme.com) org:member public_metadata={\"team\":\"web\"}\n\
         ~ user_bob (bob@acme.com) metadata public_metadata={\"team\":\"ops\"}\n\
         plan: 1 to add, 0 role changes, 1 metadata merge, 0 to remove, 0 skipped, 0 unresolved\n"
    );
    let applied = sync(&server, roster, &["--metadata", "merge", "--apply"]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied.stderr));
    let bob = server.fake().membership(ORG, "user_bob").expect("Bob");
    assert_eq!(bob.public_metadata.get("team"), Some(&json!("ops")));
    assert_eq!(
        sync(&server, roster, &["--metadata", "merge"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn options_are_checked_before_anything_is_read() {
    let server = acme();
    for args in [
        &["--protect", "bob@acme.com"][..],
        &["--max-removals", "ten"],
        &["--max-removals", "150%"],
        &["--workers", "0"],
        &["--metadata", "replace"],
        &["--format", "yaml"],
    ] {
        let out = sync(&server, ROSTER, args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    assert!(server.fake().requests().is_empty());
}

#[test]
fn an_unknown_organization_is_an_api_error() {
    let server = acme();
    let out = cli(&server)
        .args(["sync", "--org", "org_nope", "-"])
        .write_stdin(ROSTER)
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    assert!(text(&out.stderr).contains("hint: not found: check the ids given (--org, --user)"));
}

#[test]
fn help_documents_the_roster_and_the_exit_codes() {
    let out = crate::support::bare_cli()
        .args(["sync", "--help"])
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for needle in [
        "user_id | email | external_id",
        "--max-removals <N|P%>",
        "Exit codes:",
        "0  in sync",
        "3  dry run: changes are pending, or some row names nobody",
        "5  --apply: some change failed",
    ] {
        assert!(help.contains(needle), "{needle:?} in:\n{help}");
    }
}

#[test]
fn an_email_several_users_share_is_not_guessed() {
    let server = acme();
    let fake = server.fake();
    for id in ["user_twa", "user_twb"] {
        fake.add_user(
            FakeUser::new("Twin", "Example")
                .id(id)
                .email("twin@acme.com"),
        );
    }
    fake.add_membership(ORG, "user_twb", "org:member")
        .expect("seed");
    let roster = "email,role\nann@acme.com,org:admin\nbob@acme.com,org:member\n\
                  cara@acme.com,org:member\ntwin@acme.com,org:admin\n";
    let out = sync(&server, roster, &["--prune"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        text(&out.stdout),
        "! - user_twb (twin@acme.com) org:member (skipped: <stdin>:5 (email address \
         \"twin@acme.com\") may mean this member)\n\
         ? <stdin>:5: email address \"twin@acme.com\": ambiguous, 2 users match (user_twa, \
         user_twb)\n\
         plan: 0 to add, 0 role changes, 0 metadata merges, 0 to remove, 1 skipped, 1 unresolved\n"
    );

    let json = sync(&server, roster, &["--prune", "--format", "json"]);
    let json: Value = serde_json::from_slice(&json.stdout).expect("one JSON document");
    assert_eq!(json["skipped"][0]["reason"]["entry"]["line"], 5);
    assert_eq!(json["unresolved"][0]["entry"]["line"], 5);

    let applied = sync(&server, roster, &["--prune", "--apply"]);
    assert_eq!(applied.status.code(), Some(5));
    assert_eq!(
        fake.membership(ORG, "user_twb").map(|m| m.role).as_deref(),
        Some("org:member"),
        "neither twin is promoted, and the member twin is not removed"
    );
    assert!(fake.membership(ORG, "user_twa").is_none());
}

#[test]
fn a_malformed_email_is_a_roster_problem_not_a_user_to_prune() {
    let server = acme();
    let out = sync(
        &server,
        "email,role\nann@acme.com,org:admin\nbobacme.com,org:member\n",
        &["--prune"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "");
    assert!(
        text(&out.stderr).contains(
            "<stdin>:3: email address \"bobacme.com\": is not an email address (it has no `@`)"
        ),
        "{}",
        text(&out.stderr)
    );
    assert!(
        server.fake().requests().is_empty(),
        "nothing read from Clerk"
    );
}

/// Runs sync with its stdout a pipe whose reader is already gone (as `sync … | head -0`).
fn sync_into_a_closed_pipe(server: &FakeServer, roster: &str, args: &[&str]) -> Option<i32> {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let mut child = crate::support::spawnable(server.base_url())
        .args(["--quiet", "sync", "--org", ORG, "-"])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(writer)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the binary runs");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), roster.as_bytes())
        .expect("write the roster");
    child.wait().expect("wait").code()
}

#[test]
fn a_reader_that_stops_early_does_not_turn_pending_or_failed_into_success() {
    let server = acme();
    assert_eq!(sync_into_a_closed_pipe(&server, ROSTER, &[]), Some(3));
    let unknown = "user_id,role\nuser_nobody,org:member\n";
    assert_eq!(
        sync_into_a_closed_pipe(&server, unknown, &["--apply"]),
        Some(5)
    );
    assert_eq!(
        sync_into_a_closed_pipe(&server, unknown, &["--format", "json"]),
        Some(3)
    );
}

#[test]
fn a_dry_run_over_the_threshold_says_apply_needs_force() {
    let server = acme();
    let out = sync(
        &server,
        "user_id,role\nuser_ann,org:admin\n",
        &["--prune", "--max-removals", "1"],
    );
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        text(&out.stderr),
        "dry run: nothing was changed; --apply would refuse: 2 of 3 members would be removed, \
         over the removal threshold (more than 1 member); review the plan, then pass --force to \
         apply it, or raise --max-removals\n"
    );
    // --force changes nothing in a dry run, so a dry run and its apply can share their flags.
    let forced = sync(
        &server,
        "user_id,role\nuser_ann,org:admin\n",
        &["--prune", "--max-removals", "1", "--force"],
    );
    assert_eq!(forced.status.code(), Some(3));
    assert_eq!(text(&forced.stdout), text(&out.stdout));
    assert!(only_reads(&server));
}

#[test]
fn a_stderr_that_cannot_be_written_changes_neither_the_work_nor_the_exit_code() {
    let server = acme();
    let run = |args: &[&str], stderr: std::process::Stdio| {
        let mut child = crate::support::spawnable(server.base_url())
            .args(["-v", "sync", "--org", ORG, "-"])
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("the binary runs");
        std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), ROSTER.as_bytes())
            .expect("write the roster");
        let output = child.wait_with_output().expect("wait");
        (output.status.code(), text(&output.stdout))
    };
    // A full device: every write to stderr fails.
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full")
    };
    let (code, stdout) = run(&[], full().into());
    assert_eq!((code, stdout.as_str()), (Some(3), PLAN));
    // A pipe whose reader is gone, as under `2>&1 | head -1`.
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let (code, stdout) = run(&["--apply"], writer.into());
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.ends_with(
            "result: 2 applied, 0 already done, 0 skipped, 0 failed, 0 unknown, 0 unresolved\n"
        ),
        "{stdout}"
    );
    let (code, _) = run(&[], full().into());
    assert_eq!(code, Some(0), "in sync after the apply");
}

#[test]
fn removals_while_a_row_names_nobody_need_force() {
    let server = acme();
    // A typo in Cara's address: she would be pruned, and her row names nobody.
    let roster =
        "email,role\nann@acme.com,org:admin\nbob@acme.com,org:member\ncara@acme.con,org:member\n";
    let refused = sync(&server, roster, &["--prune", "--apply"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stdout).contains("? <stdin>:4: email address \"cara@acme.con\": not found"),
        "{}",
        text(&refused.stdout)
    );
    assert_eq!(
        text(&refused.stderr),
        "clerk-memberships: error: refused: 1 row names nobody while 1 member would be removed: \
         the person a row meant may be one of them; nothing was changed. Review the plan, then \
         fix the rows, or pass --force to apply it as it is\n"
    );
    assert!(only_reads(&server));
    assert_eq!(members(&server).len(), 3);
    // The dry run's plan names the rail with a `!` line, as it names the library's rails.
    let dry = sync(&server, roster, &["--prune"]);
    assert_eq!(dry.status.code(), Some(3));
    assert!(
        text(&dry.stdout).contains(
            "! 1 row names nobody while 1 member would be removed: the person a row meant may \
             be one of them: --apply needs --force\n"
        ),
        "{}",
        text(&dry.stdout)
    );

    let forced = sync(&server, roster, &["--prune", "--apply", "--force"]);
    assert_eq!(forced.status.code(), Some(5), "the row still names nobody");
    assert_eq!(
        members(&server),
        ["user_ann=org:admin", "user_bob=org:member"]
    );
}

#[test]
fn an_empty_roster_with_prune_needs_force() {
    let server = acme();
    let refused = sync(
        &server,
        "email,role\n",
        &["--prune", "--apply", "--max-removals", "100%"],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains(
            "refused: the roster lists nobody, so --prune would remove 2 of the 3 members"
        ),
        "{}",
        text(&refused.stderr)
    );
    assert!(only_reads(&server));
    let dry = sync(
        &server,
        "email,role\n",
        &["--prune", "--max-removals", "100%"],
    );
    assert!(
        text(&dry.stdout).contains(
            "! the roster lists nobody, so --prune would remove 2 of the 3 members: --apply \
             needs --force\n"
        ),
        "{}",
        text(&dry.stdout)
    );
}

#[test]
fn protect_takes_user_ids_only() {
    let server = acme();
    let out = sync(&server, ROSTER, &["--protect", "hr-bob"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("\"hr-bob\" is not a user id (user_…)"),
        "{}",
        text(&out.stderr)
    );
    assert!(server.fake().requests().is_empty());
}

#[test]
fn stop_on_error_leaves_the_changes_not_started_undone() {
    let server = acme();
    let mut roster = String::from("email,role\nann@acme.com,org:admin\n");
    for i in 0..4 {
        server.add_user(FakeUser::new(format!("New{i}"), "X").email(format!("new{i}@acme.com")));
        roster.push_str(&format!("new{i}@acme.com,org:member\n"));
    }
    server.inject_with(
        clerk_memberships::testing::Fault::ServerError { status: 400 },
        clerk_memberships::testing::FaultScope::default()
            .times(100)
            .only(Operation::Create),
    );
    let out = sync(
        &server,
        &roster,
        &["--apply", "--workers", "1", "--stop-on-error"],
    );
    assert_eq!(out.status.code(), Some(5));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.matches("=> failed").count(), 1, "{stdout}");
    assert_eq!(stdout.matches("=> skipped").count(), 3, "{stdout}");
    let creates = server
        .requests()
        .iter()
        .filter(|request| request.operation() == Operation::Create)
        .count();
    assert_eq!(creates, 1, "nothing sent after the first failure");
}

#[test]
fn a_membership_that_does_not_say_whose_it_is_is_exit_1_naming_it() {
    let mut membership: Value =
        serde_json::from_str(clerk_memberships::testing::MEMBERSHIP_JSON).unwrap();
    membership["id"] = json!("orgmem_nameless");
    membership
        .as_object_mut()
        .unwrap()
        .remove("public_user_data");
    let page = json!({"data": [membership], "total_count": 1}).to_string();
    let server = httpmock::MockServer::start();
    server.mock(|when, then| {
        when.path("/v1/organization_roles");
        then.status(200)
            .header("content-type", "application/json")
            .body(ROLES_JSON);
    });
    server.mock(|when, then| {
        when.path("/v1/organizations/org_acme/memberships");
        then.status(200)
            .header("content-type", "application/json")
            .body(page);
    });
    let output = crate::support::bare_cli()
        .env("CLERK_SECRET_KEY", FakeClerk::SECRET_KEY)
        .env("CLERK_API_URL", server.url("/v1"))
        .args(["sync", "--org", ORG, "-"])
        .write_stdin("email,role\nann@acme.com,org:admin\n")
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "");
    assert_eq!(
        text(&output.stderr),
        "clerk-memberships: error: organization \"org_acme\" lists membership \
         \"orgmem_nameless\" without public_user_data: a sync cannot tell whose it is\n"
    );
}

#[test]
fn rows_with_a_role_the_instance_does_not_have_are_refused_by_line_before_anything_is_written() {
    let server = acme();
    let before = members(&server);
    let roster = "email,role\nann@acme.com,org:admin\nbob@acme.com,org:admn\ndave@acme.com,admin\n";
    for args in [&[][..], &["--apply"][..]] {
        server.fake().clear_requests();
        let out = sync(&server, roster, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(text(&out.stdout), "", "{args:?}");
        assert_eq!(
            text(&out.stderr),
            "clerk-memberships: error: <stdin>:3: the role \"org:admn\" is not a role of the \
             instance (its roles: org:admin, org:member)\n\
             <stdin>:4: the role \"admin\" is not a role of the instance (its roles: \
             org:admin, org:member)\n",
            "{args:?}"
        );
        let operations: Vec<Operation> = server
            .fake()
            .requests()
            .iter()
            .map(|request| request.operation())
            .collect();
        assert_eq!(operations, [Operation::ListOrganizationRoles], "{args:?}");
    }
    assert_eq!(members(&server), before);
}

/// Acme (`org_acme`, slug `acme`) as [`acme`] seeds it, and Globex (`org_globex`, slug
/// `globex`) with Dave as its admin and Cara a member.
fn acme_and_globex() -> FakeServer {
    let server = acme();
    let fake = server.fake();
    fake.add_organization(FakeOrganization::new("Globex").id("org_globex"));
    fake.add_membership("org_globex", "user_dave", "org:admin")
        .expect("seed");
    fake.add_membership("org_globex", "user_cara", "org:member")
        .expect("seed");
    server
}

/// `sync -` with `args` after it and `roster` on stdin, without `--org`.
fn sync_all(server: &FakeServer, roster: &str, args: &[&str]) -> std::process::Output {
    cli(server)
        .args(["sync", "-"])
        .args(args)
        .write_stdin(roster)
        .output()
        .expect("the binary runs")
}

/// Promotes Bob in Acme (by slug), adds Ann to Globex (by id).
const ORGS_ROSTER: &str = "organization,email,role\n\
                           acme,ann@acme.com,org:admin\n\
                           acme,bob@acme.com,org:admin\n\
                           acme,cara@acme.com,org:member\n\
                           org_globex,ann@acme.com,org:member\n\
                           globex,dave@acme.com,org:admin\n\
                           globex,cara@acme.com,org:member\n";

#[test]
fn an_organization_column_plans_every_organization_grouped() {
    let server = acme_and_globex();
    let out = sync_all(&server, ORGS_ROSTER, &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "# org_acme (acme)\n\
         ~ user_bob (bob@acme.com) role org:member -> org:admin\n\
         plan: 0 to add, 1 role change, 0 metadata merges, 0 to remove, 0 skipped, 0 unresolved\n\
         # org_globex (globex)\n\
         + user_ann (ann@acme.com) org:member\n\
         plan: 1 to add, 0 role changes, 0 metadata merges, 0 to remove, 0 skipped, 0 unresolved\n\
         total: 1 to add, 1 role change, 0 metadata merges, 0 to remove, 0 skipped, 0 unresolved in 2 organizations\n"
    );
    assert!(
        server
            .fake()
            .requests()
            .iter()
            .all(|r| r.method() == clerk_memberships::Method::Get),
        "a dry run only reads"
    );

    let json = sync_all(&server, ORGS_ROSTER, &["--format", "json"]);
    let doc: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(doc["counts"]["add"], 1);
    assert_eq!(doc["organizations"][0]["organization_id"], "org_acme");
    assert_eq!(doc["organizations"][0]["names"], json!(["acme"]));
    assert_eq!(
        doc["organizations"][1]["names"],
        json!(["org_globex", "globex"])
    );
    assert_eq!(doc["organizations"][1]["changes"][0]["user_id"], "user_ann");

    let applied = sync_all(&server, ORGS_ROSTER, &["--apply"]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied.stderr));
    let again = sync_all(&server, ORGS_ROSTER, &[]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        text(&again.stdout),
        "in sync: nothing to change in 2 organizations\n"
    );
}

#[test]
fn org_with_an_organization_column_is_a_usage_error_and_so_is_neither() {
    let server = acme_and_globex();
    let out = sync(&server, ORGS_ROSTER, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--org and an organization column"),
        "{}",
        text(&out.stderr)
    );
    let out = sync_all(&server, ROSTER, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no organization"),
        "{}",
        text(&out.stderr)
    );
    assert!(server.fake().requests().is_empty(), "nothing sent");
}

#[test]
fn an_unknown_organization_is_named_by_its_lines_and_nothing_is_written() {
    let server = acme_and_globex();
    let roster = "organization,email,role\n\
                  acme,ann@acme.com,org:admin\n\
                  initech,bob@acme.com,org:admin\n";
    let out = sync_all(&server, roster, &["--apply"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("<stdin>:3: no organization has the id or slug \"initech\""),
        "{}",
        text(&out.stderr)
    );
    assert!(
        server
            .fake()
            .requests()
            .iter()
            .all(|r| r.method() == clerk_memberships::Method::Get)
    );
}

/// Acme keeps only Ann (two removals of three, over `--max-removals 1`); Globex gains Ann.
const SHRINKS_ACME: &str = "organization,email,role\n\
                            acme,ann@acme.com,org:admin\n\
                            globex,dave@acme.com,org:admin\n\
                            globex,cara@acme.com,org:member\n\
                            globex,ann@acme.com,org:member\n";

#[test]
fn an_organization_over_its_threshold_is_refused_while_the_others_are_applied_exit_5() {
    let server = acme_and_globex();
    let out = sync_all(
        &server,
        SHRINKS_ACME,
        &["--apply", "--prune", "--max-removals", "1"],
    );
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("! refused org_acme: 2 of 3 members would be removed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+ user_ann (ann@acme.com) org:member => applied"),
        "{stdout}"
    );
    assert_eq!(members(&server).len(), 3, "nothing written to Acme");
    assert_eq!(server.fake().memberships("org_globex").len(), 3);
    assert!(
        text(&out.stderr).contains("1 organization refused by a safety rail"),
        "{}",
        text(&out.stderr)
    );

    // Every organization with changes refused: the whole run is, before writing (exit 2).
    let only_acme = "organization,email,role\nacme,ann@acme.com,org:admin\n";
    let out = sync_all(
        &server,
        only_acme,
        &["--apply", "--prune", "--max-removals", "1"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(members(&server).len(), 3);
    // And its dry run says so, not that the others would be applied.
    let out = sync_all(&server, only_acme, &["--prune", "--max-removals", "1"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(
            "--apply would refuse every organization with changes (see the lines starting \
             with `! `)"
        ),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn json_apply_over_organizations_carries_each_report_and_the_refused_with_their_numbers() {
    let server = acme_and_globex();
    let out = sync_all(
        &server,
        SHRINKS_ACME,
        &[
            "--apply",
            "--prune",
            "--max-removals",
            "1",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(
        doc["plan"]["organizations"][0]["organization_id"],
        "org_acme"
    );
    assert_eq!(doc["plan"]["organizations"][0]["counts"]["remove"], 2);
    let report = &doc["report"];
    assert_eq!(report["organizations"].as_array().map(Vec::len), Some(1));
    assert_eq!(report["organizations"][0]["organization_id"], "org_globex");
    assert_eq!(report["counts"]["applied"], 1);
    assert_eq!(report["refused"][0]["organization_id"], "org_acme");
    assert_eq!(report["refused"][0]["removal_check"]["removals"], 2);
    assert_eq!(report["refused"][0]["removal_check"]["current_members"], 3);
}

#[test]
fn invite_over_organizations_holds_the_invitation_limit_for_each() {
    let server = acme_and_globex();
    let roster = "organization,email,role\n\
                  acme,ann@acme.com,org:admin\n\
                  acme,bob@acme.com,org:member\n\
                  acme,cara@acme.com,org:member\n\
                  acme,new1@acme.com,org:member\n\
                  acme,new2@acme.com,org:member\n\
                  globex,dave@acme.com,org:admin\n\
                  globex,cara@acme.com,org:member\n\
                  globex,new3@acme.com,org:member\n";
    let out = sync_all(
        &server,
        roster,
        &["--apply", "--invite", "--max-invites", "1"],
    );
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("! refused org_acme: 2 invitations would be sent, over the limit of 1"),
        "{stdout}"
    );
    assert!(
        server.fake().invitations("org_acme").is_empty(),
        "no email for Acme"
    );
    let sent: Vec<String> = server
        .fake()
        .invitations("org_globex")
        .into_iter()
        .map(|invitation| invitation.email_address)
        .collect();
    assert_eq!(sent, ["new3@acme.com"]);
}
