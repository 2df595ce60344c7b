//! The pages of the site: what each one shows, as a template and the context it is rendered
//! with, made when the page is rendered.

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use serde::Serialize;

use super::html::BODY_MARK;
use super::views::{self, TermView, event_view, module_card, role_links, term_view};
use super::{Job, PageContext, RendersLeft, timeline};
use crate::content::Scope;
use crate::site::{Module, Regency, Site};
use crate::theme::Theme;

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

fn common(site: &Site, root: &str, path_in_site: &str, fill: bool) -> PageContext {
    let mut ctx = PageContext::new(fill);
    ctx.insert("root", root);
    ctx.insert("assets", &format!("{root}assets/"));
    ctx.insert("home", if root.is_empty() { "./" } else { root });
    ctx.insert("page_key", "");
    ctx.insert("canonical", &format!("{}{path_in_site}", site.config.base_url));
    ctx
}

pub(super) fn root_jobs<'a>(site: &'a Site, regencies: &[&Regency]) -> Vec<Job<'a>> {
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

/// What all of a regency's pages at one depth share: the regency, and its topics and roles with
/// their counts.
#[derive(Serialize)]
struct SharedValues<'a> {
    regency: RegencyView<'a>,
    utc_offset: i32,
    topics: Vec<TermView<'a>>,
    roles: Vec<TermView<'a>>,
}

impl SharedValues<'_> {
    fn new<'a>(site: &'a Site, regency: &'a Regency, base: &str) -> SharedValues<'a> {
        let terms = |terms: &'a [crate::config::Term], section, counts: &std::collections::HashMap<String, usize>| {
            terms.iter().map(|t| term_view(t, base, section, counts.get(&t.key).copied().unwrap_or(0))).collect()
        };
        SharedValues {
            regency: regency_view(regency, &format!("{base}../")),
            utc_offset: regency.info.timezone.utc_offset_hours(),
            topics: terms(&site.config.topics, "topik", &regency.topic_counts),
            roles: terms(&site.config.roles, "peran", &regency.role_counts),
        }
    }

    fn hash(&self) -> u64 {
        let mut hasher = crate::hash::Hasher::default();
        let _ = serde_json::to_writer(&mut hasher, self);
        hasher.finish()
    }
}

/// A regency and the hashes of its [`SharedValues`] at the depths of its pages, made once for all
/// of them: serialised into each page's fingerprint, they were a tenth of a build after an edit.
#[derive(Clone, Copy)]
pub(super) struct Shared<'a> {
    site: &'a Site,
    regency: &'a Regency,
    /// For `base` "", "../" and "../../".
    hashes: [u64; 3],
}

impl<'a> Shared<'a> {
    pub(super) fn new(site: &'a Site, regency: &'a Regency) -> Shared<'a> {
        let hashes = [0, 1, 2].map(|depth| SharedValues::new(site, regency, &"../".repeat(depth)).hash());
        Shared { site, regency, hashes }
    }

    pub(super) fn regency(&self) -> &'a Regency {
        self.regency
    }

    fn hash(&self, base: &str) -> u64 {
        let depth = base.len() / 3;
        match self.hashes.get(depth) {
            Some(&hash) if base == "../".repeat(depth) => hash,
            _ => SharedValues::new(self.site, self.regency, base).hash(),
        }
    }
}

/// Context shared by a regency's pages. `base` leads from the page to the regency's root folder.
pub(super) fn regency_context(shared: Shared, base: &str, path_in_regency: &str, nav: &str, fill: bool) -> PageContext {
    let Shared { site, regency, .. } = shared;
    let root = format!("{base}../");
    let mut ctx = common(site, &root, &format!("{}/{path_in_regency}", regency.slug), fill);
    ctx.insert("base", base);
    // A regency's pages use its own copy of the theme files, so each site stands alone.
    ctx.insert("assets", &format!("{base}assets/"));
    ctx.insert("home", if base.is_empty() { "./" } else { base });
    ctx.insert("nav", nav);
    ctx.extend_with("shared", shared.hash(base), || SharedValues::new(site, regency, base));
    ctx
}

/// Stands for the module cards of `modules` at `base` in a fingerprint, and for their sitemap
/// entries: not the modules' keys, which stand for their bodies too (an edit inside one module
/// would make every listing it is on again), but their card keys.
fn cards_hash<'m>(modules: impl IntoIterator<Item = &'m Arc<Module>>, base: &str) -> u64 {
    let mut hasher = crate::hash::Hasher::default();
    hasher.field(base.as_bytes());
    for module in modules {
        hasher.write(&module.card_key.to_le_bytes());
    }
    hasher.finish()
}

/// The pages of one regency, for those paths `want` accepts: contexts are built only for them.
pub(super) fn regency_jobs<'a>(
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
    let shared = Shared::new(site, regency);
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
            let mut home = regency_context(shared, "", "", "home", fill);
            let cards = || regency.modules.iter().map(|m| module_card(m, "")).collect::<Vec<_>>();
            home.insert_with("modules", cards_hash(&regency.modules, ""), cards);
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
            let mut ctx = regency_context(shared, base, &format!("modul/{}/", module.slug), "modules", fill);
            let prev = at.and_then(|i| i.checked_sub(1)).and_then(|i| in_topic.get(i));
            let next = at.and_then(|i| in_topic.get(i + 1));
            let topic = config.topic(&module.topic).map(|t| term_view(t, base, "topik", in_topic.len()));
            // The body is in the fingerprint as the module's key, not as its HTML: hashing every
            // page's HTML cost more than rendering the few that changed.
            ctx.insert_with("module", module.key, || module_view(module, "", config, base));
            ctx.fingerprint_only("body", &module.key.to_le_bytes());
            ctx.insert("topic", &topic);
            ctx.insert_with("prev", cards_hash(prev, base), || prev.map(|m| module_card(m, base)));
            ctx.insert_with("next", cards_hash(next, base), || next.map(|m| module_card(m, base)));
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
            let mut ctx = regency_context(shared, base, &format!("topik/{}/", topic.key), "topics", fill);
            let modules = || regency.modules.iter().filter(|m| m.topic == topic.key);
            ctx.insert("topic", &term_view(topic, base, "topik", modules().count()));
            ctx.insert_with("modules", cards_hash(modules(), base), || {
                modules().map(|m| module_card(m, base)).collect::<Vec<_>>()
            });
            ctx
        }));
    }

    for role in config.roles.iter().filter(|t| want(&format!("{slug}/peran/{}/index.html", t.key))) {
        jobs.push(Job::new(format!("{slug}/peran/{}/index.html", role.key), "role.html", move |fill| {
            let base = "../../";
            let mut ctx = regency_context(shared, base, &format!("peran/{}/", role.key), "roles", fill);
            let modules = || regency.modules.iter().filter(|m| m.roles.contains(&role.key));
            ctx.insert("role", &term_view(role, base, "peran", modules().count()));
            ctx.insert("page_key", &role.key);
            ctx.insert_with("modules", cards_hash(modules(), base), || {
                modules().map(|m| module_card(m, base)).collect::<Vec<_>>()
            });
            ctx.insert("events", &events_for(base, &|e| e.roles.is_empty() || e.roles.contains(&role.key)));
            ctx
        }));
    }

    jobs.extend(timeline::timeline_jobs(site, theme, shared).into_iter().filter(|job| want(&job.path)));

    for (page, template, nav) in [("cari", "search.html", "search"), ("kontak", "contacts.html", "contacts")] {
        let path = format!("{slug}/{page}/index.html");
        if want(&path) {
            let context = regency_context(shared, "../", &format!("{page}/"), nav, true);
            jobs.push(Job::ready(path, template, context));
        }
    }
    let path = format!("{slug}/sitemap.xml");
    if !want(&path) {
        return jobs;
    }

    jobs.push(Job::new(path, "sitemap.xml", move |fill| {
        let slug = &regency.slug;
        let at = |path: &str, lastmod| SitemapUrl { loc: format!("{}{slug}/{path}", config.base_url), lastmod };
        let terms = |section, terms: &'a [crate::config::Term]| {
            terms.iter().map(move |t| at(&format!("{section}/{}/", t.key), None))
        };
        let urls = || {
            let mut urls: Vec<SitemapUrl> = ["", "jadwal/", "kontak/"].iter().map(|p| at(p, None)).collect();
            urls.extend(terms("jadwal", &config.roles));
            urls.extend(
                regency.modules.iter().map(|m| at(&format!("modul/{}/", m.slug), m.updated.map(|d| d.to_string()))),
            );
            urls.extend(terms("topik", &config.topics));
            urls.extend(terms("peran", &config.roles));
            urls
        };
        let mut stands_for = crate::hash::Hasher::default();
        for part in
            [&config.base_url, slug].into_iter().chain(config.roles.iter().chain(&config.topics).map(|t| &t.key))
        {
            stands_for.field(part.as_bytes());
        }
        stands_for.write(&cards_hash(&regency.modules, "").to_le_bytes());
        let mut sitemap = PageContext::new(fill);
        sitemap.insert_with("urls", stands_for.finish(), urls);
        sitemap
    }));
    jobs
}
