//! Calendar dates and clock times of schedules: parsing, weekdays and the Indonesian way of writing them.
//!
//! Schedules need only proleptic Gregorian dates, weekdays and wall-clock times in zones without
//! daylight saving (WIB, WITA, WIT), so a few lines of arithmetic serve better than a date library.

use std::fmt;

use serde::Serialize;

use crate::config::Language;

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

pub const WEEKDAYS_ID: [&str; 7] = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"];
const WEEKDAYS_EN: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// Parses `YYYY-MM-DD`, explaining what is wrong when it is not a real date.
    pub fn parse(text: &str) -> Result<Date, String> {
        let parts: Vec<&str> = text.trim().split('-').collect();
        let shape_ok = parts.len() == 3
            && parts[0].len() == 4
            && parts[1].len() == 2
            && parts[2].len() == 2
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
        if !shape_ok {
            return Err(format!("`{text}` is not a date in the form YYYY-MM-DD (e.g. 2024-11-27)"));
        }
        let (year, month, day) = (
            parts[0].parse::<i32>().map_err(|e| e.to_string())?,
            parts[1].parse::<u32>().map_err(|e| e.to_string())?,
            parts[2].parse::<u32>().map_err(|e| e.to_string())?,
        );
        if !(1..=12).contains(&month) {
            return Err(format!("`{text}` has month {month}; months go from 01 to 12"));
        }
        let max = days_in_month(year, month);
        if day == 0 || day > max {
            return Err(format!("`{text}` does not exist: {} {year} has {max} days", MONTHS_EN[month as usize - 1]));
        }
        Ok(Date { year, month, day })
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Inverse of `days_since_epoch` (Howard Hinnant's `civil_from_days`).
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// 0 = Monday .. 6 = Sunday.
    pub fn weekday_index(self) -> usize {
        // 1970-01-01 was a Thursday (index 3).
        (self.days_since_epoch() + 3).rem_euclid(7) as usize
    }

    pub fn weekday_id(self) -> &'static str {
        WEEKDAYS_ID[self.weekday_index()]
    }

    /// "Rabu, 27 November 2024" / "Wednesday, 27 November 2024".
    pub fn long(self, language: Language) -> String {
        let (days, months) = names(language);
        format!("{}, {}", days[self.weekday_index()], self.without_weekday(language, months))
    }

    /// "27 November 2024".
    pub fn medium(self, language: Language) -> String {
        self.without_weekday(language, names(language).1)
    }

    fn without_weekday(self, _language: Language, months: &[&str; 12]) -> String {
        format!("{} {} {}", self.day, months[self.month as usize - 1], self.year)
    }

    /// The month heading a timeline groups by: "November 2024".
    pub fn month_year(self, language: Language) -> String {
        format!("{} {}", names(language).1[self.month as usize - 1], self.year)
    }
}

fn names(language: Language) -> (&'static [&'static str; 7], &'static [&'static str; 12]) {
    match language {
        Language::Id => (&WEEKDAYS_ID, &MONTHS_ID),
        Language::En => (&WEEKDAYS_EN, &MONTHS_EN),
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// "Rabu, 27 November 2024", "24–26 November 2024", "25 September – 23 November 2024".
pub fn span(start: Date, end: Date, language: Language) -> String {
    if start == end {
        return start.long(language);
    }
    let (s, e) = (start.medium(language), end.medium(language));
    if start.year == end.year && start.month == end.month {
        format!("{}–{e}", start.day)
    } else if start.year == end.year {
        let without_year = s.trim_end_matches(&format!(" {}", start.year)).to_owned();
        format!("{without_year} – {e}")
    } else {
        format!("{s} – {e}")
    }
}

/// Matches a weekday name a trainer wrote against the Indonesian names, forgiving case and "Jum'at".
pub fn normalize_weekday(text: &str) -> Option<&'static str> {
    let folded: String = text.trim().to_lowercase().chars().filter(|c| c.is_alphabetic()).collect();
    WEEKDAYS_ID.iter().copied().find(|d| d.to_lowercase() == folded)
}

/// A wall-clock time of day, minutes since midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Clock(pub u32);

impl Clock {
    fn parse(text: &str) -> Option<Clock> {
        let (h, m) = text.trim().split_once([':', '.'])?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return None;
        }
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(Clock(h * 60 + m))
    }
}

impl fmt::Display for Clock {
    /// Indonesian style uses a dot: 07.00.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}.{:02}", self.0 / 60, self.0 % 60)
    }
}

/// `"07:00"` or `"07:00-13:00"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeRange {
    pub start: Clock,
    pub end: Option<Clock>,
}

impl TimeRange {
    pub fn parse(text: &str) -> Result<TimeRange, String> {
        let bad = || format!("`{text}` is not a time like \"07:00\" or a range like \"07:00-13:00\"");
        let (start, end) = match text.split_once(['-', '–']) {
            Some((a, b)) => (a, Some(b)),
            None => (text, None),
        };
        let start = Clock::parse(start).ok_or_else(bad)?;
        let end = match end {
            Some(e) => Some(Clock::parse(e).ok_or_else(bad)?),
            None => None,
        };
        if let Some(e) = end {
            if e <= start {
                return Err(format!("`{text}` ends before it starts"));
            }
        }
        Ok(TimeRange { start, end })
    }

    /// "07.00–13.00 WIB".
    pub fn display(&self, zone: &str) -> String {
        match self.end {
            Some(end) => format!("{}–{} {zone}", self.start, end),
            None => format!("{} {zone}", self.start),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_written_the_indonesian_way() {
        let d = |s: &str| Date::parse(s).unwrap();
        assert_eq!(span(d("2024-11-27"), d("2024-11-27"), Language::Id), "Rabu, 27 November 2024");
        assert_eq!(span(d("2024-11-24"), d("2024-11-26"), Language::Id), "24–26 November 2024");
        assert_eq!(span(d("2024-09-25"), d("2024-11-23"), Language::Id), "25 September – 23 November 2024");
        assert_eq!(span(d("2024-12-30"), d("2025-01-02"), Language::Id), "30 Desember 2024 – 2 Januari 2025");
    }

    #[test]
    fn voting_day_is_a_wednesday() {
        let d = Date::parse("2024-11-27").unwrap();
        assert_eq!(d.weekday_id(), "Rabu");
        assert_eq!(d.long(Language::Id), "Rabu, 27 November 2024");
        assert_eq!(d.long(Language::En), "Wednesday, 27 November 2024");
    }

    #[test]
    fn weekdays_around_epoch_and_leap_days() {
        assert_eq!(Date::parse("1970-01-01").unwrap().weekday_id(), "Kamis");
        assert_eq!(Date::parse("2024-02-29").unwrap().weekday_id(), "Kamis");
        assert_eq!(Date::parse("2000-03-01").unwrap().weekday_id(), "Rabu");
    }

    #[test]
    fn invalid_dates_are_explained() {
        assert!(Date::parse("2023-02-29").unwrap_err().contains("has 28 days"));
        assert!(Date::parse("2024-13-01").unwrap_err().contains("month 13"));
        assert!(Date::parse("27-11-2024").unwrap_err().contains("YYYY-MM-DD"));
        assert!(Date::parse("2024-1-5").is_err());
    }

    #[test]
    fn weekday_names_are_forgiving() {
        assert_eq!(normalize_weekday("jum'at"), Some("Jumat"));
        assert_eq!(normalize_weekday(" RABU "), Some("Rabu"));
        assert_eq!(normalize_weekday("Wednesday"), None);
    }

    #[test]
    fn time_ranges() {
        assert_eq!(TimeRange::parse("07:00-13:00").unwrap().display("WIB"), "07.00–13.00 WIB");
        assert_eq!(TimeRange::parse("19:30").unwrap().display("WITA"), "19.30 WITA");
        assert!(TimeRange::parse("25:00").is_err());
        assert!(TimeRange::parse("13:00-07:00").unwrap_err().contains("ends before"));
        assert!(TimeRange::parse("pagi").is_err());
    }
}
