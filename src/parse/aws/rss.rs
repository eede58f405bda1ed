//! The legacy AWS Service Health Dashboard RSS: per service-region feeds
//! (`/rss/ec2-ap-northeast-1.rss`) and `all.rss`. Each item is one *update*, not one event, so
//! items are grouped into events: by service key (the guid fragment `<service>-<region>_<epoch>`;
//! `all.rss` interleaves services), oldest first, closing an event at a resolution post or
//! after a silence of more than 24 hours.
//!
//! A resolved event may get a further resolved post with the same headline (the real Tokyo
//! feed has two "[RESOLVED] Increased API Error Rates" posts 21 minutes apart); that continues
//! the event rather than opening a new one. pubDates use US zone names (PDT/PST), which
//! `extract::time::parse_feed_date` maps explicitly, so the XML is read here rather than through
//! a feed library that would read an unknown zone as UTC.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use quick_xml::Reader;
use quick_xml::events::Event as Xml;

use super::prose::{
    Post, english_part, find_cause, has_resolved_tag, impact_window, ongoing_status, strip_resolved,
};
use super::region::{ServiceKey, split_service_name};
use super::{DEFAULT_VENDOR, StateWord, decode_document, plausible, worst_severity};
use crate::extract::text::{html_to_text, one_line, truncate_chars};
use crate::extract::time::{parse_feed_date, zone_offset};
use crate::model::{Format, Incident, ReportKind, SourceRef, Status, Update, incident_id, slug};
use crate::parse::{ParseContext, ParseError};

/// Longest silence inside one event; measured intra-event gaps are at most 6.8 h.
const MAX_GAP: Duration = Duration::hours(24);

/// Parses a legacy AWS RSS feed into one incident per event, oldest first.
pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Incident>, ParseError> {
    let text = decode_document(bytes);
    let channel = read_channel(&text)?;
    if channel.items.is_empty() {
        // A healthy AWS feed is an empty channel.
        return Ok(Vec::new());
    }
    let fallback = fallback_key(ctx, &channel);
    let mut entries: Vec<Entry> = channel
        .items
        .iter()
        .filter_map(|item| Entry::from_item(item, fallback.as_ref()))
        .collect();
    if entries.is_empty() {
        return Err(ParseError::Invalid {
            format: Format::AwsRss,
            message: format!(
                "none of the {} items has a usable date (pubDate or guid epoch)",
                channel.items.len()
            ),
        });
    }
    entries.sort_by(|a, b| (&a.key, a.at, a.epoch).cmp(&(&b.key, b.at, b.epoch)));
    // A feed that repeats an item (same key, time and words) reports one post, not two.
    entries.dedup_by(|a, b| {
        a.key == b.key && a.at == b.at && a.headline == b.headline && a.text == b.text
    });
    let groups = group_events(entries);
    let naming = ChannelNaming::new(&channel, &groups);
    let vendor = ctx.vendor.as_deref().unwrap_or(DEFAULT_VENDOR);
    let mut incidents: Vec<Incident> = groups
        .iter()
        .filter_map(|g| build_incident(g, vendor, &naming, ctx, &channel))
        .collect();
    incidents.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
    Ok(incidents)
}

/// The raw fields of one `<item>`, XML-unescaped, CDATA kept as written.
#[derive(Debug, Default)]
struct RawItem {
    title: String,
    pub_date: String,
    guid: String,
    description: String,
}

#[derive(Debug, Default)]
struct Channel {
    title: String,
    link: String,
    items: Vec<RawItem>,
}

/// Which element's text is being collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    ChannelTitle,
    ChannelLink,
    Title,
    PubDate,
    Guid,
    Description,
}

fn read_channel(text: &str) -> Result<Channel, ParseError> {
    let feed_error = |message: String| ParseError::Feed {
        format: Format::AwsRss,
        message,
    };
    let mut reader = Reader::from_str(text);
    let mut channel = Channel::default();
    let mut seen_channel = false;
    let mut channel_closed = false;
    let mut item: Option<RawItem> = None;
    let mut field: Option<Field> = None;
    let mut depth_in_field = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| {
            feed_error(format!(
                "malformed XML at byte {}: {e}",
                reader.buffer_position()
            ))
        })?;
        match event {
            Xml::Start(start) => {
                if field.is_some() {
                    // Unescaped HTML inside a description: keep its text, its blocks apart.
                    depth_in_field += 1;
                    push(&mut channel, item.as_mut(), field, "\n");
                    continue;
                }
                let name = start.local_name();
                let name = name.as_ref();
                match (name, item.is_some()) {
                    ("channel", _) => seen_channel = true,
                    ("item", false) => item = Some(RawItem::default()),
                    ("title", true) => field = Some(Field::Title),
                    ("pubDate", true) => field = Some(Field::PubDate),
                    ("guid", true) => field = Some(Field::Guid),
                    ("description", true) => field = Some(Field::Description),
                    ("title", false) if seen_channel && channel.title.is_empty() => {
                        field = Some(Field::ChannelTitle)
                    }
                    ("link", false) if seen_channel && channel.link.is_empty() => {
                        field = Some(Field::ChannelLink)
                    }
                    _ => {}
                }
            }
            Xml::End(end) => {
                if field.is_some() {
                    if depth_in_field > 0 {
                        depth_in_field -= 1;
                        push(&mut channel, item.as_mut(), field, "\n");
                    } else {
                        field = None;
                    }
                    continue;
                }
                match end.local_name().as_ref() {
                    "item" => {
                        if let Some(done) = item.take() {
                            channel.items.push(done);
                        }
                    }
                    "channel" => channel_closed = true,
                    _ => {}
                }
            }
            Xml::Text(t) => push(&mut channel, item.as_mut(), field, &t),
            Xml::CData(c) => push(&mut channel, item.as_mut(), field, &c),
            Xml::GeneralRef(r) => {
                let decoded = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match r.as_ref() {
                        "lt" => "<".to_string(),
                        "gt" => ">".to_string(),
                        "amp" => "&".to_string(),
                        "quot" => "\"".to_string(),
                        "apos" => "'".to_string(),
                        // HTML entities in XML text: left for the HTML decoder.
                        other => format!("&{other};"),
                    },
                };
                push(&mut channel, item.as_mut(), field, &decoded);
            }
            Xml::Eof => break,
            _ => {}
        }
    }
    if !seen_channel {
        return Err(feed_error("no <channel> element: not an RSS feed".into()));
    }
    // A cut-off download must not read as a healthy, empty feed.
    if !channel_closed {
        return Err(feed_error(
            "document ends inside <channel>: truncated feed".into(),
        ));
    }
    Ok(channel)
}

fn push(channel: &mut Channel, item: Option<&mut RawItem>, field: Option<Field>, text: &str) {
    let target = match (field, item) {
        (Some(Field::ChannelTitle), _) => &mut channel.title,
        (Some(Field::ChannelLink), _) => &mut channel.link,
        (Some(Field::Title), Some(i)) => &mut i.title,
        (Some(Field::PubDate), Some(i)) => &mut i.pub_date,
        (Some(Field::Guid), Some(i)) => &mut i.guid,
        (Some(Field::Description), Some(i)) => &mut i.description,
        _ => return,
    };
    target.push_str(text);
}

/// One item, read: its event key, time, state and English text.
#[derive(Debug)]
struct Entry {
    /// Service key, "ec2-ap-northeast-1".
    key: String,
    /// Whether `key` names a service (from the guid or the feed's file name) or only groups
    /// guid-less items of a feed that names none.
    key_names_service: bool,
    /// The guid epoch (equal to pubDate on real feeds), else the pubDate's.
    epoch: i64,
    at: DateTime<Utc>,
    zone: Option<FixedOffset>,
    state: Option<(StateWord, String)>,
    /// Title after the prefix, English part, without "[RESOLVED]".
    headline: String,
    text: String,
    resolves: bool,
    /// The item as posted, for the source quote.
    quote: String,
}

impl Entry {
    fn from_item(item: &RawItem, fallback: Option<&FallbackKey>) -> Option<Entry> {
        let title = one_line(&html_to_text(&item.title));
        let body = html_to_text(&html_escape::decode_html_entities(&item.description));
        let text = english_part(&body);
        let pub_date = item.pub_date.trim();
        let parsed_date = parse_feed_date(pub_date);
        let guid_key = guid_key(&item.guid);
        let at = parsed_date.and_then(plausible).or_else(|| {
            guid_key
                .as_ref()
                .and_then(|(_, e)| DateTime::from_timestamp(*e, 0))
                .and_then(plausible)
        })?;
        let (key, key_names_service, epoch) = match (guid_key, fallback) {
            (Some((key, epoch)), _) => (key, true, epoch),
            (None, Some(f)) => (f.key.clone(), f.names_service, at.timestamp()),
            (None, None) => return None,
        };
        let zone = pub_date.rsplit_once(' ').and_then(|(_, z)| zone_offset(z));
        let (state, rest) = split_prefix(&title);
        let headline = strip_resolved(&english_part(rest));
        let resolves = matches!(state, Some((StateWord::OperatingNormally, _)))
            || has_resolved_tag(&title)
            || body
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("[resolved]")
            || text
                .to_lowercase()
                .contains("the service is operating normally");
        let quote = truncate_chars(&one_line(&format!("{title} {text}")), 300);
        Some(Entry {
            key,
            key_names_service,
            epoch,
            at,
            zone,
            state,
            headline,
            text,
            resolves,
            quote,
        })
    }
}

/// `http://status.aws.amazon.com/#ec2-ap-northeast-1_1566559115` -> ("ec2-ap-northeast-1",
/// 1566559115). Anything else is not a key.
fn guid_key(guid: &str) -> Option<(String, i64)> {
    let fragment = guid.trim().rsplit_once('#').map_or(guid.trim(), |(_, f)| f);
    let (key, epoch) = fragment.rsplit_once('_')?;
    let key_ok = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let epoch: i64 = epoch.parse().ok()?;
    (key_ok && epoch > 0).then(|| (key.to_string(), epoch))
}

/// Splits "Service degradation: Instance Availability" into its state word and the rest.
fn split_prefix(title: &str) -> (Option<(StateWord, String)>, &str) {
    for (prefix, word) in StateWord::PREFIXES {
        if let Some(head) = title.get(..prefix.len())
            && head.eq_ignore_ascii_case(prefix)
            && let Some(rest) = title[prefix.len()..].trim_start().strip_prefix(':')
        {
            return (Some((word, head.to_string())), rest.trim());
        }
    }
    (None, title)
}

/// The key for items without a guid.
struct FallbackKey {
    key: String,
    names_service: bool,
}

/// The feed file's name ("/rss/cloudfront.rss" -> "cloudfront") names the service; `all.rss`
/// names none, so its guid-less items are grouped under the channel's name and attributed to
/// no service.
fn fallback_key(ctx: &ParseContext, channel: &Channel) -> Option<FallbackKey> {
    let from_url = ctx.url.as_deref().and_then(|u| {
        let file = u.split(['?', '#']).next()?.rsplit('/').next()?;
        let stem = file.strip_suffix(".rss")?.to_ascii_lowercase();
        (!stem.is_empty() && stem != "all").then_some(stem)
    });
    if let Some(key) = from_url {
        return Some(FallbackKey {
            key,
            names_service: true,
        });
    }
    let name = channel
        .title
        .trim()
        .trim_end_matches("Service Status")
        .trim();
    let key = slug(name);
    (!key.is_empty()).then_some(FallbackKey {
        key,
        names_service: false,
    })
}

/// Splits one service's entries (sorted oldest first) into events.
fn group_events(entries: Vec<Entry>) -> Vec<Vec<Entry>> {
    let mut groups: Vec<Vec<Entry>> = Vec::new();
    for entry in entries {
        let continues = groups.last().and_then(|g| g.last()).is_some_and(|last| {
            last.key == entry.key
                && entry.at - last.at <= MAX_GAP
                && (!last.resolves
                    || (entry.resolves && last.headline.eq_ignore_ascii_case(&entry.headline)))
        });
        match groups.last_mut() {
            Some(group) if continues => group.push(entry),
            _ => groups.push(vec![entry]),
        }
    }
    groups
}

/// The human service name and region a per-service feed's channel gives
/// ("Amazon Elastic Compute Cloud (Tokyo) Service Status"); `all.rss` gives none.
struct ChannelNaming {
    per_service: Option<(String, Option<String>)>,
}

impl ChannelNaming {
    fn new(channel: &Channel, groups: &[Vec<Entry>]) -> ChannelNaming {
        let one_key = groups
            .first()
            .and_then(|g| g.first())
            .map(|e| &e.key)
            .filter(|k| groups.iter().flatten().all(|e| &e.key == *k));
        let name = channel
            .title
            .trim()
            .strip_suffix("Service Status")
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let per_service = match (one_key, name) {
            (Some(_), Some(name))
                if !name.eq_ignore_ascii_case("Amazon Web Services")
                    && !name.eq_ignore_ascii_case("AWS") =>
            {
                Some(split_service_name(name))
            }
            _ => None,
        };
        ChannelNaming { per_service }
    }
}

fn build_incident(
    group: &[Entry],
    vendor: &str,
    naming: &ChannelNaming,
    ctx: &ParseContext,
    channel: &Channel,
) -> Option<Incident> {
    let (first, last) = (group.first()?, group.last()?);
    let key = ServiceKey::parse(&first.key);
    let (service, channel_region) = match &naming.per_service {
        Some((name, region)) => (Some(name.clone()), region.clone()),
        None => (first.key_names_service.then(|| key.service.clone()), None),
    };
    let region = key.region.clone().or(channel_region);
    let resolved = last.resolves;
    let posts: Vec<Post<'_>> = group
        .iter()
        .map(|e| Post {
            at: e.at,
            zone: e.zone,
            text: &e.text,
        })
        .collect();
    let window = impact_window(&posts, resolved);
    let (severity, severity_native) = worst_severity(
        group
            .iter()
            .filter_map(|e| e.state.as_ref().map(|(w, n)| (*w, n.as_str()))),
    );
    let title = group
        .iter()
        .rev()
        .map(|e| e.headline.as_str())
        .find(|h| !h.is_empty())
        .map(str::to_string)
        .or_else(|| service.clone())
        .unwrap_or_else(|| first.key.clone());
    let texts: Vec<&str> = group.iter().map(|e| e.text.as_str()).collect();
    let url = ctx
        .url
        .clone()
        .or_else(|| (!channel.link.trim().is_empty()).then(|| channel.link.trim().to_string()));
    Some(Incident {
        id: incident_id(vendor, &format!("{}_{}", first.key, first.epoch)),
        vendor: vendor.to_string(),
        title,
        start: window.start.or(Some(first.at)),
        end: resolved.then(|| window.end.unwrap_or(last.at)),
        status: if resolved {
            Status::Resolved
        } else {
            ongoing_status(&last.text)
        },
        severity,
        severity_native,
        stated_minutes: None,
        regions: region.into_iter().collect(),
        services: service.into_iter().collect(),
        cause: find_cause(&texts),
        updates: group
            .iter()
            .map(|e| Update {
                at: Some(e.at),
                status: e
                    .state
                    .as_ref()
                    .map_or_else(|| "update".to_string(), |(_, n)| n.to_lowercase()),
                text: e.text.clone(),
            })
            .collect(),
        sources: vec![SourceRef {
            url,
            kind: ReportKind::Status,
            quote: Some(last.quote.clone()),
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_fragment_is_the_service_key_and_epoch() {
        assert_eq!(
            guid_key("http://status.aws.amazon.com/#ec2-ap-northeast-1_1566559115"),
            Some(("ec2-ap-northeast-1".to_string(), 1_566_559_115))
        );
        assert_eq!(guid_key("http://status.aws.amazon.com/"), None);
        assert_eq!(guid_key("#EC2_12"), None);
        assert_eq!(guid_key("#ec2_notanumber"), None);
    }

    #[test]
    fn title_prefix_gives_state_and_headline() {
        let (state, rest) = split_prefix("Service degradation: Instance Availability");
        assert_eq!(
            state,
            Some((StateWord::Degradation, "Service degradation".to_string()))
        );
        assert_eq!(rest, "Instance Availability");
        let (state, rest) = split_prefix("Increased API Errors");
        assert_eq!(state, None);
        assert_eq!(rest, "Increased API Errors");
    }

    #[test]
    fn channel_without_items_is_an_empty_feed_and_no_channel_is_an_error() {
        let ctx = ParseContext::default();
        let empty =
            b"<rss><channel><title>Amazon Web Services Service Status</title></channel></rss>";
        assert_eq!(parse(empty, &ctx).map(|v| v.len()).ok(), Some(0));
        assert!(matches!(
            parse(b"<html><body>status</body></html>", &ctx),
            Err(ParseError::Feed { .. })
        ));
        match parse(b"<rss><channel><item><title>x</title>", &ctx) {
            Err(ParseError::Feed { message, .. }) => {
                assert!(message.contains("truncated"), "{message}")
            }
            other => panic!("expected a truncation error, got {other:?}"),
        }
    }

    #[test]
    fn raw_markup_in_a_description_keeps_its_blocks_apart() {
        let doc = "<rss><channel><title>Amazon Simple Queue Service (Ireland) Service Status</title>\
            <item><title>Informational message: Increased latency</title>\
            <pubDate>Tue, 01 Mar 2022 10:00:00 PST</pubDate>\
            <guid>http://status.aws.amazon.com/#sqs-eu-west-1_1646157600</guid>\
            <description><p>We are investigating.</p><p>Queues &amp; topics affected.</p></description>\
            </item></channel></rss>";
        let got = parse(doc.as_bytes(), &ParseContext::default()).expect("parses");
        let [event] = got.as_slice() else {
            panic!("one event expected, got {got:?}");
        };
        assert_eq!(
            event.updates.first().map(|u| u.text.as_str()),
            Some("We are investigating.\nQueues & topics affected.")
        );
        assert_eq!(event.services, vec!["Amazon Simple Queue Service"]);
        assert_eq!(event.regions, vec!["eu-west-1"]);
        assert_eq!(event.id, "aws:sqs-eu-west-1_1646157600");
        assert_eq!(event.status, Status::Investigating);
    }

    #[test]
    fn items_without_any_date_are_an_error_naming_the_problem() {
        let ctx = ParseContext::default();
        let doc = b"<rss><channel><item><title>Informational message: x</title><pubDate>someday</pubDate></item></channel></rss>";
        match parse(doc, &ctx) {
            Err(ParseError::Invalid { message, .. }) => {
                assert!(message.contains("usable date"), "{message}")
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }
}
