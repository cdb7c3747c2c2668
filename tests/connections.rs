//! Connection handling of the default transport, against tiny hand-written HTTP/1.1 servers:
//! keep-alive reuse, and how connect failures, oversized bodies and silent servers are reported.
//!
//! Every server here runs in its own thread, serves a bounded amount of work and stops by
//! itself, even if a test fails half-way.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, UNIX_EPOCH};

use clerk_memberships::testing::ManualClock;
use clerk_memberships::{
    Client, CreateMembership, DeleteMembership, Delivery, Error, ListMemberships, RetryPolicy,
    TransportErrorKind, UpdateMembership, UpdateMembershipMetadata,
};

const KEY: &str = "sk_test_C0nnecti0nsK3y";
const MEMBERSHIP: &str = include_str!("fixtures/membership.json");
const PAGE: &str = include_str!("fixtures/memberships_page.json");
/// The longest any helper server stays up, whatever happens in the test.
const SERVER_LIFETIME: Duration = Duration::from_secs(10);

fn client_for(addr: SocketAddr) -> Client {
    Client::builder()
        .secret_key(KEY)
        .base_url(format!("http://{addr}/v1"))
        .build()
        .unwrap()
}

/// Reads one request (head and `Content-Length` body) from `stream`, keeping any extra bytes
/// in `buf`. Returns the request head, or `None` when the client closed the connection.
fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<String> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let body_len = head
                .lines()
                .filter_map(|line| line.split_once(':'))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
                .and_then(|(_, value)| value.trim().parse::<usize>().ok())
                .unwrap_or(0);
            let total = end + 4 + body_len;
            while buf.len() < total {
                let mut chunk = [0u8; 4096];
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => return None,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            buf.drain(..total);
            return Some(head);
        }
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn respond(stream: &mut TcpStream, status: &str, body: &[u8]) -> std::io::Result<()> {
    // One write: a head and body in separate segments would wait on delayed ACKs.
    let mut answer = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(body);
    stream.write_all(&answer)?;
    stream.flush()
}

/// A keep-alive server that answers every request with a fixed JSON body (a page for `GET`, a
/// membership otherwise) and counts the connections it accepted.
struct KeepAliveServer {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    served: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl KeepAliveServer {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let served = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (accepted2, served2, stop2) = (accepted.clone(), served.clone(), stop.clone());
        thread::spawn(move || {
            let deadline = Instant::now() + SERVER_LIFETIME;
            while Instant::now() < deadline && !stop2.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        accepted2.fetch_add(1, Ordering::SeqCst);
                        let served = served2.clone();
                        thread::spawn(move || serve_keep_alive(stream, &served));
                    }
                    Err(err) if err.kind() == ErrorKind::WouldBlock => {
                        thread::sleep(Duration::from_millis(2));
                    }
                    Err(_) => break,
                }
            }
        });
        KeepAliveServer {
            addr,
            accepted,
            served,
            stop,
        }
    }
}

impl Drop for KeepAliveServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn serve_keep_alive(mut stream: TcpStream, served: &AtomicUsize) {
    stream.set_nonblocking(false).unwrap();
    // An idle pooled connection is closed by the client when it is dropped; this bounds the
    // wait if it never is.
    stream.set_read_timeout(Some(SERVER_LIFETIME)).unwrap();
    let mut buf = Vec::new();
    for _ in 0..1000 {
        let Some(head) = read_request(&mut stream, &mut buf) else {
            return;
        };
        let body = if head.starts_with("GET ") {
            PAGE
        } else {
            MEMBERSHIP
        };
        // Counted before answering, so the count is complete once the client has its answer.
        served.fetch_add(1, Ordering::SeqCst);
        if respond(&mut stream, "200 OK", body.as_bytes()).is_err() {
            return;
        }
    }
}

/// One of the five operations, chosen by `i`, sent through `client`.
fn call(client: &Client, i: usize) {
    match i % 5 {
        0 => {
            let page = ListMemberships::builder()
                .organization_id("org_1")
                .limit(10)
                .build()
                .unwrap()
                .send(client)
                .unwrap();
            assert_eq!(page.total_count, 42);
        }
        1 => {
            let m = CreateMembership::builder()
                .organization_id("org_1")
                .user_id("user_1")
                .role("org:member")
                .build()
                .unwrap()
                .send(client)
                .unwrap();
            assert_eq!(m.id, "orgmem_2g7np7Hrk0SN6kj5EDMLDaKNL0S");
        }
        2 => {
            UpdateMembership::builder()
                .organization_id("org_1")
                .user_id("user_1")
                .role("org:admin")
                .build()
                .unwrap()
                .send(client)
                .unwrap();
        }
        3 => {
            UpdateMembershipMetadata::builder()
                .organization_id("org_1")
                .user_id("user_1")
                .build()
                .unwrap()
                .send(client)
                .unwrap();
        }
        _ => {
            DeleteMembership::builder()
                .organization_id("org_1")
                .user_id("user_1")
                .build()
                .unwrap()
                .send(client)
                .unwrap();
        }
    }
}

#[test]
fn twenty_sequential_calls_through_one_client_use_one_connection() {
    let server = KeepAliveServer::start();
    let client = client_for(server.addr);
    for i in 0..20 {
        call(&client, i);
    }
    assert_eq!(server.served.load(Ordering::SeqCst), 20);
    assert_eq!(server.accepted.load(Ordering::SeqCst), 1);
}

#[test]
fn a_clone_of_the_client_shares_the_same_connection() {
    let server = KeepAliveServer::start();
    let client = client_for(server.addr);
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
    assert_eq!(server.served.load(Ordering::SeqCst), 40);
    assert_eq!(server.accepted.load(Ordering::SeqCst), 1);
}

#[test]
fn a_closed_port_is_a_connect_error_that_was_not_sent() {
    let addr = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    }; // dropped: nothing listens there any more
    let client = Client::builder()
        .secret_key(KEY)
        .base_url(format!("http://{addr}/v1"))
        .connect_timeout(Duration::from_millis(500))
        // A refused connection may be retried; the waits between attempts cost no real time.
        .clock(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        ))
        .build()
        .unwrap();
    let err = CreateMembership::builder()
        .organization_id("org_1")
        .user_id("user_1")
        .role("org:member")
        .build()
        .unwrap()
        .send(&client)
        .unwrap_err();
    let Error::Transport { source, attempts } = &err else {
        panic!("expected Error::Transport, got {err:?}");
    };
    assert_eq!(source.kind(), TransportErrorKind::Connect);
    assert_eq!(source.delivery(), Delivery::NotSent);
    assert!(!source.may_have_been_sent());
    assert!(*attempts >= 1);
    assert_eq!(err.status(), None);
    assert!(
        err.to_string().contains("request not sent"),
        "{}",
        err.to_string()
    );
}

/// A server that answers one request with `status` and `body`, then closes.
fn one_shot_server(status: &'static str, body: Vec<u8>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            stream.set_read_timeout(Some(SERVER_LIFETIME)).unwrap();
            let mut buf = Vec::new();
            if read_request(&mut stream, &mut buf).is_some() {
                let _ = respond(&mut stream, status, &body);
            }
        }
    });
    addr
}

fn small_body_client(addr: SocketAddr, max: u64) -> Client {
    Client::builder()
        .secret_key(KEY)
        .base_url(format!("http://{addr}/v1"))
        .max_response_body(max)
        .build()
        .unwrap()
}

#[test]
fn a_body_larger_than_max_response_body_is_body_too_large() {
    let mut body = MEMBERSHIP.as_bytes().to_vec();
    body.resize(64 * 1024, b' ');
    let addr = one_shot_server("200 OK", body);
    let err = DeleteMembership::builder()
        .organization_id("org_1")
        .user_id("user_1")
        .build()
        .unwrap()
        .send(&small_body_client(addr, 1024))
        .unwrap_err();
    let source = err.transport_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(source.kind(), TransportErrorKind::BodyTooLarge);
    assert!(source.may_have_been_sent());
}

#[test]
fn an_error_answer_over_max_response_body_keeps_its_status() {
    let mut body = b"<html><body>bad gateway</body></html>".to_vec();
    body.resize(64 * 1024, b' ');
    let addr = one_shot_server("502 Bad Gateway", body);
    let client = small_body_client(addr, 1024).with_retry_policy(RetryPolicy::none());
    let err = DeleteMembership::builder()
        .organization_id("org_1")
        .user_id("user_1")
        .build()
        .unwrap()
        .send(&client)
        .unwrap_err();
    match &err {
        Error::UnexpectedResponse {
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
    let addr = one_shot_server("200 OK", body.clone());
    let membership = DeleteMembership::builder()
        .organization_id("org_1")
        .user_id("user_1")
        .build()
        .unwrap()
        .send(&small_body_client(addr, body.len() as u64))
        .unwrap();
    assert_eq!(membership.id, "orgmem_2g7np7Hrk0SN6kj5EDMLDaKNL0S");
}

#[test]
fn a_server_that_never_answers_is_a_timeout_that_may_have_been_sent() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (release, released) = mpsc::channel::<()>();
    let (got_request, request_seen) = mpsc::channel::<String>();
    thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            stream.set_read_timeout(Some(SERVER_LIFETIME)).unwrap();
            let mut buf = Vec::new();
            if let Some(head) = read_request(&mut stream, &mut buf) {
                let _ = got_request.send(head);
            }
            // Hold the connection open, silent, until the test is done (or for a bounded time).
            let _ = released.recv_timeout(SERVER_LIFETIME);
        }
    });
    let client = Client::builder()
        .secret_key(KEY)
        .base_url(format!("http://{addr}/v1"))
        .request_timeout(Duration::from_millis(200))
        // One attempt: this is about how a single silent answer is classified.
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = UpdateMembership::builder()
        .organization_id("org_1")
        .user_id("user_1")
        .role("org:admin")
        .build()
        .unwrap()
        .send(&client)
        .unwrap_err();
    let _ = release.send(());
    let source = err.transport_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(source.kind(), TransportErrorKind::Timeout);
    assert_eq!(source.delivery(), Delivery::MaybeSent);
    assert!(source.may_have_been_sent());
    let head = request_seen
        .recv_timeout(SERVER_LIFETIME)
        .expect("the server did receive the request");
    assert!(
        head.starts_with("PATCH /v1/organizations/org_1/memberships/user_1 HTTP/1.1"),
        "{head}"
    );
}

#[test]
fn a_server_that_hangs_up_without_answering_may_have_seen_the_request() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            stream.set_read_timeout(Some(SERVER_LIFETIME)).unwrap();
            let mut buf = Vec::new();
            let _ = read_request(&mut stream, &mut buf);
            // Dropped here: the connection closes with no answer.
        }
    });
    let err = CreateMembership::builder()
        .organization_id("org_1")
        .user_id("user_1")
        .role("org:member")
        .build()
        .unwrap()
        .send(&client_for(addr))
        .unwrap_err();
    let source = err.transport_error().unwrap_or_else(|| panic!("{err:?}"));
    assert!(source.may_have_been_sent(), "{err:?}");
    assert_eq!(source.kind(), TransportErrorKind::Io, "{err:?}");
}
