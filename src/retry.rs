//! Retries that never duplicate a write, client-side rate limits, and reading `Retry-After`.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::clock::Clock;
use crate::error::{Error, TransportError, TransportErrorKind, parse_clerk_errors};
use crate::memberships::Operation;
use crate::sync::lock;
use crate::transport::{HttpRequest, HttpResponse, Transport};

/// When and how often a failed call is tried again.
///
/// Before each attempt the client waits for its rate limiter and for any `Retry-After` that a
/// 429 imposed on the whole client (every clone). After it, the answer decides:
///
/// | answer | retried for | wait |
/// |---|---|---|
/// | 429 | every operation (the request was not processed) | `Retry-After`, else backoff |
/// | 500, 502, 503, 504 | list, update, update_metadata, delete; create only if [opted in](Self::retry_ambiguous_creates) | `Retry-After`, else backoff |
/// | transport failure, request **not sent** (connection refused, DNS) | every operation | backoff |
/// | transport failure, request **maybe sent** (timeout, reset) | list, update, update_metadata, delete; create only if opted in | backoff |
/// | anything else (4xx, a body over the cap) | never | — |
///
/// No wait is started that would end past the [deadline](Self::deadline), and there is no
/// wait after the last attempt. On giving up, the caller gets the last real error, and
/// [`Error::attempts`](crate::Error::attempts) says how many attempts were made.
///
/// The defaults follow Clerk's published hint (first wait 500 ms, each next one ×1.5, capped at
/// 60 s) but are bounded for interactive tools: at most 4 attempts and 30 s in all.
///
/// ```
/// use std::time::Duration;
/// use clerk_memberships::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .max_attempts(8)
///     .deadline(Duration::from_secs(120));
/// assert_eq!(patient.backoff(1), Duration::from_millis(500));
/// assert_eq!(patient.backoff(2), Duration::from_millis(750));
///
/// let never = RetryPolicy::none();
/// assert_eq!(never.get_max_attempts(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    multiplier: f64,
    max_backoff: Duration,
    deadline: Duration,
    jitter: f64,
    retry_ambiguous_creates: bool,
}

/// Default [`RetryPolicy::max_attempts`]: 4 (the first try and 3 retries).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 4;
/// Default [`RetryPolicy::initial_backoff`]: 500 ms, Clerk's published hint.
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(500);
/// Default [`RetryPolicy::multiplier`]: 1.5, Clerk's published hint.
pub const DEFAULT_MULTIPLIER: f64 = 1.5;
/// Default [`RetryPolicy::max_backoff`]: 60 s, Clerk's published hint.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Default [`RetryPolicy::deadline`]: 30 s for a call, all attempts and waits included.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(30);
/// Default [`RetryPolicy::jitter`]: each backoff is shortened by a random part of up to 50 %.
pub const DEFAULT_JITTER: f64 = 0.5;

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            multiplier: DEFAULT_MULTIPLIER,
            max_backoff: DEFAULT_MAX_BACKOFF,
            deadline: DEFAULT_DEADLINE,
            jitter: DEFAULT_JITTER,
            retry_ambiguous_creates: false,
        }
    }
}

impl RetryPolicy {
    /// A policy that sends each request once and never retries.
    pub fn none() -> Self {
        RetryPolicy::default().max_attempts(1)
    }

    /// Most attempts per call, the first one included; `0` counts as `1`.
    ///
    /// Defaults to [`DEFAULT_MAX_ATTEMPTS`] (4).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry.
    ///
    /// Defaults to [`DEFAULT_INITIAL_BACKOFF`] (500 ms).
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }

    /// How much each wait grows over the previous one; values below 1 (or not finite) count as 1.
    ///
    /// Defaults to [`DEFAULT_MULTIPLIER`] (1.5).
    pub fn multiplier(mut self, factor: f64) -> Self {
        self.multiplier = if factor.is_finite() && factor >= 1.0 {
            factor
        } else {
            1.0
        };
        self
    }

    /// The longest single backoff.
    ///
    /// Defaults to [`DEFAULT_MAX_BACKOFF`] (60 s).
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }

    /// The time a call may take in all, attempts and waits included: no wait that would end
    /// past it is started (a server's `Retry-After` included), and each attempt is told the
    /// time left ([`HttpRequest::time_left`](crate::HttpRequest::time_left)), which the default
    /// transport uses as its timeout when it is shorter than the request timeout.
    ///
    /// Defaults to [`DEFAULT_DEADLINE`] (30 s).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The largest share (0 to 1) by which a backoff is randomly shortened, so that many
    /// clients do not retry in step. `0` gives exact, predictable waits.
    ///
    /// Defaults to [`DEFAULT_JITTER`] (0.5).
    pub fn jitter(mut self, share: f64) -> Self {
        self.jitter = if share.is_finite() {
            share.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    /// Also retry `create` after a 5xx or a transport failure that may have reached the
    /// server. The first attempt may then have added the member, and the retry answers
    /// "already a member": opt in only if your code treats that answer as success.
    ///
    /// Defaults to `false`.
    pub fn retry_ambiguous_creates(mut self, retry: bool) -> Self {
        self.retry_ambiguous_creates = retry;
        self
    }

    /// The most attempts per call.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The total time a call may take.
    pub fn get_deadline(&self) -> Duration {
        self.deadline
    }

    /// The backoff before retry number `retry` (1 for the first retry), before jitter:
    /// `initial × multiplier^(retry-1)`, capped at the maximum backoff.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exponent = i32::try_from(retry.saturating_sub(1)).unwrap_or(i32::MAX);
        let secs = self.initial_backoff.as_secs_f64() * self.multiplier.powi(exponent);
        Duration::try_from_secs_f64(secs)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }

    /// Whether `operation` may be repeated after a failure that may have reached the server.
    fn may_repeat(&self, operation: Operation) -> bool {
        operation.is_idempotent() || self.retry_ambiguous_creates
    }
}

/// One attempt of a call, as reported to the hook set with
/// [`ClientBuilder::on_attempt`](crate::ClientBuilder::on_attempt).
///
/// It never holds the secret key, request bodies or metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttemptEvent {
    /// The operation.
    pub operation: Operation,
    /// The attempt's number, from 1.
    pub attempt: u32,
    /// The status the server answered, if it answered.
    pub status: Option<u16>,
    /// The transport failure, if there was one.
    pub transport_error: Option<TransportErrorKind>,
    /// Clerk's trace id from an error answer, when present.
    pub clerk_trace_id: Option<String>,
    /// The wait before the next attempt, or `None` when this attempt was the last.
    pub retry_in: Option<Duration>,
}

/// The hook that receives [`AttemptEvent`]s.
pub(crate) type AttemptHook = Arc<dyn Fn(&AttemptEvent) + Send + Sync>;

/// Limits how fast a client sends, shared by all clones of the client.
///
/// [`TokenBucket`] is the built-in one; implement this to share a budget between processes.
pub trait RateLimiter: Send + Sync {
    /// Takes a permit to send one request now, or says how long until one is free (taking
    /// nothing).
    ///
    /// # Errors
    ///
    /// The time to wait before asking again.
    fn try_acquire(&self, now: SystemTime) -> Result<(), Duration>;
}

/// A token bucket: bursts up to `capacity` requests, refilled evenly over `per`.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use clerk_memberships::{RateLimiter, TokenBucket};
///
/// let bucket = TokenBucket::new(2, Duration::from_secs(10));
/// let t0 = UNIX_EPOCH;
/// assert!(bucket.try_acquire(t0).is_ok());
/// assert!(bucket.try_acquire(t0).is_ok());
/// assert_eq!(bucket.try_acquire(t0), Err(Duration::from_secs(5)));
/// assert!(bucket.try_acquire(t0 + Duration::from_secs(5)).is_ok());
/// ```
pub struct TokenBucket {
    capacity: f64,
    per_token: Duration,
    state: Mutex<Option<(f64, SystemTime)>>,
}

impl fmt::Debug for TokenBucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenBucket")
            .field("capacity", &self.capacity)
            .field("per_token", &self.per_token)
            .finish_non_exhaustive()
    }
}

impl TokenBucket {
    /// At most `requests` requests per `per`, in bursts of up to `requests`. A `requests` of 0
    /// counts as 1.
    pub fn new(requests: u32, per: Duration) -> Self {
        let requests = requests.max(1);
        TokenBucket {
            capacity: f64::from(requests),
            per_token: per / requests,
            state: Mutex::new(None),
        }
    }

    /// Clerk's published limits for a key: 1000 requests per 10 s for `sk_live_` keys, 100 per
    /// 10 s otherwise (development instances).
    pub fn for_key(key: &crate::SecretKey) -> Self {
        let requests = if key.is_live() { 1000 } else { 100 };
        TokenBucket::new(requests, Duration::from_secs(10))
    }
}

impl RateLimiter for TokenBucket {
    fn try_acquire(&self, now: SystemTime) -> Result<(), Duration> {
        let mut state = lock(&self.state);
        let (tokens, last) = state.unwrap_or((self.capacity, now));
        let elapsed = now.duration_since(last).unwrap_or(Duration::ZERO);
        let refill = elapsed.as_secs_f64() / self.per_token.as_secs_f64().max(f64::MIN_POSITIVE);
        let tokens = (tokens + refill).min(self.capacity);
        // A clock that went backwards must not be remembered as the newest time.
        let last = last.max(now);
        if tokens >= 1.0 {
            *state = Some((tokens - 1.0, last));
            Ok(())
        } else {
            *state = Some((tokens, last));
            Err(scale(self.per_token, 1.0 - tokens))
        }
    }
}

/// What a client shares between all its clones for retrying and pacing.
pub(crate) struct Pacing {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) limiter: Option<Arc<dyn RateLimiter>>,
    on_attempt: Option<AttemptHook>,
    /// No request is sent before this time (set by a 429 with `Retry-After`).
    not_before: Mutex<Option<SystemTime>>,
    jitter_state: Mutex<u64>,
}

impl Pacing {
    pub(crate) fn new(
        clock: Arc<dyn Clock>,
        limiter: Option<Arc<dyn RateLimiter>>,
        on_attempt: Option<AttemptHook>,
    ) -> Self {
        let seed = clock
            .now()
            .duration_since(UNIX_EPOCH)
            .map_or(0x9E37_79B9_7F4A_7C15, |d| d.as_nanos() as u64);
        Pacing {
            clock,
            limiter,
            on_attempt,
            not_before: Mutex::new(None),
            jitter_state: Mutex::new(seed | 1),
        }
    }

    /// A random number in [0, 1) (xorshift64*; quality is ample for spreading retries).
    fn random(&self) -> f64 {
        let mut state = lock(&self.jitter_state);
        let mut x = *state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        *state = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Waits until the shared gate and the rate limiter let a request through, within the
    /// deadline. Returns the wait that would break the deadline, if any.
    fn wait_for_turn(&self, deadline: SystemTime) -> Result<(), Duration> {
        loop {
            let now = self.clock.now();
            let gate = *lock(&self.not_before);
            let wait = match gate.and_then(|at| at.duration_since(now).ok()) {
                Some(wait) if !wait.is_zero() => wait,
                _ => match &self.limiter {
                    Some(limiter) => match limiter.try_acquire(now) {
                        Ok(()) => return Ok(()),
                        // Never spin: a limiter that says "wait 0" still costs a millisecond.
                        Err(wait) => wait.max(Duration::from_millis(1)),
                    },
                    None => return Ok(()),
                },
            };
            if !fits(now, wait, deadline) {
                return Err(wait);
            }
            self.clock.sleep(wait);
        }
    }

    fn close_gate_for(&self, wait: Duration) {
        let now = self.clock.now();
        let until = now.checked_add(wait.min(MAX_GATE)).unwrap_or(now);
        let mut gate = lock(&self.not_before);
        *gate = Some(gate.map_or(until, |at| at.max(until)));
    }
}

/// Sends `request`, retrying as `policy` allows. Returns the last answer, whatever its status,
/// with the number of attempts made; or the error that ended the call.
pub(crate) fn send_with_retries(
    transport: &dyn Transport,
    pacing: &Pacing,
    policy: &RetryPolicy,
    mut request: HttpRequest,
) -> Result<(HttpResponse, u32), Error> {
    let operation = request.operation();
    let started = pacing.clock.now();
    // A deadline too far to represent is as good as a century away.
    let deadline = started
        .checked_add(policy.deadline)
        .or_else(|| started.checked_add(Duration::from_secs(100 * 365 * 86_400)))
        .unwrap_or(started);
    let mut attempt = 0;
    // The answer of the previous attempt, kept while waiting to retry: if the deadline passes
    // before the next attempt can start, it is what the caller gets.
    let mut previous: Option<Result<HttpResponse, TransportError>> = None;
    loop {
        if let Err(wait) = pacing.wait_for_turn(deadline) {
            return match previous {
                Some(outcome) => finish(outcome, attempt),
                None => Err(Error::RateLimited {
                    wait,
                    attempts: attempt,
                }),
            };
        }
        let left = deadline
            .duration_since(pacing.clock.now())
            .unwrap_or(Duration::ZERO);
        request.time_left = match previous.take() {
            // The wait, the hook or the limiter used up the time: no attempt past the deadline.
            Some(outcome) if left.is_zero() => return finish(outcome, attempt),
            Some(_) => Some(left),
            // The first attempt is always made; a zero deadline leaves it the request timeout.
            None => Some(left).filter(|left| !left.is_zero()),
        };
        attempt += 1;
        let outcome = transport.send(&request);
        let now = pacing.clock.now();
        let wanted = retry_wait(policy, operation, &outcome, attempt, now, || {
            pacing.random()
        });
        if let (
            Ok(response),
            Some(Wanted {
                server_said: Some(wait),
                ..
            }),
        ) = (&outcome, &wanted)
            && response.status() == 429
        {
            pacing.close_gate_for(*wait);
        }
        let retry_in = wanted
            .map(|w| w.wait)
            .filter(|wait| attempt < policy.max_attempts && fits(now, *wait, deadline));
        if let Some(hook) = &pacing.on_attempt {
            hook(&event(operation, attempt, &outcome, retry_in));
        }
        match retry_in {
            None => return finish(outcome, attempt),
            Some(wait) => {
                pacing.clock.sleep(wait);
                previous = Some(outcome);
            }
        }
    }
}

/// The call's result from the last attempt's outcome.
fn finish(
    outcome: Result<HttpResponse, TransportError>,
    attempts: u32,
) -> Result<(HttpResponse, u32), Error> {
    outcome
        .map(|response| (response, attempts))
        .map_err(|source| Error::from_transport(source, attempts))
}

/// `duration × factor` for a factor in [0, 1], without `Duration::mul_f64`'s panic when
/// rounding through `f64` overshoots a huge duration.
fn scale(duration: Duration, factor: f64) -> Duration {
    Duration::try_from_secs_f64(duration.as_secs_f64() * factor)
        .unwrap_or(duration)
        .min(duration)
}

/// The longest a 429's `Retry-After` closes the client for every request: one hour.
const MAX_GATE: Duration = Duration::from_secs(3600);

/// Whether a wait of `wait` starting at `now` ends before `deadline` (without overflowing),
/// leaving time for an attempt.
fn fits(now: SystemTime, wait: Duration, deadline: SystemTime) -> bool {
    now.checked_add(wait).is_some_and(|end| end < deadline)
}

struct Wanted {
    wait: Duration,
    server_said: Option<Duration>,
}

/// Whether the outcome of attempt number `attempt` deserves another try, and after how long.
fn retry_wait(
    policy: &RetryPolicy,
    operation: Operation,
    outcome: &Result<HttpResponse, TransportError>,
    attempt: u32,
    now: SystemTime,
    random: impl FnOnce() -> f64,
) -> Option<Wanted> {
    let server_said = match outcome {
        Ok(response) => {
            let repeatable = match response.status() {
                429 => true,
                500 | 502 | 503 | 504 => policy.may_repeat(operation),
                _ => false,
            };
            if !repeatable {
                return None;
            }
            response
                .header("retry-after")
                .and_then(|value| parse_retry_after(value, now))
        }
        Err(err) if !err.is_retryable() => return None,
        Err(err) if err.may_have_been_sent() && !policy.may_repeat(operation) => return None,
        Err(_) => None,
    };
    let wait = match server_said {
        Some(wait) => wait,
        None => {
            let backoff = policy.backoff(attempt);
            scale(backoff, 1.0 - policy.jitter * random())
        }
    };
    Some(Wanted { wait, server_said })
}

fn event(
    operation: Operation,
    attempt: u32,
    outcome: &Result<HttpResponse, TransportError>,
    retry_in: Option<Duration>,
) -> AttemptEvent {
    let (status, transport_error, clerk_trace_id) = match outcome {
        Ok(response) => {
            let trace = (response.status() >= 400)
                .then(|| parse_clerk_errors(response.body()))
                .flatten()
                .and_then(|errors| errors.clerk_trace_id);
            (Some(response.status()), None, trace)
        }
        Err(err) => (None, Some(err.kind()), None),
    };
    AttemptEvent {
        operation,
        attempt,
        status,
        transport_error,
        clerk_trace_id,
        retry_in,
    }
}

/// Reads a `Retry-After` value: delay-seconds (`"3"`) or an HTTP-date
/// (`"Sun, 06 Nov 1994 08:49:37 GMT"`), measured from `now`. A date in the past is a zero wait;
/// anything unreadable is `None`.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Saturate absurd values instead of failing on them.
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = parse_http_date(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses an IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110, section 5.6.7).
fn parse_http_date(value: &str) -> Option<SystemTime> {
    let mut parts = value.split_ascii_whitespace();
    let _weekday = parts.next().filter(|w| w.ends_with(','))?;
    let day: u32 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    // IMF-fixdate has a four-digit year; anything else (and any year before 1970) is refused,
    // which also keeps the arithmetic below far from overflowing.
    let year = parts.next().filter(|y| y.len() == 4)?;
    let year: i64 = year.parse().ok().filter(|y| *y >= 1970)?;
    let mut clock = parts.next()?.split(':').map(|p| p.parse::<u64>().ok());
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
    if parts.next()? != "GMT" || parts.next().is_some() || clock.next().is_some() {
        return None;
    }
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = u64::try_from(days).ok()? * 86_400 + hour * 3_600 + minute * 60 + second;
    UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_durations_scale_without_panicking() {
        assert_eq!(scale(Duration::MAX, 1.0), Duration::MAX);
        assert!(scale(Duration::MAX, 0.5) < Duration::MAX);
        assert_eq!(
            scale(Duration::from_secs(10), 0.25),
            Duration::from_millis(2500)
        );
        let bucket = TokenBucket::new(1, Duration::MAX);
        assert!(bucket.try_acquire(UNIX_EPOCH).is_ok());
        assert!(bucket.try_acquire(UNIX_EPOCH).is_err());
        let policy = RetryPolicy::default()
            .jitter(0.5)
            .initial_backoff(Duration::MAX)
            .max_backoff(Duration::MAX);
        assert_eq!(policy.backoff(3), Duration::MAX);
    }

    #[test]
    fn seconds() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("1.5", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }

    #[test]
    fn http_dates() {
        let epoch_date = "Thu, 01 Jan 1970 00:00:00 GMT";
        assert_eq!(parse_http_date(epoch_date), Some(UNIX_EPOCH));
        let rfc_example = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(
            rfc_example.duration_since(UNIX_EPOCH).unwrap(),
            Duration::from_secs(784_111_777)
        );
        let far = parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT").unwrap();
        assert_eq!(
            far.duration_since(UNIX_EPOCH).unwrap(),
            Duration::from_secs(253_402_300_799)
        );
        let leap = parse_http_date("Thu, 29 Feb 2024 12:00:00 GMT").unwrap();
        assert_eq!(
            leap.duration_since(UNIX_EPOCH).unwrap(),
            Duration::from_secs(1_709_208_000)
        );
        let now = UNIX_EPOCH + Duration::from_secs(784_111_770);
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::from_secs(7))
        );
        let later = UNIX_EPOCH + Duration::from_secs(784_111_800);
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", later),
            Some(Duration::ZERO)
        );
        for bad in [
            "Sun 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 08:49:37 GMT extra",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1960 08:49:37 GMT",
            "Sun, 06 Nov 99999999999999 08:49:37 GMT",
            "Sun, 06 Nov 9223372036854775807 08:49:37 GMT",
            "Sun, 06 Feb -9223372036854775808 08:49:37 GMT",
            "Sun, 06 Nov +994 08:49:37 GMT",
            "Sun, 06 Nov 2026 99999999999999999999:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }
}
