//! The questions users ask, answered from the store and the index together.
//!
//! The index only finds and ranks: every fact returned is read back from the store, the source
//! of truth, so a stale or half-synced index can hide a match but never show a wrong one.

use thiserror::Error;

use crate::index::{IndexError, SearchIndex, SearchQuery, Snippet};
use crate::model::Event;
use crate::store::{IncidentFilter, Store, StoreError};

/// Why a query failed: the layer that failed says what it was doing.
#[derive(Debug, Error)]
pub enum QueryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// One search result: the event as stored, with the index's relevance and excerpt.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    pub event: Event,
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
        let Some(incident) = store.incident(&hit.id)? else {
            tracing::debug!(id = %hit.id, "search hit missing from the store; index is stale");
            continue;
        };
        results.push(SearchResult {
            event: Event::from(&incident),
            score: hit.score,
            snippet: hit.snippet,
        });
    }
    Ok(results)
}

/// Events matching `filter`, newest first.
pub fn timeline(store: &Store, filter: &IncidentFilter) -> Result<Vec<Event>, QueryError> {
    Ok(store.incidents(filter)?.iter().map(Event::from).collect())
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
        let mut index = SearchIndex::open_in_ram().expect("index");
        index.sync(&indexed).expect("sync");
        let mut truth = Store::open_in_memory().expect("store");
        truth
            .upsert_incidents(
                &[incident("kept", "2024-03-02T10:00:00Z")],
                t("2024-03-03T00:00:00Z"),
            )
            .expect("upsert");
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
        let all = timeline(&store, &IncidentFilter::default()).expect("timeline");
        let ids: Vec<&str> = all.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["github:c", "github:b", "github:a"]);
        let majors = IncidentFilter {
            severity: Some(Severity::Major),
            ..IncidentFilter::default()
        };
        let only = timeline(&store, &majors).expect("filtered");
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].id, "github:b");
    }
}
