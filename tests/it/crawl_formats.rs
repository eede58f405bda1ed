//! Every status format crawled through a loopback server: the real fetch path, the writer, the
//! store and the index, with the same incidents as parsing the bytes directly.

use std::path::Path;

use outages::model::Format;
use outages::parse::{self, ParseContext};
use outages::snapshot::SnapshotServer;

use crate::cli::{events_json, ok_stdout, outages};
use crate::corpus;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// (fixture under tests/fixtures, the kind named in sources.toml)
const CASES: [(&str, Format); 19] = [
    ("statuspage/history-imitation.atom", Format::StatuspageAtom),
    (
        "statuspage/incidents-list-imitation.json",
        Format::StatuspageJson,
    ),
    (
        "statuspage/scheduled-maintenances-imitation.json",
        Format::StatuspageJson,
    ),
    ("gcp/feed-atom.imitated.xml", Format::GcpAtom),
    ("aws/all-interleaved.synthetic.rss", Format::AwsRss),
    ("aws/currentevents.synthetic.json", Format::AwsHealth),
    ("azure/rss-active-items.imitated.xml", Format::AzureRss),
    (
        "slack/slack-history.documented-shape.json",
        Format::SlackJson,
    ),
    ("slack/slack-feed.documented-shape.atom", Format::SlackFeed),
    (
        "incidentio/incidentio-widget-summary.documented-shape.json",
        Format::IncidentioWidget,
    ),
    (
        "incidentio/incidentio-feed.documented-shape.rss",
        Format::IncidentioFeed,
    ),
    (
        "salesforce/salesforce-incidents.documented-shape.json",
        Format::SalesforceJson,
    ),
    (
        "instatus/instatus-summary.documented-shape.json",
        Format::InstatusJson,
    ),
    (
        "statusio/statusio-status.documented-shape.json",
        Format::StatusioJson,
    ),
    (
        "betterstack/betterstack-index.documented-shape.json",
        Format::BetterstackJson,
    ),
    (
        "betterstack/betterstack-feed.documented-shape.rss",
        Format::Feed,
    ),
    (
        "cachet/cachet-incidents.documented-shape.json",
        Format::CachetJson,
    ),
    ("feed/generic-status.atom", Format::Feed),
    ("press/written-outage-article-page.html", Format::Article),
];

#[test]
fn every_format_crawls_over_loopback_into_the_store() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let served = tempfile::tempdir().expect("tempdir");
    let data = tempfile::tempdir().expect("tempdir");
    // (path, kind, whether the path is a corpus file rather than a fixture)
    let mut files: Vec<(String, Format, bool)> = Vec::new();
    for (fixture, kind) in CASES {
        files.push((fixture.to_string(), kind, false));
    }
    // The real files of the formats that have one in the corpus.
    for (relative, kind) in [
        ("gcp/gcp-status-incidents.json", Format::GcpJson),
        ("aws/aws-status-data.json", Format::AwsJson),
        ("aws/aws-shd-ec2-ap-northeast-1.rss", Format::AwsRss),
        (
            "statuspage/feeds/parse-status-history-2014.rss",
            Format::StatuspageRss,
        ),
    ] {
        if let Some(path) = corpus::corpus_file(relative) {
            files.push((path.display().to_string(), kind, true));
        }
    }
    // One Azure status-history entry (real HTML, from the corpus's CSV sample) as a page.
    let azure_page = served.path().join("azure-history.html");
    if let Some(cells) = crate::gcp_azure::azure_history_cells() {
        let html = &cells.first().expect("an entry").1;
        std::fs::write(&azure_page, html).expect("write page");
        files.push((azure_page.display().to_string(), Format::AzureHistory, true));
    }
    let mut sources = String::new();
    let mut expected = 0;
    for (n, (file, kind, from_corpus)) in files.iter().enumerate() {
        let source_path = if *from_corpus {
            Path::new(file).to_path_buf()
        } else {
            Path::new(FIXTURES).join(file)
        };
        let bytes = std::fs::read(&source_path).expect("fixture");
        let name = format!(
            "src{n}/{}",
            source_path
                .file_name()
                .and_then(|f| f.to_str())
                .expect("name")
        );
        let dest = served.path().join(&name);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        std::fs::write(&dest, &bytes).expect("copy");
        let vendor = format!("Fixture {n}");
        let role = if *kind == Format::Article {
            "press"
        } else {
            "status"
        };
        let ctx = ParseContext {
            vendor: (role == "status").then(|| vendor.clone()),
            format: Some(*kind),
            ..ParseContext::default()
        };
        let parsed = parse::parse(&bytes, &ctx).unwrap_or_else(|e| panic!("{file}: {e}"));
        expected += parsed.incidents.len();
        sources.push_str(&format!(
            "[[source]]\n{}url = \"{{BASE}}{name}\"\nkind = \"{}\"\nrole = \"{role}\"\nallow_private = true\n\n",
            if role == "status" { format!("vendor = \"{vendor}\"\n") } else { String::new() },
            kind.as_str()
        ));
    }
    let server = runtime
        .block_on(SnapshotServer::start(served.path().to_path_buf()))
        .expect("server");
    let sources = sources.replace("{BASE}", server.base_url().as_ref());
    let list = data.path().join("sources.toml");
    std::fs::write(&list, sources).expect("write sources");

    let out = ok_stdout(&outages(
        data.path(),
        &["crawl", "--sources", list.to_str().expect("utf-8")],
    ));
    let n = files.len();
    assert!(
        out.contains(&format!(
            "sources: {n} ok, 0 not modified, 0 failed; incidents: {expected} new"
        )),
        "{out}"
    );
    // The timeline shows merged events; every stored incident is a member of exactly one.
    let all = events_json(&outages(
        data.path(),
        &["timeline", "--json", "--limit", "100000"],
    ));
    let members: usize = all
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["merged_from"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(members, expected);
    runtime.block_on(server.stop());
}
