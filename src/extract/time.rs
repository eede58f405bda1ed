//! Times as vendors write them: zone abbreviations (PST, PDT, CEST ...), numeric offsets, a bare
//! `Z`, RFC 2822 dates with named zones, and month-day times with no year that must be placed
//! relative to a reference time (the feed entry's publication).
//!
//! Every function returns UTC and never invents a value: an unknown zone or an impossible date is
//! `None`, and the caller reports it.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Offset of a zone abbreviation as status pages print them. `IST` is read as India (the
/// common use on status pages); ambiguous names not listed here are refused rather than guessed.
pub fn zone_offset(abbrev: &str) -> Option<FixedOffset> {
    let minutes: i32 = match abbrev.trim().to_ascii_uppercase().as_str() {
        "UTC" | "GMT" | "Z" | "UT" | "WET" => 0,
        "BST" | "WEST" | "CET" | "MEZ" => 60,
        "CEST" | "MESZ" | "EET" | "SAST" => 120,
        "EEST" | "MSK" => 180,
        "IST" => 330,
        "SGT" | "HKT" | "AWST" | "CST_CHINA" => 480,
        "JST" | "KST" => 540,
        "ACST" => 570,
        "AEST" => 600,
        "ACDT" => 630,
        "AEDT" => 660,
        "NZST" => 720,
        "NZDT" => 780,
        "HST" => -600,
        "AKST" => -540,
        "AKDT" | "PST" => -480,
        "PDT" | "MST" => -420,
        "MDT" | "CST" => -360,
        "CDT" | "EST" => -300,
        "EDT" | "AST" => -240,
        "ADT" => -180,
        "NST" => -210,
        "BRT" => -180,
        _ => return parse_offset(abbrev),
    };
    FixedOffset::east_opt(minutes * 60)
}

/// Numeric offsets: `+0200`, `-06:00`, `+2`, `UTC+2`, `GMT-05:30`.
pub fn parse_offset(s: &str) -> Option<FixedOffset> {
    let s = s.trim();
    let upper = s.to_ascii_uppercase();
    let rest = upper
        .strip_prefix("UTC")
        .or_else(|| upper.strip_prefix("GMT"))
        .unwrap_or(&upper);
    let (sign, digits) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || digits.len() > 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m) = if digits.len() <= 2 {
        (digits.parse::<i32>().ok()?, 0)
    } else {
        let split = digits.len() - 2;
        (
            digits[..split].parse::<i32>().ok()?,
            digits[split..].parse::<i32>().ok()?,
        )
    };
    if h > 14 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// Parses the dates feeds carry: RFC 3339, RFC 2822 with numeric offsets, and RFC 2822 with a
/// named zone or a bare `Z` ("Thu, 23 Jul 2026 16:29:09 Z", "Fri, 14 Jan 2022 14:44:00 PST"),
/// which chrono's RFC 2822 parser rejects or misreads.
pub fn parse_feed_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    // Named zones first: chrono reads unknown zone names in RFC 2822 as -0000 (UTC).
    let (body, zone) = s.rsplit_once(' ')?;
    if zone.chars().all(|c| c.is_ascii_alphabetic()) {
        let offset = zone_offset(zone)?;
        let body = body.split_once(", ").map_or(body, |(_, rest)| rest);
        for fmt in ["%d %b %Y %H:%M:%S", "%d %b %Y %H:%M", "%d %B %Y %H:%M:%S"] {
            if let Ok(naive) = NaiveDateTime::parse_from_str(body.trim(), fmt) {
                return local_to_utc(naive, offset);
            }
        }
        return None;
    }
    DateTime::parse_from_rfc2822(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Converts a wall-clock time at a fixed offset to UTC.
pub fn local_to_utc(naive: NaiveDateTime, offset: FixedOffset) -> Option<DateTime<Utc>> {
    offset
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// Month number from an English month name or its three-letter abbreviation.
pub fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let lower = name.trim().trim_end_matches('.').to_ascii_lowercase();
    if lower.len() < 3 {
        return None;
    }
    let idx = MONTHS.iter().position(|m| lower.starts_with(m))?;
    // Accept "sept" and full names, refuse "marching".
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    (lower.len() == 3 || lower == "sept" || full[idx] == lower).then_some(idx as u32 + 1)
}

/// Places a year-less month/day/time (as in Statuspage update lines, "Jan  1, 09:09 PST") on the
/// calendar: the latest such instant that is not after `reference` (plus a day of slack for zone
/// and clock skew). An update cannot be posted after the entry that carries it, so this picks the
/// previous year across a year boundary ("Dec 31, 23:50" in an entry published on 1 January).
pub fn infer_year(
    month: u32,
    day: u32,
    time: NaiveTime,
    offset: FixedOffset,
    reference: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let limit = reference + chrono::Duration::days(1);
    let year = reference.with_timezone(&offset).year();
    for y in [year + 1, year, year - 1, year - 2] {
        // 29 February only exists in leap years; try the next candidate year otherwise.
        let Some(date) = NaiveDate::from_ymd_opt(y, month, day) else {
            continue;
        };
        let Some(t) = local_to_utc(date.and_time(time), offset) else {
            continue;
        };
        if t <= limit {
            return Some(t);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .expect("test time")
    }

    #[test]
    fn named_zones_and_bare_z() {
        assert_eq!(
            parse_feed_date("Fri, 14 Jan 2022 14:44:00 PST"),
            Some(utc("2022-01-14T22:44:00Z"))
        );
        assert_eq!(
            parse_feed_date("Thu, 23 Jul 2026 16:29:09 Z"),
            Some(utc("2026-07-23T16:29:09Z"))
        );
        assert_eq!(
            parse_feed_date("Wed, 01 Jan 2014 09:09:00 -0800"),
            Some(utc("2014-01-01T17:09:00Z"))
        );
        assert_eq!(parse_feed_date("Wed, 01 Jan 2014 09:09:00 XYZT"), None);
    }

    #[test]
    fn offsets_in_every_spelling() {
        assert_eq!(parse_offset("+0200"), FixedOffset::east_opt(7200));
        assert_eq!(parse_offset("-06:00"), FixedOffset::east_opt(-6 * 3600));
        assert_eq!(parse_offset("UTC+2"), FixedOffset::east_opt(7200));
        assert_eq!(zone_offset("PDT"), FixedOffset::east_opt(-7 * 3600));
        assert_eq!(zone_offset("nope"), None);
    }

    #[test]
    fn year_inferred_across_a_year_boundary() {
        let pst = zone_offset("PST").expect("PST");
        let t = NaiveTime::from_hms_opt(23, 50, 0).expect("time");
        // Posted on 1 Jan 2014 (UTC): "Dec 31, 23:50 PST" is 2013.
        let got = infer_year(12, 31, t, pst, utc("2014-01-01T17:09:00Z"));
        assert_eq!(got, Some(utc("2014-01-01T07:50:00Z")));
        let t = NaiveTime::from_hms_opt(9, 9, 0).expect("time");
        let got = infer_year(1, 1, t, pst, utc("2014-01-01T17:09:00Z"));
        assert_eq!(got, Some(utc("2014-01-01T17:09:00Z")));
    }

    #[test]
    fn months_by_name() {
        assert_eq!(month_number("Sept"), Some(9));
        assert_eq!(month_number("December"), Some(12));
        assert_eq!(month_number("Decimal"), None);
    }
}
