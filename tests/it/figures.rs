//! Reliability figures and listings a buyer can defend: coverage as data on a real archive,
//! checked filters, OR across filters, and pages that add up to the whole list.

use serde_json::Value;

use crate::api::fixture_data_dir;
use crate::cli::{ok_stdout, outages};
use crate::corpus;

fn json(out: &std::process::Output) -> Value {
    serde_json::from_str(&ok_stdout(out)).expect("json")
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_string())
        .collect()
}

/// The archive ingested from `../shared/corpus`: GitHub's data ends in October 2023, Google
/// Cloud's and AWS's in 2022. Compared over 2023, the two have no data (not 100%); GitHub's
/// 2022 figures are 123 incidents with a median time to resolve of 81.0 minutes.
#[test]
fn a_real_archive_has_no_data_where_its_sources_end() {
    let (Some(gcp), Some(aws), Some(github)) = (
        corpus::corpus_file("gcp/gcp-status-incidents.json"),
        corpus::corpus_file("aws/aws-status-data.json"),
        corpus::corpus_file("statuspage/api-v2/github-incidents/incidents"),
    ) else {
        return;
    };
    let data = tempfile::tempdir().expect("tempdir");
    let utf8 = |p: &std::path::Path| p.to_str().expect("utf-8").to_string();
    let (gcp, aws, github) = (utf8(&gcp), utf8(&aws), utf8(&github));
    ok_stdout(&outages(data.path(), &["ingest", &gcp, &aws, &github]));
    let compare = [
        "compare",
        "GitHub",
        "Google Cloud",
        "AWS",
        "--since",
        "2023-01-01",
        "--until",
        "2023-12-31",
    ];
    let mut with_json = compare.to_vec();
    with_json.push("--json");
    let cmp = json(&outages(data.path(), &with_json));
    assert_eq!(cmp["no_data"], serde_json::json!(["Google Cloud", "AWS"]));
    let rows = cmp["vendors"].as_array().expect("vendors");
    let no_data: Vec<bool> = rows
        .iter()
        .map(|r| r["coverage"]["no_data"].as_bool().expect("flag"))
        .collect();
    assert_eq!(no_data, vec![false, true, true]);
    for r in &rows[1..] {
        assert_eq!(r["availability"], Value::Null, "{r}");
    }
    let text = ok_stdout(&outages(data.path(), &compare));
    assert!(
        text.contains("No data in the period for: Google Cloud, AWS"),
        "{text}"
    );
    assert!(!text.contains("100.0000%"), "{text}");

    let stats = json(&outages(
        data.path(),
        &[
            "stats",
            "--vendor",
            "GitHub",
            "--since",
            "2022-01-01",
            "--until",
            "2022-12-31",
            "--json",
        ],
    ));
    assert_eq!(stats["incidents"], 123);
    assert_eq!(stats["median_ttr_minutes"], 81.0);
    assert_eq!(stats["coverage"]["share"], 1.0);

    // All time, GitHub's backfilled records (end equal to start) are left out of time to
    // resolve and counted as such, instead of a median of zero.
    let all = json(&outages(
        data.path(),
        &["stats", "--vendor", "GitHub", "--json"],
    ));
    assert!(
        all["ttr_left_out"].as_u64().expect("left out") > 800,
        "{all}"
    );
    assert!(all["median_ttr_minutes"].as_f64().expect("median") > 0.0);
    // Coverage ends where the archive ends, not today.
    assert_eq!(all["coverage"]["last"], "2023-10-06");
}

#[test]
fn unknown_filters_are_errors_naming_the_closest() {
    let data = fixture_data_dir();
    let out = outages(
        data.path(),
        &["stats", "--vendor", "Widgetly", "--service", "Paymentz"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"Paymentz\""), "{err}");
    assert!(err.contains("did you mean Payments"), "{err}");

    let out = outages(data.path(), &["timeline", "--vendor", "Nonesuch Cloud"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown vendor"));

    let out = outages(data.path(), &["search", "region:atlantis"]);
    assert_eq!(out.status.code(), Some(2));

    let out = outages(
        data.path(),
        &["timeline", "--since", "2024-02-01", "--until", "2024-01-01"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty period"));

    let out = outages(data.path(), &["timeline", "--limit", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `vendor:A OR vendor:B` lists exactly the events of A and of B, newest first.
#[test]
fn or_across_vendor_filters_unites_them() {
    let data = fixture_data_dir();
    let search = |q: &str| {
        json(&outages(
            data.path(),
            &["search", q, "--sort", "time", "--limit", "500", "--json"],
        ))
    };
    let widgetly = ids(&search("vendor:Widgetly"));
    let acme = ids(&search("vendor:\"Acme Cloud\""));
    assert!(!widgetly.is_empty() && !acme.is_empty());
    let both = search("vendor:Widgetly OR vendor:\"Acme Cloud\"");
    let mut got = ids(&both);
    got.sort();
    let mut want: Vec<String> = widgetly.into_iter().chain(acme).collect();
    want.sort();
    assert_eq!(got, want);
    let starts: Vec<&str> = both
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["start"].as_str().unwrap_or(""))
        .collect();
    let mut newest_first = starts.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(starts, newest_first);
}

/// Pages of two, one after another, are the whole timeline; the text says what it shows.
#[test]
fn a_paged_timeline_adds_up_to_the_whole() {
    let data = fixture_data_dir();
    let whole = ids(&json(&outages(data.path(), &["timeline", "--json"])));
    assert!(whole.len() > 4, "{whole:?}");
    let mut paged = Vec::new();
    for offset in (0..whole.len() + 2).step_by(2) {
        let offset = offset.to_string();
        let page = json(&outages(
            data.path(),
            &["timeline", "--json", "--limit", "2", "--offset", &offset],
        ));
        paged.extend(ids(&page));
    }
    assert_eq!(paged, whole);
    let text = ok_stdout(&outages(data.path(), &["timeline", "--limit", "2"]));
    assert!(
        text.contains(&format!(
            "showing 1-2 of {} events (--offset 2 for the next page)",
            whole.len()
        )),
        "{text}"
    );
}
