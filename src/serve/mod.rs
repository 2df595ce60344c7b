//! Stage 8, serve: `bimtek serve` builds the project in memory, serves it as static hosting would,
//! rebuilds when `content/`, `themes/` or `bimtek.yaml` change, and tells open pages what changed:
//! they reload when something they show changed, or show the build's errors over the last good
//! site, which stays served until the content is fixed.

mod conn;
mod http;
mod watch;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::output::{Body, Output, Previous};
use crate::site::ModuleCache;
use crate::{BuildOptions, Failure, Reuse};

pub struct ServeOptions {
    pub root: PathBuf,
    pub address: SocketAddr,
    pub drafts: bool,
    pub open: bool,
}

/// What the server shows: the last good site, and the problems of the latest build if it failed.
#[derive(Default)]
pub struct State {
    /// Counts builds, good or bad; pages poll for a change of it.
    pub generation: u64,
    pub site: Option<Arc<Output>>,
    /// Each problem of the latest build as printed on the terminal, empty when it succeeded.
    pub errors: Vec<String>,
    /// Output paths that differ from the previous good site (all of them after the first build).
    pub changed: BTreeSet<String>,
    /// Wall time of the latest build.
    pub millis: u128,
}

/// The state, shared by the builder and the request threads, with a signal for each new build.
#[derive(Default)]
pub struct Hub {
    state: Mutex<State>,
    signal: Condvar,
    /// Output paths of the pages open in a browser, with how many tabs show each.
    open: Mutex<std::collections::BTreeMap<String, usize>>,
}

/// A page counted as open until this is dropped.
pub struct OpenPage<'a> {
    hub: &'a Hub,
    path: String,
}

impl Drop for OpenPage<'_> {
    fn drop(&mut self) {
        let mut open = self.hub.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&self.path) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.path);
            }
        }
    }
}

impl Hub {
    /// Counts the page at URL path `page` (without its leading `/`) as open.
    pub fn open(&self, page: String) -> OpenPage<'_> {
        let page = page.trim_start_matches('/');
        let path = if page.is_empty() || page.ends_with('/') { format!("{page}index.html") } else { page.to_owned() };
        *self.open.lock().unwrap_or_else(|p| p.into_inner()).entry(path.clone()).or_default() += 1;
        OpenPage { hub: self, path }
    }

    fn open_pages(&self) -> BTreeSet<String> {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).keys().cloned().collect()
    }

    pub fn snapshot(&self) -> (u64, Option<Arc<Output>>) {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        (state.generation, state.site.clone())
    }

    /// Waits up to `timeout` for a build newer than `seen`; returns its state's summary.
    pub fn wait_newer(&self, seen: u64, timeout: Duration) -> Option<Event> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (state, _) =
            self.signal.wait_timeout_while(state, timeout, |s| s.generation <= seen).unwrap_or_else(|p| p.into_inner());
        (state.generation > seen).then(|| Event {
            generation: state.generation,
            // A page that missed a build cannot know what it changed: it reloads.
            changed: if state.generation == seen + 1 { Some(state.changed.iter().cloned().collect()) } else { None },
            errors: state.errors.clone(),
        })
    }

    fn publish(&self, result: Result<Output, Vec<String>>, millis: u128, touched: &BTreeSet<PathBuf>) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.generation += 1;
        state.millis = millis;
        match result {
            Ok(site) => {
                state.changed = match &state.site {
                    Some(old) => changed_paths(old, &site, touched),
                    None => site.paths().map(str::to_owned).collect(),
                };
                state.site = Some(Arc::new(site));
                state.errors.clear();
            }
            Err(errors) => {
                state.changed.clear();
                state.errors = errors;
            }
        }
        self.signal.notify_all();
    }
}

/// What a page is told after a build.
pub struct Event {
    pub generation: u64,
    /// `None` when the page must reload whatever changed.
    pub changed: Option<Vec<String>>,
    pub errors: Vec<String>,
}

/// Output paths whose content differs; `touched` are the files the watcher saw change, since a
/// copied file may change on disk while its source path stays the same.
fn changed_paths(old: &Output, new: &Output, touched: &BTreeSet<PathBuf>) -> BTreeSet<String> {
    let touched: BTreeSet<PathBuf> = touched.iter().filter_map(|p| p.canonicalize().ok()).collect();
    let same = |a: &Body, b: &Body| match (a, b) {
        (Body::Copy(x), Body::Copy(y)) => x == y && x.canonicalize().is_ok_and(|x| !touched.contains(&x)),
        // A page reused from the previous build shares its bytes.
        (Body::Bytes(x), Body::Bytes(y)) if Arc::ptr_eq(x, y) => true,
        _ => matches!((a.bytes(), b.bytes()), (Ok(x), Ok(y)) if x == y),
    };
    let mut changed: BTreeSet<String> = new
        .paths()
        .filter(|p| !old.get(p).zip(new.get(p)).is_some_and(|(a, b)| same(a, b)))
        .map(str::to_owned)
        .collect();
    changed.extend(old.paths().filter(|p| new.get(p).is_none()).map(str::to_owned));
    changed
}

/// Builds once, then serves until the process is stopped, rebuilding on every change.
pub fn run(options: ServeOptions) -> Result<(), String> {
    let hub = Arc::new(Hub::default());
    let build_options = BuildOptions {
        root: options.root.clone(),
        out: None,
        sites: Vec::new(),
        shard: None,
        drafts: options.drafts,
        minify: false,
        timestamp: None,
    };
    // Watch before the first build: a save made while it runs, or just after the address is
    // printed, must still reach the site.
    let (events, changes) = std::sync::mpsc::channel();
    let mut watcher = watch::start(&options.root, events).map_err(|e| format!("cannot watch the project: {e}"))?;
    let modules = Arc::new(ModuleCache::default());
    rebuild(&hub, &build_options, &modules, &BTreeSet::new());
    let listener = std::net::TcpListener::bind(options.address)
        .map_err(|e| format!("cannot listen on {}: {e}", options.address))?;
    let address = listener.local_addr().map_or_else(|_| options.address.to_string(), |a| a.to_string());
    println!("serving {} at http://{address}/ (stop with Ctrl+C)", options.root.display());
    if !options.address.ip().is_loopback() {
        eprintln!(
            "warning: listening on {}: anyone who can reach this machine can read the site",
            options.address.ip()
        );
    }
    if options.open {
        open_browser(&format!("http://{address}/"));
    }
    let builder_hub = hub.clone();
    std::thread::spawn(move || {
        while let Ok(mut paths) = changes.recv() {
            // Saves come in bursts; one build for all of them.
            while let Ok(more) = changes.recv_timeout(Duration::from_millis(30)) {
                paths.extend(more);
            }
            watcher.rewatch(&paths);
            rebuild(&builder_hub, &build_options, &modules, &paths);
        }
    });
    http::serve(listener, hub);
    Ok(())
}

fn rebuild(hub: &Hub, options: &BuildOptions, modules: &ModuleCache, paths: &BTreeSet<PathBuf>) {
    let started = Instant::now();
    let what = if paths.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = paths.iter().take(3).map(|p| p.display().to_string()).collect();
        format!(" after {}{}", names.join(", "), if paths.len() > 3 { ", ..." } else { "" })
    };
    let failed = |diagnostics: Vec<crate::diagnostics::Diagnostic>| {
        let errors: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        for e in &errors {
            eprintln!("{e}");
        }
        eprintln!("build failed{what}; still serving the last good site");
        errors
    };
    // First the pages open in a browser, so they reload at once; then the rest of the site (the
    // search index, other pages, the offline files), which reuses every page just rendered.
    let open = hub.open_pages();
    let last = hub.snapshot().1;
    if let (Some(last), false) = (&last, open.is_empty() || paths.is_empty()) {
        let previous = Previous::from_output(last);
        let reuse = Reuse { pages: Some(&previous), modules: Some(modules), only: Some(&open), ..Reuse::default() };
        match crate::regenerate(options, reuse) {
            Ok((pages, _)) => {
                let mut site = Output::clone(last);
                site.overlay(pages);
                let millis = started.elapsed().as_millis();
                println!(
                    "shown {} open page{} in {millis} ms{what}",
                    open.len(),
                    if open.len() == 1 { "" } else { "s" }
                );
                hub.publish(Ok(site), millis, paths);
            }
            Err(Failure { diagnostics }) => {
                hub.publish(Err(failed(diagnostics)), started.elapsed().as_millis(), paths);
                return;
            }
        }
    }
    let previous = hub.snapshot().1.map(|site| Previous::from_output(&site)).unwrap_or_default();
    let reuse = Reuse { pages: Some(&previous), modules: Some(modules), ..Reuse::default() };
    let result = crate::regenerate(options, reuse).map(|(output, _)| output);
    let millis = started.elapsed().as_millis();
    match result {
        Ok(site) => {
            println!("built in {millis} ms{what}");
            hub.publish(Ok(site), millis, paths);
        }
        Err(Failure { diagnostics }) => hub.publish(Err(failed(diagnostics)), millis, paths),
    }
}

fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    if std::process::Command::new(command.0).args(command.1).spawn().is_err() {
        eprintln!("could not open a browser; open {url} yourself");
    }
}
