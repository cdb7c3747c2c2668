//! One rate budget for several processes, proven with real ones: a `redis-server` of the
//! test's own, a loopback server that enforces L = 100 requests per 1 s window strictly and
//! records when each request arrived, and 4 processes of 8 workers each (this test binary,
//! run again in a worker role), all sharing the budget through Redis.
//!
//! Needs `redis-server` on the PATH (`apt-get install redis-server`, `brew install redis`);
//! without it the test says so and passes, unless `CLERK_MEMBERSHIPS_REQUIRE_REDIS=1`
//! (set by CI), which makes a missing server a failure.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use clerk_memberships::testing::MockTransport;
use clerk_memberships::{Client, HttpResponse, ListMemberships, RedisRateLimit, RetryPolicy};

const EMPTY_PAGE: &str = r#"{"data":[],"total_count":0}"#;

/// The server's limit: requests admitted in any window of [`WINDOW`].
const LIMIT: usize = 100;
const WINDOW: Duration = Duration::from_secs(1);
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
    let Some(redis) = RedisServer::start() else {
        return;
    };

    // The whole budget: ≤ L in every window, no 429, and ≥ 90 % of L together.
    let server = StrictServer::start();
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
    let server = StrictServer::start();
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
    let Some(redis) = RedisServer::start() else {
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

// ---------------------------------------------------------------------------------------------
// What the server saw.

/// The most arrivals in any window of [`WINDOW`]: the window that starts at each arrival.
fn most_in_any_window(arrivals: &[Instant]) -> usize {
    let mut most = 0;
    let mut first = 0;
    for (last, &at) in arrivals.iter().enumerate() {
        while arrivals[first] + WINDOW <= at {
            first += 1;
        }
        most = most.max(last - first + 1);
    }
    most
}

/// Requests per second after the first two seconds (the processes start one by one, and a
/// window's opening burst would flatter the rate), to the last arrival.
fn steady_rate(arrivals: &[Instant]) -> f64 {
    let (Some(&first), Some(&last)) = (arrivals.first(), arrivals.last()) else {
        return 0.0;
    };
    let from = first + Duration::from_secs(2);
    let counted = arrivals.iter().filter(|&&at| at >= from).count();
    counted as f64 / last.saturating_duration_since(from).as_secs_f64()
}

// ---------------------------------------------------------------------------------------------
// A loopback server that stands in for Clerk: a strict sliding window and a latency.

#[derive(Default)]
struct Seen {
    /// When each request arrived (admitted or not), in order.
    arrivals: Vec<Instant>,
    /// Arrivals of the admitted requests still inside the window.
    window: std::collections::VecDeque<Instant>,
    throttled: usize,
}

struct StrictServer {
    base_url: String,
    seen: Arc<Mutex<Seen>>,
    stop: Arc<AtomicBool>,
    acceptor: thread::JoinHandle<()>,
}

impl StrictServer {
    fn start() -> StrictServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Seen::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let (seen, stop) = (Arc::clone(&seen), Arc::clone(&stop));
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let seen = Arc::clone(&seen);
                    thread::spawn(move || serve(stream, &seen));
                }
            })
        };
        StrictServer {
            base_url,
            seen,
            stop,
            acceptor,
        }
    }

    fn base_url(&self) -> &str {
        &self.base_url
    }

    fn stop(self) -> Seen {
        self.stop.store(true, Ordering::SeqCst);
        let addr = self
            .base_url
            .trim_start_matches("http://")
            .trim_end_matches("/v1");
        let _ = TcpStream::connect(addr);
        self.acceptor.join().unwrap();
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

fn serve(stream: TcpStream, seen: &Mutex<Seen>) {
    stream.set_nodelay(true).ok();
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0;
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let arrived = Instant::now();
        let admitted = {
            let mut seen = seen.lock().unwrap();
            seen.arrivals.push(arrived);
            while seen
                .window
                .front()
                .is_some_and(|&at| at + WINDOW <= arrived)
            {
                seen.window.pop_front();
            }
            if seen.window.len() < LIMIT {
                seen.window.push_back(arrived);
                true
            } else {
                seen.throttled += 1;
                false
            }
        };
        thread::sleep((arrived + LATENCY).saturating_duration_since(Instant::now()));
        let (status, extra, body) = if admitted {
            ("200 OK", "", r#"{"data":[],"total_count":0}"#)
        } else {
            (
                "429 Too Many Requests",
                "retry-after: 1\r\n",
                r#"{"errors":[{"code":"too_many_requests","message":"Too many requests","long_message":"Too many requests","meta":{}}]}"#,
            )
        };
        let answer = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A redis-server of the test's own, on a free loopback port, without persistence.

struct RedisServer {
    port: u16,
    child: Child,
}

impl RedisServer {
    /// Starts one, or says why not and returns `None` (a failure under
    /// `CLERK_MEMBERSHIPS_REQUIRE_REDIS=1`).
    fn start() -> Option<RedisServer> {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let spawned = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stdin(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(err) => {
                let why = format!(
                    "this test needs redis-server on the PATH ({err}): install it with \
                     `apt-get install redis-server` (or `brew install redis`)"
                );
                if std::env::var_os("CLERK_MEMBERSHIPS_REQUIRE_REDIS").is_some_and(|v| v == "1") {
                    panic!("{why}");
                }
                eprintln!("skipped: {why}");
                return None;
            }
        };
        let server = RedisServer { port, child };
        let started = Instant::now();
        while !server.answers_ping() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not answer on port {port}"
            );
            thread::sleep(Duration::from_millis(20));
        }
        Some(server)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    fn answers_ping(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let mut answer = [0; 7];
        stream.set_read_timeout(Some(Duration::from_secs(1))).ok();
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut answer).is_ok()
            && &answer == b"+PONG\r\n"
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
