//! The bounded walk: a vendor whose incidents are all its own dated status incidents is
//! regrouped in start order with only the groups that can still grow in memory, so merging
//! a vendor of any size holds a window of days, not its whole history.
//!
//! As in [`super::group::group`], each incident joins the open group whose seed (its first
//! incident) it is one outage with by [`status_join`], the best such seed, or starts a group.
//! Reach is bounded in time ([`past_reach`]): once the walk has come to an incident that starts
//! past a seed's reach, no later incident can join that group, so it is final, and its event
//! is built and written then, exactly as the whole-vendor path builds it (the same
//! [`super::group_row`] over the group's records in the same order). Press reports, undated
//! incidents and vendors stored under several names take the whole-vendor path, whose rules
//! (copies found across any time, press joining the best group anywhere) are not local in
//! time.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::group::Placement;
use super::score::{JoinKind, Record, past_reach, status_join, within_reach};
use super::{MergeError, group_row};
use crate::model::ReportKind;
use crate::store::{EventRow, FeedAbsence, ScoreParts, Store, WalkCursor};

/// Incidents read per page of the walk.
const PAGE: usize = 1000;

/// Events written to the store at a time.
const WRITE_BATCH: usize = 256;

/// What a walk did: how many incidents it read and events it wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Walked {
    pub incidents: usize,
    pub events: usize,
}

/// Why the walk stopped short (the caller takes the whole-vendor path instead).
#[derive(Debug)]
pub(super) enum WalkError {
    Merge(MergeError),
    /// An incident the walk cannot place in time order (a press report, an undated one):
    /// the store's check and the merge's reading of a record disagree.
    NotWalkable {
        incident_id: String,
    },
}

impl From<MergeError> for WalkError {
    fn from(e: MergeError) -> Self {
        WalkError::Merge(e)
    }
}

impl From<crate::store::StoreError> for WalkError {
    fn from(e: crate::store::StoreError) -> Self {
        WalkError::Merge(MergeError::Store(e))
    }
}

/// Regroups the vendor stored as `name` (canonical name `vendor`) by the walk, rewriting its
/// events in one transaction; on any error nothing is written.
pub(super) fn merge_walking(
    store: &mut Store,
    vendor: &str,
    name: &str,
    mut absences: HashMap<String, Vec<FeedAbsence>>,
    now: DateTime<Utc>,
) -> Result<Walked, WalkError> {
    let writer = store.begin_event_walk(name, now)?;
    let mut walk = Open::default();
    let mut cursor = WalkCursor::default();
    let mut done = Walked::default();
    let mut pending: Vec<EventRow> = Vec::with_capacity(WRITE_BATCH);
    let emit = |rows: Vec<EventRow>, pending: &mut Vec<EventRow>| -> Result<(), MergeError> {
        for row in rows {
            pending.push(row);
            if pending.len() >= WRITE_BATCH {
                writer.write(pending)?;
                pending.clear();
            }
        }
        Ok(())
    };
    loop {
        let page = writer.next_page(&mut cursor, PAGE)?;
        if page.is_empty() {
            break;
        }
        for walked in page {
            done.incidents += 1;
            let record = Record::new(walked.incident, vendor.to_string());
            let closed = walk.push(record, walked.previous_event)?;
            let rows = closed
                .into_iter()
                .map(|g| g.row(vendor, &mut absences))
                .collect::<Result<Vec<_>, _>>()?;
            done.events += rows.len();
            emit(rows, &mut pending)?;
        }
    }
    let rows = walk
        .finish()
        .into_iter()
        .map(|g| g.row(vendor, &mut absences))
        .collect::<Result<Vec<_>, _>>()?;
    done.events += rows.len();
    emit(rows, &mut pending)?;
    writer.write(&pending)?;
    writer.commit()?;
    Ok(done)
}

/// One incident of an open group.
struct Slot {
    record: Record,
    /// The event it belonged to before this merge.
    previous_event: Option<String>,
    /// The seed it joined, the score, and why.
    best: Option<(u64, ScoreParts, JoinKind)>,
}

/// The open part of the walk.
#[derive(Default)]
struct Open {
    /// Every incident of an open group, by sequence number (its place in the walk).
    slots: HashMap<u64, Slot>,
    /// Open groups by their seed's sequence number: the members, in walk order.
    groups: HashMap<u64, Vec<u64>>,
    /// Seeds later incidents may still reach, in walk order.
    seeds: Vec<u64>,
    next: u64,
}

/// A group no later incident can join, with its records in walk order.
pub(super) struct Closed {
    records: Vec<Record>,
    placements: Vec<Placement>,
    previous: HashMap<String, String>,
}

impl Closed {
    fn row(
        &self,
        vendor: &str,
        absences: &mut HashMap<String, Vec<FeedAbsence>>,
    ) -> Result<EventRow, MergeError> {
        // Every member is a dated status incident, so the event has one: whether the status
        // page covered its time does not decide anything for it.
        group_row(
            vendor,
            &self.placements,
            &self.records,
            &self.previous,
            absences,
            &|_| true,
        )
    }
}

impl Open {
    /// Adds the next incident in walk order; returns the groups that became final.
    fn push(
        &mut self,
        record: Record,
        previous_event: Option<String>,
    ) -> Result<Vec<Closed>, WalkError> {
        let not_walkable = || WalkError::NotWalkable {
            incident_id: record.incident.id.clone(),
        };
        let span = match record.span {
            Some(span) if record.kind == ReportKind::Status => span,
            _ => return Err(not_walkable()),
        };
        let seq = self.next;
        self.next += 1;
        // Seeds this incident starts past the reach of can never be reached again: their
        // groups are final.
        let mut exhausted = Vec::new();
        let slots = &self.slots;
        self.seeds.retain(|g| {
            let keep = slots
                .get(g)
                .and_then(|slot| slot.record.span)
                .is_some_and(|s| !past_reach(&s, &span));
            if !keep {
                exhausted.push(*g);
            }
            keep
        });
        let closed = exhausted
            .into_iter()
            .filter_map(|g| self.close(g))
            .collect();
        let mut best: Option<(u64, ScoreParts, JoinKind)> = None;
        for g in &self.seeds {
            let Some(seed) = self.slots.get(g) else {
                continue;
            };
            if !seed.record.span.is_some_and(|s| within_reach(&s, &span)) {
                continue;
            }
            let Some((parts, kind)) = status_join(&seed.record, &record) else {
                continue;
            };
            if best.is_none_or(|(_, old, _)| parts.total > old.total) {
                best = Some((*g, parts, kind));
            }
        }
        match best {
            Some((g, _, _)) => self.groups.entry(g).or_default().push(seq),
            None => {
                self.groups.insert(seq, vec![seq]);
                self.seeds.push(seq);
            }
        }
        self.slots.insert(
            seq,
            Slot {
                record,
                previous_event,
                best,
            },
        );
        Ok(closed)
    }

    /// Takes a final group out of the walk.
    fn close(&mut self, key: u64) -> Option<Closed> {
        let mut members = self.groups.remove(&key)?;
        members.sort_unstable();
        let slots: Vec<(u64, Slot)> = members
            .iter()
            .filter_map(|m| self.slots.remove(m).map(|slot| (*m, slot)))
            .collect();
        let local: HashMap<u64, usize> = slots
            .iter()
            .enumerate()
            .map(|(n, (m, _))| (*m, n))
            .collect();
        let mut records = Vec::with_capacity(slots.len());
        let mut placements = Vec::with_capacity(slots.len());
        let mut previous = HashMap::new();
        for (n, (_, slot)) in slots.into_iter().enumerate() {
            if let Some(event) = slot.previous_event {
                previous.insert(slot.record.incident.id.clone(), event);
            }
            placements.push(Placement {
                record: n,
                matched: slot
                    .best
                    .and_then(|(i, s, k)| local.get(&i).map(|&l| (l, s, k))),
                copy_of: None,
            });
            records.push(slot.record);
        }
        Some(Closed {
            records,
            placements,
            previous,
        })
    }

    /// Closes every group still open, in the order of their seed.
    fn finish(mut self) -> Vec<Closed> {
        let mut keys: Vec<u64> = self.groups.keys().copied().collect();
        keys.sort_unstable();
        keys.into_iter().filter_map(|k| self.close(k)).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::{DateTime, Duration, TimeZone, Utc};
    use rusqlite::types::Value;

    use super::super::{Strategy, merge_vendors_by, remerge};
    use crate::model::Incident;
    use crate::parse::{ParseContext, parse};
    use crate::store::Store;

    /// Every row of the event tables, in a fixed order, as SQLite holds them.
    fn dump(store: &Store) -> Vec<Vec<Value>> {
        let conn = store.conn_for_tests();
        let mut out = Vec::new();
        for sql in [
            r#"SELECT id, vendor, start, "end", sort_at, json, created_at, updated_at
               FROM events ORDER BY id"#,
            "SELECT incident_id, event_id, role, matched_with, score_total, score_time,
                 score_text, score_services, score_regions, reason, incident_hash
             FROM event_members ORDER BY incident_id",
        ] {
            let mut stmt = conn.prepare(sql).expect("prepare");
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect())
                .expect("query")
                .collect::<Result<Vec<Vec<Value>>, _>>()
                .expect("rows");
            out.extend(rows);
        }
        out
    }

    /// Equal dumps, or the first row that differs (a whole dump is too long to read).
    fn assert_same(walked: &[Vec<Value>], whole: &[Vec<Value>]) {
        let first = walked.iter().zip(whole).position(|(a, b)| a != b);
        if let Some(n) = first {
            let (a, b) = (&walked[n], &whole[n]);
            let columns: Vec<String> = a
                .iter()
                .zip(b)
                .enumerate()
                .filter(|(_, (x, y))| x != y)
                .map(|(c, (x, y))| format!("column {c}: walk {x:?}, whole {y:?}"))
                .collect();
            panic!("row {n} ({:?}) differs: {}", a.first(), columns.join("; "));
        }
        assert_eq!(walked.len(), whole.len());
    }

    fn all_vendors(store: &Store) -> BTreeSet<String> {
        store
            .vendors()
            .expect("vendors")
            .iter()
            .map(|v| super::super::canonical_vendor(&v.name))
            .collect()
    }

    /// Merges the same store both ways and returns both dumps, with how many vendors the
    /// walk could take.
    fn both_ways(
        incidents: &[Incident],
        now: chrono::DateTime<Utc>,
    ) -> (Vec<Vec<Value>>, Vec<Vec<Value>>, usize) {
        let mut walked = Store::open_in_memory().expect("store");
        let mut whole = Store::open_in_memory().expect("store");
        for chunk in incidents.chunks(500) {
            walked.upsert_incidents(chunk, now).expect("upsert");
            whole.upsert_incidents(chunk, now).expect("upsert");
        }
        let vendors = all_vendors(&walked);
        let walkable = walked
            .vendors()
            .expect("vendors")
            .iter()
            .filter(|v| walked.vendor_walkable(&v.name).expect("check"))
            .count();
        merge_vendors_by(&mut walked, &vendors, now, Strategy::Walk).expect("walk");
        merge_vendors_by(&mut whole, &vendors, now, Strategy::Whole).expect("whole");
        (dump(&walked), dump(&whole), walkable)
    }

    /// Generated incidents packed into a few weeks, so that many overlap and join (the
    /// generator spreads them over fourteen years), with copies of some shifted by minutes
    /// (the same outage reported twice) and a few open-ended long ones.
    fn dense(n: usize, seed: u64) -> Vec<Incident> {
        let base = Utc
            .with_ymd_and_hms(2024, 3, 1, 0, 0, 0)
            .single()
            .expect("base time");
        let mut out = Vec::new();
        let generated = crate::bench::generate::Generator::new(seed).incidents(n);
        for (k, mut i) in generated.into_iter().enumerate() {
            let k = i64::try_from(k).expect("small");
            let offset = Duration::minutes((k * 37) % (21 * 24 * 60));
            let shift = |t: DateTime<Utc>, from: DateTime<Utc>| base + offset + (t - from);
            if let Some(start) = i.start {
                i.end = i.end.map(|e| shift(e, start));
                for u in &mut i.updates {
                    u.at = u.at.map(|a| shift(a, start));
                }
                i.start = Some(base + offset);
            }
            if k % 5 == 0 {
                let mut twin = i.clone();
                twin.id.push_str("-twin");
                twin.start = twin.start.map(|s| s + Duration::minutes(k % 20));
                out.push(twin);
            }
            out.push(i);
        }
        out
    }

    #[test]
    fn walk_gives_the_events_of_the_whole_vendor_path_on_a_dense_generated_corpus() {
        let now = Utc
            .with_ymd_and_hms(2024, 6, 1, 0, 0, 0)
            .single()
            .expect("now");
        let incidents = dense(3000, 11);
        let (walked, whole, walkable) = both_ways(&incidents, now);
        assert_eq!(walkable, crate::bench::generate::VENDORS.len());
        let joined = whole
            .iter()
            .filter(|row| row.get(2) == Some(&Value::Text("status".into())))
            .count();
        assert!(joined > 100, "the corpus must exercise joins: {joined}");
        assert_same(&walked, &whole);
    }

    #[test]
    fn walk_keeps_event_ids_and_creation_times_across_a_remerge_like_the_whole_path() {
        let first = Utc
            .with_ymd_and_hms(2024, 6, 1, 0, 0, 0)
            .single()
            .expect("now");
        let later = first + Duration::days(1);
        let mut incidents = dense(1200, 5);
        let mut walked = Store::open_in_memory().expect("store");
        let mut whole = Store::open_in_memory().expect("store");
        walked.upsert_incidents(&incidents, first).expect("upsert");
        whole.upsert_incidents(&incidents, first).expect("upsert");
        let vendors = all_vendors(&walked);
        merge_vendors_by(&mut walked, &vendors, first, Strategy::Walk).expect("walk");
        merge_vendors_by(&mut whole, &vendors, first, Strategy::Whole).expect("whole");
        assert_same(&dump(&walked), &dump(&whole));
        // Every third incident starts an hour later: groups split and join differently.
        for i in incidents.iter_mut().step_by(3) {
            i.start = i.start.map(|s| s + Duration::hours(1));
            i.title.push_str(" (updated)");
        }
        walked.upsert_incidents(&incidents, later).expect("upsert");
        whole.upsert_incidents(&incidents, later).expect("upsert");
        merge_vendors_by(&mut walked, &vendors, later, Strategy::Walk).expect("walk");
        merge_vendors_by(&mut whole, &vendors, later, Strategy::Whole).expect("whole");
        let (a, b) = (dump(&walked), dump(&whole));
        let first_text = first.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
        let kept = a
            .iter()
            .filter(|row| row.get(6) == Some(&Value::Text(first_text.clone())))
            .count();
        assert!(kept > 0, "some events keep their first creation time");
        assert_same(&a, &b);
        // Merging again changes the reasons (each event is now named after a kept id).
        let again = later + Duration::hours(1);
        remerge(&mut walked, again).expect("remerge");
        merge_vendors_by(&mut whole, &vendors, again, Strategy::Whole).expect("whole");
        assert_same(&dump(&walked), &dump(&whole));
    }

    /// The bundled snapshot: every status source parsed as a crawl would, plus the press
    /// articles, so vendors with press reports take the whole path and the others the walk.
    #[test]
    fn walk_gives_the_events_of_the_whole_vendor_path_on_the_bundled_snapshot() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/snapshot");
        let sources = crate::sources::load(&dir.join("sources.toml")).expect("sources");
        let mut incidents = Vec::new();
        for source in &sources {
            let url = url::Url::parse(&source.url).expect("url");
            let Some(rel) = crate::fetch::Mirror::relative_path(&url) else {
                continue;
            };
            let Ok(bytes) = std::fs::read(dir.join(rel)) else {
                continue;
            };
            let ctx = ParseContext {
                url: Some(source.url.clone()),
                vendor: source.vendor.clone(),
                published: None,
                format: source.kind,
            };
            if let Ok(parsed) = parse(&bytes, &ctx) {
                incidents.extend(parsed.incidents);
            }
        }
        for article in ["2019/07/02/cloudflare-outage", "2021/06/08/fastly-outage"] {
            let path = dir.join("news.outages.example").join(article);
            let bytes = std::fs::read(&path).expect("article");
            let ctx = ParseContext {
                url: Some(format!("https://news.outages.example/{article}")),
                vendor: None,
                published: None,
                format: Some(crate::model::Format::Article),
            };
            incidents.extend(parse(&bytes, &ctx).expect("article parses").incidents);
        }
        let mut seen = BTreeSet::new();
        incidents.retain(|i| seen.insert(i.id.clone()));
        assert!(incidents.len() > 60, "{}", incidents.len());
        let now = Utc
            .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
            .single()
            .expect("now");
        let (walked, whole, walkable) = both_ways(&incidents, now);
        assert!(walkable >= 5, "{walkable}");
        assert_same(&walked, &whole);
    }
}
