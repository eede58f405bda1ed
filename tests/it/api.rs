//! The JSON API over loopback HTTP against a fixture data set: every endpoint's answer is
//! validated against the component schemas of the served `/api/openapi.json`, and checked for
//! exact values. Also the exports, the security headers and the HTML escaping of hostile text.
//!
//! The data set (also used by the browser tests in `web.rs`): the fixture files ingested by the
//! real binary, plus one incident written straight into the store, as a careless parser could
//! have stored it, with a `javascript:` source link and a script in its title.

use std::path::Path;

use chrono::{DateTime, Utc};
use outages::model::{Incident, ReportKind, Severity, SourceRef, Status, Update, incident_id};
use outages::serve::{self, AppState};
use outages::store::Store;
use serde_json::Value;

use crate::cli::{ok_stdout, outages};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// The crafted hostile incident's id.
pub const HOSTILE_ID: &str = "widgetly:wl5hostile05";
/// The failing source recorded in the data set.
pub const FAILING_SOURCE: &str = "https://status.widgetly.test/api/v2/incidents.json";

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test time")
        .with_timezone(&Utc)
}

/// A temporary data directory holding the fixture data set.
pub fn fixture_data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = [
        format!("{FIXTURES}/web/widgetly-incidents.documented-shape.json"),
        format!("{FIXTURES}/statuspage/incidents-list-imitation.json"),
        format!("{FIXTURES}/statuspage/scheduled-maintenances-imitation.json"),
    ];
    let mut args = vec!["ingest"];
    args.extend(files.iter().map(String::as_str));
    ok_stdout(&outages(dir.path(), &args));
    let mut store = Store::open(&dir.path().join("outages.sqlite")).expect("store");
    let hostile = Incident {
        id: incident_id("Widgetly", "wl5hostile05"),
        vendor: "Widgetly".into(),
        title: "<script>document.title=\"pwned\"</script> Payments down".into(),
        start: Some(t("2024-01-20T12:00:00Z")),
        end: Some(t("2024-01-20T12:30:00Z")),
        status: Status::Resolved,
        severity: Severity::Major,
        severity_native: Some("<b>major</b>".into()),
        stated_minutes: None,
        regions: vec![],
        services: vec!["Payments".into()],
        cause: None,
        updates: vec![Update {
            at: Some(t("2024-01-20T12:30:00Z")),
            status: "resolved".into(),
            text: "Payments work again. <a href=\"javascript:alert(1)\">click</a>".into(),
        }],
        sources: vec![SourceRef {
            url: Some("javascript:alert(document.cookie)".into()),
            kind: ReportKind::Status,
            quote: Some("<img src=x onerror=alert(1)> Payments down".into()),
        }],
    };
    store
        .upsert_incidents(&[hostile], t("2024-01-21T00:00:00Z"))
        .expect("upsert");
    // As a crawl of the feed listing it would: that fetch covered the vendor from the feed's
    // oldest entry (the archive's last incident) to the fetch.
    store
        .record_coverage(
            "https://status.widgetly.example/history.json",
            "Widgetly",
            outages::model::Span {
                from: t("2024-01-15T10:00:00Z"),
                to: t("2024-01-21T00:00:00Z"),
            },
        )
        .expect("coverage");
    // As every writer does after its upsert: the incident becomes an event.
    outages::merge::merge_pending(&mut store, t("2024-01-21T00:00:00Z")).expect("merge");
    store
        .record_failure(
            FAILING_SOURCE,
            Some("Widgetly"),
            t("2024-02-01T06:00:00Z"),
            "timeout",
            "no answer within 30 s",
        )
        .expect("record failure");
    store
        .record_items_window(
            FAILING_SOURCE,
            Some(t("2023-06-12T08:00:00Z")),
            Some(t("2024-01-15T10:00:00Z")),
        )
        .expect("record window");
    dir
}

/// The server on a free loopback port, stopped when dropped.
pub struct Running {
    pub base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub async fn start(data: &Path) -> Running {
    let paths = outages::crawl::DataPaths::new(Some(data));
    let state = AppState::open(&paths).expect("app state");
    let listener = serve::bind("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve::serve(listener, state, async {
        let _ = rx.await;
    }));
    Running {
        base: format!("http://{addr}"),
        stop: Some(tx),
    }
}

struct Api {
    base: String,
    client: reqwest::Client,
    openapi: Value,
}

impl Api {
    async fn new(running: &Running) -> Api {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("client");
        let openapi: Value = client
            .get(format!("{}/api/openapi.json", running.base))
            .send()
            .await
            .expect("openapi")
            .bytes()
            .await
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .expect("openapi json");
        Api {
            base: running.base.clone(),
            client,
            openapi,
        }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    /// GETs `path`, asserts the status, and validates the body against component `schema`.
    async fn json(&self, path: &str, status: u16, schema: &str) -> Value {
        let res = self.get(path).await;
        assert_eq!(res.status().as_u16(), status, "{path}");
        let bytes = res.bytes().await.expect("body");
        let body: Value = serde_json::from_slice(&bytes).expect("json body");
        self.validate(&body, schema, path);
        body
    }

    fn validate(&self, body: &Value, schema: &str, what: &str) {
        let wrapper = serde_json::json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": format!("#/components/schemas/{schema}"),
            "components": self.openapi["components"].clone(),
        });
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&wrapper)
            .expect("schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what} does not match {schema}: {errors:#?}"
        );
    }
}

async fn api() -> (tempfile::TempDir, Running, Api) {
    let data = fixture_data_dir();
    let running = start(data.path()).await;
    let api = Api::new(&running).await;
    (data, running, api)
}

fn ids(events: &Value) -> Vec<&str> {
    events
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["id"].as_str().expect("id"))
        .collect()
}

#[tokio::test]
async fn search_answers_match_the_schema_with_snippet_and_facets() {
    let (_data, _running, api) = api().await;
    // "certificate" alone also finds Acme Cloud's "Certificate rotation".
    let body = api
        .json("/api/search?q=certificate", 200, "SearchResponse")
        .await;
    assert_eq!(body["total"], 2);
    assert_eq!(
        body["facets"]["vendor"],
        serde_json::json!({"Acme Cloud": 1, "Widgetly": 1})
    );
    let body = api
        .json(
            "/api/search?q=%22expired+certificate%22",
            200,
            "SearchResponse",
        )
        .await;
    assert_eq!(body["total"], 1);
    let hit = &body["results"][0];
    assert_eq!(hit["event"]["id"], "widgetly:wl1login0001");
    assert_eq!(hit["event"]["title"], "Login failures for EU customers");
    let text = hit["snippet"]["text"].as_str().expect("snippet");
    let marked: Vec<&str> = hit["snippet"]["highlights"]
        .as_array()
        .expect("highlights")
        .iter()
        .filter_map(|h| {
            let s = usize::try_from(h["start"].as_u64()?).ok()?;
            let e = usize::try_from(h["end"].as_u64()?).ok()?;
            text.get(s..e)
        })
        .collect();
    assert_eq!(
        marked,
        vec!["expired", "certificate", "certificate"],
        "{text}"
    );
    assert_eq!(body["facets"]["vendor"]["Widgetly"], 1);
    assert_eq!(body["facets"]["year"]["2023"], 1);

    // Every Widgetly event, with facets over the whole set.
    let body = api
        .json(
            "/api/search?vendor=Widgetly&limit=2&sort=time",
            200,
            "SearchResponse",
        )
        .await;
    assert_eq!(body["total"], 5);
    assert_eq!(body["results"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        body["facets"]["severity"],
        serde_json::json!({"critical": 1, "major": 2, "minor": 2})
    );
    // A misspelt vendor is corrected, and says so.
    let body = api
        .json("/api/search?q=vendor:widgtly", 200, "SearchResponse")
        .await;
    assert_eq!(body["total"], 5);
    assert_eq!(
        body["corrected"],
        serde_json::json!([{"asked": "widgtly", "used": "Widgetly"}])
    );
}

#[tokio::test]
async fn event_answers_carry_every_version_seen() {
    let (_data, _running, api) = api().await;
    let body = api
        .json("/api/events/widgetly%3Awl3api000003", 200, "EventResponse")
        .await;
    let e = &body["event"];
    assert_eq!(e["title"], "Complete outage of the Widgetly API");
    assert_eq!(e["start"], "2023-11-02T22:10:00Z");
    assert_eq!(e["end"], "2023-11-03T01:40:00Z");
    assert_eq!(e["duration_minutes"], 210);
    assert_eq!(e["severity"], "critical");
    assert_eq!(e["services"], serde_json::json!(["API"]));
    assert_eq!(e["updates"].as_array().map(Vec::len), Some(3));
    assert_eq!(e["updates"][0]["status"], "investigating");
    assert_eq!(body["severity_native"], "critical");
    assert_eq!(body["versions"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        body["versions"][0]["title"],
        "Complete outage of the Widgetly API"
    );

    let missing = api.json("/api/events/widgetly%3Anope", 404, "Error").await;
    assert_eq!(missing["error"], "no event with id \"widgetly:nope\"");
}

#[tokio::test]
async fn timeline_answers_count_the_events_of_a_range() {
    let (_data, _running, api) = api().await;
    let body = api
        .json(
            "/api/timeline?vendor=Widgetly&after=2023-06-01&before=2023-06-30",
            200,
            "TimelineResponse",
        )
        .await;
    assert_eq!(body["total"], 2);
    assert_eq!(
        ids(&body["events"]),
        vec!["widgetly:wl2hook00002", "widgetly:wl1login0001"]
    );
    assert_eq!(body["since"], "2023-06-01T00:00:00Z");
    assert_eq!(body["until"], "2023-07-01T00:00:00Z");
    let all = api.json("/api/timeline", 200, "TimelineResponse").await;
    assert_eq!(all["total"], 11);
}

#[tokio::test]
async fn stats_answers_equal_outages_stats_json() {
    let (data, _running, api) = api().await;
    let body = api
        .json(
            "/api/stats?vendor=widgetly&until=2024-01-31",
            200,
            "StatsResponse",
        )
        .await;
    let cli: Value = serde_json::from_str(&ok_stdout(&outages(
        data.path(),
        &[
            "stats",
            "--vendor",
            "Widgetly",
            "--until",
            "2024-01-31",
            "--json",
        ],
    )))
    .expect("stats json");
    assert_eq!(body, cli);
    // Checked by hand: 90 + 45 + 210 + 60 + 30 minutes, none overlapping.
    assert_eq!(body["incidents"], 5);
    assert_eq!(body["outage_minutes"], 435);
    assert_eq!(
        body["by_severity"],
        serde_json::json!({"critical": 1, "major": 2, "minor": 2})
    );
    assert_eq!(body["longest"]["id"], "widgetly:wl3api000003");
    assert_eq!(body["median_ttr_minutes"], 60.0);
    assert_eq!(body["coverage"]["first"], "2023-06-12");

    let missing = api.json("/api/stats", 400, "Error").await;
    assert_eq!(missing["error"], "bad parameter vendor: is required");
    let unknown = api
        .json("/api/stats?vendor=nobody-at-all", 400, "Error")
        .await;
    assert!(
        unknown["error"]
            .as_str()
            .is_some_and(|e| e.contains("unknown vendor")),
        "{unknown}"
    );
}

#[tokio::test]
async fn compare_answers_align_on_the_common_period() {
    let (_data, _running, api) = api().await;
    let body = api
        .json(
            "/api/compare?vendor=Widgetly&vendor=Acme%20Cloud&until=2024-04-30",
            200,
            "CompareResponse",
        )
        .await;
    // Widgetly's sources covered June 2023 to 21 January 2024, Acme Cloud's archive from
    // 1 March 2024: no time is covered by both, so nothing is compared (rather than charging
    // Widgetly for months nobody watched it).
    assert_eq!(body["aligned_since"], Value::Null);
    assert_eq!(body["common_minutes"], 0);
    assert_eq!(body["no_data"], serde_json::json!([]));
    let vendors = body["vendors"].as_array().expect("vendors");
    assert_eq!(vendors.len(), 2);
    assert_eq!(vendors[0]["vendor"], "Widgetly");
    assert_eq!(vendors[1]["vendor"], "Acme Cloud");
    for v in vendors {
        assert_eq!(v["coverage"]["no_data"], true, "{v}");
        assert_eq!(v["availability"], Value::Null, "{v}");
    }
    // Each alone over its own coverage: Acme Cloud's three incidents and three maintenances.
    let acme = api
        .json(
            "/api/stats?vendor=Acme%20Cloud&until=2024-04-30",
            200,
            "StatsResponse",
        )
        .await;
    assert_eq!(acme["incidents"], 3);
    assert_eq!(acme["maintenances"], 3);
    assert_eq!(acme["coverage"]["first"], "2024-03-01");
    api.json("/api/compare", 400, "Error").await;
}

#[tokio::test]
async fn sources_answers_show_health() {
    let (_data, _running, api) = api().await;
    let res = api.get("/api/sources").await;
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = serde_json::from_slice(&res.bytes().await.expect("body")).expect("json");
    let list = body.as_array().expect("array");
    for s in list {
        api.validate(s, "Source", "/api/sources item");
    }
    let failing: Vec<&Value> = list.iter().filter(|s| s["health"] == "failing").collect();
    assert_eq!(failing.len(), 1);
    assert_eq!(failing[0]["url"], FAILING_SOURCE);
    assert_eq!(failing[0]["last_error_class"], "timeout");
    assert_eq!(failing[0]["consecutive_failures"], 1);
    assert_eq!(failing[0]["oldest_item_at"], "2023-06-12T08:00:00Z");
}

#[tokio::test]
async fn malformed_queries_get_a_json_error_not_a_crash() {
    let (_data, _running, api) = api().await;
    let deep = format!("{}a{}", "(".repeat(40), ")".repeat(40));
    let body = api
        .json(&format!("/api/search?q={deep}"), 400, "Error")
        .await;
    assert_eq!(
        body["error"],
        "bad query: the query nests parentheses deeper than 16 levels"
    );
    let body = api.json("/api/search?q=%22open", 400, "Error").await;
    assert_eq!(body["error"], "bad query: unclosed quote in the query");
    let body = api.json("/api/search?limit=many", 400, "Error").await;
    assert_eq!(
        body["error"],
        "bad parameter limit: \"many\" is not a whole number"
    );
    let body = api.json("/api/timeline?after=soon", 400, "Error").await;
    assert_eq!(
        body["error"],
        "bad parameter after: \"soon\" is not a date (YYYY-MM-DD) or RFC 3339 time"
    );
}

#[tokio::test]
async fn openapi_document_lists_every_endpoint() {
    let (_data, _running, api) = api().await;
    let paths: Vec<&String> = api.openapi["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .collect();
    assert_eq!(
        paths,
        vec![
            "/api/compare",
            "/api/events/{id}",
            "/api/search",
            "/api/sources",
            "/api/stats",
            "/api/timeline",
            "/calendar.ics",
            "/export.csv",
            "/feed.atom",
        ]
    );
}

#[tokio::test]
async fn exports_download_the_matching_events() {
    let (_data, _running, api) = api().await;
    let res = api.get("/export.csv?q=vendor:widgetly").await;
    assert_eq!(
        res.headers()["content-type"].to_str().ok(),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(
        res.headers()["content-disposition"].to_str().ok(),
        Some("attachment; filename=\"outages.csv\"")
    );
    let csv = res.text().await.expect("csv");
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 6, "{csv}");
    assert!(lines[0].starts_with("id,vendor,title,start,end"));

    let atom = api
        .get("/feed.atom?vendor=Widgetly&severity=critical")
        .await;
    let feed =
        feed_rs::parser::parse(atom.bytes().await.expect("atom").as_ref()).expect("atom parses");
    assert_eq!(feed.entries.len(), 1);
    assert_eq!(
        feed.entries[0].title.as_ref().map(|t| t.content.as_str()),
        Some("Widgetly: Complete outage of the Widgetly API")
    );

    let ics = api.get("/calendar.ics?q=vendor:%22acme+cloud%22").await;
    let text = ics.text().await.expect("ics");
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 6);
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_no_path_reaches_files() {
    let (_data, _running, api) = api().await;
    for path in ["/", "/api/search", "/assets/app.js", "/nowhere"] {
        let res = api.get(path).await;
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .expect("csp");
        assert_eq!(csp, serve::CONTENT_SECURITY_POLICY, "{path}");
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    }
    for path in [
        "/assets/..%2F..%2FCargo.toml",
        "/assets/%2e%2e%2fsrc%2flib.rs",
        "/assets/app.css.map",
        "/assets/",
    ] {
        assert_eq!(api.get(path).await.status().as_u16(), 404, "{path}");
    }
}

#[tokio::test]
async fn hostile_text_is_escaped_and_javascript_links_are_not_links() {
    let (_data, _running, api) = api().await;
    let id = "widgetly%3Awl5hostile05";
    for path in [
        format!("/events/{id}"),
        "/?vendor=Widgetly".to_string(),
        "/timeline?vendor=Widgetly".to_string(),
        "/vendors/Widgetly".to_string(),
    ] {
        let html = api.get(&path).await.text().await.expect("html");
        assert!(!html.contains("<script>document"), "{path}");
        assert!(!html.contains("<img src=x"), "{path}");
        assert!(
            !html.to_lowercase().contains("href=\"javascript:"),
            "{path}"
        );
        // The only scripts are the UI's own file.
        assert_eq!(html.matches("<script").count(), 1, "{path}");
    }
    let html = api
        .get(&format!("/events/{id}"))
        .await
        .text()
        .await
        .expect("html");
    // The javascript: source is listed once, as text.
    assert_eq!(html.matches("class=\"inert-link\"").count(), 1, "{html}");
}

/// `outages serve` prints the address to open and exits 0 on Ctrl-C (SIGINT).
#[cfg(unix)]
#[test]
fn serve_prints_its_address_and_stops_cleanly_on_ctrl_c() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let data = fixture_data_dir();
    let mut child = Command::new(env!("CARGO_BIN_EXE_outages"))
        .arg("--data-dir")
        .arg(data.path())
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env_remove("OUTAGES_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("address line");
    assert!(
        line.starts_with("Web UI: open http://127.0.0.1:") && line.contains("Ctrl-C to stop"),
        "{line}"
    );
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve did not stop within 20 s of Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}
