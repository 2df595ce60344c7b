//! Writing by exchange. Beside the output folder, `.<name>.bimtek/` keeps a spare copy of the site
//! from the build before last and `state.bin`, what each of the two trees holds. A build brings
//! the spare up to date by writing only the files that differ from it, then swaps it with the
//! output folder in one atomic rename. So the published folder is never half-written, however
//! the build ends, and a build after a small edit writes a few files, not the whole site.
//!
//! Trees are known by their inode, not their name, so the state stays right even when a build
//! is killed between recording it and the swap. A tree the state does not know is rebuilt whole.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::codec::{Reader, put_str, put_u64, put_varint};
use rayon::prelude::*;

use super::{Body, Digest, Output, Previous};

/// The state file's layout; another is not read (the trees are then rebuilt whole).
const STATE_MAGIC: &[u8] = b"bimtek trees 2\n";

/// What a write did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Written {
    /// Files written (new or changed since the spare tree).
    pub files: usize,
    pub removed: usize,
    /// Whether a known spare tree was updated rather than a new one written whole.
    pub incremental: bool,
}

/// One file as recorded: `[hash, length, fingerprint]` (fingerprint 0 for files that are not pages).
type Record = (u64, u64, u64);

#[derive(Default)]
struct State {
    trees: Vec<Tree>,
}

struct Tree {
    device: u64,
    inode: u64,
    files: BTreeMap<String, Record>,
}

/// For the fault tests: with `BIMTEK_STOP_AT=<point>` set, a build announces the point on stderr
/// and waits there to be killed, so a test can kill it at exactly the moments that matter rather
/// than at whatever moment a timer happens to hit.
fn stop_point(point: &str) {
    static AT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if AT.get_or_init(|| std::env::var("BIMTEK_STOP_AT").ok()).as_deref() == Some(point) {
        eprintln!("bimtek: stopped at {point}");
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }
}

/// Names the file in an error: the system's own message does not say which one failed.
fn at(path: &Path) -> impl Fn(io::Error) -> io::Error + '_ {
    move |e| io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// The folder beside `out` that holds the spare tree and the state.
pub fn work_dir(out: &Path) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".to_owned());
    parent(out).join(format!(".{name}.bimtek"))
}

fn parent(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

#[cfg(unix)]
fn identity(dir: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::symlink_metadata(dir).ok().filter(fs::Metadata::is_dir)?;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity(_dir: &Path) -> Option<(u64, u64)> {
    // Without inodes the trees cannot be told apart safely: every build writes a whole tree.
    None
}

impl State {
    fn load(work: &Path) -> State {
        fs::read(work.join("state.bin")).ok().and_then(|bytes| State::decode(&bytes)).unwrap_or_default()
    }

    /// Saved at the start and the end of every build. As JSON, reading and writing it took a
    /// tenth of a build after an edit at 10,000 modules; it is binary now, and each path is
    /// written as what it shares with the one before (sorted, they share most) and the rest.
    fn save(&mut self, work: &Path) -> io::Result<()> {
        let mut out = STATE_MAGIC.to_vec();
        put_varint(&mut out, self.trees.len() as u64);
        for tree in &self.trees {
            put_u64(&mut out, tree.device);
            put_u64(&mut out, tree.inode);
            put_varint(&mut out, tree.files.len() as u64);
            let mut last = "";
            for (path, &(hash, len, fingerprint)) in &tree.files {
                let shared = path.bytes().zip(last.bytes()).take_while(|(a, b)| a == b).count();
                // Cut on a character boundary, so both parts are text.
                let shared = (0..=shared).rev().find(|&n| path.is_char_boundary(n)).unwrap_or(0);
                put_varint(&mut out, shared as u64);
                put_str(&mut out, &path[shared..]);
                put_u64(&mut out, hash);
                put_varint(&mut out, len);
                put_u64(&mut out, fingerprint);
                last = path;
            }
        }
        let temp = work.join("state.bin.new");
        fs::write(&temp, out).map_err(at(&temp))?;
        fs::rename(&temp, work.join("state.bin")).map_err(at(&temp))?;
        // Left by earlier versions, which kept the state as JSON; it would only take space.
        match fs::remove_file(work.join("state.json")) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    fn decode(bytes: &[u8]) -> Option<State> {
        let mut r = Reader::new(bytes.strip_prefix(STATE_MAGIC)?);
        let trees = r.many(|r| {
            let (device, inode) = (r.u64()?, r.u64()?);
            let mut last = String::new();
            let files = r.many(|r| {
                let shared = r.varint()? as usize;
                let mut path = last.get(..shared)?.to_owned();
                path.push_str(r.str()?);
                last.clone_from(&path);
                Some((path, (r.u64()?, r.varint()?, r.u64()?)))
            })?;
            Some(Tree { device, inode, files: files.into_iter().collect() })
        })?;
        r.byte().is_none().then_some(State { trees })
    }

    fn take(&mut self, id: Option<(u64, u64)>) -> Option<BTreeMap<String, Record>> {
        let id = id?;
        let at = self.trees.iter().position(|t| (t.device, t.inode) == id)?;
        Some(self.trees.swap_remove(at).files)
    }
}

/// The pages of the tree in `out`, with the fingerprints they were rendered from: pages whose
/// inputs have not changed are taken from there unrendered.
fn published_pages(out: &Path, files: &BTreeMap<String, Record>) -> Previous {
    let pages =
        files.iter().filter(|(_, (_, _, fingerprint))| *fingerprint != 0).map(|(path, &(hash, len, fingerprint))| {
            (path.clone(), (fingerprint, Body::Reused { from: out.join(path), hash, len }))
        });
    Previous::new(pages)
}

/// Makes `out` hold exactly the files of `output`, swapping it in whole.
pub fn write(output: &Output, out: &Path) -> io::Result<Written> {
    Writer::begin(out)?.finish(output)
}

/// A write in progress: pages are put into the spare tree as soon as they are rendered, so their
/// bytes need not all be held in memory; [`Writer::finish`] writes the rest and swaps.
pub struct Writer {
    out: PathBuf,
    work: PathBuf,
    /// The spare tree, opened to look its files up.
    spare: Folder,
    state: State,
    /// What the spare tree held before this build.
    old: BTreeMap<String, Record>,
    incremental: bool,
    /// Files put so far, and whether a put had to remove something in its way.
    put: std::sync::Mutex<(Vec<(String, Record)>, bool)>,
    /// The pages of the site now published, until taken by [`Writer::published`].
    published: Previous,
}

impl Writer {
    /// Readies the spare tree beside `out`; until [`Writer::finish`] nothing is trusted about it.
    pub fn begin(out: &Path) -> io::Result<Writer> {
        let work = work_dir(out);
        fs::create_dir_all(&work).map_err(at(&work))?;
        let spare = work.join("spare");
        // A swap without an atomic exchange, stopped half-way, left the site here: put it back.
        let aside = work.join("aside");
        if !out.exists() && aside.is_dir() {
            fs::rename(&aside, out).map_err(at(&aside))?;
        }
        let mut state = State::load(&work);
        let live = state.take(identity(out));
        let known = state.take(identity(&spare));
        state.trees.clear();
        let published = live.as_ref().map(|files| published_pages(out, files)).unwrap_or_default();
        if let (Some(id), Some(files)) = (identity(out), live) {
            state.trees.push(Tree { device: id.0, inode: id.1, files });
        }
        state.save(&work)?;
        let incremental = known.is_some();
        let old = match known {
            Some(files) => files,
            None => {
                remove_if_exists(&spare).map_err(at(&spare))?;
                fs::create_dir(&spare).map_err(at(&spare))?;
                BTreeMap::new()
            }
        };
        let put = std::sync::Mutex::new((Vec::new(), false));
        let spare = Folder::open(&spare);
        stop_point("begun");
        Ok(Writer { out: out.to_owned(), work, spare, state, old, incremental, put, published })
    }

    /// The folder that holds the spare tree and what builds keep for the next one.
    pub fn work(&self) -> &Path {
        &self.work
    }

    /// The pages of the site now published, with their fingerprints, for the build to reuse.
    pub fn published(&mut self) -> Previous {
        std::mem::take(&mut self.published)
    }

    /// Puts one file into the spare tree (unless it holds it already) and returns where it is.
    pub fn put(&self, path: &str, bytes: &[u8]) -> io::Result<Body> {
        let digest = Digest { hash: crate::hash::hash(bytes), len: bytes.len() as u64 };
        let target = self.spare.path.join(path);
        let unchanged =
            self.old.get(path).is_some_and(|r| (r.0, r.1) == (digest.hash, digest.len) && self.spare.holds(path, r));
        if !unchanged {
            let cleared = write_in_place(&self.spare.path, path, bytes).map_err(at(&target))?;
            let mut put = self.put.lock().unwrap_or_else(|p| p.into_inner());
            put.0.push((path.to_owned(), (digest.hash, digest.len, 0)));
            put.1 |= cleared;
            drop(put);
            stop_point("put");
        }
        Ok(Body::Stored { at: target, hash: digest.hash, len: digest.len })
    }

    /// The build failed: the published site stays; record what the spare tree now holds, so the
    /// next build still writes only what differs.
    pub fn abandon(mut self) {
        let (put, cleared) = self.put.into_inner().unwrap_or_else(|p| p.into_inner());
        if cleared {
            // Something was removed to make way: the record would be wrong. Rewrite it next time.
            return;
        }
        let mut files = std::mem::take(&mut self.old);
        files.extend(put);
        if let Some(id) = identity(&self.spare.path) {
            self.state.trees.push(Tree { device: id.0, inode: id.1, files });
            let _ = self.state.save(&self.work);
        }
    }

    /// Writes the files not put yet, removes those gone, records the tree and swaps it in.
    pub fn finish(mut self, output: &Output) -> io::Result<Written> {
        let put = self.put.lock().unwrap_or_else(|p| p.into_inner()).0.len();
        let (files, written) = match update(output, &self.spare, &self.old) {
            Ok(done) => done,
            Err(e) => {
                // Free the space (the error may be a full disk); the next build writes a new spare.
                let _ = fs::remove_dir_all(&self.spare.path);
                return Err(e);
            }
        };
        stop_point("updated");
        if let Some(id) = identity(&self.spare.path) {
            self.state.trees.push(Tree { device: id.0, inode: id.1, files });
        }
        self.state.save(&self.work)?;
        stop_point("recorded");
        swap(&self.spare.path, &self.out, &self.work.join("aside")).map_err(at(&self.out))?;
        stop_point("swapped");
        Ok(Written { incremental: self.incremental, files: written.files + put, ..written })
    }
}

/// Writes `bytes` at `path` under `dir`, making its folders, and removing a file where a folder
/// must go or a folder where the file must go (left by an older build). Returns whether it had
/// to remove something.
fn write_in_place(dir: &Path, path: &str, bytes: &[u8]) -> io::Result<bool> {
    let target = dir.join(path);
    let mut cleared = false;
    if let Some(parent) = target.parent() {
        if fs::create_dir_all(parent).is_err() {
            // An ancestor is a file of an older build.
            let mut ancestor = parent;
            while ancestor != dir {
                if fs::symlink_metadata(ancestor).is_ok_and(|m| !m.is_dir()) {
                    fs::remove_file(ancestor)?;
                    cleared = true;
                }
                ancestor = ancestor.parent().unwrap_or(dir);
            }
            fs::create_dir_all(parent)?;
        }
    }
    cleared |= make_way(&target)?;
    fs::write(&target, bytes)?;
    Ok(cleared)
}

/// A folder opened once, to look up the files under it from there: a lookup then walks the few
/// parts of a file's path in the site, not the whole path from the root, which was most of the
/// cost of checking the 13,000 files of a build after an edit.
struct Folder {
    path: PathBuf,
    #[cfg(unix)]
    handle: Option<fs::File>,
}

impl Folder {
    fn open(path: &Path) -> Folder {
        #[cfg(unix)]
        let handle = fs::File::open(path).ok();
        Folder {
            path: path.to_owned(),
            #[cfg(unix)]
            handle,
        }
    }

    /// Whether the file at `rel` still looks as recorded: a plain file of the recorded length. A
    /// look, not a read, so it costs little; it catches a file replaced by a link or cut short.
    fn holds(&self, rel: &str, record: &Record) -> bool {
        #[cfg(unix)]
        if let Some(handle) = &self.handle {
            return plain_file_length(handle, rel) == Some(record.1);
        }
        fs::symlink_metadata(self.path.join(rel)).is_ok_and(|m| m.is_file() && m.len() == record.1)
    }
}

/// The length of the plain file at `rel` under the open folder `dir`; `None` for anything else
/// (nothing there, a folder, a symbolic link: the last part is not followed).
#[cfg(unix)]
fn plain_file_length(dir: &fs::File, rel: &str) -> Option<u64> {
    use std::os::fd::AsRawFd;
    let rel = std::ffi::CString::new(rel).ok()?;
    let mut stat = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `rel` is NUL-terminated and outlives the call; `dir` is an open descriptor for it.
    let status = unsafe { libc::fstatat(dir.as_raw_fd(), rel.as_ptr(), stat.as_mut_ptr(), libc::AT_SYMLINK_NOFOLLOW) };
    if status != 0 {
        return None;
    }
    // SAFETY: fstatat succeeded, so it filled `stat`.
    let stat = unsafe { stat.assume_init() };
    (stat.st_mode & libc::S_IFMT == libc::S_IFREG).then_some(stat.st_size as u64)
}

/// Removes what stands at `target` before a file is written there. A file is unlinked rather than
/// overwritten: were it a symbolic link, or a hard link into a deployed copy of the site (`cp -al`,
/// `rsync --link-dest`), writing through it would change a file outside the spare tree. Returns
/// whether a folder had to go.
fn make_way(target: &Path) -> io::Result<bool> {
    match fs::symlink_metadata(target) {
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(target).map(|()| true),
        Ok(_) => fs::remove_file(target).map(|()| false),
        Err(_) => Ok(false),
    }
}

/// Writes into `dir` the files of `output` that differ from `old`, removes the ones gone, and
/// returns what `dir` now holds.
fn update(
    output: &Output,
    folder: &Folder,
    old: &BTreeMap<String, Record>,
) -> io::Result<(BTreeMap<String, Record>, Written)> {
    let dir = folder.path.as_path();
    output.measure_all()?;
    // The same files in the same places, as after most edits, have the same folders, and none is
    // removed: comparing the paths is cheaper than looking each up and listing every folder.
    let same_paths = old.len() == output.len() && old.keys().map(String::as_str).eq(output.paths());
    let mut removed = 0;
    let folders = |paths: &mut dyn Iterator<Item = &str>| -> BTreeSet<String> {
        let mut set = BTreeSet::new();
        for path in paths {
            for folder in super::ancestors(path) {
                if !set.insert(folder.to_owned()) {
                    break;
                }
            }
        }
        set
    };
    if !same_paths {
        for path in old.keys().filter(|p| output.get(p).is_none()) {
            match fs::remove_file(dir.join(path)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => removed += 1,
            }
        }
        let old_folders = folders(&mut old.keys().map(String::as_str));
        let new_folders = folders(&mut output.paths());
        // Deepest first, so a folder is empty when its turn comes.
        // A folder of the old tree may be a file of the new one, put there already.
        let gone: Vec<&String> = old_folders.difference(&new_folders).filter(|f| output.get(f).is_none()).collect();
        for gone in gone.into_iter().rev() {
            match fs::remove_dir(dir.join(gone)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        for folder in new_folders.difference(&old_folders) {
            fs::create_dir_all(dir.join(folder))?;
        }
    }
    // Each file with what the spare tree held at its path, in one ordered pass over both: a
    // lookup of each path in each map was a tenth of a build after an edit.
    let mut olds = old.iter().peekable();
    let files: Vec<(&String, &super::Entry, Option<&Record>)> = output
        .files
        .iter()
        .map(|(path, entry)| {
            while olds.next_if(|(old_path, _)| *old_path < path).is_some() {}
            (path, entry, olds.next_if(|(old_path, _)| *old_path == path).map(|(_, record)| record))
        })
        .collect();
    let records: Vec<(String, Record, bool)> = files
        .par_iter()
        .map(|&(path, entry, old)| {
            let digest = entry.digest()?;
            let record = (digest.hash, digest.len, entry.fingerprint.unwrap_or(0));
            let unchanged = old.is_some_and(|r| (r.0, r.1) == (digest.hash, digest.len) && folder.holds(path, r));
            // Pages put while rendering are in place already, and counted by the writer.
            let stored = matches!(entry.body, Body::Stored { .. });
            if !unchanged && !stored {
                let target = dir.join(path);
                write_file(&entry.body, &target, digest).map_err(at(&target))?;
            }
            Ok((path.clone(), record, !unchanged && !stored))
        })
        .collect::<io::Result<_>>()?;
    let files = records.iter().filter(|(_, _, written)| *written).count();
    Ok((records.into_iter().map(|(p, r, _)| (p, r)).collect(), Written { files, removed, incremental: false }))
}

fn write_file(body: &Body, target: &Path, digest: Digest) -> io::Result<()> {
    make_way(target)?;
    match body {
        Body::Bytes(bytes) => fs::write(target, bytes),
        Body::Static(bytes) => fs::write(target, bytes),
        Body::Copy(src) => fs::copy(src, target).map(drop),
        // Put there while rendering; `update` never writes these.
        Body::Stored { .. } => Ok(()),
        Body::Reused { from, .. } => {
            let bytes = fs::read(from)?;
            // The published file was changed behind the build's back: refuse to spread it.
            if crate::hash::hash(&bytes) != digest.hash {
                return Err(io::Error::other(format!(
                    "{} was changed after bimtek published it; delete the `.<output>.bimtek` folder beside the \
                     output folder and build again, to write every file anew",
                    from.display()
                )));
            }
            fs::write(target, bytes)
        }
    }
}

/// Puts the finished `spare` in place of `out`, and the previous site where the spare was.
fn swap(spare: &Path, out: &Path, aside: &Path) -> io::Result<()> {
    if !out.exists() {
        return fs::rename(spare, out);
    }
    #[cfg(target_os = "linux")]
    if exchange(spare, out).is_ok() {
        return Ok(());
    }
    // No atomic exchange here: two renames, `out` absent for a moment between them, and put back
    // by the next build if it stops there.
    remove_if_exists(aside)?;
    fs::rename(out, aside)?;
    if let Err(e) = fs::rename(spare, out) {
        let _ = fs::rename(aside, out);
        return Err(e);
    }
    fs::rename(aside, spare)
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(io::Error::other);
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are valid NUL-terminated paths that outlive the call.
    let status =
        unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE) };
    if status == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

pub(super) fn remove_if_exists(path: &Path) -> io::Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_reads_back_as_saved_and_not_at_all_when_damaged() {
        let work = tempfile::tempdir().unwrap();
        let files = |paths: &[&str]| -> BTreeMap<String, Record> {
            paths
                .iter()
                .enumerate()
                .map(|(i, p)| (p.to_string(), (i as u64, 10 * i as u64, u64::MAX - i as u64)))
                .collect()
        };
        // Paths that share a prefix up to the middle of a character.
        let mut state = State {
            trees: vec![
                Tree { device: 1, inode: 2, files: files(&["a/index.html", "a/sé.html", "a/sè.html", "b.json"]) },
                Tree { device: 3, inode: 4, files: BTreeMap::new() },
            ],
        };
        // An older version's state is replaced.
        fs::write(work.path().join("state.json"), "{}").unwrap();
        state.save(work.path()).unwrap();
        assert!(!work.path().join("state.json").exists());
        state.save(work.path()).unwrap();
        let loaded = State::load(work.path());
        assert_eq!(loaded.trees.len(), 2);
        for (a, b) in loaded.trees.iter().zip(&state.trees) {
            assert_eq!((a.device, a.inode, &a.files), (b.device, b.inode, &b.files));
        }
        let bytes = fs::read(work.path().join("state.bin")).unwrap();
        for cut in [STATE_MAGIC.len() + 5, bytes.len() - 1] {
            assert!(State::decode(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        assert!(State::decode(&[bytes.as_slice(), b"x"].concat()).is_none());
    }
}
