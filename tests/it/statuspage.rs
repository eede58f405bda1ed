//! Statuspage parsers against the real corpus: GitHub's 1,282 per-incident API files, GitHub's
//! summary.json during an incident, Parse's 2013 history.rss, and OpenAI's incident.io summary.

use std::collections::BTreeMap;
use std::path::Path;

use outages::model::{Event, Format, Incident, Severity, Status, rfc3339};
use outages::parse::{ParseContext, Parsed, detect, parse};

use crate::corpus::{corpus_dir, corpus_file};

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn parse_corpus(relative: &str) -> Option<(Vec<u8>, Parsed)> {
    let path = corpus_file(relative)?;
    let bytes = read(&path);
    let parsed =
        parse(&bytes, &ParseContext::default()).unwrap_or_else(|e| panic!("{relative}: {e}"));
    Some((bytes, parsed))
}

fn by_id<'a>(incidents: &'a [Incident], id: &str) -> &'a Incident {
    incidents
        .iter()
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("no incident {id}"))
}

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> Option<String> {
    t.map(rfc3339)
}

/// Every event a parser yields must satisfy the output contract.
fn assert_contract(incidents: &[Incident]) {
    let Some(dir) = corpus_dir() else { return };
    let schema_path = dir.join("../event.schema.json");
    let schema: serde_json::Value =
        serde_json::from_slice(&read(&schema_path)).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let events: Vec<Event> = incidents.iter().map(Event::from).collect();
    let value = serde_json::to_value(&events).expect("events serialise");
    if let Err(e) = validator.validate(&value) {
        panic!("events break the contract: {e}");
    }
}

#[test]
fn github_per_incident_files_all_parse_with_pinned_severities() {
    let Some(dir) = corpus_file("statuspage/api-v2/github-incidents/incidents") else {
        return;
    };
    let mut incidents = Vec::new();
    let mut files = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("incident dir")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        files += 1;
        let bytes = read(&path);
        assert_eq!(
            detect(&bytes),
            Some(Format::StatuspageJson),
            "{}",
            path.display()
        );
        let parsed = parse(&bytes, &ParseContext::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(parsed.incidents.len(), 1, "{}", path.display());
        incidents.extend(parsed.incidents);
    }
    assert_eq!(files, 1282);
    assert_eq!(incidents.len(), 1282);

    let mut by_severity: BTreeMap<Severity, usize> = BTreeMap::new();
    for i in &incidents {
        *by_severity.entry(i.severity).or_default() += 1;
    }
    assert_eq!(
        by_severity,
        BTreeMap::from([
            (Severity::None, 33),
            (Severity::Minor, 1048),
            (Severity::Major, 199),
            (Severity::Critical, 2),
        ])
    );
    // Every one is resolved, with a start no later than its end (three are backfilled with
    // started_at after resolved_at).
    for i in &incidents {
        assert_eq!(i.status, Status::Resolved, "{}", i.id);
        let (start, end) = (i.start.expect("start"), i.end.expect("end"));
        assert!(start <= end, "{}", i.id);
        assert!(i.id.starts_with("github:"), "{}", i.id);
    }
    let with_services = incidents.iter().filter(|i| !i.services.is_empty()).count();
    assert_eq!(with_services, 1118);
    let with_cause = incidents.iter().filter(|i| i.cause.is_some()).count();
    assert_eq!(with_cause, 52);
    assert_contract(&incidents);
}

#[test]
fn github_backfilled_incident_starts_at_creation_not_after_its_end() {
    let Some((_, parsed)) =
        parse_corpus("statuspage/api-v2/github-incidents/incidents/qb2vmff9bnf5.json")
    else {
        return;
    };
    let i = by_id(&parsed.incidents, "github:qb2vmff9bnf5");
    assert_eq!(i.vendor, "GitHub");
    assert_eq!(i.title, "Webhook deliveries delayed");
    // started_at 09:09:46 is after resolved_at 08:00: created_at is the start.
    assert_eq!(time(i.start).as_deref(), Some("2020-03-31T08:00:00Z"));
    assert_eq!(time(i.end).as_deref(), Some("2020-03-31T08:00:00Z"));
    assert_eq!(i.status, Status::Resolved);
    assert_eq!(i.severity, Severity::Minor);
    assert_eq!(i.severity_native.as_deref(), Some("minor"));
    assert!(i.services.is_empty());
    assert_eq!(
        i.cause.as_deref(),
        Some(
            "Webhook deliveries were delayed or may have failed completely from 08:02UTC to 08:12UTC and again from 08:35UTC to 08:43UTC due to network connectivity problems"
        )
    );
    assert_eq!(
        i.sources[0].url.as_deref(),
        Some("http://stspg.io/lx08jnrjqzx6")
    );
}

#[test]
fn github_critical_incident_services_come_from_update_components() {
    let Some((_, parsed)) =
        parse_corpus("statuspage/api-v2/github-incidents/incidents/rgy28jwprr1c.json")
    else {
        return;
    };
    let i = by_id(&parsed.incidents, "github:rgy28jwprr1c");
    assert_eq!(i.title, "Notifications degredation");
    assert_eq!(time(i.start).as_deref(), Some("2019-09-23T16:12:01Z"));
    assert_eq!(time(i.end).as_deref(), Some("2019-09-23T16:37:46Z"));
    assert_eq!(i.severity, Severity::Critical);
    assert_eq!(i.status, Status::Resolved);
    // The incident lists no components; its updates name one.
    assert_eq!(i.services, vec!["Notifications"]);
    let labels: Vec<&str> = i.updates.iter().map(|u| u.status.as_str()).collect();
    assert_eq!(
        labels,
        vec!["investigating", "identified", "monitoring", "resolved"]
    );
    assert_eq!(i.cause, None);
}

#[test]
fn github_2023_outage_lists_its_ten_components() {
    let Some((_, parsed)) =
        parse_corpus("statuspage/api-v2/github-incidents/incidents/gqx5l06jjxhp.json")
    else {
        return;
    };
    let i = by_id(&parsed.incidents, "github:gqx5l06jjxhp");
    assert_eq!(i.title, "Incident On 2023-06-29");
    assert_eq!(time(i.start).as_deref(), Some("2023-06-29T17:52:11Z"));
    assert_eq!(time(i.end).as_deref(), Some("2023-06-29T18:36:19Z"));
    assert_eq!(i.duration_minutes(), Some(44));
    assert_eq!(i.severity, Severity::Critical);
    assert_eq!(
        i.services,
        vec![
            "Git Operations",
            "API Requests",
            "Webhooks",
            "Issues",
            "Pull Requests",
            "Actions",
            "Packages",
            "Pages",
            "Codespaces",
            "Copilot"
        ]
    );
    assert_eq!(i.updates.len(), 8);
    // "The root cause has been mitigated" and "we have identified the root cause" say nothing
    // about what it was.
    assert_eq!(i.cause, None);
}

#[test]
fn github_summary_active_incident_is_open_and_major() {
    let Some((bytes, parsed)) =
        parse_corpus("statuspage/api-v2/githubstatus-summary-2022-11-25.json")
    else {
        return;
    };
    assert_eq!(detect(&bytes), Some(Format::StatuspageJson));
    assert_eq!(parsed.format, Format::StatuspageJson);
    assert_eq!(parsed.incidents.len(), 1);
    let i = by_id(&parsed.incidents, "github:ljwdk6qml8z8");
    assert_eq!(i.title, "Incident with Packages and Pages");
    assert_eq!(i.end, None);
    assert_eq!(time(i.start).as_deref(), Some("2022-11-25T14:39:09Z"));
    assert_eq!(i.status, Status::Investigating);
    assert_eq!(i.severity, Severity::Major);
    assert_eq!(i.severity_native.as_deref(), Some("major"));
    assert_eq!(i.services, vec!["Packages", "Pages"]);
    assert_eq!(i.updates.len(), 7);
    assert_eq!(
        i.updates.first().map(|u| u.text.as_str()),
        Some("We are investigating reports of degraded performance for Packages.")
    );
    assert_eq!(
        i.sources[0].url.as_deref(),
        Some("https://stspg.io/33vh8r7z43kh")
    );
    assert_contract(&parsed.incidents);
}

#[test]
fn parse_rss_history_has_seventeen_incidents_in_utc() {
    let Some((bytes, parsed)) = parse_corpus("statuspage/feeds/parse-status-history-2014.rss")
    else {
        return;
    };
    assert_eq!(detect(&bytes), Some(Format::StatuspageRss));
    assert_eq!(parsed.format, Format::StatuspageRss);
    assert_eq!(parsed.incidents.len(), 17);
    for i in &parsed.incidents {
        assert_eq!(i.vendor, "Parse", "{}", i.id);
        assert_eq!(i.status, Status::Resolved, "{}", i.id);
        assert_eq!(i.severity, Severity::Unknown, "{}", i.id);
        assert!(i.start.is_some() && i.end.is_some(), "{}", i.id);
    }

    let i = by_id(&parsed.incidents, "parse:lzf7mjchpy20");
    assert_eq!(i.title, "Elevated error rates");
    let updates: Vec<(Option<String>, &str, &str)> = i
        .updates
        .iter()
        .map(|u| (time(u.at), u.status.as_str(), u.text.as_str()))
        .collect();
    assert_eq!(
        updates,
        vec![
            (
                Some("2014-01-01T16:17:00Z".to_string()),
                "investigating",
                "We are currently investigating an issue with elevated error rates."
            ),
            (
                Some("2014-01-01T17:00:00Z".to_string()),
                "identified",
                "We have identified the source of the elevated error rates and are working to restore normal capacity."
            ),
            (
                Some("2014-01-01T17:09:00Z".to_string()),
                "resolved",
                "We have restored the system to its normal level of operation."
            ),
        ]
    );
    // "Jan 1, 08:17 PST" .. "Jan 1, 09:09 PST".
    assert_eq!(time(i.start).as_deref(), Some("2014-01-01T16:17:00Z"));
    assert_eq!(time(i.end).as_deref(), Some("2014-01-01T17:09:00Z"));
    assert_eq!(
        i.sources[0].url.as_deref(),
        Some("http://status.parse.com/incidents/lzf7mjchpy20")
    );
    assert_eq!(
        i.sources[0].quote.as_deref(),
        Some("Elevated error rates: We have restored the system to its normal level of operation.")
    );
    assert_contract(&parsed.incidents);
}

#[test]
fn parse_rss_summer_stamps_labelled_pst_are_daylight_time() {
    let Some((_, parsed)) = parse_corpus("statuspage/feeds/parse-status-history-2014.rss") else {
        return;
    };
    // "Oct 28, 14:43 PST" / "14:48 PST" in an item whose pubDate is 14:48:00 -0700.
    let i = by_id(&parsed.incidents, "parse:gtdv7rgyn76g");
    assert_eq!(time(i.start).as_deref(), Some("2013-10-28T21:43:00Z"));
    assert_eq!(time(i.end).as_deref(), Some("2013-10-28T21:48:00Z"));
}

#[test]
fn parse_rss_postmortem_two_days_later_keeps_resolution_as_end() {
    let Some((_, parsed)) = parse_corpus("statuspage/feeds/parse-status-history-2014.rss") else {
        return;
    };
    let i = by_id(&parsed.incidents, "parse:p9hy357zjvb3");
    assert_eq!(i.title, "Elevated error rates and latency");
    assert_eq!(time(i.start).as_deref(), Some("2013-12-24T16:58:00Z"));
    assert_eq!(time(i.end).as_deref(), Some("2013-12-24T19:21:00Z"));
    let last = i.updates.last().expect("updates");
    assert_eq!(last.status, "postmortem");
    assert_eq!(time(last.at).as_deref(), Some("2013-12-26T18:22:00Z"));
    assert!(
        last.text
            .starts_with("# Summary of the December 24 Parse Service Disruption\n")
    );
    assert_eq!(
        i.cause.as_deref(),
        Some(
            "Due to the nature of the initialization flaw, where our health monitoring reported no problems during startup, but was not able to respond with a server health report, we suspected an error in the health monitoring code itself."
        )
    );
}

#[test]
fn openai_incidentio_summary_reads_as_statuspage_json() {
    let Some((bytes, parsed)) =
        parse_corpus("incidentio/openai-incidentio-summary-2026-09-29.json")
    else {
        return;
    };
    assert_eq!(detect(&bytes), Some(Format::StatuspageJson));
    assert_eq!(parsed.incidents.len(), 2);

    let errors = by_id(&parsed.incidents, "openai:01M3Q4RK1SM4EMK445GGPG7C0N");
    assert_eq!(errors.vendor, "OpenAI");
    assert_eq!(
        errors.title,
        "Elevated errors across ChatGPT, Codex, and the API including the Agents API"
    );
    assert_eq!(errors.status, Status::Investigating);
    assert_eq!(errors.severity, Severity::Minor);
    assert_eq!(time(errors.start).as_deref(), Some("2026-09-29T17:52:52Z"));
    assert_eq!(errors.end, None);
    assert!(errors.services.is_empty());
    // No shortlink: the link is built from page.url (which ends in a slash).
    assert_eq!(
        errors.sources[0].url.as_deref(),
        Some("https://status.openai.com/incidents/01M3Q4RK1SM4EMK445GGPG7C0N")
    );

    let chat = by_id(&parsed.incidents, "openai:01M3Q4HMNP8SZ27DTZKW6F5BJ4");
    assert_eq!(chat.title, "Support chat unavailable");
    assert_eq!(chat.severity, Severity::None);
    assert_eq!(chat.severity_native.as_deref(), Some("none"));
    assert_eq!(time(chat.start).as_deref(), Some("2026-09-29T17:49:05Z"));
    // Markdown links keep their text.
    assert_eq!(
        chat.updates.first().map(|u| u.text.as_str()),
        Some(
            "Our Help Center and support chat are currently unavailable. If you need assistance, you can still reach our support team by emailing support@openai.com.\nWe apologize for the inconvenience."
        )
    );
    assert_contract(&parsed.incidents);
}

#[test]
fn github_backfilled_body_with_escaped_line_breaks_yields_its_root_cause() {
    let Some((_, parsed)) =
        parse_corpus("statuspage/api-v2/github-incidents/incidents/mbj517qzzv29.json")
    else {
        return;
    };
    let i = by_id(&parsed.incidents, "github:mbj517qzzv29");
    assert_eq!(
        i.cause.as_deref(),
        Some(
            "The root cause was a long-running database query blocking all other connections, which cascaded into issues across a large number of other servers."
        )
    );
}
