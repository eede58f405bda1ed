//! One outage, one event, in every view: the CLI (text and JSON), the four exports, the API
//! and the web pages list the same merged events in the same order with the same totals, and
//! a member's id leads to its event.

use std::path::Path;

use scraper::{Html, Selector};
use serde_json::Value;

use crate::api::start;
use crate::cli::{ok_stdout, outages};
use crate::corpus;

/// What one view listed: event ids in order, and the total it reported (when it reports one).
#[derive(Debug, PartialEq)]
struct Listed {
    ids: Vec<String>,
    total: Option<usize>,
}

/// Large enough that no view cuts the list.
const ALL: usize = 5_000;

fn json_ids(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_string())
        .collect()
}

/// `outages search QUERY --sort time` as JSON and as text.
fn cli_search(data: &Path, query: &str) -> (Listed, Listed) {
    let limit = ALL.to_string();
    let args = ["search", query, "--sort", "time", "--limit", &limit];
    let json: Value = serde_json::from_str(&ok_stdout(&outages(
        data,
        &[&args[..], &["--json"]].concat(),
    )))
    .expect("json");
    let text = ok_stdout(&outages(data, &args));
    let total = text.lines().find_map(|l| {
        l.split_once(" of ")?
            .1
            .strip_suffix(" matches")?
            .parse()
            .ok()
    });
    let text_ids = text
        .lines()
        .filter(|l| !l.starts_with(' ') && l.contains("  "))
        .filter_map(|l| l.rsplit("  ").next().map(str::to_string))
        .collect();
    (
        Listed {
            ids: json_ids(&json),
            total: None,
        },
        Listed {
            ids: text_ids,
            total,
        },
    )
}

/// `outages export QUERY --format F`, the ids of the file in order.
fn cli_export(data: &Path, query: &str, format: &str) -> Vec<String> {
    let out = ok_stdout(&outages(data, &["export", query, "--format", format]));
    match format {
        "json" => json_ids(&serde_json::from_str(&out).expect("json")),
        "csv" => {
            let mut reader = csv::Reader::from_reader(out.as_bytes());
            reader
                .records()
                .map(|r| r.expect("row").get(0).expect("id").to_string())
                .collect()
        }
        "atom" => out
            .lines()
            .filter_map(|l| {
                l.trim()
                    .strip_prefix("<id>urn:outages:event:")?
                    .strip_suffix("</id>")
                    .map(str::to_string)
            })
            .collect(),
        "ics" => {
            // Unfold continuation lines first (RFC 5545, 3.1).
            let unfolded = out.replace("\r\n ", "");
            unfolded
                .lines()
                .filter_map(|l| l.strip_prefix("UID:")?.strip_suffix("@outages"))
                .map(|uid| uid.replace("\\,", ",").replace("\\;", ";"))
                .collect()
        }
        other => panic!("no format {other}"),
    }
}

async fn get(base: &str, path: &str) -> String {
    reqwest::get(format!("{base}{path}"))
        .await
        .expect("request")
        .error_for_status()
        .expect("status")
        .text()
        .await
        .expect("body")
}

fn event_links(html: &str, selector: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(selector).expect("selector");
    doc.select(&sel)
        .filter_map(|a| a.value().attr("href"))
        .filter_map(|h| h.strip_prefix("/events/"))
        .map(percent_decode)
        .collect()
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn attr_number(html: &str, selector: &str, attr: &str) -> Option<usize> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(selector).expect("selector");
    doc.select(&sel).next()?.value().attr(attr)?.parse().ok()
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Every view of one query in time order, checked to agree.
async fn views_agree(data: &Path, base: &str, query: &str) -> usize {
    let (json, text) = cli_search(data, query);
    assert!(!json.ids.is_empty(), "{query:?} finds nothing");
    assert_eq!(text.ids, json.ids, "CLI text vs JSON for {query:?}");
    let total = text.total.expect("the CLI prints a total");
    assert_eq!(total, json.ids.len(), "CLI total for {query:?}");
    for format in ["json", "csv", "atom", "ics"] {
        assert_eq!(
            cli_export(data, query, format),
            json.ids,
            "export {format} for {query:?}"
        );
    }
    let q = enc(query);
    let api: Value =
        serde_json::from_str(&get(base, &format!("/api/search?q={q}&sort=time&limit={ALL}")).await)
            .expect("json");
    let api_ids: Vec<String> = api["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["event"]["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(api_ids, json.ids, "/api/search for {query:?}");
    assert_eq!(
        api["total"].as_u64(),
        Some(total as u64),
        "/api/search total"
    );
    let timeline: Value =
        serde_json::from_str(&get(base, &format!("/api/timeline?q={q}&limit={ALL}")).await)
            .expect("json");
    assert_eq!(
        json_ids(&timeline["events"]),
        json.ids,
        "/api/timeline for {query:?}"
    );
    assert_eq!(
        timeline["total"].as_u64(),
        Some(total as u64),
        "/api/timeline total"
    );
    let page = get(base, &format!("/?q={q}&sort=time&limit={ALL}")).await;
    assert_eq!(
        event_links(&page, "li.result h3 a"),
        json.ids,
        "search page for {query:?}"
    );
    assert_eq!(attr_number(&page, "#total", "data-total"), Some(total));
    total
}

/// The timeline views (CLI text and JSON, the API, the page) of one vendor and period.
async fn timelines_agree(data: &Path, base: &str, vendor: &str, since: &str, until: &str) {
    let limit = ALL.to_string();
    let args = [
        "timeline", "--vendor", vendor, "--since", since, "--until", until, "--limit", &limit,
    ];
    let json: Value = serde_json::from_str(&ok_stdout(&outages(
        data,
        &[&args[..], &["--json"]].concat(),
    )))
    .expect("json");
    let ids = json_ids(&json);
    assert!(!ids.is_empty(), "{vendor} {since}..{until}");
    let text = ok_stdout(&outages(data, &args));
    let text_ids: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("  "))
        .filter_map(|l| l.rsplit("  ").next().map(str::to_string))
        .collect();
    assert_eq!(text_ids, ids, "CLI timeline text");
    let query = format!("vendor:\"{vendor}\" after:{since} before:{until}");
    let (search, _) = cli_search(data, &query);
    assert_eq!(search.ids, ids, "search {query:?} vs timeline");
    let params = format!("vendor={}&since={since}&until={until}", enc(vendor));
    let api: Value =
        serde_json::from_str(&get(base, &format!("/api/timeline?{params}&limit={ALL}")).await)
            .expect("json");
    assert_eq!(json_ids(&api["events"]), ids, "/api/timeline");
    assert_eq!(api["total"].as_u64(), Some(ids.len() as u64));
    let page = get(base, &format!("/timeline?{params}")).await;
    let listed = event_links(&page, "details a");
    assert_eq!(listed, ids, "timeline page");
    assert_eq!(attr_number(&page, "#count", "data-count"), Some(ids.len()));
}

/// A member that is not its event's id, and the event holding it.
fn a_member_elsewhere(data: &Path) -> Option<(String, String)> {
    let json: Value = serde_json::from_str(&ok_stdout(&outages(
        data,
        &["timeline", "--json", "--limit", &ALL.to_string()],
    )))
    .expect("json");
    json.as_array()?.iter().find_map(|e| {
        let id = e["id"].as_str()?;
        let other = e["merged_from"]
            .as_array()?
            .iter()
            .filter_map(|m| m["incident_id"].as_str())
            .find(|m| *m != id)?;
        Some((other.to_string(), id.to_string()))
    })
}

async fn member_redirects(base: &str, member: &str, event: &str) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for (path, target) in [
        (
            format!("/api/events/{}", enc(member)),
            format!("/api/events/{}", enc(event)),
        ),
        (
            format!("/events/{}", enc(member)),
            format!("/events/{}", enc(event)),
        ),
    ] {
        let res = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status().as_u16(), 308, "{path}");
        let location = res
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(percent_decode_path);
        assert_eq!(location, Some(percent_decode_path(&target)), "{path}");
    }
}

fn percent_decode_path(p: &str) -> String {
    p.split('/')
        .map(percent_decode)
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_view_of_the_demo_lists_the_same_events() {
    let data = tempfile::tempdir().expect("tempdir");
    ok_stdout(&outages(
        data.path(),
        &["demo", "--no-serve", "--show", "1"],
    ));
    let running = start(data.path()).await;
    let base = running.base.clone();
    let all = views_agree(data.path(), &base, "").await;
    let timeline: Value = serde_json::from_str(&ok_stdout(&outages(
        data.path(),
        &["timeline", "--json", "--limit", "5000"],
    )))
    .expect("json");
    assert_eq!(
        json_ids(&timeline).len(),
        all,
        "timeline and search count alike"
    );
    for query in [
        "vendor:AWS",
        "\"S3\"",
        "region:us-east-1",
        "after:2021-01-01 before:2022-01-01",
    ] {
        views_agree(data.path(), &base, query).await;
    }
    timelines_agree(data.path(), &base, "Fastly", "2021-01-01", "2022-01-01").await;
    // AWS's 2017 S3 outage: the vendor's incident and the press report are one event.
    let (member, event) = a_member_elsewhere(data.path()).expect("a merged event");
    member_redirects(&base, &member, &event).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_view_of_a_real_archive_lists_the_same_events() {
    let (Some(gcp), Some(aws), Some(github)) = (
        corpus::corpus_file("gcp/gcp-status-incidents.json"),
        corpus::corpus_file("aws/aws-status-data.json"),
        corpus::corpus_file("statuspage/api-v2/github-incidents/incidents"),
    ) else {
        return;
    };
    let data = tempfile::tempdir().expect("tempdir");
    ok_stdout(&outages(
        data.path(),
        &[
            "ingest",
            gcp.to_str().expect("utf-8"),
            aws.to_str().expect("utf-8"),
            github.to_str().expect("utf-8"),
        ],
    ));
    let running = start(data.path()).await;
    let base = running.base.clone();
    for query in [
        "",
        "vendor:GitHub",
        "\"database\"",
        "region:us-east-1",
        "after:2021-06-01 before:2021-09-01",
    ] {
        views_agree(data.path(), &base, query).await;
    }
    timelines_agree(
        data.path(),
        &base,
        "Google Cloud",
        "2021-01-01",
        "2022-01-01",
    )
    .await;
    let (member, event) = a_member_elsewhere(data.path()).expect("a merged event");
    member_redirects(&base, &member, &event).await;
}
