//! The tantivy full-text index over incidents: derived data, rebuilt from the store at will.
//!
//! Each incident is one document keyed by its id. The store's `rev` counter drives
//! synchronisation: every commit carries the highest rev it indexed as its payload, so after a
//! crash between a store write and an index commit the next [`SearchIndex::sync`] indexes the
//! gap, and re-indexing an incident first deletes its old document, so there are never two.
//!
//! Searches return ids, scores and snippets; the facts shown to users are read back from the
//! store (see [`crate::query`]).

mod phrase;
mod rank;
mod search;
mod stem;
mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::{Bound, Range};
use std::path::{Path, PathBuf};

use chrono::Utc;
use tantivy::collector::TopDocs;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, RangeQuery, TermQuery,
};
use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING,
    Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::{SnippetGenerator, collapse_overlapped_ranges};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, Index, IndexReader, Order, ReloadPolicy, Searcher, TantivyDocument, TantivyError,
    Term,
};
use thiserror::Error;

use crate::extract::text::truncate_chars;
use crate::model::Severity;
use crate::store::{ChangedEvent, Store, StoreError, VendorSummary};

pub use rank::{MatchCounts, MatchFilter, RankBy, Ranked, boost};
use search::{Searched, clone_all, defuse_query, text_of, with_filters};
use write::Writing;
pub use write::body_text;

/// Incidents read from the store per batch, bounding memory during a rebuild (a few MB).
const SYNC_BATCH: usize = 2000;

/// Documents per commit. Each commit makes a segment that merges later, so committing every
/// read batch made a million-event rebuild spend most of its time merging; a crash still
/// loses at most this many, which the next sync re-indexes from the rev in the last commit.
const COMMIT_EVERY: usize = 50_000;

/// Indexing heap, split between the writer threads.
const WRITER_MEMORY: usize = 96 * 1024 * 1024;

/// Writer threads: two, the most this kind of shared machine gives one job.
const WRITER_THREADS: usize = 2;

/// Deepest parenthesis nesting passed to the query parser. Deeper nesting only comes from
/// hostile input and overflows the parser's stack (an abort, not an error).
const MAX_QUERY_DEPTH: usize = 32;

/// Characters of body text shown when the query has no words to highlight.
const PLAIN_SNIPPET_CHARS: usize = 150;

/// A word in the title weighs twice one in the body.
const TITLE_BOOST: f32 = 2.0;

/// Longest highlighted excerpt, tantivy's default.
const SNIPPET_CHARS: usize = 150;

/// Why the index could not be opened, written or searched. Each message names the index.
#[derive(Debug, Error)]
pub enum IndexError {
    /// The index directory could not be created or wiped.
    #[error("index {dir}: cannot {op}: {source}")]
    Dir {
        dir: PathBuf,
        op: &'static str,
        source: std::io::Error,
    },
    /// tantivy failed; `op` says at which step.
    #[error("index {location}: {op} failed: {source}{}", damage_hint(source))]
    Tantivy {
        location: String,
        op: &'static str,
        source: TantivyError,
    },
    /// Reading events to index from the store failed.
    #[error("index {location}: reading changed events from the store failed: {source}")]
    Store {
        location: String,
        source: Box<StoreError>,
    },
    /// A stored event is not the JSON this build writes.
    #[error("index {location}: stored event {id} is unreadable: {source}")]
    Event {
        location: String,
        id: String,
        source: serde_json::Error,
    },
}

/// What to do when the index files themselves are damaged (bit rot, a truncated segment): the
/// index is derived, so a rebuild from the store loses nothing.
fn damage_hint(e: &TantivyError) -> &'static str {
    match e {
        TantivyError::DataCorruption(_)
        | TantivyError::OpenReadError(_)
        | TantivyError::OpenDirectoryError(_)
        | TantivyError::IoError(_) => {
            "; the index files look damaged: `outages reindex` rebuilds them from the store, losing nothing"
        }
        _ => "",
    }
}

/// A search: words in tantivy's query syntax plus structured filters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchQuery {
    /// Free text; syntax errors are tolerated. Empty means "everything matching the filters",
    /// newest first.
    pub text: String,
    /// Canonical vendor name, compared ignoring ASCII case.
    pub vendor: Option<String>,
    /// Inclusive, on the start (or the time first seen when the source gave no start).
    pub since: Option<chrono::DateTime<Utc>>,
    /// Exclusive, like `since`.
    pub until: Option<chrono::DateTime<Utc>>,
    pub severity: Option<Severity>,
    pub limit: usize,
}

/// One matching incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    /// BM25 relevance; 0 when the query had no text to rank by.
    pub score: f32,
    pub snippet: Snippet,
}

/// A short excerpt with the matched words marked, as plain text: callers escape it for their
/// medium (terminal, HTML) and then mark the ranges, so no markup ever comes from the index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    /// Byte ranges into `text`, sorted and non-overlapping.
    pub highlights: Vec<Range<usize>>,
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    vendor: Field,
    vendor_text: Field,
    title: Field,
    body: Field,
    severity: Field,
    start: Field,
    /// The canonical vendor name as a fast field, for facets without reading documents.
    vendor_name: Field,
    /// The source's own start in Unix seconds, absent when it gave none (unlike `start`, which
    /// falls back to the time first seen).
    onset: Field,
    /// The title's and the body's common-word pairs, for phrases of common words
    /// ([`phrase`]).
    title_pairs: Field,
    body_pairs: Field,
    /// The ids of the event's member incidents and press reports.
    members: Field,
}

/// What a reader's [`SearchIndex::heal`] did about a gap between the store and the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Healed {
    UpToDate,
    /// No writer ran: this many events were indexed under the data directory's lock.
    Synced(usize),
    /// A writer holds the lock and will index the gap itself; searched as committed.
    LeftToWriter {
        behind: i64,
    },
    /// The gap stays (a read-only data directory, a damaged index ...); searched as committed.
    Failed(String),
}

/// The index, its reader, and the field handles of the current schema.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The directory, or "in RAM", for error messages.
    location: String,
    /// The analyzer of the indexed text with one stem cache shared by every snippet.
    snippet_analyzer: TextAnalyzer,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let stemmed = TextFieldIndexing::default()
        .set_tokenizer(stem::ANALYZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text = TextOptions::default().set_indexing_options(stemmed.clone());
    let stored_text = text.clone().set_stored();
    // Scored with the lengths of the text fields, so no lengths of their own.
    let pairs = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(stem::PAIRS_ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions)
            .set_fieldnorms(false),
    );
    let date = DateOptions::from(INDEXED).set_precision(DateTimePrecision::Seconds);
    let fields = Fields {
        // Read from the stored document of the few results shown, which is read for the
        // snippet anyway: a fast column of a million unique ids cost more to build than to use.
        id: builder.add_text_field("id", STRING | STORED),
        vendor: builder.add_text_field("vendor", STRING),
        vendor_text: builder.add_text_field("vendor_text", text),
        title: builder.add_text_field("title", stored_text.clone()),
        body: builder.add_text_field("body", stored_text),
        severity: builder.add_text_field("severity", STRING | FAST),
        start: builder.add_date_field("start", date.set_fast()),
        vendor_name: builder.add_text_field("vendor_name", FAST),
        onset: builder.add_i64_field("onset", FAST),
        title_pairs: builder.add_text_field("title_pairs", pairs.clone()),
        body_pairs: builder.add_text_field("body_pairs", pairs),
        members: builder.add_text_field("members", STRING),
    };
    (builder.build(), fields)
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it if missing. An index with another schema, or one
    /// tantivy cannot open, is wiped and recreated empty: it is derived data, and the next
    /// [`SearchIndex::sync`] refills it from the store.
    pub fn open(dir: &Path) -> Result<SearchIndex, IndexError> {
        let (schema, fields) = schema();
        let location = dir.display().to_string();
        let dir_err = |op: &'static str| {
            let dir = dir.to_path_buf();
            move |source| IndexError::Dir { dir, op, source }
        };
        std::fs::create_dir_all(dir).map_err(dir_err("create the directory"))?;
        if dir.join("meta.json").exists() {
            let reason = match Index::open_in_dir(dir) {
                Ok(index) if index.schema() == schema => {
                    match SearchIndex::with_index(index, fields, location.clone()) {
                        Ok(opened) => return Ok(opened),
                        Err(error) => error.to_string(),
                    }
                }
                Ok(_) => "its schema differs from this build's".to_string(),
                Err(error) => error.to_string(),
            };
            tracing::warn!(index = %location, %reason, "discarding the index; the next sync rebuilds it");
            std::fs::remove_dir_all(dir).map_err(dir_err("wipe the old index"))?;
            std::fs::create_dir_all(dir).map_err(dir_err("create the directory"))?;
        }
        let index = Index::create_in_dir(dir, schema).map_err(|source| IndexError::Tantivy {
            location: location.clone(),
            op: "creating the index",
            source,
        })?;
        SearchIndex::with_index(index, fields, location)
    }

    /// An empty index in memory, for tests and one-shot commands.
    pub fn open_in_ram() -> Result<SearchIndex, IndexError> {
        let (schema, fields) = schema();
        SearchIndex::with_index(Index::create_in_ram(schema), fields, "in RAM".to_string())
    }

    fn with_index(
        index: Index,
        fields: Fields,
        location: String,
    ) -> Result<SearchIndex, IndexError> {
        index
            .tokenizers()
            .register(stem::ANALYZER, stem::analyzer());
        index
            .tokenizers()
            .register(stem::PAIRS_ANALYZER, stem::pairs_analyzer());
        // Another process (the crawler) may commit: pick that up, and our own commits reload
        // explicitly so a sync is visible to the next search at once.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(|source| IndexError::Tantivy {
                location: location.clone(),
                op: "opening a reader",
                source,
            })?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            location,
            snippet_analyzer: stem::shared_analyzer(),
        })
    }

    /// The highest store rev the last commit indexed; 0 when there is none or the payload is
    /// unreadable, which makes the next sync re-index everything (safe, only slower).
    pub fn indexed_rev(&self) -> i64 {
        self.index
            .load_metas()
            .ok()
            .and_then(|meta| meta.payload)
            .and_then(|payload| payload.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Documents in the last commit this reader sees.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Every vendor indexed, by name, with its number of incidents: what the store's
    /// [`Store::vendors`] lists for resolving a vendor filter, read from the term dictionaries
    /// in a few microseconds where the store scans every incident. The counts include
    /// documents deleted but not yet merged away (they only break ties between close names),
    /// and the date reach is not known here.
    pub fn vendors(&self) -> Result<Vec<VendorSummary>, IndexError> {
        let err = |source| IndexError::Tantivy {
            location: self.location.clone(),
            op: "listing the indexed vendors",
            source,
        };
        let io_err = |source: std::io::Error| err(TantivyError::from(source));
        let searcher = self.reader.searcher();
        // Exact-match key -> canonical name and count.
        let mut vendors: BTreeMap<String, (String, usize)> = BTreeMap::new();
        for segment in searcher.segment_readers() {
            if let Some(names) = segment.fast_fields().str("vendor_name").map_err(err)? {
                let mut name = String::new();
                for ord in 0..names.num_terms() as u64 {
                    if names.ord_to_str(ord, &mut name).map_err(io_err)? {
                        vendors
                            .entry(vendor_key(&name))
                            .or_insert_with(|| (name.clone(), 0));
                    }
                }
            }
            let inverted = segment.inverted_index(self.fields.vendor).map_err(err)?;
            let mut terms = inverted.terms().stream().map_err(io_err)?;
            while terms.advance() {
                let Ok(key) = std::str::from_utf8(terms.key()) else {
                    continue;
                };
                if let Some((_, count)) = vendors.get_mut(key) {
                    *count += terms.value().doc_freq as usize;
                }
            }
        }
        let mut out: Vec<VendorSummary> = vendors
            .into_values()
            .map(|(name, incidents)| VendorSummary {
                name,
                incidents,
                first: None,
                last: None,
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// For a reader: brings the index up to date when it is behind the store and no writer
    /// runs, under the data directory's lock (`lock_file`), so a reader never takes the index
    /// writer from under a running crawl. When a writer holds the lock, the index is searched
    /// as committed; that writer syncs it at the end of its write.
    pub fn heal(&mut self, store: &Store, lock_file: &std::path::Path) -> Healed {
        let behind = match store.current_rev() {
            Ok(rev) => rev - self.indexed_rev(),
            Err(e) => return Healed::Failed(e.to_string()),
        };
        if behind <= 0 {
            return Healed::UpToDate;
        }
        match crate::lock::WriterLock::for_index(lock_file, None) {
            Ok(_lock) => match self.sync(store) {
                Ok(n) => Healed::Synced(n),
                Err(e) => Healed::Failed(e.to_string()),
            },
            Err(crate::lock::LockError::Held { .. }) => Healed::LeftToWriter { behind },
            Err(e) => Healed::Failed(e.to_string()),
        }
    }

    /// Indexes every event the store wrote after [`SearchIndex::indexed_rev`] (and drops the
    /// ones a regrouping removed) and returns how many. An index claiming a rev the store
    /// never reached (the database was replaced) is rebuilt.
    pub fn sync(&mut self, store: &Store) -> Result<usize, IndexError> {
        let from = self.indexed_rev();
        let store_rev = self.store_rev(store)?;
        if from > store_rev {
            tracing::warn!(index = %self.location, from, store_rev, "index ahead of the store; rebuilding");
            return self.rebuild(store);
        }
        if from == store_rev {
            return Ok(0);
        }
        self.index_from(store, from, false)
    }

    /// Drops every document and indexes the whole store again.
    pub fn rebuild(&mut self, store: &Store) -> Result<usize, IndexError> {
        self.index_from(store, 0, true)
    }

    fn store_rev(&self, store: &Store) -> Result<i64, IndexError> {
        store.current_rev().map_err(|source| IndexError::Store {
            location: self.location.clone(),
            source: Box::new(source),
        })
    }

    fn index_from(&mut self, store: &Store, from: i64, wipe: bool) -> Result<usize, IndexError> {
        let store_err = |location: &str| {
            let location = location.to_string();
            move |source| IndexError::Store {
                location,
                source: Box::new(source),
            }
        };
        // Read first: every event written up to this rev is in the pages read below (a write
        // commits its rows and the counter together), so the index may claim it at the end.
        let store_rev = self.store_rev(store)?;
        let mut writing = Writing::start(self, from, wipe)?;
        if !wipe {
            for (id, _) in store
                .event_removals_since(from)
                .map_err(store_err(&self.location))?
            {
                writing.remove(&id);
            }
        }
        let mut cursor = from;
        loop {
            let batch = store
                .changed_events_since(cursor, SYNC_BATCH)
                .map_err(store_err(&self.location))?;
            let Some(last) = batch.last() else { break };
            cursor = last.rev;
            for changed in &batch {
                writing.add(changed)?;
            }
        }
        writing.finish(store_rev)
    }

    /// Indexes `rows` in place of every document, as [`SearchIndex::rebuild`] does from the
    /// store: the indexing alone, for measuring it against a peer fed the same rows in memory.
    pub fn rebuild_from_rows(&mut self, rows: &[ChangedEvent]) -> Result<usize, IndexError> {
        let mut writing = Writing::start(self, 0, true)?;
        for changed in rows {
            writing.add(changed)?;
        }
        let last = rows.iter().map(|r| r.rev).max().unwrap_or(0);
        writing.finish(last)
    }

    /// Maps a tantivy error at step `op` to ours, naming the index.
    fn tantivy_err(&self, op: &'static str) -> impl FnOnce(TantivyError) -> IndexError + use<> {
        let location = self.location.clone();
        move |source| IndexError::Tantivy {
            location,
            op,
            source,
        }
    }

    /// Runs a search. Text is ranked by BM25 over title (boosted 2x), body and vendor name;
    /// without text, matches come newest first.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<Hit>, IndexError> {
        let Some(ranked) = self.ranked(q)? else {
            return Ok(Vec::new());
        };
        let mut hits = Vec::with_capacity(ranked.top.len());
        for (score, address) in &ranked.top {
            if let Some(hit) = self.hit(
                &ranked.searcher,
                *address,
                *score,
                ranked.generators.as_ref(),
            )? {
                hits.push(hit);
            }
        }
        Ok(hits)
    }

    /// The best `q.limit` matches by `by`, passing `filter`, in one pass over the matches
    /// reading fast fields only; with `count`, the total and facets over every match too (which
    /// visits every match, where the page alone lets block-WAND skip most of them).
    /// [`SearchIndex::shown`] then reads the id and the snippet of each one shown.
    pub fn top(
        &self,
        q: &SearchQuery,
        by: RankBy,
        filter: &MatchFilter,
        count: bool,
    ) -> Result<Page, IndexError> {
        if q.limit == 0 && !count {
            return Ok(Page::default());
        }
        let searcher = self.reader.searcher();
        let filters = self.filters(q);
        let text = defuse_query(&q.text);
        let run = |query: &dyn Query, by: RankBy, scored: bool| {
            let collector = rank::TopCollector::new(q.limit, by, filter.clone(), count, scored);
            searcher
                .search(query, &collector)
                .map_err(|source| IndexError::Tantivy {
                    location: self.location.clone(),
                    op: "searching",
                    source,
                })
        };
        if text.trim().is_empty() {
            let query = with_filters(Box::new(AllQuery), filters);
            let by = if by == RankBy::Newest {
                RankBy::Newest
            } else {
                RankBy::Indexed
            };
            let top = run(query.as_ref(), by, false)?;
            return Ok(Page {
                ranked: top.ranked,
                counts: top.counts,
                searched: Some(Searched {
                    searcher,
                    generators: None,
                }),
            });
        }
        // Exact terms first; only when they match nothing, the same words within one edit.
        let mut outcome = None;
        for fuzzy in [false, true] {
            let (searched, text_query) = self.text_query(&text, fuzzy);
            let query = with_filters(searched, clone_all(&filters));
            let top = run(query.as_ref(), by, true)?;
            let matched = top.matched;
            outcome = Some((top, text_query));
            if matched {
                break;
            }
        }
        let Some((top, text_query)) = outcome else {
            return Ok(Page::default());
        };
        let generators = self.generators(&searcher, text_query.as_ref())?;
        Ok(Page {
            ranked: top.ranked,
            counts: top.counts,
            searched: Some(Searched {
                searcher,
                generators: Some(generators),
            }),
        })
    }

    /// The incident id and the excerpt of one entry of a page, from one read of its stored
    /// document; `None` for a document without an id (never written so).
    pub fn shown(
        &self,
        page: &Page,
        entry: &Ranked,
    ) -> Result<Option<(String, Snippet)>, IndexError> {
        let Some(searched) = &page.searched else {
            return Ok(None);
        };
        let doc = self.read_doc(&searched.searcher, entry.address)?;
        let id = text_of(&doc, self.fields.id);
        if id.is_empty() {
            return Ok(None);
        }
        Ok(Some((
            id,
            self.snippet_of(&doc, searched.generators.as_ref()),
        )))
    }
}

/// A page of [`SearchIndex::top`], with what [`SearchIndex::shown`] needs to read it.
#[derive(Default)]
pub struct Page {
    pub ranked: Vec<Ranked>,
    /// Present when counts were asked.
    pub counts: Option<MatchCounts>,
    searched: Option<Searched>,
}

/// The form of a vendor name in the exact-match `vendor` field, the same ASCII case folding
/// SQLite's NOCASE applies in the store.
fn vendor_key(vendor: &str) -> String {
    vendor.trim().to_ascii_lowercase()
}

/// tantivy counts nanoseconds in an i64 (years 1677 to 2262); later or earlier dates saturate
/// instead of overflowing.
fn tantivy_date(t: chrono::DateTime<Utc>) -> tantivy::DateTime {
    match t.timestamp_nanos_opt() {
        Some(nanos) => tantivy::DateTime::from_timestamp_nanos(nanos),
        None if t.timestamp() < 0 => tantivy::DateTime::MIN,
        None => tantivy::DateTime::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::{incident, t, update};

    /// A store with three incidents and an index synced with it.
    fn setup() -> (Store, SearchIndex) {
        let mut store = Store::open_in_memory().expect("store");
        let mut runners = incident("runners", "2024-03-01T10:00:00Z");
        runners.updates = vec![update(
            "2024-03-01T10:00:00Z",
            "investigating",
            "We are investigating outages affecting hosted runners.",
        )];
        runners.severity = Severity::Major;
        let mut pages = incident("pages", "2024-02-01T10:00:00Z");
        pages.title = "Pages builds delayed".into();
        pages.services = vec!["Pages".into()];
        pages.updates = vec![update(
            "2024-02-01T10:00:00Z",
            "investigating",
            "Builds are queued.",
        )];
        let mut slack = incident("msg", "2024-01-15T10:00:00Z");
        slack.id = "slack:msg".into();
        slack.vendor = "Slack".into();
        slack.title = "Messages failing to send".into();
        slack.services = vec!["Messaging".into()];
        slack.updates = vec![update(
            "2024-01-15T10:00:00Z",
            "investigating",
            "Some users see an outage when sending messages.",
        )];
        store
            .upsert_incidents(&[runners, pages, slack], t("2024-03-02T00:00:00Z"))
            .expect("upsert");
        crate::merge::merge_pending(&mut store, t("2024-03-02T00:00:00Z")).expect("merge");
        let mut index = SearchIndex::open_in_ram().expect("index");
        assert_eq!(index.sync(&store).expect("sync"), 3);
        (store, index)
    }

    fn query(text: &str) -> SearchQuery {
        SearchQuery {
            text: text.into(),
            limit: 10,
            ..SearchQuery::default()
        }
    }

    fn ids(hits: &[Hit]) -> Vec<&str> {
        hits.iter().map(|h| h.id.as_str()).collect()
    }

    #[test]
    fn stemmed_word_matches_with_exact_snippet_highlight() {
        let (_store, index) = setup();
        let hits = index.search(&query("outage")).expect("search");
        assert_eq!(ids(&hits), ["github:runners", "slack:msg"]);
        let runners = &hits[0];
        assert_eq!(
            runners.snippet.text,
            "We are investigating outages affecting hosted runners.\nActions"
        );
        assert_eq!(runners.snippet.highlights, vec![21..28]);
        assert_eq!(&runners.snippet.text[21..28], "outages");
        assert!(runners.score > 0.0);
    }

    #[test]
    fn a_typo_finds_the_word_only_when_the_exact_word_finds_nothing() {
        let (_store, index) = setup();
        // "investigting" (one letter missing) is nowhere in the index: one edit away finds it.
        let hits = index.search(&query("investigting")).expect("search");
        assert_eq!(ids(&hits), ["github:runners"]);
        // "delayed" exists: no fuzzy widening to "delays" or similar.
        let hits = index.search(&query("delayed")).expect("search");
        assert_eq!(ids(&hits), ["github:pages"]);
    }

    #[test]
    fn title_match_is_snippeted_from_the_title_when_body_has_none() {
        let (_store, index) = setup();
        let hits = index.search(&query("delayed")).expect("search");
        assert_eq!(ids(&hits), ["github:pages"]);
        assert_eq!(hits[0].snippet.text, "Pages builds delayed");
        assert_eq!(hits[0].snippet.highlights, vec![13..20]);
    }

    #[test]
    fn filters_narrow_by_vendor_date_and_severity() {
        let (_store, index) = setup();
        let by_vendor = SearchQuery {
            vendor: Some("slack".into()),
            ..query("outage")
        };
        assert_eq!(
            ids(&index.search(&by_vendor).expect("vendor")),
            ["slack:msg"]
        );
        let by_date = SearchQuery {
            since: Some(t("2024-02-01T00:00:00Z")),
            until: Some(t("2024-03-01T10:00:00Z")),
            ..query("")
        };
        assert_eq!(
            ids(&index.search(&by_date).expect("date")),
            ["github:pages"]
        );
        let by_severity = SearchQuery {
            severity: Some(Severity::Major),
            ..query("outage")
        };
        assert_eq!(
            ids(&index.search(&by_severity).expect("severity")),
            ["github:runners"]
        );
    }

    #[test]
    fn empty_text_lists_newest_first_with_plain_snippets() {
        let (_store, index) = setup();
        let hits = index.search(&query("  ")).expect("search");
        assert_eq!(ids(&hits), ["github:runners", "github:pages", "slack:msg"]);
        assert_eq!(hits[1].score, 0.0);
        assert_eq!(hits[1].snippet.text, "Builds are queued.\nPages");
        assert!(hits[1].snippet.highlights.is_empty());
    }

    #[test]
    fn limit_zero_returns_nothing() {
        let (_store, index) = setup();
        let none = SearchQuery {
            limit: 0,
            ..query("outage")
        };
        assert_eq!(index.search(&none).expect("search"), vec![]);
        let one = SearchQuery {
            limit: 1,
            ..query("outage")
        };
        assert_eq!(index.search(&one).expect("search").len(), 1);
    }

    #[test]
    fn malformed_query_does_not_error() {
        let (_store, index) = setup();
        index.search(&query("((( AND")).expect("lenient parse");
        let hits = index.search(&query("outage AND (")).expect("lenient parse");
        assert!(ids(&hits).contains(&"github:runners"), "{hits:?}");
    }

    /// Runs a search on a thread with a tokio worker's stack size: the parser must fit in it.
    fn search_on_small_stack(index: &SearchIndex, text: &str) -> Result<Vec<Hit>, IndexError> {
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(2 * 1024 * 1024)
                .spawn_scoped(scope, || index.search(&query(text)))
                .expect("spawn")
                .join()
                .expect("no stack overflow")
        })
    }

    #[test]
    fn deeply_nested_query_neither_errors_nor_overflows_the_stack() {
        let (_store, index) = setup();
        let parens = format!(
            "{}outage{}\u{1b}[2J",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        let hits = search_on_small_stack(&index, &parens).expect("nested parentheses");
        assert_eq!(ids(&hits), ["github:runners", "slack:msg"]);
        for hostile in ["NOT ", "NOT(", "(NOT ", "NOT(a OR "] {
            let text = format!("{}outage", hostile.repeat(10_000));
            search_on_small_stack(&index, &text).expect(hostile);
        }
    }

    #[test]
    fn defused_query_keeps_ordinary_syntax() {
        assert_eq!(
            defuse_query("(aws OR gcp) AND NOT s3\t\"us-east-1\""),
            "(aws OR gcp) AND NOT s3 \"us-east-1\""
        );
        let nots = defuse_query(&"NOT ".repeat(40));
        assert_eq!(nots.split(' ').count(), MAX_QUERY_DEPTH);
    }

    #[test]
    fn sync_after_crash_indexes_the_gap_without_duplicates() {
        let (mut store, mut index) = setup();
        // Three incidents, then their three events.
        assert_eq!(index.indexed_rev(), 6);
        // The store commits, then the process dies before the index commit.
        let mut resolved = incident("runners", "2024-03-01T10:00:00Z");
        resolved.status = crate::model::Status::Resolved;
        resolved.updates = vec![update(
            "2024-03-01T11:00:00Z",
            "resolved",
            "Runners recovered.",
        )];
        let fresh = incident("fresh", "2024-03-05T10:00:00Z");
        store
            .upsert_incidents(&[resolved, fresh], t("2024-03-05T11:00:00Z"))
            .expect("upsert");
        crate::merge::merge_pending(&mut store, t("2024-03-05T11:00:00Z")).expect("merge");
        assert!(index.search(&query("recovered")).expect("stale").is_empty());
        // GitHub's events are rewritten by its merge (runners, pages and the fresh one).
        assert_eq!(index.sync(&store).expect("heal"), 3);
        assert_eq!(index.indexed_rev(), store.current_rev().expect("rev"));
        assert_eq!(index.num_docs(), 4);
        assert_eq!(
            ids(&index.search(&query("recovered")).expect("healed")),
            ["github:runners"]
        );
        assert_eq!(index.sync(&store).expect("nothing left"), 0);
    }

    #[test]
    fn index_ahead_of_a_replaced_store_is_rebuilt() {
        let (_store, mut index) = setup();
        let mut replaced = Store::open_in_memory().expect("store");
        replaced
            .upsert_incidents(
                &[incident("only", "2024-03-01T10:00:00Z")],
                t("2024-03-02T00:00:00Z"),
            )
            .expect("upsert");
        crate::merge::merge_pending(&mut replaced, t("2024-03-02T00:00:00Z")).expect("merge");
        assert_eq!(index.sync(&replaced).expect("rebuild"), 1);
        assert_eq!(index.num_docs(), 1);
        // The incident, then its event.
        assert_eq!(index.indexed_rev(), 2);
    }

    #[test]
    fn indexed_vendors_are_the_stores_names_and_counts() {
        let (store, index) = setup();
        let indexed: Vec<(String, usize)> = index
            .vendors()
            .expect("indexed vendors")
            .into_iter()
            .map(|v| (v.name, v.incidents))
            .collect();
        assert_eq!(
            indexed,
            [("GitHub".to_string(), 2), ("Slack".to_string(), 1)]
        );
        let stored: Vec<(String, usize)> = store
            .vendors()
            .expect("stored vendors")
            .into_iter()
            .map(|v| (v.name, v.incidents))
            .collect();
        assert_eq!(indexed, stored);
    }

    #[test]
    fn dates_beyond_tantivy_range_saturate() {
        assert_eq!(
            tantivy_date(t("9999-12-31T00:00:00Z")),
            tantivy::DateTime::MAX
        );
        assert_eq!(
            tantivy_date(t("1000-01-01T00:00:00Z")),
            tantivy::DateTime::MIN
        );
        assert_eq!(
            tantivy_date(t("2024-03-01T10:00:00Z")),
            tantivy::DateTime::from_timestamp_secs(1_709_287_200)
        );
    }
}
