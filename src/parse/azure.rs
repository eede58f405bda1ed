//! Microsoft Azure status: the RSS feed of active events ([`Format::AzureRss`]) and the status
//! history page of post-incident reviews ([`Format::AzureHistory`]).
//!
//! **RSS.** Zero items is Azure's normal healthy state, so an empty channel titled "Azure Status"
//! is `Ok(vec![])`; anything else (an HTML error page, a WAF interstitial, a channel with another
//! title) is an error, never an "all clear". Items are "Service – Region – Status" titles
//! (optionally prefixed "[RESOLVED]"), HTML descriptions, `<category>` elements carrying service
//! area and region, and `pubDate`s with a bare `Z`. Regions come from categories and the title
//! only: descriptions name other regions for context. Start is the window or onset the
//! description states, else the `pubDate`; end is set once the item says resolved or mitigated.
//! Azure publishes no severity, so it is `unknown`.
//!
//! | title status word                      | status        |
//! |----------------------------------------|---------------|
//! | `[RESOLVED]` prefix, Resolved, Mitigated | resolved    |
//! | Identified                              | identified    |
//! | Monitoring                              | monitoring    |
//! | Investigating, Active, none             | investigating |
//!
//! **History.** Each entry is a PIR/RCA: title, tracking id (the native id, as in the RSS
//! description's "Tracking ID"), the impact window stated in prose (see
//! [`crate::extract::window`]), services and regions from the title and the summary paragraph, and
//! the root-cause section as the cause. Both page layouts are read: the older
//! `div.incident-history-item` with a date stamp, and the newer `h3` "… (Tracking ID XXXX-XXX)"
//! sections. Entries are past events, so they are resolved. Azure China posts write China Standard
//! Time as "CST", which is read as UTC+8 there.

use std::sync::LazyLock;

use chrono::{FixedOffset, NaiveDate};
use regex::Regex;
use scraper::{ElementRef, Html, Selector};

use super::{ParseContext, ParseError, rca};
use crate::extract::region::{self, Provider};
use crate::extract::text::{clean_text, html_to_text, one_line, sentences, truncate_chars};
use crate::extract::time::{parse_feed_date, zone_offset};
use crate::extract::window::{self, ImpactWindow};
use crate::model::{
    Format, Incident, ReportKind, Severity, SourceRef, Status, Update, incident_id, slug,
};

const DEFAULT_VENDOR: &str = "Azure";
const CHANNEL_TITLE: &str = "Azure Status";
const MAX_QUOTE_CHARS: usize = 300;

/// Which of this module's formats the start of a document is, if any.
pub fn looks_like(head: &str) -> Option<Format> {
    let trimmed = head.trim_start();
    if !trimmed.starts_with('<') {
        return None;
    }
    let is_rss = trimmed.contains("<rss");
    if is_rss {
        let azure = trimmed.contains("<title>Azure Status</title>")
            || trimmed.contains("azure.status.microsoft")
            || trimmed.contains("status.azure.com");
        return azure.then_some(Format::AzureRss);
    }
    if trimmed.contains("<feed") {
        return None;
    }
    let history = trimmed.contains("incident-history-item") || TRACKING_HEADING.is_match(trimmed);
    history.then_some(Format::AzureHistory)
}

static TRACKING_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"Tracking ID:?\s*([A-Z0-9_]{3,5}-[A-Z0-9_]{2,4})\b").expect("constant pattern")
});

/// The newer history layout's entry heading: "<h3 …>Post Incident Review (PIR) – … (Tracking ID
/// XXXX-XXX)</h3>".
static TRACKING_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<h[2-4][^>]*>[^<]*Tracking ID:?\s*[A-Z0-9_]{3,5}-[A-Z0-9_]{2,4}")
        .expect("constant pattern")
});

static CLAUSE_SPLIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s+[-–—]\s+").expect("constant pattern"));

static RESOLVED_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*[\[(]\s*(resolved|mitigated)\s*[\])]\s*[-–—:]?\s*")
        .expect("constant pattern")
});

/// Azure's state words, as they open or close a title.
fn status_word(clause: &str) -> Option<Status> {
    match clause.trim().to_ascii_lowercase().as_str() {
        "resolved" | "mitigated" => Some(Status::Resolved),
        "identified" => Some(Status::Identified),
        "monitoring" => Some(Status::Monitoring),
        "investigating" | "active" | "ongoing" | "in progress" => Some(Status::Investigating),
        _ => None,
    }
}

/// Report-kind words that open history titles ("RCA - …", "Post Incident Review (PIR) – …").
fn report_word(clause: &str) -> bool {
    let lower = clause.trim().to_ascii_lowercase();
    lower == "rca"
        || lower == "pir"
        || lower.ends_with("post incident review (pir)")
        || lower.ends_with("post incident review")
}

/// A title split into its clauses, with leading and trailing status words taken off.
struct TitleParts {
    clauses: Vec<String>,
    /// The vendor's state word, lowercased ("resolved", "mitigated", "active").
    label: Option<String>,
    status: Option<Status>,
}

fn title_parts(title: &str) -> TitleParts {
    let mut label = None;
    let mut status = None;
    let mut rest = title.trim().to_string();
    if let Some(m) = RESOLVED_PREFIX.captures(&rest) {
        label = m.get(1).map(|w| w.as_str().to_ascii_lowercase());
        status = Some(Status::Resolved);
        let cut = m.get(0).map_or(0, |w| w.end());
        rest = rest.get(cut..).unwrap_or("").to_string();
    }
    let mut clauses: Vec<String> = CLAUSE_SPLIT
        .split(&rest)
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    for at_end in [true, false] {
        let candidate = if at_end {
            clauses.last()
        } else {
            clauses.first()
        };
        let Some(found) = candidate.and_then(|c| status_word(c).map(|s| (c.clone(), s))) else {
            continue;
        };
        if clauses.len() < 2 {
            break;
        }
        if at_end {
            clauses.pop();
        } else {
            clauses.remove(0);
        }
        label.get_or_insert(found.0.to_ascii_lowercase());
        status.get_or_insert(found.1);
    }
    TitleParts {
        clauses,
        label,
        status,
    }
}

/// Words that describe a problem rather than name a product.
const PROBLEM_WORDS: [&str; 26] = [
    "issue",
    "issues",
    "error",
    "errors",
    "failure",
    "failures",
    "outage",
    "unavailable",
    "connectivity",
    "latency",
    "degraded",
    "degradation",
    "impact",
    "impacted",
    "intermittent",
    "problems",
    "availability",
    "timeouts",
    "access",
    "accessing",
    "unable",
    "delays",
    "event",
    "incident",
    "impacting",
    "affecting",
];

/// "Azure Cosmos DB", "Azure Database for MySQL", "Virtual Machines (VMs)" -> the product name
/// (abbreviation in brackets and trailing lowercase nouns such as "accounts" dropped), or `None`
/// for prose, problems and places.
fn product_name(item: &str) -> Option<String> {
    let mut s = item
        .trim()
        .trim_matches(|c: char| matches!(c, ',' | ';' | '.' | ':'));
    for lead in ["and ", "or ", "the "] {
        s = s.strip_prefix(lead).unwrap_or(s);
    }
    for tail in [
        " accounts",
        " instances",
        " resources",
        " services",
        " deployments",
    ] {
        s = s.strip_suffix(tail).unwrap_or(s);
    }
    let s = match s.rfind(" (") {
        Some(open) if s.ends_with(')') => s.get(..open).unwrap_or(s),
        _ => s,
    }
    .trim();
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.is_empty() || words.len() > 7 {
        return None;
    }
    let connector = |w: &str| matches!(w, "for" | "from" | "of" | "and" | "on");
    let name_like = words.iter().all(|w| {
        connector(w)
            || w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    });
    let problem = words.iter().any(|w| {
        let bare = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        PROBLEM_WORDS.contains(&bare.as_str())
    });
    let first_upper = s.chars().next().is_some_and(char::is_uppercase);
    // Clouds and scopes that titles put where a product would be.
    let scope = matches!(
        s.to_ascii_lowercase().as_str(),
        "azure"
            | "microsoft azure"
            | "azure government"
            | "azure china"
            | "multiple regions"
            | "multiple services"
    );
    if !name_like || problem || scope || !first_upper || status_word(s).is_some() || report_word(s)
    {
        return None;
    }
    if is_place(s) {
        return None;
    }
    Some(s.to_string())
}

/// True when a clause names only places ("North Europe / West Europe", "Argentina and Uruguay").
fn is_place(clause: &str) -> bool {
    let mentions = region::find_in_text_in(Provider::Azure, clause);
    if mentions.is_empty() {
        return false;
    }
    let mut rest = String::new();
    let mut last = 0;
    for m in &mentions {
        rest.push_str(clause.get(last..m.start).unwrap_or(""));
        rest.push(' ');
        last = m.end;
    }
    rest.push_str(clause.get(last..).unwrap_or(""));
    rest.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|w| {
            matches!(
                w.to_ascii_lowercase().as_str(),
                "and" | "or" | "the" | "in" | "region" | "regions" | "multiple" | "azure"
            )
        })
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !value.is_empty() && !list.contains(&value) {
        list.push(value);
    }
}

fn push_regions(list: &mut Vec<String>, text: &str) {
    for m in region::find_in_text_in(Provider::Azure, text) {
        push_unique(list, m.label().to_string());
    }
}

/// Azure China posts write China Standard Time as "CST"; elsewhere it is US Central.
fn zone_reader(china: bool) -> impl Fn(&str) -> Option<FixedOffset> {
    move |z: &str| {
        if china && z.eq_ignore_ascii_case("CST") {
            FixedOffset::east_opt(8 * 3600)
        } else {
            zone_offset(z)
        }
    }
}

fn mentions_china(text: &str) -> bool {
    text.contains("China")
}

// ---------------------------------------------------------------------------------------------
// RSS

/// Parses the Azure status RSS (see the module documentation for what is refused).
pub fn parse_rss(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    let parser = feed_rs::parser::Builder::new()
        .timestamp_parser(parse_feed_date)
        // Missing guids stay empty so they are not mistaken for stable ids.
        .id_generator(|_, _, _| String::new())
        .build();
    let feed = parser.parse(bytes).map_err(|e| ParseError::Feed {
        format: Format::AzureRss,
        message: format!("not an RSS document: {e}"),
    })?;
    if !matches!(
        feed.feed_type,
        feed_rs::model::FeedType::RSS2 | feed_rs::model::FeedType::RSS0
    ) {
        return Err(ParseError::Invalid {
            format: Format::AzureRss,
            message: format!("expected an RSS channel, found {:?}", feed.feed_type),
        });
    }
    let title = feed
        .title
        .as_ref()
        .map(|t| one_line(&t.content))
        .unwrap_or_default();
    if !title.eq_ignore_ascii_case(CHANNEL_TITLE) {
        return Err(ParseError::Invalid {
            format: Format::AzureRss,
            message: format!(
                "channel titled {title:?}, not {CHANNEL_TITLE:?}: refusing to read it as Azure status"
            ),
        });
    }
    let vendor = ctx.vendor.as_deref().unwrap_or(DEFAULT_VENDOR);
    let total = feed.entries.len();
    let incidents: Vec<Incident> = feed
        .entries
        .iter()
        .filter_map(|entry| rss_incident(entry, vendor, ctx))
        .collect();
    if incidents.is_empty() && total > 0 {
        return Err(ParseError::Invalid {
            format: Format::AzureRss,
            message: format!("none of the {total} items has a title"),
        });
    }
    Ok(incidents)
}

/// Category values that are neither a region nor a service.
fn is_scope_filler(category: &str) -> bool {
    matches!(
        category.trim().to_ascii_lowercase().as_str(),
        "multiple regions" | "non-regional" | "all regions" | "multiple services" | ""
    )
}

fn rss_incident(
    entry: &feed_rs::model::Entry,
    vendor: &str,
    ctx: &ParseContext,
) -> Option<Incident> {
    let raw_title = entry
        .title
        .as_ref()
        .map(|t| one_line(&clean_text(&t.content)))
        .filter(|t| !t.is_empty())?;
    let parts = title_parts(&raw_title);
    let title = parts.clauses.join(" – ");
    let description = entry
        .summary
        .as_ref()
        .map(|t| t.content.as_str())
        .or_else(|| entry.content.as_ref().and_then(|c| c.body.as_deref()))
        .map(html_to_text)
        .unwrap_or_default();
    let posted = entry.published.or(entry.updated);

    let mut regions = Vec::new();
    let mut services = Vec::new();
    for category in &entry.categories {
        let term = one_line(&clean_text(&category.term));
        if is_scope_filler(&term) {
            continue;
        }
        match region::lookup_in(Provider::Azure, &term)
            .or_else(|| region::lookup_in(Provider::Generic, &term))
        {
            Some(r) => push_unique(&mut regions, r.label().to_string()),
            None => push_unique(&mut services, term),
        }
    }
    push_regions(&mut regions, &title);
    if services.is_empty() {
        for clause in &parts.clauses {
            if let Some(name) = product_name(clause) {
                push_unique(&mut services, name);
            }
        }
    }

    let status = parts.status.unwrap_or(Status::Investigating);
    let reference = posted.map(|t| t.date_naive());
    let zones = zone_reader(mentions_china(&raw_title) || mentions_china(&description));
    let stated = window::impact_window_with(&description, reference, &zones);
    let start = stated
        .map(|w| w.start)
        .or_else(|| window::onset_with(&description, reference, &zones))
        .or(posted);
    let end = status
        .is_closed()
        .then(|| stated.map(|w| w.end).or(posted))
        .flatten();

    let native = TRACKING_ID
        .captures(&format!("{raw_title}\n{description}"))
        .and_then(|c| c.get(1).map(|m| m.as_str().to_string()))
        .or_else(|| {
            let guid = entry.id.trim();
            (!guid.is_empty() && guid.len() <= 100).then(|| guid.to_string())
        })
        // No id at all: the title without its status words, which survives the status changes.
        .unwrap_or_else(|| slug(&title));
    let cause = rca::cause_in(std::iter::once(description.as_str()));
    let url = entry
        .links
        .iter()
        .map(|l| l.href.trim().to_string())
        .find(|h| h.starts_with("https://") || h.starts_with("http://"))
        .or_else(|| ctx.url.clone());
    let quote = truncate_chars(
        &one_line(&format!("{raw_title}: {description}")),
        MAX_QUOTE_CHARS,
    );
    Some(Incident {
        id: incident_id(vendor, &native),
        vendor: vendor.to_string(),
        title: if title.is_empty() {
            raw_title.clone()
        } else {
            title
        },
        start,
        end,
        status,
        severity: Severity::Unknown,
        severity_native: None,
        stated_minutes: None,
        regions,
        services,
        cause,
        updates: vec![Update {
            at: posted,
            status: parts.label.unwrap_or_default(),
            text: description,
        }],
        sources: vec![SourceRef {
            url,
            kind: ReportKind::Status,
            quote: Some(quote),
        }],
    })
}

// ---------------------------------------------------------------------------------------------
// History page

/// One post-incident review as the page lays it out.
struct HistoryEntry {
    title: String,
    tracking: Option<String>,
    /// The date stamp of the older layout; the reference for years the prose leaves out.
    date: Option<NaiveDate>,
    /// Plain text, one paragraph per line.
    body: String,
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("constant selector")
}

static OLD_ITEM: LazyLock<Selector> = LazyLock::new(|| selector("div.incident-history-item"));
static OLD_TITLE: LazyLock<Selector> = LazyLock::new(|| selector(".incident-history-title"));
static OLD_TRACKING: LazyLock<Selector> =
    LazyLock::new(|| selector(".incident-history-tracking-id"));
static OLD_DATE: LazyLock<Selector> = LazyLock::new(|| selector(".hide-text"));
static OLD_BODY: LazyLock<Selector> = LazyLock::new(|| selector(".card-body"));
static HEADING: LazyLock<Selector> = LazyLock::new(|| selector("h2, h3, h4"));

/// Parses a status history page (or a fragment holding one or more of its entries) into one
/// resolved incident per post-incident review.
pub fn parse_history(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    let html = String::from_utf8_lossy(bytes);
    let document = Html::parse_document(&html);
    let entries = history_entries(&document);
    if entries.is_empty() {
        return Err(ParseError::Invalid {
            format: Format::AzureHistory,
            message: "no status history entries (neither incident-history-item blocks nor \
                      headings with a Tracking ID)"
                .into(),
        });
    }
    let vendor = ctx.vendor.as_deref().unwrap_or(DEFAULT_VENDOR);
    let total = entries.len();
    let incidents: Vec<Incident> = entries
        .into_iter()
        .filter_map(|e| history_incident(e, vendor, ctx))
        .collect();
    if incidents.is_empty() {
        return Err(ParseError::Invalid {
            format: Format::AzureHistory,
            message: format!("none of the {total} history entries has a tracking id"),
        });
    }
    Ok(incidents)
}

fn element_text(e: ElementRef<'_>) -> String {
    one_line(&clean_text(&e.text().collect::<String>()))
}

fn history_entries(document: &Html) -> Vec<HistoryEntry> {
    let mut out = Vec::new();
    for item in document.select(&OLD_ITEM) {
        let title = item
            .select(&OLD_TITLE)
            .next()
            .map(element_text)
            .unwrap_or_default();
        let tracking = item
            .select(&OLD_TRACKING)
            .next()
            .map(element_text)
            .map(|t| {
                t.trim_start_matches("Tracking ID")
                    .trim_start_matches(':')
                    .trim()
                    .to_string()
            });
        let date = item
            .select(&OLD_DATE)
            .next()
            .map(element_text)
            .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%m/%d/%Y").ok());
        let body = item.select(&OLD_BODY).next().map_or_else(
            || html_to_text(&item.inner_html()),
            |b| html_to_text(&b.inner_html()),
        );
        out.push(HistoryEntry {
            title,
            tracking,
            date,
            body,
        });
    }
    if !out.is_empty() {
        return out;
    }
    // Newer layout: "<h3>Post Incident Review (PIR) – … (Tracking ID XXXX-XXX)</h3>" followed by
    // the review's paragraphs, inside one container per entry.
    for heading in document.select(&HEADING) {
        let text = element_text(heading);
        let Some(caps) = TRACKING_ID.captures(&text) else {
            continue;
        };
        let tracking = caps.get(1).map(|m| m.as_str().to_string());
        let whole = caps.get(0).map_or("", |m| m.as_str());
        let title = text
            .replace(&format!("({whole})"), "")
            .replace(whole, "")
            .trim()
            .to_string();
        let body_html: String = heading
            .next_siblings()
            .filter_map(|n| {
                ElementRef::wrap(n).map(|e| e.html()).or_else(|| {
                    n.value()
                        .as_text()
                        .map(|t| html_escape::encode_text(&t.to_string()).into_owned())
                })
            })
            .collect();
        out.push(HistoryEntry {
            title,
            tracking,
            date: None,
            body: html_to_text(&body_html),
        });
    }
    out
}

/// The paragraph that states the impact: "Summary of impact: …", else the first paragraph after
/// "What happened?", else the first paragraph.
fn summary_paragraph(body: &str) -> &str {
    let lines: Vec<&str> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    for (i, line) in lines.iter().enumerate() {
        let lower = line.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("summary of impact") {
            let cut = line.len() - rest.len();
            let text = line.get(cut..).unwrap_or("").trim_start_matches([':', ' ']);
            if !text.is_empty() {
                return line.get(line.len() - text.len()..).unwrap_or(line);
            }
            return lines.get(i + 1).copied().unwrap_or("");
        }
        if lower.trim_end_matches('?') == "what happened" {
            return lines.get(i + 1).copied().unwrap_or("");
        }
    }
    lines.first().copied().unwrap_or("")
}

static USING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:customers|users)\s+(?:using|leveraging|with)\s+(.+?)(?:\s+(?:in|may|might|experienced|were|was|whose|who|to|that|which|across)\b|[.;]|$)",
    )
    .expect("constant pattern")
});

static LIST_SPLIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r",\s*(?:and\s+|or\s+)?|\s+and/or\s+|\s+and\s+|\s+or\s+").expect("constant pattern")
});

fn history_incident(entry: HistoryEntry, vendor: &str, ctx: &ParseContext) -> Option<Incident> {
    let tracking = entry.tracking.filter(|t| {
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
    })?;
    let parts = title_parts(&entry.title);
    let summary = summary_paragraph(&entry.body);
    let reference = entry.date.or_else(|| ctx.published.map(|p| p.date_naive()));
    let zones = zone_reader(mentions_china(&entry.title) || mentions_china(summary));
    // The summary's window; else its stated onset (the end is then unknown); only then a window
    // elsewhere in the review, which may be a sub-window of one service.
    let (start, end) = match window::impact_window_with(summary, reference, &zones) {
        Some(w) => (Some(w.start), Some(w.end)),
        None => match window::onset_with(summary, reference, &zones) {
            Some(onset) => (Some(onset), None),
            None => window::impact_window_with(&entry.body, reference, &zones)
                .map_or((None, None), |w: ImpactWindow| (Some(w.start), Some(w.end))),
        },
    };

    let mut regions = Vec::new();
    push_regions(&mut regions, &entry.title);
    push_regions(&mut regions, summary);

    let mut services = Vec::new();
    for clause in &parts.clauses {
        // A clause is a list of products only if every item is one ("SQL Database and App
        // Service"); "Services impacted by power, BIOS, and Virtual Machine issues" is prose.
        let names: Option<Vec<String>> = LIST_SPLIT.split(clause).map(product_name).collect();
        for name in names.unwrap_or_default() {
            push_unique(&mut services, name);
        }
    }
    for sentence in sentences(summary).into_iter().take(2) {
        for caps in USING.captures_iter(sentence) {
            let Some(list) = caps.get(1) else { continue };
            for item in LIST_SPLIT.split(list.as_str()) {
                if let Some(name) = product_name(item) {
                    push_unique(&mut services, name);
                }
            }
        }
    }

    let cause = rca::cause_in(std::iter::once(entry.body.as_str()));
    let kind_label = parts.label.clone().unwrap_or_else(|| {
        let lower = entry.title.to_ascii_lowercase();
        if lower.starts_with("rca") {
            "rca".into()
        } else if lower.contains("post incident review") {
            "post incident review".into()
        } else {
            String::new()
        }
    });
    let quote_source = if summary.is_empty() {
        entry.body.as_str()
    } else {
        summary
    };
    let quote = truncate_chars(quote_source, MAX_QUOTE_CHARS);
    let url = ctx.url.clone();
    Some(Incident {
        id: incident_id(vendor, &tracking),
        vendor: vendor.to_string(),
        title: if entry.title.is_empty() {
            format!("Azure incident {tracking}")
        } else {
            entry.title
        },
        start,
        end,
        status: Status::Resolved,
        severity: Severity::Unknown,
        severity_native: None,
        stated_minutes: None,
        regions,
        services,
        cause,
        updates: vec![Update {
            // The page dates entries by day only; no time is invented.
            at: None,
            status: kind_label,
            text: entry.body,
        }],
        sources: vec![SourceRef {
            url,
            kind: ReportKind::Status,
            quote: Some(quote),
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .expect("test time")
    }

    #[test]
    fn title_clauses_and_status_words() {
        let p = title_parts("[RESOLVED] Virtual Machines – East US – Service degradation");
        assert_eq!(
            p.clauses,
            vec!["Virtual Machines", "East US", "Service degradation"]
        );
        assert_eq!(p.status, Some(Status::Resolved));
        assert_eq!(p.label.as_deref(), Some("resolved"));
        let p = title_parts("Azure Front Door - Mitigated");
        assert_eq!(p.clauses, vec!["Azure Front Door"]);
        assert_eq!(p.label.as_deref(), Some("mitigated"));
        let p = title_parts("Mitigated - Microsoft Graph API");
        assert_eq!(p.clauses, vec!["Microsoft Graph API"]);
        let p = title_parts("Storage - West Europe - Investigating");
        assert_eq!(p.status, Some(Status::Investigating));
        let p = title_parts("Resolved");
        assert_eq!(p.clauses, vec!["Resolved"]);
        assert_eq!(p.status, None);
    }

    #[test]
    fn product_names_versus_prose_and_places() {
        assert_eq!(
            product_name("Azure Cosmos DB accounts").as_deref(),
            Some("Azure Cosmos DB")
        );
        assert_eq!(
            product_name("Virtual Machines (VMs)").as_deref(),
            Some("Virtual Machines")
        );
        assert_eq!(
            product_name("and Azure Database for MariaDB").as_deref(),
            Some("Azure Database for MariaDB")
        );
        assert_eq!(product_name("Storage").as_deref(), Some("Storage"));
        assert_eq!(
            product_name("Issues accessing Azure resources via ARM"),
            None
        );
        assert_eq!(product_name("Azure Cosmos DB connectivity issues"), None);
        assert_eq!(product_name("North Europe / West Europe"), None);
        assert_eq!(product_name("Argentina and Uruguay"), None);
        assert_eq!(product_name("resources that leverage ARM"), None);
        assert_eq!(product_name("RCA"), None);
        assert_eq!(product_name("Azure Government"), None);
        assert_eq!(product_name("Multiple Regions"), None);
    }

    #[test]
    fn summary_paragraph_in_both_layouts() {
        assert_eq!(
            summary_paragraph("Summary of impact: Between 1 and 2.\nRoot Cause: x"),
            "Between 1 and 2."
        );
        assert_eq!(
            summary_paragraph(
                "Watch the video\nWhat happened?\nBetween 3 and 4.\nWhat went wrong and why?"
            ),
            "Between 3 and 4."
        );
        assert_eq!(
            summary_paragraph("Between 5 and 6.\nMore"),
            "Between 5 and 6."
        );
    }

    #[test]
    fn china_posts_read_cst_as_china_time() {
        let china = zone_reader(true);
        let us = zone_reader(false);
        assert_eq!(china("CST"), FixedOffset::east_opt(8 * 3600));
        assert_eq!(us("CST"), FixedOffset::west_opt(6 * 3600));
        let html = r#"<div class="column small-11"><h3>Post Incident Review (PIR) – Azure Resource Manager – Control plane issues in China North 3 (Tracking ID 1234-AB8)</h3><p><strong>What happened?</strong></p><p>Between 08:00 and 21:30 CST on 5 September 2024, customers in the Azure China regions were seeing delays.</p></div>"#;
        let got = parse_history(html.as_bytes(), &ParseContext::default()).expect("parse");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].id, "azure:1234-AB8");
        assert_eq!(got[0].start, Some(utc("2024-09-05T00:00:00Z")));
        assert_eq!(got[0].end, Some(utc("2024-09-05T13:30:00Z")));
        assert_eq!(got[0].regions, vec!["chinanorth3", "China"]);
        assert_eq!(got[0].services, vec!["Azure Resource Manager"]);
    }

    #[test]
    fn detection_tells_feed_from_history() {
        assert_eq!(
            looks_like(
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Azure Status</title>"
            ),
            Some(Format::AzureRss)
        );
        assert_eq!(
            looks_like("<rss version=\"2.0\"><channel><title>Other</title>"),
            None
        );
        assert_eq!(
            looks_like("<div class=\"col-sm-11 incident-history-item\">"),
            Some(Format::AzureHistory)
        );
        assert_eq!(
            looks_like("<html><body>Service Unavailable</body></html>"),
            None
        );
        assert_eq!(looks_like("{\"a\": 1}"), None);
    }

    #[test]
    fn history_without_entries_is_an_error() {
        assert!(matches!(
            parse_history(
                b"<html><body><p>Nothing here</p></body></html>",
                &ParseContext::default()
            ),
            Err(ParseError::Invalid { .. })
        ));
    }
}
