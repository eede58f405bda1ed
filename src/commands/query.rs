//! `search`, `timeline` and `reindex`: the read side.

use anyhow::{Context, Result};
use chrono::Utc;

use super::{Exit, print};
use crate::cli::{SearchArgs, SortArg, TimelineArgs};
use crate::crawl::DataPaths;
use crate::index::SearchIndex;
use crate::merge;
use crate::query::{self, Sort};
use crate::search_syntax;
use crate::store::{EventFilter, Store};
use serde::Serialize;

pub fn search(paths: &DataPaths, args: &SearchArgs) -> Result<Exit> {
    let store = open_reader(paths)?;
    let index = open_index(paths, &store)?;
    let mut req = search_syntax::parse(&args.query.join(" "))?;
    if let Some(v) = &args.filters.vendor {
        req.vendors.push(v.clone());
    }
    req.after = req.after.or(args.filters.since);
    req.before = req.before.or(args.filters.until);
    let sort = match args.sort {
        SortArg::Best => Sort::Best,
        SortArg::Relevance => Sort::Relevance,
        SortArg::Time => Sort::Time,
    };
    let found = query::find(&store, &index, &req, args.limit, sort, Utc::now())?;
    for (asked, used) in &found.corrected {
        eprintln!("vendor {asked:?} read as {used:?}");
    }
    if args.filters.json {
        print::json(&search_events(&store, &found)?)?;
    } else {
        print::search_results(&found)?;
    }
    Ok(Exit::Ok)
}

/// Merged events: one row per outage, however many incidents and reports describe it.
pub fn timeline(paths: &DataPaths, args: &TimelineArgs) -> Result<Exit> {
    let store = open_reader(paths)?;
    let events = merge::events(
        &store,
        &EventFilter {
            vendor: args.filters.vendor.clone(),
            since: args.filters.since,
            until: args.filters.until,
            limit: Some(args.limit),
        },
    )?;
    if args.filters.json {
        print::json(&events)?;
    } else {
        let contracts: Vec<_> = events.iter().map(merge::MergedEvent::contract).collect();
        print::timeline(&contracts)?;
    }
    Ok(Exit::Ok)
}

#[derive(Serialize)]
struct SearchEventJson {
    #[serde(flatten)]
    event: merge::MergedEvent,
    score: f32,
    snippet: String,
}

/// Search hits as merged events, best first; an event hit through several of its incidents
/// appears once, at its best rank.
fn search_events(store: &Store, found: &query::Found) -> Result<Vec<SearchEventJson>> {
    let mut out: Vec<SearchEventJson> = Vec::new();
    for r in &found.results {
        let Some(event) = merge::event(store, &r.event.id)? else {
            continue;
        };
        if out.iter().any(|e| e.event.id == event.id) {
            continue;
        }
        out.push(SearchEventJson {
            event,
            score: r.score,
            snippet: r.snippet.text.clone(),
        });
    }
    Ok(out)
}

pub fn reindex(paths: &DataPaths) -> Result<Exit> {
    let store = open_reader(paths)?;
    let mut index = SearchIndex::open(&paths.index)?;
    let n = index.rebuild(&store)?;
    println!("indexed {n} incidents into {}", paths.index.display());
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

/// Opens the index and heals any gap left by an interrupted run (the store is ahead of it).
/// While another process holds the index writer, the index is searched as it is.
pub(super) fn open_index(paths: &DataPaths, store: &Store) -> Result<SearchIndex> {
    let mut index = SearchIndex::open(&paths.index)?;
    if index.indexed_rev() < store.current_rev()?
        && let Err(e) = index.sync(store)
    {
        tracing::warn!(error = %e, "index is behind the store and could not be updated now");
    }
    Ok(index)
}
