//! The press crawl over loopback HTTP: a news feed is screened item by item, only the outage
//! article is fetched, robots.txt is obeyed (a disallowed page and a host whose robots.txt
//! answers 5xx are never requested), the press incident is stored with its quote, and a second
//! run asks for the article conditionally.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use outages::crawl::{self, CrawlOptions, DataPaths, Silent};
use outages::fetch::{FetchConfig, Fetcher};
use outages::model::{ReportKind, Severity, Status, rfc3339};
use outages::press_crawl::{PressConfig, may_report_outage};
use outages::sources;
use outages::store::{IncidentFilter, Store};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/press_crawl");

/// One canned response.
#[derive(Clone)]
struct Route {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    etag: Option<&'static str>,
}

/// A request as the server saw it.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    path: String,
    if_none_match: Option<String>,
}

/// A loopback HTTP/1.1 server answering from a route table and logging every request.
struct TestServer {
    base: String,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl TestServer {
    fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let base = format!("http://{}/", listener.local_addr().expect("address"));
        let routes: Arc<Mutex<HashMap<String, Route>>> = Arc::default();
        let log: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let (r, l) = (routes.clone(), log.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let path = request_line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .to_string();
                let mut if_none_match = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':') {
                        if k.eq_ignore_ascii_case("if-none-match") {
                            if_none_match = Some(v.trim().to_string());
                        }
                    }
                }
                l.lock().expect("log").push(Seen {
                    path: path.clone(),
                    if_none_match: if_none_match.clone(),
                });
                let route = r.lock().expect("routes").get(&path).cloned();
                let (status, content_type, body, etag) = match route {
                    Some(route)
                        if route.etag.is_some()
                            && route.etag.map(str::to_string) == if_none_match =>
                    {
                        (304, route.content_type, Vec::new(), route.etag)
                    }
                    Some(route) => (route.status, route.content_type, route.body, route.etag),
                    None => (404, "text/plain", b"not found".to_vec(), None),
                };
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
                    body.len()
                );
                if let Some(etag) = etag {
                    head.push_str(&format!("ETag: {etag}\r\n"));
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        TestServer { base, routes, log }
    }

    fn route(&self, path: &str, status: u16, content_type: &'static str, body: Vec<u8>) {
        self.route_with_etag(path, status, content_type, body, None);
    }

    fn route_with_etag(
        &self,
        path: &str,
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
        etag: Option<&'static str>,
    ) {
        self.routes.lock().expect("routes").insert(
            path.to_string(),
            Route {
                status,
                content_type,
                body,
                etag,
            },
        );
    }

    fn paths(&self) -> Vec<String> {
        self.log
            .lock()
            .expect("log")
            .iter()
            .map(|s| s.path.clone())
            .collect()
    }

    fn seen(&self) -> Vec<Seen> {
        self.log.lock().expect("log").clone()
    }

    fn clear_log(&self) {
        self.log.lock().expect("log").clear();
    }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(FIXTURES).join(name)).expect("fixture")
}

/// A news site with a robots.txt that keeps crawlers out of /members/, its feed, and pages.
fn news_site() -> TestServer {
    let site = TestServer::start();
    let feed = String::from_utf8(fixture("feed.xml"))
        .expect("utf-8 feed")
        .replace("{BASE}", &site.base);
    site.route(
        "/robots.txt",
        200,
        "text/plain",
        b"User-agent: *\nDisallow: /members/\n\nUser-agent: GPTBot\nDisallow: /\n".to_vec(),
    );
    site.route("/feed.xml", 200, "application/rss+xml", feed.into_bytes());
    site.route_with_etag(
        "/news/2021/06/08/fastly-outage",
        200,
        "text/html; charset=utf-8",
        fixture("fastly-outage.html"),
        Some("\"fastly-v1\""),
    );
    site.route(
        "/news/2021/08/06/datadog-results",
        200,
        "text/html",
        fixture("datadog-results.html"),
    );
    site.route(
        "/members/2021/01/04/slack-outage",
        200,
        "text/html",
        fixture("slack-outage.html"),
    );
    site
}

/// A host whose robots.txt answers 503: nothing else on it may be fetched.
fn failing_site() -> TestServer {
    let site = TestServer::start();
    site.route("/robots.txt", 503, "text/plain", b"busy".to_vec());
    site.route(
        "/feed.xml",
        200,
        "application/rss+xml",
        String::from_utf8(fixture("feed.xml"))
            .expect("utf-8 feed")
            .replace("{BASE}", &site.base)
            .into_bytes(),
    );
    site
}

/// A sources file with one press source at `base` + `path`, its kind given or detected.
fn press_source(base: &str, path: &str, kind: Option<&str>) -> String {
    let kind = kind.map_or_else(String::new, |k| format!("kind = \"{k}\"\n"));
    format!("[[source]]\nurl = \"{base}{path}\"\nrole = \"press\"\n{kind}allow_private = true\n")
}

fn run_crawl(sources_toml: &str, data: &Path) -> crawl::CrawlReport {
    run_crawl_with_delay(sources_toml, data, Duration::from_millis(20))
}

fn run_crawl_with_delay(sources_toml: &str, data: &Path, delay: Duration) -> crawl::CrawlReport {
    let list = sources::parse(sources_toml).expect("sources");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let fetcher = Fetcher::new(FetchConfig::default(), None).expect("fetcher");
    let press = PressConfig {
        delay,
        ..PressConfig::default()
    };
    runtime
        .block_on(crawl::crawl_with(
            list,
            &fetcher,
            &DataPaths::new(Some(data)),
            &CrawlOptions {
                concurrency: 4,
                press,
                ..CrawlOptions::default()
            },
            &Silent,
        ))
        .expect("crawl runs")
}

#[test]
fn press_feed_fetches_only_the_allowed_outage_article_and_stores_a_press_event() {
    let site = news_site();
    let blocked = failing_site();
    let data = tempfile::tempdir().expect("tempdir");
    let toml = format!(
        "{}\n{}",
        press_source(&site.base, "feed.xml", None),
        press_source(&blocked.base, "feed.xml", None)
    );
    let report = run_crawl(&toml, data.path());

    // robots.txt once, the feed, then only the outage article: the business story is screened
    // out and the /members/ story is disallowed, so neither is ever requested.
    assert_eq!(
        site.paths(),
        vec!["/robots.txt", "/feed.xml", "/news/2021/06/08/fastly-outage"]
    );
    // A 5xx robots.txt blocks the whole host, the feed included.
    assert_eq!(blocked.paths(), vec!["/robots.txt"]);
    assert_eq!(report.ok, 2, "the feed and its article");
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].url, format!("{}feed.xml", blocked.base));
    assert_eq!(report.incidents.new, 1);

    let store = Store::open(&DataPaths::new(Some(data.path())).store).expect("store");
    let incidents = store
        .incidents(&IncidentFilter::default())
        .expect("incidents");
    assert_eq!(incidents.len(), 1);
    let i = &incidents[0];
    assert_eq!(i.vendor, "Fastly");
    assert_eq!(
        i.title,
        "Fastly outage takes down Amazon, Reddit and government websites"
    );
    assert_eq!(
        i.start.map(rfc3339).as_deref(),
        Some("2021-06-08T09:47:00Z")
    );
    assert_eq!(i.duration_minutes(), Some(49));
    assert_eq!(i.status, Status::Resolved);
    assert_eq!(i.severity, Severity::Critical);
    // "the UK government's website" is the one place the article names.
    assert_eq!(i.regions, vec!["United Kingdom".to_string()]);
    assert_eq!(
        i.cause.as_deref(),
        Some("a software bug triggered by a valid customer configuration change")
    );
    assert_eq!(i.sources.len(), 1);
    let source = &i.sources[0];
    assert_eq!(source.kind, ReportKind::Press);
    assert_eq!(
        source.url.as_deref(),
        Some(format!("{}news/2021/06/08/fastly-outage", site.base).as_str())
    );
    assert_eq!(
        source.quote.as_deref(),
        Some(
            "The disruption began at 09:47 UTC and lasted 49 minutes before most services were restored, Fastly said."
        )
    );

    // The article is a press source of its own now, with its validators kept.
    let article = store
        .source(&format!("{}news/2021/06/08/fastly-outage", site.base))
        .expect("source row")
        .expect("article recorded");
    assert_eq!(article.role, Some(ReportKind::Press));
    assert_eq!(article.etag.as_deref(), Some("\"fastly-v1\""));
    drop(store);

    // Second run: robots.txt is read again (a new run), the article is asked for conditionally
    // and its 304 changes nothing.
    site.clear_log();
    let again = run_crawl(&toml, data.path());
    assert_eq!(
        site.seen().last(),
        Some(&Seen {
            path: "/news/2021/06/08/fastly-outage".into(),
            if_none_match: Some("\"fastly-v1\"".into()),
        })
    );
    assert_eq!(again.not_modified, 1);
    assert_eq!(again.incidents.new, 0);
}

#[test]
fn single_article_source_becomes_a_press_event() {
    let site = news_site();
    let data = tempfile::tempdir().expect("tempdir");
    let toml = press_source(&site.base, "news/2021/06/08/fastly-outage", Some("article"));
    let report = run_crawl(&toml, data.path());
    assert_eq!(
        site.paths(),
        vec!["/robots.txt", "/news/2021/06/08/fastly-outage"]
    );
    assert_eq!(report.ok, 1);
    assert_eq!(report.incidents.new, 1);
    let store = Store::open(&DataPaths::new(Some(data.path())).store).expect("store");
    let incidents = store
        .incidents(&IncidentFilter::default())
        .expect("incidents");
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0].vendor, "Fastly");
    assert_eq!(incidents[0].sources[0].kind, ReportKind::Press);
}

/// No robots.txt (404) allows everything; requests to the host are spaced by the delay.
#[test]
fn missing_robots_txt_allows_and_requests_are_paced() {
    let site = TestServer::start();
    site.route(
        "/news/2021/06/08/fastly-outage",
        200,
        "text/html",
        fixture("fastly-outage.html"),
    );
    let data = tempfile::tempdir().expect("tempdir");
    let toml = press_source(&site.base, "news/2021/06/08/fastly-outage", None);
    let began = std::time::Instant::now();
    let report = run_crawl_with_delay(&toml, data.path(), Duration::from_millis(300));
    assert!(began.elapsed() >= Duration::from_millis(300));
    assert_eq!(
        site.paths(),
        vec!["/robots.txt", "/news/2021/06/08/fastly-outage"]
    );
    assert_eq!(report.incidents.new, 1);
}

#[test]
fn disallowed_single_article_is_never_requested() {
    let site = news_site();
    let data = tempfile::tempdir().expect("tempdir");
    let toml = press_source(&site.base, "members/2021/01/04/slack-outage", None);
    let report = run_crawl(&toml, data.path());
    assert_eq!(site.paths(), vec!["/robots.txt"]);
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].class, "robots");
    assert!(
        report.failures[0].message.contains("robots.txt"),
        "{}",
        report.failures[0].message
    );
}

#[test]
fn feed_items_are_screened_on_title_and_summary() {
    assert!(may_report_outage(
        "Fastly outage takes down Amazon, Reddit and government websites",
        "A global outage at the content delivery network Fastly knocked major websites offline for about an hour."
    ));
    assert!(may_report_outage(
        "Slack down: users unable to send messages",
        "Slack suffered an outage as millions of users returned to work."
    ));
    assert!(!may_report_outage(
        "Datadog beats revenue forecasts as cloud customers spend more",
        "The monitoring company raised its full-year guidance after quarterly revenue grew 67 per cent."
    ));
    assert!(!may_report_outage(
        "How to write a good status page update",
        "Advice for engineers on communicating during downtime."
    ));
}

/// `outages demo` crawls the snapshot's press feed too: the press report of the Fastly outage
/// sits on the timeline next to Fastly's own incident, under the same canonical vendor.
#[test]
fn demo_shows_press_events_next_to_status_incidents() {
    let data = tempfile::tempdir().expect("tempdir");
    crate::cli::ok_stdout(&crate::cli::outages(
        data.path(),
        &["demo", "--no-serve", "--show", "1"],
    ));
    // The article quoting Cloudflare's own 13:42-14:09 window is merged into its incident.
    let cloudflare = crate::cli::events_json(&crate::cli::outages(
        data.path(),
        &[
            "timeline",
            "--vendor",
            "Cloudflare",
            "--since",
            "2019-07-02",
            "--until",
            "2019-07-02",
            "--json",
        ],
    ));
    let events = cloudflare.as_array().expect("array");
    assert_eq!(events.len(), 1, "{cloudflare:#}");
    let kinds: Vec<&str> = events[0]["merged_from"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["status", "press"]);
    assert_eq!(events[0]["status_page_mentioned"], true);
    let timeline = crate::cli::events_json(&crate::cli::outages(
        data.path(),
        &[
            "timeline",
            "--vendor",
            "Fastly",
            "--since",
            "2021-06-01",
            "--until",
            "2021-06-30",
            "--json",
        ],
    ));
    crate::cli::validate_contract(&timeline);
    // The report states the onset, 09:47 UTC, inside the status incident's window: one
    // event with both sources, the vendor's incident first.
    let rows = timeline.as_array().expect("array");
    assert_eq!(rows.len(), 1, "{timeline:#}");
    let fastly = &rows[0];
    assert_eq!(fastly["vendor"], "Fastly");
    let sources: Vec<(&str, &str)> = fastly["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap_or(""),
                s["url"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(sources.len(), 2, "{fastly:#}");
    assert_eq!(sources[0].0, "status");
    assert_eq!(
        sources[1],
        (
            "press",
            "https://news.outages.example/2021/06/08/fastly-outage"
        )
    );
    assert_eq!(fastly["status_page_mentioned"], true);
    // The vendor posted (09:58) hours before the report was published (16:10).
    assert_eq!(fastly["acknowledgement_lag_minutes"], -372);
    let reasons: Vec<&str> = fastly["merged_from"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m["reason"].as_str())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("the report's stated onset falls inside the window")),
        "{reasons:?}"
    );
}
