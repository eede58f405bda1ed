//! What AWS says only in prose: the real impact window ("Between 11:45 AM and 7:42 PM PDT",
//! "Starting at 6:41 PM PDT on September 26th", "Beginning at 8:36 PM PDT"), the cause, the
//! state of an event still open, and which half of a bilingual post is English.
//!
//! Prose times usually carry no date, so each is placed relative to the post that states it:
//! an end is the latest such time not after the post (with an hour of slack for clock skew),
//! a start the latest such time not after its end, and a lone onset the latest such time not
//! after the event's first post. A time whose zone is neither written nor implied by the post
//! is dropped rather than guessed.

use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Utc};
use regex::{Captures, Regex};

use crate::extract::text::{one_line, sentences, truncate_chars};
use crate::extract::time::{infer_year, local_to_utc, month_number, zone_offset};
use crate::model::Status;

/// One status post as the window finder needs it.
pub(super) struct Post<'a> {
    pub at: DateTime<Utc>,
    /// The zone the post's own timestamp was written in: the default for its prose times.
    pub zone: Option<FixedOffset>,
    pub text: &'a str,
}

/// The impact window the prose states, each end `None` when the prose gives none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct ImpactWindow {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

/// Posts can trail the end of impact by a little or state it a few minutes late; an hour of
/// slack keeps such a time on the same day instead of a day earlier.
const SLACK: Duration = Duration::hours(1);
/// An onset further before the first post than this is a misread date, not an onset.
const MAX_LEAD: Duration = Duration::days(14);

const MONTH: &str = r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

/// A time of day with an optional date before it ("August 6 5:23 PM", "December 21, 2021 at
/// 6:37 PM") or after it ("6:41 PM PDT on September 26th"), and an optional zone.
fn point_pattern(p: &str) -> String {
    format!(
        r"(?:\b(?P<{p}mon>{MONTH})\.?\s+(?P<{p}day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?:(?P<{p}year>\d{{4}}),?\s+)?(?:at\s+)?)?\b(?P<{p}h>\d{{1,2}})[:.](?P<{p}min>\d{{2}})\s*(?P<{p}ampm>[AaPp]\.?[Mm]\b\.?)(?:\s*(?P<{p}zone>[A-Z]{{2,5}})\b)?(?:,?\s+on\s+(?:[A-Z][a-z]+day,?\s+)?(?P<{p}mon2>{MONTH})\.?\s+(?P<{p}day2>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<{p}year2>\d{{4}}))?)?"
    )
}

static WINDOW: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(
        r"\b(?i:between)\s+{}\s*,?(?:\s+(?i:and|to|until|through)\s+|\s*[-–]\s*){}",
        point_pattern("s"),
        point_pattern("e")
    );
    Regex::new(&pattern).expect("static window pattern")
});

static ONSET: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(
        r"\b(?i:starting|beginning|since)(?:\s+(?i:at|on|from|around|approximately|about))*\s+{}",
        point_pattern("o")
    );
    Regex::new(&pattern).expect("static onset pattern")
});

/// A time as written: maybe a date, maybe a zone.
#[derive(Debug, Clone, Copy)]
struct Point {
    date: Option<WrittenDate>,
    time: NaiveTime,
    zone: Option<FixedOffset>,
}

#[derive(Debug, Clone, Copy)]
struct WrittenDate {
    year: Option<i32>,
    month: u32,
    day: u32,
}

/// Parses "5:23 PM" style hours; `None` for impossible ones ("13:00 PM", "9:75 AM").
pub(super) fn twelve_hour(hour: &str, minute: &str, ampm: &str) -> Option<NaiveTime> {
    let h: u32 = hour.parse().ok()?;
    let m: u32 = minute.parse().ok()?;
    if !(1..=12).contains(&h) {
        return None;
    }
    let pm = ampm.trim_start().starts_with(['p', 'P']);
    let h24 = match (h, pm) {
        (12, false) => 0,
        (12, true) => 12,
        (h, false) => h,
        (h, true) => h + 12,
    };
    NaiveTime::from_hms_opt(h24, m, 0)
}

fn capture_point(c: &Captures<'_>, p: &str) -> Option<Point> {
    let get = |name: &str| c.name(&format!("{p}{name}")).map(|m| m.as_str());
    let time = twelve_hour(get("h")?, get("min")?, get("ampm")?)?;
    let date = match (get("mon").or(get("mon2")), get("day").or(get("day2"))) {
        (Some(mon), Some(day)) => Some(WrittenDate {
            year: get("year").or(get("year2")).and_then(|y| y.parse().ok()),
            month: month_number(mon)?,
            day: day.parse().ok()?,
        }),
        _ => None,
    };
    // An unknown capitalised word after the time ("10:00 AM API errors") is not a zone.
    let zone = get("zone").and_then(zone_offset);
    Some(Point { date, time, zone })
}

fn at_on(date: NaiveDate, time: NaiveTime, offset: FixedOffset) -> Option<DateTime<Utc>> {
    local_to_utc(date.and_time(time), offset)
}

/// The latest instant at `time` of day (in `offset`) that is not after `limit`.
fn latest_at_or_before(
    time: NaiveTime,
    offset: FixedOffset,
    limit: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let day = limit.with_timezone(&offset).date_naive();
    let candidate = at_on(day, time, offset)?;
    if candidate <= limit {
        Some(candidate)
    } else {
        at_on(day.pred_opt()?, time, offset)
    }
}

/// The earliest instant at `time` of day (in `offset`) that is not before `floor`.
fn earliest_at_or_after(
    time: NaiveTime,
    offset: FixedOffset,
    floor: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let day = floor.with_timezone(&offset).date_naive();
    let candidate = at_on(day, time, offset)?;
    if candidate >= floor {
        Some(candidate)
    } else {
        at_on(day.succ_opt()?, time, offset)
    }
}

/// A dated point on the calendar; a missing year is the latest that is not after `posted`.
fn dated(
    date: WrittenDate,
    time: NaiveTime,
    offset: FixedOffset,
    posted: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    match date.year {
        Some(y) => at_on(
            NaiveDate::from_ymd_opt(y, date.month, date.day)?,
            time,
            offset,
        ),
        None => infer_year(date.month, date.day, time, offset, posted),
    }
}

/// A stated window "between S and E" placed on the calendar, start not after end.
fn place_window(
    s: Point,
    e: Point,
    default: Option<FixedOffset>,
    posted: DateTime<Utc>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    // "Between 8:00 PM and 8:49 PM PDT": the zone written once covers both ends.
    let s_off = s.zone.or(e.zone).or(default)?;
    let e_off = e.zone.or(s.zone).or(default)?;
    let dated_start = match s.date {
        Some(d) => Some(dated(d, s.time, s_off, posted)?),
        None => None,
    };
    let end = match (e.date, dated_start) {
        (Some(d), _) => dated(d, e.time, e_off, posted)?,
        (None, Some(start)) => earliest_at_or_after(e.time, e_off, start)?,
        (None, None) => latest_at_or_before(e.time, e_off, posted + SLACK)?,
    };
    let start = match dated_start {
        Some(start) => start,
        None => latest_at_or_before(s.time, s_off, end)?,
    };
    (start <= end).then_some((start, end))
}

/// A lone onset ("Starting at 5:07 AM PDT") placed on the calendar.
fn place_onset(
    o: Point,
    default: Option<FixedOffset>,
    posted: DateTime<Utc>,
    first_post: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let offset = o.zone.or(default)?;
    match o.date {
        Some(d) => dated(d, o.time, offset, posted),
        None => latest_at_or_before(o.time, offset, first_post + SLACK),
    }
}

/// What one post states: the onset of its first time phrase and the latest end of its windows.
fn stated(post: &Post<'_>, first_post: DateTime<Utc>) -> ImpactWindow {
    let mut first: Option<(usize, DateTime<Utc>)> = None;
    let mut end: Option<DateTime<Utc>> = None;
    for c in WINDOW.captures_iter(post.text) {
        let (Some(whole), Some(s), Some(e)) =
            (c.get(0), capture_point(&c, "s"), capture_point(&c, "e"))
        else {
            continue;
        };
        let Some((start, stop)) = place_window(s, e, post.zone, post.at) else {
            continue;
        };
        if first.is_none_or(|(pos, _)| whole.start() < pos) {
            first = Some((whole.start(), start));
        }
        end = end.max(Some(stop));
    }
    for c in ONSET.captures_iter(post.text) {
        let (Some(whole), Some(o)) = (c.get(0), capture_point(&c, "o")) else {
            continue;
        };
        if first.is_some_and(|(pos, _)| pos < whole.start()) {
            break;
        }
        if let Some(t) = place_onset(o, post.zone, post.at, first_post) {
            first = Some((whole.start(), t));
            break;
        }
    }
    ImpactWindow {
        start: first.map(|(_, t)| t),
        end,
    }
}

/// The impact window of an event from its posts (oldest first). The onset comes from the
/// latest post that states one (later posts restate it more precisely). The end only counts
/// for a resolved event: a window in its final post, else in the latest earlier post that
/// states a window and says the issue is over (the closing summary, which a post-event note
/// days later linking the write-up does not replace).
pub(super) fn impact_window(posts: &[Post<'_>], resolved: bool) -> ImpactWindow {
    let (Some(first), Some(last)) = (posts.first(), posts.last()) else {
        return ImpactWindow::default();
    };
    let start = posts.iter().rev().find_map(|p| {
        stated(p, first.at)
            .start
            .filter(|s| *s >= first.at - MAX_LEAD && *s <= last.at + SLACK)
    });
    let end = if resolved {
        posts
            .iter()
            .rev()
            .enumerate()
            .filter(|(i, p)| *i == 0 || says_resolved(p.text))
            .find_map(|(_, p)| stated(p, first.at).end)
            .filter(|e| *e <= last.at + SLACK && start.is_none_or(|s| s <= *e))
    } else {
        None
    };
    ImpactWindow { start, end }
}

static CLOSING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:has|have|is|are)\s+(?:now\s+)?(?:been\s+)?(?:fully\s+)?resolved\b|\boperating\s+normally\b|\bfully\s+recovered\b|\breturned\s+to\s+normal\b",
    )
    .expect("static closing pattern")
});

/// Closing words: a window stated beside them is the whole impact, not a passing symptom.
fn says_resolved(text: &str) -> bool {
    CLOSING.is_match(text)
}

/// Phrases that state a cause, strongest first. "We have identified the root cause" names no
/// cause, so "root cause" only counts when a verb says what it was.
static CAUSE_MARKERS: LazyLock<[Regex; 4]> = LazyLock::new(|| {
    [
        r"(?i)\b(?:was|were|is|are|been)\s+caused\s+by\b",
        r"(?i)\broot\s+cause\s+(?:of\s+(?:the|this)\s+(?:\w+\s+){0,3})?(?:was|is|has\s+been\s+identified\s+as)\b",
        r"(?i)\bdue\s+to\b",
        r"(?i)\btriggered\s+by\b",
    ]
    .map(|p| Regex::new(p).expect("static cause pattern"))
});

/// The sentence that states the cause, searching the strongest phrasing first and the latest
/// posts first (texts are oldest first).
pub(super) fn find_cause(texts: &[&str]) -> Option<String> {
    CAUSE_MARKERS.iter().find_map(|marker| {
        texts.iter().rev().find_map(|text| {
            sentences(text)
                .into_iter()
                .find(|s| marker.is_match(s))
                .map(|s| truncate_chars(&one_line(s), 300))
        })
    })
}

/// AWS posts carry no lifecycle label; the latest text of an open event says how far along it
/// is. Recovery words win over "identified", which wins over the default, investigating.
pub(super) fn ongoing_status(latest_text: &str) -> Status {
    const RECOVERING: [&str; 9] = [
        "recovery is in progress",
        "seeing recovery",
        "see recovery",
        "signs of recovery",
        "have recovered",
        "has recovered",
        "seeing improvement",
        "see improvement",
        "some improvement",
    ];
    const IDENTIFIED: [&str; 4] = [
        "identified the root cause",
        "identified root cause",
        "identified the cause",
        "we have identified",
    ];
    let text = latest_text.to_lowercase();
    if RECOVERING.iter().any(|p| text.contains(p)) {
        Status::Monitoring
    } else if IDENTIFIED.iter().any(|p| text.contains(p)) {
        Status::Identified
    } else {
        Status::Investigating
    }
}

/// The English part of a bilingual post ("日本語 | English", "简体 | 繁體 | English"): from the
/// first `|`-separated part written mostly in ASCII letters to the end, so pipes inside the
/// English survive. Text with no such part is returned whole.
pub(super) fn english_part(text: &str) -> String {
    let parts: Vec<&str> = text.split('|').collect();
    if parts.len() < 2 {
        return text.trim().to_string();
    }
    match parts.iter().position(|p| mostly_ascii_letters(p)) {
        Some(i) => parts
            .get(i..)
            .unwrap_or_default()
            .iter()
            .map(|p| p.trim())
            .collect::<Vec<_>>()
            .join(" | "),
        None => text.trim().to_string(),
    }
}

fn mostly_ascii_letters(s: &str) -> bool {
    let (ascii, all) = s
        .chars()
        .filter(|c| c.is_alphabetic())
        .fold((0usize, 0usize), |(a, n), c| {
            (a + usize::from(c.is_ascii()), n + 1)
        });
    all > 0 && ascii * 5 >= all * 4
}

/// Drops the "[RESOLVED]" tag AWS prefixes to headlines; the state lives in `status`.
pub(super) fn strip_resolved(headline: &str) -> String {
    let trimmed = headline.trim();
    let lower = trimmed.to_ascii_lowercase();
    match lower.find("[resolved]") {
        Some(0) => one_line(trimmed.get("[resolved]".len()..).unwrap_or_default()),
        _ => one_line(trimmed),
    }
}

/// True when a headline or text carries AWS's resolution tag.
pub(super) fn has_resolved_tag(s: &str) -> bool {
    s.to_ascii_lowercase().contains("[resolved]")
}

/// The calendar day of an instant in a zone, for callers placing day-less times.
pub(super) fn local_day(at: DateTime<Utc>, offset: FixedOffset) -> NaiveDate {
    at.with_timezone(&offset).date_naive()
}

/// A month/day with no year placed at or after `reference` (minus a day of slack): the
/// update lines of an event only move forward.
pub(super) fn next_month_day(
    month: u32,
    day: u32,
    time: NaiveTime,
    offset: FixedOffset,
    reference: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let year = reference.with_timezone(&offset).year();
    [year, year + 1].into_iter().find_map(|y| {
        let t = at_on(NaiveDate::from_ymd_opt(y, month, day)?, time, offset)?;
        (t >= reference - Duration::days(1)).then_some(t)
    })
}

/// `time` on `day` in `offset`, for callers that track the day themselves.
pub(super) fn on_day(
    day: NaiveDate,
    time: NaiveTime,
    offset: FixedOffset,
) -> Option<DateTime<Utc>> {
    at_on(day, time, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .expect("test time")
    }

    fn pdt() -> Option<FixedOffset> {
        zone_offset("PDT")
    }

    fn window(posts: &[(&str, &str)], resolved: bool) -> ImpactWindow {
        let posts: Vec<Post<'_>> = posts
            .iter()
            .map(|(at, text)| Post {
                at: utc(at),
                zone: pdt(),
                text,
            })
            .collect();
        impact_window(&posts, resolved)
    }

    #[test]
    fn undated_window_ends_before_its_post() {
        let w = window(
            &[(
                "2021-06-30T02:46:00Z",
                "Between 11:45 AM and 7:42 PM PDT, customers experienced increased ACM API errors. The issue has been resolved.",
            )],
            true,
        );
        assert_eq!(w.start, Some(utc("2021-06-29T18:45:00Z")));
        assert_eq!(w.end, Some(utc("2021-06-30T02:42:00Z")));
    }

    #[test]
    fn window_across_midnight_starts_the_day_before() {
        let w = window(
            &[(
                "2021-03-16T17:30:00Z",
                "Between 10:57 PM and 9:57 AM PDT we experienced elevated error rates. The issue has been resolved.",
            )],
            true,
        );
        assert_eq!(w.start, Some(utc("2021-03-16T05:57:00Z")));
        assert_eq!(w.end, Some(utc("2021-03-16T16:57:00Z")));
    }

    #[test]
    fn dated_windows_in_every_spelling() {
        let cases = [
            (
                "2021-08-07T09:53:00Z",
                "Between August 6 5:23 PM and August 7 2:48 AM PDT, DynamoDB customers experienced API errors. The issue has been resolved.",
                "2021-08-07T00:23:00Z",
                "2021-08-07T09:48:00Z",
            ),
            (
                "2021-12-08T10:29:00Z",
                "Between 7:31 AM PST on December 7 and 2:20 AM PST on December 8, ECS experienced errors. The issue has been resolved.",
                "2021-12-07T15:31:00Z",
                "2021-12-08T10:20:00Z",
            ),
            (
                "2021-12-22T11:21:00Z",
                "Between December 21, 2021 at 6:37 PM  and December 22, 2021 at 03:17 AM PST, customers were unable to upload. The issue has been resolved.",
                "2021-12-22T02:37:00Z",
                "2021-12-22T11:17:00Z",
            ),
            (
                "2021-08-07T07:27:00Z",
                "Between August 6 5:50 PM PDT and 11:27 PM PDT, we experienced errors. The issue has been resolved.",
                "2021-08-07T00:50:00Z",
                "2021-08-07T06:27:00Z",
            ),
        ];
        for (posted, text, start, end) in cases {
            let w = window(&[(posted, text)], true);
            assert_eq!(w.start, Some(utc(start)), "{text}");
            assert_eq!(w.end, Some(utc(end)), "{text}");
        }
    }

    #[test]
    fn first_phrase_is_the_onset_and_later_windows_extend_the_end() {
        let w = window(
            &[(
                "2021-12-24T18:41:00Z",
                "Between 8:59 AM and 9:32 AM PST and between 9:40 AM and 10:16 AM PST we observed Internet connectivity issues. The issue has been resolved.",
            )],
            true,
        );
        assert_eq!(w.start, Some(utc("2021-12-24T16:59:00Z")));
        assert_eq!(w.end, Some(utc("2021-12-24T18:16:00Z")));
    }

    #[test]
    fn lone_onset_is_placed_before_the_first_post() {
        let w = window(
            &[
                (
                    "2019-08-23T04:18:32Z",
                    "We are investigating connectivity issues.",
                ),
                (
                    "2019-08-23T11:18:35Z",
                    "Beginning at 8:36 PM PDT a small percentage of EC2 servers shutdown due to overheating. By 2:30 AM PDT, the vast majority of instances had recovered.",
                ),
            ],
            true,
        );
        assert_eq!(w.start, Some(utc("2019-08-23T03:36:00Z")));
        assert_eq!(w.end, None);
    }

    #[test]
    fn later_lowercase_starting_does_not_replace_the_dated_onset() {
        let w = window(
            &[
                ("2021-09-27T03:11:00Z", "We are investigating."),
                (
                    "2021-09-27T11:21:00Z",
                    "Starting at 6:41 PM PDT on September 26th, we experienced degraded performance. At 9:00 PM, starting at 12:12 AM PDT, we saw recovery slow down.",
                ),
            ],
            true,
        );
        assert_eq!(w.start, Some(utc("2021-09-27T01:41:00Z")));
    }

    #[test]
    fn closing_window_survives_a_later_post_event_note() {
        let w = window(
            &[
                (
                    "2021-09-02T00:39:00Z",
                    "Starting at 3:30 PM PDT, we began to experience network connectivity issues.",
                ),
                (
                    "2021-09-02T04:51:00Z",
                    "Between 3:30 PM and 9:42 PM PDT we experienced elevated packet loss. The issue has been resolved and the service is operating normally.",
                ),
                (
                    "2021-09-07T03:25:00Z",
                    "We'd like to share more information about the event.",
                ),
            ],
            true,
        );
        assert_eq!(w.start, Some(utc("2021-09-01T22:30:00Z")));
        assert_eq!(w.end, Some(utc("2021-09-02T04:42:00Z")));
    }

    #[test]
    fn mid_event_window_is_not_the_end() {
        let w = window(
            &[
                (
                    "2021-09-02T00:39:00Z",
                    "Between 3:30 PM and 4:10 PM PDT some API calls failed. We continue to investigate instance connectivity.",
                ),
                (
                    "2021-09-02T04:51:00Z",
                    "Instance connectivity is back to normal.",
                ),
            ],
            true,
        );
        assert_eq!(w.start, Some(utc("2021-09-01T22:30:00Z")));
        assert_eq!(w.end, None);
    }

    #[test]
    fn times_without_any_zone_are_dropped() {
        let posts = [Post {
            at: utc("2021-06-30T02:46:00Z"),
            zone: None,
            text: "Between 11:45 AM and 7:42 PM customers saw errors.",
        }];
        assert_eq!(impact_window(&posts, true), ImpactWindow::default());
    }

    #[test]
    fn impossible_clock_times_are_refused() {
        assert_eq!(twelve_hour("13", "00", "PM"), None);
        assert_eq!(twelve_hour("9", "75", "AM"), None);
        assert_eq!(
            twelve_hour("12", "05", "AM"),
            NaiveTime::from_hms_opt(0, 5, 0)
        );
    }

    #[test]
    fn open_events_report_no_end() {
        let w = window(
            &[(
                "2021-06-30T02:46:00Z",
                "Between 11:45 AM and 7:42 PM PDT, customers experienced errors.",
            )],
            false,
        );
        assert_eq!(w.end, None);
        assert_eq!(w.start, Some(utc("2021-06-29T18:45:00Z")));
    }

    #[test]
    fn cause_prefers_caused_by_over_due_to() {
        let texts = [
            "Instances shut down due to overheating. The overheating was caused by a control system failure.",
            "We have identified the root cause and are working toward recovery.",
        ];
        assert_eq!(
            find_cause(&texts).as_deref(),
            Some("The overheating was caused by a control system failure.")
        );
        assert_eq!(
            find_cause(&["We have identified the root cause and are working toward recovery."]),
            None
        );
        assert_eq!(
            find_cause(&[
                "We have identified the root cause within Lambda that is causing errors."
            ]),
            None
        );
        assert_eq!(
            find_cause(&["Errors stopped. The root cause of the event was a loss of power to a single line-up."])
                .as_deref(),
            Some("The root cause of the event was a loss of power to a single line-up.")
        );
    }

    #[test]
    fn open_event_state_from_latest_words() {
        assert_eq!(
            ongoing_status("We are investigating increased error rates."),
            Status::Investigating
        );
        assert_eq!(
            ongoing_status("We have identified the root cause and are working toward recovery."),
            Status::Identified
        );
        assert_eq!(
            ongoing_status("We are starting to see recovery for instance impairments."),
            Status::Monitoring
        );
    }

    #[test]
    fn english_half_of_bilingual_text() {
        assert_eq!(
            english_part("インスタンスの接続性について | Instance Availability"),
            "Instance Availability"
        );
        assert_eq!(
            english_part("API错误率的上升 | API的錯誤率上升 | Increased API error rates"),
            "Increased API error rates"
        );
        assert_eq!(english_part("Errors | Latency"), "Errors | Latency");
        assert_eq!(
            strip_resolved("[RESOLVED] Increased API Error Rates "),
            "Increased API Error Rates"
        );
    }
}
