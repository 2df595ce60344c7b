//! The search index of one regency, as static files the browser fetches only in part:
//! `cari/meta.json` (document count, lengths, filters, the stemmer's rules and the roots it needs),
//! `cari/indeks/<xx>.json` (postings of the terms starting with `xx`) and `cari/dokumen/<n>.json`
//! (titles and texts of 16 documents, for the results shown). Pure and deterministic.

use std::collections::BTreeMap;

use serde::Serialize;

use super::stem::{RULES, Stemmer};

/// One searchable unit: a section of a module, or an event.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Relative to the regency's root, e.g. `modul/kode-etik/#netralitas`.
    pub url: String,
    pub title: String,
    pub heading: String,
    pub text: String,
    pub roles: Vec<String>,
    pub topic: Option<String>,
}

pub const CHUNK: usize = 16;
const TITLE_WEIGHT: u32 = 3;
const HEADING_WEIGHT: u32 = 2;

/// Lowercase words of letters and digits (a hyphen inside a word is kept, for "kata-kata").
pub fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .map(|w| w.trim_matches('-'))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
}

/// The shard a term lives in: its first two characters.
pub fn shard_key(term: &str) -> String {
    term.chars().take(2).collect()
}

#[derive(Serialize)]
struct Meta<'a> {
    version: u32,
    docs: usize,
    avgdl: f64,
    chunk: usize,
    /// Length in words of each document.
    lens: Vec<u32>,
    /// Role bitmask (bit i = `roles[i]`) and topic index (-1 for none) of each document.
    role_bits: Vec<u32>,
    topic: Vec<i32>,
    roles: Vec<&'a str>,
    topics: Vec<&'a str>,
    shards: Vec<String>,
    rules: &'static str,
    roots: Vec<String>,
}

/// The index files, as (path under `cari/`, bytes).
pub fn build(docs: &[Doc], stemmer: &Stemmer, roles: &[&str], topics: &[&str]) -> Vec<(String, Vec<u8>)> {
    let mut roots = Vec::new();
    let mut stems: BTreeMap<String, String> = BTreeMap::new();
    let mut stem = |word: String, roots: &mut Vec<String>| -> String {
        stems.entry(word).or_insert_with_key(|w| stemmer.stem_recording(w, roots)).clone()
    };
    // term -> doc -> weighted frequency
    let mut postings: BTreeMap<String, BTreeMap<usize, u32>> = BTreeMap::new();
    let mut lens = Vec::with_capacity(docs.len());
    for (id, doc) in docs.iter().enumerate() {
        let mut len = 0;
        for (field, weight) in [(&doc.title, TITLE_WEIGHT), (&doc.heading, HEADING_WEIGHT), (&doc.text, 1)] {
            for token in tokens(field) {
                len += 1;
                let term = stem(token, &mut roots);
                *postings.entry(term).or_default().entry(id).or_default() += weight;
            }
        }
        lens.push(len);
    }
    roots.sort_unstable();
    roots.dedup();
    let mut shards: BTreeMap<String, BTreeMap<&str, Vec<[u32; 2]>>> = BTreeMap::new();
    for (term, docs) in &postings {
        let list = docs.iter().map(|(&d, &tf)| [d as u32, tf]).collect();
        shards.entry(shard_key(term)).or_default().insert(term, list);
    }
    let avgdl = if docs.is_empty() { 0.0 } else { f64::from(lens.iter().sum::<u32>()) / docs.len() as f64 };
    let meta = Meta {
        version: 1,
        docs: docs.len(),
        avgdl: (avgdl * 100.0).round() / 100.0,
        chunk: CHUNK,
        lens,
        role_bits: docs
            .iter()
            .map(|d| {
                roles.iter().enumerate().filter(|(_, r)| d.roles.iter().any(|x| x == *r)).map(|(i, _)| 1 << i).sum()
            })
            .collect(),
        topic: docs
            .iter()
            .map(|d| d.topic.as_deref().and_then(|t| topics.iter().position(|x| *x == t)).map_or(-1, |i| i as i32))
            .collect(),
        roles: roles.to_vec(),
        topics: topics.to_vec(),
        shards: shards.keys().cloned().collect(),
        rules: RULES,
        roots,
    };
    let mut files = vec![("meta.json".to_owned(), json(&meta))];
    for (key, terms) in &shards {
        files.push((format!("indeks/{key}.json"), json(terms)));
    }
    for (n, chunk) in docs.chunks(CHUNK).enumerate() {
        let rows: Vec<[&str; 3]> =
            chunk.iter().map(|d| [d.url.as_str(), d.title.as_str(), d.heading.as_str()]).collect();
        let texts: Vec<&str> = chunk.iter().map(|d| d.text.as_str()).collect();
        files.push((format!("dokumen/{n}.json"), json(&(rows, texts))));
    }
    files
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising plain maps, vectors and strings cannot fail.
    serde_json::to_vec(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(url: &str, title: &str, text: &str) -> Doc {
        Doc {
            url: url.into(),
            title: title.into(),
            heading: String::new(),
            text: text.into(),
            roles: vec!["kpps".into()],
            topic: None,
        }
    }

    #[test]
    fn affixed_forms_share_a_term_and_titles_weigh_more() {
        let stemmer = Stemmer::new();
        let docs = [
            doc("a/", "Pemungutan suara", "Pemilih mencoblos surat suara."),
            doc("b/", "Logistik", "Surat suara dicoblos di bilik."),
        ];
        let files: BTreeMap<String, Vec<u8>> = build(&docs, &stemmer, &["kpps"], &[]).into_iter().collect();
        let co: serde_json::Value = serde_json::from_slice(&files["indeks/co.json"]).unwrap();
        assert_eq!(co["coblos"], serde_json::json!([[0, 1], [1, 1]]));
        let pu: serde_json::Value = serde_json::from_slice(&files["indeks/pu.json"]).unwrap();
        assert_eq!(pu["pungut"], serde_json::json!([[0, 3]]));
        let meta: serde_json::Value = serde_json::from_slice(&files["meta.json"]).unwrap();
        assert_eq!(meta["docs"], 2);
        assert_eq!(meta["role_bits"], serde_json::json!([1, 1]));
        let roots: Vec<&str> = meta["roots"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
        assert!(roots.contains(&"coblos") && roots.contains(&"pungut") && roots.contains(&"pilih"));
        assert!(files.contains_key("dokumen/0.json"));
    }

    #[test]
    fn the_same_documents_give_the_same_bytes() {
        let stemmer = Stemmer::new();
        let docs = [doc("a/", "Kode etik", "Netralitas penyelenggara."), doc("b/", "DPT", "Daftar pemilih tetap.")];
        assert_eq!(build(&docs, &stemmer, &["kpps"], &[]), build(&docs, &stemmer, &["kpps"], &[]));
    }
}
