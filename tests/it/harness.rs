//! A fixture project copied into a temporary folder, changed by the test, built by the real binary,
//! and its pages read back as parsed HTML.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use scraper::{Html, Selector};

pub struct Project {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

/// What one run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    pub fn assert_ok(&self) -> &Run {
        assert_eq!(self.code, 0, "expected success\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    pub fn assert_error(&self, location: &str, message: &str) -> &Run {
        assert_eq!(self.code, 1, "expected exit 1\nstderr:\n{}", self.stderr);
        let found = self
            .stderr
            .split("\n\n")
            .any(|block| block.contains(&format!("error: {message}")) && block.contains(&format!("--> {location}\n")));
        assert!(found, "expected `error: {message}` at `{location}` in:\n{}", self.stderr);
        self
    }
}

/// Copies a folder's files into another, over what is there (as `cp -R from/. to/`).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bimtek"))
}

impl Project {
    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name), &root);
        Project { _dir: dir, root }
    }

    /// A copy of the repository's own sample project (bimtek.yaml, content/, themes/).
    pub fn sample() -> Project {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        fs::create_dir_all(&root).unwrap();
        fs::copy(repo.join("bimtek.yaml"), root.join("bimtek.yaml")).unwrap();
        copy_tree(&repo.join("content"), &root.join("content"));
        Project { _dir: dir, root }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> &Project {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Replaces `from` by `to` in a file, failing when `from` is not there (a test of nothing).
    pub fn edit(&self, rel: &str, from: &str, to: &str) -> &Project {
        let text = self.read(rel);
        assert!(text.contains(from), "`{from}` not in {rel}");
        self.write(rel, text.replacen(from, to, 1))
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(bin().args(args).current_dir(&self.root).output().unwrap())
    }

    pub fn build(&self) -> Run {
        self.run(&["build"])
    }

    pub fn out(&self) -> PathBuf {
        self.path("output")
    }

    pub fn page(&self, rel: &str) -> Page {
        Page { html: Html::parse_document(&self.read(&format!("output/{rel}"))) }
    }
}

/// Every file under `dir`, path -> bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

pub struct Page {
    pub html: Html,
}

pub fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

impl Page {
    /// The text of every element matching `css`, whitespace folded.
    pub fn texts(&self, css: &str) -> Vec<String> {
        self.html
            .select(&sel(css))
            .map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    pub fn text(&self, css: &str) -> String {
        let texts = self.texts(css);
        assert!(!texts.is_empty(), "nothing matches `{css}`");
        texts[0].clone()
    }

    pub fn attrs(&self, css: &str, attr: &str) -> Vec<String> {
        self.html.select(&sel(css)).filter_map(|e| e.value().attr(attr).map(str::to_owned)).collect()
    }
}

/// The policy the test server sends with every response: the one the build recommends in
/// `_headers`, with no eval, no inline code and Trusted Types on, so a script that needs any of
/// them fails its test.
pub const STRICT_CSP: &str = bimtek::render::CONTENT_SECURITY_POLICY;

/// A static file server for browser tests; [`Server::cut`] takes the network away.
pub struct Server {
    pub port: u16,
    down: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Server {
    /// From now on every connection is dropped unanswered, as with no signal.
    pub fn cut(&self) {
        self.down.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}

/// Serves `root` over HTTP on a free loopback port, as static hosting would, under [`STRICT_CSP`].
pub fn serve(root: PathBuf) -> Server {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let down = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let is_down = down.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            if is_down.load(std::sync::atomic::Ordering::SeqCst) {
                continue;
            }
            let mut request = String::new();
            let _ = BufReader::new(&stream).read_line(&mut request);
            let path = request.split_whitespace().nth(1).unwrap_or("/").split('?').next().unwrap_or("/").to_owned();
            let mut file = root.join(path.trim_start_matches('/'));
            if path.ends_with('/') {
                file = file.join("index.html");
            }
            let (status, body) = match (path.contains(".."), fs::read(&file)) {
                (false, Ok(body)) => ("200 OK", body),
                _ => ("404 Not Found", Vec::new()),
            };
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript",
                Some("json") => "application/json",
                Some("css") => "text/css",
                Some("svg") => "image/svg+xml",
                Some("png") => "image/png",
                Some("webmanifest") => "application/manifest+json",
                _ => "application/octet-stream",
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
                 Content-Security-Policy: {STRICT_CSP}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    Server { port, down }
}

/// `bimtek serve --port 0` on a project, stopped when dropped.
pub struct DevServer {
    pub child: std::process::Child,
    /// `127.0.0.1:<port>`, read from what it prints.
    pub address: String,
}

impl DevServer {
    pub fn start(p: &Project) -> DevServer {
        use std::io::BufRead;
        let mut child = bin()
            .args(["serve", "--port", "0"])
            .current_dir(&p.root)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let address = loop {
            let line = lines.next().expect("serve exited").unwrap();
            if let Some(rest) = line.split_once("at http://") {
                break rest.1.split('/').next().unwrap().to_owned();
            }
        };
        // Keep reading its output so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        assert!(address.starts_with("127.0.0.1:"), "serves on loopback by default: {address}");
        DevServer { child, address }
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
