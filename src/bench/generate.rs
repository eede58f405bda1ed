//! A deterministic generator of realistic outage events and of the status documents that carry
//! them, for benchmarks at sizes no real archive reaches (10 thousand to 1 million events).
//!
//! The shapes follow ../shared/corpus: vendors weighted like a status-page population (a few
//! large vendors, a long tail), each with its own component and region names; titles and update
//! texts are the phrasings Statuspage vendors use ("We are investigating reports of degraded
//! performance for Pull Requests.", "This incident has been resolved."); durations have a long
//! tail (log-normal, most under an hour, a few lasting days). The same seed always yields the
//! same events, so ours and every peer index, store and search the same data.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;

use crate::extract::text::truncate_chars;
use crate::model::{
    Incident, ReportKind, Severity, SourceRef, Status, Update, incident_id, rfc3339,
};

/// Longest quote kept in a generated source, as the parsers keep.
const QUOTE_CHARS: usize = 300;

/// SplitMix64: tiny, fast and reproducible on every platform, which is all a benchmark needs.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n`; 0 when `n` is 0.
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    /// One element, or `None` from an empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    /// Standard normal, by Box-Muller.
    fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(f64::MIN_POSITIVE);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

/// A vendor as the generator draws it: its status host, how often it appears, its components
/// and regions as its status page names them.
#[derive(Debug, Clone, Copy)]
pub struct VendorProfile {
    pub name: &'static str,
    pub host: &'static str,
    /// Relative frequency among generated events.
    pub weight: u32,
    pub services: &'static [&'static str],
    pub regions: &'static [&'static str],
}

/// The vendor population: large vendors post most incidents, as in the corpus.
pub const VENDORS: &[VendorProfile] = &[
    VendorProfile {
        name: "GitHub",
        host: "www.githubstatus.com",
        weight: 20,
        services: &[
            "Git Operations",
            "API Requests",
            "Webhooks",
            "Issues",
            "Pull Requests",
            "Actions",
            "Packages",
            "Pages",
            "Codespaces",
            "Copilot",
        ],
        regions: &[],
    },
    VendorProfile {
        name: "Cloudflare",
        host: "www.cloudflarestatus.com",
        weight: 16,
        services: &[
            "CDN/Cache",
            "DNS",
            "Workers",
            "Access",
            "WARP",
            "Dashboard",
            "API",
        ],
        regions: &["Frankfurt", "Ashburn", "Singapore", "São Paulo", "Sydney"],
    },
    VendorProfile {
        name: "Amazon Web Services",
        host: "health.aws.amazon.com",
        weight: 14,
        services: &[
            "Amazon EC2",
            "Amazon S3",
            "AWS Lambda",
            "Amazon RDS",
            "Amazon CloudFront",
        ],
        regions: &[
            "us-east-1",
            "us-west-2",
            "eu-west-1",
            "ap-southeast-1",
            "eu-central-1",
        ],
    },
    VendorProfile {
        name: "Google Cloud",
        host: "status.cloud.google.com",
        weight: 12,
        services: &[
            "Google Compute Engine",
            "Google Kubernetes Engine",
            "Cloud Storage",
            "BigQuery",
            "Cloud Run",
        ],
        regions: &["us-central1", "europe-west1", "asia-east1", "us-east4"],
    },
    VendorProfile {
        name: "Microsoft Azure",
        host: "azure.status.microsoft",
        weight: 10,
        services: &[
            "Virtual Machines",
            "Azure Storage",
            "Azure Active Directory",
            "Azure SQL Database",
        ],
        regions: &["East US", "West Europe", "Southeast Asia", "UK South"],
    },
    VendorProfile {
        name: "Slack",
        host: "slack-status.com",
        weight: 8,
        services: &[
            "Messaging",
            "Login/SSO",
            "Notifications",
            "Calls",
            "Files",
            "Connectivity",
        ],
        regions: &[],
    },
    VendorProfile {
        name: "Atlassian",
        host: "jira-software.status.atlassian.com",
        weight: 6,
        services: &[
            "Jira",
            "Confluence",
            "Bitbucket",
            "Authentication and User Management",
        ],
        regions: &[],
    },
    VendorProfile {
        name: "Salesforce",
        host: "status.salesforce.com",
        weight: 5,
        services: &["Sales Cloud", "Service Cloud", "Marketing Cloud", "Heroku"],
        regions: &["NA", "EU", "AP"],
    },
    VendorProfile {
        name: "Datadog",
        host: "status.datadoghq.com",
        weight: 4,
        services: &["Log Management", "APM", "Metrics", "Synthetics", "Monitors"],
        regions: &["US1", "US3", "EU1"],
    },
    VendorProfile {
        name: "Zoom",
        host: "status.zoom.us",
        weight: 3,
        services: &["Zoom Meetings", "Zoom Phone", "Zoom Webinars", "Zoom Chat"],
        regions: &[],
    },
    VendorProfile {
        name: "Discord",
        host: "discordstatus.com",
        weight: 2,
        services: &["Voice", "API", "Media Proxy", "Push Notifications"],
        regions: &["US East", "Europe", "Brazil"],
    },
];

/// Causes as vendors word them in resolution notes and post-mortems.
const CAUSES: &[&str] = &[
    "a misconfigured load balancer",
    "a failed database failover",
    "an expired TLS certificate",
    "a faulty deployment",
    "network congestion at an upstream provider",
    "exhausted database connection pools",
    "a DNS configuration change",
    "a bug in a recent release",
    "a power failure in one data center",
    "a storage cluster running out of capacity",
];

/// Severities with their per-mille frequency and the vendor's own word.
const SEVERITIES: &[(Severity, u32, &str)] = &[
    (Severity::Minor, 500, "minor"),
    (Severity::Major, 300, "major"),
    (Severity::Critical, 80, "critical"),
    (Severity::None, 40, "none"),
    (Severity::Maintenance, 80, "maintenance"),
];

/// First generated start; events spread evenly from here over [`SPAN_DAYS`].
const EPOCH_SECS: i64 = 1_325_376_000; // 2012-01-01T00:00:00Z
const SPAN_DAYS: i64 = 14 * 365;

/// The generator: a seeded stream of incidents.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: Rng,
    total_weight: u32,
    serial: u64,
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator {
            rng: Rng::new(seed),
            total_weight: VENDORS.iter().map(|v| v.weight).sum(),
            serial: 0,
        }
    }

    /// `n` incidents, each with a unique id.
    pub fn incidents(&mut self, n: usize) -> Vec<Incident> {
        (0..n).map(|_| self.incident()).collect()
    }

    fn vendor(&mut self) -> &'static VendorProfile {
        let mut roll = (self.rng.next_u64() % u64::from(self.total_weight.max(1))) as u32;
        for v in VENDORS {
            if roll < v.weight {
                return v;
            }
            roll -= v.weight;
        }
        &VENDORS[0]
    }

    fn severity(&mut self) -> (Severity, &'static str) {
        let mut roll = self.rng.below(1000) as u32;
        for (severity, per_mille, word) in SEVERITIES {
            if roll < *per_mille {
                return (*severity, word);
            }
            roll -= per_mille;
        }
        (Severity::Minor, "minor")
    }

    /// Minutes from onset to resolution: log-normal around 40 minutes, capped at two weeks.
    fn duration_minutes(&mut self) -> i64 {
        let minutes = (3.7 + 1.2 * self.rng.normal()).exp();
        (minutes.round() as i64).clamp(2, 14 * 24 * 60)
    }

    /// A Statuspage-like 12-character incident code, unique per generator.
    fn code(&mut self) -> String {
        const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        self.serial += 1;
        let mut n = self.serial.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ self.rng.next_u64() << 40;
        let mut s = String::with_capacity(12);
        for _ in 0..12 {
            let digit = (n % 36) as usize;
            s.push(char::from(*ALPHABET.get(digit).unwrap_or(&b'0')));
            n /= 36;
        }
        // The serial, in the last characters, keeps codes unique whatever the random bits.
        format!("{}{:x}", &s[..6], self.serial)
    }

    /// One incident.
    pub fn incident(&mut self) -> Incident {
        let vendor = self.vendor();
        let (severity, native) = self.severity();
        let service = *self.rng.pick(vendor.services).unwrap_or(&"API");
        let region = self.rng.pick(vendor.regions).copied();
        let cause = *self.rng.pick(CAUSES).unwrap_or(&CAUSES[0]);
        let start = Utc
            .timestamp_opt(
                EPOCH_SECS + (self.rng.unit() * (SPAN_DAYS * 86_400) as f64) as i64,
                0,
            )
            .single()
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let minutes = self.duration_minutes();
        let end = start + Duration::minutes(minutes);
        let code = self.code();
        let maintenance = severity == Severity::Maintenance;
        // Two percent of outages are still open when the feed is read.
        let ongoing = !maintenance && self.rng.below(50) == 0;
        let title = self.title(vendor, service, region, maintenance);
        let updates = self.updates(service, region, cause, start, end, maintenance, ongoing);
        let status = if maintenance {
            Status::Completed
        } else if ongoing {
            updates
                .last()
                .and_then(|u| Status::from_label(&u.status))
                .unwrap_or(Status::Investigating)
        } else {
            Status::Resolved
        };
        let quote = updates
            .first()
            .map(|u| truncate_chars(&format!("{title}: {}", u.text), QUOTE_CHARS));
        let mut services = vec![service.to_string()];
        if self.rng.below(4) == 0
            && let Some(second) = self.rng.pick(vendor.services)
            && *second != service
        {
            services.push(second.to_string());
        }
        Incident {
            id: incident_id(vendor.name, &code),
            vendor: vendor.name.to_string(),
            title,
            start: Some(start),
            end: (!ongoing).then_some(end),
            status,
            severity,
            severity_native: Some(native.to_string()),
            stated_minutes: None,
            regions: region.map(str::to_string).into_iter().collect(),
            services,
            cause: (!maintenance && !ongoing && self.rng.below(3) > 0)
                .then(|| format!("The incident was caused by {cause}.")),
            updates,
            sources: vec![SourceRef {
                url: Some(format!("https://{}/incidents/{code}", vendor.host)),
                kind: ReportKind::Status,
                quote,
            }],
        }
    }

    fn title(
        &mut self,
        vendor: &VendorProfile,
        service: &str,
        region: Option<&str>,
        maintenance: bool,
    ) -> String {
        if maintenance {
            return match self.rng.below(3) {
                0 => format!("Scheduled maintenance for {service}"),
                1 => format!("{service} database upgrade"),
                _ => format!("Planned network maintenance affecting {service}"),
            };
        }
        let where_ = region.map(|r| format!(" in {r}")).unwrap_or_default();
        match self.rng.below(9) {
            0 => format!("Incident with {service}"),
            1 => format!("Degraded performance for {service}"),
            2 => format!("Elevated error rates for {service}{where_}"),
            3 => format!("{service} unavailable{where_}"),
            4 => format!("Increased latency on {service}{where_}"),
            5 => format!("Disruption with some {} services", vendor.name),
            6 => format!("Delayed {service} processing"),
            7 => format!("Partial outage of {service}{where_}"),
            _ => format!("Some users are unable to access {service}"),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn updates(
        &mut self,
        service: &str,
        region: Option<&str>,
        cause: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        maintenance: bool,
        ongoing: bool,
    ) -> Vec<Update> {
        let at = |fraction: f64| {
            start + Duration::seconds(((end - start).num_seconds() as f64 * fraction) as i64)
        };
        let update = |at: DateTime<Utc>, status: &str, text: String| Update {
            at: Some(at),
            status: status.to_string(),
            text,
        };
        if maintenance {
            return vec![
                update(
                    start - Duration::days(3),
                    "scheduled",
                    format!(
                        "We will be performing scheduled maintenance on {service}. During this window {service} may be briefly unavailable."
                    ),
                ),
                update(start, "in progress", "Scheduled maintenance is currently in progress. We will provide updates as necessary.".to_string()),
                update(end, "completed", "The scheduled maintenance has been completed.".to_string()),
            ];
        }
        let where_ = region
            .map(|r| format!(" in the {r} region"))
            .unwrap_or_default();
        let first = match self.rng.below(4) {
            0 => format!("We are investigating reports of degraded performance for {service}."),
            1 => format!(
                "{service} is experiencing degraded performance. We are still investigating and will provide an update when we have one."
            ),
            2 => format!(
                "We are investigating reports of issues with {service}{where_}. Users in that location may not be able to connect."
            ),
            _ => format!(
                "We're currently investigating increased error rates on {service}. Some requests may fail or time out."
            ),
        };
        let mut updates = vec![update(start, "investigating", first)];
        if self.rng.below(3) > 0 {
            updates.push(update(
                at(0.3),
                "identified",
                format!(
                    "We have identified the source of elevated errors as {cause} and are working on recovery."
                ),
            ));
        }
        if ongoing {
            return updates;
        }
        if self.rng.below(2) == 0 {
            updates.push(update(
                at(0.7),
                "monitoring",
                format!("A fix has been implemented and we are monitoring the results. {service} is recovering."),
            ));
        }
        let last = match self.rng.below(3) {
            0 => "This incident has been resolved.".to_string(),
            1 => format!("{service} is operating normally."),
            _ => format!(
                "Between {} and {} UTC, some customers experienced failures with {service}{where_}. The issue was caused by {cause}; we have taken steps to prevent a recurrence.",
                start.format("%H:%M"),
                end.format("%H:%M")
            ),
        };
        updates.push(update(end, "resolved", last));
        updates
    }
}

/// Statuspage API v2 `incidents.json` for one vendor's incidents, as a status page serves it.
pub fn statuspage_json(vendor: &VendorProfile, incidents: &[Incident]) -> String {
    let items: Vec<serde_json::Value> = incidents
        .iter()
        .map(|i| {
            let code = native_code(i);
            let impact = match i.severity {
                Severity::Maintenance => "maintenance",
                Severity::None => "none",
                Severity::Minor | Severity::Unknown => "minor",
                Severity::Major => "major",
                Severity::Critical => "critical",
            };
            let updates: Vec<serde_json::Value> = i
                .updates
                .iter()
                .rev()
                .enumerate()
                .map(|(n, u)| {
                    let at = u.at.map(rfc3339);
                    json!({
                        "id": format!("{code}u{n}"),
                        "status": u.status.replace(' ', "_"),
                        "body": u.text,
                        "incident_id": code,
                        "created_at": at,
                        "updated_at": at,
                        "display_at": at,
                        "affected_components": null,
                    })
                })
                .collect();
            let components: Vec<serde_json::Value> = i
                .services
                .iter()
                .map(|s| json!({"name": s, "status": "operational"}))
                .collect();
            json!({
                "id": code,
                "name": i.title,
                "status": i.status.as_str(),
                "impact": impact,
                "created_at": i.start.map(rfc3339),
                "updated_at": i.end.or(i.start).map(rfc3339),
                "started_at": i.start.map(rfc3339),
                "resolved_at": i.end.map(rfc3339),
                "shortlink": format!("https://stspg.io/{code}"),
                "components": components,
                "incident_updates": updates,
            })
        })
        .collect();
    json!({
        "page": {
            "id": format!("bench{}", crate::model::slug(vendor.name)),
            "name": vendor.name,
            "url": format!("https://{}", vendor.host),
            "time_zone": "Etc/UTC",
        },
        "incidents": items,
    })
    .to_string()
}

/// Statuspage `history.atom` for one vendor's incidents: one entry per incident, its updates
/// newest first in the HTML content, as Statuspage writes them.
pub fn statuspage_atom(vendor: &VendorProfile, incidents: &[Incident]) -> String {
    let esc = |s: &str| html_escape::encode_text(s).into_owned();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xml:lang=\"en-US\" xmlns=\"http://www.w3.org/2005/Atom\">\n  <id>tag:{host},2005:/history</id>\n  <link rel=\"alternate\" type=\"text/html\" href=\"https://{host}\"/>\n  <title>{name} Status - Incident History</title>\n",
        host = vendor.host,
        name = esc(vendor.name)
    );
    for (n, i) in incidents.iter().enumerate() {
        let code = native_code(i);
        let updated = i.end.or(i.start).map(rfc3339).unwrap_or_default();
        let mut content = String::new();
        for u in i.updates.iter().rev() {
            let Some(at) = u.at else { continue };
            let label = capitalise(&u.status);
            content.push_str(&format!(
                "<p><small>{} <var data-var='date'>{}</var>, <var data-var='time'>{}</var> UTC</small><br><strong>{label}</strong> - {}</p>",
                at.format("%b"),
                at.format("%-d"),
                at.format("%H:%M"),
                esc(&u.text)
            ));
        }
        out.push_str(&format!(
            "  <entry>\n    <id>tag:{host},2005:Incident/{num}</id>\n    <published>{updated}</published>\n    <updated>{updated}</updated>\n    <link rel=\"alternate\" type=\"text/html\" href=\"https://{host}/incidents/{code}\"/>\n    <title>{title}</title>\n    <content type=\"html\">{content}</content>\n  </entry>\n",
            host = vendor.host,
            num = 1_000_000 + n,
            title = esc(&i.title),
            content = esc(&content)
        ));
    }
    out.push_str("</feed>\n");
    out
}

/// The vendor's own code: the part of our id after `vendor:`.
fn native_code(i: &Incident) -> &str {
    i.id.split_once(':').map_or(i.id.as_str(), |(_, code)| code)
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The profile of a generated vendor by canonical name.
pub fn profile(name: &str) -> Option<&'static VendorProfile> {
    VENDORS.iter().find(|v| v.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{ParseContext, parse};

    #[test]
    fn same_seed_same_events_and_unique_ids() {
        let a = Generator::new(7).incidents(2000);
        let b = Generator::new(7).incidents(2000);
        assert_eq!(a, b);
        let ids: std::collections::HashSet<&str> = a.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids.len(), 2000);
        assert_ne!(a, Generator::new(8).incidents(2000));
    }

    #[test]
    fn distributions_have_weighted_vendors_and_a_long_tail() {
        let events = Generator::new(1).incidents(20_000);
        let github = events.iter().filter(|e| e.vendor == "GitHub").count();
        let discord = events.iter().filter(|e| e.vendor == "Discord").count();
        // Weights 20 and 2 of 100: about 4000 and 400.
        assert!((3600..4400).contains(&github), "GitHub {github}");
        assert!((300..500).contains(&discord), "Discord {discord}");
        let mut minutes: Vec<i64> = events.iter().filter_map(|e| e.duration_minutes()).collect();
        minutes.sort_unstable();
        let median = minutes[minutes.len() / 2];
        let p99 = minutes[minutes.len() * 99 / 100];
        assert!((30..=50).contains(&median), "median {median}");
        assert!(p99 > 10 * median, "p99 {p99} vs median {median}");
        let maintenance = events
            .iter()
            .filter(|e| e.severity == Severity::Maintenance)
            .count();
        assert!(
            (1400..1800).contains(&maintenance),
            "maintenance {maintenance}"
        );
        assert!(
            events
                .iter()
                .all(|e| e.start.is_some() && !e.updates.is_empty())
        );
    }

    #[test]
    fn generated_statuspage_json_and_atom_parse_back_to_the_same_incidents() {
        let vendor = profile("GitHub").expect("GitHub profile");
        let mut generator = Generator::new(3);
        let events: Vec<Incident> = std::iter::repeat_with(|| generator.incident())
            .filter(|i| i.vendor == "GitHub")
            .take(20)
            .collect();
        let ctx = ParseContext {
            vendor: Some("GitHub".into()),
            ..ParseContext::default()
        };
        let from_json = parse(statuspage_json(vendor, &events).as_bytes(), &ctx)
            .expect("generated JSON parses");
        assert_eq!(from_json.format, crate::model::Format::StatuspageJson);
        assert_eq!(from_json.incidents.len(), 20);
        let from_atom = parse(statuspage_atom(vendor, &events).as_bytes(), &ctx)
            .expect("generated Atom parses");
        assert_eq!(from_atom.format, crate::model::Format::StatuspageAtom);
        assert_eq!(from_atom.incidents.len(), 20);
        for ((e, j), a) in events
            .iter()
            .zip(&from_json.incidents)
            .zip(&from_atom.incidents)
        {
            assert_eq!(
                (&j.id, &j.title, j.start, j.end),
                (&e.id, &e.title, e.start, e.end)
            );
            assert_eq!(j.updates.len(), e.updates.len());
            assert_eq!((&a.id, &a.title), (&e.id, &e.title));
        }
    }
}
