//! `search`, `timeline` and `reindex`: the read side.

use anyhow::{Context, Result};

use super::{Exit, print};
use crate::cli::{FilterArgs, SearchArgs, TimelineArgs};
use crate::crawl::DataPaths;
use crate::index::{SearchIndex, SearchQuery};
use crate::query;
use crate::store::{IncidentFilter, Store};

pub fn search(paths: &DataPaths, args: &SearchArgs) -> Result<Exit> {
    let store = open_store(paths)?;
    let index = open_index(paths, &store)?;
    let q = SearchQuery {
        text: args.query.join(" "),
        vendor: args.filters.vendor.clone(),
        since: args.filters.since,
        until: args.filters.until,
        severity: None,
        limit: args.limit,
    };
    let results = query::search(&store, &index, &q)?;
    if args.filters.json {
        print::search_json(&results)?;
    } else {
        print::search_results(&results)?;
    }
    Ok(Exit::Ok)
}

pub fn timeline(paths: &DataPaths, args: &TimelineArgs) -> Result<Exit> {
    let store = open_store(paths)?;
    let events = query::timeline(&store, &filter(&args.filters, args.limit))?;
    if args.filters.json {
        print::json(&events)?;
    } else {
        print::timeline(&events)?;
    }
    Ok(Exit::Ok)
}

pub fn reindex(paths: &DataPaths) -> Result<Exit> {
    let store = open_store(paths)?;
    let mut index = SearchIndex::open(&paths.index)?;
    let n = index.rebuild(&store)?;
    println!("indexed {n} incidents into {}", paths.index.display());
    Ok(Exit::Ok)
}

fn filter(args: &FilterArgs, limit: usize) -> IncidentFilter {
    IncidentFilter {
        vendor: args.vendor.clone(),
        since: args.since,
        until: args.until,
        severity: None,
        limit: Some(limit),
    }
}

fn open_store(paths: &DataPaths) -> Result<Store> {
    if !paths.store.exists() {
        anyhow::bail!(
            "no store at {}: run `outages demo` or `outages crawl` first (or pass --data-dir)",
            paths.store.display()
        );
    }
    Store::open(&paths.store).with_context(|| format!("opening {}", paths.store.display()))
}

/// Opens the index and heals any gap left by an interrupted run (the store is ahead of it).
/// While another process holds the index writer, the index is searched as it is.
fn open_index(paths: &DataPaths, store: &Store) -> Result<SearchIndex> {
    let mut index = SearchIndex::open(&paths.index)?;
    if index.indexed_rev() < store.current_rev()?
        && let Err(e) = index.sync(store)
    {
        tracing::warn!(error = %e, "index is behind the store and could not be updated now");
    }
    Ok(index)
}
