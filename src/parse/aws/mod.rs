//! AWS status formats: the legacy Service Health Dashboard RSS (per service-region feeds and
//! `all.rss`), its `data.json` (archive + current), and the Health dashboard's `currentevents`
//! (a UTF-16 JSON array). AWS publishes no severity and no event id in the legacy forms, so
//! both are derived here, by rules stated once in this module and shared by all three parsers.
//!
//! Severity, inferred from the state words AWS uses (RSS title prefixes, the dashboard legend
//! behind the numeric `status` codes); the vendor's own word is kept in `severity_native`:
//!
//! | RSS prefix / code                       | severity                                   |
//! |-----------------------------------------|--------------------------------------------|
//! | "Service is operating normally" / `0`   | none of its own (`unknown` if nothing else)|
//! | "Informational message" / `1`           | minor                                      |
//! | "Performance issues", "Service degradation" / `2` | major                            |
//! | "Service impact"                        | major (impact, but not called a disruption)|
//! | "Service disruption" / `3`              | critical                                   |
//!
//! The codes follow the legacy dashboard legend (0 operating normally, 1 informational,
//! 2 degradation, 3 disruption), which the real `data.json` bears out: 72 of its 86 events are
//! `1`, and its `3`s are the ACM, Console and Direct Connect Tokyo outages. Third-party readers
//! of `currentevents` disagree about its codes (one reads 1 as degradation); we read them with
//! the same legend, so one code means one thing across both JSON forms.
//!
//! Status: an event is resolved when AWS says so (a "Service is operating normally" post,
//! "[RESOLVED]", an archived `data.json` event, an `end_time`); an open event's state is read
//! from its latest words: recovery words mean monitoring, "identified" means identified,
//! otherwise investigating.

pub mod data_json;
pub mod health;
mod prose;
mod region;
pub mod rss;

use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Utc};
use regex::Regex;
use serde::Deserialize;

use crate::model::Severity;

/// The vendor name when `sources.toml` names none.
const DEFAULT_VENDOR: &str = "AWS";

/// Markup only the AWS feeds have: the channel or item `<link>` at the dashboard root, a guid
/// on the dashboard with a `#<service>_<epoch>` fragment, or AWS's generator. A link to the AWS
/// dashboard inside another vendor's incident text is escaped or CDATA, so it does not match.
static AWS_RSS_MARKUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"<link>\s*https?://(?:status|health)\.aws\.amazon\.com/|<guid[^>]*>\s*https?://(?:status|health)\.aws\.amazon\.com/[^<#]*#|<generator>\s*AWS Service Health Dashboard"#,
    )
    .expect("static AWS RSS pattern")
});

/// The legacy RSS and per-service feeds.
pub fn looks_like_rss(head: &str) -> bool {
    (head.contains("<rss") || head.contains("<channel")) && AWS_RSS_MARKUP.is_match(head)
}

/// Legacy `data.json`: an object with `archive`/`current` event lists. The archive can run past
/// the sniffed head, so `current` alone is not required.
pub fn looks_like_data_json(head: &str) -> bool {
    let t = head.trim_start();
    let has_archive = t.contains("\"archive\"");
    let has_current = t.contains("\"current\"");
    let event_fields = t.contains("\"service_name\"") && t.contains("\"summary\"");
    t.starts_with('{') && (has_archive || (has_current && event_fields))
}

/// `currentevents`: an array of AWS Health events (arns `arn:aws:health:...`).
pub fn looks_like_health(head: &str) -> bool {
    let t = head.trim_start();
    t.starts_with('[')
        && (t.contains("arn:aws:health:")
            || (t.contains("\"event_log\"") && t.contains("\"region_name\"")))
}

/// The text of a document in UTF-8 or UTF-16 (either byte order, chosen by the BOM).
/// `currentevents` is served as UTF-16; invalid sequences become U+FFFD rather than failing
/// the whole document.
fn decode_document(bytes: &[u8]) -> String {
    let utf16 = |rest: &[u8], le: bool| {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| match c {
                [a, b] if le => u16::from_le_bytes([*a, *b]),
                [a, b] => u16::from_be_bytes([*a, *b]),
                _ => 0xFFFD,
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// A JSON value AWS writes as a string in one place and a number in another ("1624564393",
/// 1624564393, "3", 3).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Scalar {
    Int(i64),
    Float(f64),
    Text(String),
}

impl Scalar {
    fn as_i64(&self) -> Option<i64> {
        match self {
            Scalar::Int(i) => Some(*i),
            // Whole numbers only; `as` saturates, and `from_timestamp` rejects the extremes.
            Scalar::Float(f) if f.fract() == 0.0 && f.is_finite() => Some(*f as i64),
            Scalar::Float(_) => None,
            Scalar::Text(s) => s.trim().parse().ok(),
        }
    }

    /// An epoch time. Values past 10^11 cannot be seconds (that is the year 5138), so they
    /// are read as milliseconds.
    fn as_epoch(&self) -> Option<DateTime<Utc>> {
        let n = self.as_i64()?;
        if n <= 0 {
            return None;
        }
        let t = if n > 100_000_000_000 {
            DateTime::from_timestamp_millis(n)
        } else {
            DateTime::from_timestamp(n, 0)
        };
        t.and_then(plausible)
    }
}

/// Status posts exist from the 2000s on; a time outside 1995..=2200 is a corrupt value, and
/// refusing it here also keeps every later day-arithmetic far from chrono's limits.
fn plausible(t: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (1995..=2200).contains(&t.year()).then_some(t)
}

/// A state word: an RSS title prefix or the legend behind a numeric status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StateWord {
    OperatingNormally,
    Informational,
    Degradation,
    Impact,
    Disruption,
}

impl StateWord {
    /// RSS title prefixes as AWS writes them, each with its state.
    const PREFIXES: [(&'static str, StateWord); 6] = [
        (
            "Service is operating normally",
            StateWord::OperatingNormally,
        ),
        ("Informational message", StateWord::Informational),
        ("Performance issues", StateWord::Degradation),
        ("Service degradation", StateWord::Degradation),
        ("Service impact", StateWord::Impact),
        ("Service disruption", StateWord::Disruption),
    ];

    /// The dashboard legend for a numeric status code; `None` for codes we do not know.
    fn from_code(code: i64) -> Option<StateWord> {
        Some(match code {
            0 => StateWord::OperatingNormally,
            1 => StateWord::Informational,
            2 => StateWord::Degradation,
            3 => StateWord::Disruption,
            _ => return None,
        })
    }

    /// The legend word, used as `severity_native` for coded forms.
    fn legend(self) -> &'static str {
        match self {
            StateWord::OperatingNormally => "Service is operating normally",
            StateWord::Informational => "Informational message",
            StateWord::Degradation => "Service degradation",
            StateWord::Impact => "Service impact",
            StateWord::Disruption => "Service disruption",
        }
    }

    /// `None` when the word says nothing about impact (operating normally).
    fn severity(self) -> Option<Severity> {
        match self {
            StateWord::OperatingNormally => None,
            StateWord::Informational => Some(Severity::Minor),
            StateWord::Degradation | StateWord::Impact => Some(Severity::Major),
            StateWord::Disruption => Some(Severity::Critical),
        }
    }

    /// Orders words by how bad they are, to pick an event's worst.
    fn rank(self) -> u8 {
        match self {
            StateWord::OperatingNormally => 0,
            StateWord::Informational => 1,
            StateWord::Degradation | StateWord::Impact => 2,
            StateWord::Disruption => 3,
        }
    }
}

/// An event's severity from the worst state word among its posts, with that word (as AWS
/// wrote it) as the native value. Only "operating normally" posts give `unknown`.
fn worst_severity<'a>(
    words: impl IntoIterator<Item = (StateWord, &'a str)>,
) -> (Severity, Option<String>) {
    let mut worst: Option<(StateWord, &str)> = None;
    for (word, native) in words {
        if worst.is_none_or(|(w, _)| word.rank() > w.rank()) {
            worst = Some((word, native));
        }
    }
    match worst {
        Some((word, native)) => (
            word.severity().unwrap_or(Severity::Unknown),
            Some(native.to_string()),
        ),
        None => (Severity::Unknown, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_documents_decode_by_bom() {
        let text = "[{\"summary\":\"Tōkyō\"}]";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            le.extend(unit.to_le_bytes());
            be.extend(unit.to_be_bytes());
        }
        assert_eq!(decode_document(&le), text);
        assert_eq!(decode_document(&be), text);
        let mut utf8 = vec![0xEF, 0xBB, 0xBF];
        utf8.extend(text.as_bytes());
        assert_eq!(decode_document(&utf8), text);
        // A dangling odd byte is dropped, not a panic.
        le.push(0x41);
        assert_eq!(decode_document(&le), text);
    }

    #[test]
    fn epochs_as_strings_numbers_and_milliseconds() {
        let t = DateTime::from_timestamp(1_624_564_393, 0);
        assert_eq!(Scalar::Text("1624564393".into()).as_epoch(), t);
        assert_eq!(Scalar::Int(1_624_564_393).as_epoch(), t);
        assert_eq!(Scalar::Int(1_624_564_393_000).as_epoch(), t);
        assert_eq!(Scalar::Text("soon".into()).as_epoch(), None);
        assert_eq!(Scalar::Int(i64::MAX).as_epoch(), None);
        assert_eq!(Scalar::Int(-5).as_epoch(), None);
        // In chrono's range, but no status page posted in the year 262000.
        assert_eq!(Scalar::Int(8_210_000_000_000_000).as_epoch(), None);
        assert_eq!(Scalar::Int(99_999_999_999).as_epoch(), None);
    }

    #[test]
    fn worst_word_sets_severity_and_keeps_native() {
        let words = [
            (StateWord::Informational, "Informational message"),
            (StateWord::Degradation, "Service degradation"),
            (
                StateWord::OperatingNormally,
                "Service is operating normally",
            ),
        ];
        assert_eq!(
            worst_severity(words),
            (Severity::Major, Some("Service degradation".to_string()))
        );
        assert_eq!(
            worst_severity([(
                StateWord::OperatingNormally,
                "Service is operating normally"
            )]),
            (
                Severity::Unknown,
                Some("Service is operating normally".to_string())
            )
        );
    }

    #[test]
    fn detection_heads() {
        assert!(looks_like_rss(
            "<rss version=\"2.0\"><channel><link>http://status.aws.amazon.com/</link>"
        ));
        assert!(!looks_like_rss(
            "<rss version=\"2.0\"><channel><link>https://www.githubstatus.com</link>"
        ));
        // Another vendor's incident that links the AWS dashboard in its text.
        assert!(!looks_like_rss(
            "<rss><channel><link>https://www.githubstatus.com</link><item><description>&lt;a href=\"https://health.aws.amazon.com/health/status\"&gt;AWS&lt;/a&gt;</description>"
        ));
        assert!(looks_like_rss(
            "<rss><channel><item><guid isPermaLink=\"false\">http://status.aws.amazon.com/#sns-us-east-1_1642200240</guid>"
        ));
        assert!(looks_like_data_json("{\"archive\":[],\"current\":[]}"));
        assert!(looks_like_data_json(
            "{\"archive\":[{\"service_name\":\"Amazon CloudFront\""
        ));
        assert!(!looks_like_data_json("{\"current\":{\"status\":\"ok\"}}"));
        assert!(!looks_like_data_json(
            "{\"current\":[{\"service_name\":\"x\"}]}"
        ));
        assert!(looks_like_health(
            "[{\"arn\":\"arn:aws:health:us-east-1::event/EC2/X/Y\"}]"
        ));
        assert!(!looks_like_health("[{\"id\":1}]"));
    }
}
