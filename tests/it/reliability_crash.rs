//! RELIABILITY.md D1, D2 and D9: `kill -9` at seeded random moments during crawls and ingests
//! of the real binary. After every round the store passes `PRAGMA integrity_check`, holds every
//! incident an earlier round committed (nothing acknowledged is lost), the index agrees with the
//! store once opened and synced (what start-up does), and a final uninterrupted run finishes
//! the work. 20 rounds by default; `OUTAGES_HEAVY_TESTS=1` runs 100.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use outages::index::SearchIndex;
use outages::store::Store;

use crate::rawserver::{RawServer, statuspage_json, write_sources};

/// Sources (or files) per round: two incidents each.
const PER_ROUND: usize = 24;

/// xorshift64*: a seeded, dependency-free generator, so a failing round can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low)
    }
}

fn rounds() -> usize {
    if std::env::var("OUTAGES_HEAVY_TESTS").is_ok_and(|v| v == "1") {
        100
    } else {
        20
    }
}

fn stored_ids(db: &Path) -> BTreeSet<String> {
    if !db.exists() {
        return BTreeSet::new();
    }
    let conn = rusqlite::Connection::open(db).expect("open store");
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(integrity, "ok");
    // A kill during the very first migration may leave no table yet: that is an empty store.
    let Ok(mut stmt) = conn.prepare("SELECT id FROM incidents") else {
        return BTreeSet::new();
    };
    stmt.query_map([], |r| r.get::<_, String>(0))
        .expect("ids")
        .collect::<Result<_, _>>()
        .expect("read ids")
}

/// Opens the store and the index as start-up does (sync), and checks they agree.
fn assert_index_agrees(data: &Path) {
    let store = Store::open(&data.join("outages.sqlite")).expect("store reopens");
    let mut index = SearchIndex::open(&data.join("index")).expect("index reopens");
    index.sync(&store).expect("sync");
    let fresh = SearchIndex::open(&data.join("index")).expect("index reopens after sync");
    assert_eq!(
        fresh.num_docs(),
        store.event_count().expect("events"),
        "one document per event"
    );
    assert_eq!(fresh.indexed_rev(), store.current_rev().expect("rev"));
}

#[test]
fn kill_9_at_random_points_never_loses_committed_incidents_or_corrupts() {
    let server = RawServer::start();
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let db = data.join("outages.sqlite");
    let seed = 0x0005_EED0_F0A7_A6E5;
    let mut rng = Rng(seed);
    let mut committed = BTreeSet::new();
    let mut all_sources = Vec::new();
    let mut ingest_dirs = Vec::new();
    let mut interrupted = 0;
    for round in 0..rounds() {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_outages"));
        cmd.arg("--data-dir")
            .arg(&data)
            .env_remove("OUTAGES_DATA_DIR")
            .env_remove("OUTAGES_FAILPOINT")
            .env("OUTAGES_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if round % 3 == 2 {
            // Ingest rounds: files of fresh incidents.
            let dir = work.path().join(format!("ingest-{round}"));
            std::fs::create_dir_all(&dir).expect("mkdir");
            for n in 0..PER_ROUND {
                std::fs::write(
                    dir.join(format!("{n}.json")),
                    statuspage_json(&format!("i{round}x{n}")),
                )
                .expect("write");
            }
            cmd.args(["ingest", dir.to_str().expect("utf-8")]);
            ingest_dirs.push(dir);
        } else {
            let list: Vec<(String, String)> = (0..PER_ROUND)
                .map(|n| {
                    (
                        format!("Vendor {round} {n}"),
                        server.url(&format!("/slow/{round}x{n}")),
                    )
                })
                .collect();
            let file = work.path().join(format!("sources-{round}.toml"));
            write_sources(&file, &list);
            cmd.args([
                "crawl",
                "--sources",
                file.to_str().expect("utf-8"),
                "--concurrency",
                "2",
            ]);
            all_sources.extend(list);
        }
        let mut child = cmd.spawn().expect("spawn");
        let delay = rng.between(30, 1200);
        std::thread::sleep(Duration::from_millis(delay));
        if child.try_wait().expect("try_wait").is_none() {
            interrupted += 1;
        }
        let _ = child.kill();
        let _ = child.wait();

        let now = stored_ids(&db);
        let lost: Vec<&String> = committed.difference(&now).collect();
        assert!(
            lost.is_empty(),
            "round {round} (seed {seed:#x}, kill after {delay} ms) lost {lost:?}"
        );
        if db.exists() && !now.is_empty() {
            assert_index_agrees(&data);
        }
        committed = now;
    }

    assert!(
        interrupted * 2 >= rounds(),
        "only {interrupted} of {} rounds were killed mid-run",
        rounds()
    );

    // One uninterrupted run of everything finishes the work.
    let file = work.path().join("sources-all.toml");
    write_sources(&file, &all_sources);
    let out = Command::new(env!("CARGO_BIN_EXE_outages"))
        .arg("--data-dir")
        .arg(&data)
        .args([
            "crawl",
            "--force",
            "--sources",
            file.to_str().expect("utf-8"),
        ])
        .env_remove("OUTAGES_FAILPOINT")
        .output()
        .expect("final crawl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut ingest = Command::new(env!("CARGO_BIN_EXE_outages"));
    ingest.arg("--data-dir").arg(&data).arg("ingest");
    for dir in &ingest_dirs {
        ingest.arg(dir);
    }
    let out = ingest.output().expect("final ingest");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all = stored_ids(&db);
    assert_eq!(all.len(), rounds() * PER_ROUND * 2);
    assert_index_agrees(&data);
}
