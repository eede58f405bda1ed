//! Incidents: their typed rows and the reads (the upsert that writes them is in `upsert`).
//!
//! An incident lives in three tables: `incidents` (one row, the merged current state),
//! `updates` (one row per update ever seen, so none is lost when a feed prunes) and
//! `incident_versions` (the whole incident as JSON for each content it had before its current
//! one: the current content is the row itself, and becomes a version when it is replaced).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::upsert::lookup;
use super::{Store, StoreError, corrupt, decode_time, encode_time, sql_error, to_sql_int};
use crate::model::{Incident, Severity, SourceRef, Update};

/// What one upsert did, for crawl summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpsertCounts {
    /// Ids the store had never seen.
    pub new: usize,
    /// Known ids whose merged content changed (a new rev and a new version).
    pub updated: usize,
    /// Known ids that brought nothing new.
    pub unchanged: usize,
}

/// Which incidents [`Store::incidents`] returns. `since` is inclusive and `until` exclusive,
/// both compared with the start, or with the time first seen when the source gave no start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncidentFilter {
    /// Canonical vendor name, compared ignoring ASCII case.
    pub vendor: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub severity: Option<Severity>,
    pub limit: Option<usize>,
}

/// An incident written after a given rev, for index synchronisation.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangedIncident {
    /// The rev of its last write; the index stores the highest one it has seen.
    pub rev: i64,
    /// When the store first saw it: the index's date for an incident without a start.
    pub first_seen: DateTime<Utc>,
    pub incident: Incident,
}

/// A vendor as the store knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct VendorSummary {
    pub name: String,
    pub incidents: usize,
    /// Oldest and newest incident start: how far this vendor's data reaches.
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
}

/// One content version of an incident, as it was when first seen.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentVersion {
    pub seen_at: DateTime<Utc>,
    pub incident: Incident,
}

/// An `incidents` row read back, before its updates are attached.
pub(super) struct StoredRow {
    pub(super) incident: Incident,
    pub(super) rev: i64,
    pub(super) first_seen: DateTime<Utc>,
    pub(super) content_hash: String,
}

/// The columns every read selects, in the order [`read_row`] expects.
pub(super) const COLUMNS: &str = r#"id, vendor, title, start, "end", status, severity, severity_native,
    regions, services, cause, sources, rev, first_seen, content_hash"#;

impl Store {
    /// The stored incident with this id.
    pub fn incident(&self, id: &str) -> Result<Option<Incident>, StoreError> {
        Ok(read_stored(&self.conn, &self.db, id)?.map(|row| row.incident))
    }

    /// Incidents matching `filter`, newest first.
    pub fn incidents(&self, filter: &IncidentFilter) -> Result<Vec<Incident>, StoreError> {
        let db = self.db.as_str();
        let sql = format!(
            "SELECT {COLUMNS} FROM incidents
             WHERE (?1 IS NULL OR vendor = ?1)
               AND (?2 IS NULL OR coalesce(start, first_seen) >= ?2)
               AND (?3 IS NULL OR coalesce(start, first_seen) < ?3)
               AND (?4 IS NULL OR severity = ?4)
             ORDER BY coalesce(start, first_seen) DESC, id
             LIMIT ?5"
        );
        let limit = filter.limit.map_or(-1, to_sql_int);
        let rows = query_rows(
            &self.conn,
            db,
            &sql,
            params![
                filter.vendor.as_deref().map(str::trim),
                filter.since.map(encode_time),
                filter.until.map(encode_time),
                filter.severity.map(Severity::as_str),
                limit
            ],
            "listing incidents",
        )?;
        Ok(rows.into_iter().map(|row| row.incident).collect())
    }

    /// Every incident of one vendor (the name as stored, compared ignoring ASCII case), in no
    /// particular order: what the merge regroups. Their updates come in one query for the
    /// whole vendor, not one per incident.
    pub fn vendor_incidents(&self, vendor: &str) -> Result<Vec<Incident>, StoreError> {
        let db = self.db.as_str();
        let op = || format!("reading the incidents of vendor {vendor}");
        let sql = format!("SELECT {COLUMNS} FROM incidents WHERE vendor = ?1");
        let raws = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut stmt| {
                stmt.query_map([vendor], RawRow::from_row)?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| sql_error(db, &op(), e))?;
        let mut updates = grouped_updates(
            &self.conn,
            db,
            "SELECT u.incident_id, u.at, u.status, u.text FROM updates u
             JOIN incidents i ON i.id = u.incident_id WHERE i.vendor = ?1
             ORDER BY u.incident_id, u.at IS NULL, u.at, u.rowid",
            [vendor],
            &op(),
        )?;
        let mut out = Vec::with_capacity(raws.len());
        for raw in raws {
            let own = updates.remove(raw.id.as_str()).unwrap_or_default();
            out.push(raw.decode_with(db, own)?.incident);
        }
        Ok(out)
    }

    /// Up to `limit` incidents written after `rev`, in rev order, so a caller can resume from
    /// the last rev it processed.
    pub fn changed_since(
        &self,
        rev: i64,
        limit: usize,
    ) -> Result<Vec<ChangedIncident>, StoreError> {
        let db = self.db.as_str();
        let op = "listing incidents changed since a rev";
        let sql = format!("SELECT {COLUMNS} FROM incidents WHERE rev > ?1 ORDER BY rev LIMIT ?2");
        let raws = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut stmt| {
                stmt.query_map(params![rev, to_sql_int(limit)], RawRow::from_row)?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| sql_error(db, op, e))?;
        // The updates of the whole page in one query, not one per incident: a rebuild reads
        // every incident this way, and per-row queries were a third of its time.
        let mut updates = updates_changed_since(&self.conn, db, rev, limit)?;
        let mut rows = Vec::with_capacity(raws.len());
        for raw in raws {
            let own = updates.remove(raw.id.as_str()).unwrap_or_default();
            rows.push(raw.decode_with(db, own)?);
        }
        Ok(rows
            .into_iter()
            .map(|row| ChangedIncident {
                rev: row.rev,
                first_seen: row.first_seen,
                incident: row.incident,
            })
            .collect())
    }

    /// Every distinct service or region named by a stored incident (of `vendor`, when given),
    /// sorted: what a filter on that field can match.
    pub fn known_terms(
        &self,
        field: TermField,
        vendor: Option<&str>,
    ) -> Result<Vec<String>, StoreError> {
        let sql = match field {
            TermField::Service => {
                "SELECT DISTINCT j.value FROM incidents AS i, json_each(i.services) AS j
                 WHERE ?1 IS NULL OR i.vendor = ?1 ORDER BY 1"
            }
            TermField::Region => {
                "SELECT DISTINCT j.value FROM incidents AS i, json_each(i.regions) AS j
                 WHERE ?1 IS NULL OR i.vendor = ?1 ORDER BY 1"
            }
        };
        self.conn
            .prepare_cached(sql)
            .and_then(|mut stmt| {
                stmt.query_map([vendor], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<String>, _>>()
            })
            .map_err(|e| {
                sql_error(
                    &self.db,
                    &format!("listing the known {}s", field.label()),
                    e,
                )
            })
    }

    /// Every vendor in the store with how many incidents it has and how far its data reaches
    /// (oldest and newest start), by name.
    pub fn vendors(&self) -> Result<Vec<VendorSummary>, StoreError> {
        let db = self.db.as_str();
        let op = "listing vendors";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT vendor, count(*), min(start), max(start) FROM incidents
                 GROUP BY vendor ORDER BY vendor",
            )
            .map_err(|e| sql_error(db, op, e))?;
        let raw = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| sql_error(db, op, e))?;
        let mut out = Vec::with_capacity(raw.len());
        for (name, incidents, first, last) in raw {
            let time = |s: Option<String>| {
                s.map(|s| decode_time(&s))
                    .transpose()
                    .map_err(|e| corrupt(db, format!("the start times of vendor {name}"), e))
            };
            out.push(VendorSummary {
                first: time(first)?,
                last: time(last)?,
                incidents: usize::try_from(incidents).unwrap_or(0),
                name,
            });
        }
        Ok(out)
    }

    /// Every content version of an incident, oldest first.
    pub fn versions(&self, id: &str) -> Result<Vec<IncidentVersion>, StoreError> {
        let db = self.db.as_str();
        let op = || format!("reading the versions of incident {id}");
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seen_at, json FROM incident_versions
                 WHERE incident_id = ?1 ORDER BY seen_at, rowid",
            )
            .map_err(|e| sql_error(db, &op(), e))?;
        let raw = stmt
            .query_map([id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| sql_error(db, &op(), e))?;
        let mut out = Vec::with_capacity(raw.len() + 1);
        for (seen_at, json) in raw {
            let what = || format!("a version of incident {id}");
            out.push(IncidentVersion {
                seen_at: decode_time(&seen_at).map_err(|e| corrupt(db, what(), e))?,
                incident: serde_json::from_str(&json).map_err(|e| corrupt(db, what(), e))?,
            });
        }
        // The current content, unless the row predates migration 6 (then it is already above).
        let current = lookup(&self.conn, db, id)?.and_then(|found| found.version_seen_at);
        if let Some(seen_at) = current {
            let what = || format!("the version time of incident {id}");
            let seen_at = decode_time(&seen_at).map_err(|e| corrupt(db, what(), e))?;
            if let Some(row) = read_stored(&self.conn, db, id)? {
                out.push(IncidentVersion {
                    seen_at,
                    incident: row.incident,
                });
            }
            // In the order first seen, as the rows above: an older crawl applied late comes
            // before the content it preceded (the sort is stable, so ties keep write order).
            out.sort_by_key(|v| v.seen_at);
        }
        Ok(out)
    }
}

pub(super) fn read_stored(
    conn: &Connection,
    db: &str,
    id: &str,
) -> Result<Option<StoredRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM incidents WHERE id = ?1");
    let op = || format!("reading incident {id}");
    let raw = conn
        .prepare_cached(&sql)
        .and_then(|mut stmt| stmt.query_row([id], RawRow::from_row).optional())
        .map_err(|e| sql_error(db, &op(), e))?;
    raw.map(|raw| raw.decode(conn, db)).transpose()
}

fn query_rows(
    conn: &Connection,
    db: &str,
    sql: &str,
    params: impl rusqlite::Params,
    op: &str,
) -> Result<Vec<StoredRow>, StoreError> {
    let raws = conn
        .prepare_cached(sql)
        .and_then(|mut stmt| {
            stmt.query_map(params, RawRow::from_row)?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| sql_error(db, op, e))?;
    let mut out = Vec::with_capacity(raws.len());
    for raw in raws {
        out.push(raw.decode(conn, db)?);
    }
    Ok(out)
}

/// The columns as SQLite returns them; decoding is separate so a bad value becomes a
/// [`StoreError::Corrupt`] naming the incident rather than an opaque conversion error.
pub(super) struct RawRow {
    pub(super) id: String,
    vendor: String,
    title: String,
    pub(super) start: Option<String>,
    end: Option<String>,
    status: String,
    severity: String,
    severity_native: Option<String>,
    regions: String,
    services: String,
    cause: Option<String>,
    sources: String,
    rev: i64,
    first_seen: String,
    content_hash: String,
}

impl RawRow {
    pub(super) fn from_row(r: &Row<'_>) -> rusqlite::Result<RawRow> {
        Ok(RawRow {
            id: r.get(0)?,
            vendor: r.get(1)?,
            title: r.get(2)?,
            start: r.get(3)?,
            end: r.get(4)?,
            status: r.get(5)?,
            severity: r.get(6)?,
            severity_native: r.get(7)?,
            regions: r.get(8)?,
            services: r.get(9)?,
            cause: r.get(10)?,
            sources: r.get(11)?,
            rev: r.get(12)?,
            first_seen: r.get(13)?,
            content_hash: r.get(14)?,
        })
    }

    fn decode(self, conn: &Connection, db: &str) -> Result<StoredRow, StoreError> {
        let updates = read_updates(conn, db, &self.id)?;
        self.decode_with(db, updates)
    }

    /// The row with `updates`, already read in the merge order.
    pub(super) fn decode_with(
        self,
        db: &str,
        updates: Vec<Update>,
    ) -> Result<StoredRow, StoreError> {
        let id = self.id;
        let bad =
            |field: &str, reason: String| corrupt(db, format!("{field} of incident {id}"), reason);
        let time = |field: &str, s: Option<String>| {
            s.map(|s| decode_time(&s).map_err(|e| bad(field, format!("{s:?}: {e}"))))
                .transpose()
        };
        let list = |field: &str, s: &str| -> Result<Vec<String>, StoreError> {
            serde_json::from_str(s).map_err(|e| bad(field, e.to_string()))
        };
        let start = time("start", self.start)?;
        let end = time("end", self.end)?;
        let first_seen = decode_time(&self.first_seen)
            .map_err(|e| bad("first_seen", format!("{:?}: {e}", self.first_seen)))?;
        let status = self.status.parse().map_err(|e| bad("status", e))?;
        let severity = self.severity.parse().map_err(|e| bad("severity", e))?;
        let regions = list("regions", &self.regions)?;
        let services = list("services", &self.services)?;
        let sources: Vec<SourceRef> =
            serde_json::from_str(&self.sources).map_err(|e| bad("sources", e.to_string()))?;
        Ok(StoredRow {
            incident: Incident {
                id,
                vendor: self.vendor,
                title: self.title,
                start,
                end,
                status,
                severity,
                severity_native: self.severity_native,
                stated_minutes: None,
                regions,
                services,
                cause: self.cause,
                updates,
                sources,
            },
            rev: self.rev,
            first_seen,
            content_hash: self.content_hash,
        })
    }
}

/// The updates of the incidents [`Store::changed_since`] lists for the same `rev` and
/// `limit`, by incident id, each list in the merge order [`read_updates`] gives.
fn updates_changed_since(
    conn: &Connection,
    db: &str,
    rev: i64,
    limit: usize,
) -> Result<HashMap<String, Vec<Update>>, StoreError> {
    grouped_updates(
        conn,
        db,
        "SELECT incident_id, at, status, text FROM updates
         WHERE incident_id IN (SELECT id FROM incidents WHERE rev > ?1 ORDER BY rev LIMIT ?2)
         ORDER BY incident_id, at IS NULL, at, rowid",
        params![rev, to_sql_int(limit)],
        "reading the updates of incidents changed since a rev",
    )
}

/// Updates by incident id from `sql`, which selects `incident_id, at, status, text` ordered by
/// incident and then in the merge order.
pub(super) fn grouped_updates(
    conn: &Connection,
    db: &str,
    sql: &str,
    params: impl rusqlite::Params,
    op: &str,
) -> Result<HashMap<String, Vec<Update>>, StoreError> {
    let raw = conn
        .prepare_cached(sql)
        .and_then(|mut stmt| {
            stmt.query_map(params, |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| sql_error(db, op, e))?;
    let mut out: HashMap<String, Vec<Update>> = HashMap::new();
    for (id, at, status, text) in raw {
        let at = at
            .map(|s| {
                decode_time(&s)
                    .map_err(|e| corrupt(db, format!("an update time of incident {id}"), e))
            })
            .transpose()?;
        out.entry(id).or_default().push(Update { at, status, text });
    }
    Ok(out)
}

/// The updates in the merge order: oldest first, undated last, ties in the order first seen.
fn read_updates(conn: &Connection, db: &str, id: &str) -> Result<Vec<Update>, StoreError> {
    let op = || format!("reading the updates of incident {id}");
    let raw = conn
        .prepare_cached(
            "SELECT at, status, text FROM updates WHERE incident_id = ?1
             ORDER BY at IS NULL, at, rowid",
        )
        .and_then(|mut stmt| {
            stmt.query_map([id], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| sql_error(db, &op(), e))?;
    let mut out = Vec::with_capacity(raw.len());
    for (at, status, text) in raw {
        let at = at
            .map(|s| {
                decode_time(&s)
                    .map_err(|e| corrupt(db, format!("an update time of incident {id}"), e))
            })
            .transpose()?;
        out.push(Update { at, status, text });
    }
    Ok(out)
}

/// A list field of incidents that filters match by substring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermField {
    Service,
    Region,
}

impl TermField {
    pub fn label(self) -> &'static str {
        match self {
            TermField::Service => "service",
            TermField::Region => "region",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ReportKind, Status};
    use crate::store::fixtures::{incident, t, update};

    fn store() -> Store {
        Store::open_in_memory().expect("in-memory store")
    }

    #[test]
    fn stored_incident_reads_back_equal() {
        let mut store = store();
        let mut original = incident("r1", "2024-03-01T10:00:00.123456789Z");
        original.end = Some(t("2024-03-01T11:30:00Z"));
        original.status = Status::Resolved;
        original.severity = Severity::Critical;
        original.severity_native = Some("critical".into());
        original.regions = vec!["us-east-1".into(), "eu-west-1".into()];
        original.services = vec!["Actions".into(), "Pages".into()];
        original.cause = Some("A configuration change overloaded the database.".into());
        original.updates = vec![
            update("2024-03-01T10:00:00Z", "investigating", "Looking into it."),
            update(
                "2024-03-01T10:00:00Z",
                "update",
                "Same second, later update.",
            ),
            update("2024-03-01T11:30:00Z", "resolved", "Fixed."),
            Update {
                at: None,
                status: "postmortem".into(),
                text: "Undated postmortem.".into(),
            },
        ];
        original.sources.push(SourceRef {
            url: None,
            kind: ReportKind::Press,
            quote: Some("GitHub said Actions was down.".into()),
        });
        let counts = store
            .upsert_incidents(std::slice::from_ref(&original), t("2024-03-01T12:00:00Z"))
            .expect("upsert");
        assert_eq!(
            counts,
            UpsertCounts {
                new: 1,
                updated: 0,
                unchanged: 0
            }
        );
        assert_eq!(
            store.incident("github:r1").expect("read"),
            Some(original.clone())
        );
        assert_eq!(store.incident("github:nope").expect("read"), None);
        let versions = store.versions("github:r1").expect("versions");
        assert_eq!(versions.len(), 1);
        assert_eq!(versions[0].seen_at, t("2024-03-01T12:00:00Z"));
        assert_eq!(versions[0].incident, original);
    }

    fn filtered_store() -> Store {
        let mut store = store();
        let mut slack = incident("x", "2024-01-10T00:00:00Z");
        slack.id = "slack:x".into();
        slack.vendor = "Slack".into();
        slack.severity = Severity::Major;
        let mut undated = incident("undated", "2024-01-01T00:00:00Z");
        undated.start = None;
        let incidents = [
            incident("jan", "2024-01-05T00:00:00Z"),
            incident("feb", "2024-02-05T00:00:00Z"),
            slack,
            undated,
        ];
        store
            .upsert_incidents(&incidents, t("2024-03-01T00:00:00Z"))
            .expect("upsert");
        store
    }

    fn ids(incidents: &[Incident]) -> Vec<&str> {
        incidents.iter().map(|i| i.id.as_str()).collect()
    }

    #[test]
    fn incidents_come_newest_first_with_first_seen_standing_in_for_start() {
        let store = filtered_store();
        let all = store.incidents(&IncidentFilter::default()).expect("all");
        assert_eq!(
            ids(&all),
            ["github:undated", "github:feb", "slack:x", "github:jan"]
        );
    }

    #[test]
    fn filters_narrow_by_vendor_dates_severity_and_limit() {
        let store = filtered_store();
        let by_vendor = IncidentFilter {
            vendor: Some("SLACK".into()),
            ..IncidentFilter::default()
        };
        assert_eq!(
            ids(&store.incidents(&by_vendor).expect("vendor")),
            ["slack:x"]
        );
        let january = IncidentFilter {
            since: Some(t("2024-01-01T00:00:00Z")),
            until: Some(t("2024-02-01T00:00:00Z")),
            ..IncidentFilter::default()
        };
        assert_eq!(
            ids(&store.incidents(&january).expect("dates")),
            ["slack:x", "github:jan"]
        );
        let since_march = IncidentFilter {
            since: Some(t("2024-03-01T00:00:00Z")),
            ..IncidentFilter::default()
        };
        assert_eq!(
            ids(&store.incidents(&since_march).expect("first_seen")),
            ["github:undated"]
        );
        let major = IncidentFilter {
            severity: Some(Severity::Major),
            ..IncidentFilter::default()
        };
        assert_eq!(
            ids(&store.incidents(&major).expect("severity")),
            ["slack:x"]
        );
        let two = IncidentFilter {
            vendor: Some("github".into()),
            limit: Some(2),
            ..IncidentFilter::default()
        };
        assert_eq!(
            ids(&store.incidents(&two).expect("limit")),
            ["github:undated", "github:feb"]
        );
    }

    #[test]
    fn changed_since_pages_in_rev_order() {
        let store = filtered_store();
        let first = store.changed_since(0, 3).expect("first page");
        let revs: Vec<i64> = first.iter().map(|c| c.rev).collect();
        assert_eq!(revs, [1, 2, 3]);
        let rest = store.changed_since(3, 3).expect("second page");
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].incident.id, "github:undated");
        assert_eq!(rest[0].first_seen, t("2024-03-01T00:00:00Z"));
    }

    #[test]
    fn unreadable_stored_value_is_reported_with_the_incident_id() {
        let mut store = store();
        store
            .upsert_incidents(
                &[incident("bad", "2024-03-01T10:00:00Z")],
                t("2024-03-01T10:01:00Z"),
            )
            .expect("upsert");
        store
            .conn
            .execute("UPDATE incidents SET severity = 'apocalyptic'", [])
            .expect("tamper");
        let err = store.incident("github:bad").expect_err("corrupt row");
        let message = err.to_string();
        assert!(
            message.contains("severity of incident github:bad"),
            "{message}"
        );
    }
}
