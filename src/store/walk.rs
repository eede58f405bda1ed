//! The merge's walk over one vendor in time order: the vendor's incidents read a page at a time
//! in `(start, id)` order, and its events rewritten in the same transaction as they are built.
//!
//! Regrouping a vendor of a few hundred thousand incidents used to read all of them (with their
//! updates) and hold every event it built until one final write: memory grew with the vendor.
//! The walk holds one page of incidents, the merge holds only the groups still open, and events
//! go to the store as they close. The events the vendor had are deleted first (their ids and
//! creation times kept in a temporary table, so an id that survives keeps its creation time,
//! as [`Store::replace_events`] does); a walk dropped without [`EventWalk::commit`] rolls back
//! and leaves the old events in place.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::incidents::{COLUMNS, RawRow, grouped_updates};
use super::{Store, StoreError, WriteTx, encode_time, sql_error, to_sql_int};
use crate::model::Incident;
use crate::store::EventRow;

/// Where a page of the walk starts: after this start time and id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WalkCursor {
    start: String,
    id: String,
}

/// An incident of the walk and the event it belonged to before this merge.
#[derive(Debug, Clone, PartialEq)]
pub struct WalkedIncident {
    pub incident: Incident,
    pub previous_event: Option<String>,
}

/// One vendor's rewrite of its events, inside one transaction (a savepoint inside a batch).
pub struct EventWalk<'s> {
    tx: WriteTx<'s>,
    db: &'s str,
    vendor: String,
    now: String,
    /// The last rev given to an event row written by this walk.
    rev: std::cell::Cell<i64>,
}

impl Store {
    /// True when every incident of `vendor` (the name as stored) has a start and is a vendor's
    /// own (a status source, or no source at all): the incidents the walk can take in start
    /// order. Press reports and undated incidents are grouped by other rules.
    pub fn vendor_walkable(&self, vendor: &str) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT NOT EXISTS (SELECT 1 FROM incidents i WHERE i.vendor = ?1 AND (
                     i.start IS NULL OR (i.sources != '[]' AND NOT EXISTS (
                         SELECT 1 FROM json_each(i.sources) s
                         WHERE json_extract(s.value, '$.kind') = 'status'))))",
            )
            .and_then(|mut stmt| stmt.query_row([vendor], |r| r.get(0)))
            .map_err(|e| {
                sql_error(
                    &self.db,
                    &format!("checking how to regroup vendor {vendor}"),
                    e,
                )
            })
    }

    /// Starts rewriting the events of `vendor` (the name as stored): every event with a member
    /// among its incidents is deleted, its id and creation time kept for the new rows.
    pub fn begin_event_walk(
        &mut self,
        vendor: &str,
        now: DateTime<Utc>,
    ) -> Result<EventWalk<'_>, StoreError> {
        let db = self.db.as_str();
        let op = |what: &str| format!("{what} of vendor {vendor}");
        let tx = super::write_tx(&mut self.conn)
            .map_err(|e| sql_error(db, &op("starting the event rewrite"), e))?;
        tx.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS merge_previous (
                 incident_id TEXT PRIMARY KEY NOT NULL,
                 event_id    TEXT NOT NULL,
                 created_at  TEXT NOT NULL
             );
             CREATE INDEX IF NOT EXISTS temp.merge_previous_by_event
                 ON merge_previous(event_id);
             DELETE FROM merge_previous;",
        )
        .map_err(|e| sql_error(db, &op("preparing the event rewrite"), e))?;
        super::execute_cached(
            &tx,
            "INSERT INTO merge_previous (incident_id, event_id, created_at)
             SELECT m.incident_id, m.event_id, e.created_at FROM event_members m
             JOIN incidents i ON i.id = m.incident_id JOIN events e ON e.id = m.event_id
             WHERE i.vendor = ?1",
            [vendor],
        )
        .and_then(|_| {
            super::execute_cached(
                &tx,
                "DELETE FROM events WHERE id IN (SELECT event_id FROM merge_previous)",
                [],
            )
        })
        .map_err(|e| sql_error(db, &op("removing the previous events"), e))?;
        let rev = super::current_rev(&tx, db)?;
        Ok(EventWalk {
            tx,
            db,
            vendor: vendor.to_string(),
            now: encode_time(now),
            rev: std::cell::Cell::new(rev),
        })
    }
}

impl EventWalk<'_> {
    /// Up to `limit` incidents after `cursor` (from the first when none), in start order and
    /// then by id, each with its updates and its event before the merge; the cursor moves to
    /// the last one returned.
    pub fn next_page(
        &self,
        cursor: &mut WalkCursor,
        limit: usize,
    ) -> Result<Vec<WalkedIncident>, StoreError> {
        let db = self.db;
        let op = || format!("reading the incidents of vendor {}", self.vendor);
        let page = "vendor = ?1 AND start IS NOT NULL
                    AND (start > ?2 OR (start = ?2 AND id > ?3))";
        let sql = format!(
            "SELECT {COLUMNS}, p.event_id FROM incidents
             LEFT JOIN temp.merge_previous p ON p.incident_id = incidents.id
             WHERE {page} ORDER BY start, id LIMIT ?4"
        );
        let args = params![self.vendor, cursor.start, cursor.id, to_sql_int(limit)];
        let raws = self
            .tx
            .prepare_cached(&sql)
            .and_then(|mut stmt| {
                stmt.query_map(args, |r| {
                    Ok((RawRow::from_row(r)?, r.get::<_, Option<String>>(15)?))
                })?
                .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| sql_error(db, &op(), e))?;
        let mut updates = grouped_updates(
            &self.tx,
            db,
            &format!(
                "SELECT incident_id, at, status, text FROM updates WHERE incident_id IN
                     (SELECT id FROM incidents WHERE {page} ORDER BY start, id LIMIT ?4)
                 ORDER BY incident_id, at IS NULL, at, rowid"
            ),
            args,
            &op(),
        )?;
        let mut out = Vec::with_capacity(raws.len());
        for (raw, previous_event) in raws {
            if let Some(start) = &raw.start {
                cursor.start.clone_from(start);
            }
            cursor.id.clone_from(&raw.id);
            let own = updates.remove(raw.id.as_str()).unwrap_or_default();
            out.push(WalkedIncident {
                incident: raw.decode_with(db, own)?.incident,
                previous_event,
            });
        }
        Ok(out)
    }

    /// Writes events with their members; an id the vendor had before keeps its creation time.
    pub fn write(&self, events: &[EventRow]) -> Result<(), StoreError> {
        for event in events {
            let previous: Option<String> = self
                .tx
                .prepare_cached("SELECT created_at FROM merge_previous WHERE event_id = ?1 LIMIT 1")
                .and_then(|mut stmt| stmt.query_row([&event.id], |r| r.get(0)).optional())
                .map_err(|e| {
                    sql_error(
                        self.db,
                        &format!("reading the creation time of event {}", event.id),
                        e,
                    )
                })?;
            let created_at = previous.as_deref().unwrap_or(&self.now);
            let rev = self.rev.get() + 1;
            self.rev.set(rev);
            super::events::insert_event(&self.tx, self.db, event, created_at, &self.now, rev)?;
        }
        Ok(())
    }

    /// Commits the rewrite: events the vendor had and no longer has are recorded as removed.
    pub fn commit(self) -> Result<(), StoreError> {
        let db = self.db;
        let removed: Vec<String> = self
            .tx
            .prepare_cached(
                "SELECT DISTINCT event_id FROM merge_previous
                 WHERE event_id NOT IN (SELECT id FROM events) ORDER BY event_id",
            )
            .and_then(|mut stmt| {
                stmt.query_map([], |r| r.get(0))?
                    .collect::<Result<Vec<String>, _>>()
            })
            .map_err(|e| sql_error(db, "listing the events a regrouping removed", e))?;
        let mut rev = self.rev.get();
        for id in &removed {
            rev += 1;
            super::events::record_removal(&self.tx, db, id, rev)?;
        }
        super::set_rev(&self.tx, db, rev)?;
        let vendor = self.vendor;
        self.tx
            .commit()
            .map_err(|e| sql_error(db, &format!("committing the events of vendor {vendor}"), e))
    }
}
