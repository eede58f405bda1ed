//! Instatus public pages: `summary.json` (`page{name, url, status}`, `activeIncidents[]`,
//! `activeMaintenances[]`) and `incidents.json` (a list of the same incident objects, as an array
//! or under `incidents`, where resolved ones may carry a `resolved` time).
//!
//! Impact words are Instatus's upper-case spellings of the shared table: `MINOROUTAGE` and
//! `DEGRADEDPERFORMANCE` -> minor, `PARTIALOUTAGE` -> major, `MAJOROUTAGE` -> critical,
//! `OPERATIONAL` -> none. Maintenance states `NOTSTARTEDYET`, `INPROGRESS`, `COMPLETED` are
//! scheduled, in progress and completed. Incidents start at `started`, maintenances at `start`;
//! an end is set only from a `resolved` time on a resolved incident: a maintenance's `duration` is
//! its plan, not what happened.

use serde::Deserialize;
use serde_json::Value;

use super::platform::{
    Lenient, NativeId, Timestamp, checked_end, decode_items, has_key, impact_severity,
    new_incident, read_json, safe_url, status_source, vendor_name,
};
use super::{ParseContext, ParseError};
use crate::model::{Format, Incident, Severity, Status};

#[derive(Debug, Deserialize)]
struct Page {
    #[serde(default)]
    name: Lenient,
}

#[derive(Debug, Deserialize)]
struct Item {
    id: NativeId,
    #[serde(default)]
    name: Lenient,
    #[serde(default)]
    status: Lenient,
    #[serde(default)]
    impact: Lenient,
    #[serde(default)]
    url: Lenient,
    /// Incidents.
    #[serde(default)]
    started: Timestamp,
    #[serde(default, alias = "resolvedAt")]
    resolved: Timestamp,
    /// Maintenances.
    #[serde(default)]
    start: Timestamp,
    #[serde(default)]
    duration: Lenient,
}

/// True for Instatus JSON: its list names, or its upper-case state words.
pub fn looks_like(head: &str) -> bool {
    has_key(head, "activeIncidents")
        || has_key(head, "activeMaintenances")
        || [
            "\"HASISSUES\"",
            "\"UNDERMAINTENANCE\"",
            "\"MAJOROUTAGE\"",
            "\"PARTIALOUTAGE\"",
            "\"MINOROUTAGE\"",
            "\"NOTSTARTEDYET\"",
        ]
        .iter()
        .any(|w| head.contains(w))
}

/// Parses `summary.json` or `incidents.json`.
pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    let format = Format::InstatusJson;
    let (page_name, incidents, maintenances) = match read_json::<Value>(bytes, format)? {
        Value::Array(items) => (None, items, Vec::new()),
        Value::Object(mut map) => {
            let page: Option<Page> = map
                .remove("page")
                .and_then(|p| serde_json::from_value(p).ok());
            let mut list = |key: &str| match map.remove(key) {
                Some(Value::Array(items)) => Ok(Some(items)),
                None | Some(Value::Null) => Ok(None),
                Some(_) => Err(ParseError::Json {
                    format,
                    message: format!("`{key}` is not an array"),
                }),
            };
            let active = list("activeIncidents")?;
            let history = list("incidents")?;
            let maintenances = list("activeMaintenances")?;
            if active.is_none() && history.is_none() && maintenances.is_none() {
                return Err(ParseError::Json {
                    format,
                    message: "no activeIncidents, activeMaintenances or incidents list".into(),
                });
            }
            let mut incidents = active.unwrap_or_default();
            incidents.extend(history.unwrap_or_default());
            (
                page.and_then(|p| p.name.0),
                incidents,
                maintenances.unwrap_or_default(),
            )
        }
        _ => {
            return Err(ParseError::Json {
                format,
                message: "expected summary.json or incidents.json".into(),
            });
        }
    };
    let vendor = vendor_name(ctx, page_name.as_deref(), None, format)?;
    let mut out = Vec::new();
    for (values, maintenance) in [(incidents, false), (maintenances, true)] {
        let what = if maintenance {
            "maintenance"
        } else {
            "incident"
        };
        for item in decode_items::<Item>(values, format, what)? {
            match item_incident(item, maintenance, &vendor, ctx) {
                Some(i) => out.push(i),
                None => tracing::warn!(%format, what, "skipping an item without a name"),
            }
        }
    }
    Ok(out)
}

fn item_incident(
    item: Item,
    maintenance: bool,
    vendor: &str,
    ctx: &ParseContext,
) -> Option<Incident> {
    let mut incident = new_incident(vendor, &item.id.0, item.name.as_deref()?);
    let label = item.status.as_deref().map(str::to_ascii_lowercase);
    let state = match label.as_deref() {
        Some("notstartedyet") => Some(Status::Scheduled),
        Some(l) => Status::from_label(l),
        None => None,
    };
    if maintenance {
        incident.severity = Severity::Maintenance;
        incident.status = match state {
            Some(Status::Resolved) => Status::Completed,
            Some(s) => s,
            None => Status::Unknown,
        };
        incident.start = item.start.0;
    } else {
        incident.status = state.unwrap_or(Status::Unknown);
        let impact = item.impact.as_deref();
        incident.severity = impact
            .and_then(impact_severity)
            .unwrap_or(Severity::Unknown);
        incident.severity_native = impact.map(str::to_ascii_lowercase);
        incident.start = item.started.0;
        if incident.status.is_closed() {
            incident.end = checked_end(incident.start, item.resolved.0);
        }
    }
    let link = item
        .url
        .as_deref()
        .and_then(|u| safe_url(u, ctx.url.as_deref()));
    let mut quote = format!(
        "{} ({})",
        incident.title,
        item.status.as_deref().unwrap_or("no status")
    );
    if let Some(impact) = item.impact.as_deref() {
        quote.push_str(&format!(", impact {impact}"));
    }
    if let Some(minutes) = item.duration.as_deref() {
        quote.push_str(&format!(", planned duration {minutes} minutes"));
    }
    incident.sources.push(status_source(link, ctx, &quote));
    Some(incident)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rfc3339;

    #[test]
    fn resolved_history_item_gets_its_end() {
        let json = br#"{"incidents":[{"id":"ck1","name":"API errors","status":"RESOLVED",
          "impact":"PARTIALOUTAGE","started":"2024-02-01T08:00:00.000Z",
          "resolved":"2024-02-01T09:30:00.000Z","url":"https://acme.instatus.com/ck1"}]}"#;
        let ctx = ParseContext {
            vendor: Some("Acme".into()),
            ..ParseContext::default()
        };
        let got = parse(json, &ctx).expect("parses");
        assert_eq!(got[0].id, "acme:ck1");
        assert_eq!(got[0].severity, Severity::Major);
        assert_eq!(got[0].severity_native.as_deref(), Some("partialoutage"));
        assert_eq!(
            got[0].end.map(rfc3339).as_deref(),
            Some("2024-02-01T09:30:00Z")
        );
    }

    #[test]
    fn object_without_lists_is_refused() {
        let got = parse(br#"{"page":{"name":"Acme"}}"#, &ParseContext::default());
        assert!(matches!(got, Err(ParseError::Json { .. })));
    }
}
