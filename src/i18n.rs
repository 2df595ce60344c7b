//! UI strings of the theme in the site's language (`id` by default, `en`), from `themes/*/i18n/`.

use std::collections::BTreeMap;

use crate::config::Language;

const BUILTIN_ID: &str = include_str!("../themes/default/i18n/id.yaml");
const BUILTIN_EN: &str = include_str!("../themes/default/i18n/en.yaml");

/// Key -> translated string. Serialized into templates as `t`.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(transparent)]
pub struct Catalog {
    strings: BTreeMap<String, String>,
}

impl Catalog {
    /// The built-in strings; they are part of the binary and tested to parse.
    pub fn builtin(language: Language) -> Catalog {
        let text = match language {
            Language::Id => BUILTIN_ID,
            Language::En => BUILTIN_EN,
        };
        Catalog { strings: serde_yaml::from_str(text).unwrap_or_default() }
    }

    /// Layers a theme's own catalog over the built-in one, key by key.
    pub fn overlay(&mut self, strings: BTreeMap<String, String>) {
        self.strings.extend(strings);
    }

    /// The string for `key`; the key itself when missing, so a gap shows instead of breaking a page.
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.strings.get(key).map_or(key, String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogs_parse_and_have_the_same_keys() {
        let id = Catalog::builtin(Language::Id);
        let en = Catalog::builtin(Language::En);
        assert!(id.strings.len() > 30);
        assert_eq!(id.strings.keys().collect::<Vec<_>>(), en.strings.keys().collect::<Vec<_>>());
        assert_eq!(id.get("callout_warning"), "Peringatan");
        assert_eq!(en.get("callout_warning"), "Warning");
    }
}
