//! `cargo bench`: how long a full build takes, on the sample project and on a generated project
//! (1,000 modules in 5 regencies by default; `BIMTEK_BENCH_MODULES` and `BIMTEK_BENCH_REGENCIES`
//! change that), and how long a build takes after editing one module, against the full build.
//! Prints medians of several runs of the `bimtek` binary; speed goals are checked here, not in
//! tests.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

/// Runs `bimtek build` as a user would: the binary, so each time includes starting and ending
/// the process, and nothing this process would carry from one build to the next (its allocator's
/// free memory, a previous build's memory still being freed). Returns the time and the
/// summary line. `BIMTEK_TIMINGS=1` passes through: each build's stages print below.
fn run_build(root: &Path, out: &Path) -> (Duration, String) {
    let started = Instant::now();
    let run = Command::new(env!("CARGO_BIN_EXE_bimtek"))
        .arg("build")
        .arg("--root")
        .arg(root)
        .arg("--out")
        .arg(out.join("output"))
        .stderr(Stdio::inherit())
        .output()
        .expect("bimtek runs");
    let took = started.elapsed();
    assert!(run.status.success(), "build failed");
    (took, String::from_utf8_lossy(&run.stdout).lines().next().unwrap_or_default().to_owned())
}

/// The number before `word` in a summary line: `12102 files`, `(9 written`.
fn count_before(summary: &str, word: &str) -> usize {
    let before = summary.split(&format!(" {word}")).next().unwrap_or_default();
    before.rsplit([' ', '(']).next().and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// Full builds, each into a new folder under `scratch`. No folder is deleted while builds are
/// timed: on ext4 without a journal (this project's CI machine), files created within 35 s of a
/// deletion skip the freed inodes one by one, and a build right after deleting the previous
/// one's 12,000 files took twice or three times as long, which made the full build look slow
/// and the incremental build look cheap beside it. The folders are deleted at the start of the
/// next run, which then waits that out (see [`scratch`]).
fn time_build(root: &Path, runs: usize, scratch: &Path) -> (Duration, usize) {
    let mut times = Vec::new();
    let mut files = 0;
    for _ in 0..runs {
        let out = tempfile::tempdir_in(scratch).expect("temp dir");
        let (took, summary) = run_build(root, out.path());
        times.push(took);
        files = count_before(&summary, "files");
        // Kept until the next run of the bench.
        let _ = out.keep();
    }
    (median(times), files)
}

/// Builds after editing one module each time (a different one, a sentence appended), once the
/// output folder has its spare tree: returns the median time and files written.
fn time_incremental(root: &Path, modules: usize, runs: usize, scratch: &Path) -> (Duration, usize) {
    let out = tempfile::tempdir_in(scratch).expect("temp dir");
    for _ in 0..2 {
        run_build(root, out.path());
    }
    let mut times = Vec::new();
    let mut written = Vec::new();
    for run in 0..runs {
        // Not m0: every regency has its own m0, which hides the national one.
        let module = root.join(format!("content/modules/m{}.md", (run * 7919) % (modules - 1) + 1));
        let text = fs::read_to_string(&module).expect("module");
        fs::write(&module, format!("{text}\nKalimat tambahan nomor {run}.\n")).expect("edit");
        let (took, summary) = run_build(root, out.path());
        times.push(took);
        written.push(count_before(&summary, "written"));
    }
    written.sort();
    (median(times), written[written.len() / 2])
}

/// A project of `modules` national modules of ~900 words with headings, lists, tables, task lists and
/// links, across 5 regencies each with a local override and a schedule.
fn generate(root: &Path, modules: usize, regencies: usize) {
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    };
    write(
        "bimtek.yaml",
        "title: Bench\nbase_url: https://bench.example\nroles:\n  ppk: {name: PPK}\n  pps: {name: PPS}\n  kpps: {name: KPPS}\ntopics:\n  a: {name: A}\n  b: {name: B}\n  c: {name: C}\n  d: {name: D}\n",
    );
    let paragraph = "Anggota KPPS memeriksa segel kotak suara, mencocokkan jumlah surat suara dengan berita acara, dan mencatat setiap kejadian khusus pada formulir yang disediakan. ";
    for i in 0..modules {
        let mut body = String::new();
        for section in 0..6 {
            let _ = write!(body, "## Bagian {section} modul {i}\n\n{}\n\n", paragraph.repeat(5));
            let _ = write!(body, "- [ ] Langkah satu\n- [ ] Langkah dua\n- [x] Langkah tiga\n\n");
            let _ = write!(body, "| Waktu | Kegiatan |\n|---|---|\n| 07.00 | Pembukaan |\n| 13.00 | Penutupan |\n\n");
            let _ = write!(
                body,
                "> [!NOTE]\n> Lihat [modul berikutnya](m{}.md#bagian-0-modul-{}).\n\n",
                (i + 1) % modules,
                (i + 1) % modules
            );
        }
        let topic = ["a", "b", "c", "d"][i % 4];
        write(
            &format!("content/modules/m{i}.md"),
            &format!("---\ntitle: Modul {i}\nroles: [kpps, pps]\ntopic: {topic}\norder: {i}\n---\n{body}"),
        );
    }
    let mut events = String::from("title: Tahapan\nevents:\n");
    for day in 1..=28 {
        let _ = write!(
            events,
            "  - title: Kegiatan {day}\n    date: 2024-11-{day:02}\n    roles: [kpps]\n    module: m{day}\n"
        );
    }
    write("content/schedules/tahapan.yaml", &events);
    for r in 0..regencies {
        write(
            &format!("content/regencies/r{r}/regency.yaml"),
            &format!("name: Kabupaten {r}\nprovince: Provinsi\ntimezone: WIB\n"),
        );
        write(
            &format!("content/regencies/r{r}/modules/m0.md"),
            "---\ntitle: Modul lokal\nroles: [ppk]\ntopic: a\n---\n## Bagian 0 modul 0\n\nIsi lokal.\n",
        );
    }
}

/// The bench's own folder, `bimtek-bench-build/` in `target/` or in the folder
/// `BIMTEK_BENCH_SCRATCH` names, emptied of the last run's builds. When there were
/// any, it waits 40 s before timing anything, for the reason [`time_build`] gives: the last
/// run's builds are deleted now, not at its end, so that no run pays for the one before.
fn scratch() -> PathBuf {
    // `BIMTEK_BENCH_SCRATCH=/dev/shm` times builds in memory, free of the disk's moods. Only a
    // folder of the bench's own in it is ever deleted, whatever folder is named.
    let parent = std::env::var_os("BIMTEK_BENCH_SCRATCH")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"), PathBuf::from);
    let dir = parent.join("bimtek-bench-build");
    let had_builds = fs::read_dir(&dir).is_ok_and(|mut entries| entries.next().is_some());
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("bench folder");
    if had_builds {
        println!("(waiting 40 s after deleting the last run's builds: see benches/build.rs)");
        std::thread::sleep(Duration::from_secs(40));
    }
    dir
}

fn main() {
    // `cargo test` also runs benches once in test mode; keep that quick.
    let quick = std::env::args().any(|a| a == "--test") || std::env::args().all(|a| a != "--bench");
    let runs = if quick { 1 } else { 7 };

    // In test mode, the builds go into a temporary folder deleted at the end.
    let quick_dir = tempfile::tempdir().expect("temp dir");
    let scratch = if quick { quick_dir.path().to_owned() } else { scratch() };
    let sample = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (time, files) = time_build(sample, runs, &scratch);
    println!("sample project: {files} files, median {:.1} ms over {runs} runs", time.as_secs_f64() * 1000.0);

    let dir = tempfile::tempdir_in(&scratch).expect("temp dir");
    let setting = |name: &str, default: usize| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let modules = if quick { 50 } else { setting("BIMTEK_BENCH_MODULES", 1000) };
    let regencies = setting("BIMTEK_BENCH_REGENCIES", 5);
    generate(dir.path(), modules, regencies);
    let (full, files) = time_build(dir.path(), runs, &scratch);
    println!(
        "generated project, {modules} modules x {regencies} regencies: {files} files, full build median {:.0} ms over {runs} runs ({} cores)",
        full.as_secs_f64() * 1000.0,
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    let (edit, written) = time_incremental(dir.path(), modules, runs, &scratch);
    println!(
        "  after editing one module: median {:.0} ms over {runs} edits, {written} files written; {:.1}% of the full build",
        edit.as_secs_f64() * 1000.0,
        100.0 * edit.as_secs_f64() / full.as_secs_f64()
    );
}
