//! Stage 3, parse schedules: a YAML schedule into validated events (dates, times, weekdays, roles).
//! Whether an event's `module` exists depends on the regency, so the model checks that later.

use std::path::Path;

use serde::Deserialize;

use crate::config::Config;
use crate::content::Scope;
use crate::date::{Date, TimeRange, normalize_weekday};
use crate::diagnostics::{Diagnostic, Lines, Position};
use crate::yaml;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchedule {
    title: String,
    #[serde(default)]
    events: Vec<RawEvent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    title: String,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    end: Option<String>,
    #[serde(default)]
    time: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    phase: Option<String>,
    #[serde(default)]
    module: Option<String>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    weekday: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Event {
    pub title: String,
    pub start: Date,
    /// Inclusive; equal to `start` for one-day events.
    pub end: Date,
    pub time: Option<TimeRange>,
    pub roles: Vec<String>,
    pub phase: Option<String>,
    pub module: Option<String>,
    pub location: Option<String>,
    /// Markdown.
    pub note: Option<String>,
    pub scope: Scope,
    pub schedule: String,
    pub schedule_title: String,
    /// Where the event starts in its file.
    pub position: Position,
    /// Where its `date:` (or `start:`) value is.
    pub date_position: Position,
    /// Where its `module:` value is, for "no such module" errors.
    pub module_position: Option<Position>,
    /// Where its `note:` value starts, for errors in links inside the note.
    pub note_position: Option<Position>,
}

#[derive(Debug, Clone)]
pub struct Schedule {
    pub slug: String,
    pub title: String,
    pub scope: Scope,
    pub events: Vec<Event>,
}

pub fn parse(path: &Path, text: &str, slug: &str, scope: &Scope, config: &Config) -> Result<Schedule, Vec<Diagnostic>> {
    let doc = yaml::parse::<RawSchedule>(path, text, 0).map_err(|d| vec![d])?;
    let (raw, spans) = (doc.value, doc.spans);
    let mut problems = Vec::new();
    let lines = Lines::new(text);
    let pos = |field: &str| {
        let (line, col) = spans.value(field);
        lines.position(path, line, col)
    };
    let mut events = Vec::with_capacity(raw.events.len());
    for (i, e) in raw.events.into_iter().enumerate() {
        let at = |field: &str| pos(&format!("events.{i}.{field}"));
        let mut bad = |field: &str, message: String, hint: &str| {
            problems.push(at(field).error(message).with_hint(hint.to_owned()));
        };
        let date_of = |field: &str, value: &Option<String>, bad: &mut dyn FnMut(&str, String, &str)| {
            value.as_deref().and_then(|v| match Date::parse(v) {
                Ok(d) => Some(d),
                Err(message) => {
                    bad(field, format!("invalid `{field}`: {message}"), "write dates as YYYY-MM-DD, e.g. 2024-11-27");
                    None
                }
            })
        };
        if e.title.trim().is_empty() {
            bad("title", "the event's `title` is empty".into(), "say what happens, e.g. `Bimtek KPPS`");
        }
        let date = date_of("date", &e.date, &mut bad);
        let start = date_of("start", &e.start, &mut bad);
        let end = date_of("end", &e.end, &mut bad);
        let span = match (&e.date, &e.start, &e.end) {
            (Some(_), None, None) => date.map(|d| (d, d)),
            (None, Some(_), Some(_)) => match (start, end) {
                (Some(s), Some(en)) if en < s => {
                    bad("end", format!("`end` ({en}) is before `start` ({s})"), "swap them, or fix the year or month");
                    None
                }
                (Some(s), Some(en)) => Some((s, en)),
                _ => None,
            },
            (None, None, None) => {
                bad(
                    "title",
                    format!("the event `{}` has no date", e.title),
                    "add `date: YYYY-MM-DD`, or `start:` and `end:` for a span",
                );
                None
            }
            (Some(_), _, _) => {
                bad(
                    "date",
                    "an event has either `date` or `start` and `end`, not both".into(),
                    "keep `date` for one day, `start`/`end` for a span",
                );
                None
            }
            (None, Some(_), None) => {
                bad(
                    "start",
                    "`start` without `end`".into(),
                    "add `end:` (inclusive), or write `date:` for a one-day event",
                );
                None
            }
            (None, None, Some(_)) => {
                bad("end", "`end` without `start`".into(), "add `start:`");
                None
            }
        };
        let time = match e.time.as_deref().map(TimeRange::parse) {
            Some(Ok(t)) => Some(t),
            Some(Err(message)) => {
                bad(
                    "time",
                    format!("invalid `time`: {message}"),
                    "write \"07:00\" or \"07:00-13:00\", in quotes, local to the regency",
                );
                None
            }
            None => None,
        };
        for (r, role) in e.roles.iter().enumerate() {
            if config.role(role).is_none() {
                bad(
                    &format!("roles.{r}"),
                    format!("unknown role `{role}`"),
                    &format!("roles are defined in bimtek.yaml: {}", config.role_keys()),
                );
            }
        }
        if let (Some(written), Some((s, en))) = (&e.weekday, span) {
            match normalize_weekday(written) {
                None => bad(
                    "weekday",
                    format!("`{written}` is not an Indonesian day name"),
                    "use Senin, Selasa, Rabu, Kamis, Jumat, Sabtu or Minggu",
                ),
                Some(_) if s != en => {
                    bad("weekday", "`weekday` only fits a one-day event".into(), "remove it, or use `date:`")
                }
                Some(day) if day != s.weekday_id() => bad(
                    "weekday",
                    format!("{s} is a {}, not a {day}", s.weekday_id()),
                    "check the date and the day; one of them is wrong",
                ),
                Some(_) => {}
            }
        }
        let Some((start, end)) = span else { continue };
        let module_position = e.module.as_ref().map(|_| at("module"));
        let note_position = e.note.as_ref().map(|_| at("note"));
        let mut roles = e.roles;
        roles.sort_by_key(|r| config.roles.iter().position(|t| &t.key == r));
        roles.dedup();
        events.push(Event {
            title: e.title.trim().to_owned(),
            start,
            end,
            time,
            roles,
            phase: e.phase.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()),
            // `module:` accepts the same forms as a markdown link: `denah`, `denah.md`, `denah/index.md`.
            module: e.module.map(|m| match crate::markdown::module_link(m.trim()) {
                Some(Ok((slug, _))) => slug,
                _ => m.trim().to_owned(),
            }),
            location: e.location,
            note: e.note,
            scope: scope.clone(),
            schedule: slug.to_owned(),
            schedule_title: raw.title.clone(),
            position: pos(&format!("events.{i}")),
            date_position: at(if e.date.is_some() { "date" } else { "start" }),
            module_position,
            note_position,
        });
    }
    if problems.is_empty() {
        Ok(Schedule { slug: slug.to_owned(), title: raw.title, scope: scope.clone(), events })
    } else {
        Err(problems)
    }
}

/// An event's id within its regency: `<schedule>-<title slug>`, numbered when a schedule repeats
/// a title. It names the event's own `.ics` file and, with the regency, makes its UID — so editing
/// an event's date or time updates it in calendars instead of adding a copy.
pub fn event_ids(events: &[&Event]) -> Vec<String> {
    let mut used = std::collections::HashSet::new();
    // The next number to try for each base, so 100,000 events of one title do not each count up
    // from 2 again.
    let mut next: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    events
        .iter()
        .map(|e| {
            let title = crate::markdown::slugify(&e.title);
            let title = if title.is_empty() { "acara".to_owned() } else { title };
            let base = format!("{}-{title}", e.schedule);
            // "Rapat", "Rapat", "Rapat 2" must not give two `rapat-2`: skip ids already taken.
            let mut id = base.clone();
            let n = next.entry(base.clone()).or_insert(2);
            while !used.insert(id.clone()) {
                id = format!("{base}-{n}");
                *n += 1;
            }
            id
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::parse(
            Path::new("bimtek.yaml"),
            "title: T\nbase_url: https://x.example\nroles:\n  kpps: {name: KPPS}\ntopics:\n  t: {name: T}\n",
        )
        .unwrap()
    }

    fn parse_str(text: &str) -> Result<Schedule, Vec<Diagnostic>> {
        parse(Path::new("s.yaml"), text, "s", &Scope::National, &config())
    }

    #[test]
    fn parses_single_days_and_spans() {
        let s = parse_str(
            "title: Tahapan\nevents:\n  - title: Pemungutan\n    date: 2024-11-27\n    weekday: Rabu\n    time: \"07:00-13:00\"\n    roles: [kpps]\n  - title: Kampanye\n    start: 2024-09-25\n    end: 2024-11-23\n",
        )
        .unwrap();
        assert_eq!(s.events.len(), 2);
        assert_eq!(s.events[0].start, s.events[0].end);
        assert_eq!(s.events[1].end.to_string(), "2024-11-23");
        assert_eq!(s.events[1].position.line, 8);
    }

    #[test]
    fn reports_all_problems_of_a_file_with_lines() {
        let problems = parse_str(
            "title: T\nevents:\n  - title: A\n    date: 2024-11-26\n    weekday: Rabu\n  - title: B\n    start: 2024-11-23\n    end: 2024-09-25\n  - title: C\n    date: 2024-02-30\n  - title: D\n    date: 2024-01-01\n    time: \"7 pagi\"\n    roles: [kpu]\n  - title: E\n",
        )
        .unwrap_err();
        let lines: Vec<_> = problems.iter().map(|d| (d.line.unwrap(), d.message.clone())).collect();
        assert_eq!(lines[0], (5, "2024-11-26 is a Selasa, not a Rabu".to_owned()));
        assert_eq!(lines[1].0, 8);
        assert!(lines[1].1.contains("before `start`"));
        assert_eq!(lines[2].0, 10);
        assert_eq!(lines[3].0, 13);
        assert_eq!(lines[4], (14, "unknown role `kpu`".to_owned()));
        assert_eq!(lines[5].0, 15);
        assert!(lines[5].1.contains("has no date"));
    }

    #[test]
    fn repeated_titles_get_ids_that_never_collide() {
        let text = "title: T\nevents:\n  - {title: Rapat, date: 2024-01-01}\n  - {title: Rapat, date: 2024-01-02}\n  - {title: Rapat 2, date: 2024-01-03}\n";
        let config = Config::parse(
            Path::new("b.yaml"),
            "title: T\nbase_url: https://x.example\nroles:\n  k: {name: K}\ntopics:\n  t: {name: T}\n",
        )
        .unwrap();
        let schedule = parse(Path::new("s.yaml"), text, "s", &Scope::National, &config).unwrap();
        let events: Vec<&Event> = schedule.events.iter().collect();
        assert_eq!(event_ids(&events), ["s-rapat", "s-rapat-2", "s-rapat-2-2"]);
    }

    #[test]
    fn many_events_of_one_title_get_ids_in_linear_time() {
        let mut text = String::from("title: T\nevents:\n");
        for _ in 0..20_000 {
            text.push_str("  - {title: Rapat, date: 2024-01-01}\n");
        }
        let schedule = parse_str(&text).unwrap();
        let events: Vec<&Event> = schedule.events.iter().collect();
        // Counting up from 2 for each event took 200 million tries here, minutes in a debug build.
        let started = std::time::Instant::now();
        let ids = event_ids(&events);
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
        assert_eq!(ids[19_999], "s-rapat-20000");
        assert_eq!(ids.iter().collect::<std::collections::HashSet<_>>().len(), ids.len());
    }
}
