//! Outage facts out of text: times, vendor names, causes. Pure functions, no I/O; the parsers
//! and (later) the press pipeline call them.

pub mod region;
pub mod text;
pub mod time;
pub mod window;
