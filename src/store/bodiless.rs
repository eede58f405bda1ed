//! Successful fetches with nothing to store but the source's health: 304 Not Modified answers,
//! and 2xx bodies byte-identical to the one last parsed. A re-crawl is made of them, so they are
//! written many sources per statement (one upsert over a JSON array) instead of a savepoint and
//! two statements per source as [`Store::record_fetch`] and [`Store::set_next_attempt`] take.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{Store, StoreError, encode_time, sql_error};
use crate::model::Format;

use super::sources::FetchRecord;

/// A bodiless successful fetch and when the source is due again (`None`: at the next run).
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledFetch {
    pub record: FetchRecord,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// The upsert shared by both kinds of bodiless fetch; `?2` says whether they were 304s, which
/// keep stored validators the server did not re-send, where a 2xx replaces them outright.
const UPSERT: &str = "INSERT INTO sources (url, vendor, kind, role, etag, last_modified,
         last_checked_at, last_success_at, consecutive_failures, next_attempt_at)
     SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4,
         j.value ->> 5, j.value ->> 6, j.value ->> 6, 0, j.value ->> 7
     FROM json_each(?1) AS j WHERE true
     ON CONFLICT(url) DO UPDATE SET
         vendor = coalesce(excluded.vendor, vendor),
         kind = coalesce(excluded.kind, kind),
         role = excluded.role,
         etag = CASE WHEN ?2 THEN coalesce(excluded.etag, etag) ELSE excluded.etag END,
         last_modified = CASE WHEN ?2 THEN coalesce(excluded.last_modified, last_modified)
                              ELSE excluded.last_modified END,
         last_checked_at = excluded.last_checked_at,
         last_success_at = excluded.last_success_at,
         consecutive_failures = 0,
         next_attempt_at = excluded.next_attempt_at";

impl Store {
    /// Records bodiless successful fetches as [`Store::record_fetch`] followed by
    /// [`Store::set_next_attempt`] would, one statement for the 304s and one for the rest.
    /// A fetch with a status outside 2xx and 304 is refused before anything is written.
    pub fn record_bodiless_fetches(
        &mut self,
        fetches: &[ScheduledFetch],
    ) -> Result<(), StoreError> {
        if let Some(bad) = fetches.iter().find(|f| {
            let status = f.record.http_status;
            status != 304 && !(200..300).contains(&status)
        }) {
            return Err(StoreError::InvalidFetch {
                url: bad.record.url.clone(),
                reason: format!(
                    "HTTP {} is not a success; record it with record_failure",
                    bad.record.http_status
                ),
            });
        }
        for not_modified in [true, false] {
            let rows: Vec<_> = fetches
                .iter()
                .filter(|f| (f.record.http_status == 304) == not_modified)
                .map(|f| {
                    let r = &f.record;
                    json!([
                        r.url,
                        r.vendor,
                        r.kind.map(Format::as_str),
                        r.role.as_str(),
                        r.validators.etag,
                        r.validators.last_modified,
                        encode_time(r.fetched_at),
                        f.next_attempt_at.map(encode_time),
                        encode_time(
                            r.fetched_at - chrono::Duration::hours(super::coverage::BRIDGE_HOURS)
                        ),
                    ])
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            let array = serde_json::Value::Array(rows).to_string();
            self.extend_coverage(&array, fetches)?;
            super::execute_cached(&self.conn, UPSERT, rusqlite::params![array, not_modified])
                .map_err(|e| {
                    sql_error(
                        &self.db,
                        &format!("recording {} unchanged sources", fetches.len()),
                        e,
                    )
                })?;
        }
        Ok(())
    }
}

/// Sources in the batch (`?1`) that covered something before but whose previous success was
/// not recent or was followed by a failure: their coverage starts again, from the oldest entry
/// the unchanged document lists.
const RESTARTED: &str = "SELECT j.value ->> 0, s.oldest_item_at FROM json_each(?1) AS j
     JOIN sources AS s ON s.url = j.value ->> 0
     WHERE EXISTS (SELECT 1 FROM coverage AS c WHERE c.source = s.url)
       AND NOT (s.consecutive_failures = 0 AND s.last_success_at >= j.value ->> 8)";

/// The others: the stretch that reaches their previous success now reaches this fetch.
const BRIDGED: &str = "UPDATE coverage SET \"end\" = j.value ->> 6
     FROM json_each(?1) AS j JOIN sources AS s ON s.url = j.value ->> 0
     WHERE coverage.source = s.url AND s.consecutive_failures = 0
       AND s.last_success_at >= j.value ->> 8
       AND coverage.\"end\" >= s.last_success_at AND coverage.\"end\" < j.value ->> 6";

impl Store {
    /// Extends the coverage of the sources in `array` (the batch as JSON rows) by their
    /// bodiless successes: what the unchanged document listed still holds at this fetch.
    /// Runs before their `last_success_at` moves.
    fn extend_coverage(
        &mut self,
        array: &str,
        fetches: &[ScheduledFetch],
    ) -> Result<(), StoreError> {
        let db = self.db.clone();
        let restarted = self
            .conn
            .prepare_cached(RESTARTED)
            .and_then(|mut stmt| {
                stmt.query_map([array], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?
                    .collect::<Result<Vec<(String, Option<String>)>, _>>()
            })
            .map_err(|e| sql_error(&db, "reading the coverage of unchanged sources", e))?;
        super::execute_cached(&self.conn, BRIDGED, [array])
            .map_err(|e| sql_error(&db, "extending the coverage of unchanged sources", e))?;
        for (url, oldest) in restarted {
            let Some(fetch) = fetches.iter().find(|f| f.record.url == url) else {
                continue;
            };
            let now = fetch.record.fetched_at;
            let oldest = oldest
                .as_deref()
                .map(super::decode_time)
                .transpose()
                .map_err(|e| super::corrupt(&db, format!("the item window of {url}"), e))?
                .map_or(now, |o| o.min(now));
            let vendors = self.coverage_vendors(&url)?;
            for vendor in vendors {
                self.record_coverage(
                    &url,
                    &vendor,
                    crate::model::Span {
                        from: oldest,
                        to: now,
                    },
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::Validators;
    use crate::model::ReportKind;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    fn record(url: &str, status: u16, etag: Option<&str>, when: &str) -> FetchRecord {
        FetchRecord {
            url: url.into(),
            vendor: Some("Acme".into()),
            kind: None,
            role: ReportKind::Status,
            fetched_at: at(when),
            http_status: status,
            validators: Validators {
                etag: etag.map(str::to_string),
                last_modified: None,
            },
            body: None,
        }
    }

    /// The batched write leaves every source exactly as the two per-source calls do.
    #[test]
    fn batched_bodiless_fetches_equal_record_fetch_then_set_next_attempt() {
        let mut one_by_one = Store::open_in_memory().expect("open");
        let mut batched = Store::open_in_memory().expect("open");
        let seed = |store: &mut Store| {
            for url in ["https://a.test/f", "https://b.test/f"] {
                let mut first = record(url, 200, Some("\"v1\""), "2024-01-01T00:00:00Z");
                first.validators.last_modified = Some("Mon, 01 Jan 2024 00:00:00 GMT".into());
                store.record_fetch(&first).expect("seed");
                store
                    .record_failure(url, None, at("2024-01-02T00:00:00Z"), "timeout", "slow")
                    .expect("failure");
            }
        };
        seed(&mut one_by_one);
        seed(&mut batched);
        let due = Some(at("2024-01-03T01:00:00Z"));
        let fetches = vec![
            // A 304 that re-sends no validators keeps the stored ones.
            ScheduledFetch {
                record: record("https://a.test/f", 304, None, "2024-01-03T00:00:00Z"),
                next_attempt_at: due,
            },
            // An identical 2xx replaces them with what it sent.
            ScheduledFetch {
                record: record(
                    "https://b.test/f",
                    200,
                    Some("\"v2\""),
                    "2024-01-03T00:00:00Z",
                ),
                next_attempt_at: None,
            },
            // A source never seen before gets its row.
            ScheduledFetch {
                record: record(
                    "https://c.test/f",
                    304,
                    Some("\"c\""),
                    "2024-01-03T00:00:00Z",
                ),
                next_attempt_at: due,
            },
        ];
        for f in &fetches {
            one_by_one.record_fetch(&f.record).expect("record");
            one_by_one
                .set_next_attempt(&f.record.url, f.next_attempt_at)
                .expect("next");
        }
        let before = batched.conn.total_changes();
        batched.record_bodiless_fetches(&fetches).expect("batched");
        assert_eq!(batched.conn.total_changes() - before, 3);
        assert_eq!(
            batched.sources().expect("sources"),
            one_by_one.sources().expect("sources")
        );
        let a = batched
            .source("https://a.test/f")
            .expect("read")
            .expect("a");
        assert_eq!(a.etag.as_deref(), Some("\"v1\""));
        assert_eq!(
            a.last_modified.as_deref(),
            Some("Mon, 01 Jan 2024 00:00:00 GMT")
        );
        assert_eq!(a.consecutive_failures, 0);
        assert_eq!(a.last_error_class.as_deref(), Some("timeout"));
        assert_eq!(a.next_attempt_at, due);
        let b = batched
            .source("https://b.test/f")
            .expect("read")
            .expect("b");
        assert_eq!(b.etag.as_deref(), Some("\"v2\""));
        assert_eq!(b.last_modified, None);
        assert_eq!(b.next_attempt_at, None);
        assert_eq!(b.last_success_at, Some(at("2024-01-03T00:00:00Z")));
    }

    #[test]
    fn a_failed_status_is_refused_before_anything_is_written() {
        let mut store = Store::open_in_memory().expect("open");
        let fetches = vec![
            ScheduledFetch {
                record: record("https://a.test/f", 304, None, "2024-01-03T00:00:00Z"),
                next_attempt_at: None,
            },
            ScheduledFetch {
                record: record("https://b.test/f", 500, None, "2024-01-03T00:00:00Z"),
                next_attempt_at: None,
            },
        ];
        let err = store
            .record_bodiless_fetches(&fetches)
            .expect_err("refused");
        assert_eq!(
            err.to_string(),
            "cannot record the fetch of https://b.test/f: HTTP 500 is not a success; record it with record_failure"
        );
        assert_eq!(store.counts().expect("counts").sources, 0);
    }
}
