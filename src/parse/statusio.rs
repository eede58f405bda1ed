//! status.io's public status API (`/1.0/status/<page id>`): `result{status_overall, status[],
//! incidents[], maintenance{active[], upcoming[]}}`.
//!
//! status.io grades everything with one code table; it is read as follows (100 and 200 are
//! documented, the rest follows the names status.io shows beside them):
//!
//! | code | status.io name             | severity    |
//! |------|----------------------------|-------------|
//! | 100  | Operational                | none        |
//! | 200  | Planned Maintenance        | maintenance |
//! | 300  | Degraded Performance       | minor       |
//! | 400  | Partial Service Disruption | major       |
//! | 500  | Service Disruption         | critical    |
//! | 600  | Security Event             | unknown: says what happened, not how much was down |
//!
//! An incident's severity is the worst code among its messages, with the name kept as
//! `severity_native`. Message `state` 100/200/300 is investigating/identified/monitoring; an
//! incident with `datetime_closed` is resolved and ends then. Components affected are the
//! services; containers affected are status.io's locations (data centres, regions) and become
//! the regions. Active maintenances are in progress and upcoming ones scheduled, both starting at
//! their planned (or actual) start.

use serde::Deserialize;
use serde_json::Value;

use super::platform::{
    Lenient, NativeId, Timestamp, checked_end, decode_items, has_key, new_incident, null_as_empty,
    push_unique, read_json, severity_rank, status_source, vendor_name,
};
use super::{ParseContext, ParseError};
use crate::extract::text::html_to_text;
use crate::model::{Format, Incident, Severity, Status, Update};

#[derive(Debug, Deserialize)]
struct Document {
    result: StatusResult,
}

#[derive(Debug, Deserialize)]
struct StatusResult {
    #[serde(default, deserialize_with = "null_as_empty")]
    incidents: Vec<Value>,
    #[serde(default)]
    maintenance: Option<Maintenance>,
}

#[derive(Debug, Default, Deserialize)]
struct Maintenance {
    #[serde(default, deserialize_with = "null_as_empty")]
    active: Vec<Value>,
    #[serde(default, deserialize_with = "null_as_empty")]
    upcoming: Vec<Value>,
}

#[derive(Debug, Deserialize)]
struct Event {
    #[serde(rename = "_id", alias = "id")]
    id: NativeId,
    #[serde(default)]
    name: Lenient,
    #[serde(default)]
    datetime_open: Timestamp,
    #[serde(default)]
    datetime_closed: Timestamp,
    #[serde(default)]
    datetime_planned_start: Timestamp,
    #[serde(default, deserialize_with = "null_as_empty")]
    messages: Vec<Message>,
    #[serde(default, deserialize_with = "null_as_empty")]
    components_affected: Vec<Named>,
    #[serde(default, deserialize_with = "null_as_empty")]
    containers_affected: Vec<Named>,
}

#[derive(Debug, Deserialize)]
struct Message {
    #[serde(default)]
    details: Lenient,
    #[serde(default)]
    state: Lenient,
    #[serde(default)]
    status: Lenient,
    #[serde(default)]
    datetime: Timestamp,
}

#[derive(Debug, Deserialize)]
struct Named {
    #[serde(default)]
    name: Lenient,
}

/// Which list of the document an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Incident,
    ActiveMaintenance,
    UpcomingMaintenance,
}

/// True for status.io's status API: `status_overall` is its own.
pub fn looks_like(head: &str) -> bool {
    has_key(head, "status_overall")
}

/// Severity and status.io's name for a status code (see the module docs).
pub fn code_severity(code: u32) -> Option<(Severity, &'static str)> {
    Some(match code {
        100 => (Severity::None, "Operational"),
        200 => (Severity::Maintenance, "Planned Maintenance"),
        300 => (Severity::Minor, "Degraded Performance"),
        400 => (Severity::Major, "Partial Service Disruption"),
        500 => (Severity::Critical, "Service Disruption"),
        600 => (Severity::Unknown, "Security Event"),
        _ => return None,
    })
}

/// An incident message's state: the documented codes or the state's own word.
fn message_state(state: &str) -> Option<(Status, String)> {
    let (status, word) = match state.trim() {
        "100" => (Status::Investigating, "investigating"),
        "200" => (Status::Identified, "identified"),
        "300" => (Status::Monitoring, "monitoring"),
        other => return Status::from_label(other).map(|s| (s, other.to_ascii_lowercase())),
    };
    Some((status, word.to_string()))
}

/// Parses `/1.0/status/<page id>`.
pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    let format = Format::StatusioJson;
    let doc: Document = read_json(bytes, format)?;
    let vendor = vendor_name(ctx, None, None, format)?;
    let maintenance = doc.result.maintenance.unwrap_or_default();
    let lists = [
        (doc.result.incidents, Kind::Incident, "incident"),
        (
            maintenance.active,
            Kind::ActiveMaintenance,
            "active maintenance",
        ),
        (
            maintenance.upcoming,
            Kind::UpcomingMaintenance,
            "upcoming maintenance",
        ),
    ];
    let mut out = Vec::new();
    for (values, kind, what) in lists {
        for event in decode_items::<Event>(values, format, what)? {
            match event_incident(event, kind, &vendor, ctx) {
                Some(i) => out.push(i),
                None => tracing::warn!(%format, what, "skipping an event without a name"),
            }
        }
    }
    Ok(out)
}

fn event_incident(event: Event, kind: Kind, vendor: &str, ctx: &ParseContext) -> Option<Incident> {
    let mut incident = new_incident(vendor, &event.id.0, event.name.as_deref()?);
    let mut messages: Vec<&Message> = event.messages.iter().collect();
    messages.sort_by_key(|m| (m.datetime.0.is_none(), m.datetime.0));
    incident.updates = messages
        .iter()
        .map(|m| Update {
            at: m.datetime.0,
            status: m
                .state
                .as_deref()
                .and_then(message_state)
                .map_or_else(|| "update".to_string(), |(_, word)| word),
            text: m.details.as_deref().map(html_to_text).unwrap_or_default(),
        })
        .collect();
    match kind {
        Kind::Incident => {
            incident.start = event.datetime_open.0;
            let closed = event.datetime_closed.0;
            incident.status = if closed.is_some() {
                Status::Resolved
            } else {
                messages
                    .iter()
                    .rev()
                    .find_map(|m| m.state.as_deref().and_then(message_state))
                    .map_or(Status::Unknown, |(s, _)| s)
            };
            if incident.status.is_closed() {
                incident.end = checked_end(incident.start, closed);
            }
            let mut worst: Option<(Severity, &str)> = None;
            for m in &messages {
                let Some(graded) = m
                    .status
                    .as_deref()
                    .and_then(|c| c.trim().parse::<u32>().ok())
                    .and_then(code_severity)
                else {
                    continue;
                };
                if worst
                    .as_ref()
                    .is_none_or(|(w, _)| severity_rank(graded.0) > severity_rank(*w))
                {
                    worst = Some(graded);
                }
            }
            if let Some((severity, name)) = worst {
                incident.severity = severity;
                incident.severity_native = Some(name.to_string());
            }
        }
        Kind::ActiveMaintenance | Kind::UpcomingMaintenance => {
            incident.severity = Severity::Maintenance;
            incident.status = if kind == Kind::ActiveMaintenance {
                Status::InProgress
            } else {
                Status::Scheduled
            };
            incident.start = event.datetime_open.0.or(event.datetime_planned_start.0);
        }
    }
    for c in &event.components_affected {
        if let Some(name) = c.name.as_deref() {
            push_unique(&mut incident.services, name);
        }
    }
    for c in &event.containers_affected {
        if let Some(name) = c.name.as_deref() {
            push_unique(&mut incident.regions, name);
        }
    }
    let latest = incident
        .updates
        .last()
        .map(|u| u.text.as_str())
        .unwrap_or("");
    let quote = format!("{}: {latest}", incident.title);
    incident.sources.push(status_source(None, ctx, &quote));
    Some(incident)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_table_is_the_documented_one() {
        assert_eq!(
            code_severity(300),
            Some((Severity::Minor, "Degraded Performance"))
        );
        assert_eq!(
            code_severity(400),
            Some((Severity::Major, "Partial Service Disruption"))
        );
        assert_eq!(
            code_severity(500),
            Some((Severity::Critical, "Service Disruption"))
        );
        assert_eq!(
            code_severity(600),
            Some((Severity::Unknown, "Security Event"))
        );
        assert_eq!(code_severity(450), None);
    }

    #[test]
    fn vendor_is_required_since_the_api_names_none() {
        let json = br#"{"result":{"status_overall":{"status_code":100},"incidents":[]}}"#;
        let got = parse(json, &ParseContext::default());
        assert!(matches!(got, Err(ParseError::Invalid { .. })));
    }

    #[test]
    fn open_incident_takes_its_latest_message_state() {
        let json = br#"{"result":{"status_overall":{"status_code":400},"incidents":[
          {"_id":"abc","name":"Login failures","datetime_open":"2024-04-01T10:00:00.000Z",
           "messages":[{"details":"Looking.","state":100,"status":400,"datetime":"2024-04-01T10:01:00.000Z"},
                       {"details":"Found it.","state":200,"status":300,"datetime":"2024-04-01T10:30:00.000Z"}],
           "components_affected":[{"_id":"c","name":"Auth"}],"containers_affected":[{"_id":"d","name":"EU West"}]}]}}"#;
        let ctx = ParseContext {
            vendor: Some("Acme".into()),
            ..ParseContext::default()
        };
        let got = parse(json, &ctx).expect("parses");
        assert_eq!(got[0].status, Status::Identified);
        assert_eq!(got[0].severity, Severity::Major);
        assert_eq!(got[0].end, None);
        assert_eq!(got[0].regions, vec!["EU West"]);
        assert_eq!(got[0].updates[1].status, "identified");
    }
}
