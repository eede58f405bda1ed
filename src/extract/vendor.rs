//! The vendor gazetteer: every way a vendor is named, mapped to one canonical name.
//!
//! Status feeds call a vendor by their page title ("GitHub Status - Incident History"), by
//! their host (`www.githubstatus.com`) or by a product ("Atlassian Jira"); press reports use brands
//! and products ("Amazon Web Services", "Office 365"). Events must carry one name per vendor so
//! that timelines and comparisons line up, so all of these resolve here, from the list in
//! `data/vendors.toml` compiled into the binary.

use std::collections::HashMap;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Deserialize;
use thiserror::Error;

/// The gazetteer shipped with the binary; [`Gazetteer::builtin`] parses it once.
const BUILTIN_TOML: &str = include_str!("../../data/vendors.toml");

/// Trailing words that page and feed titles add to a vendor's name. Stripped one at a time, from
/// the end, until a name matches.
const TITLE_SUFFIXES: [&str; 18] = [
    "incident history",
    "status page",
    "status dashboard",
    "service health dashboard",
    "service health",
    "health dashboard",
    "system status",
    "service status",
    "status",
    "inc.",
    "inc",
    "ltd.",
    "ltd",
    "llc",
    "corp.",
    "corp",
    "gmbh",
    "plc",
];

/// Characters that separate a name from a suffix in titles ("GitHub Status - Incident History",
/// "Cloudflare, Inc.").
const TITLE_SEPARATORS: [char; 7] = [',', '-', '\u{2013}', '\u{2014}', '|', ':', '\u{00b7}'];

/// One vendor as listed in `data/vendors.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    /// Canonical name: the `vendor` of events and of `sources.toml`.
    pub name: String,
    /// Brands, products, former names and status-page titles of the same vendor.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Hosts the vendor owns; subdomains match too.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Names that are also ordinary words ("Slack", "Zoom"): found in prose only when capitalised.
    #[serde(default)]
    pub common_words: Vec<String>,
    /// Names accepted by [`Gazetteer::canonical`] but never searched for in prose ("X").
    #[serde(default)]
    pub lookup_only: Vec<String>,
    /// The vendor's status page posts one incident per service and region (AWS), so one outage
    /// can be several incidents posted within hours; only such incidents may be joined on a
    /// shared region, onset and wording (see `merge::score`).
    #[serde(default)]
    pub incidents_per_service: bool,
}

/// A vendor named in a piece of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorMention {
    /// Canonical vendor name.
    pub vendor: String,
    /// Byte offset of the first byte of the name in the text.
    pub start: usize,
    /// Byte offset just past the name.
    pub end: usize,
}

/// Why a vendors file could not be used.
#[derive(Debug, Error)]
pub enum GazetteerError {
    #[error("invalid vendors TOML: {0}")]
    Toml(String),
    #[error("vendor #{index} has an empty name")]
    EmptyName { index: usize },
    #[error("the name {name:?} is given to both {first:?} and {second:?}")]
    DuplicateName {
        name: String,
        first: String,
        second: String,
    },
    #[error("the domain {domain:?} is given to both {first:?} and {second:?}")]
    DuplicateDomain {
        domain: String,
        first: String,
        second: String,
    },
    #[error("vendor {vendor:?}: domain {domain:?} is not a lowercase host name with a dot")]
    BadDomain { vendor: String, domain: String },
    #[error("vendor {vendor:?}: {list} entry {name:?} is not the vendor's name or an alias")]
    UnknownWord {
        vendor: String,
        list: &'static str,
        name: String,
    },
    #[error("cannot build the name matcher: {0}")]
    Matcher(String),
}

/// How a name must be written in prose to count as a mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CaseRule {
    /// Any case: "Cloudflare", "CLOUDFLARE", "cloudflare".
    Any,
    /// First letter upper case, as brands are written: "Slack" but not "cut us some slack".
    Capitalised,
    /// Exactly as listed: short acronyms such as "AWS", which in lower case are other words.
    Exact,
}

/// One searchable name in the matcher, in the matcher's pattern order.
#[derive(Debug, Clone)]
struct Pattern {
    vendor: usize,
    rule: CaseRule,
    text: String,
}

/// Vendor names, aliases and domains with the lookups built once.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    vendors: Vec<Vendor>,
    by_name: HashMap<String, usize>,
    by_domain: HashMap<String, usize>,
    matcher: AhoCorasick,
    patterns: Vec<Pattern>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VendorsFile {
    #[serde(default)]
    vendor: Vec<Vendor>,
}

static BUILTIN: LazyLock<Gazetteer> = LazyLock::new(|| match Gazetteer::from_toml(BUILTIN_TOML) {
    Ok(gazetteer) => gazetteer,
    Err(e) => panic!("the compiled-in data/vendors.toml is invalid: {e}"),
});

impl Gazetteer {
    /// The gazetteer of `data/vendors.toml`, parsed on first use and shared afterwards.
    ///
    /// # Panics
    /// If the compiled-in file is invalid, which the unit tests rule out before a release.
    pub fn builtin() -> &'static Gazetteer {
        &BUILTIN
    }

    /// Parses and validates a vendors file: every name and domain belongs to one vendor only, and
    /// the `common_words` and `lookup_only` entries are names of their vendor.
    pub fn from_toml(text: &str) -> Result<Gazetteer, GazetteerError> {
        let file: VendorsFile =
            toml::from_str(text).map_err(|e| GazetteerError::Toml(e.to_string()))?;
        Gazetteer::new(file.vendor)
    }

    fn new(vendors: Vec<Vendor>) -> Result<Gazetteer, GazetteerError> {
        let mut by_name: HashMap<String, usize> = HashMap::new();
        let mut by_domain: HashMap<String, usize> = HashMap::new();
        let mut patterns = Vec::new();
        for (index, vendor) in vendors.iter().enumerate() {
            if vendor.name.trim().is_empty() {
                return Err(GazetteerError::EmptyName { index: index + 1 });
            }
            let names: Vec<&String> = std::iter::once(&vendor.name)
                .chain(&vendor.aliases)
                .collect();
            for (list, words) in [
                ("common_words", &vendor.common_words),
                ("lookup_only", &vendor.lookup_only),
            ] {
                if let Some(stray) = words.iter().find(|w| !names.contains(w)) {
                    return Err(GazetteerError::UnknownWord {
                        vendor: vendor.name.clone(),
                        list,
                        name: stray.clone(),
                    });
                }
            }
            for name in &names {
                let key = normalise(name);
                match by_name.get(&key) {
                    Some(&other) if other != index => {
                        return Err(GazetteerError::DuplicateName {
                            name: (*name).clone(),
                            first: vendor_name(&vendors, other),
                            second: vendor.name.clone(),
                        });
                    }
                    Some(_) => continue,
                    None => {
                        by_name.insert(key, index);
                    }
                }
                if vendor.lookup_only.contains(name) {
                    continue;
                }
                let rule = if vendor.common_words.contains(name) {
                    CaseRule::Capitalised
                } else if is_short_acronym(name) {
                    CaseRule::Exact
                } else {
                    CaseRule::Any
                };
                patterns.push(Pattern {
                    vendor: index,
                    rule,
                    text: name.trim().to_string(),
                });
            }
            for domain in &vendor.domains {
                if !is_host_name(domain) {
                    return Err(GazetteerError::BadDomain {
                        vendor: vendor.name.clone(),
                        domain: domain.clone(),
                    });
                }
                if let Some(&other) = by_domain.get(domain.as_str()) {
                    return Err(GazetteerError::DuplicateDomain {
                        domain: domain.clone(),
                        first: vendor_name(&vendors, other),
                        second: vendor.name.clone(),
                    });
                }
                by_domain.insert(domain.clone(), index);
            }
        }
        let matcher = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(patterns.iter().map(|p| p.text.as_str()))
            .map_err(|e| GazetteerError::Matcher(e.to_string()))?;
        Ok(Gazetteer {
            vendors,
            by_name,
            by_domain,
            matcher,
            patterns,
        })
    }

    /// All vendors, in file order.
    pub fn vendors(&self) -> &[Vendor] {
        &self.vendors
    }

    /// The vendor whose canonical name is exactly `name`.
    pub fn vendor(&self, name: &str) -> Option<&Vendor> {
        self.vendors.iter().find(|v| v.name == name)
    }

    /// Whether the vendor (canonical name) posts one status incident per service and region.
    pub fn incidents_per_service(&self, name: &str) -> bool {
        self.vendor(name).is_some_and(|v| v.incidents_per_service)
    }

    /// The canonical name for a vendor name, alias or page title, ignoring case and trailing words
    /// such as " Status", " Status Page", " - Incident History" and ", Inc.".
    pub fn canonical(&self, name: &str) -> Option<&str> {
        let mut key = normalise(name);
        loop {
            if let Some(&index) = self.by_name.get(&key) {
                return self.vendors.get(index).map(|v| v.name.as_str());
            }
            key = strip_title_suffix(&key)?;
        }
    }

    /// The vendor owning a host: the host itself or its nearest listed parent domain
    /// ("www.githubstatus.com" -> GitHub, "status.aws.amazon.com" -> AWS).
    pub fn by_host(&self, host: &str) -> Option<&str> {
        let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
        let mut rest = host.as_str();
        loop {
            if let Some(&index) = self.by_domain.get(rest) {
                return self.vendors.get(index).map(|v| v.name.as_str());
            }
            match rest.split_once('.') {
                Some((_, parent)) if parent.contains('.') => rest = parent,
                _ => return None,
            }
        }
    }

    /// Vendor names in prose, in text order, with byte offsets. A name counts only as a whole
    /// word; where names overlap the longest wins ("Google Cloud" over "Google"); ordinary-word
    /// names need a capital and short acronyms their exact case.
    pub fn find_in_text(&self, text: &str) -> Vec<VendorMention> {
        let mut candidates: Vec<(usize, usize, usize)> = self
            .matcher
            .find_overlapping_iter(text)
            .filter_map(|m| {
                let pattern = self.patterns.get(m.pattern().as_usize())?;
                let found = text.get(m.start()..m.end())?;
                let accepted = is_whole_word(text, m.start(), m.end())
                    && match pattern.rule {
                        CaseRule::Any => true,
                        CaseRule::Capitalised => {
                            found.chars().next().is_some_and(char::is_uppercase)
                        }
                        CaseRule::Exact => found == pattern.text,
                    };
                accepted.then_some((m.start(), m.end(), pattern.vendor))
            })
            .collect();
        candidates.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut mentions = Vec::new();
        let mut taken_to = 0;
        for (start, end, vendor) in candidates {
            if start < taken_to {
                continue;
            }
            if let Some(v) = self.vendors.get(vendor) {
                mentions.push(VendorMention {
                    vendor: v.name.clone(),
                    start,
                    end,
                });
                taken_to = end;
            }
        }
        mentions
    }
}

fn vendor_name(vendors: &[Vendor], index: usize) -> String {
    vendors
        .get(index)
        .map(|v| v.name.clone())
        .unwrap_or_default()
}

/// Lowercase with runs of whitespace as one space, the form names are looked up in.
fn normalise(name: &str) -> String {
    name.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Removes one trailing title word from a normalised name, with the separators before it; `None`
/// when there is none or nothing would be left.
fn strip_title_suffix(key: &str) -> Option<String> {
    TITLE_SUFFIXES.iter().find_map(|suffix| {
        let head = key.strip_suffix(suffix)?;
        let ends_at_word = head
            .chars()
            .next_back()
            .is_some_and(|c| c == ' ' || TITLE_SEPARATORS.contains(&c));
        let rest = head.trim_end_matches(|c: char| c == ' ' || TITLE_SEPARATORS.contains(&c));
        (ends_at_word && !rest.is_empty()).then(|| rest.to_string())
    })
}

/// "AWS", "GCP", "EC2", "O365": all capitals (and digits), at most five characters.
fn is_short_acronym(name: &str) -> bool {
    let name = name.trim();
    (2..=5).contains(&name.chars().count())
        && name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

fn is_host_name(domain: &str) -> bool {
    domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
}

/// True when the bytes `start..end` of `text` are not glued to letters or digits on either side.
fn is_whole_word(text: &str, start: usize, end: usize) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let before = text.get(..start).and_then(|s| s.chars().next_back());
    let after = text.get(end..).and_then(|s| s.chars().next());
    !before.is_some_and(is_word) && !after.is_some_and(is_word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gaz() -> &'static Gazetteer {
        Gazetteer::builtin()
    }

    fn found(text: &str) -> Vec<(String, usize, usize)> {
        gaz()
            .find_in_text(text)
            .into_iter()
            .map(|m| (m.vendor, m.start, m.end))
            .collect()
    }

    fn mention(vendor: &str, start: usize, end: usize) -> (String, usize, usize) {
        (vendor.to_string(), start, end)
    }

    #[test]
    fn builtin_vendors_file_loads() {
        let parsed = Gazetteer::from_toml(BUILTIN_TOML).expect("data/vendors.toml is valid");
        assert_eq!(parsed.vendors().len(), gaz().vendors().len());
        assert!(gaz().vendors().len() >= 150, "{}", gaz().vendors().len());
        assert_eq!(
            gaz().vendor("Salesforce").map(|v| v.domains.clone()),
            Some(vec![
                "salesforce.com".to_string(),
                "status.salesforce.com".to_string(),
                "force.com".to_string()
            ])
        );
    }

    #[test]
    fn canonical_maps_names_and_aliases_in_any_case() {
        let g = gaz();
        assert_eq!(g.canonical("github"), Some("GitHub"));
        assert_eq!(g.canonical("  Amazon   Web Services "), Some("AWS"));
        assert_eq!(g.canonical("office 365"), Some("Microsoft 365"));
        assert_eq!(g.canonical("Teams"), Some("Microsoft 365"));
        assert_eq!(g.canonical("GCP"), Some("Google Cloud"));
        assert_eq!(g.canonical("Gmail"), Some("Google Workspace"));
        assert_eq!(g.canonical("SFDC"), Some("Salesforce"));
        assert_eq!(g.canonical("salesforce.com"), Some("Salesforce"));
        assert_eq!(g.canonical("Azure"), Some("Microsoft Azure"));
        assert_eq!(g.canonical("WhatsApp"), Some("Meta"));
        assert_eq!(g.canonical("Claude"), Some("Anthropic"));
        assert_eq!(g.canonical("X"), Some("X"));
    }

    #[test]
    fn canonical_maps_status_page_titles() {
        let g = gaz();
        assert_eq!(g.canonical("GitHub Status"), Some("GitHub"));
        assert_eq!(g.canonical("Parse Status"), Some("Parse"));
        assert_eq!(g.canonical("Atlassian Jira"), Some("Jira"));
        assert_eq!(g.canonical("OpenAI"), Some("OpenAI"));
        assert_eq!(g.canonical("Claude Status"), Some("Anthropic"));
        assert_eq!(
            g.canonical("GitHub Status - Incident History"),
            Some("GitHub")
        );
        assert_eq!(g.canonical("Datadog US1 Status Page"), Some("Datadog"));
        assert_eq!(g.canonical("Cloudflare, Inc."), Some("Cloudflare"));
        assert_eq!(g.canonical("Salesforce Trust"), Some("Salesforce"));
        assert_eq!(g.canonical("HashiCorp Services Status"), Some("HashiCorp"));
        assert_eq!(g.canonical("Python Infrastructure Status"), Some("PyPI"));
        assert_eq!(g.canonical("AWS Health Dashboard"), Some("AWS"));
    }

    #[test]
    fn canonical_rejects_unknown_names_and_bare_suffixes() {
        let g = gaz();
        assert_eq!(g.canonical(""), None);
        assert_eq!(g.canonical("Status"), None);
        assert_eq!(g.canonical("Incident History"), None);
        assert_eq!(g.canonical("Acme Widgets Status"), None);
        assert_eq!(g.canonical("GitHubStatus"), None);
        assert_eq!(g.canonical("Gitstatus"), None);
    }

    #[test]
    fn by_host_matches_the_host_or_a_parent_domain() {
        let g = gaz();
        assert_eq!(g.by_host("www.githubstatus.com"), Some("GitHub"));
        assert_eq!(g.by_host("status.aws.amazon.com"), Some("AWS"));
        assert_eq!(g.by_host("health.aws.amazon.com"), Some("AWS"));
        assert_eq!(g.by_host("www.amazon.com"), Some("Amazon"));
        assert_eq!(
            g.by_host("jira-software.status.atlassian.com"),
            Some("Jira")
        );
        assert_eq!(g.by_host("status.atlassian.com"), Some("Atlassian"));
        assert_eq!(g.by_host("STATUS.CLAUDE.COM."), Some("Anthropic"));
        assert_eq!(g.by_host("neon.instatus.com"), Some("Neon"));
        assert_eq!(
            g.by_host("rssfeed.azure.status.microsoft"),
            Some("Microsoft Azure")
        );
        assert_eq!(g.by_host("status.cloud.microsoft"), Some("Microsoft 365"));
        assert_eq!(g.by_host("api.status.salesforce.com"), Some("Salesforce"));
    }

    #[test]
    fn by_host_needs_a_label_boundary_and_a_known_domain() {
        let g = gaz();
        assert_eq!(g.by_host("notgithub.com"), None);
        assert_eq!(g.by_host("github.com.evil.test"), None);
        assert_eq!(g.by_host("example.com"), None);
        assert_eq!(g.by_host("com"), None);
        assert_eq!(g.by_host(""), None);
    }

    #[test]
    fn find_in_text_reports_two_vendors_in_a_sentence_with_byte_offsets() {
        let text = "Outages at Amazon Web Services and Microsoft Azure took down Slack on Monday.";
        assert_eq!(
            found(text),
            vec![
                mention("AWS", 11, 30),
                mention("Microsoft Azure", 35, 50),
                mention("Slack", 61, 66),
            ]
        );
        assert_eq!(text.get(61..66), Some("Slack"));
    }

    #[test]
    fn find_in_text_ignores_common_words_in_lower_case() {
        assert_eq!(
            found("Cut us some slack, the zoom lens broke and the box is square."),
            vec![]
        );
        assert_eq!(
            found("Please cut us some slack: Zoom was down."),
            vec![mention("Zoom", 26, 30)]
        );
    }

    #[test]
    fn find_in_text_matches_short_acronyms_only_in_capitals() {
        assert_eq!(
            found("AWS and GCP both run SFDC workloads."),
            vec![
                mention("AWS", 0, 3),
                mention("Google Cloud", 8, 11),
                mention("Salesforce", 21, 25),
            ]
        );
        assert_eq!(found("the laws and gcp flags"), vec![]);
        assert_eq!(found("aws went down"), vec![]);
    }

    #[test]
    fn find_in_text_prefers_the_longest_name() {
        assert_eq!(
            found("Google Cloud and Google were both hit."),
            vec![mention("Google Cloud", 0, 12), mention("Google", 17, 23)]
        );
        assert_eq!(
            found("Atlassian Jira is slow"),
            vec![mention("Jira", 0, 14)]
        );
        assert_eq!(
            found("Twilio SendGrid delayed mail"),
            vec![mention("SendGrid", 0, 15)]
        );
        assert_eq!(
            found("An Akamai Connected Cloud region failed"),
            vec![mention("Linode", 3, 25)]
        );
    }

    #[test]
    fn find_in_text_requires_whole_words() {
        assert_eq!(found("GitHubber meetups and githubstatus.com"), vec![]);
        assert_eq!(
            found("Cloudflare's network"),
            vec![mention("Cloudflare", 0, 10)]
        );
        assert_eq!(found("(cloudflare)"), vec![mention("Cloudflare", 1, 11)]);
    }

    #[test]
    fn find_in_text_never_searches_lookup_only_names() {
        assert_eq!(found("X marks the spot"), vec![]);
        assert_eq!(found("Twitter was down"), vec![mention("X", 0, 7)]);
    }

    #[test]
    fn find_in_text_offsets_are_bytes_after_non_ascii_text() {
        let text = "Störung bei Cloudflare und Zoom";
        assert_eq!(
            found(text),
            vec![mention("Cloudflare", 13, 23), mention("Zoom", 28, 32)]
        );
        assert_eq!(text.get(13..23), Some("Cloudflare"));
    }

    #[test]
    fn from_toml_rejects_a_name_given_to_two_vendors() {
        let err = Gazetteer::from_toml(
            "[[vendor]]\nname = \"A\"\naliases = [\"Shared\"]\n\n[[vendor]]\nname = \"B\"\naliases = [\"shared\"]\n",
        )
        .expect_err("must be rejected");
        assert_eq!(
            err.to_string(),
            "the name \"shared\" is given to both \"A\" and \"B\""
        );
    }

    #[test]
    fn from_toml_rejects_bad_entries_with_the_reason() {
        let dom = Gazetteer::from_toml(
            "[[vendor]]\nname = \"A\"\ndomains = [\"a.test\"]\n[[vendor]]\nname = \"B\"\ndomains = [\"a.test\"]\n",
        )
        .expect_err("must be rejected");
        assert_eq!(
            dom.to_string(),
            "the domain \"a.test\" is given to both \"A\" and \"B\""
        );
        let host =
            Gazetteer::from_toml("[[vendor]]\nname = \"A\"\ndomains = [\"https://a.test\"]\n")
                .expect_err("must be rejected");
        assert!(matches!(host, GazetteerError::BadDomain { .. }), "{host}");
        let word = Gazetteer::from_toml("[[vendor]]\nname = \"A\"\ncommon_words = [\"B\"]\n")
            .expect_err("must be rejected");
        assert_eq!(
            word.to_string(),
            "vendor \"A\": common_words entry \"B\" is not the vendor's name or an alias"
        );
        let empty =
            Gazetteer::from_toml("[[vendor]]\nname = \" \"\n").expect_err("must be rejected");
        assert!(
            matches!(empty, GazetteerError::EmptyName { index: 1 }),
            "{empty}"
        );
        let syntax = Gazetteer::from_toml("[[vendor]\nname = \"A\"").expect_err("must be rejected");
        assert!(matches!(syntax, GazetteerError::Toml(_)), "{syntax}");
        let field = Gazetteer::from_toml("[[vendor]]\nname = \"A\"\nwebsite = \"a.test\"\n")
            .expect_err("must be rejected");
        assert!(field.to_string().contains("website"), "{field}");
    }
}
