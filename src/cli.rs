//! The command line: every command and its options, with the help a newcomer reads.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand};

use crate::model::Format;

#[derive(Debug, Parser)]
#[command(
    name = "outages",
    version,
    about = "Outage timeline and news aggregator: crawls vendor status feeds into a local, searchable timeline",
    long_about = "Crawls vendors' status pages (Atlassian Statuspage, Google Cloud, AWS, Azure, Slack, incident.io, Salesforce Trust and more), extracts each outage with its times, severity, services and updates, and keeps them in a local SQLite store with a full-text index.\n\nStart with `outages demo`: it crawls the bundled offline snapshot over a loopback server and prints a timeline."
)]
pub struct Cli {
    /// Folder for the SQLite store and the search index [default: store in data/, index in index/]
    #[arg(long, global = true, env = "OUTAGES_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Crawl the bundled snapshot (served on a loopback port) and print a summary and the latest outages
    Demo(DemoArgs),
    /// Fetch every source, then store and index what they hold
    Crawl(CrawlArgs),
    /// Import local files or folders (feeds, API responses) as a crawl would
    Ingest(IngestArgs),
    /// Print the outage events in one local file as JSON, without touching the store
    Extract(ExtractArgs),
    /// Score the press extractor on a labelled set: per-field precision and recall
    Eval(EvalArgs),
    /// Full-text search over titles, updates and causes
    Search(SearchArgs),
    /// Outages in time order, newest first
    Timeline(TimelineArgs),
    /// Reliability figures for a vendor: incidents, outage minutes, availability, time to resolve
    Stats(StatsArgs),
    /// The reliability figures of several vendors side by side over the same period
    Compare(CompareArgs),
    /// Write the matching events as JSON, CSV, an Atom feed or an iCalendar file
    Export(ExportArgs),
    /// Saved searches, for `export --watchlist NAME`
    #[command(subcommand)]
    Watchlist(WatchlistCommand),
    /// One event with its updates, sources and every version seen
    Show(ShowArgs),
    /// The sources and their health
    #[command(subcommand)]
    Sources(SourcesCommand),
    /// Extract again from the raw responses stored by earlier crawls (no fetching)
    Reparse,
    /// Serve the web UI and the JSON API on a local address
    Serve(ServeArgs),
    /// Rebuild the search index from the SQLite store
    Reindex,
    /// Regroup every stored incident and press report into events (ids of existing events are kept)
    Remerge,
    /// What vendors changed in an event's incidents between crawls, and what they deleted
    History(HistoryArgs),
    /// Keep crawling: each source on its own cadence, backing off failing ones, until SIGTERM or Ctrl-C
    Watch(WatchArgs),
    /// Write a consistent copy of the store to FILE (safe while a crawl runs)
    Backup(BackupArgs),
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The event id (or the id of any incident in it)
    pub id: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The copy to write; must not exist yet
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Fetch options shared by `crawl` and `watch`.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Sources file
    #[arg(long, default_value = "data/sources.toml", value_name = "FILE")]
    pub sources: PathBuf,
    /// Crawl only these vendors (case-insensitive; repeatable)
    #[arg(long, value_name = "VENDOR", num_args = 1..)]
    pub only: Vec<String>,
    /// Requests in flight at once (per-host limits still apply)
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Let every source use private and loopback addresses (local test servers, intranet pages)
    #[arg(long)]
    pub allow_private: bool,
    /// Deadline for one whole request, body included, e.g. 30s or 2m
    #[arg(long, default_value = "30s", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,
    /// Largest response body accepted, in MiB, counted after decompression
    #[arg(long, default_value_t = 16, value_name = "MIB")]
    pub max_body_mib: usize,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub fetch: FetchArgs,
    /// How often each source is fetched when healthy, e.g. 10m, 1h, 90s
    #[arg(long, default_value = "10m", value_parser = parse_duration, value_name = "DURATION")]
    pub interval: std::time::Duration,
}

#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// Each source with its kind, last success, last error and how far back its history reaches
    List(SourcesListArgs),
    /// Detect the platform of a status page (probing its known endpoints politely) and add its feed
    Add(SourcesAddArgs),
}

#[derive(Debug, Args)]
pub struct SourcesAddArgs {
    /// The status page's address, e.g. https://www.githubstatus.com
    pub url: String,
    /// The vendor's name [default: from the page, or the vendor gazetteer by host]
    #[arg(long)]
    pub vendor: Option<String>,
    /// Sources file to add to
    #[arg(long, default_value = "data/sources.toml", value_name = "FILE")]
    pub sources: PathBuf,
    /// Allow a private or loopback address (intranet status pages, tests)
    #[arg(long)]
    pub allow_private: bool,
}

#[derive(Debug, Args)]
pub struct SourcesListArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The vendor (typos are corrected: "salesfroce" finds Salesforce)
    #[arg(long)]
    pub vendor: String,
    /// Only incidents affecting this service (substring, case-insensitive)
    #[arg(long)]
    pub service: Option<String>,
    /// Only incidents in this region (e.g. us-east-1, Europe)
    #[arg(long)]
    pub region: Option<String>,
    /// Period start (YYYY-MM-DD or RFC 3339); an incident belongs to the period by its start
    #[arg(long, value_parser = parse_time, value_name = "DATE")]
    pub since: Option<DateTime<Utc>>,
    /// Period end (exclusive; a bare date means the end of that day)
    #[arg(long, value_parser = parse_until, value_name = "DATE")]
    pub until: Option<DateTime<Utc>>,
    /// Print JSON
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the figures as CSV (one row)
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Two or more vendors
    #[arg(required = true, num_args = 2..)]
    pub vendors: Vec<String>,
    #[arg(long, value_parser = parse_time, value_name = "DATE")]
    pub since: Option<DateTime<Utc>>,
    #[arg(long, value_parser = parse_until, value_name = "DATE")]
    pub until: Option<DateTime<Utc>>,
    /// Also write the incidents-per-month chart as SVG to this file
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Print JSON
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the figures as CSV (one row per vendor)
    #[arg(long)]
    pub csv: bool,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
    Atom,
    Ics,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,
    /// A query in the search language (words, vendor:, region:, severity:, during: ...); empty
    /// exports everything
    #[arg(num_args = 0..)]
    pub query: Vec<String>,
    /// Write to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// At most this many events
    #[arg(long, default_value_t = 10_000, value_parser = parse_limit)]
    pub limit: usize,
    /// Skip this many matching events first (with --limit: page through them)
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Export a saved search instead of QUERY (see `outages watchlist`)
    #[arg(long, value_name = "NAME", conflicts_with = "query")]
    pub watchlist: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum WatchlistCommand {
    /// Save a search under a name, e.g. `watchlist add aws-east vendor:AWS region:us-east-1`
    Add {
        name: String,
        /// The query, in the search language
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
    },
    /// The saved searches
    List,
    /// Forget a saved search
    Remove { name: String },
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The event id (as printed by search --json or timeline --json)
    pub id: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Result order for search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SortArg {
    /// Relevance boosted by severity and recency
    Best,
    /// Text relevance only
    Relevance,
    /// Newest first
    Time,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Exit after the crawl and the summary instead of serving the web UI on 127.0.0.1:8080
    #[arg(long)]
    pub no_serve: bool,
    /// How many timeline entries to print
    #[arg(long, default_value_t = 15)]
    pub show: usize,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default: the UI has no login)
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub addr: std::net::SocketAddr,
}

#[derive(Debug, Args)]
pub struct CrawlArgs {
    #[command(flatten)]
    pub fetch: FetchArgs,
    /// Fetch every source now, even one backing off after failures or one the server said is
    /// unchanged or still fresh (ignores stored ETag/Last-Modified and the schedule)
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files or folders (read recursively)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Force the format instead of detecting it from each file's content
    #[arg(long, value_name = "KIND")]
    pub kind: Option<Format>,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// The file to read
    pub file: PathBuf,
    /// Publication time for documents that carry none (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_parser = parse_time, value_name = "DATE")]
    pub published: Option<DateTime<Utc>>,
    /// The URL the file was fetched from (used for links)
    #[arg(long)]
    pub url: Option<String>,
    /// The format, when detection from the content is not wanted
    #[arg(long, value_name = "KIND")]
    pub kind: Option<Format>,
    /// The vendor, when the document does not name it
    #[arg(long)]
    pub vendor: Option<String>,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A folder of labelled sets (every `*.jsonl` in it, one labelled item per line, as
    /// tests/fixtures/press/labelled.jsonl), or one such file; a folder with a `labels.jsonl`
    /// beside `.txt` pages (as ../shared/corpus/press-pages) is scored page by page
    pub dir: PathBuf,
    /// Where items that name their text in the shared corpus find it
    #[arg(long, default_value = "../shared/corpus")]
    pub corpus: PathBuf,
}

/// Filters shared by search and timeline.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only this vendor (case-insensitive)
    #[arg(long)]
    pub vendor: Option<String>,
    /// Only outages that started on or after this time (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_parser = parse_time, value_name = "DATE")]
    pub since: Option<DateTime<Utc>>,
    /// Only outages that started before this time (YYYY-MM-DD or RFC 3339; a date means its end)
    #[arg(long, value_parser = parse_until, value_name = "DATE")]
    pub until: Option<DateTime<Utc>>,
    /// Print the events as JSON (the event contract)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words, "phrases", AND/OR/NOT, and filters: vendor:X service:X region:X severity:X
    /// cause:X source:status|press after:DATE before:DATE during:2021
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    /// Result order
    #[arg(long, value_enum, default_value_t = SortArg::Best)]
    pub sort: SortArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// How many results
    #[arg(long, default_value_t = 20, value_parser = parse_limit)]
    pub limit: usize,
    /// Skip this many results first (the next page: --offset 20)
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    #[command(flatten)]
    pub filters: FilterArgs,
    /// How many events at most
    #[arg(long, default_value_t = 200, value_parser = parse_limit)]
    pub limit: usize,
    /// Skip this many events first (the next page: --offset 200)
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
}

/// A page size: a whole number of at least 1 (a limit of 0 would read as "no matches").
pub fn parse_limit(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{s:?} is not a whole number")),
    }
}

/// A duration: a whole number with `s`, `m`, `h` or `d` (`90s`, `10m`, `1h`); a bare number is
/// seconds.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (expected e.g. 30s, 10m, 1h)"))?;
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{s:?}: unknown unit {unit:?} (use s, m, h or d)")),
    };
    n.checked_mul(scale)
        .map(std::time::Duration::from_secs)
        .ok_or_else(|| format!("{s:?} is too long"))
}

/// `2023-01-31` (midnight UTC) or an RFC 3339 time.
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("{s:?} is not a date (expected YYYY-MM-DD or RFC 3339)"))
}

/// Like [`parse_time`], but a bare date means the end of that day, so `--until 2023-01-31`
/// includes the 31st.
pub fn parse_until(s: &str) -> Result<DateTime<Utc>, String> {
    let t = parse_time(s)?;
    if DateTime::parse_from_rfc3339(s).is_ok() {
        return Ok(t);
    }
    Ok(t + chrono::Duration::days(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn dates_and_times_parse() {
        assert_eq!(
            parse_time("2023-01-31").map(crate::model::rfc3339),
            Ok("2023-01-31T00:00:00Z".to_string())
        );
        assert_eq!(
            parse_until("2023-01-31").map(crate::model::rfc3339),
            Ok("2023-02-01T00:00:00Z".to_string())
        );
        assert!(parse_time("31/01/2023").is_err());
    }

    #[test]
    fn durations_parse_with_units_and_refuse_garbage() {
        let secs = |s: &str| parse_duration(s).map(|d| d.as_secs());
        assert_eq!(secs("90"), Ok(90));
        assert_eq!(secs("30s"), Ok(30));
        assert_eq!(secs("10m"), Ok(600));
        assert_eq!(secs("2h"), Ok(7200));
        assert_eq!(secs("1d"), Ok(86_400));
        assert!(parse_duration("10 minutes").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("99999999999999999999d").is_err());
    }
}
