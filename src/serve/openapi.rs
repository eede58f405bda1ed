//! The OpenAPI 3.1 document of the JSON API, served at `/api/openapi.json`. Its component
//! schemas are JSON Schema 2020-12 (as OpenAPI 3.1 has them), strict about required keys and
//! types, so the API tests can validate every endpoint's answer against them.

use serde_json::{Value, json};

/// The document, built once per request (it is small and static).
pub fn document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "outages API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Read-only JSON over the local outage store: search, events with their version history, timelines, reliability figures, comparisons and source health. Times are RFC 3339 in UTC; unknown values are null, never guessed."
        },
        "paths": {
            "/api/search": {"get": {
                "summary": "Full-text search in the query language, with facets",
                "parameters": filter_params(&[
                    param("limit", "integer", "Results returned (1-5000, default 20)"),
                    param("offset", "integer", "Matches skipped before the page (default 0)"),
                    json!({"name": "sort", "in": "query", "schema": {"enum": ["best", "relevance", "time"]},
                           "description": "best = relevance boosted by severity and recency (default)"})
                ]),
                "responses": ok_or_error("SearchResponse")
            }},
            "/api/events/{id}": {"get": {
                "summary": "One event with every version of it the crawler has seen",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {
                    "200": body("EventResponse"),
                    "404": body("Error")
                }
            }},
            "/api/timeline": {"get": {
                "summary": "Matching events, newest first",
                "parameters": filter_params(&[param("limit", "integer", "Events returned (1-5000, default 500)"), param("offset", "integer", "Matches skipped before the page (default 0)")]),
                "responses": ok_or_error("TimelineResponse")
            }},
            "/api/stats": {"get": {
                "summary": "Reliability figures of one vendor, as `outages stats --json`",
                "parameters": [
                    {"name": "vendor", "in": "query", "required": true, "schema": {"type": "string"}},
                    param("service", "string", "Only incidents affecting this service (substring)"),
                    param("region", "string", "Only incidents in this region (substring)"),
                    param("since", "string", "Period start, YYYY-MM-DD or RFC 3339"),
                    param("until", "string", "Period end, exclusive; a bare date includes that day")
                ],
                "responses": {"200": body("StatsResponse"), "400": body("Error"), "404": body("Error")}
            }},
            "/api/compare": {"get": {
                "summary": "Several vendors' figures over one aligned period, as `outages compare --json`",
                "parameters": [
                    {"name": "vendor", "in": "query", "required": true, "explode": true,
                     "schema": {"type": "array", "items": {"type": "string"}}},
                    param("since", "string", "Period start"),
                    param("until", "string", "Period end")
                ],
                "responses": {"200": body("CompareResponse"), "400": body("Error"), "404": body("Error")}
            }},
            "/api/sources": {"get": {
                "summary": "Every source with its health",
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema":
                    {"type": "array", "items": {"$ref": "#/components/schemas/Source"}}}}}}
            }},
            "/export.csv": {"get": {"summary": "Matching events as CSV (RFC 4180)", "parameters": filter_params(&[]),
                "responses": {"200": {"description": "CSV", "content": {"text/csv": {}}}}}},
            "/feed.atom": {"get": {"summary": "Matching events as an Atom feed", "parameters": filter_params(&[]),
                "responses": {"200": {"description": "Atom", "content": {"application/atom+xml": {}}}}}},
            "/calendar.ics": {"get": {"summary": "Matching events as iCalendar", "parameters": filter_params(&[]),
                "responses": {"200": {"description": "iCalendar", "content": {"text/calendar": {}}}}}}
        },
        "components": {"schemas": schemas()}
    })
}

fn param(name: &str, ty: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "schema": {"type": ty}, "description": description})
}

fn filter_params(extra: &[Value]) -> Value {
    let mut out = vec![
        param(
            "q",
            "string",
            "The query language: words, \"phrases\", AND/OR/NOT, vendor:, service:, region:, severity:, cause:, source:, after:, before:, during:",
        ),
        json!({"name": "vendor", "in": "query", "explode": true, "schema": {"type": "array", "items": {"type": "string"}}}),
        json!({"name": "severity", "in": "query", "explode": true, "schema": {"type": "array", "items": severity()}}),
        param("region", "string", "Region (substring)"),
        json!({"name": "source", "in": "query", "schema": {"enum": ["status", "press"]}}),
        param(
            "after",
            "string",
            "Start on or after (YYYY-MM-DD or RFC 3339; alias since)",
        ),
        param(
            "before",
            "string",
            "Start before; a bare date includes that day (alias until)",
        ),
    ];
    out.extend(extra.iter().cloned());
    Value::Array(out)
}

fn body(schema: &str) -> Value {
    json!({"description": schema, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

fn ok_or_error(schema: &str) -> Value {
    json!({"200": body(schema), "400": body("Error")})
}

fn severity() -> Value {
    json!({"enum": ["none", "minor", "major", "critical", "maintenance", "unknown"]})
}

fn time_or_null() -> Value {
    json!({"type": ["string", "null"], "format": "date-time"})
}

fn string_or_null() -> Value {
    json!({"type": ["string", "null"]})
}

fn strings() -> Value {
    json!({"type": "array", "items": {"type": "string"}})
}

fn counts() -> Value {
    json!({"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}})
}

/// A closed object: every listed property required, nothing else allowed.
fn object(properties: Value) -> Value {
    let required: Vec<String> = properties
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    json!({"type": "object", "required": required, "properties": properties, "additionalProperties": false})
}

fn schemas() -> Value {
    let figures_props = json!({
        "vendor": {"type": "string"},
        "service": string_or_null(),
        "region": string_or_null(),
        "since": time_or_null(),
        "until": time_or_null(),
        "incidents": {"type": "integer", "minimum": 0},
        "maintenances": {"type": "integer", "minimum": 0},
        "by_severity": counts(),
        "outage_minutes": {"type": "integer", "minimum": 0},
        "availability": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
        "weighted_outage_minutes": {"type": "number", "minimum": 0},
        "weighted_availability": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
        "mean_ttr_minutes": {"type": ["number", "null"]},
        "median_ttr_minutes": {"type": ["number", "null"]},
        "p90_ttr_minutes": {"type": ["integer", "null"]},
        "longest": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Longest"}]},
        "ttr_left_out": {"type": "integer", "minimum": 0, "description": "incidents without a real duration (no end, or an end equal to the start) left out of time to resolve"},
        "unresolved_stale": {"type": "integer", "minimum": 0, "description": "open incidents with no update for 72 hours, counted to their last update"},
        "per_month": counts(),
        "outage_minutes_per_month": counts(),
        "coverage": {"$ref": "#/components/schemas/Coverage"},
        "acknowledgement_lag": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/AckLag"}]},
        "method": {"type": "string", "minLength": 1}
    });
    json!({
        "Error": object(json!({"error": {"type": "string", "minLength": 1}})),
        "Event": object(json!({
            "id": {"type": "string", "minLength": 1},
            "vendor": {"type": "string", "minLength": 1},
            "title": {"type": "string"},
            "start": time_or_null(),
            "end": time_or_null(),
            "duration_minutes": {"type": ["integer", "null"], "minimum": 0},
            "status": {"enum": ["investigating", "identified", "monitoring", "resolved", "scheduled", "in_progress", "completed", "unknown"]},
            "severity": severity(),
            "regions": strings(),
            "services": strings(),
            "cause": string_or_null(),
            "updates": {"type": "array", "items": {"$ref": "#/components/schemas/Update"}},
            "sources": {"type": "array", "items": {"$ref": "#/components/schemas/EventSource"}},
            "severity_native": string_or_null(),
            "merged_from": {"type": "array", "items": {"$ref": "#/components/schemas/Member"}},
            "provenance": {"type": "object", "description": "per field: the value, the member it came from, and the values other sources gave"},
            "first_press_report": time_or_null(),
            "first_status_update": time_or_null(),
            "acknowledgement_lag_minutes": {"type": ["integer", "null"]},
            "status_page_mentioned": {"type": ["boolean", "null"]},
            "unresolved_last_update": {"oneOf": [{"type": "null"}, {"type": "string", "format": "date-time"}], "description": "set on an event still open with no update for 72 hours: its last update; it is drawn and counted only until then"}
        })),
        "EventSource": object(json!({
            "url": string_or_null(),
            "kind": {"enum": ["status", "press"]},
            "quote": string_or_null(),
            "incident_id": {"type": "string", "minLength": 1},
            "copies": {"type": "array", "items": object(json!({
                "incident_id": {"type": "string"},
                "url": string_or_null(),
                "title": {"type": "string"}
            }))}
        })),
        "Member": object(json!({
            "incident_id": {"type": "string", "minLength": 1},
            "kind": {"enum": ["status", "press"]},
            "role": {"type": "string"},
            "title": {"type": "string"},
            "url": string_or_null(),
            "matched_with": string_or_null(),
            "score": {"type": ["object", "null"]},
            "reason": {"type": "string", "minLength": 1},
            "missing_from_feeds": {"type": "array", "items": {"type": "object"}}
        })),
        "Update": object(json!({"at": time_or_null(), "status": {"type": "string"}, "text": {"type": "string"}})),
        "Facets": object(json!({"vendor": counts(), "year": counts(), "severity": counts()})),
        "SearchResponse": object(json!({
            "query": {"type": "string"},
            "total": {"type": "integer", "minimum": 0},
            "offset": {"type": "integer", "minimum": 0},
            "next": {"type": ["string", "null"], "description": "the next page, when there is one"},
            "corrected": {"type": "array", "items": object(json!({"asked": {"type": "string"}, "used": {"type": "string"}}))},
            "facets": {"$ref": "#/components/schemas/Facets"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/SearchHit"}}
        })),
        "SearchHit": object(json!({
            "event": {"$ref": "#/components/schemas/Event"},
            "score": {"type": "number"},
            "snippet": object(json!({
                "text": {"type": "string"},
                "highlights": {"type": "array", "items": object(json!({
                    "start": {"type": "integer", "minimum": 0},
                    "end": {"type": "integer", "minimum": 0}
                }))}
            }))
        })),
        "Version": object(json!({
            "seen_at": {"type": "string", "format": "date-time"},
            "title": {"type": "string"},
            "start": time_or_null(),
            "end": time_or_null(),
            "status": {"type": "string"},
            "severity": severity(),
            "services": strings(),
            "regions": strings(),
            "cause": string_or_null()
        })),
        "EventResponse": object(json!({
            "event": {"$ref": "#/components/schemas/Event"},
            "severity_native": string_or_null(),
            "versions": {"type": "array", "items": {"$ref": "#/components/schemas/Version"}}
        })),
        "TimelineResponse": object(json!({
            "since": time_or_null(),
            "until": time_or_null(),
            "total": {"type": "integer", "minimum": 0},
            "offset": {"type": "integer", "minimum": 0},
            "next": {"type": ["string", "null"], "description": "the next page, when there is one"},
            "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}
        })),
        "Longest": object(json!({
            "id": {"type": "string"},
            "title": {"type": "string"},
            "start": time_or_null(),
            "minutes": {"type": "integer", "minimum": 0}
        })),
        "AckLag": object(json!({
            "events": {"type": "integer", "minimum": 0},
            "median_minutes": {"type": "number"},
            "mean_minutes": {"type": "number"},
            "never_mentioned": {"type": "integer", "minimum": 0}
        })),
        "Coverage": object(json!({
            "first": {"type": ["string", "null"], "format": "date"},
            "last": {"type": ["string", "null"], "format": "date"},
            "minutes": {"type": "integer", "minimum": 0, "description": "covered minutes of the period: what availability is computed over"},
            "period_minutes": {"type": "integer", "minimum": 0},
            "share": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "no_data": {"type": "boolean", "description": "no source covered any time of the period: every figure is no data"},
            "spans": {"type": "array", "items": object(json!({
                "from": {"type": "string", "format": "date-time"},
                "to": {"type": "string", "format": "date-time"}
            }))}
        })),
        "StatsResponse": object(figures_props),
        "CompareResponse": object(json!({
            "since": time_or_null(),
            "until": time_or_null(),
            "aligned_since": time_or_null(),
            "aligned_until": time_or_null(),
            "common_minutes": {"type": "integer", "minimum": 0, "description": "minutes covered by every vendor with data: the figures are computed over them"},
            "period_minutes": {"type": "integer", "minimum": 0},
            "no_data": strings(),
            "vendors": {"type": "array", "items": {"$ref": "#/components/schemas/StatsResponse"}}
        })),
        "Source": object(json!({
            "url": {"type": "string"},
            "vendor": string_or_null(),
            "kind": string_or_null(),
            "health": {"enum": ["ok", "failing", "never"]},
            "last_checked_at": time_or_null(),
            "last_success_at": time_or_null(),
            "last_error": string_or_null(),
            "last_error_class": string_or_null(),
            "consecutive_failures": {"type": "integer", "minimum": 0},
            "next_attempt_at": time_or_null(),
            "oldest_item_at": time_or_null(),
            "newest_item_at": time_or_null()
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_referenced_schema_is_defined() {
        let doc = document();
        let text = doc.to_string();
        let schemas = &doc["components"]["schemas"];
        for piece in text.split("#/components/schemas/").skip(1) {
            let name: String = piece.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(
                schemas.get(&name).is_some(),
                "{name} is referenced but not defined"
            );
        }
        assert_eq!(doc["openapi"], "3.1.0");
    }

    #[test]
    fn closed_objects_require_every_property() {
        let doc = document();
        let event = &doc["components"]["schemas"]["Event"];
        assert_eq!(event["additionalProperties"], false);
        assert_eq!(event["required"].as_array().map(Vec::len), Some(21));
    }
}
