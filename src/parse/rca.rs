//! The cause sentence of a post-incident report, as GCP incident reports and Azure PIR/RCA posts
//! write it: a "Root Cause" section ("**Root Cause:**", "## Root Cause", "Root Cause: We
//! determined …", "What went wrong and why?") or a stated cause ("From preliminary analysis, the
//! root cause of the issue was …").
//!
//! Root-cause sections often open with background ("GCLB is a collection of …"), so the first
//! sentence of the section that names a cause wins over the section's first sentence. Sentences
//! that only promise an investigation are not causes. Local to the status parsers until the shared
//! cause extractor lands.

use crate::extract::text::{sentences, truncate_chars};

/// Causes are kept to about a sentence, like source quotes.
const MAX_CAUSE_CHARS: usize = 300;

/// The cause across a report's texts (callers pass the newest first): the first sentence naming
/// a cause in a root-cause section, else the first stated root cause, else the first sentence of
/// a root-cause section.
pub(crate) fn cause_in<'a>(texts: impl Iterator<Item = &'a str> + Clone) -> Option<String> {
    let sections: Vec<Section> = texts.clone().filter_map(section).collect();
    sections
        .iter()
        .find_map(|s| s.causal.clone())
        .or_else(|| texts.into_iter().find_map(from_statement))
        .or_else(|| sections.iter().find_map(|s| s.first.clone()))
}

/// What a root-cause section offers.
struct Section {
    causal: Option<String>,
    first: Option<String>,
}

fn section(text: &str) -> Option<Section> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(inline) = section_heading(line) else {
            continue;
        };
        let mut body: Vec<&str> = Vec::new();
        if !inline.is_empty() {
            body.push(inline);
        }
        for next in lines.iter().skip(i + 1) {
            if is_heading(next) {
                break;
            }
            body.push(next);
        }
        let body = body.join("\n");
        let candidates: Vec<&str> = sentences(&body)
            .into_iter()
            .filter(|s| !only_investigating(s))
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let keep = |s: &&str| truncate_chars(s, MAX_CAUSE_CHARS);
        return Some(Section {
            causal: candidates.iter().find(|s| names_a_cause(s)).map(keep),
            first: candidates.first().map(keep),
        });
    }
    None
}

/// A sentence stating the root cause outright ("the root cause of the issue was …").
pub(crate) fn from_statement(text: &str) -> Option<String> {
    sentences(text)
        .into_iter()
        .find(|s| states_root_cause(s))
        .map(|s| truncate_chars(s, MAX_CAUSE_CHARS))
}

/// `Some(rest of line)` when the line opens a root-cause section.
fn section_heading(line: &str) -> Option<&str> {
    let lower = line.to_ascii_lowercase();
    let trimmed = lower.trim_end_matches(['?', ':']).trim();
    if matches!(
        trimmed,
        "what went wrong and why" | "what went wrong, and why"
    ) {
        return Some("");
    }
    let mut rest = lower.as_str();
    for prefix in ["preliminary ", "suspected "] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    let rest = rest.strip_prefix("root cause")?;
    let rest = rest.strip_prefix(" and mitigation").unwrap_or(rest);
    let offset = line.len() - rest.len();
    let after = rest.trim_start();
    if after.is_empty() {
        return Some("");
    }
    let sep = after.chars().next()?;
    if !matches!(sep, ':' | '-' | '–') {
        return None;
    }
    let start = offset + (rest.len() - after.len()) + sep.len_utf8();
    line.get(start..).map(str::trim)
}

/// Section headings in reports: short label lines ("Remediation and Prevention:", "Mitigation",
/// "How did we respond?") or a known label opening a paragraph ("Next Steps: We …").
fn is_heading(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    const LABELS: [&str; 10] = [
        "mitigation",
        "next steps",
        "remediation",
        "summary of impact",
        "customer impact",
        "detection",
        "workaround",
        "how did we respond",
        "how are we making",
        "provide feedback",
    ];
    if LABELS.iter().any(|l| {
        lower
            .strip_prefix(l)
            .is_some_and(|r| r.is_empty() || r.starts_with([':', '?', ' ']))
    }) {
        return true;
    }
    let words = line.split_whitespace().count();
    let chars = line.chars().count();
    chars <= 60
        && (line.ends_with(':')
            || line.ends_with('?')
            || (words <= 6 && !line.ends_with(['.', '!', ','])))
}

fn names_a_cause(sentence: &str) -> bool {
    let lower = sentence.to_lowercase();
    states_root_cause(sentence)
        || [
            "caused",
            "triggered",
            "trigger for",
            "the cause",
            "due to",
            "resulted in",
            "led to",
            "began when",
            "because",
        ]
        .iter()
        .any(|k| contains_phrase(&lower, k))
}

/// `phrase` as whole words ("led to" is not inside "failed to").
fn contains_phrase(haystack: &str, phrase: &str) -> bool {
    haystack.match_indices(phrase).any(|(at, _)| {
        let before = haystack.get(..at).and_then(|h| h.chars().next_back());
        let after = haystack
            .get(at + phrase.len()..)
            .and_then(|h| h.chars().next());
        before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
    })
}

/// A promise to find the cause ("continues to investigate", "will provide"), not a finding ("our
/// investigation found").
fn only_investigating(sentence: &str) -> bool {
    let lower = sentence.to_lowercase();
    [
        "to investigate",
        "are investigating",
        "is investigating",
        "still investigating",
        "will investigate",
        "under investigation",
        "investigation is ongoing",
        "investigation continues",
        "will provide",
    ]
    .iter()
    .any(|k| contains_phrase(&lower, k))
        && !["caused by", "triggered", "due to"]
            .iter()
            .any(|k| contains_phrase(&lower, k))
}

/// "root cause [of the issue] is/was/appears to be X", but not "once the root cause was
/// identified, …" nor "continue to investigate the root cause".
fn states_root_cause(sentence: &str) -> bool {
    let lower = sentence.to_lowercase();
    let Some(at) = lower.find("root cause") else {
        return false;
    };
    let mut rest = lower
        .get(at + "root cause".len()..)
        .unwrap_or("")
        .trim_start();
    for filler in [
        "of the issue",
        "of this issue",
        "of the incident",
        "of the outage",
        "of",
    ] {
        if let Some(r) = rest.strip_prefix(filler) {
            rest = r.trim_start();
            break;
        }
    }
    rest = rest.trim_start_matches(',').trim_start();
    let Some(after_verb) = [
        "is ",
        "was ",
        "appears to be ",
        "seems to be ",
        "has been identified as ",
    ]
    .iter()
    .find_map(|v| rest.strip_prefix(v)) else {
        return false;
    };
    let next = after_verb.split_whitespace().next().unwrap_or("");
    let pending = next.starts_with("identified,")
        || matches!(
            next,
            "not" | "still" | "being" | "under" | "unknown" | "identified."
        );
    !pending && !only_investigating(sentence)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The section's causal sentence, else its first.
    fn from_section(text: &str) -> Option<String> {
        section(text).and_then(|s| s.causal.or(s.first))
    }

    #[test]
    fn section_prefers_the_sentence_that_names_a_cause() {
        let report = "Summary:\nOn Tuesday things broke.\nRoot Cause:\nThe health checking service and GFE share a common resource pool. For a period of time, traffic was directed away.\nThe incident was triggered when Google engineers rerouted traffic to these clusters. More text.\nRemediation and Prevention:\nWe rolled back, which caused recovery.";
        assert_eq!(
            from_section(report).as_deref(),
            Some(
                "The incident was triggered when Google engineers rerouted traffic to these clusters."
            )
        );
    }

    #[test]
    fn inline_section_label_and_what_went_wrong() {
        assert_eq!(
            from_section("Summary of impact: errors.\nRoot Cause: A configuration change was deployed, causing errors. It was reverted.\nMitigation: We rolled back.").as_deref(),
            Some("A configuration change was deployed, causing errors.")
        );
        assert_eq!(
            from_section("What happened?\nErrors.\nWhat went wrong and why?\nThis issue was initially flagged by monitors. We discovered that a backend was misconfigured, which caused failures.\nHow did we respond?\nReverted.").as_deref(),
            Some("We discovered that a backend was misconfigured, which caused failures.")
        );
    }

    #[test]
    fn investigation_promises_are_not_causes() {
        assert_eq!(
            from_section(
                "Preliminary root cause: Engineers will continue to investigate to establish the full root cause and prevent future occurrences.\nMitigation: done."
            ),
            None
        );
        assert_eq!(
            from_statement(
                "Our engineering team continues to investigate the issue and root cause. Once the root cause was identified, our engineers mitigated it."
            ),
            None
        );
    }

    #[test]
    fn cause_words_match_whole_words_only() {
        assert!(!names_a_cause(
            "The migration tool failed to process the configuration."
        ));
        assert!(names_a_cause("The change led to errors."));
    }

    #[test]
    fn stated_root_cause_sentence() {
        assert_eq!(
            from_statement("Description: Errors for 3 hours. From preliminary analysis, the root cause of the issue was a capacity shortage following two simultaneous fiber-cuts. Customer Impact: latency.").as_deref(),
            Some("From preliminary analysis, the root cause of the issue was a capacity shortage following two simultaneous fiber-cuts.")
        );
        assert_eq!(
            from_statement(
                "The root cause was identified as a failed configuration on a standby task."
            )
            .as_deref(),
            Some("The root cause was identified as a failed configuration on a standby task.")
        );
    }

    #[test]
    fn sections_win_over_statements_across_updates() {
        let newest = "Incident Report\nRoot Cause\nA bug in the pipeline caused corrupt configs.";
        let older = "From preliminary analysis, the root cause of the issue was a rollout.";
        assert_eq!(
            cause_in([older, newest].into_iter()).as_deref(),
            Some("A bug in the pipeline caused corrupt configs.")
        );
        assert_eq!(
            cause_in([older].into_iter()).as_deref(),
            Some("From preliminary analysis, the root cause of the issue was a rollout.")
        );
        assert_eq!(cause_in(["Nothing to see."].into_iter()), None);
    }
}
