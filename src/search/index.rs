//! The search index of one regency, as static files the browser fetches only in part:
//! `cari/meta.json` (document count, lengths, filters, the stemmer's rules and the roots it needs),
//! `cari/indeks/<xx>.json` (postings of the terms starting with `xx`; a shard grown past
//! [`SHARD_SPLIT`] is split by three letters, `<xxy>.json`, keeping only terms shorter than that)
//! and `cari/dokumen/<n>.json` (places, titles and headings of 32 documents, for the results
//! shown; a result's text comes from its own page). Postings are flat `[doc gap, weighted
//! frequency, ...]` lists. Pure and deterministic.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;

use super::cache::{SearchCache, Vocabulary};
use super::state::{IndexState, Packed};
use super::stem::{RULES, Stemmer};
use crate::diagnostics::Diagnostic;
use crate::hash::FastMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Section,
    Event,
    Page,
}

/// Where a document is, relative to the regency's root: a module's section
/// (`modul/kode-etik/#netralitas`), or any other address. A section's is kept in parts and
/// joined only where it is written out: joined for each of 65,000 sections in every build, they
/// were most of the cost of making a regency's documents.
#[derive(Debug, Clone)]
pub enum Place<'a> {
    Section { module: &'a str, anchor: Option<&'a str> },
    Other(Cow<'a, str>),
}

impl Place<'_> {
    /// The parts that, joined, make the address.
    fn parts(&self) -> [&str; 5] {
        match self {
            Place::Section { module, anchor: Some(anchor) } => ["modul/", module, "/#", anchor, ""],
            Place::Section { module, anchor: None } => ["modul/", module, "/", "", ""],
            Place::Other(url) => [url, "", "", "", ""],
        }
    }

    /// Hashes the address as [`crate::hash::Hasher::field`] hashes it joined.
    pub fn hash_into(&self, hasher: &mut crate::hash::Hasher) {
        let parts = self.parts();
        hasher.write(&(parts.iter().map(|p| p.len()).sum::<usize>() as u64).to_le_bytes());
        for part in parts {
            hasher.write(part.as_bytes());
        }
    }
}

impl std::fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.parts().iter().try_for_each(|part| f.write_str(part))
    }
}

impl<'a> From<&'a str> for Place<'a> {
    fn from(url: &'a str) -> Place<'a> {
        Place::Other(Cow::Borrowed(url))
    }
}

impl From<String> for Place<'_> {
    fn from(url: String) -> Self {
        Place::Other(Cow::Owned(url))
    }
}

/// One searchable unit: a section of a module, an event, or a page such as the contacts. Texts
/// borrow from the model where they can: a national module's sections are documents of every
/// regency.
#[derive(Debug, Clone)]
pub struct Doc<'a> {
    pub kind: DocKind,
    pub url: Place<'a>,
    pub title: Cow<'a, str>,
    pub heading: Cow<'a, str>,
    text: Text<'a>,
    /// Stands for the title, heading and text: equal documents have equal hashes, whether their
    /// text is at hand or not.
    pub hash: u64,
    /// Stands for what a result shows of the document: its place, title and heading.
    pub shown: u64,
    pub filters: Filters<'a>,
}

/// Whom a document is for and its topic, with a hash that stands for both: the same for all the
/// sections of a module, so made once for them.
#[derive(Debug, Clone, Copy)]
pub struct Filters<'a> {
    pub roles: &'a [String],
    pub topic: Option<&'a str>,
    pub hash: u64,
}

impl<'a> Filters<'a> {
    pub fn new(roles: &'a [String], topic: Option<&'a str>) -> Filters<'a> {
        let mut hasher = crate::hash::Hasher::default();
        hasher.write(&roles.len().to_le_bytes());
        for role in roles {
            hasher.field(role.as_bytes());
        }
        hasher.field(topic.unwrap_or_default().as_bytes());
        Filters { roles, topic, hash: hasher.finish() }
    }
}

/// Hands the text of one of its parts (a module's section, by number), in pieces read as if
/// joined by spaces, to the function given: from where it is held, not copied out of it. One
/// is shared by all of a module's sections.
pub type Later<'a> =
    std::sync::Arc<dyn Fn(usize, &mut dyn FnMut(&[&str])) -> Result<(), Diagnostic> + Send + Sync + 'a>;

/// A document's text, or how to get it: a module's section whose body was not kept is parsed
/// again only when its text is needed.
#[derive(Clone)]
enum Text<'a> {
    Here(Cow<'a, str>),
    Later(Later<'a>, usize),
}

/// The hashes a document is known by ([`Doc::hash`], [`Doc::shown`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocHashes {
    pub words: u64,
    pub shown: u64,
}

impl std::fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Text::Here(text) => write!(f, "{text:?}"),
            Text::Later(..) => f.write_str("(later)"),
        }
    }
}

impl<'a> Doc<'a> {
    pub fn new(
        kind: DocKind,
        url: Place<'a>,
        title: Cow<'a, str>,
        heading: Cow<'a, str>,
        text: Cow<'a, str>,
        filters: Filters<'a>,
    ) -> Doc<'a> {
        let hashes = Doc::hashes(&url, &title, &heading, crate::hash::hash(text.as_bytes()));
        Doc { kind, url, title, heading, text: Text::Here(text), hash: hashes.words, shown: hashes.shown, filters }
    }

    /// A document whose text, part `part` of `text`, is fetched when needed; its `hashes` were
    /// made by [`Doc::hashes`] when its text was at hand.
    pub fn later(
        kind: DocKind,
        url: Place<'a>,
        title: Cow<'a, str>,
        heading: Cow<'a, str>,
        (text, part): (Later<'a>, usize),
        hashes: DocHashes,
        filters: Filters<'a>,
    ) -> Doc<'a> {
        Doc {
            kind,
            url,
            title,
            heading,
            text: Text::Later(text, part),
            hash: hashes.words,
            shown: hashes.shown,
            filters,
        }
    }

    /// The hashes of a document with these parts, `text_hash` the hash of its text. Each index
    /// file and `dokumen/` file stands for its documents by these; a module's sections have
    /// theirs made when the module is parsed, and kept with it in the build cache.
    pub fn hashes(url: &Place, title: &str, heading: &str, text_hash: u64) -> DocHashes {
        let (mut words, mut shown) = (crate::hash::Hasher::default(), crate::hash::Hasher::default());
        words.field(title.as_bytes());
        words.field(heading.as_bytes());
        words.write(&text_hash.to_le_bytes());
        url.hash_into(&mut shown);
        shown.field(title.as_bytes());
        shown.field(heading.as_bytes());
        DocHashes { words: words.finish(), shown: shown.finish() }
    }

    /// Hands the document's text to `f`, in pieces read as if joined by spaces.
    pub fn with_text<R>(&self, f: impl FnOnce(&[&str]) -> R) -> Result<R, Diagnostic> {
        match &self.text {
            Text::Here(text) => Ok(f(&[text])),
            Text::Later(get, part) => {
                let (mut f, mut result) = (Some(f), None);
                get(*part, &mut |pieces| {
                    if let Some(f) = f.take() {
                        result = Some(f(pieces));
                    }
                })?;
                // A `Later` that did not call back had no text to give.
                Ok(match (result, f) {
                    (Some(result), _) => result,
                    (None, Some(f)) => f(&[]),
                    (None, None) => unreachable!("`f` is taken only when `result` is set"),
                })
            }
        }
    }
}

/// Documents per `dokumen/` file. The 20 results shown fall in up to 20 files, so smaller files
/// mean fewer bytes fetched for rows never shown; but every file is one more request when a phone
/// takes the offline copy. Without texts a row is some 130 bytes: 32 make a 4 KB file.
pub const CHUNK: usize = 32;
/// Bytes of JSON above which a two-letter shard is split into three-letter ones.
pub const SHARD_SPLIT: usize = 12 * 1024;
const TITLE_WEIGHT: u32 = 3;
const HEADING_WEIGHT: u32 = 2;

/// The words of a text: runs of ASCII letters and digits (a hyphen inside a word is kept, for
/// "kata-kata"), as slices of it; lowercase the text first for lowercase words.
pub fn tokens(text: &str) -> impl Iterator<Item = &str> + '_ {
    // By bytes: every byte of a multi-byte character ends a word, as the character itself would,
    // so words start and end on ASCII bytes and slicing there is always on a character boundary.
    // Each byte's class comes from a table: this loop runs over every byte of every section.
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() {
            while at < bytes.len() && BYTE_CLASS[usize::from(bytes[at])] != WORD {
                at += 1;
            }
            let start = at;
            while at < bytes.len() && BYTE_CLASS[usize::from(bytes[at])] != SPACE {
                at += 1;
            }
            // A word may end in hyphens ("kata-"), which are not part of it.
            let word = text[start..at].trim_end_matches('-');
            if !word.is_empty() {
                return Some(word);
            }
        }
        None
    })
}

/// What a byte is to [`tokens`]: part of a word, a hyphen (inside a word), or anything else.
const SPACE: u8 = 0;
const WORD: u8 = 1;
const HYPHEN: u8 = 2;
static BYTE_CLASS: [u8; 256] = {
    let mut classes = [SPACE; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        classes[byte] = if b.is_ascii_alphanumeric() {
            WORD
        } else if b == b'-' {
            HYPHEN
        } else {
            SPACE
        };
        byte += 1;
    }
    classes
};

/// The two-letter shard a term starts in.
pub fn shard_key(term: &str) -> String {
    term.chars().take(2).collect()
}

/// A shard's terms with their packed postings, in the order of the terms.
type Postings<'a> = Vec<(&'a str, &'a [u8])>;

/// A term's postings as they are written out, (document gap, weighted frequency) pairs, packed as
/// varints while the index is built: as plain numbers they were the largest thing in memory at
/// 50,000 modules. The last pair stays open while its document is still being read.
#[derive(Default)]
struct PostingList {
    bytes: Vec<u8>,
    last: u32,
    open: Option<(u32, u32)>,
}

impl PostingList {
    fn add(&mut self, doc: u32, tf: u32) {
        match &mut self.open {
            Some((_, count)) if self.last == doc => *count += tf,
            _ => {
                self.close();
                self.open = Some((doc - self.last, tf));
                self.last = doc;
            }
        }
    }

    fn close(&mut self) {
        if let Some((gap, tf)) = self.open.take() {
            crate::codec::put_varint(&mut self.bytes, u64::from(gap));
            crate::codec::put_varint(&mut self.bytes, u64::from(tf));
        }
    }
}

/// Packed postings as a JSON array, as serde_json writes a `Vec<u32>`.
fn postings_json(packed: &[u8], out: &mut Vec<u8>) {
    out.push(b'[');
    let mut reader = crate::codec::Reader::new(packed);
    let mut first = true;
    while let Some(n) = reader.varint() {
        if !first {
            out.push(b',');
        }
        first = false;
        // Nearly every number is a small gap or count: those take no division.
        match n {
            0..10 => out.push(b'0' + n as u8),
            10..100 => out.extend([b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]),
            _ => {
                let mut digits = [0u8; 20];
                let mut at = digits.len();
                let mut n = n;
                while n > 0 {
                    at -= 1;
                    digits[at] = b'0' + (n % 10) as u8;
                    n /= 10;
                }
                out.extend(&digits[at..]);
            }
        }
    }
    out.push(b']');
}

/// The (document, weighted frequency) pairs of packed postings.
fn unpack(packed: &[u8]) -> Vec<(u32, u32)> {
    let mut reader = crate::codec::Reader::new(packed);
    let mut pairs = Vec::with_capacity(packed.len() / 2);
    let mut doc = 0u32;
    while let (Some(gap), Some(tf)) = (reader.varint(), reader.varint()) {
        doc += gap as u32;
        pairs.push((doc, tf as u32));
    }
    pairs
}

/// Two lists of (document, weighted frequency) pairs in document order, as one.
fn merge_by_doc(a: Vec<(u32, u32)>, b: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    let mut merged = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x.0 <= y.0 => a.next(),
            (Some(_), Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, _) => b.next(),
        };
        match next {
            Some(pair) => merged.push(pair),
            None => return merged,
        }
    }
}

/// Packs (document, weighted frequency) pairs in document order, as [`PostingList`] does.
fn pack(pairs: &[(u32, u32)]) -> Vec<u8> {
    let mut list = PostingList::default();
    for &(doc, tf) in pairs {
        list.add(doc, tf);
    }
    list.close();
    list.bytes
}

/// A shard's JSON: `{"term":[gap,tf,...],...}`, as serde_json writes the map.
fn shard_json(terms: &Postings) -> Vec<u8> {
    let mut out = vec![b'{'];
    for (i, (term, packed)) in terms.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Terms are plain words, but they go through the JSON writer all the same.
        let _ = serde_json::to_writer(&mut out, term);
        out.push(b':');
        postings_json(packed, &mut out);
    }
    out.push(b'}');
    out
}

/// An index file: where it goes under `cari/`, the fingerprint of what it was made from, and its
/// bytes; `None` when [`Kept`] said the previous build has it.
pub type IndexFile = (String, u64, Option<Vec<u8>>);

/// The keys of the shard files (`pa`, `pak`, ...) the previous build made for a two-letter group
/// from postings with this fingerprint, if it did: those are not serialised again.
pub type Kept<'k> = &'k (dyn Fn(&str, u64) -> Option<Vec<String>> + Sync);

/// Each shard's JSON, handed to `emit` as it is made; a shard grown past [`SHARD_SPLIT`] is split
/// by its terms' third letter. Groups whose postings the previous build had already are named, not
/// made. Returns the shards' keys, sorted.
fn serialize_shards(shards: Vec<Group>, kept: Kept, emit: Emit) -> Vec<String> {
    let mut keys: Vec<String> = shards
        .into_par_iter()
        .flat_map_iter(|(key, terms, fingerprint)| {
            if let Some(names) = kept(&key, fingerprint) {
                for name in &names {
                    emit((format!("indeks/{name}.json"), fingerprint, None));
                }
                return names;
            }
            let whole = shard_json(&terms);
            if whole.len() <= SHARD_SPLIT {
                emit((format!("indeks/{key}.json"), fingerprint, Some(whole)));
                return vec![key];
            }
            let mut parts: BTreeMap<String, Postings> = BTreeMap::new();
            for (term, packed) in terms {
                let key = if term.chars().count() >= 3 { term.chars().take(3).collect() } else { key.clone() };
                parts.entry(key).or_default().push((term, packed));
            }
            parts
                .into_iter()
                .map(|(key, terms)| {
                    emit((format!("indeks/{key}.json"), fingerprint, Some(shard_json(&terms))));
                    key
                })
                .collect()
        })
        .collect();
    keys.sort_unstable();
    keys
}

/// A group of terms, one shard before any split: its key, its terms' postings, and the
/// fingerprint of what it is made from ([`group_fingerprint`]).
type Group<'a> = (String, Postings<'a>, u64);

/// What a group's shard files are made from: its key, its terms and their postings, and this
/// program.
fn group_fingerprint(key: &str, terms: &Postings) -> u64 {
    let mut hasher = crate::hash::Hasher::default();
    hasher.write(&crate::hash::program().to_le_bytes());
    hasher.field(key.as_bytes());
    for (term, packed) in terms {
        hasher.field(term.as_bytes());
        hasher.field(packed);
    }
    hasher.finish()
}

/// Takes each index file as it is made, so they need not all be held at once.
pub type Emit<'e> = &'e (dyn Fn(IndexFile) + Sync);

#[derive(Serialize)]
struct Meta<'a> {
    version: u32,
    docs: usize,
    avgdl: f64,
    chunk: usize,
    /// Length in words of each document.
    lens: Vec<u32>,
    /// Documents `events[0]..events[1]` are schedule events, ranked below module sections.
    events: [usize; 2],
    /// Role bitmask (bit i = `roles[i]`) and topic index (-1 for none) of each document.
    role_bits: Vec<u32>,
    topic: Vec<i32>,
    roles: Vec<&'a str>,
    topics: Vec<&'a str>,
    shards: Vec<String>,
    rules: &'static str,
    roots: Vec<&'a str>,
}

/// A document's words (lowercased, not yet stemmed) with their weighted counts, and its length in
/// words: all indexing needs of it. Documents repeat across regencies (every national module's
/// sections), so words are counted once per distinct document. A word `known` gives a number
/// for is counted by that number, once for each time it occurs; the others are counted once each,
/// in the order they first occur.
pub struct Counted<Word> {
    pub known: Vec<(u32, u32)>,
    pub unknown: Vec<(Word, u32)>,
    pub len: u32,
}

/// Lowercases `title`, `heading` and the pieces of `text` into `lower`, then counts its words
/// (see [`Counted`]).
pub fn count_words<'t>(
    lower: &'t mut String,
    title: &str,
    heading: &str,
    text: &[&str],
    known: impl Fn(&str) -> Option<u32>,
) -> Counted<&'t str> {
    // Lowercased into one string, so words are slices of it; a space after each field or piece
    // ends its last word.
    let text_len: usize = text.iter().map(|t| t.len() + 1).sum();
    lower.clear();
    lower.reserve(title.len() + heading.len() + text_len + 2);
    let mut fields = Vec::with_capacity(2 + text.len());
    for (field, weight) in
        [(title, TITLE_WEIGHT), (heading, HEADING_WEIGHT)].into_iter().chain(text.iter().map(|t| (*t, 1)))
    {
        let start = lower.len();
        lower.push_str(field);
        fields.push((start, lower.len(), weight));
        lower.push(' ');
    }
    lower.make_ascii_lowercase();
    let lower: &'t str = lower;
    let mut counted = Counted { known: Vec::with_capacity(text_len / 6), unknown: Vec::new(), len: 0 };
    let mut unknown_at: FastMap<&str, usize> = FastMap::default();
    for &(start, end, weight) in &fields {
        for word in tokens(&lower[start..end]) {
            counted.len += 1;
            match known(word) {
                Some(number) => counted.known.push((number, weight)),
                None => {
                    let at = *unknown_at.entry(word).or_insert_with(|| {
                        counted.unknown.push((word, 0));
                        counted.unknown.len() - 1
                    });
                    counted.unknown[at].1 += weight;
                }
            }
        }
    }
    counted
}

/// The index files, as (path under `cari/`, bytes).
pub fn build(
    docs: &[Doc],
    stemmer: &Stemmer,
    roles: &[&str],
    topics: &[&str],
) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let mut cache = SearchCache::default();
    let vocabulary = cache.vocabulary(&docs.iter().collect::<Vec<_>>(), || stemmer)?;
    let index = std::sync::Mutex::new(Vec::new());
    let emit = |(path, _, bytes): IndexFile| {
        if let (Some(bytes), Ok(mut index)) = (bytes, index.lock()) {
            index.push((path, bytes));
        }
    };
    let bags: Vec<usize> = (0..docs.len()).collect();
    assemble(docs, &bags, &vocabulary, roles, topics, None, &|_| {}, &|_, _| None, &emit);
    let mut files = index.into_inner().unwrap_or_default();
    files.sort();
    files.extend(document_chunks(docs).map(|(path, _, chunk)| (path, chunk_json(chunk))).collect::<Vec<_>>());
    Ok(files)
}

/// [`build`]'s `meta.json` and `indeks/` files from a vocabulary made beforehand (the documents'
/// files come from [`document_chunks`]); `bags[i]` is the number of the bag of `docs[i]`.
/// Each file goes to `emit` as it is made; `meta.json`, last, has fingerprint 0: it is made from
/// everything, and the caller knows best what that is. With the `last` state of this index, and
/// only a few documents changed since, their terms are patched rather than every document's
/// words gone through. The state of the index made goes to `keep_state`, for the next build,
/// while the files are made.
#[allow(clippy::too_many_arguments, reason = "the index's inputs, each needed")]
pub fn assemble(
    docs: &[Doc],
    bags: &[usize],
    vocabulary: &Vocabulary,
    roles: &[&str],
    topics: &[&str],
    last: Option<IndexState>,
    keep_state: &(dyn Fn(&IndexState) + Sync),
    kept: Kept,
    emit: Emit,
) {
    let hashes: Vec<u64> = docs.iter().map(|d| d.hash).collect();
    let (mut state, dirty) = match last.and_then(|last| patch(last, &hashes, bags, vocabulary)) {
        Some((state, dirty)) => (state, Some(dirty)),
        None => (gather(hashes, bags, vocabulary), None),
    };
    let mut shards: BTreeMap<String, Postings> = BTreeMap::new();
    for (term, packed) in &state.terms {
        shards.entry(shard_key(term)).or_default().push((term, packed.bytes(&state.read)));
    }
    // A group no patched term is in keeps its fingerprint: hashing every group's postings again
    // was most of the index's work after an edit, once the postings themselves were patched.
    let known: FastMap<&str, u64> = state.groups.iter().map(|(key, fp)| (&**key, *fp)).collect();
    let shards: Vec<Group> = shards
        .into_par_iter()
        .map(|(key, terms)| {
            let clean = dirty.as_ref().is_some_and(|dirty| !dirty.contains(&key));
            let fingerprint = known.get(key.as_str()).copied().filter(|_| clean);
            let fingerprint = fingerprint.unwrap_or_else(|| group_fingerprint(&key, &terms));
            (key, terms, fingerprint)
        })
        .collect();
    drop(known);
    state.groups = shards.iter().map(|(key, _, fingerprint)| (key.as_str().into(), *fingerprint)).collect();
    let (shards, ()) = rayon::join(|| serialize_shards(shards, kept, emit), || keep_state(&state));
    let lens: Vec<u32> = bags.iter().map(|&bag| vocabulary.bags[bag].len).collect();
    let first_event = docs.iter().position(|d| d.kind == DocKind::Event).unwrap_or(docs.len());
    let after_events = docs.iter().rposition(|d| d.kind == DocKind::Event).map_or(first_event, |i| i + 1);
    let avgdl = if docs.is_empty() { 0.0 } else { f64::from(lens.iter().sum::<u32>()) / docs.len() as f64 };
    // The same for all of a module's sections: worked out once for each set of filters, not
    // matched name by name for each of 65,000 documents.
    let mut by_filters: FastMap<u64, (u32, i32)> = FastMap::default();
    let (role_bits, topic): (Vec<u32>, Vec<i32>) = docs
        .iter()
        .map(|d| {
            *by_filters.entry(d.filters.hash).or_insert_with(|| {
                let of_doc = d.filters.roles;
                let bits =
                    roles.iter().enumerate().filter(|(_, r)| of_doc.iter().any(|x| x == *r)).map(|(i, _)| 1 << i);
                let topic = d.filters.topic.and_then(|t| topics.iter().position(|x| *x == t));
                (bits.sum(), topic.map_or(-1, |i| i as i32))
            })
        })
        .unzip();
    let meta = Meta {
        version: 1,
        docs: docs.len(),
        avgdl: (avgdl * 100.0).round() / 100.0,
        chunk: CHUNK,
        events: [first_event, after_events],
        lens,
        role_bits,
        topic,
        roles: roles.to_vec(),
        topics: topics.to_vec(),
        shards,
        rules: RULES,
        roots: state.roots.iter().map(|(root, _)| &**root).collect(),
    };
    emit(("meta.json".to_owned(), 0, Some(json(&meta))));
}

/// The index's terms and roots from every document's words, in one pass over their bags.
fn gather(hashes: Vec<u64>, bags: &[usize], vocabulary: &Vocabulary) -> IndexState {
    const NONE: u32 = u32::MAX;
    // The term of each word met here, through its stem (one lookup per posting, not three), and
    // how many documents hold the word (for the roots it needs).
    let mut word_terms = vec![(NONE, 0u32); vocabulary.words()];
    let mut term_of_stem = vec![NONE; vocabulary.stems()];
    // Per term: its stem number and its postings, gaps already taken: building the final form
    // directly keeps one list, not two.
    let mut terms: Vec<(u32, PostingList)> = Vec::new();
    for (id, &bag) in bags.iter().enumerate() {
        let id = id as u32;
        for (word, tf) in vocabulary.bags[bag].words() {
            let (term, docs) = &mut word_terms[word as usize];
            if *term == NONE {
                let stem = vocabulary.stem_of(word) as usize;
                if term_of_stem[stem] == NONE {
                    term_of_stem[stem] = terms.len() as u32;
                    terms.push((stem as u32, PostingList::default()));
                }
                *term = term_of_stem[stem];
            }
            *docs += 1;
            terms[*term as usize].1.add(id, tf);
        }
    }
    drop(term_of_stem);
    let mut roots: FastMap<&str, u32> = FastMap::default();
    for (word, _) in word_terms.iter().enumerate().filter(|(_, (_, docs))| *docs > 0) {
        for root in vocabulary.roots_of(word as u32) {
            *roots.entry(root).or_default() += word_terms[word].1;
        }
    }
    terms.sort_unstable_by(|a, b| vocabulary.stem(a.0).cmp(vocabulary.stem(b.0)));
    let terms = terms
        .into_iter()
        .map(|(stem, mut list)| {
            list.close();
            (vocabulary.stem(stem).into(), Packed::Made(list.bytes))
        })
        .collect();
    let mut roots: Vec<(Box<str>, u32)> = roots.into_iter().map(|(root, n)| (root.into(), n)).collect();
    roots.sort_unstable();
    IndexState { docs: hashes, terms, roots, groups: Vec::new(), read: Vec::new() }
}

/// The documents whose postings of a term changed, and their new (document, weighted frequency)
/// postings, all in document order.
type Changes = (Vec<u32>, Vec<(u32, u32)>);

/// `last` brought up to date for documents `hashes` by patching the terms of the ones that
/// changed, with the keys of the groups whose terms were patched: `None` when that is not the shorter way, or not possible (documents were added or
/// taken away, which renumbers the rest; or a changed one's old words are no longer known).
fn patch(
    last: IndexState,
    hashes: &[u64],
    bags: &[usize],
    vocabulary: &Vocabulary,
) -> Option<(IndexState, BTreeSet<String>)> {
    if last.docs.len() != hashes.len() {
        return None;
    }
    let changed: Vec<u32> = (0..hashes.len()).filter(|&i| last.docs[i] != hashes[i]).map(|i| i as u32).collect();
    if changed.len() > hashes.len() / 16 + 1 {
        return None;
    }
    let IndexState { docs: last_docs, terms, roots, groups, read } = last;
    let mut roots: BTreeMap<Box<str>, u32> = roots.into_iter().collect();
    let mut terms: BTreeMap<Box<str>, Packed> = terms.into_iter().collect();
    // Per stem, the changed documents whose weighted frequency of it changed, and the new
    // postings among them. An edit changes the counts of a few stems of a document, and only
    // those terms' postings change: each term's list holds documents by their gaps.
    let mut fresh: BTreeMap<u32, Changes> = BTreeMap::new();
    for &doc in &changed {
        let mut counts: BTreeMap<u32, (u32, u32)> = BTreeMap::new();
        for (word, tf) in vocabulary.bag_of(last_docs[doc as usize])?.words() {
            counts.entry(vocabulary.stem_of(word)).or_default().0 += tf;
            for root in vocabulary.roots_of(word) {
                let count = roots.get_mut(root)?;
                *count = count.checked_sub(1)?;
            }
        }
        for (word, tf) in vocabulary.bags[bags[doc as usize]].words() {
            counts.entry(vocabulary.stem_of(word)).or_default().1 += tf;
            for root in vocabulary.roots_of(word) {
                *roots.entry(root.into()).or_default() += 1;
            }
        }
        for (stem, (_, new)) in counts.into_iter().filter(|(_, (old, new))| old != new) {
            let (gone, added) = fresh.entry(stem).or_default();
            gone.push(doc);
            if new > 0 {
                added.push((doc, new));
            }
        }
    }
    let unpacked = |packed: &Packed| unpack(packed.bytes(&read));
    // The groups of the terms patched: only their fingerprints change.
    let mut dirty = BTreeSet::new();
    for (stem, (gone, added)) in fresh {
        let term = vocabulary.stem(stem);
        dirty.insert(shard_key(term));
        let mut kept = terms.get(term).map(unpacked).unwrap_or_default();
        kept.retain(|(doc, _)| gone.binary_search(doc).is_err());
        // Both in document order: merged, not sorted (a sort here was a third of the patching).
        let pairs = merge_by_doc(kept, added);
        match pairs.is_empty() {
            true => terms.remove(term),
            false => terms.insert(term.into(), Packed::Made(pack(&pairs))),
        };
    }
    roots.retain(|_, count| *count > 0);
    let (terms, roots) = (terms.into_iter().collect(), roots.into_iter().collect());
    Some((IndexState { docs: hashes.to_vec(), terms, roots, groups, read }, dirty))
}

/// The `dokumen/<n>.json` files to be: each one's path under `cari/`, its fingerprint, and the
/// [`CHUNK`] documents it holds, so a caller that has the file already need not make it again
/// ([`chunk_json`] makes it).
pub fn document_chunks<'d, 'a: 'd>(
    docs: &'d [Doc<'a>],
) -> impl IndexedParallelIterator<Item = (String, u64, &'d [Doc<'a>])> + 'd {
    docs.par_chunks(CHUNK).enumerate().map(|(n, chunk)| (chunk_path(n), chunk_fingerprint(chunk), chunk))
}

/// The path under `cari/` of the `n`-th `dokumen/` file.
fn chunk_path(n: usize) -> String {
    format!("dokumen/{n}.json")
}

/// What a `dokumen/` file is made from: its documents' places, titles and headings, and this
/// program. Not their texts: an edit inside a section leaves its file as it was.
fn chunk_fingerprint(chunk: &[Doc]) -> u64 {
    let mut hasher = crate::hash::Hasher::default();
    hasher.write(&crate::hash::program().to_le_bytes());
    for d in chunk {
        hasher.write(&d.shown.to_le_bytes());
    }
    hasher.finish()
}

/// A `dokumen/` file: the [`CHUNK`] documents' places, titles and headings. Their texts are not
/// here: the results page takes a result's text from the result's own page, which a phone's
/// offline copy holds already, so the texts are neither written nor stored twice.
pub fn chunk_json(chunk: &[Doc]) -> Vec<u8> {
    let rows: Vec<(String, &str, &str)> = chunk.iter().map(|d| (d.url.to_string(), &*d.title, &*d.heading)).collect();
    json(&rows)
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising plain maps, vectors and strings cannot fail.
    serde_json::to_vec(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    static KPPS: std::sync::LazyLock<[String; 1]> = std::sync::LazyLock::new(|| ["kpps".to_owned()]);

    fn doc<'a>(url: &'a str, title: &'a str, text: &'a str) -> Doc<'a> {
        Doc::new(DocKind::Section, url.into(), title.into(), "".into(), text.into(), Filters::new(&*KPPS, None))
    }

    #[test]
    fn words_are_counted_by_number_when_known_and_once_each_in_order_when_not() {
        let mut lower = String::new();
        let known = |w: &str| ["suara", "tps"].iter().position(|k| *k == w).map(|n| n as u32);
        // The text in two pieces: a piece's last word does not run into the next piece's first.
        let c = count_words(&mut lower, "Suara", "TPS", &["Surat suara, kotak", "SURAT dan kotak-kotak."], known);
        assert_eq!(c.known, vec![(0, TITLE_WEIGHT), (1, HEADING_WEIGHT), (0, 1)]);
        assert_eq!(c.unknown, vec![("surat", 2), ("kotak", 1), ("dan", 1), ("kotak-kotak", 1)]);
        assert_eq!(c.len, 8);
    }

    #[test]
    fn affixed_forms_share_a_term_and_titles_weigh_more() {
        let stemmer = Stemmer::new();
        let docs = [
            doc("a/", "Pemungutan suara", "Pemilih mencoblos surat suara."),
            doc("b/", "Logistik", "Surat suara dicoblos di bilik."),
        ];
        let files: BTreeMap<String, Vec<u8>> = build(&docs, &stemmer, &["kpps"], &[]).unwrap().into_iter().collect();
        let co: serde_json::Value = serde_json::from_slice(&files["indeks/co.json"]).unwrap();
        // Flat (doc gap, weighted frequency) pairs.
        assert_eq!(co["coblos"], serde_json::json!([0, 1, 1, 1]));
        let pu: serde_json::Value = serde_json::from_slice(&files["indeks/pu.json"]).unwrap();
        assert_eq!(pu["pungut"], serde_json::json!([0, 3]));
        let meta: serde_json::Value = serde_json::from_slice(&files["meta.json"]).unwrap();
        assert_eq!(meta["docs"], 2);
        assert_eq!(meta["role_bits"], serde_json::json!([1, 1]));
        let roots: Vec<&str> = meta["roots"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
        assert!(roots.contains(&"coblos") && roots.contains(&"pungut") && roots.contains(&"pilih"));
        assert!(files.contains_key("dokumen/0.json"));
    }

    #[test]
    fn a_patched_index_is_the_index_made_anew() {
        let stemmer = Stemmer::new();
        let old = [
            doc("a/", "Pemungutan", "Pemilih mencoblos surat suara di bilik."),
            doc("b/", "Logistik", "Kotak suara disegel petugas."),
            doc("c/", "Etika", "Penyelenggara bersikap netral."),
        ];
        let mut new = old.clone();
        // Words gone (and with them the roots only they needed), kept as they were, counted
        // anew ("suara" twice), and new.
        new[1] = doc("b/", "Logistik", "Kotak suara dibuka lalu surat suara dihitung.");
        let hashes = |docs: &[Doc]| docs.iter().map(|d| d.hash).collect::<Vec<_>>();
        let mut cache = SearchCache::default();
        let before =
            gather(hashes(&old), &[0, 1, 2], &cache.vocabulary(&old.iter().collect::<Vec<_>>(), || &stemmer).unwrap());
        let vocabulary = cache.vocabulary(&new.iter().collect::<Vec<_>>(), || &stemmer).unwrap();
        let anew = gather(hashes(&new), &[0, 1, 2], &vocabulary);
        assert_ne!(before, anew);
        let (patched, dirty) = patch(before, &hashes(&new), &[0, 1, 2], &vocabulary).expect("one document changed");
        // Only the groups of terms whose counts changed: "kotak" and the title's "logistik" kept
        // theirs, "suara" did not.
        assert!(dirty.contains("su") && !dirty.contains("ko") && !dirty.contains("lo"), "{dirty:?}");
        assert_eq!(patched, anew);
        // Documents added or taken away renumber the rest: made anew, not patched.
        assert_eq!(patch(anew, &hashes(&new[..2]), &[0, 1], &vocabulary), None);
    }

    #[test]
    fn the_same_documents_give_the_same_bytes() {
        let stemmer = Stemmer::new();
        let docs = [doc("a/", "Kode etik", "Netralitas penyelenggara."), doc("b/", "DPT", "Daftar pemilih tetap.")];
        assert_eq!(build(&docs, &stemmer, &["kpps"], &[]).unwrap(), build(&docs, &stemmer, &["kpps"], &[]).unwrap());
    }

    #[test]
    fn a_large_shard_is_split_by_three_letters_and_short_terms_stay() {
        let stemmer = Stemmer::new();
        // Many distinct terms starting with "pa" overflow the two-letter shard.
        let text: String = (0..3000).map(|i| format!("pa{}x{i} ", ["k", "n", "s"][i % 3])).collect();
        let docs = [doc("a/", "Pa", &text)];
        let files: BTreeMap<String, Vec<u8>> = build(&docs, &stemmer, &["kpps"], &[]).unwrap().into_iter().collect();
        let meta: serde_json::Value = serde_json::from_slice(&files["meta.json"]).unwrap();
        let shards: Vec<&str> = meta["shards"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
        assert_eq!(shards, ["pa", "pak", "pan", "pas"]);
        let short: serde_json::Value = serde_json::from_slice(&files["indeks/pa.json"]).unwrap();
        assert_eq!(short.as_object().unwrap().keys().collect::<Vec<_>>(), ["pa"]);
        assert!(files.values().all(|f| f.len() < 3 * SHARD_SPLIT));
    }
}
