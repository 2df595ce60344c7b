//! Stems words read from standard input, one a line, printing `word<TAB>stem`; used to compare
//! bimtek's stemmer with others: `cargo run --release --example stem < words.txt`.

use std::io::{BufRead, Write};

fn main() {
    let stemmer = bimtek::search::stem::Stemmer::new();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let word = line.split('\t').next().unwrap_or("").trim().to_lowercase();
        if word.is_empty() || word.starts_with('#') {
            continue;
        }
        let _ = writeln!(out, "{word}\t{}", stemmer.stem(&word));
    }
}
