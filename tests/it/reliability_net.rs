//! RELIABILITY.md section A (network and HTTP) and B2, through the library's real fetch and
//! crawl paths against [`RawServer`] on 127.0.0.1. Host names resolve through a static table
//! (`feed.test` and `evil.test` to loopback), so no test sends a DNS query or a packet off the
//! machine, even if the address guard were broken.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use outages::crawl::{self, CrawlOptions, DataPaths, Silent};
use outages::fetch::{FetchConfig, FetchError, FetchOutcome, Fetcher, NameResolution, Validators};
use outages::sources::Source;
use outages::store::Store;

use crate::rawserver::RawServer;

/// Small limits so every fault ends in about two seconds.
fn config() -> FetchConfig {
    let loopback = vec![IpAddr::V4(Ipv4Addr::LOCALHOST)];
    FetchConfig {
        connect_timeout: Duration::from_secs(1),
        read_timeout: Duration::from_secs(1),
        total_timeout: Duration::from_secs(2),
        max_body_bytes: 1024 * 1024,
        per_host: 64,
        resolution: NameResolution::Static(HashMap::from([
            ("feed.test".to_string(), loopback.clone()),
            ("evil.test".to_string(), loopback),
        ])),
        // feed.test plays an intranet host the operator allow-listed; evil.test is not.
        allow_hosts: vec!["feed.test".into()],
        ..FetchConfig::default()
    }
}

/// Runs a client future on its own runtime (the server has another, so neither blocks the
/// other).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime")
        .block_on(future)
}

fn fetcher() -> Fetcher {
    Fetcher::new(config(), None).expect("fetcher")
}

async fn get(f: &Fetcher, url: &str, allow_private: bool) -> Result<FetchOutcome, FetchError> {
    f.get(url, &Validators::default(), allow_private).await
}

async fn class_of(f: &Fetcher, url: &str, allow_private: bool) -> String {
    match get(f, url, allow_private).await {
        Ok(_) => "ok".into(),
        Err(e) => e.class().into(),
    }
}

#[test]
fn silent_server_and_trickle_end_at_the_deadlines_as_timeouts() {
    let server = RawServer::start();
    block_on(async {
        let f = fetcher();
        for path in ["/silent", "/trickle"] {
            let started = Instant::now();
            let err = get(&f, &server.url(path), true)
                .await
                .expect_err("must time out");
            assert_eq!(err.class(), "timeout", "{path}: {err}");
            assert!(
                started.elapsed() < Duration::from_millis(3000),
                "{path} took {:?}",
                started.elapsed()
            );
        }
    });
}

#[test]
fn refused_port_is_a_fast_connect_error() {
    block_on(async {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("port");
        let started = Instant::now();
        let class = class_of(&fetcher(), &format!("http://127.0.0.1:{port}/feed"), true).await;
        assert_eq!(class, "connect");
        assert!(started.elapsed() < Duration::from_millis(900));
    });
}

#[test]
fn unknown_name_is_a_dns_error() {
    block_on(async {
        let err = get(&fetcher(), "http://nowhere.test/feed", false)
            .await
            .expect_err("no such name");
        assert_eq!(err.class(), "dns", "{err}");
        assert!(err.to_string().contains("nowhere.test"), "{err}");
    });
}

#[test]
fn names_and_literals_resolving_to_private_addresses_are_refused_before_connecting() {
    let server = RawServer::start();
    block_on(async {
        let f = fetcher();
        let by_name = format!("http://evil.test:{}/ok/1", server.port);
        let err = get(&f, &by_name, false).await.expect_err("refused");
        assert_eq!(err.class(), "blocked_address", "{err}");
        assert!(
            err.to_string()
                .contains("evil.test resolves only to private"),
            "{err}"
        );
        let literal = get(&f, &server.url("/ok/1"), false)
            .await
            .expect_err("refused");
        assert_eq!(literal.class(), "blocked_address", "{literal}");
        assert_eq!(server.hits("/ok/1"), 0, "a refused URL must never be asked");
        // The operator's allow-list and the per-source flag open the same server.
        let allowed = format!("http://feed.test:{}/ok/1", server.port);
        assert_eq!(class_of(&f, &allowed, false).await, "ok");
        assert_eq!(class_of(&f, &server.url("/ok/1"), true).await, "ok");
        assert_eq!(server.hits("/ok/1"), 2);
    });
}

#[test]
fn redirects_to_private_addresses_are_refused_on_every_hop() {
    let server = RawServer::start();
    block_on(async {
        let f = fetcher();
        for (path, never_asked) in [("/to-private", "/ok/99"), ("/to-evil", "/ok/98")] {
            let url = format!("http://feed.test:{}{path}", server.port);
            let err = get(&f, &url, false).await.expect_err("refused hop");
            assert_eq!(err.class(), "blocked_address", "{path}: {err}");
            assert_eq!(server.hits(path), 1);
            assert_eq!(server.hits(never_asked), 0, "{path} must not be followed");
        }
    });
}

#[test]
fn redirect_loops_long_chains_and_file_urls_fail_as_redirects() {
    let server = RawServer::start();
    block_on(async {
        let f = fetcher();
        assert_eq!(class_of(&f, &server.url("/loop/a"), true).await, "redirect");
        assert_eq!(class_of(&f, &server.url("/chain/5"), true).await, "ok");
        assert_eq!(
            class_of(&f, &server.url("/chain/6"), true).await,
            "redirect"
        );
        let err = get(&f, &server.url("/file"), true)
            .await
            .expect_err("file: is never followed");
        assert_eq!(err.class(), "redirect", "{err}");
    });
}

#[test]
fn endless_and_bomb_bodies_stop_at_the_cap() {
    let server = RawServer::start();
    block_on(async {
        let f = fetcher();
        for path in ["/huge", "/bomb"] {
            let started = Instant::now();
            let err = get(&f, &server.url(path), true)
                .await
                .expect_err("over the cap");
            assert_eq!(err.class(), "too_large", "{path}: {err}");
            assert!(err.to_string().contains("1048576"), "{err}");
            assert!(started.elapsed() < Duration::from_secs(2), "{path}");
        }
    });
}

#[test]
fn stacked_gzip_is_decoded_and_unsupported_codings_are_refused_by_name() {
    let server = RawServer::start();
    block_on(async {
        let f = fetcher();
        let Ok(FetchOutcome::Fetched(fetched)) = get(&f, &server.url("/stacked/7"), true).await
        else {
            panic!("gzip, gzip must decode");
        };
        assert_eq!(
            fetched.body,
            crate::rawserver::statuspage_json("7").into_bytes()
        );
        for (path, header, coding) in [
            ("/gzip-br", "gzip, br", "br"),
            ("/compress", "compress", "compress"),
        ] {
            let err = get(&f, &server.url(path), true).await.expect_err("refused");
            assert_eq!(err.class(), "decode", "{path}: {err}");
            assert_eq!(
                err.to_string(),
                format!(
                    "{}: cannot decode the body: unsupported Content-Encoding {header:?}: {coding:?} cannot be decoded (gzip and deflate layers can)",
                    server.url(path)
                )
            );
        }
        let started = Instant::now();
        let err = get(&f, &server.url("/stacked-bomb"), true)
            .await
            .expect_err("over the cap once both layers are off");
        assert_eq!(err.class(), "too_large", "{err}");
        assert!(err.to_string().contains("1048576"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5), "{err}");
    });
}

#[test]
fn truncated_reset_and_malformed_responses_are_errors_never_bodies() {
    let server = RawServer::start();
    block_on(async {
        let f = fetcher();
        let mut classes = Vec::new();
        for path in ["/truncated", "/reset", "/badchunk", "/headerflood"] {
            match get(&f, &server.url(path), true).await {
                Ok(_) => panic!("{path} must fail"),
                Err(e) => classes.push((path, e.class())),
            }
        }
        assert_eq!(
            classes,
            vec![
                ("/truncated", "decode"),
                ("/reset", "other"),
                ("/badchunk", "decode"),
                ("/headerflood", "other"),
            ]
        );
    });
}

#[test]
fn status_errors_carry_the_clamped_retry_after() {
    let server = RawServer::start();
    block_on(async {
        let f = fetcher();
        let err = get(&f, &server.url("/503"), true).await.expect_err("503");
        assert_eq!(err.class(), "http_status");
        assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
        let err = get(&f, &server.url("/429"), true).await.expect_err("429");
        assert_eq!(err.to_string(), format!("{}: HTTP 429", server.url("/429")));
        assert_eq!(err.retry_after(), None, "garbage Retry-After is ignored");
    });
}

/// A 304 to a request that sent no validator refers to nothing: an error, not a healthy
/// fetch; with a validator sent it is the ordinary "unchanged".
#[test]
fn a_304_without_a_validator_sent_is_an_error() {
    let server = RawServer::start();
    block_on(async {
        let f = fetcher();
        let url = server.url("/304");
        let err = get(&f, &url, true).await.expect_err("304 to nothing");
        assert_eq!(err.class(), "other");
        assert_eq!(
            err.to_string(),
            format!(
                "{url}: HTTP 304 Not Modified to a request that sent no validator (no If-None-Match or If-Modified-Since): nothing to reuse"
            )
        );
        let sent = Validators {
            etag: Some("\"v1\"".into()),
            last_modified: None,
        };
        let answer = f
            .get(&url, &sent, true)
            .await
            .expect("304 to our validator");
        assert!(matches!(answer, FetchOutcome::NotModified { .. }));
    });
}

fn source(vendor: &str, url: String) -> Source {
    Source {
        vendor: Some(vendor.into()),
        url,
        kind: None,
        role: outages::model::ReportKind::Status,
        allow_private: true,
    }
}

/// The behaviours of the misbehaving half, with the class each must be reported under.
const BAD: [(&str, &str); 12] = [
    ("/silent", "timeout"),
    ("/trickle", "timeout"),
    ("/reset", "other"),
    ("/huge", "too_large"),
    ("/bomb", "too_large"),
    ("/loop/a", "redirect"),
    ("/file", "redirect"),
    ("/html", "not_a_feed"),
    ("/truncated", "decode"),
    ("/503", "http_status"),
    ("/empty", "not_a_feed"),
    ("/badchunk", "decode"),
];

#[test]
fn fifty_sources_half_misbehaving_finish_in_bounded_time_and_keep_the_good_half() {
    let server = RawServer::start();
    block_on(async {
        let data = tempfile::tempdir().expect("tempdir");
        let paths = DataPaths::new(Some(data.path()));
        let mut sources = Vec::new();
        let mut expected_bad = HashMap::new();
        for n in 0..25 {
            sources.push(source(
                &format!("Good {n}"),
                server.url(&format!("/ok/{n}")),
            ));
            let (path, class) = BAD[n % BAD.len()];
            // A query string makes each bad URL distinct while the server sees the same path.
            let url = format!("{}?n={n}", server.url(path));
            expected_bad.insert(url.clone(), class);
            sources.push(source(&format!("Bad {n}"), url));
        }
        let f = fetcher();
        let started = Instant::now();
        let options = CrawlOptions {
            concurrency: 16,
            force: false,
            stop: None,
            ..CrawlOptions::default()
        };
        let report = crawl::crawl_with(sources, &f, &paths, &options, &Silent)
            .await
            .expect("crawl");
        let elapsed = started.elapsed();
        // Four waves of 16 at most, each bounded by the 2 s total deadline, plus the writer.
        assert!(elapsed < Duration::from_secs(15), "took {elapsed:?}");
        assert_eq!(report.ok, 25);
        assert_eq!(report.incidents.new, 50);
        assert_eq!(report.failures.len(), 25);
        for failure in &report.failures {
            assert_eq!(
                Some(failure.class.as_str()),
                expected_bad.get(&failure.url).copied(),
                "{}: {}",
                failure.url,
                failure.message
            );
        }
        let store = Store::open(&paths.store).expect("store");
        let states = store.sources().expect("sources");
        assert_eq!(states.len(), 50);
        for s in &states {
            if s.url.contains("/ok/") {
                assert_eq!(s.consecutive_failures, 0, "{}", s.url);
                assert!(s.last_success_at.is_some(), "{}", s.url);
            } else {
                // Unreadable is never "all clear": no success recorded, a failure and a retry time.
                assert_eq!(s.consecutive_failures, 1, "{}", s.url);
                assert_eq!(s.last_success_at, None, "{}", s.url);
                assert_eq!(
                    s.last_error_class.as_deref(),
                    expected_bad.get(&s.url).copied(),
                    "{}",
                    s.url
                );
                assert!(s.next_attempt_at.is_some(), "{}", s.url);
            }
        }
        // The 503 asked for 120 s, more than the first backoff step of 60 s.
        let busy = states
            .iter()
            .find(|s| s.url.contains("/503"))
            .expect("503 source");
        let wait = busy
            .next_attempt_at
            .zip(busy.last_checked_at)
            .map(|(next, at)| (next - at).num_seconds());
        assert_eq!(wait, Some(120));
    });
}

#[test]
fn backoff_defers_failing_sources_until_forced_and_freshness_defers_fresh_ones() {
    let server = RawServer::start();
    block_on(async {
        let data = tempfile::tempdir().expect("tempdir");
        let paths = DataPaths::new(Some(data.path()));
        let sources = vec![
            source("Down", server.url("/503")),
            source("Fresh", server.url("/cache/7")),
            source("Plain", server.url("/ok/8")),
        ];
        let f = fetcher();
        let mut options = CrawlOptions {
            concurrency: 4,
            force: false,
            stop: None,
            ..CrawlOptions::default()
        };
        let first = crawl::crawl_with(sources.clone(), &f, &paths, &options, &Silent)
            .await
            .expect("first");
        assert_eq!((first.ok, first.failures.len()), (2, 1));
        let store = Store::open(&paths.store).expect("store");
        let fresh = store
            .source(&server.url("/cache/7"))
            .expect("read")
            .expect("recorded");
        let wait = fresh
            .next_attempt_at
            .zip(fresh.last_checked_at)
            .map(|(next, at)| (next - at).num_seconds());
        assert_eq!(wait, Some(600), "Cache-Control: max-age=600 is honoured");
        drop(store);

        let second = crawl::crawl_with(sources.clone(), &f, &paths, &options, &Silent)
            .await
            .expect("second");
        let mut deferred: Vec<&str> = second
            .deferred
            .iter()
            .filter_map(|d| d.vendor.as_deref())
            .collect();
        deferred.sort_unstable();
        assert_eq!(deferred, vec!["Down", "Fresh"]);
        assert_eq!(second.ok, 1);
        assert_eq!(server.hits("/503"), 1, "a source in backoff is not asked");

        options.force = true;
        let forced = crawl::crawl_with(sources, &f, &paths, &options, &Silent)
            .await
            .expect("forced");
        assert!(forced.deferred.is_empty());
        assert_eq!(server.hits("/503"), 2);
        let store = Store::open(&paths.store).expect("store");
        let down = store
            .source(&server.url("/503"))
            .expect("read")
            .expect("recorded");
        assert_eq!(
            down.consecutive_failures, 2,
            "a failing source is never dropped"
        );
    });
}

/// A port that answers every connection with plain HTTP at once, as a misconfigured 443 does.
fn plaintext_port() -> (u16, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let handle = std::thread::spawn(move || {
        if let Ok((mut sock, _)) = listener.accept() {
            use std::io::Write as _;
            let _ = sock.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    (port, handle)
}

#[test]
fn https_to_a_plaintext_port_is_a_tls_failure_without_fallback() {
    let (port, server) = plaintext_port();
    let err = block_on(get(
        &fetcher(),
        &format!("https://127.0.0.1:{port}/feed"),
        true,
    ))
    .expect_err("no TLS there");
    assert_eq!(err.class(), "tls", "{err}");
    server.join().expect("server thread");
}

#[test]
fn self_signed_certificate_is_refused_as_tls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (key, cert) = (dir.path().join("key.pem"), dir.path().join("cert.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=localhost", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipping: openssl cannot make a test certificate here");
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let mut server = std::process::Command::new("timeout")
        .args(["20", "openssl", "s_server", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .arg("-www")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openssl s_server");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "s_server never listened"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let err = block_on(get(&fetcher(), &format!("https://127.0.0.1:{port}/"), true))
        .expect_err("self-signed");
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(err.class(), "tls", "{err}");
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );
}

/// A server answering 503 to everything, recording each request's path.
fn unavailable_server() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for sock in listener.incoming().take(8) {
            let Ok(mut sock) = sock else { continue };
            let _ = sock.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = [0u8; 2048];
            let n = sock.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(buf.get(..n).unwrap_or_default()).into_owned();
            if let Some(path) = head.split_whitespace().nth(1)
                && let Ok(mut l) = log.lock()
            {
                l.push(path.to_string());
            }
            let _ = sock.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    (port, seen)
}

#[test]
fn press_pages_honour_robots_txt_and_an_unreachable_one_disallows() {
    let server = RawServer::start();
    let (down, seen) = unavailable_server();
    let data = tempfile::tempdir().expect("tempdir");
    let paths = DataPaths::new(Some(data.path()));
    let press = |url: String| Source {
        vendor: None,
        url,
        kind: Some(outages::model::Format::StatuspageJson),
        role: outages::model::ReportKind::Press,
        allow_private: true,
    };
    let sources = vec![
        press(server.url("/ok/1")),
        press(server.url("/ok/2")),
        press(format!("http://127.0.0.1:{down}/news/outage")),
    ];
    let options = CrawlOptions {
        concurrency: 1,
        force: false,
        stop: None,
        ..CrawlOptions::default()
    };
    let report = block_on(crawl::crawl_with(
        sources,
        &fetcher(),
        &paths,
        &options,
        &Silent,
    ))
    .expect("crawl");
    // robots.txt 404: allowed, read once for the origin and cached.
    assert_eq!(server.hits("/robots.txt"), 1);
    assert_eq!((server.hits("/ok/1"), server.hits("/ok/2")), (1, 1));
    // robots.txt 503: everything disallowed, the page never asked. (The two allowed pages
    // serve a status document, which a press source reads as a feed and rejects: not robots.)
    let robots: Vec<_> = report
        .failures
        .iter()
        .filter(|f| f.class == "robots")
        .collect();
    assert_eq!(robots.len(), 1, "{:#?}", report.failures);
    assert!(robots[0].url.ends_with("/news/outage"), "{:#?}", robots);
    let asked = seen.lock().map(|s| s.clone()).unwrap_or_default();
    assert_eq!(asked, vec!["/robots.txt".to_string()]);
}
