//! What a regency's search finds: each section of its modules (its own overrides, not the national
//! originals), each event of its timeline, and its contacts page. Topic and role pages are left out:
//! they list modules already indexed, and as results they pushed the sections themselves down.

use std::borrow::Cow;

use rayon::prelude::*;

use super::index::{Doc, DocKind, Filters, Later, Place};
use crate::date;
use crate::markdown::plain_text;
use crate::site::{Module, Regency, Site};

pub fn regency_docs<'a>(site: &'a Site, regency: &'a Regency) -> Vec<Doc<'a>> {
    // Module by module in parallel, in order: with one regency, this was one thread's work on
    // the critical path of a build after an edit.
    let by_module: Vec<Vec<Doc<'a>>> = regency.modules.par_iter().map(|module| module_docs(site, module)).collect();
    let mut docs = Vec::with_capacity(by_module.iter().map(Vec::len).sum::<usize>() + regency.events.len() + 1);
    docs.extend(by_module.into_iter().flatten());
    for (event, id) in regency.events.iter().zip(&regency.event_ids) {
        let note = event.note.as_deref().map(plain_text).unwrap_or_default();
        docs.push(Doc::new(
            DocKind::Event,
            format!("jadwal/#acara-{id}").into(),
            Cow::Borrowed(&event.title),
            date::span(event.start, event.end, site.config.language).into(),
            [event.location.clone().unwrap_or_default(), event.phase.clone().unwrap_or_default(), note]
                .join(" ")
                .into(),
            Filters::new(&event.roles, None),
        ));
    }
    let t = |key| site.catalog.get(key).to_owned().into();
    let info = &regency.info;
    let contacts = info.contacts.iter().map(|c| {
        [Some(&c.name), c.position.as_ref(), c.phone.as_ref(), c.email.as_ref()]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    });
    docs.push(Doc::new(
        DocKind::Page,
        "kontak/".into(),
        t("contacts_title"),
        format!("{}, {}", info.name, info.province).into(),
        info.office.iter().cloned().chain(contacts).collect::<Vec<_>>().join(" · ").into(),
        Filters::new(&[], None),
    ));
    docs
}

/// A module's sections, as documents.
fn module_docs<'a>(site: &'a Site, module: &'a Module) -> Vec<Doc<'a>> {
    let mut docs = Vec::with_capacity(module.sections.len());
    let filters = Filters::new(&module.roles, Some(&module.topic));
    for (index, section) in module.sections.iter().enumerate() {
        let summary = match section.anchor {
            None => module.summary.as_deref(),
            Some(_) => None,
        };
        // The text is the module's, parsed again if its body was not kept: a build after an
        // edit needs only the texts of the documents that changed.
        let text: Later<'a> = std::sync::Arc::new(move |visit| {
            module.with_section_text(&site.config, &site.catalog, index, |text| match summary {
                Some(summary) => visit(&[summary, text]),
                None => visit(&[text]),
            })
        });
        let mut text_hash = crate::hash::Hasher::default();
        text_hash.field(summary.unwrap_or_default().as_bytes());
        text_hash.write(&section.text_hash.to_le_bytes());
        docs.push(Doc::later(
            DocKind::Section,
            Place::Section { module: &module.slug, anchor: section.anchor.as_deref() },
            Cow::Borrowed(&module.title),
            Cow::Borrowed(&section.heading),
            text,
            text_hash.finish(),
            filters,
        ));
    }
    docs
}
