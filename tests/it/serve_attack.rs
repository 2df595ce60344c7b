//! `bimtek serve` under load and attack, the real binary on loopback: many clients while modules
//! are being saved get only whole pages of one build; no encoding of a path reaches a file outside
//! the site; malformed, slow and stalled clients are answered or dropped within bounds and hold
//! up nobody else. Time limits here are hang bounds for a loaded machine, not speed goals (those
//! are in `examples/serve-load.rs`).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::harness::{DevServer, Project};

/// How long one answer may take on a loaded CI machine before it counts as a hang.
const PROMPT: Duration = Duration::from_secs(5);

/// The harness's dev server; this file adds its requests to it.
type Server = DevServer;

impl DevServer {
    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        stream
    }

    /// One request on a new connection, answered within [`PROMPT`].
    fn answer(&self, target: &str) -> Reply {
        let started = Instant::now();
        let reply = Client::new(&self.address).send("GET", target, false).unwrap_or_else(|e| panic!("{target}: {e}"));
        assert!(started.elapsed() < PROMPT, "{target} took {:?}", started.elapsed());
        reply
    }

    /// The number of threads of the server process.
    #[cfg(target_os = "linux")]
    fn threads(&self) -> usize {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status.lines().find_map(|l| l.strip_prefix("Threads:")).unwrap().trim().parse().unwrap()
    }
}

struct Reply {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A strict HTTP/1.1 client: every answer must carry a Content-Length its body matches exactly.
struct Client {
    address: String,
    stream: Option<BufReader<TcpStream>>,
}

impl Client {
    fn new(address: &str) -> Client {
        Client { address: address.to_owned(), stream: None }
    }

    fn send(&mut self, method: &str, target: &str, keep_alive: bool) -> Result<Reply, String> {
        let result = self.try_send(method, target, keep_alive);
        if result.is_err() || !keep_alive {
            self.stream = None;
        }
        result
    }

    fn try_send(&mut self, method: &str, target: &str, keep_alive: bool) -> Result<Reply, String> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(&self.address).map_err(|e| format!("connect: {e}"))?;
            stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
            self.stream = Some(BufReader::new(stream));
        }
        let reader = self.stream.as_mut().ok_or("no stream")?;
        let connection = if keep_alive { "keep-alive" } else { "close" };
        let request = format!("{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: {connection}\r\n\r\n");
        reader.get_mut().write_all(request.as_bytes()).map_err(|e| format!("write: {e}"))?;
        let reply = read_reply(reader, method == "HEAD")?;
        if !keep_alive || reply.headers.get("connection").is_some_and(|c| c == "close") {
            let mut rest = Vec::new();
            reader.read_to_end(&mut rest).map_err(|e| format!("after the body: {e}"))?;
            if !rest.is_empty() {
                return Err(format!("{} bytes past Content-Length", rest.len()));
            }
            self.stream = None;
        }
        Ok(reply)
    }
}

fn read_reply(reader: &mut impl BufRead, head_only: bool) -> Result<Reply, String> {
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|e| format!("status line: {e}"))?;
    let status = match line.split(' ').collect::<Vec<_>>()[..] {
        ["HTTP/1.1", code, ..] if line.ends_with("\r\n") => code.parse().map_err(|_| format!("status {line:?}"))?,
        _ => return Err(format!("bad status line {line:?}")),
    };
    let mut headers = HashMap::new();
    loop {
        line.clear();
        reader.read_line(&mut line).map_err(|e| format!("header: {e}"))?;
        if line == "\r\n" {
            break;
        }
        let (name, value) = line.split_once(':').ok_or_else(|| format!("bad header {line:?}"))?;
        headers.insert(name.to_ascii_lowercase(), value.trim().to_owned());
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .ok_or_else(|| format!("{status} without Content-Length"))?;
    let mut body = vec![0; if head_only { 0 } else { length }];
    reader.read_exact(&mut body).map_err(|e| format!("body of {length} bytes: {e}"))?;
    Ok(Reply { status, headers, body })
}

/// Writes `module` as version `n`: the title and the last line carry the same marker, so a page
/// mixing two versions, or cut short, shows. Saved as editors do, through a rename (from a file
/// the server does not watch).
fn save_version(root: &Path, module: &str, title: &str, n: u64) {
    let text = format!(
        "---\ntitle: {title} v{n}\nroles: [kpps]\ntopic: pemungutan\n---\n## Isi\n\n{}\n\nPenanda akhir v{n}.\n",
        "Kalimat isi modul yang cukup panjang untuk halaman. ".repeat(20)
    );
    let temp = root.join(".save.tmp");
    std::fs::write(&temp, text).unwrap();
    std::fs::rename(&temp, root.join(module)).unwrap();
}

/// Every version number shown after `label` in `html`.
fn markers(html: &str, label: &str) -> Vec<u64> {
    html.match_indices(label)
        .filter_map(|(at, _)| {
            let digits: String = html[at + label.len()..].chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect()
}

/// Checks one answer against what the path must give; returns the page's version, if it shows one.
fn check(path: &str, method: &str, reply: &Reply, written: u64) -> Result<Option<u64>, String> {
    let expected = match path {
        "/alpha" => 301,
        p if p.contains("tidak-ada") => 404,
        _ => 200,
    };
    if reply.status != expected {
        return Err(format!("{method} {path}: {} instead of {expected}", reply.status));
    }
    if expected == 301 {
        return match reply.headers.get("location") {
            Some(to) if to == "/alpha/" => Ok(None),
            other => Err(format!("{path}: redirected to {other:?}")),
        };
    }
    if method == "HEAD" {
        return Ok(None);
    }
    if path.ends_with(".json") {
        serde_json::from_slice::<serde_json::Value>(&reply.body).map_err(|e| format!("{path}: {e}"))?;
        return Ok(None);
    }
    let kind = reply.headers.get("content-type").map(String::as_str).unwrap_or_default();
    if !kind.starts_with("text/html") {
        return if reply.body.is_empty() { Err(format!("{path}: empty")) } else { Ok(None) };
    }
    let html = reply.text();
    if !html.trim_end().ends_with("</html>") {
        return Err(format!("{path}: cut short: ...{}", &html[html.len().saturating_sub(80)..]));
    }
    let shown = markers(&html, "Pemungutan Suara v");
    if shown.iter().any(|&v| v > written) || shown.windows(2).any(|w| w[0] != w[1]) {
        return Err(format!("{path}: versions {shown:?}, {written} written"));
    }
    if path.ends_with("/modul/pemungutan/") {
        let tail = markers(&html, "Penanda akhir v");
        if shown.is_empty() || tail != shown[..1] {
            return Err(format!("{path}: title of version {shown:?}, end of {tail:?}"));
        }
    }
    Ok(shown.first().copied())
}

/// What the load clients ask for: pages, assets, search index files, a miss and a redirect.
const PATHS: [(&str, &str); 12] = [
    ("GET", "/alpha/modul/pemungutan/"),
    ("GET", "/beta/modul/pemungutan/"),
    ("GET", "/alpha/topik/pemungutan/"),
    ("GET", "/beta/"),
    ("GET", "/alpha/modul/etika/"),
    ("GET", "/alpha/assets/style.css"),
    ("GET", "/alpha/modul/denah/denah.svg"),
    ("GET", "/alpha/cari/meta.json"),
    ("GET", "/beta/cari/dokumen/0.json"),
    ("GET", "/alpha/tidak-ada/"),
    ("GET", "/alpha"),
    ("HEAD", "/alpha/"),
];

#[test]
fn many_clients_while_saving_get_only_whole_pages_of_one_build() {
    let (clients, per_client) = (50, 200);
    let p = Project::fixture("basic");
    let module = "content/modules/pemungutan.md";
    save_version(&p.root, module, "Pemungutan Suara", 0);
    let mut s = Server::start(&p);
    let address = s.address.clone();
    s.answer("/alpha/modul/pemungutan/");
    // A page open in a browser, so saves take the open-page-first path too.
    let mut channel = s.connect();
    write!(channel, "GET /__bimtek/events?since=1&page=alpha%2Fmodul%2Fpemungutan%2F HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    std::thread::spawn(move || std::io::copy(&mut channel, &mut std::io::sink()));

    let written = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let editor = {
        let (written, done) = (written.clone(), done.clone());
        let root = p.root.clone();
        std::thread::spawn(move || {
            let mut n = 0;
            while !done.load(Ordering::SeqCst) {
                n += 1;
                // Counted before the save, so no page can show a version not yet counted.
                written.store(n, Ordering::SeqCst);
                save_version(&root, module, "Pemungutan Suara", n);
                std::thread::sleep(Duration::from_millis(40));
            }
            n
        })
    };

    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let versions = Arc::new(Mutex::new(std::collections::BTreeSet::new()));
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|c| {
            let (address, written, failures, versions) =
                (address.clone(), written.clone(), failures.clone(), versions.clone());
            std::thread::spawn(move || {
                let mut client = Client::new(&address);
                let mut latest: HashMap<&str, u64> = HashMap::new();
                let mut times = Vec::with_capacity(per_client);
                for i in 0..per_client {
                    let (method, path) = PATHS[(c + i) % PATHS.len()];
                    // Half the clients keep their connection, half open one per request.
                    let sent = Instant::now();
                    let reply = client.send(method, path, c % 2 == 0);
                    times.push(sent.elapsed());
                    let result = reply.and_then(|r| check(path, method, &r, written.load(Ordering::SeqCst)));
                    match result {
                        // A client never sees a page go back to an older version.
                        Ok(Some(v)) if latest.get(path).is_some_and(|&l| l > v) => {
                            failures.lock().unwrap().push(format!("{path}: v{v} after v{}", latest[path]));
                        }
                        Ok(Some(v)) => {
                            latest.insert(path, v);
                            versions.lock().unwrap().insert(v);
                        }
                        Ok(None) => {}
                        Err(e) => failures.lock().unwrap().push(e),
                    }
                }
                times
            })
        })
        .collect();
    let mut times: Vec<Duration> = workers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    let elapsed = started.elapsed();
    done.store(true, Ordering::SeqCst);
    let saves = editor.join().unwrap();

    times.sort();
    let failures = failures.lock().unwrap();
    let versions = versions.lock().unwrap();
    eprintln!(
        "serve load: {} requests from {clients} clients in {elapsed:.1?} ({:.0}/s), {} failed, \
         p50 {:?}, p99 {:?}, max {:?}; {saves} saves, {} versions seen",
        times.len(),
        times.len() as f64 / elapsed.as_secs_f64(),
        failures.len(),
        times[times.len() / 2],
        times[times.len() * 99 / 100],
        times[times.len() - 1],
        versions.len()
    );
    assert_eq!(times.len(), clients * per_client);
    assert!(failures.is_empty(), "{} failures, first: {:#?}", failures.len(), &failures[..failures.len().min(10)]);
    assert!(versions.len() > 1, "the saves never reached the pages during the load: {versions:?}");
    assert!(s.alive());
}

#[test]
fn no_encoding_of_a_path_reaches_a_file_outside_the_site() {
    let p = Project::fixture("basic");
    let secret = "RAHASIA-DI-LUAR-SITUS";
    // Beside the project, in it, and as comments in its sources (never rendered into a page).
    std::fs::write(p.root.parent().unwrap().join("rahasia.txt"), secret).unwrap();
    p.write("rahasia.txt", secret);
    p.write("output/rahasia.txt", secret);
    let config = p.read("bimtek.yaml");
    p.write("bimtek.yaml", format!("# {secret}\n{config}"));
    p.edit("content/modules/pemungutan.md", "topic: pemungutan", &format!("topic: pemungutan\n# {secret}"));
    p.edit("content/regencies/alpha/regency.yaml", "name:", &format!("# {secret}\nname:"));
    let s = Server::start(&p);
    assert_eq!(s.answer("/alpha/modul/pemungutan/").status, 200);

    let outside = p.root.parent().unwrap().join("rahasia.txt").to_string_lossy().into_owned();
    let ups = ["..", "%2e%2e", "%2E%2e", ".%2e", "%2e.", "%252e%252e", "%c0%ae%c0%ae", "%e0%80%ae%e0%80%ae", "..%00"];
    let separators = ["/", "%2f", "%2F", "\\", "%5c", "%5C", "%252f", "%c0%af", "/./", "//"];
    let files = ["rahasia.txt", "output/rahasia.txt", "bimtek.yaml", "content/modules/pemungutan.md"];
    let mut targets = Vec::new();
    for up in ups {
        for sep in separators {
            for depth in 1..=3 {
                for prefix in ["", "/alpha", "/alpha/modul"] {
                    for file in files {
                        let climb = format!("{sep}{up}").repeat(depth);
                        targets.push(format!("{prefix}{climb}{sep}{}", file.replace('/', sep)));
                    }
                }
            }
        }
    }
    for file in files {
        targets.extend([
            format!("/{file}"),
            format!("//{file}"),
            format!("/./{file}"),
            format!("/alpha/..;/{file}"),
            format!("/{file}%00.html"),
            format!("/alpha/.%2e/%2e./..%5c..%2f{file}"),
            format!("http://127.0.0.1/../{file}"),
            format!("http://127.0.0.1/%2e%2e/%2e%2e/{file}"),
            format!("HTTP://x/..%2f..%2f{file}"),
            format!("http://x/alpha/../../{file}"),
        ]);
    }
    targets.extend([
        outside.clone(),
        format!("/{outside}"),
        format!("//{outside}"),
        format!("http://x{outside}"),
        format!("file://{outside}"),
        format!("/%2f{}", outside.trim_start_matches('/')),
        "/etc/passwd".into(),
        "//etc/passwd".into(),
        "http://host/../../etc/passwd".into(),
        "/alpha/../../../../../../etc/passwd".into(),
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd".into(),
        "\\..\\..\\etc\\passwd".into(),
        "/c:/windows/win.ini".into(),
        "/alpha/modul/pemungutan.md".into(),
        "/alpha/modul/pemungutan/index.md".into(),
        "/content/regencies/alpha/regency.yaml".into(),
    ]);

    let mut client = Client::new(&s.address);
    for target in &targets {
        let reply = client.send("GET", target, true).unwrap_or_else(|e| panic!("{target}: {e}"));
        let body = reply.text();
        assert!(!body.contains(secret) && !body.contains("root:x:0:0"), "{target} leaked:\n{body}");
        assert!(matches!(reply.status, 400 | 404), "{target}: {}", reply.status);
    }
    assert_eq!(s.answer("/alpha/modul/pemungutan/").status, 200, "still serving after {} attempts", targets.len());
}

/// Sends `bytes` on a new connection (from another thread, as the server may stop reading) and
/// returns the status of the answer, or `None` when the server closed without one.
fn answer_to(s: &Server, bytes: Vec<u8>) -> Option<u16> {
    let stream = s.connect();
    let mut writer = stream.try_clone().unwrap();
    let sending = std::thread::spawn(move || {
        let _ = writer.write_all(&bytes);
    });
    let started = Instant::now();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let status = reader.read_line(&mut line).ok().and_then(|_| line.split(' ').nth(1)?.parse().ok());
    assert!(started.elapsed() < Duration::from_secs(20), "the server neither answered nor closed");
    drop(reader);
    let _ = sending.join();
    status
}

#[test]
fn malformed_requests_get_an_error_and_the_server_goes_on() {
    let p = Project::fixture("basic");
    let mut s = Server::start(&p);
    let mut garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    garbage.extend_from_slice(b"\r\n\r\n");
    let huge_header = [&b"GET /alpha/ HTTP/1.1\r\nX-Besar: "[..], &vec![b'a'; 1 << 20], b"\r\n\r\n"].concat();
    let many_headers = [&b"GET /alpha/ HTTP/1.1\r\n"[..], &b"X-A: b\r\n".repeat(5000), b"\r\n"].concat();
    let cases: Vec<(&str, Vec<u8>, &[u16])> = vec![
        ("garbage", garbage, &[400]),
        ("no version", b"GET /alpha/\r\n\r\n".to_vec(), &[400]),
        ("only a method", b"GET\r\n\r\n".to_vec(), &[400]),
        ("header without colon", b"GET /alpha/ HTTP/1.1\r\nHost x\r\n\r\n".to_vec(), &[400]),
        ("space in a header name", b"GET /alpha/ HTTP/1.1\r\nHo st: x\r\n\r\n".to_vec(), &[400]),
        ("bad content length", b"GET /alpha/ HTTP/1.1\r\nContent-Length: -5\r\n\r\n".to_vec(), &[400]),
        ("invalid method", b"G(T /alpha/ HTTP/1.1\r\n\r\n".to_vec(), &[400]),
        ("unknown method", b"BREW /alpha/ HTTP/1.1\r\n\r\n".to_vec(), &[405]),
        ("a body", b"POST /alpha/ HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello".to_vec(), &[405]),
        ("HTTP/2 in text", b"GET /alpha/ HTTP/2.0\r\n\r\n".to_vec(), &[505]),
        ("raw bytes in the path", b"GET /alpha/\xc3\xa9/ HTTP/1.1\r\n\r\n".to_vec(), &[400]),
        ("a TLS hello", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n".to_vec(), &[400]),
        ("1 MB header", huge_header, &[431]),
        ("5000 headers", many_headers, &[431]),
        ("bare line feeds", b"GET /alpha/ HTTP/1.1\nHost: x\n\n".to_vec(), &[200]),
        ("HTTP/1.0", b"GET /alpha/ HTTP/1.0\r\n\r\n".to_vec(), &[200]),
    ];
    for (what, bytes, statuses) in cases {
        let status = answer_to(&s, bytes);
        assert!(status.is_some_and(|st| statuses.contains(&st)), "{what}: {status:?} instead of {statuses:?}");
        assert_eq!(s.answer("/alpha/").status, 200, "after {what}");
    }
    // Two requests in one packet get two answers, in order.
    let mut stream = s.connect();
    stream.write_all(b"GET /alpha/ HTTP/1.1\r\n\r\nGET /tidak-ada HTTP/1.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut reader = BufReader::new(stream);
    assert_eq!(read_reply(&mut reader, false).unwrap().status, 200);
    assert_eq!(read_reply(&mut reader, false).unwrap().status, 404);
    assert!(s.alive());
}

/// Opens `count` connections that send `start` and then nothing more.
fn stalled(s: &Server, count: usize, start: &[u8]) -> Vec<TcpStream> {
    (0..count)
        .map(|_| {
            let mut stream = s.connect();
            stream.write_all(start).unwrap();
            stream
        })
        .collect()
}

/// Whether the server closed `stream` (after an optional answer) by `deadline`.
fn closed_by(stream: &mut TcpStream, deadline: Instant) -> bool {
    let mut chunk = [0; 1024];
    loop {
        let Some(left) = deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero()) else {
            return false;
        };
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut chunk) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return false;
            }
            Err(_) => return true,
        }
    }
}

#[test]
fn slow_and_stalled_clients_hold_up_nobody_and_are_let_go() {
    let p = Project::fixture("basic");
    // Bigger than what the socket buffers on both sides hold (the reader's is made small below).
    let big: Vec<u8> = (0..16u32 << 20).map(|i| (i % 251) as u8).collect();
    p.write("content/static/besar.bin", &big);
    let mut s = Server::start(&p);
    let opened = Instant::now();
    let mut slowloris = stalled(&s, 100, b"GET /alpha/ HTTP/1.1\r\nHo");
    let mut silent = stalled(&s, 20, b"");
    let mut never_reads = s.connect();
    small_receive_buffer(&never_reads);
    never_reads.write_all(b"GET /alpha/besar.bin HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut channel = s.connect();
    channel.write_all(b"GET /__bimtek/events?since=0 HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();

    // Meanwhile, an ordinary client is answered at once, again and again.
    for path in PATHS.iter().cycle().take(60).filter(|(m, _)| *m == "GET").map(|(_, p)| p) {
        let reply = s.answer(path);
        assert!(matches!(reply.status, 200 | 301 | 404), "{path}: {}", reply.status);
    }
    let mut reader = BufReader::new(channel.try_clone().unwrap());
    let event = read_reply_head(&mut reader);
    assert!(event.starts_with("HTTP/1.1 200") && event.contains("text/event-stream"), "{event}");

    // The stalled ones are let go: a request head has a time limit, and so does a write that the
    // client never takes.
    let deadline = opened + Duration::from_secs(30);
    for (n, stream) in slowloris.iter_mut().enumerate() {
        assert!(closed_by(stream, deadline), "slow client {n} still connected after {:?}", opened.elapsed());
    }
    for (n, stream) in silent.iter_mut().enumerate() {
        assert!(closed_by(stream, deadline), "silent client {n} still connected after {:?}", opened.elapsed());
    }
    // Now read the big file: the server gave up on it, so it ends early.
    std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
    let mut got = Vec::new();
    never_reads.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let _ = never_reads.read_to_end(&mut got);
    assert!(got.len() < big.len(), "the server waited for a client that never reads: {} bytes", got.len());
    // The reload channel is long-lived by design and still open.
    assert!(!closed_by(&mut channel, Instant::now() + Duration::from_millis(200)));
    assert!(s.alive());
    assert_eq!(s.answer("/alpha/").status, 200);
}

/// Linux grows a loopback receive buffer up to 32 MB, enough to swallow the whole file unread.
#[cfg(target_os = "linux")]
fn small_receive_buffer(stream: &TcpStream) {
    use std::os::fd::AsRawFd;
    let size: libc::c_int = 256 * 1024;
    // SAFETY: a valid socket and a pointer to a live c_int of the given length.
    let set = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&raw const size).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(set, 0);
}

#[cfg(not(target_os = "linux"))]
fn small_receive_buffer(_: &TcpStream) {}

fn read_reply_head(reader: &mut impl BufRead) -> String {
    let mut head = String::new();
    while reader.read_line(&mut head).unwrap() > 2 && !head.ends_with("\r\n\r\n") {}
    head
}

#[test]
fn a_flood_of_connections_stays_bounded_and_pages_still_get_through() {
    let p = Project::fixture("basic");
    let mut s = Server::start(&p);
    // Reload channels first, each answered: a stream, or a refusal when there are too many.
    let mut channels = stalled(&s, 100, b"GET /__bimtek/events?since=0&page=alpha%2F HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut streams = 0;
    for channel in &mut channels {
        let head = read_reply_head(&mut BufReader::new(channel));
        assert!(head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.1 503"), "{head}");
        streams += usize::from(head.starts_with("HTTP/1.1 200"));
    }
    assert!(streams > 0 && streams < channels.len(), "{streams} of {} reload channels kept", channels.len());
    // Then more stalled connections than the server keeps threads for.
    let flood = stalled(&s, 400, b"GET /alpha/ HTTP/1.1\r\n");
    for path in ["/alpha/", "/beta/modul/etika/", "/alpha/assets/style.css", "/alpha/cari/meta.json"] {
        assert_eq!(s.answer(path).status, 200, "{path} during the flood");
    }
    #[cfg(target_os = "linux")]
    {
        let threads = s.threads();
        assert!(threads < flood.len(), "{threads} threads for {} stalled connections", flood.len());
    }
    // The reload channels kept are still open.
    let open =
        channels.iter_mut().map(|c| closed_by(c, Instant::now() + Duration::from_millis(100))).filter(|c| !c).count();
    assert_eq!(open, streams, "reload channels were closed to make room for the flood");
    drop(flood);
    assert!(s.alive());
    assert_eq!(s.answer("/alpha/").status, 200);
}
