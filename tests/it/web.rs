//! End to end in headless Chromium (Debian's `chromium` and `chromium-driver`, driven through
//! chromedriver with fantoccini) against the real `outages serve` on a loopback port, over the
//! fixture data set of `api.rs`. Each test saves screenshots under `target/screenshots/` (a test
//! artefact). The tests skip with a message when the browser is absent, and fail when it is
//! absent under CI=true. Every wait is bounded.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::api::{HOSTILE_ID, fixture_data_dir};
use crate::cli::{ok_stdout, outages};

/// The longest any single wait may take.
const WAIT: Duration = Duration::from_secs(20);

/// One browser at a time: the machine is small and Chromium is not.
static BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Chromium and chromedriver, or `None` (after saying why) when the test should skip.
fn browser_binaries() -> Option<(PathBuf, PathBuf)> {
    let chromium = on_path("chromium").or_else(|| on_path("chromium-browser"));
    let driver = on_path("chromedriver");
    match (chromium, driver) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "chromium and chromedriver are required under CI=true (.ci/run installs them)"
                );
            }
            eprintln!(
                "skipping browser test: chromium or chromedriver not found (apt-get install chromium chromium-driver)"
            );
            None
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A child process killed when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `outages serve` on a free port, with the address it printed.
fn start_server(data: &Path) -> (Proc, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_outages"))
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env_remove("OUTAGES_DATA_DIR")
        .env("OUTAGES_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("outages serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let proc = Proc(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(WAIT)
        .expect("outages serve prints its address");
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .map(|u| u.trim_end_matches('/').to_string())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    (proc, base)
}

fn start_driver(driver: &Path) -> (Proc, u16) {
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let proc = Proc(child);
    let deadline = Instant::now() + WAIT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (proc, port)
}

/// Everything one test drives; dropping it stops the browser, the driver and the server.
struct Session {
    client: Client,
    base: String,
    data: tempfile::TempDir,
    _profile: tempfile::TempDir,
    _server: Proc,
    _driver: Proc,
}

impl Session {
    async fn start() -> Option<Session> {
        let (chromium, driver) = browser_binaries()?;
        let data = fixture_data_dir();
        let (server, base) = start_server(data.path());
        let (driver_proc, port) = start_driver(&driver);
        let profile = tempfile::tempdir().expect("profile dir");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--window-size=1280,1000",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = tokio::time::timeout(
            WAIT,
            ClientBuilder::new(connector)
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{port}")),
        )
        .await
        .expect("a browser session within the time limit")
        .expect("a browser session");
        Some(Session {
            client,
            base,
            data,
            _profile: profile,
            _server: server,
            _driver: driver_proc,
        })
    }

    async fn open(&self, path: &str) {
        tokio::time::timeout(WAIT, self.client.goto(&format!("{}{path}", self.base)))
            .await
            .expect("page loads in time")
            .expect("page loads");
    }

    async fn element(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
    }

    async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for e in self
            .client
            .find_all(Locator::Css(css))
            .await
            .expect("find_all")
        {
            out.push(e.text().await.expect("text"));
        }
        out
    }

    async fn attr(&self, css: &str, name: &str) -> String {
        self.element(css)
            .await
            .attr(name)
            .await
            .expect("attr")
            .unwrap_or_default()
    }

    /// The text of the figure `key` on a vendor page.
    async fn figure(&self, key: &str) -> String {
        self.element(&format!("[data-figure='{key}']"))
            .await
            .text()
            .await
            .expect("text")
    }

    async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .expect("script runs")
    }

    /// Polls `check` until it is true or the wait runs out.
    async fn until(&self, what: &str, script: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            if self.js(script).await == Value::Bool(true) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    async fn finish(self) {
        let _ = self.client.close().await;
    }
}

/// `target/screenshots/` of the target directory this test binary was built in.
fn screenshot_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("screenshots")
}

#[tokio::test]
async fn search_finds_a_known_event_and_shows_its_snippet_as_you_type() {
    let _one = BROWSER.lock().await;
    let Some(s) = Session::start().await else {
        return;
    };
    s.open("/").await;
    s.js("window.__sameDocument = true; return true").await;
    s.element("#q")
        .await
        .send_keys("\"expired certificate\"")
        .await
        .expect("type");
    s.until(
        "live results",
        "var t = document.getElementById('total'); return !!t && t.getAttribute('data-total') === '1'",
    )
    .await;
    assert_eq!(
        s.texts("li.result h3").await,
        vec!["Login failures for EU customers"]
    );
    assert_eq!(
        s.texts("li.result .snippet mark").await,
        vec!["expired", "certificate", "certificate"]
    );
    let snippet = s.texts("li.result .snippet").await.join(" ");
    assert!(
        snippet.contains("An expired certificate on the EU login service"),
        "{snippet}"
    );
    // Results came without a page load, and the address follows the query.
    assert_eq!(
        s.js("return window.__sameDocument === true").await,
        Value::Bool(true)
    );
    let url = s.client.current_url().await.expect("url");
    assert_eq!(
        url.query(),
        Some("q=%22expired+certificate%22&vendor=&severity=&region=&source=&after=&before=")
    );
    s.screenshot("search").await;

    // Phone width: the same page, one column.
    s.client.set_window_size(390, 844).await.expect("resize");
    s.open("/?q=outage").await;
    s.element("li.result").await;
    s.screenshot("search-phone").await;
    s.finish().await;
}

#[tokio::test]
async fn a_filter_narrows_the_results() {
    let _one = BROWSER.lock().await;
    let Some(s) = Session::start().await else {
        return;
    };
    s.open("/?vendor=Widgetly").await;
    assert_eq!(s.attr("#total", "data-total").await, "5");
    assert_eq!(
        s.texts("ul.chips .chip .label").await,
        vec!["vendor: Widgetly"]
    );
    s.element("#f-severity")
        .await
        .select_by_value("critical")
        .await
        .expect("choose critical");
    s.until(
        "the narrowed results",
        "var t = document.getElementById('total'); return !!t && t.getAttribute('data-total') === '1'",
    )
    .await;
    assert_eq!(
        s.texts("li.result h3").await,
        vec!["Complete outage of the Widgetly API"]
    );
    // Without JavaScript the same filter is a plain link: the facet.
    s.open("/?vendor=Widgetly&severity=minor").await;
    assert_eq!(s.attr("#total", "data-total").await, "2");
    assert_eq!(
        s.texts("ul.chips .chip .label").await,
        vec!["vendor: Widgetly", "severity: minor"]
    );
    s.screenshot("search-filtered").await;
    s.finish().await;
}

#[tokio::test]
async fn the_timeline_shows_the_events_of_a_range() {
    let _one = BROWSER.lock().await;
    let Some(s) = Session::start().await else {
        return;
    };
    s.open("/timeline?vendor=Widgetly&after=2023-06-01&before=2023-06-30")
        .await;
    assert_eq!(s.attr("#count", "data-count").await, "2");
    assert_eq!(s.texts("li.event").await.len(), 2);
    assert_eq!(
        s.client
            .find_all(Locator::Css("svg.axis rect.mark"))
            .await
            .expect("marks")
            .len(),
        2
    );
    assert_eq!(
        s.texts("li.event summary .title").await,
        vec![
            "Webhook delivery delayed",
            "Login failures for EU customers"
        ]
    );
    // Expanding an event shows its updates and its source.
    s.element("li.event summary")
        .await
        .click()
        .await
        .expect("expand");
    let updates = s.texts("li.event details[open] .updates li").await;
    assert_eq!(updates.len(), 2);
    assert!(
        updates[0].contains("Webhooks are delivered with a delay of up to 20 minutes."),
        "{updates:?}"
    );
    s.screenshot("timeline-month").await;

    // Everything, then zoom in (keyboard "+") down to the first year with events.
    s.open("/timeline").await;
    assert_eq!(s.attr("#count", "data-count").await, "11");
    s.screenshot("timeline").await;
    s.element("body")
        .await
        .send_keys("+")
        .await
        .expect("zoom key");
    s.until(
        "the zoomed-in page",
        "return location.search.indexOf('after=2023-01-01') >= 0 && !!document.getElementById('count')",
    )
    .await;
    assert_eq!(s.attr("#count", "data-count").await, "3");
    s.finish().await;
}

#[tokio::test]
async fn a_vendor_page_shows_the_figures_of_outages_stats() {
    let _one = BROWSER.lock().await;
    let Some(s) = Session::start().await else {
        return;
    };
    let stats: Value = serde_json::from_str(&ok_stdout(&outages(
        s.data.path(),
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
    s.open("/vendors/Widgetly?until=2024-01-31").await;
    assert_eq!(s.figure("incidents").await, stats["incidents"].to_string());
    assert_eq!(
        s.figure("outage_minutes").await,
        stats["outage_minutes"].to_string()
    );
    assert_eq!(s.figure("incidents").await, "5");
    assert_eq!(s.figure("outage_minutes").await, "435");
    let pct = |v: &Value| format!("{:.4}%", v.as_f64().expect("number") * 100.0);
    assert_eq!(s.figure("availability").await, pct(&stats["availability"]));
    assert_eq!(
        s.figure("weighted_availability").await,
        pct(&stats["weighted_availability"])
    );
    assert_eq!(
        s.figure("median_ttr_minutes").await,
        format!(
            "{:.1} min",
            stats["median_ttr_minutes"].as_f64().expect("median")
        )
    );
    assert_eq!(
        s.figure("p90_ttr_minutes").await,
        format!("{} min", stats["p90_ttr_minutes"])
    );
    // Charts and the heatmap are drawn; the failing source is listed with its error.
    assert_eq!(
        s.client
            .find_all(Locator::Css(".chart svg"))
            .await
            .expect("charts")
            .len(),
        2
    );
    assert_eq!(
        s.client
            .find_all(Locator::Css("svg.heatmap"))
            .await
            .expect("heatmaps")
            .len(),
        2
    );
    assert_eq!(s.attr("td[data-health]", "data-health").await, "failing");
    s.screenshot("vendor").await;

    s.open("/compare?vendor=Widgetly&vendor=Acme+Cloud").await;
    assert_eq!(s.texts("table.compare tbody tr").await.len(), 2);
    s.screenshot("compare").await;
    s.open("/sources").await;
    s.element("table.sources-table").await;
    s.screenshot("sources").await;
    s.open("/vendors").await;
    s.screenshot("vendors").await;
    s.open("/api").await;
    s.screenshot("api").await;
    s.finish().await;
}

#[tokio::test]
async fn an_event_with_script_in_its_title_and_javascript_links_is_inert() {
    let _one = BROWSER.lock().await;
    let Some(s) = Session::start().await else {
        return;
    };
    let path = format!("/events/{}", HOSTILE_ID.replace(':', "%3A"));
    s.open(&path).await;
    let h1 = s.element("#event-title").await.text().await.expect("title");
    assert_eq!(
        h1,
        "<script>document.title=\"pwned\"</script> Payments down"
    );
    let title = s.js("return document.title").await;
    assert_eq!(
        title,
        Value::String("<script>document.title=\"pwned\"</script> Payments down · outages".into())
    );
    let js_links = s
        .js("return Array.from(document.querySelectorAll('a')).filter(a => !/^https?:/.test(a.href)).map(a => a.href)")
        .await;
    assert_eq!(js_links, json!([]));
    assert_eq!(
        s.texts(".inert-link").await,
        vec!["javascript:alert(document.cookie)"]
    );
    assert_eq!(
        s.client
            .find_all(Locator::Css("main img, main script"))
            .await
            .expect("find")
            .len(),
        0
    );
    // The quote's <img onerror> is text too.
    let quote = s.texts("ol.sources blockquote").await;
    assert_eq!(quote, vec!["<img src=x onerror=alert(1)> Payments down"]);
    assert!(s.client.get_alert_text().await.is_err(), "an alert opened");
    s.screenshot("event-hostile").await;

    s.open("/events/widgetly%3Awl3api000003").await;
    assert_eq!(
        s.texts("dl.facts dd")
            .await
            .first()
            .map(|t| t.starts_with("Complete outage of the Widgetly API")),
        Some(true)
    );
    s.screenshot("event").await;
    s.finish().await;
}
