//! The citable page of one event: its facts with their sources, updates and versions.

use std::fmt::Write;

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};

use super::fragments::{sources_list, updates_list};
use super::{event_href, vendor_href};
use crate::serve::api::{self, EventResponse};
use crate::serve::html::{self, Nav, page, severity_badge, text, time};
use crate::serve::params::path_segment;
use crate::serve::{Shared, blocking};

/// When the current value of a fact was first seen: the `seen_at` of the version from which it
/// has held without change.
fn seen_since<F>(versions: &[api::VersionJson], current: F) -> Option<&str>
where
    F: Fn(&api::VersionJson) -> bool,
{
    let mut since = None;
    for v in versions {
        if current(v) {
            since = since.or(Some(v.seen_at.as_str()));
        } else {
            since = None;
        }
    }
    since
}

/// The page of one event; a member's id redirects to the event that holds it.
pub async fn event(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, super::PageError> {
    Ok(
        match blocking(&state, move |store, _| api::load_event(store, &id)).await? {
            api::EventLookup::Found(ev) => {
                let title = ev.event.title.clone();
                Html(page(&title, Nav::None, &render_event(&ev))).into_response()
            }
            api::EventLookup::Elsewhere(id) => {
                Redirect::permanent(&event_href(&id)).into_response()
            }
        },
    )
}

fn render_event(r: &EventResponse) -> String {
    let contract = r.event.contract();
    let e = &contract;
    let vs = &r.versions;
    let primary = e.sources.first();
    // Facts cite the first source, listed in full under "Sources".
    let source_cell = if primary.is_some() {
        "<a href=\"#src-1\">source 1</a>".to_string()
    } else {
        "no source recorded".to_string()
    };
    let rfc = |t: Option<DateTime<Utc>>| t.map(crate::model::rfc3339);
    let mut out = String::new();
    let _ = write!(
        out,
        "<p class=\"meta\"><a href=\"{}\">{}</a> {}</p><h1 id=\"event-title\">{}</h1>",
        text(&vendor_href(&e.vendor)),
        text(&e.vendor),
        severity_badge(e.severity),
        text(&e.title)
    );
    let retrieved = vs.last().map(|v| v.seen_at.as_str());
    let permalink = event_href(&e.id);
    let _ = write!(
        out,
        "<div class=\"cite\"><strong>Cite:</strong> {}, “{}”, {} status page{}{}. Recorded by outages as <code>{}</code> at <a href=\"{}\">{}</a>.</div>",
        text(&e.vendor),
        text(&e.title),
        text(&html::day(e.start)),
        primary
            .and_then(|s| s.url.as_deref())
            .map(|u| format!(", {}", text(u)))
            .unwrap_or_default(),
        retrieved
            .map(|t| format!(", retrieved {}", html::stamp(t)))
            .unwrap_or_default(),
        text(&e.id),
        text(&permalink),
        text(&permalink)
    );
    out.push_str("<h2>Facts</h2><p class=\"small muted\">Each fact with where it came from and when the crawler first saw its current value.</p><dl class=\"facts\">");
    let mut fact = |label: &str, value: String, since: Option<&str>| {
        let _ = write!(
            out,
            "<dt>{label}</dt><dd>{value}<span class=\"prov\">from {source_cell}{}</span></dd>",
            since
                .map(|s| format!(" · seen since {}", html::stamp(s)))
                .unwrap_or_default()
        );
    };
    fact(
        "Title",
        text(&e.title),
        seen_since(vs, |v| v.title == e.title),
    );
    fact(
        "Start",
        time(e.start),
        seen_since(vs, |v| v.start == rfc(e.start)),
    );
    let end = match (e.end, e.unresolved_since(chrono::Utc::now())) {
        (None, Some(last)) => format!(
            "<span class=\"stale\" data-unresolved=\"{0}\">unresolved, last update {0}</span>",
            text(&last.format("%Y-%m-%d %H:%M UTC").to_string())
        ),
        (end, _) => time(end),
    };
    fact("End", end, seen_since(vs, |v| v.end == rfc(e.end)));
    fact(
        "Duration",
        e.duration_minutes
            .map_or("<span class=\"muted\">unknown</span>".into(), html::minutes),
        seen_since(vs, |v| v.start == rfc(e.start) && v.end == rfc(e.end)),
    );
    fact(
        "Status",
        text(e.status.as_str()),
        seen_since(vs, |v| v.status == e.status.as_str()),
    );
    fact(
        "Severity",
        format!(
            "{}{}",
            severity_badge(e.severity),
            r.severity_native
                .as_deref()
                .map(|n| format!(" <span class=\"muted\">vendor's word: “{}”</span>", text(n)))
                .unwrap_or_default()
        ),
        seen_since(vs, |v| v.severity == e.severity.as_str()),
    );
    let list = |xs: &[String]| {
        if xs.is_empty() {
            "<span class=\"muted\">none given</span>".to_string()
        } else {
            text(&xs.join(", "))
        }
    };
    fact(
        "Services",
        list(&e.services),
        seen_since(vs, |v| v.services == e.services),
    );
    fact(
        "Regions",
        list(&e.regions),
        seen_since(vs, |v| v.regions == e.regions),
    );
    fact(
        "Cause",
        e.cause
            .as_deref()
            .map_or("<span class=\"muted\">not stated</span>".into(), text),
        seen_since(vs, |v| v.cause == e.cause),
    );
    out.push_str("</dl><h2>Updates</h2>");
    out.push_str(&updates_list(e));
    out.push_str("<h2>Sources</h2>");
    out.push_str(&sources_list(e));
    let _ = write!(
        out,
        "<h2>Versions seen</h2><p class=\"small muted\">Status pages are edited after the fact. Every version of this event the crawler saw is kept.</p><div class=\"scroll\"><table class=\"versions\"><thead><tr><th>seen at</th><th>title</th><th>start</th><th>end</th><th>status</th><th>severity</th></tr></thead><tbody>"
    );
    for v in vs {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            html::stamp(&v.seen_at),
            text(&v.title),
            v.start.as_deref().map_or("–".into(), html::stamp),
            v.end.as_deref().map_or("–".into(), html::stamp),
            text(&v.status),
            text(&v.severity)
        );
    }
    let _ = write!(
        out,
        "</tbody></table></div><p class=\"small\"><a href=\"/api/events/{}\">This event as JSON</a></p>",
        text(&path_segment(&e.id))
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fact_is_seen_since_its_last_change() {
        let v = |seen: &str, title: &str| api::VersionJson {
            seen_at: seen.into(),
            title: title.into(),
            start: None,
            end: None,
            status: "resolved".into(),
            severity: "major".into(),
            services: vec![],
            regions: vec![],
            cause: None,
        };
        let vs = vec![v("t1", "A"), v("t2", "B"), v("t3", "A"), v("t4", "A")];
        assert_eq!(seen_since(&vs, |x| x.title == "A"), Some("t3"));
        assert_eq!(seen_since(&vs, |x| x.title == "C"), None);
    }
}
