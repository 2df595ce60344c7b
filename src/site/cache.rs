//! The build cache of parsed modules: what a module is, apart from its body, by a hash of everything
//! parsing reads. `serve` keeps it in memory between rebuilds; `build` keeps it beside the output
//! folder between runs, with each file's stamp, so an unchanged module is neither read nor parsed.

use crate::hash::FastMap as HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::{Link, Module, SectionHead};
use crate::codec::{Reader, put_opt_str, put_str, put_u64, put_varint};
use crate::config::Config;
use crate::content::{self, Asset, Scope, Stamp};
use crate::diagnostics::Position;
use crate::i18n::Catalog;
use crate::markdown::Heading;
use crate::search::index::DocHashes;

/// Parsed modules by [`key`]. Only modules that parsed without a problem are kept, so every problem
/// is still reported on each build.
#[derive(Default)]
pub struct ModuleCache {
    modules: Mutex<HashMap<u64, Arc<Module>>>,
    /// Each file's stamp and text hash, by path relative to the project.
    stamps: Mutex<HashMap<PathBuf, (Stamp, u64)>>,
    /// Whether this build parsed anything or found a file changed: if not, the stored cache is
    /// still right.
    changed: std::sync::atomic::AtomicBool,
    log: Mutex<Log>,
}

/// The stamps recorded by earlier builds, held until dropped.
pub struct KnownStamps<'c>(std::sync::MutexGuard<'c, HashMap<PathBuf, (Stamp, u64)>>);

impl KnownStamps<'_> {
    /// The text hash recorded for the file at `rel` when it had this stamp: the file need not be
    /// read.
    pub fn known(&self, rel: &Path, stamp: &Stamp) -> Option<u64> {
        self.0.get(rel).filter(|(s, _)| s == stamp).map(|&(_, hash)| hash)
    }
}

/// What everything parsed depends on besides the file: the config, the UI strings and this program.
pub fn setup(config: &Config, catalog: &Catalog) -> u64 {
    let mut hasher = crate::hash::Hasher::default();
    hasher.field(format!("{config:?}{catalog:?}").as_bytes());
    hasher.write(&crate::hash::program().to_le_bytes());
    hasher.finish()
}

/// The cache key of a module: its file (by name and text), its folder's files, and the [`setup`].
pub fn key(source: &content::ModuleSource, text_hash: u64, setup: u64) -> u64 {
    let mut hasher = crate::hash::Hasher::default();
    hasher.write(&setup.to_le_bytes());
    hasher.field(source.file.rel.to_string_lossy().as_bytes());
    hasher.write(&text_hash.to_le_bytes());
    hasher.field(format!("{:?}{:?}", source.scope, source.assets).as_bytes());
    hasher.finish()
}

impl ModuleCache {
    pub(super) fn get(&self, key: u64) -> Option<Arc<Module>> {
        self.modules.lock().ok()?.get(&key).cloned()
    }

    /// Keeps this build's modules only: edited-away versions would pile up.
    pub(super) fn keep(&self, fresh: Vec<Arc<Module>>) {
        if let Ok(mut modules) = self.modules.lock() {
            let changed = fresh.len() != modules.len() || fresh.iter().any(|m| !modules.contains_key(&m.key));
            if changed {
                self.changed.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            *modules = fresh.into_iter().map(|m| (m.key, m)).collect();
        }
    }

    /// Records the stamps of this build's files, to be stored with the modules.
    pub(super) fn stamp(&self, stamps: HashMap<PathBuf, (Stamp, u64)>) {
        if let Ok(mut mine) = self.stamps.lock() {
            if *mine != stamps {
                self.changed.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            *mine = stamps;
        }
    }

    /// The recorded stamps, held for a whole pass over the files (see [`KnownStamps::known`]):
    /// locked for each of 10,000 files in turn, from two threads, they waited on each other.
    pub fn known_stamps(&self) -> Option<KnownStamps<'_>> {
        self.stamps.lock().ok().map(KnownStamps)
    }

    /// The cache stored at `path` by earlier builds of the project at `root`; empty when there is
    /// none or it cannot be read (it is only ever a shortcut).
    pub fn load(path: &Path, root: &Path) -> ModuleCache {
        let cache = ModuleCache::default();
        let Ok(bytes) = std::fs::read(path) else { return cache };
        let Some(body) = bytes.strip_prefix(header().as_bytes()) else {
            // A log of another layout, or another bimtek's, is replaced whole, never appended to.
            return ModuleCache { log: Mutex::new(Log { torn: true, ..Log::default() }), ..cache };
        };
        let mut log = Log::default();
        // Each record is length-prefixed, so they are found first and decoded in parallel.
        let mut reader = Reader::new(body);
        let mut records = Vec::new();
        while !reader.bytes.is_empty() {
            match reader.varint().and_then(|n| reader.take(n as usize)) {
                Some(record) => records.push(record),
                None => {
                    // Cut short by a build that was stopped while appending: start the log anew.
                    log.torn = true;
                    break;
                }
            }
        }
        log.records = records.len();
        let decoded: Vec<Option<(Module, Option<Stamp>)>> =
            records.into_par_iter().map(|record| decode(&mut Reader::new(record), root)).collect();
        // Sized for the records: grown one insert at a time, the maps were a third of reading.
        let mut stamps = HashMap::with_capacity_and_hasher(decoded.len(), Default::default());
        let mut modules = HashMap::with_capacity_and_hasher(decoded.len(), Default::default());
        // Later records are newer: they win.
        for (module, stamp) in decoded.into_iter().flatten() {
            if let Some(stamp) = stamp {
                stamps.insert(module.source.clone(), (stamp, module.text_hash));
            }
            log.held.insert(module.key, stamp);
            modules.insert(module.key, Arc::new(module));
        }
        ModuleCache { modules: Mutex::new(modules), stamps: Mutex::new(stamps), log: Mutex::new(log), ..cache }
    }

    /// Stores the modules of this build at `path`: appended to the log when it holds little else,
    /// the log written anew when most of it is modules edited away.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if !self.changed.load(std::sync::atomic::Ordering::Relaxed) && path.exists() {
            return Ok(());
        }
        let poisoned = || std::io::Error::other("the module cache was poisoned");
        let modules = self.modules.lock().map_err(|_| poisoned())?;
        let stamps = self.stamps.lock().map_err(|_| poisoned())?;
        let mut log = self.log.lock().map_err(|_| poisoned())?;
        let stamp = |m: &Module| stamps.get(&m.source).filter(|(_, hash)| *hash == m.text_hash).map(|(s, _)| *s);
        let mut fresh: Vec<&Arc<Module>> =
            modules.values().filter(|m| log.held.get(&m.key) != Some(&stamp(m))).collect();
        let whole = log.torn || !path.exists() || log.records + fresh.len() > 2 * modules.len() + 64;
        if whole {
            fresh = modules.values().collect();
        }
        fresh.sort_by(|a, b| a.source.cmp(&b.source).then(a.key.cmp(&b.key)));
        use std::io::Write;
        let partial = path.with_extension("partial");
        // Record by record: the whole log made in memory first was a peak of large builds.
        let file = match whole {
            true => std::fs::File::create(&partial)?,
            false => std::fs::OpenOptions::new().append(true).open(path)?,
        };
        let mut file = std::io::BufWriter::new(file);
        if whole {
            file.write_all(header().as_bytes())?;
        }
        let (mut record, mut length) = (Vec::new(), Vec::new());
        for m in &fresh {
            record.clear();
            length.clear();
            if encode(m, stamp(m), &mut record).is_some() {
                put_varint(&mut length, record.len() as u64);
                file.write_all(&length)?;
                file.write_all(&record)?;
            }
        }
        file.into_inner().map_err(std::io::IntoInnerError::into_error)?;
        if whole {
            std::fs::rename(&partial, path)?;
            *log = Log { records: fresh.len(), ..Log::default() };
        } else {
            log.records += fresh.len();
        }
        log.held.extend(fresh.iter().map(|m| (m.key, stamp(m))));
        Ok(())
    }
}

/// What the stored log holds, so a save appends only what it lacks.
#[derive(Default)]
struct Log {
    /// Records in the file, edited-away versions included.
    records: usize,
    /// The stamp stored with each key, last record winning.
    held: HashMap<u64, Option<Stamp>>,
    /// A record could not be read: the file is written anew.
    torn: bool,
}

/// The log's first line: a log of another layout, or written by another build of bimtek (whose
/// keys all differ), is not read.
fn header() -> String {
    format!("bimtek module cache 6, {:016x}\n", crate::hash::program())
}

/// Writes what the module is apart from its body, and the stamp its file had. `None` (and the
/// module is not stored) when a path is not UTF-8.
fn encode(m: &Module, stamp: Option<Stamp>, out: &mut Vec<u8>) -> Option<()> {
    let path = |out: &mut Vec<u8>, p: &Path| p.to_str().map(|p| put_str(out, p));
    // Without the line itself: the snippet is only shown if the link breaks, and is then read
    // again from the file (see `check_references`); long lines made most of the cache.
    let position = |out: &mut Vec<u8>, at: &Position| {
        path(out, &at.path)?;
        put_varint(out, at.line as u64);
        put_varint(out, at.column as u64);
        Some(())
    };
    put_u64(out, m.key);
    put_u64(out, m.card_key);
    put_str(out, &m.slug);
    put_opt_str(
        out,
        match &m.scope {
            Scope::National => None,
            Scope::Regency(r) => Some(r),
        },
    );
    path(out, &m.source)?;
    put_u64(out, m.text_hash);
    match stamp {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_u64(out, s.len);
            out.extend(s.modified_ns.to_le_bytes());
            out.extend(s.changed_ns.to_le_bytes());
            put_u64(out, s.inode);
        }
    }
    put_str(out, &m.title);
    put_opt_str(out, m.summary.as_deref());
    put_varint(out, m.roles.len() as u64);
    for role in &m.roles {
        put_str(out, role);
    }
    put_str(out, &m.topic);
    put_u64(out, m.order as u64);
    put_opt_str(out, m.updated.map(|d| d.to_string()).as_deref());
    out.push(u8::from(m.draft));
    put_varint(out, m.headings.len() as u64);
    for h in &m.headings {
        out.push(h.level);
        put_str(out, &h.id);
        put_str(out, &h.text);
    }
    put_varint(out, m.sections.len() as u64);
    for s in &m.sections {
        put_opt_str(out, s.anchor.as_deref());
        put_str(out, &s.heading);
        put_u64(out, s.search.words);
        put_u64(out, s.search.shown);
    }
    put_varint(out, m.links.len() as u64);
    for l in &m.links {
        put_str(out, &l.slug);
        put_opt_str(out, l.anchor.as_deref());
        position(out, &l.at)?;
    }
    put_varint(out, m.local_refs.len() as u64);
    for (dest, at) in &m.local_refs {
        put_str(out, dest);
        position(out, at)?;
    }
    put_varint(out, m.assets.len() as u64);
    for a in &m.assets {
        path(out, &a.rel_out)?;
        path(out, &a.src)?;
    }
    put_varint(out, m.tasks as u64);
    Some(())
}

/// Reads what [`encode`] wrote; the body is left to be parsed from `root` when needed.
fn decode(r: &mut Reader, root: &Path) -> Option<(Module, Option<Stamp>)> {
    let string = |r: &mut Reader| r.str().map(str::to_owned);
    let opt_string = |r: &mut Reader| r.opt_str().map(|s| s.map(str::to_owned));
    let position = |r: &mut Reader| {
        Some(Position {
            path: PathBuf::from(r.str()?),
            line: r.varint()? as usize,
            column: r.varint()? as usize,
            snippet: String::new(),
        })
    };
    let key = r.u64()?;
    let card_key = r.u64()?;
    let slug = string(r)?;
    let scope = opt_string(r)?.map_or(Scope::National, Scope::Regency);
    let source = PathBuf::from(r.str()?);
    let text_hash = r.u64()?;
    let i128 = |r: &mut Reader| Some(i128::from_le_bytes(r.take(16)?.try_into().ok()?));
    let stamp = match r.byte()? {
        0 => None,
        1 => Some(Stamp { len: r.u64()?, modified_ns: i128(r)?, changed_ns: i128(r)?, inode: r.u64()? }),
        _ => return None,
    };
    let module = Module {
        key,
        card_key,
        slug,
        scope,
        path: root.join(&source),
        source,
        text_hash,
        title: string(r)?,
        summary: opt_string(r)?,
        roles: r.many(string)?,
        topic: string(r)?,
        order: r.u64()? as i64,
        updated: match r.opt_str()? {
            Some(d) => Some(crate::date::Date::parse(d).ok()?),
            None => None,
        },
        draft: r.byte()? == 1,
        headings: r.many(|r| Some(Heading { level: r.byte()?, id: string(r)?, text: string(r)? }))?,
        sections: r.many(|r| {
            let (anchor, heading) = (opt_string(r)?, string(r)?);
            Some(SectionHead { anchor, heading, search: DocHashes { words: r.u64()?, shown: r.u64()? } })
        })?,
        links: r.many(|r| Some(Link { slug: string(r)?, anchor: opt_string(r)?, at: position(r)? }))?,
        local_refs: r.many(|r| Some((string(r)?, position(r)?)))?,
        assets: r.many(|r| Some(Asset { rel_out: PathBuf::from(r.str()?), src: PathBuf::from(r.str()?) }))?,
        tasks: r.varint()? as usize,
        body: std::sync::OnceLock::new(),
    };
    r.bytes.is_empty().then_some((module, stamp))
}
