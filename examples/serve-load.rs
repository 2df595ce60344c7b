//! The long load run of `bimtek serve` (issue 8), beside the short one `cargo test` makes
//! (`tests/it/serve_attack.rs`):
//!
//!     cargo run --release --example serve-load -- [--requests 100000] [--clients 50] [--save-every 100] [--root DIR]
//!
//! Serves a copy of this repository's sample project (or DIR, left untouched: it is copied too)
//! on a free loopback port, in a child process, and crawls it from `/` for its pages, assets and
//! calendars. Then `--clients` threads, half on kept-alive connections and half opening one per
//! request, make `--requests` requests in all over those addresses, misses and redirects, while a
//! module is saved every `--save-every` milliseconds (0: never). Every answer must be whole: a status of 200, 301 or 404, the
//! Content-Length its body has, and pages that end in `</html>`. Prints the rate, the failures
//! and the latencies.

use std::collections::{BTreeSet, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Reply {
    status: u16,
    html: bool,
    body: Vec<u8>,
}

/// One request on `stream` (a new connection when `None`); the stream stays open if both sides
/// keep it alive.
fn request(
    address: SocketAddr,
    stream: &mut Option<BufReader<TcpStream>>,
    path: &str,
    keep: bool,
) -> Result<Reply, String> {
    if stream.is_none() {
        let s = TcpStream::connect(address).map_err(|e| format!("connect: {e}"))?;
        s.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
        *stream = Some(BufReader::new(s));
    }
    let reader = stream.as_mut().ok_or("no connection")?;
    let connection = if keep { "keep-alive" } else { "close" };
    // In one write: `write!` sends each piece apart, and Nagle's algorithm then holds the rest
    // of the request until the server's delayed acknowledgement, 40 ms later.
    let head = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: {connection}\r\n\r\n");
    reader.get_mut().write_all(head.as_bytes()).map_err(|e| format!("write: {e}"))?;
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|e| format!("status: {e}"))?;
    let status = line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or(format!("status line {line:?}"))?;
    let (mut length, mut html, mut close) = (None, false, !keep);
    loop {
        line.clear();
        reader.read_line(&mut line).map_err(|e| format!("header: {e}"))?;
        if line == "\r\n" {
            break;
        }
        let (name, value) = line.split_once(':').ok_or(format!("header {line:?}"))?;
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok(),
            "content-type" => html = value.contains("text/html"),
            "connection" => close |= value.trim() == "close",
            _ => {}
        }
    }
    let mut body = vec![0; length.ok_or("no Content-Length")?];
    reader.read_exact(&mut body).map_err(|e| format!("body: {e}"))?;
    if close {
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).map_err(|e| format!("after the body: {e}"))?;
        if !rest.is_empty() {
            return Err(format!("{} bytes past Content-Length", rest.len()));
        }
        *stream = None;
    }
    Ok(Reply { status, html, body })
}

/// The site's addresses, found by following relative links from `/`.
fn crawl(address: SocketAddr, limit: usize) -> Vec<String> {
    let mut found = BTreeSet::from(["/".to_owned()]);
    let mut queue = VecDeque::from(["/".to_owned()]);
    let mut stream = None;
    while let Some(page) = queue.pop_front() {
        let Ok(reply) = request(address, &mut stream, &page, true) else { continue };
        if !reply.html {
            continue;
        }
        let text = String::from_utf8_lossy(&reply.body);
        for link in text.split(['"', '\'']).filter(|s| !s.contains(':') && !s.starts_with('#') && !s.is_empty()) {
            let link = link.split(['#', '?']).next().unwrap_or_default();
            let looks_like_path = link.ends_with('/') || link.rsplit('/').next().is_some_and(|n| n.contains('.'));
            if !looks_like_path || link.contains(' ') || link.contains('<') {
                continue;
            }
            let url = normalise(&page, link);
            if found.len() < limit && found.insert(url.clone()) {
                queue.push_back(url);
            }
        }
    }
    found.into_iter().collect()
}

/// `link` relative to the page at `base`, with `.` and `..` applied.
fn normalise(base: &str, link: &str) -> String {
    let joined = if link.starts_with('/') {
        link.to_owned()
    } else {
        format!("{}{link}", &base[..=base.rfind('/').unwrap_or(0)])
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/').skip(1) {
        match part {
            ".." => {
                parts.pop();
            }
            "." => {}
            _ => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The server's peak memory and its threads now, where the system tells.
fn server_status(pid: u32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| status.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_owned());
    match (field("VmHWM:"), field("Threads:")) {
        (Some(memory), Some(threads)) => format!("server: peak memory {memory}, {threads} threads at the end"),
        _ => "server: no figures for memory and threads here".to_owned(),
    }
}

fn copy_project(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("read the project");
        let rel = entry.path().strip_prefix(from).expect("inside");
        let first = rel.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned());
        if !matches!(first.as_deref(), None | Some("content" | "themes" | "bimtek.yaml")) {
            continue;
        }
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("folder");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The server runs in a child process (this program again, with `--serve`), so its build log
/// stays out of the report and it stops before the project is deleted.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).is_some_and(|a| a == "--serve") {
        let [_, _, root, address] = &args[..] else { panic!("--serve ROOT ADDRESS") };
        let address = address.parse().expect("address");
        let options = bimtek::serve::ServeOptions { root: root.into(), address, drafts: false, open: false };
        if let Err(e) = bimtek::serve::run(options) {
            eprintln!("{e}");
        }
        return;
    }
    let (mut requests, mut clients, mut root) = (100_000usize, 50usize, PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let mut save_every = 100u64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--requests" => requests = value.parse().expect("--requests N"),
            "--clients" => clients = value.parse().expect("--clients N"),
            "--root" => root = value.into(),
            "--save-every" => save_every = value.parse().expect("--save-every MILLISECONDS"),
            _ => panic!("unknown option {arg}"),
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let project = dir.path().join("project");
    copy_project(&root, &project);

    // A free port, handed to the server.
    let address = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port");
    let server = Child(
        std::process::Command::new(std::env::current_exe().expect("this program"))
            .arg("--serve")
            .arg(&project)
            .arg(address.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start the server"),
    );
    let started = Instant::now();
    while TcpStream::connect(address).is_err() {
        assert!(started.elapsed() < Duration::from_secs(120), "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut paths = crawl(address, 400);
    let pages = paths.len();
    let regency = paths.iter().find_map(|p| p.strip_prefix('/')?.split_once('/').map(|(r, _)| r.to_owned()));
    let regency = regency.expect("a regency in the site");
    paths.extend([format!("/{regency}/tidak-ada/"), format!("/{regency}"), "/%2e%2e/bimtek.yaml".to_owned()]);
    let paths = Arc::new(paths);

    let module = walkdir::WalkDir::new(project.join("content/modules"))
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .min()
        .expect("a module to edit");
    let done = Arc::new(AtomicBool::new(false));
    let editor = {
        let (done, temp, module) = (done.clone(), project.join(".save.tmp"), module.clone());
        let original = std::fs::read_to_string(&module).expect("module");
        std::thread::spawn(move || {
            let mut saves = 0;
            while save_every > 0 && !done.load(Ordering::SeqCst) {
                saves += 1;
                std::fs::write(&temp, format!("{original}\nPenanda beban nomor {saves}.\n")).expect("save");
                std::fs::rename(&temp, &module).expect("rename");
                std::thread::sleep(Duration::from_millis(save_every));
            }
            saves
        })
    };

    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|c| {
            let (paths, failures) = (paths.clone(), failures.clone());
            let count = requests / clients + usize::from(c < requests % clients);
            std::thread::spawn(move || {
                let mut stream = None;
                let mut times = Vec::with_capacity(count);
                for i in 0..count {
                    let path = &paths[(c * 7919 + i) % paths.len()];
                    let sent = Instant::now();
                    let result = request(address, &mut stream, path, c % 2 == 0);
                    times.push(sent.elapsed());
                    let problem = match result {
                        Err(e) => Some(e),
                        Ok(r) if !matches!(r.status, 200 | 301 | 404) => Some(format!("status {}", r.status)),
                        Ok(r) if r.html && !String::from_utf8_lossy(&r.body).trim_end().ends_with("</html>") => {
                            Some("a page cut short".to_owned())
                        }
                        Ok(_) => None,
                    };
                    if let Some(problem) = problem {
                        stream = None;
                        failures.lock().expect("failures").push(format!("{path}: {problem}"));
                    }
                }
                times
            })
        })
        .collect();
    let mut times: Vec<Duration> = workers.into_iter().flat_map(|w| w.join().expect("client")).collect();
    let elapsed = started.elapsed();
    done.store(true, Ordering::SeqCst);
    let saves = editor.join().expect("editor");
    let server = server_status(server.0.id());
    times.sort();
    let at = |share: f64| times[((times.len() as f64 * share) as usize).min(times.len() - 1)].as_secs_f64() * 1000.0;
    let failures = failures.lock().expect("failures");
    println!(
        "{} requests from {clients} clients over {} addresses ({pages} crawled) in {:.1} s: {:.0} requests/s, \
         {} failed; latency p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms; {saves} saves of {} meanwhile; {server}",
        times.len(),
        paths.len(),
        elapsed.as_secs_f64(),
        times.len() as f64 / elapsed.as_secs_f64(),
        failures.len(),
        at(0.5),
        at(0.99),
        at(1.0),
        module.strip_prefix(&project).unwrap_or(&module).display(),
    );
    for failure in failures.iter().take(10) {
        println!("  {failure}");
    }
    if !failures.is_empty() {
        std::process::exit(1);
    }
}
