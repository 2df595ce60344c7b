//! The build cache of parsed modules: what a module is, apart from its body, by a hash of everything
//! parsing reads. `serve` keeps it in memory between rebuilds; `build` keeps it beside the output
//! folder between runs, with each file's stamp, so an unchanged module is neither read nor parsed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Link, Module, SectionHead};
use crate::config::Config;
use crate::content::{self, Asset, Scope, Stamp};
use crate::diagnostics::Position;
use crate::i18n::Catalog;
use crate::markdown::Heading;

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

/// What everything parsed depends on besides the file: the config, the UI strings and this program.
pub fn setup(config: &Config, catalog: &Catalog) -> u64 {
    let mut hasher = crate::hash::Hasher::default();
    hasher.field(format!("{config:?}{catalog:?}").as_bytes());
    hasher.write(&crate::hash::program().to_le_bytes());
    hasher.finish()
}

/// The cache key of a module: its file (by name and text), its folder's files, and the [`setup`].
pub fn key(source: &content::ModuleSource, setup: u64) -> u64 {
    let mut hasher = crate::hash::Hasher::default();
    hasher.write(&setup.to_le_bytes());
    hasher.field(source.file.rel.to_string_lossy().as_bytes());
    hasher.write(&source.text_hash.to_le_bytes());
    hasher.field(format!("{:?}{:?}", source.scope, source.assets).as_bytes());
    hasher.finish()
}

/// A module as stored on disk.
#[derive(Serialize, Deserialize)]
struct Stored {
    key: u64,
    slug: String,
    scope: Option<String>,
    source: PathBuf,
    text_hash: u64,
    /// The file's stamp when it was read, so the next build need not read it.
    stamp: Option<Stamp>,
    title: String,
    summary: Option<String>,
    roles: Vec<String>,
    topic: String,
    order: i64,
    updated: Option<String>,
    draft: bool,
    headings: Vec<Heading>,
    sections: Vec<SectionHead>,
    links: Vec<(String, Option<String>, Position)>,
    local_refs: Vec<(String, Position)>,
    assets: Vec<(PathBuf, PathBuf)>,
    tasks: usize,
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

    /// The text hash recorded for the file at `rel` when it had this stamp: the file need not be
    /// read.
    pub fn known(&self, rel: &Path, stamp: &Stamp) -> Option<u64> {
        let stamps = self.stamps.lock().ok()?;
        stamps.get(rel).filter(|(s, _)| s == stamp).map(|&(_, hash)| hash)
    }

    /// The cache stored at `path` by earlier builds of the project at `root`; empty when there is
    /// none or it cannot be read (it is only ever a shortcut).
    pub fn load(path: &Path, root: &Path) -> ModuleCache {
        let cache = ModuleCache::default();
        let Ok(text) = std::fs::read_to_string(path) else { return cache };
        let mut lines = text.lines();
        if lines.next() != Some(header().as_str()) {
            // A log of another layout is replaced whole, never appended to.
            return ModuleCache { log: Mutex::new(Log { torn: true, ..Log::default() }), ..cache };
        }
        let records: Vec<Option<Stored>> =
            lines.collect::<Vec<_>>().into_par_iter().map(|line| serde_json::from_str(line).ok()).collect();
        let mut log = Log { records: records.len(), ..Log::default() };
        let mut stamps = HashMap::new();
        let mut modules = HashMap::new();
        // Later records are newer: they win.
        for stored in records {
            let Some(stored) = stored else {
                // Cut short by a build that was stopped while appending: start the log anew.
                log.torn = true;
                continue;
            };
            if let Some(stamp) = stored.stamp {
                stamps.insert(stored.source.clone(), (stamp, stored.text_hash));
            }
            log.held.insert(stored.key, stored.stamp);
            if let Some(module) = stored.into_module(root) {
                modules.insert(module.key, Arc::new(module));
            }
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
        let mut bytes = Vec::new();
        if whole {
            bytes.extend(header().as_bytes());
            bytes.push(b'\n');
        }
        for m in &fresh {
            serde_json::to_writer(&mut bytes, &Stored::of(m, stamp(m))).map_err(std::io::Error::other)?;
            bytes.push(b'\n');
        }
        if whole {
            let partial = path.with_extension("partial");
            std::fs::write(&partial, bytes)?;
            std::fs::rename(&partial, path)?;
            *log = Log { records: fresh.len(), ..Log::default() };
        } else {
            use std::io::Write;
            std::fs::OpenOptions::new().append(true).open(path)?.write_all(&bytes)?;
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
    format!("bimtek module cache 3, {:016x}", crate::hash::program())
}

fn bare(at: &Position) -> Position {
    Position { snippet: String::new(), ..at.clone() }
}

impl Stored {
    fn of(m: &Module, stamp: Option<Stamp>) -> Stored {
        Stored {
            key: m.key,
            slug: m.slug.clone(),
            scope: match &m.scope {
                Scope::National => None,
                Scope::Regency(r) => Some(r.clone()),
            },
            source: m.source.clone(),
            text_hash: m.text_hash,
            stamp,
            title: m.title.clone(),
            summary: m.summary.clone(),
            roles: m.roles.clone(),
            topic: m.topic.clone(),
            order: m.order,
            updated: m.updated.map(|d| d.to_string()),
            draft: m.draft,
            headings: m.headings.clone(),
            sections: m.sections.clone(),
            // Without the line itself: the snippet is only shown if the link breaks, and is then
            // read again from the file (see `check_references`); long lines made most of the cache.
            links: m.links.iter().map(|l| (l.slug.clone(), l.anchor.clone(), bare(&l.at))).collect(),
            local_refs: m.local_refs.iter().map(|(dest, at)| (dest.clone(), bare(at))).collect(),
            assets: m.assets.iter().map(|a| (a.rel_out.clone(), a.src.clone())).collect(),
            tasks: m.tasks,
        }
    }

    fn into_module(self, root: &Path) -> Option<Module> {
        let source = self.source;
        Some(Module {
            key: self.key,
            slug: self.slug,
            scope: self.scope.map_or(Scope::National, Scope::Regency),
            source: source.clone(),
            title: self.title,
            summary: self.summary,
            roles: self.roles,
            topic: self.topic,
            order: self.order,
            updated: match self.updated {
                Some(d) => Some(crate::date::Date::parse(&d).ok()?),
                None => None,
            },
            draft: self.draft,
            headings: self.headings,
            sections: self.sections,
            links: self.links.into_iter().map(|(slug, anchor, at)| Link { slug, anchor, at }).collect(),
            local_refs: self.local_refs,
            assets: self.assets.into_iter().map(|(rel_out, src)| Asset { rel_out, src }).collect(),
            tasks: self.tasks,
            path: root.join(&source),
            text_hash: self.text_hash,
            body: std::sync::OnceLock::new(),
        })
    }
}
