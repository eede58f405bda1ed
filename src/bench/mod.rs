//! Support for `outages-bench`, the benchmark driver that measures each stage against the
//! tools a user would otherwise pick: a seeded generator of realistic events and status
//! documents ([`generate`]), and the article-extraction benchmark's score ([`metric`]), which
//! the integration tests use too.

pub mod generate;
pub mod metric;
