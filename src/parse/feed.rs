//! The generic RSS/Atom fallback: any status feed no dedicated parser claims (Better Stack's
//! `feed.rss`, Instatus `history.atom`, self-hosted pages) becomes one incident per entry.
//!
//! Such feeds share no schema, only habits: a status word in the title
//! (`"[Resolved] Database issues"`) or leading the newest update, impact words ("partial outage"), and sometimes the real
//! window stated in the prose ("between 14:02 UTC and 15:30 UTC on March 3, 2024"). This module
//! reads those habits; when the text states no time, the entry's published/updated dates stand in.
//! The Slack and incident.io feed parsers reuse the reading here and add what their hosts say.
//!
//! Identity never comes from feed-rs's generated ids, which hash the title (so they change when
//! "Investigating" becomes "Resolved") or are random: it is the entry's own guid, else its link,
//! else a SHA-256 of the title (without its status label) and the publication time.

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use regex::{Captures, Regex};
use sha2::{Digest, Sha256};

use super::platform::{
    QUOTE_CHARS, checked_end, impact_severity, new_incident, safe_url, severity_rank,
    status_source, vendor_name,
};
use super::syndication::{self, Syndication};
use super::{ParseContext, ParseError};
use crate::extract::text::{html_to_text, one_line};
use crate::extract::time::{infer_year, local_to_utc, month_number, parse_feed_date, zone_offset};
use crate::model::{Format, Incident, Severity, Status, Update};

/// Entries read per document; status feeds carry tens, so more is a hostile or broken feed.
const MAX_ENTRIES: usize = 2000;

/// One feed as the status parsers need it.
#[derive(Debug, Clone)]
pub(crate) struct FeedDocument {
    pub title: Option<String>,
    pub entries: Vec<FeedEntry>,
}

/// One entry, with its text already plain and its link already checked.
#[derive(Debug, Clone)]
pub(crate) struct FeedEntry {
    /// The entry's own `<id>`/`<guid>`; `None` when the feed gave none.
    pub guid: Option<String>,
    /// Absolute http(s) link to the incident, if any.
    pub link: Option<String>,
    /// Plain-text title.
    pub title: String,
    /// The content (or summary) as the feed carried it, HTML included.
    pub html: String,
    /// The content as plain text.
    pub text: String,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
}

impl FeedEntry {
    /// The entry's time of record: publication, else last update.
    pub(crate) fn reference_time(&self) -> Option<DateTime<Utc>> {
        self.published.or(self.updated)
    }
}

/// Reads an RSS or Atom document (see [`super::syndication`]), keeping only what status
/// parsing uses.
pub(crate) fn read(
    bytes: &[u8],
    ctx: &ParseContext,
    format: Format,
) -> Result<FeedDocument, ParseError> {
    let feed = syndication::read(bytes, ctx.url.as_deref(), feed_timestamp).map_err(|e| {
        ParseError::Feed {
            format,
            message: e.to_string(),
        }
    })?;
    Ok(document(feed, ctx, format))
}

/// The status parsers' view of a read document: plain text, checked links, at most
/// [`MAX_ENTRIES`] entries.
pub(crate) fn document(feed: Syndication, ctx: &ParseContext, format: Format) -> FeedDocument {
    if feed.entries.len() > MAX_ENTRIES {
        tracing::warn!(%format, entries = feed.entries.len(), kept = MAX_ENTRIES, "feed truncated");
    }
    let title = feed
        .title
        .map(|t| html_to_text(&t))
        .filter(|t| !t.is_empty());
    let base = ctx.url.as_deref();
    let entries = feed
        .entries
        .into_iter()
        .take(MAX_ENTRIES)
        .map(|e| {
            let link = e.find_link(|href| safe_url(href, base));
            let html = e.content.or(e.summary).unwrap_or_default();
            FeedEntry {
                guid: Some(e.id.trim().to_string()).filter(|id| !id.is_empty()),
                link,
                title: e
                    .title
                    .map(|t| one_line(&html_to_text(&t)))
                    .unwrap_or_default(),
                text: html_to_text(&html),
                html,
                published: e.published,
                updated: e.updated,
            }
        })
        .collect();
    FeedDocument { title, entries }
}

/// Every date string of a generic feed: RFC 3339 and RFC 2822 with named zones through the
/// shared reader, plus ISO forms with a compact offset ("2024-01-05T10:00:00+0000").
pub(crate) fn feed_timestamp(s: &str) -> Option<DateTime<Utc>> {
    parse_feed_date(s).or_else(|| {
        DateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M:%S%.f%z")
            .ok()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// The link of the first entry in a feed's opening bytes (`<link>url</link>` in RSS,
/// `<link href="url"/>` in Atom), for sniffers: an entry's own link says which site the feed
/// speaks for, where a link anywhere in the text could be a press story citing a status page.
pub(crate) fn first_entry_link(head: &str) -> Option<&str> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let re = RE
        .get_or_init(|| {
            Regex::new(
                r#"(?is)<(?:item|entry)[\s>].*?<link(?:\s[^>]*?href\s*=\s*["']([^"']+)["'][^>]*|\s*)>\s*([^<\s]*)"#,
            )
            .ok()
        })
        .as_ref()?;
    let caps = re.captures(head)?;
    caps.get(1)
        .or_else(|| caps.get(2))
        .map(|m| m.as_str())
        .filter(|s| !s.is_empty())
}

/// The native id of an entry: guid, else link, else a hash of what identifies it in the text.
pub(crate) fn native_id(entry: &FeedEntry) -> String {
    if let Some(guid) = &entry.guid {
        return guid.clone();
    }
    if let Some(link) = &entry.link {
        return link.clone();
    }
    let (_, title) = leading_label(&entry.title);
    let when = entry
        .reference_time()
        .map(crate::model::rfc3339)
        .unwrap_or_default();
    let digest = Sha256::digest(format!("{title}\n{when}").as_bytes());
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("sha256-{hex}")
}

/// A status label found in text: the normalised state and the vendor's word, lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StatusWord {
    pub status: Status,
    pub label: String,
}

fn status_word(label: &str) -> Option<StatusWord> {
    let status = Status::from_label(label)?;
    Some(StatusWord {
        status,
        label: one_line(label).to_ascii_lowercase(),
    })
}

const STATUS_WORDS: &str = r"resolved|investigating|monitoring|identified|completed|scheduled|in[ _-]progress|postmortem|verifying";

/// A title's leading label (`"[Resolved] Database issues"`, "Resolved: Database issues",
/// "Investigating - Login errors"), and the title without it.
pub(crate) fn leading_label(title: &str) -> (Option<StatusWord>, String) {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(&format!(
            r"(?i)^\s*(?:\[\s*({STATUS_WORDS})\s*\]|\(\s*({STATUS_WORDS})\s*\)|({STATUS_WORDS})\s*(?::|\s-|\s–))\s*"
        ))
        .ok()
    });
    let Some(caps) = re.as_ref().and_then(|re| re.captures(title)) else {
        return (None, title.trim().to_string());
    };
    let word = (1..=3).find_map(|i| caps.get(i)).map(|m| m.as_str());
    let rest = caps.get(0).map_or(title, |m| &title[m.end()..]).trim();
    if rest.is_empty() {
        return (word.and_then(status_word), title.trim().to_string());
    }
    (word.and_then(status_word), rest.to_string())
}

// Word boundaries in this module's text patterns are ASCII (`(?-u:\b)`): the words and times
// they match are ASCII, and a Unicode `\b` keeps the regex engine off its DFA, which made these
// scans the bulk of parsing a feed with long entries.

/// The status a text states: an explicit "Status: X" first, else the first status word (status
/// feeds put the newest update first, so the first word is the current state).
pub(crate) fn status_in_text(text: &str) -> Option<StatusWord> {
    static RE: OnceLock<Option<(Regex, Regex)>> = OnceLock::new();
    let (explicit, any) = RE
        .get_or_init(|| {
            let explicit = Regex::new(&format!(
                r"(?i)(?-u:\b)status\s*:\s*({STATUS_WORDS})(?-u:\b)"
            ))
            .ok()?;
            let any = Regex::new(&format!(r"(?i)(?-u:\b)({STATUS_WORDS})(?-u:\b)")).ok()?;
            Some((explicit, any))
        })
        .as_ref()?;
    explicit
        .captures(text)
        .or_else(|| any.captures(text))
        .and_then(|c| c.get(1))
        .and_then(|m| status_word(m.as_str()))
}

/// A severity the text states in words, with the phrase kept as the native value. Outage words
/// win; maintenance counts only as "scheduled/planned maintenance" or "maintenance window",
/// since a bare "maintenance" also appears in incident prose ("caused by a maintenance").
pub(crate) fn severity_in_text(text: &str) -> Option<(Severity, String)> {
    static RE: OnceLock<Option<(Regex, Regex)>> = OnceLock::new();
    let (outage, maintenance) = RE
        .get_or_init(|| {
            let outage = Regex::new(
                r"(?i)(?-u:\b)(?:(?:major|full|complete|total)\s+(?:service\s+)?outage|partial\s+(?:service\s+)?(?:outage|disruption)|degraded\s+performance|performance\s+degradation)(?-u:\b)",
            )
            .ok()?;
            let maintenance = Regex::new(
                r"(?i)(?-u:\b)(?:(?:scheduled|planned)\s+maintenance|maintenance\s+window)(?-u:\b)",
            )
            .ok()?;
            Some((outage, maintenance))
        })
        .as_ref()?;
    let mut best: Option<(Severity, String)> = None;
    for m in outage.find_iter(text) {
        let phrase = one_line(m.as_str()).to_ascii_lowercase();
        let Some(sev) = impact_severity(&phrase.replace("service ", "")) else {
            continue;
        };
        if best
            .as_ref()
            .is_none_or(|(b, _)| severity_rank(sev) > severity_rank(*b))
        {
            best = Some((sev, phrase));
        }
    }
    best.or_else(|| {
        maintenance.find(text).map(|m| {
            (
                Severity::Maintenance,
                one_line(m.as_str()).to_ascii_lowercase(),
            )
        })
    })
}

/// Times the prose states with a date and a zone, in text order. Year-less dates are placed with
/// `reference` (the entry's publication), as Statuspage update lines are; times without a zone
/// are skipped, since their offset would be a guess.
pub(crate) fn stated_times(text: &str, reference: Option<DateTime<Utc>>) -> Vec<DateTime<Utc>> {
    if !has_clock(text) {
        return Vec::new();
    }
    scan_stated_times(text, reference)
}

/// [`stated_times`] without the clock pre-check: the six pattern scans.
fn scan_stated_times(text: &str, reference: Option<DateTime<Utc>>) -> Vec<DateTime<Utc>> {
    static RE: OnceLock<Option<Vec<Regex>>> = OnceLock::new();
    const MONTH: &str = r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";
    const ZONE: &str = r"(?:(?:UTC|GMT)?[+-]\d{1,2}(?::?\d{2})?|UTC|GMT|Z|[A-Z]{2,5}T|[A-Z]{3})";
    const CLOCK: &str = r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*((?i:am|pm))?";
    let Some(res) = RE
        .get_or_init(|| {
            let patterns = [
                // 0: a range on one date: "14:02 UTC and 15:30 UTC on March 3, 2024",
                //    "14:02 - 15:30 UTC on 3 March 2024"
                format!(
                    r"(?-u:\b){CLOCK}\s*(?:({ZONE})\s*)?(?:-|–|to|and|until)\s*{CLOCK}\s*({ZONE})\s+on\s+(?:[A-Za-z]+day,?\s+)?(?:({MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?|(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH}))(?:,?\s+(\d{{4}}))?"
                ),
                // 1: a range after its date: "On September 26, 2025 between 16:22 UTC and
                //    18:32 UTC", "3 March 2024 from 14:02 to 15:30 CET"
                format!(
                    r"(?:(?-u:\b)({MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?|(?-u:\b)(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH}))(?:,?\s+(\d{{4}}))?,?\s+(?:between|from)\s+{CLOCK}\s*(?:({ZONE})\s*)?(?:-|–|to|and|until)\s*{CLOCK}\s*({ZONE})"
                ),
                // 2: ISO 8601 with a zone: "2024-03-03T14:02:00Z", "2024-03-03 14:02 UTC"
                format!(
                    r"(?-u:\b)(\d{{4}})-(\d{{2}})-(\d{{2}})[T ](\d{{2}}):(\d{{2}})(?::(\d{{2}})(?:\.\d+)?)?\s*({ZONE})(?-u:\b)"
                ),
                // 3: "March 3, 2024 at 14:02 UTC", "Mar 3, 14:02 PST"
                format!(
                    r"(?-u:\b)({MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?,?\s+(?:at\s+)?{CLOCK}\s*\(?({ZONE})\)?"
                ),
                // 4: "3 March 2024 14:02 UTC", "3 March 2024, 14:02 UTC"
                format!(
                    r"(?-u:\b)(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH})\s+(\d{{4}}),?\s+(?:at\s+)?{CLOCK}\s*\(?({ZONE})\)?"
                ),
                // 5: "14:02 UTC on March 3, 2024", "12:33 UTC on September 24"
                format!(
                    r"(?-u:\b){CLOCK}\s*({ZONE})\s+on\s+(?:[A-Za-z]+day,?\s+)?(?:({MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?|(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH}))(?:,?\s+(\d{{4}}))?"
                ),
            ];
            patterns
                .iter()
                .map(|p| Regex::new(p).ok())
                .collect::<Option<Vec<_>>>()
        })
        .as_ref()
    else {
        return Vec::new();
    };
    // (position, time): earlier patterns claim their span first so a range is not read twice.
    let mut found: Vec<(usize, DateTime<Utc>)> = Vec::new();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    for (kind, re) in res.iter().enumerate() {
        for caps in re.captures_iter(text) {
            let Some(m) = caps.get(0) else { continue };
            if taken.iter().any(|&(s, e)| m.start() < e && s < m.end()) {
                continue;
            }
            let times = match kind {
                0 => range_times(&caps, RANGE_DATE_AFTER, reference),
                1 => range_times(&caps, RANGE_DATE_BEFORE, reference),
                2 => iso_time(&caps).into_iter().collect(),
                3 => month_first_time(&caps, reference).into_iter().collect(),
                4 => day_first_time(&caps).into_iter().collect(),
                _ => clock_on_date_time(&caps, reference).into_iter().collect(),
            };
            if times.is_empty() {
                continue;
            }
            taken.push((m.start(), m.end()));
            found.extend(times.into_iter().map(|t| (m.start(), t)));
        }
    }
    found.sort_by_key(|&(pos, _)| pos);
    found.into_iter().map(|(_, t)| t).collect()
}

/// Whether the text holds a digit, a colon and a digit: every pattern of [`stated_times`] needs
/// a clock, and most entries (blog posts in generic feeds above all) state none, so one byte scan
/// spares them six regex passes. `\d` in the patterns is Unicode, hence `is_numeric`, a superset.
fn has_clock(text: &str) -> bool {
    text.match_indices(':').any(|(i, _)| {
        let before = text.get(..i).and_then(|b| b.chars().next_back());
        let after = text.get(i + 1..).and_then(|a| a.chars().next());
        before.is_some_and(char::is_numeric) && after.is_some_and(char::is_numeric)
    })
}

fn cap<'a>(caps: &'a Captures, i: usize) -> Option<&'a str> {
    caps.get(i).map(|m| m.as_str())
}

fn num(caps: &Captures, i: usize) -> Option<u32> {
    cap(caps, i)?.parse().ok()
}

/// A clock time from hour, minute, optional second and optional am/pm captures.
fn clock(caps: &Captures, first: usize) -> Option<NaiveTime> {
    let mut hour = num(caps, first)?;
    let minute = num(caps, first + 1)?;
    let second = num(caps, first + 2).unwrap_or(0);
    if let Some(ampm) = cap(caps, first + 3) {
        if hour == 0 || hour > 12 {
            return None;
        }
        let pm = ampm.eq_ignore_ascii_case("pm");
        hour = match (hour, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    }
    NaiveTime::from_hms_opt(hour, minute, second)
}

/// A calendar instant from its parts; a missing year is inferred from the reference.
fn instant(
    year: Option<i32>,
    month: u32,
    day: u32,
    time: NaiveTime,
    zone: &str,
    reference: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let offset = zone_offset(zone)?;
    match year {
        Some(y) => local_to_utc(
            NaiveDate::from_ymd_opt(y, month, day)?.and_time(time),
            offset,
        ),
        None => infer_year(month, day, time, offset, reference?),
    }
}

/// Where the parts of a range sit among a pattern's capture groups.
struct RangeGroups {
    first_clock: usize,
    first_zone: usize,
    second_clock: usize,
    second_zone: usize,
    month_day: (usize, usize),
    day_month: (usize, usize),
    year: usize,
}

/// "14:02 UTC and 15:30 UTC on March 3, 2024".
const RANGE_DATE_AFTER: RangeGroups = RangeGroups {
    first_clock: 1,
    first_zone: 5,
    second_clock: 6,
    second_zone: 10,
    month_day: (11, 12),
    day_month: (13, 14),
    year: 15,
};

/// "March 3, 2024 between 14:02 UTC and 15:30 UTC".
const RANGE_DATE_BEFORE: RangeGroups = RangeGroups {
    first_clock: 6,
    first_zone: 10,
    second_clock: 11,
    second_zone: 15,
    month_day: (1, 2),
    day_month: (3, 4),
    year: 5,
};

fn range_times(
    caps: &Captures,
    g: RangeGroups,
    reference: Option<DateTime<Utc>>,
) -> Vec<DateTime<Utc>> {
    let md = (cap(caps, g.month_day.0), num(caps, g.month_day.1));
    let dm = (num(caps, g.day_month.0), cap(caps, g.day_month.1));
    let (month, day) = match (md, dm) {
        ((Some(m), Some(d)), _) | (_, (Some(d), Some(m))) => match month_number(m) {
            Some(m) => (m, d),
            None => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    let year = cap(caps, g.year).and_then(|y| y.parse().ok());
    let Some(zone2) = cap(caps, g.second_zone) else {
        return Vec::new();
    };
    let zone1 = cap(caps, g.first_zone).unwrap_or(zone2);
    let first =
        clock(caps, g.first_clock).and_then(|t| instant(year, month, day, t, zone1, reference));
    let second =
        clock(caps, g.second_clock).and_then(|t| instant(year, month, day, t, zone2, reference));
    match (first, second) {
        // "23:10 and 01:20 UTC on March 3": the second clock is past midnight.
        (Some(a), Some(b)) if b < a => vec![a, b + chrono::Duration::days(1)],
        (Some(a), Some(b)) => vec![a, b],
        _ => Vec::new(),
    }
}

fn iso_time(caps: &Captures) -> Option<DateTime<Utc>> {
    let date = NaiveDate::from_ymd_opt(cap(caps, 1)?.parse().ok()?, num(caps, 2)?, num(caps, 3)?)?;
    let time = NaiveTime::from_hms_opt(num(caps, 4)?, num(caps, 5)?, num(caps, 6).unwrap_or(0))?;
    local_to_utc(date.and_time(time), zone_offset(cap(caps, 7)?)?)
}

fn month_first_time(caps: &Captures, reference: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    let month = month_number(cap(caps, 1)?)?;
    let year = cap(caps, 3).and_then(|y| y.parse().ok());
    instant(
        year,
        month,
        num(caps, 2)?,
        clock(caps, 4)?,
        cap(caps, 8)?,
        reference,
    )
}

fn day_first_time(caps: &Captures) -> Option<DateTime<Utc>> {
    let month = month_number(cap(caps, 2)?)?;
    let year = cap(caps, 3)?.parse().ok();
    instant(
        year,
        month,
        num(caps, 1)?,
        clock(caps, 4)?,
        cap(caps, 8)?,
        None,
    )
}

fn clock_on_date_time(caps: &Captures, reference: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    let (month, day) = match (cap(caps, 6), num(caps, 7), num(caps, 8), cap(caps, 9)) {
        (Some(m), Some(d), _, _) | (_, _, Some(d), Some(m)) => (month_number(m)?, d),
        _ => return None,
    };
    let year = cap(caps, 10).and_then(|y| y.parse().ok());
    instant(year, month, day, clock(caps, 1)?, cap(caps, 5)?, reference)
}

/// The time range of an entry. Times stated in the text win: the earliest is the start, and the
/// latest is the end once the entry is closed. Otherwise the entry's publication is the start and,
/// for a closed entry, its last update the end.
pub(crate) fn entry_range(
    entry: &FeedEntry,
    status: Status,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let stated = stated_times(&entry.text, entry.reference_time());
    let closed = status.is_closed();
    let (start, end) = match (stated.iter().min(), stated.iter().max()) {
        (Some(&first), Some(&last)) if first != last => (Some(first), closed.then_some(last)),
        (Some(&first), _) => (
            Some(first),
            closed.then(|| entry.updated.or(entry.published)).flatten(),
        ),
        _ => (
            entry.reference_time(),
            closed.then(|| entry.updated.or(entry.published)).flatten(),
        ),
    };
    (start, checked_end(start, end))
}

/// The generic reading of one entry (see the module docs); vendor-specific parsers refine it.
pub(crate) fn entry_incident(entry: &FeedEntry, vendor: &str, ctx: &ParseContext) -> Incident {
    let (label, title) = leading_label(&entry.title);
    let word = label
        .or_else(|| status_in_text(&title))
        .or_else(|| status_in_text(&entry.text));
    let status = word.as_ref().map_or(Status::Unknown, |w| w.status);
    let mut incident = new_incident(vendor, &native_id(entry), &title);
    let (start, end) = entry_range(entry, status);
    incident.start = start;
    incident.end = end;
    incident.status = status;
    let stated = severity_in_text(&format!("{title}\n{}", entry.text)).or_else(|| {
        // A title naming a maintenance is one, even without "scheduled".
        title_says_maintenance(&title).then(|| (Severity::Maintenance, "maintenance".to_string()))
    });
    if let Some((severity, native)) = stated {
        incident.severity = severity;
        incident.severity_native = Some(native);
    }
    incident.updates.push(Update {
        at: entry.updated.or(entry.published),
        status: word.map_or_else(|| "update".to_string(), |w| w.label),
        text: entry.text.clone(),
    });
    incident.sources.push(status_source(
        entry.link.clone(),
        ctx,
        &format!("{}: {}", entry.title, quoted_part(&entry.text)),
    ));
    incident
}

/// The part of an entry's clean text a quote can reach: the quote keeps [`QUOTE_CHARS`]
/// characters (plus one to tell whether it cut), and clean text maps character for character
/// onto the quote, so copying the rest of a long entry would be wasted.
fn quoted_part(text: &str) -> &str {
    text.char_indices()
        .nth(QUOTE_CHARS + 2)
        .and_then(|(cut, _)| text.get(..cut))
        .unwrap_or(text)
}

/// The site a feed without a usable title speaks for: the host of the document's URL, else of
/// its first entry's link, without a leading `www.`. A host is what the feed itself says about
/// where it comes from, so the incidents stay traceable to it.
fn site_name(doc: &FeedDocument, ctx: &ParseContext) -> Option<String> {
    ctx.url
        .as_deref()
        .into_iter()
        .chain(doc.entries.iter().filter_map(|e| e.link.as_deref()).take(1))
        .find_map(|link| {
            let url = url::Url::parse(link).ok()?;
            let host = url.host_str()?;
            let host = host.strip_prefix("www.").unwrap_or(host);
            (!host.is_empty()).then(|| host.to_string())
        })
}

fn title_says_maintenance(title: &str) -> bool {
    title
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w.eq_ignore_ascii_case("maintenance"))
}

/// Parses any RSS or Atom status feed, one incident per entry.
pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    incidents(&read(bytes, ctx, Format::Feed)?, ctx)
}

/// The incidents of a read feed, one per entry with a title or content.
pub(crate) fn incidents(
    doc: &FeedDocument,
    ctx: &ParseContext,
) -> Result<Vec<Incident>, ParseError> {
    let vendor = match vendor_name(ctx, doc.title.as_deref(), None, Format::Feed) {
        Ok(vendor) => vendor,
        Err(untitled) => site_name(doc, ctx).ok_or(untitled)?,
    };
    let mut out = Vec::with_capacity(doc.entries.len());
    for entry in &doc.entries {
        if entry.title.is_empty() && entry.text.is_empty() {
            tracing::warn!(
                vendor,
                "skipping a feed entry with neither title nor content"
            );
            continue;
        }
        out.push(entry_incident(entry, &vendor, ctx));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .expect("test time")
    }

    #[test]
    fn bracketed_and_colon_labels_are_stripped_from_titles() {
        let (w, t) = leading_label("[Resolved] Database Connection Issues");
        assert_eq!(w.map(|w| w.status), Some(Status::Resolved));
        assert_eq!(t, "Database Connection Issues");
        let (w, t) = leading_label("Investigating: Login errors");
        assert_eq!(w.map(|w| w.label), Some("investigating".to_string()));
        assert_eq!(t, "Login errors");
        let (w, t) = leading_label("Investigating login errors");
        assert_eq!(w, None);
        assert_eq!(t, "Investigating login errors");
    }

    #[test]
    fn explicit_status_line_beats_first_word() {
        let w = status_in_text("We were investigating.\nStatus: Resolved").map(|w| w.status);
        assert_eq!(w, Some(Status::Resolved));
        let w = status_in_text("Monitoring - A fix was deployed. Investigating - errors")
            .map(|w| w.status);
        assert_eq!(w, Some(Status::Monitoring));
        assert_eq!(status_in_text("All good"), None);
    }

    #[test]
    fn severity_words_pick_the_worst_outage() {
        assert_eq!(
            severity_in_text("Degraded performance, then a major outage of the API"),
            Some((Severity::Critical, "major outage".to_string()))
        );
        assert_eq!(
            severity_in_text("Partial outage caused by maintenance"),
            Some((Severity::Major, "partial outage".to_string()))
        );
        assert_eq!(
            severity_in_text("Scheduled maintenance of the database"),
            Some((Severity::Maintenance, "scheduled maintenance".to_string()))
        );
        assert_eq!(severity_in_text("Slow logins"), None);
        assert_eq!(
            severity_in_text("We did emergency maintenance to fix it"),
            None
        );
        assert!(title_says_maintenance("Database maintenance"));
    }

    #[test]
    fn stated_range_on_one_date() {
        let got = stated_times(
            "On March 3, 2024 between 14:02 UTC and 15:30 UTC users saw errors.",
            None,
        );
        assert_eq!(
            got,
            vec![utc("2024-03-03T14:02:00Z"), utc("2024-03-03T15:30:00Z")]
        );
    }

    #[test]
    fn stated_times_in_every_supported_spelling() {
        assert_eq!(
            stated_times(
                "Start: 2024-03-03T14:02:00Z End: 2024-03-03 16:00 UTC",
                None
            ),
            vec![utc("2024-03-03T14:02:00Z"), utc("2024-03-03T16:00:00Z")]
        );
        assert_eq!(
            stated_times("Began March 3, 2024 at 2:02 PM PST.", None),
            vec![utc("2024-03-03T22:02:00Z")]
        );
        assert_eq!(
            stated_times("Began 3 March 2024, 14:02 CET.", None),
            vec![utc("2024-03-03T13:02:00Z")]
        );
        assert_eq!(
            stated_times(
                "As of 12:33 UTC on September 24, customers recovered.",
                Some(utc("2024-09-24T14:32:56Z"))
            ),
            vec![utc("2024-09-24T12:33:00Z")]
        );
    }

    #[test]
    fn zoneless_and_impossible_times_are_not_read() {
        assert!(stated_times("At 2024-03-03 14:02 we deployed.", None).is_empty());
        assert!(stated_times("Feb 30, 2024 at 10:00 UTC", None).is_empty());
        assert!(stated_times("at 25:61 UTC on March 3, 2024", None).is_empty());
        // A year-less date needs a reference to be placed.
        assert!(stated_times("12:33 UTC on September 24", None).is_empty());
    }

    #[test]
    fn range_past_midnight_ends_next_day() {
        assert_eq!(
            stated_times("from 23:10 to 01:20 UTC on 3 March 2024", None),
            vec![utc("2024-03-03T23:10:00Z"), utc("2024-03-04T01:20:00Z")]
        );
    }

    #[test]
    fn clock_check_sees_ascii_and_unicode_digit_clocks_only() {
        assert!(has_clock("from 14:02 UTC"));
        assert!(has_clock("1:05"));
        assert!(has_clock("\u{661}\u{664}:\u{660}\u{662}"));
        assert!(!has_clock("Status: resolved at noon"));
        assert!(!has_clock("ratio 3: 1, or 3 :1, or :12"));
        assert!(!has_clock(""));
    }

    /// Every feed entry of the corpus and of the benchmark's real feeds: the clock pre-check
    /// never hides a time the six patterns would have read.
    #[test]
    fn clock_check_changes_no_stated_time_on_the_corpus_feeds() {
        let Some(files) = crate::test_support::shared_files(&["corpus", "bench/feeds"]) else {
            return;
        };
        let (mut entries, mut with_times) = (0, 0);
        for path in files {
            let bytes = std::fs::read(&path).expect("corpus file");
            let Ok(doc) = read(&bytes, &ParseContext::default(), Format::Feed) else {
                continue;
            };
            for entry in &doc.entries {
                let reference = entry.reference_time();
                let scanned = scan_stated_times(&entry.text, reference);
                assert_eq!(
                    stated_times(&entry.text, reference),
                    scanned,
                    "{}",
                    path.display()
                );
                entries += 1;
                with_times += usize::from(!scanned.is_empty());
            }
        }
        assert!(entries > 6000 && with_times > 30, "{entries} {with_times}");
    }

    #[test]
    fn first_entry_link_in_rss_and_atom() {
        let rss = "<rss><channel><link>https://news.example</link><item><title>x</title><link>https://a.example/1</link></item></channel></rss>";
        assert_eq!(first_entry_link(rss), Some("https://a.example/1"));
        let atom = r#"<feed><link href="https://news.example"/><entry><id>1</id><link rel="alternate" href="https://b.example/2"/></entry></feed>"#;
        assert_eq!(first_entry_link(atom), Some("https://b.example/2"));
        assert_eq!(first_entry_link("<rss><channel></channel></rss>"), None);
    }

    #[test]
    fn hashed_id_ignores_the_status_label() {
        let entry = |title: &str| FeedEntry {
            guid: None,
            link: None,
            title: title.into(),
            html: String::new(),
            text: String::new(),
            published: Some(utc("2024-03-03T14:02:00Z")),
            updated: None,
        };
        let a = native_id(&entry("[Investigating] API errors"));
        let b = native_id(&entry("[Resolved] API errors"));
        assert_eq!(a, b);
        assert!(a.starts_with("sha256-"));
        assert_ne!(a, native_id(&entry("[Resolved] Other errors")));
    }
}
