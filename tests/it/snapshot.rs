//! The bundled snapshot (`data/snapshot/`): its sources file loads, every listed URL has its
//! file and every file is listed, and each file is well-formed in its wire syntax. These checks
//! need no parser, so they hold while the per-format parsers are still being written; the
//! per-file entry counts catch a file that was truncated or hand-edited by mistake.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use outages::fetch::{FetchConfig, FetchOutcome, Fetcher, Mirror, Validators};
use outages::model::{Format, ReportKind};
use outages::snapshot::SnapshotServer;
use outages::sources::{self, Source};
use url::Url;

fn snapshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/snapshot")
}

fn load_sources() -> Vec<Source> {
    sources::load(&snapshot_dir().join("sources.toml")).expect("data/snapshot/sources.toml loads")
}

/// The file that stands for `url`, by the mirror's own mapping (host + path, `/` -> `index`).
fn file_for(url: &str) -> PathBuf {
    let real = Url::parse(url).expect("source URL parses");
    let relative = Mirror::relative_path(&real).expect("source URL has a host");
    snapshot_dir().join(relative)
}

/// Every file under `dir`, as paths relative to it with `/` separators.
fn files_under(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("snapshot folder is readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("under the snapshot folder");
                let parts: Vec<_> = rel.iter().map(|p| p.to_string_lossy()).collect();
                out.insert(parts.join("/"));
            }
        }
    }
    out
}

#[derive(Debug, PartialEq)]
enum Syntax {
    Xml,
    Json,
}

/// The wire syntax each snapshotted format is written in.
fn syntax(kind: Format) -> Syntax {
    match kind {
        Format::StatuspageAtom
        | Format::StatuspageRss
        | Format::AwsRss
        | Format::AzureRss
        | Format::Feed => Syntax::Xml,
        Format::StatuspageJson | Format::GcpJson | Format::SlackJson | Format::SalesforceJson => {
            Syntax::Json
        }
        other => panic!("no syntax rule for {other:?}: add one when the snapshot gains it"),
    }
}

/// How many entries (feed items, or incidents in the JSON document) each file holds.
const ENTRIES: [(&str, usize); 16] = [
    ("https://news.outages.example/cloud/feed.xml", 4),
    ("https://www.githubstatus.com/history.atom", 8),
    ("https://www.cloudflarestatus.com/history.atom", 6),
    ("https://confluence.status.atlassian.com/history.atom", 3),
    ("https://status.fastly.com/history.rss", 2),
    ("https://status.digitalocean.com/history.rss", 4),
    ("https://status.datadoghq.com/api/v2/incidents.json", 5),
    ("https://discordstatus.com/api/v2/incidents.json", 5),
    ("https://status.zoom.us/api/v2/incidents.json", 2),
    ("https://status.openai.com/api/v2/incidents.json", 1),
    (
        "https://status.hashicorp.com/api/v2/scheduled-maintenances.json",
        2,
    ),
    ("https://status.cloud.google.com/incidents.json", 7),
    ("https://status.aws.amazon.com/rss/all.rss", 15),
    (
        "https://rssfeed.azure.status.microsoft/en-us/status/feed/",
        1,
    ),
    ("https://slack-status.com/api/v2.0.0/history", 7),
    ("https://api.status.salesforce.com/v1/incidents", 4),
];

fn expected_entries(url: &str) -> usize {
    ENTRIES
        .iter()
        .find(|(u, _)| *u == url)
        .map(|(_, n)| *n)
        .unwrap_or_else(|| panic!("{url} is missing from ENTRIES"))
}

/// Incidents in a JSON status document: a top-level array, or the array under the key
/// Statuspage uses for the endpoint.
fn json_entries(doc: &serde_json::Value) -> usize {
    if let Some(list) = doc.as_array() {
        return list.len();
    }
    ["incidents", "scheduled_maintenances"]
        .iter()
        .find_map(|k| doc.get(k).and_then(|v| v.as_array()))
        .map(Vec::len)
        .expect("a JSON status document is an array or has incidents/scheduled_maintenances")
}

/// Article pages a press feed links to that the snapshot holds (screened-out items have none),
/// and the press host's robots.txt, as paths relative to the snapshot folder.
fn press_pages(sources: &[Source]) -> BTreeSet<String> {
    let dir = snapshot_dir();
    let mut out = BTreeSet::new();
    for s in sources.iter().filter(|s| s.role == ReportKind::Press) {
        let bytes = std::fs::read(file_for(&s.url)).expect("press feed reads");
        let feed = feed_rs::parser::parse(bytes.as_slice()).expect("press feed parses");
        let mut links: Vec<String> = feed
            .entries
            .iter()
            .filter_map(|e| e.links.first().map(|l| l.href.clone()))
            .collect();
        let host = Url::parse(&s.url).expect("feed URL");
        links.push(format!(
            "https://{}/robots.txt",
            host.host_str().expect("feed host")
        ));
        for link in links {
            let file = file_for(&link);
            if file.is_file() {
                let rel = file.strip_prefix(&dir).expect("under the snapshot folder");
                let parts: Vec<_> = rel.iter().map(|p| p.to_string_lossy()).collect();
                out.insert(parts.join("/"));
            }
        }
    }
    out
}

#[test]
fn snapshot_sources_load_with_vendor_and_kind() {
    let all = load_sources();
    assert_eq!(all.len(), 16);
    let press: Vec<&Source> = all.iter().filter(|s| s.role == ReportKind::Press).collect();
    assert_eq!(press.len(), 1);
    assert_eq!(press[0].kind, Some(Format::Feed));
    let sources: Vec<&Source> = all
        .iter()
        .filter(|s| s.role == ReportKind::Status)
        .collect();
    assert_eq!(sources.len(), 15);
    for s in &all {
        assert!(!s.allow_private, "{} must be a public URL", s.url);
        assert!(s.kind.is_some(), "{} names no kind", s.url);
    }
    for s in &sources {
        assert!(s.vendor.is_some(), "{} names no vendor", s.url);
    }
    let vendors: BTreeSet<_> = sources.iter().filter_map(|s| s.vendor.as_deref()).collect();
    assert_eq!(vendors.len(), 15, "one source per vendor: {vendors:?}");
}

#[test]
fn every_snapshot_source_has_its_file_and_every_file_is_listed() {
    let dir = snapshot_dir();
    let sources = load_sources();
    let mut listed = press_pages(&sources);
    assert_eq!(
        listed.len(),
        4,
        "three article pages and robots.txt: {listed:?}"
    );
    for s in sources {
        let file = file_for(&s.url);
        assert!(
            file.is_file(),
            "{} has no file at {}",
            s.url,
            file.display()
        );
        let rel = file.strip_prefix(&dir).expect("under the snapshot folder");
        let parts: Vec<_> = rel.iter().map(|p| p.to_string_lossy()).collect();
        listed.insert(parts.join("/"));
    }
    let mut present = files_under(&dir);
    present.remove("README.md");
    present.remove("sources.toml");
    let unlisted: Vec<_> = present.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "files not in sources.toml: {unlisted:?}"
    );
    assert_eq!(present.len(), 20);
}

#[test]
fn directory_urls_map_to_index_files() {
    assert_eq!(
        file_for("https://rssfeed.azure.status.microsoft/en-us/status/feed/"),
        snapshot_dir().join("rssfeed.azure.status.microsoft/en-us/status/feed/index")
    );
}

#[test]
fn every_snapshot_file_is_well_formed_with_its_entry_count() {
    for s in load_sources() {
        let kind = s.kind.expect("kind is set");
        let bytes = std::fs::read(file_for(&s.url)).expect("snapshot file reads");
        assert!(bytes.len() < 1024 * 1024, "{} is over 1 MB", s.url);
        let entries = match syntax(kind) {
            Syntax::Xml => feed_rs::parser::parse(bytes.as_slice())
                .unwrap_or_else(|e| panic!("{} is not a well-formed feed: {e}", s.url))
                .entries
                .len(),
            Syntax::Json => json_entries(
                &serde_json::from_slice(&bytes)
                    .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", s.url)),
            ),
        };
        assert_eq!(entries, expected_entries(&s.url), "entries in {}", s.url);
    }
}

#[test]
fn json_files_are_detected_by_content_as_json_and_xml_files_as_xml() {
    for s in load_sources() {
        let bytes = std::fs::read(file_for(&s.url)).expect("snapshot file reads");
        let first = bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .copied()
            .expect("file is not empty");
        let found = if first == b'<' {
            Syntax::Xml
        } else {
            Syntax::Json
        };
        assert_eq!(found, syntax(s.kind.expect("kind is set")), "{}", s.url);
    }
}

#[test]
fn the_only_ongoing_incident_is_the_gcp_europe_west9_outage() {
    let bytes = std::fs::read(file_for("https://status.cloud.google.com/incidents.json"))
        .expect("GCP file reads");
    let doc: serde_json::Value = serde_json::from_slice(&bytes).expect("GCP JSON parses");
    let open: Vec<&str> = doc
        .as_array()
        .expect("GCP incidents.json is an array")
        .iter()
        .filter(|i| i.get("end").is_none())
        .filter_map(|i| i.get("id").and_then(|v| v.as_str()))
        .collect();
    assert_eq!(open, ["dS9ps52MUnxQfyDGPfkY"]);
}

#[tokio::test]
async fn the_snapshot_server_replays_every_source_byte_for_byte() {
    let server = SnapshotServer::start(snapshot_dir())
        .await
        .expect("snapshot server starts");
    let fetcher = Fetcher::new(FetchConfig::default(), Some(Mirror::new(server.base_url())))
        .expect("fetcher builds");
    for s in load_sources() {
        let outcome = fetcher
            .get(&s.url, &Validators::default(), false)
            .await
            .unwrap_or_else(|e| panic!("{} through the mirror: {e}", s.url));
        let FetchOutcome::Fetched(got) = outcome else {
            panic!("{}: a first fetch cannot be a 304", s.url);
        };
        let want = std::fs::read(file_for(&s.url)).expect("snapshot file reads");
        assert_eq!(got.status, 200, "{}", s.url);
        assert!(
            got.body == want,
            "{} was served with different bytes",
            s.url
        );
    }
    server.stop().await;
}
