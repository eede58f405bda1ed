//! The press half of a crawl: news feeds -> candidate articles -> fetched pages -> press
//! incidents.
//!
//! A news feed carries hundreds of stories a week and few are outages, and article pages live on
//! servers that are not ours. So each feed item is screened on its title and summary first
//! ([`crate::extract::classify`], with a lower bar than for a whole article: the summary is short
//! and the page decides), and only candidates' pages are fetched, politely: the host's robots.txt
//! ([`crate::robots`], read once per host per run) is obeyed, requests to one host go one at a
//! time with a delay between them, and a page fetched before is asked for conditionally. A source
//! with `role = "press"` that answers with a page rather than a feed is a single article.
//!
//! This module fetches and parses; storing is the crawl's writer's job, so the results come back
//! as [`PressOutcome`] values and [`crate::crawl`] stores them like status documents.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::OnceCell;
use tokio::time::Instant;
use url::Url;

use crate::extract::classify::{VendorEvidence, classify};
use crate::extract::vendor::Gazetteer;
use crate::fetch::{FetchError, FetchOutcome, Fetched, Fetcher, Validators};
use crate::model::Format;
use crate::parse::feed::{self, FeedEntry};
use crate::parse::{self, ParseContext, ParseError, Parsed};
use crate::robots::Robots;
use crate::sources::Source;

/// Screening score at or above which a feed item's page is fetched. Lower than the article
/// threshold ([`crate::extract::classify::THRESHOLD`]): one outage word in a headline is worth a
/// look, and the full text is classified again after the fetch.
pub const SCREEN_THRESHOLD: i32 = 3;

/// The product token our user agent starts with, matched against robots.txt groups.
pub const ROBOTS_PRODUCT: &str = "outages";

/// Politeness and volume limits of the press crawl.
#[derive(Debug, Clone)]
pub struct PressConfig {
    /// Pause between two requests to the same host.
    pub delay: Duration,
    /// Candidate articles fetched per feed and run; the rest wait for the next run.
    pub max_articles_per_feed: usize,
}

impl Default for PressConfig {
    fn default() -> Self {
        PressConfig {
            delay: Duration::from_secs(1),
            max_articles_per_feed: 30,
        }
    }
}

/// What happened to one URL of the press crawl.
#[derive(Debug)]
pub enum PageOutcome {
    /// Fetched; `parsed` holds the press incidents of an article (none when it reports no
    /// outage), or nothing for a feed, whose items became articles.
    Fetched {
        fetched: Fetched,
        parsed: Result<Parsed, ParseError>,
    },
    /// 304: the stored copy is current.
    NotModified {
        validators: Validators,
    },
    Failed(FetchError),
    /// The host's robots.txt does not let us fetch it; nothing was requested.
    Disallowed,
}

/// One URL and its outcome.
#[derive(Debug)]
pub struct PageResult {
    pub url: String,
    pub outcome: PageOutcome,
}

/// The outcome of one press source: its own URL, then the articles its feed led to.
#[derive(Debug)]
pub struct PressOutcome {
    pub source: PageResult,
    pub articles: Vec<PageResult>,
    /// Feed items whose title and summary did not look like an outage report.
    pub screened_out: usize,
}

/// One run's press crawler: the robots.txt cache, the per-host pacing and the pages already
/// fetched, shared by every press source of the run.
pub struct PressCrawler<'f> {
    fetcher: &'f Fetcher,
    config: PressConfig,
    /// Validators of article pages fetched in earlier runs, by URL.
    known: HashMap<String, Validators>,
    robots: Mutex<HashMap<String, Arc<OnceCell<Robots>>>>,
    /// Per host: held for the whole of a request, so one host sees one request at a time; holds
    /// when the last one finished.
    hosts: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Instant>>>>>,
    /// Article URLs handled this run, so two feeds linking one story fetch it once.
    seen: Mutex<HashSet<String>>,
}

impl<'f> PressCrawler<'f> {
    pub fn new(
        fetcher: &'f Fetcher,
        config: PressConfig,
        known: HashMap<String, Validators>,
    ) -> Self {
        PressCrawler {
            fetcher,
            config,
            known,
            robots: Mutex::new(HashMap::new()),
            hosts: Mutex::new(HashMap::new()),
            seen: Mutex::new(HashSet::new()),
        }
    }

    /// Crawls one press source: a news feed (screened items' articles are fetched) or a single
    /// article page.
    pub async fn crawl_source(&self, source: &Source, validators: &Validators) -> PressOutcome {
        let mut outcome = PressOutcome {
            source: PageResult {
                url: source.url.clone(),
                outcome: PageOutcome::Disallowed,
            },
            articles: Vec::new(),
            screened_out: 0,
        };
        let fetched = match self
            .polite_get(&source.url, validators, source.allow_private)
            .await
        {
            None => return outcome,
            Some(Err(e)) => {
                outcome.source.outcome = PageOutcome::Failed(e);
                return outcome;
            }
            Some(Ok(FetchOutcome::NotModified { validators, .. })) => {
                outcome.source.outcome = PageOutcome::NotModified { validators };
                return outcome;
            }
            Some(Ok(FetchOutcome::Fetched(f))) => f,
        };
        let format = source.kind.or_else(|| parse::detect(&fetched.body));
        if matches!(format, Some(Format::Article | Format::Text)) {
            let ctx = ParseContext {
                url: Some(source.url.clone()),
                vendor: source.vendor.clone(),
                published: None,
                format,
            };
            let parsed = parse_page(fetched.body.clone(), ctx).await;
            outcome.source.outcome = PageOutcome::Fetched { fetched, parsed };
            return outcome;
        }
        let ctx = ParseContext {
            url: Some(fetched.final_url.clone()),
            ..ParseContext::default()
        };
        let document = match feed::read(&fetched.body, &ctx, Format::Feed) {
            Ok(d) => d,
            Err(e) => {
                outcome.source.outcome = PageOutcome::Fetched {
                    fetched,
                    parsed: Err(e),
                };
                return outcome;
            }
        };
        outcome.source.outcome = PageOutcome::Fetched {
            fetched,
            parsed: Ok(Parsed {
                format: Format::Feed,
                incidents: Vec::new(),
                repaired: None,
            }),
        };
        let mut candidates = Vec::new();
        for entry in document.entries {
            if !may_report_outage(&entry.title, &entry.text) {
                outcome.screened_out += 1;
                continue;
            }
            let Some(link) = entry.link.clone() else {
                continue;
            };
            if candidates.len() < self.config.max_articles_per_feed && self.first_visit(&link) {
                candidates.push((link, entry));
            }
        }
        for (link, entry) in candidates {
            let result = self.article(&link, &entry, source).await;
            outcome.articles.push(result);
        }
        outcome
    }

    /// Fetches and parses one candidate article; the feed item's time stands in for a page that
    /// states none.
    async fn article(&self, link: &str, entry: &FeedEntry, source: &Source) -> PageResult {
        let validators = self.known.get(link).cloned().unwrap_or_default();
        let outcome = match self
            .polite_get(link, &validators, source.allow_private)
            .await
        {
            None => PageOutcome::Disallowed,
            Some(Err(e)) => PageOutcome::Failed(e),
            Some(Ok(FetchOutcome::NotModified { validators, .. })) => {
                PageOutcome::NotModified { validators }
            }
            Some(Ok(FetchOutcome::Fetched(fetched))) => {
                // A vendor's own blog feed names its vendor: its post-mortems are about it.
                let ctx = ParseContext {
                    url: Some(link.to_string()),
                    vendor: source.vendor.clone(),
                    published: entry.reference_time(),
                    format: None,
                };
                let parsed = parse_page(fetched.body.clone(), ctx).await;
                PageOutcome::Fetched { fetched, parsed }
            }
        };
        PageResult {
            url: link.to_string(),
            outcome,
        }
    }

    /// True the first time a URL is offered this run.
    fn first_visit(&self, url: &str) -> bool {
        let mut seen = match self.seen.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        seen.insert(url.to_string())
    }

    /// GETs `url` if robots.txt allows it (`None` when it does not), one request at a time per
    /// host with the configured delay between requests.
    async fn polite_get(
        &self,
        url: &str,
        validators: &Validators,
        allow_private: bool,
    ) -> Option<Result<FetchOutcome, FetchError>> {
        let parsed = match Url::parse(url) {
            Ok(u) => u,
            Err(e) => {
                return Some(Err(FetchError::BadUrl {
                    url: url.to_string(),
                    message: e.to_string(),
                }));
            }
        };
        let robots = self.robots_for(&parsed, allow_private).await;
        let mut path = parsed.path().to_string();
        if let Some(q) = parsed.query() {
            path.push('?');
            path.push_str(q);
        }
        if !robots.allows(&path) {
            tracing::info!(%url, "disallowed by robots.txt");
            return None;
        }
        Some(self.paced_get(&parsed, validators, allow_private).await)
    }

    async fn paced_get(
        &self,
        url: &Url,
        validators: &Validators,
        allow_private: bool,
    ) -> Result<FetchOutcome, FetchError> {
        let slot = {
            let mut hosts = match self.hosts.lock() {
                Ok(h) => h,
                Err(poisoned) => poisoned.into_inner(),
            };
            hosts.entry(origin(url)).or_default().clone()
        };
        let mut last = slot.lock().await;
        if let Some(done) = *last {
            tokio::time::sleep_until(done + self.config.delay).await;
        }
        let result = self
            .fetcher
            .get(url.as_str(), validators, allow_private)
            .await;
        *last = Some(Instant::now());
        result
    }

    /// The robots.txt rules of `url`'s host, fetched once per run (RFC 9309: 4xx allows all,
    /// 5xx or no answer disallows all).
    async fn robots_for(&self, url: &Url, allow_private: bool) -> Robots {
        let key = origin(url);
        let cell = {
            let mut cache = match self.robots.lock() {
                Ok(c) => c,
                Err(poisoned) => poisoned.into_inner(),
            };
            cache.entry(key.clone()).or_default().clone()
        };
        cell.get_or_init(|| async {
            let mut robots_url = url.clone();
            robots_url.set_path("/robots.txt");
            robots_url.set_query(None);
            robots_url.set_fragment(None);
            let answer = self
                .paced_get(&robots_url, &Validators::default(), allow_private)
                .await;
            match answer {
                Ok(FetchOutcome::Fetched(f)) => Robots::parse(&f.body, ROBOTS_PRODUCT),
                // Nothing was cached, so a 304 is a confused server: like a missing file.
                Ok(FetchOutcome::NotModified { .. }) => Robots::AllowAll,
                Err(FetchError::Status { status, .. }) if (400..500).contains(&status) => {
                    Robots::AllowAll
                }
                Err(e) => {
                    tracing::warn!(host = %key, error = %e, "robots.txt unavailable: host skipped this run");
                    Robots::DisallowAll
                }
            }
        })
        .await
        .clone()
    }
}

/// Scheme, host and port: the unit robots.txt and pacing apply to.
fn origin(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// Whether a feed item's title and summary may be about an outage: worth fetching its page.
pub fn may_report_outage(title: &str, summary: &str) -> bool {
    let text = format!("{title}\n{summary}");
    let evidence = if Gazetteer::builtin().find_in_text(&text).is_empty() {
        VendorEvidence::None
    } else {
        VendorEvidence::Listed
    };
    classify(title, summary, "", evidence, false, false).score >= SCREEN_THRESHOLD
}

/// Parses a fetched page on the blocking pool. A page that is neither HTML nor text (a PDF, a
/// feed where an article was linked) is an error.
async fn parse_page(body: Vec<u8>, ctx: ParseContext) -> Result<Parsed, ParseError> {
    tokio::task::spawn_blocking(move || {
        let format = ctx.format.or_else(|| parse::detect(&body));
        match format {
            Some(Format::Article | Format::Text) => parse::parse(
                &body,
                &ParseContext {
                    format,
                    ..ctx.clone()
                },
            ),
            _ => Err(ParseError::Unrecognised(
                "a press link that is not an article page".into(),
            )),
        }
    })
    .await
    .unwrap_or_else(|e| Err(ParseError::Unrecognised(format!("parser crashed: {e}"))))
}
