//! Stage 2, load content: walks `content/` and reads every file the build needs, touching nothing
//! else. What the files mean is decided by the parsers in the submodules, which never do IO.
//!
//! Layout (the contract documented in the README):
//! `content/modules/<slug>.md` or `<slug>/index.md`, `content/schedules/<slug>.yaml`,
//! `content/regencies/<regency>/{regency.yaml,modules/,schedules/}`, `content/static/`.

pub mod module;
pub mod regency;

use std::fs;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::config::is_key;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::markdown::slugify;

/// Which site a module or schedule belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    National,
    Regency(String),
}

/// A text file of the project, decoded and normalised (no BOM, LF line ends).
#[derive(Debug, Clone)]
pub struct TextFile {
    /// Relative to the project root: what messages show.
    pub rel: PathBuf,
    pub text: String,
}

/// A file copied as-is into the output.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Asset {
    /// Where it goes, relative to its destination folder; only plain components.
    pub rel_out: PathBuf,
    pub src: PathBuf,
}

#[derive(Debug)]
pub struct ModuleSource {
    pub scope: Scope,
    pub slug: String,
    /// Empty while `unread`.
    pub file: TextFile,
    /// Where the file is, to read it when it is parsed.
    pub path: PathBuf,
    /// A hash of the text: known once the text is read, or without reading it when an earlier
    /// build recorded the file's stamp.
    pub text_hash: Option<u64>,
    pub stamp: Option<Stamp>,
    /// The text is not read yet. Loading reads no module: the model reads each as it parses it,
    /// so the texts of a whole project are never held at once, and a module whose stamp an
    /// earlier build recorded is not read at all when that build's parse of it is at hand.
    pub unread: bool,
    /// Files beside a folder module's `index.md`, copied beside its page.
    pub assets: Vec<Asset>,
}

/// What the file system says of a file without reading it. When a file's stamp is what an earlier
/// build recorded, its text is taken to be unchanged, as make and cargo do; the inode change time
/// is part of it, so even a copy that keeps the modification time (`cp -p`) is seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub len: u64,
    pub modified_ns: i128,
    pub changed_ns: i128,
    pub inode: u64,
}

impl Stamp {
    pub fn of(meta: &fs::Metadata) -> Stamp {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
            Stamp {
                len: meta.len(),
                modified_ns: ns(meta.mtime(), meta.mtime_nsec()),
                changed_ns: ns(meta.ctime(), meta.ctime_nsec()),
                inode: meta.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            let modified = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            let ns = modified.map_or(0, |d| d.as_nanos() as i128);
            Stamp { len: meta.len(), modified_ns: ns, changed_ns: ns, inode: 0 }
        }
    }

    /// Whether the file was last changed long enough before `now` that a later change within the
    /// same clock tick cannot hide behind it (git's "racily clean" files). Younger files are read.
    pub fn settled(&self, now: std::time::SystemTime) -> bool {
        let now = now.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i128);
        self.modified_ns.max(self.changed_ns) < now - 2_000_000_000
    }
}

/// The text hash an earlier build recorded for a file (by path relative to the root) with this
/// stamp, if any: such a file is not read.
pub type Known<'a> = &'a (dyn Fn(&Path, &Stamp) -> Option<u64> + Sync);

#[derive(Debug)]
pub struct ScheduleSource {
    pub scope: Scope,
    pub slug: String,
    pub file: TextFile,
}

#[derive(Debug)]
pub struct RegencySource {
    pub slug: String,
    pub file: TextFile,
}

/// Everything read from `content/`, sorted, so later stages never depend on directory order.
#[derive(Debug, Default)]
pub struct Sources {
    pub modules: Vec<ModuleSource>,
    pub schedules: Vec<ScheduleSource>,
    pub regencies: Vec<RegencySource>,
    pub statics: Vec<Asset>,
}

/// Reads a text file, refusing anything that is not UTF-8 with the line where it stops being so.
pub fn read_text(root: &Path, path: &Path) -> Result<TextFile, Diagnostic> {
    let rel = relative(root, path);
    let bytes = fs::read(path).map_err(|e| Diagnostic::error(&rel, format!("cannot read the file: {e}")))?;
    decode(rel, bytes)
}

/// The bytes of a text file as the build reads them: UTF-8 without NUL, the BOM dropped, CRLF
/// turned into LF. Separate from the reading so the fuzz targets ([`crate::fuzzing`]) run it too.
pub fn decode(rel: PathBuf, bytes: Vec<u8>) -> Result<TextFile, Diagnostic> {
    let position = |bytes: &[u8], at: usize| {
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        let start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        // Columns count characters, as the rest of the diagnostics do.
        let column = String::from_utf8_lossy(&bytes[start..at]).chars().count() + 1;
        (line, column)
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let (line, column) = position(err.as_bytes(), err.utf8_error().valid_up_to());
            let mut d = Diagnostic::error(&rel, "the file is not UTF-8 text").with_hint(
                "save it as UTF-8 (in most editors: \"Save with encoding\" -> UTF-8); Windows-1252 or Latin-1 files show this",
            );
            d.line = Some(line);
            d.column = Some(column);
            return Err(d);
        }
    };
    // A NUL is valid UTF-8 but never meant in a text file: YAML refuses it with a confusing
    // message and markdown silently turns it into U+FFFD. It usually means UTF-16 or a binary file.
    if let Some(at) = text.bytes().position(|b| b == 0) {
        let (line, column) = position(text.as_bytes(), at);
        let mut d = Diagnostic::error(&rel, "the file holds a NUL byte, so it is not plain text").with_hint(
            "save it as UTF-8 text (UTF-16 files and files from word processors show this), or remove the character",
        );
        d.line = Some(line);
        d.column = Some(column);
        return Err(d);
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    // CRLF (Windows) and a lone CR (old Mac editors) both end a line; positions count LF only.
    let text = if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text.to_owned() };
    Ok(TextFile { rel, text })
}

pub fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_owned()
}

/// Editor leftovers and hidden files are never content.
fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
        || name.starts_with("#")
}

fn check_slug(rel: &Path, slug: &str, what: &str, problems: &mut Diagnostics) -> bool {
    if is_key(slug) {
        return true;
    }
    let suggestion = slugify(slug);
    problems.push(
        Diagnostic::error(rel, format!("`{slug}` is not a valid {what} name: it becomes part of the web address"))
            .with_hint(if suggestion.is_empty() {
                "use lowercase letters, digits and `-`".to_owned()
            } else {
                format!("use lowercase letters, digits and `-`, e.g. rename it to `{suggestion}`")
            }),
    );
    false
}

/// An entry of a content folder that is neither ignored nor a refused symbolic link.
struct Entry {
    path: PathBuf,
    name: String,
    /// A folder itself, not a link to one (those are refused).
    is_dir: bool,
}

/// The entries of a content folder, sorted by name, without ignored names and refused links. A
/// missing folder is empty; a folder that is a file, or a symbolic link, is reported. Entries are
/// typed by what the folder listing says (no `stat` per file): with 10,000 modules, two `stat`s
/// each were a fifth of a build after an edit.
fn listing(root: &Path, dir: &Path, guard: &SymlinkGuard, problems: &mut Diagnostics) -> Vec<Entry> {
    if fs::symlink_metadata(dir).is_err() || !guard.allows(root, dir, problems) {
        return Vec::new();
    }
    if !dir.is_dir() {
        problems.push(
            Diagnostic::error(relative(root, dir), "this should be a folder, but it is a file")
                .with_hint("rename the file and create a folder with this name"),
        );
        return Vec::new();
    }
    let entries: Result<Vec<(std::ffi::OsString, fs::FileType)>, _> =
        fs::read_dir(dir).and_then(|d| d.map(|e| e.and_then(|e| Ok((e.file_name(), e.file_type()?)))).collect());
    let mut entries = match entries {
        Ok(entries) => entries,
        Err(e) => {
            problems.push(Diagnostic::error(relative(root, dir), format!("cannot list the folder: {e}")));
            return Vec::new();
        }
    };
    // By name, as the paths would sort (they share the folder): comparing paths component by
    // component was a tenth of a build after an edit at 10,000 modules.
    entries.sort_unstable_by(|a, b| a.0.as_encoded_bytes().cmp(b.0.as_encoded_bytes()));
    entries
        .into_iter()
        .filter_map(|(name, kind)| {
            let path = dir.join(&name);
            let name = name.to_string_lossy().into_owned();
            if is_ignored(&name) {
                return None;
            }
            let refused = kind.is_symlink() && !guard.allows(root, &path, problems);
            (!refused).then_some(Entry { path, name, is_dir: kind.is_dir() })
        })
        .collect()
}

/// Walks the content folder. Problems are collected, not returned early, so one run shows them all.
pub fn load(root: &Path, problems: &mut Diagnostics) -> Sources {
    load_with(root, None, problems)
}

/// [`load`], with the text hash of each module whose stamp `known` recognises.
pub fn load_with(root: &Path, known: Option<Known>, problems: &mut Diagnostics) -> Sources {
    let content = root.join("content");
    let mut sources = Sources::default();
    if !content.is_dir() {
        problems.push(
            Diagnostic::error(relative(root, &content), "the content folder is missing")
                .with_hint("create `content/` with `modules/`, `schedules/` and `regencies/<name>/regency.yaml`"),
        );
        return sources;
    }
    let guard = SymlinkGuard::new(&content);
    let mut modules = Vec::new();
    load_modules(root, &content.join("modules"), &Scope::National, &guard, &mut modules, problems);
    load_schedules(root, &content.join("schedules"), &Scope::National, &guard, &mut sources, problems);

    let regencies_dir = content.join("regencies");
    for Entry { path: dir, name, is_dir } in listing(root, &regencies_dir, &guard, problems) {
        if !is_dir {
            problems.push(
                Diagnostic::warning(relative(root, &dir), "ignored: `content/regencies/` holds one folder per regency")
                    .with_hint("move the file into a regency's folder"),
            );
            continue;
        }
        if !check_slug(&relative(root, &dir), &name, "regency folder", problems) {
            continue;
        }
        if name == "assets" {
            problems.push(
                Diagnostic::error(
                    relative(root, &dir),
                    "`assets` cannot be a regency: the site index keeps its styles there",
                )
                .with_hint("rename the folder, e.g. to the regency's name"),
            );
            continue;
        }
        let file = dir.join("regency.yaml");
        if file.exists() && !guard.allows(root, &file, problems) {
            continue;
        }
        if !file.is_file() {
            problems.push(
                Diagnostic::error(relative(root, &dir), "this regency folder has no `regency.yaml`")
                    .with_hint("add regency.yaml with `name`, `province` and `timezone` (WIB, WITA or WIT)"),
            );
            continue;
        }
        match read_text(root, &file) {
            Ok(f) => sources.regencies.push(RegencySource { slug: name.clone(), file: f }),
            Err(d) => problems.push(d),
        }
        let scope = Scope::Regency(name);
        load_modules(root, &dir.join("modules"), &scope, &guard, &mut modules, problems);
        load_schedules(root, &dir.join("schedules"), &scope, &guard, &mut sources, problems);
    }
    if sources.regencies.is_empty() && !problems.has_errors() {
        problems.push(
            Diagnostic::error(relative(root, &regencies_dir), "there is no regency to build")
                .with_hint("add a folder such as `content/regencies/landak/` with a `regency.yaml`"),
        );
    }
    sources.statics = collect_files(root, &content.join("static"), &guard, problems);
    stamp_modules(root, modules, known, &mut sources);
    sources
}

/// A module found, not read yet.
struct Found {
    scope: Scope,
    slug: String,
    path: PathBuf,
    assets: Vec<Asset>,
}

/// Stamps the modules found, in parallel (on most systems many small files are bound by system
/// calls, not the disk), and in their order. None is read: see [`ModuleSource::unread`].
fn stamp_modules(root: &Path, found: Vec<Found>, known: Option<Known>, sources: &mut Sources) {
    use rayon::prelude::*;
    let now = std::time::SystemTime::now();
    sources.modules = found
        .into_par_iter()
        .map(|Found { scope, slug, path, assets }| {
            let rel = relative(root, &path);
            let stamp = fs::metadata(&path).ok().map(|m| Stamp::of(&m)).filter(|s| s.settled(now));
            let text_hash = known.zip(stamp.as_ref()).and_then(|(known, stamp)| known(&rel, stamp));
            let file = TextFile { rel, text: String::new() };
            ModuleSource { scope, slug, file, path, text_hash, stamp, unread: true, assets }
        })
        .collect();
}

impl ModuleSource {
    /// The source with its text, read now if it was not yet.
    pub fn read(mut self) -> Result<ModuleSource, Diagnostic> {
        if self.unread {
            let file = read_text(Path::new(""), &self.path).map_err(|mut d| {
                d.path = self.file.rel.clone();
                d
            })?;
            self.text_hash = Some(crate::hash::hash(file.text.as_bytes()));
            self.file.text = file.text;
            self.unread = false;
        }
        Ok(self)
    }
}

fn load_modules(
    root: &Path,
    dir: &Path,
    scope: &Scope,
    guard: &SymlinkGuard,
    found: &mut Vec<Found>,
    problems: &mut Diagnostics,
) {
    // Each slug with the file that had it first, by path: made relative only for a message.
    let mut seen: crate::hash::FastMap<String, PathBuf> = crate::hash::FastMap::default();
    for Entry { path, name, is_dir } in listing(root, dir, guard, problems) {
        let rel = || relative(root, &path);
        let (slug, index, assets) = if is_dir {
            let index = path.join("index.md");
            if !index.is_file() {
                problems.push(
                    Diagnostic::error(rel(), "this module folder has no `index.md`")
                        .with_hint("a module with its own files is a folder holding `index.md` and those files"),
                );
                continue;
            }
            let assets = collect_files(root, &path, guard, problems)
                .into_iter()
                .filter(|a| a.rel_out != Path::new("index.md"))
                .collect();
            (name, index, assets)
        } else if let Some(stem) = name.strip_suffix(".md") {
            (stem.to_owned(), path.clone(), Vec::new())
        } else {
            problems.push(
                Diagnostic::warning(rel(), "ignored: only `.md` files and module folders belong in a modules folder")
                    .with_hint(
                        "put images and documents in a module folder beside its `index.md`, or in `content/static/`",
                    ),
            );
            continue;
        };
        if !is_key(&slug) {
            check_slug(&rel(), &slug, "module", problems);
            continue;
        }
        if let Some(first) = seen.get(&slug) {
            problems.push(
                Diagnostic::error(rel(), format!("the module `{slug}` is defined twice here"))
                    .with_hint(format!("`{}` has the same name; keep one of them", relative(root, first).display())),
            );
            continue;
        }
        seen.insert(slug.clone(), path.clone());
        found.push(Found { scope: scope.clone(), slug, path: index, assets });
    }
}

fn load_schedules(
    root: &Path,
    dir: &Path,
    scope: &Scope,
    guard: &SymlinkGuard,
    sources: &mut Sources,
    problems: &mut Diagnostics,
) {
    let mut seen: Vec<String> = Vec::new();
    for Entry { path, name, .. } in listing(root, dir, guard, problems) {
        let rel = relative(root, &path);
        let Some(slug) = name.strip_suffix(".yaml").or_else(|| name.strip_suffix(".yml")) else {
            problems.push(
                Diagnostic::warning(&rel, "ignored: a schedules folder holds `.yaml` files only")
                    .with_hint("rename it to end in `.yaml`, or move it out"),
            );
            continue;
        };
        if !check_slug(&rel, slug, "schedule", problems) {
            continue;
        }
        if seen.iter().any(|s| s == slug) {
            problems.push(Diagnostic::error(&rel, format!("the schedule `{slug}` is defined twice here")));
            continue;
        }
        seen.push(slug.to_owned());
        match read_text(root, &path) {
            Ok(file) => sources.schedules.push(ScheduleSource { scope: scope.clone(), slug: slug.to_owned(), file }),
            Err(d) => problems.push(d),
        }
    }
}

/// Every file below `dir`, as assets relative to it, sorted.
pub fn collect_files(root: &Path, dir: &Path, guard: &SymlinkGuard, problems: &mut Diagnostics) -> Vec<Asset> {
    if fs::symlink_metadata(dir).is_err() || !guard.allows(root, dir, problems) || !dir.is_dir() {
        return Vec::new();
    }
    let mut assets = Vec::new();
    let walker = WalkDir::new(dir).follow_links(false).sort_by_file_name().into_iter();
    for entry in walker.filter_entry(|e| e.depth() == 0 || !is_ignored(&e.file_name().to_string_lossy())) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                problems.push(Diagnostic::error(relative(root, dir), format!("cannot read the folder: {e}")));
                continue;
            }
        };
        let path = entry.path();
        if entry.depth() > 0 && !guard.allows(root, path, problems) {
            continue;
        }
        if path.is_file() {
            if let Ok(rel_out) = path.strip_prefix(dir) {
                assets.push(Asset { rel_out: rel_out.to_owned(), src: path.to_owned() });
            }
        }
    }
    assets
}

/// Refuses symlinks that lead outside `content/`, or to folders (which could loop), so a link can
/// never pull a file from elsewhere on the machine into a published site.
pub struct SymlinkGuard {
    content: Option<PathBuf>,
}

impl SymlinkGuard {
    pub fn new(content: &Path) -> SymlinkGuard {
        SymlinkGuard { content: content.canonicalize().ok() }
    }

    pub fn allows(&self, root: &Path, path: &Path, problems: &mut Diagnostics) -> bool {
        let Ok(meta) = fs::symlink_metadata(path) else { return false };
        if !meta.file_type().is_symlink() {
            return true;
        }
        let rel = relative(root, path);
        let target = path.canonicalize();
        let inside = match (&target, &self.content) {
            (Ok(t), Some(c)) => t.starts_with(c),
            _ => false,
        };
        let problem = match target {
            Err(_) => Some("this symbolic link is broken or loops"),
            Ok(_) if !inside => Some("this symbolic link points outside `content/`; it is not followed"),
            Ok(t) if t.is_dir() => Some("symbolic links to folders are not followed"),
            Ok(_) => None,
        };
        match problem {
            Some(message) => {
                problems.push(
                    Diagnostic::error(rel, message).with_hint("copy the file into `content/` instead of linking it"),
                );
                false
            }
            None => true,
        }
    }
}
