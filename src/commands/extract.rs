//! `outages extract FILE`: parse one local file and print its events (the contract) as JSON.

use anyhow::{Context, Result};

use super::Exit;
use crate::cli::ExtractArgs;
use crate::model::Event;
use crate::parse::{self, ParseContext};

pub fn extract(args: &ExtractArgs) -> Result<Exit> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    if args.kind.is_none() && parse::detect(&bytes).is_none() {
        if let Some(reason) = parse::not_prose(&bytes) {
            // Not a feed and not an article: no outage can be read from it.
            eprintln!(
                "{}: skipped: {reason} (--kind text reads it as text)",
                args.file.display()
            );
            super::print::json(&Vec::<Event>::new())?;
            return Ok(Exit::Ok);
        }
    }
    let ctx = ParseContext {
        url: args.url.clone(),
        vendor: args.vendor.clone(),
        published: args.published,
        format: args.kind.or_else(|| parse::detect_local(&bytes)),
    };
    let parsed = parse::parse(&bytes, &ctx).with_context(|| format!("{}", args.file.display()))?;
    let events: Vec<Event> = parsed.incidents.iter().map(Event::from).collect();
    super::print::json(&events)?;
    Ok(Exit::Ok)
}
