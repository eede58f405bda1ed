//! Impact windows written in prose, as post-incident reports and press copy state them:
//! "Between 16:15 UTC and 22:20 UTC on 21 Nov 2016", "Between 20:33 UTC on 05 Oct 2021 and 00:21
//! UTC on 06 Oct 2021", "Between February 11, 23:23 UTC and February 12, 04:30 UTC", "Starting at
//! 21:56 UTC on 18 July 2024".
//!
//! The vendor's stated window is the real onset and end, often hours away from when the post was
//! written, so parsers prefer it to feed timestamps. Each clause is read token by token: times,
//! zones (applying to the times before them: "09:24 and 11:15 UTC"), dates (a date after "on"
//! applies to the times before it, a date before a time to the times after it), and connectors;
//! anything else ends the clause. A missing year comes from a later date in the clause, then from
//! the reference date (the publication date); a clause with no date at all is placed on the
//! reference date. Nothing is guessed beyond that: no zone, or no date and no reference, is `None`.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Timelike, Utc};

use super::time::{local_to_utc, month_number, zone_offset};

/// The interval a text says the impact lasted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImpactWindow {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Reads a zone word ("UTC", "EDT", "UTC+8") as an offset. Callers whose vendor uses a zone name
/// differently (Azure China's "CST" is China Standard Time) pass their own.
pub type ZoneReader<'a> = &'a dyn Fn(&str) -> Option<FixedOffset>;

/// The longest credible stated window; anything longer is a misreading.
const MAX_WINDOW_DAYS: i64 = 400;

/// The first "between … and …" (or "from … to …") window in `text`, with zone names read by
/// [`zone_offset`]. `reference` is the publication date, used for missing years and for windows
/// that name no date. Several sub-windows in one clause ("02:20 to 03:30 and 04:07 to 04:52 UTC")
/// give their overall span.
pub fn impact_window(text: &str, reference: Option<NaiveDate>) -> Option<ImpactWindow> {
    impact_window_with(text, reference, &zone_offset)
}

/// [`impact_window`] with a caller-supplied zone reader.
pub fn impact_window_with(
    text: &str,
    reference: Option<NaiveDate>,
    zones: ZoneReader<'_>,
) -> Option<ImpactWindow> {
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        let lead = bare(w).to_ascii_lowercase();
        if lead != "between" && lead != "from" {
            continue;
        }
        let Some(rest) = words.get(i + 1..) else {
            continue;
        };
        let instants = read_clause(rest, reference, zones);
        if instants.len() < 2 {
            continue;
        }
        let start = instants.iter().min().copied()?;
        let end = instants.iter().max().copied()?;
        if end - start <= Duration::days(MAX_WINDOW_DAYS) {
            return Some(ImpactWindow { start, end });
        }
    }
    None
}

/// The first stated onset ("Starting at 21:56 UTC on 18 July 2024", "beginning 09:30 UTC on
/// 5 Jan", "since 14:00 UTC"), with zone names read by [`zone_offset`].
pub fn onset(text: &str, reference: Option<NaiveDate>) -> Option<DateTime<Utc>> {
    onset_with(text, reference, &zone_offset)
}

/// [`onset`] with a caller-supplied zone reader.
pub fn onset_with(
    text: &str,
    reference: Option<NaiveDate>,
    zones: ZoneReader<'_>,
) -> Option<DateTime<Utc>> {
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        let lead = bare(w).to_ascii_lowercase();
        if !matches!(
            lead.as_str(),
            "starting" | "beginning" | "began" | "since" | "start"
        ) {
            continue;
        }
        let Some(rest) = words.get(i + 1..) else {
            continue;
        };
        if let Some(first) = read_clause(rest, reference, zones).first() {
            return Some(*first);
        }
    }
    None
}

/// A word without surrounding punctuation.
fn bare(word: &str) -> &str {
    word.trim_matches(|c: char| matches!(c, '(' | ')' | ',' | ';' | ':' | '.' | '"' | '“' | '”'))
}

#[derive(Debug, Clone, Copy)]
enum Token {
    Time(NaiveTime),
    Meridiem { pm: bool },
    Zone(FixedOffset),
    Month(u32),
    Number(u32),
    On,
    Filler,
}

fn classify(word: &str, zones: ZoneReader<'_>) -> Option<Token> {
    let w = bare(word);
    if w.is_empty() || matches!(w, "-" | "–" | "—" | "@") {
        return Some(Token::Filler);
    }
    let lower = w.to_ascii_lowercase();
    match lower.as_str() {
        "am" | "a.m" => return Some(Token::Meridiem { pm: false }),
        "pm" | "p.m" => return Some(Token::Meridiem { pm: true }),
        "on" => return Some(Token::On),
        "and" | "to" | "until" | "till" | "through" | "at" | "approximately" | "approx"
        | "around" | "about" | "roughly" | "as" | "early" | "late" | "between" | "from" | "the"
        | "of" | "between:" => return Some(Token::Filler),
        _ => {}
    }
    if let Some(t) = parse_clock(&lower) {
        return Some(Token::Time(t));
    }
    let digits = lower.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        let suffix = &lower[digits.len()..];
        if matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
            return digits.parse().ok().map(Token::Number);
        }
        return None;
    }
    let capitalised = w.chars().next().is_some_and(|c| c.is_uppercase());
    if capitalised && w.chars().all(|c| c.is_ascii_alphabetic()) {
        if let Some(m) = month_number(w) {
            return Some(Token::Month(m));
        }
        if is_weekday(&lower) {
            return Some(Token::Filler);
        }
    }
    // Zone words are written in capitals ("UTC", "EDT", "UTC+8"); a lowercase word is prose.
    if w.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
        if let Some(offset) = zones(w) {
            return Some(Token::Zone(offset));
        }
    }
    None
}

fn is_weekday(lower: &str) -> bool {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    DAYS.iter()
        .any(|d| lower == *d || (lower.starts_with(d) && lower.ends_with("day")))
}

/// "14:47", "7:41", "23:23:05", "2:26am".
fn parse_clock(s: &str) -> Option<NaiveTime> {
    let (core, meridiem) = match s.strip_suffix("am").or_else(|| s.strip_suffix("a.m")) {
        Some(c) => (c, Some(false)),
        None => match s.strip_suffix("pm").or_else(|| s.strip_suffix("p.m")) {
            Some(c) => (c, Some(true)),
            None => (s, None),
        },
    };
    let mut parts = core.split(':');
    let h: u32 = small_number(parts.next()?)?;
    let m: u32 = small_number(parts.next()?)?;
    let sec: u32 = match parts.next() {
        Some(p) => small_number(p)?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    let h = match meridiem {
        Some(pm) => twelve_hour(h, pm)?,
        None => h,
    };
    NaiveTime::from_hms_opt(h, m, sec)
}

fn small_number(s: &str) -> Option<u32> {
    (!s.is_empty() && s.len() <= 2 && s.chars().all(|c| c.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn twelve_hour(h: u32, pm: bool) -> Option<u32> {
    match (h, pm) {
        (1..=11, true) => Some(h + 12),
        (12, false) => Some(0),
        (1..=12, _) => Some(h),
        _ => None,
    }
}

/// A calendar date as written, before its year is known.
#[derive(Debug, Clone, Copy)]
struct PartialDate {
    month: u32,
    day: u32,
    year: Option<i32>,
}

#[derive(Debug, Clone, Copy)]
struct Stamp {
    time: NaiveTime,
    zone: Option<FixedOffset>,
    /// Index into the clause's dates.
    date: Option<usize>,
}

/// Reads the clause at the start of `words` into instants, in the order written. Empty when the
/// clause is not a complete statement of times.
fn read_clause(
    words: &[&str],
    reference: Option<NaiveDate>,
    zones: ZoneReader<'_>,
) -> Vec<DateTime<Utc>> {
    let mut tokens: Vec<Token> = Vec::new();
    for word in words {
        let Some(token) = classify(word, zones) else {
            break;
        };
        tokens.push(token);
        // A sentence ends the clause; "a.m." does not.
        let lower = word.to_ascii_lowercase();
        if lower.ends_with('.') && !lower.ends_with("a.m.") && !lower.ends_with("p.m.") {
            break;
        }
    }
    let mut dates: Vec<PartialDate> = Vec::new();
    let mut stamps: Vec<Stamp> = Vec::new();
    // Times a zone or an "on" date will still apply to.
    let mut zone_from = 0;
    let mut zone_closed = false;
    let mut date_from = 0;
    let mut forward_date: Option<usize> = None;
    let mut after_on = false;
    let mut i = 0;
    while let Some(token) = tokens.get(i).copied() {
        i += 1;
        match token {
            Token::Time(time) => {
                if zone_closed {
                    zone_from = stamps.len();
                    zone_closed = false;
                }
                stamps.push(Stamp {
                    time,
                    zone: None,
                    date: forward_date,
                });
                after_on = false;
            }
            Token::Meridiem { pm } => {
                if let Some(last) = stamps.last_mut() {
                    match twelve_hour(last.time.hour(), pm).and_then(|h| last.time.with_hour(h)) {
                        Some(t) => last.time = t,
                        None => return Vec::new(),
                    }
                }
            }
            Token::Zone(offset) => {
                for s in stamps.iter_mut().skip(zone_from) {
                    s.zone = Some(offset);
                }
                zone_closed = true;
            }
            Token::On => after_on = true,
            Token::Filler => {}
            Token::Month(_) | Token::Number(_) => {
                let Some((date, used)) = tokens.get(i - 1..).and_then(read_date) else {
                    continue;
                };
                i += used - 1;
                dates.push(date);
                let index = dates.len() - 1;
                if after_on {
                    for s in stamps.iter_mut().skip(date_from) {
                        if s.date.is_none() {
                            s.date = Some(index);
                        }
                    }
                    date_from = stamps.len();
                    forward_date = None;
                } else {
                    forward_date = Some(index);
                    date_from = stamps.len();
                }
                after_on = false;
            }
        }
    }
    resolve(&stamps, &dates, reference).unwrap_or_default()
}

/// "21 Jul 2021", "July 12th, 2021", "Nov 9 2021", "18 July", "February 11": the date and how
/// many tokens it took.
fn read_date(tokens: &[Token]) -> Option<(PartialDate, usize)> {
    let year_of = |t: Option<&Token>| match t {
        Some(Token::Number(y)) if (1990..=2200).contains(y) => i32::try_from(*y).ok(),
        _ => None,
    };
    match tokens {
        [Token::Number(d), Token::Month(m), rest @ ..] if (1..=31).contains(d) => {
            let year = year_of(rest.first());
            Some((
                PartialDate {
                    month: *m,
                    day: *d,
                    year,
                },
                2 + usize::from(year.is_some()),
            ))
        }
        [Token::Month(m), Token::Number(d), rest @ ..] if (1..=31).contains(d) => {
            let year = year_of(rest.first());
            Some((
                PartialDate {
                    month: *m,
                    day: *d,
                    year,
                },
                2 + usize::from(year.is_some()),
            ))
        }
        _ => None,
    }
}

fn resolve(
    stamps: &[Stamp],
    dates: &[PartialDate],
    reference: Option<NaiveDate>,
) -> Option<Vec<DateTime<Utc>>> {
    if stamps.is_empty() {
        return None;
    }
    let mut calendar: Vec<NaiveDate> = Vec::with_capacity(dates.len());
    for (i, d) in dates.iter().enumerate() {
        calendar.push(place_date(i, d, dates, reference)?);
    }
    let mut out = Vec::with_capacity(stamps.len());
    // Which date each time sits on (None: the reference date), and the days added to it when a
    // later time on the same date is earlier on the clock ("22:00 and 01:00 UTC on 5 Jan").
    let mut previous: Option<(Option<usize>, NaiveTime, i64)> = None;
    let mut inherited: Option<usize> = None;
    for stamp in stamps {
        let zone = stamp.zone?;
        let source = stamp.date.or(inherited);
        inherited = source;
        let mut extra_days = 0;
        if let Some((prev_source, prev_time, prev_extra)) = previous {
            if prev_source == source {
                extra_days = prev_extra + i64::from(stamp.time < prev_time);
            }
        }
        previous = Some((source, stamp.time, extra_days));
        let day = match source {
            Some(i) => *calendar.get(i)?,
            None => reference?,
        };
        let day = day.checked_add_signed(Duration::days(extra_days))?;
        out.push(local_to_utc(day.and_time(stamp.time), zone)?);
    }
    Some(out)
}

/// A date's year: its own, else from the next dated entry (a year earlier if it would fall after
/// it), else from the previous one, else from the reference (a year earlier if it would fall more
/// than a day after the reference).
fn place_date(
    i: usize,
    d: &PartialDate,
    dates: &[PartialDate],
    reference: Option<NaiveDate>,
) -> Option<NaiveDate> {
    if let Some(y) = d.year {
        return NaiveDate::from_ymd_opt(y, d.month, d.day);
    }
    let key = (d.month, d.day);
    if let Some(next) = dates.iter().skip(i + 1).find(|n| n.year.is_some()) {
        let y = next.year?;
        let y = if key > (next.month, next.day) {
            y - 1
        } else {
            y
        };
        return NaiveDate::from_ymd_opt(y, d.month, d.day);
    }
    if let Some(prev) = dates.iter().take(i).rev().find(|p| p.year.is_some()) {
        let y = prev.year?;
        let y = if key < (prev.month, prev.day) {
            y + 1
        } else {
            y
        };
        return NaiveDate::from_ymd_opt(y, d.month, d.day);
    }
    let reference = reference?;
    let candidate = NaiveDate::from_ymd_opt(reference.year(), d.month, d.day);
    match candidate {
        Some(c) if c <= reference + Duration::days(1) => Some(c),
        _ => NaiveDate::from_ymd_opt(reference.year() - 1, d.month, d.day),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .expect("test time")
    }

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    fn window(text: &str, reference: Option<NaiveDate>) -> Option<(String, String)> {
        impact_window(text, reference)
            .map(|w| (crate::model::rfc3339(w.start), crate::model::rfc3339(w.end)))
    }

    fn pair(a: &str, b: &str) -> Option<(String, String)> {
        Some((a.to_string(), b.to_string()))
    }

    #[test]
    fn same_day_window_with_one_trailing_date() {
        assert_eq!(
            window(
                "Between 16:15 UTC and 22:20 UTC on 21 Nov 2016, customers saw errors.",
                None
            ),
            pair("2016-11-21T16:15:00Z", "2016-11-21T22:20:00Z")
        );
        assert_eq!(
            window("Between 09:24 and 11:15 UTC on 01 Jul 2020, a subset", None),
            pair("2020-07-01T09:24:00Z", "2020-07-01T11:15:00Z")
        );
    }

    #[test]
    fn window_across_midnight_with_two_dates() {
        assert_eq!(
            window(
                "Between 20:33 UTC on 05 Oct 2021 and 00:21 UTC on 06 Oct 2021, a",
                None
            ),
            pair("2021-10-05T20:33:00Z", "2021-10-06T00:21:00Z")
        );
        assert_eq!(
            window(
                "Between 12:30 UTC on 04 Jan 2022 and 7:41 UTC on 5 Jan 2022, customers",
                None
            ),
            pair("2022-01-04T12:30:00Z", "2022-01-05T07:41:00Z")
        );
    }

    #[test]
    fn named_zones_are_converted() {
        assert_eq!(
            window(
                "Between approximately 03:00 EDT and 09:55 EDT on 21 Jul 2021, customers",
                None
            ),
            pair("2021-07-21T07:00:00Z", "2021-07-21T13:55:00Z")
        );
        assert_eq!(
            window(
                "Between 22:00 EST on 24 Jan 2020 and 08:15 EST on 25 Jan 2020, customers",
                None
            ),
            pair("2020-01-25T03:00:00Z", "2020-01-25T13:15:00Z")
        );
        // An explicit offset after the zone name wins.
        assert_eq!(
            window(
                "Between 21:03 CST (UTC+8) on 05 Mar 2020 and 16:03 CST (UTC+8) on 06 Mar 2020, a",
                None
            ),
            pair("2020-03-05T13:03:00Z", "2020-03-06T08:03:00Z")
        );
    }

    #[test]
    fn caller_zone_reader_overrides_names() {
        let china = |z: &str| {
            if z.eq_ignore_ascii_case("CST") {
                FixedOffset::east_opt(8 * 3600)
            } else {
                zone_offset(z)
            }
        };
        let w = impact_window_with(
            "Between 17:37 and 21:54 CST on 22 Apr 2020, a",
            None,
            &china,
        );
        assert_eq!(
            w,
            Some(ImpactWindow {
                start: utc("2020-04-22T09:37:00Z"),
                end: utc("2020-04-22T13:54:00Z")
            })
        );
    }

    #[test]
    fn month_first_dates_and_missing_years() {
        // No year anywhere: the reference date supplies it.
        assert_eq!(
            window(
                "Between February 11, 23:23 UTC and February 12, 04:30 UTC, a subset",
                day(2021, 2, 12)
            ),
            pair("2021-02-11T23:23:00Z", "2021-02-12T04:30:00Z")
        );
        // The first date borrows the year of the second.
        assert_eq!(
            window(
                "Between 21:40 UTC on 18 July and 22:00 UTC on 19 July 2024, customers",
                None
            ),
            pair("2024-07-18T21:40:00Z", "2024-07-19T22:00:00Z")
        );
        // Across New Year the borrowed year is the one before.
        assert_eq!(
            window(
                "between 22:00 UTC on 31 Dec and 02:00 UTC on 1 Jan 2020.",
                None
            ),
            pair("2019-12-31T22:00:00Z", "2020-01-01T02:00:00Z")
        );
        assert_eq!(
            window(
                "Between 14:03 UTC and 19:28 UTC on Nov 9 2021, customers",
                None
            ),
            pair("2021-11-09T14:03:00Z", "2021-11-09T19:28:00Z")
        );
        assert_eq!(
            window(
                "Between approximately 14:55 UTC and 19:50 UTC on July 12th, 2021, a",
                None
            ),
            pair("2021-07-12T14:55:00Z", "2021-07-12T19:50:00Z")
        );
        // A reference in early January places "December 30" in the year before.
        assert_eq!(
            window("from 10:00 to 11:30 UTC on December 30", day(2021, 1, 4)),
            pair("2020-12-30T10:00:00Z", "2020-12-30T11:30:00Z")
        );
    }

    #[test]
    fn times_with_no_date_sit_on_the_reference_date() {
        assert_eq!(
            window(
                "Between approximately 12:00 UTC and 13:30 UTC a subset",
                day(2021, 2, 16)
            ),
            pair("2021-02-16T12:00:00Z", "2021-02-16T13:30:00Z")
        );
        assert_eq!(
            window(
                "Between approximately 12:00 UTC and 13:30 UTC a subset",
                None
            ),
            None
        );
        // Later on the same date but earlier on the clock: past midnight.
        assert_eq!(
            window("Between 22:00 and 01:30 UTC on 5 Jan 2022.", None),
            pair("2022-01-05T22:00:00Z", "2022-01-06T01:30:00Z")
        );
    }

    #[test]
    fn several_sub_windows_give_the_overall_span() {
        assert_eq!(
            window(
                "Between approximately 02:20 UTC to 03:30 UTC and 04:07 UTC to 04:52 UTC on 14 Aug 2020, a",
                None
            ),
            pair("2020-08-14T02:20:00Z", "2020-08-14T04:52:00Z")
        );
        assert_eq!(
            window(
                "Between 19:30 UTC and 22:10 UTC on 16 Nov 2021 and between 23:00 UTC on 16 Nov 2021 and 02:50 UTC on 17 Nov 2021, a",
                None
            ),
            pair("2021-11-16T19:30:00Z", "2021-11-17T02:50:00Z")
        );
    }

    #[test]
    fn twelve_hour_clock() {
        assert_eq!(
            window(
                "Between 02:26 am and 03:40 am UTC on 04 Jul 2020, customers",
                None
            ),
            pair("2020-07-04T02:26:00Z", "2020-07-04T03:40:00Z")
        );
        assert_eq!(
            window("from 11:30pm to 12:15am UTC on 4 Jul 2020", None),
            pair("2020-07-04T23:30:00Z", "2020-07-05T00:15:00Z")
        );
    }

    #[test]
    fn incomplete_or_zone_less_clauses_are_refused() {
        assert_eq!(
            window(
                "between the China Telecom network and Azure",
                day(2022, 1, 1)
            ),
            None
        );
        assert_eq!(
            window("Between 09:00 and 10:00 on 5 Jan 2022, users", None),
            None
        );
        assert_eq!(
            window("Between 25:00 and 26:00 UTC on 5 Jan 2022", None),
            None
        );
        assert_eq!(
            window(
                "Between 09:00 UTC on 31 Feb 2022 and 10:00 UTC on 1 Mar 2022",
                None
            ),
            None
        );
        assert_eq!(
            window("customers may have seen errors from 9 regions", None),
            None
        );
        assert_eq!(window("", None), None);
    }

    #[test]
    fn later_clause_is_used_when_the_first_is_not_a_window() {
        assert_eq!(
            window(
                "traffic from a datacenter failed. Between 13:48 UTC and 15:20 UTC on 27 July 2021, a",
                None
            ),
            pair("2021-07-27T13:48:00Z", "2021-07-27T15:20:00Z")
        );
    }

    #[test]
    fn onset_reads_starting_at() {
        assert_eq!(
            onset(
                "Impact Statement: Starting at 21:56 UTC on 18 July 2024, customers",
                None
            ),
            Some(utc("2024-07-18T21:56:00Z"))
        );
        assert_eq!(
            onset("since 14:00 UTC on Thursday, 5 Jan 2023 we", None),
            Some(utc("2023-01-05T14:00:00Z"))
        );
        assert_eq!(onset("Starting soon, customers", day(2024, 1, 1)), None);
    }
}
