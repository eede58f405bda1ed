//! Google Cloud status: `incidents.json` ([`Format::GcpJson`], the same schema serves Google
//! Workspace, Firebase and Play) and the Atom feed `status.cloud.google.com/en/feed.atom`
//! ([`Format::GcpAtom`], one entry per update, grouped here by the incident link).
//!
//! Both forms of one incident get the same id, `incident_id(vendor, <GCP incident id>)`, the id
//! in `incidents.json` and the last segment of the feed's incident link.
//!
//! Severity (`severity_native` keeps GCP's words, e.g. `"high/SERVICE_OUTAGE"`):
//!
//! | `status_impact`       | else `severity` | severity |
//! |-----------------------|-----------------|----------|
//! | `SERVICE_OUTAGE`      | `high`          | critical |
//! | `SERVICE_DISRUPTION`  | `medium`        | major    |
//! | `SERVICE_INFORMATION` | `low`           | minor    |
//! | absent or other       | absent or other | unknown  |
//!
//! `SERVICE_INFORMATION` is minor rather than none: GCP files real but narrow impact under it
//! ("Lower throughput from the Read API", "Elevated packet loss in europe-north1"). The Atom feed
//! carries no severity, so its incidents are `unknown`.
//!
//! Status: an incident with an `end` is resolved. An open one takes the latest update: `AVAILABLE`
//! is resolved; a `SERVICE_*` update is read from GCP's template wording, because GCP publishes
//! no phase: "mitigated" is monitoring, "mitigation work is underway" or "identified" is
//! identified, anything else investigating.
//!
//! Regions are the union of the previously and currently affected locations, as region
//! vocabulary labels (`"global"` stays `"global"`, unknown ids are kept as GCP writes them); an
//! incident that lists none takes the regions its title names.
//!
//! Update texts are Markdown; they are stored as plain text (headings, emphasis and escapes
//! dropped, links kept as "text (url)"). The cause is the causal sentence of the newest report's
//! "Root Cause" section, else the newest stated "root cause … was …" sentence.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use regex::Regex;
use serde::Deserialize;

use super::{ParseContext, ParseError, rca};
use crate::extract::region::{self, Provider};
use crate::extract::text::{clean_text, html_to_text, one_line, truncate_chars};
use crate::model::{
    Format, Incident, ReportKind, Severity, SourceRef, Status, Update, incident_id,
};

const DEFAULT_VENDOR: &str = "Google Cloud";
const DEFAULT_BASE: &str = "https://status.cloud.google.com/";
const MAX_QUOTE_CHARS: usize = 300;

/// Which of this module's formats the start of a document is, if any.
pub fn looks_like(head: &str) -> Option<Format> {
    let trimmed = head.trim_start();
    if trimmed.starts_with('[') {
        let gcp_keys = trimmed.contains("\"external_desc\"")
            && (trimmed.contains("\"status_impact\"") || trimmed.contains("\"service_key\""));
        return gcp_keys.then_some(Format::GcpJson);
    }
    let is_atom = trimmed.starts_with('<') && trimmed.contains("<feed");
    // Only the feed's own header identifies it: entries of other feeds (outage indexes, news)
    // may link to Google's incident pages.
    let header = trimmed.split("<entry").next().unwrap_or(trimmed);
    let google_status = [
        "tag:status.cloud.google.com",
        "status.cloud.google.com/incidents/",
        "status.firebase.google.com/incidents/",
        "status.play.google.com/incidents/",
        "appsstatus/dashboard/incidents/",
    ]
    .iter()
    .any(|marker| header.contains(marker));
    (is_atom && google_status).then_some(Format::GcpAtom)
}

#[derive(Debug, Deserialize)]
struct RawIncident {
    id: Option<String>,
    begin: Option<String>,
    created: Option<String>,
    end: Option<String>,
    external_desc: Option<String>,
    severity: Option<String>,
    status_impact: Option<String>,
    service_name: Option<String>,
    uri: Option<String>,
    affected_products: Option<Vec<Named>>,
    currently_affected_locations: Option<Vec<Named>>,
    previously_affected_locations: Option<Vec<Named>>,
    most_recent_update: Option<RawUpdate>,
    updates: Option<Vec<RawUpdate>>,
}

#[derive(Debug, Deserialize)]
struct Named {
    title: Option<String>,
    id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawUpdate {
    created: Option<String>,
    when: Option<String>,
    text: Option<String>,
    status: Option<String>,
}

impl RawUpdate {
    fn at(&self) -> Option<DateTime<Utc>> {
        self.when
            .as_deref()
            .and_then(rfc3339)
            .or_else(|| self.created.as_deref().and_then(rfc3339))
    }
}

/// Parses `incidents.json`: a JSON array, one element per incident. Elements that are not
/// incidents are skipped; if none of a non-empty array is, the document is refused.
pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    let json_error = |message: String| ParseError::Json {
        format: Format::GcpJson,
        message,
    };
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| json_error(e.to_string()))?;
    let serde_json::Value::Array(items) = value else {
        return Err(json_error(format!(
            "expected an array of incidents, found {}",
            json_kind(&value)
        )));
    };
    let total = items.len();
    let vendor = ctx.vendor.as_deref().unwrap_or(DEFAULT_VENDOR);
    let mut incidents = Vec::with_capacity(total);
    let mut first_problem: Option<String> = None;
    for (index, item) in items.into_iter().enumerate() {
        let converted = serde_json::from_value::<RawIncident>(item)
            .map_err(|e| e.to_string())
            .and_then(|raw| convert(raw, vendor, ctx));
        match converted {
            Ok(incident) => incidents.push(incident),
            Err(problem) => {
                tracing::warn!(index, %problem, "skipping GCP incidents.json entry");
                first_problem.get_or_insert(format!("entry {index}: {problem}"));
            }
        }
    }
    if incidents.is_empty() && total > 0 {
        return Err(json_error(format!(
            "none of the {total} entries is a usable incident ({})",
            first_problem.unwrap_or_default()
        )));
    }
    Ok(incidents)
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

fn convert(raw: RawIncident, vendor: &str, ctx: &ParseContext) -> Result<Incident, String> {
    let native = raw
        .id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .ok_or("no incident id")?;
    if !native
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
    {
        return Err(format!("incident id {native:?} is not a GCP id"));
    }
    let desc = raw
        .external_desc
        .as_deref()
        .map(plain_line)
        .unwrap_or_default();
    let title = if desc.is_empty() {
        raw.service_name
            .as_deref()
            .map(plain_line)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("Google Cloud incident {native}"))
    } else {
        desc.clone()
    };

    let mut raw_updates = raw.updates.unwrap_or_default();
    // Oldest first; GCP serves them newest first.
    raw_updates.sort_by_key(|u| u.at());
    let latest = raw_updates.last().or(raw.most_recent_update.as_ref());

    let end = raw.end.as_deref().and_then(rfc3339);
    let status = if end.is_some() {
        Status::Resolved
    } else {
        latest.map_or(Status::Unknown, |u| {
            update_status(u.status.as_deref(), u.text.as_deref().unwrap_or(""))
        })
    };
    let (severity, severity_native) =
        severity_of(raw.severity.as_deref(), raw.status_impact.as_deref());

    let mut services: Vec<String> = Vec::new();
    for product in raw.affected_products.unwrap_or_default() {
        if let Some(t) = product.title.as_deref().map(plain_line) {
            push_unique(&mut services, t);
        }
    }
    if services.is_empty() {
        if let Some(name) = raw.service_name.as_deref().map(plain_line) {
            if name != "Multiple Products" {
                push_unique(&mut services, name);
            }
        }
    }

    let mut regions: Vec<String> = Vec::new();
    let locations = raw
        .previously_affected_locations
        .unwrap_or_default()
        .into_iter()
        .chain(raw.currently_affected_locations.unwrap_or_default());
    for location in locations {
        if let Some(label) = location_label(location.id.as_deref(), location.title.as_deref()) {
            push_unique(&mut regions, label);
        }
    }
    if regions.is_empty() {
        // Older incidents list no locations but name them in the title ("us-east4: Cloud
        // Interconnects are experiencing latency", "[US Multiregion] …").
        // "2022-06-14 06:00 US/Pacific" is a time zone, not a place.
        let places = title.replace("US/Pacific", "");
        for m in region::find_in_text_in(Provider::Gcp, &places) {
            push_unique(&mut regions, m.label().to_string());
        }
    }

    let updates: Vec<Update> = raw_updates
        .iter()
        .map(|u| Update {
            at: u.at(),
            status: u
                .status
                .as_deref()
                .map(|s| one_line(s).to_lowercase())
                .unwrap_or_default(),
            text: markdown_to_text(u.text.as_deref().unwrap_or("")),
        })
        .collect();
    let cause = rca::cause_in(updates.iter().rev().map(|u| u.text.as_str()));

    let url = incident_url(ctx.url.as_deref(), raw.uri.as_deref(), native);
    let quote = (!desc.is_empty()).then(|| truncate_chars(&desc, MAX_QUOTE_CHARS));
    Ok(Incident {
        id: incident_id(vendor, native),
        vendor: vendor.to_string(),
        title,
        start: raw
            .begin
            .as_deref()
            .and_then(rfc3339)
            // The record's creation is the earliest time GCP vouches for when `begin` is absent.
            .or_else(|| raw.created.as_deref().and_then(rfc3339)),
        end,
        status,
        severity,
        severity_native,
        stated_minutes: None,
        regions,
        services,
        cause,
        updates,
        sources: vec![SourceRef {
            url,
            kind: ReportKind::Status,
            quote,
        }],
    })
}

fn rfc3339(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Vendor text made safe and single-line.
fn plain_line(s: &str) -> String {
    one_line(&clean_text(s))
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !value.is_empty() && !list.contains(&value) {
        list.push(value);
    }
}

/// See the module documentation for the table.
fn severity_of(severity: Option<&str>, impact: Option<&str>) -> (Severity, Option<String>) {
    let severity = severity.map(one_line).filter(|s| !s.is_empty());
    let impact = impact.map(one_line).filter(|s| !s.is_empty());
    let by_impact = impact.as_deref().and_then(|i| match i {
        "SERVICE_OUTAGE" => Some(Severity::Critical),
        "SERVICE_DISRUPTION" => Some(Severity::Major),
        "SERVICE_INFORMATION" => Some(Severity::Minor),
        _ => None,
    });
    let by_severity = severity
        .as_deref()
        .and_then(|s| match s.to_ascii_lowercase().as_str() {
            "high" => Some(Severity::Critical),
            "medium" => Some(Severity::Major),
            "low" => Some(Severity::Minor),
            _ => None,
        });
    let native = match (severity, impact) {
        (Some(s), Some(i)) => Some(format!("{s}/{i}")),
        (s, i) => s.or(i),
    };
    (
        by_impact.or(by_severity).unwrap_or(Severity::Unknown),
        native,
    )
}

/// The state an open incident is in, from its latest update (see the module documentation).
fn update_status(status: Option<&str>, text: &str) -> Status {
    match status.map(str::trim) {
        Some(s) if s.eq_ignore_ascii_case("AVAILABLE") || s.eq_ignore_ascii_case("RESOLVED") => {
            return Status::Resolved;
        }
        _ => {}
    }
    open_phase(text)
}

fn open_phase(text: &str) -> Status {
    let lower = text.to_lowercase();
    if lower.contains("has been mitigated") || lower.contains("have been mitigated") {
        Status::Monitoring
    } else if lower.contains("mitigation work is") || lower.contains("identified") {
        Status::Identified
    } else {
        Status::Investigating
    }
}

/// A location as stored: the region vocabulary's label, GCP's own id when the vocabulary does not
/// know it yet, or the label the title resolves to.
fn location_label(id: Option<&str>, title: Option<&str>) -> Option<String> {
    if let Some(id) = id.map(str::trim).filter(|s| !s.is_empty()) {
        if let Some(r) = gcp_region(id) {
            return Some(r.to_string());
        }
        let well_formed = id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if well_formed {
            return Some(id.to_string());
        }
    }
    title.and_then(gcp_region).map(str::to_string)
}

fn gcp_region(s: &str) -> Option<&'static str> {
    region::lookup_in(Provider::Gcp, s)
        .or_else(|| region::lookup_in(Provider::Generic, s))
        .map(|r| r.label())
}

/// The incident's own page: `uri` resolved against the document's URL (so Workspace and Firebase
/// links point at their own dashboards), refusing anything that is not http(s).
fn incident_url(base: Option<&str>, uri: Option<&str>, native: &str) -> Option<String> {
    let base = base
        .and_then(|b| url::Url::parse(b).ok())
        .or_else(|| url::Url::parse(DEFAULT_BASE).ok())?;
    let relative = uri
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map_or_else(|| format!("incidents/{native}"), str::to_string);
    let joined = base.join(&relative).ok()?;
    matches!(joined.scheme(), "http" | "https").then(|| joined.to_string())
}

static MD_LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[([^\[\]\n]+)\]\((https?://[^\s)]+)\)").expect("constant link pattern")
});

/// GCP update Markdown as plain text: heading marks, `**`/`__` emphasis and backslash escapes
/// (`\#`, `\*`) dropped, links kept as "text (url)", control characters removed.
fn markdown_to_text(md: &str) -> String {
    let linked = MD_LINK.replace_all(md, |c: &regex::Captures<'_>| {
        let group = |i: usize| c.get(i).map_or("", |m| m.as_str());
        let (text, href) = (group(1), group(2));
        if text == href {
            href.to_string()
        } else {
            format!("{text} ({href})")
        }
    });
    let mut lines: Vec<String> = Vec::new();
    for line in linked.lines() {
        let mut l = line.trim();
        let hashes = l.chars().take_while(|c| *c == '#').count();
        if hashes > 0
            && l.get(hashes..)
                .is_some_and(|r| r.is_empty() || r.starts_with(' '))
        {
            l = l
                .get(hashes..)
                .unwrap_or("")
                .trim()
                .trim_end_matches('#')
                .trim();
        }
        lines.push(unescape_emphasis(l));
    }
    clean_text(&lines.join("\n"))
}

fn unescape_emphasis(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|n| n.is_ascii_punctuation()) => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '*' | '_' if chars.peek() == Some(&c) => {
                chars.next();
            }
            other => out.push(other),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Atom feed

/// One feed entry, reduced to what an update carries.
struct AtomUpdate {
    at: Option<DateTime<Utc>>,
    label: String,
    title: String,
    text: String,
    began: Option<DateTime<Utc>>,
    ended: Option<DateTime<Utc>>,
    products: Vec<String>,
    locations: Vec<String>,
    quote: String,
}

static BEGAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)incident began at (\d{4}-\d{2}-\d{2} \d{1,2}:\d{2})(?:\s+and ended at (\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}))?[^\n]*?all times are ([A-Za-z_/]+)",
    )
    .expect("constant began pattern")
});

/// Parses the status Atom feed: entries are updates, grouped into one incident per incident link.
/// A feed that is not Google's is refused; Google's feed with no entries is an empty result.
pub fn parse_atom(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    let feed = feed_rs::parser::parse(bytes).map_err(|e| ParseError::Feed {
        format: Format::GcpAtom,
        message: e.to_string(),
    })?;
    let google = feed
        .title
        .as_ref()
        .is_some_and(|t| t.content.contains("Google"))
        || feed.id.contains("google.com")
        || feed.links.iter().any(|l| l.href.contains("google.com"));
    if !google {
        return Err(ParseError::Invalid {
            format: Format::GcpAtom,
            message: "not a Google status feed (no Google title, id or link)".into(),
        });
    }
    let vendor = ctx.vendor.as_deref().unwrap_or(DEFAULT_VENDOR);
    let mut groups: BTreeMap<String, (Option<String>, Vec<AtomUpdate>)> = BTreeMap::new();
    let total = feed.entries.len();
    for entry in &feed.entries {
        let link = entry
            .links
            .iter()
            .map(|l| l.href.trim())
            .find(|h| h.contains("/incidents/"));
        let native = link
            .and_then(|h| h.split(['?', '#']).next())
            .and_then(|h| h.trim_end_matches('/').rsplit('/').next())
            .or_else(|| native_from_entry_id(&entry.id))
            .filter(|n| {
                !n.is_empty()
                    && n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            });
        let Some(native) = native else {
            tracing::warn!(entry = %entry.id, "GCP feed entry without an incident link or id");
            continue;
        };
        let html = entry
            .summary
            .as_ref()
            .map(|t| t.content.as_str())
            .or_else(|| entry.content.as_ref().and_then(|c| c.body.as_deref()))
            .unwrap_or("");
        let raw_title = entry
            .title
            .as_ref()
            .map(|t| plain_line(&t.content))
            .unwrap_or_default();
        let update = atom_update(&raw_title, html, entry.updated.or(entry.published));
        let group = groups
            .entry(native.to_string())
            .or_insert_with(|| (link.map(str::to_string), Vec::new()));
        group.1.push(update);
    }
    if groups.is_empty() && total > 0 {
        return Err(ParseError::Invalid {
            format: Format::GcpAtom,
            message: format!("none of the {total} entries links to an incident"),
        });
    }
    let mut incidents: Vec<Incident> = groups
        .into_iter()
        .map(|(native, (link, mut updates))| {
            updates.sort_by_key(|u| u.at);
            atom_incident(vendor, &native, link, updates, ctx)
        })
        .collect();
    incidents.sort_by(|a, b| b.start.cmp(&a.start).then(a.id.cmp(&b.id)));
    Ok(incidents)
}

/// `tag:status.cloud.google.com,2022:feed:<incident>.<update>` -> `<incident>`.
fn native_from_entry_id(id: &str) -> Option<&str> {
    let rest = id.rsplit_once(":feed:")?.1;
    rest.split('.').next()
}

fn atom_update(raw_title: &str, html: &str, at: Option<DateTime<Utc>>) -> AtomUpdate {
    // "RESOLVED: Global: Cloud Monitoring …": the label is a leading all-capitals word.
    let (label, title) = match raw_title.split_once(": ") {
        Some((head, rest))
            if !head.is_empty() && head.chars().all(|c| c.is_ascii_uppercase() || c == ' ') =>
        {
            (head.to_lowercase(), rest.trim().to_string())
        }
        _ => (String::new(), raw_title.to_string()),
    };
    let text = html_to_text(html);
    let (began, ended) = match BEGAN.captures(&text) {
        Some(c) => {
            let zone = c.get(3).map_or("", |m| m.as_str());
            let at = |i: usize| c.get(i).and_then(|m| gcp_local_to_utc(m.as_str(), zone));
            (at(1), at(2))
        }
        None => (None, None),
    };
    let mut products = Vec::new();
    let mut locations = Vec::new();
    let mut body: Vec<&str> = Vec::new();
    for line in text.lines() {
        if let Some(list) = line.strip_prefix("Affected products:") {
            products.extend(split_list(list));
        } else if let Some(list) = line.strip_prefix("Affected locations:") {
            locations.extend(split_list(list));
        } else if !BEGAN.is_match(line) {
            body.push(line);
        }
    }
    let quote = truncate_chars(&one_line(&format!("{raw_title} {text}")), MAX_QUOTE_CHARS);
    AtomUpdate {
        at,
        label,
        title,
        text: body.join("\n"),
        began,
        ended,
        products,
        locations,
        quote,
    }
}

fn split_list(list: &str) -> impl Iterator<Item = String> + '_ {
    list.split(',').map(plain_line).filter(|s| !s.is_empty())
}

fn atom_incident(
    vendor: &str,
    native: &str,
    link: Option<String>,
    updates: Vec<AtomUpdate>,
    ctx: &ParseContext,
) -> Incident {
    let latest = updates.last();
    let start = updates
        .iter()
        .rev()
        .find_map(|u| u.began)
        .or_else(|| updates.first().and_then(|u| u.at));
    let end = latest.and_then(|u| u.ended);
    let status = match latest {
        Some(u) if end.is_some() || u.label == "resolved" => Status::Resolved,
        Some(u) => open_phase(&u.text),
        None => Status::Unknown,
    };
    let mut services = Vec::new();
    let mut regions = Vec::new();
    if let Some(u) = latest {
        for p in &u.products {
            push_unique(&mut services, p.clone());
        }
        for l in &u.locations {
            if let Some(label) = location_label(None, Some(l)) {
                push_unique(&mut regions, label);
            }
        }
    }
    let url = link
        .filter(|l| l.starts_with("https://") || l.starts_with("http://"))
        .or_else(|| incident_url(ctx.url.as_deref(), None, native));
    let cause = rca::cause_in(updates.iter().rev().map(|u| u.text.as_str()));
    Incident {
        id: incident_id(vendor, native),
        vendor: vendor.to_string(),
        title: latest
            .map(|u| u.title.clone())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| format!("Google Cloud incident {native}")),
        start,
        end,
        status,
        severity: Severity::Unknown,
        severity_native: None,
        stated_minutes: None,
        regions,
        services,
        cause,
        sources: vec![SourceRef {
            url,
            kind: ReportKind::Status,
            quote: latest.map(|u| u.quote.clone()),
        }],
        updates: updates
            .into_iter()
            .map(|u| Update {
                at: u.at,
                status: u.label,
                text: u.text,
            })
            .collect(),
    }
}

/// "2022-03-31 08:30" in the zone the feed names: US/Pacific (with daylight saving) or UTC.
fn gcp_local_to_utc(local: &str, zone: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").ok()?;
    match zone.to_ascii_lowercase().as_str() {
        "us/pacific" | "america/los_angeles" => us_pacific_to_utc(naive),
        "utc" | "gmt" | "etc/utc" => Some(naive.and_utc()),
        _ => None,
    }
}

/// US Pacific wall-clock time to UTC under the US daylight-saving rules (since 2007: second
/// Sunday of March to first Sunday of November; 1987–2006: first Sunday of April to last Sunday of
/// October; both at 02:00 local). The skipped spring hour does not exist and gives `None`; the
/// repeated autumn hour is read as daylight time, its first occurrence.
fn us_pacific_to_utc(naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    let year = naive.year();
    let (dst_start, dst_end) = if year >= 2007 {
        (nth_sunday(year, 3, 2)?, nth_sunday(year, 11, 1)?)
    } else if year >= 1987 {
        (nth_sunday(year, 4, 1)?, last_sunday(year, 10)?)
    } else {
        return None;
    };
    let two = NaiveTime::from_hms_opt(2, 0, 0)?;
    let spring = dst_start.and_time(two);
    let autumn = dst_end.and_time(two);
    let offset_hours = if naive < spring {
        8
    } else if naive < spring + Duration::hours(1) {
        return None;
    } else if naive < autumn {
        7
    } else {
        8
    };
    Some((naive + Duration::hours(offset_hours)).and_utc())
}

fn nth_sunday(year: i32, month: u32, n: u32) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sun, u8::try_from(n).ok()?)
}

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    (1..=5)
        .rev()
        .find_map(|n| NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sun, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .expect("test time")
    }

    fn ctx() -> ParseContext {
        ParseContext::default()
    }

    const ONE: &str = r###"[{
        "id": "abcDEF123", "number": "1",
        "begin": "2022-03-31T15:30:00+00:00", "created": "2022-03-31T18:40:18+00:00",
        "end": "2022-03-31T22:54:00+00:00", "modified": "2022-04-18T20:16:50+00:00",
        "external_desc": "Global: Cloud Monitoring\nmetrics  unavailable ",
        "severity": "high", "status_impact": "SERVICE_OUTAGE",
        "service_key": "x", "service_name": "Multiple Products", "uri": "incidents/abcDEF123",
        "affected_products": [{"title": "Cloud Monitoring", "id": "a"}, {"title": "Google Cloud Pub/Sub", "id": "b"}],
        "currently_affected_locations": [],
        "previously_affected_locations": [{"title": "Global", "id": "global"}, {"title": "Iowa (us-central1)", "id": "us-central1"}, {"title": "Multi-region: eu", "id": "eu"}, {"title": "Somewhere (xx-new9)", "id": "xx-new9"}],
        "most_recent_update": {"when": "2022-04-18T20:16:50+00:00", "status": "AVAILABLE", "text": "done"},
        "updates": [
          {"when": "2022-04-18T20:16:50+00:00", "status": "AVAILABLE", "text": "## Incident Report\n**Root Cause**\nOur investigation found the cause was a backend configuration change. More.\n**Remediation and Prevention**\nReverted \\#1."},
          {"when": "2022-03-31T18:40:17+00:00", "status": "SERVICE_OUTAGE", "text": "Summary: **Metrics** unavailable, see [docs](https://cloud.google.com/x)"}
        ]
    }]"###;

    #[test]
    fn json_incident_maps_every_field() {
        let got = parse(ONE.as_bytes(), &ctx()).expect("parse");
        assert_eq!(got.len(), 1);
        let i = &got[0];
        assert_eq!(i.id, "google-cloud:abcDEF123");
        assert_eq!(i.vendor, "Google Cloud");
        assert_eq!(i.title, "Global: Cloud Monitoring metrics unavailable");
        assert_eq!(i.start, Some(utc("2022-03-31T15:30:00Z")));
        assert_eq!(i.end, Some(utc("2022-03-31T22:54:00Z")));
        assert_eq!(i.status, Status::Resolved);
        assert_eq!(i.severity, Severity::Critical);
        assert_eq!(i.severity_native.as_deref(), Some("high/SERVICE_OUTAGE"));
        assert_eq!(i.services, vec!["Cloud Monitoring", "Google Cloud Pub/Sub"]);
        assert_eq!(i.regions, vec!["global", "us-central1", "eu", "xx-new9"]);
        assert_eq!(
            i.cause.as_deref(),
            Some("Our investigation found the cause was a backend configuration change.")
        );
        assert_eq!(i.updates.len(), 2);
        assert_eq!(i.updates[0].status, "service_outage");
        assert_eq!(
            i.updates[0].text,
            "Summary: Metrics unavailable, see docs (https://cloud.google.com/x)"
        );
        assert_eq!(
            i.updates[1].text,
            "Incident Report\nRoot Cause\nOur investigation found the cause was a backend configuration change. More.\nRemediation and Prevention\nReverted #1."
        );
        assert_eq!(
            i.sources[0].url.as_deref(),
            Some("https://status.cloud.google.com/incidents/abcDEF123")
        );
        assert_eq!(
            i.sources[0].quote.as_deref(),
            Some("Global: Cloud Monitoring metrics unavailable")
        );
    }

    #[test]
    fn links_follow_the_dashboard_the_document_came_from() {
        let c = ParseContext {
            url: Some("https://www.google.com/appsstatus/dashboard/incidents.json".into()),
            vendor: Some("Google Workspace".into()),
            ..ParseContext::default()
        };
        let got = parse(ONE.as_bytes(), &c).expect("parse");
        assert_eq!(got[0].id, "google-workspace:abcDEF123");
        assert_eq!(
            got[0].sources[0].url.as_deref(),
            Some("https://www.google.com/appsstatus/dashboard/incidents/abcDEF123")
        );
        assert_eq!(incident_url(None, Some("javascript:alert(1)"), "x"), None);
    }

    #[test]
    fn open_incident_takes_its_state_from_the_latest_update() {
        let doc = r#"[{"id": "open1", "begin": "2022-01-01T00:00:00+00:00", "end": "",
            "external_desc": "x", "severity": "medium", "status_impact": "SERVICE_DISRUPTION",
            "updates": [{"when": "2022-01-01T01:00:00+00:00", "status": "SERVICE_DISRUPTION",
                         "text": "Description: Mitigation work is currently underway by our engineering team."}]}]"#;
        let got = parse(doc.as_bytes(), &ctx()).expect("parse");
        assert_eq!(got[0].end, None);
        assert_eq!(got[0].status, Status::Identified);
        assert_eq!(got[0].severity, Severity::Major);
        assert_eq!(
            got[0].sources[0].url.as_deref(),
            Some("https://status.cloud.google.com/incidents/open1")
        );
        assert_eq!(
            update_status(Some("SERVICE_OUTAGE"), "We are investigating."),
            Status::Investigating
        );
        assert_eq!(
            update_status(
                Some("SERVICE_DISRUPTION"),
                "The issue has been mitigated for most."
            ),
            Status::Monitoring
        );
        assert_eq!(update_status(Some("AVAILABLE"), ""), Status::Resolved);
    }

    #[test]
    fn severity_table() {
        assert_eq!(
            severity_of(Some("low"), Some("SERVICE_INFORMATION")).0,
            Severity::Minor
        );
        assert_eq!(
            severity_of(Some("medium"), None),
            (Severity::Major, Some("medium".into()))
        );
        assert_eq!(
            severity_of(None, Some("SERVICE_OUTAGE")).0,
            Severity::Critical
        );
        assert_eq!(severity_of(Some("weird"), None).0, Severity::Unknown);
        assert_eq!(severity_of(None, None), (Severity::Unknown, None));
    }

    #[test]
    fn bad_documents_are_errors_and_bad_entries_are_skipped() {
        assert!(matches!(
            parse(b"{\"incidents\": []}", &ctx()),
            Err(ParseError::Json { .. })
        ));
        assert!(matches!(
            parse(b"[{\"begin\": 3}]", &ctx()),
            Err(ParseError::Json { .. })
        ));
        assert!(matches!(
            parse(b"<html>", &ctx()),
            Err(ParseError::Json { .. })
        ));
        assert_eq!(parse(b"[]", &ctx()).expect("empty").len(), 0);
        let mixed = r#"[{"external_desc": "no id"}, {"id": "ok1", "begin": "not a date", "external_desc": "fine"}]"#;
        let got = parse(mixed.as_bytes(), &ctx()).expect("mixed");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].start, None);
    }

    #[test]
    fn pacific_time_follows_daylight_saving() {
        let t = |s: &str| gcp_local_to_utc(s, "US/Pacific");
        assert_eq!(t("2022-03-31 08:30"), Some(utc("2022-03-31T15:30:00Z")));
        assert_eq!(t("2022-01-15 08:30"), Some(utc("2022-01-15T16:30:00Z")));
        assert_eq!(t("2022-03-13 02:30"), None);
        assert_eq!(t("2022-11-06 01:30"), Some(utc("2022-11-06T08:30:00Z")));
        assert_eq!(t("2022-11-06 02:30"), Some(utc("2022-11-06T10:30:00Z")));
        assert_eq!(t("2006-04-01 12:00"), Some(utc("2006-04-01T20:00:00Z")));
        assert_eq!(gcp_local_to_utc("2022-01-15 08:30", "Mars/Olympus"), None);
    }

    #[test]
    fn detects_both_forms() {
        assert_eq!(looks_like(ONE), Some(Format::GcpJson));
        assert_eq!(
            looks_like(
                "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><id>tag:status.cloud.google.com,2022:feed:x.y</id>"
            ),
            Some(Format::GcpAtom)
        );
        assert_eq!(looks_like("[{\"incident_updates\": []}]"), None);
        assert_eq!(looks_like("<feed><id>tag:example.com</id>"), None);
    }
}
