//! Atlassian Statuspage `history.atom` and `history.rss`: one entry per incident or maintenance,
//! its HTML holding one block per update, newest first:
//! `<p><small>Oct <var data-var='date'> 3</var>, <var data-var='time'>03:47</var> UTC</small><br>
//! <strong>Resolved</strong> - text</p>`, sometimes closed by "This incident affected: A, B and C."
//! RSS carries the same HTML entity-escaped.
//!
//! Update stamps have no year. Each is placed with [`infer_year`] within half a year either side
//! of the entry's published time: the published time is usually the resolution, but a
//! post-mortem can follow days later (Parse's 24 December 2013 incident has one on the 26th).
//! Zones are abbreviations or offsets. Old StatusPage.io pages printed their standard-time name
//! all year: Parse's feed says "Oct 28, 14:48 PST" where the item's pubDate says 14:48 -0700. So
//! when no stamp of an entry matches its published minute, but a stamp in a US standard zone
//! (PST, MST, CST, EST, AKST) sits exactly one hour after it, those stamps are read as daylight
//! time.
//!
//! The id is the incident code from the entry link (`.../incidents/<code>`), the same code the
//! JSON API uses, so the Atom, RSS and JSON forms of one incident share an id. Feeds carry no
//! impact: severity is `maintenance` for maintenance entries (Scheduled / In progress /
//! Completed), the `impact-<word>` class when the HTML has one, else `unknown`.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, NaiveTime, Timelike, Utc};
use regex::Regex;

use super::statuspage::{
    affected_services, closing_update_time, http_url, incident_cause, incident_code,
    maintenance_start, oldest_first, push_unique, severity_from_impact, source_quote,
    vendor_from_title,
};
use super::syndication::{self, Syndication, SyndicationEntry, Syntax};
use super::{ParseContext, ParseError};
use crate::extract::text::{html_to_text, one_line};
use crate::extract::time::{infer_year, month_number, parse_feed_date, zone_offset};
use crate::model::{
    Format, Incident, ReportKind, Severity, SourceRef, Status, Update, incident_id,
};

/// How far from the entry's published time an update may lie (see the module doc).
const STAMP_WINDOW_DAYS: i64 = 180;

/// Standard-time names that old pages printed on daylight-time clocks.
const NOMINAL_STANDARD_ZONES: [&str; 5] = ["PST", "MST", "CST", "EST", "AKST"];

/// "Oct 3, 03:47 UTC", "Jan 1, 09:09 PST", "Mar 13, 06:55 - 16:02 UTC",
/// "Mar 13, 22:00 - Mar 14, 02:00 +0100": the first time of a range is the update's.
static STAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{1,2}):(\d{2})(?:\s*-\s*(?:[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+)?\d{1,2}:\d{2})?\s+(\S+)$",
    )
    .expect("stamp pattern is valid")
});

/// The announced window of a maintenance heading (see [`scheduled_window`]).
static WINDOW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{1,2}):(\d{2})\s*[-–—]\s*(?:([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+)?(\d{1,2}):(\d{2})\s+(\S+)",
    )
    .expect("window pattern is valid")
});

/// Statuspage's incident pages mark impact with a CSS class; a feed that embeds one names it.
static IMPACT_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bimpact-(none|minor|major|critical|maintenance)\b")
        .expect("impact pattern is valid")
});

/// The facts in one entry's HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryBody {
    /// Oldest first; `at` is `None` where the stamp is unreadable.
    pub updates: Vec<Update>,
    /// From the closing "This incident affected: ..." line.
    pub services: Vec<String>,
}

/// One update block before its stamp is placed on the calendar.
struct Block {
    stamp: Option<Stamp>,
    label: String,
    text: String,
}

/// A year-less stamp as printed.
struct Stamp {
    month: u32,
    day: u32,
    time: NaiveTime,
    zone: String,
}

/// Parses a Statuspage Atom or RSS history feed.
pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    let guessed = ctx
        .format
        .or_else(|| super::detect(bytes))
        .filter(|f| matches!(f, Format::StatuspageAtom | Format::StatuspageRss))
        .unwrap_or(Format::StatuspageAtom);
    let feed = syndication::read(bytes, ctx.url.as_deref(), parse_feed_date).map_err(|e| {
        ParseError::Feed {
            format: guessed,
            message: e.to_string(),
        }
    })?;
    from_document(feed, ctx)
}

/// The incidents of a read feed.
pub(crate) fn from_document(
    feed: Syndication,
    ctx: &ParseContext,
) -> Result<Vec<Incident>, ParseError> {
    let format = match feed.syntax {
        Syntax::Atom => Format::StatuspageAtom,
        Syntax::Rss2 | Syntax::OtherRss | Syntax::JsonFeed => Format::StatuspageRss,
    };
    let given = ctx
        .vendor
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string);
    let vendor = given
        .or_else(|| {
            feed.title
                .as_ref()
                .and_then(|t| vendor_from_title(&html_to_text(t)))
        })
        .ok_or_else(|| ParseError::Invalid {
            format,
            message: "no vendor: the feed has no title and no vendor was given".into(),
        })?;

    let mut incidents = Vec::new();
    let mut first_problem: Option<String> = None;
    for entry in &feed.entries {
        match entry_incident(entry, &vendor) {
            Ok(incident) => incidents.push(incident),
            Err(problem) => {
                tracing::warn!(vendor = %vendor, entry = %entry.id, problem = %problem, "skipping a Statuspage feed entry");
                first_problem.get_or_insert(problem);
            }
        }
    }
    if incidents.is_empty() {
        if let Some(problem) = first_problem {
            return Err(ParseError::Invalid {
                format,
                message: format!(
                    "none of the {} entries could be read; first: {problem}",
                    feed.entries.len()
                ),
            });
        }
    }
    Ok(incidents)
}

fn entry_incident(entry: &SyndicationEntry, vendor: &str) -> Result<Incident, String> {
    let link = entry.find_link(http_url);
    let native_id = link
        .as_deref()
        .and_then(incident_code)
        .or_else(|| incident_code(&entry.id))
        .map(str::to_string)
        .or_else(|| atom_numeric_id(&entry.id))
        .ok_or_else(|| {
            format!(
                "entry {:?} has no incident link and no numeric id",
                entry.id
            )
        })?;
    let title = entry
        .title
        .as_deref()
        .map(|t| one_line(&html_to_text(t)))
        .unwrap_or_default();
    let html = entry.html().unwrap_or_default();
    let published = entry.published.or(entry.updated);
    let body = parse_entry_body(html, published);
    let window = published.and_then(|p| scheduled_window(html, p));
    if body.updates.is_empty() {
        return Err(format!("entry {native_id} has no update blocks"));
    }
    let updates = body.updates;

    let status = updates
        .iter()
        .rev()
        .find_map(|u| Status::from_label(&u.status))
        .unwrap_or(Status::Unknown);
    let is_maintenance = window.is_some()
        || updates.iter().any(|u| {
            matches!(
                Status::from_label(&u.status),
                Some(Status::Scheduled | Status::InProgress | Status::Completed)
            )
        });
    let (severity, severity_native) = if is_maintenance {
        (Severity::Maintenance, None)
    } else if let Some(word) = IMPACT_CLASS.captures(html).and_then(|c| c.get(1)) {
        (
            severity_from_impact(word.as_str()),
            Some(word.as_str().to_string()),
        )
    } else {
        (Severity::Unknown, None)
    };
    // A maintenance that has not begun is its announced window.
    let end = if status.is_closed() {
        closing_update_time(&updates)
    } else if is_maintenance && status == Status::Scheduled {
        window.map(|(_, end)| end)
    } else {
        None
    };
    // A maintenance starts when work begins, not when it was announced.
    let start = if is_maintenance {
        maintenance_start(&updates, window.map(|(start, _)| start), end)
    } else {
        updates.iter().filter_map(|u| u.at).min()
    };
    let cause = incident_cause(None, &updates);
    let quote = source_quote(&title, &updates);

    Ok(Incident {
        id: incident_id(vendor, &native_id),
        vendor: vendor.to_string(),
        title,
        start,
        end,
        status,
        severity,
        severity_native,
        stated_minutes: None,
        regions: Vec::new(),
        services: body.services,
        cause,
        updates,
        sources: vec![SourceRef {
            url: link,
            kind: ReportKind::Status,
            quote: Some(quote),
        }],
    })
}

/// `tag:www.githubstatus.com,2005:Incident/26633369` -> `26633369`: the Atom id, used only when
/// an entry has no link (it differs from the API code, so such an incident will not match its
/// JSON form).
fn atom_numeric_id(id: &str) -> Option<String> {
    let (_, tail) = id.rsplit_once('/')?;
    (!tail.is_empty() && tail.chars().all(|c| c.is_ascii_digit())).then(|| tail.to_string())
}

/// Reads the update blocks of one entry's HTML (raw or entity-escaped), oldest first, with their
/// stamps placed relative to `published`. A block without a stamp or a label is skipped; an
/// unreadable stamp leaves that update's time `None`; without `published` no time is known.
pub fn parse_entry_body(html: &str, published: Option<DateTime<Utc>>) -> EntryBody {
    let html = unescaped(html);
    let html = html.as_ref();
    let mut services = Vec::new();
    let mut blocks = Vec::new();
    for segment in small_segments(html) {
        let Some(block) = read_block(segment, &mut services) else {
            continue;
        };
        blocks.push(block);
    }
    let mut times: Vec<Option<DateTime<Utc>>> = blocks
        .iter()
        .map(|b| place(b.stamp.as_ref()?, published?))
        .collect();
    if let Some(published) = published {
        correct_nominal_standard_zone(&blocks, &mut times, published);
    }
    let updates = blocks
        .into_iter()
        .zip(times)
        .map(|(b, at)| Update {
            at,
            status: b.label.to_lowercase(),
            text: b.text,
        })
        .collect();
    EntryBody {
        updates: oldest_first(updates),
        services,
    }
}

/// RSS carries the entry HTML entity-escaped; Atom carries it raw.
fn unescaped(html: &str) -> std::borrow::Cow<'_, str> {
    if !html.contains("<small") && (html.contains("&lt;small") || html.contains("&lt;strong")) {
        html_escape::decode_html_entities(html)
    } else {
        std::borrow::Cow::Borrowed(html)
    }
}

/// The window a maintenance entry announces in its heading, "THIS IS A SCHEDULED EVENT Dec 18,
/// 16:00 - 17:00 UTC" (or "Mar 13, 22:00 - Mar 14, 02:00 UTC"), placed like the update stamps;
/// `None` when the entry has no such heading or it cannot be read. An end clock before the start
/// clock on the same date is the next day.
fn scheduled_window(
    html: &str,
    published: DateTime<Utc>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    const HEADING: &str = "this is a scheduled event";
    let html = unescaped(html);
    let lower = html.to_ascii_lowercase();
    let at = lower.find(HEADING)? + HEADING.len();
    let rest = html.get(at..)?;
    let rest_lower = lower.get(at..)?;
    let stop = ["</strong>", "</p>", "<small", "<br"]
        .iter()
        .filter_map(|tag| rest_lower.find(tag))
        .min()
        .unwrap_or(rest.len());
    let text = one_line(&html_to_text(rest.get(..stop)?));
    let caps = WINDOW.captures(&text)?;
    let number = |i: usize| -> Option<u32> { caps.get(i)?.as_str().parse().ok() };
    let month = month_number(caps.get(1)?.as_str())?;
    let day = number(2)?;
    let zone = caps.get(9)?.as_str().to_string();
    let (end_month, end_day) = match (caps.get(5), number(6)) {
        (Some(m), Some(d)) => (month_number(m.as_str())?, d),
        _ => (month, day),
    };
    let from = Stamp {
        month,
        day,
        time: NaiveTime::from_hms_opt(number(3)?, number(4)?, 0)?,
        zone: zone.clone(),
    };
    let until = Stamp {
        month: end_month,
        day: end_day,
        time: NaiveTime::from_hms_opt(number(7)?, number(8)?, 0)?,
        zone,
    };
    let start = place(&from, published)?;
    let mut end = place(&until, published)?;
    if end < start && caps.get(5).is_none() {
        end += Duration::days(1);
    }
    // A window across New Year: its end is in the start's next year.
    if end < start {
        end = end.checked_add_months(chrono::Months::new(12))?;
    }
    (end >= start).then_some((start, end))
}

/// Splits `html` at each `<small` tag; each piece is one update block (text before the first
/// tag belongs to no block).
fn small_segments(html: &str) -> Vec<&str> {
    // ASCII lowercasing keeps byte offsets, so positions found in `lower` index `html`.
    let lower = html.to_ascii_lowercase();
    let starts: Vec<usize> = lower.match_indices("<small").map(|(i, _)| i).collect();
    let mut segments = Vec::with_capacity(starts.len());
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(html.len());
        if let Some(segment) = html.get(start..end) {
            segments.push(segment);
        }
    }
    segments
}

/// One block: `<small ...>STAMP</small><br><strong>LABEL</strong> - TEXT`. Lines of TEXT that
/// list affected services go to `services` instead.
fn read_block(segment: &str, services: &mut Vec<String>) -> Option<Block> {
    let lower = segment.to_ascii_lowercase();
    let stamp_open = lower.find('>')?;
    let stamp_close = lower.find("</small>")?;
    let stamp_html = segment.get(stamp_open + 1..stamp_close)?;
    let after = stamp_close + "</small>".len();
    let strong = after + lower.get(after..)?.find("<strong")?;
    let label_open = strong + lower.get(strong..)?.find('>')? + 1;
    let label_close = label_open + lower.get(label_open..)?.find("</strong>")?;
    let label = one_line(&html_to_text(segment.get(label_open..label_close)?));
    if label.is_empty() {
        return None;
    }
    let raw_text = segment.get(label_close + "</strong>".len()..)?;
    let text = html_to_text(raw_text);
    let text = text
        .trim_start()
        .trim_start_matches(['-', '–', '—'])
        .trim_start();
    let mut kept: Vec<&str> = Vec::new();
    for line in text.lines() {
        match affected_services(line) {
            Some(names) => names.iter().for_each(|n| push_unique(services, n)),
            None => kept.push(line),
        }
    }
    Some(Block {
        stamp: read_stamp(&html_to_text(stamp_html)),
        label,
        text: kept.join("\n").trim().to_string(),
    })
}

fn read_stamp(text: &str) -> Option<Stamp> {
    let text = one_line(text);
    let caps = STAMP.captures(&text)?;
    let month = month_number(caps.get(1)?.as_str())?;
    let day: u32 = caps.get(2)?.as_str().parse().ok()?;
    let hour: u32 = caps.get(3)?.as_str().parse().ok()?;
    let minute: u32 = caps.get(4)?.as_str().parse().ok()?;
    Some(Stamp {
        month,
        day,
        time: NaiveTime::from_hms_opt(hour, minute, 0)?,
        zone: caps.get(5)?.as_str().to_string(),
    })
}

fn place(stamp: &Stamp, published: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let offset = zone_offset(&stamp.zone)?;
    let reference = published + Duration::days(STAMP_WINDOW_DAYS);
    infer_year(stamp.month, stamp.day, stamp.time, offset, reference)
}

/// See the module doc: a standard-zone stamp exactly one hour after the entry's published minute,
/// with no stamp on that minute, means the page printed its standard name on a daylight clock.
fn correct_nominal_standard_zone(
    blocks: &[Block],
    times: &mut [Option<DateTime<Utc>>],
    published: DateTime<Utc>,
) {
    let Some(minute) = published.with_second(0).and_then(|t| t.with_nanosecond(0)) else {
        return;
    };
    let nominal = |b: &Block| {
        b.stamp.as_ref().is_some_and(|s| {
            NOMINAL_STANDARD_ZONES
                .iter()
                .any(|z| z.eq_ignore_ascii_case(&s.zone))
        })
    };
    if times.contains(&Some(minute)) {
        return;
    }
    let shifted = minute + Duration::hours(1);
    let evidence = blocks
        .iter()
        .zip(times.iter())
        .any(|(b, t)| nominal(b) && *t == Some(shifted));
    if !evidence {
        return;
    }
    for (b, t) in blocks.iter().zip(times.iter_mut()) {
        if nominal(b) {
            *t = t.map(|t| t - Duration::hours(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rfc3339;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .expect("test time")
    }

    fn stamps(body: &EntryBody) -> Vec<(Option<String>, &str, &str)> {
        body.updates
            .iter()
            .map(|u| (u.at.map(rfc3339), u.status.as_str(), u.text.as_str()))
            .collect()
    }

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/statuspage/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
    }

    #[test]
    fn blocks_are_read_oldest_first_in_utc() {
        let html = "<p><small>Oct <var data-var='date'> 3</var>, <var data-var='time'>03:47</var> UTC</small><br><strong>Resolved</strong> - This incident has been resolved.</p><p><small>Oct <var data-var='date'> 3</var>, <var data-var='time'>02:41</var> UTC</small><br><strong>Investigating</strong> - We are investigating reports of degraded performance for Copilot</p>";
        let body = parse_entry_body(html, Some(utc("2025-10-03T03:47:27Z")));
        assert_eq!(
            stamps(&body),
            vec![
                (
                    Some("2025-10-03T02:41:00Z".into()),
                    "investigating",
                    "We are investigating reports of degraded performance for Copilot"
                ),
                (
                    Some("2025-10-03T03:47:00Z".into()),
                    "resolved",
                    "This incident has been resolved."
                ),
            ]
        );
        assert!(body.services.is_empty());
    }

    #[test]
    fn year_is_inferred_across_a_year_boundary() {
        let html = "<p><small>Jan  1, 00:20 PST</small><br><strong>Resolved</strong> - Fixed.</p><p><small>Dec 31, 23:50 PST</small><br><strong>Investigating</strong> - Looking.</p>";
        let body = parse_entry_body(html, Some(utc("2014-01-01T08:20:00Z")));
        assert_eq!(
            stamps(&body),
            vec![
                (
                    Some("2014-01-01T07:50:00Z".into()),
                    "investigating",
                    "Looking."
                ),
                (Some("2014-01-01T08:20:00Z".into()), "resolved", "Fixed."),
            ]
        );
    }

    #[test]
    fn pacific_zones_convert_to_utc() {
        let pst = parse_entry_body(
            "<small>Jan 14, 14:44 PST</small><br><strong>Update</strong> - x",
            Some(utc("2022-01-14T22:44:00Z")),
        );
        assert_eq!(
            pst.updates[0].at.map(rfc3339).as_deref(),
            Some("2022-01-14T22:44:00Z")
        );
        let pdt = parse_entry_body(
            "<small>Jul 14, 14:44 PDT</small><br><strong>Update</strong> - x",
            Some(utc("2022-07-14T21:44:00Z")),
        );
        assert_eq!(
            pdt.updates[0].at.map(rfc3339).as_deref(),
            Some("2022-07-14T21:44:00Z")
        );
    }

    #[test]
    fn numeric_offsets_and_time_ranges() {
        let body = parse_entry_body(
            "<small>Mar 13, 06:55 - 16:02 +0200</small><br><strong>Completed</strong> - Done.\
             <small>Mar 12, 22:00 - Mar 13, 02:00 UTC+1</small><br><strong>In progress</strong> - Working.",
            Some(utc("2024-03-13T14:02:00Z")),
        );
        assert_eq!(
            stamps(&body),
            vec![
                (
                    Some("2024-03-12T21:00:00Z".into()),
                    "in progress",
                    "Working."
                ),
                (Some("2024-03-13T04:55:00Z".into()), "completed", "Done."),
            ]
        );
    }

    #[test]
    fn escaped_rss_html_reads_like_raw_html() {
        let escaped = "&lt;p&gt;&lt;small&gt;Jan  1, 09:09 PST&lt;/small&gt;&lt;br&gt;&lt;strong&gt;Resolved&lt;/strong&gt; - We&apos;re back &amp;amp; fine.&lt;/p&gt;";
        let body = parse_entry_body(escaped, Some(utc("2014-01-01T17:09:00Z")));
        assert_eq!(
            stamps(&body),
            vec![(
                Some("2014-01-01T17:09:00Z".into()),
                "resolved",
                "We're back & fine."
            )]
        );
    }

    #[test]
    fn malformed_blocks_are_skipped_not_fatal() {
        let html = "<p><small>Oct 3, 03:47 UTC</small><br>no label here</p>\
                    <p><small>Feb 30, 10:00 UTC</small><br><strong>Update</strong> - Impossible date.</p>\
                    <p><small>Oct 2, 25:00 UTC</small><br><strong>Update</strong> - Impossible hour.</p>\
                    <p><small>Oct 2, 10:00 XYZT</small><br><strong>Update</strong> - Unknown zone.</p>\
                    <p><small>Oct 2, 09:00 UTC<br><strong>Investigating</strong> - Unclosed small.</p>\
                    <p><small>Oct 1, 08:00 UTC</small><br><strong>Investigating</strong> - Started.</p>";
        let body = parse_entry_body(html, Some(utc("2023-10-03T03:47:00Z")));
        // Undated updates keep the document order (reversed to oldest first).
        assert_eq!(
            stamps(&body),
            vec![
                (
                    Some("2023-10-01T08:00:00Z".into()),
                    "investigating",
                    "Started."
                ),
                (None, "update", "Unknown zone."),
                (None, "update", "Impossible hour."),
                (None, "update", "Impossible date."),
            ]
        );
    }

    #[test]
    fn affected_line_gives_services_not_text() {
        let html = "<p><small>Sep 25, 17:36 UTC</small><br><strong>Resolved</strong> - Fixed.</p>\
                    <p><small>Sep 25, 17:00 UTC</small><br><strong>Investigating</strong> - Looking.</p>\
                    <p>This incident affected: Git Operations, Webhooks, and API Requests.</p>";
        let body = parse_entry_body(html, Some(utc("2025-09-25T17:36:18Z")));
        assert_eq!(
            body.services,
            vec!["Git Operations", "Webhooks", "API Requests"]
        );
        assert_eq!(body.updates[0].text, "Looking.");
    }

    #[test]
    fn standard_zone_name_on_a_daylight_clock_is_corrected() {
        // Parse's feed, Oct 2013: "PST" stamps, pubDate 14:48 -0700.
        let html = "<p><small>Oct 28, 14:48 PST</small><br><strong>Resolved</strong> - Done.</p><p><small>Oct 28, 14:43 PST</small><br><strong>Identified</strong> - Found.</p>";
        let body = parse_entry_body(html, Some(utc("2013-10-28T21:48:00Z")));
        let times: Vec<Option<String>> = body.updates.iter().map(|u| u.at.map(rfc3339)).collect();
        assert_eq!(
            times,
            vec![
                Some("2013-10-28T21:43:00Z".into()),
                Some("2013-10-28T21:48:00Z".into())
            ]
        );
        // In winter the stamp matches the pubDate and nothing moves.
        let html = "<p><small>Nov  4, 10:06 PST</small><br><strong>Resolved</strong> - Done.</p>";
        let body = parse_entry_body(html, Some(utc("2013-11-04T18:06:36Z")));
        assert_eq!(
            body.updates[0].at.map(rfc3339).as_deref(),
            Some("2013-11-04T18:06:00Z")
        );
    }

    #[test]
    fn postmortem_days_after_publication_keeps_its_year() {
        let html = "<p><small>Dec 26, 10:22 PST</small><br><strong>Postmortem</strong> - Report.</p><p><small>Dec 24, 11:21 PST</small><br><strong>Resolved</strong> - Done.</p>";
        let body = parse_entry_body(html, Some(utc("2013-12-24T19:21:00Z")));
        assert_eq!(
            body.updates
                .last()
                .and_then(|u| u.at)
                .map(rfc3339)
                .as_deref(),
            Some("2013-12-26T18:22:00Z")
        );
    }

    #[test]
    fn without_a_reference_time_no_date_is_invented() {
        let body = parse_entry_body(
            "<small>Oct 3, 03:47 UTC</small><br><strong>Resolved</strong> - x",
            None,
        );
        assert_eq!(body.updates[0].at, None);
    }

    #[test]
    fn atom_feed_entries_become_incidents() {
        let got = parse(&fixture("history-imitation.atom"), &ParseContext::default())
            .expect("atom parses");
        assert_eq!(got.len(), 3);
        let copilot = &got[0];
        assert_eq!(copilot.id, "acme-cloud:34wtrn4nngwk");
        assert_eq!(copilot.vendor, "Acme Cloud");
        assert_eq!(copilot.title, "Incident with Copilot");
        assert_eq!(copilot.status, Status::Resolved);
        assert_eq!(copilot.severity, Severity::Unknown);
        assert_eq!(copilot.severity_native, None);
        assert_eq!(
            copilot.start.map(rfc3339).as_deref(),
            Some("2025-10-03T02:41:00Z")
        );
        assert_eq!(
            copilot.end.map(rfc3339).as_deref(),
            Some("2025-10-03T03:47:00Z")
        );
        assert_eq!(copilot.services, vec!["Copilot", "API Requests"]);
        assert_eq!(
            copilot.cause.as_deref(),
            Some("This was due to an issue with an upstream model provider.")
        );
        assert_eq!(
            copilot.sources[0].url.as_deref(),
            Some("https://status.acme.test/incidents/34wtrn4nngwk")
        );
        let labels: Vec<&str> = copilot.updates.iter().map(|u| u.status.as_str()).collect();
        assert_eq!(labels, vec!["investigating", "update", "resolved"]);

        let ongoing = &got[1];
        assert_eq!(ongoing.status, Status::Identified);
        assert_eq!(ongoing.end, None);
        assert_eq!(ongoing.severity, Severity::Major);
        assert_eq!(ongoing.severity_native.as_deref(), Some("major"));
        // No link: the numeric part of the Atom id.
        assert_eq!(ongoing.id, "acme-cloud:26610255");
        assert_eq!(ongoing.sources[0].url, None);

        let maintenance = &got[2];
        assert_eq!(maintenance.severity, Severity::Maintenance);
        assert_eq!(maintenance.status, Status::Completed);
        assert_eq!(
            maintenance.start.map(rfc3339).as_deref(),
            Some("2025-09-20T01:00:00Z")
        );
        assert_eq!(
            maintenance.end.map(rfc3339).as_deref(),
            Some("2025-09-20T02:30:00Z")
        );
        assert_eq!(maintenance.services, vec!["Actions"]);
    }

    /// A one-entry RSS history feed (Statuspage escapes the entry HTML in RSS).
    fn rss_entry(published: &str, html: &str) -> Vec<u8> {
        let escaped = html
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Symantec Status - Incident History</title><link>https://status.symantec.test</link><item><title>Network maintenance</title><description>{escaped}</description><pubDate>{published}</pubDate><link>https://status.symantec.test/incidents/w1nd0w000001</link><guid>https://status.symantec.test/incidents/w1nd0w000001</guid></item></channel></rss>"
        )
        .into_bytes()
    }

    fn only_incident(feed: &[u8]) -> Incident {
        let mut got = parse(feed, &ParseContext::default()).expect("feed parses");
        assert_eq!(got.len(), 1);
        got.remove(0)
    }

    #[test]
    fn a_scheduled_event_heading_gives_the_window() {
        let html = "<p><strong>THIS IS A SCHEDULED EVENT Dec <var data-var='date'>18</var>, <var data-var='time'>16:00</var> - <var data-var='time'>17:00</var> UTC</strong></p><p><small>Dec <var data-var='date'>11</var>, <var data-var='time'>09:12</var> UTC</small><br><strong>Scheduled</strong> - We will be performing network maintenance.</p>";
        let i = only_incident(&rss_entry("Wed, 11 Dec 2019 09:12:40 +0000", html));
        assert_eq!(i.severity, Severity::Maintenance);
        assert_eq!(i.status, Status::Scheduled);
        assert_eq!(
            i.start.map(rfc3339).as_deref(),
            Some("2019-12-18T16:00:00Z")
        );
        assert_eq!(i.end.map(rfc3339).as_deref(), Some("2019-12-18T17:00:00Z"));
    }

    #[test]
    fn a_window_across_midnight_and_dates_is_placed_in_order() {
        let html = "<p><strong>THIS IS A SCHEDULED EVENT Dec <var data-var='date'>31</var>, <var data-var='time'>22:00</var> - Jan <var data-var='date'>1</var>, <var data-var='time'>02:00</var> UTC</strong></p><p><small>Dec <var data-var='date'>20</var>, <var data-var='time'>10:00</var> UTC</small><br><strong>Scheduled</strong> - Planned work.</p>";
        let i = only_incident(&rss_entry("Fri, 20 Dec 2019 10:00:00 +0000", html));
        assert_eq!(
            i.start.map(rfc3339).as_deref(),
            Some("2019-12-31T22:00:00Z")
        );
        assert_eq!(i.end.map(rfc3339).as_deref(), Some("2020-01-01T02:00:00Z"));
        let html = "<p><strong>THIS IS A SCHEDULED EVENT Mar <var data-var='date'>13</var>, <var data-var='time'>22:00</var> - <var data-var='time'>02:00</var> UTC</strong></p><p><small>Mar <var data-var='date'>1</var>, <var data-var='time'>10:00</var> UTC</small><br><strong>Scheduled</strong> - Planned work.</p>";
        let i = only_incident(&rss_entry("Fri, 01 Mar 2024 10:00:00 +0000", html));
        assert_eq!(
            i.start.map(rfc3339).as_deref(),
            Some("2024-03-13T22:00:00Z")
        );
        assert_eq!(i.end.map(rfc3339).as_deref(), Some("2024-03-14T02:00:00Z"));
    }

    #[test]
    fn a_maintenance_scheduled_then_completed_starts_at_its_window_else_its_first_update() {
        let updates = "<p><small>Dec <var data-var='date'>18</var>, <var data-var='time'>17:02</var> UTC</small><br><strong>Completed</strong> - The scheduled maintenance has been completed.</p><p><small>Dec <var data-var='date'>11</var>, <var data-var='time'>09:12</var> UTC</small><br><strong>Scheduled</strong> - We will be performing network maintenance.</p>";
        let with_window = format!(
            "<p><strong>THIS IS A SCHEDULED EVENT Dec <var data-var='date'>18</var>, <var data-var='time'>16:00</var> - <var data-var='time'>17:00</var> UTC</strong></p>{updates}"
        );
        let i = only_incident(&rss_entry("Wed, 18 Dec 2019 17:02:00 +0000", &with_window));
        assert_eq!(i.status, Status::Completed);
        assert_eq!(
            i.start.map(rfc3339).as_deref(),
            Some("2019-12-18T16:00:00Z")
        );
        assert_eq!(i.end.map(rfc3339).as_deref(), Some("2019-12-18T17:02:00Z"));
        let i = only_incident(&rss_entry("Wed, 18 Dec 2019 17:02:00 +0000", updates));
        assert_eq!(i.severity, Severity::Maintenance);
        assert_eq!(
            i.start.map(rfc3339).as_deref(),
            Some("2019-12-11T09:12:00Z")
        );
        assert_eq!(i.end.map(rfc3339).as_deref(), Some("2019-12-18T17:02:00Z"));
    }

    #[test]
    fn atom_rss_and_json_forms_share_an_id() {
        let ctx = ParseContext::default();
        let atom = fixture("history-imitation.atom");
        assert_eq!(crate::parse::detect(&atom), Some(Format::StatuspageAtom));
        let from_atom = parse(&atom, &ctx).expect("atom parses");
        let rss = br#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Acme Cloud Status - Incident History</title>
<item><title>Incident with Copilot</title>
<description>&lt;p&gt;&lt;small&gt;Oct  3, 03:47 UTC&lt;/small&gt;&lt;br&gt;&lt;strong&gt;Resolved&lt;/strong&gt; - Done.&lt;/p&gt;</description>
<pubDate>Fri, 03 Oct 2025 03:47:27 +0000</pubDate>
<link>https://status.acme.test/incidents/34wtrn4nngwk</link>
<guid>https://status.acme.test/incidents/34wtrn4nngwk</guid></item></channel></rss>"#;
        assert_eq!(crate::parse::detect(rss), Some(Format::StatuspageRss));
        let from_rss = parse(rss, &ctx).expect("rss parses");
        let json = br#"{"page":{"name":"Acme Cloud","url":"https://status.acme.test"},
            "incident":{"id":"34wtrn4nngwk","name":"Incident with Copilot","status":"resolved","incident_updates":[]}}"#;
        let from_json = crate::parse::statuspage_json::parse(json, &ctx).expect("json parses");
        assert_eq!(from_atom[0].id, "acme-cloud:34wtrn4nngwk");
        assert_eq!(from_rss[0].id, from_atom[0].id);
        assert_eq!(from_json[0].id, from_atom[0].id);
        assert_eq!(from_rss[0].end, from_atom[0].end);
    }

    #[test]
    fn unusable_feeds_are_errors() {
        let ctx = ParseContext::default();
        let err = parse(b"<html><body>captive portal</body></html>", &ctx)
            .expect_err("html is not a feed");
        assert!(
            err.to_string()
                .starts_with("unreadable statuspage-atom XML: "),
            "{err}"
        );
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>X Status</title>
            <item><title>t</title><link>https://x.test/incidents/abc</link><description>no blocks</description></item>
            </channel></rss>"#;
        assert_eq!(
            parse(rss, &ctx).expect_err("no blocks").to_string(),
            "statuspage-rss: none of the 1 entries could be read; first: entry abc has no update blocks"
        );
        let untitled = br#"<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>"#;
        assert_eq!(
            parse(untitled, &ctx).expect_err("no vendor").to_string(),
            "statuspage-rss: no vendor: the feed has no title and no vendor was given"
        );
    }
}
