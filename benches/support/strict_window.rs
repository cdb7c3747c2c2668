//! What the shared-budget benchmark and test both stand on: a loopback server that enforces a
//! rate limit as strictly as it can be, a `redis-server` of their own, and the figures of what
//! the server saw.
//!
//! The server admits at most [`LIMIT`] requests in any [`WINDOW`] (a strict sliding window
//! across all connections; 429 with `Retry-After: 1` beyond it), answers each request a
//! latency after it arrived, and records when each arrived.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

#[allow(
    dead_code,
    reason = "the scaffold's request line and counters are not read here"
)]
#[path = "loopback.rs"]
mod loopback;
use loopback::{Server, write_head};

/// The server's limit: requests admitted in any window of [`WINDOW`].
pub const LIMIT: usize = 100;
pub const WINDOW: Duration = Duration::from_secs(1);

/// What the server saw.
#[derive(Default)]
pub struct Seen {
    /// When each request arrived (admitted or not), in order.
    pub arrivals: Vec<Instant>,
    /// Arrivals of the admitted requests still inside the window.
    window: VecDeque<Instant>,
    /// The requests answered 429.
    pub throttled: usize,
}

impl Seen {
    /// Records a request that arrived at `arrived`, and whether the window admits it.
    fn admit(&mut self, arrived: Instant) -> bool {
        self.arrivals.push(arrived);
        while self
            .window
            .front()
            .is_some_and(|&at| at + WINDOW <= arrived)
        {
            self.window.pop_front();
        }
        if self.window.len() < LIMIT {
            self.window.push_back(arrived);
            true
        } else {
            self.throttled += 1;
            false
        }
    }
}

/// The loopback server: an empty page of memberships for each request it admits.
pub struct StrictServer {
    server: Server,
    seen: Arc<Mutex<Seen>>,
}

impl StrictServer {
    /// Listens on a free loopback port, answering each request `latency` after it arrived.
    pub fn start(latency: Duration) -> std::io::Result<StrictServer> {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let server = Server::start(usize::MAX, {
            let seen = Arc::clone(&seen);
            move |_request, out| {
                let arrived = Instant::now();
                let admitted = seen
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .admit(arrived);
                thread::sleep((arrived + latency).saturating_duration_since(Instant::now()));
                let (status, headers, body) = if admitted {
                    ("200 OK", "", r#"{"data":[],"total_count":0}"#)
                } else {
                    (
                        "429 Too Many Requests",
                        "retry-after: 1\r\n",
                        r#"{"errors":[{"code":"too_many_requests","message":"Too many requests","long_message":"Too many requests","meta":{}}]}"#,
                    )
                };
                let headers = format!("content-type: application/json\r\n{headers}");
                write_head(out, status, &headers, body.len());
                out.extend_from_slice(body.as_bytes());
            }
        })?;
        Ok(StrictServer { server, seen })
    }

    /// `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// Stops the server and returns what it saw.
    pub fn stop(self) -> Seen {
        drop(self.server);
        std::mem::take(&mut *self.seen.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// The most arrivals in any window of [`WINDOW`]: the window that starts at each arrival.
pub fn most_in_any_window(arrivals: &[Instant]) -> usize {
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
pub fn steady_rate(arrivals: &[Instant]) -> f64 {
    let (Some(&first), Some(&last)) = (arrivals.first(), arrivals.last()) else {
        return 0.0;
    };
    let from = first + Duration::from_secs(2);
    let counted = arrivals.iter().filter(|&&at| at >= from).count();
    counted as f64 / last.saturating_duration_since(from).as_secs_f64()
}

/// A `redis-server` on a free loopback port, without persistence, killed when dropped.
pub struct RedisServer {
    port: u16,
    child: Child,
}

impl RedisServer {
    /// Starts one and waits until it answers; the error says why it could not be started.
    ///
    /// # Panics
    ///
    /// If it started but did not answer within 10 s.
    pub fn start() -> Result<RedisServer, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|err| format!("no free loopback port: {err}"))?
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stdin(Stdio::null())
            .spawn()
            .map_err(|err| format!("redis-server on the PATH ({err})"))?;
        let server = RedisServer { port, child };
        let started = Instant::now();
        while !server.answers_ping() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not answer on port {port}"
            );
            thread::sleep(Duration::from_millis(20));
        }
        Ok(server)
    }

    /// `redis://127.0.0.1:PORT/0`.
    pub fn url(&self) -> String {
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
