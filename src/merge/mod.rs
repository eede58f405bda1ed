//! One outage, one event: vendor incidents and press reports about the same outage merged,
//! with why they were merged, where every field came from, and every version seen.
//!
//! A timeline that lists a vendor's incident and five articles about it as six rows is noise.
//! After each crawl or ingest, [`merge_pending`] regroups the vendors whose incidents changed
//! ([`group`] with the scored rule of [`score`]), builds each group's event ([`event`]) and
//! stores it with its members and scores (each field's provenance is in the event's JSON). `remerge` does the same for every vendor.
//!
//! An event's id is the id of one of its incidents, so links keep working: an existing event
//! keeps its id as long as the incident it was named after stays in it (membership may grow or
//! shrink around it); a new event is named after its first vendor incident, or its first press
//! report when the vendor has none. The grouping itself depends only on the incidents, so
//! re-running it gives the same events with the same ids.

mod event;
mod fingerprint;
mod group;
mod history;
mod score;
mod walk;

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use thiserror::Error;

pub use event::{
    Absence, EventSource, FieldProvenance, ListOrigin, MergedEvent, MergedFrom, Provenance,
    SourceCopy, Sourced,
};
pub use fingerprint::Fingerprint;
pub use history::{FieldChange, History, IncidentHistory};
pub use score::{JoinKind, Precision, Record, Span, THRESHOLD, score};

use crate::extract::vendor::Gazetteer;
use crate::model::{Event, Incident, ReportKind};
use crate::store::{EventFilter, EventMemberRow, EventRow, MemberRole, Store, StoreError};

/// Why merging failed.
#[derive(Debug, Error)]
pub enum MergeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored event is not the JSON this build writes (hand-edited or damaged).
    #[error("stored event {id} is unreadable: {source}")]
    Decode {
        id: String,
        source: serde_json::Error,
    },
    /// An event could not be turned into JSON.
    #[error("cannot encode event {id}: {source}")]
    Encode {
        id: String,
        source: serde_json::Error,
    },
}

/// What a merge run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeSummary {
    pub vendors: usize,
    pub incidents: usize,
    pub events: usize,
}

/// The canonical vendor name (through the shared gazetteer), else the name as given.
pub fn canonical_vendor(name: &str) -> String {
    Gazetteer::builtin()
        .canonical(name)
        .map_or_else(|| name.trim().to_string(), str::to_string)
}

/// Regroups every vendor with an incident added or changed since it was last merged.
pub fn merge_pending(store: &mut Store, now: DateTime<Utc>) -> Result<MergeSummary, MergeError> {
    let pending: BTreeSet<String> = store
        .vendors_pending_merge()?
        .iter()
        .map(|v| canonical_vendor(v))
        .collect();
    merge_vendors(store, &pending, now)
}

/// Regroups every vendor, keeping the ids of existing events.
pub fn remerge(store: &mut Store, now: DateTime<Utc>) -> Result<MergeSummary, MergeError> {
    let all: BTreeSet<String> = store
        .vendors()?
        .iter()
        .map(|v| canonical_vendor(&v.name))
        .collect();
    merge_vendors(store, &all, now)
}

/// Records which incidents a feed document listed, flagging those it dropped while they were
/// still inside its window. Returns how many were newly flagged.
pub fn record_listing(
    store: &mut Store,
    source_url: &str,
    incidents: &[Incident],
    now: DateTime<Utc>,
) -> Result<usize, MergeError> {
    let ids: Vec<String> = incidents.iter().map(|i| i.id.clone()).collect();
    let starts = incidents.iter().filter_map(|i| i.start);
    let window = starts.clone().min().zip(starts.max());
    Ok(store.record_listing(source_url, &ids, window, now)?)
}

/// How a vendor is regrouped: the bounded walk whenever it applies, or always the whole
/// vendor at once (the reference the walk is tested against).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strategy {
    Walk,
    #[cfg(test)]
    Whole,
}

fn merge_vendors(
    store: &mut Store,
    vendors: &BTreeSet<String>,
    now: DateTime<Utc>,
) -> Result<MergeSummary, MergeError> {
    merge_vendors_by(store, vendors, now, Strategy::Walk)
}

fn merge_vendors_by(
    store: &mut Store,
    vendors: &BTreeSet<String>,
    now: DateTime<Utc>,
    strategy: Strategy,
) -> Result<MergeSummary, MergeError> {
    let mut summary = MergeSummary::default();
    if vendors.is_empty() {
        return Ok(summary);
    }
    let stored_names = store.vendors()?;
    for vendor in vendors {
        let names: Vec<&str> = stored_names
            .iter()
            .map(|v| v.name.as_str())
            .filter(|n| canonical_vendor(n) == *vendor)
            .collect();
        if strategy == Strategy::Walk
            && let [name] = names.as_slice()
            && store.vendor_walkable(name)?
        {
            let absences = store.vendor_feed_absences(name)?;
            match walk::merge_walking(store, vendor, name, absences, now) {
                Ok(walked) => {
                    summary.vendors += 1;
                    summary.incidents += walked.incidents;
                    summary.events += walked.events;
                    continue;
                }
                Err(walk::WalkError::Merge(e)) => return Err(e),
                // Rolled back; the whole-vendor path below reads every record its own way.
                Err(walk::WalkError::NotWalkable { incident_id }) => {
                    tracing::warn!(vendor = %vendor, incident = %incident_id,
                        "incident not in the walk's order; regrouping the vendor whole");
                }
            }
        }
        let mut stored = Stored::default();
        for name in names {
            stored.incidents.extend(store.vendor_incidents(name)?);
            stored.events.extend(store.vendor_event_members(name)?);
            stored.absences.extend(store.vendor_feed_absences(name)?);
        }
        let n = stored.incidents.len();
        // The events to replace are those of the incidents that had one: every incident of
        // the vendor is in the new rows, but only these can lead to an old event.
        let scope: Vec<String> = stored.events.keys().cloned().collect();
        let rows = merge_one_vendor(store, vendor, stored)?;
        summary.vendors += 1;
        summary.incidents += n;
        summary.events += rows.len();
        store.replace_events(&scope, &rows, now)?;
    }
    Ok(summary)
}

/// What the store holds about one vendor, read in a few queries for the whole vendor.
#[derive(Default)]
struct Stored {
    incidents: Vec<Incident>,
    /// The event each incident belonged to after the last merge.
    events: HashMap<String, String>,
    /// Feeds that dropped an incident inside their window, by incident id.
    absences: HashMap<String, Vec<crate::store::FeedAbsence>>,
}

/// Groups one vendor's incidents and builds the rows to store.
fn merge_one_vendor(
    store: &Store,
    vendor: &str,
    stored: Stored,
) -> Result<Vec<EventRow>, MergeError> {
    let Stored {
        incidents,
        events: existing,
        mut absences,
    } = stored;
    let mut records: Vec<Record> = incidents
        .into_iter()
        .map(|i| Record::new(i, vendor.to_string()))
        .collect();
    group::order(&mut records);
    let groups = group::group(&records);
    let windows = store.status_windows(vendor)?;
    let status_reach = records
        .iter()
        .filter(|r| r.kind == ReportKind::Status)
        .filter_map(|r| r.span)
        .fold(
            None,
            |acc: Option<(DateTime<Utc>, DateTime<Utc>)>, s| match acc {
                None => Some((s.from, s.to)),
                Some((a, b)) => Some((a.min(s.from), b.max(s.to))),
            },
        );
    let covered = |at: DateTime<Utc>| {
        windows.iter().any(|w| w.from <= at && at <= w.to)
            || status_reach.is_some_and(|(a, b)| a <= at && at <= b)
    };
    let mut rows = Vec::with_capacity(groups.len());
    for placements in groups {
        rows.push(group_row(
            vendor,
            &placements,
            &records,
            &existing,
            &mut absences,
            &covered,
        )?);
    }
    Ok(rows)
}

/// The row of one group: its id, each member's role and reason, and the merged event.
/// `covered` says whether the vendor's status page covered a time (for an event with no
/// vendor incident).
fn group_row(
    vendor: &str,
    placements: &[group::Placement],
    records: &[Record],
    existing: &HashMap<String, String>,
    absences: &mut HashMap<String, Vec<crate::store::FeedAbsence>>,
    covered: &dyn Fn(DateTime<Utc>) -> bool,
) -> Result<EventRow, MergeError> {
    let ids: BTreeSet<&str> = placements
        .iter()
        .filter_map(|p| records.get(p.record))
        .map(|r| r.incident.id.as_str())
        .collect();
    let id = event_id(placements, records, existing, &ids);
    let id_of = |i: usize| records.get(i).map(|r| r.incident.id.clone());
    let mut members = Vec::with_capacity(placements.len());
    for p in placements {
        let Some(record) = records.get(p.record) else {
            continue;
        };
        let primary = record.incident.id == id;
        let (role, reason) = if primary {
            (MemberRole::Primary, primary_reason(record, existing))
        } else if let Some(o) = p.copy_of.and_then(id_of) {
            let original = p.copy_of.and_then(|i| records.get(i));
            let jaccard = original.map_or(0.0, |o| o.body.shingle_jaccard(&record.body));
            let distance =
                original.map_or(64, |o| (o.body.simhash ^ record.body.simhash).count_ones());
            (
                MemberRole::Copy,
                format!(
                    "near-duplicate text of press report {o} (word 3-shingle Jaccard {jaccard:.2}, SimHash distance {distance}): one source, listed as its copy"
                ),
            )
        } else {
            let role = match record.kind {
                ReportKind::Status => MemberRole::Status,
                ReportKind::Press => MemberRole::Press,
            };
            let reason = match (p.matched.map(|m| m.0).and_then(id_of), p.matched) {
                (Some(other), Some((_, s, kind))) => {
                    let parts = format!(
                        "time {:.3}, text {:.3}, services {:.3}, regions {:.3}",
                        s.time, s.text, s.services, s.regions
                    );
                    match kind {
                        JoinKind::Score => format!(
                            "same vendor; score {:.3} >= {THRESHOLD} with {other} ({parts})",
                            s.total
                        ),
                        JoinKind::Linked => format!(
                            "the vendor links it to {other}: one names the other (score {:.3}: {parts})",
                            s.total
                        ),
                        JoinKind::Duplicate => format!(
                            "the same incident as {other} posted again: same title, same start and end to ten minutes (score {:.3}: {parts})",
                            s.total
                        ),
                        JoinKind::Cascade => format!(
                            "per-service incident of the same outage as {other}: same region, onsets within {} hours, same wording (score {:.3}: {parts})",
                            score::CASCADE_ONSET.num_hours(),
                            s.total
                        ),
                        JoinKind::Onset => format!(
                            "the report's stated onset falls inside the window of vendor incident {other} (score {:.3}: {parts})",
                            s.total
                        ),
                    }
                }
                _ => "grouped through another member of the event".to_string(),
            };
            (role, reason)
        };
        let matched_with = if primary {
            None
        } else if p.copy_of.is_some() {
            p.copy_of.and_then(id_of)
        } else {
            p.matched.map(|m| m.0).and_then(id_of)
        };
        let score = if primary || p.copy_of.is_some() {
            None
        } else {
            p.matched.map(|m| m.1)
        };
        members.push(event::Member {
            record,
            role,
            matched_with,
            score,
            reason,
            copy_of: p.copy_of.and_then(id_of),
            absences: absences
                .remove(&record.incident.id)
                .unwrap_or_default()
                .into_iter()
                .map(Absence::from)
                .collect(),
        });
    }
    let anchor = members
        .iter()
        .filter_map(|m| {
            m.record
                .incident
                .start
                .or(m.record.published)
                .or(m.record.anchor())
        })
        .min();
    let status_covered = anchor.is_some_and(covered);
    let merged = event::build(&id, vendor, &members, &event::Context { status_covered });
    to_row(&merged, &members, anchor)
}

/// The id of a group: the existing event id still named after one of its members (the
/// earliest such member in record order), else its first vendor incident, else its first
/// press report.
fn event_id(
    placements: &[group::Placement],
    records: &[Record],
    existing: &HashMap<String, String>,
    ids: &BTreeSet<&str>,
) -> String {
    let in_order = || placements.iter().filter_map(|p| records.get(p.record));
    let originals = || {
        placements
            .iter()
            .filter(|p| p.copy_of.is_none())
            .filter_map(|p| records.get(p.record))
    };
    in_order()
        .filter_map(|r| existing.get(&r.incident.id))
        .find(|e| ids.contains(e.as_str()))
        .cloned()
        .or_else(|| {
            originals()
                .find(|r| r.kind == ReportKind::Status)
                .or_else(|| originals().next())
                .or_else(|| in_order().next())
                .map(|r| r.incident.id.clone())
        })
        .unwrap_or_default()
}

fn primary_reason(record: &Record, existing: &HashMap<String, String>) -> String {
    if existing.get(&record.incident.id) == Some(&record.incident.id) {
        "the event is named after this incident (kept from the previous merge)".to_string()
    } else {
        match record.kind {
            ReportKind::Status => "the event's first vendor incident, which names it".to_string(),
            ReportKind::Press => {
                "the event's first press report (no vendor incident), which names it".to_string()
            }
        }
    }
}

fn to_row(
    merged: &MergedEvent,
    members: &[event::Member],
    anchor: Option<DateTime<Utc>>,
) -> Result<EventRow, MergeError> {
    let json = serde_json::to_string(merged).map_err(|source| MergeError::Encode {
        id: merged.id.clone(),
        source,
    })?;
    Ok(EventRow {
        id: merged.id.clone(),
        vendor: merged.vendor.clone(),
        start: merged.start,
        end: merged.end,
        sort_at: merged.start.or(anchor).unwrap_or(DateTime::<Utc>::MIN_UTC),
        json,
        members: members
            .iter()
            .map(|m| EventMemberRow {
                incident_id: m.record.incident.id.clone(),
                role: m.role,
                matched_with: m.matched_with.clone(),
                score: m.score,
                reason: m.reason.clone(),
            })
            .collect(),
    })
}

/// Merged events matching `filter`, newest first. The vendor is read through the gazetteer.
pub fn events(store: &Store, filter: &EventFilter) -> Result<Vec<MergedEvent>, MergeError> {
    let filter = EventFilter {
        vendor: filter.vendor.as_deref().map(canonical_vendor),
        ..filter.clone()
    };
    store
        .events(&filter)?
        .into_iter()
        .map(|e| decode(&e.id, &e.json))
        .collect()
}

/// The event with this id, or the event holding the incident with this id.
pub fn event(store: &Store, id: &str) -> Result<Option<MergedEvent>, MergeError> {
    let stored = match store.event(id)? {
        Some(e) => Some(e),
        None => match store.event_of_incident(id)? {
            Some(event_id) => store.event(&event_id)?,
            None => None,
        },
    };
    stored.map(|e| decode(&e.id, &e.json)).transpose()
}

/// A stored event row as the merged event it holds.
pub fn decode_stored(stored: &crate::store::StoredEvent) -> Result<MergedEvent, MergeError> {
    decode(&stored.id, &stored.json)
}

/// Every event read from the store comes through here, so each view sees the same flag on a
/// stale open event.
fn decode(id: &str, json: &str) -> Result<MergedEvent, MergeError> {
    let mut event: MergedEvent =
        serde_json::from_str(json).map_err(|source| MergeError::Decode {
            id: id.to_string(),
            source,
        })?;
    // Straight from the fields: a decode is on every read path, and `contract()` clones.
    let last = crate::model::last_activity(event.start, event.updates.iter().map(|u| u.at));
    event.unresolved_last_update =
        crate::model::unresolved_since(event.end, event.status, last, Utc::now());
    Ok(event)
}

/// The edit history of an event's incidents: every field change between the versions seen.
pub fn history(store: &Store, id: &str) -> Result<Option<History>, MergeError> {
    let Some(event) = event(store, id)? else {
        return Ok(None);
    };
    let mut incidents = Vec::new();
    for m in &event.merged_from {
        let versions = store.versions(&m.incident_id)?;
        incidents.push(history::of_incident(
            &m.incident_id,
            &versions,
            m.missing_from_feeds.clone(),
        ));
    }
    Ok(Some(History {
        event_id: event.id,
        incidents,
    }))
}

impl MergedEvent {
    /// The event in the plain contract shape (for printers shared with incidents).
    pub fn contract(&self) -> Event {
        Event {
            id: self.id.clone(),
            vendor: self.vendor.clone(),
            title: self.title.clone(),
            start: self.start,
            end: self.end,
            duration_minutes: self.duration_minutes,
            status: self.status,
            severity: self.severity,
            regions: self.regions.clone(),
            services: self.services.clone(),
            cause: self.cause.clone(),
            updates: self.updates.clone(),
            sources: self
                .sources
                .iter()
                .map(|s| crate::model::SourceRef {
                    url: s.url.clone(),
                    kind: s.kind,
                    quote: s.quote.clone(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Severity, SourceRef, Status, Update};
    use crate::store::fixtures::{incident, t, update};

    const WIRE: &str = "GitHub said on Tuesday that developers were unable to push code for \
        almost an hour after a database failover went wrong in its Virginia data centre, \
        stalling builds at thousands of companies.";

    fn status_incident(native: &str, start: &str, end: &str) -> Incident {
        let mut i = incident(native, start);
        i.title = "Incident with Git Operations".into();
        i.end = Some(t(end));
        i.status = Status::Resolved;
        i.severity = Severity::Major;
        i.services = vec!["Git Operations".into()];
        i.updates = vec![
            update(
                start,
                "investigating",
                "We are investigating reports of degraded performance for Git Operations.",
            ),
            update(end, "resolved", "This incident has been resolved."),
        ];
        i
    }

    fn press(vendor: &str, native: &str, title: &str, lead: &str, published: &str) -> Incident {
        Incident {
            id: crate::model::incident_id(vendor, native),
            vendor: vendor.into(),
            title: title.into(),
            start: Some(t("2024-03-05T00:00:00Z")),
            end: None,
            status: Status::Resolved,
            severity: Severity::Major,
            severity_native: Some("outage".into()),
            stated_minutes: None,
            regions: vec![],
            services: vec!["Git Operations".into()],
            cause: Some("a database failover".into()),
            updates: vec![Update {
                at: Some(t(published)),
                status: "press report".into(),
                text: lead.into(),
            }],
            sources: vec![SourceRef {
                url: Some(format!("https://news.example/{native}")),
                kind: ReportKind::Press,
                quote: Some(lead.into()),
            }],
        }
    }

    fn scenario() -> Store {
        let mut store = Store::open_in_memory().expect("store");
        let incidents = vec![
            status_incident("git", "2024-03-05T14:00:00Z", "2024-03-05T14:49:00Z"),
            press(
                "GitHub",
                "press-wire",
                "GitHub outage stops developers pushing code",
                WIRE,
                "2024-03-05T18:00:00Z",
            ),
            press(
                "GitHub",
                "press-copy",
                "Developers locked out as GitHub goes down",
                &WIRE.replace("almost", "nearly"),
                "2024-03-05T19:30:00Z",
            ),
            {
                let mut s = press(
                    "Slack",
                    "press-slack",
                    "Slack messages fail to send for hours",
                    "Slack users could not send messages on Tuesday afternoon, the company said.",
                    "2024-03-05T20:00:00Z",
                );
                s.services = vec!["Messaging".into()];
                s.cause = None;
                s
            },
            status_incident(
                "git-next-day",
                "2024-03-06T14:00:00Z",
                "2024-03-06T14:49:00Z",
            ),
        ];
        store
            .upsert_incidents(&incidents, t("2024-03-06T20:00:00Z"))
            .expect("upsert");
        merge_pending(&mut store, t("2024-03-06T20:00:00Z")).expect("merge");
        store
    }

    fn all(store: &Store) -> Vec<MergedEvent> {
        events(store, &EventFilter::default()).expect("events")
    }

    fn members(e: &MergedEvent) -> Vec<(&str, &str)> {
        e.merged_from
            .iter()
            .map(|m| (m.incident_id.as_str(), m.role.as_str()))
            .collect()
    }

    #[test]
    fn status_incident_and_two_articles_one_syndicated_are_one_event() {
        let store = scenario();
        let event = event(&store, "github:git").expect("read").expect("event");
        assert_eq!(
            members(&event),
            [
                ("github:git", "primary"),
                ("github:press-copy", "copy"),
                ("github:press-wire", "press")
            ]
        );
        let sources: Vec<(Option<&str>, ReportKind, usize)> = event
            .sources
            .iter()
            .map(|s| (s.url.as_deref(), s.kind, s.copies.len()))
            .collect();
        assert_eq!(
            sources,
            [
                (
                    Some("https://www.githubstatus.com/incidents/git"),
                    ReportKind::Status,
                    0
                ),
                (
                    Some("https://news.example/press-wire"),
                    ReportKind::Press,
                    1
                )
            ]
        );
        assert_eq!(
            event.sources[1].copies[0].url.as_deref(),
            Some("https://news.example/press-copy")
        );
        // The vendor's resolved incident is trusted for the times and the title.
        assert_eq!(event.title, "Incident with Git Operations");
        assert_eq!(event.start, Some(t("2024-03-05T14:00:00Z")));
        assert_eq!(event.end, Some(t("2024-03-05T14:49:00Z")));
        assert_eq!(event.duration_minutes, Some(49));
        assert_eq!(
            event
                .provenance
                .start
                .others
                .first()
                .map(|o| (o.incident_id.as_str(), o.value)),
            Some(("github:press-wire", t("2024-03-05T00:00:00Z")))
        );
        // The cause only the press gave comes from the press, and says so.
        assert_eq!(event.cause.as_deref(), Some("a database failover"));
        assert_eq!(
            event
                .provenance
                .cause
                .main
                .as_ref()
                .map(|m| m.incident_id.as_str()),
            Some("github:press-wire")
        );
        assert_eq!(event.first_press_report, Some(t("2024-03-05T18:00:00Z")));
        assert_eq!(event.first_status_update, Some(t("2024-03-05T14:00:00Z")));
        assert_eq!(event.acknowledgement_lag_minutes, Some(-240));
        assert_eq!(event.status_page_mentioned, Some(true));
        let wire = event
            .merged_from
            .iter()
            .find(|m| m.incident_id == "github:press-wire")
            .expect("wire member");
        assert_eq!(wire.matched_with.as_deref(), Some("github:git"));
        assert_eq!(
            wire.score,
            Some(crate::store::ScoreParts {
                total: 0.8,
                time: 0.3,
                text: 0.35,
                services: 0.15,
                regions: 0.0
            })
        );
    }

    #[test]
    fn unrelated_article_about_another_vendor_the_same_day_is_its_own_event() {
        let store = scenario();
        let event = event(&store, "slack:press-slack")
            .expect("read")
            .expect("event");
        assert_eq!(members(&event), [("slack:press-slack", "primary")]);
        assert_eq!(event.vendor, "Slack");
        assert_eq!(event.status_page_mentioned, None);
        assert_eq!(event.acknowledgement_lag_minutes, None);
    }

    #[test]
    fn two_outages_of_one_vendor_a_day_apart_are_two_events() {
        let store = scenario();
        let ids: Vec<String> = all(&store).into_iter().map(|e| e.id).collect();
        assert_eq!(
            ids,
            ["github:git-next-day", "github:git", "slack:press-slack"]
        );
        let next = event(&store, "github:git-next-day")
            .expect("read")
            .expect("event");
        assert_eq!(members(&next), [("github:git-next-day", "primary")]);
    }

    #[test]
    fn any_member_incident_id_finds_its_event() {
        let store = scenario();
        let event = event(&store, "github:press-copy")
            .expect("read")
            .expect("event");
        assert_eq!(event.id, "github:git");
    }

    #[test]
    fn rewritten_title_and_end_stay_one_event_with_both_versions_in_history() {
        let mut store = scenario();
        let mut rewritten = status_incident("git", "2024-03-05T14:00:00Z", "2024-03-05T15:10:00Z");
        rewritten.title = "Disruption with Git pushes".into();
        store
            .upsert_incidents(&[rewritten], t("2024-03-07T08:00:00Z"))
            .expect("second crawl");
        let summary = merge_pending(&mut store, t("2024-03-07T08:00:00Z")).expect("merge");
        assert_eq!(summary.vendors, 1);
        let event = event(&store, "github:git").expect("read").expect("event");
        assert_eq!(event.title, "Disruption with Git pushes");
        assert_eq!(event.end, Some(t("2024-03-05T15:10:00Z")));
        assert_eq!(event.merged_from.len(), 3);
        let history = history(&store, "github:git")
            .expect("history")
            .expect("some");
        let git = history
            .incidents
            .iter()
            .find(|i| i.incident_id == "github:git")
            .expect("git history");
        assert_eq!(git.versions, 2);
        let changes: Vec<(&str, Option<&str>, Option<&str>)> = git
            .changes
            .iter()
            .filter(|c| c.field == "title" || c.field == "end")
            .map(|c| (c.field, c.from.as_deref(), c.to.as_deref()))
            .collect();
        assert_eq!(
            changes,
            [
                (
                    "title",
                    Some("Incident with Git Operations"),
                    Some("Disruption with Git pushes")
                ),
                (
                    "end",
                    Some("2024-03-05T14:49:00Z"),
                    Some("2024-03-05T15:10:00Z")
                )
            ]
        );
        assert!(
            git.changes
                .iter()
                .all(|c| c.seen_at == t("2024-03-07T08:00:00Z"))
        );
    }

    #[test]
    fn remerge_and_merge_from_scratch_give_identical_ids() {
        let mut store = scenario();
        let before: Vec<(String, Vec<String>)> = all(&store)
            .into_iter()
            .map(|e| {
                (
                    e.id,
                    e.merged_from.into_iter().map(|m| m.incident_id).collect(),
                )
            })
            .collect();
        remerge(&mut store, t("2024-03-08T00:00:00Z")).expect("remerge");
        let again: Vec<(String, Vec<String>)> = all(&store)
            .into_iter()
            .map(|e| {
                (
                    e.id,
                    e.merged_from.into_iter().map(|m| m.incident_id).collect(),
                )
            })
            .collect();
        assert_eq!(again, before);
        store
            .conn_for_tests()
            .execute("DELETE FROM events", [])
            .expect("wipe");
        merge_pending(&mut store, t("2024-03-08T00:00:00Z")).expect("from scratch");
        let fresh: Vec<(String, Vec<String>)> = all(&store)
            .into_iter()
            .map(|e| {
                (
                    e.id,
                    e.merged_from.into_iter().map(|m| m.incident_id).collect(),
                )
            })
            .collect();
        assert_eq!(fresh, before);
    }

    #[test]
    fn a_new_article_joins_the_existing_event_and_keeps_its_id() {
        let mut store = Store::open_in_memory().expect("store");
        let wire = press(
            "GitHub",
            "press-wire",
            "GitHub outage stops developers pushing code",
            WIRE,
            "2024-03-05T18:00:00Z",
        );
        store
            .upsert_incidents(&[wire], t("2024-03-05T18:05:00Z"))
            .expect("first");
        merge_pending(&mut store, t("2024-03-05T18:05:00Z")).expect("merge 1");
        assert!(event(&store, "github:press-wire").expect("read").is_some());
        let status = status_incident("git", "2024-03-05T14:00:00Z", "2024-03-05T14:49:00Z");
        store
            .upsert_incidents(&[status], t("2024-03-05T19:00:00Z"))
            .expect("second");
        merge_pending(&mut store, t("2024-03-05T19:00:00Z")).expect("merge 2");
        let ids: Vec<String> = all(&store).into_iter().map(|e| e.id).collect();
        assert_eq!(ids, ["github:press-wire"]);
    }

    #[test]
    fn incident_dropped_from_a_feed_inside_its_window_is_flagged() {
        let mut store = Store::open_in_memory().expect("store");
        let a = status_incident("a", "2024-03-01T10:00:00Z", "2024-03-01T11:00:00Z");
        let b = status_incident("b", "2024-03-03T10:00:00Z", "2024-03-03T11:00:00Z");
        let c = status_incident("c", "2024-03-05T10:00:00Z", "2024-03-05T11:00:00Z");
        let feed = "https://www.githubstatus.com/history.atom";
        let now = t("2024-03-06T00:00:00Z");
        store
            .upsert_incidents(&[a.clone(), b, c.clone()], now)
            .expect("upsert");
        let all3: Vec<Incident> = ["a", "b", "c"]
            .iter()
            .filter_map(|n| store.incident(&format!("github:{n}")).expect("read"))
            .collect();
        record_listing(&mut store, feed, &all3, now).expect("first listing");
        merge_pending(&mut store, now).expect("merge");
        let later = t("2024-03-07T00:00:00Z");
        assert_eq!(
            record_listing(&mut store, feed, &[a, c], later).expect("second"),
            1
        );
        merge_pending(&mut store, later).expect("merge again");
        let event = event(&store, "github:b").expect("read").expect("event");
        assert_eq!(
            event.merged_from[0].missing_from_feeds,
            [Absence {
                source_url: feed.into(),
                last_listed_at: now,
                missing_since: later
            }]
        );
        let kept = event_of(&store, "github:a");
        assert!(kept.merged_from[0].missing_from_feeds.is_empty());
    }

    fn event_of(store: &Store, id: &str) -> MergedEvent {
        event(store, id).expect("read").expect("event")
    }
}
