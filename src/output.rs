//! Stage 7, write: the only code that writes the site. Files are collected in memory under checked
//! relative paths, written to a fresh folder beside the output, and swapped in only when all of them
//! are written — so a failed or interrupted build never leaves a half-published site.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

/// The content of one output file.
#[derive(Debug, Clone)]
pub enum Body {
    Bytes(Vec<u8>),
    Static(&'static [u8]),
    /// Copied from this source file when written.
    Copy(PathBuf),
}

impl Body {
    /// The bytes of the file, read from its source when it is a copy.
    pub fn bytes(&self) -> io::Result<std::borrow::Cow<'_, [u8]>> {
        Ok(match self {
            Body::Bytes(bytes) => bytes.into(),
            Body::Static(bytes) => (*bytes).into(),
            Body::Copy(src) => {
                fs::read(src).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", src.display())))?.into()
            }
        })
    }
}

/// Every file of a build, by its path relative to the output folder (always `/`-separated).
#[derive(Debug, Default)]
pub struct Output {
    files: BTreeMap<String, (Body, String)>,
}

/// Why a file could not be added.
#[derive(Debug, PartialEq, Eq)]
pub enum AddError {
    /// The path would leave the output folder or is not a plain relative path.
    Unsafe(String),
    /// Two sources want the same output path; holds the first one's description.
    Taken { path: String, first: String },
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
    pub fn add(&mut self, path: String, body: Body, origin: impl Into<String>) -> Result<(), AddError> {
        if !is_safe_relative(&path) {
            return Err(AddError::Unsafe(path));
        }
        if let Some((_, first)) = self.files.get(&path) {
            return Err(AddError::Taken { path, first: first.clone() });
        }
        // A file cannot also be a folder: `a/b` clashes with `a/b/index.html` and with `a`.
        let mut ancestor = path.as_str();
        while let Some(i) = ancestor.rfind('/') {
            ancestor = &ancestor[..i];
            if let Some((_, first)) = self.files.get(ancestor) {
                return Err(AddError::Taken { path: ancestor.to_owned(), first: first.clone() });
            }
        }
        let folder = format!("{path}/");
        if let Some((_, (_, first))) = self.files.range(folder.clone()..).next().filter(|(k, _)| k.starts_with(&folder))
        {
            return Err(AddError::Taken { path, first: first.clone() });
        }
        self.files.insert(path, (body, origin.into()));
        Ok(())
    }

    pub fn get(&self, path: &str) -> Option<&Body> {
        self.files.get(path).map(|(body, _)| body)
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The files whose path starts with `prefix`, in path order.
    pub fn under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a Body)> + 'a {
        self.files
            .range(prefix.to_owned()..)
            .take_while(move |(p, _)| p.starts_with(prefix))
            .map(|(p, (b, _))| (p.as_str(), b))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Writes everything to `out`, replacing its previous content only once all is written.
    pub fn write(&self, out: &Path) -> io::Result<()> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".to_owned());
        fs::create_dir_all(&parent)?;
        let staging = parent.join(format!(".{name}.bimtek-new"));
        let old = parent.join(format!(".{name}.bimtek-old"));
        // A build stopped between the two renames below left the previous site here: put it back.
        if !out.exists() && old.is_dir() {
            fs::rename(&old, out)?;
        }
        remove_if_exists(&staging)?;
        fs::create_dir(&staging)?;
        if let Err(e) = self.write_into(&staging) {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
        // The swap: two renames. Between them `out` is briefly absent, never half-written.
        remove_if_exists(&old)?;
        if out.exists() {
            fs::rename(out, &old)?;
        }
        if let Err(e) = fs::rename(&staging, out) {
            let _ = fs::rename(&old, out);
            return Err(e);
        }
        remove_if_exists(&old)
    }

    fn write_into(&self, dir: &Path) -> io::Result<()> {
        let folders: std::collections::BTreeSet<PathBuf> =
            self.files.keys().filter_map(|p| Path::new(p).parent().map(|d| dir.join(d))).collect();
        for folder in folders {
            fs::create_dir_all(folder)?;
        }
        self.files.par_iter().try_for_each(|(path, (body, _))| {
            let target = dir.join(path);
            match body {
                Body::Bytes(bytes) => fs::write(&target, bytes),
                Body::Static(bytes) => fs::write(&target, bytes),
                Body::Copy(src) => fs::copy(src, &target).map(drop),
            }
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", target.display())))
        })
    }
}

fn remove_if_exists(path: &Path) -> io::Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
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
        fs::create_dir_all(dir.path().join(".output.bimtek-old")).unwrap();
        fs::write(dir.path().join(".output.bimtek-old/index.html"), "old").unwrap();
        let mut out = Output::default();
        out.add("index.html".into(), Body::Bytes(b"new".to_vec()), "t").unwrap();
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
        out.add("x/index.html".into(), Body::Bytes(b"new".to_vec()), "t").unwrap();
        out.write(&out_dir).unwrap();
        assert_eq!(fs::read_to_string(out_dir.join("x/index.html")).unwrap(), "new");
        assert!(!out_dir.join("stale").exists());
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, ["output"]);
    }
}
