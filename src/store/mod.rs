//! The SQLite store, the source of truth: incidents with every update and every version ever
//! seen, the crawl state of each source, and the raw bodies fetched so extraction can be re-run.
//!
//! The tantivy [`crate::index`] is derived from this database through the `rev` column: every
//! write of an incident takes the next value of one global counter, so "everything changed since
//! rev N" is one indexed query and a crashed index catches up by asking for it.
//!
//! Times are stored as RFC 3339 text in UTC with nine fractional digits: fixed width, so text
//! order is time order, and exact, so an incident reads back equal to what was written.

mod bodiless;
mod coverage;
mod events;
#[cfg(test)]
pub(crate) mod fixtures;
mod incidents;
mod merge;
mod migrations;
mod sources;
mod upsert;
mod walk;
mod watchlists;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use thiserror::Error;

pub use bodiless::ScheduledFetch;
pub use coverage::SourceCoverage;
pub use events::{
    ChangedEvent, EventFilter, EventMemberRow, EventRow, FeedAbsence, MemberRole, ScoreParts,
    StatusWindow, StoredEvent,
};
pub use incidents::{
    ChangedIncident, IncidentFilter, IncidentVersion, TermField, UpsertCounts, VendorSummary,
};
pub use sources::{
    BodyRecord, FetchRecord, FetchedBody, ParsedBodyHash, SourceState, StoredBody, VanishedItem,
    body_sha256,
};
pub use walk::{EventWalk, WalkCursor, WalkedIncident};
pub use watchlists::Watchlist;

/// `PRAGMA cache_size` per connection: 64 MiB (a negative size counts KiB).
const CACHE_SIZE: i64 = -65_536;

/// WAL pages (4 KiB each) written before SQLite checkpoints them into the database.
const WAL_AUTOCHECKPOINT_PAGES: i64 = 16_384;

/// Bytes the WAL file is truncated to after a checkpoint.
const WAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// Prepared statements kept per connection: every statement of the write path at once.
const STATEMENT_CACHE: usize = 64;

/// How long a writer waits for another process's lock before giving up with `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a store operation failed. Every message names the database and what was being done.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The directory meant to hold the database could not be created.
    #[error("cannot create directory {dir} for the database: {source}")]
    CreateDir {
        dir: PathBuf,
        source: std::io::Error,
    },
    /// SQLite could not open or configure the file.
    #[error("cannot open database {db}: {step} failed: {source}")]
    Open {
        db: String,
        step: &'static str,
        source: rusqlite::Error,
    },
    /// The file was written by a newer `outages`; migrating down is not possible.
    #[error(
        "database {db} has schema version {found}, newer than the {supported} this build of outages knows; upgrade outages or use another data directory"
    )]
    TooNew {
        db: String,
        found: i64,
        supported: i64,
    },
    /// A schema migration failed; the transaction was rolled back and the version is unchanged.
    #[error("database {db}: migration {version} failed: {source}")]
    Migration {
        db: String,
        version: i64,
        source: rusqlite::Error,
    },
    /// A reader found a schema older than this build's; readers never migrate (they never
    /// write), so the next writer has to upgrade the file first.
    #[error(
        "database {db} has schema version {found}, older than the {supported} this build of outages reads; run a writer once (`outages crawl`, `ingest` or `remerge`) to upgrade it"
    )]
    Outdated {
        db: String,
        found: i64,
        supported: i64,
    },
    /// A read or write failed; `op` names the operation and the incident or source.
    #[error("database {db}: {op} failed: {source}{}", full_disk_hint(source))]
    Sql {
        db: String,
        op: String,
        source: rusqlite::Error,
    },
    /// A stored value cannot be decoded (a hand-edited or damaged row).
    #[error("database {db}: {what} is unreadable: {reason}")]
    Corrupt {
        db: String,
        what: String,
        reason: String,
    },
    /// Compressing or decompressing a stored body failed.
    #[error("database {db}: {op} failed: {source}")]
    Body {
        db: String,
        op: String,
        source: std::io::Error,
    },
    /// The caller passed a fetch that cannot be recorded as a success.
    #[error("cannot record the fetch of {url}: {reason}")]
    InvalidFetch { url: String, reason: String },
    /// A backup destination that cannot be used.
    #[error("cannot back up to {dest}: {reason}")]
    InvalidBackup { dest: String, reason: String },
}

/// Totals for summaries (`outages status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreCounts {
    pub incidents: u64,
    pub sources: u64,
}

/// One SQLite connection. Writes take `&mut self`, so one owner serialises them.
pub struct Store {
    conn: Connection,
    /// The file (or `:memory:`) for error messages.
    db: String,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                dir: dir.to_path_buf(),
                source,
            })?;
        }
        let db = path.display().to_string();
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            db: db.clone(),
            step: "open",
            source,
        })?;
        // WAL lets the web UI read while the crawler writes; NORMAL is durable across process
        // crashes (only a power loss can drop the last commit, and the next crawl refetches it).
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|source| StoreError::Open {
                db: db.clone(),
                step: "PRAGMA journal_mode = WAL",
                source,
            })?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(db = %db, journal_mode = %mode, "SQLite refused WAL mode");
        }
        let mut store = Store { conn, db };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing database for reading only: no migration, no journal-mode change, and
    /// `query_only` on, so `timeline`, `search`, `show` and `serve` never write, work on a file
    /// they may not write to, and never wait on the writer's lock (WAL readers see the last
    /// commit).
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let db = path.display().to_string();
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
            db: db.clone(),
            step: "open read-only",
            source,
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|source| StoreError::Open {
                db: db.clone(),
                step: "busy_timeout",
                source,
            })?;
        conn.pragma_update(None, "query_only", "ON")
            .map_err(|source| StoreError::Open {
                db: db.clone(),
                step: "PRAGMA query_only = ON",
                source,
            })?;
        let store = Store { conn, db };
        let supported = migrations::latest_version();
        let found = store.schema_version()?;
        if found > supported {
            return Err(StoreError::TooNew {
                db: store.db,
                found,
                supported,
            });
        }
        if found < supported {
            return Err(StoreError::Outdated {
                db: store.db,
                found,
                supported,
            });
        }
        Ok(store)
    }

    /// A private database in memory, for tests.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let db = ":memory:".to_string();
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            db: db.clone(),
            step: "open",
            source,
        })?;
        let mut store = Store { conn, db };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    fn configure(&self) -> Result<(), StoreError> {
        let open_err = |step: &'static str| {
            let db = self.db.clone();
            move |source| StoreError::Open { db, step, source }
        };
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(open_err("busy_timeout"))?;
        self.conn
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err("PRAGMA foreign_keys = ON"))?;
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err("PRAGMA synchronous = NORMAL"))?;
        // The default 2 MB page cache holds a small part of the indexes of a million incidents
        // (ids, revs, and update identities, which include the text): every upsert then reads
        // pages back from the file. 64 MB keeps their inner pages resident.
        self.conn
            .pragma_update(None, "cache_size", CACHE_SIZE)
            .map_err(open_err("PRAGMA cache_size"))?;
        // A bulk writer (ingest, a first crawl) fills the WAL fast; checkpointing at SQLite's
        // default of 1,000 pages copied the same hot b-tree pages back into the database
        // dozens of times. Commits are durable in the WAL either way; the checkpoint only
        // moves them, so a larger WAL costs disk space (bounded after it is checkpointed by
        // journal_size_limit), not safety.
        self.conn
            .pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)
            .map_err(open_err("PRAGMA wal_autocheckpoint"))?;
        self.conn
            .pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)
            .map_err(open_err("PRAGMA journal_size_limit"))?;
        // The crawl's listing check builds a temporary table per feed: keep it off the disk.
        self.conn
            .pragma_update(None, "temp_store", "MEMORY")
            .map_err(open_err("PRAGMA temp_store = MEMORY"))?;
        // The write path prepares some thirty distinct statements (incidents, updates,
        // versions, listings, sources, events); rusqlite's default cache of 16 would evict
        // and re-prepare them on every group commit.
        self.conn
            .set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(())
    }

    /// Applies the migrations this file has not seen yet, each in its own transaction together
    /// with its `user_version`, so an interrupted run leaves a whole version and resumes there.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let supported = migrations::latest_version();
        let found = self.schema_version()?;
        if found > supported {
            return Err(StoreError::TooNew {
                db: self.db.clone(),
                found,
                supported,
            });
        }
        for (version, sql) in (1i64..).zip(migrations::MIGRATIONS.iter()) {
            if version <= found {
                continue;
            }
            let fail = |source| StoreError::Migration {
                db: self.db.clone(),
                version,
                source,
            };
            let tx = self.conn.transaction().map_err(fail)?;
            tx.execute_batch(sql).map_err(fail)?;
            tx.pragma_update(None, "user_version", version)
                .map_err(fail)?;
            tx.commit().map_err(fail)?;
            tracing::debug!(db = %self.db, version, "applied migration");
        }
        Ok(())
    }

    /// Runs `work` inside one write transaction, committed when it returns `Ok` and rolled back
    /// otherwise: the crawl's group commit. Every write method called inside becomes a savepoint
    /// of this transaction instead of a commit of its own, so a batch of sources costs one
    /// commit, and a crash loses only the batch not yet committed (whose sources keep their old
    /// validators and are fetched again).
    pub fn in_batch<T, E: From<StoreError>>(
        &mut self,
        work: impl FnOnce(&mut Store) -> Result<T, E>,
    ) -> Result<T, E> {
        if !self.conn.is_autocommit() {
            return work(self);
        }
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.sql("starting a batch of writes", e))?;
        match work(self) {
            Ok(value) => {
                self.conn
                    .execute_batch("COMMIT")
                    .map_err(|e| self.sql("committing a batch of writes", e))?;
                Ok(value)
            }
            Err(e) => {
                if let Err(rollback) = self.conn.execute_batch("ROLLBACK") {
                    tracing::warn!(db = %self.db, error = %rollback, "rolling back a failed batch");
                }
                Err(e)
            }
        }
    }

    /// The applied migration count (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|source| self.sql("reading PRAGMA user_version", source))
    }

    /// The rev of the last incident write; 0 on an empty store.
    pub fn current_rev(&self) -> Result<i64, StoreError> {
        current_rev(&self.conn, &self.db)
    }

    /// How many incidents and sources the store holds.
    pub fn counts(&self) -> Result<StoreCounts, StoreError> {
        let count = |table: &str| -> Result<u64, StoreError> {
            let n: i64 = self
                .conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .map_err(|source| self.sql(&format!("counting {table}"), source))?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        Ok(StoreCounts {
            incidents: count("incidents")?,
            sources: count("sources")?,
        })
    }

    fn sql(&self, op: &str, source: rusqlite::Error) -> StoreError {
        sql_error(&self.db, op, source)
    }
}

/// What a person should know when a write failed for lack of room: SQLite reports a full disk
/// as `SQLITE_FULL`, and a write refused by a file size limit (`EFBIG`) as a write I/O error.
/// Either way the transaction was rolled back, so what earlier commits stored is intact.
fn full_disk_hint(source: &rusqlite::Error) -> &'static str {
    match source.sqlite_error() {
        Some(e) if e.code == rusqlite::ErrorCode::DiskFull => {
            " (no space left: free some and run again; every earlier commit is intact)"
        }
        Some(e) if e.extended_code == rusqlite::ffi::SQLITE_IOERR_WRITE => {
            " (the write was refused: disk full or a file size limit; free space and run again; every earlier commit is intact)"
        }
        _ => "",
    }
}

fn sql_error(db: &str, op: &str, source: rusqlite::Error) -> StoreError {
    StoreError::Sql {
        db: db.to_string(),
        op: op.to_string(),
        source,
    }
}

fn corrupt(db: &str, what: String, reason: impl ToString) -> StoreError {
    StoreError::Corrupt {
        db: db.to_string(),
        what,
        reason: reason.to_string(),
    }
}

/// A write method's transaction: its own (`BEGIN IMMEDIATE`, so a second writer waits for the
/// lock instead of failing on upgrade), or a savepoint inside a [`Store::in_batch`] transaction.
pub(crate) enum WriteTx<'c> {
    Own(rusqlite::Transaction<'c>),
    InBatch(rusqlite::Savepoint<'c>),
}

impl WriteTx<'_> {
    pub(crate) fn commit(self) -> rusqlite::Result<()> {
        match self {
            WriteTx::Own(tx) => tx.commit(),
            WriteTx::InBatch(sp) => sp.commit(),
        }
    }
}

impl std::ops::Deref for WriteTx<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match self {
            WriteTx::Own(tx) => tx,
            WriteTx::InBatch(sp) => sp,
        }
    }
}

/// Starts a write: its own transaction, or a savepoint when a batch is open.
pub(crate) fn write_tx(conn: &mut Connection) -> rusqlite::Result<WriteTx<'_>> {
    if conn.is_autocommit() {
        conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map(WriteTx::Own)
    } else {
        conn.savepoint().map(WriteTx::InBatch)
    }
}

/// Sets the rev counter (inside the transaction that wrote rows with revs up to `rev`).
fn set_rev(conn: &Connection, db: &str, rev: i64) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE meta SET value = ?1 WHERE key = 'rev'")
        .and_then(|mut stmt| stmt.execute([rev]))
        .map(|_| ())
        .map_err(|e| sql_error(db, "advancing the rev counter", e))
}

fn current_rev(conn: &Connection, db: &str) -> Result<i64, StoreError> {
    conn.query_row("SELECT value FROM meta WHERE key = 'rev'", [], |r| {
        r.get::<_, i64>(0)
    })
    .optional()
    .map(|rev| rev.unwrap_or(0))
    .map_err(|source| sql_error(db, "reading the rev counter", source))
}

/// Fixed-width RFC 3339 (`2023-01-31T14:06:36.000000000Z`): sorts as text, reads back exactly.
fn encode_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

fn decode_time(s: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc))
}

/// Lowercase hex SHA-256, the form stored in `content_hash` and `body_sha256`.
fn sha256_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(64);
    for byte in Sha256::digest(bytes) {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// `Connection::execute` through the statement cache: the crawl's writer runs the same few
/// statements for every source, and preparing one costs about as much as running it.
fn execute_cached(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// Converts a count or limit for SQLite, whose integers are signed.
fn to_sql_int(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_set_user_version() {
        let mut store = Store::open_in_memory().expect("open");
        assert_eq!(store.schema_version().expect("version"), 10);
        // Running again finds nothing to do: the CREATE TABLEs would fail if it re-ran them.
        store.migrate().expect("second migrate is a no-op");
        assert_eq!(store.schema_version().expect("version"), 10);
        assert_eq!(store.current_rev().expect("rev"), 0);
    }

    #[test]
    fn a_batch_commits_its_writes_together_or_not_at_all() {
        let mut store = Store::open_in_memory().expect("open");
        // A fetch record is a write with its own transaction outside a batch: inside one it
        // must become a savepoint, and the plain statement around it must join the batch.
        let touch = |store: &mut Store, url: &str| {
            store.record_fetch(&FetchRecord {
                url: url.to_string(),
                vendor: Some("Acme".into()),
                kind: None,
                role: crate::model::ReportKind::Status,
                fetched_at: Utc::now(),
                http_status: 304,
                validators: crate::fetch::Validators::default(),
                body: None,
            })?;
            store.set_next_attempt(url, None)
        };
        store
            .in_batch(|s| {
                touch(s, "https://a.example/feed")?;
                touch(s, "https://b.example/feed")
            })
            .expect("batch");
        assert_eq!(store.counts().expect("counts").sources, 2);
        let failed: Result<(), StoreError> = store.in_batch(|s| {
            touch(s, "https://c.example/feed")?;
            Err(s.sql("a write", rusqlite::Error::InvalidQuery))
        });
        assert!(failed.is_err());
        assert_eq!(store.counts().expect("counts").sources, 2);
        assert!(
            store
                .source("https://c.example/feed")
                .expect("read")
                .is_none()
        );
    }

    #[test]
    fn newer_database_is_refused_with_its_version() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("db.sqlite");
        drop(Store::open(&path).expect("create"));
        let conn = Connection::open(&path).expect("raw open");
        conn.pragma_update(None, "user_version", 11).expect("bump");
        drop(conn);
        let err = Store::open(&path).err().expect("newer schema refused");
        assert!(matches!(
            err,
            StoreError::TooNew {
                found: 11,
                supported: 10,
                ..
            }
        ));
        assert!(err.to_string().contains("db.sqlite"), "{err}");
    }

    /// A version-4 store, as the last build before the two listing tables were folded, with
    /// listings in both tables: only in `feed_listings`, only in `source_items` (flagged), in
    /// both with `source_items` later, and in both at the same time with the flag in one.
    fn version_4_store(path: &Path) {
        let conn = Connection::open(path).expect("raw open");
        for sql in &migrations::MIGRATIONS[..4] {
            conn.execute_batch(sql).expect("old migration");
        }
        conn.pragma_update(None, "user_version", 4)
            .expect("version 4");
        for id in ["a", "b", "c", "d"] {
            conn.execute(
                "INSERT INTO incidents (id, vendor, title, status, severity, regions, services,
                     sources, rev, first_seen, last_seen, content_hash)
                 VALUES (?1, 'GitHub', 'Incident ' || ?1, 'resolved', 'minor', '[]', '[]', '[]',
                     1, '2024-01-01T00:00:00.000000000Z', '2024-01-01T00:00:00.000000000Z', 'h')",
                [id],
            )
            .expect("incident");
        }
        conn.execute_batch(
            "INSERT INTO feed_listings VALUES
                 ('F', 'a', '2024-03-01T00:00:00.000000000Z', NULL),
                 ('F', 'c', '2024-03-01T00:00:00.000000000Z', NULL),
                 ('F', 'd', '2024-03-05T00:00:00.000000000Z', NULL);
             INSERT INTO source_items VALUES
                 ('F', 'b', '2024-02-01T00:00:00.000000000Z', '2024-03-05T00:00:00.000000000Z'),
                 ('F', 'c', '2024-03-04T00:00:00.000000000Z', '2024-03-05T00:00:00.000000000Z'),
                 ('F', 'd', '2024-03-05T00:00:00.000000000Z', '2024-03-06T00:00:00.000000000Z'),
                 ('F', 'gone', '2024-03-05T00:00:00.000000000Z', NULL);",
        )
        .expect("listings");
    }

    #[test]
    fn version_4_store_upgrades_into_one_listing_table_without_losing_a_listing_or_flag() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("old.sqlite");
        version_4_store(&path);
        let store = Store::open(&path).expect("upgrade");
        assert_eq!(store.schema_version().expect("version"), 10);
        let rows: Vec<(String, String, Option<String>)> = store
            .conn
            .prepare("SELECT incident_id, last_listed_at, missing_since FROM feed_listings ORDER BY incident_id")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        let row = |id: &str, listed: &str, missing: Option<&str>| {
            (
                id.to_string(),
                format!("{listed}T00:00:00.000000000Z"),
                missing.map(|m| format!("{m}T00:00:00.000000000Z")),
            )
        };
        assert_eq!(
            rows,
            vec![
                row("a", "2024-03-01", None),
                row("b", "2024-02-01", Some("2024-03-05")),
                row("c", "2024-03-04", Some("2024-03-05")),
                row("d", "2024-03-05", Some("2024-03-06")),
            ]
        );
        let old_table: i64 = store
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'source_items'",
                [],
                |r| r.get(0),
            )
            .expect("schema");
        assert_eq!(old_table, 0, "the old table is gone");
        let vanished: Vec<String> = store
            .vanished_items("F")
            .expect("vanished")
            .into_iter()
            .map(|v| v.incident_id)
            .collect();
        assert_eq!(vanished, ["d", "b", "c"]);
        assert_eq!(
            store
                .feed_absences("b")
                .expect("absences")
                .iter()
                .map(|a| a.source_url.as_str())
                .collect::<Vec<_>>(),
            ["F"],
            "merging sees the flag health recorded"
        );
    }

    /// Migration 7 drops `event_provenance`: a version-6 store with an event, its member and
    /// provenance rows upgrades with the event and its member intact and the table gone.
    #[test]
    fn version_6_store_drops_event_provenance_and_keeps_its_events() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v6.sqlite");
        let conn = Connection::open(&path).expect("raw open");
        for sql in &migrations::MIGRATIONS[..6] {
            conn.execute_batch(sql).expect("old migration");
        }
        conn.pragma_update(None, "user_version", 6)
            .expect("version 6");
        conn.execute_batch(
            "INSERT INTO incidents (id, vendor, title, status, severity, regions, services,
                 sources, rev, first_seen, last_seen, content_hash)
             VALUES ('a', 'GitHub', 'Incident a', 'resolved', 'minor', '[]', '[]', '[]', 1,
                 '2024-01-01T00:00:00.000000000Z', '2024-01-01T00:00:00.000000000Z', 'h');
             INSERT INTO events VALUES ('a', 'GitHub', NULL, NULL,
                 '2024-01-01T00:00:00.000000000Z', '{}', '2024-01-02T00:00:00.000000000Z',
                 '2024-01-02T00:00:00.000000000Z');
             INSERT INTO event_members (incident_id, event_id, role, reason, incident_hash)
                 VALUES ('a', 'a', 'primary', 'named after it', 'h');
             INSERT INTO event_provenance VALUES ('a', 'title', 'a', '\"Incident a\"', 1);",
        )
        .expect("version 6 rows");
        drop(conn);
        let store = Store::open(&path).expect("upgrade");
        assert_eq!(store.schema_version().expect("version"), 10);
        let count =
            |sql: &str| -> i64 { store.conn.query_row(sql, [], |r| r.get(0)).expect("count") };
        assert_eq!(
            count("SELECT count(*) FROM sqlite_master WHERE name LIKE 'event_provenance%'"),
            0
        );
        assert_eq!(count("SELECT count(*) FROM events WHERE id = 'a'"), 1);
        assert_eq!(
            count("SELECT count(*) FROM event_members WHERE event_id = 'a'"),
            1
        );
    }

    /// Migration 8: no index of `updates` holds the update's text, and an upserted incident
    /// seen again with its updates repeated and reordered still has each update once.
    #[test]
    fn updates_are_indexed_without_their_text_and_stay_deduplicated() {
        let mut store = Store::open_in_memory().expect("open");
        let indexed: Vec<String> = store
            .conn
            .prepare(
                "SELECT group_concat(i.name, ',') FROM sqlite_master m,
                     pragma_index_info(m.name) i
                 WHERE m.type = 'index' AND m.tbl_name = 'updates' GROUP BY m.name",
            )
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(indexed, ["incident_id,at"]);
        let mut incident = fixtures::incident("dedup", "2024-03-01T10:00:00Z");
        incident.updates = vec![
            fixtures::update("2024-03-01T10:00:00Z", "investigating", "Looking."),
            fixtures::update("2024-03-01T11:00:00Z", "resolved", "Fixed."),
        ];
        let now = fixtures::t("2024-03-02T00:00:00Z");
        store
            .upsert_incidents(&[incident.clone()], now)
            .expect("first");
        let mut again = incident.clone();
        again.updates.reverse();
        again.updates.push(incident.updates[0].clone());
        again.updates.push(fixtures::update(
            "2024-03-01T12:00:00Z",
            "postmortem",
            "Review.",
        ));
        store.upsert_incidents(&[again], now).expect("second");
        let rows: i64 = store
            .conn
            .query_row(
                "SELECT count(*) FROM updates WHERE incident_id = ?1",
                [&incident.id],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(rows, 3);
    }

    #[test]
    fn reader_opens_a_read_only_file_never_writes_and_refuses_an_outdated_schema() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("store.sqlite");
        drop(Store::open(&path).expect("create"));
        let before = std::fs::read(&path).expect("bytes");
        let reader = Store::open_read_only(&path).expect("reader");
        assert_eq!(reader.current_rev().expect("rev"), 0);
        let err = reader
            .conn
            .execute("DELETE FROM meta", [])
            .expect_err("a reader cannot write");
        assert!(err.to_string().contains("readonly"), "{err}");
        drop(reader);
        assert_eq!(std::fs::read(&path).expect("bytes"), before);
        let old = dir.path().join("old.sqlite");
        version_4_store(&old);
        let err = Store::open_read_only(&old).err().expect("outdated refused");
        assert!(
            matches!(
                err,
                StoreError::Outdated {
                    found: 4,
                    supported: 10,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("old.sqlite"), "{err}");
    }

    #[test]
    fn open_creates_parent_dirs_and_uses_wal() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a/b/outages.db");
        let store = Store::open(&path).expect("open");
        let mode: String = store
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("journal_mode");
        assert_eq!(mode, "wal");
        let fk: i64 = store
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .expect("foreign_keys");
        assert_eq!(fk, 1);
        let checkpoint: i64 = store
            .conn
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .expect("wal_autocheckpoint");
        assert_eq!(checkpoint, WAL_AUTOCHECKPOINT_PAGES);
    }

    #[test]
    fn sha256_hex_is_lowercase_and_padded() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn encoded_times_sort_as_text_and_round_trip() {
        let a = decode_time("2023-01-31T14:06:36Z").expect("a");
        let b = decode_time("2023-01-31T14:06:36.5Z").expect("b");
        assert_eq!(encode_time(a), "2023-01-31T14:06:36.000000000Z");
        assert!(encode_time(a) < encode_time(b));
        assert_eq!(decode_time(&encode_time(b)).expect("back"), b);
    }
}
