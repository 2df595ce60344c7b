//! Stage 1, config: `bimtek.yaml` read into a [`Config`] and validated once.

use std::path::Path;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;
use crate::yaml;

pub const CONFIG_FILE: &str = "bimtek.yaml";

/// The UI language of the theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Id,
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Id => "id",
            Language::En => "en",
        }
    }
}

/// A role (ppk, pps, kpps) or a topic: a key used in front matter, and the name readers see.
#[derive(Debug, Clone, Serialize)]
pub struct Term {
    pub key: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    /// Absolute, always ending in `/`.
    pub base_url: String,
    pub language: Language,
    pub theme: String,
    pub roles: Vec<Term>,
    pub topics: Vec<Term>,
    pub markdown: MarkdownOptions,
}

/// How module bodies are read. `raw_html` is on by default because trainers are trusted authors
/// who embed forms and tables; a project that takes contributions from many people turns it off.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkdownOptions {
    /// When false, HTML written in a module body is shown as text and `javascript:` links are dropped.
    #[serde(default = "yes")]
    pub raw_html: bool,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions { raw_html: true }
    }
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    base_url: String,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    theme: Option<String>,
    roles: IndexMap<String, RawTerm>,
    topics: IndexMap<String, RawTerm>,
    #[serde(default)]
    markdown: MarkdownOptions,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerm {
    name: String,
    #[serde(default)]
    description: Option<String>,
}

impl Config {
    pub fn role(&self, key: &str) -> Option<&Term> {
        self.roles.iter().find(|t| t.key == key)
    }

    pub fn topic(&self, key: &str) -> Option<&Term> {
        self.topics.iter().find(|t| t.key == key)
    }

    pub fn role_keys(&self) -> String {
        keys_list(&self.roles)
    }

    pub fn topic_keys(&self) -> String {
        keys_list(&self.topics)
    }

    /// Parses and validates the text of `bimtek.yaml`; `path` is used in messages only.
    pub fn parse(path: &Path, text: &str) -> Result<Config, Vec<Diagnostic>> {
        let doc = yaml::parse::<RawConfig>(path, text, 0).map_err(|d| vec![d])?;
        let raw = doc.value;
        let spans = doc.spans;
        let mut problems = Vec::new();
        // Indexed once, so a file with many bad keys is not scanned from the top for each.
        let lines = crate::diagnostics::Lines::new(text);
        let mut error_at = |field: &str, message: String, hint: &str| {
            let (line, col) = spans.value(field);
            problems.push(Diagnostic::error(path, message).at_in(&lines, line, col).with_hint(hint.to_owned()));
        };

        let language = match raw.language.as_deref().map(str::trim) {
            None | Some("id") => Language::Id,
            Some("en") => Language::En,
            Some(other) => {
                error_at(
                    "language",
                    format!("unknown language `{other}`"),
                    "use `id` (Indonesian, the default) or `en`",
                );
                Language::Id
            }
        };
        let mut base_url = raw.base_url.trim().to_owned();
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) || base_url.len() < 10 {
            error_at(
                "base_url",
                format!("`base_url` must be an absolute address, not `{base_url}`"),
                "write it with its scheme, e.g. `https://bimtek.kpu-landak.example.id`",
            );
        }
        if !base_url.ends_with('/') {
            base_url.push('/');
        }
        let theme = raw.theme.unwrap_or_else(|| "default".to_owned());
        if !is_key(&theme) {
            error_at("theme", format!("`{theme}` is not a theme folder name"), "use lowercase letters, digits and `-`");
        }
        if raw.title.trim().is_empty() {
            error_at("title", "`title` is empty".to_owned(), "give the site a title, e.g. `Bimtek Pilkada 2024`");
        }
        let mut terms = |kind: &str, map: IndexMap<String, RawTerm>| -> Vec<Term> {
            if map.is_empty() {
                error_at(kind, format!("`{kind}` has no entries"), "list at least one, e.g. `kpps: {name: KPPS}`");
            }
            map.into_iter()
                .map(|(key, term)| {
                    if !is_key(&key) {
                        error_at(
                            &format!("{kind}.{key}"),
                            format!("`{key}` is not a valid key in `{kind}`"),
                            "keys are lowercase letters, digits and `-`, e.g. `kode-etik`",
                        );
                    }
                    Term { key, name: term.name, description: term.description }
                })
                .collect()
        };
        let roles = terms("roles", raw.roles);
        let topics = terms("topics", raw.topics);
        if problems.is_empty() {
            Ok(Config { title: raw.title, base_url, language, theme, roles, topics, markdown: raw.markdown })
        } else {
            Err(problems)
        }
    }
}

fn keys_list(terms: &[Term]) -> String {
    terms.iter().map(|t| format!("`{}`", t.key)).collect::<Vec<_>>().join(", ")
}

/// Keys and slugs become URL path segments, so they are kept to a safe alphabet.
pub fn is_key(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}
