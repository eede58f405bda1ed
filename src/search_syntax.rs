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
    /// When not empty, the request is the union of these alternatives (a top-level `OR` next
    /// to a field filter: `vendor:aws OR region:eu-west-1`), and its other fields are unset.
    pub any_of: Vec<SearchRequest>,
}

impl SearchRequest {
    /// The requests whose filters a further condition must join: each alternative, or the
    /// request itself when it has none (`--vendor` beside `a OR b` narrows both).
    pub fn branches_mut(&mut self) -> Vec<&mut SearchRequest> {
        if self.any_of.is_empty() {
            vec![self]
        } else {
            self.any_of.iter_mut().collect()
        }
    }
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
    #[error("{0}")]
    BadOperator(String),
}

/// Parses a query. A top-level `OR` beside a field filter splits it into alternatives whose
/// matches are united (`AND`, implicit or written, binds tighter, as usual); other `OR`s are
/// the full-text engine's.
pub fn parse(input: &str) -> Result<SearchRequest, SyntaxError> {
    if input.chars().count() > MAX_QUERY_CHARS {
        return Err(SyntaxError::TooLong);
    }
    check_nesting(input)?;
    let toks = split_parens(tokens(input)?);
    let mut depth = 0usize;
    let mut cuts = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t.as_str() {
            "(" => depth += 1,
            ")" => depth = depth.saturating_sub(1),
            "OR" if depth == 0 => {
                let beside_filter = [i.checked_sub(1), Some(i + 1)]
                    .into_iter()
                    .flatten()
                    .filter_map(|n| toks.get(n))
                    .any(|n| split_filter(n).is_some());
                if beside_filter {
                    cuts.push(i);
                }
            }
            _ => {}
        }
    }
    if cuts.is_empty() {
        return parse_one(&toks);
    }
    let mut alternatives = Vec::new();
    let mut from = 0;
    for cut in cuts.into_iter().chain([toks.len()]) {
        let part = &toks[from..cut];
        if part.is_empty() {
            return Err(SyntaxError::BadOperator(
                "OR needs a term or filter on both sides".into(),
            ));
        }
        alternatives.push(parse_one(part)?);
        from = cut + 1;
    }
    Ok(SearchRequest {
        any_of: alternatives,
        ..SearchRequest::default()
    })
}

/// One alternative: filters pulled out (values of one field match any of them), the rest left
/// as text, with the operators and parentheses that only joined filters removed.
fn parse_one(toks: &[String]) -> Result<SearchRequest, SyntaxError> {
    let mut req = SearchRequest::default();
    // What is left for the text engine; `None` where a filter stood.
    let mut left: Vec<Option<String>> = Vec::with_capacity(toks.len());
    let mut fields: Vec<Option<&'static str>> = Vec::with_capacity(toks.len());
    for token in toks {
        let Some((field, value)) = split_filter(token) else {
            // Not one of our fields: the full-text engine would read `x:` as a field name.
            left.push(Some(token.replace(':', " ")));
            fields.push(None);
            continue;
        };
        apply_filter(&mut req, field, value)?;
        left.push(None);
        fields.push(Some(field));
    }
    let is_op = |t: &Option<String>| matches!(t.as_deref(), Some("AND" | "OR" | "NOT"));
    for i in 0..left.len() {
        let Some(op) = left[i].clone().filter(|_| is_op(&left[i])) else {
            continue;
        };
        let prev = (0..i)
            .rev()
            .find(|&n| !matches!(left[n].as_deref(), Some("(" | ")")));
        let next = (i + 1..left.len()).find(|&n| !matches!(left[n].as_deref(), Some("(" | ")")));
        let field_at = |n: Option<usize>| n.and_then(|n| fields[n]);
        let (pf, nf) = (field_at(prev), field_at(next));
        match op.as_str() {
            "NOT" if nf.is_some() => {
                return Err(SyntaxError::BadOperator(
                    "NOT before a field filter is not supported: filter for what you want".into(),
                ));
            }
            "OR" if pf.is_some() || nf.is_some() => {
                if pf != nf {
                    return Err(SyntaxError::BadOperator(
                        "inside parentheses, OR joins only filters of one field (vendor:a OR vendor:b); put other alternatives at the top level".into(),
                    ));
                }
                left[i] = None;
            }
            "AND" if pf.is_some() || nf.is_some() => left[i] = None,
            _ => {}
        }
    }
    req.text = tidy_text(left.into_iter().flatten().collect());
    Ok(req)
}

fn apply_filter(
    req: &mut SearchRequest,
    field: &'static str,
    value: &str,
) -> Result<(), SyntaxError> {
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
        _ => {}
    }
    Ok(())
}

/// Drops what only joined removed filters: empty parentheses and operators with nothing on
/// one side.
fn tidy_text(mut toks: Vec<String>) -> String {
    let is_op = |t: &str| matches!(t, "AND" | "OR" | "NOT");
    loop {
        let before = toks.len();
        let mut out: Vec<String> = Vec::with_capacity(toks.len());
        for t in toks {
            match (out.last().map(String::as_str), t.as_str()) {
                (Some("("), ")") => {
                    out.pop();
                }
                (Some(p), ")") if is_op(p) => {
                    out.pop();
                    out.push(t);
                }
                (Some(p), o) if is_op(o) && (is_op(p) || p == "(") && o != "NOT" => {}
                (None, o) if is_op(o) && o != "NOT" => {}
                _ => out.push(t),
            }
        }
        while out.last().is_some_and(|t| is_op(t)) {
            out.pop();
        }
        toks = out;
        if toks.len() == before {
            break;
        }
    }
    toks.join(" ")
}

/// Parentheses written against a filter (`(vendor:aws`, `region:eu)`) become tokens of their
/// own, so the filter is seen.
fn split_parens(toks: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(toks.len());
    for t in toks {
        let opens = t.len() - t.trim_start_matches('(').len();
        let inner = &t[opens..];
        let closes = inner.len() - inner.trim_end_matches(')').len();
        let core = &inner[..inner.len() - closes];
        if (opens == 0 && closes == 0) || split_filter(core).is_none() {
            out.push(t);
            continue;
        }
        out.extend(std::iter::repeat_n("(".to_string(), opens));
        out.push(core.to_string());
        out.extend(std::iter::repeat_n(")".to_string(), closes));
    }
    out
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
    fn or_beside_filters_makes_alternatives() {
        let q = parse("vendor:aws OR vendor:fastly").expect("valid");
        assert_eq!(q.text, "");
        let vendors: Vec<Vec<String>> = q.any_of.iter().map(|a| a.vendors.clone()).collect();
        assert_eq!(
            vendors,
            vec![vec!["aws".to_string()], vec!["fastly".to_string()]]
        );
        // AND binds tighter: AWS in us-east-1, or anything in Europe mentioning dns.
        let q = parse("vendor:aws region:us-east-1 OR region:europe dns").expect("valid");
        assert_eq!(q.any_of.len(), 2);
        assert_eq!(q.any_of[0].vendors, vec!["aws".to_string()]);
        assert_eq!(q.any_of[0].regions, vec!["us-east-1".to_string()]);
        assert_eq!(q.any_of[1].regions, vec!["europe".to_string()]);
        assert_eq!(q.any_of[1].text, "dns");
        // Same-field OR in parentheses stays one request; the words keep their own OR.
        let q = parse("(vendor:aws OR vendor:fastly) AND (dns OR cdn)").expect("valid");
        assert!(q.any_of.is_empty());
        assert_eq!(q.vendors, vec!["aws".to_string(), "fastly".to_string()]);
        assert_eq!(q.text, "(dns OR cdn)");
        assert!(parse("(vendor:aws OR region:eu) dns").is_err());
        assert!(parse("NOT vendor:aws").is_err());
        assert!(parse("vendor:aws OR").is_err());
        // Words alone: the engine's OR, untouched.
        assert_eq!(parse("dns OR cdn").expect("valid").text, "dns OR cdn");
    }

    #[test]
    fn unknown_fields_stay_text() {
        let q = parse("error:500 timeout").expect("valid");
        assert_eq!(q.text, "error 500 timeout");
    }
}
