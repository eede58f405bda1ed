//! Incidents for the unit tests of the store, the index and the queries.

use chrono::{DateTime, Utc};

use crate::model::{Incident, ReportKind, Severity, SourceRef, Status, Update};

pub(crate) fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test time")
        .with_timezone(&Utc)
}

pub(crate) fn update(at: &str, status: &str, text: &str) -> Update {
    Update {
        at: Some(t(at)),
        status: status.into(),
        text: text.into(),
    }
}

/// An open GitHub incident with one update; tests change what they exercise.
pub(crate) fn incident(native_id: &str, start: &str) -> Incident {
    Incident {
        id: crate::model::incident_id("GitHub", native_id),
        vendor: "GitHub".into(),
        title: "Incident with Actions".into(),
        start: Some(t(start)),
        end: None,
        status: Status::Investigating,
        severity: Severity::Minor,
        severity_native: Some("minor".into()),
        stated_minutes: None,
        regions: vec![],
        services: vec!["Actions".into()],
        cause: None,
        updates: vec![update(
            start,
            "investigating",
            "We are investigating reports of degraded performance.",
        )],
        sources: vec![SourceRef {
            url: Some(format!(
                "https://www.githubstatus.com/incidents/{native_id}"
            )),
            kind: ReportKind::Status,
            quote: Some("Incident with Actions".into()),
        }],
    }
}
