//! The dev server's connections, with a bound on everything a client controls. A request head
//! must arrive whole within [`HEAD_TIMEOUT`] of the server waiting for it and fit in [`MAX_HEAD`]
//! bytes; a client that takes less than [`WRITE_CHUNK`] bytes of an answer in [`WRITE_TIMEOUT`]
//! is dropped; at most [`MAX_CONNECTIONS`] threads serve pages. When they are all taken, the
//! connection that has waited longest for its request head (an idle keep-alive or a stalled
//! client) is closed to make room, so a flood of slow clients cannot lock out a fast one. Reload
//! channels are long-lived by design: they have their own cap ([`MAX_STREAMS`]) and leave the page
//! connections alone.

use std::collections::HashMap;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Request line and headers; browsers send well under 2 KB.
pub const MAX_HEAD: usize = 16 * 1024;
/// From waiting for a request head to its end, however it trickles in: stops slowloris.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a kept-alive connection may wait for its next request.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a client may take to read [`WRITE_CHUNK`] bytes, so one that never reads frees its
/// thread; any real client reads far faster than 6 KB/s.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
pub const WRITE_CHUNK: usize = 64 * 1024;
pub const MAX_CONNECTIONS: usize = 256;
pub const MAX_STREAMS: usize = 64;

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Waiting for a request head since then: first to be closed when room is needed.
    Head(Instant),
    Busy,
    Stream,
}

struct Slot {
    stream: TcpStream,
    state: State,
}

/// The open connections, shared by the accepting thread and each connection's thread.
#[derive(Default)]
pub struct Connections {
    table: Mutex<(u64, HashMap<u64, Slot>)>,
}

/// A connection's place in the table, given up when its thread ends.
pub struct Ticket {
    connections: Arc<Connections>,
    id: u64,
}

impl Connections {
    /// Registers a new connection, closing the longest-waiting one if every page slot is taken;
    /// `None` when all of them are busy answering.
    pub fn admit(self: &Arc<Self>, stream: &TcpStream) -> Option<Ticket> {
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        let (next, slots) = &mut *table;
        if slots.values().filter(|s| s.state != State::Stream).count() >= MAX_CONNECTIONS {
            let oldest = slots
                .iter()
                .filter_map(|(id, s)| match s.state {
                    State::Head(since) => Some((since, *id)),
                    _ => None,
                })
                .min()?;
            // Its thread's read returns at once and the thread ends; it finds itself gone from
            // the table, so a head it completed in between is dropped, not answered.
            if let Some(slot) = slots.remove(&oldest.1) {
                let _ = slot.stream.shutdown(Shutdown::Both);
            }
        }
        let shared = stream.try_clone().ok()?;
        *next += 1;
        slots.insert(*next, Slot { stream: shared, state: State::Head(Instant::now()) });
        Some(Ticket { connections: self.clone(), id: *next })
    }

    fn set(&self, id: u64, state: State) -> bool {
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        let slots = &mut table.1;
        if state == State::Stream && slots.values().filter(|s| s.state == State::Stream).count() >= MAX_STREAMS {
            return false;
        }
        slots.get_mut(&id).map(|slot| slot.state = state).is_some()
    }
}

impl Ticket {
    /// Waiting for the next request head.
    pub fn waiting(&self) -> bool {
        self.connections.set(self.id, State::Head(Instant::now()))
    }

    /// Answering; `false` when the connection was closed to make room.
    pub fn busy(&self) -> bool {
        self.connections.set(self.id, State::Busy)
    }

    /// Turned into a reload channel; `false` when there are too many.
    pub fn stream(&self) -> bool {
        self.connections.set(self.id, State::Stream)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.connections.table.lock().unwrap_or_else(|p| p.into_inner()).1.remove(&self.id);
    }
}

/// A parsed request head. Only what a static server needs.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub keep_alive: bool,
}

/// Why no request could be read; each ends the connection.
#[derive(Debug, PartialEq, Eq)]
pub enum HeadError {
    /// The client closed, or never sent anything before the idle time ran out.
    Gone,
    /// A status to answer with before closing: 400, 408, 431, 505.
    Status(u16),
}

/// Reads one request head from `stream`; `buffer` keeps bytes read past it (a pipelined request).
pub fn read_head(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<Vec<u8>, HeadError> {
    let started = Instant::now();
    let mut chunk = [0; 4096];
    loop {
        // An empty line before a request line is allowed (RFC 9112, 2.2).
        let blank = buffer.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        buffer.drain(..blank);
        if let Some(end) = head_end(buffer) {
            let rest = buffer.split_off(end);
            return Ok(std::mem::replace(buffer, rest));
        }
        if buffer.len() > MAX_HEAD {
            return Err(HeadError::Status(431));
        }
        let limit = if buffer.is_empty() { IDLE_TIMEOUT } else { HEAD_TIMEOUT };
        let left = limit.checked_sub(started.elapsed()).filter(|d| !d.is_zero());
        let timed_out = || if buffer.is_empty() { HeadError::Gone } else { HeadError::Status(408) };
        let Some(left) = left else { return Err(timed_out()) };
        if stream.set_read_timeout(Some(left)).is_err() {
            return Err(HeadError::Gone);
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Err(HeadError::Gone),
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => return Err(timed_out()),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Err(HeadError::Gone),
        }
    }
}

/// Where the head ends: after its blank line (bare LF line ends accepted too).
fn head_end(bytes: &[u8]) -> Option<usize> {
    let at = bytes.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    let crlf = bytes.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    at.into_iter().chain(crlf).min()
}

fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Parses a head; requests with a body are answered and then the connection closes, since
/// nothing here reads bodies.
pub fn parse_head(head: &[u8]) -> Result<Request, u16> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let line = lines.next().unwrap_or_default();
    let parts: Vec<&str> = line.split(' ').collect();
    let [method, target, version] = parts[..] else { return Err(400) };
    if !is_token(method) || target.is_empty() || !target.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(400);
    }
    let minor = match version.strip_prefix("HTTP/") {
        Some("1.1") => 1,
        Some("1.0") => 0,
        Some(v) if v.len() == 3 && v.as_bytes()[1] == b'.' && v.bytes().all(|b| b.is_ascii_digit() || b == b'.') => {
            return Err(505);
        }
        _ => return Err(400),
    };
    let mut keep_alive = minor == 1;
    for line in lines.filter(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else { return Err(400) };
        if !is_token(name) {
            return Err(400);
        }
        let value = value.trim().to_ascii_lowercase();
        match name.to_ascii_lowercase().as_str() {
            "connection" if value.split(',').any(|v| v.trim() == "close") => keep_alive = false,
            "connection" if value.split(',').any(|v| v.trim() == "keep-alive") => keep_alive = true,
            "content-length" if value.parse::<u64>().is_err() => return Err(400),
            "content-length" if value != "0" => keep_alive = false,
            "transfer-encoding" => keep_alive = false,
            _ => {}
        }
    }
    Ok(Request { method: method.to_owned(), target: target.to_owned(), keep_alive })
}

pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// Writes all of `bytes`, giving up when the client takes less than [`WRITE_CHUNK`] bytes in
/// [`WRITE_TIMEOUT`]. A timeout per write call alone would not do: the kernel's send buffer grows
/// now and then, and each bit of room restarts the clock for a client that never reads.
pub fn send(stream: &mut TcpStream, bytes: &[u8]) -> io::Result<()> {
    for mut chunk in bytes.chunks(WRITE_CHUNK) {
        let deadline = Instant::now() + WRITE_TIMEOUT;
        while !chunk.is_empty() {
            let left = deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero());
            stream.set_write_timeout(Some(left.ok_or(ErrorKind::TimedOut)?))?;
            match stream.write(chunk) {
                Ok(0) => return Err(ErrorKind::WriteZero.into()),
                Ok(n) => chunk = &chunk[n..],
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
    stream.flush()
}

/// After an error answer, reads what the client still sends for a moment before closing, so it
/// sees the answer rather than a reset caused by unread bytes.
pub fn linger(mut stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let until = Instant::now() + Duration::from_secs(1);
    let mut chunk = [0; 8192];
    let mut left: usize = 1 << 20;
    while left > 0 {
        let Some(wait) = until.checked_duration_since(Instant::now()).filter(|d| !d.is_zero()) else { break };
        if stream.set_read_timeout(Some(wait)).is_err() {
            break;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_parsed_strictly() {
        let ok = parse_head(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        assert_eq!((ok.method.as_str(), ok.target.as_str(), ok.keep_alive), ("GET", "/a", true));
        assert!(!parse_head(b"GET /a HTTP/1.0\r\n\r\n").unwrap().keep_alive);
        assert!(!parse_head(b"GET /a HTTP/1.1\r\nConnection: close\r\n\r\n").unwrap().keep_alive);
        assert!(!parse_head(b"GET /a HTTP/1.1\r\nContent-Length: 5\r\n\r\n").unwrap().keep_alive);
        for bad in [
            &b"GET /a\r\n\r\n"[..],
            b"GET  /a HTTP/1.1\r\n\r\n",
            b"G(T /a HTTP/1.1\r\n\r\n",
            b"GET /a HTTP/1.1\r\nno colon\r\n\r\n",
            b"GET /a HTTP/1.1\r\nbad name: x\r\n\r\n",
            b"GET /a HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            b"GET /\xff HTTP/1.1\r\n\r\n",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        ] {
            assert_eq!(parse_head(bad), Err(400), "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse_head(b"GET / HTTP/2.0\r\n\r\n"), Err(505));
    }

    #[test]
    fn a_head_ends_at_its_first_blank_line() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nGET"), Some(18));
        assert_eq!(head_end(b"GET / HTTP/1.1\n\nGET"), Some(16));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n"), None);
    }
}
