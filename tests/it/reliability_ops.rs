//! RELIABILITY.md sections D and E through the real binary: one writer per data directory
//! (D5), readers and backups during a crawl (D6, D10), `watch` with its cadence and a clean stop
//! on SIGTERM (E1), a crash between the store and the index (D3), proxies from the environment
//! ignored (A12), bounded memory against a gzip bomb (A14), and terminal escapes never reaching
//! the terminal (F7). Servers bind 127.0.0.1 only.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::cli::{events_json, ok_stdout, outages};
use crate::rawserver::{RawServer, write_sources};

pub(crate) fn binary(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_outages"));
    cmd.arg("--data-dir")
        .arg(data)
        .env_remove("OUTAGES_DATA_DIR")
        .env_remove("OUTAGES_FAILPOINT")
        .env("OUTAGES_LOG", "warn");
    cmd
}

pub(crate) fn spawn(data: &Path, args: &[&str]) -> Child {
    binary(data)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn outages")
}

/// Waits for `child` at most `limit`, killing it past that so a hang fails the test, not CI.
pub(crate) fn wait_bounded(mut child: Child, limit: Duration) -> Output {
    let started = Instant::now();
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "still running after {limit:?}\nstdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub(crate) fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    done()
}

pub(crate) fn sources_file(dir: &Path, server: &RawServer, paths: &[&str]) -> PathBuf {
    let list: Vec<(String, String)> = paths
        .iter()
        .enumerate()
        .map(|(n, p)| (format!("Vendor {n}"), server.url(p)))
        .collect();
    let file = dir.join("sources.toml");
    write_sources(&file, &list);
    file
}

pub(crate) fn integrity(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).expect("open copy");
    conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
        .expect("integrity_check")
}

fn incident_count(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row("SELECT count(*) FROM incidents", [], |r| r.get(0))
        .expect("count")
}

/// Like [`incident_count`], but 0 while the store is still being created.
fn incidents_so_far(db: &Path) -> i64 {
    rusqlite::Connection::open(db)
        .and_then(|c| c.query_row("SELECT count(*) FROM incidents", [], |r| r.get(0)))
        .unwrap_or(0)
}

#[test]
fn second_writer_exits_at_once_while_readers_and_backup_work_during_a_crawl() {
    let server = RawServer::start();
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let mut paths: Vec<String> = (0..30).map(|n| format!("/slow/{n}")).collect();
    paths.push("/silent".into());
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let sources = sources_file(work.path(), &server, &refs);
    let sources = sources.to_str().expect("utf-8");
    let first = spawn(
        &data,
        &[
            "crawl",
            "--sources",
            sources,
            "--timeout",
            "4s",
            "--concurrency",
            "2",
        ],
    );
    let lock = data.join("outages.sqlite.lock");
    assert!(
        wait_until(Duration::from_secs(10), || {
            std::fs::read_to_string(&lock).is_ok_and(|t| t.trim() == first.id().to_string())
        }),
        "the first crawl never took the lock"
    );

    let started = Instant::now();
    let second = binary(&data)
        .args(["crawl", "--sources", sources])
        .output()
        .expect("second crawl");
    assert!(started.elapsed() < Duration::from_secs(2), "must not wait");
    assert_eq!(second.status.code(), Some(75));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains(&format!(
            "another run holds {} (pid {})",
            lock.display(),
            first.id()
        )),
        "{stderr}"
    );
    let watch = binary(&data)
        .args(["watch", "--sources", sources])
        .output()
        .expect("watch");
    assert_eq!(watch.status.code(), Some(75), "watch is a writer too");
    for writer in ["remerge", "reparse"] {
        let out = binary(&data).arg(writer).output().expect(writer);
        assert_eq!(out.status.code(), Some(75), "{writer} is a writer too");
    }

    // Readers and the backup run while the crawl writes.
    assert!(
        wait_until(Duration::from_secs(10), || incidents_so_far(
            &data.join("outages.sqlite")
        ) > 0),
        "the crawl stored nothing"
    );
    let timeline = outages(&data, &["timeline", "--json"]);
    assert!(timeline.status.success(), "timeline during a crawl");
    let copy = work.path().join("copy.sqlite");
    let backup = outages(&data, &["backup", copy.to_str().expect("utf-8")]);
    let text = ok_stdout(&backup);
    assert!(text.contains("backed up"), "{text}");
    assert_eq!(integrity(&copy), "ok");
    let copied = incident_count(&copy);
    assert!(
        copied > 0 && copied % 2 == 0,
        "whole documents only: {copied}"
    );
    let again = outages(&data, &["backup", copy.to_str().expect("utf-8")]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "an existing file is never overwritten"
    );

    let out = wait_bounded(first, Duration::from_secs(30));
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("sources: 30 ok, 0 not modified, 1 failed; incidents: 60 new"),
        "{summary}"
    );
    assert!(summary.contains("failed [timeout] Vendor 30"), "{summary}");
    assert_eq!(integrity(&data.join("outages.sqlite")), "ok");
    // The lock died with its holder: the next crawl runs (everything is fresh or backing off).
    let next = ok_stdout(&outages(&data, &["crawl", "--sources", sources]));
    assert!(next.contains("deferred 1 sources"), "{next}");
}

#[test]
fn watch_recrawls_on_its_interval_and_stops_cleanly_on_sigterm() {
    let server = RawServer::start();
    let work = tempfile::tempdir().expect("tempdir");
    let sources = sources_file(work.path(), &server, &["/ok/1"]);
    let child = spawn(
        work.path(),
        &[
            "watch",
            "--sources",
            sources.to_str().expect("utf-8"),
            "--interval",
            "1s",
        ],
    );
    assert!(
        wait_until(Duration::from_secs(15), || server.hits("/ok/1") >= 2),
        "watch must fetch the source again after one interval"
    );
    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let out = wait_bounded(child, Duration::from_secs(10));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(stderr.contains("stopped after"), "{stderr}");
    assert_eq!(integrity(&work.path().join("outages.sqlite")), "ok");
    let found = events_json(&outages(work.path(), &["search", "fileserver", "--json"]));
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found:#}");
}

fn event_count(db: &Path) -> usize {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0))
        .map(|n| usize::try_from(n).unwrap_or(0))
        .expect("count")
}

/// Issue 21, item 1: readers never take the index from the writer. `watch` writes (and syncs
/// the index) every second while a `search` runs every 100 ms; then `reindex` starts beside an
/// `ingest`. Every command succeeds, and the index lists exactly the store's events.
#[test]
fn readers_and_reindex_never_stop_the_writer() {
    let server = RawServer::start();
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let sources = sources_file(work.path(), &server, &["/changing/1", "/changing/2"]);
    let watch = spawn(
        &data,
        &[
            "watch",
            "--sources",
            sources.to_str().expect("utf-8"),
            "--interval",
            "1s",
        ],
    );
    let db = data.join("outages.sqlite");
    assert!(
        wait_until(Duration::from_secs(20), || incidents_so_far(&db) > 0),
        "watch stored nothing"
    );
    let started = Instant::now();
    let mut searches = 0;
    while started.elapsed() < Duration::from_secs(20) {
        let out = binary(&data)
            .args(["search", "fileserver", "--json"])
            .output()
            .expect("search");
        assert!(
            out.status.success(),
            "search failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        searches += 1;
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(searches >= 20, "{searches} searches");
    assert!(server.hits("/changing/1") >= 5, "watch kept crawling");
    let killed = Command::new("kill")
        .args(["-TERM", &watch.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let out = wait_bounded(watch, Duration::from_secs(20));
    assert!(
        out.status.success(),
        "watch died beside the readers: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = |data: &Path| {
        events_json(&outages(data, &["timeline", "--json", "--limit", "5000"]))
            .as_array()
            .map_or(0, Vec::len)
    };
    assert_eq!(listed(&data), event_count(&db), "index and store agree");

    // `reindex` beside `ingest`: whichever takes the lock first, the other waits.
    let fixtures = format!("{}/tests/fixtures/statuspage", env!("CARGO_MANIFEST_DIR"));
    let ingest = spawn(&data, &["ingest", &fixtures]);
    let reindex = spawn(&data, &["reindex"]);
    for (name, child) in [("ingest", ingest), ("reindex", reindex)] {
        let out = wait_bounded(child, Duration::from_secs(120));
        // The fixture folder holds files made to fail (ingest exits 1 for those, after
        // storing the rest); what matters is that neither died on the other's lock.
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("another run holds"), "{name}: {stderr}");
        assert!(!stderr.contains("LockBusy"), "{name}: {stderr}");
        assert!(
            out.status
                .code()
                .is_some_and(|c| c == 0 || (name == "ingest" && c == 1)),
            "{name}: {:?} {stderr}",
            out.status
        );
    }
    assert_eq!(listed(&data), event_count(&db), "index and store agree");
}

#[test]
fn crash_between_store_and_index_is_healed_at_the_next_start() {
    let server = RawServer::start();
    let work = tempfile::tempdir().expect("tempdir");
    let sources = sources_file(work.path(), &server, &["/ok/1", "/ok/2"]);
    let crashed = binary(work.path())
        .args(["crawl", "--sources", sources.to_str().expect("utf-8")])
        .env("OUTAGES_FAILPOINT", "abort-before-index")
        .output()
        .expect("crawl");
    assert!(!crashed.status.success(), "the failpoint aborts");
    assert_eq!(incident_count(&work.path().join("outages.sqlite")), 4);
    let found = events_json(&outages(work.path(), &["search", "fileserver", "--json"]));
    assert_eq!(
        found.as_array().map(Vec::len),
        Some(2),
        "search syncs the index from the store on start-up: {found:#}"
    );
}

#[test]
fn proxies_from_the_environment_are_ignored() {
    let server = RawServer::start();
    let work = tempfile::tempdir().expect("tempdir");
    let sources = sources_file(work.path(), &server, &["/ok/1"]);
    let out = binary(work.path())
        .args(["crawl", "--sources", sources.to_str().expect("utf-8")])
        .env("HTTP_PROXY", "http://127.0.0.1:1")
        .env("http_proxy", "http://127.0.0.1:1")
        .env("HTTPS_PROXY", "http://127.0.0.1:1")
        .env("ALL_PROXY", "http://127.0.0.1:1")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .expect("crawl");
    let text = ok_stdout(&out);
    assert!(text.contains("sources: 1 ok"), "{text}");
    assert_eq!(server.hits("/ok/1"), 1);
}

/// Peak resident memory (VmHWM, KiB) of a crawl of one source, read from /proc while it runs.
pub(crate) fn crawl_peak_kib(server: &RawServer, path: &str) -> (u64, String) {
    let work = tempfile::tempdir().expect("tempdir");
    let sources = sources_file(work.path(), server, &[path]);
    let child = spawn(
        work.path(),
        &[
            "crawl",
            "--sources",
            sources.to_str().expect("utf-8"),
            "--max-body-mib",
            "1",
            "--timeout",
            "20s",
        ],
    );
    let status = PathBuf::from(format!("/proc/{}/status", child.id()));
    let mut peak = 0u64;
    let mut child = child;
    while child.try_wait().expect("try_wait").is_none() {
        if let Ok(text) = std::fs::read_to_string(&status) {
            let hwm = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
            peak = peak.max(hwm.unwrap_or(0));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = child.wait_with_output().expect("output");
    (peak, String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn gzip_bomb_is_refused_at_the_cap_with_bounded_memory() {
    if !Path::new("/proc/self/status").exists() {
        eprintln!("skipping: no /proc to read peak memory from");
        return;
    }
    let server = RawServer::start();
    let (baseline, ok) = crawl_peak_kib(&server, "/ok/1");
    assert!(ok.contains("sources: 1 ok"), "{ok}");
    let (bomb, text) = crawl_peak_kib(&server, "/bomb");
    assert!(text.contains("failed [too_large] Vendor 0"), "{text}");
    let bomb_mib = crate::rawserver::bomb_size() / (1024 * 1024);
    assert!(
        bomb < baseline + 32 * 1024,
        "peak {bomb} KiB against a baseline of {baseline} KiB for a {bomb_mib} MiB bomb"
    );
}

#[test]
fn stacked_gzip_bomb_is_refused_at_the_cap_with_bounded_memory() {
    if !Path::new("/proc/self/status").exists() {
        eprintln!("skipping: no /proc to read peak memory from");
        return;
    }
    let server = RawServer::start();
    let (baseline, ok) = crawl_peak_kib(&server, "/stacked/1");
    assert!(ok.contains("sources: 1 ok"), "gzip, gzip decodes: {ok}");
    let (bomb, text) = crawl_peak_kib(&server, "/stacked-bomb");
    assert!(text.contains("failed [too_large] Vendor 0"), "{text}");
    assert!(
        bomb < baseline + 32 * 1024,
        "peak {bomb} KiB against a baseline of {baseline} KiB for a two-layer bomb"
    );
}

#[test]
fn terminal_escapes_in_feeds_never_reach_stored_text_or_the_terminal() {
    let work = tempfile::tempdir().expect("tempdir");
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/hardening/escape-injection-statuspage-imitation.json"
    );
    ok_stdout(&outages(
        work.path(),
        &["ingest", fixture, "--kind", "statuspage-json"],
    ));
    let outputs = [
        outages(work.path(), &["timeline"]),
        outages(work.path(), &["timeline", "--json"]),
        outages(work.path(), &["search", "login"]),
        outages(work.path(), &["sources", "list"]),
    ];
    for out in &outputs {
        let text = ok_stdout(out);
        assert!(
            !text
                .chars()
                .any(|c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{202e}'),
            "control or bidi characters in output: {text:?}"
        );
    }
    let events = events_json(&outputs[1]);
    assert_eq!(
        events[0]["title"], "Login failures for some users",
        "escape sequences are dropped whole; the text around them is kept"
    );
    let conn = rusqlite::Connection::open(work.path().join("outages.sqlite")).expect("db");
    let stored: String = conn
        .query_row(
            "SELECT title || group_concat(u.text) FROM incidents JOIN updates u ON u.incident_id = incidents.id",
            [],
            |r| r.get(0),
        )
        .expect("stored text");
    assert!(
        !stored
            .chars()
            .any(|c| c == '\u{1b}' || c == '\u{7}' || c == '\u{9b}'),
        "{stored:?}"
    );
}

#[test]
fn hostile_queries_end_with_a_message_never_an_abort() {
    let work = tempfile::tempdir().expect("tempdir");
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/hardening/escape-injection-statuspage-imitation.json"
    );
    ok_stdout(&outages(
        work.path(),
        &["ingest", fixture, "--kind", "statuspage-json"],
    ));
    let deep = format!("{}login{}", "(".repeat(400), ")".repeat(400));
    let long = "login ".repeat(20_000);
    let huge_nest = format!("{}login{}", "(".repeat(10_000), ")".repeat(10_000));
    let cases = [
        (
            deep.as_str(),
            Some(2),
            "nests parentheses deeper than 16 levels",
        ),
        (
            long.as_str(),
            Some(2),
            "the query is longer than 1000 characters",
        ),
        (
            huge_nest.as_str(),
            Some(2),
            "the query is longer than 1000 characters",
        ),
        ("\u{1b}[2J login *:*~^", Some(0), ""),
    ];
    for (query, code, message) in cases {
        let out = outages(work.path(), &["search", query]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), code, "{} chars: {stderr}", query.len());
        assert!(stderr.contains(message), "{stderr}");
        assert!(!out.stdout.contains(&0x1b));
    }
}

/// A backup that fails half-way (here a file-size limit, as a full disk would) names the
/// target, exits non-zero and leaves no partial file behind.
#[test]
fn a_failed_backup_leaves_nothing_behind() {
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/statuspage/incidents-list-imitation.json"
    );
    ok_stdout(&outages(&data, &["ingest", fixture]));
    let copy = work.path().join("copy.sqlite");
    // SIGXFSZ ignored, so the write past the limit fails with EFBIG instead of killing us.
    // Room for the store's shared-memory file (32 KiB), not for the whole copy.
    let size_kib = std::fs::metadata(data.join("outages.sqlite"))
        .expect("store")
        .len()
        / 1024;
    assert!(
        size_kib > 80,
        "the store is too small to cut a copy of: {size_kib} KiB"
    );
    let script = format!(
        "trap '' XFSZ; ulimit -f {}; exec \"$0\" --data-dir \"$1\" backup \"$2\"",
        size_kib / 2
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_outages"))
        .arg(&data)
        .arg(&copy)
        .env("OUTAGES_LOG", "warn")
        .output()
        .expect("bash runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("copy.sqlite (nothing left behind)"), "{err}");
    assert!(!copy.exists(), "a partial backup was left");
    // Without the limit the same backup works.
    ok_stdout(&outages(&data, &["backup", copy.to_str().expect("utf-8")]));
    assert_eq!(integrity(&copy), "ok");
}
