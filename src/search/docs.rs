//! What a regency's search finds: each section of its modules (its own overrides, not the national
//! originals), each event of its timeline, and its contacts page. Topic and role pages are left out:
//! they list modules already indexed, and as results they pushed the sections themselves down.

use std::borrow::Cow;

use super::index::{Doc, DocKind};
use crate::date;
use crate::diagnostics::Diagnostic;
use crate::markdown::plain_text;
use crate::site::{Regency, Site};

pub fn regency_docs<'a>(site: &Site, regency: &'a Regency) -> Result<Vec<Doc<'a>>, Diagnostic> {
    let mut docs = Vec::new();
    for module in &regency.modules {
        for section in &module.body(&site.config, &site.catalog)?.sections {
            docs.push(Doc {
                kind: DocKind::Section,
                url: match &section.anchor {
                    Some(a) => format!("modul/{}/#{a}", module.slug),
                    None => format!("modul/{}/", module.slug),
                },
                title: Cow::Borrowed(&module.title),
                heading: Cow::Borrowed(&section.heading),
                text: match (&section.anchor, &module.summary) {
                    (None, Some(summary)) => Cow::Owned(format!("{summary} {}", section.text)),
                    _ => Cow::Borrowed(&section.text),
                },
                roles: &module.roles,
                topic: Some(&module.topic),
            });
        }
    }
    for (event, id) in regency.events.iter().zip(&regency.event_ids) {
        let note = event.note.as_deref().map(plain_text).unwrap_or_default();
        docs.push(Doc {
            kind: DocKind::Event,
            url: format!("jadwal/#acara-{id}"),
            title: Cow::Borrowed(&event.title),
            heading: date::span(event.start, event.end, site.config.language).into(),
            text: [event.location.clone().unwrap_or_default(), event.phase.clone().unwrap_or_default(), note]
                .join(" ")
                .into(),
            roles: &event.roles,
            topic: None,
        });
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
    docs.push(Doc {
        kind: DocKind::Page,
        url: "kontak/".into(),
        title: t("contacts_title"),
        heading: format!("{}, {}", info.name, info.province).into(),
        text: info.office.iter().cloned().chain(contacts).collect::<Vec<_>>().join(" · ").into(),
        roles: &[],
        topic: None,
    });
    Ok(docs)
}
