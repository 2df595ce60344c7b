//! The theme: the default theme compiled into the binary, and a project's `themes/<name>/`, whose
//! files replace the built-in ones one at a time (a template, a static file, an i18n catalog).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::content::{SymlinkGuard, collect_files, read_text, relative};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::i18n::Catalog;

macro_rules! builtin {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../themes/default/templates/", $name)))),*]
    };
}

/// Template name -> source, for every template the build renders.
pub(crate) const TEMPLATES: &[(&str, &str)] = builtin![
    "base.html",
    "index.html",
    "404.html",
    "home.html",
    "module.html",
    "topic.html",
    "role.html",
    "schedule.html",
    "contacts.html",
    "search.html",
    "partials/events.html",
    "partials/module-list.html",
    "partials/timeline-data.html",
    "sitemap.xml",
];

const STATICS: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../themes/default/static/style.css")),
    ("timeline.js", include_bytes!("../themes/default/static/timeline.js")),
    ("stem.js", include_bytes!("../themes/default/static/stem.js")),
    ("search.js", include_bytes!("../themes/default/static/search.js")),
    ("icon.svg", include_bytes!("../themes/default/static/icon.svg")),
    ("offline.js", include_bytes!("../themes/default/static/offline.js")),
    ("checklist.js", include_bytes!("../themes/default/static/checklist.js")),
];

/// Where a static file of the theme comes from.
#[derive(Debug, Clone)]
pub enum StaticSource {
    Builtin(&'static [u8]),
    File(PathBuf),
}

#[derive(Debug)]
pub struct Template {
    pub source: String,
    /// For messages: the project file, or `(built-in)/<name>`.
    pub origin: PathBuf,
}

#[derive(Debug)]
pub struct Theme {
    pub templates: BTreeMap<String, Template>,
    /// Path below the site's `assets/` -> content.
    pub statics: BTreeMap<PathBuf, StaticSource>,
    pub catalog: Catalog,
}

impl Theme {
    /// The built-in theme with the project's `themes/<config.theme>/` laid over it.
    pub fn load(root: &Path, config: &Config, problems: &mut Diagnostics) -> Theme {
        let mut theme = Theme {
            templates: TEMPLATES
                .iter()
                .map(|(name, source)| {
                    let origin = Path::new("(built-in theme)").join(name);
                    (name.to_string(), Template { source: source.to_string(), origin })
                })
                .collect(),
            statics: STATICS.iter().map(|(name, bytes)| (PathBuf::from(name), StaticSource::Builtin(bytes))).collect(),
            catalog: Catalog::builtin(config.language),
        };
        let dir = root.join("themes").join(&config.theme);
        if !dir.is_dir() {
            if config.theme != "default" {
                problems.push(
                    Diagnostic::error(
                        crate::config::CONFIG_FILE,
                        format!("the theme `{}` does not exist", config.theme),
                    )
                    .with_hint(format!(
                        "create `{}` or remove `theme:` to use the built-in theme",
                        relative(root, &dir).display()
                    )),
                );
            }
            return theme;
        }
        let guard = SymlinkGuard::new(&dir);
        for asset in collect_files(root, &dir.join("templates"), &guard, problems) {
            let name = asset.rel_out.to_string_lossy().replace('\\', "/");
            match read_text(root, &asset.src) {
                Ok(file) => {
                    theme.templates.insert(name, Template { source: file.text, origin: file.rel });
                }
                Err(d) => problems.push(d),
            }
        }
        for asset in collect_files(root, &dir.join("static"), &guard, problems) {
            theme.statics.insert(asset.rel_out, StaticSource::File(asset.src));
        }
        let catalog_file = dir.join("i18n").join(format!("{}.yaml", config.language.code()));
        if catalog_file.is_file() {
            match read_text(root, &catalog_file) {
                Ok(file) => match crate::yaml::parse::<BTreeMap<String, String>>(&file.rel, &file.text, 0) {
                    Ok(doc) => theme.catalog.overlay(doc.value),
                    Err(d) => problems.push(d),
                },
                Err(d) => problems.push(d),
            }
        }
        theme
    }
}
