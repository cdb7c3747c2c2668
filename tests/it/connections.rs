//! Connection handling of the default transport: keep-alive reuse, and how connect failures,
//! oversized bodies and silent servers are reported. What needs connections counted or an
//! answer no HTTP server would send runs against the raw loopback server in `support`; the
//! rest against `httpmock`.
//!
//! Every server here serves a bounded amount of work and stops by itself, even if a test fails
//! half-way.

use std::thread;
use std::time::{Duration, UNIX_EPOCH};

use crate::support::clients::{answering, client_builder};
use crate::support::ops::{Answer, Op};
use crate::support::server::{Action, End, RawServer, Response, Server, closed_port};
use clerk_memberships::testing::ManualClock;
use clerk_memberships::{Client, Error, ErrorKind, RetryPolicy, TransportErrorKind};
use httpmock::MockServer;

const MEMBERSHIP: &str = include_str!("../fixtures/membership.json");
const PAGE: &str = include_str!("../fixtures/memberships_page.json");

fn client_for(server: &Server) -> Client {
    client_builder(server.base_url()).build().unwrap()
}

/// A keep-alive server that answers every request with a fixed JSON body: a page for `GET`, a
/// membership otherwise.
fn keep_alive_server() -> Server {
    Server::builder()
        .handler(|request| {
            let body = if request.method == "GET" {
                PAGE
            } else {
                MEMBERSHIP
            };
            Action::Respond(Response::json(200, body))
        })
        .start()
}

/// One of the five operations, chosen by `i`, sent through `client`.
fn call(client: &Client, i: usize) {
    const ROUND: [Op; 5] = [
        Op::List,
        Op::Create,
        Op::Update,
        Op::UpdateMetadata,
        Op::Delete,
    ];
    match ROUND[i % ROUND.len()].send(client).unwrap() {
        Answer::Page(page) => assert_eq!(page.total_count, 42),
        Answer::Membership(m) => assert_eq!(m.id, "orgmem_2g7np7Hrk0SN6kj5EDMLDaKNL0S"),
    }
}

#[test]
fn twenty_sequential_calls_through_one_client_use_one_connection() {
    let server = keep_alive_server();
    let client = client_for(&server);
    for i in 0..20 {
        call(&client, i);
    }
    assert_eq!(server.request_count(), 20);
    assert_eq!(server.connection_count(), 1);
}

#[test]
fn a_clone_of_the_client_shares_the_same_connection() {
    let server = keep_alive_server();
    let client = client_for(&server);
    let clone = client.clone();
    for i in 0..20 {
        let which = if i % 2 == 0 { &client } else { &clone };
        call(which, i);
    }
    // And a clone used from another thread, after the others, still reuses it.
    let moved = clone.clone();
    thread::spawn(move || {
        for i in 0..20 {
            call(&moved, i);
        }
    })
    .join()
    .unwrap();
    assert_eq!(server.request_count(), 40);
    assert_eq!(server.connection_count(), 1);
}

#[test]
fn a_closed_port_is_a_connect_error_that_was_not_sent() {
    let port = closed_port();
    let client = client_builder(format!("http://127.0.0.1:{port}/v1"))
        .connect_timeout(Duration::from_millis(500))
        // A refused connection may be retried; the waits between attempts cost no real time.
        .clock(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        ))
        .build()
        .unwrap();
    let err = Op::Create.send(&client).unwrap_err();
    let ErrorKind::Transport { source, .. } = err.kind() else {
        panic!("expected Error::Transport, got {err:?}");
    };
    assert_eq!(source.kind(), TransportErrorKind::Connect);
    assert!(!source.may_have_been_sent());
    assert!(!source.may_have_been_sent());
    assert!(err.attempts() >= 1);
    assert_eq!(err.status(), None);
    assert!(
        err.to_string().contains("request not sent"),
        "{}",
        err.to_string()
    );
}

fn small_body_client(server: &MockServer, max: u64) -> Client {
    client_builder(format!("{}/v1", server.base_url()))
        .max_response_body(max)
        .build()
        .unwrap()
}

#[test]
fn a_2xx_larger_than_max_response_body_is_response_too_large_with_its_status() {
    let mut body = MEMBERSHIP.as_bytes().to_vec();
    body.resize(64 * 1024, b' ');
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.any_request();
        then.status(200).body(body);
    });
    let err = Op::Delete
        .send(&small_body_client(&server, 1024))
        .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::ResponseTooLarge {
                status: 200,
                cap: 1024,
                ..
            }
        ) && err.attempts() == 1,
        "{err:?}"
    );
    assert_eq!(err.status(), Some(200));
    assert!(err.transport_error().is_none());
    assert_eq!(
        err.to_string(),
        "delete membership (DELETE /organizations/org_1/memberships/user_1): \
         response too large: the body of the 200 answer exceeds the cap of 1024 bytes"
    );
    // Not retried: the answer would be as large again.
    assert_eq!(mock.calls(), 1);
}

/// Sends a list through a client without a body cap to a server that answers with `head` (a
/// status line and headers announcing a huge body) and a few body bytes, then hangs up.
fn lying_length(head: &str, cap: u64) -> Error {
    let mut raw = head.as_bytes().to_vec();
    raw.extend_from_slice(br#"{"data":[],"#);
    let server = Server::start([Action::Raw(raw, End::Close)]);
    let client = client_builder(server.base_url())
        .max_response_body(cap)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    Op::List.send(&client).unwrap_err()
}

#[test]
fn a_content_length_of_u64_max_without_a_cap_is_an_error_not_a_panic() {
    let err = lying_length(
        "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\n",
        u64::MAX,
    );
    let source = err.transport_error().unwrap_or_else(|| panic!("{err:?}"));
    assert!(source.may_have_been_sent(), "{err:?}");
}

#[test]
fn a_content_length_of_a_tebibyte_under_an_equal_cap_allocates_nothing_of_it() {
    let err = lying_length(
        "HTTP/1.1 200 OK\r\nContent-Length: 1099511627776\r\n\r\n",
        1 << 40,
    );
    let source = err.transport_error().unwrap_or_else(|| panic!("{err:?}"));
    assert!(source.may_have_been_sent(), "{err:?}");
}

#[test]
fn an_error_answer_over_max_response_body_keeps_its_status() {
    let mut body = b"<html><body>bad gateway</body></html>".to_vec();
    body.resize(64 * 1024, b' ');
    let server = answering(502, body);
    let client = small_body_client(&server, 1024).with_retry_policy(RetryPolicy::none());
    let err = Op::Delete.send(&client).unwrap_err();
    match err.kind() {
        ErrorKind::UnexpectedResponse {
            status,
            body_snippet,
            ..
        } => {
            assert_eq!(*status, 502);
            assert!(
                body_snippet.starts_with("<html><body>bad gateway"),
                "{body_snippet}"
            );
        }
        other => panic!("expected the 502 to be kept, got {other:?}"),
    }
}

#[test]
fn a_body_just_within_max_response_body_is_read() {
    let body = MEMBERSHIP.as_bytes().to_vec();
    let server = answering(200, &body);
    let membership = Op::Delete
        .send(&small_body_client(&server, body.len() as u64))
        .unwrap()
        .membership();
    assert_eq!(membership.id, "orgmem_2g7np7Hrk0SN6kj5EDMLDaKNL0S");
}

#[test]
fn a_server_that_never_answers_is_a_timeout_that_may_have_been_sent() {
    // Holds the connection open, silent, until the client gives up or the server is dropped.
    let server = Server::start([Action::Stall]);
    let client = client_builder(server.base_url())
        .request_timeout(Duration::from_millis(200))
        // One attempt: this is about how a single silent answer is classified.
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = Op::Update.send(&client).unwrap_err();
    let source = err.transport_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(source.kind(), TransportErrorKind::Timeout);
    assert!(source.may_have_been_sent());
    assert!(source.may_have_been_sent());
    let requests = server.requests();
    let request = requests
        .first()
        .expect("the server did receive the request");
    assert!(
        request
            .request_line()
            .starts_with("PATCH /v1/organizations/org_1/memberships/user_1 HTTP/1.1"),
        "{request:?}"
    );
}

#[test]
fn a_server_that_hangs_up_without_answering_may_have_seen_the_request() {
    // The whole request is read, then the connection closes with no answer.
    let server = Server::start([Action::Hangup(End::Close)]);
    let err = Op::Create.send(&client_for(&server)).unwrap_err();
    let source = err.transport_error().unwrap_or_else(|| panic!("{err:?}"));
    assert!(source.may_have_been_sent(), "{err:?}");
    assert_eq!(source.kind(), TransportErrorKind::Io, "{err:?}");
}

/// A client for `https://127.0.0.1:<port>/v1` with a manual clock, so that retry waits cost no
/// real time.
fn tls_client(port: u16, policy: RetryPolicy) -> Client {
    client_builder(format!("https://127.0.0.1:{port}/v1"))
        .connect_timeout(Duration::from_secs(2))
        .request_timeout(Duration::from_secs(5))
        .retry_policy(policy)
        .clock(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        ))
        .build()
        .unwrap()
}

fn assert_handshake_failure(err: &Error) {
    let source = err.transport_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(source.kind(), TransportErrorKind::Connect, "{err:?}");
    assert!(!source.may_have_been_sent(), "{err:?}");
    assert!(source.is_retryable());
    assert_eq!(
        source.to_string(),
        "connect error (request not sent): the TLS handshake failed"
    );
    // What the TLS layer said is the next link of the chain.
    assert!(std::error::Error::source(err).is_some(), "{err:?}");
}

#[test]
fn a_server_that_answers_the_tls_hello_with_plain_http_fails_the_handshake_unsent() {
    let server = RawServer::start(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 1);
    let err = Op::Create
        .send(&tls_client(server.port(), RetryPolicy::none()))
        .unwrap_err();
    assert_handshake_failure(&err);
}

#[test]
fn a_server_that_closes_during_the_tls_handshake_fails_it_unsent() {
    let server = RawServer::start(b"", 1);
    let err = Op::Create
        .send(&tls_client(server.port(), RetryPolicy::none()))
        .unwrap_err();
    assert_handshake_failure(&err);
}

#[test]
fn a_create_whose_tls_handshake_failed_is_tried_again() {
    // The request never left the client, so even a create may be repeated.
    let server = RawServer::start(b"garbage instead of a server hello", 2);
    let client = tls_client(
        server.port(),
        RetryPolicy::builder().max_attempts(2).build(),
    );
    let err = Op::Create.send(&client).unwrap_err();
    assert_handshake_failure(&err);
    assert_eq!(err.attempts(), 2);
    assert_eq!(server.connection_count(), 2);
}

#[test]
fn sixteen_threads_sharing_one_client_open_at_most_sixteen_connections() {
    const THREADS: usize = 16;
    let server = keep_alive_server();
    let client = client_for(&server);
    thread::scope(|scope| {
        for worker in 0..THREADS {
            let client = &client;
            scope.spawn(move || {
                for i in 0..10 {
                    call(client, worker + i);
                }
            });
        }
    });
    assert_eq!(server.request_count(), THREADS * 10);
    // At most one connection per thread at a time, and every one kept when it comes back
    // idle: none is closed only to be opened again.
    assert!(
        server.connection_count() <= THREADS,
        "{} connections",
        server.connection_count()
    );
}
