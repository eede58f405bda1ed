//! The web UI's own SVG drawings, beside `crate::chart::svg_bars`: outage minutes per month, a
//! calendar heatmap of outage days, and the timeline's axis. Drawn by the server with
//! presentation attributes only (no inline CSS, no scripts), every label escaped.

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::html::text;
use crate::model::{Event, Severity};

/// One year of days as a GitHub-style grid: a column per week, a row per weekday, the shade
/// by outage minutes that day.
pub fn calendar_heatmap(year: i32, minutes: &BTreeMap<String, i64>) -> String {
    let cell = 11.0_f64;
    let (left, top) = (28.0, 16.0);
    let Some(first) = NaiveDate::from_ymd_opt(year, 1, 1) else {
        return String::new();
    };
    let offset = i64::from(first.weekday().num_days_from_monday());
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" class=\"heatmap\" role=\"img\" aria-label=\"Outage days in {year}\"><title>Outage days in {year}</title>\n",
        left + 54.0 * cell,
        top + 7.0 * cell + 4.0
    );
    for (row, label) in [(0, "Mon"), (2, "Wed"), (4, "Fri")] {
        let _ = writeln!(
            out,
            "<text x=\"0\" y=\"{:.0}\" font-size=\"8\" fill=\"#666\">{label}</text>",
            top + f64::from(row) * cell + 8.0
        );
    }
    let mut day = first;
    while day.year() == year {
        let n = i64::from(day.ordinal0()) + offset;
        let (col, row) = (n / 7, n % 7);
        let key = day.format("%Y-%m-%d").to_string();
        let m = minutes.get(&key).copied().unwrap_or(0);
        let fill = match m {
            0 => "#ebedf0",
            1..=59 => "#fcd9a8",
            60..=239 => "#f59e0b",
            240..=719 => "#dc6b19",
            _ => "#b42318",
        };
        if day.day() == 1 {
            let _ = writeln!(
                out,
                "<text x=\"{:.0}\" y=\"10\" font-size=\"8\" fill=\"#666\">{}</text>",
                left + col as f64 * cell,
                day.format("%b")
            );
        }
        let _ = writeln!(
            out,
            "<rect x=\"{:.0}\" y=\"{:.0}\" width=\"{w:.0}\" height=\"{w:.0}\" rx=\"2\" fill=\"{fill}\"><title>{key}: {m} outage min</title></rect>",
            left + col as f64 * cell,
            top + row as f64 * cell,
            w = cell - 2.0
        );
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    out.push_str("</svg>\n");
    out
}

pub fn severity_colour(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "#b42318",
        Severity::Major => "#dc6b19",
        Severity::Minor => "#ca8a04",
        Severity::Maintenance => "#2563eb",
        Severity::None => "#15803d",
        Severity::Unknown => "#6b7280",
    }
}

/// The timeline's axis from `from` to `to`: one mark per event (at least a hairline wide),
/// coloured by severity, linking to the event's entry in the list below; ticks at `ticks`.
pub fn timeline_axis(
    events: &[Event],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    ticks: &[(DateTime<Utc>, String)],
    now: DateTime<Utc>,
) -> String {
    let width = 1000.0_f64;
    let lane_h = 14.0_f64;
    let lanes = 6usize;
    let top = 22.0;
    let height = top + lane_h * lanes as f64 + 6.0;
    let span = (to - from).num_seconds().max(1) as f64;
    let x = |t: DateTime<Utc>| ((t - from).num_seconds() as f64 / span * width).clamp(0.0, width);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" class=\"axis\" role=\"img\" aria-label=\"Events from {} to {}\">\n",
        from.format("%Y-%m-%d %H:%M"),
        to.format("%Y-%m-%d %H:%M")
    );
    for (t, label) in ticks {
        let tx = x(*t);
        let _ = writeln!(
            out,
            "<line x1=\"{tx:.1}\" y1=\"14\" x2=\"{tx:.1}\" y2=\"{height}\" stroke=\"#d0d4da\"/><text x=\"{:.1}\" y=\"11\" font-size=\"10\" fill=\"#555\">{}</text>",
            tx + 2.0,
            text(label)
        );
    }
    // Lanes keep overlapping events apart: each event takes the first lane free at its start.
    let mut lane_end = vec![f64::MIN; lanes];
    for e in events {
        let Some(start) = e.start else { continue };
        // A stale open event is drawn to its last update, not to today.
        let end = e.end.or(e.unresolved_since(now)).unwrap_or(now).max(start);
        let (x1, x2) = (x(start), x(end));
        let w = (x2 - x1).max(3.0);
        let lane = lane_end.iter().position(|&l| l < x1).unwrap_or(lanes - 1);
        if let Some(l) = lane_end.get_mut(lane) {
            *l = x1 + w + 1.0;
        }
        let _ = writeln!(
            out,
            "<a href=\"#ev-{}\"><rect class=\"mark\" x=\"{x1:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" rx=\"2\" fill=\"{}\"><title>{} · {}: {}</title></rect></a>",
            text(&crate::model::slug(&e.id)),
            top + lane as f64 * lane_h,
            lane_h - 3.0,
            severity_colour(e.severity),
            start.format("%Y-%m-%d %H:%M"),
            text(&e.vendor),
            text(&e.title)
        );
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .expect("time")
    }

    fn inc(sev: Severity, start: &str, end: Option<&str>) -> crate::model::Incident {
        crate::model::Incident {
            id: format!("acme:{start}"),
            vendor: "Acme".into(),
            title: "t".into(),
            start: Some(t(start)),
            end: end.map(t),
            status: Status::Resolved,
            severity: sev,
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
    fn heatmap_has_one_cell_per_day() {
        let mut m = BTreeMap::new();
        m.insert("2024-02-29".to_string(), 300);
        let svg = calendar_heatmap(2024, &m);
        assert_eq!(svg.matches("<rect").count(), 366);
        assert!(svg.contains("<title>2024-02-29: 300 outage min</title></rect>"));
        assert!(svg.contains("fill=\"#dc6b19\"><title>2024-02-29"));
    }

    #[test]
    fn axis_escapes_titles_and_draws_one_mark_per_dated_event() {
        let mut e = Event::from(&inc(
            Severity::Major,
            "2024-01-02T00:00:00Z",
            Some("2024-01-03T00:00:00Z"),
        ));
        e.title = "<script>alert(1)</script>".into();
        let mut undated = e.clone();
        undated.start = None;
        let svg = timeline_axis(
            &[e, undated],
            t("2024-01-01T00:00:00Z"),
            t("2024-02-01T00:00:00Z"),
            &[],
            t("2024-06-01T00:00:00Z"),
        );
        assert_eq!(svg.matches("class=\"mark\"").count(), 1);
        assert!(!svg.contains("<script>"));
    }
}
