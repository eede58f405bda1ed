//! Is this text reporting an actual service outage? News copy uses "downtime" and "outage" for
//! many things that are not one: earnings calls, product launches, advice on status pages,
//! security breaches with no downtime, surveys of outage costs. The decision is a sum of
//! weighted cues, each kept with where it was found, so every verdict can be explained.
//!
//! Weights: an outage phrase counts 3 in the title, 2 in the lead, 1 in the body (each phrase
//! once, capped per place); a general failure word ("crash", "failed") 2 up front, 1 in the
//! body; an impact phrase ("unable to", "error rates", "restored") 1; a causal link ("caused",
//! "led to") 2 once when a failure is named; a causal link followed by an effect on a service
//! ("caused the fleet to overwhelm resources", "leading to elevated queue times") in a lead
//! that names a service 3; no service noun ("users", "API", "servers" ...)
//! anywhere -3; a named vendor 1, none -2; a post-mortem phrase ("root cause", "incident
//! report", "we apologize", "customers experienced") 3; an impact window stated in prose
//! ("Between 16:15 UTC and 22:20 UTC on 21 Nov 2016") 3; a statement of no impact ("no
//! downtime", "not affected") -4; a negative cue (earnings, launch, advice, breach,
//! hypothetical, survey) -3 in the title and -2 in the lead. A text is an outage report at
//! [`THRESHOLD`] or more.

/// Score at or above which a text reports an outage.
pub const THRESHOLD: i32 = 5;

/// Score at or above which a text reports an outage with no outage word in its title or lead.
const BODY_THRESHOLD: i32 = 9;

/// Where in the document a cue was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Title,
    Lead,
    Body,
}

/// One piece of evidence and its weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    pub phrase: &'static str,
    pub place: Place,
    pub weight: i32,
}

/// The verdict with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub is_outage: bool,
    pub score: i32,
    pub cues: Vec<Cue>,
}

impl Classification {
    /// "outage(title)+3, unable to(lead)+1, ..." for logs and reports.
    pub fn explain(&self) -> String {
        self.cues
            .iter()
            .map(|c| format!("{}({:?}){:+}", c.phrase, c.place, c.weight))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

const OUTAGE: &[&str] = &[
    "outage",
    "outages",
    "went down",
    "goes down",
    "go down",
    "gone down",
    "was down",
    "were down",
    "is down",
    "are down",
    "down for",
    "down again",
    "offline",
    "went offline",
    "disruption",
    "disruptions",
    "disrupted",
    "disrupts",
    "disrupting",
    "interruption",
    "downtime",
    "unavailable",
    "unavailability",
    "borks",
    "borked",
    "glitch",
    "glitches",
    "blackout",
    "fell over",
    "falls over",
    "not working",
    "stopped working",
    "knocked out",
    "knocks out",
    "taken down",
    "takes down",
    "took down",
    "taking down",
    "brought down",
    "brings down",
    "service issues",
    "connectivity issues",
    "degraded",
    "degradation",
    "service event",
    "post-incident",
    "locked out",
    "unreachable",
    "inaccessible",
    "unresponsive",
    "error rates",
    "elevated error",
    "increased latency",
];

/// Failure words that are not specific to services ("helicopter crash", "engine failure"):
/// evidence only beside a named cause and a service word.
const FAILURE: &[&str] = &[
    "incident",
    "failure",
    "failures",
    "failed",
    "broke",
    "breaks",
    "broken",
    "suffered",
    "hit by",
    "problems",
    "fail",
    "fails",
    "failing",
    "crash",
    "crashed",
    "crashes",
    "crashing",
    "data loss",
    "malfunction",
    "stopped",
    "severed",
];

/// Words that tie a failure to a cause, as incident write-ups do ("a bad config caused ...").
const CAUSAL: &[&str] = &[
    "caused",
    "causing",
    "led to",
    "lead to",
    "leading to",
    "resulted in",
    "resulting in",
    "due to",
    "triggered",
    "because of",
];

/// Effects on a running service, as one-paragraph post-mortem summaries state them after a
/// causal link ("a bad config caused the fleet to overwhelm resources", "leading to elevated
/// build queue times"): the link and the effect together say a service was hit, even where
/// no outage word is used.
const EFFECT: &[&str] = &[
    "unavailable",
    "unreachable",
    "inaccessible",
    "offline",
    "froze",
    "frozen",
    "out of memory",
    "lack of capacity",
    "queue times",
    "timeouts",
    "wiped out",
    "took out",
    "took down",
    "collapse",
    "overwhelm",
    "overloaded",
    "exhausted",
    "stalled",
    "dying",
    "to fail",
    "to crash",
    "elevated errors",
    "error rates",
    "outage",
    "downtime",
    "degraded",
    "blocked",
];

/// Nouns of running services; a text naming none is not about a service outage (an airliner's
/// engines failing, a desktop app's bug).
const SERVICE_CONTEXT: &[&str] = &[
    "service",
    "services",
    "users",
    "customers",
    "website",
    "websites",
    "site",
    "sites",
    "api",
    "requests",
    "server",
    "servers",
    "data center",
    "datacenter",
    "data centre",
    "platform",
    "network",
    "database",
    "cluster",
    "region",
    "traffic",
    "dns",
    "cloud",
    "infrastructure",
    "production",
    "internet",
    "online",
    "systems",
    "system",
    "portal",
    "email",
    "voicemail",
    "app",
    "apps",
    "storage",
    "load balancer",
    "builds",
    "deployments",
    "router",
    "routers",
    "datacenters",
    "data centers",
    "backbone",
    "properties",
    "queries",
    "vms",
    "instances",
    "dynos",
    "hosts",
    "nodes",
    "edge",
    "cdn",
    "firewall",
    "downloads",
    "url",
    "bgp",
    "computers",
    "pcs",
];

const IMPACT: &[&str] = &[
    "unable to",
    "could not",
    "couldn't",
    "cannot",
    "can't",
    "error rates",
    "elevated errors",
    "errors",
    "failed to",
    "were affected",
    "was affected",
    "affected customers",
    "impacted",
    "impacting",
    "restored",
    "recovered",
    "recovery",
    "back online",
    "back up",
    "mitigated",
    "mitigation",
    "root cause",
    "post-mortem",
    "postmortem",
    "downdetector",
    "status page",
    "timeouts",
    "latency",
    "packet loss",
    "customers",
    "users",
];

/// Words that only outage write-ups use: headings and names of post-mortems, and the
/// apologies and impact statements of vendors' own incident reports.
pub(crate) const POSTMORTEM: &[&str] = &[
    "root cause",
    "incident start",
    "affected services and features",
    "post-mortem",
    "postmortem",
    "post-incident",
    "incident report",
    "incident review",
    "service event",
    "service disruption",
    "summary of the",
    "rca",
    "## impact",
    "## duration",
    "## root cause",
    "post incident review",
    "summary of impact",
    "impact statement",
    "incident summary",
    "issue summary",
    "service event summary",
    "we apologize",
    "we apologise",
    "we sincerely apologize",
    "we sincerely apologise",
    "we deeply apologize",
    "apologize to all who are affected",
    "apologize for the impact",
    "apologise for the impact",
    "experiencing an issue",
    "experiencing issues",
    "customers experienced",
    "customers may have experienced",
    "customers may experience",
    "customers were impacted",
    "users experienced",
    // A vendor's own status updates ("We are investigating increased error rates ...").
    "we are investigating increased",
    "we are investigating elevated",
    "we are investigating delays",
    "we are investigating an issue",
    "we are investigating intermittent",
    "we experienced increased",
    "we experienced elevated",
];

/// Statements that the event in the story did not take anything down.
const NO_IMPACT: &[&str] = &[
    "no downtime",
    "not affected",
    "was not affected",
    "were not affected",
    "no impact",
    "no customer impact",
    "remained available",
    "respondents",
];

const NEGATIVE: &[&str] = &[
    "earnings",
    "revenue",
    "quarterly",
    "profit",
    "fiscal",
    "shares rose",
    "shares fell",
    "stock price",
    "investors",
    "acquisition",
    "acquires",
    "launches",
    "unveils",
    "introduces",
    "release candidate",
    "preview",
    "now available",
    "general availability",
    "new version",
    "new feature",
    "roadmap",
    "how to",
    "tips",
    "best practices",
    "checklist",
    "template",
    "status updates",
    "should you",
    "breach",
    "data leak",
    "leaked",
    "stolen",
    "vulnerability",
    "phishing",
    "in case of",
    "prepare for",
    "avoid downtime",
    "zero downtime",
    "zero-downtime",
    "without downtime",
    "minimise downtime",
    "minimize downtime",
    "reduce downtime",
    "survey",
    "study",
    "cost of downtime",
    "insurance",
    "lawsuit",
    "review:",
    "hands-on",
];

/// Scores a document. `lead` is the first sentences of the body, `body` all of it.
/// How the text names the company it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VendorEvidence {
    /// A vendor from the gazetteer.
    Listed,
    /// A name found by the capitalised-word heuristic: weaker evidence.
    Unlisted,
    /// No company named.
    None,
}

/// `cause_named`: the lead names a kind of cause ("a bad config", "a power failure"), which
/// incident write-ups do and other stories about failures rarely do.
///
/// An outage or post-mortem word must appear in the title or the lead: a long article that
/// mentions a crash in its tenth paragraph is not an outage report.
pub fn classify(
    title: &str,
    lead: &str,
    body: &str,
    vendor: VendorEvidence,
    cause_named: bool,
    window_stated: bool,
) -> Classification {
    let title = title.to_lowercase();
    let lead = lead.to_lowercase();
    let body = body.to_lowercase();
    let text = format!("{lead}\n{body}");
    let all = format!("{title}\n{text}");
    let mut cues = Vec::new();
    add_cues(&mut cues, OUTAGE, &title, Place::Title, 3, 6);
    add_cues(&mut cues, OUTAGE, &lead, Place::Lead, 2, 4);
    add_cues(&mut cues, OUTAGE, &body, Place::Body, 1, 3);
    let strong_up_front = cues
        .iter()
        .any(|c| matches!(c.place, Place::Title | Place::Lead));
    let before_weak = cues.len();
    add_cues(&mut cues, FAILURE, &title, Place::Title, 2, 2);
    add_cues(&mut cues, FAILURE, &lead, Place::Lead, 2, 2);
    add_cues(&mut cues, FAILURE, &body, Place::Body, 1, 2);
    let weak_up_front = cues
        .iter()
        .skip(before_weak)
        .any(|c| matches!(c.place, Place::Title | Place::Lead));
    let service_in_lead = SERVICE_CONTEXT
        .iter()
        .any(|w| contains_phrase(&format!("{title}\n{lead}"), w));
    // The effect must be on a service: "excessive vibration caused engines to fail" is not.
    let effect_stated = service_in_lead && states_effect(&lead);
    if effect_stated {
        cues.push(Cue {
            phrase: "effect on service stated",
            place: Place::Lead,
            weight: 3,
        });
    }
    if !cues.is_empty() {
        add_cues(&mut cues, CAUSAL, &text, Place::Body, 2, 2);
        if cause_named {
            cues.push(Cue {
                phrase: "cause named",
                place: Place::Lead,
                weight: 2,
            });
        }
    }
    add_cues(&mut cues, IMPACT, &text, Place::Body, 1, 4);
    add_cues(&mut cues, POSTMORTEM, &all, Place::Body, 3, 6);
    add_cues(&mut cues, NO_IMPACT, &text, Place::Body, -4, -8);
    add_cues(&mut cues, NEGATIVE, &title, Place::Title, -3, -9);
    add_cues(&mut cues, NEGATIVE, &lead, Place::Lead, -2, -6);
    // "Outage" and "downtime" are only said of services.
    let service_word = ["outage", "outages", "downtime"]
        .iter()
        .any(|w| contains_phrase(&all, w));
    if !service_word && !SERVICE_CONTEXT.iter().any(|w| contains_phrase(&all, w)) {
        cues.push(Cue {
            phrase: "no service named",
            place: Place::Body,
            weight: -3,
        });
    }
    // "Between 16:15 UTC and 22:20 UTC on 21 Nov 2016": vendors' reports state the impact
    // window; news copy about other things rarely does.
    if window_stated {
        cues.push(Cue {
            phrase: "impact window stated",
            place: Place::Body,
            weight: 3,
        });
    }
    let (phrase, weight) = match vendor {
        VendorEvidence::Listed => ("vendor named", 1),
        VendorEvidence::Unlisted => ("unlisted vendor named", 0),
        VendorEvidence::None => ("no vendor named", -2),
    };
    cues.push(Cue {
        phrase,
        place: Place::Body,
        weight,
    });
    // Up front: a service-outage word in the title or lead, a post-mortem word anywhere, or a
    // general failure word in the title or lead beside a named cause (or a causal verb) and a
    // service word ("A bad config caused a quota service to fail").
    let causal_in_lead = CAUSAL.iter().any(|w| contains_phrase(&lead, w));
    let up_front = strong_up_front
        || effect_stated
        || window_stated
        || cues.iter().any(|c| POSTMORTEM.contains(&c.phrase))
        || (weak_up_front && (cause_named || causal_in_lead) && service_in_lead);
    let score = cues.iter().map(|c| c.weight).sum();
    // Articles that open on something else ("It was a mistake.", a scene, a quote) tell the
    // outage further down: enough evidence in the body stands on its own.
    let up_front = up_front || score >= BODY_THRESHOLD;
    Classification {
        is_outage: up_front && score >= THRESHOLD,
        score,
        cues,
    }
}

/// True when the lead ties a cause to an effect on a service: a causal link followed, later in
/// the text, by an [`EFFECT`] phrase ("... caused all servers in the fleet to exceed ...
/// Multiple critical downstream services were unavailable" reads the same as "causing an
/// outage").
fn states_effect(lead: &str) -> bool {
    CAUSAL.iter().any(|c| {
        find_phrase(lead, c).is_some_and(|at| {
            let rest = lead.get(at..).unwrap_or("");
            EFFECT.iter().any(|e| contains_phrase(rest, e))
        })
    })
}

/// Adds each phrase found in `text` once, with `weight`, until the place's total reaches `cap`.
fn add_cues(
    cues: &mut Vec<Cue>,
    phrases: &'static [&'static str],
    text: &str,
    place: Place,
    weight: i32,
    cap: i32,
) {
    let mut total = 0;
    for phrase in phrases {
        if (cap > 0 && total >= cap) || (cap < 0 && total <= cap) {
            break;
        }
        if contains_phrase(text, phrase) {
            total += weight;
            cues.push(Cue {
                phrase,
                place,
                weight,
            });
        }
    }
}

/// Whole-word containment: "outage" is not found in "outages-free", "down" not in "download".
pub fn contains_phrase(text: &str, phrase: &str) -> bool {
    find_phrase(text, phrase).is_some()
}

/// Byte offset of the first whole-word occurrence of `phrase` in `text`.
fn find_phrase(text: &str, phrase: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(pos) = text.get(from..).and_then(|t| t.find(phrase)) {
        let start = from + pos;
        let end = start + phrase.len();
        let before_ok = text
            .get(..start)
            .and_then(|s| s.chars().next_back())
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = text
            .get(end..)
            .and_then(|s| s.chars().next())
            .is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            return Some(start);
        }
        from = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An article that opens on a scene tells the outage in its body; with that much evidence
    /// it is a report, while a body with a mention or two is not.
    #[test]
    fn a_report_that_opens_on_something_else_passes_on_its_body() {
        let c = classify(
            "The night the checkout stopped",
            "Nobody at the bakery knew what was wrong at first.",
            "The card terminals went down at 9 a.m. The outage was caused by a faulty update to the payment provider's servers, and customers were unable to pay until service was restored three hours later. Thousands of merchants saw error rates climb.",
            VendorEvidence::Listed,
            true,
            false,
        );
        assert!(c.is_outage, "{}", c.explain());
        let c = classify(
            "The night the bakery ran out of bread",
            "Nobody at the bakery knew what to do at first.",
            "Later that week the shop's website had a short outage.",
            VendorEvidence::Listed,
            false,
            false,
        );
        assert!(!c.is_outage, "{}", c.explain());
    }

    #[test]
    fn outage_report_passes_with_its_evidence() {
        let c = classify(
            "Salesforce suffers second outage in as many weeks",
            "Salesforce.com reportedly suffered its second outage yesterday in as many weeks.",
            "Customers in Europe, Asia Pacific and North America were affected for several hours and were unable to log in.",
            VendorEvidence::Listed,
            false,
            false,
        );
        assert!(c.is_outage, "{}", c.explain());
        assert_eq!(c.score, 11, "{}", c.explain());
        assert!(c.explain().starts_with("outage(Title)+3"));
    }

    #[test]
    fn pushed_update_crashing_computers_worldwide_is_an_outage() {
        let c = classify(
            "CrowdStrike update crashes Windows machines worldwide",
            "A faulty content update from cybersecurity firm CrowdStrike crashed millions of Windows computers worldwide on Friday, grounding flights and disrupting banks and hospitals.",
            "The defective update to its Falcon sensor was pushed at 04:09 UTC on 19 July and reverted 78 minutes later, the company said.",
            VendorEvidence::Listed,
            false,
            false,
        );
        assert!(c.is_outage, "{}", c.explain());
        assert!(c.explain().contains("disrupting(Lead)"), "{}", c.explain());
        assert!(!c.explain().contains("no service named"), "{}", c.explain());
    }

    #[test]
    fn earnings_story_mentioning_downtime_is_not_an_outage() {
        let c = classify(
            "Atlassian quarterly revenue beats forecasts",
            "Atlassian reported quarterly revenue of $1bn, and investors cheered.",
            "The company said last year's downtime had not hurt renewals.",
            VendorEvidence::Listed,
            false,
            false,
        );
        assert!(!c.is_outage, "{}", c.explain());
    }

    #[test]
    fn advice_on_status_updates_is_not_an_outage() {
        let c = classify(
            "How to write status updates during an outage",
            "Tips for incident communication: be clear about what users cannot do.",
            "An outage is stressful; a template helps.",
            VendorEvidence::None,
            false,
            false,
        );
        assert!(!c.is_outage, "{}", c.explain());
    }

    #[test]
    fn phrases_match_whole_words_only() {
        assert!(contains_phrase("the site went down.", "went down"));
        assert!(!contains_phrase("a download page", "down"));
        assert!(!contains_phrase("outages-free", "outage"));
    }

    #[test]
    fn vendor_report_with_a_stated_window_and_an_apology_is_an_outage() {
        let c = classify(
            "",
            "Between 03:00 EDT and 09:55 EDT on 21 Jul 2021, a subset of customers using Cognitive Services may have experienced difficulties connecting to resources.",
            "We apologize for the impact this caused.",
            VendorEvidence::Listed,
            false,
            true,
        );
        assert!(c.is_outage, "{}", c.explain());
        assert_eq!(c.score, 11, "{}", c.explain());
    }

    #[test]
    fn a_stated_window_alone_does_not_make_a_schedule_an_outage() {
        let c = classify(
            "Conference programme",
            "Talks run between 09:00 UTC and 17:00 UTC on 3 May 2024.",
            "Lunch is served at noon.",
            VendorEvidence::None,
            false,
            true,
        );
        assert!(!c.is_outage, "{}", c.explain());
    }

    /// A one-paragraph post-mortem summary ties a cause to an effect on a service without an
    /// outage word; a cause of a machine's failure is no service outage.
    #[test]
    fn cause_tied_to_an_effect_on_a_service_is_an_outage() {
        let summary = "a cascading error from an adjacent service lead to merchant \
                       authentication service being overloaded. this impacted merchants for ~2 hours.";
        let c = classify("", summary, summary, VendorEvidence::Listed, false, false);
        assert!(c.is_outage, "{}", c.explain());
        assert!(
            c.cues
                .iter()
                .any(|q| q.phrase == "effect on service stated")
        );
        let engines = "software alterations led to emergency landings after excessive \
                       vibration caused engines to fail.";
        let c = classify("", engines, engines, VendorEvidence::Listed, false, false);
        assert!(!c.is_outage, "{}", c.explain());
        assert!(
            !c.cues
                .iter()
                .any(|q| q.phrase == "effect on service stated")
        );
    }
}
