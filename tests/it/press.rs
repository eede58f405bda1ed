//! Press reports and post-mortems: main-text extraction measured on the public
//! article-extraction benchmark, and outage extraction measured on the labelled set in
//! `tests/fixtures/press/labelled.jsonl`.

use std::collections::HashMap;
use std::path::PathBuf;

use outages::bench::metric::{page_score, set_score};
use outages::extract::press::{LabelledItem, PressInput, evaluate, extract};
use outages::extract::services::Catalog;
use outages::model::{Event, Format, ReportKind, Severity, Status, rfc3339};
use outages::parse::article::extract_article;
use outages::parse::{self, ParseContext};

use crate::corpus;

/// The article-extraction benchmark (`../shared/bench/article-extraction`), or `None` (after
/// printing why) when it is absent (see [`corpus::shared_path`]).
fn bench_dir() -> Option<PathBuf> {
    corpus::shared_path("bench/article-extraction")
}

/// A file inside the benchmark, or `None` when the benchmark is absent.
fn bench_file(relative: &str) -> Option<PathBuf> {
    bench_dir().map(|d| d.join(relative))
}

fn ground_truth() -> Option<HashMap<String, String>> {
    let path = bench_file("ground-truth.json")?;
    let raw = std::fs::read_to_string(&path).expect("ground-truth.json");
    let value: serde_json::Value = serde_json::from_str(&raw).expect("ground truth JSON");
    let map = value.as_object().expect("ground truth is an object");
    Some(
        map.iter()
            .map(|(k, v)| {
                let body = v["articleBody"].as_str().unwrap_or("").to_string();
                (k.clone(), body)
            })
            .collect(),
    )
}

fn extract_page(hash: &str) -> String {
    let path = bench_file(&format!("html/{hash}.html")).expect("bench present");
    let bytes = std::fs::read(&path).expect("page");
    let html = String::from_utf8_lossy(&bytes);
    extract_article(&html, &ParseContext::default())
        .map(|a| a.text)
        .unwrap_or_default()
}

/// The benchmark's pages are general news (games, politics, gadgets, business): parsing each
/// whole page must succeed, and almost none may be taken for an outage report.
#[test]
fn benchmark_pages_parse_and_are_not_outages() {
    let Some(truth) = ground_truth() else { return };
    let mut reported = Vec::new();
    for hash in truth.keys() {
        let path = bench_file(&format!("html/{hash}.html")).expect("bench present");
        let bytes = std::fs::read(&path).expect("page");
        let parsed = parse::parse(&bytes, &ParseContext::default()).expect("page parses");
        assert_eq!(parsed.format, Format::Article, "{hash}");
        for i in parsed.incidents {
            reported.push(format!("{hash}: {} | {}", i.vendor, i.title));
        }
    }
    for r in &reported {
        println!("reported as an outage: {r}");
    }
    // Measured 2 when written (a streaming-glitch story, which is one, and a helicopter crash).
    assert!(
        reported.len() <= 4,
        "{} of 181 news pages reported as outages",
        reported.len()
    );
}

#[test]
fn article_extraction_benchmark_f1_floor() {
    let Some(truth) = ground_truth() else { return };
    assert_eq!(truth.len(), 181);
    let started = std::time::Instant::now();
    let mut scores = Vec::with_capacity(truth.len());
    let mut worst: Vec<(f64, String)> = Vec::new();
    for (hash, body) in &truth {
        let text = extract_page(hash);
        let page = page_score(&text, body);
        let (p, r) = (page.precision, page.recall);
        scores.push(page);
        worst.push((
            (2.0 * p * r) / (p + r).max(1e-9),
            format!("{hash} p={p:.2} r={r:.2}"),
        ));
    }
    let set = set_score(&scores).expect("181 pages");
    let (p, r, f1) = (set.precision, set.recall, set.f1);
    worst.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (_, w) in worst.iter().take(5) {
        println!("weakest page: {w}");
    }
    println!(
        "article extraction over {} pages: precision {p:.3} recall {r:.3} F1 {f1:.3} in {:.1?}",
        truth.len(),
        started.elapsed()
    );
    // Measured 0.964 (P 0.961, R 0.968) when written; the floor leaves 0.02 for tuning noise.
    assert!(f1 >= 0.944, "F1 {f1:.3} fell below the measured floor");
}

/// The labelled set with every item's text, or `None` (skip) without the corpus, which holds
/// the text of the items taken from real feeds and post-mortem pages.
fn labelled() -> Option<Vec<LabelledItem>> {
    let corpus = crate::corpus::corpus_dir()?;
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/press/labelled.jsonl");
    let raw = std::fs::read_to_string(&path).expect("labelled set");
    let items = raw
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut item: LabelledItem = serde_json::from_str(l).expect("labelled item");
            item.resolve_text(&corpus).expect("corpus text");
            assert!(!item.text.trim().is_empty(), "{}: no text", item.title);
            item
        })
        .collect();
    Some(items)
}

#[test]
fn labelled_set_scores_per_field() {
    let Some(items) = labelled() else { return };
    assert!(items.len() >= 60, "{} items", items.len());
    assert!(items.iter().filter(|i| i.is_outage).count() >= 30);
    let report = evaluate(&items);
    println!("{report}");
    for m in &report.misclassified {
        println!("misclassified: {m}");
    }
    // Floors a little under the figures measured with the shared gazetteer, region vocabulary
    // and cause reader (in brackets).
    let floors = [
        ("detection", report.detection, 0.95, 0.97), // P 1.000 R 1.000
        ("vendor", report.vendor, 0.96, 0.97),       // 1.000 1.000
        ("start", report.start, 0.95, 0.97),         // 1.000 1.000
        // 0.962 0.944: "for several hours" is no longer read as three hours.
        ("duration", report.duration, 0.93, 0.93),
        // 0.700 0.875 (2026-12-07; 0.875 0.875 before): places and extents ("worldwide",
        // "across the globe") are read since the real-article set (press-pages) labels them;
        // this set's labels leave extents out, so they count against its precision.
        ("regions", report.regions, 0.68, 0.85),
        // 0.706 0.857 (2026-12-07; 0.895 0.911 before): generic services ("DNS", "websites")
        // are read where no product is named, and another company's products are no longer
        // the vendor's, as press-pages labels them; this set labels neither way.
        ("services", report.services, 0.68, 0.84),
        ("cause", report.cause, 0.92, 0.90), // 0.956 0.915
    ];
    for (name, score, p, r) in floors {
        assert!(
            score.precision() >= p && score.recall() >= r,
            "{name}: precision {:.3} recall {:.3} below {p} / {r}",
            score.precision(),
            score.recall()
        );
    }
}

/// Real post-mortem summaries (danluu/post-mortems), one per line "[Company](url). Summary":
/// terse, often without the company's name, so the figures are far lower than on full reports.
/// They guard against regressions on real vendor prose, read bare and with the company's name
/// as the title (as a feed entry would carry it).
#[test]
fn real_postmortem_summaries_detection_and_vendor_floor() {
    let Some(path) = corpus::corpus_file("postmortems/danluu-post-mortems-README.md") else {
        return;
    };
    let raw = std::fs::read_to_string(&path).expect("danluu README");
    let mut section = String::new();
    let mut entries: Vec<(String, String)> = Vec::new();
    for line in raw.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            section = h.trim().to_string();
            continue;
        }
        if matches!(
            section.as_str(),
            "Table of Contents" | "Other lists of postmortems" | "Analysis" | "Contributors"
        ) {
            continue;
        }
        let Some(rest) = line.strip_prefix('[') else {
            continue;
        };
        let Some((company, after)) = rest.split_once("](") else {
            continue;
        };
        let Some((_, summary)) = after.split_once(')') else {
            continue;
        };
        let summary = summary.trim_start_matches('.').trim();
        entries.push((company.to_string(), summary.to_string()));
    }
    assert_eq!(entries.len(), 190);
    let score = |with_title: bool| -> (usize, usize) {
        let (mut detected, mut vendor_right) = (0, 0);
        for (company, summary) in &entries {
            let got = extract(&PressInput {
                title: if with_title { company } else { "" },
                text: summary,
                published: None,
                vendor_hint: None,
                publisher: None,
                url: None,
            });
            if let Some(g) = got {
                detected += 1;
                // The list names the company ("Google", "Amazon"); the cloud arm whose
                // products the summary names is the same vendor, more precisely.
                let parent = Catalog::builtin().parent_of(&g.vendor.value);
                if g.vendor.value.eq_ignore_ascii_case(company)
                    || parent.is_some_and(|p| p.eq_ignore_ascii_case(company))
                {
                    vendor_right += 1;
                }
            }
        }
        (detected, vendor_right)
    };
    let bare = score(false);
    let titled = score(true);
    println!("danluu summaries (190): bare {bare:?}, titled {titled:?} (detected, vendor right)");
    // Measured with a cause tied to an effect on a service: bare (62, 42), titled (91, 78);
    // with the post-mortem path and the product table bare (60, 41), titled (86, 74); before
    // them bare (58, 29), titled (85, 74). Most bare misses name no company at all ("E-commerce
    // site went down after ..."), and a report without a vendor yields no event.
    assert!(bare.0 >= 60 && bare.1 >= 40, "bare {bare:?}");
    assert!(titled.0 >= 88 && titled.1 >= 75, "titled {titled:?}");
}

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/press")
        .join(name);
    std::fs::read(&path).expect("fixture")
}

#[test]
fn outage_page_becomes_one_traceable_event() {
    let bytes = fixture("written-outage-article-page.html");
    assert_eq!(parse::detect(&bytes), Some(Format::Article));
    let parsed = parse::parse(&bytes, &ParseContext::default()).expect("parsed");
    assert_eq!(parsed.format, Format::Article);
    assert_eq!(parsed.incidents.len(), 1);
    let i = &parsed.incidents[0];
    assert_eq!(i.vendor, "AWS");
    assert_eq!(i.title, "AWS S3 outage breaks large chunks of the web");
    // 9:37am Pacific time on Tuesday 28 February 2017 (PST, UTC-8).
    assert_eq!(
        i.start.map(rfc3339).as_deref(),
        Some("2017-02-28T17:37:00Z")
    );
    assert_eq!(i.duration_minutes(), Some(240));
    assert_eq!(i.status, Status::Resolved);
    assert_eq!(i.severity, Severity::Major);
    // "Northern Virginia" in an AWS report is us-east-1, named once.
    assert_eq!(i.regions, vec!["us-east-1".to_string()]);
    assert_eq!(i.services, vec!["S3".to_string()]);
    assert_eq!(
        i.cause.as_deref(),
        Some("an incorrectly entered command during a debugging session")
    );
    assert_eq!(i.id, "aws:press-947b67c89272eea3");
    let source = &i.sources[0];
    assert_eq!(source.kind, ReportKind::Press);
    assert_eq!(
        source.url.as_deref(),
        Some("https://news.example/2017/03/01/aws-s3-outage")
    );
    assert_eq!(
        source.quote.as_deref(),
        Some(
            "The problems began at 9:37am Pacific time and lasted nearly four hours, AWS said in a summary of the event."
        )
    );
}

#[test]
fn events_from_pages_match_the_contract_schema() {
    let bytes = fixture("written-outage-article-page.html");
    let parsed = parse::parse(&bytes, &ParseContext::default()).expect("parsed");
    let events: Vec<Event> = parsed.incidents.iter().map(Event::from).collect();
    let json = serde_json::to_value(&events).expect("json");
    let Some(schema_path) = corpus::shared_path("event.schema.json") else {
        return;
    };
    let schema_raw = std::fs::read_to_string(&schema_path).expect("schema readable");
    let schema: serde_json::Value = serde_json::from_str(&schema_raw).expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn page_not_about_an_outage_gives_no_events() {
    let bytes = fixture("written-product-launch-page.html");
    let parsed = parse::parse(&bytes, &ParseContext::default()).expect("parsed");
    assert!(parsed.incidents.is_empty());
}

#[test]
fn plain_text_with_publication_date_resolves_relative_days() {
    let text = "Salesforce suffers second outage in as many weeks\nSalesforce.com reportedly suffered its second outage yesterday in as many weeks. Customers in Europe, Asia Pacific and North America were affected for several hours.\n";
    let ctx = ParseContext {
        format: Some(Format::Text),
        published: chrono::DateTime::parse_from_rfc3339("2010-01-07T10:00:00Z")
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc)),
        ..ParseContext::default()
    };
    let parsed = parse::parse(text.as_bytes(), &ctx).expect("parsed");
    assert_eq!(parsed.incidents.len(), 1);
    let i = &parsed.incidents[0];
    assert_eq!(i.title, "Salesforce suffers second outage in as many weeks");
    assert_eq!(
        i.start.map(rfc3339).as_deref(),
        Some("2010-01-06T00:00:00Z")
    );
    assert_eq!(i.end, None);
    assert_eq!(i.severity, Severity::Critical);
    assert_eq!(i.severity_native.as_deref(), Some("multi-region"));
    assert_eq!(i.regions, vec!["Europe", "Asia Pacific", "North America"]);
}

#[test]
fn plain_text_is_never_detected_and_empty_text_is_an_error() {
    assert_eq!(
        parse::detect(b"GitHub was down for two hours yesterday."),
        None
    );
    let ctx = ParseContext {
        format: Some(Format::Text),
        ..ParseContext::default()
    };
    let err = parse::parse(b"   \n ", &ctx).expect_err("empty");
    assert_eq!(err.to_string(), "text: the text is empty");
}

/// `outages eval DIR` prints the same per-field table the test above checks, and names the
/// file and line of an item it cannot read.
#[test]
fn eval_command_prints_per_field_precision_and_recall() {
    let data = tempfile::tempdir().expect("tempdir");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/press");
    let bad = data.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"title\": \"no text\"}\n").expect("write");
    let failed = crate::cli::outages(data.path(), &["eval", data.path().to_str().expect("utf-8")]);
    assert!(!failed.status.success());
    let err = String::from_utf8_lossy(&failed.stderr);
    assert!(err.contains("bad.jsonl:1: not a labelled item"), "{err}");

    // The labelled set names corpus files: without the corpus there is nothing to score.
    let Some(items) = labelled() else { return };
    let corpus = crate::corpus::corpus_dir().expect("labelled() found the corpus");
    let out = crate::cli::ok_stdout(&crate::cli::outages(
        data.path(),
        &[
            "eval",
            dir,
            "--corpus",
            corpus.to_str().expect("utf-8 path"),
        ],
    ));
    let want = evaluate(&items).to_string();
    assert!(out.starts_with(&want), "{out}");
    assert!(
        out.contains("field      predicted expected correct precision recall"),
        "{out}"
    );
    assert!(out.contains("items: 89"), "{out}");
}
