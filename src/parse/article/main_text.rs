//! The article's main text: every text block scores its ancestors by length and commas,
//! containers are weighted by class/id hints and link density, the best container wins and
//! siblings that look like more of the same article join it.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use ego_tree::iter::Edge;
use scraper::{Html, Node};

use crate::extract::text::{clean_text, one_line};

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

pub(super) fn main_text(doc: &Html, title: Option<&str>) -> String {
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
    // One automaton per list: a scan of the name per list, not per hint word.
    static HINTS: OnceLock<Option<(AhoCorasick, AhoCorasick)>> = OnceLock::new();
    let Some((negative_hints, positive_hints)) = HINTS
        .get_or_init(|| {
            Some((
                AhoCorasick::new(NEGATIVE_HINTS).ok()?,
                AhoCorasick::new(POSITIVE_HINTS).ok()?,
            ))
        })
        .as_ref()
    else {
        return (0, false);
    };
    let negative = negative_hints.is_match(class_id);
    let positive = positive_hints.is_match(class_id);
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
    // Element indexes are dense: a flag per element, not a hashed set.
    let mut initialised = vec![false; elems.len()];
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
            if let Some(seen) = initialised.get_mut(t).filter(|seen| !**seen) {
                *seen = true;
                e.score += tag_weight(&e.tag) + f64::from(e.hint);
            }
            e.score += content / divider;
            target = e.parent;
        }
    }
    for (e, _) in elems
        .iter_mut()
        .zip(&initialised)
        .filter(|(_, seen)| **seen)
    {
        let density = e.link_len as f64 / e.text_len.max(1) as f64;
        e.score *= 1.0 - density;
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
/// One flag per element.
fn with_siblings(elems: &[Elem], paragraphs: &[Paragraph], top: usize) -> Vec<bool> {
    let mut included = vec![false; elems.len()];
    if let Some(flag) = included.get_mut(top) {
        *flag = true;
    }
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
            if let Some(flag) = included.get_mut(i) {
                *flag = true;
            }
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
                if let Some(flag) = included.get_mut(i) {
                    *flag = true;
                }
            }
        }
    }
    included
}

fn is_inside(elems: &[Elem], mut node: usize, included: &[bool]) -> bool {
    loop {
        if included.get(node).copied().unwrap_or(false) {
            return true;
        }
        match elems.get(node).and_then(|e| e.parent) {
            Some(p) => node = p,
            None => return false,
        }
    }
}
