//! Slack's own status channel: the unauthenticated API (`api/v2.0.0/history`, a flat array of
//! issues, and `current`, `{status, date_created, date_updated, active_incidents[]}`) and the
//! Atom/RSS feed at `slack-status.com/feed/{atom,rss}`.
//!
//! Slack publishes no severity and its notes carry no status, so both are read from what there
//! is. Severity comes from the issue `type`, which is kept as `severity_native`:
//!
//! | type          | severity      | why                                                        |
//! |---------------|---------------|------------------------------------------------------------|
//! | `outage`      | major         | Slack's word for service loss; it does not say partial or total, so not critical |
//! | `incident`    | minor         | Slack's word for degraded or partial problems               |
//! | `notice`      | none          | an announcement without impact                              |
//! | `maintenance` | maintenance   |                                                             |
//! | other         | unknown       |                                                             |
//!
//! Status: `resolved` is resolved (completed for maintenance); `active` is in progress for
//! maintenance, and for an incident the state the latest note states in words ("We've identified
//! ...") or unknown. Start is `date_created`; the end of a resolved issue is the time of its last
//! note, the resolution notice, because `date_updated` also moves when Slack edits an old issue;
//! `date_updated` stands in when there are no notes.

use serde::Deserialize;
use serde_json::Value;

use super::feed;
use super::platform::{
    Lenient, NativeId, Timestamp, checked_end, decode_items, has_key, new_incident, null_as_empty,
    push_unique, read_json, safe_url, status_source, vendor_name,
};
use super::{ParseContext, ParseError};
use crate::extract::text::html_to_text;
use crate::model::{Format, Incident, Severity, Status, Update};

/// Slack is its own vendor: the name used when the caller gives none.
const VENDOR: &str = "Slack";

#[derive(Debug, Deserialize)]
struct SlackIssue {
    id: NativeId,
    #[serde(default)]
    date_created: Timestamp,
    #[serde(default)]
    date_updated: Timestamp,
    #[serde(default)]
    title: Lenient,
    #[serde(default, rename = "type")]
    kind: Lenient,
    #[serde(default)]
    status: Lenient,
    #[serde(default)]
    url: Lenient,
    #[serde(default, deserialize_with = "null_as_empty")]
    services: Vec<Lenient>,
    #[serde(default, deserialize_with = "null_as_empty")]
    notes: Vec<SlackNote>,
}

#[derive(Debug, Deserialize)]
struct SlackNote {
    #[serde(default)]
    date_created: Timestamp,
    #[serde(default)]
    body: Lenient,
}

/// True for the JSON of `history` (issues with notes and services) or `current`.
pub fn looks_like(head: &str) -> bool {
    has_key(head, "active_incidents")
        || (has_key(head, "date_created") && has_key(head, "notes") && has_key(head, "services"))
}

/// True for Slack's Atom/RSS feed: its entries link to Slack's status site. Only an entry's own
/// link counts, so a news feed quoting Slack's status page is not taken for it.
pub fn looks_like_feed(head: &str) -> bool {
    feed::first_entry_link(head).is_some_and(|link| {
        url::Url::parse(link).is_ok_and(|u| {
            matches!(
                u.host_str(),
                Some("status.slack.com" | "slack-status.com" | "www.slack-status.com")
            )
        })
    })
}

/// Severity from Slack's issue type (see the module docs).
fn type_severity(kind: &str) -> Severity {
    match kind.trim().to_ascii_lowercase().as_str() {
        "outage" => Severity::Major,
        "incident" => Severity::Minor,
        "notice" => Severity::None,
        "maintenance" => Severity::Maintenance,
        _ => Severity::Unknown,
    }
}

/// Parses `history` or `current`.
pub fn parse_json(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    let format = Format::SlackJson;
    let issues = match read_json::<Value>(bytes, format)? {
        Value::Array(items) => items,
        Value::Object(mut map) => match map.remove("active_incidents") {
            Some(Value::Array(items)) => items,
            Some(Value::Null) => Vec::new(),
            Some(_) => {
                return Err(ParseError::Json {
                    format,
                    message: "`active_incidents` is not an array".into(),
                });
            }
            None => {
                return Err(ParseError::Json {
                    format,
                    message: "an object without `active_incidents`: not Slack's `current`".into(),
                });
            }
        },
        _ => {
            return Err(ParseError::Json {
                format,
                message: "expected the `history` array or the `current` object".into(),
            });
        }
    };
    let vendor = vendor_name(ctx, None, Some(VENDOR), format)?;
    let issues: Vec<SlackIssue> = decode_items(issues, format, "issue")?;
    let mut out = Vec::with_capacity(issues.len());
    for issue in issues {
        match issue_incident(issue, &vendor, ctx) {
            Some(incident) => out.push(incident),
            None => tracing::warn!(%format, "skipping a Slack issue without a title"),
        }
    }
    Ok(out)
}

fn issue_incident(issue: SlackIssue, vendor: &str, ctx: &ParseContext) -> Option<Incident> {
    let title = issue.title.as_deref()?;
    let mut incident = new_incident(vendor, &issue.id.0, title);
    let kind = issue.kind.as_deref().map(str::to_ascii_lowercase);
    let is_maintenance = kind.as_deref() == Some("maintenance");
    incident.severity = kind.as_deref().map_or(Severity::Unknown, type_severity);
    incident.severity_native = kind.clone();

    let mut notes: Vec<Update> = issue
        .notes
        .iter()
        .map(|n| Update {
            at: n.date_created.0,
            status: "update".into(),
            text: n.body.as_deref().map(html_to_text).unwrap_or_default(),
        })
        .filter(|u| !u.text.is_empty() || u.at.is_some())
        .collect();
    // Oldest first; notes without a time keep their place after the dated ones.
    notes.sort_by_key(|u| (u.at.is_none(), u.at));

    let status_word = issue.status.as_deref().map(str::to_ascii_lowercase);
    incident.status = match (status_word.as_deref(), is_maintenance) {
        (Some("resolved"), true) => Status::Completed,
        (Some("resolved"), false) => Status::Resolved,
        (Some("active"), true) => Status::InProgress,
        (Some("active"), false) => notes
            .last()
            .and_then(|n| feed::status_in_text(&n.text))
            .map(|w| w.status)
            .filter(|s| !s.is_closed())
            .unwrap_or(Status::Unknown),
        (Some(other), _) => Status::from_label(other).unwrap_or(Status::Unknown),
        (None, _) => Status::Unknown,
    };
    incident.start = issue.date_created.0;
    if incident.status.is_closed() {
        let last_note = notes.iter().filter_map(|n| n.at).max();
        incident.end = checked_end(incident.start, last_note.or(issue.date_updated.0));
    }
    for service in &issue.services {
        if let Some(name) = service.as_deref() {
            push_unique(&mut incident.services, name);
        }
    }
    let link = issue
        .url
        .as_deref()
        .and_then(|u| safe_url(u, ctx.url.as_deref()));
    let latest = notes.last().map(|n| n.text.as_str()).unwrap_or("");
    let quote = format!(
        "{} ({}, {}): {latest}",
        incident.title,
        kind.as_deref().unwrap_or("issue"),
        status_word.as_deref().unwrap_or("unknown status")
    );
    incident.sources.push(status_source(link, ctx, &quote));
    incident.updates = notes;
    Some(incident)
}

/// Parses Slack's Atom or RSS feed: one incident per item, status from the words of the title
/// and description; a leading type ("Outage: ...") gives the severity as in the JSON.
pub fn parse_feed(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    feed_incidents(&feed::read(bytes, ctx, Format::SlackFeed)?, ctx)
}

/// The incidents of a read feed.
pub(crate) fn feed_incidents(
    doc: &feed::FeedDocument,
    ctx: &ParseContext,
) -> Result<Vec<Incident>, ParseError> {
    let format = Format::SlackFeed;
    let vendor = vendor_name(ctx, None, Some(VENDOR), format)?;
    let mut out = Vec::with_capacity(doc.entries.len());
    for entry in &doc.entries {
        if entry.title.is_empty() {
            tracing::warn!(%format, "skipping a Slack feed item without a title");
            continue;
        }
        let mut incident = feed::entry_incident(entry, &vendor, ctx);
        if let Some((kind, rest)) = incident.title.split_once(':') {
            let kind = kind.trim().to_ascii_lowercase();
            let severity = type_severity(&kind);
            if severity != Severity::Unknown && !rest.trim().is_empty() {
                incident.title = rest.trim().to_string();
                incident.severity = severity;
                incident.severity_native = Some(kind);
            }
        }
        if incident.severity == Severity::Maintenance {
            incident.status = match incident.status {
                Status::Resolved => Status::Completed,
                other => other,
            };
        }
        out.push(incident);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rfc3339;

    const HISTORY: &str = r#"[
      {"id": 1234, "date_created": "2024-03-05T08:10:00-08:00",
       "date_updated": "2024-03-09T10:00:00-08:00", "title": "Trouble loading files",
       "type": "incident", "status": "resolved", "url": "https://status.slack.com/2024-03/abc",
       "services": ["Files", "Messaging", "Files"],
       "notes": [
         {"date_created": "2024-03-05T09:40:00-08:00", "body": "<p>Files load again.</p>"},
         {"date_created": "2024-03-05T08:12:00-08:00", "body": "<p>We're investigating.</p>"}]},
      {"id": 1235, "title": "", "type": "outage", "status": "active", "notes": []}
    ]"#;

    #[test]
    fn resolved_issue_ends_at_its_last_note() {
        let got = parse_json(HISTORY.as_bytes(), &ParseContext::default()).expect("parses");
        assert_eq!(got.len(), 1, "the untitled issue is skipped");
        let i = &got[0];
        assert_eq!(i.id, "slack:1234");
        assert_eq!(
            i.start.map(rfc3339).as_deref(),
            Some("2024-03-05T16:10:00Z")
        );
        assert_eq!(i.end.map(rfc3339).as_deref(), Some("2024-03-05T17:40:00Z"));
        assert_eq!(i.status, Status::Resolved);
        assert_eq!(i.severity, Severity::Minor);
        assert_eq!(i.severity_native.as_deref(), Some("incident"));
        assert_eq!(i.services, vec!["Files", "Messaging"]);
        assert_eq!(i.updates[0].text, "We're investigating.");
        assert_eq!(i.updates[1].text, "Files load again.");
    }

    #[test]
    fn type_table_is_the_documented_one() {
        assert_eq!(type_severity("Outage"), Severity::Major);
        assert_eq!(type_severity("incident"), Severity::Minor);
        assert_eq!(type_severity("notice"), Severity::None);
        assert_eq!(type_severity("maintenance"), Severity::Maintenance);
        assert_eq!(type_severity("meteor"), Severity::Unknown);
    }

    #[test]
    fn json_that_is_not_slack_is_refused() {
        let err = parse_json(br#"{"status":"ok"}"#, &ParseContext::default());
        assert!(matches!(err, Err(ParseError::Json { .. })));
        let err = parse_json(br#"[{"title":"no id"}]"#, &ParseContext::default());
        assert!(matches!(err, Err(ParseError::Json { .. })));
    }
}
