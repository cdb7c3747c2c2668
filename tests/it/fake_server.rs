//! The in-memory Clerk served over HTTP on loopback: the crate's own client over real
//! sockets, the same answers as in-process, the limits, faults and shutdown.
#![cfg(feature = "fake-server")]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use clerk_memberships::sync::{self, ApplyOptions, Roster, RosterEntry, SyncOptions};
use clerk_memberships::testing::{
    FakeClerk, FakeOrganization, FakeServer, FakeUser, Fault, ServeOptions,
};
use clerk_memberships::{
    Client, CreateMembership, DeleteMembership, Error, ErrorKind, ListMemberships, ListUsers,
    Operation, RetryPolicy, UpdateMembership, UpdateMembershipMetadata,
};
use serde_json::{Value, json};

use crate::support::TestResult;

/// A fake on its deterministic manual clock, served on a free loopback port.
fn served() -> (FakeClerk, FakeServer) {
    let fake = FakeClerk::new();
    let server = ServeOptions::new()
        .serve(&fake, "127.0.0.1:0")
        .expect("serves on loopback");
    (fake, server)
}

/// Seeds Acme with Ann (admin) and Bob (not a member) under fixed ids.
fn seed(fake: &FakeClerk) {
    fake.add_organization(FakeOrganization::new("Acme").id("org_acme"));
    for name in ["ann", "bob", "cid"] {
        fake.add_user(
            FakeUser::new(name, "Acme")
                .id(format!("user_{name}"))
                .email(format!("{name}@acme.com"))
                .external_id(format!("hr-{name}")),
        );
    }
    fake.add_membership("org_acme", "user_ann", "org:admin")
        .expect("seeded");
}

/// Every operation, successes and refusals, as JSON values (errors as status + codes).
fn script(client: &Client) -> Vec<Value> {
    fn show<T: serde::Serialize>(result: Result<T, Error>) -> Value {
        match result {
            Ok(value) => serde_json::to_value(value).expect("serializable"),
            Err(err) => json!({
                "status": err.status(),
                "codes": err.clerk_codes().collect::<Vec<_>>(),
            }),
        }
    }
    let create = |user: &str, org: &str| {
        CreateMembership::builder()
            .organization_id(org)
            .user_id(user)
            .role("org:member")
            .public_metadata(json!({"team": "ops", "ünïcode": [1, 2]}))
            .build()
            .expect("built")
            .send(client)
    };
    let list = |role: Option<&str>| {
        let mut builder = ListMemberships::builder();
        builder = builder.organization_id("org_acme").order_by("+created_at");
        if let Some(role) = role {
            builder = builder.role(role);
        }
        builder.build().expect("built").send(client)
    };
    vec![
        show(create("user_bob", "org_acme")),
        show(create("user_bob", "org_acme")),
        show(create("user_nobody", "org_acme")),
        show(create("user_cid", "org_missing")),
        show(list(None)),
        show(list(Some("org:admin"))),
        show(
            UpdateMembership::builder()
                .organization_id("org_acme")
                .user_id("user_bob")
                .role("org:admin")
                .build()
                .expect("built")
                .send(client),
        ),
        show(
            UpdateMembershipMetadata::builder()
                .organization_id("org_acme")
                .user_id("user_bob")
                .public_metadata(json!({"team": null, "level": 3}))
                .build()
                .expect("built")
                .send(client),
        ),
        show(
            DeleteMembership::builder()
                .organization_id("org_acme")
                .user_id("user_bob")
                .build()
                .expect("built")
                .send(client),
        ),
        show(
            DeleteMembership::builder()
                .organization_id("org_acme")
                .user_id("user_bob")
                .build()
                .expect("built")
                .send(client),
        ),
        show(
            ListUsers::builder()
                .email_address("cid@acme.com")
                .external_id("hr-ann")
                .build()
                .expect("built")
                .send(client),
        ),
        show(
            ListUsers::builder()
                .external_id("-hr-ann")
                .order_by("+created_at")
                .build()
                .expect("built")
                .send(client),
        ),
    ]
}

#[test]
fn every_operation_answers_over_http_as_it_does_in_process() -> TestResult {
    let in_process = FakeClerk::new();
    seed(&in_process);
    let expected = script(&in_process.client());

    let (fake, server) = served();
    seed(&fake);
    let over_http = script(&server.client());

    assert_eq!(over_http, expected);
    // Sanity: the script saw successes and each kind of refusal.
    assert_eq!(expected[1]["status"], 400);
    assert_eq!(expected[2]["status"], 404);
    assert_eq!(expected[4]["total_count"], 2);
    assert_eq!(expected[9]["codes"][0], "resource_not_found");

    // The record reads like the in-process one, but for the URL's host.
    let http_requests = server.requests();
    let local_requests = in_process.requests();
    assert_eq!(http_requests.len(), local_requests.len());
    for (http, local) in http_requests.iter().zip(&local_requests) {
        assert_eq!(http.operation(), local.operation());
        assert_eq!(http.method(), local.method());
        assert_eq!(http.path_and_query(), local.path_and_query());
        assert_eq!(http.body(), local.body());
        assert_eq!(http.header("user-agent"), local.header("user-agent"));
        assert_eq!(http.header("authorization"), local.header("authorization"));
        assert!(
            http.url().starts_with("http://127.0.0.1:"),
            "{}",
            http.url()
        );
    }
    Ok(())
}

#[test]
fn ten_thousand_members_list_page_by_page_over_one_connection() -> TestResult {
    let (fake, server) = served();
    let org = fake.add_organization(FakeOrganization::new("Big"));
    let users =
        fake.add_users((0..10_000).map(|i| FakeUser::unnamed().email(format!("u{i}@big.io"))));
    for user in &users {
        fake.add_membership(&org, user, "org:member")?;
    }
    let client = server.client();
    let list = ListMemberships::builder()
        .organization_id(&org)
        .order_by("+created_at")
        .limit(500)
        .build()?;
    let all = list.collect_all(&client, 10_000)?;
    assert_eq!(all.len(), 10_000);
    let ids: Vec<&str> = all
        .iter()
        .filter_map(|m| m.public_user_data.as_ref().map(|p| p.user_id.as_str()))
        .collect();
    assert_eq!(ids, users.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(server.requests().len(), 20);
    Ok(())
}

#[test]
fn a_roster_sync_plan_reads_the_served_fake_and_applies_over_http() -> TestResult {
    let (fake, server) = served();
    seed(&fake);
    let client = server.client();
    let roster = Roster::from_entries([
        RosterEntry::email("ann@acme.com", "org:member"),
        RosterEntry::external_id("hr-bob", "org:admin"),
    ])?;
    let options = SyncOptions::builder().build();
    let plan = sync::plan(&client, "org_acme", &roster, &options)?;
    let counts = plan.counts();
    assert_eq!((counts.add, counts.change_role), (1, 1), "{plan}");
    assert!(
        server.requests().iter().all(|r| matches!(
            r.operation(),
            Operation::List | Operation::ListUsers | Operation::ListOrganizationRoles
        )),
        "planning only reads"
    );

    // Apply it over HTTP, with several workers.
    let report = plan.apply(&client, &ApplyOptions::builder().workers(4).build())?;
    assert!(report.is_success(), "{report}");
    assert_eq!(report.counts().applied, 2, "{report}");
    let role = |user: &str| fake.membership("org_acme", user).map(|m| m.role);
    assert_eq!(role("user_ann").as_deref(), Some("org:member"));
    assert_eq!(role("user_bob").as_deref(), Some("org:admin"));
    // Converged: planning again changes nothing.
    assert!(sync::plan(&client, "org_acme", &roster, &options)?.is_empty());
    Ok(())
}

#[test]
fn a_required_key_refuses_others_with_clerks_401() -> TestResult {
    let (fake, server) = served();
    seed(&fake);
    fake.require_secret_key("sk_test_right");
    let list = ListMemberships::builder()
        .organization_id("org_acme")
        .build()?;

    let err = list.send(&server.client()).unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(err.has_code("clerk_key_invalid"), "{err:?}");
    assert!(err.clerk_trace_id().is_some());

    let right = server
        .client_builder()
        .secret_key("sk_test_right")
        .build()?;
    assert_eq!(list.send(&right)?.total_count, 1);
    Ok(())
}

#[test]
fn faults_reach_the_client_over_http() -> TestResult {
    let (fake, server) = served();
    seed(&fake);
    let client = server.client().with_retry_policy(RetryPolicy::none());
    let create = CreateMembership::builder()
        .organization_id("org_acme")
        .user_id("user_bob")
        .role("org:member")
        .build()?;

    fake.inject(Fault::HtmlPage { status: 502 });
    let err = create.send(&client).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::UnexpectedResponse { status: 502, .. }
        ),
        "{err:?}"
    );
    assert!(fake.membership("org_acme", "user_bob").is_none());

    fake.inject(Fault::RateLimited {
        retry_after: Duration::from_secs(3),
    });
    let err = create.send(&client).unwrap_err();
    assert!(err.is_rate_limited(), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3)));

    // The connection drops after the server did the work: the client cannot know.
    fake.inject(Fault::ConnectionReset);
    let err = create.send(&client).unwrap_err();
    let transport = err.transport_error().expect("a transport error");
    assert!(transport.may_have_been_sent(), "{err:?}");
    assert!(fake.membership("org_acme", "user_bob").is_some());

    // The next call opens a new connection and is answered normally.
    let err = create.send(&client).unwrap_err();
    assert!(err.is_already_member(), "{err:?}");
    Ok(())
}

/// Sends raw bytes and reads the whole answer until the server closes.
fn raw(server: &FakeServer, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(server.addr()).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout set");
    stream.write_all(request).expect("written");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

#[test]
fn a_request_beyond_the_size_bound_is_413_and_the_connection_closes() -> TestResult {
    let fake = FakeClerk::new();
    seed(&fake);
    let server = ServeOptions::new()
        .max_request_bytes(1024)
        .serve(&fake, "127.0.0.1:0")?;
    let body = format!(r#"{{"user_id":"user_bob","role":"{}"}}"#, "x".repeat(2000));
    let request = format!(
        "POST /v1/organizations/org_acme/memberships HTTP/1.1\r\nhost: x\r\nauthorization: Bearer sk_test_1\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let answer = raw(&server, request.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
    assert!(answer.contains(r#""code":"request_too_large""#), "{answer}");
    assert!(fake.requests().is_empty(), "refused before the fake saw it");

    // Under the bound, the same raw request is served, with keep-alive by default.
    let answer = raw(
        &server,
        b"GET /v1/organizations/org_acme/memberships HTTP/1.1\r\nhost: x\r\nauthorization: Bearer sk_test_1\r\nconnection: close\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.contains(r#""total_count":1"#), "{answer}");
    Ok(())
}

#[test]
fn connections_beyond_the_bound_get_503_and_are_closed() -> TestResult {
    let fake = FakeClerk::new();
    let server = ServeOptions::new()
        .max_connections(1)
        .serve(&fake, "127.0.0.1:0")?;
    let _held = TcpStream::connect(server.addr())?;
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.open_connections() < 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(server.open_connections(), 1);
    let answer = raw(&server, b"");
    assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
    assert!(answer.contains("retry-after: 1\r\n"), "{answer}");
    assert!(
        answer.contains(r#""code":"too_many_connections""#),
        "{answer}"
    );
    Ok(())
}

#[test]
fn shutdown_closes_idle_keep_alive_connections_instead_of_waiting_them_out() -> TestResult {
    let fake = FakeClerk::new();
    seed(&fake);
    // Connections idle for an hour before the server would drop them on its own: a shutdown
    // that waited for that would not return while this test runs.
    let server = ServeOptions::new()
        .idle_timeout(Duration::from_secs(3600))
        .serve(&fake, "127.0.0.1:0")?;
    let client = server.client();
    let addr = server.addr();
    // The client keeps its connection open for the next call; a raw one idles too.
    ListMemberships::builder()
        .organization_id("org_acme")
        .build()?
        .send(&client)?;
    let mut idle = TcpStream::connect(addr)?;
    server.shutdown();
    // Closed by the server, from outside its connection thread: the read ends (or is reset)
    // without an answer.
    let mut rest = Vec::new();
    match idle.read_to_end(&mut rest) {
        Ok(read) => assert_eq!(read, 0),
        Err(error) => assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset),
    }
    assert!(TcpStream::connect(addr).is_err(), "nobody listens any more");
    // The fake lives on.
    assert_eq!(fake.requests().len(), 1);
    Ok(())
}

#[test]
fn only_loopback_unless_asked_and_the_system_clock_by_default() -> TestResult {
    let err = FakeClerk::serve("0.0.0.0:0").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("any_address"), "{err}");

    let server = FakeClerk::serve("127.0.0.1:0")?;
    assert_eq!(
        server.base_url(),
        format!("http://127.0.0.1:{}/v1", server.addr().port())
    );
    let org = server.add_organization(FakeOrganization::new("Now"));
    let user = server.add_user(FakeUser::new("Ann", "Now"));
    let created = CreateMembership::builder()
        .organization_id(&org)
        .user_id(&user)
        .role("org:member")
        .build()?
        .send(&server.client())?;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    assert!(
        (now_ms - created.created_at).abs() < 60_000,
        "{}",
        created.created_at
    );

    let anywhere = ServeOptions::new()
        .any_address(true)
        .serve(&FakeClerk::new(), "0.0.0.0:0")?;
    assert!(anywhere.base_url().starts_with("http://127.0.0.1:"));
    Ok(())
}

#[test]
fn the_fakes_rate_limit_and_latency_apply_over_http() -> TestResult {
    let clock = clerk_memberships::testing::ManualClock::new(
        std::time::UNIX_EPOCH + Duration::from_secs(1_778_544_000),
    );
    let fake = FakeClerk::with_clock(clock.clone());
    seed(&fake);
    let server = ServeOptions::new().serve(&fake, "127.0.0.1:0")?;
    fake.rate_limit(2, Duration::from_secs(10));
    fake.latency(Duration::from_millis(40));
    let list = ListMemberships::builder()
        .organization_id("org_acme")
        .build()?;
    let single = server.client().with_retry_policy(RetryPolicy::none());
    assert_eq!(list.send(&single)?.total_count, 1);
    assert_eq!(list.send(&single)?.total_count, 1);
    let err = list.send(&single).unwrap_err();
    assert!(err.is_rate_limited(), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(10)));
    assert_eq!(fake.rate_limited_requests(), 1);
    // The latency is slept on the fake's (manual) clock, once per request.
    assert_eq!(clock.sleeps(), [Duration::from_millis(40); 3]);
    Ok(())
}

#[test]
fn a_client_that_expects_100_continue_is_told_to_go_on() -> TestResult {
    let (fake, server) = served();
    seed(&fake);
    let body = br#"{"user_id":"user_bob","role":"org:member"}"#;
    let mut stream = TcpStream::connect(server.addr())?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "POST /v1/organizations/org_acme/memberships HTTP/1.1\r\nhost: x\r\nauthorization: Bearer sk_test_1\r\ncontent-type: application/json\r\nexpect: 100-continue\r\nconnection: close\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )?;
    let mut interim = [0; 25];
    stream.read_exact(&mut interim)?;
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(body)?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(fake.membership("org_acme", "user_bob").is_some());
    Ok(())
}

/// `GET path` with the fake's key over a fresh connection: the status and the JSON body.
fn get_json(server: &FakeServer, path: &str) -> (u16, Value) {
    let request = format!(
        "GET {path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\nconnection: close\r\n\r\n",
        FakeClerk::SECRET_KEY
    );
    let answer = raw(server, request.as_bytes());
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .and_then(|(_, body)| serde_json::from_str(body).ok())
        .unwrap_or(Value::Null);
    (status, body)
}

#[test]
fn only_paths_under_the_printed_base_path_are_served() -> TestResult {
    let (fake, server) = served();
    seed(&fake);
    assert!(server.base_url().ends_with("/v1"), "{}", server.base_url());
    assert_eq!(get_json(&server, "/v1/users").0, 200);
    assert_eq!(
        get_json(&server, "/v1/organizations/org_acme/memberships").0,
        200
    );
    for path in [
        "/users",
        "/api/users",
        "/api/v1/users",
        "/v1/v1/users",
        "/v1/users/",
        "/organizations/org_acme/memberships",
        "/proxy/clerk/v1/organizations/org_acme/memberships",
    ] {
        let (status, body) = get_json(&server, path);
        assert_eq!(status, 404, "{path}");
        assert_eq!(body["errors"][0]["code"], "resource_not_found", "{path}");
        assert_eq!(
            body["errors"][0]["long_message"], "The requested resource was not found",
            "{path}"
        );
        assert!(body["clerk_trace_id"].is_string(), "{path}: {body}");
    }

    // A client whose base URL has a wrong path fails as it would against Clerk, for every
    // operation, writes included, and nothing changes.
    for base in [
        server.base_url().replace("/v1", "/api"),
        format!("{}/v1", server.base_url()),
    ] {
        let client = server
            .client_builder()
            .base_url(base.clone())
            .build()?
            .with_retry_policy(RetryPolicy::none());
        let users = ListUsers::builder().build()?.send(&client).unwrap_err();
        assert_eq!(users.status(), Some(404), "{base}");
        assert!(users.clerk_codes().eq(["resource_not_found"]), "{base}");
        let create = CreateMembership::builder()
            .organization_id("org_acme")
            .user_id("user_bob")
            .role("org:member")
            .build()?
            .send(&client)
            .unwrap_err();
        assert_eq!(create.status(), Some(404), "{base}");
    }
    assert!(fake.membership("org_acme", "user_bob").is_none());
    Ok(())
}

#[test]
fn users_count_is_served_with_the_filters_of_the_users_list() -> TestResult {
    let (fake, server) = served();
    seed(&fake);
    fake.add_user(FakeUser::unnamed().id("user_dan"));
    for (query, count) in [
        ("", 4),
        ("?email_address=ANN@acme.com&email_address=bob@acme.com", 2),
        ("?external_id=-hr-ann", 3),
        ("?user_id=user_dan&limit=1&offset=9", 1),
    ] {
        let (status, body) = get_json(&server, &format!("/v1/users/count{query}"));
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(body, json!({"object": "total_count", "total_count": count}));
    }
    let recorded = fake.last_request().expect("recorded");
    assert_eq!(recorded.operation(), Operation::ListUsers);
    assert!(
        recorded
            .url()
            .ends_with("/v1/users/count?user_id=user_dan&limit=1&offset=9")
    );
    Ok(())
}
