//! Bytes to typed incidents, one file per wire format. No I/O here: the crawler, `ingest` and
//! `extract` all hand bytes in and get [`Incident`]s back, so every format is testable from
//! fixtures.
//!
//! [`detect`] sniffs the format from the content (the `kind` in `sources.toml` or `--kind`
//! overrides it); [`parse`] dispatches to the format's module.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use regex::Regex;
use thiserror::Error;

use crate::model::{Format, Incident};

/// What the caller knows about the bytes besides the bytes.
#[derive(Debug, Clone, Default)]
pub struct ParseContext {
    /// Where the bytes came from; used for links and to resolve relative URLs.
    pub url: Option<String>,
    /// Canonical vendor from `sources.toml`; wins over what the document says.
    pub vendor: Option<String>,
    /// Publication time when the document has none (press articles, saved pages).
    pub published: Option<DateTime<Utc>>,
    /// Forced format; skips detection.
    pub format: Option<Format>,
}

/// Why a document could not be read. The caller adds which source or file it was.
#[derive(Debug, Error)]
pub enum ParseError {
    /// The content matches no format we know.
    #[error("unrecognised content: {0}")]
    Unrecognised(String),
    /// JSON that does not parse or lacks the fields its format requires.
    #[error("invalid {format} JSON: {message}")]
    Json { format: Format, message: String },
    /// XML that no feed reader accepts, even after repair.
    #[error("unreadable {format} XML: {message}")]
    Feed { format: Format, message: String },
    /// Well-formed, but a value is impossible (a date that does not exist, a missing id).
    #[error("{format}: {message}")]
    Invalid { format: Format, message: String },
}

/// The result of parsing one document.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub format: Format,
    pub incidents: Vec<Incident>,
}

/// Guesses the format from the first bytes and a few telltale keys.
/// Detection for a local file a user hands us (`extract`, `ingest`): a known format, else plain
/// prose is taken as the text of an article or post-mortem. Crawls do not use it: a status URL
/// answering with prose is an error there, not an article.
pub fn detect_local(bytes: &[u8]) -> Option<Format> {
    detect(bytes)
        .or_else(|| (looks_like_prose(bytes) && not_prose(bytes).is_none()).then_some(Format::Text))
}

/// Why readable text that is no known format is not prose either, so that `ingest` and
/// `extract` skip it rather than read it as an article (a README's heading is no outage
/// title, a YAML capture's `version: incident/v1` no headline): YAML, CSV, Markdown front
/// matter, source code, or a README or link list. `None` for prose. `--kind text` still reads
/// such a file as text.
pub fn not_prose(bytes: &[u8]) -> Option<&'static str> {
    let head = sniff_text(bytes, 64 * 1024);
    let text = head.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#') || l.starts_with("# "))
        .take(60)
        .collect();
    if lines.is_empty() {
        return None;
    }
    if text.starts_with("---\n") || text.starts_with("---\r\n") {
        let closes = text.lines().skip(1).take(60).any(|l| l.trim_end() == "---");
        return Some(if closes {
            "Markdown front matter or YAML, not prose"
        } else {
            "YAML, not prose"
        });
    }
    let yaml_like = lines.iter().filter(|l| YAML_LINE.is_match(l)).count();
    if lines.len() >= 3 && yaml_like * 10 >= lines.len() * 8 && YAML_KEY.is_match(lines[0]) {
        return Some("YAML, not prose");
    }
    if looks_like_csv(text) {
        return Some("CSV, not prose");
    }
    let code = lines.iter().filter(|l| CODE_LINE.is_match(l)).count();
    if lines.len() >= 5 && code * 10 >= lines.len() * 4 {
        return Some("source code, not prose");
    }
    let links = text.matches("](http").count() + text.matches("](/").count();
    let fences = text.matches("```").count();
    let first_heading = text.trim_start().lines().next().unwrap_or("");
    // "# outages", "# awesome-postmortems": a project's name heads its README.
    let project_name = first_heading
        .trim_start_matches("# ")
        .split_whitespace()
        .count()
        == 1;
    let table = text.contains("|---") || text.contains("|:--") || text.contains("| ---");
    let sections = text.matches("\n## ").count();
    if first_heading.starts_with("# ")
        && (links >= 10 || fences >= 2 || project_name || (table && sections >= 3))
    {
        return Some("a README or a list of links, not an article");
    }
    None
}

static YAML_KEY: LazyLock<Regex> =
    LazyLock::new(|| crate::extract::dates::regex(r"^[A-Za-z_][\w.-]*:(?:\s|$)"));
static YAML_LINE: LazyLock<Regex> = LazyLock::new(|| {
    crate::extract::dates::regex(
        r#"^\s*(?:-\s+)?(?:[A-Za-z_"'][\w ."'-]*:(?:\s|$)|-\s*$|-\s+\S)|^\s+\S"#,
    )
});
static CODE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    crate::extract::dates::regex(
        r"(?:[;{}]\s*$|^\s*(?:import |from \S+ import |fn |pub |def |class |#include|package |use |const |let |var |function |return\b|if \(|for \())",
    )
});

/// Three lines or more that split into the same number of comma (or tab) separated fields,
/// two separators at least.
fn looks_like_csv(text: &str) -> bool {
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    if rows.len() < 3 {
        return false;
    }
    let Some(first) = rows.first() else {
        return false;
    };
    for sep in [',', '\t', ';'] {
        let n = first.matches(sep).count();
        if n < 2 || first.ends_with('.') {
            continue;
        }
        // Quoted fields may hold line breaks: only the header must be plain.
        let same = rows.iter().filter(|r| r.matches(sep).count() == n).count();
        let header_plain = !first.contains(". ")
            && !first.contains(&format!("{sep} "))
            && first.split(sep).all(|f| f.len() <= 60);
        if header_plain && (same * 2 >= rows.len() || text.contains(&format!("{sep}\""))) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod not_prose_tests {
    use super::*;

    #[test]
    fn yaml_csv_code_and_readmes_are_not_prose() {
        assert_eq!(
            not_prose(b"version: incident/v1\nname: X\ntimeline:\n  - ts: 1\n"),
            Some("YAML, not prose")
        );
        assert_eq!(
            not_prose(b",description,vendor\n1,\"<div>a\nb</div>\",AWS\n2,\"x\",GCP\n"),
            Some("CSV, not prose")
        );
        assert_eq!(
            not_prose(b"---\ntitle: A\n---\nBody text.\n"),
            Some("Markdown front matter or YAML, not prose")
        );
        let readme = "# outages\n\n```sh\ncargo run\n```\n\n```sh\nx\n```\n";
        assert!(not_prose(readme.as_bytes()).is_some());
        let article = "Slack outage hits users\nSlack went down on Monday, leaving users unable \
                       to send messages. The company said a configuration change caused it.\n";
        assert_eq!(not_prose(article.as_bytes()), None);
        assert_eq!(detect_local(article.as_bytes()), Some(Format::Text));
        assert_eq!(detect_local(readme.as_bytes()), None);
    }
}

/// Readable text that is not markup or JSON: UTF-8 (a stray bad byte is tolerated), no NUL,
/// and mostly letters, digits, punctuation and spaces.
fn looks_like_prose(bytes: &[u8]) -> bool {
    let head = sniff_text(bytes, 64 * 1024);
    let trimmed = head.trim_start();
    if trimmed.is_empty()
        || trimmed.starts_with(['<', '{'])
        || starts_like_json_array(trimmed)
        || bytes.contains(&0)
    {
        return false;
    }
    let (mut printable, mut total) = (0usize, 0usize);
    for c in trimmed.chars() {
        total += 1;
        if !c.is_control() || c.is_whitespace() {
            printable += 1;
        }
    }
    printable * 100 >= total * 95
}

/// A bracket opens a JSON array only when a JSON value follows it: status texts and
/// post-mortems often open with a bracketed state ("[RESOLVED] Network connectivity ...").
fn starts_like_json_array(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('[') else {
        return false;
    };
    let rest = rest.trim_start();
    rest.is_empty()
        || rest.starts_with(['{', '[', '"', ']', '-'])
        || rest.starts_with(|c: char| c.is_ascii_digit())
        || ["true", "false", "null"]
            .iter()
            .any(|w| rest.starts_with(w))
}

pub fn detect(bytes: &[u8]) -> Option<Format> {
    let head = sniff_text(bytes, 64 * 1024);
    let trimmed = head.trim_start();
    if let Some(format) = gcp::looks_like(trimmed).or_else(|| azure::looks_like(trimmed)) {
        return Some(format);
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        // Hosted platforms first: their telltale keys are their own, while the Statuspage test
        // below also matches incident.io's widget (`scheduled_maintenances`).
        if let Some(format) = detect_platform_json(trimmed) {
            return Some(format);
        }
        if trimmed.contains("\"incident_updates\"")
            || trimmed.contains("\"scheduled_maintenances\"")
            || (trimmed.contains("\"page\"") && trimmed.contains("\"incidents\""))
        {
            return Some(Format::StatuspageJson);
        }
        if aws::looks_like_health(trimmed) {
            return Some(Format::AwsHealth);
        }
        if aws::looks_like_data_json(trimmed) {
            return Some(Format::AwsJson);
        }
        // A JSON Feed is read like RSS and Atom, by the generic feed parser.
        if syndication::json::looks_like(trimmed) {
            return Some(Format::Feed);
        }
        return None;
    }
    if article::looks_like_html(trimmed) {
        return Some(Format::Article);
    }
    if trimmed.starts_with('<') {
        let is_atom = trimmed.contains("<feed");
        let is_rss = trimmed.contains("<rss") || trimmed.contains("<rdf:RDF");
        if !is_atom && !is_rss {
            return None;
        }
        if is_rss && aws::looks_like_rss(&head) {
            return Some(Format::AwsRss);
        }
        if slack::looks_like_feed(&head) {
            return Some(Format::SlackFeed);
        }
        if incidentio::looks_like_feed(&head) {
            return Some(Format::IncidentioFeed);
        }
        // Statuspage update blocks: "<small>Jan  1, 09:09 PST</small><br><strong>Resolved</strong>"
        let statuspage = (head.contains("<small>") || head.contains("&lt;small&gt;"))
            && (head.contains("<strong>") || head.contains("&lt;strong&gt;"))
            && (head.contains("/incidents/") || head.contains("Incident/"));
        return Some(match (statuspage, is_atom) {
            (true, true) => Format::StatuspageAtom,
            (true, false) => Format::StatuspageRss,
            (false, _) => Format::Feed,
        });
    }
    None
}

/// The hosted status platforms' JSON, told apart by keys no other format uses.
fn detect_platform_json(head: &str) -> Option<Format> {
    if incidentio::looks_like(head) {
        Some(Format::IncidentioWidget)
    } else if salesforce::looks_like(head) {
        Some(Format::SalesforceJson)
    } else if statusio::looks_like(head) {
        Some(Format::StatusioJson)
    } else if instatus::looks_like(head) {
        Some(Format::InstatusJson)
    } else if cachet::looks_like(head) {
        Some(Format::CachetJson)
    } else if betterstack::looks_like(head) {
        Some(Format::BetterstackJson)
    } else if slack::looks_like(head) {
        Some(Format::SlackJson)
    } else {
        None
    }
}

/// Parses a document in its detected (or forced) format.
pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Parsed, ParseError> {
    let format = match ctx.format.or_else(|| detect(bytes)) {
        Some(f) => f,
        None => {
            let head = sniff_text(bytes, 80);
            return Err(ParseError::Unrecognised(format!(
                "not a status feed or API response we know (starts with {:?})",
                crate::extract::text::one_line(&head)
            )));
        }
    };
    // Parsers that sniff the format again (the Statuspage feed names its error after it) are
    // told what was detected.
    let detected;
    let ctx = if ctx.format.is_some() {
        ctx
    } else {
        detected = ParseContext {
            format: Some(format),
            ..ctx.clone()
        };
        &detected
    };
    let incidents = match format {
        Format::StatuspageJson => statuspage_json::parse(bytes, ctx)?,
        Format::StatuspageAtom | Format::StatuspageRss => statuspage_feed::parse(bytes, ctx)?,
        Format::Feed => feed::parse(bytes, ctx)?,
        Format::SlackJson => slack::parse_json(bytes, ctx)?,
        Format::SlackFeed => slack::parse_feed(bytes, ctx)?,
        Format::IncidentioWidget => incidentio::parse_widget(bytes, ctx)?,
        Format::IncidentioFeed => incidentio::parse_feed(bytes, ctx)?,
        Format::SalesforceJson => salesforce::parse(bytes, ctx)?,
        Format::InstatusJson => instatus::parse(bytes, ctx)?,
        Format::StatusioJson => statusio::parse(bytes, ctx)?,
        Format::BetterstackJson => betterstack::parse(bytes, ctx)?,
        Format::CachetJson => cachet::parse(bytes, ctx)?,
        Format::AwsRss => aws::rss::parse(bytes, ctx)?,
        Format::AwsJson => aws::data_json::parse(bytes, ctx)?,
        Format::AwsHealth => aws::health::parse(bytes, ctx)?,
        Format::GcpJson => gcp::parse(bytes, ctx)?,
        Format::GcpAtom => gcp::parse_atom(bytes, ctx)?,
        Format::AzureRss => azure::parse_rss(bytes, ctx)?,
        Format::AzureHistory => azure::parse_history(bytes, ctx)?,
        Format::Article => article::parse_html(bytes, ctx)?,
        Format::Text => article::parse_text(bytes, ctx)?,
    };
    Ok(Parsed { format, incidents })
}

/// Lossy UTF-8 (or UTF-16 with a BOM) view of the start of a document, for sniffing only.
fn sniff_text(bytes: &[u8], max: usize) -> String {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let le = bytes[0] == 0xFF;
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .take(max)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        return String::from_utf16_lossy(&units);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    String::from_utf8_lossy(&bytes[..bytes.len().min(max)]).into_owned()
}

pub mod article;
pub mod aws;
pub mod azure;
pub mod betterstack;
pub mod cachet;
pub mod feed;
pub mod gcp;
pub mod incidentio;
pub mod instatus;
mod platform;
mod rca;
pub mod salesforce;
pub mod slack;
pub mod statusio;
pub mod statuspage;
pub mod statuspage_feed;
pub mod statuspage_json;
mod syndication;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_prose_is_text_but_binary_markup_and_json_are_not() {
        assert_eq!(
            detect_local(b"Fastly outage\n\nThe CDN failed at 09:47 UTC."),
            Some(Format::Text)
        );
        assert_eq!(detect_local(b"\x00\x01 not text"), None);
        assert_eq!(detect_local(b"{\"unknown\": 1}"), None);
        assert_eq!(detect_local(b"<unknown-markup/>"), None);
        assert_eq!(detect_local(b"   "), None);
        assert_eq!(detect_local(b"[{\"id\": 1}]"), None);
        assert_eq!(detect_local(b"[\n  \"a\"]"), None);
        assert_eq!(detect_local(b"[]"), None);
        // A status text opening with its bracketed state is prose (AWS dashboard posts).
        assert_eq!(
            detect_local(b"[RESOLVED] Network Connectivity Issues\n\n11:40 AM PDT Between 11:07 AM and 11:30 AM PDT we experienced network connectivity issues."),
            Some(Format::Text)
        );
        // Crawls keep the strict detection: prose from a status URL is not a format.
        assert_eq!(detect(b"Fastly outage\n\nThe CDN failed."), None);
    }

    /// The benchmark's 200 real feeds: a JSON Feed, a bare `&`, a UTF-16 declaration over UTF-8
    /// bytes and an untitled feed all read; only the one that is not XML at all (`<?xml?xml`,
    /// unquoted attributes, undeclared prefixes) is refused, saying why.
    #[test]
    fn every_real_benchmark_feed_parses_but_the_one_past_repair() {
        let Some(files) = crate::test_support::shared_files(&["bench/feeds"]) else {
            return;
        };
        let mut refused = Vec::new();
        let mut incidents = 0;
        for path in &files {
            let bytes = std::fs::read(path).expect("benchmark feed");
            match parse(&bytes, &ParseContext::default()) {
                Ok(parsed) => incidents += parsed.incidents.len(),
                Err(e) => refused.push(format!(
                    "{}: {e}",
                    path.file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default()
                )),
            }
        }
        assert_eq!(files.len(), 200);
        assert_eq!(
            refused,
            vec!["7ef13a42fa7e177a: unreadable feed XML: unable to parse feed: no root element"]
        );
        assert_eq!(incidents, 6486);
    }

    #[test]
    fn an_untitled_feed_takes_its_vendor_from_its_site() {
        let atom = br#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><entry><id>1</id><title>Partial outage of the API</title><link href="https://www.acme.example/posts/1"/><updated>2024-03-03T14:02:00Z</updated></entry></feed>"#;
        let parsed = parse(atom, &ParseContext::default()).expect("an untitled feed");
        assert_eq!(parsed.incidents.len(), 1);
        assert_eq!(parsed.incidents[0].vendor, "acme.example");
        let from_url = ParseContext {
            url: Some("https://status.other.example/feed.atom".into()),
            ..ParseContext::default()
        };
        let parsed = parse(atom, &from_url).expect("an untitled feed with its URL");
        assert_eq!(parsed.incidents[0].vendor, "status.other.example");
    }
}
