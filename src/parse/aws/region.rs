//! AWS region ids out of the two places the legacy dashboard puts them: the service key
//! (`ec2-ap-northeast-1`) and the display name in parentheses ("Amazon Elastic Compute Cloud
//! (Tokyo)"). A small private table until the cross-cloud vocabulary in `extract::region`
//! can take over; regions are stored as AWS region ids ("us-east-1").

use std::sync::LazyLock;

use regex::Regex;

/// The legacy dashboard's display names (and the console's spellings of the same regions).
/// "US-West"/"US-East" are the dashboard's names for the GovCloud regions.
const REGION_NAMES: &[(&str, &str)] = &[
    ("N. Virginia", "us-east-1"),
    ("Northern Virginia", "us-east-1"),
    ("US Standard", "us-east-1"),
    ("Ohio", "us-east-2"),
    ("N. California", "us-west-1"),
    ("Northern California", "us-west-1"),
    ("Oregon", "us-west-2"),
    ("US-West", "us-gov-west-1"),
    ("GovCloud (US-West)", "us-gov-west-1"),
    ("US-East", "us-gov-east-1"),
    ("GovCloud (US-East)", "us-gov-east-1"),
    ("Cape Town", "af-south-1"),
    ("Hong Kong", "ap-east-1"),
    ("Taipei", "ap-east-2"),
    ("Tokyo", "ap-northeast-1"),
    ("Seoul", "ap-northeast-2"),
    ("Osaka", "ap-northeast-3"),
    ("Mumbai", "ap-south-1"),
    ("Hyderabad", "ap-south-2"),
    ("Singapore", "ap-southeast-1"),
    ("Sydney", "ap-southeast-2"),
    ("Jakarta", "ap-southeast-3"),
    ("Melbourne", "ap-southeast-4"),
    ("Malaysia", "ap-southeast-5"),
    ("Thailand", "ap-southeast-7"),
    ("Canada", "ca-central-1"),
    ("Montreal", "ca-central-1"),
    ("Calgary", "ca-west-1"),
    ("Frankfurt", "eu-central-1"),
    ("Zurich", "eu-central-2"),
    ("Stockholm", "eu-north-1"),
    ("Milan", "eu-south-1"),
    ("Spain", "eu-south-2"),
    ("Ireland", "eu-west-1"),
    ("London", "eu-west-2"),
    ("Paris", "eu-west-3"),
    ("Tel Aviv", "il-central-1"),
    ("UAE", "me-central-1"),
    ("Bahrain", "me-south-1"),
    ("Mexico", "mx-central-1"),
    ("Sao Paulo", "sa-east-1"),
    ("São Paulo", "sa-east-1"),
    ("Beijing", "cn-north-1"),
    ("Ningxia", "cn-northwest-1"),
];

static REGION_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:us-gov|us-iso|us-isob|cn|us|eu|ap|sa|ca|me|af|il|mx)-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d{1,2}$",
    )
    .expect("static region pattern")
});

/// True for a string shaped like an AWS region id ("eu-west-1", "us-gov-west-1").
pub(super) fn is_region_id(s: &str) -> bool {
    REGION_ID.is_match(s)
}

/// Region id for a display name ("Tokyo", "N. Virginia"), or a region id given as is.
pub(super) fn region_by_name(name: &str) -> Option<String> {
    let name = name.trim();
    if is_region_id(&name.to_ascii_lowercase()) {
        return Some(name.to_ascii_lowercase());
    }
    REGION_NAMES
        .iter()
        .find(|(display, _)| display.eq_ignore_ascii_case(name))
        .map(|(_, id)| (*id).to_string())
}

/// A legacy service key split into its service part and region ("ec2-ap-northeast-1" ->
/// "ec2" + "ap-northeast-1"); global services ("cloudfront", "iam") have no region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ServiceKey {
    pub service: String,
    pub region: Option<String>,
}

impl ServiceKey {
    pub(super) fn parse(key: &str) -> ServiceKey {
        let key = key.trim();
        // S3's legacy key for N. Virginia predates region ids.
        if let Some(service) = key.strip_suffix("-us-standard") {
            return ServiceKey {
                service: service.to_string(),
                region: Some("us-east-1".to_string()),
            };
        }
        // Region ids have two or three dash-separated words; try the longest split first so
        // "ec2-us-gov-west-1" yields "us-gov-west-1", not "gov-west-1".
        let dashes: Vec<usize> = key.match_indices('-').map(|(i, _)| i).collect();
        for &i in &dashes {
            let (service, rest) = (&key[..i], &key[i + 1..]);
            if !service.is_empty() && is_region_id(rest) {
                return ServiceKey {
                    service: service.to_string(),
                    region: Some(rest.to_string()),
                };
            }
        }
        ServiceKey {
            service: key.to_string(),
            region: None,
        }
    }
}

/// "Amazon Elastic Compute Cloud (Tokyo)" -> ("Amazon Elastic Compute Cloud", Some("ap-northeast-1")).
/// A trailing parenthesis that is not a region ("Amazon DynamoDB Accelerator (DAX)") stays in
/// the name.
pub(super) fn split_service_name(name: &str) -> (String, Option<String>) {
    let name = name.trim();
    if let Some(open) = name.rfind('(')
        && let Some(inner) = name.get(open + 1..).and_then(|r| r.strip_suffix(')'))
        && let Some(region) = region_by_name(inner)
    {
        return (
            name.get(..open).unwrap_or_default().trim().to_string(),
            Some(region),
        );
    }
    (name.to_string(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_keys_split_at_the_region_id() {
        assert_eq!(
            ServiceKey::parse("ec2-ap-northeast-1"),
            ServiceKey {
                service: "ec2".into(),
                region: Some("ap-northeast-1".into())
            }
        );
        assert_eq!(
            ServiceKey::parse("internetconnectivity-us-gov-west-1"),
            ServiceKey {
                service: "internetconnectivity".into(),
                region: Some("us-gov-west-1".into())
            }
        );
        assert_eq!(
            ServiceKey::parse("s3-us-standard").region.as_deref(),
            Some("us-east-1")
        );
        assert_eq!(
            ServiceKey::parse("management-console"),
            ServiceKey {
                service: "management-console".into(),
                region: None
            }
        );
    }

    #[test]
    fn display_names_map_to_region_ids() {
        assert_eq!(region_by_name("Tokyo").as_deref(), Some("ap-northeast-1"));
        assert_eq!(region_by_name("n. virginia").as_deref(), Some("us-east-1"));
        assert_eq!(region_by_name("EU-WEST-1").as_deref(), Some("eu-west-1"));
        assert_eq!(region_by_name("Atlantis"), None);
    }

    #[test]
    fn region_suffix_is_split_from_service_names_only_when_known() {
        assert_eq!(
            split_service_name("Amazon Elastic Compute Cloud (Tokyo)"),
            (
                "Amazon Elastic Compute Cloud".to_string(),
                Some("ap-northeast-1".to_string())
            )
        );
        assert_eq!(
            split_service_name("Amazon DynamoDB Accelerator (DAX)"),
            ("Amazon DynamoDB Accelerator (DAX)".to_string(), None)
        );
    }
}
