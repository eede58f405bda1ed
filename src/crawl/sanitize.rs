//! What the crawl refuses or trims at the edge, before anything is stored: pages nested or
//! sized to exhaust a parser, documents listing more items than any feed needs, times no
//! outage can have, text fields past their caps or holding control characters, and items a
//! document lists twice under one id.

use chrono::{DateTime, TimeDelta, Utc};

use super::{BodyError, MAX_HTML_BYTES, MAX_HTML_DEPTH, MAX_ITEMS_PER_DOCUMENT};
use crate::model::Incident;
use crate::parse::article::{PageLimits, PageRefused, precheck};

/// Gives distinct ids to different items that one document lists under the same id (feeds
/// reuse a guid more often than one would hope; feed-rs returns both). The store would merge
/// them into one incident and lose the other; instead a later item whose link (or, without
/// one, title) differs from the first one's gets the id plus a short hash of that link, which
/// is stable across fetches. Items that agree on it are the same item listed twice and keep
/// the id, to be merged.
pub fn split_duplicate_ids(incidents: &mut [Incident]) {
    use sha2::{Digest, Sha256};
    let key = |i: &Incident| {
        i.sources
            .iter()
            .find_map(|s| s.url.clone())
            .unwrap_or_else(|| i.title.clone())
    };
    let mut first_key: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for incident in incidents.iter_mut() {
        let k = key(incident);
        match first_key.get(&incident.id) {
            None => {
                first_key.insert(incident.id.clone(), k);
            }
            Some(first) if *first == k => {}
            Some(_) => {
                let digest = Sha256::digest(k.as_bytes());
                let short: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
                incident.id = format!("{}-{short}", incident.id);
            }
        }
    }
}

/// The most characters a stored text field keeps: a name or label, a title, and a long text (an
/// update, a cause, a quote). Real ones are far shorter (the longest real post-mortem update is
/// a few thousand characters); a feed sending a 12 MB title that changes on every fetch would
/// otherwise grow the store by megabytes a crawl.
const MAX_LABEL_CHARS: usize = 200;
const MAX_TITLE_CHARS: usize = 1_000;
const MAX_TEXT_CHARS: usize = 32_000;
/// The most updates, services and regions one incident keeps (the first ones).
const MAX_LIST_ITEMS: usize = 500;

/// Cleans every text field a parser left with control, escape or bidi characters in it, so
/// nothing stored can drive a terminal whatever the parser missed, and cuts every field at its
/// size cap (a cut field ends with "…"; the raw body keeps what the source said). Clean fields
/// within their caps are left untouched, so their content hashes (and the incidents'
/// revisions) do not move.
pub fn defang(incidents: &mut [Incident]) {
    fn fix(s: &mut String, cap: usize) {
        let hostile = s.chars().any(|c| {
            (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        });
        if hostile {
            *s = crate::extract::text::clean_text(s);
        }
        if s.len() > cap {
            *s = crate::extract::text::truncate_chars(s, cap);
        }
    }
    let label = |s: &mut String| fix(s, MAX_LABEL_CHARS);
    let text = |s: &mut String| fix(s, MAX_TEXT_CHARS);
    for i in incidents {
        label(&mut i.vendor);
        fix(&mut i.title, MAX_TITLE_CHARS);
        i.severity_native.iter_mut().for_each(label);
        i.regions.truncate(MAX_LIST_ITEMS);
        i.regions.iter_mut().for_each(label);
        i.services.truncate(MAX_LIST_ITEMS);
        i.services.iter_mut().for_each(label);
        i.cause.iter_mut().for_each(text);
        i.updates.truncate(MAX_LIST_ITEMS);
        for u in &mut i.updates {
            label(&mut u.status);
            text(&mut u.text);
        }
        for s in &mut i.sources {
            s.url.iter_mut().for_each(text);
            s.quote.iter_mut().for_each(text);
        }
    }
}

/// How far ahead of the clock a stated time may be before it is taken as a typo or a lie (a
/// feed's clock a few hours fast is common; a year 9999 is not).
const FUTURE_SLACK: TimeDelta = TimeDelta::days(1);
/// Scheduled maintenance is announced ahead, but not by more than a year in practice.
const MAINTENANCE_HORIZON: TimeDelta = TimeDelta::days(366);

/// The earliest time an outage record can be about: the web opened to the public in 1991, and
/// no status page or press report of an online service's outage is older. A feed that says
/// "0001-01-01" would otherwise make the data "cover" two thousand years and a billion outage
/// minutes.
pub const EARLIEST_PLAUSIBLE: DateTime<Utc> =
    DateTime::from_timestamp_nanos(631_152_000_000_000_000);

/// Drops stated times that cannot be true: too far in the future (an outage that "starts" in
/// 9999 and sorts first on every timeline) or before [`EARLIEST_PLAUSIBLE`] (year 0001). A
/// dropped time is unknown (the store falls back to when the item was first seen); the raw
/// body keeps what the source said, and the drop is logged with the incident.
pub fn drop_impossible_times(incidents: &mut [Incident], now: DateTime<Utc>) {
    for i in incidents {
        let ahead = if i.severity == crate::model::Severity::Maintenance {
            MAINTENANCE_HORIZON
        } else {
            FUTURE_SLACK
        };
        let limit = now + ahead;
        let id = i.id.clone();
        let too_far = |t: &mut Option<DateTime<Utc>>| {
            if let Some(at) = *t
                && (at > limit || at < EARLIEST_PLAUSIBLE)
            {
                tracing::warn!(incident = %id, time = %at, "impossible time dropped");
                *t = None;
            }
        };
        too_far(&mut i.start);
        too_far(&mut i.end);
        for u in &mut i.updates {
            too_far(&mut u.at);
        }
    }
}

/// Refuses an HTML page too big or too deeply nested for the HTML parser, with the article
/// extractor's linear scan under the crawl's tighter limits.
pub fn html_guard(body: &[u8]) -> Result<(), BodyError> {
    const CRAWL_LIMITS: PageLimits = PageLimits {
        max_bytes: MAX_HTML_BYTES,
        max_nesting: MAX_HTML_DEPTH,
    };
    precheck(body, CRAWL_LIMITS).map_err(|refused| {
        BodyError::TooComplex(match refused {
            PageRefused::TooLarge { bytes, limit } => {
                format!("an HTML page of {bytes} bytes (limit {limit})")
            }
            PageRefused::TooDeep { limit } => format!("HTML nested deeper than {limit} elements"),
        })
    })
}

/// Keeps the newest [`MAX_ITEMS_PER_DOCUMENT`] incidents (undated ones count as oldest), in
/// their original order.
pub(super) fn cap_items(incidents: &mut Vec<Incident>) {
    if incidents.len() <= MAX_ITEMS_PER_DOCUMENT {
        return;
    }
    let mut starts: Vec<Option<DateTime<Utc>>> = incidents.iter().map(|i| i.start).collect();
    starts.sort_unstable_by(|a, b| b.cmp(a));
    let Some(&cutoff) = starts.get(MAX_ITEMS_PER_DOCUMENT - 1) else {
        return;
    };
    let mut kept = 0;
    incidents.retain(|i| {
        let keep = i.start >= cutoff && kept < MAX_ITEMS_PER_DOCUMENT;
        kept += usize::from(keep);
        keep
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    use crate::model::{ReportKind, Severity, Status, Update};

    fn incident(n: usize, start: Option<&str>) -> Incident {
        Incident {
            id: crate::model::incident_id("Acme", &n.to_string()),
            vendor: "Acme".into(),
            title: format!("Incident {n}"),
            start: start.map(|s| {
                DateTime::parse_from_rfc3339(s)
                    .expect("time")
                    .with_timezone(&Utc)
            }),
            end: None,
            status: Status::Investigating,
            severity: Severity::Minor,
            severity_native: None,
            stated_minutes: None,
            regions: vec![],
            services: vec![],
            cause: None,
            updates: vec![],
            sources: vec![],
        }
    }

    #[test]
    fn deeply_nested_page_is_refused_in_milliseconds() {
        let page = format!(
            "<html><body>{}deep{}</body></html>",
            "<div>".repeat(110_000),
            "</div>".repeat(110_000)
        );
        assert!(page.len() > 1_100_000);
        let started = Instant::now();
        let err = html_guard(page.as_bytes()).expect_err("too deep");
        assert!(started.elapsed() < std::time::Duration::from_millis(100));
        assert_eq!(err.class(), "too_complex");
        assert_eq!(
            err.to_string(),
            "too complex to parse: HTML nested deeper than 256 elements"
        );
        let big = "<p>word</p>".repeat(300_000);
        let err = html_guard(big.as_bytes()).expect_err("too big");
        assert_eq!(
            err.to_string(),
            "too complex to parse: an HTML page of 3300000 bytes (limit 2097152)"
        );
    }

    #[test]
    fn ordinary_pages_pass_the_guard_void_and_closed_tags_do_not_count() {
        let page = format!(
            "<!DOCTYPE html><html><head><meta charset=utf-8><link rel=x></head><body>{}<p>x<br>y<img src=a /></p></body></html>",
            "<section><div>".repeat(100) + &"</div></section>".repeat(100)
        );
        assert!(html_guard(page.as_bytes()).is_ok());
        assert!(html_guard(b"a < b and c > d").is_ok());
    }

    #[test]
    fn markup_inside_scripts_and_comments_does_not_count_as_nesting() {
        let opened = "<div>".repeat(MAX_HTML_DEPTH + 1);
        let page = format!(
            "<html><body><script>var s = '{opened}';</script><!-- {opened} --><p>ok</p></body></html>"
        );
        assert!(html_guard(page.as_bytes()).is_ok());
        let page = format!("<html><body>{opened}</body></html>");
        assert_eq!(
            html_guard(page.as_bytes()).map_err(|e| e.to_string()),
            Err(format!(
                "too complex to parse: HTML nested deeper than {MAX_HTML_DEPTH} elements"
            ))
        );
    }

    #[test]
    fn item_cap_keeps_the_newest_in_document_order() {
        let mut incidents: Vec<Incident> = (0..MAX_ITEMS_PER_DOCUMENT + 5)
            .map(|n| {
                let day = 1 + n % 28;
                let month = 1 + (n / 28) % 12;
                let year = 2000 + n / 336;
                let start = format!("{year}-{month:02}-{day:02}T00:00:00Z");
                incident(n, Some(start.as_str()))
            })
            .collect();
        incidents.push(incident(9999, None));
        cap_items(&mut incidents);
        assert_eq!(incidents.len(), MAX_ITEMS_PER_DOCUMENT);
        assert_eq!(incidents[0].title, "Incident 5");
        assert_eq!(incidents[MAX_ITEMS_PER_DOCUMENT - 1].title, "Incident 1004");
    }

    #[test]
    fn impossible_times_are_dropped_but_announced_maintenance_keeps_its_date() {
        let now = DateTime::parse_from_rfc3339("2024-05-01T00:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let mut bogus = incident(1, Some("9999-12-31T23:59:00Z"));
        bogus.end = Some(now + TimeDelta::hours(2));
        bogus.updates = vec![Update {
            at: Some(now + TimeDelta::days(30)),
            status: "resolved".into(),
            text: "Fixed.".into(),
        }];
        let mut maintenance = incident(2, Some("2024-06-15T02:00:00Z"));
        maintenance.severity = crate::model::Severity::Maintenance;
        let mut far_maintenance = incident(3, Some("2031-01-01T00:00:00Z"));
        far_maintenance.severity = crate::model::Severity::Maintenance;
        let mut all = vec![bogus, maintenance, far_maintenance];
        drop_impossible_times(&mut all, now);
        assert_eq!(all[0].start, None);
        // A clock a few hours fast is tolerated.
        assert_eq!(all[0].end, Some(now + TimeDelta::hours(2)));
        assert_eq!(all[0].updates[0].at, None);
        assert_eq!(
            all[1].start.map(crate::model::rfc3339).as_deref(),
            Some("2024-06-15T02:00:00Z")
        );
        assert_eq!(all[2].start, None);
        // Year 0001 and 1969 are not times of an online outage; 1995 can be.
        let mut ancient = incident(4, Some("0001-01-01T00:00:00Z"));
        ancient.end = Some(
            DateTime::parse_from_rfc3339("1969-07-20T20:17:00Z")
                .expect("time")
                .with_timezone(&Utc),
        );
        let early = incident(5, Some("1995-03-01T00:00:00Z"));
        let mut old = vec![ancient, early];
        drop_impossible_times(&mut old, now);
        assert_eq!((old[0].start, old[0].end), (None, None));
        assert_eq!(
            old[1].start.map(crate::model::rfc3339).as_deref(),
            Some("1995-03-01T00:00:00Z")
        );
    }

    #[test]
    fn defang_caps_every_text_field() {
        let mut i = incident(1, None);
        i.title = "x".repeat(12 * 1024 * 1024);
        i.cause = Some("because ".repeat(10_000));
        i.services = (0..2_000).map(|n| format!("service {n}")).collect();
        i.updates = vec![Update {
            at: None,
            status: "s".repeat(5_000),
            text: "é".repeat(40_000),
        }];
        let mut all = vec![i];
        defang(&mut all);
        let i = &all[0];
        assert_eq!(i.title.chars().count(), MAX_TITLE_CHARS + 1);
        assert!(i.title.ends_with('…'));
        assert_eq!(
            i.cause
                .as_ref()
                .map(|c| c.chars().count() <= MAX_TEXT_CHARS + 1),
            Some(true)
        );
        assert_eq!(i.services.len(), MAX_LIST_ITEMS);
        assert_eq!(i.updates[0].status.chars().count(), MAX_LABEL_CHARS + 1);
        assert_eq!(i.updates[0].text.chars().count(), MAX_TEXT_CHARS + 1);
    }

    #[test]
    fn defang_cleans_only_fields_with_control_characters() {
        let mut i = incident(1, None);
        i.title = "Calm  title".into();
        i.services = vec!["API\u{1b}[31m".into()];
        i.updates = vec![Update {
            at: None,
            status: "resolved".into(),
            text: "Fixed\u{7}.\nAll good.".into(),
        }];
        i.sources = vec![crate::model::SourceRef {
            url: Some("https://status.acme.test/i/1".into()),
            kind: ReportKind::Status,
            quote: Some("\u{202e}quoted".into()),
        }];
        defang(std::slice::from_mut(&mut i));
        assert_eq!(i.title, "Calm  title", "clean text keeps its exact form");
        assert_eq!(i.services, vec!["API".to_string()]);
        assert_eq!(i.updates[0].text, "Fixed.\nAll good.");
        assert_eq!(i.sources[0].quote.as_deref(), Some("quoted"));
    }
}
