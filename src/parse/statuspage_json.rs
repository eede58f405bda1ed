//! Atlassian Statuspage API v2 JSON, in every shape a user meets: `incidents.json` and
//! `incidents/unresolved.json` (`{page, incidents}`), `summary.json` (`{page, components,
//! incidents, scheduled_maintenances, status}`), one incident (`{page, incident}`),
//! `scheduled-maintenances*.json` (`{page, scheduled_maintenances}`), and incident.io's
//! Statuspage-compatible copy (ULID ids, Markdown bodies, no shortlink).
//!
//! Every field may be missing or null. One unreadable incident is skipped (and logged), not
//! fatal; a document with none readable, or with no incident list at all, is an error.
//!
//! Times. The API lists updates newest first; they are stored oldest first, each at its
//! `display_at` (or `created_at`). For an incident:
//! - end: `resolved_at` once the status is resolved or postmortem, else the time of the newest
//!   "resolved" update; `None` while investigating, identified or monitoring.
//! - start: the first of `started_at` (the real onset), `created_at` and the earliest update time
//!   that is not after the end. Backfilled incidents carry a `started_at` set when they were
//!   entered, after their `resolved_at` (GitHub's qb2vmff9bnf5 "Webhook deliveries delayed"), so a
//!   start after the end is refused rather than stored as a negative duration. When every
//!   candidate is after the end the start is unknown (`None`).
//!
//! For a maintenance the announced window (`scheduled_for` .. `scheduled_until`) is the event
//! while it is scheduled. Once it runs, start is the first "in_progress" update (when work began),
//! else `scheduled_for`, else the first update; `started_at` and `created_at` come last because
//! on a maintenance they are when it was announced, often days before. End is `resolved_at` (or the newest "completed"
//! update) once completed, `None` while in progress.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::statuspage::{
    body_text, closing_update_time, http_url, incident_cause, maintenance_start, oldest_first,
    push_unique, severity_from_impact, source_quote, vendor_from_title,
};
use super::{ParseContext, ParseError};
use crate::extract::text::{clean_text, one_line};
use crate::extract::time::parse_feed_date;
use crate::model::{
    Format, Incident, ReportKind, Severity, SourceRef, Status, Update, incident_id,
};

const FORMAT: Format = Format::StatuspageJson;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Document {
    page: Option<Page>,
    incident: Option<Value>,
    incidents: Option<Vec<Value>>,
    scheduled_maintenances: Option<Vec<Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Page {
    name: Option<String>,
    url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ApiIncident {
    id: Option<String>,
    name: Option<String>,
    status: Option<String>,
    impact: Option<String>,
    created_at: Option<String>,
    started_at: Option<String>,
    resolved_at: Option<String>,
    scheduled_for: Option<String>,
    scheduled_until: Option<String>,
    shortlink: Option<String>,
    postmortem_body: Option<String>,
    incident_updates: Option<Vec<ApiUpdate>>,
    components: Option<Vec<Named>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ApiUpdate {
    status: Option<String>,
    body: Option<String>,
    created_at: Option<String>,
    display_at: Option<String>,
    affected_components: Option<Vec<Named>>,
}

/// A component, as listed on an incident or an update.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Named {
    name: Option<String>,
}

/// What every incident of one document shares.
struct PageInfo {
    vendor: String,
    /// Page root without a trailing slash, for links when an incident has no shortlink.
    base_url: Option<String>,
}

/// Which list an incident came from: a maintenance list makes it a maintenance whatever its
/// impact says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listing {
    Incidents,
    Maintenances,
}

/// Parses any Statuspage API v2 document into incidents (maintenances included).
pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let doc: Document = serde_json::from_slice(bytes).map_err(|e| ParseError::Json {
        format: FORMAT,
        message: e.to_string(),
    })?;
    if doc.incident.is_none() && doc.incidents.is_none() && doc.scheduled_maintenances.is_none() {
        return Err(ParseError::Invalid {
            format: FORMAT,
            message: "no \"incident\", \"incidents\" or \"scheduled_maintenances\" in the document"
                .into(),
        });
    }
    let page = page_info(doc.page.as_ref(), ctx)?;

    let listed = doc
        .incident
        .into_iter()
        .chain(doc.incidents.unwrap_or_default())
        .map(|v| (v, Listing::Incidents))
        .chain(
            doc.scheduled_maintenances
                .unwrap_or_default()
                .into_iter()
                .map(|v| (v, Listing::Maintenances)),
        );
    let mut incidents = Vec::new();
    let mut seen = 0usize;
    let mut first_problem: Option<String> = None;
    for (value, listing) in listed {
        seen += 1;
        let problem = match serde_json::from_value::<ApiIncident>(value) {
            Ok(api) => match to_incident(api, listing, &page) {
                Ok(incident) => {
                    incidents.push(incident);
                    continue;
                }
                Err(problem) => problem,
            },
            Err(e) => format!("unreadable incident: {e}"),
        };
        tracing::warn!(vendor = %page.vendor, problem = %problem, "skipping a Statuspage incident");
        first_problem.get_or_insert(problem);
    }
    if incidents.is_empty() {
        if let Some(problem) = first_problem {
            return Err(ParseError::Invalid {
                format: FORMAT,
                message: format!("none of the {seen} incidents could be read; first: {problem}"),
            });
        }
    }
    Ok(incidents)
}

fn page_info(page: Option<&Page>, ctx: &ParseContext) -> Result<PageInfo, ParseError> {
    let given = ctx
        .vendor
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string);
    let vendor = given
        .or_else(|| {
            page.and_then(|p| p.name.as_deref())
                .and_then(vendor_from_title)
        })
        .ok_or_else(|| ParseError::Invalid {
            format: FORMAT,
            message: "no vendor: the document has no page.name and no vendor was given".into(),
        })?;
    let base_url = page
        .and_then(|p| p.url.as_deref())
        .and_then(http_url)
        .or_else(|| {
            let url = url::Url::parse(ctx.url.as_deref()?).ok()?;
            matches!(url.scheme(), "http" | "https").then(|| url.origin().ascii_serialization())
        })
        .map(|u| u.trim_end_matches('/').to_string());
    Ok(PageInfo { vendor, base_url })
}

fn time(s: Option<&str>) -> Option<DateTime<Utc>> {
    parse_feed_date(s?)
}

fn to_incident(api: ApiIncident, listing: Listing, page: &PageInfo) -> Result<Incident, String> {
    let native_id = api.id.as_deref().map(str::trim).unwrap_or_default();
    if native_id.is_empty() {
        return Err("an incident has no id".into());
    }
    if !native_id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "incident id {native_id:?} is not a Statuspage code"
        ));
    }
    let title = one_line(&clean_text(api.name.as_deref().unwrap_or_default()));

    let api_updates = api.incident_updates.unwrap_or_default();
    let mut affected: Vec<String> = Vec::new();
    let mut updates = Vec::with_capacity(api_updates.len());
    for u in &api_updates {
        updates.push(Update {
            at: time(u.display_at.as_deref()).or_else(|| time(u.created_at.as_deref())),
            status: u
                .status
                .as_deref()
                .unwrap_or_default()
                .trim()
                .to_lowercase(),
            text: body_text(u.body.as_deref().unwrap_or_default()),
        });
    }
    // The API lists newest first; components are collected in the order they were first hit.
    let updates = oldest_first(updates);
    for u in api_updates.iter().rev() {
        for c in u.affected_components.iter().flatten() {
            push_unique(&mut affected, c.name.as_deref().unwrap_or_default());
        }
    }

    let status = api
        .status
        .as_deref()
        .and_then(Status::from_label)
        .or_else(|| {
            updates
                .iter()
                .rev()
                .find_map(|u| Status::from_label(&u.status))
        })
        .unwrap_or(Status::Unknown);
    let impact = api
        .impact
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let scheduled_for = time(api.scheduled_for.as_deref());
    let is_maintenance = listing == Listing::Maintenances
        || impact.is_some_and(|i| i.eq_ignore_ascii_case("maintenance"))
        || scheduled_for.is_some()
        || matches!(
            status,
            Status::Scheduled | Status::InProgress | Status::Completed
        );
    let severity = if is_maintenance {
        Severity::Maintenance
    } else {
        impact.map_or(Severity::Unknown, severity_from_impact)
    };

    let resolved_at = time(api.resolved_at.as_deref());
    let end = if status.is_closed() {
        resolved_at.or_else(|| closing_update_time(&updates))
    } else if is_maintenance && status == Status::Scheduled {
        time(api.scheduled_until.as_deref())
    } else {
        None
    };
    let started_at = time(api.started_at.as_deref());
    let created_at = time(api.created_at.as_deref());
    let start = if is_maintenance {
        maintenance_start(&updates, scheduled_for, end).or_else(|| {
            [started_at, created_at]
                .into_iter()
                .flatten()
                .find(|t| end.is_none_or(|e| *t <= e))
        })
    } else {
        let earliest_update = updates.iter().filter_map(|u| u.at).min();
        [started_at, created_at, earliest_update]
            .into_iter()
            .flatten()
            .find(|t| end.is_none_or(|e| *t <= e))
    };

    let mut services: Vec<String> = Vec::new();
    for c in api.components.iter().flatten() {
        push_unique(&mut services, c.name.as_deref().unwrap_or_default());
    }
    if services.is_empty() {
        services = affected;
    }

    let postmortem = api
        .postmortem_body
        .as_deref()
        .map(body_text)
        .filter(|t| !t.is_empty());
    let cause = incident_cause(postmortem.as_deref(), &updates);

    let url = api.shortlink.as_deref().and_then(http_url).or_else(|| {
        page.base_url
            .as_ref()
            .map(|base| format!("{base}/incidents/{native_id}"))
    });
    let quote = source_quote(&title, &updates);

    Ok(Incident {
        id: incident_id(&page.vendor, native_id),
        vendor: page.vendor.clone(),
        title,
        start,
        end,
        status,
        severity,
        severity_native: impact.map(str::to_string),
        stated_minutes: None,
        regions: Vec::new(),
        services,
        cause,
        updates,
        sources: vec![SourceRef {
            url,
            kind: ReportKind::Status,
            quote: Some(quote),
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rfc3339;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/statuspage/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
    }

    fn parse_fixture(name: &str) -> Vec<Incident> {
        parse(&fixture(name), &ParseContext::default()).expect("fixture parses")
    }

    fn at(t: Option<DateTime<Utc>>) -> Option<String> {
        t.map(rfc3339)
    }

    #[test]
    fn incidents_list_keeps_order_and_maps_every_field() {
        let got = parse_fixture("incidents-list-imitation.json");
        let titles: Vec<&str> = got.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(
            titles,
            vec![
                "Elevated API error rates",
                "Delayed email notifications",
                "Dashboard slow to load"
            ]
        );
        let api = &got[0];
        assert_eq!(api.id, "acme-cloud:k3lq9v7xw2zd");
        assert_eq!(api.vendor, "Acme Cloud");
        assert_eq!(api.status, Status::Resolved);
        assert_eq!(api.severity, Severity::Major);
        assert_eq!(api.severity_native.as_deref(), Some("major"));
        // Offsets in the API are the page's local zone (-06:00 here).
        assert_eq!(at(api.start).as_deref(), Some("2024-03-05T15:58:00Z"));
        assert_eq!(at(api.end).as_deref(), Some("2024-03-05T17:10:05Z"));
        assert_eq!(api.services, vec!["API", "Webhooks"]);
        let labels: Vec<&str> = api.updates.iter().map(|u| u.status.as_str()).collect();
        assert_eq!(
            labels,
            vec!["investigating", "identified", "resolved", "postmortem"]
        );
        assert_eq!(
            api.updates[1].text,
            "We found a faulty load balancer rule & are rolling it back."
        );
        assert_eq!(
            api.cause.as_deref(),
            Some(
                "The errors were caused by a load balancer rule that dropped requests with large headers."
            )
        );
        assert_eq!(
            api.sources[0].url.as_deref(),
            Some("https://stspg.io/acme0001")
        );
        assert_eq!(
            api.sources[0].quote.as_deref(),
            Some(
                "Elevated API error rates: The errors were caused by a load balancer rule that dropped requests with large headers. We have added a test for header sizes."
            )
        );
    }

    #[test]
    fn resolution_falls_back_to_the_resolved_update() {
        let got = parse_fixture("incidents-list-imitation.json");
        let email = &got[1];
        assert_eq!(email.status, Status::Resolved);
        assert_eq!(at(email.end).as_deref(), Some("2024-03-02T10:45:00Z"));
        // No started_at: created_at is the start.
        assert_eq!(at(email.start).as_deref(), Some("2024-03-02T09:30:00Z"));
        // No incident components: the services are the update components, first seen first.
        assert_eq!(email.services, vec!["Email", "Notifications"]);
        assert_eq!(email.severity, Severity::Minor);
        // No shortlink: the link is built from the page URL.
        assert_eq!(
            email.sources[0].url.as_deref(),
            Some("https://status.acme.test/incidents/p0f8w1xq7m3c")
        );
    }

    #[test]
    fn hostile_and_missing_values_do_not_invent_facts() {
        let got = parse_fixture("incidents-list-imitation.json");
        let slow = &got[2];
        assert_eq!(slow.status, Status::Monitoring);
        assert_eq!(slow.end, None);
        // started_at is "not a date": created_at is used.
        assert_eq!(at(slow.start).as_deref(), Some("2024-03-01T08:00:00Z"));
        assert_eq!(slow.severity, Severity::Unknown);
        assert_eq!(slow.severity_native, None);
        // A javascript: shortlink is not a link.
        assert_eq!(
            slow.sources[0].url.as_deref(),
            Some("https://status.acme.test/incidents/z9y8x7w6v5u4")
        );
        // Escape characters are dropped from the text.
        assert_eq!(slow.updates[0].text, "Dashboards load slowly.");
    }

    #[test]
    fn unresolved_list_reads_ongoing_incidents() {
        let got = parse_fixture("unresolved-imitation.json");
        assert_eq!(got.len(), 1);
        let i = &got[0];
        assert_eq!(i.status, Status::Identified);
        assert_eq!(i.end, None);
        assert_eq!(at(i.start).as_deref(), Some("2024-03-06T07:55:00Z"));
        assert_eq!(i.severity, Severity::Critical);
        assert_eq!(i.services, vec!["Login"]);
    }

    #[test]
    fn empty_unresolved_list_is_no_incidents_not_an_error() {
        let got = parse(
            br#"{"page":{"name":"Acme Status","url":"https://status.acme.test"},"incidents":[]}"#,
            &ParseContext::default(),
        )
        .expect("empty list parses");
        assert!(got.is_empty());
    }

    #[test]
    fn scheduled_maintenances_use_their_window() {
        let got = parse_fixture("scheduled-maintenances-imitation.json");
        assert_eq!(got.len(), 3);
        let upcoming = &got[0];
        assert_eq!(upcoming.title, "Database upgrade");
        assert_eq!(upcoming.status, Status::Scheduled);
        assert_eq!(upcoming.severity, Severity::Maintenance);
        assert_eq!(upcoming.severity_native.as_deref(), Some("maintenance"));
        assert_eq!(at(upcoming.start).as_deref(), Some("2024-04-10T02:00:00Z"));
        assert_eq!(at(upcoming.end).as_deref(), Some("2024-04-10T04:00:00Z"));
        assert_eq!(upcoming.services, vec!["Database"]);

        let running = &got[1];
        assert_eq!(running.status, Status::InProgress);
        assert_eq!(running.severity, Severity::Maintenance);
        // Work began at the in_progress update, not when the maintenance was announced.
        assert_eq!(at(running.start).as_deref(), Some("2024-04-01T01:02:00Z"));
        assert_eq!(running.end, None);

        let done = &got[2];
        assert_eq!(done.status, Status::Completed);
        // Listed as a maintenance, so its "none" impact does not make it an incident.
        assert_eq!(done.severity, Severity::Maintenance);
        assert_eq!(done.severity_native.as_deref(), Some("none"));
        assert_eq!(at(done.start).as_deref(), Some("2024-03-20T22:00:00Z"));
        // resolved_at is null: the completed update closes it.
        assert_eq!(at(done.end).as_deref(), Some("2024-03-20T23:30:00Z"));
        let labels: Vec<&str> = done.updates.iter().map(|u| u.status.as_str()).collect();
        assert_eq!(labels, vec!["scheduled", "in_progress", "completed"]);
    }

    #[test]
    fn a_maintenance_posted_only_as_scheduled_and_completed_starts_at_its_first_update() {
        let doc = br#"{"page":{"name":"Acme Status"},"scheduled_maintenances":[{"id":"sc1","name":"Router upgrade","status":"completed","impact":"maintenance","resolved_at":"2024-04-10T04:05:00Z","incident_updates":[
            {"status":"completed","body":"Done.","display_at":"2024-04-10T04:05:00Z"},
            {"status":"scheduled","body":"We will upgrade routers.","display_at":"2024-04-01T12:00:00Z"}]}]}"#;
        let got = parse(doc, &ParseContext::default()).expect("parses");
        assert_eq!(at(got[0].start).as_deref(), Some("2024-04-01T12:00:00Z"));
        assert_eq!(at(got[0].end).as_deref(), Some("2024-04-10T04:05:00Z"));
        // With a stated window, the window's start.
        let doc = br#"{"page":{"name":"Acme Status"},"scheduled_maintenances":[{"id":"sc2","name":"Router upgrade","status":"completed","impact":"maintenance","scheduled_for":"2024-04-10T02:00:00Z","scheduled_until":"2024-04-10T04:00:00Z","resolved_at":"2024-04-10T04:05:00Z","incident_updates":[
            {"status":"completed","body":"Done.","display_at":"2024-04-10T04:05:00Z"},
            {"status":"scheduled","body":"We will upgrade routers.","display_at":"2024-04-01T12:00:00Z"}]}]}"#;
        let got = parse(doc, &ParseContext::default()).expect("parses");
        assert_eq!(at(got[0].start).as_deref(), Some("2024-04-10T02:00:00Z"));
    }

    #[test]
    fn summary_reads_incidents_and_maintenances() {
        let got = parse_fixture("summary-with-maintenance-imitation.json");
        let kinds: Vec<(&str, Severity, Status)> = got
            .iter()
            .map(|i| (i.title.as_str(), i.severity, i.status))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (
                    "Search results incomplete",
                    Severity::Minor,
                    Status::Investigating
                ),
                (
                    "Network maintenance",
                    Severity::Maintenance,
                    Status::InProgress
                ),
            ]
        );
        assert_eq!(got[1].id, "acme-cloud:m41nt3n4nc3x");
        assert_eq!(at(got[1].start).as_deref(), Some("2024-03-07T03:00:00Z"));
    }

    #[test]
    fn vendor_from_context_wins_over_page_name() {
        let ctx = ParseContext {
            vendor: Some("Acme".into()),
            ..ParseContext::default()
        };
        let got = parse(&fixture("unresolved-imitation.json"), &ctx).expect("parses");
        assert_eq!(got[0].vendor, "Acme");
        assert_eq!(got[0].id, "acme:l0g1nf41lur3");
    }

    #[test]
    fn link_falls_back_to_the_fetched_url_origin() {
        let ctx = ParseContext {
            url: Some("https://status.example.test/api/v2/incidents.json".into()),
            ..ParseContext::default()
        };
        let doc = br#"{"page":{"name":"Example"},"incidents":[{"id":"abc123","name":"X","status":"investigating"}]}"#;
        let got = parse(doc, &ctx).expect("parses");
        assert_eq!(
            got[0].sources[0].url.as_deref(),
            Some("https://status.example.test/incidents/abc123")
        );
        assert_eq!(got[0].status, Status::Investigating);
        assert_eq!(got[0].start, None);
    }

    #[test]
    fn one_bad_incident_is_skipped() {
        let doc = br#"{"page":{"name":"Example"},"incidents":[
            {"id":"good1","name":"Fine","status":"resolved","resolved_at":"2024-01-01T10:00:00Z","created_at":"2024-01-01T09:00:00Z"},
            {"name":"No id"},
            {"id":"bad2","name":5},
            {"id":"../etc","name":"Path"}
        ]}"#;
        let got = parse(doc, &ParseContext::default()).expect("parses");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].id, "example:good1");
        assert_eq!(at(got[0].start).as_deref(), Some("2024-01-01T09:00:00Z"));
    }

    #[test]
    fn documents_with_nothing_usable_are_errors() {
        let ctx = ParseContext::default();
        let err = |doc: &[u8]| parse(doc, &ctx).expect_err("must fail").to_string();
        assert_eq!(
            err(b"{\"page\":{\"name\":\"X\"}}"),
            "statuspage-json: no \"incident\", \"incidents\" or \"scheduled_maintenances\" in the document"
        );
        assert_eq!(
            err(b"{\"incidents\":[]}"),
            "statuspage-json: no vendor: the document has no page.name and no vendor was given"
        );
        assert_eq!(
            err(b"{\"page\":{\"name\":\"X\"},\"incidents\":[{\"name\":\"no id\"}]}"),
            "statuspage-json: none of the 1 incidents could be read; first: an incident has no id"
        );
        assert!(err(b"<html>").starts_with("invalid statuspage-json JSON: "));
        assert!(err(b"[1,2]").starts_with("invalid statuspage-json JSON: "));
    }

    #[test]
    fn start_after_end_is_refused() {
        // Shape of GitHub's backfilled incidents: started_at set when entered, after resolved_at.
        let doc = br#"{"page":{"name":"GitHub"},"incident":{"id":"bf1","name":"Backfilled","status":"resolved",
            "created_at":"2020-03-31T08:00:00.000Z","started_at":"2020-03-31T09:09:46.298Z",
            "resolved_at":"2020-03-31T08:00:00.000Z","incident_updates":[]}}"#;
        let got = parse(doc, &ParseContext::default()).expect("parses");
        assert_eq!(at(got[0].start).as_deref(), Some("2020-03-31T08:00:00Z"));
        assert_eq!(at(got[0].end).as_deref(), Some("2020-03-31T08:00:00Z"));

        let doc = br#"{"page":{"name":"GitHub"},"incident":{"id":"bf2","name":"All late","status":"resolved",
            "created_at":"2020-03-31T09:00:00Z","started_at":"2020-03-31T09:09:46Z",
            "resolved_at":"2020-03-31T08:00:00Z","incident_updates":[]}}"#;
        let got = parse(doc, &ParseContext::default()).expect("parses");
        assert_eq!(got[0].start, None);
    }
}
