//! The fake over HTTP: a loopback HTTP/1.1 server whose every request goes through the same
//! `Transport for FakeClerk` the in-process fake answers with.
//!
//! One accept thread, one thread per connection (bounded), `httparse` for the request head,
//! `Content-Length` for the body. Every thread is joined on shutdown: the accept loop polls a
//! stop flag, and open connections are shut down from outside, which wakes a blocked read.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{
    IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs,
};
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::call::{Method, Operation};
use crate::client::{Client, ClientBuilder};
use crate::clock::SystemClock;
use crate::transport::{HttpRequest, HttpResponse};

use super::clerk::FakeClerk;
use super::http;
use super::response;

/// How often the accept loop looks at the stop flag while no one connects.
const ACCEPT_POLL: Duration = Duration::from_millis(5);
/// The most headers a request may have.
const MAX_HEADERS: usize = 64;
/// The path the API is served under, as Clerk's is: the base URL's path.
const BASE_PATH: &str = "/v1";

/// The request headers a served fake records, as the crate's client renders them. Hop-by-hop
/// and framing headers (`host`, `content-length`, `connection`, …) are not recorded, so a
/// request recorded over HTTP reads like one recorded in-process.
const RECORDED_HEADERS: [&str; 6] = [
    "accept",
    "authorization",
    "clerk-api-version",
    "content-type",
    "idempotency-key",
    "user-agent",
];

/// How a [`FakeServer`] serves: limits and the address policy.
///
/// ```no_run
/// use clerk_memberships::testing::{FakeClerk, ServeOptions};
///
/// let fake = FakeClerk::new(); // its manual clock, its seeded data
/// let server = ServeOptions::new()
///     .max_connections(8)
///     .max_request_bytes(64 * 1024)
///     .serve(&fake, "127.0.0.1:0")?;
/// println!("{}", server.base_url());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeOptions {
    max_connections: usize,
    max_request_bytes: usize,
    idle_timeout: Duration,
    any_address: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl ServeOptions {
    /// The defaults: 64 connections, 1 MiB per request, 60 s idle keep-alive, loopback only.
    pub fn new() -> Self {
        ServeOptions {
            max_connections: 64,
            max_request_bytes: 1024 * 1024,
            idle_timeout: Duration::from_secs(60),
            any_address: false,
        }
    }

    /// The most connections open at once. One more is answered `503` with Clerk's error JSON
    /// and `Retry-After: 1`, then closed, without being read.
    ///
    /// Defaults to 64. `0` counts as 1.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// The largest request, head and body together, in bytes. A larger body is answered
    /// `413` (a larger head `431`), with Clerk's error JSON, and the connection is closed.
    ///
    /// Defaults to 1 MiB.
    pub fn max_request_bytes(mut self, bytes: usize) -> Self {
        self.max_request_bytes = bytes;
        self
    }

    /// How long a keep-alive connection may stay silent before the server closes it.
    ///
    /// Defaults to 60 seconds; zero counts as one millisecond. Shutting the server down
    /// closes idle connections at once whatever this is.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Allows binding to an address that is not loopback (`0.0.0.0`, a LAN address).
    ///
    /// Defaults to `false`: the fake accepts any `sk_` key and has no TLS, so it is for this
    /// machine only unless you say otherwise.
    pub fn any_address(mut self, allow: bool) -> Self {
        self.any_address = allow;
        self
    }

    /// Serves `fake` (its state, its clock) on `addr`, e.g. `"127.0.0.1:0"` for a free port.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::InvalidInput`] when `addr` resolves to no address, or to one that
    /// is not loopback without [`any_address`](Self::any_address); the error of binding
    /// otherwise.
    pub fn serve(&self, fake: &FakeClerk, addr: impl ToSocketAddrs) -> io::Result<FakeServer> {
        let addrs: Vec<SocketAddr> = addr.to_socket_addrs()?.collect();
        if addrs.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the address resolves to nothing",
            ));
        }
        if !self.any_address
            && let Some(outside) = addrs.iter().find(|addr| !addr.ip().is_loopback())
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{outside} is not a loopback address; use ServeOptions::any_address(true) to serve beyond this machine"
                ),
            ));
        }
        let listener = TcpListener::bind(&addrs[..])?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let connections = Arc::new(Mutex::new(Connections::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let context = Arc::new(Context {
                fake: fake.clone(),
                options: self.clone(),
                stop: Arc::clone(&stop),
                connections: Arc::clone(&connections),
                addr,
            });
            thread::Builder::new()
                .name("fake-clerk-accept".into())
                .spawn(move || accept_loop(&listener, &context))?
        };
        let host = match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let base_url = format!("http://{}{BASE_PATH}", SocketAddr::new(host, addr.port()));
        Ok(FakeServer {
            fake: fake.clone(),
            addr,
            base_url,
            stop,
            connections,
            accept: Some(accept),
        })
    }
}

impl FakeClerk {
    /// Starts an empty fake on the system clock, served over HTTP on `addr` with the default
    /// [`ServeOptions`]; `"127.0.0.1:0"` picks a free port. Seed and inspect it through the
    /// returned handle, which derefs to the [`FakeClerk`]; dropping the handle stops it.
    ///
    /// To serve a fake you built (with a [`ManualClock`](crate::testing::ManualClock), say),
    /// or with other limits, use [`ServeOptions::serve`].
    ///
    /// ```
    /// use clerk_memberships::ListMemberships;
    /// use clerk_memberships::testing::{FakeClerk, FakeOrganization};
    ///
    /// let server = FakeClerk::serve("127.0.0.1:0")?;
    /// let acme = server.add_organization(FakeOrganization::new("Acme"));
    /// assert!(server.base_url().starts_with("http://127.0.0.1:"));
    ///
    /// let client = server.client(); // real HTTP to the server
    /// let page = ListMemberships::builder().organization_id(&acme).build()?.send(&client)?;
    /// assert_eq!(page.total_count, 0);
    /// assert_eq!(server.requests().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`ServeOptions::serve`]: a non-loopback address is refused.
    pub fn serve(addr: impl ToSocketAddrs) -> io::Result<FakeServer> {
        ServeOptions::new().serve(&FakeClerk::with_clock(SystemClock), addr)
    }
}

/// A [`FakeClerk`] served over HTTP/1.1, returned by [`FakeClerk::serve`] and
/// [`ServeOptions::serve`].
///
/// It derefs to the fake, so seeding, [`requests`](FakeClerk::requests) and
/// [`inject`](FakeClerk::inject) work on it while it serves. Dropping it, or
/// [`shutdown`](Self::shutdown), stops accepting, closes every open connection and joins
/// every thread.
///
/// Over HTTP, every request goes through the same handling as in-process: routes,
/// validation, error JSON, auth, faults and the record. What differs:
///
/// - Only paths under the base URL's `/v1` are routes, as at Clerk: `/v1/users` is served,
///   `/users`, `/api/v1/users` and `/v1/v1/users` are `404 resource_not_found` (after the
///   auth check, and recorded, as any request that matches no route). In-process, the fake
///   cannot know the client's base URL and accepts any prefix.
/// - A request is recorded with `http://HOST/…` as its URL and only the headers the client
///   sets (`accept`, `authorization`, `clerk-api-version`, `content-type`,
///   `idempotency-key`, `user-agent`).
/// - Methods other than `GET`, `POST`, `PATCH` and `DELETE` get `404 resource_not_found`
///   and are not recorded.
/// - A body needs `Content-Length` (a chunked one is refused with `411`);
///   `Expect: 100-continue` is answered at once.
/// - [`Fault::ConnectFailed`](super::Fault::ConnectFailed),
///   [`TimedOut`](super::Fault::TimedOut) and
///   [`ConnectionReset`](super::Fault::ConnectionReset) close the connection without an
///   answer (the last two after processing the request, as in-process). A client over HTTP
///   sees the connection drop in all three cases: it cannot tell them apart, nor know that a
///   `ConnectFailed` request was not processed.
///
/// One route is the fake's own, not Clerk's: `POST /v1/__fake/invitations/accept` with the
/// body `{"email_address":"…"}` does what [`FakeClerk::accept_invitation`] does (the invitee
/// clicks the join link), so that a program talking to the served fake (the CLI, a script)
/// can rehearse a whole onboarding. It needs the same `Authorization` as the API, is not
/// recorded among the [`requests`](FakeClerk::requests) and no fault applies to it; it
/// answers `200` with the new membership, `404 resource_not_found` when no invitation to the
/// address is pending, and `400 request_body_invalid` for a body without a string
/// `email_address`.
pub struct FakeServer {
    fake: FakeClerk,
    addr: SocketAddr,
    base_url: String,
    stop: Arc<AtomicBool>,
    connections: Arc<Mutex<Connections>>,
    accept: Option<JoinHandle<()>>,
}

impl fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeServer")
            .field("addr", &self.addr)
            .field("base_url", &self.base_url)
            .field("fake", &self.fake)
            .finish_non_exhaustive()
    }
}

impl Deref for FakeServer {
    type Target = FakeClerk;

    fn deref(&self) -> &FakeClerk {
        &self.fake
    }
}

impl FakeServer {
    /// The address the server listens on (with the port picked when `0` was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give a client: `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The served fake (also reachable through `Deref`).
    pub fn fake(&self) -> &FakeClerk {
        &self.fake
    }

    /// How many connections are open right now.
    pub fn open_connections(&self) -> usize {
        crate::lock::lock(&self.connections).open.len()
    }

    /// A client that talks to the server over real HTTP: key
    /// [`FakeClerk::SECRET_KEY`], [`base_url`](Self::base_url), the default transport and
    /// retry policy, and the fake's clock (so retry waits follow a manual clock).
    pub fn client(&self) -> Client {
        match self.client_builder().build() {
            Ok(client) => client,
            Err(err) => unreachable!("a loopback http base URL is valid: {err}"),
        }
    }

    /// A client builder wired to the server over HTTP, to change something before building.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .secret_key(FakeClerk::SECRET_KEY)
            .base_url(self.base_url.clone())
            .allow_insecure_http(!self.addr.ip().is_loopback())
            .clock(Arc::clone(&self.fake.inner.clock))
    }

    /// Stops the server: no new connections, open ones closed, every thread joined. The
    /// fake itself lives on in its other clones.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept.take() {
            // The accept loop sees the flag within one poll and returns; a panic in it has
            // nothing left to clean up.
            let _ = accept.join();
        }
        let handles = {
            let mut connections = crate::lock::lock(&self.connections);
            for stream in connections.open.values() {
                let _ = stream.shutdown(Shutdown::Both);
            }
            std::mem::take(&mut connections.threads)
        };
        for handle in handles {
            let _ = handle.join();
        }
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// The open connections (a clone of each stream, to shut it down from outside) and the
/// threads serving them.
#[derive(Default)]
struct Connections {
    open: HashMap<u64, TcpStream>,
    threads: Vec<JoinHandle<()>>,
    next_id: u64,
}

struct Context {
    fake: FakeClerk,
    options: ServeOptions,
    stop: Arc<AtomicBool>,
    connections: Arc<Mutex<Connections>>,
    addr: SocketAddr,
}

fn accept_loop(listener: &TcpListener, context: &Arc<Context>) {
    while !context.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => admit(stream, context),
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => thread::sleep(ACCEPT_POLL),
            // A connection that failed before it was accepted (reset, out of descriptors
            // for a moment): try again shortly.
            Err(_) => thread::sleep(ACCEPT_POLL),
        }
    }
}

/// Starts a thread for a new connection, or answers `503` and closes it when the bound is
/// reached.
fn admit(stream: TcpStream, context: &Arc<Context>) {
    let mut connections = crate::lock::lock(&context.connections);
    connections.threads.retain(|handle| !handle.is_finished());
    let registered = stream
        .set_nonblocking(false)
        .and_then(|()| stream.try_clone());
    let clone = match registered {
        Ok(clone) => clone,
        Err(_) => return,
    };
    if connections.open.len() >= context.options.max_connections {
        drop(connections);
        let trace_id = context.fake.lock().trace_id();
        let refusal = response::clerk_errors(
            503,
            vec![response::plain_error(
                "too_many_connections",
                "Too many connections",
                format!(
                    "The fake serves at most {} connections at once; retry when one closes.",
                    context.options.max_connections
                ),
            )],
            trace_id,
        )
        .with_header("retry-after", "1");
        let mut stream = stream;
        let _ = write_response(&mut stream, &refusal, false);
        let _ = stream.shutdown(Shutdown::Write);
        return;
    }
    connections.next_id += 1;
    let id = connections.next_id;
    connections.open.insert(id, clone);
    let context = Arc::clone(context);
    let spawned = thread::Builder::new()
        .name("fake-clerk-connection".into())
        .spawn(move || {
            serve_connection(stream, &context);
            crate::lock::lock(&context.connections).open.remove(&id);
        });
    match spawned {
        Ok(handle) => connections.threads.push(handle),
        Err(_) => {
            connections.open.remove(&id);
        }
    }
}

/// What reading one request gave.
enum Read1 {
    Request(Box<Incoming>),
    /// The peer closed the connection (or it idled out, or the server is stopping).
    Closed,
    /// A request the server refuses before looking at it; the connection closes after.
    Refuse(Refusal),
}

struct Incoming {
    method: Option<Method>,
    path: String,
    host: Option<String>,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    keep_alive: bool,
}

fn serve_connection(stream: TcpStream, context: &Context) {
    // A client that stops reading cannot hold a thread longer than a silent one.
    let idle = Some(context.options.idle_timeout);
    if stream.set_read_timeout(idle).is_err() || stream.set_write_timeout(idle).is_err() {
        return;
    }
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while !context.stop.load(Ordering::SeqCst) {
        let incoming = match read_request(&mut reader, context.options.max_request_bytes) {
            Read1::Request(incoming) => incoming,
            Read1::Closed => return,
            Read1::Refuse(refusal) => {
                let refusal = refusal.into_response(&context.fake);
                let _ = write_response(&mut writer, &refusal, false);
                let _ = writer.shutdown(Shutdown::Write);
                return;
            }
        };
        let keep_alive = incoming.keep_alive;
        let Some(answer) = answer(&incoming, context) else {
            // A fault that drops the connection.
            let _ = writer.shutdown(Shutdown::Both);
            return;
        };
        if write_response(&mut writer, &answer, keep_alive).is_err() || !keep_alive {
            let _ = writer.shutdown(Shutdown::Write);
            return;
        }
    }
}

/// The fake's answer to a request, `None` when a fault drops the connection.
fn answer(incoming: &Incoming, context: &Context) -> Option<HttpResponse> {
    let Some(method) = incoming.method else {
        let trace_id = context.fake.lock().trace_id();
        return Some(response::Failure::no_route().into_response(trace_id));
    };
    if method == Method::Post && incoming.path.split('?').next() == Some(ACCEPT_PATH) {
        return Some(accept_invitation(incoming, context));
    }
    let route = http::route_under(BASE_PATH, method, &incoming.path);
    let operation = match &route {
        Ok(route) => route.operation(),
        Err(_) => fallback_operation(method),
    };
    let host = incoming
        .host
        .clone()
        .unwrap_or_else(|| context.addr.to_string());
    let request = HttpRequest {
        operation,
        method,
        url: format!("http://{host}{}", incoming.path),
        headers: incoming
            .headers
            .iter()
            .map(|(name, value)| (*name, Arc::from(value.as_str())))
            .collect(),
        body: (!incoming.body.is_empty()).then(|| incoming.body.clone()),
        time_left: None,
    };
    context.fake.receive(&request, route).ok()
}

/// The fake's own route: an invitee accepts their invitation.
const ACCEPT_PATH: &str = "/v1/__fake/invitations/accept";

/// `POST /v1/__fake/invitations/accept`: see [`FakeServer`].
fn accept_invitation(incoming: &Incoming, context: &Context) -> HttpResponse {
    let authorization = incoming
        .headers
        .iter()
        .find(|(name, _)| *name == "authorization")
        .map(|(_, value)| value.as_str());
    let mut check = HttpRequest {
        operation: Operation::CreateInvitation,
        method: Method::Post,
        url: String::new(),
        headers: Vec::new(),
        body: None,
        time_left: None,
    };
    if let Some(value) = authorization {
        check.headers.push(("authorization", Arc::from(value)));
    }
    let required = context.fake.lock().required_key().map(str::to_owned);
    let outcome = http::check_auth(&check, required.as_deref()).and_then(|()| {
        let body: serde_json::Value = serde_json::from_slice(&incoming.body)
            .map_err(|_| response::Failure::body_invalid())?;
        let email = body
            .get("email_address")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(response::Failure::body_invalid)?;
        let membership = context
            .fake
            .accept_invitation(email)
            .map_err(|_| response::Failure::invitation_not_found())?;
        serde_json::to_vec(&membership).map_err(|_| response::Failure::internal())
    });
    match outcome {
        Ok(body) => response::json_response(200, body),
        Err(failure) => failure.into_response(context.fake.lock().trace_id()),
    }
}

/// The operation a recorded request that matches no route is filed under.
fn fallback_operation(method: Method) -> Operation {
    match method {
        Method::Post => Operation::Create,
        Method::Patch => Operation::Update,
        Method::Delete => Operation::Delete,
        _ => Operation::List,
    }
}

fn read_request(reader: &mut BufReader<TcpStream>, max_bytes: usize) -> Read1 {
    let mut head = Vec::new();
    // Read line by line until the blank line that ends the head.
    loop {
        let before = head.len();
        let limit = (max_bytes + 1).saturating_sub(before) as u64;
        match reader.by_ref().take(limit).read_until(b'\n', &mut head) {
            Ok(0) => return Read1::Closed,
            Ok(_) => {}
            Err(_) => return Read1::Closed,
        }
        if head.len() > max_bytes {
            return Read1::Refuse(too_large(431, "Request head"));
        }
        let line = &head[before..];
        if line == b"\r\n" || line == b"\n" {
            if before == 0 {
                // Tolerate empty lines before a request (RFC 9112 §2.2).
                head.clear();
                continue;
            }
            break;
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(&head) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return Read1::Refuse(bad_request("The request is not valid HTTP/1.1.")),
    }
    let method = match parsed.method {
        Some("GET") => Some(Method::Get),
        Some("POST") => Some(Method::Post),
        Some("PATCH") => Some(Method::Patch),
        Some("DELETE") => Some(Method::Delete),
        _ => None,
    };
    let path = parsed.path.unwrap_or("/").to_owned();
    let http_10 = parsed.version == Some(0);
    let mut keep_alive = !http_10;
    let mut content_length: usize = 0;
    let mut host = None;
    let mut expect_continue = false;
    let mut recorded = Vec::new();
    for header in parsed.headers.iter() {
        let value = String::from_utf8_lossy(header.value).trim().to_owned();
        let name = header.name.to_ascii_lowercase();
        match name.as_str() {
            "content-length" => match value.parse() {
                Ok(length) => content_length = length,
                Err(_) => return Read1::Refuse(bad_request("Content-Length is not a number.")),
            },
            "transfer-encoding" => {
                return Read1::Refuse(length_required());
            }
            "connection" => {
                let value = value.to_ascii_lowercase();
                if value.contains("close") {
                    keep_alive = false;
                } else if value.contains("keep-alive") {
                    keep_alive = true;
                }
            }
            "host" => host = Some(value),
            "expect" => expect_continue = value.eq_ignore_ascii_case("100-continue"),
            _ => {
                if let Some(known) = RECORDED_HEADERS.iter().find(|known| **known == name) {
                    recorded.push((*known, value));
                }
            }
        }
    }
    if content_length > max_bytes.saturating_sub(head.len()) {
        return Read1::Refuse(too_large(413, "Request body"));
    }
    if expect_continue && content_length > 0 {
        // curl and others wait for this (or a second) before sending a large body.
        if reader
            .get_mut()
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .is_err()
        {
            return Read1::Closed;
        }
    }
    let mut body = vec![0; content_length];
    if reader.read_exact(&mut body).is_err() {
        return Read1::Closed;
    }
    Read1::Request(Box::new(Incoming {
        method,
        path,
        host,
        headers: recorded,
        body,
        keep_alive,
    }))
}

/// A request refused before the fake sees it: Clerk's error JSON with this status and code.
struct Refusal {
    status: u16,
    code: &'static str,
    message: &'static str,
    long_message: String,
}

impl Refusal {
    fn into_response(self, fake: &FakeClerk) -> HttpResponse {
        let trace_id = fake.lock().trace_id();
        response::clerk_errors(
            self.status,
            vec![response::plain_error(
                self.code,
                self.message,
                self.long_message,
            )],
            trace_id,
        )
    }
}

fn too_large(status: u16, what: &str) -> Refusal {
    Refusal {
        status,
        code: "request_too_large",
        message: "Request too large",
        long_message: format!("{what} is larger than this server accepts."),
    }
}

fn bad_request(long_message: &str) -> Refusal {
    Refusal {
        status: 400,
        code: "malformed_request",
        message: "Malformed request",
        long_message: long_message.into(),
    }
}

fn length_required() -> Refusal {
    Refusal {
        status: 411,
        code: "length_required",
        message: "Length required",
        long_message:
            "Send the body with a Content-Length header; chunked bodies are not accepted.".into(),
    }
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        411 => "Length Required",
        413 => "Content Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

fn write_response(
    stream: &mut TcpStream,
    answer: &HttpResponse,
    keep_alive: bool,
) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\ncontent-length: {}\r\nconnection: {}\r\n",
        answer.status(),
        reason_phrase(answer.status()),
        answer.body().len(),
        if keep_alive { "keep-alive" } else { "close" },
    );
    for (name, value) in answer.headers() {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(answer.body());
    stream.write_all(&bytes)?;
    stream.flush()
}
