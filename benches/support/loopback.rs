//! The loopback HTTP/1.1 server the benchmarks answer from: keep-alive, a thread per connection,
//! stopped and joined when dropped. What it answers is the benchmark's: a function that gets
//! each complete request and appends the whole response to a buffer (see [`write_head`]).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Largest request head or body read; a longer head gets 431 and the connection is closed.
const MAX_REQUEST: usize = 64 * 1024;
/// How often an idle connection checks whether the server is stopping.
const POLL: Duration = Duration::from_millis(20);

/// A complete request, as the answering function sees it.
pub struct Request<'a> {
    pub method: &'a str,
    /// The path and query, as sent.
    pub target: &'a str,
    #[allow(dead_code, reason = "not every benchmark reads request bodies")]
    pub body: &'a [u8],
}

/// What answers: appends the whole response (head and body) for a request to the buffer. It
/// runs on the connection's thread, so a wait in it delays only that connection.
type Respond = dyn Fn(&Request<'_>, &mut Vec<u8>) + Send + Sync;

/// Appends a response head: the status line, `headers` (each line ending in `\r\n`) and the
/// `content-length`.
pub fn write_head(out: &mut Vec<u8>, status: &str, headers: &str, content_length: usize) {
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(status.as_bytes());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(headers.as_bytes());
    out.extend_from_slice(format!("content-length: {content_length}\r\n\r\n").as_bytes());
}

pub struct Server {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    /// Listens on `127.0.0.1` (a free port) and answers with `respond`. A connection accepted
    /// while `max_connections` are open is closed at once (it still counts as accepted).
    pub fn start(
        max_connections: usize,
        respond: impl Fn(&Request<'_>, &mut Vec<u8>) + Send + Sync + 'static,
    ) -> io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let respond: Arc<Respond> = Arc::new(respond);
        let acceptor = {
            let (accepted, stop) = (Arc::clone(&accepted), Arc::clone(&stop));
            thread::Builder::new()
                .name("loopback-acceptor".into())
                .spawn(move || {
                    accept_loop(&listener, &respond, max_connections, &accepted, &stop)
                })?
        };
        Ok(Server {
            addr,
            accepted,
            stop,
            acceptor: Some(acceptor),
        })
    }

    /// `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The TCP connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the acceptor, which sees the flag and stops; open connections notice it
        // within `POLL`.
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn accept_loop(
    listener: &TcpListener,
    respond: &Arc<Respond>,
    max_connections: usize,
    accepted: &AtomicUsize,
    stop: &Arc<AtomicBool>,
) {
    let active = Arc::new(AtomicUsize::new(0));
    let mut workers: Vec<JoinHandle<()>> = Vec::new();
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        accepted.fetch_add(1, Ordering::SeqCst);
        if active.load(Ordering::SeqCst) >= max_connections {
            continue; // dropping the stream closes it
        }
        active.fetch_add(1, Ordering::SeqCst);
        let worker = {
            let (respond, stop, active) =
                (Arc::clone(respond), Arc::clone(stop), Arc::clone(&active));
            thread::Builder::new()
                .name("loopback-connection".into())
                .spawn(move || {
                    let _ = serve_connection(stream, &*respond, &stop);
                    active.fetch_sub(1, Ordering::SeqCst);
                })
        };
        match worker {
            Ok(worker) => workers.push(worker),
            Err(_) => {
                active.fetch_sub(1, Ordering::SeqCst);
            }
        }
        workers.retain(|worker| !worker.is_finished());
    }
    for worker in workers {
        let _ = worker.join();
    }
}

fn serve_connection(stream: TcpStream, respond: &Respond, stop: &AtomicBool) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(POLL))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(16 * 1024, stream);
    let mut head = Vec::with_capacity(1024);
    let mut body = Vec::new();
    let mut out = Vec::with_capacity(4096);
    loop {
        head.clear();
        match read_head(&mut reader, &mut head, stop)? {
            Head::Complete => {}
            Head::Closed => return Ok(()),
            Head::TooLarge => {
                out.clear();
                write_head(&mut out, "431 Request Header Fields Too Large", "", 0);
                return writer.write_all(&out);
            }
        }
        let head_text = String::from_utf8_lossy(&head);
        let mut lines = head_text.split("\r\n");
        let mut request_line = lines.next().unwrap_or("").split(' ');
        let (method, target) = (
            request_line.next().unwrap_or(""),
            request_line.next().unwrap_or(""),
        );
        let length = lines
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.trim().parse::<usize>().ok())
            .unwrap_or(0);
        if length > MAX_REQUEST {
            return Ok(());
        }
        body.resize(length, 0);
        read_body(&mut reader, &mut body, stop)?;
        out.clear();
        respond(
            &Request {
                method,
                target,
                body: &body,
            },
            &mut out,
        );
        writer.write_all(&out)?;
    }
}

enum Head {
    Complete,
    Closed,
    TooLarge,
}

fn would_block(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

/// Reads a request head into `head`, or sees the connection close (or the server stop) before
/// one began.
fn read_head(
    reader: &mut BufReader<TcpStream>,
    head: &mut Vec<u8>,
    stop: &AtomicBool,
) -> io::Result<Head> {
    loop {
        match reader.read_until(b'\n', head) {
            Ok(0) => return Ok(Head::Closed),
            Ok(_) if head.ends_with(b"\r\n\r\n") => return Ok(Head::Complete),
            Ok(_) if head.len() > MAX_REQUEST => return Ok(Head::TooLarge),
            Ok(_) => {}
            Err(err) if would_block(&err) => {
                if stop.load(Ordering::SeqCst) {
                    return Ok(Head::Closed);
                }
            }
            Err(err) => return Err(err),
        }
    }
}

fn read_body(
    reader: &mut BufReader<TcpStream>,
    body: &mut [u8],
    stop: &AtomicBool,
) -> io::Result<()> {
    let mut filled = 0;
    while filled < body.len() {
        match reader.read(&mut body[filled..]) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => filled += n,
            Err(err) if would_block(&err) => {
                if stop.load(Ordering::SeqCst) {
                    return Err(err);
                }
            }
            Err(err) => return Err(err),
        }
    }
    Ok(())
}
