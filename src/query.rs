//! The read layer: the questions users ask, answered from the store and the index together,
//! in merged events (one per outage, with every source), so every view (CLI, API, pages,
//! exports) lists, counts and orders the same events.
//!
//! The index only finds and ranks: every fact returned is read back from the store, the source
//! of truth, so a stale or half-synced index can hide a match but never show a wrong one.

pub mod checks;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::index::{IndexError, MatchFilter, RankBy, SearchIndex, SearchQuery, Snippet, boost};
use crate::merge::{self, MergeError, MergedEvent};
use crate::search_syntax::SearchRequest;
use crate::store::{EventFilter, Store, StoreError, TermField, VendorSummary};

/// Why a query failed: the layer that failed says what it was doing.
#[derive(Debug, Error)]
pub enum QueryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Merge(#[from] MergeError),
    #[error(transparent)]
    Filter(#[from] checks::FilterError),
}

/// One search result: the merged event as stored, with the index's relevance and excerpt.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    pub event: MergedEvent,
    pub score: f32,
    pub snippet: Snippet,
}

/// Full-text search with filters, best match first (newest first when `q.text` is empty).
/// A hit the store no longer holds is skipped.
pub fn search(
    store: &Store,
    index: &SearchIndex,
    q: &SearchQuery,
) -> Result<Vec<SearchResult>, QueryError> {
    let hits = index.search(q)?;
    let mut results = Vec::with_capacity(hits.len());
    for hit in hits {
        let Some(event) = stored_event(store, &hit.id)? else {
            continue;
        };
        results.push(SearchResult {
            event,
            score: hit.score,
            snippet: hit.snippet,
        });
    }
    Ok(results)
}

/// The stored event an index document names; `None` (logged) when the index is stale.
fn stored_event(store: &Store, id: &str) -> Result<Option<MergedEvent>, QueryError> {
    let Some(stored) = store.event(id)? else {
        tracing::debug!(id = %id, "search hit missing from the store; index is stale");
        return Ok(None);
    };
    Ok(Some(merge::decode_stored(&stored)?))
}

/// Merged events matching `filter`, newest first.
pub fn timeline(store: &Store, filter: &EventFilter) -> Result<Vec<MergedEvent>, QueryError> {
    Ok(merge::events(store, filter)?)
}

/// The event with this id, or the event holding the incident or press report with this id.
pub fn event(store: &Store, id: &str) -> Result<Option<MergedEvent>, QueryError> {
    Ok(merge::event(store, id)?)
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Text relevance boosted by severity and recency (the default).
    #[default]
    Best,
    /// Text relevance alone.
    Relevance,
    /// Newest first.
    Time,
}

/// Counts over the whole matching set (not only the page shown).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Facets {
    pub vendor: BTreeMap<String, usize>,
    pub year: BTreeMap<String, usize>,
    pub severity: BTreeMap<String, usize>,
}

/// A page of results of the search language, with facets and the vendor names it corrected.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub results: Vec<SearchResult>,
    /// How many events matched in all: exact when the index answers every filter, up to
    /// [`MAX_MATCHES`] when the store applies one; from [`find_top`], the results' count.
    pub total: usize,
    pub facets: Facets,
    /// `(asked, used)` where a vendor name was corrected ("salesfroce" -> "Salesforce").
    pub corrected: Vec<(String, String)>,
}

/// Which slice of the matches to return: `limit` events after the first `offset`. A limit of
/// zero is refused where it is asked for (it would read as "no matches").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub offset: usize,
    pub limit: usize,
}

impl Page {
    /// The first `limit` matches.
    pub fn first(limit: usize) -> Page {
        Page { offset: 0, limit }
    }
}

/// Matching events read from the store when it applies a filter (services, regions, causes,
/// source kinds); beyond it results are cut.
pub const MAX_MATCHES: usize = 20_000;

/// Runs a query of the search language ([`crate::search_syntax`]): the index finds and ranks,
/// the filters the index does not hold (services, regions, causes, source kinds) are applied
/// to the stored events, the total and facets are counted over every match, and the page of
/// `limit` results is returned.
pub fn find(
    store: &Store,
    index: &SearchIndex,
    req: &SearchRequest,
    page: Page,
    sort: Sort,
    now: DateTime<Utc>,
) -> Result<Found, QueryError> {
    find_counted(store, index, req, page, sort, now, true)
}

/// [`find`] without the total and facets (`total` is the number of results, `facets` empty):
/// the page alone, which lets the index skip every match that cannot reach it. For callers
/// that show no counts, and the measure of search latency.
pub fn find_top(
    store: &Store,
    index: &SearchIndex,
    req: &SearchRequest,
    page: Page,
    sort: Sort,
    now: DateTime<Utc>,
) -> Result<Found, QueryError> {
    find_counted(store, index, req, page, sort, now, false)
}

fn find_counted(
    store: &Store,
    index: &SearchIndex,
    req: &SearchRequest,
    page: Page,
    sort: Sort,
    now: DateTime<Utc>,
    count: bool,
) -> Result<Found, QueryError> {
    checks::page(page)?;
    let mut found = Found::default();
    if !req.any_of.is_empty() {
        // Alternatives: the union of each one's matches, each event once (its best score).
        let mut all: Vec<SearchResult> = Vec::new();
        let mut at: HashMap<String, usize> = HashMap::new();
        for alt in &req.any_of {
            let vendors = checked_vendors(index, alt, &mut found)?;
            for r in store_matches(store, index, alt, &vendors)? {
                match at.get(&r.event.id) {
                    Some(&n) => {
                        if r.score > all[n].score {
                            all[n].score = r.score;
                        }
                    }
                    None => {
                        at.insert(r.event.id.clone(), all.len());
                        all.push(r);
                    }
                }
            }
        }
        let ranked = req.any_of.iter().any(|a| !a.text.trim().is_empty());
        if !ranked {
            // No relevance to order by: newest first, as a single request gets them.
            all.sort_by(|a, b| {
                b.event
                    .start
                    .cmp(&a.event.start)
                    .then(a.event.id.cmp(&b.event.id))
            });
        }
        let found = page_of(all, found, ranked, page, sort, now);
        explain_no_match(store, req, &found)?;
        return Ok(found);
    }
    let vendors = checked_vendors(index, req, &mut found)?;
    if !needs_stored_fields(req) {
        let filter = MatchFilter {
            vendors: vendors.clone(),
            severities: req.severities.clone(),
            after: req.after,
            before: req.before,
        };
        let q = SearchQuery {
            limit: page.offset.saturating_add(page.limit),
            ..index_query(req, &vendors)
        };
        return find_in_index(
            store,
            index,
            &q,
            &filter,
            page.offset,
            sort,
            now,
            count,
            found,
        );
    }
    let all = store_matches(store, index, req, &vendors)?;
    let ranked = !req.text.trim().is_empty();
    let found = page_of(all, found, ranked, page, sort, now);
    explain_no_match(store, req, &found)?;
    Ok(found)
}

/// The request's vendors as stored (typos corrected, noted in `found`), after checking every
/// filter it names: an unknown vendor, service or region, or an empty period, is an error.
fn checked_vendors(
    index: &SearchIndex,
    req: &SearchRequest,
    found: &mut Found,
) -> Result<Vec<String>, QueryError> {
    // The index lists its vendors from term dictionaries, where the store scans every
    // incident (that scan was the slowest part of a filtered search): only a vendor filter
    // needs the list.
    let known = if req.vendors.is_empty() {
        Vec::new()
    } else {
        index.vendors()?
    };
    let mut vendors = Vec::new();
    for asked in &req.vendors {
        let used = checks::vendor(asked, &known)?;
        if !used.eq_ignore_ascii_case(asked) {
            found.corrected.push((asked.clone(), used.clone()));
        }
        vendors.push(used);
    }
    checks::period(req.after, req.before)?;
    Ok(vendors)
}

/// When nothing matched, a service or region no stored incident names is the likely reason:
/// that is an error naming the closest ones, not "no matches". (Checked only then: listing
/// every known term scans the store, which a search that found something need not pay.)
fn explain_no_match(store: &Store, req: &SearchRequest, found: &Found) -> Result<(), QueryError> {
    if found.total > 0 {
        return Ok(());
    }
    // Any vendor's terms: the vendor names asked may be typos the search corrected.
    for branch in std::iter::once(req).chain(&req.any_of) {
        for s in &branch.services {
            checks::term(store, TermField::Service, s, None)?;
        }
        for r in &branch.regions {
            checks::term(store, TermField::Region, r, None)?;
        }
    }
    Ok(())
}

fn index_query(req: &SearchRequest, vendors: &[String]) -> SearchQuery {
    SearchQuery {
        text: req.text.clone(),
        vendor: (vendors.len() == 1).then(|| vendors[0].clone()),
        since: req.after,
        until: req.before,
        severity: (req.severities.len() == 1).then(|| req.severities[0]),
        limit: MAX_MATCHES,
    }
}

/// Every match of `req`, read from the store, with the filters the index does not hold
/// applied to the stored events.
fn store_matches(
    store: &Store,
    index: &SearchIndex,
    req: &SearchRequest,
    vendors: &[String],
) -> Result<Vec<SearchResult>, QueryError> {
    let mut all = search(store, index, &index_query(req, vendors))?;
    all.retain(|r| keep(&r.event, req, vendors));
    Ok(all)
}

/// Counts the total and facets over every match, orders them, and keeps the page asked for.
fn page_of(
    mut all: Vec<SearchResult>,
    mut found: Found,
    ranked: bool,
    page: Page,
    sort: Sort,
    now: DateTime<Utc>,
) -> Found {
    found.total = all.len();
    for r in &all {
        let e = &r.event;
        *found.facets.vendor.entry(e.vendor.clone()).or_default() += 1;
        let year = e
            .start
            .map_or_else(|| "undated".to_string(), |t| t.format("%Y").to_string());
        *found.facets.year.entry(year).or_default() += 1;
        *found
            .facets
            .severity
            .entry(e.severity.as_str().to_string())
            .or_default() += 1;
    }
    match sort {
        Sort::Time => all.sort_by_key(|r| std::cmp::Reverse(r.event.start)),
        Sort::Relevance if ranked => all.sort_by(|a, b| b.score.total_cmp(&a.score)),
        Sort::Best if ranked => {
            for r in &mut all {
                r.score *= boost(r.event.severity, r.event.start, now);
            }
            all.sort_by(|a, b| b.score.total_cmp(&a.score));
        }
        // Without text there is no relevance: newest first, as the index returned them.
        _ => {}
    }
    all.drain(..page.offset.min(all.len()));
    all.truncate(page.limit);
    found.results = all;
    found
}

/// True when a filter of `req` reads what only the store holds (services, regions, causes,
/// source kinds); the other filters are answered from the index's fast fields.
fn needs_stored_fields(req: &SearchRequest) -> bool {
    !req.services.is_empty()
        || !req.regions.is_empty()
        || !req.causes.is_empty()
        || req.source.is_some()
}

/// [`find`] when every filter is answerable from the index: one pass over the matches filters,
/// counts (when asked) and keeps the page from fast fields, and only the page shown is read
/// from the store and snippeted.
#[allow(clippy::too_many_arguments)]
fn find_in_index(
    store: &Store,
    index: &SearchIndex,
    q: &SearchQuery,
    filter: &MatchFilter,
    offset: usize,
    sort: Sort,
    now: DateTime<Utc>,
    count: bool,
    mut found: Found,
) -> Result<Found, QueryError> {
    let by = match sort {
        Sort::Best => RankBy::Boosted { now },
        Sort::Relevance => RankBy::Relevance,
        Sort::Time => RankBy::Newest,
    };
    let page = index.top(q, by, filter, count)?;
    // Only the slice asked for is read from the store and snippeted.
    for entry in page.ranked.iter().skip(offset) {
        let Some((id, snippet)) = index.shown(&page, entry)? else {
            tracing::warn!("indexed document without an id; skipped");
            continue;
        };
        let Some(event) = stored_event(store, &id)? else {
            continue;
        };
        found.results.push(SearchResult {
            event,
            score: entry.score,
            snippet,
        });
    }
    match page.counts {
        Some(counts) => {
            found.total = counts.total;
            found.facets = Facets {
                vendor: counts.vendor,
                year: counts.year,
                severity: counts.severity,
            };
        }
        None => found.total = offset + found.results.len(),
    }
    Ok(found)
}

fn keep(e: &MergedEvent, req: &SearchRequest, vendors: &[String]) -> bool {
    let any = |wanted: &[String], have: &[String]| {
        wanted.is_empty()
            || wanted.iter().any(|w| {
                let w = w.to_lowercase();
                have.iter().any(|h| h.to_lowercase().contains(&w))
            })
    };
    (vendors.is_empty() || vendors.iter().any(|v| v.eq_ignore_ascii_case(&e.vendor)))
        && (req.severities.is_empty() || req.severities.contains(&e.severity))
        && any(&req.services, &e.services)
        && any(&req.regions, &e.regions)
        && (req.causes.is_empty()
            || e.cause.as_deref().is_some_and(|c| {
                let c = c.to_lowercase();
                req.causes.iter().any(|w| c.contains(w.as_str()))
            }))
        && req
            .source
            .is_none_or(|k| e.sources.iter().any(|s| s.kind == k))
        && req.after.is_none_or(|a| e.start.is_some_and(|s| s >= a))
        && req.before.is_none_or(|b| e.start.is_some_and(|s| s < b))
}

/// The stored vendor a user meant: exact (any case), the gazetteer's canonical name for an
/// alias, or the closest name within a small edit distance ("salesfroce" -> "Salesforce").
pub fn resolve_vendor(asked: &str, known: &[VendorSummary]) -> Option<String> {
    let asked = asked.trim();
    if let Some(v) = known.iter().find(|v| v.name.eq_ignore_ascii_case(asked)) {
        return Some(v.name.clone());
    }
    if let Some(canon) = crate::extract::vendor::Gazetteer::builtin().canonical(asked) {
        return Some(canon.to_string());
    }
    let lower = asked.to_lowercase();
    let allowed = (lower.chars().count() / 4).clamp(1, 3);
    known
        .iter()
        .map(|v| (edit_distance(&lower, &v.name.to_lowercase()), v))
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, v)| (*d, std::cmp::Reverse(v.incidents)))
        .map(|(_, v)| v.name.clone())
}

/// Levenshtein distance with adjacent transpositions counted as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Severity, Status};
    use crate::store::fixtures::{incident, t, update};

    #[test]
    fn search_returns_events_as_stored_with_duration() {
        let mut store = Store::open_in_memory().expect("store");
        let mut resolved = incident("db", "2024-03-01T10:00:00Z");
        resolved.status = Status::Resolved;
        resolved.end = Some(t("2024-03-01T10:49:31Z"));
        resolved.updates = vec![update(
            "2024-03-01T10:49:31Z",
            "resolved",
            "Database failover completed.",
        )];
        store
            .upsert_incidents(&[resolved], t("2024-03-01T11:00:00Z"))
            .expect("upsert");
        crate::merge::merge_pending(&mut store, t("2024-03-01T11:00:00Z")).expect("merge");
        let mut index = SearchIndex::open_in_ram().expect("index");
        index.sync(&store).expect("sync");
        let q = SearchQuery {
            text: "failover".into(),
            limit: 5,
            ..SearchQuery::default()
        };
        let results = search(&store, &index, &q).expect("search");
        assert_eq!(results.len(), 1);
        let event = &results[0].event;
        assert_eq!(event.id, "github:db");
        assert_eq!(event.duration_minutes, Some(50));
        assert_eq!(event.status, Status::Resolved);
        assert_eq!(
            results[0].snippet.text,
            "Database failover completed.\nActions"
        );
        assert_eq!(results[0].snippet.highlights, vec![9..17]);
    }

    #[test]
    fn hit_missing_from_the_store_is_skipped() {
        let mut indexed = Store::open_in_memory().expect("store");
        indexed
            .upsert_incidents(
                &[
                    incident("gone", "2024-03-01T10:00:00Z"),
                    incident("kept", "2024-03-02T10:00:00Z"),
                ],
                t("2024-03-03T00:00:00Z"),
            )
            .expect("upsert");
        crate::merge::merge_pending(&mut indexed, t("2024-03-03T00:00:00Z")).expect("merge");
        let mut index = SearchIndex::open_in_ram().expect("index");
        index.sync(&indexed).expect("sync");
        let mut truth = Store::open_in_memory().expect("store");
        truth
            .upsert_incidents(
                &[incident("kept", "2024-03-02T10:00:00Z")],
                t("2024-03-03T00:00:00Z"),
            )
            .expect("upsert");
        crate::merge::merge_pending(&mut truth, t("2024-03-03T00:00:00Z")).expect("merge");
        let q = SearchQuery {
            text: "degraded".into(),
            limit: 10,
            ..SearchQuery::default()
        };
        assert_eq!(index.search(&q).expect("raw hits").len(), 2);
        let results = search(&truth, &index, &q).expect("search");
        let ids: Vec<&str> = results.iter().map(|r| r.event.id.as_str()).collect();
        assert_eq!(ids, ["github:kept"]);
    }

    #[test]
    fn timeline_is_newest_first_and_filtered() {
        let mut store = Store::open_in_memory().expect("store");
        let mut major = incident("b", "2024-02-01T00:00:00Z");
        major.severity = Severity::Major;
        store
            .upsert_incidents(
                &[
                    incident("a", "2024-01-01T00:00:00Z"),
                    major,
                    incident("c", "2024-03-01T00:00:00Z"),
                ],
                t("2024-03-02T00:00:00Z"),
            )
            .expect("upsert");
        crate::merge::merge_pending(&mut store, t("2024-03-02T00:00:00Z")).expect("merge");
        let all = timeline(&store, &EventFilter::default()).expect("timeline");
        let ids: Vec<&str> = all.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["github:c", "github:b", "github:a"]);
        let february = EventFilter {
            since: Some(t("2024-02-01T00:00:00Z")),
            until: Some(t("2024-03-01T00:00:00Z")),
            ..EventFilter::default()
        };
        let only = timeline(&store, &february).expect("filtered");
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].id, "github:b");
        assert_eq!(only[0].severity, Severity::Major);
    }

    #[test]
    fn index_answered_find_matches_the_store_answered_path() {
        let events = crate::bench::generate::Generator::new(11).incidents(400);
        let mut store = Store::open_in_memory().expect("store");
        store
            .upsert_incidents(&events, t("2026-01-01T00:00:00Z"))
            .expect("upsert");
        crate::merge::merge_pending(&mut store, t("2026-01-01T00:00:00Z")).expect("merge");
        let mut index = SearchIndex::open_in_ram().expect("index");
        index.sync(&store).expect("sync");
        let now = t("2026-01-01T00:00:00Z");
        let queries = [
            "degraded",
            "\"we are investigating\"",
            "vendor:GitHub errors",
            "severity:critical severity:major database",
            "failover after:2015-01-01 before:2020-01-01",
            "",
        ];
        for text in queries {
            for sort in [Sort::Best, Sort::Relevance, Sort::Time] {
                let fast = crate::search_syntax::parse(text).expect("query");
                assert!(!needs_stored_fields(&fast));
                // Every generated event comes from a status page, so `source:status` keeps
                // them all while sending the query down the store-read path.
                let slow =
                    crate::search_syntax::parse(&format!("{text} source:status")).expect("query");
                assert!(needs_stored_fields(&slow));
                let a = find(&store, &index, &fast, Page::first(10), sort, now).expect("fast");
                let b = find(&store, &index, &slow, Page::first(10), sort, now).expect("slow");
                assert!(a.total > 0, "{text:?} matches nothing");
                assert_eq!(a.total, b.total, "{text:?}");
                assert_eq!(a.facets, b.facets, "{text:?}");
                let ids = |f: &Found| -> Vec<(String, String)> {
                    f.results
                        .iter()
                        .map(|r| (r.event.id.clone(), r.snippet.text.clone()))
                        .collect()
                };
                assert_eq!(ids(&a), ids(&b), "{text:?} {sort:?}");
            }
        }
    }

    /// The page without counts prunes with block-WAND; it must be the page the counting pass
    /// keeps, across segments and with replaced (deleted) documents.
    #[test]
    fn pruned_page_equals_the_counted_page() {
        let mut events = crate::bench::generate::Generator::new(5).incidents(600);
        let mut store = Store::open_in_memory().expect("store");
        let (first, second) = events.split_at(300);
        store
            .upsert_incidents(first, t("2026-01-01T00:00:00Z"))
            .expect("first half");
        crate::merge::merge_pending(&mut store, t("2026-01-01T00:00:00Z")).expect("merge");
        let mut index = SearchIndex::open_in_ram().expect("index");
        index.sync(&store).expect("first sync");
        store
            .upsert_incidents(second, t("2026-01-02T00:00:00Z"))
            .expect("second half");
        crate::merge::merge_pending(&mut store, t("2026-01-02T00:00:00Z")).expect("merge");
        for e in events.iter_mut().take(100) {
            e.title = format!("{} after a database failover", e.title);
        }
        store
            .upsert_incidents(&events[..100], t("2026-01-03T00:00:00Z"))
            .expect("changed");
        crate::merge::merge_pending(&mut store, t("2026-01-03T00:00:00Z")).expect("merge");
        index.sync(&store).expect("second sync");
        let now = t("2026-01-04T00:00:00Z");
        for text in [
            "degraded",
            "database failover",
            "\"we are investigating\"",
            "errors latency",
            "vendor:GitHub vendor:Slack errors",
            "severity:critical severity:minor database",
            "failover after:2018-01-01",
            "",
        ] {
            let req = crate::search_syntax::parse(text).expect("query");
            for sort in [Sort::Best, Sort::Relevance, Sort::Time] {
                let counted =
                    find(&store, &index, &req, Page::first(10), sort, now).expect("counted");
                let top = find_top(&store, &index, &req, Page::first(10), sort, now).expect("top");
                let page = |f: &Found| -> Vec<(String, u32)> {
                    f.results
                        .iter()
                        .map(|r| (r.event.id.clone(), r.score.to_bits()))
                        .collect()
                };
                assert!(!counted.results.is_empty(), "{text:?} matches nothing");
                assert_eq!(page(&top), page(&counted), "{text:?} {sort:?}");
                // A page as long as the matches never fills, so nothing is skipped: its head
                // is the ranking without pruning.
                let mut whole =
                    find(&store, &index, &req, Page::first(1_000), sort, now).expect("whole");
                // Pages of 7, one after another, are the whole list: nothing lost or repeated.
                let mut paged = Vec::new();
                for offset in (0..whole.results.len() + 7).step_by(7) {
                    let slice = find(&store, &index, &req, Page { offset, limit: 7 }, sort, now)
                        .expect("page");
                    assert_eq!(slice.total, whole.total, "{text:?} {sort:?} total");
                    paged.extend(page(&slice));
                }
                assert_eq!(paged, page(&whole), "{text:?} {sort:?} paged");
                whole.results.truncate(10);
                assert_eq!(page(&top), page(&whole), "{text:?} {sort:?} unpruned");
                assert_eq!(top.total, top.results.len());
                assert_eq!(top.facets, Facets::default());
            }
        }
    }

    #[test]
    fn vendor_typos_are_corrected() {
        let known = vec![
            VendorSummary {
                name: "Salesforce".into(),
                incidents: 4,
                first: None,
                last: None,
            },
            VendorSummary {
                name: "Slack".into(),
                incidents: 7,
                first: None,
                last: None,
            },
        ];
        assert_eq!(
            resolve_vendor("salesfroce", &known).as_deref(),
            Some("Salesforce")
        );
        assert_eq!(resolve_vendor("SLACK", &known).as_deref(), Some("Slack"));
        assert_eq!(resolve_vendor("slak", &known).as_deref(), Some("Slack"));
        assert_eq!(resolve_vendor("zzzzzz", &known), None);
        assert_eq!(edit_distance("salesfroce", "salesforce"), 1);
    }
}
