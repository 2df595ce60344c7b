//! The dev server's HTTP side: files of the last good site from memory, as static hosting would
//! serve them (same URLs, content types, `404.html`), plus the live channel pages listen on.
//! Paths are looked up in the built site, never joined to a folder, so no request path can reach
//! a file outside the site. The one difference from hosting: the service worker is replaced by
//! one that removes itself. Connections and their limits are in `conn.rs`.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use super::Hub;
use super::conn::{self, Connections, HeadError, Ticket};
use crate::output::percent_decode;

const LIVE_SCRIPT: &str = include_str!("live.js");
const LIVE_PREFIX: &str = "/__bimtek/";
const NO_SERVICE_WORKER: &str = "self.addEventListener('install', function () { self.skipWaiting(); });\n\
self.addEventListener('activate', function () { self.registration.unregister(); });\n";

/// Where a request path leads in the site.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    File(String),
    /// A folder asked for without its slash: `/landak` → `/landak/`.
    Redirect(String),
    NotFound,
}

/// Decodes `%xx`, refuses `.`/`..` segments, backslashes and NUL, and maps folders to `index.html`.
pub fn resolve(target: &str, exists: impl Fn(&str) -> bool) -> Resolved {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let Some(decoded) = percent_decode(path) else { return Resolved::NotFound };
    if decoded.contains(['\\', '\0']) || !decoded.starts_with('/') {
        return Resolved::NotFound;
    }
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    if segments.iter().any(|s| *s == "." || *s == ".." || s.contains(':')) {
        return Resolved::NotFound;
    }
    let joined = segments.join("/");
    if decoded.ends_with('/') {
        let index = if joined.is_empty() { "index.html".to_owned() } else { format!("{joined}/index.html") };
        return if exists(&index) { Resolved::File(index) } else { Resolved::NotFound };
    }
    if exists(&joined) {
        Resolved::File(joined)
    } else if exists(&format!("{joined}/index.html")) {
        Resolved::Redirect(format!("/{joined}/"))
    } else {
        Resolved::NotFound
    }
}

pub fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "ics" => "text/calendar; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Answers connections until the process stops, each on its own thread within the bounds of
/// [`conn`]: slow, stalled or malformed clients hold up nobody else.
pub fn serve(listener: TcpListener, hub: Arc<Hub>) {
    let connections = Arc::new(Connections::default());
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // Out of file descriptors, most likely: let connections end rather than spin.
            std::thread::sleep(Duration::from_millis(20));
            continue;
        };
        let Some(ticket) = connections.admit(&stream) else {
            refuse(stream);
            continue;
        };
        let hub = hub.clone();
        // A thread that cannot start drops the connection with its ticket.
        let _ = std::thread::Builder::new().name("bimtek-http".into()).spawn(move || connection(stream, &ticket, &hub));
    }
}

/// Every page slot is busy answering: say so without blocking the accepting thread (the short
/// answer fits in the socket's buffer).
fn refuse(stream: TcpStream) {
    let _ = stream.set_nonblocking(true);
    let _ = (&stream).write_all(
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\nConnection: close\r\n\r\n",
    );
}

/// The requests of one connection, kept alive between them as browsers expect.
fn connection(mut stream: TcpStream, ticket: &Ticket, hub: &Hub) {
    let _ = stream.set_nodelay(true);
    let mut buffer = Vec::new();
    loop {
        let head = match conn::read_head(&mut stream, &mut buffer) {
            Ok(head) => head,
            Err(HeadError::Gone) => return,
            Err(HeadError::Status(status)) => return fail(stream, status),
        };
        if !ticket.busy() {
            return;
        }
        let request = match conn::parse_head(&head) {
            Ok(request) => request,
            Err(status) => return fail(stream, status),
        };
        let reply = match request.method.as_str() {
            "GET" | "HEAD" => answer(&request.target, hub),
            _ => {
                let page = Page::text(405, "only GET and HEAD\n");
                let _ = write_page(&mut stream, &page, false, false);
                return conn::linger(stream);
            }
        };
        match reply {
            Reply::Page(page) => {
                let keep_alive = request.keep_alive;
                if write_page(&mut stream, &page, request.method == "HEAD", keep_alive).is_err() || !keep_alive {
                    return;
                }
            }
            Reply::Events { .. } if request.method == "HEAD" => {
                let _ = write_page(&mut stream, &Page::new(200, "text/event-stream", Vec::new()), true, false);
                return;
            }
            Reply::Events { since, page } => return events(stream, ticket, hub, since, page),
        }
        if !ticket.waiting() {
            return;
        }
    }
}

/// Answers a request that cannot be served, then closes.
fn fail(mut stream: TcpStream, status: u16) {
    let _ = write_page(&mut stream, &Page::text(status, &format!("{}\n", conn::reason(status))), false, false);
    conn::linger(stream);
}

/// A complete answer, held in memory: what a client receives is always one whole build's file.
struct Page {
    status: u16,
    kind: &'static str,
    body: Vec<u8>,
    location: Option<String>,
}

impl Page {
    fn new(status: u16, kind: &'static str, body: Vec<u8>) -> Page {
        Page { status, kind, body, location: None }
    }

    fn text(status: u16, text: &str) -> Page {
        Page::new(status, "text/plain; charset=utf-8", text.as_bytes().to_vec())
    }
}

enum Reply {
    Page(Page),
    /// The reload channel: builds newer than `since`, for the page open at `page`.
    Events {
        since: u64,
        page: Option<String>,
    },
}

fn write_page(stream: &mut TcpStream, page: &Page, head_only: bool, keep_alive: bool) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n",
        page.status,
        conn::reason(page.status),
        page.kind,
        page.body.len()
    );
    if let Some(to) = &page.location {
        head.push_str(&format!("Location: {}\r\n", encode_path(to)));
    }
    if page.status == 405 {
        head.push_str("Allow: GET, HEAD\r\n");
    }
    head.push_str(if keep_alive { "Connection: keep-alive\r\n\r\n" } else { "Connection: close\r\n\r\n" });
    let mut bytes = head.into_bytes();
    if head_only {
        return conn::send(stream, &bytes);
    }
    // One write for a small answer; a large one is not copied just to prepend its head.
    if page.body.len() > 64 * 1024 {
        conn::send(stream, &bytes)?;
        return conn::send(stream, &page.body);
    }
    bytes.extend_from_slice(&page.body);
    conn::send(stream, &bytes)
}

/// Percent-encodes all but unreserved characters and `/`, so a header value never carries a
/// line break or a space.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The path of an absolute-form target (`GET http://host/path`), which servers must accept.
fn origin_form(target: &str) -> &str {
    for scheme in ["http://", "https://"] {
        if target.get(..scheme.len()).is_some_and(|s| s.eq_ignore_ascii_case(scheme)) {
            let rest = &target[scheme.len()..];
            return match rest.find(['/', '?', '#']) {
                Some(at) if rest[at..].starts_with('/') => &rest[at..],
                _ => "/",
            };
        }
    }
    target
}

fn answer(target: &str, hub: &Hub) -> Reply {
    let url = origin_form(target);
    if let Some(what) = url.strip_prefix(LIVE_PREFIX) {
        return live(what);
    }
    let (generation, site) = hub.snapshot();
    let Some(site) = site else {
        // No good build yet: every page is the error overlay, which reloads once one succeeds.
        let page =
            format!("<!DOCTYPE html><html lang=en><title>bimtek</title><body>{}</body></html>", live_tag(generation));
        return Reply::Page(Page::new(503, "text/html; charset=utf-8", page.into_bytes()));
    };
    let (status, path) = match resolve(url, |p| site.get(p).is_some()) {
        Resolved::File(path) => (200, path),
        // Only a folder the site has is redirected to, so `to` is made of checked names.
        Resolved::Redirect(to) => {
            let mut page = Page::text(301, "");
            page.location = Some(to);
            return Reply::Page(page);
        }
        Resolved::NotFound => (404, "404.html".to_owned()),
    };
    let Some(Ok(bytes)) = site.get(&path).map(|b| b.bytes().map(|c| c.into_owned())) else {
        return Reply::Page(Page::text(404, "not found\n"));
    };
    // No offline copy while editing: a service worker would answer from its cache and hide every
    // change. This one removes itself, and any left from an earlier visit, at once.
    if path.ends_with("/sw.js") {
        return Reply::Page(Page::new(200, "text/javascript; charset=utf-8", NO_SERVICE_WORKER.as_bytes().to_vec()));
    }
    let kind = content_type(&path);
    let body = if kind.starts_with("text/html") { with_live_script(bytes, generation) } else { bytes };
    Reply::Page(Page::new(status, kind, body))
}

fn live_tag(generation: u64) -> String {
    format!("<script src=\"{LIVE_PREFIX}live.js\" data-generation=\"{generation}\"></script>")
}

/// The page's own HTML plus the live script, so it can reload itself or show build errors.
fn with_live_script(html: Vec<u8>, generation: u64) -> Vec<u8> {
    let tag = live_tag(generation);
    let text = String::from_utf8_lossy(&html);
    match text.rfind("</body>") {
        Some(at) => format!("{}{tag}{}", &text[..at], &text[at..]).into_bytes(),
        None => [html.as_slice(), tag.as_bytes()].concat(),
    }
}

/// `live.js`, and `events?since=N&page=P`: a Server-Sent Events stream of builds newer than N.
fn live(what: &str) -> Reply {
    if what == "live.js" {
        return Reply::Page(Page::new(200, "text/javascript; charset=utf-8", LIVE_SCRIPT.as_bytes().to_vec()));
    }
    let query = what.strip_prefix("events?").unwrap_or_default();
    let param = |name: &str| query.split('&').find_map(|p| p.strip_prefix(name)?.strip_prefix('='));
    match what.starts_with("events?").then(|| param("since")?.parse::<u64>().ok()).flatten() {
        Some(since) => Reply::Events { since, page: param("page").and_then(crate::output::percent_decode) },
        None => Reply::Page(Page::text(404, "not found\n")),
    }
}

/// Streams build events until the page goes; it no longer counts as a page connection.
fn events(mut stream: TcpStream, ticket: &Ticket, hub: &Hub, since: u64, page: Option<String>) {
    if !ticket.stream() {
        let _ = write_page(&mut stream, &Page::text(503, "too many open pages\n"), false, false);
        return;
    }
    // The page listening, kept in the hub's open pages while it listens.
    let _open = page.map(|page| hub.open(page));
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    if conn::send(&mut stream, head.as_bytes()).is_err() {
        return;
    }
    let mut seen = since;
    loop {
        let message = match hub.wait_newer(seen, Duration::from_secs(15)) {
            Some(event) => {
                seen = event.generation;
                let data = serde_json::json!({
                    "generation": event.generation,
                    "changed": event.changed,
                    "errors": event.errors,
                });
                format!("data: {data}\n\n")
            }
            // A comment now and then finds out when the page has gone.
            None => ": still here\n\n".to_owned(),
        };
        if conn::send(&mut stream, message.as_bytes()).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_in(target: &str) -> Resolved {
        let files = ["index.html", "landak/index.html", "landak/assets/style.css", "landak/modul/a b/index.html"];
        resolve(target, |p| files.contains(&p))
    }

    #[test]
    fn urls_map_to_files_as_static_hosting_does() {
        assert_eq!(resolve_in("/"), Resolved::File("index.html".into()));
        assert_eq!(resolve_in("/landak/?q=coblos"), Resolved::File("landak/index.html".into()));
        assert_eq!(resolve_in("/landak"), Resolved::Redirect("/landak/".into()));
        assert_eq!(resolve_in("/landak/assets/style.css"), Resolved::File("landak/assets/style.css".into()));
        assert_eq!(resolve_in("/landak/modul/a%20b/"), Resolved::File("landak/modul/a b/index.html".into()));
        assert_eq!(resolve_in("/tidak-ada/"), Resolved::NotFound);
    }

    #[test]
    fn traversal_in_every_encoding_is_refused() {
        for bad in [
            "/../etc/passwd",
            "/landak/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2fetc%2fpasswd",
            "/landak/..%2f..%2fCargo.toml",
            "/..\\..\\Cargo.toml",
            "/landak%5c..%5cindex.html",
            "//etc/passwd",
            "/c:/windows/win.ini",
            "/landak/%00",
            "/%ff",
            "/%2",
            "etc/passwd",
        ] {
            assert!(matches!(resolve_in(bad), Resolved::NotFound), "{bad}");
        }
    }

    #[test]
    fn absolute_targets_keep_only_their_path_and_redirects_stay_one_header() {
        assert_eq!(origin_form("http://x/alpha/?q=1"), "/alpha/?q=1");
        assert_eq!(origin_form("HTTPS://x"), "/");
        assert_eq!(origin_form("http://x?/../rahasia"), "/");
        assert_eq!(origin_form("/alpha/"), "/alpha/");
        assert_eq!(encode_path("/landak/modul/a b\r\nSet-Cookie: x/"), "/landak/modul/a%20b%0D%0ASet-Cookie%3A%20x/");
    }

    #[test]
    fn the_live_script_goes_before_the_end_of_the_body() {
        let html = with_live_script(b"<html><body><p>x</p></body></html>".to_vec(), 7);
        let html = String::from_utf8(html).unwrap();
        assert!(
            html.ends_with("<p>x</p><script src=\"/__bimtek/live.js\" data-generation=\"7\"></script></body></html>")
        );
    }
}
