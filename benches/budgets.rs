//! `cargo bench --bench budgets`: what each kind of page costs a phone, compressed, with everything
//! it needs to render (the HTML, its stylesheet and its scripts), against issue 5's budget of
//! 20 KB for a module page; and what a full offline copy of each regency weighs.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use scraper::{Html, Selector};

const MODULE_BUDGET: usize = 20 * 1024;

fn gzip(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip in memory");
    encoder.finish().expect("gzip in memory").len()
}

/// (compressed bytes of the page with its CSS and JS, of which HTML, number of requests).
fn weigh(site: &Path, page: &Path) -> (usize, usize, usize) {
    let html = std::fs::read(page).expect("page");
    let doc = Html::parse_document(&String::from_utf8_lossy(&html));
    let dir = page.parent().expect("folder");
    let mut total = gzip(&html);
    let html_only = total;
    let mut requests = 1;
    let selector = Selector::parse("link[rel=stylesheet][href], script[src]").expect("selector");
    for element in doc.select(&selector) {
        let href = element.value().attr("href").or(element.value().attr("src")).expect("matched");
        let file = dir.join(href);
        assert!(file.starts_with(site) || file.exists(), "{href}");
        total += gzip(&std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display())));
        requests += 1;
    }
    (total, html_only, requests)
}

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("output");
    let options = bimtek::BuildOptions {
        root: repo.to_owned(),
        out: Some(site.clone()),
        sites: Vec::new(),
        shard: None,
        drafts: false,
        minify: true,
        timestamp: None,
    };
    let report = bimtek::build(&options).unwrap_or_else(|f| panic!("build failed: {:?}", f.diagnostics));

    let mut kinds: BTreeMap<&str, Vec<(usize, usize, usize, String)>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&site).into_iter().map(|e| e.expect("walk")) {
        let rel = entry.path().strip_prefix(&site).expect("inside").to_string_lossy().replace('\\', "/");
        let parts: Vec<&str> = rel.split('/').collect();
        let kind = match parts.as_slice() {
            [_, "index.html"] => "home",
            [_, "modul", _, "index.html"] => "module",
            [_, "topik", _, "index.html"] => "topic",
            [_, "peran", _, "index.html"] => "role",
            [_, "jadwal", "index.html"] => "timeline",
            [_, "jadwal", _, "index.html"] => "timeline per role",
            [_, "cari", "index.html"] => "search",
            [_, "kontak", "index.html"] => "contacts",
            _ => continue,
        };
        let (total, html, requests) = weigh(&site, entry.path());
        kinds.entry(kind).or_default().push((total, html, requests, rel));
    }
    println!("Compressed (gzip -6) bytes a phone downloads to render each kind of page: HTML + CSS + JS.");
    println!("{:<18} {:>6} {:>10} {:>10} {:>10}  heaviest", "page", "pages", "median", "max", "max HTML");
    let mut over = Vec::new();
    for (kind, pages) in &mut kinds {
        pages.sort();
        let (max, max_html, requests, heaviest) = pages.last().cloned().expect("at least one");
        let median = pages[pages.len() / 2].0;
        println!(
            "{kind:<18} {:>6} {:>8.1} KB {:>7.1} KB {:>7.1} KB  {heaviest} ({requests} requests)",
            pages.len(),
            median as f64 / 1024.0,
            max as f64 / 1024.0,
            max_html as f64 / 1024.0
        );
        if *kind == "module" {
            over.extend(pages.iter().filter(|p| p.0 > MODULE_BUDGET).map(|p| p.3.clone()));
        }
    }
    println!("\nFull offline copy per regency (uncompressed, as the service worker stores it):");
    for copy in &report.offline {
        println!("  {:<14} {:>5} files {:>8.0} KB", copy.regency, copy.files, copy.bytes as f64 / 1024.0);
    }
    if over.is_empty() {
        println!("\nEvery module page is within the {} KB budget.", MODULE_BUDGET / 1024);
    } else {
        println!("\nOver the {} KB module budget: {}", MODULE_BUDGET / 1024, over.join(", "));
        std::process::exit(1);
    }
}
