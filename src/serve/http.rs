//! The dev server's HTTP side: files of the last good site from memory, as static hosting would
//! serve them (same URLs, content types, `404.html`), plus the live channel pages listen on.
//! Paths are looked up in the built site, never joined to a folder, so no request path can reach
//! a file outside the site. The one difference from hosting: the service worker is replaced by
//! one that removes itself.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, Server};

use super::Hub;
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

fn header(name: &str, value: &str) -> Header {
    // Names and values here are ASCII built by this module, which tiny_http always accepts.
    Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap_or_else(|()| Header::from_bytes("X-", "").unwrap())
}

/// Answers requests until the process stops; each on its own thread, so a slow or stalled client
/// holds up nobody else.
pub fn serve(server: Server, hub: Arc<Hub>) {
    for request in server.incoming_requests() {
        let hub = hub.clone();
        std::thread::spawn(move || handle(request, &hub));
    }
}

fn handle(request: Request, hub: &Hub) {
    let url = request.url().to_owned();
    if !matches!(request.method(), Method::Get | Method::Head) {
        let _ = request.respond(Response::from_string("only GET and HEAD\n").with_status_code(405));
        return;
    }
    if let Some(what) = url.strip_prefix(LIVE_PREFIX) {
        return live(request, what, hub);
    }
    let (generation, site) = hub.snapshot();
    let Some(site) = site else {
        // No good build yet: every page is the error overlay, which reloads once one succeeds.
        let page =
            format!("<!DOCTYPE html><html lang=en><title>bimtek</title><body>{}</body></html>", live_tag(generation));
        let response = Response::from_string(page).with_status_code(503);
        let _ = request.respond(response.with_header(header("Content-Type", "text/html; charset=utf-8")));
        return;
    };
    let (status, path) = match resolve(&url, |p| site.get(p).is_some()) {
        Resolved::File(path) => (200, path),
        // Only a folder the site has is redirected to, so `to` is made of checked names.
        Resolved::Redirect(to) => {
            let _ = request.respond(Response::empty(301).with_header(header("Location", &to)));
            return;
        }
        Resolved::NotFound => (404, "404.html".to_owned()),
    };
    let Some(Ok(bytes)) = site.get(&path).map(|b| b.bytes().map(|c| c.into_owned())) else {
        let _ = request.respond(Response::from_string("not found\n").with_status_code(404));
        return;
    };
    // No offline copy while editing: a service worker would answer from its cache and hide every
    // change. This one removes itself, and any left from an earlier visit, at once.
    if path.ends_with("/sw.js") {
        let response = Response::from_string(NO_SERVICE_WORKER)
            .with_header(header("Content-Type", "text/javascript; charset=utf-8"))
            .with_header(header("Cache-Control", "no-store"));
        let _ = request.respond(response);
        return;
    }
    let kind = content_type(&path);
    let body = if kind.starts_with("text/html") { with_live_script(bytes, generation) } else { bytes };
    let response = Response::from_data(body)
        .with_status_code(status)
        .with_header(header("Content-Type", kind))
        .with_header(header("Cache-Control", "no-store"));
    let _ = request.respond(response);
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

/// `live.js`, and `events?since=N`: a Server-Sent Events stream of builds newer than N.
fn live(request: Request, what: &str, hub: &Hub) {
    if what == "live.js" {
        let response = Response::from_string(LIVE_SCRIPT)
            .with_header(header("Content-Type", "text/javascript; charset=utf-8"))
            .with_header(header("Cache-Control", "no-store"));
        let _ = request.respond(response);
        return;
    }
    let query = what.strip_prefix("events?").unwrap_or_default();
    let param = |name: &str| query.split('&').find_map(|p| p.strip_prefix(name)?.strip_prefix('='));
    let Some(since) = what.starts_with("events?").then(|| param("since")?.parse::<u64>().ok()).flatten() else {
        let _ = request.respond(Response::from_string("not found\n").with_status_code(404));
        return;
    };
    // The page listening, kept in the hub's open pages while it listens.
    let _open = param("page").and_then(crate::output::percent_decode).map(|page| hub.open(page));
    let mut stream = request.into_writer();
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    if stream.write_all(head.as_bytes()).and_then(|()| stream.flush()).is_err() {
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
        if stream.write_all(message.as_bytes()).and_then(|()| stream.flush()).is_err() {
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
    fn the_live_script_goes_before_the_end_of_the_body() {
        let html = with_live_script(b"<html><body><p>x</p></body></html>".to_vec(), 7);
        let html = String::from_utf8(html).unwrap();
        assert!(
            html.ends_with("<p>x</p><script src=\"/__bimtek/live.js\" data-generation=\"7\"></script></body></html>")
        );
    }
}
