//! Pieces shared by the parsers of hosted status platforms (Slack, incident.io, Salesforce Trust,
//! Instatus, status.io, Better Stack, Cachet) and the generic feed fallback.
//!
//! Their APIs differ in shape but fail in the same ways: ids that are numbers on one host and
//! strings on another, times as RFC 3339, epoch numbers or `null`, one malformed item among fifty
//! good ones. The lenient readers here turn those into `Option`s instead of failing the whole
//! document, and the common severity table keeps "partial outage" meaning the same thing whichever
//! platform said it.

use std::sync::OnceLock;

use chrono::{DateTime, TimeZone, Utc};
use regex::Regex;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::{ParseContext, ParseError};
use crate::extract::text::{clean_prefix, clean_text, one_line, truncate_chars};
use crate::extract::time::parse_feed_date;
use crate::model::{Format, Incident, ReportKind, Severity, SourceRef, Status, incident_id};

/// Quotes are trimmed to about this many characters, as the event contract asks.
pub(crate) const QUOTE_CHARS: usize = 300;

/// Parses a whole JSON document, naming the format and the position when it is not JSON.
pub(crate) fn read_json<T: DeserializeOwned>(
    bytes: &[u8],
    format: Format,
) -> Result<T, ParseError> {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|e| ParseError::Json {
        format,
        message: e.to_string(),
    })
}

/// Decodes each item of a list on its own, so one malformed incident does not hide the others.
/// A non-empty list in which no item decodes is an error: the document is not what it claims.
pub(crate) fn decode_items<T: DeserializeOwned>(
    values: Vec<Value>,
    format: Format,
    what: &str,
) -> Result<Vec<T>, ParseError> {
    let total = values.len();
    let mut out = Vec::with_capacity(total);
    let mut first_error = None;
    for (index, value) in values.into_iter().enumerate() {
        match T::deserialize(value) {
            Ok(item) => out.push(item),
            Err(e) => {
                tracing::warn!(%format, what, index, error = %e, "skipping malformed item");
                first_error.get_or_insert_with(|| format!("{what} #{index}: {e}"));
            }
        }
    }
    match first_error {
        Some(message) if out.is_empty() => Err(ParseError::Json {
            format,
            message: format!("none of the {total} {what} items is readable (first: {message})"),
        }),
        _ => Ok(out),
    }
}

/// A point in time as platforms send it: RFC 3339, RFC 2822, epoch seconds or milliseconds, or
/// `null`. Anything unreadable is `None`, never a guess; deserialising it never fails.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Timestamp(pub Option<DateTime<Utc>>);

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        Ok(Timestamp(time_value(&value)))
    }
}

/// Reads a JSON value as a time (see [`Timestamp`]).
pub(crate) fn time_value(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::String(s) => time_text(s),
        Value::Number(n) => {
            let n = n.as_i64()?;
            // Epoch milliseconds pass 10^11 in 1973; epoch seconds reach it in 5138.
            if n.abs() >= 100_000_000_000 {
                Utc.timestamp_millis_opt(n).single()
            } else {
                Utc.timestamp_opt(n, 0).single()
            }
        }
        _ => None,
    }
}

/// Reads a time string; an empty one is absent.
pub(crate) fn time_text(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    parse_feed_date(s)
}

/// An identifier that some hosts send as a number and others as a string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NativeId(pub String);

impl<'de> Deserialize<'de> for NativeId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) if !s.trim().is_empty() => Ok(NativeId(s.trim().to_string())),
            Value::Number(n) => Ok(NativeId(n.to_string())),
            other => Err(serde::de::Error::custom(format!(
                "expected a non-empty id, found {other}"
            ))),
        }
    }
}

/// Optional text that may arrive as a string, a number or `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Lenient(pub Option<String>);

impl Lenient {
    pub(crate) fn as_deref(&self) -> Option<&str> {
        self.0.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
}

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Lenient(match Value::deserialize(d)? {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }))
    }
}

/// A list that may be missing or `null`: both read as empty.
pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// True when `head` holds `"key"` used as an object key (followed by a colon), not inside an
/// escaped string value. Used by the `looks_like` sniffers.
pub(crate) fn has_key(head: &str, key: &str) -> bool {
    let needle = format!("\"{key}\"");
    let mut from = 0;
    while let Some(pos) = head.get(from..).and_then(|rest| rest.find(&needle)) {
        let at = from + pos;
        let escaped = head.get(..at).is_some_and(|before| before.ends_with('\\'));
        let after = head.get(at + needle.len()..).unwrap_or("");
        if !escaped && after.trim_start().starts_with(':') {
            return true;
        }
        from = at + needle.len();
    }
    false
}

/// The canonical vendor: the caller's (from `sources.toml` or `--vendor`) wins, then the name the
/// document gives itself, then the platform's own vendor where the platform is the vendor (Slack,
/// Salesforce). Without any of them the document cannot be attributed, which is an error.
pub(crate) fn vendor_name(
    ctx: &ParseContext,
    document_name: Option<&str>,
    default: Option<&str>,
    format: Format,
) -> Result<String, ParseError> {
    let given = ctx
        .vendor
        .as_deref()
        .map(|v| one_line(&clean_text(v)))
        .filter(|v| !v.is_empty());
    if let Some(v) = given {
        return Ok(v);
    }
    if let Some(v) = document_name.and_then(vendor_from_title) {
        return Ok(v);
    }
    default
        .map(str::to_string)
        .ok_or_else(|| ParseError::Invalid {
            format,
            message: "the document names no vendor; give one in sources.toml or with --vendor"
                .into(),
        })
}

/// "Acme Status - Incident History" -> "Acme": page titles name the vendor plus words every
/// status page adds.
pub(crate) fn vendor_from_title(title: &str) -> Option<String> {
    static NOISE: OnceLock<Option<Regex>> = OnceLock::new();
    let text = one_line(&clean_text(title));
    let name = match NOISE
        .get_or_init(|| {
            Regex::new(
                r"(?i)\b(?:incident\s+history|status\s+page|system\s+status|service\s+status|status|incidents|history)\b",
            )
            .ok()
        })
        .as_ref()
    {
        Some(re) => one_line(&re.replace_all(&text, " ")),
        None => text,
    };
    let name = name.trim_matches(|c: char| c.is_whitespace() || "-|:·–—,".contains(c));
    (!name.is_empty()).then(|| name.to_string())
}

/// A plain-text quote for `sources[].quote`: one line, about 300 characters.
pub(crate) fn quote(text: &str) -> Option<String> {
    // Clean text separates words by one space or one line break and has no edge whitespace,
    // so its one-line form is the same text with breaks as spaces, and a prefix of one more
    // character than the quote keeps says whether anything was cut.
    let line = clean_prefix(text, QUOTE_CHARS + 1).replace('\n', " ");
    (!line.is_empty()).then(|| truncate_chars(&line, QUOTE_CHARS))
}

/// The status source of an incident: its own link where it has one, else the document's URL.
pub(crate) fn status_source(
    link: Option<String>,
    ctx: &ParseContext,
    quote_text: &str,
) -> SourceRef {
    SourceRef {
        url: link.or_else(|| ctx.url.as_deref().and_then(|u| safe_url(u, None))),
        kind: ReportKind::Status,
        quote: quote(quote_text),
    }
}

/// Keeps absolute http(s) links only, resolving relative ones against `base`; `javascript:`,
/// `data:` and other schemes are dropped so nothing downstream renders them as links.
pub(crate) fn safe_url(raw: &str, base: Option<&str>) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let parsed = match url::Url::parse(raw) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            let base = url::Url::parse(base?).ok()?;
            base.join(raw).ok()?
        }
        Err(_) => return None,
    };
    matches!(parsed.scheme(), "http" | "https").then(|| parsed.to_string())
}

/// An incident with its identity and title set and every other field empty or unknown, for the
/// parsers to fill in.
pub(crate) fn new_incident(vendor: &str, native_id: &str, title: &str) -> Incident {
    Incident {
        id: incident_id(vendor, native_id),
        vendor: vendor.to_string(),
        title: one_line(&clean_text(title)),
        start: None,
        end: None,
        status: Status::Unknown,
        severity: Severity::Unknown,
        severity_native: None,
        stated_minutes: None,
        regions: Vec::new(),
        services: Vec::new(),
        cause: None,
        updates: Vec::new(),
        sources: Vec::new(),
    }
}

/// An end before the start is impossible, so it is dropped rather than stored.
pub(crate) fn checked_end(
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    match (start, end) {
        (Some(s), Some(e)) if e < s => {
            tracing::warn!(start = %s, end = %e, "dropping an end that precedes the start");
            None
        }
        _ => end,
    }
}

/// Severity from the impact words status platforms share, in any spelling
/// (`partial_outage`, "Partial outage", `PARTIALOUTAGE`). The table follows Statuspage's own
/// pairing of component states with incident impact: a major or full outage is `critical`,
/// a partial outage `major`, degraded performance `minor`.
pub(crate) fn impact_severity(word: &str) -> Option<Severity> {
    let key: String = word
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    Some(match key.as_str() {
        "fulloutage" | "majoroutage" | "completeoutage" | "totaloutage" => Severity::Critical,
        "partialoutage" | "partialservicedisruption" | "partialdisruption" => Severity::Major,
        "degradedperformance" | "performancedegradation" | "degraded" | "minoroutage" => {
            Severity::Minor
        }
        "undermaintenance" | "maintenance" => Severity::Maintenance,
        "operational" | "none" => Severity::None,
        _ => return None,
    })
}

/// Orders severities by how bad the outage was, so the worst of several impacts can be kept.
/// `unknown` ranks lowest: any known level says more.
pub(crate) fn severity_rank(s: Severity) -> u8 {
    match s {
        Severity::Unknown => 0,
        Severity::None => 1,
        Severity::Maintenance => 2,
        Severity::Minor => 3,
        Severity::Major => 4,
        Severity::Critical => 5,
    }
}

/// Appends `name` unless it is empty or already there (names keep the order the vendor gave).
pub(crate) fn push_unique(list: &mut Vec<String>, name: &str) {
    let name = one_line(&clean_text(name));
    if !name.is_empty() && !list.iter().any(|n| n == &name) {
        list.push(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_equals_the_one_line_of_the_whole_clean_text() {
        let long = "word ".repeat(80);
        for text in [
            "",
            " \n ",
            "Resolved:  the API\n\nwas \u{1b}[31mdown\t again",
            long.as_str(),
            &format!("{}\n{}", "a".repeat(299), "b c"),
            &format!("{} {}", "é".repeat(300), "z"),
            &"x".repeat(300),
            &"x".repeat(301),
        ] {
            let line = one_line(&clean_text(text));
            let old = (!line.is_empty()).then(|| truncate_chars(&line, QUOTE_CHARS));
            assert_eq!(quote(text), old, "{text:?}");
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .expect("test time")
    }

    #[test]
    fn timestamps_accept_text_seconds_and_millis() {
        let t = |v: Value| time_value(&v);
        assert_eq!(
            t(Value::from("2024-09-23T21:00:00.000Z")),
            Some(utc("2024-09-23T21:00:00Z"))
        );
        assert_eq!(
            t(Value::from(1_700_000_000)),
            Some(utc("2023-11-14T22:13:20Z"))
        );
        assert_eq!(
            t(Value::from(1_700_000_000_000_i64)),
            Some(utc("2023-11-14T22:13:20Z"))
        );
        assert_eq!(t(Value::from("2024-02-30T10:00:00Z")), None);
        assert_eq!(t(Value::Null), None);
    }

    #[test]
    fn keys_are_found_only_as_keys() {
        assert!(has_key(
            r#"{"ongoing_incidents" : []}"#,
            "ongoing_incidents"
        ));
        assert!(!has_key(
            r#"{"body":"the \"ongoing_incidents\": list"}"#,
            "ongoing_incidents"
        ));
        assert!(!has_key(
            r#"{"name":"ongoing_incidents"}"#,
            "ongoing_incidents"
        ));
    }

    #[test]
    fn vendor_title_drops_status_words() {
        assert_eq!(
            vendor_from_title("Acme Status - Incident History").as_deref(),
            Some("Acme")
        );
        assert_eq!(vendor_from_title("Status").as_deref(), None);
        assert_eq!(vendor_from_title("OpenAI").as_deref(), Some("OpenAI"));
        assert_eq!(
            vendor_from_title("Statuspal Status").as_deref(),
            Some("Statuspal")
        );
    }

    #[test]
    fn only_http_links_survive() {
        assert_eq!(safe_url("javascript:alert(1)", None), None);
        assert_eq!(
            safe_url("/incidents/7", Some("https://status.acme.com/feed.rss")).as_deref(),
            Some("https://status.acme.com/incidents/7")
        );
        assert_eq!(safe_url("/incidents/7", None), None);
    }

    #[test]
    fn impact_words_in_every_spelling() {
        assert_eq!(impact_severity("partial_outage"), Some(Severity::Major));
        assert_eq!(impact_severity("MAJOROUTAGE"), Some(Severity::Critical));
        assert_eq!(
            impact_severity("Degraded performance"),
            Some(Severity::Minor)
        );
        assert_eq!(impact_severity("sideways"), None);
    }

    #[test]
    fn one_bad_item_does_not_hide_the_rest() {
        #[derive(Deserialize)]
        struct Item {
            #[allow(dead_code)]
            id: NativeId,
        }
        let values = vec![
            serde_json::json!({"id": 1}),
            serde_json::json!({"id": null}),
        ];
        let items: Vec<Item> =
            decode_items(values, Format::CachetJson, "incident").expect("one readable");
        assert_eq!(items.len(), 1);
        let bad = vec![serde_json::json!({"id": null})];
        assert!(decode_items::<Item>(bad, Format::CachetJson, "incident").is_err());
    }

    #[test]
    fn end_before_start_is_dropped() {
        let s = Some(utc("2024-01-02T00:00:00Z"));
        assert_eq!(checked_end(s, Some(utc("2024-01-01T00:00:00Z"))), None);
        assert_eq!(
            checked_end(s, Some(utc("2024-01-03T00:00:00Z"))),
            Some(utc("2024-01-03T00:00:00Z"))
        );
    }
}
