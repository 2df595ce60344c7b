//! Stage 3a, markdown: module bodies to HTML, with stable heading ids, callouts from GFM alerts and
//! relative `.md` links turned into links to module pages. Pure: text in, HTML and facts out.

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, HeadingLevel, Options as CmarkOptions, Parser, Tag, TagEnd, html};
use serde::Serialize;

use crate::i18n::Catalog;

/// A heading of a module, for its table of contents and for anchor checks.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A link from markdown to another module, kept so the model can check it exists in each regency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleLink {
    pub slug: String,
    pub anchor: Option<String>,
    /// Byte offset in the markdown source, for the error's line and column.
    pub offset: usize,
}

/// A link or image to a file of the site rather than a module (`denah.svg`, `formulir.pdf`,
/// `#bagian`), kept so `bimtek check` can tell whether it is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRef {
    pub dest: String,
    pub offset: usize,
}

/// A link to a `.md` file that cannot be a module, found while rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLink {
    pub offset: usize,
    pub message: String,
}

/// A part of a module under one heading (or before the first), as plain text for search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    /// The heading's id; None for the text before the first heading.
    pub anchor: Option<String>,
    pub heading: String,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub sections: Vec<Section>,
    pub headings: Vec<Heading>,
    pub links: Vec<ModuleLink>,
    pub bad_links: Vec<BadLink>,
    /// How many task-list items (`- [ ]`) the document has: they become a checklist.
    pub tasks: usize,
    pub local_refs: Vec<LocalRef>,
}

pub struct Options<'a> {
    pub catalog: &'a Catalog,
    /// What a module link is prefixed with to reach `modul/` from the page the HTML lands on,
    /// e.g. `../` on a module page.
    pub module_prefix: &'a str,
    /// Module bodies are written by the trainers and may hold raw HTML. Markdown inside YAML values
    /// (event notes) is not trusted: its HTML is shown as text and script links are dropped.
    pub trusted: bool,
}

/// Ids the theme's module page uses itself; headings never take them.
pub const THEME_IDS: &[&str] = &["isi", "toc-title", "jadwal-terkait"];

fn parser_options() -> CmarkOptions {
    CmarkOptions::ENABLE_TABLES
        | CmarkOptions::ENABLE_FOOTNOTES
        | CmarkOptions::ENABLE_STRIKETHROUGH
        | CmarkOptions::ENABLE_TASKLISTS
        | CmarkOptions::ENABLE_HEADING_ATTRIBUTES
        | CmarkOptions::ENABLE_GFM
}

pub fn render(source: &str, options: &Options) -> Rendered {
    let mut events: Vec<(Event, std::ops::Range<usize>)> =
        Parser::new_ext(source, parser_options()).into_offset_iter().collect();
    let headings = assign_heading_ids(&mut events);
    let sections = split_sections(&events);
    let mut links = Vec::new();
    let mut bad_links = Vec::new();
    let mut tasks = 0;
    let mut tables = 0;
    let mut local_refs = Vec::new();
    // A task item's text is the label of its checkbox, up to where its own text ends.
    let mut open_label = false;
    // Rewritten events go straight to the HTML writer: a copy of the whole event list beside the
    // first doubled what a large module costs (a 50 MB module peaked at 1.2 GB).
    let mut pending: std::collections::VecDeque<Event> = std::collections::VecDeque::new();
    let mut source_events = events.into_iter();
    let rewritten = std::iter::from_fn(|| {
        loop {
            if let Some(event) = pending.pop_front() {
                return Some(event);
            }
            let (event, range) = source_events.next()?;
            if open_label && matches!(event, Event::Start(Tag::List(_)) | Event::End(TagEnd::Item | TagEnd::Paragraph))
            {
                pending.push_back(Event::InlineHtml("</label>".into()));
                open_label = false;
            }
            match event {
                Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                    let dest_url = match module_link(&dest_url) {
                        Some(Ok((slug, anchor))) => {
                            let href = match &anchor {
                                Some(a) => format!("{}{slug}/#{a}", options.module_prefix),
                                None => format!("{}{slug}/", options.module_prefix),
                            };
                            links.push(ModuleLink { slug, anchor, offset: range.start });
                            CowStr::from(href)
                        }
                        Some(Err(message)) => {
                            bad_links.push(BadLink { offset: range.start, message });
                            dest_url
                        }
                        None if !options.trusted && !is_safe_url(&dest_url) => CowStr::from("#"),
                        None => {
                            if is_local(&dest_url) {
                                local_refs.push(LocalRef { dest: dest_url.to_string(), offset: range.start });
                            }
                            dest_url
                        }
                    };
                    pending.push_back(Event::Start(Tag::Link { link_type, dest_url, title, id }));
                }
                Event::Start(Tag::Image { link_type, dest_url, title, id })
                    if !options.trusted && !is_safe_url(&dest_url) =>
                {
                    pending.push_back(Event::Start(Tag::Image { link_type, dest_url: CowStr::from("#"), title, id }));
                }
                Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                    if is_local(&dest_url) {
                        local_refs.push(LocalRef { dest: dest_url.to_string(), offset: range.start });
                    }
                    pending.push_back(Event::Start(Tag::Image { link_type, dest_url, title, id }));
                }
                Event::Html(html) | Event::InlineHtml(html) if !options.trusted => pending.push_back(Event::Text(html)),
                Event::Start(Tag::BlockQuote(Some(kind))) => {
                    let (class, key) = callout(kind);
                    let label = html_escape(options.catalog.get(key));
                    pending.push_back(Event::Html(
                        format!("<aside class=\"callout callout-{class}\" role=\"note\"><p class=\"callout-title\">{label}</p>\n")
                            .into(),
                    ));
                }
                Event::End(TagEnd::BlockQuote(Some(_))) => pending.push_back(Event::Html("</aside>\n".into())),
                Event::Start(Tag::Table(align)) => {
                    // Wide tables scroll inside their own box instead of widening the page on a phone.
                    // Focusable and named, so keyboard users can scroll it too.
                    tables += 1;
                    let label = html_escape(&format!("{} {tables}", options.catalog.get("table")));
                    pending.push_back(Event::Html(
                        format!("<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"{label}\">")
                            .into(),
                    ));
                    pending.push_back(Event::Start(Tag::Table(align)));
                }
                Event::End(TagEnd::Table) => {
                    pending.push_back(Event::End(TagEnd::Table));
                    pending.push_back(Event::Html("</div>\n".into()));
                }
                // Footnote names become ids; a prefix keeps `[^1]` from clashing with a heading's id.
                Event::FootnoteReference(name) => {
                    pending.push_back(Event::FootnoteReference(format!("catatan_{name}").into()))
                }
                Event::Start(Tag::FootnoteDefinition(name)) => {
                    pending.push_back(Event::Start(Tag::FootnoteDefinition(format!("catatan_{name}").into())));
                }
                Event::TaskListMarker(checked) => {
                    tasks += 1;
                    let checked = if checked { " checked" } else { "" };
                    pending.push_back(Event::InlineHtml(
                        format!("<label class=\"task\"><input type=\"checkbox\"{checked}> ").into(),
                    ));
                    open_label = true;
                }
                other => pending.push_back(other),
            }
        }
    });
    let mut html_out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut html_out, rewritten);
    Rendered { html: html_out, sections, headings, links, bad_links, tasks, local_refs }
}

/// The plain text of the document, cut at every h2 and h3.
fn split_sections(events: &[(Event, std::ops::Range<usize>)]) -> Vec<Section> {
    let mut sections = vec![Section::default()];
    let mut in_heading = false;
    for (event, _) in events {
        match event {
            Event::Start(Tag::Heading { level: HeadingLevel::H2 | HeadingLevel::H3, id, .. }) => {
                sections.push(Section { anchor: id.as_ref().map(|i| i.to_string()), ..Section::default() });
                in_heading = true;
            }
            Event::End(TagEnd::Heading(_)) => {
                if !in_heading {
                    if let Some(section) = sections.last_mut() {
                        section.text.push(' ');
                    }
                }
                in_heading = false;
            }
            Event::Text(t) | Event::Code(t) => {
                let Some(section) = sections.last_mut() else { continue };
                if in_heading { section.heading.push_str(t) } else { section.text.push_str(t) }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(section) = sections.last_mut() {
                    section.text.push(' ');
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::BlockQuote(_)) => {
                if let Some(section) = sections.last_mut() {
                    section.text.push(' ');
                }
            }
            _ => {}
        }
    }
    for section in &mut sections {
        section.text = fold_whitespace(&section.text);
        section.heading = section.heading.trim().to_owned();
    }
    sections.retain(|s| s.anchor.is_some() || !s.text.is_empty());
    sections
}

/// `text`'s words, each run of white space between them made one space, none at either end: what
/// `split_whitespace` and `join(" ")` make, in one pass that decodes only non-ASCII characters.
/// Every section of every module goes through it, and the generic way was 4% of a build.
fn fold_whitespace(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    // Where the current word started, if in one.
    let mut word: Option<usize> = None;
    let mut at = 0;
    while at < bytes.len() {
        let (space, len) = match bytes[at] {
            b @ 0..0x80 => (matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' '), 1),
            _ => text[at..].chars().next().map_or((false, 1), |c| (c.is_whitespace(), c.len_utf8())),
        };
        match (space, word) {
            (true, Some(start)) => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&text[start..at]);
                word = None;
            }
            (false, None) => word = Some(at),
            _ => {}
        }
        at += len;
    }
    if let Some(start) = word {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&text[start..]);
    }
    out
}

/// The words of a markdown text without its markup: link texts stay, their targets go. Blocks end
/// with a line break.
pub fn plain_text(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for event in Parser::new_ext(source, parser_options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableRow) => out.push('\n'),
            _ => {}
        }
    }
    out.trim().to_owned()
}

/// A URL that cannot run script when followed: relative, or http(s), mailto, tel.
/// A path within the site: no scheme, not absolute (those are the host's business).
fn is_local(url: &str) -> bool {
    let scheme = url.find(':').is_some_and(|colon| !url[..colon].contains(['/', '?', '#']));
    !url.is_empty() && !scheme && !url.starts_with('/')
}

fn is_safe_url(url: &str) -> bool {
    let scheme_end = url.find(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.'));
    match scheme_end {
        Some(i) if url[i..].starts_with(':') => {
            matches!(url[..i].to_ascii_lowercase().as_str(), "http" | "https" | "mailto" | "tel")
        }
        _ => !url.trim_start().to_ascii_lowercase().starts_with("javascript"),
    }
}

fn callout(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "callout_note"),
        BlockQuoteKind::Tip => ("tip", "callout_tip"),
        BlockQuoteKind::Important => ("important", "callout_important"),
        BlockQuoteKind::Warning => ("warning", "callout_warning"),
        BlockQuoteKind::Caution => ("caution", "callout_caution"),
    }
}

/// `kode-etik.md`, `./kode-etik.md#netralitas`, `../kode-etik/index.md` -> (`kode-etik`, anchor).
/// `None` for anything that is not a relative link to a `.md` file; an error for a `.md` link that
/// cannot name a module.
pub fn module_link(dest: &str) -> Option<Result<(String, Option<String>), String>> {
    if dest.contains("://") || dest.starts_with('/') || dest.contains(':') {
        return None;
    }
    let (before_anchor, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a.to_owned()).filter(|a| !a.is_empty())),
        None => (dest, None),
    };
    let path = before_anchor.split_once('?').map_or(before_anchor, |(p, _)| p);
    // Compared as bytes: `path` may end inside a multi-byte character (`éé`), where slicing the
    // str panicked, as cargo-fuzz found.
    if path.len() < 3 || !path.as_bytes()[path.len() - 3..].eq_ignore_ascii_case(b".md") {
        return None;
    }
    let path = &path[..path.len() - 3];
    let mut parts = path.rsplit('/').filter(|p| !p.is_empty() && *p != ".");
    let slug = match parts.next() {
        Some("index") => parts.next(),
        other => other,
    };
    match slug {
        Some(slug) if crate::config::is_key(slug) => Some(Ok((slug.to_owned(), anchor))),
        _ => Some(Err(format!("`{dest}` does not name a module"))),
    }
}

/// Gives every heading a unique, stable id: its own `{#id}` if written, else a slug of its text,
/// with `-1`, `-2`... appended to repeats in page order.
fn assign_heading_ids(events: &mut [(Event, std::ops::Range<usize>)]) -> Vec<Heading> {
    let mut headings = Vec::new();
    // Written ids are reserved first, so an earlier heading's generated id never takes one.
    let mut used: std::collections::HashSet<String> = THEME_IDS.iter().map(|s| s.to_string()).collect();
    let mut explicit: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (event, _) in events.iter() {
        if let Event::Start(Tag::Heading { id: Some(id), .. }) = event {
            if !id.is_empty() && !used.contains(id.as_ref()) {
                explicit.insert(id.to_string());
            }
        }
    }
    let mut next: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { level, .. }) = &events[i].0 {
            let level = heading_level(*level);
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j].0, Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j].0 {
                    text.push_str(t);
                }
                j += 1;
            }
            let Event::Start(Tag::Heading { id, .. }) = &mut events[i].0 else { unreachable!() };
            let written = id.as_deref().filter(|w| !w.is_empty()).map(str::to_owned);
            let base = written.clone().unwrap_or_else(|| slugify(&text));
            let base = if base.is_empty() { "bagian".to_owned() } else { base };
            let mut unique = base.clone();
            // Each base remembers its next number, so a page of 100,000 equal headings does not
            // count up from 1 again for each of them.
            let n = next.entry(base.clone()).or_insert(1);
            let taken = |u: &String, used: &std::collections::HashSet<String>| {
                used.contains(u) || (written.as_ref() != Some(u) && explicit.contains(u))
            };
            while taken(&unique, &used) {
                unique = format!("{base}-{n}");
                *n += 1;
            }
            used.insert(unique.clone());
            *id = Some(CowStr::from(unique.clone()));
            headings.push(Heading { level, id: unique, text: text.trim().to_owned() });
            i = j;
        }
        i += 1;
    }
    headings
}

fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

/// Lowercase ASCII letters and digits, every other run of characters becoming one `-`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_owned()
}

pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_id(source: &str) -> Rendered {
        let catalog = Catalog::builtin(crate::config::Language::Id);
        render(source, &Options { catalog: &catalog, module_prefix: "../", trusted: true })
    }

    #[test]
    fn written_ids_win_over_generated_ones_and_theme_ids_are_kept_free() {
        let r = render_id("## A\n\n## B {#a}\n\n## Isi\n\n## Catatan 1\n\nTeks[^1]\n\n[^1]: x\n");
        let ids: Vec<_> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["a-1", "a", "isi-1", "catatan-1"]);
        assert!(r.html.contains("id=\"catatan_1\""), "footnote ids cannot clash with headings: {}", r.html);
    }

    #[test]
    fn md_links_that_name_no_module_are_reported() {
        let r = render_id("[a](.md) [b](index.md) [c](./Etika.MD) [d](etika.md?x=1#n) [e](Kode Etik.md)");
        let bad: Vec<_> = r.bad_links.iter().map(|b| b.message.as_str()).collect();
        assert_eq!(
            bad,
            [
                "`.md` does not name a module",
                "`index.md` does not name a module",
                "`./Etika.MD` does not name a module"
            ]
        );
        assert_eq!(r.links.len(), 1);
        assert_eq!((r.links[0].slug.as_str(), r.links[0].anchor.as_deref()), ("etika", Some("n")));
    }

    #[test]
    fn untrusted_markdown_shows_html_as_text_and_drops_script_links() {
        let catalog = Catalog::builtin(crate::config::Language::Id);
        let source = "<script>alert(1)</script>\n\nTeks <img src=x onerror=alert(1)> [j](javascript:alert(1)) [k](JavaScript:x) [ok](https://kpu.go.id)";
        let r = render(source, &Options { catalog: &catalog, module_prefix: "", trusted: false });
        assert!(!r.html.contains("<script") && !r.html.contains("<img"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;"));
        assert!(!r.html.to_lowercase().contains("javascript:"), "{}", r.html);
        assert!(r.html.contains("href=\"https://kpu.go.id\""));
        let trusted = render(source, &Options { catalog: &catalog, module_prefix: "", trusted: true });
        assert!(trusted.html.contains("<script>"), "module bodies keep their HTML");
    }

    #[test]
    fn heading_ids_are_unique_and_stable() {
        let r = render_id("## Persiapan TPS\n\n## Persiapan TPS\n\n## Lain {#khusus}\n");
        let ids: Vec<_> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["persiapan-tps", "persiapan-tps-1", "khusus"]);
        assert!(r.html.contains("<h2 id=\"persiapan-tps-1\">"));
    }

    #[test]
    fn many_equal_headings_get_ids_in_linear_time() {
        let source = "## Langkah\n\n".repeat(20_000);
        // Counting up from 1 for each heading took 200 million tries here, minutes in a debug build.
        let started = std::time::Instant::now();
        let r = render_id(&source);
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
        assert_eq!(r.headings[19_999].id, "langkah-19999");
        assert_eq!(r.headings.iter().map(|h| &h.id).collect::<std::collections::HashSet<_>>().len(), 20_000);
    }

    #[test]
    fn links_ending_in_multibyte_characters_are_not_module_links() {
        assert_eq!(module_link("éé"), None);
        assert_eq!(module_link("ké.md#ä"), Some(Err("`ké.md#ä` does not name a module".to_owned())));
        let r = render_id("[a](éé) ![b](ü€) [c](etika.md)");
        assert_eq!(r.links.len(), 1);
        assert_eq!(r.local_refs.iter().map(|l| l.dest.as_str()).collect::<Vec<_>>(), ["éé", "ü€"]);
    }

    #[test]
    fn module_links_are_rewritten_and_recorded() {
        let r = render_id(
            "Baca [kode etik](kode-etik.md#netralitas) dan [denah](../tata-letak/index.md).\n[luar](https://kpu.go.id/a.md)",
        );
        assert!(r.html.contains("href=\"../kode-etik/#netralitas\""), "{}", r.html);
        assert!(r.html.contains("href=\"../tata-letak/\""));
        assert!(r.html.contains("href=\"https://kpu.go.id/a.md\""));
        assert_eq!(r.links.len(), 2);
        assert_eq!(r.links[0].slug, "kode-etik");
        assert_eq!(r.links[0].anchor.as_deref(), Some("netralitas"));
        assert_eq!(r.links[0].offset, 5);
    }

    #[test]
    fn alerts_become_labelled_callouts() {
        let r = render_id("> [!WARNING]\n> Jangan tinggalkan kotak suara.\n");
        assert!(
            r.html.contains(
                "<aside class=\"callout callout-warning\" role=\"note\"><p class=\"callout-title\">Peringatan</p>"
            ),
            "{}",
            r.html
        );
        assert!(r.html.contains("</aside>"));
        assert!(!r.html.contains("<blockquote"));
    }

    #[test]
    fn gfm_extensions_render() {
        let r = render_id("- [ ] segel\n\n~~lama~~\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nCatatan[^1]\n\n[^1]: PKPU.\n");
        assert!(r.html.contains("type=\"checkbox\""));
        assert!(r.html.contains("<del>lama</del>"));
        assert!(
            r.html.contains("<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"Tabel 1\"><table>")
        );
        assert!(r.html.contains("<div class=\"footnote-definition\" id=\"catatan_1\">"), "{}", r.html);
        assert!(r.html.contains("href=\"#catatan_1\""));
    }

    #[test]
    fn plain_text_keeps_words_and_drops_markup() {
        assert_eq!(plain_text("Lihat **[kode etik](etika.md)**.\n\n- satu\n- dua"), "Lihat kode etik.\nsatu\ndua");
    }

    #[test]
    fn sections_follow_h2_and_h3_with_their_ids() {
        let r = render_id(
            "Pembuka.\n\n## Persiapan TPS\n\nSegel *kotak*.\n\n### Tinta\n\n- celup jari\n\n#### Kecil\n\nmasih tinta\n",
        );
        let got: Vec<_> =
            r.sections.iter().map(|s| (s.anchor.as_deref(), s.heading.as_str(), s.text.as_str())).collect();
        assert_eq!(
            got,
            [
                (None, "", "Pembuka."),
                (Some("persiapan-tps"), "Persiapan TPS", "Segel kotak."),
                (Some("tinta"), "Tinta", "celup jari Kecil masih tinta")
            ]
        );
    }

    #[test]
    fn whitespace_folds_as_split_and_join_would() {
        for text in ["", " ", "a", "  a  b\t\nc ", "x\u{a0}y\u{3000}z", "é  ü\u{2028}", "a\u{85}b \u{200b}c"] {
            assert_eq!(fold_whitespace(text), text.split_whitespace().collect::<Vec<_>>().join(" "), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn whitespace_folds_as_split_and_join_would_on_any_text(text in "(\\PC|\\s| ){0,40}") {
            proptest::prop_assert_eq!(fold_whitespace(&text), text.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }

    #[test]
    fn slugify_folds_punctuation() {
        assert_eq!(slugify("Hak & Kewajiban  KPPS!"), "hak-kewajiban-kpps");
        assert_eq!(slugify("C.Hasil-KWK"), "c-hasil-kwk");
    }

    #[test]
    fn task_items_become_labelled_checkboxes_that_keep_their_nested_lists_outside() {
        let r = render_id("- [ ] Periksa **segel**\n- [x] Hitung surat suara\n  - sub\n\n1. biasa\n");
        assert_eq!(r.tasks, 2);
        assert!(
            r.html.contains(
                "<li><label class=\"task\"><input type=\"checkbox\"> Periksa <strong>segel</strong></label></li>"
            ),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<label class=\"task\"><input type=\"checkbox\" checked> Hitung surat suara</label>\n<ul>"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("disabled"));
        // Loose items: the label closes inside the paragraph.
        let loose = render_id("- [ ] satu\n\n- [ ] dua\n");
        assert!(
            loose.html.contains("<p><label class=\"task\"><input type=\"checkbox\"> satu</label></p>"),
            "{}",
            loose.html
        );
    }
}
