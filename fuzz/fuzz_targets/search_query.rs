#![no_main]
//! Feeds arbitrary strings to the query parser and, when it accepts them, to the full-text
//! index's search path over a small in-memory index: never a panic, an abort or a stack
//! overflow.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use outages::index::{SearchIndex, SearchQuery};
use outages::parse::{self, ParseContext};
use outages::search_syntax;
use outages::store::Store;

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let bytes = include_bytes!("../../tests/fixtures/crawl/incidents-v1.json");
        let parsed = parse::parse(bytes, &ParseContext::default()).expect("fixture parses");
        let mut store = Store::open_in_memory().expect("store");
        store
            .upsert_incidents(&parsed.incidents, chrono::Utc::now())
            .expect("upsert");
        let mut index = SearchIndex::open_in_ram().expect("index");
        index.sync(&store).expect("sync");
        index
    })
}

fuzz_target!(|text: &str| {
    let mut texts = vec![text.to_string()];
    if let Ok(request) = search_syntax::parse(text) {
        texts.push(request.text);
    }
    for t in texts {
        let _ = index().search(&SearchQuery {
            text: t,
            vendor: None,
            since: None,
            until: None,
            severity: None,
            limit: 20,
        });
    }
});
