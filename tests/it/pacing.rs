//! Pacing and time: waits and deadlines on the monotonic clock whatever the wall clock does, a
//! limiter that never lets more than N requests start in any window, waiters served in arrival
//! order, `Retry-After` read per RFC 9110, and no retry started on a sliver of time.

use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::support::ops::{EMPTY_PAGE, Op};
use clerk_memberships::testing::{ManualClock, MockTransport};
use clerk_memberships::{
    AttemptEvent, Client, ClientBuilder, Clock, Error, ErrorKind, HttpRequest, HttpResponse,
    RateLimiter, RetryPolicy, RetryPolicyBuilder, SlidingWindowLimiter, Transport, TransportError,
    TransportErrorKind,
};

const KEY: &str = "sk_test_pacingkey123";
const CLERK_429: &str = r#"{"errors":[{"code":"too_many_requests","message":"Too many requests","long_message":"Too many requests"}],"clerk_trace_id":"trace_429"}"#;
const CLERK_503: &str =
    r#"{"errors":[{"code":"internal_clerk_error","message":"oops","long_message":"oops"}]}"#;
const HOUR: Duration = Duration::from_secs(3600);

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn start() -> SystemTime {
    UNIX_EPOCH + secs(1_780_000_000)
}

fn exact() -> RetryPolicyBuilder {
    RetryPolicy::builder().jitter(0.0)
}

/// A client on `transport` and a manual clock, as `configure` finishes it.
fn client_on(
    transport: impl Transport + 'static,
    clock: &ManualClock,
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> Client {
    let builder = Client::builder()
        .secret_key(KEY)
        .transport(transport)
        .clock(clock.clone());
    configure(builder).build().unwrap()
}

fn rate_limited(retry_after: &str) -> HttpResponse {
    HttpResponse::new(429, CLERK_429).with_header("Retry-After", retry_after)
}

// ---------------------------------------------------------------------------------------------
// The wall clock stepping back or forward changes no wait and no deadline.

/// After a 429 that asked for 5 s, the wall clock is stepped by `step`; the next call still
/// waits exactly 5 s.
fn the_429_gate_holds_for_retry_after_whatever_the_wall_clock_does(
    step: impl Fn(SystemTime) -> SystemTime,
) {
    let clock = ManualClock::new(start());
    let mock = MockTransport::new();
    let client = client_on(mock.clone(), &clock, |b| {
        b.retry_policy(RetryPolicy::none())
    });
    mock.push_response(rate_limited("5"));
    mock.push_json(200, EMPTY_PAGE);
    let err = Op::List.send(&client).unwrap_err();
    assert_eq!(err.status(), Some(429));
    clock.set_wall_time(step(clock.now()));
    Op::List.send(&client.clone()).unwrap();
    assert_eq!(clock.sleeps(), [secs(5)]);
    assert_eq!(mock.requests().len(), 2);
}

#[test]
fn a_wall_clock_stepped_back_an_hour_does_not_stretch_a_429_wait() {
    the_429_gate_holds_for_retry_after_whatever_the_wall_clock_does(|now| now - HOUR);
}

#[test]
fn a_wall_clock_stepped_forward_an_hour_does_not_cut_a_429_wait() {
    the_429_gate_holds_for_retry_after_whatever_the_wall_clock_does(|now| now + HOUR);
}

/// Answers 503 and steps the wall clock by an hour during every attempt.
struct SteppingWall {
    clock: ManualClock,
    forward: bool,
    seen: Arc<Mutex<Vec<Option<Duration>>>>,
}

impl Transport for SteppingWall {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.seen.lock().unwrap().push(request.time_left());
        let wall = self.clock.now();
        self.clock.set_wall_time(if self.forward {
            wall + HOUR
        } else {
            wall - HOUR
        });
        Ok(HttpResponse::new(503, CLERK_503))
    }
}

#[test]
fn wall_clock_steps_during_attempts_change_no_deadline_and_no_backoff() {
    for forward in [true, false] {
        let clock = ManualClock::new(start());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let transport = SteppingWall {
            clock: clock.clone(),
            forward,
            seen: Arc::clone(&seen),
        };
        let client = client_on(transport, &clock, |b| {
            b.retry_policy(exact().deadline(secs(30)))
        });
        let err = Op::List.send(&client).unwrap_err();
        assert_eq!(err.status(), Some(503));
        assert_eq!(err.attempts(), 4, "forward: {forward}");
        assert_eq!(clock.sleeps(), [ms(500), ms(750), ms(1125)]);
        assert_eq!(
            *seen.lock().unwrap(),
            [
                Some(secs(30)),
                Some(ms(29_500)),
                Some(ms(28_750)),
                Some(ms(27_625))
            ]
        );
    }
}

#[test]
fn a_wall_clock_step_does_not_refill_the_rate_limiter() {
    let clock = ManualClock::new(start());
    let mock = MockTransport::new();
    let client = client_on(mock.clone(), &clock, |b| {
        b.rate_limiter(SlidingWindowLimiter::new(1, secs(10)))
    });
    for _ in 0..3 {
        mock.push_json(200, EMPTY_PAGE);
    }
    Op::List.send(&client).unwrap();
    clock.set_wall_time(clock.now() + HOUR);
    Op::List.send(&client).unwrap();
    clock.set_wall_time(clock.now() - 2 * HOUR);
    Op::List.send(&client).unwrap();
    // One window plus the limiter's 2 % margin, each time, wherever the wall clock went.
    assert_eq!(clock.sleeps(), [ms(10_200), ms(10_200)]);
}

// ---------------------------------------------------------------------------------------------
// A limiter that never exceeds its rate.

/// Answers every request with an empty page and records the monotonic time it started.
struct Recorder {
    clock: ManualClock,
    starts: Arc<Mutex<Vec<Duration>>>,
}

impl Transport for Recorder {
    fn send(&self, _: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.starts.lock().unwrap().push(self.clock.monotonic());
        Ok(HttpResponse::new(200, EMPTY_PAGE))
    }
}

/// The most starts in any window `[t, t + per)`.
fn most_in_any_window(starts: &[Duration], per: Duration) -> usize {
    let mut most = 0;
    let mut first = 0;
    for (last, start) in starts.iter().enumerate() {
        while *start >= starts[first] + per {
            first += 1;
        }
        most = most.max(last + 1 - first);
    }
    most
}

/// `calls` calls through a client with Clerk's rate limit for `key`, with a pause after every
/// `burst`; returns the most that started in any 10 s window.
fn most_started_in_ten_seconds(key: &str, calls: usize, burst: usize) -> usize {
    let clock = ManualClock::new(start());
    let starts = Arc::new(Mutex::new(Vec::new()));
    let recorder = Recorder {
        clock: clock.clone(),
        starts: Arc::clone(&starts),
    };
    let client = client_on(recorder, &clock, |b| b.secret_key(key).clerk_rate_limit());
    for i in 0..calls {
        // Some calls come in bursts, some after a pause.
        if i % burst == 0 {
            clock.advance(ms(4_321));
        }
        Op::List.send(&client).unwrap();
    }
    let starts = starts.lock().unwrap();
    assert_eq!(starts.len(), calls);
    most_in_any_window(&starts, secs(10))
}

/// A small deterministic generator (xorshift), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn ten_thousand_starts_at_random_arrivals_never_exceed_the_limit_in_any_window() {
    for (seed, limit, per) in [
        (0x5EED_u64, 100_u32, secs(10)),
        (0xC1E4_u64, 1000, secs(10)),
        (42, 7, Duration::from_millis(250)),
    ] {
        let mut rng = Rng(seed);
        let limiter = SlidingWindowLimiter::new(limit, per);
        let mut now = Duration::ZERO;
        let mut starts = Vec::with_capacity(10_000);
        for _ in 0..10_000 {
            // Bursts, steady arrivals and idle periods longer than the window.
            now += match rng.below(1000) {
                0..=1 => per * 2,
                2..=300 => Duration::ZERO,
                // About four arrivals per free start: the limiter is kept busy.
                _ => Duration::from_micros(
                    rng.below(per.as_micros() as u64 / (2 * u64::from(limit)) + 1),
                ),
            };
            let start = limiter.reserve(now, Duration::MAX).unwrap();
            assert!(start >= now);
            starts.push(start);
        }
        assert!(starts.is_sorted(), "starts are handed out in arrival order");
        let most = most_in_any_window(&starts, per);
        assert!(
            most <= limit as usize,
            "seed {seed}: {most} starts in one window"
        );
        assert_eq!(
            most, limit as usize,
            "seed {seed}: bursts use the whole limit"
        );
    }
}

#[test]
fn the_first_window_and_the_one_after_an_idle_period_hold_the_limit_too() {
    let limiter = SlidingWindowLimiter::new(100, secs(10)).with_margin(Duration::ZERO);
    // A token bucket lets 100 start at once and 99 more within the same 10 s.
    let first: Vec<_> = (0..200)
        .map(|_| limiter.reserve(Duration::ZERO, Duration::MAX).unwrap())
        .collect();
    assert_eq!(first[99], Duration::ZERO);
    assert_eq!(first[100], secs(10));
    assert_eq!(most_in_any_window(&first, secs(10)), 100);
    let later = secs(1000);
    let after_idle: Vec<_> = (0..101)
        .map(|_| limiter.reserve(later, Duration::MAX).unwrap())
        .collect();
    assert_eq!(after_idle[99], later);
    assert_eq!(after_idle[100], later + secs(10));
}

#[test]
fn clerk_rate_limit_never_starts_more_than_100_requests_in_any_10_s_on_a_test_key() {
    assert_eq!(most_started_in_ten_seconds(KEY, 450, 137), 100);
}

#[test]
fn clerk_rate_limit_never_starts_more_than_1000_requests_in_any_10_s_on_a_live_key() {
    assert_eq!(
        most_started_in_ten_seconds("sk_live_pacingkey123", 4_500, 1_370),
        1_000
    );
}

// ---------------------------------------------------------------------------------------------
// Fairness: waiters are served in arrival order, each sleeping once.

/// A clock whose time moves only when the test says so, and whose `sleep` records who slept
/// for how long, then blocks until the test opens it.
#[derive(Clone, Default)]
struct Turnstile {
    state: Arc<(Mutex<TurnstileState>, Condvar)>,
}

#[derive(Default)]
struct TurnstileState {
    monotonic: Duration,
    open: bool,
    sleeps: Vec<(String, Duration)>,
}

impl Turnstile {
    fn sleeps(&self) -> Vec<(String, Duration)> {
        self.state.0.lock().unwrap().sleeps.clone()
    }

    /// Waits until `n` sleeps have been recorded.
    fn wait_for_sleepers(&self, n: usize) {
        let (lock, changed) = &*self.state;
        let mut state = lock.lock().unwrap();
        while state.sleeps.len() < n {
            state = changed.wait(state).unwrap();
        }
    }

    /// Moves the time to `to` and lets every sleeper go.
    fn open_at(&self, to: Duration) {
        let (lock, changed) = &*self.state;
        let mut state = lock.lock().unwrap();
        state.monotonic = to;
        state.open = true;
        changed.notify_all();
    }
}

impl Clock for Turnstile {
    fn now(&self) -> SystemTime {
        start() + self.monotonic()
    }

    fn monotonic(&self) -> Duration {
        self.state.0.lock().unwrap().monotonic
    }

    fn sleep(&self, duration: Duration) {
        let (lock, changed) = &*self.state;
        let mut state = lock.lock().unwrap();
        let name = thread::current().name().unwrap_or("?").to_owned();
        state.sleeps.push((name, duration));
        changed.notify_all();
        while !state.open {
            state = changed.wait(state).unwrap();
        }
    }
}

/// Starts one call per name, in this order, each only once the previous one is asleep (so the
/// arrival order is known); returns their threads.
fn arrive_in_order(
    client: &Client,
    clock: &Turnstile,
    names: &[&str],
    asleep_before: usize,
) -> Vec<thread::JoinHandle<Result<(), Error>>> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let client = client.clone();
            let handle = thread::Builder::new()
                .name((*name).to_owned())
                .spawn(move || Op::List.send(&client).map(drop))
                .unwrap();
            clock.wait_for_sleepers(asleep_before + i + 1);
            handle
        })
        .collect()
}

#[test]
fn threads_waiting_on_the_limiter_start_in_arrival_order_and_sleep_once() {
    let clock = Turnstile::default();
    let mock = MockTransport::new();
    for _ in 0..5 {
        mock.push_json(200, EMPTY_PAGE);
    }
    let client = Client::builder()
        .secret_key(KEY)
        .transport(mock.clone())
        .clock(clock.clone())
        .rate_limiter(SlidingWindowLimiter::new(1, secs(10)).with_margin(Duration::ZERO))
        .retry_policy(exact().deadline(secs(120)))
        .build()
        .unwrap();
    Op::List.send(&client).unwrap();
    let waiters = arrive_in_order(&client, &clock, &["b", "c", "d", "e"], 0);
    clock.open_at(secs(40));
    for waiter in waiters {
        waiter.join().unwrap().unwrap();
    }
    // Each waiter was given its own start, in the order it came, and slept once for it.
    let expected: Vec<_> = [("b", 10), ("c", 20), ("d", 30), ("e", 40)]
        .iter()
        .map(|(name, s)| ((*name).to_owned(), secs(*s)))
        .collect();
    assert_eq!(clock.sleeps(), expected);
    assert_eq!(mock.requests().len(), 5);
}

#[test]
fn waiters_behind_a_429_are_released_in_arrival_order_spread_over_a_tenth_of_retry_after() {
    let clock = Turnstile::default();
    let mock = MockTransport::new();
    mock.push_response(rate_limited("5"));
    for _ in 0..4 {
        mock.push_json(200, EMPTY_PAGE);
    }
    let client = Client::builder()
        .secret_key(KEY)
        .transport(mock.clone())
        .clock(clock.clone())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    assert_eq!(Op::List.send(&client).unwrap_err().status(), Some(429));
    let waiters = arrive_in_order(&client, &clock, &["b", "c", "d", "e"], 0);
    clock.open_at(secs(6));
    for waiter in waiters {
        waiter.join().unwrap().unwrap();
    }
    let sleeps = clock.sleeps();
    let names: Vec<_> = sleeps.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["b", "c", "d", "e"]);
    let waits: Vec<_> = sleeps.iter().map(|(_, wait)| *wait).collect();
    // The first leaves as the gate opens, the others after it in order, all within
    // min(1 s, 10 % of 5 s) = 500 ms.
    assert_eq!(waits[0], secs(5));
    assert!(waits.windows(2).all(|w| w[0] < w[1]), "{waits:?}");
    assert!(waits[3] < secs(5) + ms(500), "{waits:?}");
    assert!(
        waits[1] >= secs(5) + ms(50),
        "spread apart, not at one instant: {waits:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Retry-After per RFC 9110.

fn http_date_in(clock: &ManualClock, secs_ahead: u64, format: fn(SystemTime) -> String) -> String {
    format(clock.now() + secs(secs_ahead))
}

fn imf_fixdate(at: SystemTime) -> String {
    httpdate_like(at, "imf")
}

fn rfc850(at: SystemTime) -> String {
    httpdate_like(at, "rfc850")
}

fn asctime(at: SystemTime) -> String {
    httpdate_like(at, "asctime")
}

/// Formats `at` in one of the three HTTP-date formats (a small civil-date routine, enough for
/// the test's dates in 2026).
fn httpdate_like(at: SystemTime, format: &str) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const LONG_DAYS: [&str; 7] = [
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
    ];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = at.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (hour, minute, second) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let weekday = (days % 7) as usize;
    // Civil date from days since 1970-01-01 (Hinnant).
    let z = days as i64 + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let mon = MONTHS[(month - 1) as usize];
    match format {
        "imf" => format!(
            "{}, {day:02} {mon} {year} {hour:02}:{minute:02}:{second:02} GMT",
            DAYS[weekday]
        ),
        "rfc850" => format!(
            "{}, {day:02}-{mon}-{:02} {hour:02}:{minute:02}:{second:02} GMT",
            LONG_DAYS[weekday],
            year % 100
        ),
        _ => format!(
            "{} {mon} {day:>2} {hour:02}:{minute:02}:{second:02} {year}",
            DAYS[weekday]
        ),
    }
}

#[test]
fn retry_after_is_read_in_all_three_http_date_formats() {
    for format in [imf_fixdate, rfc850, asctime] {
        let clock = ManualClock::new(start());
        let mock = MockTransport::new();
        let client = client_on(mock.clone(), &clock, |b| b.retry_policy(exact()));
        let date = http_date_in(&clock, 7, format);
        mock.push_response(rate_limited(&date));
        mock.push_json(200, EMPTY_PAGE);
        Op::List.send(&client).unwrap();
        assert_eq!(clock.sleeps(), [secs(7)], "{date}");
    }
}

#[test]
fn error_retry_after_is_capped_at_the_one_hour_the_client_would_wait() {
    let clock = ManualClock::new(start());
    let mock = MockTransport::new();
    let client = client_on(mock.clone(), &clock, |b| {
        b.retry_policy(RetryPolicy::none())
    });
    for huge in [
        "7200".to_owned(),
        "99999999999999999999".to_owned(),
        http_date_in(&clock, 86_400, imf_fixdate),
    ] {
        mock.push_response(rate_limited(&huge));
        let err = Op::List
            .send(&client.with_retry_policy(RetryPolicy::none()))
            .unwrap_err();
        assert_eq!(err.retry_after(), Some(HOUR), "{huge}");
    }
    let mock = MockTransport::new();
    let client = client_on(mock.clone(), &clock, |b| {
        b.retry_policy(RetryPolicy::none())
    });
    mock.push_response(
        HttpResponse::new(503, "<html>down</html>").with_header("Retry-After", "86400"),
    );
    let err = Op::List.send(&client).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::UnexpectedResponse { .. }),
        "{err:?}"
    );
    assert_eq!(err.retry_after(), Some(HOUR));
}

// ---------------------------------------------------------------------------------------------
// Each answer is read once.

#[test]
fn the_wait_the_gate_imposes_and_the_error_report_come_from_one_reading_of_retry_after() {
    // The server asks for a date 10 s ahead; the attempt hook then takes 3 s. The error says
    // what the server said (10 s), and the gate it closed opens 10 s after the answer.
    let clock = ManualClock::new(start());
    let mock = MockTransport::new();
    let hook_clock = clock.clone();
    let client = client_on(mock.clone(), &clock, |b| {
        b.retry_policy(RetryPolicy::none())
            .on_attempt(move |_: &AttemptEvent| hook_clock.advance(secs(3)))
    });
    let date = http_date_in(&clock, 10, imf_fixdate);
    mock.push_response(rate_limited(&date));
    mock.push_json(200, EMPTY_PAGE);
    let err = Op::List.send(&client).unwrap_err();
    assert_eq!(err.retry_after(), Some(secs(10)));
    Op::List.send(&client).unwrap();
    assert_eq!(clock.sleeps(), [secs(7)]);
}

// ---------------------------------------------------------------------------------------------
// No retry on a sliver of time.

/// The first attempt takes 29 s and is refused before sending; any later one takes all the
/// time it is given and then times out, as a real transport would.
struct RefusedThenTimesOut {
    clock: ManualClock,
    calls: Mutex<u32>,
}

impl Transport for RefusedThenTimesOut {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut calls = self.calls.lock().unwrap();
        *calls += 1;
        if *calls == 1 {
            self.clock.advance(secs(29));
            return Err(TransportError::not_sent(
                TransportErrorKind::Connect,
                "connection refused",
            ));
        }
        self.clock.advance(request.time_left().unwrap_or(secs(30)));
        Err(TransportError::maybe_sent(
            TransportErrorKind::Timeout,
            "timed out",
        ))
    }
}

#[test]
fn a_create_keeps_its_not_sent_evidence_instead_of_retrying_on_a_sliver_of_time() {
    let clock = ManualClock::new(start());
    let transport = RefusedThenTimesOut {
        clock: clock.clone(),
        calls: Mutex::new(0),
    };
    let client = client_on(transport, &clock, |b| {
        b.retry_policy(exact().deadline(secs(30)))
    });
    let err = Op::Create.send(&client).unwrap_err();
    // After 29 s and a 500 ms backoff only 500 ms would be left: less than the 1 s a retry
    // needs, so none starts, and the caller learns the create was certainly not sent.
    let transport_error = err.transport_error().unwrap();
    assert!(!transport_error.may_have_been_sent());
    assert_eq!(err.attempts(), 1);
    assert!(clock.sleeps().is_empty());
}

#[test]
fn a_short_connect_timeout_shortens_the_time_a_retry_needs() {
    let clock = ManualClock::new(start());
    let mock = MockTransport::new();
    mock.push_json(503, CLERK_503).push_json(200, EMPTY_PAGE);
    // 500 ms backoff in a 900 ms deadline leaves 400 ms: enough for a 300 ms connect timeout.
    let client = client_on(mock.clone(), &clock, |b| {
        b.retry_policy(exact().deadline(ms(900)))
            .connect_timeout(ms(300))
    });
    Op::List.send(&client).unwrap();
    assert_eq!(clock.sleeps(), [ms(500)]);
}
