//! Why: the cause phrase of a report ("a software patch affecting the cache server") and its
//! [`CauseCategory`].

use std::sync::LazyLock;

use regex::Regex;

use super::{CauseCategory, Fact, Sentence};
use crate::extract::cause;
use crate::extract::dates::regex;
use crate::extract::text::truncate_chars;

static CAUSE_CUE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:was caused by|were caused by|caused by|due to|as a result of|the result of|resulted from|because of|blamed (?:it )?on|blamed|attributed (?:it |the outage |the problem )?to|triggered by|traced (?:back )?to|stemmed from|stemming from|root cause (?:was|is|of the \w+ was)|the (?:root )?cause(?: of the \w+)? (?:was|is)|the culprit was|(?:the )?(?:root )?cause:|after|following|when)\s+[“\x22'‘]?",
    )
});

static CAUSE_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)(?:^|\b(?:said|says|that|explained)\s+(?:that\s+)?)(?P<p>[^,;:]{4,100}?)\s+(?:had\s+|has\s+|was\s+)?(?:(?:appeared|appears|seemed|seems) to cause|caused|triggered|led to|resulted in|crashed|knocked out|took down|brought down|withdrew|deleted|disabled|broke)\b",
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
    shared
        .or_else(|| {
            current
                .iter()
                .find(|s| stated_cause_phrase(s.text).is_some())
                .copied()
        })
        .or_else(|| current.into_iter().find(|s| cause_phrase(s.text).is_some()))
}

/// The cause as written, with its sentence. A "Root Cause" heading's first line wins. Else
/// every sentence of the text is read (real articles state the cause in paragraphs 3 to 8)
/// and the candidates are ranked: a phrase that names a kind of cause (a change, a bug, a
/// power loss ...) in a sentence about the outage, stated ("caused by", "X triggered") rather
/// than placed ("after ..."), earliest first. A phrase naming no kind of cause counts only
/// when the older first-found reading ([`cause_sentence`]) agrees.
pub(super) fn cause(sents: &[Sentence]) -> Option<Fact<String>> {
    if sents.iter().any(|s| s.section.contains("cause")) {
        return first_cause(sents);
    }
    ranked_cause(sents).or_else(|| {
        first_cause(sents).filter(|f| categorise_cause(&f.value) != CauseCategory::Unknown)
    })
}

static ABOUT_OUTAGE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:outages?|disruption|went down|down|offline|downtime|interruption|incident|failure|crash\w*|errors?|unavailab\w*|problems?|issues?|blackout|the (?:problem|issue|event))\b",
    )
});

/// Readings that only guess or deny: "not the result of a cyberattack", "no evidence of",
/// "ruled out", "it is unclear whether", "may have been", "speculat...".
static NOT_A_CAUSE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:not (?:the result of|caused by|due to|related to|a result of)|was not|wasn't|no evidence|ruled out|rule out|unclear|unknown|not yet known|speculat\w*|rumou?rs?|under investigation|investigating the cause|not clear|if\b|could have|might have|may have)\b",
    )
});

fn ranked_cause(sents: &[Sentence]) -> Option<Fact<String>> {
    let mut best: Option<(i32, Fact<String>)> = None;
    for s in sents.iter().filter(|s| !s.dateline && !s.recalls_other) {
        if NOT_A_CAUSE.is_match(s.text) {
            continue;
        }
        let stated = stated_cause_phrase(s.text);
        let Some(phrase) = stated.clone().or_else(|| cause_phrase(s.text)) else {
            continue;
        };
        let category = categorise_cause(&phrase);
        if category == CauseCategory::Unknown {
            continue;
        }
        let lower = phrase.to_lowercase();
        let words = phrase.split_whitespace().count();
        // "this many hundreds of ...", "these errors ...": a pronoun is no cause.
        let pronoun = [
            "this ", "these ", "that ", "those ", "it ", "they ", "them ",
        ]
        .iter()
        .any(|p| lower.starts_with(p));
        let mut score = 3;
        if ABOUT_OUTAGE.is_match(s.text) {
            score += 2;
        }
        // "after a failure at Fastly" only places one event after another.
        if stated.is_some() {
            score += 1;
        } else {
            score -= 2;
        }
        if pronoun || words > 25 {
            score -= 3;
        }
        if best.as_ref().is_none_or(|(b, _)| score > *b) {
            best = Some((
                score,
                Fact {
                    value: phrase,
                    quote: s.text.to_string(),
                },
            ));
        }
    }
    best.filter(|(score, _)| *score >= 3).map(|(_, f)| f)
}

/// The first sentence's cause phrase (see [`cause_sentence`]).
fn first_cause(sents: &[Sentence]) -> Option<Fact<String>> {
    let Some(s) = cause_sentence(sents) else {
        return named_cause(sents);
    };
    let value = if s.section.contains("cause") {
        truncate_chars(s.text, 200)
    } else {
        stated_cause_phrase(s.text).or_else(|| cause_phrase(s.text))?
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
    after_cue(sentence, true).or_else(|| subject_cause(sentence))
}

/// A cause phrase from a cue that states causation ("caused by", "X triggered"), not from a
/// sequence word ("after", "following") that only places one event after another.
fn stated_cause_phrase(sentence: &str) -> Option<String> {
    after_cue(sentence, false).or_else(|| subject_cause(sentence))
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

fn after_cue(sentence: &str, weak_cues: bool) -> Option<String> {
    for c in CAUSE_CUE.find_iter(sentence) {
        if !weak_cues && weak_cue(c.as_str()) {
            continue;
        }
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
            .trim_end_matches(['.', ',', ';', ':', ')', '"', '”', '’', '\'']);
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
