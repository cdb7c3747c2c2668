//! The fake's pace: a sliding-window rate limit, as Clerk enforces one, and a latency every
//! request takes.

use std::collections::VecDeque;
use std::time::Duration;

/// A sliding-window rate limit on the fake's monotonic clock: at most `limit` requests are
/// accepted in any window of length `per`.
#[derive(Debug)]
pub(super) struct RateLimit {
    limit: u32,
    per: Duration,
    /// When each request still inside the window was accepted, oldest first; never more
    /// than `limit` of them.
    accepted: VecDeque<Duration>,
}

impl RateLimit {
    pub(super) fn new(limit: u32, per: Duration) -> Self {
        RateLimit {
            limit,
            per,
            accepted: VecDeque::new(),
        }
    }

    /// Accepts a request arriving at `now` (`Ok`), or refuses it with how long until a slot
    /// frees (`Err`, always more than zero). A refused request takes no slot.
    pub(super) fn admit(&mut self, now: Duration) -> Result<(), Duration> {
        // The window is (now - per, now]: a request accepted exactly `per` ago has left it.
        while let Some(&oldest) = self.accepted.front() {
            if now.saturating_sub(oldest) >= self.per {
                self.accepted.pop_front();
            } else {
                break;
            }
        }
        let taken = u64::try_from(self.accepted.len()).unwrap_or(u64::MAX);
        if taken < u64::from(self.limit) {
            self.accepted.push_back(now);
            return Ok(());
        }
        // With a limit of 0 no slot ever frees; ask for a whole window.
        let since = self.accepted.front().copied().unwrap_or(now);
        let frees_at = since.saturating_add(self.per);
        Err(frees_at.saturating_sub(now).max(Duration::from_nanos(1)))
    }
}

/// Whole seconds, rounded up: what a `Retry-After` header says for `wait`.
pub(super) fn whole_seconds(wait: Duration) -> u64 {
    wait.as_secs()
        .saturating_add(u64::from(wait.subsec_nanos() > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn accepts_up_to_the_limit_in_any_window_and_says_when_a_slot_frees() {
        let mut limit = RateLimit::new(2, 1000 * MS);
        assert_eq!(limit.admit(Duration::ZERO), Ok(()));
        assert_eq!(limit.admit(400 * MS), Ok(()));
        assert_eq!(limit.admit(500 * MS), Err(500 * MS));
        assert_eq!(limit.admit(999 * MS), Err(MS));
        // The first request leaves the window exactly `per` after it was accepted.
        assert_eq!(limit.admit(1000 * MS), Ok(()));
        assert_eq!(limit.admit(1000 * MS), Err(400 * MS));
        assert_eq!(limit.admit(1400 * MS), Ok(()));
    }

    #[test]
    fn a_zero_limit_refuses_everything_for_a_whole_window() {
        let mut limit = RateLimit::new(0, 10 * MS);
        assert_eq!(limit.admit(5 * MS), Err(10 * MS));
        assert_eq!(limit.admit(50 * MS), Err(10 * MS));
    }

    #[test]
    fn a_zero_window_limits_nothing() {
        let mut limit = RateLimit::new(1, Duration::ZERO);
        assert_eq!(limit.admit(5 * MS), Ok(()));
        assert_eq!(limit.admit(5 * MS), Ok(()));
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(whole_seconds(Duration::ZERO), 0);
        assert_eq!(whole_seconds(MS), 1);
        assert_eq!(whole_seconds(1000 * MS), 1);
        assert_eq!(whole_seconds(1001 * MS), 2);
    }
}
