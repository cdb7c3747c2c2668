//! Time, injected: the client reads the time and sleeps only through a [`Clock`], so retry,
//! rate-limit and fake-server tests run in milliseconds and see an exact schedule.
//!
//! Two readings, for two purposes: [`Clock::monotonic`] measures every interval the client
//! keeps (deadlines, backoff, the rate limiter, the wait a 429 imposes), so a wall clock that
//! is stepped by NTP or by hand changes no wait; [`Clock::now`] is the wall clock, read only to
//! turn an HTTP-date `Retry-After` into a wait (and for the in-memory fake's timestamps).

use std::fmt;
use std::sync::OnceLock;
#[cfg(any(test, feature = "test-util"))]
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

/// A source of time that can also wait.
///
/// [`SystemClock`] is the default; [`ManualClock`](crate::testing::ManualClock) is a clock for
/// tests whose `sleep` returns at once and moves both readings forward.
///
/// An implementation keeps [`monotonic`](Self::monotonic) from ever going back, and makes
/// [`sleep`](Self::sleep) advance it by at least the duration slept.
///
/// A clock of your own, e.g. one that counts the time a test's calls would have waited:
///
/// ```
/// use std::sync::Mutex;
/// use std::time::{Duration, Instant, SystemTime};
/// use clerk_memberships::{Client, Clock};
///
/// #[derive(Default)]
/// struct Counting(Mutex<Duration>);
///
/// impl Clock for Counting {
///     fn now(&self) -> SystemTime {
///         SystemTime::now()
///     }
///     fn monotonic(&self) -> Duration {
///         *self.0.lock().unwrap()
///     }
///     fn sleep(&self, duration: Duration) {
///         *self.0.lock().unwrap() += duration; // no real wait
///     }
/// }
///
/// let client = Client::builder().secret_key("sk_test_123").clock(Counting::default()).build()?;
/// # Ok::<(), clerk_memberships::BuildError>(())
/// ```
pub trait Clock: Send + Sync {
    /// The wall-clock time, used to read HTTP-date `Retry-After` values (and to seed the
    /// retry jitter); never to measure a wait.
    fn now(&self) -> SystemTime;

    /// Time elapsed since an arbitrary, fixed origin, never going back: what every deadline,
    /// backoff, rate-limit window and `Retry-After` wait is measured on.
    fn monotonic(&self) -> Duration;

    /// Blocks for `duration` (or, in a test clock, pretends to).
    fn sleep(&self, duration: Duration);
}

/// The real clock: [`SystemTime::now`], [`Instant`] and [`std::thread::sleep`].
///
/// ```
/// use std::time::Duration;
/// use clerk_memberships::{Clock, SystemClock};
///
/// let clock = SystemClock;
/// let before = clock.monotonic();
/// clock.sleep(Duration::from_millis(1));
/// assert!(clock.monotonic() > before);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn monotonic(&self) -> Duration {
        static ORIGIN: OnceLock<Instant> = OnceLock::new();
        ORIGIN.get_or_init(Instant::now).elapsed()
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> SystemTime {
        (**self).now()
    }

    fn monotonic(&self) -> Duration {
        (**self).monotonic()
    }

    fn sleep(&self, duration: Duration) {
        (**self).sleep(duration);
    }
}

impl fmt::Debug for dyn Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

/// A clock for tests: time stands still until [`advance`](ManualClock::advance) or
/// [`Clock::sleep`](crate::Clock::sleep) moves it, and every sleep is recorded instead of waited.
///
/// It keeps the two readings of a [`Clock`](crate::Clock) apart, as a real machine does: the
/// wall clock ([`Clock::now`](crate::Clock::now)) and the monotonic clock
/// ([`Clock::monotonic`](crate::Clock::monotonic), starting at zero). Sleeping and
/// [`advance`](Self::advance) move both; [`set_wall_time`](Self::set_wall_time) steps only the
/// wall clock (as NTP or an administrator would), and
/// [`advance_monotonic`](Self::advance_monotonic) moves only the monotonic one.
///
/// Clones share the same time and record.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use clerk_memberships::Clock;
/// use clerk_memberships::testing::ManualClock;
///
/// let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// clock.sleep(Duration::from_millis(500));
/// assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_millis(1_700_000_000_500));
/// assert_eq!(clock.monotonic(), Duration::from_millis(500));
/// assert_eq!(clock.sleeps(), [Duration::from_millis(500)]);
///
/// // The wall clock steps back an hour; the monotonic clock does not notice.
/// clock.set_wall_time(UNIX_EPOCH + Duration::from_secs(1_700_000_000 - 3_600));
/// assert_eq!(clock.monotonic(), Duration::from_millis(500));
/// ```
#[derive(Debug, Clone)]
#[cfg(any(test, feature = "test-util"))]
pub struct ManualClock {
    state: Arc<Mutex<ClockState>>,
}

#[cfg(any(test, feature = "test-util"))]
#[derive(Debug)]
struct ClockState {
    wall: SystemTime,
    monotonic: Duration,
    sleeps: Vec<Duration>,
}

#[cfg(any(test, feature = "test-util"))]
impl ManualClock {
    /// A clock whose wall clock reads `start` and whose monotonic clock reads zero until moved.
    pub fn new(start: SystemTime) -> Self {
        ManualClock {
            state: Arc::new(Mutex::new(ClockState {
                wall: start,
                monotonic: Duration::ZERO,
                sleeps: Vec::new(),
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, ClockState> {
        crate::lock::lock(&self.state)
    }

    /// Moves both clocks forward without recording a sleep.
    pub fn advance(&self, by: Duration) {
        let mut state = self.lock();
        state.wall = state.wall.checked_add(by).unwrap_or(state.wall);
        state.monotonic = state.monotonic.saturating_add(by);
    }

    /// Moves only the monotonic clock forward: time passes while the wall clock stands still
    /// (or was stepped back by exactly as much).
    pub fn advance_monotonic(&self, by: Duration) {
        let mut state = self.lock();
        state.monotonic = state.monotonic.saturating_add(by);
    }

    /// Sets the wall clock to `time`, forward or back, leaving the monotonic clock alone: a
    /// clock step as NTP or an administrator makes one.
    pub fn set_wall_time(&self, time: SystemTime) {
        self.lock().wall = time;
    }

    /// Every duration passed to [`Clock::sleep`](crate::Clock::sleep), in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }
}

#[cfg(any(test, feature = "test-util"))]
impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        self.lock().wall
    }

    fn monotonic(&self) -> Duration {
        self.lock().monotonic
    }

    fn sleep(&self, duration: Duration) {
        let mut state = self.lock();
        state.sleeps.push(duration);
        state.wall = state.wall.checked_add(duration).unwrap_or(state.wall);
        state.monotonic = state.monotonic.saturating_add(duration);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_clock_is_monotonic_and_sleeps_forward() {
        let clock = SystemClock;
        let before = clock.monotonic();
        clock.sleep(Duration::from_millis(2));
        assert!(clock.monotonic() >= before + Duration::from_millis(2));
    }
}
