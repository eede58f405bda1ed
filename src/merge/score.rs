//! The scored rule that decides whether two records describe the same outage.
//!
//! Same vendor is a gate (names canonicalised through the shared gazetteer). So is time: each
//! record's time is a span widened by a slack that depends on how precisely its source dates it
//! (a status incident to the minute, a press report's "on Tuesday" to the day, an undated report
//! only by its publication); spans further apart than both slacks never match. Past the gates
//! the evidence adds up to a score out of 1:
//!
//! | part | weight | value |
//! |---|---|---|
//! | time | 0.40 | 1 when the spans overlap, falling to 0.5 at the edge of the slack; times the weaker side's precision factor (minute 1.0, hour 0.9, day 0.75, publication window 0.6) |
//! | text | 0.35 | share of the smaller set of subject words found in the other |
//! | services | 0.15 | share of the smaller service list named in the other |
//! | regions | 0.10 | share of the smaller region list named in the other |
//!
//! | same window | +0.15 | both give the same start and the same end, each within ten minutes |
//!
//! Two records are one outage at [`THRESHOLD`] or more. Time overlap alone (0.40) is not
//! enough: two incidents of one vendor on the same day about different products stay apart,
//! and the weaker the time evidence, the more the words must agree.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Timelike, Utc};

use super::fingerprint::Fingerprint;
use crate::model::{Incident, ReportKind};
use crate::store::ScoreParts;

/// The score at or above which two records are one outage.
pub const THRESHOLD: f64 = 0.55;

const W_TIME: f64 = 0.40;
const W_TEXT: f64 = 0.35;
const W_SERVICES: f64 = 0.15;
const W_REGIONS: f64 = 0.10;
/// Added to time when both records give the same start and the same end: two independent
/// accounts of one window (a status incident and the article quoting its times) are one outage
/// even when their wording and service names differ.
const W_SAME_WINDOW: f64 = 0.15;

/// How far back from its publication an undated press report may be describing.
const PRESS_LOOKBACK_DAYS: i64 = 4;

/// How precisely a record's source dates the outage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    /// A status page's own timestamps.
    Minute,
    /// A press report that names a time of day.
    Hour,
    /// A press report that names only the day ("on Tuesday", "8 June").
    Day,
    /// A press report with no date of the outage: only its publication bounds it.
    Window,
}

impl Precision {
    /// How far outside its span the outage may really lie.
    fn slack(self) -> Duration {
        match self {
            Precision::Minute => Duration::minutes(30),
            Precision::Hour => Duration::hours(3),
            Precision::Day => Duration::hours(14),
            Precision::Window => Duration::hours(12),
        }
    }

    /// How much a time match with this precision is worth.
    fn factor(self) -> f64 {
        match self {
            Precision::Minute => 1.0,
            Precision::Hour => 0.9,
            Precision::Day => 0.75,
            Precision::Window => 0.6,
        }
    }
}

/// When a record says the outage happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub precision: Precision,
}

/// One incident prepared for comparison.
#[derive(Debug, Clone)]
pub struct Record {
    pub incident: Incident,
    /// Canonical vendor name.
    pub vendor: String,
    pub kind: ReportKind,
    pub span: Option<Span>,
    /// When a press report was published (its "press report" update); none for status.
    pub published: Option<DateTime<Utc>>,
    /// Title, text, services and cause: what the record is about.
    pub subject: Fingerprint,
    /// The body alone (no title), for near-duplicate detection of press copies.
    pub body: Fingerprint,
    pub services: BTreeSet<String>,
    pub regions: BTreeSet<String>,
    /// The vendor posts one status incident per service and region (see
    /// [`crate::extract::vendor::Vendor::incidents_per_service`]).
    pub per_service: bool,
}

/// Why a record joined another: the evidence a careful analyst would accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    /// The weighted score reached [`THRESHOLD`] (press reports).
    Score,
    /// The vendor links the two incidents: one names the other (its id, its link, or a
    /// "continued from" with the same subject).
    Linked,
    /// The same incident posted twice (a mirror page, a re-post under a new id): the same
    /// title and the same window, each end within ten minutes.
    Duplicate,
    /// Per-service incidents of one cascading outage: the same region, onsets within
    /// [`CASCADE_ONSET`], and the same wording.
    Cascade,
    /// A press report whose stated onset falls inside the status incident's window, within
    /// the precision the report gives.
    Onset,
}

/// How far apart the onsets of two per-service incidents of one outage may be.
pub const CASCADE_ONSET: Duration = Duration::hours(3);

/// How much of the smaller subject two per-service incidents of one outage must share.
const CASCADE_TEXT: f64 = 0.5;

/// How much subject a "continued from ..." must share with the incident it continues.
const CONTINUATION_TEXT: f64 = 0.6;

/// Words with which a vendor says an incident continues an earlier one.
const CONTINUATION_PHRASES: &[&str] = &[
    "continued from",
    "continuation of",
    "continuing from",
    "follow-up to",
    "follow up to",
    "followup to",
    "previous incident",
    "earlier incident",
    "prior incident",
    "previously reported",
    "recurrence of",
];

/// The label the press parser gives an article's publication in `updates`.
pub const PRESS_REPORT_LABEL: &str = "press report";

impl Record {
    pub fn new(incident: Incident, vendor: String) -> Record {
        let kind = if incident
            .sources
            .iter()
            .any(|s| s.kind == ReportKind::Status)
            || incident.sources.is_empty()
        {
            ReportKind::Status
        } else {
            ReportKind::Press
        };
        let published = (kind == ReportKind::Press)
            .then(|| {
                incident
                    .updates
                    .iter()
                    .filter(|u| u.status == PRESS_REPORT_LABEL)
                    .filter_map(|u| u.at)
                    .min()
            })
            .flatten();
        let span = span_of(&incident, kind, published);
        let mut subject_text = incident.title.clone();
        let mut body_text = String::new();
        match kind {
            // The first update says what broke; later ones repeat "we are monitoring".
            ReportKind::Status => {
                if let Some(u) = incident.updates.first() {
                    subject_text.push_str(". ");
                    subject_text.push_str(&u.text);
                }
            }
            ReportKind::Press => {
                for text in incident
                    .updates
                    .iter()
                    .map(|u| u.text.as_str())
                    .chain(incident.sources.iter().filter_map(|s| s.quote.as_deref()))
                {
                    if !body_text.contains(text) {
                        body_text.push_str(text);
                        body_text.push_str(". ");
                    }
                }
                subject_text.push_str(". ");
                subject_text.push_str(&body_text);
            }
        }
        for extra in incident.services.iter().chain(incident.cause.iter()) {
            subject_text.push_str(". ");
            subject_text.push_str(extra);
        }
        let norm = |v: &[String]| -> BTreeSet<String> {
            v.iter()
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty())
                .collect()
        };
        Record {
            per_service: crate::extract::vendor::Gazetteer::builtin()
                .incidents_per_service(&vendor),
            subject: Fingerprint::of(&subject_text, &vendor),
            body: Fingerprint::of(&body_text, &vendor),
            services: norm(&incident.services),
            regions: norm(&incident.regions),
            incident,
            vendor,
            kind,
            span,
            published,
        }
    }

    /// The time the record is sorted by: its span's start.
    pub fn anchor(&self) -> Option<DateTime<Utc>> {
        self.span.map(|s| s.from)
    }
}

fn span_of(
    incident: &Incident,
    kind: ReportKind,
    published: Option<DateTime<Utc>>,
) -> Option<Span> {
    let first_update = incident.updates.iter().filter_map(|u| u.at).min();
    let last_update = incident.updates.iter().filter_map(|u| u.at).max();
    match kind {
        ReportKind::Status => {
            let from = incident.start.or(first_update)?;
            let to = incident.end.or(last_update).unwrap_or(from).max(from);
            Some(Span {
                from,
                to,
                precision: Precision::Minute,
            })
        }
        ReportKind::Press => match incident.start {
            Some(start) => {
                let midnight = start.hour() == 0 && start.minute() == 0 && start.second() == 0;
                let (precision, to) = if midnight {
                    (Precision::Day, start + Duration::days(1))
                } else {
                    (Precision::Hour, start)
                };
                Some(Span {
                    from: start,
                    to: incident.end.unwrap_or(to).max(to),
                    precision,
                })
            }
            None => published.map(|p| Span {
                from: p - Duration::days(PRESS_LOOKBACK_DAYS),
                to: p,
                precision: Precision::Window,
            }),
        },
    }
}

/// The score of `a` and `b` as one outage, or `None` when a gate fails (another vendor, no
/// time, times too far apart).
pub fn score(a: &Record, b: &Record) -> Option<ScoreParts> {
    if a.vendor != b.vendor {
        return None;
    }
    let (sa, sb) = (a.span?, b.span?);
    let mut time = time_part(sa, sb)?;
    if same_window(&sa, &sb) {
        time += W_SAME_WINDOW;
    }
    let text = W_TEXT * a.subject.similarity(&b.subject);
    let services = W_SERVICES * overlap(&a.services, &b.services);
    let regions = W_REGIONS * overlap(&a.regions, &b.regions);
    Some(ScoreParts {
        total: round(time + text + services + regions),
        time: round(time),
        text: round(text),
        services: round(services),
        regions: round(regions),
    })
}

/// Whether two status incidents of one vendor are one outage. Two incidents with their own ids
/// on a status page are the vendor's statement that they are two incidents, and overlapping in
/// time is no evidence against it: they join only when the vendor links them ([`links`]), when
/// they are one incident posted twice (same title, same window), or when the vendor posts per
/// service and the two share a region, an onset within
/// [`CASCADE_ONSET`] and their wording ([`JoinKind::Cascade`]). `a` starts no later than `b`.
pub fn status_join(a: &Record, b: &Record) -> Option<(ScoreParts, JoinKind)> {
    let parts = score(a, b)?;
    // A link between incidents that share neither a service nor a word of their titles is
    // more likely a pasted wrong link than one outage: a wrong join costs more than a miss.
    if (links(a, b) || links(b, a)) && shares_subject(a, b) {
        return Some((parts, JoinKind::Linked));
    }
    let (sa, sb) = (a.span?, b.span?);
    // A vendor posting per service titles its incidents generically ("Increased API Error
    // Rates"): there the same title in the same window is the cascade rule's business.
    if !a.per_service
        && !b.per_service
        && same_window(&sa, &sb)
        && same_title(&a.incident.title, &b.incident.title)
    {
        return Some((parts, JoinKind::Duplicate));
    }
    let cascade = a.per_service
        && b.per_service
        && parts.total >= THRESHOLD
        && (sb.from - sa.from).abs() <= CASCADE_ONSET
        && shared_region(a, b)
        && a.subject.similarity(&b.subject) >= CASCADE_TEXT
        && (titles_share_a_word(a, b) || same_cause(a, b));
    cascade.then_some((parts, JoinKind::Cascade))
}

/// A region both name exactly (a substring is not enough: "us-gov-west-1" is not "us-west-1").
fn shared_region(a: &Record, b: &Record) -> bool {
    !a.regions.is_disjoint(&b.regions)
}

/// Whether the two titles share a content word (stop words, outage vocabulary and the vendor's
/// name left out).
fn titles_share_a_word(a: &Record, b: &Record) -> bool {
    let ta = Fingerprint::of(&a.incident.title, &a.vendor);
    let tb = Fingerprint::of(&b.incident.title, &b.vendor);
    !ta.words.is_disjoint(&tb.words)
}

/// Whether both records give a cause and the causes say the same thing.
fn same_cause(a: &Record, b: &Record) -> bool {
    match (&a.incident.cause, &b.incident.cause) {
        (Some(x), Some(y)) => {
            Fingerprint::of(x, &a.vendor).similarity(&Fingerprint::of(y, &b.vendor)) >= CASCADE_TEXT
        }
        _ => false,
    }
}

/// Whether two records name a service in common or share a content word of their titles.
fn shares_subject(a: &Record, b: &Record) -> bool {
    overlap(&a.services, &b.services) > 0.0 || titles_share_a_word(a, b)
}

/// Titles equal but for case, spacing and punctuation.
fn same_title(a: &str, b: &str) -> bool {
    let norm = |t: &str| -> Vec<String> {
        t.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && a == b
}

/// True when `b` names `a`: its text holds `a`'s incident code or link, or says it continues an
/// earlier incident and has `a`'s subject.
fn links(a: &Record, b: &Record) -> bool {
    let code = a
        .incident
        .id
        .split_once(':')
        .map_or(a.incident.id.as_str(), |(_, code)| code);
    // Short or all-letter codes are words, not references.
    let code_is_distinctive =
        code.len() >= 8 && code.chars().any(|c| c.is_ascii_digit()) && !code.contains(' ');
    let links: Vec<&str> = a
        .incident
        .sources
        .iter()
        .filter_map(|s| s.url.as_deref())
        .filter(|u| u.contains("/incident"))
        .collect();
    let texts = || {
        std::iter::once(b.incident.title.as_str())
            .chain(b.incident.updates.iter().map(|u| u.text.as_str()))
            .chain(b.incident.cause.iter().map(String::as_str))
    };
    let names_it = texts()
        .any(|t| (code_is_distinctive && t.contains(code)) || links.iter().any(|l| t.contains(l)));
    if names_it {
        return true;
    }
    let continues = texts().any(|t| {
        let lower = t.to_lowercase();
        CONTINUATION_PHRASES.iter().any(|p| lower.contains(p))
    });
    continues && a.anchor() <= b.anchor() && a.subject.similarity(&b.subject) >= CONTINUATION_TEXT
}

/// Whether a press report's stated onset falls inside a status incident's window, within the
/// precision the report gives: a time to the minute within [`ONSET_MINUTE_SLACK`], a round
/// hour ("around 10 a.m.") within an hour, a day when the window touches that day. A report
/// with no date of its own is left to the score. Same vendor only.
pub fn onset_inside(press: &Record, status: &Record) -> bool {
    if press.vendor != status.vendor
        || press.kind != ReportKind::Press
        || status.kind != ReportKind::Status
    {
        return false;
    }
    let (Some(onset), Some(window)) = (press.incident.start, status.span) else {
        return false;
    };
    match press.span.map(|s| s.precision) {
        Some(Precision::Hour) => {}
        Some(Precision::Day) => {
            let day_end = onset + Duration::days(1);
            return window.from < day_end && onset <= window.to;
        }
        _ => return false,
    }
    let slack = if onset.minute() == 0 {
        Duration::hours(1)
    } else {
        ONSET_MINUTE_SLACK
    };
    window.from - slack <= onset && onset <= window.to + slack
}

/// How far outside a status window a press report's onset stated to the minute may lie
/// (rounding, and the minute the vendor posted its first update).
const ONSET_MINUTE_SLACK: Duration = Duration::minutes(15);

/// Same start and same end, each within ten minutes, and both real windows (not points).
fn same_window(a: &Span, b: &Span) -> bool {
    let close = |x: DateTime<Utc>, y: DateTime<Utc>| (x - y).num_minutes().abs() <= 10;
    a.to > a.from && b.to > b.from && close(a.from, b.from) && close(a.to, b.to)
}

/// True when two spans can be the same outage at all: the cheap gate before scoring.
pub fn within_reach(a: &Span, b: &Span) -> bool {
    gap(a, b) <= a.precision.slack() + b.precision.slack()
}

/// The largest slack of any precision: the most a span can reach beyond its own end.
const MAX_SLACK: Duration = Duration::hours(14);

/// True when `b` (which starts no earlier than `a`) starts so far after `a` ends that no span
/// starting at or after `b` can be within reach of `a`. Grouping walks spans in start order and
/// stops there, which keeps it linear in the records instead of quadratic.
pub fn past_reach(a: &Span, b: &Span) -> bool {
    b.from > a.to && b.from - a.to > a.precision.slack() + MAX_SLACK
}

fn gap(a: &Span, b: &Span) -> Duration {
    if a.to < b.from {
        b.from - a.to
    } else if b.to < a.from {
        a.from - b.to
    } else {
        Duration::zero()
    }
}

fn time_part(a: Span, b: Span) -> Option<f64> {
    let slack = a.precision.slack() + b.precision.slack();
    let gap = gap(&a, &b);
    if gap > slack {
        return None;
    }
    let closeness = 1.0 - 0.5 * seconds(gap) / seconds(slack).max(1.0);
    let factor = a.precision.max(b.precision).factor();
    Some(W_TIME * factor * closeness)
}

fn seconds(d: Duration) -> f64 {
    // Spans are days at most; far below 2^52 seconds.
    d.num_seconds() as f64
}

/// Share of the smaller set found in the other; 0 when either is empty (no evidence).
fn overlap(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let smaller = a.len().min(b.len());
    if smaller == 0 {
        return 0.0;
    }
    let shared = a
        .iter()
        .filter(|x| {
            b.iter()
                .any(|y| x.contains(y.as_str()) || y.contains(x.as_str()))
        })
        .count()
        .min(smaller);
    shared as f64 / smaller as f64
}

/// Three decimals: stored scores compare equal across runs and read well.
fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_precision_reaches_further_than_the_grouping_walk_looks() {
        for p in [
            Precision::Minute,
            Precision::Hour,
            Precision::Day,
            Precision::Window,
        ] {
            assert!(p.slack() <= MAX_SLACK, "{p:?}");
        }
    }
}
