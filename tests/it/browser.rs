//! The pages' scripts in a real headless Chromium (Debian's `chromium`, installed by `.ci/run`),
//! with the clock fixed, reading back the DOM the scripts leave.

use std::path::Path;
use std::process::Command;

use crate::harness::{Page, Project};

pub fn chromium() -> String {
    let candidates =
        [std::env::var("BIMTEK_CHROMIUM").unwrap_or_default(), "chromium".into(), "chromium-browser".into()];
    candidates
        .into_iter()
        .filter(|c| !c.is_empty())
        .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
        .expect("browser tests need Chromium: `apt-get install chromium` (or set BIMTEK_CHROMIUM)")
}

/// How every test runs Chromium: headless, no sandbox (CI runs as root), nothing fetched from Google.
pub const HEADLESS_FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// Loads `page` (a file of the built site) with `Date` fixed at `utc_millis`, and returns the DOM
/// after its scripts ran.
fn dom_at(p: &Project, page: &str, utc_millis: i64) -> Page {
    let path = p.out().join(page);
    let dir = path.parent().unwrap();
    std::fs::write(
        dir.join("fixed-clock.js"),
        format!(
            "(function () {{ var fixed = {utc_millis}; var Real = Date;\n\
             function Fixed() {{ if (arguments.length === 0) return new Real(fixed);\n\
             return new (Function.prototype.bind.apply(Real, [null].concat([].slice.call(arguments))))(); }}\n\
             Fixed.now = function () {{ return fixed; }}; Fixed.UTC = Real.UTC; Fixed.parse = Real.parse;\n\
             Fixed.prototype = Real.prototype; window.Date = Fixed; }})();"
        ),
    )
    .unwrap();
    let html = std::fs::read_to_string(&path).unwrap();
    let head = html.find("<head>").expect("page has a <head>") + "<head>".len();
    let clocked = format!("{}<script src=\"fixed-clock.js\"></script>{}", &html[..head], &html[head..]);
    let test_page = dir.join("clock-test.html");
    std::fs::write(&test_page, clocked).unwrap();
    dump_dom(&url(&test_page))
}

fn url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Loads `address` in headless Chromium and returns the DOM its scripts leave.
fn dump_dom(address: &str) -> Page {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(chromium())
        .args(HEADLESS_FLAGS)
        .args(["--allow-file-access-from-files", "--virtual-time-budget=10000"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(address)
        .output()
        .unwrap();
    assert!(output.status.success(), "chromium failed: {}", String::from_utf8_lossy(&output.stderr));
    Page { html: scraper::Html::parse_document(&String::from_utf8_lossy(&output.stdout)) }
}

/// (title, state class, label) of every event on the page.
fn marks(page: &Page) -> Vec<(String, String, String)> {
    page.html
        .select(&crate::harness::sel(".timeline .event"))
        .map(|e| {
            let inner = Page { html: scraper::Html::parse_fragment(&e.html()) };
            let classes = e.value().attr("class").unwrap_or_default();
            let state = classes.split(' ').find(|c| c.starts_with("is-")).unwrap_or("(unmarked)").to_owned();
            (inner.text(".event-title"), state, inner.texts(".event-when").join(""))
        })
        .collect()
}

#[test]
fn timeline_marks_past_today_and_next_events_in_the_regency_zone() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    // 2024-11-26 16:30 UTC: still the 26th in WIB (23:30), already voting day in WITA (00:30).
    let now = 1_732_638_600_000;
    let alpha = dom_at(&p, "alpha/jadwal/index.html", now);
    assert_eq!(
        marks(&alpha),
        [
            ("Masa kampanye".into(), "is-past".into(), "H+3".into()),
            ("Bimtek KPPS Alpha".into(), "is-past".into(), "H+6".into()),
            ("Pemungutan suara".into(), "is-next".into(), "H-1 · Berikutnya".into()),
        ]
    );
    let beta = dom_at(&p, "beta/jadwal/index.html", now);
    assert_eq!(
        marks(&beta),
        [
            ("Masa kampanye".into(), "is-past".into(), "H+4".into()),
            ("Pemungutan suara".into(), "is-today".into(), "Hari ini".into()),
        ]
    );
    assert_eq!(beta.attrs(".event.is-today", "aria-current"), ["date"]);
    // The home page marks its events the same way.
    let home = dom_at(&p, "alpha/index.html", now);
    assert_eq!(marks(&home)[2].1, "is-next");
}

#[test]
fn a_span_in_progress_is_ongoing_and_labels_follow_the_language() {
    let p = Project::fixture("basic");
    p.edit("bimtek.yaml", "base_url:", "language: en\nbase_url:");
    p.build().assert_ok();
    // 2024-10-01 05:00 UTC: the campaign is under way; the rest lies ahead.
    let page = dom_at(&p, "alpha/jadwal/index.html", 1_727_758_800_000);
    assert_eq!(
        marks(&page),
        [
            ("Masa kampanye".into(), "is-today".into(), "Ongoing".into()),
            ("Bimtek KPPS Alpha".into(), "is-next".into(), "D-50 · Next".into()),
            ("Pemungutan suara".into(), "is-future".into(), "D-57".into()),
        ]
    );
}

#[test]
fn without_the_script_every_event_is_still_listed() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    let page = p.page("alpha/jadwal/index.html");
    assert_eq!(marks(&page).iter().map(|m| m.1.as_str()).collect::<Vec<_>>(), ["(unmarked)"; 3]);
}

/// The browser's stemmer (themes/default/static/stem.js), given the same roots and rules, stems
/// every word of both test lists and of the sample content exactly as the Rust one does.
#[test]
fn browser_and_rust_stemmers_agree_on_every_word() {
    use bimtek::search::stem::{RULES, Stemmer};
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let stemmer = Stemmer::new();
    let mut words = std::collections::BTreeSet::new();
    for list in ["tests/data/stem-pairs.tsv", "tests/data/stem-heldout.tsv"] {
        let text = std::fs::read_to_string(repo.join(list)).unwrap();
        let pairs = text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty());
        words.extend(pairs.filter_map(|l| l.split('\t').next()).map(str::to_owned));
    }
    for entry in walkdir::WalkDir::new(repo.join("content")).into_iter().map(Result::unwrap) {
        if entry.path().extension().is_some_and(|e| e == "md" || e == "yaml") {
            let text = std::fs::read_to_string(entry.path()).unwrap().to_lowercase();
            words.extend(
                text.split(|c: char| !(c.is_ascii_lowercase() || c == '-'))
                    .map(|w| w.trim_matches('-'))
                    .filter(|w| w.len() > 1)
                    .map(str::to_owned),
            );
        }
    }
    // Over the length past which neither stems, and at it.
    words.extend([format!("{}kan", "memper".repeat(8)), format!("{}kannya", "memper".repeat(7))]);
    assert!(words.len() > 1500, "only {} words", words.len());
    let words: Vec<String> = words.into_iter().collect();
    let dir = tempfile::tempdir().unwrap();
    let json = |items: &[&str]| format!("[{}]", items.iter().map(|w| format!("{w:?}")).collect::<Vec<_>>().join(","));
    let word_refs: Vec<&str> = words.iter().map(String::as_str).collect();
    std::fs::write(
        dir.path().join("data.js"),
        format!(
            "var ROOTS = {{}}; {}.forEach(function (w) {{ ROOTS[w] = 1; }});\nvar RULES = {:?};\nvar WORDS = {};\n",
            json(&stemmer.roots()),
            RULES,
            json(&word_refs)
        ),
    )
    .unwrap();
    std::fs::copy(repo.join("themes/default/static/stem.js"), dir.path().join("stem.js")).unwrap();
    std::fs::write(dir.path().join("run.js"), "var s = new BimtekStemmer(ROOTS, RULES);\nvar out = WORDS.map(function (w) { return w + '\\t' + s.stem(w); }).join('\\n');\nvar pre = document.createElement('pre'); pre.id = 'out'; pre.textContent = out; document.body.appendChild(pre);\n").unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><script src=\"data.js\"></script><script src=\"stem.js\"></script><script src=\"run.js\"></script></body></html>",
    )
    .unwrap();
    let dom = dump_dom(&url(&dir.path().join("index.html")));
    let text = dom
        .html
        .select(&crate::harness::sel("#out"))
        .next()
        .expect("the page printed no result")
        .text()
        .collect::<String>();
    let browser: Vec<(&str, &str)> = text.lines().filter_map(|l| l.split_once('\t')).collect();
    assert_eq!(browser.len(), words.len());
    let disagreements: Vec<String> = browser
        .iter()
        .filter(|(w, js)| stemmer.stem(w) != *js)
        .map(|(w, js)| format!("{w}: rust {} browser {js}", stemmer.stem(w)))
        .collect();
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
}
