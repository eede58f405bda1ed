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
    /// What was repaired to read the document (bytes that were not UTF-8), to be reported.
    pub repaired: Option<String>,
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
    let head = sniff_text(bytes, SNIFF_BYTES);
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

/// How much of a document the sniffers read first.
const SNIFF_BYTES: usize = 64 * 1024;

pub fn detect(bytes: &[u8]) -> Option<Format> {
    let head = sniff_text(bytes, SNIFF_BYTES);
    let trimmed = head.trim_start();
    if let Some(format) = gcp::looks_like(trimmed).or_else(|| azure::looks_like(trimmed)) {
        return Some(format);
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        // The telltale keys may sit anywhere: a Statuspage summary lists every component before
        // its incidents, so a long component list pushes them past the head. The whole document
        // is read only when the head alone is not enough.
        return detect_json(trimmed).or_else(|| {
            (bytes.len() > SNIFF_BYTES)
                .then(|| detect_json(sniff_text(bytes, bytes.len()).trim_start()))
                .flatten()
        });
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

/// A JSON document's format from its telltale keys.
fn detect_json(text: &str) -> Option<Format> {
    // Hosted platforms first: their telltale keys are their own, while the Statuspage test
    // below also matches incident.io's widget (`scheduled_maintenances`).
    if let Some(format) = detect_platform_json(text) {
        return Some(format);
    }
    if text.contains("\"incident_updates\"")
        || text.contains("\"scheduled_maintenances\"")
        || (text.contains("\"page\"") && text.contains("\"incidents\""))
    {
        return Some(Format::StatuspageJson);
    }
    if aws::looks_like_health(text) {
        return Some(Format::AwsHealth);
    }
    if aws::looks_like_data_json(text) {
        return Some(Format::AwsJson);
    }
    // A JSON Feed is read like RSS and Atom, by the generic feed parser.
    if syndication::json::looks_like(text) {
        return Some(Format::Feed);
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
    // A few bytes that are not UTF-8 (a truncated character in one title) must not cost a
    // whole feed its entries: they become U+FFFD, and the damage is reported.
    let (lossy, repaired) = match utf8_damage(bytes) {
        Some(bad) => (
            Some(String::from_utf8_lossy(bytes).into_owned()),
            Some(format!(
                "{bad} byte sequence{} that {} not UTF-8 replaced with U+FFFD",
                if bad == 1 { "" } else { "s" },
                if bad == 1 { "was" } else { "were" }
            )),
        ),
        None => (None, None),
    };
    let bytes = lossy.as_deref().map_or(bytes, str::as_bytes);
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
    if declares_entities(bytes) {
        return Err(ParseError::Invalid {
            format,
            message: "the document declares XML entities in its DOCTYPE; refused, since \
                      expanding them can turn a small document into gigabytes (\"billion laughs\")"
                .into(),
        });
    }
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
    Ok(Parsed {
        format,
        incidents: canonical_vendors(incidents),
        repaired,
    })
}

/// How many invalid UTF-8 sequences a document holds, when it should be UTF-8 (no byte order
/// mark of UTF-16 and no XML declaration of another encoding, which the XML reader decodes);
/// `None` when it is valid or not meant as UTF-8.
fn utf8_damage(bytes: &[u8]) -> Option<usize> {
    if std::str::from_utf8(bytes).is_ok()
        || bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0xFE, 0xFF])
    {
        return None;
    }
    let head = String::from_utf8_lossy(bytes.get(..200).unwrap_or(bytes)).to_ascii_lowercase();
    if let Some(decl) = head
        .trim_start_matches('\u{feff}')
        .trim_start()
        .strip_prefix("<?xml")
    {
        let decl = decl.split("?>").next().unwrap_or_default();
        if let Some(at) = decl.find("encoding") {
            let value: String = decl[at + "encoding".len()..]
                .trim_start_matches([' ', '=', '"', '\''])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            if value != "utf-8" && value != "utf8" {
                return None;
            }
        }
    }
    let mut bad = 0;
    let mut rest = bytes;
    while let Err(e) = std::str::from_utf8(rest) {
        bad += 1;
        let skip = e.valid_up_to() + e.error_len().unwrap_or(rest.len() - e.valid_up_to());
        rest = rest.get(skip..).unwrap_or_default();
    }
    Some(bad)
}

/// One name per vendor from the edge on: a page's own title ("Atlassian Statuspage") or a
/// source's spelling becomes the gazetteer's canonical name ("Statuspage"), so `extract`, the
/// store and every view agree. Ids are already made and stay as they are; a vendor the
/// gazetteer does not know keeps its name.
fn canonical_vendors(mut incidents: Vec<Incident>) -> Vec<Incident> {
    let gazetteer = crate::extract::vendor::Gazetteer::builtin();
    for incident in &mut incidents {
        if let Some(name) = gazetteer.canonical(&incident.vendor) {
            if name != incident.vendor {
                incident.vendor = name.to_string();
            }
        }
    }
    incidents
}

/// Whether an XML document declares entities (`<!ENTITY` in the DOCTYPE before its root
/// element). No status format needs them, our readers do not expand them (so an entity would
/// show as "&lol9;" in a title), and expanding them is the "billion laughs" attack.
fn declares_entities(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if !bytes.trim_ascii_start().starts_with(b"<")
        && !bytes.starts_with(&[0xFF, 0xFE])
        && !bytes.starts_with(&[0xFE, 0xFF])
    {
        return false;
    }
    let text = sniff_text(bytes, bytes.len());
    let Some(doctype) = text.find("<!DOCTYPE") else {
        return false;
    };
    // The DOCTYPE counts only in the prolog: no element may open before it.
    let prolog = &text[..doctype];
    let element_before = prolog
        .match_indices('<')
        .any(|(i, _)| prolog[i + 1..].starts_with(|c: char| c.is_alphabetic()));
    if element_before {
        return false;
    }
    let rest = &text[doctype..];
    let subset_end = rest
        .find("]>")
        .or_else(|| rest.find('>'))
        .unwrap_or(rest.len());
    rest[..subset_end].contains("<!ENTITY")
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

    /// Three bytes that are not UTF-8 inside one entry's title cost nothing but those bytes:
    /// every entry is read, and the damage is named.
    #[test]
    fn a_few_bytes_that_are_not_utf8_keep_the_feed_readable() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/statuspage/history-imitation.atom"
        );
        let clean = std::fs::read(path).expect("fixture");
        let at = clean
            .windows(7)
            .enumerate()
            .skip(200)
            .find(|(_, w)| *w == b"<title>")
            .map(|(n, _)| n + 7)
            .expect("an entry title");
        let mut damaged = clean.clone();
        damaged.splice(at..at, [0xFF, 0xFE, 0xFD]);
        let ctx = ParseContext::default();
        let good = parse(&clean, &ctx).expect("clean feed");
        let read = parse(&damaged, &ctx).expect("damaged feed");
        assert_eq!(read.incidents.len(), good.incidents.len());
        assert_eq!(
            read.repaired.as_deref(),
            Some("3 byte sequences that were not UTF-8 replaced with U+FFFD")
        );
        assert_eq!(good.repaired, None);
        // A document declaring another encoding is left to the XML reader.
        assert_eq!(
            utf8_damage(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>caf\xe9</rss>"),
            None
        );
        assert_eq!(utf8_damage(b"{\"a\": \"caf\xe9\"}"), Some(1));
    }

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

    /// A Statuspage `summary.json` as a real page serves it: every component before the
    /// incidents, so with many components the `"incidents"` key lies far past the head.
    fn summary_with_components(components: usize, incidents_first: bool) -> String {
        let component_list: Vec<String> = (0..components)
            .map(|i| {
                format!(
                    r#"{{"id":"c{i:06}","name":"Droplets in region {i}","status":"operational","created_at":"2016-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z","position":{i},"description":"Virtual machines and their networking in this region","showcase":false,"group_id":null,"page_id":"p1","group":false,"only_show_if_degraded":false}}"#
                )
            })
            .collect();
        let incidents: Vec<String> = ["dns", "spaces", "kubernetes"]
            .iter()
            .enumerate()
            .map(|(n, what)| {
                format!(
                    r#"{{"id":"inc{n}","name":"Degraded {what}","status":"investigating","impact":"minor","created_at":"2024-05-0{d}T10:00:00Z","started_at":"2024-05-0{d}T10:00:00Z","resolved_at":null,"shortlink":"https://stspg.io/x{n}","incident_updates":[{{"status":"investigating","body":"We are investigating degraded {what}.","created_at":"2024-05-0{d}T10:00:00Z","display_at":"2024-05-0{d}T10:00:00Z"}}],"components":[]}}"#,
                    d = n + 1
                )
            })
            .collect();
        let page = r#""page":{"id":"p1","name":"DigitalOcean","url":"https://status.digitalocean.test","time_zone":"Etc/UTC","updated_at":"2024-05-03T10:00:00Z"}"#;
        let components = format!(r#""components":[{}]"#, component_list.join(","));
        let incidents = format!(r#""incidents":[{}]"#, incidents.join(","));
        let rest = r#""scheduled_maintenances":[],"status":{"indicator":"minor","description":"Minor Service Outage"}"#;
        if incidents_first {
            format!("{{{incidents},{rest},{components},{page}}}")
        } else {
            format!("{{{page},{components},{incidents},{rest}}}")
        }
    }

    #[test]
    fn a_document_declaring_entities_is_refused_with_the_reason() {
        let laughs = br#"<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol9 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<rss version="2.0"><channel><title>Acme Status</title><link>https://status.acme.test</link>
<item><title>&lol9;</title><link>https://status.acme.test/incidents/1</link><pubDate>Wed, 11 Dec 2019 09:12:40 +0000</pubDate><description>Outage</description></item></channel></rss>"#;
        let err = parse(laughs, &ParseContext::default()).expect_err("refused");
        assert_eq!(
            err.to_string(),
            "feed: the document declares XML entities in its DOCTYPE; refused, since expanding them can turn a small document into gigabytes (\"billion laughs\")"
        );
        // A plain DOCTYPE, or one inside an entry's text, is no reason to refuse.
        assert!(!declares_entities(
            b"<!DOCTYPE html><html><body>x</body></html>"
        ));
        assert!(!declares_entities(
            b"<rss><channel><description>&lt;!DOCTYPE x [&lt;!ENTITY a 'b'&gt;]&gt;</description></channel></rss>"
        ));
    }

    #[test]
    fn a_vendor_is_named_by_its_canonical_name_from_the_edge_on() {
        let doc = br#"{"page":{"name":"Atlassian Statuspage","url":"https://metastatuspage.test"},"incidents":[{"id":"sp1","name":"Delayed notifications","status":"resolved","created_at":"2024-05-01T10:00:00Z","resolved_at":"2024-05-01T11:00:00Z","incident_updates":[]}]}"#;
        let parsed = parse(doc, &ParseContext::default()).expect("parses");
        assert_eq!(parsed.incidents[0].vendor, "Statuspage");
        // The id is made from the page's own name, as before, so stored ids stay stable.
        assert_eq!(parsed.incidents[0].id, "atlassian-statuspage:sp1");
        let unknown = br#"{"page":{"name":"Acme Cloud Status"},"incidents":[{"id":"a1","name":"X","status":"investigating"}]}"#;
        let parsed = parse(unknown, &ParseContext::default()).expect("parses");
        assert_eq!(parsed.incidents[0].vendor, "Acme Cloud");
    }

    #[test]
    fn a_summary_is_detected_whatever_its_component_count_and_key_order() {
        for components in [10, 1_000] {
            for incidents_first in [false, true] {
                let doc = summary_with_components(components, incidents_first);
                if components == 1_000 && !incidents_first {
                    assert!(doc.find("\"incidents\"").is_some_and(|at| at > SNIFF_BYTES));
                }
                assert_eq!(
                    detect(doc.as_bytes()),
                    Some(Format::StatuspageJson),
                    "{components} components, incidents first: {incidents_first}"
                );
                let parsed = parse(doc.as_bytes(), &ParseContext::default()).expect("parses");
                let titles: Vec<&str> = parsed.incidents.iter().map(|i| i.title.as_str()).collect();
                assert_eq!(
                    titles,
                    ["Degraded dns", "Degraded spaces", "Degraded kubernetes"],
                    "{components} components"
                );
            }
        }
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
