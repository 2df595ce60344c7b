//! bimtek: a static site generator for the technical guidance (bimtek) of Indonesia's election
//! committees. Markdown modules and YAML schedules go in; one static site per regency comes out.
//!
//! The data flows through one module per stage:
//! [`config`] -> [`content`] (load, parse) -> [`markdown`] / [`schedule`] -> [`site`] (model)
//! -> [`render`] -> [`output`] (the only writer).

#![allow(clippy::result_large_err, reason = "a Diagnostic is only built on the error path, where size does not matter")]

pub mod check;
pub mod codec;
pub mod config;
pub mod content;
pub mod date;
pub mod diagnostics;
pub mod fuzzing;
pub mod hash;
pub mod i18n;
pub mod markdown;
pub mod output;
pub mod render;
pub mod scaffold;
pub mod schedule;
pub mod search;
pub mod serve;
pub mod shard;
pub mod site;
pub mod theme;
pub mod yaml;

/// mimalloc instead of the system allocator: a build makes and frees millions of small strings on
/// several threads, and glibc's malloc and free were a fifth of a build's CPU time (a 10,000-module
/// build took 22% less CPU with mimalloc). Set here, not in `main.rs`, so the benchmarks, which
/// call the library, measure what the binary runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Has mimalloc give freed memory back to the system 50 ms after it is freed, not its default of
/// a second: a build frees a module's texts and HTML as it goes, and with the default a
/// 50,000-module build peaked at 923,000-970,000 KiB, too close to its 1 GB budget; with 50 ms,
/// at 886,000-904,000 KiB. It costs some 0.15 s of a 10,000-module build's 2.9 s (pages touch
/// fresh memory more often); 250 ms cost nothing there but left the peak at 921,000-929,000.
fn tune_allocator() {
    // `mi_option_purge_delay` in mimalloc.h (v2 and v3), which `libmimalloc-sys` does not name.
    const PURGE_DELAY: std::ffi::c_int = 15;
    unsafe extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    // SAFETY: sets one of mimalloc's options, read as it decides when to purge; no pointer.
    unsafe { mi_option_set(PURGE_DELAY, 50) }
}

use std::path::{Path, PathBuf};
use std::time::Instant;

use config::{CONFIG_FILE, Config};
use diagnostics::{Diagnostic, Diagnostics};
use output::{Body, Output, Previous};

/// With `BIMTEK_TIMINGS=1`, prints how long each stage took to stderr: where a build's time goes.
pub(crate) fn lap(stage: &str, since: &mut Instant) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *ON.get_or_init(|| env_flag("BIMTEK_TIMINGS")) {
        // CPU time beside wall time: their ratio says how well a stage kept the cores busy.
        static CPU_BEFORE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let cpu = cpu_ms();
        let spent = cpu.saturating_sub(CPU_BEFORE.swap(cpu, std::sync::atomic::Ordering::Relaxed));
        let wall = since.elapsed().as_secs_f64() * 1000.0;
        eprintln!("{stage:>10}: {wall:>6.0} ms, cpu {spent:>5} ms {}", resident());
    }
    *since = Instant::now();
}

/// CPU time this process has used, user and system, in milliseconds, as Linux reports it (in
/// clock ticks, 100 a second on the kernels that matter here); 0 elsewhere.
fn cpu_ms() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command, which is in parentheses and may hold spaces.
    let after_command = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let field = |n: usize| after_command.split_whitespace().nth(n).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime, fields 14 and 15 of the whole line.
    (field(11) + field(12)) * 10
}

/// With `BIMTEK_BENCH_NO_SEARCH=1`, a build leaves the search index out: only to measure what
/// the index adds to a build (`benches/vs-hugo/run.sh` does); such a site's search finds nothing.
pub(crate) fn without_search_index() -> bool {
    static OFF: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *OFF.get_or_init(|| env_flag("BIMTEK_BENCH_NO_SEARCH"))
}

/// Whether the developer switch `name` is on: set to anything but `0`.
fn env_flag(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| v != "0")
}

/// Memory now resident and at its peak, as Linux reports it: where a build's memory goes.
fn resident() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().replace(" kB", "")).unwrap_or_default()
    };
    let mb = |kb: String| kb.parse::<u64>().map(|kb| format!("{:>5} MB", kb / 1024)).unwrap_or_default();
    format!("{} now, {} peak", mb(field("VmRSS:")), mb(field("VmHWM:")))
}

/// What `build` and `check` were asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Defaults to `<root>/output`.
    pub out: Option<PathBuf>,
    /// Regency slugs to build; empty means all.
    pub sites: Vec<String>,
    /// Build only this part of the regencies, as planned by [`shard::plan`], with root files
    /// that list them all, so the parts merge into one site.
    pub shard: Option<shard::Shard>,
    pub drafts: bool,
    pub minify: bool,
    /// Unix time of the content (SOURCE_DATE_EPOCH), stamped into calendar feeds; never the clock.
    pub timestamp: Option<i64>,
}

/// A successful run.
#[derive(Debug)]
pub struct Report {
    pub out: PathBuf,
    pub regencies: usize,
    pub modules: usize,
    pub files: usize,
    /// What writing the output folder did (`None` when nothing was written).
    pub written: Option<output::trees::Written>,
    /// What a phone stores for a full offline copy of each regency.
    pub offline: Vec<render::offline::OfflineCopy>,
    /// Warnings only; a run with errors is a [`Failure`].
    pub warnings: Vec<Diagnostic>,
    pub seconds: f64,
}

/// A failed run: every problem found, sorted, warnings included.
#[derive(Debug)]
pub struct Failure {
    pub diagnostics: Vec<Diagnostic>,
}

/// What a build may take from earlier builds, and what it may leave out.
#[derive(Default, Clone, Copy)]
pub struct Reuse<'a> {
    /// Pages whose fingerprint did not change are taken from here, not rendered.
    pub pages: Option<&'a Previous>,
    /// Modules whose sources did not change are taken from here, not parsed.
    pub modules: Option<&'a site::ModuleCache>,
    /// Render only the pages at these paths and nothing else (`serve` shows the open pages first).
    pub only: Option<&'a std::collections::BTreeSet<String>>,
    /// Write pages here as they are rendered (`build`), rather than holding them in memory.
    pub sink: Option<&'a output::trees::Writer>,
    /// Documents tokenised and words stemmed by earlier builds, for the search index.
    pub search: Option<&'a std::sync::Mutex<search::cache::SearchCache>>,
    /// Where each regency's search index state is kept between builds.
    pub index_states: Option<&'a Path>,
}

/// Reads, validates and renders the project, returning the site's files without writing them.
pub fn generate(options: &BuildOptions) -> Result<(Output, Report), Failure> {
    run(options, false, Reuse::default())
}

/// [`generate`], taking what it can from earlier builds.
pub fn regenerate(options: &BuildOptions, reuse: Reuse) -> Result<(Output, Report), Failure> {
    run(options, false, reuse)
}

/// `bimtek check`: everything a build validates, plus the findings of [`check::findings`]; writes
/// nothing.
pub fn check(options: &BuildOptions) -> Result<Report, Failure> {
    run(options, true, Reuse::default()).map(|(_, report)| report)
}

fn run(options: &BuildOptions, thorough: bool, reuse: Reuse) -> Result<(Output, Report), Failure> {
    let no_pages = Previous::default();
    let previous = reuse.pages.unwrap_or(&no_pages);
    let started = Instant::now();
    let mut problems = Diagnostics::default();
    let root = &options.root;
    let fail = |problems: Diagnostics| Failure { diagnostics: problems.into_sorted() };

    let config_path = root.join(CONFIG_FILE);
    let config = match content::read_text(root, &config_path) {
        Ok(file) => Config::parse(&file.rel, &file.text),
        Err(_) if !config_path.exists() => Err(vec![
            Diagnostic::error(config_path.clone(), format!("no `{CONFIG_FILE}` here: this is not a bimtek project"))
                .with_hint("run bimtek in the project folder, or pass `--root <folder>`"),
        ]),
        Err(d) => Err(vec![d]),
    };
    let config = match config {
        Ok(c) => c,
        Err(d) => {
            problems.extend(d);
            return Err(fail(problems));
        }
    };
    let mut clock = Instant::now();
    let theme = theme::Theme::load(root, &config, &mut problems);
    let tera = render::compile(&theme, &mut problems);
    let stamps = reuse.modules.and_then(site::ModuleCache::known_stamps);
    let known = |rel: &Path, stamp: &content::Stamp| stamps.as_ref().and_then(|stamps| stamps.known(rel, stamp));
    let sources = content::load_with(root, stamps.as_ref().map(|_| &known as content::Known), &mut problems);
    drop(stamps);
    lap("load", &mut clock);
    let in_shard: Option<Vec<String>> = options.shard.map(|shard| {
        let plan = shard::plan(&shard::sites(&sources), shard.of);
        plan.into_iter().nth(shard.index - 1).unwrap_or_default()
    });
    // Checked before the model, so an unknown `--site` shows up with the content's own problems.
    let known: Vec<&str> = sources.regencies.iter().map(|r| r.slug.as_str()).collect();
    for wanted in &options.sites {
        if !known.contains(&wanted.as_str()) {
            problems.push(
                Diagnostic::error("content/regencies", format!("there is no regency `{wanted}`"))
                    .with_hint(format!("the regencies are: {}", known.join(", "))),
            );
        }
    }
    let site = site::assemble(
        config,
        theme.catalog.clone(),
        sources,
        &site::ModelOptions { drafts: options.drafts, cache: reuse.modules, lean: reuse.sink.is_some() },
        &mut problems,
    );
    lap("model", &mut clock);
    let (Some(site), Some(mut tera)) = (site, tera) else { return Err(fail(problems)) };
    render::set_globals(&mut tera, &site, &theme);
    if problems.has_errors() {
        return Err(fail(problems));
    }
    let chosen: Vec<&site::Regency> = match &in_shard {
        Some(slugs) => site.regencies.iter().filter(|r| slugs.contains(&r.slug)).collect(),
        None => site.regencies.iter().filter(|r| options.sites.is_empty() || options.sites.contains(&r.slug)).collect(),
    };
    // The root pages list every regency when sharded: each shard then writes the same root files.
    let listed: Vec<&site::Regency> = if in_shard.is_some() { site.regencies.iter().collect() } else { chosen.clone() };

    let mut output = render::render(
        &site,
        &theme,
        &tera,
        &chosen,
        &listed,
        &render::RenderOptions {
            minify: options.minify,
            previous,
            only: reuse.only,
            sink: reuse.sink,
            timestamp: options.timestamp,
            search: reuse.search,
            index_states: reuse.index_states,
        },
        &mut problems,
    );
    if reuse.only.is_some() {
        if problems.has_errors() {
            return Err(fail(problems));
        }
        return Ok((output, summary(options, &chosen, Vec::new(), problems, 0, started)));
    }
    lap("render", &mut clock);
    let offline = render::offline::add(&site, &chosen, &mut output, &mut problems);
    lap("offline", &mut clock);
    if thorough {
        problems.extend(check::findings(&chosen, &output));
    }
    for (path, text) in render::host_files(&site, &listed) {
        if let Err(e) = output.add(path.into(), Body::Bytes(text.into_bytes().into()), path) {
            problems.push(Diagnostic::error("content/static", format!("{path} clashes: {e:?}")));
        }
    }
    if problems.has_errors() {
        return Err(fail(problems));
    }
    let files = output.len();
    Ok((output, summary(options, &chosen, offline, problems, files, started)))
}

fn summary(
    options: &BuildOptions,
    chosen: &[&site::Regency],
    offline: Vec<render::offline::OfflineCopy>,
    problems: Diagnostics,
    files: usize,
    started: Instant,
) -> Report {
    Report {
        out: output_dir(options),
        regencies: chosen.len(),
        modules: chosen.iter().map(|r| r.modules.len()).sum(),
        files,
        written: None,
        offline,
        warnings: problems.into_sorted(),
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// `bimtek sites`: the project's regencies with their size, read without building anything.
pub fn sites(root: &Path) -> Result<Vec<shard::Site>, Failure> {
    let mut problems = Diagnostics::default();
    if !root.join(CONFIG_FILE).is_file() {
        problems.push(
            Diagnostic::error(root.join(CONFIG_FILE), format!("no `{CONFIG_FILE}` here: this is not a bimtek project"))
                .with_hint("run bimtek in the project folder, or pass `--root <folder>`"),
        );
        return Err(Failure { diagnostics: problems.into_sorted() });
    }
    let sources = content::load(root, &mut problems);
    if problems.has_errors() {
        return Err(Failure { diagnostics: problems.into_sorted() });
    }
    Ok(shard::sites(&sources))
}

pub fn output_dir(options: &BuildOptions) -> PathBuf {
    options.out.clone().unwrap_or_else(|| options.root.join("output"))
}

/// `bimtek build`: generate, then write into the output folder by swapping it whole.
pub fn build(options: &BuildOptions) -> Result<Report, Failure> {
    tune_allocator();
    let started = Instant::now();
    let out = output_dir(options);
    if let Err(d) = check_output_dir(&options.root, &out) {
        return Err(Failure { diagnostics: vec![d] });
    }
    let could_not_write = |e: std::io::Error| {
        Diagnostic::error(&out, format!("could not write the site: {e}"))
            .with_hint("the previous site in the output folder was left as it was; check free space and permissions")
    };
    let mut clock = Instant::now();
    // The caches are read while the writer reads its own state: each is a large file.
    let work = output::trees::work_dir(&out);
    let (cache_file, search_file, index_states) =
        (work.join("modules.bin"), work.join("search.bin"), work.join("index"));
    let (writer, (modules, search)) = rayon::join(
        || output::trees::Writer::begin(&out),
        || {
            rayon::join(
                || site::ModuleCache::load(&cache_file, &options.root),
                || std::sync::Mutex::new(search::cache::SearchCache::load(&search_file)),
            )
        },
    );
    let mut writer = writer.map_err(|e| Failure { diagnostics: vec![could_not_write(e)] })?;
    let previous = writer.published();
    lap("caches", &mut clock);
    let reuse = Reuse {
        pages: Some(&previous),
        modules: Some(&modules),
        sink: Some(&writer),
        search: Some(&search),
        index_states: Some(&index_states),
        ..Reuse::default()
    };
    let (output, mut report) = match regenerate(options, reuse) {
        Ok(done) => done,
        Err(failure) => {
            writer.abandon();
            return Err(failure);
        }
    };
    clock = Instant::now();
    // The caches are only a shortcut for the next build: failing to store them fails nothing.
    // Stored while the site is written: each is a large file of its own.
    let ((), finished) = rayon::join(
        || {
            rayon::join(
                || {
                    let _ = modules.save(&cache_file);
                },
                || {
                    if let Ok(mut search) = search.into_inner() {
                        let _ = search.save(&search_file);
                        drop_later(search);
                    }
                },
            );
        },
        || writer.finish(&output),
    );
    match finished {
        Ok(written) => report.written = Some(written),
        Err(e) => {
            let mut diagnostics = report.warnings;
            diagnostics.push(could_not_write(e));
            return Err(Failure { diagnostics });
        }
    }
    lap("write", &mut clock);
    drop_later((modules, output, previous));
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Lets go of what a build held on a thread of its own. Freeing the caches, the model's modules
/// and the output's records, hundreds of thousands of small allocations at 10,000 modules, took
/// the end of every build 30 ms; a process about to exit need not wait for it.
fn drop_later<T: Send + 'static>(value: T) {
    // Without a thread, the value is dropped here, as it would have been.
    let _ = std::thread::Builder::new().name("drop".into()).spawn(move || drop(value));
}

/// The output folder is replaced whole, so it must never be the project, hold it, or sit in its
/// sources, and an existing folder is replaced only when it is empty or holds a previous site.
fn check_output_dir(root: &Path, out: &Path) -> Result<(), Diagnostic> {
    let absolute = |p: &Path| -> PathBuf {
        let p = if p.is_absolute() { p.to_owned() } else { std::env::current_dir().unwrap_or_default().join(p) };
        // Resolve what exists, so `..` and symlinks cannot disguise the folder.
        let mut existing = p.as_path();
        let mut rest = Vec::new();
        while !existing.exists() {
            match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_owned());
                    existing = parent;
                }
                _ => break,
            }
        }
        let mut resolved = existing.canonicalize().unwrap_or_else(|_| existing.to_owned());
        resolved.extend(rest.iter().rev());
        resolved
    };
    let (root, out_abs) = (absolute(root), absolute(out));
    let refuse = |why: &str| {
        Err(Diagnostic::error(out, format!("refusing to use this output folder: {why}"))
            .with_hint("choose a separate folder, e.g. `--out output`, or empty this one yourself"))
    };
    let inside_sources =
        ["content", "themes", "src", "tests", ".git"].iter().any(|d| out_abs.starts_with(root.join(d)));
    if root.starts_with(&out_abs) || inside_sources || out_abs == root.join(config::CONFIG_FILE) {
        return refuse("it would replace the project's own files");
    }
    let Ok(meta) = std::fs::symlink_metadata(out) else { return Ok(()) };
    if !meta.is_dir() {
        return refuse("it exists and is not a folder");
    }
    let entries: Vec<String> = std::fs::read_dir(out)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    let is_previous_site = entries.iter().any(|e| e == "index.html") && entries.iter().any(|e| e == "robots.txt");
    let foreign = entries.iter().any(|e| e == ".git" || e == config::CONFIG_FILE);
    if !entries.is_empty() && (!is_previous_site || foreign) {
        return refuse("it holds files that are not a bimtek site, and the build replaces the folder whole");
    }
    Ok(())
}
