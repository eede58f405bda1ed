//! Reliability figures read from the store: one vendor's, or several vendors' over one aligned
//! period. `outages stats`/`compare`, the JSON API and the web pages all come through here, so
//! every interface prints the same numbers for the same question.

use chrono::{DateTime, Utc};

use crate::merge::{self, MergeError};
use crate::model::{Incident, ReportKind};
use crate::stats::{self, Figures, Period};
use crate::store::{EventFilter, IncidentFilter, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum FiguresError {
    #[error("reading the incidents: {0}")]
    Store(#[from] StoreError),
    #[error("reading the merged events: {0}")]
    Merge(#[from] MergeError),
}

/// What part of a vendor's record the figures cover.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope<'a> {
    /// Only incidents naming a service that contains this text (case-insensitive).
    pub service: Option<&'a str>,
    /// Only incidents naming a region that contains this text (case-insensitive).
    pub region: Option<&'a str>,
}

/// Figures for one vendor over `period`. `aligned_first` replaces the vendor's own first day
/// with data when a comparison aligns several vendors on one.
pub fn vendor_figures(
    store: &Store,
    vendor: &str,
    scope: Scope<'_>,
    period: Period,
    aligned_first: Option<DateTime<Utc>>,
) -> Result<Figures, FiguresError> {
    let mut incidents = store.incidents(&IncidentFilter {
        vendor: Some(vendor.to_string()),
        ..IncidentFilter::default()
    })?;
    let summary = store.vendors()?.into_iter().find(|v| v.name == vendor);
    // Without alignment, the vendor's own data says how far back the figures can reach.
    let first = aligned_first.or_else(|| summary.as_ref().and_then(|s| s.first));
    let last = summary.as_ref().and_then(|s| s.last);
    let contains = |have: &[String], want: &str| {
        let want = want.to_lowercase();
        have.iter().any(|h| h.to_lowercase().contains(&want))
    };
    // Figures count the vendor's own records; press reports of the same outage would count it
    // twice (they show up in the acknowledgement figures instead).
    incidents.retain(|i: &Incident| {
        i.sources.iter().any(|s| s.kind == ReportKind::Status)
            && scope.service.is_none_or(|s| contains(&i.services, s))
            && scope.region.is_none_or(|r| contains(&i.regions, r))
    });
    let mut figures = stats::figures(&incidents, period, first, last);
    // The acknowledgement lag needs merged events: press report and status update together.
    let events = merge::events(
        store,
        &EventFilter {
            vendor: Some(vendor.to_string()),
            since: period.since,
            until: period.until,
            limit: None,
        },
    )?;
    let lags: Vec<i64> = events
        .iter()
        .filter_map(|e| e.acknowledgement_lag_minutes)
        .collect();
    let never = events
        .iter()
        .filter(|e| e.status_page_mentioned == Some(false))
        .count();
    figures.acknowledgement_lag = stats::ack_lag(&lags, never);
    Ok(figures)
}

/// Several vendors' figures over the period every one of them has data for.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The start of the compared period: the later of the asked start and the latest of the
    /// vendors' first days with data, so no vendor is charged for time its feeds did not cover.
    pub aligned_since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
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
    let summaries = store.vendors()?;
    let latest_first = names
        .iter()
        .filter_map(|n| {
            summaries
                .iter()
                .find(|s| &&s.name == n)
                .and_then(|s| s.first)
        })
        .max();
    let aligned_since = match (since, latest_first) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let period = Period {
        since: aligned_since,
        until,
        now,
    };
    let mut rows = Vec::new();
    for name in names {
        let figures = vendor_figures(store, name, Scope::default(), period, aligned_since)?;
        rows.push(VendorRow {
            vendor: name.clone(),
            figures,
        });
    }
    Ok(Comparison {
        aligned_since,
        until,
        vendors: rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Severity, Status, incident_id};
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
        let names = ["GitHub".to_string(), "Slack".into(), "GitHub".into()];
        let cmp = compare(&store, &names, None, None, seen).expect("compare");
        // Slack's record starts on 1 Feb, so GitHub's January outage is outside the period.
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
