//! Grouping one vendor's records into outages, in a fixed order so the result depends only on
//! the records (never on the order they were crawled in).
//!
//! 1. Press copies: a press report whose body is a near-duplicate of an earlier one is a copy of
//!    it (syndication), and follows it wherever it goes.
//! 2. Vendor incidents, in start order, each join the open group whose first incident (its
//!    seed) it is one outage with by [`status_join`] (the best such seed), or start a group.
//!    Joining is against the seed, never through another member, so no chain of pairwise
//!    overlaps can stretch an event far beyond its members.
//! 3. Press reports, oldest first: one whose stated onset falls inside a vendor incident's
//!    window ([`onset_inside`]) joins that incident's group whatever its wording; else it joins
//!    the group with the best-scoring member at the threshold or above, or starts its own group
//!    (which later reports may join).

use super::fingerprint::Fingerprint;
use super::score::{
    JoinKind, Record, THRESHOLD, onset_inside, past_reach, score, status_join, within_reach,
};
use crate::model::ReportKind;
use crate::store::ScoreParts;

/// A record's place in a group, before the primary is chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// Index into the records.
    pub record: usize,
    /// The record it was matched with, the score, and why it joined.
    pub matched: Option<(usize, ScoreParts, JoinKind)>,
    /// Index of the press report this one copies.
    pub copy_of: Option<usize>,
}

/// Records in the order the grouping reads them: dated before undated, oldest first, by id.
pub fn order(records: &mut [Record]) {
    records.sort_by(|a, b| {
        (a.anchor().is_none(), a.anchor(), &a.incident.id).cmp(&(
            b.anchor().is_none(),
            b.anchor(),
            &b.incident.id,
        ))
    });
}

/// Groups `records` (one vendor, in [`order`]) into outages.
pub fn group(records: &[Record]) -> Vec<Vec<Placement>> {
    let n = records.len();
    let is = |i: usize, kind: ReportKind| records.get(i).is_some_and(|r| r.kind == kind);

    // 1. Copies.
    let mut copy_of: Vec<Option<usize>> = vec![None; n];
    let mut originals: Vec<usize> = Vec::new();
    // The first published is the original; copies follow it.
    let mut press: Vec<usize> = (0..n).filter(|&i| is(i, ReportKind::Press)).collect();
    press.sort_by_key(|&i| {
        records
            .get(i)
            .map(|r| (r.published.is_none(), r.published, r.incident.id.clone()))
    });
    for i in press {
        let body = |k: usize| records.get(k).map(|r| &r.body);
        let original = originals.iter().copied().find(|&o| {
            matches!((body(o), body(i)), (Some(a), Some(b)) if Fingerprint::near_duplicate(a, b))
        });
        match original {
            Some(o) => copy_of[i] = Some(o),
            None => originals.push(i),
        }
    }

    // 2. Vendor incidents, each against the seeds of the groups still within its reach.
    let mut best: Vec<Option<(usize, ScoreParts, JoinKind)>> = vec![None; n];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    // Groups whose seed later incidents may still reach, oldest seed first.
    let mut open: Vec<usize> = Vec::new();
    let status: Vec<usize> = (0..n).filter(|&i| is(i, ReportKind::Status)).collect();
    for &j in &status {
        let Some(rec) = records.get(j) else { continue };
        let seed_of = |g: usize| groups.get(g).and_then(|m| m.first()).copied();
        let choice = match rec.span {
            // Undated incidents join nothing: they come last and each is its own event.
            None => None,
            Some(span) => {
                open.retain(|&g| {
                    seed_of(g)
                        .and_then(|s| records.get(s))
                        .and_then(|s| s.span)
                        .is_some_and(|s| !past_reach(&s, &span))
                });
                let mut choice: Option<(usize, usize, ScoreParts, JoinKind)> = None;
                for &g in &open {
                    let Some(seed) = seed_of(g) else { continue };
                    let Some(other) = records.get(seed) else {
                        continue;
                    };
                    if !other.span.is_some_and(|s| within_reach(&s, &span)) {
                        continue;
                    }
                    let Some((parts, kind)) = status_join(other, rec) else {
                        continue;
                    };
                    if choice.is_none_or(|(_, _, old, _)| parts.total > old.total) {
                        choice = Some((g, seed, parts, kind));
                    }
                }
                choice
            }
        };
        match choice {
            Some((g, seed, parts, kind)) => {
                if let Some(members) = groups.get_mut(g) {
                    members.push(j);
                }
                if let Some(slot) = best.get_mut(j) {
                    *slot = Some((seed, parts, kind));
                }
            }
            None => {
                groups.push(vec![j]);
                if rec.span.is_some() {
                    open.push(groups.len() - 1);
                }
            }
        }
    }

    // 3. Press originals, oldest first.
    originals.sort_unstable();
    let mut press_group: Vec<Option<usize>> = vec![None; n];
    for &p in &originals {
        let Some(rec) = records.get(p) else { continue };
        let mut choice: Option<(usize, usize, ScoreParts, JoinKind)> = None;
        // The report's own onset inside a vendor incident's window settles it; among several
        // such incidents the best score wins.
        for (g, members) in groups.iter().enumerate() {
            for &m in members {
                let Some(other) = records.get(m) else {
                    continue;
                };
                if !onset_inside(rec, other) {
                    continue;
                }
                let Some(s) = score(rec, other) else { continue };
                if choice.is_none_or(|(_, _, old, _)| s.total > old.total) {
                    choice = Some((g, m, s, JoinKind::Onset));
                }
            }
        }
        if choice.is_none() {
            for (g, members) in groups.iter().enumerate() {
                for &m in members {
                    let Some(other) = records.get(m) else {
                        continue;
                    };
                    let Some(s) = score(rec, other).filter(|s| s.total >= THRESHOLD) else {
                        continue;
                    };
                    if choice.is_none_or(|(_, _, old, _)| s.total > old.total) {
                        choice = Some((g, m, s, JoinKind::Score));
                    }
                }
            }
        }
        let g = match choice {
            Some((g, m, s, kind)) => {
                if let Some(slot) = best.get_mut(p) {
                    *slot = Some((m, s, kind));
                }
                g
            }
            None => {
                groups.push(Vec::new());
                groups.len() - 1
            }
        };
        if let Some(members) = groups.get_mut(g) {
            members.push(p);
        }
        if let Some(slot) = press_group.get_mut(p) {
            *slot = Some(g);
        }
    }
    for (i, original) in copy_of.iter().enumerate() {
        let Some(o) = original else { continue };
        if let Some(g) = press_group.get(*o).copied().flatten()
            && let Some(members) = groups.get_mut(g)
        {
            members.push(i);
        }
    }

    groups
        .into_iter()
        .map(|mut members| {
            members.sort_unstable();
            members
                .into_iter()
                .map(|i| Placement {
                    record: i,
                    matched: best.get(i).copied().flatten(),
                    copy_of: copy_of.get(i).copied().flatten(),
                })
                .collect()
        })
        .collect()
}
