//! Stage 3, parse modules: front matter and body of one module file, validated against the config.
//! Pure: `parse` takes text, so it is tested without files.

use std::path::Path;

use serde::Deserialize;

use crate::config::Config;
use crate::date::Date;
use crate::diagnostics::{Diagnostic, Lines};
use crate::yaml;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFront {
    title: String,
    #[serde(default)]
    summary: Option<String>,
    roles: Vec<String>,
    topic: String,
    #[serde(default)]
    order: Option<i64>,
    #[serde(default)]
    updated: Option<String>,
    #[serde(default)]
    draft: bool,
}

/// A module's front matter, validated.
#[derive(Debug, Clone)]
pub struct FrontMatter {
    pub title: String,
    pub summary: Option<String>,
    pub roles: Vec<String>,
    pub topic: String,
    pub order: i64,
    pub updated: Option<Date>,
    pub draft: bool,
}

/// A module file split into its validated front matter and its markdown body.
#[derive(Debug)]
pub struct ParsedModule<'a> {
    pub front: FrontMatter,
    pub body: &'a str,
    /// Lines before the body, so body positions map back to lines of the file.
    pub body_line_offset: usize,
}

/// Splits `---\n<yaml>\n---\n<body>`.
fn split_front_matter(text: &str) -> Option<(&str, &str, usize)> {
    let (first, rest) = text.split_once('\n')?;
    if first.trim_end() != "---" {
        return None;
    }
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let body_line_offset = 2 + yaml.matches('\n').count();
            return Some((yaml, body, body_line_offset));
        }
        offset += line.len();
    }
    None
}

pub fn parse<'a>(path: &Path, text: &'a str, config: &Config) -> Result<ParsedModule<'a>, Vec<Diagnostic>> {
    let Some((yaml_text, body, body_line_offset)) = split_front_matter(text) else {
        let hint = if text.starts_with("---") {
            "the front matter starts with `---` but has no closing `---` line"
        } else {
            "start the file with front matter between two `---` lines, e.g.\n---\ntitle: Pemungutan Suara di TPS\nroles: [kpps]\ntopic: pemungutan\n---"
        };
        return Err(vec![Diagnostic::error(path, "no front matter found").at_line(text, 1).with_hint(hint)]);
    };
    let doc = yaml::parse::<RawFront>(path, yaml_text, 1).map_err(|d| vec![d])?;
    let (raw, spans) = (doc.value, doc.spans);
    let mut problems = Vec::new();
    let lines = Lines::new(text);
    let mut error_at = |field: &str, message: String, hint: String| {
        let (line, col) = spans.value(field);
        problems.push(Diagnostic::error(path, message).at_in(&lines, line, col).with_hint(hint));
    };
    if raw.title.trim().is_empty() {
        error_at("title", "`title` is empty".into(), "give the module the title readers will see".into());
    }
    if raw.roles.is_empty() {
        error_at(
            "roles",
            "`roles` is empty".into(),
            format!("list who the module is for, from {}", config.role_keys()),
        );
    }
    for (i, role) in raw.roles.iter().enumerate() {
        if config.role(role).is_none() {
            error_at(
                &format!("roles.{i}"),
                format!("unknown role `{role}`"),
                format!("roles are defined in bimtek.yaml: {}", config.role_keys()),
            );
        }
    }
    if config.topic(&raw.topic).is_none() {
        error_at(
            "topic",
            format!("unknown topic `{}`", raw.topic),
            format!("topics are defined in bimtek.yaml: {}", config.topic_keys()),
        );
    }
    let updated = match raw.updated.as_deref().map(Date::parse) {
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => {
            error_at(
                "updated",
                format!("invalid `updated` date: {e}"),
                "write the date as YYYY-MM-DD, e.g. 2024-11-01".into(),
            );
            None
        }
        None => None,
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut roles = raw.roles;
    // Roles follow the config's order, so every page lists them the same way.
    roles.sort_by_key(|r| config.roles.iter().position(|t| &t.key == r));
    roles.dedup();
    Ok(ParsedModule {
        front: FrontMatter {
            title: raw.title.trim().to_owned(),
            summary: raw.summary.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
            roles,
            topic: raw.topic,
            order: raw.order.unwrap_or(0),
            updated,
            draft: raw.draft,
        },
        body,
        body_line_offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::parse(
            Path::new("bimtek.yaml"),
            "title: T\nbase_url: https://x.example\nroles:\n  ppk: {name: PPK}\n  kpps: {name: KPPS}\ntopics:\n  pemungutan: {name: P}\n",
        )
        .unwrap()
    }

    #[test]
    fn parses_front_matter_and_body() {
        let text = "---\ntitle: Pemungutan\nroles: [kpps, ppk]\ntopic: pemungutan\nupdated: 2024-11-01\n---\n## Isi\n";
        let m = parse(Path::new("a.md"), text, &config()).unwrap();
        assert_eq!(m.front.title, "Pemungutan");
        assert_eq!(m.front.roles, ["ppk", "kpps"], "roles follow the config order");
        assert_eq!(m.body, "## Isi\n");
        assert_eq!(m.body_line_offset, 6);
        assert_eq!(m.front.updated.unwrap().to_string(), "2024-11-01");
    }

    #[test]
    fn reports_every_field_problem_with_its_line() {
        let text = "---\ntitle: X\nroles: [kpps, kps]\ntopic: logistik\nupdated: 2024-02-30\n---\n";
        let problems = parse(Path::new("a.md"), text, &config()).unwrap_err();
        let found: Vec<_> = problems.iter().map(|d| (d.line.unwrap(), d.column.unwrap(), d.message.as_str())).collect();
        assert_eq!(found[0], (3, 15, "unknown role `kps`"));
        assert_eq!(found[1], (4, 8, "unknown topic `logistik`"));
        assert_eq!(found[2].0, 5);
        assert!(found[2].2.contains("has 29 days"));
    }

    #[test]
    fn missing_front_matter_has_a_hint() {
        let problems = parse(Path::new("a.md"), "# Judul\n", &config()).unwrap_err();
        assert_eq!(problems[0].message, "no front matter found");
        assert!(problems[0].hint.as_deref().unwrap().contains("---"));
    }

    #[test]
    fn yaml_errors_point_into_the_file() {
        let problems =
            parse(Path::new("a.md"), "---\ntitle: X\nroles: [kpps]\ntopik: pemungutan\n---\n", &config()).unwrap_err();
        assert_eq!(problems[0].line, Some(4));
        assert!(problems[0].message.contains("unknown field `topik`"));
    }
}
