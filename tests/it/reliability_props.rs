//! Property tests (RELIABILITY.md B1, B4, B6, F5): arbitrary and mutated bytes through every
//! parser with each forced format, and arbitrary query strings through the query parser and the
//! index's search path. The property is that nothing panics or aborts; where a limit is
//! documented (query length), it is asserted exactly. `PROPTEST_CASES` raises the case counts
//! for longer local runs; cargo-fuzz targets in `fuzz/` go further.

use std::path::{Path, PathBuf};

use outages::index::{SearchIndex, SearchQuery};
use outages::model::Format;
use outages::parse::{self, ParseContext};
use outages::search_syntax::{self, MAX_QUERY_CHARS, SyntaxError};
use outages::store::Store;
use proptest::prelude::*;

/// `n` cases, or `PROPTEST_CASES` when set (longer local runs).
fn cases(n: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(n)
}

fn ctx(format: Option<Format>) -> ParseContext {
    ParseContext {
        url: Some("https://status.example.com/feed".into()),
        vendor: Some("Example".into()),
        published: None,
        format,
    }
}

/// Every fixture the repository ships, as seeds for mutation.
fn fixtures() -> &'static [(PathBuf, Vec<u8>)] {
    static FIXTURES: std::sync::OnceLock<Vec<(PathBuf, Vec<u8>)>> = std::sync::OnceLock::new();
    FIXTURES.get_or_init(|| {
        let mut out = Vec::new();
        collect(
            Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")),
            &mut out,
        );
        out.sort();
        out
    })
}

fn collect(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if let Ok(bytes) = std::fs::read(&path) {
            // Large fixtures slow every case down without finding more.
            if bytes.len() <= 64 * 1024 {
                out.push((path, bytes));
            }
        }
    }
}

/// One byte-level edit of a seed document.
#[derive(Debug, Clone)]
enum Edit {
    Set(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
    Duplicate(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    // Bytes that matter to XML, JSON and HTML parsers, and some that break UTF-8.
    let interesting = prop::sample::select(vec![
        b'<', b'>', b'"', b'{', b'}', b'[', b']', b'&', b';', b':', b',', b'\\', 0u8, 0xff, 0xc3,
        0x1b, b'/',
    ]);
    prop_oneof![
        (any::<usize>(), interesting).prop_map(|(i, b)| Edit::Set(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(i, v)| Edit::Insert(i, v)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Edit::Delete(i, n)),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), 1usize..256).prop_map(|(i, n)| Edit::Duplicate(i, n)),
    ]
}

fn apply(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for e in edits {
        let len = bytes.len().max(1);
        match e {
            Edit::Set(i, b) => {
                if let Some(slot) = bytes.get_mut(i % len) {
                    *slot = *b;
                }
            }
            Edit::Insert(i, v) => {
                let at = (i % len).min(bytes.len());
                bytes.splice(at..at, v.iter().copied());
            }
            Edit::Delete(i, n) => {
                let at = (i % len).min(bytes.len());
                let end = (at + n).min(bytes.len());
                bytes.drain(at..end);
            }
            Edit::Truncate(i) => bytes.truncate(i % len),
            Edit::Duplicate(i, n) => {
                let at = (i % len).min(bytes.len());
                let end = (at + n).min(bytes.len());
                let copy: Vec<u8> = bytes.get(at..end).unwrap_or_default().to_vec();
                bytes.splice(end..end, copy);
            }
        }
    }
    bytes
}

/// Parses with detection and with every forced format.
fn parse_every_way(bytes: &[u8]) {
    let _ = parse::detect(bytes);
    let _ = parse::parse(bytes, &ctx(None));
    for format in Format::ALL {
        let _ = parse::parse(bytes, &ctx(Some(format)));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(48)))]

    #[test]
    fn arbitrary_bytes_never_panic_any_parser(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        parse_every_way(&bytes);
    }

    #[test]
    fn arbitrary_text_never_panics_any_parser(text in "[<>{}\\[\\]\"a-z0-9 :/&;#=.,\\-]{0,600}") {
        parse_every_way(text.as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(96)))]

    #[test]
    fn mutated_fixtures_never_panic_their_parser(
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let all = fixtures();
        prop_assume!(!all.is_empty());
        let (path, seed) = pick.get(all);
        let mutated = apply(seed, &edits);
        let detected = parse::detect(seed);
        let result = std::panic::catch_unwind(|| {
            let _ = parse::parse(&mutated, &ctx(detected));
            let _ = parse::parse(&mutated, &ctx(None));
        });
        prop_assert!(result.is_ok(), "{} with {:?} panicked", path.display(), edits);
    }
}

/// A small index over two real incidents, shared by the query properties.
fn index() -> &'static std::sync::Mutex<SearchIndex> {
    static INDEX: std::sync::OnceLock<std::sync::Mutex<SearchIndex>> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let bytes = include_bytes!("../fixtures/crawl/incidents-v1.json");
        let parsed = parse::parse(bytes, &ctx(None)).expect("fixture parses");
        let mut store = Store::open_in_memory().expect("store");
        store
            .upsert_incidents(&parsed.incidents, chrono::Utc::now())
            .expect("upsert");
        let mut index = SearchIndex::open_in_ram().expect("index");
        index.sync(&store).expect("sync");
        std::sync::Mutex::new(index)
    })
}

fn query_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[()\"a-z:*~^+\\-!?\\\\/\\[\\]{} ]{0,200}",
        (0usize..3000, 0usize..3000, "[a-z ]{0,10}").prop_map(|(open, close, w)| format!(
            "{}{w}{}",
            "(".repeat(open),
            ")".repeat(close)
        )),
        (0usize..500).prop_map(|n| "NOT ".repeat(n) + "outage"),
        "(vendor|service|region|severity|cause|source|after|before|during):[^ ]{0,30}( [a-z]{1,8}){0,4}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(192)))]

    #[test]
    fn query_strings_never_panic_the_parser_or_the_index(text in query_text()) {
        let parsed = search_syntax::parse(&text);
        if text.chars().count() > MAX_QUERY_CHARS {
            prop_assert!(matches!(parsed, Err(SyntaxError::TooLong)), "{parsed:?}");
        }
        let index = index().lock().map_err(|_| TestCaseError::fail("index poisoned"))?;
        let mut texts = vec![text.clone()];
        if let Ok(request) = parsed {
            texts.push(request.text);
        }
        for t in texts {
            let query = SearchQuery {
                text: t,
                vendor: None,
                since: None,
                until: None,
                severity: None,
                limit: 20,
            };
            let _ = index.search(&query);
        }
    }
}

/// Six incidents of three feeds, the base every fetch sequence edits.
fn base_incidents() -> Vec<outages::model::Incident> {
    (0..3)
        .flat_map(|n| {
            let json = crate::rawserver::statuspage_json(&format!("p{n}"));
            parse::parse(json.as_bytes(), &ctx(None))
                .expect("fixture parses")
                .incidents
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(24)))]

    /// RELIABILITY.md C9: any sequence of fetches (random subsets of a base feed, titles
    /// edited or not) keeps one row per identity, a rev counter that never goes back and does
    /// not move on a repeated fetch, and an index holding exactly the store's events.
    #[test]
    fn any_fetch_sequence_keeps_one_row_per_identity_and_the_index_equal_to_the_store(
        steps in prop::collection::vec((0u8..64, 0u8..64), 1..8)
    ) {
        let base = base_incidents();
        prop_assert_eq!(base.len(), 6);
        let mut store = Store::open_in_memory().expect("store");
        let mut index = SearchIndex::open_in_ram().expect("index");
        let mut seen = std::collections::BTreeSet::new();
        let start = chrono::DateTime::parse_from_rfc3339("2024-05-01T00:00:00Z")
            .expect("time")
            .with_timezone(&chrono::Utc);
        let mut last_rev = 0;
        for (step, (listed, edited)) in steps.iter().enumerate() {
            let batch: Vec<_> = base
                .iter()
                .enumerate()
                .filter(|(i, _)| listed & (1 << i) != 0)
                .map(|(i, incident)| {
                    let mut incident = incident.clone();
                    if edited & (1 << i) != 0 {
                        incident.title.push_str(" (update)");
                    }
                    incident
                })
                .collect();
            let at = start + chrono::Duration::minutes(i64::try_from(step).expect("small"));
            store.upsert_incidents(&batch, at).expect("upsert");
            outages::merge::merge_pending(&mut store, at).expect("merge");
            seen.extend(batch.iter().map(|i| i.id.clone()));
            let rev = store.current_rev().expect("rev");
            prop_assert!(rev >= last_rev, "rev went back from {} to {}", last_rev, rev);
            store
                .upsert_incidents(&batch, at + chrono::Duration::seconds(30))
                .expect("repeat");
            outages::merge::merge_pending(&mut store, at).expect("merge");
            prop_assert_eq!(store.current_rev().expect("rev"), rev, "a repeated fetch changed the rev");
            last_rev = rev;
            let stored = store.counts().expect("counts").incidents;
            prop_assert_eq!(stored, u64::try_from(seen.len()).expect("small"));
            index.sync(&store).expect("sync");
            // The index holds the store's events: one document per outage.
            prop_assert_eq!(index.num_docs(), store.event_count().expect("events"));
            prop_assert_eq!(index.indexed_rev(), rev);
        }
    }
}
