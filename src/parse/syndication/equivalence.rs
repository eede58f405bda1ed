//! The fast reader against feed-rs on every real document at hand: the corpus, the
//! benchmark's 200 feeds and the project's fixtures. Wherever the fast reader accepts a
//! document, the two readings, and the incidents every feed format builds from them, must be
//! equal field by field.

use std::path::Path;

use crate::test_support::{files_under, shared_files};

use super::{DateReader, Syndication, fast, read_with_feed_rs};
use crate::extract::time::parse_feed_date;
use crate::model::{Format, Incident};
use crate::parse::{ParseContext, detect, feed, incidentio, slack, statuspage_feed};

/// What each feed format makes of a document; errors as their message.
fn incidents(
    doc: Syndication,
    format: Format,
    ctx: &ParseContext,
) -> Result<Vec<Incident>, String> {
    let result = match format {
        Format::StatuspageAtom | Format::StatuspageRss => statuspage_feed::from_document(doc, ctx),
        Format::SlackFeed => slack::feed_incidents(&feed::document(doc, ctx, format), ctx),
        Format::IncidentioFeed => {
            incidentio::feed_incidents(&feed::document(doc, ctx, format), ctx)
        }
        _ => feed::incidents(&feed::document(doc, ctx, Format::Feed), ctx),
    };
    result.map_err(|e| e.to_string())
}

/// Both readings of one document under one base and date reader; whether the fast reader
/// took it.
fn compare(path: &Path, bytes: &[u8], base: Option<&str>, dates: DateReader) -> bool {
    let Ok(fast) = fast::read(bytes, base, dates) else {
        return false;
    };
    let slow = read_with_feed_rs(bytes, base, dates).unwrap_or_else(|e| {
        panic!(
            "{}: feed-rs refuses what the fast reader read: {e}",
            path.display()
        )
    });
    assert_eq!(fast, slow, "{} (base {base:?})", path.display());
    let format = detect(bytes).unwrap_or(Format::Feed);
    let ctx = ParseContext {
        url: base.map(str::to_string),
        vendor: Some("Acme".into()),
        ..ParseContext::default()
    };
    assert_eq!(
        incidents(fast, format, &ctx),
        incidents(slow, format, &ctx),
        "{}",
        path.display()
    );
    true
}

#[test]
fn fast_reader_reads_every_document_it_accepts_exactly_as_feed_rs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(mut files) = shared_files(&["corpus", "bench/feeds"]) else {
        return;
    };
    files_under(&root.join("tests/fixtures"), &mut files);
    files.sort();
    let mut accepted = 0;
    for path in &files {
        let bytes = std::fs::read(path).expect("readable test file");
        let feed_like = matches!(
            detect(&bytes),
            Some(
                Format::Feed
                    | Format::StatuspageAtom
                    | Format::StatuspageRss
                    | Format::SlackFeed
                    | Format::IncidentioFeed
            )
        );
        if !feed_like {
            continue;
        }
        let took = compare(path, &bytes, None, feed::feed_timestamp);
        compare(
            path,
            &bytes,
            Some("https://status.example.com/history/feed.xml"),
            parse_feed_date,
        );
        accepted += usize::from(took);
    }
    assert!(
        accepted >= 200,
        "the fast reader took only {accepted} feeds"
    );
}

/// The cases the fast reader must leave to feed-rs, each for its own reason.
#[test]
fn documents_outside_the_fast_subset_are_declined() {
    let declined = |xml: &str| fast::read(xml.as_bytes(), None, parse_feed_date).err();
    assert_eq!(
        declined(r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>"#),
        Some(fast::Declined("neither RSS 2.0 nor Atom"))
    );
    assert_eq!(
        declined(r#"<rss version="0.91"><channel></channel></rss>"#),
        Some(fast::Declined("neither RSS 2.0 nor Atom"))
    );
    assert_eq!(
        declined(r#"<feed><entry><title type="xhtml"><div>x</div></title></entry></feed>"#),
        Some(fast::Declined("a text construct that is not text or html"))
    );
    assert_eq!(
        declined(
            r#"<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>Café</title></channel></rss>"#
        ),
        Some(fast::Declined("an encoding other than UTF-8"))
    );
    assert_eq!(
        declined(r#"<rss version="2.0"><channel><item><title>x</item></channel></rss>"#),
        Some(fast::Declined("malformed XML"))
    );
    assert_eq!(
        declined(
            r#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><item><media:title/></item></channel></rss>"#
        ),
        Some(fast::Declined("a media text feed-rs refuses"))
    );
    assert_eq!(
        declined("{\"version\": \"https://jsonfeed.org/version/1\"}"),
        Some(fast::Declined("not XML"))
    );
}

#[test]
fn text_runs_entities_and_links_read_as_feed_rs_reads_them() {
    let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title> Acme &amp; Co <!-- note --> Status </title>
<item>
  <title>[Resolved] API &lt;b&gt;errors&lt;/b&gt; &nbsp; &#x41;</title>
  <link> /incidents/42 </link>
  <comments>https://status.example.com/incidents/42</comments>
  <guid isPermaLink="false">  g-1  </guid>
  <description><![CDATA[<p>Fixed</p>]]> after &amp; before</description>
  <content:encoded>  </content:encoded>
  <dc:date>2024-03-03T14:02:00Z</dc:date>
</item>
</channel></rss>"#;
    let base = Some("https://status.example.com/history.rss");
    let fast = fast::read(xml.as_bytes(), base, parse_feed_date).expect("fast reader takes it");
    let slow = read_with_feed_rs(xml.as_bytes(), base, parse_feed_date).expect("feed-rs takes it");
    assert_eq!(fast, slow);
    assert_eq!(fast.title.as_deref(), Some("Acme & Co  Status"));
    let entry = &fast.entries[0];
    assert_eq!(
        entry.title.as_deref(),
        Some("[Resolved] API <b>errors</b> &nbsp; A")
    );
    assert_eq!(entry.id, "g-1");
    assert_eq!(
        entry.summary.as_deref(),
        Some("<p>Fixed</p> after & before")
    );
    assert_eq!(entry.content.as_deref(), Some("  "));
    assert_eq!(
        entry
            .links
            .iter()
            .map(|l| l.href.as_str())
            .collect::<Vec<_>>(),
        vec!["https://status.example.com/incidents/42"]
    );
    assert_eq!(entry.updated, entry.published);
    assert!(entry.published.is_some());
}
