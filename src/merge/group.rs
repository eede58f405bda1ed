//! Grouping one vendor's records into outages, in a fixed order so the result depends only on
//! the records (never on the order they were crawled in).
//!
//! 1. Press copies: a press report whose body is a near-duplicate of an earlier one is a copy of
//!    it (syndication), and follows it wherever it goes.
//! 2. Vendor incidents: every pair within reach is scored; pairs at the threshold or above join
//!    (transitively: a post-mortem bridging two regional incidents joins all three).
//! 3. Press reports, oldest first, each join the group with the best-scoring member at the
//!    threshold or above, or start their own group (which later reports may join).

use super::fingerprint::Fingerprint;
use super::score::{Record, THRESHOLD, past_reach, score, within_reach};
use crate::model::ReportKind;
use crate::store::ScoreParts;

/// A record's place in a group, before the primary is chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// Index into the records.
    pub record: usize,
    /// The record it was matched with, and the score.
    pub matched: Option<(usize, ScoreParts)>,
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

    // 2. Vendor incidents, joined transitively.
    let mut parent: Vec<usize> = (0..n).collect();
    let mut best: Vec<Option<(usize, ScoreParts)>> = vec![None; n];
    let status: Vec<usize> = (0..n).filter(|&i| is(i, ReportKind::Status)).collect();
    for (x, &i) in status.iter().enumerate() {
        for &j in status.iter().skip(x + 1) {
            let (Some(a), Some(b)) = (records.get(i), records.get(j)) else {
                continue;
            };
            // Undated records come last in the order: none of the rest has a span either.
            let (Some(sa), Some(sb)) = (a.span, b.span) else {
                break;
            };
            // Ordered by start: once j starts past i's reach, every later one does too.
            if past_reach(&sa, &sb) {
                break;
            }
            if !within_reach(&sa, &sb) {
                continue;
            }
            let Some(s) = score(a, b).filter(|s| s.total >= THRESHOLD) else {
                continue;
            };
            union(&mut parent, i, j);
            if best
                .get(j)
                .copied()
                .flatten()
                .is_none_or(|(_, old)| s.total > old.total)
            {
                if let Some(slot) = best.get_mut(j) {
                    *slot = Some((i, s));
                }
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of: Vec<Option<usize>> = vec![None; n];
    for &i in &status {
        let root = find(&mut parent, i);
        let g = match group_of.get(root).copied().flatten() {
            Some(g) => g,
            None => {
                groups.push(Vec::new());
                let g = groups.len() - 1;
                if let Some(slot) = group_of.get_mut(root) {
                    *slot = Some(g);
                }
                g
            }
        };
        if let Some(members) = groups.get_mut(g) {
            members.push(i);
        }
    }

    // 3. Press originals, oldest first.
    originals.sort_unstable();
    let mut press_group: Vec<Option<usize>> = vec![None; n];
    for &p in &originals {
        let Some(rec) = records.get(p) else { continue };
        let mut choice: Option<(usize, usize, ScoreParts)> = None;
        for (g, members) in groups.iter().enumerate() {
            for &m in members {
                let Some(other) = records.get(m) else {
                    continue;
                };
                let Some(s) = score(rec, other).filter(|s| s.total >= THRESHOLD) else {
                    continue;
                };
                if choice.is_none_or(|(_, _, old)| s.total > old.total) {
                    choice = Some((g, m, s));
                }
            }
        }
        let g = match choice {
            Some((g, m, s)) => {
                if let Some(slot) = best.get_mut(p) {
                    *slot = Some((m, s));
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

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while let Some(&p) = parent.get(i) {
        if p == i {
            break;
        }
        let grand = parent.get(p).copied().unwrap_or(p);
        if let Some(slot) = parent.get_mut(i) {
            *slot = grand;
        }
        i = p;
    }
    i
}

/// Joins the sets of `a` and `b`; the smaller index becomes the root so roots are stable.
fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    let (root, child) = if ra <= rb { (ra, rb) } else { (rb, ra) };
    if let Some(slot) = parent.get_mut(child) {
        *slot = root;
    }
}
