//! Text fingerprints: the content words two reports share, and near-duplicate detection.
//!
//! Two comparisons, for two questions. "Are these about the same thing?" compares the content
//! words (stop words, generic outage vocabulary and the vendor's own name removed, since every
//! report about a vendor's outage has them). "Is this the same text?" (syndication: a wire story
//! reprinted under another headline) compares word 3-shingles: a 64-bit SimHash for a cheap
//! Hamming distance, and the shingles' Jaccard index for short texts where SimHash is noisy.

use std::collections::BTreeSet;

/// Words that say nothing about which outage a text is about.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "after",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "being",
    "but",
    "by",
    "can",
    "could",
    "customers",
    "did",
    "do",
    "does",
    "due",
    "during",
    "for",
    "from",
    "had",
    "has",
    "have",
    "he",
    "her",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "more",
    "most",
    "no",
    "not",
    "now",
    "of",
    "on",
    "one",
    "or",
    "our",
    "out",
    "over",
    "said",
    "she",
    "since",
    "so",
    "some",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "to",
    "up",
    "us",
    "users",
    "was",
    "we",
    "were",
    "what",
    "when",
    "which",
    "while",
    "who",
    "will",
    "with",
    "would",
    "you",
    "your",
    // Outage vocabulary every report uses.
    "affected",
    "affecting",
    "currently",
    "degraded",
    "degradation",
    "disruption",
    "down",
    "downtime",
    "error",
    "errors",
    "fix",
    "fixed",
    "identified",
    "impact",
    "impacted",
    "implemented",
    "incident",
    "increased",
    "investigating",
    "issue",
    "issues",
    "looking",
    "monitoring",
    "operational",
    "outage",
    "outages",
    "performance",
    "problem",
    "problems",
    "rates",
    "recovered",
    "reports",
    "resolved",
    "service",
    "services",
    "some",
    "status",
    "update",
    "updates",
    "working",
];

/// What a text is compared by.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fingerprint {
    /// Content words, lowercased.
    pub words: BTreeSet<String>,
    /// Hashes of the word 3-shingles of the whole text.
    pub shingles: BTreeSet<u64>,
    pub simhash: u64,
    /// How many words the text had: SimHash says little below a few dozen.
    pub length: usize,
}

/// Shingles of at least this many words make a text comparable for near-duplication.
pub const MIN_DUPLICATE_WORDS: usize = 12;

/// Hamming distance at or below which two SimHashes are the same text.
pub const SIMHASH_DISTANCE: u32 = 3;

/// Shingle Jaccard index at or above which two texts are the same text.
pub const SHINGLE_JACCARD: f64 = 0.6;

impl Fingerprint {
    /// Fingerprints `text`, leaving out the words of `vendor` from the content words.
    pub fn of(text: &str, vendor: &str) -> Fingerprint {
        let tokens = tokens(text);
        let vendor_words: BTreeSet<String> = tokens_of(vendor).collect();
        let words = tokens
            .iter()
            .filter(|w| w.chars().count() > 1 || w.chars().all(|c| c.is_ascii_digit()))
            .filter(|w| !STOP_WORDS.contains(&w.as_str()) && !vendor_words.contains(*w))
            .cloned()
            .collect();
        let shingles: BTreeSet<u64> = tokens
            .windows(3)
            .map(|w| fnv1a(w.join(" ").as_bytes()))
            .collect();
        Fingerprint {
            words,
            simhash: simhash(&shingles),
            shingles,
            length: tokens.len(),
        }
    }

    /// Share of the smaller content-word set found in the other: 1.0 when one text's subject
    /// words all appear in the other. Below two words a text has no subject to compare.
    pub fn similarity(&self, other: &Fingerprint) -> f64 {
        let smaller = self.words.len().min(other.words.len());
        if smaller < 2 {
            return 0.0;
        }
        let shared = self.words.intersection(&other.words).count();
        ratio(shared, smaller)
    }

    /// True when the two texts are one text (reprinted, lightly edited), judged on shingles.
    pub fn near_duplicate(&self, other: &Fingerprint) -> bool {
        if self.length < MIN_DUPLICATE_WORDS || other.length < MIN_DUPLICATE_WORDS {
            return false;
        }
        (self.simhash ^ other.simhash).count_ones() <= SIMHASH_DISTANCE
            || self.shingle_jaccard(other) >= SHINGLE_JACCARD
    }

    /// Jaccard index of the two shingle sets.
    pub fn shingle_jaccard(&self, other: &Fingerprint) -> f64 {
        let union = self.shingles.union(&other.shingles).count();
        ratio(self.shingles.intersection(&other.shingles).count(), union)
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    // Word counts stay far below 2^52, where the conversion is exact.
    part as f64 / whole as f64
}

fn tokens(text: &str) -> Vec<String> {
    tokens_of(text).collect()
}

fn tokens_of(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// 64-bit FNV-1a: a stable hash (std's is seeded per process).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Charikar's SimHash: each bit is the majority vote of that bit over the shingle hashes.
fn simhash(shingles: &BTreeSet<u64>) -> u64 {
    let mut votes = [0i64; 64];
    for h in shingles {
        for (bit, vote) in votes.iter_mut().enumerate() {
            if h >> bit & 1 == 1 {
                *vote += 1;
            } else {
                *vote -= 1;
            }
        }
    }
    votes
        .iter()
        .enumerate()
        .filter(|(_, v)| **v > 0)
        .fold(0u64, |acc, (bit, _)| acc | 1 << bit)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIRE: &str = "GitHub said on Tuesday that developers were unable to push code for \
        almost an hour after a database failover went wrong in its Virginia data centre, \
        stalling builds at thousands of companies.";

    #[test]
    fn reprint_with_a_changed_word_is_a_near_duplicate() {
        let a = Fingerprint::of(WIRE, "GitHub");
        let b = Fingerprint::of(&WIRE.replace("almost", "nearly"), "GitHub");
        assert!(a.near_duplicate(&b));
        assert_eq!(a.shingle_jaccard(&a), 1.0);
    }

    #[test]
    fn different_story_about_the_same_outage_is_not_a_duplicate() {
        let a = Fingerprint::of(WIRE, "GitHub");
        let b = Fingerprint::of(
            "Developers across Europe reported failed pushes to GitHub repositories on \
             Tuesday morning; the company blamed a database failover and said the problem \
             lasted 49 minutes.",
            "GitHub",
        );
        assert!(!a.near_duplicate(&b));
        assert!(a.similarity(&b) > 0.0);
    }

    #[test]
    fn short_texts_are_never_duplicates() {
        let a = Fingerprint::of("GitHub is down", "GitHub");
        assert!(!a.near_duplicate(&a.clone()));
    }

    #[test]
    fn content_words_drop_stop_words_outage_vocabulary_and_the_vendor() {
        let f = Fingerprint::of(
            "We are investigating degraded performance for GitHub Git Operations",
            "GitHub",
        );
        let words: Vec<&str> = f.words.iter().map(String::as_str).collect();
        assert_eq!(words, ["git", "operations"]);
    }

    #[test]
    fn similarity_is_the_share_of_the_smaller_subject_found_in_the_other() {
        let status = Fingerprint::of("Incident with Git Operations", "GitHub");
        let press = Fingerprint::of(
            "Developers could not push code as Git operations failed",
            "GitHub",
        );
        assert_eq!(status.similarity(&press), 1.0);
        let other = Fingerprint::of("Incident with Pages and Packages", "GitHub");
        assert_eq!(status.similarity(&other), 0.0);
    }
}
