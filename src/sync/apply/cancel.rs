//! Stopping an apply from outside: a flag the caller raises, which the apply reads before it
//! starts each change.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Stops a [`Plan::apply`](super::super::Plan::apply) under way from starting new changes:
/// give a clone to [`ApplyOptionsBuilder::cancel`](super::ApplyOptionsBuilder::cancel), keep
/// one, and call [`cancel`](Self::cancel) on it (from a signal handler's thread, a timer, a
/// UI) when the apply should end early.
///
/// The changes already being sent finish (each within the client's retry deadline); every
/// change not started by then ends as skipped, [`SkipReason::Cancelled`], and the report lists
/// them like any other outcome. Planning again shows what is left. Clones share one flag, and
/// once raised it stays raised: a token is for one apply.
///
/// ```
/// use clerk_memberships::sync::{ApplyOptions, CancelToken};
///
/// let token = CancelToken::new();
/// let options = ApplyOptions::builder().cancel(token.clone()).build();
/// assert!(!options.is_cancelled());
/// token.cancel();
/// assert!(options.is_cancelled());
/// ```
///
/// [`SkipReason::Cancelled`]: super::super::SkipReason::Cancelled
#[derive(Debug, Clone, Default)]
pub struct CancelToken {
    cancelled: Arc<AtomicBool>,
}

impl CancelToken {
    /// A token not cancelled yet.
    pub fn new() -> Self {
        CancelToken::default()
    }

    /// Asks every apply holding a clone of this token to start no more changes. Safe to call
    /// from any thread, any number of times.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    /// Whether [`cancel`](Self::cancel) was called on this token or a clone of it.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}
