//! The domain types every stage shares.
//!
//! A *source* is one URL we crawl (a status feed, an API endpoint, a press feed). Parsing a
//! source's bytes yields *incidents*: one outage or maintenance as one source described it, with
//! its updates. The user-facing *event* is the contract of `outages extract` and every `--json`
//! (see `../shared/event.schema.json`); today one incident is one event, merging comes later.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// Normalised severity, the common scale across vendors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    None,
    Minor,
    Major,
    Critical,
    Maintenance,
    Unknown,
}

impl Severity {
    pub const ALL: [Severity; 6] = [
        Severity::None,
        Severity::Minor,
        Severity::Major,
        Severity::Critical,
        Severity::Maintenance,
        Severity::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::None => "none",
            Severity::Minor => "minor",
            Severity::Major => "major",
            Severity::Critical => "critical",
            Severity::Maintenance => "maintenance",
            Severity::Unknown => "unknown",
        }
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown severity {s:?} (expected one of none, minor, major, critical, maintenance, unknown)"))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lifecycle state of an incident or maintenance, the contract's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
    Scheduled,
    InProgress,
    Completed,
    Unknown,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Investigating,
        Status::Identified,
        Status::Monitoring,
        Status::Resolved,
        Status::Scheduled,
        Status::InProgress,
        Status::Completed,
        Status::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Investigating => "investigating",
            Status::Identified => "identified",
            Status::Monitoring => "monitoring",
            Status::Resolved => "resolved",
            Status::Scheduled => "scheduled",
            Status::InProgress => "in_progress",
            Status::Completed => "completed",
            Status::Unknown => "unknown",
        }
    }

    /// Maps a vendor's state word ("Resolved", "postmortem", "verifying", "Update" ...) to the
    /// common scale. Words that carry no state ("update") give `None` so callers can keep the
    /// previous state.
    pub fn from_label(label: &str) -> Option<Status> {
        let l = label.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Some(match l.as_str() {
            "investigating" => Status::Investigating,
            "identified" => Status::Identified,
            "monitoring" | "verifying" => Status::Monitoring,
            "resolved" | "postmortem" | "post_mortem" | "closed" | "fixed" => Status::Resolved,
            "scheduled" | "upcoming" | "planned" => Status::Scheduled,
            "in_progress" | "inprogress" | "active" | "ongoing" => Status::InProgress,
            "completed" | "complete" => Status::Completed,
            _ => return None,
        })
    }

    /// True once the incident is over (resolved outage or completed maintenance).
    pub fn is_closed(self) -> bool {
        matches!(self, Status::Resolved | Status::Completed)
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown status {s:?}"))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a fact came from the vendor's own status channel or from the press.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Status,
    Press,
}

impl ReportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Status => "status",
            ReportKind::Press => "press",
        }
    }
}

/// The wire format of a source's body. Named in `sources.toml` as `kind` and on the command
/// line as `--kind`; detected from the content when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Atlassian Statuspage API v2 (also served by incident.io): incidents.json, summary.json,
    /// per-incident and scheduled-maintenances JSON.
    StatuspageJson,
    /// Atlassian Statuspage `history.atom`.
    StatuspageAtom,
    /// Atlassian Statuspage `history.rss`.
    StatuspageRss,
    /// Google Cloud `incidents.json` (and Workspace, Firebase, Play).
    GcpJson,
    /// Google Cloud status Atom feed.
    GcpAtom,
    /// AWS legacy per-service RSS (`/rss/<service>-<region>.rss`, `all.rss`).
    AwsRss,
    /// AWS legacy `data.json` (archive/current).
    AwsJson,
    /// AWS Health dashboard `currentevents` (UTF-16 JSON).
    AwsHealth,
    /// Azure status RSS (active events only).
    AzureRss,
    /// Azure status history page (PIR/RCA sections).
    AzureHistory,
    /// Slack status API `current` / `history`.
    SlackJson,
    /// Slack status Atom/RSS feed.
    SlackFeed,
    /// incident.io widget API (`ongoing_incidents`).
    IncidentioWidget,
    /// incident.io Atom/RSS feed.
    IncidentioFeed,
    /// Salesforce Trust API incidents and instance status.
    SalesforceJson,
    /// Instatus `summary.json` / `incidents.json`.
    InstatusJson,
    /// status.io public status API.
    StatusioJson,
    /// Better Stack `index.json`.
    BetterstackJson,
    /// Cachet API (`/api/v1/incidents`).
    CachetJson,
    /// Any other RSS or Atom feed.
    Feed,
    /// An HTML page: a press article or a vendor's post-mortem.
    Article,
    /// Plain text: a press article or post-mortem saved as text (never detected, only forced).
    Text,
}

impl Format {
    pub const ALL: [Format; 22] = [
        Format::StatuspageJson,
        Format::StatuspageAtom,
        Format::StatuspageRss,
        Format::GcpJson,
        Format::GcpAtom,
        Format::AwsRss,
        Format::AwsJson,
        Format::AwsHealth,
        Format::AzureRss,
        Format::AzureHistory,
        Format::SlackJson,
        Format::SlackFeed,
        Format::IncidentioWidget,
        Format::IncidentioFeed,
        Format::SalesforceJson,
        Format::InstatusJson,
        Format::StatusioJson,
        Format::BetterstackJson,
        Format::CachetJson,
        Format::Feed,
        Format::Article,
        Format::Text,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::StatuspageJson => "statuspage-json",
            Format::StatuspageAtom => "statuspage-atom",
            Format::StatuspageRss => "statuspage-rss",
            Format::GcpJson => "gcp-json",
            Format::GcpAtom => "gcp-atom",
            Format::AwsRss => "aws-rss",
            Format::AwsJson => "aws-json",
            Format::AwsHealth => "aws-health",
            Format::AzureRss => "azure-rss",
            Format::AzureHistory => "azure-history",
            Format::SlackJson => "slack-json",
            Format::SlackFeed => "slack-feed",
            Format::IncidentioWidget => "incidentio-widget",
            Format::IncidentioFeed => "incidentio-feed",
            Format::SalesforceJson => "salesforce-json",
            Format::InstatusJson => "instatus-json",
            Format::StatusioJson => "statusio-json",
            Format::BetterstackJson => "betterstack-json",
            Format::CachetJson => "cachet-json",
            Format::Feed => "feed",
            Format::Article => "article",
            Format::Text => "text",
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
                format!("unknown kind {s:?} (expected one of {})", names.join(", "))
            })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One status update of an incident, as the vendor posted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Update {
    pub at: Option<DateTime<Utc>>,
    /// The vendor's own label, lowercased ("investigating", "update", "postmortem" ...).
    pub status: String,
    /// Plain text (HTML stripped, whitespace collapsed).
    pub text: String,
}

/// Where a fact came from: the contract's `sources[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    pub url: Option<String>,
    pub kind: ReportKind,
    /// The sentence or feed entry the facts came from.
    pub quote: Option<String>,
}

/// One outage or maintenance as one source described it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Stable across re-crawls and across the forms of one source (Atom, RSS, JSON):
    /// see [`incident_id`].
    pub id: String,
    /// Canonical vendor name ("GitHub").
    pub vendor: String,
    pub title: String,
    /// Real onset.
    pub start: Option<DateTime<Utc>>,
    /// Resolution; `None` while ongoing or unknown.
    pub end: Option<DateTime<Utc>>,
    pub status: Status,
    pub severity: Severity,
    /// The vendor's own severity word, kept beside the normalised one.
    pub severity_native: Option<String>,
    pub regions: Vec<String>,
    pub services: Vec<String>,
    pub cause: Option<String>,
    /// Oldest first.
    pub updates: Vec<Update>,
    pub sources: Vec<SourceRef>,
    /// A length the source states on its own ("an outage of roughly five hours") when its
    /// start or end is not known to the minute; start and end win when both are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated_minutes: Option<i64>,
}

impl Incident {
    /// Whole minutes from start to end, rounded to the nearest minute; else the stated length.
    pub fn duration_minutes(&self) -> Option<i64> {
        let (Some(start), Some(end)) = (self.start, self.end) else {
            return self.stated_minutes;
        };
        let secs = (end - start).num_seconds();
        (secs >= 0).then(|| (secs + 30) / 60)
    }
}

/// How long an open incident may go without a word from the vendor before it is taken as
/// abandoned: real outages get an update at least daily, and a status page that forgot to
/// close one must not charge a vendor (or draw a red bar) until today.
pub const STALE_AFTER_HOURS: i64 = 72;

/// When an open record is stale ("unresolved, last update ..."): the time of its last update
/// (or its start), when that is more than [`STALE_AFTER_HOURS`] before `now`. `None` for a
/// closed record, one with an end, or one still being updated.
pub fn unresolved_since(
    end: Option<DateTime<Utc>>,
    status: Status,
    last_activity: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    // Maintenance is planned, not an outage left open: it is never "unresolved".
    if end.is_some()
        || status.is_closed()
        || matches!(status, Status::Scheduled | Status::InProgress)
    {
        return None;
    }
    let last = last_activity?;
    (now - last > chrono::Duration::hours(STALE_AFTER_HOURS)).then_some(last)
}

/// The last time a source said anything about a record: its newest update, else its start.
pub fn last_activity(
    start: Option<DateTime<Utc>>,
    update_times: impl Iterator<Item = Option<DateTime<Utc>>>,
) -> Option<DateTime<Utc>> {
    update_times.flatten().chain(start).max()
}

/// A stretch of time `[from, to]`: what a source covered, or an outage's interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Span {
    pub fn minutes(&self) -> i64 {
        (self.to - self.from).num_minutes().max(0)
    }

    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.from <= t && t <= self.to
    }
}

/// The union of `spans` as sorted, disjoint spans (touching ones joined).
pub fn union_spans(spans: impl IntoIterator<Item = Span>) -> Vec<Span> {
    let mut all: Vec<Span> = spans.into_iter().filter(|s| s.from <= s.to).collect();
    all.sort();
    let mut out: Vec<Span> = Vec::with_capacity(all.len());
    for s in all {
        match out.last_mut() {
            Some(last) if s.from <= last.to => last.to = last.to.max(s.to),
            _ => out.push(s),
        }
    }
    out
}

/// The parts of `a` that lie inside `b`; both sorted and disjoint (as [`union_spans`] gives).
pub fn intersect_spans(a: &[Span], b: &[Span]) -> Vec<Span> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        let from = a[i].from.max(b[j].from);
        let to = a[i].to.min(b[j].to);
        if from < to {
            out.push(Span { from, to });
        }
        if a[i].to < b[j].to {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Builds the stable id of an incident from its vendor and the source's own identifier
/// (Statuspage incident code, GCP id ...). Lowercase ASCII, so it is safe in URLs.
pub fn incident_id(vendor: &str, native_id: &str) -> String {
    format!("{}:{}", slug(vendor), native_id.trim())
}

/// `"Amazon Web Services"` -> `"amazon-web-services"`.
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The event contract (`../shared/event.schema.json`), the shape of every `--json` output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub vendor: String,
    pub title: String,
    #[serde(with = "rfc3339_opt")]
    pub start: Option<DateTime<Utc>>,
    #[serde(with = "rfc3339_opt")]
    pub end: Option<DateTime<Utc>>,
    pub duration_minutes: Option<i64>,
    pub status: Status,
    pub severity: Severity,
    pub regions: Vec<String>,
    pub services: Vec<String>,
    pub cause: Option<String>,
    pub updates: Vec<EventUpdate>,
    pub sources: Vec<SourceRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventUpdate {
    #[serde(with = "rfc3339_opt")]
    pub at: Option<DateTime<Utc>>,
    pub status: String,
    pub text: String,
}

impl Event {
    /// The last time a source said anything about the event: its newest update, else its
    /// start.
    pub fn last_activity(&self) -> Option<DateTime<Utc>> {
        last_activity(self.start, self.updates.iter().map(|u| u.at))
    }

    /// See [`unresolved_since`]: the last update of an event left open and silent.
    pub fn unresolved_since(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        unresolved_since(self.end, self.status, self.last_activity(), now)
    }
}

impl From<&Incident> for Event {
    fn from(i: &Incident) -> Self {
        Event {
            id: i.id.clone(),
            vendor: i.vendor.clone(),
            title: i.title.clone(),
            start: i.start,
            end: i.end,
            duration_minutes: i.duration_minutes(),
            status: i.status,
            severity: i.severity,
            regions: i.regions.clone(),
            services: i.services.clone(),
            cause: i.cause.clone(),
            updates: i
                .updates
                .iter()
                .map(|u| EventUpdate {
                    at: u.at,
                    status: u.status.clone(),
                    text: u.text.clone(),
                })
                .collect(),
            sources: i.sources.clone(),
        }
    }
}

/// RFC 3339 in UTC with a `Z` and whole seconds, as the contract shows ("2023-01-31T14:06:36Z").
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

mod rfc3339_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&super::rfc3339(*t)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        s.map(|s| {
            DateTime::parse_from_rfc3339(&s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(serde::de::Error::custom)
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_folds_punctuation_and_case() {
        assert_eq!(slug("Amazon Web Services"), "amazon-web-services");
        assert_eq!(slug("  1Password!"), "1password");
        assert_eq!(incident_id("GitHub", "abc123"), "github:abc123");
    }

    #[test]
    fn duration_rounds_to_nearest_minute() {
        let t = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .ok()
        };
        let mut i = Incident {
            id: "x:1".into(),
            vendor: "X".into(),
            title: "t".into(),
            start: t("2023-01-31T14:06:36Z"),
            end: t("2023-01-31T14:55:10Z"),
            status: Status::Resolved,
            severity: Severity::Minor,
            severity_native: None,
            stated_minutes: None,
            regions: vec![],
            services: vec![],
            cause: None,
            updates: vec![],
            sources: vec![],
        };
        assert_eq!(i.duration_minutes(), Some(49));
        i.end = None;
        assert_eq!(i.duration_minutes(), None);
    }

    #[test]
    fn status_labels_map_to_common_scale() {
        assert_eq!(Status::from_label("Postmortem"), Some(Status::Resolved));
        assert_eq!(Status::from_label("in progress"), Some(Status::InProgress));
        assert_eq!(Status::from_label("Update"), None);
    }
}
