//! Stage 3, parse regencies: `regency.yaml`, the identity of one site.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Lines};
use crate::yaml;

/// Indonesia's three time zones; none observes daylight saving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Zone {
    #[serde(rename = "WIB")]
    Wib,
    #[serde(rename = "WITA")]
    Wita,
    #[serde(rename = "WIT")]
    Wit,
}

impl Zone {
    pub fn abbreviation(self) -> &'static str {
        match self {
            Zone::Wib => "WIB",
            Zone::Wita => "WITA",
            Zone::Wit => "WIT",
        }
    }

    pub fn iana(self) -> &'static str {
        match self {
            Zone::Wib => "Asia/Jakarta",
            Zone::Wita => "Asia/Makassar",
            Zone::Wit => "Asia/Jayapura",
        }
    }

    pub fn utc_offset_hours(self) -> i32 {
        match self {
            Zone::Wib => 7,
            Zone::Wita => 8,
            Zone::Wit => 9,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    #[serde(default)]
    pub position: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegency {
    name: String,
    province: String,
    timezone: String,
    #[serde(default)]
    office: Option<String>,
    #[serde(default)]
    contacts: Vec<Contact>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegencyInfo {
    pub name: String,
    pub province: String,
    pub timezone: Zone,
    pub office: Option<String>,
    pub contacts: Vec<Contact>,
}

pub fn parse(path: &Path, text: &str) -> Result<RegencyInfo, Vec<Diagnostic>> {
    let doc = yaml::parse::<RawRegency>(path, text, 0).map_err(|d| vec![d])?;
    let (raw, spans) = (doc.value, doc.spans);
    let mut problems = Vec::new();
    let lines = Lines::new(text);
    let timezone = match raw.timezone.trim().to_uppercase().as_str() {
        "WIB" => Zone::Wib,
        "WITA" => Zone::Wita,
        "WIT" => Zone::Wit,
        _ => {
            let (line, col) = spans.value("timezone");
            problems.push(
                Diagnostic::error(path, format!("unknown timezone `{}`", raw.timezone))
                    .at_in(&lines, line, col)
                    .with_hint("use WIB (Asia/Jakarta), WITA (Asia/Makassar) or WIT (Asia/Jayapura)"),
            );
            Zone::Wib
        }
    };
    for (field, value) in [("name", &raw.name), ("province", &raw.province)] {
        if value.trim().is_empty() {
            let (line, col) = spans.value(field);
            problems.push(Diagnostic::error(path, format!("`{field}` is empty")).at_in(&lines, line, col));
        }
    }
    for (i, contact) in raw.contacts.iter().enumerate() {
        if contact.email.as_deref().is_some_and(|e| !e.contains('@')) {
            let (line, col) = spans.value(&format!("contacts.{i}.email"));
            problems.push(
                Diagnostic::error(
                    path,
                    format!("`{}` is not an e-mail address", contact.email.as_deref().unwrap_or_default()),
                )
                .at_in(&lines, line, col),
            );
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(RegencyInfo {
        name: raw.name.trim().to_owned(),
        province: raw.province.trim().to_owned(),
        timezone,
        office: raw.office,
        contacts: raw.contacts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_regency() {
        let r =
            parse(Path::new("r.yaml"), "name: Kabupaten Landak\nprovince: Kalimantan Barat\ntimezone: wib\n").unwrap();
        assert_eq!(r.timezone, Zone::Wib);
        assert_eq!(r.timezone.iana(), "Asia/Jakarta");
    }

    #[test]
    fn unknown_timezone_is_located() {
        let e = parse(Path::new("r.yaml"), "name: A\nprovince: B\ntimezone: GMT+7\n").unwrap_err();
        assert_eq!((e[0].line, e[0].column), (Some(3), Some(11)));
        assert!(e[0].hint.as_deref().unwrap().contains("WITA"));
    }
}
