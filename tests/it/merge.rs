//! Merged events through the real binary: ingest files, then `timeline --json`, `remerge`,
//! `show` and `history`.

use std::path::Path;

use crate::cli::{events_json, ok_stdout, outages};

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
        .display()
        .to_string()
}

/// An event as (id, [(member, role)], [(source url, copies)]).
type EventSummary = (String, Vec<(String, String)>, Vec<(String, usize)>);

fn summary(events: &serde_json::Value) -> Vec<EventSummary> {
    events
        .as_array()
        .expect("array")
        .iter()
        .map(|e| {
            let members = e["merged_from"]
                .as_array()
                .expect("merged_from")
                .iter()
                .map(|m| {
                    (
                        m["incident_id"].as_str().unwrap_or("").to_string(),
                        m["role"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect();
            let sources = e["sources"]
                .as_array()
                .expect("sources")
                .iter()
                .map(|s| {
                    (
                        s["url"].as_str().unwrap_or("").to_string(),
                        s["copies"].as_array().map_or(0, Vec::len),
                    )
                })
                .collect();
            (e["id"].as_str().unwrap_or("").to_string(), members, sources)
        })
        .collect()
}

#[test]
fn syndicated_article_is_one_source_with_its_copy_and_ids_survive_remerge() {
    let dir = tempfile::tempdir().expect("tempdir");
    let original = fixture("press/written-outage-article-page.html");
    let copy = fixture("merge/written-syndicated-copy-page.html");
    let status = fixture("statuspage/incidents-list-imitation.json");
    ok_stdout(&outages(dir.path(), &["ingest", &original, &copy, &status]));
    let events = events_json(&outages(dir.path(), &["timeline", "--json"]));
    let s = |x: &str| x.to_string();
    let expected = vec![
        (
            s("acme-cloud:k3lq9v7xw2zd"),
            vec![(s("acme-cloud:k3lq9v7xw2zd"), s("primary"))],
            vec![(s("https://stspg.io/acme0001"), 0)],
        ),
        (
            s("acme-cloud:p0f8w1xq7m3c"),
            vec![(s("acme-cloud:p0f8w1xq7m3c"), s("primary"))],
            vec![(s("https://status.acme.test/incidents/p0f8w1xq7m3c"), 0)],
        ),
        (
            s("acme-cloud:z9y8x7w6v5u4"),
            vec![(s("acme-cloud:z9y8x7w6v5u4"), s("primary"))],
            vec![(s("https://status.acme.test/incidents/z9y8x7w6v5u4"), 0)],
        ),
        (
            s("aws:press-947b67c89272eea3"),
            vec![
                (s("aws:press-947b67c89272eea3"), s("primary")),
                (s("aws:press-e89330e1d1b42708"), s("copy")),
            ],
            vec![(s("https://news.example/2017/03/01/aws-s3-outage"), 1)],
        ),
    ];
    assert_eq!(summary(&events), expected);
    let aws = &events[3];
    assert_eq!(
        aws["sources"][0]["copies"][0]["url"],
        "https://syndicate.example/wire/amazon-storage-failure"
    );
    assert_eq!(aws["first_press_report"], "2017-03-01T08:00:00Z");
    assert_eq!(aws["status_page_mentioned"], serde_json::Value::Null);

    let remerged = ok_stdout(&outages(dir.path(), &["remerge"]));
    assert_eq!(
        remerged.trim(),
        "merged 5 incidents of 2 vendors into 4 events"
    );
    let again = events_json(&outages(dir.path(), &["timeline", "--json"]));
    assert_eq!(summary(&again), expected);

    let shown = ok_stdout(&outages(
        dir.path(),
        &["show", "aws:press-e89330e1d1b42708", "--json"],
    ));
    let shown: serde_json::Value = serde_json::from_str(&shown).expect("json");
    assert_eq!(shown["id"], "aws:press-947b67c89272eea3");
    assert_eq!(shown["history"]["incidents"][0]["versions"], 1);
}
