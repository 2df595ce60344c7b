//! Values from YAML are data, never markup: a hostile title, name or event reaches every output
//! (HTML text and attributes, the search index's JSON, `.ics`) as the same text. Module bodies keep
//! their raw HTML unless the project turns `markdown.raw_html` off.

use std::fs;

use crate::harness::{Page, Project, sel};
use crate::timeline::{unescape, vevents};

/// Closes the element it lands in, opens a script, breaks out of quoted and unquoted attributes.
const HOSTILE: &str = r#"</title><script>alert("x")</script> & 'q' "a" <b onmouseover=alert(1)>tebal</b>"#;

fn yaml_string(s: &str) -> String {
    // JSON strings are YAML double-quoted scalars.
    serde_json::to_string(s).unwrap()
}

fn html_files(p: &Project) -> Vec<(String, Page)> {
    walkdir::WalkDir::new(p.out())
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let text = fs::read_to_string(e.path()).unwrap();
            (e.path().display().to_string(), Page { html: scraper::Html::parse_document(&text) })
        })
        .collect()
}

/// No page may carry code the theme did not put there.
fn assert_no_injected_code(p: &Project) {
    let theme_script = |src: &str| {
        ["timeline", "offline", "checklist", "search", "stem"].iter().any(|t| src.ends_with(&format!("assets/{t}.js")))
    };
    for (path, page) in html_files(p) {
        for element in page.html.select(&sel("*")) {
            let v = element.value();
            assert!(v.attrs().all(|(name, _)| !name.starts_with("on")), "{path}: event handler on <{}>", v.name());
            if v.name() == "script" {
                assert!(v.attr("src").is_some_and(theme_script), "{path}: a script the theme did not write");
            }
        }
        assert_eq!(page.html.select(&sel("b")).count(), 0, "{path}: markup from YAML became an element");
    }
}

fn json_strings(value: &serde_json::Value, into: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => into.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| json_strings(v, into)),
        serde_json::Value::Object(map) => map.values().for_each(|v| json_strings(v, into)),
        _ => {}
    }
}

#[test]
fn yaml_values_reach_html_attributes_search_and_ics_as_plain_text() {
    let p = Project::fixture("basic");
    let title = format!("Pemungutan {HOSTILE}");
    let summary = format!("Ringkasan {HOSTILE}");
    p.edit(
        "content/modules/pemungutan.md",
        "title: Pemungutan Suara di TPS",
        &format!("title: {}", yaml_string(&title)),
    );
    p.edit(
        "content/modules/pemungutan.md",
        "summary: Langkah KPPS dari pembukaan sampai penutupan TPS.",
        &format!("summary: {}", yaml_string(&summary)),
    );
    p.edit("content/regencies/alpha/regency.yaml", "name: Kabupaten Alpha", &format!("name: {}", yaml_string(HOSTILE)));
    p.edit("content/regencies/alpha/regency.yaml", "name: Sekretariat", &format!("name: {}", yaml_string(HOSTILE)));
    // Commas, semicolons, backslashes and line breaks are what `.ics` text must escape.
    let event = format!("Pemungutan suara, hari H; \\ {HOSTILE}\nbaris kedua");
    p.edit("content/schedules/nasional.yaml", "title: Pemungutan suara", &format!("title: {}", yaml_string(&event)));
    p.build().assert_ok();

    assert_no_injected_code(&p);
    let page = p.page("alpha/modul/pemungutan/index.html");
    assert_eq!(page.text("h1"), title);
    assert!(page.text("title").starts_with(&title), "{}", page.text("title"));
    assert!(page.attrs("meta[name=description]", "content").contains(&summary));
    assert!(page.attrs("meta[property='og:title']", "content").iter().all(|c| c.starts_with(&title)));
    let home = p.page("alpha/index.html");
    assert!(home.texts("a").contains(&title), "the module's title as a link's text");
    assert!(home.texts("*").iter().any(|t| t.contains(HOSTILE)), "the regency's name as text");
    let contacts = p.page("alpha/kontak/index.html");
    assert!(contacts.texts("*").iter().any(|t| t.contains(HOSTILE)));

    let mut strings = Vec::new();
    for entry in fs::read_dir(p.out().join("alpha/cari/dokumen")).unwrap() {
        let text = fs::read_to_string(entry.unwrap().path()).unwrap();
        json_strings(&serde_json::from_str(&text).expect("search documents are JSON"), &mut strings);
    }
    assert!(strings.iter().any(|s| s.contains(&title)), "the title, whole, in the search documents");

    let ics = p.read("output/alpha/jadwal/kalender.ics");
    let (_, events, _) = vevents(&ics);
    let summaries: Vec<String> = events.iter().map(|e| unescape(&e["SUMMARY"].1)).collect();
    assert!(summaries.contains(&event), "{summaries:#?}");
}

const RAW: &str = "\n<details><summary>Rincian</summary>Isi rincian.</details>\n\n<script>alert(1)</script>\n\n\
                   Gambar <img src=x onerror=alert(2)> dan [tautan](javascript:alert(3)).\n";

#[test]
fn raw_html_in_module_bodies_is_kept_by_default() {
    let p = Project::fixture("basic");
    let body = p.read("content/modules/pemungutan.md") + RAW;
    p.write("content/modules/pemungutan.md", body);
    p.build().assert_ok();
    let page = p.page("alpha/modul/pemungutan/index.html");
    assert_eq!(page.text("details summary"), "Rincian", "trusted authors may write HTML");
    assert_eq!(page.html.select(&sel("script:not([src])")).count(), 1);
}

#[test]
fn raw_html_false_shows_body_html_as_text_and_drops_script_links() {
    let p = Project::fixture("basic");
    let body = p.read("content/modules/pemungutan.md") + RAW;
    p.write("content/modules/pemungutan.md", body);
    let config = p.read("bimtek.yaml") + "markdown:\n  raw_html: false\n";
    p.write("bimtek.yaml", config);
    p.build().assert_ok();

    assert_no_injected_code(&p);
    let page = p.page("alpha/modul/pemungutan/index.html");
    assert_eq!(page.html.select(&sel("main details, main img[onerror]")).count(), 0);
    let text = page.text("main");
    assert!(
        text.contains("<details><summary>Rincian</summary>") && text.contains("<script>alert(1)</script>"),
        "{text}"
    );
    let hrefs = page.attrs("main a", "href");
    assert!(hrefs.iter().all(|h| !h.to_lowercase().contains("javascript")), "{hrefs:?}");
    // Markdown itself still renders: the table, the callout and links between modules.
    assert_eq!(page.html.select(&sel("main table")).count(), 1);
    assert!(hrefs.iter().any(|h| h.ends_with("etika/#netralitas")), "{hrefs:?}");
}

#[test]
fn a_misspelt_markdown_option_is_located() {
    let p = Project::fixture("basic");
    let config = p.read("bimtek.yaml") + "markdown:\n  raw_hmtl: false\n";
    p.write("bimtek.yaml", config);
    let run = p.build();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("raw_hmtl") && run.stderr.contains("bimtek.yaml:"), "{}", run.stderr);
}
