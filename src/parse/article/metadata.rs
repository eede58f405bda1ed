//! What a page says about itself outside its body: title, author, publication time and site
//! name, from Open Graph and `article:` meta tags, JSON-LD, `<time>` and the title element.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use scraper::{Html, Selector};
use serde_json::Value;

use crate::extract::text::{clean_text, one_line};
use crate::extract::time::parse_feed_date;

/// What the page says about itself outside its body text.
#[derive(Debug, Default)]
pub(super) struct PageMeta {
    pub(super) title: Option<String>,
    pub(super) author: Option<String>,
    pub(super) published: Option<DateTime<Utc>>,
    pub(super) url: Option<String>,
    pub(super) site: Option<String>,
    pub(super) ld_body: Option<String>,
}

pub(super) fn read_metadata(doc: &Html) -> PageMeta {
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
pub(super) fn parse_page_date(s: &str) -> Option<DateTime<Utc>> {
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
