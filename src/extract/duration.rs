//! How long an outage lasted, as prose says it: "for about six hours", "49 minutes", "24 hours
//! and 11 minutes", "an hour and a half", "a six-hour outage", "~15h", ">2h".
//!
//! Vague amounts follow one documented convention so that figures are comparable: "several" and
//! "a few" are 3, "a couple of" is 2, "half an hour" is 30 minutes. Mentions that are not a
//! length of outage ("every 30 minutes", "within 15 minutes", "two days ago", "24 hours a day")
//! are left out; which remaining mention describes the outage is the caller's choice.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::dates::regex;

/// One stated length of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationMention {
    pub minutes: i64,
    /// Byte range in the sentence.
    pub span: Range<usize>,
    /// Introduced by a word that ties it to the outage ("for", "lasted", "-hour outage").
    pub about_outage: bool,
}

/// Longest length accepted, in minutes (90 days).
const MAX_MINUTES: f64 = 90.0 * 24.0 * 60.0;

const NUMBER: &str = r"(?:\d+(?:\.\d+)?(?:,\d)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty(?:[- ](?:one|two|three|four))?|thirty|forty(?:[- ]five)?|forty|fifty|sixty|ninety|several|a\s+few|few|a\s+couple\s+of|couple\s+of|half\s+an?|a\s+half)";
const UNIT: &str = r"(?:minutes?|mins?|m|hours?|hrs?|h|days?|d|seconds?|secs?|s|weeks?)";

static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)(?P<pre>[~><≈]\s*)?\b(?P<n>{NUMBER})(?P<and_half>\s+and\s+a\s+half)?(?:\s*-\s*|\s+|(?P<tight>))(?P<u>{UNIT})\b(?P<half2>\s+and\s+a\s+half\b)?(?:\s*(?:and|,)?\s*(?P<n2>\d+|[a-z]+)\s*(?P<u2>minutes?|mins?|m|seconds?)\b)?"
    ))
});
static HALF_HOUR: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\bhalf\s+an\s+hour\b"));

/// Every outage-length mention in `sentence`, in text order.
pub fn find_durations(sentence: &str) -> Vec<DurationMention> {
    let lower = sentence.to_ascii_lowercase();
    let mut out = Vec::new();
    for c in HALF_HOUR.find_iter(sentence) {
        out.push(DurationMention {
            minutes: 30,
            span: c.range(),
            about_outage: ties_to_outage(&lower, c.start(), c.end()),
        });
    }
    for c in AMOUNT.captures_iter(sentence) {
        let Some(whole) = c.get(0) else { continue };
        let (Some(n), Some(u)) = (c.name("n"), c.name("u")) else {
            continue;
        };
        let unit = u.as_str().to_ascii_lowercase();
        // Single-letter units only right after digits ("15h", "2 h"), never after words.
        let short_unit = matches!(unit.as_str(), "m" | "h" | "d" | "s");
        if short_unit
            && !n
                .as_str()
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        {
            continue;
        }
        if short_unit
            && c.name("tight").is_none()
            && !n.as_str().chars().all(|c| c.is_ascii_digit())
        {
            continue;
        }
        let Some(mut value) = number_value(n.as_str()) else {
            continue;
        };
        if c.name("and_half").is_some() || c.name("half2").is_some() {
            value += 0.5;
        }
        let Some(per_unit) = unit_minutes(&unit) else {
            continue;
        };
        let mut minutes = value * per_unit;
        if let (Some(n2), Some(u2)) = (c.name("n2"), c.name("u2")) {
            if let (Some(v2), Some(per2)) = (
                number_value(n2.as_str()),
                unit_minutes(&u2.as_str().to_ascii_lowercase()),
            ) {
                minutes += v2 * per2;
            }
        }
        if out
            .iter()
            .any(|m: &DurationMention| m.span.start < whole.end() && whole.start() < m.span.end)
        {
            continue;
        }
        let start = c.name("pre").map_or(n.start(), |p| p.start());
        let end = whole.end();
        if is_not_a_length(&lower, start, end) {
            continue;
        }
        // Nothing reported as one outage lasts beyond a quarter: larger figures are something
        // else ("99999 hours of uptime") or hostile input.
        if !(0.5..=MAX_MINUTES).contains(&minutes) {
            continue;
        }
        let minutes = minutes.round() as i64;
        out.push(DurationMention {
            minutes,
            span: start..end,
            about_outage: ties_to_outage(&lower, start, end),
        });
    }
    out.sort_by_key(|m| m.span.start);
    out
}

/// The mention most likely to be the outage's length: the first tied to the outage, else the
/// longest.
pub fn outage_duration(sentence: &str) -> Option<DurationMention> {
    let all = find_durations(sentence);
    all.iter()
        .find(|m| m.about_outage)
        .cloned()
        .or_else(|| all.into_iter().max_by_key(|m| m.minutes))
}

fn number_value(raw: &str) -> Option<f64> {
    let w = raw.to_ascii_lowercase();
    let w = w.split_whitespace().collect::<Vec<_>>().join(" ");
    let w = w.replace('-', " ");
    let v = match w.as_str() {
        "a" | "an" | "one" => 1.0,
        "two" | "a couple of" | "couple of" => 2.0,
        "three" | "several" | "a few" | "few" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "thirteen" => 13.0,
        "fourteen" => 14.0,
        "fifteen" => 15.0,
        "sixteen" => 16.0,
        "seventeen" => 17.0,
        "eighteen" => 18.0,
        "nineteen" => 19.0,
        "twenty" => 20.0,
        "twenty one" => 21.0,
        "twenty two" => 22.0,
        "twenty three" => 23.0,
        "twenty four" => 24.0,
        "thirty" => 30.0,
        "forty" => 40.0,
        "forty five" => 45.0,
        "fifty" => 50.0,
        "sixty" => 60.0,
        "ninety" => 90.0,
        "half a" | "half an" | "a half" => 0.5,
        // "2,5h": a decimal comma, as European post-mortems write it.
        digits => digits.replace(',', ".").parse::<f64>().ok()?,
    };
    Some(v)
}

fn unit_minutes(unit: &str) -> Option<f64> {
    Some(match unit {
        "second" | "seconds" | "sec" | "secs" | "s" => 1.0 / 60.0,
        "minute" | "minutes" | "min" | "mins" | "m" => 1.0,
        "hour" | "hours" | "hr" | "hrs" | "h" => 60.0,
        "day" | "days" | "d" => 1440.0,
        "week" | "weeks" => 10080.0,
        _ => return None,
    })
}

fn before(lower: &str, start: usize, words: usize) -> Vec<&str> {
    let head = lower.get(..start).unwrap_or("");
    let mut w: Vec<&str> = head
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .rev()
        .take(words)
        .collect();
    w.reverse();
    w
}

fn after(lower: &str, end: usize, words: usize) -> Vec<&str> {
    lower
        .get(end..)
        .unwrap_or("")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(words)
        .collect()
}

/// Lengths that are schedules, deadlines, ages or rates, not how long something was down.
fn is_not_a_length(lower: &str, start: usize, end: usize) -> bool {
    let prev = before(lower, start, 2);
    let next = after(lower, end, 2);
    let prev1 = prev.last().copied().unwrap_or("");
    let prev2 = prev.first().copied().unwrap_or("");
    // "24 hours a day": the second amount is a rate. "2 days, 20 hours" lists the parts of one
    // length, the comma setting them apart.
    let listed = lower
        .get(..start)
        .is_some_and(|s| s.trim_end().ends_with(','));
    let unit_before = unit_minutes(prev1).is_some() && prev1.len() > 1 && !listed;
    // "recovered within 49 minutes" is a length; "answers within 15 minutes" is a promise.
    // "within roughly 20 minutes" is "within" too.
    let approx = matches!(
        prev1,
        "roughly" | "about" | "around" | "approximately" | "some"
    );
    let within = (prev1 == "within" || (approx && prev2 == "within"))
        && !before(lower, start, 6).iter().any(|w| {
            matches!(
                *w,
                "recovered" | "restored" | "resolved" | "fixed" | "mitigated"
            )
        });
    if unit_before || within || matches!(prev1, "every" | "per" | "each" | "last" | "next") {
        return true;
    }
    // "more than two hours" is a length; "faster than 5 minutes" is not.
    if prev1 == "than" && !matches!(prev2, "more" | "less" | "longer") {
        return true;
    }
    // "lasted 49 minutes before services were restored" is a length whatever follows.
    if matches!(prev1, "lasted" | "lasting") {
        return false;
    }
    let next1 = next.first().copied().unwrap_or("");
    // "offline for around 12 hours earlier today": "for" makes it a length.
    if prev.contains(&"for") && !matches!(next1, "a" | "per" | "ago" | "of") {
        return false;
    }
    matches!(
        next1,
        "ago" | "later" | "earlier" | "before" | "after" | "a" | "per" | "old" | "notice" | "of"
    ) && !(next1 == "of"
        && next
            .get(1)
            .is_some_and(|w| matches!(*w, "downtime" | "disruption" | "outage")))
}

fn ties_to_outage(lower: &str, start: usize, end: usize) -> bool {
    let prev = before(lower, start, 3);
    let next = after(lower, end, 2);
    let cue_before = prev.iter().any(|w| {
        matches!(
            *w,
            "for"
                | "lasted"
                | "lasting"
                | "lasts"
                | "took"
                | "spanned"
                | "approximately"
                | "about"
                | "nearly"
                | "almost"
                | "roughly"
                | "some"
                | "over"
                | "duration"
        )
    });
    let cue_after = next.iter().any(|w| {
        matches!(
            *w,
            "outage"
                | "outages"
                | "disruption"
                | "downtime"
                | "interruption"
                | "blackout"
                | "incident"
                | "long"
        )
    });
    cue_before || cue_after
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes(s: &str) -> Option<i64> {
        outage_duration(s).map(|m| m.minutes)
    }

    #[test]
    fn plain_and_approximate_lengths() {
        assert_eq!(minutes("The site was down for about six hours."), Some(360));
        assert_eq!(minutes("Pages failed to load for 49 minutes."), Some(49));
        assert_eq!(
            minutes("The outage lasted 24 hours and 11 minutes."),
            Some(1451)
        );
        assert_eq!(minutes("It was offline for an hour and a half."), Some(90));
        assert_eq!(minutes("A six-hour outage hit users."), Some(360));
        assert_eq!(
            minutes("Service was restored after half an hour."),
            Some(30)
        );
        assert_eq!(minutes("It lasted two and a half hours."), Some(150));
    }

    /// Offsets and promises are no lengths; "for" and a recovery word make one.
    #[test]
    fn offsets_and_promises_are_not_lengths() {
        assert_eq!(
            minutes("12 hours after the outage began, the carrier posted a note."),
            None
        );
        assert_eq!(
            minutes("Within roughly 20 minutes, the firm acknowledged the fault."),
            None
        );
        assert_eq!(
            minutes("A rollback restored service within approximately two hours."),
            Some(120)
        );
        assert_eq!(
            minutes("The network was offline for around 12 hours earlier today."),
            Some(720)
        );
        assert_eq!(minutes("They planned for a day of meetings."), None);
    }

    #[test]
    fn vague_amounts_follow_the_convention() {
        assert_eq!(
            minutes("customers were affected for several hours"),
            Some(180)
        );
        assert_eq!(minutes("down for a few hours"), Some(180));
        assert_eq!(minutes("offline for a couple of hours"), Some(120));
    }

    #[test]
    fn compact_forms_from_outage_lists() {
        assert_eq!(minutes("~15h"), Some(900));
        assert_eq!(minutes(">2h"), Some(120));
        assert_eq!(minutes("10h"), Some(600));
        assert_eq!(minutes("3h (according to post mortem)"), Some(180));
        assert_eq!(minutes("2,5h"), Some(150));
        assert_eq!(minutes("lost 1,000 hours"), None);
    }

    #[test]
    fn schedules_and_ages_are_not_lengths() {
        assert_eq!(minutes("We poll every 30 minutes."), None);
        assert_eq!(minutes("It went down two days ago."), None);
        assert_eq!(minutes("Support answers within 15 minutes."), None);
        assert_eq!(
            minutes("Most services recovered within 49 minutes."),
            Some(49)
        );
        assert_eq!(minutes("Monitoring runs 24 hours a day."), None);
    }

    #[test]
    fn absurd_lengths_are_refused() {
        assert_eq!(minutes("down for 99999999999999999999 hours"), None);
        assert_eq!(minutes("for 0 minutes"), None);
    }

    #[test]
    fn the_outage_length_wins_over_other_numbers() {
        assert_eq!(
            minutes("Engineers spent 2 days on the fix after a 90-minute outage."),
            Some(90)
        );
    }

    #[test]
    fn lasted_makes_a_length_even_before_before() {
        let got = find_durations(
            "The disruption began at 09:47 UTC and lasted 49 minutes before most services were restored.",
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].minutes, 49);
        assert!(got[0].about_outage);
        assert!(find_durations("Customers were warned 30 minutes before the change.").is_empty());
    }
}
