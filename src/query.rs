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
