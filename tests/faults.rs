//! Faults injected by a real loopback server, through the default transport (`ureq`).
//!
//! Each test asserts what the client returns (variant, transport kind, whether the request may
//! have been sent, status, attempts), the exact waits (a [`ManualClock`] records them instead
//! of sleeping) and how many requests and connections the server saw. Only the socket timeouts
//! are real, and they are short.

mod support;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clerk_memberships::testing::{MEMBERSHIP_JSON, ManualClock};
use clerk_memberships::{
    AttemptEvent, Client, CreateMembership, DeleteMembership, Delivery, Error, ListMemberships,
    RetryPolicy, TransportErrorKind, UpdateMembership, UpdateMembershipMetadata,
};
use serde_json::json;
use support::{Action, End, OnConnect, Response, Server};

const KEY: &str = "sk_test_faultkey123";
const PAGE: &str = r#"{"data":[],"total_count":0}"#;
/// Short, so that a stalled answer costs little; every other fault fails at once.
const REQUEST_TIMEOUT: Duration = Duration::from_millis(300);

fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn secs(secs: u64) -> Duration {
    Duration::from_secs(secs)
}

/// Thu, 28 May 2026 20:26:40 GMT.
fn start_time() -> SystemTime {
    UNIX_EPOCH + secs(1_780_000_000)
}

/// The default policy without jitter: waits of 500 ms, 750 ms, 1125 ms between 4 attempts.
fn exact() -> RetryPolicy {
    RetryPolicy::default().jitter(0.0)
}

/// A client on the real transport, its clock and the attempts it reports.
struct Setup {
    client: Client,
    clock: ManualClock,
    events: Arc<Mutex<Vec<AttemptEvent>>>,
}

impl Setup {
    fn new(base_url: &str, policy: RetryPolicy) -> Setup {
        Setup::configure(base_url, policy, |_| {}, |_| {})
    }

    /// `tweak` adjusts the builder; `hook` sees each attempt after it is recorded.
    fn configure(
        base_url: &str,
        policy: RetryPolicy,
        tweak: impl FnOnce(&mut clerk_memberships::ClientBuilder),
        hook: impl Fn(&AttemptEvent) + Send + Sync + 'static,
    ) -> Setup {
        let clock = ManualClock::new(start_time());
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&events);
        let mut builder = Client::builder();
        builder
            .secret_key(KEY)
            .base_url(base_url)
            .retry_policy(policy)
            .clock(clock.clone())
            .connect_timeout(secs(2))
            .request_timeout(REQUEST_TIMEOUT)
            .on_attempt(move |event| {
                sink.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(event.clone());
                hook(event);
            });
        tweak(&mut builder);
        Setup {
            client: builder.build().unwrap(),
            clock,
            events,
        }
    }

    /// For each attempt: the transport failure it ended with, or the status it got.
    fn outcomes(&self) -> Vec<Outcome> {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|e| match (e.status, e.transport_error) {
                (Some(status), _) => Outcome::Status(status),
                (None, Some(kind)) => Outcome::Failed(kind),
                (None, None) => unreachable!("an attempt ends with a status or a failure"),
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Status(u16),
    Failed(TransportErrorKind),
}

/// The five operations, so that one fault can be tried against each of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Create,
    List,
    Update,
    Delete,
    UpdateMetadata,
}

const IDEMPOTENT: [Op; 4] = [Op::List, Op::Update, Op::Delete, Op::UpdateMetadata];

impl Op {
    fn send(self, client: &Client) -> Result<(), Error> {
        match self {
            Op::Create => CreateMembership::builder()
                .organization_id("org_1")
                .user_id("user_1")
                .role("org:member")
                .build()?
                .send(client)
                .map(drop),
            Op::List => ListMemberships::builder()
                .organization_id("org_1")
                .build()?
                .send(client)
                .map(drop),
            Op::Update => UpdateMembership::builder()
                .organization_id("org_1")
                .user_id("user_1")
                .role("org:admin")
                .build()?
                .send(client)
                .map(drop),
            Op::Delete => DeleteMembership::builder()
                .organization_id("org_1")
                .user_id("user_1")
                .build()?
                .send(client)
                .map(drop),
            Op::UpdateMetadata => UpdateMembershipMetadata::builder()
                .organization_id("org_1")
                .user_id("user_1")
                .public_metadata(json!({"team": "billing"}))
                .build()?
                .send(client)
                .map(drop),
        }
    }

    /// The method and path the server must see.
    fn wire(self) -> (&'static str, &'static str) {
        match self {
            Op::Create => ("POST", "/v1/organizations/org_1/memberships"),
            Op::List => ("GET", "/v1/organizations/org_1/memberships"),
            Op::Update => ("PATCH", "/v1/organizations/org_1/memberships/user_1"),
            Op::Delete => ("DELETE", "/v1/organizations/org_1/memberships/user_1"),
            Op::UpdateMetadata => (
                "PATCH",
                "/v1/organizations/org_1/memberships/user_1/metadata",
            ),
        }
    }

    /// A successful answer for the operation.
    fn ok(self) -> Action {
        let body = if self == Op::List {
            PAGE
        } else {
            MEMBERSHIP_JSON
        };
        Action::Respond(Response::json(200, body))
    }
}

/// Asserts that every request the server saw was `op`'s, and returns how many there were.
fn requests_for(server: &Server, op: Op) -> usize {
    let requests = server.requests();
    for request in &requests {
        assert_eq!(
            (request.method.as_str(), request.path()),
            op.wire(),
            "{op:?}: unexpected request {request:?}"
        );
    }
    requests.len()
}

/// Asserts that `err` is a transport failure of this kind and delivery, after `attempts`.
fn assert_transport(err: &Error, kind: TransportErrorKind, delivery: Delivery, attempts: u32) {
    let transport = err
        .transport_error()
        .unwrap_or_else(|| panic!("expected a transport error, got {err:?}"));
    assert_eq!(transport.kind(), kind, "{err}");
    assert_eq!(transport.delivery(), delivery, "{err}");
    assert_eq!(
        transport.may_have_been_sent(),
        delivery == Delivery::MaybeSent
    );
    assert_eq!(err.status(), None);
    assert_eq!(err.attempts(), attempts, "{err}");
}

/// The fault makes `create` fail as `kind`, maybe-sent, after one attempt: the server saw the
/// request exactly once and no wait was started. The next call on the same client works, on a
/// fresh connection.
fn assert_create_sent_once(fault: Action, kind: TransportErrorKind) {
    let server = Server::start([fault, Op::List.ok()]);
    let s = Setup::new(&server.base_url(), exact());

    let err = Op::Create.send(&s.client).unwrap_err();

    assert_transport(&err, kind, Delivery::MaybeSent, 1);
    assert_eq!(s.clock.sleeps(), []);
    assert_eq!(s.outcomes(), [Outcome::Failed(kind)]);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path()),
        Op::Create.wire()
    );

    Op::List.send(&s.client).unwrap();
    assert_eq!(server.request_count(), 2);
    assert_eq!(server.request_connections(), [0, 1]);
}

/// With the fault on the first two attempts, each idempotent operation is retried after
/// 500 ms and 750 ms and succeeds on the third attempt, each on its own connection.
fn assert_idempotent_recover(fault: impl Fn() -> Action, kind: TransportErrorKind) {
    for op in IDEMPOTENT {
        let server = Server::start([fault(), fault(), op.ok()]);
        let s = Setup::new(&server.base_url(), exact());

        op.send(&s.client)
            .unwrap_or_else(|err| panic!("{op:?}: {err}"));

        assert_eq!(s.clock.sleeps(), [ms(500), ms(750)], "{op:?}");
        assert_eq!(
            s.outcomes(),
            [
                Outcome::Failed(kind),
                Outcome::Failed(kind),
                Outcome::Status(200)
            ],
            "{op:?}"
        );
        assert_eq!(requests_for(&server, op), 3, "{op:?}");
        assert_eq!(server.request_connections(), [0, 1, 2], "{op:?}");
    }
}

/// A port on which nothing listens: bound, then released.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

// ---------------------------------------------------------------------------------------------
// Connection refused: certainly not sent, so retried for every operation.

#[test]
fn refused_connection_is_not_sent_and_exhausts_the_attempts_even_for_create() {
    let port = closed_port();
    let s = Setup::new(&format!("http://127.0.0.1:{port}/v1"), exact());

    let err = Op::Create.send(&s.client).unwrap_err();

    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_transport(&err, TransportErrorKind::Connect, Delivery::NotSent, 4);
    assert_eq!(s.clock.sleeps(), [ms(500), ms(750), ms(1125)]);
    assert_eq!(
        s.outcomes(),
        [Outcome::Failed(TransportErrorKind::Connect); 4]
    );
}

#[test]
fn refused_connection_is_retried_for_create_until_the_server_is_up() {
    let port = closed_port();
    let server: Arc<Mutex<Option<Server>>> = Arc::new(Mutex::new(None));
    let slot = Arc::clone(&server);
    // The server comes up after the second refused attempt, before the client's next try.
    let s = Setup::configure(
        &format!("http://127.0.0.1:{port}/v1"),
        exact(),
        |_| {},
        move |event| {
            if event.attempt == 2 {
                let up = Server::builder()
                    .port(port)
                    .requests([Op::Create.ok()])
                    .start();
                *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(up);
            }
        },
    );

    Op::Create.send(&s.client).unwrap();

    assert_eq!(s.clock.sleeps(), [ms(500), ms(750)]);
    assert_eq!(
        s.outcomes(),
        [
            Outcome::Failed(TransportErrorKind::Connect),
            Outcome::Failed(TransportErrorKind::Connect),
            Outcome::Status(200)
        ]
    );
    let server = server.lock().unwrap().take().unwrap();
    assert_eq!(requests_for(&server, Op::Create), 1);
    assert_eq!(server.connection_count(), 1);
}

/// Connecting times out when the listener's accept queue is full: Linux then drops the SYN.
#[cfg(target_os = "linux")]
#[test]
fn connect_timeout_is_not_sent_so_create_is_retried() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    // Fill the accept queue (nothing accepts) until a connect hangs.
    let mut queued = Vec::new();
    let hung = loop {
        assert!(queued.len() < 5000, "the accept queue never filled up");
        match std::net::TcpStream::connect_timeout(&addr, ms(50)) {
            Ok(stream) => queued.push(stream),
            Err(err) => break err,
        }
    };
    assert_eq!(hung.kind(), std::io::ErrorKind::TimedOut);
    let s = Setup::configure(
        &format!("http://{addr}/v1"),
        exact().max_attempts(2),
        |b| {
            b.connect_timeout(ms(100));
        },
        |_| {},
    );

    let err = Op::Create.send(&s.client).unwrap_err();

    assert_transport(&err, TransportErrorKind::Timeout, Delivery::NotSent, 2);
    assert_eq!(s.clock.sleeps(), [ms(500)]);
}

// ---------------------------------------------------------------------------------------------
// Connection dropped as soon as it is accepted: the server saw no request, but the client
// cannot know that its request was not read, so it counts as maybe sent.

#[test]
fn connection_dropped_on_accept_is_maybe_sent_for_create() {
    let server = Server::builder()
        .connections([OnConnect::Drop])
        .requests([Op::List.ok()])
        .start();
    let s = Setup::new(&server.base_url(), exact());

    let err = Op::Create.send(&s.client).unwrap_err();

    assert_transport(&err, TransportErrorKind::Io, Delivery::MaybeSent, 1);
    assert_eq!(s.clock.sleeps(), []);
    assert_eq!(server.request_count(), 0);
    assert_eq!(server.connection_count(), 1);

    Op::List.send(&s.client).unwrap();
    assert_eq!(server.request_connections(), [1]);
}

#[test]
fn connection_dropped_on_accept_is_retried_for_idempotent_operations() {
    for op in IDEMPOTENT {
        let server = Server::builder()
            .connections([OnConnect::Drop, OnConnect::Drop])
            .requests([op.ok()])
            .start();
        let s = Setup::new(&server.base_url(), exact());

        op.send(&s.client).unwrap();

        assert_eq!(s.clock.sleeps(), [ms(500), ms(750)], "{op:?}");
        assert_eq!(
            s.outcomes(),
            [
                Outcome::Failed(TransportErrorKind::Io),
                Outcome::Failed(TransportErrorKind::Io),
                Outcome::Status(200)
            ],
            "{op:?}"
        );
        assert_eq!(requests_for(&server, op), 1, "{op:?}");
        assert_eq!(server.request_connections(), [2], "{op:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Connection closed (FIN) after the request arrived, before any byte of the answer.

#[test]
fn closed_before_any_response_sends_create_once() {
    assert_create_sent_once(Action::Hangup(End::Close), TransportErrorKind::Io);
}

#[test]
fn closed_before_any_response_is_retried_for_idempotent_operations() {
    assert_idempotent_recover(|| Action::Hangup(End::Close), TransportErrorKind::Io);
}

// ---------------------------------------------------------------------------------------------
// Connection reset (RST) after the request arrived, before any byte of the answer.

#[test]
fn reset_before_any_response_sends_create_once() {
    assert_create_sent_once(Action::Hangup(End::Reset), TransportErrorKind::Io);
}

#[test]
fn reset_before_any_response_is_retried_for_idempotent_operations() {
    assert_idempotent_recover(|| Action::Hangup(End::Reset), TransportErrorKind::Io);
}

// ---------------------------------------------------------------------------------------------
// Connection reset in the middle of the body.

fn reset_mid_body() -> Action {
    Action::Truncate {
        response: Response::json(200, MEMBERSHIP_JSON),
        sent: 40,
        end: End::Reset,
    }
}

#[test]
fn reset_mid_body_sends_create_once() {
    assert_create_sent_once(reset_mid_body(), TransportErrorKind::Io);
}

#[test]
fn reset_mid_body_is_retried_for_idempotent_operations() {
    assert_idempotent_recover(reset_mid_body, TransportErrorKind::Io);
}

// ---------------------------------------------------------------------------------------------
// A body shorter than its Content-Length, then a clean close.

fn short_body() -> Action {
    Action::Truncate {
        response: Response::json(200, MEMBERSHIP_JSON),
        sent: 40,
        end: End::Close,
    }
}

#[test]
fn short_body_sends_create_once() {
    assert_create_sent_once(short_body(), TransportErrorKind::Io);
}

#[test]
fn short_body_is_retried_for_idempotent_operations() {
    assert_idempotent_recover(short_body, TransportErrorKind::Io);
}

// ---------------------------------------------------------------------------------------------
// Headers slower than the request timeout.

#[test]
fn slow_headers_time_out_and_send_create_once() {
    assert_create_sent_once(Action::Stall, TransportErrorKind::Timeout);
}

#[test]
fn slow_headers_are_retried_for_an_idempotent_operation() {
    // One operation only: each stalled attempt costs a real request timeout.
    let op = Op::UpdateMetadata;
    let server = Server::start([Action::Stall, op.ok()]);
    let s = Setup::new(&server.base_url(), exact());

    op.send(&s.client).unwrap();

    assert_eq!(s.clock.sleeps(), [ms(500)]);
    assert_eq!(
        s.outcomes(),
        [
            Outcome::Failed(TransportErrorKind::Timeout),
            Outcome::Status(200)
        ]
    );
    assert_eq!(requests_for(&server, op), 2);
    assert_eq!(server.request_connections(), [0, 1]);
}

// ---------------------------------------------------------------------------------------------
// Connections after a fault.

#[test]
fn a_fault_on_a_pooled_connection_is_not_repeated_and_the_connection_is_not_reused() {
    let server = Server::start([
        Op::List.ok(),
        Action::Hangup(End::Close),
        Op::List.ok(),
        Op::List.ok(),
    ]);
    let s = Setup::new(&server.base_url(), exact());

    Op::List.send(&s.client).unwrap();
    let err = Op::Create.send(&s.client).unwrap_err();
    assert_transport(&err, TransportErrorKind::Io, Delivery::MaybeSent, 1);
    Op::List.send(&s.client).unwrap();
    Op::List.send(&s.client).unwrap();

    // The create went out once, on the kept-alive connection; after it broke, a new one was
    // opened and kept alive in its turn.
    let methods: Vec<String> = server.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["GET", "POST", "GET", "GET"]);
    assert_eq!(server.request_connections(), [0, 0, 1, 1]);
    assert_eq!(server.connection_count(), 2);
    assert_eq!(s.clock.sleeps(), []);
}
