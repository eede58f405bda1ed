//! Hosted status platforms (Slack, incident.io, Salesforce Trust, Instatus, status.io, Better
//! Stack, Cachet) and the generic feed fallback, end to end through `parse::detect` and
//! `parse::parse`. Fixtures named `*.documented-shape.*` are written from the vendors' documented
//! shapes because no real capture exists; the Salesforce instance status is the real corpus file.

use std::path::PathBuf;

use outages::model::{Event, Format, Incident, Severity, Status, rfc3339};
use outages::parse::{self, ParseContext, ParseError};

use crate::corpus;

fn fixture(relative: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

fn ctx(vendor: Option<&str>) -> ParseContext {
    ParseContext {
        vendor: vendor.map(str::to_string),
        ..ParseContext::default()
    }
}

/// Parses a fixture through detection, asserting the detected format.
fn parse_as(relative: &str, expected: Format, vendor: Option<&str>) -> Vec<Incident> {
    let bytes = fixture(relative);
    assert_eq!(parse::detect(&bytes), Some(expected), "detect({relative})");
    let parsed = parse::parse(&bytes, &ctx(vendor)).expect("parses");
    assert_eq!(parsed.format, expected);
    assert_schema_valid(&parsed.incidents);
    parsed.incidents
}

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> Option<String> {
    t.map(rfc3339)
}

/// Every event must satisfy the shared output contract.
fn assert_schema_valid(incidents: &[Incident]) {
    let Some(dir) = corpus::corpus_dir() else {
        return;
    };
    let Some(schema_path) = dir.parent().map(|p| p.join("event.schema.json")) else {
        return;
    };
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&schema_path).expect("event.schema.json"))
            .expect("schema is JSON");
    let events: Vec<Event> = incidents.iter().map(Event::from).collect();
    let value = serde_json::to_value(&events).expect("events serialise");
    if let Err(e) = jsonschema::validate(&schema, &value) {
        panic!("event contract violated: {e}");
    }
}

#[test]
fn slack_history_maps_type_status_and_times() {
    let got = parse_as(
        "slack/slack-history.documented-shape.json",
        Format::SlackJson,
        None,
    );
    assert_eq!(got.len(), 3);

    let files = &got[0];
    assert_eq!(files.id, "slack:1745");
    assert_eq!(files.vendor, "Slack");
    assert_eq!(files.title, "Some users may have trouble uploading files");
    assert_eq!(time(files.start).as_deref(), Some("2024-03-05T16:10:12Z"));
    // The last note (the resolution), not date_updated two days later.
    assert_eq!(time(files.end).as_deref(), Some("2024-03-05T18:41:03Z"));
    assert_eq!(files.status, Status::Resolved);
    assert_eq!(files.severity, Severity::Minor);
    assert_eq!(files.severity_native.as_deref(), Some("incident"));
    assert_eq!(files.services, vec!["Files", "Messaging"]);
    assert_eq!(files.updates.len(), 2);
    assert_eq!(
        files.updates[0].text,
        "We're investigating reports of file uploads failing for some users."
    );
    assert_eq!(
        files.sources[0].url.as_deref(),
        Some("https://slack-status.com/2024-03/8f1c2d3e4a5b6c7d")
    );

    let maintenance = &got[1];
    assert_eq!(maintenance.status, Status::Completed);
    assert_eq!(maintenance.severity, Severity::Maintenance);
    // No notes: date_updated is the end.
    assert_eq!(
        time(maintenance.end).as_deref(),
        Some("2024-03-10T09:30:00Z")
    );

    let outage = &got[2];
    assert_eq!(outage.severity, Severity::Major);
    assert_eq!(outage.status, Status::Identified);
    assert_eq!(time(outage.start).as_deref(), Some("2024-03-12T13:55:00Z"));
    assert_eq!(outage.end, None);
    assert_eq!(outage.services, vec!["Login/SSO", "Connections"]);
}

#[test]
fn slack_current_lists_its_active_incidents() {
    let got = parse_as(
        "slack/slack-current.documented-shape.json",
        Format::SlackJson,
        None,
    );
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, "slack:1747");
    assert_eq!(got[0].status, Status::Investigating);
    assert_eq!(got[0].end, None);
}

#[test]
fn slack_feed_strips_the_type_and_reads_status_words() {
    let got = parse_as(
        "slack/slack-feed.documented-shape.atom",
        Format::SlackFeed,
        None,
    );
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].title, "Slack is unavailable for some users");
    assert_eq!(got[0].severity, Severity::Major);
    assert_eq!(got[0].severity_native.as_deref(), Some("outage"));
    assert_eq!(got[0].status, Status::Identified);
    assert_eq!(time(got[0].start).as_deref(), Some("2024-03-12T13:55:00Z"));
    assert_eq!(got[0].end, None);
    assert_eq!(
        got[0].id,
        "slack:https://slack-status.com/2024-03/1b2c3d4e5f6a7b8c"
    );
    assert_eq!(got[1].title, "Some users may have trouble uploading files");
    assert_eq!(got[1].severity, Severity::Minor);
    assert_eq!(got[1].status, Status::Resolved);
    assert_eq!(time(got[1].end).as_deref(), Some("2024-03-05T18:41:03Z"));
}

#[test]
fn incidentio_widget_maps_impacts_and_lists() {
    let got = parse_as(
        "incidentio/incidentio-widget-summary.documented-shape.json",
        Format::IncidentioWidget,
        None,
    );
    assert_eq!(got.len(), 3);
    let incident = &got[0];
    assert_eq!(incident.id, "acme:01HZX3K9ZJ4Q6N5V8T2M7B1C0D");
    assert_eq!(incident.vendor, "Acme");
    assert_eq!(incident.title, "Elevated error rates for chat completions");
    assert_eq!(incident.status, Status::Monitoring);
    assert_eq!(incident.severity, Severity::Critical);
    assert_eq!(incident.severity_native.as_deref(), Some("full_outage"));
    assert_eq!(incident.services, vec!["Chat Completions", "Playground"]);
    assert_eq!(incident.start, None, "the widget gives no onset");
    assert_eq!(
        time(incident.updates[0].at).as_deref(),
        Some("2024-06-01T10:15:00Z")
    );
    assert_eq!(incident.updates[0].status, "monitoring");

    assert_eq!(got[1].status, Status::InProgress);
    assert_eq!(got[1].severity, Severity::Maintenance);
    assert_eq!(time(got[1].start).as_deref(), Some("2024-06-01T09:00:00Z"));
    assert_eq!(got[1].services, vec!["Fine-tuning"]);
    assert_eq!(got[2].status, Status::Scheduled);
    assert_eq!(time(got[2].start).as_deref(), Some("2024-06-08T02:00:00Z"));
    assert_eq!(got[2].end, None);
}

#[test]
fn incidentio_feed_shares_ids_with_the_widget_and_reads_components() {
    let got = parse_as(
        "incidentio/incidentio-feed.documented-shape.rss",
        Format::IncidentioFeed,
        None,
    );
    assert_eq!(got.len(), 2);
    let resolved = &got[0];
    assert_eq!(resolved.id, "acme:01HZX3K9ZJ4Q6N5V8T2M7B1C0D");
    assert_eq!(resolved.vendor, "Acme");
    assert_eq!(resolved.status, Status::Resolved);
    assert_eq!(
        time(resolved.start).as_deref(),
        Some("2024-06-01T09:41:00Z")
    );
    assert_eq!(time(resolved.end).as_deref(), Some("2024-06-01T10:52:00Z"));
    assert_eq!(resolved.severity, Severity::Critical);
    assert_eq!(resolved.severity_native.as_deref(), Some("full outage"));
    assert_eq!(resolved.services, vec!["Chat Completions", "Playground"]);
    assert_eq!(
        resolved.sources[0].url.as_deref(),
        Some("https://status.acme.example/incidents/01HZX3K9ZJ4Q6N5V8T2M7B1C0D")
    );
    let open = &got[1];
    assert_eq!(open.status, Status::Investigating);
    assert_eq!(open.severity, Severity::Major);
    assert_eq!(time(open.start).as_deref(), Some("2024-05-31T15:00:00Z"));
    assert_eq!(open.end, None);
}

#[test]
fn salesforce_incidents_take_impact_window_pods_and_regions() {
    let got = parse_as(
        "salesforce/salesforce-incidents.documented-shape.json",
        Format::SalesforceJson,
        None,
    );
    assert_eq!(got.len(), 2);
    let closed = &got[0];
    assert_eq!(closed.id, "salesforce:15023");
    assert_eq!(closed.vendor, "Salesforce");
    assert_eq!(
        closed.title,
        "Performance Degradation - Sales and Service Clouds"
    );
    assert_eq!(time(closed.start).as_deref(), Some("2024-07-10T14:47:00Z"));
    assert_eq!(time(closed.end).as_deref(), Some("2024-07-10T17:52:00Z"));
    assert_eq!(closed.status, Status::Resolved);
    assert_eq!(closed.severity, Severity::Major);
    assert_eq!(closed.severity_native.as_deref(), Some("major"));
    assert_eq!(closed.services, vec!["coreService", "NA14", "EU25", "CS96"]);
    assert_eq!(closed.regions, vec!["North America", "Europe"]);
    assert_eq!(closed.updates.len(), 2);
    assert_eq!(closed.updates[0].status, "investigating");
    assert_eq!(closed.updates[1].status, "resolved");
    assert_eq!(
        closed.sources[0].url.as_deref(),
        Some("https://status.salesforce.com/incidents/15023")
    );

    let open = &got[1];
    assert_eq!(open.status, Status::Unknown);
    assert_eq!(open.end, None);
    assert_eq!(time(open.start).as_deref(), Some("2024-07-11T08:41:00Z"));
    assert_eq!(open.regions, vec!["North America", "Asia Pacific"]);
}

#[test]
fn salesforce_instance_status_turns_incidents_and_maintenances_into_incidents() {
    let got = parse_as(
        "salesforce/salesforce-instance-status-with-events.documented-shape.json",
        Format::SalesforceJson,
        None,
    );
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].title, "Login failures on EU25");
    assert_eq!(got[0].services, vec!["coreService", "EU25"]);
    assert_eq!(got[0].regions, vec!["Europe"]);
    assert_eq!(got[0].status, Status::Investigating);
    assert_eq!(time(got[0].start).as_deref(), Some("2024-07-12T07:02:00Z"));
    let maintenance = &got[1];
    assert_eq!(maintenance.id, "salesforce:3301");
    assert_eq!(maintenance.title, "EU25 Major Release Upgrade");
    assert_eq!(maintenance.severity, Severity::Maintenance);
    assert_eq!(maintenance.status, Status::Scheduled);
    assert_eq!(
        time(maintenance.start).as_deref(),
        Some("2024-07-13T20:00:00Z")
    );
    assert_eq!(maintenance.end, None);
    assert_eq!(
        maintenance.sources[0].url.as_deref(),
        Some("https://status.salesforce.com/maintenances/3301")
    );
}

#[test]
fn salesforce_real_cs96_instance_without_events_is_empty() {
    let Some(path) =
        corpus::corpus_file("other-vendors/salesforce-trust-instance-status-CS96.json")
    else {
        return;
    };
    let bytes = std::fs::read(&path).expect("corpus file");
    assert_eq!(parse::detect(&bytes), Some(Format::SalesforceJson));
    let parsed = parse::parse(&bytes, &ParseContext::default()).expect("parses");
    assert_eq!(parsed.format, Format::SalesforceJson);
    assert!(parsed.incidents.is_empty());
}

#[test]
fn instatus_summary_reads_incidents_and_maintenances() {
    let got = parse_as(
        "instatus/instatus-summary.documented-shape.json",
        Format::InstatusJson,
        None,
    );
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].id, "acme:clx9a1b2c0001qz7k3m4n5p6r");
    assert_eq!(got[0].vendor, "Acme");
    assert_eq!(got[0].title, "Webhooks are delayed");
    assert_eq!(got[0].status, Status::Identified);
    assert_eq!(got[0].severity, Severity::Major);
    assert_eq!(got[0].severity_native.as_deref(), Some("partialoutage"));
    assert_eq!(time(got[0].start).as_deref(), Some("2024-08-20T13:05:00Z"));
    assert_eq!(got[0].end, None);
    assert_eq!(got[1].status, Status::Scheduled);
    assert_eq!(got[1].severity, Severity::Maintenance);
    assert_eq!(time(got[1].start).as_deref(), Some("2024-08-21T01:00:00Z"));
}

#[test]
fn statusio_grades_by_worst_code_and_maps_containers_to_regions() {
    let got = parse_as(
        "statusio/statusio-status.documented-shape.json",
        Format::StatusioJson,
        Some("Acme"),
    );
    assert_eq!(got.len(), 3);
    let open = &got[0];
    assert_eq!(open.id, "acme:66d72f0a1c2b3a0012345678");
    assert_eq!(open.status, Status::Identified);
    assert_eq!(open.severity, Severity::Major);
    assert_eq!(
        open.severity_native.as_deref(),
        Some("Partial Service Disruption")
    );
    assert_eq!(time(open.start).as_deref(), Some("2024-09-03T15:48:00Z"));
    assert_eq!(open.end, None);
    assert_eq!(open.services, vec!["API"]);
    assert_eq!(open.regions, vec!["US East"]);

    let closed = &got[1];
    assert_eq!(closed.status, Status::Resolved);
    assert_eq!(closed.severity, Severity::Critical);
    assert_eq!(time(closed.end).as_deref(), Some("2024-09-01T08:45:00Z"));
    assert_eq!(closed.regions, vec!["US East", "EU West"]);

    assert_eq!(got[2].status, Status::Scheduled);
    assert_eq!(got[2].severity, Severity::Maintenance);
    assert_eq!(time(got[2].start).as_deref(), Some("2024-09-10T02:00:00Z"));
}

#[test]
fn betterstack_reports_link_updates_and_resources() {
    let got = parse_as(
        "betterstack/betterstack-index.documented-shape.json",
        Format::BetterstackJson,
        None,
    );
    assert_eq!(got.len(), 2);
    let resolved = &got[0];
    assert_eq!(resolved.id, "acme:7001");
    assert_eq!(resolved.title, "Checkout API unreachable");
    assert_eq!(resolved.status, Status::Resolved);
    assert_eq!(resolved.severity, Severity::Critical);
    assert_eq!(resolved.severity_native.as_deref(), Some("downtime"));
    assert_eq!(
        time(resolved.start).as_deref(),
        Some("2024-10-02T11:00:00Z")
    );
    assert_eq!(time(resolved.end).as_deref(), Some("2024-10-02T11:48:00Z"));
    assert_eq!(resolved.services, vec!["Checkout API"]);
    assert_eq!(resolved.updates.len(), 2);
    assert_eq!(resolved.updates[0].status, "investigating");

    let open = &got[1];
    assert_eq!(open.status, Status::Identified);
    assert_eq!(open.severity, Severity::Minor);
    assert_eq!(open.end, None);
    assert_eq!(open.services, vec!["Website"]);
}

#[test]
fn betterstack_feed_goes_through_the_generic_parser() {
    let got = parse_as(
        "betterstack/betterstack-feed.documented-shape.rss",
        Format::Feed,
        None,
    );
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].vendor, "Acme");
    assert_eq!(got[0].title, "Checkout API unreachable");
    assert_eq!(got[0].status, Status::Resolved);
    assert_eq!(got[0].severity, Severity::Critical);
    assert_eq!(got[0].id, "acme:https://status.acme.example/incident/7001");
}

#[test]
fn cachet_statuses_and_zoneless_times() {
    let bytes = fixture("cachet/cachet-incidents.documented-shape.json");
    assert_eq!(parse::detect(&bytes), Some(Format::CachetJson));
    let ctx = ParseContext {
        vendor: Some("Acme".into()),
        url: Some("https://status.acme.example/api/v1/incidents".into()),
        ..ParseContext::default()
    };
    let got = parse::parse(&bytes, &ctx).expect("parses").incidents;
    assert_schema_valid(&got);
    assert_eq!(got.len(), 3);
    let fixed = &got[0];
    assert_eq!(fixed.id, "acme:41");
    assert_eq!(fixed.status, Status::Resolved);
    assert_eq!(fixed.severity, Severity::Major);
    assert_eq!(time(fixed.start).as_deref(), Some("2024-11-05T08:57:00Z"));
    assert_eq!(time(fixed.end).as_deref(), Some("2024-11-05T10:03:00Z"));
    assert_eq!(fixed.updates[0].status, "fixed");
    assert_eq!(
        fixed.sources[0].url.as_deref(),
        Some("https://status.acme.example/incidents/41")
    );
    assert_eq!(got[1].status, Status::Monitoring);
    assert_eq!(got[1].severity, Severity::Unknown);
    assert_eq!(got[1].end, None);
    assert_eq!(got[2].status, Status::Scheduled);
    assert_eq!(got[2].severity, Severity::Maintenance);
    assert_eq!(time(got[2].start).as_deref(), Some("2024-11-10T02:00:00Z"));
}

#[test]
fn cachet_without_vendor_is_an_error_naming_the_problem() {
    let bytes = fixture("cachet/cachet-incidents.documented-shape.json");
    match parse::parse(&bytes, &ParseContext::default()) {
        Err(ParseError::Invalid { message, .. }) => assert!(message.contains("vendor")),
        other => panic!("expected a missing-vendor error, got {other:?}"),
    }
}

#[test]
fn generic_feed_reads_labels_stated_times_and_impact_words() {
    let got = parse_as("feed/generic-status.atom", Format::Feed, None);
    assert_eq!(got.len(), 3);
    let storage = &got[0];
    assert_eq!(storage.vendor, "Acme Cloud");
    assert_eq!(storage.id, "acme-cloud:urn:example:incident:501");
    assert_eq!(storage.title, "Object storage errors");
    assert_eq!(storage.status, Status::Resolved);
    assert_eq!(time(storage.start).as_deref(), Some("2024-12-01T10:05:00Z"));
    assert_eq!(time(storage.end).as_deref(), Some("2024-12-01T11:40:00Z"));
    assert_eq!(storage.severity, Severity::Major);
    assert_eq!(storage.severity_native.as_deref(), Some("partial outage"));
    assert_eq!(
        storage.sources[0].url.as_deref(),
        Some("https://status.acme.example/incidents/501")
    );

    let dashboard = &got[1];
    assert_eq!(dashboard.title, "Degraded performance of the dashboard");
    assert_eq!(dashboard.status, Status::Investigating);
    assert_eq!(dashboard.severity, Severity::Minor);
    assert_eq!(
        time(dashboard.start).as_deref(),
        Some("2024-12-02T08:00:00Z")
    );
    assert_eq!(dashboard.end, None);

    let maintenance = &got[2];
    assert_eq!(maintenance.status, Status::Scheduled);
    assert_eq!(maintenance.severity, Severity::Maintenance);
    assert_eq!(
        time(maintenance.start).as_deref(),
        Some("2024-12-07T01:00:00Z")
    );
    assert_eq!(maintenance.end, None);
    assert!(maintenance.id.starts_with("acme-cloud:sha256-"));
}

#[test]
fn feed_item_without_guid_or_link_keeps_its_id_across_parses() {
    let feed = |label: &str| {
        format!(
            r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Acme Status</title>
            <item><title>[{label}] Queue backlog</title><description>Jobs are delayed.</description>
            <pubDate>Tue, 03 Dec 2024 10:00:00 +0000</pubDate></item></channel></rss>"#
        )
    };
    let id = |xml: String| {
        let got = parse::parse(xml.as_bytes(), &ParseContext::default()).expect("parses");
        assert_eq!(got.format, Format::Feed);
        got.incidents
            .first()
            .map(|i| i.id.clone())
            .expect("one incident")
    };
    let first = id(feed("Investigating"));
    assert_eq!(first, id(feed("Investigating")), "same bytes, same id");
    assert_eq!(
        first,
        id(feed("Resolved")),
        "a new status label keeps the id"
    );
    assert!(first.starts_with("acme:sha256-"));
}

#[test]
fn statuspage_compatible_incidentio_json_is_not_taken_for_the_widget() {
    let Some(path) = corpus::corpus_file("incidentio/openai-incidentio-summary-2026-09-29.json")
    else {
        return;
    };
    let bytes = std::fs::read(&path).expect("corpus file");
    assert_eq!(parse::detect(&bytes), Some(Format::StatuspageJson));
}

#[test]
fn hostile_feed_links_are_dropped() {
    let xml = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Acme Status</title>
        <item><title>Resolved: API errors</title><link>javascript:alert(1)</link>
        <guid isPermaLink="false">evt-9</guid><description>Fixed.</description></item>
        </channel></rss>"#;
    let got = parse::parse(xml.as_bytes(), &ParseContext::default()).expect("parses");
    assert_eq!(got.incidents[0].sources[0].url, None);
    assert_eq!(got.incidents[0].id, "acme:evt-9");
}

#[test]
fn not_a_feed_is_a_feed_error() {
    let ctx = ParseContext {
        format: Some(Format::Feed),
        vendor: Some("Acme".into()),
        ..ParseContext::default()
    };
    let got = parse::parse(b"<html><body>captive portal</body></html>", &ctx);
    assert!(matches!(got, Err(ParseError::Feed { .. })));
}

#[test]
fn real_feeds_of_other_kinds_are_not_taken_for_platform_feeds() {
    let cases = [
        ("news-feeds/cloudflare-blog-rss.xml", Format::Feed),
        ("news-feeds/ilgiornale-rss.xml", Format::Feed),
        ("news-feeds/nbcnewyork-rss.xml", Format::Feed),
        ("news-feeds/nyt-wirecutter-rss.xml", Format::Feed),
        (
            "news-feeds/theregister-software-headlines.atom",
            Format::Feed,
        ),
        ("postmortems/lwindolf-cloud-outages/feed.atom", Format::Feed),
        (
            "statuspage/feeds/parse-status-history-2014.rss",
            Format::StatuspageRss,
        ),
    ];
    for (relative, expected) in cases {
        let Some(path) = corpus::corpus_file(relative) else {
            return;
        };
        let bytes = std::fs::read(&path).expect("corpus file");
        assert_eq!(parse::detect(&bytes), Some(expected), "{relative}");
    }
}

#[test]
fn real_outage_index_feed_parses_one_incident_per_entry() {
    let Some(path) = corpus::corpus_file("postmortems/lwindolf-cloud-outages/feed.atom") else {
        return;
    };
    let bytes = std::fs::read(&path).expect("corpus file");
    let got = parse::parse(&bytes, &ctx(Some("Cloud Outages"))).expect("parses");
    assert_schema_valid(&got.incidents);
    let first = got.incidents.first().expect("entries");
    assert_eq!(first.title, "2026-05-05 DENIC");
    assert_eq!(
        first.id,
        "cloud-outages:https://codeberg.org/lwindolf/cloud-outages/2026/2026-05-05 DENIC.md"
    );
    assert_eq!(time(first.start).as_deref(), Some("2026-05-05T00:00:00Z"));
    assert_eq!(first.status, Status::Unknown);
    let entries = String::from_utf8_lossy(&bytes).matches("<entry>").count();
    assert_eq!(got.incidents.len(), entries);
}
