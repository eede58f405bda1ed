//! Cachet, the self-hosted status page: `/api/v1/incidents` (`{"meta":{"pagination":...},
//! "data":[...]}`) and `/api/v1/incidents/<id>` (`{"data":{...}}`).
//!
//! Cachet's status numbers are read as 0 scheduled (a maintenance), 1 investigating,
//! 2 identified, 3 watching (monitoring), 4 fixed (resolved); `human_status` is the label kept in
//! updates. Cachet records no impact, so severity is maintenance for scheduled items, else what
//! the name and message say in words ("partial outage"), else unknown. Start is `occurred_at`
//! (Cachet 2.4+), else `created_at`, or `scheduled_at` for a maintenance; a fixed incident ends at
//! its last update. Items marked invisible are not public and are skipped.
//!
//! Cachet prints times as `YYYY-MM-DD HH:MM:SS` without a zone, in the installation's
//! `APP_TIMEZONE`, which the API does not expose; they are read as UTC, Cachet's default for that
//! setting. Times with an offset are honoured as given.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::feed::severity_in_text;
use super::platform::{
    Lenient, NativeId, checked_end, decode_items, has_key, new_incident, null_as_empty, read_json,
    status_source, time_text, vendor_name,
};
use super::{ParseContext, ParseError};
use crate::extract::text::{clean_text, html_to_text};
use crate::model::{Format, Incident, Severity, Status, Update};

/// A Cachet time: zone-less local time read as UTC (see the module docs), or any time with an
/// offset. Unreadable values are `None`.
#[derive(Debug, Clone, Copy, Default)]
struct CachetTime(Option<DateTime<Utc>>);

impl<'de> Deserialize<'de> for CachetTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Value::String(s) = Value::deserialize(d)? else {
            return Ok(CachetTime(None));
        };
        let parsed = time_text(&s).or_else(|| {
            NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S")
                .ok()
                .map(|t| t.and_utc())
        });
        Ok(CachetTime(parsed))
    }
}

#[derive(Debug, Deserialize)]
struct CachetIncident {
    id: NativeId,
    #[serde(default)]
    name: Lenient,
    #[serde(default)]
    message: Lenient,
    #[serde(default)]
    status: Lenient,
    #[serde(default)]
    human_status: Lenient,
    #[serde(default)]
    visible: Option<Value>,
    #[serde(default)]
    scheduled_at: CachetTime,
    #[serde(default)]
    occurred_at: CachetTime,
    #[serde(default)]
    created_at: CachetTime,
    #[serde(default)]
    updated_at: CachetTime,
    #[serde(default, deserialize_with = "null_as_empty")]
    updates: Vec<CachetUpdate>,
}

#[derive(Debug, Deserialize)]
struct CachetUpdate {
    #[serde(default)]
    message: Lenient,
    #[serde(default)]
    human_status: Lenient,
    #[serde(default)]
    status: Lenient,
    #[serde(default)]
    created_at: CachetTime,
}

/// True for Cachet's API: `human_status` is its own.
pub fn looks_like(head: &str) -> bool {
    has_key(head, "human_status") || (has_key(head, "pagination") && has_key(head, "component_id"))
}

/// Cachet's status number (see the module docs).
pub fn status_of(code: &str) -> Option<Status> {
    Some(match code.trim() {
        "0" => Status::Scheduled,
        "1" => Status::Investigating,
        "2" => Status::Identified,
        "3" => Status::Monitoring,
        "4" => Status::Resolved,
        _ => return None,
    })
}

/// Parses an incident list or a single incident.
pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    let format = Format::CachetJson;
    let mut doc = match read_json::<Value>(bytes, format)? {
        Value::Object(map) => map,
        _ => {
            return Err(ParseError::Json {
                format,
                message: "expected an object with `data`".into(),
            });
        }
    };
    let items = match doc.remove("data") {
        Some(Value::Array(items)) => items,
        Some(item @ Value::Object(_)) => vec![item],
        _ => {
            return Err(ParseError::Json {
                format,
                message: "`data` is neither an incident list nor an incident".into(),
            });
        }
    };
    let vendor = vendor_name(ctx, None, None, format)?;
    let incidents: Vec<CachetIncident> = decode_items(items, format, "incident")?;
    let mut out = Vec::with_capacity(incidents.len());
    for item in incidents {
        if matches!(item.visible, Some(Value::Bool(false))) || item.visible == Some(0.into()) {
            continue;
        }
        match item_incident(item, &vendor, ctx) {
            Some(i) => out.push(i),
            None => tracing::warn!(%format, "skipping an incident without a name"),
        }
    }
    Ok(out)
}

fn item_incident(item: CachetIncident, vendor: &str, ctx: &ParseContext) -> Option<Incident> {
    let mut incident = new_incident(vendor, &item.id.0, item.name.as_deref()?);
    let status = item.status.as_deref().and_then(status_of);
    let scheduled = status == Some(Status::Scheduled);
    incident.status = status.unwrap_or(Status::Unknown);
    let message = item
        .message
        .as_deref()
        .map(html_to_text)
        .unwrap_or_default();
    if scheduled {
        incident.severity = Severity::Maintenance;
        incident.start = item.scheduled_at.0;
    } else {
        incident.start = item.occurred_at.0.or(item.created_at.0);
        if let Some((severity, native)) =
            severity_in_text(&format!("{}\n{message}", incident.title))
        {
            incident.severity = severity;
            incident.severity_native = Some(native);
        }
    }
    let label = |human: &Lenient, code: &Lenient| {
        human
            .as_deref()
            .map(str::to_ascii_lowercase)
            .or_else(|| code.as_deref().map(str::to_string))
            .unwrap_or_else(|| "update".into())
    };
    incident.updates.push(Update {
        at: item.created_at.0,
        status: label(&item.human_status, &item.status),
        text: message.clone(),
    });
    let mut later: Vec<Update> = item
        .updates
        .iter()
        .map(|u| Update {
            at: u.created_at.0,
            status: label(&u.human_status, &u.status),
            text: u.message.as_deref().map(html_to_text).unwrap_or_default(),
        })
        .collect();
    later.sort_by_key(|u| (u.at.is_none(), u.at));
    incident.updates.extend(later);
    if incident.status.is_closed() {
        let last = incident.updates.iter().filter_map(|u| u.at).max();
        let end = item.updated_at.0.into_iter().chain(last).max();
        incident.end = checked_end(incident.start, end);
    }
    let link = ctx.url.as_deref().and_then(|u| {
        let (base, _) = u.split_once("/api/v1/")?;
        super::platform::safe_url(&format!("{base}/incidents/{}", item.id.0), None)
    });
    let quote = format!("{}: {}", incident.title, clean_text(&message));
    incident.sources.push(status_source(link, ctx, &quote));
    Some(incident)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rfc3339;

    #[test]
    fn zoneless_times_read_as_utc_and_offsets_honoured() {
        let t: CachetTime = serde_json::from_str("\"2024-05-01 10:00:00\"").expect("time");
        assert_eq!(t.0.map(rfc3339).as_deref(), Some("2024-05-01T10:00:00Z"));
        let t: CachetTime = serde_json::from_str("\"2024-05-01T10:00:00+02:00\"").expect("time");
        assert_eq!(t.0.map(rfc3339).as_deref(), Some("2024-05-01T08:00:00Z"));
        let t: CachetTime = serde_json::from_str("\"2024-13-01 10:00:00\"").expect("time");
        assert_eq!(t.0, None);
    }

    #[test]
    fn status_numbers_are_the_documented_ones() {
        assert_eq!(status_of("0"), Some(Status::Scheduled));
        assert_eq!(status_of("3"), Some(Status::Monitoring));
        assert_eq!(status_of("4"), Some(Status::Resolved));
        assert_eq!(status_of("9"), None);
    }

    #[test]
    fn invisible_incidents_are_skipped() {
        let json = br#"{"data":[{"id":1,"name":"Hidden","status":1,"visible":0},
                                 {"id":2,"name":"Shown","status":1,"visible":1}]}"#;
        let ctx = ParseContext {
            vendor: Some("Acme".into()),
            ..ParseContext::default()
        };
        let got = parse(json, &ctx).expect("parses");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].title, "Shown");
    }
}
