//! `remerge` and `history`: regrouping the store into events, and what vendors rewrote.

use std::io::Write;

use anyhow::Result;
use chrono::Utc;

use super::query::{open_reader, open_store};
use super::{Exit, print};
use crate::cli::HistoryArgs;
use crate::crawl::DataPaths;
use crate::extract::text::one_line;
use crate::lock::WriterLock;
use crate::merge;
use crate::model::rfc3339;

pub fn remerge(paths: &DataPaths) -> Result<Exit> {
    let _lock = WriterLock::acquire(&paths.lock_file())?;
    let mut store = open_store(paths)?;
    let summary = merge::remerge(&mut store, Utc::now())?;
    println!(
        "merged {} incidents of {} vendors into {} events",
        summary.incidents, summary.vendors, summary.events
    );
    Ok(Exit::Ok)
}

pub fn history(paths: &DataPaths, args: &HistoryArgs) -> Result<Exit> {
    let store = open_reader(paths)?;
    let Some(history) = merge::history(&store, &args.id)? else {
        anyhow::bail!("no event with id {:?}", args.id);
    };
    if args.json {
        print::json(&history)?;
        return Ok(Exit::Ok);
    }
    let mut w = std::io::stdout().lock();
    writeln!(w, "event {}", history.event_id)?;
    for i in &history.incidents {
        let first = i.first_seen.map_or("-".into(), rfc3339);
        writeln!(
            w,
            "{}: {} version(s), first seen {first}",
            i.incident_id, i.versions
        )?;
        if i.changes.is_empty() {
            writeln!(w, "  no changes seen")?;
        }
        write_changes(&mut w, i, "  ")?;
    }
    Ok(Exit::Ok)
}

/// The field changes and feed deletions of one incident, one per line: shared by `history` and
/// `show` so both say the same thing the same way.
pub(super) fn write_changes(
    w: &mut impl Write,
    i: &merge::IncidentHistory,
    indent: &str,
) -> std::io::Result<()> {
    for c in &i.changes {
        writeln!(
            w,
            "{indent}{}  {}: {} -> {}",
            rfc3339(c.seen_at),
            c.field,
            one_line(c.from.as_deref().unwrap_or("(none)")),
            one_line(c.to.as_deref().unwrap_or("(none)"))
        )?;
    }
    for a in &i.missing_from_feeds {
        writeln!(
            w,
            "{indent}DELETED: {} stopped listing it at {} (last listed {}) while it was inside the feed's window",
            one_line(&a.source_url),
            rfc3339(a.missing_since),
            rfc3339(a.last_listed_at)
        )?;
    }
    Ok(())
}
