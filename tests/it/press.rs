//! Press reports and post-mortems: main-text extraction measured on the public
//! article-extraction benchmark, and outage extraction measured on the labelled set in
//! `tests/fixtures/press/labelled.jsonl`.

use std::collections::HashMap;
use std::path::PathBuf;

use outages::extract::press::{LabelledItem, evaluate};
use outages::parse::ParseContext;
use outages::parse::article::extract_article;

/// The article-extraction benchmark (`../shared/bench/article-extraction`), or `None` (after
/// printing why) when it is absent.
///
/// # Panics
/// Under `CI=true` when the benchmark is missing, so CI cannot pass by skipping.
fn bench_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/article-extraction");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{} is missing under CI=true", dir.display());
    }
    eprintln!("skipping: benchmark not found at {}", dir.display());
    None
}

/// A file inside the benchmark, or `None` when the benchmark is absent.
fn bench_file(relative: &str) -> Option<PathBuf> {
    bench_dir().map(|d| d.join(relative))
}

/// `\w+` tokens, lowercased.
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Multiset of 4-token shingles.
fn shingles(text: &str) -> HashMap<Vec<String>, usize> {
    let t = tokens(text);
    let mut out = HashMap::new();
    for w in t.windows(4) {
        *out.entry(w.to_vec()).or_insert(0) += 1;
    }
    out
}

/// The benchmark's per-page precision and recall (see its README).
fn page_scores(extracted: &str, truth: &str) -> (f64, f64) {
    let (e, t) = (shingles(extracted), shingles(truth));
    let (ne, nt): (usize, usize) = (e.values().sum(), t.values().sum());
    if ne == 0 && nt == 0 {
        return (1.0, 1.0);
    }
    let shared: usize = e
        .iter()
        .map(|(k, n)| (*n).min(t.get(k).copied().unwrap_or(0)))
        .sum();
    let p = if ne == 0 {
        0.0
    } else {
        shared as f64 / ne as f64
    };
    let r = if nt == 0 {
        0.0
    } else {
        shared as f64 / nt as f64
    };
    (p, r)
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

#[test]
fn article_extraction_benchmark_f1_floor() {
    let Some(truth) = ground_truth() else { return };
    assert_eq!(truth.len(), 181);
    let started = std::time::Instant::now();
    let (mut sum_p, mut sum_r) = (0.0, 0.0);
    let mut worst: Vec<(f64, String)> = Vec::new();
    for (hash, body) in &truth {
        let text = extract_page(hash);
        let (p, r) = page_scores(&text, body);
        sum_p += p;
        sum_r += r;
        worst.push((
            (2.0 * p * r) / (p + r).max(1e-9),
            format!("{hash} p={p:.2} r={r:.2}"),
        ));
    }
    let n = truth.len() as f64;
    let (p, r) = (sum_p / n, sum_r / n);
    let f1 = 2.0 * p * r / (p + r);
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

fn labelled() -> Vec<LabelledItem> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/press/labelled.jsonl");
    let raw = std::fs::read_to_string(&path).expect("labelled set");
    raw.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("labelled item"))
        .collect()
}

#[test]
fn labelled_set_scores_per_field() {
    let items = labelled();
    assert!(items.len() >= 60, "{} items", items.len());
    let report = evaluate(&items);
    println!("{report}");
    for m in &report.misclassified {
        println!("misclassified: {m}");
    }
    if std::env::var("PRESS_DEBUG").is_ok() {
        for item in items.iter().filter(|i| i.is_outage) {
            let got = outages::extract::press::extract(&outages::extract::press::PressInput {
                title: &item.title,
                text: &item.text,
                published: item.published_at(),
                vendor_hint: None,
            });
            let Some(g) = got else { continue };
            println!(
                "{} | vendor {} / {:?} | start {:?} / {:?} | dur {:?} / {:?} | reg {:?} / {:?} | svc {:?} / {:?} | cause {} / {:?} ({:?})",
                item.title,
                g.vendor.value,
                item.vendor,
                g.start.as_ref().map(|s| s.at.date_naive()),
                item.start,
                g.duration_minutes.as_ref().map(|d| d.value),
                item.duration_minutes,
                g.regions
                    .iter()
                    .map(|r| r.value.as_str())
                    .collect::<Vec<_>>(),
                item.regions,
                g.services
                    .iter()
                    .map(|r| r.value.as_str())
                    .collect::<Vec<_>>(),
                item.services,
                g.cause_category,
                item.cause_category,
                g.cause.as_ref().map(|c| c.value.as_str()),
            );
        }
    }
}
#[test]
fn dbg_classify() {
    for item in labelled().iter().filter(|i| i.is_outage).take(12) {
        let sents = outages::extract::text::sentences(&item.text);
        let lead = sents
            .iter()
            .filter(|l| !l.starts_with('#'))
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
        let c = outages::extract::classify::classify(&item.title, &lead, &item.text, true);
        println!("{} => {} : {}", item.title, c.score, c.explain());
        let got = outages::extract::press::extract(&outages::extract::press::PressInput {
            title: &item.title,
            text: &item.text,
            published: item.published_at(),
            vendor_hint: None,
        });
        println!(
            "   got {:?}",
            got.map(|g| (
                g.vendor.value,
                g.classification.score,
                g.classification.explain()
            ))
        );
    }
}
