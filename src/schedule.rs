//! When each source is fetched next, and `outages watch`, the long-running loop that follows it.
//!
//! The policy is persistent (it lives in the store as `sources.next_attempt_at`), so a restart,
//! a cron-driven `crawl` and `watch` all honour the same backoff: after a failure a source waits
//! exponentially longer (never dropped: the wait is capped), a `Retry-After` is honoured, and a
//! success waits as long as the server said the document stays fresh. `crawl --force` ignores
//! it. SIGTERM and SIGINT stop the loop cleanly: no new fetch starts, the writer commits what it
//! has, the index is synced, and the process exits.

use std::time::Duration;

use chrono::{DateTime, Utc};
use thiserror::Error;
use tokio::sync::watch;

use crate::crawl::{self, CrawlError, CrawlOptions, CrawlReport, DataPaths, Progress};
use crate::fetch::{Fetcher, RETRY_AFTER_MAX};
use crate::sources::Source;
use crate::store::{SourceState, Store};

/// Wait after the first failure; it doubles with each further consecutive failure.
pub const BACKOFF_BASE: Duration = Duration::from_secs(60);
/// Longest wait, whatever the failures or the server ask: a source is retried at least this
/// often, so a long outage of a feed never drops it.
pub const BACKOFF_MAX: Duration = RETRY_AFTER_MAX;

/// The wait after `failures` consecutive failures (1 = the first): 1 min, 2 min, 4 min ... 6 h.
pub fn backoff(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(20);
    BACKOFF_BASE
        .saturating_mul(1u32 << doublings)
        .min(BACKOFF_MAX)
}

/// When to try a source again after a failure: the exponential backoff, or longer when the
/// server's (already clamped) `Retry-After` asks for more.
pub fn next_after_failure(
    now: DateTime<Utc>,
    failures: u32,
    retry_after: Option<Duration>,
) -> DateTime<Utc> {
    let wait = backoff(failures).max(retry_after.unwrap_or(Duration::ZERO));
    add(now, wait)
}

/// When to try a source again after a success: not before the server's freshness lifetime
/// runs out (`None`: at the next run).
pub fn next_after_success(
    now: DateTime<Utc>,
    fresh_for: Option<Duration>,
) -> Option<DateTime<Utc>> {
    fresh_for
        .filter(|d| !d.is_zero())
        .map(|d| add(now, d.min(BACKOFF_MAX)))
}

/// When `watch` should next fetch a source: one interval after its last attempt, or later if
/// it is backing off or still fresh. A source never tried is due now. Stored times ahead of
/// `now` (the clock was set back) count as `now`, and no wait exceeds [`BACKOFF_MAX`], so a
/// clock jump cannot starve a source.
pub fn due_at(
    state: Option<&SourceState>,
    interval: Duration,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let state = state?;
    let by_interval = state.last_checked_at.map(|t| add(t.min(now), interval));
    let backoff = state.next_attempt_at.map(|t| t.min(add(now, BACKOFF_MAX)));
    match (by_interval, backoff) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn add(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(d)
        .ok()
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(t)
}

/// Exit status after a second stop request: 128 + SIGINT, what a shell reports for a process
/// ended by Ctrl-C.
pub const EXIT_FORCED_STOP: i32 = 130;

/// A stop request shared by the crawl and the watch loop.
#[derive(Debug, Clone)]
pub struct StopSignal {
    rx: watch::Receiver<bool>,
}

/// The sending side of a [`StopSignal`], for callers (and tests) that stop a run themselves.
#[derive(Debug)]
pub struct StopHandle {
    tx: watch::Sender<bool>,
}

impl StopHandle {
    pub fn stop(&self) {
        let _ = self.tx.send(true);
    }
}

impl StopSignal {
    /// A signal and the handle that raises it.
    pub fn new() -> (StopHandle, StopSignal) {
        let (tx, rx) = watch::channel(false);
        (StopHandle { tx }, StopSignal { rx })
    }

    /// A signal raised by SIGTERM or SIGINT. Must be called inside a tokio runtime; the
    /// listening task lives as long as the runtime.
    ///
    /// A second SIGINT or SIGTERM exits the process at once with status
    /// [`EXIT_FORCED_STOP`]: someone pressing Ctrl-C twice does not want to wait for a slow
    /// server or a long write. Nothing committed is lost by it: SQLite rolls an unfinished
    /// transaction back on the next open, and the next start-up heals the index from the store.
    pub fn on_termination() -> Result<StopSignal, std::io::Error> {
        let (handle, signal) = StopSignal::new();
        #[cfg(unix)]
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        #[cfg(unix)]
        let mut interrupt =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
        tokio::spawn(async move {
            #[cfg(unix)]
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = term.recv() => {}
            }
            #[cfg(not(unix))]
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("stop requested: finishing the current writes");
            eprintln!("stopping: finishing the current write (press Ctrl-C again to quit at once)");
            handle.stop();
            #[cfg(unix)]
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = term.recv() => {}
            }
            #[cfg(not(unix))]
            let _ = tokio::signal::ctrl_c().await;
            eprintln!("second stop request: quitting now; the next run finishes the work");
            std::process::exit(EXIT_FORCED_STOP);
        });
        Ok(signal)
    }

    pub fn is_stopped(&self) -> bool {
        *self.rx.borrow()
    }

    /// Resolves once a stop is requested (never, if every handle is gone without one).
    pub async fn stopped(&mut self) {
        if self.rx.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Why `watch` could not go on.
#[derive(Debug, Error)]
pub enum WatchError {
    #[error(transparent)]
    Crawl(#[from] CrawlError),
    #[error("the interval must be at least one second, not {0:?}")]
    Interval(Duration),
}

/// What a `watch` did before it stopped.
#[derive(Debug, Clone, Default)]
pub struct WatchSummary {
    /// Rounds that fetched at least one source.
    pub rounds: usize,
    /// Reports of the rounds, oldest first (the last few only; see [`KEPT_REPORTS`]).
    pub reports: Vec<CrawlReport>,
}

/// Reports kept in a [`WatchSummary`], so months of watching use constant memory.
pub const KEPT_REPORTS: usize = 16;

/// Crawls each source whenever it is due (see [`due_at`]) until `stop` is raised, sleeping in
/// between. Store errors end the loop; source failures never do.
pub async fn watch(
    sources: Vec<Source>,
    fetcher: &Fetcher,
    paths: &DataPaths,
    interval: Duration,
    concurrency: usize,
    mut stop: StopSignal,
    progress: &dyn Progress,
) -> Result<WatchSummary, WatchError> {
    if interval < Duration::from_secs(1) {
        return Err(WatchError::Interval(interval));
    }
    let mut summary = WatchSummary::default();
    while !stop.is_stopped() {
        let now = Utc::now();
        let (due, next_due) = {
            let store = Store::open(&paths.store).map_err(CrawlError::from)?;
            let mut due = Vec::new();
            let mut next_due: Option<DateTime<Utc>> = None;
            for source in &sources {
                let state = store.source(&source.url).map_err(CrawlError::from)?;
                match due_at(state.as_ref(), interval, now) {
                    Some(at) if at > now => {
                        next_due = Some(next_due.map_or(at, |n| n.min(at)));
                    }
                    _ => due.push(source.clone()),
                }
            }
            (due, next_due)
        };
        if !due.is_empty() {
            let options = CrawlOptions {
                concurrency,
                force: false,
                stop: Some(stop.clone()),
                ..CrawlOptions::default()
            };
            let report = crawl::crawl_with(due, fetcher, paths, &options, progress).await?;
            summary.rounds += 1;
            if summary.reports.len() == KEPT_REPORTS {
                summary.reports.remove(0);
            }
            summary.reports.push(report);
            continue;
        }
        // Sleep until the earliest due source, at least a second (so a clock that jumped back
        // cannot make this spin) and at most one interval (so one that jumped forward is
        // noticed).
        let wait = next_due
            .and_then(|at| (at - now).to_std().ok())
            .unwrap_or(interval)
            .clamp(Duration::from_secs(1), interval);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.stopped() => {}
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::t;

    #[test]
    fn backoff_doubles_from_one_minute_and_caps_at_six_hours() {
        let secs: Vec<u64> = [1, 2, 3, 4, 9, 10, 40, u32::MAX]
            .iter()
            .map(|&n| backoff(n).as_secs())
            .collect();
        assert_eq!(
            secs,
            vec![60, 120, 240, 480, 15_360, 21_600, 21_600, 21_600]
        );
        assert_eq!(backoff(0).as_secs(), 60);
    }

    #[test]
    fn retry_after_longer_than_backoff_wins_shorter_does_not() {
        let now = t("2024-03-01T10:00:00Z");
        assert_eq!(
            next_after_failure(now, 1, Some(Duration::from_secs(7))),
            t("2024-03-01T10:01:00Z")
        );
        assert_eq!(
            next_after_failure(now, 1, Some(Duration::from_secs(900))),
            t("2024-03-01T10:15:00Z")
        );
        assert_eq!(next_after_failure(now, 3, None), t("2024-03-01T10:04:00Z"));
    }

    #[test]
    fn freshness_sets_the_next_attempt_and_zero_means_next_run() {
        let now = t("2024-03-01T10:00:00Z");
        assert_eq!(
            next_after_success(now, Some(Duration::from_secs(300))),
            Some(t("2024-03-01T10:05:00Z"))
        );
        assert_eq!(next_after_success(now, Some(Duration::ZERO)), None);
        assert_eq!(next_after_success(now, None), None);
        assert_eq!(
            next_after_success(now, Some(Duration::from_secs(10 * 86_400))),
            Some(t("2024-03-01T16:00:00Z"))
        );
    }

    fn state(checked: Option<&str>, next: Option<&str>) -> SourceState {
        SourceState {
            url: "https://example.com/feed".into(),
            vendor: None,
            kind: None,
            role: None,
            etag: None,
            last_modified: None,
            last_checked_at: checked.map(t),
            last_success_at: None,
            last_error: None,
            last_error_class: None,
            consecutive_failures: 0,
            next_attempt_at: next.map(t),
            oldest_item_at: None,
            newest_item_at: None,
        }
    }

    #[test]
    fn due_time_is_the_later_of_interval_and_backoff() {
        let ten = Duration::from_secs(600);
        let now = t("2024-03-01T10:05:00Z");
        assert_eq!(due_at(None, ten, now), None);
        let s = state(Some("2024-03-01T10:00:00Z"), None);
        assert_eq!(due_at(Some(&s), ten, now), Some(t("2024-03-01T10:10:00Z")));
        let s = state(Some("2024-03-01T10:00:00Z"), Some("2024-03-01T11:00:00Z"));
        assert_eq!(due_at(Some(&s), ten, now), Some(t("2024-03-01T11:00:00Z")));
        let s = state(Some("2024-03-01T10:00:00Z"), Some("2024-03-01T10:01:00Z"));
        assert_eq!(due_at(Some(&s), ten, now), Some(t("2024-03-01T10:10:00Z")));
    }

    #[test]
    fn a_clock_set_back_does_not_starve_a_source() {
        let ten = Duration::from_secs(600);
        // Last checked "in 2030" and backing off until 2031, seen from a clock now in 2024.
        let now = t("2024-03-01T10:00:00Z");
        let s = state(Some("2030-01-01T00:00:00Z"), Some("2031-01-01T00:00:00Z"));
        assert_eq!(due_at(Some(&s), ten, now), Some(t("2024-03-01T16:00:00Z")));
        let s = state(Some("2030-01-01T00:00:00Z"), None);
        assert_eq!(due_at(Some(&s), ten, now), Some(t("2024-03-01T10:10:00Z")));
    }

    #[tokio::test]
    async fn stop_signal_wakes_a_sleeping_waiter() {
        let (handle, mut signal) = StopSignal::new();
        assert!(!signal.is_stopped());
        let waiter = tokio::spawn(async move {
            tokio::select! {
                _ = signal.stopped() => "stopped",
                _ = tokio::time::sleep(Duration::from_secs(3600)) => "slept",
            }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        handle.stop();
        assert_eq!(waiter.await.expect("join"), "stopped");
    }
}
