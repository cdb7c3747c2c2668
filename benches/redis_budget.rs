//! Several processes, one Clerk instance: how close processes sharing one rate budget through
//! Redis come to the limit together, and whether they ever trip it. Against a loopback server
//! and a `redis-server` started by the benchmark: no network, no Clerk account.
//!
//! ```sh
//! cargo bench --features redis --bench redis_budget
//! cargo bench --features redis --bench redis_budget -- --busy 4      # under CPU load
//! cargo bench --features redis --bench redis_budget -- --seconds 60 --processes 8
//! ```
//!
//! Needs `redis-server` on the PATH (`apt-get install redis-server`).
//!
//! The server admits at most [`LIMIT`] requests in any [`WINDOW`] (a strict sliding window
//! across all connections; 429 with `Retry-After: 1` beyond it) and answers each request
//! [`LATENCY`] after it arrived. The benchmark runs [`PROCESSES`] copies of itself (a worker
//! role), each a client of [`WORKERS`] threads listing memberships for the run's length,
//! all pacing by one [`RedisRateLimit`] budget of `LIMIT` per `WINDOW`: first with the whole
//! budget, then with a share of 0.5. The figures: requests per second over the run after its
//! first two seconds (the processes start one by one) as a fraction of the limit, the most
//! requests that arrived in any window (the window starting at each arrival), and the 429s.
//! `--busy N` starts N threads that spin for the whole run, loading the CPU the processes,
//! the server and Redis share.

use std::error::Error as StdError;
use std::process::{Child, Command};
use std::sync::atomic::Ordering;
use std::thread;
use std::time::{Duration, Instant};

use clerk_memberships::{Client, ListMemberships, RedisRateLimit};

#[path = "support/busy.rs"]
mod busy;
use busy::Busy;
#[path = "support/strict_window.rs"]
mod strict_window;
use strict_window::{LIMIT, RedisServer, StrictServer, WINDOW, most_in_any_window, steady_rate};

type BoxError = Box<dyn StdError + Send + Sync>;

const LATENCY: Duration = Duration::from_millis(100);
const PROCESSES: usize = 4;
const WORKERS: usize = 8;
const ROLE: &str = "CLERK_MEMBERSHIPS_BENCH_REDIS_WORKER";

/// The worker role: `WORKERS` threads sharing one client until the run's end.
fn worker() -> Result<(), BoxError> {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let share: f64 = var("BENCH_SHARE").parse()?;
    let run = Duration::from_millis(var("BENCH_RUN_MS").parse()?);
    let client = Client::builder()
        .secret_key("sk_test_benchmark0000000000000000")
        .base_url(var("BENCH_BASE_URL"))
        .redis_rate_limit(
            RedisRateLimit::new(var("BENCH_REDIS_URL"))
                .name(var("BENCH_BUDGET"))
                .limit(LIMIT as u32, WINDOW)
                .processes(PROCESSES as u32),
        )
        .rate_share(share)
        .build()?;
    let request = ListMemberships::builder()
        .organization_id("org_bench")
        .build()?;
    let until = Instant::now() + run;
    let failures = std::sync::atomic::AtomicUsize::new(0);
    thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                while Instant::now() < until {
                    if request.send(&client).is_err() {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    match failures.into_inner() {
        0 => Ok(()),
        n => Err(format!("{n} calls failed").into()),
    }
}

struct Figures {
    label: String,
    requests: usize,
    rate: f64,
    most: usize,
    throttled: usize,
}

fn measure(
    redis_url: &str,
    label: &str,
    share: f64,
    processes: usize,
    run: Duration,
) -> Result<Figures, BoxError> {
    let server = StrictServer::start(LATENCY)?;
    let exe = std::env::current_exe()?;
    let children: Vec<Child> = (0..processes)
        .map(|_| {
            Command::new(&exe)
                .env(ROLE, "1")
                .env("BENCH_BASE_URL", server.base_url())
                .env("BENCH_REDIS_URL", redis_url)
                .env("BENCH_BUDGET", label)
                .env("BENCH_SHARE", share.to_string())
                .env("BENCH_RUN_MS", run.as_millis().to_string())
                .spawn()
        })
        .collect::<Result<_, _>>()?;
    for mut child in children {
        let status = child.wait()?;
        if !status.success() {
            return Err(format!("a worker process failed: {status}").into());
        }
    }
    let seen = server.stop();
    Ok(Figures {
        label: label.to_owned(),
        requests: seen.arrivals.len(),
        rate: steady_rate(&seen.arrivals),
        most: most_in_any_window(&seen.arrivals),
        throttled: seen.throttled,
    })
}

fn main() -> Result<(), BoxError> {
    if std::env::var_os(ROLE).is_some() {
        return worker();
    }
    let mut seconds = 30_u64;
    let mut busy = 0_usize;
    let mut processes = PROCESSES;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| {
            args.next()
                .and_then(|n| n.parse::<u64>().ok())
                .ok_or(format!("{name} takes a number"))
        };
        match arg.as_str() {
            "--bench" => {}
            "--seconds" => seconds = number("--seconds")?,
            "--busy" => busy = number("--busy")? as usize,
            "--processes" => processes = number("--processes")?.max(1) as usize,
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }
    if cfg!(debug_assertions) {
        eprintln!("warning: built without --release; run `cargo bench --bench redis_budget`");
    }
    let cores = thread::available_parallelism().map_or(1, usize::from);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().next().unwrap_or("n/a").to_owned();
    let redis =
        RedisServer::start().map_err(|why| format!("{why}: apt-get install redis-server"))?;
    let redis_url = redis.url();

    let spinners = Busy::start(busy);
    let run = Duration::from_secs(seconds);
    let mut results = Vec::new();
    for (label, share) in [("whole", 1.0), ("half", 0.5)] {
        eprintln!("{processes} processes × {WORKERS} workers, share {share}, {seconds} s…");
        results.push((share, measure(&redis_url, label, share, processes, run)?));
    }
    drop(spinners);

    println!(
        "clerk-memberships {} shared-budget benchmark: {} build, {cores} cores, load \
         average {load} at the start, {busy} busy loop(s) spinning",
        env!("CARGO_PKG_VERSION"),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    println!(
        "server: L = {LIMIT} per {} s (strict sliding window, 429 with Retry-After: 1 beyond \
         it), answers {} ms after a request arrives; clients: {processes} processes × \
         {WORKERS} workers, one RedisRateLimit budget of L per {} s, {seconds} s each run",
        WINDOW.as_secs_f64(),
        LATENCY.as_millis(),
        WINDOW.as_secs_f64()
    );
    println!();
    println!("| share | requests | rate after 2 s | ÷ L | most in any window | 429s |");
    println!("|---|---|---|---|---|---|");
    for (share, f) in &results {
        println!(
            "| {share} ({}) | {} | {:.1}/s | {:.3} | {} | {} |",
            f.label,
            f.requests,
            f.rate,
            f.rate / LIMIT as f64,
            f.most,
            f.throttled
        );
    }
    Ok(())
}
