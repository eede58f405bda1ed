//! The cause of an outage, as the vendor stated it: the first sentence that explains why
//! ("caused by", "due to", "the root cause was" ...).
//!
//! Callers pass texts in order of authority (post-mortem first, then the resolution notice, then
//! the other updates), so the considered explanation wins over early guesses. Sentences that only
//! promise a cause ("a detailed root cause analysis will be shared") or report work on it ("we
//! have identified the root cause and are working on a fix") are not causes and are skipped.

use std::sync::LazyLock;

use regex::Regex;

use crate::extract::text::{sentences, truncate_chars};

/// A cause sentence longer than this is cut: post-mortems sometimes run a paragraph together
/// without a sentence break, and a cause is a sentence, not a report.
const MAX_CAUSE_CHARS: usize = 300;

/// Phrases that introduce a cause. "root cause" counts only when the sentence says what it was
/// ("the root cause was", "root cause of the outage is", "root cause:"), because status updates
/// mention it mostly to say it is being looked for or has been mitigated.
static CAUSE_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:caused by|due to\b(?:\s+be\b)?|was the result of|as a result of|triggered by|stemmed from|traced (?:back )?to|attributed to|root cause(?: of [^.;:]*?)?(?:\s+(?:was|is|were|has been identified as|appears to be)\b|\s*:))",
    )
    .expect("cause pattern is valid")
});

/// Sentences that speak about a cause without giving one.
static NOT_A_CAUSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:will be (?:shared|published|provided|posted)|will (?:share|publish|provide|post)|under investigation|being investigated|still investigating|not yet (?:known|clear|determined)|is unknown|to (?:determine|identify|understand|find) (?:the )?(?:root )?cause)\b",
    )
    .expect("non-cause pattern is valid")
});

/// The first sentence in `texts` that states a cause, trimmed (and cut at about 300 characters).
/// `None` when no text explains why.
pub fn cause_sentence(texts: &[&str]) -> Option<String> {
    for text in texts {
        for sentence in sentences(text) {
            let sentence = sentence.trim();
            if sentence.ends_with('?') || NOT_A_CAUSE.is_match(sentence) {
                continue;
            }
            // "is due to be deployed" is a schedule, not a cause.
            let states_cause = CAUSE_CUE
                .find_iter(sentence)
                .any(|m| !m.as_str().to_ascii_lowercase().ends_with(" be"));
            if states_cause {
                return Some(truncate_chars(sentence, MAX_CAUSE_CHARS));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_sentence_with_a_cause_phrase() {
        let got = cause_sentence(&[
            "Webhook deliveries were delayed from 08:02UTC to 08:12UTC due to network connectivity problems",
        ]);
        assert_eq!(
            got.as_deref(),
            Some(
                "Webhook deliveries were delayed from 08:02UTC to 08:12UTC due to network connectivity problems"
            )
        );
    }

    #[test]
    fn earlier_texts_win_over_later_ones() {
        let postmortem = "We are sorry. The outage was caused by a bad certificate rotation.";
        let resolved = "Errors were due to a database failover.";
        assert_eq!(
            cause_sentence(&[postmortem, resolved]).as_deref(),
            Some("The outage was caused by a bad certificate rotation.")
        );
        assert_eq!(
            cause_sentence(&["Nothing here.", resolved]).as_deref(),
            Some("Errors were due to a database failover.")
        );
    }

    #[test]
    fn every_cue_is_recognised() {
        for (text, cue) in [
            (
                "The failure was the result of a config push.",
                "was the result of",
            ),
            ("Queues grew as a result of a DNS fault.", "as a result of"),
            ("The incident was triggered by a deploy.", "triggered by"),
            ("Errors stemmed from a full disk.", "stemmed from"),
            ("Latency was traced to a noisy neighbour.", "traced to"),
            ("Latency was traced back to a router.", "traced back to"),
            ("The outage is attributed to a power cut.", "attributed to"),
            (
                "The root cause was an expired certificate.",
                "root cause was",
            ),
            (
                "The root cause of the outage is a kernel bug.",
                "root cause of ... is",
            ),
            ("Root cause: a bad index.", "root cause:"),
        ] {
            assert_eq!(cause_sentence(&[text]).as_deref(), Some(text), "{cue}");
        }
    }

    #[test]
    fn promises_and_progress_reports_are_not_causes() {
        for text in [
            "A detailed root cause analysis will be shared as soon as it is available.",
            "We have identified the root cause of the outage and are working toward mitigation",
            "The root cause has been mitigated and most services have fully recovered.",
            "The root cause is still under investigation.",
            "We are working to determine the root cause.",
            "Was this due to the deploy?",
            "A fix is due to be deployed at 10:00 UTC.",
            "As a result, we began adding capacity.",
        ] {
            assert_eq!(cause_sentence(&[text]), None, "{text}");
        }
    }

    #[test]
    fn cue_matching_respects_word_boundaries() {
        assert_eq!(cause_sentence(&["The invoice is overdue to us."]), None);
    }

    #[test]
    fn a_run_on_cause_is_cut() {
        let long = format!(
            "The outage was caused by {}",
            "a very long chain ".repeat(30)
        );
        let got = cause_sentence(&[&long]).expect("cause");
        assert_eq!(got.chars().count(), MAX_CAUSE_CHARS + 1);
        assert!(got.ends_with('…'));
    }

    #[test]
    fn nothing_found_in_empty_input() {
        assert_eq!(cause_sentence(&[]), None);
        assert_eq!(cause_sentence(&["", "   "]), None);
    }
}
