//! Faults: a build killed at any moment, a disk that fills up, a folder it may not write. Each
//! must leave the published site exactly as it was, and the next good build must succeed.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::harness::{Project, Run, bin, snapshot};

type Tree = BTreeMap<String, Vec<u8>>;

fn same(got: &Tree, want: &Tree, what: &str) {
    let names = |t: &Tree| t.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(got), names(want), "{what}: not the same files");
    for (path, bytes) in want {
        assert!(got[path] == *bytes, "{what}: {path} differs");
    }
}

/// The site a clean build of the project makes now, built into a folder of its own.
fn clean_build(p: &Project) -> Tree {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clean");
    p.run(&["build", "--out", out.to_str().unwrap()]).assert_ok();
    snapshot(&out)
}

fn spawn_build(p: &Project, stop_at: Option<&str>) -> Child {
    let mut command = bin();
    command.arg("build").current_dir(&p.root).stdout(Stdio::null()).stderr(Stdio::piped());
    if let Some(point) = stop_at {
        command.env("BIMTEK_STOP_AT", point);
    }
    command.spawn().unwrap()
}

/// Runs a build until it reaches `point`, then kills it with SIGKILL: no chance to clean up.
fn kill_at(p: &Project, point: &str) {
    let mut child = spawn_build(p, Some(point));
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let marker = format!("bimtek: stopped at {point}");
    let mut seen = Vec::new();
    loop {
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(line) if line == marker => break,
            Ok(line) => seen.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!("the build never reached `{point}`:\n{}", seen.join("\n"));
            }
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_build_killed_at_any_step_leaves_the_published_site_whole() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    // The first round writes the spare tree whole; the second updates it in place.
    for round in 0..3 {
        let published = snapshot(&p.out());
        let text = format!("Catatan putaran {round}.");
        p.edit("content/modules/pemungutan.md", "\n## Persiapan\n", &format!("\n## Persiapan\n\n{text}\n"));
        let next = clean_build(&p);
        for point in ["begun", "put", "updated", "recorded"] {
            kill_at(&p, point);
            same(&snapshot(&p.out()), &published, &format!("round {round}, killed at `{point}`"));
        }
        // Killed once the new site is in place: it is whole too.
        kill_at(&p, "swapped");
        same(&snapshot(&p.out()), &next, &format!("round {round}, killed after the swap"));
        p.build().assert_ok();
        same(&snapshot(&p.out()), &next, &format!("round {round}, the build after the kills"));
    }
}

/// Kills at moments a timer picks, not the build: whatever the moment, the folder holds either
/// the old site or the new one, whole.
#[test]
fn a_build_killed_at_random_moments_leaves_one_whole_site() {
    let p = Project::sample();
    p.build().assert_ok();
    let mut published = snapshot(&p.out());
    for (round, delay) in [0u64, 15, 40, 80, 150, 300, 600, 1200].into_iter().enumerate() {
        p.edit("content/modules/kode-etik-netralitas.md", "\n## ", &format!("\nCatatan {round}.\n\n## "));
        let next = clean_build(&p);
        let mut child = spawn_build(&p, None);
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        child.wait().unwrap();
        let now = snapshot(&p.out());
        if now != next {
            same(&now, &published, &format!("killed after {delay} ms: neither the old site nor the new"));
        }
        p.build().assert_ok();
        same(&snapshot(&p.out()), &next, &format!("the build after a kill at {delay} ms"));
        published = next;
    }
}

/// Builds with writes failing as on a full disk: files over `limit` bytes cannot be written.
#[cfg(target_os = "linux")]
fn build_with_file_size_limit(p: &Project, limit: u64) -> Run {
    use std::os::unix::process::CommandExt;
    let mut command: Command = bin();
    command.arg("build").current_dir(&p.root);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(move || {
            // Without this the kernel kills the writer (SIGXFSZ) instead of failing the write.
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let rlimit = libc::rlimit { rlim_cur: limit, rlim_max: limit };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    Run::from(command.output().unwrap())
}

/// A module whose page is far larger than the others, so a file size limit fails its page and
/// its search documents while the small files (and the build's state) still get written.
fn add_long_module(p: &Project) {
    let paragraph =
        "Petugas KPPS memeriksa segel kotak suara, mencatat jumlah pemilih, dan menandatangani berita acara. ";
    let mut body = String::from("---\ntitle: Panduan Panjang\nroles: [kpps]\ntopic: pemungutan\n---\n");
    for section in 0..40 {
        body.push_str(&format!("\n## Bagian {section}\n\n{}\n", paragraph.repeat(40)));
    }
    p.write("content/modules/panjang.md", body);
}

#[cfg(target_os = "linux")]
#[test]
fn a_write_that_fails_for_space_reports_it_once_and_keeps_the_site() {
    let p = Project::fixture("basic");
    add_long_module(&p);
    p.build().assert_ok();
    // The first round fails writing a whole new spare tree, the second updating it in place.
    for round in 0..2 {
        let published = snapshot(&p.out());
        p.edit("content/modules/panjang.md", "\n## Bagian 0\n", &format!("\n## Bagian 0\n\nBaris {round}.\n"));
        let run = build_with_file_size_limit(&p, 100_000);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(run.stderr.contains("File too large") && run.stderr.contains("check free space"), "{}", run.stderr);
        assert!(run.stderr.contains("modul/panjang/"), "names the file: {}", run.stderr);
        assert!(run.stderr.matches("error:").count() <= 2, "one error, not one per file:\n{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        same(&snapshot(&p.out()), &published, "after a failed write");
        p.build().assert_ok();
        same(&snapshot(&p.out()), &clean_build(&p), "the build after space was freed");
    }
}

/// A deployed copy sharing the site's files by hard link (`cp -al`), and a symbolic link planted
/// in the site, must not be written through when the old site becomes the spare tree.
#[cfg(unix)]
#[test]
fn links_in_the_old_site_are_replaced_not_written_through() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    p.build().assert_ok();
    let deployed = tempfile::tempdir().unwrap();
    let page = "alpha/modul/pemungutan/index.html";
    let deployed_page = deployed.path().join("page.html");
    std::fs::hard_link(p.out().join(page), &deployed_page).unwrap();
    let deployed_bytes = std::fs::read(&deployed_page).unwrap();
    let outside = deployed.path().join("outside.txt");
    std::fs::write(&outside, "tetap").unwrap();
    let linked = p.out().join("alpha/modul/etika/index.html");
    std::fs::remove_file(&linked).unwrap();
    std::os::unix::fs::symlink(&outside, &linked).unwrap();
    // Two edits and builds: the tree holding the links becomes the spare, and is updated.
    for round in 0..2 {
        p.edit("content/modules/pemungutan.md", "\n## Persiapan\n", &format!("\n## Persiapan\n\nBaris {round}.\n"));
        p.edit("content/modules/etika.md", "\n## ", &format!("\nUbah {round}.\n\n## "));
        p.build().assert_ok();
    }
    assert_eq!(std::fs::read(&deployed_page).unwrap(), deployed_bytes, "the deployed copy was written through");
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "tetap", "a file outside was written through a link");
    same(&snapshot(&p.out()), &clean_build(&p), "after the links were replaced");
}

#[cfg(unix)]
#[test]
fn a_folder_it_may_not_write_is_reported_and_the_site_kept() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let p = Project::fixture("basic");
    p.build().assert_ok();
    let published = snapshot(&p.out());
    p.edit("content/modules/pemungutan.md", "\n## Persiapan\n", "\n## Persiapan\n\nBaris baru.\n");
    let set_mode = |path: &std::path::Path, mode| std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
    // The work folder beside the site and the project folder both refuse writes.
    let work = p.root.join(".output.bimtek");
    set_mode(p.root.parent().unwrap(), 0o755).unwrap();
    set_mode(&p.root, 0o555).unwrap();
    set_mode(&work, 0o555).unwrap();
    let mut command = bin();
    command.arg("build").current_dir(&p.root);
    // Root may write anywhere: run as `nobody`, for whom the modes above hold.
    if unsafe { libc::geteuid() } == 0 {
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(|| {
                if libc::setgid(65534) != 0 || libc::setuid(65534) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let run = Run::from(command.output().unwrap());
    set_mode(&p.root, 0o755).unwrap();
    set_mode(&work, 0o755).unwrap();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("Permission denied") && run.stderr.contains(".output.bimtek"), "{}", run.stderr);
    same(&snapshot(&p.out()), &published, "after a refused write");
    p.build().assert_ok();
    same(&snapshot(&p.out()), &clean_build(&p), "the build once writing is allowed");
}
