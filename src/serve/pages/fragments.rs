//! Pieces of HTML more than one page shows: an event with its updates and sources, the
//! source-health table, and the formatting of percentages and minutes.

use std::fmt::Write;

use super::{anchor, event_href, vendor_href};
use crate::extract::text::truncate_chars;
use crate::model::Event;
use crate::serve::api;
use crate::serve::html::{self, external_link, severity_badge, text, time};
use crate::store::SourceState;

/// One event of a list, expandable to its updates, sources and versions.
pub(super) fn event_item(e: &Event, versions: Option<&[api::VersionJson]>) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<li class=\"event\" id=\"{}\"><details><summary>{} <span class=\"muted\">{}</span> · {} · <span class=\"title\">{}</span>{}</summary>",
        text(&anchor(&e.id)),
        severity_badge(e.severity),
        time(e.start),
        text(&e.vendor),
        text(&e.title),
        match (e.duration_minutes, e.unresolved_since(chrono::Utc::now())) {
            (Some(m), _) => format!(" <span class=\"muted\">({})</span>", html::minutes(m)),
            (None, Some(last)) => format!(
                " <span class=\"stale\" data-unresolved=\"{0}\">unresolved, last update {0}</span>",
                text(&last.format("%Y-%m-%d %H:%M UTC").to_string())
            ),
            (None, None) => String::new(),
        }
    );
    out.push_str(&updates_list(e));
    out.push_str(&sources_list(e));
    if let Some(vs) = versions {
        let _ = write!(
            out,
            "<p class=\"small muted\">Edit history: {} version{} seen",
            vs.len(),
            if vs.len() == 1 { "" } else { "s" }
        );
        for v in vs {
            let _ = write!(
                out,
                " · {} ({}, {})",
                html::stamp(&v.seen_at),
                text(&v.status),
                text(&v.severity)
            );
        }
        out.push_str("</p>");
    }
    let _ = write!(
        out,
        "<p><a href=\"{}\">Permanent page for this event</a></p></details></li>",
        text(&event_href(&e.id))
    );
    out
}

pub(super) fn updates_list(e: &Event) -> String {
    if e.updates.is_empty() {
        return "<p class=\"muted\">No updates were posted.</p>".into();
    }
    let mut out = String::from("<ol class=\"updates\">");
    for u in &e.updates {
        let _ = write!(
            out,
            "<li><div class=\"when\">{} · <strong>{}</strong></div><div>{}</div></li>",
            time(u.at),
            text(&u.status),
            text(&u.text)
        );
    }
    out.push_str("</ol>");
    out
}

pub(super) fn sources_list(e: &Event) -> String {
    if e.sources.is_empty() {
        return "<p class=\"muted\">No source recorded.</p>".into();
    }
    let mut out = String::from("<ol class=\"sources\">");
    for (i, s) in e.sources.iter().enumerate() {
        let url = s.url.as_deref().unwrap_or("");
        let _ = write!(
            out,
            "<li id=\"src-{}\"><span class=\"small muted\">{} report</span> {}",
            i + 1,
            s.kind.as_str(),
            if url.is_empty() {
                "<span class=\"muted\">no link given</span>".to_string()
            } else {
                external_link(url, url)
            }
        );
        if let Some(q) = &s.quote {
            let _ = write!(out, "<blockquote>{}</blockquote>", text(q));
        }
        out.push_str("</li>");
    }
    out.push_str("</ol>");
    out
}

pub(super) fn pct(a: Option<f64>) -> String {
    a.map_or("–".into(), |a| format!("{:.4}%", a * 100.0))
}

pub(super) fn mins(m: Option<f64>) -> String {
    m.map_or("–".into(), |m| format!("{m:.1} min"))
}

pub(super) fn sources_table(sources: &[SourceState], with_vendor: bool) -> String {
    if sources.is_empty() {
        return "<p class=\"muted\">No source of this vendor has been crawled (its incidents came from imported files).</p>".into();
    }
    let mut out = String::from("<div class=\"scroll\"><table class=\"sources-table\"><thead><tr>");
    if with_vendor {
        out.push_str("<th>vendor</th>");
    }
    out.push_str("<th>source</th><th>health</th><th>last success</th><th>last error</th><th>next attempt</th><th>history</th></tr></thead><tbody>");
    for s in sources {
        let health = api::health(s);
        out.push_str("<tr>");
        if with_vendor {
            let v = s.vendor.as_deref().unwrap_or("–");
            let _ = write!(
                out,
                "<td><a href=\"{}\">{}</a></td>",
                text(&vendor_href(v)),
                text(v)
            );
        }
        let _ = write!(
            out,
            "<td>{}<div class=\"small muted\">{}</div></td>",
            external_link(&s.url, &s.url),
            s.kind.map_or("detected", |k| k.as_str())
        );
        let state = match health {
            "failing" => format!(
                "<span class=\"failing\">failing</span><div class=\"small\">{} attempt{} in a row, last at {}</div>",
                s.consecutive_failures,
                if s.consecutive_failures == 1 { "" } else { "s" },
                time(s.last_checked_at)
            ),
            "ok" => "<span class=\"ok\">ok</span>".to_string(),
            _ => "<span class=\"never\">never fetched</span>".to_string(),
        };
        let error = match (&s.last_error_class, &s.last_error) {
            (None, None) => "–".to_string(),
            (class, msg) => format!(
                "<strong>{}</strong> {}",
                text(class.as_deref().unwrap_or("")),
                text(&truncate_chars(msg.as_deref().unwrap_or(""), 200))
            ),
        };
        let history = match (s.oldest_item_at, s.newest_item_at) {
            (Some(a), Some(b)) => format!(
                "{} – {} ({} days)",
                html::day(Some(a)),
                html::day(Some(b)),
                (b - a).num_days()
            ),
            _ => "–".into(),
        };
        let _ = write!(
            out,
            "<td data-health=\"{health}\">{state}</td><td>{}</td><td>{error}</td><td>{}</td><td>{history}</td></tr>",
            s.last_success_at
                .map_or("<span class=\"muted\">never</span>".to_string(), |t| time(
                    Some(t)
                )),
            s.next_attempt_at
                .map_or("<span class=\"muted\">next run</span>".to_string(), |t| {
                    time(Some(t))
                })
        );
    }
    out.push_str("</tbody></table></div>");
    out
}
