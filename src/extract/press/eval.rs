//! Scoring the extractor against labelled items, field by field, for `outages eval` and the
//! development sets.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{CauseCategory, PressInput, PressReport, extract};
use crate::extract::dates::Precision;
use crate::extract::region;
use crate::extract::services::same_service;
use crate::extract::vendor::Gazetteer;

/// One labelled document: the text and, for outages, the facts a reader would extract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledItem {
    /// Where the item came from (corpus path, URL, or "written: ..." for imitations).
    #[serde(default)]
    pub source: String,
    pub title: String,
    /// The text itself, for items written for this project; empty when `corpus` names it.
    #[serde(default)]
    pub text: String,
    /// Where the text lives in the shared corpus, which is read, never copied, into the set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corpus: Option<CorpusRef>,
    /// RFC 3339 or YYYY-MM-DD.
    #[serde(default)]
    pub published: Option<String>,
    pub is_outage: bool,
    #[serde(default)]
    pub vendor: Option<String>,
    /// YYYY-MM-DD (UTC) of the onset.
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub duration_minutes: Option<i64>,
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub cause_category: Option<CauseCategory>,
}

/// A file of the shared corpus (`../shared/corpus`), or one entry of a feed there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorpusRef {
    /// Relative to the corpus folder.
    pub path: String,
    /// The feed entry's id (Atom `id`, RSS `guid`); none when the whole file is the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
}

impl LabelledItem {
    /// Reads the text of an item that names it in the corpus under `root`: the whole file, or
    /// the entry's summary (else its content) as plain text. Items with their own text are
    /// left as they are. The error says which file or entry could not be read.
    pub fn resolve_text(&mut self, root: &std::path::Path) -> Result<(), String> {
        let Some(r) = &self.corpus else {
            return Ok(());
        };
        let file = root.join(&r.path);
        let bytes =
            std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        self.text = match &r.entry {
            None => String::from_utf8_lossy(&bytes).into_owned(),
            Some(id) => {
                let feed = feed_rs::parser::parse(bytes.as_slice())
                    .map_err(|e| format!("{}: not a feed: {e}", file.display()))?;
                let entry = feed
                    .entries
                    .iter()
                    .find(|e| &e.id == id)
                    .ok_or_else(|| format!("{}: no entry with id {id:?}", file.display()))?;
                let html = entry
                    .summary
                    .as_ref()
                    .map(|t| t.content.clone())
                    .or_else(|| entry.content.as_ref().and_then(|c| c.body.clone()))
                    .unwrap_or_default();
                crate::extract::text::html_to_text(&html)
            }
        };
        Ok(())
    }

    /// How the item is named in a report: its title, else where it came from.
    pub fn label(&self) -> &str {
        if self.title.trim().is_empty() {
            &self.source
        } else {
            &self.title
        }
    }

    pub fn published_at(&self) -> Option<DateTime<Utc>> {
        let p = self.published.as_deref()?.trim();
        DateTime::parse_from_rfc3339(p)
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| {
                NaiveDate::parse_from_str(p, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(12, 0, 0))
                    .map(|t| t.and_utc())
            })
    }
}

/// Precision and recall of one field: `predicted` facts given, `expected` facts labelled,
/// `correct` predictions that match a label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldScore {
    pub predicted: usize,
    pub expected: usize,
    pub correct: usize,
}

impl FieldScore {
    /// Correct share of what was predicted; 1 when nothing was predicted.
    pub fn precision(&self) -> f64 {
        if self.predicted == 0 {
            1.0
        } else {
            self.correct as f64 / self.predicted as f64
        }
    }

    /// Share of the labels that were found; 1 when nothing was labelled.
    pub fn recall(&self) -> f64 {
        if self.expected == 0 {
            1.0
        } else {
            self.correct.min(self.expected) as f64 / self.expected as f64
        }
    }
}

/// Per-field scores over a labelled set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvalReport {
    pub items: usize,
    /// Is it an outage? Positive class = outage.
    pub detection: FieldScore,
    pub vendor: FieldScore,
    /// Onset within one day of the label.
    pub start: FieldScore,
    /// Length within 20% of the label.
    pub duration: FieldScore,
    /// Regions and services: one count per region or service.
    pub regions: FieldScore,
    pub services: FieldScore,
    pub cause: FieldScore,
    /// Items whose detection was wrong, by title, for inspection.
    pub misclassified: Vec<String>,
    /// Outages whose vendor was wrong: "title: expected X, got Y".
    pub wrong_vendor: Vec<String>,
    /// Outages whose regions differ from the label: "title: expected [..], got [..]".
    pub wrong_regions: Vec<String>,
    /// Outages whose products differ from the label, in the same form.
    pub wrong_services: Vec<String>,
    /// Outages whose onset was missed or more than a day off: "title: expected D, got D".
    pub wrong_start: Vec<String>,
    /// Outages whose length was missed or more than 20% off, in the same form.
    pub wrong_duration: Vec<String>,
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<10} {:>9} {:>8} {:>7} {:>9} {:>6}",
            "field", "predicted", "expected", "correct", "precision", "recall"
        )?;
        for (name, s) in [
            ("detection", self.detection),
            ("vendor", self.vendor),
            ("start", self.start),
            ("duration", self.duration),
            ("regions", self.regions),
            ("services", self.services),
            ("cause", self.cause),
        ] {
            writeln!(
                f,
                "{name:<10} {:>9} {:>8} {:>7} {:>9.3} {:>6.3}",
                s.predicted,
                s.expected,
                s.correct,
                s.precision(),
                s.recall()
            )?;
        }
        write!(f, "items: {}", self.items)
    }
}

/// Runs [`extract`] on every item and scores each field. Fields are scored on items labelled
/// as outages (a missed outage costs recall on every field it has); detection is scored on all.
pub fn evaluate(items: &[LabelledItem]) -> EvalReport {
    let mut r = EvalReport {
        items: items.len(),
        ..EvalReport::default()
    };
    for item in items {
        let input = PressInput {
            title: &item.title,
            text: &item.text,
            published: item.published_at(),
            vendor_hint: None,
            publisher: None,
            url: None,
        };
        let got = extract(&input);
        if got.is_some() {
            r.detection.predicted += 1;
        }
        if item.is_outage {
            r.detection.expected += 1;
            if got.is_some() {
                r.detection.correct += 1;
            }
        }
        if got.is_some() != item.is_outage {
            r.misclassified.push(item.label().to_string());
        }
        if !item.is_outage {
            continue;
        }
        score_fields(&mut r, item, got.as_ref());
    }
    r
}

fn score_fields(r: &mut EvalReport, item: &LabelledItem, got: Option<&PressReport>) {
    if let Some(v) = &item.vendor {
        r.vendor.expected += 1;
        if let Some(g) = got {
            r.vendor.predicted += 1;
            let canon = |s: &str| {
                Gazetteer::builtin()
                    .canonical(s)
                    .map_or_else(|| s.trim().to_lowercase(), str::to_lowercase)
            };
            if canon(v) == canon(&g.vendor.value) {
                r.vendor.correct += 1;
            } else {
                r.wrong_vendor.push(format!(
                    "{}: expected {v}, got {}",
                    item.label(),
                    g.vendor.value
                ));
            }
        }
    }
    let got_start = got
        .and_then(|g| g.start.as_ref())
        .filter(|s| s.precision <= Precision::Day);
    if let Some(s) = item
        .start
        .as_deref()
        .and_then(|s| NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").ok())
    {
        r.start.expected += 1;
        if got_start.is_some() {
            r.start.predicted += 1;
        }
        if got_start.is_some_and(|g| (g.at.date_naive() - s).num_days().abs() <= 1) {
            r.start.correct += 1;
        } else {
            r.wrong_start.push(format!(
                "{}: expected {s}, got {:?}",
                item.label(),
                got_start.map(|g| g.at.date_naive().to_string())
            ));
        }
    } else if got_start.is_some() {
        r.start.predicted += 1;
    }
    let got_duration = got
        .and_then(|g| g.duration_minutes.as_ref())
        .map(|d| d.value);
    match (item.duration_minutes, got_duration) {
        (Some(want), Some(have)) => {
            r.duration.expected += 1;
            r.duration.predicted += 1;
            if (have - want).abs() as f64 <= want as f64 * 0.2 {
                r.duration.correct += 1;
            } else {
                r.wrong_duration
                    .push(format!("{}: expected {want}, got {have}", item.label()));
            }
        }
        (Some(want), None) => {
            r.duration.expected += 1;
            r.wrong_duration
                .push(format!("{}: expected {want}, got none", item.label()));
        }
        (None, Some(_)) => r.duration.predicted += 1,
        (None, None) => {}
    }
    let got_regions: Vec<String> = got.map_or_else(Vec::new, |g| {
        g.regions.iter().map(|f| f.value.clone()).collect()
    });
    let same_region = |a: &str, b: &str| {
        let label =
            |s: &str| region::lookup(s).map_or_else(|| s.trim().to_string(), |r| r.id.to_string());
        label(a).eq_ignore_ascii_case(&label(b))
    };
    let exact = got_regions.len() == item.regions.len()
        && got_regions
            .iter()
            .all(|g| item.regions.iter().any(|w| same_region(w, g)));
    if !exact {
        r.wrong_regions.push(format!(
            "{}: expected {:?}, got {:?}",
            item.label(),
            item.regions,
            got_regions
        ));
    }
    set_score(&mut r.regions, &item.regions, &got_regions, same_region);
    let got_services: Vec<String> = got.map_or_else(Vec::new, |g| {
        g.services.iter().map(|f| f.value.clone()).collect()
    });
    let same_services = got_services.len() == item.services.len()
        && got_services
            .iter()
            .all(|g| item.services.iter().any(|w| same_service(w, g)));
    if !same_services {
        r.wrong_services.push(format!(
            "{}: expected {:?}, got {:?}",
            item.label(),
            item.services,
            got_services
        ));
    }
    set_score(&mut r.services, &item.services, &got_services, same_service);
    let want_cause = item.cause_category.filter(|c| *c != CauseCategory::Unknown);
    let got_cause = got
        .map(|g| g.cause_category)
        .filter(|c| *c != CauseCategory::Unknown);
    if want_cause.is_some() {
        r.cause.expected += 1;
    }
    if got_cause.is_some() {
        r.cause.predicted += 1;
    }
    if want_cause.is_some() && want_cause == got_cause {
        r.cause.correct += 1;
    }
}

fn set_score(
    score: &mut FieldScore,
    want: &[String],
    got: &[String],
    same: impl Fn(&str, &str) -> bool,
) {
    score.expected += want.len();
    score.predicted += got.len();
    score.correct += got
        .iter()
        .filter(|g| want.iter().any(|w| same(w, g)))
        .count();
}
