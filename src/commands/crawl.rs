//! `demo`, `crawl`, `watch` and `ingest`: the commands that write, with a progress bar on a
//! terminal and plain log lines otherwise, and a summary at the end; and `backup`. Each writer
//! holds the data directory's lock (see [`crate::lock`]) for its whole run.

use std::io::{IsTerminal, Write};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use super::{Exit, data_root, print};
use crate::cli::{
    BackupArgs, CrawlArgs, DemoArgs, FetchArgs, IngestArgs, SourcesAddArgs, WatchArgs,
};
use crate::crawl::{self as pipeline, CrawlOptions, CrawlReport, DataPaths, Progress};
use crate::discover;
use crate::fetch::{FetchConfig, Fetcher, Mirror};
use crate::lock::WriterLock;
use crate::press_crawl::PressConfig;
use crate::schedule::{self, StopSignal};
use crate::snapshot::SnapshotServer;
use crate::sources::{self, Source};
use crate::store::Store;

pub fn demo(paths: &DataPaths, args: &DemoArgs) -> Result<Exit> {
    let lock = WriterLock::acquire(&paths.lock_file())?;
    let root = data_root().join("snapshot");
    let list = root.join("sources.toml");
    let sources = sources::load(&list)?;
    let runtime = runtime()?;
    let report = runtime.block_on(async {
        let server = SnapshotServer::start(root.clone())
            .await
            .with_context(|| format!("cannot start the snapshot server for {}", root.display()))?;
        eprintln!(
            "serving the bundled snapshot ({} sources) on {}",
            sources.len(),
            server.base_url()
        );
        let fetcher = Fetcher::new(FetchConfig::default(), Some(Mirror::new(server.base_url())))?;
        let progress = progress_for_terminal();
        // The snapshot is served from this machine: no need to pause between its pages.
        let press = PressConfig {
            delay: std::time::Duration::from_millis(50),
            ..PressConfig::default()
        };
        let options = CrawlOptions {
            concurrency: 8,
            press,
            ..CrawlOptions::default()
        };
        let report =
            pipeline::crawl_with(sources, &fetcher, paths, &options, progress.as_ref()).await;
        server.stop().await;
        anyhow::Ok(report?)
    })?;
    print::report(&report, "sources")?;
    let store = Store::open(&paths.store)?;
    let latest = crate::query::timeline(
        &store,
        &crate::store::EventFilter {
            limit: Some(args.show),
            ..crate::store::EventFilter::default()
        },
    )?;
    let mut w = std::io::stdout().lock();
    writeln!(w)?;
    writeln!(w, "Latest outages (store: {}):", paths.store.display())?;
    drop(w);
    let events: Vec<_> = latest
        .iter()
        .map(crate::merge::MergedEvent::contract)
        .collect();
    print::timeline(&events)?;
    let mut w = std::io::stdout().lock();
    writeln!(w)?;
    writeln!(
        w,
        "Try: outages search \"network\"   or   outages timeline --vendor GitHub"
    )?;
    drop(w);
    // Serving only reads: release the writer lock so a crawl can run meanwhile.
    drop(lock);
    if !args.no_serve && !report.all_failed() {
        println!();
        super::serve::serve_demo(paths)?;
    }
    Ok(exit_for(&report))
}

pub fn crawl(paths: &DataPaths, args: &CrawlArgs) -> Result<Exit> {
    let sources = selected_sources(&args.fetch)?;
    let _lock = WriterLock::acquire(&paths.lock_file())?;
    let runtime = runtime()?;
    let report = runtime.block_on(async {
        let fetcher = Fetcher::new(fetch_config(&args.fetch), None)?;
        let progress = progress_for_terminal();
        let options = CrawlOptions {
            concurrency: args.fetch.concurrency,
            force: args.force,
            stop: Some(StopSignal::on_termination()?),
            ..CrawlOptions::default()
        };
        anyhow::Ok(
            pipeline::crawl_with(sources, &fetcher, paths, &options, progress.as_ref()).await?,
        )
    })?;
    print::report(&report, "sources")?;
    Ok(exit_for(&report))
}

pub fn watch(paths: &DataPaths, args: &WatchArgs) -> Result<Exit> {
    let sources = selected_sources(&args.fetch)?;
    let _lock = WriterLock::acquire(&paths.lock_file())?;
    let runtime = runtime()?;
    let summary = runtime.block_on(async {
        let fetcher = Fetcher::new(fetch_config(&args.fetch), None)?;
        let stop = StopSignal::on_termination()?;
        eprintln!(
            "watching {} sources every {}s; stop with Ctrl-C or SIGTERM",
            sources.len(),
            args.interval.as_secs()
        );
        anyhow::Ok(
            schedule::watch(
                sources,
                &fetcher,
                paths,
                args.interval,
                args.fetch.concurrency,
                stop,
                &Lines,
            )
            .await?,
        )
    })?;
    eprintln!("stopped after {} crawl rounds", summary.rounds);
    if let Some(last) = summary.reports.last() {
        print::report(last, "sources (last round)")?;
    }
    Ok(Exit::Ok)
}

pub fn backup(paths: &DataPaths, args: &BackupArgs) -> Result<Exit> {
    if !paths.store.is_file() {
        anyhow::bail!("no store at {} to back up", paths.store.display());
    }
    let store = Store::open(&paths.store)?;
    store.backup_to(&args.file)?;
    println!(
        "backed up {} to {}",
        paths.store.display(),
        args.file.display()
    );
    Ok(Exit::Ok)
}

/// The sources file, narrowed to `--only` vendors, with `--allow-private` applied.
fn selected_sources(args: &FetchArgs) -> Result<Vec<Source>> {
    let mut sources = sources::load(&args.sources)?;
    if !args.only.is_empty() {
        let wanted: Vec<String> = args.only.iter().map(|v| v.to_lowercase()).collect();
        sources.retain(|s| {
            s.vendor
                .as_deref()
                .is_some_and(|v| wanted.contains(&v.to_lowercase()))
        });
        if sources.is_empty() {
            anyhow::bail!(
                "no source in {} belongs to {}",
                args.sources.display(),
                args.only.join(", ")
            );
        }
    }
    if args.allow_private {
        for s in &mut sources {
            s.allow_private = true;
        }
    }
    Ok(sources)
}

fn fetch_config(args: &FetchArgs) -> FetchConfig {
    let defaults = FetchConfig::default();
    FetchConfig {
        total_timeout: args.timeout,
        read_timeout: defaults.read_timeout.min(args.timeout),
        connect_timeout: defaults.connect_timeout.min(args.timeout),
        max_body_bytes: args.max_body_mib.saturating_mul(1024 * 1024).max(1),
        ..defaults
    }
}

pub fn reparse(paths: &DataPaths) -> Result<Exit> {
    let _lock = WriterLock::acquire(&paths.lock_file())?;
    if !paths.store.exists() {
        anyhow::bail!(
            "no store at {}: nothing to re-extract",
            paths.store.display()
        );
    }
    let progress = progress_for_terminal();
    let report = pipeline::reparse(paths, progress.as_ref())?;
    print::report(&report, "stored responses")?;
    Ok(exit_for(&report))
}

pub fn ingest(paths: &DataPaths, args: &IngestArgs) -> Result<Exit> {
    let _lock = WriterLock::acquire(&paths.lock_file())?;
    let progress = progress_for_terminal();
    let report = pipeline::ingest(&args.paths, paths, args.kind, progress.as_ref())?;
    print::report(&report, "files")?;
    // A user hands over each file on purpose: one that failed fails the command (after
    // everything that parsed is stored), unlike a crawl, where one bad source is routine.
    Ok(if report.failures.is_empty() {
        Exit::Ok
    } else {
        Exit::Failed
    })
}

fn exit_for(report: &CrawlReport) -> Exit {
    if report.all_failed() {
        Exit::Failed
    } else {
        Exit::Ok
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn progress_for_terminal() -> Box<dyn Progress> {
    if std::io::stderr().is_terminal() {
        Box::new(Bar(ProgressBar::new(0)))
    } else {
        Box::new(Lines)
    }
}

/// A progress bar on stderr.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, total: usize) {
        self.0.set_length(total as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {wide_msg}")
        {
            self.0.set_style(style.progress_chars("=> "));
        }
    }

    fn source_done(&self, url: &str, outcome: &str) {
        self.0.set_message(format!("{url}: {outcome}"));
        self.0.inc(1);
        if self.0.position() >= self.0.length().unwrap_or(0) {
            self.0.finish_and_clear();
        }
    }
}

/// The sources file's text: empty when it does not exist yet; an error (naming the file and
/// why) when it cannot be read or is not UTF-8, so that nothing is written over it.
fn read_sources_file(path: &std::path::Path) -> Result<String> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
            anyhow::anyhow!(
                "{} is not valid UTF-8 (first bad byte at offset {}), so nothing was added; \
                 save it as UTF-8 first",
                path.display(),
                e.utf8_error().valid_up_to()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
    }
}

/// Replaces `path` by `bytes` through a temporary file beside it and a rename, so a crash or
/// a full disk leaves either the old file or the new one, never a part.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sources.toml".into());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        std::io::Write::write_all(&mut f, bytes)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        anyhow::bail!("cannot write {}: {e}", path.display());
    }
    Ok(())
}

/// One line per source on stderr, for logs and pipes.
struct Lines;

impl Progress for Lines {
    fn start(&self, total: usize) {
        eprintln!("{total} to read");
    }

    fn source_done(&self, url: &str, outcome: &str) {
        eprintln!("{url}: {}", crate::extract::text::one_line(outcome));
    }
}

pub fn sources_add(args: &SourcesAddArgs) -> Result<Exit> {
    let page =
        url::Url::parse(&args.url).with_context(|| format!("{:?} is not a URL", args.url))?;
    // Read (and check) the file before probing: a file we cannot read whole is refused and
    // left as it is, never rewritten with only the new block.
    let existing = read_sources_file(&args.sources)?;
    sources::parse(&existing).map_err(|e| {
        anyhow::anyhow!(
            "{} is not a valid sources file, so nothing was added (fix it first): {e}",
            args.sources.display()
        )
    })?;
    let runtime = runtime()?;
    let probe = runtime.block_on(async {
        let fetcher = Fetcher::new(FetchConfig::default(), None)?;
        anyhow::Ok(discover::probe(&fetcher, &page, args.allow_private).await)
    })?;
    for (url, answer) in &probe.tried {
        eprintln!("  {url}: {}", crate::extract::text::one_line(answer));
    }
    let Some(found) = probe.found else {
        anyhow::bail!(
            "no status feed or API found for {} (tried {} addresses)",
            page,
            probe.tried.len()
        );
    };
    let gazetteer = crate::extract::vendor::Gazetteer::builtin();
    let vendor = args
        .vendor
        .clone()
        .or_else(|| {
            page.host_str()
                .and_then(|h| gazetteer.by_host(h))
                .map(str::to_string)
        })
        .or_else(|| {
            found
                .vendor_hint
                .as_deref()
                .map(|v| gazetteer.canonical(v).unwrap_or(v).to_string())
        })
        .ok_or_else(|| anyhow::anyhow!("cannot tell the vendor of {page}: pass --vendor NAME"))?;
    let block = discover::source_block(&vendor, &found, args.allow_private);
    let combined = format!("{existing}{block}");
    sources::parse(&combined)
        .map_err(|e| anyhow::anyhow!("not added to {}: {e}", args.sources.display()))?;
    write_atomically(&args.sources, combined.as_bytes())?;
    println!(
        "added {vendor}: {} ({}, {} incidents now) to {}",
        found.url,
        found.kind,
        found.incidents,
        args.sources.display()
    );
    Ok(Exit::Ok)
}
