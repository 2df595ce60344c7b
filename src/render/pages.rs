//! The pages of the site: what each one shows, as a template and the context it is rendered
//! with, made when the page is rendered.

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use serde::Serialize;

use super::html::BODY_MARK;
use super::views::{self, event_view, module_card, role_links, term_view};
use super::{Job, PageContext, RendersLeft, timeline};
use crate::content::Scope;
use crate::site::{Regency, Site};
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

/// Context shared by a regency's pages. `base` leads from the page to the regency's root folder.
pub(super) fn regency_context(
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
