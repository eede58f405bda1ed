//! The AWS Health dashboard's public `currentevents`
//! (`https://health.aws.amazon.com/public/currentevents`): a JSON array served as UTF-16 with a
//! BOM (UTF-8 is read too). It is a snapshot of open and recently closed events, no history.
//!
//! The shape is known only from third-party readers (no real capture exists in the corpus):
//! `date` (epoch string), `arn` (`arn:aws:health:<region>::event/<service>/<typeCode>/<id>`),
//! `eventTypeCode`, `summary`, `region_name`, `status` (codes read with the legend in the
//! parent module), `event_log[{status, summary, message, timestamp}]`, `impacted_services`
//! (an object keyed by service key whose values carry `service_name`; a list is accepted too),
//! `end_time`, and sometimes `service`/`service_name`. Every field is optional here, and
//! numbers are accepted as strings or numbers.
//!
//! As in the legacy forms, an impact window stated in the log's prose ("Between 1:32 AM and
//! 2:05 AM PDT") is the real onset and end; `date` and `end_time` (when AWS opened and closed
//! the post) stand in where the prose states none.

use serde::Deserialize;
use serde_json::Value;

use super::prose::{
    Post, english_part, find_cause, has_resolved_tag, impact_window, ongoing_status, strip_resolved,
};
use super::region::{ServiceKey, is_region_id, region_by_name};
use super::{DEFAULT_VENDOR, Scalar, StateWord, decode_document, worst_severity};
use crate::extract::text::{html_to_text, one_line, truncate_chars};
use crate::model::{
    Format, Incident, ReportKind, Severity, SourceRef, Status, Update, incident_id,
};
use crate::parse::{ParseContext, ParseError};

/// The dashboard page; `currentevents` has no per-event link.
const DASHBOARD_URL: &str = "https://health.aws.amazon.com/health/status";

/// Parses `currentevents` into one incident per event, in document order.
pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    let text = decode_document(bytes);
    let doc: Value = serde_json::from_str(&text).map_err(|e| ParseError::Json {
        format: Format::AwsHealth,
        message: e.to_string(),
    })?;
    let Value::Array(events) = doc else {
        return Err(ParseError::Json {
            format: Format::AwsHealth,
            message: "expected an array of events".into(),
        });
    };
    let total = events.len();
    let vendor = ctx.vendor.as_deref().unwrap_or(DEFAULT_VENDOR);
    let incidents: Vec<Incident> = events
        .into_iter()
        .filter_map(|v| {
            let event: HealthEvent = serde_json::from_value(v)
                .inspect_err(|e| tracing::warn!("skipping malformed AWS Health event: {e}"))
                .ok()?;
            event.into_incident(vendor, ctx)
        })
        .collect();
    if incidents.is_empty() && total > 0 {
        return Err(ParseError::Invalid {
            format: Format::AwsHealth,
            message: format!(
                "none of the {total} events has an arn or service with a date, and a summary"
            ),
        });
    }
    Ok(incidents)
}

#[derive(Debug, Deserialize)]
struct HealthEvent {
    #[serde(default)]
    date: Option<Scalar>,
    #[serde(default)]
    arn: Option<String>,
    #[serde(default, rename = "eventTypeCode")]
    event_type_code: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    region_name: Option<String>,
    #[serde(default)]
    status: Option<Scalar>,
    #[serde(default)]
    event_log: Option<Vec<Value>>,
    #[serde(default)]
    impacted_services: Option<Value>,
    #[serde(default)]
    end_time: Option<Scalar>,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    service_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LogEntry {
    #[serde(default)]
    status: Option<Scalar>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    timestamp: Option<Scalar>,
}

/// The parts of a Health arn.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Arn {
    region: Option<String>,
    service: Option<String>,
    id: String,
}

impl Arn {
    /// `arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_X`.
    fn parse(arn: &str) -> Option<Arn> {
        let mut parts = arn.trim().splitn(6, ':');
        let (Some("arn"), Some(_partition), Some("health"), Some(region), Some(_account)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let resource = parts.next()?.strip_prefix("event/")?;
        let segments: Vec<&str> = resource.split('/').filter(|s| !s.is_empty()).collect();
        let id = segments.last()?;
        Some(Arn {
            region: is_region_id(region).then(|| region.to_string()),
            service: (segments.len() > 1)
                .then(|| segments.first().map(|s| s.to_string()))
                .flatten(),
            id: id.to_string(),
        })
    }

    /// Stable native id: region and event id, lowercased and URL-safe.
    fn native_id(&self) -> String {
        let raw = format!("{}_{}", self.region.as_deref().unwrap_or("global"), self.id);
        raw.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect()
    }
}

/// Service names from `impacted_services`, whichever shape it has.
fn impacted_names(value: Option<&Value>) -> Vec<String> {
    let name_of = |key: Option<&str>, v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o
                .get("service_name")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| key.map(str::to_string)),
            _ => key.map(str::to_string),
        }
    };
    let names: Vec<String> = match value {
        Some(Value::Object(map)) => map
            .iter()
            .filter_map(|(k, v)| name_of(Some(k), v))
            .collect(),
        Some(Value::Array(list)) => list.iter().filter_map(|v| name_of(None, v)).collect(),
        _ => Vec::new(),
    };
    // Object key order is not part of JSON; sorting keeps the output stable.
    let mut names: Vec<String> = names
        .into_iter()
        .map(|n| one_line(&n))
        .filter(|n| !n.is_empty())
        .collect();
    names.sort();
    names
}

impl HealthEvent {
    fn into_incident(self, vendor: &str, ctx: &ParseContext) -> Option<Incident> {
        let arn = self.arn.as_deref().and_then(Arn::parse);
        let key = self
            .service
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(ServiceKey::parse);
        let date = self.date.as_ref().and_then(Scalar::as_epoch);
        let native = match (&arn, &key, date) {
            (Some(arn), _, _) => arn.native_id(),
            (None, Some(key), Some(date)) => {
                let region = key
                    .region
                    .as_deref()
                    .map_or(String::new(), |r| format!("-{r}"));
                format!("{}{region}_{}", key.service, date.timestamp())
            }
            _ => return None,
        };

        let mut log: Vec<LogEntry> = self
            .event_log
            .unwrap_or_default()
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect();
        log.sort_by_key(|e| e.timestamp.as_ref().and_then(Scalar::as_epoch));
        let texts: Vec<String> = log
            .iter()
            .map(|e| {
                let message = e.message.as_deref().or(e.summary.as_deref()).unwrap_or("");
                english_part(&html_to_text(message))
            })
            .collect();
        let words: Vec<Option<StateWord>> = log
            .iter()
            .map(|e| {
                e.status
                    .as_ref()
                    .and_then(Scalar::as_i64)
                    .and_then(StateWord::from_code)
            })
            .collect();

        let summary = one_line(self.summary.as_deref().unwrap_or(""));
        let title = strip_resolved(&english_part(&summary));
        let title = if title.is_empty() {
            self.event_type_code
                .as_deref()
                .map(one_line)
                .unwrap_or_default()
        } else {
            title
        };
        if title.is_empty() {
            return None;
        }

        let code = self.status.as_ref().and_then(Scalar::as_i64);
        let end_time = self.end_time.as_ref().and_then(Scalar::as_epoch);
        let resolved = end_time.is_some()
            || code == Some(0)
            || has_resolved_tag(&summary)
            || words.last() == Some(&Some(StateWord::OperatingNormally));

        let (severity, severity_native) = match code.and_then(StateWord::from_code) {
            Some(w) if w != StateWord::OperatingNormally => (
                w.severity().unwrap_or(Severity::Unknown),
                Some(w.legend().to_string()),
            ),
            // Closed events report 0; the log still says how bad it was.
            _ => worst_severity(words.iter().flatten().map(|w| (*w, w.legend()))),
        };

        let posts: Vec<Post<'_>> = log
            .iter()
            .zip(&texts)
            .filter_map(|(e, text)| {
                Some(Post {
                    at: e.timestamp.as_ref().and_then(Scalar::as_epoch)?,
                    zone: None,
                    text,
                })
            })
            .collect();
        let window = impact_window(&posts, resolved);
        let last_at = posts.last().map(|p| p.at);

        let mut services: Vec<String> = Vec::new();
        let primary = self
            .service_name
            .as_deref()
            .map(one_line)
            .filter(|s| !s.is_empty())
            .or_else(|| arn.as_ref().and_then(|a| a.service.clone()))
            .or_else(|| key.as_ref().map(|k| k.service.clone()));
        for name in primary
            .into_iter()
            .chain(impacted_names(self.impacted_services.as_ref()))
        {
            if !services.contains(&name) {
                services.push(name);
            }
        }
        let region = arn
            .as_ref()
            .and_then(|a| a.region.clone())
            .or_else(|| key.as_ref().and_then(|k| k.region.clone()))
            .or_else(|| self.region_name.as_deref().and_then(region_by_name));

        let text_refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let last_text = texts.last().map_or("", String::as_str);
        let updates = log
            .iter()
            .zip(&texts)
            .zip(&words)
            .map(|((e, text), word)| Update {
                at: e.timestamp.as_ref().and_then(Scalar::as_epoch),
                status: word.map_or_else(|| "update".to_string(), |w| w.legend().to_lowercase()),
                text: text.clone(),
            })
            .collect();
        let quote = truncate_chars(&one_line(&format!("{summary} {last_text}")), 300);
        Some(Incident {
            id: incident_id(vendor, &native),
            vendor: vendor.to_string(),
            title,
            start: window.start.or(date).or(posts.first().map(|p| p.at)),
            end: if resolved {
                window.end.or(end_time).or(last_at)
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
            services,
            cause: find_cause(&text_refs),
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

    #[test]
    fn arn_gives_region_service_and_id() {
        let arn = Arn::parse(
            "arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_7F3A1",
        );
        assert_eq!(
            arn,
            Some(Arn {
                region: Some("us-east-1".into()),
                service: Some("EC2".into()),
                id: "AWS_EC2_OPERATIONAL_ISSUE_7F3A1".into(),
            })
        );
        assert_eq!(
            arn.map(|a| a.native_id()).as_deref(),
            Some("us-east-1_aws_ec2_operational_issue_7f3a1")
        );
        let global = Arn::parse("arn:aws:health:global::event/IAM/AWS_IAM_OPERATIONAL_ISSUE/X1");
        assert_eq!(global.as_ref().and_then(|a| a.region.clone()), None);
        assert_eq!(Arn::parse("arn:aws:s3:::bucket"), None);
        assert_eq!(Arn::parse("not an arn"), None);
    }

    #[test]
    fn impacted_services_as_object_or_list() {
        let object: Value = serde_json::from_str(
            r#"{"ec2-us-east-1":{"service_name":"Amazon Elastic Compute Cloud","current":"2"},"lambda-us-east-1":{}}"#,
        )
        .expect("json");
        assert_eq!(
            impacted_names(Some(&object)),
            vec!["Amazon Elastic Compute Cloud", "lambda-us-east-1"]
        );
        let list: Value =
            serde_json::from_str(r#"["AWS Lambda", {"service_name":"Amazon SQS"}]"#).expect("json");
        assert_eq!(
            impacted_names(Some(&list)),
            vec!["AWS Lambda", "Amazon SQS"]
        );
    }

    #[test]
    fn not_an_array_is_a_json_error_and_empty_is_no_events() {
        let ctx = ParseContext::default();
        assert!(matches!(
            parse(b"{\"events\":[]}", &ctx),
            Err(ParseError::Json { .. })
        ));
        assert_eq!(parse(b"[]", &ctx).map(|v| v.len()).ok(), Some(0));
        assert!(matches!(
            parse(b"[{\"summary\":\"x\"}]", &ctx),
            Err(ParseError::Invalid { .. })
        ));
    }
}
