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
        r"(?i)\b(?:was caused by|were caused by|caused by|due to|as a result of|the result of|a result of|resulted from|because of|blamed (?:[^,.;:]{1,60}? )?on|blamed|blames|attribut(?:ed|ing|es) (?:[^,.;:]{1,60}? )?to|triggered by|originated (?:from|with|in)|(?:identified|pinpointed|named|cited|gave|determined) the (?:(?:likely|probable|primary|main|underlying|root) )*cause (?:as|to be)|traced (?:[^,.;:]{1,40}? )?(?:back )?to|(?:isolated|narrowed) (?:the )?(?:problem|issue|outage)s? (?:down )?to|points? to|pointed to|stemmed from|stemming from|(?:was|were|is|are|been|be) linked to|related to|(?:(?:root|primary|underlying|main|likely|probable) )*cause(?: of [^,.;:]{1,40}?)? (?:was|is|appears to be|appeared to be)(?: (?:identified|determined) (?:as|to be))?|the culprit was|(?:the )?(?:(?:root|primary) )?(?:cause|culprit)(?: (?:emerged|was|is))?\s*[:?]|but (?:by|to|due to)|after|following|when)\s+[“\x22'‘]?",
    )
});

static CAUSE_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)(?:^|[,:]\s+|\b(?:said|says|that|explained)\s+(?:that\s+)?)(?P<p>[^,;:]{4,100}?)(?:\s+(?:that|which)\s+(?:it|they|the company|\w+)\s+(?:believed|believes|said|says|thinks|thought))?(?:(?:\s+had|\s+has|\s+have|\s+likely|\s+probably)?\s+(?:(?:appeared|appears|seemed|seems) to cause|caused|triggered|led to|resulted in|crashed|knocked out|took down|brought down|withdrew|deleted|disabled|broke)|\s+(?:was|is|were|are)\s+(?:likely\s+|probably\s+|also\s+)?(?:causing|responsible for|to blame for|behind))\b",
    )
});

/// "It rolled back", "the company reverted": what follows is the change that was undone.
static UNDONE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)^(?:it|they|we|the company|\w+)\s+(?:has\s+|had\s+|have\s+)?(?:rolled back|reverted|undid)\s+",
    )
});

/// "identified a recent update as the likely cause", "pointing to a network issue as the
/// culprit": the phrase before "as the cause".
static AS_THE_CAUSE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:identified|pinpointed|named|cited|fingering|fingered|singled out|determined|isolated|focused on|point(?:s|ed|ing)? (?:to|towards|at))\s+(?P<p>[^,;:.]{4,160}?)\s+as\s+(?:the\s+|a\s+)?(?:(?:likely|probable|possible|primary|main|underlying|root|real|chief)\s+)*(?:cause|culprit|source)\b",
    )
});

/// Cues that name a cause only when the phrase after them does ("after a power failure", not
/// "after 20 minutes").
fn weak_cue(cue: &str) -> bool {
    let c = cue
        .trim()
        .trim_end_matches(['“', '"', '\'', '‘'])
        .trim()
        .to_lowercase();
    c == "after"
        || c == "following"
        || c == "when"
        || c == "blamed"
        || c.ends_with("related to")
        || c.starts_with("point")
}

/// The sentence that states the cause. A "Root Cause" heading's first line wins; then the
/// sentence [`cause::cause_sentence`] picks (it skips promises and guesses such as "the cause is
/// under investigation") when a phrase can be cut from it; else the first sentence with one of
/// the press's looser cues ("blamed", "after a power failure").
fn cause_sentence<'s, 'a>(sents: &'s [Sentence<'a>]) -> Option<&'s Sentence<'a>> {
    if let Some(s) = sents
        .iter()
        .find(|s| s.section.contains("cause") && !REFERS_ELSEWHERE.is_match(s.text))
    {
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
    ranked_cause(sents)
        .or_else(|| {
            first_cause(sents).filter(|f| {
                categorise_cause(&f.value) != CauseCategory::Unknown
                    && !NOT_A_CAUSE.is_match(&f.quote)
            })
        })
        .or_else(|| generic_cause(sents))
}

/// Causes that name no kind of fault but are what a company gave: "a technical issue", "an
/// operational issue", "a software issue".
static GENERIC_CAUSE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:technical|operational|software|network|networking|system|internal|server|configuration)[- ](?:issues?|problems?|glitch(?:es)?|errors?|faults?|failures?|snags?)\b",
    )
});

/// Words that present a phrase as the reason given: "acknowledged it was", "recovered from",
/// "blamed", "cause".
static GIVEN_AS_REASON: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:caus\w*|due to|because|blam\w*|attribut\w*|acknowledg\w*|confirm\w*|recovered from|result of|culprit|linked to|traced|pointed to|points to|cited)\b",
    )
});

/// The last resort: a generic reason ("a “technical issue”") in a sentence that gives it as
/// the reason, with its article and quotation marks.
fn generic_cause(sents: &[Sentence]) -> Option<Fact<String>> {
    sents
        .iter()
        .filter(|s| !s.dateline && !s.recalls_other && !s.is_title)
        .filter(|s| GIVEN_AS_REASON.is_match(s.text) && !NOT_A_CAUSE.is_match(s.text))
        .find_map(|s| {
            let m = GENERIC_CAUSE.find(s.text)?;
            // Back over an opening quotation mark and an article: "a “technical issue”".
            let before = s.text.get(..m.start())?;
            let head = before.trim_end_matches(['“', '"', '‘']);
            let start = head
                .trim_end()
                .rsplit_once(' ')
                .map_or(("", head.trim_end()), |(a, b)| (a, b))
                .1;
            let start = if start.eq_ignore_ascii_case("a") || start.eq_ignore_ascii_case("an") {
                head.trim_end().len() - start.len()
            } else {
                m.start()
            };
            // A quoted reason runs to its closing mark ("a “software issue affecting some
            // customers”"), when that comes within a short clause.
            let quoted = before.len() != head.len();
            let rest = s.text.get(m.end()..)?;
            let end = rest
                .find(['”', '"', '’'])
                .filter(|&i| quoted && i <= 80)
                .and_then(|i| {
                    rest.get(i..)?
                        .chars()
                        .next()
                        .map(|c| m.end() + i + c.len_utf8())
                })
                .unwrap_or(m.end());
            let value = s.text.get(start..end)?.to_string();
            Some(Fact {
                value,
                quote: s.text.to_string(),
            })
        })
}

static ABOUT_OUTAGE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:(?:attribut\w+|blam\w+) (?:it|this)|outages?|disruption|went down|down|offline|downtime|interruption|incident|failure|crash\w*|errors?|unavailab\w*|problems?|issues?|blackout|the (?:problem|issue|event))\b",
    )
});

/// Readings that only guess: "no evidence of", "ruled out", "it is unclear whether", "may have
/// been", "speculat...". A denial ("was not the result of a cyberattack") is left to the cue's
/// own negation check, so the cause the same sentence does state ("but by a bug") is read.
static NOT_A_CAUSE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:no evidence|ruled out|rule out|unclear|not yet known|speculat\w*|rumou?rs?|under investigation|investigating the cause|not clear|if\b|could have|might have|may have)\b",
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
        // A phrase naming no kind of fault counts where the sentence calls it the cause
        // outright ("identified a database failure as the root cause"), below any that does.
        let unnamed = categorise_cause(&phrase) == CauseCategory::Unknown;
        let called_the_cause = stated.is_some()
            && CALLED_THE_CAUSE.is_match(s.text)
            && !tells_the_outage(&phrase)
            && !NO_ANSWER.is_match(&phrase);
        if unnamed && !called_the_cause {
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
        if unnamed {
            score -= 1;
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

/// The sentence calls its phrase the cause in so many words.
static CALLED_THE_CAUSE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:(?:root|primary|underlying|main|likely|probable) cause|as the (?:\w+ )?cause|cause (?:was|is|of)|culprit|originated (?:from|with|in))\b",
    )
});

/// A phrase that answers nothing: "not i(dentified)", "due to two issues", "unknown".
static NO_ANSWER: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)^\W*(?:not|no|unknown|unclear|due|yet|still|being)\b"));

/// A line that points to the cause rather than states it ("A detailed summary of the root
/// cause can be found here.").
static REFERS_ELSEWHERE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:can be found|see (?:below|above|here)|found here|read more|below is|as follows)\b",
    )
});

/// What follows "after" or "when" tells the outage or its end, not its cause ("after a global
/// outage disrupted the network", "after the service was restored"); a power outage is a cause.
fn tells_the_outage(phrase: &str) -> bool {
    static TOLD: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"(?i)\b(?:restored|recovered|back (?:up|online)|resolved|apologi\w*|outages?|went down)\b",
        )
    });
    static POWER: LazyLock<Regex> =
        LazyLock::new(|| regex(r"(?i)\b(?:power|electric\w*|network|fib(?:er|re)) outages?\b"));
    TOLD.is_match(phrase) && !POWER.is_match(phrase)
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
            .filter(|m| !denied(s.text.get(..m.start()).unwrap_or("")))
            .map(|m| Fact {
                value: noun_phrase_around(s.text, m.start(), m.end()),
                quote: s.text.to_string(),
            })
    })
}

/// The clause before a keyword denies it ("was not the result of a").
fn denied(before: &str) -> bool {
    let clause = before.rsplit([',', ';', ':', '.']).next().unwrap_or("");
    let words: Vec<&str> = clause.split_whitespace().rev().take(6).collect();
    NEGATION.is_match(&words.join(" ")) || words.iter().any(|w| w.eq_ignore_ascii_case("no"))
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
    if let Some(p) = AS_THE_CAUSE
        .captures(sentence)
        .and_then(|c| c.name("p"))
        .map(|m| m.as_str().trim())
        .filter(|p| (2..=25).contains(&p.split_whitespace().count()))
    {
        return Some(p.to_string());
    }
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
    // "it rolled back a routing change that it believed was causing": what was undone.
    let phrase = UNDONE
        .find(phrase)
        .and_then(|m| phrase.get(m.end()..))
        .unwrap_or(phrase);
    let lower = phrase.to_lowercase();
    let words = phrase.split_whitespace().count();
    // "the router was disabled" is what happened to it, not what it did.
    let passive = lower
        .rsplit(' ')
        .next()
        .is_some_and(|w| matches!(w, "was" | "were" | "is" | "are" | "been" | "be"));
    if !(2..=20).contains(&words)
        || passive
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

/// The phrase after the first cue whose phrase names a kind of fault, else after the first cue
/// ("was triggered by a simultaneous failure, caused by a bad patch" gives "a bad patch").
fn after_cue(sentence: &str, weak_cues: bool) -> Option<String> {
    let mut first = None;
    for phrase in cue_phrases(sentence, weak_cues) {
        if categorise_cause(&phrase) != CauseCategory::Unknown {
            return Some(phrase);
        }
        first.get_or_insert(phrase);
    }
    first
}

fn cue_phrases(sentence: &str, weak_cues: bool) -> Vec<String> {
    let mut out = Vec::new();
    for c in CAUSE_CUE.find_iter(sentence) {
        if !weak_cues && weak_cue(c.as_str()) {
            continue;
        }
        // "not caused by an attack but by a bug": "but by" corrects a denial, nothing else.
        if c.as_str().to_lowercase().starts_with("but ")
            && !NEGATION.is_match(sentence.get(..c.start()).unwrap_or(""))
        {
            continue;
        }
        // "not the result of an attack" names what the cause was not.
        let before = sentence.get(..c.start()).unwrap_or("").to_lowercase();
        let last_words: Vec<&str> = before.split_whitespace().rev().take(3).collect();
        if last_words.iter().any(|w| {
            matches!(
                *w,
                "not" | "no" | "than" | "nor" | "never" | "wasn't" | "wasn’t" | "isn't" | "isn’t"
            )
        }) {
            continue;
        }
        // "traced not to an attack": the cue itself denies.
        let cue = c.as_str().to_lowercase();
        if cue.contains(" not ") || cue.contains("n't ") || cue.contains("n’t ") {
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
            ", caused",
            ", triggered",
            ", leading",
            ", resulting",
            ",” ",
            "”, ",
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
        if weak_cue(c.as_str())
            && (categorise_cause(&phrase) == CauseCategory::Unknown || tells_the_outage(&phrase))
        {
            continue;
        }
        out.push(phrase);
    }
    out
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

static NEGATION: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\bnot\b|n[’']t\b"));

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

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences_of(texts: &[&'static str]) -> Vec<Sentence<'static>> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Sentence {
                text: t,
                index: i + 1,
                is_title: false,
                section: String::new(),
                recalls_other: false,
                dateline: false,
            })
            .collect()
    }

    fn cause_of(texts: &[&'static str]) -> Option<String> {
        cause(&sentences_of(texts)).map(|f| f.value)
    }

    /// A denial names what the cause was not; the cause the same sentence goes on to give is
    /// the one read.
    #[test]
    fn a_denial_is_no_cause_and_its_correction_is() {
        assert_eq!(
            cause_of(&[
                "The payments service went down for an hour.",
                "The outage wasn't caused by hackers but by a faulty software update."
            ])
            .as_deref(),
            Some("a faulty software update")
        );
        assert_eq!(
            cause_of(&[
                "The mail service was down for two hours.",
                "The company said the outage was not the result of a cyberattack."
            ]),
            None
        );
    }

    /// Attribution in front of the cause, or around it, leaves the cause readable.
    #[test]
    fn attributed_and_identified_causes_are_read() {
        assert_eq!(
            cause_of(&[
                "Chat was unavailable across Europe on Monday.",
                "The firm attributed the lengthy disruption to a faulty router upgrade."
            ])
            .as_deref(),
            Some("a faulty router upgrade")
        );
        assert_eq!(
            cause_of(&[
                "Email was down for thousands of users.",
                "Engineers identified a recent storage change as the likely cause of the outage."
            ])
            .as_deref(),
            Some("a recent storage change")
        );
        assert_eq!(
            cause_of(&[
                "Calls failed for six hours on Friday.",
                "The operator said it rolled back a routing change that it believed was causing the outage."
            ])
            .as_deref(),
            Some("a routing change")
        );
    }

    /// A generic reason the company gave is its cause as written; the same words as a symptom
    /// are not.
    #[test]
    fn a_generic_reason_given_by_the_company_is_the_cause() {
        assert_eq!(
            cause_of(&[
                "Video calls dropped for many users on Tuesday.",
                "The company confirmed it was a “technical issue affecting some regions” and apologised."
            ])
            .as_deref(),
            Some("a “technical issue affecting some regions”")
        );
        assert_eq!(
            cause_of(&["Users saw a network error when they tried to log in."]),
            None
        );
    }

    /// "after" and "when" place the outage or its end; they name no cause.
    #[test]
    fn a_sequence_word_before_the_outage_itself_is_no_cause() {
        assert_eq!(
            cause_of(&[
                "Players were compensated after a global outage took the network down for a day.",
                "Mail kept bouncing even after the service was restored."
            ]),
            None
        );
        assert_eq!(
            cause_of(&["The checkout failed after a power outage at the data centre."]).as_deref(),
            Some("a power outage at the data centre")
        );
        assert_eq!(
            cause_of(&[
                "Sites went dark for hours.",
                "Later the root cause emerged: a faulty certificate rotation."
            ])
            .as_deref(),
            Some("a faulty certificate rotation")
        );
    }

    /// A phrase naming no kind of fault counts where the sentence calls it the cause; the
    /// first cue whose phrase names a fault wins over an earlier one that names none.
    #[test]
    fn a_phrase_called_the_cause_counts_and_named_faults_win() {
        assert_eq!(
            cause_of(&[
                "The chatbot was down for hours.",
                "The firm identified a database failure as the primary root cause."
            ])
            .as_deref(),
            Some("a database failure")
        );
        assert_eq!(cause_of(&["The Root Cause: the Acme outage"]), None);
        assert_eq!(
            cause_of(&[
                "The outage was triggered by a sudden failure, caused by a faulty kernel patch."
            ])
            .as_deref(),
            Some("a faulty kernel patch")
        );
    }

    /// What was done to a thing ("the router was disabled") is not what it did.
    #[test]
    fn a_passive_subject_is_no_cause() {
        assert_eq!(
            cause_of(&[
                "Once engineers spotted the fault, the backup router was disabled and traffic recovered."
            ]),
            None
        );
    }
}
