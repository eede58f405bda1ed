//! Coverage as data: the stretches of time each source covered for each vendor. A status feed
//! fetched successfully covers its oldest listed entry to the fetch; the next success within
//! [`BRIDGE_HOURS`] with no failure between extends that stretch to itself, so a failed crawl
//! (or a long pause) leaves a hole. An ingested archive covers its own span. Figures count only
//! covered time, and a vendor without any in a period has no data there.

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;

use super::{Store, StoreError, corrupt, decode_time, encode_time, sql_error};
use crate::model::{Span, union_spans};

/// The longest pause between two successful fetches of a source that still counts as watched
/// throughout: a feed that lists only its latest entries says nothing about a day nobody
/// fetched it.
pub(crate) const BRIDGE_HOURS: i64 = 24;

/// One source's coverage of one vendor, for `sources list` and the vendor page.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceCoverage {
    pub source: String,
    pub vendor: String,
    /// Sorted, disjoint.
    pub spans: Vec<Span>,
}

impl Store {
    /// Adds `span` to what `source` covered for `vendor`, joined with the stretches it overlaps
    /// or touches.
    pub fn record_coverage(
        &mut self,
        source: &str,
        vendor: &str,
        span: Span,
    ) -> Result<(), StoreError> {
        let db = self.db.as_str();
        let what = || format!("recording the coverage of {vendor} by {source}");
        let (from, to) = (encode_time(span.from), encode_time(span.to));
        let touching = self
            .conn
            .prepare_cached(
                "SELECT rowid, start, \"end\" FROM coverage
                 WHERE source = ?1 AND vendor = ?2 AND start <= ?4 AND \"end\" >= ?3",
            )
            .and_then(|mut stmt| {
                stmt.query_map(params![source, vendor, from, to], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?))
                })?
                .collect::<Result<Vec<(i64, String, String)>, _>>()
            })
            .map_err(|e| sql_error(db, &what(), e))?;
        // Times are stored in one fixed-width format, so text order is time order.
        let from = touching
            .iter()
            .map(|(_, s, _)| s.clone())
            .chain([from])
            .min()
            .unwrap_or_default();
        let to = touching
            .iter()
            .map(|(_, _, e)| e.clone())
            .chain([to])
            .max()
            .unwrap_or_default();
        for (rowid, _, _) in &touching {
            super::execute_cached(&self.conn, "DELETE FROM coverage WHERE rowid = ?1", [rowid])
                .map_err(|e| sql_error(db, &what(), e))?;
        }
        super::execute_cached(
            &self.conn,
            "INSERT INTO coverage (source, vendor, start, \"end\") VALUES (?1, ?2, ?3, ?4)",
            params![source, vendor, from, to],
        )
        .map_err(|e| sql_error(db, &what(), e))?;
        Ok(())
    }

    /// Records what a successful fetch of `source` at `now` covered for each of `vendors`: from
    /// its oldest listed entry (`oldest`, else the fetch itself), or from the previous success
    /// when that was recent and no failure came between. Call before the fetch is recorded.
    pub fn record_fetch_coverage(
        &mut self,
        source: &str,
        vendors: &[String],
        oldest: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let bridge = self.source(source)?.and_then(|s| {
            s.last_success_at.filter(|last| {
                s.consecutive_failures == 0
                    && *last <= now
                    && now - *last <= Duration::hours(BRIDGE_HOURS)
            })
        });
        let from = [oldest, bridge].into_iter().flatten().min().unwrap_or(now);
        for vendor in vendors {
            self.record_coverage(
                source,
                vendor,
                Span {
                    from: from.min(now),
                    to: now,
                },
            )?;
        }
        Ok(())
    }

    /// The vendors a source has covered.
    pub(crate) fn coverage_vendors(&self, source: &str) -> Result<Vec<String>, StoreError> {
        self.conn
            .prepare_cached("SELECT DISTINCT vendor FROM coverage WHERE source = ?1")
            .and_then(|mut stmt| {
                stmt.query_map([source], |r| r.get(0))?
                    .collect::<Result<Vec<String>, _>>()
            })
            .map_err(|e| sql_error(&self.db, &format!("reading the vendors of {source}"), e))
    }

    /// The time a vendor's sources covered: the union of their stretches, sorted and disjoint.
    pub fn coverage(&self, vendor: &str) -> Result<Vec<Span>, StoreError> {
        let all = self.source_coverage(Some(vendor))?;
        Ok(union_spans(all.into_iter().flat_map(|c| c.spans)))
    }

    /// Every source's coverage, one row per source and vendor (only `vendor`'s when given).
    pub fn source_coverage(&self, vendor: Option<&str>) -> Result<Vec<SourceCoverage>, StoreError> {
        let db = self.db.as_str();
        let rows = self
            .conn
            .prepare_cached(
                "SELECT source, vendor, start, \"end\" FROM coverage
                 WHERE ?1 IS NULL OR vendor = ?1
                 ORDER BY source, vendor, start",
            )
            .and_then(|mut stmt| {
                stmt.query_map([vendor], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<Result<Vec<(String, String, String, String)>, _>>()
            })
            .map_err(|e| sql_error(db, "reading the coverage of the sources", e))?;
        let mut out: Vec<SourceCoverage> = Vec::new();
        for (source, vendor, start, end) in rows {
            let what = || format!("the coverage of {vendor} by {source}");
            let span = Span {
                from: decode_time(&start).map_err(|e| corrupt(db, what(), e))?,
                to: decode_time(&end).map_err(|e| corrupt(db, what(), e))?,
            };
            match out.last_mut() {
                Some(last) if last.source == source && last.vendor == vendor => {
                    last.spans.push(span);
                }
                _ => out.push(SourceCoverage {
                    source,
                    vendor,
                    spans: vec![span],
                }),
            }
        }
        for c in &mut out {
            c.spans = union_spans(c.spans.drain(..));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::t;

    fn span(a: &str, b: &str) -> Span {
        Span {
            from: t(a),
            to: t(b),
        }
    }

    fn success(store: &mut Store, url: &str, at: &str, status: u16) {
        let record = crate::store::FetchRecord {
            url: url.into(),
            vendor: Some("Acme".into()),
            kind: None,
            role: crate::model::ReportKind::Status,
            fetched_at: t(at),
            http_status: status,
            validators: crate::fetch::Validators::default(),
            body: None,
        };
        store.record_fetch(&record).expect("fetch");
    }

    /// A feed listing only its newest entries, fetched hourly: successes an hour apart extend
    /// one stretch; a failed crawl, then a success whose oldest entry is later than the last
    /// success, leaves a hole; a success a week after the last one starts a new stretch too.
    #[test]
    fn successive_fetches_extend_coverage_and_a_failure_leaves_a_hole() {
        let mut store = Store::open_in_memory().expect("store");
        let url = "https://status.example.test/history.atom";
        let vendors = ["Acme".to_string()];
        let fetch = |store: &mut Store, oldest: &str, at: &str| {
            store
                .record_fetch_coverage(url, &vendors, Some(t(oldest)), t(at))
                .expect("coverage");
            success(store, url, at, 200);
        };
        fetch(&mut store, "2024-03-01T08:00:00Z", "2024-03-01T10:00:00Z");
        fetch(&mut store, "2024-03-01T09:00:00Z", "2024-03-01T11:00:00Z");
        store
            .record_failure(
                url,
                Some("Acme"),
                t("2024-03-01T12:00:00Z"),
                "timeout",
                "slow",
            )
            .expect("failure");
        fetch(&mut store, "2024-03-01T14:00:00Z", "2024-03-01T15:00:00Z");
        fetch(&mut store, "2024-03-09T12:00:00Z", "2024-03-09T13:00:00Z");
        assert_eq!(
            store.coverage("Acme").expect("coverage"),
            vec![
                span("2024-03-01T08:00:00Z", "2024-03-01T11:00:00Z"),
                span("2024-03-01T14:00:00Z", "2024-03-01T15:00:00Z"),
                span("2024-03-09T12:00:00Z", "2024-03-09T13:00:00Z"),
            ]
        );
    }

    /// A 304 an hour after a success extends the stretch; one after a failure starts again
    /// from the oldest entry the unchanged document lists.
    #[test]
    fn unchanged_fetches_extend_coverage_through_the_batched_write() {
        let mut store = Store::open_in_memory().expect("store");
        let url = "https://status.example.test/history.atom";
        store
            .record_fetch_coverage(
                url,
                &["Acme".to_string()],
                Some(t("2024-03-01T08:00:00Z")),
                t("2024-03-01T10:00:00Z"),
            )
            .expect("coverage");
        success(&mut store, url, "2024-03-01T10:00:00Z", 200);
        store
            .record_items_window(url, Some(t("2024-03-01T08:00:00Z")), None)
            .expect("window");
        let not_modified = |at: &str| crate::store::ScheduledFetch {
            record: crate::store::FetchRecord {
                url: url.into(),
                vendor: Some("Acme".into()),
                kind: None,
                role: crate::model::ReportKind::Status,
                fetched_at: t(at),
                http_status: 304,
                validators: crate::fetch::Validators::default(),
                body: None,
            },
            next_attempt_at: None,
        };
        store
            .record_bodiless_fetches(&[not_modified("2024-03-01T11:00:00Z")])
            .expect("304");
        store
            .record_failure(
                url,
                Some("Acme"),
                t("2024-03-05T00:00:00Z"),
                "timeout",
                "slow",
            )
            .expect("failure");
        store
            .record_bodiless_fetches(&[not_modified("2024-03-06T00:00:00Z")])
            .expect("304 after a failure");
        // The document still lists its entry of 1 March 08:00: it covers back to there.
        assert_eq!(
            store.coverage("Acme").expect("coverage"),
            vec![span("2024-03-01T08:00:00Z", "2024-03-06T00:00:00Z")]
        );
    }

    #[test]
    fn touching_stretches_join_and_a_gap_stays_a_hole() {
        let mut store = Store::open_in_memory().expect("store");
        let src = "https://status.example.test/history.atom";
        store
            .record_coverage(
                src,
                "Acme",
                span("2024-01-01T00:00:00Z", "2024-01-10T00:00:00Z"),
            )
            .expect("first");
        store
            .record_coverage(
                src,
                "Acme",
                span("2024-01-10T00:00:00Z", "2024-01-11T00:00:00Z"),
            )
            .expect("touching");
        store
            .record_coverage(
                src,
                "Acme",
                span("2024-02-01T00:00:00Z", "2024-02-02T00:00:00Z"),
            )
            .expect("after a gap");
        store
            .record_coverage(
                "other",
                "Acme",
                span("2024-01-20T00:00:00Z", "2024-01-21T00:00:00Z"),
            )
            .expect("another source");
        assert_eq!(
            store.coverage("acme").expect("coverage"),
            vec![
                span("2024-01-01T00:00:00Z", "2024-01-11T00:00:00Z"),
                span("2024-01-20T00:00:00Z", "2024-01-21T00:00:00Z"),
                span("2024-02-01T00:00:00Z", "2024-02-02T00:00:00Z"),
            ]
        );
        let by_source = store.source_coverage(None).expect("by source");
        assert_eq!(by_source.len(), 2);
        assert_eq!(by_source[0].spans.len(), 2);
    }
}
