//! The indexing and search peer: SQLite FTS5 (compiled into rusqlite's bundled SQLite) over the
//! same events and the same text ours indexes (title, body, vendor), with the Porter stemmer
//! like our `en_stem`, ranked by its BM25 `rank`, top 10 with a snippet.

use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use rusqlite::{Connection, params};
use serde_json::{Value, json};

use outages::index::body_text;
use outages::model::Incident;
use outages::store::{ChangedEvent, ChangedIncident, Store};

use crate::stages::{latency_report, load_queries, size_dir};

/// Rows per transaction, as a bulk loader would commit.
const BATCH: usize = 10_000;

const SCHEMA: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
    CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
        id UNINDEXED, vendor, severity UNINDEXED, title, body,
        tokenize = 'porter unicode61');";

/// Creates the FTS5 database at `path` holding `events`; returns the rows written.
pub fn build(path: &Path, events: &[Incident]) -> Result<usize> {
    let mut conn = Connection::open(path)?;
    conn.execute_batch(SCHEMA)?;
    for chunk in events.chunks(BATCH) {
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO fts (id, vendor, severity, title, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for e in chunk {
                insert.execute(params![
                    e.id,
                    e.vendor,
                    e.severity.as_str(),
                    e.title,
                    body_text(e)
                ])?;
            }
        }
        tx.commit()?;
    }
    Ok(events.len())
}

/// Indexing time of FTS5 over the events of the prepared store (read before timing).
pub fn index(work: &Path, events: usize) -> Result<Value> {
    let dir = size_dir(work, events);
    let store = Store::open(&dir.join("store.sqlite"))?;
    let all: Vec<Incident> = store_rows_in_memory(&store, events)?
        .into_iter()
        .map(|c| c.incident)
        .collect();
    let path = dir.join(format!("scratch-fts-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let started = Instant::now();
    let docs = build(&path, &all)?;
    let seconds = started.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Ok(
        json!({"docs": docs, "seconds": seconds, "docs_per_s": docs as f64 / seconds, "bytes": bytes}),
    )
}

/// Every incident of the store, as a rebuild reads them.
pub fn store_rows_in_memory(store: &Store, events: usize) -> Result<Vec<ChangedIncident>> {
    let mut all = Vec::with_capacity(events);
    let mut rev = 0;
    loop {
        let batch = store.changed_since(rev, 10_000)?;
        let Some(last) = batch.last() else { break };
        rev = last.rev;
        all.extend(batch);
    }
    Ok(all)
}

/// Every event of the store, as our index's rebuild reads them.
pub fn store_events_in_memory(store: &Store, events: usize) -> Result<Vec<ChangedEvent>> {
    let mut all = Vec::with_capacity(events);
    let mut rev = 0;
    loop {
        let batch = store.changed_events_since(rev, 10_000)?;
        let Some(last) = batch.last() else { break };
        rev = last.rev;
        all.extend(batch);
    }
    Ok(all)
}

/// The prepared query set against the prepared FTS5 database.
pub fn search(work: &Path, events: usize) -> Result<Value> {
    let dir = size_dir(work, events);
    let conn = Connection::open(dir.join("fts.sqlite"))?;
    let queries = load_queries(work, events)?;
    let mut hits = 0usize;
    let mut run = |q: &crate::stages::BenchQuery| -> Result<f64> {
        let started = Instant::now();
        let mut sql = String::from(
            "SELECT id, snippet(fts, 4, '[', ']', '…', 16) FROM fts WHERE fts MATCH ?1",
        );
        let mut args: Vec<String> = vec![q.fts_match.clone()];
        if let Some(v) = &q.vendor {
            sql.push_str(" AND vendor = ?2");
            args.push(v.clone());
        } else if let Some(s) = &q.severity {
            sql.push_str(" AND severity = ?2");
            args.push(s.clone());
        }
        sql.push_str(" ORDER BY rank LIMIT 10");
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        for row in rows {
            row?;
            hits += 1;
        }
        Ok(started.elapsed().as_secs_f64() * 1000.0)
    };
    for q in queries.iter().take(50) {
        run(q)?;
    }
    let mut samples = Vec::with_capacity(queries.len());
    for q in &queries {
        samples.push((run(q)?, q.ours.clone()));
    }
    let mut out = latency_report(samples);
    out["hits"] = json!(hits);
    Ok(out)
}
