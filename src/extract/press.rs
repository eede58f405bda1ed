//! Outage facts out of a press report or a post-mortem, each with the sentence it came from.
//!
//! A report reads "Salesforce.com reportedly suffered its second outage yesterday in as many
//! weeks … customers in Europe, Asia Pacific and North America were affected for several
//! hours"; a vendor's post-mortem reads "At 10:25 PM PDT on June 4th, we lost power to …".
//! [`extract`] decides whether the text reports an outage ([`super::classify`]), then picks the
//! main vendor (title first, then lead), the onset and end ([`super::dates`]), the length
//! ([`super::duration`]), regions, products ([`super::services`]), the impact sentence and the
//! cause phrase with its [`CauseCategory`]. Sentences that recall an older event ("a similar
//! outage in 2017") are not read for dates or lengths, so an article reporting several outages
//! yields the main one.
//!
//! Severity for press reports, from the words used (the word is kept as the native severity):
//! `critical` for "global", "worldwide", "all customers" or two or more continents; `minor` for
//! "some users", "degraded", "intermittent", "partial"; `major` for "outage", "down", "offline"
//! with broad impact ("millions", "widespread", "major") or a length of an hour or more; else
//! `unknown`; `maintenance` when the title announces planned maintenance.
//!
//! Status for press reports: `resolved` when the text says service was restored, resolved,
//! recovered or back online (or gives how long it lasted); `investigating` when it says the
//! outage is ongoing; else `unknown`.
//!
//! [`evaluate`] scores the extractor against labelled items, field by field.

use std::fmt;
use std::sync::LazyLock;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::cause;
use super::classify::{Classification, VendorEvidence, classify, contains_phrase};
use super::dates::{Anchor, Precision, find_dates, find_window, mentions_other_year, regex};
use super::duration::find_durations;
use super::region;
use super::services::{Catalog, find_services, same_service};
use super::text::{one_line, sentences, truncate_chars};
use super::vendor::Gazetteer;
use super::window;
use crate::model::{Severity, Status};

/// Sentences read per document; news and post-mortems state their facts early.
const MAX_SENTENCES: usize = 400;
/// Sentences from the top searched for regions and products.
const FACT_SENTENCES: usize = 25;

/// What the extractor reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct PressInput<'a> {
    pub title: &'a str,
    /// Main text, paragraphs on separate lines.
    pub text: &'a str,
    pub published: Option<DateTime<Utc>>,
    /// Vendor known from elsewhere (the source's own vendor for post-mortem feeds); wins.
    pub vendor_hint: Option<&'a str>,
    /// The site that published the text (`og:site_name`): the vendor of a first-person
    /// post-mortem ("we", "our") when the gazetteer knows it.
    pub publisher: Option<&'a str>,
    /// The page's own address; its host names the publisher when the site name does not.
    pub url: Option<&'a str>,
}

/// A value and the sentence it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact<T> {
    pub value: T,
    pub quote: String,
}

/// The onset, with how much of it the text gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateFact {
    pub at: DateTime<Utc>,
    pub precision: Precision,
    pub quote: String,
}

/// The normalised severity, the word that decided it and its sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeverityJudgement {
    pub value: Severity,
    pub cue: Option<String>,
    pub quote: Option<String>,
}

/// Kind of root cause, for comparing outages across vendors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CauseCategory {
    DeployChange,
    Configuration,
    HardwarePower,
    NetworkDnsBgp,
    Capacity,
    DependencyUpstream,
    SecurityAttack,
    Bug,
    Unknown,
}

impl CauseCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            CauseCategory::DeployChange => "deploy_change",
            CauseCategory::Configuration => "configuration",
            CauseCategory::HardwarePower => "hardware_power",
            CauseCategory::NetworkDnsBgp => "network_dns_bgp",
            CauseCategory::Capacity => "capacity",
            CauseCategory::DependencyUpstream => "dependency_upstream",
            CauseCategory::SecurityAttack => "security_attack",
            CauseCategory::Bug => "bug",
            CauseCategory::Unknown => "unknown",
        }
    }
}

impl fmt::Display for CauseCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything the extractor found, each fact with its sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct PressReport {
    pub title: String,
    /// The first sentence of the body (the title when there is no body).
    pub lead: String,
    pub classification: Classification,
    pub vendor: Fact<String>,
    pub start: Option<DateFact>,
    pub end: Option<Fact<DateTime<Utc>>>,
    pub duration_minutes: Option<Fact<i64>>,
    pub regions: Vec<Fact<String>>,
    pub services: Vec<Fact<String>>,
    pub impact: Option<Fact<String>>,
    /// The cause as written ("a software patch affecting the cache server").
    pub cause: Option<Fact<String>>,
    pub cause_category: CauseCategory,
    pub severity: SeverityJudgement,
    pub status: Status,
}

/// One sentence of the document with what the extractor needs to know about it.
#[derive(Debug, Clone)]
struct Sentence<'a> {
    text: &'a str,
    /// Index in the document; the title is 0 when present.
    index: usize,
    is_title: bool,
    /// The heading this sentence sits under ("root cause", "duration", "impact"), lowercased.
    section: String,
    /// Recalls another, older event: not read for dates and lengths.
    recalls_other: bool,
}

/// The outage a text reports, or `None` when it reports none (or names no vendor).
pub fn extract(input: &PressInput) -> Option<PressReport> {
    let sents = split(input);
    let body: Vec<&Sentence> = sents.iter().filter(|s| !s.is_title).collect();
    let lead = body
        .first()
        .map(|s| s.text.to_string())
        .unwrap_or_else(|| input.title.to_string());
    let lead_text: String = body
        .iter()
        .take(3)
        .map(|s| s.text)
        .collect::<Vec<_>>()
        .join(" ");
    // Headings stay in: "Root Cause" and "Impact" are evidence of a post-mortem.
    let body_text = head_chars(input.text, 20_000);
    let (vendor, vendor_evidence) = settle_vendor(input, &sents);
    let classification = classify(
        input.title,
        &lead_text,
        body_text,
        vendor_evidence,
        categorise_cause(&lead_text) != CauseCategory::Unknown,
        states_window(&sents, input.published),
    );
    if !classification.is_outage {
        return None;
    }
    let vendor = vendor?;
    let title = if input.title.trim().is_empty() {
        truncate_chars(&one_line(&lead), 120)
    } else {
        one_line(input.title)
    };
    let timing = timing(&sents, input.published);
    let regions = regions(&sents, cloud_of(&vendor.value));
    let services = services(&sents);
    let impact = sents
        .iter()
        .filter(|s| !s.recalls_other)
        .find(|s| IMPACT_RE.is_match(s.text) || s.section.contains("impact"))
        .map(|s| Fact {
            value: s.text.to_string(),
            quote: s.text.to_string(),
        });
    let cause = cause(&sents);
    // The phrase decides; when it names no category ("severe weather in the area"), its
    // sentence does ("a loss of power ... as a result of severe weather").
    let cause_category =
        cause.as_ref().map_or(CauseCategory::Unknown, |c| {
            match categorise_cause(&c.value) {
                CauseCategory::Unknown => categorise_cause(&c.quote),
                known => known,
            }
        });
    let severity = severity(
        input.title,
        &sents,
        &regions,
        timing.duration.as_ref().map(|d| d.value),
    );
    let status = status(&sents);
    Some(PressReport {
        title,
        lead,
        classification,
        vendor,
        start: timing.start,
        end: timing.end,
        duration_minutes: timing.duration,
        regions,
        services,
        impact,
        cause,
        cause_category,
        severity,
        status,
    })
}

/// True when the top of the body states an impact window or onset in prose ("Between 16:15
/// UTC and 22:20 UTC on 21 Nov 2016", "Starting at 21:56 UTC on 18 July 2024").
fn states_window(sents: &[Sentence], published: Option<DateTime<Utc>>) -> bool {
    let reference = published.map(|p| p.date_naive());
    sents
        .iter()
        .filter(|s| !s.is_title && !s.recalls_other)
        .take(FACT_SENTENCES)
        .any(|s| {
            window::impact_window(s.text, reference).is_some()
                || window::onset(s.text, reference).is_some()
        })
}

/// The first `max` characters, cut on a char boundary.
fn head_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

fn split<'a>(input: &PressInput<'a>) -> Vec<Sentence<'a>> {
    let mut out = Vec::new();
    let title = input.title.trim();
    if !title.is_empty() {
        out.push(Sentence {
            text: title,
            index: 0,
            is_title: true,
            section: String::new(),
            recalls_other: false,
        });
    }
    let mut section = String::new();
    for text in sentences(input.text).into_iter().take(MAX_SENTENCES) {
        let trimmed = text.trim_start_matches(['#', '-', '*', ' ', '>']).trim();
        if trimmed.is_empty() {
            continue;
        }
        if is_heading(text) {
            section = trimmed.trim_end_matches(':').to_lowercase();
            continue;
        }
        let recalls_other = recalls_other_event(trimmed, input.published);
        out.push(Sentence {
            text: trimmed,
            index: out.len(),
            is_title: false,
            section: section.clone(),
            recalls_other,
        });
    }
    out
}

/// Markdown headings and short "Label:" lines in post-mortems.
fn is_heading(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('#')
        || (t.ends_with(':') && t.split_whitespace().count() <= 4)
        || matches!(
            t.to_lowercase().as_str(),
            "root cause"
                | "impact"
                | "duration"
                | "summary"
                | "timeline"
                | "sources"
                | "status page"
        )
}

static RECALL_RE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:last year|previous(?:ly)?|earlier outage|similar outage|a similar|the last time|in the past|history of|years? ago|months ago|back in|prior outage|another outage)\b",
    )
});

fn recalls_other_event(sentence: &str, published: Option<DateTime<Utc>>) -> bool {
    RECALL_RE.is_match(sentence) || mentions_other_year(sentence, published)
}

/// Each sentence counts a vendor once: 3 in the title (5 for the title's first vendor), 2 in the
/// first two body sentences, 1 further down; ties go to the earliest mention.
fn main_vendor(input: &PressInput, sents: &[Sentence]) -> Option<Fact<String>> {
    if let Some(hint) = input.vendor_hint.filter(|h| !h.trim().is_empty()) {
        let value = Gazetteer::builtin()
            .canonical(hint)
            .map_or_else(|| hint.trim().to_string(), str::to_string);
        let quote = sents
            .iter()
            .find(|s| s.text.contains(hint))
            .or_else(|| sents.first())
            .map_or_else(String::new, |s| s.text.to_string());
        return Some(Fact { value, quote });
    }
    let mut tally: Vec<(String, i32, usize, &str)> = Vec::new();
    let mut body_seen = 0;
    for s in sents.iter().take(FACT_SENTENCES) {
        let weight = if s.is_title {
            3
        } else {
            body_seen += 1;
            if body_seen <= 2 { 2 } else { 1 }
        };
        let mut seen: Vec<String> = Vec::new();
        for hit in Gazetteer::builtin().find_in_text(s.text) {
            if seen.contains(&hit.vendor) {
                continue;
            }
            // The headline's first vendor is usually the one that failed ("AWS outage takes
            // down Slack").
            let bonus = if s.is_title && seen.is_empty() { 2 } else { 0 };
            let order = s.index * 10_000 + hit.start;
            match tally.iter_mut().find(|t| t.0 == hit.vendor) {
                Some(t) => t.1 += weight + bonus,
                None => tally.push((hit.vendor.clone(), weight + bonus, order, s.text)),
            }
            seen.push(hit.vendor);
        }
    }
    tally
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)))
        .map(|(vendor, _, _, quote)| Fact {
            value: vendor,
            quote: quote.to_string(),
        })
}

/// The vendor and how firmly the text names it. A hint from the source wins; then the
/// publisher of a first-person post-mortem ("we apologize", "our engineers"); then the vendor
/// named most, unless the products named belong to a vendor it is the parent company of
/// ("Google" beside "BigQuery" is Google Cloud) or no listed vendor is named at all; last, an
/// unlisted name.
fn settle_vendor(input: &PressInput, sents: &[Sentence]) -> (Option<Fact<String>>, VendorEvidence) {
    if input.vendor_hint.is_none() {
        if let Some(v) = publisher_vendor(input, sents) {
            return (Some(v), VendorEvidence::Listed);
        }
    }
    let named = main_vendor(input, sents);
    if input.vendor_hint.is_some() {
        return (named, VendorEvidence::Listed);
    }
    let owner = product_owner(sents);
    match (named, owner) {
        (Some(n), Some(o)) => {
            let parent = Catalog::builtin().parent_of(&o.value);
            if parent == Some(n.value.as_str()) {
                (Some(o), VendorEvidence::Listed)
            } else {
                (Some(n), VendorEvidence::Listed)
            }
        }
        (Some(n), None) => (Some(n), VendorEvidence::Listed),
        (None, owner) => {
            let unlisted = unlisted_vendor(sents);
            // A name the title repeats is the subject; products it runs on are someone
            // else's ("Razorpay: an RDS failure").
            let titled = unlisted.as_ref().is_some_and(|u| {
                sents
                    .iter()
                    .any(|s| s.is_title && contains_phrase(s.text, &u.value))
            });
            match (unlisted, owner) {
                (Some(u), _) if titled => (Some(u), VendorEvidence::Unlisted),
                (_, Some(o)) => (Some(o), VendorEvidence::Listed),
                (Some(u), None) => (Some(u), VendorEvidence::Unlisted),
                (None, None) => (None, VendorEvidence::None),
            }
        }
    }
}

static FIRST_PERSON_VENDOR: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:we (?:sincerely |deeply |truly )?apologi[sz]e|we are sorry|our (?:customers|users|services?|systems?|platform|network|infrastructure|engineers|engineering teams?|on-call|team|data ?cent(?:er|re)s?|edge|api)|we (?:identified|deployed|rolled|restored|mitigated|determined|detected|began|started|made|pushed|failed over))\b",
    )
});

/// The publisher's vendor when the text is its own post-mortem: the site name or the host of
/// the page's address is a listed vendor, and the text speaks for the vendor in the first
/// person.
fn publisher_vendor(input: &PressInput, sents: &[Sentence]) -> Option<Fact<String>> {
    let gazetteer = Gazetteer::builtin();
    let by_site = input
        .publisher
        .and_then(|p| gazetteer.canonical(p.trim()).map(str::to_string));
    let by_host = || {
        let url = input.url?;
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let host = rest.split(['/', '?', '#']).next()?;
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        let host = host.split(':').next()?;
        gazetteer.by_host(host).map(str::to_string)
    };
    let value = by_site.or_else(by_host)?;
    let quote = sents
        .iter()
        .filter(|s| !s.is_title)
        .take(FACT_SENTENCES)
        .find(|s| FIRST_PERSON_VENDOR.is_match(s.text))?;
    Some(Fact {
        value,
        quote: quote.text.to_string(),
    })
}

/// The vendor whose products the top of the text names most (ties: the first named).
fn product_owner(sents: &[Sentence]) -> Option<Fact<String>> {
    let mut tally: Vec<(&'static str, usize, &str)> = Vec::new();
    for s in sents
        .iter()
        .take(FACT_SENTENCES)
        .filter(|s| !s.recalls_other)
    {
        for hit in find_services(s.text) {
            match tally.iter_mut().find(|t| t.0 == hit.vendor) {
                Some(t) => t.1 += 1,
                None => tally.push((hit.vendor, 1, s.text)),
            }
        }
    }
    let best = tally.iter().map(|t| t.1).max()?;
    tally
        .into_iter()
        .find(|t| t.1 == best)
        .map(|(vendor, _, quote)| Fact {
            value: vendor.to_string(),
            quote: quote.to_string(),
        })
}

/// Capitalised words that start sentences or name things other than companies.
const NOT_VENDORS: &[&str] = &[
    "A",
    "An",
    "The",
    "On",
    "In",
    "At",
    "During",
    "Our",
    "We",
    "This",
    "That",
    "These",
    "Those",
    "Between",
    "After",
    "Before",
    "Today",
    "Yesterday",
    "Prior",
    "Initial",
    "Engineers",
    "It",
    "Its",
    "Some",
    "Several",
    "Many",
    "All",
    "Two",
    "Three",
    "One",
    "Users",
    "Customers",
    "While",
    "When",
    "Although",
    "However",
    "From",
    "Starting",
    "Due",
    "Summary",
    "Root",
    "Cause",
    "Impact",
    "Duration",
    "Sources",
    "Status",
    "Page",
    "Update",
    "Incident",
    "Outage",
    "Postmortem",
    "Post-mortem",
    "Bad",
    "Wrong",
    "Accidental",
    "Internal",
    "UTC",
    "GMT",
    "PST",
    "PDT",
    "EST",
    "EDT",
    "DNS",
    "BGP",
    "API",
    "HTTP",
    "HTTPS",
    "CDN",
    "VM",
    "VMs",
    "DB",
    "SQL",
    "IP",
    "TLS",
    "SSL",
    "CPU",
    "RAM",
    "SSD",
    "US",
    "UK",
    "EU",
    "AM",
    "PM",
    "ET",
    "PT",
    "I",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Service",
    "Services",
    "Web",
    "E-commerce",
    "Sending",
    "Configuration",
    "Database",
    "Network",
    "Power",
    "Multiple",
    "Although",
    "Most",
    "Following",
    "Further",
    "Because",
    "URL",
    "PostgreSQL",
    "MySQL",
    "Redis",
    "Kafka",
    "Kubernetes",
    "Docker",
    "Java",
    "Python",
    "Go",
    "Data",
    "Dashboard",
    "Cache",
    "Center",
    "Human",
    "Message",
    "Backwards",
    "Successive",
];

/// Fallback for vendors the gazetteer does not list: a possessive name in the first body
/// sentences ("Etsy's", "PagerDuty’s"), else the first capitalised word inside one of them that
/// recurs in the text and is not a common word, month, zone, region or acronym of the trade. Heuristic by design: it names the
/// company an outage story is about far more often than not, and an unnamed vendor loses the
/// whole report.
fn unlisted_vendor(sents: &[Sentence]) -> Option<Fact<String>> {
    // Titles capitalise every word, so only body sentences are read.
    let top: Vec<&Sentence> = sents
        .iter()
        .filter(|s| !s.is_title && s.index <= 3)
        .collect();
    let candidate = |word: &str| -> Option<String> {
        let w = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != '-');
        let w = w.trim_end_matches('.');
        let first = w.chars().next()?;
        if !first.is_uppercase() || w.len() < 2 || NOT_VENDORS.contains(&w) {
            return None;
        }
        if !region::find_in_text(w).is_empty() {
            return None;
        }
        Some(w.to_string())
    };
    let fact = |name: String, s: &Sentence| Fact {
        value: name,
        quote: s.text.to_string(),
    };
    for s in &top {
        for word in s.text.split_whitespace() {
            let possessive = ["'s", "’s"].iter().find_map(|p| word.strip_suffix(p));
            if let Some(name) = possessive.and_then(candidate) {
                return Some(fact(name, s));
            }
        }
    }
    // A plain capitalised word must recur in the document to count as its subject.
    let all: Vec<&str> = sents.iter().map(|s| s.text).collect();
    let recurs = |name: &str| all.iter().map(|t| t.matches(name).count()).sum::<usize>() >= 2;
    for s in &top {
        let words: Vec<&str> = s.text.split_whitespace().collect();
        for (i, word) in words.iter().enumerate().skip(1) {
            // "United" in "United States" is part of a place.
            let next = words.get(i + 1).copied().unwrap_or("");
            if !region::find_in_text(&format!("{word} {next}")).is_empty() {
                continue;
            }
            if let Some(name) = candidate(word).filter(|n| recurs(n)) {
                return Some(fact(name, s));
            }
        }
    }
    None
}

/// Onset, end and length, each with its sentence.
#[derive(Debug, Default)]
struct Timing {
    start: Option<DateFact>,
    end: Option<Fact<DateTime<Utc>>>,
    duration: Option<Fact<i64>>,
}

static END_CUE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:resolved|restored|recovered|recovery|fully operational|returned to normal|back online|back up|mitigated|fixed|until|by the time|ended|ending|end of|normal operations)\b",
    )
});
static START_CUE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:began|begun|beginning|started|starting|start|first|outage|down|disruption|failed|failure|errors?|impact|affected|unable|lost|went|interruption|issues?|problems?|incident|degraded|offline|unavailable)\b",
    )
});

static ONSET_VERB: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)\b(?:began|begun|beginning|started|starting|first|went|lost|failed)\b")
});

static NEXT_UPDATE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:will provide (?:an|another|more|further|the next) (?:update|information|details)|next update|provide an update|will update (?:you|this))\b",
    )
});

/// A stand-in publication time for a text that carries none: the latest fully written date
/// in it (a report is written after the days it describes), so yearless dates ("June 4th")
/// take the document's year.
fn document_reference(sents: &[Sentence]) -> Option<DateTime<Utc>> {
    let bare = Anchor::default();
    sents
        .iter()
        .flat_map(|s| find_dates(s.text, &bare))
        .filter(|m| m.precision <= Precision::Day && !m.relative)
        .map(|m| m.at)
        .max()
        .map(|at| at + Duration::days(1))
}

fn timing(sents: &[Sentence], published: Option<DateTime<Utc>>) -> Timing {
    let mut anchor = Anchor {
        published: published.or_else(|| document_reference(sents)),
        day: None,
    };
    let mut out = Timing::default();
    let mut first_day: Option<DateFact> = None;
    let mut first_exact: Option<DateFact> = None;
    let mut coarse: Option<DateFact> = None;
    let mut end_exact: Option<Fact<DateTime<Utc>>> = None;
    let mut ongoing_day: Option<DateFact> = None;
    let limit = published.map(|p| p + Duration::days(1));
    for s in sents.iter().filter(|s| !s.recalls_other) {
        // A stated "between … and …" window is read by the shared reader first (it knows more
        // date layouts); the press reader also resolves relative days ("yesterday from 9am").
        let reference = anchor
            .day
            .or_else(|| anchor.published.map(|p| p.date_naive()));
        let stated = window::impact_window(s.text, reference)
            .map(|w| (w.start, w.end))
            .or_else(|| find_window(s.text, &anchor).map(|w| (w.start, w.end)));
        if let Some((w_start, w_end)) = stated {
            if out.start.is_none() && limit.is_none_or(|l| w_start <= l) {
                out.start = Some(DateFact {
                    at: w_start,
                    precision: Precision::Minute,
                    quote: s.text.to_string(),
                });
                out.end = Some(Fact {
                    value: w_end,
                    quote: s.text.to_string(),
                });
            }
        }
        // "The issue has been resolved as of 12:23" ends the outage; "the outage, which began at
        // 09:47, was resolved" does not.
        let is_end = END_CUE.is_match(s.text) && !ONSET_VERB.is_match(&before_end_cue(s.text));
        // "We will provide an update by 07:50 US/Pacific" is a promise, not a time of the
        // outage; its day only says the outage was under way then.
        if NEXT_UPDATE.is_match(s.text) {
            if ongoing_day.is_none() {
                ongoing_day = find_dates(s.text, &anchor)
                    .into_iter()
                    .find(|m| m.precision <= Precision::Day)
                    .and_then(|m| m.at.date_naive().and_hms_opt(0, 0, 0))
                    .map(|at| DateFact {
                        at: at.and_utc(),
                        precision: Precision::Day,
                        quote: s.text.to_string(),
                    });
            }
            continue;
        }
        for m in find_dates(s.text, &anchor) {
            if limit.is_some_and(|l| m.at > l) {
                continue;
            }
            let fact = DateFact {
                at: m.at,
                precision: m.precision,
                quote: s.text.to_string(),
            };
            match m.precision {
                Precision::Minute if is_end => {
                    if end_exact.is_none() {
                        end_exact = Some(Fact {
                            value: m.at,
                            quote: s.text.to_string(),
                        });
                    }
                }
                Precision::Minute => {
                    if first_exact.is_none() && (START_CUE.is_match(s.text) || first_day.is_none())
                    {
                        first_exact = Some(fact);
                    }
                }
                Precision::Day => {
                    if first_day.is_none() && !is_end {
                        first_day = Some(fact);
                    }
                }
                Precision::Week | Precision::Month => {
                    if coarse.is_none() {
                        coarse = Some(fact);
                    }
                }
            }
        }
        // Later sentences' bare times belong to the day established so far.
        if anchor.day.is_none() {
            anchor.day = first_day
                .as_ref()
                .or(first_exact.as_ref())
                .map(|f| f.at.date_naive());
        }
    }
    if out.start.is_none() {
        out.start = match (first_exact, first_day) {
            // A time on the day the text names (or the next, across midnight UTC) refines it.
            (Some(e), Some(d)) if (e.at.date_naive() - d.at.date_naive()).num_days().abs() <= 1 => {
                Some(e)
            }
            (_, Some(d)) => Some(d),
            (Some(e), None) => Some(e),
            (None, None) => ongoing_day.or(coarse),
        };
    }
    if out.end.is_none() {
        if let (Some(end), Some(start)) = (end_exact, out.start.as_ref()) {
            if end.value > start.at && start.precision == Precision::Minute {
                out.end = Some(end);
            }
        }
    }
    out.duration = outage_length(sents);
    match (&out.start, &out.end, &out.duration) {
        (Some(s), Some(e), None) => {
            out.duration = Some(Fact {
                value: (e.value - s.at).num_minutes(),
                quote: e.quote.clone(),
            });
        }
        (Some(s), None, Some(d)) if s.precision == Precision::Minute => {
            out.end = Duration::try_minutes(d.value)
                .and_then(|len| s.at.checked_add_signed(len))
                .map(|value| Fact {
                    value,
                    quote: d.quote.clone(),
                });
        }
        _ => {}
    }
    out
}

/// The part of a sentence before its first end cue ("Service was restored" -> "Service was").
fn before_end_cue(s: &str) -> String {
    END_CUE.find(s).map_or_else(String::new, |m| {
        s.get(..m.start()).unwrap_or("").to_string()
    })
}

/// The outage's length: a mention tied to the outage in the title or body (or under a
/// "Duration" heading); else any mention in the title or lead.
fn outage_length(sents: &[Sentence]) -> Option<Fact<i64>> {
    let mut fallback: Option<Fact<i64>> = None;
    for s in sents.iter().filter(|s| !s.recalls_other) {
        let in_duration_section = s.section.contains("duration");
        for m in find_durations(s.text) {
            if m.about_outage || in_duration_section {
                return Some(Fact {
                    value: m.minutes,
                    quote: s.text.to_string(),
                });
            }
            if fallback.is_none() && s.index <= 2 {
                fallback = Some(Fact {
                    value: m.minutes,
                    quote: s.text.to_string(),
                });
            }
        }
    }
    fallback
}

static IMPACT_RE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:unable to|could not|couldn't|can't|cannot|not able to|failed to|failed|failures?|problems|lost|locked out|error rates?|elevated errors|errors|were affected|was affected|impacted|disrupted|unavailable|went down|was down|were down|offline|outage|disruption|degraded)\b",
    )
});

/// Sentences that describe the outage itself: the title, the lead, and any sentence with an
/// impact word or under an "Impact" heading, from the top of the text.
fn fact_sentences<'s, 'a>(sents: &'s [Sentence<'a>]) -> impl Iterator<Item = &'s Sentence<'a>> {
    sents
        .iter()
        .take(FACT_SENTENCES)
        .filter(|s| !s.recalls_other)
        .filter(|s| {
            s.is_title || s.index <= 3 || s.section.contains("impact") || IMPACT_RE.is_match(s.text)
        })
}

/// The cloud whose region names a vendor's own reports use ("Sydney" in an AWS report is
/// `ap-southeast-2`, not the city).
fn cloud_of(vendor: &str) -> Option<region::Provider> {
    match vendor {
        "AWS" => Some(region::Provider::Aws),
        "Google Cloud" => Some(region::Provider::Gcp),
        "Microsoft Azure" => Some(region::Provider::Azure),
        _ => None,
    }
}

fn regions(sents: &[Sentence], cloud: Option<region::Provider>) -> Vec<Fact<String>> {
    let mut out: Vec<Fact<String>> = Vec::new();
    for s in fact_sentences(sents) {
        let mut found = region::find_in_text(s.text);
        if let Some(p) = cloud {
            // The cloud's reading wins where both read a name; ids of other clouds ("us-east1"
            // in a report that misnames a region) still count where the cloud reads nothing.
            let scoped = region::find_in_text_in(p, s.text);
            found.retain(|g| !scoped.iter().any(|c| c.start < g.end && g.start < c.end));
            found.extend(scoped);
            found.sort_by_key(|m| m.start);
        }
        for hit in found {
            if out.iter().any(|f| f.value == hit.label()) {
                continue;
            }
            out.push(Fact {
                value: hit.label().to_string(),
                quote: s.text.to_string(),
            });
        }
    }
    out
}

fn services(sents: &[Sentence]) -> Vec<Fact<String>> {
    let mut out: Vec<Fact<String>> = Vec::new();
    for s in fact_sentences(sents) {
        for hit in find_services(s.text) {
            if out.iter().any(|f| f.value == hit.service) {
                continue;
            }
            out.push(Fact {
                value: hit.service.to_string(),
                quote: s.text.to_string(),
            });
        }
    }
    out
}

static CAUSE_CUE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:was caused by|were caused by|caused by|due to|as a result of|the result of|resulted from|because of|blamed (?:it )?on|blamed|attributed (?:it |the outage |the problem )?to|triggered by|traced (?:back )?to|stemmed from|stemming from|root cause (?:was|is|of the \w+ was)|the cause was|the culprit was|after|following|when)\s+",
    )
});

static CAUSE_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)(?:^|\b(?:said|says|that|explained)\s+(?:that\s+)?)(?P<p>[^,;:]{4,100}?)\s+(?:had\s+|has\s+|was\s+)?(?:caused|triggered|led to|resulted in|crashed|knocked out|took down|brought down)\b",
    )
});

/// Cues that name a cause only when the phrase after them does ("after a power failure", not
/// "after 20 minutes").
fn weak_cue(cue: &str) -> bool {
    let c = cue.trim().to_lowercase();
    c == "after" || c == "following" || c == "when" || c == "blamed"
}

/// The sentence that states the cause. A "Root Cause" heading's first line wins; then the
/// sentence [`cause::cause_sentence`] picks (it skips promises and guesses such as "the cause is
/// under investigation") when a phrase can be cut from it; else the first sentence with one of
/// the press's looser cues ("blamed", "after a power failure").
fn cause_sentence<'s, 'a>(sents: &'s [Sentence<'a>]) -> Option<&'s Sentence<'a>> {
    if let Some(s) = sents.iter().find(|s| s.section.contains("cause")) {
        return Some(s);
    }
    let current: Vec<&Sentence> = sents.iter().filter(|s| !s.recalls_other).collect();
    let texts: Vec<&str> = current.iter().map(|s| s.text).collect();
    let shared = cause::cause_sentence(&texts).and_then(|found| {
        let head = found.trim_end_matches('…').trim();
        current
            .iter()
            .find(|s| s.text.trim().starts_with(head) && cause_phrase(s.text).is_some())
            .copied()
    });
    shared.or_else(|| current.into_iter().find(|s| cause_phrase(s.text).is_some()))
}

fn cause(sents: &[Sentence]) -> Option<Fact<String>> {
    let Some(s) = cause_sentence(sents) else {
        return named_cause(sents);
    };
    let value = if s.section.contains("cause") {
        truncate_chars(s.text, 200)
    } else {
        cause_phrase(s.text)?
    };
    if value.eq_ignore_ascii_case("unknown") {
        return None;
    }
    Some(Fact {
        value,
        quote: s.text.to_string(),
    })
}

/// Attacks and power failures are often named in the headline or lead without a cause cue
/// ("Dyn DDoS attack takes down Twitter"): the matching words are the cause.
fn named_cause(sents: &[Sentence]) -> Option<Fact<String>> {
    sents.iter().filter(|s| s.index <= 2).find_map(|s| {
        CAUSE_CATEGORIES
            .iter()
            .filter(|(c, _)| {
                matches!(
                    c,
                    CauseCategory::SecurityAttack | CauseCategory::HardwarePower
                )
            })
            .find_map(|(_, re)| re.find(s.text))
            .map(|m| Fact {
                value: noun_phrase_around(s.text, m.start(), m.end()),
                quote: s.text.to_string(),
            })
    })
}

/// The words around a keyword up to the nearest clause break, at most three either side
/// ("a massive DDoS attack", "a power surge").
fn noun_phrase_around(text: &str, start: usize, end: usize) -> String {
    let before: Vec<&str> = text
        .get(..start)
        .unwrap_or("")
        .rsplit([',', ';', ':', '.'])
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let keep_from = before.len().saturating_sub(3);
    let head = before.get(keep_from..).unwrap_or(&[]).join(" ");
    let after = text.get(end..).unwrap_or("");
    let tail: String = after
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '-')
        .collect();
    let word = format!("{}{}", text.get(start..end).unwrap_or(""), tail);
    if head.is_empty() {
        word
    } else {
        format!("{head} {word}")
    }
}

/// The phrase after a cause cue ("due to X"), or the subject before a causing verb ("X caused
/// the outage"), cut at the end of its clause and at most 20 words.
fn cause_phrase(sentence: &str) -> Option<String> {
    after_cue(sentence).or_else(|| subject_cause(sentence))
}

fn subject_cause(sentence: &str) -> Option<String> {
    let c = CAUSE_SUBJECT.captures(sentence)?;
    let raw = c.name("p")?.as_str().trim();
    // Keep the clause after the last reporting word ("Microsoft said on Wednesday that a
    // network change ...").
    let lower_raw = raw.to_lowercase();
    let start = [" said ", " says ", " that ", " explained "]
        .iter()
        .filter_map(|a| lower_raw.rfind(a).map(|i| i + a.len()))
        .max()
        .unwrap_or(0);
    let phrase = raw.get(start..).unwrap_or(raw).trim();
    let lower = phrase.to_lowercase();
    let words = phrase.split_whitespace().count();
    if !(2..=20).contains(&words)
        || [
            "outage",
            "the outage",
            "the incident",
            "the disruption",
            "it",
            "this",
        ]
        .iter()
        .any(|w| lower == *w || lower.starts_with("the outage"))
        || categorise_cause(phrase) == CauseCategory::Unknown
    {
        return None;
    }
    Some(phrase.to_string())
}

fn after_cue(sentence: &str) -> Option<String> {
    for c in CAUSE_CUE.find_iter(sentence) {
        // "not the result of an attack" names what the cause was not.
        let before = sentence.get(..c.start()).unwrap_or("").to_lowercase();
        let last_words: Vec<&str> = before.split_whitespace().rev().take(3).collect();
        if last_words
            .iter()
            .any(|w| matches!(*w, "not" | "no" | "than" | "nor"))
        {
            continue;
        }
        let rest = sentence.get(c.end()..).unwrap_or("");
        let mut end = rest.len();
        for stop in [
            ". ",
            "; ",
            ", which",
            ", and ",
            ", but ",
            ", according",
            ", the company",
            ", said",
            " said ",
            ", it ",
            " – ",
            " - ",
            ", a spokes",
            ", while",
            ", as ",
        ] {
            if let Some(i) = rest.find(stop) {
                end = end.min(i);
            }
        }
        let phrase = rest
            .get(..end)
            .unwrap_or(rest)
            .trim()
            .trim_end_matches(['.', ',', ';', ':', ')', '"']);
        let words: Vec<&str> = phrase.split_whitespace().take(20).collect();
        let phrase = words.join(" ");
        if phrase.split_whitespace().count() < 2 {
            continue;
        }
        let lower = phrase.to_lowercase();
        // "due to the outage" names no cause.
        if lower.starts_with("the outage")
            || lower.starts_with("the incident")
            || lower.starts_with("the disruption")
        {
            continue;
        }
        if weak_cue(c.as_str()) && categorise_cause(&phrase) == CauseCategory::Unknown {
            continue;
        }
        return Some(phrase);
    }
    None
}

/// Category keyword patterns. Attacks and power/hardware decide outright when named (they are
/// named when they happen); otherwise the category whose word comes first in the phrase wins,
/// as the head of a cause phrase comes first ("a software bug that surfaced after a
/// configuration change" is a bug), list order breaking ties; a configuration word then turns
/// a change, network or capacity reading into configuration ("a change to the network
/// configuration").
static CAUSE_CATEGORIES: LazyLock<Vec<(CauseCategory, Regex)>> = LazyLock::new(|| {
    [
        (CauseCategory::SecurityAttack, r"ddos|denial[- ]of[- ]service|attack\w*|hack\w*|ransomware|malware|cyber-?attacks?|botnet|intrusion"),
        (CauseCategory::HardwarePower, r"power|weather|hw|electric\w*|generators?|ups|batter\w*|hardware|disks?|drives? fail\w*|cooling|overheat\w*|heat ?wave|temperatures?|fires?|flood\w*|storms?|lightning|switchgear|chillers?|hvac|data ?cent(?:er|re) (?:failure|outage)|failed (?:server|router|switch)\w*"),
        (CauseCategory::Configuration, r"config\w*|misconfig\w*|settings?|typo\w*|wrong\w*|accidental\w*|deleted|incorrect(?:ly)? (?:value|setting|parameter|entry)|wrong (?:value|setting|parameter)|permissions?|certificates?|expired|human error|bad command|command"),
        (CauseCategory::DeployChange, r"deploy\w*|roll(?:ed)?[- ]?outs?|rolling out|releas\w*|updat\w*|upgrad\w*|patch\w*|changes?|migrat\w*|code push|new version|new (?:security )?features?"),
        (CauseCategory::NetworkDnsBgp, r"network\w*|dns|bgp|rout(?:e|es|ing|er|ers)|fib(?:er|re)s?|cables?|connectivity|connective|congestion|packet|peering|load balanc\w*|isp|internet provider|transit"),
        (CauseCategory::Capacity, r"capacity|traffic spikes?|spikes?|surges?|overload\w*|(?:high|heavy) load|load spikes?|demand|exhaust\w*|ran out|throttl\w*|too many|high volume|scal\w*"),
        (CauseCategory::DependencyUpstream, r"third[- ]party|upstream|providers?|suppliers?|vendors?|dependenc\w*|partners?"),
        (CauseCategory::Bug, r"bugs?|defects?|software (?:error|issue|problem|fault|flaw)|race condition|memory leak|latent|flaw\w*|regression|leap second|code error|errors?"),
    ]
    .into_iter()
    .map(|(c, p)| (c, regex(&format!(r"(?i)\b(?:{p})\b"))))
    .collect()
});

static NEGATED: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\b(?:not|no|nor|rather than|instead of)\b[^,.;]*"));

/// The category of a cause phrase; negated parts ("not the result of an attack") are ignored.
pub fn categorise_cause(phrase: &str) -> CauseCategory {
    let cleaned = NEGATED.replace_all(phrase, " ");
    let mut best: Option<(usize, CauseCategory)> = None;
    for (category, re) in CAUSE_CATEGORIES.iter() {
        let Some(m) = re.find(&cleaned) else { continue };
        if matches!(
            category,
            CauseCategory::SecurityAttack | CauseCategory::HardwarePower
        ) {
            return *category;
        }
        if best.is_none_or(|(pos, _)| m.start() < pos) {
            best = Some((m.start(), *category));
        }
    }
    let configured = CAUSE_CATEGORIES
        .iter()
        .any(|(c, re)| *c == CauseCategory::Configuration && re.is_match(&cleaned));
    match best {
        // A configuration word names the kind of change or network fault ("a change to the
        // network configuration", "network configuration error").
        Some((
            _,
            CauseCategory::DeployChange | CauseCategory::NetworkDnsBgp | CauseCategory::Capacity,
        )) if configured => CauseCategory::Configuration,
        Some((_, c)) => c,
        None => CauseCategory::Unknown,
    }
}

const CRITICAL_CUES: &[&str] = &[
    "global",
    "globally",
    "worldwide",
    "world-wide",
    "around the world",
    "across the world",
    "all customers",
    "all users",
    "all of its customers",
    "entire",
    "every region",
    "multiple regions",
    "systemwide",
    "system-wide",
];
const MINOR_CUES: &[&str] = &[
    "some users",
    "some customers",
    "a small number",
    "small number",
    "a subset",
    "subset of",
    "small percentage",
    "minority of",
    "limited number",
    "partial",
    "partially",
    "degraded",
    "degradation",
    "intermittent",
    "intermittently",
    "slowdown",
    "slow",
];
const BROAD_CUES: &[&str] = &[
    "millions",
    "thousands",
    "widespread",
    "major",
    "massive",
    "huge",
    "large",
    "significant",
    "many",
];
const DOWN_CUES: &[&str] = &[
    "outage",
    "down",
    "offline",
    "unavailable",
    "went down",
    "knocked out",
];

fn severity(
    title: &str,
    sents: &[Sentence],
    regions: &[Fact<String>],
    duration: Option<i64>,
) -> SeverityJudgement {
    let top: Vec<&Sentence> = sents.iter().filter(|s| !s.recalls_other).take(8).collect();
    let find = |cues: &[&str]| -> Option<(String, String)> {
        top.iter().find_map(|s| {
            let lower = s.text.to_lowercase();
            cues.iter()
                .find(|c| contains_phrase(&lower, c))
                .map(|c| ((*c).to_string(), s.text.to_string()))
        })
    };
    let judged = |value, found: Option<(String, String)>| SeverityJudgement {
        value,
        cue: found.as_ref().map(|f| f.0.clone()),
        quote: found.map(|f| f.1),
    };
    let title_lower = title.to_lowercase();
    if contains_phrase(&title_lower, "maintenance") && !contains_phrase(&title_lower, "outage") {
        return judged(
            Severity::Maintenance,
            Some(("maintenance".into(), title.to_string())),
        );
    }
    if let Some(found) = find(CRITICAL_CUES) {
        return judged(Severity::Critical, Some(found));
    }
    let continents = regions
        .iter()
        .filter(|r| {
            matches!(
                r.value.as_str(),
                "Europe"
                    | "Asia Pacific"
                    | "North America"
                    | "South America"
                    | "Africa"
                    | "Middle East"
                    | "Oceania"
            )
        })
        .count();
    if continents >= 2 {
        let quote = regions.first().map(|r| r.quote.clone()).unwrap_or_default();
        return judged(Severity::Critical, Some(("multi-region".into(), quote)));
    }
    if let Some(found) = find(MINOR_CUES) {
        return judged(Severity::Minor, Some(found));
    }
    if let Some(down) = find(DOWN_CUES) {
        if find(BROAD_CUES).is_some() || duration.is_some_and(|d| d >= 60) {
            return judged(Severity::Major, Some(down));
        }
    }
    judged(Severity::Unknown, None)
}

static RESOLVED_RE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:restored|resolved|recovered|back online|back up and running|fully operational|fixed|returned to normal|lasted|was down for|were down for)\b",
    )
});
static ONGOING_RE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:is down|are down|remains down|still down|ongoing|continues|is investigating|are investigating|currently)\b",
    )
});

fn status(sents: &[Sentence]) -> Status {
    let top = sents.iter().take(FACT_SENTENCES);
    let mut ongoing = false;
    for s in top {
        if RESOLVED_RE.is_match(s.text) {
            return Status::Resolved;
        }
        ongoing |= ONGOING_RE.is_match(s.text);
    }
    if ongoing {
        Status::Investigating
    } else {
        Status::Unknown
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation.

/// One labelled document: the text and, for outages, the facts a reader would extract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledItem {
    /// Where the item came from (corpus path, URL, or "written: ..." for imitations).
    #[serde(default)]
    pub source: String,
    pub title: String,
    pub text: String,
    /// RFC 3339 or YYYY-MM-DD.
    #[serde(default)]
    pub published: Option<String>,
    pub is_outage: bool,
    #[serde(default)]
    pub vendor: Option<String>,
    /// YYYY-MM-DD (UTC) of the onset.
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub duration_minutes: Option<i64>,
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub cause_category: Option<CauseCategory>,
}

impl LabelledItem {
    pub fn published_at(&self) -> Option<DateTime<Utc>> {
        let p = self.published.as_deref()?.trim();
        DateTime::parse_from_rfc3339(p)
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| {
                NaiveDate::parse_from_str(p, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(12, 0, 0))
                    .map(|t| t.and_utc())
            })
    }
}

/// Precision and recall of one field: `predicted` facts given, `expected` facts labelled,
/// `correct` predictions that match a label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldScore {
    pub predicted: usize,
    pub expected: usize,
    pub correct: usize,
}

impl FieldScore {
    /// Correct share of what was predicted; 1 when nothing was predicted.
    pub fn precision(&self) -> f64 {
        if self.predicted == 0 {
            1.0
        } else {
            self.correct as f64 / self.predicted as f64
        }
    }

    /// Share of the labels that were found; 1 when nothing was labelled.
    pub fn recall(&self) -> f64 {
        if self.expected == 0 {
            1.0
        } else {
            self.correct.min(self.expected) as f64 / self.expected as f64
        }
    }
}

/// Per-field scores over a labelled set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvalReport {
    pub items: usize,
    /// Is it an outage? Positive class = outage.
    pub detection: FieldScore,
    pub vendor: FieldScore,
    /// Onset within one day of the label.
    pub start: FieldScore,
    /// Length within 20% of the label.
    pub duration: FieldScore,
    /// Regions and services: one count per region or service.
    pub regions: FieldScore,
    pub services: FieldScore,
    pub cause: FieldScore,
    /// Items whose detection was wrong, by title, for inspection.
    pub misclassified: Vec<String>,
    /// Outages whose vendor was wrong: "title: expected X, got Y".
    pub wrong_vendor: Vec<String>,
    /// Outages whose regions differ from the label: "title: expected [..], got [..]".
    pub wrong_regions: Vec<String>,
    /// Outages whose products differ from the label, in the same form.
    pub wrong_services: Vec<String>,
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<10} {:>9} {:>8} {:>7} {:>9} {:>6}",
            "field", "predicted", "expected", "correct", "precision", "recall"
        )?;
        for (name, s) in [
            ("detection", self.detection),
            ("vendor", self.vendor),
            ("start", self.start),
            ("duration", self.duration),
            ("regions", self.regions),
            ("services", self.services),
            ("cause", self.cause),
        ] {
            writeln!(
                f,
                "{name:<10} {:>9} {:>8} {:>7} {:>9.3} {:>6.3}",
                s.predicted,
                s.expected,
                s.correct,
                s.precision(),
                s.recall()
            )?;
        }
        write!(f, "items: {}", self.items)
    }
}

/// Runs [`extract`] on every item and scores each field. Fields are scored on items labelled
/// as outages (a missed outage costs recall on every field it has); detection is scored on all.
pub fn evaluate(items: &[LabelledItem]) -> EvalReport {
    let mut r = EvalReport {
        items: items.len(),
        ..EvalReport::default()
    };
    for item in items {
        let input = PressInput {
            title: &item.title,
            text: &item.text,
            published: item.published_at(),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        let got = extract(&input);
        if got.is_some() {
            r.detection.predicted += 1;
        }
        if item.is_outage {
            r.detection.expected += 1;
            if got.is_some() {
                r.detection.correct += 1;
            }
        }
        if got.is_some() != item.is_outage {
            r.misclassified.push(item.title.clone());
        }
        if !item.is_outage {
            continue;
        }
        score_fields(&mut r, item, got.as_ref());
    }
    r
}

fn score_fields(r: &mut EvalReport, item: &LabelledItem, got: Option<&PressReport>) {
    if let Some(v) = &item.vendor {
        r.vendor.expected += 1;
        if let Some(g) = got {
            r.vendor.predicted += 1;
            let canon = |s: &str| {
                Gazetteer::builtin()
                    .canonical(s)
                    .map_or_else(|| s.trim().to_lowercase(), str::to_lowercase)
            };
            if canon(v) == canon(&g.vendor.value) {
                r.vendor.correct += 1;
            } else {
                r.wrong_vendor.push(format!(
                    "{}: expected {v}, got {}",
                    item.title, g.vendor.value
                ));
            }
        }
    }
    let got_start = got
        .and_then(|g| g.start.as_ref())
        .filter(|s| s.precision <= Precision::Day);
    if let Some(s) = item
        .start
        .as_deref()
        .and_then(|s| NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").ok())
    {
        r.start.expected += 1;
        if let Some(g) = got_start {
            r.start.predicted += 1;
            if (g.at.date_naive() - s).num_days().abs() <= 1 {
                r.start.correct += 1;
            }
        }
    } else if got_start.is_some() {
        r.start.predicted += 1;
    }
    let got_duration = got
        .and_then(|g| g.duration_minutes.as_ref())
        .map(|d| d.value);
    match (item.duration_minutes, got_duration) {
        (Some(want), Some(have)) => {
            r.duration.expected += 1;
            r.duration.predicted += 1;
            if (have - want).abs() as f64 <= want as f64 * 0.2 {
                r.duration.correct += 1;
            }
        }
        (Some(_), None) => r.duration.expected += 1,
        (None, Some(_)) => r.duration.predicted += 1,
        (None, None) => {}
    }
    let got_regions: Vec<String> = got.map_or_else(Vec::new, |g| {
        g.regions.iter().map(|f| f.value.clone()).collect()
    });
    let same_region = |a: &str, b: &str| {
        let label =
            |s: &str| region::lookup(s).map_or_else(|| s.trim().to_string(), |r| r.id.to_string());
        label(a).eq_ignore_ascii_case(&label(b))
    };
    let exact = got_regions.len() == item.regions.len()
        && got_regions
            .iter()
            .all(|g| item.regions.iter().any(|w| same_region(w, g)));
    if !exact {
        r.wrong_regions.push(format!(
            "{}: expected {:?}, got {:?}",
            item.title, item.regions, got_regions
        ));
    }
    set_score(&mut r.regions, &item.regions, &got_regions, same_region);
    let got_services: Vec<String> = got.map_or_else(Vec::new, |g| {
        g.services.iter().map(|f| f.value.clone()).collect()
    });
    let same_services = got_services.len() == item.services.len()
        && got_services
            .iter()
            .all(|g| item.services.iter().any(|w| same_service(w, g)));
    if !same_services {
        r.wrong_services.push(format!(
            "{}: expected {:?}, got {:?}",
            item.title, item.services, got_services
        ));
    }
    set_score(&mut r.services, &item.services, &got_services, same_service);
    let want_cause = item.cause_category.filter(|c| *c != CauseCategory::Unknown);
    let got_cause = got
        .map(|g| g.cause_category)
        .filter(|c| *c != CauseCategory::Unknown);
    if want_cause.is_some() {
        r.cause.expected += 1;
    }
    if got_cause.is_some() {
        r.cause.predicted += 1;
    }
    if want_cause.is_some() && want_cause == got_cause {
        r.cause.correct += 1;
    }
}

fn set_score(
    score: &mut FieldScore,
    want: &[String],
    got: &[String],
    same: impl Fn(&str, &str) -> bool,
) {
    score.expected += want.len();
    score.predicted += got.len();
    score.correct += got
        .iter()
        .filter(|g| want.iter().any(|w| same(w, g)))
        .count();
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
    fn salesforce_second_outage_report() {
        let input = PressInput {
            title: "Salesforce suffers second outage in as many weeks",
            text: "Salesforce.com reportedly suffered its second outage yesterday in as many weeks. Customers in Europe, Asia Pacific and North America were affected for several hours. The company said the interruption was due to a software patch affecting the cache server.",
            published: Some(utc("2010-01-07T09:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        let r = extract(&input).expect("an outage");
        assert_eq!(r.vendor.value, "Salesforce");
        let start = r.start.expect("start");
        assert_eq!(crate::model::rfc3339(start.at), "2010-01-06T00:00:00Z");
        assert_eq!(start.precision, Precision::Day);
        assert_eq!(
            start.quote,
            "Salesforce.com reportedly suffered its second outage yesterday in as many weeks."
        );
        assert_eq!(r.duration_minutes.map(|d| d.value), Some(180));
        let regions: Vec<&str> = r.regions.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(regions, vec!["Europe", "Asia Pacific", "North America"]);
        assert_eq!(
            r.cause.as_ref().map(|c| c.value.as_str()),
            Some("a software patch affecting the cache server")
        );
        assert_eq!(r.cause_category, CauseCategory::DeployChange);
        assert_eq!(r.severity.value, Severity::Critical);
        assert_eq!(r.severity.cue.as_deref(), Some("multi-region"));
    }

    #[test]
    fn aws_post_mortem_window_and_services() {
        let input = PressInput {
            title: "Summary of the AWS Service Event in the Sydney (AP-SOUTHEAST-2) Region",
            text: "We'd like to share more detail about the AWS service disruption that occurred this past weekend in the AWS Sydney Region.\nAt 10:25 PM PDT on June 4th, our utility provider suffered a loss of power at a regional substation as a result of severe weather in the area. This failure resulted in a total loss of utility power to multiple AWS facilities. EC2 instances and EBS volumes in the affected Availability Zone became unavailable. By 1:00 AM PDT on June 5th, over 80% of the impacted customer instances and volumes were back online and operational.",
            published: Some(utc("2016-06-09T00:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        let r = extract(&input).expect("an outage");
        assert_eq!(r.vendor.value, "AWS");
        let start = r.start.expect("start");
        assert_eq!(crate::model::rfc3339(start.at), "2016-06-05T05:25:00Z");
        assert_eq!(start.precision, Precision::Minute);
        assert_eq!(
            r.end.map(|e| crate::model::rfc3339(e.value)),
            Some("2016-06-05T08:00:00Z".to_string())
        );
        let services: Vec<&str> = r.services.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(services, vec!["EC2", "EBS"]);
        assert_eq!(r.cause_category, CauseCategory::HardwarePower);
        // "Sydney" in an AWS report is the AWS region, the same one the title's id names.
        let regions: Vec<&str> = r.regions.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(regions, vec!["ap-southeast-2"]);
    }

    #[test]
    fn earnings_story_is_not_an_outage() {
        let input = PressInput {
            title: "Salesforce revenue beats forecasts as investors cheer",
            text: "Salesforce reported quarterly revenue of $5bn. The company said downtime last year had no effect on renewals.",
            published: Some(utc("2019-05-30T00:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        assert_eq!(extract(&input), None);
    }

    #[test]
    fn older_outage_in_the_same_article_is_not_the_main_one() {
        let input = PressInput {
            title: "GitHub down for two hours",
            text: "GitHub went down on Tuesday, leaving developers unable to push code for two hours. A similar outage in 2018 lasted 24 hours and 11 minutes.",
            published: Some(utc("2020-06-30T18:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        let r = extract(&input).expect("an outage");
        assert_eq!(r.duration_minutes.map(|d| d.value), Some(120));
        assert_eq!(
            r.start.map(|s| crate::model::rfc3339(s.at)),
            Some("2020-06-30T00:00:00Z".into())
        );
    }

    #[test]
    fn hostile_text_never_panics_and_invents_no_dates() {
        for text in [
            "GitHub outage on 31 February 2019 at 25:99 UTC, down for 99999999999999999999 hours.",
            "AWS went down on 29 Feb 2019. Users unable to log in.",
            "Slack outage \u{202e}\u{1b}[31m yesterday 0:00 UTC until 23:59 UTC.",
            "",
            "Outage.",
        ] {
            let got = extract(&PressInput {
                title: "Outage",
                text,
                published: Some(utc("9999-12-30T00:00:00Z")),
                vendor_hint: None,
                publisher: None,
                url: None,
            });
            if let Some(r) = got {
                if let Some(s) = &r.start {
                    assert!(s.at <= utc("9999-12-31T00:00:00Z"));
                }
            }
        }
        let r = extract(&PressInput {
            title: "AWS outage",
            text: "AWS went down on 29 Feb 2019 and users were unable to log in.",
            published: Some(utc("2019-03-05T00:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        })
        .expect("an outage");
        assert_eq!(r.start, None);
    }

    #[test]
    fn unlisted_vendor_named_by_possessive() {
        let r = extract(&PressInput {
            title: "",
            text: "Sending multicast traffic without configuring switches took down Etsy's site for two hours. Etsy said users could not reach the service.",
            published: None,
            vendor_hint: None,
 publisher: None,
 url: None,
        })
        .expect("an outage");
        assert_eq!(r.vendor.value, "Etsy");
        assert_eq!(r.duration_minutes.map(|d| d.value), Some(120));
    }

    #[test]
    fn cause_categories_from_phrases() {
        assert_eq!(
            categorise_cause("a configuration change"),
            CauseCategory::Configuration
        );
        assert_eq!(
            categorise_cause("a DDoS attack"),
            CauseCategory::SecurityAttack
        );
        assert_eq!(
            categorise_cause("an internal software error and not the result of an attack"),
            CauseCategory::Bug
        );
        assert_eq!(
            categorise_cause("datacenter power outage after storm"),
            CauseCategory::HardwarePower
        );
        assert_eq!(
            categorise_cause("DNS problems with DynamoDB"),
            CauseCategory::NetworkDnsBgp
        );
        assert_eq!(
            categorise_cause("a sudden traffic spike"),
            CauseCategory::Capacity
        );
        assert_eq!(
            categorise_cause("an outage at a third-party provider"),
            CauseCategory::DependencyUpstream
        );
        assert_eq!(
            categorise_cause("reasons it did not give"),
            CauseCategory::Unknown
        );
    }

    #[test]
    fn evaluation_counts_each_field() {
        let items = vec![
            LabelledItem {
                source: "written: unit test".into(),
                title: "Slack down for 49 minutes".into(),
                text: "Slack went down on Monday for 49 minutes after a configuration change, leaving users in Europe unable to send messages.".into(),
                published: Some("2022-02-22".into()),
                is_outage: true,
                vendor: Some("Slack".into()),
                start: Some("2022-02-21".into()),
                duration_minutes: Some(49),
                regions: vec!["Europe".into()],
                services: vec![],
                cause_category: Some(CauseCategory::Configuration),
            },
            LabelledItem {
                source: "written: unit test".into(),
                title: "Slack launches new huddles feature".into(),
                text: "Slack unveils a new version of huddles.".into(),
                published: Some("2022-02-22".into()),
                is_outage: false,
                vendor: None,
                start: None,
                duration_minutes: None,
                regions: vec![],
                services: vec![],
                cause_category: None,
            },
        ];
        let r = evaluate(&items);
        assert_eq!(
            r.detection,
            FieldScore {
                predicted: 1,
                expected: 1,
                correct: 1
            }
        );
        assert_eq!(
            r.vendor,
            FieldScore {
                predicted: 1,
                expected: 1,
                correct: 1
            }
        );
        assert_eq!(
            r.start,
            FieldScore {
                predicted: 1,
                expected: 1,
                correct: 1
            }
        );
        assert_eq!(
            r.duration,
            FieldScore {
                predicted: 1,
                expected: 1,
                correct: 1
            }
        );
        assert_eq!(
            r.regions,
            FieldScore {
                predicted: 1,
                expected: 1,
                correct: 1
            }
        );
        assert_eq!(
            r.cause,
            FieldScore {
                predicted: 1,
                expected: 1,
                correct: 1
            }
        );
        assert!(r.misclassified.is_empty());
    }

    /// Sub-windows in one clause are read by the shared window reader, relative days by the
    /// press date reader: each reads what the other cannot.
    #[test]
    fn stated_windows_from_both_readers() {
        let published = Some(utc("2021-10-07T12:00:00Z"));
        let spans = extract(&PressInput {
            title: "GitHub outage disrupts Git operations",
            text: "GitHub suffered an outage that left users unable to push code. Between 02:20 to 03:30 and 04:07 to 04:52 UTC on 4 October, error rates rose for Git operations.",
            published,
            vendor_hint: None,
 publisher: None,
 url: None,
        })
        .expect("an outage");
        assert_eq!(
            spans.start.map(|s| crate::model::rfc3339(s.at)).as_deref(),
            Some("2021-10-04T02:20:00Z")
        );
        assert_eq!(
            spans.end.map(|e| crate::model::rfc3339(e.value)).as_deref(),
            Some("2021-10-04T04:52:00Z")
        );
        let relative = extract(&PressInput {
            title: "Slack outage leaves users unable to send messages",
            text: "Slack suffered an outage that left users unable to send messages. The outage lasted from 9am to 11am Pacific time yesterday.",
            published,
            vendor_hint: None,
 publisher: None,
 url: None,
        })
        .expect("an outage");
        assert_eq!(
            relative
                .start
                .map(|s| crate::model::rfc3339(s.at))
                .as_deref(),
            Some("2021-10-06T16:00:00Z")
        );
        assert_eq!(
            relative
                .end
                .map(|e| crate::model::rfc3339(e.value))
                .as_deref(),
            Some("2021-10-06T18:00:00Z")
        );
    }

    #[test]
    fn first_person_post_mortem_is_the_publishers() {
        let text = "Between 14:00 UTC and 15:10 UTC on 5 May 2024, customers experienced \
                    elevated errors. Our engineers rolled back a configuration change. We \
                    apologize for the impact this caused.";
        let input = PressInput {
            title: "Incident report: elevated errors on 5 May",
            text,
            published: None,
            vendor_hint: None,
            publisher: None,
            url: Some("https://www.fastly.com/blog/summary-of-may-5-incident"),
        };
        let r = extract(&input).expect("a post-mortem");
        assert_eq!(r.vendor.value, "Fastly");
        assert_eq!(r.duration_minutes.map(|d| d.value), Some(70));
        let by_site = extract(&PressInput {
            publisher: Some("Cloudflare"),
            url: None,
            ..input
        })
        .expect("a post-mortem");
        assert_eq!(by_site.vendor.value, "Cloudflare");
    }

    #[test]
    fn products_of_a_cloud_arm_name_it_over_the_parent() {
        let r = extract(&PressInput {
            title: "",
            text: "Google suffered an outage on Friday: BigQuery and Cloud Spanner returned \
                   errors for three hours. Customers were unable to run queries.",
            published: Some(utc("2022-07-02T00:00:00Z")),
            ..PressInput::default()
        })
        .expect("an outage");
        assert_eq!(r.vendor.value, "Google Cloud");
        let services: Vec<&str> = r.services.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(services, vec!["BigQuery", "Cloud Spanner"]);
    }

    #[test]
    fn next_update_promises_are_not_onsets() {
        let r = extract(&PressInput {
            title: "",
            text: "We are experiencing an issue with Google BigQuery.\nWe will provide an \
                   update by Friday, 2022-07-01 07:50 US/Pacific with current details.\nThe \
                   issue with Google BigQuery has been resolved for all affected users as of \
                   Friday, 2022-07-01 12:23 US/Pacific.",
            ..PressInput::default()
        })
        .expect("an incident report");
        let start = r.start.expect("the day it was under way");
        assert_eq!(start.precision, Precision::Day);
        assert_eq!(start.at, utc("2022-07-01T00:00:00Z"));
        assert_eq!(r.end, None);
    }
}
