//! `demo`, `crawl`, `watch` and `ingest`: the commands that write, with a progress bar on a
//! terminal and plain log lines otherwise, and a summary at the end; and `backup`. Each writer
//! holds the data directory's lock (see [`crate::lock`]) for its whole run.

use std::io::IsTerminal;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use super::{Exit, data_root, print};
use crate::cli::{BackupArgs, CrawlArgs, DemoArgs, FetchArgs, IngestArgs, WatchArgs};
use crate::crawl::{self as pipeline, CrawlOptions, CrawlReport, DataPaths, Progress};
use crate::fetch::{FetchConfig, Fetcher, Mirror};
use crate::lock::WriterLock;
use crate::schedule::{self, StopSignal};
use crate::snapshot::SnapshotServer;
use crate::sources::{self, Source};
use crate::store::{IncidentFilter, Store};

pub fn demo(paths: &DataPaths, args: &DemoArgs) -> Result<Exit> {
    let _lock = WriterLock::acquire(&paths.lock_file())?;
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
        let report = pipeline::crawl(sources, &fetcher, paths, 8, false, progress.as_ref()).await;
        server.stop().await;
        anyhow::Ok(report?)
    })?;
    print::report(&report, "sources")?;
    let store = Store::open(&paths.store)?;
    let latest = store.incidents(&IncidentFilter {
        limit: Some(args.show),
        ..IncidentFilter::default()
    })?;
    println!();
    println!("Latest outages (store: {}):", paths.store.display());
    let events: Vec<_> = latest.iter().map(crate::model::Event::from).collect();
    print::timeline(&events)?;
    println!();
    println!("Try: outages search \"network\"   or   outages timeline --vendor GitHub");
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

pub fn ingest(paths: &DataPaths, args: &IngestArgs) -> Result<Exit> {
    let _lock = WriterLock::acquire(&paths.lock_file())?;
    let progress = progress_for_terminal();
    let report = pipeline::ingest(&args.paths, paths, args.kind, progress.as_ref())?;
    print::report(&report, "files")?;
    Ok(exit_for(&report))
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

/// One line per source on stderr, for logs and pipes.
struct Lines;

impl Progress for Lines {
    fn start(&self, total: usize) {
        eprintln!("crawling {total} sources");
    }

    fn source_done(&self, url: &str, outcome: &str) {
        eprintln!("{url}: {}", crate::extract::text::one_line(outcome));
    }
}
