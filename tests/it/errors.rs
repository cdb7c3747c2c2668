//! How answers that are not a success become errors, and how a bad client configuration is
//! refused: every status keeps its details, unreadable bodies are kept short, decode errors name
//! the model.
//!
//! Mocks answer every request the same way, so these tests hold whatever the retry policy:
//! they assert the final error, not how often the server was hit. The clients run on a
//! `ManualClock`, so retry waits cost no real time.

use std::time::Duration;

use crate::support::clients::{KEY, answering, client};
use crate::support::ops::Op;
use clerk_memberships::{
    ApiError, BuildError, Client, ClientBuilder, Error, ErrorKind, ListMemberships,
};
use httpmock::prelude::*;
use serde_json::json;

const MEMBERSHIP: &str = include_str!("../fixtures/membership.json");
const STATUSES: [u16; 9] = [400, 401, 403, 404, 422, 429, 500, 502, 503];
/// How much of an unreadable body `Error::UnexpectedResponse` keeps, as documented: 512 bytes.
const BODY_SNIPPET_LIMIT: usize = 512;
/// The largest error body read as Clerk's JSON, as documented: 64 KiB.
const MAX_ERROR_JSON: usize = 64 * 1024;

/// Sends `op` for `org`; every operation must fail the same way.
fn call(client: &Client, op: Op, org: &str) -> Error {
    op.send_in(client, org).expect_err("the call must fail")
}

fn clerk_error_body(status: u16) -> String {
    json!({
        "errors": [
            {
                "code": format!("code_{status}"),
                "message": "is invalid",
                "long_message": format!("long message for {status}"),
                "meta": {"param_name": "limit"}
            },
            {
                "code": "second_error",
                "message": "also wrong",
                "long_message": "a second problem"
            }
        ],
        "meta": {"request": "meta"},
        "clerk_trace_id": format!("trace_{status}")
    })
    .to_string()
}

// ---- Clerk error JSON, every status --------------------------------------------------------

#[test]
fn every_error_status_with_clerk_json_is_an_api_error_with_all_details() {
    let server = MockServer::start();
    let client = client(&server);
    for status in STATUSES {
        let prefix = format!("/v1/organizations/org_{status}/");
        server.mock(|when, then| {
            when.path_prefix(prefix.as_str());
            then.status(status)
                .header("content-type", "application/json")
                .body(clerk_error_body(status));
        });
        for op in Op::ALL {
            let err = call(&client, op, &format!("org_{status}"));
            let ErrorKind::Api { error, .. } = err.kind() else {
                panic!("status {status}, {op:?}: expected Error::Api, got {err:?}");
            };
            assert!(err.attempts() >= 1);
            assert_eq!(error.status, status);
            assert_eq!(error.errors.len(), 2);
            let first = &error.errors[0];
            assert_eq!(first.code, format!("code_{status}"));
            assert_eq!(first.message, "is invalid");
            assert_eq!(first.long_message, format!("long message for {status}"));
            assert_eq!(
                first.meta.as_ref().and_then(|m| m.get("param_name")),
                Some(&json!("limit"))
            );
            assert_eq!(error.errors[1].code, "second_error");
            assert_eq!(error.errors[1].meta, None);
            assert_eq!(
                error.meta.as_ref().and_then(|m| m.get("request")),
                Some(&json!("meta"))
            );
            assert_eq!(
                error.clerk_trace_id.as_deref(),
                Some(&*format!("trace_{status}"))
            );
            assert_eq!(error.retry_after, None);

            assert_eq!(err.status(), Some(status));
            assert_eq!(err.is_not_found(), status == 404);
            assert_eq!(err.is_rate_limited(), status == 429);
            assert_eq!(
                err.clerk_codes().collect::<Vec<_>>(),
                [format!("code_{status}").as_str(), "second_error"]
            );
            assert_eq!(err.clerk_trace_id(), Some(&*format!("trace_{status}")));
            assert_eq!(err.api_error(), Some(&**error));
            assert!(err.transport_error().is_none());
            assert_eq!(err.retry_after(), None);
            let shown = err.to_string();
            assert!(shown.contains(&status.to_string()), "{shown}");
            assert!(
                shown.contains(&format!("long message for {status}")),
                "{shown}"
            );
            assert!(shown.contains(&format!("code_{status}")), "{shown}");
            assert!(shown.contains(&format!("trace_{status}")), "{shown}");
        }
    }
}

#[test]
fn the_real_422_for_a_fractional_limit_keeps_its_code_and_message() {
    let server = answering(
        422,
        r#"{"errors":[{"code":"form_param_value_invalid","long_message":"10.0 does not match one of the allowed values for parameter limit","message":"is invalid","meta":{}}]}"#,
    );
    let err = call(&client(&server), Op::List, "org_1");
    let api = err.api_error().expect("api error");
    assert_eq!(api.status, 422);
    assert_eq!(
        err.clerk_codes().collect::<Vec<_>>(),
        ["form_param_value_invalid"]
    );
    assert_eq!(
        api.errors[0].long_message,
        "10.0 does not match one of the allowed values for parameter limit"
    );
    assert_eq!(api.errors[0].meta, Some(serde_json::Map::new()));
    assert_eq!(api.meta, None);
    assert_eq!(err.clerk_trace_id(), None);
}

#[test]
fn the_real_401_keeps_its_trace_id() {
    let server = answering(
        401,
        r#"{"errors":[{"message":"Unauthorized request","long_message":"You are not authorized to perform this request","code":"authorization_invalid"}],"clerk_trace_id":"3544f06adc38d3917304dd6d0b2fe41e"}"#,
    );
    let err = call(&client(&server), Op::Create, "org_1");
    assert_eq!(err.status(), Some(401));
    assert_eq!(
        err.clerk_codes().collect::<Vec<_>>(),
        ["authorization_invalid"]
    );
    assert_eq!(
        err.clerk_trace_id(),
        Some("3544f06adc38d3917304dd6d0b2fe41e")
    );
    assert_eq!(
        err.to_string(),
        "create membership (POST /organizations/org_1/memberships): \
         clerk api error (status 401): You are not authorized to perform this request \
         [authorization_invalid] (trace id 3544f06adc38d3917304dd6d0b2fe41e)"
    );
}

#[test]
fn error_entries_with_missing_fields_are_still_an_api_error() {
    let server = answering(
        404,
        r#"{"errors":[{"code":"resource_not_found"},{"message":"only a message"}]}"#,
    );
    let err = call(&client(&server), Op::Delete, "org_1");
    assert!(err.is_not_found());
    let api = err.api_error().expect("api error");
    assert_eq!(api.errors[0].code, "resource_not_found");
    assert_eq!(api.errors[0].message, "");
    assert_eq!(api.errors[1].code, "");
    assert_eq!(api.errors[1].message, "only a message");
    assert_eq!(
        err.clerk_codes().collect::<Vec<_>>(),
        ["resource_not_found", ""]
    );
}

#[test]
fn an_empty_errors_array_is_still_an_api_error_with_the_status() {
    let server = answering(500, r#"{"errors":[],"clerk_trace_id":"t"}"#);
    let err = call(&client(&server), Op::Update, "org_1");
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.clerk_codes().count(), 0);
    assert_eq!(err.clerk_trace_id(), Some("t"));
}

// ---- Retry-After ---------------------------------------------------------------------------

#[test]
fn a_429_with_retry_after_seconds_tells_how_long_to_wait() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(429)
            .header("Retry-After", "3")
            .body(clerk_error_body(429));
    });
    let client = client(&server);
    for op in Op::ALL {
        let err = call(&client, op, "org_1");
        assert!(err.is_rate_limited(), "{err:?}");
        assert_eq!(err.retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(
            err.api_error().unwrap().retry_after,
            Some(Duration::from_secs(3))
        );
        assert_eq!(err.clerk_trace_id(), Some("trace_429"));
    }
}

#[test]
fn a_503_html_page_with_retry_after_keeps_the_wait_too() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(503)
            .header("retry-after", "120")
            .body("<html><body>maintenance</body></html>");
    });
    let err = call(&client(&server), Op::List, "org_1");
    assert!(matches!(
        err.kind(),
        ErrorKind::UnexpectedResponse { status: 503, .. }
    ));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
}

#[test]
fn an_unreadable_retry_after_is_ignored() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(429)
            .header("retry-after", "soon")
            .body(clerk_error_body(429));
    });
    let err = call(&client(&server), Op::List, "org_1");
    assert!(err.is_rate_limited());
    assert_eq!(err.retry_after(), None);
}

// ---- bodies that are not Clerk's error JSON --------------------------------------------------

#[test]
fn every_error_status_with_html_is_an_unexpected_response_with_the_body() {
    let server = MockServer::start();
    let client = client(&server);
    for status in STATUSES {
        let page = format!("<html><body><h1>{status} Bad Gateway-ish</h1></body></html>");
        let prefix = format!("/v1/organizations/org_{status}/");
        server.mock(|when, then| {
            when.path_prefix(prefix.as_str());
            then.status(status)
                .header("content-type", "text/html")
                .body(page.as_str());
        });
        for op in Op::ALL {
            let err = call(&client, op, &format!("org_{status}"));
            match err.kind() {
                ErrorKind::UnexpectedResponse {
                    status: got,
                    body_snippet,
                    retry_after,
                    ..
                } => {
                    assert_eq!(*got, status);
                    assert_eq!(body_snippet, &page);
                    assert_eq!(*retry_after, None);
                    assert!(err.attempts() >= 1);
                }
                other => panic!("status {status}: expected UnexpectedResponse, got {other:?}"),
            }
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.is_not_found(), status == 404);
            assert_eq!(err.is_rate_limited(), status == 429);
            assert_eq!(err.clerk_codes().count(), 0);
            assert_eq!(err.clerk_trace_id(), None);
            assert!(err.api_error().is_none());
            let shown = err.to_string();
            assert!(shown.contains(&status.to_string()), "{shown}");
            assert!(shown.contains("Bad Gateway-ish"), "{shown}");
        }
    }
}

#[test]
fn a_huge_html_body_is_cut_to_a_bounded_snippet() {
    let mut page = String::from("<html><body>");
    while page.len() < 1024 * 1024 {
        page.push_str("<p>upstream connect error or disconnect/reset before headers</p>");
    }
    let server = answering(502, page.as_str());
    let err = call(&client(&server), Op::List, "org_1");
    let ErrorKind::UnexpectedResponse {
        status,
        body_snippet,
        ..
    } = err.kind()
    else {
        panic!("expected UnexpectedResponse, got {err:?}");
    };
    assert_eq!(*status, 502);
    assert!(
        body_snippet.len() <= BODY_SNIPPET_LIMIT + '…'.len_utf8(),
        "snippet of {} bytes",
        body_snippet.len()
    );
    let kept = body_snippet
        .strip_suffix('…')
        .expect("a cut snippet ends with an ellipsis");
    assert_eq!(kept, &page[..BODY_SNIPPET_LIMIT]);
    assert!(err.to_string().len() < 2 * BODY_SNIPPET_LIMIT);
}

#[test]
fn a_huge_non_ascii_body_is_cut_on_a_character_boundary() {
    // 2-, 3- and 4-byte characters behind 0 to 3 ASCII bytes: the byte limit falls inside a
    // character in most of these, at every possible offset.
    let server = MockServer::start();
    let client = client(&server);
    for (i, (lead, text)) in ["", "x", "xy", "xyz"]
        .into_iter()
        .flat_map(|lead| ["Größenänderung ", "日本語のエラーページ", "🦀🚧"].map(|t| (lead, t)))
        .enumerate()
    {
        let page = format!("{lead}{}", text.repeat(1024 * 1024 / text.len()));
        let org = format!("org_{i}");
        server.mock(|when, then| {
            when.path_prefix(format!("/v1/organizations/{org}/"));
            then.status(500).body(page.as_str());
        });
        let err = call(&client, Op::Create, &org);
        let ErrorKind::UnexpectedResponse { body_snippet, .. } = err.kind() else {
            panic!("expected UnexpectedResponse, got {err:?}");
        };
        assert!(
            body_snippet.len() <= BODY_SNIPPET_LIMIT + '…'.len_utf8(),
            "{lead:?}{text:?}: snippet of {} bytes",
            body_snippet.len()
        );
        let kept = body_snippet.strip_suffix('…').expect("ellipsis");
        assert!(
            !kept.contains(char::REPLACEMENT_CHARACTER),
            "a valid body must not gain replacement characters: {kept:?}"
        );
        assert!(page.starts_with(kept), "{lead:?}{text:?}");
        assert!(kept.len() > BODY_SNIPPET_LIMIT - 4, "{}", kept.len());
    }
}

#[test]
fn a_body_that_is_not_utf8_still_gives_a_bounded_snippet() {
    let mut page = b"<html>".to_vec();
    page.extend(std::iter::repeat_n(0xFF_u8, 4096));
    let server = answering(502, page.as_slice());
    let err = call(&client(&server), Op::List, "org_1");
    let ErrorKind::UnexpectedResponse { body_snippet, .. } = err.kind() else {
        panic!("expected UnexpectedResponse, got {err:?}");
    };
    assert!(
        body_snippet.starts_with("<html>\u{FFFD}"),
        "{body_snippet:?}"
    );
    assert!(body_snippet.ends_with('…'));
    // Each of the first BODY_SNIPPET_LIMIT bytes gives at most one character.
    assert!(body_snippet.chars().count() <= BODY_SNIPPET_LIMIT + 1);
}

#[test]
fn a_body_of_exactly_the_limit_is_kept_whole_without_an_ellipsis() {
    let page = "x".repeat(BODY_SNIPPET_LIMIT);
    let server = answering(502, page.as_str());
    let err = call(&client(&server), Op::List, "org_1");
    let ErrorKind::UnexpectedResponse { body_snippet, .. } = err.kind() else {
        panic!("expected UnexpectedResponse, got {err:?}");
    };
    assert_eq!(body_snippet, &page);
}

#[test]
fn an_empty_error_body_is_an_unexpected_response_with_an_empty_snippet() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(502);
    });
    let err = call(&client(&server), Op::Delete, "org_1");
    match err.into_kind() {
        ErrorKind::UnexpectedResponse {
            status,
            body_snippet,
            ..
        } => {
            assert_eq!(status, 502);
            assert_eq!(body_snippet, "");
        }
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
}

#[test]
fn json_that_is_not_clerk_errors_is_an_unexpected_response() {
    let server = MockServer::start();
    let body = r#"{"message":"Internal Server Error"}"#;
    server.mock(|when, then| {
        when.any_request();
        then.status(500)
            .header("content-type", "application/json")
            .body(body);
    });
    let err = call(&client(&server), Op::Update, "org_1");
    match err.kind() {
        ErrorKind::UnexpectedResponse {
            status,
            body_snippet,
            ..
        } => {
            assert_eq!(*status, 500);
            assert_eq!(body_snippet, body);
        }
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
}

#[test]
fn a_redirect_is_not_followed_and_keeps_its_status() {
    let server = MockServer::start();
    let target = server.mock(|when, then| {
        when.path("/elsewhere");
        then.status(200).body(MEMBERSHIP);
    });
    server.mock(|when, then| {
        when.path_prefix("/v1/");
        then.status(302).header("location", "/elsewhere");
    });
    let err = call(&client(&server), Op::Delete, "org_1");
    assert_eq!(err.status(), Some(302));
    assert!(matches!(
        err.kind(),
        ErrorKind::UnexpectedResponse { status: 302, .. }
    ));
    target.assert_calls(0);
}

// ---- 2xx that does not decode ---------------------------------------------------------------

#[test]
fn a_200_with_broken_json_is_a_decode_error_naming_the_model() {
    let server = answering(200, r#"{"object":"organization_membership","id":"#);
    let client = client(&server);
    for op in Op::ALL {
        let err = call(&client, op, "org_1");
        let expected_model = if op == Op::List {
            "Page<OrganizationMembership>"
        } else {
            "OrganizationMembership"
        };
        match err.kind() {
            ErrorKind::Decode { model, status, .. } => {
                assert_eq!(*model, expected_model);
                assert_eq!(*status, 200);
                assert!(err.attempts() >= 1);
            }
            other => panic!("expected Decode, got {other:?}"),
        }
        assert_eq!(err.status(), Some(200));
        assert!(err.api_error().is_none());
        let shown = err.to_string();
        assert!(
            shown.contains(&format!("could not decode {expected_model} from a 200")),
            "{shown}"
        );
        assert!(err.to_string().len() < 300, "bounded: {err}");
    }
}

#[test]
fn a_200_with_json_of_the_wrong_shape_is_a_decode_error() {
    let server = MockServer::start();
    // A membership where a page is expected, and a page where a membership is expected.
    server.mock(|when, then| {
        when.method(GET);
        then.status(200).body(MEMBERSHIP);
    });
    server.mock(|when, then| {
        when.method_not(GET);
        then.status(200).body(r#"{"data":[],"total_count":0}"#);
    });
    let client = client(&server);
    let err = call(&client, Op::List, "org_1");
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Decode {
                model: "Page<OrganizationMembership>",
                status: 200,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("data"),
        "names the missing field: {err}"
    );
    for op in [Op::Create, Op::Update, Op::Delete, Op::UpdateMetadata] {
        let err = call(&client, op, "org_1");
        assert!(
            matches!(
                err.kind(),
                ErrorKind::Decode {
                    model: "OrganizationMembership",
                    ..
                }
            ),
            "{err:?}"
        );
    }
}

#[test]
fn a_200_with_a_field_of_the_wrong_type_is_a_decode_error() {
    let mut value: serde_json::Value = serde_json::from_str(MEMBERSHIP).unwrap();
    value["created_at"] = json!("2024-05-28T08:00:00Z");
    let server = answering(200, value.to_string());
    let err = call(&client(&server), Op::Update, "org_1");
    assert!(matches!(err.kind(), ErrorKind::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("invalid type"), "{err}");
}

#[test]
fn an_empty_200_is_a_decode_error() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(200);
    });
    let err = call(&client(&server), Op::Delete, "org_1");
    assert!(
        matches!(err.kind(), ErrorKind::Decode { status: 200, .. }),
        "{err:?}"
    );
}

#[test]
fn any_2xx_is_a_success() {
    let server = answering(201, MEMBERSHIP);
    let membership = Op::Create.send(&client(&server)).unwrap().membership();
    assert_eq!(membership.id, "orgmem_2g7np7Hrk0SN6kj5EDMLDaKNL0S");
}

// ---- the error types themselves -------------------------------------------------------------

#[test]
fn errors_are_send_sync_static_std_errors() {
    fn assert_error<E: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<Error>();
    assert_error::<BuildError>();
    assert_error::<clerk_memberships::TransportError>();
    fn assert_clone_eq<T: Clone + PartialEq + std::fmt::Debug>() {}
    assert_clone_eq::<ApiError>();
    assert_clone_eq::<BuildError>();
}

#[test]
fn a_build_error_converts_into_error_with_no_status_and_no_attempts() {
    let build = ListMemberships::builder().build().unwrap_err();
    let err = Error::from(build.clone());
    assert!(
        matches!(err.kind(), ErrorKind::InvalidRequest { error: inner, .. } if *inner == build)
    );
    assert_eq!(err.status(), None);
    assert_eq!(err.attempts(), 0);
    assert_eq!(
        err.to_string(),
        "invalid request: missing required field `organization_id`"
    );
}

// ---- client configuration errors -------------------------------------------------------------

fn builder() -> ClientBuilder {
    Client::builder().secret_key(KEY)
}

fn refused(builder: ClientBuilder) -> BuildError {
    match builder.build() {
        Ok(client) => panic!("expected a build error, got {client:?}"),
        Err(err) => err,
    }
}

fn assert_invalid_field(err: &BuildError, field: &str) {
    assert!(
        matches!(err, BuildError::InvalidField { field: f, .. } if *f == field),
        "expected InvalidField({field}), got {err:?}"
    );
    assert_eq!(err.field(), field);
    assert!(err.to_string().contains(field), "{err}");
}

#[test]
fn a_client_without_a_key_is_refused() {
    assert_eq!(
        refused(Client::builder()),
        BuildError::MissingField("secret_key")
    );
}

#[test]
fn an_empty_key_is_refused() {
    assert_invalid_field(&refused(builder().secret_key("")), "secret_key");
}

#[test]
fn a_key_without_the_sk_prefix_is_refused() {
    for key in [
        "pk_test_abc",
        "not_a_key_123",
        "sk_",
        "SK_TEST_ABC",
        "test_sk_abc",
    ] {
        assert_invalid_field(&refused(builder().secret_key(key)), "secret_key");
    }
}

#[test]
fn a_key_with_whitespace_or_a_newline_is_refused() {
    for key in [
        "sk_test_has space",
        "sk_test_abc\n",
        "sk_test_abc\r\n",
        " sk_test_abc",
        "sk_test_\tabc",
        "sk_test_ünïcode",
        "sk_test_nul\0",
    ] {
        assert_invalid_field(&refused(builder().secret_key(key)), "secret_key");
    }
}

#[test]
fn live_and_test_keys_are_accepted() {
    for key in ["sk_live_abc123", "sk_test_abc123"] {
        builder().secret_key(key).build().expect(key);
    }
}

#[test]
fn bad_base_urls_are_refused() {
    for url in [
        "",
        "api.clerk.com/v1",
        "//api.clerk.com/v1",
        "ftp://api.clerk.com/v1",
        "file:///etc/passwd",
        "https://",
        "https:///v1",
        "https://api.clerk.com/v1?x=1",
        "https://api.clerk.com/v1?",
        "https://api.clerk.com/v1#frag",
        "https://api clerk.com/v1",
        "https://api.clerk.com/v 1",
        "https://api.clerk.com/v1 ",
        "https://api.clerk.com/v1\n",
        "https://user:pw@api.clerk.com/v1",
        "https://api.clerk.com:notaport/v1",
        "https://api.clerk.com:99999/v1",
        "https://api.clerk.com:+443/v1",
        "http://[::1]:port/v1",
        // Plain http to anything but the local machine would send the key in clear text.
        "http://api.clerk.com/v1",
        "http://10.0.0.1:8080/v1",
        "http://[::2]:8080/v1",
        "http://127.0.0.1.nip.io/v1",
        "http://localhost.example.com/v1",
    ] {
        let err = refused(builder().base_url(url));
        assert_invalid_field(&err, "base_url");
    }
}

#[test]
fn good_base_urls_are_accepted_without_a_trailing_slash_and_path_less_ones_get_v1() {
    for (url, kept) in [
        ("https://api.clerk.com/v1", "https://api.clerk.com/v1"),
        ("https://api.clerk.com/v1/", "https://api.clerk.com/v1"),
        // No path, or only `/`: the API's `/v1` is appended, as Clerk's SDKs do.
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1"),
        ("https://api.clerk.com", "https://api.clerk.com/v1"),
        ("https://api.clerk.com/", "https://api.clerk.com/v1"),
        (
            "http://[::1]:8080/proxy/clerk/",
            "http://[::1]:8080/proxy/clerk",
        ),
        ("http://localhost:9/v1", "http://localhost:9/v1"),
        ("http://127.3.2.1/v1", "http://127.3.2.1/v1"),
    ] {
        let client = builder().base_url(url).build().expect(url);
        assert_eq!(client.base_url(), kept);
    }
}

#[test]
fn plain_http_to_a_remote_host_is_refused_unless_allowed() {
    let err = refused(builder().base_url("http://api.clerk.com/v1"));
    assert_invalid_field(&err, "base_url");
    let shown = err.to_string();
    assert!(shown.contains("must use `https://`"), "{shown}");
    assert!(shown.contains("allow_insecure_http"), "{shown}");

    let client = builder()
        .base_url("http://clerk-proxy.internal:8080/v1")
        .allow_insecure_http(true)
        .build()
        .expect("allowed on request");
    assert_eq!(client.base_url(), "http://clerk-proxy.internal:8080/v1");
    // The opt-in does not loosen anything else.
    assert_invalid_field(
        &refused(builder().base_url("ftp://x/v1").allow_insecure_http(true)),
        "base_url",
    );
}

#[test]
fn an_invalid_proxy_url_is_refused() {
    assert_invalid_field(&refused(builder().proxy("http://[bad")), "proxy");
    builder()
        .proxy("http://proxy.example:3128")
        .build()
        .expect("a valid proxy URL");
    builder()
        .proxy("http://[bad")
        .set_proxy(None)
        .build()
        .expect("a cleared proxy is no proxy");
}

#[test]
fn zero_timeouts_are_refused() {
    assert_invalid_field(
        &refused(builder().connect_timeout(Duration::ZERO)),
        "connect_timeout",
    );
    assert_invalid_field(
        &refused(builder().request_timeout(Duration::ZERO)),
        "request_timeout",
    );
    builder()
        .connect_timeout(Duration::from_millis(1))
        .request_timeout(Duration::from_millis(1))
        .build()
        .expect("tiny timeouts are allowed");
}

#[test]
fn api_version_that_cannot_be_a_header_is_refused() {
    for version in [
        "2026-05-12\n",
        "2026-05-12\r\nX-Injected: 1",
        "",
        "  ",
        "2026\t05",
        "ünï",
    ] {
        assert_invalid_field(&refused(builder().api_version(version)), "api_version");
    }
}

#[test]
fn user_agent_that_cannot_be_a_header_is_refused() {
    for ua in [
        "app/1.0\n",
        "app/1.0\r\nX-Injected: 1",
        "",
        "   ",
        "app\u{7f}",
        "äpp/1",
    ] {
        assert_invalid_field(&refused(builder().user_agent(ua)), "user_agent");
    }
    builder()
        .user_agent("my app/1.0 (+https://example.com)")
        .build()
        .expect("spaces are fine in a user agent");
}

#[test]
fn an_app_name_that_cannot_be_a_header_is_refused() {
    for name in ["app/1.0\n", "app/1.0\r\nX-Injected: 1", "", " ", "äpp/1"] {
        assert_invalid_field(&refused(builder().app_name(name)), "app_name");
    }
}

#[test]
fn the_client_is_clone_send_sync_and_static() {
    fn assert_traits<T: Clone + Send + Sync + std::fmt::Debug + 'static>() {}
    assert_traits::<Client>();
    assert_traits::<ClientBuilder>();
}

#[test]
fn a_hostile_error_body_stays_bounded() {
    use clerk_memberships::RetryPolicy;
    use clerk_memberships::testing::MockTransport;

    let client_with = |mock: &MockTransport| {
        Client::builder()
            .secret_key(KEY)
            .transport(mock.clone())
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap()
    };
    // Millions of empty errors: read as a snippet, not as millions of ClerkErrors.
    let mut huge = String::from(r#"{"errors":["#);
    while huge.len() <= MAX_ERROR_JSON {
        huge.push_str("{},");
    }
    huge.push_str("{}]}");
    let mock = MockTransport::new();
    mock.push_json(400, huge);
    let err = call(&client_with(&mock), Op::List, "org_1");
    assert!(
        matches!(
            err.kind(),
            ErrorKind::UnexpectedResponse { status: 400, .. }
        ),
        "{err:?}"
    );
    assert!(err.to_string().len() < 1_000);

    // Many errors within the limit are all kept, and the message lists the first three.
    let many = format!(
        r#"{{"errors":[{}]}}"#,
        vec![r#"{"code":"c","message":"m","long_message":"l"}"#; 50].join(",")
    );
    let mock = MockTransport::new();
    mock.push_json(422, many);
    let err = call(&client_with(&mock), Op::List, "org_1");
    assert_eq!(err.clerk_codes().count(), 50);
    assert!(err.to_string().ends_with("; and 47 more"), "{err}");

    // A 2xx of the wrong shape quoting a huge value: the message stays short.
    let mock = MockTransport::new();
    mock.push_json(
        200,
        format!(r#"{{"data":"{}","total_count":1}}"#, "x".repeat(1 << 20)),
    );
    let err = call(&client_with(&mock), Op::List, "org_1");
    assert!(matches!(err.kind(), ErrorKind::Decode { .. }), "{err:?}");
    assert!(err.to_string().len() < 300, "{}", err.to_string().len());
}

// ---- error chains: each message once ---------------------------------------------------------

/// `err` and then each `source()` in turn, as an error reporter prints them.
fn chain(err: &dyn std::error::Error) -> Vec<String> {
    let mut links = vec![err.to_string()];
    let mut current = err.source();
    while let Some(next) = current {
        links.push(next.to_string());
        current = next.source();
    }
    links
}

/// No link repeats the text of a link below it.
fn assert_each_message_once(err: &dyn std::error::Error) -> Vec<String> {
    let links = chain(err);
    for (i, link) in links.iter().enumerate() {
        for below in &links[i + 1..] {
            assert!(
                !link.contains(below.as_str()),
                "{link:?} repeats its source {below:?}; chain {links:?}"
            );
        }
    }
    links
}

#[test]
fn an_invalid_request_shows_the_build_error_once() {
    let err: Error = ListMemberships::builder().build().unwrap_err().into();
    let links = assert_each_message_once(&err);
    assert_eq!(
        links,
        ["invalid request: missing required field `organization_id`"]
    );
}

#[test]
fn a_transport_error_shows_its_io_error_once() {
    // A real refused connection: the io error is kept as the source.
    let port = crate::support::server::closed_port();
    let client = crate::support::clients::client_builder(format!("http://127.0.0.1:{port}/v1"))
        .retry_policy(clerk_memberships::RetryPolicy::none())
        .build()
        .unwrap();
    let err = Op::List.send(&client).unwrap_err();
    let links = assert_each_message_once(&err);
    assert_eq!(links.len(), 2, "{links:?}");
    assert_eq!(
        links[0],
        "list memberships (GET /organizations/org_1/memberships): \
         connect error (request not sent): could not connect"
    );
    let io = std::error::Error::source(&err)
        .and_then(|source| source.downcast_ref::<std::io::Error>())
        .expect("the io error is the source");
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);

    let transport = err.transport_error().expect("a transport error");
    assert_each_message_once(transport);
    assert!(std::error::Error::source(transport).is_some());
}

#[test]
fn a_custom_transport_error_with_a_source_shows_each_message_once() {
    use clerk_memberships::testing::MockTransport;
    use clerk_memberships::{RetryPolicy, TransportError, TransportErrorKind};

    let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
    let source = TransportError::maybe_sent(TransportErrorKind::Io, "reading the answer failed")
        .with_source(io);
    let mock = MockTransport::new();
    mock.push_error(source);
    let client = Client::builder()
        .secret_key(KEY)
        .transport(mock)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = call(&client, Op::List, "org_1");
    assert_eq!(
        assert_each_message_once(&err),
        [
            "list memberships (GET /organizations/org_1/memberships): \
             i/o error (request may have been sent): reading the answer failed",
            "reset by peer"
        ]
    );
}

#[test]
fn errors_without_a_source_show_one_message() {
    use clerk_memberships::testing::MockTransport;
    use clerk_memberships::{HttpResponse, RetryPolicy};

    let mock = MockTransport::new();
    mock.push_json(
        404,
        r#"{"errors":[{"code":"c","message":"m","long_message":"l"}]}"#,
    );
    mock.push_response(HttpResponse::new(502, "<html>bad gateway</html>"));
    mock.push_json(200, "{}");
    let client = Client::builder()
        .secret_key(KEY)
        .transport(mock)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    for _ in 0..3 {
        let err = call(&client, Op::Update, "org_1");
        assert_eq!(assert_each_message_once(&err).len(), 1, "{err:?}");
    }
}

// ---- a transport failure that no retry can fix -------------------------------------------------

#[test]
fn a_configuration_failure_is_attempted_exactly_once() {
    use clerk_memberships::testing::MockTransport;
    use clerk_memberships::{RetryPolicy, TransportError, TransportErrorKind};

    let mock = MockTransport::new();
    mock.push_error(TransportError::not_sent(
        TransportErrorKind::Config,
        "the TLS configuration is unusable",
    ));
    let client = Client::builder()
        .secret_key(KEY)
        .transport(mock.clone())
        .retry_policy(RetryPolicy::builder().max_attempts(5).jitter(0.0))
        .clock(clerk_memberships::testing::ManualClock::new(
            std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        ))
        .build()
        .unwrap();
    // A create: a failure that was not sent would otherwise be retried for every operation.
    let err = call(&client, Op::Create, "org_1");
    let source = err.transport_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(source.kind(), TransportErrorKind::Config);
    assert!(!source.is_retryable());
    assert_eq!(err.attempts(), 1);
    assert_eq!(mock.requests().len(), 1);
}

#[test]
fn the_default_transport_with_an_invalid_proxy_fails_once_without_sending() {
    use clerk_memberships::{RetryPolicy, TransportErrorKind, UreqTransport};

    let server = crate::support::server::Server::start([]);
    let transport = UreqTransport::builder().proxy("http://[bad").build();
    let client = Client::builder()
        .secret_key(KEY)
        .base_url(server.base_url())
        .transport(transport)
        .retry_policy(RetryPolicy::builder().max_attempts(5))
        .build()
        .unwrap();
    let err = call(&client, Op::List, "org_1");
    let source = err.transport_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(source.kind(), TransportErrorKind::Config);
    assert!(!source.may_have_been_sent());
    assert_eq!(err.attempts(), 1);
    assert_eq!(server.connection_count(), 0);
}

// ---- server text in messages: escaped and bounded ----------------------------------------------

fn mock_client_answering(status: u16, body: String) -> Client {
    use clerk_memberships::RetryPolicy;
    use clerk_memberships::testing::MockTransport;

    let mock = MockTransport::new();
    mock.push_json(status, body);
    Client::builder()
        .secret_key(KEY)
        .transport(mock)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

fn assert_no_raw_controls(shown: &str) {
    assert!(
        !shown.chars().any(|c| c.is_control()),
        "control characters reach the message: {shown:?}"
    );
}

#[test]
fn clerk_text_with_control_characters_is_escaped_in_the_message() {
    let body = json!({
        "errors": [{
            "code": "bad\u{1b}[2Jcode",
            "message": "m",
            "long_message": "line one\r\nINFO forged log line\u{1b}[31m red \u{7}\u{202e}",
        }],
        "clerk_trace_id": "trace\nid\u{0}"
    })
    .to_string();
    let err = call(&mock_client_answering(422, body), Op::List, "org_1");
    // The error keeps Clerk's text as sent.
    let api = err.api_error().expect("an api error");
    assert!(api.errors[0].long_message.contains("\r\nINFO"));
    let shown = err.to_string();
    assert_no_raw_controls(&shown);
    assert!(!shown.contains('\u{202e}'), "{shown:?}");
    assert_eq!(
        shown,
        "list memberships (GET /organizations/org_1/memberships): \
         clerk api error (status 422): line one\\r\\nINFO forged log line\\u{1b}[31m red \\u{7}\\u{202e} \
         [bad\\u{1b}[2Jcode] (trace id trace\\nid\\0)"
    );
}

#[test]
fn a_huge_clerk_message_is_cut_in_the_display() {
    // About 55 KB of JSON: still read as Clerk's JSON (under MAX_ERROR_JSON), so every byte is kept in the
    // error, but the message shows a bounded part of it.
    let long = "a\n".repeat(15 * 1024);
    let body = json!({
        "errors": [{"code": "c", "message": "m", "long_message": long}],
        "clerk_trace_id": "t".repeat(10_000),
    })
    .to_string();
    let err = call(&mock_client_answering(400, body), Op::List, "org_1");
    assert_eq!(
        err.api_error().expect("api error").errors[0].long_message,
        long
    );
    let shown = err.to_string();
    assert_no_raw_controls(&shown);
    assert!(
        shown.len() <= 2 * BODY_SNIPPET_LIMIT + 100,
        "a message of {} bytes",
        shown.len()
    );
    assert!(
        shown.starts_with(
            "list memberships (GET /organizations/org_1/memberships): \
             clerk api error (status 400): a\\na\\n"
        ),
        "{shown}"
    );
    assert!(shown.contains("…"), "{shown}");
    assert!(shown.ends_with("…)"), "{shown}");

    // 100 KB: over MAX_ERROR_JSON, kept as a bounded snippet of the body.
    let body = json!({
        "errors": [{"code": "c", "message": "m", "long_message": "\r\n".repeat(50 * 1024)}],
    })
    .to_string();
    let err = call(&mock_client_answering(400, body), Op::List, "org_1");
    let shown = err.to_string();
    assert_no_raw_controls(&shown);
    assert!(shown.len() <= 4 * BODY_SNIPPET_LIMIT, "{}", shown.len());
}

#[test]
fn an_unreadable_body_with_control_characters_is_escaped_in_the_message() {
    let server = answering(502, "<html>\r\nSet-Cookie: x\u{1b}[0m</html>");
    let err = call(&client(&server), Op::List, "org_1");
    let shown = err.to_string();
    assert_no_raw_controls(&shown);
    assert!(shown.contains(r"\r\nSet-Cookie: x\u{1b}[0m"), "{shown}");
}

#[test]
fn a_transport_message_with_control_characters_is_escaped_and_bounded() {
    use clerk_memberships::{TransportError, TransportErrorKind};

    let err = TransportError::maybe_sent(
        TransportErrorKind::Protocol,
        format!("bad header\r\nX: y\u{1b}]0;{}", "z".repeat(100_000)),
    );
    let shown = err.to_string();
    assert_no_raw_controls(&shown);
    assert!(
        shown.starts_with(
            r"protocol error (request may have been sent): bad header\r\nX: y\u{1b}]0;zzz"
        ),
        "{shown}"
    );
    assert!(shown.ends_with('…'), "{shown}");
    assert!(shown.len() <= 2 * BODY_SNIPPET_LIMIT, "{}", shown.len());
    // The message itself is kept as given.
    assert!(err.message().contains("\r\n"));
}
