//! Faults injected by a real loopback server, through the default transport (`ureq`): the raw
//! one in `support` where the order of answers or the connections matter, else `httpmock`.
//!
//! Each test asserts what the client returns (variant, transport kind, whether the request may
//! have been sent, status, attempts), the exact waits (a [`ManualClock`] records them instead
//! of sleeping) and how many requests and connections the server saw. Only the socket timeouts
//! are real, and they are short.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::support::ops::Op;
use crate::support::server::{Action, End, OnConnect, Response, Server, closed_port};
use clerk_memberships::testing::{MEMBERSHIP_JSON, ManualClock};
use clerk_memberships::{
    AttemptEvent, Client, Error, ErrorKind, RetryPolicy, RetryPolicyBuilder, TransportErrorKind,
};
use httpmock::{Mock, MockServer};

const BAD_GATEWAY: &str =
    "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>";
const CLERK_503: &str = r#"{"errors":[{"code":"service_unavailable","message":"unavailable","long_message":"Try again later"}],"clerk_trace_id":"trace_503"}"#;
const CLERK_429: &str = r#"{"errors":[{"code":"too_many_requests","message":"Too many requests","long_message":"Too many requests, retry later"}],"clerk_trace_id":"trace_429"}"#;
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
fn exact() -> RetryPolicyBuilder {
    RetryPolicy::builder().jitter(0.0)
}

/// A client on the real transport, its clock and the attempts it reports.
struct Setup {
    client: Client,
    clock: ManualClock,
    events: Arc<Mutex<Vec<AttemptEvent>>>,
}

impl Setup {
    fn new(base_url: &str, policy: impl Into<RetryPolicy>) -> Setup {
        Setup::configure(base_url, policy, |b| b, |_| {})
    }

    /// `tweak` adjusts the builder; `hook` sees each attempt after it is recorded.
    fn configure(
        base_url: &str,
        policy: impl Into<RetryPolicy>,
        tweak: impl FnOnce(clerk_memberships::ClientBuilder) -> clerk_memberships::ClientBuilder,
        hook: impl Fn(&AttemptEvent) + Send + Sync + 'static,
    ) -> Setup {
        let clock = ManualClock::new(start_time());
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&events);
        let builder = crate::support::clients::client_builder(base_url)
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
        Setup {
            client: tweak(builder).build().unwrap(),
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

/// Whether a transport failure left the request possibly sent.
const MAYBE_SENT: bool = true;
const NOT_SENT: bool = false;

/// Asserts that `err` is a transport failure of this kind, possibly sent or not, after
/// `attempts`.
fn assert_transport(err: &Error, kind: TransportErrorKind, maybe_sent: bool, attempts: u32) {
    let transport = err
        .transport_error()
        .unwrap_or_else(|| panic!("expected a transport error, got {err:?}"));
    assert_eq!(transport.kind(), kind, "{err}");
    assert_eq!(transport.may_have_been_sent(), maybe_sent, "{err}");
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

    assert_transport(&err, kind, MAYBE_SENT, 1);
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
    for op in Op::IDEMPOTENT {
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

// ---------------------------------------------------------------------------------------------
// Connection refused: certainly not sent, so retried for every operation.

#[test]
fn refused_connection_is_not_sent_and_exhausts_the_attempts_even_for_create() {
    let port = closed_port();
    let s = Setup::new(&format!("http://127.0.0.1:{port}/v1"), exact());

    let err = Op::Create.send(&s.client).unwrap_err();

    assert!(matches!(err.kind(), ErrorKind::Transport { .. }), "{err:?}");
    assert_transport(&err, TransportErrorKind::Connect, NOT_SENT, 4);
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
        |b| b,
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
        |b| b.connect_timeout(ms(100)),
        |_| {},
    );

    let err = Op::Create.send(&s.client).unwrap_err();

    assert_transport(&err, TransportErrorKind::Timeout, NOT_SENT, 2);
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

    assert_transport(&err, TransportErrorKind::Io, MAYBE_SENT, 1);
    assert_eq!(s.clock.sleeps(), []);
    assert_eq!(server.request_count(), 0);
    assert_eq!(server.connection_count(), 1);

    Op::List.send(&s.client).unwrap();
    assert_eq!(server.request_connections(), [1]);
}

#[test]
fn connection_dropped_on_accept_is_retried_for_idempotent_operations() {
    for op in Op::IDEMPOTENT {
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
// 502 with an HTML body from a proxy.

fn bad_gateway() -> Action {
    Action::Respond(Response::html(502, BAD_GATEWAY))
}

/// Answers every `op` on `server` with `status`, `headers` and `body`, for the faults that
/// need neither a scripted order nor a count of connections; the mock counts the requests.
fn every<'a>(
    server: &'a MockServer,
    op: Op,
    status: u16,
    headers: &[(&str, &str)],
    body: &str,
) -> Mock<'a> {
    let (method, path) = op.wire();
    server.mock(|when, then| {
        when.method(method).path(path);
        let then = headers
            .iter()
            .fold(then.status(status), |then, (name, value)| {
                then.header(*name, *value)
            });
        then.body(body);
    })
}

const HTML: (&str, &str) = ("content-type", "text/html; charset=utf-8");
const JSON: (&str, &str) = ("content-type", "application/json");

#[test]
fn bad_gateway_html_is_an_unexpected_response_and_create_is_sent_once() {
    let server = MockServer::start();
    let mock = every(&server, Op::Create, 502, &[HTML], BAD_GATEWAY);
    let s = Setup::new(&server.url("/v1"), exact());

    let err = Op::Create.send(&s.client).unwrap_err();

    match err.kind() {
        ErrorKind::UnexpectedResponse {
            status,
            body_snippet,
            retry_after,
            ..
        } => {
            assert_eq!(*status, 502);
            assert_eq!(body_snippet, BAD_GATEWAY);
            assert_eq!(*retry_after, None);
            assert_eq!(err.attempts(), 1);
        }
        other => panic!("expected an unexpected response, got {other:?}"),
    }
    assert_eq!(err.status(), Some(502));
    assert!(err.transport_error().is_none());
    assert_eq!(s.clock.sleeps(), []);
    assert_eq!(mock.calls(), 1);
}

#[test]
fn bad_gateway_html_is_retried_for_idempotent_operations_on_the_same_connection() {
    for op in Op::IDEMPOTENT {
        let server = Server::start([bad_gateway(), bad_gateway(), op.ok()]);
        let s = Setup::new(&server.base_url(), exact());

        op.send(&s.client).unwrap();

        assert_eq!(s.clock.sleeps(), [ms(500), ms(750)], "{op:?}");
        assert_eq!(
            s.outcomes(),
            [
                Outcome::Status(502),
                Outcome::Status(502),
                Outcome::Status(200)
            ]
        );
        assert_eq!(requests_for(&server, op), 3, "{op:?}");
        // A complete answer, whatever its status, leaves the connection fit for reuse.
        assert_eq!(server.request_connections(), [0, 0, 0], "{op:?}");
    }
}

#[test]
fn bad_gateway_on_every_attempt_gives_up_with_the_last_answer() {
    let server = MockServer::start();
    let mock = every(&server, Op::List, 502, &[HTML], BAD_GATEWAY);
    let s = Setup::new(&server.url("/v1"), exact());

    let err = Op::List.send(&s.client).unwrap_err();

    assert!(
        matches!(
            err.kind(),
            ErrorKind::UnexpectedResponse { status: 502, .. }
        ) && err.attempts() == 4,
        "{err:?}"
    );
    assert_eq!(s.clock.sleeps(), [ms(500), ms(750), ms(1125)]);
    assert_eq!(mock.calls(), 4);
}

// ---------------------------------------------------------------------------------------------
// 503 with Retry-After.

fn unavailable_for(seconds: &str) -> Action {
    Action::Respond(Response::json(503, CLERK_503).header("Retry-After", seconds))
}

#[test]
fn unavailable_with_retry_after_waits_as_told_then_succeeds() {
    let server = Server::start([unavailable_for("2"), Op::List.ok()]);
    let s = Setup::new(&server.base_url(), exact());

    Op::List.send(&s.client).unwrap();

    assert_eq!(s.clock.sleeps(), [secs(2)]);
    assert_eq!(s.outcomes(), [Outcome::Status(503), Outcome::Status(200)]);
    assert_eq!(requests_for(&server, Op::List), 2);
}

#[test]
fn unavailable_with_retry_after_is_not_retried_for_create() {
    let server = MockServer::start();
    let retry_after = ("Retry-After", "2");
    let mock = every(&server, Op::Create, 503, &[JSON, retry_after], CLERK_503);
    let s = Setup::new(&server.url("/v1"), exact());

    let err = Op::Create.send(&s.client).unwrap_err();

    assert!(
        matches!(err.kind(), ErrorKind::Api { .. }) && err.attempts() == 1,
        "{err:?}"
    );
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.retry_after(), Some(secs(2)));
    assert_eq!(err.clerk_trace_id(), Some("trace_503"));
    assert_eq!(s.clock.sleeps(), []);
    assert_eq!(mock.calls(), 1);
}

// ---------------------------------------------------------------------------------------------
// 429 with Retry-After, in seconds and as an HTTP-date: retried even for create.

#[test]
fn too_many_requests_with_retry_after_seconds_retries_create() {
    let server = Server::start([
        Action::Respond(Response::json(429, CLERK_429).header("Retry-After", "1")),
        Op::Create.ok(),
    ]);
    let s = Setup::new(&server.base_url(), exact());

    Op::Create.send(&s.client).unwrap();

    assert_eq!(s.clock.sleeps(), [secs(1)]);
    assert_eq!(s.outcomes(), [Outcome::Status(429), Outcome::Status(200)]);
    assert_eq!(requests_for(&server, Op::Create), 2);
}

#[test]
fn too_many_requests_with_retry_after_date_waits_until_that_date() {
    let date = http_date(start_time() + secs(7));
    assert_eq!(date, "Thu, 28 May 2026 20:26:47 GMT");
    let server = Server::start([
        Action::Respond(Response::json(429, CLERK_429).header("Retry-After", date)),
        Op::Update.ok(),
    ]);
    let s = Setup::new(&server.base_url(), exact());

    Op::Update.send(&s.client).unwrap();

    assert_eq!(s.clock.sleeps(), [secs(7)]);
    assert_eq!(s.outcomes(), [Outcome::Status(429), Outcome::Status(200)]);
    assert_eq!(requests_for(&server, Op::Update), 2);
}

// ---------------------------------------------------------------------------------------------
// A body larger than the cap.

#[test]
fn body_over_the_cap_is_refused_and_not_retried() {
    let big = format!(
        r#"{{"data":[],"total_count":0,"padding":"{}"}}"#,
        "x".repeat(4096)
    );
    let server = Server::start([Action::Respond(Response::json(200, big)), Op::List.ok()]);
    let s = Setup::configure(
        &server.base_url(),
        exact(),
        |b| b.max_response_body(1024),
        |_| {},
    );

    let err = Op::List.send(&s.client).unwrap_err();

    // The answer was a 200: the error keeps that status.
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
    assert_eq!(s.clock.sleeps(), []);
    assert_eq!(
        s.outcomes(),
        [Outcome::Failed(TransportErrorKind::BodyTooLarge)]
    );
    assert_eq!(requests_for(&server, Op::List), 1);

    // The half-read connection is dropped, not pooled: the next call gets a fresh one.
    Op::List.send(&s.client).unwrap();
    assert_eq!(server.request_connections(), [0, 1]);
}

// ---------------------------------------------------------------------------------------------
// Connections after a fault, and the opt-in for ambiguous creates.

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
    assert_transport(&err, TransportErrorKind::Io, MAYBE_SENT, 1);
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

#[test]
fn ambiguous_creates_are_retried_when_opted_in() {
    let server = Server::start([
        Action::Hangup(End::Close),
        reset_mid_body(),
        bad_gateway(),
        Op::Create.ok(),
    ]);
    let s = Setup::new(&server.base_url(), exact().retry_ambiguous_creates(true));

    Op::Create.send(&s.client).unwrap();

    assert_eq!(s.clock.sleeps(), [ms(500), ms(750), ms(1125)]);
    assert_eq!(
        s.outcomes(),
        [
            Outcome::Failed(TransportErrorKind::Io),
            Outcome::Failed(TransportErrorKind::Io),
            Outcome::Status(502),
            Outcome::Status(200),
        ]
    );
    assert_eq!(requests_for(&server, Op::Create), 4);
    assert_eq!(server.request_connections(), [0, 1, 2, 2]);
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/// Formats an IMF-fixdate (RFC 9110, section 5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
fn http_date(at: SystemTime) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = at.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        MONTHS[month as usize - 1],
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The date `days` after 1970-01-01 (Howard Hinnant's algorithm, for dates after 1970).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[test]
fn http_dates_are_formatted_as_imf_fixdates() {
    assert_eq!(http_date(UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_eq!(
        http_date(UNIX_EPOCH + secs(784_111_777)),
        "Sun, 06 Nov 1994 08:49:37 GMT"
    );
    assert_eq!(
        http_date(UNIX_EPOCH + secs(1_709_208_000)),
        "Thu, 29 Feb 2024 12:00:00 GMT"
    );
    assert_eq!(http_date(start_time()), "Thu, 28 May 2026 20:26:40 GMT");
}
