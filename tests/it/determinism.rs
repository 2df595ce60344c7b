//! Same input, byte-identical output: whatever order the project's files were created in (which
//! decides the order a folder lists them on many file systems), whenever they were written, and
//! however many threads build.

use std::fs;
use std::path::{Path, PathBuf};

use crate::harness::{Project, Run, bin, snapshot};

/// A small deterministic generator, so a failing order can be replayed from its seed.
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        items.swap(i, (seed % (i as u64 + 1)) as usize);
    }
}

/// Copies the project's sources into `to`, creating folders and files in a shuffled order.
fn copy_shuffled(from: &Path, to: &Path, seed: u64) {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(from)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(from).unwrap().to_owned())
        .filter(|rel| !rel.starts_with("output") && !rel.starts_with(".output.bimtek"))
        .collect();
    shuffle(&mut files, seed);
    for rel in files {
        let target = to.join(&rel);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::copy(from.join(&rel), target).unwrap();
    }
}

fn build_with_threads(root: &Path, threads: usize) {
    let run =
        Run::from(bin().arg("build").env("RAYON_NUM_THREADS", threads.to_string()).current_dir(root).output().unwrap());
    run.assert_ok();
}

#[test]
fn same_site_whatever_the_file_order_or_thread_count() {
    let p = Project::sample();
    build_with_threads(&p.root, 2);
    let want = snapshot(&p.out());
    for (seed, threads) in [(0x9e37_79b9_7f4a_7c15, 1), (0xdead_beef, 3), (42, 8)] {
        let dir = tempfile::tempdir().unwrap();
        copy_shuffled(&p.root, dir.path(), seed);
        build_with_threads(dir.path(), threads);
        let got = snapshot(&dir.path().join("output"));
        assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>(), "seed {seed:#x}: other files");
        for (path, bytes) in &want {
            assert!(got[path] == *bytes, "seed {seed:#x}, {threads} threads: {path} differs");
        }
    }
}
