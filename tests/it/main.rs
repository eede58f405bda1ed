//! Integration tests: one binary, one module per area. Servers bind 127.0.0.1 only.

mod corpus;
mod press;
