//! `bimtek check`: what a build refuses, plus what a build lets through but a reader would trip
//! over: links to headings that do not exist, and images or attachments that are not there. They
//! are found in the model and looked up in the site the build made, so what is checked is what a
//! browser would fetch.

use crate::diagnostics::Diagnostic;
use crate::markdown::THEME_IDS;
use crate::output::{Output, percent_decode};
use crate::site::{Module, Regency};

/// Each problem once, even when a national module shows it in every regency.
pub fn findings(regencies: &[&Regency], output: &Output) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for regency in regencies {
        for module in &regency.modules {
            for link in &module.links {
                let (Some(anchor), Some(target)) = (&link.anchor, regency.module(&link.slug)) else { continue };
                if !has_anchor(target, anchor) {
                    found.push(missing_anchor(link.at.error(""), anchor, target));
                }
            }
            let page = format!("{}/modul/{}/", regency.slug, module.slug);
            for (dest, at) in &module.local_refs {
                if let Some(anchor) = dest.strip_prefix('#') {
                    if !has_anchor(module, anchor) {
                        found.push(missing_anchor(at.error(""), anchor, module));
                    }
                    continue;
                }
                let Some(path) = resolve(&page, dest) else {
                    found.push(
                        at.error(format!("`{dest}` points outside the site"))
                            .with_hint("link to files of the module's own folder, or use a full https:// address"),
                    );
                    continue;
                };
                let exists = output.get(&path).is_some() || output.get(&format!("{path}/index.html")).is_some();
                if !exists {
                    found.push(at.error(format!("`{dest}` is missing: the site has no `{path}`")).with_hint(
                        "put the file beside the module (make the module a folder: `<slug>/index.md` with its files), \
                         or fix the name",
                    ));
                }
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    found.retain(|d| seen.insert((d.location(), d.message.clone())));
    found
}

fn has_anchor(module: &Module, anchor: &str) -> bool {
    module.headings.iter().any(|h| h.id == anchor) || THEME_IDS.contains(&anchor) || anchor.starts_with("catatan_")
}

fn missing_anchor(base: Diagnostic, anchor: &str, target: &Module) -> Diagnostic {
    let ids: Vec<&str> = target.headings.iter().map(|h| h.id.as_str()).collect();
    let hint = match ids.as_slice() {
        [] => format!("`{}` has no headings; link to the module without `#{anchor}`", target.source.display()),
        ids => format!("the headings of `{}` are: #{}", target.source.display(), ids.join(", #")),
    };
    Diagnostic { message: format!("link to heading `#{anchor}`, which module `{}` does not have", target.slug), ..base }
        .with_hint(hint)
}

/// The output path `dest` leads to from the folder `page`, or `None` when it climbs out of the site.
fn resolve(page: &str, dest: &str) -> Option<String> {
    let path = dest.split(['?', '#']).next().unwrap_or_default();
    let mut parts: Vec<String> = page.split('/').filter(|p| !p.is_empty()).map(str::to_owned).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(percent_decode(part).unwrap_or_else(|| part.to_owned())),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_from_the_module_page() {
        let page = "landak/modul/tata-letak-tps/";
        assert_eq!(resolve(page, "denah.svg").unwrap(), "landak/modul/tata-letak-tps/denah.svg");
        assert_eq!(resolve(page, "./foto%20tps.jpg#x").unwrap(), "landak/modul/tata-letak-tps/foto tps.jpg");
        assert_eq!(resolve(page, "../../assets/icon.svg").unwrap(), "landak/assets/icon.svg");
        assert_eq!(resolve(page, "../../../index.html").unwrap(), "index.html");
        assert_eq!(resolve(page, "../../../../etc/passwd"), None);
    }
}
