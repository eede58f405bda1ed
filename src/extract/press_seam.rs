//! SEAM: stand-ins for shared modules other helpers are writing (the vendor gazetteer
//! `extract::vendor`, the region vocabulary `extract::region`, and `extract::cause`). The press
//! extractor calls only the four functions below; when the shared modules land, the lead
//! replaces each body with a call to its module (`Gazetteer::builtin().find_in_text`,
//! `Gazetteer::canonical`, `region::find_in_text`, `cause::cause_sentence`) and deletes the
//! tables here.

use std::sync::LazyLock;

use regex::Regex;

use super::services::word_matches;

/// A vendor named in a text: canonical name and byte offset of the mention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorHit {
    pub vendor: &'static str,
    pub start: usize,
}

/// A region named in a text: canonical spelling and byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionHit {
    pub region: String,
    pub start: usize,
}

/// (canonical, names as written). Names are matched case-sensitively on word boundaries: they
/// are proper nouns, and "slack" or "zoom" in lower case are ordinary words.
const VENDORS: &[(&str, &[&str])] = &[
    (
        "AWS",
        &[
            "AWS",
            "Amazon Web Services",
            "Amazon's cloud",
            "Amazon cloud",
            "Amazon S3",
            "Amazon EC2",
            "EC2",
            "S3",
            "DynamoDB",
        ],
    ),
    (
        "Azure",
        &[
            "Azure",
            "Microsoft Azure",
            "Microsoft's Azure",
            "Microsoft's cloud",
        ],
    ),
    (
        "Microsoft",
        &[
            "Microsoft",
            "Office 365",
            "Microsoft 365",
            "Outlook",
            "Teams",
            "Microsoft Teams",
            "Xbox Live",
            "Hotmail",
            "Bing",
            "OneDrive",
            "SharePoint",
            "Exchange Online",
            "MSN",
        ],
    ),
    (
        "Google Cloud",
        &[
            "Google Cloud",
            "GCP",
            "Google Cloud Platform",
            "Google Compute Engine",
            "Compute Engine",
            "Google App Engine",
        ],
    ),
    (
        "Google",
        &[
            "Google",
            "Gmail",
            "YouTube",
            "Google Docs",
            "Google Drive",
            "Google Search",
            "Google Maps",
            "Google Home",
            "Chromecast",
            "G Suite",
            "Google Workspace",
        ],
    ),
    ("Salesforce", &["Salesforce", "Salesforce.com", "Heroku"]),
    ("Slack", &["Slack"]),
    ("Zoom", &["Zoom"]),
    ("GitHub", &["GitHub", "Github"]),
    ("GitLab", &["GitLab", "Gitlab", "GitLab.com"]),
    ("Cloudflare", &["Cloudflare", "CloudFlare", "1.1.1.1"]),
    ("Fastly", &["Fastly"]),
    ("Akamai", &["Akamai"]),
    ("Facebook", &["Facebook", "Meta", "Messenger"]),
    ("Instagram", &["Instagram"]),
    ("WhatsApp", &["WhatsApp", "Whatsapp"]),
    ("Twitter", &["Twitter", "X (formerly Twitter)"]),
    (
        "Apple",
        &["Apple", "iCloud", "iMessage", "App Store", "Apple Music"],
    ),
    ("Dropbox", &["Dropbox"]),
    (
        "Atlassian",
        &["Atlassian", "Jira", "Confluence", "Trello", "Bitbucket"],
    ),
    ("DigitalOcean", &["DigitalOcean", "Digital Ocean"]),
    ("Oracle", &["Oracle", "Oracle Cloud", "OCI", "NetSuite"]),
    ("IBM Cloud", &["IBM Cloud", "IBM"]),
    ("OVHcloud", &["OVHcloud", "OVH"]),
    ("Datadog", &["Datadog", "DataDog"]),
    ("PagerDuty", &["PagerDuty"]),
    ("Stripe", &["Stripe"]),
    ("PayPal", &["PayPal"]),
    ("Shopify", &["Shopify"]),
    ("Netflix", &["Netflix"]),
    ("Discord", &["Discord"]),
    ("Reddit", &["Reddit"]),
    ("Twilio", &["Twilio", "SendGrid"]),
    ("Okta", &["Okta"]),
    ("Zendesk", &["Zendesk"]),
    ("Verizon", &["Verizon"]),
    ("AT&T", &["AT&T"]),
    ("Lumen", &["Lumen", "CenturyLink", "Level 3", "Level3"]),
    ("Dyn", &["Dyn"]),
    ("UltraDNS", &["UltraDNS", "Neustar"]),
    ("CrowdStrike", &["CrowdStrike", "Crowdstrike"]),
    ("Rackspace", &["Rackspace"]),
    ("Red Hat", &["quay.io", "Quay.io", "Red Hat"]),
    ("DENIC", &["DENIC"]),
    ("SpaceX", &["SpaceX", "Starlink"]),
    ("OpenAI", &["OpenAI", "ChatGPT"]),
    ("Vercel", &["Vercel"]),
    ("Fly.io", &["Fly.io"]),
    ("Heroku", &["Heroku"]),
    ("Cisco", &["Cisco", "Webex"]),
    ("Visa", &["Visa"]),
    ("Vodafone", &["Vodafone"]),
    ("BT", &["BT"]),
    ("Telstra", &["Telstra"]),
    ("Rogers", &["Rogers Communications"]),
    ("British Airways", &["British Airways"]),
    ("Allegro", &["Allegro"]),
    ("Etsy", &["Etsy"]),
    ("Spotify", &["Spotify"]),
    ("Snapchat", &["Snapchat"]),
    ("npm", &["npm", "NPM"]),
    ("Travis CI", &["Travis CI"]),
    ("CircleCI", &["CircleCI"]),
    ("Joyent", &["Joyent"]),
    ("Linode", &["Linode"]),
    ("Hetzner", &["Hetzner"]),
    ("Mailchimp", &["Mailchimp", "MailChimp"]),
    ("Epic Games", &["Epic Games", "Fortnite"]),
    ("Roblox", &["Roblox"]),
    ("PlayStation Network", &["PlayStation Network", "PSN"]),
];

/// Products that carry their own vendor even when a broader name maps elsewhere ("Heroku" is
/// Salesforce's, but news names Heroku as the vendor); checked before [`VENDORS`].
const PREFERRED: &[&str] = &["Heroku"];

static VENDOR_RES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    let mut out = Vec::new();
    for (canonical, names) in VENDORS {
        let mut names: Vec<&str> = names.to_vec();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let alts: Vec<String> = names.iter().map(|n| regex::escape(n)).collect();
        if let Ok(re) = Regex::new(&format!("(?:{})", alts.join("|"))) {
            out.push((*canonical, re));
        }
    }
    out
});

/// SEAM (vendor gazetteer `find_in_text`): every vendor mention, in text order.
pub fn find_vendors(text: &str) -> Vec<VendorHit> {
    let mut found: Vec<(std::ops::Range<usize>, &'static str)> = Vec::new();
    for (vendor, re) in VENDOR_RES.iter() {
        for m in word_matches(re, text, &['.', '&'], &['&']) {
            found.push((m, vendor));
        }
    }
    longest_first(found, |v| PREFERRED.contains(&v))
        .into_iter()
        .map(|(r, vendor)| VendorHit {
            vendor,
            start: r.start,
        })
        .collect()
}

/// Keeps the longest of overlapping matches (preferred names first), in text order.
fn longest_first(
    mut found: Vec<(std::ops::Range<usize>, &'static str)>,
    preferred: impl Fn(&str) -> bool,
) -> Vec<(std::ops::Range<usize>, &'static str)> {
    found.sort_by_key(|(r, name)| {
        (
            !preferred(name),
            std::cmp::Reverse(r.end - r.start),
            r.start,
        )
    });
    let mut kept: Vec<(std::ops::Range<usize>, &'static str)> = Vec::new();
    for (r, name) in found {
        if kept.iter().any(|(k, _)| k.start < r.end && r.start < k.end) {
            continue;
        }
        kept.push((r, name));
    }
    kept.sort_by_key(|(r, _)| r.start);
    kept
}

/// SEAM (gazetteer `canonical`): the canonical vendor for a name or alias, any case.
pub fn canonical_vendor(name: &str) -> Option<&'static str> {
    let n = name.trim();
    VENDORS.iter().find_map(|(canonical, names)| {
        (canonical.eq_ignore_ascii_case(n) || names.iter().any(|a| a.eq_ignore_ascii_case(n)))
            .then_some(*canonical)
    })
}

/// (canonical, names as written, case-sensitive).
const REGIONS: &[(&str, &[&str])] = &[
    ("Europe", &["Europe", "European", "EU", "EMEA"]),
    (
        "Asia Pacific",
        &["Asia Pacific", "Asia-Pacific", "APAC", "Asia"],
    ),
    ("North America", &["North America", "North American"]),
    (
        "South America",
        &["South America", "Latin America", "LATAM"],
    ),
    ("Africa", &["Africa"]),
    ("Middle East", &["Middle East"]),
    ("Oceania", &["Oceania"]),
    (
        "United States",
        &["United States", "U.S.", "US", "USA", "America", "American"],
    ),
    ("US East Coast", &["US East Coast", "East Coast", "US East"]),
    ("US West Coast", &["US West Coast", "West Coast", "US West"]),
    (
        "United Kingdom",
        &["United Kingdom", "UK", "U.K.", "Britain", "British"],
    ),
    ("Germany", &["Germany", "German"]),
    ("France", &["France", "French"]),
    ("Ireland", &["Ireland", "Irish", "Dublin"]),
    ("Netherlands", &["Netherlands", "Dutch", "Amsterdam"]),
    ("Spain", &["Spain"]),
    ("Italy", &["Italy"]),
    ("Sweden", &["Sweden"]),
    ("Poland", &["Poland"]),
    ("Japan", &["Japan", "Japanese", "Tokyo"]),
    ("India", &["India", "Mumbai"]),
    ("China", &["China", "Chinese"]),
    ("Singapore", &["Singapore"]),
    ("South Korea", &["South Korea", "Korea", "Seoul"]),
    ("Hong Kong", &["Hong Kong"]),
    (
        "Australia",
        &["Australia", "Australian", "Aussie", "Sydney", "Melbourne"],
    ),
    ("New Zealand", &["New Zealand"]),
    ("Canada", &["Canada", "Canadian"]),
    ("Mexico", &["Mexico"]),
    ("Brazil", &["Brazil", "São Paulo", "Sao Paulo"]),
    ("South Africa", &["South Africa"]),
    ("London", &["London"]),
    ("Frankfurt", &["Frankfurt"]),
    ("Paris", &["Paris"]),
    ("Northern Virginia", &["Northern Virginia", "Virginia"]),
    ("Ohio", &["Ohio"]),
    ("Oregon", &["Oregon"]),
    ("California", &["California"]),
    ("Strasbourg", &["Strasbourg"]),
];

static REGION_RES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    let mut out = Vec::new();
    for (canonical, names) in REGIONS {
        let mut names: Vec<&str> = names.to_vec();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let alts: Vec<String> = names.iter().map(|n| regex::escape(n)).collect();
        if let Ok(re) = Regex::new(&format!("(?:{})", alts.join("|"))) {
            out.push((*canonical, re));
        }
    }
    out
});

/// Cloud region ids: AWS `us-east-1`, GCP `europe-west9`, Azure `East US 2`-style names.
static CLOUD_REGION: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?P<n>(?:us|eu|ap|sa|ca|me|af|il|mx|cn)-(?:gov-)?(?:east|west|north|south|central|northeast|southeast|northwest|southwest)-\d|(?:us|europe|asia|australia|northamerica|southamerica|me|africa)-(?:east|west|north|south|central|northeast|southeast|southwest|northwest)\d{1,2}|(?:East|West|Central|North Central|South Central|West Central) US(?: \d)?|(?:North|West) Europe|UK (?:South|West))\b",
    )
    .ok()
});

/// SEAM (region vocabulary `find_in_text`): every region mention, in text order, canonical
/// spelling (cloud region ids lowercased as written: "us-east-1").
pub fn find_regions(text: &str) -> Vec<RegionHit> {
    let mut hits: Vec<RegionHit> = Vec::new();
    let mut taken: Vec<std::ops::Range<usize>> = Vec::new();
    if let Some(re) = CLOUD_REGION.as_ref() {
        for c in re.captures_iter(text) {
            if let Some(m) = c.name("n") {
                let raw = m.as_str();
                let region = if raw.contains('-') {
                    raw.to_ascii_lowercase()
                } else {
                    raw.to_string()
                };
                taken.push(m.range());
                hits.push(RegionHit {
                    region,
                    start: m.start(),
                });
            }
        }
    }
    let mut found: Vec<(std::ops::Range<usize>, &'static str)> = Vec::new();
    for (canonical, re) in REGION_RES.iter() {
        for m in word_matches(re, text, &['-'], &['-']) {
            if !taken.iter().any(|r| r.start < m.end && m.start < r.end) {
                found.push((m, canonical));
            }
        }
    }
    for (r, canonical) in longest_first(found, |_| false) {
        hits.push(RegionHit {
            region: canonical.to_string(),
            start: r.start,
        });
    }
    hits.sort_by_key(|h| h.start);
    hits
}

/// SEAM (region vocabulary): the canonical spelling of a region name, any case.
pub fn canonical_region(name: &str) -> String {
    let n = name.trim();
    REGIONS
        .iter()
        .find_map(|(canonical, names)| {
            (canonical.eq_ignore_ascii_case(n) || names.iter().any(|a| a.eq_ignore_ascii_case(n)))
                .then(|| (*canonical).to_string())
        })
        .unwrap_or_else(|| n.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendors_by_alias_and_product() {
        let v: Vec<&str> =
            find_vendors("Salesforce.com and Amazon Web Services's EC2 hit; Outlook and Teams too")
                .into_iter()
                .map(|h| h.vendor)
                .collect();
        assert_eq!(
            v,
            vec!["Salesforce", "AWS", "AWS", "Microsoft", "Microsoft"]
        );
        assert!(find_vendors("cut some slack and zoom in").is_empty());
        assert_eq!(canonical_vendor("amazon web services"), Some("AWS"));
    }

    #[test]
    fn regions_continents_countries_and_cloud_ids() {
        let r: Vec<String> = find_regions(
            "customers in Europe, Asia Pacific and North America and us-east-1 and europe-west9",
        )
        .into_iter()
        .map(|h| h.region)
        .collect();
        assert_eq!(
            r,
            vec![
                "Europe",
                "Asia Pacific",
                "North America",
                "us-east-1",
                "europe-west9"
            ]
        );
        assert_eq!(canonical_region("APAC"), "Asia Pacific");
    }
}
