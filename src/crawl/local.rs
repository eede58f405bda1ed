//! Local inputs through the crawl's own path: `ingest` reads files or folders a user hands us,
//! `reparse` re-reads every stored body after a parser change. Both end as a crawl does: merge,
//! then index.

use std::path::{Path, PathBuf};

use chrono::Utc;

use super::{
    CrawlError, CrawlReport, DataPaths, Progress, SourceFailure, add_counts, defang,
    drop_impossible_future, parse_source, split_duplicate_ids,
};
use crate::index::SearchIndex;
use crate::model::Format;
use crate::parse::{self, ParseContext};
use crate::store::Store;
/// Reads local files or folders (recursively) through the same parse -> store -> index path as
/// a crawl: how users import archives. A file that does not parse is reported and skipped.
pub fn ingest(
    inputs: &[PathBuf],
    paths: &DataPaths,
    format: Option<Format>,
    progress: &dyn Progress,
) -> Result<CrawlReport, CrawlError> {
    let mut files = Vec::new();
    for input in inputs {
        collect_files(input, &mut files);
    }
    progress.start(files.len());
    let mut store = Store::open(&paths.store)?;
    let mut report = CrawlReport::default();
    for file in files {
        let name = file.display().to_string();
        let bytes = match std::fs::read(&file) {
            Ok(b) => b,
            Err(e) => {
                progress.source_done(&name, &format!("cannot read: {e}"));
                report.failures.push(SourceFailure {
                    url: name.clone(),
                    vendor: None,
                    class: "io".into(),
                    message: format!("{name}: cannot read: {e}"),
                });
                continue;
            }
        };
        let ctx = ParseContext {
            format: format.or_else(|| parse::detect_local(&bytes)),
            ..ParseContext::default()
        };
        // A README, YAML or CSV file is no feed and no article: skipped with its reason, never
        // read as a press report (`--kind text` asks for that).
        if ctx.format.is_none() {
            if let Some(reason) = parse::not_prose(&bytes) {
                progress.source_done(&name, &format!("skipped: {reason}"));
                continue;
            }
        }
        let prose = matches!(ctx.format, Some(Format::Text | Format::Article));
        match parse::parse(&bytes, &ctx) {
            Ok(parsed) if prose && parsed.incidents.is_empty() => {
                progress.source_done(&name, "no outage found");
                report.ok += 1;
            }
            Ok(mut parsed) => {
                defang(&mut parsed.incidents);
                drop_impossible_future(&mut parsed.incidents, Utc::now());
                split_duplicate_ids(&mut parsed.incidents);
                let counts = store.upsert_incidents(&parsed.incidents, Utc::now())?;
                progress.source_done(&name, &format!("{} incidents", parsed.incidents.len()));
                add_counts(&mut report.incidents, &counts);
                report.ok += 1;
            }
            Err(e) => {
                progress.source_done(&name, &format!("parse error: {e}"));
                report.failures.push(SourceFailure {
                    url: name.clone(),
                    vendor: None,
                    class: "parse".into(),
                    message: format!("{name}: {e}"),
                });
            }
        }
    }
    crate::merge::merge_pending(&mut store, Utc::now())?;
    let mut index = SearchIndex::open(&paths.index)?;
    report.indexed = index.sync(&store)?;
    Ok(report)
}

/// Files under `path` in a stable (sorted) order; a missing path becomes a failed entry later
/// when it cannot be read.
fn collect_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            out.push(path.to_path_buf());
            return;
        };
        let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        children.sort();
        for child in children {
            let hidden = child
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if !hidden {
                collect_files(&child, out);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
}

/// Runs extraction again over the latest raw body stored for every source, as a crawl would
/// have parsed it (same vendor, kind and role), without fetching: how a parser improvement
/// reaches data fetched before it, including bodies that did not parse then.
pub fn reparse(paths: &DataPaths, progress: &dyn Progress) -> Result<CrawlReport, CrawlError> {
    let mut store = Store::open(&paths.store)?;
    let bodies = store.latest_bodies()?;
    progress.start(bodies.len());
    let mut report = CrawlReport::default();
    for body in bodies {
        let state = store.source(&body.url)?;
        let vendor = state.as_ref().and_then(|s| s.vendor.clone());
        let kind = state.as_ref().and_then(|s| s.kind);
        let role = state
            .as_ref()
            .and_then(|s| s.role)
            .unwrap_or(crate::model::ReportKind::Status);
        let ctx = ParseContext {
            url: Some(body.url.clone()),
            vendor: vendor.clone(),
            published: None,
            format: kind,
        };
        match parse_source(&body.bytes, &ctx, role) {
            Ok(parsed) => {
                let counts = store.upsert_incidents(&parsed.incidents, Utc::now())?;
                progress.source_done(&body.url, &format!("{} incidents", parsed.incidents.len()));
                add_counts(&mut report.incidents, &counts);
                report.ok += 1;
            }
            Err(e) => {
                progress.source_done(&body.url, &format!("parse error: {e}"));
                report.failures.push(SourceFailure {
                    url: body.url.clone(),
                    vendor,
                    class: "parse".into(),
                    message: format!("{}: {e}", body.url),
                });
            }
        }
    }
    crate::merge::merge_pending(&mut store, Utc::now())?;
    let mut index = SearchIndex::open(&paths.index)?;
    report.indexed = index.sync(&store)?;
    Ok(report)
}
