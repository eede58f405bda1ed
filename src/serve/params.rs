//! Query-string parameters, read by hand from the raw query so repeated keys (`vendor=A&vendor=B`
//! from a form's checkboxes) work and a malformed value gets a message naming the parameter.
//! The search filters of the pages and the API are one type, so every view filters alike.

use chrono::{DateTime, NaiveDate, Utc};

use super::ServeError;
use crate::model::{ReportKind, Severity};
use crate::search_syntax::{self, SearchRequest};

/// The decoded `key=value` pairs of a query string, in order.
#[derive(Debug, Default, Clone)]
pub struct Params {
    pairs: Vec<Param>,
}

#[derive(Debug, Clone)]
struct Param {
    key: String,
    value: String,
}

impl Params {
    pub fn parse(raw: Option<&str>) -> Params {
        let pairs = raw
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| Param {
                        key: k.into_owned(),
                        value: v.into_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Params { pairs }
    }

    /// The first non-blank value of `key`, trimmed.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .filter(|p| p.key == key)
            .map(|p| p.value.trim())
            .find(|v| !v.is_empty())
    }

    /// The page asked for: `offset` (default 0) and `limit` (default `default`, at most
    /// `max`); a limit of 0 is refused, as it would read as "no matches".
    pub fn page(&self, default: usize, max: usize) -> Result<crate::query::Page, ServeError> {
        let number = |key: &str| -> Result<Option<usize>, ServeError> {
            self.get(key)
                .map(|v| {
                    v.parse::<usize>()
                        .map_err(|_| bad(key, format!("{v:?} is not a whole number")))
                })
                .transpose()
        };
        let limit = match number("limit")? {
            None => default,
            Some(0) => return Err(bad("limit", "must be at least 1".into())),
            Some(n) => n.min(max),
        };
        Ok(crate::query::Page {
            offset: number("offset")?.unwrap_or(0),
            limit,
        })
    }

    /// The link to the page after `page`, as `path?` these parameters with the next offset;
    /// `None` when `page` reaches `total`.
    pub fn next_link(&self, path: &str, page: crate::query::Page, total: usize) -> Option<String> {
        let next = page.offset.checked_add(page.limit)?;
        (next < total).then(|| self.link_at(path, next))
    }

    /// The link to the page before `page`; `None` on the first page.
    pub fn previous_link(&self, path: &str, page: crate::query::Page) -> Option<String> {
        (page.offset > 0).then(|| self.link_at(path, page.offset.saturating_sub(page.limit)))
    }

    fn link_at(&self, path: &str, offset: usize) -> String {
        let mut pairs: Vec<(&str, String)> = self
            .pairs
            .iter()
            .filter(|p| p.key != "offset")
            .map(|p| (p.key.as_str(), p.value.clone()))
            .collect();
        if offset > 0 {
            pairs.push(("offset", offset.to_string()));
        }
        format!("{path}?{}", query_string(&pairs))
    }

    /// Every non-blank value of `key`, trimmed.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|p| p.key == key)
            .map(|p| p.value.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// A date (`YYYY-MM-DD`) or an RFC 3339 time; `end_of_day` turns a bare date into the start
    /// of the next day, so `until=2021-12-31` includes that day.
    pub fn time(&self, key: &str, end_of_day: bool) -> Result<Option<DateTime<Utc>>, ServeError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        parse_time(v, end_of_day).map(Some).ok_or_else(|| {
            bad(
                key,
                format!("{v:?} is not a date (YYYY-MM-DD) or RFC 3339 time"),
            )
        })
    }
}

pub fn bad(name: &str, message: String) -> ServeError {
    ServeError::BadParam {
        name: name.to_string(),
        message,
    }
}

fn parse_time(v: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()?;
    let day = if end_of_day { day.succ_opt()? } else { day };
    Some(day.and_hms_opt(0, 0, 0)?.and_utc())
}

/// The filters shared by search, timeline and exports: the query language in `q`, plus the
/// chips of the search form (each also expressible in the language).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub q: String,
    pub vendors: Vec<String>,
    pub severities: Vec<Severity>,
    pub region: Option<String>,
    pub source: Option<ReportKind>,
    pub after: Option<DateTime<Utc>>,
    pub before: Option<DateTime<Utc>>,
}

impl Filters {
    pub fn from_params(p: &Params) -> Result<Filters, ServeError> {
        let severities = p
            .all("severity")
            .iter()
            .map(|s| s.parse::<Severity>().map_err(|m| bad("severity", m)))
            .collect::<Result<Vec<_>, _>>()?;
        let source = match p.get("source") {
            None => None,
            Some(s) if s.eq_ignore_ascii_case("status") => Some(ReportKind::Status),
            Some(s) if s.eq_ignore_ascii_case("press") => Some(ReportKind::Press),
            Some(s) => return Err(bad("source", format!("{s:?} is neither status nor press"))),
        };
        Ok(Filters {
            q: p.get("q").unwrap_or_default().to_string(),
            vendors: p.all("vendor"),
            severities,
            region: p.get("region").map(str::to_string),
            source,
            after: p.time("after", false)?.or(p.time("since", false)?),
            before: p.time("before", true)?.or(p.time("until", true)?),
        })
    }

    /// The query language's request with the chips added on top.
    pub fn request(&self) -> Result<SearchRequest, ServeError> {
        let mut all = search_syntax::parse(&self.q)?;
        for req in all.branches_mut() {
            req.vendors.extend(self.vendors.iter().cloned());
            for s in &self.severities {
                if !req.severities.contains(s) {
                    req.severities.push(*s);
                }
            }
            req.regions.extend(self.region.iter().cloned());
            req.source = req.source.or(self.source);
            req.after = match (req.after, self.after) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            req.before = match (req.before, self.before) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Ok(all)
    }

    /// The filters as `key=value` pairs, to rebuild links (minus one chip, plus a facet).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if !self.q.is_empty() {
            out.push(("q", self.q.clone()));
        }
        out.extend(self.vendors.iter().map(|v| ("vendor", v.clone())));
        out.extend(
            self.severities
                .iter()
                .map(|s| ("severity", s.as_str().to_string())),
        );
        if let Some(r) = &self.region {
            out.push(("region", r.clone()));
        }
        if let Some(s) = self.source {
            out.push(("source", s.as_str().to_string()));
        }
        out.extend(self.after_day().map(|a| ("after", a)));
        out.extend(self.before_day().map(|b| ("before", b)));
        out
    }

    /// The first day included, as a date input shows it.
    pub fn after_day(&self) -> Option<String> {
        self.after.map(|a| a.format("%Y-%m-%d").to_string())
    }

    /// The last day included, as a date input shows it (`before` itself is exclusive).
    pub fn before_day(&self) -> Option<String> {
        self.before.map(|b| {
            (b - chrono::Duration::days(1))
                .format("%Y-%m-%d")
                .to_string()
        })
    }

    pub fn is_empty(&self) -> bool {
        self.pairs().is_empty()
    }
}

/// `a=1&b=2`, form-encoded.
pub fn query_string<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k.as_ref(), v.as_ref());
    }
    ser.finish()
}

/// One path segment, percent-encoded (event ids hold `:` and whatever the vendor's ids hold).
pub fn path_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_all_kept_and_blanks_dropped() {
        let p = Params::parse(Some("vendor=GitHub&vendor=Slack&vendor=&q=+dns+"));
        assert_eq!(p.all("vendor"), vec!["GitHub", "Slack"]);
        assert_eq!(p.get("q"), Some("dns"));
        assert_eq!(p.get("region"), None);
    }

    #[test]
    fn a_bare_until_date_includes_that_day() {
        let p = Params::parse(Some("since=2021-03-01&until=2021-03-31"));
        let f = Filters::from_params(&p).expect("valid");
        assert_eq!(
            f.after.map(crate::model::rfc3339).as_deref(),
            Some("2021-03-01T00:00:00Z")
        );
        assert_eq!(
            f.before.map(crate::model::rfc3339).as_deref(),
            Some("2021-04-01T00:00:00Z")
        );
        // The form shows the last day included again.
        assert!(f.pairs().contains(&("before", "2021-03-31".to_string())));
    }

    #[test]
    fn bad_values_name_the_parameter() {
        let p = Params::parse(Some("severity=apocalyptic"));
        let e = Filters::from_params(&p).expect_err("invalid");
        assert!(e.to_string().starts_with("bad parameter severity:"), "{e}");
        let p = Params::parse(Some("after=yesterday"));
        let e = Filters::from_params(&p).expect_err("invalid");
        assert!(e.to_string().contains("after"), "{e}");
    }

    #[test]
    fn chips_join_the_query_language() {
        let p = Params::parse(Some("q=dns+vendor%3Aslack&vendor=GitHub&severity=major"));
        let req = Filters::from_params(&p)
            .and_then(|f| f.request())
            .expect("valid");
        assert_eq!(req.text.trim(), "dns");
        assert_eq!(req.vendors, vec!["slack", "GitHub"]);
        assert_eq!(req.severities, vec![Severity::Major]);
    }

    #[test]
    fn ids_are_encoded_as_one_segment() {
        assert_eq!(path_segment("acme:a/b c?"), "acme%3Aa%2Fb%20c%3F");
    }
}
