//! `outages extract FILE`: the inspection tool's output is the event contract.

use crate::cli::{events_json, outages};
use crate::corpus;

#[test]
fn extract_parse_history_rss_prints_17_contract_events() {
    let Some(path) = corpus::corpus_file("statuspage/feeds/parse-status-history-2014.rss") else {
        return;
    };
    let data = tempfile::tempdir().expect("tempdir");
    let out = outages(data.path(), &["extract", path.to_str().expect("utf-8")]);
    let events = events_json(&out);
    let rows = events.as_array().expect("array");
    assert_eq!(rows.len(), 17);
    let first = &rows[0];
    assert_eq!(first["vendor"], "Parse");
    assert_eq!(first["title"], "Elevated error rates");
    assert_eq!(first["start"], "2014-01-01T16:17:00Z");
    assert_eq!(first["end"], "2014-01-01T17:09:00Z");
    assert_eq!(first["duration_minutes"], 52);
    assert_eq!(first["status"], "resolved");
    assert_eq!(first["updates"][0]["status"], "investigating");
    assert_eq!(
        first["sources"][0]["url"],
        "http://status.parse.com/incidents/lzf7mjchpy20"
    );
    assert!(
        !data.path().join("outages.sqlite").exists(),
        "extract must not touch the store"
    );
}

#[test]
fn extract_of_an_unknown_file_names_the_file_and_the_problem() {
    let data = tempfile::tempdir().expect("tempdir");
    let file = data.path().join("notes.bin");
    std::fs::write(&file, b"\x00\x01 definitely not a feed").expect("write");
    let out = outages(data.path(), &["extract", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("notes.bin"), "{err}");
    assert!(err.contains("unrecognised content"), "{err}");
}

#[test]
fn extract_with_a_forced_kind_reports_the_mismatch() {
    let Some(path) = corpus::corpus_file("statuspage/feeds/parse-status-history-2014.rss") else {
        return;
    };
    let data = tempfile::tempdir().expect("tempdir");
    let out = outages(
        data.path(),
        &[
            "extract",
            path.to_str().expect("utf-8"),
            "--kind",
            "gcp-json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("gcp-json"), "{err}");
}

#[test]
fn saved_search_exports_as_csv_and_unknown_names_are_errors() {
    let Some(path) = corpus::corpus_file("statuspage/feeds/parse-status-history-2014.rss") else {
        return;
    };
    let data = tempfile::tempdir().expect("tempdir");
    crate::cli::ok_stdout(&outages(
        data.path(),
        &["ingest", path.to_str().expect("utf-8")],
    ));
    let saved = crate::cli::ok_stdout(&outages(
        data.path(),
        &[
            "watchlist",
            "add",
            "parse-analytics",
            "analytics",
            "vendor:Parse",
        ],
    ));
    assert!(saved.contains("saved parse-analytics"), "{saved}");
    let csv = crate::cli::ok_stdout(&outages(
        data.path(),
        &[
            "export",
            "--format",
            "csv",
            "--watchlist",
            "parse-analytics",
        ],
    ));
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .is_some_and(|h| h.starts_with("id,vendor,title,start,end"))
    );
    let rows: Vec<&str> = lines.collect();
    assert!(!rows.is_empty(), "{csv}");
    assert!(rows.iter().all(|r| r.contains(",Parse,")), "{csv}");
    assert!(rows.iter().any(|r| r.contains("Analytics")), "{csv}");

    let bad = outages(data.path(), &["export", "--watchlist", "nope"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no saved search named \"nope\""));
    let invalid = outages(data.path(), &["watchlist", "add", "x", "(unbalanced"]);
    assert!(!invalid.status.success());
    assert!(String::from_utf8_lossy(&invalid.stderr).contains("not saved"));
}

/// The form `outages extract ARTICLE.txt --published DATE`, with no `--kind`: plain
/// prose is read as an article's text; prose about something else prints `[]`.
#[test]
fn extract_reads_a_plain_text_article_without_a_kind() {
    let data = tempfile::tempdir().expect("tempdir");
    let article = data.path().join("fastly.txt");
    std::fs::write(
        &article,
        "Fastly outage takes down Amazon, Reddit and government websites\n\n\
         Large parts of the internet went dark on Tuesday after a failure at Fastly, the content \
         delivery network. The outage began at 09:47 UTC and lasted about 49 minutes, affecting \
         customers in Europe, North America and Asia.\n",
    )
    .expect("write");
    let out = outages(
        data.path(),
        &[
            "extract",
            article.to_str().expect("utf-8"),
            "--published",
            "2021-06-08T14:00:00Z",
        ],
    );
    let events = events_json(&out);
    let rows = events.as_array().expect("array");
    assert_eq!(rows.len(), 1);
    let e = &rows[0];
    assert_eq!(e["vendor"], "Fastly");
    assert_eq!(e["start"], "2021-06-08T09:47:00Z");
    assert_eq!(e["end"], "2021-06-08T10:36:00Z");
    assert_eq!(e["duration_minutes"], 49);
    assert_eq!(
        e["regions"],
        serde_json::json!(["Europe", "North America", "Asia"])
    );
    assert_eq!(e["sources"][0]["kind"], "press");
    assert_eq!(
        e["sources"][0]["quote"],
        "The outage began at 09:47 UTC and lasted about 49 minutes, affecting customers in Europe, North America and Asia."
    );

    let earnings = data.path().join("earnings.txt");
    std::fs::write(
        &earnings,
        "Quarterly results\n\nAcme reported revenue growth of 12 percent and launched a new product line.\n",
    )
    .expect("write");
    let out = outages(
        data.path(),
        &[
            "extract",
            earnings.to_str().expect("utf-8"),
            "--published",
            "2021-06-08T14:00:00Z",
        ],
    );
    assert_eq!(events_json(&out), serde_json::json!([]));
}

/// `ingest` of several files stores every one that parses, names each that failed with its
/// reason, and exits non-zero, as a single failing file does.
#[test]
fn ingest_of_several_files_fails_when_one_fails_and_keeps_the_rest() {
    let data = tempfile::tempdir().expect("tempdir");
    let good = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/statuspage/incidents-list-imitation.json"
    );
    let bad = data.path().join("broken.json");
    std::fs::write(&bad, b"{\"unknown\": 1}").expect("write");
    let out = outages(data.path(), &["ingest", good, bad.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("files: 1 ok, 0 not modified, 1 failed"),
        "{stdout}"
    );
    let failed: Vec<&str> = stdout.lines().filter(|l| l.contains("failed [")).collect();
    assert_eq!(failed.len(), 1, "{stdout}");
    assert!(failed[0].contains("broken.json"), "{stdout}");
    assert!(failed[0].contains("unrecognised content"), "{stdout}");
    let timeline = crate::cli::ok_stdout(&outages(data.path(), &["timeline", "--json"]));
    let events: serde_json::Value = serde_json::from_str(&timeline).expect("json");
    assert!(
        !events.as_array().expect("array").is_empty(),
        "the file that parsed is stored: {timeline}"
    );
}

/// `ingest` of a folder holding a symbolic-link loop, a FIFO and an oversized file: each gets
/// its message, none hangs or fills memory, and the good file is stored.
#[test]
fn ingest_skips_links_and_fifos_and_refuses_oversized_files() {
    let data = tempfile::tempdir().expect("tempdir");
    let tree = data.path().join("tree");
    std::fs::create_dir(&tree).expect("mkdir");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/statuspage/incidents-list-imitation.json"
        ),
        tree.join("good.json"),
    )
    .expect("copy");
    std::os::unix::fs::symlink(".", tree.join("a")).expect("link a");
    std::os::unix::fs::symlink(".", tree.join("b")).expect("link b");
    let fifo = tree.join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let big = std::fs::File::create(tree.join("huge.json")).expect("create");
    big.set_len(17 * 1024 * 1024).expect("sparse 17 MiB");
    drop(big);
    let started = std::time::Instant::now();
    let out = outages(data.path(), &["ingest", tree.to_str().expect("utf-8")]);
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    // The oversized file is a failure (a real file not read); the rest is not.
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("files: 1 ok, 0 not modified, 1 failed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("huge.json: larger than 16777216 bytes"),
        "{stdout}"
    );
    assert!(
        stderr.contains("a: skipped: a symbolic link inside the folder"),
        "{stderr}"
    );
    assert!(
        stderr.contains("pipe: skipped: not a regular file"),
        "{stderr}"
    );
    let timeline = crate::cli::ok_stdout(&outages(data.path(), &["timeline", "--json"]));
    let events: serde_json::Value = serde_json::from_str(&timeline).expect("json");
    assert!(!events.as_array().expect("array").is_empty(), "{timeline}");
}
