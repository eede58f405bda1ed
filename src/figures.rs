//! Reliability figures read from the store: one vendor's, or several vendors' over one aligned
//! period. `outages stats`/`compare`, the JSON API and the web pages all come through here, so
//! every interface prints the same numbers for the same question.

use chrono::{DateTime, Utc};

use crate::merge::MergedEvent;
use crate::model::{Event, Span, intersect_spans};
use crate::query::{self, QueryError};
use crate::stats::{self, Figures, Period};
use crate::store::{EventFilter, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum FiguresError {
    #[error("reading the incidents: {0}")]
    Store(#[from] StoreError),
    #[error("reading the merged events: {0}")]
    Query(#[from] QueryError),
}

/// What part of a vendor's record the figures cover.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope<'a> {
    /// Only incidents naming a service that contains this text (case-insensitive).
    pub service: Option<&'a str>,
    /// Only incidents naming a region that contains this text (case-insensitive).
    pub region: Option<&'a str>,
}

/// Figures for one vendor over `period`, over the time its sources covered, or over
/// `aligned` (the time every vendor of a comparison covered) when given.
pub fn vendor_figures(
    store: &Store,
    vendor: &str,
    scope: Scope<'_>,
    period: Period,
    aligned: Option<&[Span]>,
) -> Result<Figures, FiguresError> {
    // One outage counts once: the figures are over merged events, read as every view reads
    // them, and count those that are the vendor's own records (press reports of an outage show
    // up in the acknowledgement figures instead).
    let events = query::timeline(
        store,
        &EventFilter {
            vendor: Some(vendor.to_string()),
            ..EventFilter::default()
        },
    )?;
    // A service's or region's coverage is its vendor's: the same sources report on it.
    let coverage = match aligned {
        Some(spans) => spans.to_vec(),
        None => store.coverage(vendor)?,
    };
    let contains = |have: &[String], want: &str| {
        let want = want.to_lowercase();
        have.iter().any(|h| h.to_lowercase().contains(&want))
    };
    let records: Vec<Event> = events
        .iter()
        .map(MergedEvent::contract)
        .filter(|e| {
            stats::is_vendor_record(e)
                && scope.service.is_none_or(|s| contains(&e.services, s))
                && scope.region.is_none_or(|r| contains(&e.regions, r))
        })
        .collect();
    let mut figures = stats::figures(&records, period, &coverage);
    // The acknowledgement lag: press report and status update of the same event.
    let in_period = |e: &&MergedEvent| {
        e.start.is_some_and(|s| {
            period.since.is_none_or(|a| s >= a) && period.until.is_none_or(|b| s < b)
        })
    };
    let lags: Vec<i64> = events
        .iter()
        .filter(in_period)
        .filter_map(|e| e.acknowledgement_lag_minutes)
        .collect();
    let never = events
        .iter()
        .filter(in_period)
        .filter(|e| e.status_page_mentioned == Some(false))
        .count();
    figures.acknowledgement_lag = stats::ack_lag(&lags, never);
    Ok(figures)
}

/// Several vendors' figures over the time every one of them covered.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The first and last moment of the common covered time in the period: no vendor is
    /// charged for time another vendor's sources did not cover.
    pub aligned_since: Option<DateTime<Utc>>,
    pub aligned_until: Option<DateTime<Utc>>,
    /// Minutes covered by every vendor with data, and minutes of the asked period.
    pub common_minutes: i64,
    pub period_minutes: i64,
    /// Vendors whose sources covered no time of the period: shown as "no data".
    pub no_data: Vec<String>,
    pub vendors: Vec<VendorRow>,
}

#[derive(Debug, Clone)]
pub struct VendorRow {
    pub vendor: String,
    pub figures: Figures,
}

/// Compares `vendors` (canonical names, as stored; repeats are compared once).
pub fn compare(
    store: &Store,
    vendors: &[String],
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Comparison, FiguresError> {
    let mut names: Vec<&String> = Vec::new();
    for v in vendors {
        if !names.contains(&v) {
            names.push(v);
        }
    }
    let period = Period { since, until, now };
    let mut common: Option<Vec<Span>> = None;
    let mut no_data = Vec::new();
    let mut coverages = Vec::new();
    for name in &names {
        let coverage = store.coverage(name)?;
        let in_period = period
            .span(&coverage)
            .map_or_else(Vec::new, |p| intersect_spans(&coverage, &[p]));
        if in_period.is_empty() {
            no_data.push((*name).clone());
        } else {
            common = Some(match common {
                None => in_period.clone(),
                Some(c) => intersect_spans(&c, &in_period),
            });
        }
        coverages.push(in_period);
    }
    let common = common.unwrap_or_default();
    let mut rows = Vec::new();
    for (name, own) in names.into_iter().zip(coverages) {
        // A vendor without data keeps its own (empty) coverage, so it reads "no data".
        let spans = if own.is_empty() { &own } else { &common };
        let figures = vendor_figures(store, name, Scope::default(), period, Some(spans))?;
        rows.push(VendorRow {
            vendor: name.clone(),
            figures,
        });
    }
    let period_minutes = rows
        .first()
        .map_or(0, |r| r.figures.coverage.period_minutes);
    Ok(Comparison {
        aligned_since: common.first().map(|s| s.from),
        aligned_until: common.last().map(|s| s.to),
        common_minutes: common
            .iter()
            .map(|s| (s.to - s.from).num_seconds())
            .sum::<i64>()
            / 60,
        period_minutes,
        no_data,
        vendors: rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Incident, Severity, Status, incident_id};
    use crate::store::fixtures::{incident, t};

    fn resolved(vendor: &str, native: &str, start: &str, end: &str) -> Incident {
        let mut i = incident(native, start);
        i.id = incident_id(vendor, native);
        i.vendor = vendor.into();
        i.end = Some(t(end));
        i.status = Status::Resolved;
        i.severity = Severity::Major;
        i
    }

    #[test]
    fn a_comparison_starts_on_the_latest_first_day_and_counts_each_vendor_once() {
        let mut store = Store::open_in_memory().expect("store");
        let seen = t("2024-06-01T00:00:00Z");
        store
            .upsert_incidents(
                &[
                    resolved(
                        "GitHub",
                        "a",
                        "2024-01-10T10:00:00Z",
                        "2024-01-10T11:00:00Z",
                    ),
                    resolved(
                        "GitHub",
                        "b",
                        "2024-03-05T10:00:00Z",
                        "2024-03-05T10:30:00Z",
                    ),
                    resolved("Slack", "c", "2024-02-01T08:00:00Z", "2024-02-01T08:20:00Z"),
                ],
                seen,
            )
            .expect("upsert");
        crate::merge::merge_pending(&mut store, t("2024-06-01T00:00:00Z")).expect("merge");
        cover(
            &mut store,
            "GitHub",
            "2024-01-01T00:00:00Z",
            "2024-06-01T00:00:00Z",
        );
        cover(
            &mut store,
            "Slack",
            "2024-02-01T08:00:00Z",
            "2024-06-01T00:00:00Z",
        );
        let names = ["GitHub".to_string(), "Slack".into(), "GitHub".into()];
        let cmp = compare(&store, &names, None, None, seen).expect("compare");
        // Slack's sources cover from 1 Feb, so GitHub's January outage is outside the period.
        assert_eq!(cmp.aligned_since, Some(t("2024-02-01T08:00:00Z")));
        let got: Vec<(&str, usize, i64)> = cmp
            .vendors
            .iter()
            .map(|r| {
                (
                    r.vendor.as_str(),
                    r.figures.incidents,
                    r.figures.outage_minutes,
                )
            })
            .collect();
        assert_eq!(got, vec![("GitHub", 1, 30), ("Slack", 1, 20)]);
    }

    fn cover(store: &mut Store, vendor: &str, from: &str, to: &str) {
        store
            .record_coverage(
                &format!("https://{vendor}.example.test/feed"),
                vendor,
                Span {
                    from: t(from),
                    to: t(to),
                },
            )
            .expect("coverage");
    }

    /// Hand-computed: GitHub's feed covered all of March 2024, Slack's only 11-31 March (its
    /// first crawl). Compared over 11 March 00:00 to 1 April 00:00 (21 days, 30,240 minutes):
    /// GitHub's 60-minute outage of 5 March is outside it, its 30-minute one of 20 March
    /// counts; Slack's 20-minute one counts. Zoom has no data at all.
    #[test]
    fn a_comparison_aligns_on_common_coverage_and_names_vendors_without_data() {
        let mut store = Store::open_in_memory().expect("store");
        let seen = t("2024-06-01T00:00:00Z");
        store
            .upsert_incidents(
                &[
                    resolved(
                        "GitHub",
                        "a",
                        "2024-03-05T10:00:00Z",
                        "2024-03-05T11:00:00Z",
                    ),
                    resolved(
                        "GitHub",
                        "b",
                        "2024-03-20T10:00:00Z",
                        "2024-03-20T10:30:00Z",
                    ),
                    resolved("Slack", "c", "2024-03-21T08:00:00Z", "2024-03-21T08:20:00Z"),
                    resolved("Zoom", "d", "2024-03-22T08:00:00Z", "2024-03-22T08:20:00Z"),
                ],
                seen,
            )
            .expect("upsert");
        crate::merge::merge_pending(&mut store, t("2024-06-01T00:00:00Z")).expect("merge");
        cover(
            &mut store,
            "GitHub",
            "2024-03-01T00:00:00Z",
            "2024-04-01T00:00:00Z",
        );
        cover(
            &mut store,
            "Slack",
            "2024-03-11T00:00:00Z",
            "2024-04-01T00:00:00Z",
        );
        let names = ["GitHub".to_string(), "Slack".into(), "Zoom".into()];
        let cmp = compare(
            &store,
            &names,
            Some(t("2024-03-01T00:00:00Z")),
            Some(t("2024-04-01T00:00:00Z")),
            seen,
        )
        .expect("compare");
        assert_eq!(cmp.aligned_since, Some(t("2024-03-11T00:00:00Z")));
        assert_eq!(cmp.aligned_until, Some(t("2024-04-01T00:00:00Z")));
        assert_eq!(cmp.common_minutes, 30_240);
        assert_eq!(cmp.period_minutes, 44_640);
        assert_eq!(cmp.no_data, vec!["Zoom".to_string()]);
        let got: Vec<(&str, usize, i64, bool)> = cmp
            .vendors
            .iter()
            .map(|r| {
                let f = &r.figures;
                (
                    r.vendor.as_str(),
                    f.incidents,
                    f.outage_minutes,
                    f.coverage.no_data,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("GitHub", 1, 30, false),
                ("Slack", 1, 20, false),
                ("Zoom", 0, 0, true)
            ]
        );
        let github = &cmp.vendors[0].figures;
        let a = github.availability.expect("availability");
        assert!((a - (1.0 - 30.0 / 30_240.0)).abs() < 1e-12);
        assert_eq!(cmp.vendors[2].figures.availability, None);
    }

    #[test]
    fn a_scope_keeps_only_incidents_naming_the_service() {
        let mut store = Store::open_in_memory().expect("store");
        let mut api = resolved(
            "GitHub",
            "a",
            "2024-01-10T10:00:00Z",
            "2024-01-10T11:00:00Z",
        );
        api.services = vec!["API Requests".into()];
        let actions = resolved(
            "GitHub",
            "b",
            "2024-01-11T10:00:00Z",
            "2024-01-11T10:30:00Z",
        );
        store
            .upsert_incidents(&[api, actions], t("2024-06-01T00:00:00Z"))
            .expect("upsert");
        crate::merge::merge_pending(&mut store, t("2024-06-01T00:00:00Z")).expect("merge");
        cover(
            &mut store,
            "GitHub",
            "2024-01-01T00:00:00Z",
            "2024-06-01T00:00:00Z",
        );
        let period = Period {
            since: None,
            until: None,
            now: t("2024-06-01T00:00:00Z"),
        };
        let scope = Scope {
            service: Some("api"),
            region: None,
        };
        let f = vendor_figures(&store, "GitHub", scope, period, None).expect("figures");
        assert_eq!((f.incidents, f.outage_minutes), (1, 60));
    }
}
