//! Reliability figures for a vendor over a period: incident counts by severity, outage minutes
//! as the union of incident intervals, availability, time to resolve, the longest outage, and
//! incidents per month. Pure functions over incidents; the method is returned with the figures
//! because uptime math from status pages is contested.
//!
//! The rules, stated once (and printed by `outages stats`):
//! - the figures count the vendor's own status incidents (press reports of an outage are
//!   counted apart, in the acknowledgement figures, so no outage counts twice);
//! - an incident belongs to the period by its start; incidents with no start are not counted;
//! - scheduled maintenance is counted apart and never as downtime;
//! - outage minutes are the union of `[start, end]` intervals, overlaps merged; an ongoing
//!   incident runs until the end of the period (or now, if earlier);
//! - the raw view counts every non-maintenance minute fully; the severity-weighted view counts
//!   critical, major and unknown fully, minor at one half and `none` not at all, each minute at
//!   the highest weight of the incidents covering it;
//! - availability is one minus outage minutes over the minutes of the covered period: from the
//!   later of the period start and the first day with data, to the earlier of the period end
//!   and now, so a figure never claims time the feeds did not cover.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::{Incident, Severity};

/// The period asked for; open ends are bounded by the data and by `now`.
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Longest {
    pub id: String,
    pub title: String,
    pub start: Option<String>,
    pub minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// First and last day with data (UTC dates).
    pub first: Option<String>,
    pub last: Option<String>,
    /// Minutes of the covered period the availability is computed over.
    pub minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// Non-maintenance incidents that started in the period.
    pub incidents: usize,
    pub maintenances: usize,
    pub by_severity: BTreeMap<String, usize>,
    /// Raw view: every outage minute counts fully.
    pub outage_minutes: i64,
    pub availability: Option<f64>,
    /// Severity-weighted view (see the module doc).
    pub weighted_outage_minutes: f64,
    pub weighted_availability: Option<f64>,
    pub mean_ttr_minutes: Option<f64>,
    pub median_ttr_minutes: Option<f64>,
    pub p90_ttr_minutes: Option<i64>,
    pub longest: Option<Longest>,
    /// `YYYY-MM` -> incidents started that month (every month of the covered period listed).
    pub per_month: BTreeMap<String, usize>,
    pub coverage: Coverage,
    /// From merged events (press report to the vendor's first status update), when any event
    /// of the period has both; filled by the caller, which holds the events.
    pub acknowledgement_lag: Option<AckLag>,
    pub method: String,
}

/// How long the vendor took to acknowledge outages the press reported first, in minutes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AckLag {
    /// Events with both a press report and a status update.
    pub events: usize,
    pub median_minutes: f64,
    pub mean_minutes: f64,
    /// Press-reported events the vendor's status page never mentioned.
    pub never_mentioned: usize,
}

/// Summarises acknowledgement lags (negative when the vendor spoke first).
pub fn ack_lag(lags: &[i64], never_mentioned: usize) -> Option<AckLag> {
    if lags.is_empty() && never_mentioned == 0 {
        return None;
    }
    let mut sorted = lags.to_vec();
    sorted.sort_unstable();
    Some(AckLag {
        events: sorted.len(),
        median_minutes: median(&sorted).unwrap_or(0.0),
        mean_minutes: if sorted.is_empty() {
            0.0
        } else {
            round1(sorted.iter().sum::<i64>() as f64 / sorted.len() as f64)
        },
        never_mentioned,
    })
}

/// What `stats` prints beside the figures.
pub const METHOD: &str = "Counts the vendor's own status incidents (press reports only in the acknowledgement figures). An incident belongs to the period by its start. Scheduled maintenance is excluded from downtime. Outage minutes are the union of incident intervals (start to resolution; ongoing incidents run to the end of the period), overlaps merged. Raw view: every minute counts fully. Weighted view: critical, major and unknown count fully, minor half, none not at all. Availability = 1 - outage minutes / minutes of the covered period (from the first day with data or the period start, whichever is later, to the period end or now). Time to resolve = start to resolution, resolved incidents only; p90 by nearest rank.";

/// Computes the figures for `incidents` (already filtered to one vendor, service or region).
/// `data_first`/`data_last` give how far the vendor's data reaches (its oldest and newest
/// incident start); `None` means "from the incidents given".
pub fn figures(
    incidents: &[Incident],
    period: Period,
    data_first: Option<DateTime<Utc>>,
    data_last: Option<DateTime<Utc>>,
) -> Figures {
    let in_period: Vec<&Incident> = incidents
        .iter()
        .filter(|i| {
            i.start.is_some_and(|s| {
                period.since.is_none_or(|a| s >= a) && period.until.is_none_or(|b| s < b)
            })
        })
        .collect();
    let (maint, outages): (Vec<&Incident>, Vec<&Incident>) = in_period
        .iter()
        .partition(|i| i.severity == Severity::Maintenance);

    let mut by_severity = BTreeMap::new();
    for i in &in_period {
        *by_severity
            .entry(i.severity.as_str().to_string())
            .or_insert(0) += 1;
    }

    let first = data_first.or_else(|| in_period.iter().filter_map(|i| i.start).min());
    let last = data_last.or_else(|| in_period.iter().filter_map(|i| i.start).max());
    let cover_start = match (period.since, first) {
        (Some(a), Some(f)) => Some(a.max(f)),
        (a, f) => a.or(f),
    };
    let horizon = period.until.map_or(period.now, |u| u.min(period.now));
    let cover_minutes = cover_start.map_or(0, |s| (horizon - s).num_minutes().max(0));

    let intervals: Vec<(i64, i64, f64)> = outages
        .iter()
        .filter_map(|i| {
            let s = i.start?;
            let e = i.end.unwrap_or(horizon).max(s);
            Some((s.timestamp(), e.timestamp(), weight(i.severity)))
        })
        .collect();
    let (raw_secs, weighted_secs) = union_seconds(&intervals);
    let outage_minutes = raw_secs / 60;
    let weighted_outage_minutes = (weighted_secs / 60.0 * 10.0).round() / 10.0;
    let availability = (cover_minutes > 0)
        .then(|| (1.0 - outage_minutes as f64 / cover_minutes as f64).clamp(0.0, 1.0));
    let weighted_availability = (cover_minutes > 0)
        .then(|| (1.0 - weighted_outage_minutes / cover_minutes as f64).clamp(0.0, 1.0));

    let mut ttr: Vec<i64> = outages
        .iter()
        .filter(|i| i.end.is_some())
        .filter_map(|i| i.duration_minutes())
        .collect();
    ttr.sort_unstable();
    let mean_ttr_minutes =
        (!ttr.is_empty()).then(|| round1(ttr.iter().sum::<i64>() as f64 / ttr.len() as f64));
    let median_ttr_minutes = median(&ttr);
    let p90_ttr_minutes = nearest_rank(&ttr, 0.9);

    let longest = outages
        .iter()
        .filter_map(|i| i.duration_minutes().map(|m| (m, *i)))
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.start.cmp(&a.1.start)))
        .map(|(minutes, i)| Longest {
            id: i.id.clone(),
            title: i.title.clone(),
            start: i.start.map(crate::model::rfc3339),
            minutes,
        });

    let mut per_month = BTreeMap::new();
    if let Some(s) = cover_start {
        let mut m = month_key(s);
        // The horizon is exclusive: a period ending at midnight on 1 January ends in December.
        let end = month_key((horizon - chrono::Duration::seconds(1)).max(s));
        while m <= end {
            per_month.insert(m.clone(), 0);
            m = next_month(&m);
        }
    }
    for i in &outages {
        if let Some(s) = i.start {
            *per_month.entry(month_key(s)).or_insert(0) += 1;
        }
    }

    Figures {
        incidents: outages.len(),
        maintenances: maint.len(),
        by_severity,
        outage_minutes,
        availability,
        weighted_outage_minutes,
        weighted_availability,
        mean_ttr_minutes,
        median_ttr_minutes,
        p90_ttr_minutes,
        longest,
        per_month,
        coverage: Coverage {
            first: first.map(|t| t.format("%Y-%m-%d").to_string()),
            last: last.map(|t| t.format("%Y-%m-%d").to_string()),
            minutes: cover_minutes,
        },
        acknowledgement_lag: None,
        method: METHOD.to_string(),
    }
}

fn weight(s: Severity) -> f64 {
    match s {
        Severity::Critical | Severity::Major | Severity::Unknown => 1.0,
        Severity::Minor => 0.5,
        Severity::None | Severity::Maintenance => 0.0,
    }
}

/// Seconds covered by the union of intervals, and the same weighted by the highest weight
/// active in each stretch (a sweep over the interval boundaries).
fn union_seconds(intervals: &[(i64, i64, f64)]) -> (i64, f64) {
    let mut points: Vec<i64> = intervals.iter().flat_map(|(s, e, _)| [*s, *e]).collect();
    points.sort_unstable();
    points.dedup();
    let mut raw = 0;
    let mut weighted = 0.0;
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let active = intervals
            .iter()
            .filter(|(s, e, _)| *s <= a && *e >= b)
            .map(|(_, _, w)| *w)
            .fold(None, |acc: Option<f64>, w| {
                Some(acc.map_or(w, |m| m.max(w)))
            });
        if let Some(w) = active {
            raw += b - a;
            weighted += (b - a) as f64 * w;
        }
    }
    (raw, weighted)
}

fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    Some(if n % 2 == 1 {
        sorted[n / 2] as f64
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0
    })
}

fn nearest_rank(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn month_key(t: DateTime<Utc>) -> String {
    t.format("%Y-%m").to_string()
}

fn next_month(key: &str) -> String {
    let (y, m) = key.split_once('-').unwrap_or(("0", "0"));
    let (y, m): (i32, u32) = (y.parse().unwrap_or(0), m.parse().unwrap_or(0));
    if m >= 12 {
        format!("{:04}-01", y + 1)
    } else {
        format!("{y:04}-{:02}", m + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .expect("time")
    }

    fn inc(id: &str, sev: Severity, start: &str, end: Option<&str>) -> Incident {
        Incident {
            id: id.into(),
            vendor: "Acme".into(),
            title: format!("incident {id}"),
            start: Some(t(start)),
            end: end.map(t),
            status: if end.is_some() {
                Status::Resolved
            } else {
                Status::Investigating
            },
            severity: sev,
            severity_native: None,
            stated_minutes: None,
            regions: vec![],
            services: vec![],
            cause: None,
            updates: vec![],
            sources: vec![],
        }
    }

    /// Hand-checked: a 60-minute major outage overlapping a 30-minute minor one by 15 minutes,
    /// a separate 20-minute critical one, a 4-hour maintenance (excluded), and an ongoing minor
    /// incident 10 minutes before the period ends.
    #[test]
    fn figures_for_overlaps_maintenance_and_ongoing() {
        let incidents = vec![
            inc(
                "a",
                Severity::Major,
                "2024-01-10T10:00:00Z",
                Some("2024-01-10T11:00:00Z"),
            ),
            inc(
                "b",
                Severity::Minor,
                "2024-01-10T10:45:00Z",
                Some("2024-01-10T11:15:00Z"),
            ),
            inc(
                "c",
                Severity::Critical,
                "2024-01-20T08:00:00Z",
                Some("2024-01-20T08:20:00Z"),
            ),
            inc(
                "m",
                Severity::Maintenance,
                "2024-01-25T00:00:00Z",
                Some("2024-01-25T04:00:00Z"),
            ),
            inc("d", Severity::Minor, "2024-01-31T23:50:00Z", None),
            inc(
                "old",
                Severity::Major,
                "2023-12-01T00:00:00Z",
                Some("2023-12-01T05:00:00Z"),
            ),
        ];
        let period = Period {
            since: Some(t("2024-01-01T00:00:00Z")),
            until: Some(t("2024-02-01T00:00:00Z")),
            now: t("2024-06-01T00:00:00Z"),
        };
        let f = figures(&incidents, period, Some(t("2023-12-01T00:00:00Z")), None);
        assert_eq!(f.incidents, 4);
        assert_eq!(f.maintenances, 1);
        assert_eq!(f.by_severity.get("minor"), Some(&2));
        assert_eq!(f.by_severity.get("maintenance"), Some(&1));
        // 10:00-11:15 (75) + 20 + ongoing 10 = 105 minutes.
        assert_eq!(f.outage_minutes, 105);
        // Weighted: 10:00-11:00 major (60) + 11:00-11:15 minor (7.5) + 20 + 10 * 0.5 = 92.5.
        assert_eq!(f.weighted_outage_minutes, 92.5);
        // January has 44,640 minutes.
        assert_eq!(f.coverage.minutes, 44_640);
        let availability = f.availability.expect("availability");
        assert!((availability - (1.0 - 105.0 / 44_640.0)).abs() < 1e-12);
        // Resolved: 60, 30, 20 -> mean 36.7, median 30, p90 60.
        assert_eq!(f.mean_ttr_minutes, Some(36.7));
        assert_eq!(f.median_ttr_minutes, Some(30.0));
        assert_eq!(f.p90_ttr_minutes, Some(60));
        assert_eq!(
            f.longest.as_ref().map(|l| (l.id.as_str(), l.minutes)),
            Some(("a", 60))
        );
        assert_eq!(f.per_month.get("2024-01"), Some(&4));
        assert_eq!(f.coverage.first.as_deref(), Some("2023-12-01"));
    }

    #[test]
    fn coverage_starts_with_the_data_not_the_period() {
        let incidents = vec![inc(
            "a",
            Severity::Major,
            "2024-03-01T00:00:00Z",
            Some("2024-03-01T01:00:00Z"),
        )];
        let period = Period {
            since: Some(t("2020-01-01T00:00:00Z")),
            until: None,
            now: t("2024-03-11T00:00:00Z"),
        };
        let f = figures(&incidents, period, None, None);
        assert_eq!(f.coverage.minutes, 10 * 24 * 60);
        assert_eq!(f.per_month.len(), 1);
    }

    #[test]
    fn acknowledgement_lag_summary() {
        let lag = ack_lag(&[30, -5, 90], 2).expect("lags");
        assert_eq!(lag.events, 3);
        assert_eq!(lag.median_minutes, 30.0);
        assert_eq!(lag.mean_minutes, 38.3);
        assert_eq!(lag.never_mentioned, 2);
        assert_eq!(ack_lag(&[], 0), None);
    }

    #[test]
    fn no_incidents_no_figures() {
        let period = Period {
            since: None,
            until: None,
            now: t("2024-03-11T00:00:00Z"),
        };
        let f = figures(&[], period, None, None);
        assert_eq!(f.incidents, 0);
        assert_eq!(f.availability, None);
        assert_eq!(f.mean_ttr_minutes, None);
    }
}
