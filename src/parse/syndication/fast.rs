//! The streaming reader: one pass of quick-xml over the document, text borrowed from the input
//! unless entities or CDATA pieces have to be joined, only the fields [`Syndication`] keeps.
//!
//! It reads the way feed-rs 3 reads, so that the two agree exactly: runs of text, CDATA and
//! entity references are joined into one text (unknown entities kept as written), an element's
//! text is the text right after its start tag, children are matched on namespace and local
//! name (unprefixed and undeclared names fall in the feed's own namespace), links resolve
//! against `xml:base` and the document's URL with the same `url` calls, and dates go through
//! the caller's reader with the same absent/unreadable rules per element. Wherever feed-rs
//! would build something this reader does not (an `xhtml` text construct, out-of-line
//! content) or could fail on an element this reader skips (a media title without text, a
//! podcast person's role), it declines the whole document instead of guessing, and feed-rs
//! reads it.

use std::borrow::Cow;

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use url::Url;

use super::{DateReader, Syndication, SyndicationEntry, SyndicationLink, Syntax};

/// Why the fast reader left a document to feed-rs; only ever logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Declined(pub &'static str);

/// How far feed-rs looks for the first `<` or `{` (its read buffer), deciding XML or JSON.
const SNIFF_BYTES: usize = 8 * 1024;

/// The namespaces feed-rs tells apart; any other is `Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    Atom,
    Rss,
    Unknown,
    Content,
    DublinCore,
    MediaRss,
    Itunes,
    Podcast,
    CommentApi,
}

impl Ns {
    fn of(uri: &str) -> Ns {
        match uri {
            "http://purl.org/rss/1.0/" => Ns::Rss,
            "http://www.w3.org/2005/Atom" => Ns::Atom,
            "http://purl.org/rss/1.0/modules/content/" => Ns::Content,
            "http://purl.org/dc/elements/1.1/" => Ns::DublinCore,
            "http://search.yahoo.com/mrss/" => Ns::MediaRss,
            "http://www.itunes.com/dtds/podcast-1.0.dtd" => Ns::Itunes,
            "https://podcastindex.org/namespace/1.0" => Ns::Podcast,
            "http://wellformedweb.org/CommentAPI/" => Ns::CommentApi,
            _ => Ns::Unknown,
        }
    }
}

/// One event after text runs are joined.
enum Ev<'i> {
    /// `ns` is `None` when the name is unprefixed without a default namespace, or its prefix
    /// is undeclared: the feed's own namespace applies.
    Start {
        ns: Option<Ns>,
        start: BytesStart<'i>,
    },
    End,
    Text(Cow<'i, str>),
    Eof,
}

/// A start tag at a known depth.
struct Element<'i> {
    ns: Ns,
    start: BytesStart<'i>,
    depth: u32,
}

impl<'i> Element<'i> {
    /// The name without its prefix.
    fn local(&self) -> &str {
        let name: &str = self.start.name().0;
        name.rsplit(':').next().unwrap_or(name)
    }

    /// The first well-formed attribute named `key`, entities resolved (the raw value when they
    /// cannot be).
    fn attr(&self, key: &str) -> Option<Cow<'_, str>> {
        attributes(&self.start)
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }
}

/// Attributes as feed-rs keeps them: malformed ones dropped, values unescaped when possible.
fn attributes<'a>(start: &'a BytesStart<'_>) -> impl Iterator<Item = (&'a str, Cow<'a, str>)> {
    start.attributes().filter_map(Result::ok).map(|a| {
        let key: &str = a.key.0;
        let value = match quick_xml::escape::unescape(&a.value) {
            Ok(Cow::Borrowed(_)) => a.value,
            Ok(Cow::Owned(unescaped)) => Cow::Owned(unescaped),
            Err(_) => a.value,
        };
        (key, value)
    })
}

/// A link before feed-rs's clean-up of duplicate comment links.
struct PendingLink {
    link: SyndicationLink,
    role: LinkRole,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LinkRole {
    Plain,
    Comments,
    CommentsFeed,
}

/// Reads `bytes` if it is an RSS 2.0 or Atom document this reader handles.
pub(super) fn read(
    bytes: &[u8],
    base: Option<&str>,
    dates: DateReader,
) -> Result<Syndication, Declined> {
    let head = bytes.get(..SNIFF_BYTES).unwrap_or(bytes);
    if head.iter().find(|&&b| b == b'<' || b == b'{') != Some(&b'<') {
        return Err(Declined("not XML"));
    }
    // UTF-16 without a byte-order mark is valid UTF-8 full of NULs; feed-rs decodes it.
    if head.contains(&0) {
        return Err(Declined("NUL bytes"));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| Declined("not UTF-8"))?;
    let mut reader = Reader::new(text, base)?;
    let Some(root) = reader.element_at(1)? else {
        return Err(Declined("no root element"));
    };
    match (root.local(), root.attr("version").as_deref()) {
        ("feed", _) => {
            reader.default_ns = Ns::Atom;
            reader.atom_feed(&root, dates)
        }
        ("rss", Some("2.0" | "")) => {
            reader.default_ns = Ns::Rss;
            while let Some(child) = reader.element_at(root.depth + 1)? {
                if child.local() == "channel" {
                    return reader.rss_channel(&child, dates);
                }
            }
            Err(Declined("RSS without a channel"))
        }
        _ => Err(Declined("neither RSS 2.0 nor Atom")),
    }
}

struct Reader<'i> {
    xml: NsReader<&'i [u8]>,
    /// The event after a text run, read to know the run had ended.
    after_text: Option<Ev<'i>>,
    peeked: Option<Ev<'i>>,
    depth: u32,
    /// `xml:base` in force, with the depth of the element that set it.
    bases: Vec<(u32, Url)>,
    default_ns: Ns,
    /// ASCII-only input reads the same in every ASCII-compatible encoding a declaration names.
    ascii: bool,
}

impl<'i> Reader<'i> {
    fn new(text: &'i str, base: Option<&str>) -> Result<Self, Declined> {
        let mut xml = NsReader::from_str(text);
        let config = xml.config_mut();
        config.expand_empty_elements = true;
        config.trim_markup_names_in_closing_tags = true;
        config.trim_text(false);
        let bases = match base {
            Some(base) => {
                vec![(
                    0,
                    Url::parse(base).map_err(|_| Declined("base is not a URL"))?,
                )]
            }
            None => Vec::new(),
        };
        Ok(Reader {
            xml,
            after_text: None,
            peeked: None,
            depth: 0,
            bases,
            default_ns: Ns::Unknown,
            ascii: text.is_ascii(),
        })
    }

    /// The next event with text runs joined.
    fn fetch(&mut self) -> Result<Ev<'i>, Declined> {
        if let Some(event) = self.after_text.take() {
            return Ok(event);
        }
        let mut text: Option<Cow<'i, str>> = None;
        loop {
            let (resolved, event) = self
                .xml
                .read_resolved_event()
                .map_err(|_| Declined("malformed XML"))?;
            let ended = match event {
                Event::Decl(decl) => {
                    self.check_encoding(decl.encoding())?;
                    continue;
                }
                Event::Start(start) => {
                    let ns = match resolved {
                        ResolveResult::Bound(ns) => Some(Ns::of(ns.0)),
                        ResolveResult::Unknown(_) | ResolveResult::Unbound => None,
                    };
                    Ev::Start { ns, start }
                }
                Event::End(_) => Ev::End,
                Event::Eof => Ev::Eof,
                Event::Text(t) => {
                    if !t.is_empty() {
                        join(&mut text, t.into_inner());
                    }
                    continue;
                }
                Event::CData(t) => {
                    if !t.is_empty() {
                        join(&mut text, t.into_inner());
                    }
                    continue;
                }
                Event::GeneralRef(r) => {
                    let piece = match r.resolve_char_ref() {
                        Err(_) => return Err(Declined("invalid character reference")),
                        Ok(Some(c)) => Cow::Owned(c.to_string()),
                        Ok(None) => {
                            let name: &str = &r;
                            match quick_xml::escape::resolve_predefined_entity(name) {
                                Some(resolved) => Cow::Borrowed(resolved),
                                None => Cow::Owned(format!("&{name};")),
                            }
                        }
                    };
                    let run = text.get_or_insert(Cow::Borrowed(""));
                    run.to_mut().push_str(&piece);
                    continue;
                }
                // Never produced with `expand_empty_elements`; declined rather than lost.
                Event::Empty(_) => return Err(Declined("an unexpanded empty element")),
                Event::Comment(_) | Event::PI(_) | Event::DocType(_) => continue,
            };
            return Ok(match text.take() {
                Some(run) => {
                    self.after_text = Some(ended);
                    Ev::Text(run)
                }
                None => ended,
            });
        }
    }

    /// A declared encoding other than UTF-8 changes how feed-rs decodes the bytes, unless
    /// they are ASCII and the encoding is one of the ASCII-compatible ones.
    fn check_encoding(
        &self,
        declared: Option<Result<Cow<'_, str>, quick_xml::events::attributes::AttrError>>,
    ) -> Result<(), Declined> {
        let Some(label) = declared else {
            return Ok(());
        };
        let label = label.map_err(|_| Declined("unreadable encoding declaration"))?;
        let label = label.trim().to_ascii_lowercase();
        let utf8 = matches!(label.as_str(), "utf-8" | "utf8");
        let ascii_compatible = matches!(
            label.as_str(),
            "us-ascii" | "ascii" | "iso-8859-1" | "latin1" | "windows-1252" | "iso-8859-15"
        );
        if utf8 || (ascii_compatible && self.ascii) {
            Ok(())
        } else {
            Err(Declined("an encoding other than UTF-8"))
        }
    }

    fn next(&mut self) -> Result<Ev<'i>, Declined> {
        match self.peeked.take() {
            Some(event) => Ok(event),
            None => self.fetch(),
        }
    }

    fn peek(&mut self) -> Result<&Ev<'i>, Declined> {
        if self.peeked.is_none() {
            self.peeked = Some(self.fetch()?);
        }
        self.peeked.as_ref().ok_or(Declined("no event"))
    }

    /// The next element at `depth`, skipping deeper ones; `None` when the parent ends.
    fn element_at(&mut self, depth: u32) -> Result<Option<Element<'i>>, Declined> {
        loop {
            match self.next()? {
                Ev::Start { ns, start } => {
                    self.depth += 1;
                    self.push_base(&start)?;
                    if self.depth == depth {
                        return Ok(Some(Element {
                            ns: ns.unwrap_or(self.default_ns),
                            start,
                            depth,
                        }));
                    }
                }
                Ev::End => {
                    self.depth = self
                        .depth
                        .checked_sub(1)
                        .ok_or(Declined("end tag without start"))?;
                    while self.bases.last().is_some_and(|(d, _)| *d > self.depth) {
                        self.bases.pop();
                    }
                }
                Ev::Text(_) => {}
                Ev::Eof => {
                    return if self.depth > 0 {
                        Err(Declined("unclosed element"))
                    } else {
                        Ok(None)
                    };
                }
            }
            if self.depth + 1 < depth {
                return Ok(None);
            }
        }
    }

    fn push_base(&mut self, start: &BytesStart<'_>) -> Result<(), Declined> {
        if !start.attributes_raw().contains("xml:base") {
            return Ok(());
        }
        let Some(value) = attributes(start)
            .find(|(k, _)| *k == "xml:base")
            .map(|(_, v)| v)
        else {
            return Ok(());
        };
        match Url::parse(&value) {
            Ok(url) => self.bases.push((self.depth, url)),
            Err(url::ParseError::RelativeUrlWithoutBase) => {
                if let Some(joined) = self.bases.last().and_then(|(_, b)| b.join(&value).ok()) {
                    self.bases.push((self.depth, joined));
                }
            }
            Err(_) => return Err(Declined("xml:base is not a URL")),
        }
        Ok(())
    }

    /// The text right after the start tag just read, if any.
    fn text(&mut self) -> Result<Option<Cow<'i, str>>, Declined> {
        let mut run = None;
        while matches!(self.peek()?, Ev::Text(_)) {
            if let Ev::Text(piece) = self.next()? {
                join(&mut run, piece);
            }
        }
        Ok(run)
    }

    /// Atom's text constructs (`title`, `summary`, inline `content`) of type text or html:
    /// the text, or empty when the element is.
    fn text_construct(&mut self, element: &Element<'_>) -> Result<String, Declined> {
        match element.attr("type").as_deref().unwrap_or("text") {
            "text" | "html" | "text/html" => {}
            _ => return Err(Declined("a text construct that is not text or html")),
        }
        match self.text()? {
            Some(text) => Ok(text.trim().to_string()),
            None if matches!(self.peek()?, Ev::End | Ev::Eof) => Ok(String::new()),
            None => Err(Declined("markup inside a text construct")),
        }
    }

    /// The link an RSS `<link>` or comments element gives.
    fn text_link(&mut self, role: LinkRole) -> Result<Option<PendingLink>, Declined> {
        Ok(self.text()?.map(|text| PendingLink {
            link: SyndicationLink {
                href: resolve(&text, self.bases.last().map(|(_, b)| b)),
                rel: None,
            },
            role,
        }))
    }

    fn atom_feed(
        &mut self,
        root: &Element<'_>,
        dates: DateReader,
    ) -> Result<Syndication, Declined> {
        let mut feed = Syndication {
            syntax: Syntax::Atom,
            title: None,
            entries: Vec::new(),
        };
        while let Some(child) = self.element_at(root.depth + 1)? {
            if child.ns != Ns::Atom {
                continue;
            }
            match child.local() {
                "title" => feed.title = Some(self.text_construct(&child)?),
                "rights" | "subtitle" => check_text_type(&child)?,
                "entry" => feed.entries.push(self.atom_entry(&child, dates)?),
                _ => {}
            }
        }
        Ok(feed)
    }

    fn atom_entry(
        &mut self,
        entry: &Element<'_>,
        dates: DateReader,
    ) -> Result<SyndicationEntry, Declined> {
        let mut out = SyndicationEntry::default();
        while let Some(child) = self.element_at(entry.depth + 1)? {
            match child.ns {
                Ns::Atom => match child.local() {
                    "id" => {
                        if let Some(id) = self.text()? {
                            out.id = id.into_owned();
                        }
                    }
                    "title" => out.title = Some(self.text_construct(&child)?),
                    "updated" => {
                        if let Some(text) = self.text()? {
                            out.updated = dates(&text);
                        }
                    }
                    "published" | "pubDate" => {
                        if let Some(text) = self.text()? {
                            out.published = dates(&text);
                        }
                    }
                    "content" => {
                        if child.attr("src").is_some() {
                            return Err(Declined("out-of-line content"));
                        }
                        out.content = Some(self.text_construct(&child)?);
                    }
                    "summary" => out.summary = Some(self.text_construct(&child)?),
                    "rights" => check_text_type(&child)?,
                    "link" => {
                        if let Some(href) = child.attr("href") {
                            let rel = attributes(&child.start)
                                .filter(|(k, _)| *k == "rel")
                                .last()
                                .map_or_else(|| "alternate".to_string(), |(_, v)| v.into_owned());
                            out.links.push(SyndicationLink {
                                href: resolve(&href, self.bases.last().map(|(_, b)| b)),
                                rel: Some(rel),
                            });
                        }
                    }
                    _ => {}
                },
                Ns::CommentApi if matches!(child.local(), "commentRss" | "commentRSS") => {
                    if let Some(pending) = self.text_link(LinkRole::CommentsFeed)? {
                        out.links.push(pending.link);
                    }
                }
                Ns::MediaRss => self.check_media(&child)?,
                _ => {}
            }
        }
        Ok(out)
    }

    fn rss_channel(
        &mut self,
        channel: &Element<'_>,
        dates: DateReader,
    ) -> Result<Syndication, Declined> {
        let mut feed = Syndication {
            syntax: Syntax::Rss2,
            title: None,
            entries: Vec::new(),
        };
        while let Some(child) = self.element_at(channel.depth + 1)? {
            match child.ns {
                Ns::Rss if child.local() == "title" => {
                    feed.title = self.text()?.map(|t| t.trim().to_string());
                }
                Ns::Rss if child.local() == "item" => {
                    feed.entries.push(self.rss_item(&child, dates)?);
                }
                Ns::Podcast if child.local() == "person" => {
                    return Err(Declined("a podcast person"));
                }
                _ => {}
            }
        }
        Ok(feed)
    }

    fn rss_item(
        &mut self,
        item: &Element<'_>,
        dates: DateReader,
    ) -> Result<SyndicationEntry, Declined> {
        let mut out = SyndicationEntry::default();
        let mut links = Vec::new();
        while let Some(child) = self.element_at(item.depth + 1)? {
            match (child.ns, child.local()) {
                (Ns::Rss, "title") => out.title = self.text()?.map(|t| t.trim().to_string()),
                (Ns::Rss, "link") => links.extend(self.text_link(LinkRole::Plain)?),
                (Ns::Rss, "description") => {
                    out.summary = self.text()?.map(|t| t.trim().to_string());
                }
                (Ns::Rss, "guid") => {
                    if let Some(guid) = self.text()? {
                        out.id = guid.trim().to_string();
                    }
                }
                (Ns::Rss, "pubDate") | (Ns::DublinCore, "date") => {
                    out.published = self.text()?.and_then(|t| dates(&t));
                }
                (Ns::Rss | Ns::Atom, "updated") => {
                    out.updated = self.text()?.and_then(|t| dates(&t));
                }
                (Ns::Content, "encoded") => {
                    out.content = self.text()?.filter(|t| !t.is_empty()).map(Cow::into_owned);
                }
                (Ns::CommentApi, "commentRss" | "commentRSS") => {
                    links.extend(self.text_link(LinkRole::CommentsFeed)?);
                }
                (Ns::Rss, "comments") => links.extend(self.text_link(LinkRole::Comments)?),
                (Ns::MediaRss, _) => self.check_media(&child)?,
                (Ns::Podcast, "person") => return Err(Declined("a podcast person")),
                _ => {}
            }
        }
        if out.updated.is_none() && out.published.is_some() {
            out.updated = out.published;
        }
        // feed-rs drops a comments link that repeats another link of the item.
        let targets: Vec<String> = links
            .iter()
            .filter(|l| l.role != LinkRole::Comments)
            .map(|l| l.link.href.clone())
            .collect();
        out.links = links
            .into_iter()
            .filter(|l| l.role != LinkRole::Comments || !targets.contains(&l.link.href))
            .map(|l| l.link)
            .collect();
        Ok(out)
    }

    /// Media RSS elements carry nothing kept here, but feed-rs fails a document whose media
    /// title or description is of an unknown type or has no text: such a document is left to
    /// it. Every media title and description below `element` is checked, a superset of the
    /// ones feed-rs reads.
    fn check_media(&mut self, element: &Element<'_>) -> Result<(), Declined> {
        if element.ns == Ns::MediaRss && matches!(element.local(), "title" | "description") {
            let known = matches!(
                element.attr("type").as_deref().unwrap_or("plain"),
                "plain" | "html"
            );
            return if known && self.text()?.is_some() {
                Ok(())
            } else {
                Err(Declined("a media text feed-rs refuses"))
            };
        }
        while let Some(child) = self.element_at(element.depth + 1)? {
            self.check_media(&child)?;
        }
        Ok(())
    }
}

/// Atom text constructs not kept (rights, subtitle) still fail feed-rs on an unknown type.
fn check_text_type(element: &Element<'_>) -> Result<(), Declined> {
    match element.attr("type").as_deref().unwrap_or("text") {
        "text" | "html" | "text/html" | "xhtml" => Ok(()),
        _ => Err(Declined("a text construct of unknown type")),
    }
}

fn join<'i>(run: &mut Option<Cow<'i, str>>, piece: Cow<'i, str>) {
    match run {
        None => *run = Some(piece),
        Some(text) => text.to_mut().push_str(&piece),
    }
}

/// feed-rs's link: absolute as parsed, relative joined to the base, else as written; trimmed.
fn resolve(href: &str, base: Option<&Url>) -> String {
    let resolved = match Url::parse(href) {
        Ok(url) => Some(url),
        Err(url::ParseError::RelativeUrlWithoutBase) => base.and_then(|b| b.join(href).ok()),
        Err(_) => None,
    };
    match resolved {
        Some(url) => url.to_string().trim().to_string(),
        None => href.trim().to_string(),
    }
}
