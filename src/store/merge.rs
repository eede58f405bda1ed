//! What the store keeps when a source describes an incident it already holds.
//!
//! Vendors rewrite and prune: a feed keeps its last N entries, an update disappears when the
//! incident is resolved, a re-crawl of the Atom form lacks the JSON form's components. So the
//! stored incident is the union of everything seen, with a known new value replacing an old one
//! and an unknown new value (Unknown, empty, None) never erasing what was known.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::model::{Incident, Severity, SourceRef, Status, Update};

/// The incident as first stored: updates deduplicated and oldest first, sources one per url.
pub(super) fn canonical(incident: &Incident) -> Incident {
    Incident {
        updates: merge_updates(&[], &incident.updates),
        sources: merge_sources(&[], &incident.sources),
        ..incident.clone()
    }
}

/// The stored incident after `new` was seen; both are assumed to be the same incident (same id).
pub(super) fn merge(old: &Incident, new: &Incident) -> Incident {
    let known_text = |new: &str, old: &str| {
        if new.trim().is_empty() {
            old.to_string()
        } else {
            new.to_string()
        }
    };
    let known_list = |new: &[String], old: &[String]| {
        if new.is_empty() {
            old.to_vec()
        } else {
            new.to_vec()
        }
    };
    let status = if new.status == Status::Unknown {
        old.status
    } else {
        new.status
    };
    // A missing end means "still open" only when the source says the incident is open again;
    // a source that knows no state (Unknown) or says it is closed has simply not given one.
    let end = match new.end {
        Some(end) => Some(end),
        None if new.status != Status::Unknown && !new.status.is_closed() => None,
        None => old.end,
    };
    Incident {
        id: old.id.clone(),
        vendor: known_text(&new.vendor, &old.vendor),
        title: known_text(&new.title, &old.title),
        start: new.start.or(old.start),
        end,
        status,
        severity: if new.severity == Severity::Unknown {
            old.severity
        } else {
            new.severity
        },
        severity_native: new
            .severity_native
            .clone()
            .or_else(|| old.severity_native.clone()),
        stated_minutes: new.stated_minutes.or(old.stated_minutes),
        regions: known_list(&new.regions, &old.regions),
        services: known_list(&new.services, &old.services),
        cause: new.cause.clone().or_else(|| old.cause.clone()),
        updates: merge_updates(&old.updates, &new.updates),
        sources: merge_sources(&old.sources, &new.sources),
    }
}

/// Union of both lists without repeats, oldest first; undated updates go last. The sort is
/// stable, so updates with equal times keep the order they were first seen in (the store reads
/// them back in insertion order for the same reason).
fn merge_updates(old: &[Update], new: &[Update]) -> Vec<Update> {
    let mut out: Vec<Update> = Vec::with_capacity(old.len() + new.len());
    for update in old.iter().chain(new) {
        if !out.contains(update) {
            out.push(update.clone());
        }
    }
    out.sort_by_key(|u| (u.at.is_none(), u.at));
    out
}

/// Union by url: a source already known keeps its place and takes the newer quote; a new url is
/// appended. Sources without a url are kept once each.
fn merge_sources(old: &[SourceRef], new: &[SourceRef]) -> Vec<SourceRef> {
    let mut out = old.to_vec();
    for source in new {
        let same_url = source
            .url
            .as_ref()
            .and_then(|url| out.iter().position(|s| s.url.as_ref() == Some(url)));
        match same_url {
            Some(i) => {
                if let Some(slot) = out.get_mut(i) {
                    *slot = source.clone();
                }
            }
            None if out.contains(source) => {}
            None => out.push(source.clone()),
        }
    }
    out
}

/// Marks a `content_hash` of the typed encoding below. Hashes written before it existed are
/// bare hex over the incident's JSON; a stored hash without this prefix is such a legacy hash,
/// which the upsert recognises and replaces in place (see `Store::upsert_incidents`), so an
/// old store stays correct without a migration pass over every row. Any change to the
/// encoding must come with a new prefix for the same reason.
pub(super) const HASH_PREFIX: &str = "v2:";

/// The `content_hash` that tells whether anything changed: SHA-256 over every field, fed
/// typed, so two incidents hash equal exactly when they are equal, without building their
/// JSON. The encoding: the fields in declaration order; a string as its length in bytes (u64
/// little-endian) then its UTF-8; a list as its count (u64) then its items; an optional value
/// as a 0 byte, or a 1 byte then the value; a time as Unix seconds (i64) then nanoseconds
/// (u32); an enum as its stored name; the result as [`HASH_PREFIX`] and lowercase hex.
pub(super) fn content_hash(incident: &Incident) -> String {
    let mut h = TypedHasher(Sha256::new());
    h.str(&incident.id);
    h.str(&incident.vendor);
    h.str(&incident.title);
    h.opt_time(incident.start);
    h.opt_time(incident.end);
    h.str(incident.status.as_str());
    h.str(incident.severity.as_str());
    h.opt_str(incident.severity_native.as_deref());
    h.strs(&incident.regions);
    h.strs(&incident.services);
    h.opt_str(incident.cause.as_deref());
    h.count(incident.updates.len());
    for u in &incident.updates {
        h.opt_time(u.at);
        h.str(&u.status);
        h.str(&u.text);
    }
    h.count(incident.sources.len());
    for s in &incident.sources {
        h.opt_str(s.url.as_deref());
        h.str(s.kind.as_str());
        h.opt_str(s.quote.as_deref());
    }
    let mut out = String::with_capacity(HASH_PREFIX.len() + 64);
    out.push_str(HASH_PREFIX);
    for byte in h.0.finalize() {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// A prefix-free encoding of typed values into SHA-256: no two different sequences of values
/// feed the same bytes.
struct TypedHasher(Sha256);

impl TypedHasher {
    fn count(&mut self, n: usize) {
        self.0
            .update(u64::try_from(n).unwrap_or(u64::MAX).to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.count(s.len());
        self.0.update(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.0.update([0u8]),
            Some(s) => {
                self.0.update([1u8]);
                self.str(s);
            }
        }
    }

    fn strs(&mut self, list: &[String]) {
        self.count(list.len());
        for s in list {
            self.str(s);
        }
    }

    fn opt_time(&mut self, t: Option<DateTime<Utc>>) {
        match t {
            None => self.0.update([0u8]),
            Some(t) => {
                self.0.update([1u8]);
                self.0.update(t.timestamp().to_le_bytes());
                self.0.update(t.timestamp_subsec_nanos().to_le_bytes());
            }
        }
    }
}

/// The hash an older build stored: SHA-256 over the incident's JSON, bare hex. Only compared
/// with in tests that build such a store; the upsert recognises legacy hashes by their lack of
/// [`HASH_PREFIX`].
#[cfg(test)]
pub(super) fn legacy_content_hash(incident: &Incident) -> String {
    let json = serde_json::to_string(incident).unwrap_or_default();
    super::sha256_hex(json.as_bytes())
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::model::ReportKind;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("test time")
            .with_timezone(&Utc)
    }

    fn update(at: &str, status: &str, text: &str) -> Update {
        Update {
            at: Some(t(at)),
            status: status.into(),
            text: text.into(),
        }
    }

    fn incident() -> Incident {
        Incident {
            id: "github:abc".into(),
            vendor: "GitHub".into(),
            title: "Degraded Actions".into(),
            start: Some(t("2024-03-01T10:00:00Z")),
            end: None,
            status: Status::Investigating,
            severity: Severity::Major,
            severity_native: Some("major".into()),
            stated_minutes: None,
            regions: vec![],
            services: vec!["Actions".into()],
            cause: None,
            updates: vec![update("2024-03-01T10:05:00Z", "investigating", "Looking.")],
            sources: vec![SourceRef {
                url: Some("https://www.githubstatus.com/incidents/abc".into()),
                kind: ReportKind::Status,
                quote: Some("v1".into()),
            }],
        }
    }

    #[test]
    fn pruned_updates_are_kept_and_new_ones_sorted_in() {
        let old = incident();
        let mut new = incident();
        new.updates = vec![
            update("2024-03-01T11:00:00Z", "resolved", "Fixed."),
            update("2024-03-01T10:30:00Z", "identified", "Found it."),
        ];
        let merged = merge(&old, &new);
        let statuses: Vec<&str> = merged.updates.iter().map(|u| u.status.as_str()).collect();
        assert_eq!(statuses, ["investigating", "identified", "resolved"]);
    }

    #[test]
    fn unknown_values_keep_known_ones() {
        let mut old = incident();
        old.cause = Some("A bad deploy.".into());
        old.end = Some(t("2024-03-01T11:00:00Z"));
        old.status = Status::Resolved;
        let new = Incident {
            title: " ".into(),
            start: None,
            end: None,
            status: Status::Unknown,
            severity: Severity::Unknown,
            severity_native: None,
            stated_minutes: None,
            services: vec![],
            cause: None,
            updates: vec![],
            sources: vec![],
            ..incident()
        };
        let merged = merge(&old, &new);
        assert_eq!(merged, old);
    }

    #[test]
    fn reopened_incident_loses_its_end() {
        let mut old = incident();
        old.status = Status::Resolved;
        old.end = Some(t("2024-03-01T11:00:00Z"));
        let mut new = incident();
        new.status = Status::Investigating;
        new.end = None;
        assert_eq!(merge(&old, &new).end, None);
        new.status = Status::Resolved;
        assert_eq!(merge(&old, &new).end, Some(t("2024-03-01T11:00:00Z")));
    }

    #[test]
    fn sources_union_by_url_takes_newer_quote() {
        let old = incident();
        let mut new = incident();
        new.sources[0].quote = Some("v2".into());
        new.sources.push(SourceRef {
            url: Some("https://www.githubstatus.com/history.atom".into()),
            kind: ReportKind::Status,
            quote: None,
        });
        let merged = merge(&old, &new);
        assert_eq!(merged.sources.len(), 2);
        assert_eq!(merged.sources[0].quote.as_deref(), Some("v2"));
    }

    #[test]
    fn canonical_drops_repeated_updates_and_puts_undated_last() {
        let mut i = incident();
        let undated = Update {
            at: None,
            status: "update".into(),
            text: "No time.".into(),
        };
        i.updates = vec![undated.clone(), i.updates[0].clone(), i.updates[0].clone()];
        let c = canonical(&i);
        assert_eq!(c.updates.len(), 2);
        assert_eq!(c.updates[1], undated);
    }

    #[test]
    fn typed_hash_is_equal_for_equal_incidents_and_differs_for_any_changed_field() {
        let base = incident();
        assert_eq!(content_hash(&base), content_hash(&base.clone()));
        assert!(content_hash(&base).starts_with(HASH_PREFIX));
        assert_eq!(content_hash(&base).len(), HASH_PREFIX.len() + 64);
        type Change = (&'static str, fn(&mut Incident));
        let changes: Vec<Change> = vec![
            ("id", |i| i.id.push('x')),
            ("vendor", |i| i.vendor = "Github".into()),
            ("title", |i| i.title.push('.')),
            ("start", |i| i.start = None),
            ("start by a nanosecond", |i| {
                i.start = i.start.map(|t| t + chrono::TimeDelta::nanoseconds(1));
            }),
            ("end", |i| i.end = i.start),
            ("status", |i| i.status = Status::Resolved),
            ("severity", |i| i.severity = Severity::Minor),
            ("severity_native", |i| i.severity_native = None),
            ("severity_native text", |i| {
                i.severity_native = Some("majo".into());
            }),
            ("regions", |i| i.regions.push("us-east-1".into())),
            ("services", |i| i.services.push("Pages".into())),
            ("cause", |i| i.cause = Some(String::new())),
            ("update time", |i| i.updates[0].at = None),
            ("update status", |i| {
                i.updates[0].status = "identified".into()
            }),
            ("update text", |i| i.updates[0].text.push(' ')),
            ("another update", |i| i.updates.push(i.updates[0].clone())),
            ("source url", |i| i.sources[0].url = None),
            ("source kind", |i| i.sources[0].kind = ReportKind::Press),
            ("source quote", |i| i.sources[0].quote = None),
            ("another source", |i| i.sources.push(i.sources[0].clone())),
            // The same characters moved from one field to the next must not hash the same.
            ("text moved between fields", |i| {
                i.vendor = "GitHubDegraded".into();
                i.title = " Actions".into();
            }),
            ("a region moved to the services", |i| {
                i.regions = i.services.clone();
                i.services.clear();
            }),
        ];
        let mut seen = vec![content_hash(&base)];
        for (what, change) in changes {
            let mut changed = incident();
            change(&mut changed);
            assert_ne!(changed, base, "{what} changes the incident");
            let hash = content_hash(&changed);
            assert!(!seen.contains(&hash), "{what} changes the hash");
            seen.push(hash);
        }
    }

    /// The encoding is part of every stored `content_hash`: a change to it must come with a
    /// new prefix, or every stored incident would look changed on its next crawl. The value
    /// was computed outside this crate (Python's hashlib over the documented encoding).
    #[test]
    fn typed_hash_encoding_is_stable_across_builds() {
        assert_eq!(
            content_hash(&incident()),
            "v2:457e40cdf6020c3df451da2b069bc6ef516377ce90f983201963743684620267"
        );
    }

    /// The upsert skips reading the stored row when an incident's canonical form hashes to
    /// the stored content: that is only sound if merging an incident into its own canonical
    /// form changes nothing, whatever its shape.
    #[test]
    fn merging_an_incident_into_its_canonical_form_changes_nothing() {
        let mut odd = incident();
        let undated = Update {
            at: None,
            status: "update".into(),
            text: "No time.".into(),
        };
        odd.updates = vec![
            undated.clone(),
            update("2024-03-01T11:00:00Z", "resolved", "Fixed."),
            odd.updates[0].clone(),
            undated,
            odd.updates[0].clone(),
        ];
        let url = odd.sources[0].url.clone();
        odd.sources = vec![
            SourceRef {
                url: url.clone(),
                kind: ReportKind::Status,
                quote: Some("first".into()),
            },
            SourceRef {
                url: None,
                kind: ReportKind::Press,
                quote: Some("no url".into()),
            },
            SourceRef {
                url,
                kind: ReportKind::Status,
                quote: Some("second".into()),
            },
            SourceRef {
                url: None,
                kind: ReportKind::Press,
                quote: Some("no url".into()),
            },
        ];
        let mut closed_without_end = incident();
        closed_without_end.status = Status::Resolved;
        let mut blank = incident();
        blank.status = Status::Unknown;
        blank.severity = Severity::Unknown;
        blank.title = "  ".into();
        blank.services.clear();
        let mut cases = vec![odd, closed_without_end, blank];
        cases.extend(crate::bench::generate::Generator::new(3).incidents(300));
        for case in &cases {
            let first = canonical(case);
            assert_eq!(merge(&first, case), first, "{}", case.id);
        }
    }
}
