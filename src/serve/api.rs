//! The JSON API and the export downloads. Each endpoint's body type here is described by a
//! component schema of the OpenAPI document ([`super::openapi`]); the pages call the same
//! loaders, so a page never shows a figure the API would not return.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::params::{Filters, Params, bad};
use super::{ApiError, ServeError, Shared, blocking};
use crate::export;
use crate::figures::{self, Scope};
use crate::index::SearchIndex;
use crate::merge::MergedEvent;
use crate::model::{Event, rfc3339};
use crate::query::{self, Facets, Found, Sort};
use crate::stats::{Figures, Period};
use crate::store::{SourceState, Store, TermField};

/// Most results one search or timeline request returns.
pub const MAX_LIMIT: usize = 5_000;
/// Most events one export download holds.
pub const MAX_EXPORT: usize = 10_000;

#[derive(Debug, Serialize)]
pub struct SearchResponse {
    pub query: String,
    /// Every matching event; `results` is the page from `offset`.
    pub total: usize,
    pub offset: usize,
    /// The next page's URL, when there is one.
    pub next: Option<String>,
    pub corrected: Vec<Correction>,
    pub facets: Facets,
    pub results: Vec<SearchHit>,
}

#[derive(Debug, Serialize)]
pub struct Correction {
    pub asked: String,
    pub used: String,
}

#[derive(Debug, Serialize)]
pub struct SearchHit {
    pub event: MergedEvent,
    pub score: f32,
    pub snippet: SnippetJson,
}

#[derive(Debug, Serialize)]
pub struct SnippetJson {
    pub text: String,
    /// Byte offsets into `text` of the matched words.
    pub highlights: Vec<Span>,
}

#[derive(Debug, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Serialize)]
pub struct EventResponse {
    pub event: MergedEvent,
    /// The vendor's own severity word, where it gave one.
    pub severity_native: Option<String>,
    pub versions: Vec<VersionJson>,
}

/// One content version of an event as the crawler saw it.
#[derive(Debug, Serialize)]
pub struct VersionJson {
    pub seen_at: String,
    pub title: String,
    pub start: Option<String>,
    pub end: Option<String>,
    pub status: String,
    pub severity: String,
    pub services: Vec<String>,
    pub regions: Vec<String>,
    pub cause: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct TimelineResponse {
    pub since: Option<String>,
    pub until: Option<String>,
    /// Every matching event; `events` is the page from `offset`.
    pub total: usize,
    pub offset: usize,
    /// The next page's URL, when there is one.
    pub next: Option<String>,
    pub events: Vec<MergedEvent>,
}

/// The figures of `outages stats --json`.
#[derive(Debug, Serialize)]
pub struct StatsResponse {
    pub vendor: String,
    pub service: Option<String>,
    pub region: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Serialize)]
pub struct CompareResponse {
    pub since: Option<String>,
    pub until: Option<String>,
    /// The time every vendor with data covered; the figures are computed over it.
    pub aligned_since: Option<String>,
    pub aligned_until: Option<String>,
    pub common_minutes: i64,
    pub period_minutes: i64,
    /// Vendors whose sources covered no time of the period.
    pub no_data: Vec<String>,
    pub vendors: Vec<StatsResponse>,
}

#[derive(Debug, Serialize)]
pub struct SourceJson {
    pub url: String,
    pub vendor: Option<String>,
    pub kind: Option<String>,
    pub health: &'static str,
    pub last_checked_at: Option<String>,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    pub last_error_class: Option<String>,
    pub consecutive_failures: u32,
    pub next_attempt_at: Option<String>,
    pub oldest_item_at: Option<String>,
    pub newest_item_at: Option<String>,
}

// ---- loaders shared with the pages ----

pub(super) fn sort_param(p: &Params) -> Result<Sort, ServeError> {
    match p.get("sort") {
        None | Some("best") => Ok(Sort::Best),
        Some("relevance") => Ok(Sort::Relevance),
        Some("time") => Ok(Sort::Time),
        Some(other) => Err(bad(
            "sort",
            format!("{other:?} is not one of best, relevance, time"),
        )),
    }
}

pub(super) fn find(
    store: &Store,
    index: &SearchIndex,
    filters: &Filters,
    page: query::Page,
    sort: Sort,
) -> Result<Found, ServeError> {
    let req = filters.request()?;
    Ok(query::find(store, index, &req, page, sort, Utc::now())?)
}

pub(super) fn search_response(
    filters: &Filters,
    found: Found,
    page: query::Page,
    next: Option<String>,
) -> SearchResponse {
    SearchResponse {
        query: filters.q.clone(),
        total: found.total,
        offset: page.offset,
        next,
        corrected: found
            .corrected
            .into_iter()
            .map(|(asked, used)| Correction { asked, used })
            .collect(),
        facets: found.facets,
        results: found
            .results
            .into_iter()
            .map(|r| SearchHit {
                event: r.event,
                score: r.score,
                snippet: SnippetJson {
                    highlights: r
                        .snippet
                        .highlights
                        .iter()
                        .map(|h| Span {
                            start: h.start,
                            end: h.end,
                        })
                        .collect(),
                    text: r.snippet.text,
                },
            })
            .collect(),
    }
}

/// Where an asked id leads: its event, or the id of the event that holds it (a member
/// incident's or press report's id, or an event id a regrouping folded into another).
pub(super) enum EventLookup {
    Found(Box<EventResponse>),
    Elsewhere(String),
}

pub(super) fn load_event(store: &Store, id: &str) -> Result<EventLookup, ServeError> {
    let Some(event) = query::event(store, id)? else {
        return Err(ServeError::NotFound(format!("no event with id {id:?}")));
    };
    if event.id != id {
        return Ok(EventLookup::Elsewhere(event.id));
    }
    let versions = store
        .versions(&event.id)?
        .into_iter()
        .map(|v| VersionJson {
            seen_at: rfc3339(v.seen_at),
            title: v.incident.title,
            start: v.incident.start.map(rfc3339),
            end: v.incident.end.map(rfc3339),
            status: v.incident.status.to_string(),
            severity: v.incident.severity.to_string(),
            services: v.incident.services,
            regions: v.incident.regions,
            cause: v.incident.cause,
        })
        .collect();
    Ok(EventLookup::Found(Box::new(EventResponse {
        severity_native: event.severity_native.clone(),
        event,
        versions,
    })))
}

/// The stored vendor name a user meant ("salesfroce" -> "Salesforce"), or an error naming
/// the closest known ones.
fn resolve_vendor(store: &Store, asked: &str) -> Result<String, ServeError> {
    Ok(query::checks::vendor(asked, &store.vendors()?)?)
}

/// What the stats of one vendor are asked for.
pub(super) struct StatsAsk {
    pub vendor: String,
    pub service: Option<String>,
    pub region: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl StatsAsk {
    pub fn from_params(p: &Params) -> Result<StatsAsk, ServeError> {
        Ok(StatsAsk {
            vendor: p
                .get("vendor")
                .ok_or_else(|| bad("vendor", "is required".into()))?
                .to_string(),
            service: p.get("service").map(str::to_string),
            region: p.get("region").map(str::to_string),
            since: p.time("since", false)?,
            until: p.time("until", true)?,
        })
    }
}

pub(super) fn load_stats(store: &Store, ask: &StatsAsk) -> Result<StatsResponse, ServeError> {
    let vendor = resolve_vendor(store, &ask.vendor)?;
    query::checks::period(ask.since, ask.until)?;
    if let Some(service) = &ask.service {
        query::checks::term(store, TermField::Service, service, Some(&vendor))?;
    }
    if let Some(region) = &ask.region {
        query::checks::term(store, TermField::Region, region, Some(&vendor))?;
    }
    let period = Period {
        since: ask.since,
        until: ask.until,
        now: Utc::now(),
    };
    let figures = figures::vendor_figures(
        store,
        &vendor,
        Scope {
            service: ask.service.as_deref(),
            region: ask.region.as_deref(),
        },
        period,
        None,
    )?;
    Ok(StatsResponse {
        vendor,
        service: ask.service.clone(),
        region: ask.region.clone(),
        since: ask.since.map(rfc3339),
        until: ask.until.map(rfc3339),
        figures,
    })
}

/// Several vendors over one period, aligned as `outages compare` aligns them: from the latest
/// of their first days with data, so no vendor is charged for time its feeds did not cover.
pub(super) fn load_compare(
    store: &Store,
    asked: &[String],
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> Result<CompareResponse, ServeError> {
    let mut names = Vec::new();
    for v in asked {
        let name = resolve_vendor(store, v)?;
        if !names.contains(&name) {
            names.push(name);
        }
    }
    query::checks::period(since, until)?;
    let cmp = figures::compare(store, &names, since, until, Utc::now())?;
    let vendors = cmp
        .vendors
        .into_iter()
        .map(|r| StatsResponse {
            vendor: r.vendor,
            service: None,
            region: None,
            since: since.map(rfc3339),
            until: until.map(rfc3339),
            figures: r.figures,
        })
        .collect();
    Ok(CompareResponse {
        since: since.map(rfc3339),
        until: until.map(rfc3339),
        aligned_since: cmp.aligned_since.map(rfc3339),
        aligned_until: cmp.aligned_until.map(rfc3339),
        common_minutes: cmp.common_minutes,
        period_minutes: cmp.period_minutes,
        no_data: cmp.no_data,
        vendors,
    })
}

/// `ok`, `failing` (its last attempt failed), or `never` (not fetched successfully yet).
pub(super) fn health(s: &SourceState) -> &'static str {
    if s.consecutive_failures > 0 {
        "failing"
    } else if s.last_success_at.is_some() {
        "ok"
    } else {
        "never"
    }
}

pub(super) fn source_json(s: &SourceState) -> SourceJson {
    SourceJson {
        url: s.url.clone(),
        vendor: s.vendor.clone(),
        kind: s.kind.map(|k| k.as_str().to_string()),
        health: health(s),
        last_checked_at: s.last_checked_at.map(rfc3339),
        last_success_at: s.last_success_at.map(rfc3339),
        last_error: s.last_error.clone(),
        last_error_class: s.last_error_class.clone(),
        consecutive_failures: s.consecutive_failures,
        next_attempt_at: s.next_attempt_at.map(rfc3339),
        oldest_item_at: s.oldest_item_at.map(rfc3339),
        newest_item_at: s.newest_item_at.map(rfc3339),
    }
}

// ---- handlers ----

pub async fn search(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
    let p = Params::parse(raw.as_deref());
    let filters = Filters::from_params(&p)?;
    let page = p.page(20, MAX_LIMIT)?;
    let sort = sort_param(&p)?;
    let out = blocking(&state, move |store, index| {
        let found = find(store, index, &filters, page, sort)?;
        let next = p.next_link("/api/search", page, found.total);
        Ok(search_response(&filters, found, page, next))
    })
    .await?;
    Ok(Json(out))
}

/// One event; a member's id (or an event id folded into another) answers with a permanent
/// redirect to the event that holds it.
pub async fn event(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(
        match blocking(&state, move |store, _| load_event(store, &id)).await? {
            EventLookup::Found(event) => Json(*event).into_response(),
            EventLookup::Elsewhere(id) => axum::response::Redirect::permanent(&format!(
                "/api/events/{}",
                super::params::path_segment(&id)
            ))
            .into_response(),
        },
    )
}

pub async fn timeline(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Json<TimelineResponse>, ApiError> {
    let p = Params::parse(raw.as_deref());
    let filters = Filters::from_params(&p)?;
    let page = p.page(500, MAX_LIMIT)?;
    let out = blocking(&state, move |store, index| {
        let found = find(store, index, &filters, page, Sort::Time)?;
        Ok(TimelineResponse {
            since: filters.after.map(rfc3339),
            until: filters.before.map(rfc3339),
            total: found.total,
            offset: page.offset,
            next: p.next_link("/api/timeline", page, found.total),
            events: found.results.into_iter().map(|r| r.event).collect(),
        })
    })
    .await?;
    Ok(Json(out))
}

/// Whether a figures route was asked for CSV (`format=csv`) rather than JSON.
fn wants_csv(p: &Params) -> Result<bool, ServeError> {
    match p.get("format") {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(other) => Err(bad("format", format!("{other:?} is not json or csv"))),
    }
}

/// Figures as a CSV download (the table `outages stats --csv` prints).
fn figures_csv(rows: &[StatsResponse], name: &str) -> Response {
    let parse = |s: &Option<String>| {
        s.as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    let table: Vec<export::FiguresRow> = rows
        .iter()
        .map(|r| export::FiguresRow {
            vendor: &r.vendor,
            service: r.service.as_deref(),
            region: r.region.as_deref(),
            since: parse(&r.since),
            until: parse(&r.until),
            figures: &r.figures,
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        export::figures_csv(&table),
    )
        .into_response()
}

pub async fn stats(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::parse(raw.as_deref());
    let csv = wants_csv(&p)?;
    let ask = StatsAsk::from_params(&p)?;
    let out = blocking(&state, move |store, _| load_stats(store, &ask)).await?;
    Ok(if csv {
        figures_csv(std::slice::from_ref(&out), "stats.csv")
    } else {
        Json(out).into_response()
    })
}

pub async fn compare(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::parse(raw.as_deref());
    let csv = wants_csv(&p)?;
    let vendors = p.all("vendor");
    if vendors.is_empty() {
        return Err(bad(
            "vendor",
            "name at least one vendor (vendor=A&vendor=B)".into(),
        )
        .into());
    }
    let since = p.time("since", false)?;
    let until = p.time("until", true)?;
    let out = blocking(&state, move |store, _| {
        load_compare(store, &vendors, since, until)
    })
    .await?;
    Ok(if csv {
        figures_csv(&out.vendors, "compare.csv")
    } else {
        Json(out).into_response()
    })
}

pub async fn sources(State(state): State<Shared>) -> Result<Json<Vec<SourceJson>>, ApiError> {
    let out = blocking(&state, |store, _| {
        Ok(store.sources()?.iter().map(source_json).collect())
    })
    .await?;
    Ok(Json(out))
}

pub async fn openapi() -> Json<serde_json::Value> {
    Json(super::openapi::document())
}

/// Which file an export download is.
#[derive(Debug, Clone, Copy)]
enum Download {
    Csv,
    Atom,
    Ics,
}

async fn download(
    state: Shared,
    raw: Option<String>,
    kind: Download,
) -> Result<Response, ApiError> {
    let p = Params::parse(raw.as_deref());
    let filters = Filters::from_params(&p)?;
    let page = p.page(MAX_EXPORT, MAX_EXPORT)?;
    let (body, events) = blocking(&state, move |store, index| {
        let found = find(store, index, &filters, page, Sort::Time)?;
        let events: Vec<Event> = found.results.iter().map(|r| r.event.contract()).collect();
        let now = Utc::now();
        let body = match kind {
            Download::Csv => export::csv(&events),
            Download::Atom => {
                let title = if filters.is_empty() {
                    "Outages".to_string()
                } else {
                    format!("Outages: {}", crate::extract::text::one_line(&filters.q))
                };
                let self_url = format!(
                    "urn:outages:query:{}",
                    super::params::query_string(&filters.pairs())
                );
                export::atom(&events, title.trim_end_matches(": "), &self_url, now)
            }
            Download::Ics => export::ics(&events, now),
        };
        Ok((body, events.len()))
    })
    .await?;
    let (mime, name) = match kind {
        Download::Csv => ("text/csv; charset=utf-8", "outages.csv"),
        Download::Atom => ("application/atom+xml; charset=utf-8", "outages.atom"),
        Download::Ics => ("text/calendar; charset=utf-8", "outages.ics"),
    };
    tracing::debug!(events, file = name, "export");
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

pub async fn export_csv(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    download(state, raw, Download::Csv).await
}

pub async fn export_atom(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    download(state, raw, Download::Atom).await
}

pub async fn export_ics(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    download(state, raw, Download::Ics).await
}
