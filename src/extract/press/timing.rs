//! When: the onset, the end and the length of the outage a report describes, each with its
//! sentence, from stated windows, dates and times, and durations.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use regex::Regex;

use super::{DateFact, Fact, Sentence};
use crate::extract::dates::{
    Anchor, Precision, find_dates, find_window, first_zone, mentions_other_year, regex,
};
use crate::extract::duration::find_durations;
use crate::extract::window;

/// "Duration:" as a field label at the start of a line (emphasis around it allowed).
static DURATION_LABEL: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)^[*_\s]*(?:total |incident |outage )?duration[*_\s]*:[*_\s]*"));

/// "Incident Start:" / "Start time:" / "Outage began:" as a field label at the start of a
/// line, and the same for the end; the value is the vendor's own record of the window.
static START_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)^[*_\s]*(?:incident |outage |impact |disruption )?(?:start(?:ed)?|began|begin|reported)(?: time| date| at)?[*_\s]*:[*_\s]*",
    )
});
static END_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)^[*_\s]*(?:incident |outage |impact |disruption )?(?:end(?:ed)?|resolved|recovered)(?: time| date| at)?[*_\s]*:[*_\s]*",
    )
});
/// "(All Times US/Pacific)": the zone of the report's bare times.
static ZONE_NOTE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\(?\ball times (?:are )?(?:in )?([A-Za-z][A-Za-z/_+-]*)\)?"));

/// The time a labelled field states, read in the zone the report notes when the value names
/// none.
fn labelled_time<'a>(
    sents: &[Sentence<'a>],
    label: &Regex,
    anchor: &Anchor,
) -> Option<(DateFact, &'a str)> {
    let zone = sents
        .iter()
        .find_map(|s| ZONE_NOTE.captures(s.text))
        .and_then(|c| c.get(1))
        .map(|m| m.as_str());
    sents.iter().filter(|s| !s.recalls_other).find_map(|s| {
        let value = label.find(s.text).and_then(|m| s.text.get(m.end()..))?;
        let zoned = zone.map(|z| format!("{value} {z}"));
        let read = |v: &str| {
            find_dates(v, anchor)
                .into_iter()
                .find(|m| m.precision <= Precision::Day)
        };
        let m = zoned.as_deref().and_then(read).or_else(|| read(value))?;
        Some((
            DateFact {
                at: m.at,
                precision: m.precision,
                quote: s.text.to_string(),
            },
            s.text,
        ))
    })
}

/// Onset, end and length, each with its sentence.
#[derive(Debug, Default)]
pub(super) struct Timing {
    pub(super) start: Option<DateFact>,
    pub(super) end: Option<Fact<DateTime<Utc>>>,
    pub(super) duration: Option<Fact<i64>>,
}

static END_CUE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:resolved|restored|recovered|recovery|fully operational|returned to normal|back to normal|(?:running|operating|working|functioning) (?:normally|as expected)|back online|back up|mitigated|fixed|until|by the time|ended|ending|end of|normal operations)\b",
    )
});
static START_CUE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:began|begun|beginning|started|starting|start|first|outage|down|disruption|failed|failure|errors?|impact|affected|unable|lost|went|interruption|issues?|problems?|incident|degraded|offline|unavailable)\b",
    )
});

static ONSET_VERB: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)\b(?:began|begun|beginning|started|starting|first|went|lost|failed)\b")
});

/// The failure itself, told as an event: its day is the onset's even in a sentence that goes
/// on to the recovery.
static FAILED_ON_DAY: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:suffered|experienced|went (?:down|offline|dark)|crashed|was hit|were hit|knocked (?:out|offline))\b",
    )
});

/// The outage named as a thing.
static OUTAGE_NOUN: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)\b(?:outages?|disruptions?|failures?|interruptions?|went down|crash(?:ed)?)\b")
});

static PUBLICATION_NOTE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:(?:was|were|is|first|originally|last) (?:published|posted|updated)|published on|posted on|updated on|last updated)\b",
    )
});

/// "This change will be deployed on Monday": a plan, not the outage.
static FUTURE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:will be|will (?:deploy|roll|release|publish|begin|start)|is (?:scheduled|expected|planned) to|plans? to)\b",
    )
});

static NEXT_UPDATE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:will provide (?:an|another|more|further|the next) (?:update|information|details)|next update|provide an update|will update (?:you|this))\b",
    )
});

/// A stand-in publication time for a text that carries none: the latest fully written date
/// in it (a report is written after the days it describes), so yearless dates ("June 4th")
/// take the document's year.
fn document_reference(sents: &[Sentence]) -> Option<DateTime<Utc>> {
    let bare = Anchor::default();
    sents
        .iter()
        .flat_map(|s| find_dates(s.text, &bare))
        .filter(|m| m.precision <= Precision::Day && !m.relative)
        .map(|m| m.at)
        .max()
        .map(|at| at + Duration::days(1))
}

/// Onset, end and length. A vendor's stream of updates ("4:35 AM PST We are investigating
/// ...") gives clock times only, under the day its page shows: when the text names no day at
/// all, its clock times are read on the publication day (the day before when that would put
/// the onset after the publication).
///
/// `fresh` is false for a retrospective, whose bare clock times have no day of their own.
pub(super) fn timing(sents: &[Sentence], published: Option<DateTime<Utc>>, fresh: bool) -> Timing {
    let read = timing_from(sents, published, None);
    let Some(p) = published else { return read };
    // A text that names another year tells of another time: its bare clock times have no day.
    let other_year = sents
        .iter()
        .any(|s| !s.dateline && mentions_other_year(s.text, published));
    if read.start.is_some() || !fresh || other_year {
        return read;
    }
    let on_day = |day| timing_from(sents, published, Some(day));
    let same_day = on_day(p.date_naive());
    match &same_day.start {
        Some(s) if s.at > p + Duration::hours(1) => {
            p.date_naive().pred_opt().map_or(same_day, on_day)
        }
        Some(_) => same_day,
        None => read,
    }
}

/// The window a sentence states, placed on `reference` when it names no day. A report is
/// written after what it describes: a window that would begin after the publication ("Between
/// 6:22 PM and 7:31 PM PDT" in a post published at 02:19 UTC, the zone's previous day) is read
/// on the day before. A window that names its own day is left as it reads.
fn stated_window(
    text: &str,
    reference: Option<chrono::NaiveDate>,
    published: Option<DateTime<Utc>>,
) -> Option<window::ImpactWindow> {
    let read = window::impact_window(text, reference)?;
    let (Some(p), Some(day)) = (published, reference) else {
        return Some(read);
    };
    let slack = Duration::hours(1);
    if read.start <= p + slack {
        return Some(read);
    }
    day.pred_opt()
        .and_then(|before| window::impact_window(text, Some(before)))
        .filter(|w| w.start <= p + slack && w.start != read.start)
        .or(Some(read))
}

fn timing_from(
    sents: &[Sentence],
    published: Option<DateTime<Utc>>,
    day: Option<chrono::NaiveDate>,
) -> Timing {
    let mut anchor = Anchor {
        published: published.or_else(|| document_reference(sents)),
        day,
        ..Anchor::default()
    };
    let mut out = Timing::default();
    if let Some((start, _)) = labelled_time(sents, &START_LABEL, &anchor) {
        if let Some((end, quote)) = labelled_time(sents, &END_LABEL, &anchor)
            .filter(|(e, _)| e.at > start.at && start.precision == Precision::Minute)
        {
            out.end = Some(Fact {
                value: end.at,
                quote: quote.to_string(),
            });
        }
        out.start = Some(start);
    }
    let mut first_day: Option<DateFact> = None;
    let mut first_exact: Option<DateFact> = None;
    let mut coarse: Option<DateFact> = None;
    let mut end_exact: Option<Fact<DateTime<Utc>>> = None;
    let mut ongoing_day: Option<DateFact> = None;
    let limit = published.map(|p| p + Duration::days(1));
    for s in sents.iter().filter(|s| !s.recalls_other && !s.dateline) {
        // A stated "between … and …" window is read by the shared reader first (it knows more
        // date layouts); the press reader also resolves relative days ("yesterday from 9am").
        let reference = anchor
            .day
            .or_else(|| anchor.published.map(|p| p.date_naive()));
        let stated = stated_window(s.text, reference, published)
            .map(|w| (w.start, w.end))
            .or_else(|| find_window(s.text, &anchor).map(|w| (w.start, w.end)));
        if let Some((w_start, w_end)) = stated {
            if out.start.is_none() && limit.is_none_or(|l| w_start <= l) {
                out.start = Some(DateFact {
                    at: w_start,
                    precision: Precision::Minute,
                    quote: s.text.to_string(),
                });
                out.end = Some(Fact {
                    value: w_end,
                    quote: s.text.to_string(),
                });
            }
        }
        // "The issue has been resolved as of 12:23" ends the outage; "the outage, which began at
        // 09:47, was resolved" does not.
        let is_end = END_CUE.is_match(s.text) && !ONSET_VERB.is_match(&before_end_cue(s.text));
        // "We will provide an update by 07:50 US/Pacific" is a promise, not a time of the
        // outage; its day only says the outage was under way then.
        // "This post was published on June 8th, 2016" dates the report, not the outage.
        if PUBLICATION_NOTE.is_match(s.text) || FUTURE.is_match(s.text) {
            continue;
        }
        if NEXT_UPDATE.is_match(s.text) {
            if ongoing_day.is_none() {
                ongoing_day = find_dates(s.text, &anchor)
                    .into_iter()
                    .find(|m| m.precision <= Precision::Day)
                    .and_then(|m| m.at.date_naive().and_hms_opt(0, 0, 0))
                    .map(|at| DateFact {
                        at: at.and_utc(),
                        precision: Precision::Day,
                        quote: s.text.to_string(),
                    });
            }
            continue;
        }
        let mut said_before = 0;
        for m in find_dates(s.text, &anchor) {
            // "began at 6:05 PM and was restored around 9:00 PM": a time after an end cue
            // later in the sentence is the end.
            let lead_in = s.text.get(said_before..m.span.start).unwrap_or("");
            let is_end = is_end || (said_before > 0 && END_CUE.is_match(lead_in));
            said_before = m.span.end;
            if limit.is_some_and(|l| m.at > l) {
                continue;
            }
            let fact = DateFact {
                at: m.at,
                precision: m.precision,
                quote: s.text.to_string(),
            };
            match m.precision {
                // The last recovery told is the outage's end ("first service operational by
                // 16:44 ... fully recovered by 05:25").
                Precision::Minute if is_end => {
                    if end_exact.as_ref().is_none_or(|e| m.at > e.value) {
                        end_exact = Some(Fact {
                            value: m.at,
                            quote: s.text.to_string(),
                        });
                    }
                }
                Precision::Minute => {
                    if first_exact.is_none() && (START_CUE.is_match(s.text) || first_day.is_none())
                    {
                        first_exact = Some(fact);
                    }
                }
                Precision::Day => {
                    // "On 11 May the service suffered an outage ... before its recovery": the
                    // day of a failure told before the end cue is the onset's.
                    // "an update on the recovery following a disruption ... on November 25":
                    // the outage, named after the last end cue, is what the day belongs to.
                    let told_after_end = s
                        .text
                        .get(..m.span.start)
                        .and_then(|head| {
                            let cut = END_CUE.find_iter(head).last().map_or(0, |c| c.end());
                            head.get(cut..)
                        })
                        .is_some_and(|tail| OUTAGE_NOUN.is_match(tail));
                    let day_of_failure =
                        FAILED_ON_DAY.is_match(&before_end_cue(s.text)) || told_after_end;
                    if first_day.is_none() && (!is_end || day_of_failure) {
                        first_day = Some(fact);
                    }
                }
                Precision::Week | Precision::Month => {
                    if coarse.is_none() {
                        coarse = Some(fact);
                    }
                }
            }
        }
        // Later sentences' bare times belong to the zone the text first gave a time in.
        if anchor.zone.is_none() {
            anchor.zone = first_zone(s.text);
        }
        // Later sentences' bare times belong to the day established so far.
        if anchor.day.is_none() {
            anchor.day = first_day
                .as_ref()
                .or(first_exact.as_ref())
                .map(|f| f.at.date_naive());
        }
    }
    if out.start.is_none() {
        out.start = match (first_exact, first_day) {
            // A time on the day the text names (or the next, across midnight UTC) refines it.
            (Some(e), Some(d)) if (e.at.date_naive() - d.at.date_naive()).num_days().abs() <= 1 => {
                Some(e)
            }
            (_, Some(d)) => Some(d),
            (Some(e), None) => Some(e),
            (None, None) => ongoing_day.or(coarse),
        };
    }
    if out.end.is_none() {
        if let (Some(end), Some(start)) = (end_exact, out.start.as_ref()) {
            if end.value > start.at && start.precision == Precision::Minute {
                out.end = Some(end);
            }
        }
    }
    out.duration = outage_length(sents);
    match (&out.start, &out.end, &out.duration) {
        (Some(s), Some(e), None) => {
            out.duration = Some(Fact {
                value: (e.value - s.at).num_minutes(),
                quote: e.quote.clone(),
            });
        }
        // "lasted from 3:16 PM to 7:38 PM, over four hours": a rounded length gives way to
        // the clock times the text states for the same stretch.
        (Some(s), Some(e), Some(d)) if s.precision == Precision::Minute => {
            let window = (e.value - s.at).num_minutes();
            // The rounding word right before the stated length.
            let word = find_durations(&d.quote)
                .into_iter()
                .find(|m| m.minutes == d.value)
                .and_then(|m| {
                    let head = d.quote.get(..m.span.end)?;
                    let from = head.char_indices().rev().nth(30).map_or(0, |(i, _)| i);
                    ROUNDED.find_iter(head.get(from..)?).last()
                })
                .map(|m| m.as_str().to_lowercase())
                .unwrap_or_default();
            // "over four hours" is at least four, "nearly four" at most, "about four" near it.
            let fits = if word.starts_with("over")
                || word.starts_with("more")
                || word.starts_with("upwards")
                || word.starts_with("just over")
            {
                window >= d.value && window * 2 <= d.value * 3
            } else if word.starts_with("nearly")
                || word.starts_with("almost")
                || word.starts_with("just under")
            {
                window <= d.value && window * 4 >= d.value * 3
            } else if word.is_empty() {
                false
            } else {
                window * 4 >= d.value * 3 && window * 4 <= d.value * 5
            };
            if window != d.value && fits {
                out.duration = Some(Fact {
                    value: window,
                    quote: e.quote.clone(),
                });
            }
        }
        (Some(s), None, Some(d)) if s.precision == Precision::Minute => {
            out.end = Duration::try_minutes(d.value)
                .and_then(|len| s.at.checked_add_signed(len))
                .map(|value| Fact {
                    value,
                    quote: d.quote.clone(),
                });
        }
        _ => {}
    }
    out
}

/// The length a field value states: its first mention plus those that continue it ("2 days,
/// 20 hours, 31 minutes" is read as two mentions, "2 days" and "20 hours, 31 minutes").
fn labelled_length(value: &str) -> Option<i64> {
    let mentions = find_durations(value);
    let first = mentions.first()?;
    let mut total = first.minutes;
    let mut end = first.span.end;
    for m in mentions.iter().skip(1) {
        let gap = value.get(end..m.span.start).unwrap_or("x");
        if !gap
            .split(|c: char| c.is_whitespace() || c == ',')
            .all(|w| w.is_empty() || w.eq_ignore_ascii_case("and"))
        {
            break;
        }
        total = total.checked_add(m.minutes)?;
        end = m.span.end;
    }
    Some(total)
}

/// Words that round a length: "over four hours", "about an hour", "~4 hours".
static ROUNDED: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)(?:\b(?:over|more than|nearly|almost|about|around|roughly|approximately|approx\.?|some|upwards of|just under|just over)\s+(?:\d|an?\b|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|half)|~\s*\d)",
    )
});

/// Amounts that state no figure.
static VAGUE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)^\W*(?:several|a few|few|a couple of|couple of)\b"));

/// The part of a sentence before its first end cue ("Service was restored" -> "Service was").
fn before_end_cue(s: &str) -> String {
    END_CUE.find(s).map_or_else(String::new, |m| {
        s.get(..m.start()).unwrap_or("").to_string()
    })
}

/// The outage's length: a mention tied to the outage in the title or body (or under a
/// "Duration" heading); else any mention in the title or lead.
///
/// A labelled field ("**Duration:** 3 hours, 12 minutes", as Google Cloud's incident reports
/// and many engineering-blog post-mortems state it) wins wherever it sits: it is the vendor's
/// own measure, while prose lengths earlier in a multi-update report may be partial ("within
/// 4 minutes", "for the last 30 minutes").
fn outage_length(sents: &[Sentence]) -> Option<Fact<i64>> {
    let labelled = sents
        .iter()
        .filter(|s| !s.recalls_other && !s.dateline && DURATION_LABEL.is_match(s.text))
        .find_map(|s| {
            let value = DURATION_LABEL
                .find(s.text)
                .and_then(|m| s.text.get(m.end()..))?;
            let minutes = labelled_length(value)?;
            Some(Fact {
                value: minutes,
                quote: s.text.to_string(),
            })
        });
    if labelled.is_some() {
        return labelled;
    }
    let mut fallback: Option<Fact<i64>> = None;
    let mut told: Option<Fact<i64>> = None;
    for s in sents.iter().filter(|s| !s.recalls_other && !s.dateline) {
        let in_duration_section = s.section.contains("duration");
        for m in find_durations(s.text) {
            // "for several hours" states no length: nothing is invented.
            if VAGUE.is_match(s.text.get(m.span.clone()).unwrap_or("")) {
                continue;
            }
            if m.about_outage || in_duration_section {
                return Some(Fact {
                    value: m.minutes,
                    quote: s.text.to_string(),
                });
            }
            if fallback.is_none() && s.index <= 2 {
                fallback = Some(Fact {
                    value: m.minutes,
                    quote: s.text.to_string(),
                });
            }
            // "disrupted for more than four hours", "the outage lasted around two hours" in a
            // later paragraph: a length in a sentence about the disruption.
            if told.is_none() && DISRUPTED.is_match(s.text) && !TIME_TO_REACT.is_match(s.text) {
                told = Some(Fact {
                    value: m.minutes,
                    quote: s.text.to_string(),
                });
            }
        }
    }
    fallback.or(told)
}

static DISRUPTED: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:outage|outages|down|offline|disrupted|disruption|unavailable|lasted|restored|interruption|blackout|went dark)\b",
    )
});

/// Lengths that measure the response, not the outage ("acknowledged within 20 minutes").
static TIME_TO_REACT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:acknowledg\w*|respond\w*|took \w+ to (?:post|update|notice)|status page|ago|read)\b",
    )
});
