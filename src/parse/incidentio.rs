//! incident.io status pages: the documented widget API (`/api/v1/summary`, three arrays
//! `ongoing_incidents`, `in_progress_maintenances`, `scheduled_maintenances`) and the pages'
//! Atom/RSS feeds. The Statuspage-compatible `/api/v2/*.json` these pages also serve is read by
//! the Statuspage parser.
//!
//! Impact maps as `degraded_performance` -> minor, `partial_outage` -> major, `full_outage` ->
//! critical (the shared table in `platform`), keeping the word as `severity_native`. The widget
//! gives no onset for incidents, only the time of the latest update, so their start stays `None`
//! rather than passing an update time off as the onset; maintenances start at `started_at` or
//! `starts_at`. Everything the widget lists is still open, so no end is set.
//!
//! Ids are incident.io's own ULIDs, the same ones its Statuspage-compatible JSON and its feed links
//! (`/incidents/<ULID>`) carry, so all three forms of one incident share an id.

use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;

use super::feed;
use super::platform::{
    Lenient, NativeId, Timestamp, decode_items, has_key, impact_severity, new_incident,
    null_as_empty, push_unique, read_json, safe_url, severity_rank, status_source, vendor_name,
};
use super::{ParseContext, ParseError};
use crate::extract::text::html_to_text;
use crate::model::{Format, Incident, Severity, Status, Update};

#[derive(Debug, Deserialize)]
struct Widget {
    #[serde(default)]
    page_title: Lenient,
    #[serde(default, deserialize_with = "null_as_empty")]
    ongoing_incidents: Vec<serde_json::Value>,
    #[serde(default, deserialize_with = "null_as_empty")]
    in_progress_maintenances: Vec<serde_json::Value>,
    #[serde(default, deserialize_with = "null_as_empty")]
    scheduled_maintenances: Vec<serde_json::Value>,
}

/// An incident or a maintenance: they share every field but their times.
#[derive(Debug, Deserialize)]
struct Item {
    id: NativeId,
    #[serde(default)]
    name: Lenient,
    #[serde(default)]
    status: Lenient,
    #[serde(default)]
    url: Lenient,
    #[serde(default)]
    last_update_at: Timestamp,
    #[serde(default)]
    last_update_message: Lenient,
    #[serde(default)]
    current_worst_impact: Lenient,
    #[serde(default, deserialize_with = "null_as_empty")]
    affected_components: Vec<Component>,
    #[serde(default)]
    started_at: Timestamp,
    #[serde(default)]
    starts_at: Timestamp,
}

#[derive(Debug, Deserialize)]
struct Component {
    #[serde(default)]
    name: Lenient,
}

/// Which of the widget's three lists an item came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Incident,
    MaintenanceInProgress,
    MaintenanceScheduled,
}

/// True for the widget API: no other format has its list names.
pub fn looks_like(head: &str) -> bool {
    has_key(head, "ongoing_incidents") || has_key(head, "in_progress_maintenances")
}

/// True for an incident.io feed: its first entry links to `/incidents/<ULID>` (26 Crockford
/// base-32 characters), which Statuspage's 12-character codes never match. Only the entry's own
/// link counts, so a news item citing such a page is not taken for the feed.
pub fn looks_like_feed(head: &str) -> bool {
    feed::first_entry_link(head)
        .is_some_and(|link| ulid_link_re().is_some_and(|re| re.is_match(link)))
}

fn ulid_link_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"/incidents/([0-9A-HJKMNP-TV-Z]{26})\b").ok())
        .as_ref()
}

/// Parses the widget API's `summary`.
pub fn parse_widget(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    let format = Format::IncidentioWidget;
    let widget: Widget = read_json(bytes, format)?;
    let vendor = vendor_name(ctx, widget.page_title.as_deref(), None, format)?;
    let lists = [
        (widget.ongoing_incidents, Kind::Incident, "ongoing incident"),
        (
            widget.in_progress_maintenances,
            Kind::MaintenanceInProgress,
            "in-progress maintenance",
        ),
        (
            widget.scheduled_maintenances,
            Kind::MaintenanceScheduled,
            "scheduled maintenance",
        ),
    ];
    let mut out = Vec::new();
    for (values, kind, what) in lists {
        for item in decode_items::<Item>(values, format, what)? {
            match item_incident(item, kind, &vendor, ctx) {
                Some(i) => out.push(i),
                None => tracing::warn!(%format, what, "skipping an item without a name"),
            }
        }
    }
    Ok(out)
}

fn item_incident(item: Item, kind: Kind, vendor: &str, ctx: &ParseContext) -> Option<Incident> {
    let mut incident = new_incident(vendor, &item.id.0, item.name.as_deref()?);
    let label = item
        .status
        .as_deref()
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_default();
    // Maintenance statuses read "maintenance_scheduled" / "maintenance_in_progress".
    let state = Status::from_label(label.trim_start_matches("maintenance_"));
    match kind {
        Kind::Incident => {
            incident.status = state.unwrap_or(Status::Unknown);
            let impact = item.current_worst_impact.as_deref();
            incident.severity = impact
                .and_then(impact_severity)
                .unwrap_or(Severity::Unknown);
            incident.severity_native = impact.map(str::to_string);
        }
        Kind::MaintenanceInProgress | Kind::MaintenanceScheduled => {
            incident.status = state.unwrap_or(if kind == Kind::MaintenanceScheduled {
                Status::Scheduled
            } else {
                Status::InProgress
            });
            incident.severity = Severity::Maintenance;
            incident.start = item.started_at.0.or(item.starts_at.0);
        }
    }
    for component in &item.affected_components {
        if let Some(name) = component.name.as_deref() {
            push_unique(&mut incident.services, name);
        }
    }
    let message = item
        .last_update_message
        .as_deref()
        .map(html_to_text)
        .unwrap_or_default();
    if item.last_update_at.0.is_some() || !message.is_empty() {
        incident.updates.push(Update {
            at: item.last_update_at.0,
            status: if label.is_empty() {
                "update".into()
            } else {
                label
            },
            text: message.clone(),
        });
    }
    let link = item
        .url
        .as_deref()
        .and_then(|u| safe_url(u, ctx.url.as_deref()));
    incident.sources.push(status_source(
        link,
        ctx,
        &format!("{}: {message}", incident.title),
    ));
    Some(incident)
}

/// Parses an incident.io Atom or RSS feed. On top of the generic feed reading it takes the
/// "Affected components" list as services, their bracketed impacts ("Chat (Partial outage)") as
/// severity, and the ULID in the link as the native id.
pub fn parse_feed(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    feed_incidents(&feed::read(bytes, ctx, Format::IncidentioFeed)?, ctx)
}

/// The incidents of a read feed.
pub(crate) fn feed_incidents(
    doc: &feed::FeedDocument,
    ctx: &ParseContext,
) -> Result<Vec<Incident>, ParseError> {
    let format = Format::IncidentioFeed;
    let vendor = vendor_name(ctx, doc.title.as_deref(), None, format)?;
    let mut out = Vec::with_capacity(doc.entries.len());
    for entry in &doc.entries {
        if entry.title.is_empty() {
            tracing::warn!(%format, "skipping a feed item without a title");
            continue;
        }
        let mut incident = feed::entry_incident(entry, &vendor, ctx);
        let ulid = [entry.link.as_deref(), entry.guid.as_deref()]
            .into_iter()
            .flatten()
            .find_map(|s| {
                ulid_link_re()?
                    .captures(s)?
                    .get(1)
                    .map(|m| m.as_str().to_string())
            });
        if let Some(ulid) = ulid {
            incident.id = crate::model::incident_id(&vendor, &ulid);
        }
        let mut worst: Option<(Severity, String)> = None;
        for item in affected_components(&entry.html) {
            let (name, impact) = split_impact(&item);
            push_unique(&mut incident.services, name);
            let Some(impact) = impact else { continue };
            let Some(severity) = impact_severity(impact) else {
                continue;
            };
            if worst
                .as_ref()
                .is_none_or(|(w, _)| severity_rank(severity) > severity_rank(*w))
            {
                worst = Some((severity, impact.to_ascii_lowercase()));
            }
        }
        if let Some((severity, native)) = worst {
            incident.severity = severity;
            incident.severity_native = Some(native);
        }
        out.push(incident);
    }
    Ok(out)
}

/// The `<li>` texts of the first list after an "Affected components" heading.
fn affected_components(html: &str) -> Vec<String> {
    static RE: OnceLock<Option<(Regex, Regex)>> = OnceLock::new();
    let Some((list, item)) = RE
        .get_or_init(|| {
            let list = Regex::new(r"(?is)affected\s+components.*?<ul[^>]*>(.*?)</ul>").ok()?;
            let item = Regex::new(r"(?is)<li[^>]*>(.*?)</li>").ok()?;
            Some((list, item))
        })
        .as_ref()
    else {
        return Vec::new();
    };
    let Some(body) = list.captures(html).and_then(|c| c.get(1)) else {
        return Vec::new();
    };
    item.captures_iter(body.as_str())
        .filter_map(|c| c.get(1))
        .map(|m| html_to_text(m.as_str()))
        .filter(|t| !t.is_empty())
        .collect()
}

/// "Chat (Partial outage)" -> ("Chat", Some("Partial outage")).
fn split_impact(item: &str) -> (&str, Option<&str>) {
    if let Some(open) = item.rfind('(') {
        if let Some(inner) = item.get(open + 1..).and_then(|r| r.strip_suffix(')')) {
            if impact_severity(inner).is_some() {
                return (item[..open].trim(), Some(inner.trim()));
            }
        }
    }
    (item.trim(), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rfc3339;

    #[test]
    fn widget_maps_impacts_and_maintenance_windows() {
        let json = br#"{"page_title":"Acme","page_url":"https://status.acme.com",
          "ongoing_incidents":[{"id":"01HZX3K9ZJ4Q6N5V8T2M7B1C0D","name":"Slow chat",
            "status":"identified","url":"https://status.acme.com/incidents/01HZX3K9ZJ4Q6N5V8T2M7B1C0D",
            "last_update_at":"2024-06-01T10:15:00Z","last_update_message":"Cause found.",
            "current_worst_impact":"partial_outage",
            "affected_components":[{"id":"c1","name":"Chat","group_name":"Apps","current_status":"partial_outage"}]}],
          "in_progress_maintenances":[{"id":"m1","name":"DB upgrade","status":"maintenance_in_progress",
            "started_at":"2024-06-01T09:00:00Z","scheduled_end_at":"2024-06-01T11:00:00Z"}],
          "scheduled_maintenances":[]}"#;
        let got = parse_widget(json, &ParseContext::default()).expect("parses");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].id, "acme:01HZX3K9ZJ4Q6N5V8T2M7B1C0D");
        assert_eq!(got[0].severity, Severity::Major);
        assert_eq!(got[0].status, Status::Identified);
        assert_eq!(got[0].start, None);
        assert_eq!(got[0].services, vec!["Chat"]);
        assert_eq!(got[1].status, Status::InProgress);
        assert_eq!(got[1].severity, Severity::Maintenance);
        assert_eq!(
            got[1].start.map(rfc3339).as_deref(),
            Some("2024-06-01T09:00:00Z")
        );
        assert_eq!(got[1].end, None);
    }

    #[test]
    fn component_impacts_split_from_names() {
        assert_eq!(
            split_impact("Chat (Partial outage)"),
            ("Chat", Some("Partial outage"))
        );
        assert_eq!(split_impact("API (v2)"), ("API (v2)", None));
        let html = "<p>Resolved</p><p><b>Affected components</b></p><ul><li>Chat (Full outage)</li><li>Login</li></ul><ul><li>x</li></ul>";
        assert_eq!(
            affected_components(html),
            vec!["Chat (Full outage)", "Login"]
        );
    }

    #[test]
    fn feed_links_with_ulids_are_recognised() {
        assert!(looks_like_feed(
            "<item><link>https://status.openai.com/incidents/01JMYB4ZH6Y5ZKRKXJX3R6R8QK</link>"
        ));
        assert!(!looks_like_feed(
            "<item><link>https://www.githubstatus.com/incidents/x0ljvc9m1wxj</link>"
        ));
        // A press item that cites an incident.io page in its text is not the feed.
        assert!(!looks_like_feed(
            "<item><link>https://news.example/story</link><description>see https://status.openai.com/incidents/01JMYB4ZH6Y5ZKRKXJX3R6R8QK</description>"
        ));
    }
}
