//! How many workers an apply keeps busy when none were pinned: sized from the rate the client
//! actually gets and the round trips it measures (Little's law), within 1 to
//! [`MAX_AUTO_WORKERS`].

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use crate::client::Client;
use crate::lock::lock;
use crate::pacing::PacingStats;

/// The most workers an apply sizes itself to.
pub(super) const MAX_AUTO_WORKERS: usize = 64;
/// How long a sample of the client's pace lasts before the workers are sized again.
const SAMPLE: Duration = Duration::from_millis(500);
/// The share of the workers' time spent waiting for the rate limiter (or a 429's gate) above
/// which the limiter, not the workers, sets the pace.
const HELD: f64 = 0.1;
/// Room kept above what Little's law asks, for round trips that vary.
const HEADROOM: f64 = 1.25;

/// Lets at most `target` workers send at once, and sizes `target` as the apply goes.
pub(super) struct Pace<'a> {
    client: &'a Client,
    /// The most workers the target may grow to.
    bound: usize,
    /// `None` when the workers were pinned: the target never moves.
    sizing: Option<Mutex<Sample>>,
    state: Mutex<State>,
    changed: Condvar,
}

struct State {
    target: usize,
    active: usize,
}

/// What the current sample has seen so far.
struct Sample {
    started: Duration,
    stats: PacingStats,
    /// Time the workers spent on changes that ended in this sample.
    busy: Duration,
}

impl<'a> Pace<'a> {
    /// `workers` at once, for ever (`auto` false), or starting from `workers` and sized
    /// between 1 and `bound` (`auto` true).
    pub(super) fn new(client: &'a Client, workers: usize, bound: usize, auto: bool) -> Self {
        let pacing = client.pacing();
        let bound = bound.max(1);
        Pace {
            client,
            bound,
            sizing: auto.then(|| {
                Mutex::new(Sample {
                    started: pacing.clock.monotonic(),
                    stats: pacing.stats(),
                    busy: Duration::ZERO,
                })
            }),
            state: Mutex::new(State {
                target: workers.clamp(1, bound),
                active: 0,
            }),
            changed: Condvar::new(),
        }
    }

    /// The time on the client's clock.
    pub(super) fn now(&self) -> Duration {
        self.client.pacing().clock.monotonic()
    }

    /// Waits until fewer than the target are sending, and counts this worker in.
    pub(super) fn enter(&self) {
        let mut state = lock(&self.state);
        while state.active >= state.target {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        state.active += 1;
    }

    /// This worker is done with a change that took `took`; the workers are sized again when a
    /// sample is complete.
    pub(super) fn leave(&self, took: Duration) {
        if let Some(sizing) = &self.sizing {
            let now = self.now();
            let mut sample = lock(sizing);
            sample.busy = sample.busy.saturating_add(took);
            let elapsed = now.saturating_sub(sample.started);
            if elapsed >= SAMPLE {
                let stats = self.client.pacing().stats();
                let target = lock(&self.state).target;
                let next = size(target, self.bound, elapsed, &sample, stats);
                *sample = Sample {
                    started: now,
                    stats,
                    busy: Duration::ZERO,
                };
                lock(&self.state).target = next;
            }
        }
        let mut state = lock(&self.state);
        state.active = state.active.saturating_sub(1);
        drop(state);
        self.changed.notify_all();
    }
}

/// The workers for the next sample, from `target` and what the sample saw by its end
/// (`stats`): when the limiter held the workers back for more than [`HELD`] of their time, as
/// many as the rate the client got times the round trip (Little's law) with [`HEADROOM`],
/// plus one; otherwise the workers set the pace, and half as many again are tried.
fn size(
    target: usize,
    bound: usize,
    elapsed: Duration,
    sample: &Sample,
    stats: PacingStats,
) -> usize {
    let turns = stats.turns.saturating_sub(sample.stats.turns);
    let waited = stats.waited.saturating_sub(sample.stats.waited);
    if turns == 0 || sample.busy.is_zero() || elapsed.is_zero() {
        return target;
    }
    let held = (waited.as_secs_f64() / sample.busy.as_secs_f64()).min(1.0);
    let next = if held > HELD {
        let rate = turns as f64 / elapsed.as_secs_f64();
        let round_trip = sample.busy.saturating_sub(waited).as_secs_f64() / turns as f64;
        (rate * round_trip * HEADROOM).ceil() as usize + 1
    } else {
        target + target.div_ceil(2)
    };
    next.clamp(1, bound.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn sample(busy: Duration) -> Sample {
        Sample {
            started: Duration::ZERO,
            stats: PacingStats::default(),
            busy,
        }
    }

    #[test]
    fn workers_that_set_the_pace_grow_by_half_up_to_the_bound() {
        // 8 workers busy for 500 ms, 40 requests of 100 ms, none held back.
        let stats = PacingStats {
            turns: 40,
            waited: Duration::ZERO,
        };
        assert_eq!(size(8, 64, ms(500), &sample(ms(4000)), stats), 12);
        assert_eq!(size(60, 64, ms(500), &sample(ms(4000)), stats), 64);
    }

    #[test]
    fn a_limiter_that_sets_the_pace_sizes_the_workers_by_littles_law() {
        // 32 workers, 500 ms: 50 requests started (100/s) of 200 ms each, the rest of their
        // 16 s of work waited for the limiter.
        let stats = PacingStats {
            turns: 50,
            waited: ms(6000),
        };
        // 100/s × 0.2 s × 1.25 + 1 = 26.
        assert_eq!(size(32, 64, ms(500), &sample(ms(16_000)), stats), 26);
        // At 20 ms, 100/s needs 2 in flight: 4 with the headroom and one more.
        let stats = PacingStats {
            turns: 50,
            waited: ms(3000),
        };
        assert_eq!(size(32, 64, ms(500), &sample(ms(4000)), stats), 4);
    }

    #[test]
    fn an_empty_sample_changes_nothing() {
        let stats = PacingStats::default();
        assert_eq!(size(8, 64, ms(500), &sample(ms(0)), stats), 8);
        assert_eq!(size(8, 64, ms(0), &sample(ms(10)), stats), 8);
    }
}
