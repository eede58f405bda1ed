//! Integration tests: one binary, one module per area. Servers bind 127.0.0.1 only.

mod aws;
mod cli;
mod corpus;
mod crawl;
mod gcp_azure;
mod platforms;
mod press;
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
