//! The legacy AWS dashboard's `data.json`: `{archive: [...], current: [...]}`, one entry per
//! event with `service` (key "ec2-us-east-1"), `service_name`, `summary`, `date` (epoch
//! seconds of the first post, as a string), `status` (1/2/3, see the table in the parent
//! module) and `description`, HTML holding every update as
//! `<div><span class="yellowfg"> 3:14 PM PST</span>&nbsp;text</div>`.
//!
//! Update times have a time of day and a zone but no date (a date appears only when the day
//! changes, "Aug 7,  1:50 AM PDT"), so they are placed from the event's `date`: the first on
//! the day that puts it nearest the event date, each next one on the same day as its
//! predecessor, rolling to the next day when the time goes backwards.
//!
//! The id is `<service>_<date>`, which is the guid fragment the RSS form gives the event's
//! first post, so both forms of one event share an id.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use regex::Regex;
use serde::Deserialize;
use serde_json::Value;

use super::prose::{
    Post, english_part, find_cause, has_resolved_tag, impact_window, local_day, next_month_day,
    on_day, ongoing_status, strip_resolved, twelve_hour,
};
use super::region::{ServiceKey, split_service_name};
use super::{DEFAULT_VENDOR, Scalar, StateWord, decode_document};
use crate::extract::text::{html_to_text, one_line, truncate_chars};
use crate::extract::time::{month_number, zone_offset};
use crate::model::{
    Format, Incident, ReportKind, Severity, SourceRef, Status, Update, incident_id, slug,
};
use crate::parse::{ParseContext, ParseError};

/// Where the legacy dashboard lived; the link when the caller gives no URL.
const DASHBOARD_URL: &str = "https://status.aws.amazon.com/";

/// Parses `data.json` into one incident per event: the archive first, then current events,
/// each in document order.
pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    let json_error = |message: String| ParseError::Json {
        format: Format::AwsJson,
        message,
    };
    let text = decode_document(bytes);
    let doc: Value = serde_json::from_str(&text).map_err(|e| json_error(e.to_string()))?;
    let Value::Object(doc) = doc else {
        return Err(json_error("expected an object with archive/current".into()));
    };
    let list = |name: &str| -> Result<Vec<Value>, ParseError> {
        match doc.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) => Ok(a.clone()),
            Some(_) => Err(json_error(format!("`{name}` is not an array"))),
        }
    };
    if !doc.contains_key("archive") && !doc.contains_key("current") {
        return Err(json_error("neither `archive` nor `current` present".into()));
    }
    let archive = list("archive")?;
    let current = list("current")?;
    let total = archive.len() + current.len();
    let vendor = ctx.vendor.as_deref().unwrap_or(DEFAULT_VENDOR);
    let incidents: Vec<Incident> = archive
        .into_iter()
        .map(|v| (v, true))
        .chain(current.into_iter().map(|v| (v, false)))
        .filter_map(|(v, archived)| {
            let event: LegacyEvent = serde_json::from_value(v)
                .inspect_err(|e| tracing::warn!("skipping malformed AWS data.json event: {e}"))
                .ok()?;
            event.into_incident(archived, vendor, ctx)
        })
        .collect();
    if incidents.is_empty() && total > 0 {
        return Err(ParseError::Invalid {
            format: Format::AwsJson,
            message: format!("none of the {total} events has a service and a valid `date` epoch"),
        });
    }
    Ok(incidents)
}

#[derive(Debug, Deserialize)]
struct LegacyEvent {
    #[serde(default)]
    service_name: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    date: Option<Scalar>,
    #[serde(default)]
    status: Option<Scalar>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    service: Option<String>,
}

/// One update line as posted: time of day, zone, maybe a month/day, and its text.
#[derive(Debug)]
struct Line {
    stamp: Option<Stamp>,
    text: String,
}

#[derive(Debug, Clone, Copy)]
struct Stamp {
    month_day: Option<(u32, u32)>,
    time: chrono::NaiveTime,
    zone: FixedOffset,
}

/// `<span ...>Aug 7,  1:50 AM PDT</span>`: the time stamp that opens each update.
static STAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)<span[^>]*>\s*(?:(?P<mon>[a-z]{3,9})\.?\s+(?P<day>\d{1,2}),\s*)?(?P<h>\d{1,2}):(?P<min>\d{2})\s*(?P<ampm>[ap]m)\s+(?P<zone>[a-z]{2,5})\s*</span>",
    )
    .expect("static stamp pattern")
});

fn split_lines(description: &str) -> Vec<Line> {
    let stamps: Vec<(usize, usize, Option<Stamp>)> = STAMP
        .captures_iter(description)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let time = twelve_hour(
                c.name("h")?.as_str(),
                c.name("min")?.as_str(),
                c.name("ampm")?.as_str(),
            );
            let zone = c.name("zone").and_then(|z| zone_offset(z.as_str()));
            let month_day = match (c.name("mon"), c.name("day")) {
                (Some(m), Some(d)) => Some((month_number(m.as_str())?, d.as_str().parse().ok()?)),
                _ => None,
            };
            let stamp = match (time, zone) {
                (Some(time), Some(zone)) => Some(Stamp {
                    month_day,
                    time,
                    zone,
                }),
                _ => None,
            };
            Some((whole.start(), whole.end(), stamp))
        })
        .collect();
    if stamps.is_empty() {
        let text = english_part(&html_to_text(description));
        return if text.is_empty() {
            Vec::new()
        } else {
            vec![Line { stamp: None, text }]
        };
    }
    let mut lines = Vec::with_capacity(stamps.len());
    for (i, (_, end, stamp)) in stamps.iter().enumerate() {
        let next = stamps.get(i + 1).map_or(description.len(), |s| s.0);
        let body = description.get(*end..next).unwrap_or_default();
        let text = english_part(&html_to_text(body));
        if !text.is_empty() {
            lines.push(Line {
                stamp: *stamp,
                text,
            });
        }
    }
    lines
}

/// Puts day-less update times on the calendar (see the module docs).
fn place_lines(lines: &[Line], event_date: DateTime<Utc>) -> Vec<Option<DateTime<Utc>>> {
    let mut prev: Option<DateTime<Utc>> = None;
    lines
        .iter()
        .map(|line| {
            let stamp = line.stamp?;
            let at = match (stamp.month_day, prev) {
                (Some((m, d)), _) => {
                    next_month_day(m, d, stamp.time, stamp.zone, prev.unwrap_or(event_date))
                }
                (None, None) => nearest(stamp, event_date),
                (None, Some(p)) => {
                    let same_day = on_day(local_day(p, stamp.zone), stamp.time, stamp.zone)?;
                    if same_day < p {
                        Some(same_day + Duration::days(1))
                    } else {
                        Some(same_day)
                    }
                }
            };
            if at.is_some() {
                prev = at;
            }
            at
        })
        .collect()
}

/// The instant at the stamp's time of day nearest `reference` (within 12 hours).
fn nearest(stamp: Stamp, reference: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let t = on_day(local_day(reference, stamp.zone), stamp.time, stamp.zone)?;
    Some(if t - reference > Duration::hours(12) {
        t - Duration::days(1)
    } else if reference - t > Duration::hours(12) {
        t + Duration::days(1)
    } else {
        t
    })
}

impl LegacyEvent {
    fn into_incident(self, archived: bool, vendor: &str, ctx: &ParseContext) -> Option<Incident> {
        let date = self.date.as_ref().and_then(Scalar::as_epoch)?;
        let service_name = self.service_name.as_deref().map(str::trim).unwrap_or("");
        let key_text = self
            .service
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map_or_else(|| slug(service_name), str::to_string);
        if key_text.is_empty() {
            return None;
        }
        let key = ServiceKey::parse(&key_text);
        let (name, name_region) = split_service_name(service_name);
        let service = if name.is_empty() {
            key.service.clone()
        } else {
            name
        };
        let region = key.region.clone().or(name_region);
        let summary = one_line(self.summary.as_deref().unwrap_or(""));
        let resolved = archived || has_resolved_tag(&summary);

        let lines = split_lines(self.description.as_deref().unwrap_or(""));
        let times = place_lines(&lines, date);
        let posts: Vec<Post<'_>> = lines
            .iter()
            .zip(&times)
            .filter_map(|(line, at)| {
                Some(Post {
                    at: (*at)?,
                    zone: line.stamp.map(|s| s.zone),
                    text: &line.text,
                })
            })
            .collect();
        let window = impact_window(&posts, resolved);
        let last_at = posts.last().map(|p| p.at);
        let first_at = posts.first().map(|p| p.at);

        let word = self
            .status
            .as_ref()
            .and_then(Scalar::as_i64)
            .and_then(StateWord::from_code);
        let (severity, severity_native) = match (word, &self.status) {
            (Some(w), _) => (
                w.severity().unwrap_or(Severity::Unknown),
                Some(w.legend().to_string()),
            ),
            (None, Some(Scalar::Text(s))) if !s.trim().is_empty() => {
                (Severity::Unknown, Some(s.trim().to_string()))
            }
            (None, _) => (Severity::Unknown, None),
        };

        let title = strip_resolved(&english_part(&summary));
        let title = if title.is_empty() {
            service.clone()
        } else {
            title
        };
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        let last_text = lines.last().map_or("", |l| l.text.as_str());
        let count = lines.len();
        let updates = lines
            .iter()
            .zip(&times)
            .enumerate()
            .map(|(i, (line, at))| Update {
                at: *at,
                // AWS labels no update; "[RESOLVED]" on the event marks its final post.
                status: if resolved && i + 1 == count {
                    "resolved".to_string()
                } else {
                    "update".to_string()
                },
                text: line.text.clone(),
            })
            .collect();
        let quote = truncate_chars(&one_line(&format!("{summary} {last_text}")), 300);
        Some(Incident {
            id: incident_id(vendor, &format!("{key_text}_{}", date.timestamp())),
            vendor: vendor.to_string(),
            title,
            start: window.start.or(first_at).or(Some(date)),
            end: if resolved {
                window.end.or(last_at)
            } else {
                None
            },
            status: if resolved {
                Status::Resolved
            } else {
                ongoing_status(last_text)
            },
            severity,
            severity_native,
            stated_minutes: None,
            regions: region.into_iter().collect(),
            services: vec![service],
            cause: find_cause(&texts),
            updates,
            sources: vec![SourceRef {
                url: Some(ctx.url.clone().unwrap_or_else(|| DASHBOARD_URL.to_string())),
                kind: ReportKind::Status,
                quote: Some(quote),
            }],
        })
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

    #[test]
    fn update_times_roll_to_the_next_day_when_the_clock_goes_back() {
        let description = "<div><span class=\"yellowfg\">11:33 PM PST</span>&nbsp;Investigating.</div>\
            <div><span class=\"yellowfg\">12:34 AM PST</span>&nbsp;Still investigating.</div>\
            <div><span class=\"yellowfg\"> 3:21 AM PST</span>&nbsp;Resolved.</div>";
        let lines = split_lines(description);
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines.first().map(|l| l.text.as_str()),
            Some("Investigating.")
        );
        let times = place_lines(&lines, utc("2021-12-22T07:33:20Z"));
        assert_eq!(
            times,
            vec![
                Some(utc("2021-12-22T07:33:00Z")),
                Some(utc("2021-12-22T08:34:00Z")),
                Some(utc("2021-12-22T11:21:00Z")),
            ]
        );
    }

    #[test]
    fn dated_update_lines_keep_their_date() {
        let description = "<div><span class=\"yellowfg\">11:11 PM PDT</span>&nbsp;a</div>\
            <div><span class=\"yellowfg\">Aug 7,  1:50 AM PDT</span>&nbsp;b</div>";
        let times = place_lines(&split_lines(description), utc("2021-08-07T06:11:00Z"));
        assert_eq!(
            times,
            vec![
                Some(utc("2021-08-07T06:11:00Z")),
                Some(utc("2021-08-07T08:50:00Z"))
            ]
        );
    }

    #[test]
    fn unknown_zone_leaves_the_update_undated() {
        let description = "<div><span class=\"yellowfg\">1:00 PM XYZ</span>&nbsp;a</div>";
        let lines = split_lines(description);
        assert_eq!(place_lines(&lines, utc("2021-08-07T06:11:00Z")), vec![None]);
    }

    #[test]
    fn open_event_has_no_end_and_a_state_from_its_words() {
        let doc = br#"{"archive":[],"current":[{"service_name":"Amazon Simple Storage Service (N. Virginia)","summary":"Increased Error Rates","date":"1636495106","status":"2","details":"","description":"<div><span class=\"yellowfg\"> 1:58 PM PST</span>&nbsp;We are investigating increased 5xx error rates.</div><div><span class=\"yellowfg\"> 2:48 PM PST</span>&nbsp;We have identified the S3 subsystem responsible.</div>","service":"s3-us-standard"}]}"#;
        let got = parse(doc, &ParseContext::default()).expect("parses");
        let [incident] = got.as_slice() else {
            panic!("one incident expected, got {got:?}");
        };
        assert_eq!(incident.id, "aws:s3-us-standard_1636495106");
        assert_eq!(incident.status, Status::Identified);
        assert_eq!(incident.end, None);
        assert_eq!(incident.start, Some(utc("2021-11-09T21:58:00Z")));
        assert_eq!(incident.severity, Severity::Major);
        assert_eq!(incident.services, vec!["Amazon Simple Storage Service"]);
        assert_eq!(incident.regions, vec!["us-east-1"]);
    }

    #[test]
    fn malformed_documents_are_errors() {
        let ctx = ParseContext::default();
        assert!(matches!(
            parse(b"[1,2]", &ctx),
            Err(ParseError::Json { .. })
        ));
        assert!(matches!(
            parse(b"{\"x\":1}", &ctx),
            Err(ParseError::Json { .. })
        ));
        assert!(matches!(
            parse(b"{\"archive\":{}}", &ctx),
            Err(ParseError::Json { .. })
        ));
        assert!(matches!(
            parse(
                b"{\"archive\":[{\"summary\":\"x\",\"date\":\"never\"}]}",
                &ctx
            ),
            Err(ParseError::Invalid { .. })
        ));
        assert_eq!(
            parse(b"{\"archive\":[],\"current\":[]}", &ctx)
                .map(|v| v.len())
                .ok(),
            Some(0)
        );
    }
}
