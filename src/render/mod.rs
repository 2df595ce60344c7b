//! Stage 5, render: the model through the theme's tera templates into the files of every site.
//! Pages are described first (path, template, context), then rendered and minified in parallel.

mod hosting;
mod ical;
pub mod offline;
mod timeline;
mod views;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::content::Scope;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::{AddError, Body, Output, Previous};
use crate::site::{Regency, Site};
use crate::theme::{StaticSource, Theme};
pub use hosting::{CONTENT_SECURITY_POLICY, host_files};
use views::{event_view, module_card, role_links, term_view};

pub struct RenderOptions<'a> {
    pub minify: bool,
    /// Pages of the previous build, reused when their fingerprint is unchanged.
    pub previous: &'a Previous,
    /// Render only the pages at these paths, and nothing else: no search index, feeds or copied
    /// files (`serve` shows the open pages first, then builds the rest).
    pub only: Option<&'a std::collections::BTreeSet<String>>,
    /// Where `build` writes pages as soon as they are rendered, instead of holding them.
    pub sink: Option<&'a crate::output::trees::Writer>,
    /// SOURCE_DATE_EPOCH, when the build was given one.
    pub timestamp: Option<i64>,
    /// What indexing learnt in earlier builds, and learns in this one.
    pub search: Option<&'a std::sync::Mutex<crate::search::cache::SearchCache>>,
}

/// One page to render. Its context is made when the page is rendered, in parallel, and dropped
/// right after: contexts hold copies of the pages' content, too much to keep for every page.
pub(super) struct Job<'a> {
    path: String,
    template: &'static str,
    context: Make<'a>,
    /// What the fingerprint stands for without holding, added only when the page is rendered: a
    /// module's body, parsed again if it was not kept.
    late: Option<Late<'a>>,
}

/// Adds a module's body to its page's context: with `splice`, the context gets [`BODY_MARK`] in
/// its place and the body is returned, to be put where the mark lands in the rendered page.
type Late<'a> = Box<dyn FnOnce(&mut Context, bool) -> Result<Option<String>, Diagnostic> + Send + 'a>;

/// Stands for a module's body in its rendered page until the body is spliced in. An element:
/// escaped, no value from YAML can spell it, and minify-html keeps it as it is.
const BODY_MARK: &str = "<bimtek-body></bimtek-body>";

/// How a page's context is made: made already, or made when the page is rendered, given whether
/// to fill it (see [`PageContext::new`]).
enum Make<'a> {
    Ready(PageContext),
    Later(Box<dyn Fn(bool) -> PageContext + Send + 'a>),
}

impl Make<'_> {
    /// The context, filled only if `fill`; a context made already always is.
    fn make(&mut self, fill: bool) -> PageContext {
        match self {
            Make::Ready(context) => std::mem::replace(context, PageContext::new(false)),
            Make::Later(make) => make(fill),
        }
    }

    /// `made` if it is filled, else the same context made again, filled.
    fn filled(&mut self, made: PageContext) -> PageContext {
        if made.filled { made } else { self.make(true) }
    }
}

impl<'a> Job<'a> {
    pub(super) fn new(
        path: String,
        template: &'static str,
        context: impl Fn(bool) -> PageContext + Send + 'a,
    ) -> Job<'a> {
        Job { path, template, context: Make::Later(Box::new(context)), late: None }
    }

    fn with_late(
        mut self,
        late: impl FnOnce(&mut Context, bool) -> Result<Option<String>, Diagnostic> + Send + 'a,
    ) -> Job<'a> {
        self.late = Some(Box::new(late));
        self
    }

    /// A page whose context was made already.
    pub(super) fn ready(path: String, template: &'static str, context: PageContext) -> Job<'a> {
        Job { path, template, context: Make::Ready(context), late: None }
    }
}

/// A page's template context, hashed as it is filled: with the templates, the hash is the page's
/// fingerprint, and a page whose fingerprint did not change is taken from the previous build.
pub(super) struct PageContext {
    context: Context,
    hasher: crate::hash::Hasher,
    /// Whether values go into `context` as well as into the fingerprint.
    filled: bool,
}

impl PageContext {
    /// A context that is only hashed unless `fill`: a page the previous build has needs its
    /// fingerprint, and its template values only if that changed. Making the values of every
    /// page was a fifth of the CPU of a build after an edit.
    fn new(fill: bool) -> PageContext {
        PageContext { context: Context::new(), hasher: crate::hash::Hasher::default(), filled: fill }
    }

    pub(super) fn insert<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        self.hasher.field(key.as_bytes());
        // A failure would also fail in tera's own serialisation, which reports it.
        let _ = serde_json::to_writer(&mut self.hasher, value);
        self.hasher.write(&[0]);
        if self.filled {
            self.context.insert(key, value);
        }
    }

    /// Adds to the fingerprint what the page's [`Late`] part will bring.
    fn fingerprint_only(&mut self, key: &'static str, value: &[u8]) {
        self.hasher.field(key.as_bytes());
        self.hasher.field(value);
    }

    fn fingerprint(&self, template: &str, setup: u64) -> u64 {
        let mut hasher = self.hasher.clone();
        hasher.field(template.as_bytes());
        hasher.write(&setup.to_le_bytes());
        hasher.finish()
    }
}

/// What every page depends on besides its context: the templates, the globals, minification,
/// and this program itself (a new bimtek may render the same context differently).
fn setup_hash(site: &Site, theme: &Theme, options: &RenderOptions) -> u64 {
    let mut hasher = crate::hash::Hasher::default();
    let _ = serde_json::to_writer(&mut hasher, &site_view(site));
    let _ = serde_json::to_writer(&mut hasher, &theme.catalog);
    for (name, template) in &theme.templates {
        hasher.field(name.as_bytes());
        hasher.field(template.source.as_bytes());
    }
    hasher.write(&[u8::from(options.minify)]);
    hasher.write(&crate::hash::program().to_le_bytes());
    hasher.finish()
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    base_url: &'a str,
    language: &'static str,
}

#[derive(Serialize)]
struct RegencyView<'a> {
    slug: &'a str,
    name: &'a str,
    province: &'a str,
    timezone: &'static str,
    office: Option<&'a str>,
    contacts: &'a [crate::content::regency::Contact],
    url: String,
}

#[derive(Serialize)]
struct SitemapUrl {
    loc: String,
    lastmod: Option<String>,
}

/// Sets what every page shares in tera's global context, once, rather than copying it into each
/// page's context: the site and the UI strings.
pub fn set_globals(tera: &mut Tera, site: &Site, theme: &Theme) {
    tera.global_context().insert("site", &site_view(site));
    tera.global_context().insert("t", &theme.catalog);
}

/// Compiles the theme's templates; a broken template is reported at its file and line.
pub fn compile(theme: &Theme, problems: &mut Diagnostics) -> Option<Tera> {
    let mut tera = Tera::new();
    let sources = theme.templates.iter().map(|(name, t)| (name.as_str(), t.source.as_str()));
    if let Err(err) = tera.add_raw_templates(sources) {
        problems.push(template_error(theme, &err));
        return None;
    }
    Some(tera)
}

fn template_error(theme: &Theme, err: &tera::Error) -> Diagnostic {
    match err.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let template = theme.templates.get(report.filename());
            let origin = template.map_or_else(|| Path::new(report.filename()).to_owned(), |t| t.origin.clone());
            let d = Diagnostic::error(origin, format!("template error: {}", report.message()));
            match template {
                Some(t) => d.at(&t.source, report.span().start_line, report.span().start_col + 1),
                None => d,
            }
        }
        _ => Diagnostic::error(Path::new("themes"), format!("template error: {err}")),
    }
}

/// Why a page was not made.
enum Failed {
    Template(Diagnostic),
    Write(String, std::io::Error),
}

/// One error for the pages that could not be written: on a full disk every page fails alike, and
/// a thousand copies of the same message would bury it.
fn write_failure(errors: Vec<(String, std::io::Error)>) -> Option<Diagnostic> {
    let (page, first) = errors.first()?;
    let more = match errors.len() - 1 {
        0 => String::new(),
        n => format!(" (and {n} more page{} could not be written)", if n == 1 { "" } else { "s" }),
    };
    Some(
        Diagnostic::error(page, format!("could not write the page: {first}{more}"))
            .with_hint("the published site was left as it was; check free space and permissions"),
    )
}

/// Renders every page of the chosen regencies, plus the root pages listing `listed`, into an
/// [`Output`].
pub fn render(
    site: &Site,
    theme: &Theme,
    tera: &Tera,
    regencies: &[&Regency],
    listed: &[&Regency],
    options: &RenderOptions,
    problems: &mut Diagnostics,
) -> Output {
    let mut clock = std::time::Instant::now();
    let want = |path: &str| options.only.is_none_or(|only| only.contains(path));
    // How many pages of this build show each module, when `build` lets go of a module's HTML once
    // the last is rendered (`serve` keeps them for its next rebuild).
    let renders_left: RendersLeft = match options.sink.is_some() && options.only.is_none() {
        true => uses(regencies).into_iter().map(|(module, n)| (module, n.into())).collect(),
        false => RendersLeft::default(),
    };
    let mut jobs: Vec<Job> = root_jobs(site, listed).into_iter().filter(|job| want(&job.path)).collect();
    for regency in regencies {
        jobs.extend(regency_jobs(site, theme, regency, &want, &renders_left));
    }
    crate::lap("contexts", &mut clock);
    let setup = setup_hash(site, theme, options);
    let splice = splices_body(theme.templates.values().map(|t| t.source.as_str()));
    // Search files go to the writer as they are made, like pages: held all at once they were the
    // largest thing in memory after the model.
    let keep = |path: String, bytes: Vec<u8>| -> Result<(String, Body), Failed> {
        let body = match options.sink {
            Some(sink) => sink.put(&path, &bytes).map_err(|e| Failed::Write(path.clone(), e))?,
            None => Body::Bytes(bytes.into()),
        };
        Ok((path, body))
    };
    // `build` lets go of each module's section texts once the index has taken them.
    let release = options.sink.is_some();
    let render_pages = || -> Vec<Result<(String, Body, u64), Failed>> {
        jobs.into_par_iter()
            .map(|mut job| {
                let context = job.context.make(!options.previous.has(&job.path));
                let fingerprint = context.fingerprint(job.template, setup);
                if let Some(body) = options.previous.reuse(&job.path, fingerprint) {
                    return Ok((job.path, body, fingerprint));
                }
                let mut context = job.context.filled(context).context;
                let body = match job.late {
                    Some(late) => late(&mut context, splice).map_err(Failed::Template)?,
                    None => None,
                };
                let html =
                    tera.render(job.template, &context).map_err(|e| Failed::Template(template_error(theme, &e)))?;
                let page =
                    if options.minify && job.path.ends_with(".html") { minify(&html) } else { html.into_bytes() };
                let bytes = match body {
                    Some(body) => splice_body(&page, &body, options.minify),
                    None => page,
                };
                let body = match options.sink {
                    Some(sink) => sink.put(&job.path, &bytes).map_err(|e| Failed::Write(job.path.clone(), e))?,
                    None => Body::Bytes(bytes.into()),
                };
                Ok((job.path, body, fingerprint))
            })
            .collect()
    };
    // The search index is made while the pages are rendered: it needs no page, and while its
    // parts that take one regency at a time run on one thread, the pages keep the other cores
    // busy. Its section texts are let go sooner this way too, so a 50,000-module build peaks
    // lower.
    let index = || match options.only {
        None if !crate::without_search_index() => search_indexes(site, regencies, options, release, &keep),
        _ => Vec::new(),
    };
    let (rendered, indexes) = rayon::join(render_pages, index);
    let mut output = Output::default();
    let mut add_page = |output: &mut Output, path: String, body: Body, fingerprint: Option<u64>, origin: String| {
        if let Err(e) = output.add_page(path, body, fingerprint, origin.clone()) {
            problems.push(match e {
                AddError::Unsafe(p) => {
                    Diagnostic::error(origin, format!("cannot publish `{p}`: the name is not a plain file name"))
                        .with_hint("rename it without `\\`, `:` or other special characters")
                }
                AddError::Taken { path, first } => {
                    Diagnostic::error(origin, format!("the site already has `{path}`, from {first}"))
                        .with_hint("rename or move this file")
                }
            });
        }
    };
    crate::lap("pages+find", &mut clock);
    let mut failed = Vec::new();
    let mut write_errors = Vec::new();
    for result in rendered {
        match result {
            Ok((path, body, fingerprint)) => {
                add_page(&mut output, path, body, Some(fingerprint), "a generated page".to_owned())
            }
            Err(Failed::Template(d)) => failed.push(d),
            Err(Failed::Write(path, e)) => write_errors.push((path, e)),
        }
    }
    if options.only.is_some() {
        problems.extend(failed);
        return output;
    }
    let mut asset_dirs = vec![String::new()];
    asset_dirs.extend(regencies.iter().map(|r| format!("{}/", r.slug)));
    for prefix in &asset_dirs {
        for (name, source) in &theme.statics {
            let path = format!("{prefix}assets/{}", url_path(name));
            let body = match source {
                StaticSource::Builtin(bytes) => Body::Static(bytes),
                StaticSource::File(p) => Body::Copy(p.clone()),
            };
            add_page(&mut output, path, body, None, "the theme".to_owned());
        }
    }
    for file in indexes {
        match file {
            Ok((path, body, fingerprint)) => {
                add_page(&mut output, path, body, fingerprint, "the search index".to_owned())
            }
            Err(Failed::Write(path, e)) => write_errors.push((path, e)),
            Err(Failed::Template(d)) => failed.push(d),
        }
    }
    crate::lap("search", &mut clock);
    failed.extend(write_failure(write_errors));
    for regency in regencies {
        for (path, bytes) in timeline::feeds(site, regency, options.timestamp) {
            add_page(&mut output, path, Body::Bytes(bytes.into()), None, "a calendar feed".to_owned());
        }
        for asset in &site.statics {
            let path = format!("{}/{}", regency.slug, url_path(&asset.rel_out));
            let origin = format!("content/static/{}", url_path(&asset.rel_out));
            add_page(&mut output, path, Body::Copy(asset.src.clone()), None, origin);
        }
        for module in &regency.modules {
            for asset in &module.assets {
                let path = format!("{}/modul/{}/{}", regency.slug, module.slug, url_path(&asset.rel_out));
                let origin = module.source.parent().unwrap_or(&module.source).join(&asset.rel_out);
                add_page(&mut output, path, Body::Copy(asset.src.clone()), None, origin.display().to_string());
            }
        }
    }
    problems.extend(failed);
    crate::lap("feeds", &mut clock);
    output
}

/// Module pages still to be rendered, by the module's address.
type RendersLeft = crate::hash::FastMap<usize, std::sync::atomic::AtomicUsize>;

/// A file made, where it goes and its fingerprint when it has one.
type Made = (String, Body, Option<u64>);

/// Each regency's search index: its modules section by section, its events and contacts. A
/// document shared by regencies (a national module's section) is tokenised once, and each distinct
/// word stemmed once, for all of them; with the build's search cache, only documents that changed
/// since the last build are. A `dokumen/` file made from the same documents as before is taken
/// from the previous build. With `release`, each module's section texts are let go once the index
/// has taken the last of them.
fn search_indexes(
    site: &Site,
    regencies: &[&Regency],
    options: &RenderOptions,
    release: bool,
    keep: &(dyn Fn(String, Vec<u8>) -> Result<(String, Body), Failed> + Sync),
) -> Vec<Result<Made, Failed>> {
    use crate::search::index::{Doc, assemble};
    let roles: Vec<&str> = site.config.roles.iter().map(|t| t.key.as_str()).collect();
    let topics: Vec<&str> = site.config.topics.iter().map(|t| t.key.as_str()).collect();
    let docs: Vec<Vec<Doc>> =
        regencies.par_iter().map(|regency| crate::search::docs::regency_docs(site, regency)).collect();
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
    let vocabulary = match cache.vocabulary(&firsts, &crate::search::stem::Stemmer::new()) {
        Ok(vocabulary) => vocabulary,
        Err(d) => return vec![Err(Failed::Template(d))],
    };
    let per_regency: Vec<Vec<_>> = docs
        .par_iter()
        .zip(slots)
        .zip(regencies)
        .map(|((docs, slots), regency)| {
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
                assemble(docs, &slots, &vocabulary, &roles, &topics, &kept, &emit);
                files.extend(made.into_inner().unwrap_or_else(|p| p.into_inner()));
            }
            files
        })
        .collect();
    per_regency.into_iter().zip(chunks).flat_map(|(index, chunks)| index.into_iter().chain(chunks)).collect()
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

/// How many of these regencies show each module, by the module's address: the pages that need its
/// HTML, and the indexes that need its texts.
fn uses(regencies: &[&Regency]) -> crate::hash::FastMap<usize, usize> {
    let mut uses = crate::hash::FastMap::default();
    for module in regencies.iter().flat_map(|r| &r.modules) {
        *uses.entry(Arc::as_ptr(module) as usize).or_default() += 1;
    }
    uses
}

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
        hasher.field(d.url.as_bytes());
        hasher.write(&d.hash.to_le_bytes());
        hasher.write(&d.roles.len().to_le_bytes());
        for role in d.roles {
            hasher.field(role.as_bytes());
        }
        hasher.field(d.topic.unwrap_or_default().as_bytes());
    }
    hasher.finish()
}

/// A relative path as `/`-joined components; a `\\` inside a name stays in it (and is refused).
fn url_path(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Whether module bodies can be spliced into their rendered pages rather than rendered with them:
/// when the templates use a module's HTML only as `{{ module.html | safe }}`. It saves the work
/// the body costs the template engine and, above all, minify-html, which would parse every page's
/// largest part only to find it compact already: pulldown-cmark writes no indentation, and the
/// line break after a block is all minifying would take out. A theme that filters or tests the
/// HTML gets it in its context as before.
fn splices_body<'t>(templates: impl IntoIterator<Item = &'t str>) -> bool {
    let plain = regex::Regex::new(r"\{\{-?\s*module\.html\s*\|\s*safe\s*-?\}\}").ok();
    let Some(plain) = plain else { return false };
    templates.into_iter().all(|source| source.matches("module.html").count() == plain.find_iter(source).count())
}

/// `page` with each [`BODY_MARK`] replaced by `body`: once in the default theme, and as often as
/// a theme's template shows it (none when it shows it only under a condition not met). With
/// `compact`, the line breaks pulldown-cmark writes around blocks are left out, as minify-html
/// would leave them out.
fn splice_body(page: &[u8], body: &str, compact: bool) -> Vec<u8> {
    let compacted;
    let body = if compact {
        // What follows a body is the theme's, a block's end in the default theme.
        compacted = compact_blocks(body.trim_end_matches('\n'));
        compacted.as_str()
    } else {
        body
    };
    let mark = BODY_MARK.as_bytes();
    let mut out = Vec::with_capacity(page.len() + body.len());
    let mut rest = page;
    while let Some(at) = rest.windows(mark.len()).position(|w| w == mark) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(body.as_bytes());
        rest = &rest[at + mark.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// `html` without the line breaks that stand right before a block element's opening or closing
/// tag, where a browser shows nothing for them; breaks between inline elements are spaces and stay,
/// and so does everything inside `pre`, `textarea`, `script` and `style`.
fn compact_blocks(html: &str) -> String {
    const BLOCKS: &[&str] = &[
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ];
    const KEEP: &[&str] = &["pre", "textarea", "script", "style"];
    let tag_name = |rest: &str| -> (bool, String) {
        let (closing, rest) = match rest.strip_prefix('/') {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let name = rest.bytes().take_while(u8::is_ascii_alphanumeric).map(|b| b.to_ascii_lowercase() as char);
        (closing, name.collect())
    };
    let mut out = String::with_capacity(html.len());
    // How many `pre`-like elements are open around this point.
    let mut kept = 0usize;
    let mut last = 0;
    for (at, _) in html.match_indices('<') {
        let (closing, name) = tag_name(&html[at + 1..]);
        let keep = KEEP.contains(&name.as_str());
        if keep && closing {
            kept = kept.saturating_sub(1);
        }
        if kept == 0 && html[..at].ends_with('\n') && at > last && BLOCKS.contains(&name.as_str()) {
            out.push_str(&html[last..at - 1]);
            last = at;
        }
        if keep && !closing {
            kept += 1;
        }
    }
    out.push_str(&html[last..]);
    out
}

fn minify(html: &str) -> Vec<u8> {
    // minify-html parses by recursion, one level per open element: a module of 100,000 nested
    // quotes overflowed the stack and aborted the build. Its tree also takes some 50 times the
    // page: a 50 MB module took 3.8 GB. Such pages are written as rendered.
    if html.len() > MAX_MINIFIED_BYTES || nesting_depth(html) > MAX_MINIFIED_DEPTH {
        return html.as_bytes().to_vec();
    }
    let mut cfg = minify_html::Cfg::new();
    cfg.minify_css = true;
    // Scripts are left as written: minify-js has broken scripts for other generators.
    cfg.minify_js = false;
    cfg.keep_html_and_head_opening_tags = true;
    cfg.keep_closing_tags = true;
    minify_html::minify(html.as_bytes(), &cfg)
}

/// Pages larger than this are not minified: a hundred times a large module page, and what
/// minifying saves on them is small next to the memory it costs.
const MAX_MINIFIED_BYTES: usize = 4 << 20;

/// Elements nested deeper than this are not minified; a debug build minified 4,000 levels on a
/// worker thread's stack.
const MAX_MINIFIED_DEPTH: usize = 1000;

/// How deep the elements of `html` nest, at most: opening tags minus closing ones, void and
/// self-closed elements left out. An estimate (a `<b` inside a script counts), erring high.
fn nesting_depth(html: &str) -> usize {
    const VOID: &[&str] =
        &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"];
    let (mut depth, mut deepest) = (0usize, 0usize);
    let bytes = html.as_bytes();
    for (i, _) in html.match_indices('<') {
        let rest = &bytes[i + 1..];
        if rest.first() == Some(&b'/') {
            depth = depth.saturating_sub(1);
            continue;
        }
        let name_len = rest.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        if name_len == 0 || !rest[0].is_ascii_alphabetic() {
            continue;
        }
        // Compared in place: this runs on every page, and a copy per tag added up.
        let name = &html[i + 1..i + 1 + name_len];
        // Up to the tag's end, or the next `<`: each stretch is read once, however malformed.
        let tag = &rest[name_len..];
        let end = tag.iter().position(|&b| b == b'>' || b == b'<');
        let self_closed = end.is_some_and(|end| tag[end] == b'>' && end > 0 && tag[end - 1] == b'/');
        if !VOID.iter().any(|v| v.eq_ignore_ascii_case(name)) && !self_closed {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

#[derive(Serialize)]
struct ModuleView<'a> {
    slug: &'a str,
    title: &'a str,
    summary: Option<&'a str>,
    html: &'a str,
    headings: Vec<&'a crate::markdown::Heading>,
    roles: Vec<views::TermLink>,
    updated: Option<String>,
    updated_iso: Option<String>,
    local: bool,
    checklist: bool,
}

fn module_view<'a>(
    module: &'a crate::site::Module,
    html: &'a str,
    config: &crate::config::Config,
    base: &str,
) -> ModuleView<'a> {
    ModuleView {
        slug: &module.slug,
        title: &module.title,
        summary: module.summary.as_deref(),
        html,
        headings: module.headings.iter().filter(|h| (2..=3).contains(&h.level)).collect(),
        roles: role_links(&module.roles, config, base),
        updated: module.updated.map(|d| d.medium(config.language)),
        updated_iso: module.updated.map(|d| d.to_string()),
        local: module.scope != Scope::National,
        checklist: module.tasks > 0,
    }
}

fn site_view(site: &Site) -> SiteView<'_> {
    SiteView { title: &site.config.title, base_url: &site.config.base_url, language: site.config.language.code() }
}

fn common(site: &Site, root: &str, path_in_site: &str, fill: bool) -> PageContext {
    let mut ctx = PageContext::new(fill);
    ctx.insert("root", root);
    ctx.insert("assets", &format!("{root}assets/"));
    ctx.insert("home", if root.is_empty() { "./" } else { root });
    ctx.insert("page_key", "");
    ctx.insert("canonical", &format!("{}{path_in_site}", site.config.base_url));
    ctx
}

fn root_jobs<'a>(site: &'a Site, regencies: &[&Regency]) -> Vec<Job<'a>> {
    #[derive(Serialize)]
    struct Province<'a> {
        name: &'a str,
        regencies: Vec<RegencyView<'a>>,
    }
    let mut sorted: Vec<&&Regency> = regencies.iter().collect();
    sorted.sort_by(|a, b| (&a.info.province, &a.info.name, &a.slug).cmp(&(&b.info.province, &b.info.name, &b.slug)));
    let mut provinces: Vec<Province> = Vec::new();
    for r in sorted {
        let view = regency_view(r, "");
        match provinces.last_mut() {
            Some(p) if p.name == r.info.province => p.regencies.push(view),
            _ => provinces.push(Province { name: &r.info.province, regencies: vec![view] }),
        }
    }
    let mut index = common(site, "", "", true);
    index.insert("provinces", &provinces);
    // Hosts serve 404.html for any missing address, at any depth: only absolute links work there.
    let mut not_found = common(site, &site.config.base_url, "404.html", true);
    not_found.insert("home", &site.config.base_url);
    vec![Job::ready("index.html".into(), "index.html", index), Job::ready("404.html".into(), "404.html", not_found)]
}

fn regency_view<'a>(r: &'a Regency, root: &str) -> RegencyView<'a> {
    RegencyView {
        slug: &r.slug,
        name: &r.info.name,
        province: &r.info.province,
        timezone: r.info.timezone.abbreviation(),
        office: r.info.office.as_deref(),
        contacts: &r.info.contacts,
        url: format!("{root}{}/", r.slug),
    }
}

/// Context shared by a regency's pages. `base` leads from the page to the regency's root folder.
fn regency_context(
    site: &Site,
    regency: &Regency,
    base: &str,
    path_in_regency: &str,
    nav: &str,
    fill: bool,
) -> PageContext {
    let root = format!("{base}../");
    let mut ctx = common(site, &root, &format!("{}/{path_in_regency}", regency.slug), fill);
    ctx.insert("base", base);
    // A regency's pages use its own copy of the theme files, so each site stands alone.
    ctx.insert("assets", &format!("{base}assets/"));
    ctx.insert("home", if base.is_empty() { "./" } else { base });
    ctx.insert("regency", &regency_view(regency, &root));
    ctx.insert("utc_offset", &regency.info.timezone.utc_offset_hours());
    ctx.insert("nav", nav);
    let topics: Vec<_> = site
        .config
        .topics
        .iter()
        .map(|t| term_view(t, base, "topik", regency.topic_counts.get(&t.key).copied().unwrap_or(0)))
        .collect();
    let roles: Vec<_> = site
        .config
        .roles
        .iter()
        .map(|t| term_view(t, base, "peran", regency.role_counts.get(&t.key).copied().unwrap_or(0)))
        .collect();
    ctx.insert("topics", &topics);
    ctx.insert("roles", &roles);
    ctx
}

/// The pages of one regency, for those paths `want` accepts: contexts are built only for them.
fn regency_jobs<'a>(
    site: &'a Site,
    theme: &'a Theme,
    regency: &'a Regency,
    want: &dyn Fn(&str) -> bool,
    renders_left: &'a RendersLeft,
) -> Vec<Job<'a>> {
    let config = &site.config;
    let catalog = &theme.catalog;
    let slug = &regency.slug;
    let mut jobs = Vec::new();
    let ids = &regency.event_ids;
    let events_for = move |base: &str, filter: &dyn Fn(&crate::schedule::Event) -> bool| -> Vec<views::EventView> {
        regency
            .events
            .iter()
            .zip(ids)
            .filter(|(e, _)| filter(e))
            .map(|(e, id)| event_view(e, id, regency, config, catalog, base))
            .collect()
    };

    let path = format!("{slug}/index.html");
    if want(&path) {
        // Listing pages' contexts, like module pages', are made when the page is rendered: held
        // for every listing at once, their cards took a quarter of a gigabyte at 50,000 modules.
        jobs.push(Job::new(path, "home.html", move |fill| {
            let mut home = regency_context(site, regency, "", "", "home", fill);
            home.insert("modules", &regency.modules.iter().map(|m| module_card(m, "")).collect::<Vec<_>>());
            home.insert("events", &events_for("", &|_| true));
            home
        }));
    }

    // Modules are sorted by topic first, so each topic's modules are one run of the list.
    let topic_runs: Vec<&[std::sync::Arc<crate::site::Module>]> =
        regency.modules.chunk_by(|a, b| a.topic == b.topic).collect();
    for (module, at, in_topic) in
        topic_runs.iter().flat_map(|run| run.iter().enumerate().map(move |(at, m)| (m, Some(at), *run)))
    {
        let path = format!("{slug}/modul/{}/index.html", module.slug);
        if !want(&path) {
            continue;
        }
        let job = Job::new(path, "module.html", move |fill| {
            let base = "../../";
            let mut ctx = regency_context(site, regency, base, &format!("modul/{}/", module.slug), "modules", fill);
            let prev = at.and_then(|i| i.checked_sub(1)).and_then(|i| in_topic.get(i)).map(|m| module_card(m, base));
            let next = at.and_then(|i| in_topic.get(i + 1)).map(|m| module_card(m, base));
            let topic = config.topic(&module.topic).map(|t| term_view(t, base, "topik", in_topic.len()));
            // The body is in the fingerprint as the module's key, not as its HTML: hashing every
            // page's HTML cost more than rendering the few that changed.
            ctx.insert("module", &module_view(module, "", config, base));
            ctx.fingerprint_only("body", &module.key.to_le_bytes());
            ctx.insert("topic", &topic);
            ctx.insert("prev", &prev);
            ctx.insert("next", &next);
            ctx.insert("events", &events_for(base, &|e| e.module.as_deref() == Some(module.slug.as_str())));
            ctx
        });
        jobs.push(job.with_late(move |context, splice| {
            let body = module.with_html(config, &site.catalog, |html| {
                let (shown, body) = if splice { (BODY_MARK, Some(html.to_owned())) } else { (html, None) };
                context.insert("module", &module_view(module, shown, config, "../../"));
                body
            })?;
            if renders_left.get(&(Arc::as_ptr(module) as usize)).is_some_and(|n| n.fetch_sub(1, Relaxed) == 1) {
                // Its last page has its HTML now (copied out): `build` lets go of it.
                module.release_html();
            }
            Ok(body)
        }));
    }

    for topic in config.topics.iter().filter(|t| want(&format!("{slug}/topik/{}/index.html", t.key))) {
        jobs.push(Job::new(format!("{slug}/topik/{}/index.html", topic.key), "topic.html", move |fill| {
            let base = "../../";
            let mut ctx = regency_context(site, regency, base, &format!("topik/{}/", topic.key), "topics", fill);
            let modules: Vec<_> =
                regency.modules.iter().filter(|m| m.topic == topic.key).map(|m| module_card(m, base)).collect();
            ctx.insert("topic", &term_view(topic, base, "topik", modules.len()));
            ctx.insert("modules", &modules);
            ctx
        }));
    }

    for role in config.roles.iter().filter(|t| want(&format!("{slug}/peran/{}/index.html", t.key))) {
        jobs.push(Job::new(format!("{slug}/peran/{}/index.html", role.key), "role.html", move |fill| {
            let base = "../../";
            let mut ctx = regency_context(site, regency, base, &format!("peran/{}/", role.key), "roles", fill);
            let modules: Vec<_> =
                regency.modules.iter().filter(|m| m.roles.contains(&role.key)).map(|m| module_card(m, base)).collect();
            ctx.insert("role", &term_view(role, base, "peran", modules.len()));
            ctx.insert("page_key", &role.key);
            ctx.insert("modules", &modules);
            ctx.insert("events", &events_for(base, &|e| e.roles.is_empty() || e.roles.contains(&role.key)));
            ctx
        }));
    }

    jobs.extend(timeline::timeline_jobs(site, theme, regency).into_iter().filter(|job| want(&job.path)));

    for (page, template, nav) in [("cari", "search.html", "search"), ("kontak", "contacts.html", "contacts")] {
        let path = format!("{slug}/{page}/index.html");
        if want(&path) {
            let context = regency_context(site, regency, "../", &format!("{page}/"), nav, true);
            jobs.push(Job::ready(path, template, context));
        }
    }
    let path = format!("{slug}/sitemap.xml");
    if !want(&path) {
        return jobs;
    }

    jobs.push(Job::new(path, "sitemap.xml", move |fill| {
        let slug = &regency.slug;
        let mut urls: Vec<SitemapUrl> = ["", "jadwal/", "kontak/"]
            .iter()
            .map(|p| SitemapUrl { loc: format!("{}{slug}/{p}", config.base_url), lastmod: None })
            .collect();
        urls.extend(
            config
                .roles
                .iter()
                .map(|t| SitemapUrl { loc: format!("{}{slug}/jadwal/{}/", config.base_url, t.key), lastmod: None }),
        );
        urls.extend(regency.modules.iter().map(|m| SitemapUrl {
            loc: format!("{}{slug}/modul/{}/", config.base_url, m.slug),
            lastmod: m.updated.map(|d| d.to_string()),
        }));
        urls.extend(
            config
                .topics
                .iter()
                .map(|t| SitemapUrl { loc: format!("{}{slug}/topik/{}/", config.base_url, t.key), lastmod: None }),
        );
        urls.extend(
            config
                .roles
                .iter()
                .map(|t| SitemapUrl { loc: format!("{}{slug}/peran/{}/", config.base_url, t.key), lastmod: None }),
        );
        let mut sitemap = PageContext::new(fill);
        sitemap.insert("urls", &urls);
        sitemap
    }));
    jobs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_spliced_only_where_templates_show_them_as_they_are() {
        assert!(splices_body(crate::theme::TEMPLATES.iter().map(|(_, source)| *source)));
        assert!(splices_body(["<main>{{- module.html|safe -}}</main>", "{{ module.title }}"]));
        assert!(!splices_body(["{% if module.html %}{{ module.html | safe }}{% endif %}"]));
        assert!(!splices_body(["{{ module.html | safe }}", "{{ module.html | length }}"]));
        assert!(!splices_body(["{{ module.html }}"]));
    }

    #[test]
    fn a_body_goes_wherever_its_mark_landed() {
        let body = "<p>isi</p>\n";
        let page = format!("<div>{BODY_MARK}</div>");
        assert_eq!(splice_body(page.as_bytes(), body, false), b"<div><p>isi</p>\n</div>");
        assert_eq!(splice_body(page.as_bytes(), body, true), b"<div><p>isi</p></div>");
        assert_eq!(splice_body(format!("{BODY_MARK}|{BODY_MARK}").as_bytes(), "x", false), b"x|x");
        assert_eq!(splice_body(b"<div></div>", body, true), b"<div></div>");
        // minify-html leaves the mark as it is, whatever surrounds it.
        let page = format!("<div class=\"prose\">\n{BODY_MARK}\n  </div>");
        assert_eq!(splice_body(&minify(&page), body, true), b"<div class=prose><p>isi</p></div>");
    }

    #[test]
    fn compacting_drops_only_breaks_a_browser_does_not_show() {
        assert_eq!(
            compact_blocks("<h2 id=\"a\">A</h2>\n<ul>\n<li>x</li>\n</ul>\n"),
            "<h2 id=\"a\">A</h2><ul><li>x</li></ul>\n"
        );
        // A soft break between inline elements is a space.
        assert_eq!(
            compact_blocks("<p><strong>a</strong>\n<em>b</em></p>\n"),
            "<p><strong>a</strong>\n<em>b</em></p>\n"
        );
        // Inside pre, even nested, every break is content.
        let pre = "<pre><code>\n</code>\n<pre>\n<div>x</div></pre>\n<p>y</p></pre>\n<p>z</p>";
        assert_eq!(compact_blocks(pre), "<pre><code>\n</code>\n<pre>\n<div>x</div></pre>\n<p>y</p></pre><p>z</p>");
        assert_eq!(compact_blocks("<script>a\n<p></script>\n<P>b</P>"), "<script>a\n<p></script><P>b</P>");
        assert_eq!(compact_blocks("a < b\n<p>ü</p>"), "a < b<p>ü</p>");
    }

    #[test]
    fn nesting_depth_leaves_out_void_and_closed_elements() {
        assert_eq!(nesting_depth("<p>a<br><img src=x/><b>c</b></p><div><div/></div>"), 2);
        assert_eq!(nesting_depth("a < b <3 <!-- x --> <!DOCTYPE html>"), 0);
        let deep = "<blockquote>".repeat(100_000);
        assert_eq!(nesting_depth(&deep), 100_000);
        // Too deep for minify-html's recursion: written as rendered, not a stack overflow.
        assert_eq!(minify(&deep), deep.as_bytes());
        let large = "<p>a  b</p>\n".repeat(MAX_MINIFIED_BYTES / 10);
        assert_eq!(minify(&large), large.as_bytes());
        assert_eq!(minify("<p>a  b</p>\n"), b"<p>a b</p>");
    }
}
