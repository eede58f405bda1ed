//! `outages-bench`: times the project's own stages in-process, one stage per invocation, and
//! prints one JSON object of measurements on stdout. `bench/run` calls it interleaved with the
//! peers (Python, the `sqlite3` CLI, `wrk`) and turns the numbers into ratios; this binary
//! never compares anything itself.
//!
//! Everything it generates is seeded ([`outages::bench::generate`]), so ours and the peers see
//! the same events; everything it serves is on loopback.

mod fts;
mod serve;
mod stages;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "outages-bench",
    about = "Times the stages of outages for bench/run"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Prepares the corpora of one size under WORK/nN: a Statuspage JSON archive, a CSV of the
    /// events with re-crawled duplicates, a store with its index, the FTS5 peer's database and
    /// the query set.
    Prepare {
        #[arg(long)]
        work: PathBuf,
        #[arg(long)]
        events: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Generated status feeds (Atom and JSON) for the feed-parsing stage, in WORK/feeds.
        #[arg(long, default_value_t = 0)]
        feeds: usize,
    },
    /// Parses every file under the directories from memory.
    Feeds {
        #[arg(long = "dir", required = true)]
        dirs: Vec<PathBuf>,
    },
    /// Extracts the main text of the article-extraction benchmark's pages and scores it.
    Articles {
        #[arg(long)]
        dir: PathBuf,
    },
    /// Scores a peer's extracted texts (a JSON object sha256 -> text) with the project's metric.
    Score {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        extracted: PathBuf,
    },
    /// Indexes the prepared store of one size from scratch.
    Index {
        #[arg(long)]
        work: PathBuf,
        #[arg(long)]
        events: usize,
        #[arg(long, value_enum, default_value_t = Engine::Ours)]
        engine: Engine,
        /// Ours from rows read into memory before timing, as the FTS5 peer is always fed,
        /// instead of reading the store as a rebuild does.
        #[arg(long)]
        from_rows: bool,
    },
    /// Runs the prepared query set against the prepared index of one size.
    Search {
        #[arg(long)]
        work: PathBuf,
        #[arg(long)]
        events: usize,
        #[arg(long, value_enum, default_value_t = Engine::Ours)]
        engine: Engine,
    },
    /// Upserts the events (half of them re-crawled duplicates) into a fresh store.
    Store {
        #[arg(long)]
        work: PathBuf,
        #[arg(long)]
        events: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Times parse, store and index of the prepared archive separately: the stage sum the
    /// end-to-end `outages ingest` is compared with.
    Stages {
        #[arg(long)]
        work: PathBuf,
        #[arg(long)]
        events: usize,
    },
    /// Serves URLS generated Statuspage Atom feeds on loopback until stdin closes; prints the
    /// port as JSON first.
    Serve {
        #[arg(long)]
        urls: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Crawls URLS feeds of a `serve` process through the project's crawler into a fresh store.
    Crawl {
        #[arg(long)]
        base: String,
        #[arg(long)]
        urls: usize,
        #[arg(long)]
        work: PathBuf,
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Re-crawls after the first crawl, timed together (more than one to profile the
        /// 304 path apart from the first crawl).
        #[arg(long, default_value_t = 1)]
        recrawls: usize,
    },
}

/// Which engine an indexing or search run measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Engine {
    Ours,
    Fts5,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Prepare {
            work,
            events,
            seed,
            feeds,
        } => stages::prepare(&work, events, seed, feeds),
        Command::Feeds { dirs } => stages::feeds(&dirs),
        Command::Articles { dir } => stages::articles(&dir),
        Command::Score { dir, extracted } => stages::score(&dir, &extracted),
        Command::Index {
            work,
            events,
            engine: Engine::Ours,
            from_rows,
        } => stages::index_ours(&work, events, from_rows),
        Command::Index {
            work,
            events,
            engine: Engine::Fts5,
            ..
        } => fts::index(&work, events),
        Command::Search {
            work,
            events,
            engine: Engine::Ours,
        } => stages::search_ours(&work, events),
        Command::Search {
            work,
            events,
            engine: Engine::Fts5,
        } => fts::search(&work, events),
        Command::Store { work, events, seed } => stages::store(&work, events, seed),
        Command::Stages { work, events } => stages::stage_sum(&work, events),
        Command::Serve { urls, seed } => serve::serve(urls, seed),
        Command::Crawl {
            base,
            urls,
            work,
            concurrency,
            recrawls,
        } => stages::crawl(&base, urls, &work, concurrency, recrawls),
    };
    match result {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("outages-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}
