//! The timeline of a regency: its schedule page and one per role, grouped by month with an overview
//! of the phases, and the iCalendar feeds (the regency's, each role's, and one file per event).

use serde::Serialize;

use super::Job;
use super::ical::{self, Feed, FeedEvent};
use super::pages::{Shared, regency_context};
use super::views::{EventView, event_view};
use crate::schedule::Event;
use crate::site::{Regency, Site};
use crate::theme::Theme;

#[derive(Serialize)]
struct Month {
    label: String,
    events: Vec<EventView>,
}

#[derive(Serialize)]
struct Phase {
    name: String,
    dates: String,
    /// Anchor of its first event.
    first: String,
    count: usize,
}

/// A phase while its events are gathered: the earliest start and latest end among them.
struct PhaseSpan {
    name: String,
    start: crate::date::Date,
    end: crate::date::Date,
    first: String,
    count: usize,
}

fn selected<'a>(regency: &'a Regency, role: Option<&'a str>) -> Vec<(&'a Event, &'a str)> {
    regency
        .events
        .iter()
        .zip(&regency.event_ids)
        .filter(|(e, _)| role.is_none_or(|r| e.roles.is_empty() || e.roles.iter().any(|k| k == r)))
        .map(|(e, id)| (e.as_ref(), id.as_str()))
        .collect()
}

/// `jadwal/` and `jadwal/<role>/`.
pub fn timeline_jobs<'a>(site: &'a Site, theme: &'a Theme, shared: Shared<'a>) -> Vec<Job<'a>> {
    let regency = shared.regency();
    let config = &site.config;
    let language = config.language;
    let mut jobs = Vec::new();
    let roles = std::iter::once(None).chain(config.roles.iter().map(Some));
    for role in roles {
        let (base, path) = match role {
            None => ("../", "jadwal/".to_owned()),
            Some(r) => ("../../", format!("jadwal/{}/", r.key)),
        };
        let events = selected(regency, role.map(|r| r.key.as_str()));
        let mut months: Vec<Month> = Vec::new();
        let mut phases: Vec<PhaseSpan> = Vec::new();
        for (event, id) in &events {
            let label = event.start.month_year(language);
            let view = event_view(event, id, regency, config, &theme.catalog, base);
            match months.last_mut() {
                Some(m) if m.label == label => m.events.push(view),
                _ => months.push(Month { label, events: vec![view] }),
            }
            if let Some(name) = &event.phase {
                match phases.iter_mut().find(|p| &p.name == name) {
                    Some(p) => {
                        p.start = p.start.min(event.start);
                        p.end = p.end.max(event.end);
                        p.count += 1;
                    }
                    None => phases.push(PhaseSpan {
                        name: name.clone(),
                        start: event.start,
                        end: event.end,
                        first: format!("acara-{id}"),
                        count: 1,
                    }),
                }
            }
        }
        let phases: Vec<Phase> = phases
            .into_iter()
            .map(|p| Phase {
                dates: crate::date::span(p.start, p.end, language),
                name: p.name,
                first: p.first,
                count: p.count,
            })
            .collect();
        let nav = if role.is_some() { "roles" } else { "schedule" };
        let mut ctx = regency_context(shared, base, &path, nav, true);
        ctx.insert("months", &months);
        ctx.insert("phases", &phases);
        ctx.insert("event_count", &events.len());
        let feed_path = format!("jadwal/{}kalender.ics", role.map(|r| format!("{}/", r.key)).unwrap_or_default());
        ctx.insert("feed", &format!("{base}{feed_path}"));
        // A webcal:// address makes phones subscribe (and follow changes) instead of importing a copy.
        let absolute = format!("{}{}/{feed_path}", config.base_url, regency.slug);
        let webcal = absolute.split_once("://").map(|(_, rest)| format!("webcal://{rest}")).unwrap_or(absolute);
        ctx.insert("webcal", &webcal);
        if let Some(r) = role {
            ctx.insert("role", &super::views::term_view(r, base, "peran", 0));
            ctx.insert("page_key", &r.key);
        }
        jobs.push(Job::ready(format!("{}/{path}index.html", regency.slug), "schedule.html", ctx));
    }
    jobs
}

/// The regency's feed, one per role, and one file per event, as (output path, bytes).
pub fn feeds(site: &Site, regency: &Regency, stamp: Option<i64>) -> Vec<(String, Vec<u8>)> {
    let config = &site.config;
    let domain = config.base_url.split("://").nth(1).and_then(|rest| rest.split(['/', ':']).next()).unwrap_or("bimtek");
    let site_url = format!("{}{}/", config.base_url, regency.slug);
    let feed_event = |event: &'_ Event, id: &str| -> (String, Vec<String>) {
        let url = match event.module.as_deref().filter(|m| regency.module(m).is_some()) {
            Some(m) => format!("{site_url}modul/{m}/"),
            None => format!("{site_url}jadwal/#acara-{id}"),
        };
        let roles = event.roles.iter().filter_map(|k| config.role(k)).map(|t| t.name.clone()).collect();
        (url, roles)
    };
    let build = |name: &str, events: &[(&Event, &str)]| -> Vec<u8> {
        let details: Vec<(String, Vec<String>)> = events.iter().map(|(e, id)| feed_event(e, id)).collect();
        let feed = Feed {
            name,
            regency: &regency.slug,
            zone: regency.info.timezone,
            domain,
            stamp,
            events: events
                .iter()
                .zip(&details)
                .map(|((event, id), (url, roles))| FeedEvent {
                    event,
                    id,
                    url: url.clone(),
                    role_names: roles.iter().map(String::as_str).collect(),
                })
                .collect(),
        };
        ical::calendar(&feed).into_bytes()
    };
    let slug = &regency.slug;
    let mut files = Vec::new();
    let all = selected(regency, None);
    files.push((
        format!("{slug}/jadwal/kalender.ics"),
        build(&format!("{} · {}", config.title, regency.info.name), &all),
    ));
    for role in &config.roles {
        let events = selected(regency, Some(&role.key));
        let name = format!("{} {} · {}", config.title, role.name, regency.info.name);
        files.push((format!("{slug}/jadwal/{}/kalender.ics", role.key), build(&name, &events)));
    }
    for (event, id) in &all {
        files.push((format!("{slug}/jadwal/acara/{id}.ics"), build(&event.title, &[(event, id)])));
    }
    files
}
