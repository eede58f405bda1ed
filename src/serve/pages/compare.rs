//! Vendors side by side over one aligned period.

use std::fmt::Write;

use axum::extract::{RawQuery, State};
use axum::response::Html;
use chrono::{DateTime, Duration, Utc};

use super::fragments::{mins, pct};
use super::{PageResult, vendor_href};
use crate::chart::{self, Series};
use crate::serve::api;
use crate::serve::html::{self, Nav, page, text};
use crate::serve::params::Params;
use crate::serve::{Shared, blocking};
use crate::stats;
use crate::store::VendorSummary;

struct CompareView {
    all: Vec<VendorSummary>,
    picked: Vec<String>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    result: Option<api::CompareResponse>,
}

pub async fn compare(State(state): State<Shared>, RawQuery(raw): RawQuery) -> PageResult {
    let p = Params::parse(raw.as_deref());
    let picked = p.all("vendor");
    let since = p.time("since", false)?;
    let until = p.time("until", true)?;
    let view = blocking(&state, move |store, _| {
        let all = store.vendors()?;
        let result = if picked.is_empty() {
            None
        } else {
            Some(api::load_compare(store, &picked, since, until)?)
        };
        Ok(CompareView {
            all,
            picked,
            since,
            until,
            result,
        })
    })
    .await?;
    Ok(Html(page("Compare", Nav::Compare, &render_compare(&view))))
}

fn render_compare(view: &CompareView) -> String {
    let mut out = String::from(
        "<h1>Compare vendors</h1><p class=\"lede\">The same figures for several vendors over the same time: the part of the period that every chosen vendor's sources covered, so no vendor is charged for time nobody watched it. A vendor with no covered time in the period shows no data.</p>",
    );
    out.push_str("<form action=\"/compare\" method=\"get\"><fieldset><legend>Vendors</legend>");
    for v in &view.all {
        let checked = if view.picked.iter().any(|p| p.eq_ignore_ascii_case(&v.name)) {
            " checked"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<label><input type=\"checkbox\" name=\"vendor\" value=\"{0}\"{checked}> {0}</label>",
            text(&v.name)
        );
    }
    let _ = write!(
        out,
        "</fieldset><div class=\"filters\"><label>From<input type=\"date\" name=\"since\" value=\"{}\"></label><label>To<input type=\"date\" name=\"until\" value=\"{}\"></label><button type=\"submit\">Compare</button></div></form>",
        view.since
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        view.until
            .map(|t| (t - Duration::days(1)).format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    );
    let Some(cmp) = &view.result else {
        out.push_str("<p class=\"muted\">Choose two or more vendors.</p>");
        return out;
    };
    match (&cmp.aligned_since, &cmp.aligned_until) {
        (Some(a), Some(b)) => {
            let _ = write!(
                out,
                "<p data-common-minutes=\"{}\">Compared over the time every vendor with data covered: from <strong>{}</strong> to <strong>{}</strong>, {:.1}% of the period asked.</p>",
                cmp.common_minutes,
                html::stamp(a),
                html::stamp(b),
                if cmp.period_minutes > 0 {
                    cmp.common_minutes as f64 * 100.0 / cmp.period_minutes as f64
                } else {
                    0.0
                }
            );
        }
        _ => out.push_str(
            "<p data-common-minutes=\"0\">No time of the period is covered by every vendor with data.</p>",
        ),
    }
    if !cmp.no_data.is_empty() {
        let _ = write!(
            out,
            "<p class=\"no-data\">No data in the period for {}: no source covered any of it.</p>",
            text(&cmp.no_data.join(", "))
        );
    }
    let mut csv_query: Vec<(&str, &str)> = cmp
        .vendors
        .iter()
        .map(|v| ("vendor", v.vendor.as_str()))
        .collect();
    if let Some(s) = &cmp.since {
        csv_query.push(("since", s));
    }
    if let Some(u) = &cmp.until {
        csv_query.push(("until", u));
    }
    csv_query.push(("format", "csv"));
    let _ = write!(
        out,
        "<p class=\"small\"><a href=\"/api/compare?{}\">These figures as CSV</a></p>",
        text(&crate::serve::params::query_string(&csv_query))
    );
    out.push_str("<div class=\"scroll\"><table class=\"compare\"><thead><tr><th>vendor</th><th class=\"num\">incidents</th><th class=\"num\">maintenance</th><th class=\"num\">outage min</th><th class=\"num\">availability</th><th class=\"num\">weighted</th><th class=\"num\">mean TTR</th><th class=\"num\">median TTR</th><th class=\"num\">p90 TTR</th><th>covered</th></tr></thead><tbody>");
    for v in &cmp.vendors {
        let f = &v.figures;
        if f.coverage.no_data {
            let _ = write!(
                out,
                "<tr class=\"no-data\"><td><a href=\"{}\">{}</a></td><td colspan=\"9\">no data</td></tr>",
                text(&vendor_href(&v.vendor)),
                text(&v.vendor)
            );
            continue;
        }
        let _ = write!(
            out,
            "<tr><td><a href=\"{}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{} – {}</td></tr>",
            text(&vendor_href(&v.vendor)),
            text(&v.vendor),
            f.incidents,
            f.maintenances,
            f.outage_minutes,
            pct(f.availability),
            pct(f.weighted_availability),
            mins(f.mean_ttr_minutes),
            mins(f.median_ttr_minutes),
            f.p90_ttr_minutes.map_or("–".into(), |m| format!("{m} min")),
            text(f.coverage.first.as_deref().unwrap_or("–")),
            text(f.coverage.last.as_deref().unwrap_or("–"))
        );
    }
    out.push_str("</tbody></table></div>");
    let labels: Vec<String> = {
        let mut all: Vec<String> = cmp
            .vendors
            .iter()
            .flat_map(|v| v.figures.per_month.keys().cloned())
            .collect();
        all.sort();
        all.dedup();
        all
    };
    let counts: Vec<Vec<usize>> = cmp
        .vendors
        .iter()
        .map(|v| {
            labels
                .iter()
                .map(|l| v.figures.per_month.get(l).copied().unwrap_or(0))
                .collect()
        })
        .collect();
    // The same intervals as the outage minutes in the table.
    let minutes: Vec<Vec<usize>> = cmp
        .vendors
        .iter()
        .map(|v| {
            labels
                .iter()
                .map(|l| {
                    let m = v.figures.outage_minutes_per_month.get(l).copied();
                    usize::try_from(m.unwrap_or(0)).unwrap_or(0)
                })
                .collect()
        })
        .collect();
    let build = |title: &str, values: &[Vec<usize>]| {
        let s: Vec<Series> = cmp
            .vendors
            .iter()
            .zip(values)
            .map(|(v, vals)| Series {
                name: &v.vendor,
                values: vals,
            })
            .collect();
        chart::svg_bars(title, &labels, &s)
    };
    out.push_str("<h2>Incidents per month</h2><div class=\"chart\">");
    out.push_str(&build("Incidents per month", &counts));
    out.push_str("</div><h2>Outage minutes per month</h2><div class=\"chart\">");
    out.push_str(&build("Outage minutes per month", &minutes));
    let _ = write!(
        out,
        "</div><h3>Method</h3><p class=\"method\">{}</p>",
        text(stats::METHOD)
    );
    out
}
