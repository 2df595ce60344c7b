//! Stage 4, model: parsed modules, schedules and regencies assembled into one [`Site`] — a plain value
//! holding, for every regency, the modules it shows (local overrides winning) and its events — and the
//! checks that need that whole picture (links and `module:` references resolved per regency).

mod cache;

pub use cache::ModuleCache;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::regency::RegencyInfo;
use crate::content::{self, Asset, Scope, Sources};
use crate::date::Date;
use crate::diagnostics::{Diagnostic, Diagnostics, Position};
use crate::i18n::Catalog;
use crate::markdown::{self, Heading};
use crate::schedule::{self, Event};

/// A module ready to render. Its body (HTML and searchable text) is held when the module was parsed
/// in this build, and parsed again from its file when needed if it came from the build cache.
#[derive(Debug)]
pub struct Module {
    pub slug: String,
    pub scope: Scope,
    pub source: PathBuf,
    pub title: String,
    pub summary: Option<String>,
    pub roles: Vec<String>,
    pub topic: String,
    pub order: i64,
    pub updated: Option<Date>,
    pub draft: bool,
    /// A hash of everything the module is parsed from: it stands for the body in page fingerprints.
    pub key: u64,
    /// A hash of what lists of modules show of it (see [`Module::card_hash`]): listing pages
    /// stand for their entries by these, so an edit inside one module's body remakes no listing.
    pub card_key: u64,
    pub headings: Vec<Heading>,
    /// Each section of the body, with a hash of its text, for the search index.
    pub sections: Vec<SectionHead>,
    pub links: Vec<Link>,
    /// Links and images to files of the site (and `#anchors` of the page), for `bimtek check`.
    pub local_refs: Vec<(String, Position)>,
    pub assets: Vec<Asset>,
    /// Task-list items in the body, ticked on the day as a checklist.
    pub tasks: usize,
    /// The file, to parse the body again.
    path: PathBuf,
    text_hash: u64,
    body: std::sync::OnceLock<Result<Arc<Body>, Diagnostic>>,
}

/// A section of a module, without its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionHead {
    /// The heading's id; None for the text before the first heading.
    pub anchor: Option<String>,
    pub heading: String,
    /// What the section is known by as a search document.
    pub search: crate::search::index::DocHashes,
}

/// What a module's page and its search documents are made of.
#[derive(Debug)]
pub struct Body {
    /// Module links in it point to `../<slug>/`, as seen from the module's own page. `None` once
    /// released after the module's last page was rendered.
    html: std::sync::Mutex<Option<String>>,
    /// Plain text by section, in the order of [`Module::sections`]. `None` once released after
    /// the search index took the last of them.
    sections: std::sync::Mutex<Option<Vec<markdown::Section>>>,
}

impl Body {
    /// Bytes held, roughly: the HTML and the section texts.
    fn size(&self) -> usize {
        let html = self.html.lock().map_or(0, |h| h.as_ref().map_or(0, String::len));
        let sections = self.sections.lock().map_or(0, |s| s.iter().flatten().map(|s| s.text.len()).sum());
        html + sections
    }
}

/// A part of a [`Body`] that `build` lets go of once nothing needs it any more.
type Part<T> = fn(&Body) -> &std::sync::Mutex<Option<T>>;

impl Module {
    /// Hashes what a module's entry in a list (its card in the theme, its line in the sitemap) is
    /// made from: slug, title, summary, topic, roles, scope and date. A field a list comes to show
    /// must be added here, or listings would keep showing its old value after it changed.
    fn card_hash(&self) -> u64 {
        let mut hasher = crate::hash::Hasher::default();
        let (year, month, day) = self.updated.map_or((0, 0, 0), |d| (d.year, d.month, d.day));
        hasher.write(&[u8::from(self.summary.is_some()), u8::from(self.scope == Scope::National)]);
        hasher.write(&[(self.roles.len() as u64).to_le_bytes(), i64::from(year).to_le_bytes()].concat());
        hasher.write(&[month.to_le_bytes(), day.to_le_bytes()].concat());
        for text in [&self.slug, &self.title, &self.topic].into_iter().chain(&self.summary).chain(&self.roles) {
            hasher.field(text.as_bytes());
        }
        hasher.finish()
    }

    /// The body's HTML, handed to `f`: from the body held, or parsed again if it was released.
    pub fn with_html<R>(&self, config: &Config, catalog: &Catalog, f: impl FnOnce(&str) -> R) -> Result<R, Diagnostic> {
        self.with_part(config, catalog, |b| &b.html, |html| f(html))
    }

    /// Lets go of the body's HTML (a module page's largest part) once no page needs it any more:
    /// `build` keeps the site's memory down this way while it renders.
    pub fn release_html(&self) {
        self.release_part(|b| &b.html);
    }

    /// Hands `f` the plain text of the body's section `index`: from the body held, or parsed again
    /// if the texts were released.
    pub fn with_section_text<R>(
        &self,
        config: &Config,
        catalog: &Catalog,
        index: usize,
        f: impl FnOnce(&str) -> R,
    ) -> Result<R, Diagnostic> {
        self.with_part(config, catalog, |b| &b.sections, |sections| f(sections.get(index).map_or("", |s| &s.text)))
    }

    /// Lets go of the body's section texts once the search index has taken them all: held for
    /// every module from its page until then, they were most of a large build's memory.
    pub fn release_sections(&self) {
        self.release_part(|b| &b.sections);
    }

    /// A part of the body, handed to `f`: from the body held, or from the body parsed again if
    /// that part was released.
    fn with_part<T: Default, R>(
        &self,
        config: &Config,
        catalog: &Catalog,
        part: Part<T>,
        f: impl FnOnce(&T) -> R,
    ) -> Result<R, Diagnostic> {
        let body = self.body(config, catalog)?;
        let held = part(body).lock().unwrap_or_else(|p| p.into_inner());
        if let Some(value) = held.as_ref() {
            return Ok(f(value));
        }
        drop(held);
        let again = self.parse_again(config, catalog)?;
        let value = part(&again).lock().unwrap_or_else(|p| p.into_inner()).take().unwrap_or_default();
        Ok(f(&value))
    }

    fn release_part<T>(&self, part: Part<T>) {
        if let Some(Ok(body)) = self.body.get() {
            *part(body).lock().unwrap_or_else(|p| p.into_inner()) = None;
        }
    }

    /// The body, parsed again from the file when it was not kept. A file changed since the build
    /// read it is an error rather than a page that disagrees with the rest of the site.
    pub fn body(&self, config: &Config, catalog: &Catalog) -> Result<&Body, Diagnostic> {
        self.body.get_or_init(|| self.parse_again(config, catalog).map(Arc::new)).as_deref().map_err(Clone::clone)
    }

    fn parse_again(&self, config: &Config, catalog: &Catalog) -> Result<Body, Diagnostic> {
        let file = content::read_text(Path::new(""), &self.path).map(|mut f| {
            f.rel = self.source.clone();
            f
        })?;
        let changed = || {
            Diagnostic::error(&self.source, "the file changed while the site was being built").with_hint("build again")
        };
        if crate::hash::hash(file.text.as_bytes()) != self.text_hash {
            return Err(changed());
        }
        let source = content::ModuleSource {
            scope: self.scope.clone(),
            slug: self.slug.clone(),
            path: self.path.clone(),
            text_hash: Some(self.text_hash),
            stamp: None,
            unread: false,
            file,
            assets: self.assets.clone(),
        };
        let parsed = parse_module(source, config, catalog, self.key)
            .map_err(|d| d.into_iter().next().unwrap_or_else(changed))?;
        let body = parsed.body.into_inner().unwrap_or_else(|| Err(changed()))?;
        Arc::into_inner(body).ok_or_else(changed)
    }
}

/// A link from a module to another module, where it is written.
#[derive(Debug, Clone)]
pub struct Link {
    pub slug: String,
    pub anchor: Option<String>,
    pub at: Position,
}

/// One regency: one site.
#[derive(Debug)]
pub struct Regency {
    pub slug: String,
    pub info: RegencyInfo,
    /// Sorted by topic (config order), `order`, title.
    pub modules: Vec<Arc<Module>>,
    /// Sorted by start date, end date, time, title.
    pub events: Vec<Arc<Event>>,
    /// Stable id of each event, in the order of `events` (anchors, `.ics` names, UIDs).
    pub event_ids: Vec<String>,
    /// Position of each module in `modules`, by slug: links are resolved per module, so a scan
    /// would make large regencies quadratic.
    by_slug: crate::hash::FastMap<String, usize>,
    /// How many modules each topic and each role has here, by key.
    pub topic_counts: HashMap<String, usize>,
    pub role_counts: HashMap<String, usize>,
}

impl Regency {
    pub fn new(slug: String, info: RegencyInfo, modules: Vec<Arc<Module>>, events: Vec<Arc<Event>>) -> Regency {
        let event_ids = schedule::event_ids(&events.iter().map(AsRef::as_ref).collect::<Vec<_>>());
        let by_slug = modules.iter().enumerate().map(|(i, m)| (m.slug.clone(), i)).collect();
        // Counted by borrowed keys: a copy of its topic and roles for each of 10,000 modules was
        // most of making a regency.
        let (mut topics, mut roles) = (crate::hash::FastMap::default(), crate::hash::FastMap::default());
        for m in &modules {
            *topics.entry(m.topic.as_str()).or_insert(0) += 1;
            for role in &m.roles {
                *roles.entry(role.as_str()).or_insert(0) += 1;
            }
        }
        let owned =
            |counts: crate::hash::FastMap<&str, usize>| counts.into_iter().map(|(k, n)| (k.to_owned(), n)).collect();
        let (topic_counts, role_counts) = (owned(topics), owned(roles));
        Regency { slug, info, modules, events, event_ids, by_slug, topic_counts, role_counts }
    }

    pub fn module(&self, slug: &str) -> Option<&Arc<Module>> {
        self.by_slug.get(slug).map(|&i| &self.modules[i])
    }
}

#[derive(Debug)]
pub struct Site {
    pub config: Config,
    pub catalog: Catalog,
    /// Sorted by slug.
    pub regencies: Vec<Regency>,
    pub statics: Vec<Asset>,
}

pub struct ModelOptions<'a> {
    pub drafts: bool,
    /// Modules parsed by earlier builds of this process (`serve`), reused when nothing they were
    /// parsed from has changed.
    pub cache: Option<&'a ModuleCache>,
    /// Keep of each module only what the model needs, not the source lines of its links (read
    /// again if one breaks), nor its body (parsed again when its page is rendered) past the
    /// first [`BODY_BUDGET`] bytes of bodies: `build` holds every module at once, and at 50,000
    /// modules their bodies were most of its memory.
    pub lean: bool,
}

/// Parses every source (in parallel) and assembles the site, collecting every problem.
pub fn assemble(
    config: Config,
    catalog: Catalog,
    sources: Sources,
    options: &ModelOptions,
    problems: &mut Diagnostics,
) -> Option<Site> {
    let slugs: Vec<String> = sources.modules.iter().map(|m| m.slug.clone()).collect();
    let setup = cache::setup(&config, &catalog);
    let held = std::sync::atomic::AtomicUsize::new(0);
    // Each module with the stamp of its file and the hash of its text, for the next build.
    let parsed: Vec<(Option<Stamped>, Parsed)> = sources
        .modules
        .into_par_iter()
        .map(|source| {
            let stamped =
                |source: &content::ModuleSource, hash| source.stamp.map(|s| (source.file.rel.clone(), (s, hash)));
            if let Some(hash) = source.text_hash {
                if let Some(module) = options.cache.and_then(|cache| cache.get(cache::key(&source, hash, setup))) {
                    return (stamped(&source, hash), Ok(module));
                }
            }
            let source = match source.read() {
                Ok(source) => source,
                Err(d) => return (None, Err(vec![d])),
            };
            let hash = source.text_hash.unwrap_or_default();
            // Read just now: a file edited since its stamp was taken has a new key.
            let key = cache::key(&source, hash, setup);
            let stamp = stamped(&source, hash);
            (stamp, parse_module(source, &config, &catalog, key).map(|module| lean(module, options, &held)))
        })
        .collect();
    let (stamps, modules): (Vec<_>, Vec<_>) = parsed.into_iter().unzip();
    // What the cache keeps for the next build is worked out beside the reference check, at the
    // end: on the main thread, the two took a fifth of the model's time after an edit.
    let for_cache = options.cache.map(|cache| {
        let kept: Vec<Arc<Module>> = modules.iter().filter_map(|m| m.as_ref().ok().cloned()).collect();
        (cache, stamps, kept)
    });
    let schedules: Vec<Result<schedule::Schedule, Vec<Diagnostic>>> = sources
        .schedules
        .par_iter()
        .map(|s| schedule::parse(&s.file.rel, &s.file.text, &s.slug, &s.scope, &config))
        .collect();
    let regencies: Vec<(String, Result<RegencyInfo, Vec<Diagnostic>>)> = sources
        .regencies
        .iter()
        .map(|r| (r.slug.clone(), content::regency::parse(&r.file.rel, &r.file.text)))
        .collect();

    let mut by_scope: BTreeMap<Scope, BTreeMap<String, Arc<Module>>> = BTreeMap::new();
    // Modules that exist but could not be parsed: links to them are not reported again.
    let mut unparsed: BTreeSet<String> = BTreeSet::new();
    let mut drafts: BTreeSet<String> = BTreeSet::new();
    for (module, slug) in modules.into_iter().zip(slugs) {
        match module {
            Ok(m) if m.draft && !options.drafts => {
                drafts.insert(m.slug.clone());
            }
            Ok(m) => {
                by_scope.entry(m.scope.clone()).or_default().insert(m.slug.clone(), m);
            }
            Err(d) => {
                unparsed.insert(slug);
                problems.extend(d);
            }
        }
    }
    let mut events_by_scope: BTreeMap<Scope, Vec<Arc<Event>>> = BTreeMap::new();
    for s in schedules {
        match s {
            Ok(s) => events_by_scope.entry(s.scope.clone()).or_default().extend(s.events.into_iter().map(Arc::new)),
            Err(d) => problems.extend(d),
        }
    }
    let national = by_scope.remove(&Scope::National).unwrap_or_default();
    let national_events = events_by_scope.remove(&Scope::National).unwrap_or_default();

    let mut site_regencies = Vec::new();
    for (slug, info) in regencies {
        let info = match info {
            Ok(info) => info,
            Err(d) => {
                problems.extend(d);
                continue;
            }
        };
        let scope = Scope::Regency(slug.clone());
        let own = by_scope.remove(&scope).unwrap_or_default();
        // The regency's own modules in place of national ones of the same name; by borrowed
        // names, not a copy of every national module's name for each regency.
        let mut by_name: BTreeMap<&str, &Arc<Module>> = national.iter().map(|(k, m)| (k.as_str(), m)).collect();
        by_name.extend(own.iter().map(|(k, m)| (k.as_str(), m)));
        let topic_rank: HashMap<&str, usize> =
            config.topics.iter().enumerate().map(|(i, t)| (t.key.as_str(), i)).collect();
        // Each module's topic ranked once, not at each comparison.
        let mut ranked: Vec<(Option<usize>, &Arc<Module>)> =
            by_name.into_values().map(|m| (topic_rank.get(m.topic.as_str()).copied(), m)).collect();
        ranked.sort_by(|(ta, a), (tb, b)| (ta, a.order, &a.title, &a.slug).cmp(&(tb, b.order, &b.title, &b.slug)));
        let modules: Vec<Arc<Module>> = ranked.into_iter().map(|(_, m)| Arc::clone(m)).collect();
        let mut events: Vec<Arc<Event>> = national_events.clone();
        events.extend(events_by_scope.remove(&scope).unwrap_or_default());
        events.sort_by(|a, b| {
            (a.start, a.end, a.time, &a.title, &a.position.path, a.position.line).cmp(&(
                b.start,
                b.end,
                b.time,
                &b.title,
                &b.position.path,
                b.position.line,
            ))
        });
        site_regencies.push(Regency::new(slug, info, modules, events));
    }
    check_events(&site_regencies, problems);
    let skip = References { national: &national, unparsed: &unparsed, drafts: &drafts };
    rayon::join(
        || check_references(&site_regencies, &skip, &catalog, problems),
        || {
            if let Some((cache, stamps, kept)) = for_cache {
                cache.stamp(stamps.into_iter().flatten().collect());
                cache.keep(kept);
            }
        },
    );
    if problems.has_errors() {
        return None;
    }
    Some(Site { config, catalog, regencies: site_regencies, statics: sources.statics })
}

/// A file's path (relative to the project), its stamp and the hash of its text.
type Stamped = (PathBuf, (content::Stamp, u64));

type Parsed = Result<Arc<Module>, Vec<Diagnostic>>;

/// Bytes of module bodies (HTML and section texts) a lean model holds. A body held is not parsed a
/// second time for its page: the first 10,000 modules or so, every module of most projects.
/// Which ones are held depends on the order the threads parse them in; what the site shows does
/// not, for a body parsed again is the same body.
pub const BODY_BUDGET: usize = 160 << 20;

/// [`BODY_BUDGET`], or the bytes `BIMTEK_BODY_BUDGET` names: the tests set it to 0, so the bodies
/// of their small projects are parsed again for their pages, as a large project's are.
fn body_budget() -> usize {
    static BUDGET: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *BUDGET.get_or_init(|| std::env::var("BIMTEK_BODY_BUDGET").ok().and_then(|v| v.parse().ok()).unwrap_or(BODY_BUDGET))
}

/// The module as the model keeps it: when the build is lean, without the source lines of its
/// links, and without its body once `held` bodies take up the [`BODY_BUDGET`].
fn lean(mut module: Module, options: &ModelOptions, held: &std::sync::atomic::AtomicUsize) -> Arc<Module> {
    if options.lean {
        let size = module.body.get().and_then(|b| b.as_ref().ok()).map_or(0, |b| b.size());
        let before = held.fetch_add(size, std::sync::atomic::Ordering::Relaxed);
        if before + size > body_budget() {
            module.body = std::sync::OnceLock::new();
        }
        for at in module.links.iter_mut().map(|l| &mut l.at).chain(module.local_refs.iter_mut().map(|(_, at)| at)) {
            at.snippet = String::new();
        }
    }
    Arc::new(module)
}

fn parse_module(
    source: content::ModuleSource,
    config: &Config,
    catalog: &Catalog,
    key: u64,
) -> Result<Module, Vec<Diagnostic>> {
    let file = &source.file;
    let parsed = content::module::parse(&file.rel, &file.text, config)?;
    let rendered = markdown::render(
        parsed.body,
        &markdown::Options { catalog, module_prefix: "../", trusted: config.markdown.raw_html },
    );
    // Indexed once: placing each link by scanning from the top was quadratic in links.
    let lines = crate::diagnostics::Lines::new(parsed.body);
    if !rendered.bad_links.is_empty() {
        return Err(rendered
            .bad_links
            .iter()
            .map(|bad| {
                lines
                    .at_offset(&file.rel, bad.offset, parsed.body_line_offset)
                    .error(format!("broken link: {}", bad.message))
                    .with_hint("link to a module by its file name, e.g. `kode-etik-netralitas.md` or `tata-letak-tps/index.md`")
            })
            .collect());
    }
    let at = |offset| lines.at_offset(&file.rel, offset, parsed.body_line_offset);
    let links = rendered.links.into_iter().map(|l| Link { slug: l.slug, anchor: l.anchor, at: at(l.offset) }).collect();
    let local_refs = rendered.local_refs.into_iter().map(|r| (r.dest, at(r.offset))).collect();
    let front = parsed.front;
    let sections = rendered
        .sections
        .iter()
        .map(|s| SectionHead {
            anchor: s.anchor.clone(),
            heading: s.heading.clone(),
            search: crate::search::docs::section_hashes(
                &source.slug,
                &front.title,
                front.summary.as_deref(),
                s.anchor.as_deref(),
                &s.heading,
                &s.text,
            ),
        })
        .collect();
    let body = Body { html: Some(rendered.html).into(), sections: Some(rendered.sections).into() };
    let mut module = Module {
        slug: source.slug,
        scope: source.scope,
        source: file.rel.clone(),
        title: front.title,
        summary: front.summary,
        roles: front.roles,
        topic: front.topic,
        order: front.order,
        updated: front.updated,
        draft: front.draft,
        key,
        headings: rendered.headings,
        sections,
        links,
        local_refs,
        assets: source.assets,
        tasks: rendered.tasks,
        path: source.path,
        text_hash: source.text_hash.unwrap_or_else(|| crate::hash::hash(file.text.as_bytes())),
        body: Ok(Arc::new(body)).into(),
        card_key: 0,
    };
    module.card_key = module.card_hash();
    Ok(module)
}

/// Module links and `module:` references must resolve in every regency that shows them. A national
/// module linking to a module only some regencies have is reported once, naming those that lack it.
/// What the reference check needs to know beyond the regencies themselves.
struct References<'a> {
    national: &'a BTreeMap<String, Arc<Module>>,
    /// Slugs of modules whose own errors are already reported.
    unparsed: &'a BTreeSet<String>,
    /// Slugs of drafts left out of this build.
    drafts: &'a BTreeSet<String>,
}

fn check_references(regencies: &[Regency], refs: &References, catalog: &Catalog, problems: &mut Diagnostics) {
    // (position, target) -> regencies where it is missing
    // (file, line, column, target, kind) -> (where, regencies lacking the target)
    type Missing = BTreeMap<(PathBuf, usize, usize, String, &'static str), (Position, BTreeSet<String>)>;
    let mut missing = Missing::new();
    let mut note = |pos: &Position, file: Option<&Path>, target: &str, kind: &'static str, regency: &str| {
        missing
            .entry((pos.path.clone(), pos.line, pos.column, target.to_owned(), kind))
            .or_insert_with(|| (with_snippet(pos, file), BTreeSet::new()))
            .1
            .insert(regency.to_owned());
    };
    for regency in regencies {
        let exists = |slug: &str| regency.module(slug).is_some() || refs.unparsed.contains(slug);
        for module in &regency.modules {
            for link in &module.links {
                if !exists(&link.slug) {
                    note(&link.at, Some(&module.path), &link.slug, "link", &regency.slug);
                }
            }
        }
        for event in &regency.events {
            if let (Some(target), Some(pos)) = (&event.module, &event.module_position) {
                if !exists(target) {
                    note(pos, None, target, "module", &regency.slug);
                }
            }
            if let (Some(text), Some(pos)) = (&event.note, &event.note_position) {
                let rendered =
                    markdown::render(text, &markdown::Options { catalog, module_prefix: "", trusted: false });
                for bad in &rendered.bad_links {
                    problems.push(pos.error(format!("broken link in `note`: {}", bad.message)));
                }
                for link in rendered.links {
                    if !exists(&link.slug) {
                        note(pos, None, &link.slug, "link", &regency.slug);
                    }
                }
            }
        }
    }
    let all: BTreeSet<String> = regencies.iter().map(|r| r.slug.clone()).collect();
    let national: Vec<&str> = refs.national.keys().map(String::as_str).collect();
    for ((_, _, _, target, kind), (pos, lacking)) in missing {
        let what = if kind == "link" { "link to" } else { "`module:` names" };
        let message = if lacking == all {
            format!("{what} module `{target}`, which does not exist")
        } else {
            let list: Vec<&str> = lacking.iter().map(String::as_str).collect();
            format!("{what} module `{target}`, which regency {} does not have", list.join(", "))
        };
        let hint = if refs.drafts.contains(&target) {
            "that module is a draft; publish it (remove `draft: true`) or build with `--drafts`".to_owned()
        } else {
            match closest(&target, &national) {
                Some(close) => format!("did you mean `{close}`? Link to a module by its file name, e.g. `{close}.md`"),
                None => "fix the name, or create the module".to_owned(),
            }
        };
        problems.push(pos.error(message).with_hint(hint));
    }
}

/// `pos`, with its line read from `file` when the build cache left it out.
fn with_snippet(pos: &Position, file: Option<&Path>) -> Position {
    let mut pos = pos.clone();
    if let (true, Some(file)) = (pos.snippet.is_empty(), file) {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        pos.snippet = text.lines().nth(pos.line.saturating_sub(1)).unwrap_or_default().to_owned();
    }
    pos
}

/// Warnings, not errors: an event listed twice, and a year far from every other event's, which is
/// most often a typo (2042 for 2024).
fn check_events(regencies: &[Regency], problems: &mut Diagnostics) {
    let mut years: Vec<i32> = regencies.iter().flat_map(|r| r.events.iter().map(|e| e.start.year)).collect();
    years.sort_unstable();
    let typical = years.get(years.len() / 2).copied();
    for regency in regencies {
        let mut seen: BTreeMap<(String, Date, Date, Option<crate::date::TimeRange>), &Event> = BTreeMap::new();
        for event in &regency.events {
            let key = (event.title.to_lowercase(), event.start, event.end, event.time);
            if let Some(first) = seen.get(&key) {
                let (a, b) =
                    if (&first.position.path, first.position.line) <= (&event.position.path, event.position.line) {
                        (*first, event.as_ref())
                    } else {
                        (event.as_ref(), *first)
                    };
                problems.push(
                    b.position.warning(format!("the event `{}` on {} is listed twice", b.title, b.start)).with_hint(
                        format!("it is also at {}:{}; remove one of them", a.position.path.display(), a.position.line),
                    ),
                );
            } else {
                seen.insert(key, event);
            }
        }
        if let Some(typical) = typical {
            for event in &regency.events {
                if (event.start.year - typical).abs() > 1 || (event.end.year - typical).abs() > 1 {
                    problems.push(
                        event
                            .date_position
                            .warning(format!(
                                "{} is far from the other events, which are around {typical}",
                                event.start
                            ))
                            .with_hint("check the year; a typo such as 2042 for 2024 is easy to miss"),
                    );
                }
            }
        }
    }
}

/// The candidate nearest to `word` by edit distance, when near enough to be a likely typo.
fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let distance = |a: &str, b: &str| {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut diagonal = row[0];
            row[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let above = row[j + 1];
                row[j + 1] = (diagonal + usize::from(ca != *cb)).min(row[j] + 1).min(above + 1);
                diagonal = above;
            }
        }
        row[b.len()]
    };
    candidates
        .iter()
        .map(|c| (distance(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3) || c.starts_with(word))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggests_near_names_only() {
        let names = ["kode-etik", "pemungutan-suara", "logistik"];
        assert_eq!(closest("kode-etk", &names), Some("kode-etik"));
        assert_eq!(closest("pemungutan", &names), Some("pemungutan-suara"));
        assert_eq!(closest("denah", &names), None);
    }
}
