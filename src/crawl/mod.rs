//! The only module that knows the whole pipeline: sources -> fetch -> parse -> store -> index.
//!
//! Fetching runs concurrently (one `buffer_unordered` stage; per-host limits live in the
//! fetcher); parsing runs on the blocking pool; one writer thread owns the SQLite connection and
//! the index writer and applies results as they arrive. A failing source is recorded on the
//! source and counted, never fatal: the exit status is decided once, from the [`CrawlReport`].
//!
//! Each outcome also schedules the source's next attempt (see [`crate::schedule`]): a source in
//! backoff is skipped unless the crawl is forced, and a stop request (SIGTERM) ends the fetch
//! stage while the writer still commits and indexes everything already fetched.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::StreamExt;
use thiserror::Error;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TryRecvError;

use crate::fetch::{FetchError, FetchOutcome, Fetcher, Validators};
use crate::index::{IndexError, SearchIndex};
use crate::model::{Format, Incident, ReportKind};
use crate::parse::{self, ParseContext, Parsed};
use crate::press_crawl::{PageOutcome, PressConfig, PressCrawler, PressOutcome};
use crate::schedule::{self, StopSignal};
use crate::sources::Source;
use crate::store::{
    FetchRecord, FetchedBody, ParsedBodyHash, ScheduledFetch, SourceState, Store, StoreError,
    UpsertCounts, body_sha256,
};

mod local;
mod sanitize;

pub use local::{ingest, reparse};
use sanitize::cap_items;
pub use sanitize::{
    EARLIEST_PLAUSIBLE, defang, drop_impossible_times, html_guard, split_duplicate_ids,
};

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

    /// The one-writer lock file (see [`crate::lock`]), beside the store.
    pub fn lock_file(&self) -> PathBuf {
        let mut name = self.store.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        self.store.with_file_name(name)
    }
}

/// How a crawl runs.
#[derive(Debug, Clone)]
pub struct CrawlOptions {
    /// Requests in flight at once (per-host limits still apply).
    pub concurrency: usize,
    /// Ignore stored validators and backoff: fetch everything now.
    pub force: bool,
    /// Raised on SIGTERM/SIGINT: no new fetch starts; what was fetched is still written.
    pub stop: Option<StopSignal>,
    /// Politeness and volume limits of the press crawl.
    pub press: PressConfig,
}

impl Default for CrawlOptions {
    fn default() -> Self {
        CrawlOptions {
            concurrency: 16,
            force: false,
            stop: None,
            press: PressConfig::default(),
        }
    }
}

/// Most incidents taken from one document: a feed of 100,000 items is a hostile or broken
/// one, and the newest items are the ones that matter.
pub const MAX_ITEMS_PER_DOCUMENT: usize = 1000;

/// Largest HTML page handed to the HTML parser, and deepest element nesting: html5ever's tree
/// building is quadratic on deep nesting (1.1 MB took 19 s), so such pages are refused before.
pub const MAX_HTML_BYTES: usize = 2 * 1024 * 1024;
pub const MAX_HTML_DEPTH: usize = 256;

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

/// One source skipped because it is backing off or its last response is still fresh.
#[derive(Debug, Clone)]
pub struct DeferredSource {
    pub url: String,
    pub vendor: Option<String>,
    pub until: DateTime<Utc>,
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
    /// Of `ok`, the sources that answered with the very bytes last parsed from them: neither
    /// parsed nor stored again.
    pub unchanged: usize,
    pub failures: Vec<SourceFailure>,
    pub incidents: UpsertCounts,
    /// Documents indexed into tantivy at the end of the run.
    pub indexed: usize,
    /// Sources not fetched this run (backoff, `Retry-After`, freshness).
    pub deferred: Vec<DeferredSource>,
    /// A stop request ended the run before every source was fetched.
    pub interrupted: bool,
    /// Incidents newly flagged as gone from a feed that should still list them.
    pub vanished: usize,
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

/// Why a fetched body gave no incidents.
#[derive(Debug, Error)]
pub enum BodyError {
    /// Empty, or a web page where a feed or API response was expected.
    #[error("not a feed: {0}")]
    NotAFeed(String),
    /// Too big or too deeply nested to parse safely.
    #[error("too complex to parse: {0}")]
    TooComplex(String),
    #[error(transparent)]
    Parse(#[from] parse::ParseError),
}

impl BodyError {
    /// The class stored with the source.
    pub fn class(&self) -> &'static str {
        match self {
            BodyError::NotAFeed(_) => "not_a_feed",
            BodyError::TooComplex(_) => "too_complex",
            BodyError::Parse(_) => "parse",
        }
    }
}

/// What the fetch stage hands the writer for one source.
enum Fetchd {
    Parsed {
        source: Source,
        fetched: crate::fetch::Fetched,
        parsed: Result<Parsed, BodyError>,
    },
    NotModified {
        source: Source,
        validators: Validators,
        fresh_for: Option<Duration>,
    },
    /// A 2xx with the very bytes last parsed from this source: nothing new to parse or store.
    Unchanged {
        source: Source,
        fetched: crate::fetch::Fetched,
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
    let options = CrawlOptions {
        concurrency,
        force,
        stop: None,
        press: PressConfig::default(),
    };
    crawl_with(sources, fetcher, paths, &options, progress).await
}

/// [`crawl`] with every option: skips sources whose next attempt is still ahead (unless
/// forced), stops taking new fetches when `options.stop` is raised, and paces the press crawl
/// as `options.press` says (tests and the demo use a shorter per-host delay).
pub async fn crawl_with(
    sources: Vec<Source>,
    fetcher: &Fetcher,
    paths: &DataPaths,
    options: &CrawlOptions,
    progress: &dyn Progress,
) -> Result<CrawlReport, CrawlError> {
    let store = Store::open(&paths.store)?;
    let now = Utc::now();
    // Validators and last body hashes are read up front so the writer thread alone owns the
    // connection afterwards. A forced crawl parses everything again.
    let mut last_bodies = if options.force {
        HashMap::new()
    } else {
        store.parsed_body_hashes()?
    };
    // Every recorded source in one read: the validators and backoff of the status sources,
    // and the article pages seen in earlier runs, for the press crawl's conditional GETs.
    let states: HashMap<String, SourceState> = store
        .sources()?
        .into_iter()
        .map(|s| (s.url.clone(), s))
        .collect();
    let mut jobs = Vec::with_capacity(sources.len());
    let mut deferred = Vec::new();
    for source in sources {
        let state = states.get(&source.url);
        if !options.force
            && let Some(until) = state
                .and_then(|s| s.next_attempt_at)
                // A time beyond the longest wait means the clock was set back: not a reason
                // to skip.
                .filter(|t| {
                    *t > now
                        && (*t - now)
                            .to_std()
                            .is_ok_and(|d| d <= schedule::BACKOFF_MAX)
                })
        {
            deferred.push(DeferredSource {
                url: source.url,
                vendor: source.vendor,
                until,
            });
            continue;
        }
        let validators = match state {
            Some(s) if !options.force => s.validators(),
            _ => Validators::default(),
        };
        let last = last_bodies.remove(&source.url);
        jobs.push((source, validators, last));
    }
    let known_pages: HashMap<String, Validators> = if options.force {
        HashMap::new()
    } else {
        states
            .into_values()
            .filter(|s| s.role == Some(ReportKind::Press))
            .map(|s| {
                let validators = s.validators();
                (s.url, validators)
            })
            .collect()
    };
    let press = PressCrawler::new(fetcher, options.press.clone(), known_pages);
    progress.start(jobs.len());

    let (tx, rx) = mpsc::channel::<Fetchd>(32);
    let index_dir = paths.index.clone();
    let writer = std::thread::spawn(move || write_results(store, &index_dir, rx));

    // The one concurrent stage: up to `concurrency` fetches in flight.
    let mut stream = futures::stream::iter(jobs)
        .map(|(source, validators, last)| fetch_source(fetcher, &press, source, validators, last))
        .buffer_unordered(options.concurrency.max(1));
    let mut stop = options.stop.clone();
    let mut interrupted = false;
    loop {
        let next = match stop.as_mut() {
            Some(stop) => tokio::select! {
                biased;
                _ = stop.stopped() => {
                    interrupted = true;
                    break;
                }
                next = stream.next() => next,
            },
            None => stream.next().await,
        };
        let Some((result, articles)) = next else {
            break;
        };
        let (url, outcome) = describe(&result, articles.len());
        progress.source_done(url, &outcome);
        if tx.send(result).await.is_err() {
            break;
        }
        for article in articles {
            if tx.send(article).await.is_err() {
                break;
            }
        }
    }
    // Dropping the stream cancels fetches still in flight; the writer drains what it has.
    drop(stream);
    drop(tx);
    let mut report = writer.join().map_err(|_| CrawlError::WriterGone)??;
    report.deferred = deferred;
    report.interrupted = interrupted;
    Ok(report)
}

/// The URL and the one-line outcome a progress display shows for a result, borrowed where it
/// can be: a re-crawl of thousands of 304s should not allocate a message for each.
fn describe(result: &Fetchd, articles: usize) -> (&str, Cow<'static, str>) {
    match result {
        Fetchd::Parsed { source, .. } if source.role == ReportKind::Press => (
            &source.url,
            Cow::Owned(format!("{articles} articles fetched")),
        ),
        Fetchd::Parsed { source, parsed, .. } => (
            &source.url,
            Cow::Owned(match parsed {
                Ok(p) => format!("{} incidents", p.incidents.len()),
                Err(e) => format!("parse error: {e}"),
            }),
        ),
        Fetchd::NotModified { source, .. } => (&source.url, Cow::Borrowed("not modified")),
        Fetchd::Unchanged { source, .. } => (&source.url, Cow::Borrowed("unchanged")),
        Fetchd::Failed { source, error } => (&source.url, Cow::Owned(error.about(&source.url))),
    }
}

/// Fetches one source: a status document, or a press source with the articles it led to.
async fn fetch_source(
    fetcher: &Fetcher,
    press: &PressCrawler<'_>,
    source: Source,
    validators: Validators,
    last: Option<ParsedBodyHash>,
) -> (Fetchd, Vec<Fetchd>) {
    if source.role != ReportKind::Press {
        return (
            fetch_and_parse(fetcher, source, validators, last).await,
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
        error: FetchError::Robots {
            url: source.url.clone(),
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
            parsed: parsed.map_err(BodyError::Parse),
        }),
        PageOutcome::NotModified { validators } => Some(Fetchd::NotModified {
            source,
            validators,
            fresh_for: None,
        }),
        PageOutcome::Failed(error) => Some(Fetchd::Failed { source, error }),
        PageOutcome::Disallowed => None,
    }
}

async fn fetch_and_parse(
    fetcher: &Fetcher,
    source: Source,
    validators: Validators,
    last: Option<ParsedBodyHash>,
) -> Fetchd {
    match fetcher
        .get(&source.url, &validators, source.allow_private)
        .await
    {
        Err(error) => Fetchd::Failed { source, error },
        Ok(FetchOutcome::NotModified {
            validators,
            fresh_for,
        }) => Fetchd::NotModified {
            source,
            validators,
            fresh_for,
        },
        Ok(FetchOutcome::Fetched(fetched)) if unchanged(&fetched, &source, last.as_ref()) => {
            Fetchd::Unchanged { source, fetched }
        }
        Ok(FetchOutcome::Fetched(fetched)) => {
            let ctx = ParseContext {
                url: Some(source.url.clone()),
                vendor: source.vendor.clone(),
                published: None,
                format: source.kind,
            };
            let body = fetched.body.clone();
            let role = source.role;
            let parsed = tokio::task::spawn_blocking(move || {
                if failpoint("parse-panic") {
                    // Panic tests: a parser bug must fail one source, never the run.
                    std::panic::panic_any("failpoint parse-panic");
                }
                parse_source(&body, &ctx, role)
            })
            .await
            .unwrap_or_else(|e| {
                Err(BodyError::Parse(parse::ParseError::Unrecognised(format!(
                    "parser crashed: {e}"
                ))))
            });
            Fetchd::Parsed {
                source,
                fetched,
                parsed,
            }
        }
    }
}

/// True when `fetched` is byte for byte the body last parsed from this source, under the
/// format the source is configured for (a changed `kind` reads the same bytes anew).
fn unchanged(
    fetched: &crate::fetch::Fetched,
    source: &Source,
    last: Option<&ParsedBodyHash>,
) -> bool {
    last.is_some_and(|last| {
        source.kind.is_none_or(|kind| kind == last.format)
            && body_sha256(&fetched.body) == last.sha256
    })
}

/// Parses a fetched body. A status source that answers with a web page (an error page, a
/// captive portal, a login wall) is an error, never an article with no outage in it: an
/// unreadable status feed must not read as "all clear".
fn parse_source(
    body: &[u8],
    ctx: &ParseContext,
    role: crate::model::ReportKind,
) -> Result<Parsed, BodyError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(BodyError::NotAFeed("the response body is empty".into()));
    }
    let format = ctx.format.or_else(|| parse::detect(body));
    if role == crate::model::ReportKind::Status
        && matches!(format, Some(Format::Article | Format::Text))
    {
        return Err(BodyError::NotAFeed(
            "an HTML page where a status feed or API response was expected".into(),
        ));
    }
    if matches!(format, Some(Format::Article | Format::Text)) {
        html_guard(body)?;
    }
    let mut parsed = parse::parse(
        body,
        &ParseContext {
            format,
            ..ctx.clone()
        },
    )?;
    cap_items(&mut parsed.incidents);
    defang(&mut parsed.incidents);
    drop_impossible_times(&mut parsed.incidents, Utc::now());
    split_duplicate_ids(&mut parsed.incidents);
    Ok(parsed)
}

/// Most sources written in one transaction, and the longest a batch stays open while more
/// results keep arriving: a bound on the work a crash can lose and on how long a result waits
/// before it is committed.
const BATCH_MAX_SOURCES: usize = 256;
const BATCH_MAX_OPEN: Duration = Duration::from_millis(250);
/// How long an open batch waits for the next result before it commits, and how often it looks:
/// 304s arrive one by one, and a transaction per handful of them cost more than their writes.
const BATCH_IDLE: Duration = Duration::from_millis(2);
const BATCH_POLL: Duration = Duration::from_micros(100);

/// The writer: applies results in group commits (what arrives without a pause longer than
/// [`BATCH_IDLE`], up to the bounds above, in one transaction), then merges and, when the run
/// changed incidents, syncs the index once.
fn write_results(
    mut store: Store,
    index_dir: &Path,
    mut rx: mpsc::Receiver<Fetchd>,
) -> Result<CrawlReport, CrawlError> {
    let mut report = CrawlReport::default();
    let mut healthy = Vec::new();
    let rev_before = store.current_rev()?;
    while let Some(first) = rx.blocking_recv() {
        let opened = Instant::now();
        store.in_batch(|store| {
            apply_result(store, &mut report, &mut healthy, first)?;
            let mut written = 1;
            let mut idle_since = None;
            while written < BATCH_MAX_SOURCES && opened.elapsed() < BATCH_MAX_OPEN {
                match rx.try_recv() {
                    Ok(msg) => {
                        apply_result(store, &mut report, &mut healthy, msg)?;
                        written += 1;
                        idle_since = None;
                    }
                    Err(TryRecvError::Disconnected) => break,
                    Err(TryRecvError::Empty) => {
                        let idle = *idle_since.get_or_insert_with(Instant::now);
                        if idle.elapsed() >= BATCH_IDLE {
                            break;
                        }
                        std::thread::sleep(BATCH_POLL);
                    }
                }
            }
            flush_healthy(store, &mut healthy)
        })?;
    }
    crate::merge::merge_pending(&mut store, Utc::now())?;
    if failpoint("abort-before-index") {
        // Crash-safety tests: die between the store's commits and the index's, as a power cut
        // or kill -9 would; the next start-up must heal the index from the store.
        std::process::abort();
    }
    // A run that wrote no incident (every source answered 304 or the same bytes) has nothing
    // to index; an index left behind by an earlier crash is healed by the next run that
    // writes, or by the next search on start-up.
    if store.current_rev()? != rev_before {
        let mut index = SearchIndex::open(index_dir)?;
        report.indexed = index.sync(&store)?;
    }
    Ok(report)
}

/// Writes the bodiless successes gathered so far, in one statement or two.
fn flush_healthy(store: &mut Store, healthy: &mut Vec<ScheduledFetch>) -> Result<(), CrawlError> {
    if !healthy.is_empty() {
        store.record_bodiless_fetches(healthy)?;
        healthy.clear();
    }
    Ok(())
}

impl FetchRecord {
    /// A successful fetch of `source` as the store records it; `body` is `None` for a 304 and
    /// for a body already stored.
    fn of(
        source: &Source,
        fetched_at: DateTime<Utc>,
        http_status: u16,
        validators: Validators,
        body: Option<FetchedBody>,
    ) -> FetchRecord {
        FetchRecord {
            url: source.url.clone(),
            vendor: source.vendor.clone(),
            kind: source.kind,
            role: source.role,
            fetched_at,
            http_status,
            validators,
            body,
        }
    }
}

/// Writes one source's result: its incidents, listing and health. A success with nothing to
/// store (a 304, a body already parsed) joins `healthy`, written once per batch; any other
/// write for the same source flushes it first, so the writes of one source keep their order.
fn apply_result(
    store: &mut Store,
    report: &mut CrawlReport,
    healthy: &mut Vec<ScheduledFetch>,
    msg: Fetchd,
) -> Result<(), CrawlError> {
    if failpoint("slow-write") {
        // Signal tests: a write that takes long (a slow disk), so a stop request arrives while
        // it is under way.
        eprintln!("failpoint slow-write: holding the write for 30 s");
        std::thread::sleep(std::time::Duration::from_secs(30));
    }
    let now = Utc::now();
    match msg {
        Fetchd::NotModified {
            source,
            validators,
            fresh_for,
        } => {
            healthy.push(ScheduledFetch {
                record: FetchRecord::of(&source, now, 304, validators, None),
                next_attempt_at: schedule::next_after_success(now, fresh_for),
            });
            report.not_modified += 1;
        }
        Fetchd::Unchanged { source, fetched } => {
            // The source is healthy and its validators are the new ones; the body and what it
            // lists are already stored.
            healthy.push(ScheduledFetch {
                record: FetchRecord::of(&source, now, fetched.status, fetched.validators, None),
                next_attempt_at: schedule::next_after_success(now, fetched.fresh_for),
            });
            report.ok += 1;
            report.unchanged += 1;
        }
        Fetchd::Failed { source, error } => {
            flush_if_pending(store, healthy, &source.url)?;
            store.record_failure(
                &source.url,
                source.vendor.as_deref(),
                now,
                error.class(),
                &error.to_string(),
            )?;
            schedule_retry(store, &source.url, now, error.retry_after())?;
            report.failures.push(SourceFailure {
                url: source.url,
                vendor: source.vendor,
                class: error.class().into(),
                message: error.to_string(),
            });
        }
        Fetchd::Parsed {
            source,
            fetched,
            parsed,
        } => {
            flush_if_pending(store, healthy, &source.url)?;
            apply_parsed(store, report, source, fetched, parsed, now)?;
        }
    }
    Ok(())
}

/// Writes the pending bodiless successes now when one of them is `url`'s, so a later write for
/// the same source lands after it.
fn flush_if_pending(
    store: &mut Store,
    healthy: &mut Vec<ScheduledFetch>,
    url: &str,
) -> Result<(), CrawlError> {
    if healthy.iter().any(|h| h.record.url == url) {
        flush_healthy(store, healthy)?;
    }
    Ok(())
}

/// Writes a fetched body: its incidents, the listing and window, and the source's health; a
/// body that does not read as what the source serves is kept and counted as a failure.
fn apply_parsed(
    store: &mut Store,
    report: &mut CrawlReport,
    source: Source,
    fetched: crate::fetch::Fetched,
    parsed: Result<Parsed, BodyError>,
    now: DateTime<Utc>,
) -> Result<(), CrawlError> {
    let format = parsed.as_ref().ok().map(|p| p.format);
    let fresh_for = fetched.fresh_for;
    // The raw body is kept even when it does not parse, so extraction can be re-run once the
    // parser learns the format.
    let record = FetchRecord::of(
        &source,
        now,
        fetched.status,
        fetched.validators,
        Some(FetchedBody {
            bytes: fetched.body,
            content_type: fetched.content_type,
            format,
        }),
    );
    match parsed {
        Ok(parsed) => {
            if let Some(note) = &parsed.repaired {
                tracing::warn!(source = %source.url, "{note}; its entries were kept");
            }
            // Incidents first, validators last: a crash in between leaves no validators, so
            // the next crawl refetches instead of getting a 304 for a document whose incidents
            // were never stored.
            let counts = store.upsert_incidents(&parsed.incidents, now)?;
            add_counts(&mut report.incidents, &counts);
            let window = window(&parsed.incidents);
            if let Some((oldest, newest)) = window {
                store.record_items_window(&source.url, Some(oldest), Some(newest))?;
            }
            if source.role == ReportKind::Status {
                let vendors = status_vendors(source.vendor.as_deref(), &parsed.incidents);
                store.record_fetch_coverage(&source.url, &vendors, window.map(|w| w.0), now)?;
            }
            report.vanished +=
                crate::merge::record_listing(store, &source.url, &parsed.incidents, now)?;
            store.record_fetch(&record)?;
            store.set_next_attempt(&source.url, schedule::next_after_success(now, fresh_for))?;
            report.ok += 1;
        }
        Err(e) => {
            let message = format!("{}: {e}", source.url);
            store.record_unreadable_fetch(&record, e.class(), &message)?;
            schedule_retry(store, &source.url, now, None)?;
            report.failures.push(SourceFailure {
                url: source.url,
                vendor: source.vendor,
                class: e.class().into(),
                message,
            });
        }
    }
    Ok(())
}

/// True when the `OUTAGES_FAILPOINT` environment variable names this point. Only the crash
/// tests set it.
/// Read once per process: it is asked for every source written and every body parsed.
fn failpoint(name: &str) -> bool {
    static FAILPOINT: std::sync::OnceLock<Option<std::ffi::OsString>> = std::sync::OnceLock::new();
    FAILPOINT
        .get_or_init(|| std::env::var_os("OUTAGES_FAILPOINT"))
        .as_ref()
        .is_some_and(|v| v == name)
}

/// Backs a failed source off: the wait grows with its consecutive failures (just counted).
fn schedule_retry(
    store: &mut Store,
    url: &str,
    now: DateTime<Utc>,
    retry_after: Option<Duration>,
) -> Result<(), StoreError> {
    let failures = store.source(url)?.map_or(1, |s| s.consecutive_failures);
    store.set_next_attempt(
        url,
        Some(schedule::next_after_failure(now, failures, retry_after)),
    )
}

/// The vendors a status document speaks for: the source's own and every vendor its status
/// records name (an aggregate feed lists several).
fn status_vendors(source_vendor: Option<&str>, incidents: &[Incident]) -> Vec<String> {
    let mut out: Vec<String> = source_vendor.map(str::to_string).into_iter().collect();
    for i in incidents {
        if i.sources.iter().any(|s| s.kind == ReportKind::Status)
            && !out.iter().any(|v| v.eq_ignore_ascii_case(&i.vendor))
        {
            out.push(i.vendor.clone());
        }
    }
    out
}

/// The oldest and newest incident start a document covers: how far back its history reaches.
fn window(incidents: &[Incident]) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let starts = incidents.iter().filter_map(|i| i.start);
    let oldest = starts.clone().min()?;
    let newest = starts.max()?;
    Some((oldest, newest))
}

fn add_counts(total: &mut UpsertCounts, more: &UpsertCounts) {
    total.new += more.new;
    total.updated += more.updated;
    total.unchanged += more.unchanged;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A progress line names the source once: "http://h/x.json: redirect refused: ...".
    #[test]
    fn a_failed_fetch_is_described_without_repeating_its_url() {
        let source = Source {
            vendor: Some("Acme".into()),
            url: "http://h/x.json".into(),
            kind: None,
            role: ReportKind::Status,
            allow_private: false,
        };
        let refused = Fetchd::Failed {
            source: source.clone(),
            error: crate::fetch::FetchError::Redirect {
                url: "http://h/x.json".into(),
                message: "redirect to a ftp: URL".into(),
            },
        };
        let (url, outcome) = describe(&refused, 0);
        assert_eq!(url, "http://h/x.json");
        assert_eq!(outcome, "redirect refused: redirect to a ftp: URL");
        // After a redirect the failing address is another one, and is named.
        let elsewhere = Fetchd::Failed {
            source,
            error: crate::fetch::FetchError::Timeout {
                url: "http://h/moved.json".into(),
            },
        };
        assert_eq!(describe(&elsewhere, 0).1, "http://h/moved.json: timed out");
    }

    #[test]
    fn empty_and_web_page_bodies_are_not_feeds() {
        let ctx = ParseContext::default();
        let err = parse_source(b"  \n", &ctx, ReportKind::Status).expect_err("empty");
        assert_eq!(err.class(), "not_a_feed");
        assert_eq!(err.to_string(), "not a feed: the response body is empty");
        let page = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><p>Checking your browser.</p></body></html>";
        let err = parse_source(page, &ctx, ReportKind::Status).expect_err("portal");
        assert_eq!(err.class(), "not_a_feed");
    }

    #[test]
    fn lock_file_sits_beside_the_store() {
        let paths = DataPaths::new(Some(Path::new("/tmp/x")));
        assert_eq!(
            paths.lock_file(),
            PathBuf::from("/tmp/x/outages.sqlite.lock")
        );
    }
}
