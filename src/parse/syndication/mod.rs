//! RSS and Atom documents as the status parsers read them: a title, and per entry its id,
//! title, content, summary, links and two dates, nothing more.
//!
//! Two readers fill that shape. [`fast`] streams the document once with quick-xml, borrowing
//! text from the input, and handles the RSS 2.0 and Atom documents that status pages and press
//! sites serve; feed-rs builds its whole model (media, podcast and person fields included) and
//! is kept for everything else: RSS 0.9x and 1.0 (RDF), other encodings, `xhtml` text
//! constructs, and documents either reader finds malformed. The fast reader declines a
//! document rather than guess, so both readers give the same [`Syndication`] for every
//! document the fast one accepts (the `equivalence` tests check this over the real corpus).

use chrono::{DateTime, Utc};

mod fast;
pub(crate) mod json;
mod recover;

#[cfg(test)]
mod equivalence;

/// Turns a date as a feed printed it into an instant; `None` when it cannot be read.
pub(crate) type DateReader = fn(&str) -> Option<DateTime<Utc>>;

/// Which syntax the document used; the Statuspage parser names its format after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    Atom,
    Rss2,
    /// RSS 0.9x or RSS 1.0 (RDF), read by feed-rs only.
    OtherRss,
    /// JSON Feed (jsonfeed.org), read by [`json`].
    JsonFeed,
}

/// Why a document could not be read as any syndication format.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ReadError {
    #[error(transparent)]
    Xml(#[from] feed_rs::parser::ParseFeedError),
    #[error("invalid JSON Feed: {0}")]
    Json(#[from] json::JsonFeedError),
}

/// One document, as far as status parsing goes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Syndication {
    pub syntax: Syntax,
    /// The feed's own title, trimmed, markup (if any) left in.
    pub title: Option<String>,
    pub entries: Vec<SyndicationEntry>,
}

/// One `<item>` or `<entry>`.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct SyndicationEntry {
    /// The `<guid>` (trimmed) or `<id>` (as written); empty when the entry has none.
    pub id: String,
    pub title: Option<String>,
    /// `<content>` or `<content:encoded>`, markup included.
    pub content: Option<String>,
    /// `<summary>` or `<description>`, trimmed, markup included.
    pub summary: Option<String>,
    /// In document order, resolved against `xml:base` and the document's URL.
    pub links: Vec<SyndicationLink>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyndicationLink {
    pub href: String,
    /// Atom's `rel` (`alternate` when the link names none); `None` for RSS links.
    pub rel: Option<String>,
}

impl SyndicationEntry {
    /// The entry's HTML: its content, else its summary.
    pub(crate) fn html(&self) -> Option<&str> {
        self.content.as_deref().or(self.summary.as_deref())
    }

    /// The first link that points at the entry itself (no `rel`, or `alternate`) and that
    /// `accept` takes.
    pub(crate) fn find_link<T>(&self, accept: impl Fn(&str) -> Option<T>) -> Option<T> {
        self.links
            .iter()
            .filter(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .find_map(|l| accept(&l.href))
    }
}

/// Reads an RSS, Atom or JSON Feed document: RSS and Atom with the fast reader when it takes
/// the document, else feed-rs. `base` is the document's URL, for relative links.
pub(crate) fn read(
    bytes: &[u8],
    base: Option<&str>,
    dates: DateReader,
) -> Result<Syndication, ReadError> {
    let head = String::from_utf8_lossy(bytes.get(..1024).unwrap_or(bytes));
    if json::looks_like(head.trim_start_matches('\u{feff}')) {
        return Ok(json::read(bytes, base, dates)?);
    }
    match read_xml(bytes, base, dates) {
        Ok(document) => Ok(document),
        Err(refused) => {
            // Only a document both readers refuse is repaired, so none that reads changes.
            let Some(repaired) = recover::repair(bytes) else {
                return Err(refused.into());
            };
            let document = read_xml(&repaired, base, dates).map_err(|_| refused)?;
            tracing::debug!("feed read after repairing bare ampersands or a UTF-16 declaration");
            Ok(document)
        }
    }
}

/// RSS or Atom: the fast reader when it takes the document, else feed-rs.
fn read_xml(
    bytes: &[u8],
    base: Option<&str>,
    dates: DateReader,
) -> Result<Syndication, feed_rs::parser::ParseFeedError> {
    match fast::read(bytes, base, dates) {
        Ok(document) => Ok(document),
        Err(declined) => {
            tracing::trace!(reason = declined.0, "feed read by feed-rs");
            read_with_feed_rs(bytes, base, dates)
        }
    }
}

/// Reads the document with feed-rs alone.
pub(crate) fn read_with_feed_rs(
    bytes: &[u8],
    base: Option<&str>,
    dates: DateReader,
) -> Result<Syndication, feed_rs::parser::ParseFeedError> {
    let feed = feed_rs::parser::Builder::new()
        .base_uri(base)
        // An empty id marks "the feed gave none": feed-rs's generated ids hash the title or are
        // random, and identity must not hang on either.
        .id_generator(|_, _, _| String::new())
        .timestamp_parser(dates)
        .build()
        .parse(bytes)?;
    let syntax = match feed.feed_type {
        feed_rs::model::FeedType::Atom => Syntax::Atom,
        feed_rs::model::FeedType::RSS2 => Syntax::Rss2,
        _ => Syntax::OtherRss,
    };
    let entries = feed
        .entries
        .into_iter()
        .map(|e| SyndicationEntry {
            id: e.id,
            title: e.title.map(|t| t.content),
            content: e.content.and_then(|c| c.body),
            summary: e.summary.map(|s| s.content),
            links: e
                .links
                .into_iter()
                .map(|l| SyndicationLink {
                    href: l.href,
                    rel: l.rel,
                })
                .collect(),
            published: e.published,
            updated: e.updated,
        })
        .collect();
    Ok(Syndication {
        syntax,
        title: feed.title.map(|t| t.content),
        entries,
    })
}
