//! The member commands, run as a binary against the fake Clerk served on loopback: output in
//! each format, exit codes, confirmation, errors and their hints.

use std::io::Write;

use crate::support::{ORG, acme, bare_cli, cli, run, text};
use clerk_memberships::Operation;
use clerk_memberships::testing::{FakeClerk, Fault, FaultScope};
use serde_json::Value;

const TABLE: &str = "\
USER_ID    IDENTIFIER     ROLE        CREATED_AT
user_cara  cara@acme.com  org:member  2026-05-12T00:00:00.000Z
user_bob   bob@acme.com   org:member  2026-05-12T00:00:00.000Z
user_ann   ann@acme.com   org:admin   2026-05-12T00:00:00.000Z
";

const CSV: &str = "\
user_id,identifier,role,created_at,public_metadata
user_cara,cara@acme.com,org:member,2026-05-12T00:00:00.000Z,{}
user_bob,bob@acme.com,org:member,2026-05-12T00:00:00.000Z,{}
user_ann,ann@acme.com,org:admin,2026-05-12T00:00:00.000Z,{}
";

/// A fake holding [`ORG`] with `members` example members (`user{i}@example.com`), served.
fn big_org(fake: FakeClerk, members: usize) -> clerk_memberships::testing::FakeServer {
    fake.add_example_members(ORG, members).unwrap();
    crate::support::serve(&fake)
}

/// A fake holding an empty [`ORG`].
fn empty_org() -> FakeClerk {
    let fake = FakeClerk::new();
    fake.add_organization(clerk_memberships::testing::FakeOrganization::new("Big").id(ORG));
    fake
}

fn user_ids(lines: &[Value]) -> Vec<&str> {
    lines
        .iter()
        .map(|m| m["public_user_data"]["user_id"].as_str().unwrap())
        .collect()
}

#[test]
fn list_prints_an_aligned_table() {
    let server = acme();
    let (code, stdout, stderr) =
        run(cli(&server).args(["list", "--org", ORG, "--format", "table"]));
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, TABLE, ""));
}

#[test]
fn list_prints_csv_with_the_header_first() {
    let server = acme();
    let (code, stdout, _) = run(cli(&server).args(["list", "--org", ORG, "--format", "csv"]));
    assert_eq!((code, stdout.as_str()), (0, CSV));
}

#[test]
fn csv_quotes_metadata_and_commas() {
    let server = acme();
    server
        .set_membership_role(ORG, "user_bob", "org:member")
        .unwrap();
    let (code, _, _) = run(cli(&server).args([
        "metadata",
        "--org",
        ORG,
        "--user",
        "user_bob",
        "--public-metadata",
        r#"{"team":"a,b","n":1}"#,
    ]));
    assert_eq!(code, 0);
    let (_, stdout, _) = run(cli(&server).args([
        "list",
        "--org",
        ORG,
        "--user-id",
        "user_bob",
        "--format",
        "csv",
    ]));
    assert_eq!(
        stdout,
        "user_id,identifier,role,created_at,public_metadata\n\
         user_bob,bob@acme.com,org:member,2026-05-12T00:00:00.000Z,\"{\"\"n\"\":1,\"\"team\"\":\"\"a,b\"\"}\"\n"
    );
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let record = reader.records().next().unwrap().unwrap();
    let metadata: Value = serde_json::from_str(&record[4]).unwrap();
    assert_eq!(metadata, serde_json::json!({"team": "a,b", "n": 1}));
}

#[test]
fn list_prints_json_lines_by_default_when_stdout_is_not_a_terminal() {
    let server = acme();
    let (code, stdout, _) = run(cli(&server).args(["list", "--org", ORG]));
    assert_eq!(code, 0);
    let lines: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON object"))
        .collect();
    assert_eq!(user_ids(&lines), ["user_cara", "user_bob", "user_ann"]);
    assert_eq!(lines[2]["role"], "org:admin");
    assert_eq!(lines[2]["object"], "organization_membership");
    let (_, explicit, _) = run(cli(&server).args(["list", "--org", ORG, "--format", "jsonl"]));
    assert_eq!(explicit, stdout);
}

#[test]
fn list_prints_json_as_an_array_one_membership_per_line() {
    let server = acme();
    let (code, stdout, _) = run(cli(&server).args(["list", "--org", ORG, "--format", "json"]));
    assert_eq!(code, 0);
    let array: Vec<Value> = serde_json::from_str(&stdout).expect("one JSON array");
    assert_eq!(user_ids(&array), ["user_cara", "user_bob", "user_ann"]);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!((lines[0], lines[4], lines.len()), ("[", "]", 5));

    let (_, empty, _) = run(cli(&server).args([
        "list",
        "--org",
        ORG,
        "--role",
        "org:nobody",
        "--format",
        "json",
    ]));
    assert_eq!(empty, "[]\n");
}

#[test]
fn every_list_filter_goes_on_the_wire_as_the_api_names_it() {
    let server = acme();
    let (code, _, stderr) = run(cli(&server).args([
        "list",
        "--org",
        ORG,
        "--user-id",
        "user_ann",
        "--user-id",
        "-user_bob",
        "--email-address",
        "ann@acme.com",
        "--phone-number",
        "+15550100",
        "--username",
        "ann",
        "--web3-wallet",
        "0xabc",
        "--role",
        "org:admin",
        "--role",
        "org:member",
        "--query",
        "a b",
        "--email-address-query",
        "acme",
        "--phone-number-query",
        "555",
        "--username-query",
        "an",
        "--name-query",
        "Ann",
        "--last-active-at-before",
        "2000",
        "--last-active-at-after",
        "-1000",
        "--created-at-before",
        "4000",
        "--created-at-after",
        "3000",
        "--order-by",
        "-created_at",
        "--limit",
        "7",
        "--offset",
        "2",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let request = server.last_request().unwrap();
    let user_agent = request.header("user-agent").unwrap();
    assert!(
        user_agent.starts_with("clerk-memberships-cli/0.1.0 clerk-memberships/"),
        "{user_agent}"
    );
    // After the CLI's name, the library's own default, at the library's version.
    let library = clerk_memberships::testing::MockTransport::new().client();
    let rendered = clerk_memberships::ListMemberships::builder()
        .organization_id(ORG)
        .build()
        .unwrap()
        .render(&library)
        .unwrap();
    assert_eq!(
        user_agent,
        format!(
            "clerk-memberships-cli/0.1.0 {}",
            rendered.header("user-agent").unwrap()
        )
    );
    let query = request.url().split_once('?').unwrap().1;
    assert_eq!(
        query,
        "order_by=-created_at&user_id=user_ann&user_id=-user_bob&email_address=ann%40acme.com\
         &phone_number=%2B15550100&username=ann&web3_wallet=0xabc&role=org%3Aadmin\
         &role=org%3Amember&query=a%20b&email_address_query=acme&phone_number_query=555\
         &username_query=an&name_query=Ann&last_active_at_before=2000\
         &last_active_at_after=-1000&created_at_before=4000&created_at_after=3000&limit=7\
         &offset=2"
    );
}

#[test]
fn list_filters_select_members() {
    let server = acme();
    let (_, admins, _) = run(cli(&server).args([
        "list",
        "--org",
        ORG,
        "--role",
        "org:admin",
        "--format",
        "csv",
    ]));
    assert_eq!(admins.lines().count(), 2);
    assert!(admins.contains("user_ann,ann@acme.com,org:admin"));
    let (_, page, _) = run(cli(&server).args([
        "list", "--org", ORG, "--limit", "1", "--offset", "1", "--format", "csv",
    ]));
    assert_eq!(
        page.lines().nth(1).unwrap().split(',').next(),
        Some("user_bob")
    );
}

#[test]
fn list_all_reads_every_page_into_a_fixed_width_table() {
    let fake = empty_org();
    let long = format!("{}@example.com", "a".repeat(40));
    let first_user =
        fake.add_user(clerk_memberships::testing::FakeUser::new("Long", "X").email(&long));
    fake.add_membership(ORG, &first_user, "org:member").unwrap();
    let server = big_org(fake, 1000);
    let (code, stdout, stderr) = run(cli(&server).args([
        "list",
        "--org",
        ORG,
        "--all",
        "--format",
        "table",
        "--rate-limit",
        "off",
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr, "",
        "no progress is drawn when stderr is not a terminal"
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1 + 1001);
    assert_eq!(
        lines[0],
        "USER_ID                           IDENTIFIER                            ROLE                  CREATED_AT"
    );
    let cut = format!("{}…", &long[..35]);
    assert!(
        lines.contains(
            &format!("{first_user:<32}  {cut}  org:member            2026-05-12T00:00:00.000Z")
                .as_str()
        ),
        "the long identifier is cut to 36 characters"
    );
    // Three pages of at most 500.
    let lists = server
        .requests()
        .iter()
        .filter(|r| r.url().contains("/memberships"))
        .count();
    assert_eq!(lists, 3);
}

#[test]
fn list_all_in_json_and_jsonl_holds_every_member_once() {
    let server = big_org(empty_org(), 700);
    let (_, json, _) = run(cli(&server).args(["list", "--org", ORG, "--all", "--format", "json"]));
    let array: Vec<Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(array.len(), 700);
    let (_, jsonl, _) =
        run(cli(&server).args(["list", "--org", ORG, "--all", "--format", "jsonl"]));
    let mut ids: Vec<String> = jsonl
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["public_user_data"]["user_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 700);
    let (_, csv, _) = run(cli(&server).args(["list", "--org", ORG, "--all", "--format", "csv"]));
    assert_eq!(csv.lines().count(), 701);
}

#[test]
fn all_conflicts_with_limit_and_offset() {
    let server = acme();
    let (code, _, stderr) = run(cli(&server).args(["list", "--org", ORG, "--all", "--limit", "5"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

#[test]
fn a_limit_out_of_range_is_a_usage_error_and_nothing_is_sent() {
    let server = acme();
    let (code, _, stderr) = run(cli(&server).args(["list", "--org", ORG, "--limit", "501"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("limit"), "{stderr}");
    assert!(server.requests().is_empty());
    for limit in ["0", "501"] {
        let (code, _, stderr) = run(cli(&server).args(["list", "--org", ORG, "--limit", limit]));
        assert_eq!(code, 2, "{limit}");
        assert!(stderr.contains("between 1 and 500"), "{limit}: {stderr}");
    }
    assert!(server.requests().is_empty());
}

#[test]
fn get_prints_the_membership_in_each_format() {
    let server = acme();
    let get = |format: &str| {
        run(cli(&server).args([
            "get", "--org", ORG, "--user", "user_ann", "--format", format,
        ]))
    };
    let (code, table, _) = get("table");
    assert_eq!(code, 0);
    assert_eq!(
        table,
        "USER_ID   IDENTIFIER    ROLE       CREATED_AT\n\
         user_ann  ann@acme.com  org:admin  2026-05-12T00:00:00.000Z\n"
    );
    let (_, csv, _) = get("csv");
    assert_eq!(
        csv,
        "user_id,identifier,role,created_at,public_metadata\n\
         user_ann,ann@acme.com,org:admin,2026-05-12T00:00:00.000Z,{}\n"
    );
    let (_, json, _) = get("json");
    let object: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(object["public_user_data"]["user_id"], "user_ann");
    assert_eq!(object["role"], "org:admin");
    assert!(
        json.starts_with("{\n  \"object\": \"organization_membership\""),
        "indented: {json}"
    );
    let (_, jsonl, _) = get("jsonl");
    assert_eq!(jsonl.lines().count(), 1);
    assert_eq!(serde_json::from_str::<Value>(&jsonl).unwrap(), object);
}

#[test]
fn get_of_a_user_who_is_not_a_member_exits_4() {
    let server = acme();
    let (code, stdout, stderr) =
        run(cli(&server).args(["get", "--org", ORG, "--user", "user_dave"]));
    assert_eq!((code, stdout.as_str()), (4, ""));
    assert_eq!(
        stderr,
        "clerk-memberships: error: user_dave is not a member of org_acme\n\
         hint: `clerk-memberships list --org ORG` shows who is a member\n"
    );
}

#[test]
fn an_unknown_organization_is_an_api_error_naming_the_call_status_message_and_code() {
    let server = acme();
    let (code, _, stderr) =
        run(cli(&server).args(["get", "--org", "org_nope", "--user", "user_ann"]));
    assert_eq!(code, 1);
    let first = stderr.lines().next().unwrap();
    assert!(first.starts_with("clerk-memberships: error: list memberships (GET /organizations/org_nope/memberships): clerk api error (status 404)"), "{first}");
    assert!(first.contains("[resource_not_found]"), "{first}");
    assert!(
        stderr
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("hint: not found: check the ids given (--org, --user)")
    );
}

#[test]
fn add_creates_the_membership_with_metadata_inline_from_a_file_and_from_stdin() {
    let server = acme();
    let dir = std::env::temp_dir().join(format!("cm-cli-add-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("private.json");
    std::fs::write(&file, r#"{"salary_band": 3}"#).unwrap();
    let (code, stdout, stderr) = run(cli(&server)
        .args([
            "add",
            "--org",
            ORG,
            "--user",
            "user_dave",
            "--role",
            "org:admin",
            "--format",
            "csv",
        ])
        .args(["--public-metadata", "-"])
        .arg(format!("--private-metadata=@{}", file.display()))
        .write_stdin(r#"{"team": "blue"}"#));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "user_id,identifier,role,created_at,public_metadata\n\
         user_dave,dave@acme.com,org:admin,2026-05-12T00:00:00.000Z,\"{\"\"team\"\":\"\"blue\"\"}\"\n"
    );
    let body: Value =
        serde_json::from_slice(server.last_request().unwrap().body().unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"user_id": "user_dave", "role": "org:admin",
            "public_metadata": {"team": "blue"}, "private_metadata": {"salary_band": 3}})
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn add_of_an_existing_member_is_clerks_error_with_its_code() {
    let server = acme();
    let (code, _, stderr) = run(cli(&server).args([
        "add",
        "--org",
        ORG,
        "--user",
        "user_ann",
        "--role",
        "org:member",
    ]));
    assert_eq!(code, 1);
    assert!(stderr.starts_with("clerk-memberships: error: create membership (POST /organizations/org_acme/memberships): clerk api error (status 400)"), "{stderr}");
    assert!(
        stderr.contains("[already_a_member_in_organization]"),
        "{stderr}"
    );
}

#[test]
fn metadata_arguments_are_checked_before_anything_is_sent() {
    let server = acme();
    for (args, message) in [
        (
            vec!["--public-metadata", "-", "--private-metadata", "-"],
            "only one of --public-metadata and --private-metadata can read stdin",
        ),
        (
            vec!["--public-metadata", "{nope"],
            "--public-metadata is not valid JSON",
        ),
        (
            vec!["--private-metadata", "[1]"],
            "--private-metadata must be a JSON object",
        ),
        (
            vec!["--public-metadata", "@/nonexistent/meta.json"],
            "--public-metadata: cannot read /nonexistent/meta.json",
        ),
    ] {
        let (code, _, stderr) = run(cli(&server)
            .args([
                "add",
                "--org",
                ORG,
                "--user",
                "user_dave",
                "--role",
                "org:member",
            ])
            .args(&args)
            .write_stdin("{}"));
        assert_eq!(code, 2, "{args:?}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    let (code, _, stderr) =
        run(cli(&server).args(["metadata", "--org", ORG, "--user", "user_ann"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("nothing to merge"), "{stderr}");
    assert!(server.requests().is_empty());
}

#[test]
fn set_role_changes_the_role_and_prints_the_membership() {
    let server = acme();
    let (code, stdout, _) = run(cli(&server).args([
        "set-role",
        "--org",
        ORG,
        "--user",
        "user_bob",
        "--role",
        "org:admin",
        "--format",
        "table",
    ]));
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "USER_ID   IDENTIFIER    ROLE       CREATED_AT\n\
         user_bob  bob@acme.com  org:admin  2026-05-12T00:00:00.000Z\n"
    );
    assert_eq!(
        server.membership(ORG, "user_bob").unwrap().role,
        "org:admin"
    );
}

#[test]
fn set_role_metadata_and_remove_of_a_non_member_exit_4() {
    let server = acme();
    for args in [
        vec!["set-role", "--role", "org:admin"],
        vec!["metadata", "--public-metadata", "{}"],
        vec!["remove", "--yes"],
    ] {
        let (code, stdout, stderr) =
            run(cli(&server)
                .args(&args)
                .args(["--org", ORG, "--user", "user_dave"]));
        assert_eq!((code, stdout.as_str()), (4, ""), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("clerk-memberships: error: user_dave is not a member of org_acme\n"),
            "{stderr}"
        );
    }
}

#[test]
fn set_role_in_an_unknown_organization_is_not_called_not_a_member() {
    let server = acme();
    let (code, _, stderr) = run(cli(&server).args([
        "set-role",
        "--org",
        "org_nope",
        "--user",
        "user_ann",
        "--role",
        "org:admin",
    ]));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("update membership (PATCH /organizations/org_nope/memberships/user_ann)"),
        "{stderr}"
    );
}

#[test]
fn metadata_deep_merges_and_null_deletes_a_key() {
    let server = acme();
    let merge = |json: &str| {
        run(cli(&server).args([
            "metadata",
            "--org",
            ORG,
            "--user",
            "user_cara",
            "--public-metadata",
            json,
            "--format",
            "json",
        ]))
    };
    let (code, _, _) = merge(r#"{"team": {"name": "blue", "lead": true}, "floor": 3}"#);
    assert_eq!(code, 0);
    let (code, stdout, _) = merge(r#"{"team": {"lead": null}, "floor": null}"#);
    assert_eq!(code, 0);
    let membership: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        membership["public_metadata"],
        serde_json::json!({"team": {"name": "blue"}})
    );
}

#[test]
fn remove_without_a_terminal_and_without_yes_refuses_and_sends_nothing() {
    let server = acme();
    let (code, stdout, stderr) =
        run(cli(&server).args(["remove", "--org", ORG, "--user", "user_bob"]));
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr,
        "clerk-memberships: error: refusing to remove user_bob from org_acme without \
         confirmation: stdin is not a terminal; pass --yes to remove anyway\n"
    );
    assert!(server.requests().is_empty());
    assert!(server.membership(ORG, "user_bob").is_some());
}

#[test]
fn remove_with_yes_removes_and_prints_the_removed_membership() {
    let server = acme();
    let (code, stdout, _) = run(cli(&server).args([
        "remove", "--org", ORG, "--user", "user_bob", "--yes", "--format", "csv",
    ]));
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "user_id,identifier,role,created_at,public_metadata\n\
         user_bob,bob@acme.com,org:member,2026-05-12T00:00:00.000Z,{}\n"
    );
    assert!(server.membership(ORG, "user_bob").is_none());
}

#[test]
fn remove_whose_answer_was_lost_after_it_removed_the_member_says_so_and_exits_0() {
    let server = acme();
    // The first DELETE removes Bob, then a proxy answers 503; the retry meets a 404.
    server.inject_with(
        Fault::ServerError { status: 503 },
        FaultScope::default()
            .only(Operation::Delete)
            .after_processing(),
    );
    let (code, stdout, stderr) = run(cli(&server).args([
        "remove", "--org", ORG, "--user", "user_bob", "--yes", "--format", "csv",
    ]));
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    assert_eq!(
        stderr,
        "user_bob removed from org_acme (the answer was lost; the member is gone)\n"
    );
    assert!(server.membership(ORG, "user_bob").is_none());
    let deletes = server
        .requests()
        .iter()
        .filter(|request| request.operation() == Operation::Delete)
        .count();
    assert_eq!(deletes, 2);
}

#[test]
fn get_checks_the_ids_by_the_builders_rule_before_anything_is_sent() {
    let server = acme();
    for (org, user, rule) in [
        (ORG, " ", "invalid `user_id`: must not be only whitespace"),
        (
            "..",
            "user_bob",
            "invalid `organization_id`: must not be `.` or `..`",
        ),
        (ORG, "", "invalid `user_id`: must not be empty"),
    ] {
        let (code, stdout, stderr) = run(cli(&server).args(["get", "--org", org, "--user", user]));
        assert_eq!((code, stdout.as_str()), (2, ""));
        assert_eq!(
            stderr,
            format!("clerk-memberships: error: invalid arguments: {rule}\n")
        );
    }
    assert!(server.requests().is_empty());
}

#[test]
fn a_bad_key_is_exit_1_with_a_hint_and_the_key_is_never_printed() {
    let server = acme();
    server.require_secret_key("sk_test_the_right_one");
    let wrong = "sk_test_WRONGkey0123456789";
    let (code, stdout, stderr) = run(cli(&server)
        .env("CLERK_SECRET_KEY", wrong)
        .args(["-v", "list", "--org", ORG]));
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert!(stderr.contains("(status 401)"), "{stderr}");
    assert!(
        stderr.contains("hint: Clerk refused the secret key: check CLERK_SECRET_KEY"),
        "{stderr}"
    );
    assert!(!stderr.contains(wrong), "{stderr}");
}

#[test]
fn verbose_prints_each_attempt_and_never_the_key() {
    let server = acme();
    let key = "sk_test_VerySecretValue42";
    server.require_secret_key(key);
    server.inject(clerk_memberships::testing::Fault::ServerError { status: 503 });
    let (code, stdout, stderr) = run(cli(&server).env("CLERK_SECRET_KEY", key).args([
        "list",
        "--org",
        ORG,
        "--verbose",
        "--format",
        "csv",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    // The full URL (scheme, host, port, path), never the query string.
    let url = format!("{}/organizations/org_acme/memberships", server.base_url());
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(
        lines[0].starts_with(&format!("> GET {url} attempt 1: 503, retrying in ")),
        "{stderr}"
    );
    assert_eq!(lines[1], format!("> GET {url} attempt 2: 200"));
    assert!(!stderr.contains('?'), "{stderr}");
    for output in [&stdout, &stderr] {
        assert!(!output.contains(key));
        assert!(!output.contains("VerySecretValue42"));
    }
}

#[test]
fn verbose_shows_the_url_a_wrong_base_path_makes() {
    let server = acme();
    let root = server.base_url().trim_end_matches("/v1").to_owned();
    // A path-less base URL gains `/v1`; another path is kept, and the fake, as Clerk, has no
    // API there: the URL on stderr shows why.
    let path = "/organizations/org_acme/memberships";
    for (base, url, status) in [
        (root.clone(), format!("{root}/v1{path}"), "200"),
        (format!("{root}/api/"), format!("{root}/api{path}"), "404"),
    ] {
        let (_, _, stderr) = run(cli(&server).env("CLERK_API_URL", &base).args([
            "list",
            "--org",
            ORG,
            "--role",
            "org:admin",
            "-v",
        ]));
        let first = stderr.lines().next().unwrap_or_default();
        assert_eq!(
            first,
            format!("> GET {url} attempt 1: {status}"),
            "{stderr}"
        );
    }
}

#[test]
fn the_key_can_come_from_a_file() {
    let server = acme();
    let key = "sk_test_from_a_file";
    server.require_secret_key(key);
    let path = std::env::temp_dir().join(format!("cm-cli-key-{}", std::process::id()));
    let mut file = std::fs::File::create(&path).unwrap();
    writeln!(file, "{key}").unwrap();
    let (code, _, stderr) = run(cli(&server)
        .env_remove("CLERK_SECRET_KEY")
        .arg("--secret-key-file")
        .arg(&path)
        .args(["list", "--org", ORG]));
    std::fs::remove_file(&path).ok();
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn without_a_key_it_is_a_usage_error() {
    let (code, _, stderr) = run(bare_cli().args(["list", "--org", ORG]));
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "clerk-memberships: error: no secret key: set CLERK_SECRET_KEY or pass --secret-key-file PATH\n"
    );
}

#[test]
fn plain_http_to_a_remote_host_needs_allow_http() {
    // 0.0.0.0 is not a loopback name to the client, yet connecting to it stays on this
    // machine (port 9, where nothing listens).
    let (code, _, stderr) = run(bare_cli()
        .env("CLERK_SECRET_KEY", FakeClerk::SECRET_KEY)
        .args(["list", "--org", ORG, "--api-url", "http://0.0.0.0:9/v1"]));
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("clerk-memberships: error: invalid `base_url`: must use `https://`"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("see --allow-http) (from --api-url or CLERK_API_URL)\n"),
        "the CLI's flag, not the library's setting: {stderr}"
    );
    let (code, _, stderr) = run(bare_cli()
        .env("CLERK_SECRET_KEY", FakeClerk::SECRET_KEY)
        .args(["list", "--org", ORG, "--allow-http", "--timeout", "1s"])
        .args(["--api-url", "http://0.0.0.0:9/v1"]));
    assert_eq!(code, 1, "sent, and refused by the machine: {stderr}");
    assert!(stderr.contains("hint: cannot reach the server"), "{stderr}");
}

#[test]
fn an_unreachable_server_is_exit_1_with_a_hint() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let (code, stdout, stderr) = run(bare_cli()
        .env("CLERK_SECRET_KEY", FakeClerk::SECRET_KEY)
        .env("CLERK_API_URL", format!("http://127.0.0.1:{port}/v1"))
        .args(["get", "--org", ORG, "--user", "user_ann", "--timeout", "2s"]));
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert!(
        stderr.starts_with(
            "clerk-memberships: error: list memberships (GET /organizations/org_acme/memberships): "
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: cannot reach the server: check --api-url / CLERK_API_URL"),
        "{stderr}"
    );
}

#[test]
fn a_base_url_that_is_not_clerk_gets_a_hint() {
    let server = httpmock::MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(404)
            .header("content-type", "text/html")
            .body("<html><body>Not Found</body></html>");
    });
    let (code, _, stderr) = run(bare_cli()
        .env("CLERK_SECRET_KEY", FakeClerk::SECRET_KEY)
        .env("CLERK_API_URL", server.url("/v1"))
        .args(["get", "--org", ORG, "--user", "user_ann"]));
    assert_eq!(code, 1);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].contains("unexpected response (status 404)"),
        "{stderr}"
    );
    assert_eq!(
        lines[1],
        "hint: the server does not answer like Clerk's Backend API: check --api-url / \
         CLERK_API_URL (e.g. https://api.clerk.com/v1)"
    );
}

/// A page of `count` memberships from `first`, as Clerk sends it.
fn page_json(first: usize, count: usize, total: usize) -> String {
    let template: Value =
        serde_json::from_str(clerk_memberships::testing::MEMBERSHIP_JSON).unwrap();
    let data: Vec<Value> = (first..first + count)
        .map(|i| {
            let mut membership = template.clone();
            membership["id"] = format!("orgmem_{i}").into();
            membership["public_user_data"]["user_id"] = format!("user_{i}").into();
            membership
        })
        .collect();
    serde_json::json!({"data": data, "total_count": total}).to_string()
}

#[test]
fn list_all_prints_the_first_page_before_the_second_is_answered() {
    use crate::support::server::{Action, Response, Server};
    use std::io::{BufRead, BufReader};
    use std::sync::{Mutex, mpsc};

    let (release, released) = mpsc::channel::<()>();
    let released = Mutex::new(released);
    // httpmock cannot hold an answer back until the test says so; the raw server can.
    let server = Server::builder()
        .handler(move |request| {
            let page = if request.target.contains("offset=500") {
                // Held until the test has read a row of the first page from the binary.
                released.lock().unwrap().recv().ok();
                page_json(500, 100, 600)
            } else {
                page_json(0, 500, 600)
            };
            Action::Respond(Response::json(200, page))
        })
        .start();
    let mut child = crate::support::spawnable(&server.base_url())
        .args([
            "list",
            "--org",
            ORG,
            "--all",
            "--format",
            "jsonl",
            "--rate-limit",
            "off",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let first: Value =
        serde_json::from_str(&first).expect("a row of the first page, already printed");
    assert_eq!(first["public_user_data"]["user_id"], "user_0");
    release.send(()).unwrap();
    let rest = stdout.lines().count();
    assert_eq!(rest, 599);
    assert!(child.wait().unwrap().success());
}

#[test]
fn rate_limited_answers_get_a_hint() {
    let server = acme();
    server.inject_with(
        clerk_memberships::testing::Fault::RateLimited {
            retry_after: std::time::Duration::from_secs(30),
        },
        clerk_memberships::testing::FaultScope::default().times(10),
    );
    let (code, _, stderr) =
        run(cli(&server).args(["get", "--org", ORG, "--user", "user_ann", "--timeout", "1s"]));
    assert_eq!(code, 1);
    assert!(stderr.contains("(status 429)"), "{stderr}");
    assert!(
        stderr.contains("hint: Clerk rate limited the call for longer than --timeout allows"),
        "{stderr}"
    );
}

#[test]
fn help_documents_the_exit_codes() {
    let (code, stdout, _) = run(bare_cli().arg("--help"));
    assert_eq!(code, 0);
    for line in [
        "0  success",
        "1  an API or transport error",
        "2  a usage error",
        "3  sync: the dry run found changes pending",
        "4  the user is not a member",
        "5  sync --apply: some change failed",
    ] {
        assert!(stdout.contains(line), "{line}");
    }
}

#[test]
fn a_usage_error_exits_2() {
    let (code, _, stderr) = run(bare_cli().args(["list", "--bogus"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("--bogus"));
    let (code, _, _) = run(bare_cli().args(["list"]));
    assert_eq!(code, 2, "--org is required");
    let (code, _, _) = run(bare_cli().args(["list", "--org", ORG, "--rate-limit", "fast"]));
    assert_eq!(code, 2);
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, stdout, _) = run(bare_cli().args(["completions", shell]));
        assert_eq!(code, 0);
        assert!(stdout.contains("set-role"), "{shell}");
    }
}

#[test]
fn a_reader_that_stops_early_ends_the_listing_quietly() {
    use std::io::{BufRead, BufReader};

    let server = big_org(empty_org(), 1500);
    // As `clerk-memberships list --all | head -1`.
    let mut child = crate::support::spawnable(server.base_url())
        .args([
            "list",
            "--org",
            ORG,
            "--all",
            "--format",
            "csv",
            "--rate-limit",
            "off",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(
        first,
        "user_id,identifier,role,created_at,public_metadata\n"
    );
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stderr), "", "no panic, no error");
}

#[test]
fn remove_on_a_terminal_asks_and_removes_only_on_yes() {
    let server = acme();
    let args = format!("remove --org {ORG} --user user_bob --format csv");
    let Some((code, screen)) = crate::support::on_a_terminal(&server, &args, "n\n") else {
        crate::support::skip_without("util-linux `script` (a terminal)");
        return;
    };
    assert_eq!(code, 2, "{screen}");
    assert!(
        screen.contains("Remove user_bob from org_acme? [y/N] "),
        "{screen}"
    );
    assert!(
        screen.contains("not confirmed: user_bob stays a member of org_acme"),
        "{screen}"
    );
    assert!(server.membership(ORG, "user_bob").is_some());
    assert!(
        server
            .requests()
            .iter()
            .all(|request| request.operation() == Operation::List),
        "only the read that asks about a member: {:?}",
        server.requests()
    );

    // A user who is not a member is told so, exit 4, without being asked about.
    let stranger = format!("remove --org {ORG} --user user_nobody");
    let (code, screen) = crate::support::on_a_terminal(&server, &stranger, "y\n").unwrap();
    assert_eq!(code, 4, "{screen}");
    assert!(!screen.contains("[y/N]"), "{screen}");

    let (code, screen) = crate::support::on_a_terminal(&server, &args, "y\n").unwrap();
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("user_bob,bob@acme.com,org:member"),
        "{screen}"
    );
    assert!(server.membership(ORG, "user_bob").is_none());
}

#[test]
fn a_full_organization_is_named_not_blamed_on_the_key() {
    let fake = FakeClerk::new();
    fake.add_organization(
        clerk_memberships::testing::FakeOrganization::new("Acme")
            .id(ORG)
            .max_allowed_memberships(1),
    );
    let users = fake.add_example_members(ORG, 1).unwrap();
    let outsider = fake.add_user(clerk_memberships::testing::FakeUser::new("Out", "Sider"));
    let server = crate::support::serve(&fake);
    let (code, _, stderr) = run(cli(&server).args([
        "add",
        "--org",
        ORG,
        "--user",
        &outsider,
        "--role",
        "org:member",
    ]));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("(status 403)"), "{stderr}");
    assert!(
        stderr.ends_with(
            "hint: the organization has as many members as it may have (its \
             max_allowed_memberships)\n"
        ),
        "{stderr}"
    );
    assert_eq!(users.len(), 1);
}

#[test]
fn a_key_file_that_never_ends_is_read_only_so_far() {
    // /dev/zero: 4 KiB of NUL bytes are read, which are no key.
    let (code, _, stderr) =
        run(bare_cli().args(["list", "--org", ORG, "--secret-key-file", "/dev/zero"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("(from --secret-key-file /dev/zero)"),
        "{stderr}"
    );
    let dir = std::env::temp_dir();
    let (code, _, stderr) = run(bare_cli()
        .args(["list", "--org", ORG, "--secret-key-file"])
        .arg(&dir));
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read --secret-key-file"), "{stderr}");
}

#[test]
fn a_key_file_saved_with_a_byte_order_mark_and_crlf_is_read() {
    let server = acme();
    let key = "sk_test_saved_by_notepad";
    server.require_secret_key(key);
    let path = std::env::temp_dir().join(format!("cm-cli-bom-key-{}", std::process::id()));
    std::fs::write(&path, format!("\u{feff}{key}\r\n")).unwrap();
    let (code, _, stderr) = run(cli(&server)
        .env_remove("CLERK_SECRET_KEY")
        .args(["list", "--org", ORG, "--secret-key-file"])
        .arg(&path));
    std::fs::remove_file(&path).ok();
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_listing_that_fails_at_once_writes_nothing_to_stdout() {
    let server = acme();
    for format in ["json", "csv", "table", "jsonl"] {
        for all in [false, true] {
            let mut command = cli(&server);
            command.args(["list", "--org", "org_nope", "--format", format]);
            if all {
                command.arg("--all");
            }
            let (code, stdout, _) = run(&mut command);
            assert_eq!((code, stdout.as_str()), (1, ""), "{format} --all={all}");
        }
    }
    // An empty organization still gets its header or its empty array.
    let (_, stdout, _) = run(cli(&server).args([
        "list", "--org", ORG, "--role", "org:none", "--all", "--format", "csv",
    ]));
    assert_eq!(
        stdout,
        "user_id,identifier,role,created_at,public_metadata\n"
    );
}

#[test]
fn get_checks_ids_as_the_calls_on_one_membership_do() {
    let server = acme();
    let (code, _, stderr) = run(cli(&server).args(["get", "--org", ORG, "--user", ""]));
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "clerk-memberships: error: invalid arguments: invalid `user_id`: must not be empty\n"
    );
    assert!(server.requests().is_empty());
}

#[test]
fn each_write_command_prints_its_membership_in_each_format() {
    // (command, its arguments, the user, the role and public metadata it leaves)
    let commands: [(&str, &[&str], &str, &str, &str); 4] = [
        (
            "add",
            &["--role", "org:member"],
            "user_dave",
            "org:member",
            "{}",
        ),
        (
            "set-role",
            &["--role", "org:admin"],
            "user_bob",
            "org:admin",
            "{}",
        ),
        (
            "metadata",
            &["--public-metadata", r#"{"k":1}"#],
            "user_cara",
            "org:member",
            r#"{"k":1}"#,
        ),
        ("remove", &["--yes"], "user_ann", "org:admin", "{}"),
    ];
    for format in ["table", "csv", "json", "jsonl"] {
        for (command, args, user, role, metadata) in commands {
            let server = acme();
            let (code, stdout, stderr) = run(cli(&server)
                .args([command, "--org", ORG, "--user", user, "--format", format])
                .args(args));
            assert_eq!(code, 0, "{command} {format}: {stderr}");
            let email = format!("{}@acme.com", &user[5..]);
            let created = "2026-05-12T00:00:00.000Z";
            match format {
                "table" => {
                    let pad = |s: &str, w: usize| format!("{s:<w$}");
                    let widths = [user.len().max(7), email.len().max(10), role.len().max(4)];
                    assert_eq!(
                        stdout,
                        format!(
                            "{}  {}  {}  CREATED_AT\n{}  {}  {}  {created}\n",
                            pad("USER_ID", widths[0]),
                            pad("IDENTIFIER", widths[1]),
                            pad("ROLE", widths[2]),
                            pad(user, widths[0]),
                            pad(&email, widths[1]),
                            pad(role, widths[2]),
                        ),
                        "{command}"
                    );
                }
                "csv" => {
                    let quoted = if metadata == "{}" {
                        "{}".to_owned()
                    } else {
                        format!("\"{}\"", metadata.replace('"', "\"\""))
                    };
                    assert_eq!(
                        stdout,
                        format!(
                            "user_id,identifier,role,created_at,public_metadata\n\
                             {user},{email},{role},{created},{quoted}\n"
                        ),
                        "{command}"
                    );
                }
                _ => {
                    if format == "jsonl" {
                        assert_eq!(stdout.lines().count(), 1, "{command}");
                    } else {
                        assert!(stdout.starts_with("{\n  \""), "{command}: indented");
                    }
                    let membership: Value = serde_json::from_str(&stdout).unwrap();
                    assert_eq!(membership["public_user_data"]["user_id"], user);
                    assert_eq!(membership["role"], role);
                    assert_eq!(
                        membership["public_metadata"],
                        serde_json::from_str::<Value>(metadata).unwrap()
                    );
                }
            }
        }
    }
}

#[test]
fn add_and_set_role_refuse_a_role_the_instance_does_not_have_and_write_nothing() {
    let server = acme();
    for (command, user) in [("add", "user_dave"), ("set-role", "user_bob")] {
        for role in ["org:admn", "admin"] {
            server.clear_requests();
            let (code, stdout, stderr) =
                run(cli(&server).args([command, "--org", ORG, "--user", user, "--role", role]));
            assert_eq!(
                (code, stdout.as_str()),
                (2, ""),
                "{command} {role}: {stderr}"
            );
            assert_eq!(
                stderr,
                format!(
                    "clerk-memberships: error: invalid request: invalid `role`: \"{role}\" is \
                     not a role of the instance (its roles: org:admin, org:member)\n"
                ),
                "{command} {role}"
            );
            let operations: Vec<_> = server.requests().iter().map(|r| r.operation()).collect();
            assert_eq!(
                operations,
                [clerk_memberships::Operation::ListOrganizationRoles],
                "{command}: one read, nothing written"
            );
        }
    }
    assert!(server.membership(ORG, "user_dave").is_none());
    assert_eq!(
        server.membership(ORG, "user_bob").unwrap().role,
        "org:member"
    );
}

#[test]
fn add_and_set_role_accept_a_custom_role_the_instance_has() {
    let server = acme();
    server.add_role("org:billing", "Billing", ["org:invoices:read"]);
    let (code, _, stderr) = run(cli(&server).args([
        "set-role",
        "--org",
        ORG,
        "--user",
        "user_bob",
        "--role",
        "org:billing",
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        server.membership(ORG, "user_bob").unwrap().role,
        "org:billing"
    );
    let (code, _, stderr) = run(cli(&server).args([
        "add",
        "--org",
        ORG,
        "--user",
        "user_dave",
        "--role",
        "org:billing",
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(server.requests().len(), 4, "a role read before each write");
}

#[test]
fn no_role_check_sends_the_role_without_reading_the_roles_and_clerk_refuses_it() {
    let server = acme();
    for (command, user) in [("add", "user_dave"), ("set-role", "user_bob")] {
        server.clear_requests();
        let (code, _, stderr) = run(cli(&server).args([
            command,
            "--org",
            ORG,
            "--user",
            user,
            "--role",
            "org:admn",
            "--no-role-check",
        ]));
        assert_eq!(code, 1, "{command}: {stderr}");
        assert!(stderr.contains("(status 422)"), "{command}: {stderr}");
        assert!(stderr.contains("[form_param_value_invalid]"), "{stderr}");
        assert_eq!(server.requests().len(), 1, "{command}: only the write");
    }
    assert!(server.membership(ORG, "user_dave").is_none());
    assert_eq!(
        server.membership(ORG, "user_bob").unwrap().role,
        "org:member"
    );

    // With a role the instance has, --no-role-check is one request.
    server.clear_requests();
    let (code, _, stderr) = run(cli(&server).args([
        "set-role",
        "--org",
        ORG,
        "--user",
        "user_bob",
        "--role",
        "org:admin",
        "--no-role-check",
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn the_role_check_is_documented_in_help() {
    for command in ["add", "set-role"] {
        let output = bare_cli().args([command, "--help"]).output().unwrap();
        let help = text(&output.stdout);
        assert!(help.contains("--no-role-check"), "{command}: {help}");
        assert!(
            help.contains("GET /organization_roles"),
            "{command}: {help}"
        );
        assert!(help.contains("usage error (exit 2)"), "{command}: {help}");
    }
}
