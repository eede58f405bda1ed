//! The vendor list and one vendor's page: figures, charts, heatmap and source health.

use std::fmt::Write;

use axum::extract::{Path, RawQuery, State};
use axum::response::Html;
use chrono::{DateTime, Duration, Utc};

use super::fragments::{event_item, mins, pct, sources_table};
use super::{PageResult, event_href, vendor_href};
use crate::chart::{self, Series};
use crate::model::{Event, Incident};
use crate::serve::api::{self, StatsResponse};
use crate::serve::charts;
use crate::serve::html::{self, Nav, page, text};
use crate::serve::params::{Params, query_string};
use crate::serve::{Shared, blocking};
use crate::store::{IncidentFilter, SourceState};

pub async fn vendors(State(state): State<Shared>) -> PageResult {
    let list = blocking(&state, |store, _| Ok(store.vendors()?)).await?;
    let mut out = String::from(
        "<h1>Vendors</h1><p class=\"lede\">Every vendor with stored incidents, and how far back its data reaches.</p><ul class=\"vendor-list\">",
    );
    for v in &list {
        let _ = write!(
            out,
            "<li><a href=\"{}\">{}</a> <span class=\"muted small\">{} incidents · {} – {}</span></li>",
            text(&vendor_href(&v.name)),
            text(&v.name),
            v.incidents,
            html::day(v.first),
            html::day(v.last)
        );
    }
    out.push_str("</ul>");
    Ok(Html(page("Vendors", Nav::Vendors, &out)))
}

struct VendorView {
    stats: StatsResponse,
    incidents: Vec<Incident>,
    sources: Vec<SourceState>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
}

pub async fn vendor(
    State(state): State<Shared>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let p = Params::parse(raw.as_deref());
    let ask = api::StatsAsk {
        vendor: name,
        service: p.get("service").map(str::to_string),
        region: p.get("region").map(str::to_string),
        since: p.time("since", false)?,
        until: p.time("until", true)?,
    };
    let view = blocking(&state, move |store, _| {
        let stats = api::load_stats(store, &ask)?;
        let mut incidents = store.incidents(&IncidentFilter {
            vendor: Some(stats.vendor.clone()),
            ..IncidentFilter::default()
        })?;
        incidents.retain(|i| {
            i.start.is_some_and(|s| {
                ask.since.is_none_or(|a| s >= a) && ask.until.is_none_or(|b| s < b)
            })
        });
        let sources = store
            .sources()?
            .into_iter()
            .filter(|s| s.vendor.as_deref() == Some(stats.vendor.as_str()))
            .collect();
        Ok(VendorView {
            stats,
            incidents,
            sources,
            since: ask.since,
            until: ask.until,
        })
    })
    .await?;
    let title = view.stats.vendor.clone();
    Ok(Html(page(&title, Nav::Vendors, &render_vendor(&view))))
}

fn figure(out: &mut String, key: &str, label: &str, value: &str, note: &str) {
    let _ = write!(
        out,
        "<div class=\"figure\"><div class=\"v\" data-figure=\"{key}\">{value}</div><div class=\"k\">{label}{}</div></div>",
        if note.is_empty() {
            String::new()
        } else {
            format!(" · {note}")
        }
    );
}

fn render_vendor(view: &VendorView) -> String {
    let s = &view.stats;
    let f = &s.figures;
    let mut out = String::new();
    let c = &f.coverage;
    let covered = if c.no_data {
        "No source covered any time of this period: no data.".to_string()
    } else {
        format!(
            "Covered by its sources from {} to {}{}{}.",
            c.first.as_deref().unwrap_or("–"),
            c.last.as_deref().unwrap_or("–"),
            c.share.map_or(String::new(), |s| format!(
                ", {:.1}% of the period",
                s * 100.0
            )),
            if c.spans.len() > 1 {
                format!(
                    " in {} stretches (the gaps count neither as up nor as down)",
                    c.spans.len()
                )
            } else {
                String::new()
            }
        )
    };
    let _ = write!(
        out,
        "<h1>{}</h1><p class=\"lede\">Reliability as the vendor's own status feeds report it. <span data-coverage=\"{}\">{}</span>{}</p>",
        text(&s.vendor),
        c.minutes,
        text(&covered),
        match (view.since, view.until) {
            (None, None) => String::new(),
            (a, b) => format!(
                " Period asked: {} to {} (inclusive).",
                a.map_or("the start".into(), |t| t.format("%Y-%m-%d").to_string()),
                b.map_or("now".into(), |t| (t - Duration::seconds(1))
                    .format("%Y-%m-%d")
                    .to_string())
            ),
        }
    );
    let _ = write!(
        out,
        "<p class=\"small\"><a href=\"/?{0}\">Search its incidents</a> · <a href=\"/timeline?{0}\">timeline</a> · <a href=\"/compare?{0}\">compare with others</a> · <a href=\"/api/stats?{0}\">these figures as JSON</a> · <a href=\"/api/stats?{0}&amp;format=csv\">as CSV</a></p>",
        text(&query_string(&[("vendor", s.vendor.as_str())]))
    );
    out.push_str("<h2>Figures</h2><div class=\"figures\">");
    figure(
        &mut out,
        "incidents",
        "incidents",
        &f.incidents.to_string(),
        &format!("+{} maintenance", f.maintenances),
    );
    figure(
        &mut out,
        "outage_minutes",
        "outage minutes (raw)",
        &f.outage_minutes.to_string(),
        "",
    );
    figure(
        &mut out,
        "availability",
        "availability (raw)",
        &pct(f.availability),
        "",
    );
    figure(
        &mut out,
        "weighted_availability",
        "availability (severity-weighted)",
        &pct(f.weighted_availability),
        &format!("{} min", f.weighted_outage_minutes),
    );
    figure(
        &mut out,
        "mean_ttr_minutes",
        "mean time to resolve",
        &mins(f.mean_ttr_minutes),
        "",
    );
    figure(
        &mut out,
        "median_ttr_minutes",
        "median time to resolve",
        &mins(f.median_ttr_minutes),
        "",
    );
    figure(
        &mut out,
        "p90_ttr_minutes",
        "p90 time to resolve",
        &f.p90_ttr_minutes.map_or("–".into(), |m| format!("{m} min")),
        "",
    );
    out.push_str("</div>");
    if let Some(l) = &f.longest {
        let _ = write!(
            out,
            "<p>Longest outage: <a href=\"{}\">{}</a>, {} ({}).</p>",
            text(&event_href(&l.id)),
            text(&l.title),
            html::minutes(l.minutes),
            l.start.as_deref().map_or("undated".into(), html::stamp)
        );
    }
    out.push_str("<table class=\"bysev\"><thead><tr><th>severity</th><th class=\"num\">incidents</th></tr></thead><tbody>");
    for (sev, n) in &f.by_severity {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{n}</td></tr>",
            text(sev)
        );
    }
    out.push_str("</tbody></table>");
    let _ = write!(
        out,
        "<h3>Method</h3><p class=\"method\">{} The raw view is shown first; the severity-weighted view beside it.</p>",
        text(&f.method)
    );
    let months: Vec<String> = f.per_month.keys().cloned().collect();
    let counts: Vec<usize> = f.per_month.values().copied().collect();
    // The same intervals as the outage minutes above: chart and figure cannot disagree.
    let minutes: Vec<usize> = months
        .iter()
        .map(|m| {
            let v = f.outage_minutes_per_month.get(m).copied().unwrap_or(0);
            usize::try_from(v).unwrap_or(0)
        })
        .collect();
    out.push_str("<h2>Incidents per month</h2><div class=\"chart\">");
    out.push_str(&chart::svg_bars(
        "Incidents per month",
        &months,
        &[Series {
            name: &s.vendor,
            values: &counts,
        }],
    ));
    out.push_str("</div><h2>Outage minutes per month</h2><div class=\"chart\">");
    out.push_str(&chart::svg_bars(
        "Outage minutes per month (maintenance excluded, overlaps merged)",
        &months,
        &[Series {
            name: &s.vendor,
            values: &minutes,
        }],
    ));
    out.push_str("</div><h2>Outage days</h2><p class=\"small muted\">Each square is a UTC day, shaded by outage minutes: none, under 1 h, 1–4 h, 4–12 h, 12 h or more.</p>");
    let per_day = &f.outage_minutes_per_day;
    let years: Vec<i32> = {
        let mut ys: Vec<i32> = f
            .per_month
            .keys()
            .filter_map(|m| m.get(..4).and_then(|y| y.parse().ok()))
            .collect();
        ys.sort_unstable();
        ys.dedup();
        ys.into_iter().rev().take(3).collect()
    };
    for y in years {
        let _ = write!(out, "<h3>{y}</h3>");
        out.push_str(&charts::calendar_heatmap(y, per_day));
    }
    out.push_str("<h2>Latest incidents</h2><ol class=\"events\">");
    let mut latest: Vec<&Incident> = view.incidents.iter().collect();
    latest.sort_by_key(|i| std::cmp::Reverse(i.start));
    for i in latest.iter().take(10) {
        out.push_str(&event_item(&Event::from(*i), None));
    }
    out.push_str("</ol><h2>Sources</h2>");
    out.push_str(&sources_table(&view.sources, false));
    out
}
