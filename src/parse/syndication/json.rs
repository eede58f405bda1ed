//! JSON Feed (jsonfeed.org, versions 1 and 1.1) read into the same [`Syndication`] shape as
//! RSS and Atom, so the generic feed parser treats a blog or status page that publishes JSON
//! like any other feed.
//!
//! The mapping follows what each RSS/Atom field means: `id` is the guid (a number in some
//! version 1 feeds, kept as written), `content_html` the content (else `content_text`,
//! escaped so that the HTML-to-text step gives it back unchanged), `summary` the summary,
//! `url` the entry's own link and `external_url` a related one, `date_published` and
//! `date_modified` the two dates. Items that are not objects are skipped; a document whose
//! `items` is missing or not a list is not a JSON Feed.

use serde::Deserialize;
use serde_json::Value;

use super::{DateReader, Syndication, SyndicationEntry, SyndicationLink, Syntax};

/// Why a document is not a JSON Feed this reader can use.
#[derive(Debug, thiserror::Error)]
pub(crate) enum JsonFeedError {
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the version {0:?} is not a JSON Feed version (https://jsonfeed.org/version/...)")]
    Version(String),
}

#[derive(Deserialize)]
struct Document {
    version: String,
    title: Option<String>,
    home_page_url: Option<String>,
    items: Vec<Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Item {
    id: Option<Value>,
    url: Option<String>,
    external_url: Option<String>,
    title: Option<String>,
    content_html: Option<String>,
    content_text: Option<String>,
    summary: Option<String>,
    date_published: Option<String>,
    date_modified: Option<String>,
}

/// Whether the document's opening says it is a JSON Feed: an object whose `version` names
/// jsonfeed.org.
pub(crate) fn looks_like(head: &str) -> bool {
    head.trim_start().starts_with('{') && head.contains("jsonfeed.org/version/")
}

/// Reads a JSON Feed; `base` resolves relative item links, as `xml:base` would.
pub(crate) fn read(
    bytes: &[u8],
    base: Option<&str>,
    dates: DateReader,
) -> Result<Syndication, JsonFeedError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let doc: Document = serde_json::from_slice(bytes)?;
    if !doc.version.contains("jsonfeed.org/version/") {
        return Err(JsonFeedError::Version(doc.version));
    }
    let base = base
        .or(doc.home_page_url.as_deref())
        .and_then(|b| url::Url::parse(b).ok());
    let entries = doc
        .items
        .into_iter()
        .filter_map(|item| serde_json::from_value::<Item>(item).ok())
        .map(|item| entry(item, base.as_ref(), dates))
        .collect();
    Ok(Syndication {
        syntax: Syntax::JsonFeed,
        title: doc.title.map(|t| t.trim().to_string()),
        entries,
    })
}

fn entry(item: Item, base: Option<&url::Url>, dates: DateReader) -> SyndicationEntry {
    let id = match item.id {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let link = |href: String, rel: &str| SyndicationLink {
        href: resolve(&href, base),
        rel: Some(rel.to_string()),
    };
    let links = item
        .url
        .map(|u| link(u, "alternate"))
        .into_iter()
        .chain(item.external_url.map(|u| link(u, "related")))
        .collect();
    let content = item.content_html.or_else(|| {
        item.content_text
            .map(|t| html_escape::encode_text(&t).into_owned())
    });
    let published = item.date_published.as_deref().and_then(dates);
    SyndicationEntry {
        id,
        title: item.title.map(|t| t.trim().to_string()),
        content,
        summary: item.summary.map(|s| s.trim().to_string()),
        links,
        published,
        updated: item.date_modified.as_deref().and_then(dates).or(published),
    }
}

/// An absolute link as written, a relative one joined to the base.
fn resolve(href: &str, base: Option<&url::Url>) -> String {
    let href = href.trim();
    match url::Url::parse(href) {
        Ok(url) => url.to_string(),
        Err(url::ParseError::RelativeUrlWithoutBase) => base
            .and_then(|b| b.join(href).ok())
            .map_or_else(|| href.to_string(), |u| u.to_string()),
        Err(_) => href.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::time::parse_feed_date;

    #[test]
    fn items_map_onto_the_syndication_fields() {
        let json = r#"{"version": "https://jsonfeed.org/version/1.1", "title": " Acme Blog ",
            "home_page_url": "https://acme.example/",
            "items": [
              {"id": 7, "url": "/posts/7", "external_url": "https://news.example/x",
               "title": "Outage", "content_text": "1 < 2 & done",
               "date_published": "2024-03-03T14:02:00Z"},
              {"id": "b", "content_html": "<p>Fixed</p>", "summary": " s ",
               "date_published": "2024-03-03T14:02:00Z", "date_modified": "2024-03-04T00:00:00Z"},
              "not an item"
            ]}"#;
        let feed = read(json.as_bytes(), None, parse_feed_date).expect("a JSON Feed");
        assert_eq!(feed.syntax, Syntax::JsonFeed);
        assert_eq!(feed.title.as_deref(), Some("Acme Blog"));
        assert_eq!(feed.entries.len(), 2);
        let first = &feed.entries[0];
        assert_eq!(first.id, "7");
        assert_eq!(first.content.as_deref(), Some("1 &lt; 2 &amp; done"));
        assert_eq!(
            first.links,
            vec![
                SyndicationLink {
                    href: "https://acme.example/posts/7".into(),
                    rel: Some("alternate".into())
                },
                SyndicationLink {
                    href: "https://news.example/x".into(),
                    rel: Some("related".into())
                }
            ]
        );
        assert_eq!(first.updated, first.published);
        let second = &feed.entries[1];
        assert_eq!(second.content.as_deref(), Some("<p>Fixed</p>"));
        assert_eq!(second.summary.as_deref(), Some("s"));
        assert_eq!(second.updated, parse_feed_date("2024-03-04T00:00:00Z"));
    }

    #[test]
    fn other_json_is_refused_with_the_reason() {
        let err = read(br#"{"version": "2", "items": []}"#, None, parse_feed_date)
            .expect_err("not a JSON Feed version");
        assert_eq!(
            err.to_string(),
            r#"the version "2" is not a JSON Feed version (https://jsonfeed.org/version/...)"#
        );
        assert!(
            read(
                br#"{"version": "https://jsonfeed.org/version/1"}"#,
                None,
                parse_feed_date
            )
            .is_err()
        );
    }
}
