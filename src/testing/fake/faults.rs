//! Fault injection: make the next calls fail the way networks, proxies and Clerk itself fail.

use std::time::Duration;

use crate::call::Operation;
use crate::transport::{HttpResponse, TransportError, TransportErrorKind};

use super::{pacing, response};

/// A failure [`FakeClerk::inject`](super::FakeClerk::inject) makes the next matching call suffer.
///
/// | fault | the caller sees | the fake's state |
/// |---|---|---|
/// | [`RateLimited`](Fault::RateLimited) | `429`, `Retry-After`, Clerk error JSON | unchanged |
/// | [`ServerError`](Fault::ServerError) | the status, Clerk error JSON (`internal_clerk_error`) | unchanged |
/// | [`HtmlPage`](Fault::HtmlPage) | the status, an HTML page from a proxy | unchanged |
/// | [`ConnectFailed`](Fault::ConnectFailed) | [`TransportError`], `Connect`, not sent | unchanged |
/// | [`TimedOut`](Fault::TimedOut) | [`TransportError`], `Timeout`, maybe sent | **changed**: the call was processed, its answer lost |
/// | [`ConnectionReset`](Fault::ConnectionReset) | [`TransportError`], `Io`, maybe sent | **changed**, as for `TimedOut` |
///
/// [`InjectedFault::after_processing`](super::InjectedFault::after_processing) makes the three answered faults change the state too:
/// the server did the work, then a proxy answered with an error (a `504` after a write went
/// through is the classic).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// `429 Too Many Requests` with `Retry-After` in whole seconds (rounded up) and Clerk's
    /// error JSON, code `too_many_requests`.
    RateLimited {
        /// How long the answer asks the caller to wait.
        retry_after: Duration,
    },
    /// An answer with this status (e.g. `500`, `503`) and Clerk's error JSON, code
    /// `internal_clerk_error`.
    ServerError {
        /// The HTTP status.
        status: u16,
    },
    /// An answer with this status (e.g. `502`) and an HTML body, as a load balancer or proxy
    /// in front of the API sends it: not Clerk's JSON.
    HtmlPage {
        /// The HTTP status.
        status: u16,
    },
    /// The connection cannot be opened:
    /// [`TransportError::not_sent`]`(`[`Connect`](TransportErrorKind::Connect)`, …)`. The
    /// server never sees the request.
    ConnectFailed,
    /// The request reaches the server and is processed, then the answer never comes:
    /// [`TransportError::maybe_sent`]`(`[`Timeout`](TransportErrorKind::Timeout)`, …)`.
    TimedOut,
    /// The request reaches the server and is processed, then the connection drops before the
    /// answer: [`TransportError::maybe_sent`]`(`[`Io`](TransportErrorKind::Io)`, …)`.
    ConnectionReset,
}

impl Fault {
    /// What the call returns instead of the real answer.
    pub(super) fn outcome(&self, trace_id: String) -> Result<HttpResponse, TransportError> {
        match self {
            Fault::RateLimited { retry_after } => Ok(response::rate_limited(
                pacing::whole_seconds(*retry_after),
                trace_id,
            )),
            Fault::ServerError { status } => Ok(response::server_error(*status, trace_id)),
            Fault::HtmlPage { status } => Ok(response::html_page(*status)),
            Fault::ConnectFailed => Err(TransportError::not_sent(
                TransportErrorKind::Connect,
                "connection refused (fault injected by FakeClerk)",
            )),
            Fault::TimedOut => Err(TransportError::maybe_sent(
                TransportErrorKind::Timeout,
                "timed out waiting for the answer (fault injected by FakeClerk)",
            )),
            Fault::ConnectionReset => Err(TransportError::maybe_sent(
                TransportErrorKind::Io,
                "connection reset before the answer (fault injected by FakeClerk)",
            )),
        }
    }
}

/// Which calls a fault hits, settled before it is armed: for
/// [`FakeClerk::inject_with`](super::FakeClerk::inject_with).
///
/// Defaults to the next **one** call of **any** operation, not processed.
///
/// ```
/// use clerk_memberships::Operation;
/// use clerk_memberships::testing::{FakeClerk, Fault, FaultScope};
///
/// let fake = FakeClerk::new();
/// // Armed at once with its scope: no other thread's call can meet it half set up.
/// let fault = fake.inject_with(
///     Fault::TimedOut,
///     FaultScope::default().times(3).only(Operation::Create).after_processing(),
/// );
/// assert_eq!(fault.remaining(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultScope {
    times: u32,
    only: Option<Operation>,
    after_processing: bool,
}

impl Default for FaultScope {
    fn default() -> Self {
        FaultScope {
            times: 1,
            only: None,
            after_processing: false,
        }
    }
}

impl FaultScope {
    /// Hits the next `n` matching calls instead of one.
    pub fn times(mut self, n: u32) -> Self {
        self.times = n;
        self
    }

    /// Hits only calls of this operation.
    pub fn only(mut self, operation: Operation) -> Self {
        self.only = Some(operation);
        self
    }

    /// Processes the call first, then answers with the fault (see
    /// [`InjectedFault::after_processing`](super::InjectedFault::after_processing)).
    pub fn after_processing(mut self) -> Self {
        self.after_processing = true;
        self
    }
}

#[derive(Debug)]
pub(super) struct Rule {
    id: u64,
    fault: Fault,
    pub(super) remaining: u32,
    pub(super) only: Option<Operation>,
    pub(super) after_processing: bool,
}

/// A fault that fires on this call.
#[derive(Debug)]
pub(super) struct Triggered {
    pub(super) fault: Fault,
    /// Whether the call is processed before the fault replaces its answer.
    pub(super) process_first: bool,
}

/// The queue of injected faults, in injection order.
#[derive(Debug, Default)]
pub(super) struct Faults {
    rules: Vec<Rule>,
    next_id: u64,
}

impl Faults {
    pub(super) fn push(&mut self, fault: Fault, scope: FaultScope) -> u64 {
        self.next_id += 1;
        self.rules.push(Rule {
            id: self.next_id,
            fault,
            remaining: scope.times,
            only: scope.only,
            after_processing: scope.after_processing,
        });
        self.next_id
    }

    /// The first armed fault that matches `operation` (`None` for a request no operation
    /// lives at, which only unrestricted faults match), counted down by one.
    pub(super) fn fire(&mut self, operation: Option<Operation>) -> Option<Triggered> {
        let index = self.rules.iter().position(|rule| {
            rule.remaining > 0 && rule.only.is_none_or(|only| Some(only) == operation)
        })?;
        let rule = self.rules.get_mut(index)?;
        rule.remaining -= 1;
        let process_first = match rule.fault {
            Fault::ConnectFailed => false,
            Fault::TimedOut | Fault::ConnectionReset => true,
            Fault::RateLimited { .. } | Fault::ServerError { .. } | Fault::HtmlPage { .. } => {
                rule.after_processing
            }
        };
        Some(Triggered {
            fault: rule.fault.clone(),
            process_first,
        })
    }

    pub(super) fn rule_mut(&mut self, id: u64) -> Option<&mut Rule> {
        self.rules.iter_mut().find(|rule| rule.id == id)
    }

    /// How many calls all armed faults together will still hit.
    pub(super) fn pending(&self) -> u64 {
        self.rules
            .iter()
            .map(|rule| u64::from(rule.remaining))
            .sum()
    }

    pub(super) fn clear(&mut self) {
        self.rules.clear();
    }
}
