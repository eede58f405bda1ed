//! Reliability figures for a vendor over a period: incident counts by severity, outage minutes
//! as the union of incident intervals, availability, time to resolve, the longest outage, and
//! incidents and outage minutes per month. Pure functions over incidents and the time the
//! vendor's sources covered; the method is returned with the figures because uptime math from
//! status pages is contested.
//!
//! The rules, stated once (and printed by `outages stats`):
//! - the figures count outages as merged events (one per outage, however many incidents and
//!   reports describe it) that hold the vendor's own status record; press-only events are
//!   counted apart, in the acknowledgement figures, so no outage counts twice;
//! - only covered time counts: the union of the spans the vendor's sources covered (a feed from
//!   its oldest listed entry to its last successful fetch, crawl failures as holes; an ingested
//!   archive its own span), clipped to the asked period. A period with no covered time has "no
//!   data", never 100%;
//! - an incident belongs to the period by its start, which must lie in covered time;
//! - scheduled maintenance is counted apart and never as downtime;
//! - outage minutes are the union of `[start, end]` intervals inside covered time, overlaps
//!   merged; an ongoing incident runs to the end of the period (or now); an open incident with
//!   no update for [`crate::model::STALE_AFTER_HOURS`] hours is flagged unresolved and counts
//!   only until its last update, as does a closed one without an end;
//! - the raw view counts every non-maintenance minute fully; the severity-weighted view counts
//!   critical, major and unknown fully, minor at one half and `none` not at all, each minute at
//!   the highest weight of the incidents covering it;
//! - availability is one minus outage minutes over covered minutes;
//! - time to resolve counts resolved incidents with a real duration (an end after the start),
//!   and says how many it left out (backfilled records whose end equals their start, no end).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::model::{Event, ReportKind, Severity, Span, intersect_spans, union_spans};

/// The period asked for; open ends are bounded by the data and by `now`.
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

impl Period {
    /// The asked period as a span: from `since` (else the first covered moment) to the earlier
    /// of `until` and now. `None` when that is empty.
    pub fn span(&self, coverage: &[Span]) -> Option<Span> {
        let to = self.until.map_or(self.now, |u| u.min(self.now));
        let from = self.since.or_else(|| coverage.first().map(|s| s.from))?;
        (from < to).then_some(Span { from, to })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Longest {
    pub id: String,
    pub title: String,
    pub start: Option<String>,
    pub minutes: i64,
}

/// How much of the asked period the vendor's sources covered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// First and last covered day in the period (UTC dates).
    pub first: Option<String>,
    pub last: Option<String>,
    /// Covered minutes in the period: what availability is computed over.
    pub minutes: i64,
    /// Minutes of the asked period (bounded by now; an open start begins at the first covered
    /// moment).
    pub period_minutes: i64,
    /// `minutes / period_minutes`; `None` for an empty period.
    pub share: Option<f64>,
    /// True when no time of the period was covered: every figure below is "no data".
    pub no_data: bool,
    /// The covered stretches of the period, RFC 3339.
    pub spans: Vec<CoveredSpan>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoveredSpan {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// Non-maintenance incidents that started in covered time of the period.
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
    /// Incidents left out of time to resolve: no real duration (no end, or an end equal to
    /// the start, as backfilled records have).
    pub ttr_left_out: usize,
    /// Open incidents with no update for the stale time: counted to their last update.
    pub unresolved_stale: usize,
    pub longest: Option<Longest>,
    /// `YYYY-MM` -> incidents started that month (every month of the covered period listed).
    pub per_month: BTreeMap<String, usize>,
    /// `YYYY-MM` -> raw outage minutes that month: the same intervals as `outage_minutes`.
    pub outage_minutes_per_month: BTreeMap<String, i64>,
    /// `YYYY-MM-DD` -> raw outage minutes that day (for the calendar; not in the JSON).
    #[serde(skip)]
    pub outage_minutes_per_day: BTreeMap<String, i64>,
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
pub const METHOD: &str = "Counts outages as merged events (one per outage, however many of the vendor's incidents and press reports describe it) that hold the vendor's own status record (press-only events count only in the acknowledgement figures). Only covered time counts: the union of the spans the vendor's sources covered (a feed from its oldest listed entry to its last successful fetch, failed crawls as holes; an ingested archive its own span), clipped to the period; a period without covered time has no data. An incident belongs to the period by its start, inside covered time. Scheduled maintenance is excluded from downtime. Outage minutes are the union of incident intervals inside covered time (start to resolution; ongoing incidents run to the end of the period; an open incident with no update for 72 hours is flagged unresolved and counts only until its last update), overlaps merged. Raw view: every minute counts fully. Weighted view: critical, major and unknown count fully, minor half, none not at all. Availability = 1 - outage minutes / covered minutes. Time to resolve = start to resolution, resolved incidents with a real duration only (the number left out is shown); p90 by nearest rank.";

/// Computes the figures for `events` (already filtered to one vendor's records, service or
/// region) over the time `coverage` says the vendor's sources covered (any order, overlaps
/// allowed).
pub fn figures(events: &[Event], period: Period, coverage: &[Span]) -> Figures {
    let coverage = union_spans(coverage.iter().copied());
    let asked = period.span(&coverage);
    let covered = asked.map_or_else(Vec::new, |a| intersect_spans(&coverage, &[a]));
    let in_covered = |t: DateTime<Utc>| covered.iter().any(|c| c.contains(t));
    let in_period: Vec<&Event> = events
        .iter()
        .filter(|i| {
            i.start.is_some_and(|s| {
                period.since.is_none_or(|a| s >= a)
                    && period.until.is_none_or(|b| s < b)
                    && in_covered(s)
            })
        })
        .collect();
    let (maint, outages): (Vec<&Event>, Vec<&Event>) = in_period
        .iter()
        .partition(|i| i.severity == Severity::Maintenance);

    let mut by_severity = BTreeMap::new();
    for i in &in_period {
        *by_severity
            .entry(i.severity.as_str().to_string())
            .or_insert(0) += 1;
    }

    let horizon = asked.map_or(period.now, |a| a.to);
    let cover_secs: i64 = covered.iter().map(|c| (c.to - c.from).num_seconds()).sum();
    let cover_minutes = cover_secs / 60;

    let mut unresolved_stale = 0;
    let mut intervals: Vec<(i64, i64, f64)> = Vec::new();
    let mut outage_spans: Vec<Span> = Vec::new();
    for i in &outages {
        let Some(s) = i.start else { continue };
        let stale = i.unresolved_since(period.now);
        if stale.is_some() {
            unresolved_stale += 1;
        }
        let e = match (i.end, stale) {
            (Some(e), _) => e,
            (None, Some(last)) => last,
            (None, None) if i.status.is_closed() => i.last_activity().unwrap_or(s),
            (None, None) => horizon,
        }
        .max(s);
        for piece in intersect_spans(&[Span { from: s, to: e }], &covered) {
            intervals.push((
                piece.from.timestamp(),
                piece.to.timestamp(),
                weight(i.severity),
            ));
            outage_spans.push(piece);
        }
    }
    let (raw_secs, weighted_secs) = union_seconds(&intervals);
    let outage_minutes = raw_secs / 60;
    let weighted_outage_minutes = (weighted_secs / 60.0 * 10.0).round() / 10.0;
    let availability = (cover_minutes > 0)
        .then(|| (1.0 - outage_minutes as f64 / cover_minutes as f64).clamp(0.0, 1.0));
    let weighted_availability = (cover_minutes > 0)
        .then(|| (1.0 - weighted_outage_minutes / cover_minutes as f64).clamp(0.0, 1.0));

    // A real duration: an end after the start. Backfilled records close at their start.
    let mut ttr: Vec<i64> = outages.iter().filter_map(|i| real_minutes(i)).collect();
    ttr.sort_unstable();
    let ttr_left_out = outages.len() - ttr.len();
    let mean_ttr_minutes =
        (!ttr.is_empty()).then(|| round1(ttr.iter().sum::<i64>() as f64 / ttr.len() as f64));
    let median_ttr_minutes = median(&ttr);
    let p90_ttr_minutes = nearest_rank(&ttr, 0.9);

    let longest = outages
        .iter()
        .filter_map(|i| real_minutes(i).map(|m| (m, *i)))
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.start.cmp(&a.1.start)))
        .map(|(minutes, i)| Longest {
            id: i.id.clone(),
            title: i.title.clone(),
            start: i.start.map(crate::model::rfc3339),
            minutes,
        });

    let mut per_month = BTreeMap::new();
    if let (Some(first), Some(last)) = (covered.first(), covered.last()) {
        let mut m = month_key(first.from);
        // The end is exclusive: a period ending at midnight on 1 January ends in December.
        let end = month_key((last.to - Duration::seconds(1)).max(first.from));
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
    let outage_spans = union_spans(outage_spans);
    let mut outage_minutes_per_month: BTreeMap<String, i64> =
        per_month.keys().map(|k| (k.clone(), 0)).collect();
    for (k, secs) in seconds_by(&outage_spans, month_bucket) {
        *outage_minutes_per_month.entry(k).or_insert(0) += secs / 60;
    }
    let outage_minutes_per_day = seconds_by(&outage_spans, day_bucket)
        .into_iter()
        .map(|(k, secs)| (k, secs / 60))
        .collect();

    let period_minutes = asked.map_or(0, |a| (a.to - a.from).num_minutes());
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
        ttr_left_out,
        unresolved_stale,
        longest,
        per_month,
        outage_minutes_per_month,
        outage_minutes_per_day,
        coverage: Coverage {
            first: covered
                .first()
                .map(|c| c.from.format("%Y-%m-%d").to_string()),
            last: covered.last().map(|c| {
                (c.to - Duration::seconds(1))
                    .max(c.from)
                    .format("%Y-%m-%d")
                    .to_string()
            }),
            minutes: cover_minutes,
            period_minutes,
            share: (period_minutes > 0).then(|| cover_minutes as f64 / period_minutes as f64),
            no_data: cover_secs == 0,
            spans: covered
                .iter()
                .map(|c| CoveredSpan {
                    from: crate::model::rfc3339(c.from),
                    to: crate::model::rfc3339(c.to),
                })
                .collect(),
        },
        acknowledgement_lag: None,
        method: METHOD.to_string(),
    }
}

/// Whole minutes from start to end, rounded, when the record has a real duration (an end after
/// its start; backfilled records close at their start).
fn real_minutes(e: &Event) -> Option<i64> {
    match (e.start, e.end) {
        (Some(s), Some(end)) if end > s => Some(((end - s).num_seconds() + 30) / 60),
        _ => None,
    }
}

/// Whether an event is (also) the vendor's own record: the figures count those.
pub fn is_vendor_record(e: &Event) -> bool {
    e.sources.iter().any(|s| s.kind == ReportKind::Status)
}

/// Splits spans at the boundaries `key` draws (months, days) and sums seconds per key.
fn seconds_by<F>(spans: &[Span], key: F) -> BTreeMap<String, i64>
where
    F: Fn(DateTime<Utc>) -> (String, DateTime<Utc>),
{
    let mut out = BTreeMap::new();
    for span in spans {
        let mut at = span.from;
        while at < span.to {
            let (k, next) = key(at);
            if next <= at {
                break;
            }
            let cut = next.min(span.to);
            *out.entry(k).or_insert(0) += (cut - at).num_seconds();
            at = cut;
        }
    }
    out
}

fn month_bucket(t: DateTime<Utc>) -> (String, DateTime<Utc>) {
    let (y, m) = if t.month() == 12 {
        (t.year() + 1, 1)
    } else {
        (t.year(), t.month() + 1)
    };
    let next = NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(t + Duration::days(31), |d| d.and_utc());
    (month_key(t), next)
}

fn day_bucket(t: DateTime<Utc>) -> (String, DateTime<Utc>) {
    let next = t
        .date_naive()
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(t + Duration::days(1), |d| d.and_utc());
    (t.format("%Y-%m-%d").to_string(), next)
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
    use crate::model::{Incident, Status};

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
        // A day after the period: the ongoing incident is not stale yet.
        let period = Period {
            since: Some(t("2024-01-01T00:00:00Z")),
            until: Some(t("2024-02-01T00:00:00Z")),
            now: t("2024-02-02T00:00:00Z"),
        };
        let f = figures(
            &events(&incidents),
            period,
            &[span("2023-12-01T00:00:00Z", "2024-02-02T00:00:00Z")],
        );
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
        assert_eq!(f.coverage.first.as_deref(), Some("2024-01-01"));
        assert_eq!(f.coverage.last.as_deref(), Some("2024-01-31"));
        // The same intervals make the chart: 75 + 20 on the 10th and 20th, 10 on the 31st.
        assert_eq!(f.outage_minutes_per_month.get("2024-01"), Some(&105));
        assert_eq!(f.outage_minutes_per_day.get("2024-01-31"), Some(&10));
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
        let f = figures(
            &events(&incidents),
            period,
            &[span("2024-03-01T00:00:00Z", "2024-03-11T00:00:00Z")],
        );
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
        let f = figures(&[], period, &[]);
        assert_eq!(f.incidents, 0);
        assert_eq!(f.availability, None);
        assert_eq!(f.mean_ttr_minutes, None);
        assert!(f.coverage.no_data);
    }

    fn events(incidents: &[Incident]) -> Vec<Event> {
        incidents.iter().map(Event::from).collect()
    }

    fn span(a: &str, b: &str) -> Span {
        Span {
            from: t(a),
            to: t(b),
        }
    }

    fn january() -> Period {
        Period {
            since: Some(t("2024-01-01T00:00:00Z")),
            until: Some(t("2024-02-01T00:00:00Z")),
            now: t("2024-06-01T00:00:00Z"),
        }
    }

    /// Hand-computed: the feed covered 1-11 January and 21 January to 1 February (a failed
    /// crawl between). Covered: 10 + 11 days = 30,240 minutes of January's 44,640. An outage
    /// from 10 Jan 23:00 to 11 Jan 01:00 counts its 60 covered minutes; one from 25 Jan
    /// 10:00 to 10:30 counts 30; one starting in the hole is not counted at all.
    #[test]
    fn a_coverage_hole_is_neither_uptime_nor_downtime() {
        let incidents = vec![
            inc(
                "a",
                Severity::Major,
                "2024-01-10T23:00:00Z",
                Some("2024-01-11T01:00:00Z"),
            ),
            inc(
                "b",
                Severity::Major,
                "2024-01-25T10:00:00Z",
                Some("2024-01-25T10:30:00Z"),
            ),
            inc(
                "in-the-hole",
                Severity::Major,
                "2024-01-15T10:00:00Z",
                Some("2024-01-15T12:00:00Z"),
            ),
        ];
        let coverage = [
            span("2024-01-21T00:00:00Z", "2024-02-01T00:00:00Z"),
            span("2023-12-20T00:00:00Z", "2024-01-11T00:00:00Z"),
        ];
        let f = figures(&events(&incidents), january(), &coverage);
        assert_eq!(f.incidents, 2);
        assert_eq!(f.coverage.minutes, 30_240);
        assert_eq!(f.coverage.period_minutes, 44_640);
        assert_eq!(f.coverage.spans.len(), 2);
        assert_eq!(f.outage_minutes, 90);
        let a = f.availability.expect("availability");
        assert!((a - (1.0 - 90.0 / 30_240.0)).abs() < 1e-12);
        let share = f.coverage.share.expect("share");
        assert!((share - 30_240.0 / 44_640.0).abs() < 1e-12);
        assert!(!f.coverage.no_data);
    }

    #[test]
    fn a_period_without_covered_time_has_no_data_not_full_availability() {
        let incidents = vec![inc(
            "old",
            Severity::Major,
            "2023-06-01T10:00:00Z",
            Some("2023-06-01T11:00:00Z"),
        )];
        let f = figures(
            &events(&incidents),
            january(),
            &[span("2023-01-01T00:00:00Z", "2023-07-01T00:00:00Z")],
        );
        assert!(f.coverage.no_data);
        assert_eq!((f.incidents, f.coverage.minutes), (0, 0));
        assert_eq!(f.availability, None);
        assert!(f.per_month.is_empty());
    }

    /// An incident opened 5 Jan 10:00, last updated 12:00, never closed: stale long before
    /// `now` (1 June), so it counts 120 minutes, in the figure and in the month's chart alike.
    #[test]
    fn a_stale_open_incident_counts_to_its_last_update() {
        let mut open = inc("open", Severity::Major, "2024-01-05T10:00:00Z", None);
        open.updates = vec![
            crate::model::Update {
                at: Some(t("2024-01-05T10:00:00Z")),
                status: "investigating".into(),
                text: "Looking into it".into(),
            },
            crate::model::Update {
                at: Some(t("2024-01-05T12:00:00Z")),
                status: "identified".into(),
                text: "Found it".into(),
            },
        ];
        let f = figures(
            &events(std::slice::from_ref(&open)),
            january(),
            &[span("2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z")],
        );
        assert_eq!(f.unresolved_stale, 1);
        assert_eq!(f.outage_minutes, 120);
        assert_eq!(f.outage_minutes_per_month.get("2024-01"), Some(&120));
        assert_eq!(f.ttr_left_out, 1);
        assert_eq!(f.median_ttr_minutes, None);
        assert_eq!(
            Event::from(&open).unresolved_since(t("2024-01-08T12:00:01Z")),
            Some(t("2024-01-05T12:00:00Z"))
        );
        assert_eq!(
            Event::from(&open).unresolved_since(t("2024-01-08T11:59:59Z")),
            None
        );
    }

    #[test]
    fn outage_minutes_split_at_month_and_day_ends_and_merge_overlaps() {
        let incidents = vec![
            // 23:00 Jan 31 to 01:00 Feb 1: 60 min in each month.
            inc(
                "a",
                Severity::Major,
                "2024-01-31T23:00:00Z",
                Some("2024-02-01T01:00:00Z"),
            ),
            // Overlaps the first by 30 min: only 30 more minutes in February.
            inc(
                "b",
                Severity::Minor,
                "2024-02-01T00:30:00Z",
                Some("2024-02-01T01:30:00Z"),
            ),
            // Maintenance never counts.
            inc(
                "m",
                Severity::Maintenance,
                "2024-03-01T00:00:00Z",
                Some("2024-03-01T05:00:00Z"),
            ),
        ];
        let period = Period {
            since: Some(t("2024-01-01T00:00:00Z")),
            until: Some(t("2024-04-01T00:00:00Z")),
            now: t("2024-06-01T00:00:00Z"),
        };
        let f = figures(
            &events(&incidents),
            period,
            &[span("2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z")],
        );
        let months: Vec<(&str, i64)> = f
            .outage_minutes_per_month
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        assert_eq!(
            months,
            vec![("2024-01", 60), ("2024-02", 90), ("2024-03", 0)]
        );
        assert_eq!(f.outage_minutes, 150);
        let days: Vec<(&str, i64)> = f
            .outage_minutes_per_day
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        assert_eq!(days, vec![("2024-01-31", 60), ("2024-02-01", 90)]);
    }

    /// Backfilled records close at their start: they have no real duration, so time to
    /// resolve leaves them out (and says how many) instead of reading a median of zero.
    #[test]
    fn zero_length_records_are_left_out_of_time_to_resolve() {
        let incidents = vec![
            inc(
                "a",
                Severity::Minor,
                "2024-01-02T10:00:00Z",
                Some("2024-01-02T10:00:00Z"),
            ),
            inc(
                "b",
                Severity::Minor,
                "2024-01-03T10:00:00Z",
                Some("2024-01-03T10:00:00Z"),
            ),
            inc(
                "c",
                Severity::Minor,
                "2024-01-04T10:00:00Z",
                Some("2024-01-04T10:40:00Z"),
            ),
            inc(
                "d",
                Severity::Minor,
                "2024-01-05T10:00:00Z",
                Some("2024-01-05T11:00:00Z"),
            ),
        ];
        let f = figures(
            &events(&incidents),
            january(),
            &[span("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z")],
        );
        assert_eq!(f.incidents, 4);
        assert_eq!(f.ttr_left_out, 2);
        assert_eq!(f.median_ttr_minutes, Some(50.0));
        assert_eq!(f.mean_ttr_minutes, Some(50.0));
    }
}
