//! An apply that finds its own pace: without a worker count it sizes its workers from what
//! it measures, and a pinned count is kept.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use clerk_memberships::sync::{self, ApplyOptions, Roster, RosterEntry, SyncOptions};
use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
use clerk_memberships::{HttpRequest, HttpResponse, SystemClock, Transport, TransportError};

/// The fake, and how many requests it is serving at once (the most so far).
#[derive(Clone)]
struct Counting {
    fake: FakeClerk,
    now: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
}

impl Transport for Counting {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        let answer = self.fake.send(request);
        self.now.fetch_sub(1, Ordering::SeqCst);
        answer
    }
}

/// Applies a plan of 600 role changes against a fake that takes 20 ms a request (on the real
/// clock, so that requests overlap), with no rate limit; returns the most requests in
/// flight at once during the apply.
fn most_in_flight(options: &ApplyOptions) -> usize {
    let fake = FakeClerk::with_clock(SystemClock);
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let mut roster = Roster::new();
    for n in 0..600 {
        let user = fake.add_user(FakeUser::new("Member", format!("No{n}")));
        fake.add_membership(&org, &user, "org:member").unwrap();
        roster = roster
            .entry(RosterEntry::user_id(&user, "org:admin"))
            .unwrap();
    }
    let counting = Counting {
        fake: fake.clone(),
        now: Arc::new(AtomicUsize::new(0)),
        most: Arc::new(AtomicUsize::new(0)),
    };
    let client = fake
        .client_builder()
        .transport(counting.clone())
        .build()
        .unwrap();
    let plan = sync::plan(&client, &org, &roster, &SyncOptions::default()).unwrap();
    assert_eq!(plan.changes().len(), 600);
    fake.latency(Duration::from_millis(20));
    counting.most.store(0, Ordering::SeqCst);
    let report = plan.apply(&client, options).unwrap();
    assert_eq!(report.counts().applied, 600);
    counting.most.load(Ordering::SeqCst)
}

#[test]
fn workers_that_set_the_pace_are_added_when_none_are_pinned() {
    // 8 workers at 20 ms take 1.5 s for 600 changes: after the first half second, with no
    // limiter holding them back, the apply adds half as many again.
    let most = most_in_flight(&ApplyOptions::default());
    assert!(most > 8, "at most {most} requests at once");
}

#[test]
fn a_pinned_worker_count_is_kept() {
    let most = most_in_flight(&ApplyOptions::builder().workers(8).build());
    assert!(most <= 8, "{most} requests at once");
}
