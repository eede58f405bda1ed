//! Better Stack (formerly Better Uptime) status pages' `index.json`, a JSON:API document: the page
//! in `data` (`company_name`, `aggregate_state`), and in `included[]` the page's resources
//! (`status_page_resource`), its status reports (`status_report`: title, report_type, starts_at,
//! ends_at, aggregate_state, affected_resources) and their updates (`status_update`: message,
//! published_at, affected_resources). The page's `/feed.rss` (`"[Resolved] ..."` titles) is read by
//! the generic feed parser.
//!
//! Better Stack grades resources `degraded`, `downtime`, `maintenance` and `resolved`. A report's
//! severity is the worst grade it or any of its updates gave a resource: `downtime` -> critical
//! (the resource was down, the shared table's full outage), `degraded` -> minor, `maintenance` ->
//! maintenance; `resolved` alone says nothing of the impact, so severity stays unknown. A report
//! whose `aggregate_state` is `resolved` is resolved (a maintenance: completed) and ends at
//! `ends_at`, else at its last update; an open maintenance whose resources are in maintenance is in
//! progress, any other open maintenance scheduled; an open incident takes the state its latest
//! update states in words, else unknown.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::feed;
use super::platform::{
    Lenient, NativeId, Timestamp, checked_end, decode_items, has_key, new_incident, null_as_empty,
    push_unique, read_json, severity_rank, status_source, vendor_name,
};
use super::{ParseContext, ParseError};
use crate::extract::text::html_to_text;
use crate::model::{Format, Incident, Severity, Status, Update};

#[derive(Debug, Deserialize)]
struct Document {
    data: Resource,
    #[serde(default, deserialize_with = "null_as_empty")]
    included: Vec<Value>,
}

/// A JSON:API resource object; `attributes` are decoded once the type is known.
#[derive(Debug, Deserialize)]
struct Resource {
    id: NativeId,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    attributes: Value,
    #[serde(default)]
    relationships: Value,
}

#[derive(Debug, Default, Deserialize)]
struct PageAttributes {
    #[serde(default)]
    company_name: Lenient,
}

#[derive(Debug, Default, Deserialize)]
struct ComponentAttributes {
    #[serde(default, alias = "name")]
    public_name: Lenient,
}

#[derive(Debug, Default, Deserialize)]
struct ReportAttributes {
    #[serde(default)]
    title: Lenient,
    #[serde(default)]
    report_type: Lenient,
    #[serde(default)]
    starts_at: Timestamp,
    #[serde(default)]
    ends_at: Timestamp,
    #[serde(default)]
    aggregate_state: Lenient,
    #[serde(default, deserialize_with = "null_as_empty")]
    affected_resources: Vec<Affected>,
}

#[derive(Debug, Default, Deserialize)]
struct UpdateAttributes {
    #[serde(default)]
    message: Lenient,
    #[serde(default)]
    published_at: Timestamp,
    #[serde(default)]
    status_report_id: Lenient,
    #[serde(default, deserialize_with = "null_as_empty")]
    affected_resources: Vec<Affected>,
}

#[derive(Debug, Deserialize)]
struct Affected {
    #[serde(default)]
    status_page_resource_id: Lenient,
    #[serde(default)]
    status: Lenient,
}

/// True for a Better Stack `index.json`.
pub fn looks_like(head: &str) -> bool {
    has_key(head, "aggregate_state")
        || head.contains("\"status_report\"")
        || head.contains("\"status_page_resource\"")
}

/// Severity of a resource grade (see the module docs).
fn grade_severity(grade: &str) -> Option<Severity> {
    Some(match grade.trim().to_ascii_lowercase().as_str() {
        "downtime" => Severity::Critical,
        "degraded" => Severity::Minor,
        "maintenance" => Severity::Maintenance,
        _ => return None,
    })
}

/// Parses `index.json`.
pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    let format = Format::BetterstackJson;
    let doc: Document = read_json(bytes, format)?;
    let page: PageAttributes = serde_json::from_value(doc.data.attributes).unwrap_or_default();
    let vendor = vendor_name(ctx, page.company_name.as_deref(), None, format)?;
    let included: Vec<Resource> = decode_items(doc.included, format, "included resource")?;

    let mut components: HashMap<String, String> = HashMap::new();
    let mut updates: HashMap<String, UpdateAttributes> = HashMap::new();
    let mut reports: Vec<(Resource, ReportAttributes)> = Vec::new();
    for resource in included {
        let attributes = resource.attributes.clone();
        match resource.kind.as_str() {
            "status_page_resource" => {
                let a: ComponentAttributes = serde_json::from_value(attributes).unwrap_or_default();
                if let Some(name) = a.public_name.as_deref() {
                    components.insert(resource.id.0.clone(), name.to_string());
                }
            }
            "status_update" => {
                let a: UpdateAttributes = serde_json::from_value(attributes).unwrap_or_default();
                updates.insert(resource.id.0.clone(), a);
            }
            "status_report" => match serde_json::from_value::<ReportAttributes>(attributes) {
                Ok(a) => reports.push((resource, a)),
                Err(e) => tracing::warn!(%format, error = %e, "skipping a malformed status report"),
            },
            _ => {}
        }
    }

    let mut out = Vec::with_capacity(reports.len());
    for (resource, report) in reports {
        let linked = related_ids(&resource.relationships, "status_updates");
        let mut own: Vec<&UpdateAttributes> = updates
            .iter()
            .filter(|(id, u)| {
                linked.iter().any(|l| l == *id)
                    || u.status_report_id.as_deref() == Some(resource.id.0.as_str())
            })
            .map(|(_, u)| u)
            .collect();
        own.sort_by_key(|u| (u.published_at.0.is_none(), u.published_at.0));
        match report_incident(&resource.id.0, &report, &own, &components, &vendor, ctx) {
            Some(i) => out.push(i),
            None => tracing::warn!(%format, "skipping a status report without a title"),
        }
    }
    Ok(out)
}

/// Ids of a JSON:API relationship (`relationships.<name>.data[].id`).
fn related_ids(relationships: &Value, name: &str) -> Vec<String> {
    relationships
        .get(name)
        .and_then(|r| r.get("data"))
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| match i.get("id") {
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(Value::Number(n)) => Some(n.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn report_incident(
    id: &str,
    report: &ReportAttributes,
    updates: &[&UpdateAttributes],
    components: &HashMap<String, String>,
    vendor: &str,
    ctx: &ParseContext,
) -> Option<Incident> {
    let mut incident = new_incident(vendor, id, report.title.as_deref()?);
    let is_maintenance = report
        .report_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("maintenance"));
    let state = report
        .aggregate_state
        .as_deref()
        .map(str::to_ascii_lowercase);
    let resolved = state.as_deref() == Some("resolved");

    let grades = report
        .affected_resources
        .iter()
        .chain(updates.iter().flat_map(|u| u.affected_resources.iter()));
    let mut worst: Option<(Severity, String)> = state
        .as_deref()
        .and_then(|s| grade_severity(s).map(|sev| (sev, s.to_string())));
    for affected in grades.clone() {
        let Some(grade) = affected.status.as_deref() else {
            continue;
        };
        let Some(severity) = grade_severity(grade) else {
            continue;
        };
        if worst
            .as_ref()
            .is_none_or(|(w, _)| severity_rank(severity) > severity_rank(*w))
        {
            worst = Some((severity, grade.to_ascii_lowercase()));
        }
    }
    if is_maintenance {
        incident.severity = Severity::Maintenance;
        incident.severity_native = Some("maintenance".into());
    } else if let Some((severity, native)) = worst {
        incident.severity = severity;
        incident.severity_native = Some(native);
    }

    incident.updates = updates
        .iter()
        .map(|u| {
            let text = u.message.as_deref().map(html_to_text).unwrap_or_default();
            Update {
                at: u.published_at.0,
                status: feed::status_in_text(&text).map_or_else(|| "update".into(), |w| w.label),
                text,
            }
        })
        .collect();
    incident.status = match (resolved, is_maintenance) {
        (true, true) => Status::Completed,
        (true, false) => Status::Resolved,
        (false, true) if state.as_deref() == Some("maintenance") => Status::InProgress,
        (false, true) => Status::Scheduled,
        (false, false) => incident
            .updates
            .last()
            .and_then(|u| feed::status_in_text(&u.text))
            .map(|w| w.status)
            .filter(|s| !s.is_closed())
            .unwrap_or(Status::Unknown),
    };
    incident.start = report.starts_at.0;
    if incident.status.is_closed() {
        let last_update = incident.updates.iter().filter_map(|u| u.at).max();
        incident.end = checked_end(incident.start, report.ends_at.0.or(last_update));
    }
    for affected in grades {
        if let Some(name) = affected
            .status_page_resource_id
            .as_deref()
            .and_then(|rid| components.get(rid))
        {
            push_unique(&mut incident.services, name);
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
    fn grades_map_to_the_documented_severities() {
        assert_eq!(grade_severity("downtime"), Some(Severity::Critical));
        assert_eq!(grade_severity("Degraded"), Some(Severity::Minor));
        assert_eq!(grade_severity("maintenance"), Some(Severity::Maintenance));
        assert_eq!(grade_severity("resolved"), None);
    }

    #[test]
    fn resolved_report_without_grades_keeps_unknown_severity() {
        let json = br#"{"data":{"id":"1","type":"status_page","attributes":{"company_name":"Acme","aggregate_state":"operational"}},
          "included":[{"id":"5","type":"status_report","attributes":{"title":"Blip","report_type":"manual",
            "starts_at":"2024-01-01T00:00:00Z","ends_at":"2024-01-01T00:10:00Z","aggregate_state":"resolved","affected_resources":[]}}]}"#;
        let got = parse(json, &ParseContext::default()).expect("parses");
        assert_eq!(got[0].id, "acme:5");
        assert_eq!(got[0].status, Status::Resolved);
        assert_eq!(got[0].severity, Severity::Unknown);
        assert_eq!(
            got[0].end.map(crate::model::rfc3339).as_deref(),
            Some("2024-01-01T00:10:00Z")
        );
    }
}
