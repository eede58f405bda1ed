//! What was hit: the regions and products a report names in the sentences that describe the
//! outage itself.

use std::sync::LazyLock;

use regex::Regex;

use super::{FACT_SENTENCES, Fact, Sentence};
use crate::extract::dates::regex;
use crate::extract::services::{Catalog, find_services};
use crate::extract::{places, region};

pub(super) static IMPACT_RE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:unable to|could not|couldn't|can't|cannot|not able to|failed to|failed|failures?|problems|lost|locked out|error rates?|elevated errors|errors|were affected|was affected|impacted|disrupted|unavailable|went down|was down|were down|offline|outage|disruption|degraded)\b",
    )
});

/// Sentences that describe the outage itself: the title, the lead, and any sentence with an
/// impact word or under an "Impact" heading, from the top of the text.
fn fact_sentences<'s, 'a>(sents: &'s [Sentence<'a>]) -> impl Iterator<Item = &'s Sentence<'a>> {
    sents
        .iter()
        .take(FACT_SENTENCES)
        .filter(|s| !s.recalls_other)
        .filter(|s| {
            s.is_title || s.index <= 3 || s.section.contains("impact") || IMPACT_RE.is_match(s.text)
        })
}

/// The cloud whose region names a vendor's own reports use ("Sydney" in an AWS report is
/// `ap-southeast-2`, not the city).
pub(super) fn cloud_of(vendor: &str) -> Option<region::Provider> {
    match vendor {
        "AWS" => Some(region::Provider::Aws),
        "Google Cloud" => Some(region::Provider::Gcp),
        "Microsoft Azure" => Some(region::Provider::Azure),
        _ => None,
    }
}

/// Sentences read for places: as [`fact_sentences`], over the whole text (news copy names
/// the cities and countries hit in its third to eighth paragraphs), captions and date lines
/// left out.
fn place_sentences<'s, 'a>(sents: &'s [Sentence<'a>]) -> impl Iterator<Item = &'s Sentence<'a>> {
    sents
        .iter()
        .take(PLACE_SENTENCES)
        .filter(|s| !s.recalls_other && !s.dateline)
        .filter(|s| {
            s.is_title
                || s.index <= 3
                || s.section.contains("impact")
                || IMPACT_RE.is_match(s.text)
                || FELT_RE.is_match(s.text)
        })
}

/// Wording that says where an outage was felt beside the impact words: "users around the
/// globe reported issues", "the outages are impacting businesses internationally".
static FELT_RE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:outages|issues|disruptions|impacting|affecting|affected|reported (?:problems|issues|errors|outages)|down for|went dark)\b",
    )
});

/// Sentences read for places, from the top.
const PLACE_SENTENCES: usize = 80;

/// Regions, countries, cities and extents ("worldwide") where the outage was felt, each once,
/// cloud regions by their canonical label and the rest as written.
pub(super) fn regions(sents: &[Sentence], cloud: Option<region::Provider>) -> Vec<Fact<String>> {
    let mut out: Vec<Fact<String>> = Vec::new();
    for s in place_sentences(sents) {
        let (regions_here, spans) = region_facts(s, cloud);
        for fact in regions_here {
            if !out.iter().any(|f| f.value == fact.value) {
                out.push(fact);
            }
        }
        // "Virginia" in "US East (N. Virginia)" is part of the region's name.
        let places_here = places::find_places(s.text)
            .into_iter()
            .filter(|p| !spans.iter().any(|(a, b)| p.start < *b && *a < p.end));
        for place in places_here {
            let known = out.iter().any(|f| {
                f.value.eq_ignore_ascii_case(&place.text)
                    || region::lookup(&place.text).is_some_and(|r| r.label() == f.value)
            });
            if !known {
                out.push(Fact {
                    value: place.text,
                    quote: s.text.to_string(),
                });
            }
        }
    }
    out
}

/// The cloud regions and areas of one sentence, with the byte spans they cover.
fn region_facts(
    s: &Sentence,
    cloud: Option<region::Provider>,
) -> (Vec<Fact<String>>, Vec<(usize, usize)>) {
    let mut out: Vec<Fact<String>> = Vec::new();
    let mut spans = Vec::new();
    {
        let mut found = region::find_in_text(s.text);
        if let Some(p) = cloud {
            // The cloud's reading wins where both read a name; ids of other clouds ("us-east1"
            // in a report that misnames a region) still count where the cloud reads nothing.
            let scoped = region::find_in_text_in(p, s.text);
            found.retain(|g| !scoped.iter().any(|c| c.start < g.end && g.start < c.end));
            found.extend(scoped);
            found.sort_by_key(|m| m.start);
        }
        for hit in found {
            spans.push((hit.start, hit.end));
            if out.iter().any(|f| f.value == hit.label()) {
                continue;
            }
            out.push(Fact {
                value: hit.label().to_string(),
                quote: s.text.to_string(),
            });
        }
    }
    (out, spans)
}

/// Sentences anywhere in the text that state what was hit: a list under an "Affected
/// services" or "Customer impact" heading, an "Affected products: …" line, or a sentence
/// saying customers of a product had trouble ("customers using X were unable to …"). A
/// post-mortem lists its products late (after the timeline of a multi-update report, or at the
/// foot of a long write-up), so these are read from the whole document; the looser impact
/// words are trusted only at the top, where they describe the outage rather than history.
static AFFECTED_RE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:(?:affected|impacted) (?:products?|services?|features?|components?)\b|customers (?:using|of)\b|experienc(?:ed|ing) (?:an? |elevated |increased |intermittent )?(?:issues?|errors?|problems?|failures?|latency|disruption|outage|unavailability|timeouts?)\b|(?:issue|problem|outage|disruption) (?:with|affecting|impacting)\b|(?:was|were|became) unavailable\b|unable to\b)",
    )
});

/// A heading whose list names what was hit ("Affected Services and Features", "Customer
/// Impact", "Impacted products").
fn lists_affected(section: &str) -> bool {
    section.contains("impact") || section.contains("affected")
}

/// The products the report names as hit, the vendor's own (a customer's app that went down
/// with it is not the vendor's service); where the text names no product, the generic
/// services of `data/service_terms.toml` its outage sentences name ("calls", "DNS").
pub(super) fn services(sents: &[Sentence], vendor: &str) -> Vec<Fact<String>> {
    let named = products(sents, vendor);
    if !named.is_empty() {
        return named;
    }
    let mut out: Vec<Fact<String>> = Vec::new();
    // Generic services only from sentences with an impact word: "issues" and "outages" are
    // said of far more than the outage's own services.
    for s in place_sentences(sents).filter(|s| {
        !s.is_title && (s.index <= 3 || s.section.contains("impact") || IMPACT_RE.is_match(s.text))
    }) {
        for term in service_terms(s.text) {
            if !out.iter().any(|f| f.value.eq_ignore_ascii_case(&term)) {
                out.push(Fact {
                    value: term,
                    quote: s.text.to_string(),
                });
            }
        }
    }
    out.truncate(MAX_TERMS);
    out
}

/// Generic services kept at most, in text order.
const MAX_TERMS: usize = 6;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TermsFile {
    terms: Vec<String>,
}

static TERMS: LazyLock<Option<aho_corasick::AhoCorasick>> = LazyLock::new(|| {
    let file: TermsFile = toml::from_str(include_str!("../../../data/service_terms.toml")).ok()?;
    aho_corasick::AhoCorasickBuilder::new()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .ascii_case_insensitive(true)
        .build(&file.terms)
        .ok()
});

fn service_terms(text: &str) -> Vec<String> {
    let Some(ac) = TERMS.as_ref() else {
        return Vec::new();
    };
    ac.find_iter(text)
        .filter(|m| {
            let before = text.get(..m.start()).and_then(|s| s.chars().next_back());
            let after = text.get(m.end()..).and_then(|s| s.chars().next());
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
        .filter_map(|m| text.get(m.range()).map(str::to_string))
        .collect()
}

/// True when a product of `owner` is `vendor`'s own: the same company, its parent or its arm.
fn owned_by(owner: &str, vendor: &str) -> bool {
    let catalog = Catalog::builtin();
    owner == vendor
        || catalog.parent_of(owner) == Some(vendor)
        || catalog.parent_of(vendor) == Some(owner)
        || catalog
            .parent_of(owner)
            .is_some_and(|p| catalog.parent_of(vendor) == Some(p))
}

fn products(sents: &[Sentence], vendor: &str) -> Vec<Fact<String>> {
    let mut out: Vec<Fact<String>> = Vec::new();
    let top = fact_sentences(sents);
    let stated = sents
        .iter()
        .skip(FACT_SENTENCES)
        .filter(|s| !s.recalls_other)
        .filter(|s| lists_affected(&s.section) || AFFECTED_RE.is_match(s.text));
    for s in top.chain(stated) {
        for hit in find_services(s.text) {
            if out.iter().any(|f| f.value == hit.service) || !owned_by(hit.vendor, vendor) {
                continue;
            }
            out.push(Fact {
                value: hit.service.to_string(),
                quote: s.text.to_string(),
            });
        }
    }
    out
}
