//! Retries that never duplicate a write: the policy, and the loop that every call runs.
//!
//! When a request may start is the business of `pacing`; what an answer says is read once, in
//! `answer`.

use std::sync::Arc;
use std::time::Duration;

use crate::answer::Answer;
use crate::call::{Call, Operation};
use crate::error::{Error, ErrorKind};
use crate::pacing::Pacing;
use crate::secret::SecretKey;
use crate::transport::{HttpRequest, Transport, TransportError, TransportErrorKind};

/// When and how often a failed call is tried again.
///
/// Before each attempt the client waits for its rate limiter and for any `Retry-After` that a
/// 429 imposed on the whole client (every clone). After it, the answer decides:
///
/// | answer | retried for | wait |
/// |---|---|---|
/// | 429 | every operation (the request was not processed) | `Retry-After`, else backoff |
/// | 500, 502, 503, 504 | list, list_users, list_organization_roles, list_invitations, get_invitation, revoke_invitation, update, update_metadata, delete; create only if [opted in](RetryPolicyBuilder::retry_ambiguous_creates); the invitation creates never | `Retry-After`, else backoff |
/// | transport failure, request **not sent** (connection refused, DNS) | every operation | backoff |
/// | transport failure, request **maybe sent** (timeout, reset) | as for a 5xx: create only if opted in, the invitation creates never | backoff |
/// | anything else (4xx, a body over the cap, a [configuration failure](crate::TransportErrorKind::Config)) | never | — |
///
/// The first attempt is always made, unless the client's rate limiter or a 429's
/// `Retry-After` would hold it past the deadline: then the call ends at once with
/// [`ErrorKind::RateLimited`](crate::ErrorKind::RateLimited), unsent. A retry starts only if at least 1 s (or the client's
/// connect timeout, when shorter) is left before the [deadline](RetryPolicyBuilder::deadline) when it would
/// start, its wait and any rate-limit wait included: otherwise the previous attempt's error is
/// returned, so that a `create`'s "certainly not sent" is never replaced by the "may have been
/// sent" of an attempt that had no time to finish. There is no wait after the last attempt. On
/// giving up, the caller gets the last real error, and
/// [`Error::attempts`](crate::Error::attempts) says how many attempts were made.
///
/// Every wait and the deadline are measured on the client's monotonic clock
/// ([`Clock::monotonic`](crate::Clock::monotonic)), never on the wall clock. A `Retry-After` is
/// delay-seconds or an HTTP-date in any of RFC 9110's three formats, read as at most one hour.
///
/// The defaults follow Clerk's published hint (first wait 500 ms, each next one ×1.5, capped at
/// 60 s) but are bounded for interactive tools: at most 4 attempts and 30 s in all.
///
/// ```
/// use std::time::Duration;
/// use clerk_memberships::RetryPolicy;
///
/// let patient = RetryPolicy::builder()
///     .max_attempts(8)
///     .deadline(Duration::from_secs(120))
///     .build();
/// assert_eq!(patient.max_attempts(), 8);
/// assert_eq!(patient.backoff(1), Duration::from_millis(500));
/// assert_eq!(patient.backoff(2), Duration::from_millis(750));
///
/// let never = RetryPolicy::none();
/// assert_eq!(never.max_attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
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
const DEFAULT_MAX_ATTEMPTS: u32 = 4;
/// Default [`RetryPolicy::initial_backoff`]: 500 ms, Clerk's published hint.
const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(500);
/// Default [`RetryPolicy::multiplier`]: 1.5, Clerk's published hint.
const DEFAULT_MULTIPLIER: f64 = 1.5;
/// Default [`RetryPolicy::max_backoff`]: 60 s, Clerk's published hint.
const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Default [`RetryPolicy::deadline`]: 30 s for a call, all attempts and waits included.
const DEFAULT_DEADLINE: Duration = Duration::from_secs(30);
/// Default [`RetryPolicy::jitter`]: each backoff is shortened by a random part of up to 50 %.
const DEFAULT_JITTER: f64 = 0.5;

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

/// Configures a [`RetryPolicy`], by value: `RetryPolicy::builder().max_attempts(8).build()`.
///
/// Every setter takes any value; the ones out of range are brought into it, as each setter
/// says. [`ClientBuilder::retry_policy`](crate::ClientBuilder::retry_policy) and
/// [`Client::with_retry_policy`](crate::Client::with_retry_policy) also take the builder
/// itself.
///
/// ```
/// use clerk_memberships::RetryPolicy;
///
/// let builder = RetryPolicy::builder().jitter(0.0);
/// let policy = builder.retry_ambiguous_creates(true).build();
/// assert_eq!(policy.jitter(), 0.0);
/// assert!(policy.retry_ambiguous_creates());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RetryPolicyBuilder {
    policy: RetryPolicy,
}

impl RetryPolicyBuilder {
    /// Most attempts per call, the first one included; `0` counts as `1`.
    ///
    /// Defaults to 4 (the first try and 3 retries).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.policy.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry.
    ///
    /// Defaults to 500 ms, Clerk's published hint.
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.policy.initial_backoff = wait;
        self
    }

    /// How much each wait grows over the previous one; values below 1 (or not finite) count as 1.
    ///
    /// Defaults to 1.5, Clerk's published hint.
    pub fn multiplier(mut self, factor: f64) -> Self {
        self.policy.multiplier = if factor.is_finite() && factor >= 1.0 {
            factor
        } else {
            1.0
        };
        self
    }

    /// The longest single backoff.
    ///
    /// Defaults to 60 s, Clerk's published hint.
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.policy.max_backoff = wait;
        self
    }

    /// The time a call may take in all, attempts and waits included: no retry starts without
    /// at least 1 s (or the connect timeout, when shorter) left before it, whatever the wait
    /// before it (a server's `Retry-After` included), and each attempt is told the
    /// time left ([`HttpRequest::time_left`](crate::HttpRequest::time_left)), which the default
    /// transport uses as its timeout when it is shorter than the request timeout.
    ///
    /// Defaults to 30 s.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.policy.deadline = deadline;
        self
    }

    /// The largest share (0 to 1) by which a backoff is randomly shortened, so that many
    /// clients do not retry in step. `0` gives exact, predictable waits.
    ///
    /// Defaults to 0.5: each backoff is shortened by a random part of up to 50 %.
    pub fn jitter(mut self, share: f64) -> Self {
        self.policy.jitter = if share.is_finite() {
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
    /// The invitation creates ([`CreateInvitation`](crate::CreateInvitation),
    /// [`BulkCreateInvitations`](crate::BulkCreateInvitations)) are never retried this way,
    /// even when this is set: each attempt sends an email that cannot be taken back.
    ///
    /// Defaults to `false`.
    pub fn retry_ambiguous_creates(mut self, retry: bool) -> Self {
        self.policy.retry_ambiguous_creates = retry;
        self
    }

    /// The policy. Nothing can fail: every setter already brought its value into range.
    pub fn build(self) -> RetryPolicy {
        self.policy
    }
}

impl From<RetryPolicyBuilder> for RetryPolicy {
    fn from(builder: RetryPolicyBuilder) -> Self {
        builder.build()
    }
}

impl RetryPolicy {
    /// Starts from the defaults, to change some settings.
    pub fn builder() -> RetryPolicyBuilder {
        RetryPolicyBuilder::default()
    }

    /// A policy that sends each request once and never retries.
    pub fn none() -> Self {
        RetryPolicy::builder().max_attempts(1).build()
    }

    /// The most attempts per call, the first one included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before the first retry, before jitter.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// How much each wait grows over the previous one.
    pub fn multiplier(&self) -> f64 {
        self.multiplier
    }

    /// The longest single backoff.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The total time a call may take.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// The largest share by which a backoff is randomly shortened.
    pub fn jitter(&self) -> f64 {
        self.jitter
    }

    /// Whether `create` is retried after failures that may have reached the server.
    pub fn retry_ambiguous_creates(&self) -> bool {
        self.retry_ambiguous_creates
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
        operation.is_idempotent() || (self.retry_ambiguous_creates && !operation.sends_email())
    }
}

/// One attempt of a call, as reported to the hook set with
/// [`ClientBuilder::on_attempt`](crate::ClientBuilder::on_attempt).
///
/// It never holds the secret key, request bodies or metadata.
///
/// ```
/// use clerk_memberships::Client;
///
/// let client = Client::builder()
///     .secret_key("sk_test_123")
///     .on_attempt(|event| {
///         if let Some(wait) = event.retry_in {
///             eprintln!(
///                 "{} attempt {} failed ({:?}); again in {wait:?}",
///                 event.call, event.attempt, event.status
///             );
///         }
///     })
///     .build()?;
/// # Ok::<(), clerk_memberships::BuildError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttemptEvent {
    /// The call: its operation, method and path below the base URL, without the query string
    /// (which can hold email addresses), as errors name it ([`Error::call`]).
    ///
    /// [`Error::call`]: crate::Error::call
    pub call: Call,
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
    /// Set while the client's rate limiter paces on a local stand-in because the budget it
    /// shares cannot be used (Redis cannot be reached, see
    /// [`RedisRateLimit`](crate::RedisRateLimit)): what happened and the local rate kept
    /// meanwhile. Never a password.
    pub limiter_fallback: Option<String>,
}

/// The hook that receives [`AttemptEvent`]s.
pub(crate) type AttemptHook = Arc<dyn Fn(&AttemptEvent) + Send + Sync>;

/// The least time that must be left before the deadline for a retry to start: 1 s, or the
/// connect timeout when that is shorter. A retry with less would most likely time out, and
/// its "may have been sent" would replace the previous attempt's evidence.
pub(crate) const MIN_RETRY_BUDGET: Duration = Duration::from_secs(1);

/// What one call shares with the client it runs on.
pub(crate) struct CallContext<'a> {
    /// Which call this is, for the attempt events.
    pub(crate) call: &'a Call,
    pub(crate) transport: &'a dyn Transport,
    pub(crate) pacing: &'a Pacing,
    pub(crate) on_attempt: Option<&'a AttemptHook>,
    pub(crate) secret_key: &'a SecretKey,
    /// [`MIN_RETRY_BUDGET`], or the connect timeout when shorter.
    pub(crate) min_retry_budget: Duration,
}

/// Sends `request`, retrying as `policy` allows. Returns the 2xx answer with the number of
/// attempts made, or the error that ended the call.
pub(crate) fn send_with_retries(
    call: &CallContext<'_>,
    policy: &RetryPolicy,
    mut request: HttpRequest,
) -> Result<(Answer, u32), Error> {
    let pacing = call.pacing;
    let clock = &*pacing.clock;
    let operation = request.operation();
    let deadline = clock.monotonic().saturating_add(policy.deadline);
    // A retry needs this much time left to start.
    let retry_by = deadline.saturating_sub(call.min_retry_budget);
    let mut attempt = 0;
    // The outcome of the previous attempt, kept while waiting to retry: if the deadline comes
    // too close before the next attempt can start, it is what the caller gets.
    let mut previous: Option<Outcome> = None;
    loop {
        let latest = if previous.is_some() {
            retry_by
        } else {
            deadline
        };
        if let Err(wait) = pacing.wait_for_turn(latest) {
            return match previous {
                Some(outcome) => finish(outcome, attempt),
                None => Err(Error::new(ErrorKind::RateLimited { wait }).after(attempt)),
            };
        }
        let now = clock.monotonic();
        request.time_left = match previous.take() {
            // A sleep that overran, the hook or the limiter used up the time.
            Some(outcome) if now > retry_by => return finish(outcome, attempt),
            Some(_) => Some(deadline - now),
            // The first attempt is always made; a zero deadline leaves it the request timeout.
            None => Some(deadline.saturating_sub(now)).filter(|left| !left.is_zero()),
        };
        attempt += 1;
        let sent = clock.monotonic();
        let outcome = call
            .transport
            .send(&request)
            .map(|response| Answer::read(response, call.secret_key, clock.now()));
        let now = clock.monotonic();
        pacing.answered_in(now.saturating_sub(sent));
        // A 429 with Retry-After holds back every clone of the client for that long.
        if let Ok(answer) = &outcome
            && answer.status() == 429
            && let Some(wait) = answer.retry_after()
        {
            pacing.close_gate_for(wait);
        }
        let wanted = retry_wait(policy, operation, &outcome, attempt, || pacing.random());
        let retry_in = wanted.filter(|wait| {
            attempt < policy.max_attempts && now.checked_add(*wait).is_some_and(|at| at <= retry_by)
        });
        if let Some(hook) = call.on_attempt {
            let mut event = event(call.call, attempt, &outcome, retry_in);
            event.limiter_fallback = pacing.limiter_fallback();
            hook(&event);
        }
        match retry_in {
            None => return finish(outcome, attempt),
            Some(wait) => {
                clock.sleep(wait);
                previous = Some(outcome);
            }
        }
    }
}

/// What one attempt brought back.
type Outcome = Result<Answer, TransportError>;

/// The call's result from the last attempt's outcome.
fn finish(outcome: Outcome, attempts: u32) -> Result<(Answer, u32), Error> {
    match outcome {
        Ok(answer) => answer
            .into_success(attempts)
            .map(|answer| (answer, attempts)),
        Err(source) => Err(Error::from_transport(source, attempts)),
    }
}

/// `duration × factor` for a factor in [0, 1], without `Duration::mul_f64`'s panic when
/// rounding through `f64` overshoots a huge duration.
fn scale(duration: Duration, factor: f64) -> Duration {
    Duration::try_from_secs_f64(duration.as_secs_f64() * factor)
        .unwrap_or(duration)
        .min(duration)
}

/// Whether the outcome of attempt number `attempt` deserves another try, and after how long.
fn retry_wait(
    policy: &RetryPolicy,
    operation: Operation,
    outcome: &Outcome,
    attempt: u32,
    random: impl FnOnce() -> f64,
) -> Option<Duration> {
    let server_said = match outcome {
        Ok(answer) => {
            let repeatable = match answer.status() {
                429 => true,
                500 | 502 | 503 | 504 => policy.may_repeat(operation),
                _ => false,
            };
            if !repeatable {
                return None;
            }
            answer.retry_after()
        }
        Err(err) if !err.is_retryable() => return None,
        Err(err) if err.may_have_been_sent() && !policy.may_repeat(operation) => return None,
        Err(_) => None,
    };
    Some(server_said.unwrap_or_else(|| {
        let backoff = policy.backoff(attempt);
        scale(backoff, 1.0 - policy.jitter * random())
    }))
}

/// The hook's view of an attempt, from the answer as read once (and redacted).
fn event(of: &Call, attempt: u32, outcome: &Outcome, retry_in: Option<Duration>) -> AttemptEvent {
    let (status, transport_error, clerk_trace_id) = match outcome {
        Ok(answer) => (
            Some(answer.status()),
            None,
            answer.clerk_trace_id().map(str::to_owned),
        ),
        Err(err) => (None, Some(err.kind()), None),
    };
    AttemptEvent {
        call: of.clone(),
        attempt,
        status,
        transport_error,
        clerk_trace_id,
        retry_in,
        limiter_fallback: None,
    }
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
        let policy = RetryPolicy::builder()
            .jitter(0.5)
            .initial_backoff(Duration::MAX)
            .max_backoff(Duration::MAX)
            .build();
        assert_eq!(policy.backoff(3), Duration::MAX);
    }
}
