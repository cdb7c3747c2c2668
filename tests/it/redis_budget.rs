//! One rate budget for several processes, proven with real ones: a `redis-server` of the
//! test's own, a loopback server that enforces L = 100 requests per 1 s window strictly and
//! records when each request arrived, and 4 processes of 8 workers each (this test binary,
//! run again in a worker role), all sharing the budget through Redis.
//!
//! Needs `redis-server` on the PATH (`apt-get install redis-server`, `brew install redis`);
//! without it the test says so and passes, unless `CLERK_MEMBERSHIPS_REQUIRE_REDIS=1`
//! (set by CI), which makes a missing server a failure.

use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use clerk_memberships::testing::MockTransport;
use clerk_memberships::{Client, HttpResponse, ListMemberships, RedisRateLimit, RetryPolicy};

#[path = "../../benches/support/strict_window.rs"]
mod strict_window;
use strict_window::{LIMIT, RedisServer, StrictServer, WINDOW, most_in_any_window, steady_rate};

const EMPTY_PAGE: &str = r#"{"data":[],"total_count":0}"#;

/// How long after a request arrives the server answers it.
const LATENCY: Duration = Duration::from_millis(50);
const PROCESSES: usize = 4;
const WORKERS: usize = 8;
/// The environment variable that puts this test binary in the worker role.
const ROLE: &str = "CLERK_MEMBERSHIPS_TEST_REDIS_WORKER";
const THIS_TEST: &str = "redis_budget::four_processes_share_one_budget_through_redis";

#[test]
fn four_processes_share_one_budget_through_redis() {
    if std::env::var_os(ROLE).is_some() {
        return worker();
    }
    let Some(redis) = redis_server() else {
        return;
    };

    // The whole budget: ≤ L in every window, no 429, and ≥ 90 % of L together.
    let server = StrictServer::start(LATENCY).unwrap();
    let run = Duration::from_secs(30);
    let children = spawn_workers(&server, &redis, "whole", 1.0, run);
    wait_for(children);
    let seen = server.stop();
    let most = most_in_any_window(&seen.arrivals);
    assert!(most <= LIMIT, "{most} requests arrived in one window");
    assert_eq!(seen.throttled, 0, "429s answered");
    let rate = steady_rate(&seen.arrivals);
    eprintln!(
        "whole budget: {} requests, at most {most} in a window, {rate:.1}/s together, {} 429s",
        seen.arrivals.len(),
        seen.throttled
    );
    assert!(
        rate >= 0.9 * LIMIT as f64,
        "{rate:.1} requests per second together, below 90 % of {LIMIT}"
    );

    // Half of the budget: ≤ L / 2 in every window.
    let server = StrictServer::start(LATENCY).unwrap();
    let children = spawn_workers(&server, &redis, "half", 0.5, Duration::from_secs(10));
    wait_for(children);
    let seen = server.stop();
    let most = most_in_any_window(&seen.arrivals);
    eprintln!(
        "half share: {} requests, at most {most} in a window, {:.1}/s, {} 429s",
        seen.arrivals.len(),
        steady_rate(&seen.arrivals),
        seen.throttled
    );
    assert!(
        most <= LIMIT / 2,
        "{most} requests arrived in one window at a share of 0.5"
    );
    assert_eq!(seen.throttled, 0, "429s answered");
    assert!(seen.arrivals.len() > LIMIT / 2, "the half share was used");
}

#[test]
fn clients_sharing_a_budget_share_one_window_and_one_429_gate() {
    let Some(redis) = redis_server() else {
        return;
    };
    // Two clients (as two processes would be), on clocks of their own: manual ones, so their
    // waits show as sleeps. Only Redis's clock runs, for the milliseconds the test takes.
    let shared = || {
        RedisRateLimit::new(redis.url())
            .name("window-and-gate")
            .limit(3, Duration::from_secs(10))
    };
    let (first, second) = (MockTransport::new(), MockTransport::new());
    for _ in 0..3 {
        first.push_json(200, EMPTY_PAGE);
    }
    first.push_response(
        HttpResponse::new(
            429,
            r#"{"errors":[{"code":"too_many_requests","message":"slow down"}]}"#,
        )
        .with_header("Retry-After", "30"),
    );
    first.push_json(200, EMPTY_PAGE);
    second.push_json(200, EMPTY_PAGE);
    second.push_json(200, EMPTY_PAGE);
    let first_client = first
        .client_builder()
        .redis_rate_limit(shared())
        .build()
        .unwrap();
    let second_client = second
        .client_builder()
        .redis_rate_limit(shared())
        .build()
        .unwrap();
    let request = ListMemberships::builder()
        .organization_id("org_1")
        .build()
        .unwrap();

    // The first client takes the whole window: the second waits for it to pass (10 s and the
    // 2 % margin, less the milliseconds Redis's clock ran meanwhile).
    for _ in 0..3 {
        request.send(&first_client).unwrap();
    }
    assert!(first.clock().sleeps().is_empty());
    request.send(&second_client).unwrap();
    let waited = second.clock().sleeps();
    assert_eq!(waited.len(), 1, "{waited:?}");
    assert!(
        waited[0] > Duration::from_secs(9) && waited[0] <= Duration::from_millis(10_200),
        "{waited:?}"
    );

    // A 429 met by the first client holds the second one too, for its Retry-After.
    let retried = first_client.with_retry_policy(
        RetryPolicy::builder()
            .deadline(Duration::from_secs(120))
            .build(),
    );
    request.send(&retried).unwrap();
    request.send(&second_client).unwrap();
    let waited = second.clock().sleeps();
    assert_eq!(waited.len(), 2, "{waited:?}");
    assert!(
        waited[1] > Duration::from_secs(29) && waited[1] <= Duration::from_secs(30),
        "{waited:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// The worker role: 8 threads sharing one client, listing memberships until the time is up.

fn worker() {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let share: f64 = var("TEST_SHARE").parse().unwrap();
    let run = Duration::from_millis(var("TEST_RUN_MS").parse().unwrap());
    let client = Client::builder()
        .secret_key("sk_test_shared0000000000000000")
        .base_url(var("TEST_BASE_URL"))
        .redis_rate_limit(
            RedisRateLimit::new(var("TEST_REDIS_URL"))
                .name(var("TEST_BUDGET"))
                .limit(LIMIT as u32, WINDOW)
                .processes(PROCESSES as u32),
        )
        .rate_share(share)
        .on_attempt(|event| {
            if let Some(note) = &event.limiter_fallback {
                panic!("the worker fell back: {note}");
            }
        })
        .build()
        .unwrap();
    let request = ListMemberships::builder()
        .organization_id("org_shared")
        .build()
        .unwrap();
    let until = Instant::now() + run;
    thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                while Instant::now() < until {
                    request.send(&client).unwrap();
                }
            });
        }
    });
}

fn spawn_workers(
    server: &StrictServer,
    redis: &RedisServer,
    budget: &str,
    share: f64,
    run: Duration,
) -> Vec<Child> {
    let exe = std::env::current_exe().unwrap();
    (0..PROCESSES)
        .map(|_| {
            Command::new(&exe)
                .args([THIS_TEST, "--exact", "--test-threads=1", "--quiet"])
                .env(ROLE, "1")
                .env("TEST_BASE_URL", server.base_url())
                .env("TEST_REDIS_URL", redis.url())
                .env("TEST_BUDGET", budget)
                .env("TEST_SHARE", share.to_string())
                .env("TEST_RUN_MS", run.as_millis().to_string())
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect()
}

fn wait_for(children: Vec<Child>) {
    for mut child in children {
        let status = child.wait().unwrap();
        assert!(status.success(), "a worker process failed: {status}");
    }
}

/// A `redis-server` of the test's own, or `None` when there is none to start: the test then
/// says so and passes, unless `CLERK_MEMBERSHIPS_REQUIRE_REDIS=1` makes that a failure.
fn redis_server() -> Option<RedisServer> {
    let why = match RedisServer::start() {
        Ok(server) => return Some(server),
        Err(why) => format!(
            "this test needs {why}: install it with `apt-get install redis-server` (or `brew \
             install redis`)"
        ),
    };
    if std::env::var_os("CLERK_MEMBERSHIPS_REQUIRE_REDIS").is_some_and(|v| v == "1") {
        panic!("{why}");
    }
    eprintln!("skipped: {why}");
    None
}
