//! A press text's parts: its title and body once page furniture is dropped (menus, bylines,
//! captions, date lines), and its sentences, each with where it stands.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use regex::Regex;

use super::story::recalls_other_event;
use super::{FACT_SENTENCES, MAX_SENTENCES, PressInput, Sentence, gate};
use crate::extract::dates::regex;
use crate::extract::text::sentences;
use crate::extract::window;

/// A plain text's title and body. Saved pages open with furniture (menus, "Skip to content",
/// bylines, logo captions, a ` date YYYY-MM-DD ` marker): the title is the first short line
/// after it that reads like a headline (three words or more, no sentence end); the furniture
/// before it is dropped. A text that opens with a sentence has no title.
pub fn plain_text_parts(text: &str) -> (Option<&str>, &str) {
    // A saved page's text may open with its date marker (" date 2019-06-03 ") run into the
    // first line: the marker dates the page, the rest of the line is the article.
    let text = DATE_MARKER
        .find(text)
        .and_then(|m| text.get(m.end()..))
        .unwrap_or(text);
    // Headline-like lines before the article's first paragraph; the first that names a
    // disruption wins ("View All Result" and a section name are furniture too).
    let mut candidates: Vec<(&str, &str)> = Vec::new();
    let mut rest = text;
    let mut body_start: Option<&str> = None;
    for _ in 0..HEADLINE_LINES {
        if rest.is_empty() {
            break;
        }
        let (line, after) = rest.split_once('\n').unwrap_or((rest, ""));
        let t = line.trim();
        let words = t.split_whitespace().count();
        // A photo's caption is followed by its credit ("Photo: ... / Getty Images").
        let next = after.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let caption = CREDIT_RE.is_match(next.trim());
        if !t.is_empty() && !is_furniture(t) && !caption {
            if t.ends_with('.') || words > 25 || t.chars().count() > 200 {
                body_start = Some(rest);
                break;
            }
            if words >= 4 && !after.is_empty() {
                candidates.push((t, after));
            }
        }
        rest = after;
    }
    let chosen = candidates
        .iter()
        .find(|(t, _)| gate::DISRUPTION.is_match(t))
        .or_else(|| candidates.first());
    match (chosen, body_start) {
        (Some((title, after)), _) => (Some(title), after),
        (None, Some(body)) => (None, body),
        (None, None) => match text.split_once('\n') {
            Some((first, rest))
                if first.chars().count() <= 200 && !first.trim_end().ends_with('.') =>
            {
                (Some(first.trim()), rest)
            }
            _ => (None, text),
        },
    }
}

pub(super) static DATE_MARKER: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^\s*date \d{4}-\d{2}-\d{2}\b[ \t]*"));

/// Lines read from the top for the headline: menus can run to dozens of lines.
const HEADLINE_LINES: usize = 80;

pub(super) static CREDIT_RE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)^(?:photo|image|picture|credit|illustration)s?\s*:|getty images|\bafp\b|shutterstock|/reuters|fotolia",
    )
});

pub(super) static FURNITURE_RE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)^(?:skip to|jump to|home\b|menu\b|search\b|sign in|log ?in\b|subscribe|advertisement|sponsored|print this|share this|connect with us|your ad here|cookie|accept|by [A-Z][\w.'-]+(?: [A-Z][\w.'-]+)*$|date \d{4}-\d{2}-\d{2}|\W*\d+ min(?:ute)?s? read|posted (?:on|by)|updated:?|published:?|[\w ]*\blogo$|image:|photo:|credit:)",
    )
});

/// A line of page furniture rather than of the article: navigation, bylines, markers.
pub(super) fn is_furniture(line: &str) -> bool {
    let bars = line.matches(" | ").count() + line.matches(" · ").count();
    FURNITURE_RE.is_match(line) || bars >= 2 || line.starts_with(['{', '<'])
}

/// True when the top of the body states an impact window or onset in prose ("Between 16:15
/// UTC and 22:20 UTC on 21 Nov 2016", "Starting at 21:56 UTC on 18 July 2024").
pub(super) fn states_window(sents: &[Sentence], published: Option<DateTime<Utc>>) -> bool {
    let reference = published.map(|p| p.date_naive());
    sents
        .iter()
        .filter(|s| !s.is_title && !s.recalls_other)
        .take(FACT_SENTENCES)
        .any(|s| {
            window::impact_window(s.text, reference).is_some()
                || window::onset(s.text, reference).is_some()
        })
}

/// The first `max` characters, cut on a char boundary.
pub(super) fn head_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

pub(super) fn split<'a>(input: &PressInput<'a>) -> Vec<Sentence<'a>> {
    let mut out = Vec::new();
    let title = input.title.trim();
    if !title.is_empty() {
        out.push(Sentence {
            text: title,
            index: 0,
            is_title: true,
            section: String::new(),
            recalls_other: false,
            dateline: false,
        });
    }
    let mut section = String::new();
    for text in sentences(input.text).into_iter().take(MAX_SENTENCES) {
        let trimmed = text.trim_start_matches(['#', '-', '*', ' ', '>']).trim();
        let trimmed = if is_heading(text) {
            trimmed.trim_end_matches(['*', '_', ' '])
        } else {
            trimmed
        };
        if trimmed.is_empty() {
            continue;
        }
        if is_heading(text) {
            section = trimmed.trim_end_matches(':').to_lowercase();
            continue;
        }
        let recalls_other = recalls_other_event(trimmed, input.published);
        out.push(Sentence {
            text: trimmed,
            index: out.len(),
            is_title: false,
            section: section.clone(),
            recalls_other,
            dateline: is_dateline(trimmed),
        });
    }
    out
}

/// Markdown headings and short "Label:" lines in post-mortems.
///
/// Emphasis around a label ("**Affected Services and Features:**", as Google Cloud's reports
/// write them) is not part of it.
pub(super) fn is_heading(line: &str) -> bool {
    let line = line.trim();
    if line.starts_with('#') {
        return true;
    }
    let t = line.trim_matches(['*', '_', ' ']);
    t.starts_with('#')
        || (t.ends_with(':') && t.split_whitespace().count() <= 4)
        || matches!(
            t.to_lowercase().as_str(),
            "root cause"
                | "impact"
                | "duration"
                | "summary"
                | "timeline"
                | "sources"
                | "status page"
        )
}

pub(super) static DATELINE_RE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)^(?:update[sd]?\b|published\b|posted\b|last updated\b|first published\b|originally published\b|today\s*:)|getty images|\bafp\b|/reuters|\bphoto:|\bimage:|\bfile photo\b|\bis seen\b|\bpictured\b|\bmin(?:ute)? read\b",
    )
});

pub(super) static DATE_WORDS_RE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?|monday|tuesday|wednesday|thursday|friday|saturday|sunday|by|at|on|and|published|updated|posted|am|pm|a\.m|p\.m|utc|gmt|et|pt|edt|est|pst|pdt|bst|min|mins|read|share|comments?|views?)\b|[\d:|,.·•\-–—/()]+",
    )
});

/// A date line, byline, update note or caption (see [`Sentence::dateline`]): a line that
/// says how it was published, or a date with a few words of furniture around it.
pub(super) fn is_dateline(sentence: &str) -> bool {
    if DATELINE_RE.is_match(sentence) {
        return true;
    }
    let has_date = regex_has_date(sentence);
    has_date
        && DATE_WORDS_RE
            .replace_all(sentence, " ")
            .split_whitespace()
            .count()
            <= 4
}

pub(super) fn regex_has_date(sentence: &str) -> bool {
    static DATE: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"(?i)\b(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}\b|\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b|(?:19|20)\d{2}-\d{2}-\d{2})",
        )
    });
    DATE.is_match(sentence)
}

pub(super) static YEAR_RE: LazyLock<Regex> = LazyLock::new(|| regex(r"\b(?:19|20)\d{2}\b"));
pub(super) static WEEKDAY_RE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)\b(?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b")
});
pub(super) static FRESH_RE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:today|yesterday|tonight|this (?:morning|afternoon|evening)|last night|earlier today)\b",
    )
});
