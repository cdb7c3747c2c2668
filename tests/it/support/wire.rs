//! What the wire tests share: a client that renders requests without sending them, the
//! mock of a listing's `GET` held to its exact query, and what the paging tests read.

use clerk_memberships::testing::MockTransport;
use clerk_memberships::{Client, RetryPolicy};
use httpmock::Mock;
use httpmock::prelude::*;

use super::clients::{KEY, client_builder};

/// The `User-Agent` a client sends unless told otherwise: this crate's name and version, as
/// `ClientBuilder::user_agent` documents it.
pub const DEFAULT_USER_AGENT: &str = concat!("clerk-memberships/", env!("CARGO_PKG_VERSION"));

/// Where render-only clients point; nothing listens there and nothing is sent.
pub const OFFLINE_BASE: &str = "http://127.0.0.1:9/v1";

/// A client whose transport records instead of sending: for `render` and build-error tests.
pub fn offline_client() -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let client = client_builder(OFFLINE_BASE)
        .transport(mock.clone())
        .build()
        .expect("valid client");
    (client, mock)
}

/// Mocks a listing on `server`: a `GET` of `path` whose query is exactly `raw_query` as sent
/// (raw, not decoded) and exactly `pairs` once decoded, in order, with the default headers and
/// the key but no `Content-Type` and no body. It answers 200 with the JSON `body`.
pub fn listing<'a>(
    server: &'a MockServer,
    path: &str,
    raw_query: &str,
    pairs: &[(&str, &str)],
    body: impl Into<String>,
) -> Mock<'a> {
    let target = format!("{path}{raw_query}");
    let expected: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let body = body.into();
    server.mock(|when, then| {
        when.method(GET)
            .path(path)
            .header("authorization", format!("Bearer {KEY}"))
            .header("accept", "application/json")
            .header("user-agent", DEFAULT_USER_AGENT)
            .header("clerk-api-version", "2026-05-12")
            .header_missing("content-type")
            .is_true(move |req| {
                let raw = req.uri().path_and_query().map(|pq| pq.as_str().to_owned());
                raw.as_deref() == Some(target.as_str())
            })
            .is_true(move |req| req.query_params() == expected)
            .is_true(|req| req.body_ref().is_empty());
        then.status(200)
            .header("content-type", "application/json")
            .body(body);
    })
}

/// A client on `mock` that never retries: a paging test scripts each answer once.
pub fn paging_client(mock: &MockTransport) -> Client {
    mock.client_builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("valid client")
}

/// What `mock` was asked, each request's path and query with `path` taken off the front.
pub fn sent_after(mock: &MockTransport, path: &str) -> Vec<String> {
    mock.requests()
        .iter()
        .map(|r| r.path_and_query().trim_start_matches(path).to_owned())
        .collect()
}
