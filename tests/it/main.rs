//! Integration tests: one binary, one module per area. Servers bind 127.0.0.1 only.

mod cli;
mod corpus;
mod crawl;
mod sources;
mod statuspage;
mod store;
