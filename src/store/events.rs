//! Merged events: the tables [`crate::merge`] writes and reads.
//!
//! The merge decides; the store only keeps its decision so it can be explained later: which
//! incidents form an event and in which role, the score that joined each one and its parts,
//! and, per feed, when each incident was last listed (so an incident a vendor deleted while it
//! was still inside the feed's window can be flagged). `events.json` holds the merged event as
//! the commands print it, the source of every field's value included, so a timeline is one
//! query.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, corrupt, decode_time, encode_time, sql_error, to_sql_int};

/// Why an incident is in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberRole {
    /// The member the event's id was derived from.
    Primary,
    /// A vendor incident joined to the event by its score.
    Status,
    /// A press report joined to the event by its score.
    Press,
    /// A near-duplicate of another press report in the event (syndication, a copied story).
    Copy,
}

impl MemberRole {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Primary => "primary",
            MemberRole::Status => "status",
            MemberRole::Press => "press",
            MemberRole::Copy => "copy",
        }
    }
}

impl FromStr for MemberRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            MemberRole::Primary,
            MemberRole::Status,
            MemberRole::Press,
            MemberRole::Copy,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
        .ok_or_else(|| format!("unknown member role {s:?}"))
    }
}

impl fmt::Display for MemberRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The score that joined two records, with the part each kind of evidence contributed.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ScoreParts {
    pub total: f64,
    pub time: f64,
    pub text: f64,
    pub services: f64,
    pub regions: f64,
}

/// One incident's membership in an event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventMemberRow {
    pub incident_id: String,
    pub role: MemberRole,
    /// The member it was matched with (none for the primary).
    pub matched_with: Option<String>,
    pub score: Option<ScoreParts>,
    /// The rule that decided, in words.
    pub reason: String,
}

/// A merged event as written by the merge.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub id: String,
    pub vendor: String,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// The time the timeline sorts and filters by: the start, else the best time known.
    pub sort_at: DateTime<Utc>,
    /// The merged event as printed.
    pub json: String,
    pub members: Vec<EventMemberRow>,
}

/// An event written after a given rev, for index synchronisation.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangedEvent {
    pub id: String,
    /// The rev of its write; the index stores the highest one it has seen.
    pub rev: i64,
    /// The time the timeline sorts by: the index's date for the event (none when the event
    /// has no time at all).
    pub sort_at: Option<DateTime<Utc>>,
    /// The merged event as printed.
    pub json: String,
}

/// A stored event, read back.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub id: String,
    pub json: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Which events [`Store::events`] returns: `since` inclusive, `until` exclusive, on `sort_at`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventFilter {
    pub vendor: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: Option<usize>,
}

/// A feed that stopped listing an incident while the incident was still inside its window.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedAbsence {
    pub source_url: String,
    pub last_listed_at: DateTime<Utc>,
    pub missing_since: DateTime<Utc>,
}

/// The span a vendor's status feed covered: its oldest item to its last successful read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusWindow {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Store {
    /// Vendor names (as stored) with an incident the merge has not seen in its current content.
    pub fn vendors_pending_merge(&self) -> Result<Vec<String>, StoreError> {
        let op = "listing vendors with incidents to merge";
        self.conn
            .prepare_cached(
                "SELECT DISTINCT i.vendor FROM incidents i
                 LEFT JOIN event_members m ON m.incident_id = i.id
                 WHERE m.incident_id IS NULL OR m.incident_hash != i.content_hash
                 ORDER BY i.vendor",
            )
            .and_then(|mut stmt| {
                stmt.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| sql_error(&self.db, op, e))
    }

    /// The event an incident belongs to.
    pub fn event_of_incident(&self, incident_id: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(
                "SELECT event_id FROM event_members WHERE incident_id = ?1",
                [incident_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| {
                sql_error(
                    &self.db,
                    &format!("finding the event of incident {incident_id}"),
                    e,
                )
            })
    }

    /// The event of every incident of one vendor that has one (the name as stored): the
    /// merge's lookup, in one query instead of one per incident.
    pub fn vendor_event_members(
        &self,
        vendor: &str,
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT m.incident_id, m.event_id FROM event_members m
                 JOIN incidents i ON i.id = m.incident_id WHERE i.vendor = ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_map([vendor], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<_, _>>()
            })
            .map_err(|e| {
                sql_error(
                    &self.db,
                    &format!("reading the events of vendor {vendor}'s incidents"),
                    e,
                )
            })
    }

    /// Replaces every event that has a member in `scope` by `events`, in one transaction. An
    /// event id that existed keeps its creation time.
    pub fn replace_events(
        &mut self,
        scope: &[String],
        events: &[EventRow],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let db = self.db.as_str();
        let tx = super::write_tx(&mut self.conn)
            .map_err(|e| sql_error(db, "starting the event write", e))?;
        let mut rev = super::current_rev(&tx, db)?;
        let mut created = std::collections::HashMap::new();
        for incident_id in scope {
            let old: Option<(String, String)> = tx
                .prepare_cached(
                    "SELECT e.id, e.created_at FROM events e
                     JOIN event_members m ON m.event_id = e.id WHERE m.incident_id = ?1",
                )
                .and_then(|mut stmt| stmt.query_row([incident_id], |r| Ok((r.get(0)?, r.get(1)?))))
                .optional()
                .map_err(|e| sql_error(db, &format!("reading the event of {incident_id}"), e))?;
            if let Some((id, at)) = old {
                tx.prepare_cached("DELETE FROM events WHERE id = ?1")
                    .and_then(|mut stmt| stmt.execute([&id]))
                    .map_err(|e| sql_error(db, &format!("removing event {id}"), e))?;
                created.insert(id, at);
            }
        }
        let now = encode_time(now);
        for event in events {
            let created_at = created.get(&event.id).unwrap_or(&now);
            rev += 1;
            insert_event(&tx, db, event, created_at, &now, rev)?;
        }
        let mut removed: Vec<&String> = created
            .keys()
            .filter(|id| !events.iter().any(|e| &e.id == *id))
            .collect();
        removed.sort();
        for id in removed {
            rev += 1;
            record_removal(&tx, db, id, rev)?;
        }
        super::set_rev(&tx, db, rev)?;
        tx.commit()
            .map_err(|e| sql_error(db, "committing the event write", e))
    }

    /// Events written after `rev`, oldest write first, at most `limit`: what the search index
    /// has not seen yet.
    pub fn changed_events_since(
        &self,
        rev: i64,
        limit: usize,
    ) -> Result<Vec<ChangedEvent>, StoreError> {
        let op = "listing events changed since a rev";
        let raw = self
            .conn
            .prepare_cached(
                "SELECT id, rev, sort_at, json FROM events WHERE rev > ?1 ORDER BY rev, id LIMIT ?2",
            )
            .and_then(|mut stmt| {
                stmt.query_map(params![rev, to_sql_int(limit)], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<Result<Vec<(String, i64, String, String)>, _>>()
            })
            .map_err(|e| sql_error(&self.db, op, e))?;
        let changed = raw
            .into_iter()
            .map(|(id, rev, sort_at, json)| ChangedEvent {
                id,
                rev,
                // An event with no time at all sorts at the beginning of time, which the
                // store writes as a date outside RFC 3339.
                sort_at: decode_time(&sort_at).ok(),
                json,
            })
            .collect::<Vec<_>>();
        Ok(changed)
    }

    /// Ids of events a regrouping removed after `rev`, with the rev of the removal.
    pub fn event_removals_since(&self, rev: i64) -> Result<Vec<(String, i64)>, StoreError> {
        self.conn
            .prepare_cached("SELECT id, rev FROM event_removals WHERE rev > ?1 ORDER BY rev")
            .and_then(|mut stmt| {
                stmt.query_map([rev], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| sql_error(&self.db, "listing removed events", e))
    }

    /// Events matching `filter`, newest first.
    pub fn events(&self, filter: &EventFilter) -> Result<Vec<StoredEvent>, StoreError> {
        let op = "listing events";
        let raw = self
            .conn
            .prepare_cached(
                "SELECT id, json, created_at, updated_at FROM events
                 WHERE (?1 IS NULL OR vendor = ?1)
                   AND (?2 IS NULL OR sort_at >= ?2)
                   AND (?3 IS NULL OR sort_at < ?3)
                 ORDER BY sort_at DESC, id LIMIT ?4",
            )
            .and_then(|mut stmt| {
                stmt.query_map(
                    params![
                        filter.vendor.as_deref().map(str::trim),
                        filter.since.map(encode_time),
                        filter.until.map(encode_time),
                        filter.limit.map_or(-1, to_sql_int)
                    ],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?
                .collect::<Result<Vec<(String, String, String, String)>, _>>()
            })
            .map_err(|e| sql_error(&self.db, op, e))?;
        raw.into_iter()
            .map(|(id, json, c, u)| self.stored_event(id, json, &c, &u))
            .collect()
    }

    /// The event with this id.
    pub fn event(&self, id: &str) -> Result<Option<StoredEvent>, StoreError> {
        let raw: Option<(String, String, String, String)> = self
            .conn
            .query_row(
                "SELECT id, json, created_at, updated_at FROM events WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(|e| sql_error(&self.db, &format!("reading event {id}"), e))?;
        raw.map(|(id, json, c, u)| self.stored_event(id, json, &c, &u))
            .transpose()
    }

    /// How many events are stored.
    pub fn event_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
            .map_err(|e| sql_error(&self.db, "counting events", e))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Records that the document just parsed from `source_url` listed `listed`, and flags the
    /// incidents this feed listed before whose start lies inside the document's window
    /// (`oldest..=newest`) but which it no longer lists: deleted by the vendor, not aged out.
    /// Returns how many were newly flagged; their events are marked for re-merging.
    pub fn record_listing(
        &mut self,
        source_url: &str,
        listed: &[String],
        window: Option<(DateTime<Utc>, DateTime<Utc>)>,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let db = self.db.as_str();
        let op = |what: &str| format!("{what} for feed {source_url}");
        let tx = super::write_tx(&mut self.conn)
            .map_err(|e| sql_error(db, &op("starting the listing"), e))?;
        let seen = encode_time(now);
        tx.execute(
            "CREATE TEMP TABLE IF NOT EXISTS listed_now (incident_id TEXT PRIMARY KEY)",
            [],
        )
        .and_then(|_| super::execute_cached(&tx, "DELETE FROM listed_now", []))
        .map_err(|e| sql_error(db, &op("preparing the listing"), e))?;
        {
            // Cached: a crawl lists every item of every feed through these two statements.
            let mut now_listed = tx
                .prepare_cached("INSERT OR IGNORE INTO listed_now (incident_id) VALUES (?1)")
                .map_err(|e| sql_error(db, &op("preparing the listing"), e))?;
            let mut listing = tx
                .prepare_cached(
                    "INSERT INTO feed_listings (source_url, incident_id, last_listed_at)
                     SELECT ?1, id, ?3 FROM incidents WHERE id = ?2
                     ON CONFLICT(source_url, incident_id) DO UPDATE SET
                         last_listed_at = excluded.last_listed_at, missing_since = NULL",
                )
                .map_err(|e| sql_error(db, &op("preparing the listing"), e))?;
            for id in listed {
                now_listed
                    .execute([id])
                    .and_then(|_| listing.execute(params![source_url, id, seen]))
                    .map_err(|e| sql_error(db, &op(&format!("listing incident {id}")), e))?;
            }
        }
        let mut flagged = 0;
        if let Some((oldest, newest)) = window {
            flagged = super::execute_cached(
                &tx,
                "UPDATE feed_listings SET missing_since = ?2
                     WHERE source_url = ?1 AND missing_since IS NULL
                       AND incident_id NOT IN (SELECT incident_id FROM listed_now)
                       AND EXISTS (SELECT 1 FROM incidents i
                                   WHERE i.id = feed_listings.incident_id
                                     AND i.start >= ?3 AND i.start <= ?4)",
                params![source_url, seen, encode_time(oldest), encode_time(newest)],
            )
            .map_err(|e| sql_error(db, &op("flagging incidents no longer listed"), e))?;
            if flagged > 0 {
                tx.execute(
                    "UPDATE event_members SET incident_hash = ''
                     WHERE incident_id IN (SELECT incident_id FROM feed_listings
                                           WHERE source_url = ?1 AND missing_since = ?2)",
                    params![source_url, seen],
                )
                .map_err(|e| sql_error(db, &op("marking events to re-merge"), e))?;
            }
        }
        super::execute_cached(&tx, "DELETE FROM listed_now", [])
            .map_err(|e| sql_error(db, &op("clearing the listing"), e))?;
        tx.commit()
            .map_err(|e| sql_error(db, &op("committing the listing"), e))?;
        Ok(flagged)
    }

    /// [`Store::feed_absences`] for every incident of one vendor (the name as stored) that
    /// has any, by incident id.
    pub fn vendor_feed_absences(
        &self,
        vendor: &str,
    ) -> Result<std::collections::HashMap<String, Vec<FeedAbsence>>, StoreError> {
        let db = self.db.as_str();
        let raw = self
            .conn
            .prepare_cached(
                "SELECT f.incident_id, f.source_url, f.last_listed_at, f.missing_since
                 FROM feed_listings f JOIN incidents i ON i.id = f.incident_id
                 WHERE i.vendor = ?1 AND f.missing_since IS NOT NULL
                 ORDER BY f.incident_id, f.source_url",
            )
            .and_then(|mut stmt| {
                stmt.query_map([vendor], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<Result<Vec<(String, String, String, String)>, _>>()
            })
            .map_err(|e| {
                sql_error(
                    db,
                    &format!("reading the feed absences of vendor {vendor}"),
                    e,
                )
            })?;
        let mut out: std::collections::HashMap<String, Vec<FeedAbsence>> =
            std::collections::HashMap::new();
        for (incident_id, source_url, listed, missing) in raw {
            let what = || format!("a feed listing of incident {incident_id}");
            let absence = FeedAbsence {
                source_url,
                last_listed_at: decode_time(&listed).map_err(|e| corrupt(db, what(), e))?,
                missing_since: decode_time(&missing).map_err(|e| corrupt(db, what(), e))?,
            };
            out.entry(incident_id).or_default().push(absence);
        }
        Ok(out)
    }

    /// The feeds that stopped listing this incident while it was inside their window.
    pub fn feed_absences(&self, incident_id: &str) -> Result<Vec<FeedAbsence>, StoreError> {
        let db = self.db.as_str();
        let raw = self
            .conn
            .prepare_cached(
                "SELECT source_url, last_listed_at, missing_since FROM feed_listings
                 WHERE incident_id = ?1 AND missing_since IS NOT NULL ORDER BY source_url",
            )
            .and_then(|mut stmt| {
                stmt.query_map([incident_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<Result<Vec<(String, String, String)>, _>>()
            })
            .map_err(|e| {
                sql_error(
                    db,
                    &format!("reading the feed absences of incident {incident_id}"),
                    e,
                )
            })?;
        raw.into_iter()
            .map(|(source_url, listed, missing)| {
                let what = || format!("a feed listing of incident {incident_id}");
                Ok(FeedAbsence {
                    source_url,
                    last_listed_at: decode_time(&listed).map_err(|e| corrupt(db, what(), e))?,
                    missing_since: decode_time(&missing).map_err(|e| corrupt(db, what(), e))?,
                })
            })
            .collect()
    }

    /// The reach of the vendor's status feeds, from the items of their last documents: a
    /// vendor whose status page covered a time but listed no incident then did not mention it.
    pub fn status_windows(&self, vendor: &str) -> Result<Vec<StatusWindow>, StoreError> {
        let db = self.db.as_str();
        let raw = self
            .conn
            .prepare_cached(
                "SELECT oldest_item_at, coalesce(last_success_at, newest_item_at) FROM sources
                 WHERE vendor = ?1 COLLATE NOCASE AND (role IS NULL OR role = 'status')
                   AND oldest_item_at IS NOT NULL
                   AND coalesce(last_success_at, newest_item_at) IS NOT NULL",
            )
            .and_then(|mut stmt| {
                stmt.query_map([vendor], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<Vec<(String, String)>, _>>()
            })
            .map_err(|e| sql_error(db, &format!("reading the status windows of {vendor}"), e))?;
        raw.into_iter()
            .map(|(a, b)| {
                let what = || format!("the item window of a {vendor} source");
                Ok(StatusWindow {
                    from: decode_time(&a).map_err(|e| corrupt(db, what(), e))?,
                    to: decode_time(&b).map_err(|e| corrupt(db, what(), e))?,
                })
            })
            .collect()
    }

    fn stored_event(
        &self,
        id: String,
        json: String,
        created: &str,
        updated: &str,
    ) -> Result<StoredEvent, StoreError> {
        let what = || format!("the times of event {id}");
        Ok(StoredEvent {
            created_at: decode_time(created).map_err(|e| corrupt(&self.db, what(), e))?,
            updated_at: decode_time(updated).map_err(|e| corrupt(&self.db, what(), e))?,
            id,
            json,
        })
    }
}

/// Records that the event `id` is gone (at `rev`), for the search index to drop it.
pub(super) fn record_removal(
    conn: &rusqlite::Connection,
    db: &str,
    id: &str,
    rev: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO event_removals (id, rev) VALUES (?1, ?2)
         ON CONFLICT(id) DO UPDATE SET rev = excluded.rev",
    )
    .and_then(|mut stmt| stmt.execute(params![id, rev]))
    .map(|_| ())
    .map_err(|e| sql_error(db, &format!("recording the removal of event {id}"), e))
}

/// Writes one event row at `rev` and its member rows (each member records the content hash
/// it was merged at, read from its incident row); an earlier removal of the id is forgotten.
pub(super) fn insert_event(
    conn: &rusqlite::Connection,
    db: &str,
    event: &EventRow,
    created_at: &str,
    now: &str,
    rev: i64,
) -> Result<(), StoreError> {
    let op = |what: &str| format!("{what} of event {}", event.id);
    conn.prepare_cached(
        r#"INSERT INTO events (id, vendor, start, "end", sort_at, json, created_at, updated_at, rev)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"#,
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            event.id,
            event.vendor,
            event.start.map(encode_time),
            event.end.map(encode_time),
            encode_time(event.sort_at),
            event.json,
            created_at,
            now,
            rev
        ])
    })
    .map_err(|e| sql_error(db, &op("writing the row"), e))?;
    conn.prepare_cached("DELETE FROM event_removals WHERE id = ?1")
        .and_then(|mut stmt| stmt.execute([&event.id]))
        .map_err(|e| sql_error(db, &op("forgetting the removal"), e))?;
    for m in &event.members {
        let score = m.score.unwrap_or_default();
        let has = m.score.is_some();
        conn.prepare_cached(
            "INSERT INTO event_members (incident_id, event_id, role, matched_with,
                 score_total, score_time, score_text, score_services, score_regions,
                 reason, incident_hash)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, content_hash
             FROM incidents WHERE id = ?1",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                m.incident_id,
                event.id,
                m.role.as_str(),
                m.matched_with,
                has.then_some(score.total),
                has.then_some(score.time),
                has.then_some(score.text),
                has.then_some(score.services),
                has.then_some(score.regions),
                m.reason
            ])
        })
        .map_err(|e| sql_error(db, &op(&format!("adding member {}", m.incident_id)), e))?;
    }
    Ok(())
}

#[cfg(test)]
impl Store {
    /// Raw access for tests that damage or wipe tables.
    pub(crate) fn conn_for_tests(&self) -> &rusqlite::Connection {
        &self.conn
    }
}
