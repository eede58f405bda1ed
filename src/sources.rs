//! The list of sources to crawl: `data/sources.toml`, one `[[source]]` table per URL.
//!
//! ```toml
//! [[source]]
//! vendor = "GitHub"                                  # canonical name; required for status sources
//! url = "https://www.githubstatus.com/history.atom"
//! kind = "statuspage-atom"                           # optional: detected from the response
//! role = "status"                                    # optional: "status" (default) or "press"
//! ```

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::model::{Format, ReportKind};

/// One URL to crawl.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Canonical vendor name; press feeds cover many vendors and may leave it out.
    #[serde(default)]
    pub vendor: Option<String>,
    pub url: String,
    /// Wire format; detected from the response when absent.
    #[serde(default)]
    pub kind: Option<Format>,
    #[serde(default = "default_role")]
    pub role: ReportKind,
    /// Lets this source point at a private or loopback address (tests, intranet status pages).
    #[serde(default)]
    pub allow_private: bool,
}

fn default_role() -> ReportKind {
    ReportKind::Status
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcesFile {
    #[serde(default)]
    source: Vec<Source>,
}

/// Why a sources file could not be used.
#[derive(Debug, Error)]
pub enum SourcesError {
    #[error("cannot read sources file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid sources file {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// Reads and validates a sources file: every URL is http(s), status sources name a vendor, and
/// no URL appears twice.
pub fn load(path: &Path) -> Result<Vec<Source>, SourcesError> {
    let text = std::fs::read_to_string(path).map_err(|source| SourcesError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text).map_err(|message| SourcesError::Invalid {
        path: path.to_path_buf(),
        message,
    })
}

/// Parses the TOML text of a sources file (see [`load`]).
pub fn parse(text: &str) -> Result<Vec<Source>, String> {
    let file: SourcesFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut seen = HashSet::new();
    for (n, s) in file.source.iter().enumerate() {
        let at = format!("source #{} ({})", n + 1, s.url);
        let parsed = url::Url::parse(&s.url).map_err(|e| format!("{at}: bad url: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!("{at}: only http and https URLs can be crawled"));
        }
        if s.role == ReportKind::Status && s.vendor.as_deref().is_none_or(|v| v.trim().is_empty()) {
            return Err(format!("{at}: a status source needs a vendor"));
        }
        if !seen.insert(s.url.as_str()) {
            return Err(format!("{at}: listed twice"));
        }
    }
    Ok(file.source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_minimal_source() {
        let got = parse(
            r#"
            [[source]]
            vendor = "GitHub"
            url = "https://www.githubstatus.com/history.atom"
            kind = "statuspage-atom"
            "#,
        )
        .expect("valid");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].kind, Some(Format::StatuspageAtom));
        assert_eq!(got[0].role, ReportKind::Status);
    }

    #[test]
    fn rejects_bad_entries_with_the_reason() {
        let no_vendor = parse("[[source]]\nurl = \"https://x.test/feed\"\n").expect_err("invalid");
        assert!(no_vendor.contains("needs a vendor"), "{no_vendor}");
        let scheme = parse("[[source]]\nvendor = \"X\"\nurl = \"file:///etc/passwd\"\n")
            .expect_err("invalid");
        assert!(scheme.contains("only http"), "{scheme}");
        let kind = parse("[[source]]\nvendor = \"X\"\nurl = \"https://x.test\"\nkind = \"nope\"\n")
            .expect_err("invalid");
        assert!(kind.contains("nope"), "{kind}");
        let twice = "[[source]]\nvendor = \"X\"\nurl = \"https://x.test\"\n";
        let err = parse(&format!("{twice}{twice}")).expect_err("invalid");
        assert!(err.contains("listed twice"), "{err}");
    }
}
