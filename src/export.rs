//! Exports of events: CSV (one row per event, stable columns, RFC 4180 quoting), an Atom feed
//! (so a user can subscribe to a saved search), and iCalendar (outage windows and maintenance as
//! calendar events). Pure functions from events to text; every scraped string is escaped for
//! its format here.

use chrono::{DateTime, Utc};

use crate::model::{Event, rfc3339};

/// The CSV columns, in order. Stable: scripts depend on them.
pub const CSV_COLUMNS: [&str; 13] = [
    "id",
    "vendor",
    "title",
    "start",
    "end",
    "duration_minutes",
    "status",
    "severity",
    "regions",
    "services",
    "cause",
    "source_kinds",
    "source_urls",
];

/// CSV with a header row; lists inside a cell are joined with `; `; line ends are CRLF.
pub fn csv(events: &[Event]) -> String {
    let mut out = String::new();
    push_csv_row(&mut out, CSV_COLUMNS.iter().map(|s| s.to_string()));
    for e in events {
        let kinds: Vec<&str> = e.sources.iter().map(|s| s.kind.as_str()).collect();
        let urls: Vec<&str> = e.sources.iter().filter_map(|s| s.url.as_deref()).collect();
        push_csv_row(
            &mut out,
            [
                e.id.clone(),
                e.vendor.clone(),
                e.title.clone(),
                e.start.map(rfc3339).unwrap_or_default(),
                e.end.map(rfc3339).unwrap_or_default(),
                e.duration_minutes
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                e.status.as_str().to_string(),
                e.severity.as_str().to_string(),
                e.regions.join("; "),
                e.services.join("; "),
                e.cause.clone().unwrap_or_default(),
                kinds.join("; "),
                urls.join("; "),
            ]
            .into_iter(),
        );
    }
    out
}

/// One row of a figures table: whose figures, over which scope and period.
pub struct FiguresRow<'a> {
    pub vendor: &'a str,
    pub service: Option<&'a str>,
    pub region: Option<&'a str>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub figures: &'a crate::stats::Figures,
}

/// `stats` and `compare` as a table to take away: one row per vendor, every figure in a column,
/// "no data" rows with empty figures rather than zeros.
pub fn figures_csv(rows: &[FiguresRow<'_>]) -> String {
    let mut out = String::new();
    let header = [
        "vendor",
        "service",
        "region",
        "since",
        "until",
        "covered_from",
        "covered_to",
        "covered_minutes",
        "period_minutes",
        "coverage_share",
        "no_data",
        "incidents",
        "maintenances",
        "outage_minutes",
        "availability",
        "weighted_outage_minutes",
        "weighted_availability",
        "mean_ttr_minutes",
        "median_ttr_minutes",
        "p90_ttr_minutes",
        "ttr_left_out",
        "unresolved_stale",
    ];
    push_csv_row(&mut out, header.iter().map(|h| (*h).to_string()));
    let opt = |v: Option<String>| v.unwrap_or_default();
    for r in rows {
        let f = r.figures;
        let c = &f.coverage;
        let figure = |v: String| if c.no_data { String::new() } else { v };
        push_csv_row(
            &mut out,
            [
                r.vendor.to_string(),
                opt(r.service.map(str::to_string)),
                opt(r.region.map(str::to_string)),
                opt(r.since.map(rfc3339)),
                opt(r.until.map(rfc3339)),
                opt(c.spans.first().map(|s| s.from.clone())),
                opt(c.spans.last().map(|s| s.to.clone())),
                c.minutes.to_string(),
                c.period_minutes.to_string(),
                opt(c.share.map(|s| format!("{s:.6}"))),
                c.no_data.to_string(),
                figure(f.incidents.to_string()),
                figure(f.maintenances.to_string()),
                figure(f.outage_minutes.to_string()),
                opt(f.availability.map(|a| format!("{a:.6}"))),
                figure(f.weighted_outage_minutes.to_string()),
                opt(f.weighted_availability.map(|a| format!("{a:.6}"))),
                opt(f.mean_ttr_minutes.map(|m| m.to_string())),
                opt(f.median_ttr_minutes.map(|m| m.to_string())),
                opt(f.p90_ttr_minutes.map(|m| m.to_string())),
                figure(f.ttr_left_out.to_string()),
                figure(f.unresolved_stale.to_string()),
            ]
            .into_iter(),
        );
    }
    out
}

fn push_csv_row(out: &mut String, cells: impl Iterator<Item = String>) {
    let mut first = true;
    for cell in cells {
        if !first {
            out.push(',');
        }
        first = false;
        // Spreadsheet formula injection: a cell starting with = + - @ is read as a formula.
        let cell = if cell.starts_with(['=', '+', '-', '@']) && cell.parse::<f64>().is_err() {
            format!("'{cell}")
        } else {
            cell
        };
        if cell.contains([',', '"', '\n', '\r']) || cell.starts_with(' ') {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&cell);
        }
    }
    out.push_str("\r\n");
}

/// An Atom 1.0 feed of the events, newest first. `self_url` is the feed's own address.
pub fn atom(events: &[Event], title: &str, self_url: &str, now: DateTime<Utc>) -> String {
    let updated = events
        .iter()
        .filter_map(|e| e.end.or(e.start))
        .max()
        .unwrap_or(now);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!("  <id>{}</id>\n", xml(self_url)));
    out.push_str(&format!("  <title>{}</title>\n", xml(title)));
    out.push_str(&format!("  <updated>{}</updated>\n", rfc3339(updated)));
    out.push_str(&format!(
        "  <link rel=\"self\" href=\"{}\"/>\n",
        xml(self_url)
    ));
    out.push_str("  <generator>outages</generator>\n");
    for e in events {
        let entry_updated = e.end.or(e.start).unwrap_or(updated);
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <id>urn:outages:event:{}</id>\n", xml(&e.id)));
        out.push_str(&format!(
            "    <title>{}: {}</title>\n",
            xml(&e.vendor),
            xml(&e.title)
        ));
        out.push_str(&format!(
            "    <updated>{}</updated>\n",
            rfc3339(entry_updated)
        ));
        if let Some(start) = e.start {
            out.push_str(&format!("    <published>{}</published>\n", rfc3339(start)));
        }
        out.push_str(&format!(
            "    <author><name>{}</name></author>\n",
            xml(&e.vendor)
        ));
        for s in &e.sources {
            if let Some(url) = s.url.as_deref().filter(|u| is_http(u)) {
                out.push_str(&format!(
                    "    <link rel=\"related\" href=\"{}\"/>\n",
                    xml(url)
                ));
            }
        }
        out.push_str(&format!(
            "    <category term=\"{}\"/>\n",
            e.severity.as_str()
        ));
        out.push_str(&format!(
            "    <summary type=\"text\">{}</summary>\n",
            xml(&summary(e))
        ));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// iCalendar (RFC 5545): one VEVENT per event with a start; ongoing events end at `now`.
pub fn ics(events: &[Event], now: DateTime<Utc>) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//outages//outage timeline//EN".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
    ];
    for e in events {
        let Some(start) = e.start else { continue };
        let end = e.end.unwrap_or(now).max(start);
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{}@outages", ics_text(&e.id)));
        lines.push(format!("DTSTAMP:{}", ics_time(now)));
        lines.push(format!("DTSTART:{}", ics_time(start)));
        lines.push(format!("DTEND:{}", ics_time(end)));
        lines.push(format!(
            "SUMMARY:{}",
            ics_text(&format!("{}: {}", e.vendor, e.title))
        ));
        lines.push(format!("DESCRIPTION:{}", ics_text(&summary(e))));
        lines.push(format!("CATEGORIES:{}", e.severity.as_str().to_uppercase()));
        if let Some(url) = e
            .sources
            .iter()
            .filter_map(|s| s.url.as_deref())
            .find(|u| is_http(u))
        {
            lines.push(format!("URL:{}", ics_text(url)));
        }
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for line in lines {
        fold_ics_line(&mut out, &line);
    }
    out
}

fn summary(e: &Event) -> String {
    let mut parts = vec![format!("Severity: {}. Status: {}.", e.severity, e.status)];
    if let Some(m) = e.duration_minutes {
        parts.push(format!("Duration: {m} minutes."));
    }
    if !e.services.is_empty() {
        parts.push(format!("Services: {}.", e.services.join(", ")));
    }
    if !e.regions.is_empty() {
        parts.push(format!("Regions: {}.", e.regions.join(", ")));
    }
    if let Some(c) = &e.cause {
        parts.push(format!("Cause: {c}"));
    }
    parts.join(" ")
}

fn is_http(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// XML text and attribute escaping; characters XML 1.0 forbids are dropped.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn ics_time(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// RFC 5545 TEXT escaping.
fn ics_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Lines longer than 75 octets are folded with CRLF + space, never inside a UTF-8 sequence.
fn fold_ics_line(out: &mut String, line: &str) {
    let mut count = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if count + len > 75 {
            out.push_str("\r\n ");
            count = 1;
        }
        out.push(c);
        count += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ReportKind, Severity, SourceRef, Status};

    fn event(title: &str) -> Event {
        let t = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .ok()
        };
        Event {
            id: "github:abc".into(),
            vendor: "GitHub".into(),
            title: title.into(),
            start: t("2023-01-31T14:06:36Z"),
            end: t("2023-01-31T14:55:10Z"),
            duration_minutes: Some(49),
            status: Status::Resolved,
            severity: Severity::Major,
            regions: vec![],
            services: vec!["Git Operations".into(), "API Requests".into()],
            cause: Some("a failed storage node".into()),
            updates: vec![],
            sources: vec![SourceRef {
                url: Some("https://www.githubstatus.com/incidents/abc".into()),
                kind: ReportKind::Status,
                quote: None,
            }],
        }
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let out = csv(&[event("Slow \"git\", pushes"), event("=HYPERLINK(\"x\")")]);
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(lines[0], CSV_COLUMNS.join(","));
        assert!(
            lines[1].contains("\"Slow \"\"git\"\", pushes\""),
            "{}",
            lines[1]
        );
        assert!(
            lines[1].contains(",Git Operations; API Requests,"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].contains("\"'=HYPERLINK(\"\"x\"\")\""),
            "{}",
            lines[2]
        );
    }

    #[test]
    fn atom_escapes_markup() {
        let now = Utc::now();
        let out = atom(
            &[event("<script>alert(1)</script>")],
            "All",
            "http://x/feed.atom",
            now,
        );
        assert!(out.contains("GitHub: &lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!out.contains("<script>"));
    }

    #[test]
    fn ics_escapes_and_folds() {
        let now = Utc::now();
        let out = ics(&[event("a, b; c ".repeat(20).as_str())], now);
        assert!(out.contains("DTSTART:20230131T140636Z\r\n"));
        assert!(out.contains("a\\, b\\; c"));
        assert!(out.lines().all(|l| l.len() <= 75));
    }
}
