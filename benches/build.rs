//! `cargo bench`: how long a full build takes, on the sample project and on a generated project of
//! 1,000 modules. Prints the median of several runs; speed goals are checked here, not in tests.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use bimtek::BuildOptions;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time_build(root: &Path, runs: usize) -> (Duration, usize) {
    let out = tempfile::tempdir().expect("temp dir");
    let options = BuildOptions {
        root: root.to_owned(),
        out: Some(out.path().join("output")),
        sites: Vec::new(),
        shard: None,
        drafts: false,
        minify: true,
        timestamp: None,
    };
    let mut times = Vec::new();
    let mut files = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let report = bimtek::build(&options).unwrap_or_else(|f| panic!("build failed: {:?}", f.diagnostics));
        times.push(started.elapsed());
        files = report.files;
    }
    (median(times), files)
}

/// A project of `modules` national modules of ~900 words with headings, lists, tables, task lists and
/// links, across 5 regencies each with a local override and a schedule.
fn generate(root: &Path, modules: usize) {
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
    for r in 0..5 {
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

fn main() {
    // `cargo test` also runs benches once in test mode; keep that quick.
    let quick = std::env::args().any(|a| a == "--test") || std::env::args().all(|a| a != "--bench");
    let runs = if quick { 1 } else { 7 };

    let sample = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (time, files) = time_build(sample, runs);
    println!("sample project: {files} files, median {:.1} ms over {runs} runs", time.as_secs_f64() * 1000.0);

    let dir = tempfile::tempdir().expect("temp dir");
    let modules = if quick { 50 } else { 1000 };
    generate(dir.path(), modules);
    let (time, files) = time_build(dir.path(), runs);
    println!(
        "generated project, {modules} modules x 5 regencies: {files} files, median {:.0} ms over {runs} runs ({} threads)",
        time.as_secs_f64() * 1000.0,
        rayon::current_num_threads()
    );
}
