//! `search`, `timeline` and `reindex`: the read side.

use anyhow::{Context, Result};
use chrono::Utc;

use super::{Exit, print};
use crate::cli::{SearchArgs, SortArg, TimelineArgs};
use crate::crawl::DataPaths;
use crate::index::{Healed, SearchIndex};
use crate::merge;
use crate::query::{self, Sort};
use crate::search_syntax;
use crate::store::Store;
use serde::Serialize;

pub fn search(paths: &DataPaths, args: &SearchArgs) -> Result<Exit> {
    let store = open_reader(paths)?;
    let index = open_index(paths, &store)?;
    let mut req = search_syntax::parse(&args.query.join(" "))?;
    for branch in req.branches_mut() {
        if let Some(v) = &args.filters.vendor {
            branch.vendors.push(v.clone());
        }
        branch.after = branch.after.or(args.filters.since);
        branch.before = branch.before.or(args.filters.until);
    }
    let sort = match args.sort {
        SortArg::Best => Sort::Best,
        SortArg::Relevance => Sort::Relevance,
        SortArg::Time => Sort::Time,
    };
    let page = query::Page {
        offset: args.offset,
        limit: args.limit,
    };
    let found = query::find(&store, &index, &req, page, sort, Utc::now())?;
    for (asked, used) in &found.corrected {
        eprintln!("vendor {asked:?} read as {used:?}");
    }
    if args.filters.json {
        print::json(&search_events(&found))?;
        print::showing_note(page, found.results.len(), found.total);
    } else {
        print::search_results(&found, page)?;
    }
    Ok(Exit::Ok)
}

/// Merged events, newest first: one row per outage, however many incidents and reports
/// describe it, read through the same path as `search`, the API and the pages.
pub fn timeline(paths: &DataPaths, args: &TimelineArgs) -> Result<Exit> {
    let store = open_reader(paths)?;
    let index = open_index(paths, &store)?;
    let req = search_syntax::SearchRequest {
        vendors: args.filters.vendor.iter().cloned().collect(),
        after: args.filters.since,
        before: args.filters.until,
        ..search_syntax::SearchRequest::default()
    };
    let page = query::Page {
        offset: args.offset,
        limit: args.limit,
    };
    let found = query::find(&store, &index, &req, page, Sort::Time, Utc::now())?;
    for (asked, used) in &found.corrected {
        eprintln!("vendor {asked:?} read as {used:?}");
    }
    let events: Vec<&merge::MergedEvent> = found.results.iter().map(|r| &r.event).collect();
    if args.filters.json {
        print::json(&events)?;
        print::showing_note(page, events.len(), found.total);
    } else {
        let contracts: Vec<_> = events.iter().map(|e| e.contract()).collect();
        print::timeline(&contracts)?;
        if !events.is_empty() {
            println!(
                "{}",
                print::showing(page, events.len(), found.total, "events")
            );
        }
    }
    Ok(Exit::Ok)
}

#[derive(Serialize)]
struct SearchEventJson<'a> {
    #[serde(flatten)]
    event: &'a merge::MergedEvent,
    score: f32,
    snippet: &'a str,
}

/// Search hits (merged events, best first) with their score and snippet.
fn search_events(found: &query::Found) -> Vec<SearchEventJson<'_>> {
    found
        .results
        .iter()
        .map(|r| SearchEventJson {
            event: &r.event,
            score: r.score,
            snippet: &r.snippet.text,
        })
        .collect()
}

pub fn reindex(paths: &DataPaths) -> Result<Exit> {
    // The index has one writer at a time: wait for a running crawl or ingest to finish.
    let _lock =
        crate::lock::WriterLock::for_index(&paths.lock_file(), Some(crate::lock::INDEX_PATIENCE))?;
    let store = open_reader(paths)?;
    let mut index = SearchIndex::open(&paths.index)?;
    let n = index.rebuild(&store)?;
    println!("indexed {n} events into {}", paths.index.display());
    Ok(Exit::Ok)
}

/// Opens the store for a command that writes it (`remerge`).
pub(super) fn open_store(paths: &DataPaths) -> Result<Store> {
    require_store(paths)?;
    Store::open(&paths.store).with_context(|| format!("opening {}", paths.store.display()))
}

/// Opens the store for a command that only reads it: read-only, so a reader never writes,
/// works on a file it may not write to, and answers from the last commit while a crawl runs.
/// Merging belongs to the writers; work an interrupted writer left unmerged is reported, not
/// done here.
pub(super) fn open_reader(paths: &DataPaths) -> Result<Store> {
    require_store(paths)?;
    let store = Store::open_read_only(&paths.store)
        .with_context(|| format!("opening {} for reading", paths.store.display()))?;
    let pending = store.vendors_pending_merge()?;
    if !pending.is_empty() {
        eprintln!(
            "note: incidents of {} vendor(s) are not merged into events yet (a write was interrupted); the next `outages crawl`, `ingest` or `remerge` merges them",
            pending.len()
        );
    }
    Ok(store)
}

fn require_store(paths: &DataPaths) -> Result<()> {
    if !paths.store.exists() {
        anyhow::bail!(
            "no store at {}: run `outages demo` or `outages crawl` first (or pass --data-dir)",
            paths.store.display()
        );
    }
    Ok(())
}

/// Opens the index; a gap left by an interrupted run is healed only when no writer runs (a
/// running writer indexes it itself), so a reader never takes the index from a writer.
pub(super) fn open_index(paths: &DataPaths, store: &Store) -> Result<SearchIndex> {
    let mut index = SearchIndex::open(&paths.index)?;
    match index.heal(store, &paths.lock_file()) {
        Healed::UpToDate | Healed::Synced(_) => {}
        Healed::LeftToWriter { behind } => tracing::info!(
            behind,
            "index behind the store; the running writer brings it up to date"
        ),
        Healed::Failed(e) => {
            tracing::warn!(error = %e, "index is behind the store and could not be updated now");
        }
    }
    Ok(index)
}
