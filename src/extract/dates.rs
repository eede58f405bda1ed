//! Dates and times in news and post-mortem prose: absolute ones ("at 09:47 UTC on 8 June",
//! "June 4th at 10:25 PM PDT", "on 21 Nov 2016", "3:47am Pacific time") and relative ones
//! ("yesterday", "on Thursday", "last week", "earlier this month", "this morning"), placed on
//! the calendar against the article's publication time, plus windows such as "Between 16:15
//! UTC and 22:20 UTC on 21 Nov 2016".
//!
//! Conventions, so that nothing is invented: a date without a year is the latest such date not
//! after publication (plus a day of slack), and without a publication time it is dropped; a
//! weekday is the most recent such day on or before publication; a time without a zone only
//! places its day; a day without a time is midnight UTC of that day with [`Precision::Day`];
//! "last week" and "earlier this month" are kept as coarse ([`Precision::Week`],
//! [`Precision::Month`]) marks of the period's first day. US zone names without a season
//! ("Pacific time", "ET", and the tz names "US/Pacific", "America/New_York" that Google Cloud
//! writes) follow the US daylight-saving rule of that date.

use std::ops::Range;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Utc, Weekday};
use regex::{Captures, Regex};

use super::time::{local_to_utc, month_number, zone_offset};

/// How much of a [`DateMention`]'s instant the text really gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    /// Date, time and zone: an exact instant.
    Minute,
    /// A calendar day; the instant is midnight UTC of that day.
    Day,
    /// A week ("last week"); the instant is the first day of the period.
    Week,
    /// A month ("earlier this month"); the instant is the first day of the month.
    Month,
}

/// What relative expressions are resolved against.
#[derive(Debug, Clone, Copy, Default)]
pub struct Anchor {
    /// The article's publication time.
    pub published: Option<DateTime<Utc>>,
    /// A day established by earlier sentences ("On June 4th ... At 10:25 PM PDT ..."), used for
    /// times that name no day.
    pub day: Option<NaiveDate>,
    /// The zone earlier sentences gave their times ("began at 6:05 PM EST ... restored around
    /// 9:00 PM"), for times that name none.
    pub(crate) zone: Option<ZoneSpec>,
}

/// One date or time found in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateMention {
    pub at: DateTime<Utc>,
    pub precision: Precision,
    /// Byte range in the sentence.
    pub span: Range<usize>,
    /// Resolved against the publication time ("yesterday", "on Thursday").
    pub relative: bool,
}

/// A start-to-end window stated in one sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

const MONTH: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

static DMY: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)\b(?P<d>[0-3]?\d)(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<mon>{MONTH})\.?(?:,?\s+(?P<y>(?:19|20)\d{{2}}))?\b"
    ))
});
static MDY: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)\b(?P<mon>{MONTH})\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>(?:19|20)\d{{2}})\b)?"
    ))
});
static ISO: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\b(?P<y>(?:19|20)\d{2})-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"));
static WEEKDAY: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:(?P<rel>last|next|this|past|coming)\s+)?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    )
});
static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?P<w>yesterday|today|earlier today|this morning|this afternoon|this evening|tonight|last night|overnight|last week|earlier this week|earlier this month|last month|(?P<n>\d{1,2}|one|two|three|four|five|six|seven|a couple of) days? ago)\b",
    )
});
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?P<h>2[0-3]|[01]?\d)(?:[:.](?P<m>[0-5]\d))?(?::[0-5]\d)?(?:\s*(?P<ampm>a\.?m\b\.?|p\.?m\b\.?))?(?:\s*(?P<zone>(?:us/(?:pacific|eastern|central|mountain)|america/(?:los_angeles|new_york|chicago|denver))\b|(?:us\s+)?(?:pacific|eastern|central|mountain)(?:\s+(?:standard|daylight))?(?:\s+time)?|(?:uk|british|london|local)\s+time|utc\s*[+-]\s*\d{1,2}(?::?\d{2})?|gmt\s*[+-]\s*\d{1,2}(?::?\d{2})?|[a-z]{1,5}\b))?",
    )
});
static NOON: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\b(?P<w>noon|midday|midnight)\b"));
static YEAR_ONLY: LazyLock<Regex> = LazyLock::new(|| regex(r"\b(?:19|20)\d{2}\b"));

/// Compiles a pattern written in the extractors' source; they are all exercised by unit tests,
/// so a failure is a bug in this crate, never a reaction to input.
pub(crate) fn regex(pattern: &str) -> Regex {
    match Regex::new(pattern) {
        Ok(r) => r,
        // A pattern that cannot fail at run time once the unit tests pass.
        Err(e) => panic!("invalid built-in pattern {pattern:?}: {e}"),
    }
}

#[derive(Debug, Clone)]
struct DayHit {
    date: NaiveDate,
    precision: Precision,
    span: Range<usize>,
    relative: bool,
}

#[derive(Debug, Clone)]
struct TimeHit {
    time: NaiveTime,
    zone: Option<ZoneSpec>,
    span: Range<usize>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum ZoneSpec {
    Fixed(FixedOffset),
    /// US zone named without season: standard and daylight offsets in hours.
    Us(i32),
    /// UK civil time: GMT or BST by the EU rule.
    Uk,
}

/// Every date or time in `sentence`, in text order, each placed on the calendar (see the module
/// doc for the conventions). Times take the day written nearest to them in the sentence, else
/// the anchor's day.
pub fn find_dates(sentence: &str, anchor: &Anchor) -> Vec<DateMention> {
    let days = find_days(sentence, anchor);
    let times = find_times(sentence);
    let mut out = Vec::new();
    let mut used_days = vec![false; days.len()];
    // "started at 6:05 PM EST, and was restored around 9:00 PM": one zone for the sentence.
    let sentence_zone = times.iter().find_map(|t| t.zone);
    for t in &times {
        let nearest = days
            .iter()
            .enumerate()
            .filter(|(_, d)| d.precision == Precision::Day)
            .min_by_key(|(_, d)| distance(&d.span, &t.span));
        let (date, day_span, relative) = match nearest {
            Some((i, d)) => {
                if let Some(u) = used_days.get_mut(i) {
                    *u = true;
                }
                (d.date, Some(d.span.clone()), d.relative)
            }
            None => match anchor.day {
                Some(day) => (day, None, false),
                None => continue,
            },
        };
        let span = match day_span {
            Some(ds) => ds.start.min(t.span.start)..ds.end.max(t.span.end),
            None => t.span.clone(),
        };
        let Some(zone) = t.zone.or(sentence_zone).or(anchor.zone) else {
            continue;
        };
        let Some(offset) = resolve_zone(zone, date) else {
            continue;
        };
        if let Some(at) = local_to_utc(date.and_time(t.time), offset) {
            out.push(DateMention {
                at,
                precision: Precision::Minute,
                span,
                relative,
            });
        }
    }
    for (d, used) in days.iter().zip(used_days) {
        if used && d.precision == Precision::Day {
            // The day also stands alone when its time had no zone.
            if out
                .iter()
                .any(|m| m.span.start <= d.span.start && m.span.end >= d.span.end)
            {
                continue;
            }
        }
        let Some(at) = d.date.and_hms_opt(0, 0, 0).map(|t| t.and_utc()) else {
            continue;
        };
        out.push(DateMention {
            at,
            precision: d.precision,
            span: d.span.clone(),
            relative: d.relative,
        });
    }
    out.sort_by_key(|m| m.span.start);
    out
}

/// The zone of the first time in `sentence` that names one.
pub(crate) fn first_zone(sentence: &str) -> Option<ZoneSpec> {
    find_times(sentence).into_iter().find_map(|t| t.zone)
}

/// A "between X and Y" / "from X to/until Y" window with two times, both placed by
/// [`find_dates`]; an end before its start moves to the next day ("from 23:10 to 01:30 UTC").
pub fn find_window(sentence: &str, anchor: &Anchor) -> Option<Window> {
    let lower = sentence.to_ascii_lowercase();
    let opener = ["between ", "from "]
        .iter()
        .filter_map(|o| lower.find(o).map(|i| i + o.len()))
        .min()?;
    let times: Vec<TimeHit> = find_times(sentence)
        .into_iter()
        .filter(|t| t.span.start >= opener)
        .collect();
    let (first, second) = (times.first()?, times.get(1)?);
    let gap = lower.get(first.span.end..second.span.start)?;
    let joined = [" and ", " to ", " until ", " till ", "-", "–"]
        .iter()
        .any(|j| gap.contains(j));
    if !joined || gap.len() > 40 {
        return None;
    }
    // "from 23:10 to 01:30 UTC": one zone written for both ends.
    let (zone_a, zone_b) = (first.zone.or(second.zone)?, second.zone.or(first.zone)?);
    let days = find_days(sentence, anchor);
    let date = days
        .iter()
        .filter(|d| d.precision == Precision::Day)
        .min_by_key(|d| distance(&d.span, &first.span))
        .map(|d| d.date)
        .or(anchor.day)?;
    let start = local_to_utc(date.and_time(first.time), resolve_zone(zone_a, date)?)?;
    let mut end = local_to_utc(date.and_time(second.time), resolve_zone(zone_b, date)?)?;
    if end < start {
        end += Duration::days(1);
    }
    (end - start <= Duration::days(14)).then_some(Window { start, end })
}

/// The calendar days written in a sentence (absolute and relative), without times.
fn find_days(sentence: &str, anchor: &Anchor) -> Vec<DayHit> {
    let mut out: Vec<DayHit> = Vec::new();
    let published = anchor.published;
    let push = |hit: DayHit, out: &mut Vec<DayHit>| {
        if out
            .iter()
            .any(|h| h.span.start < hit.span.end && hit.span.start < h.span.end)
        {
            return;
        }
        out.push(hit);
    };
    for c in ISO.captures_iter(sentence) {
        let (Some(y), Some(m), Some(d)) = (num(&c, "y"), num(&c, "m"), num(&c, "d")) else {
            continue;
        };
        if let (Some(date), Some(span)) = (NaiveDate::from_ymd_opt(y as i32, m, d), whole(&c)) {
            push(day(date, span, false), &mut out);
        }
    }
    for re in [&*DMY, &*MDY] {
        for c in re.captures_iter(sentence) {
            let Some(span) = whole(&c) else { continue };
            let (Some(mon), Some(d)) = (
                c.name("mon").and_then(|m| month_number(m.as_str())),
                num(&c, "d"),
            ) else {
                continue;
            };
            // "May" is also a verb: only take it with a day ordinal or a year.
            let text = c.get(0).map_or("", |m| m.as_str());
            if text.to_ascii_lowercase().starts_with("may ")
                && c.name("y").is_none()
                && !has_ordinal(text)
            {
                continue;
            }
            let date = match num(&c, "y") {
                Some(y) => NaiveDate::from_ymd_opt(y as i32, mon, d),
                None => published.and_then(|p| latest_date(mon, d, p)),
            };
            if let Some(date) = date {
                push(day(date, span, false), &mut out);
            }
        }
    }
    let Some(published) = published else {
        out.sort_by_key(|h| h.span.start);
        return out;
    };
    let today = published.date_naive();
    for c in WEEKDAY.captures_iter(sentence) {
        let Some(span) = whole(&c) else { continue };
        let rel = c.name("rel").map(|m| m.as_str().to_ascii_lowercase());
        if matches!(rel.as_deref(), Some("next" | "coming")) {
            continue;
        }
        // "Friday, 2022-05-20" and "Monday 23 May": the weekday only names the written date.
        if out
            .iter()
            .any(|h| !h.relative && h.span.start >= span.end && h.span.start <= span.end + 3)
        {
            continue;
        }
        let Some(wd) = c.name("wd").and_then(|m| weekday(m.as_str())) else {
            continue;
        };
        let mut back = (7 + today.weekday().num_days_from_monday() as i64
            - wd.num_days_from_monday() as i64)
            % 7;
        if back == 0 && matches!(rel.as_deref(), Some("last" | "past")) {
            back = 7;
        }
        let date = today - Duration::days(back);
        push(
            DayHit {
                date,
                precision: Precision::Day,
                span,
                relative: true,
            },
            &mut out,
        );
    }
    for c in RELATIVE.captures_iter(sentence) {
        let Some(span) = whole(&c) else { continue };
        let w = c
            .name("w")
            .map_or(String::new(), |m| m.as_str().to_ascii_lowercase());
        let (date, precision) = match w.as_str() {
            "today" | "earlier today" | "this morning" | "this afternoon" | "this evening"
            | "tonight" => (today, Precision::Day),
            "yesterday" | "last night" | "overnight" => (today - Duration::days(1), Precision::Day),
            "last week" => (today - Duration::days(7), Precision::Week),
            "earlier this week" => (
                today - Duration::days(i64::from(today.weekday().num_days_from_monday())),
                Precision::Week,
            ),
            "earlier this month" => match today.with_day(1) {
                Some(d) => (d, Precision::Month),
                None => continue,
            },
            "last month" => match (today.with_day(1))
                .and_then(|d| d.pred_opt())
                .and_then(|d| d.with_day(1))
            {
                Some(d) => (d, Precision::Month),
                None => continue,
            },
            _ => {
                let n = match c.name("n").map(|m| m.as_str().to_ascii_lowercase()) {
                    Some(n) => match n.as_str() {
                        "one" => 1,
                        "two" | "a couple of" => 2,
                        "three" => 3,
                        "four" => 4,
                        "five" => 5,
                        "six" => 6,
                        "seven" => 7,
                        digits => match digits.parse::<i64>() {
                            Ok(v) => v,
                            Err(_) => continue,
                        },
                    },
                    None => continue,
                };
                (today - Duration::days(n), Precision::Day)
            }
        };
        push(
            DayHit {
                date,
                precision,
                span,
                relative: true,
            },
            &mut out,
        );
    }
    out.sort_by_key(|h| h.span.start);
    out
}

fn day(date: NaiveDate, span: Range<usize>, relative: bool) -> DayHit {
    DayHit {
        date,
        precision: Precision::Day,
        span,
        relative,
    }
}

fn has_ordinal(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    ["st", "nd", "rd", "th"]
        .iter()
        .any(|o| l.trim_end().ends_with(o))
}

fn whole(c: &Captures) -> Option<Range<usize>> {
    c.get(0).map(|m| m.range())
}

fn num(c: &Captures, name: &str) -> Option<u32> {
    c.name(name)?.as_str().parse().ok()
}

fn weekday(s: &str) -> Option<Weekday> {
    s.parse::<Weekday>().ok()
}

/// The latest `month`/`day` not after `reference` plus a day of slack, within two years.
fn latest_date(month: u32, day: u32, reference: DateTime<Utc>) -> Option<NaiveDate> {
    let limit = reference.date_naive() + Duration::days(1);
    let year = reference.year();
    [year, year - 1, year - 2]
        .into_iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .find(|d| *d <= limit)
}

fn find_times(sentence: &str) -> Vec<TimeHit> {
    let mut out = Vec::new();
    for c in TIME.captures_iter(sentence) {
        let Some(m) = c.get(0) else { continue };
        let Some(h) = num(&c, "h") else { continue };
        let minute = num(&c, "m");
        let ampm = c.name("ampm").map(|a| a.as_str().to_ascii_lowercase());
        if minute.is_none() && ampm.is_none() {
            continue;
        }
        // "3.5 hours" or "2.0 release" is not a time: a dotted time needs am/pm or a zone.
        let dotted = m.as_str().contains('.') && ampm.is_none();
        let mut hour = h;
        if let Some(a) = &ampm {
            if !(1..=12).contains(&h) {
                continue;
            }
            let pm = a.starts_with('p');
            hour = match (pm, h) {
                (false, 12) => 0,
                (true, 12) => 12,
                (true, h) => h + 12,
                (false, h) => h,
            };
        }
        let Some(time) = NaiveTime::from_hms_opt(hour, minute.unwrap_or(0), 0) else {
            continue;
        };
        let zone_text = c.name("zone").map(|z| z.as_str());
        let zone = zone_text.and_then(zone_spec);
        if dotted && zone.is_none() {
            continue;
        }
        let end = match (zone, c.name("zone")) {
            (Some(_), Some(z)) => z.end(),
            _ => c
                .name("ampm")
                .or_else(|| c.name("m"))
                .map_or(m.end(), |x| x.end()),
        };
        out.push(TimeHit {
            time,
            zone,
            span: m.start()..end,
        });
    }
    for c in NOON.captures_iter(sentence) {
        let Some(m) = c.get(0) else { continue };
        let hour = if m.as_str().eq_ignore_ascii_case("midnight") {
            0
        } else {
            12
        };
        let after = sentence.get(m.end()..).unwrap_or("");
        let zone_word = after
            .split_whitespace()
            .next()
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()));
        let zone = zone_word.and_then(zone_spec);
        if let Some(time) = NaiveTime::from_hms_opt(hour, 0, 0) {
            out.push(TimeHit {
                time,
                zone,
                span: m.range(),
            });
        }
    }
    out.sort_by_key(|t| t.span.start);
    out
}

fn zone_spec(raw: &str) -> Option<ZoneSpec> {
    let z = raw.trim().to_ascii_lowercase();
    let z = z.split_whitespace().collect::<Vec<_>>().join(" ");
    let z = z.strip_prefix("us ").map_or(z.clone(), str::to_string);
    let us = |std: i32| Some(ZoneSpec::Us(std));
    match z.as_str() {
        "pt" | "pacific" | "pacific time" | "us/pacific" | "america/los_angeles" => return us(-8),
        "mt" | "mountain" | "mountain time" | "us/mountain" | "america/denver" => return us(-7),
        "ct" | "central" | "central time" | "us/central" | "america/chicago" => return us(-6),
        "et" | "eastern" | "eastern time" | "us/eastern" | "america/new_york" => return us(-5),
        "uk time" | "british time" | "london time" => return Some(ZoneSpec::Uk),
        "local time" => return None,
        _ => {}
    }
    for (prefix, std) in [
        ("pacific", -8),
        ("mountain", -7),
        ("central", -6),
        ("eastern", -5),
    ] {
        if let Some(rest) = z.strip_prefix(prefix) {
            let hours = if rest.contains("daylight") {
                std + 1
            } else {
                std
            };
            return FixedOffset::east_opt(hours * 3600).map(ZoneSpec::Fixed);
        }
    }
    if z.len() < 2
        || matches!(
            z.as_str(),
            "am" | "pm" | "on" | "in" | "at" | "to" | "and" | "the" | "a"
        )
    {
        return None;
    }
    let upper = raw.trim().to_ascii_uppercase();
    // Abbreviations only when written in capitals ("PDT", not "pdt" the word) or with an offset.
    let is_caps = raw.trim().chars().all(|c| !c.is_ascii_lowercase());
    if !is_caps && !z.starts_with("utc") && !z.starts_with("gmt") {
        return None;
    }
    zone_offset(&upper.replace(' ', "")).map(ZoneSpec::Fixed)
}

fn resolve_zone(zone: ZoneSpec, date: NaiveDate) -> Option<FixedOffset> {
    match zone {
        ZoneSpec::Fixed(o) => Some(o),
        ZoneSpec::Us(std) => {
            let dst = us_dst(date);
            FixedOffset::east_opt((std + i32::from(dst)) * 3600)
        }
        ZoneSpec::Uk => FixedOffset::east_opt(if eu_summer(date) { 3600 } else { 0 }),
    }
}

/// US daylight saving (since 2007): second Sunday of March to first Sunday of November.
fn us_dst(date: NaiveDate) -> bool {
    let y = date.year();
    match (
        NaiveDate::from_weekday_of_month_opt(y, 3, Weekday::Sun, 2),
        NaiveDate::from_weekday_of_month_opt(y, 11, Weekday::Sun, 1),
    ) {
        (Some(start), Some(end)) => date >= start && date < end,
        _ => false,
    }
}

/// EU/UK summer time: last Sunday of March to last Sunday of October.
fn eu_summer(date: NaiveDate) -> bool {
    let last_sunday = |m: u32| {
        (1..=5)
            .rev()
            .find_map(|n| NaiveDate::from_weekday_of_month_opt(date.year(), m, Weekday::Sun, n))
    };
    match (last_sunday(3), last_sunday(10)) {
        (Some(start), Some(end)) => date >= start && date < end,
        _ => false,
    }
}

fn distance(a: &Range<usize>, b: &Range<usize>) -> usize {
    if a.end <= b.start {
        b.start - a.end
    } else {
        a.start.saturating_sub(b.end)
    }
}

/// True when the sentence names a year other than the publication's (or the year before it
/// in January): a sign it recalls an older event.
pub fn mentions_other_year(sentence: &str, published: Option<DateTime<Utc>>) -> bool {
    let Some(p) = published else { return false };
    YEAR_ONLY.find_iter(sentence).any(|m| {
        m.as_str()
            .parse::<i32>()
            .is_ok_and(|y| y != p.year() && !(y == p.year() - 1 && p.month() == 1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .expect("test time")
    }

    fn anchor(published: &str) -> Anchor {
        Anchor {
            published: Some(utc(published)),
            ..Anchor::default()
        }
    }

    fn first(sentence: &str, a: &Anchor) -> Option<(String, Precision)> {
        find_dates(sentence, a)
            .first()
            .map(|m| (crate::model::rfc3339(m.at), m.precision))
    }

    #[test]
    fn absolute_date_and_utc_time() {
        let a = anchor("2018-06-10T12:00:00Z");
        assert_eq!(
            first(
                "The outage began at 09:47 UTC on 8 June and lasted an hour.",
                &a
            ),
            Some(("2018-06-08T09:47:00Z".into(), Precision::Minute))
        );
        assert_eq!(
            first("Service failed on 21 Nov 2016.", &Anchor::default()),
            Some(("2016-11-21T00:00:00Z".into(), Precision::Day))
        );
    }

    #[test]
    fn aws_style_pdt_with_ordinal_day() {
        let a = anchor("2016-06-10T00:00:00Z");
        assert_eq!(
            first(
                "At 10:25 PM PDT on June 4th, we lost power to a number of EC2 instances.",
                &a
            ),
            Some(("2016-06-05T05:25:00Z".into(), Precision::Minute))
        );
        assert_eq!(
            first("Starting June 4th at 10:25 PM PDT, instances failed.", &a),
            Some(("2016-06-05T05:25:00Z".into(), Precision::Minute))
        );
    }

    /// A time that names no zone takes the zone its sentence, or the text before it, gave.
    #[test]
    fn a_bare_time_takes_the_zone_already_given() {
        let a = Anchor {
            published: Some(utc("2021-03-04T20:00:00Z")),
            day: NaiveDate::from_ymd_opt(2021, 3, 4),
            ..Anchor::default()
        };
        let all = |s: &str, a: &Anchor| -> Vec<String> {
            find_dates(s, a)
                .iter()
                .map(|m| crate::model::rfc3339(m.at))
                .collect()
        };
        assert_eq!(
            all("It broke at 2:10 PM EST and came back around 4:40 PM.", &a),
            vec!["2021-03-04T19:10:00Z", "2021-03-04T21:40:00Z"]
        );
        assert!(all("It came back around 4:40 PM.", &a).is_empty());
        let zoned = Anchor {
            zone: first_zone("It broke at 2:10 PM EST."),
            ..a
        };
        assert_eq!(
            all("It came back around 4:40 PM.", &zoned),
            vec!["2021-03-04T21:40:00Z"]
        );
        assert_eq!(
            all("Checkouts failed from 05:50 to 06:45 US Eastern time.", &a),
            vec!["2021-03-04T10:50:00Z", "2021-03-04T11:45:00Z"]
        );
    }

    #[test]
    fn pacific_time_follows_daylight_saving() {
        let summer = Anchor {
            published: Some(utc("2019-07-03T20:00:00Z")),
            day: NaiveDate::from_ymd_opt(2019, 7, 3),
            ..Anchor::default()
        };
        assert_eq!(
            first("Users saw errors from 3:47am Pacific time.", &summer),
            Some(("2019-07-03T10:47:00Z".into(), Precision::Minute))
        );
        let winter = Anchor {
            published: None,
            day: NaiveDate::from_ymd_opt(2019, 1, 3),
            ..Anchor::default()
        };
        assert_eq!(
            first("Users saw errors from 3:47am Pacific time.", &winter),
            Some(("2019-01-03T11:47:00Z".into(), Precision::Minute))
        );
    }

    #[test]
    fn relative_days_resolve_against_publication() {
        // Published on Friday 17 May 2019.
        let a = anchor("2019-05-17T15:00:00Z");
        assert_eq!(
            first("Salesforce suffered an outage yesterday.", &a),
            Some(("2019-05-16T00:00:00Z".into(), Precision::Day))
        );
        assert_eq!(
            first(
                "the interruption on Thursday which affected its operations",
                &a
            ),
            Some(("2019-05-16T00:00:00Z".into(), Precision::Day))
        );
        assert_eq!(
            first("The site went down on Friday morning.", &a),
            Some(("2019-05-17T00:00:00Z".into(), Precision::Day))
        );
        assert_eq!(
            first("It failed last Friday.", &a),
            Some(("2019-05-10T00:00:00Z".into(), Precision::Day))
        );
        assert_eq!(
            first("Users could not log in this morning.", &a),
            Some(("2019-05-17T00:00:00Z".into(), Precision::Day))
        );
        assert_eq!(
            first("An outage last week took it offline.", &a),
            Some(("2019-05-10T00:00:00Z".into(), Precision::Week))
        );
        assert_eq!(
            first("The outage earlier this month hit Europe.", &a),
            Some(("2019-05-01T00:00:00Z".into(), Precision::Month))
        );
        assert_eq!(
            first("It went down two days ago.", &a),
            Some(("2019-05-15T00:00:00Z".into(), Precision::Day))
        );
        assert_eq!(first("It will go down next Monday.", &a), None);
    }

    #[test]
    fn relative_days_need_a_publication_time() {
        assert_eq!(
            first(
                "Salesforce suffered an outage yesterday.",
                &Anchor::default()
            ),
            None
        );
        assert_eq!(first("Outage on June 4th.", &Anchor::default()), None);
    }

    #[test]
    fn yearless_date_is_not_after_publication() {
        let a = anchor("2020-01-02T00:00:00Z");
        assert_eq!(
            first("The outage on December 31 hit users.", &a),
            Some(("2019-12-31T00:00:00Z".into(), Precision::Day))
        );
    }

    #[test]
    fn window_between_two_utc_times() {
        let w = find_window(
            "Between 16:15 UTC and 22:20 UTC on 21 Nov 2016, customers saw errors.",
            &Anchor::default(),
        );
        assert_eq!(
            w,
            Some(Window {
                start: utc("2016-11-21T16:15:00Z"),
                end: utc("2016-11-21T22:20:00Z"),
            })
        );
        let w = find_window(
            "From 23:10 to 01:30 UTC on 3 March 2021 the API failed.",
            &Anchor::default(),
        );
        assert_eq!(
            w.map(|w| (w.start, w.end)),
            Some((utc("2021-03-03T23:10:00Z"), utc("2021-03-04T01:30:00Z")))
        );
    }

    #[test]
    fn times_without_zone_only_give_the_day() {
        let a = anchor("2019-05-17T15:00:00Z");
        assert_eq!(
            first("Yesterday at 3pm the site failed.", &a),
            Some(("2019-05-16T00:00:00Z".into(), Precision::Day))
        );
    }

    #[test]
    fn numbers_are_not_times() {
        let a = anchor("2019-05-17T15:00:00Z");
        assert_eq!(first("Version 3.5 shipped to 12 customers.", &a), None);
        assert_eq!(first("May brought more users.", &a), None);
    }

    #[test]
    fn old_years_are_flagged() {
        let p = Some(utc("2019-05-17T15:00:00Z"));
        assert!(mentions_other_year(
            "A similar outage in 2017 lasted days.",
            p
        ));
        assert!(!mentions_other_year("The 2019 outage.", p));
    }

    #[test]
    fn tz_database_names_follow_daylight_saving() {
        let a = anchor("2022-07-02T00:00:00Z");
        assert_eq!(
            first(
                "We are experiencing an issue beginning at Wednesday, 2022-06-29 13:54 US/Pacific.",
                &a
            ),
            Some(("2022-06-29T20:54:00Z".into(), Precision::Minute))
        );
        assert_eq!(
            first("Resolved as of 2022-01-10 09:00 America/New_York.", &a),
            Some(("2022-01-10T14:00:00Z".into(), Precision::Minute))
        );
    }

    #[test]
    fn a_weekday_before_a_written_date_is_that_date() {
        let a = anchor("2022-07-12T00:00:00Z");
        assert_eq!(
            first(
                "We've received a report of an issue as of Friday, 2022-05-20 13:47 US/Pacific.",
                &a
            ),
            Some(("2022-05-20T20:47:00Z".into(), Precision::Minute))
        );
    }
}
