//! Time, injected: the client reads the time and sleeps only through a [`Clock`], so retry,
//! rate-limit and fake-server tests run in milliseconds and see an exact schedule.

use std::fmt;
use std::time::{Duration, SystemTime};

/// A source of time that can also wait.
///
/// [`SystemClock`] is the default; [`ManualClock`](crate::testing::ManualClock) is a clock for
/// tests whose `sleep` returns at once and moves the time forward.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;

    /// Blocks for `duration` (or, in a test clock, pretends to).
    fn sleep(&self, duration: Duration);
}

/// The real clock: [`SystemTime::now`] and [`std::thread::sleep`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> SystemTime {
        (**self).now()
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
