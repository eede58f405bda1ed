#![no_main]
//! Feeds arbitrary bytes to format detection and then to whichever parser it picks, as an
//! unconfigured source or `outages ingest` does.

use libfuzzer_sys::fuzz_target;
use outages::parse::{self, ParseContext};

fuzz_target!(|data: &[u8]| {
    let _ = parse::detect(data);
    let _ = parse::parse(data, &ParseContext::default());
});
