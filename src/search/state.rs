//! What a regency's index was last made of: each document's hash, each term's postings, and how
//! many of the documents' words need each stemmer root. Kept beside the output folder, it lets a
//! build after an edit patch the terms of the few documents that changed, instead of going
//! through every document's words again: at 10,000 modules that pass was most of such a build.

use std::io::{self, Write};
use std::path::Path;

use crate::codec::{Reader, put_str, put_varint};

/// A regency's index as one build made it (see the module's doc).
#[derive(Debug, Default)]
pub struct IndexState {
    /// The hash of each document, in the index's order.
    pub docs: Vec<u64>,
    /// Each term's postings, packed as the index builds them, sorted by term.
    pub terms: Vec<(Box<str>, Packed)>,
    /// For each root the stemmer needs, how many (document, word) pairs need it; sorted by root.
    pub roots: Vec<(Box<str>, u32)>,
    /// The fingerprint of each group of terms (a shard before any split), by its key: a group
    /// none of whose terms an edit patched keeps it, rather than hashing its postings again.
    pub groups: Vec<(Box<str>, u64)>,
    /// The file the state was read from, which [`Packed::Read`] postings are in.
    pub read: Vec<u8>,
}

/// A term's packed postings: where they are in the file the state was read from (copied out
/// term by term, they were half the time reading it took), or made by this build.
#[derive(Debug, Clone)]
pub enum Packed {
    Read(std::ops::Range<usize>),
    Made(Vec<u8>),
}

impl IndexState {
    /// The bytes of a term's packed postings.
    pub fn postings<'s>(&'s self, packed: &'s Packed) -> &'s [u8] {
        packed.bytes(&self.read)
    }
}

impl Packed {
    /// The bytes, given what the state was read from.
    pub fn bytes<'s>(&'s self, read: &'s [u8]) -> &'s [u8] {
        match self {
            Packed::Read(range) => read.get(range.clone()).unwrap_or_default(),
            Packed::Made(bytes) => bytes,
        }
    }
}

/// Two states are equal when they index the same documents alike, wherever their postings are.
impl PartialEq for IndexState {
    fn eq(&self, other: &IndexState) -> bool {
        let terms = |s: &'_ IndexState| -> Vec<(Box<str>, Vec<u8>)> {
            s.terms.iter().map(|(term, packed)| (term.clone(), s.postings(packed).to_vec())).collect()
        };
        self.docs == other.docs && self.roots == other.roots && terms(self) == terms(other)
    }
}

/// The file's layout; another is not read.
const MAGIC: &[u8] = b"bimtek index state 2\n";

impl IndexState {
    /// The state stored at `path` by this program; `None` when there is none or it cannot be read
    /// (it is only ever a shortcut).
    pub fn load(path: &Path) -> Option<IndexState> {
        let read = std::fs::read(path).ok()?;
        let mut r = Reader::new(read.strip_prefix(MAGIC)?);
        if r.u64()? != crate::hash::program() {
            return None;
        }
        let docs = r.many(Reader::u64)?;
        let terms = r.many(|r| {
            let term = r.str()?.into();
            let size = r.varint()? as usize;
            // Where the postings are in the file: what is left to read says how far in it is.
            let end = read.len() - r.left() + size;
            r.take(size)?;
            Some((term, Packed::Read(end - size..end)))
        })?;
        let roots = r.many(|r| Some((r.str()?.into(), u32::try_from(r.varint()?).ok()?)))?;
        let groups = r.many(|r| Some((r.str()?.into(), r.u64()?)))?;
        let done = r.byte().is_none();
        done.then_some(IndexState { docs, terms, roots, groups, read })
    }

    /// Stores the state at `path`, written to a new file and renamed over the old one: a build
    /// stopped half-way leaves the old state whole, or none.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let partial = path.with_extension("partial");
        // Written as it is encoded: made whole first, most of the time went to growing the buffer.
        let mut file = io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&partial)?);
        let mut out = MAGIC.to_vec();
        out.extend(crate::hash::program().to_le_bytes());
        put_varint(&mut out, self.docs.len() as u64);
        for hash in &self.docs {
            out.extend(hash.to_le_bytes());
        }
        put_varint(&mut out, self.terms.len() as u64);
        for (term, packed) in &self.terms {
            let postings = self.postings(packed);
            put_str(&mut out, term);
            put_varint(&mut out, postings.len() as u64);
            file.write_all(&out)?;
            file.write_all(postings)?;
            out.clear();
        }
        put_varint(&mut out, self.roots.len() as u64);
        for (root, count) in &self.roots {
            put_str(&mut out, root);
            put_varint(&mut out, u64::from(*count));
        }
        put_varint(&mut out, self.groups.len() as u64);
        for (key, fingerprint) in &self.groups {
            put_str(&mut out, key);
            out.extend(fingerprint.to_le_bytes());
        }
        file.write_all(&out)?;
        file.into_inner().map_err(io::IntoInnerError::into_error)?;
        std::fs::rename(&partial, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_state_reads_back_and_a_damaged_one_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/alpha.bin");
        let state = IndexState {
            docs: vec![7, u64::MAX],
            terms: vec![("coblos".into(), Packed::Made(vec![0, 1, 1, 1])), ("suara".into(), Packed::Made(vec![1, 3]))],
            roots: vec![("coblos".into(), 2)],
            groups: vec![("co".into(), 9)],
            read: Vec::new(),
        };
        state.save(&path).unwrap();
        let loaded = IndexState::load(&path).unwrap();
        assert_eq!(loaded.groups, state.groups);
        assert_eq!(loaded, state);
        let bytes = std::fs::read(&path).unwrap();
        for cut in [MAGIC.len() + 3, bytes.len() - 1] {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            assert_eq!(IndexState::load(&path), None, "cut at {cut}");
        }
        std::fs::write(&path, [bytes.as_slice(), b"x"].concat()).unwrap();
        assert_eq!(IndexState::load(&path), None);
    }
}
