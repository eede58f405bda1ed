//! Outage facts out of a press report or a post-mortem, each with the sentence it came from.
//!
//! A report reads "Salesforce.com reportedly suffered its second outage yesterday in as many
//! weeks … customers in Europe, Asia Pacific and North America were affected for several
//! hours"; a vendor's post-mortem reads "At 10:25 PM PDT on June 4th, we lost power to …".
//! [`extract`] decides whether the text reports an outage ([`super::classify`]), then picks the
//! main vendor (title first, then lead), the onset and end ([`super::dates`]), the length
//! ([`super::duration`]), regions, products ([`super::services`]), the impact sentence and the
//! cause phrase with its [`CauseCategory`]. Sentences that recall an older event ("a similar
//! outage in 2017") are not read for dates or lengths, so an article reporting several outages
//! yields the main one.
//!
//! Severity for press reports, from the words used (the word is kept as the native severity):
//! `critical` for "global", "worldwide", "all customers" or two or more continents; `minor` for
//! "some users", "degraded", "intermittent", "partial"; `major` for "outage", "down", "offline"
//! with broad impact ("millions", "widespread", "major") or a length of an hour or more; else
//! `unknown`; `maintenance` when the title announces planned maintenance.
//!
//! Status for press reports: `resolved` when the text says service was restored, resolved,
//! recovered or back online (or gives how long it lasted); `investigating` when it says the
//! outage is ongoing; else `unknown`.
//!
//! [`evaluate`] scores the extractor against labelled items, field by field.

mod causes;
mod eval;
mod facts;
mod gate;
mod pages;
mod sentences;
mod severity;
mod story;
mod subject;
mod timing;

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::extract::classify::{Classification, classify};
use crate::extract::dates::Precision;
use crate::extract::text::{one_line, truncate_chars};
use crate::model::{Severity, Status};
use causes::cause;
use facts::{IMPACT_RE, cloud_of, regions, services};
use sentences::{head_chars, split, states_window};
use severity::{severity, status};
use story::{recalls_other_event, stated_story_year, story_reference};
use subject::settle_vendor;

pub use sentences::plain_text_parts;

pub use causes::categorise_cause;
pub use eval::{EvalReport, FieldScore, LabelledItem, evaluate};
pub use pages::{
    LabelledPage, PageLabel, PagesReport, Tally, extract_page, read_pages, score_pages,
};

/// Sentences read per document; news and post-mortems state their facts early.
const MAX_SENTENCES: usize = 400;
/// Sentences from the top searched for regions and products.
const FACT_SENTENCES: usize = 25;

/// What the extractor reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct PressInput<'a> {
    pub title: &'a str,
    /// Main text, paragraphs on separate lines.
    pub text: &'a str,
    pub published: Option<DateTime<Utc>>,
    /// Vendor known from elsewhere (the source's own vendor for post-mortem feeds); wins.
    pub vendor_hint: Option<&'a str>,
    /// The site that published the text (`og:site_name`): the vendor of a first-person
    /// post-mortem ("we", "our") when the gazetteer knows it.
    pub publisher: Option<&'a str>,
    /// The page's own address; its host names the publisher when the site name does not.
    pub url: Option<&'a str>,
}

/// A value and the sentence it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact<T> {
    pub value: T,
    pub quote: String,
}

/// The onset, with how much of it the text gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateFact {
    pub at: DateTime<Utc>,
    pub precision: Precision,
    pub quote: String,
}

/// The normalised severity, the word that decided it and its sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeverityJudgement {
    pub value: Severity,
    pub cue: Option<String>,
    pub quote: Option<String>,
}

/// Kind of root cause, for comparing outages across vendors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CauseCategory {
    DeployChange,
    Configuration,
    HardwarePower,
    NetworkDnsBgp,
    Capacity,
    DependencyUpstream,
    SecurityAttack,
    Bug,
    Unknown,
}

impl CauseCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            CauseCategory::DeployChange => "deploy_change",
            CauseCategory::Configuration => "configuration",
            CauseCategory::HardwarePower => "hardware_power",
            CauseCategory::NetworkDnsBgp => "network_dns_bgp",
            CauseCategory::Capacity => "capacity",
            CauseCategory::DependencyUpstream => "dependency_upstream",
            CauseCategory::SecurityAttack => "security_attack",
            CauseCategory::Bug => "bug",
            CauseCategory::Unknown => "unknown",
        }
    }
}

impl fmt::Display for CauseCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything the extractor found, each fact with its sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct PressReport {
    pub title: String,
    /// The first sentence of the body (the title when there is no body).
    pub lead: String,
    pub classification: Classification,
    pub vendor: Fact<String>,
    pub start: Option<DateFact>,
    pub end: Option<Fact<DateTime<Utc>>>,
    pub duration_minutes: Option<Fact<i64>>,
    pub regions: Vec<Fact<String>>,
    pub services: Vec<Fact<String>>,
    pub impact: Option<Fact<String>>,
    /// The cause as written ("a software patch affecting the cache server").
    pub cause: Option<Fact<String>>,
    pub cause_category: CauseCategory,
    pub severity: SeverityJudgement,
    pub status: Status,
}

/// One sentence of the document with what the extractor needs to know about it.
#[derive(Debug, Clone)]
struct Sentence<'a> {
    text: &'a str,
    /// Index in the document; the title is 0 when present.
    index: usize,
    is_title: bool,
    /// The heading this sentence sits under ("root cause", "duration", "impact"), lowercased.
    section: String,
    /// Recalls another, older event: not read for dates and lengths.
    recalls_other: bool,
    /// The page's date line, byline, update note or photo caption: it dates the page or the
    /// picture, not the outage, so it is not read for the onset.
    dateline: bool,
}

/// The outage a text reports, or `None` when it reports none (or names no vendor).
pub fn extract(input: &PressInput) -> Option<PressReport> {
    let mut sents = split(input);
    // A retrospective tells an outage of an earlier year: its dates are read in that year.
    let story = story_reference(&sents, input.published);
    let published = story.or(input.published);
    if story.is_some() {
        for s in sents.iter_mut().filter(|s| !s.is_title) {
            s.recalls_other = recalls_other_event(s.text, published);
        }
    }
    let body: Vec<&Sentence> = sents.iter().filter(|s| !s.is_title).collect();
    let lead = body
        .first()
        .map(|s| s.text.to_string())
        .unwrap_or_else(|| input.title.to_string());
    let lead_text: String = body
        .iter()
        .take(3)
        .map(|s| s.text)
        .collect::<Vec<_>>()
        .join(" ");
    // Headings stay in: "Root Cause" and "Impact" are evidence of a post-mortem.
    let body_text = head_chars(input.text, 20_000);
    let (vendor, vendor_evidence) = settle_vendor(input, &sents);
    let classification = classify(
        input.title,
        &lead_text,
        body_text,
        vendor_evidence,
        categorise_cause(&lead_text) != CauseCategory::Unknown,
        states_window(&sents, published),
    );
    if !classification.is_outage {
        return None;
    }
    let vendor = vendor?;
    let own_report = input.vendor_hint.is_some() || subject::speaks_first_person(&sents);
    if !gate::reports_specific_disruption(
        input.title,
        &sents,
        &vendor,
        vendor_evidence,
        &classification,
        own_report,
    ) {
        return None;
    }
    let title = if input.title.trim().is_empty() {
        truncate_chars(&one_line(&lead), 120)
    } else {
        one_line(input.title)
    };
    let mut timing = timing::timing(&sents, published, story.is_none());
    // A page that names its outage's year once ("On 4 March 2021, ...") under a later or
    // estimated publication date: with no onset read, that year is the story's.
    if timing.start.is_none() && story.is_none() {
        if let Some(year_end) = stated_story_year(&sents, published) {
            for s in sents.iter_mut().filter(|s| !s.is_title) {
                s.recalls_other = recalls_other_event(s.text, Some(year_end));
            }
            timing = timing::timing(&sents, Some(year_end), false);
        }
    }
    let regions = regions(&sents, cloud_of(&vendor.value));
    let services = services(&sents, &vendor.value);
    let impact = sents
        .iter()
        .filter(|s| !s.recalls_other)
        .find(|s| IMPACT_RE.is_match(s.text) || s.section.contains("impact"))
        .map(|s| Fact {
            value: s.text.to_string(),
            quote: s.text.to_string(),
        });
    let cause = cause(&sents);
    // The phrase decides; when it names no category ("severe weather in the area"), its
    // sentence does ("a loss of power ... as a result of severe weather").
    let cause_category =
        cause.as_ref().map_or(CauseCategory::Unknown, |c| {
            match categorise_cause(&c.value) {
                CauseCategory::Unknown => categorise_cause(&c.quote),
                known => known,
            }
        });
    let severity = severity(
        input.title,
        &sents,
        &regions,
        timing.duration.as_ref().map(|d| d.value),
    );
    let status = status(&sents);
    Some(PressReport {
        title,
        lead,
        classification,
        vendor,
        start: timing.start,
        end: timing.end,
        duration_minutes: timing.duration,
        regions,
        services,
        impact,
        cause,
        cause_category,
        severity,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stated_cause_wins_over_a_sequence_word_earlier_in_the_text() {
        let input = PressInput {
            title: "Fastly outage takes down Amazon, Reddit and government websites",
            text: "Large parts of the internet went dark on Tuesday after a failure at Fastly, the content delivery network. The outage began at 09:47 UTC and lasted about 49 minutes. Fastly said a customer configuration change triggered a bug in its software.",
            published: Some(utc("2021-06-08T14:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        let r = extract(&input).expect("an outage");
        let cause = r.cause.expect("cause");
        assert_eq!(cause.value, "a customer configuration change");
        assert_eq!(
            cause.quote,
            "Fastly said a customer configuration change triggered a bug in its software."
        );
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .expect("test time")
    }

    #[test]
    fn salesforce_second_outage_report() {
        let input = PressInput {
            title: "Salesforce suffers second outage in as many weeks",
            text: "Salesforce.com reportedly suffered its second outage yesterday in as many weeks. Customers in Europe, Asia Pacific and North America were affected for several hours. The company said the interruption was due to a software patch affecting the cache server.",
            published: Some(utc("2010-01-07T09:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        let r = extract(&input).expect("an outage");
        assert_eq!(r.vendor.value, "Salesforce");
        let start = r.start.expect("start");
        assert_eq!(crate::model::rfc3339(start.at), "2010-01-06T00:00:00Z");
        assert_eq!(start.precision, Precision::Day);
        assert_eq!(
            start.quote,
            "Salesforce.com reportedly suffered its second outage yesterday in as many weeks."
        );
        // "for several hours" states no figure: no length is invented.
        assert_eq!(r.duration_minutes.map(|d| d.value), None);
        let regions: Vec<&str> = r.regions.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(regions, vec!["Europe", "Asia Pacific", "North America"]);
        assert_eq!(
            r.cause.as_ref().map(|c| c.value.as_str()),
            Some("a software patch affecting the cache server")
        );
        assert_eq!(r.cause_category, CauseCategory::DeployChange);
        assert_eq!(r.severity.value, Severity::Critical);
        assert_eq!(r.severity.cue.as_deref(), Some("multi-region"));
    }

    #[test]
    fn aws_post_mortem_window_and_services() {
        let input = PressInput {
            title: "Summary of the AWS Service Event in the Sydney (AP-SOUTHEAST-2) Region",
            text: "We'd like to share more detail about the AWS service disruption that occurred this past weekend in the AWS Sydney Region.\nAt 10:25 PM PDT on June 4th, our utility provider suffered a loss of power at a regional substation as a result of severe weather in the area. This failure resulted in a total loss of utility power to multiple AWS facilities. EC2 instances and EBS volumes in the affected Availability Zone became unavailable. By 1:00 AM PDT on June 5th, over 80% of the impacted customer instances and volumes were back online and operational.",
            published: Some(utc("2016-06-09T00:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        let r = extract(&input).expect("an outage");
        assert_eq!(r.vendor.value, "AWS");
        let start = r.start.expect("start");
        assert_eq!(crate::model::rfc3339(start.at), "2016-06-05T05:25:00Z");
        assert_eq!(start.precision, Precision::Minute);
        assert_eq!(
            r.end.map(|e| crate::model::rfc3339(e.value)),
            Some("2016-06-05T08:00:00Z".to_string())
        );
        let services: Vec<&str> = r.services.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(services, vec!["EC2", "EBS"]);
        assert_eq!(r.cause_category, CauseCategory::HardwarePower);
        // "Sydney" in an AWS report is the AWS region, the same one the title's id names.
        let regions: Vec<&str> = r.regions.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(regions, vec!["ap-southeast-2"]);
    }

    /// A saved page: a date marker run into the first paragraph, a menu, a caption before its
    /// credit, then the headline that names the disruption.
    #[test]
    fn headline_is_found_past_furniture_and_the_date_marker_is_dropped() {
        let page = " date 2019-06-03 Gmail went down for hours on Sunday.\nMore text.\n";
        assert_eq!(
            plain_text_parts(page),
            (None, "Gmail went down for hours on Sunday.\nMore text.\n")
        );
        let page = "Skip to content\nHome | News | Tech\nView All Result\nA cat on a sofa.\n\
                    Photo: Getty Images\nSlack outage leaves users unable to send messages\n\
                    Slack went down on Monday.\n";
        assert_eq!(
            plain_text_parts(page),
            (
                Some("Slack outage leaves users unable to send messages"),
                "Slack went down on Monday.\n"
            )
        );
    }

    /// A page published years later (or with an estimated date) that names its outage's year
    /// once: the onset is read in that year, and a failure's day stands even when the sentence
    /// goes on to the recovery.
    #[test]
    fn a_retrospective_naming_its_year_once_keeps_its_onset() {
        let input = PressInput {
            title: "The Stripe outage that taught us about deploys",
            text: "Engineers still talk about it. The worst blunder we saw was the March 3, 2021, deploy at 14:10 UTC. It took the Stripe API down and checkouts failed for two hours. The fix was simple.",
            published: Some(utc("2024-06-01T12:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        let r = extract(&input).expect("an outage");
        assert_eq!(
            r.start.map(|s| crate::model::rfc3339(s.at)),
            Some("2021-03-03T14:10:00Z".into())
        );
        let input = PressInput {
            title: "Why did the chat app fail?",
            text: "On November 9, Slack suffered a global outage that left teams unable to send messages until engineers completed the recovery.",
            published: Some(utc("2025-01-10T12:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        let r = extract(&input).expect("an outage");
        assert_eq!(
            r.start.map(|s| crate::model::rfc3339(s.at)),
            Some("2024-11-09T00:00:00Z".into())
        );
    }

    /// Start and end clock times in two sentences pair up, the end taking the start's zone;
    /// a length said with "for" stands whatever follows it.
    #[test]
    fn clock_times_in_two_sentences_pair_up() {
        let input = PressInput {
            title: "Cloud provider outage takes sites offline",
            text: "IBM Cloud went down on Tuesday. The outage began at about 5:15 PM EDT, knocking client sites offline. Services were restored around 7:45 PM, the company said.",
            published: Some(utc("2020-06-10T12:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        let r = extract(&input).expect("an outage");
        assert_eq!(
            r.start.map(|s| crate::model::rfc3339(s.at)),
            Some("2020-06-09T21:15:00Z".into())
        );
        assert_eq!(r.duration_minutes.map(|d| d.value), Some(150));
        let input = PressInput {
            title: "Telecom outage cuts phone lines",
            text: "Optus, which suffered a network outage for around 12 hours earlier today, has said little. Customers could not make calls.",
            published: Some(utc("2023-11-08T12:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        let r = extract(&input).expect("an outage");
        assert_eq!(r.duration_minutes.map(|d| d.value), Some(720));
    }

    /// Where an outage was felt is read from any sentence that tells of it, deep in the text.
    #[test]
    fn places_are_read_from_later_sentences_about_the_outage() {
        let input = PressInput {
            title: "Zoom outage leaves meetings stranded",
            text: "Zoom went down on Wednesday afternoon. The company posted a short note. Engineers worked on a fix. A spokesperson declined to comment. Later, users in Brazil and Japan reported issues joining calls. The firm's shares were flat.",
            published: Some(utc("2025-04-16T22:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        let r = extract(&input).expect("an outage");
        let regions: Vec<&str> = r.regions.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(regions, vec!["Brazil", "Japan"]);
    }

    /// The platform a statement was posted on, and the blog host a story sits on, are not
    /// the vendor; a contraction ("Here’s") is no possessive name.
    #[test]
    fn the_platform_a_statement_was_posted_on_is_not_the_vendor() {
        let input = PressInput {
            title: "",
            text: "The Optus network outage that began on Wednesday cut phones across Australia. Here’s what happened next. In a Twitter post, the company said engineers were working on it. Optus said on X that services were restored by the evening.",
            published: Some(utc("2023-11-09T12:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        let r = extract(&input).expect("an outage");
        assert_eq!(r.vendor.value, "Optus");
        let input = PressInput {
            title: "That Slack outage: what caused it",
            text: "Slack went down on the morning of January 4. Messages failed to load for hours. We began to see errors around 6:00 a.m. PST, the company said.",
            published: Some(utc("2021-01-23T12:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: Some("https://medium.com/@someone/that-slack-outage"),
        };
        let r = extract(&input).expect("an outage");
        assert_eq!(r.vendor.value, "Slack");
    }

    /// "Outage analysis" titles a survey, unless the headline names the one day it tells.
    #[test]
    fn an_outage_analysis_of_one_day_is_a_report() {
        let input = PressInput {
            title: "March 4th, 2025: Heroku Global Outage Analysis",
            text: "Heroku was unusable from around 3:00am ET on March 4th. Our API could not reach its database until the evening. We moved our app elsewhere afterwards.",
            published: Some(utc("2025-03-20T12:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        assert_eq!(
            extract(&input).map(|r| r.vendor.value),
            Some("Heroku".into())
        );
        let input = PressInput {
            title: "Cloud outage analysis: what 2024 taught us",
            text: "Heroku went down twice last year and AWS had a bad day in Virginia. Outages cost money.",
            published: Some(utc("2025-03-20T12:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        assert_eq!(extract(&input), None);
    }

    /// A lead that says "on Tuesday" is a fresh report even when a later sentence recalls an
    /// older year.
    #[test]
    fn weekday_leads_are_fresh() {
        let input = PressInput {
            title: "Instagram and Facebook down for millions",
            text: "Facebook and Instagram went down on Tuesday, logging users out. The outage lasted about two hours. Users compared it to a longer Facebook outage in 2021, and again in 2021 the apps were down for six hours.",
            published: Some(utc("2024-03-06T09:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        let r = extract(&input).expect("an outage");
        assert_eq!(
            r.start.map(|s| crate::model::rfc3339(s.at)),
            Some("2024-03-05T00:00:00Z".into())
        );
    }

    #[test]
    fn earnings_story_is_not_an_outage() {
        let input = PressInput {
            title: "Salesforce revenue beats forecasts as investors cheer",
            text: "Salesforce reported quarterly revenue of $5bn. The company said downtime last year had no effect on renewals.",
            published: Some(utc("2019-05-30T00:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        assert_eq!(extract(&input), None);
    }

    #[test]
    fn older_outage_in_the_same_article_is_not_the_main_one() {
        let input = PressInput {
            title: "GitHub down for two hours",
            text: "GitHub went down on Tuesday, leaving developers unable to push code for two hours. A similar outage in 2018 lasted 24 hours and 11 minutes.",
            published: Some(utc("2020-06-30T18:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        let r = extract(&input).expect("an outage");
        assert_eq!(r.duration_minutes.map(|d| d.value), Some(120));
        assert_eq!(
            r.start.map(|s| crate::model::rfc3339(s.at)),
            Some("2020-06-30T00:00:00Z".into())
        );
    }

    #[test]
    fn hostile_text_never_panics_and_invents_no_dates() {
        for text in [
            "GitHub outage on 31 February 2019 at 25:99 UTC, down for 99999999999999999999 hours.",
            "AWS went down on 29 Feb 2019. Users unable to log in.",
            "Slack outage \u{202e}\u{1b}[31m yesterday 0:00 UTC until 23:59 UTC.",
            "",
            "Outage.",
        ] {
            let got = extract(&PressInput {
                title: "Outage",
                text,
                published: Some(utc("9999-12-30T00:00:00Z")),
                vendor_hint: None,
                publisher: None,
                url: None,
            });
            if let Some(r) = got {
                if let Some(s) = &r.start {
                    assert!(s.at <= utc("9999-12-31T00:00:00Z"));
                }
            }
        }
        let r = extract(&PressInput {
            title: "AWS outage",
            text: "AWS went down on 29 Feb 2019 and users were unable to log in.",
            published: Some(utc("2019-03-05T00:00:00Z")),
            vendor_hint: None,
            publisher: None,
            url: None,
        })
        .expect("an outage");
        assert_eq!(r.start, None);
    }

    #[test]
    fn unlisted_vendor_named_by_possessive() {
        let r = extract(&PressInput {
            title: "",
            text: "Sending multicast traffic without configuring switches took down Etsy's site for two hours. Etsy said users could not reach the service.",
            published: None,
            vendor_hint: None,
 publisher: None,
 url: None,
        })
        .expect("an outage");
        assert_eq!(r.vendor.value, "Etsy");
        assert_eq!(r.duration_minutes.map(|d| d.value), Some(120));
    }

    #[test]
    fn cause_categories_from_phrases() {
        assert_eq!(
            categorise_cause("a configuration change"),
            CauseCategory::Configuration
        );
        assert_eq!(
            categorise_cause("a DDoS attack"),
            CauseCategory::SecurityAttack
        );
        assert_eq!(
            categorise_cause("an internal software error and not the result of an attack"),
            CauseCategory::Bug
        );
        assert_eq!(
            categorise_cause("datacenter power outage after storm"),
            CauseCategory::HardwarePower
        );
        assert_eq!(
            categorise_cause("DNS problems with DynamoDB"),
            CauseCategory::NetworkDnsBgp
        );
        assert_eq!(
            categorise_cause("a sudden traffic spike"),
            CauseCategory::Capacity
        );
        assert_eq!(
            categorise_cause("an outage at a third-party provider"),
            CauseCategory::DependencyUpstream
        );
        assert_eq!(
            categorise_cause("reasons it did not give"),
            CauseCategory::Unknown
        );
    }

    #[test]
    fn evaluation_counts_each_field() {
        let items = vec![
            LabelledItem {
                source: "written: unit test".into(),
                title: "Slack down for 49 minutes".into(),
                text: "Slack went down on Monday for 49 minutes after a configuration change, leaving users in Europe unable to send messages.".into(),
                corpus: None,
                published: Some("2022-02-22".into()),
                is_outage: true,
                vendor: Some("Slack".into()),
                start: Some("2022-02-21".into()),
                duration_minutes: Some(49),
                regions: vec!["Europe".into()],
                services: vec![],
                cause_category: Some(CauseCategory::Configuration),
            },
            LabelledItem {
                source: "written: unit test".into(),
                title: "Slack launches new huddles feature".into(),
                text: "Slack unveils a new version of huddles.".into(),
                corpus: None,
                published: Some("2022-02-22".into()),
                is_outage: false,
                vendor: None,
                start: None,
                duration_minutes: None,
                regions: vec![],
                services: vec![],
                cause_category: None,
            },
        ];
        let r = evaluate(&items);
        assert_eq!(
            r.detection,
            FieldScore {
                predicted: 1,
                expected: 1,
                correct: 1
            }
        );
        assert_eq!(
            r.vendor,
            FieldScore {
                predicted: 1,
                expected: 1,
                correct: 1
            }
        );
        assert_eq!(
            r.start,
            FieldScore {
                predicted: 1,
                expected: 1,
                correct: 1
            }
        );
        assert_eq!(
            r.duration,
            FieldScore {
                predicted: 1,
                expected: 1,
                correct: 1
            }
        );
        assert_eq!(
            r.regions,
            FieldScore {
                predicted: 1,
                expected: 1,
                correct: 1
            }
        );
        assert_eq!(
            r.cause,
            FieldScore {
                predicted: 1,
                expected: 1,
                correct: 1
            }
        );
        assert!(r.misclassified.is_empty());
    }

    /// Sub-windows in one clause are read by the shared window reader, relative days by the
    /// press date reader: each reads what the other cannot.
    #[test]
    fn stated_windows_from_both_readers() {
        let published = Some(utc("2021-10-07T12:00:00Z"));
        let spans = extract(&PressInput {
            title: "GitHub outage disrupts Git operations",
            text: "GitHub suffered an outage that left users unable to push code. Between 02:20 to 03:30 and 04:07 to 04:52 UTC on 4 October, error rates rose for Git operations.",
            published,
            vendor_hint: None,
 publisher: None,
 url: None,
        })
        .expect("an outage");
        assert_eq!(
            spans.start.map(|s| crate::model::rfc3339(s.at)).as_deref(),
            Some("2021-10-04T02:20:00Z")
        );
        assert_eq!(
            spans.end.map(|e| crate::model::rfc3339(e.value)).as_deref(),
            Some("2021-10-04T04:52:00Z")
        );
        let relative = extract(&PressInput {
            title: "Slack outage leaves users unable to send messages",
            text: "Slack suffered an outage that left users unable to send messages. The outage lasted from 9am to 11am Pacific time yesterday.",
            published,
            vendor_hint: None,
 publisher: None,
 url: None,
        })
        .expect("an outage");
        assert_eq!(
            relative
                .start
                .map(|s| crate::model::rfc3339(s.at))
                .as_deref(),
            Some("2021-10-06T16:00:00Z")
        );
        assert_eq!(
            relative
                .end
                .map(|e| crate::model::rfc3339(e.value))
                .as_deref(),
            Some("2021-10-06T18:00:00Z")
        );
    }

    #[test]
    fn first_person_post_mortem_is_the_publishers() {
        let text = "Between 14:00 UTC and 15:10 UTC on 5 May 2024, customers experienced \
                    elevated errors. Our engineers rolled back a configuration change. We \
                    apologize for the impact this caused.";
        let input = PressInput {
            title: "Incident report: elevated errors on 5 May",
            text,
            published: None,
            vendor_hint: None,
            publisher: None,
            url: Some("https://www.fastly.com/blog/summary-of-may-5-incident"),
        };
        let r = extract(&input).expect("a post-mortem");
        assert_eq!(r.vendor.value, "Fastly");
        assert_eq!(r.duration_minutes.map(|d| d.value), Some(70));
        let by_site = extract(&PressInput {
            publisher: Some("Cloudflare"),
            url: None,
            ..input
        })
        .expect("a post-mortem");
        assert_eq!(by_site.vendor.value, "Cloudflare");
    }

    #[test]
    fn products_of_a_cloud_arm_name_it_over_the_parent() {
        let r = extract(&PressInput {
            title: "",
            text: "Google suffered an outage on Friday: BigQuery and Cloud Spanner returned \
                   errors for three hours. Customers were unable to run queries.",
            published: Some(utc("2022-07-02T00:00:00Z")),
            ..PressInput::default()
        })
        .expect("an outage");
        assert_eq!(r.vendor.value, "Google Cloud");
        let services: Vec<&str> = r.services.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(services, vec!["BigQuery", "Cloud Spanner"]);
    }

    #[test]
    fn next_update_promises_are_not_onsets() {
        let r = extract(&PressInput {
            title: "",
            text: "We are experiencing an issue with Google BigQuery.\nWe will provide an \
                   update by Friday, 2022-07-01 07:50 US/Pacific with current details.\nThe \
                   issue with Google BigQuery has been resolved for all affected users as of \
                   Friday, 2022-07-01 12:23 US/Pacific.",
            ..PressInput::default()
        })
        .expect("an incident report");
        let start = r.start.expect("the day it was under way");
        assert_eq!(start.precision, Precision::Day);
        assert_eq!(start.at, utc("2022-07-01T00:00:00Z"));
        assert_eq!(r.end, None);
    }

    #[test]
    fn a_note_of_publication_is_not_the_onset() {
        let r = extract(&PressInput {
            title: "Summary of the AWS Service Event in the Sydney Region",
            text: "At 10:25 PM PDT on June 4th, our utility provider suffered a loss of power. \
                   As a result, EC2 instances lost power. By 1:00 AM PDT on June 5th, the \
                   instances were back online. This post was published on June 8th, 2016.",
            ..PressInput::default()
        })
        .expect("a post-mortem");
        let start = r.start.expect("an onset");
        assert_eq!(start.at, utc("2016-06-05T05:25:00Z"));
        assert_eq!(r.duration_minutes.map(|d| d.value), Some(155));
    }

    /// A multi-update incident report lists its products and states its length at the foot,
    /// far below the first sentences; products only mentioned in passing stay out.
    #[test]
    fn late_affected_list_and_labelled_duration_are_read() {
        let mut text = String::from(
            "We are experiencing an issue with Google Cloud Networking beginning on Friday, \
             2021-11-12 00:36 US/Pacific.\n",
        );
        for n in 0..30 {
            text.push_str(&format!(
                "Our engineering team continues to investigate the issue (note {n}).\n"
            ));
        }
        text.push_str(
            "(All Times US/Pacific)\n**Incident Start:** 12 November 2021 00:30\n\
             **Duration:** 1 day, 21 hours, 5 minutes\n**Affected Services and Features:**\n\
             * Cloud Endpoints\n* Google App Engine\n**Description:**\nThe fix was tested \
             the way BigQuery tests its releases.\n**Customer Impact:**\n* Cloud Spanner - \
             Affected customers experienced unavailable errors.\n",
        );
        let r = extract(&PressInput {
            title: "",
            text: &text,
            ..PressInput::default()
        })
        .expect("an incident report");
        assert_eq!(r.duration_minutes.map(|d| d.value), Some(2705));
        let services: Vec<&str> = r.services.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(
            services,
            vec![
                "Google Cloud Networking",
                "Cloud Endpoints",
                "App Engine",
                "Cloud Spanner"
            ]
        );
    }

    /// A Google Cloud incident report states its onset as a labelled field in the zone a note
    /// above it names; a later list of expected fix times ("Other regions - Tuesday,
    /// 2022-03-01 EOB") is no onset.
    #[test]
    fn labelled_incident_start_in_the_noted_zone_is_the_onset() {
        let r = extract(&PressInput {
            title: "",
            text: "(All Times US/Pacific)\n**Incident Start:** 21 February 2022 21:45\n\
                   **Duration:** 3 days, 14 hours, 37 minutes\n\
                   **Affected Services and Features:**\nGoogle BigQuery\n**Description:**\n\
                   Google BigQuery experienced elevated errors for streaming inserts.\n\
                   Other regions potentially impacted - Tuesday, 2022-03-01 EOB US/Pacific.",
            ..PressInput::default()
        })
        .expect("an incident report");
        assert_eq!(r.vendor.value, "Google Cloud");
        let start = r.start.expect("the labelled onset");
        assert_eq!(start.at, utc("2022-02-22T05:45:00Z"));
        assert_eq!(start.quote, "Incident Start:** 21 February 2022 21:45");
        assert_eq!(r.duration_minutes.map(|d| d.value), Some(5197));
    }

    /// "Running normally again" ends an outage as "resolved" does; a start and an end stated
    /// in different sentences give its length.
    #[test]
    fn end_stated_in_a_later_sentence_gives_the_length() {
        let r = extract(&PressInput {
            title: "Post-mortem: GitHub Actions outage",
            text: "On 12 January 2023 at 14:02 UTC, our engineers were paged after GitHub \
                   Actions jobs started failing. Jobs queued but never ran.\nWe rolled back \
                   the deployment, and at 16:40 UTC all jobs were running normally again.",
            ..PressInput::default()
        })
        .expect("a post-mortem");
        assert_eq!(r.start.map(|s| s.at), Some(utc("2023-01-12T14:02:00Z")));
        assert_eq!(r.duration_minutes.map(|d| d.value), Some(158));
    }

    /// "Cloud" in "Cloud Run" is part of a product's name, not an unlisted company.
    #[test]
    fn a_word_of_a_product_name_is_not_an_unlisted_vendor() {
        let r = extract(&PressInput {
            title: "Incident report: elevated errors on Cloud Run",
            text: "On March 3, 2020 Cloud Run returned errors from 14:02 to 16:40 US/Pacific. \
                   We apologize to our customers.",
            ..PressInput::default()
        })
        .expect("an incident report");
        assert_eq!(r.vendor.value, "Google Cloud");
        assert_eq!(r.duration_minutes.map(|d| d.value), Some(158));
    }

    /// A status-dashboard update stream gives clock times under the day its page shows, and
    /// names its cloud only by region id.
    #[test]
    fn dashboard_updates_read_on_the_publication_day_and_region_ids_name_the_cloud() {
        let r = extract(&PressInput {
            title: "[RESOLVED] Increased API Error Rates",
            text: "4:35 AM PST We are investigating increased API error rates in the US-EAST-1 \
                   Region.\n5:10 AM PST Between 4:35 AM and 5:05 AM PST we experienced \
                   increased API error rates in the US-EAST-1 Region. The issue has been \
                   resolved and the service is operating normally.",
            published: Some(utc("2021-12-22T12:35:00Z")),
            ..PressInput::default()
        })
        .expect("a dashboard event");
        assert_eq!(r.vendor.value, "AWS");
        assert_eq!(r.start.map(|s| s.at), Some(utc("2021-12-22T12:35:00Z")));
        assert_eq!(r.duration_minutes.map(|d| d.value), Some(30));
        let evening = extract(&PressInput {
            title: "[RESOLVED] Increased API Error Rates",
            text: "5:05 PM PDT We are investigating increased API error rates in the \
                   US-WEST-2 Region.",
            published: Some(utc("2021-07-15T00:05:00Z")),
            ..PressInput::default()
        })
        .expect("a dashboard event");
        assert_eq!(
            evening.start.map(|s| s.at),
            Some(utc("2021-07-15T00:05:00Z"))
        );
    }

    /// AWS Service Health Dashboard, Amazon ElastiCache (Ireland), posted 2021-08-06 02:19 UTC:
    /// the window's clock times are the previous day in PDT, not the UTC publication day.
    #[test]
    fn dayless_window_after_the_publication_is_read_on_the_day_before() {
        let r = extract(&PressInput {
            title: "[RESOLVED] Increased Error Rates",
            text: "7:19 PM PDT Between 6:22 PM and 7:31 PM PDT we experienced increased error \
                   rates for ElastiCache clusters in the EU-WEST-1 Region. The issue has been \
                   resolved and the service is operating normally.",
            published: Some(utc("2021-08-06T02:19:48Z")),
            ..PressInput::default()
        })
        .expect("a dashboard event");
        assert_eq!(r.start.map(|s| s.at), Some(utc("2021-08-06T01:22:00Z")));
        assert_eq!(r.duration_minutes.map(|d| d.value), Some(69));
    }

    /// Data-centre codes and words of the trade are no unlisted company.
    #[test]
    fn site_codes_are_not_unlisted_vendors() {
        let r = extract(&PressInput {
            title: "Event processing in TOR1",
            text: "Kestrel engineers identified an issue where event processing in TOR1 was \
                   delayed. TOR1 users of Kestrel were unable to see events for two hours. We \
                   apologize for the impact.",
            published: Some(utc("2024-03-01T00:00:00Z")),
            ..PressInput::default()
        })
        .expect("a post-mortem");
        assert_eq!(r.vendor.value, "Kestrel");
    }
}
