//! What indexing learns and can keep between builds: each distinct document's words with their
//! counts (its bag), and each word's stem and the dictionary roots that stemming it looked up.
//! Tokenising and stemming were most of the search index's cost; with this kept beside the output
//! folder, a build after an edit tokenises only the documents that changed.
//!
//! Bags are held packed (word numbers as sorted, delta-coded varints), in memory as on disk: at
//! 50,000 modules they are the largest part of the index.

use crate::hash::{FastMap, word_hash};
use std::io;
use std::path::Path;

use rayon::prelude::*;

use super::index::{Counted, Doc, count_words};
use super::stem::Stemmer;
use crate::codec::{Reader, put_str, put_varint};
use crate::diagnostics::Diagnostic;

/// A document's words as word numbers with weighted counts, packed, and its length in words.
#[derive(Debug, Clone, Copy)]
pub struct Bag<'c> {
    bytes: &'c [u8],
    /// How many words the cache numbers. Bags read from the file are not checked when loaded
    /// (decoding every one took most of a build after an edit's loading): a number at or past
    /// this, which only a damaged file holds, ends the bag instead.
    numbered: u32,
    pub len: u32,
}

impl<'c> Bag<'c> {
    /// The (word number, weighted count) pairs.
    pub fn words(self) -> impl Iterator<Item = (u32, u32)> + 'c {
        let mut reader = Reader::new(self.bytes);
        let mut word = 0u32;
        std::iter::from_fn(move || {
            if reader.bytes.is_empty() {
                return None;
            }
            word = word.checked_add(reader.varint()? as u32)?;
            let count = reader.varint()? as u32;
            (word < self.numbered).then_some((word, count))
        })
    }
}

/// Packs (word number, count) pairs as sorted, delta-coded varints; a word given more than once
/// is counted once, with the sum of its counts.
fn pack(words: Vec<(u32, u32)>) -> Box<[u8]> {
    // Sorted as one number each, word above count: twice as fast as sorting the pairs, and
    // this sort was a tenth of a build's indexing.
    let mut keys: Vec<u64> = words.into_iter().map(|(word, count)| u64::from(word) << 32 | u64::from(count)).collect();
    keys.sort_unstable();
    let mut bytes = Vec::with_capacity(keys.len() * 2);
    let mut last = 0;
    let mut keys = keys.into_iter().map(|key| ((key >> 32) as u32, key as u32)).peekable();
    while let Some((word, mut count)) = keys.next() {
        while let Some((_, more)) = keys.next_if(|&(next, _)| next == word) {
            count += more;
        }
        put_varint(&mut bytes, u64::from(word - last));
        put_varint(&mut bytes, u64::from(count));
        last = word;
    }
    bytes.into()
}

/// A bag as the cache holds it: where its packed words are, and its length in words.
#[derive(Debug, Clone)]
struct HeldBag {
    packed: Packed,
    len: u32,
}

#[derive(Debug, Clone)]
enum Packed {
    /// A range of the file the cache was loaded from, which is kept whole: one buffer, not a copy
    /// for each of tens of thousands of bags.
    Loaded(std::ops::Range<usize>),
    /// Made by this build.
    Made(Box<[u8]>),
}

#[derive(Debug, Clone)]
struct Word {
    text: Box<str>,
    stem: u32,
    roots: Vec<Box<str>>,
}

/// Bags by document hash, and the words they number.
#[derive(Default)]
pub struct SearchCache {
    words: Vec<Word>,
    /// The number of each word, hashed by its text (see [`SearchCache::number_of`]).
    numbers: hashbrown::HashTable<u32>,
    stems: Vec<Box<str>>,
    stem_numbers: FastMap<Box<str>, u32>,
    bags: FastMap<u64, HeldBag>,
    /// The file the cache was loaded from, which `Packed::Loaded` bags are ranges of.
    file: Vec<u8>,
    /// Documents of this build: what is stored for the next one.
    /// Pushed as they come, sorted and deduplicated only by a save: kept as a set, its 65,000
    /// inserts were a tenth of the index's work after an edit.
    used: Vec<u64>,
    /// Whether this build tokenised anything: if not, the stored cache is still right.
    changed: bool,
    stored: Stored,
}

/// What the file at the cache's path holds, so a save appends only what it lacks.
#[derive(Default)]
struct Stored {
    /// Stems and words numbered below these are in the file, with the same numbers.
    stems: usize,
    words: usize,
    bags: crate::hash::FastSet<u64>,
    /// A record could not be read, or the file was written renumbered: it is written anew.
    torn: bool,
}

/// The words, stems and bags of a set of documents, numbered: assembling an index from it is array
/// lookups, not hashing.
pub struct Vocabulary<'c> {
    cache: &'c SearchCache,
    /// The bag of each distinct document, in the order they were given.
    pub bags: Vec<Bag<'c>>,
}

impl Vocabulary<'_> {
    pub fn words(&self) -> usize {
        self.cache.words.len()
    }

    pub fn stems(&self) -> usize {
        self.cache.stems.len()
    }

    pub fn stem_of(&self, word: u32) -> u32 {
        self.cache.words[word as usize].stem
    }

    pub fn stem(&self, stem: u32) -> &str {
        &self.cache.stems[stem as usize]
    }

    /// The bag of the document with this hash, if the cache has it: this build's or an earlier one's.
    pub fn bag_of(&self, hash: u64) -> Option<Bag<'_>> {
        self.cache.bags.get(&hash).map(|held| self.cache.bag(held))
    }

    pub fn roots_of(&self, word: u32) -> impl Iterator<Item = &str> {
        self.cache.words[word as usize].roots.iter().map(|r| &**r)
    }
}

/// The file's layout; another is not read.
const MAGIC: &[u8] = b"bimtek search cache 2\n";

impl SearchCache {
    /// The number of this word, if it has one. Looked up for every word of every section, so by a
    /// table of numbers hashed by [`word_hash`]: the hash map of texts spent most of tokenising
    /// on hashing and comparing.
    fn number_of(&self, word: &str) -> Option<u32> {
        let words = &self.words;
        self.numbers.find(word_hash(word.as_bytes()), |&n| *words[n as usize].text == *word).copied()
    }

    /// Numbers a word not numbered yet, its stem to be found by [`SearchCache::vocabulary`].
    fn add_word(&mut self, word: Word) -> u32 {
        let n = self.words.len() as u32;
        let words = &self.words;
        self.numbers
            .insert_unique(word_hash(word.text.as_bytes()), n, |&m| word_hash(words[m as usize].text.as_bytes()));
        self.words.push(word);
        n
    }

    fn bag<'c>(&'c self, held: &'c HeldBag) -> Bag<'c> {
        let bytes = match &held.packed {
            // A range beyond the file, which only a damaged one could give, is an empty bag.
            Packed::Loaded(range) => self.file.get(range.clone()).unwrap_or_default(),
            Packed::Made(bytes) => bytes,
        };
        Bag { bytes, numbered: self.words.len() as u32, len: held.len }
    }

    /// Whether the document with this hash has its bag here already.
    pub fn has_bag(&self, hash: u64) -> bool {
        self.bags.contains_key(&hash)
    }

    /// Makes and keeps the bags of these documents, their words numbered (new ones are stemmed by
    /// [`SearchCache::vocabulary`]). Texts are fetched and tokenised, and each word looked up, in
    /// parallel; only the words met for the first time are numbered one after another, in the
    /// order of the documents and of their first occurrences, so the numbers do not depend on
    /// the threads.
    pub fn add_docs(&mut self, docs: &[&Doc]) -> Result<(), Diagnostic> {
        let mut counted: Vec<Counted<Box<str>>> = docs
            .par_iter()
            .map_init(String::new, |lower, d| {
                d.with_text(|text| {
                    let c = count_words(lower, &d.title, &d.heading, text, |w| self.number_of(w));
                    let unknown = c.unknown.into_iter().map(|(w, n)| (w.into(), n)).collect();
                    Counted { known: c.known, unknown, len: c.len }
                })
            })
            .collect::<Result<_, Diagnostic>>()?;
        for Counted { known, unknown, .. } in &mut counted {
            for (word, count) in unknown.drain(..) {
                let number = match self.number_of(&word) {
                    Some(n) => n,
                    None => self.add_word(Word { text: word, stem: u32::MAX, roots: Vec::new() }),
                };
                known.push((number, count));
            }
        }
        let packed: Vec<(u64, HeldBag)> = docs
            .par_iter()
            .zip(counted)
            .map(|(d, c)| (d.hash, HeldBag { packed: Packed::Made(pack(c.known)), len: c.len }))
            .collect();
        self.changed |= !packed.is_empty();
        self.bags.extend(packed);
        Ok(())
    }

    /// The vocabulary of these distinct documents: bags kept from earlier builds where the document
    /// is the same, the others tokenised (in parallel) and their new words stemmed. The stemmer is
    /// asked for only when there are new words: making one takes longer than a build after an
    /// edit spends on all it stems.
    pub fn vocabulary<'s>(
        &mut self,
        docs: &[&Doc],
        stemmer: impl FnOnce() -> &'s Stemmer,
    ) -> Result<Vocabulary<'_>, Diagnostic> {
        // Words are only ever appended, and stemmed here: those not stemmed yet come last.
        let first_new = self.words.partition_point(|w| w.stem != u32::MAX);
        // In slices, each packed as soon as it is numbered: a bag's words as text, for every
        // document at once, took more memory than the whole index at 50,000 modules.
        for slice in docs.chunks(4096) {
            let fresh: Vec<&Doc> = slice.iter().copied().filter(|d| !self.has_bag(d.hash)).collect();
            self.add_docs(&fresh)?;
        }
        let new_words = &self.words[first_new..];
        let stemmed: Vec<(String, Vec<String>)> = match new_words.is_empty() {
            true => Vec::new(),
            false => {
                let stemmer = stemmer();
                new_words
                    .par_iter()
                    .map(|w| {
                        let mut roots = Vec::new();
                        let stem = stemmer.stem_recording(&w.text, &mut roots);
                        (stem, roots)
                    })
                    .collect()
            }
        };
        for (word, (stem, roots)) in self.words[first_new..].iter_mut().zip(stemmed) {
            word.stem = match self.stem_numbers.get(stem.as_str()) {
                Some(&n) => n,
                None => {
                    let n = self.stems.len() as u32;
                    self.stems.push(stem.as_str().into());
                    self.stem_numbers.insert(stem.into(), n);
                    n
                }
            };
            word.roots = roots.into_iter().map(Into::into).collect();
        }
        self.used.extend(docs.iter().map(|d| d.hash));
        // Every document's bag is there: those not kept were made above.
        let bags = docs.iter().filter_map(|d| self.bags.get(&d.hash)).map(|held| self.bag(held)).collect();
        Ok(Vocabulary { cache: self, bags })
    }

    /// The cache stored at `path` by an earlier build of this program; empty when there is none
    /// or it cannot be read (it is only ever a shortcut).
    pub fn load(path: &Path) -> SearchCache {
        let Ok(bytes) = std::fs::read(path) else { return SearchCache::default() };
        // A file of another layout or program is replaced whole, never appended to.
        decode(bytes).unwrap_or_else(|| SearchCache {
            stored: Stored { torn: true, ..Stored::default() },
            ..SearchCache::default()
        })
    }

    /// Stores the bags of this build's documents at `path`: appended, with the words they add, to
    /// what the file holds; or, when most of it is documents edited away, the file written anew
    /// with only what this build used, renumbered.
    pub fn save(&mut self, path: &Path) -> io::Result<()> {
        if !self.changed && !self.stored.torn && path.exists() {
            return Ok(());
        }
        self.used.sort_unstable();
        self.used.dedup();
        let mut fresh: Vec<u64> = self.used.iter().copied().filter(|h| !self.stored.bags.contains(h)).collect();
        fresh.sort_unstable();
        let whole =
            self.stored.torn || !path.exists() || self.stored.bags.len() + fresh.len() > 2 * self.used.len() + 64;
        if whole {
            let partial = path.with_extension("partial");
            let mut file = io::BufWriter::new(std::fs::File::create(&partial)?);
            self.write_compacted(&mut file)?;
            file.into_inner().map_err(io::IntoInnerError::into_error)?;
            std::fs::rename(&partial, path)?;
            // What was written is numbered differently from what is held: read it back next time.
            self.stored = Stored { torn: true, ..Stored::default() };
            return Ok(());
        }
        let mut out = Vec::new();
        for stem in &self.stems[self.stored.stems..] {
            out.push(STEM);
            put_str(&mut out, stem);
        }
        for word in &self.words[self.stored.words..] {
            put_word(&mut out, &word.text, word.stem, &word.roots);
        }
        for hash in &fresh {
            put_bag(&mut out, *hash, self.bag(&self.bags[hash]));
        }
        use std::io::Write;
        std::fs::OpenOptions::new().append(true).open(path)?.write_all(&out)?;
        self.stored.stems = self.stems.len();
        self.stored.words = self.words.len();
        self.stored.bags.extend(fresh);
        Ok(())
    }

    /// Writes the whole file for the bags this build used, a record at a time (made whole in
    /// memory first, it was the peak of a 50,000-module build). Words and stems no bag uses are
    /// left out and the rest keep their order, numbered anew; when every word is used, as in a
    /// cache made by this build alone, the numbers stay and the bags are written as they are.
    fn write_compacted(&self, to: &mut impl io::Write) -> io::Result<()> {
        let mut hashes: Vec<u64> = self.used.iter().copied().filter(|h| self.bags.contains_key(h)).collect();
        hashes.sort_unstable();
        let mut word_used = vec![false; self.words.len()];
        for h in &hashes {
            for (w, _) in self.bag(&self.bags[h]).words() {
                word_used[w as usize] = true;
            }
        }
        let mut stem_used = vec![false; self.stems.len()];
        for (word, _) in self.words.iter().zip(&word_used).filter(|(_, used)| **used) {
            stem_used[word.stem as usize] = true;
        }
        // The number each kept one will have: how many are kept before it.
        let numbers = |used: &[bool]| -> Vec<u32> {
            used.iter().scan(0, |next, &u| Some(std::mem::replace(next, *next + u as u32))).collect()
        };
        let (word_numbers, stem_numbers) = (numbers(&word_used), numbers(&stem_used));
        let every_word = word_used.iter().all(|&used| used);
        let mut out = MAGIC.to_vec();
        out.extend(crate::hash::program().to_le_bytes());
        for (stem, _) in self.stems.iter().zip(&stem_used).filter(|(_, used)| **used) {
            out.push(STEM);
            put_str(&mut out, stem);
        }
        for (word, _) in self.words.iter().zip(&word_used).filter(|(_, used)| **used) {
            put_word(&mut out, &word.text, stem_numbers[word.stem as usize], &word.roots);
        }
        to.write_all(&out)?;
        for h in &hashes {
            let bag = self.bag(&self.bags[h]);
            out.clear();
            if every_word {
                put_bag(&mut out, *h, bag);
            } else {
                let renumbered = bag.words().map(|(w, count)| (word_numbers[w as usize], count)).collect();
                put_bag(&mut out, *h, Bag { bytes: &pack(renumbered), ..bag });
            }
            to.write_all(&out)?;
        }
        Ok(())
    }

    /// Reads one record; `file` is what `r` reads, for the ranges of bags.
    fn record(&mut self, r: &mut Reader, file: &[u8]) -> Option<()> {
        match r.byte()? {
            STEM => {
                let stem: Box<str> = r.str()?.into();
                self.stem_numbers.insert(stem.clone(), self.stems.len() as u32);
                self.stems.push(stem);
            }
            WORD => {
                let text: Box<str> = r.str()?.into();
                let stem = r.varint()? as u32;
                let roots = (0..r.varint()?).map(|_| r.str().map(Into::into)).collect::<Option<_>>()?;
                if stem as usize >= self.stems.len() {
                    return None;
                }
                self.add_word(Word { text, stem, roots });
            }
            BAG => {
                let hash = r.u64()?;
                let len = r.varint()? as u32;
                let size = r.varint()? as usize;
                let start = file.len() - r.left();
                r.take(size)?;
                self.bags.insert(hash, HeldBag { packed: Packed::Loaded(start..start + size), len });
            }
            _ => return None,
        }
        Some(())
    }
}

/// Record kinds of the file, which is a run of records after its header.
const STEM: u8 = 1;
const WORD: u8 = 2;
const BAG: u8 = 3;

fn put_word(out: &mut Vec<u8>, text: &str, stem: u32, roots: &[Box<str>]) {
    out.push(WORD);
    put_str(out, text);
    put_varint(out, u64::from(stem));
    put_varint(out, roots.len() as u64);
    for root in roots {
        put_str(out, root);
    }
}

fn put_bag(out: &mut Vec<u8>, hash: u64, bag: Bag) {
    out.push(BAG);
    out.extend(hash.to_le_bytes());
    put_varint(out, u64::from(bag.len));
    put_varint(out, bag.bytes.len() as u64);
    out.extend(bag.bytes);
}

/// Reads the records of a file; a record cut short (a build stopped while appending) ends the
/// reading, and the file is then written anew.
fn decode(bytes: Vec<u8>) -> Option<SearchCache> {
    let mut r = Reader::new(bytes.strip_prefix(MAGIC)?);
    let program = r.u64()?;
    if program != crate::hash::program() {
        return None;
    }
    let mut cache = SearchCache::default();
    while !r.bytes.is_empty() {
        if cache.record(&mut r, &bytes).is_none() {
            cache.stored.torn = true;
            break;
        }
    }
    cache.stored.stems = cache.stems.len();
    cache.stored.words = cache.words.len();
    cache.stored.bags = cache.bags.keys().copied().collect();
    cache.file = bytes;
    Some(cache)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::index::{DocKind, Filters};

    #[test]
    fn every_numbered_word_is_found_by_its_text_and_no_other_text_is() {
        // Lengths across every branch of the word hash (short, 4-8, 9-16, longer), enough words
        // that the table grows several times, and texts that differ only in their tail.
        let text = |i: usize| format!("{}{i}", "kata".repeat(i % 6));
        let mut cache = SearchCache::default();
        for i in 0..5000 {
            assert_eq!(cache.add_word(Word { text: text(i).into(), stem: 0, roots: Vec::new() }), i as u32);
        }
        for i in 0..5000 {
            assert_eq!(cache.number_of(&text(i)), Some(i as u32), "{}", text(i));
            assert_eq!(cache.number_of(&format!("{}x", text(i))), None);
        }
        assert_eq!(cache.number_of(""), None);
    }

    #[test]
    fn a_damaged_bag_ends_at_the_first_word_nothing_numbers() {
        let mut bytes = MAGIC.to_vec();
        bytes.extend(crate::hash::program().to_le_bytes());
        bytes.push(STEM);
        put_str(&mut bytes, "suara");
        put_word(&mut bytes, "suara", 0, &[]);
        let packed = pack(vec![(0, 2), (1000, 1)]);
        put_bag(&mut bytes, 7, Bag { bytes: &packed, numbered: u32::MAX, len: 3 });
        let cache = decode(bytes).unwrap();
        assert_eq!(cache.bag(&cache.bags[&7]).words().collect::<Vec<_>>(), [(0, 2)]);
    }

    #[test]
    fn a_stored_cache_gives_the_same_vocabulary_grows_by_appending_and_drops_what_is_unused() {
        let roles = [String::from("kpps")];
        let doc = |title: &'static str, text: &'static str| {
            Doc::new(DocKind::Section, "a/".into(), title.into(), "".into(), text.into(), Filters::new(&roles, None))
        };
        let (a, b) = (doc("Pemungutan suara", "Pemilih mencoblos surat suara."), doc("Logistik", "Kotak suara."));
        let stemmer = Stemmer::new();
        let mut cache = SearchCache::default();
        let words = |v: &Vocabulary| -> Vec<Vec<(String, String, u32)>> {
            v.bags
                .iter()
                .map(|bag| {
                    let mut w: Vec<_> = bag
                        .words()
                        .map(|(w, c)| (v.cache.words[w as usize].text.to_string(), v.stem(v.stem_of(w)).to_owned(), c))
                        .collect();
                    w.sort();
                    w
                })
                .collect()
        };
        let first = words(&cache.vocabulary(&[&a, &b], || &stemmer).unwrap());
        assert!(first[0].contains(&("mencoblos".to_owned(), "coblos".to_owned(), 1)));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("search.bin");
        cache.save(&path).unwrap();
        let mut loaded = SearchCache::load(&path);
        assert_eq!(loaded.bags.len(), 2);
        assert_eq!(words(&loaded.vocabulary(&[&a, &b], || &stemmer).unwrap()), first);
        assert!(!loaded.changed, "nothing was tokenised again");
        // A new document is appended, with its words.
        let c = doc("Rekapitulasi", "Penghitungan berjenjang.");
        let mut more = SearchCache::load(&path);
        more.vocabulary(&[&a, &b, &c], || &stemmer).unwrap();
        let before = std::fs::metadata(&path).unwrap().len();
        more.save(&path).unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() > before);
        let mut reloaded = SearchCache::load(&path);
        assert_eq!(
            words(&reloaded.vocabulary(&[&c], || &stemmer).unwrap()),
            words(&more.vocabulary(&[&c], || &stemmer).unwrap())
        );
        // Once most of the file is documents no build uses, it is written anew without them.
        let texts: Vec<String> = (0..80).map(|i| format!("teks nomor {i}")).collect();
        let many: Vec<Doc> = texts
            .iter()
            .map(|t| {
                Doc::new(
                    DocKind::Section,
                    "x/".into(),
                    "Banyak".into(),
                    "".into(),
                    t.as_str().into(),
                    Filters::new(&roles, None),
                )
            })
            .collect();
        let mut big = SearchCache::load(&path);
        big.vocabulary(&many.iter().collect::<Vec<_>>(), || &stemmer).unwrap();
        big.save(&path).unwrap();
        let mut small = SearchCache::load(&path);
        assert_eq!(small.bags.len(), 83);
        small.vocabulary(&[&b, &doc("Baru", "Kalimat baru.")], || &stemmer).unwrap();
        small.save(&path).unwrap();
        let mut reloaded = SearchCache::load(&path);
        assert_eq!(reloaded.bags.len(), 2);
        assert!(reloaded.number_of("mencoblos").is_none() && reloaded.number_of("nomor").is_none());
        assert!(reloaded.number_of("kalimat").is_some());
        // Renumbered without the words dropped, the bags still hold their own words.
        let kept = words(&reloaded.vocabulary(&[&b], || &stemmer).unwrap());
        assert_eq!(kept, words(&SearchCache::default().vocabulary(&[&b], || &stemmer).unwrap()));
        assert!(!reloaded.changed, "the bag was not made again");
        // A file cut short keeps the records before the cut, and is written anew by the next save.
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        let mut torn = SearchCache::load(&path);
        assert_eq!(torn.bags.len(), 1);
        torn.vocabulary(&[&b], || &stemmer).unwrap();
        torn.save(&path).unwrap();
        assert!(!SearchCache::load(&path).stored.torn);
        // Another layout, or another program's, is no cache at all, and is replaced, not appended to.
        std::fs::write(&path, b"bimtek search cache 0\n").unwrap();
        let mut other = SearchCache::load(&path);
        assert!(other.words.is_empty());
        other.vocabulary(&[&a], || &stemmer).unwrap();
        other.save(&path).unwrap();
        assert_eq!(SearchCache::load(&path).bags.len(), 1);
    }
}
