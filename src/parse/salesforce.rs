//! Salesforce Trust (`api.status.salesforce.com/v1/`): the incident list (`incidents`,
//! `incidents/active`, one `incidents/<id>`), the maintenance list (`maintenances`), and the
//! status of one instance (`instances/<key>/status`), whose `Incidents[]` and `Maintenances[]`
//! become incidents. An instance with neither is healthy and yields nothing; its
//! `GeneralMessage[]` notices are not per-instance events and are left out.
//!
//! Salesforce scopes events by instance ("pod"), so one incident can cover many. The pods are
//! kept in `services` after the product keys (`serviceKeys`): a pod is what a Salesforce customer
//! looks up, the way other vendors' customers look up a component. Regions come from the pod's
//! prefix, or from the instance's `location` in an instance status:
//!
//! | prefix / location | region        |
//! |-------------------|---------------|
//! | NA, USA           | North America |
//! | CAN               | Canada        |
//! | EU, EMEA          | Europe        |
//! | GBR               | United Kingdom|
//! | DEU               | Germany       |
//! | FRA               | France        |
//! | AP, APAC          | Asia Pacific  |
//! | JPN               | Japan         |
//! | AUS               | Australia     |
//! | IND               | India         |
//! | BRA               | Brazil        |
//! | CS, UM, other     | none (sandbox and Hyperforce-migration pods span regions; no guess) |
//!
//! Start is the earliest impact `startTime` (else `createdAt`); end is the latest `endTime` once
//! every impact has ended. Severity is the worst impact `severity` (critical, major, minor), kept
//! as `severity_native`. Status is the `eventStatus` or the latest event's type where they are
//! state words, else resolved once every impact has ended, else unknown.

use serde::Deserialize;
use serde_json::Value;

use super::platform::{
    Lenient, NativeId, Timestamp, checked_end, decode_items, has_key, impact_severity,
    new_incident, null_as_empty, push_unique, read_json, severity_rank, status_source, vendor_name,
};
use super::{ParseContext, ParseError};
use crate::extract::text::{clean_text, sentences};
use crate::model::{Format, Incident, Severity, Status, Update};

/// Salesforce is its own vendor: the name used when the caller gives none.
const VENDOR: &str = "Salesforce";
/// Where Salesforce shows one incident or maintenance to people.
const TRUST_SITE: &str = "https://status.salesforce.com";

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Message {
    #[serde(default)]
    subject: Lenient,
    #[serde(default)]
    name: Lenient,
    #[serde(default)]
    event_status: Lenient,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Impact {
    #[serde(default)]
    severity: Lenient,
    #[serde(default)]
    start_time: Timestamp,
    #[serde(default)]
    end_time: Timestamp,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    #[serde(default)]
    message: Lenient,
    #[serde(default)]
    created_at: Timestamp,
    #[serde(default, rename = "type")]
    kind: Lenient,
}

/// An incident or a maintenance; the two differ only in the names of their impact and event
/// lists and in the maintenance's planned window.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    id: NativeId,
    #[serde(default)]
    name: Lenient,
    #[serde(default)]
    message: Option<Message>,
    #[serde(
        default,
        rename = "IncidentImpacts",
        deserialize_with = "null_as_empty"
    )]
    incident_impacts: Vec<Impact>,
    #[serde(default, rename = "IncidentEvents", deserialize_with = "null_as_empty")]
    incident_events: Vec<Event>,
    #[serde(
        default,
        rename = "MaintenanceImpacts",
        deserialize_with = "null_as_empty"
    )]
    maintenance_impacts: Vec<Impact>,
    #[serde(
        default,
        rename = "MaintenanceEvents",
        deserialize_with = "null_as_empty"
    )]
    maintenance_events: Vec<Event>,
    #[serde(default, deserialize_with = "null_as_empty")]
    instance_keys: Vec<Lenient>,
    #[serde(default, deserialize_with = "null_as_empty")]
    service_keys: Vec<Lenient>,
    #[serde(default)]
    planned_start_time: Timestamp,
    #[serde(default)]
    created_at: Timestamp,
}

/// `instances/<key>/status`.
#[derive(Debug, Deserialize)]
struct InstanceStatus {
    #[serde(default)]
    key: Lenient,
    #[serde(default)]
    location: Lenient,
    #[serde(default, rename = "Incidents", deserialize_with = "null_as_empty")]
    incidents: Vec<Value>,
    #[serde(default, rename = "Maintenances", deserialize_with = "null_as_empty")]
    maintenances: Vec<Value>,
}

/// True for Trust API JSON: its capitalised list names are unlike any other platform's.
pub fn looks_like(head: &str) -> bool {
    has_key(head, "IncidentImpacts")
        || has_key(head, "instanceKeys")
        || (has_key(head, "Incidents") && has_key(head, "Maintenances"))
}

/// The region of a pod prefix or instance location (see the module docs).
pub fn region_of(code: &str) -> Option<&'static str> {
    Some(match code.trim().to_ascii_uppercase().as_str() {
        "NA" | "USA" => "North America",
        "CAN" => "Canada",
        "EU" | "EMEA" => "Europe",
        "GBR" => "United Kingdom",
        "DEU" => "Germany",
        "FRA" => "France",
        "AP" | "APAC" => "Asia Pacific",
        "JPN" => "Japan",
        "AUS" => "Australia",
        "IND" => "India",
        "BRA" => "Brazil",
        _ => return None,
    })
}

/// "NA14" -> "NA", "USA2S" -> "USA": the letters before the pod number.
fn pod_prefix(pod: &str) -> Option<&str> {
    let digits = pod.find(|c: char| c.is_ascii_digit())?;
    let prefix = &pod[..digits];
    (!prefix.is_empty() && prefix.chars().all(|c| c.is_ascii_alphabetic())).then_some(prefix)
}

/// Parses any of the Trust API documents named in the module docs.
pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    let format = Format::SalesforceJson;
    let vendor = vendor_name(ctx, None, Some(VENDOR), format)?;
    let (records, instance) = match read_json::<Value>(bytes, format)? {
        Value::Array(items) => (items, None),
        Value::Object(map) if map.contains_key("Incidents") || map.contains_key("Maintenances") => {
            let status: InstanceStatus =
                serde_json::from_value(Value::Object(map)).map_err(|e| ParseError::Json {
                    format,
                    message: format!("instance status: {e}"),
                })?;
            let mut records = status.incidents;
            records.extend(status.maintenances);
            let instance = Instance {
                key: status.key.as_deref().map(str::to_string),
                location: status.location.as_deref().map(str::to_string),
            };
            (records, Some(instance))
        }
        Value::Object(map) if map.contains_key("id") => (vec![Value::Object(map)], None),
        _ => {
            return Err(ParseError::Json {
                format,
                message: "expected an incident or maintenance array, one incident, or an \
                          instance status with Incidents/Maintenances"
                    .into(),
            });
        }
    };
    let records: Vec<Record> = decode_items(records, format, "incident or maintenance")?;
    let mut out = Vec::with_capacity(records.len());
    for record in records {
        match record_incident(record, instance.as_ref(), &vendor, ctx) {
            Some(i) => out.push(i),
            None => tracing::warn!(%format, "skipping a record with no subject, name or message"),
        }
    }
    Ok(out)
}

/// The instance an instance-status document describes.
struct Instance {
    key: Option<String>,
    location: Option<String>,
}

fn record_incident(
    record: Record,
    instance: Option<&Instance>,
    vendor: &str,
    ctx: &ParseContext,
) -> Option<Incident> {
    let is_maintenance = !record.maintenance_impacts.is_empty()
        || !record.maintenance_events.is_empty()
        || record.planned_start_time.0.is_some();
    let (impacts, mut events) = if is_maintenance {
        (record.maintenance_impacts, record.maintenance_events)
    } else {
        (record.incident_impacts, record.incident_events)
    };
    events.sort_by_key(|e| (e.created_at.0.is_none(), e.created_at.0));
    let message = record.message.unwrap_or_default();
    let first_event_sentence = events
        .iter()
        .find_map(|e| e.message.as_deref())
        .map(clean_text)
        .and_then(|t| sentences(&t).first().map(|s| s.to_string()));
    let title = message
        .subject
        .as_deref()
        .or(message.name.as_deref())
        .or(record.name.as_deref())
        .map(str::to_string)
        .or(first_event_sentence)?;
    let mut incident = new_incident(vendor, &record.id.0, &title);

    let all_ended = !impacts.is_empty() && impacts.iter().all(|i| i.end_time.0.is_some());
    let onset = impacts.iter().filter_map(|i| i.start_time.0).min();
    let labelled = message
        .event_status
        .as_deref()
        .and_then(Status::from_label)
        .or_else(|| {
            events
                .last()
                .and_then(|e| e.kind.as_deref())
                .and_then(Status::from_label)
        });
    if is_maintenance {
        incident.severity = Severity::Maintenance;
        incident.status = match labelled {
            Some(Status::Resolved) => Status::Completed,
            Some(s) => s,
            None if all_ended => Status::Completed,
            None if onset.is_some() => Status::InProgress,
            None => Status::Scheduled,
        };
        incident.start = onset.or(record.planned_start_time.0);
    } else {
        incident.status = match labelled {
            Some(s) => s,
            None if all_ended => Status::Resolved,
            None => Status::Unknown,
        };
        incident.start = onset.or(record.created_at.0);
        let mut worst: Option<(Severity, String)> = None;
        for impact in &impacts {
            let Some(word) = impact.severity.as_deref() else {
                continue;
            };
            let severity = word
                .parse::<Severity>()
                .ok()
                .or_else(|| impact_severity(word))
                .unwrap_or(Severity::Unknown);
            if worst
                .as_ref()
                .is_none_or(|(w, _)| severity_rank(severity) > severity_rank(*w))
            {
                worst = Some((severity, word.to_ascii_lowercase()));
            }
        }
        if let Some((severity, native)) = worst {
            incident.severity = severity;
            incident.severity_native = Some(native);
        }
    }
    if incident.status.is_closed() && all_ended {
        let end = impacts.iter().filter_map(|i| i.end_time.0).max();
        incident.end = checked_end(incident.start, end);
    }

    for key in &record.service_keys {
        if let Some(k) = key.as_deref() {
            push_unique(&mut incident.services, k);
        }
    }
    let mut pods: Vec<String> = record
        .instance_keys
        .iter()
        .filter_map(|k| k.as_deref().map(str::to_ascii_uppercase))
        .collect();
    if let Some(key) = instance.and_then(|i| i.key.as_deref()) {
        if !pods.iter().any(|p| p.eq_ignore_ascii_case(key)) {
            pods.push(key.to_ascii_uppercase());
        }
    }
    for pod in &pods {
        push_unique(&mut incident.services, pod);
        if let Some(region) = pod_prefix(pod).and_then(region_of) {
            push_unique(&mut incident.regions, region);
        }
    }
    if let Some(region) = instance
        .and_then(|i| i.location.as_deref())
        .and_then(region_of)
    {
        push_unique(&mut incident.regions, region);
    }

    incident.updates = events
        .iter()
        .map(|e| Update {
            at: e.created_at.0,
            status: e
                .kind
                .as_deref()
                .map_or_else(|| "update".to_string(), str::to_ascii_lowercase),
            text: e.message.as_deref().map(clean_text).unwrap_or_default(),
        })
        .collect();
    let path = if is_maintenance {
        "maintenances"
    } else {
        "incidents"
    };
    let link = format!("{TRUST_SITE}/{path}/{}", record.id.0);
    let detail = incident
        .updates
        .last()
        .map(|u| u.text.as_str())
        .unwrap_or_default();
    let quote = format!("{}: {detail}", incident.title);
    incident
        .sources
        .push(status_source(Some(link), ctx, &quote));
    Some(incident)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rfc3339;

    #[test]
    fn pods_give_regions_by_prefix() {
        assert_eq!(pod_prefix("NA14"), Some("NA"));
        assert_eq!(pod_prefix("USA2S"), Some("USA"));
        assert_eq!(pod_prefix("CS96").and_then(region_of), None);
        assert_eq!(pod_prefix("EU25").and_then(region_of), Some("Europe"));
        assert_eq!(pod_prefix("14"), None);
    }

    #[test]
    fn open_impact_keeps_the_incident_open() {
        let json = br#"[{"id": 9, "message": {"subject": "Login errors"},
          "IncidentImpacts": [
            {"severity": "minor", "startTime": "2024-05-01T10:00:00.000Z", "endTime": "2024-05-01T11:00:00.000Z"},
            {"severity": "major", "startTime": "2024-05-01T10:30:00.000Z", "endTime": null}],
          "IncidentEvents": [], "instanceKeys": ["NA14"], "serviceKeys": ["coreService"]}]"#;
        let got = parse(json, &ParseContext::default()).expect("parses");
        assert_eq!(got[0].status, Status::Unknown);
        assert_eq!(got[0].end, None);
        assert_eq!(
            got[0].start.map(rfc3339).as_deref(),
            Some("2024-05-01T10:00:00Z")
        );
        assert_eq!(got[0].severity, Severity::Major);
        assert_eq!(got[0].services, vec!["coreService", "NA14"]);
        assert_eq!(got[0].regions, vec!["North America"]);
    }
}
