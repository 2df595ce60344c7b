//! The bounded fuzz run `cargo test` makes: every seed of `fuzz/corpus/<target>/` and every crash
//! kept in `fuzz/regressions/<target>/`, then a fixed sequence of mutations of them (a seeded PRNG:
//! byte flips, inserts of YAML and markdown tokens, deletions, splices, repeated anchors and
//! nesting), through the same entry points the cargo-fuzz targets call. A panic or an input that
//! runs too long fails the test, naming the input and saving it for `fuzz/regressions/`.

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Mutated inputs per target after the seeds: the same sequence on every run.
const MUTATIONS: usize = 400;
/// Mutations stop early past this, so a slow machine keeps the test short rather than failing.
const BUDGET: Duration = Duration::from_secs(4);
/// One input taking this long is a hang: the largest seed takes milliseconds, even in debug.
const HANG: Duration = Duration::from_secs(20);

/// Fragments that reach the parsers' interesting states faster than random bytes.
const TOKENS: &[&[u8]] = &[
    b"&a ",
    b"*a",
    b"&b [*a, *a, *a, *a]\n",
    b"<<: *a\n",
    b"[",
    b"]",
    b"{",
    b"}",
    b"- ",
    b"? ",
    b": ",
    b"\n  ",
    b"\t",
    b"\r\n",
    b"\r",
    b"\0",
    b"\xff",
    b"\xef\xbb\xbf",
    b"---\n",
    b"...\n",
    b"'",
    b"\"",
    b"!!str ",
    b"#",
    b"> ",
    b"> [!NOTE]\n",
    b"## ",
    b" {#id}",
    b"](x.md#a)",
    b"[",
    b"![i](a.svg)",
    b"[^1]",
    b"[^1]: n\n",
    b"|a|\n|-|\n",
    b"- [ ] ",
    b"`",
    b"```\n",
    b"<div>",
    b"*",
    b"_",
    b"~~",
    b"memper",
    b"kan",
    b"-",
    b"nya",
    b"2024-11-27",
    b"\"07:00-13:00\"",
    b"\xe2\x80\x8b",
    b"\xc3",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: tiny, and the same sequence everywhere.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

fn mutate(rng: &mut Rng, seeds: &[(String, Vec<u8>)], input: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(input.len() + 1);
        match rng.below(7) {
            0 if at < input.len() => input[at] ^= 1 << rng.below(8),
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                input.splice(at..at, token.iter().copied());
            }
            2 => {
                let end = (at + 1 + rng.below(16)).min(input.len());
                input.drain(at.min(end)..end);
            }
            3 => {
                // Splice: a piece of another seed, so valid structures meet each other.
                let other = &seeds[rng.below(seeds.len())].1;
                let from = rng.below(other.len());
                let piece = &other[from..(from + rng.below(256)).min(other.len())];
                input.splice(at..at, piece.iter().copied());
            }
            4 => {
                // Repeats a stretch many times: nested brackets, quotes, list levels, anchors.
                let end = (at + 1 + rng.below(8)).min(input.len());
                let piece = input[at.min(end)..end].to_vec();
                let times = 1 + rng.below(200);
                let repeated: Vec<u8> = piece.iter().copied().cycle().take(piece.len() * times).collect();
                input.splice(at..at, repeated);
            }
            5 => {
                // Repeats a whole line: many events, headings or keys alike.
                let start = input[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                let end = input[at..].iter().position(|&b| b == b'\n').map_or(input.len(), |i| at + i + 1);
                let line = input[start..end].to_vec();
                for _ in 0..1 + rng.below(50) {
                    input.splice(end..end, line.iter().copied());
                }
            }
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())];
                let end = (at + token.len()).min(input.len());
                input.splice(at..end, token.iter().copied());
            }
        }
    }
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .map(|p| (p.display().to_string(), fs::read(&p).unwrap()))
        .collect();
    found.sort();
    found
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Runs `target` on each input on a worker thread; the first panic or hang fails the test with the
/// input's name, and the input is saved where a regression test can be made of it.
fn run(name: &str, target: fn(&[u8]), hang: Duration, inputs: impl Iterator<Item = (String, Vec<u8>)>) -> usize {
    let (to_worker, inbox) = mpsc::channel::<(String, Vec<u8>)>();
    let (to_test, results) = mpsc::channel::<Result<(), String>>();
    std::thread::spawn(move || {
        for (_, input) in inbox {
            let outcome = catch_unwind(AssertUnwindSafe(|| target(&input))).map_err(|panic| {
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or(panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            });
            if to_test.send(outcome).is_err() {
                return;
            }
        }
    });
    let mut count = 0;
    let mut slowest = (Duration::ZERO, String::new());
    for (label, input) in inputs {
        let started = Instant::now();
        to_worker.send((label.clone(), input.clone())).unwrap();
        let failure = match results.recv_timeout(hang) {
            Ok(Ok(())) => None,
            Ok(Err(message)) => Some(format!("panicked: {message}")),
            Err(_) => Some(format!("ran for more than {hang:?}")),
        };
        if let Some(failure) = failure {
            let saved = std::env::temp_dir().join(format!("bimtek-fuzz-{name}-{:016x}", bimtek::hash::hash(&input)));
            fs::write(&saved, &input).unwrap();
            panic!(
                "fuzz target `{name}` {failure}\n  input: {label} ({} bytes), saved as {}\n  \
                 copy it into fuzz/regressions/{name}/ once fixed",
                input.len(),
                saved.display()
            );
        }
        slowest = slowest.max((started.elapsed(), label));
        count += 1;
    }
    eprintln!("fuzz {name}: slowest input {:.1?}: {}", slowest.0, slowest.1);
    count
}

fn fuzz(name: &str) {
    let target = bimtek::fuzzing::TARGETS.iter().find(|(n, _)| *n == name).unwrap().1;
    let mut seeds = files(&repo(&format!("fuzz/corpus/{name}")));
    assert!(seeds.len() >= 10, "the corpus of `{name}` is missing: {seeds:?}");
    seeds.extend(files(&repo(&format!("fuzz/regressions/{name}"))));
    let started = Instant::now();
    let seeded = run(name, target, HANG, seeds.clone().into_iter());
    // Large seeds are replayed, not mutated: mutating them would spend the budget on a few inputs.
    seeds.retain(|(_, seed)| seed.len() <= 64 * 1024);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ bimtek::hash::hash(name.as_bytes()));
    let mutating = Instant::now();
    let mutated = (0..MUTATIONS).map_while(|i| {
        if mutating.elapsed() > BUDGET {
            return None;
        }
        let (label, seed) = &seeds[rng.below(seeds.len())];
        let mut input = seed.clone();
        mutate(&mut rng, &seeds, &mut input);
        Some((format!("mutation {i} of {label}"), input))
    });
    let mutated = run(name, target, HANG, mutated);
    eprintln!("fuzz {name}: {seeded} seeds, {mutated} mutations in {:.1?}", started.elapsed());
}

#[test]
fn front_matter() {
    fuzz("front_matter");
}

#[test]
fn schedule() {
    fuzz("schedule");
}

#[test]
fn config() {
    fuzz("config");
}

#[test]
fn markdown() {
    fuzz("markdown");
}

#[test]
fn search() {
    fuzz("search");
}

#[test]
fn the_run_catches_panics_and_hangs() {
    fn faulty(data: &[u8]) {
        assert!(!data.starts_with(b"boom"), "injected");
        if data.starts_with(b"slow") {
            std::thread::sleep(Duration::from_secs(60));
        }
    }
    let message = |bad: &[u8]| {
        let inputs = [("ok".to_owned(), b"x".to_vec()), ("bad".to_owned(), bad.to_vec())];
        let caught = catch_unwind(|| run("test", faulty, Duration::from_secs(2), inputs.into_iter()));
        *caught.unwrap_err().downcast::<String>().unwrap()
    };
    let panicked = message(b"boom");
    assert!(panicked.contains("input: bad (4 bytes)") && panicked.contains("injected"), "{panicked}");
    let hung = message(b"slow");
    assert!(hung.contains("input: bad (4 bytes)") && hung.contains("ran for more than"), "{hung}");
}
