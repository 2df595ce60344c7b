//! Stage 7, write: the only code that writes the site. Files are collected in memory under checked
//! relative paths, then [`trees`] writes them beside the output and swaps them in only when all
//! are written — so a failed or interrupted build never leaves a half-published site.

pub mod trees;

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

/// The content of one output file.
#[derive(Debug, Clone)]
pub enum Body {
    /// Shared, so a page kept from the previous build costs no copy.
    Bytes(Arc<[u8]>),
    Static(&'static [u8]),
    /// Copied from this source file when written.
    Copy(PathBuf),
    /// A page of the previous build whose inputs did not change: its file, and what the build
    /// state recorded of it.
    Reused {
        from: PathBuf,
        hash: u64,
        len: u64,
    },
    /// Written already, while rendering, into the tree being built.
    Stored {
        at: PathBuf,
        hash: u64,
        len: u64,
    },
}

impl Body {
    /// The bytes of the file, read from its source when it is a copy.
    pub fn bytes(&self) -> io::Result<std::borrow::Cow<'_, [u8]>> {
        let read = |src: &Path| fs::read(src).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", src.display())));
        Ok(match self {
            Body::Bytes(bytes) => (&bytes[..]).into(),
            Body::Static(bytes) => (*bytes).into(),
            Body::Copy(src) | Body::Reused { from: src, .. } | Body::Stored { at: src, .. } => read(src)?.into(),
        })
    }

    /// The content hash and length, without reading a reused file.
    fn measure(&self) -> io::Result<Digest> {
        if let Body::Reused { hash, len, .. } | Body::Stored { hash, len, .. } = self {
            return Ok(Digest { hash: *hash, len: *len });
        }
        let bytes = self.bytes()?;
        Ok(Digest { hash: crate::hash::hash(&bytes), len: bytes.len() as u64 })
    }
}

/// What identifies a file's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digest {
    pub hash: u64,
    pub len: u64,
}

#[derive(Debug, Clone)]
struct Entry {
    body: Body,
    /// Where the file comes from, for clash messages: mostly a fixed description, not copied.
    origin: std::borrow::Cow<'static, str>,
    /// For pages: a hash of everything the page was rendered from, so the next build can reuse it.
    fingerprint: Option<u64>,
    digest: OnceLock<Digest>,
}

impl Entry {
    /// The content hash and length of the file, computed once.
    fn digest(&self) -> io::Result<Digest> {
        if let Some(digest) = self.digest.get() {
            return Ok(*digest);
        }
        let digest = self.body.measure()?;
        Ok(*self.digest.get_or_init(|| digest))
    }
}

/// Every file of a build, by its path relative to the output folder (always `/`-separated).
#[derive(Debug, Default, Clone)]
pub struct Output {
    files: BTreeMap<String, Entry>,
    /// Every folder the files are in: checking a path against these, rather than against the
    /// files around it in the tree, was a tenth of the main thread of a build after an edit.
    folders: crate::hash::FastSet<Box<str>>,
}

/// Why a file could not be added.
#[derive(Debug, PartialEq, Eq)]
pub enum AddError {
    /// The path would leave the output folder or is not a plain relative path.
    Unsafe(String),
    /// Two sources want the same output path; holds the first one's description.
    Taken { path: String, first: String },
}

/// The folders a `/`-separated path is in, deepest first: `a/b/c` is in `a/b`, then `a`.
pub(crate) fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(path), |p| p.rfind('/').map(|i| &p[..i])).skip(1)
}

/// A relative path made only of plain components, so joining it to the output folder cannot escape it.
pub fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && !path.contains('\0')
        && Path::new(path).components().all(|c| matches!(c, Component::Normal(_)))
        && path.split('/').all(|p| !p.is_empty() && p != "." && p != ".." && !p.contains(':'))
}

/// Decodes `%xx` escapes of a URL path; `None` when one is malformed or the bytes are not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl Output {
    /// Adds a file; `origin` describes where it comes from, for clash messages.
    pub fn add(
        &mut self,
        path: String,
        body: Body,
        origin: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Result<(), AddError> {
        self.add_page(path, body, None, origin)
    }

    /// Adds a rendered page with the fingerprint of its inputs.
    pub fn add_page(
        &mut self,
        path: String,
        body: Body,
        fingerprint: Option<u64>,
        origin: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Result<(), AddError> {
        if !is_safe_relative(&path) {
            return Err(AddError::Unsafe(path));
        }
        if let Some(entry) = self.files.get(&path) {
            return Err(AddError::Taken { path, first: entry.origin.to_string() });
        }
        // A file cannot also be a folder: `a/b` clashes with `a/b/index.html` and with `a`.
        if self.folders.contains(path.as_str()) {
            let folder = format!("{path}/");
            let first = self.files.range(folder.clone()..).next().map(|(_, entry)| entry.origin.to_string());
            return Err(AddError::Taken { path, first: first.unwrap_or_default() });
        }
        // Deepest first: a folder known already was checked, with its own, when it became one.
        let mut new_folders = Vec::new();
        for ancestor in ancestors(&path) {
            if self.folders.contains(ancestor) {
                break;
            }
            if let Some(entry) = self.files.get(ancestor) {
                return Err(AddError::Taken { path: ancestor.to_owned(), first: entry.origin.to_string() });
            }
            new_folders.push(ancestor.len());
        }
        self.folders.extend(new_folders.into_iter().map(|len| path[..len].into()));
        self.files.insert(path, Entry { body, origin: origin.into(), fingerprint, digest: OnceLock::new() });
        Ok(())
    }

    /// Adds files as [`Output::add_page`] adds each, with the same clash checks; the files an
    /// error is returned for are left out. Into an empty output they go in one sorted pass, the
    /// tree built whole: one at a time, a one-edit build's 13,000 pages took the main thread
    /// 10 ms. Of two files that clash, which one is refused may differ from adding one by one.
    pub fn add_all(
        &mut self,
        files: Vec<(String, Body, Option<u64>)>,
        origin: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Vec<AddError> {
        let origin = origin.into();
        let mut errors = Vec::new();
        if !self.files.is_empty() {
            for (path, body, fingerprint) in files {
                errors.extend(self.add_page(path, body, fingerprint, origin.clone()).err());
            }
            return errors;
        }
        let (mut files, refused): (Vec<_>, Vec<_>) = files.into_iter().partition(|(path, ..)| is_safe_relative(path));
        errors.extend(refused.into_iter().map(|(path, ..)| AddError::Unsafe(path)));
        files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        files.dedup_by(|later, first| {
            let same = later.0 == first.0;
            if same {
                errors.push(AddError::Taken { path: later.0.clone(), first: origin.to_string() });
            }
            same
        });
        for (path, ..) in &files {
            for ancestor in ancestors(path) {
                if !self.folders.insert(ancestor.into()) {
                    break;
                }
            }
        }
        // A file where another file's folder is: `a` beside `a/index.html`.
        files.retain(|(path, ..)| {
            let folder = self.folders.contains(path.as_str());
            if folder {
                errors.push(AddError::Taken { path: path.clone(), first: origin.to_string() });
            }
            !folder
        });
        let entry = |body, fingerprint| Entry { body, origin: origin.clone(), fingerprint, digest: OnceLock::new() };
        self.files = files.into_iter().map(|(path, body, fingerprint)| (path, entry(body, fingerprint))).collect();
        errors
    }

    pub fn get(&self, path: &str) -> Option<&Body> {
        self.files.get(path).map(|entry| &entry.body)
    }

    /// Puts every file of `other` in place of this one's at the same path.
    pub fn overlay(&mut self, other: Output) {
        self.files.extend(other.files);
        self.folders.extend(other.folders);
    }

    /// Computes every file's digest, in parallel; the first unreadable source is the error.
    pub fn measure_all(&self) -> io::Result<()> {
        self.files.par_iter().try_for_each(|(_, entry)| entry.digest().map(drop))
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The files whose path starts with `prefix`, in path order, each with its digest (those not
    /// known yet computed in parallel; an unreadable source is the error).
    pub fn digests_under(&self, prefix: &str) -> Vec<(&str, io::Result<Digest>)> {
        let files: Vec<(&String, &Entry)> =
            self.files.range(prefix.to_owned()..).take_while(|(p, _)| p.starts_with(prefix)).collect();
        files.par_iter().map(|(path, entry)| (path.as_str(), entry.digest())).collect()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Writes everything to `out`, replacing its previous content only once all is written.
    pub fn write(&self, out: &Path) -> io::Result<trees::Written> {
        trees::write(self, out)
    }
}

/// The pages of the previous build, for reuse when a page's fingerprint has not changed.
#[derive(Default)]
pub struct Previous {
    /// By the fast hasher: each page of a build is looked up here, by its whole path.
    pages: crate::hash::FastMap<String, (u64, Body)>,
    /// The paths of `pages`, sorted, for [`Previous::under`]: a search index asks for the files
    /// under each of its hundreds of term groups, and a scan of every page for each cost more
    /// than the rest of the index after an edit.
    sorted: Vec<String>,
}

impl Previous {
    /// The pages given, each as (path, (fingerprint, body)), in any order.
    pub fn new(pages: impl IntoIterator<Item = (String, (u64, Body))>) -> Previous {
        let mut pages: Vec<(String, (u64, Body))> = pages.into_iter().collect();
        // Sorted by path already when they come from a tree's record, as after every edit.
        if !pages.is_sorted_by(|a, b| a.0 <= b.0) {
            pages.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        }
        let sorted = pages.iter().map(|(path, _)| path.clone()).collect();
        Previous { pages: pages.into_iter().collect(), sorted }
    }

    /// The build held in memory, as `serve` keeps it.
    pub fn from_output(output: &Output) -> Previous {
        Previous::new(
            output.files.iter().filter_map(|(path, e)| e.fingerprint.map(|fp| (path.clone(), (fp, e.body.clone())))),
        )
    }

    /// Whether the previous build made a page at `path`, whatever from.
    pub fn has(&self, path: &str) -> bool {
        self.pages.contains_key(path)
    }

    /// The page at `path`, if it was rendered from the same inputs.
    pub fn reuse(&self, path: &str, fingerprint: u64) -> Option<Body> {
        self.pages.get(path).filter(|(fp, _)| *fp == fingerprint).map(|(_, body)| body.clone())
    }

    /// Every file under `prefix` made with this fingerprint, sorted: the parts of something made
    /// whole, such as a search index, reused together. `None` when there are none.
    pub fn reuse_all(&self, prefix: &str, fingerprint: u64) -> Option<Vec<(String, Body)>> {
        let files: Vec<(String, Body)> =
            self.under(prefix).into_iter().filter(|(_, fp, _)| *fp == fingerprint).map(|(p, _, b)| (p, b)).collect();
        (!files.is_empty()).then_some(files)
    }

    /// Every file under `prefix` with its fingerprint, sorted.
    pub fn under(&self, prefix: &str) -> Vec<(String, u64, Body)> {
        let first = self.sorted.partition_point(|path| path.as_str() < prefix);
        self.sorted[first..]
            .iter()
            .take_while(|path| path.starts_with(prefix))
            .filter_map(|path| self.pages.get(path).map(|(fp, body)| (path.clone(), *fp, body.clone())))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_paths_are_refused() {
        for bad in ["../x", "a/../../x", "/etc/passwd", "a//b", "./a", "a\\..\\b", "c:/x", "", "a/"] {
            assert!(!is_safe_relative(bad), "{bad}");
        }
        for good in ["index.html", "landak/modul/x/index.html", "a/b c.pdf"] {
            assert!(is_safe_relative(good), "{good}");
        }
    }

    #[test]
    fn files_added_together_are_checked_as_files_added_one_by_one() {
        let file = |path: &str| (path.to_owned(), Body::Static(b"x"), Some(1));
        let mut together = Output::default();
        let errors = together.add_all(
            ["b/index.html", "a/index.html", "b/index.html", "a", "../x", "c/d/e.html", "c/d.html"].map(file).into(),
            "page",
        );
        assert_eq!(
            errors,
            [
                AddError::Unsafe("../x".into()),
                AddError::Taken { path: "b/index.html".into(), first: "page".into() },
                AddError::Taken { path: "a".into(), first: "page".into() },
            ]
        );
        let mut one_by_one = Output::default();
        for path in ["c/d.html", "b/index.html", "c/d/e.html", "a/index.html"] {
            one_by_one.add_page(path.into(), Body::Static(b"x"), Some(1), "page").unwrap();
        }
        assert!(together.paths().eq(one_by_one.paths()));
        // The folders are known to later additions, one at a time.
        assert_eq!(
            together.add("c".into(), Body::Static(b""), "f").unwrap_err(),
            AddError::Taken { path: "c".into(), first: "page".into() }
        );
        assert!(together.add_all(vec![file("b")], "page").len() == 1 && together.get("b").is_none());
    }

    #[test]
    fn clashes_are_reported_with_the_first_origin() {
        let mut out = Output::default();
        out.add("a/index.html".into(), Body::Static(b"x"), "page").unwrap();
        let err = out.add("a/index.html".into(), Body::Static(b"y"), "static file").unwrap_err();
        assert_eq!(err, AddError::Taken { path: "a/index.html".into(), first: "page".into() });
        // File against folder, both ways round.
        assert_eq!(
            out.add("a".into(), Body::Static(b""), "f").unwrap_err(),
            AddError::Taken { path: "a".into(), first: "page".into() }
        );
        out.add("b".into(), Body::Static(b""), "file b").unwrap();
        assert_eq!(
            out.add("b/c.css".into(), Body::Static(b""), "g").unwrap_err(),
            AddError::Taken { path: "b".into(), first: "file b".into() }
        );
        assert_eq!(out.add("../x".into(), Body::Static(b""), "z").unwrap_err(), AddError::Unsafe("../x".into()));
    }

    #[test]
    fn a_site_left_aside_by_an_interrupted_swap_is_restored_first() {
        let dir = tempfile::tempdir().unwrap();
        let out_dir = dir.path().join("output");
        fs::create_dir_all(dir.path().join(".output.bimtek/aside")).unwrap();
        fs::write(dir.path().join(".output.bimtek/aside/index.html"), "old").unwrap();
        let mut out = Output::default();
        out.add("index.html".into(), Body::Bytes(b"new"[..].into()), "t").unwrap();
        // A later build that fails (its source file vanished) still finds the old site restored.
        let mut failing = Output::default();
        failing.add("x/y".into(), Body::Copy(dir.path().join("missing")), "t").unwrap();
        assert!(failing.write(&out_dir).is_err());
        assert_eq!(fs::read_to_string(out_dir.join("index.html")).unwrap(), "old");
        out.write(&out_dir).unwrap();
        assert_eq!(fs::read_to_string(out_dir.join("index.html")).unwrap(), "new");
    }

    #[test]
    fn write_replaces_the_folder_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out_dir = dir.path().join("output");
        fs::create_dir_all(out_dir.join("stale")).unwrap();
        fs::write(out_dir.join("stale/old.html"), "old").unwrap();
        let mut out = Output::default();
        out.add("x/index.html".into(), Body::Bytes(b"new"[..].into()), "t").unwrap();
        out.write(&out_dir).unwrap();
        assert_eq!(fs::read_to_string(out_dir.join("x/index.html")).unwrap(), "new");
        assert!(!out_dir.join("stale").exists());
        let mut beside: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        beside.sort();
        assert_eq!(beside, [".output.bimtek", "output"]);
    }

    #[test]
    fn files_and_folders_may_trade_places_between_incremental_builds() {
        let dir = tempfile::tempdir().unwrap();
        let out_dir = dir.path().join("output");
        let build = |files: &[(&str, &str)]| {
            let mut out = Output::default();
            for (path, text) in files {
                out.add((*path).into(), Body::Bytes(text.as_bytes().into()), "t").unwrap();
            }
            out.write(&out_dir).unwrap()
        };
        let a = [("index.html", "a"), ("x", "file"), ("y/z.txt", "in a folder")];
        let b = [("index.html", "b"), ("x/inner.txt", "now a folder"), ("y", "now a file")];
        // Enough builds for both trees to be updated in place, each way round.
        for (n, files) in [&a[..], &b, &a, &b, &a, &b].into_iter().enumerate() {
            let written = build(files);
            assert_eq!(written.incremental, n >= 2, "build {n}");
            let got = read_tree(&out_dir);
            let want: Vec<(String, String)> = files.iter().map(|(p, t)| ((*p).to_owned(), (*t).to_owned())).collect();
            assert_eq!(got, want, "build {n}");
            for entry in walkdir::WalkDir::new(&out_dir).into_iter().map(Result::unwrap) {
                if entry.file_type().is_dir() {
                    assert!(fs::read_dir(entry.path()).unwrap().next().is_some(), "empty {:?}", entry.path());
                }
            }
        }
    }

    #[test]
    fn a_published_file_cut_short_is_written_whole_when_its_tree_comes_round_again() {
        let dir = tempfile::tempdir().unwrap();
        let out_dir = dir.path().join("output");
        let build = || {
            let mut out = Output::default();
            out.add("index.html".into(), Body::Static(b"the whole page"), "t").unwrap();
            out.write(&out_dir).unwrap()
        };
        // After three builds both trees are known, and the published one is updated in place
        // two builds from now.
        for _ in 0..3 {
            build();
        }
        let page = out_dir.join("index.html");
        fs::write(&page, "the whole").unwrap();
        build();
        assert_eq!(fs::read_to_string(&page).unwrap(), "the whole page");
        let written = build();
        assert!(written.incremental);
        assert_eq!(fs::read_to_string(&page).unwrap(), "the whole page", "the cut file was kept");
    }

    fn read_tree(dir: &Path) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = walkdir::WalkDir::new(dir)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                (rel, fs::read_to_string(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    /// Pieces that path tricks are made of: parent and current folders, both slashes, drive
    /// letters, NUL, escapes a server would decode, and ordinary and non-ASCII names.
    fn path_piece() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            Just("..".to_owned()),
            Just(".".to_owned()),
            Just("/".to_owned()),
            Just("\\".to_owned()),
            Just("C:".to_owned()),
            Just("\0".to_owned()),
            Just("%2e%2e".to_owned()),
            Just("~".to_owned()),
            "[a-z]{1,4}",
            any::<char>().prop_map(String::from),
        ]
    }

    proptest::proptest! {
        /// Whatever a slug, link or file name makes of a path, what the output accepts is written
        /// inside the output folder (or the work folder beside it), and nothing else is touched.
        #[test]
        fn no_accepted_path_is_written_outside_the_output_folder(
            paths in proptest::collection::vec(proptest::collection::vec(path_piece(), 1..7), 1..12)
        ) {
            let dir = tempfile::tempdir().unwrap();
            let out_dir = dir.path().join("out");
            let mut output = Output::default();
            for pieces in &paths {
                let path = pieces.concat();
                let accepted = output.add(path.clone(), Body::Static(b"x"), "test").is_ok();
                if accepted {
                    let mut depth = 0;
                    for part in path.split('/') {
                        depth += if part == ".." { -1 } else { 1 };
                        proptest::prop_assert!(depth > 0, "{path:?} climbs out");
                    }
                    proptest::prop_assert!(!path.contains(['\\', ':', '\0']) && !path.starts_with('/'), "{path:?}");
                }
            }
            trees::write(&output, &out_dir).unwrap();
            for entry in walkdir::WalkDir::new(dir.path()).min_depth(1) {
                let entry = entry.unwrap();
                let rel = entry.path().strip_prefix(dir.path()).unwrap();
                let top = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
                proptest::prop_assert!(top == "out" || top == ".out.bimtek", "{} written outside", rel.display());
                proptest::prop_assert!(!entry.path_is_symlink());
            }
            let written = walkdir::WalkDir::new(&out_dir).into_iter().filter(|e| e.as_ref().is_ok_and(|e| e.file_type().is_file())).count();
            proptest::prop_assert_eq!(written, output.paths().count());
        }
    }
}
