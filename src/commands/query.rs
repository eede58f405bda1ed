//! `search`, `timeline` and `reindex`: the read side.

use anyhow::{Context, Result};
use chrono::Utc;

use super::{Exit, print};
use crate::cli::{FilterArgs, SearchArgs, SortArg, TimelineArgs};
use crate::crawl::DataPaths;
use crate::index::SearchIndex;
use crate::query::{self, Sort};
use crate::search_syntax;
use crate::store::{IncidentFilter, Store};

pub fn search(paths: &DataPaths, args: &SearchArgs) -> Result<Exit> {
    let store = open_store(paths)?;
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
        print::search_json(&found.results)?;
    } else {
        print::search_results(&found)?;
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

pub(super) fn open_store(paths: &DataPaths) -> Result<Store> {
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
pub(super) fn open_index(paths: &DataPaths, store: &Store) -> Result<SearchIndex> {
    let mut index = SearchIndex::open(&paths.index)?;
    if index.indexed_rev() < store.current_rev()?
        && let Err(e) = index.sync(store)
    {
        tracing::warn!(error = %e, "index is behind the store and could not be updated now");
    }
    Ok(index)
}
