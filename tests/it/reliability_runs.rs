//! Unattended runs through the real binary (RELIABILITY.md D4, D6, E1): a full disk stops a
//! crawl with a clear error and loses nothing committed; a second Ctrl-C quits `crawl` and
//! `watch` at once; readers never write, so they answer from a store they may not write to and
//! while a crawl runs. Servers bind 127.0.0.1 only.

use std::collections::BTreeSet;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::cli::{events_json, ok_stdout, outages};
use crate::rawserver::RawServer;
use crate::reliability_ops::{binary, integrity, sources_file, spawn, wait_bounded, wait_until};

fn ids(db: &Path) -> BTreeSet<String> {
    let conn = rusqlite::Connection::open(db).expect("open");
    let mut stmt = conn.prepare("SELECT id FROM incidents").expect("prepare");
    stmt.query_map([], |r| r.get::<_, String>(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("ids")
}

fn signal(pid: u32, name: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("kill");
    assert!(sent.success(), "kill -{name} {pid}");
}

/// The disk fills up in the middle of a crawl. Without root (no tmpfs) the clean way to get a
/// real failing write is a file size limit: `ulimit -f` in a shell that ignores SIGXFSZ (an
/// ignored signal stays ignored across `exec`), so the write returns `EFBIG` to SQLite as a
/// full disk's `ENOSPC` would, through the same code path, with no test hook in the binary.
#[test]
fn full_disk_stops_the_crawl_with_a_clear_error_and_loses_nothing_committed() {
    let server = RawServer::start();
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let db = data.join("outages.sqlite");
    let sources = sources_file(work.path(), &server, &["/ok/1"]);
    let sources = sources.to_str().expect("utf-8").to_string();
    ok_stdout(&outages(&data, &["crawl", "--sources", &sources]));
    let committed = ids(&db);
    assert_eq!(committed.len(), 2);
    assert!(
        std::fs::metadata(&db).expect("store").len() < 1024 * 1024,
        "the store must start below the limit"
    );

    // 3 MiB of incompressible text must be written; files may not pass 1 MiB (2048 × 512 B).
    sources_file(work.path(), &server, &["/ok/1", "/big/2"]);
    let full = Command::new("sh")
        .arg("-c")
        .arg(r#"trap "" XFSZ; ulimit -f 2048; exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_outages"))
        .args(["--data-dir", data.to_str().expect("utf-8")])
        .args(["crawl", "--sources", &sources, "--force"])
        .env_remove("OUTAGES_DATA_DIR")
        .env_remove("OUTAGES_FAILPOINT")
        .env("OUTAGES_LOG", "warn")
        .output()
        .expect("crawl under a file size limit");
    let stderr = String::from_utf8_lossy(&full.stderr);
    assert_eq!(full.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("database {}", db.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains("disk full or a file size limit; free space and run again; every earlier commit is intact"),
        "{stderr}"
    );
    assert_eq!(integrity(&db), "ok");
    assert_eq!(
        ids(&db),
        committed,
        "nothing committed lost, nothing half-written"
    );

    // Space is back: the next run stores the big document too.
    let again = ok_stdout(&outages(
        &data,
        &["crawl", "--sources", &sources, "--force"],
    ));
    assert!(again.contains("sources: 2 ok"), "{again}");
    assert_eq!(ids(&db).len(), 4);
    assert!(ids(&db).is_superset(&committed));
}

/// The first SIGINT asks for a clean stop, which lets the write under way finish (a failpoint
/// makes it take 30 s, as a slow disk would); the second quits at once with status 130, and
/// the next run finds an intact store and finishes the work.
#[test]
fn a_second_interrupt_quits_crawl_and_watch_at_once() {
    let server = RawServer::start();
    for command in ["crawl", "watch"] {
        let work = tempfile::tempdir().expect("tempdir");
        let data = work.path().join("data");
        let sources = sources_file(work.path(), &server, &["/ok/3"]);
        let mut child = binary(&data)
            .args([command, "--sources", sources.to_str().expect("utf-8")])
            .env("OUTAGES_FAILPOINT", "slow-write")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn outages");
        let (lines_tx, lines) = mpsc::channel::<String>();
        let stderr = child.stderr.take().expect("stderr");
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut seen = Vec::new();
        let holding = |seen: &mut Vec<String>, needle: &str, limit: Duration| {
            let deadline = Instant::now() + limit;
            while let Some(left) = deadline.checked_duration_since(Instant::now()) {
                match lines.recv_timeout(left) {
                    Ok(line) if line.contains(needle) => return true,
                    Ok(line) => seen.push(line),
                    Err(_) => return false,
                }
            }
            false
        };
        assert!(
            holding(&mut seen, "failpoint slow-write", Duration::from_secs(20)),
            "{command} never reached the write: {seen:?}"
        );
        signal(child.id(), "INT");
        assert!(
            holding(&mut seen, "press Ctrl-C again", Duration::from_secs(5)),
            "{command}: the first interrupt asks for a clean stop: {seen:?}"
        );
        assert!(
            child.try_wait().expect("try_wait").is_none(),
            "{command}: the first interrupt waits for the write under way"
        );
        signal(child.id(), "INT");
        assert!(
            holding(
                &mut seen,
                "second stop request: quitting now",
                Duration::from_secs(5)
            ),
            "{seen:?}"
        );
        let status = wait_bounded(child, Duration::from_secs(5)).status;
        assert_eq!(status.code(), Some(130), "{command}: {seen:?}");
        reader.join().expect("stderr reader");
        let db = data.join("outages.sqlite");
        assert_eq!(integrity(&db), "ok", "{command}");
        let next = ok_stdout(&outages(
            &data,
            &["crawl", "--sources", sources.to_str().expect("utf-8")],
        ));
        assert!(
            next.contains("sources: 1 ok"),
            "{command}: the next run finishes the work: {next}"
        );
    }
}

fn pending_vendors(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row(
        "SELECT count(DISTINCT i.vendor) FROM incidents i
         LEFT JOIN event_members m ON m.incident_id = i.id
         WHERE m.incident_id IS NULL OR m.incident_hash != i.content_hash",
        [],
        |r| r.get(0),
    )
    .expect("pending")
}

fn event_count(db: &Path) -> usize {
    let conn = rusqlite::Connection::open(db).expect("open");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .expect("events");
    usize::try_from(n).expect("count")
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn readers_answer_from_a_read_only_store_with_pending_merges_and_during_a_crawl() {
    let server = RawServer::start();
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let db = data.join("outages.sqlite");
    let sources = sources_file(work.path(), &server, &["/ok/4"]);
    ok_stdout(&outages(
        &data,
        &["crawl", "--sources", sources.to_str().expect("utf-8")],
    ));
    assert_eq!(
        pending_vendors(&db),
        0,
        "a crawl merges as part of its write"
    );
    let events = event_count(&db);

    // A crawl holding the writer lock and a slow fetch does not hold readers up.
    let busy = sources_file(work.path(), &server, &["/ok/5", "/silent"]);
    let before = server.hits("/silent");
    let crawl = spawn(
        &data,
        &[
            "crawl",
            "--sources",
            busy.to_str().expect("utf-8"),
            "--timeout",
            "3s",
        ],
    );
    assert!(wait_until(Duration::from_secs(20), || server
        .hits("/silent")
        > before));
    let during = events_json(&outages(&data, &["timeline", "--json"]));
    assert!(
        during.as_array().is_some_and(|a| a.len() >= events),
        "{during:#}"
    );
    let crawled = wait_bounded(crawl, Duration::from_secs(30));
    assert!(String::from_utf8_lossy(&crawled.stdout).contains("1 failed"));
    let events = event_count(&db);

    // An interrupted writer left one incident unmerged; the file is then made read-only.
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.execute(
        "UPDATE event_members SET incident_hash = '' WHERE incident_id =
             (SELECT min(incident_id) FROM event_members)",
        [],
    )
    .expect("mark one incident unmerged");
    drop(conn);
    assert_eq!(pending_vendors(&db), 1);
    set_mode(&db, 0o444);
    let bytes = std::fs::read(&db).expect("store bytes");

    let timeline = outages(&data, &["timeline", "--json"]);
    let stderr = String::from_utf8_lossy(&timeline.stderr).into_owned();
    let listed = events_json(&timeline);
    assert_eq!(listed.as_array().map(Vec::len), Some(events), "{listed:#}");
    assert!(stderr.contains("not merged into events yet"), "{stderr}");
    // Both feeds served the same outage under one vendor: merged, it is one event.
    let found = events_json(&outages(&data, &["search", "fileserver", "--json"]));
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found:#}");
    let first = listed
        .as_array()
        .and_then(|a| a.first())
        .and_then(|e| e.get("id"))
        .and_then(|v| v.as_str())
        .expect("an event id")
        .to_string();
    ok_stdout(&outages(&data, &["show", &first]));
    ok_stdout(&outages(&data, &["sources", "list"]));

    assert_eq!(
        std::fs::read(&db).expect("store bytes"),
        bytes,
        "readers never write"
    );
    assert_eq!(
        pending_vendors(&db),
        1,
        "readers leave merging to the writers"
    );

    set_mode(&db, 0o644);
    ok_stdout(&binary(&data).arg("remerge").output().expect("remerge"));
    assert_eq!(pending_vendors(&db), 0);
    let after = outages(&data, &["timeline", "--json"]);
    assert!(
        !String::from_utf8_lossy(&after.stderr).contains("not merged"),
        "nothing pending once a writer ran"
    );
}
