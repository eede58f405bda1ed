//! `outages`: an outage timeline and news aggregator.
//!
//! Data flows one way through the modules, in this order:
//! sources -> fetch -> parse -> extract -> store / index -> query -> serve.
//! [`crawl`] is the only module that knows every stage. SQLite ([`store`]) is the source of
//! truth; the tantivy [`index`] is derived from it and can be rebuilt at any time.

pub mod model;

pub mod bench;
pub mod chart;
pub mod content_coding;
pub mod crawl;
pub mod discover;
pub mod export;
pub mod extract;
pub mod fetch;
pub mod figures;
pub mod index;
pub mod lock;
pub mod merge;
pub mod parse;
pub mod press_crawl;
pub mod query;
pub mod robots;
pub mod schedule;
pub mod search_syntax;
pub mod serve;
pub mod snapshot;
pub mod sources;
pub mod stats;
pub mod store;

#[cfg(test)]
mod test_support;

pub mod cli;
pub mod commands;
