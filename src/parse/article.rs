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

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use ego_tree::iter::Edge;
use scraper::{Html, Node, Selector};
use serde_json::Value;

use super::{ParseContext, ParseError};
use crate::extract::dates::Precision;
use crate::extract::press::{self, PressInput, PressReport};
use crate::extract::text::{clean_text, one_line, truncate_chars};
use crate::extract::time::parse_feed_date;
use crate::model::{Format, Incident, ReportKind, SourceRef, Update, incident_id, slug};

/// Pages larger than this are refused unparsed: no real article needs more, and html5ever's
/// cost grows with size.
pub const MAX_PAGE_BYTES: usize = 5 * 1024 * 1024;

/// Estimated element nesting beyond which a page is refused (real pages stay under about 60;
/// deep nesting makes tree building quadratic).
pub const MAX_NESTING: usize = 400;

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
    let (title, body) = match text.split_once('\n') {
        Some((first, rest)) if first.chars().count() <= 200 && !first.trim_end().ends_with('.') => {
            (Some(first.trim().to_string()), rest.to_string())
        }
        _ => (None, text.clone()),
    };
    let article = Article {
        title,
        author: None,
        published: ctx.published,
        url: ctx.url.clone(),
        site: None,
        text: body,
    };
    Ok(to_incidents(&article, ctx))
}

/// Main text and metadata of a page. Errors (as a message) when the page is too large, too
/// deeply nested, or has no text at all.
pub fn extract_article(html: &str, ctx: &ParseContext) -> Result<Article, String> {
    precheck(html)?;
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

/// Refuses pages that would be expensive to build a tree for: over [`MAX_PAGE_BYTES`], or
/// nested deeper than [`MAX_NESTING`] by a linear scan of the tags (elements whose end tag is
/// optional, void elements and self-closing tags do not count; script and style bodies and
/// comments are skipped).
fn precheck(html: &str) -> Result<(), String> {
    if html.len() > MAX_PAGE_BYTES {
        return Err(format!(
            "page too large: {} bytes (limit {MAX_PAGE_BYTES})",
            html.len()
        ));
    }
    let bytes = html.as_bytes();
    let mut depth: usize = 0;
    let mut i = 0;
    while let Some(off) = bytes
        .get(i..)
        .and_then(|b| b.iter().position(|&c| c == b'<'))
    {
        i += off + 1;
        let rest = bytes.get(i..).unwrap_or(&[]);
        if rest.starts_with(b"!--") {
            i += find(rest, b"-->").map_or(rest.len(), |p| p + 3);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = usize::from(closing);
        let name: Vec<u8> = rest
            .iter()
            .skip(name_start)
            .take_while(|c| c.is_ascii_alphanumeric())
            .map(u8::to_ascii_lowercase)
            .collect();
        if name.is_empty() || !name[0].is_ascii_alphabetic() {
            continue;
        }
        let tag_end = rest.iter().position(|&c| c == b'>').unwrap_or(rest.len());
        let self_closing = tag_end > 0 && rest.get(tag_end - 1) == Some(&b'/');
        let name = String::from_utf8_lossy(&name).into_owned();
        if !closing && (name == "script" || name == "style" || name == "textarea") {
            let close = format!("</{name}");
            let lower_rest = &rest[tag_end.min(rest.len())..];
            i += tag_end + find_ci(lower_rest, close.as_bytes()).unwrap_or(lower_rest.len());
            continue;
        }
        i += tag_end;
        if is_void(&name) || has_optional_end(&name) || self_closing {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            if depth > MAX_NESTING {
                return Err(format!(
                    "page too deeply nested: more than {MAX_NESTING} open elements"
                ));
            }
        }
    }
    Ok(())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "keygen"
            | "command"
            | "basefont"
            | "frame"
            | "isindex"
    )
}

/// Elements the parser closes implicitly; pages routinely leave them open.
fn has_optional_end(name: &str) -> bool {
    matches!(
        name,
        "p" | "li"
            | "dt"
            | "dd"
            | "option"
            | "optgroup"
            | "tr"
            | "td"
            | "th"
            | "tbody"
            | "thead"
            | "tfoot"
            | "colgroup"
            | "rb"
            | "rt"
            | "rp"
            | "rtc"
            | "html"
            | "head"
            | "body"
    )
}

/// What the page says about itself outside its body text.
#[derive(Debug, Default)]
struct PageMeta {
    title: Option<String>,
    author: Option<String>,
    published: Option<DateTime<Utc>>,
    url: Option<String>,
    site: Option<String>,
    ld_body: Option<String>,
}

fn read_metadata(doc: &Html) -> PageMeta {
    let mut meta = PageMeta::default();
    let ld = json_ld_article(doc);
    let metas = meta_tags(doc);
    let find_meta = |keys: &[&str]| -> Option<String> {
        keys.iter().find_map(|k| {
            metas
                .iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        })
    };
    meta.title = find_meta(&["og:title", "twitter:title", "title", "dc.title"])
        .or_else(|| ld.headline.clone())
        .or_else(|| first_text(doc, "h1"))
        .or_else(|| first_text(doc, "title"))
        .map(|t| one_line(&clean_text(&t)));
    meta.author = ld
        .author
        .clone()
        .or_else(|| {
            find_meta(&[
                "author",
                "article:author",
                "dc.creator",
                "byl",
                "parsely-author",
            ])
        })
        .filter(|a| !a.starts_with("http"))
        .map(|a| one_line(&clean_text(&a)));
    meta.published = find_meta(&[
        "article:published_time",
        "datepublished",
        "og:published_time",
        "published_time",
        "pubdate",
        "publishdate",
        "publish-date",
        "date",
        "dc.date.issued",
        "dc.date",
        "dcterms.created",
        "parsely-pub-date",
        "sailthru.date",
    ])
    .and_then(|v| parse_page_date(&v))
    .or_else(|| ld.published.as_deref().and_then(parse_page_date))
    .or_else(|| {
        let sel = Selector::parse("time[datetime]").ok()?;
        doc.select(&sel)
            .filter_map(|t| t.value().attr("datetime"))
            .find_map(parse_page_date)
    });
    meta.url = find_meta(&["og:url"])
        .or_else(|| {
            let sel = Selector::parse("link[rel=canonical]").ok()?;
            doc.select(&sel)
                .find_map(|l| l.value().attr("href").map(str::to_string))
        })
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    meta.site = find_meta(&["og:site_name", "application-name", "twitter:site"])
        .map(|s| one_line(&clean_text(s.trim_start_matches('@'))));
    meta.ld_body = ld.body.map(|b| clean_text(&b)).filter(|b| !b.is_empty());
    meta
}

/// `<meta>` name/property/itemprop (lowercased) with their content.
fn meta_tags(doc: &Html) -> Vec<(String, String)> {
    let Ok(sel) = Selector::parse("meta[content]") else {
        return Vec::new();
    };
    doc.select(&sel)
        .filter_map(|m| {
            let el = m.value();
            let key = el
                .attr("property")
                .or_else(|| el.attr("name"))
                .or_else(|| el.attr("itemprop"))?;
            Some((
                key.trim().to_ascii_lowercase(),
                el.attr("content")?.trim().to_string(),
            ))
        })
        .collect()
}

fn first_text(doc: &Html, selector: &str) -> Option<String> {
    let sel = Selector::parse(selector).ok()?;
    doc.select(&sel)
        .map(|e| one_line(&e.text().collect::<String>()))
        .find(|t| !t.is_empty())
}

/// The fields of the page's schema.org article object, from JSON-LD.
#[derive(Debug, Default)]
struct LdArticle {
    headline: Option<String>,
    author: Option<String>,
    published: Option<String>,
    body: Option<String>,
}

/// Largest JSON-LD script read; bigger ones are skipped.
const MAX_LD_BYTES: usize = 1024 * 1024;

fn json_ld_article(doc: &Html) -> LdArticle {
    let mut out = LdArticle::default();
    let Ok(sel) = Selector::parse("script[type='application/ld+json']") else {
        return out;
    };
    for script in doc.select(&sel) {
        let raw: String = script.text().collect();
        if raw.len() > MAX_LD_BYTES {
            continue;
        }
        let Ok(value) = serde_json::from_str::<Value>(raw.trim()) else {
            continue;
        };
        let mut stack = vec![(&value, 0usize)];
        while let Some((v, depth)) = stack.pop() {
            if depth > 8 {
                continue;
            }
            match v {
                Value::Array(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
                Value::Object(map) => {
                    if is_article_type(map.get("@type")) {
                        fill_ld(&mut out, map);
                    }
                    if let Some(graph) = map.get("@graph") {
                        stack.push((graph, depth + 1));
                    }
                    if let Some(main) = map.get("mainEntity") {
                        stack.push((main, depth + 1));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn is_article_type(t: Option<&Value>) -> bool {
    let is_article = |s: &str| {
        let s = s.to_ascii_lowercase();
        s.ends_with("article") || s == "blogposting" || s == "report" || s == "liveblogposting"
    };
    match t {
        Some(Value::String(s)) => is_article(s),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).any(is_article),
        _ => false,
    }
}

fn fill_ld(out: &mut LdArticle, map: &serde_json::Map<String, Value>) {
    let string = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_string);
    if out.headline.is_none() {
        out.headline = string("headline").or_else(|| string("name"));
    }
    if out.published.is_none() {
        out.published = string("datePublished").or_else(|| string("dateCreated"));
    }
    if out.body.is_none() {
        out.body = string("articleBody");
    }
    if out.author.is_none() {
        out.author = ld_author(map.get("author"));
    }
}

fn ld_author(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_string),
        Value::Array(a) => {
            let names: Vec<String> = a.iter().filter_map(|x| ld_author(Some(x))).collect();
            (!names.is_empty()).then(|| names.join(", "))
        }
        _ => None,
    }
}

/// Dates as pages write them in metadata: RFC 3339, RFC 2822, ISO without an offset (read as
/// UTC, the only reading that does not guess a zone), or a bare ISO date (midnight UTC).
fn parse_page_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Some(t) = parse_feed_date(s) {
        return Some(t);
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Some(t.with_timezone(&Utc));
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc());
        }
    }
    let date = s.get(..10).unwrap_or(s);
    NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

// ---------------------------------------------------------------------------------------------
// Main text.

/// One element of the page, flattened into an arena in document order (parents before
/// children), with what the scorer needs.
#[derive(Debug)]
struct Elem {
    parent: Option<usize>,
    tag: String,
    /// Class/id hint weight: positive for article-like names, negative for boilerplate.
    hint: i32,
    /// Never text: scripts, navigation, hidden elements, and everything inside them.
    hard_skip: bool,
    /// Named like boilerplate (class/id) and not also like an article.
    unlikely: bool,
    /// `<article>`, `[itemprop=articleBody]` or containing one.
    has_article: bool,
    /// Dropped with its whole subtree: hard-skipped, or unlikely and holding neither the
    /// article nor most of the page's text (a whole page wrapped in "ad-pusher" is kept).
    skipped: bool,
    class_id: String,
    /// Text characters in the subtree, and how many of them are link text.
    text_len: usize,
    link_len: usize,
    score: f64,
}

/// A run of text owned by its nearest block-level ancestor.
#[derive(Debug)]
struct Run {
    owner: usize,
    text: String,
    link_len: usize,
    /// A line break (`<br>`) before this run inside the same owner.
    breaks: bool,
}

fn main_text(doc: &Html, title: Option<&str>) -> String {
    let (elems, runs) = flatten(doc);
    if elems.is_empty() {
        return String::new();
    }
    let paragraphs = group_runs(&runs);
    let elems = resolve_skips(elems, &paragraphs);
    let elems = score(elems, &paragraphs);
    let Some(top) = best_candidate(&elems) else {
        return String::new();
    };
    let included = with_siblings(&elems, &paragraphs, top);
    let title_key = title.map(normalise);
    let mut out: Vec<String> = Vec::new();
    for p in &paragraphs {
        if !is_inside(&elems, p.owner, &included) || elems.get(p.owner).is_none_or(|e| e.skipped) {
            continue;
        }
        let len = p.text.chars().count();
        let density = p.link_len as f64 / len.max(1) as f64;
        if density > 0.5 || (len < 25 && p.link_len > 0) {
            continue;
        }
        let tag = elems.get(p.owner).map_or("", |e| e.tag.as_str());
        if tag == "h1" && title_key.as_deref() == Some(normalise(&p.text).as_str()) {
            continue;
        }
        out.push(p.text.clone());
    }
    out.join("\n")
}

fn normalise(s: &str) -> String {
    one_line(s).to_lowercase()
}

/// Tags whose content is never article text.
fn is_skipped_tag(tag: &str) -> bool {
    matches!(
        tag,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "nav"
            | "footer"
            | "aside"
            | "button"
            | "select"
            | "textarea"
            | "iframe"
            | "svg"
            | "canvas"
            | "head"
            | "menu"
            | "dialog"
            | "object"
            | "embed"
            | "video"
            | "audio"
            | "figure"
    )
}

fn is_inline(tag: &str) -> bool {
    matches!(
        tag,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "cite"
            | "code"
            | "data"
            | "dfn"
            | "em"
            | "font"
            | "i"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "u"
            | "var"
            | "wbr"
            | "label"
            | "img"
            | "ins"
            | "del"
            | "strike"
            | "tt"
            | "big"
    )
}

/// Boilerplate names in class/id (readability's "unlikely candidates" plus newer page furniture).
const NEGATIVE_HINTS: &[&str] = &[
    "comment",
    "disqus",
    "footer",
    "header",
    "masthead",
    "menu",
    "nav",
    "related",
    "recommend",
    "promo",
    "newsletter",
    "subscribe",
    "signup",
    "sign-up",
    "cookie",
    "consent",
    "gdpr",
    "banner",
    "sidebar",
    "sponsor",
    "social",
    "share",
    "sharing",
    "popup",
    "modal",
    "breadcrumb",
    "pagination",
    "pager",
    "most-read",
    "mostread",
    "most-popular",
    "popular",
    "trending",
    "outbrain",
    "taboola",
    "advert",
    "-ad-",
    "ad-slot",
    "adslot",
    "skyscraper",
    "tags",
    "author-bio",
    "byline",
    "caption",
    "credit",
    "toolbar",
    "visually-hidden",
    "sr-only",
];

/// Article names in class/id: they also rescue a block whose name carries a negative word
/// ("article-header" is not page furniture).
const POSITIVE_HINTS: &[&str] = &[
    "article", "body", "content", "entry", "main", "post", "story", "text", "blog", "column",
];

fn hint_weight(class_id: &str) -> (i32, bool) {
    let negative = NEGATIVE_HINTS.iter().any(|h| class_id.contains(h));
    let positive = POSITIVE_HINTS.iter().any(|h| class_id.contains(h));
    let weight = i32::from(positive) * 25 - i32::from(negative) * 25;
    (weight, negative && !positive)
}

/// One pass over the DOM: the element arena and the text runs, both in document order.
fn flatten(doc: &Html) -> (Vec<Elem>, Vec<Run>) {
    let mut elems: Vec<Elem> = Vec::new();
    let mut runs: Vec<Run> = Vec::new();
    // Open elements: (arena index, is block, is link).
    let mut stack: Vec<(usize, bool, bool)> = Vec::new();
    let mut pending_break = false;
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    let tag = el.name().to_ascii_lowercase();
                    if tag == "br" {
                        pending_break = true;
                    }
                    let parent = stack.last().map(|s| s.0);
                    let parent_skipped = parent
                        .and_then(|p| elems.get(p))
                        .is_some_and(|p: &Elem| p.hard_skip);
                    let class_id = format!(
                        "{} {}",
                        el.attr("class").unwrap_or(""),
                        el.attr("id").unwrap_or("")
                    )
                    .to_ascii_lowercase();
                    let (mut hint, unlikely) = hint_weight(&class_id);
                    let structural = matches!(tag.as_str(), "html" | "body" | "article" | "main");
                    let hidden = el.attr("hidden").is_some()
                        || el.attr("aria-hidden") == Some("true")
                        || el
                            .attr("style")
                            .is_some_and(|s| s.replace(' ', "").contains("display:none"));
                    let article_like =
                        tag == "article" || el.attr("itemprop") == Some("articleBody");
                    if article_like {
                        hint += 25;
                    }
                    let hard_skip = parent_skipped || is_skipped_tag(&tag) || hidden;
                    let is_link = tag == "a" || stack.last().is_some_and(|s| s.2);
                    let idx = elems.len();
                    elems.push(Elem {
                        parent,
                        tag: tag.clone(),
                        hint,
                        hard_skip,
                        unlikely: unlikely && !structural && tag != "a",
                        has_article: article_like,
                        skipped: hard_skip,
                        class_id,
                        text_len: 0,
                        link_len: 0,
                        score: 0.0,
                    });
                    stack.push((idx, !is_inline(&tag), is_link));
                }
                Node::Text(t) => {
                    let Some(owner) = stack.iter().rev().find(|s| s.1).map(|s| s.0) else {
                        continue;
                    };
                    if elems.get(owner).is_some_and(|e| e.hard_skip)
                        || stack
                            .last()
                            .and_then(|s| elems.get(s.0))
                            .is_some_and(|e| e.hard_skip)
                    {
                        continue;
                    }
                    let text: &str = t;
                    if text.trim().is_empty() {
                        if let Some(last) = runs.last_mut() {
                            if !last.text.ends_with(' ') {
                                last.text.push(' ');
                            }
                        }
                        continue;
                    }
                    let in_link = stack.last().is_some_and(|s| s.2);
                    let len = text.chars().count();
                    runs.push(Run {
                        owner,
                        text: text.to_string(),
                        link_len: if in_link { len } else { 0 },
                        breaks: pending_break,
                    });
                    pending_break = false;
                }
                _ => {}
            },
            Edge::Close(node) => {
                if node.value().is_element() {
                    stack.pop();
                }
            }
        }
    }
    (elems, runs)
}

/// A paragraph: consecutive runs with one owner, whitespace collapsed.
#[derive(Debug)]
struct Paragraph {
    owner: usize,
    text: String,
    link_len: usize,
}

fn group_runs(runs: &[Run]) -> Vec<Paragraph> {
    let mut out: Vec<Paragraph> = Vec::new();
    let mut current: Option<(usize, String, usize)> = None;
    let flush = |cur: Option<(usize, String, usize)>, out: &mut Vec<Paragraph>| {
        if let Some((owner, text, link_len)) = cur {
            let text = one_line(&clean_text(&text));
            if !text.is_empty() {
                out.push(Paragraph {
                    owner,
                    text,
                    link_len,
                });
            }
        }
    };
    for run in runs {
        match &mut current {
            Some((owner, text, link_len)) if *owner == run.owner && !run.breaks => {
                text.push_str(&run.text);
                *link_len += run.link_len;
            }
            _ => {
                flush(current.take(), &mut out);
                current = Some((run.owner, run.text.clone(), run.link_len));
            }
        }
    }
    flush(current, &mut out);
    out
}

/// Readability's scoring: each paragraph of 25+ characters gives 1 + commas + length/100 (at
/// most 3) to its container, half to the next ancestor and a third to the one above; scores are
/// then scaled by the share of text that is not link text.
fn score(mut elems: Vec<Elem>, paragraphs: &[Paragraph]) -> Vec<Elem> {
    let mut initialised: HashSet<usize> = HashSet::new();
    for p in paragraphs {
        let len = p.text.chars().count();
        if len < 25 || elems.get(p.owner).is_none_or(|e| e.skipped) {
            continue;
        }
        let commas = p.text.matches([',', '，']).count() as f64;
        let content = 1.0 + commas + (len as f64 / 100.0).min(3.0);
        // A paragraph-like owner (p, li ...) scores its container; a container with bare text
        // scores itself.
        let owner_tag = elems.get(p.owner).map_or("", |e| e.tag.as_str());
        let first = if matches!(owner_tag, "div" | "section" | "article" | "main" | "td") {
            Some(p.owner)
        } else {
            elems.get(p.owner).and_then(|e| e.parent)
        };
        let mut target = first;
        for divider in [1.0, 2.0, 3.0] {
            let Some(t) = target else { break };
            let Some(e) = elems.get_mut(t) else { break };
            if initialised.insert(t) {
                e.score += tag_weight(&e.tag) + f64::from(e.hint);
            }
            e.score += content / divider;
            target = e.parent;
        }
    }
    for i in initialised {
        if let Some(e) = elems.get_mut(i) {
            let density = e.link_len as f64 / e.text_len.max(1) as f64;
            e.score *= 1.0 - density;
        }
    }
    elems
}

/// Subtree text totals, then the final skip decision, parents before children.
fn resolve_skips(mut elems: Vec<Elem>, paragraphs: &[Paragraph]) -> Vec<Elem> {
    for p in paragraphs {
        let len = p.text.chars().count();
        if let Some(e) = elems.get_mut(p.owner) {
            e.text_len += len;
            e.link_len += p.link_len;
        }
    }
    for i in (0..elems.len()).rev() {
        let (parent, t, l) = match elems.get(i) {
            Some(e) => (e.parent, e.text_len, e.link_len),
            None => continue,
        };
        let has_article = elems.get(i).is_some_and(|e| e.has_article);
        if let Some(p) = parent.and_then(|p| elems.get_mut(p)) {
            p.text_len += t;
            p.link_len += l;
            p.has_article |= has_article;
        }
    }
    let total = elems.first().map_or(0, |e| e.text_len);
    for i in 0..elems.len() {
        let parent_skipped = elems
            .get(i)
            .and_then(|e| e.parent)
            .and_then(|p| elems.get(p))
            .is_some_and(|p| p.skipped);
        if let Some(e) = elems.get_mut(i) {
            let holds_page = e.has_article || e.text_len * 2 > total;
            e.skipped = parent_skipped || e.hard_skip || (e.unlikely && !holds_page);
        }
    }
    elems
}

fn tag_weight(tag: &str) -> f64 {
    match tag {
        "div" | "article" | "main" => 5.0,
        "pre" | "td" | "blockquote" | "section" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    }
}

fn best_candidate(elems: &[Elem]) -> Option<usize> {
    elems
        .iter()
        .enumerate()
        .filter(|(_, e)| !e.skipped && e.score > 0.0)
        .max_by(|a, b| a.1.score.total_cmp(&b.1.score))
        .map(|(i, _)| i)
        .or_else(|| elems.iter().position(|e| e.tag == "body").or(Some(0)))
}

/// The top candidate plus its siblings that read like more of the same article.
fn with_siblings(elems: &[Elem], paragraphs: &[Paragraph], top: usize) -> HashSet<usize> {
    let mut included = HashSet::from([top]);
    let Some(top_elem) = elems.get(top) else {
        return included;
    };
    let Some(parent) = top_elem.parent else {
        return included;
    };
    let threshold = (top_elem.score * 0.2).max(10.0);
    let own_text: Vec<(usize, &Paragraph)> = paragraphs.iter().map(|p| (p.owner, p)).collect();
    for (i, e) in elems.iter().enumerate() {
        if i == top || e.parent != Some(parent) || e.skipped {
            continue;
        }
        let mut bonus = 0.0;
        if !top_elem.class_id.trim().is_empty() && e.class_id == top_elem.class_id {
            bonus = top_elem.score * 0.2;
        }
        if e.score + bonus >= threshold {
            included.insert(i);
            continue;
        }
        if e.tag == "p" {
            let text: String = own_text
                .iter()
                .filter(|(o, _)| *o == i)
                .map(|(_, p)| p.text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let len = text.chars().count();
            let density = e.link_len as f64 / e.text_len.max(1) as f64;
            if (len > 80 && density < 0.25)
                || (len > 0 && len < 80 && e.link_len == 0 && text.ends_with('.'))
            {
                included.insert(i);
            }
        }
    }
    included
}

fn is_inside(elems: &[Elem], mut node: usize, included: &HashSet<usize>) -> bool {
    loop {
        if included.contains(&node) {
            return true;
        }
        match elems.get(node).and_then(|e| e.parent) {
            Some(p) => node = p,
            None => return false,
        }
    }
}

#[cfg(test)]
mod tests {
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
        assert_eq!(precheck(&page), Ok(()));
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
