//! What a regency's search finds: each section of its modules (its own overrides, not the national
//! originals), each event of its timeline, and its contacts page. Topic and role pages are left out:
//! they list modules already indexed, and as results they pushed the sections themselves down.

use std::borrow::Cow;

use rayon::prelude::*;

use super::index::{Doc, DocHashes, DocKind, Filters, Later, Place};
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
    // The text is the module's, parsed again if its body was not kept: a build after an edit
    // needs only the texts of the documents that changed.
    let text: Later<'a> = std::sync::Arc::new(move |index, visit| {
        let summary =
            module.sections.get(index).and_then(|s| summary_of(module.summary.as_deref(), s.anchor.as_deref()));
        module.with_section_text(&site.config, &site.catalog, index, |text| match summary {
            Some(summary) => visit(&[summary, text]),
            None => visit(&[text]),
        })
    });
    for (index, section) in module.sections.iter().enumerate() {
        docs.push(Doc::later(
            DocKind::Section,
            Place::Section { module: &module.slug, anchor: section.anchor.as_deref() },
            Cow::Borrowed(&module.title),
            Cow::Borrowed(&section.heading),
            (text.clone(), index),
            section.search,
            filters,
        ));
    }
    docs
}

/// The summary a module's section is searched with: the module's, for the text before the first
/// heading only.
fn summary_of<'m>(summary: Option<&'m str>, anchor: Option<&str>) -> Option<&'m str> {
    anchor.is_none().then_some(summary).flatten()
}

/// What a module's section is known by as a search document, made once when the module is
/// parsed: `text` is the section's plain text.
pub fn section_hashes(
    slug: &str,
    title: &str,
    summary: Option<&str>,
    anchor: Option<&str>,
    heading: &str,
    text: &str,
) -> DocHashes {
    let mut text_hash = crate::hash::Hasher::default();
    text_hash.field(summary_of(summary, anchor).unwrap_or_default().as_bytes());
    text_hash.write(&crate::hash::hash(text.as_bytes()).to_le_bytes());
    Doc::hashes(&Place::Section { module: slug, anchor }, title, heading, text_hash.finish())
}
