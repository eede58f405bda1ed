//! Scoring the extractor on real web pages: a folder of `<id>.txt` excerpts and a
//! `labels.jsonl` (as `../shared/corpus/press-pages`), each page read the way `outages extract
//! FILE --kind text --published DATE --url URL` reads it.
//!
//! One score per field and page, over the pages that report an outage: the vendor is one of
//! the accepted names; the onset day is the UTC day of the labelled `start`; the duration lies
//! in the labelled `[lo, hi]` (none given when none is labelled); regions, services and cause
//! are phrases a substring match looks for (a page labelled with none must give none, a page
//! labelled with some must give at least one that matches). Non-reports must give no event.
//! A second figure, `label recall`, counts every labelled region and service found, so a
//! page's partial answer is visible too.

use std::fmt;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::{PressInput, PressReport, extract, plain_text_parts};
use crate::extract::dates::Precision;
use crate::extract::region;
use crate::extract::services::same_service;
use crate::extract::text::clean_text;
use crate::extract::vendor::Gazetteer;

/// One line of `labels.jsonl`.
#[derive(Debug, Clone, Deserialize)]
pub struct PageLabel {
    pub id: String,
    #[serde(default)]
    pub url: Option<String>,
    pub file: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub published: Option<String>,
    pub outage: bool,
    /// Accepted names, canonical first.
    #[serde(default)]
    pub vendor: Vec<String>,
    /// `YYYY-MM-DDTHH:MMZ` or `YYYY-MM-DD`.
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub duration_minutes: Option<[i64; 2]>,
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub cause: Option<String>,
}

/// A labelled page with its text.
#[derive(Debug, Clone)]
pub struct LabelledPage {
    pub label: PageLabel,
    pub text: String,
}

impl PageLabel {
    fn published_at(&self) -> Option<DateTime<Utc>> {
        let p = self.published.as_deref()?.trim();
        NaiveDate::parse_from_str(p.get(..10).unwrap_or(p), "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map(|t| t.and_utc())
    }

    fn start_day(&self) -> Option<NaiveDate> {
        let s = self.start.as_deref()?;
        NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").ok()
    }
}

/// Reads `labels.jsonl` and every page it names from `dir`; the error names the line or file.
pub fn read_pages(dir: &Path) -> Result<Vec<LabelledPage>, String> {
    let labels = dir.join("labels.jsonl");
    let raw = std::fs::read_to_string(&labels)
        .map_err(|e| format!("cannot read {}: {e}", labels.display()))?;
    let mut pages = Vec::new();
    for (n, line) in raw.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let label: PageLabel = serde_json::from_str(line)
            .map_err(|e| format!("{}:{}: not a page label: {e}", labels.display(), n + 1))?;
        let file = dir.join(&label.file);
        let bytes =
            std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        pages.push(LabelledPage {
            label,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        });
    }
    Ok(pages)
}

/// Pages right out of pages scored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub correct: usize,
    pub total: usize,
}

impl Tally {
    fn add(&mut self, ok: bool) {
        self.total += 1;
        if ok {
            self.correct += 1;
        }
    }

    /// Share right; 1 when nothing was scored.
    pub fn share(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.correct as f64 / self.total as f64
        }
    }
}

/// Per-field page scores over a labelled folder, with one line per miss for inspection.
#[derive(Debug, Clone, Default)]
pub struct PagesReport {
    pub pages: usize,
    /// Outage reports that gave an event.
    pub detection: Tally,
    /// Non-reports that gave an event (`correct` counts them).
    pub false_events: Tally,
    pub vendor: Tally,
    pub onset_day: Tally,
    pub duration: Tally,
    pub regions: Tally,
    pub services: Tally,
    pub cause: Tally,
    /// Every labelled region and service found, one count each.
    pub region_labels: Tally,
    pub service_labels: Tally,
    /// "field id: expected ..., got ..." for every miss.
    pub misses: Vec<String>,
}

impl fmt::Display for PagesReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<22} {:>7} {:>6} {:>6}",
            "field", "correct", "of", "share"
        )?;
        for (name, t) in [
            ("detection", self.detection),
            ("non-reports as events", self.false_events),
            ("vendor", self.vendor),
            ("onset day", self.onset_day),
            ("duration", self.duration),
            ("regions", self.regions),
            ("services", self.services),
            ("cause", self.cause),
            ("region labels found", self.region_labels),
            ("service labels found", self.service_labels),
        ] {
            writeln!(
                f,
                "{name:<22} {:>7} {:>6} {:>6.3}",
                t.correct,
                t.total,
                t.share()
            )?;
        }
        write!(f, "pages: {}", self.pages)
    }
}

/// What `outages extract FILE --kind text --published DATE --url URL` finds in a page.
pub fn extract_page(page: &LabelledPage) -> Option<PressReport> {
    let cleaned = clean_text(&page.text);
    let (title, body) = plain_text_parts(&cleaned);
    extract(&PressInput {
        title: title.unwrap_or(""),
        text: body,
        published: page.label.published_at(),
        vendor_hint: None,
        publisher: None,
        url: page.label.url.as_deref(),
    })
}

/// Runs [`extract`] on every page and scores each field.
pub fn score_pages(pages: &[LabelledPage]) -> PagesReport {
    let mut r = PagesReport {
        pages: pages.len(),
        ..PagesReport::default()
    };
    for page in pages {
        let got = extract_page(page);
        let l = &page.label;
        if !l.outage {
            r.false_events.add(got.is_some());
            if let Some(g) = &got {
                r.misses.push(format!(
                    "false event {}: {} | {}",
                    l.id, g.vendor.value, g.title
                ));
            }
            continue;
        }
        r.detection.add(got.is_some());
        if got.is_none() {
            r.misses.push(format!("missed {}", l.id));
        }
        score_page(&mut r, l, got.as_ref());
    }
    r
}

fn score_page(r: &mut PagesReport, l: &PageLabel, got: Option<&PressReport>) {
    let id = &l.id;
    let vendor = got.map(|g| g.vendor.value.as_str());
    let vendor_ok = vendor.is_some_and(|v| l.vendor.iter().any(|w| same_vendor(w, v)));
    r.vendor.add(vendor_ok);
    if !vendor_ok && got.is_some() {
        r.misses.push(format!(
            "vendor {id}: expected {:?}, got {vendor:?}",
            l.vendor
        ));
    }
    let day = got
        .and_then(|g| g.start.as_ref())
        .filter(|s| s.precision <= Precision::Day)
        .map(|s| s.at.date_naive());
    let want_day = l.start_day();
    r.onset_day.add(day.is_some() && day == want_day);
    if day != want_day {
        let quote = got
            .and_then(|g| g.start.as_ref())
            .map_or("", |s| s.quote.as_str());
        r.misses.push(format!(
            "onset {id}: expected {want_day:?}, got {day:?} from {:?}",
            clip(quote)
        ));
    }
    let minutes = got.and_then(|g| g.duration_minutes.as_ref());
    let duration_ok = match (l.duration_minutes, minutes) {
        (None, None) => true,
        (Some([lo, hi]), Some(m)) => (lo..=hi).contains(&m.value),
        _ => false,
    };
    r.duration.add(duration_ok);
    if !duration_ok {
        r.misses.push(format!(
            "duration {id}: expected {:?}, got {:?} from {:?}",
            l.duration_minutes,
            minutes.map(|m| m.value),
            clip(minutes.map_or("", |m| m.quote.as_str()))
        ));
    }
    let regions: Vec<&str> = got.map_or_else(Vec::new, |g| {
        g.regions.iter().map(|f| f.value.as_str()).collect()
    });
    list_field(
        &mut r.regions,
        &mut r.region_labels,
        &mut r.misses,
        ("regions", id),
        &l.regions,
        &regions,
        same_region,
    );
    let services: Vec<&str> = got.map_or_else(Vec::new, |g| {
        g.services.iter().map(|f| f.value.as_str()).collect()
    });
    list_field(
        &mut r.services,
        &mut r.service_labels,
        &mut r.misses,
        ("services", id),
        &l.services,
        &services,
        |a, b| same_service(a, b) || same_phrase(a, b),
    );
    let cause = got.and_then(|g| g.cause.as_ref());
    let cause_ok = match (&l.cause, cause) {
        (None, None) => true,
        (Some(want), Some(have)) => same_cause(want, &have.value),
        _ => false,
    };
    r.cause.add(cause_ok);
    if !cause_ok {
        r.misses.push(format!(
            "cause {id}: expected {:?}, got {:?}",
            l.cause,
            cause.map(|c| c.value.as_str())
        ));
    }
}

fn list_field(
    page: &mut Tally,
    labels: &mut Tally,
    misses: &mut Vec<String>,
    (field, id): (&str, &str),
    want: &[String],
    got: &[&str],
    same: impl Fn(&str, &str) -> bool,
) {
    let found = want
        .iter()
        .filter(|w| got.iter().any(|g| same(w, g)))
        .count();
    labels.correct += found;
    labels.total += want.len();
    let ok = if want.is_empty() {
        got.is_empty()
    } else {
        found > 0
    };
    page.add(ok);
    if !ok {
        misses.push(format!("{field} {id}: expected {want:?}, got {got:?}"));
    }
}

fn same_vendor(want: &str, got: &str) -> bool {
    let canon = |s: &str| {
        Gazetteer::builtin()
            .canonical(s)
            .map_or_else(|| s.trim().to_lowercase(), str::to_lowercase)
    };
    canon(want) == canon(got) || want.trim().eq_ignore_ascii_case(got.trim())
}

fn same_region(want: &str, got: &str) -> bool {
    if same_phrase(want, got) {
        return true;
    }
    match (region::lookup(want), region::lookup(got)) {
        (Some(a), Some(b)) => a.id.eq_ignore_ascii_case(b.id),
        _ => false,
    }
}

/// Lowercase words of letters and digits, space-separated and space-padded.
fn words(s: &str) -> String {
    let mut out = String::from(" ");
    for w in s
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        out.push_str(w);
        out.push(' ');
    }
    out
}

/// One phrase holds the other, word for word.
fn same_phrase(a: &str, b: &str) -> bool {
    let (a, b) = (words(a), words(b));
    a.trim().len() >= 2 && b.trim().len() >= 2 && (a.contains(&b) || b.contains(&a))
}

/// Words too common to tie two cause phrases together.
const FILLER: &[&str] = &[
    "a", "an", "the", "of", "in", "on", "to", "by", "for", "and", "or", "that", "which", "with",
    "its", "our", "their", "was", "were", "is", "be", "been", "as", "at", "from", "it", "this",
];

/// The phrases overlap (one holds the other), or most of the labelled phrase's words are in
/// the extracted one.
fn same_cause(want: &str, got: &str) -> bool {
    if same_phrase(want, got) {
        return true;
    }
    let got_words = words(got);
    let content: Vec<String> = words(want)
        .split_whitespace()
        .filter(|w| !FILLER.contains(w))
        .map(|w| format!(" {w} "))
        .collect();
    if content.is_empty() {
        return false;
    }
    let found = content
        .iter()
        .filter(|w| got_words.contains(w.as_str()))
        .count();
    found * 2 >= content.len() && found >= 2
}

fn clip(s: &str) -> String {
    s.chars().take(140).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_match_word_for_word_either_way() {
        assert!(same_phrase(
            "a configuration error in our backbone",
            "configuration error"
        ));
        assert!(same_phrase("US-East-1", "us east 1"));
        assert!(!same_phrase("US", "Russia"));
        assert!(same_region("Northern Virginia (US-EAST-1)", "us-east-1"));
        assert!(same_cause(
            "a bad configuration change made to its backbone routers",
            "a configuration change to the backbone routers"
        ));
        assert!(!same_cause("a power failure", "a software bug"));
    }

    /// A page labelled with no regions must give none; one with some must give one of them.
    #[test]
    fn list_fields_need_a_match_or_silence() {
        let (mut page, mut labels, mut misses) = (Tally::default(), Tally::default(), vec![]);
        let want = vec!["worldwide".to_string(), "Europe".to_string()];
        list_field(
            &mut page,
            &mut labels,
            &mut misses,
            ("regions", "x"),
            &want,
            &["Europe"],
            same_region,
        );
        list_field(
            &mut page,
            &mut labels,
            &mut misses,
            ("regions", "y"),
            &[],
            &["Asia"],
            same_region,
        );
        assert_eq!(
            page,
            Tally {
                correct: 1,
                total: 2
            }
        );
        assert_eq!(
            labels,
            Tally {
                correct: 1,
                total: 2
            }
        );
        assert_eq!(misses.len(), 1);
    }

    /// The development set of real pages, when present: the figures `outages eval` prints.
    #[test]
    fn press_pages_scores() {
        let Some(files) = crate::test_support::shared_files(&["corpus/press-pages"]) else {
            return;
        };
        let Some(dir) = files.first().and_then(|f| f.parent()) else {
            panic!("press-pages is empty");
        };
        let pages = read_pages(dir).expect("press-pages reads");
        let r = score_pages(&pages);
        println!("{r}");
        for m in &r.misses {
            println!("{m}");
        }
        assert_eq!(r.pages, 289);
        // Floors a little under the figures measured on 2026-12-08 (in brackets), so a
        // regression fails and an improvement is free.
        assert!(
            r.false_events.correct <= 1,
            "non-reports as events: {}",
            r.false_events.correct
        );
        for (name, t, floor) in [
            ("detection", r.detection, 0.94), // 0.946
            ("vendor", r.vendor, 0.92),       // 0.928
            ("onset day", r.onset_day, 0.67), // 0.682
            ("duration", r.duration, 0.79),   // 0.803
            ("regions", r.regions, 0.75),     // 0.762
            ("services", r.services, 0.70),   // 0.709
            ("cause", r.cause, 0.57),         // 0.578
        ] {
            assert!(
                t.share() >= floor,
                "{name}: {:.3} fell below {floor}",
                t.share()
            );
        }
    }
}
