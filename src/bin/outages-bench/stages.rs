//! Our side of each stage: corpora preparation and the timed runs of the project's own code.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use serde_json::{Value, json};

use outages::bench::generate::{
    Generator, Rng, VENDORS, profile, statuspage_atom, statuspage_json,
};
use outages::bench::metric::{PageScore, page_score, set_score};
use outages::crawl::{DataPaths, Silent};
use outages::fetch::{FetchConfig, Fetcher};
use outages::index::SearchIndex;
use outages::model::{Incident, ReportKind, Update, slug};
use outages::parse::article::extract_article;
use outages::parse::{ParseContext, parse};
use outages::query::{Sort, find, find_top};
use outages::sources::Source;
use outages::store::Store;

use crate::fts;

/// Incidents per upsert: about one status document's worth, as a crawl writes them.
const UPSERT_BATCH: usize = 1000;
/// Names the generator's output in a prepared corpus's `done` marker: change it whenever
/// [`Generator`] changes what it generates, so stale corpora are prepared again.
const GENERATOR_VERSION: &str = "generator 1, merged";
/// Incidents per generated archive file.
const ARCHIVE_FILE_INCIDENTS: usize = 1000;
/// Queries in the search set.
const QUERIES: usize = 1000;
/// Queries run once before timing, so both engines start with warm caches.
const WARMUP: usize = 50;

/// The directory of one corpus size.
pub fn size_dir(work: &Path, events: usize) -> PathBuf {
    work.join(format!("n{events}"))
}

/// The events of the store stage in chunks of [`UPSERT_BATCH`]: the first half of the
/// generated set, then the same half re-crawled, every fourth of them with one update more (so
/// the upsert both skips and merges). Generated as they are consumed (the second half by a
/// second generator with the same seed), so a million events never sit in memory at once.
pub struct StoreRows {
    first: Generator,
    again: Generator,
    half: usize,
    /// Events handed out so far, of `2 * half`.
    done: usize,
}

impl StoreRows {
    pub fn new(events: usize, seed: u64) -> StoreRows {
        StoreRows {
            first: Generator::new(seed),
            again: Generator::new(seed),
            half: events / 2,
            done: 0,
        }
    }
}

impl Iterator for StoreRows {
    type Item = Vec<Incident>;

    fn next(&mut self) -> Option<Vec<Incident>> {
        let total = 2 * self.half;
        if self.done >= total {
            return None;
        }
        let mut chunk = Vec::with_capacity(UPSERT_BATCH);
        while chunk.len() < UPSERT_BATCH && self.done < total {
            if self.done < self.half {
                chunk.push(self.first.incident());
            } else {
                let mut i = self.again.incident();
                if (self.done - self.half) % 4 == 0 {
                    i.updates.push(Update {
                        at: i.end,
                        status: "postmortem".into(),
                        text: "We have published a post-incident review with the full timeline."
                            .into(),
                    });
                }
                chunk.push(i);
            }
            self.done += 1;
        }
        Some(chunk)
    }
}

/// A search in both syntaxes: ours (the search language) and FTS5's MATCH with its filters.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BenchQuery {
    pub ours: String,
    pub fts_match: String,
    pub vendor: Option<String>,
    pub severity: Option<String>,
}

const TERMS: &[&str] = &[
    "degraded",
    "latency",
    "errors",
    "unavailable",
    "database",
    "certificate",
    "dns",
    "webhooks",
    "maintenance",
    "failover",
    "deployment",
    "timeout",
    "recovering",
    "customers",
    "storage",
    "outage",
    "actions",
    "workers",
    "login",
    "congestion",
];
const PHRASES: &[&str] = &[
    "elevated error rates",
    "database failover",
    "operating normally",
    "degraded performance",
    "expired TLS certificate",
    "scheduled maintenance",
    "load balancer",
];
/// Phrases of stopwords and common words: the slow tail of positional search.
const COMMON_PHRASES: &[&str] = &[
    "of the",
    "in the",
    "we are investigating",
    "is experiencing",
    "and are working on",
    "the results",
];

/// The seeded query mix: 40% one term, 20% two terms, 15% phrases, 10% stopword phrases, 15%
/// with a vendor or severity filter.
pub fn queries(seed: u64) -> Vec<BenchQuery> {
    let mut rng = Rng::new(seed ^ 0x5EA2C4);
    let mut out = Vec::with_capacity(QUERIES);
    let term = |rng: &mut Rng| (*rng.pick(TERMS).unwrap_or(&"outage")).to_string();
    let phrase =
        |rng: &mut Rng, set: &[&str]| format!("\"{}\"", rng.pick(set).unwrap_or(&"of the"));
    for _ in 0..QUERIES {
        let roll = rng.below(100);
        let q = if roll < 40 {
            let t = term(&mut rng);
            BenchQuery {
                ours: t.clone(),
                fts_match: t,
                vendor: None,
                severity: None,
            }
        } else if roll < 60 {
            let t = format!("{} {}", term(&mut rng), term(&mut rng));
            BenchQuery {
                ours: t.clone(),
                fts_match: t,
                vendor: None,
                severity: None,
            }
        } else if roll < 75 {
            let p = phrase(&mut rng, PHRASES);
            BenchQuery {
                ours: p.clone(),
                fts_match: p,
                vendor: None,
                severity: None,
            }
        } else if roll < 85 {
            let p = phrase(&mut rng, COMMON_PHRASES);
            BenchQuery {
                ours: p.clone(),
                fts_match: p,
                vendor: None,
                severity: None,
            }
        } else if roll < 93 {
            let vendor = VENDORS
                .get(rng.below(VENDORS.len()))
                .map_or("GitHub", |v| v.name);
            let t = term(&mut rng);
            BenchQuery {
                ours: format!("vendor:\"{vendor}\" {t}"),
                fts_match: t,
                vendor: Some(vendor.to_string()),
                severity: None,
            }
        } else {
            let severity = ["critical", "major", "minor"]
                .get(rng.below(3))
                .copied()
                .unwrap_or("major");
            let t = term(&mut rng);
            BenchQuery {
                ours: format!("severity:{severity} {t}"),
                fts_match: t,
                vendor: None,
                severity: Some(severity.to_string()),
            }
        };
        out.push(q);
    }
    out
}

fn csv_field(out: &mut String, value: &str) {
    out.push('"');
    out.push_str(&value.replace('"', "\"\""));
    out.push('"');
}

/// One CSV row per store-stage event, for the `sqlite3 .import` and `executemany` peers,
/// written as the events are generated.
fn write_csv(path: &Path, rows: StoreRows) -> Result<()> {
    use std::io::Write as _;
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    let mut out = String::with_capacity(UPSERT_BATCH * 1400);
    for chunk in rows {
        out.clear();
        for i in &chunk {
            let fields = [
                i.id.clone(),
                i.vendor.clone(),
                i.title.clone(),
                i.start.map(outages::model::rfc3339).unwrap_or_default(),
                i.end.map(outages::model::rfc3339).unwrap_or_default(),
                i.status.as_str().to_string(),
                i.severity.as_str().to_string(),
                serde_json::to_string(&i.services)?,
                serde_json::to_string(&i.regions)?,
                i.cause.clone().unwrap_or_default(),
                serde_json::to_string(&i.updates)?,
                serde_json::to_string(&i.sources)?,
            ];
            for (n, f) in fields.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                csv_field(&mut out, f);
            }
            out.push('\n');
        }
        w.write_all(out.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    w.flush()
        .with_context(|| format!("writing {}", path.display()))
}

/// Writes generated events as Statuspage JSON files, grouped by vendor, [`ARCHIVE_FILE_INCIDENTS`]
/// per file in the order generated: each vendor's file is written as soon as it is full, so
/// only one file's worth per vendor is held in memory.
struct ArchiveWriter {
    dir: PathBuf,
    pending: HashMap<&'static str, (usize, Vec<Incident>)>,
}

impl ArchiveWriter {
    fn new(dir: &Path) -> Result<ArchiveWriter> {
        std::fs::create_dir_all(dir)?;
        Ok(ArchiveWriter {
            dir: dir.to_path_buf(),
            pending: HashMap::new(),
        })
    }

    fn push(&mut self, incident: &Incident) -> Result<()> {
        let Some(p) = profile(&incident.vendor) else {
            bail!("no profile for generated vendor {}", incident.vendor);
        };
        let (files, list) = self.pending.entry(p.name).or_default();
        list.push(incident.clone());
        if list.len() >= ARCHIVE_FILE_INCIDENTS {
            let full = std::mem::take(list);
            Self::write(&self.dir, p.name, *files, &full)?;
            *files += 1;
        }
        Ok(())
    }

    fn finish(self) -> Result<()> {
        for (vendor, (files, list)) in self.pending {
            if !list.is_empty() {
                Self::write(&self.dir, vendor, files, &list)?;
            }
        }
        Ok(())
    }

    fn write(dir: &Path, vendor: &str, n: usize, list: &[Incident]) -> Result<()> {
        let Some(p) = profile(vendor) else {
            bail!("no profile for generated vendor {vendor}");
        };
        let path = dir.join(format!("{}-{n:04}.json", slug(vendor)));
        std::fs::write(&path, statuspage_json(p, list))
            .with_context(|| format!("writing {}", path.display()))
    }
}

/// Events generated per step of `prepare`: the store and FTS5 commit this many at a time.
const PREPARE_CHUNK: usize = 10_000;

pub fn prepare(work: &Path, events: usize, seed: u64, feeds: usize) -> Result<Value> {
    let started = Instant::now();
    if feeds > 0 {
        let dir = work.join("feeds");
        std::fs::create_dir_all(&dir)?;
        let mut generator = Generator::new(seed ^ 0xFEED);
        for n in 0..feeds {
            let vendor = VENDORS.get(n % VENDORS.len()).unwrap_or(&VENDORS[0]);
            let mut list = generator.incidents(100);
            for i in &mut list {
                i.vendor = vendor.name.to_string();
            }
            let (name, body) = if n % 2 == 0 {
                (
                    format!("{n:03}-{}.atom", slug(vendor.name)),
                    statuspage_atom(vendor, &list),
                )
            } else {
                (
                    format!("{n:03}-{}.json", slug(vendor.name)),
                    statuspage_json(vendor, &list),
                )
            };
            std::fs::write(dir.join(name), body)?;
        }
    }
    if events == 0 {
        return Ok(json!({"prepared": "feeds", "seconds": started.elapsed().as_secs_f64()}));
    }
    let dir = size_dir(work, events);
    // The corpora of one size are reused across runs while the seed and the generator that
    // made them are the same; anything else prepares them again.
    let key = format!("seed {seed}, {GENERATOR_VERSION}\n");
    if std::fs::read_to_string(dir.join("done")).is_ok_and(|done| done == key) {
        return Ok(json!({"prepared": dir, "cached": true}));
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    write_csv(&dir.join("events.csv"), StoreRows::new(events, seed))?;
    std::fs::write(
        dir.join("queries.json"),
        serde_json::to_string(&queries(seed))?,
    )?;
    let mut archive = ArchiveWriter::new(&dir.join("archive"))?;
    let mut store = Store::open(&dir.join("store.sqlite"))?;
    let mut generator = Generator::new(seed);
    let mut left = events;
    while left > 0 {
        let chunk = generator.incidents(left.min(PREPARE_CHUNK));
        left -= chunk.len();
        for incident in &chunk {
            archive.push(incident)?;
        }
        store.upsert_incidents(&chunk, Utc::now())?;
        fts::build(&dir.join("fts.sqlite"), &chunk)?;
    }
    archive.finish()?;
    // The index holds merged events, as after a crawl or an ingest.
    outages::merge::merge_pending(&mut store, Utc::now())?;
    let mut index = SearchIndex::open(&dir.join("index"))?;
    index.sync(&store)?;
    std::fs::write(dir.join("done"), key)?;
    Ok(json!({"prepared": dir, "events": events, "seconds": started.elapsed().as_secs_f64()}))
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

pub fn feeds(dirs: &[PathBuf]) -> Result<Value> {
    let mut files = Vec::new();
    for dir in dirs {
        files_under(dir, &mut files)?;
    }
    let docs: Vec<(PathBuf, Vec<u8>)> = files
        .into_iter()
        .map(|p| std::fs::read(&p).map(|b| (p, b)))
        .collect::<Result<_, _>>()?;
    let bytes: usize = docs.iter().map(|(_, b)| b.len()).sum();
    let ctx = ParseContext::default();
    let started = Instant::now();
    let mut ok = 0;
    let mut incidents = 0;
    let mut failed = Vec::new();
    for (path, body) in &docs {
        match parse(body, &ctx) {
            Ok(parsed) => {
                ok += 1;
                incidents += parsed.incidents.len();
            }
            Err(e) => failed.push(format!("{}: {e}", path.display())),
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(json!({
        "files": docs.len(), "ok": ok, "incidents": incidents, "bytes": bytes,
        "seconds": seconds, "mb_per_s": bytes as f64 / 1e6 / seconds, "failed": failed,
    }))
}

/// sha256 -> labelled article body.
fn ground_truth(dir: &Path) -> Result<HashMap<String, String>> {
    let path = dir.join("ground-truth.json");
    let raw = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let map: HashMap<String, Value> = serde_json::from_slice(&raw)?;
    Ok(map
        .into_iter()
        .map(|(k, v)| {
            let body = v["articleBody"].as_str().unwrap_or_default().to_string();
            (k, body)
        })
        .collect())
}

fn score_value(scores: &[PageScore]) -> Value {
    match set_score(scores) {
        Some(s) => {
            json!({"pages": s.pages, "precision": s.precision, "recall": s.recall, "f1": s.f1})
        }
        None => json!({"pages": 0}),
    }
}

pub fn articles(dir: &Path) -> Result<Value> {
    let truth = ground_truth(dir)?;
    let mut hashes: Vec<&String> = truth.keys().collect();
    hashes.sort();
    let pages: Vec<(&String, String)> = hashes
        .into_iter()
        .map(|h| {
            let path = dir.join("html").join(format!("{h}.html"));
            std::fs::read(&path)
                .map(|b| (h, String::from_utf8_lossy(&b).into_owned()))
                .with_context(|| format!("reading {}", path.display()))
        })
        .collect::<Result<_>>()?;
    let ctx = ParseContext::default();
    let started = Instant::now();
    let texts: Vec<String> = pages
        .iter()
        .map(|(_, html)| {
            extract_article(html, &ctx)
                .map(|a| a.text)
                .unwrap_or_default()
        })
        .collect();
    let seconds = started.elapsed().as_secs_f64();
    let scores: Vec<PageScore> = pages
        .iter()
        .zip(&texts)
        .map(|((h, _), text)| page_score(text, truth.get(*h).map_or("", String::as_str)))
        .collect();
    let mut out = score_value(&scores);
    out["seconds"] = json!(seconds);
    out["pages_per_s"] = json!(pages.len() as f64 / seconds);
    Ok(out)
}

pub fn score(dir: &Path, extracted: &Path) -> Result<Value> {
    let truth = ground_truth(dir)?;
    let raw =
        std::fs::read(extracted).with_context(|| format!("reading {}", extracted.display()))?;
    let texts: HashMap<String, String> = serde_json::from_slice(&raw)?;
    let scores: Vec<PageScore> = truth
        .iter()
        .map(|(h, body)| page_score(texts.get(h).map_or("", String::as_str), body))
        .collect();
    Ok(score_value(&scores))
}

/// A scratch path under the size directory, unique to this process.
fn scratch(work: &Path, events: usize, what: &str) -> PathBuf {
    size_dir(work, events).join(format!("scratch-{what}-{}", std::process::id()))
}

fn remove(path: &Path) {
    let _ = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
}

fn prepared_store(work: &Path, events: usize) -> Result<Store> {
    let dir = size_dir(work, events);
    if !dir.join("done").exists() {
        bail!(
            "{} is not prepared: run `outages-bench prepare` first",
            dir.display()
        );
    }
    Ok(Store::open(&dir.join("store.sqlite"))?)
}

/// Our rebuild from the prepared store; with `from_rows`, of the same rows read into memory
/// first (outside the timing), the work the FTS5 peer is timed on.
pub fn index_ours(work: &Path, events: usize, from_rows: bool) -> Result<Value> {
    let store = prepared_store(work, events)?;
    let rows = if from_rows {
        fts::store_events_in_memory(&store, events)?
    } else {
        Vec::new()
    };
    let dir = scratch(work, events, "index");
    remove(&dir);
    let mut index = SearchIndex::open(&dir)?;
    let started = Instant::now();
    let docs = if from_rows {
        index.rebuild_from_rows(&rows)?
    } else {
        index.rebuild(&store)?
    };
    let seconds = started.elapsed().as_secs_f64();
    let bytes = dir_bytes(&dir);
    drop(index);
    remove(&dir);
    Ok(
        json!({"docs": docs, "seconds": seconds, "docs_per_s": docs as f64 / seconds, "bytes": bytes}),
    )
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

pub fn load_queries(work: &Path, events: usize) -> Result<Vec<BenchQuery>> {
    let path = size_dir(work, events).join("queries.json");
    let raw = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(serde_json::from_slice(&raw)?)
}

/// p50, p99, mean and max of latencies in milliseconds, with the slowest queries named.
pub fn latency_report(mut samples: Vec<(f64, String)>) -> Value {
    samples.sort_by(|a, b| a.0.total_cmp(&b.0));
    let at = |q: f64| {
        let n = samples.len();
        if n == 0 {
            return 0.0;
        }
        let k = ((n as f64 * q).ceil() as usize).clamp(1, n) - 1;
        samples.get(k).map_or(0.0, |s| s.0)
    };
    let mean = samples.iter().map(|s| s.0).sum::<f64>() / samples.len().max(1) as f64;
    let slowest: Vec<String> = samples
        .iter()
        .rev()
        .take(5)
        .map(|(ms, q)| format!("{ms:.1} ms {q}"))
        .collect();
    json!({
        "queries": samples.len(), "p50_ms": at(0.5), "p99_ms": at(0.99), "mean_ms": mean,
        "max_ms": samples.last().map_or(0.0, |s| s.0), "slowest": slowest,
    })
}

/// The query set through `query::find_top` (the page of 10 with snippets: the measure), then
/// through `query::find`, which also counts the total and facets over every match as the CLI,
/// API and web UI ask (reported as `counted_*`).
pub fn search_ours(work: &Path, events: usize) -> Result<Value> {
    let store = prepared_store(work, events)?;
    let mut index = SearchIndex::open(&size_dir(work, events).join("index"))?;
    // An index prepared by a build with another schema was wiped on opening: refill it before
    // timing (a no-op when it is current).
    index.sync(&store)?;
    let index = index;
    let queries = load_queries(work, events)?;
    let now = Utc::now();
    let mut hits = 0usize;
    let mut run = |q: &BenchQuery, counted: bool| -> Result<f64> {
        let started = Instant::now();
        let req = outages::search_syntax::parse(&q.ours)?;
        let found = if counted {
            find(
                &store,
                &index,
                &req,
                outages::query::Page::first(10),
                Sort::Best,
                now,
            )?
        } else {
            find_top(
                &store,
                &index,
                &req,
                outages::query::Page::first(10),
                Sort::Best,
                now,
            )?
        };
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        hits += found.results.len();
        Ok(ms)
    };
    let mut reports = Vec::new();
    for counted in [false, true] {
        for q in queries.iter().take(WARMUP) {
            run(q, counted)?;
        }
        let mut samples = Vec::with_capacity(queries.len());
        for q in &queries {
            samples.push((run(q, counted)?, q.ours.clone()));
        }
        // Every query's time, for finding the tail (the report names only the slowest five).
        let name = if counted { "counted" } else { "top" };
        std::fs::write(
            size_dir(work, events).join(format!("search-times-{name}.json")),
            serde_json::to_string(&samples)?,
        )?;
        reports.push(latency_report(samples));
    }
    let counted = reports.pop().unwrap_or_default();
    let mut out = reports.pop().unwrap_or_default();
    for key in ["p50_ms", "p99_ms", "mean_ms", "max_ms", "slowest"] {
        out[format!("counted_{key}")] = counted[key].clone();
    }
    out["hits"] = json!(hits / 2);
    Ok(out)
}

/// Upserts the store stage's events into a fresh store, 1,000 per call; only the upserts are
/// timed, not the generation of the events between them.
pub fn store(work: &Path, events: usize, seed: u64) -> Result<Value> {
    std::fs::create_dir_all(size_dir(work, events))?;
    let path = scratch(work, events, "store.sqlite");
    remove(&path);
    let mut store = Store::open(&path)?;
    let mut upserting = std::time::Duration::ZERO;
    let mut new = 0;
    let mut rows = 0;
    for chunk in StoreRows::new(events, seed) {
        let started = Instant::now();
        new += store.upsert_incidents(&chunk, Utc::now())?.new;
        upserting += started.elapsed();
        rows += chunk.len();
    }
    let seconds = upserting.as_secs_f64();
    let bytes = ["", "-wal"]
        .iter()
        .filter_map(|suffix| {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            std::fs::metadata(PathBuf::from(p)).ok().map(|m| m.len())
        })
        .sum::<u64>();
    drop(store);
    remove(&path);
    Ok(
        json!({"rows": rows, "new": new, "seconds": seconds, "rows_per_s": rows as f64 / seconds, "bytes": bytes}),
    )
}

/// Parse, store and index of the prepared archive, each timed on its own: the stage sum the
/// end-to-end `outages ingest` is compared with. A file is read (untimed), parsed and stored
/// before the next is read, so memory holds one file's incidents, as `ingest` does.
pub fn stage_sum(work: &Path, events: usize) -> Result<Value> {
    let dir = size_dir(work, events);
    let mut files = Vec::new();
    files_under(&dir.join("archive"), &mut files)?;
    let ctx = ParseContext::default();
    let path = scratch(work, events, "stages.sqlite");
    remove(&path);
    let mut store = Store::open(&path)?;
    let mut parsing = std::time::Duration::ZERO;
    let mut storing = std::time::Duration::ZERO;
    for file in &files {
        let body = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let started = Instant::now();
        let incidents = parse(&body, &ctx)?.incidents;
        parsing += started.elapsed();
        let started = Instant::now();
        store.upsert_incidents(&incidents, Utc::now())?;
        storing += started.elapsed();
    }
    let (parse_s, store_s) = (parsing.as_secs_f64(), storing.as_secs_f64());
    let index_dir = scratch(work, events, "stages-index");
    remove(&index_dir);
    let mut index = SearchIndex::open(&index_dir)?;
    let started = Instant::now();
    let docs = index.sync(&store)?;
    let index_s = started.elapsed().as_secs_f64();
    drop(index);
    drop(store);
    remove(&path);
    remove(&index_dir);
    Ok(json!({
        "files": files.len(), "docs": docs, "parse_s": parse_s, "store_s": store_s,
        "index_s": index_s, "seconds": parse_s + store_s + index_s,
    }))
}

pub fn crawl(
    base: &str,
    urls: usize,
    work: &Path,
    concurrency: usize,
    recrawls: usize,
) -> Result<Value> {
    let base = base.trim_end_matches('/');
    let sources: Vec<Source> = (0..urls)
        .map(|n| Source {
            vendor: VENDORS.get(n % VENDORS.len()).map(|v| v.name.to_string()),
            url: format!("{base}/feeds/{n}.atom"),
            kind: None,
            role: ReportKind::Status,
            allow_private: true,
        })
        .collect();
    let data = work.join(format!("scratch-crawl-{}", std::process::id()));
    remove(&data);
    let paths = DataPaths::new(Some(&data));
    let fetcher = Fetcher::new(
        FetchConfig {
            per_host: concurrency,
            ..FetchConfig::default()
        },
        None,
    )?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // The first crawl fetches, parses and stores every feed; the re-crawl of the same store
    // sends the ETags it got and is answered 304 Not Modified throughout.
    let run = |force: bool| {
        let started = Instant::now();
        let report = runtime.block_on(outages::crawl::crawl(
            sources.clone(),
            &fetcher,
            &paths,
            concurrency,
            force,
            &Silent,
        ));
        report.map(|r| (r, started.elapsed().as_secs_f64()))
    };
    let (first, seconds) = run(true)?;
    let recrawls = recrawls.max(1);
    let mut re_seconds = 0.0;
    for _ in 0..recrawls {
        let (again, s) = run(false)?;
        re_seconds += s;
        if again.not_modified != urls {
            remove(&data);
            let mut failures = String::new();
            for f in first.failures.iter().chain(&again.failures).take(3) {
                let _ = write!(failures, "{}; ", f.message);
            }
            bail!(
                "the re-crawl got {} of {urls} answers 304 Not Modified; failures: {failures}",
                again.not_modified
            );
        }
    }
    remove(&data);
    let mut failures = String::new();
    for f in first.failures.iter().take(3) {
        let _ = write!(failures, "{}; ", f.message);
    }
    Ok(json!({
        "requests": urls, "ok": first.ok, "failed": first.failures.len(),
        "first_failures": failures, "indexed": first.indexed,
        "seconds": seconds, "req_per_s": urls as f64 / seconds,
        "recrawls": recrawls, "recrawl_seconds": re_seconds / recrawls as f64,
        "recrawl_req_per_s": (urls * recrawls) as f64 / re_seconds,
    }))
}
