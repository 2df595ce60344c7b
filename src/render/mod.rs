//! Stage 5, render: the model through the theme's tera templates into the files of every site.
//! Pages are described first (path, template, context), then rendered and minified in parallel.

mod hosting;
mod html;
mod ical;
pub mod offline;
mod pages;
mod search;
mod timeline;
mod views;

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::{AddError, Body, Output, Previous};
use crate::site::{Regency, Site};
use crate::theme::{StaticSource, Theme};
pub use hosting::{CONTENT_SECURITY_POLICY, host_files};
use html::{minify, splice_body, splices_body};
use pages::{regency_jobs, root_jobs};
use search::search_indexes;

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
    /// Where each regency's index state is kept for the next build (see [`crate::search::state`]).
    pub index_states: Option<&'a Path>,
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

    /// Adds the value `make` makes, if the context is filled, with `stands_for` in the fingerprint
    /// in its place: a hash of everything the value is made from. For values that many pages
    /// share, or that are large (the module cards of a listing), hashing their sources instead of
    /// serialising them was most of the work of a build after an edit.
    pub(super) fn insert_with<T: Serialize>(&mut self, key: &'static str, stands_for: u64, make: impl FnOnce() -> T) {
        self.fingerprint_only(key, &stands_for.to_le_bytes());
        if self.filled {
            self.context.insert(key, &make());
        }
    }

    /// [`PageContext::insert_with`] for several values at once: the fields of the struct `make`
    /// makes, each under its own name.
    pub(super) fn extend_with<T: Serialize>(&mut self, what: &'static str, stands_for: u64, make: impl FnOnce() -> T) {
        self.fingerprint_only(what, &stands_for.to_le_bytes());
        if self.filled {
            // A struct of plain values always makes a context; tera would report one that did not.
            if let Ok(values) = Context::from_serialize(&make()) {
                self.context.extend(values);
            }
        }
    }

    /// Adds to the fingerprint what the page's [`Late`] part will bring.
    pub(super) fn fingerprint_only(&mut self, key: &'static str, value: &[u8]) {
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

/// Where a file of the site comes from, for messages: mostly a fixed description.
type Origin = std::borrow::Cow<'static, str>;

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
    let clash = |e: AddError, origin: &str| match e {
        AddError::Unsafe(p) => {
            Diagnostic::error(origin, format!("cannot publish `{p}`: the name is not a plain file name"))
                .with_hint("rename it without `\\`, `:` or other special characters")
        }
        AddError::Taken { path, first } => {
            Diagnostic::error(origin, format!("the site already has `{path}`, from {first}"))
                .with_hint("rename or move this file")
        }
    };
    let mut add_page = |output: &mut Output, path: String, body: Body, fingerprint: Option<u64>, origin: Origin| {
        if let Err(e) = output.add_page(path, body, fingerprint, origin.clone()) {
            problems.push(clash(e, &origin));
        }
    };
    crate::lap("pages+find", &mut clock);
    let mut failed = Vec::new();
    let mut write_errors = Vec::new();
    let mut pages = Vec::with_capacity(rendered.len());
    for result in rendered {
        match result {
            Ok((path, body, fingerprint)) => pages.push((path, body, Some(fingerprint))),
            Err(Failed::Template(d)) => failed.push(d),
            Err(Failed::Write(path, e)) => write_errors.push((path, e)),
        }
    }
    let generated = "a generated page";
    failed.extend(output.add_all(pages, generated).into_iter().map(|e| clash(e, generated)));
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
            add_page(&mut output, path, body, None, "the theme".into());
        }
    }
    for file in indexes {
        match file {
            Ok((path, body, fingerprint)) => add_page(&mut output, path, body, fingerprint, "the search index".into()),
            Err(Failed::Write(path, e)) => write_errors.push((path, e)),
            Err(Failed::Template(d)) => failed.push(d),
        }
    }
    crate::lap("search", &mut clock);
    failed.extend(write_failure(write_errors));
    for regency in regencies {
        for (path, bytes) in timeline::feeds(site, regency, options.timestamp) {
            add_page(&mut output, path, Body::Bytes(bytes.into()), None, "a calendar feed".into());
        }
        for asset in &site.statics {
            let path = format!("{}/{}", regency.slug, url_path(&asset.rel_out));
            let origin = format!("content/static/{}", url_path(&asset.rel_out));
            add_page(&mut output, path, Body::Copy(asset.src.clone()), None, origin.into());
        }
        for module in &regency.modules {
            for asset in &module.assets {
                let path = format!("{}/modul/{}/{}", regency.slug, module.slug, url_path(&asset.rel_out));
                let origin = module.source.parent().unwrap_or(&module.source).join(&asset.rel_out);
                add_page(&mut output, path, Body::Copy(asset.src.clone()), None, origin.display().to_string().into());
            }
        }
    }
    problems.extend(failed);
    crate::lap("feeds", &mut clock);
    output
}

/// Module pages still to be rendered, by the module's address.
type RendersLeft = crate::hash::FastMap<usize, std::sync::atomic::AtomicUsize>;

/// How many of these regencies show each module, by the module's address: the pages that need its
/// HTML, and the indexes that need its texts.
fn uses(regencies: &[&Regency]) -> crate::hash::FastMap<usize, usize> {
    let mut uses = crate::hash::FastMap::default();
    for module in regencies.iter().flat_map(|r| &r.modules) {
        *uses.entry(Arc::as_ptr(module) as usize).or_default() += 1;
    }
    uses
}

/// A relative path as `/`-joined components; a `\\` inside a name stays in it (and is refused).
fn url_path(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn site_view(site: &Site) -> SiteView<'_> {
    SiteView { title: &site.config.title, base_url: &site.config.base_url, language: site.config.language.code() }
}
