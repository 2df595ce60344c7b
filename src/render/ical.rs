//! iCalendar (RFC 5545) feeds of a regency's events: all-day events as dates, timed events in the
//! regency's zone with its VTIMEZONE, stable UIDs from the content, escaping, 75-octet folding, CRLF.
//! Pure and deterministic: no wall clock anywhere.

use crate::content::regency::Zone;
use crate::date::Date;
use crate::schedule::Event;

/// One event as the feed needs it.
pub struct FeedEvent<'a> {
    pub event: &'a Event,
    pub id: &'a str,
    /// Absolute URL of the page that describes it best (its module, else the schedule).
    pub url: String,
    pub role_names: Vec<&'a str>,
}

pub struct Feed<'a> {
    pub name: &'a str,
    pub regency: &'a str,
    pub zone: Zone,
    /// Host part of the UIDs, from `base_url`.
    pub domain: &'a str,
    /// Seconds since 1970 of the build (SOURCE_DATE_EPOCH), for DTSTAMP and SEQUENCE; never the
    /// wall clock, so the same input gives the same feed.
    pub stamp: Option<i64>,
    pub events: Vec<FeedEvent<'a>>,
}

fn compact(date: Date) -> String {
    format!("{:04}{:02}{:02}", date.year, date.month, date.day)
}

/// `YYYYMMDDTHHMMSSZ` of a Unix time.
fn utc(seconds: i64) -> String {
    let date = Date::from_days_since_epoch(seconds.div_euclid(86_400));
    let s = seconds.rem_euclid(86_400);
    format!("{}T{:02}{:02}{:02}Z", compact(date), s / 3600, s % 3600 / 60, s % 60)
}

fn next_day(date: Date) -> Date {
    Date::from_days_since_epoch(date.days_since_epoch() + 1)
}

/// TEXT value escaping (RFC 5545 3.3.11).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line, folded at 75 octets without splitting a UTF-8 character, ended by CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

pub fn calendar(feed: &Feed) -> String {
    let mut out = String::new();
    let zone = feed.zone;
    let offset = format!("+{:02}00", zone.utc_offset_hours());
    for l in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bimtek//bimtek//ID", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    {
        line(&mut out, l);
    }
    line(&mut out, &format!("X-WR-CALNAME:{}", text(feed.name)));
    line(&mut out, &format!("X-WR-TIMEZONE:{}", zone.iana()));
    // Indonesia has kept these offsets without daylight saving since 1988 (WIB, WITA, WIT).
    for l in [
        "BEGIN:VTIMEZONE".to_owned(),
        format!("TZID:{}", zone.iana()),
        "BEGIN:STANDARD".to_owned(),
        "DTSTART:19700101T000000".to_owned(),
        format!("TZOFFSETFROM:{offset}"),
        format!("TZOFFSETTO:{offset}"),
        format!("TZNAME:{}", zone.abbreviation()),
        "END:STANDARD".to_owned(),
        "END:VTIMEZONE".to_owned(),
    ] {
        line(&mut out, &l);
    }
    for fe in &feed.events {
        let e = fe.event;
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}.{}@{}", fe.id, feed.regency, feed.domain));
        // DTSTAMP is required. It comes from SOURCE_DATE_EPOCH when the build sets it (with a
        // SEQUENCE that grows with it, so calendars that imported a file accept the newer one);
        // otherwise a fixed instant keeps identical input giving identical bytes.
        line(&mut out, &format!("DTSTAMP:{}", utc(feed.stamp.unwrap_or(0))));
        if let Some(stamp) = feed.stamp {
            line(&mut out, &format!("SEQUENCE:{}", stamp.max(0) / 60));
        }
        match e.time {
            None => {
                line(&mut out, &format!("DTSTART;VALUE=DATE:{}", compact(e.start)));
                line(&mut out, &format!("DTEND;VALUE=DATE:{}", compact(next_day(e.end))));
            }
            Some(t) => {
                // "10–12 November, 08.00–16.00" means those hours on each day: one occurrence a day.
                let at = |d: Date, minutes: u32| format!("{}T{:02}{:02}00", compact(d), minutes / 60, minutes % 60);
                line(&mut out, &format!("DTSTART;TZID={}:{}", zone.iana(), at(e.start, t.start.0)));
                if let Some(end) = t.end {
                    line(&mut out, &format!("DTEND;TZID={}:{}", zone.iana(), at(e.start, end.0)));
                }
                let days = e.end.days_since_epoch() - e.start.days_since_epoch() + 1;
                if days > 1 {
                    line(&mut out, &format!("RRULE:FREQ=DAILY;COUNT={days}"));
                }
            }
        }
        line(&mut out, &format!("SUMMARY:{}", text(&e.title)));
        if let Some(location) = &e.location {
            line(&mut out, &format!("LOCATION:{}", text(location)));
        }
        let mut description = Vec::new();
        if let Some(phase) = &e.phase {
            description.push(phase.clone());
        }
        if !fe.role_names.is_empty() {
            description.push(fe.role_names.join(", "));
        }
        if let Some(note) = &e.note {
            description.push(crate::markdown::plain_text(note));
        }
        description.push(fe.url.clone());
        line(&mut out, &format!("DESCRIPTION:{}", text(&description.join("\n\n"))));
        if !fe.role_names.is_empty() {
            line(
                &mut out,
                &format!("CATEGORIES:{}", fe.role_names.iter().map(|r| text(r)).collect::<Vec<_>>().join(",")),
            );
        }
        line(&mut out, &format!("URL:{}", fe.url));
        line(&mut out, "TRANSP:TRANSPARENT");
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_lines_within_75_octets_and_characters_whole() {
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "Pemungutan suara ulang — ".repeat(8));
        line(&mut out, &long);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, long);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn unix_times_format_as_utc() {
        assert_eq!(utc(0), "19700101T000000Z");
        assert_eq!(utc(1_732_638_600), "20241126T163000Z");
    }

    #[test]
    fn day_after_crosses_months_and_years() {
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(next_day(d("2024-11-30")), d("2024-12-01"));
        assert_eq!(next_day(d("2024-12-31")), d("2025-01-01"));
        assert_eq!(next_day(d("2024-02-28")), d("2024-02-29"));
    }
}
