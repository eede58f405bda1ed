//! A short guide to the JSON API with links to try each call.

use std::fmt::Write;

use axum::response::Html;

use crate::serve::html::{Nav, page, text};

pub async fn api_help() -> Html<String> {
    let rows = [
        (
            "/api/search?q=dns&limit=20",
            "ranked search with facets and snippets",
        ),
        ("/api/events/{id}", "one event with every version seen"),
        (
            "/api/timeline?vendor=GitHub&after=2021-01-01",
            "matching events, newest first",
        ),
        (
            "/api/stats?vendor=GitHub&since=2022-01-01",
            "reliability figures, as outages stats --json",
        ),
        (
            "/api/compare?vendor=GitHub&vendor=Slack",
            "figures side by side, aligned",
        ),
        ("/api/sources", "every source and its health"),
        ("/export.csv?q=…", "CSV download"),
        ("/feed.atom?q=…", "Atom feed to subscribe to a search"),
        ("/calendar.ics?q=…", "iCalendar of outage windows"),
    ];
    let mut out = String::from(
        "<h1>JSON API</h1><p class=\"lede\">Everything these pages show, as JSON. The contract is the <a href=\"/api/openapi.json\">OpenAPI 3.1 document</a>; times are RFC 3339 UTC and unknown values are null.</p><table><thead><tr><th>endpoint</th><th>what it returns</th></tr></thead><tbody>",
    );
    for (path, what) in rows {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td></tr>",
            text(path),
            text(what)
        );
    }
    out.push_str("</tbody></table>");
    Html(page("API", Nav::Api, &out))
}
