//! No panic on any input or any server answer: thousands of generated ids, filter values,
//! statuses, headers and bodies go through every operation, and every outcome, error or not,
//! can be formatted.

use std::time::{Duration, UNIX_EPOCH};

use crate::support::ops::Op;
use crate::support::rng::Rng;
use clerk_memberships::testing::{MEMBERSHIP_JSON, ManualClock, MockTransport};
use clerk_memberships::{Client, HttpResponse, ListMemberships, RetryPolicy, UpdateMembership};

/// An id that `build()` refuses whatever its length: empty, only whitespace, `.` or `..`.
fn unsendable(id: &str) -> bool {
    id.trim().is_empty() || id == "." || id == ".."
}

fn client(mock: &MockTransport) -> Client {
    Client::builder()
        .secret_key("sk_test_robust")
        .transport(mock.clone())
        .clock(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(1_780_000_000),
        ))
        .retry_policy(RetryPolicy::builder().max_attempts(2))
        .build()
        .unwrap()
}

#[test]
fn generated_ids_and_filters_build_and_render_one_segment_each() {
    let mock = MockTransport::new();
    let client = client(&mock);
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    for _ in 0..3_000 {
        let (org, user, value) = (rng.text(12), rng.text(12), rng.text(8));
        let built = ListMemberships::builder()
            .organization_id(org.as_str())
            .user_id(value.as_str())
            .query(value.as_str())
            .order_by(value.as_str())
            .created_at_after(rng.next() as i64)
            .build();
        match built {
            Ok(list) => {
                let user_filter = value.strip_prefix(['+', '-']).unwrap_or(&value);
                assert!(
                    !unsendable(&org) && !unsendable(user_filter),
                    "{org:?} {value:?}"
                );
                let request = list.render(&client).unwrap();
                let path = request.path_and_query().split('?').next().unwrap();
                // /v1/organizations/{org}/memberships: the id never adds or removes a segment.
                assert_eq!(path.split('/').count(), 5, "{org:?} -> {path}");
                let query = request.path_and_query().split_once('?').unwrap().1;
                assert_eq!(query.matches('&').count(), 3, "{value:?} -> {query}");
            }
            Err(err) => {
                // Only ids that can name nothing are refused (generated text is short).
                let user_filter = value.strip_prefix(['+', '-']).unwrap_or(&value);
                let refused = match err.field() {
                    "organization_id" => unsendable(&org),
                    "user_id" => unsendable(user_filter),
                    _ => false,
                };
                assert!(refused, "{org:?} {value:?}: {err}");
            }
        }
        if let Ok(update) = UpdateMembership::builder()
            .organization_id(org.as_str())
            .user_id(user.as_str())
            .role(value.as_str())
            .build()
        {
            let request = update.render(&client).unwrap();
            let path = request.path_and_query();
            assert_eq!(path.split('/').count(), 6, "{org:?} {user:?} -> {path}");
            let body: serde_json::Value = serde_json::from_slice(request.body().unwrap()).unwrap();
            assert_eq!(body, serde_json::json!({ "role": value }));
        }
    }
}

#[test]
fn any_answer_is_a_result_never_a_panic() {
    let mut rng = Rng(0xBAD5_E4E4_0000_0002);
    let statuses: &[u16] = &[
        0, 1, 99, 100, 101, 200, 201, 204, 299, 301, 304, 400, 401, 404, 409, 422, 429, 499, 500,
        502, 503, 504, 599, 600, 999, 65_535,
    ];
    let retry_afters = [
        "0",
        "3",
        "-1",
        "1.5",
        "99999999999999999999999",
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 99999999999999 08:49:37 GMT",
        "Thu, 28 May 2026 20:26:47 GMT",
        "",
        "\u{7f}\u{0}",
    ];
    let page = format!(r#"{{"data":[{MEMBERSHIP_JSON}],"total_count":1}}"#);
    let bodies: Vec<Vec<u8>> = vec![
        MEMBERSHIP_JSON.as_bytes().to_vec(),
        page.as_bytes().to_vec(),
        br#"{"errors":[{"code":"x","message":"y","long_message":"z","meta":{"a":[1,{"b":null}]}}],"clerk_trace_id":"t"}"#.to_vec(),
        br#"{"errors":[]}"#.to_vec(),
        br#"{"errors":null}"#.to_vec(),
        br#"{"errors":[1,2,3]}"#.to_vec(),
        br#"{"data":[],"total_count":-1}"#.to_vec(),
        br#"{"data":[],"total_count":1e400}"#.to_vec(),
        b"[".repeat(10_000),
        b"{\"a\":".repeat(5_000),
        b"<html><body>502 Bad Gateway</body></html>".to_vec(),
        Vec::new(),
        vec![0xFF; 700],
    ];
    for round in 0..2_000 {
        let mock = MockTransport::new();
        let client = client(&mock);
        for _ in 0..2 {
            let mut response = HttpResponse::new(*rng.pick(statuses), {
                let mut body = rng.pick(&bodies).clone();
                if rng.below(3) == 0 {
                    let cut = rng.below(body.len() + 1);
                    body.truncate(cut);
                }
                if rng.below(4) == 0 {
                    body.extend(rng.bytes(64));
                }
                body
            });
            if rng.below(2) == 0 {
                response = response.with_header("Retry-After", *rng.pick(&retry_afters));
            }
            mock.push_response(response);
        }
        let outcome = Op::ALL[round % Op::ALL.len()]
            .build("o", "u")
            .send(&client)
            .map(|answer| format!("{answer:?}"));
        if let Err(err) = outcome {
            let shown = format!("{err} {err:?}");
            assert!(
                shown.len() < 16 * 1024,
                "error text stays bounded: {}",
                shown.len()
            );
            assert!((1..=2).contains(&err.attempts()) || err.attempts() == 0);
        }
    }
}
