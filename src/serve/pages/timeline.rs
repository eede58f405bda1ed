//! The timeline: events grouped by a zoom level chosen from the span shown.

use std::collections::BTreeMap;
use std::fmt::Write;

use axum::extract::{RawQuery, State};
use axum::response::Html;
use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};

use super::PageResult;
use super::fragments::event_item;
use crate::model::{Event, Severity};
use crate::query::Sort;
use crate::serve::api;
use crate::serve::charts;
use crate::serve::html::{Nav, page, severity_badge, text};
use crate::serve::params::{Filters, Params, query_string};
use crate::serve::{Shared, blocking};
use crate::store::VendorSummary;

/// How finely the timeline's buckets cut the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zoom {
    Years,
    Months,
    Days,
    Hours,
}

impl Zoom {
    fn for_span(span: Duration) -> Zoom {
        if span > Duration::days(400) {
            Zoom::Years
        } else if span > Duration::days(45) {
            Zoom::Months
        } else if span > Duration::days(2) {
            Zoom::Days
        } else {
            Zoom::Hours
        }
    }

    /// The bucket containing `t`: its start, its end, its label.
    fn bucket(self, t: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>, String) {
        let ymd =
            |y: i32, m: u32, d: u32| Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).single().unwrap_or(t);
        match self {
            Zoom::Years => (
                ymd(t.year(), 1, 1),
                ymd(t.year() + 1, 1, 1),
                t.format("%Y").to_string(),
            ),
            Zoom::Months => {
                let start = ymd(t.year(), t.month(), 1);
                let end = if t.month() == 12 {
                    ymd(t.year() + 1, 1, 1)
                } else {
                    ymd(t.year(), t.month() + 1, 1)
                };
                (start, end, t.format("%b %Y").to_string())
            }
            Zoom::Days => {
                let start = ymd(t.year(), t.month(), t.day());
                (
                    start,
                    start + Duration::days(1),
                    t.format("%b %-d").to_string(),
                )
            }
            Zoom::Hours => {
                let start =
                    ymd(t.year(), t.month(), t.day()) + Duration::hours(i64::from(t.hour()));
                (
                    start,
                    start + Duration::hours(1),
                    t.format("%H:00").to_string(),
                )
            }
        }
    }

    /// The wider range one zoom step out, or `None` for "everything".
    fn out_of(self, from: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        match self {
            Zoom::Years | Zoom::Months => None,
            Zoom::Days => {
                let (s, e, _) = Zoom::Years.bucket(from);
                Some((s, e))
            }
            Zoom::Hours => {
                let (s, e, _) = Zoom::Months.bucket(from);
                Some((s, e))
            }
        }
    }
}

/// Events on one timeline page (marks and list); `limit` and `offset` page through the rest.
const TIMELINE_PAGE: usize = 100;

struct TimelineView {
    filters: Filters,
    vendors: Vec<VendorSummary>,
    total: usize,
    /// The start of every match, for the zoom buckets' counts.
    starts: Vec<DateTime<Utc>>,
    /// The page shown.
    events: Vec<Event>,
    page: crate::query::Page,
    previous: Option<String>,
    next: Option<String>,
    versions: BTreeMap<String, Vec<api::VersionJson>>,
}

pub async fn timeline(State(state): State<Shared>, RawQuery(raw): RawQuery) -> PageResult {
    let p = Params::parse(raw.as_deref());
    let filters = Filters::from_params(&p)?;
    let asked = p.page(TIMELINE_PAGE, api::MAX_LIMIT)?;
    let f = filters.clone();
    let view = blocking(&state, move |store, index| {
        let all = api::find(
            store,
            index,
            &f,
            crate::query::Page::first(crate::query::MAX_MATCHES),
            Sort::Time,
        )?;
        let starts = all.results.iter().filter_map(|r| r.event.start).collect();
        let events: Vec<Event> = all
            .results
            .iter()
            .skip(asked.offset)
            .take(asked.limit)
            .map(|r| r.event.contract())
            .collect();
        let mut versions = BTreeMap::new();
        for e in &events {
            if let api::EventLookup::Found(found) = api::load_event(store, &e.id)? {
                versions.insert(e.id.clone(), found.versions);
            }
        }
        Ok(TimelineView {
            filters: f,
            vendors: store.vendors()?,
            total: all.total,
            starts,
            events,
            page: asked,
            previous: p.previous_link("/timeline", asked),
            next: p.next_link("/timeline", asked, all.total),
            versions,
        })
    })
    .await?;
    Ok(Html(page(
        "Timeline",
        Nav::Timeline,
        &render_timeline(&view),
    )))
}

fn render_timeline(view: &TimelineView) -> String {
    let now = Utc::now();
    let f = &view.filters;
    let dated = &view.starts;
    let from = f
        .after
        .or_else(|| dated.iter().min().map(|t| Zoom::Years.bucket(*t).0))
        .unwrap_or(now - Duration::days(365));
    let to = f
        .before
        .or_else(|| dated.iter().max().map(|t| Zoom::Years.bucket(*t).1))
        .unwrap_or(now)
        .max(from + Duration::hours(1));
    let zoom = Zoom::for_span(to - from);
    let mut out = String::new();
    out.push_str("<h1>Timeline</h1>\n<p class=\"lede\">Each mark is an outage from its start to its resolution, coloured by severity. Pick a period below to zoom in (years → months → days → hours); keys <kbd>+</kbd> and <kbd>-</kbd> zoom with JavaScript on.</p>\n");
    out.push_str(&timeline_form(f, &view.vendors));
    let _ = write!(
        out,
        "<p id=\"count\" data-count=\"{0}\"><strong>{0}</strong> {1} from {2} to {3}</p>",
        view.total,
        if view.total == 1 { "event" } else { "events" },
        from.format("%Y-%m-%d %H:%M"),
        (to - Duration::seconds(1)).format("%Y-%m-%d %H:%M UTC")
    );
    // Buckets: the zoom-in links, with counts.
    let mut buckets: Vec<(DateTime<Utc>, DateTime<Utc>, String, usize)> = Vec::new();
    let mut at = from;
    while at < to && buckets.len() < 400 {
        let (s, e, label) = zoom.bucket(at);
        let n = dated
            .iter()
            .filter(|t| **t >= s.max(from) && **t < e.min(to))
            .count();
        buckets.push((s.max(from), e.min(to), label, n));
        if e <= at {
            break;
        }
        at = e;
    }
    let link_for = |s: DateTime<Utc>, e: DateTime<Utc>| {
        let mut pairs: Vec<(&str, String)> = f
            .pairs()
            .into_iter()
            .filter(|(k, _)| *k != "after" && *k != "before")
            .collect();
        pairs.push(("after", crate::model::rfc3339(s)));
        pairs.push(("before", crate::model::rfc3339(e)));
        format!("/timeline?{}", query_string(&pairs))
    };
    out.push_str("<div class=\"zoom\" id=\"timeline\">");
    let _ = write!(
        out,
        "<span class=\"small muted\">Zoom: {}</span>",
        match zoom {
            Zoom::Years => "years",
            Zoom::Months => "months",
            Zoom::Days => "days",
            Zoom::Hours => "hours",
        }
    );
    if f.after.is_some() || f.before.is_some() {
        let href = match zoom.out_of(from) {
            Some((s, e)) => link_for(s, e),
            None => {
                let pairs: Vec<(&str, String)> = f
                    .pairs()
                    .into_iter()
                    .filter(|(k, _)| *k != "after" && *k != "before")
                    .collect();
                format!("/timeline?{}", query_string(&pairs))
            }
        };
        let _ = write!(
            out,
            "<a href=\"{}\" data-zoom=\"out\">− zoom out</a>",
            text(&href)
        );
    }
    if zoom != Zoom::Hours
        && let Some((s, e, _, _)) = buckets.iter().find(|b| b.3 > 0)
    {
        let _ = write!(
            out,
            "<a href=\"{}\" data-zoom=\"in\">+ zoom in</a>",
            text(&link_for(*s, *e))
        );
    }
    out.push_str("</div>");
    let ticks: Vec<(DateTime<Utc>, String)> = buckets
        .iter()
        .step_by((buckets.len() / 12).max(1))
        .map(|b| (b.0, b.2.clone()))
        .collect();
    out.push_str(&charts::timeline_axis(&view.events, from, to, &ticks, now));
    out.push_str("<div class=\"legend\" aria-label=\"Severity colours\">");
    for s in Severity::ALL {
        out.push_str(&severity_badge(s));
    }
    out.push_str("</div>");
    if zoom != Zoom::Hours {
        out.push_str("<ul class=\"buckets\" aria-label=\"Zoom into a period\">");
        for (s, e, label, n) in &buckets {
            let _ = write!(
                out,
                "<li><a href=\"{}\">{} <span class=\"muted\">({n})</span></a></li>",
                text(&link_for(*s, *e)),
                text(label)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("<ol class=\"events\">");
    for e in &view.events {
        out.push_str(&event_item(e, view.versions.get(&e.id).map(Vec::as_slice)));
    }
    out.push_str("</ol>");
    if !view.events.is_empty() {
        let first = view.page.offset + 1;
        let last = view.page.offset + view.events.len();
        let _ = write!(
            out,
            "<nav class=\"pager\" aria-label=\"Pages\"><span data-showing=\"{first}-{last}\" data-total=\"{0}\">Showing {first}–{last} of {0} (the marks above are this page's)</span>",
            view.total
        );
        if let Some(prev) = &view.previous {
            let _ = write!(out, " <a rel=\"prev\" href=\"{}\">previous</a>", text(prev));
        }
        if let Some(next) = &view.next {
            let _ = write!(out, " <a rel=\"next\" href=\"{}\">next</a>", text(next));
        }
        out.push_str("</nav>");
    }
    out
}

fn timeline_form(f: &Filters, vendors: &[VendorSummary]) -> String {
    let mut out = String::from(
        "<form action=\"/timeline\" method=\"get\" class=\"filters\" aria-label=\"Filter the timeline\">",
    );
    let _ = write!(
        out,
        "<label>Words or filters<input type=\"search\" name=\"q\" value=\"{}\" size=\"22\"></label>",
        text(&f.q)
    );
    out.push_str("<label>Vendor<select name=\"vendor\"><option value=\"\">any</option>");
    for v in vendors {
        let sel = if f.vendors.iter().any(|x| x.eq_ignore_ascii_case(&v.name)) {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<option value=\"{0}\"{sel}>{0}</option>",
            text(&v.name)
        );
    }
    out.push_str(
        "</select></label><label>Severity<select name=\"severity\"><option value=\"\">any</option>",
    );
    for s in Severity::ALL {
        let sel = if f.severities.contains(&s) {
            " selected"
        } else {
            ""
        };
        let _ = write!(out, "<option value=\"{0}\"{sel}>{0}</option>", s.as_str());
    }
    let _ = write!(
        out,
        "</select></label><label>From<input type=\"date\" name=\"after\" value=\"{}\"></label><label>To<input type=\"date\" name=\"before\" value=\"{}\"></label><button type=\"submit\">Show</button></form>",
        text(&f.after_day().unwrap_or_default()),
        text(&f.before_day().unwrap_or_default())
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_follows_the_span() {
        assert_eq!(Zoom::for_span(Duration::days(3000)), Zoom::Years);
        assert_eq!(Zoom::for_span(Duration::days(365)), Zoom::Months);
        assert_eq!(Zoom::for_span(Duration::days(31)), Zoom::Days);
        assert_eq!(Zoom::for_span(Duration::days(1)), Zoom::Hours);
    }

    #[test]
    fn buckets_have_exact_bounds() {
        let t = Utc
            .with_ymd_and_hms(2024, 12, 31, 17, 42, 0)
            .single()
            .expect("time");
        let (s, e, label) = Zoom::Months.bucket(t);
        assert_eq!(crate::model::rfc3339(s), "2024-12-01T00:00:00Z");
        assert_eq!(crate::model::rfc3339(e), "2025-01-01T00:00:00Z");
        assert_eq!(label, "Dec 2024");
        let (s, e, label) = Zoom::Hours.bucket(t);
        assert_eq!(crate::model::rfc3339(s), "2024-12-31T17:00:00Z");
        assert_eq!(crate::model::rfc3339(e), "2024-12-31T18:00:00Z");
        assert_eq!(label, "17:00");
        assert_eq!(
            Zoom::Hours
                .out_of(t)
                .map(|(a, b)| (crate::model::rfc3339(a), crate::model::rfc3339(b))),
            Some(("2024-12-01T00:00:00Z".into(), "2025-01-01T00:00:00Z".into()))
        );
    }
}
