//! Output for people (aligned text, bold highlights on a terminal) and for programs (JSON in
//! the event contract). Every string printed here came from the web: control characters were
//! already stripped at parse time, and highlights are drawn only on a terminal.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use crate::crawl::CrawlReport;
use crate::extract::text::{one_line, truncate_chars};
use crate::index::Snippet;
use crate::model::Event;
use crate::query::{Found, Page};

/// Pretty JSON on stdout, ending with a newline.
pub fn json<T: Serialize>(value: &T) -> Result<()> {
    // Serialise first so a closed pipe surfaces as an io::Error (a normal end), not a JSON one.
    let text = serde_json::to_string_pretty(value)?;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    writeln!(out)?;
    Ok(())
}

pub fn report(report: &CrawlReport, what: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let c = &report.incidents;
    writeln!(
        out,
        "{what}: {} ok, {} not modified, {} failed; incidents: {} new, {} updated, {} unchanged; {} indexed",
        report.ok,
        report.not_modified,
        report.failures.len(),
        c.new,
        c.updated,
        c.unchanged,
        report.indexed
    )?;
    for f in &report.failures {
        let who = f.vendor.as_deref().unwrap_or("-");
        writeln!(
            out,
            "  failed [{}] {who}: {}",
            f.class,
            one_line(&f.message)
        )?;
    }
    if !report.deferred.is_empty() {
        writeln!(
            out,
            "  deferred {} sources backing off or still fresh (crawl --force fetches them now)",
            report.deferred.len()
        )?;
    }
    if report.vanished > 0 {
        writeln!(
            out,
            "  {} incidents vanished from feeds that should still list them (kept; see sources list)",
            report.vanished
        )?;
    }
    if report.interrupted {
        writeln!(
            out,
            "  stopped early on request: what was fetched is stored and indexed"
        )?;
    }
    Ok(())
}

/// "showing 1-200 of 253 events (--offset 200 for the next page)": nothing is cut silently.
pub fn showing(page: Page, shown: usize, total: usize, noun: &str) -> String {
    let next = page.offset + shown;
    let more = if next < total {
        format!(" (--offset {next} for the next page)")
    } else {
        String::new()
    };
    if shown == 0 {
        return format!(
            "showing none of {total} {noun} (the offset {} is past the end)",
            page.offset
        );
    }
    format!("showing {}-{next} of {total} {noun}{more}", page.offset + 1)
}

/// [`showing`] on standard error, where JSON output goes to standard output, when the page
/// is not the whole list.
pub fn showing_note(page: Page, shown: usize, total: usize) {
    if page.offset > 0 || shown < total {
        eprintln!("{}", showing(page, shown, total, "events"));
    }
}

pub fn search_results(found: &Found, page: Page) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let results = &found.results;
    if results.is_empty() {
        if found.total == 0 {
            writeln!(out, "no matches")?;
        } else {
            writeln!(out, "{}", showing(page, 0, found.total, "matches"))?;
        }
        return Ok(());
    }
    let bold = super::stdout_is_terminal();
    for r in results {
        writeln!(
            out,
            "{}  {}",
            headline(&r.event.contract()),
            one_line(&r.event.id)
        )?;
        writeln!(out, "    {}", render_snippet(&r.snippet, bold))?;
    }
    let facet = |m: &BTreeMap<String, usize>| {
        let mut v: Vec<_> = m.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v.iter()
            .take(8)
            .map(|(k, n)| format!("{} {n}", one_line(k)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(
        out,
        "{}",
        showing(page, results.len(), found.total, "matches")
    )?;
    writeln!(out, "  by vendor:   {}", facet(&found.facets.vendor))?;
    writeln!(out, "  by year:     {}", facet(&found.facets.year))?;
    writeln!(out, "  by severity: {}", facet(&found.facets.severity))?;
    Ok(())
}

/// Newest first, under a heading per month (long spans) or per day (short ones).
pub fn timeline(events: &[Event]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if events.is_empty() {
        writeln!(out, "no outages recorded for this selection")?;
        return Ok(());
    }
    let starts: Vec<_> = events.iter().filter_map(|e| e.start).collect();
    let by_month = match (starts.iter().min(), starts.iter().max()) {
        (Some(a), Some(b)) => (*b - *a).num_days() > 62,
        _ => true,
    };
    let mut groups: BTreeMap<String, Vec<&Event>> = BTreeMap::new();
    for e in events {
        let key = match e.start {
            Some(t) if by_month => t.format("%Y-%m").to_string(),
            Some(t) => t.format("%Y-%m-%d").to_string(),
            None => "undated".to_string(),
        };
        groups.entry(key).or_default().push(e);
    }
    for (key, group) in groups.iter().rev() {
        writeln!(out, "{key}")?;
        for e in group {
            writeln!(out, "  {}  {}", headline(e), one_line(&e.id))?;
        }
    }
    Ok(())
}

pub fn headline(e: &Event) -> String {
    let when = e
        .start
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "undated".into());
    let stale = e.unresolved_since(chrono::Utc::now());
    let duration = match (e.duration_minutes, e.end) {
        (Some(m), _) => format_minutes(m),
        (None, None) if stale.is_some() => "unresolved".into(),
        (None, None) if e.start.is_some() && !e.status.is_closed() => "ongoing".into(),
        _ => "?".into(),
    };
    let flag = stale.map_or(String::new(), |t| {
        format!(
            " (unresolved, last update {})",
            t.format("%Y-%m-%d %H:%M UTC")
        )
    });
    let services = if e.services.is_empty() {
        String::new()
    } else {
        format!(" [{}]", truncate_chars(&e.services.join(", "), 60))
    };
    format!(
        "{when}  {:<14} {:<11} {:>8}  {}{services}{flag}",
        truncate_chars(&one_line(&e.vendor), 14),
        e.severity.as_str(),
        duration,
        truncate_chars(&one_line(&e.title), 90),
    )
}

pub fn format_minutes(m: i64) -> String {
    match m {
        m if m < 60 => format!("{m}m"),
        m if m < 60 * 48 => format!("{}h{:02}m", m / 60, m % 60),
        m => format!("{}d{:02}h", m / (60 * 24), (m / 60) % 24),
    }
}

fn render_snippet(s: &Snippet, bold: bool) -> String {
    let text = &s.text;
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for r in &s.highlights {
        let (Some(before), Some(hit)) = (text.get(at..r.start), text.get(r.start..r.end)) else {
            continue;
        };
        out.push_str(before);
        if bold {
            out.push_str("\x1b[1m");
            out.push_str(hit);
            out.push_str("\x1b[0m");
        } else {
            out.push_str(hit);
        }
        at = r.end;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    one_line(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_read_naturally() {
        assert_eq!(format_minutes(49), "49m");
        assert_eq!(format_minutes(1451), "24h11m");
        assert_eq!(format_minutes(60 * 24 * 14 + 60), "14d01h");
    }

    #[test]
    fn snippet_highlights_only_on_terminal() {
        let s = Snippet {
            text: "a network partition".into(),
            highlights: vec![std::ops::Range { start: 2, end: 9 }],
        };
        assert_eq!(render_snippet(&s, false), "a network partition");
        assert_eq!(
            render_snippet(&s, true),
            "a \x1b[1mnetwork\x1b[0m partition"
        );
    }
}
