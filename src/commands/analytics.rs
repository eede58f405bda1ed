//! `stats`, `compare`, `export`, `show` and `sources list`: figures and files built from the
//! stored events.

use std::io::Write;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::query::{open_index, open_reader};
use super::{Exit, print};
use crate::chart::{self, Series};
use crate::cli::{
    CompareArgs, ExportArgs, ExportFormat, ShowArgs, SourcesListArgs, StatsArgs, WatchlistCommand,
};
use crate::crawl::DataPaths;
use crate::export;
use crate::extract::text::one_line;
use crate::figures::{self, Scope};
use crate::merge;
use crate::model::{Event, rfc3339};
use crate::query::{self, Sort};
use crate::search_syntax;
use crate::stats::{self, Figures, Period};
use crate::store::{Store, TermField};

#[derive(Serialize)]
struct VendorFigures {
    vendor: String,
    service: Option<String>,
    region: Option<String>,
    since: Option<String>,
    until: Option<String>,
    #[serde(flatten)]
    figures: Figures,
}

pub fn stats(paths: &DataPaths, args: &StatsArgs) -> Result<Exit> {
    let store = open_reader(paths)?;
    let now = Utc::now();
    let vendor = resolve(&store, &args.vendor)?;
    query::checks::period(args.since, args.until)?;
    if let Some(service) = &args.service {
        query::checks::term(&store, TermField::Service, service, Some(&vendor))?;
    }
    if let Some(region) = &args.region {
        query::checks::term(&store, TermField::Region, region, Some(&vendor))?;
    }
    let figures = figures::vendor_figures(
        &store,
        &vendor,
        Scope {
            service: args.service.as_deref(),
            region: args.region.as_deref(),
        },
        Period {
            since: args.since,
            until: args.until,
            now,
        },
        None,
    )?;
    let out = VendorFigures {
        vendor,
        service: args.service.clone(),
        region: args.region.clone(),
        since: args.since.map(rfc3339),
        until: args.until.map(rfc3339),
        figures,
    };
    if args.json {
        print::json(&out)?;
        return Ok(Exit::Ok);
    }
    if args.csv {
        let row = export::FiguresRow {
            vendor: &out.vendor,
            service: out.service.as_deref(),
            region: out.region.as_deref(),
            since: args.since,
            until: args.until,
            figures: &out.figures,
        };
        std::io::stdout()
            .lock()
            .write_all(export::figures_csv(&[row]).as_bytes())?;
        return Ok(Exit::Ok);
    }
    let mut w = std::io::stdout().lock();
    let f = &out.figures;
    writeln!(w, "{}", one_line(&out.vendor))?;
    if let Some(s) = &out.service {
        writeln!(w, "  service: {}", one_line(s))?;
    }
    if let Some(r) = &out.region {
        writeln!(w, "  region: {}", one_line(r))?;
    }
    print_figures(&mut w, f)?;
    writeln!(w)?;
    writeln!(w, "Method: {}", f.method)?;
    Ok(Exit::Ok)
}

/// "2022-01-01 .. 2022-12-31, 100.0% of the period (2 stretches)", or why there is no data.
fn coverage_line(c: &stats::Coverage) -> String {
    if c.no_data {
        return "no data: no source covered any time of this period".into();
    }
    let share = c.share.map_or(String::new(), |s| {
        format!(", {:.1}% of the period", s * 100.0)
    });
    let stretches = if c.spans.len() > 1 {
        format!(" ({} stretches; the gaps are not counted)", c.spans.len())
    } else {
        String::new()
    };
    format!(
        "{} .. {}{share}{stretches}",
        c.first.as_deref().unwrap_or("-"),
        c.last.as_deref().unwrap_or("-")
    )
}

fn print_figures(w: &mut impl Write, f: &Figures) -> std::io::Result<()> {
    writeln!(w, "  covered:            {}", coverage_line(&f.coverage))?;
    if f.coverage.no_data {
        return Ok(());
    }
    writeln!(
        w,
        "  incidents:          {} (+{} maintenance)",
        f.incidents, f.maintenances
    )?;
    let sev: Vec<String> = f
        .by_severity
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    writeln!(w, "  by severity:        {}", sev.join(", "))?;
    writeln!(
        w,
        "  outage minutes:     {} raw, {} severity-weighted",
        f.outage_minutes, f.weighted_outage_minutes
    )?;
    let pct = |a: Option<f64>| a.map_or("-".into(), |a| format!("{:.4}%", a * 100.0));
    writeln!(
        w,
        "  availability:       {} raw, {} weighted",
        pct(f.availability),
        pct(f.weighted_availability)
    )?;
    let mins = |m: Option<f64>| m.map_or("-".into(), |m| format!("{m:.1} min"));
    writeln!(
        w,
        "  time to resolve:    mean {}, median {}, p90 {}",
        mins(f.mean_ttr_minutes),
        mins(f.median_ttr_minutes),
        f.p90_ttr_minutes.map_or("-".into(), |m| format!("{m} min"))
    )?;
    if f.ttr_left_out > 0 {
        writeln!(
            w,
            "                      ({} incidents without a real duration left out: no end, or an end equal to the start)",
            f.ttr_left_out
        )?;
    }
    if f.unresolved_stale > 0 {
        writeln!(
            w,
            "  unresolved:         {} open incidents with no update for {} hours, counted to their last update",
            f.unresolved_stale,
            crate::model::STALE_AFTER_HOURS
        )?;
    }
    if let Some(l) = &f.longest {
        writeln!(
            w,
            "  longest:            {} ({}, {})",
            print::format_minutes(l.minutes),
            one_line(&l.title),
            l.start.as_deref().unwrap_or("undated")
        )?;
    }
    if let Some(lag) = &f.acknowledgement_lag {
        if lag.events > 0 {
            writeln!(
                w,
                "  acknowledgement:    median {:+.0} min from the first press report to the first status update ({} events; negative: the vendor spoke first)",
                lag.median_minutes, lag.events
            )?;
        }
        if lag.never_mentioned > 0 {
            writeln!(
                w,
                "  not on status page: {} press-reported outages",
                lag.never_mentioned
            )?;
        }
    }
    let counts: Vec<usize> = f.per_month.values().copied().collect();
    if let (Some(first), Some(last)) = (f.per_month.keys().next(), f.per_month.keys().last()) {
        let (buckets, per) = chart::bucket(&counts, 60);
        let unit = if per == 1 {
            "per month:     ".to_string()
        } else {
            format!("per {per} months:")
        };
        writeln!(
            w,
            "  {unit:<19} {first} {} {last}",
            chart::sparkline(&buckets)
        )?;
    }
    Ok(())
}

/// The stored vendor meant by `asked`, checked by the read layer (an unknown one is an error
/// naming the closest).
fn resolve(store: &Store, asked: &str) -> Result<String> {
    let v = query::checks::vendor(asked, &store.vendors()?)?;
    if !v.eq_ignore_ascii_case(asked) {
        eprintln!("vendor {asked:?} read as {v:?}");
    }
    Ok(v)
}

#[derive(Serialize)]
struct Comparison {
    since: Option<String>,
    until: Option<String>,
    /// The time every vendor with data covered; figures are computed over it.
    aligned_since: Option<String>,
    aligned_until: Option<String>,
    common_minutes: i64,
    period_minutes: i64,
    /// Vendors with no covered time in the period.
    no_data: Vec<String>,
    vendors: Vec<VendorFigures>,
}

pub fn compare(paths: &DataPaths, args: &CompareArgs) -> Result<Exit> {
    let store = open_reader(paths)?;
    let now = Utc::now();
    let mut names = Vec::new();
    for v in &args.vendors {
        names.push(resolve(&store, v)?);
    }
    query::checks::period(args.since, args.until)?;
    let cmp = figures::compare(&store, &names, args.since, args.until, now)?;
    if args.csv {
        let rows: Vec<export::FiguresRow> = cmp
            .vendors
            .iter()
            .map(|r| export::FiguresRow {
                vendor: &r.vendor,
                service: None,
                region: None,
                since: args.since,
                until: args.until,
                figures: &r.figures,
            })
            .collect();
        std::io::stdout()
            .lock()
            .write_all(export::figures_csv(&rows).as_bytes())?;
        return Ok(Exit::Ok);
    }
    let since = cmp.aligned_since;
    let aligned_until = cmp.aligned_until;
    let (common_minutes, period_minutes) = (cmp.common_minutes, cmp.period_minutes);
    let no_data = cmp.no_data.clone();
    let rows: Vec<VendorFigures> = cmp
        .vendors
        .into_iter()
        .map(|r| VendorFigures {
            vendor: r.vendor,
            service: None,
            region: None,
            since: args.since.map(rfc3339),
            until: args.until.map(rfc3339),
            figures: r.figures,
        })
        .collect();
    if let Some(path) = &args.svg {
        let labels: Vec<String> = rows
            .first()
            .map(|r| r.figures.per_month.keys().cloned().collect())
            .unwrap_or_default();
        let values: Vec<Vec<usize>> = rows
            .iter()
            .map(|r| {
                labels
                    .iter()
                    .map(|l| r.figures.per_month.get(l).copied().unwrap_or(0))
                    .collect()
            })
            .collect();
        let series: Vec<Series> = rows
            .iter()
            .zip(&values)
            .map(|(r, v)| Series {
                name: &r.vendor,
                values: v,
            })
            .collect();
        let svg = chart::svg_bars("Incidents per month", &labels, &series);
        std::fs::write(path, svg).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let out = Comparison {
        since: args.since.map(rfc3339),
        until: args.until.map(rfc3339),
        aligned_since: since.map(rfc3339),
        aligned_until: aligned_until.map(rfc3339),
        common_minutes,
        period_minutes,
        no_data: no_data.clone(),
        vendors: rows,
    };
    if args.json {
        print::json(&out)?;
        return Ok(Exit::Ok);
    }
    let mut w = std::io::stdout().lock();
    let day = |t: DateTime<Utc>| t.format("%Y-%m-%d").to_string();
    match (since, aligned_until) {
        (Some(a), Some(b)) => writeln!(
            w,
            "Compared over the time every vendor with data covered: {} .. {}, {} of the {} days asked ({:.1}%)",
            day(a),
            day(b - chrono::Duration::seconds(1)),
            common_minutes / 1440,
            period_minutes / 1440,
            if period_minutes > 0 {
                common_minutes as f64 * 100.0 / period_minutes as f64
            } else {
                0.0
            }
        )?,
        _ => writeln!(
            w,
            "No time of the period is covered by every vendor with data"
        )?,
    }
    if !no_data.is_empty() {
        writeln!(
            w,
            "No data in the period for: {} (no source covered any of it)",
            no_data
                .iter()
                .map(|v| one_line(v))
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    let header = [
        "vendor",
        "incidents",
        "outage min",
        "availability",
        "mean TTR",
        "p90 TTR",
        "per month",
    ];
    writeln!(
        w,
        "{:<16} {:>9} {:>11} {:>13} {:>9} {:>8}  {}",
        header[0], header[1], header[2], header[3], header[4], header[5], header[6]
    )?;
    for r in &out.vendors {
        let f = &r.figures;
        if f.coverage.no_data {
            writeln!(
                w,
                "{:<16} {:>9}",
                crate::extract::text::truncate_chars(&one_line(&r.vendor), 16),
                "no data"
            )?;
            continue;
        }
        let counts: Vec<usize> = f.per_month.values().copied().collect();
        let (buckets, _) = chart::bucket(&counts, 40);
        writeln!(
            w,
            "{:<16} {:>9} {:>11} {:>13} {:>9} {:>8}  {}",
            crate::extract::text::truncate_chars(&one_line(&r.vendor), 16),
            f.incidents,
            f.outage_minutes,
            f.availability
                .map_or("-".into(), |a| format!("{:.4}%", a * 100.0)),
            f.mean_ttr_minutes
                .map_or("-".into(), |m| format!("{m:.0}m")),
            f.p90_ttr_minutes.map_or("-".into(), |m| format!("{m}m")),
            chart::sparkline(&buckets)
        )?;
    }
    writeln!(w)?;
    writeln!(w, "Method: {}", stats::METHOD)?;
    Ok(Exit::Ok)
}

pub fn export(paths: &DataPaths, args: &ExportArgs) -> Result<Exit> {
    let store = open_reader(paths)?;
    let index = open_index(paths, &store)?;
    let text = match &args.watchlist {
        Some(name) => match store.watchlist(name)? {
            Some(w) => w.query,
            None => anyhow::bail!("no saved search named {name:?}: see `outages watchlist list`"),
        },
        None => args.query.join(" "),
    };
    let req = search_syntax::parse(&text)?;
    let page = query::Page {
        offset: args.offset,
        limit: args.limit,
    };
    let found = query::find(&store, &index, &req, page, Sort::Time, Utc::now())?;
    print::showing_note(page, found.results.len(), found.total);
    let merged: Vec<merge::MergedEvent> = found.results.into_iter().map(|r| r.event).collect();
    let events: Vec<Event> = merged.iter().map(merge::MergedEvent::contract).collect();
    let body = match args.format {
        ExportFormat::Json => serde_json::to_string_pretty(&merged)? + "\n",
        ExportFormat::Csv => export::csv(&events),
        ExportFormat::Atom => {
            let title = if text.trim().is_empty() {
                "Outages".to_string()
            } else {
                format!("Outages: {}", one_line(&text))
            };
            let self_url = format!("urn:outages:query:{}", one_line(&text).replace(' ', "+"));
            export::atom(&events, &title, &self_url, Utc::now())
        }
        ExportFormat::Ics => export::ics(&events, Utc::now()),
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, body)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {} events to {}", events.len(), path.display());
        }
        None => std::io::stdout().lock().write_all(body.as_bytes())?,
    }
    Ok(Exit::Ok)
}

#[derive(Serialize)]
struct ShowJson {
    #[serde(flatten)]
    event: merge::MergedEvent,
    history: merge::History,
}

/// One merged event with its sources and quotes, why its members were merged, where each
/// field came from (and the values other sources gave), the two figures, and the edit history.
pub fn show(paths: &DataPaths, args: &ShowArgs) -> Result<Exit> {
    let store = open_reader(paths)?;
    let (Some(event), Some(history)) = (
        merge::event(&store, &args.id)?,
        merge::history(&store, &args.id)?,
    ) else {
        anyhow::bail!("no event with id {:?}", args.id);
    };
    if args.json {
        print::json(&ShowJson { event, history })?;
        return Ok(Exit::Ok);
    }
    let contract = event.contract();
    let mut w = std::io::stdout().lock();
    writeln!(w, "{}", print::headline(&contract))?;
    writeln!(w, "id: {}", event.id)?;
    if let Some(c) = &event.cause {
        writeln!(w, "cause: {}", one_line(c))?;
    }
    if !event.regions.is_empty() {
        writeln!(w, "regions: {}", one_line(&event.regions.join(", ")))?;
    }
    let mentioned = match event.status_page_mentioned {
        Some(true) => "yes",
        Some(false) => "NO (its status feed covered the time and listed nothing)",
        None => "unknown (no status feed of this vendor covers the time)",
    };
    writeln!(w, "status page mentioned it: {mentioned}")?;
    if let Some(lag) = event.acknowledgement_lag_minutes {
        writeln!(
            w,
            "acknowledgement lag: {lag} min from the first press report to the vendor's first status update"
        )?;
    }
    writeln!(w, "updates:")?;
    for u in &event.updates {
        let at = u.at.map_or("undated".into(), |t| {
            t.format("%Y-%m-%d %H:%M UTC").to_string()
        });
        writeln!(
            w,
            "  {at}  {:<13} {}",
            one_line(&u.status),
            one_line(&u.text)
        )?;
    }
    writeln!(w, "sources:")?;
    for s in &event.sources {
        writeln!(
            w,
            "  [{}] {}\n      \"{}\"",
            s.kind.as_str(),
            one_line(s.url.as_deref().unwrap_or("-")),
            one_line(s.quote.as_deref().unwrap_or(""))
        )?;
        for c in &s.copies {
            writeln!(
                w,
                "      copy: {} ({})",
                one_line(c.url.as_deref().unwrap_or("-")),
                one_line(&c.title)
            )?;
        }
    }
    writeln!(w, "merged from:")?;
    for m in &event.merged_from {
        writeln!(
            w,
            "  {} [{} {}] {}",
            m.incident_id,
            m.kind.as_str(),
            m.role,
            one_line(&m.reason)
        )?;
    }
    let p = &event.provenance;
    let disagreements = [
        (
            "start",
            p.start
                .others
                .iter()
                .map(|o| (o.incident_id.as_str(), rfc3339(o.value)))
                .collect::<Vec<_>>(),
        ),
        (
            "end",
            p.end
                .others
                .iter()
                .map(|o| (o.incident_id.as_str(), rfc3339(o.value)))
                .collect(),
        ),
        (
            "duration",
            p.duration_minutes
                .others
                .iter()
                .map(|o| (o.incident_id.as_str(), format!("{} min", o.value)))
                .collect(),
        ),
        (
            "title",
            p.title
                .others
                .iter()
                .map(|o| (o.incident_id.as_str(), o.value.clone()))
                .collect(),
        ),
        (
            "cause",
            p.cause
                .others
                .iter()
                .map(|o| (o.incident_id.as_str(), o.value.clone()))
                .collect(),
        ),
    ];
    for (field, values) in disagreements {
        for (id, value) in values {
            writeln!(w, "other {field}: {} (from {id})", one_line(&value))?;
        }
    }
    writeln!(w, "history:")?;
    for i in &history.incidents {
        writeln!(w, "  {}: {} version(s)", i.incident_id, i.versions)?;
        super::merge::write_changes(&mut w, i, "    ")?;
    }
    Ok(Exit::Ok)
}

pub fn sources_list(paths: &DataPaths, args: &SourcesListArgs) -> Result<Exit> {
    let store = open_reader(paths)?;
    let sources = store.sources()?;
    let coverage = store.source_coverage(None)?;
    if args.json {
        let mut rows: Vec<serde_json::Value> = Vec::with_capacity(sources.len());
        for s in &sources {
            let vanished: Vec<String> = store
                .vanished_items(&s.url)?
                .into_iter()
                .map(|v| v.incident_id)
                .collect();
            rows.push(serde_json::json!({
                    "url": s.url,
                    "vendor": s.vendor,
                    "kind": s.kind.map(|k| k.as_str()),
                    "last_success_at": s.last_success_at.map(rfc3339),
                    "last_error": s.last_error,
                    "last_error_class": s.last_error_class,
                    "consecutive_failures": s.consecutive_failures,
                    "last_checked_at": s.last_checked_at.map(rfc3339),
                    "next_attempt_at": s.next_attempt_at.map(rfc3339),
                    "oldest_item_at": s.oldest_item_at.map(rfc3339),
                    "newest_item_at": s.newest_item_at.map(rfc3339),
                    "history_days": s.oldest_item_at.zip(s.newest_item_at).map(|(a, b)| (b - a).num_days()),
                    "vanished_incidents": vanished,
                    "coverage": coverage_json(coverage.iter().filter(|c| c.source == s.url)),
                }));
        }
        // Archives that were ingested are sources too: they cover their own span.
        for c in coverage
            .iter()
            .filter(|c| !sources.iter().any(|s| s.url == c.source))
        {
            rows.push(serde_json::json!({
                "url": c.source,
                "vendor": c.vendor,
                "coverage": coverage_json(std::iter::once(c)),
            }));
        }
        print::json(&rows)?;
        return Ok(Exit::Ok);
    }
    let mut w = std::io::stdout().lock();
    let day = |t: Option<DateTime<Utc>>| t.map_or("-".into(), |t| t.format("%Y-%m-%d").to_string());
    writeln!(
        w,
        "{:<16} {:<17} {:<11} {:<8} {:<23} {:<17} url",
        "vendor", "kind", "last ok", "history", "last error", "next try"
    )?;
    let now = Utc::now();
    for s in &sources {
        let history = match (s.oldest_item_at, s.newest_item_at) {
            (Some(a), Some(b)) => format!("{}d", (b - a).num_days()),
            _ => "-".into(),
        };
        let vanished = store.vanished_items(&s.url)?.len();
        let error = match (&s.last_error_class, s.consecutive_failures) {
            (Some(class), n) if n > 0 => format!("{class} x{n}"),
            // Never read successfully: not "all clear".
            _ if s.last_success_at.is_none() => "never read".into(),
            _ if vanished > 0 => format!("{vanished} vanished"),
            _ => "-".into(),
        };
        let next = match s.next_attempt_at {
            Some(t) if t > now => t.format("%Y-%m-%d %H:%M").to_string(),
            _ => "next run".into(),
        };
        writeln!(
            w,
            "{:<16} {:<17} {:<11} {:<8} {:<23} {:<17} {}",
            crate::extract::text::truncate_chars(&one_line(s.vendor.as_deref().unwrap_or("-")), 16),
            s.kind.map_or("detect", |k| k.as_str()),
            day(s.last_success_at),
            history,
            error,
            next,
            one_line(&s.url)
        )?;
    }
    if !coverage.is_empty() {
        writeln!(
            w,
            "\ncoverage (the time each source covered; a gap is a failed or missed crawl):"
        )?;
        for c in &coverage {
            let (Some(first), Some(last)) = (c.spans.first(), c.spans.last()) else {
                continue;
            };
            let minutes: i64 = c.spans.iter().map(|s| s.minutes()).sum();
            writeln!(
                w,
                "  {:<16} {} .. {}  {:>6} days in {} stretch{}  {}",
                crate::extract::text::truncate_chars(&one_line(&c.vendor), 16),
                first.from.format("%Y-%m-%d"),
                last.to.format("%Y-%m-%d"),
                minutes / 1440,
                c.spans.len(),
                if c.spans.len() == 1 { "" } else { "es" },
                one_line(&c.source)
            )?;
        }
    }
    Ok(Exit::Ok)
}

/// Coverage rows as JSON: per vendor, its stretches and their covered minutes.
fn coverage_json<'a>(
    rows: impl Iterator<Item = &'a crate::store::SourceCoverage>,
) -> serde_json::Value {
    rows.map(|c| {
        serde_json::json!({
            "vendor": c.vendor,
            "minutes": c.spans.iter().map(|s| s.minutes()).sum::<i64>(),
            "spans": c.spans.iter().map(|s| serde_json::json!({
                "from": rfc3339(s.from),
                "to": rfc3339(s.to),
            })).collect::<Vec<_>>(),
        })
    })
    .collect()
}

pub fn watchlist(paths: &DataPaths, cmd: &WatchlistCommand) -> Result<Exit> {
    let mut store =
        Store::open(&paths.store).with_context(|| format!("opening {}", paths.store.display()))?;
    match cmd {
        WatchlistCommand::Add { name, query } => {
            let query = query.join(" ");
            // Refuse a query that would fail later, when it is exported unattended.
            search_syntax::parse(&query)
                .with_context(|| format!("not saved: the query {query:?} is not valid"))?;
            store.save_watchlist(name, &query, Utc::now())?;
            println!("saved {name}: {query}");
        }
        WatchlistCommand::List => {
            let mut w = std::io::stdout().lock();
            for item in store.watchlists()? {
                writeln!(w, "{:<20} {}", one_line(&item.name), one_line(&item.query))?;
            }
        }
        WatchlistCommand::Remove { name } => {
            if !store.remove_watchlist(name)? {
                anyhow::bail!("no saved search named {name:?}");
            }
            println!("removed {name}");
        }
    }
    Ok(Exit::Ok)
}
