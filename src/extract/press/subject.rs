//! Who a report is about: the source's hint, the publisher of a first-person post-mortem,
//! the vendor named most (or the cloud arm whose products it names), else an unlisted name.

use std::sync::LazyLock;

use regex::Regex;

use super::{FACT_SENTENCES, Fact, PressInput, Sentence};
use crate::extract::classify::{VendorEvidence, contains_phrase};
use crate::extract::dates::regex;
use crate::extract::region;
use crate::extract::services::{Catalog, find_services};
use crate::extract::vendor::Gazetteer;

/// Each sentence counts a vendor once: 3 in the title (5 for the title's first vendor), 2 in the
/// first two body sentences, 1 further down; ties go to the earliest mention.
fn main_vendor(input: &PressInput, sents: &[Sentence]) -> Option<Fact<String>> {
    if let Some(hint) = input.vendor_hint.filter(|h| !h.trim().is_empty()) {
        let value = Gazetteer::builtin()
            .canonical(hint)
            .map_or_else(|| hint.trim().to_string(), str::to_string);
        let quote = sents
            .iter()
            .find(|s| s.text.contains(hint))
            .or_else(|| sents.first())
            .map_or_else(String::new, |s| s.text.to_string());
        return Some(Fact { value, quote });
    }
    let mut tally: Vec<(String, i32, usize, &str)> = Vec::new();
    let mut body_seen = 0;
    for s in sents.iter().take(FACT_SENTENCES) {
        let weight = if s.is_title {
            3
        } else {
            body_seen += 1;
            if body_seen <= 2 { 2 } else { 1 }
        };
        let mut seen: Vec<String> = Vec::new();
        for hit in Gazetteer::builtin().find_in_text(s.text) {
            if seen.contains(&hit.vendor) || posted_on(s.text, hit.start, hit.end) {
                continue;
            }
            // The headline's first vendor is usually the one that failed ("AWS outage takes
            // down Slack").
            let bonus = if s.is_title && seen.is_empty() { 2 } else { 0 };
            let order = s.index * 10_000 + hit.start;
            match tally.iter_mut().find(|t| t.0 == hit.vendor) {
                Some(t) => t.1 += weight + bonus,
                None => tally.push((hit.vendor.clone(), weight + bonus, order, s.text)),
            }
            seen.push(hit.vendor);
        }
    }
    tally
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)))
        .map(|(vendor, _, _, quote)| Fact {
            value: vendor,
            quote: quote.to_string(),
        })
}

/// Posting words: a platform named beside them carried a statement ("said on X").
static POSTING: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:said|says|posted|posting|wrote|writes|tweeted|statement|announced|shared|confirmed|acknowledged|update[sd]?|message|complain\w*|reported)\b",
    )
});

/// The name at `start..end` is the platform a statement was posted on ("said on X", "in a
/// Twitter post", "on its Facebook page", "took to Reddit"), not a vendor that failed.
fn posted_on(text: &str, start: usize, end: usize) -> bool {
    let before: Vec<String> = text
        .get(..start)
        .unwrap_or("")
        .split_whitespace()
        .rev()
        .take(2)
        .map(str::to_lowercase)
        .collect();
    let after = text
        .get(end..)
        .unwrap_or("")
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    let prev = before.first().map_or("", String::as_str);
    let prev2 = before.get(1).map_or("", String::as_str);
    let channel = matches!(
        after.as_str(),
        "post" | "posts" | "page" | "account" | "feed" | "handle" | "thread" | "blog" | "statement"
    );
    let took_to = prev == "to" && matches!(prev2, "took" | "turned" | "flocked" | "went");
    let posted = matches!(prev, "on" | "via") && POSTING.is_match(text);
    channel || took_to || posted
}

/// The vendor and how firmly the text names it. A hint from the source wins; then the
/// publisher of a first-person post-mortem ("we apologize", "our engineers"); then the vendor
/// named most, unless the products named belong to a vendor it is the parent company of
/// ("Google" beside "BigQuery" is Google Cloud) or no listed vendor is named at all; last, an
/// unlisted name.
pub(super) fn settle_vendor(
    input: &PressInput,
    sents: &[Sentence],
) -> (Option<Fact<String>>, VendorEvidence) {
    if input.vendor_hint.is_none() {
        if let Some(v) = publisher_vendor(input, sents) {
            return (Some(v), VendorEvidence::Listed);
        }
    }
    let named = main_vendor(input, sents);
    if input.vendor_hint.is_some() {
        return (named, VendorEvidence::Listed);
    }
    let owner = product_owner(sents);
    match (named, owner) {
        (Some(n), Some(o)) => {
            let parent = Catalog::builtin().parent_of(&o.value);
            // A vendor's own report ("We are experiencing an issue with Cloud Run") names
            // other companies only in passing (".NET", "GitHub triggers", "peering in
            // Equinix"): the owner of its products speaks, unless the title names another.
            let own_report = speaks_first_person(sents) && !titled(sents, &n.value);
            if parent == Some(n.value.as_str()) || own_report {
                (Some(o), VendorEvidence::Listed)
            } else {
                (Some(n), VendorEvidence::Listed)
            }
        }
        (Some(n), None) => (Some(n), VendorEvidence::Listed),
        (None, owner) => {
            // "in the US-EAST-1 Region" in a vendor's own update names the cloud it runs.
            if owner.is_none() && speaks_first_person(sents) {
                if let Some(cloud) = region_cloud(sents) {
                    return (Some(cloud), VendorEvidence::Listed);
                }
            }
            let unlisted = unlisted_vendor(sents);
            // A name the title repeats is the subject; products it runs on are someone
            // else's ("Razorpay: an RDS failure").
            let titled = unlisted.as_ref().is_some_and(|u| {
                sents
                    .iter()
                    .any(|s| s.is_title && contains_phrase(s.text, &u.value))
            });
            match (unlisted, owner) {
                (Some(u), _) if titled => (Some(u), VendorEvidence::Unlisted),
                (_, Some(o)) => (Some(o), VendorEvidence::Listed),
                (Some(u), None) => (Some(u), VendorEvidence::Unlisted),
                (None, None) => (None, VendorEvidence::None),
            }
        }
    }
}

static FIRST_PERSON_VENDOR: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:we (?:sincerely |deeply |truly )?apologi[sz]e|we are sorry|we(?: are|'re| were) (?:experiencing|investigating|seeing)|our (?:customers|users|services?|systems?|platform|network|infrastructure|engineers|engineering teams?|on-call|team|data ?cent(?:er|re)s?|edge|api)|we (?:identified|deployed|rolled|restored|mitigated|determined|detected|began|started|made|pushed|failed over))\b",
    )
});

/// The cloud whose region ids the top of the text names, when they are all one cloud's
/// ("US-EAST-1" and "us-east-2" are AWS), with the sentence naming the first.
fn region_cloud(sents: &[Sentence]) -> Option<Fact<String>> {
    let mut found: Option<(region::Provider, &str)> = None;
    for s in sents
        .iter()
        .take(FACT_SENTENCES)
        .filter(|s| !s.recalls_other)
    {
        for hit in region::find_in_text(s.text) {
            let provider = hit.region.provider;
            if provider == region::Provider::Generic {
                continue;
            }
            match found {
                Some((p, _)) if p != provider => return None,
                Some(_) => {}
                None => found = Some((provider, s.text)),
            }
        }
    }
    let (provider, quote) = found?;
    let vendor = match provider {
        region::Provider::Aws => "AWS",
        region::Provider::Gcp => "Google Cloud",
        region::Provider::Azure => "Microsoft Azure",
        region::Provider::Generic => return None,
    };
    Some(Fact {
        value: vendor.to_string(),
        quote: quote.to_string(),
    })
}

/// True when the top of the body speaks for a vendor in the first person.
pub(super) fn speaks_first_person(sents: &[Sentence]) -> bool {
    sents
        .iter()
        .filter(|s| !s.is_title)
        .take(FACT_SENTENCES)
        .any(|s| FIRST_PERSON_VENDOR.is_match(s.text))
}

/// True when the title names `vendor` (or one of its aliases).
fn titled(sents: &[Sentence], vendor: &str) -> bool {
    sents.iter().filter(|s| s.is_title).any(|s| {
        Gazetteer::builtin()
            .find_in_text(s.text)
            .iter()
            .any(|h| h.vendor == vendor)
    })
}

/// The publisher's vendor when the text is its own post-mortem: the site name or the host of
/// the page's address is a listed vendor, and the text speaks for the vendor in the first
/// person.
fn publisher_vendor(input: &PressInput, sents: &[Sentence]) -> Option<Fact<String>> {
    let gazetteer = Gazetteer::builtin();
    let by_site = input
        .publisher
        .and_then(|p| gazetteer.canonical(p.trim()).map(str::to_string));
    let by_host = || {
        let url = input.url?;
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let host = rest.split(['/', '?', '#']).next()?;
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        let host = host.split(':').next()?;
        gazetteer.by_host(host).map(str::to_string)
    };
    let value = by_site.or_else(by_host)?;
    // A blogging platform's host carries other people's stories: a text whose title names
    // another vendor, and that never names its host's vendor or its products, is about the
    // other vendor.
    let names_host = sents.iter().any(|s| {
        gazetteer
            .find_in_text(s.text)
            .iter()
            .any(|h| h.vendor == value)
            || find_services(s.text).iter().any(|h| h.vendor == value)
    });
    let titles_other = sents.iter().filter(|s| s.is_title).any(|s| {
        gazetteer
            .find_in_text(s.text)
            .iter()
            .any(|h| h.vendor != value)
    });
    if !names_host && titles_other {
        return None;
    }
    let quote = sents
        .iter()
        .filter(|s| !s.is_title)
        .take(FACT_SENTENCES)
        .find(|s| FIRST_PERSON_VENDOR.is_match(s.text))?;
    Some(Fact {
        value,
        quote: quote.text.to_string(),
    })
}

/// The vendor whose products the top of the text names most (ties: the first named).
fn product_owner(sents: &[Sentence]) -> Option<Fact<String>> {
    let mut tally: Vec<(&'static str, usize, &str)> = Vec::new();
    for s in sents
        .iter()
        .take(FACT_SENTENCES)
        .filter(|s| !s.recalls_other)
    {
        for hit in find_services(s.text) {
            match tally.iter_mut().find(|t| t.0 == hit.vendor) {
                Some(t) => t.1 += 1,
                None => tally.push((hit.vendor, 1, s.text)),
            }
        }
    }
    let best = tally.iter().map(|t| t.1).max()?;
    tally
        .into_iter()
        .find(|t| t.1 == best)
        .map(|(vendor, _, quote)| Fact {
            value: vendor.to_string(),
            quote: quote.to_string(),
        })
}

/// Capitalised words that start sentences or name things other than companies.
const NOT_VENDORS: &[&str] = &[
    "A",
    "An",
    "The",
    "On",
    "In",
    "At",
    "During",
    "Our",
    "We",
    "This",
    "That",
    "These",
    "Those",
    "Between",
    // Contractions read like possessives ("Here’s a look", "What's next").
    "Here",
    "There",
    "What",
    "Who",
    "Where",
    "How",
    "Let",
    "He",
    "She",
    "After",
    "Before",
    "Today",
    "Yesterday",
    "Prior",
    "Initial",
    "Engineers",
    "It",
    "Its",
    "Some",
    "Several",
    "Many",
    "All",
    "Two",
    "Three",
    "One",
    "Users",
    "Customers",
    "While",
    "When",
    "Although",
    "However",
    "From",
    "Starting",
    "Due",
    "Summary",
    "Root",
    "Cause",
    "Impact",
    "Duration",
    "Sources",
    "Status",
    "Page",
    "Update",
    "Incident",
    "Outage",
    "Postmortem",
    "Post-mortem",
    "Bad",
    "Wrong",
    "Accidental",
    "Internal",
    "UTC",
    "GMT",
    "PST",
    "PDT",
    "EST",
    "EDT",
    "DNS",
    "BGP",
    "API",
    "HTTP",
    "HTTPS",
    "CDN",
    "VM",
    "VMs",
    "DB",
    "SQL",
    "IP",
    "TLS",
    "SSL",
    "CPU",
    "RAM",
    "SSD",
    "US",
    "UK",
    "EU",
    "AM",
    "PM",
    "ET",
    "PT",
    "I",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Service",
    "Services",
    "Web",
    "E-commerce",
    "Sending",
    "Configuration",
    "Database",
    "Network",
    "Power",
    "Multiple",
    "Although",
    "Most",
    "Following",
    "Further",
    "Because",
    "URL",
    "PostgreSQL",
    "MySQL",
    "Redis",
    "Kafka",
    "Kubernetes",
    "Docker",
    "Java",
    "Python",
    "Go",
    "Data",
    "Dashboard",
    "Cache",
    "Center",
    "Human",
    "Message",
    "Backwards",
    "Successive",
    "Affected",
    "Around",
    "Managed",
    "Operations",
    "Issues",
    "Code",
    "Coding",
    "Search",
    "Region",
    "Regions",
    "Cluster",
    "Clusters",
    "Metric",
    "Metrics",
    "REST",
    "GraphQL",
    "SSH",
    "SMS",
    "APIs",
    "Pull",
];

/// A data-centre code: capitals then digits ("TOR1", "BLR1", "FRA1").
fn is_site_code(word: &str) -> bool {
    let letters = word.trim_end_matches(|c: char| c.is_ascii_digit());
    letters.len() < word.len()
        && !letters.is_empty()
        && letters.chars().all(|c| c.is_ascii_uppercase())
}

/// Fallback for vendors the gazetteer does not list: a possessive name in the first body
/// sentences ("Etsy's", "PagerDuty’s"), else the first capitalised word inside one of them that
/// recurs in the text and is not a common word, month, zone, region or acronym of the trade. Heuristic by design: it names the
/// company an outage story is about far more often than not, and an unnamed vendor loses the
/// whole report.
fn unlisted_vendor(sents: &[Sentence]) -> Option<Fact<String>> {
    // Titles capitalise every word, so only body sentences are read.
    let top: Vec<&Sentence> = sents
        .iter()
        .filter(|s| !s.is_title && s.index <= 3)
        .collect();
    // Words of the products named ("Cloud" in "Cloud Run") are not companies.
    let product_words: Vec<&str> = sents
        .iter()
        .take(FACT_SENTENCES)
        .flat_map(|s| find_services(s.text))
        .flat_map(|h| h.service.split_whitespace())
        .collect();
    let candidate = |word: &str| -> Option<String> {
        let w = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != '-');
        let w = w.trim_end_matches('.');
        let first = w.chars().next()?;
        if !first.is_uppercase()
            || w.len() < 2
            || NOT_VENDORS.contains(&w)
            || product_words.contains(&w)
        {
            return None;
        }
        // Region and data-centre codes ("us-east-1", "TOR1", "FRA1") are places.
        if !region::find_in_text(w).is_empty() || is_site_code(w) {
            return None;
        }
        Some(w.to_string())
    };
    let fact = |name: String, s: &Sentence| Fact {
        value: name,
        quote: s.text.to_string(),
    };
    for s in &top {
        for word in s.text.split_whitespace() {
            let possessive = ["'s", "’s"].iter().find_map(|p| word.strip_suffix(p));
            if let Some(name) = possessive.and_then(candidate) {
                return Some(fact(name, s));
            }
        }
    }
    // A plain capitalised word must recur in the document to count as its subject.
    let all: Vec<&str> = sents.iter().map(|s| s.text).collect();
    let recurs = |name: &str| all.iter().map(|t| t.matches(name).count()).sum::<usize>() >= 2;
    for s in &top {
        let words: Vec<&str> = s.text.split_whitespace().collect();
        for (i, word) in words.iter().enumerate().skip(1) {
            // "United" in "United States" is part of a place.
            let next = words.get(i + 1).copied().unwrap_or("");
            if !region::find_in_text(&format!("{word} {next}")).is_empty() {
                continue;
            }
            if let Some(name) = candidate(word).filter(|n| recurs(n)) {
                return Some(fact(name, s));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, name: &str) -> bool {
        let start = text.find(name).unwrap_or(0);
        posted_on(text, start, start + name.len())
    }

    #[test]
    fn a_posting_platform_is_told_from_a_failing_vendor() {
        assert!(at(
            "In a Twitter post, the carrier said it was working on it.",
            "Twitter"
        ));
        assert!(at(
            "The company said on Facebook that service was back.",
            "Facebook"
        ));
        assert!(at("Angry users took to Reddit to vent.", "Reddit"));
        assert!(at("It posted an update on its Facebook page.", "Facebook"));
        assert!(!at("Facebook went down on Monday.", "Facebook"));
        assert!(!at("Sites running on AWS were unreachable.", "AWS"));
    }
}
