#![no_main]
//! Feeds arbitrary bytes to the `slack-json` parser (format forced, as a configured source does).
//! Any panic, abort, timeout or memory blow-up is a finding.

use libfuzzer_sys::fuzz_target;
use outages::model::Format;
use outages::parse::{self, ParseContext};

fuzz_target!(|data: &[u8]| {
    let ctx = ParseContext {
        url: Some("https://status.example.com/feed".into()),
        vendor: Some("Example".into()),
        published: None,
        format: Some(Format::SlackJson),
    };
    let _ = parse::parse(data, &ctx);
});
