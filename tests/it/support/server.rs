//! A loopback HTTP/1.1 server for tests that go through the real transport.
//!
//! It listens on `127.0.0.1` (port 0 unless told otherwise), counts every connection it accepts
//! and every request it receives in full, and answers each request as scripted: a normal
//! answer, a truncated one, a hang-up (clean close or reset), or silence. Each connection is
//! served by its own thread, so a stalled connection never holds up the next one.
//!
//! Every loop is bounded in count and in time: at most [`MAX_CONNECTIONS`] connections and
//! [`MAX_REQUESTS_PER_CONNECTION`] requests per connection, nothing kept past the server's
//! lifetime ([`LIFETIME`]), and dropping the [`Server`] stops and joins all
//! its threads within a few milliseconds.
//!
//! ```ignore
//! let server = Server::start([
//!     Action::Hangup(End::Reset),
//!     Action::Respond(Response::json(200, PAGE)),
//! ]);
//! // … point a client at server.base_url() …
//! assert_eq!(server.request_count(), 2);
//! assert_eq!(server.connection_count(), 2);
//! ```
//!
//! Requests must carry their body with `Content-Length` (chunked request bodies are not read).
//!
//! A reset is made without `unsafe` or socket options: the server leaves the last byte of the
//! request unread, and a socket closed with unread data is reset (RST) rather than closed (FIN).

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The most connections a server accepts; later ones wait in the backlog until it stops.
pub const MAX_CONNECTIONS: usize = 64;
/// The most requests served on one connection; the connection is closed after the last.
pub const MAX_REQUESTS_PER_CONNECTION: usize = 64;
/// The largest request (head and body) the server reads; a larger one ends the connection.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;
/// How long a server runs; after it, every thread ends by itself.
pub const LIFETIME: Duration = Duration::from_secs(20);
/// How often blocked threads look at the stop flag and the lifetime.
const TICK: Duration = Duration::from_millis(5);
/// How often the accept loop looks for a new connection.
const ACCEPT_TICK: Duration = Duration::from_millis(1);
/// How long one write may block before the server gives up on the connection.
const WRITE_TIMEOUT: Duration = Duration::from_secs(2);

/// How a connection ends after a fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// A clean close: the client reads an end of stream (FIN).
    Close,
    /// An abort: the client's next read fails with "connection reset" (RST).
    Reset,
}

/// What the server does with one request it has received in full.
#[derive(Debug, Clone)]
pub enum Action {
    /// Answers in full. The connection stays open for the next request unless the response
    /// [closes](Response::closing) it.
    Respond(Response),
    /// Sends the head of `response` (its `Content-Length` still that of the whole body) and
    /// only the first `sent` bytes of its body, then ends the connection.
    Truncate {
        /// The answer to cut short.
        response: Response,
        /// How many body bytes go out.
        sent: usize,
        /// How the connection ends.
        end: End,
    },
    /// Sends no answer at all and ends the connection.
    Hangup(End),
    /// Sends nothing and keeps the connection open until the client closes it (or the server
    /// stops): the way to make a client's timeout fire.
    Stall,
    /// Writes these bytes as they are, then ends the connection.
    Raw(Vec<u8>, End),
}

/// What the server does with a connection as soon as it accepts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConnect {
    /// Reads requests and answers them as the request script says.
    Serve,
    /// Closes the connection at once without reading. The client sees an end of stream, or a
    /// reset if its request had already arrived.
    Drop,
}

/// A scripted answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    close: bool,
}

impl Response {
    /// An answer with a status, a body and no headers but `Content-Length`.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: body.into(),
            close: false,
        }
    }

    /// An answer with a JSON body.
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Response::new(status, body).header("Content-Type", "application/json")
    }

    /// An answer with an HTML body, as a proxy or load balancer sends it.
    pub fn html(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Response::new(status, body).header("Content-Type", "text/html; charset=utf-8")
    }

    /// Adds a header. A `Content-Length` set here replaces the computed one, so a test can
    /// announce a length the body does not have.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends `Connection: close` and closes the connection after the answer.
    pub fn closing(mut self) -> Self {
        self.close = true;
        self
    }

    /// The status line and headers, ending with the blank line.
    fn head(&self) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !self
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        {
            head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        if self.close {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        head.into_bytes()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// A request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Which connection carried it: 0 for the first one accepted, and so on.
    pub connection: usize,
    /// The method, e.g. `POST`.
    pub method: String,
    /// The request target: path and query, e.g. `/v1/organizations/org_1/memberships?limit=10`.
    pub target: String,
    /// The protocol version, e.g. `HTTP/1.1`.
    pub version: String,
    /// The headers, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Request {
    /// The value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The request line as sent, e.g. `GET /v1/organizations/org_1/memberships HTTP/1.1`.
    pub fn request_line(&self) -> String {
        format!("{} {} {}", self.method, self.target, self.version)
    }
}

/// A port of `127.0.0.1` on which nothing listens: bound, then released.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener
        .local_addr()
        .expect("read the bound address")
        .port()
}

type Handler = Box<dyn Fn(&Request) -> Action + Send + Sync>;

/// Configures a [`Server`].
pub struct ServerBuilder {
    addr: SocketAddr,
    connections: Vec<OnConnect>,
    requests: Vec<Action>,
    handler: Option<Handler>,
}

impl ServerBuilder {
    /// Listens on this port of `127.0.0.1` instead of a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.addr = SocketAddr::from(([127, 0, 0, 1], port));
        self
    }

    /// What to do with each accepted connection, in order; connections past the end of the
    /// list are served.
    pub fn connections(mut self, plan: impl IntoIterator<Item = OnConnect>) -> Self {
        self.connections.extend(plan);
        self
    }

    /// The answer to each request received, in order, whatever connection it came on.
    pub fn requests(mut self, script: impl IntoIterator<Item = Action>) -> Self {
        self.requests.extend(script);
        self
    }

    /// Decides the answer for requests past the end of the request script. Without one, such
    /// requests get a 500 saying that nothing was scripted.
    pub fn handler(mut self, handler: impl Fn(&Request) -> Action + Send + Sync + 'static) -> Self {
        self.handler = Some(Box::new(handler));
        self
    }

    /// Binds and starts serving in a background thread.
    ///
    /// # Panics
    ///
    /// When the address cannot be bound.
    pub fn start(self) -> Server {
        let listener = TcpListener::bind(self.addr).expect("bind the loopback test server");
        let addr = listener.local_addr().expect("read the bound address");
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            deadline: Instant::now() + LIFETIME,
            accepted: AtomicUsize::new(0),
            connection_plan: Mutex::new(self.connections.into()),
            script: Mutex::new(self.requests.into()),
            handler: self.handler,
            requests: Mutex::new(Vec::new()),
        });
        let accept_shared = Arc::clone(&shared);
        let thread = thread::Builder::new()
            .name(format!("loopback-server-{}", addr.port()))
            .spawn(move || accept_loop(listener, accept_shared))
            .expect("spawn the server thread");
        Server {
            addr,
            shared,
            thread: Some(thread),
        }
    }
}

/// A running loopback server; it stops when dropped.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Configures a server.
    pub fn builder() -> ServerBuilder {
        ServerBuilder {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            connections: Vec::new(),
            requests: Vec::new(),
            handler: None,
        }
    }

    /// A server on a free port that answers requests as `script` says, in order.
    pub fn start(script: impl IntoIterator<Item = Action>) -> Server {
        Server::builder().requests(script).start()
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:<port>/v1`, a base URL for the client.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// How many connections it has accepted.
    pub fn connection_count(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// Every request received in full, in order of arrival.
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.shared.requests).clone()
    }

    /// How many requests it has received in full.
    pub fn request_count(&self) -> usize {
        lock(&self.shared.requests).len()
    }

    /// For each request received, the connection that carried it.
    pub fn request_connections(&self) -> Vec<usize> {
        lock(&self.shared.requests)
            .iter()
            .map(|r| r.connection)
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            // A panic in a server thread has already been reported; don't panic in drop.
            let _ = thread.join();
        }
    }
}

struct Shared {
    stop: AtomicBool,
    deadline: Instant,
    accepted: AtomicUsize,
    connection_plan: Mutex<VecDeque<OnConnect>>,
    script: Mutex<VecDeque<Action>>,
    handler: Option<Handler>,
    requests: Mutex<Vec<Request>>,
}

impl Shared {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || Instant::now() >= self.deadline
    }

    /// Records the request and picks its answer. Recording comes first, so by the time the
    /// client sees any outcome the request is counted.
    fn answer(&self, request: Request) -> Action {
        let scripted = lock(&self.script).pop_front();
        let action = scripted.unwrap_or_else(|| match &self.handler {
            Some(handler) => handler(&request),
            None => Action::Respond(Response::new(500, "no scripted answer left")),
        });
        lock(&self.requests).push(request);
        action
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut workers = Vec::new();
    if listener.set_nonblocking(true).is_ok() {
        while !shared.stopping() && workers.len() < MAX_CONNECTIONS {
            match listener.accept() {
                Ok((stream, _)) => {
                    let index = shared.accepted.fetch_add(1, Ordering::SeqCst);
                    let plan = lock(&shared.connection_plan)
                        .pop_front()
                        .unwrap_or(OnConnect::Serve);
                    let worker_shared = Arc::clone(&shared);
                    let worker = thread::Builder::new()
                        .name(format!("loopback-connection-{index}"))
                        .spawn(move || serve(stream, index, plan, &worker_shared));
                    match worker {
                        Ok(worker) => workers.push(worker),
                        Err(_) => break,
                    }
                }
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => thread::sleep(ACCEPT_TICK),
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => thread::sleep(TICK),
            }
        }
    }
    // Later connects are refused from here on.
    drop(listener);
    for worker in workers {
        let _ = worker.join();
    }
}

fn serve(stream: TcpStream, connection: usize, plan: OnConnect, shared: &Shared) {
    if plan == OnConnect::Drop {
        return;
    }
    let setup = stream
        .set_nonblocking(false)
        .and_then(|()| stream.set_read_timeout(Some(TICK)))
        .and_then(|()| stream.set_write_timeout(Some(WRITE_TIMEOUT)))
        .and_then(|()| stream.set_nodelay(true));
    if setup.is_err() {
        return;
    }
    let mut stream = stream;
    for _ in 0..MAX_REQUESTS_PER_CONNECTION {
        let Some(request) = receive(&mut stream, connection, shared) else {
            return;
        };
        match shared.answer(request) {
            Action::Respond(response) => {
                if consume_last_byte(&mut stream).is_err()
                    || write_all(&mut stream, &response.head()).is_err()
                    || write_all(&mut stream, &response.body).is_err()
                    || response.close
                {
                    return;
                }
            }
            Action::Truncate {
                response,
                sent,
                end,
            } => {
                let body = &response.body[..sent.min(response.body.len())];
                let mut bytes = response.head();
                bytes.extend_from_slice(body);
                finish(stream, &bytes, end);
                return;
            }
            Action::Hangup(end) => {
                finish(stream, &[], end);
                return;
            }
            Action::Raw(bytes, end) => {
                finish(stream, &bytes, end);
                return;
            }
            Action::Stall => {
                if consume_last_byte(&mut stream).is_ok() {
                    wait_for_close(&mut stream, shared);
                }
                return;
            }
        }
    }
}

/// Writes `bytes` and ends the connection as `end` says. A reset keeps the request's last
/// byte unread, so that closing the socket sends RST.
fn finish(mut stream: TcpStream, bytes: &[u8], end: End) {
    if end == End::Close && consume_last_byte(&mut stream).is_err() {
        return;
    }
    let _ = write_all(&mut stream, bytes);
    drop(stream);
}

fn write_all(stream: &mut TcpStream, bytes: &[u8]) -> io::Result<()> {
    stream.write_all(bytes)?;
    stream.flush()
}

fn consume_last_byte(stream: &mut TcpStream) -> io::Result<()> {
    let mut byte = [0];
    let deadline = Instant::now() + WRITE_TIMEOUT;
    while Instant::now() < deadline {
        match stream.read(&mut byte) {
            Ok(1) => return Ok(()),
            Ok(_) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Err(err) if waiting(&err) => {}
            Err(err) => return Err(err),
        }
    }
    Err(io::ErrorKind::TimedOut.into())
}

/// Blocks until the client closes the connection, or the server stops.
fn wait_for_close(stream: &mut TcpStream, shared: &Shared) {
    let mut buf = [0; 1024];
    while !shared.stopping() {
        match stream.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(err) if waiting(&err) => {}
            Err(_) => return,
        }
    }
}

fn waiting(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

/// Reads one whole request, leaving only its last byte in the socket (already seen with
/// `peek`), so that the answer can still choose between a clean close and a reset. `None` when
/// the client closed, the request is malformed or too large, or the server stops.
fn receive(stream: &mut TcpStream, connection: usize, shared: &Shared) -> Option<Request> {
    let mut got: Vec<u8> = Vec::new();
    let mut buf = vec![0; MAX_REQUEST_BYTES];
    while !shared.stopping() {
        let room = MAX_REQUEST_BYTES - got.len();
        let n = match stream.peek(&mut buf[..room]) {
            Ok(0) => return None,
            Ok(n) => n,
            Err(err) if waiting(&err) => continue,
            Err(_) => return None,
        };
        let mut seen = got.clone();
        seen.extend_from_slice(&buf[..n]);
        match parse(&seen, connection) {
            Parsed::Complete(request, length) => {
                // `got` alone was incomplete, so at least one byte of this request is new.
                let rest = length - got.len() - 1;
                stream.read_exact(&mut buf[..rest]).ok()?;
                return Some(request);
            }
            Parsed::Incomplete if seen.len() < MAX_REQUEST_BYTES => {
                stream.read_exact(&mut buf[..n]).ok()?;
                got = seen;
            }
            Parsed::Incomplete | Parsed::Invalid => return None,
        }
    }
    None
}

enum Parsed {
    Complete(Request, usize),
    Incomplete,
    Invalid,
}

fn parse(bytes: &[u8], connection: usize) -> Parsed {
    let Some(head_len) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Parsed::Incomplete;
    };
    let Ok(head) = std::str::from_utf8(&bytes[..head_len]) else {
        return Parsed::Invalid;
    };
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let (Some(method), Some(target), Some(version), None) = (
        request_line.next(),
        request_line.next(),
        request_line.next(),
        request_line.next(),
    ) else {
        return Parsed::Invalid;
    };
    let mut headers = Vec::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Parsed::Invalid;
        };
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let mut request = Request {
        connection,
        method: method.to_owned(),
        target: target.to_owned(),
        version: version.to_owned(),
        headers,
        body: Vec::new(),
    };
    if request.header("transfer-encoding").is_some() {
        return Parsed::Invalid;
    }
    let body_len = match request.header("content-length").map(str::parse::<usize>) {
        None => 0,
        Some(Ok(len)) => len,
        Some(Err(_)) => return Parsed::Invalid,
    };
    let length = head_len + 4 + body_len;
    if bytes.len() < length {
        return Parsed::Incomplete;
    }
    request.body = bytes[head_len + 4..length].to_vec();
    Parsed::Complete(request, length)
}

/// A bare TCP listener on `127.0.0.1` that speaks no HTTP: for each of up to `connections`
/// connections it reads whatever the client sends first (a TLS client hello, say), writes
/// `reply` and closes. The way to stand in for a server that does not speak TLS.
pub struct RawServer {
    port: u16,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl RawServer {
    /// Listens on a free port and serves `connections` connections, then stops.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound.
    pub fn start(reply: &'static [u8], connections: usize) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener
            .local_addr()
            .expect("read the bound address")
            .port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&accepted);
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let deadline = Instant::now() + LIFETIME;
        let thread = thread::spawn(move || {
            if listener.set_nonblocking(true).is_err() {
                return;
            }
            while count.load(Ordering::SeqCst) < connections
                && Instant::now() < deadline
                && !stopping.load(Ordering::SeqCst)
            {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        count.fetch_add(1, Ordering::SeqCst);
                        let _ = stream.set_nonblocking(false);
                        let _ = stream.set_read_timeout(Some(WRITE_TIMEOUT));
                        let mut first = [0; 4096];
                        let _ = stream.read(&mut first);
                        let _ = write_all(&mut stream, reply);
                    }
                    Err(_) => thread::sleep(ACCEPT_TICK),
                }
            }
        });
        RawServer {
            port,
            accepted,
            stop,
            thread: Some(thread),
        }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// How many connections it has accepted.
    pub fn connection_count(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
