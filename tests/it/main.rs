//! Integration tests: one binary, one module per area. Servers bind 127.0.0.1 only.

mod api;
mod aws;
mod cli;
mod corpus;
mod crawl;
mod crawl_formats;
mod discover;
mod exports;
mod extract_cli;
mod gcp_azure;
mod merge;
mod platforms;
mod press;
mod press_corpus;
mod press_crawl;
mod rawserver;
mod reliability_content;
mod reliability_crash;
mod reliability_net;
mod reliability_ops;
mod reliability_props;
mod snapshot;
mod sources;
mod statuspage;
mod store;
mod web;
