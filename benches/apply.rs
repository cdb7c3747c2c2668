//! Applying changes at Clerk's rate limit: how close several workers sharing one client come to
//! the limit, and whether they ever trip it. Against a loopback server started in this process:
//! no network, no Clerk account.
//!
//! ```sh
//! cargo bench --bench apply
//! cargo bench --bench apply -- 1 16 32          # only these worker counts
//! cargo bench --bench apply -- --margin-ms 20   # and a diagnostic, see below
//! cargo bench --bench apply -- --latency-ms 200 auto   # the apply sizing its own workers
//! cargo bench --bench apply -- --busy 4 auto     # with 4 busy loops loading the CPU
//! ```
//!
//! `auto` stands for the apply's default: no worker count pinned, the apply sizes its workers
//! from the rate it gets and the round trips it measures. `--latency-ms N` sets the server's
//! latency (default 100 ms); `--busy N` starts N threads that spin until the run ends, so the
//! client (and the server, on the same machine) run on a loaded CPU.
//!
//! The server stands in for Clerk at its two physical limits:
//!
//! - **Latency.** It answers every request [`latency`] (100 ms, a realistic round trip to
//!   Clerk) after it arrived. Each connection has its own thread, so the waits of concurrent
//!   requests overlap, as they do across a real network.
//! - **Rate limit.** It admits at most [`LIMIT`] requests in any [`WINDOW`] (a sliding window,
//!   across all connections): a request that arrives when `LIMIT` admitted requests arrived
//!   less than `WINDOW` ago gets 429 with Clerk's error JSON and `Retry-After: 1`, and changes
//!   nothing. Only admitted requests count against the window.
//!
//! It keeps an organization of [`MEMBERS`] members (`org:member`) and serves what planning and
//! applying send: the instance's roles (`GET /v1/organization_roles`), the paged
//! `GET /v1/organizations/{org}/memberships` listing, `POST`,
//! `PATCH` and `DELETE …/memberships[/{user}]` and `PATCH …/{user}/metadata`, with plausible
//! Clerk JSON (404 with Clerk's error JSON for a member it does not have).
//!
//! The client is the crate's, configured as a bulk job would be: one [`Client`] with a
//! [`SlidingWindowLimiter`] set to the server's own limit, [`LIMIT`] per [`WINDOW`], and the
//! default retry policy. The workload is a roster that promotes [`CHANGES`] members
//! (`org:member` → `org:admin`): [`sync::plan`] reads the members and plans one role change
//! each, then, after a pause of one window, [`Plan::apply`] makes them with N workers sharing
//! the client; only the apply is timed. The one-worker baseline applies [`BASELINE_CHANGES`],
//! to keep the run short.
//!
//! For each worker count it prints the rate achieved over the run after its first second (the
//! opening burst of a sliding window would flatter it) as a fraction of the limit, the 429s
//! the server answered, and the speed-up over one worker. Each worker count gets a fresh
//! server and a fresh client, so no run inherits another's window. The rate can come out a
//! little above the limit: a sliding window lets requests through in bursts of up to `LIMIT`,
//! and a run that ends right after a burst counts the whole burst over part of a window.
//!
//! The limiter keeps its default margin (2 % of the window: 20 ms), which absorbs requests
//! that reach the server a little out of order. `--margin-ms N` adds a diagnostic: every
//! worker count held to the targets runs once more with the limiter's margin set to `N` ms,
//! side by side in the same run (`--margin-ms 0` shows what a limiter set to exactly the
//! server's limit, with no margin, does).

use std::collections::{BTreeMap, VecDeque};
use std::error::Error as StdError;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use clerk_memberships::sync::{
    self, ApplyOptions, ApplyReport, OutcomeCounts, Plan, Roster, RosterEntry, SyncError,
    SyncOptions,
};
use clerk_memberships::{Client, SlidingWindowLimiter};
use serde_json::{Value, json};

#[path = "support/busy.rs"]
mod busy;
use busy::Busy;

#[path = "support/loopback.rs"]
mod loopback;
use loopback::{Server, write_head};

type BoxError = Box<dyn StdError + Send + Sync>;

// ---------------------------------------------------------------------------------------------
// Settings.

/// Requests the server admits in any window, and the client's limiter allows.
const LIMIT: u32 = 100;
/// The sliding window's length.
const WINDOW: Duration = Duration::from_secs(1);
/// How long after a request arrives the server answers it.
static LATENCY_MS: AtomicU64 = AtomicU64::new(100);

/// How long after a request arrives the server answers it: 100 ms unless `--latency-ms`.
fn latency() -> Duration {
    Duration::from_millis(LATENCY_MS.load(AtomicOrdering::Relaxed))
}

/// The worker count that stands for the apply's default, `auto`.
const AUTO: usize = 0;

fn workers_label(workers: usize) -> String {
    if workers == AUTO {
        "auto".to_owned()
    } else {
        workers.to_string()
    }
}
/// Members of the organization, and role changes applied by every run but the baseline.
const MEMBERS: usize = 2_000;
const CHANGES: usize = 2_000;
/// Role changes applied by one worker: at about ten a second, 2,000 would take minutes.
const BASELINE_CHANGES: usize = 200;
/// The worker counts measured when none are named.
const DEFAULT_WORKERS: [usize; 4] = [1, 8, 16, 32];
/// The part of the run left out of the rate: the opening burst of a sliding window.
const WARM_UP: Duration = Duration::from_secs(1);

// Targets, for runs whose workers could start well over the limit at this latency
// (`workers / LATENCY ≥ JUDGED_CAPACITY × LIMIT / WINDOW`).
const MIN_RATE_RATIO: f64 = 0.95;
const JUDGED_CAPACITY: f64 = 1.5;

const ORGANIZATION: &str = "org_2g7np7Hrk0SN6kj5EDMLDaKNL0S";
const FROM_ROLE: &str = "org:member";
const TO_ROLE: &str = "org:admin";
const SECRET_KEY: &str = "sk_test_benchmark0000000000000000";

fn user_id(n: usize) -> String {
    format!("user_2h8op3Isl1QR7tKu5FGN{n:06}")
}

// ---------------------------------------------------------------------------------------------
// The workload and the step measured.

/// The roster: the first `changes` members, each to hold `TO_ROLE`. Members left out of it
/// are left alone (no pruning), so planning it yields `changes` role changes.
fn roster(changes: usize) -> Result<Roster, SyncError> {
    (0..changes).try_fold(Roster::new(), |roster, n| {
        roster.entry(RosterEntry::user_id(user_id(n), TO_ROLE))
    })
}

/// The step measured: the crate's own apply, `workers` threads sharing `client` (and so its
/// limiter and its wait after a 429).
fn apply(client: &Client, plan: &Plan, workers: usize) -> Result<ApplyReport, SyncError> {
    if workers == AUTO {
        return plan.apply(client, &ApplyOptions::default());
    }
    plan.apply(client, &ApplyOptions::builder().workers(workers).build())
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

// ---------------------------------------------------------------------------------------------
// The server's state: the organization's members, the window, and what it saw.

struct State {
    /// Role of each member, by user id (ids are numbered, so this is also joining order).
    members: BTreeMap<String, String>,
    /// Arrival times of the admitted requests of the last `WINDOW`, oldest first.
    window: VecDeque<Instant>,
    /// Arrival time of every admitted request.
    admitted: Vec<Instant>,
    /// For each request answered 429, how much sooner it came than the window allowed.
    early: Vec<Duration>,
    /// `PATCH` role changes admitted, to check that no change was made twice.
    role_changes: usize,
}

impl State {
    fn new(members: usize) -> State {
        State {
            members: (0..members)
                .map(|n| (user_id(n), FROM_ROLE.to_owned()))
                .collect(),
            window: VecDeque::with_capacity(LIMIT as usize + 1),
            admitted: Vec::with_capacity(2 * CHANGES),
            early: Vec::new(),
            role_changes: 0,
        }
    }

    /// Whether a request arriving at `at` is admitted, counting it if so.
    fn admit(&mut self, at: Instant) -> bool {
        while self
            .window
            .front()
            .is_some_and(|&oldest| oldest + WINDOW <= at)
        {
            self.window.pop_front();
        }
        if self.window.len() >= LIMIT as usize {
            let allowed_at = self.window.front().map_or(at, |&oldest| oldest + WINDOW);
            self.early.push(allowed_at.saturating_duration_since(at));
            return false;
        }
        self.window.push_back(at);
        self.admitted.push(at);
        true
    }
}

/// An answer: status line, extra headers, JSON body.
struct Answer {
    status: &'static str,
    headers: &'static str,
    body: Vec<u8>,
}

impl Answer {
    fn ok(body: &Value) -> Answer {
        Answer {
            status: "200 OK",
            headers: "",
            body: body.to_string().into_bytes(),
        }
    }

    fn error(status: &'static str, code: &str, message: &str, long_message: &str) -> Answer {
        let body = json!({
            "errors": [{"code": code, "message": message, "long_message": long_message, "meta": {}}],
            "clerk_trace_id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        });
        Answer {
            status,
            headers: "",
            body: body.to_string().into_bytes(),
        }
    }

    fn throttled() -> Answer {
        Answer {
            headers: "retry-after: 1\r\n",
            ..Answer::error(
                "429 Too Many Requests",
                "too_many_requests",
                "Too many requests",
                "Too many requests, please retry later.",
            )
        }
    }

    fn not_found() -> Answer {
        Answer::error(
            "404 Not Found",
            "resource_not_found",
            "not found",
            "The requested resource was not found",
        )
    }

    fn unprocessable(long_message: &str) -> Answer {
        Answer::error(
            "422 Unprocessable Entity",
            "form_param_invalid",
            "is invalid",
            long_message,
        )
    }
}

/// A membership as Clerk sends it (its own example, with the member's ids and role).
fn membership(user_id: &str, role: &str) -> Value {
    let number = user_id.trim_start_matches("user_2h8op3Isl1QR7tKu5FGN");
    let role_name = if role == TO_ROLE { "Admin" } else { "Member" };
    json!({
        "object": "organization_membership",
        "id": format!("orgmem_2g7np7Hrk0SN6kj5EDML{number}"),
        "role": role,
        "role_name": role_name,
        "permissions": ["org:posts:read", "org:posts:write"],
        "public_metadata": {},
        "private_metadata": {},
        "organization": {
            "object": "organization", "id": ORGANIZATION, "name": "Acme Corp",
            "slug": "acme-corp", "image_url": "https://img.clerk.com/xxxxxx", "has_image": true,
            "members_count": MEMBERS, "missing_member_with_elevated_permissions": false,
            "pending_invitations_count": 0, "max_allowed_memberships": 5_000,
            "admin_delete_enabled": true, "public_metadata": {}, "private_metadata": {},
            "created_by": "user_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
            "created_at": 1_716_883_200_000_i64, "updated_at": 1_716_883_200_000_i64,
        },
        "public_user_data": {
            "user_id": user_id, "first_name": "Jane", "last_name": "Doe",
            "profile_image_url": "https://img.clerk.com/yyyyy",
            "image_url": "https://img.clerk.com/yyyyy", "has_image": true,
            "identifier": format!("jane.doe+{number}@acme.com"),
        },
        "created_at": 1_716_883_200_000_i64,
        "updated_at": 1_716_883_200_000_i64,
    })
}

/// What the request `method target` with `body` does to `state`, once admitted.
fn handle(state: &mut State, method: &str, target: &str, body: &[u8]) -> Answer {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    // Planning checks the roster's roles against the instance's roles.
    if path == "/v1/organization_roles" {
        return Answer {
            status: "200 OK",
            headers: "",
            body: clerk_memberships::testing::ROLES_JSON.as_bytes().to_vec(),
        };
    }
    let Some(rest) = path
        .strip_prefix("/v1/organizations/")
        .and_then(|rest| rest.strip_prefix(ORGANIZATION))
        .and_then(|rest| rest.strip_prefix("/memberships"))
    else {
        return Answer::not_found();
    };
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let field = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_owned);
    match (method, segments.as_slice()) {
        ("GET", []) => list(state, query),
        ("POST", []) => {
            let (Some(user), Some(role)) = (field("user_id"), field("role")) else {
                return Answer::unprocessable("user_id and role are required");
            };
            if state.members.contains_key(&user) {
                return Answer::error(
                    "400 Bad Request",
                    "already_a_member_in_organization",
                    "already a member",
                    "User is already a member of the organization.",
                );
            }
            state.members.insert(user.clone(), role.clone());
            Answer::ok(&membership(&user, &role))
        }
        ("PATCH", [user]) => {
            let Some(role) = field("role") else {
                return Answer::unprocessable("role is required");
            };
            match state.members.get_mut(*user) {
                Some(current) => {
                    state.role_changes += 1;
                    current.clone_from(&role);
                    Answer::ok(&membership(user, &role))
                }
                None => Answer::not_found(),
            }
        }
        ("PATCH", [user, "metadata"]) => match state.members.get(*user) {
            Some(role) => Answer::ok(&membership(user, role)),
            None => Answer::not_found(),
        },
        ("DELETE", [user]) => match state.members.remove(*user) {
            Some(role) => Answer::ok(&membership(user, &role)),
            None => Answer::not_found(),
        },
        _ => Answer::not_found(),
    }
}

/// A page of the listing, by the query's `limit` (default 10, at most 500) and `offset`.
fn list(state: &State, query: &str) -> Answer {
    let (mut limit, mut offset) = (10_usize, 0_usize);
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let parsed = match key {
            "limit" => value.parse().map(|v| limit = v),
            "offset" => value.parse().map(|v| offset = v),
            _ => Ok(()),
        };
        if parsed.is_err() {
            return Answer::unprocessable("limit and offset must be numbers");
        }
    }
    if !(1..=500).contains(&limit) {
        return Answer::unprocessable("limit must be between 1 and 500");
    }
    let data: Vec<Value> = state
        .members
        .iter()
        .skip(offset)
        .take(limit)
        .map(|(user, role)| membership(user, role))
        .collect();
    Answer::ok(&json!({ "data": data, "total_count": state.members.len() }))
}

// ---------------------------------------------------------------------------------------------
// The loopback server (`support/loopback.rs`), answering from one `State` after `LATENCY`.

/// The loopback server for one run: a fresh organization of `MEMBERS`, and its state to read
/// the figures from afterwards.
fn serve() -> io::Result<(Server, Arc<Mutex<State>>)> {
    let state = Arc::new(Mutex::new(State::new(MEMBERS)));
    let server = Server::start(usize::MAX, {
        let state = Arc::clone(&state);
        move |request, out| {
            // The request counts from the moment it is complete.
            let arrived = Instant::now();
            let answer = {
                let mut state = locked(&state);
                if state.admit(arrived) {
                    handle(&mut state, request.method, request.target, request.body)
                } else {
                    Answer::throttled()
                }
            };
            thread::sleep((arrived + latency()).saturating_duration_since(Instant::now()));
            let headers = format!("content-type: application/json\r\n{}", answer.headers);
            write_head(out, answer.status, &headers, answer.body.len());
            out.extend_from_slice(&answer.body);
        }
    })?;
    Ok((server, state))
}

// ---------------------------------------------------------------------------------------------
// One measurement.

struct Figures {
    workers: usize,
    /// The window of the client's limiter (of `LIMIT` requests).
    client_window: Duration,
    changes: usize,
    wall: Duration,
    /// Admitted requests per second over the run after `WARM_UP`.
    rate: f64,
    throttled: usize,
    /// How much sooner than the window allowed the 429s came: median and largest.
    early: Option<(Duration, Duration)>,
    connections: usize,
    /// How the changes ended, and the first failure's message.
    counts: OutcomeCounts,
    first_failure: Option<String>,
    /// Role changes the server made, and members holding the new role at the end.
    role_changes: usize,
    promoted: usize,
}

/// The window the client's limiter keeps by default: [`WINDOW`] and the limiter's default
/// margin (2 %), which absorbs requests reaching the server a little out of order.
fn default_window() -> Duration {
    WINDOW + SlidingWindowLimiter::new(LIMIT, WINDOW).margin()
}

/// `client_window` is the window the client's limiter effectively keeps: [`WINDOW`] plus its
/// margin.
fn measure(workers: usize, changes: usize, client_window: Duration) -> Result<Figures, BoxError> {
    let (server, state) = serve()?;
    let client = Client::builder()
        .base_url(server.base_url())
        .secret_key(SECRET_KEY)
        .rate_limiter(
            SlidingWindowLimiter::new(LIMIT, WINDOW)
                .with_margin(client_window.saturating_sub(WINDOW)),
        )
        .build()?;
    let plan = sync::plan(
        &client,
        ORGANIZATION,
        &roster(changes)?,
        &SyncOptions::default(),
    )?;
    if plan.changes().len() != changes {
        return Err(format!(
            "planning {changes} role changes gave {} changes",
            plan.changes().len()
        )
        .into());
    }
    // A person would review the plan; the pause lets planning's requests leave the window, so
    // that the apply starts on an empty one, at the server and in the client's limiter.
    thread::sleep(WINDOW.max(client_window));

    let started = Instant::now();
    let report = apply(&client, &plan, workers)?;
    let wall = started.elapsed();

    let state = locked(&state);
    let after_warm_up = state
        .admitted
        .iter()
        .filter(|&&at| at >= started + WARM_UP)
        .count();
    let measured = wall.saturating_sub(WARM_UP).as_secs_f64();
    let rate = if measured > 0.0 {
        after_warm_up as f64 / measured
    } else {
        0.0
    };
    let figures = Figures {
        workers,
        client_window,
        changes,
        wall,
        rate,
        throttled: state.early.len(),
        early: median_and_max(&state.early),
        connections: server.accepted(),
        counts: report.counts(),
        first_failure: report.failures().next().map(ToString::to_string),
        role_changes: state.role_changes,
        promoted: state.members.values().filter(|r| *r == TO_ROLE).count(),
    };
    drop(state);
    Ok(figures)
}

fn median_and_max(durations: &[Duration]) -> Option<(Duration, Duration)> {
    let mut sorted = durations.to_vec();
    sorted.sort_unstable();
    Some((*sorted.get(sorted.len() / 2)?, *sorted.last()?))
}

// ---------------------------------------------------------------------------------------------
// The report.

fn limit_per_sec() -> f64 {
    f64::from(LIMIT) / WINDOW.as_secs_f64()
}

/// Whether `workers` could start well over the limit at this latency, so that the run is held
/// to the targets.
fn judged(workers: usize) -> bool {
    workers == AUTO || workers as f64 / latency().as_secs_f64() >= JUDGED_CAPACITY * limit_per_sec()
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn print_table(rows: &[Vec<String>]) {
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        println!("| {} |", cells.join(" | "));
        if i == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(w + 2)).collect();
            println!("|{}|", rule.join("|"));
        }
    }
}

fn main() -> Result<(), BoxError> {
    // `apply [--margin-ms N] [WORKERS…]`.
    let mut worker_counts: Vec<usize> = Vec::new();
    let mut margin = None;
    let mut busy = 0_usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        // `cargo bench` adds `--bench`.
        if arg == "--bench" {
            continue;
        }
        if arg == "auto" {
            worker_counts.push(AUTO);
            continue;
        }
        if arg == "--latency-ms" {
            let ms = args.next().and_then(|ms| ms.parse::<u64>().ok());
            LATENCY_MS.store(
                ms.ok_or("--latency-ms takes a number of milliseconds")?,
                AtomicOrdering::Relaxed,
            );
            continue;
        }
        if arg == "--busy" {
            busy = args
                .next()
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or("--busy takes a number of threads")?;
            continue;
        }
        if arg == "--margin-ms" {
            let ms = args.next().and_then(|ms| ms.parse::<u64>().ok());
            margin = Some(Duration::from_millis(
                ms.ok_or("--margin-ms takes a number of milliseconds")?,
            ));
            continue;
        }
        match arg.parse::<usize>() {
            Ok(n) if n > 0 => worker_counts.push(n),
            _ => {
                return Err(format!(
                    "`{arg}` is neither a worker count (a positive integer) nor --margin-ms N"
                )
                .into());
            }
        }
    }
    if worker_counts.is_empty() {
        worker_counts = DEFAULT_WORKERS.to_vec();
    }
    if cfg!(debug_assertions) {
        eprintln!("warning: built without --release; run `cargo bench --bench apply`");
    }
    let cores = thread::available_parallelism().map_or(1, usize::from);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().next().unwrap_or("n/a").to_owned();
    let started = Instant::now();
    // `--busy N`: threads that spin until the run ends, loading the CPU.
    let spinners = Busy::start(busy);

    // Every worker count with the limiter at L and its default margin; then, with `--margin-ms`,
    // the judged ones again with that margin instead.
    let mut runs: Vec<(usize, Duration)> = worker_counts
        .iter()
        .map(|&w| (w, default_window()))
        .collect();
    if let Some(margin) = margin {
        runs.extend(
            worker_counts
                .iter()
                .filter(|&&w| judged(w))
                .map(|&w| (w, WINDOW + margin)),
        );
    }
    let mut results = Vec::new();
    for &(workers, client_window) in &runs {
        let label = workers_label(workers);
        let changes = if workers == 1 {
            BASELINE_CHANGES
        } else {
            CHANGES
        };
        eprintln!(
            "{label} worker(s), client limiter {LIMIT} per {:.3} s: applying {} changes…",
            client_window.as_secs_f64(),
            thousands(changes)
        );
        let figures = measure(workers, changes, client_window)?;
        eprintln!(
            "  {:.1} s, {:.1} requests/s after the first second, {} 429s",
            figures.wall.as_secs_f64(),
            figures.rate,
            figures.throttled
        );
        results.push(figures);
    }

    drop(spinners);
    let baseline = results
        .iter()
        .find(|f| f.workers == 1 && f.client_window == default_window())
        .map(|f| f.rate);
    let limit = limit_per_sec();
    let mut rows = vec![
        [
            "workers",
            "client limiter",
            "changes",
            "wall time",
            "rate after 1st s",
            "÷ L",
            "429s",
            "speed-up vs 1",
            "target",
            "result",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    let mut failures = Vec::new();
    let mut missed = Vec::new();
    for f in &results {
        let ratio = f.rate / limit;
        let (target, result) = if f.client_window != default_window() {
            (
                format!(
                    "— (diagnostic: margin {} ms)",
                    f.client_window.saturating_sub(WINDOW).as_millis()
                ),
                "",
            )
        } else if judged(f.workers) {
            let met = ratio >= MIN_RATE_RATIO && f.throttled == 0;
            if !met {
                missed.push(f.workers);
            }
            (
                format!("≥ {MIN_RATE_RATIO:.2} L, 0 429s"),
                if met { "ok" } else { "MISSED" },
            )
        } else {
            (
                format!(
                    "— (at most {:.0}/s)",
                    f.workers as f64 / latency().as_secs_f64()
                ),
                "",
            )
        };
        rows.push(vec![
            workers_label(f.workers),
            format!("{LIMIT} / {:.3} s", f.client_window.as_secs_f64()),
            thousands(f.changes),
            format!("{:.1} s", f.wall.as_secs_f64()),
            format!("{:.1}/s", f.rate),
            format!("{ratio:.3}"),
            f.throttled.to_string(),
            baseline.map_or("—".to_owned(), |b| format!("{:.1}×", f.rate / b)),
            target,
            result.to_owned(),
        ]);
        if f.counts.applied != f.changes {
            failures.push(format!(
                "{} worker(s): {} changes ended as {} (first failure: {})",
                workers_label(f.workers),
                f.changes,
                f.counts,
                f.first_failure.as_deref().unwrap_or("none")
            ));
        }
        if f.role_changes != f.changes || f.promoted != f.changes {
            failures.push(format!(
                "{} worker(s): the server made {} role changes and holds {} members with {TO_ROLE} \
                 for {} changes",
                f.workers, f.role_changes, f.promoted, f.changes
            ));
        }
    }

    println!(
        "clerk-memberships {} apply benchmark: {} build, {cores} cores, load average {load} \
         at the start, {busy} busy loop(s) spinning",
        env!("CARGO_PKG_VERSION"),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    println!();
    println!(
        "server: answers {} ms after a request arrives; admits L = {LIMIT} requests per {} s \
         (sliding window, 429 with Retry-After: 1 beyond it); client: one Client shared by the \
         workers, SlidingWindowLimiter {LIMIT} per {} s, default retry policy; Plan::apply",
        latency().as_millis(),
        WINDOW.as_secs_f64(),
        WINDOW.as_secs_f64()
    );
    println!(
        "workload: a plan of {} role changes ({FROM_ROLE} → {TO_ROLE}, one PATCH each), \
         applied with N workers; the one-worker baseline applies {} to keep the run short",
        thousands(CHANGES),
        thousands(BASELINE_CHANGES)
    );
    println!();
    print_table(&rows);
    println!();
    println!(
        "rate: requests the server admitted after the run's first second, over the run's wall \
         time less that second; speed-up: that rate over the one-worker run's; judged: runs \
         whose workers could start at least {JUDGED_CAPACITY}× L at this latency, with the \
         client's limiter at L (and its default 2 % margin); the rate can exceed L a little when \
         the run ends right after a \
         burst of the sliding window"
    );
    let connections: Vec<String> = results
        .iter()
        .map(|f| {
            format!(
                "{} worker(s): {}",
                workers_label(f.workers),
                thousands(f.connections)
            )
        })
        .collect();
    let early: Vec<String> = results
        .iter()
        .filter_map(|f| {
            let (median, max) = f.early?;
            Some(format!(
                "{} worker(s), limiter {:.3} s: median {:.1} ms, largest {:.1} ms",
                workers_label(f.workers),
                f.client_window.as_secs_f64(),
                median.as_secs_f64() * 1e3,
                max.as_secs_f64() * 1e3
            ))
        })
        .collect();
    if !early.is_empty() {
        println!(
            "how much sooner than the server's window allowed the 429s arrived: {}",
            early.join(" · ")
        );
    }
    println!(
        "connections the server accepted: {}",
        connections.join(" · ")
    );
    println!("total run {:.1} s", started.elapsed().as_secs_f64());
    if !missed.is_empty() {
        let missed: Vec<String> = missed.iter().map(|&w| workers_label(w)).collect();
        println!("target missed with {} workers", missed.join(", "));
    }
    if !failures.is_empty() {
        return Err(failures.join("; ").into());
    }
    Ok(())
}
