//! AWS parsers against the real corpus files (legacy per-service RSS, legacy data.json) and
//! against fixtures written from the documented shapes (all.rss, a guid-less per-service
//! feed, currentevents in UTF-16).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use outages::model::{Event, Format, Incident, Severity, Status};
use outages::parse::{ParseContext, detect, parse};

use crate::corpus::{corpus_dir, corpus_file};

fn utc(s: &str) -> Option<DateTime<Utc>> {
    Some(
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .expect("test time"),
    )
}

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/aws")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse_with(bytes: &[u8], url: Option<&str>) -> (Format, Vec<Incident>) {
    let ctx = ParseContext {
        url: url.map(str::to_string),
        ..ParseContext::default()
    };
    let parsed = parse(bytes, &ctx).expect("parses");
    (parsed.format, parsed.incidents)
}

fn find<'a>(incidents: &'a [Incident], id: &str) -> &'a Incident {
    incidents
        .iter()
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("no incident {id}"))
}

fn labels(i: &Incident) -> Vec<&str> {
    i.updates.iter().map(|u| u.status.as_str()).collect()
}

fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    let mut out = if little_endian {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        out.extend(if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

/// Every incident serialises to an event the shared contract accepts.
fn assert_matches_contract(incidents: &[Incident]) {
    let Some(dir) = corpus_dir() else { return };
    let schema_path = dir.join("../event.schema.json");
    let schema: serde_json::Value =
        serde_json::from_slice(&read(&schema_path)).expect("schema is JSON");
    let events: Vec<Event> = incidents.iter().map(Event::from).collect();
    let instance = serde_json::to_value(&events).expect("events serialise");
    if let Err(e) = jsonschema::validate(&schema, &instance) {
        panic!("event contract violated: {e}");
    }
}

#[test]
fn tokyo_ec2_rss_groups_15_items_into_6_events() {
    let Some(path) = corpus_file("aws/aws-shd-ec2-ap-northeast-1.rss") else {
        return;
    };
    let bytes = read(&path);
    assert_eq!(detect(&bytes), Some(Format::AwsRss));
    let (format, incidents) = parse_with(&bytes, None);
    assert_eq!(format, Format::AwsRss);
    type Row<'a> = (
        &'a str,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Severity,
    );
    let summary: Vec<Row<'_>> = incidents
        .iter()
        .map(|i| (i.id.as_str(), i.start, i.end, i.severity))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "aws:ec2-ap-northeast-1_1431704187",
                utc("2015-05-15T11:33:00Z"),
                utc("2015-05-15T15:14:00Z"),
                Severity::Unknown
            ),
            (
                "aws:ec2-ap-northeast-1_1435552650",
                utc("2015-06-29T04:14:00Z"),
                utc("2015-06-29T04:53:00Z"),
                Severity::Minor
            ),
            (
                "aws:ec2-ap-northeast-1_1461170340",
                utc("2016-04-20T16:18:00Z"),
                utc("2016-04-20T16:38:00Z"),
                Severity::Unknown
            ),
            (
                "aws:ec2-ap-northeast-1_1467777096",
                utc("2016-07-06T03:00:00Z"),
                utc("2016-07-06T03:49:00Z"),
                Severity::Minor
            ),
            (
                "aws:ec2-ap-northeast-1_1496642284",
                utc("2017-06-05T05:16:00Z"),
                utc("2017-06-05T05:40:00Z"),
                Severity::Minor
            ),
            (
                "aws:ec2-ap-northeast-1_1566533912",
                utc("2019-08-23T03:36:00Z"),
                utc("2019-08-23T11:18:35Z"),
                Severity::Major
            ),
        ]
    );
    let updates: usize = incidents.iter().map(|i| i.updates.len()).sum();
    assert_eq!(updates, 15, "every item lands in exactly one event");
    for i in &incidents {
        assert_eq!(i.vendor, "AWS");
        assert_eq!(i.status, Status::Resolved);
        assert_eq!(i.regions, vec!["ap-northeast-1"]);
        assert_eq!(i.services, vec!["Amazon Elastic Compute Cloud"]);
    }
    assert_matches_contract(&incidents);
}

#[test]
fn tokyo_overheating_event_keeps_english_text_onset_and_cause() {
    let Some(path) = corpus_file("aws/aws-shd-ec2-ap-northeast-1.rss") else {
        return;
    };
    let (_, incidents) = parse_with(&read(&path), None);
    let event = find(&incidents, "aws:ec2-ap-northeast-1_1566533912");
    assert_eq!(event.title, "Instance Availability");
    assert_eq!(
        event.severity_native.as_deref(),
        Some("Service degradation")
    );
    assert_eq!(
        labels(event),
        vec![
            "informational message",
            "informational message",
            "service degradation",
            "service degradation",
            "service degradation",
            "informational message",
            "service is operating normally",
        ]
    );
    assert_eq!(
        event.updates.first().and_then(|u| u.at),
        utc("2019-08-23T04:18:32Z")
    );
    let last = event.updates.last().map(|u| u.text.as_str()).unwrap_or("");
    assert!(
        last.starts_with("Beginning at 8:36 PM PDT a small percentage of EC2 servers"),
        "{last}"
    );
    assert!(!last.contains("日本時間"), "Japanese half dropped: {last}");
    assert_eq!(
        event.cause.as_deref(),
        Some(
            "The overheating was caused by a control system failure that caused multiple, redundant cooling systems to fail in parts of the affected Availability Zone."
        )
    );
    assert_eq!(event.duration_minutes(), Some(463));
}

#[test]
fn tokyo_resolved_repost_with_same_headline_continues_the_event() {
    let Some(path) = corpus_file("aws/aws-shd-ec2-ap-northeast-1.rss") else {
        return;
    };
    let (_, incidents) = parse_with(&read(&path), None);
    // Two "Service is operating normally: [RESOLVED] Increased API Error Rates" posts 21
    // minutes apart: one event, dated by the window the second one states.
    let event = find(&incidents, "aws:ec2-ap-northeast-1_1461170340");
    assert_eq!(event.title, "Increased API Error Rates");
    assert_eq!(event.updates.len(), 2);
    assert_eq!(
        event.severity_native.as_deref(),
        Some("Service is operating normally")
    );
    // Bilingual headline: the English half, "[RESOLVED]" dropped.
    let bilingual = find(&incidents, "aws:ec2-ap-northeast-1_1496642284");
    assert_eq!(bilingual.title, "API Increased API Error Rates");
    assert_eq!(labels(bilingual), vec!["informational message"]);
}

#[test]
fn legacy_data_json_gives_86_resolved_events() {
    let Some(path) = corpus_file("aws/aws-status-data.json") else {
        return;
    };
    let bytes = read(&path);
    assert_eq!(detect(&bytes), Some(Format::AwsJson));
    let (format, incidents) = parse_with(&bytes, None);
    assert_eq!(format, Format::AwsJson);
    assert_eq!(incidents.len(), 86);
    assert!(incidents.iter().all(|i| i.status == Status::Resolved));
    let count = |s: Severity| incidents.iter().filter(|i| i.severity == s).count();
    assert_eq!(
        (
            count(Severity::Minor),
            count(Severity::Major),
            count(Severity::Critical)
        ),
        (72, 11, 3)
    );
    let global = incidents.iter().filter(|i| i.regions.is_empty()).count();
    assert_eq!(
        global, 11,
        "cloudfront, iam, route53, console ... have no region"
    );
    let with_cause = incidents.iter().filter(|i| i.cause.is_some()).count();
    assert_eq!(with_cause, 20);
    assert!(
        incidents
            .iter()
            .all(|i| i.start.is_some() && i.end.is_some() && i.start <= i.end),
        "every archived event has an ordered start and end"
    );
    let updates: usize = incidents.iter().map(|i| i.updates.len()).sum();
    assert_eq!(
        updates, 352,
        "one update per time stamp in the descriptions"
    );
    assert!(
        incidents
            .iter()
            .flat_map(|i| &i.updates)
            .all(|u| u.at.is_some())
    );
    assert_matches_contract(&incidents);
}

#[test]
fn data_json_acm_outage_window_from_final_post() {
    let Some(path) = corpus_file("aws/aws-status-data.json") else {
        return;
    };
    let (_, incidents) = parse_with(&read(&path), None);
    let acm = find(&incidents, "aws:certificatemanager-us-east-1_1624993969");
    assert_eq!(acm.title, "Increased API Error Rates and Latency");
    assert_eq!(acm.severity, Severity::Critical);
    assert_eq!(acm.severity_native.as_deref(), Some("Service disruption"));
    assert_eq!(acm.services, vec!["AWS Certificate Manager"]);
    assert_eq!(acm.regions, vec!["us-east-1"]);
    assert_eq!(acm.start, utc("2021-06-29T18:45:00Z"));
    assert_eq!(acm.end, utc("2021-06-30T02:42:00Z"));
    assert_eq!(acm.updates.len(), 10);
    assert_eq!(
        acm.updates.first().and_then(|u| u.at),
        utc("2021-06-29T19:12:00Z")
    );
    assert_eq!(
        acm.updates.last().and_then(|u| u.at),
        utc("2021-06-30T02:46:00Z")
    );
    assert_eq!(
        acm.updates.last().map(|u| u.status.as_str()),
        Some("resolved")
    );
    assert_eq!(
        acm.cause.as_deref(),
        Some("This issue was caused by a previously unknown limit in an ACM storage subsystem.")
    );
}

#[test]
fn data_json_overnight_dynamodb_updates_cross_midnight() {
    let Some(path) = corpus_file("aws/aws-status-data.json") else {
        return;
    };
    let (_, incidents) = parse_with(&read(&path), None);
    let ddb = find(&incidents, "aws:dynamodb-us-east-1_1628298493");
    assert_eq!(ddb.services, vec!["Amazon DynamoDB"]);
    assert_eq!(ddb.regions, vec!["us-east-1"]);
    assert_eq!(ddb.severity, Severity::Minor);
    assert_eq!(ddb.start, utc("2021-08-07T00:23:00Z"));
    assert_eq!(ddb.end, utc("2021-08-07T09:48:00Z"));
    let times: Vec<Option<DateTime<Utc>>> = ddb.updates.iter().map(|u| u.at).collect();
    assert_eq!(
        times,
        vec![
            utc("2021-08-07T01:08:00Z"),
            utc("2021-08-07T01:32:00Z"),
            utc("2021-08-07T02:03:00Z"),
            utc("2021-08-07T03:11:00Z"),
            utc("2021-08-07T04:00:00Z"),
            utc("2021-08-07T05:20:00Z"),
            utc("2021-08-07T06:11:00Z"),
            utc("2021-08-07T08:50:00Z"),
            utc("2021-08-07T09:53:00Z"),
        ]
    );
}

#[test]
fn data_json_direct_connect_end_ignores_the_later_write_up_note() {
    let Some(path) = corpus_file("aws/aws-status-data.json") else {
        return;
    };
    let (_, incidents) = parse_with(&read(&path), None);
    let dx = find(&incidents, "aws:directconnect-ap-northeast-1_1630543140");
    assert_eq!(dx.title, "Network Connectivity");
    assert_eq!(dx.services, vec!["AWS Direct Connect"]);
    assert_eq!(dx.regions, vec!["ap-northeast-1"]);
    assert_eq!(dx.severity, Severity::Critical);
    // "Starting at 3:30 PM PDT" / "Between 3:30 PM and 9:42 PM PDT"; the last post, five days
    // later, only links the write-up.
    assert_eq!(dx.start, utc("2021-09-01T22:30:00Z"));
    assert_eq!(dx.end, utc("2021-09-02T04:42:00Z"));
    assert_eq!(
        dx.updates.last().and_then(|u| u.at),
        utc("2021-09-07T03:25:00Z")
    );
    assert_eq!(
        dx.updates.first().map(|u| u.text.as_str()),
        Some(
            "Starting at 3:30 PM PDT, we began to experience network connectivity issues, impacting AWS Direct Connect connectivity between some AWS Direct Connections and the AP-NORTHEAST-1 Region. We are actively investigating the issue."
        )
    );
}

#[test]
fn all_rss_splits_interleaved_services_and_long_silences() {
    let bytes = fixture("all-interleaved.synthetic.rss");
    assert_eq!(detect(&bytes), Some(Format::AwsRss));
    let url = "https://status.aws.amazon.com/rss/all.rss";
    let (_, incidents) = parse_with(&bytes, Some(url));
    let ids: Vec<&str> = incidents.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "aws:sns-us-east-1_1642186740",
            "aws:ec2-us-east-1_1642187400",
            "aws:ec2-us-east-1_1642327200",
            "aws:ec2-us-east-1_1642419000",
        ]
    );

    let sns = find(&incidents, "aws:sns-us-east-1_1642186740");
    assert_eq!(sns.title, "SMS Delivery Delays");
    assert_eq!(sns.services, vec!["sns"]);
    assert_eq!(sns.regions, vec!["us-east-1"]);
    assert_eq!(
        (sns.start, sns.end),
        (utc("2022-01-14T13:14:00Z"), utc("2022-01-14T19:38:00Z"))
    );
    assert_eq!(sns.severity, Severity::Minor);
    assert_eq!(
        sns.cause.as_deref(),
        Some("This was caused by a downstream carrier backlog.")
    );
    assert_eq!(
        sns.sources.first().and_then(|s| s.url.as_deref()),
        Some(url)
    );

    let api = find(&incidents, "aws:ec2-us-east-1_1642187400");
    assert_eq!(api.title, "Increased API Error Rates");
    assert_eq!(api.status, Status::Resolved);
    assert_eq!(api.severity, Severity::Critical);
    assert_eq!(api.severity_native.as_deref(), Some("Service disruption"));
    assert_eq!(
        (api.start, api.end),
        (utc("2022-01-14T18:40:00Z"), utc("2022-01-14T20:58:00Z"))
    );
    assert_eq!(
        labels(api),
        vec![
            "service disruption",
            "service impact",
            "service is operating normally"
        ]
    );
    assert_eq!(
        api.updates.first().map(|u| u.text.as_str()),
        Some("We are investigating increased API error rates & latencies in the US-EAST-1 Region.")
    );

    // 25.5 hours of silence without a resolution: two open events.
    let first = find(&incidents, "aws:ec2-us-east-1_1642327200");
    let second = find(&incidents, "aws:ec2-us-east-1_1642419000");
    assert_eq!(
        (first.start, first.end),
        (utc("2022-01-16T10:00:00Z"), None)
    );
    assert_eq!(first.status, Status::Investigating);
    assert_eq!(
        (second.start, second.end),
        (utc("2022-01-17T11:30:00Z"), None)
    );
    assert_eq!(second.status, Status::Identified);
    assert_eq!(second.severity, Severity::Minor);
}

#[test]
fn per_service_feed_without_guids_keys_on_feed_name_and_pubdate() {
    let bytes = fixture("cloudfront-no-guid.synthetic.rss");
    assert_eq!(detect(&bytes), Some(Format::AwsRss));
    let (_, incidents) = parse_with(
        &bytes,
        Some("https://status.aws.amazon.com/rss/cloudfront.rss"),
    );
    let [event] = incidents.as_slice() else {
        panic!("one event expected, got {incidents:?}");
    };
    assert_eq!(event.id, "aws:cloudfront_1642266000");
    assert_eq!(event.title, "Elevated Error Rates");
    assert_eq!(event.services, vec!["Amazon CloudFront"]);
    assert!(event.regions.is_empty());
    assert_eq!(
        (event.start, event.end),
        (utc("2022-01-15T16:41:00Z"), utc("2022-01-15T17:22:00Z"))
    );
    assert_eq!(
        event.updates.last().map(|u| u.text.as_str()),
        Some(
            "Between 8:41 AM and 9:22 AM PST we experienced elevated error rates for requests served from some edge locations.\nThe issue has been resolved and the service is operating normally."
        )
    );
    // Re-crawling gives the same id.
    let (_, again) = parse_with(
        &bytes,
        Some("https://status.aws.amazon.com/rss/cloudfront.rss"),
    );
    assert_eq!(
        again.first().map(|i| i.id.as_str()),
        Some("aws:cloudfront_1642266000")
    );
}

#[test]
fn currentevents_reads_utf16_in_both_byte_orders_and_utf8() {
    let utf8 = fixture("currentevents.synthetic.json");
    let text = String::from_utf8(utf8.clone()).expect("fixture is UTF-8");
    let le = utf16(&text, true);
    let be = utf16(&text, false);
    for bytes in [&le, &be, &utf8] {
        assert_eq!(detect(bytes), Some(Format::AwsHealth));
    }
    let (format, from_le) = parse_with(&le, None);
    assert_eq!(format, Format::AwsHealth);
    assert_eq!(parse_with(&be, None).1, from_le);
    assert_eq!(parse_with(&utf8, None).1, from_le);
    assert_eq!(from_le.len(), 2);
    assert_matches_contract(&from_le);
}

#[test]
fn currentevents_open_multi_service_event() {
    let (_, incidents) = parse_with(&fixture("currentevents.synthetic.json"), None);
    let open = find(
        &incidents,
        "aws:us-east-1_aws_multiple_services_operational_issue_a1b2c_9f8e7d6c5b4",
    );
    assert_eq!(open.title, "Increased Error Rates and Latencies");
    assert_eq!(open.status, Status::Monitoring);
    assert_eq!(open.severity, Severity::Critical);
    assert_eq!(open.severity_native.as_deref(), Some("Service disruption"));
    assert_eq!(
        open.services,
        vec!["Multiple services", "AWS Lambda", "Amazon API Gateway"]
    );
    assert_eq!(open.regions, vec!["us-east-1"]);
    // "Starting at 11:49 AM PDT", before the first post at 12:08 PM PDT.
    assert_eq!((open.start, open.end), (utc("2023-06-13T18:49:00Z"), None));
    let times: Vec<Option<DateTime<Utc>>> = open.updates.iter().map(|u| u.at).collect();
    assert_eq!(
        times,
        vec![
            utc("2023-06-13T19:08:00Z"),
            utc("2023-06-13T19:40:00Z"),
            utc("2023-06-13T20:15:00Z")
        ]
    );
    assert_eq!(labels(open), vec!["service disruption"; 3]);
}

#[test]
fn currentevents_closed_event_takes_severity_from_its_log() {
    let (_, incidents) = parse_with(&fixture("currentevents.synthetic.json"), None);
    let closed = find(
        &incidents,
        "aws:ap-northeast-1_aws_ec2_operational_issue_7q3zk_0c1d2e3f4a5",
    );
    assert_eq!(closed.title, "Instance Connectivity");
    assert_eq!(closed.status, Status::Resolved);
    assert_eq!(closed.severity, Severity::Major);
    assert_eq!(
        closed.severity_native.as_deref(),
        Some("Service degradation")
    );
    assert_eq!(closed.services, vec!["Amazon Elastic Compute Cloud"]);
    assert_eq!(closed.regions, vec!["ap-northeast-1"]);
    // The stated window wins over `date`/`end_time` (08:32 / 09:31 UTC).
    assert_eq!(
        (closed.start, closed.end),
        (utc("2023-07-20T08:10:00Z"), utc("2023-07-20T09:20:00Z"))
    );
    assert_eq!(
        labels(closed),
        vec![
            "informational message",
            "service degradation",
            "service is operating normally"
        ]
    );
    assert_eq!(
        closed.updates.first().map(|u| u.text.as_str()),
        Some(
            "We are investigating connectivity issues affecting some instances in a single Availability Zone (apne1-az4) in the AP-NORTHEAST-1 Region."
        )
    );
    assert_eq!(
        closed.cause.as_deref(),
        Some(
            "Between 1:10 AM and 2:20 AM PDT, some instances in a single Availability Zone (apne1-az4) experienced connectivity issues due to a power event."
        )
    );
    assert_eq!(
        closed.sources.first().and_then(|s| s.url.as_deref()),
        Some("https://health.aws.amazon.com/health/status")
    );
}

#[test]
fn vendor_from_context_wins_and_keys_the_id() {
    let ctx = ParseContext {
        vendor: Some("Amazon Web Services".into()),
        ..ParseContext::default()
    };
    let parsed = parse(&fixture("all-interleaved.synthetic.rss"), &ctx).expect("parses");
    let first = parsed.incidents.first().expect("an incident");
    // The canonical name from the edge on; the id keeps the name it was made from.
    assert_eq!(first.vendor, "AWS");
    assert_eq!(first.id, "amazon-web-services:sns-us-east-1_1642186740");
}

#[test]
fn truncated_and_corrupted_aws_documents_never_panic() {
    let mut docs = vec![
        fixture("all-interleaved.synthetic.rss"),
        fixture("cloudfront-no-guid.synthetic.rss"),
        fixture("currentevents.synthetic.json"),
    ];
    if let Some(text) = docs.get(2).map(|b| String::from_utf8_lossy(b).into_owned()) {
        docs.push(utf16(&text, true));
    }
    let formats = [Format::AwsRss, Format::AwsJson, Format::AwsHealth];
    for doc in &docs {
        for cut in (0..doc.len()).step_by(7) {
            let mut bytes = doc.get(..cut).unwrap_or_default().to_vec();
            for format in formats {
                let ctx = ParseContext {
                    format: Some(format),
                    ..ParseContext::default()
                };
                let _ = parse(&bytes, &ctx);
            }
            // Flip one byte as well: corrupt UTF-8/UTF-16 and broken markup.
            if let Some(b) = bytes.last_mut() {
                *b ^= 0xA5;
            }
            let _ = parse(&bytes, &ParseContext::default());
        }
    }
    // A cut-off RSS download is an error, never a healthy empty feed.
    let rss = fixture("all-interleaved.synthetic.rss");
    let half = rss.get(..rss.len() / 2).unwrap_or_default();
    let forced = ParseContext {
        format: Some(Format::AwsRss),
        ..ParseContext::default()
    };
    assert!(parse(half, &forced).is_err());
}
