//! What templates see: plain serializable views of the model, with every URL already made relative
//! to the page being rendered and every date already written in the site's language.

use serde::Serialize;

use crate::config::{Config, Term};
use crate::i18n::Catalog;
use crate::markdown;
use crate::schedule::Event;
use crate::site::{Module, Regency};

#[derive(Serialize)]
pub struct TermView<'a> {
    pub key: &'a str,
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub url: String,
    pub count: usize,
}

/// A module as lists show it. Listings are fingerprinted by the modules' card keys: a field
/// added here must also be hashed by `Module::card_hash`.
#[derive(Serialize)]
pub struct ModuleCard<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub summary: Option<&'a str>,
    pub url: String,
    pub topic: &'a str,
    pub roles: Vec<&'a str>,
    pub local: bool,
}

#[derive(Serialize)]
pub struct EventView {
    /// Stable id: the page anchor is `acara-<id>`, the calendar file `jadwal/acara/<id>.ics`.
    pub id: String,
    pub ics: String,
    pub title: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub time: Option<String>,
    pub roles: Vec<TermLink>,
    pub phase: Option<String>,
    pub location: Option<String>,
    pub module: Option<TermLink>,
    pub note_html: Option<String>,
    pub schedule: String,
    pub local: bool,
}

#[derive(Serialize)]
pub struct TermLink {
    pub key: String,
    pub name: String,
    pub url: String,
}

pub fn term_view<'a>(term: &'a Term, base: &str, section: &str, count: usize) -> TermView<'a> {
    TermView {
        key: &term.key,
        name: &term.name,
        description: term.description.as_deref(),
        url: format!("{base}{section}/{}/", term.key),
        count,
    }
}

pub fn module_card<'a>(module: &'a Module, base: &str) -> ModuleCard<'a> {
    ModuleCard {
        slug: &module.slug,
        title: &module.title,
        summary: module.summary.as_deref(),
        url: format!("{base}modul/{}/", module.slug),
        topic: &module.topic,
        roles: module.roles.iter().map(String::as_str).collect(),
        local: module.scope != crate::content::Scope::National,
    }
}

pub fn role_links(keys: &[String], config: &Config, base: &str) -> Vec<TermLink> {
    keys.iter()
        .filter_map(|k| config.role(k))
        .map(|t| TermLink { key: t.key.clone(), name: t.name.clone(), url: format!("{base}peran/{}/", t.key) })
        .collect()
}

pub fn event_view(
    event: &Event,
    id: &str,
    regency: &Regency,
    config: &Config,
    catalog: &Catalog,
    base: &str,
) -> EventView {
    let language = config.language;
    let module = event.module.as_deref().and_then(|slug| regency.module(slug)).map(|m| TermLink {
        key: m.slug.clone(),
        name: m.title.clone(),
        url: format!("{base}modul/{}/", m.slug),
    });
    let module_prefix = format!("{base}modul/");
    let note_html = event.note.as_deref().map(|note| {
        markdown::render(note, &markdown::Options { catalog, module_prefix: &module_prefix, trusted: false }).html
    });
    EventView {
        id: id.to_owned(),
        ics: format!("{base}jadwal/acara/{id}.ics"),
        title: event.title.clone(),
        date: crate::date::span(event.start, event.end, language),
        start: event.start.to_string(),
        end: event.end.to_string(),
        time: event.time.map(|t| t.display(regency.info.timezone.abbreviation())),
        roles: role_links(&event.roles, config, base),
        phase: event.phase.clone(),
        location: event.location.clone(),
        module,
        note_html,
        schedule: event.schedule_title.clone(),
        local: event.scope != crate::content::Scope::National,
    }
}
