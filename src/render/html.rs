//! A rendered page's HTML: minified, with the module's body spliced in where its mark landed.

/// Stands for a module's body in its rendered page until the body is spliced in. An element:
/// escaped, no value from YAML can spell it, and minify-html keeps it as it is.
pub(super) const BODY_MARK: &str = "<bimtek-body></bimtek-body>";

/// Whether module bodies can be spliced into their rendered pages rather than rendered with them:
/// when the templates use a module's HTML only as `{{ module.html | safe }}`. It saves the work
/// the body costs the template engine and, above all, minify-html, which would parse every page's
/// largest part only to find it compact already: pulldown-cmark writes no indentation, and the
/// line break after a block is all minifying would take out. A theme that filters or tests the
/// HTML gets it in its context as before.
pub(super) fn splices_body<'t>(templates: impl IntoIterator<Item = &'t str>) -> bool {
    let plain = regex::Regex::new(r"\{\{-?\s*module\.html\s*\|\s*safe\s*-?\}\}").ok();
    let Some(plain) = plain else { return false };
    templates.into_iter().all(|source| source.matches("module.html").count() == plain.find_iter(source).count())
}

/// `page` with each [`BODY_MARK`] replaced by `body`: once in the default theme, and as often as
/// a theme's template shows it (none when it shows it only under a condition not met). With
/// `compact`, the line breaks pulldown-cmark writes around blocks are left out, as minify-html
/// would leave them out.
pub(super) fn splice_body(page: &[u8], body: &str, compact: bool) -> Vec<u8> {
    let compacted;
    let body = if compact {
        // What follows a body is the theme's, a block's end in the default theme.
        compacted = compact_blocks(body.trim_end_matches('\n'));
        compacted.as_str()
    } else {
        body
    };
    let mark = BODY_MARK.as_bytes();
    let mut out = Vec::with_capacity(page.len() + body.len());
    let mut rest = page;
    while let Some(at) = rest.windows(mark.len()).position(|w| w == mark) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(body.as_bytes());
        rest = &rest[at + mark.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// `html` without the line breaks that stand right before a block element's opening or closing
/// tag, where a browser shows nothing for them; breaks between inline elements are spaces and stay,
/// and so does everything inside `pre`, `textarea`, `script` and `style`.
fn compact_blocks(html: &str) -> String {
    const BLOCKS: &[&str] = &[
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ];
    const KEEP: &[&str] = &["pre", "textarea", "script", "style"];
    let tag_name = |rest: &str| -> (bool, String) {
        let (closing, rest) = match rest.strip_prefix('/') {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let name = rest.bytes().take_while(u8::is_ascii_alphanumeric).map(|b| b.to_ascii_lowercase() as char);
        (closing, name.collect())
    };
    let mut out = String::with_capacity(html.len());
    // How many `pre`-like elements are open around this point.
    let mut kept = 0usize;
    let mut last = 0;
    for (at, _) in html.match_indices('<') {
        let (closing, name) = tag_name(&html[at + 1..]);
        let keep = KEEP.contains(&name.as_str());
        if keep && closing {
            kept = kept.saturating_sub(1);
        }
        if kept == 0 && html[..at].ends_with('\n') && at > last && BLOCKS.contains(&name.as_str()) {
            out.push_str(&html[last..at - 1]);
            last = at;
        }
        if keep && !closing {
            kept += 1;
        }
    }
    out.push_str(&html[last..]);
    out
}

pub(super) fn minify(html: &str) -> Vec<u8> {
    // minify-html parses by recursion, one level per open element: a module of 100,000 nested
    // quotes overflowed the stack and aborted the build. Its tree also takes some 50 times the
    // page: a 50 MB module took 3.8 GB. Such pages are written as rendered.
    if html.len() > MAX_MINIFIED_BYTES || nesting_depth(html) > MAX_MINIFIED_DEPTH {
        return html.as_bytes().to_vec();
    }
    let mut cfg = minify_html::Cfg::new();
    cfg.minify_css = true;
    // Scripts are left as written: minify-js has broken scripts for other generators.
    cfg.minify_js = false;
    cfg.keep_html_and_head_opening_tags = true;
    cfg.keep_closing_tags = true;
    minify_html::minify(html.as_bytes(), &cfg)
}

/// Pages larger than this are not minified: a hundred times a large module page, and what
/// minifying saves on them is small next to the memory it costs.
const MAX_MINIFIED_BYTES: usize = 4 << 20;

/// Elements nested deeper than this are not minified; a debug build minified 4,000 levels on a
/// worker thread's stack.
const MAX_MINIFIED_DEPTH: usize = 1000;

/// How deep the elements of `html` nest, at most: opening tags minus closing ones, void and
/// self-closed elements left out. An estimate (a `<b` inside a script counts), erring high.
fn nesting_depth(html: &str) -> usize {
    const VOID: &[&str] =
        &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"];
    let (mut depth, mut deepest) = (0usize, 0usize);
    let bytes = html.as_bytes();
    for (i, _) in html.match_indices('<') {
        let rest = &bytes[i + 1..];
        if rest.first() == Some(&b'/') {
            depth = depth.saturating_sub(1);
            continue;
        }
        let name_len = rest.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        if name_len == 0 || !rest[0].is_ascii_alphabetic() {
            continue;
        }
        // Compared in place: this runs on every page, and a copy per tag added up.
        let name = &html[i + 1..i + 1 + name_len];
        // Up to the tag's end, or the next `<`: each stretch is read once, however malformed.
        let tag = &rest[name_len..];
        let end = tag.iter().position(|&b| b == b'>' || b == b'<');
        let self_closed = end.is_some_and(|end| tag[end] == b'>' && end > 0 && tag[end - 1] == b'/');
        if !VOID.iter().any(|v| v.eq_ignore_ascii_case(name)) && !self_closed {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_spliced_only_where_templates_show_them_as_they_are() {
        assert!(splices_body(crate::theme::TEMPLATES.iter().map(|(_, source)| *source)));
        assert!(splices_body(["<main>{{- module.html|safe -}}</main>", "{{ module.title }}"]));
        assert!(!splices_body(["{% if module.html %}{{ module.html | safe }}{% endif %}"]));
        assert!(!splices_body(["{{ module.html | safe }}", "{{ module.html | length }}"]));
        assert!(!splices_body(["{{ module.html }}"]));
    }

    #[test]
    fn a_body_goes_wherever_its_mark_landed() {
        let body = "<p>isi</p>\n";
        let page = format!("<div>{BODY_MARK}</div>");
        assert_eq!(splice_body(page.as_bytes(), body, false), b"<div><p>isi</p>\n</div>");
        assert_eq!(splice_body(page.as_bytes(), body, true), b"<div><p>isi</p></div>");
        assert_eq!(splice_body(format!("{BODY_MARK}|{BODY_MARK}").as_bytes(), "x", false), b"x|x");
        assert_eq!(splice_body(b"<div></div>", body, true), b"<div></div>");
        // minify-html leaves the mark as it is, whatever surrounds it.
        let page = format!("<div class=\"prose\">\n{BODY_MARK}\n  </div>");
        assert_eq!(splice_body(&minify(&page), body, true), b"<div class=prose><p>isi</p></div>");
    }

    #[test]
    fn compacting_drops_only_breaks_a_browser_does_not_show() {
        assert_eq!(
            compact_blocks("<h2 id=\"a\">A</h2>\n<ul>\n<li>x</li>\n</ul>\n"),
            "<h2 id=\"a\">A</h2><ul><li>x</li></ul>\n"
        );
        // A soft break between inline elements is a space.
        assert_eq!(
            compact_blocks("<p><strong>a</strong>\n<em>b</em></p>\n"),
            "<p><strong>a</strong>\n<em>b</em></p>\n"
        );
        // Inside pre, even nested, every break is content.
        let pre = "<pre><code>\n</code>\n<pre>\n<div>x</div></pre>\n<p>y</p></pre>\n<p>z</p>";
        assert_eq!(compact_blocks(pre), "<pre><code>\n</code>\n<pre>\n<div>x</div></pre>\n<p>y</p></pre><p>z</p>");
        assert_eq!(compact_blocks("<script>a\n<p></script>\n<P>b</P>"), "<script>a\n<p></script><P>b</P>");
        assert_eq!(compact_blocks("a < b\n<p>ü</p>"), "a < b<p>ü</p>");
    }

    #[test]
    fn nesting_depth_leaves_out_void_and_closed_elements() {
        assert_eq!(nesting_depth("<p>a<br><img src=x/><b>c</b></p><div><div/></div>"), 2);
        assert_eq!(nesting_depth("a < b <3 <!-- x --> <!DOCTYPE html>"), 0);
        let deep = "<blockquote>".repeat(100_000);
        assert_eq!(nesting_depth(&deep), 100_000);
        // Too deep for minify-html's recursion: written as rendered, not a stack overflow.
        assert_eq!(minify(&deep), deep.as_bytes());
        let large = "<p>a  b</p>\n".repeat(MAX_MINIFIED_BYTES / 10);
        assert_eq!(minify(&large), large.as_bytes());
        assert_eq!(minify("<p>a  b</p>\n"), b"<p>a b</p>");
    }
}
