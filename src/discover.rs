//! Finding a status page's machine-readable feed from its address: `outages sources add URL`.
//!
//! Vendors move between platforms and hand-made URL lists rot, so the platform is detected by
//! asking, politely (one request at a time, stopping at the first answer that parses): the
//! big clouds' known endpoints first, then each hosted platform's documented paths, then the
//! address itself. What a response is comes from its content ([`crate::parse::detect`]), never
//! from the URL alone.

use url::Url;

use crate::fetch::{FetchOutcome, Fetcher, Validators};
use crate::model::Format;
use crate::parse::{self, ParseContext};

/// A feed found for a status page.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub url: String,
    pub kind: Format,
    /// The vendor name the document gives (Statuspage `page.name`, a feed title), if any.
    pub vendor_hint: Option<String>,
    /// How many incidents the document holds now.
    pub incidents: usize,
}

/// Every URL tried, with what it answered, so a failure can be explained.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    pub tried: Vec<(String, String)>,
    pub found: Option<Found>,
}

/// Endpoints of the clouds and platforms that do not sit on a vendor's own status host.
fn known_endpoints(host: &str) -> Vec<&'static str> {
    match host {
        "status.cloud.google.com" => vec!["https://status.cloud.google.com/incidents.json"],
        "status.aws.amazon.com" | "health.aws.amazon.com" => {
            vec!["https://status.aws.amazon.com/rss/all.rss"]
        }
        "status.azure.com" | "azure.status.microsoft" | "rssfeed.azure.status.microsoft" => {
            vec!["https://rssfeed.azure.status.microsoft/en-us/status/feed/"]
        }
        "status.slack.com" | "slack-status.com" => {
            vec!["https://slack-status.com/api/v2.0.0/history"]
        }
        "status.salesforce.com" | "trust.salesforce.com" | "api.status.salesforce.com" => {
            vec!["https://api.status.salesforce.com/v1/incidents"]
        }
        _ => vec![],
    }
}

/// Paths each hosted platform documents, in the order we prefer them: Statuspage's Atom feed
/// (complete update history) before its JSON, incident.io's feed, then Instatus, Better Stack,
/// Cachet and generic feeds.
const PLATFORM_PATHS: [&str; 10] = [
    "/history.atom",
    "/api/v2/incidents.json",
    "/feed.atom",
    "/summary.json",
    "/index.json",
    "/api/v1/incidents",
    "/history.rss",
    "/feed.rss",
    "/feed",
    "/rss",
];

/// The URLs to try for a status page address, most specific first, without duplicates.
pub fn candidates(page: &Url) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |u: String| {
        if !out.contains(&u) {
            out.push(u);
        }
    };
    let host = page.host_str().unwrap_or("");
    for known in known_endpoints(host) {
        push(known.to_string());
    }
    let path = page.path();
    if path != "/" && !path.is_empty() {
        push(page.to_string());
    }
    let mut root = page.clone();
    root.set_query(None);
    root.set_fragment(None);
    for p in PLATFORM_PATHS {
        root.set_path(p);
        push(root.to_string());
    }
    out
}

/// Probes the candidates one at a time and returns the first that parses as a status format.
pub async fn probe(fetcher: &Fetcher, page: &Url, allow_private: bool) -> Probe {
    let mut result = Probe::default();
    for url in candidates(page) {
        let outcome = fetcher
            .get(&url, &Validators::default(), allow_private)
            .await;
        let body = match outcome {
            Ok(FetchOutcome::Fetched(f)) => f.body,
            Ok(FetchOutcome::NotModified { .. }) => {
                result
                    .tried
                    .push((url, "304 without a request validator".into()));
                continue;
            }
            Err(e) => {
                result.tried.push((url, e.to_string()));
                continue;
            }
        };
        let Some(kind) = parse::detect(&body) else {
            result.tried.push((url, "not a status format".into()));
            continue;
        };
        if matches!(kind, Format::Article | Format::Text) {
            result.tried.push((url, "a web page, not a feed".into()));
            continue;
        }
        let ctx = ParseContext {
            url: Some(url.clone()),
            format: Some(kind),
            ..ParseContext::default()
        };
        match parse::parse(&body, &ctx) {
            Ok(parsed) => {
                let vendor_hint = parsed.incidents.first().map(|i| i.vendor.clone());
                result.tried.push((url.clone(), format!("{kind}")));
                result.found = Some(Found {
                    url,
                    kind,
                    vendor_hint,
                    incidents: parsed.incidents.len(),
                });
                return result;
            }
            Err(e) => result.tried.push((url, e.to_string())),
        }
    }
    result
}

/// The `[[source]]` block appended to a sources file.
pub fn source_block(vendor: &str, found: &Found, allow_private: bool) -> String {
    let mut block = format!(
        "\n[[source]]\nvendor = {}\nurl = {}\nkind = \"{}\"\n",
        toml_string(vendor),
        toml_string(&found.url),
        found.kind.as_str()
    );
    if allow_private {
        block.push_str("allow_private = true\n");
    }
    block
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_start_with_known_cloud_endpoints_then_platform_paths() {
        let gcp = Url::parse("https://status.cloud.google.com/").expect("url");
        assert_eq!(
            candidates(&gcp)[0],
            "https://status.cloud.google.com/incidents.json"
        );
        let page = Url::parse("https://www.githubstatus.com/").expect("url");
        let c = candidates(&page);
        assert_eq!(c[0], "https://www.githubstatus.com/history.atom");
        assert_eq!(c[1], "https://www.githubstatus.com/api/v2/incidents.json");
        assert_eq!(c.len(), PLATFORM_PATHS.len());
        let feed = Url::parse("https://status.example.com/custom/feed.xml?x=1").expect("url");
        assert_eq!(
            candidates(&feed)[0],
            "https://status.example.com/custom/feed.xml?x=1"
        );
    }

    #[test]
    fn source_block_is_valid_toml_even_with_quotes() {
        let found = Found {
            url: "https://status.example.com/history.atom".into(),
            kind: Format::StatuspageAtom,
            vendor_hint: None,
            incidents: 3,
        };
        let block = source_block("Ex\"ample", &found, false);
        let parsed = crate::sources::parse(&block).expect("valid sources file");
        assert_eq!(parsed[0].vendor.as_deref(), Some("Ex\"ample"));
        assert_eq!(parsed[0].kind, Some(Format::StatuspageAtom));
    }
}
