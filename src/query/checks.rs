//! Filters are checked before they are answered: a vendor, service or region the store has never
//! seen, or a period that ends before it starts, would otherwise read as "no matches" (or as a
//! 100% availability), which a user takes for a fact. Every interface asks through here.

use chrono::{DateTime, Utc};

use super::{QueryError, edit_distance, resolve_vendor};
use crate::store::{Store, TermField, VendorSummary};

/// How many close names an error suggests.
const SUGGESTIONS: usize = 3;

/// What was asked that the store cannot answer.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FilterError {
    #[error("unknown vendor {asked:?}{}", hint(closest))]
    UnknownVendor { asked: String, closest: Vec<String> },
    #[error("no stored incident{} names a {field} like {asked:?}{}", of_vendor(vendor.as_deref()), hint(closest))]
    UnknownTerm {
        field: &'static str,
        asked: String,
        vendor: Option<String>,
        closest: Vec<String>,
    },
    #[error("empty period: the start {since} is not before the end {until}")]
    EmptyPeriod { since: String, until: String },
    #[error("the page ends past match {MAX_PAGE_END}: narrow the query instead of paging that far")]
    PageTooDeep,
}

/// The deepest match a page may reach (offset plus limit): ranking keeps that many matches in
/// memory, so an absurd offset must not become an absurd allocation.
pub const MAX_PAGE_END: usize = 100_000;

/// Refuses a page that ends past [`MAX_PAGE_END`].
pub fn page(page: super::Page) -> Result<(), QueryError> {
    if page.offset.saturating_add(page.limit) > MAX_PAGE_END {
        return Err(FilterError::PageTooDeep.into());
    }
    Ok(())
}

fn hint(closest: &[String]) -> String {
    if closest.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", closest.join(", "))
    }
}

fn of_vendor(vendor: Option<&str>) -> String {
    vendor.map_or(String::new(), |v| format!(" of {v}"))
}

/// The stored vendor meant by `asked` (exact, alias, or a small typo), else an error naming
/// the closest known vendors.
pub fn vendor(asked: &str, known: &[VendorSummary]) -> Result<String, QueryError> {
    match resolve_vendor(asked, known) {
        Some(v) if known.iter().any(|k| k.name == v) => Ok(v),
        _ => Err(FilterError::UnknownVendor {
            asked: asked.to_string(),
            closest: closest(asked, known.iter().map(|k| k.name.as_str())),
        }
        .into()),
    }
}

/// Checks that some stored incident (of `vendor`, when given) names a service or region
/// containing `asked`, as the filter matches; else an error naming the closest ones.
pub fn term(
    store: &Store,
    field: TermField,
    asked: &str,
    vendor: Option<&str>,
) -> Result<(), QueryError> {
    let known = store.known_terms(field, vendor)?;
    let want = asked.trim().to_lowercase();
    if known.iter().any(|k| k.to_lowercase().contains(&want)) {
        return Ok(());
    }
    Err(FilterError::UnknownTerm {
        field: field.label(),
        asked: asked.to_string(),
        vendor: vendor.map(str::to_string),
        closest: closest(asked, known.iter().map(String::as_str)),
    }
    .into())
}

/// A period whose start is not before its end is an error, not an empty answer.
pub fn period(
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> Result<(), QueryError> {
    match (since, until) {
        (Some(a), Some(b)) if a >= b => Err(FilterError::EmptyPeriod {
            since: crate::model::rfc3339(a),
            until: crate::model::rfc3339(b),
        }
        .into()),
        _ => Ok(()),
    }
}

/// Up to [`SUGGESTIONS`] known names closest to `asked` (edit distance, then shorter), among
/// those within half the asked length, or containing it or contained in it.
fn closest<'a>(asked: &str, known: impl Iterator<Item = &'a str>) -> Vec<String> {
    let want = asked.trim().to_lowercase();
    let allowed = (want.chars().count() / 2).max(2);
    let mut scored: Vec<(usize, &str)> = known
        .map(|k| {
            let lower = k.to_lowercase();
            let d = if lower.contains(&want) || want.contains(&lower) {
                0
            } else {
                // Compare with the word of the name nearest to what was asked, so "Actionz"
                // is near "GitHub Actions" as well as near "Actions".
                lower
                    .split(|c: char| !c.is_alphanumeric() && c != '-')
                    .filter(|w| !w.is_empty())
                    .map(|w| edit_distance(&want, w))
                    .chain([edit_distance(&want, &lower)])
                    .min()
                    .unwrap_or(usize::MAX)
            };
            (d, k)
        })
        .filter(|(d, _)| *d <= allowed)
        .collect();
    scored.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.len().cmp(&b.1.len()))
            .then(a.1.cmp(b.1))
    });
    let mut out: Vec<String> = Vec::new();
    for (_, k) in scored {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(k)) {
            out.push(k.to_string());
        }
        if out.len() == SUGGESTIONS {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_names_are_the_near_typos_first() {
        let known = [
            "Actions",
            "API Requests",
            "Pages",
            "Git Operations",
            "Copilot",
        ];
        assert_eq!(
            closest("Actionz", known.into_iter()),
            vec!["Actions".to_string()]
        );
        assert_eq!(
            closest("pagez", known.into_iter()),
            vec!["Pages".to_string()]
        );
        assert!(closest("zzzzzzzzzz", known.into_iter()).is_empty());
    }

    #[test]
    fn a_reversed_or_empty_period_is_refused() {
        let t = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .expect("time")
                .with_timezone(&Utc)
        };
        assert!(
            period(
                Some(t("2024-02-01T00:00:00Z")),
                Some(t("2024-01-01T00:00:00Z"))
            )
            .is_err()
        );
        assert!(
            period(
                Some(t("2024-01-01T00:00:00Z")),
                Some(t("2024-01-01T00:00:00Z"))
            )
            .is_err()
        );
        assert!(
            period(
                Some(t("2024-01-01T00:00:00Z")),
                Some(t("2024-01-02T00:00:00Z"))
            )
            .is_ok()
        );
        assert!(period(None, Some(t("2024-01-02T00:00:00Z"))).is_ok());
    }
}
