//! Local inputs through the crawl's own path: `ingest` reads files or folders a user hands us,
//! `reparse` re-reads every stored body after a parser change. Both end as a crawl does: merge,
//! then index.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{
    CrawlError, CrawlReport, DataPaths, Progress, SourceFailure, add_counts, defang,
    drop_impossible_times, parse_source, split_duplicate_ids,
};
use crate::index::SearchIndex;
use crate::model::{Format, Incident, ReportKind, Span};
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
    let mut entries = Vec::new();
    let mut origin = Vec::new();
    for (n, input) in inputs.iter().enumerate() {
        collect_files(input, true, &mut entries);
        origin.resize(entries.len(), n);
    }
    progress.start(entries.len());
    let mut store = Store::open(&paths.store)?;
    let mut report = CrawlReport::default();
    // What each input (an archive: a file or a folder) covers for each vendor: its own span.
    let mut covered: BTreeMap<(usize, String), Span> = BTreeMap::new();
    for (entry, input) in entries.into_iter().zip(origin) {
        let file = match entry {
            Entry::File(file) => file,
            Entry::Skipped(path, reason) => {
                progress.source_done(&path.display().to_string(), &format!("skipped: {reason}"));
                continue;
            }
        };
        let name = file.display().to_string();
        let bytes = match read_capped(&file, MAX_FILE_BYTES) {
            Ok(b) => b,
            Err((class, message)) => {
                progress.source_done(&name, &message);
                report.failures.push(SourceFailure {
                    url: name.clone(),
                    vendor: None,
                    class: class.into(),
                    message: format!("{name}: {message}"),
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
                drop_impossible_times(&mut parsed.incidents, Utc::now());
                split_duplicate_ids(&mut parsed.incidents);
                let counts = store.upsert_incidents(&parsed.incidents, Utc::now())?;
                for (vendor, span) in archive_spans(&parsed.incidents, Utc::now()) {
                    covered
                        .entry((input, vendor))
                        .and_modify(|c| {
                            c.from = c.from.min(span.from);
                            c.to = c.to.max(span.to);
                        })
                        .or_insert(span);
                }
                let repaired = parsed
                    .repaired
                    .as_ref()
                    .map_or(String::new(), |note| format!(" ({note})"));
                progress.source_done(
                    &name,
                    &format!("{} incidents{repaired}", parsed.incidents.len()),
                );
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
    for ((input, vendor), span) in covered {
        let source = format!("ingest {}", inputs[input].display());
        store.record_coverage(&source, &vendor, span)?;
    }
    crate::merge::merge_pending(&mut store, Utc::now())?;
    let mut index = SearchIndex::open(&paths.index)?;
    report.indexed = index.sync(&store)?;
    Ok(report)
}

/// Per vendor, the span of a document's status records (start to end, times after `now` left
/// out, so an announced maintenance does not stretch it into the future): what an archive
/// says it covers.
fn archive_spans(incidents: &[Incident], now: DateTime<Utc>) -> Vec<(String, Span)> {
    let mut out: Vec<(String, Span)> = Vec::new();
    for i in incidents {
        let status = i.sources.iter().any(|s| s.kind == ReportKind::Status);
        let Some(start) = i.start.filter(|s| *s <= now) else {
            continue;
        };
        if !status {
            continue;
        }
        let end = i.end.unwrap_or(start).clamp(start, now.max(start));
        match out
            .iter_mut()
            .find(|(v, _)| v.eq_ignore_ascii_case(&i.vendor))
        {
            Some((_, span)) => {
                span.from = span.from.min(start);
                span.to = span.to.max(end);
            }
            None => out.push((
                i.vendor.clone(),
                Span {
                    from: start,
                    to: end,
                },
            )),
        }
    }
    out
}

/// The largest file `ingest` reads: the crawler's cap on a response body, so a local file is
/// held to what a fetched one is (a 1 GB file or `/dev/zero` is never read into memory).
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What the walk over the inputs found.
enum Entry {
    File(PathBuf),
    /// Not read, with why: a symbolic link inside a folder, a FIFO, device or socket.
    Skipped(PathBuf, String),
}

/// Files under `path` in a stable (sorted) order. An input named on the command line is taken
/// as it is (a link the user names is followed); inside a folder no symbolic link is followed
/// (a link can loop, or lead out of the tree), and FIFOs, devices and sockets are skipped (a
/// FIFO would block the read, and the writer lock, forever). A missing path becomes a failed
/// entry when it cannot be read.
fn collect_files(path: &Path, named: bool, out: &mut Vec<Entry>) {
    let meta = if named {
        std::fs::metadata(path)
    } else {
        std::fs::symlink_metadata(path)
    };
    let Ok(meta) = meta else {
        out.push(Entry::File(path.to_path_buf()));
        return;
    };
    let kind = meta.file_type();
    if kind.is_symlink() {
        out.push(Entry::Skipped(
            path.to_path_buf(),
            "a symbolic link inside the folder (not followed)".into(),
        ));
    } else if kind.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            out.push(Entry::File(path.to_path_buf()));
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
                collect_files(&child, false, out);
            }
        }
    } else if kind.is_file() {
        out.push(Entry::File(path.to_path_buf()));
    } else {
        out.push(Entry::Skipped(
            path.to_path_buf(),
            "not a regular file (a FIFO, device or socket)".into(),
        ));
    }
}

/// The bytes of `file`, refused past `cap` bytes (checked before reading and while reading, for
/// a file that grows), with the failure's class and message.
fn read_capped(file: &Path, cap: u64) -> Result<Vec<u8>, (&'static str, String)> {
    use std::io::Read as _;
    let opened = std::fs::File::open(file).map_err(|e| ("io", format!("cannot read: {e}")))?;
    let too_large = || ("too_large", format!("larger than {cap} bytes: not read"));
    if opened.metadata().is_ok_and(|m| m.len() > cap) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    opened
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ("io", format!("cannot read: {e}")))?;
    if bytes.len() as u64 > cap {
        return Err(too_large());
    }
    Ok(bytes)
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
