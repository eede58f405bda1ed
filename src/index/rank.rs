//! The top of a search in one pass over its matches: each match is filtered, keyed and pushed
//! into a bounded heap from fast-field columns, and counted into facets only when the caller
//! asks for counts.
//!
//! Without counts the pass hands tantivy a score threshold, so block-WAND skips postings that
//! cannot reach the page: a common word then costs about its top k, not its every match. With
//! the severity-and-recency boost the threshold is divided by the largest boost, which keeps
//! the top k exact. Vendors and severities are compared as per-segment term ordinals, so no
//! string is read per match; names are looked up once per segment when counts are merged.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap};
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use chrono::{DateTime, Utc};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::Weight;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::model::Severity;

/// The largest factor [`boost`] returns (x1.5 severity, x1.5 recency); the pruning threshold of
/// a boosted ranking is the page's worst boosted score divided by it.
const MAX_BOOST: f32 = 2.25;

/// Severity and recency boost of the `Best` order: a critical outage from last month outranks a
/// minor one from 2014 with the same words. At most x1.5 for severity and x1.5 for recency.
pub fn boost(severity: Severity, start: Option<DateTime<Utc>>, now: DateTime<Utc>) -> f32 {
    boost_by_age(severity, start.map(|s| (now - s).num_days()))
}

/// [`boost`] from the age in whole days (undated: `None`), which the ranking pass computes from
/// the onset's Unix seconds without building a date per match.
fn boost_by_age(severity: Severity, age_days: Option<i64>) -> f32 {
    let severity = match severity {
        Severity::Critical => 1.5,
        Severity::Major => 1.3,
        Severity::Minor | Severity::Unknown => 1.1,
        Severity::None | Severity::Maintenance => 1.0,
    };
    let age_days = age_days.map_or(3650.0, |d| d.max(0) as f32);
    let recency = 1.0 + 0.5 * (-age_days / 365.0).exp();
    severity * recency
}

/// The order of a page of results.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RankBy {
    /// BM25 alone.
    Relevance,
    /// BM25 times [`boost`].
    Boosted { now: DateTime<Utc> },
    /// The source's own start, newest first (undated last); ties by relevance, or by the
    /// indexed date when there is no text.
    Newest,
    /// The indexed date (the start, or the time first seen), newest first: the order of a
    /// search without text.
    Indexed,
}

/// Filters applied to each match from fast fields, beyond those the index query holds: more
/// than one vendor or severity, and dates on the source's own start (an undated incident
/// never passes a date filter).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchFilter {
    /// Canonical vendor names, compared ignoring ASCII case; empty keeps every vendor.
    pub vendors: Vec<String>,
    /// Empty keeps every severity.
    pub severities: Vec<Severity>,
    /// Inclusive.
    pub after: Option<DateTime<Utc>>,
    /// Exclusive.
    pub before: Option<DateTime<Utc>>,
}

/// Counts over every match that passed the filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchCounts {
    pub total: usize,
    pub vendor: BTreeMap<String, usize>,
    /// By the year of the source's own start; "undated" without one.
    pub year: BTreeMap<String, usize>,
    pub severity: BTreeMap<String, usize>,
}

/// One entry of the page, in rank order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked {
    /// The ranking score: BM25, boosted for [`RankBy::Boosted`]; 0 without text.
    pub score: f32,
    pub(super) address: DocAddress,
}

/// The page and, when asked, the counts.
#[derive(Debug, Default)]
pub struct Top {
    pub ranked: Vec<Ranked>,
    pub counts: Option<MatchCounts>,
    /// Whether the index query matched any live document, before the [`MatchFilter`]: a
    /// fuzzy retry is only for words that match nothing.
    pub(super) matched: bool,
}

/// The collector: `k` best by [`RankBy`], with counts when `count`.
pub(super) struct TopCollector {
    pub k: usize,
    pub by: RankBy,
    pub filter: MatchFilter,
    pub count: bool,
    /// The query has text, so scores mean something.
    pub scored: bool,
    /// The worst ranking key of a full page found in the segments collected so far (f64
    /// bits): a later segment's match must beat it, so its pruning starts there, not at zero.
    pub floor: AtomicU64,
}

impl TopCollector {
    pub fn new(k: usize, by: RankBy, filter: MatchFilter, count: bool, scored: bool) -> Self {
        TopCollector {
            k,
            by,
            filter,
            count,
            scored,
            floor: AtomicU64::new(f64::NEG_INFINITY.to_bits()),
        }
    }

    fn floor(&self) -> f64 {
        f64::from_bits(self.floor.load(AtomicOrdering::Relaxed))
    }

    fn raise_floor(&self, to: f64) {
        let _ = self
            .floor
            .fetch_update(AtomicOrdering::Relaxed, AtomicOrdering::Relaxed, |bits| {
                (to > f64::from_bits(bits)).then_some(to.to_bits())
            });
    }
}

/// The order of candidates: higher `primary`, then higher `secondary`, then the lower address.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    primary: f64,
    secondary: f64,
    score: f32,
    address: DocAddress,
}

impl Candidate {
    fn rank(&self, other: &Candidate) -> Ordering {
        self.primary
            .total_cmp(&other.primary)
            .then(self.secondary.total_cmp(&other.secondary))
            .then(other.address.cmp(&self.address))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.rank(other) == Ordering::Equal
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank(other)
    }
}

/// A label column (vendor, severity) of one segment with what the filter and counts need per
/// term ordinal.
struct Labels {
    column: Option<StrColumn>,
    /// Per ordinal: passes the filter. Empty when the filter does not constrain this label.
    allowed: Vec<bool>,
    /// Per ordinal: matches counted.
    counts: Vec<usize>,
}

impl Labels {
    fn new(column: Option<StrColumn>, wanted: Option<&dyn Fn(&str) -> bool>) -> Labels {
        let terms = column.as_ref().map_or(0, |c| c.num_terms());
        let allowed = match (wanted, &column) {
            (Some(wanted), Some(c)) => (0..terms as u64)
                .map(|ord| {
                    let mut name = String::new();
                    c.ord_to_str(ord, &mut name).unwrap_or(false) && wanted(&name)
                })
                .collect(),
            // Nothing to read the label from: only a document no filter can pass.
            (Some(_), None) => Vec::new(),
            (None, _) => Vec::new(),
        };
        Labels {
            column,
            allowed,
            counts: vec![0; terms],
        }
    }

    /// Whether a match with this term passes the filter; one without a term never does.
    fn allows(&self, ord: Option<u64>) -> bool {
        ord.and_then(|o| self.allowed.get(usize::try_from(o).ok()?))
            .copied()
            .unwrap_or(false)
    }

    fn ord(&self, doc: DocId) -> Option<u64> {
        self.column.as_ref()?.ords().first(doc)
    }

    fn name(&self, ord: u64) -> Option<String> {
        let mut name = String::new();
        self.column
            .as_ref()?
            .ord_to_str(ord, &mut name)
            .ok()?
            .then_some(name)
    }

    /// Counts by name; a term that cannot be read is skipped.
    fn named_counts(&self, out: &mut BTreeMap<String, usize>, fallback: &str) {
        for (ord, &n) in self.counts.iter().enumerate() {
            if n > 0 {
                let name = self
                    .name(ord as u64)
                    .unwrap_or_else(|| fallback.to_string());
                *out.entry(name).or_default() += n;
            }
        }
    }
}

pub(super) struct SegmentTop {
    k: usize,
    by: RankBy,
    after: Option<DateTime<Utc>>,
    before: Option<DateTime<Utc>>,
    count: bool,
    scored: bool,
    segment: SegmentOrdinal,
    vendor: Labels,
    vendor_filtered: bool,
    severity: Labels,
    severity_filtered: bool,
    /// Per severity ordinal, for the boost.
    severity_of: Vec<Severity>,
    onset: Option<Column<i64>>,
    indexed: Option<Column<tantivy::DateTime>>,
    heap: BinaryHeap<Reverse<Candidate>>,
    /// [`TopCollector::floor`] when this segment started.
    floor: f64,
    matched: bool,
    total: usize,
    undated: usize,
    years: BTreeMap<i32, usize>,
    /// Matches without a severity term (never written so), counted as unknown.
    no_severity: usize,
    no_vendor: usize,
}

pub(super) struct SegmentFruit {
    candidates: Vec<Candidate>,
    matched: bool,
    counts: Option<MatchCounts>,
}

impl SegmentTop {
    /// Filters, counts and keys one live match.
    fn consider(&mut self, doc: DocId, bm25: Score) {
        self.matched = true;
        let vendor = self.vendor.ord(doc);
        if self.vendor_filtered && !self.vendor.allows(vendor) {
            return;
        }
        let severity = self.severity.ord(doc);
        if self.severity_filtered && !self.severity.allows(severity) {
            return;
        }
        let onset = self.onset.as_ref().and_then(|c| c.first(doc));
        if self.after.is_some() || self.before.is_some() {
            let start = onset.and_then(|secs| DateTime::<Utc>::from_timestamp(secs, 0));
            if self.after.is_some_and(|a| start.is_none_or(|s| s < a))
                || self.before.is_some_and(|b| start.is_none_or(|s| s >= b))
            {
                return;
            }
        }
        if self.count {
            self.total += 1;
            match vendor.and_then(|o| self.vendor.counts.get_mut(o as usize)) {
                Some(n) => *n += 1,
                None => self.no_vendor += 1,
            }
            match severity.and_then(|o| self.severity.counts.get_mut(o as usize)) {
                Some(n) => *n += 1,
                None => self.no_severity += 1,
            }
            match onset {
                Some(secs) => *self.years.entry(year_of(secs)).or_default() += 1,
                None => self.undated += 1,
            }
        }
        let score = if self.scored { bm25 } else { 0.0 };
        let indexed_secs = || {
            self.indexed
                .as_ref()
                .and_then(|c| c.first(doc))
                .map_or(f64::NEG_INFINITY, |d| d.into_timestamp_secs() as f64)
        };
        let (primary, secondary, shown) = match self.by {
            RankBy::Relevance => (f64::from(score), f64::from(score), score),
            RankBy::Boosted { now } => {
                // A full page whose worst entry beats this match at the largest boost cannot
                // take it: most matches of a common phrase, which tantivy cannot prune, stop here.
                if self.heap.len() >= self.k
                    && self
                        .heap
                        .peek()
                        .is_some_and(|worst| f64::from(score * MAX_BOOST) < worst.0.primary)
                {
                    return;
                }
                let sev = severity
                    .and_then(|o| self.severity_of.get(o as usize).copied())
                    .unwrap_or(Severity::Unknown);
                // Whole seconds on both sides give `(now - start).num_days()` exactly.
                let age = onset.map(|secs| now.timestamp().saturating_sub(secs) / 86_400);
                let boosted = score * boost_by_age(sev, age);
                (f64::from(boosted), f64::from(score), boosted)
            }
            RankBy::Newest => {
                let primary = onset.map_or(f64::NEG_INFINITY, |s| s as f64);
                let secondary = if self.scored {
                    f64::from(score)
                } else {
                    indexed_secs()
                };
                (primary, secondary, score)
            }
            RankBy::Indexed => (indexed_secs(), 0.0, score),
        };
        let candidate = Candidate {
            primary,
            secondary,
            score: shown,
            address: DocAddress::new(self.segment, doc),
        };
        if self.heap.len() < self.k {
            self.heap.push(Reverse(candidate));
        } else if let Some(mut worst) = self.heap.peek_mut()
            && candidate > worst.0
        {
            *worst = Reverse(candidate);
        }
    }

    /// The worst ranking key of this segment's page when it is full.
    fn worst(&self) -> Option<f64> {
        if self.heap.len() < self.k {
            return None;
        }
        self.heap.peek().map(|worst| worst.0.primary)
    }

    /// The BM25 a match must exceed to reach the page, for block-WAND: from the worst key of
    /// this segment's page or of the earlier segments', whichever is higher.
    fn threshold(&self) -> Score {
        let bar = self.worst().map_or(self.floor, |w| w.max(self.floor));
        if bar == f64::NEG_INFINITY {
            return Score::MIN;
        }
        match self.by {
            // A match scoring the same as the worst comes later in doc order, so it loses.
            RankBy::Relevance => bar as Score,
            // Slightly below the bound, so float rounding never prunes a match that could
            // tie or win.
            RankBy::Boosted { .. } => (bar as Score / MAX_BOOST) * (1.0 - 1e-4),
            RankBy::Newest | RankBy::Indexed => Score::MIN,
        }
    }
}

impl SegmentCollector for SegmentTop {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.consider(doc, score);
    }

    fn harvest(self) -> SegmentFruit {
        let counts = self.count.then(|| {
            let mut counts = MatchCounts {
                total: self.total,
                ..MatchCounts::default()
            };
            self.vendor.named_counts(&mut counts.vendor, "");
            if self.no_vendor > 0 {
                *counts.vendor.entry(String::new()).or_default() += self.no_vendor;
            }
            self.severity
                .named_counts(&mut counts.severity, Severity::Unknown.as_str());
            if self.no_severity > 0 {
                *counts
                    .severity
                    .entry(Severity::Unknown.as_str().to_string())
                    .or_default() += self.no_severity;
            }
            for (year, n) in &self.years {
                *counts.year.entry(format!("{year:04}")).or_default() += n;
            }
            if self.undated > 0 {
                *counts.year.entry("undated".to_string()).or_default() += self.undated;
            }
            counts
        });
        SegmentFruit {
            candidates: self.heap.into_iter().map(|Reverse(c)| c).collect(),
            matched: self.matched,
            counts,
        }
    }
}

impl Collector for TopCollector {
    type Fruit = Top;
    type Child = SegmentTop;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentTop> {
        let fast = reader.fast_fields();
        let vendors = &self.filter.vendors;
        let severities = &self.filter.severities;
        let vendor_filtered = !vendors.is_empty();
        let severity_filtered = !severities.is_empty();
        let wants_vendor = |name: &str| vendors.iter().any(|v| v.eq_ignore_ascii_case(name));
        let wants_severity = |name: &str| {
            name.parse::<Severity>()
                .is_ok_and(|s| severities.contains(&s))
        };
        let vendor = Labels::new(
            fast.str("vendor_name")?,
            vendor_filtered.then_some(&wants_vendor as &dyn Fn(&str) -> bool),
        );
        let severity = Labels::new(
            fast.str("severity")?,
            severity_filtered.then_some(&wants_severity as &dyn Fn(&str) -> bool),
        );
        let severity_of = (0..severity.counts.len() as u64)
            .map(|ord| {
                severity
                    .name(ord)
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(Severity::Unknown)
            })
            .collect();
        Ok(SegmentTop {
            k: self.k,
            by: self.by,
            after: self.filter.after,
            before: self.filter.before,
            count: self.count,
            scored: self.scored,
            segment,
            vendor,
            vendor_filtered,
            severity,
            severity_filtered,
            severity_of,
            onset: fast.column_opt::<i64>("onset")?,
            indexed: fast.column_opt::<tantivy::DateTime>("start")?,
            heap: BinaryHeap::with_capacity(self.k + 1),
            floor: self.floor(),
            matched: false,
            total: 0,
            undated: 0,
            years: BTreeMap::new(),
            no_severity: 0,
            no_vendor: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scored
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<Top> {
        let mut top = Top::default();
        let mut all = Vec::new();
        for fruit in fruits {
            top.matched |= fruit.matched;
            all.extend(fruit.candidates);
            if let Some(c) = fruit.counts {
                let counts = top.counts.get_or_insert_with(MatchCounts::default);
                counts.total += c.total;
                for (map, add) in [
                    (&mut counts.vendor, c.vendor),
                    (&mut counts.year, c.year),
                    (&mut counts.severity, c.severity),
                ] {
                    for (name, n) in add {
                        *map.entry(name).or_default() += n;
                    }
                }
            }
        }
        if self.count && top.counts.is_none() {
            top.counts = Some(MatchCounts::default());
        }
        all.sort_by(|a, b| b.cmp(a));
        all.truncate(self.k);
        top.ranked = all
            .into_iter()
            .map(|c| Ranked {
                score: c.score,
                address: c.address,
            })
            .collect();
        Ok(top)
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFruit> {
        let mut top = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        let prunable = self.scored
            && !self.count
            && matches!(self.by, RankBy::Relevance | RankBy::Boosted { .. });
        if prunable {
            weight.for_each_pruning(top.threshold(), reader, &mut |doc, score| {
                if !alive.is_some_and(|a| a.is_deleted(doc)) {
                    top.consider(doc, score);
                }
                top.threshold()
            })?;
            if let Some(worst) = top.worst() {
                self.raise_floor(worst);
            }
        } else {
            weight.for_each(reader, &mut |doc, score| {
                if !alive.is_some_and(|a| a.is_deleted(doc)) {
                    top.consider(doc, score);
                }
            })?;
        }
        Ok(top.harvest())
    }
}

/// The UTC calendar year of a Unix time, by arithmetic (Howard Hinnant's civil-from-days):
/// counted for every match, where building a date per match showed in profiles.
fn year_of(secs: i64) -> i32 {
    let days = secs.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    i32::try_from(year).unwrap_or(if year < 0 { i32::MIN } else { i32::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    #[test]
    fn year_of_agrees_with_chrono_across_leap_years_and_edges() {
        for secs in [
            0,
            -1,
            951_782_399,   // 2000-02-28T23:59:59Z
            951_868_800,   // 2000-03-01
            1_709_251_199, // 2024-02-29T23:59:59Z
            1_735_689_599, // 2024-12-31T23:59:59Z
            1_735_689_600, // 2025-01-01
            4_102_444_800, // 2100-01-01
            -2_208_988_800,
        ] {
            let expected = DateTime::<Utc>::from_timestamp(secs, 0)
                .expect("in range")
                .year();
            assert_eq!(year_of(secs), expected, "{secs}");
        }
    }

    #[test]
    fn boost_is_never_above_its_bound() {
        let now = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).expect("now");
        let future = DateTime::<Utc>::from_timestamp(1_800_000_000, 0);
        assert_eq!(boost(Severity::Critical, future, now), MAX_BOOST);
        assert_eq!(boost(Severity::Critical, Some(now), now), MAX_BOOST);
        assert_eq!(
            boost(Severity::None, None, now),
            1.0 * (1.0 + 0.5 * (-10.0f32).exp())
        );
    }

    /// The ranking pass ages an onset in whole days from Unix seconds; it must give the boost
    /// of the dated path, with a `now` that has a fraction of a second, at and around day edges.
    #[test]
    fn age_from_seconds_boosts_as_the_dated_path() {
        let now = DateTime::<Utc>::from_timestamp(1_700_000_000, 750_000_000).expect("now");
        for delta in [
            -86_401,
            -86_400,
            -1,
            0,
            1,
            86_399,
            86_400,
            86_401,
            400 * 86_400 - 1,
            400 * 86_400,
        ] {
            let secs = 1_700_000_000 - delta;
            let start = DateTime::<Utc>::from_timestamp(secs, 0);
            let age = now.timestamp().saturating_sub(secs) / 86_400;
            for severity in Severity::ALL {
                assert_eq!(
                    boost_by_age(severity, Some(age)),
                    boost(severity, start, now),
                    "{delta} {severity:?}"
                );
            }
        }
        assert!(boost_by_age(Severity::Critical, Some(0)) <= MAX_BOOST);
    }
}
