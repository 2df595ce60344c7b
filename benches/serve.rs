//! `cargo bench --bench serve`: how long after a trainer saves one module of a 1,000-module project
//! (`examples/corpus.rs`, 5 regencies) `bimtek serve` has the new page ready, measured from the
//! save to the page fetched with the change in it, through the server's reload channel. The
//! browser's own reload adds its page load on top. Issue 6's target is 200 ms.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn get(address: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(address).expect("connect");
    // One write: `write!` sends each piece as its own packet, and Nagle's algorithm then holds
    // the rest back until the server's delayed ACK, adding ~40 ms to what is measured.
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("request");
    let mut body = String::new();
    stream.read_to_string(&mut body).expect("response");
    body
}

fn main() {
    // Only under `cargo bench`, not as a smoke test under `cargo test`.
    if std::env::args().all(|a| a != "--bench") {
        println!("serve benchmark: run it with `cargo bench --bench serve`");
        return;
    }
    let modules = "1000";
    let dir = tempfile::tempdir().expect("temp dir");
    let project = dir.path().join("project");
    // Its own target folder: `cargo bench` holds the lock on ours while this runs.
    let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-corpus");
    let made = Command::new(env!("CARGO"))
        .env("CARGO_TARGET_DIR", target)
        .args(["run", "--quiet", "--release", "--example", "corpus", "--"])
        .arg(&project)
        .args(["--modules", modules])
        .status()
        .expect("cargo");
    assert!(made.success(), "the corpus generator failed");

    let mut server = Command::new(env!("CARGO_BIN_EXE_bimtek"))
        .args(["serve", "--port", "0"])
        .current_dir(&project)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("bimtek serve");
    let mut lines = BufReader::new(server.stdout.take().expect("stdout")).lines();
    let mut first_build = String::new();
    let address = loop {
        let line = lines.next().expect("serve exited").expect("line");
        if line.starts_with("built in") {
            first_build = line.clone();
        }
        if let Some((_, rest)) = line.split_once("at http://") {
            break rest.split('/').next().expect("address").to_owned();
        }
    };
    let rebuilds = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = rebuilds.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            log.lock().expect("log").push(line);
        }
    });

    let module = std::fs::read_dir(project.join("content/modules"))
        .expect("modules")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .min()
        .expect("a module");
    let slug = module.file_stem().expect("name").to_string_lossy().into_owned();
    let page = format!("/bengkayang/modul/{slug}/");
    let mut channel = TcpStream::connect(&address).expect("connect");
    channel.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    // As live.js does: the page says which page it is, so the server renders it first.
    let request = format!("GET /__bimtek/events?since=1&page={page} HTTP/1.1\r\nHost: x\r\n\r\n");
    channel.write_all(request.as_bytes()).expect("events");
    let mut channel = BufReader::new(channel);

    let runs = 7;
    let mut times = Vec::new();
    for run in 0..runs {
        let marker = format!("Penanda uji kecepatan nomor {run}.");
        let text = std::fs::read_to_string(&module).expect("module");
        let started = Instant::now();
        std::fs::write(&module, format!("{text}\n{marker}\n")).expect("save");
        let mut line = String::new();
        loop {
            line.clear();
            channel.read_line(&mut line).expect("event");
            if line.starts_with("data: ") {
                break;
            }
        }
        let body = get(&address, &page);
        let elapsed = started.elapsed();
        assert!(body.contains(&marker), "the page does not show the change; the event was {line}");
        times.push(elapsed);
        // serve shows the open page first, then builds the rest: wait for that second event
        // (it changes the worker), so the next save is not answered by this one's leftovers.
        while !line.contains("bengkayang/sw.js") {
            line.clear();
            channel.read_line(&mut line).expect("event");
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let _ = server.kill();
    let _ = server.wait();
    times.sort();
    let median = times[times.len() / 2];
    println!("{first_build}");
    println!(
        "serve, {modules} modules x 5 regencies: save -> changed page served, median {:.0} ms over {runs} saves \
         (min {:.0}, max {:.0}); target 200 ms",
        median.as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0
    );
    for line in rebuilds.lock().expect("log").iter().filter(|l| l.starts_with("built") || l.starts_with("shown")) {
        println!("  {line}");
    }
}
