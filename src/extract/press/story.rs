//! The year a story is about: a retrospective names an older outage's year, a fresh report
//! keeps its publication date, and a sentence that recalls another event is told apart.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use regex::Regex;

use super::sentences::{FRESH_RE, WEEKDAY_RE, YEAR_RE};
use super::{Sentence, gate};
use crate::extract::dates::{mentions_other_year, regex};

/// For a retrospective, a stand-in publication time at the end of the year of the outage it
/// tells: the year its outage sentences name most (the title counts thrice), when that is
/// before the publication's year, named twice or in the title, and the lead does not speak of
/// "today" or "yesterday" (a fresh report recalling an older outage keeps its own date).
pub(super) fn story_reference(
    sents: &[Sentence],
    published: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    let p = published?;
    // "on Thursday" with no year beside it is told from the publication day, as "today" is.
    let lead_is_fresh = sents.iter().filter(|s| !s.is_title).take(3).any(|s| {
        FRESH_RE.is_match(s.text) || (WEEKDAY_RE.is_match(s.text) && !YEAR_RE.is_match(s.text))
    });
    if lead_is_fresh {
        return None;
    }
    let mut tally: Vec<(i32, usize, bool)> = Vec::new();
    for s in sents.iter().take(60) {
        // "A similar outage in 2018" recalls another event; it tells no story year.
        if !gate::DISRUPTION.is_match(s.text) || s.dateline || RECALL_RE.is_match(s.text) {
            continue;
        }
        for m in YEAR_RE.find_iter(s.text) {
            let Ok(y) = m.as_str().parse::<i32>() else {
                continue;
            };
            if y > p.year() || y < 1990 {
                continue;
            }
            let weight = if s.is_title { 3 } else { 1 };
            match tally.iter_mut().find(|t| t.0 == y) {
                Some(t) => {
                    t.1 += weight;
                    t.2 |= s.is_title;
                }
                None => tally.push((y, weight, s.is_title)),
            }
        }
    }
    let alone = tally.len() == 1;
    let (year, count, titled) = tally
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))?;
    let recent = year == p.year() || (year == p.year() - 1 && p.month() == 1);
    // Named once, it still decides when no other year competes with it.
    if recent || (count < 2 && !titled && !alone) {
        return None;
    }
    let end = chrono::NaiveDate::from_ymd_opt(year, 12, 31)?.and_hms_opt(23, 59, 0)?;
    Some(end.and_utc())
}

/// The end of the year the first sentence about the disruption names (a year before the
/// publication's), for a page whose one dated sentence tells its outage.
pub(super) fn stated_story_year(
    sents: &[Sentence],
    published: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    let p = published?;
    let year = sents
        .iter()
        .take(60)
        .filter(|s| !s.dateline && !RECALL_RE.is_match(s.text))
        .find_map(|s| {
            // A year beside the disruption, or a date written out in full.
            let found = if gate::DISRUPTION.is_match(s.text) {
                YEAR_RE.find_iter(s.text).collect::<Vec<_>>()
            } else {
                FULL_DATE.find_iter(s.text).collect()
            };
            found
                .into_iter()
                .filter_map(|m| YEAR_RE.find(m.as_str()))
                .filter_map(|m| m.as_str().parse::<i32>().ok())
                .find(|y| (1990..p.year()).contains(y))
        })?;
    let end = chrono::NaiveDate::from_ymd_opt(year, 12, 31)?.and_hms_opt(23, 59, 0)?;
    Some(end.and_utc())
}

/// "February 22, 2024", "22nd February 2024".
pub(super) static FULL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?,? (?:19|20)\d{2}|\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*,? (?:19|20)\d{2})\b",
    )
});

pub(super) static RECALL_RE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:last year|previous(?:ly)?|earlier outage|similar outage|a similar|the last time|in the past|history of|years? ago|months ago|back in|prior outage|another outage)\b",
    )
});

pub(super) fn recalls_other_event(sentence: &str, published: Option<DateTime<Utc>>) -> bool {
    RECALL_RE.is_match(sentence) || mentions_other_year(sentence, published)
}
