//! Hostile projects: deep nesting, YAML aliases that expand exponentially, huge files, binary
//! bytes, Windows line ends. Each goes through the real binary, whose time and peak memory are
//! measured: it must end in bounded time and memory, with a located error or a site, never a panic.

#![cfg(target_os = "linux")]

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::harness::{Project, Run, bin, snapshot};

/// Generous: a debug build on a loaded 2-core machine. A real hang or exponential blow-up runs far
/// past it, and is then killed.
const TIME_LIMIT: Duration = Duration::from_secs(120);
/// For the two whole-site builds of huge inputs, a minute each in a debug build when the machine
/// is quiet, several when CI runs every test at once.
const LONG_TIME_LIMIT: Duration = Duration::from_secs(600);

/// What a run of the binary cost.
struct Cost {
    run: Run,
    peak_mb: u64,
    seconds: f64,
}

/// Runs `bimtek <args>` in the project, killed past [`TIME_LIMIT`], with its peak resident memory.
fn measured(p: &Project, args: &[&str]) -> Cost {
    measured_within(p, args, TIME_LIMIT)
}

fn measured_within(p: &Project, args: &[&str], limit: Duration) -> Cost {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let started = Instant::now();
    let mut child =
        bin().args(args).current_dir(&p.root).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = pipe.read_to_end(&mut text);
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let done = Arc::new(AtomicBool::new(false));
    let killed = Arc::new(AtomicBool::new(false));
    // The child's own peak, polled from /proc: wait4's ru_maxrss would report the test process's
    // size, which the child has between fork and exec.
    let watchdog = {
        let (done, killed) = (done.clone(), killed.clone());
        std::thread::spawn(move || {
            let mut peak_kb = 0;
            while !done.load(Ordering::SeqCst) {
                if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
                    let hwm = status.lines().find_map(|l| l.strip_prefix("VmHWM:"));
                    let kb = hwm.and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
                    peak_kb = peak_kb.max(kb.unwrap_or(0));
                }
                if started.elapsed() > limit && !killed.swap(true, Ordering::SeqCst) {
                    // SAFETY: a plain signal; past the limit the child still runs, so the pid is still its own.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            peak_kb
        })
    };
    let status = child.wait().unwrap();
    done.store(true, Ordering::SeqCst);
    let peak_mb = watchdog.join().unwrap() / 1024;
    let seconds = started.elapsed().as_secs_f64();
    let run = Run { code: status.code().unwrap_or(-1), stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap() };
    assert!(!killed.load(Ordering::SeqCst), "`bimtek {}` ran past {limit:?}: a hang", args.join(" "));
    assert!(!run.stderr.contains("panicked") && !run.stderr.contains("overflow"), "{}", run.stderr);
    assert!(status.signal().is_none(), "killed by signal {:?}\n{}", status.signal(), run.stderr);
    eprintln!("bimtek {}: {seconds:.1} s, peak {peak_mb} MB, exit {}", args.join(" "), run.code);
    Cost { run, peak_mb, seconds }
}

/// A build that must fail with this message at this location, in bounded memory.
fn fails(p: &Project, location: &str, message: &str, max_mb: u64) -> Cost {
    let cost = measured(p, &["build"]);
    cost.run.assert_error(location, message);
    assert!(cost.peak_mb < max_mb, "peak {} MB, more than {max_mb} MB", cost.peak_mb);
    cost
}

fn builds(p: &Project, max_mb: u64) -> Cost {
    builds_within(p, max_mb, TIME_LIMIT)
}

fn builds_within(p: &Project, max_mb: u64, limit: Duration) -> Cost {
    let cost = measured_within(p, &["build"], limit);
    cost.run.assert_ok();
    assert!(cost.peak_mb < max_mb, "peak {} MB, more than {max_mb} MB", cost.peak_mb);
    cost
}

const FRONT: &str = "---\ntitle: Uji\nroles: [kpps]\ntopic: etika\n---\n";
const LOCAL: &str = "content/regencies/alpha/modules/uji.md";
const LOCAL_SCHEDULE: &str = "content/regencies/alpha/schedules/uji.yaml";

/// YAML whose nine levels of aliases expand to 9^9 (387 million) strings.
fn laughs(key: &str) -> String {
    let mut yaml = format!("{key}: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..9u8 {
        let (name, prev) = ((b'a' + level) as char, (b'a' + level - 1) as char);
        let refs = vec![format!("*{prev}"); 9].join(", ");
        yaml.push_str(&format!("x{name}: &{name} [{refs}]\n"));
    }
    yaml
}

#[test]
fn deeply_nested_markdown_builds() {
    let p = Project::fixture("basic");
    let quotes = format!("{FRONT}{}deep\n", "> ".repeat(100_000));
    let lists = format!("{}deep\n", "- ".repeat(100_000));
    let emphasis = format!("{}deep{}\n", "*".repeat(50_000), "*".repeat(50_000));
    let links = format!("{}deep{}\n", "[".repeat(50_000), "](etika.md)".repeat(50_000));
    p.write(LOCAL, format!("{quotes}\n\n{lists}\n\n{emphasis}\n\n{links}"));
    builds(&p, 1024);
    assert!(p.read("output/alpha/modul/uji/index.html").contains("deep"));
}

#[test]
fn deeply_nested_yaml_is_an_error() {
    let p = Project::fixture("basic");
    let deep = format!("{}\n", "[".repeat(100_000));
    p.write(LOCAL, format!("---\ntitle: {deep}---\nIsi.\n"));
    p.write(LOCAL_SCHEDULE, format!("title: {deep}"));
    // The scanner stops at its 256th open bracket, column 7 + 256.
    let message = "this YAML is nested more than 128 levels deep";
    let run = fails(&p, "content/regencies/alpha/modules/uji.md:2:263", message, 512).run;
    run.assert_error("content/regencies/alpha/schedules/uji.yaml:1:263", message);
    let p = Project::fixture("basic");
    p.write("bimtek.yaml", format!("title: x\nroles: {deep}"));
    fails(&p, "bimtek.yaml:2:263", message, 512);
    // Block nesting, one more level per line.
    let p = Project::fixture("basic");
    let block: String = (0..300).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    p.write(LOCAL_SCHEDULE, format!("title: T\nx:\n{block}"));
    fails(&p, "content/regencies/alpha/schedules/uji.yaml:131:129", message, 512);
}

#[test]
fn alias_expansion_is_refused_in_front_matter_schedules_and_config() {
    let p = Project::fixture("basic");
    p.write(LOCAL, format!("---\n{}title: *i\nroles: [kpps]\ntopic: etika\n---\nIsi.\n", laughs("summary")));
    p.write(LOCAL_SCHEDULE, format!("title: T\n{}events: *i\n", laughs("note")));
    // Each level is nine times the last; the fifth alias to the sixth level crosses the budget.
    let message = "the aliases of this YAML expand to far more text than the file holds";
    let run = fails(&p, "content/regencies/alpha/modules/uji.md:7:25", message, 512).run;
    run.assert_error("content/regencies/alpha/schedules/uji.yaml:7:25", message);
    let p = Project::fixture("basic");
    p.write("bimtek.yaml", format!("{}{}", laughs("title"), "roles: *i\n"));
    fails(&p, "bimtek.yaml:6:25", message, 512);
    // One large value and many aliases to it: linear in levels, quadratic in bytes.
    let p = Project::fixture("basic");
    let big = "x".repeat(1 << 20);
    let aliases = vec!["*big"; 2000].join(", ");
    p.write(LOCAL_SCHEDULE, format!("title: T\nevents:\n  - title: &big {big}\n    roles: [{aliases}]\n"));
    fails(&p, "content/regencies/alpha/schedules/uji.yaml:4:79", message, 512);
}

/// About `mb` megabytes of a realistic module: sections, tasks, callouts, and every megabyte a
/// link to another module, an image and an attachment.
fn large_module(mb: usize) -> String {
    let part = "## Persiapan TPS\n\nKetua KPPS memeriksa segel kotak suara, mencoblos surat suara dan mencatat \
                hasil pada formulir.\n\n- [ ] periksa tinta\n\n> [!NOTE]\n> Jangan tinggalkan TPS.\n\n";
    let linked = "Lihat [segel](etika.md#netralitas), ![denah](denah.svg) dan [formulir](formulir.pdf).\n\n";
    let megabyte = format!("{}{linked}", part.repeat((1 << 20) / part.len()));
    format!("{FRONT}{}", megabyte.repeat(mb))
}

#[test]
fn a_50_mb_module_is_read_in_bounded_memory() {
    // A bad byte at its very end: the whole file is read, decoded and located, then refused.
    let p = Project::fixture("basic");
    let text = large_module(50);
    let lines = text.lines().count();
    p.write(LOCAL, [text.as_bytes(), b"akhir \xff\n"].concat());
    let location = format!("content/regencies/alpha/modules/uji.md:{}:7", lines + 1);
    let cost = fails(&p, &location, "the file is not UTF-8 text", 512);
    eprintln!("50 MB module, refused: {:.1} s, {} MB", cost.seconds, cost.peak_mb);
}

/// The same, built, at 5 MB (its page checked) and at 50 MB (a minute or more in a debug build).
#[test]
fn a_5_mb_module_builds() {
    let p = Project::fixture("basic");
    p.write(LOCAL, large_module(5));
    let cost = builds(&p, 400);
    assert!(p.read("output/alpha/modul/uji/index.html").contains("Jangan tinggalkan TPS"));
    eprintln!("5 MB module: {:.1} s, {} MB", cost.seconds, cost.peak_mb);
}

#[test]
fn a_50_mb_module_builds() {
    let p = Project::fixture("basic");
    p.write(LOCAL, large_module(50));
    let cost = builds_within(&p, 2048, LONG_TIME_LIMIT);
    eprintln!("50 MB module: {:.1} s, {} MB", cost.seconds, cost.peak_mb);
}

/// 100,000 links and images in one module: each is placed by line once the module's lines are
/// indexed, not by scanning the module from its top for every link (which was quadratic).
#[test]
fn a_module_with_100_000_links_builds() {
    let p = Project::fixture("basic");
    p.write(LOCAL, format!("{FRONT}{}", "Lihat [etika](etika.md) dan ![denah](denah.svg).\n\n".repeat(50_000)));
    builds(&p, 2 * 1024);
}

/// A schedule of `count` KPPS events through November, titled by `title(i)`.
fn schedule_of(count: usize, title: impl Fn(usize) -> String) -> String {
    let mut yaml = String::from("title: Banyak\nevents:\n");
    for i in 0..count {
        let day = 1 + i % 28;
        yaml.push_str(&format!("  - title: {}\n    date: 2024-11-{day:02}\n    roles: [kpps]\n", title(i)));
    }
    yaml
}

/// 100,000 events, the last one wrong: the whole schedule is parsed, validated and located.
#[test]
fn a_schedule_of_100_000_events_is_checked_in_bounded_time() {
    let p = Project::fixture("basic");
    let mut yaml = schedule_of(100_000, |i| format!("Rapat {}", i % 1000));
    yaml.push_str("  - title: Akhir\n    date: 2024-11-27\n    weekday: Kamis\n");
    p.write(LOCAL_SCHEDULE, yaml);
    let location = "content/regencies/alpha/schedules/uji.yaml:300005:14";
    let cost = fails(&p, location, "2024-11-27 is a Rabu, not a Kamis", 1024);
    eprintln!("100,000 events, checked: {:.1} s, {} MB", cost.seconds, cost.peak_mb);
}

/// The whole site of 100,000 events: 113,000 files, a minute and more in a debug build.
#[test]
fn a_schedule_of_100_000_events_builds() {
    let p = Project::fixture("basic");
    let yaml = schedule_of(100_000, |i| format!("Rapat {}", i / 28));
    p.write(LOCAL_SCHEDULE, yaml);
    let cost = builds_within(&p, 3 * 1024, LONG_TIME_LIMIT);
    eprintln!("100,000 events: {:.1} s, {} MB", cost.seconds, cost.peak_mb);
}

#[test]
fn a_schedule_of_many_events_with_one_title_builds() {
    // The same title again and again: event ids and duplicate checks must not go quadratic.
    let p = Project::fixture("basic");
    let yaml = schedule_of(3_000, |_| "Rapat".to_owned());
    p.write(LOCAL_SCHEDULE, yaml);
    let cost = builds(&p, 1024);
    assert!(p.path("output/alpha/jadwal/acara/uji-rapat-3000.ics").is_file());
    eprintln!("3,000 events of one title: {:.1} s, {} MB", cost.seconds, cost.peak_mb);
}

#[test]
fn invalid_utf8_and_nul_bytes_are_located_errors() {
    let p = Project::fixture("basic");
    p.write(LOCAL, [FRONT.as_bytes(), b"Baik.\nRusak \xff di sini.\n"].concat());
    p.write(LOCAL_SCHEDULE, b"title: T\nevents:\n  - title: A\x00\n".as_slice());
    let run = fails(&p, "content/regencies/alpha/modules/uji.md:7:7", "the file is not UTF-8 text", 512).run;
    run.assert_error("content/regencies/alpha/schedules/uji.yaml:3:13", "the file holds a NUL byte");
    let p = Project::fixture("basic");
    p.write("bimtek.yaml", [p.read("bimtek.yaml").as_bytes(), b"\xc3\x28\n"].concat());
    fails(&p, "bimtek.yaml:14:1", "the file is not UTF-8 text", 512);
}

/// Rewrites every text file of the project with `newline` for line ends, after `prefix`.
fn restyle(p: &Project, prefix: &str, newline: &str) {
    for entry in walkdir::WalkDir::new(&p.root) {
        let path = entry.unwrap().into_path();
        let text = path.extension().is_some_and(|e| e == "md" || e == "yaml");
        if text && !path.starts_with(p.out()) {
            let lf = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, format!("{prefix}{}", lf.replace('\n', newline))).unwrap();
        }
    }
}

/// Rewrites every text file of the project with CRLF line ends and a byte-order mark.
fn windows_style(p: &Project) {
    restyle(p, "\u{feff}", "\r\n");
}

#[test]
fn crlf_and_bom_files_give_the_same_site() {
    let unix = Project::fixture("basic");
    builds(&unix, 512);
    let windows = Project::fixture("basic");
    windows_style(&windows);
    assert!(windows.read("bimtek.yaml").starts_with("\u{feff}title: Bimtek Uji\r\n"));
    assert!(windows.read("content/modules/etika.md").contains("\r\n"));
    builds(&windows, 512);
    // Old Mac files end lines with a lone CR; markdown and YAML both read it as a line end.
    let mac = Project::fixture("basic");
    restyle(&mac, "", "\r");
    builds(&mac, 512);
    let a = snapshot(&unix.out());
    for (other, name) in [(&windows, "CRLF+BOM"), (&mac, "CR")] {
        let b = snapshot(&other.out());
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
        for (path, bytes) in &a {
            assert!(b[path] == *bytes, "{path} differs between LF and {name} sources");
        }
    }
}

#[test]
fn crlf_errors_keep_their_line_numbers() {
    let p = Project::fixture("basic");
    p.edit("content/modules/etika.md", "topic: etika", "topic: etik");
    p.edit("content/modules/pemungutan.md", "(etika.md#netralitas)", "(etik.md#netralitas)");
    p.edit("content/schedules/nasional.yaml", "weekday: Rabu", "weekday: Kamis");
    let lf = measured(&p, &["build"]).run;
    windows_style(&p);
    let crlf = measured(&p, &["build"]).run;
    for run in [&lf, &crlf] {
        run.assert_error("content/modules/etika.md:4:8", "unknown topic `etik`");
        run.assert_error("content/modules/pemungutan.md:11:11", "link to module `etik`, which does not exist");
        run.assert_error("content/schedules/nasional.yaml:9:14", "2024-11-27 is a Rabu, not a Kamis");
    }
    assert!(!crlf.stderr.contains('\r'), "snippets show no carriage returns:\n{}", crlf.stderr);
    assert!(!Path::new(&p.out()).exists());
}
