//! Press articles and vendors' post-mortems: an HTML page (or plain text) becomes its main text
//! plus metadata, and then, through [`crate::extract::press`], at most one outage incident.
//!
//! A news page is mostly not the article: navigation, promos, "most read" lists, comments,
//! cookie and newsletter boxes. The body is found the way readability-style extractors do it:
//! every text block scores its ancestors by length and commas, containers are weighted by
//! class/id hints (`article`, `content` vs `nav`, `comment`, `promo` ...) and by how much of their
//! text is link text, the best container wins, and siblings that look like more of the same
//! article join it. Schema.org markup (`[itemprop=articleBody]`, JSON-LD `articleBody`) is
//! preferred where present. Hostile pages are refused before html5ever sees them: a size cap
//! and a cheap nesting estimate keep a 1 MB page of nested `<div>`s from costing seconds of CPU.

use chrono::{DateTime, Utc};
use scraper::Html;

use super::{ParseContext, ParseError};
use crate::extract::dates::Precision;
use crate::extract::press::{self, PressInput, PressReport};
use crate::extract::text::{clean_text, one_line, truncate_chars};
use crate::model::{Format, Incident, ReportKind, SourceRef, Update, incident_id, slug};

mod guard;
mod main_text;
mod metadata;

pub use guard::{PageLimits, PageRefused, precheck};
use main_text::main_text;
use metadata::read_metadata;

/// Pages larger than this are refused unparsed: no real article needs more, and html5ever's
/// cost grows with size.
pub const MAX_PAGE_BYTES: usize = 5 * 1024 * 1024;

/// Estimated element nesting beyond which a page is refused (real pages stay under about 60;
/// deep nesting makes tree building quadratic).
pub const MAX_NESTING: usize = 400;

/// The limits article extraction applies.
pub const ARTICLE_LIMITS: PageLimits = PageLimits {
    max_bytes: MAX_PAGE_BYTES,
    max_nesting: MAX_NESTING,
};

/// Longest quote kept in a [`SourceRef`], in characters.
const QUOTE_CHARS: usize = 300;

/// A page reduced to what the press extractor reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub title: Option<String>,
    pub author: Option<String>,
    pub published: Option<DateTime<Utc>>,
    /// The page's own canonical link (`og:url`, `<link rel=canonical>`), when it has one.
    pub url: Option<String>,
    /// The site that published the page (`og:site_name`, `application-name`): the vendor of a
    /// first-person post-mortem on its own blog.
    pub site: Option<String>,
    /// Main text, one paragraph per line.
    pub text: String,
}

/// True when the document starts (after an XML prolog, comments and whitespace) with an HTML
/// doctype or `<html>`: a page, not a feed.
pub fn looks_like_html(head: &str) -> bool {
    let mut rest = head.trim_start_matches('\u{feff}').trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("<?") {
            let Some(end) = after.find("?>") else {
                return false;
            };
            rest = after[end + 2..].trim_start();
        } else if let Some(after) = rest.strip_prefix("<!--") {
            let Some(end) = after.find("-->") else {
                return false;
            };
            rest = after[end + 3..].trim_start();
        } else {
            break;
        }
    }
    let lower: String = rest
        .chars()
        .take(14)
        .collect::<String>()
        .to_ascii_lowercase();
    lower.starts_with("<!doctype html") || lower.starts_with("<html")
}

/// `parse` entry for [`Format::Article`]: the page's outage, or nothing when it reports none.
pub fn parse_html(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    let html = String::from_utf8_lossy(bytes);
    let article = extract_article(&html, ctx).map_err(|message| ParseError::Invalid {
        format: Format::Article,
        message,
    })?;
    Ok(to_incidents(&article, ctx))
}

/// `parse` entry for [`Format::Text`]: the first line is the title when it is short and has no
/// sentence end, the rest is the body.
pub fn parse_text(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    let raw = String::from_utf8_lossy(bytes);
    let text = clean_text(&raw);
    if text.trim().is_empty() {
        return Err(ParseError::Invalid {
            format: Format::Text,
            message: "the text is empty".into(),
        });
    }
    let (title, body) = press::plain_text_parts(&text);
    let article = Article {
        title: title.map(str::to_string),
        author: None,
        published: ctx.published,
        url: ctx.url.clone(),
        site: None,
        text: body.to_string(),
    };
    Ok(to_incidents(&article, ctx))
}

/// Main text and metadata of a page. Errors (as a message) when the page is too large, too
/// deeply nested, or has no text at all.
pub fn extract_article(html: &str, ctx: &ParseContext) -> Result<Article, String> {
    precheck(html.as_bytes(), ARTICLE_LIMITS).map_err(|e| e.to_string())?;
    let doc = Html::parse_document(html);
    let meta = read_metadata(&doc);
    let mut text = main_text(&doc, meta.title.as_deref());
    if let Some(body) = &meta.ld_body {
        // JSON-LD bodies are written for machines and have no boilerplate; take one when the
        // page's own markup yields clearly less (script-rendered or paywalled pages).
        if body.chars().count() > text.chars().count() * 2 && body.len() >= 200 {
            text = body.clone();
        }
    }
    if text.trim().is_empty() && meta.title.is_none() {
        return Err("the page has no readable text".into());
    }
    Ok(Article {
        title: meta.title,
        author: meta.author,
        published: meta.published.or(ctx.published),
        url: meta.url.or_else(|| ctx.url.clone()),
        site: meta.site,
        text,
    })
}

/// Converts an article's outage (if any) to the incident contract: one incident; cause = the
/// raw cause phrase; the one source is the article, quoting the sentence that gave the onset
/// (or the lead).
fn to_incidents(article: &Article, ctx: &ParseContext) -> Vec<Incident> {
    let input = PressInput {
        title: article.title.as_deref().unwrap_or(""),
        text: &article.text,
        published: article.published,
        vendor_hint: ctx.vendor.as_deref(),
        publisher: article.site.as_deref(),
        url: article.url.as_deref(),
    };
    let Some(report) = press::extract(&input) else {
        return Vec::new();
    };
    vec![report_to_incident(&report, article)]
}

fn report_to_incident(report: &PressReport, article: &Article) -> Incident {
    let quote = report
        .start
        .as_ref()
        .map(|f| f.quote.clone())
        .unwrap_or_else(|| report.lead.clone());
    // Week- and month-wide marks ("last week") are not an onset: leave the start unknown.
    let start = report
        .start
        .as_ref()
        .filter(|s| s.precision <= Precision::Day)
        .map(|s| s.at);
    let url = article.url.clone();
    // Stable across re-crawls: the article's link, else its title, else its lead sentence.
    let native = match (&url, article.title.as_deref()) {
        (Some(u), _) => format!("press-{}", short_hash(u)),
        (None, Some(t)) => format!("press-{}", short_hash(t)),
        (None, None) => format!("press-{}", short_hash(&report.lead)),
    };
    let end = report
        .end
        .as_ref()
        .map(|f| f.value)
        .filter(|_| start.is_some());
    let status = report.status;
    let mut updates = Vec::new();
    if let Some(published) = article.published {
        updates.push(Update {
            at: Some(published),
            status: "press report".into(),
            text: truncate_chars(&one_line(&report.lead), QUOTE_CHARS),
        });
    }
    Incident {
        id: incident_id(&report.vendor.value, &native),
        vendor: report.vendor.value.clone(),
        title: report.title.clone(),
        start,
        end,
        status,
        severity: report.severity.value,
        severity_native: report.severity.cue.clone(),
        regions: report.regions.iter().map(|f| f.value.clone()).collect(),
        services: report.services.iter().map(|f| f.value.clone()).collect(),
        cause: report.cause.as_ref().map(|f| f.value.clone()),
        updates,
        sources: vec![SourceRef {
            url,
            kind: ReportKind::Press,
            quote: Some(truncate_chars(&one_line(&quote), QUOTE_CHARS)),
        }],
        // A stated length stands on its own when the start is not known to the minute.
        stated_minutes: report.duration_minutes.as_ref().map(|d| d.value),
    }
}

/// FNV-1a over the bytes, as 16 hex digits: a short stable id part, not a security hash.
fn short_hash(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in slug(s).bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::metadata::parse_page_date;
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .expect("test time")
    }

    const PAGE: &str = r#"<!DOCTYPE html><html><head>
<title>Site | Cloud giant suffers outage</title>
<meta property="og:title" content="Cloud giant suffers outage">
<meta property="article:published_time" content="2019-05-18T09:30:00+01:00">
<meta name="author" content="Jane Doe">
<link rel="canonical" href="https://news.example/cloud-outage">
</head><body>
<nav class="site-nav"><a href="/">Home</a><a href="/tech">Tech news and more and more links</a></nav>
<div class="cookie-banner">We use cookies to improve your experience, accept them all now please.</div>
<article><h1>Cloud giant suffers outage</h1>
<p>Salesforce suffered a major outage on Friday, leaving customers in Europe and North America unable to log in.</p>
<p>The company said the disruption, which lasted about 15 hours, was caused by a database script, and that it had restored access.</p>
<div class="related-stories"><p>Read more: another unrelated story about phones and tablets and laptops.</p></div>
</article>
<div id="comments"><p>First comment: this is terrible, I could not work all day long at all.</p></div>
<footer><p>Copyright 2019 Example News, all rights reserved, everywhere.</p></footer>
</body></html>"#;

    #[test]
    fn article_body_excludes_navigation_promos_and_comments() {
        let a = extract_article(PAGE, &ParseContext::default()).expect("article");
        assert_eq!(
            a.text,
            "Salesforce suffered a major outage on Friday, leaving customers in Europe and North America unable to log in.\nThe company said the disruption, which lasted about 15 hours, was caused by a database script, and that it had restored access."
        );
        assert_eq!(a.title.as_deref(), Some("Cloud giant suffers outage"));
        assert_eq!(a.author.as_deref(), Some("Jane Doe"));
        assert_eq!(a.published, Some(utc("2019-05-18T08:30:00Z")));
        assert_eq!(a.url.as_deref(), Some("https://news.example/cloud-outage"));
    }

    #[test]
    fn json_ld_supplies_metadata_and_body() {
        let page = r#"<html><head><script type="application/ld+json">
{"@context":"https://schema.org","@graph":[{"@type":"WebPage"},{"@type":"NewsArticle","headline":"GitHub down for hours","datePublished":"2020-06-29T12:00:00Z","author":[{"@type":"Person","name":"A. Writer"}],"articleBody":"GitHub was down for several hours on Monday, the company said, after a configuration change broke its load balancers. Developers around the world were unable to push code, and the service recovered in the afternoon."}]}
</script></head><body><div id="app"></div></body></html>"#;
        let a = extract_article(page, &ParseContext::default()).expect("article");
        assert_eq!(a.title.as_deref(), Some("GitHub down for hours"));
        assert_eq!(a.author.as_deref(), Some("A. Writer"));
        assert_eq!(a.published, Some(utc("2020-06-29T12:00:00Z")));
        assert!(
            a.text
                .starts_with("GitHub was down for several hours on Monday")
        );
    }

    #[test]
    fn publication_falls_back_to_context() {
        let page = "<html><body><p>Nothing dated here, just a paragraph of text to read.</p></body></html>";
        let ctx = ParseContext {
            published: Some(utc("2021-01-02T03:04:05Z")),
            ..ParseContext::default()
        };
        let a = extract_article(page, &ctx).expect("article");
        assert_eq!(a.published, Some(utc("2021-01-02T03:04:05Z")));
    }

    #[test]
    fn deeply_nested_page_is_refused_quickly() {
        let page = format!(
            "<!doctype html><html><body>{}x{}</body></html>",
            "<div>".repeat(200_000),
            "</div>".repeat(200_000)
        );
        assert!(page.len() > 1_100_000);
        let started = std::time::Instant::now();
        let err = extract_article(&page, &ParseContext::default()).expect_err("refused");
        assert!(err.contains("too deeply nested"), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_millis(100));
    }

    #[test]
    fn oversized_page_is_refused() {
        let page = format!(
            "<html><body><p>{}</p></body></html>",
            "a ".repeat(3_000_000)
        );
        let err = extract_article(&page, &ParseContext::default()).expect_err("refused");
        assert!(err.starts_with("page too large"), "{err}");
    }

    #[test]
    fn unclosed_paragraphs_do_not_count_as_nesting() {
        let page = format!("<html><body>{}</body></html>", "<p>para".repeat(5000));
        assert_eq!(precheck(page.as_bytes(), ARTICLE_LIMITS), Ok(()));
    }

    #[test]
    fn html_is_told_apart_from_feeds() {
        assert!(looks_like_html("<!DOCTYPE html><html>"));
        assert!(looks_like_html(
            "\u{feff}<?xml version=\"1.0\"?>\n<!-- x --><html lang=en>"
        ));
        assert!(!looks_like_html(
            "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">"
        ));
        assert!(!looks_like_html("<rss version=\"2.0\">"));
    }

    #[test]
    fn page_dates_in_metadata_spellings() {
        assert_eq!(
            parse_page_date("2019-11-13T10:00:08+0000"),
            Some(utc("2019-11-13T10:00:08Z"))
        );
        assert_eq!(
            parse_page_date("2019-11-13"),
            Some(utc("2019-11-13T00:00:00Z"))
        );
        assert_eq!(
            parse_page_date("2019-11-13T10:00:08"),
            Some(utc("2019-11-13T10:00:08Z"))
        );
        assert_eq!(parse_page_date("yesterday"), None);
    }
}
