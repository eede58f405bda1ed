//! Every export format read back by an independent reader (the `csv` crate, feed-rs, the
//! `icalendar` parser) and compared with the JSON export of the same events.

use crate::cli::{events_json, ok_stdout, outages};
use crate::corpus;

fn exported(data: &std::path::Path, format: &str) -> String {
    ok_stdout(&outages(
        data,
        &["export", "--format", format, "vendor:Parse"],
    ))
}

#[test]
fn csv_atom_and_ics_agree_with_the_json_export() {
    let Some(path) = corpus::corpus_file("statuspage/feeds/parse-status-history-2014.rss") else {
        return;
    };
    let data = tempfile::tempdir().expect("tempdir");
    ok_stdout(&outages(
        data.path(),
        &["ingest", path.to_str().expect("utf-8")],
    ));
    let json = events_json(&outages(
        data.path(),
        &["export", "--format", "json", "vendor:Parse"],
    ));
    let events = json.as_array().expect("array");
    assert_eq!(events.len(), 17);

    // CSV: one row per event, RFC 4180 quoting, same titles and starts in the same order.
    let csv_text = exported(data.path(), "csv");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header = reader.headers().expect("header").clone();
    assert_eq!(&header[0], "id");
    assert_eq!(&header[2], "title");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), events.len());
    for (row, event) in rows.iter().zip(events) {
        assert_eq!(Some(&row[0]), event["id"].as_str());
        assert_eq!(Some(&row[2]), event["title"].as_str());
        assert_eq!(Some(&row[3]), event["start"].as_str());
    }

    // Atom: feed-rs reads one entry per event with the vendor and title.
    let atom = exported(data.path(), "atom");
    let feed = feed_rs::parser::parse(atom.as_bytes()).expect("valid Atom");
    assert_eq!(feed.entries.len(), events.len());
    let first_title = feed.entries[0].title.as_ref().map(|t| t.content.clone());
    assert_eq!(
        first_title,
        Some(format!(
            "Parse: {}",
            events[0]["title"].as_str().expect("title")
        ))
    );

    // iCalendar: one VEVENT per event, DTSTART as the event's start.
    let ics = exported(data.path(), "ics");
    let unfolded = icalendar::parser::unfold(&ics);
    let calendar = icalendar::parser::read_calendar(&unfolded).expect("valid iCalendar");
    let vevents: Vec<_> = calendar
        .components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .collect();
    assert_eq!(vevents.len(), events.len());
    let start = events[0]["start"]
        .as_str()
        .expect("start")
        .replace(['-', ':'], "");
    let dtstart = vevents[0]
        .find_prop("DTSTART")
        .map(|p| p.val.to_string())
        .expect("DTSTART");
    assert_eq!(dtstart, start);
}
