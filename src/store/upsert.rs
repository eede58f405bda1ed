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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Severity, Status};
    use crate::store::fixtures::{incident, t, update};
    use crate::store::merge::{canonical, content_hash};

    fn store() -> Store {
        Store::open_in_memory().expect("in-memory store")
    }

    #[test]
    fn upsert_counts_new_updated_and_unchanged() {
        let mut store = store();
        let a = incident("a", "2024-03-01T10:00:00Z");
        let b = incident("b", "2024-03-02T10:00:00Z");
        let seen = t("2024-03-03T00:00:00Z");
        let first = store
            .upsert_incidents(&[a.clone(), b.clone()], seen)
            .expect("first");
        assert_eq!(
            first,
            UpsertCounts {
                new: 2,
                updated: 0,
                unchanged: 0
            }
        );
        assert_eq!(store.current_rev().expect("rev"), 2);
        let mut b2 = b.clone();
        b2.title = "Incident with Actions and Pages".into();
        let second = store.upsert_incidents(&[a, b2], seen).expect("second");
        assert_eq!(
            second,
            UpsertCounts {
                new: 0,
                updated: 1,
                unchanged: 1
            }
        );
        assert_eq!(store.current_rev().expect("rev"), 3);
        let changed = store.changed_since(2, 10).expect("changed");
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].rev, 3);
        assert_eq!(changed[0].incident.title, "Incident with Actions and Pages");
    }

    #[test]
    fn reupserting_same_data_changes_no_rev_and_no_version() {
        let mut store = store();
        let a = incident("a", "2024-03-01T10:00:00Z");
        store
            .upsert_incidents(std::slice::from_ref(&a), t("2024-03-01T10:05:00Z"))
            .expect("first");
        let again = store
            .upsert_incidents(std::slice::from_ref(&a), t("2024-03-01T11:05:00Z"))
            .expect("again");
        assert_eq!(
            again,
            UpsertCounts {
                new: 0,
                updated: 0,
                unchanged: 1
            }
        );
        assert_eq!(store.current_rev().expect("rev"), 1);
        assert_eq!(store.versions(&a.id).expect("versions").len(), 1);
        assert_eq!(store.changed_since(1, 10).expect("changed"), vec![]);
    }

    fn last_seen(store: &Store, id: &str) -> String {
        store
            .conn
            .query_row("SELECT last_seen FROM incidents WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .expect("last_seen")
    }

    #[test]
    fn recrawled_duplicate_moves_last_seen_only() {
        let mut store = store();
        let a = incident("dup", "2024-03-01T10:00:00Z");
        store
            .upsert_incidents(std::slice::from_ref(&a), t("2024-03-01T10:05:00Z"))
            .expect("first");
        let again = store
            .upsert_incidents(std::slice::from_ref(&a), t("2024-03-01T12:00:00Z"))
            .expect("again");
        assert_eq!(again.unchanged, 1);
        assert_eq!(last_seen(&store, &a.id), "2024-03-01T12:00:00.000000000Z");
        // An older crawl applied late never moves it back.
        store
            .upsert_incidents(std::slice::from_ref(&a), t("2024-03-01T11:00:00Z"))
            .expect("late");
        assert_eq!(last_seen(&store, &a.id), "2024-03-01T12:00:00.000000000Z");
        assert_eq!(store.current_rev().expect("rev"), 1);
        assert_eq!(store.versions(&a.id).expect("versions").len(), 1);
    }

    /// Rows, index entries and versions an upsert wrote, as SQLite counts them.
    fn changes_during(store: &mut Store, work: impl FnOnce(&mut Store)) -> u64 {
        let before = store.conn.total_changes();
        work(store);
        store.conn.total_changes() - before
    }

    #[test]
    fn unchanged_duplicate_within_the_last_seen_step_writes_nothing() {
        let mut store = store();
        let mut a = incident("quiet", "2024-03-01T10:00:00Z");
        a.updates
            .push(update("2024-03-01T10:20:00Z", "resolved", "Fixed."));
        store
            .upsert_incidents(std::slice::from_ref(&a), t("2024-03-01T10:30:00Z"))
            .expect("first");
        // The same incident, and the same with its updates out of order and one repeated
        // (the same canonical form), 59 minutes later: only the rev counter's row is written.
        let mut shuffled = a.clone();
        shuffled.updates.reverse();
        shuffled.updates.push(a.updates[0].clone());
        let written = changes_during(&mut store, |s| {
            let counts = s
                .upsert_incidents(&[a.clone(), shuffled], t("2024-03-01T11:29:00Z"))
                .expect("again");
            assert_eq!(counts.unchanged, 2);
        });
        assert_eq!(written, 1, "only UPDATE meta SET value = rev");
        assert_eq!(last_seen(&store, &a.id), "2024-03-01T10:30:00.000000000Z");
        // Past the step the row is touched once, and nothing else.
        let written = changes_during(&mut store, |s| {
            s.upsert_incidents(std::slice::from_ref(&a), t("2024-03-01T11:31:00Z"))
                .expect("later");
        });
        assert_eq!(written, 2, "the rev counter and last_seen");
        assert_eq!(last_seen(&store, &a.id), "2024-03-01T11:31:00.000000000Z");
        assert_eq!(store.current_rev().expect("rev"), 1);
        assert_eq!(store.versions(&a.id).expect("versions").len(), 1);
    }

    /// A store written before the typed hash holds JSON hashes: re-crawling its incidents
    /// unchanged must not count as a change (no rev, no version), and the hash is upgraded in
    /// the incident and in its event membership alike, so the merge sees nothing to redo.
    #[test]
    fn legacy_json_hash_is_upgraded_in_place_without_a_new_version() {
        let mut store = store();
        let a = incident("old", "2024-03-01T10:00:00Z");
        let seen = t("2024-03-01T10:05:00Z");
        store
            .upsert_incidents(std::slice::from_ref(&a), seen)
            .expect("first");
        crate::merge::merge_pending(&mut store, seen).expect("merge");
        let legacy = super::super::merge::legacy_content_hash(&a);
        store
            .conn
            .execute("UPDATE incidents SET content_hash = ?1", [&legacy])
            .expect("make legacy");
        store
            .conn
            .execute("UPDATE event_members SET incident_hash = ?1", [&legacy])
            .expect("make legacy membership");
        store
            .conn
            .execute("UPDATE incident_versions SET content_hash = ?1", [&legacy])
            .expect("make legacy version");
        assert!(store.vendors_pending_merge().expect("pending").is_empty());
        let counts = store
            .upsert_incidents(std::slice::from_ref(&a), t("2024-03-01T10:10:00Z"))
            .expect("recrawl");
        assert_eq!(
            counts,
            UpsertCounts {
                new: 0,
                updated: 0,
                unchanged: 1
            }
        );
        // The incident's rev (1) and its event's (2): the re-crawl wrote nothing.
        assert_eq!(store.current_rev().expect("rev"), 2);
        assert_eq!(store.versions(&a.id).expect("versions").len(), 1);
        let (incident_hash, member_hash): (String, String) = store
            .conn
            .query_row(
                "SELECT i.content_hash, m.incident_hash FROM incidents i
                 JOIN event_members m ON m.incident_id = i.id",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("hashes");
        assert_eq!(incident_hash, content_hash(&canonical(&a)));
        assert_eq!(member_hash, incident_hash);
        assert!(store.vendors_pending_merge().expect("pending").is_empty());
        // Upgraded, the next re-crawl takes the one-lookup path and writes nothing.
        let written = changes_during(&mut store, |s| {
            s.upsert_incidents(std::slice::from_ref(&a), t("2024-03-01T10:15:00Z"))
                .expect("again");
        });
        assert_eq!(written, 1);
    }

    fn version_rows(store: &Store, id: &str) -> i64 {
        store
            .conn
            .query_row(
                "SELECT count(*) FROM incident_versions WHERE incident_id = ?1",
                [id],
                |r| r.get(0),
            )
            .expect("count versions")
    }

    /// A source that rewrites an incident on every fetch keeps the first content and the
    /// newest ones, never more than the cap.
    #[test]
    fn an_incident_rewritten_on_every_fetch_keeps_a_bounded_number_of_versions() {
        let mut store = store();
        let mut i = incident("churn", "2024-03-01T10:00:00Z");
        let cap = usize::try_from(super::super::upsert::MAX_VERSIONS).expect("small");
        for n in 0..cap + 30 {
            i.title = format!("Churning title {n}");
            let seen = t("2024-03-01T10:00:00Z")
                + chrono::Duration::minutes(i64::try_from(n).expect("small"));
            store
                .upsert_incidents(std::slice::from_ref(&i), seen)
                .expect("upsert");
        }
        // Every content but the current one is a version: cap + 29 replaced, cap kept.
        assert_eq!(
            version_rows(&store, &i.id),
            i64::try_from(cap).expect("small")
        );
        let versions = store.versions(&i.id).expect("versions");
        let titles: Vec<&str> = versions.iter().map(|v| v.incident.title.as_str()).collect();
        assert_eq!(titles.first(), Some(&"Churning title 0"));
        assert_eq!(
            titles.last(),
            Some(&format!("Churning title {}", cap + 29).as_str())
        );
        assert_eq!(titles.get(1), Some(&"Churning title 30"));
    }

    /// The current content lives in the row alone; each content it replaces becomes a version,
    /// so every content ever seen is listed, in order, with the time it was first seen.
    #[test]
    fn current_content_is_a_version_without_a_copy_and_replaced_content_is_kept() {
        let mut store = store();
        let first = incident("v", "2024-03-01T10:00:00Z");
        store
            .upsert_incidents(std::slice::from_ref(&first), t("2024-03-01T10:01:00Z"))
            .expect("first");
        assert_eq!(version_rows(&store, &first.id), 0);
        let mut second = first.clone();
        second.status = Status::Identified;
        let mut third = second.clone();
        third.status = Status::Resolved;
        third.end = Some(t("2024-03-01T10:40:00Z"));
        store
            .upsert_incidents(std::slice::from_ref(&second), t("2024-03-01T10:20:00Z"))
            .expect("second");
        store
            .upsert_incidents(std::slice::from_ref(&third), t("2024-03-01T10:45:00Z"))
            .expect("third");
        assert_eq!(version_rows(&store, &first.id), 2);
        let versions: Vec<(DateTime<Utc>, Incident)> = store
            .versions(&first.id)
            .expect("versions")
            .into_iter()
            .map(|v| (v.seen_at, v.incident))
            .collect();
        assert_eq!(
            versions,
            [
                (t("2024-03-01T10:01:00Z"), first),
                (t("2024-03-01T10:20:00Z"), second),
                (t("2024-03-01T10:45:00Z"), third)
            ]
        );
    }

    /// A row written before migration 6 has its current content in `incident_versions`
    /// already: replacing it must not copy it a second time.
    #[test]
    fn content_stored_as_a_version_before_migration_6_is_not_recorded_twice() {
        let mut store = store();
        let old = incident("legacy", "2024-03-01T10:00:00Z");
        store
            .upsert_incidents(std::slice::from_ref(&old), t("2024-03-01T10:01:00Z"))
            .expect("first");
        // As an older build left it: the version copied, the column not yet there (NULL).
        store
            .conn
            .execute(
                "INSERT INTO incident_versions (incident_id, seen_at, content_hash, json)
                 VALUES (?1, '2024-03-01T10:01:00.000000000Z', 'h', ?2)",
                params![old.id, serde_json::to_string(&old).expect("json")],
            )
            .expect("legacy version");
        store
            .conn
            .execute("UPDATE incidents SET version_seen_at = NULL", [])
            .expect("legacy row");
        assert_eq!(store.versions(&old.id).expect("versions").len(), 1);
        let mut new = old.clone();
        new.status = Status::Resolved;
        store
            .upsert_incidents(std::slice::from_ref(&new), t("2024-03-01T11:00:00Z"))
            .expect("change");
        assert_eq!(version_rows(&store, &old.id), 1);
        let versions: Vec<Incident> = store
            .versions(&old.id)
            .expect("versions")
            .into_iter()
            .map(|v| v.incident)
            .collect();
        assert_eq!(versions, [old, new]);
    }

    #[test]
    fn pruned_feed_recrawled_is_unchanged_and_keeps_every_update() {
        let mut store = store();
        let mut full = incident("pr", "2024-03-01T10:00:00Z");
        full.updates.push(update(
            "2024-03-01T10:30:00Z",
            "resolved",
            "This incident has been resolved.",
        ));
        store
            .upsert_incidents(std::slice::from_ref(&full), t("2024-03-01T10:31:00Z"))
            .expect("full");
        let mut pruned = full.clone();
        pruned.updates.remove(0);
        for hour in ["11", "12"] {
            let counts = store
                .upsert_incidents(
                    std::slice::from_ref(&pruned),
                    t(&format!("2024-03-01T{hour}:00:00Z")),
                )
                .expect("pruned");
            assert_eq!(counts.unchanged, 1);
        }
        assert_eq!(
            last_seen(&store, &full.id),
            "2024-03-01T12:00:00.000000000Z"
        );
        assert_eq!(store.incident(&full.id).expect("read"), Some(full.clone()));
        assert_eq!(store.versions(&full.id).expect("versions").len(), 1);
        let stored_updates: i64 = store
            .conn
            .query_row(
                "SELECT count(*) FROM updates WHERE incident_id = ?1",
                [&full.id],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(stored_updates, 2);
    }

    #[test]
    fn resolution_after_feed_pruned_updates_in_place_keeping_old_updates() {
        let mut store = store();
        let open = incident("p", "2024-03-01T10:00:00Z");
        store
            .upsert_incidents(std::slice::from_ref(&open), t("2024-03-01T10:01:00Z"))
            .expect("open");
        // The resolved entry lists only its newest update: the feed pruned the first one.
        let mut resolved = incident("p", "2024-03-01T10:00:00Z");
        resolved.status = Status::Resolved;
        resolved.end = Some(t("2024-03-01T10:45:00Z"));
        resolved.updates = vec![update(
            "2024-03-01T10:45:00Z",
            "resolved",
            "This incident has been resolved.",
        )];
        let counts = store
            .upsert_incidents(&[resolved], t("2024-03-01T11:00:00Z"))
            .expect("resolved");
        assert_eq!(
            counts,
            UpsertCounts {
                new: 0,
                updated: 1,
                unchanged: 0
            }
        );
        let stored = store.incident("github:p").expect("read").expect("present");
        assert_eq!(stored.status, Status::Resolved);
        assert_eq!(stored.end, Some(t("2024-03-01T10:45:00Z")));
        let texts: Vec<&str> = stored.updates.iter().map(|u| u.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "We are investigating reports of degraded performance.",
                "This incident has been resolved."
            ]
        );
        let versions = store.versions("github:p").expect("versions");
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0].incident.end, None);
        assert_eq!(versions[0].seen_at, t("2024-03-01T10:01:00Z"));
        assert_eq!(versions[1].incident, stored);
        assert_eq!(store.counts().expect("counts").incidents, 1);
    }

    #[test]
    fn unknown_severity_keeps_the_known_one() {
        let mut store = store();
        let mut known = incident("s", "2024-03-01T10:00:00Z");
        known.severity = Severity::Major;
        known.severity_native = Some("major".into());
        store
            .upsert_incidents(&[known], t("2024-03-01T10:01:00Z"))
            .expect("known");
        let mut vague = incident("s", "2024-03-01T10:00:00Z");
        vague.severity = Severity::Unknown;
        vague.severity_native = None;
        vague.services = vec![];
        let counts = store
            .upsert_incidents(&[vague], t("2024-03-01T10:02:00Z"))
            .expect("vague");
        assert_eq!(counts.unchanged, 1);
        let stored = store.incident("github:s").expect("read").expect("present");
        assert_eq!(stored.severity, Severity::Major);
        assert_eq!(stored.severity_native.as_deref(), Some("major"));
        assert_eq!(stored.services, ["Actions"]);
    }

    #[test]
    fn same_id_twice_in_one_batch_merges_into_one_row() {
        let mut store = store();
        let atom = incident("twice", "2024-03-01T10:00:00Z");
        let mut json = incident("twice", "2024-03-01T10:00:00Z");
        json.regions = vec!["global".into()];
        let counts = store
            .upsert_incidents(&[atom, json], t("2024-03-01T10:01:00Z"))
            .expect("batch");
        assert_eq!(
            counts,
            UpsertCounts {
                new: 1,
                updated: 1,
                unchanged: 0
            }
        );
        assert_eq!(store.counts().expect("counts").incidents, 1);
        let stored = store
            .incident("github:twice")
            .expect("read")
            .expect("present");
        assert_eq!(stored.regions, ["global"]);
    }
}
