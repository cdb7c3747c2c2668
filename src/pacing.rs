//! Pacing: when a request may start. A client-side rate limiter, the gate a 429 closes on every
//! clone of the client, and the order in which waiting threads are let through.
//!
//! Every time here is a reading of [`Clock::monotonic`], so a wall clock that is stepped back
//! or forward changes no wait.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use crate::clock::Clock;
use crate::lock::lock;
use crate::retry_after::MAX_RETRY_AFTER;

/// `duration × factor`, saturating at `Duration::MAX` where `Duration::mul_f64` would panic.
fn scaled(duration: Duration, factor: f64) -> Duration {
    Duration::try_from_secs_f64(duration.as_secs_f64() * factor).unwrap_or(Duration::MAX)
}

/// `share` (0 to 1) of `limit`, rounded down, at least 1.
pub(crate) fn share_of(limit: u32, share: f64) -> u32 {
    let share = if share.is_finite() {
        share.clamp(0.0, 1.0)
    } else {
        1.0
    };
    ((f64::from(limit) * share).floor() as u32).clamp(1, limit.max(1))
}

/// Limits how fast a client starts requests, shared by all clones of the client.
///
/// A limiter hands out start times: each request reserves the earliest start that keeps the
/// limit, in the order the reservations are made, and then sleeps until it. Reservations are
/// made one at a time (the client holds a lock around them), so threads waiting on the
/// limiter start in the order they arrived, each sleeping once, without polling.
///
/// Times are readings of the client's [`Clock::monotonic`], which counts from an origin of its
/// own in each process: they mean nothing to another process, so a limiter cannot share a
/// budget between processes through these times alone.
///
/// [`SlidingWindowLimiter`] is the built-in one.
///
/// A limiter that lets requests through at most every `gap` (a fixed spacing, for a backend
/// that dislikes bursts):
///
/// ```
/// use std::sync::Mutex;
/// use std::time::Duration;
/// use clerk_memberships::{Client, RateLimiter};
///
/// struct Spaced {
///     gap: Duration,
///     next: Mutex<Duration>,
/// }
///
/// impl RateLimiter for Spaced {
///     fn reserve(&self, earliest: Duration, latest: Duration) -> Result<Duration, Duration> {
///         let mut next = self.next.lock().unwrap();
///         let start = earliest.max(*next);
///         if start > latest {
///             return Err(start);
///         }
///         *next = start + self.gap;
///         Ok(start)
///     }
/// }
///
/// let client = Client::builder()
///     .secret_key("sk_test_123")
///     .rate_limiter(Spaced { gap: Duration::from_millis(50), next: Mutex::new(Duration::ZERO) })
///     .build()?;
/// # Ok::<(), clerk_memberships::BuildError>(())
/// ```
pub trait RateLimiter: Send + Sync {
    /// Reserves a start for one request: the earliest time at or after `earliest` at which a
    /// start keeps the limit, provided it is no later than `latest`.
    ///
    /// # Errors
    ///
    /// The earliest start the limiter could offer, when that is after `latest`. Nothing is
    /// reserved then.
    fn reserve(&self, earliest: Duration, latest: Duration) -> Result<Duration, Duration>;

    /// Tells the limiter that the start it handed out for `reserved` came only at `actual`
    /// (a sleeping thread woke late, as it does on a busy machine), so that the starts it
    /// frees by that one count from when the request really left. Called once per start, just
    /// before the request is sent.
    ///
    /// Does nothing by default.
    fn started(&self, reserved: Duration, actual: Duration) {
        let _ = (reserved, actual);
    }

    /// Holds back every start for `wait` from now, as a 429's `Retry-After` asks. The client's
    /// own gate already holds every clone of the client; a limiter shared between processes
    /// passes the wait on to the other processes, so that one 429 holds them all.
    ///
    /// Does nothing by default.
    fn hold(&self, wait: Duration) {
        let _ = wait;
    }

    /// Tells the limiter that a request took `by` longer, from its start to its answer, than
    /// the fastest lately: a loaded machine (or network) delays requests after their start by
    /// up to about that much, so they may reach the server later than the limiter counted
    /// them. Called after every answer.
    ///
    /// Does nothing by default.
    fn delayed(&self, by: Duration) {
        let _ = by;
    }

    /// Why the limiter paces on a local stand-in instead of the budget it shares, while it
    /// does (the shared store cannot be reached, say); reported on every attempt as
    /// [`AttemptEvent::limiter_fallback`](crate::AttemptEvent::limiter_fallback). It never
    /// holds a password.
    ///
    /// `None` by default.
    fn fallback(&self) -> Option<String> {
        None
    }
}

/// A sliding-window limiter: never more than `limit` requests start in any window of length
/// `per`, wherever the window is placed, the first one and the one after an idle period
/// included. It remembers at most `limit` start times.
///
/// A request may start when the `limit`-th most recent start is at least `per` plus a small
/// [margin](Self::with_margin) ago; starts are handed out in order (first come, first served).
///
/// The margin (by default 2 % of `per`: 200 ms of Clerk's 10 s window) is there because a
/// server counts *arrivals*, not starts: requests that start in order, one window apart, can
/// reach the server a few milliseconds out of order, and a server counting exactly `limit` per
/// window then sees one too many now and then and answers 429, which holds back every request
/// of the client. Measured against a strict server with 100 ms of latency, a limiter set to
/// exactly the server's limit drew dozens of 429s per 2,000 requests and reached 53–62 % of the
/// limit; with a 2 % margin it drew none and reached 99.5–101 % (`benches/apply.rs`).
///
/// On a busy machine threads wake late, and requests leave and arrive later than their
/// starts by more than the margin. The limiter learns of it ([`RateLimiter::started`]): a
/// start that came late counts from when it really came, and the window grows by twice the
/// recent lateness (the largest, fading by half over about 350 starts; at most a tenth of
/// `per`): a machine that wakes threads late also sends and answers late, after the start.
/// Answers that come later than the fastest lately ([`RateLimiter::delayed`]) count as
/// lateness too.
/// So the requests of a loaded client still fit the server's window. On an idle machine the
/// lateness is a fraction of a millisecond.
///
/// ```
/// use std::time::Duration;
/// use clerk_memberships::{RateLimiter, SlidingWindowLimiter};
///
/// let limiter = SlidingWindowLimiter::new(2, Duration::from_secs(10));
/// assert_eq!(limiter.margin(), Duration::from_millis(200));
/// let t0 = Duration::ZERO;
/// let far = Duration::MAX;
/// assert_eq!(limiter.reserve(t0, far), Ok(t0));
/// assert_eq!(limiter.reserve(t0, far), Ok(t0));
/// // The third start waits until the first one is a whole window (and the margin) ago.
/// assert_eq!(limiter.reserve(t0, far), Ok(Duration::from_millis(10_200)));
/// // A caller that cannot wait that long reserves nothing.
/// assert_eq!(limiter.reserve(t0, Duration::from_secs(5)), Err(Duration::from_millis(10_200)));
/// ```
pub struct SlidingWindowLimiter {
    limit: usize,
    per: Duration,
    margin: Duration,
    /// The most recent starts (some perhaps still ahead), oldest first; at most `limit`.
    starts: Mutex<VecDeque<Duration>>,
    /// The recent lateness of starts, added to the window (see [`Lateness`]).
    lateness: Lateness,
}

/// How late starts have come lately: the largest lateness seen, fading by 0.2 % with each
/// start (by half over about 350 starts). Twice that, at most a tenth of the window, added
/// to a window, keeps the requests of a machine whose threads wake late (and so also send
/// late after their start) inside the server's window.
#[derive(Debug, Default)]
pub(crate) struct Lateness {
    recent: Mutex<Duration>,
}

impl Lateness {
    /// A start came `late`.
    pub(crate) fn record(&self, late: Duration) {
        let mut recent = lock(&self.recent);
        *recent = late.max(scaled(*recent, 0.998));
    }

    /// The extra window for a window of `per`.
    pub(crate) fn extra(&self, per: Duration) -> Duration {
        lock(&self.recent).saturating_mul(2).min(per / 10)
    }
}

impl fmt::Debug for SlidingWindowLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlidingWindowLimiter")
            .field("limit", &self.limit)
            .field("per", &self.per)
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl SlidingWindowLimiter {
    /// At most `limit` starts in any window of length `per`, spaced by a margin of 2 % of
    /// `per` (see [`with_margin`](Self::with_margin)). A `limit` of 0 counts as 1.
    pub fn new(limit: u32, per: Duration) -> Self {
        let limit = usize::try_from(limit.max(1)).unwrap_or(usize::MAX);
        SlidingWindowLimiter {
            limit,
            per,
            margin: per / 50,
            starts: Mutex::new(VecDeque::new()),
            lateness: Lateness::default(),
        }
    }

    /// The time added to the window before a start is freed: a request starts when the
    /// `limit`-th most recent start is `per + margin` ago, so that requests which reach the
    /// server a little out of order still fit its window. `Duration::ZERO` spaces starts by
    /// exactly `per`.
    ///
    /// Defaults to 2 % of `per`.
    pub fn with_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The margin added to the window.
    pub fn margin(&self) -> Duration {
        self.margin
    }

    /// Clerk's published limits for a key: 1000 requests per 10 s for `sk_live_` keys, 100 per
    /// 10 s otherwise (development instances).
    pub fn for_key(key: &crate::SecretKey) -> Self {
        let limit = if key.is_live() { 1000 } else { 100 };
        SlidingWindowLimiter::new(limit, Duration::from_secs(10))
    }

    /// The most requests that start in any window.
    pub fn limit(&self) -> u32 {
        u32::try_from(self.limit).unwrap_or(u32::MAX)
    }

    /// The window's length.
    pub fn per(&self) -> Duration {
        self.per
    }
}

impl RateLimiter for SlidingWindowLimiter {
    fn reserve(&self, earliest: Duration, latest: Duration) -> Result<Duration, Duration> {
        let mut starts = lock(&self.starts);
        // First come, first served: never before a start already handed out.
        let mut at = starts.back().map_or(earliest, |&last| earliest.max(last));
        if starts.len() >= self.limit
            && let Some(&oldest) = starts.front()
        {
            let window = self
                .per
                .saturating_add(self.margin)
                .saturating_add(self.lateness.extra(self.per));
            at = at.max(oldest.saturating_add(window));
        }
        if at > latest {
            return Err(at);
        }
        if starts.len() >= self.limit {
            starts.pop_front();
        }
        starts.push_back(at);
        Ok(at)
    }

    /// The window grows by the delay too, as by a late start.
    fn delayed(&self, by: Duration) {
        self.lateness.record(by);
    }

    /// The start counts from `actual`: the starts this one frees come a window after the
    /// request really left, however late its thread woke.
    fn started(&self, reserved: Duration, actual: Duration) {
        self.lateness.record(actual.saturating_sub(reserved));
        if actual <= reserved {
            return;
        }
        let mut starts = lock(&self.starts);
        if let Some(slot) = starts.iter_mut().rev().find(|at| **at == reserved) {
            *slot = actual;
        }
    }
}

/// The longest spread over which waiters are released when a 429's gate opens.
const MAX_RELEASE_SPREAD: Duration = Duration::from_secs(1);

/// How far behind the gate's opening the waiter that arrived `k`-th (from 0) is released:
/// `spread × k / (k + 8)`. Strictly growing with `k` and always below `spread`, so waiters leave
/// in the order they came, the first ones about a ninth of the spread apart.
fn release_offset(spread: Duration, k: u32) -> Duration {
    let k = u128::from(k);
    let nanos = spread.as_nanos() * k / (k + 8);
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// The gate a 429 with `Retry-After` closes on every clone of the client.
#[derive(Debug, Default)]
struct Gate {
    /// No request starts before this time.
    opens_at: Option<Duration>,
    /// `min(1 s, Retry-After / 10)`: the spread of the release behind `opens_at`.
    spread: Duration,
    /// How many waiters have been given a release time behind the current gate.
    released: u32,
}

/// What a client shares between all its clones for pacing: the clock, the limiter, the 429
/// gate and a source of jitter.
pub(crate) struct Pacing {
    pub(crate) clock: Arc<dyn Clock>,
    limiter: Option<Arc<dyn RateLimiter>>,
    /// Held while a start is reserved, so that starts are handed out in arrival order.
    gate: Mutex<Gate>,
    jitter_state: Mutex<u64>,
    /// How many starts were waited for, and the time slept waiting (nanoseconds): what an
    /// apply sizes its workers by.
    turns: AtomicU64,
    waited_nanos: AtomicU64,
    /// The fastest answer lately (from start to answer), rising by 0.1 % with each answer.
    fastest: Mutex<Option<Duration>>,
}

/// What a client's pacing has done so far: the starts it handed out and the time requests
/// slept waiting for them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PacingStats {
    pub(crate) turns: u64,
    pub(crate) waited: Duration,
}

impl Pacing {
    pub(crate) fn new(clock: Arc<dyn Clock>, limiter: Option<Arc<dyn RateLimiter>>) -> Self {
        let seed = clock
            .now()
            .duration_since(UNIX_EPOCH)
            .map_or(0x9E37_79B9_7F4A_7C15, |d| d.as_nanos() as u64);
        Pacing {
            clock,
            limiter,
            gate: Mutex::new(Gate::default()),
            jitter_state: Mutex::new(seed | 1),
            turns: AtomicU64::new(0),
            waited_nanos: AtomicU64::new(0),
            fastest: Mutex::new(None),
        }
    }

    /// A request was answered `took` after it started: the limiter hears how much slower that
    /// was than the fastest answer lately.
    pub(crate) fn answered_in(&self, took: Duration) {
        let Some(limiter) = &self.limiter else { return };
        let fastest = {
            let mut fastest = lock(&self.fastest);
            let lately = fastest.map_or(took, |f| took.min(scaled(f, 1.001)));
            *fastest = Some(lately);
            lately
        };
        limiter.delayed(took.saturating_sub(fastest));
    }

    /// The starts handed out so far and the time slept waiting for them.
    pub(crate) fn stats(&self) -> PacingStats {
        PacingStats {
            turns: self.turns.load(Ordering::Relaxed),
            waited: Duration::from_nanos(self.waited_nanos.load(Ordering::Relaxed)),
        }
    }

    /// Why the limiter paces on its local stand-in, while it does.
    pub(crate) fn limiter_fallback(&self) -> Option<String> {
        self.limiter.as_ref().and_then(|limiter| limiter.fallback())
    }

    pub(crate) fn is_rate_limited(&self) -> bool {
        self.limiter.is_some()
    }

    /// A random number in [0, 1) (xorshift64*; quality is ample for spreading retries).
    pub(crate) fn random(&self) -> f64 {
        let mut state = lock(&self.jitter_state);
        let mut x = *state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        *state = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Reserves this request's start (behind the gate, then from the limiter) and returns the
    /// wait until it.
    ///
    /// # Errors
    ///
    /// The wait that would be needed, when the start would come after `latest`.
    #[cfg(test)]
    fn reserve(&self, latest: Duration) -> Result<Duration, Duration> {
        self.reserve_start(latest)
            .map(|(start, now)| start.saturating_sub(now))
    }

    /// Reserves this request's start (behind the gate, then from the limiter): the start, and
    /// the time it was reserved at.
    ///
    /// # Errors
    ///
    /// The wait that would be needed, when the start would come after `latest`.
    fn reserve_start(&self, latest: Duration) -> Result<(Duration, Duration), Duration> {
        let mut gate = lock(&self.gate);
        let now = self.clock.monotonic();
        let closed = gate.opens_at.filter(|opens| *opens > now);
        let earliest = match closed {
            Some(opens) => opens.saturating_add(release_offset(gate.spread, gate.released)),
            None => now,
        };
        let start = match &self.limiter {
            Some(limiter) => limiter.reserve(earliest, latest),
            None if earliest > latest => Err(earliest),
            None => Ok(earliest),
        }
        .map_err(|at| at.saturating_sub(now))?;
        if closed.is_some() {
            gate.released = gate.released.saturating_add(1);
        }
        Ok((start, now))
    }

    /// Waits until this request may start: behind any 429's gate and within the rate limit,
    /// starting no later than `latest`.
    ///
    /// # Errors
    ///
    /// The wait that would end after `latest`; nothing is waited for then.
    pub(crate) fn wait_for_turn(&self, latest: Duration) -> Result<(), Duration> {
        self.turns.fetch_add(1, Ordering::Relaxed);
        loop {
            let (start, now) = self.reserve_start(latest)?;
            let wait = start.saturating_sub(now);
            if wait.is_zero() {
                if let Some(limiter) = &self.limiter {
                    limiter.started(start, now);
                }
                return Ok(());
            }
            self.clock.sleep(wait);
            let nanos = u64::try_from(wait.as_nanos()).unwrap_or(u64::MAX);
            self.waited_nanos.fetch_add(nanos, Ordering::Relaxed);
            // A 429 met by another request while this one slept closes the gate again: then a
            // new start is reserved behind the gate. The start given up stays counted by the
            // limiter (reservations cannot be handed back), so the client errs on the slow
            // side after a 429.
            if !self.gate_closed() {
                if let Some(limiter) = &self.limiter {
                    limiter.started(start, self.clock.monotonic());
                }
                return Ok(());
            }
        }
    }

    fn gate_closed(&self) -> bool {
        let gate = lock(&self.gate);
        gate.opens_at
            .is_some_and(|opens| opens > self.clock.monotonic())
    }

    /// Holds back every request of every clone for `wait` (at most an hour), as a 429's
    /// `Retry-After` asks.
    pub(crate) fn close_gate_for(&self, wait: Duration) {
        let wait = wait.min(MAX_RETRY_AFTER);
        let mut gate = lock(&self.gate);
        let now = self.clock.monotonic();
        let until = now.saturating_add(wait);
        let was_open = gate.opens_at.is_none_or(|opens| opens <= now);
        if was_open {
            gate.released = 0;
        }
        if gate.opens_at.is_none_or(|opens| opens < until) {
            gate.opens_at = Some(until);
            gate.spread = MAX_RELEASE_SPREAD.min(wait / 10);
        }
        drop(gate);
        // The other processes sharing the limiter's budget are held too.
        if let Some(limiter) = &self.limiter {
            limiter.hold(wait);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn a_limiter_remembers_at_most_limit_starts() {
        let limiter = SlidingWindowLimiter::new(3, secs(10));
        for at in 0..100 {
            limiter.reserve(secs(at), Duration::MAX).unwrap();
        }
        assert_eq!(lock(&limiter.starts).len(), 3);
    }

    #[test]
    fn a_start_past_latest_reserves_nothing() {
        let limiter = SlidingWindowLimiter::new(1, secs(60)).with_margin(Duration::ZERO);
        assert_eq!(limiter.reserve(secs(0), secs(30)), Ok(secs(0)));
        assert_eq!(limiter.reserve(secs(1), secs(30)), Err(secs(60)));
        assert_eq!(limiter.reserve(secs(2), secs(90)), Ok(secs(60)));
        assert_eq!(limiter.reserve(secs(3), Duration::MAX), Ok(secs(120)));
    }

    #[test]
    fn a_start_that_came_late_frees_the_next_one_a_window_after_it_really_left() {
        let limiter = SlidingWindowLimiter::new(2, secs(10)).with_margin(Duration::ZERO);
        assert_eq!(limiter.reserve(secs(0), Duration::MAX), Ok(secs(0)));
        assert_eq!(limiter.reserve(secs(0), Duration::MAX), Ok(secs(0)));
        // The first request's thread woke 3 s late: the third start counts from then, and
        // the window grows by twice the lateness, at most a tenth of it (1 s).
        limiter.started(secs(0), secs(3));
        assert_eq!(limiter.reserve(secs(1), Duration::MAX), Ok(secs(11)));
        assert_eq!(limiter.reserve(secs(1), Duration::MAX), Ok(secs(14)));
        // The lateness fades as starts come on time.
        for _ in 0..8000 {
            limiter.started(secs(99), secs(99));
        }
        assert!(limiter.lateness.extra(secs(10)) < Duration::from_micros(1));
        // A start reported on time moves no start.
        let fifth = limiter.reserve(secs(1), Duration::MAX).unwrap();
        assert!(fifth >= secs(21) && fifth < secs(21) + Duration::from_micros(1));
    }

    #[test]
    fn huge_lateness_and_answer_times_saturate_instead_of_panicking() {
        let limiter = SlidingWindowLimiter::new(1, Duration::MAX);
        limiter.started(Duration::ZERO, Duration::MAX);
        limiter.delayed(Duration::MAX);
        limiter.started(secs(1), secs(1));
        let (_clock, pacing) = pacing(Some(limiter));
        pacing.answered_in(Duration::MAX);
        pacing.answered_in(Duration::MAX);
        pacing.answered_in(secs(1));
    }

    #[test]
    fn huge_windows_saturate_instead_of_overflowing() {
        let limiter = SlidingWindowLimiter::new(1, Duration::MAX);
        assert_eq!(limiter.reserve(secs(5), secs(5)), Ok(secs(5)));
        assert_eq!(limiter.reserve(secs(6), secs(100)), Err(Duration::MAX));
        assert_eq!(
            release_offset(Duration::MAX, u32::MAX),
            release_offset(Duration::MAX, u32::MAX)
        );
    }

    fn pacing(limiter: Option<SlidingWindowLimiter>) -> (ManualClock, Pacing) {
        let clock = ManualClock::new(UNIX_EPOCH + secs(1_780_000_000));
        let limiter = limiter.map(|l| Arc::new(l) as Arc<dyn RateLimiter>);
        (clock.clone(), Pacing::new(Arc::new(clock), limiter))
    }

    #[test]
    fn waiters_behind_a_429_are_released_in_arrival_order_over_a_tenth_of_retry_after() {
        let (_clock, pacing) = pacing(None);
        pacing.close_gate_for(secs(5));
        // Eight callers arrive, in this order, while the gate is closed.
        let waits: Vec<_> = (0..8)
            .map(|_| pacing.reserve(Duration::MAX).unwrap())
            .collect();
        assert_eq!(waits[0], secs(5), "the first is released as the gate opens");
        assert!(
            waits.is_sorted() && waits.windows(2).all(|w| w[0] < w[1]),
            "{waits:?}"
        );
        // The spread is min(1 s, 10 % of 5 s) = 500 ms, and the release is deterministic.
        assert!(waits[7] < secs(5) + Duration::from_millis(500), "{waits:?}");
        assert_eq!(waits[1], secs(5) + Duration::from_nanos(500_000_000 / 9));
        assert_eq!(
            waits[7],
            secs(5) + Duration::from_nanos(500_000_000 * 7 / 15)
        );
    }

    #[test]
    fn a_long_retry_after_spreads_the_release_over_one_second_at_most() {
        let (_clock, pacing) = pacing(None);
        pacing.close_gate_for(secs(120));
        let waits: Vec<_> = (0..1000)
            .map(|_| pacing.reserve(Duration::MAX).unwrap())
            .collect();
        assert!(waits.windows(2).all(|w| w[0] < w[1]));
        assert!(waits[999] < secs(121));
        assert!(waits[999] > secs(120) + Duration::from_millis(990));
    }

    #[test]
    fn the_gate_and_the_limiter_keep_one_queue() {
        let limiter = SlidingWindowLimiter::new(2, secs(10)).with_margin(Duration::ZERO);
        let (_clock, pacing) = pacing(Some(limiter));
        pacing.close_gate_for(secs(1));
        let waits: Vec<_> = (0..4)
            .map(|_| pacing.reserve(Duration::MAX).unwrap())
            .collect();
        let spread = Duration::from_millis(100);
        assert_eq!(waits[0], secs(1));
        assert_eq!(waits[1], secs(1) + release_offset(spread, 1));
        // The limiter's window holds the third and fourth back behind the first two.
        assert_eq!(waits[2], secs(11));
        assert_eq!(waits[3], secs(11) + release_offset(spread, 1));
    }
}
