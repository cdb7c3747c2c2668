//! Time, injected: the client reads the time and sleeps only through a [`Clock`], so retry,
//! rate-limit and fake-server tests run in milliseconds and see an exact schedule.
//!
//! Two readings, for two purposes: [`Clock::monotonic`] measures every interval the client
//! keeps (deadlines, backoff, the rate limiter, the wait a 429 imposes), so a wall clock that
//! is stepped by NTP or by hand changes no wait; [`Clock::now`] is the wall clock, read only to
//! turn an HTTP-date `Retry-After` into a wait (and for the in-memory fake's timestamps).

use std::fmt;
use std::sync::OnceLock;
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
