//! Precision before recall: is the text a report of a specific disruption of the vendor's
//! service, or a page that only talks about outages (an explainer, a guide, a survey of outage
//! costs, an insurance offer, earnings, a region glossary, an "is it down" page)?
//!
//! A vendor's own post-mortem or status text (first person, a stated impact window, post-mortem
//! headings) passes as it is. Any other text must (1) not be titled as an explainer or guide,
//! (2) name the vendor in a sentence that says something of it failed, that is a statement of
//! fact (not a question, a condition or a possibility), and (3) tie the story to a time: a
//! date, a weekday, "today", "last night", a clock time. An unlisted name counts only when the
//! title puts it right before an outage word ("Optus outage").

use std::sync::LazyLock;

use regex::Regex;

use super::{Fact, Sentence};
use crate::extract::classify::{Classification, POSTMORTEM, VendorEvidence, contains_phrase};
use crate::extract::dates::regex;
use crate::extract::services::find_services;
use crate::extract::vendor::Gazetteer;

/// Sentences from the top read for the disruption and its time.
const GATE_SENTENCES: usize = 40;

/// Sentences (title included) of a text short enough to be a feed item's summary.
const SHORT_ITEM: usize = 5;
/// Bytes of text (title included) of such an item at most.
const SHORT_CHARS: usize = 800;

/// Post-mortem cues of [`crate::extract::classify`] that only a vendor's own write-up uses.
const OWN_REPORT_CUES: &[&str] = &["impact window stated"];

static EXPLAINER_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:what (?:is|are|does|do)\b|how to\b|how (?:does|do|can)\b|explained\b|everything you|guide\b|definition\b|glossary\b|best practices|tips\b|policy\b|policies\b|insurance\b|statistics\b|survey\b|cost of (?:hourly )?downtime|downtime costs?\b|what (?:it|they) (?:really )?means?|stay informed|deprecation\b|retire(?:ment|s|d)?\b|earnings\b|revenue\b|quarter\b|incident management\b|chaos engineering\b|runbook\b|availability zones?\b|uptime (?:sla|percentages?)\b|\bsla\b)",
    )
});

pub(super) static DISRUPTION: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:outages?|went down|goes down|gone down|going down|was down|were down|is down|are down|down for|offline|disrupt\w*|interruption\w*|downtime|unavailab\w*|glitch\w*|blackout|not working|stopped working|knock(?:ed|s)? out|took down|takes down|taken down|brought down|brings down|crash(?:ed|es|ing)?|fail(?:ed|ure|ures|ing|s)?|broke|broken|unable to|could not|couldn't|can't|cannot|errors?|issues?|problems?|incident|degrad\w*|unreachable|inaccessible|unresponsive|restored|recovered|back online|hit by|suffered|affected|impacted|blue screen|bsod|stuck|flooded|attack\w*|ddos)\b",
    )
});

/// Possibility and condition: "if AWS goes down", "an outage could cost", "may experience".
static HYPOTHETICAL: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\b(?:[Ii]f|[Ww]henever|[Ww]ould|[Mm]ight|[Ss]hould|[Ii]n case|[Ii]magine|[Ss]uppose|[Cc]ould|[Cc]an|may)\b",
    )
});

static TOLD_PAST: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)\b(?:was|were|went|had|did|took|lost|began|broke|hit|\w{3,}ed)\b")
});

/// "If AWS goes down ...", "What if ...", "Whenever ...": a condition, whatever the tense.
fn regex_conditional(sentence: &str) -> bool {
    static CONDITIONAL: LazyLock<Regex> =
        LazyLock::new(|| regex(r"(?i)^\W*(?:if|what if|whenever|imagine|suppose)\b"));
    CONDITIONAL.is_match(sentence)
}

static NEGATED_MODAL: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\b(?:could|can) ?not\b|\b(?:couldn't|can't|cannot)\b"));

static TIME_ANCHOR: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|tonight|this (?:morning|afternoon|evening|week|past weekend|weekend)|last (?:night|week|weekend|month)|earlier (?:today|this week|this month)|overnight|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?\b|\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b|(?:in|on|during|of) (?:early |mid-?|late )?(?:january|february|march|april|may|june|july|august|september|october|november|december),? \d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}|\d{1,2} ?[ap]\.?m\b|\d{1,2}(?:st|nd|rd|th) of|(?:19|20)\d{2}\b|pi[- ]day|for (?:about |nearly |almost |over |more than |roughly )?(?:\d+|an?|one|two|three|four|five|six|several) (?:hours?|minutes?|days?|weeks?)|\d+ (?:hours?|minutes?|mins?) (?:of|long)\b)\b",
    )
});

/// Guide and explainer words that no outage summary uses.
static GUIDE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:best practices|how to|what (?:is|are)|guide to|tips for|incident management|chaos engineering)\b",
    )
});

/// Surveys and studies of outages in general.
static SURVEY: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:survey\w*|respondents|findings|outage analysis|report (?:finds|found|shows)|study (?:finds|found|shows))\b",
    )
});

/// A month and its day ("June 10th", "10 June").
static ONE_DAY: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?\b|\d{1,2}(?:st|nd|rd|th)? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b)",
    )
});

/// A failure told as something that happened, not as what outages are like.
static PAST_EVENT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:experienced|suffered|went (?:down|offline|dark)|was down|were down|took (?:out|down)|knocked (?:out|offline)|crashed|was hit|were hit|forced offline|brought down|left (?:users|customers|millions|thousands|people)|(?:the|this|that|its|last week's|yesterday's|today's|recent) (?:(?:recent|global|massive|major|widespread|sudden|latest|very|second|huge|big) ){0,2}(?:outage|incident|disruption|blackout))\b",
    )
});

/// True when the text reports a specific disruption of `vendor` (see the module comment).
pub(super) fn reports_specific_disruption(
    title: &str,
    sents: &[Sentence],
    vendor: &Fact<String>,
    evidence: VendorEvidence,
    classification: &Classification,
    own_report: bool,
) -> bool {
    let lead = sents.iter().find(|s| !s.is_title).map_or("", |s| s.text);
    // A headline that names one day ("June 10th, 2025: ... outage analysis") tells one event.
    let one_day = ONE_DAY.is_match(title);
    if (SURVEY.is_match(title) || SURVEY.is_match(lead)) && !one_day {
        return false;
    }
    let headline = if title.trim().is_empty() { lead } else { title };
    // A feed entry's title and summary, or a one-paragraph post-mortem summary: the
    // classifier's verdict stands (such items name one event by their nature) unless it
    // titles a guide; an untitled one is read for plain guide words only, as its lead is a
    // summary's sentence ("a config change to the retention policy ...").
    if is_short(sents) {
        let guide = if title.trim().is_empty() {
            GUIDE.is_match(lead)
        } else {
            EXPLAINER_TITLE.is_match(title) && !title_reports(title, &vendor.value)
        };
        return !guide;
    }
    if EXPLAINER_TITLE.is_match(headline) && !title_reports(headline, &vendor.value) {
        return false;
    }
    // A post-mortem's headings and wording, a stated impact window, or the source's own
    // vendor: the vendor's own write-up.
    let own = own_report
        || classification
            .cues
            .iter()
            .any(|c| OWN_REPORT_CUES.contains(&c.phrase) || POSTMORTEM.contains(&c.phrase));
    if evidence == VendorEvidence::Unlisted {
        // A one-paragraph summary names its company once; a long page must title it.
        let named = is_short(sents)
            || unlisted_titled(headline, &vendor.value)
            || (own && contains_phrase(&title.to_lowercase(), &vendor.value.to_lowercase()));
        if !named {
            return false;
        }
    }
    if own {
        return true;
    }
    // Retrospectives name the year of the outage they tell: every sentence counts here.
    let top: Vec<&Sentence> = sents.iter().take(GATE_SENTENCES).collect();
    let told: Vec<&&Sentence> = top
        .iter()
        .filter(|s| states_disruption(s.text, &vendor.value))
        .collect();
    // "Slack" in the title, "the messaging service went down" in the lead.
    let lead_tells = names_vendor(title, &vendor.value)
        && sents
            .iter()
            .filter(|s| !s.is_title)
            .take(2)
            .any(|s| states_disruption(s.text, ""));
    let disrupted = !told.is_empty() || lead_tells;
    // A time, or the failure told as a past event ("Zoom experienced a global outage").
    // A short news item (a feed entry's title and summary) is one event by its nature.
    let anchored = is_short(sents)
        || top.iter().any(|s| TIME_ANCHOR.is_match(s.text))
        || told.iter().any(|s| PAST_EVENT.is_match(s.text));
    disrupted && anchored
}

/// A feed item's title and summary or a one-paragraph summary, not a page.
fn is_short(sents: &[Sentence]) -> bool {
    sents.len() <= SHORT_ITEM && sents.iter().map(|s| s.text.len()).sum::<usize>() <= SHORT_CHARS
}

/// A title like "Slack outage: what happened" is the report itself, explainer words or not,
/// when it puts the vendor right beside an outage word.
fn title_reports(title: &str, vendor: &str) -> bool {
    unlisted_titled(title, vendor) && !title.trim_end().ends_with('?')
}

/// The title puts `name` right before an outage word ("Optus outage", "Optus' network
/// outage", "Optus down").
fn unlisted_titled(title: &str, name: &str) -> bool {
    let lower = title.to_lowercase();
    let name = name.to_lowercase();
    let Some(at) = lower.find(&name) else {
        return false;
    };
    let rest = lower.get(at + name.len()..).unwrap_or("");
    let rest = rest.trim_start_matches(['\'', '’', 's', ' ']);
    let next: Vec<&str> = rest
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .take(2)
        .collect();
    let outage_word = |w: &str| {
        matches!(
            w,
            "outage" | "outages" | "down" | "offline" | "blackout" | "disruption" | "crash"
        )
    };
    match next.as_slice() {
        [first, ..] if outage_word(first) => true,
        [first, second] => {
            matches!(
                *first,
                "network" | "service" | "mobile" | "internet" | "global" | "nationwide"
            ) && outage_word(second)
        }
        _ => false,
    }
}

/// The sentence states, as a fact, that something of `vendor` failed: it names the vendor
/// (or one of its products) and a disruption, and is no question, condition or possibility.
/// With no vendor given, only the disruption is looked for.
fn states_disruption(sentence: &str, vendor: &str) -> bool {
    if sentence.trim_end().ends_with('?') || !DISRUPTION.is_match(sentence) {
        return false;
    }
    // "An outage could cost millions" is a possibility; "a bug caused servers that could not
    // boot" or "it went down, which may ..." tell what happened.
    let hypothetical = !TOLD_PAST.is_match(sentence)
        && HYPOTHETICAL
            .find_iter(sentence)
            .any(|m| !NEGATED_MODAL.is_match(sentence.get(m.start()..).unwrap_or("")));
    let conditional = regex_conditional(sentence);
    if conditional {
        return false;
    }
    if hypothetical {
        return false;
    }
    vendor.is_empty() || names_vendor(sentence, vendor)
}

fn names_vendor(sentence: &str, vendor: &str) -> bool {
    if Gazetteer::builtin()
        .find_in_text(sentence)
        .iter()
        .any(|h| h.vendor == vendor)
    {
        return true;
    }
    if contains_phrase(&sentence.to_lowercase(), &vendor.to_lowercase()) {
        return true;
    }
    find_services(sentence).iter().any(|h| h.vendor == vendor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stated_failure_of_the_vendor_counts_a_possibility_does_not() {
        assert!(states_disruption(
            "Slack went down on Monday for hours.",
            "Slack"
        ));
        assert!(states_disruption(
            "Users could not load Slack messages.",
            "Slack"
        ));
        assert!(!states_disruption(
            "If Slack goes down, your team stops.",
            "Slack"
        ));
        assert!(!states_disruption("Is Slack down today?", "Slack"));
        assert!(!states_disruption(
            "An outage at a cloud provider may cost millions.",
            "Slack"
        ));
    }

    #[test]
    fn an_unlisted_name_needs_an_outage_word_beside_it_in_the_title() {
        assert!(unlisted_titled("Optus outage: what we know", "Optus"));
        assert!(unlisted_titled(
            "Optus' network outage hits millions",
            "Optus"
        ));
        assert!(!unlisted_titled("Hourly Cost of Downtime Report", "Hourly"));
    }
}
