//! HTML building blocks. Every string that came from a feed goes through [`text`] (ammonia's
//! text escaper, which leaves nothing a browser could read as markup, in content or in a quoted
//! attribute); links are rendered only for http(s) URLs; the page frame links one stylesheet
//! and one script, both served by this binary, so the Content-Security-Policy can forbid
//! everything inline.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use crate::index::Snippet;
use crate::model::Severity;

/// Scraped or user text, escaped for HTML content and quoted attributes.
pub fn text(s: &str) -> String {
    ammonia::clean_text(s)
}

/// The URL if it is an absolute http(s) URL, normalised by the URL parser; anything else
/// (`javascript:`, `data:`, relative paths, garbage) is `None` and is shown as text only.
pub fn safe_url(raw: &str) -> Option<String> {
    let parsed = url::Url::parse(raw.trim()).ok()?;
    matches!(parsed.scheme(), "http" | "https").then(|| parsed.to_string())
}

/// An external link when `url` is http(s), else the label (or the URL) as inert text.
pub fn external_link(url: &str, label: &str) -> String {
    match safe_url(url) {
        Some(u) => format!(
            "<a href=\"{}\" rel=\"nofollow noopener noreferrer\" class=\"ext\">{}</a>",
            text(&u),
            text(label)
        ),
        None => format!("<span class=\"inert-link\">{}</span>", text(label)),
    }
}

/// The snippet with its matched words in `<mark>`; a range off a character boundary is
/// dropped rather than trusted.
pub fn snippet(s: &Snippet) -> String {
    let mut out = String::new();
    let mut at = 0;
    for r in &s.highlights {
        let (Some(before), Some(hit)) = (s.text.get(at..r.start), s.text.get(r.start..r.end))
        else {
            continue;
        };
        out.push_str(&text(before));
        let _ = write!(out, "<mark>{}</mark>", text(hit));
        at = r.end;
    }
    out.push_str(&text(s.text.get(at..).unwrap_or_default()));
    out
}

pub fn time(t: Option<DateTime<Utc>>) -> String {
    match t {
        Some(t) => format!(
            "<time datetime=\"{}\">{}</time>",
            crate::model::rfc3339(t),
            t.format("%Y-%m-%d %H:%M UTC")
        ),
        None => "<span class=\"muted\">unknown</span>".to_string(),
    }
}

/// An RFC 3339 string from the API types, shown as `2024-01-20 12:00 UTC` (escaped as is when it
/// does not parse).
pub fn stamp(s: &str) -> String {
    match DateTime::parse_from_rfc3339(s) {
        Ok(t) => time(Some(t.with_timezone(&Utc))),
        Err(_) => text(s),
    }
}

pub fn day(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "undated".to_string(),
        |t| t.format("%Y-%m-%d").to_string(),
    )
}

pub fn severity_badge(s: Severity) -> String {
    format!("<span class=\"sev sev-{0}\">{0}</span>", s.as_str())
}

/// "2 h 5 min", "3 d 4 h".
pub fn minutes(m: i64) -> String {
    let (d, h, mi) = (m / 1440, (m % 1440) / 60, m % 60);
    match (d, h) {
        (0, 0) => format!("{mi} min"),
        (0, _) => format!("{h} h {mi} min"),
        _ => format!("{d} d {h} h"),
    }
}

/// Which entry of the navigation is the current page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Search,
    Timeline,
    Vendors,
    Compare,
    Sources,
    Api,
    None,
}

/// The page frame: `title` is plain text (escaped here), `body` is HTML built by the caller.
pub fn page(title: &str, nav: Nav, body: &str) -> String {
    let item = |href: &str, label: &str, this: Nav| {
        let current = if nav == this {
            " aria-current=\"page\""
        } else {
            ""
        };
        format!("<a href=\"{href}\"{current}>{label}</a>")
    };
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{title} · outages</title>\n\
<link rel=\"stylesheet\" href=\"/assets/app.css\">\n\
<script src=\"/assets/app.js\" defer></script>\n</head>\n<body>\n\
<a class=\"skip\" href=\"#main\">Skip to content</a>\n\
<header class=\"top\"><div class=\"wrap\"><a class=\"brand\" href=\"/\">outages</a>\n\
<nav aria-label=\"Main\">{}{}{}{}{}{}</nav></div></header>\n\
<main id=\"main\" class=\"wrap\">\n{body}\n</main>\n\
<footer class=\"wrap foot\">Read from the local store. Every fact links to the status entry it came from; times are UTC.</footer>\n\
</body>\n</html>\n",
        item("/", "Search", Nav::Search),
        item("/timeline", "Timeline", Nav::Timeline),
        item("/vendors", "Vendors", Nav::Vendors),
        item("/compare", "Compare", Nav::Compare),
        item("/sources", "Sources", Nav::Sources),
        item("/api", "API", Nav::Api),
        title = text(title),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_quotes_are_escaped() {
        let out = text("<script>alert(\"x\")</script>' onload=");
        assert!(
            !out.contains('<') && !out.contains('"') && !out.contains('\''),
            "{out}"
        );
    }

    #[test]
    fn only_http_and_https_become_links() {
        assert_eq!(
            safe_url("https://status.example.com/incidents/1").as_deref(),
            Some("https://status.example.com/incidents/1")
        );
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url(" JavaScript:alert(1)"), None);
        assert_eq!(safe_url("data:text/html,<b>"), None);
        assert_eq!(safe_url("/relative"), None);
        let inert = external_link("javascript:alert(1)", "click");
        assert!(!inert.contains("href"), "{inert}");
    }

    #[test]
    fn snippet_marks_highlights_and_escapes_the_rest() {
        let s = Snippet {
            text: "a <b> DNS outage".into(),
            highlights: vec![6..9, 40..50],
        };
        assert_eq!(
            snippet(&s),
            "a&#32;&lt;b&gt;&#32;<mark>DNS</mark>&#32;outage"
        );
    }

    #[test]
    fn minutes_read_as_duration() {
        assert_eq!(minutes(45), "45 min");
        assert_eq!(minutes(125), "2 h 5 min");
        assert_eq!(minutes(1500), "1 d 1 h");
    }
}
