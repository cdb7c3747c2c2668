//! A share of the instance's limit, and what the rate limiter seam grew for a budget shared
//! between processes: the 429 gate passed on, and the fallback said on every attempt.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clerk_memberships::testing::MockTransport;
use clerk_memberships::{HttpResponse, ListMemberships, RateLimiter, SlidingWindowLimiter};

const EMPTY_PAGE: &str = r#"{"data":[],"total_count":0}"#;

fn list() -> ListMemberships {
    ListMemberships::builder()
        .organization_id("org_1")
        .build()
        .unwrap()
}

#[test]
fn a_share_of_clerks_published_limit_holds_the_client_to_that_share() {
    // sk_test_: 100 per 10 s; half of it is 50.
    let mock = MockTransport::new();
    for _ in 0..51 {
        mock.push_json(200, EMPTY_PAGE);
    }
    let client = mock
        .client_builder()
        .clerk_rate_limit()
        .rate_share(0.5)
        .build()
        .unwrap();
    for _ in 0..50 {
        list().send(&client).unwrap();
    }
    assert!(
        mock.clock().sleeps().is_empty(),
        "{:?}",
        mock.clock().sleeps()
    );
    list().send(&client).unwrap();
    // The 51st waits for the first to leave the window (10 s and the limiter's 2 % margin).
    assert_eq!(mock.clock().sleeps(), [Duration::from_millis(10_200)]);
}

#[test]
fn the_whole_limit_is_the_default_share() {
    let mock = MockTransport::new();
    for _ in 0..100 {
        mock.push_json(200, EMPTY_PAGE);
    }
    let client = mock.client_builder().clerk_rate_limit().build().unwrap();
    for _ in 0..100 {
        list().send(&client).unwrap();
    }
    assert!(mock.clock().sleeps().is_empty());
}

/// A limiter that lets everything through and records what the client tells it.
#[derive(Clone, Default)]
struct Recording {
    holds: Arc<Mutex<Vec<Duration>>>,
    fallback: Option<String>,
}

impl RateLimiter for Recording {
    fn reserve(&self, earliest: Duration, _latest: Duration) -> Result<Duration, Duration> {
        Ok(earliest)
    }

    fn hold(&self, wait: Duration) {
        self.holds.lock().unwrap().push(wait);
    }

    fn fallback(&self) -> Option<String> {
        self.fallback.clone()
    }
}

#[test]
fn a_429s_retry_after_is_passed_on_to_the_limiter() {
    let mock = MockTransport::new();
    mock.push_response(
        HttpResponse::new(
            429,
            r#"{"errors":[{"code":"too_many_requests","message":"slow down"}]}"#,
        )
        .with_header("Retry-After", "3"),
    );
    mock.push_json(200, EMPTY_PAGE);
    let limiter = Recording::default();
    let client = mock
        .client_builder()
        .rate_limiter(limiter.clone())
        .build()
        .unwrap();
    list().send(&client).unwrap();
    assert_eq!(*limiter.holds.lock().unwrap(), [Duration::from_secs(3)]);
}

#[test]
fn every_attempt_says_when_the_limiter_paces_on_its_fallback() {
    let events = Arc::new(Mutex::new(Vec::new()));
    for fallback in [None, Some("the shared budget is out of reach".to_owned())] {
        let mock = MockTransport::new();
        mock.push_json(200, EMPTY_PAGE);
        let seen = Arc::clone(&events);
        let client = mock
            .client_builder()
            .rate_limiter(Recording {
                fallback,
                ..Recording::default()
            })
            .on_attempt(move |event| seen.lock().unwrap().push(event.limiter_fallback.clone()))
            .build()
            .unwrap();
        list().send(&client).unwrap();
    }
    assert_eq!(
        *events.lock().unwrap(),
        [None, Some("the shared budget is out of reach".to_owned())]
    );
}

#[test]
fn limiters_written_before_the_seam_grew_keep_their_behaviour() {
    // The built-in limiter ignores holds and never falls back.
    let limiter = SlidingWindowLimiter::new(1, Duration::from_secs(1));
    limiter.hold(Duration::from_secs(5));
    assert_eq!(limiter.fallback(), None);
    assert_eq!(
        limiter.reserve(Duration::ZERO, Duration::MAX),
        Ok(Duration::ZERO)
    );
}
