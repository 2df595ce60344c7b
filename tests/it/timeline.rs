//! Timelines and calendar feeds: pages parsed as HTML, feeds read by an independent iCalendar parser
//! (the `icalendar` crate) and compared with the schedules' YAML.

use std::collections::BTreeMap;

use icalendar::parser::{Component, read_calendar, unfold};

use crate::harness::Project;

/// A VEVENT's properties: name -> (parameters, value).
type Props = BTreeMap<String, (Vec<(String, String)>, String)>;

pub(crate) fn vevents(ics: &str) -> (Props, Vec<Props>, Vec<String>) {
    let unfolded = unfold(ics);
    let calendar = read_calendar(&unfolded).unwrap_or_else(|e| panic!("not valid iCalendar: {e}\n{ics}"));
    let props = |c: &[icalendar::parser::Property]| -> Props {
        c.iter()
            .map(|p| {
                let params = p
                    .params
                    .iter()
                    .map(|q| (q.key.to_string(), q.val.as_ref().map(|v| v.to_string()).unwrap_or_default()))
                    .collect();
                (p.name.to_string(), (params, p.val.to_string()))
            })
            .collect()
    };
    let timezones: Vec<String> = calendar
        .components
        .iter()
        .filter(|c| c.name == "VTIMEZONE")
        .map(|c: &Component| props(&c.properties)["TZID"].1.clone())
        .collect();
    let events = calendar.components.iter().filter(|c| c.name == "VEVENT").map(|c| props(&c.properties)).collect();
    (props(&calendar.properties), events, timezones)
}

pub(crate) fn unescape(text: &str) -> String {
    text.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")
}

/// The events of the fixture's YAML that a regency sees: (title, date, time, roles).
fn yaml_events(p: &Project, regency: &str) -> Vec<serde_yaml::Value> {
    let mut events = Vec::new();
    for file in ["content/schedules/nasional.yaml", &format!("content/regencies/{regency}/schedules/lokal.yaml")] {
        let Ok(text) = std::fs::read_to_string(p.path(file)) else { continue };
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        events.extend(doc["events"].as_sequence().unwrap().iter().cloned());
    }
    events
}

#[test]
fn regency_feed_holds_every_event_as_written_in_the_yaml() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    for (regency, tz, offset) in [("alpha", "Asia/Jakarta", "+0700"), ("beta", "Asia/Makassar", "+0800")] {
        let ics = p.read(&format!("output/{regency}/jadwal/kalender.ics"));
        assert!(ics.ends_with("\r\n") && !ics.replace("\r\n", "").contains('\n'), "lines must end in CRLF");
        assert!(ics.split("\r\n").all(|l| l.len() <= 75), "a line is longer than 75 octets");
        let (calendar, events, timezones) = vevents(&ics);
        assert_eq!(calendar["VERSION"].1, "2.0");
        assert_eq!(timezones, [tz]);
        assert!(ics.contains(&format!("TZOFFSETTO:{offset}")));
        let expected = yaml_events(&p, regency);
        assert_eq!(events.len(), expected.len());
        for yaml in &expected {
            let title = yaml["title"].as_str().unwrap();
            let event =
                events.iter().find(|e| unescape(&e["SUMMARY"].1) == title).unwrap_or_else(|| panic!("{title} missing"));
            let compact = |d: &serde_yaml::Value| d.as_str().unwrap().replace('-', "");
            match (yaml.get("date"), yaml.get("time")) {
                (Some(date), None) => {
                    assert_eq!(event["DTSTART"], (vec![("VALUE".into(), "DATE".into())], compact(date)));
                }
                (Some(date), Some(time)) => {
                    let time = time.as_str().unwrap();
                    let start = time.split('-').next().unwrap().replace(':', "");
                    assert_eq!(
                        event["DTSTART"],
                        (vec![("TZID".into(), tz.into())], format!("{}T{start}00", compact(date)))
                    );
                    if let Some(end) = time.split('-').nth(1) {
                        assert_eq!(event["DTEND"].1, format!("{}T{}00", compact(date), end.replace(':', "")));
                    }
                }
                (None, _) => {
                    assert_eq!(event["DTSTART"].1, compact(&yaml["start"]));
                    // DTEND of an all-day event is the day after the last one.
                    let end = yaml["end"].as_str().unwrap();
                    assert!(event["DTEND"].1 > end.replace('-', ""), "{:?}", event["DTEND"]);
                }
            }
            if let Some(location) = yaml.get("location") {
                assert_eq!(unescape(&event["LOCATION"].1), location.as_str().unwrap());
            }
            assert!(event["UID"].1.ends_with(&format!(".{regency}@uji.example.id")));
            assert!(event["DTSTAMP"].1.ends_with('Z'));
        }
    }
}

#[test]
fn role_feeds_and_event_files_hold_the_right_events() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    let titles = |path: &str| -> Vec<String> {
        let (_, events, _) = vevents(&p.read(path));
        events.iter().map(|e| unescape(&e["SUMMARY"].1)).collect()
    };
    assert_eq!(
        titles("output/alpha/jadwal/kpps/kalender.ics"),
        ["Masa kampanye", "Bimtek KPPS Alpha", "Pemungutan suara"]
    );
    assert_eq!(titles("output/alpha/jadwal/ppk/kalender.ics"), ["Masa kampanye"]);
    assert_eq!(titles("output/alpha/jadwal/acara/nasional-pemungutan-suara.ics"), ["Pemungutan suara"]);
    // Each page links each event's own file, and it exists.
    let page = p.page("alpha/jadwal/index.html");
    let links = page.attrs(".event-ics a", "href");
    assert_eq!(links.len(), 3);
    for link in links {
        assert!(p.out().join("alpha/jadwal").join(&link).is_file(), "{link}");
    }
}

#[test]
fn uids_survive_a_change_of_date_and_feeds_are_byte_identical() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    let feed = p.read("output/alpha/jadwal/kalender.ics");
    p.build().assert_ok();
    assert_eq!(feed, p.read("output/alpha/jadwal/kalender.ics"), "same input, same bytes");
    let uids = |ics: &str| -> Vec<String> { vevents(ics).1.iter().map(|e| e["UID"].1.clone()).collect() };
    p.edit(
        "content/regencies/alpha/schedules/lokal.yaml",
        "date: 2024-11-20\n    weekday: Rabu",
        "date: 2024-11-21\n    weekday: Kamis",
    );
    p.build().assert_ok();
    let moved = p.read("output/alpha/jadwal/kalender.ics");
    assert_ne!(feed, moved);
    let (mut before, mut after) = (uids(&feed), uids(&moved));
    before.sort();
    after.sort();
    assert_eq!(before, after, "a rescheduled event keeps its UID");
}

#[test]
fn texts_are_escaped_and_long_lines_folded() {
    let p = Project::fixture("basic");
    let title = "Rapat pleno, rekapitulasi; dan \\ penetapan hasil penghitungan suara tingkat kecamatan — PPK Sukasari";
    p.edit("content/regencies/alpha/schedules/lokal.yaml", "title: Bimtek KPPS Alpha", &format!("title: '{title}'"));
    p.build().assert_ok();
    let ics = p.read("output/alpha/jadwal/kalender.ics");
    assert!(ics.split("\r\n").all(|l| l.len() <= 75));
    let (_, events, _) = vevents(&ics);
    assert!(events.iter().any(|e| unescape(&e["SUMMARY"].1) == title));
}

#[test]
fn timeline_is_grouped_by_month_with_phases_and_per_role() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    let page = p.page("alpha/jadwal/index.html");
    assert_eq!(page.texts(".month h2"), ["September 2024", "November 2024"]);
    assert_eq!(page.texts("section.month ~ section.month .event-title"), ["Bimtek KPPS Alpha", "Pemungutan suara"]);
    assert_eq!(page.texts(".phases li"), ["Kampanye 25 September – 23 November 2024"]);
    assert_eq!(page.attrs(".phases a", "href"), ["#acara-nasional-masa-kampanye"]);
    assert_eq!(
        page.attrs(".subscribe a", "href"),
        ["webcal://uji.example.id/bimtek/alpha/jadwal/kalender.ics", "../jadwal/kalender.ics"]
    );
    let kpps = p.page("alpha/jadwal/kpps/index.html");
    assert_eq!(kpps.text("h1"), "Jadwal untuk KPPS");
    assert_eq!(kpps.texts(".event-title"), ["Masa kampanye", "Bimtek KPPS Alpha", "Pemungutan suara"]);
    assert_eq!(
        kpps.attrs(".subscribe a", "href"),
        ["webcal://uji.example.id/bimtek/alpha/jadwal/kpps/kalender.ics", "../../jadwal/kpps/kalender.ics"]
    );
    let ppk = p.page("alpha/jadwal/ppk/index.html");
    assert_eq!(ppk.texts(".event-title"), ["Masa kampanye"]);
    // The timeline carries what the script needs: the zone's offset and the labels.
    assert_eq!(page.attrs(".timeline", "data-utc-offset"), ["7"]);
    assert_eq!(p.page("beta/jadwal/index.html").attrs(".timeline", "data-utc-offset"), ["8"]);
}

#[test]
fn a_duplicate_event_and_a_far_off_year_are_warnings_not_errors() {
    let p = Project::fixture("basic");
    let local = p.read("content/regencies/alpha/schedules/lokal.yaml");
    p.write(
        "content/regencies/alpha/schedules/lokal.yaml",
        format!("{local}  - title: Bimtek KPPS alpha\n    date: 2024-11-20\n    time: \"08:00\"\n  - title: Rapat evaluasi\n    date: 2042-12-02\n"),
    );
    let run = p.build();
    run.assert_ok();
    for (location, message) in [
        (
            "content/regencies/alpha/schedules/lokal.yaml:9:5",
            "warning: the event `Bimtek KPPS alpha` on 2024-11-20 is listed twice",
        ),
        (
            "content/regencies/alpha/schedules/lokal.yaml:13:11",
            "warning: 2042-12-02 is far from the other events, which are around 2024",
        ),
    ] {
        assert!(
            run.stderr.split("\n\n").any(|b| b.contains(message) && b.contains(&format!("--> {location}\n"))),
            "expected `{message}` at {location}:\n{}",
            run.stderr
        );
    }
    assert!(p.out().join("alpha/jadwal/index.html").is_file(), "warnings do not stop the build");
}

#[test]
fn the_sample_project_feeds_hold_every_event_of_its_timelines() {
    let p = Project::sample();
    p.build().assert_ok();
    for regency in ["kapuas", "landak", "pangkalpinang", "purwakarta", "sanggau"] {
        let page = p.page(&format!("{regency}/jadwal/index.html"));
        let titles = page.texts(".event-title");
        assert!(titles.len() > 15, "{regency}: {} events", titles.len());
        let (_, events, zones) = vevents(&p.read(&format!("output/{regency}/jadwal/kalender.ics")));
        assert_eq!(zones, ["Asia/Jakarta"]);
        let feed: Vec<String> = events.iter().map(|e| unescape(&e["SUMMARY"].1)).collect();
        assert_eq!(feed, titles, "{regency}: feed and timeline disagree");
        let voting = events.iter().find(|e| e["DTSTART"].1 == "20241127T070000").expect("voting day at 07.00");
        assert_eq!(voting["DTEND"].1, "20241127T130000");
    }
}

#[test]
fn a_timed_span_repeats_daily_instead_of_running_through_the_nights() {
    let p = Project::fixture("basic");
    p.edit(
        "content/schedules/nasional.yaml",
        "    phase: Kampanye\n",
        "    phase: Kampanye\n    time: \"08:00-16:00\"\n",
    );
    p.build().assert_ok();
    let (_, events, _) = vevents(&p.read("output/alpha/jadwal/kalender.ics"));
    let campaign = events.iter().find(|e| e["SUMMARY"].1 == "Masa kampanye").unwrap();
    assert_eq!(campaign["DTSTART"].1, "20240925T080000");
    assert_eq!(campaign["DTEND"].1, "20240925T160000");
    // 25 September to 23 November inclusive: 60 days.
    assert_eq!(campaign["RRULE"].1, "FREQ=DAILY;COUNT=60");
}

#[test]
fn source_date_epoch_stamps_feeds_so_imported_events_update() {
    let p = Project::fixture("basic");
    let build_at = |epoch: &str| {
        let status = crate::harness::bin()
            .arg("build")
            .stdout(std::process::Stdio::null())
            .env("SOURCE_DATE_EPOCH", epoch)
            .current_dir(&p.root)
            .status()
            .unwrap();
        assert!(status.success());
        vevents(&p.read("output/alpha/jadwal/kalender.ics")).1
    };
    let first = build_at("1732000000");
    assert_eq!(first[0]["DTSTAMP"].1, "20241119T070640Z");
    let later = build_at("1732600000");
    let sequence = |events: &[Props]| events[0]["SEQUENCE"].1.parse::<i64>().unwrap();
    assert!(sequence(&later) > sequence(&first), "a later build must carry a higher SEQUENCE");
    // Without it, no clock leaks in: a fixed stamp and no SEQUENCE.
    p.build().assert_ok();
    let (_, plain, _) = vevents(&p.read("output/alpha/jadwal/kalender.ics"));
    assert_eq!(plain[0]["DTSTAMP"].1, "19700101T000000Z");
    assert!(!plain[0].contains_key("SEQUENCE"));
}
