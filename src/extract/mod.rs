//! Outage facts out of text: times, vendor names, regions, impact windows, durations, causes,
//! and the press-report pipeline that combines them. Pure functions, no I/O; the parsers call
//! them.

pub mod cause;
pub mod classify;
pub mod dates;
pub mod duration;
pub mod places;
pub mod press;
pub mod region;
pub mod services;
pub mod text;
pub mod time;
pub mod vendor;
pub mod window;
