//! Gives the program an identity made from what it is built from (its sources, built-in theme,
//! locked dependencies and compiler), as `BIMTEK_BUILD_ID`. Build caches and page fingerprints
//! carry it, so a bimtek built from other code never trusts what this one made, while the same
//! binary copied elsewhere (CI moves it between jobs) still reads its own caches. Hashing the
//! executable at run time did the same but read 200 MB per run of a debug build.

use std::hash::Hasher;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "themes"] {
        collect(&root.join(dir), &mut files);
        println!("cargo:rerun-if-changed={dir}");
    }
    for file in ["Cargo.lock", "Cargo.toml", "build.rs"] {
        files.push(root.join(file));
        println!("cargo:rerun-if-changed={file}");
    }
    files.sort();
    // FNV-1a: std's SipHash keys may change between Rust versions; this must not.
    let mut hash = Fnv(0xcbf2_9ce4_8422_2325);
    for file in &files {
        let rel = file.strip_prefix(root).unwrap_or(file);
        hash.write(rel.to_string_lossy().as_bytes());
        hash.write(&[0]);
        hash.write(&std::fs::read(file).unwrap_or_default());
        hash.write(&[0]);
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = std::process::Command::new(rustc).arg("-vV").output().map(|o| o.stdout).unwrap_or_default();
    hash.write(&version);
    println!("cargo:rustc-env=BIMTEK_BUILD_ID={:016x}", hash.finish());
}

fn collect(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}

struct Fnv(u64);

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
