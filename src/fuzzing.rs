//! Entry points for fuzzing: each takes arbitrary bytes and runs them through the same code a
//! build runs on a file of that kind — decoding ([`content::decode`]), YAML, validation, markdown,
//! search — and throws the result away.
//!
//! Content is written by people, and a site is often built in CI from contributions: no file may
//! crash, hang or exhaust the build. The cargo-fuzz targets in `fuzz/` call these functions, and so
//! does the bounded run `cargo test` makes (`tests/it/fuzz.rs`), so both exercise the real parsers,
//! never a copy. A problem in the input must come back as a [`Diagnostic`] with a position inside
//! the text; any panic is a bug.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::config::Config;
use crate::content::{self, Scope, TextFile};
use crate::diagnostics::{Diagnostic, Position};
use crate::i18n::Catalog;
use crate::search::index::{self, Doc, DocKind};
use crate::search::stem::Stemmer;
use crate::{markdown, schedule};

/// An entry point: any bytes, no panic.
pub type Target = fn(&[u8]);

/// The targets, by the name of their cargo-fuzz binary and corpus folder.
pub const TARGETS: &[(&str, Target)] = &[
    ("front_matter", front_matter),
    ("schedule", schedule_file),
    ("config", config_file),
    ("markdown", markdown_body),
    ("search", search_text),
];

/// A module file: front matter, then the body as the model renders it, with every link's position.
pub fn front_matter(data: &[u8]) {
    let Some(file) = decode("content/modules/fuzz.md", data) else { return };
    let Ok(parsed) = content::module::parse(&file.rel, &file.text, config()) else { return };
    render_located(&file.rel, parsed.body, parsed.body_line_offset);
}

/// A schedule file, with the event ids the timeline derives from it; the same text is also read
/// as a `regency.yaml`, the other YAML file of a regency.
pub fn schedule_file(data: &[u8]) {
    let Some(file) = decode("content/schedules/fuzz.yaml", data) else { return };
    let _ = content::regency::parse(&file.rel, &file.text);
    let scope = Scope::Regency("fuzz".into());
    let Ok(parsed) = schedule::parse(&file.rel, &file.text, "fuzz", &scope, config()) else { return };
    let events: Vec<&schedule::Event> = parsed.events.iter().collect();
    let ids = schedule::event_ids(&events);
    assert_eq!(ids.len(), events.len());
    for event in &parsed.events {
        if let Some(note) = &event.note {
            let options = markdown::Options { catalog: catalog(), module_prefix: "", trusted: false };
            let _ = markdown::render(note, &options);
        }
    }
}

/// A `bimtek.yaml`.
pub fn config_file(data: &[u8]) {
    let Some(file) = decode("bimtek.yaml", data) else { return };
    let _ = Config::parse(&file.rel, &file.text);
}

/// A module body, rendered both as trusted (module) and untrusted (event note) markdown, with
/// module links, images and attachments rewritten and located as the model does.
pub fn markdown_body(data: &[u8]) {
    let Some(file) = decode("content/modules/fuzz.md", data) else { return };
    render_located(&file.rel, &file.text, 0);
    let _ = markdown::plain_text(&file.text);
}

/// Text as the search index sees it: split into words, each stemmed, and an index built from it.
pub fn search_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let stemmer = stemmer();
    // Each distinct word once, as the index does.
    let lower = text.to_ascii_lowercase();
    let words: std::collections::BTreeSet<&str> = index::tokens(&lower).collect();
    for word in words {
        let _ = stemmer.stem(word);
    }
    let roles = [String::from("kpps")];
    let (title, rest) = text.split_at(text.char_indices().nth(40).map_or(text.len(), |(i, _)| i));
    let heading = rest.lines().next().unwrap_or_default();
    let doc = Doc::new(
        DocKind::Section,
        "modul/fuzz/".into(),
        title.into(),
        heading.into(),
        rest.into(),
        index::Filters::new(&roles, Some("pemungutan")),
    );
    let _ = index::build(&[doc], stemmer, &["kpps"], &["pemungutan"]);
}

fn decode(rel: &str, data: &[u8]) -> Option<TextFile> {
    content::decode(PathBuf::from(rel), data.to_vec()).ok()
}

/// Renders `body` both ways, and places every link, image and bad link in the file.
fn render_located(path: &Path, body: &str, line_offset: usize) {
    for trusted in [true, false] {
        let options = markdown::Options { catalog: catalog(), module_prefix: "../", trusted };
        let rendered = markdown::render(body, &options);
        let offsets = rendered.links.iter().map(|l| l.offset);
        let offsets = offsets.chain(rendered.local_refs.iter().map(|r| r.offset));
        let mut located: Vec<Diagnostic> = Vec::new();
        for offset in offsets.chain(rendered.bad_links.iter().map(|b| b.offset)) {
            let at = Position::at_offset(path, body, offset, line_offset);
            assert!(at.line > line_offset, "a position before the body: {at:?}");
            located.push(at.error("x"));
        }
    }
}

/// The sample project's config: real roles and topics, so valid seeds get past validation.
fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let text = include_str!("../bimtek.yaml");
        Config::parse(Path::new("bimtek.yaml"), text).unwrap_or_else(|e| panic!("the sample bimtek.yaml: {e:?}"))
    })
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::builtin(crate::config::Language::Id))
}

fn stemmer() -> &'static Stemmer {
    Stemmer::shared()
}
