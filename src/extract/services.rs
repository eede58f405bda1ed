//! Which products an outage hit, named as the vendor names them ("Outlook", "Teams", "EC2"):
//! a vocabulary of widely used cloud and SaaS products, matched on word boundaries, with the
//! common plural and qualifier forms ("EC2 instances", "S3 buckets") folded to the product.
//!
//! News copy names products loosely; a fixed vocabulary gives precise names and never turns a
//! capitalised ordinary word into a "service".

use std::sync::LazyLock;

use regex::Regex;

/// (product as the vendor names it, other spellings). Case-sensitive: product names are
/// proper nouns, and the lower-case forms are ordinary words ("pages", "actions").
const PRODUCTS: &[(&str, &[&str])] = &[
    // AWS
    ("EC2", &["Elastic Compute Cloud", "Amazon EC2"]),
    ("S3", &["Simple Storage Service", "Amazon S3"]),
    ("EBS", &["Elastic Block Store"]),
    ("Lambda", &["AWS Lambda"]),
    ("DynamoDB", &[]),
    ("RDS", &["Relational Database Service"]),
    ("CloudFront", &[]),
    ("Route 53", &["Route53"]),
    ("Kinesis", &[]),
    ("ECS", &[]),
    ("EKS", &[]),
    ("SQS", &[]),
    ("SNS", &[]),
    ("IAM", &[]),
    ("CloudWatch", &[]),
    ("ELB", &["Elastic Load Balancing", "Elastic Load Balancer"]),
    ("API Gateway", &[]),
    ("Fargate", &[]),
    ("Redshift", &[]),
    ("Alexa", &[]),
    ("Ring", &[]),
    ("Prime Video", &[]),
    // Microsoft
    ("Outlook", &["Outlook.com"]),
    ("Teams", &["Microsoft Teams", "MS Teams"]),
    ("Exchange Online", &[]),
    ("SharePoint", &["SharePoint Online"]),
    ("OneDrive", &[]),
    ("Microsoft 365", &["Office 365", "O365", "M365"]),
    ("Azure Active Directory", &["Azure AD", "Entra ID"]),
    ("Xbox Live", &[]),
    ("Skype", &[]),
    ("Hotmail", &[]),
    ("Bing", &[]),
    ("Copilot", &[]),
    ("Windows Update", &[]),
    ("Azure DevOps", &[]),
    ("Azure Front Door", &["Front Door"]),
    ("Azure Storage", &[]),
    ("Azure SQL Database", &["Azure SQL"]),
    ("Virtual Machines", &[]),
    // Google
    ("Gmail", &[]),
    ("YouTube", &[]),
    ("Google Drive", &[]),
    ("Google Docs", &[]),
    ("Google Search", &[]),
    ("Google Maps", &[]),
    ("Google Meet", &[]),
    ("Google Calendar", &[]),
    ("Google Home", &[]),
    ("Chromecast", &[]),
    ("Nest", &[]),
    ("Compute Engine", &["Google Compute Engine", "GCE"]),
    ("App Engine", &["Google App Engine"]),
    ("Cloud Storage", &["Google Cloud Storage", "GCS"]),
    ("BigQuery", &[]),
    ("Kubernetes Engine", &["GKE", "Google Kubernetes Engine"]),
    ("Cloud SQL", &[]),
    ("Cloud Pub/Sub", &["Pub/Sub"]),
    ("Cloud Run", &[]),
    ("Google Workspace", &["G Suite"]),
    // Meta
    ("Facebook", &[]),
    ("Instagram", &[]),
    ("WhatsApp", &["Whatsapp"]),
    ("Messenger", &[]),
    // GitHub
    ("GitHub Actions", &["Actions"]),
    ("GitHub Pages", &[]),
    ("GitHub Packages", &["Packages"]),
    ("Codespaces", &[]),
    ("Git operations", &[]),
    ("Webhooks", &[]),
    ("Pull Requests", &[]),
    // Cloudflare
    ("Workers", &["Cloudflare Workers"]),
    ("WARP", &[]),
    ("Zero Trust", &[]),
    ("1.1.1.1", &[]),
    ("R2", &[]),
    // Salesforce and others
    ("Sales Cloud", &[]),
    ("Service Cloud", &[]),
    ("Marketing Cloud", &[]),
    ("Pardot", &[]),
    ("Heroku", &[]),
    ("Tableau", &[]),
    ("iCloud", &[]),
    ("iMessage", &[]),
    ("App Store", &[]),
    ("Apple Music", &[]),
    ("Apple Pay", &[]),
    ("FaceTime", &[]),
    ("Siri", &[]),
    ("Jira", &[]),
    ("Confluence", &[]),
    ("Trello", &[]),
    ("Bitbucket", &[]),
    ("Opsgenie", &[]),
    ("ChatGPT", &[]),
    ("Zoom Meetings", &[]),
    ("Zoom Phone", &[]),
    ("Huddles", &[]),
    ("Starlink", &[]),
    ("Falcon", &["Falcon sensor"]),
    ("Integrated Cargo System", &["ICS"]),
    ("PlayStation Network", &["PSN"]),
    ("Fortnite", &[]),
    ("Quay.io", &["quay.io"]),
];

static PRODUCT_RES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    let mut out = Vec::new();
    for (product, aliases) in PRODUCTS {
        let mut names: Vec<&str> = aliases.to_vec();
        names.push(product);
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let alts: Vec<String> = names.iter().map(|n| regex::escape(n)).collect();
        if let Ok(re) = Regex::new(&format!("(?:{})", alts.join("|"))) {
            out.push((*product, re));
        }
    }
    out
});

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

/// A product named in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceHit {
    pub service: &'static str,
    pub start: usize,
}

/// Products named in `text`, in text order, each once (longest spelling wins where names
/// overlap: "Azure Front Door" over "Front Door").
pub fn find_services(text: &str) -> Vec<ServiceHit> {
    let mut hits: Vec<(std::ops::Range<usize>, &'static str)> = Vec::new();
    for (product, re) in PRODUCT_RES.iter() {
        for m in word_matches(re, text, &['.'], &['/']) {
            hits.push((m, product));
        }
    }
    // Longest first, then drop overlaps.
    hits.sort_by_key(|(r, _)| (std::cmp::Reverse(r.end - r.start), r.start));
    let mut kept: Vec<(std::ops::Range<usize>, &'static str)> = Vec::new();
    for (r, p) in hits {
        if kept.iter().any(|(k, _)| k.start < r.end && r.start < k.end) {
            continue;
        }
        kept.push((r, p));
    }
    kept.sort_by_key(|(r, _)| r.start);
    let mut out: Vec<ServiceHit> = Vec::new();
    for (r, p) in kept {
        if out.iter().any(|h| h.service == p) {
            continue;
        }
        out.push(ServiceHit {
            service: p,
            start: r.start,
        });
    }
    out
}

/// True when `a` and `b` name the same product (spelling variants and case folded).
pub fn same_service(a: &str, b: &str) -> bool {
    let canon = |s: &str| -> String {
        let t = s.trim();
        PRODUCTS
            .iter()
            .find(|(p, aliases)| {
                p.eq_ignore_ascii_case(t) || aliases.iter().any(|x| x.eq_ignore_ascii_case(t))
            })
            .map_or_else(|| t.to_lowercase(), |(p, _)| p.to_lowercase())
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
    fn spelling_variants_are_the_same_product() {
        assert!(same_service("Office 365", "Microsoft 365"));
        assert!(same_service("ec2", "EC2"));
        assert!(!same_service("S3", "EC2"));
    }
}
