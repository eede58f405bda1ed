//! The search page and its live results fragment, with chips and facets.

use std::collections::BTreeMap;
use std::fmt::Write;

use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};

use super::{PageResult, event_href, vendor_href};
use crate::extract::text::truncate_chars;
use crate::model::Severity;
use crate::query::Found;
use crate::serve::api;
use crate::serve::html::{self, Nav, page, severity_badge, text, time};
use crate::serve::params::{Filters, Params, query_string};
use crate::serve::{ServeError, Shared, blocking};
use crate::store::VendorSummary;

/// What the search page and its live fragment both need.
struct SearchView {
    filters: Filters,
    vendors: Vec<VendorSummary>,
    outcome: Result<Found, ServeError>,
    page: crate::query::Page,
    /// Links to the neighbouring pages (relative to `/`).
    previous: Option<String>,
    next: Option<String>,
}

async fn load_search(state: &Shared, raw: Option<String>) -> Result<SearchView, ServeError> {
    let p = Params::parse(raw.as_deref());
    let filters = Filters::from_params(&p)?;
    let page = p.page(25, api::MAX_LIMIT)?;
    let sort = api::sort_param(&p)?;
    let f = filters.clone();
    blocking(state, move |store, index| {
        let vendors = store.vendors()?;
        // A malformed query is shown beside the form, not as an error page.
        let outcome = api::find(store, index, &f, page, sort);
        let total = outcome.as_ref().map_or(0, |found| found.total);
        Ok(SearchView {
            filters: f,
            vendors,
            outcome,
            page,
            previous: p.previous_link("/", page),
            next: p.next_link("/", page, total),
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
            page: crate::query::Page::first(25),
            previous: None,
            next: None,
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
    let _ = write!(
        out,
        "<label>From<input type=\"date\" name=\"after\" id=\"f-after\" value=\"{}\"></label><label>To<input type=\"date\" name=\"before\" id=\"f-before\" value=\"{}\"></label>",
        text(&f.after_day().unwrap_or_default()),
        text(&f.before_day().unwrap_or_default())
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
    } else {
        let first = view.page.offset + 1;
        let _ = write!(
            out,
            "<nav class=\"pager\" aria-label=\"Pages\"><span data-showing=\"{first}-{}\" data-total=\"{}\">Showing {first}–{} of {}</span>",
            view.page.offset + found.results.len(),
            found.total,
            view.page.offset + found.results.len(),
            found.total
        );
        if let Some(prev) = &view.previous {
            let _ = write!(out, " <a rel=\"prev\" href=\"{}\">previous</a>", text(prev));
        }
        if let Some(next) = &view.next {
            let _ = write!(out, " <a rel=\"next\" href=\"{}\">next</a>", text(next));
        }
        out.push_str("</nav>");
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
