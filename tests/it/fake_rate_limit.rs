//! FakeClerk's pace: its sliding-window rate limit (429s counted exactly on a manual clock) and
//! its latency (slept on the fake's clock, outside its lock, so threads overlap).

use std::thread;
use std::time::{Duration, Instant, UNIX_EPOCH};

use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser, Fault, ManualClock};
use clerk_memberships::{
    Clock, CreateMembership, Error, HttpRequest, ListMemberships, RetryPolicy, SystemClock,
    Transport,
};

use crate::support::TestResult;

const SECOND: Duration = Duration::from_secs(1);

struct Setup {
    fake: FakeClerk,
    clock: ManualClock,
    org: String,
    user: String,
}

fn setup() -> Setup {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_millis(FakeClerk::START_MS as u64));
    let fake = FakeClerk::with_clock(clock.clone());
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let user = fake.add_user(FakeUser::new("Jane", "Doe"));
    Setup {
        fake,
        clock,
        org,
        user,
    }
}

impl Setup {
    /// A list request, rendered: sent straight to the fake, it meets no client-side retry,
    /// gate or limiter, so every answer the fake gives is seen.
    fn list(&self) -> Result<HttpRequest, Error> {
        ListMemberships::builder()
            .organization_id(&self.org)
            .build()?
            .render(&self.fake.client())
    }

    fn create(&self) -> Result<HttpRequest, Error> {
        CreateMembership::builder()
            .organization_id(&self.org)
            .user_id(&self.user)
            .role("org:member")
            .build()?
            .render(&self.fake.client())
    }

    /// The status of one request sent straight to the fake, and its `Retry-After`.
    fn status(
        &self,
        request: &HttpRequest,
    ) -> Result<(u16, Option<String>), Box<dyn std::error::Error>> {
        let answer = self.fake.send(request)?;
        let retry_after = answer.header("retry-after").map(str::to_owned);
        Ok((answer.status(), retry_after))
    }
}

fn ok() -> (u16, Option<String>) {
    (200, None)
}

fn refused(retry_after: &str) -> (u16, Option<String>) {
    (429, Some(retry_after.to_owned()))
}

#[test]
fn the_rate_limit_refuses_exactly_the_requests_over_it_in_any_window() -> TestResult {
    let s = setup();
    let list = s.list()?;
    s.fake.rate_limit(3, 10 * SECOND);

    let burst = (0..5)
        .map(|_| s.status(&list))
        .collect::<Result<Vec<_>, _>>()?;
    assert_eq!(burst, [ok(), ok(), ok(), refused("10"), refused("10")]);

    s.clock.advance(4 * SECOND);
    assert_eq!(s.status(&list)?, refused("6"));
    s.clock.advance(5900 * Duration::from_millis(1));
    assert_eq!(
        s.status(&list)?,
        refused("1"),
        "0.1 s rounds up to a whole second"
    );

    // Ten seconds after the burst its three requests leave the window together.
    s.clock.advance(Duration::from_millis(100));
    let after = (0..4)
        .map(|_| s.status(&list))
        .collect::<Result<Vec<_>, _>>()?;
    assert_eq!(after, [ok(), ok(), ok(), refused("10")]);

    assert_eq!(s.fake.rate_limited_requests(), 5);
    assert_eq!(
        s.fake.requests().len(),
        11,
        "refused requests are recorded too"
    );
    Ok(())
}

#[test]
fn the_window_slides_and_refused_requests_take_no_slot() -> TestResult {
    let s = setup();
    let list = s.list()?;
    s.fake.rate_limit(2, 10 * SECOND);

    assert_eq!(s.status(&list)?, ok()); // t = 0
    s.clock.advance(6 * SECOND);
    assert_eq!(s.status(&list)?, ok()); // t = 6
    s.clock.advance(2 * SECOND);
    assert_eq!(s.status(&list)?, refused("2")); // t = 8: the first leaves at 10
    s.clock.advance(2 * SECOND);
    // t = 10: the first left; had the refusal at 8 taken a slot, this would be refused.
    assert_eq!(s.status(&list)?, ok());
    assert_eq!(s.status(&list)?, refused("6")); // the one at 6 leaves at 16
    assert_eq!(s.fake.rate_limited_requests(), 2);
    Ok(())
}

#[test]
fn a_refused_create_is_not_processed() -> TestResult {
    let s = setup();
    s.fake.rate_limit(1, 10 * SECOND);
    assert_eq!(s.status(&s.list()?)?, ok());

    let answer = s.fake.send(&s.create()?)?;
    assert_eq!(answer.status(), 429);
    let body: serde_json::Value = serde_json::from_slice(answer.body())?;
    assert_eq!(body["errors"][0]["code"], "too_many_requests");
    assert!(body["clerk_trace_id"].is_string());
    assert!(s.fake.membership(&s.org, &s.user).is_none());
    Ok(())
}

#[test]
fn the_clients_retries_wait_out_the_fakes_retry_after() -> TestResult {
    let s = setup();
    s.fake.rate_limit(1, 10 * SECOND);
    let client = s.fake.client();
    let list = ListMemberships::builder().organization_id(&s.org).build()?;

    list.send(&client)?;
    let started = s.clock.monotonic();
    assert_eq!(list.send(&client)?.total_count, 0);
    assert_eq!(s.fake.rate_limited_requests(), 1);
    assert_eq!(s.fake.requests().len(), 3);
    // The client waited exactly what the fake's Retry-After said, once.
    assert_eq!(s.clock.monotonic() - started, 10 * SECOND);
    assert_eq!(s.clock.sleeps(), [10 * SECOND]);

    // A single attempt sees the 429 as an error with its Retry-After.
    let single = s.fake.client().with_retry_policy(RetryPolicy::none());
    let err = list.send(&single).unwrap_err();
    assert!(err.is_rate_limited());
    assert_eq!(err.retry_after(), Some(10 * SECOND));
    Ok(())
}

#[test]
fn faults_count_against_the_limit_only_when_the_server_saw_the_request() -> TestResult {
    let s = setup();
    let list = s.list()?;
    s.fake.rate_limit(1, 10 * SECOND);

    // Never reached the server: no slot taken.
    s.fake.inject(Fault::ConnectFailed);
    assert!(s.fake.send(&list).is_err());
    s.fake.inject(Fault::ServerError { status: 503 });
    assert_eq!(s.status(&list)?.0, 503);
    assert_eq!(s.status(&list)?, ok());
    assert_eq!(s.status(&list)?, refused("10"));

    // Processed, its answer lost: it took the slot freed ten seconds later.
    s.clock.advance(10 * SECOND);
    s.fake.inject(Fault::TimedOut);
    assert!(s.fake.send(&list).is_err());
    assert_eq!(s.status(&list)?, refused("10"));

    // A create the limit refuses is not processed even when a fault then hides the answer.
    s.fake.inject(Fault::TimedOut);
    assert!(s.fake.send(&s.create()?).is_err());
    assert!(s.fake.membership(&s.org, &s.user).is_none());
    assert_eq!(s.fake.rate_limited_requests(), 3);
    Ok(())
}

#[test]
fn the_rate_limit_can_be_lifted_and_a_zero_limit_refuses_everything() -> TestResult {
    let s = setup();
    let list = s.list()?;
    s.fake.rate_limit(0, 5 * SECOND);
    assert_eq!(s.status(&list)?, refused("5"));
    s.fake.remove_rate_limit();
    assert_eq!(s.status(&list)?, ok());
    assert_eq!(
        s.fake.rate_limited_requests(),
        1,
        "the count outlives the limit"
    );
    Ok(())
}

#[test]
fn latency_is_slept_on_the_fakes_clock_for_every_request() -> TestResult {
    let s = setup();
    let list = s.list()?;
    s.fake.latency(Duration::from_millis(100));
    s.fake.rate_limit(1, 10 * SECOND);

    assert_eq!(s.status(&list)?, ok());
    assert_eq!(
        s.status(&list)?,
        refused("10"),
        "arrived 100 ms after the first"
    );
    s.fake.inject(Fault::ConnectFailed);
    assert!(s.fake.send(&list).is_err());
    assert_eq!(s.clock.sleeps(), [Duration::from_millis(100); 3]);
    assert_eq!(s.clock.monotonic(), Duration::from_millis(300));

    s.fake.latency(Duration::ZERO);
    assert_eq!(s.status(&list)?, refused("10"));
    assert_eq!(s.clock.sleeps().len(), 3, "no latency, no sleep");
    Ok(())
}

#[test]
fn latency_moves_the_timestamps_of_writes() -> TestResult {
    let s = setup();
    s.fake.latency(Duration::from_millis(250));
    let created = CreateMembership::builder()
        .organization_id(&s.org)
        .user_id(&s.user)
        .role("org:member")
        .build()?
        .send(&s.fake.client())?;
    assert_eq!(created.created_at, FakeClerk::START_MS + 250);
    Ok(())
}

/// The real clock: threads sharing one fake overlap their latencies, since the fake does not
/// hold its lock while it sleeps. Bounds are generous; only serialisation would break them.
#[test]
fn concurrent_requests_overlap_their_latency() -> TestResult {
    const THREADS: usize = 16;
    // Every sleep waits (up to 10 s) until all sixteen requests are sleeping at once, which
    // only happens if the fake sleeps its latency without holding its state lock.
    let clock = Gathering::new(THREADS);
    let fake = FakeClerk::with_clock(clock.clone());
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    fake.latency(Duration::from_millis(40));
    let client = fake.client();
    let list = ListMemberships::builder().organization_id(&org).build()?;
    let counts: Vec<_> = thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| scope.spawn(|| list.send(&client).map(|page| page.total_count)))
            .collect();
        workers.into_iter().map(|worker| worker.join()).collect()
    });
    for count in counts {
        assert_eq!(count.map_err(|_| "a worker panicked")??, 0);
    }
    assert_eq!(fake.requests().len(), THREADS);
    assert_eq!(
        clock.most_asleep_at_once(),
        THREADS,
        "the latencies did not overlap"
    );
    Ok(())
}

/// The real clock, except that a sleep waits until `expected` sleepers are asleep together
/// (or 10 s have passed), and counts the most that ever were.
#[derive(Clone)]
struct Gathering {
    expected: usize,
    state: std::sync::Arc<(std::sync::Mutex<(usize, usize)>, std::sync::Condvar)>,
}

impl Gathering {
    fn new(expected: usize) -> Self {
        Gathering {
            expected,
            state: std::sync::Arc::default(),
        }
    }

    fn most_asleep_at_once(&self) -> usize {
        self.state.0.lock().unwrap().1
    }
}

impl clerk_memberships::Clock for Gathering {
    fn now(&self) -> std::time::SystemTime {
        SystemClock.now()
    }

    fn monotonic(&self) -> Duration {
        SystemClock.monotonic()
    }

    fn sleep(&self, _duration: Duration) {
        let (lock, changed) = &*self.state;
        let mut state = lock.lock().unwrap();
        state.0 += 1;
        state.1 = state.1.max(state.0);
        changed.notify_all();
        let deadline = Instant::now() + Duration::from_secs(10);
        while state.1 < self.expected && Instant::now() < deadline {
            state = changed
                .wait_timeout(state, Duration::from_millis(50))
                .unwrap()
                .0;
        }
        state.0 -= 1;
    }
}

/// The real clock and many threads: the window still admits exactly `limit` requests.
#[test]
fn the_rate_limit_holds_across_threads() -> TestResult {
    const THREADS: usize = 12;
    let fake = FakeClerk::with_clock(SystemClock);
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    fake.rate_limit(5, Duration::from_secs(600));
    fake.latency(Duration::from_millis(5));
    let client = fake.client().with_retry_policy(RetryPolicy::none());
    let list = ListMemberships::builder().organization_id(&org).build()?;

    let results: Vec<Result<i64, Error>> = thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| scope.spawn(|| list.send(&client).map(|page| page.total_count)))
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|_| panic!("a worker panicked"))
            })
            .collect()
    });
    let accepted = results.iter().filter(|result| result.is_ok()).count();
    assert_eq!(accepted, 5);
    assert!(
        results
            .iter()
            .filter_map(|result| result.as_ref().err())
            .all(|err| err.status() == Some(429) || err.is_rate_limited())
    );
    assert_eq!(
        fake.rate_limited_requests() as usize,
        fake.requests().len() - 5
    );
    Ok(())
}
