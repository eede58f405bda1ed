//! Google Cloud and Azure parsers against the real corpus (GCP `incidents.json`, Azure status
//! history entries) and against fixtures that imitate documented shapes with no real file (GCP
//! Atom feed, Azure RSS).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use outages::model::{Event, Format, Incident, Severity, Status};
use outages::parse::{self, ParseContext, ParseError, azure, gcp};

use crate::corpus;

fn utc(s: &str) -> Option<DateTime<Utc>> {
    Some(
        DateTime::parse_from_rfc3339(s)
            .expect("test time")
            .with_timezone(&Utc),
    )
}

fn fixture(relative: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("corpus file {}: {e}", path.display()))
}

fn find<'a>(incidents: &'a [Incident], id: &str) -> &'a Incident {
    incidents
        .iter()
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("no incident {id}"))
}

fn gcp_corpus() -> Option<Vec<Incident>> {
    let path = corpus::corpus_file("gcp/gcp-status-incidents.json")?;
    Some(gcp::parse(&read(&path), &ParseContext::default()).expect("GCP incidents.json parses"))
}

/// Rows of a CSV file; quoted fields may hold commas, doubled quotes and line breaks.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, _) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// The HTML cells of the Azure history sample (column `description`).
pub(crate) fn azure_history_cells() -> Option<Vec<(String, String)>> {
    let path = corpus::corpus_file("azure/azure-status-history-html-2021-sample.csv")?;
    let text = String::from_utf8(read(&path)).expect("CSV is UTF-8");
    let rows = csv_rows(&text);
    let header = rows.first().expect("CSV header");
    assert_eq!(
        header,
        &vec!["".to_string(), "description".into(), "vendor".into()]
    );
    Some(
        rows.iter()
            .skip(1)
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect(),
    )
}

fn azure_history_corpus() -> Option<Vec<Incident>> {
    let cells = azure_history_cells()?;
    let mut out = Vec::new();
    for (index, html) in cells {
        let parsed = azure::parse_history(html.as_bytes(), &ParseContext::default())
            .unwrap_or_else(|e| panic!("history row {index}: {e}"));
        out.extend(parsed);
    }
    Some(out)
}

fn schema_check(incidents: &[Incident]) {
    let Some(dir) = corpus::corpus_dir() else {
        return;
    };
    let schema: serde_json::Value =
        serde_json::from_slice(&read(&dir.join("../event.schema.json"))).expect("schema JSON");
    let events: Vec<Event> = incidents.iter().map(Event::from).collect();
    let instance = serde_json::to_value(&events).expect("events serialise");
    if let Err(e) = jsonschema::validate(&schema, &instance) {
        panic!("events break the contract: {e}");
    }
}

// ---- Google Cloud incidents.json (real corpus) ----

#[test]
fn gcp_corpus_has_157_incidents_with_pinned_severities() {
    let Some(incidents) = gcp_corpus() else {
        return;
    };
    assert_eq!(incidents.len(), 157);
    let count = |s: Severity| incidents.iter().filter(|i| i.severity == s).count();
    assert_eq!(count(Severity::Critical), 20);
    assert_eq!(count(Severity::Major), 118);
    assert_eq!(count(Severity::Minor), 19);
    assert_eq!(count(Severity::Unknown), 0);
    assert!(incidents.iter().all(|i| i.status == Status::Resolved));
    assert!(
        incidents
            .iter()
            .all(|i| i.start.is_some() && i.end.is_some())
    );
    assert_eq!(
        incidents.iter().map(|i| i.updates.len()).sum::<usize>(),
        770
    );
    assert_eq!(incidents.iter().filter(|i| i.cause.is_some()).count(), 77);
    assert_eq!(
        incidents.iter().filter(|i| i.regions.is_empty()).count(),
        40
    );
    let mut ids: Vec<&str> = incidents.iter().map(|i| i.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 157);
}

#[test]
fn gcp_us_central1_networking_incident() {
    let Some(incidents) = gcp_corpus() else {
        return;
    };
    let i = find(&incidents, "google-cloud:fc7GCA6kAgnBihezUAkx");
    assert_eq!(
        i.title,
        "We are experiencing an issue with Google Cloud Networking at us-central1 across multiple \
         products, beginning at Tuesday, 2022-06-14 06:00 US/Pacific."
    );
    assert_eq!(i.start, utc("2022-06-14T13:56:00Z"));
    assert_eq!(i.end, utc("2022-06-15T00:43:00Z"));
    assert_eq!(i.duration_minutes(), Some(647));
    assert_eq!(i.severity, Severity::Major);
    assert_eq!(
        i.severity_native.as_deref(),
        Some("medium/SERVICE_DISRUPTION")
    );
    assert_eq!(
        i.services,
        vec![
            "Google Kubernetes Engine",
            "Google Cloud Networking",
            "Cloud Load Balancing",
            "Cloud Filestore"
        ]
    );
    assert_eq!(i.regions, vec!["us-central1"]);
    assert_eq!(
        i.cause.as_deref(),
        Some(
            "The incident was triggered when Google engineers rerouted traffic to these clusters \
             as part of a standard maintenance activity."
        )
    );
    assert_eq!(
        i.sources[0].url.as_deref(),
        Some("https://status.cloud.google.com/incidents/fc7GCA6kAgnBihezUAkx")
    );
    // Oldest first.
    let times: Vec<_> = i.updates.iter().map(|u| u.at).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
}

#[test]
fn gcp_global_pubsub_monitoring_incident() {
    let Some(incidents) = gcp_corpus() else {
        return;
    };
    let i = find(&incidents, "google-cloud:B1hD4KAtcxiyAWkcANfV");
    assert_eq!(
        i.title,
        "Global: Cloud Monitoring Metrics may be unavailable or underreported for Cloud Pub/Sub"
    );
    assert_eq!(i.start, utc("2022-03-31T15:30:00Z"));
    assert_eq!(i.end, utc("2022-03-31T22:54:00Z"));
    assert_eq!(i.severity, Severity::Critical);
    assert_eq!(i.severity_native.as_deref(), Some("high/SERVICE_OUTAGE"));
    assert_eq!(
        i.services,
        vec!["Cloud Monitoring", "Operations", "Google Cloud Pub/Sub"]
    );
    assert_eq!(i.regions, vec!["global"]);
    assert_eq!(i.updates.len(), 12);
    assert_eq!(i.updates[0].at, utc("2022-03-31T18:40:17Z"));
    assert_eq!(i.updates[0].status, "service_outage");
    assert_eq!(i.updates[11].at, utc("2022-04-18T20:16:50Z"));
    assert_eq!(i.updates[11].status, "available");
    assert!(
        i.updates[11]
            .text
            .starts_with("Summary\nOn Thursday March 31st")
    );
    assert_eq!(
        i.cause.as_deref(),
        Some(
            "Our investigation found the cause was a backend configuration change to our Cloud Monitoring service."
        )
    );
}

#[test]
fn gcp_multi_region_and_title_regions_use_the_vocabulary() {
    let Some(incidents) = gcp_corpus() else {
        return;
    };
    // Locations listed as "Multi-region: us".
    let i = find(&incidents, "google-cloud:HzDuJz8t92LzvER4pT3y");
    assert_eq!(i.regions, vec!["us"]);
    assert_eq!(i.severity, Severity::Minor);
    // No locations listed: the title names the region.
    let i = find(&incidents, "google-cloud:qD5T5M49jVJvj4NXvYjK");
    assert_eq!(
        i.title,
        "us-east4: Cloud Interconnects are experiencing latency spikes and packet loss."
    );
    assert_eq!(i.regions, vec!["us-east4"]);
}

#[test]
fn gcp_and_azure_incidents_satisfy_the_event_contract() {
    let Some(mut incidents) = gcp_corpus() else {
        return;
    };
    incidents.extend(azure_history_corpus().unwrap_or_default());
    schema_check(&incidents);
}

// ---- Google Cloud Atom feed (fixture imitating the documented shape) ----

#[test]
fn gcp_atom_groups_updates_by_incident_link() {
    let bytes = fixture("gcp/feed-atom.imitated.xml");
    assert_eq!(parse::detect(&bytes), Some(Format::GcpAtom));
    let incidents = gcp::parse_atom(&bytes, &ParseContext::default()).expect("atom parses");
    assert_eq!(incidents.len(), 2);

    let open = find(&incidents, "google-cloud:zzOpen0000000000000001");
    assert_eq!(open.title, "us-east1: Elevated errors for Cloud SQL");
    assert_eq!(open.start, utc("2022-04-01T17:15:00Z"));
    assert_eq!(open.end, None);
    assert_eq!(open.status, Status::Identified);
    assert_eq!(open.severity, Severity::Unknown);
    assert_eq!(open.services, vec!["Google Cloud SQL"]);
    assert_eq!(open.regions, vec!["us-east1"]);

    let done = find(&incidents, "google-cloud:B1hD4KAtcxiyAWkcANfV");
    assert_eq!(
        done.title,
        "Global: Cloud Monitoring Metrics may be unavailable or underreported for Cloud Pub/Sub"
    );
    assert_eq!(done.status, Status::Resolved);
    assert_eq!(done.start, utc("2022-03-31T15:30:00Z"));
    assert_eq!(done.end, utc("2022-03-31T22:54:00Z"));
    let labels: Vec<&str> = done.updates.iter().map(|u| u.status.as_str()).collect();
    assert_eq!(labels, vec!["update", "resolved"]);
    assert_eq!(done.updates[0].at, utc("2022-03-31T18:40:17Z"));
    assert_eq!(
        done.updates[1].text,
        "The issue with Google Cloud Pub/Sub monitoring has been resolved for all affected projects as of Thursday, 2022-03-31 15:54 US/Pacific.\nWe will publish an analysis of this incident once we have completed our internal investigation.\nWe thank you for your patience while we worked on resolving the issue."
    );
    assert_eq!(
        done.sources[0].url.as_deref(),
        Some("https://status.cloud.google.com/incidents/B1hD4KAtcxiyAWkcANfV")
    );
}

#[test]
fn gcp_atom_and_json_agree_on_one_incident() {
    let Some(json) = gcp_corpus() else {
        return;
    };
    let atom = gcp::parse_atom(
        &fixture("gcp/feed-atom.imitated.xml"),
        &ParseContext::default(),
    )
    .expect("atom parses");
    let a = find(&atom, "google-cloud:B1hD4KAtcxiyAWkcANfV");
    let j = find(&json, "google-cloud:B1hD4KAtcxiyAWkcANfV");
    assert_eq!(
        (a.start, a.end, &a.services, &a.regions, a.status),
        (j.start, j.end, &j.services, &j.regions, j.status)
    );
}

#[test]
fn gcp_atom_refuses_a_foreign_feed() {
    let foreign = br#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Other Status</title><id>urn:other</id><entry><id>urn:1</id><title>RESOLVED: x</title><link href="https://status.example.com/incidents/abc"/></entry></feed>"#;
    let err = gcp::parse_atom(foreign, &ParseContext::default()).expect_err("not Google");
    assert!(matches!(
        err,
        ParseError::Invalid {
            format: Format::GcpAtom,
            ..
        }
    ));
}

// ---- Azure status history (real corpus) ----

#[test]
fn azure_history_sample_entries_and_windows() {
    let Some(cells) = azure_history_cells() else {
        return;
    };
    assert_eq!(cells.len(), 95);
    for (_, html) in &cells {
        assert_eq!(parse::detect(html.as_bytes()), Some(Format::AzureHistory));
    }
    let Some(incidents) = azure_history_corpus() else {
        return;
    };
    assert_eq!(incidents.len(), 95);
    let with_window = incidents
        .iter()
        .filter(|i| i.start.is_some() && i.end.is_some())
        .count();
    assert_eq!(with_window, 92);
    assert!(incidents.iter().all(|i| i.status == Status::Resolved));
    assert!(incidents.iter().all(|i| i.severity == Severity::Unknown));
    assert!(
        incidents
            .iter()
            .all(|i| i.start <= i.end || i.end.is_none())
    );
}

#[test]
fn azure_history_sql_japan_east_entry() {
    let Some(incidents) = azure_history_corpus() else {
        return;
    };
    let i = find(&incidents, "azure:CLCK-LD0");
    assert_eq!(i.title, "RCA - Azure SQL Database - Japan East");
    assert_eq!(i.start, utc("2020-07-01T09:24:00Z"));
    assert_eq!(i.end, utc("2020-07-01T11:15:00Z"));
    assert_eq!(
        i.services,
        vec![
            "Azure SQL Database",
            "Azure SQL Data Warehouse/Synapse Analytics",
            "Azure Database for MySQL",
            "Azure Database for PostgreSQL",
            "Azure Database for MariaDB"
        ]
    );
    assert_eq!(i.regions, vec!["japaneast"]);
    assert_eq!(
        i.cause.as_deref(),
        Some(
            "A specific network traffic pattern combined with a networking stack configuration on the SQL Gateway instances triggered an imbalance on the CPU processing of new connection requests."
        )
    );
}

#[test]
fn azure_history_eastern_time_and_newer_layout_entries() {
    let Some(incidents) = azure_history_corpus() else {
        return;
    };
    // "Between approximately 03:00 EDT and 09:55 EDT on 21 Jul 2021".
    let i = find(&incidents, "azure:4VWK-LPZ");
    assert_eq!(i.title, "RCA - Azure Cognitive Services - Azure Government");
    assert_eq!(i.start, utc("2021-07-21T07:00:00Z"));
    assert_eq!(i.end, utc("2021-07-21T13:55:00Z"));
    assert_eq!(
        i.services,
        vec!["Azure Cognitive Services", "Cognitive Services"]
    );
    // Newer layout, year given only once: "Between 21:40 UTC on 18 July and 22:00 UTC on 19 July
    // 2024".
    let i = find(&incidents, "azure:1K80-N_8");
    assert_eq!(
        i.title,
        "Post Incident Review (PIR) – Storage – Impact to multiple services in Central US"
    );
    assert_eq!(i.start, utc("2024-07-18T21:40:00Z"));
    assert_eq!(i.end, utc("2024-07-19T22:00:00Z"));
    assert_eq!(i.services, vec!["Storage"]);
    assert_eq!(i.regions, vec!["centralus"]);
    // Azure China: "Between 21:03 CST (UTC+8) on 05 Mar 2020 and 16:03 CST on 06 Mar 2020".
    let i = find(&incidents, "azure:SND4-L80");
    assert_eq!(i.start, utc("2020-03-05T13:03:00Z"));
    assert_eq!(i.end, utc("2020-03-06T08:03:00Z"));
    assert_eq!(i.regions, vec!["China"]);
    // Only an onset is stated: the end stays unknown.
    let i = find(&incidents, "azure:VVTQ-J98");
    assert_eq!(i.start, utc("2023-08-30T10:30:00Z"));
    assert_eq!(i.end, None);
    assert_eq!(i.regions, vec!["australiaeast"]);
}

// ---- Azure RSS (fixtures imitating the documented shape) ----

#[test]
fn azure_rss_empty_healthy_channel_is_ok_and_empty() {
    let bytes = fixture("azure/rss-healthy-empty.imitated.xml");
    assert_eq!(parse::detect(&bytes), Some(Format::AzureRss));
    let got = azure::parse_rss(&bytes, &ParseContext::default()).expect("healthy feed");
    assert!(got.is_empty());
}

#[test]
fn azure_rss_error_page_and_foreign_channel_are_errors() {
    let page = fixture("azure/rss-error-page.imitated.html");
    assert!(matches!(
        azure::parse_rss(&page, &ParseContext::default()),
        Err(ParseError::Feed {
            format: Format::AzureRss,
            ..
        })
    ));
    let other = fixture("azure/rss-other-channel.imitated.xml");
    let err = azure::parse_rss(&other, &ParseContext::default()).expect_err("foreign channel");
    assert!(matches!(
        err,
        ParseError::Invalid {
            format: Format::AzureRss,
            ..
        }
    ));
    assert!(err.to_string().contains("\"Azure Updates\""));
    // Forcing the format through the dispatcher gives the same refusal.
    let forced = ParseContext {
        format: Some(Format::AzureRss),
        ..ParseContext::default()
    };
    assert!(parse::parse(&page, &forced).is_err());
}

#[test]
fn azure_rss_items_take_regions_from_categories_and_title_only() {
    let bytes = fixture("azure/rss-active-items.imitated.xml");
    let parsed = parse::parse(&bytes, &ParseContext::default()).expect("feed parses");
    assert_eq!(parsed.format, Format::AzureRss);
    let items = parsed.incidents;
    assert_eq!(items.len(), 3);

    let active = find(&items, "azure:7T1M-3Z8");
    assert_eq!(active.vendor, "Microsoft Azure");
    assert_eq!(
        active.title,
        "Network Infrastructure – West US – Issues connecting to resources"
    );
    assert_eq!(active.status, Status::Investigating);
    assert_eq!(active.start, utc("2026-07-23T14:05:00Z"));
    assert_eq!(active.end, None);
    assert_eq!(active.severity, Severity::Unknown);
    // North Europe and East US appear in the description only.
    assert_eq!(active.regions, vec!["westus"]);
    assert_eq!(active.services, vec!["Network Infrastructure"]);
    assert_eq!(active.updates.len(), 1);
    assert_eq!(active.updates[0].at, utc("2026-07-23T16:29:09Z"));
    assert_eq!(
        active.sources[0].url.as_deref(),
        Some("https://azure.status.microsoft/en-us/status")
    );

    let resolved = find(&items, "azure:9QXA-H80");
    assert_eq!(
        resolved.title,
        "Azure Cosmos DB – North Europe – Service degradation"
    );
    assert_eq!(resolved.status, Status::Resolved);
    assert_eq!(resolved.updates[0].status, "resolved");
    assert_eq!(resolved.start, utc("2026-07-23T09:50:00Z"));
    assert_eq!(resolved.end, utc("2026-07-23T13:21:00Z"));
    assert_eq!(resolved.regions, vec!["northeurope"]);
    assert_eq!(resolved.services, vec!["Azure Cosmos DB"]);
    assert_eq!(
        resolved.cause.as_deref(),
        Some(
            "Our frontend load balancing did not account for capacity removed for maintenance, which caused request queues to overflow."
        )
    );

    // No guid and no tracking id: the id comes from the title without its status words.
    let portal = find(
        &items,
        "azure:azure-portal-intermittent-errors-loading-blades",
    );
    assert_eq!(portal.services, vec!["Azure Portal"]);
    assert!(portal.regions.is_empty());
    assert_eq!(portal.start, utc("2026-07-23T16:10:00Z"));
    assert_eq!(portal.sources[0].url, None);
}

#[test]
fn detect_picks_each_gcp_and_azure_format() {
    if let Some(path) = corpus::corpus_file("gcp/gcp-status-incidents.json") {
        assert_eq!(parse::detect(&read(&path)), Some(Format::GcpJson));
    }
    assert_eq!(
        parse::detect(&fixture("gcp/feed-atom.imitated.xml")),
        Some(Format::GcpAtom)
    );
    assert_eq!(
        parse::detect(&fixture("azure/rss-active-items.imitated.xml")),
        Some(Format::AzureRss)
    );
    assert_eq!(
        // Content alone says "a web page"; the crawler refuses pages from status sources.
        parse::detect(&fixture("azure/rss-error-page.imitated.html")),
        Some(Format::Article)
    );
    assert_eq!(
        parse::detect(&fixture("azure/rss-other-channel.imitated.xml")),
        Some(Format::Feed)
    );
}
