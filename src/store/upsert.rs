//! The write path of incidents: the upsert that merges what a crawl saw into what is stored
//! (the reads are in `incidents`). A re-crawled incident costs one indexed lookup of its content
//! hash; a changed one is merged field by field, its row rewritten, its new updates added and
//! the content it replaces kept as a version.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::incidents::{StoredRow, UpsertCounts, read_stored};
use super::merge::{canonical, content_hash, merge};
use super::{Store, StoreError, corrupt, current_rev, encode_time, sql_error};
use crate::model::{Incident, Update};

impl Store {
    /// Merges `incidents` into the store in one transaction (see the module `merge` for the
    /// rules). Only an incident whose merged content changed gets a new rev and a new version.
    ///
    /// A re-crawled incident is usually exactly what is stored: when the hash of its canonical
    /// form equals the stored `content_hash`, merging could change nothing (merging an incident
    /// into its own canonical form is the identity), so one indexed lookup settles it, without
    /// reading the row and its updates back and without writing: `last_seen` moves only once
    /// it is more than [`LAST_SEEN_STEP`] behind, so a crawl every few minutes does not rewrite
    /// every row it sees.
    pub fn upsert_incidents(
        &mut self,
        incidents: &[Incident],
        seen_at: DateTime<Utc>,
    ) -> Result<UpsertCounts, StoreError> {
        let db = self.db.as_str();
        let tx = super::write_tx(&mut self.conn)
            .map_err(|e| sql_error(db, "starting the incident upsert", e))?;
        let mut rev = current_rev(&tx, db)?;
        let mut counts = UpsertCounts::default();
        let seen = Seen {
            at: encode_time(seen_at),
            stale_before: encode_time(seen_at - LAST_SEEN_STEP),
        };
        for incoming in incidents {
            let id = incoming.id.as_str();
            let first = canonical(incoming);
            let first_hash = content_hash(&first);
            let Some(found) = lookup(&tx, db, id)? else {
                rev += 1;
                insert_incident(&tx, db, &first, rev, &seen.at, &first_hash)?;
                counts.new += 1;
                continue;
            };
            if found.content_hash == first_hash {
                touch(&tx, db, id, &found, &seen)?;
                counts.unchanged += 1;
                continue;
            }
            let old = read_stored(&tx, db, id)?
                .ok_or_else(|| corrupt(db, format!("incident {id}"), "vanished while upserting"))?;
            let merged = merge(&old.incident, incoming);
            let merged_hash = content_hash(&merged);
            if merged == old.incident {
                if merged_hash != old.content_hash {
                    upgrade_hash(&tx, db, id, found.rowid, &old.content_hash, &merged_hash)?;
                }
                touch(&tx, db, id, &found, &seen)?;
                counts.unchanged += 1;
                continue;
            }
            rev += 1;
            update_incident(
                &tx,
                db,
                (&found, &old),
                &merged,
                rev,
                &seen.at,
                &merged_hash,
            )?;
            counts.updated += 1;
        }
        tx.prepare_cached("UPDATE meta SET value = ?1 WHERE key = 'rev'")
            .and_then(|mut stmt| stmt.execute([rev]))
            .map_err(|e| sql_error(db, "advancing the rev counter", e))?;
        tx.commit()
            .map_err(|e| sql_error(db, "committing the incident upsert", e))?;
        Ok(counts)
    }
}

/// How far behind a re-crawl's time `last_seen` may lag before an unchanged incident's row is
/// rewritten to move it: the price of the field is then one write per incident per hour at
/// most, instead of one per crawl.
const LAST_SEEN_STEP: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// The time of an upsert, encoded once for every incident it writes.
struct Seen {
    at: String,
    /// A stored `last_seen` before this is moved to `at`.
    stale_before: String,
}

/// What one indexed lookup of an incident's id tells the upsert.
pub(super) struct Found {
    pub(super) rowid: i64,
    pub(super) content_hash: String,
    pub(super) last_seen: String,
    /// When the current content was first seen, while it is not yet a row of
    /// `incident_versions`; None for rows written before migration 6, whose current content
    /// is already there.
    pub(super) version_seen_at: Option<String>,
}

pub(super) fn lookup(conn: &Connection, db: &str, id: &str) -> Result<Option<Found>, StoreError> {
    conn.prepare_cached(
        "SELECT rowid, content_hash, last_seen, version_seen_at FROM incidents WHERE id = ?1",
    )
    .and_then(|mut stmt| {
        stmt.query_row([id], |r| {
            Ok(Found {
                rowid: r.get(0)?,
                content_hash: r.get(1)?,
                last_seen: r.get(2)?,
                version_seen_at: r.get(3)?,
            })
        })
        .optional()
    })
    .map_err(|e| sql_error(db, &format!("looking up incident {id}"), e))
}

/// Moves `last_seen` of an unchanged incident, when it lags by more than [`LAST_SEEN_STEP`];
/// never backwards (an older crawl applied late leaves it).
fn touch(
    conn: &Connection,
    db: &str,
    id: &str,
    found: &Found,
    seen: &Seen,
) -> Result<(), StoreError> {
    if found.last_seen >= seen.stale_before {
        return Ok(());
    }
    conn.prepare_cached("UPDATE incidents SET last_seen = max(last_seen, ?2) WHERE rowid = ?1")
        .and_then(|mut stmt| stmt.execute(params![found.rowid, seen.at]))
        .map_err(|e| sql_error(db, &format!("touching incident {id}"), e))?;
    Ok(())
}

/// Replaces a legacy content hash (see [`super::merge::HASH_PREFIX`]) of an unchanged
/// incident by the current one, in the incident and in the event membership that recorded it,
/// so the merge does not take the new form for a change.
fn upgrade_hash(
    conn: &Connection,
    db: &str,
    id: &str,
    rowid: i64,
    legacy: &str,
    current: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE incidents SET content_hash = ?2 WHERE rowid = ?1")
        .and_then(|mut stmt| stmt.execute(params![rowid, current]))
        .and_then(|_| {
            conn.prepare_cached(
                "UPDATE event_members SET incident_hash = ?2
                 WHERE incident_id = ?1 AND incident_hash = ?3",
            )
        })
        .and_then(|mut stmt| stmt.execute(params![id, current, legacy]))
        .map_err(|e| {
            sql_error(
                db,
                &format!("upgrading the content hash of incident {id}"),
                e,
            )
        })?;
    Ok(())
}

/// Runs the insert or the rewrite of an incident's row: both bind its key as ?1 and the same
/// columns as ?2 to ?15.
fn bind_row(
    stmt: &mut rusqlite::CachedStatement<'_>,
    key: impl rusqlite::ToSql,
    incident: &Incident,
    v: &RowValues,
    rev: i64,
    seen: &str,
    hash: &str,
) -> rusqlite::Result<usize> {
    stmt.execute(params![
        key,
        incident.vendor,
        incident.title,
        incident.start.map(encode_time),
        incident.end.map(encode_time),
        incident.status.as_str(),
        incident.severity.as_str(),
        incident.severity_native,
        v.regions,
        v.services,
        incident.cause,
        v.sources,
        rev,
        seen,
        hash
    ])
}

/// The columns of an incident's row that its content decides, encoded for SQLite.
struct RowValues {
    regions: String,
    services: String,
    sources: String,
}

impl RowValues {
    fn of(db: &str, incident: &Incident) -> Result<RowValues, StoreError> {
        let id = incident.id.as_str();
        Ok(RowValues {
            regions: to_json(db, id, "regions", &incident.regions)?,
            services: to_json(db, id, "services", &incident.services)?,
            sources: to_json(db, id, "sources", &incident.sources)?,
        })
    }
}

/// Writes an incident the store has never seen: its row and its updates, which are its first
/// version until it changes.
fn insert_incident(
    conn: &Connection,
    db: &str,
    incident: &Incident,
    rev: i64,
    seen: &str,
    hash: &str,
) -> Result<(), StoreError> {
    let id = incident.id.as_str();
    let v = RowValues::of(db, incident)?;
    conn.prepare_cached(
        r#"INSERT INTO incidents (id, vendor, title, start, "end", status, severity,
               severity_native, regions, services, cause, sources, rev, first_seen, last_seen,
               content_hash, version_seen_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?15, ?14)"#,
    )
    .and_then(|mut stmt| bind_row(&mut stmt, id, incident, &v, rev, seen, hash))
    .map_err(|e| sql_error(db, &format!("writing the row of incident {id}"), e))?;
    insert_updates(conn, db, id, incident.updates.iter())
}

/// Rewrites a stored incident whose merged content changed: the content it replaces becomes
/// a version (unless it already is one), then its row and the updates the store did not hold.
fn update_incident(
    conn: &Connection,
    db: &str,
    (found, old): (&Found, &StoredRow),
    incident: &Incident,
    rev: i64,
    seen: &str,
    hash: &str,
) -> Result<(), StoreError> {
    let id = incident.id.as_str();
    let rowid = found.rowid;
    if let Some(old_seen) = &found.version_seen_at {
        record_version(conn, db, &old.incident, old_seen, &old.content_hash)?;
    }
    let v = RowValues::of(db, incident)?;
    conn.prepare_cached(
        r#"UPDATE incidents SET vendor = ?2, title = ?3, start = ?4, "end" = ?5, status = ?6,
               severity = ?7, severity_native = ?8, regions = ?9, services = ?10, cause = ?11,
               sources = ?12, rev = ?13, last_seen = max(last_seen, ?14), content_hash = ?15,
               version_seen_at = ?14
           WHERE rowid = ?1"#,
    )
    .and_then(|mut stmt| bind_row(&mut stmt, rowid, incident, &v, rev, seen, hash))
    .map_err(|e| sql_error(db, &format!("rewriting the row of incident {id}"), e))?;
    let new_updates = incident
        .updates
        .iter()
        .filter(|u| !old.incident.updates.contains(u));
    insert_updates(conn, db, id, new_updates)
}

/// Writes updates the incident does not hold yet: the callers pass only those (a new
/// incident's deduplicated list, or the merged list less what was stored), which keeps the
/// table free of repeats without a unique index over the text (migration 8).
fn insert_updates<'u>(
    conn: &Connection,
    db: &str,
    id: &str,
    updates: impl Iterator<Item = &'u Update>,
) -> Result<(), StoreError> {
    let op = || format!("writing the updates of incident {id}");
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO updates (incident_id, at, status, text) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(|e| sql_error(db, &op(), e))?;
    for update in updates {
        stmt.execute(params![
            id,
            update.at.map(encode_time),
            update.status,
            update.text
        ])
        .map_err(|e| sql_error(db, &op(), e))?;
    }
    Ok(())
}

/// How many replaced contents one incident keeps. A real incident has a handful (each status
/// change); a source that rewrites its incidents on every fetch would otherwise grow the store
/// by one copy per crawl forever. Kept: the first content seen (what the vendor said first)
/// and the newest ones; the ones between are dropped, oldest first.
pub(crate) const MAX_VERSIONS: i64 = 100;

/// Keeps a content of the incident, as JSON, in `incident_versions`, within [`MAX_VERSIONS`].
fn record_version(
    conn: &Connection,
    db: &str,
    incident: &Incident,
    seen: &str,
    hash: &str,
) -> Result<(), StoreError> {
    let id = incident.id.as_str();
    let json = to_json(db, id, "a version", incident)?;
    let op = || format!("recording a version of incident {id}");
    conn.prepare_cached(
        "INSERT INTO incident_versions (incident_id, seen_at, content_hash, json)
         VALUES (?1, ?2, ?3, ?4)",
    )
    .and_then(|mut stmt| stmt.execute(params![id, seen, hash, json]))
    .map_err(|e| sql_error(db, &op(), e))?;
    // Over the cap: drop the second oldest (the first one seen stays).
    conn.prepare_cached(
        "DELETE FROM incident_versions WHERE rowid IN (
             SELECT rowid FROM incident_versions WHERE incident_id = ?1
             ORDER BY seen_at, rowid LIMIT max(0, (SELECT count(*) FROM incident_versions
                 WHERE incident_id = ?1) - ?2) OFFSET 1)",
    )
    .and_then(|mut stmt| stmt.execute(params![id, MAX_VERSIONS]))
    .map_err(|e| sql_error(db, &op(), e))?;
    Ok(())
}

fn to_json<T: serde::Serialize>(
    db: &str,
    id: &str,
    field: &str,
    value: &T,
) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| corrupt(db, format!("{field} of incident {id}"), e))
}
