//! The store and the index on disk: what a real data directory must survive (reopening, a
//! deleted or foreign index directory) with SQLite staying the source of truth.

use std::path::Path;

use chrono::{DateTime, Utc};
use outages::fetch::Validators;
use outages::index::{SearchIndex, SearchQuery};
use outages::model::{Format, Incident, ReportKind, Severity, SourceRef, Status, Update};
use outages::store::{FetchRecord, FetchedBody, Store};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test time")
        .with_timezone(&Utc)
}

/// Three incidents in the shapes Statuspage and GCP parsers produce (hand-written, not from
/// the corpus, so this test needs no parser).
fn incidents() -> Vec<Incident> {
    let update = |at: &str, status: &str, text: &str| Update {
        at: Some(t(at)),
        status: status.into(),
        text: text.into(),
    };
    let source = |url: &str, quote: &str| SourceRef {
        url: Some(url.into()),
        kind: ReportKind::Status,
        quote: Some(quote.into()),
    };
    vec![
        Incident {
            id: "github:00km0kwpz23b".into(),
            vendor: "GitHub".into(),
            title: "Incident with Actions and Git Operations".into(),
            start: Some(t("2023-01-10T17:04:42.456Z")),
            end: Some(t("2023-01-10T18:14:45.860Z")),
            status: Status::Resolved,
            severity: Severity::Minor,
            severity_native: Some("minor".into()),
            stated_minutes: None,
            regions: vec![],
            services: vec!["Actions".into(), "Git Operations".into()],
            cause: None,
            updates: vec![
                update(
                    "2023-01-10T17:04:42.456Z",
                    "investigating",
                    "We are investigating reports of degraded performance for Actions.",
                ),
                update(
                    "2023-01-10T18:14:45.860Z",
                    "resolved",
                    "This incident has been resolved.",
                ),
            ],
            sources: vec![source(
                "https://stspg.io/abc",
                "Incident with Actions and Git Operations",
            )],
        },
        Incident {
            id: "google-cloud:zall".into(),
            vendor: "Google Cloud".into(),
            title: "Multiple services impacted in us-east1".into(),
            start: Some(t("2024-05-02T08:10:00Z")),
            end: None,
            status: Status::Identified,
            severity: Severity::Major,
            severity_native: Some("high".into()),
            stated_minutes: None,
            regions: vec!["us-east1".into()],
            services: vec!["Compute Engine".into(), "Cloud Storage".into()],
            cause: Some("A power event in one zone.".into()),
            updates: vec![update(
                "2024-05-02T08:30:00Z",
                "identified",
                "Engineers identified a power outage affecting one zone.",
            )],
            sources: vec![source(
                "https://status.cloud.google.com/incidents/zall",
                "Multiple services impacted",
            )],
        },
        Incident {
            id: "slack:2024-04-11".into(),
            vendor: "Slack".into(),
            title: "Scheduled maintenance of workflows".into(),
            start: None,
            end: None,
            status: Status::Scheduled,
            severity: Severity::Maintenance,
            severity_native: None,
            stated_minutes: None,
            regions: vec![],
            services: vec!["Workflows".into()],
            cause: None,
            updates: vec![],
            sources: vec![source(
                "https://slack-status.com/2024-04/abc",
                "Scheduled maintenance",
            )],
        },
    ]
}

fn integrity(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).expect("raw open");
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check")
}

#[test]
fn store_file_survives_reopen_with_integrity() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("data/outages.sqlite");
    let body = br#"<feed xmlns="http://www.w3.org/2005/Atom"><title>GitHub Status</title></feed>"#;
    {
        let mut store = Store::open(&path).expect("create");
        let counts = store
            .upsert_incidents(&incidents(), t("2024-05-02T09:00:00Z"))
            .expect("upsert");
        assert_eq!(counts.new, 3);
        store
            .record_fetch(&FetchRecord {
                url: "https://www.githubstatus.com/history.atom".into(),
                vendor: Some("GitHub".into()),
                kind: None,
                role: ReportKind::Status,
                fetched_at: t("2024-05-02T09:00:00Z"),
                http_status: 200,
                validators: Validators {
                    etag: Some("W/\"1a2b\"".into()),
                    last_modified: Some("Thu, 02 May 2024 08:59:00 GMT".into()),
                },
                body: Some(FetchedBody {
                    bytes: body.to_vec(),
                    content_type: Some("application/atom+xml; charset=utf-8".into()),
                    format: Some(Format::StatuspageAtom),
                }),
            })
            .expect("record fetch");
    }
    assert_eq!(integrity(&path), "ok");
    let store = Store::open(&path).expect("reopen");
    assert_eq!(store.schema_version().expect("version"), 10);
    assert_eq!(store.current_rev().expect("rev"), 3);
    for incident in incidents() {
        assert_eq!(store.incident(&incident.id).expect("read"), Some(incident));
    }
    let counts = store.counts().expect("counts");
    assert_eq!((counts.incidents, counts.sources), (3, 1));
    let source = store
        .source("https://www.githubstatus.com/history.atom")
        .expect("source")
        .expect("present");
    assert_eq!(source.validators().etag.as_deref(), Some("W/\"1a2b\""));
    let bodies = store.latest_bodies().expect("bodies");
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0].bytes, body);
    assert_eq!(bodies[0].format, Some(Format::StatuspageAtom));
}

#[test]
fn deleted_index_is_rebuilt_from_the_store_with_the_same_hits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index_dir = dir.path().join("index");
    let mut store = Store::open(&dir.path().join("outages.sqlite")).expect("store");
    store
        .upsert_incidents(&incidents(), t("2024-05-02T09:00:00Z"))
        .expect("upsert");
    outages::merge::merge_pending(&mut store, t("2024-05-02T09:00:00Z")).expect("merge");
    let queries = [
        SearchQuery {
            text: "outage".into(),
            limit: 10,
            ..SearchQuery::default()
        },
        SearchQuery {
            text: "actions".into(),
            vendor: Some("github".into()),
            limit: 10,
            ..SearchQuery::default()
        },
        SearchQuery {
            text: String::new(),
            limit: 10,
            ..SearchQuery::default()
        },
    ];
    let before = {
        let mut index = SearchIndex::open(&index_dir).expect("create index");
        assert_eq!(index.sync(&store).expect("sync"), 3);
        queries
            .iter()
            .map(|q| index.search(q).expect("search"))
            .collect::<Vec<_>>()
    };
    let first_ids: Vec<&str> = before[0].iter().map(|h| h.id.as_str()).collect();
    assert_eq!(first_ids, ["google-cloud:zall"]);
    assert_eq!(before[1].len(), 1);
    // The maintenance has no start: it sorts where its event does in the timeline (the
    // event's sort time), after the dated ones.
    let listed: Vec<&str> = before[2].iter().map(|h| h.id.as_str()).collect();
    assert_eq!(
        listed,
        [
            "google-cloud:zall",
            "github:00km0kwpz23b",
            "slack:2024-04-11"
        ]
    );

    let mut reopened = SearchIndex::open(&index_dir).expect("reopen index");
    assert_eq!(reopened.indexed_rev(), store.current_rev().expect("rev"));
    assert_eq!(reopened.sync(&store).expect("sync"), 0);
    assert_eq!(reopened.search(&queries[0]).expect("search"), before[0]);
    drop(reopened);

    std::fs::remove_dir_all(&index_dir).expect("delete index");
    let mut rebuilt = SearchIndex::open(&index_dir).expect("recreate index");
    assert_eq!(rebuilt.indexed_rev(), 0);
    assert_eq!(rebuilt.num_docs(), 0);
    assert_eq!(rebuilt.sync(&store).expect("heal"), 3);
    let after: Vec<_> = queries
        .iter()
        .map(|q| rebuilt.search(q).expect("search"))
        .collect();
    assert_eq!(after, before);
    assert_eq!(rebuilt.rebuild(&store).expect("rebuild"), 3);
    assert_eq!(rebuilt.num_docs(), 3);
}

#[test]
fn index_with_a_foreign_schema_is_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let mut builder = tantivy::schema::Schema::builder();
        let other = builder.add_text_field("other", tantivy::schema::TEXT);
        let index = tantivy::Index::create_in_dir(dir.path(), builder.build()).expect("foreign");
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).expect("writer");
        writer
            .add_document(tantivy::doc!(other => "left over"))
            .expect("add");
        writer.commit().expect("commit");
    }
    let mut store = Store::open_in_memory().expect("store");
    store
        .upsert_incidents(&incidents(), t("2024-05-02T09:00:00Z"))
        .expect("upsert");
    outages::merge::merge_pending(&mut store, t("2024-05-02T09:00:00Z")).expect("merge");
    let mut index = SearchIndex::open(dir.path()).expect("open over foreign index");
    assert_eq!(index.num_docs(), 0);
    assert_eq!(index.sync(&store).expect("sync"), 3);
    assert_eq!(index.num_docs(), 3);
}

#[test]
fn index_with_truncated_files_is_rebuilt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index_dir = dir.path().join("index");
    let mut store = Store::open_in_memory().expect("store");
    store
        .upsert_incidents(&incidents(), t("2024-05-02T09:00:00Z"))
        .expect("upsert");
    outages::merge::merge_pending(&mut store, t("2024-05-02T09:00:00Z")).expect("merge");
    let query = SearchQuery {
        text: "outage".into(),
        limit: 10,
        ..SearchQuery::default()
    };
    let before = {
        let mut index = SearchIndex::open(&index_dir).expect("create index");
        index.sync(&store).expect("sync");
        index.search(&query).expect("search")
    };
    for entry in std::fs::read_dir(&index_dir).expect("list") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if !name.starts_with('.') && name != "meta.json" {
            std::fs::File::create(&path).expect("truncate");
        }
    }
    let mut index = SearchIndex::open(&index_dir).expect("open damaged index");
    assert_eq!(index.indexed_rev(), 0);
    assert_eq!(index.sync(&store).expect("heal"), 3);
    assert_eq!(index.search(&query).expect("search"), before);
}
