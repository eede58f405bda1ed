//! One function per command: read the arguments, call the library, print for a person or as
//! JSON. Errors carry their context up to `main`, which prints the chain and sets the exit code.

pub(crate) mod analytics;
mod crawl;
mod eval;
mod extract;
mod merge;
mod print;
mod query;
mod serve;

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Result;

use crate::cli::{Cli, Command, SourcesCommand};
use crate::crawl::DataPaths;

/// What the process should exit with.
pub enum Exit {
    Ok,
    /// The command ran but failed as a whole (every source failed).
    Failed,
}

pub fn run(cli: Cli) -> Result<Exit> {
    let paths = DataPaths::new(cli.data_dir.as_deref());
    match cli.command {
        Command::Demo(args) => crawl::demo(&paths, &args),
        Command::Crawl(args) => crawl::crawl(&paths, &args),
        Command::Ingest(args) => crawl::ingest(&paths, &args),
        Command::Extract(args) => extract::extract(&args),
        Command::Eval(args) => eval::eval(&args),
        Command::Search(args) => query::search(&paths, &args),
        Command::Timeline(args) => query::timeline(&paths, &args),
        Command::Stats(args) => analytics::stats(&paths, &args),
        Command::Compare(args) => analytics::compare(&paths, &args),
        Command::Export(args) => analytics::export(&paths, &args),
        Command::Watchlist(cmd) => analytics::watchlist(&paths, &cmd),
        Command::Show(args) => analytics::show(&paths, &args),
        Command::Sources(SourcesCommand::List(args)) => analytics::sources_list(&paths, &args),
        Command::Sources(SourcesCommand::Add(args)) => crawl::sources_add(&args),
        Command::Reparse => crawl::reparse(&paths),
        Command::Serve(args) => serve::serve(&paths, &args),
        Command::Reindex => query::reindex(&paths),
        Command::Remerge => merge::remerge(&paths),
        Command::History(args) => merge::history(&paths, &args),
        Command::Watch(args) => crawl::watch(&paths, &args),
        Command::Backup(args) => crawl::backup(&paths, &args),
    }
}

/// The project's `data/` folder: the working directory's when it has one (a checkout), else the
/// one this binary was built from.
fn data_root() -> PathBuf {
    let local = PathBuf::from("data");
    if local.join("snapshot").is_dir() || local.join("sources.toml").is_file() {
        return local;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data")
}

fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}
