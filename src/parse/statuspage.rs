//! What the Atlassian Statuspage JSON and feed parsers share: the impact scale, the vendor name
//! in a page title, the incident code in a link, and how an incident's quote and cause are
//! chosen, so that the JSON, Atom and RSS forms of one incident agree.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use crate::extract::cause::cause_sentence;
use crate::extract::text::{html_to_text, one_line, truncate_chars};
use crate::model::{Severity, Status, Update};

/// The contract's quote length: enough for the title and the gist of the newest update.
pub const QUOTE_CHARS: usize = 300;

/// Statuspage's `impact` word on the common scale. Anything else (incident.io's or a future
/// word) is `Unknown` rather than a guess; callers keep the word itself as `severity_native`.
pub fn severity_from_impact(impact: &str) -> Severity {
    match impact.trim().to_ascii_lowercase().as_str() {
        "none" => Severity::None,
        "minor" => Severity::Minor,
        "major" => Severity::Major,
        "critical" => Severity::Critical,
        "maintenance" => Severity::Maintenance,
        _ => Severity::Unknown,
    }
}

/// The vendor in a page name or feed title: "GitHub Status - Incident History" -> "GitHub",
/// "Parse Status Page" -> "Parse". `None` when nothing is left.
pub fn vendor_from_title(title: &str) -> Option<String> {
    const SUFFIXES: [&str; 5] = [
        " - incident history",
        " incident history",
        " status page",
        " - status",
        " status",
    ];
    let mut name = one_line(title);
    loop {
        let lower = name.to_ascii_lowercase();
        let Some(cut) = SUFFIXES
            .iter()
            .find(|s| lower.ends_with(*s) && lower.len() > s.len())
            .map(|s| name.len() - s.len())
        else {
            break;
        };
        // The suffixes are ASCII, so `cut` is a char boundary of `name` as well.
        name.truncate(cut);
        name = name.trim_end().to_string();
    }
    (!name.is_empty()).then_some(name)
}

/// The incident code in a Statuspage link (`https://www.githubstatus.com/incidents/34wtrn4nngwk`
/// -> `34wtrn4nngwk`): the id the JSON API uses for the same incident.
pub fn incident_code(link: &str) -> Option<&str> {
    let (_, rest) = link.split_once("/incidents/")?;
    let code = rest.split(['/', '?', '#']).next()?.trim();
    (!code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric())).then_some(code)
}

/// `s` if it is an absolute http(s) URL: a feed or API can carry `javascript:` or relative links,
/// and only web links are safe to store and show.
pub fn http_url(s: &str) -> Option<String> {
    let url = Url::parse(s.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// Plain text of an update body, which may be HTML (Statuspage) or Markdown (incident.io):
/// tags and entities go, Markdown links keep their text, bold markers are dropped. GitHub's
/// backfilled 2010-2013 incidents carry line breaks escaped twice (a literal `\r\n`), which
/// become line breaks again.
pub fn body_text(body: &str) -> String {
    static MD_LINK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\[([^\]\n]*)\]\((?:[^()\s]+)(?:\s+"[^"\n]*")?\)"#)
            .expect("markdown link pattern is valid")
    });
    let text = html_to_text(&body.replace("\\r\\n", "\n"));
    MD_LINK.replace_all(&text, "$1").replace("**", "")
}

/// The source quote: the title and the newest update, on one line, cut to [`QUOTE_CHARS`].
pub fn source_quote(title: &str, updates: &[Update]) -> String {
    let newest = updates.last().map_or("", |u| u.text.as_str());
    let joined = if newest.is_empty() {
        title.to_string()
    } else {
        format!("{title}: {newest}")
    };
    truncate_chars(&one_line(&joined), QUOTE_CHARS)
}

/// The cause, read from the post-mortem first, then the resolution, then the other updates
/// newest first (later updates know more than the first guesses).
pub fn incident_cause(postmortem: Option<&str>, updates: &[Update]) -> Option<String> {
    let rank = |u: &Update| match Status::from_label(&u.status) {
        _ if is_postmortem(&u.status) => 0,
        Some(Status::Resolved | Status::Completed) => 1,
        _ => 2,
    };
    let mut ordered: Vec<&Update> = updates.iter().rev().collect();
    ordered.sort_by_key(|u| rank(u));
    let texts: Vec<&str> = postmortem
        .into_iter()
        .chain(ordered.into_iter().map(|u| u.text.as_str()))
        .collect();
    cause_sentence(&texts)
}

fn is_postmortem(label: &str) -> bool {
    matches!(
        label.trim().to_ascii_lowercase().as_str(),
        "postmortem" | "post-mortem" | "post mortem"
    )
}

/// Puts updates oldest first. Both the API and the feeds list them newest first; when every
/// update has a time, the times decide (a backdated update sorts where it belongs).
pub fn oldest_first(mut updates: Vec<Update>) -> Vec<Update> {
    updates.reverse();
    if updates.iter().all(|u| u.at.is_some()) {
        updates.sort_by_key(|u| u.at);
    }
    updates
}

/// The time of the newest update that closed the incident ("resolved" or "completed", not a
/// later post-mortem): the resolution time when the document gives none.
pub fn closing_update_time(updates: &[Update]) -> Option<chrono::DateTime<chrono::Utc>> {
    updates
        .iter()
        .rev()
        .find(|u| {
            matches!(
                u.status.trim().to_ascii_lowercase().as_str(),
                "resolved" | "completed"
            )
        })
        .and_then(|u| u.at)
}

/// When a maintenance began: its first "in progress" update (when work began), else the start
/// of the window it announced, else its first update (a maintenance posted only as "Scheduled"
/// and "Completed" still ran from its announcement's window or, lacking one, its first word).
/// Never after `end`.
pub fn maintenance_start(
    updates: &[Update],
    window_start: Option<chrono::DateTime<chrono::Utc>>,
    end: Option<chrono::DateTime<chrono::Utc>>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let work_began = updates
        .iter()
        .find(|u| {
            crate::model::Status::from_label(&u.status) == Some(crate::model::Status::InProgress)
        })
        .and_then(|u| u.at);
    let first_update = updates.iter().filter_map(|u| u.at).min();
    [work_began, window_start, first_update]
        .into_iter()
        .flatten()
        .find(|t| end.is_none_or(|e| *t <= e))
}

/// Service names in "This incident affected: Git Operations, Webhooks, and API Requests." (also
/// "This scheduled maintenance affected: ..."); `None` when `line` is not such a line. The list
/// is Rails' `to_sentence`, so the last two names are joined by "and" (with or without a comma);
/// a name that itself contains " and " in last place cannot be told apart and is split.
pub fn affected_services(line: &str) -> Option<Vec<String>> {
    let line = one_line(line);
    let lower = line.to_ascii_lowercase();
    let start = [
        "this incident affected:",
        "this scheduled maintenance affected:",
    ]
    .iter()
    .find(|p| lower.starts_with(*p))
    .map(|p| p.len())?;
    let list = line.get(start..)?.trim().trim_end_matches('.').trim();
    let mut names: Vec<String> = Vec::new();
    let parts: Vec<&str> = list.split(',').map(str::trim).collect();
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.into_iter().enumerate() {
        let part = part.strip_prefix("and ").unwrap_or(part);
        if i == last {
            if let Some((a, b)) = part.rsplit_once(" and ") {
                names.push(a.trim().to_string());
                names.push(b.trim().to_string());
                continue;
            }
        }
        names.push(part.to_string());
    }
    names.retain(|n| !n.is_empty());
    Some(names)
}

/// Appends `name` unless it is empty or already present (first-seen order is kept).
pub fn push_unique(names: &mut Vec<String>, name: &str) {
    let name = one_line(name);
    if !name.is_empty() && !names.contains(&name) {
        names.push(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn update(at: Option<&str>, status: &str, text: &str) -> Update {
        Update {
            at: at.and_then(|s| {
                DateTime::parse_from_rfc3339(s)
                    .ok()
                    .map(|t| t.with_timezone(&Utc))
            }),
            status: status.into(),
            text: text.into(),
        }
    }

    #[test]
    fn impact_words_map_to_severities() {
        assert_eq!(severity_from_impact("none"), Severity::None);
        assert_eq!(severity_from_impact("Minor"), Severity::Minor);
        assert_eq!(severity_from_impact("major"), Severity::Major);
        assert_eq!(severity_from_impact("critical"), Severity::Critical);
        assert_eq!(severity_from_impact("maintenance"), Severity::Maintenance);
        assert_eq!(severity_from_impact("full_outage"), Severity::Unknown);
    }

    #[test]
    fn vendor_is_the_title_without_status_suffixes() {
        assert_eq!(
            vendor_from_title("GitHub Status - Incident History").as_deref(),
            Some("GitHub")
        );
        assert_eq!(
            vendor_from_title("Parse Status - Incident History").as_deref(),
            Some("Parse")
        );
        assert_eq!(
            vendor_from_title("Acme Status Page").as_deref(),
            Some("Acme")
        );
        assert_eq!(vendor_from_title("OpenAI").as_deref(), Some("OpenAI"));
        assert_eq!(vendor_from_title("Status").as_deref(), Some("Status"));
        assert_eq!(vendor_from_title("  "), None);
    }

    #[test]
    fn incident_code_comes_from_the_link_path() {
        assert_eq!(
            incident_code("https://www.githubstatus.com/incidents/34wtrn4nngwk"),
            Some("34wtrn4nngwk")
        );
        assert_eq!(
            incident_code("http://status.parse.com/incidents/lzf7mjchpy20?u=1#x"),
            Some("lzf7mjchpy20")
        );
        assert_eq!(incident_code("https://x.test/incidents/"), None);
        assert_eq!(incident_code("https://x.test/incidents/a%20b"), None);
        assert_eq!(incident_code("https://x.test/history"), None);
    }

    #[test]
    fn only_web_links_are_kept() {
        assert_eq!(
            http_url("http://stspg.io/lx08jnrjqzx6").as_deref(),
            Some("http://stspg.io/lx08jnrjqzx6")
        );
        assert_eq!(http_url("javascript:alert(1)"), None);
        assert_eq!(http_url("/incidents/abc"), None);
    }

    #[test]
    fn markdown_links_keep_their_text() {
        assert_eq!(
            body_text(
                "email [support@openai.com](mailto:support@openai.com \"support@openai.com\")."
            ),
            "email support@openai.com."
        );
        assert_eq!(body_text("<p>Fixed &amp; **done**</p>"), "Fixed & done");
        assert_eq!(
            body_text(r"And we're back.\r\n\r\nThe root cause was a slow query."),
            "And we're back.\nThe root cause was a slow query."
        );
    }

    #[test]
    fn affected_lists_split_like_to_sentence() {
        assert_eq!(
            affected_services(
                "This incident affected: Git Operations, Webhooks, and API Requests."
            ),
            Some(vec![
                "Git Operations".to_string(),
                "Webhooks".to_string(),
                "API Requests".to_string()
            ])
        );
        assert_eq!(
            affected_services("This incident affected: API and Pages."),
            Some(vec!["API".to_string(), "Pages".to_string()])
        );
        assert_eq!(
            affected_services("This scheduled maintenance affected: Actions."),
            Some(vec!["Actions".to_string()])
        );
        assert_eq!(affected_services("We fixed it."), None);
    }

    #[test]
    fn cause_prefers_postmortem_then_resolution() {
        let updates = vec![
            update(None, "investigating", "Errors seem due to a DNS issue."),
            update(None, "resolved", "The outage was caused by a bad deploy."),
        ];
        assert_eq!(
            incident_cause(None, &updates).as_deref(),
            Some("The outage was caused by a bad deploy.")
        );
        assert_eq!(
            incident_cause(Some("It was triggered by a power cut."), &updates).as_deref(),
            Some("It was triggered by a power cut.")
        );
    }

    #[test]
    fn closing_time_ignores_later_postmortem() {
        let updates = vec![
            update(Some("2024-01-01T10:00:00Z"), "investigating", "a"),
            update(Some("2024-01-01T11:00:00Z"), "resolved", "b"),
            update(Some("2024-01-03T09:00:00Z"), "postmortem", "c"),
        ];
        assert_eq!(
            closing_update_time(&updates)
                .map(crate::model::rfc3339)
                .as_deref(),
            Some("2024-01-01T11:00:00Z")
        );
    }

    #[test]
    fn quote_is_title_and_newest_update_cut_short() {
        let updates = vec![update(None, "resolved", &"word ".repeat(100))];
        let q = source_quote("Title", &updates);
        assert!(q.starts_with("Title: word word"));
        // Cut inside a word: 300 characters and the ellipsis.
        assert_eq!(q.chars().count(), QUOTE_CHARS + 1);
        assert!(q.ends_with("wor…"));
        assert_eq!(source_quote("Only", &[]), "Only");
    }
}
