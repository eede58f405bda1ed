//! RELIABILITY.md sections B and C on content: entity bombs and external entities (B3),
//! declared encodings (B5), entities (B7), hostile links (B8), duplicate guids (C2), items
//! without guid or link (C3, C4), and a corrupt index rebuilt from the store (D8).

use outages::model::{Format, Incident};
use outages::parse::{self, ParseContext};

use crate::cli::{events_json, ok_stdout, outages};

/// A billion-laughs DTD and an external entity: refused whole.
const ENTITY_BOMB: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/hardening/hostile-latin1-feed-imitation.rss"
);

/// The same feed without its DTD.
const HOSTILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/hardening/hostile-latin1-feed-no-dtd-imitation.rss"
);

fn parse_feed(bytes: &[u8]) -> Vec<Incident> {
    let ctx = ParseContext {
        url: Some("https://status.acme.test/history.rss".into()),
        vendor: Some("Acme".into()),
        published: None,
        format: Some(Format::Feed),
    };
    parse::parse(bytes, &ctx).expect("parses").incidents
}

/// A document that declares entities is refused with the reason, as a parse error, in
/// milliseconds and by every path (`extract`, `ingest`), and nothing of it is stored.
#[test]
fn a_document_declaring_entities_is_refused_with_the_reason() {
    let bytes = std::fs::read(ENTITY_BOMB).expect("fixture");
    let ctx = ParseContext {
        url: Some("https://status.acme.test/history.rss".into()),
        vendor: Some("Acme".into()),
        published: None,
        format: Some(Format::Feed),
    };
    let started = std::time::Instant::now();
    let err = parse::parse(&bytes, &ctx).expect_err("refused");
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    assert!(
        err.to_string()
            .contains("the document declares XML entities in its DOCTYPE; refused"),
        "{err}"
    );
    let work = tempfile::tempdir().expect("tempdir");
    let out = outages(work.path(), &["ingest", ENTITY_BOMB, "--kind", "feed"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("declares XML entities"), "{stdout}");
    let events = events_json(&outages(work.path(), &["timeline", "--json"]));
    assert_eq!(events.as_array().map(Vec::len), Some(0), "{events:#}");
}

/// Without a DTD, undeclared entity references stay literal text and Latin-1 is decoded.
#[test]
fn undeclared_entities_stay_literal_and_latin1_is_decoded() {
    let bytes = std::fs::read(HOSTILE).expect("fixture");
    let incidents = parse_feed(&bytes);
    let first = &incidents[0];
    assert_eq!(first.title, "Café API outage &lol4; &xxe;");
    assert_eq!(first.updates[0].text, "Paiement dégradé ici");
    // The javascript: link is no link: the source points at the feed instead.
    assert_eq!(
        first.sources[0].url.as_deref(),
        Some("https://status.acme.test/history.rss")
    );
    assert_eq!(incidents[1].title, "Second & évent");
}

#[test]
fn items_without_guid_or_link_get_the_same_id_on_every_parse() {
    let bytes = std::fs::read(HOSTILE).expect("fixture");
    let ids = |v: Vec<Incident>| v.into_iter().map(|i| i.id).collect::<Vec<_>>();
    let once = ids(parse_feed(&bytes));
    let again = ids(parse_feed(&bytes));
    assert_eq!(once, again);
    assert!(once[1].starts_with("acme:sha256-"), "{}", once[1]);
}

#[test]
fn an_item_without_guid_keeps_its_identity_when_its_title_changes() {
    let version = |title: &str| {
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Acme</title>\
             <item><title>{title}</title><link>https://status.acme.test/incidents/42</link>\
             <pubDate>Fri, 01 Mar 2024 10:00:00 GMT</pubDate></item></channel></rss>"
        )
    };
    let before = parse_feed(version("Investigating - API errors").as_bytes());
    let after = parse_feed(version("Resolved - API errors").as_bytes());
    assert_eq!(before[0].id, after[0].id);
}

#[test]
fn two_items_sharing_a_guid_are_both_kept_under_stable_distinct_ids() {
    let work = tempfile::tempdir().expect("tempdir");
    for _ in 0..2 {
        ok_stdout(&outages(
            work.path(),
            &["ingest", HOSTILE, "--kind", "feed"],
        ));
    }
    let events = events_json(&outages(work.path(), &["timeline", "--json"]));
    let rows = events.as_array().expect("array");
    let mut dups: Vec<(String, String)> = rows
        .iter()
        .filter(|e| e["title"].as_str().is_some_and(|t| t.starts_with("Dup")))
        .map(|e| {
            (
                e["title"].as_str().unwrap_or_default().to_string(),
                e["id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    dups.sort();
    assert_eq!(dups.len(), 2, "{events:#}");
    assert_eq!(dups[0].0, "Dup one");
    assert_eq!(dups[1].0, "Dup two");
    assert_ne!(dups[0].1, dups[1].1);
    assert_eq!(rows.len(), 4, "a second ingest adds nothing");
}

#[test]
fn a_corrupt_index_is_rebuilt_from_the_store() {
    let work = tempfile::tempdir().expect("tempdir");
    ok_stdout(&outages(
        work.path(),
        &["ingest", HOSTILE, "--kind", "feed"],
    ));
    std::fs::write(work.path().join("index/meta.json"), b"{ not json").expect("corrupt");
    let found = events_json(&outages(work.path(), &["search", "dup", "--json"]));
    assert_eq!(found.as_array().map(Vec::len), Some(2), "{found:#}");
}
