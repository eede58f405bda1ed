//! The search box's language: free text (words, "phrases", AND / OR / NOT, parentheses) plus
//! field filters `vendor:`, `service:`, `region:`, `severity:`, `cause:`, `source:status|press`
//! and dates `after:2021-01-01`, `before:2022-01-01`, `during:2021` / `during:2021-03`.
//!
//! Filters are pulled out here and applied as structured filters; the remaining text goes to
//! the full-text engine. Limits are checked before anything reaches tantivy, whose parser
//! overflows its stack on deeply nested parentheses.

use chrono::{DateTime, NaiveDate, Utc};
use thiserror::Error;

use crate::model::{ReportKind, Severity};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Deepest parenthesis nesting accepted.
pub const MAX_DEPTH: usize = 16;

/// A parsed search.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchRequest {
    /// Free text for the full-text engine (phrases and boolean operators kept).
    pub text: String,
    pub vendors: Vec<String>,
    pub services: Vec<String>,
    pub regions: Vec<String>,
    pub severities: Vec<Severity>,
    pub causes: Vec<String>,
    pub source: Option<ReportKind>,
    /// Start on or after.
    pub after: Option<DateTime<Utc>>,
    /// Start before.
    pub before: Option<DateTime<Utc>>,
}

/// What is wrong with a query, in words a user can act on.
#[derive(Debug, Error, PartialEq)]
pub enum SyntaxError {
    #[error("the query is longer than {MAX_QUERY_CHARS} characters")]
    TooLong,
    #[error("the query nests parentheses deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("unbalanced parentheses in the query")]
    Unbalanced,
    #[error("unclosed quote in the query")]
    UnclosedQuote,
    #[error("{field}: {message}")]
    BadFilter { field: String, message: String },
}

pub fn parse(input: &str) -> Result<SearchRequest, SyntaxError> {
    if input.chars().count() > MAX_QUERY_CHARS {
        return Err(SyntaxError::TooLong);
    }
    check_nesting(input)?;
    let mut req = SearchRequest::default();
    let mut text: Vec<String> = Vec::new();
    for token in tokens(input)? {
        let Some((field, value)) = split_filter(&token) else {
            // Not one of our fields: the full-text engine would read `x:` as a field name.
            text.push(token.replace(':', " "));
            continue;
        };
        let value = value.trim_matches('"').to_string();
        let bad = |message: String| SyntaxError::BadFilter {
            field: field.to_string(),
            message,
        };
        if value.is_empty() {
            return Err(bad("needs a value".into()));
        }
        match field {
            "vendor" => req.vendors.push(value),
            "service" => req.services.push(value),
            "region" => req.regions.push(value),
            "cause" => req.causes.push(value.to_lowercase()),
            "severity" => req.severities.push(value.parse::<Severity>().map_err(bad)?),
            "source" => {
                req.source = Some(match value.to_ascii_lowercase().as_str() {
                    "status" => ReportKind::Status,
                    "press" => ReportKind::Press,
                    _ => return Err(bad(format!("{value:?} is not status or press"))),
                })
            }
            "after" => req.after = Some(day(&value).map_err(bad)?),
            "before" => req.before = Some(day(&value).map_err(bad)?),
            "during" => {
                let (a, b) = span(&value).map_err(bad)?;
                req.after = Some(a);
                req.before = Some(b);
            }
            _ => text.push(token.replace(':', " ")),
        }
    }
    req.text = text.join(" ");
    Ok(req)
}

const FIELDS: [&str; 9] = [
    "vendor", "service", "region", "severity", "cause", "source", "after", "before", "during",
];

fn split_filter(token: &str) -> Option<(&'static str, &str)> {
    let (field, value) = token.split_once(':')?;
    let lower = field.to_ascii_lowercase();
    FIELDS.iter().find(|f| **f == lower).map(|f| (*f, value))
}

/// Whitespace-separated tokens, keeping `"quoted phrases"` (also after `field:`) whole.
fn tokens(input: &str) -> Result<Vec<String>, SyntaxError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in input.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c if c.is_control() => {}
            c => cur.push(c),
        }
    }
    if quoted {
        return Err(SyntaxError::UnclosedQuote);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

fn check_nesting(input: &str) -> Result<(), SyntaxError> {
    let mut depth = 0usize;
    let mut quoted = false;
    for c in input.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(SyntaxError::TooDeep);
                }
            }
            ')' if !quoted => depth = depth.checked_sub(1).ok_or(SyntaxError::Unbalanced)?,
            _ => {}
        }
    }
    if depth != 0 {
        return Err(SyntaxError::Unbalanced);
    }
    Ok(())
}

fn day(s: &str) -> Result<DateTime<Utc>, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .or_else(|| span(s).ok().map(|(a, _)| a))
        .ok_or_else(|| format!("{s:?} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"))
}

/// `2021` -> the year, `2021-03` -> the month, `2021-03-04` -> the day.
fn span(s: &str) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str| p.parse::<u32>().ok();
    let ymd = match parts.as_slice() {
        [y] => num(y).map(|y| (y as i32, 1, 1, "year")),
        [y, m] => num(y).zip(num(m)).map(|(y, m)| (y as i32, m, 1, "month")),
        [y, m, d] => num(y)
            .zip(num(m))
            .zip(num(d))
            .map(|((y, m), d)| (y as i32, m, d, "day")),
        _ => None,
    };
    let bad = || format!("{s:?} is not a year, month or day (YYYY, YYYY-MM, YYYY-MM-DD)");
    let (y, m, d, unit) = ymd.ok_or_else(bad)?;
    let start = NaiveDate::from_ymd_opt(y, m, d).ok_or_else(bad)?;
    let end = match unit {
        "year" => NaiveDate::from_ymd_opt(y + 1, 1, 1),
        "month" if m == 12 => NaiveDate::from_ymd_opt(y + 1, 1, 1),
        "month" => NaiveDate::from_ymd_opt(y, m + 1, 1),
        _ => start.succ_opt(),
    }
    .ok_or_else(bad)?;
    let at = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).ok_or_else(bad);
    Ok((at(start)?, at(end)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_pulled_out_of_the_text() {
        let q = parse(
            r#"dns "configuration change" vendor:GitHub severity:major during:2021 source:status"#,
        )
        .expect("valid");
        assert_eq!(q.text, r#"dns "configuration change""#);
        assert_eq!(q.vendors, vec!["GitHub".to_string()]);
        assert_eq!(q.severities, vec![Severity::Major]);
        assert_eq!(q.source, Some(ReportKind::Status));
        assert_eq!(
            q.after.map(crate::model::rfc3339).as_deref(),
            Some("2021-01-01T00:00:00Z")
        );
        assert_eq!(
            q.before.map(crate::model::rfc3339).as_deref(),
            Some("2022-01-01T00:00:00Z")
        );
    }

    #[test]
    fn quoted_filter_values_and_months() {
        let q =
            parse(r#"region:"us-east-1" service:"Git Operations" during:2021-12"#).expect("valid");
        assert_eq!(q.regions, vec!["us-east-1".to_string()]);
        assert_eq!(q.services, vec!["Git Operations".to_string()]);
        assert_eq!(
            q.before.map(crate::model::rfc3339).as_deref(),
            Some("2022-01-01T00:00:00Z")
        );
        assert_eq!(q.text, "");
    }

    #[test]
    fn malformed_queries_get_a_clear_error() {
        assert_eq!(parse(&"(".repeat(1001)), Err(SyntaxError::TooLong));
        assert_eq!(
            parse(&format!("{}a{}", "(".repeat(20), ")".repeat(20))),
            Err(SyntaxError::TooDeep)
        );
        assert_eq!(parse("(a OR b"), Err(SyntaxError::Unbalanced));
        assert_eq!(parse("a)"), Err(SyntaxError::Unbalanced));
        assert_eq!(parse("\"open phrase"), Err(SyntaxError::UnclosedQuote));
        let e = parse("severity:catastrophic").expect_err("bad severity");
        assert!(
            e.to_string().starts_with("severity: unknown severity"),
            "{e}"
        );
        assert!(parse("during:2021-13").is_err());
        assert!(parse("after:").is_err());
    }

    #[test]
    fn unknown_fields_stay_text() {
        let q = parse("error:500 timeout").expect("valid");
        assert_eq!(q.text, "error 500 timeout");
    }
}
