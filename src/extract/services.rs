//! Which products an outage hit, named as the vendor names them ("Outlook", "Teams", "EC2"),
//! and whose products they are: the table in `data/services.toml`, matched on word boundaries,
//! with the common plural and qualifier forms ("EC2 instances", "S3 buckets") folded to the
//! product. Reports capitalise names their own way ("JIRA", "Cloud MemoryStore", "Persistent
//! disk") and use plurals ("Google Cloud Load Balancers"): a spelling matches in any case as
//! long as the text's form has a capital letter (or the name is no English word, like "EC2"
//! or "BigQuery"), so "teams" and "pages" stay ordinary words.
//!
//! News copy names products loosely; a fixed vocabulary gives precise names and never turns a
//! capitalised ordinary word into a "service". Knowing the owner of each product lets a report
//! that names only "Google" and "BigQuery" be filed under Google Cloud.

use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;
use thiserror::Error;

/// The product table shipped with the binary; [`Catalog::builtin`] parses it once.
const BUILTIN_TOML: &str = include_str!("../../data/services.toml");

/// Why a product table cannot be used.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum CatalogError {
    #[error("the services file is not valid TOML for the expected shape: {0}")]
    Toml(String),
    #[error("vendor {vendor}: a product entry has no name")]
    EmptyProduct { vendor: String },
    #[error("vendor {vendor}: the spelling {spelling:?} cannot be matched: {reason}")]
    BadSpelling {
        vendor: String,
        spelling: String,
        reason: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServicesFile {
    vendor: Vec<VendorProducts>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VendorProducts {
    name: String,
    #[serde(default)]
    parent: Option<String>,
    products: Vec<Vec<String>>,
}

/// One product: the name its vendor writes, its owner, and every spelling as one pattern.
#[derive(Debug)]
struct Product {
    name: String,
    vendor: usize,
    spellings: Vec<String>,
    pattern: Regex,
}

impl Product {
    /// True when `found` (matched without regard to case, maybe with a plural "s") is this
    /// product as a text would write it: a spelling exactly, a form with a capital letter, or
    /// any form of a name that is no English word (a digit or an inner capital: "EC2",
    /// "BigQuery").
    fn spelled(&self, found: &str) -> bool {
        let singular = found.strip_suffix('s').unwrap_or(found);
        found.chars().any(char::is_uppercase)
            || self.spellings.iter().any(|s| {
                s == found
                    || s == singular
                    || (is_coined(s)
                        && (s.eq_ignore_ascii_case(found) || s.eq_ignore_ascii_case(singular)))
            })
    }
}

/// A name no dictionary holds: it has a digit or a capital after its first letter.
fn is_coined(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_digit()) || name.chars().skip(1).any(char::is_uppercase)
}

/// The product table: products, their vendors and the vendors' parent companies.
#[derive(Debug)]
pub struct Catalog {
    vendors: Vec<VendorProducts>,
    products: Vec<Product>,
}

static BUILTIN: LazyLock<Catalog> = LazyLock::new(|| match Catalog::from_toml(BUILTIN_TOML) {
    Ok(catalog) => catalog,
    Err(e) => panic!("the compiled-in data/services.toml is invalid: {e}"),
});

impl Catalog {
    /// The table of `data/services.toml`, parsed on first use and shared afterwards.
    ///
    /// # Panics
    /// If the compiled-in file is invalid, which the unit tests rule out before a release.
    pub fn builtin() -> &'static Catalog {
        &BUILTIN
    }

    /// Parses a services file; every product has a name and every spelling compiles.
    pub fn from_toml(text: &str) -> Result<Catalog, CatalogError> {
        let file: ServicesFile =
            toml::from_str(text).map_err(|e| CatalogError::Toml(e.to_string()))?;
        let mut products = Vec::new();
        for (index, vendor) in file.vendor.iter().enumerate() {
            for spellings in &vendor.products {
                let Some(name) = spellings.first().filter(|n| !n.trim().is_empty()) else {
                    return Err(CatalogError::EmptyProduct {
                        vendor: vendor.name.clone(),
                    });
                };
                // Longest spelling first, so "Amazon EC2" wins over "EC2" in one match.
                let mut sorted = spellings.clone();
                sorted.sort_by_key(|n| std::cmp::Reverse(n.len()));
                let alts: Vec<String> = sorted.iter().map(|n| regex::escape(n)).collect();
                let pattern = Regex::new(&format!("(?i:{})s?", alts.join("|"))).map_err(|e| {
                    CatalogError::BadSpelling {
                        vendor: vendor.name.clone(),
                        spelling: name.clone(),
                        reason: e.to_string(),
                    }
                })?;
                products.push(Product {
                    name: name.clone(),
                    vendor: index,
                    spellings: spellings.clone(),
                    pattern,
                });
            }
        }
        Ok(Catalog {
            vendors: file.vendor,
            products,
        })
    }

    /// The company a text may name in place of `vendor` ("Google" for Google Cloud).
    pub fn parent_of(&self, vendor: &str) -> Option<&str> {
        self.vendors
            .iter()
            .find(|v| v.name == vendor)
            .and_then(|v| v.parent.as_deref())
    }

    fn vendor_name(&self, product: &Product) -> &str {
        self.vendors
            .get(product.vendor)
            .map_or("", |v| v.name.as_str())
    }
}

/// Matches of `re` that stand as whole words: the character before is not alphanumeric (nor
/// one of `not_before`), the one after not alphanumeric (nor one of `not_after`). Checked in
/// code so that adjacent names ("Outlook Teams") both match.
pub(crate) fn word_matches(
    re: &Regex,
    text: &str,
    not_before: &[char],
    not_after: &[char],
) -> Vec<std::ops::Range<usize>> {
    re.find_iter(text)
        .filter(|m| {
            let before = text.get(..m.start()).and_then(|s| s.chars().next_back());
            let after = text.get(m.end()..).and_then(|s| s.chars().next());
            before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || not_before.contains(&c)))
                && after
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || not_after.contains(&c)))
        })
        .map(|m| m.range())
        .collect()
}

/// A product named in a text, with its vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceHit {
    pub service: &'static str,
    pub vendor: &'static str,
    pub start: usize,
}

/// Products named in `text`, in text order, each once (longest spelling wins where names
/// overlap: "Azure Front Door" over "Front Door").
pub fn find_services(text: &str) -> Vec<ServiceHit> {
    let catalog = Catalog::builtin();
    let mut hits: Vec<(std::ops::Range<usize>, &'static Product)> = Vec::new();
    for product in &catalog.products {
        for m in word_matches(&product.pattern, text, &['.'], &['/']) {
            if text
                .get(m.clone())
                .is_some_and(|found| product.spelled(found))
            {
                hits.push((m, product));
            }
        }
    }
    // Longest first, then drop overlaps.
    hits.sort_by_key(|(r, _)| (std::cmp::Reverse(r.end - r.start), r.start));
    let mut kept: Vec<(std::ops::Range<usize>, &'static Product)> = Vec::new();
    for (r, p) in hits {
        if kept.iter().any(|(k, _)| k.start < r.end && r.start < k.end) {
            continue;
        }
        kept.push((r, p));
    }
    kept.sort_by_key(|(r, _)| r.start);
    let mut out: Vec<ServiceHit> = Vec::new();
    for (r, p) in kept {
        if out.iter().any(|h| h.service == p.name) {
            continue;
        }
        out.push(ServiceHit {
            service: &p.name,
            vendor: catalog.vendor_name(p),
            start: r.start,
        });
    }
    out
}

/// True when `a` and `b` name the same product (spelling variants and case folded).
pub fn same_service(a: &str, b: &str) -> bool {
    let canon = |s: &str| -> String {
        let t = s.trim();
        Catalog::builtin()
            .products
            .iter()
            .find(|p| p.spellings.iter().any(|x| x.eq_ignore_ascii_case(t)))
            .map_or_else(|| t.to_lowercase(), |p| p.name.to_lowercase())
    };
    let (ca, cb) = (canon(a), canon(b));
    ca == cb || (ca.len() >= 3 && cb.len() >= 3 && (ca.contains(&cb) || cb.contains(&ca)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<&'static str> {
        find_services(text).into_iter().map(|h| h.service).collect()
    }

    #[test]
    fn products_as_the_vendor_names_them() {
        assert_eq!(
            names("Users of Outlook and Teams could not sign in."),
            vec!["Outlook", "Teams"]
        );
        assert_eq!(
            names("EC2 instances and EBS volumes in Sydney failed."),
            vec!["EC2", "EBS"]
        );
        assert_eq!(
            names("Azure Front Door and Front Door CDN"),
            vec!["Azure Front Door"]
        );
    }

    #[test]
    fn ordinary_words_are_not_products() {
        assert!(names("the pages and actions of teams").is_empty());
    }

    #[test]
    fn other_capitalisations_and_plurals_are_the_product() {
        assert_eq!(
            names(
                "JIRA, OpsGenie and Cloud MemoryStore were down; Google Cloud Load Balancers failed."
            ),
            vec![
                "Jira",
                "Opsgenie",
                "Cloud Memorystore",
                "Cloud Load Balancing"
            ]
        );
        assert_eq!(
            names("customers saw errors from bigquery and ec2"),
            vec!["BigQuery", "EC2"]
        );
        assert_eq!(
            names("Persistent disk latency rose"),
            vec!["Persistent Disk"]
        );
    }

    #[test]
    fn the_shipped_table_parses_and_names_known_vendors() {
        let catalog = Catalog::from_toml(BUILTIN_TOML).expect("data/services.toml is valid");
        let gazetteer = crate::extract::vendor::Gazetteer::builtin();
        for v in &catalog.vendors {
            assert_eq!(
                gazetteer.canonical(&v.name),
                Some(v.name.as_str()),
                "{}",
                v.name
            );
        }
    }

    #[test]
    fn products_know_their_vendor_and_its_parent() {
        let hits = find_services("Google BigQuery and Amazon EC2 saw errors.");
        let owners: Vec<(&str, &str)> = hits.iter().map(|h| (h.service, h.vendor)).collect();
        assert_eq!(owners, vec![("BigQuery", "Google Cloud"), ("EC2", "AWS")]);
        assert_eq!(Catalog::builtin().parent_of("Google Cloud"), Some("Google"));
        assert_eq!(Catalog::builtin().parent_of("Cloudflare"), None);
    }

    #[test]
    fn a_product_without_a_name_is_refused() {
        let err = Catalog::from_toml("[[vendor]]\nname = \"X\"\nproducts = [[]]\n");
        assert_eq!(
            err.map(|_| ()),
            Err(CatalogError::EmptyProduct { vendor: "X".into() })
        );
    }

    #[test]
    fn spelling_variants_are_the_same_product() {
        assert!(same_service("Office 365", "Microsoft 365"));
        assert!(same_service("ec2", "EC2"));
        assert!(!same_service("S3", "EC2"));
    }
}
