//! Each regency's search index, made beside the pages, with what the previous build made reused.

use std::sync::Arc;

use rayon::prelude::*;

use super::{Failed, RenderOptions, uses};
use crate::diagnostics::Diagnostic;
use crate::output::{Body, Previous};
use crate::search::state::IndexState;
use crate::site::{Regency, Site};

/// A file made, where it goes and its fingerprint when it has one.
type Made = (String, Body, Option<u64>);

/// Each regency's search index: its modules section by section, its events and contacts. A
/// document shared by regencies (a national module's section) is tokenised once, and each distinct
/// word stemmed once, for all of them; with the build's search cache, only documents that changed
/// since the last build are. A `dokumen/` file made from the same documents as before is taken
/// from the previous build. With `release`, each module's section texts are let go once the index
/// has taken the last of them.
pub(super) fn search_indexes(
    site: &Site,
    regencies: &[&Regency],
    options: &RenderOptions,
    release: bool,
    keep: &(dyn Fn(String, Vec<u8>) -> Result<(String, Body), Failed> + Sync),
) -> Vec<Result<Made, Failed>> {
    use crate::search::index::{Doc, assemble};
    let roles: Vec<&str> = site.config.roles.iter().map(|t| t.key.as_str()).collect();
    let topics: Vec<&str> = site.config.topics.iter().map(|t| t.key.as_str()).collect();
    if let Some(dir) = options.index_states {
        forget_gone_states(dir, site);
    }
    // Each regency's index state is a file of its own: only the regencies built are read.
    let state_file = |regency: &Regency| options.index_states.map(|dir| dir.join(format!("{}.bin", regency.slug)));
    let read_state = |regency: &Regency| state_file(regency).as_deref().and_then(IndexState::load);
    // With no more regencies than threads, whose states would be held at once anyway, the states
    // are read while the documents are made, not after: the one-edit build of one regency spent
    // a tenth of its time waiting for its state.
    let early = regencies.len() <= rayon::current_num_threads();
    let (docs, states): (Vec<Vec<Doc>>, Vec<Option<Option<IndexState>>>) = rayon::join(
        || regencies.par_iter().map(|regency| crate::search::docs::regency_docs(site, regency)).collect(),
        || regencies.iter().map(|regency| early.then(|| read_state(regency))).collect(),
    );
    let mut distinct: crate::hash::FastMap<u64, usize> = crate::hash::FastMap::default();
    let mut firsts: Vec<&Doc> = Vec::new();
    let slots: Vec<Vec<usize>> = docs
        .iter()
        .map(|docs| {
            docs.iter()
                .map(|d| {
                    *distinct.entry(d.hash).or_insert_with(|| {
                        firsts.push(d);
                        firsts.len() - 1
                    })
                })
                .collect()
        })
        .collect();
    drop(distinct);
    let mut fresh = crate::search::cache::SearchCache::default();
    let mut kept = options.search.map(|cache| cache.lock().unwrap_or_else(|p| p.into_inner()));
    let cache = kept.as_deref_mut().unwrap_or(&mut fresh);
    let mut texts_left = if release { uses(regencies) } else { TextsLeft::default() };
    let mut chunks = Vec::with_capacity(regencies.len());
    for (regency, docs) in regencies.iter().zip(&docs) {
        if let Err(d) = bag_documents(regency, docs, cache, &mut texts_left) {
            return vec![Err(Failed::Template(d))];
        }
        chunks.push(document_files(regency, docs, options.previous, keep));
    }
    let vocabulary = match cache.vocabulary(&firsts, crate::search::stem::Stemmer::shared) {
        Ok(vocabulary) => vocabulary,
        Err(d) => return vec![Err(Failed::Template(d))],
    };
    let per_regency: Vec<Vec<_>> = docs
        .par_iter()
        .zip(slots)
        .zip(regencies)
        .zip(states)
        .map(|(((docs, slots), regency), state)| {
            let at = |path: String| format!("{}/cari/{path}", regency.slug);
            // meta.json is made from all the documents: made from the same as the last build's, it
            // and all of the index's shards are that build's. Otherwise a shard group whose
            // postings did not change is the last build's, and only the others are serialised.
            let fingerprint = index_fingerprint(docs, &roles, &topics);
            let meta = at("meta.json".to_owned());
            let mut files: Vec<Result<Made, Failed>> = Vec::new();
            if let Some(body) = options.previous.reuse(&meta, fingerprint) {
                files.push(Ok((meta, body, Some(fingerprint))));
                let shards = options.previous.under(&at("indeks/".to_owned()));
                files.extend(shards.into_iter().map(|(path, fp, body)| Ok((path, body, Some(fp)))));
            } else {
                let indeks = at("indeks/".to_owned());
                let kept = |group: &str, fp: u64| -> Option<Vec<String>> {
                    let files = options.previous.reuse_all(&format!("{indeks}{group}"), fp)?;
                    let names = files.iter().map(|(path, _)| path.strip_prefix(&indeks)?.strip_suffix(".json"));
                    names.map(|name| name.map(str::to_owned)).collect()
                };
                // Each file is written away as it is made, not held with the others.
                let made = std::sync::Mutex::new(Vec::new());
                let emit = |(path, fp, bytes): crate::search::index::IndexFile| {
                    let (path, fp) = (at(path), if fp == 0 { fingerprint } else { fp });
                    let file = match bytes {
                        Some(bytes) => keep(path, bytes).map(|(path, body)| (path, body, Some(fp))),
                        // Named by `kept` from the previous build's files just now.
                        None => match options.previous.reuse(&path, fp) {
                            Some(body) => Ok((path, body, Some(fp))),
                            None => Err(Failed::Template(Diagnostic::error(&path, "the previous index lost a file"))),
                        },
                    };
                    made.lock().unwrap_or_else(|p| p.into_inner()).push(file);
                };
                let last = state.unwrap_or_else(|| read_state(regency));
                let keep_state = |state: &IndexState| {
                    if let Some(file) = state_file(regency) {
                        // Only a shortcut for the next build: failing to store it fails nothing.
                        let _ = state.save(&file);
                    }
                };
                assemble(docs, &slots, &vocabulary, &roles, &topics, last, &keep_state, &kept, &emit);
                files.extend(made.into_inner().unwrap_or_else(|p| p.into_inner()));
            }
            files
        })
        .collect();
    per_regency.into_iter().zip(chunks).flat_map(|(index, chunks)| index.into_iter().chain(chunks)).collect()
}

/// Removes the index states of regencies the project no longer has: each is as large as a
/// regency's postings, and nothing else would ever remove it.
fn forget_gone_states(dir: &std::path::Path, site: &Site) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Some(slug) = name.strip_suffix(".bin").or_else(|| name.strip_suffix(".partial")) else { continue };
        if !site.regencies.iter().any(|r| r.slug == slug) {
            // Only a shortcut's leftovers: failing to remove one fails nothing.
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Documents per pass of [`bag_documents`], and in its first pass: a word is counted by its text
/// in a pass that meets it before it is numbered, so a small first pass numbers the common words
/// for the rest (each of 4,096 documents counted them by text in a first pass of full size).
const SLICE: usize = 4096;
const FIRST_SLICE: usize = 256;

/// Makes the bags a regency's documents lack in the search `cache`, a slice of documents at a
/// time. When `texts_left` counts a module, its section texts are let go after the last regency's
/// pass over them: held for every module until the whole index was made, they were the largest
/// part of a 50,000-module build's memory.
fn bag_documents(
    regency: &Regency,
    docs: &[crate::search::index::Doc],
    cache: &mut crate::search::cache::SearchCache,
    texts_left: &mut TextsLeft,
) -> Result<(), Diagnostic> {
    // Where each module's documents end: they come first, module after module.
    let mut ends = regency.modules.iter().scan(0, |end, m| {
        *end += m.sections.len();
        Some((*end, m))
    });
    let mut pending = ends.next();
    let mut done = 0;
    while done < docs.len() {
        let slice = &docs[done..docs.len().min(done + if done == 0 { FIRST_SLICE } else { SLICE })];
        let mut bagged = crate::hash::FastSet::default();
        let wanted: Vec<&crate::search::index::Doc> =
            slice.iter().filter(|d| !cache.has_bag(d.hash) && bagged.insert(d.hash)).collect();
        cache.add_docs(&wanted)?;
        done += slice.len();
        while let Some((_, module)) = pending.filter(|(end, _)| *end <= done) {
            if let Some(left) = texts_left.get_mut(&(Arc::as_ptr(module) as usize)) {
                *left = left.saturating_sub(1);
                if *left == 0 {
                    module.release_sections();
                }
            }
            pending = ends.next();
        }
    }
    Ok(())
}

/// A regency's `dokumen/` files, each the last build's when made from the same documents.
fn document_files(
    regency: &Regency,
    docs: &[crate::search::index::Doc],
    previous: &Previous,
    keep: &(dyn Fn(String, Vec<u8>) -> Result<(String, Body), Failed> + Sync),
) -> Vec<Result<Made, Failed>> {
    crate::search::index::document_chunks(docs)
        .map(|(path, fingerprint, chunk)| {
            let path = format!("{}/cari/{path}", regency.slug);
            let (path, body) = match previous.reuse(&path, fingerprint) {
                Some(body) => (path, body),
                None => keep(path, crate::search::index::chunk_json(chunk))?,
            };
            Ok((path, body, Some(fingerprint)))
        })
        .collect()
}

/// How many regencies' indexes still need each module's section texts, by the module's address:
/// filled only when they are to be let go.
type TextsLeft = crate::hash::FastMap<usize, usize>;

/// What a regency's `meta.json` and `indeks/` files are made from: each document's kind, place,
/// filters and words (by its hash), the filters' names, and this program.
fn index_fingerprint(docs: &[crate::search::index::Doc], roles: &[&str], topics: &[&str]) -> u64 {
    let mut hasher = crate::hash::Hasher::default();
    hasher.write(&crate::hash::program().to_le_bytes());
    for names in [roles, topics] {
        hasher.write(&names.len().to_le_bytes());
        for name in names {
            hasher.field(name.as_bytes());
        }
    }
    for d in docs {
        hasher.write(&[d.kind as u8]);
        for part in [d.shown, d.hash, d.filters.hash] {
            hasher.write(&part.to_le_bytes());
        }
    }
    hasher.finish()
}
