//! End to end over loopback HTTP: `outages crawl` of a Statuspage API document served with
//! ETags, then `search` and `timeline`; a second crawl gets 304s and changes nothing; a changed
//! document updates the incident in place.

use std::path::Path;

use outages::snapshot::SnapshotServer;

use crate::cli::{events_json, ok_stdout, outages};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/crawl");

fn write_sources(dir: &Path, base: &url::Url) -> std::path::PathBuf {
    let path = dir.join("sources.toml");
    let text = format!(
        "[[source]]\nvendor = \"GitHub\"\nurl = \"{base}api/v2/incidents.json\"\nallow_private = true\n\n\
         [[source]]\nvendor = \"Broken Vendor\"\nurl = \"{base}missing/history.atom\"\nallow_private = true\n"
    );
    std::fs::write(&path, text).expect("write sources");
    path
}

fn serve_version(root: &Path, version: &str) {
    let dir = root.join("api/v2");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::copy(
        Path::new(FIXTURES).join(format!("incidents-{version}.json")),
        dir.join("incidents.json"),
    )
    .expect("copy fixture");
}

#[test]
fn crawl_search_timeline_then_conditional_and_changed_recrawl() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let served = tempfile::tempdir().expect("tempdir");
    let data = tempfile::tempdir().expect("tempdir");
    serve_version(served.path(), "v1");
    let server = runtime
        .block_on(SnapshotServer::start(served.path().to_path_buf()))
        .expect("server");
    let sources = write_sources(data.path(), &server.base_url());
    let sources = sources.to_str().expect("utf-8 path");

    // First crawl: one source ok, one failing (404) without stopping the crawl.
    let first = outages(data.path(), &["crawl", "--sources", sources]);
    let text = ok_stdout(&first);
    assert!(
        text.contains(
            "sources: 1 ok, 0 not modified, 1 failed; incidents: 2 new, 0 updated, 0 unchanged"
        ),
        "{text}"
    );
    assert!(text.contains("[http_status] Broken Vendor"), "{text}");

    // The resolved incident is found by search, with its exact fields.
    let found = events_json(&outages(data.path(), &["search", "fileserver", "--json"]));
    let hits = found.as_array().expect("array");
    assert_eq!(hits.len(), 1, "{found:#}");
    let e = &hits[0];
    assert_eq!(e["title"], "Degraded performance for Git Operations");
    assert_eq!(e["vendor"], "GitHub");
    assert_eq!(e["start"], "2023-01-31T14:06:36Z");
    assert_eq!(e["end"], "2023-01-31T14:55:10Z");
    assert_eq!(e["duration_minutes"], 49);
    assert_eq!(e["severity"], "major");
    assert_eq!(e["status"], "resolved");
    assert_eq!(
        e["services"],
        serde_json::json!(["Git Operations", "API Requests"])
    );
    assert_eq!(e["updates"].as_array().map(Vec::len), Some(3));
    assert_eq!(e["updates"][0]["status"], "investigating");

    // Both appear in the timeline, newest first; the ongoing one has no end.
    let timeline = events_json(&outages(data.path(), &["timeline", "--json"]));
    let rows = timeline.as_array().expect("array");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["title"], "Elevated error rates for Actions");
    assert_eq!(rows[0]["end"], serde_json::Value::Null);
    assert_eq!(rows[1]["title"], "Degraded performance for Git Operations");
    let human = ok_stdout(&outages(data.path(), &["timeline", "--vendor", "github"]));
    assert!(
        human.contains("Degraded performance for Git Operations"),
        "{human}"
    );

    // Second crawl: the server answers 304, nothing changes; the failing source is backing
    // off, so it is deferred rather than hammered again.
    let second = ok_stdout(&outages(data.path(), &["crawl", "--sources", sources]));
    assert!(
        second.contains(
            "sources: 0 ok, 1 not modified, 0 failed; incidents: 0 new, 0 updated, 0 unchanged"
        ),
        "{second}"
    );
    assert!(second.contains("deferred 1 sources"), "{second}");

    // The vendor resolves the ongoing incident: one more update, same incident, no duplicate.
    serve_version(served.path(), "v2");
    let third = ok_stdout(&outages(
        data.path(),
        &["crawl", "--sources", sources, "--force"],
    ));
    assert!(
        third.contains(
            "sources: 1 ok, 0 not modified, 1 failed; incidents: 0 new, 1 updated, 1 unchanged"
        ),
        "{third}"
    );
    let timeline = events_json(&outages(data.path(), &["timeline", "--json"]));
    let rows = timeline.as_array().expect("array");
    assert_eq!(rows.len(), 2, "no duplicate after the change");
    assert_eq!(rows[0]["status"], "resolved");
    assert_eq!(rows[0]["end"], "2023-02-01T10:20:00Z");
    assert_eq!(rows[0]["duration_minutes"], 79);
    assert_eq!(rows[0]["updates"].as_array().map(Vec::len), Some(2));

    // The raw responses were kept: extraction runs again from them without fetching.
    runtime.block_on(server.stop());
    let again = ok_stdout(&outages(data.path(), &["reparse"]));
    assert!(
        again.contains("stored responses: 1 ok, 0 not modified, 0 failed; incidents: 0 new, 0 updated, 2 unchanged"),
        "{again}"
    );
}

#[test]
fn every_source_failing_is_a_failed_run() {
    let data = tempfile::tempdir().expect("tempdir");
    // A port that was bound and released: connection refused, fast.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let sources = data.path().join("sources.toml");
    std::fs::write(
        &sources,
        format!("[[source]]\nvendor = \"Nobody\"\nurl = \"http://127.0.0.1:{port}/feed\"\nallow_private = true\n"),
    )
    .expect("write");
    let out = outages(
        data.path(),
        &["crawl", "--sources", sources.to_str().expect("utf-8")],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("failed [connect] Nobody"), "{text}");
}

#[test]
fn private_addresses_are_refused_unless_allowed() {
    let data = tempfile::tempdir().expect("tempdir");
    let sources = data.path().join("sources.toml");
    // Never contacted: the guard refuses the literal before connecting.
    std::fs::write(
        &sources,
        "[[source]]\nvendor = \"Intranet\"\nurl = \"http://127.0.0.1:9/feed\"\n",
    )
    .expect("write");
    let out = outages(
        data.path(),
        &["crawl", "--sources", sources.to_str().expect("utf-8")],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("failed [blocked_address] Intranet"), "{text}");
}

fn status_source(url: String) -> outages::sources::Source {
    outages::sources::Source {
        vendor: Some("Acme".into()),
        url,
        kind: None,
        role: outages::model::ReportKind::Status,
        allow_private: true,
    }
}

/// A server without validators sends the same bytes again: the crawl records the fetch but
/// neither parses nor stores them; an unreadable body is never taken as known, and a forced
/// crawl parses everything.
#[test]
fn identical_body_is_not_parsed_again_unless_forced_or_it_was_unreadable() {
    use outages::crawl::{self, CrawlOptions, DataPaths, Silent};
    use outages::fetch::{FetchConfig, Fetcher};

    let server = crate::rawserver::RawServer::start();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let data = tempfile::tempdir().expect("tempdir");
    let paths = DataPaths::new(Some(data.path()));
    let fetcher = Fetcher::new(FetchConfig::default(), None).expect("fetcher");
    let sources = vec![
        status_source(server.url("/ok/1")),
        status_source(server.url("/html")),
    ];
    let run = |force: bool| {
        let options = CrawlOptions {
            concurrency: 2,
            force,
            ..CrawlOptions::default()
        };
        runtime
            .block_on(crawl::crawl_with(
                sources.clone(),
                &fetcher,
                &paths,
                &options,
                &Silent,
            ))
            .expect("crawl")
    };
    let counts = |r: &crawl::CrawlReport| {
        (
            r.ok,
            r.unchanged,
            r.failures.len(),
            r.incidents.new,
            r.incidents.unchanged,
        )
    };
    let first = run(false);
    assert_eq!(counts(&first), (1, 0, 1, 2, 0));
    // Only a body that was parsed is a reason to skip the same bytes later.
    let store = outages::store::Store::open(&paths.store).expect("store");
    let hashes = store.parsed_body_hashes().expect("hashes");
    let mut urls: Vec<&String> = hashes.keys().collect();
    urls.sort();
    assert_eq!(urls, vec![&server.url("/ok/1")]);
    drop(store);
    // The failed source backs off; the good one answers the same bytes.
    let again = run(false);
    assert_eq!(counts(&again), (1, 1, 0, 0, 0));
    assert_eq!(again.deferred.len(), 1);
    assert_eq!(server.hits("/ok/1"), 2);
    let forced = run(true);
    assert_eq!(counts(&forced), (1, 0, 1, 0, 2));
    assert_eq!(forced.failures[0].class, "not_a_feed");
}

/// A re-crawl where every feed answers 304 writes only the sources' health, in one batched
/// statement: no fetch row, no incident revision, the validators kept, every source due again.
#[test]
fn recrawl_answered_304_records_only_the_sources_health() {
    use outages::crawl::{self, DataPaths, Silent};
    use outages::fetch::{FetchConfig, Fetcher};

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let served = tempfile::tempdir().expect("tempdir");
    let data = tempfile::tempdir().expect("tempdir");
    let names = ["a", "b", "c"];
    for name in names {
        let dir = served.path().join(name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::copy(
            Path::new(FIXTURES).join("incidents-v1.json"),
            dir.join("incidents.json"),
        )
        .expect("copy fixture");
    }
    let server = runtime
        .block_on(SnapshotServer::start(served.path().to_path_buf()))
        .expect("server");
    let base = server.base_url();
    let sources: Vec<_> = names
        .iter()
        .map(|n| status_source(format!("{base}{n}/incidents.json")))
        .collect();
    let paths = DataPaths::new(Some(data.path()));
    let fetcher = Fetcher::new(FetchConfig::default(), None).expect("fetcher");
    let run = || {
        runtime
            .block_on(crawl::crawl(
                sources.clone(),
                &fetcher,
                &paths,
                4,
                false,
                &Silent,
            ))
            .expect("crawl")
    };
    let first = run();
    assert_eq!((first.ok, first.not_modified, first.indexed), (3, 0, 2));
    let db = rusqlite::Connection::open(&paths.store).expect("open");
    let state = |db: &rusqlite::Connection| -> (i64, i64, Vec<(String, String, i64)>) {
        let fetches = db
            .query_row("SELECT count(*) FROM fetches", [], |r| r.get(0))
            .expect("fetches");
        let rev = db
            .query_row("SELECT max(rev) FROM incidents", [], |r| r.get(0))
            .expect("rev");
        let mut stmt = db
            .prepare("SELECT url, etag, consecutive_failures FROM sources ORDER BY url")
            .expect("prepare");
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<Result<Vec<_>, _>>()
            .expect("rows");
        (fetches, rev, rows)
    };
    let checked = |db: &rusqlite::Connection| -> Vec<String> {
        let mut stmt = db
            .prepare("SELECT last_checked_at FROM sources ORDER BY url")
            .expect("prepare");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<Vec<_>, _>>()
            .expect("rows")
    };
    let before = state(&db);
    assert_eq!(before.0, 3);
    assert_eq!(before.2.len(), 3);
    assert!(
        before
            .2
            .iter()
            .all(|(_, etag, failures)| etag.starts_with('"') && *failures == 0)
    );
    let checked_before = checked(&db);
    let again = run();
    assert_eq!(
        (
            again.ok,
            again.not_modified,
            again.failures.len(),
            again.indexed
        ),
        (0, 3, 0, 0)
    );
    assert_eq!(state(&db), before, "a 304 stores no body and no incident");
    let checked_after = checked(&db);
    assert_eq!(checked_after.len(), 3);
    for (old, new) in checked_before.iter().zip(&checked_after) {
        assert!(new > old, "last_checked_at moves on a 304: {old} -> {new}");
    }
    runtime.block_on(server.stop());
}
