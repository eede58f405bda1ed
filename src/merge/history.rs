//! Edit history: what a vendor changed in an incident between the versions the store saw.
//!
//! The store keeps every content version of an incident (`incident_versions`); this compares
//! each with the one before, field by field, so `outages history` can say "the title changed
//! from X to Y, seen at T". Values are shown as text: times in RFC 3339, lists joined.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::event::Absence;
use crate::model::{Incident, rfc3339};
use crate::store::IncidentVersion;

/// The history of every incident in an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct History {
    pub event_id: String,
    pub incidents: Vec<IncidentHistory>,
}

/// One incident's versions and what changed between them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentHistory {
    pub incident_id: String,
    /// How many versions the store holds.
    pub versions: usize,
    pub first_seen: Option<DateTime<Utc>>,
    pub changes: Vec<FieldChange>,
    /// Feeds that dropped it while it was inside their window.
    pub missing_from_feeds: Vec<Absence>,
}

/// One field's change between two consecutive versions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// When the version with the new value was first seen.
    pub seen_at: DateTime<Utc>,
    pub field: &'static str,
    pub from: Option<String>,
    pub to: Option<String>,
}

pub fn of_incident(
    incident_id: &str,
    versions: &[IncidentVersion],
    missing_from_feeds: Vec<Absence>,
) -> IncidentHistory {
    let mut changes = Vec::new();
    for pair in versions.windows(2) {
        let [old, new] = pair else { continue };
        for (field, a, b) in fields(&old.incident, &new.incident) {
            if a != b {
                changes.push(FieldChange {
                    seen_at: new.seen_at,
                    field,
                    from: a,
                    to: b,
                });
            }
        }
    }
    IncidentHistory {
        incident_id: incident_id.to_string(),
        versions: versions.len(),
        first_seen: versions.first().map(|v| v.seen_at),
        changes,
        missing_from_feeds,
    }
}

type FieldValues = (&'static str, Option<String>, Option<String>);

/// Each compared field with its old and new value as text.
fn fields(a: &Incident, b: &Incident) -> Vec<FieldValues> {
    let time = |t: Option<DateTime<Utc>>| t.map(rfc3339);
    let list = |v: &[String]| (!v.is_empty()).then(|| v.join(", "));
    let last_update = |i: &Incident| {
        i.updates
            .last()
            .map(|u| format!("{}: {}", u.status, u.text))
    };
    vec![
        ("title", Some(a.title.clone()), Some(b.title.clone())),
        ("start", time(a.start), time(b.start)),
        ("end", time(a.end), time(b.end)),
        (
            "status",
            Some(a.status.to_string()),
            Some(b.status.to_string()),
        ),
        (
            "severity",
            Some(a.severity.to_string()),
            Some(b.severity.to_string()),
        ),
        (
            "severity_native",
            a.severity_native.clone(),
            b.severity_native.clone(),
        ),
        ("regions", list(&a.regions), list(&b.regions)),
        ("services", list(&a.services), list(&b.services)),
        ("cause", a.cause.clone(), b.cause.clone()),
        (
            "updates",
            Some(a.updates.len().to_string()),
            Some(b.updates.len().to_string()),
        ),
        ("last_update", last_update(a), last_update(b)),
    ]
}
