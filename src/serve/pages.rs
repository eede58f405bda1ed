//! The HTML pages. Server-rendered and complete without JavaScript; the script only makes the
//! search live and adds zoom keys. Each page reads through the same loaders as the JSON API.

use std::collections::BTreeMap;
use std::fmt::Write;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};

use super::api::{self, EventResponse, StatsResponse};
use super::charts;
use super::html::{self, Nav, external_link, page, severity_badge, text, time};
use super::params::{Filters, Params, path_segment, query_string};
use super::{ServeError, Shared, blocking};
use crate::chart::{self, Series};
use crate::extract::text::truncate_chars;
use crate::model::{Event, Incident, Severity, slug};
use crate::query::{Found, Sort};
use crate::stats;
use crate::store::{IncidentFilter, SourceState, VendorSummary};

/// An error shown as a page, with the error's status.
pub struct PageError(ServeError);

impl From<ServeError> for PageError {
    fn from(e: ServeError) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if status.is_server_error() {
            tracing::error!(error = %self.0, "page failed");
        }
        let heading = if status == StatusCode::NOT_FOUND {
            "Not found"
        } else if status.is_client_error() {
            "That request could not be read"
        } else {
            "Something went wrong"
        };
        let body = format!(
            "<h1>{heading}</h1>\n<p class=\"error\">{}</p>\n<p><a href=\"/\">Back to search</a></p>",
            text(&self.0.to_string())
        );
        (status, Html(page(heading, Nav::None, &body))).into_response()
    }
}

type PageResult = Result<Html<String>, PageError>;

pub async fn not_found() -> Response {
    PageError(ServeError::NotFound(
        "There is no page at this address.".into(),
    ))
    .into_response()
}

fn event_href(id: &str) -> String {
    format!("/events/{}", path_segment(id))
}

fn vendor_href(name: &str) -> String {
    format!("/vendors/{}", path_segment(name))
}

fn anchor(id: &str) -> String {
    format!("ev-{}", slug(id))
}

// ---------------------------------------------------------------- search

/// What the search page and its live fragment both need.
struct SearchView {
    filters: Filters,
    vendors: Vec<VendorSummary>,
    outcome: Result<Found, ServeError>,
    limit: usize,
}

async fn load_search(state: &Shared, raw: Option<String>) -> Result<SearchView, ServeError> {
    let p = Params::parse(raw.as_deref());
    let filters = Filters::from_params(&p)?;
    let limit = p.usize_or("limit", 25, api::MAX_LIMIT)?;
    let sort = api::sort_param(&p)?;
    let f = filters.clone();
    blocking(state, move |store, index| {
        let vendors = store.vendors()?;
        // A malformed query is shown beside the form, not as an error page.
        let outcome = api::find(store, index, &f, limit, sort);
        Ok(SearchView {
            filters: f,
            vendors,
            outcome,
            limit,
        })
    })
    .await
}

pub async fn search(State(state): State<Shared>, RawQuery(raw): RawQuery) -> PageResult {
    let view = match load_search(&state, raw).await {
        Ok(v) => v,
        Err(e @ ServeError::BadParam { .. }) => SearchView {
            filters: Filters::default(),
            vendors: Vec::new(),
            outcome: Err(e),
            limit: 25,
        },
        Err(e) => return Err(e.into()),
    };
    let mut body = String::new();
    body.push_str("<h1>Search outages</h1>\n<p class=\"lede\">Every incident the store holds from vendors' status pages, with the entry each fact came from. Type words or use filters such as <code>vendor:github</code>, <code>severity:major</code>, <code>region:us-east-1</code>, <code>cause:dns</code>, <code>during:2021</code>, <code>\"exact phrase\"</code>.</p>\n");
    body.push_str(&search_form(&view.filters, &view.vendors));
    body.push_str(&chips(&view.filters));
    body.push_str("<p id=\"live-status\" class=\"visually-hidden\" aria-live=\"polite\"></p>\n<div id=\"results\">");
    body.push_str(&results_fragment(&view));
    body.push_str("</div>\n");
    Ok(Html(page("Search", Nav::Search, &body)))
}

pub async fn search_fragment(State(state): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    match load_search(&state, raw).await {
        Ok(view) => Html(results_fragment(&view)).into_response(),
        Err(e) => (
            e.status(),
            Html(format!("<p class=\"error\">{}</p>", text(&e.to_string()))),
        )
            .into_response(),
    }
}

fn search_form(f: &Filters, vendors: &[VendorSummary]) -> String {
    let mut out = String::new();
    out.push_str("<form id=\"search-form\" action=\"/\" method=\"get\" role=\"search\">\n<div class=\"searchbar\">");
    let _ = write!(
        out,
        "<label for=\"q\" class=\"skip\">Search</label><input type=\"search\" id=\"q\" name=\"q\" value=\"{}\" placeholder=\"e.g. dns vendor:github during:2021\" autocomplete=\"off\" autofocus>",
        text(&f.q)
    );
    out.push_str("<button type=\"submit\">Search</button></div>\n<div class=\"filters\">");
    out.push_str(
        "<label>Vendor<select name=\"vendor\" id=\"f-vendor\"><option value=\"\">any</option>",
    );
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
    out.push_str("</select></label>");
    out.push_str("<label>Severity<select name=\"severity\" id=\"f-severity\"><option value=\"\">any</option>");
    for s in Severity::ALL {
        let sel = if f.severities.contains(&s) {
            " selected"
        } else {
            ""
        };
        let _ = write!(out, "<option value=\"{0}\"{sel}>{0}</option>", s.as_str());
    }
    out.push_str("</select></label>");
    let _ = write!(
        out,
        "<label>Region<input type=\"text\" name=\"region\" id=\"f-region\" size=\"12\" value=\"{}\" placeholder=\"us-east-1\"></label>",
        text(f.region.as_deref().unwrap_or(""))
    );
    out.push_str(
        "<label>Source<select name=\"source\" id=\"f-source\"><option value=\"\">any</option>",
    );
    for k in ["status", "press"] {
        let sel = if f.source.map(|s| s.as_str()) == Some(k) {
            " selected"
        } else {
            ""
        };
        let _ = write!(out, "<option value=\"{k}\"{sel}>{k}</option>");
    }
    out.push_str("</select></label>");
    let pairs = f.pairs();
    let value = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let _ = write!(
        out,
        "<label>From<input type=\"date\" name=\"after\" id=\"f-after\" value=\"{}\"></label><label>To<input type=\"date\" name=\"before\" id=\"f-before\" value=\"{}\"></label>",
        text(&value("after")),
        text(&value("before"))
    );
    out.push_str("</div>\n</form>\n");
    out
}

/// The active filters as chips, each a link to the same search without it.
fn chips(f: &Filters) -> String {
    let pairs = f.pairs();
    let active: Vec<&(&str, String)> = pairs.iter().filter(|(k, _)| *k != "q").collect();
    if active.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul class=\"chips\" aria-label=\"Active filters\">");
    for (i, (k, v)) in pairs.iter().enumerate() {
        if *k == "q" {
            continue;
        }
        let rest: Vec<(&str, String)> = pairs
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, p)| p.clone())
            .collect();
        let _ = write!(
            out,
            "<li><a class=\"chip\" href=\"/?{}\" aria-label=\"Remove filter {k}: {v}\"><span class=\"label\">{k}: {v}</span> <span class=\"x\" aria-hidden=\"true\">×</span></a></li>",
            text(&query_string(&rest)),
            k = k,
            v = text(v)
        );
    }
    out.push_str("</ul>\n");
    out
}

fn results_fragment(view: &SearchView) -> String {
    let found = match &view.outcome {
        Ok(found) => found,
        Err(e) => {
            return format!(
                "<p class=\"error\" role=\"alert\" data-total=\"0\">{}</p>",
                text(&e.to_string())
            );
        }
    };
    let f = &view.filters;
    let qs = query_string(&f.pairs());
    let mut out = String::new();
    out.push_str("<div class=\"layout\"><section aria-label=\"Results\">");
    let _ = write!(
        out,
        "<p class=\"muted\" id=\"total\" data-total=\"{0}\"><strong>{0}</strong> {1}{2}</p>",
        found.total,
        if found.total == 1 {
            "event matches"
        } else {
            "events match"
        },
        if found.results.len() < found.total {
            format!(" · showing the first {}", found.results.len())
        } else {
            String::new()
        }
    );
    for (asked, used) in &found.corrected {
        let _ = write!(
            out,
            "<p class=\"notice\">Vendor “{}” read as “{}”.</p>",
            text(asked),
            text(used)
        );
    }
    let _ = write!(
        out,
        "<p class=\"downloads\">Download these results: <a href=\"/export.csv?{0}\">CSV</a> · <a href=\"/feed.atom?{0}\">Atom feed</a> · <a href=\"/calendar.ics?{0}\">iCalendar</a> · <a href=\"/timeline?{0}\">see on the timeline</a></p>",
        text(&qs)
    );
    out.push_str("<ol class=\"results\">");
    for r in &found.results {
        let e = &r.event;
        let _ = write!(
            out,
            "<li class=\"result\"><div class=\"meta\">{} <a href=\"{}\">{}</a> <span>{}</span>{}</div><h3><a href=\"{}\">{}</a></h3>",
            severity_badge(e.severity),
            text(&vendor_href(&e.vendor)),
            text(&e.vendor),
            time(e.start),
            e.duration_minutes
                .map(|m| format!("<span>lasted {}</span>", html::minutes(m)))
                .unwrap_or_default(),
            text(&event_href(&e.id)),
            text(&e.title)
        );
        let snippet = if r.snippet.text.trim().is_empty() {
            text(&truncate_chars(
                e.updates.last().map_or("", |u| u.text.as_str()),
                240,
            ))
        } else {
            html::snippet(&r.snippet)
        };
        if !snippet.is_empty() {
            let _ = write!(out, "<p class=\"snippet\">{snippet}</p>");
        }
        out.push_str("</li>");
    }
    out.push_str("</ol>");
    if found.results.is_empty() {
        out.push_str("<p>No event matches. Remove a filter or try fewer words.</p>");
    } else if found.results.len() < found.total {
        let mut more = f.pairs();
        more.push(("limit", (view.limit * 4).min(api::MAX_LIMIT).to_string()));
        let _ = write!(
            out,
            "<p><a href=\"/?{}\">Show more results</a></p>",
            text(&query_string(&more))
        );
    }
    out.push_str("</section><aside class=\"facets\" aria-label=\"Refine\">");
    facet_list(&mut out, "Vendor", &found.facets.vendor, f, |pairs, v| {
        pairs.push(("vendor", v.to_string()));
    });
    facet_list(
        &mut out,
        "Severity",
        &found.facets.severity,
        f,
        |pairs, v| {
            pairs.push(("severity", v.to_string()));
        },
    );
    facet_list(&mut out, "Year", &found.facets.year, f, |pairs, v| {
        if let Ok(y) = v.parse::<i32>() {
            pairs.retain(|(k, _)| *k != "after" && *k != "before");
            pairs.push(("after", format!("{y}-01-01")));
            pairs.push(("before", format!("{y}-12-31")));
        }
    });
    out.push_str("</aside></div>");
    out
}

fn facet_list<F>(
    out: &mut String,
    title: &str,
    counts: &BTreeMap<String, usize>,
    f: &Filters,
    add: F,
) where
    F: Fn(&mut Vec<(&'static str, String)>, &str),
{
    if counts.is_empty() {
        return;
    }
    let _ = write!(out, "<h3>{title}</h3><ul>");
    let mut sorted: Vec<(&String, &usize)> = counts.iter().collect();
    if title != "Year" {
        sorted.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    } else {
        sorted.reverse();
    }
    for (value, n) in sorted {
        let mut pairs = f.pairs();
        add(&mut pairs, value);
        let _ = write!(
            out,
            "<li><a href=\"/?{}\">{}</a><span class=\"n\">{n}</span></li>",
            text(&query_string(&pairs)),
            text(value)
        );
    }
    out.push_str("</ul>");
}

// ---------------------------------------------------------------- timeline

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

/// Events listed in full on the timeline page; the axis and counts cover every match.
const TIMELINE_LIST: usize = 300;

struct TimelineView {
    filters: Filters,
    vendors: Vec<VendorSummary>,
    total: usize,
    events: Vec<Event>,
    versions: BTreeMap<String, Vec<api::VersionJson>>,
}

pub async fn timeline(State(state): State<Shared>, RawQuery(raw): RawQuery) -> PageResult {
    let p = Params::parse(raw.as_deref());
    let filters = Filters::from_params(&p)?;
    let f = filters.clone();
    let view = blocking(&state, move |store, index| {
        let found = api::find(store, index, &f, crate::query::MAX_MATCHES, Sort::Time)?;
        let events: Vec<Event> = found.results.into_iter().map(|r| r.event).collect();
        let mut versions = BTreeMap::new();
        for e in events.iter().take(TIMELINE_LIST) {
            versions.insert(e.id.clone(), api::load_event(store, &e.id)?.versions);
        }
        Ok(TimelineView {
            filters: f,
            vendors: store.vendors()?,
            total: found.total,
            events,
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
    let dated: Vec<DateTime<Utc>> = view.events.iter().filter_map(|e| e.start).collect();
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
    for e in view.events.iter().take(TIMELINE_LIST) {
        out.push_str(&event_item(e, view.versions.get(&e.id).map(Vec::as_slice)));
    }
    out.push_str("</ol>");
    if view.events.len() > TIMELINE_LIST {
        let _ = write!(
            out,
            "<p class=\"notice\">Listing the newest {TIMELINE_LIST} of {} events; zoom in to see the others.</p>",
            view.events.len()
        );
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
    let pairs = f.pairs();
    let value = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let _ = write!(
        out,
        "</select></label><label>From<input type=\"date\" name=\"after\" value=\"{}\"></label><label>To<input type=\"date\" name=\"before\" value=\"{}\"></label><button type=\"submit\">Show</button></form>",
        text(&value("after")),
        text(&value("before"))
    );
    out
}

/// One event of a list, expandable to its updates, sources and versions.
fn event_item(e: &Event, versions: Option<&[api::VersionJson]>) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<li class=\"event\" id=\"{}\"><details><summary>{} <span class=\"muted\">{}</span> · {} · <span class=\"title\">{}</span>{}</summary>",
        text(&anchor(&e.id)),
        severity_badge(e.severity),
        time(e.start),
        text(&e.vendor),
        text(&e.title),
        e.duration_minutes
            .map(|m| format!(" <span class=\"muted\">({})</span>", html::minutes(m)))
            .unwrap_or_default()
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

fn updates_list(e: &Event) -> String {
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

fn sources_list(e: &Event) -> String {
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

// ---------------------------------------------------------------- vendors

pub async fn vendors(State(state): State<Shared>) -> PageResult {
    let list = blocking(&state, |store, _| Ok(store.vendors()?)).await?;
    let mut out = String::from(
        "<h1>Vendors</h1><p class=\"lede\">Every vendor with stored incidents, and how far back its data reaches.</p><ul class=\"vendor-list\">",
    );
    for v in &list {
        let _ = write!(
            out,
            "<li><a href=\"{}\">{}</a> <span class=\"muted small\">{} incidents · {} – {}</span></li>",
            text(&vendor_href(&v.name)),
            text(&v.name),
            v.incidents,
            html::day(v.first),
            html::day(v.last)
        );
    }
    out.push_str("</ul>");
    Ok(Html(page("Vendors", Nav::Vendors, &out)))
}

struct VendorView {
    stats: StatsResponse,
    incidents: Vec<Incident>,
    sources: Vec<SourceState>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
}

pub async fn vendor(
    State(state): State<Shared>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let p = Params::parse(raw.as_deref());
    let ask = api::StatsAsk {
        vendor: name,
        service: p.get("service").map(str::to_string),
        region: p.get("region").map(str::to_string),
        since: p.time("since", false)?,
        until: p.time("until", true)?,
    };
    let view = blocking(&state, move |store, _| {
        let stats = api::load_stats(store, &ask)?;
        let mut incidents = store.incidents(&IncidentFilter {
            vendor: Some(stats.vendor.clone()),
            ..IncidentFilter::default()
        })?;
        incidents.retain(|i| {
            i.start.is_some_and(|s| {
                ask.since.is_none_or(|a| s >= a) && ask.until.is_none_or(|b| s < b)
            })
        });
        let sources = store
            .sources()?
            .into_iter()
            .filter(|s| s.vendor.as_deref() == Some(stats.vendor.as_str()))
            .collect();
        Ok(VendorView {
            stats,
            incidents,
            sources,
            since: ask.since,
            until: ask.until,
        })
    })
    .await?;
    let title = view.stats.vendor.clone();
    Ok(Html(page(&title, Nav::Vendors, &render_vendor(&view))))
}

fn figure(out: &mut String, key: &str, label: &str, value: &str, note: &str) {
    let _ = write!(
        out,
        "<div class=\"figure\"><div class=\"v\" data-figure=\"{key}\">{value}</div><div class=\"k\">{label}{}</div></div>",
        if note.is_empty() {
            String::new()
        } else {
            format!(" · {note}")
        }
    );
}

pub(super) fn pct(a: Option<f64>) -> String {
    a.map_or("–".into(), |a| format!("{:.4}%", a * 100.0))
}

pub(super) fn mins(m: Option<f64>) -> String {
    m.map_or("–".into(), |m| format!("{m:.1} min"))
}

fn render_vendor(view: &VendorView) -> String {
    let s = &view.stats;
    let f = &s.figures;
    let now = Utc::now();
    let mut out = String::new();
    let _ = write!(
        out,
        "<h1>{}</h1><p class=\"lede\">Reliability as the vendor's own status feeds report it, from {} to {}.{}</p>",
        text(&s.vendor),
        text(f.coverage.first.as_deref().unwrap_or("–")),
        text(f.coverage.last.as_deref().unwrap_or("–")),
        match (view.since, view.until) {
            (None, None) => String::new(),
            (a, b) => format!(
                " Period asked: {} to {} (inclusive).",
                a.map_or("the start".into(), |t| t.format("%Y-%m-%d").to_string()),
                b.map_or("now".into(), |t| (t - Duration::seconds(1))
                    .format("%Y-%m-%d")
                    .to_string())
            ),
        }
    );
    let _ = write!(
        out,
        "<p class=\"small\"><a href=\"/?{0}\">Search its incidents</a> · <a href=\"/timeline?{0}\">timeline</a> · <a href=\"/compare?{0}\">compare with others</a> · <a href=\"/api/stats?{0}\">these figures as JSON</a></p>",
        text(&query_string(&[("vendor", s.vendor.as_str())]))
    );
    out.push_str("<h2>Figures</h2><div class=\"figures\">");
    figure(
        &mut out,
        "incidents",
        "incidents",
        &f.incidents.to_string(),
        &format!("+{} maintenance", f.maintenances),
    );
    figure(
        &mut out,
        "outage_minutes",
        "outage minutes (raw)",
        &f.outage_minutes.to_string(),
        "",
    );
    figure(
        &mut out,
        "availability",
        "availability (raw)",
        &pct(f.availability),
        "",
    );
    figure(
        &mut out,
        "weighted_availability",
        "availability (severity-weighted)",
        &pct(f.weighted_availability),
        &format!("{} min", f.weighted_outage_minutes),
    );
    figure(
        &mut out,
        "mean_ttr_minutes",
        "mean time to resolve",
        &mins(f.mean_ttr_minutes),
        "",
    );
    figure(
        &mut out,
        "median_ttr_minutes",
        "median time to resolve",
        &mins(f.median_ttr_minutes),
        "",
    );
    figure(
        &mut out,
        "p90_ttr_minutes",
        "p90 time to resolve",
        &f.p90_ttr_minutes.map_or("–".into(), |m| format!("{m} min")),
        "",
    );
    out.push_str("</div>");
    if let Some(l) = &f.longest {
        let _ = write!(
            out,
            "<p>Longest outage: <a href=\"{}\">{}</a>, {} ({}).</p>",
            text(&event_href(&l.id)),
            text(&l.title),
            html::minutes(l.minutes),
            l.start.as_deref().map_or("undated".into(), html::stamp)
        );
    }
    out.push_str("<table class=\"bysev\"><thead><tr><th>severity</th><th class=\"num\">incidents</th></tr></thead><tbody>");
    for (sev, n) in &f.by_severity {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{n}</td></tr>",
            text(sev)
        );
    }
    out.push_str("</tbody></table>");
    let _ = write!(
        out,
        "<h3>Method</h3><p class=\"method\">{} The raw view is shown first; the severity-weighted view beside it.</p>",
        text(&f.method)
    );
    let months: Vec<String> = f.per_month.keys().cloned().collect();
    let counts: Vec<usize> = f.per_month.values().copied().collect();
    let horizon = view.until.map_or(now, |u| u.min(now));
    let minutes = charts::outage_minutes_per_month(&view.incidents, &months, horizon);
    out.push_str("<h2>Incidents per month</h2><div class=\"chart\">");
    out.push_str(&chart::svg_bars(
        "Incidents per month",
        &months,
        &[Series {
            name: &s.vendor,
            values: &counts,
        }],
    ));
    out.push_str("</div><h2>Outage minutes per month</h2><div class=\"chart\">");
    out.push_str(&chart::svg_bars(
        "Outage minutes per month (maintenance excluded, overlaps merged)",
        &months,
        &[Series {
            name: &s.vendor,
            values: &minutes,
        }],
    ));
    out.push_str("</div><h2>Outage days</h2><p class=\"small muted\">Each square is a UTC day, shaded by outage minutes: none, under 1 h, 1–4 h, 4–12 h, 12 h or more.</p>");
    let per_day = charts::outage_minutes_per_day(&view.incidents, horizon);
    let years: Vec<i32> = {
        let mut ys: Vec<i32> = view
            .incidents
            .iter()
            .filter_map(|i| i.start.map(|s| s.year()))
            .collect();
        ys.sort_unstable();
        ys.dedup();
        ys.into_iter().rev().take(3).collect()
    };
    for y in years {
        let _ = write!(out, "<h3>{y}</h3>");
        out.push_str(&charts::calendar_heatmap(y, &per_day));
    }
    out.push_str("<h2>Latest incidents</h2><ol class=\"events\">");
    let mut latest: Vec<&Incident> = view.incidents.iter().collect();
    latest.sort_by_key(|i| std::cmp::Reverse(i.start));
    for i in latest.iter().take(10) {
        out.push_str(&event_item(&Event::from(*i), None));
    }
    out.push_str("</ol><h2>Sources</h2>");
    out.push_str(&sources_table(&view.sources, false));
    out
}

fn sources_table(sources: &[SourceState], with_vendor: bool) -> String {
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

// ---------------------------------------------------------------- compare

struct CompareView {
    all: Vec<VendorSummary>,
    picked: Vec<String>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    result: Option<(api::CompareResponse, Vec<Vec<Incident>>)>,
}

pub async fn compare(State(state): State<Shared>, RawQuery(raw): RawQuery) -> PageResult {
    let p = Params::parse(raw.as_deref());
    let picked = p.all("vendor");
    let since = p.time("since", false)?;
    let until = p.time("until", true)?;
    let view = blocking(&state, move |store, _| {
        let all = store.vendors()?;
        let result = if picked.is_empty() {
            None
        } else {
            let cmp = api::load_compare(store, &picked, since, until)?;
            let mut per_vendor = Vec::new();
            for v in &cmp.vendors {
                let mut incidents = store.incidents(&IncidentFilter {
                    vendor: Some(v.vendor.clone()),
                    ..IncidentFilter::default()
                })?;
                let from = cmp
                    .aligned_since
                    .as_deref()
                    .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                    .map(|t| t.with_timezone(&Utc));
                incidents.retain(|i| {
                    i.start
                        .is_some_and(|s| from.is_none_or(|a| s >= a) && until.is_none_or(|b| s < b))
                });
                per_vendor.push(incidents);
            }
            Some((cmp, per_vendor))
        };
        Ok(CompareView {
            all,
            picked,
            since,
            until,
            result,
        })
    })
    .await?;
    Ok(Html(page("Compare", Nav::Compare, &render_compare(&view))))
}

fn render_compare(view: &CompareView) -> String {
    let mut out = String::from(
        "<h1>Compare vendors</h1><p class=\"lede\">The same figures for several vendors over one period. The period starts on the first day every chosen vendor has data for, so no vendor is charged for time its feeds did not cover.</p>",
    );
    out.push_str("<form action=\"/compare\" method=\"get\"><fieldset><legend>Vendors</legend>");
    for v in &view.all {
        let checked = if view.picked.iter().any(|p| p.eq_ignore_ascii_case(&v.name)) {
            " checked"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<label><input type=\"checkbox\" name=\"vendor\" value=\"{0}\"{checked}> {0}</label>",
            text(&v.name)
        );
    }
    let _ = write!(
        out,
        "</fieldset><div class=\"filters\"><label>From<input type=\"date\" name=\"since\" value=\"{}\"></label><label>To<input type=\"date\" name=\"until\" value=\"{}\"></label><button type=\"submit\">Compare</button></div></form>",
        view.since
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        view.until
            .map(|t| (t - Duration::days(1)).format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    );
    let Some((cmp, incidents)) = &view.result else {
        out.push_str("<p class=\"muted\">Choose two or more vendors.</p>");
        return out;
    };
    let _ = write!(
        out,
        "<p>Compared from <strong>{}</strong> (the first day every chosen vendor has data) to <strong>{}</strong>.</p>",
        cmp.aligned_since
            .as_deref()
            .map_or("the first record".into(), html::stamp),
        cmp.until.as_deref().map_or("now".into(), html::stamp)
    );
    out.push_str("<div class=\"scroll\"><table class=\"compare\"><thead><tr><th>vendor</th><th class=\"num\">incidents</th><th class=\"num\">maintenance</th><th class=\"num\">outage min</th><th class=\"num\">availability</th><th class=\"num\">weighted</th><th class=\"num\">mean TTR</th><th class=\"num\">median TTR</th><th class=\"num\">p90 TTR</th><th>data covers</th></tr></thead><tbody>");
    for v in &cmp.vendors {
        let f = &v.figures;
        let _ = write!(
            out,
            "<tr><td><a href=\"{}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{} – {}</td></tr>",
            text(&vendor_href(&v.vendor)),
            text(&v.vendor),
            f.incidents,
            f.maintenances,
            f.outage_minutes,
            pct(f.availability),
            pct(f.weighted_availability),
            mins(f.mean_ttr_minutes),
            mins(f.median_ttr_minutes),
            f.p90_ttr_minutes.map_or("–".into(), |m| format!("{m} min")),
            text(f.coverage.first.as_deref().unwrap_or("–")),
            text(f.coverage.last.as_deref().unwrap_or("–"))
        );
    }
    out.push_str("</tbody></table></div>");
    let labels: Vec<String> = {
        let mut all: Vec<String> = cmp
            .vendors
            .iter()
            .flat_map(|v| v.figures.per_month.keys().cloned())
            .collect();
        all.sort();
        all.dedup();
        all
    };
    let counts: Vec<Vec<usize>> = cmp
        .vendors
        .iter()
        .map(|v| {
            labels
                .iter()
                .map(|l| v.figures.per_month.get(l).copied().unwrap_or(0))
                .collect()
        })
        .collect();
    let now = Utc::now();
    let horizon = view.until.map_or(now, |u| u.min(now));
    let minutes: Vec<Vec<usize>> = incidents
        .iter()
        .map(|list| charts::outage_minutes_per_month(list, &labels, horizon))
        .collect();
    let build = |title: &str, values: &[Vec<usize>]| {
        let s: Vec<Series> = cmp
            .vendors
            .iter()
            .zip(values)
            .map(|(v, vals)| Series {
                name: &v.vendor,
                values: vals,
            })
            .collect();
        chart::svg_bars(title, &labels, &s)
    };
    out.push_str("<h2>Incidents per month</h2><div class=\"chart\">");
    out.push_str(&build("Incidents per month", &counts));
    out.push_str("</div><h2>Outage minutes per month</h2><div class=\"chart\">");
    out.push_str(&build("Outage minutes per month", &minutes));
    let _ = write!(
        out,
        "</div><h3>Method</h3><p class=\"method\">{}</p>",
        text(stats::METHOD)
    );
    out
}

// ---------------------------------------------------------------- event

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

pub async fn event(State(state): State<Shared>, Path(id): Path<String>) -> PageResult {
    let ev = blocking(&state, move |store, _| api::load_event(store, &id)).await?;
    let title = ev.event.title.clone();
    Ok(Html(page(&title, Nav::None, &render_event(&ev))))
}

fn render_event(r: &EventResponse) -> String {
    let e = &r.event;
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
    fact("End", time(e.end), seen_since(vs, |v| v.end == rfc(e.end)));
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

// ---------------------------------------------------------------- sources, API help

pub async fn sources(State(state): State<Shared>) -> PageResult {
    let list = blocking(&state, |store, _| Ok(store.sources()?)).await?;
    let failing = list.iter().filter(|s| api::health(s) == "failing").count();
    let mut out = format!(
        "<h1>Sources</h1><p class=\"lede\">{} source{}, {} failing. A failing source keeps its history; its error is shown as the crawler classified it.</p>",
        list.len(),
        if list.len() == 1 { "" } else { "s" },
        failing
    );
    out.push_str(&sources_table(&list, true));
    Ok(Html(page("Sources", Nav::Sources, &out)))
}

pub async fn api_help() -> Html<String> {
    let rows = [
        (
            "/api/search?q=dns&limit=20",
            "ranked search with facets and snippets",
        ),
        ("/api/events/{id}", "one event with every version seen"),
        (
            "/api/timeline?vendor=GitHub&after=2021-01-01",
            "matching events, newest first",
        ),
        (
            "/api/stats?vendor=GitHub&since=2022-01-01",
            "reliability figures, as outages stats --json",
        ),
        (
            "/api/compare?vendor=GitHub&vendor=Slack",
            "figures side by side, aligned",
        ),
        ("/api/sources", "every source and its health"),
        ("/export.csv?q=…", "CSV download"),
        ("/feed.atom?q=…", "Atom feed to subscribe to a search"),
        ("/calendar.ics?q=…", "iCalendar of outage windows"),
    ];
    let mut out = String::from(
        "<h1>JSON API</h1><p class=\"lede\">Everything these pages show, as JSON. The contract is the <a href=\"/api/openapi.json\">OpenAPI 3.1 document</a>; times are RFC 3339 UTC and unknown values are null.</p><table><thead><tr><th>endpoint</th><th>what it returns</th></tr></thead><tbody>",
    );
    for (path, what) in rows {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td></tr>",
            text(path),
            text(what)
        );
    }
    out.push_str("</tbody></table>");
    Html(page("API", Nav::Api, &out))
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
