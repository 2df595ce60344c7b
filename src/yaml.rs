//! YAML reading shared by config, front matter, regencies and schedules.
//!
//! serde_yaml turns text into typed values and locates syntax and type errors. It keeps no positions
//! for values that parse fine but mean something wrong (an unknown role, a weekday that does not match
//! its date), so [`Spans`] reads the same text once more with saphyr's event parser and remembers
//! where every key and value starts.

use std::collections::HashMap;
use std::path::Path;

use saphyr_parser::{Event, Parser};
use serde::de::DeserializeOwned;

use crate::diagnostics::Diagnostic;

/// Where the keys and values of a YAML document start, by dotted path (`events.3.date`).
#[derive(Debug, Default)]
pub struct Spans {
    values: HashMap<String, (usize, usize)>,
    keys: HashMap<String, (usize, usize)>,
    /// Added to every line, for YAML embedded in a larger file (front matter).
    line_offset: usize,
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, index: usize },
}

fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() { child.to_owned() } else { format!("{parent}.{child}") }
}

impl Spans {
    pub fn new(text: &str, line_offset: usize) -> Spans {
        let mut spans = Spans { line_offset, ..Spans::default() };
        let mut stack: Vec<Frame> = Vec::new();
        for item in Parser::new_from_str(text) {
            let Ok((event, span)) = item else { break };
            let at = (span.start.line(), span.start.col() + 1);
            // The path this node lives at, or None when it is a mapping key.
            let node_path = match stack.last_mut() {
                None => Some(String::new()),
                Some(Frame::Seq { path, index }) => {
                    let p = join(path, &index.to_string());
                    Some(p)
                }
                Some(Frame::Map { key: Some(k), path }) => Some(join(path, k)),
                Some(Frame::Map { key: None, .. }) => None,
            };
            match event {
                Event::Scalar(value, ..) => match node_path {
                    None => {
                        if let Some(Frame::Map { path, key }) = stack.last_mut() {
                            spans.keys.insert(join(path, &value), at);
                            *key = Some(value.into_owned());
                        }
                    }
                    Some(p) => {
                        spans.values.insert(p, at);
                        advance(&mut stack);
                    }
                },
                Event::Alias(_) => {
                    if let Some(p) = node_path {
                        spans.values.insert(p, at);
                    }
                    advance(&mut stack);
                }
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    let path = node_path.unwrap_or_default();
                    spans.values.insert(path.clone(), at);
                    stack.push(if matches!(event, Event::MappingStart(..)) {
                        Frame::Map { path, key: None }
                    } else {
                        Frame::Seq { path, index: 0 }
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                    advance(&mut stack);
                }
                _ => {}
            }
        }
        spans
    }

    /// Line and column of the value at `path`, falling back to its key, then to its parents.
    pub fn value(&self, path: &str) -> (usize, usize) {
        self.find(path, &self.values)
    }

    /// Line and column of the key at `path` (where "this field" starts), falling back like `value`.
    pub fn key(&self, path: &str) -> (usize, usize) {
        self.find(path, &self.keys)
    }

    fn find(&self, path: &str, first: &HashMap<String, (usize, usize)>) -> (usize, usize) {
        let mut p = path;
        loop {
            if let Some(&(l, c)) = first.get(p).or_else(|| self.keys.get(p)).or_else(|| self.values.get(p)) {
                return (l + self.line_offset, c);
            }
            match p.rfind('.') {
                Some(i) => p = &p[..i],
                None if !p.is_empty() => p = "",
                None => return (1 + self.line_offset, 1),
            }
        }
    }
}

/// After a complete node: a mapping waits for its next key, a sequence moves to its next item.
fn advance(stack: &mut [Frame]) {
    match stack.last_mut() {
        Some(Frame::Map { key, .. }) => *key = None,
        Some(Frame::Seq { index, .. }) => *index += 1,
        None => {}
    }
}

/// A YAML document parsed into `T`, with the positions of its values.
pub struct Located<T> {
    pub value: T,
    pub spans: Spans,
}

/// Parses `text` (which starts at line `line_offset + 1` of `path`) into `T`.
///
/// Errors come back as a diagnostic at the position serde_yaml reports, with the serde message
/// cleaned of its own "at line .. column .." suffix.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str, line_offset: usize) -> Result<Located<T>, Diagnostic> {
    if let Some(Refused { line, col, message, hint }) = refuse(text) {
        return Err(Diagnostic::error(path, message)
            .at(&full_text_hint(text, line_offset), line + line_offset, col)
            .with_hint(hint));
    }
    let value = if text.trim().is_empty() {
        // An empty document is `null`, which would give serde's unhelpful "invalid type: unit value".
        serde_yaml::from_str::<T>("{}")
    } else {
        serde_yaml::from_str::<T>(text)
    };
    match value {
        Ok(value) => Ok(Located { value, spans: Spans::new(text, line_offset) }),
        Err(err) => {
            let message = clean_message(&err.to_string());
            let mut d = Diagnostic::error(path, message.clone());
            let full = full_text_hint(text, line_offset);
            if let Some(loc) = err.location() {
                d = d.at(&full, loc.line() + line_offset, loc.column());
            }
            let tab_on_line = d.snippet.as_deref().is_some_and(|l| l.contains('\t'));
            if tab_on_line {
                d = d.with_hint("YAML does not allow tabs for indentation; indent with spaces");
            } else if let Some(hint) = hint_for(&message) {
                d = d.with_hint(hint);
            }
            Err(d)
        }
    }
}

/// Why a YAML text is refused before serde_yaml reads it, and where.
struct Refused {
    line: usize,
    col: usize,
    message: &'static str,
    hint: &'static str,
}

/// How deep YAML may nest: serde_yaml's own limit, found here before its slow path.
const MAX_DEPTH: usize = 128;

/// Finds what serde_yaml handles badly, in one pass of saphyr's event parser, which is linear:
/// nesting deeper than [`MAX_DEPTH`] (serde_yaml reads the whole document before checking its
/// depth, slower at every level, so a megabyte of `[` took minutes), and aliases that copy more
/// than [`ALIAS_BUDGET`] plus ten times the file. serde_yaml bounds how often aliases are
/// followed, not what each one copies, so a large value repeated by many aliases ("billion
/// laughs") would exhaust memory before any type check. Sizes are bytes of scalars.
fn refuse(text: &str) -> Option<Refused> {
    let budget = ALIAS_BUDGET.saturating_add(text.len().saturating_mul(10));
    // The size of each anchored node, by anchor id, and the running sizes of the open nodes.
    let mut sizes: HashMap<usize, usize> = HashMap::new();
    let mut open: Vec<(usize, usize)> = vec![(0, 0)];
    let mut total = 0usize;
    for item in Parser::new_from_str(text) {
        let too_deep = "this YAML is nested more than 128 levels deep";
        let too_deep_hint = "bimtek's files need a few levels at most; look for an unclosed `[` or `{`";
        let (event, span) = match item {
            Ok(event) => event,
            // The scanner's own limit (255 open brackets) can come before any event; other syntax
            // errors are serde's to report, with its messages.
            Err(e) if e.info().contains("recursion limit") => {
                let (line, col) = (e.marker().line(), e.marker().col() + 1);
                return Some(Refused { line, col, message: too_deep, hint: too_deep_hint });
            }
            Err(_) => return None,
        };
        let at = |message, hint| Some(Refused { line: span.start.line(), col: span.start.col() + 1, message, hint });
        let (added, closed_anchor) = match event {
            Event::Scalar(value, _, anchor, _) => (value.len(), Some((anchor, value.len()))),
            Event::Alias(id) => {
                let size = sizes.get(&id).copied().unwrap_or(0).max(1);
                total = total.saturating_add(size);
                if total > budget {
                    return at(
                        "the aliases of this YAML expand to far more text than the file holds",
                        "an alias (`*name`) repeats what its anchor (`&name`) holds; write the values out instead",
                    );
                }
                (size, None)
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if open.len() > MAX_DEPTH {
                    return at(too_deep, too_deep_hint);
                }
                open.push((anchor, 0));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match open.pop() {
                Some((anchor, size)) if !open.is_empty() => (size, Some((anchor, size))),
                _ => continue,
            },
            _ => continue,
        };
        if let Some((anchor, size)) = closed_anchor.filter(|(a, _)| *a != 0) {
            sizes.insert(anchor, size);
        }
        if let Some((_, parent)) = open.last_mut() {
            *parent = parent.saturating_add(added);
        }
    }
    None
}

/// Bytes that aliases may copy in any file, on top of ten times its length: generous for anchors
/// of shared defaults (`<<: *defaults`), tiny next to an exponential expansion.
const ALIAS_BUDGET: usize = 1 << 20;

/// The file's text as seen from line 1, so snippets show the right line for embedded YAML.
fn full_text_hint(text: &str, line_offset: usize) -> String {
    let mut s = "\n".repeat(line_offset);
    s.push_str(text);
    s
}

/// Drops serde_yaml's " at line N column M": the diagnostic shows the position, counted from the
/// start of the file rather than of the embedded YAML.
fn clean_message(message: &str) -> String {
    // Our own type names mean nothing to a trainer.
    let message = match message.find("expected struct Raw") {
        Some(i) => {
            let end = message[i + "expected struct ".len()..]
                .find(|c: char| !c.is_alphanumeric())
                .map_or(message.len(), |e| i + "expected struct ".len() + e);
            format!("{}expected `field: value` lines{}", &message[..i], &message[end..])
        }
        None => message.to_owned(),
    };
    let message = message.as_str();
    let Some(start) = message.find(" at line ") else { return message.trim().to_owned() };
    let rest = &message[start + " at line ".len()..];
    let after_numbers = rest
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .strip_prefix(" column ")
        .map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit()));
    match after_numbers {
        Some(tail) => format!("{}{tail}", &message[..start]).trim().to_owned(),
        None => message.trim().to_owned(),
    }
}

fn hint_for(message: &str) -> Option<&'static str> {
    if message.contains("unknown field") {
        Some("check the spelling of the field name; the fields this file accepts are listed above")
    } else if message.contains("missing field") {
        Some("add the field named above")
    } else if message.contains("did not find expected") || message.contains("mapping values are not allowed") {
        Some("check the indentation, and put quotes around values that contain `: ` or start with a special character")
    } else if message.contains("invalid type: string") && message.contains("sequence") {
        Some("write a list, e.g. `roles: [kpps, pps]`")
    } else if message.contains("expected `field: value` lines") {
        Some("this file holds `field: value` lines, not a list or a single value; compare with the README")
    } else if message.contains("expected a boolean") {
        Some("write `true` or `false`")
    } else if message.contains("expected i64") {
        Some("write a whole number without quotes, e.g. `order: 2`")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_locate_nested_values_and_keys() {
        let text = "title: x\nevents:\n  - title: a\n    date: 2024-01-01\n  - title: b\n    roles: [kpps, ppk]\n";
        let spans = Spans::new(text, 0);
        assert_eq!(spans.value("title"), (1, 8));
        assert_eq!(spans.value("events.1.title"), (5, 12));
        assert_eq!(spans.key("events.0.date"), (4, 5));
        assert_eq!(spans.value("events.0.date"), (4, 11));
        assert_eq!(spans.value("events.1.roles.1"), (6, 19));
        // Unknown paths fall back to the nearest parent.
        assert_eq!(spans.value("events.1.missing"), (5, 5));
    }

    #[test]
    fn spans_apply_line_offset() {
        let spans = Spans::new("a: 1\n", 1);
        assert_eq!(spans.value("a"), (2, 4));
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "only the error matters here")]
    struct Doc {
        title: String,
    }

    #[test]
    fn parse_errors_are_located_and_cleaned() {
        let err = parse::<Doc>(Path::new("x.yaml"), "title: a\ntitel: b\n", 1).err().unwrap();
        assert_eq!(err.line, Some(3));
        assert!(err.message.starts_with("unknown field `titel`"), "{}", err.message);
        assert!(!err.message.contains("at line"));
        assert!(err.hint.is_some());
    }

    #[test]
    fn tabs_get_their_own_hint() {
        let err = parse::<Doc>(Path::new("x.yaml"), "title: a\n\tb: c\n", 0).err().unwrap();
        assert!(err.hint.as_deref().unwrap().contains("tabs"), "{err}");
    }

    #[test]
    fn aliases_that_blow_up_are_refused_where_they_cross_the_budget() {
        #[derive(serde::Deserialize)]
        #[allow(dead_code, reason = "only whether it parses matters")]
        struct Lists {
            a: Vec<String>,
            b: Vec<String>,
        }
        // One 100 KB value repeated by 200 aliases: 20 MB of strings from a 100 KB file.
        let big = format!("a: [&x {}]\nb: [{}]\n", "y".repeat(100_000), vec!["*x"; 200].join(", "));
        let err = parse::<Lists>(Path::new("x.yaml"), &big, 0).err().unwrap();
        assert!(err.message.contains("aliases"), "{err}");
        assert_eq!(err.line, Some(2));
        // Nine levels of nine: exponential, refused early whatever the types.
        let mut laughs = String::from("a: &a [l, l, l, l, l, l, l, l, l]\n");
        for (name, prev) in "bcdefghi".chars().zip("abcdefgh".chars()) {
            laughs.push_str(&format!("{name}: &{name} [{}]\n", vec![format!("*{prev}"); 9].join(", ")));
        }
        assert!(parse::<Doc>(Path::new("x.yaml"), &laughs, 0).err().unwrap().message.contains("aliases"));
        // Shared defaults stay fine.
        let defaults = "a: &d [kpps, ppk]\nb: *d\n";
        assert_eq!(parse::<Lists>(Path::new("x.yaml"), defaults, 0).unwrap().value.b, ["kpps", "ppk"]);
    }

    #[test]
    fn deep_nesting_is_refused_quickly_with_its_line() {
        for deep in [
            "[".repeat(1_000_000),
            "{a: ".repeat(200_000),
            (1..200).map(|i| format!("\n{}k:", " ".repeat(i))).collect(),
        ] {
            let text = format!("title: a\nb: {deep}");
            // serde_yaml alone took minutes on the first one in a debug build.
            let started = std::time::Instant::now();
            let err = parse::<Doc>(Path::new("x.yaml"), &text, 1).err().unwrap();
            assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
            assert!(err.message.contains("nested more than 128 levels"), "{err}");
            assert!(err.line.unwrap() >= 3, "{err}");
        }
    }

    #[test]
    fn positions_are_removed_from_the_middle_of_messages() {
        assert_eq!(
            clean_message("did not find expected ',' or ']' at line 3 column 6, while parsing a flow sequence"),
            "did not find expected ',' or ']', while parsing a flow sequence"
        );
        assert_eq!(clean_message("missing field `x` at line 1 column 1"), "missing field `x`");
        assert_eq!(
            clean_message("invalid type: sequence, expected struct RawFront at line 2 column 1"),
            "invalid type: sequence, expected `field: value` lines"
        );
    }
}
