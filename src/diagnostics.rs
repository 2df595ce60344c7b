//! Diagnostics: the one place that describes a problem in the user's input and prints it.
//!
//! Every stage reports problems as [`Diagnostic`]s instead of stopping at the first one, so a trainer
//! sees every mistake of a run at once, each with its file, line, column and a hint.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is: errors stop the build, warnings are only shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, located in a file of the project when it can be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path relative to the project root, as the user would type it.
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub column: Option<usize>,
    pub message: String,
    pub hint: Option<String>,
    /// The text of the offending line, shown under the location.
    pub snippet: Option<String>,
}

impl Diagnostic {
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
            hint: None,
            snippet: None,
        }
    }

    pub fn warning(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(path, message) }
    }

    /// Points the diagnostic at `line:column` of `source`, keeping that line as the snippet.
    pub fn at(mut self, source: &str, line: usize, column: usize) -> Self {
        self.line = Some(line.max(1));
        self.column = Some(column.max(1));
        self.snippet = source.lines().nth(line.saturating_sub(1)).map(str::to_owned);
        self
    }

    /// [`Diagnostic::at`] for one of many problems in a large text.
    pub fn at_in(mut self, lines: &Lines, line: usize, column: usize) -> Self {
        self.line = Some(line.max(1));
        self.column = Some(column.max(1));
        self.snippet = Some(lines.line(line).to_owned()).filter(|_| line <= lines.count());
        self
    }

    /// Points at a whole line when no column is known.
    pub fn at_line(mut self, source: &str, line: usize) -> Self {
        self.line = Some(line.max(1));
        self.snippet = source.lines().nth(line.saturating_sub(1)).map(str::to_owned);
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col`, as editors and CI annotations understand it.
    pub fn location(&self) -> String {
        let path = display_path(&self.path);
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{path}:{l}:{c}"),
            (Some(l), None) => format!("{path}:{l}"),
            _ => path,
        }
    }
}

impl Diagnostic {
    fn label(&self) -> &'static str {
        match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }

    /// One line: `file:line:col: error: message (hint: ...)`, as compilers and editors print.
    pub fn short(&self) -> String {
        let hint = self.hint.as_deref().map(|h| format!(" (hint: {})", h.replace('\n', " "))).unwrap_or_default();
        format!("{}: {}: {}{hint}", self.location(), self.label(), self.message)
    }

    /// A GitHub Actions workflow command, so CI marks the line in the pull request.
    pub fn github(&self) -> String {
        // Property values and the message escape `%`, newlines and (in properties) `:` and `,`.
        let data = |s: &str| s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
        let property = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
        let mut props = vec![format!("file={}", property(&display_path(&self.path)))];
        if let Some(line) = self.line {
            props.push(format!("line={line}"));
        }
        if let Some(column) = self.column {
            props.push(format!("col={column}"));
        }
        props.push(format!("title={}", property(&format!("bimtek {}", self.label()))));
        let hint = self.hint.as_deref().map(|h| format!("\nhint: {h}")).unwrap_or_default();
        format!("::{} {}::{}", self.label(), props.join(","), data(&format!("{}{hint}", self.message)))
    }
}

fn display_path(path: &Path) -> String {
    // Forward slashes everywhere, so messages (and tests) read the same on every OS.
    path.to_string_lossy().replace('\\', "/")
}

impl fmt::Display for Diagnostic {
    /// Prints like rustc: the message, the location, the line with a caret, then the hint.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {}", self.label(), self.message)?;
        // Like rustc, the gutter is as wide as the line number, and the arrow and hint align to it.
        let gutter = " ".repeat(self.line.map_or(1, |l| l.to_string().len()));
        writeln!(f, "{gutter}--> {}", self.location())?;
        if let (Some(line), Some(snippet)) = (self.line, &self.snippet) {
            let (snippet, column) = window(snippet, self.column);
            writeln!(f, "{gutter} |")?;
            writeln!(f, "{line} | {snippet}")?;
            if let Some(col) = column {
                let pad: String = snippet.chars().take(col - 1).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
                writeln!(f, "{gutter} | {pad}^")?;
            }
        }
        if let Some(hint) = &self.hint {
            writeln!(f, "{gutter} = hint: {hint}")?;
        }
        Ok(())
    }
}

/// Characters of a snippet shown at most: a minified or generated file can hold megabytes on one
/// line, which would otherwise be printed whole with every problem on it.
const SNIPPET_WIDTH: usize = 160;

/// The part of a long line around `column`, marked with `…` where cut, and the column in it.
fn window(line: &str, column: Option<usize>) -> (String, Option<usize>) {
    let length = line.chars().count();
    if length <= SNIPPET_WIDTH {
        return (line.to_owned(), column);
    }
    let col = column.unwrap_or(1).max(1);
    let start = col.saturating_sub(SNIPPET_WIDTH / 3 + 1).min(length - SNIPPET_WIDTH);
    let mut shown: String = if start > 0 { "…".to_owned() } else { String::new() };
    shown.extend(line.chars().skip(start).take(SNIPPET_WIDTH));
    if start + SNIPPET_WIDTH < length {
        shown.push('…');
    }
    (shown, column.map(|c| c - start + usize::from(start > 0)))
}

/// A place in a source file, kept by the model for problems found after parsing (a link to a
/// module that a regency lacks is only known once every file is read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub snippet: String,
}

impl Position {
    /// For one position in a text; [`Lines::position`] places many in one text.
    pub fn new(path: &Path, source: &str, line: usize, column: usize) -> Position {
        Lines::new(source).position(path, line, column)
    }

    /// The line and column of byte `offset` in `source`, which starts at line `line_offset + 1`.
    pub fn at_offset(path: &Path, source: &str, offset: usize, line_offset: usize) -> Position {
        // One scan up to the offset, without the index [`Lines`] builds: callers place one position
        // per link, and a whole-file index each time made a large module slower still.
        let mut offset = offset.min(source.len());
        while !source.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &source[..offset];
        let line = before.matches('\n').count() + 1;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[start..].chars().count() + 1;
        let end = source[start..].find('\n').map_or(source.len(), |i| start + i);
        let snippet = source[start..end].strip_suffix('\r').unwrap_or(&source[start..end]).to_owned();
        Position { path: path.to_owned(), line: line + line_offset, column, snippet }
    }

    pub fn error(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            line: Some(self.line),
            column: Some(self.column),
            snippet: Some(self.snippet.clone()),
            ..Diagnostic::error(self.path.clone(), message)
        }
    }

    pub fn warning(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..self.error(message) }
    }
}

/// Where each line of a text starts. Placing a position from the top of a file costs a scan of it,
/// so a file with many positions (100,000 events) would cost a scan per position; this costs one
/// scan, then a binary search each.
pub struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Lines<'a> {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Lines { text, starts }
    }

    /// Line `n` (1-based, 0 counts as 1) without its line end; empty past the end.
    pub fn line(&self, n: usize) -> &'a str {
        let Some(&start) = self.starts.get(n.saturating_sub(1)) else { return "" };
        let end = self.starts.get(n.max(1)).map_or(self.text.len(), |&next| next - 1);
        let line = &self.text[start..end];
        line.strip_suffix('\r').unwrap_or(line)
    }

    /// How many lines `str::lines` gives: a final line end starts no line.
    pub fn count(&self) -> usize {
        self.starts.len() - usize::from(self.text.is_empty() || self.text.ends_with('\n'))
    }

    pub fn position(&self, path: &Path, line: usize, column: usize) -> Position {
        Position { path: path.to_owned(), line, column, snippet: self.line(line).to_owned() }
    }

    /// The position of byte `offset`, the text starting at line `line_offset + 1`.
    pub fn at_offset(&self, path: &Path, offset: usize, line_offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset);
        let before = &self.text[self.starts[line - 1]..offset];
        let column = before.chars().count() + 1;
        Position { path: path.to_owned(), line: line + line_offset, column, snippet: self.line(line).to_owned() }
    }
}

/// The problems found by a run, in a stable order whatever order the threads found them in.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, more: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(more);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Sorted by file, then position, then text; exact duplicates removed.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (&a.path, a.line, a.column, a.severity, &a.message)
                .cmp(&(&b.path, b.line, b.column, b.severity, &b.message))
        });
        self.items.dedup();
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_shown_around_the_column() {
        let line = format!("{}^{}", "a".repeat(100_000), "b".repeat(100_000));
        let shown = Diagnostic::error("a.yaml", "x").at(&line, 1, 100_001).to_string();
        let (text, caret) = (shown.lines().nth(3).unwrap(), shown.lines().nth(4).unwrap());
        assert!(text.starts_with("1 | …aaa") && text.ends_with("bbb…"), "{text}");
        assert!(text.chars().count() < 200);
        assert_eq!(text.chars().position(|c| c == '^'), caret.chars().position(|c| c == '^'), "\n{text}\n{caret}");
        let start = Diagnostic::error("a.yaml", "x").at(&line, 1, 1).to_string();
        assert!(start.contains("1 | aaa") && start.contains("  | ^\n"), "{start}");
    }

    #[test]
    fn lines_place_positions_as_a_scan_from_the_top_would() {
        let text = "satu\r\ndua ü\n\ntiga";
        let lines = Lines::new(text);
        for n in 0..6 {
            assert_eq!(lines.line(n), text.lines().nth(n.saturating_sub(1)).unwrap_or_default(), "line {n}");
        }
        let path = Path::new("a.md");
        let at = |offset| lines.at_offset(path, offset, 2);
        assert_eq!((at(0).line, at(0).column), (3, 1));
        assert_eq!((at(10).line, at(10).column, at(10).snippet.as_str()), (4, 5, "dua ü"));
        assert_eq!((at(13).line, at(13).column, at(13).snippet.as_str()), (5, 1, ""));
        assert_eq!((at(14).line, at(14).column), (6, 1));
        assert_eq!((at(99).line, at(99).column, at(99).snippet.as_str()), (6, 5, "tiga"));
        // Inside a character: a position, not a panic.
        assert_eq!(at(11).line, 4);
        for offset in 0..25 {
            assert_eq!(at(offset), Position::at_offset(path, text, offset, 2), "offset {offset}");
        }
        let d = Diagnostic::error(path, "x").at_in(&lines, 2, 3);
        assert_eq!(d, Diagnostic::error(path, "x").at(text, 2, 3));
        for (text, n) in [("", 1), ("a\n", 2), ("a\n", 1), ("a", 1), ("a", 2)] {
            let (a, b) = (Diagnostic::error(path, "x"), Diagnostic::error(path, "x"));
            assert_eq!(a.at_in(&Lines::new(text), n, 1), b.at(text, n, 1), "{text:?} line {n}");
        }
    }

    #[test]
    fn display_shows_location_snippet_caret_and_hint() {
        let source = "title: x\nroles: [kps]\n";
        let d = Diagnostic::error("content/modules/a.md", "unknown role `kps`")
            .at(source, 2, 9)
            .with_hint("known roles: ppk, pps, kpps");
        let text = d.to_string();
        assert_eq!(
            text,
            "error: unknown role `kps`\n --> content/modules/a.md:2:9\n  |\n2 | roles: [kps]\n  |         ^\n  = hint: known roles: ppk, pps, kpps\n"
        );
    }

    #[test]
    fn one_line_and_github_formats() {
        let d = Diagnostic::warning("content/a,b.md", "100% sure: no").at("x\ny\n", 2, 1).with_hint("fix it");
        assert_eq!(d.short(), "content/a,b.md:2:1: warning: 100% sure: no (hint: fix it)");
        assert_eq!(
            d.github(),
            "::warning file=content/a%2Cb.md,line=2,col=1,title=bimtek warning::100%25 sure: no%0Ahint: fix it"
        );
    }

    #[test]
    fn sorted_output_is_independent_of_push_order() {
        let a = Diagnostic::error("b.md", "x").at("l\n", 1, 1);
        let b = Diagnostic::error("a.md", "y").at("l\nm\n", 2, 1);
        let mut one = Diagnostics::default();
        one.push(a.clone());
        one.push(b.clone());
        let mut two = Diagnostics::default();
        two.push(b);
        two.push(a);
        assert_eq!(one.into_sorted(), two.into_sorted());
    }
}
