//! Every error from `send` says which call failed (operation, method, path without the query
//! string), in `Error::operation()` and at the start of its `Display`; the codes callers test
//! most have named constants and helpers.

use std::sync::{Arc, Mutex};

use crate::support::ops::Op;
use clerk_memberships::testing::MockTransport;
use clerk_memberships::{
    AttemptEvent, BuildError, Error, ErrorKind, ListMemberships, Method, Operation, RetryPolicy,
};

fn clerk_error(code: &str) -> String {
    format!(r#"{{"errors":[{{"code":"{code}","message":"m","long_message":"l"}}]}}"#)
}

#[test]
fn every_operation_names_its_call_in_the_error_and_its_display() {
    let expected = [
        (
            Op::Create,
            "create membership",
            Method::Post,
            "/organizations/org_1/memberships",
        ),
        (
            Op::List,
            "list memberships",
            Method::Get,
            "/organizations/org_1/memberships",
        ),
        (
            Op::Update,
            "update membership",
            Method::Patch,
            "/organizations/org_1/memberships/user_1",
        ),
        (
            Op::Delete,
            "delete membership",
            Method::Delete,
            "/organizations/org_1/memberships/user_1",
        ),
        (
            Op::UpdateMetadata,
            "update membership metadata",
            Method::Patch,
            "/organizations/org_1/memberships/user_1/metadata",
        ),
    ];
    for (op, words, method, path) in expected {
        let mock = MockTransport::new();
        mock.push_json(404, clerk_error("resource_not_found"));
        let err = op.send_in(&mock.client(), "org_1").unwrap_err();
        let call = err.call().expect("a call");
        assert_eq!(call.method(), method);
        assert_eq!(call.path(), path);
        assert_eq!(call.to_string(), format!("{words} ({method} {path})"));
        assert!(
            err.to_string().starts_with(&format!(
                "{words} ({method} {path}): clerk api error (status 404)"
            )),
            "{err}"
        );
        assert!(err.has_code("resource_not_found"));
    }
}

#[test]
fn the_path_leaves_out_the_query_string_which_can_hold_email_addresses() {
    let mock = MockTransport::new();
    mock.push_json(500, "<html>oops</html>");
    let err = ListMemberships::builder()
        .organization_id("org_1")
        .email_address("jane@acme.com")
        .build()
        .unwrap()
        .send(&mock.client().with_retry_policy(RetryPolicy::none()))
        .unwrap_err();
    let call = err.call().unwrap();
    assert_eq!(call.operation(), Operation::List);
    assert_eq!(call.path(), "/organizations/org_1/memberships");
    assert!(!err.to_string().contains("jane"), "{err}");
    assert!(mock.last_request().unwrap().url().contains("jane"));
}

#[test]
fn transport_and_rate_limit_errors_name_their_call_too() {
    let mock = MockTransport::new();
    mock.push_error(clerk_memberships::TransportError::not_sent(
        clerk_memberships::TransportErrorKind::Connect,
        "refused",
    ));
    let err = Op::Delete
        .send(&mock.client().with_retry_policy(RetryPolicy::none()))
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Transport { .. }));
    assert_eq!(err.call().unwrap().operation(), Operation::Delete);

    let limited = MockTransport::new();
    let client = limited
        .client_builder()
        .rate_limiter(clerk_memberships::SlidingWindowLimiter::new(
            1,
            std::time::Duration::from_secs(3600),
        ))
        .build()
        .unwrap();
    limited.push_json(200, crate::support::ops::EMPTY_PAGE);
    Op::List.send(&client).unwrap();
    let err = Op::List.send(&client).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::RateLimited { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.call().unwrap().path(),
        "/organizations/org_1/memberships"
    );
    assert!(
        err.to_string()
            .starts_with("list memberships (GET /organizations/org_1/memberships): rate limited"),
        "{err}"
    );
}

#[test]
fn a_build_error_turned_into_an_error_has_no_call_but_a_render_error_has_one() {
    let build = ListMemberships::builder().build().unwrap_err();
    let err = Error::from(build.clone());
    assert_eq!(err.call(), None);
    assert_eq!(err.build_error(), Some(&build));
    assert_eq!(
        err.to_string(),
        "invalid request: missing required field `organization_id`"
    );

    let mock = MockTransport::new();
    let long = "x".repeat(200);
    let mut builder = ListMemberships::builder().organization_id("org_1");
    for _ in 0..60 {
        builder = builder.username(long.as_str());
    }
    let err = builder.build().unwrap().send(&mock.client()).unwrap_err();
    assert_eq!(err.build_error().map(BuildError::field), Some("url"));
    assert_eq!(err.call().unwrap().operation(), Operation::List);
    assert!(mock.requests().is_empty());
}

#[test]
fn pagination_errors_name_the_list_call() {
    let mock = MockTransport::new();
    let page = format!(
        r#"{{"data":[{}],"total_count":5}}"#,
        clerk_memberships::testing::MEMBERSHIP_JSON
    );
    mock.push_json(200, page);
    let err = ListMemberships::builder()
        .organization_id("org_9")
        .build()
        .unwrap()
        .collect_all(&mock.client(), 3)
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::TooManyMemberships { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.call().unwrap().path(),
        "/organizations/org_9/memberships"
    );
}

#[test]
fn attempt_events_carry_the_method_and_path() {
    let events = Arc::new(Mutex::new(Vec::<AttemptEvent>::new()));
    let sink = Arc::clone(&events);
    let mock = MockTransport::new();
    let client = mock
        .client_builder()
        .on_attempt(move |event| sink.lock().unwrap().push(event.clone()))
        .build()
        .unwrap();
    mock.push_json(200, clerk_memberships::testing::MEMBERSHIP_JSON);
    Op::UpdateMetadata.send(&client).unwrap();
    let events = events.lock().unwrap();
    assert_eq!(events[0].call.method(), Method::Patch);
    assert_eq!(
        events[0].call.path(),
        "/organizations/org_1/memberships/user_1/metadata"
    );
    assert_eq!(
        events[0].call.to_string(),
        "update membership metadata (PATCH /organizations/org_1/memberships/user_1/metadata)"
    );
}

#[test]
fn already_a_member_and_quota_exceeded_have_helpers_and_named_codes() {
    const ALREADY_A_MEMBER: &str = "already_a_member_in_organization";
    const QUOTA_EXCEEDED: &str = "organization_membership_quota_exceeded";
    for (status, code) in [(400, ALREADY_A_MEMBER), (403, QUOTA_EXCEEDED)] {
        let mock = MockTransport::new();
        mock.push_json(status, clerk_error(code));
        let err = Op::Create.send(&mock.client()).unwrap_err();
        assert_eq!(err.is_already_member(), code == ALREADY_A_MEMBER);
        assert_eq!(err.is_quota_exceeded(), code == QUOTA_EXCEEDED);
        assert!(err.has_code(code));
        assert!(!err.has_code("something_else"));
    }
}
