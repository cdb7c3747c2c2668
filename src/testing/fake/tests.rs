//! Wire-level checks with hand-made requests: malformed paths, bad escapes, raw `+`, bad
//! integers, missing auth, odd bodies. The client never sends these, so they cannot be
//! written through the public API.

use serde_json::{Value, json};

use super::{FakeClerk, FakeOrganization, FakeUser};
use crate::call::{Method, Operation};
use crate::transport::{HeaderValue, HttpRequest, Transport};

const AUTH: &str = "Bearer sk_test_fake";

fn request(method: Method, path_and_query: &str, body: Option<&str>) -> HttpRequest {
    let mut headers = vec![("authorization", HeaderValue::from(AUTH))];
    if body.is_some() {
        headers.push(("content-type", HeaderValue::from("application/json")));
    }
    HttpRequest {
        // The fake routes on method and path; the operation tag is only the client's label.
        operation: Operation::List,
        method,
        url: format!("https://fake.clerk.test{path_and_query}"),
        headers,
        body: body.map(|body| body.as_bytes().to_vec()),
        time_left: None,
    }
}

/// Sends and returns the status and the JSON body (`Null` when the body is not JSON).
fn send(fake: &FakeClerk, request: &HttpRequest) -> (u16, Value) {
    let response = fake.send(request).expect("the fake answers");
    let body = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    (response.status(), body)
}

fn get(fake: &FakeClerk, path_and_query: &str) -> (u16, Value) {
    send(fake, &request(Method::Get, path_and_query, None))
}

fn first_error(body: &Value) -> (&str, &str, Option<&str>) {
    let error = &body["errors"][0];
    (
        error["code"].as_str().unwrap_or_default(),
        error["long_message"].as_str().unwrap_or_default(),
        error["meta"]["param_name"].as_str(),
    )
}

/// An organization `org` with members `a` (Ann Lee) and `b` (Bob Ray).
fn seeded() -> FakeClerk {
    let fake = FakeClerk::new();
    fake.add_organization(FakeOrganization::new("Org").id("org"));
    for (id, first, last) in [("a", "Ann", "Lee"), ("b", "Bob", "Ray")] {
        fake.add_user(FakeUser::new(first, last).id(id));
        fake.add_membership("org", id, "org:member").unwrap();
    }
    fake
}

#[test]
fn any_base_url_prefix_reaches_the_route() {
    let fake = seeded();
    for path in [
        "/v1/organizations/org/memberships",
        "/organizations/org/memberships",
        "/proxy/clerk/v1/organizations/org/memberships",
        "/anything/organizations/org/memberships",
    ] {
        let (status, body) = get(&fake, path);
        assert_eq!(status, 200, "{path}");
        assert_eq!(body["total_count"], 2, "{path}");
    }
}

#[test]
fn ids_that_look_like_path_words_resolve_through_the_v1_prefix() {
    let fake = FakeClerk::new();
    fake.add_organization(FakeOrganization::new("Org").id("organizations"));
    fake.add_user(FakeUser::new("M", "M").id("memberships"));
    fake.add_membership("organizations", "memberships", "org:member")
        .unwrap();
    let (status, body) = send(
        &fake,
        &request(
            Method::Patch,
            "/v1/organizations/organizations/memberships/memberships/metadata",
            Some(r#"{"public_metadata":{"k":1}}"#),
        ),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["public_user_data"]["user_id"], "memberships");
    assert_eq!(body["public_metadata"], json!({"k": 1}));
}

#[test]
fn unknown_paths_and_methods_are_not_found() {
    let fake = seeded();
    for (method, path) in [
        (Method::Get, "/v1/organizations/org/members"),
        (Method::Get, "/v1/organizations/org/memberships/a"),
        (Method::Post, "/v1/organizations/org/memberships/a"),
        (Method::Delete, "/v1/organizations/org/memberships"),
        (Method::Patch, "/v1/organizations/org/memberships/a/other"),
        (Method::Get, "/"),
        (Method::Get, ""),
    ] {
        let (status, body) = send(&fake, &request(method, path, None));
        assert_eq!(status, 404, "{method} {path}");
        assert_eq!(first_error(&body).0, "resource_not_found");
    }
}

#[test]
fn bad_escapes_are_bad_requests() {
    let fake = seeded();
    for path in [
        "/v1/organizations/%ZZ/memberships",
        "/v1/organizations/org%4/memberships",
        "/v1/organizations/%E9/memberships",
        "/v1/organizations/org/memberships?limit=%",
        "/v1/organizations/org/memberships?%FF=1",
    ] {
        let (status, body) = get(&fake, path);
        assert_eq!(status, 400, "{path}");
        assert_eq!(first_error(&body).0, "malformed_request_parameters");
    }
}

#[test]
fn a_plus_is_a_plus_in_a_path_and_a_space_in_a_query() {
    let fake = FakeClerk::new();
    fake.add_organization(FakeOrganization::new("Org").id("a+b"));
    fake.add_user(FakeUser::new("P", "Q").id("u"));
    fake.add_membership("a+b", "u", "org:member").unwrap();
    assert_eq!(get(&fake, "/v1/organizations/a+b/memberships").0, 200);
    assert_eq!(get(&fake, "/v1/organizations/a%2Bb/memberships").0, 200);

    // `%2B` keeps the include prefix; a raw `+` decodes to a space and matches nobody.
    let (_, body) = get(&fake, "/v1/organizations/a%2Bb/memberships?user_id=%2Bu");
    assert_eq!(body["total_count"], 1);
    let (_, body) = get(&fake, "/v1/organizations/a%2Bb/memberships?user_id=+u");
    assert_eq!(body["total_count"], 0);
}

#[test]
fn limits_offsets_times_and_orders_must_be_valid() {
    let fake = seeded();
    for (query, param, value) in [
        ("limit=10.0", "limit", "10.0"),
        ("limit=0", "limit", "0"),
        ("limit=501", "limit", "501"),
        ("limit=", "limit", ""),
        ("limit=-1", "limit", "-1"),
        ("limit=ten", "limit", "ten"),
        (
            "limit=99999999999999999999",
            "limit",
            "99999999999999999999",
        ),
        ("offset=-1", "offset", "-1"),
        ("offset=1.5", "offset", "1.5"),
        (
            "offset=9223372036854775808",
            "offset",
            "9223372036854775808",
        ),
        ("created_at_after=1e3", "created_at_after", "1e3"),
        ("last_active_at_before=%201", "last_active_at_before", " 1"),
        ("order_by=name", "order_by", "name"),
        ("order_by=+created_at", "order_by", " created_at"),
        ("order_by=", "order_by", ""),
    ] {
        let (status, body) = get(&fake, &format!("/v1/organizations/org/memberships?{query}"));
        assert_eq!(status, 422, "{query}");
        let (code, long_message, param_name) = first_error(&body);
        assert_eq!(code, "form_param_value_invalid", "{query}");
        assert_eq!(param_name, Some(param), "{query}");
        assert_eq!(
            long_message,
            format!("{value} does not match one of the allowed values for parameter {param}")
        );
    }
    for query in [
        "limit=1",
        "limit=500",
        "offset=0",
        "offset=99",
        "order_by=%2Busername",
    ] {
        let (status, _) = get(&fake, &format!("/v1/organizations/org/memberships?{query}"));
        assert_eq!(status, 200, "{query}");
    }
}

#[test]
fn the_real_422_for_a_float_limit_has_clerks_wording() {
    let fake = seeded();
    let (_, body) = get(&fake, "/v1/organizations/org/memberships?limit=10.0");
    let error = &body["errors"][0];
    assert_eq!(error["message"], "is invalid");
    assert_eq!(
        error["long_message"],
        "10.0 does not match one of the allowed values for parameter limit"
    );
    assert!(body["clerk_trace_id"].is_string());
}

#[test]
fn repeated_parameters() {
    let fake = seeded();
    let (status, body) = get(&fake, "/v1/organizations/org/memberships?limit=1&limit=2");
    assert_eq!(status, 422);
    assert_eq!(first_error(&body).0, "form_param_duplicate");
    assert_eq!(first_error(&body).2, Some("limit"));

    let many: String = (0..101).map(|i| format!("&role=r{i}")).collect();
    let (status, body) = get(
        &fake,
        &format!("/v1/organizations/org/memberships?x=1{many}"),
    );
    assert_eq!(status, 422);
    assert_eq!(first_error(&body).2, Some("role"));
    let hundred: String = (0..100).map(|i| format!("&role=r{i}")).collect();
    let (status, _) = get(
        &fake,
        &format!("/v1/organizations/org/memberships?x=1{hundred}"),
    );
    assert_eq!(status, 200);
}

#[test]
fn unknown_query_parameters_are_ignored_like_clerk_does() {
    let fake = seeded();
    // One SDK sent `user_id[0]=…`: the server dropped the filter and returned everyone.
    let (status, body) = get(
        &fake,
        "/v1/organizations/org/memberships?user_id%5B0%5D=a&&flag&color=blue",
    );
    assert_eq!(status, 200);
    assert_eq!(body["total_count"], 2);
}

#[test]
fn requests_need_a_bearer_secret_key() {
    let fake = seeded();
    let mut missing = request(Method::Get, "/v1/organizations/org/memberships", None);
    missing.headers.clear();
    let (status, body) = send(&fake, &missing);
    assert_eq!(status, 401);
    assert_eq!(first_error(&body).0, "authorization_invalid");
    assert_eq!(body["errors"][0]["message"], "Unauthorized request");

    for (value, code) in [
        ("Basic c2tfdGVzdA==", "authorization_header_format_invalid"),
        ("sk_test_fake", "authorization_header_format_invalid"),
        ("Bearer pk_test_abc", "clerk_key_invalid"),
        ("Bearer sk_", "clerk_key_invalid"),
    ] {
        let mut bad = request(Method::Get, "/v1/organizations/org/memberships", None);
        bad.headers = vec![("authorization", HeaderValue::from(value))];
        let (status, body) = send(&fake, &bad);
        assert_eq!(status, 401, "{value}");
        assert_eq!(first_error(&body).0, code, "{value}");
    }

    // Auth comes before routing: an unknown path without a key is still a 401.
    let mut anonymous = request(Method::Get, "/nowhere", None);
    anonymous.headers.clear();
    assert_eq!(send(&fake, &anonymous).0, 401);
}

#[test]
fn bodies_are_checked_like_clerk_checks_forms() {
    let fake = seeded();
    fake.add_user(FakeUser::new("New", "Comer").id("c"));
    let create = |body: Option<&str>| {
        send(
            &fake,
            &request(Method::Post, "/v1/organizations/org/memberships", body),
        )
    };

    for body in ["not json", "[1,2]", "\"text\"", "{\"user_id\":"] {
        let (status, answer) = create(Some(body));
        assert_eq!(status, 400, "{body}");
        assert_eq!(first_error(&answer).0, "request_body_invalid");
    }

    // Every missing required parameter is reported, each with its name.
    for body in [
        None,
        Some(""),
        Some("{}"),
        Some(r#"{"user_id":null,"role":""}"#),
    ] {
        let (status, answer) = create(body);
        assert_eq!(status, 422, "{body:?}");
        let errors = answer["errors"].as_array().unwrap();
        let names: Vec<_> = errors.iter().map(|e| &e["meta"]["param_name"]).collect();
        assert_eq!(names, [&json!("user_id"), &json!("role")]);
        assert!(errors.iter().all(|e| e["code"] == "form_param_missing"));
        assert_eq!(errors[0]["long_message"], "user_id must be included.");
    }

    let (status, answer) = create(Some(r#"{"user_id":5,"role":"org:member"}"#));
    assert_eq!(status, 422);
    assert_eq!(first_error(&answer).0, "form_param_type_invalid");

    let (status, answer) = create(Some(r#"{"user_id":"c","role":"r","nickname":"x"}"#));
    assert_eq!(status, 422);
    assert_eq!(first_error(&answer).0, "form_param_unknown");
    assert_eq!(first_error(&answer).2, Some("nickname"));

    let (status, answer) = create(Some(r#"{"user_id":"c","role":"r","public_metadata":[]}"#));
    assert_eq!(status, 422);
    assert_eq!(first_error(&answer).2, Some("public_metadata"));

    // Creation metadata is nullable in the spec.
    let (status, answer) = create(Some(
        r#"{"user_id":"c","role":"org:member","public_metadata":null}"#,
    ));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["public_metadata"], json!({}));
}

#[test]
fn metadata_bodies_take_objects_only() {
    let fake = seeded();
    let patch = |body: Option<&str>| {
        send(
            &fake,
            &request(
                Method::Patch,
                "/v1/organizations/org/memberships/a/metadata",
                body,
            ),
        )
    };
    for body in [r#"{"public_metadata":null}"#, r#"{"private_metadata":"x"}"#] {
        let (status, answer) = patch(Some(body));
        assert_eq!(status, 422, "{body}");
        assert_eq!(first_error(&answer).0, "form_param_type_invalid");
    }
    let (status, answer) = patch(Some(r#"{"role":"org:admin"}"#));
    assert_eq!(status, 422);
    assert_eq!(first_error(&answer).0, "form_param_unknown");
    // No body at all is an empty merge.
    assert_eq!(patch(None).0, 200);
}

#[test]
fn trace_ids_are_deterministic_hex_and_distinct() {
    let trace_ids = |fake: &FakeClerk| -> Vec<String> {
        (0..3)
            .map(|_| {
                let (_, body) = get(fake, "/v1/nowhere");
                body["clerk_trace_id"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    let first = trace_ids(&FakeClerk::new());
    assert_eq!(first, trace_ids(&FakeClerk::new()));
    assert!(first[0] != first[1] && first[1] != first[2]);
    assert!(
        first
            .iter()
            .all(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
    );
}

/// Garbage in, a Clerk-shaped answer out: never a panic, never a 5xx.
#[test]
fn no_input_makes_it_panic() {
    let fake = seeded();
    let pieces = [
        "/",
        "v1",
        "organizations",
        "org",
        "memberships",
        "a",
        "metadata",
        "%",
        "%2",
        "%2F",
        "%E9",
        "%C3%A9",
        "?",
        "&",
        "=",
        "+",
        "#",
        "é",
        "\u{0}",
        " ",
        "..",
        "limit=",
        "0",
        "-1",
        "10.0",
        "user_id=",
        "%2B",
        "role=",
        "order_by=",
        "-",
        "offset=",
        "created_at",
    ];
    let bodies = [
        "",
        "{",
        "null",
        "[]",
        r#"{"user_id":"b","role":"org:admin"}"#,
        r#"{"user_id":"a","role":""}"#,
        r#"{"role":7}"#,
        r#"{"public_metadata":{"x":null},"private_metadata":{}}"#,
        r#"{"public_metadata":"x"}"#,
        r#"{"\u0000":1}"#,
    ];
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = |bound: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % bound as u64).unwrap()
    };
    let methods = [Method::Get, Method::Post, Method::Patch, Method::Delete];
    let mut statuses = std::collections::BTreeSet::new();
    for _ in 0..2000 {
        let mut garbage =
            || -> String { (0..next(8)).map(|_| pieces[next(pieces.len())]).collect() };
        let (one, two) = (garbage(), garbage());
        let candidates = [
            one.clone(),
            format!("/v1/organizations/{one}/memberships?{two}"),
            format!("/v1/organizations/org/memberships?{one}&{two}"),
            format!("/v1/organizations/org/memberships/{one}"),
            format!("/v1/organizations/org/memberships/{one}/metadata?{two}"),
        ];
        let body = bodies[next(bodies.len())];
        let method = methods[next(methods.len())];
        for candidate in candidates {
            let response = fake
                .send(&request(method, &candidate, Some(body)))
                .expect("no fault injected");
            let status = response.status();
            assert!(
                (200..500).contains(&status),
                "{method} {candidate:?} {body:?} -> {status}"
            );
            let json: Value = serde_json::from_slice(response.body()).expect("JSON body");
            if status != 200 {
                assert!(json["errors"][0]["code"].is_string(), "{json}");
            }
            statuses.insert(status);
        }
    }
    // The inputs reach every kind of answer, not only "not found".
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        [200, 400, 404, 422]
    );
}

// ---- GET /users --------------------------------------------------------------------------

/// Users `a` (external id `x`), `b` (`-x`) and ` x` (external id ` x`, what a raw `+x`
/// decodes to).
fn seeded_users() -> FakeClerk {
    let fake = FakeClerk::new();
    fake.add_user(FakeUser::unnamed().id("a").external_id("x"));
    fake.add_user(FakeUser::unnamed().id("b").external_id("-x"));
    fake.add_user(FakeUser::unnamed().id("c").external_id(" x"));
    fake
}

fn user_ids(body: &Value) -> Vec<&str> {
    let users = body.as_array().expect("a bare array");
    users
        .iter()
        .filter_map(|user| user["id"].as_str())
        .collect()
}

#[test]
fn users_route_under_any_prefix_and_answer_a_bare_array() {
    let fake = seeded_users();
    for path in ["/v1/users", "/users", "/proxy/clerk/v1/users"] {
        let (status, body) = get(&fake, &format!("{path}?order_by=created_at"));
        assert_eq!(status, 200, "{path}");
        assert_eq!(user_ids(&body), ["a", "b", "c"], "{path}");
    }
    let (status, _) = get(&fake, "/v1/users/extra");
    assert_eq!(status, 404);
}

#[test]
fn a_raw_plus_in_the_users_query_is_a_space_and_an_escaped_one_a_sign() {
    let fake = seeded_users();
    // `+x` unescaped decodes as ` x`: a plain include of the external id ` x`.
    assert_eq!(user_ids(&get(&fake, "/v1/users?external_id=+x").1), ["c"]);
    // `%2B-x` is `+-x`: include `-x`.
    assert_eq!(
        user_ids(&get(&fake, "/v1/users?external_id=%2B-x").1),
        ["b"]
    );
    // `-x` excludes `x`.
    let (_, body) = get(&fake, "/v1/users?external_id=-x&order_by=created_at");
    assert_eq!(user_ids(&body), ["b", "c"]);
}

#[test]
fn users_query_limits_are_checked_like_the_membership_lists() {
    let fake = seeded_users();
    let many: Vec<String> = (0..101).map(|i| format!("external_id=e{i}")).collect();
    let (status, body) = get(&fake, &format!("/v1/users?{}", many.join("&")));
    assert_eq!(status, 422);
    assert_eq!(first_error(&body).2, Some("external_id"));
    for bad in [
        "limit=0",
        "limit=501",
        "limit=10.0",
        "offset=-1",
        "limit=1&limit=2",
    ] {
        let (status, body) = get(&fake, &format!("/v1/users?{bad}"));
        assert_eq!(status, 422, "{bad}");
        assert!(first_error(&body).2.is_some(), "{bad}");
    }
    // Only the first `order_by` counts, as the spec says; unknown parameters are ignored.
    let (status, body) = get(
        &fake,
        "/v1/users?order_by=created_at&order_by=bogus&banned=true",
    );
    assert_eq!(status, 200);
    assert_eq!(user_ids(&body), ["a", "b", "c"]);
}

// ---- GET /users/count --------------------------------------------------------------------

#[test]
fn users_count_counts_what_the_same_filters_list_across_pages() {
    let fake = seeded_users();
    fake.add_user(FakeUser::new("Dee", "Day").id("d").email("Dee@Acme.com"));
    for (query, count) in [
        ("", 4),
        ("?external_id=-x", 3),
        ("?external_id=x&external_id=%2B-x", 2),
        ("?user_id=a&user_id=d&user_id=nobody", 2),
        ("?email_address=dee@acme.com", 1),
        ("?user_id=b&user_id=a&external_id=-x", 1),
        // Paging and order are not parameters of the count: ignored, as unknown ones are.
        ("?limit=1&offset=3&order_by=bogus&banned=true", 4),
        ("?limit=0&limit=x", 4),
    ] {
        let (status, body) = get(&fake, &format!("/v1/users/count{query}"));
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(
            body,
            json!({"object": "total_count", "total_count": count}),
            "{query}"
        );
    }
    let many: Vec<String> = (0..101).map(|i| format!("user_id=u{i}")).collect();
    let (status, body) = get(&fake, &format!("/v1/users/count?{}", many.join("&")));
    assert_eq!(status, 422);
    assert_eq!(first_error(&body).2, Some("user_id"));
    for (method, status) in [(Method::Post, 404), (Method::Delete, 404)] {
        let (got, _) = send(&fake, &request(method, "/v1/users/count", None));
        assert_eq!(got, status, "{method:?}");
    }
}

#[cfg(feature = "fake-server")]
#[test]
fn served_routes_need_exactly_the_base_path() {
    use super::http::{Route, route_under};

    for path in [
        "/v1/users",
        "/v1/users?limit=1",
        "/v1/users/count",
        "/v1/organizations/org/memberships",
    ] {
        assert!(route_under("/v1", Method::Get, path).is_ok(), "{path}");
    }
    assert_eq!(
        route_under(
            "/v1",
            Method::Patch,
            "/v1/organizations/o/memberships/u/metadata"
        ),
        Ok(Route::UpdateMetadata {
            organization_id: "o".into(),
            user_id: "u".into(),
        })
    );
    for path in [
        "/users",
        "/api/users",
        "/api/v1/users",
        "/v1/v1/users",
        "/v1/users/",
        "/v1//users",
        "/v1users",
        "/v2/users",
        "/proxy/clerk/v1/organizations/org/memberships",
        "/v1/organizations/org/memberships/extra/more/metadata",
    ] {
        let route = route_under("/v1", Method::Get, path);
        assert_eq!(route.map_err(|failure| failure.status), Err(404), "{path}");
    }
}
