//! How a plan is applied: workers, force, stopping, progress.

use super::super::progress::{OnProgress, Progress};
use super::cancel::CancelToken;

/// Default [`ApplyOptions::workers`]: 8 threads, the number an apply starts from when it
/// sizes its workers itself (the default), and sends with when none are pinned.
///
/// With a round trip of about 100 ms one worker sends at most about 10 requests per second;
/// 8 keep Clerk's limit for `sk_test_` keys (100 per 10 s) busy with room to spare, and the
/// client's limiter ([`ClientBuilder::clerk_rate_limit`](crate::ClientBuilder::clerk_rate_limit))
/// holds them to it. A faster limit or a longer round trip needs more: the apply finds how
/// many (see [`workers`](ApplyOptionsBuilder::workers)).
const DEFAULT_WORKERS: usize = 8;

/// How [`Plan::apply`](super::super::Plan::apply) goes about it.
///
/// | option | default |
/// |---|---|
/// | [`workers`](ApplyOptionsBuilder::workers) | sized by the apply: from 8, 1 to 64 |
/// | [`force`](ApplyOptionsBuilder::force) | off: a plan over its removal threshold is refused |
/// | [`stop_on_error`](ApplyOptionsBuilder::stop_on_error) | off: a failure does not stop the other changes |
/// | [`on_progress`](ApplyOptionsBuilder::on_progress) | none |
/// | [`cancel`](ApplyOptionsBuilder::cancel) | none: every change is started |
///
/// ```
/// use clerk_memberships::sync::ApplyOptions;
///
/// let options = ApplyOptions::builder()
///     .workers(16)
///     .stop_on_error(true)
///     .on_progress(|step| eprintln!("{step}"))
///     .build();
/// assert_eq!(options.workers(), 16);
/// assert!(!options.auto_workers());
/// assert!(ApplyOptions::default().auto_workers());
/// assert!(!options.force());
/// assert_eq!(ApplyOptions::default().workers(), 8);
/// assert_eq!(ApplyOptions::builder().workers(0).build().workers(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    workers: usize,
    /// Whether the apply sizes its workers itself, starting from `workers`.
    auto_workers: bool,
    force: bool,
    stop_on_error: bool,
    on_progress: OnProgress,
    cancel: Option<CancelToken>,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            workers: DEFAULT_WORKERS,
            auto_workers: true,
            force: false,
            stop_on_error: false,
            on_progress: OnProgress::default(),
            cancel: None,
        }
    }
}

impl ApplyOptions {
    /// A builder starting from the defaults.
    pub fn builder() -> ApplyOptionsBuilder {
        ApplyOptionsBuilder {
            options: ApplyOptions::default(),
        }
    }

    /// How many threads send the changes, when [pinned](ApplyOptionsBuilder::workers); how
    /// many the apply starts from when it sizes them itself. At least 1.
    pub fn workers(&self) -> usize {
        self.workers
    }

    /// Whether the apply sizes its workers itself (no [`workers`](ApplyOptionsBuilder::workers)
    /// was set).
    pub fn auto_workers(&self) -> bool {
        self.auto_workers
    }

    /// Whether a plan over its removal threshold is applied all the same.
    pub fn force(&self) -> bool {
        self.force
    }

    /// Whether the first failed (or unknown) change stops the changes not yet started.
    pub fn stop_on_error(&self) -> bool {
        self.stop_on_error
    }

    /// Whether the [cancel token](ApplyOptionsBuilder::cancel), if there is one, was
    /// cancelled: no more changes are started.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
    }

    /// Reports `progress` to the callback, if there is one.
    pub(crate) fn report(&self, progress: Progress) {
        self.on_progress.report(progress);
    }
}

/// Builds [`ApplyOptions`]; every setter has a default, so `build()` cannot fail.
#[derive(Debug, Clone)]
pub struct ApplyOptionsBuilder {
    options: ApplyOptions,
}

impl ApplyOptionsBuilder {
    /// Pins how many threads send the changes at once. They share the client, so they share
    /// its rate limiter and its wait after a 429: set one on the client
    /// ([`ClientBuilder::clerk_rate_limit`](crate::ClientBuilder::clerk_rate_limit)) and the
    /// workers run at the limit without tripping it. `0` counts as 1.
    ///
    /// Defaults to none pinned: the apply starts with 8 workers and, every half second, sizes
    /// them from the rate the client gets and the round trips it measures (Little's law:
    /// rate × round trip, and a quarter more), between 1 and 64, so that it keeps the
    /// client's limiter busy at any latency without a number to choose.
    pub fn workers(mut self, workers: usize) -> Self {
        self.options.workers = workers.max(1);
        self.options.auto_workers = false;
        self
    }

    /// Applies a plan over its [removal threshold](super::super::RemovalThreshold) all the
    /// same, after a person has reviewed it.
    ///
    /// Defaults to `false`: such a plan is refused with
    /// [`SyncError::RemovalThresholdExceeded`](super::super::SyncError::RemovalThresholdExceeded)
    /// before anything is sent.
    pub fn force(mut self, force: bool) -> Self {
        self.options.force = force;
        self
    }

    /// Stops at the first change that fails or ends unknown: the changes not started yet end
    /// as skipped ([`SkipReason::Stopped`](super::super::SkipReason::Stopped)); those already
    /// being sent by other workers finish.
    ///
    /// Defaults to `false`: every change is tried, and each failure is reported with its own
    /// error.
    pub fn stop_on_error(mut self, stop: bool) -> Self {
        self.options.stop_on_error = stop;
        self
    }

    /// A function called as each change ends, with [`Progress::Applying`]: how many changes
    /// are done of how many, and how this one ended. It is given counts and kinds only, never
    /// an id, a key or metadata. It is called from the worker threads, one call at a time and
    /// with `done` in increasing order, while the worker that finished the change waits: keep
    /// it quick.
    ///
    /// Defaults to none.
    pub fn on_progress(mut self, callback: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.options.on_progress = OnProgress::new(callback);
        self
    }

    /// A token whose [`cancel`](CancelToken::cancel) stops the apply from starting new
    /// changes: those being sent finish, each within the client's retry deadline, and the
    /// others end as skipped
    /// ([`SkipReason::Cancelled`](super::super::SkipReason::Cancelled)), reported like any
    /// outcome. A token already cancelled when the apply begins starts nothing.
    ///
    /// Defaults to none: every change is started.
    pub fn cancel(mut self, token: CancelToken) -> Self {
        self.options.cancel = Some(token);
        self
    }

    /// The options.
    pub fn build(self) -> ApplyOptions {
        self.options
    }
}
