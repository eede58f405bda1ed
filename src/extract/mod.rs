//! Outage facts out of text: times, vendor names, regions, impact windows, causes. Pure
//! functions, no I/O; the parsers and the press pipeline call them.

pub mod cause;
pub mod region;
pub mod text;
pub mod time;
pub mod vendor;
pub mod window;
