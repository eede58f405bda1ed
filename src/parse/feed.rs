//! Placeholder until the feed parser lands.

use super::{ParseContext, ParseError};
use crate::model::{Format, Incident};

pub fn parse(_bytes: &[u8], _ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    Err(ParseError::Invalid {
        format: Format::Feed,
        message: "parser not written yet".into(),
    })
}
