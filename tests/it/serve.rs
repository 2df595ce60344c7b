//! `bimtek serve`, the real binary on a free port: it serves the site as static hosting would,
//! never a file outside it, rebuilds on every save, tells open pages to reload (only those whose
//! files changed), shows build errors over the last good site, and survives deletions and renames.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::cdp::Browser;
use crate::harness::{DevServer, Project};

/// The harness's dev server; this file adds its requests to it.
type Server = DevServer;

impl DevServer {
    /// Sends `target` exactly as given (no client-side normalising of `..` or `%2e`).
    fn raw(&self, method: &str, target: &str) -> (u16, String, String) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        // One write, not `write!`'s pieces, which Nagle's algorithm holds back ~40 ms each.
        stream
            .write_all(format!("{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
            .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let response = String::from_utf8_lossy(&response).into_owned();
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        (status, head.to_owned(), body.to_owned())
    }

    fn get(&self, target: &str) -> (u16, String, String) {
        self.raw("GET", target)
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}/{path}", self.address)
    }

    /// Waits until `path` is found with a body containing `text` (a rebuild has landed).
    fn wait_for_text(&self, path: &str, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !matches!(self.get(path), (200, _, body) if body.contains(text)) {
            assert!(Instant::now() < deadline, "{path} never showed {text:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[test]
fn serves_the_site_as_static_hosting_would() {
    let p = Project::fixture("basic");
    let s = Server::start(&p);
    let (status, head, body) = s.get("/alpha/modul/etika/");
    assert_eq!(status, 200);
    assert!(head.to_lowercase().contains("content-type: text/html; charset=utf-8"), "{head}");
    assert!(body.contains("/__bimtek/live.js"), "the live script is added");
    assert!(!p.out().exists(), "serve builds in memory and writes nothing");
    let (status, head, _) = s.get("/alpha");
    assert_eq!(status, 301);
    assert!(head.contains("Location: /alpha/"), "{head}");
    // An encoded line break in the address stays encoded in the redirect, never a new header.
    let (status, head, _) = s.get("/alph%61%0d%0aSet-Cookie:%20x");
    assert!(!head.to_lowercase().contains("set-cookie"), "{head}");
    assert_eq!(status, 404);
    let (status, head, _) = s.get("/alpha/assets/style.css");
    assert_eq!(status, 200);
    assert!(head.to_lowercase().contains("content-type: text/css"), "{head}");
    let (status, head, _) = s.get("/alpha/jadwal/kalender.ics");
    assert_eq!((status, head.to_lowercase().contains("text/calendar")), (200, true), "{head}");
    let (status, _, body) = s.get("/alpha/tidak-ada/");
    assert_eq!(status, 404);
    assert!(body.contains("<html"), "the site's own 404 page");
    assert_eq!(s.raw("POST", "/alpha/").0, 405);
    assert_eq!(s.raw("HEAD", "/alpha/").0, 200);
}

#[test]
fn no_request_path_reaches_a_file_outside_the_site() {
    let p = Project::fixture("basic");
    p.write("rahasia.txt", "JANGAN-TERBACA");
    p.write("content/modules/rahasia-juga.txt", "JANGAN-TERBACA");
    let s = Server::start(&p);
    for target in [
        "/../rahasia.txt",
        "/alpha/../../rahasia.txt",
        "/%2e%2e/rahasia.txt",
        "/%2E%2E%2Frahasia.txt",
        "/alpha/..%2f..%2frahasia.txt",
        "/..\\rahasia.txt",
        "/alpha%5c..%5c..%5crahasia.txt",
        "//rahasia.txt",
        "/rahasia.txt",
        "/bimtek.yaml",
        "/content/modules/rahasia-juga.txt",
        "/%00",
        "http://evil/../rahasia.txt",
        "*",
    ] {
        let (status, _, body) = s.get(target);
        assert!(!body.contains("JANGAN-TERBACA") && !body.contains("base_url"), "{target} leaked");
        assert!(status == 404 || status == 400, "{target}: {status}");
    }
    // Still serving after all that.
    assert_eq!(s.get("/alpha/").0, 200);
}

/// The `data:` message of each Server-Sent Event read within `timeout`.
fn events(stream: &mut BufReader<TcpStream>, count: usize) -> Vec<serde_json::Value> {
    let mut found = Vec::new();
    let mut line = String::new();
    while found.len() < count {
        line.clear();
        if stream.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(data) = line.strip_prefix("data: ") {
            found.push(serde_json::from_str(data.trim()).unwrap());
        }
    }
    found
}

/// The reload channel, as live.js opens it; returns once the server has answered, so the page in
/// `query`, if any, counts as open.
fn listen(s: &Server, query: &str) -> BufReader<TcpStream> {
    let mut channel = TcpStream::connect(&s.address).unwrap();
    channel.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    channel.write_all(format!("GET /__bimtek/events?{query} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).unwrap();
    let mut channel = BufReader::new(channel);
    let mut line = String::new();
    while channel.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
        line.clear();
    }
    channel
}

#[test]
fn a_save_reaches_the_open_page_and_other_pages_stay_put() {
    let p = Project::fixture("basic");
    let s = Server::start(&p);
    // The reload channel itself: one event per build, naming the files that changed.
    let mut channel = listen(&s, "since=1");

    let mut b = Browser::launch(390, 844);
    b.goto(&s.url("beta/modul/etika/"));
    b.eval("window.stillTheSamePage = true");
    let mut other = Browser::launch(390, 844);
    other.goto(&s.url("beta/kontak/"));
    other.eval("window.stillTheSamePage = true");

    p.edit("content/modules/etika.md", "title: Kode Etik Nasional", "title: Kode Etik Diperbarui");
    b.wait_for("document.querySelector('h1').textContent === 'Kode Etik Diperbarui'");
    assert_eq!(b.eval("window.stillTheSamePage === undefined"), true, "the page reloaded");
    let event = &events(&mut channel, 1)[0];
    let changed: Vec<&str> = event["changed"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert!(changed.contains(&"beta/modul/etika/index.html"), "{changed:?}");
    assert!(!changed.contains(&"beta/kontak/index.html"), "{changed:?}");
    // The contacts page shows nothing that changed: it was not reloaded.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(other.eval("window.stillTheSamePage"), true);
}

#[test]
fn broken_content_shows_its_errors_over_the_last_good_page_until_fixed() {
    let p = Project::fixture("basic");
    let s = Server::start(&p);
    let mut b = Browser::launch(390, 844);
    b.goto(&s.url("beta/modul/etika/"));
    p.edit("content/modules/etika.md", "roles: [ppk, kpps]", "roles: [ppk, kppx]");
    b.wait_for("document.getElementById('bimtek-errors') !== null");
    let overlay = b.dom().text("#bimtek-errors .bimtek-error");
    assert!(overlay.contains("content/modules/etika.md:3:"), "{overlay}");
    assert!(overlay.contains("kppx"), "{overlay}");
    // The last good site is still what is served.
    assert_eq!(s.get("/beta/modul/etika/").0, 200);
    assert_eq!(b.dom().text("h1"), "Kode Etik Nasional");
    // Fixing the file clears the overlay.
    p.edit("content/modules/etika.md", "kppx", "kpps");
    b.wait_for("document.getElementById('bimtek-errors') === null");
    assert!(b.errors.is_empty(), "{:?}", b.errors);
}

#[test]
fn deletions_renames_and_bursts_of_saves_do_not_stop_the_server() {
    let p = Project::fixture("basic");
    let s = Server::start(&p);
    // A burst of saves, as an editor's autosave makes.
    for n in 0..20 {
        p.edit("content/modules/etika.md", "Penyelenggara", &format!("Penyelenggara{n} "));
    }
    s.wait_for_text("/beta/modul/etika/", "Penyelenggara19");
    // A module renamed: the old address is gone, the new one is there.
    std::fs::rename(p.path("content/modules/rahasia.md"), p.path("content/modules/rahasia-baru.md")).unwrap();
    p.edit("content/modules/rahasia-baru.md", "draft: true", "draft: false");
    s.wait_for_text("/alpha/modul/rahasia-baru/", "Materi Draf");
    // The whole content folder renamed away fails the build; the last good site stays served.
    std::fs::rename(p.path("content"), p.path("konten")).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(s.get("/alpha/modul/rahasia-baru/").0, 200);
    // Put back, it is watched again: an edit after that still lands.
    std::fs::rename(p.path("konten"), p.path("content")).unwrap();
    // Time for the server to see the folder back and watch it again, even on a loaded machine.
    s.wait_for_text("/alpha/modul/rahasia-baru/", "Materi Draf");
    std::thread::sleep(Duration::from_millis(1500));
    p.edit("content/modules/etika.md", "Penyelenggara19", "Kembali");
    s.wait_for_text("/beta/modul/etika/", "Kembali");
    // A deleted module that others link to is an error: the old site stays.
    std::fs::remove_file(p.path("content/modules/etika.md")).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(s.get("/beta/modul/etika/").0, 200);
}

#[test]
fn the_open_page_is_rebuilt_first_and_the_rest_of_the_site_after() {
    let p = Project::fixture("basic");
    let s = Server::start(&p);
    // What live.js sends: the page it is on, so the server renders that page before the rest.
    let mut channel = listen(&s, "since=1&page=beta%2Fmodul%2Fetika%2F");
    p.edit("content/modules/etika.md", "Penyelenggara", "Penyelenggara berintegritas");
    let names = |event: &serde_json::Value| -> Vec<String> {
        event["changed"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect()
    };
    let first = names(&events(&mut channel, 1)[0]);
    assert_eq!(first, ["beta/modul/etika/index.html"], "the first build shows only the open page");
    assert!(s.get("/beta/modul/etika/").2.contains("berintegritas"));
    let rest = names(&events(&mut channel, 1)[0]);
    assert!(rest.iter().any(|p| p.starts_with("beta/cari/")), "the search index follows: {rest:?}");
    assert!(rest.contains(&"beta/sw.js".to_owned()), "{rest:?}");
    assert!(!rest.contains(&"beta/modul/etika/index.html".to_owned()), "the open page was rendered twice: {rest:?}");
}
