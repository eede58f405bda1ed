//! Outage facts out of text: times, vendor names, causes. Pure functions, no I/O; the parsers
//! and (later) the press pipeline call them.

pub mod classify;
pub mod dates;
pub mod duration;
pub mod press;
mod press_seam;
pub mod services;
pub mod text;
pub mod time;
