//! Benchmarks for this crate, against a loopback HTTP/1.1 server started in the same process:
//! no network, no Clerk account.
//!
//! ```sh
//! cargo bench --bench client
//! ```
//!
//! It prints one table. Compared variants alternate run by run (which one goes first alternates
//! too) and the figures are medians over several rounds, so a machine that slows down or
//! speeds up during the run affects both sides alike. The whole run takes well under a minute
//! on two cores.
//!
//! `cargo bench --bench client -- render call` runs only the benchmarks named
//! (`pagination`, `call`, `decode`, `render`, `connections`). The harness exits with an error
//! if 1,000 sequential calls through one client open anything but exactly one TCP connection.
//!
//! What is measured:
//!
//! - **call**: `ListMemberships` (`organization_id`, `limit(20)`) answered by a realistic
//!   20-member page, versus two ways of making the same call with `ureq`, all three taking
//!   turns in the same rounds. The floor (the target): what a user writes by hand, the same
//!   GET with the same headers on a `ureq::Agent` left on its defaults (no timeouts), the body
//!   read with ureq's default cap and decoded into `Page<OrganizationMembership>`. And, shown
//!   without a target to locate the cost: the same GET on an agent configured like the
//!   crate's (same timeouts), decoded into structs with the models' fields. The difference
//!   between the two is what the settings the crate adds cost per request, mostly its
//!   timeouts: with a resolve or global timeout, ureq looks the host up in a new thread on
//!   every request.
//! - **decode**: a 500-member page into `Page<OrganizationMembership>` versus into
//!   `serde_json::Value`.
//! - **render**: building a list request with every filter set and rendering it with
//!   `render(&client)`, alternating with rendering an already built one to split the time;
//!   and the heap allocations of each, counted by this program's global allocator.
//! - **pagination**: every membership of a 100,000-member listing through
//!   `ListMemberships::items`, 500 per page, from a server that generates each page from a
//!   template; memberships per second (from the median page) and peak memory growth.
//! - **connections**: TCP connections the server accepted for 1,000 sequential calls.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, RefCell};
use std::error::Error as StdError;
use std::hint::black_box;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use clerk_memberships::{
    Client, Error, HttpRequest, ListMemberships, ListMembershipsBuilder, OrganizationMembership,
    Page,
};
use serde::Deserialize;

#[path = "support/loopback.rs"]
mod loopback;
use loopback::{Server, write_head};

type BoxError = Box<dyn StdError + Send + Sync>;

// ---------------------------------------------------------------------------------------------
// Settings. Rounds are odd so that the median is one of the measured rounds; a turn is one
// timed stretch of one variant, and variants take turns (see `interleave`).

/// Rounds of the call comparison, and turns (of one call) per variant in each round.
const CALL_ROUNDS: usize = 31;
const CALL_TURNS: usize = 200;
/// Rounds of the decode comparison, and turns (of one decode) per variant in each round.
const DECODE_ROUNDS: usize = 21;
const DECODE_TURNS: usize = 10;
/// Rounds of the render measurement, turns per round, and requests rendered per turn: a
/// render is too short to time alone.
const RENDER_ROUNDS: usize = 21;
const RENDER_TURNS: usize = 10;
const RENDER_PER_TURN: usize = 1_000;
/// Members on the page of the call comparison, and on the page of the decode comparison.
const SMALL_PAGE: u64 = 20;
const LARGE_PAGE: u64 = 500;
/// The listing walked by the pagination run, and a smaller one to show memory does not follow
/// the total.
const PAGINATION_TOTAL: u64 = 100_000;
const PAGINATION_SMALL_TOTAL: u64 = 10_000;
/// Calls made through one client in the connection check.
const CONNECTION_CALLS: usize = 1_000;

// Targets.
const CALL_MAX_RATIO: f64 = 1.10;
const DECODE_MIN_RATIO: f64 = 1.0;
const RENDER_MAX_MICROS: f64 = 5.0;
/// Allocations allowed per rendered request beyond one per query pair: the organization id,
/// the six array filters' vectors, and the URL and headers of the rendered request.
const RENDER_EXTRA_ALLOCATIONS: u64 = 10;
/// Peak memory growth allowed while paginating, in page bodies. The walk of 100,000 may grow
/// it by at most one page over the walk of 10,000: more would mean memory follows the total.
const PAGINATION_MAX_PAGES: f64 = 4.0;

// ---------------------------------------------------------------------------------------------
// A global allocator that counts, for the allocation figures. It only forwards to the system
// allocator until counting is switched on, so the timed runs pay one relaxed load per call.

struct CountingAllocator;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Whether allocations are being counted.
static COUNTING: AtomicBool = AtomicBool::new(false);
/// Bytes allocated and not yet freed since counting started (all threads), and its peak.
static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);
static PEAK_BYTES: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    /// Allocations (`alloc` and `realloc` calls) made by this thread while counting.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn note_allocation(grown_by: isize) {
    let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
    let live = LIVE_BYTES.fetch_add(grown_by, Ordering::Relaxed) + grown_by;
    PEAK_BYTES.fetch_max(live, Ordering::Relaxed);
}

fn signed(size: usize) -> isize {
    isize::try_from(size).unwrap_or(isize::MAX)
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// bookkeeping touches only atomics and a const-initialised thread-local without destructor,
// neither of which allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is; the caller upholds `GlobalAlloc::alloc`'s contract.
        let ptr = unsafe { System.alloc(layout) };
        if COUNTING.load(Ordering::Relaxed) && !ptr.is_null() {
            note_allocation(signed(layout.size()));
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if COUNTING.load(Ordering::Relaxed) && !ptr.is_null() {
            note_allocation(signed(layout.size()));
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` and `layout` come from the caller, who got `ptr` from this allocator.
        unsafe { System.dealloc(ptr, layout) };
        if COUNTING.load(Ordering::Relaxed) {
            LIVE_BYTES.fetch_sub(signed(layout.size()), Ordering::Relaxed);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`; `new_size` is checked by the caller.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if COUNTING.load(Ordering::Relaxed) && !new.is_null() {
            note_allocation(signed(new_size) - signed(layout.size()));
        }
        new
    }
}

/// Runs `f` and returns its result with the allocations this thread made meanwhile.
fn count_allocations<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = ALLOCATIONS.with(Cell::get);
    COUNTING.store(true, Ordering::SeqCst);
    let out = f();
    COUNTING.store(false, Ordering::SeqCst);
    (out, ALLOCATIONS.with(Cell::get) - before)
}

// ---------------------------------------------------------------------------------------------
// Fixtures: Clerk's own example membership (see the API contract), with some metadata, the
// optional fields Clerk sends today, and the ids, identifier and username numbered so that
// every generated membership is distinct: about 1.2 KB. `#` marks where the number goes.

const MEMBERSHIP_TEMPLATE: &str = r##"{"object":"organization_membership","id":"orgmem_2g7np7Hrk0SN6kj5EDML#","role":"org:member","role_name":"Member","permissions":["org:posts:read","org:posts:write"],"public_metadata":{"department":"Engineering","title":"Staff Engineer"},"private_metadata":{"employee_id":"E-#","cost_center":"R&D-042"},"organization":{"object":"organization","id":"org_2g7np7Hrk0SN6kj5EDMLDaKNL0S","name":"Acme Corp","slug":"acme-corp","image_url":"https://img.clerk.com/xxxxxx","has_image":true,"members_count":2,"missing_member_with_elevated_permissions":false,"pending_invitations_count":0,"max_allowed_memberships":5,"admin_delete_enabled":true,"public_metadata":{},"private_metadata":{},"created_by":"user_2g7np7Hrk0SN6kj5EDMLDaKNL0S","created_at":1716883200000,"updated_at":1716883200000,"last_active_at":1716883200000,"role_set_key":null},"public_user_data":{"user_id":"user_2h8op3Isl1QR7tKu5FGN#","first_name":"Jane","last_name":"Doe","profile_image_url":"https://img.clerk.com/yyyyy","image_url":"https://img.clerk.com/yyyyy","has_image":true,"identifier":"jane.doe+#@acme.com","username":"jane_doe_#","banned":false,"deprovisioned":false},"created_at":1716883200000,"updated_at":1716883200000}"##;

/// Digits of a membership's number in its ids (enough for ten million memberships).
const NUMBER_DIGITS: usize = 7;

/// Writes membership number `n` (zero-padded) wherever the template has `#`.
fn write_membership(n: u64, out: &mut Vec<u8>) {
    let mut digits = [b'0'; NUMBER_DIGITS];
    let mut rest = n;
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    for (i, piece) in MEMBERSHIP_TEMPLATE.split('#').enumerate() {
        if i > 0 {
            out.extend_from_slice(&digits);
        }
        out.extend_from_slice(piece.as_bytes());
    }
}

/// Writes the page `{"data":[…],"total_count":total}` holding memberships `offset..offset+count`.
fn write_page(offset: u64, count: u64, total: u64, out: &mut Vec<u8>) {
    out.extend_from_slice(br#"{"data":["#);
    for n in offset..offset + count {
        if n > offset {
            out.push(b',');
        }
        write_membership(n, out);
    }
    out.extend_from_slice(br#"],"total_count":"#);
    out.extend_from_slice(total.to_string().as_bytes());
    out.push(b'}');
}

fn page(count: u64) -> Vec<u8> {
    let mut out = Vec::new();
    write_page(0, count, count, &mut out);
    out
}

// ---------------------------------------------------------------------------------------------
// What the loopback server (`support/loopback.rs`) answers: at most `MAX_CONNECTIONS`
// connections at once, and it counts the connections it accepts.

/// What the server answers to `GET /v1/organizations/{id}/memberships?…`.
enum Content {
    /// The same pre-built response (head and body) to every request.
    Fixed(Vec<u8>),
    /// Pages generated from the template by the query's `offset` and `limit`, for a listing of
    /// `N` memberships when the organization id is `org_N`.
    Pages,
}

/// Connections served at once; more are closed when accepted.
const MAX_CONNECTIONS: usize = 4;
/// Headers an API gateway typically adds, so that the client handles a realistic head.
const RESPONSE_HEADERS: &str = "content-type: application/json\r\n\
    date: Sat, 28 Nov 2026 12:00:00 GMT\r\n\
    cache-control: no-store\r\n\
    x-request-id: req_2h8op3Isl1QR7tKu5FGNfaLKEoU\r\n";

thread_local! {
    /// A connection thread's page body, reused page after page.
    static PAGE_BODY: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The loopback server answering every GET with `content`.
fn serve(content: Content) -> io::Result<Server> {
    Server::start(MAX_CONNECTIONS, move |request, out| {
        if request.method != "GET" {
            out.extend_from_slice(&response("405 Method Not Allowed", b""));
            return;
        }
        match &content {
            Content::Fixed(response) => out.extend_from_slice(response),
            Content::Pages => match parse_page_request(request.target) {
                Ok((total, offset, limit)) => PAGE_BODY.with_borrow_mut(|body| {
                    body.clear();
                    let count = u64::from(limit).min(total.saturating_sub(offset));
                    write_page(offset, count, total, body);
                    write_head(out, "200 OK", RESPONSE_HEADERS, body.len());
                    out.extend_from_slice(body);
                }),
                Err(status) => out.extend_from_slice(&response(status, b"{}")),
            },
        }
    })
}

/// The listing's total (from `org_N`), `offset` and `limit` of a page request, or the status
/// to answer.
fn parse_page_request(target: &str) -> Result<(u64, u64, u32), &'static str> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let organization = path
        .strip_prefix("/v1/organizations/")
        .and_then(|rest| rest.strip_suffix("/memberships"))
        .ok_or("404 Not Found")?;
    let total = organization
        .strip_prefix("org_")
        .and_then(|n| n.parse().ok())
        .ok_or("404 Not Found")?;
    let (mut offset, mut limit) = (0, 10);
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "offset" => offset = value.parse().map_err(|_| "422 Unprocessable Entity")?,
            "limit" => limit = value.parse().map_err(|_| "422 Unprocessable Entity")?,
            _ => {}
        }
    }
    if !(1..=500).contains(&limit) {
        return Err("422 Unprocessable Entity");
    }
    Ok((total, offset, limit))
}

fn response(status: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 256);
    write_head(&mut out, status, RESPONSE_HEADERS, body.len());
    out.extend_from_slice(body);
    out
}

// ---------------------------------------------------------------------------------------------
// The floor: the same HTTP and JSON work without the crate. These structs have the same fields
// and serde attributes as the crate's models.

type Metadata = serde_json::Map<String, serde_json::Value>;

#[derive(Deserialize)]
#[allow(dead_code)] // decoded, never read: decoding is what is measured
struct FloorPage {
    data: Vec<FloorMembership>,
    total_count: i64,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct FloorMembership {
    object: String,
    id: String,
    role: String,
    #[serde(default)]
    role_name: Option<String>,
    #[serde(default)]
    permissions: Option<Vec<String>>,
    public_metadata: Metadata,
    #[serde(default)]
    private_metadata: Option<Metadata>,
    organization: FloorOrganization,
    #[serde(default)]
    public_user_data: Option<FloorPublicUserData>,
    created_at: i64,
    updated_at: i64,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct FloorOrganization {
    object: String,
    id: String,
    name: String,
    slug: String,
    #[serde(default)]
    image_url: Option<String>,
    has_image: bool,
    #[serde(default)]
    members_count: Option<i64>,
    #[serde(default)]
    missing_member_with_elevated_permissions: Option<bool>,
    #[serde(default)]
    pending_invitations_count: Option<i64>,
    max_allowed_memberships: i64,
    admin_delete_enabled: bool,
    public_metadata: Metadata,
    #[serde(default)]
    private_metadata: Option<Metadata>,
    #[serde(default)]
    created_by: Option<String>,
    created_at: i64,
    updated_at: i64,
    #[serde(default)]
    last_active_at: Option<i64>,
    #[serde(default)]
    role_set_key: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct FloorPublicUserData {
    user_id: String,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    profile_image_url: Option<String>,
    image_url: String,
    has_image: bool,
    #[serde(default)]
    identifier: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    banned: Option<bool>,
    #[serde(default)]
    deprovisioned: Option<bool>,
}

/// A raw `ureq` agent configured like the crate's transport, with the URL and headers the crate
/// sends for the same call.
struct Floor {
    agent: ureq::Agent,
    url: String,
    headers: Vec<(String, String)>,
}

/// The default transport's settings, as [`UreqTransportBuilder`](clerk_memberships::UreqTransportBuilder)
/// documents them, for the agent configured like the crate's (shown beside the floor, never
/// the floor itself).
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_MAX_RESPONSE_BODY: u64 = 8 * 1024 * 1024;

impl Floor {
    fn like_crate(request: &HttpRequest) -> Floor {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_resolve(Some(DEFAULT_CONNECT_TIMEOUT))
            .timeout_connect(Some(DEFAULT_CONNECT_TIMEOUT))
            .timeout_global(Some(DEFAULT_REQUEST_TIMEOUT))
            .build();
        Floor::with_agent(ureq::Agent::new_with_config(config), request)
    }

    /// The same request on a `ureq::Agent` left on its defaults, as a user writing the call by
    /// hand would hold one: no timeouts (so no lookup thread), redirects followed, 4xx/5xx as
    /// errors. One agent for every call, as ureq's docs advise: `ureq::get(url)` builds a new
    /// agent, and so a new connection, for every request.
    fn by_hand(request: &HttpRequest) -> Floor {
        Floor::with_agent(ureq::Agent::new_with_defaults(), request)
    }

    fn with_agent(agent: ureq::Agent, request: &HttpRequest) -> Floor {
        Floor {
            agent,
            url: request.url().to_owned(),
            headers: request
                .headers()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
        }
    }

    /// A call by hand: the body read with ureq's default cap (10 MB) and decoded into the
    /// crate's own model.
    fn list_by_hand(&self) -> Result<usize, BoxError> {
        let mut request = self.agent.get(&self.url);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let mut response = request.call()?;
        let body = response.body_mut().read_to_vec()?;
        let page: Page<OrganizationMembership> = serde_json::from_slice(&body)?;
        Ok(black_box(page).data.len())
    }

    fn list(&self) -> Result<usize, BoxError> {
        let mut request = self.agent.get(&self.url);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let mut response = request.call()?;
        if response.status() != 200 {
            return Err(format!("floor: status {}", response.status()).into());
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(DEFAULT_MAX_RESPONSE_BODY)
            .read_to_vec()?;
        let page: FloorPage = serde_json::from_slice(&body)?;
        Ok(black_box(page).data.len())
    }
}

// ---------------------------------------------------------------------------------------------
// The crate's side.

fn client_for(base_url: &str) -> Result<Client, BoxError> {
    Ok(Client::builder()
        .secret_key("sk_test_benchmark0000000000000000")
        .base_url(base_url)
        .build()?)
}

fn small_listing() -> ListMembershipsBuilder {
    ListMemberships::builder()
        .organization_id("org_1")
        .limit(SMALL_PAGE as u32)
}

fn sdk_list(client: &Client) -> Result<usize, Error> {
    let page = small_listing().build()?.send(client)?;
    Ok(black_box(page).data.len())
}

/// A list request with every filter set (two values for two of the array filters).
fn full_listing() -> ListMembershipsBuilder {
    ListMemberships::builder()
        .organization_id("org_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
        .order_by("-created_at")
        .user_id("+user_2h8op3Isl1QR7tKu5FGNfaLKEoU")
        .user_id("-user_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
        .email_address("jane.doe@acme.com")
        .phone_number("+15555550100")
        .username("jane_doe")
        .web3_wallet("0x71C7656EC7ab88b098defB751B7401B5f6d8976F")
        .role("org:admin")
        .role("org:member")
        .query("jane")
        .email_address_query("acme.com")
        .phone_number_query("555")
        .username_query("jane")
        .name_query("Jane Doe")
        .last_active_at_before(1_716_883_200_000)
        .last_active_at_after(1_700_000_000_000)
        .created_at_before(1_716_883_200_000)
        .created_at_after(1_690_000_000_000)
        .limit(500)
        .offset(1_000)
}

fn render_full(client: &Client) -> Result<HttpRequest, Error> {
    full_listing().build()?.render(client)
}

// ---------------------------------------------------------------------------------------------
// Pagination.

/// Walks the listing of `total` memberships and checks that each arrives once, in order.
/// Returns the seconds each page took, from the first membership of the page before it
/// (fetching, decoding and iterating one page).
fn paginate(client: &Client, total: u64) -> Result<Vec<f64>, BoxError> {
    let listing = ListMemberships::builder()
        .organization_id(format!("org_{total}"))
        .limit(LARGE_PAGE as u32)
        .build()?;
    let memberships = listing.items(client);
    let mut seen = 0;
    let mut laps = Vec::with_capacity(total.div_ceil(LARGE_PAGE) as usize);
    let mut lap = Instant::now();
    for membership in memberships {
        let membership = membership?;
        let number = membership
            .id
            .get(membership.id.len().saturating_sub(NUMBER_DIGITS)..)
            .and_then(|digits| digits.parse::<u64>().ok());
        if number != Some(seen) {
            return Err(format!("membership {seen} arrived as {}", membership.id).into());
        }
        seen += 1;
        if seen % LARGE_PAGE == 0 || seen == total {
            laps.push(lap.elapsed().as_secs_f64());
            lap = Instant::now();
        }
    }
    if seen != total {
        return Err(format!("paginated {seen} memberships, expected {total}").into());
    }
    Ok(laps)
}

/// A field of `/proc/self/status` in bytes (`VmRSS`, `VmHWM`), when the system has it.
fn proc_status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Minor page faults of the process so far (`/proc/self/stat`), when the system has them.
/// Memory that the allocator hands back to the kernel and takes again shows up here.
fn minor_page_faults() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses: state is field 3, minflt 10.
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(7)?.parse().ok()
}

/// Resets the process's peak RSS (`VmHWM`) to its current RSS; `false` where not supported.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

struct MemoryRun {
    /// Growth of the process's peak RSS (`VmHWM`) over the RSS before the first measured walk,
    /// read after this walk (`None` where the system cannot tell).
    rss_growth: Option<u64>,
    /// Peak of the bytes allocated and not yet freed during this walk.
    heap_growth: u64,
}

/// Walks the listing with the allocator counting, and reads the peak RSS afterwards.
fn paginate_measuring_memory(
    client: &Client,
    total: u64,
    rss_base: Option<u64>,
) -> Result<MemoryRun, BoxError> {
    LIVE_BYTES.store(0, Ordering::SeqCst);
    PEAK_BYTES.store(0, Ordering::SeqCst);
    let (result, _) = count_allocations(|| paginate(client, total));
    result?;
    let rss_growth = rss_base
        .zip(proc_status_bytes("VmHWM:"))
        .map(|(base, peak)| peak.saturating_sub(base));
    let heap_growth = u64::try_from(PEAK_BYTES.load(Ordering::SeqCst)).unwrap_or(0);
    Ok(MemoryRun {
        rss_growth,
        heap_growth,
    })
}

// ---------------------------------------------------------------------------------------------
// Measuring.

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

/// Time of `n` runs of `f`.
fn time<T, E>(n: usize, mut f: impl FnMut() -> Result<T, E>) -> Result<Duration, E> {
    let start = Instant::now();
    for _ in 0..n {
        black_box(f()?);
    }
    Ok(start.elapsed())
}

/// Runs `a` and `b` alternately, `turns` turns each per round of `per_turn` runs, and returns
/// for each round the median time of a turn of `a` and of `b`, in seconds (see
/// [`interleave_all`]).
fn interleave<T, U, E>(
    rounds: usize,
    turns: usize,
    per_turn: usize,
    mut a: impl FnMut() -> Result<T, E>,
    mut b: impl FnMut() -> Result<U, E>,
) -> Result<(Vec<f64>, Vec<f64>), E> {
    let mut a = || a().map(|out| drop(black_box(out)));
    let mut b = || b().map(|out| drop(black_box(out)));
    let mut secs = interleave_all(rounds, turns, per_turn, &mut [&mut a, &mut b])?;
    let b_secs = secs.pop().unwrap_or_default();
    let a_secs = secs.pop().unwrap_or_default();
    Ok((a_secs, b_secs))
}

/// Runs the variants in turn, `turns` turns each per round of `per_turn` runs, and returns for
/// each variant and round the median time of a turn, in seconds. Which variant goes first
/// rotates from turn to turn (and round to round), so a burst of load from elsewhere on the
/// machine lands on all of them about equally, and the medians leave out turns that a
/// preemption stretched.
#[allow(clippy::type_complexity)] // a slice of closures, read once
fn interleave_all<E>(
    rounds: usize,
    turns: usize,
    per_turn: usize,
    variants: &mut [&mut dyn FnMut() -> Result<(), E>],
) -> Result<Vec<Vec<f64>>, E> {
    let n = variants.len();
    let mut secs: Vec<Vec<f64>> = (0..n).map(|_| Vec::with_capacity(rounds)).collect();
    let mut turn_secs: Vec<Vec<f64>> = (0..n).map(|_| Vec::with_capacity(turns)).collect();
    for round in 0..rounds {
        turn_secs.iter_mut().for_each(Vec::clear);
        for turn in 0..turns {
            for k in 0..n {
                let i = (round + turn + k) % n;
                turn_secs[i].push(time(per_turn, &mut *variants[i])?.as_secs_f64());
            }
        }
        for (secs, turn_secs) in secs.iter_mut().zip(&turn_secs) {
            secs.push(median(turn_secs));
        }
    }
    Ok(secs)
}

/// Median of the per-round ratios `a / b`.
fn median_ratio(a: &[f64], b: &[f64]) -> f64 {
    let ratios: Vec<f64> = a.iter().zip(b).map(|(a, b)| a / b).collect();
    median(&ratios)
}

// ---------------------------------------------------------------------------------------------
// The benchmarks.

struct CallFigures {
    sdk_micros: f64,
    /// ureq configured like the crate (same timeouts and settings): locates the cost.
    like_crate_micros: f64,
    /// The floor: plain ureq on its defaults, decoding into the crate's model.
    by_hand_micros: f64,
    /// Crate ÷ ureq configured like it (shown, not judged).
    like_crate_ratio: f64,
    /// Crate ÷ plain ureq on its defaults (the target).
    by_hand_ratio: f64,
    /// What the settings the crate adds (mostly its timeouts) cost a call: ureq configured like
    /// the crate minus plain ureq, the median of the per-round differences, in µs.
    timeout_cost_micros: f64,
    body_bytes: usize,
    connections: usize,
}

fn bench_calls() -> Result<CallFigures, BoxError> {
    let body = page(SMALL_PAGE);
    let server = serve(Content::Fixed(response("200 OK", &body)))?;
    let client = client_for(&server.base_url())?;
    let request = small_listing().build()?.render(&client)?;
    let like_crate = Floor::like_crate(&request);
    let by_hand = Floor::by_hand(&request);
    let expected = SMALL_PAGE as usize;
    if sdk_list(&client)? != expected
        || like_crate.list()? != expected
        || by_hand.list_by_hand()? != expected
    {
        return Err("the call comparison's page does not hold the expected members".into());
    }
    for _ in 0..CALL_TURNS {
        sdk_list(&client)?;
        like_crate.list()?;
        by_hand.list_by_hand()?;
    }
    let mut sdk = || sdk_list(&client).map(drop).map_err(BoxError::from);
    let mut raw = || like_crate.list().map(drop);
    let mut plain = || by_hand.list_by_hand().map(drop);
    let secs = interleave_all(
        CALL_ROUNDS,
        CALL_TURNS,
        1,
        &mut [&mut sdk, &mut raw, &mut plain],
    )?;
    let [sdk, raw, plain] =
        <[Vec<f64>; 3]>::try_from(secs).map_err(|_| "the call comparison lost a variant")?;
    let per_call = |secs: f64| secs * 1e6;
    let differences: Vec<f64> = raw.iter().zip(&plain).map(|(r, p)| r - p).collect();
    Ok(CallFigures {
        sdk_micros: per_call(median(&sdk)),
        like_crate_micros: per_call(median(&raw)),
        by_hand_micros: per_call(median(&plain)),
        like_crate_ratio: median_ratio(&sdk, &raw),
        by_hand_ratio: median_ratio(&sdk, &plain),
        timeout_cost_micros: per_call(median(&differences)),
        body_bytes: body.len(),
        connections: server.accepted(),
    })
}

struct DecodeFigures {
    typed_mbps: f64,
    value_mbps: f64,
    ratio: f64,
    body_bytes: usize,
}

fn bench_decode() -> Result<DecodeFigures, BoxError> {
    let body = page(LARGE_PAGE);
    let typed = || serde_json::from_slice::<Page<OrganizationMembership>>(&body);
    let value = || serde_json::from_slice::<serde_json::Value>(&body);
    if typed()?.data.len() != LARGE_PAGE as usize {
        return Err("the decode comparison's page does not hold the expected members".into());
    }
    time(DECODE_TURNS, typed)?;
    time(DECODE_TURNS, value)?;
    let (typed_secs, value_secs) = interleave(DECODE_ROUNDS, DECODE_TURNS, 1, typed, value)?;
    let mbps = |secs: f64| body.len() as f64 / secs / 1e6;
    Ok(DecodeFigures {
        typed_mbps: mbps(median(&typed_secs)),
        value_mbps: mbps(median(&value_secs)),
        // Throughput ratio: the inverse of the time ratio.
        ratio: median_ratio(&value_secs, &typed_secs),
        body_bytes: body.len(),
    })
}

struct RenderFigures {
    micros: f64,
    render_only_micros: f64,
    pairs: u64,
    build_allocations: u64,
    render_allocations: u64,
}

fn bench_render() -> Result<RenderFigures, BoxError> {
    let client = Client::builder()
        .secret_key("sk_test_benchmark0000000000000000")
        .build()?;
    let request = render_full(&client)?;
    let query = request.url().split_once('?').map_or("", |(_, query)| query);
    let pairs = query.split('&').filter(|pair| !pair.is_empty()).count() as u64;
    let built = full_listing().build()?;
    time(RENDER_TURNS * RENDER_PER_TURN, || render_full(&client))?;

    let (full, render_only) = interleave(
        RENDER_ROUNDS,
        RENDER_TURNS,
        RENDER_PER_TURN,
        || render_full(&client),
        || built.render(&client),
    )?;

    let (built_again, build_allocations) = count_allocations(|| full_listing().build());
    let built_again = built_again?;
    let (rendered, render_allocations) = count_allocations(|| built_again.render(&client));
    drop(black_box(rendered?));

    let per_request = |secs: f64| secs * 1e6 / RENDER_PER_TURN as f64;
    Ok(RenderFigures {
        micros: per_request(median(&full)),
        render_only_micros: per_request(median(&render_only)),
        pairs,
        build_allocations,
        render_allocations,
    })
}

struct PaginationFigures {
    /// From the median page of the walk.
    memberships_per_sec: f64,
    mb_per_sec: f64,
    /// The whole walk of `PAGINATION_TOTAL`.
    walk_secs: f64,
    /// Minor page faults per page during that walk.
    faults_per_page: Option<f64>,
    page_bytes: usize,
    large: MemoryRun,
    small: MemoryRun,
    connections: usize,
}

fn bench_pagination() -> Result<PaginationFigures, BoxError> {
    let server = serve(Content::Pages)?;
    let client = client_for(&server.base_url())?;
    // One full page first, so that the connection and the buffers of both ends exist before
    // memory is measured.
    let warm_up = ListMemberships::builder()
        .organization_id(format!("org_{PAGINATION_TOTAL}"))
        .limit(LARGE_PAGE as u32)
        .build()?
        .send(&client)?;
    drop(warm_up);
    let page_bytes = page(LARGE_PAGE).len();

    // The peak RSS is reset once, before the first walk, and read after each: if memory
    // followed the total, the longer second walk would raise it. The heap peak is exact, so it
    // is taken for each walk on its own.
    let rss_base = if reset_peak_rss() {
        proc_status_bytes("VmRSS:")
    } else {
        None
    };
    let small = paginate_measuring_memory(&client, PAGINATION_SMALL_TOTAL, rss_base)?;
    let large = paginate_measuring_memory(&client, PAGINATION_TOTAL, rss_base)?;

    let faults_before = minor_page_faults();
    let start = Instant::now();
    let laps = paginate(&client, PAGINATION_TOTAL)?;
    let walk_secs = start.elapsed().as_secs_f64();
    let faults_per_page = faults_before
        .zip(minor_page_faults())
        .map(|(before, after)| after.saturating_sub(before) as f64 / laps.len() as f64);
    let page_secs = median(&laps);
    Ok(PaginationFigures {
        memberships_per_sec: LARGE_PAGE as f64 / page_secs,
        mb_per_sec: page_bytes as f64 / page_secs / 1e6,
        walk_secs,
        faults_per_page,
        page_bytes,
        large,
        small,
        connections: server.accepted(),
    })
}

fn bench_connections() -> Result<usize, BoxError> {
    let server = serve(Content::Fixed(response("200 OK", &page(SMALL_PAGE))))?;
    let client = client_for(&server.base_url())?;
    for _ in 0..CONNECTION_CALLS {
        sdk_list(&client)?;
    }
    Ok(server.accepted())
}

// ---------------------------------------------------------------------------------------------
// The table.

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISSED" }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn kb(bytes: usize) -> String {
    format!("{:.0} KB", bytes as f64 / 1e3)
}

/// The table being printed: one row per figure, and notes under it.
#[derive(Default)]
struct Table {
    /// Sentences printed above the table.
    headline: Vec<String>,
    rows: Vec<[String; 4]>,
    notes: Vec<String>,
    failures: Vec<String>,
}

impl Table {
    fn row(&mut self, name: String, measured: String, target: String, ok: Option<bool>) {
        let result = ok.map_or("", verdict).to_owned();
        self.rows.push([name, measured, target, result]);
    }

    fn print(&self, header: &str) {
        let widths = (0..4).map(|column| {
            self.rows
                .iter()
                .map(|row| row[column].chars().count())
                .chain([["benchmark", "measured", "target", "result"][column].len()])
                .max()
                .unwrap_or(0)
        });
        let widths: Vec<usize> = widths.collect();
        let line = |cells: [&str; 4]| {
            let cells: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            println!("| {} |", cells.join(" | "));
        };
        println!("{header}");
        println!();
        for sentence in &self.headline {
            println!("{sentence}");
        }
        if !self.headline.is_empty() {
            println!();
        }
        line(["benchmark", "measured", "target", "result"]);
        let rule: Vec<String> = widths.iter().map(|width| "-".repeat(width + 2)).collect();
        println!("|{}|", rule.join("|"));
        for row in &self.rows {
            line([&row[0], &row[1], &row[2], &row[3]]);
        }
        if !self.notes.is_empty() {
            println!();
        }
        for note in &self.notes {
            println!("{note}");
        }
    }
}

fn report_pagination(table: &mut Table, pagination: &PaginationFigures) {
    table.row(
        format!(
            "pagination: {} ({LARGE_PAGE}/page)",
            thousands(PAGINATION_TOTAL)
        ),
        format!(
            "{} memberships/s ({:.0} MB/s), whole walk {:.2} s",
            thousands(pagination.memberships_per_sec as u64),
            pagination.mb_per_sec,
            pagination.walk_secs
        ),
        "—".to_owned(),
        None,
    );
    let page_bytes = pagination.page_bytes as u64;
    let pages = |bytes: u64| bytes as f64 / page_bytes as f64;
    let allowed = (PAGINATION_MAX_PAGES * page_bytes as f64) as u64;
    let growth = |bytes: u64| format!("{} ({:.1} pages)", mb(bytes), pages(bytes));
    let rss = |run: &MemoryRun| run.rss_growth.map_or("n/a".to_owned(), growth);
    let (large, small) = (&pagination.large, &pagination.small);
    table.row(
        "pagination: peak RSS growth".to_owned(),
        format!(
            "after {}: {} · then {}: {}",
            thousands(PAGINATION_SMALL_TOTAL),
            rss(small),
            thousands(PAGINATION_TOTAL),
            rss(large)
        ),
        // RSS moves with the allocator's own bookkeeping by up to a page either way, so the
        // exact independence check is on the heap row below; RSS must stay within bounds.
        format!("≤ {PAGINATION_MAX_PAGES:.0} pages for both walks"),
        large
            .rss_growth
            .zip(small.rss_growth)
            .map(|(large, small)| large <= allowed && small <= allowed),
    );
    table.row(
        "pagination: peak heap growth".to_owned(),
        format!(
            "{}: {} · {}: {}",
            thousands(PAGINATION_SMALL_TOTAL),
            growth(small.heap_growth),
            thousands(PAGINATION_TOTAL),
            growth(large.heap_growth)
        ),
        format!("≤ {PAGINATION_MAX_PAGES:.0} pages; longer walk ≤ +1 page"),
        Some(large.heap_growth <= allowed && large.heap_growth <= small.heap_growth + page_bytes),
    );
    let faults = pagination
        .faults_per_page
        .map_or("n/a".to_owned(), |faults| format!("{faults:.1}"));
    table.notes.push(format!(
        "pagination: a page of {LARGE_PAGE} is {}; {faults} minor page faults per page; the \
         server accepted {} connection(s)",
        kb(pagination.page_bytes),
        pagination.connections
    ));
}

fn report_calls(table: &mut Table, calls: &CallFigures) {
    let name = format!("call: list {SMALL_PAGE} members ({})", kb(calls.body_bytes));
    // The floor is what a user writes by hand on ureq's defaults; ureq configured like
    // the crate is shown beside it to locate the cost, never judged.
    table.row(
        name.clone(),
        format!(
            "{:.1} µs vs plain ureq, defaults {:.1} µs = {:.3}×",
            calls.sdk_micros, calls.by_hand_micros, calls.by_hand_ratio
        ),
        format!("≤ {CALL_MAX_RATIO:.2}× plain ureq"),
        Some(calls.by_hand_ratio <= CALL_MAX_RATIO),
    );
    table.row(
        name,
        format!(
            "{:.1} µs vs ureq configured like the crate {:.1} µs = {:.3}×",
            calls.sdk_micros, calls.like_crate_micros, calls.like_crate_ratio
        ),
        "— (locates the cost, not judged)".to_owned(),
        None,
    );
    table.row(
        "call: cost of the timeout settings".to_owned(),
        format!(
            "{:+.1} µs per request (ureq configured like the crate − plain ureq)",
            calls.timeout_cost_micros
        ),
        "—".to_owned(),
        None,
    );
    table.headline.push(format!(
        "call: the crate takes {:.2}× plain ureq on its defaults (target ≤ {CALL_MAX_RATIO:.2}×); \
         the cost is its timeouts: with a resolve timeout ureq looks the host up in a new thread \
         on every request, {:+.0} µs per request here; against ureq configured with the same \
         timeouts the crate takes {:.2}×",
        calls.by_hand_ratio, calls.timeout_cost_micros, calls.like_crate_ratio
    ));
    table.notes.push(format!(
        "call: the server accepted {} connection(s), one each for the client, ureq configured \
         like the crate and plain ureq",
        calls.connections
    ));
}

fn report_decode(table: &mut Table, decode: &DecodeFigures) {
    table.row(
        format!("decode: {LARGE_PAGE} members ({})", kb(decode.body_bytes)),
        format!(
            "{:.0} MB/s vs Value {:.0} MB/s = {:.2}×",
            decode.typed_mbps, decode.value_mbps, decode.ratio
        ),
        format!("≥ {DECODE_MIN_RATIO:.2}× Value"),
        Some(decode.ratio >= DECODE_MIN_RATIO),
    );
}

fn report_render(table: &mut Table, render: &RenderFigures) {
    table.row(
        format!("render: every filter ({} pairs)", render.pairs),
        format!(
            "{:.2} µs (build {:.2} + render {:.2})",
            render.micros,
            render.micros - render.render_only_micros,
            render.render_only_micros
        ),
        format!("< {RENDER_MAX_MICROS:.0} µs"),
        Some(render.micros < RENDER_MAX_MICROS),
    );
    let allocations = render.build_allocations + render.render_allocations;
    table.row(
        "render: heap allocations".to_owned(),
        format!(
            "{allocations} (build {} + render {})",
            render.build_allocations, render.render_allocations
        ),
        format!("≤ {} pairs + {RENDER_EXTRA_ALLOCATIONS}", render.pairs),
        Some(allocations <= render.pairs + RENDER_EXTRA_ALLOCATIONS),
    );
}

fn report_connections(table: &mut Table, connections: usize) {
    table.row(
        format!("connections: {} calls", thousands(CONNECTION_CALLS as u64)),
        format!("{connections} accepted"),
        "exactly 1".to_owned(),
        Some(connections == 1),
    );
    if connections != 1 {
        table.failures.push(format!(
            "{} sequential calls through one client opened {connections} TCP connections; \
             keep-alive must reuse exactly one",
            thousands(CONNECTION_CALLS as u64)
        ));
    }
}

/// The benchmarks, in the order they run. Pagination goes first: its memory figures are
/// cleanest before other runs have grown the heap.
const BENCHMARKS: [&str; 5] = ["pagination", "call", "decode", "render", "connections"];

fn main() -> Result<(), BoxError> {
    // No names runs everything; `-- render call` runs only the benchmarks named. (`cargo
    // bench` adds `--bench`.)
    let selected: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| arg != "--bench")
        .collect();
    if let Some(unknown) = selected
        .iter()
        .find(|name| !BENCHMARKS.contains(&name.as_str()))
    {
        return Err(format!(
            "unknown benchmark `{unknown}`; choose from {}",
            BENCHMARKS.join(", ")
        )
        .into());
    }
    let chosen: Vec<&str> = BENCHMARKS
        .into_iter()
        .filter(|name| selected.is_empty() || selected.iter().any(|s| s == name))
        .collect();
    if cfg!(debug_assertions) {
        eprintln!("warning: built without --release; run `cargo bench --bench client`");
    }
    let cores = thread::available_parallelism().map_or(1, usize::from);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().next().unwrap_or("n/a").to_owned();
    eprintln!("running on {cores} cores: {}…", chosen.join(", "));
    let started = Instant::now();

    let mut table = Table::default();
    for name in &chosen {
        match *name {
            "pagination" => report_pagination(&mut table, &bench_pagination()?),
            "call" => report_calls(&mut table, &bench_calls()?),
            "decode" => report_decode(&mut table, &bench_decode()?),
            "render" => report_render(&mut table, &bench_render()?),
            _ => report_connections(&mut table, bench_connections()?),
        }
    }
    table.notes.push(format!(
        "total run {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    table.print(&format!(
        "clerk-memberships {} benchmarks: {} build, {cores} cores, load average {load} \
         at the start; medians of interleaved rounds",
        env!("CARGO_PKG_VERSION"),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    ));

    if !table.failures.is_empty() {
        return Err(table.failures.join("; ").into());
    }
    Ok(())
}
