//! How bad and whether it is over: severity from the words a report uses, and its status.

use std::sync::LazyLock;

use regex::Regex;

use super::{FACT_SENTENCES, Fact, Sentence, SeverityJudgement};
use crate::extract::classify::contains_phrase;
use crate::extract::dates::regex;
use crate::model::{Severity, Status};

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

pub(super) fn severity(
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

pub(super) fn status(sents: &[Sentence]) -> Status {
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
