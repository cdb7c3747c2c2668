//! Retry, rate-limit and pacing behaviour, with scripted answers and a manual clock: every
//! test asserts the exact attempts and waits, and runs in microseconds.

use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use crate::support::ops::Op;
use clerk_memberships::testing::{MEMBERSHIP_JSON, ManualClock, MockTransport};
use clerk_memberships::{
    AttemptEvent, Client, ClientBuilder, ErrorKind, HttpResponse, ListMemberships, Operation,
    RetryPolicy, RetryPolicyBuilder, SlidingWindowLimiter, TransportError, TransportErrorKind,
};

const KEY: &str = "sk_test_retrykey123";
const PAGE: &str = r#"{"data":[],"total_count":0}"#;
const CLERK_500: &str = r#"{"errors":[{"code":"internal_clerk_error","message":"oops","long_message":"Something went wrong"}],"clerk_trace_id":"trace_500"}"#;
const CLERK_429: &str = r#"{"errors":[{"code":"too_many_requests","message":"Too many requests","long_message":"Too many requests, retry later"}],"clerk_trace_id":"trace_429"}"#;

fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

struct Setup {
    mock: MockTransport,
    clock: ManualClock,
    client: Client,
}

fn setup(policy: impl Into<RetryPolicy>) -> Setup {
    setup_with(|builder| builder.retry_policy(policy))
}

/// A client on a `MockTransport` and a `ManualClock`, as `configure` finishes it.
fn setup_with(configure: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Setup {
    let mock = MockTransport::new();
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_780_000_000));
    let builder = Client::builder()
        .secret_key(KEY)
        .transport(mock.clone())
        .clock(clock.clone());
    let client = configure(builder).build().unwrap();
    Setup {
        mock,
        clock,
        client,
    }
}

fn exact() -> RetryPolicyBuilder {
    RetryPolicy::builder().jitter(0.0)
}

fn maybe_sent() -> TransportError {
    TransportError::maybe_sent(
        TransportErrorKind::Timeout,
        "timed out waiting for the answer",
    )
}

fn not_sent() -> TransportError {
    TransportError::not_sent(TransportErrorKind::Connect, "connection refused")
}

#[test]
fn list_is_retried_on_5xx_with_exponential_backoff() {
    let s = setup(exact());
    s.mock
        .push_json(503, CLERK_500)
        .push_json(502, "<html>bad gateway</html>");
    s.mock.push_json(200, PAGE);
    let page = Op::List.send(&s.client).unwrap().page();
    assert_eq!(page.total_count, 0);
    assert_eq!(s.mock.requests().len(), 3);
    assert_eq!(s.clock.sleeps(), [ms(500), ms(750)]);
}

#[test]
fn gives_up_after_max_attempts_with_the_last_real_error() {
    let s = setup(exact());
    for _ in 0..4 {
        s.mock.push_json(500, CLERK_500);
    }
    s.mock.push_json(200, PAGE); // never reached
    let err = Op::List.send(&s.client).unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.attempts(), 4);
    assert_eq!(
        err.clerk_codes().collect::<Vec<_>>(),
        ["internal_clerk_error"]
    );
    assert_eq!(err.clerk_trace_id(), Some("trace_500"));
    assert_eq!(s.mock.requests().len(), 4);
    // Three waits between four attempts; none after the last.
    assert_eq!(s.clock.sleeps(), [ms(500), ms(750), ms(1125)]);
    assert_eq!(s.mock.remaining(), 1);
}

#[test]
fn create_is_not_retried_after_a_5xx() {
    let s = setup(exact());
    s.mock
        .push_json(500, CLERK_500)
        .push_json(200, MEMBERSHIP_JSON);
    let err = Op::Create.send(&s.client).unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.attempts(), 1);
    assert_eq!(s.mock.requests().len(), 1);
    assert!(s.clock.sleeps().is_empty());
}

#[test]
fn create_is_not_retried_after_a_failure_that_may_have_reached_the_server() {
    let s = setup(exact());
    s.mock
        .push_error(maybe_sent())
        .push_json(200, MEMBERSHIP_JSON);
    let err = Op::Create.send(&s.client).unwrap_err();
    let transport = err.transport_error().unwrap();
    assert_eq!(transport.kind(), TransportErrorKind::Timeout);
    assert!(transport.may_have_been_sent());
    assert_eq!(err.attempts(), 1);
    assert_eq!(s.mock.requests().len(), 1);
}

#[test]
fn create_is_retried_when_it_certainly_was_not_sent() {
    let s = setup(exact());
    s.mock
        .push_error(not_sent())
        .push_json(200, MEMBERSHIP_JSON);
    Op::Create.send(&s.client).unwrap();
    assert_eq!(s.mock.requests().len(), 2);
    assert_eq!(s.clock.sleeps(), [ms(500)]);
}

#[test]
fn create_is_retried_after_ambiguous_failures_only_when_opted_in() {
    let s = setup(exact().retry_ambiguous_creates(true));
    s.mock.push_error(maybe_sent()).push_json(503, CLERK_500);
    s.mock.push_json(200, MEMBERSHIP_JSON);
    Op::Create.send(&s.client).unwrap();
    assert_eq!(s.mock.requests().len(), 3);
    assert_eq!(s.clock.sleeps(), [ms(500), ms(750)]);
}

#[test]
fn idempotent_operations_are_retried_after_maybe_sent_failures() {
    let s = setup(exact());
    s.mock
        .push_error(maybe_sent())
        .push_json(200, MEMBERSHIP_JSON);
    Op::Update.send(&s.client).unwrap();
    assert_eq!(s.mock.requests().len(), 2);
}

#[test]
fn rate_limited_create_waits_retry_after_seconds() {
    let s = setup(exact());
    s.mock
        .push_response(HttpResponse::new(429, CLERK_429).with_header("Retry-After", "3"));
    s.mock.push_json(200, MEMBERSHIP_JSON);
    Op::Create.send(&s.client).unwrap();
    assert_eq!(s.mock.requests().len(), 2);
    assert_eq!(s.clock.sleeps(), [Duration::from_secs(3)]);
}

#[test]
fn retry_after_as_http_date_is_honoured() {
    let s = setup(exact());
    // The manual clock reads 1_780_000_000 s = Thu, 28 May 2026 20:26:40 GMT.
    s.mock.push_response(
        HttpResponse::new(429, CLERK_429)
            .with_header("retry-after", "Thu, 28 May 2026 20:26:47 GMT"),
    );
    s.mock.push_json(200, PAGE);
    Op::List.send(&s.client).unwrap();
    assert_eq!(s.clock.sleeps(), [Duration::from_secs(7)]);
}

#[test]
fn a_retry_after_past_the_deadline_is_not_waited_for() {
    let s = setup(exact().deadline(Duration::from_secs(30)));
    s.mock
        .push_response(HttpResponse::new(429, CLERK_429).with_header("Retry-After", "60"));
    s.mock.push_json(200, PAGE);
    let err = Op::List.send(&s.client).unwrap_err();
    assert!(err.is_rate_limited());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(60)));
    assert_eq!(err.attempts(), 1);
    assert!(s.clock.sleeps().is_empty());
}

#[test]
fn backoff_never_sleeps_past_the_deadline() {
    let s = setup(exact().deadline(ms(2500)).max_attempts(10));
    for _ in 0..10 {
        s.mock.push_json(500, CLERK_500);
    }
    let err = Op::List.send(&s.client).unwrap_err();
    // A retry must start with at least 1 s left: 500 and 500 + 750 fit before 1.5 s, a third
    // wait of 1125 ms does not.
    assert_eq!(s.clock.sleeps(), [ms(500), ms(750)]);
    assert_eq!(err.attempts(), 3);
}

#[test]
fn a_429_holds_back_every_clone_of_the_client_until_retry_after() {
    let s = setup(RetryPolicy::none());
    s.mock
        .push_response(HttpResponse::new(429, CLERK_429).with_header("Retry-After", "5"));
    s.mock.push_json(200, PAGE);
    let err = Op::List.send(&s.client).unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert!(s.clock.sleeps().is_empty());
    let clone = s.client.clone();
    Op::List.send(&clone).unwrap();
    assert_eq!(s.clock.sleeps(), [Duration::from_secs(5)]);
    assert_eq!(s.mock.requests().len(), 2);
}

#[test]
fn a_huge_retry_after_neither_panics_nor_blocks() {
    let s = setup(exact());
    s.mock.push_response(
        HttpResponse::new(429, CLERK_429).with_header("Retry-After", "99999999999999999999"),
    );
    let err = Op::List.send(&s.client).unwrap_err();
    assert_eq!(err.status(), Some(429));
    // The next call is held back, but not past its deadline: it fails at once, unsent.
    let err = Op::List.send(&s.client).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::RateLimited { .. }) && err.attempts() == 0,
        "{err:?}"
    );
    assert_eq!(s.mock.requests().len(), 1);
    assert!(s.clock.sleeps().is_empty());
}

#[test]
fn non_retryable_statuses_are_returned_at_once() {
    for status in [400, 401, 403, 404, 422] {
        let s = setup(exact());
        s.mock.push_json(status, CLERK_500).push_json(200, PAGE);
        let err = Op::List.send(&s.client).unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(s.mock.requests().len(), 1, "status {status}");
    }
}

#[test]
fn a_body_over_the_cap_is_not_retried() {
    let s = setup(exact());
    s.mock.push_error(TransportError::maybe_sent(
        TransportErrorKind::BodyTooLarge,
        "too big",
    ));
    s.mock.push_json(200, PAGE);
    let err = Op::List.send(&s.client).unwrap_err();
    assert_eq!(
        err.transport_error().unwrap().kind(),
        TransportErrorKind::BodyTooLarge
    );
    assert_eq!(s.mock.requests().len(), 1);
}

#[test]
fn per_call_override_turns_retries_off() {
    let s = setup(exact());
    s.mock.push_json(503, CLERK_500);
    let err = Op::List
        .send(&s.client.with_retry_policy(RetryPolicy::none()))
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(s.mock.requests().len(), 1);
    // The client itself still retries.
    s.mock.push_json(503, CLERK_500).push_json(200, PAGE);
    Op::List.send(&s.client).unwrap();
    assert_eq!(s.mock.requests().len(), 3);
}

#[test]
fn jitter_shortens_waits_by_at_most_its_share() {
    let s = setup(RetryPolicy::builder().max_attempts(4).jitter(0.5));
    for _ in 0..3 {
        s.mock.push_json(500, CLERK_500);
    }
    s.mock.push_json(200, PAGE);
    Op::List.send(&s.client).unwrap();
    let sleeps = s.clock.sleeps();
    assert_eq!(sleeps.len(), 3);
    let full = [ms(500), ms(750), ms(1125)];
    for (sleep, full) in sleeps.iter().zip(full) {
        assert!(
            *sleep <= full && *sleep >= full / 2,
            "{sleep:?} vs {full:?}"
        );
    }
    assert_ne!(sleeps, full, "jitter shortened at least one wait");
}

#[test]
fn the_rate_limiter_paces_all_clones() {
    let s = setup_with(|b| b.rate_limiter(SlidingWindowLimiter::new(2, Duration::from_secs(10))));
    for _ in 0..3 {
        s.mock.push_json(200, PAGE);
    }
    Op::List.send(&s.client).unwrap();
    Op::List.send(&s.client.clone()).unwrap();
    assert!(s.clock.sleeps().is_empty());
    Op::List.send(&s.client.clone()).unwrap();
    // The third waits until the first is a whole window, and the 2 % margin, ago.
    assert_eq!(s.clock.sleeps(), [ms(10_200)]);
}

/// With Clerk's rate limit on, a client signed with `key` sends `budget` calls at once and
/// waits a whole window of 10 s, and the limiter's 2 % margin, before the next.
fn assert_clerk_budget(key: &str, budget: usize) {
    let s = setup_with(|b| b.secret_key(key).clerk_rate_limit());
    for _ in 0..=budget {
        s.mock.push_json(200, PAGE);
    }
    for _ in 0..budget {
        Op::List.send(&s.client).unwrap();
    }
    assert!(s.clock.sleeps().is_empty());
    Op::List.send(&s.client).unwrap();
    assert_eq!(s.clock.sleeps(), [ms(10_200)]);
}

#[test]
fn clerk_rate_limit_uses_the_test_key_budget() {
    // 100 requests per 10 s.
    assert_clerk_budget(KEY, 100);
}

#[test]
fn clerk_rate_limit_uses_the_live_key_budget_for_live_keys() {
    // 1000 requests per 10 s.
    assert_clerk_budget("sk_live_retrykey123", 1_000);
}

#[test]
fn a_limiter_wait_past_the_deadline_fails_unsent() {
    let s = setup_with(|b| b.rate_limiter(SlidingWindowLimiter::new(1, Duration::from_secs(60))));
    s.mock.push_json(200, PAGE).push_json(200, PAGE);
    Op::List.send(&s.client).unwrap();
    let err = Op::List.send(&s.client).unwrap_err();
    assert!(err.is_rate_limited());
    assert_eq!(
        err.retry_after(),
        Some(ms(61_200)),
        "a window and its 2 % margin"
    );
    assert_eq!(err.attempts(), 0);
    assert_eq!(s.mock.requests().len(), 1);
}

#[test]
fn attempt_events_report_each_try_without_secrets_or_metadata() {
    let events = Arc::new(Mutex::new(Vec::<AttemptEvent>::new()));
    let sink = Arc::clone(&events);
    let s = setup_with(|b| {
        b.retry_policy(exact())
            .on_attempt(move |event| sink.lock().unwrap().push(event.clone()))
    });
    s.mock.push_json(503, CLERK_500).push_error(not_sent());
    s.mock.push_json(200, MEMBERSHIP_JSON);
    clerk_memberships::UpdateMembershipMetadata::builder()
        .organization_id("org_1")
        .user_id("user_1")
        .private_metadata(serde_json::json!({"salary": "top-secret-value"}))
        .build()
        .unwrap()
        .send(&s.client)
        .unwrap();
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].call.operation(), Operation::UpdateMetadata);
    assert_eq!(
        (events[0].attempt, events[0].status, events[0].retry_in),
        (1, Some(503), Some(ms(500)))
    );
    assert_eq!(events[0].clerk_trace_id.as_deref(), Some("trace_500"));
    assert_eq!(
        (
            events[1].attempt,
            events[1].transport_error,
            events[1].retry_in
        ),
        (2, Some(TransportErrorKind::Connect), Some(ms(750)))
    );
    assert_eq!(
        (events[2].attempt, events[2].status, events[2].retry_in),
        (3, Some(200), None)
    );
    let shown = format!("{events:?}");
    assert!(!shown.contains(KEY));
    assert!(!shown.contains("top-secret-value"));
}

#[test]
fn a_decode_error_after_retries_counts_the_attempts() {
    let s = setup(exact());
    s.mock.push_json(503, CLERK_500).push_json(200, "{not json");
    let err = Op::List.send(&s.client).unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::Decode {
            model: "Page<OrganizationMembership>",
            ..
        }
    ));
    assert_eq!(err.attempts(), 2);
}

#[test]
fn an_unbounded_deadline_still_retries() {
    let s = setup(exact().deadline(Duration::MAX));
    s.mock.push_json(503, CLERK_500).push_json(200, PAGE);
    Op::List.send(&s.client).unwrap();
    assert_eq!(s.clock.sleeps(), [ms(500)]);
}

/// A transport on the manual clock whose attempts each take `takes`, cut short at the time left
/// the client gives it, as a real transport's timeout would.
struct Slow {
    clock: ManualClock,
    takes: Duration,
    seen: Arc<Mutex<Vec<Option<Duration>>>>,
}

impl clerk_memberships::Transport for Slow {
    fn send(
        &self,
        request: &clerk_memberships::HttpRequest,
    ) -> Result<HttpResponse, TransportError> {
        self.seen.lock().unwrap().push(request.time_left());
        let spent = request
            .time_left()
            .map_or(self.takes, |left| left.min(self.takes));
        self.clock.advance(spent);
        Err(maybe_sent())
    }
}

#[test]
fn each_attempt_gets_only_the_time_left_before_the_deadline() {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_780_000_000));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let client = Client::builder()
        .secret_key(KEY)
        .transport(Slow {
            clock: clock.clone(),
            takes: Duration::from_secs(25),
            seen: Arc::clone(&seen),
        })
        .clock(clock.clone())
        .retry_policy(exact().deadline(Duration::from_secs(30)))
        .build()
        .unwrap();
    let start = clerk_memberships::Clock::now(&clock);
    let err = Op::List.send(&client).unwrap_err();
    assert_eq!(err.attempts(), 2);
    // 30 s for the first attempt; after it took 25 s and a 500 ms wait, 4.5 s are left.
    assert_eq!(
        *seen.lock().unwrap(),
        [Some(Duration::from_secs(30)), Some(ms(4_500))]
    );
    let elapsed = clerk_memberships::Clock::now(&clock)
        .duration_since(start)
        .unwrap();
    assert_eq!(
        elapsed,
        Duration::from_secs(30),
        "the call ends at its deadline"
    );
}

#[test]
fn render_gives_no_time_left_and_equality_ignores_it() {
    let s = setup(exact());
    s.mock.push_json(200, PAGE);
    let request = ListMemberships::builder()
        .organization_id("org_1")
        .build()
        .unwrap();
    let rendered = request.render(&s.client).unwrap();
    assert_eq!(rendered.time_left(), None);
    request.send(&s.client).unwrap();
    let sent = s.mock.last_request().unwrap();
    assert_eq!(sent.time_left(), Some(Duration::from_secs(30)));
    assert_eq!(sent, rendered);
}

#[test]
fn time_spent_in_the_attempt_hook_counts_against_the_deadline() {
    // A 2 s deadline, so a retry must start by 1 s (it needs 1 s left): the 500 ms backoff
    // fits after the first answer, but a hook that takes 600 ms (a slow log write) uses the
    // rest, so no second attempt is started.
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_780_000_000));
    let hook_clock = clock.clone();
    let s = setup_with(|builder| {
        builder
            .clock(clock.clone())
            .retry_policy(exact().deadline(ms(2000)))
            .on_attempt(move |_| hook_clock.advance(ms(600)))
    });
    s.mock.push_json(503, CLERK_500).push_json(200, PAGE);
    let err = Op::List.send(&s.client).unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.attempts(), 1);
    assert_eq!(s.mock.requests().len(), 1);
    assert_eq!(clock.sleeps(), [ms(500)]);
}

/// A clock whose sleeps overshoot by a fixed amount, as real sleeps do.
#[derive(Clone)]
struct Oversleeping(ManualClock, Duration);

impl clerk_memberships::Clock for Oversleeping {
    fn now(&self) -> std::time::SystemTime {
        self.0.now()
    }

    fn monotonic(&self) -> Duration {
        self.0.monotonic()
    }

    fn sleep(&self, duration: Duration) {
        self.0.sleep(duration);
        self.0.advance(self.1);
    }
}

#[test]
fn no_attempt_starts_once_an_overlong_sleep_passed_the_deadline() {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_780_000_000));
    // A 500 ms backoff, and a retry must start by 510 ms (1 s before the deadline), but the
    // sleep overshoots by 20 ms.
    let s = setup_with(|builder| {
        builder
            .clock(Oversleeping(clock.clone(), ms(20)))
            .retry_policy(exact().deadline(ms(1510)))
    });
    s.mock.push_error(not_sent()).push_json(200, PAGE);
    let err = Op::List.send(&s.client).unwrap_err();
    assert_eq!(
        err.transport_error().unwrap().kind(),
        TransportErrorKind::Connect
    );
    assert_eq!(err.attempts(), 1);
    assert_eq!(s.mock.requests().len(), 1);
}

#[test]
fn every_attempt_inside_a_call_is_told_a_time_left() {
    let s = setup(exact().deadline(Duration::from_secs(10)));
    s.mock.push_error(not_sent()).push_json(200, PAGE);
    Op::List.send(&s.client).unwrap();
    let lefts: Vec<_> = s.mock.requests().iter().map(|r| r.time_left()).collect();
    assert_eq!(lefts, [Some(Duration::from_secs(10)), Some(ms(9_500))]);
}

#[test]
fn a_zero_deadline_still_makes_one_attempt_and_never_retries() {
    let s = setup(exact().deadline(Duration::ZERO));
    s.mock.push_error(not_sent()).push_json(200, PAGE);
    let err = Op::List.send(&s.client).unwrap_err();
    assert_eq!(err.attempts(), 1);
    assert_eq!(s.mock.requests().len(), 1);
    // Nothing is left of the deadline, so the transport's own request timeout applies.
    assert_eq!(s.mock.requests()[0].time_left(), None);
    assert!(s.clock.sleeps().is_empty());
}

#[test]
fn an_exhausted_mock_panics_at_once_naming_the_request_without_retrying_or_sleeping() {
    let mock = MockTransport::new();
    let client = mock.client();
    let outcome =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Op::Delete.send(&client)));
    let panic = outcome.expect_err("an unscripted request panics");
    let message = panic
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(
        message.contains("unexpected request DELETE /v1/organizations/"),
        "{message}"
    );
    assert_eq!(mock.requests().len(), 1, "no retry");
    assert!(mock.clock().sleeps().is_empty(), "no wait");
}

#[test]
fn a_mock_client_waits_on_the_mocks_manual_clock() {
    let mock = MockTransport::new();
    mock.push_response(HttpResponse::new(429, CLERK_429).with_header("Retry-After", "30"))
        .push_json(503, CLERK_500)
        .push_json(200, PAGE);
    let client = mock
        .client_builder()
        .retry_policy(exact().deadline(Duration::from_secs(60)))
        .build()
        .unwrap();
    Op::List.send(&client).unwrap();
    // The waits went to the mock's manual clock, which records them instead of sleeping.
    assert_eq!(mock.clock().sleeps(), [Duration::from_secs(30), ms(750)]);
    assert_eq!(
        mock.requests()[0].header("authorization"),
        Some("Bearer sk_test_mock")
    );
}

#[test]
fn a_retry_policy_is_built_by_value_and_read_through_plain_getters() {
    let builder = RetryPolicy::builder().max_attempts(0).multiplier(f64::NAN);
    let policy = builder.jitter(2.0).deadline(ms(1500)).build();
    assert_eq!(policy.max_attempts(), 1, "0 counts as 1");
    assert_eq!(policy.multiplier(), 1.0);
    assert_eq!(policy.jitter(), 1.0);
    assert_eq!(policy.deadline(), ms(1500));
    assert_eq!(policy.initial_backoff(), ms(500));
    assert_eq!(policy.max_backoff(), Duration::from_secs(60));
    assert!(!policy.retry_ambiguous_creates());
    let copy = policy.clone();
    assert_eq!(copy, policy);
    // The client takes a policy or a builder.
    let s = setup_with(|b| b.retry_policy(RetryPolicy::builder().max_attempts(2)));
    assert_eq!(s.client.retry_policy().max_attempts(), 2);
    let once = s.client.with_retry_policy(RetryPolicy::none());
    assert_eq!(once.retry_policy().max_attempts(), 1);
}
