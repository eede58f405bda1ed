//! One group of records becomes one merged event: the contract's fields, each with the record
//! it came from and the values other records gave, plus the two figures only merging can give.
//!
//! Order of trust, most trusted first: the vendor's post-mortem, its resolved incidents, its
//! open incidents, then press reports (oldest first). Times follow the vendor's records
//! whenever it has any: the start is the earliest vendor start, the end the latest vendor end
//! (none while one of them is still open), the severity the worst the vendor gave. Title,
//! status and cause come from the most trusted record that has one. Regions and services are
//! the union, each value with every record that named it. Where the press disagrees ("several
//! hours" against 49 minutes), its value is kept under `others` in the field's provenance.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::score::Record;
use crate::model::{EventUpdate, Incident, ReportKind, Severity, Status};
use crate::store::{FeedAbsence, MemberRole, ScoreParts};

/// A merged event: the event contract plus where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedEvent {
    pub id: String,
    pub vendor: String,
    pub title: String,
    #[serde(with = "time_opt")]
    pub start: Option<DateTime<Utc>>,
    #[serde(with = "time_opt")]
    pub end: Option<DateTime<Utc>>,
    pub duration_minutes: Option<i64>,
    pub status: Status,
    pub severity: Severity,
    pub severity_native: Option<String>,
    pub regions: Vec<String>,
    pub services: Vec<String>,
    pub cause: Option<String>,
    pub updates: Vec<EventUpdate>,
    pub sources: Vec<EventSource>,
    pub merged_from: Vec<MergedFrom>,
    pub provenance: Provenance,
    /// The first press report's publication.
    #[serde(with = "time_opt")]
    pub first_press_report: Option<DateTime<Utc>>,
    /// The vendor's first status update (or its incident's start when it posted none).
    #[serde(with = "time_opt")]
    pub first_status_update: Option<DateTime<Utc>>,
    /// Minutes from the first press report to the vendor's first status update; negative when
    /// the vendor spoke first. None unless both exist.
    pub acknowledgement_lag_minutes: Option<i64>,
    /// Whether the vendor's status page mentioned the outage: true with a vendor record, false
    /// when its status feed covered the time and listed nothing, unknown (null) otherwise.
    pub status_page_mentioned: Option<bool>,
    /// Set when read: the last update of an event still open with no word from the vendor for
    /// [`crate::model::STALE_AFTER_HOURS`] hours ("unresolved, last update ..."); such an
    /// event is drawn and counted only until then.
    #[serde(default, with = "time_opt")]
    pub unresolved_last_update: Option<DateTime<Utc>>,
}

/// A source of the event: a vendor incident's link, or a press report with its copies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventSource {
    pub url: Option<String>,
    pub kind: ReportKind,
    pub quote: Option<String>,
    pub incident_id: String,
    /// Near-duplicates of this report published elsewhere (syndication).
    pub copies: Vec<SourceCopy>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceCopy {
    pub incident_id: String,
    pub url: Option<String>,
    pub title: String,
}

/// One member and why it is in the event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedFrom {
    pub incident_id: String,
    pub kind: ReportKind,
    pub role: String,
    pub title: String,
    pub url: Option<String>,
    pub matched_with: Option<String>,
    pub score: Option<ScoreParts>,
    pub reason: String,
    /// Feeds that stopped listing this incident while it was inside their window.
    pub missing_from_feeds: Vec<Absence>,
}

/// A feed that dropped an incident it should still list (a deletion by the vendor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Absence {
    pub source_url: String,
    pub last_listed_at: DateTime<Utc>,
    pub missing_since: DateTime<Utc>,
}

impl From<FeedAbsence> for Absence {
    fn from(a: FeedAbsence) -> Self {
        Absence {
            source_url: a.source_url,
            last_listed_at: a.last_listed_at,
            missing_since: a.missing_since,
        }
    }
}

/// A value and the member that gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sourced<T> {
    pub incident_id: String,
    pub kind: ReportKind,
    pub value: T,
}

/// The value shown and the other values the members gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldProvenance<T> {
    pub main: Option<Sourced<T>>,
    pub others: Vec<Sourced<T>>,
}

/// One region or service and every member that named it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListOrigin {
    pub value: String,
    pub incident_ids: Vec<String>,
}

/// Where each field of the event came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub title: FieldProvenance<String>,
    pub start: FieldProvenance<DateTime<Utc>>,
    pub end: FieldProvenance<DateTime<Utc>>,
    pub duration_minutes: FieldProvenance<i64>,
    pub status: FieldProvenance<Status>,
    pub severity: FieldProvenance<Severity>,
    pub cause: FieldProvenance<String>,
    pub regions: Vec<ListOrigin>,
    pub services: Vec<ListOrigin>,
}

/// A record in the event with its role and why it joined.
pub struct Member<'a> {
    pub record: &'a Record,
    pub role: MemberRole,
    pub matched_with: Option<String>,
    pub score: Option<ScoreParts>,
    pub reason: String,
    pub copy_of: Option<String>,
    pub absences: Vec<Absence>,
}

/// What the event needs to know beyond its members.
pub struct Context {
    /// Whether the vendor's status page covered this time (it had a feed reaching it).
    pub status_covered: bool,
}

/// Builds the event `id` from its members (any order).
pub fn build(id: &str, vendor: &str, members: &[Member], ctx: &Context) -> MergedEvent {
    let mut ranked: Vec<&Member> = members
        .iter()
        .filter(|m| m.role != MemberRole::Copy)
        .collect();
    ranked.sort_by_key(|m| {
        (
            trust(m.record),
            m.record.anchor(),
            m.record.incident.id.clone(),
        )
    });
    let status: Vec<&Member> = ranked
        .iter()
        .copied()
        .filter(|m| m.record.kind == ReportKind::Status)
        .collect();
    // Times, severity follow the vendor where it has records; the press otherwise.
    let timed: &[&Member] = if status.is_empty() { &ranked } else { &status };

    let title = pick(&ranked, |m| {
        Some(m.record.incident.title.clone()).filter(|t| !t.trim().is_empty())
    });
    let start_main = timed
        .iter()
        .filter_map(|m| m.record.incident.start.map(|s| (s, *m)))
        .min_by_key(|(s, _)| *s)
        .map(|(s, m)| mk(m, s));
    let open = timed
        .iter()
        .copied()
        .find(|m| m.record.kind == ReportKind::Status && !m.record.incident.status.is_closed());
    let end_main = if open.is_some() && !status.is_empty() {
        None
    } else {
        timed
            .iter()
            .filter_map(|m| m.record.incident.end.map(|e| (e, *m)))
            .max_by_key(|(e, _)| *e)
            .map(|(e, m)| mk(m, e))
    };
    let start = start_main.as_ref().map(|s| s.value);
    let end = end_main
        .as_ref()
        .map(|e| e.value)
        .filter(|e| start.is_none_or(|s| *e >= s));
    let duration = match (start, end) {
        (Some(s), Some(e)) => Some(((e - s).num_seconds() + 30) / 60),
        _ => None,
    };
    let status_main = match open {
        Some(m) => Some(mk(m, m.record.incident.status)),
        None => ranked
            .iter()
            .find(|m| m.record.incident.status != Status::Unknown)
            .map(|m| mk(m, m.record.incident.status)),
    };
    let severity_main = timed
        .iter()
        .max_by_key(|m| {
            (
                severity_rank(m.record.incident.severity),
                std::cmp::Reverse(trust(m.record)),
            )
        })
        .map(|m| mk(m, m.record.incident.severity));
    let cause = pick(&ranked, |m| m.record.incident.cause.clone());

    let others_time = |main: &Option<Sourced<DateTime<Utc>>>,
                       get: &dyn Fn(&Member) -> Option<DateTime<Utc>>| {
        ranked
            .iter()
            .filter_map(|m| get(m).map(|v| mk(m, v)))
            .filter(|s| main.as_ref().is_none_or(|x| x.value != s.value))
            .collect::<Vec<_>>()
    };
    let start_prov = FieldProvenance {
        others: others_time(&start_main, &|m| m.record.incident.start),
        main: start_main,
    };
    let end_prov = FieldProvenance {
        others: others_time(&end_main, &|m| m.record.incident.end),
        main: end_main,
    };
    let duration_main = duration.and_then(|d| {
        end_prov.main.as_ref().map(|e| Sourced {
            incident_id: e.incident_id.clone(),
            kind: e.kind,
            value: d,
        })
    });
    let duration_prov = FieldProvenance {
        others: ranked
            .iter()
            .filter_map(|m| m.record.incident.duration_minutes().map(|v| mk(m, v)))
            .filter(|s| duration_main.as_ref().is_none_or(|x| x.value != s.value))
            .collect(),
        main: duration_main,
    };
    let status_prov = FieldProvenance {
        others: others(&ranked, &status_main, |m| Some(m.record.incident.status)),
        main: status_main,
    };
    let severity_prov = FieldProvenance {
        others: others(&ranked, &severity_main, |m| {
            Some(m.record.incident.severity)
        }),
        main: severity_main,
    };
    let severity_native = severity_prov.main.as_ref().and_then(|s| {
        ranked
            .iter()
            .find(|m| m.record.incident.id == s.incident_id)
            .and_then(|m| m.record.incident.severity_native.clone())
    });

    let regions = union(&ranked, |i| &i.regions);
    let services = union(&ranked, |i| &i.services);

    let mut updates: Vec<EventUpdate> = Vec::new();
    for m in &ranked {
        for u in &m.record.incident.updates {
            let e = EventUpdate {
                at: u.at,
                status: u.status.clone(),
                text: u.text.clone(),
            };
            if !updates.contains(&e) {
                updates.push(e);
            }
        }
    }
    updates.sort_by_key(|u| (u.at.is_none(), u.at));

    let mut sources: Vec<EventSource> = Vec::new();
    for m in &ranked {
        for s in &m.record.incident.sources {
            if s.url.is_some() && sources.iter().any(|x| x.url == s.url) {
                continue;
            }
            let copies = members
                .iter()
                .filter(|c| c.copy_of.as_deref() == Some(m.record.incident.id.as_str()))
                .map(|c| SourceCopy {
                    incident_id: c.record.incident.id.clone(),
                    url: c
                        .record
                        .incident
                        .sources
                        .first()
                        .and_then(|s| s.url.clone()),
                    title: c.record.incident.title.clone(),
                })
                .collect();
            sources.push(EventSource {
                url: s.url.clone(),
                kind: s.kind,
                quote: s.quote.clone(),
                incident_id: m.record.incident.id.clone(),
                copies,
            });
        }
    }

    let first_press_report = members
        .iter()
        .filter(|m| m.record.kind == ReportKind::Press)
        .filter_map(|m| m.record.published)
        .min();
    let first_status_update = status
        .iter()
        .filter_map(|m| {
            let first = m.record.incident.updates.iter().filter_map(|u| u.at).min();
            first.or(m.record.incident.start)
        })
        .min();
    let acknowledgement_lag_minutes = match (first_press_report, first_status_update) {
        (Some(p), Some(s)) => Some((s - p).num_minutes()),
        _ => None,
    };
    let status_page_mentioned = if !status.is_empty() {
        Some(true)
    } else if ctx.status_covered {
        Some(false)
    } else {
        None
    };

    let mut merged_from: Vec<MergedFrom> = members
        .iter()
        .map(|m| MergedFrom {
            incident_id: m.record.incident.id.clone(),
            kind: m.record.kind,
            role: m.role.as_str().to_string(),
            title: m.record.incident.title.clone(),
            url: m
                .record
                .incident
                .sources
                .first()
                .and_then(|s| s.url.clone()),
            matched_with: m.matched_with.clone(),
            score: m.score,
            reason: m.reason.clone(),
            missing_from_feeds: m.absences.clone(),
        })
        .collect();
    merged_from.sort_by(|a, b| {
        (a.role != "primary", &a.incident_id).cmp(&(b.role != "primary", &b.incident_id))
    });

    MergedEvent {
        id: id.to_string(),
        vendor: vendor.to_string(),
        title: title
            .main
            .as_ref()
            .map(|t| t.value.clone())
            .unwrap_or_default(),
        start,
        end,
        duration_minutes: duration,
        status: status_prov
            .main
            .as_ref()
            .map_or(Status::Unknown, |s| s.value),
        severity: severity_prov
            .main
            .as_ref()
            .map_or(Severity::Unknown, |s| s.value),
        severity_native,
        regions: regions.iter().map(|r| r.value.clone()).collect(),
        services: services.iter().map(|r| r.value.clone()).collect(),
        cause: cause.main.as_ref().map(|c| c.value.clone()),
        updates,
        sources,
        merged_from,
        provenance: Provenance {
            title,
            start: start_prov,
            end: end_prov,
            duration_minutes: duration_prov,
            status: status_prov,
            severity: severity_prov,
            cause,
            regions,
            services,
        },
        first_press_report,
        first_status_update,
        acknowledgement_lag_minutes,
        status_page_mentioned,
        unresolved_last_update: None,
    }
}

fn mk<T>(m: &Member, value: T) -> Sourced<T> {
    Sourced {
        incident_id: m.record.incident.id.clone(),
        kind: m.record.kind,
        value,
    }
}

/// Most trusted first: post-mortem, resolved vendor incident, open vendor incident, press.
fn trust(r: &Record) -> u8 {
    match r.kind {
        ReportKind::Status if is_postmortem(r) => 0,
        ReportKind::Status if r.incident.status.is_closed() => 1,
        ReportKind::Status => 2,
        ReportKind::Press => 3,
    }
}

fn is_postmortem(r: &Record) -> bool {
    let title = r.incident.title.to_lowercase();
    r.incident
        .updates
        .iter()
        .any(|u| u.status.replace(['-', ' ', '_'], "") == "postmortem")
        || [
            "post-mortem",
            "postmortem",
            "post-incident",
            "root cause analysis",
            "incident report",
        ]
        .iter()
        .any(|w| title.contains(w))
}

/// Worst first for `max`: an outage severity beats maintenance, maintenance beats none.
fn severity_rank(s: Severity) -> u8 {
    match s {
        Severity::Critical => 5,
        Severity::Major => 4,
        Severity::Minor => 3,
        Severity::Maintenance => 2,
        Severity::None => 1,
        Severity::Unknown => 0,
    }
}

fn pick<T: Clone + PartialEq>(
    ranked: &[&Member],
    get: impl Fn(&Member) -> Option<T>,
) -> FieldProvenance<T> {
    let main = ranked.iter().find_map(|m| get(m).map(|v| mk(m, v)));
    FieldProvenance {
        others: others(ranked, &main, get),
        main,
    }
}

fn others<T: Clone + PartialEq>(
    ranked: &[&Member],
    main: &Option<Sourced<T>>,
    get: impl Fn(&Member) -> Option<T>,
) -> Vec<Sourced<T>> {
    ranked
        .iter()
        .filter(|m| {
            main.as_ref()
                .is_none_or(|x| x.incident_id != m.record.incident.id)
        })
        .filter_map(|m| get(m).map(|v| mk(m, v)))
        .filter(|s| main.as_ref().is_none_or(|x| x.value != s.value))
        .collect()
}

fn union(ranked: &[&Member], get: fn(&Incident) -> &[String]) -> Vec<ListOrigin> {
    let mut out: Vec<ListOrigin> = Vec::new();
    for m in ranked {
        for v in get(&m.record.incident) {
            let id = m.record.incident.id.clone();
            match out.iter_mut().find(|o| o.value.eq_ignore_ascii_case(v)) {
                Some(o) if !o.incident_ids.contains(&id) => o.incident_ids.push(id),
                Some(_) => {}
                None => out.push(ListOrigin {
                    value: v.clone(),
                    incident_ids: vec![id],
                }),
            }
        }
    }
    out
}

mod time_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&crate::model::rfc3339(*t)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        s.map(|s| {
            DateTime::parse_from_rfc3339(&s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(serde::de::Error::custom)
        })
        .transpose()
    }
}
