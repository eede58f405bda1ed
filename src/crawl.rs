//! The only module that knows the whole pipeline: sources -> fetch -> parse -> store -> index.
//!
//! Fetching runs concurrently (one `buffer_unordered` stage; per-host limits live in the
//! fetcher); parsing runs on the blocking pool; one writer thread owns the SQLite connection and
//! the index writer and applies results as they arrive. A failing source is recorded on the
//! source and counted, never fatal: the exit status is decided once, from the [`CrawlReport`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use futures::StreamExt;
use thiserror::Error;
use tokio::sync::mpsc;

use crate::fetch::{FetchError, FetchOutcome, Fetcher, Validators};
use crate::index::{IndexError, SearchIndex};
use crate::model::{Format, Incident, ReportKind};
use crate::parse::{self, ParseContext, Parsed};
use crate::press_crawl::{PageOutcome, PressConfig, PressCrawler, PressOutcome};
use crate::sources::Source;
use crate::store::{FetchRecord, FetchedBody, Store, StoreError, UpsertCounts};

/// Where a run's data lives: the SQLite store (the truth) and the derived index.
#[derive(Debug, Clone)]
pub struct DataPaths {
    pub store: PathBuf,
    pub index: PathBuf,
}

impl DataPaths {
    /// With `--data-dir DIR`: `DIR/outages.sqlite` and `DIR/index`; without: `data/outages.sqlite`
    /// and `index/` in the working directory, as the project layout has them.
    pub fn new(data_dir: Option<&Path>) -> DataPaths {
        match data_dir {
            Some(dir) => DataPaths {
                store: dir.join("outages.sqlite"),
                index: dir.join("index"),
            },
            None => DataPaths {
                store: PathBuf::from("data/outages.sqlite"),
                index: PathBuf::from("index"),
            },
        }
    }
}

/// Why a crawl or an ingest could not go on at all (a single source failing is not one).
#[derive(Debug, Error)]
pub enum CrawlError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Merge(#[from] crate::merge::MergeError),
    #[error("the writer thread stopped unexpectedly")]
    WriterGone,
}

/// One source that failed, with the reason.
#[derive(Debug, Clone)]
pub struct SourceFailure {
    pub url: String,
    pub vendor: Option<String>,
    pub class: String,
    pub message: String,
}

/// What a crawl or an ingest did, for the summary and the exit status.
#[derive(Debug, Clone, Default)]
pub struct CrawlReport {
    /// Sources fetched and parsed.
    pub ok: usize,
    /// Sources that answered 304 Not Modified.
    pub not_modified: usize,
    pub failures: Vec<SourceFailure>,
    pub incidents: UpsertCounts,
    /// Documents indexed into tantivy at the end of the run.
    pub indexed: usize,
}

impl CrawlReport {
    pub fn attempted(&self) -> usize {
        self.ok + self.not_modified + self.failures.len()
    }

    /// Every source failed: nothing was learnt, the run is a failure.
    pub fn all_failed(&self) -> bool {
        self.attempted() > 0 && self.failures.len() == self.attempted()
    }
}

/// Progress callbacks, so the command can draw a bar on a terminal and log lines otherwise.
pub trait Progress: Send + Sync {
    fn start(&self, total: usize);
    fn source_done(&self, url: &str, outcome: &str);
}

/// Progress that reports nothing (tests, `--quiet`).
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _total: usize) {}
    fn source_done(&self, _url: &str, _outcome: &str) {}
}

/// What the fetch stage hands the writer for one source.
enum Fetchd {
    Parsed {
        source: Source,
        fetched: crate::fetch::Fetched,
        parsed: Result<Parsed, parse::ParseError>,
    },
    NotModified {
        source: Source,
        validators: Validators,
    },
    Failed {
        source: Source,
        error: FetchError,
    },
}

/// Crawls `sources` into the store at `paths`, then brings the index up to date.
pub async fn crawl(
    sources: Vec<Source>,
    fetcher: &Fetcher,
    paths: &DataPaths,
    concurrency: usize,
    force: bool,
    progress: &dyn Progress,
) -> Result<CrawlReport, CrawlError> {
    let press = PressConfig::default();
    crawl_with(sources, fetcher, paths, concurrency, force, progress, press).await
}

/// [`crawl`] with the press crawl's politeness settings given (tests and the demo use a shorter
/// per-host delay).
pub async fn crawl_with(
    sources: Vec<Source>,
    fetcher: &Fetcher,
    paths: &DataPaths,
    concurrency: usize,
    force: bool,
    progress: &dyn Progress,
    press: PressConfig,
) -> Result<CrawlReport, CrawlError> {
    let store = Store::open(&paths.store)?;
    // Validators are read up front so the writer thread alone owns the connection afterwards.
    let mut jobs = Vec::with_capacity(sources.len());
    for source in sources {
        let validators = if force {
            Validators::default()
        } else {
            store
                .source(&source.url)?
                .map(|s| Validators {
                    etag: s.etag,
                    last_modified: s.last_modified,
                })
                .unwrap_or_default()
        };
        jobs.push((source, validators));
    }
    // Article pages seen in earlier runs, for conditional GETs from the press crawl.
    let known_pages: HashMap<String, Validators> = if force {
        HashMap::new()
    } else {
        store
            .sources()?
            .into_iter()
            .filter(|s| s.role == Some(ReportKind::Press))
            .map(|s| (s.url.clone(), s.validators()))
            .collect()
    };
    let press = PressCrawler::new(fetcher, press, known_pages);
    progress.start(jobs.len());

    let (tx, rx) = mpsc::channel::<Fetchd>(32);
    let index_dir = paths.index.clone();
    let writer = std::thread::spawn(move || write_results(store, &index_dir, rx));

    // The one concurrent stage: up to `concurrency` fetches in flight.
    let mut stream = futures::stream::iter(jobs)
        .map(|(source, validators)| fetch_source(fetcher, &press, source, validators))
        .buffer_unordered(concurrency.max(1));
    while let Some((result, articles)) = stream.next().await {
        let (url, outcome) = match &result {
            Fetchd::Parsed { source, .. } if source.role == ReportKind::Press => (
                source.url.clone(),
                format!("{} articles fetched", articles.len()),
            ),
            Fetchd::Parsed { source, parsed, .. } => (
                source.url.clone(),
                match parsed {
                    Ok(p) => format!("{} incidents", p.incidents.len()),
                    Err(e) => format!("parse error: {e}"),
                },
            ),
            Fetchd::NotModified { source, .. } => (source.url.clone(), "not modified".into()),
            Fetchd::Failed { source, error } => (source.url.clone(), error.to_string()),
        };
        progress.source_done(&url, &outcome);
        if tx.send(result).await.is_err() {
            break;
        }
        for article in articles {
            if tx.send(article).await.is_err() {
                break;
            }
        }
    }
    drop(tx);
    writer.join().map_err(|_| CrawlError::WriterGone)?
}

/// Fetches one source: a status document, or a press source with the articles it led to.
async fn fetch_source(
    fetcher: &Fetcher,
    press: &PressCrawler<'_>,
    source: Source,
    validators: Validators,
) -> (Fetchd, Vec<Fetchd>) {
    if source.role != ReportKind::Press {
        return (
            fetch_and_parse(fetcher, source, validators).await,
            Vec::new(),
        );
    }
    let PressOutcome {
        source: own,
        articles,
        ..
    } = press.crawl_source(&source, &validators).await;
    let article_source = |url: String| Source {
        vendor: None,
        url,
        kind: None,
        role: ReportKind::Press,
        allow_private: source.allow_private,
    };
    let articles = articles
        .into_iter()
        .filter_map(|page| press_fetchd(article_source(page.url), page.outcome))
        .collect();
    let own = press_fetchd(source.clone(), own.outcome).unwrap_or_else(|| Fetchd::Failed {
        error: FetchError::Blocked {
            url: source.url.clone(),
            reason: "disallowed by the host's robots.txt".into(),
        },
        source,
    });
    (own, articles)
}

/// A press page's outcome as the writer takes it; a page robots.txt kept us from is nothing to
/// record.
fn press_fetchd(source: Source, outcome: PageOutcome) -> Option<Fetchd> {
    match outcome {
        PageOutcome::Fetched { fetched, parsed } => Some(Fetchd::Parsed {
            source,
            fetched,
            parsed,
        }),
        PageOutcome::NotModified { validators } => Some(Fetchd::NotModified { source, validators }),
        PageOutcome::Failed(error) => Some(Fetchd::Failed { source, error }),
        PageOutcome::Disallowed => None,
    }
}

async fn fetch_and_parse(fetcher: &Fetcher, source: Source, validators: Validators) -> Fetchd {
    match fetcher
        .get(&source.url, &validators, source.allow_private)
        .await
    {
        Err(error) => Fetchd::Failed { source, error },
        Ok(FetchOutcome::NotModified { validators }) => Fetchd::NotModified { source, validators },
        Ok(FetchOutcome::Fetched(fetched)) => {
            let ctx = ParseContext {
                url: Some(source.url.clone()),
                vendor: source.vendor.clone(),
                published: None,
                format: source.kind,
            };
            let body = fetched.body.clone();
            let role = source.role;
            let parsed = tokio::task::spawn_blocking(move || parse_source(&body, &ctx, role))
                .await
                .unwrap_or_else(|e| {
                    Err(parse::ParseError::Unrecognised(format!(
                        "parser crashed: {e}"
                    )))
                });
            Fetchd::Parsed {
                source,
                fetched,
                parsed,
            }
        }
    }
}

/// Parses a fetched body. A status source that answers with a web page (an error page, a
/// captive portal, a login wall) is an error, never an article with no outage in it: an
/// unreadable status feed must not read as "all clear".
fn parse_source(
    body: &[u8],
    ctx: &ParseContext,
    role: crate::model::ReportKind,
) -> Result<Parsed, parse::ParseError> {
    let format = ctx.format.or_else(|| parse::detect(body));
    if role == crate::model::ReportKind::Status
        && matches!(format, Some(Format::Article | Format::Text))
    {
        return Err(parse::ParseError::Unrecognised(
            "an HTML page where a status feed or API response was expected".into(),
        ));
    }
    parse::parse(
        body,
        &ParseContext {
            format,
            ..ctx.clone()
        },
    )
}

/// The writer: applies each source's result in its own transaction, then syncs the index.
fn write_results(
    mut store: Store,
    index_dir: &Path,
    mut rx: mpsc::Receiver<Fetchd>,
) -> Result<CrawlReport, CrawlError> {
    let mut report = CrawlReport::default();
    while let Some(msg) = rx.blocking_recv() {
        let now = Utc::now();
        match msg {
            Fetchd::Failed { source, error } => {
                store.record_failure(
                    &source.url,
                    source.vendor.as_deref(),
                    now,
                    error.class(),
                    &error.to_string(),
                )?;
                report.failures.push(SourceFailure {
                    url: source.url,
                    vendor: source.vendor,
                    class: error.class().into(),
                    message: error.to_string(),
                });
            }
            Fetchd::NotModified { source, validators } => {
                store.record_fetch(&FetchRecord {
                    url: source.url.clone(),
                    vendor: source.vendor.clone(),
                    kind: source.kind,
                    role: source.role,
                    fetched_at: now,
                    http_status: 304,
                    validators,
                    body: None,
                })?;
                report.not_modified += 1;
            }
            Fetchd::Parsed {
                source,
                fetched,
                parsed,
            } => {
                let format = parsed.as_ref().ok().map(|p| p.format);
                let ok = parsed.is_ok();
                // The raw body is kept even when it does not parse, so extraction can be re-run
                // once the parser learns the format; its validators are not, so the next crawl
                // fetches it again instead of getting a 304 for a document we never read.
                store.record_fetch(&FetchRecord {
                    url: source.url.clone(),
                    vendor: source.vendor.clone(),
                    kind: source.kind,
                    role: source.role,
                    fetched_at: now,
                    http_status: fetched.status,
                    validators: if ok {
                        fetched.validators
                    } else {
                        Validators::default()
                    },
                    body: Some(FetchedBody {
                        bytes: fetched.body,
                        content_type: fetched.content_type,
                        format,
                    }),
                })?;
                match parsed {
                    Ok(parsed) => {
                        let counts = store.upsert_incidents(&parsed.incidents, now)?;
                        add_counts(&mut report.incidents, &counts);
                        if let Some((oldest, newest)) = window(&parsed.incidents) {
                            store.record_items_window(&source.url, Some(oldest), Some(newest))?;
                        }
                        crate::merge::record_listing(
                            &mut store,
                            &source.url,
                            &parsed.incidents,
                            now,
                        )?;
                        report.ok += 1;
                    }
                    Err(e) => {
                        let message = format!("{}: {e}", source.url);
                        store.record_failure(
                            &source.url,
                            source.vendor.as_deref(),
                            now,
                            "parse",
                            &message,
                        )?;
                        report.failures.push(SourceFailure {
                            url: source.url,
                            vendor: source.vendor,
                            class: "parse".into(),
                            message,
                        });
                    }
                }
            }
        }
    }
    crate::merge::merge_pending(&mut store, Utc::now())?;
    let mut index = SearchIndex::open(index_dir)?;
    report.indexed = index.sync(&store)?;
    Ok(report)
}

/// The oldest and newest incident start a document covers: how far back its history reaches.
fn window(incidents: &[Incident]) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let starts = incidents.iter().filter_map(|i| i.start);
    let oldest = starts.clone().min()?;
    let newest = starts.max()?;
    Some((oldest, newest))
}

/// Reads local files or folders (recursively) through the same parse -> store -> index path as
/// a crawl: how users import archives. A file that does not parse is reported and skipped.
pub fn ingest(
    inputs: &[PathBuf],
    paths: &DataPaths,
    format: Option<crate::model::Format>,
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
            format,
            ..ParseContext::default()
        };
        match parse::parse(&bytes, &ctx) {
            Ok(parsed) => {
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

fn add_counts(total: &mut UpsertCounts, more: &UpsertCounts) {
    total.new += more.new;
    total.updated += more.updated;
    total.unchanged += more.unchanged;
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
