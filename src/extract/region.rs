//! One region vocabulary across clouds, so a user can filter every vendor by a region or a
//! continent: the public regions of AWS, Google Cloud and Azure plus the generic geographic names
//! status posts and press reports use ("Europe", "APAC", "East Coast", countries).
//!
//! **The label stored in incidents** is [`Region::id`]: the provider's canonical id for a cloud
//! region (`"us-east-1"`, `"europe-west9"`, `"eastus"`, and GCP's multi-regions `"us"`, `"eu"`,
//! `"asia"`), and the canonical English name for a generic area (`"Europe"`, `"Asia Pacific"`,
//! `"United States"`), except the worldwide area whose label is `"global"` as GCP writes it.
//! Labels are case-sensitive: GCP's `"asia"` multi-region and the area `"Asia"` are different
//! entries (on the same continent).
//!
//! Names are ambiguous across clouds ("Tokyo" is both AWS `ap-northeast-1` and GCP
//! `asia-northeast1`; "Finland" is a country and GCP `europe-north1`), so [`lookup`] prefers generic
//! areas, then ids, and refuses a name that several clouds claim; parsers that know their cloud use
//! [`lookup_in`] and [`find_in_text_in`], which prefer that cloud's reading.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

/// Who defines a region: a cloud provider, or nobody (a geographic area).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    Aws,
    Gcp,
    Azure,
    Generic,
}

/// Continents as outage reports group them; the Middle East is its own group because clouds and
/// the press treat it so (AWS `me-*`, GCP `me-*`, Azure UAE/Qatar/Israel regions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Continent {
    NorthAmerica,
    SouthAmerica,
    Europe,
    Asia,
    Oceania,
    Africa,
    MiddleEast,
}

impl Continent {
    pub const ALL: [Continent; 7] = [
        Continent::NorthAmerica,
        Continent::SouthAmerica,
        Continent::Europe,
        Continent::Asia,
        Continent::Oceania,
        Continent::Africa,
        Continent::MiddleEast,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Continent::NorthAmerica => "north-america",
            Continent::SouthAmerica => "south-america",
            Continent::Europe => "europe",
            Continent::Asia => "asia",
            Continent::Oceania => "oceania",
            Continent::Africa => "africa",
            Continent::MiddleEast => "middle-east",
        }
    }
}

impl fmt::Display for Continent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Continent {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace([' ', '_'], "-");
        Continent::ALL
            .into_iter()
            .find(|c| c.as_str() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = Continent::ALL.iter().map(|c| c.as_str()).collect();
                format!(
                    "unknown continent {s:?} (expected one of {})",
                    names.join(", ")
                )
            })
    }
}

/// One entry of the vocabulary.
#[derive(Debug, PartialEq, Eq)]
pub struct Region {
    /// The stored label (see the module documentation).
    pub id: &'static str,
    /// Display name as the provider writes it ("US East (N. Virginia)", "South Carolina",
    /// "East US"), or the area's English name.
    pub name: &'static str,
    pub provider: Provider,
    /// ISO 3166-1 alpha-2 code; `None` for areas spanning several countries ("Europe", "EMEA").
    pub country: Option<&'static str>,
    /// `None` for areas spanning continents ("global", "EMEA", "Americas").
    pub continent: Option<Continent>,
    /// Other spellings that mean the same entry ("APAC", "Sao Paulo", "Multi-region: us").
    pub aliases: &'static [&'static str],
}

impl Region {
    /// The label incidents store for this region.
    pub fn label(&self) -> &'static str {
        self.id
    }

    /// The part of an AWS display name in parentheses ("N. Virginia" in "US East (N. Virginia)"),
    /// which is how people usually name AWS regions.
    fn parenthetical(&self) -> Option<&'static str> {
        let open = self.name.find('(')?;
        let inner = self.name.get(open + 1..)?.strip_suffix(')')?;
        (!inner.is_empty()).then_some(inner)
    }
}

/// A region named in prose or a title, with its byte span in the searched text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionMention {
    pub region: &'static Region,
    pub start: usize,
    pub end: usize,
}

impl RegionMention {
    pub fn label(&self) -> &'static str {
        self.region.id
    }
}

use Continent::{Africa, Asia, Europe, MiddleEast, NorthAmerica, Oceania, SouthAmerica};

const fn aws(id: &'static str, name: &'static str, cc: &'static str, c: Continent) -> Region {
    Region {
        id,
        name,
        provider: Provider::Aws,
        country: Some(cc),
        continent: Some(c),
        aliases: &[],
    }
}

const fn gcp(id: &'static str, name: &'static str, cc: &'static str, c: Continent) -> Region {
    Region {
        id,
        name,
        provider: Provider::Gcp,
        country: Some(cc),
        continent: Some(c),
        aliases: &[],
    }
}

const fn azure(id: &'static str, name: &'static str, cc: &'static str, c: Continent) -> Region {
    Region {
        id,
        name,
        provider: Provider::Azure,
        country: Some(cc),
        continent: Some(c),
        aliases: &[],
    }
}

const fn country(
    name: &'static str,
    cc: &'static str,
    c: Continent,
    aliases: &'static [&'static str],
) -> Region {
    Region {
        id: name,
        name,
        provider: Provider::Generic,
        country: Some(cc),
        continent: Some(c),
        aliases,
    }
}

const fn area(
    name: &'static str,
    c: Option<Continent>,
    aliases: &'static [&'static str],
) -> Region {
    Region {
        id: name,
        name,
        provider: Provider::Generic,
        country: None,
        continent: c,
        aliases,
    }
}

const fn with_aliases(mut r: Region, aliases: &'static [&'static str]) -> Region {
    r.aliases = aliases;
    r
}

/// Every region and area we know. Cloud tables follow the providers' public region lists.
pub static REGIONS: &[Region] = &[
    // ---- AWS ----
    // The press names AWS's oldest region by its state, as AWS's own summaries do.
    Region {
        aliases: &["Northern Virginia", "North Virginia"],
        ..aws("us-east-1", "US East (N. Virginia)", "US", NorthAmerica)
    },
    aws("us-east-2", "US East (Ohio)", "US", NorthAmerica),
    aws("us-west-1", "US West (N. California)", "US", NorthAmerica),
    aws("us-west-2", "US West (Oregon)", "US", NorthAmerica),
    aws(
        "us-gov-east-1",
        "AWS GovCloud (US-East)",
        "US",
        NorthAmerica,
    ),
    aws(
        "us-gov-west-1",
        "AWS GovCloud (US-West)",
        "US",
        NorthAmerica,
    ),
    aws("ca-central-1", "Canada (Central)", "CA", NorthAmerica),
    aws("ca-west-1", "Canada West (Calgary)", "CA", NorthAmerica),
    aws("mx-central-1", "Mexico (Central)", "MX", NorthAmerica),
    aws("sa-east-1", "South America (São Paulo)", "BR", SouthAmerica),
    aws("eu-central-1", "Europe (Frankfurt)", "DE", Europe),
    aws("eu-central-2", "Europe (Zurich)", "CH", Europe),
    aws("eu-west-1", "Europe (Ireland)", "IE", Europe),
    aws("eu-west-2", "Europe (London)", "GB", Europe),
    aws("eu-west-3", "Europe (Paris)", "FR", Europe),
    aws("eu-south-1", "Europe (Milan)", "IT", Europe),
    aws("eu-south-2", "Europe (Spain)", "ES", Europe),
    aws("eu-north-1", "Europe (Stockholm)", "SE", Europe),
    aws("af-south-1", "Africa (Cape Town)", "ZA", Africa),
    aws("me-south-1", "Middle East (Bahrain)", "BH", MiddleEast),
    aws("me-central-1", "Middle East (UAE)", "AE", MiddleEast),
    aws("il-central-1", "Israel (Tel Aviv)", "IL", MiddleEast),
    aws("ap-east-1", "Asia Pacific (Hong Kong)", "HK", Asia),
    aws("ap-east-2", "Asia Pacific (Taipei)", "TW", Asia),
    aws("ap-south-1", "Asia Pacific (Mumbai)", "IN", Asia),
    aws("ap-south-2", "Asia Pacific (Hyderabad)", "IN", Asia),
    aws("ap-northeast-1", "Asia Pacific (Tokyo)", "JP", Asia),
    aws("ap-northeast-2", "Asia Pacific (Seoul)", "KR", Asia),
    aws("ap-northeast-3", "Asia Pacific (Osaka)", "JP", Asia),
    aws("ap-southeast-1", "Asia Pacific (Singapore)", "SG", Asia),
    aws("ap-southeast-2", "Asia Pacific (Sydney)", "AU", Oceania),
    aws("ap-southeast-3", "Asia Pacific (Jakarta)", "ID", Asia),
    aws("ap-southeast-4", "Asia Pacific (Melbourne)", "AU", Oceania),
    aws("ap-southeast-5", "Asia Pacific (Malaysia)", "MY", Asia),
    aws(
        "ap-southeast-6",
        "Asia Pacific (New Zealand)",
        "NZ",
        Oceania,
    ),
    aws("ap-southeast-7", "Asia Pacific (Thailand)", "TH", Asia),
    aws("cn-north-1", "China (Beijing)", "CN", Asia),
    aws("cn-northwest-1", "China (Ningxia)", "CN", Asia),
    // ---- Google Cloud ----
    gcp("us-central1", "Iowa", "US", NorthAmerica),
    gcp("us-east1", "South Carolina", "US", NorthAmerica),
    gcp("us-east4", "Northern Virginia", "US", NorthAmerica),
    gcp("us-east5", "Columbus", "US", NorthAmerica),
    gcp("us-south1", "Dallas", "US", NorthAmerica),
    gcp("us-west1", "Oregon", "US", NorthAmerica),
    gcp("us-west2", "Los Angeles", "US", NorthAmerica),
    gcp("us-west3", "Salt Lake City", "US", NorthAmerica),
    gcp("us-west4", "Las Vegas", "US", NorthAmerica),
    with_aliases(
        gcp("northamerica-northeast1", "Montréal", "CA", NorthAmerica),
        &["Montreal"],
    ),
    gcp("northamerica-northeast2", "Toronto", "CA", NorthAmerica),
    with_aliases(
        gcp("northamerica-south1", "Querétaro", "MX", NorthAmerica),
        &["Queretaro"],
    ),
    with_aliases(
        gcp("southamerica-east1", "São Paulo", "BR", SouthAmerica),
        &["Sao Paulo"],
    ),
    gcp("southamerica-west1", "Santiago", "CL", SouthAmerica),
    gcp("europe-central2", "Warsaw", "PL", Europe),
    gcp("europe-north1", "Finland", "FI", Europe),
    gcp("europe-north2", "Stockholm", "SE", Europe),
    gcp("europe-southwest1", "Madrid", "ES", Europe),
    gcp("europe-west1", "Belgium", "BE", Europe),
    gcp("europe-west2", "London", "GB", Europe),
    gcp("europe-west3", "Frankfurt", "DE", Europe),
    gcp("europe-west4", "Netherlands", "NL", Europe),
    gcp("europe-west6", "Zurich", "CH", Europe),
    gcp("europe-west8", "Milan", "IT", Europe),
    gcp("europe-west9", "Paris", "FR", Europe),
    gcp("europe-west10", "Berlin", "DE", Europe),
    gcp("europe-west12", "Turin", "IT", Europe),
    gcp("me-central1", "Doha", "QA", MiddleEast),
    gcp("me-central2", "Dammam", "SA", MiddleEast),
    gcp("me-west1", "Tel Aviv", "IL", MiddleEast),
    gcp("africa-south1", "Johannesburg", "ZA", Africa),
    gcp("asia-east1", "Taiwan", "TW", Asia),
    gcp("asia-east2", "Hong Kong", "HK", Asia),
    gcp("asia-northeast1", "Tokyo", "JP", Asia),
    gcp("asia-northeast2", "Osaka", "JP", Asia),
    gcp("asia-northeast3", "Seoul", "KR", Asia),
    gcp("asia-south1", "Mumbai", "IN", Asia),
    gcp("asia-south2", "Delhi", "IN", Asia),
    gcp("asia-southeast1", "Singapore", "SG", Asia),
    gcp("asia-southeast2", "Jakarta", "ID", Asia),
    gcp("asia-southeast3", "Bangkok", "TH", Asia),
    gcp("australia-southeast1", "Sydney", "AU", Oceania),
    gcp("australia-southeast2", "Melbourne", "AU", Oceania),
    // GCP multi-regions: ids as GCP writes them in `affected_locations`.
    Region {
        id: "us",
        name: "US multi-region",
        provider: Provider::Gcp,
        country: Some("US"),
        continent: Some(NorthAmerica),
        aliases: &[
            "Multi-region: us",
            "Multi-region/US",
            "US Multiregion",
            "US multi region",
            "US multi-region",
            "US Multi-Regions",
            "us multiregion",
            "us-multiregion",
        ],
    },
    Region {
        id: "eu",
        name: "EU multi-region",
        provider: Provider::Gcp,
        country: None,
        continent: Some(Europe),
        aliases: &[
            "Multi-region: eu",
            "Multi-region/EU",
            "EU Multiregion",
            "EU multi region",
            "EU multi-region",
            "EU Multi-Regions",
            "eu multiregion",
            "eu-multiregion",
        ],
    },
    Region {
        id: "asia",
        name: "Asia multi-region",
        provider: Provider::Gcp,
        country: None,
        continent: Some(Asia),
        aliases: &[
            "Multi-region: asia",
            "Asia Multiregion",
            "Asia multi region",
        ],
    },
    // ---- Azure ----
    azure("eastus", "East US", "US", NorthAmerica),
    azure("eastus2", "East US 2", "US", NorthAmerica),
    azure("centralus", "Central US", "US", NorthAmerica),
    azure("northcentralus", "North Central US", "US", NorthAmerica),
    azure("southcentralus", "South Central US", "US", NorthAmerica),
    azure("westcentralus", "West Central US", "US", NorthAmerica),
    azure("westus", "West US", "US", NorthAmerica),
    azure("westus2", "West US 2", "US", NorthAmerica),
    azure("westus3", "West US 3", "US", NorthAmerica),
    azure("usgovvirginia", "US Gov Virginia", "US", NorthAmerica),
    azure("usgovtexas", "US Gov Texas", "US", NorthAmerica),
    azure("usgovarizona", "US Gov Arizona", "US", NorthAmerica),
    azure("usdodeast", "US DoD East", "US", NorthAmerica),
    azure("usdodcentral", "US DoD Central", "US", NorthAmerica),
    azure("canadacentral", "Canada Central", "CA", NorthAmerica),
    azure("canadaeast", "Canada East", "CA", NorthAmerica),
    azure("mexicocentral", "Mexico Central", "MX", NorthAmerica),
    azure("brazilsouth", "Brazil South", "BR", SouthAmerica),
    azure("brazilsoutheast", "Brazil Southeast", "BR", SouthAmerica),
    azure("chilecentral", "Chile Central", "CL", SouthAmerica),
    azure("northeurope", "North Europe", "IE", Europe),
    azure("westeurope", "West Europe", "NL", Europe),
    azure("uksouth", "UK South", "GB", Europe),
    azure("ukwest", "UK West", "GB", Europe),
    azure("francecentral", "France Central", "FR", Europe),
    azure("francesouth", "France South", "FR", Europe),
    azure("germanywestcentral", "Germany West Central", "DE", Europe),
    azure("germanynorth", "Germany North", "DE", Europe),
    azure("switzerlandnorth", "Switzerland North", "CH", Europe),
    azure("switzerlandwest", "Switzerland West", "CH", Europe),
    azure("norwayeast", "Norway East", "NO", Europe),
    azure("norwaywest", "Norway West", "NO", Europe),
    azure("swedencentral", "Sweden Central", "SE", Europe),
    azure("swedensouth", "Sweden South", "SE", Europe),
    azure("polandcentral", "Poland Central", "PL", Europe),
    azure("italynorth", "Italy North", "IT", Europe),
    azure("spaincentral", "Spain Central", "ES", Europe),
    azure("austriaeast", "Austria East", "AT", Europe),
    azure("belgiumcentral", "Belgium Central", "BE", Europe),
    azure("denmarkeast", "Denmark East", "DK", Europe),
    azure("uaenorth", "UAE North", "AE", MiddleEast),
    azure("uaecentral", "UAE Central", "AE", MiddleEast),
    azure("qatarcentral", "Qatar Central", "QA", MiddleEast),
    azure("israelcentral", "Israel Central", "IL", MiddleEast),
    azure("southafricanorth", "South Africa North", "ZA", Africa),
    azure("southafricawest", "South Africa West", "ZA", Africa),
    azure("eastasia", "East Asia", "HK", Asia),
    azure("southeastasia", "Southeast Asia", "SG", Asia),
    azure("japaneast", "Japan East", "JP", Asia),
    azure("japanwest", "Japan West", "JP", Asia),
    azure("koreacentral", "Korea Central", "KR", Asia),
    azure("koreasouth", "Korea South", "KR", Asia),
    azure("centralindia", "Central India", "IN", Asia),
    azure("southindia", "South India", "IN", Asia),
    azure("westindia", "West India", "IN", Asia),
    azure("jioindiacentral", "Jio India Central", "IN", Asia),
    azure("jioindiawest", "Jio India West", "IN", Asia),
    azure("indonesiacentral", "Indonesia Central", "ID", Asia),
    azure("malaysiawest", "Malaysia West", "MY", Asia),
    azure("chinanorth", "China North", "CN", Asia),
    azure("chinanorth2", "China North 2", "CN", Asia),
    azure("chinanorth3", "China North 3", "CN", Asia),
    azure("chinaeast", "China East", "CN", Asia),
    azure("chinaeast2", "China East 2", "CN", Asia),
    azure("chinaeast3", "China East 3", "CN", Asia),
    azure("australiaeast", "Australia East", "AU", Oceania),
    azure("australiasoutheast", "Australia Southeast", "AU", Oceania),
    azure("australiacentral", "Australia Central", "AU", Oceania),
    azure("australiacentral2", "Australia Central 2", "AU", Oceania),
    azure("newzealandnorth", "New Zealand North", "NZ", Oceania),
    // ---- Generic areas ----
    Region {
        id: "global",
        name: "Global",
        provider: Provider::Generic,
        country: None,
        continent: None,
        aliases: &["Worldwide", "Global Locale"],
    },
    area("North America", Some(NorthAmerica), &[]),
    area("South America", Some(SouthAmerica), &[]),
    area("Latin America", None, &["LATAM", "LatAm"]),
    area("Americas", None, &["The Americas"]),
    area("Europe", Some(Europe), &["EU", "European Union"]),
    area("Western Europe", Some(Europe), &[]),
    area("Northern Europe", Some(Europe), &[]),
    area("Eastern Europe", Some(Europe), &[]),
    area("Central Europe", Some(Europe), &[]),
    area("EMEA", None, &["Europe, Middle East and Africa"]),
    area("Middle East", Some(MiddleEast), &["Mideast"]),
    area("Africa", Some(Africa), &[]),
    area("Asia", Some(Asia), &[]),
    area(
        "Asia Pacific",
        Some(Asia),
        &["APAC", "Asia-Pacific", "AsiaPac", "APJ"],
    ),
    area("East Asia", Some(Asia), &[]),
    area(
        "Southeast Asia",
        Some(Asia),
        &["South East Asia", "South-East Asia"],
    ),
    area("South Asia", Some(Asia), &[]),
    area("Oceania", Some(Oceania), &["Australasia"]),
    country(
        "United States",
        "US",
        NorthAmerica,
        &["US", "USA", "U.S.", "U.S.A.", "United States of America"],
    ),
    country("US East Coast", "US", NorthAmerica, &["East Coast"]),
    country("US West Coast", "US", NorthAmerica, &["West Coast"]),
    country("Canada", "CA", NorthAmerica, &["Canadian"]),
    country("Mexico", "MX", NorthAmerica, &[]),
    country("Brazil", "BR", SouthAmerica, &[]),
    country("Argentina", "AR", SouthAmerica, &[]),
    country("Chile", "CL", SouthAmerica, &[]),
    country("Colombia", "CO", SouthAmerica, &[]),
    country("Peru", "PE", SouthAmerica, &[]),
    country("Uruguay", "UY", SouthAmerica, &[]),
    country(
        "United Kingdom",
        "GB",
        Europe,
        &["UK", "U.K.", "Britain", "Great Britain", "British"],
    ),
    country("Ireland", "IE", Europe, &[]),
    country("France", "FR", Europe, &["French"]),
    country("Germany", "DE", Europe, &["German"]),
    country("Netherlands", "NL", Europe, &["The Netherlands", "Holland"]),
    country("Belgium", "BE", Europe, &[]),
    country("Luxembourg", "LU", Europe, &[]),
    country("Switzerland", "CH", Europe, &[]),
    country("Austria", "AT", Europe, &[]),
    country("Italy", "IT", Europe, &[]),
    country("Spain", "ES", Europe, &[]),
    country("Portugal", "PT", Europe, &[]),
    country("Sweden", "SE", Europe, &[]),
    country("Norway", "NO", Europe, &[]),
    country("Finland", "FI", Europe, &[]),
    country("Denmark", "DK", Europe, &[]),
    country("Iceland", "IS", Europe, &[]),
    country("Poland", "PL", Europe, &[]),
    country("Czech Republic", "CZ", Europe, &["Czechia"]),
    country("Hungary", "HU", Europe, &[]),
    country("Romania", "RO", Europe, &[]),
    country("Greece", "GR", Europe, &[]),
    country("Ukraine", "UA", Europe, &[]),
    country("Russia", "RU", Europe, &[]),
    country("Turkey", "TR", MiddleEast, &["Türkiye"]),
    country("Israel", "IL", MiddleEast, &[]),
    country("United Arab Emirates", "AE", MiddleEast, &["UAE", "U.A.E."]),
    country("Saudi Arabia", "SA", MiddleEast, &[]),
    country("Qatar", "QA", MiddleEast, &[]),
    country("Bahrain", "BH", MiddleEast, &[]),
    country("Kuwait", "KW", MiddleEast, &[]),
    country("Oman", "OM", MiddleEast, &[]),
    country("Iran", "IR", MiddleEast, &[]),
    country("Iraq", "IQ", MiddleEast, &[]),
    country("Egypt", "EG", Africa, &[]),
    country("South Africa", "ZA", Africa, &[]),
    country("Nigeria", "NG", Africa, &[]),
    country("Kenya", "KE", Africa, &[]),
    country("Morocco", "MA", Africa, &[]),
    country("India", "IN", Asia, &[]),
    country("Pakistan", "PK", Asia, &[]),
    country("Bangladesh", "BD", Asia, &[]),
    country("Sri Lanka", "LK", Asia, &[]),
    country("China", "CN", Asia, &["Mainland China"]),
    country("Hong Kong", "HK", Asia, &[]),
    country("Taiwan", "TW", Asia, &[]),
    country("Japan", "JP", Asia, &["Japanese"]),
    country("South Korea", "KR", Asia, &["Korea", "Republic of Korea"]),
    country("Singapore", "SG", Asia, &[]),
    country("Malaysia", "MY", Asia, &[]),
    country("Indonesia", "ID", Asia, &[]),
    country("Thailand", "TH", Asia, &[]),
    country("Vietnam", "VN", Asia, &["Viet Nam"]),
    country("Philippines", "PH", Asia, &["The Philippines"]),
    country("Australia", "AU", Oceania, &["Australian", "Aussie"]),
    country("New Zealand", "NZ", Oceania, &[]),
];

/// How a surface form relates to its region; decides precedence between competing readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Form {
    /// A cloud region id ("us-east-1"); matched case-insensitively.
    Id,
    /// A display name or alias as written ("East US", "Asia Pacific").
    Name,
    /// The parenthesised part of an AWS display name ("N. Virginia").
    Parenthetical,
}

struct Surface {
    text: String,
    region: &'static Region,
    form: Form,
}

struct Index {
    /// Normalised generic names and aliases.
    generic: HashMap<String, &'static Region>,
    /// Lowercased cloud ids.
    ids: HashMap<String, &'static Region>,
    /// Normalised cloud names, aliases and parentheticals; several regions may share one.
    names: HashMap<String, Vec<&'static Region>>,
    /// Every surface form, for searching prose.
    surfaces: Vec<Surface>,
}

static INDEX: LazyLock<Index> = LazyLock::new(build_index);

fn build_index() -> Index {
    let mut index = Index {
        generic: HashMap::new(),
        ids: HashMap::new(),
        names: HashMap::new(),
        surfaces: Vec::new(),
    };
    for region in REGIONS {
        let mut named: Vec<(&'static str, Form)> = vec![(region.name, Form::Name)];
        named.extend(region.aliases.iter().map(|a| (*a, Form::Name)));
        if let Some(p) = region.parenthetical() {
            named.push((p, Form::Parenthetical));
        }
        if region.provider == Provider::Generic {
            index.generic.insert(normalise(region.id), region);
            for (text, _) in &named {
                index.generic.insert(normalise(text), region);
            }
        } else {
            index.ids.insert(region.id.to_ascii_lowercase(), region);
            index.surfaces.push(Surface {
                text: region.id.to_ascii_lowercase(),
                region,
                form: Form::Id,
            });
            for (text, _) in &named {
                let entry = index.names.entry(normalise(text)).or_default();
                if !entry.iter().any(|r| std::ptr::eq(*r, region)) {
                    entry.push(region);
                }
            }
        }
        for (text, form) in named {
            index.surfaces.push(Surface {
                text: text.to_string(),
                region,
                form,
            });
        }
    }
    index
}

/// Lowercase, dots dropped, common Latin diacritics folded, whitespace collapsed, so "N. Virginia",
/// "n virginia" and "São Paulo"/"Sao Paulo" meet.
fn normalise(s: &str) -> String {
    let folded: String = s
        .chars()
        .filter(|c| *c != '.')
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' | 'Á' | 'Ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            '’' => '\'',
            '_' => ' ',
            other => other,
        })
        .collect();
    folded
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':'))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A cloud id with an availability-zone suffix ("us-central1-b", "us-east-1a") stands for its
/// region.
fn strip_zone(id: &str) -> Option<&str> {
    let bytes = id.as_bytes();
    let last = *bytes.last()?;
    if !last.is_ascii_lowercase() || bytes.len() < 3 {
        return None;
    }
    let before = bytes[bytes.len() - 2];
    if before == b'-' {
        id.get(..id.len() - 2)
    } else if before.is_ascii_digit() {
        id.get(..id.len() - 1)
    } else {
        None
    }
}

/// Finds a region or area by id, name or alias, case-insensitively.
///
/// Precedence: generic areas ("US" is the United States, not GCP's `us` multi-region), then
/// cloud ids (zone suffixes allowed), then cloud display names, aliases and AWS parentheticals. A
/// name several clouds claim ("Tokyo", "Oregon") is ambiguous and gives `None`; use [`lookup_in`]
/// when the cloud is known. "us-east-1 (N. Virginia)" and "Iowa (us-central1)" resolve through
/// their id.
pub fn lookup(s: &str) -> Option<&'static Region> {
    lookup_scoped(s, None)
}

/// [`lookup`] restricted to one provider's entries (`Provider::Generic` for geographic areas).
pub fn lookup_in(provider: Provider, s: &str) -> Option<&'static Region> {
    lookup_scoped(s, Some(provider))
}

fn lookup_scoped(s: &str, scope: Option<Provider>) -> Option<&'static Region> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    // "label (detail)": either part may be the id.
    if let Some((outer, inner)) = split_parenthesised(s) {
        return cloud_id(inner, scope)
            .or_else(|| cloud_id(outer, scope))
            .or_else(|| resolve(s, scope))
            .or_else(|| resolve(outer, scope))
            .or_else(|| resolve(inner, scope));
    }
    resolve(s, scope)
}

fn resolve(s: &str, scope: Option<Provider>) -> Option<&'static Region> {
    generic_name(s, scope)
        .or_else(|| cloud_id(s, scope))
        .or_else(|| cloud_name(s, scope))
}

fn split_parenthesised(s: &str) -> Option<(&str, &str)> {
    let open = s.find('(')?;
    let inner = s.get(open + 1..)?.strip_suffix(')')?;
    let outer = s.get(..open)?.trim();
    (!outer.is_empty() && !inner.trim().is_empty()).then(|| (outer, inner.trim()))
}

fn in_scope(region: &Region, scope: Option<Provider>) -> bool {
    scope.is_none_or(|p| region.provider == p)
}

fn generic_name(s: &str, scope: Option<Provider>) -> Option<&'static Region> {
    if !matches!(scope, None | Some(Provider::Generic)) {
        return None;
    }
    INDEX.generic.get(&normalise(s)).copied()
}

fn cloud_id(s: &str, scope: Option<Provider>) -> Option<&'static Region> {
    let lower = s.trim().to_ascii_lowercase();
    let exact = INDEX.ids.get(&lower).copied();
    // Only AWS and GCP name zones after their regions.
    let zoned = || {
        strip_zone(&lower)
            .and_then(|r| INDEX.ids.get(r).copied())
            .filter(|r| matches!(r.provider, Provider::Aws | Provider::Gcp))
    };
    exact.or_else(zoned).filter(|r| in_scope(r, scope))
}

/// A name with readings in several clouds is refused rather than guessed.
fn cloud_name(s: &str, scope: Option<Provider>) -> Option<&'static Region> {
    let candidates: Vec<&'static Region> = INDEX
        .names
        .get(&normalise(s))
        .map(|v| v.iter().copied().filter(|r| in_scope(r, scope)).collect())
        .unwrap_or_default();
    match candidates.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// The continent of a stored label (or any spelling [`lookup`] accepts); `None` for unknown labels
/// and for areas that span continents.
pub fn continent_of(label: &str) -> Option<Continent> {
    lookup(label).and_then(|r| r.continent)
}

/// Regions named in prose or a title, in text order, without overlaps (the longest reading wins:
/// "East US 2" over "East US", "West Europe" over "Europe").
///
/// With no cloud known, only forms that are unambiguous in prose count: cloud ids (any case, zone
/// suffixes allowed), AWS full names, Azure display names and generic areas; GCP's city names and
/// bare AWS parentheticals ("Tokyo") are left out because in prose they usually mean the place.
/// Names are matched with their capitalisation, so "us" or "central us" in running text are not
/// regions.
pub fn find_in_text(text: &str) -> Vec<RegionMention> {
    find_scoped(text, None)
}

/// [`find_in_text`] for text from a known cloud: that cloud's ids, names and parentheticals plus
/// generic areas; on an equal span the cloud's reading wins ("Finland" in a GCP post is
/// `europe-north1`, "Southeast Asia" in an Azure post is `southeastasia`).
pub fn find_in_text_in(provider: Provider, text: &str) -> Vec<RegionMention> {
    find_scoped(text, Some(provider))
}

struct Candidate {
    start: usize,
    end: usize,
    rank: u8,
    region: &'static Region,
}

fn eligible(surface: &Surface, scope: Option<Provider>) -> Option<u8> {
    let region = surface.region;
    // Two-letter multi-region ids ("us", "eu") are words in prose.
    if surface.form == Form::Id
        && !region.id.bytes().any(|b| b.is_ascii_digit() || b == b'-')
        && region.provider == Provider::Gcp
    {
        return None;
    }
    match scope {
        Some(p) if region.provider == p => Some(0),
        _ if region.provider == Provider::Generic => Some(1),
        Some(_) => None,
        None => match (region.provider, surface.form) {
            (_, Form::Id) => Some(2),
            (Provider::Aws | Provider::Azure, Form::Name) => Some(2),
            _ => None,
        },
    }
}

fn find_scoped(text: &str, scope: Option<Provider>) -> Vec<RegionMention> {
    let index = &*INDEX;
    let lower = text.to_ascii_lowercase();
    let mut candidates: Vec<Candidate> = Vec::new();
    for surface in &index.surfaces {
        let Some(rank) = eligible(surface, scope) else {
            continue;
        };
        let haystack = if surface.form == Form::Id {
            &lower
        } else {
            text
        };
        for (start, matched) in haystack.match_indices(surface.text.as_str()) {
            let mut end = start + matched.len();
            if !boundary_before(text, start) {
                continue;
            }
            if surface.form == Form::Id {
                end = extend_zone(text, end);
            }
            if !boundary_after(text, end, surface.form == Form::Id) {
                continue;
            }
            candidates.push(Candidate {
                start,
                end,
                rank,
                region: surface.region,
            });
        }
    }
    candidates.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.rank.cmp(&b.rank))
    });
    let mut out: Vec<RegionMention> = Vec::new();
    let mut taken_until = 0;
    for c in candidates {
        if c.start < taken_until {
            continue;
        }
        taken_until = c.end;
        out.push(RegionMention {
            region: c.region,
            start: c.start,
            end: c.end,
        });
    }
    out
}

fn boundary_before(text: &str, start: usize) -> bool {
    text.get(..start)
        .and_then(|s| s.chars().next_back())
        .is_none_or(|c| !(c.is_alphanumeric() || c == '-' || c == '_'))
}

fn boundary_after(text: &str, end: usize, is_id: bool) -> bool {
    text.get(end..)
        .and_then(|s| s.chars().next())
        .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || (is_id && c == '-')))
}

/// Extends an id match over a zone suffix: "-b" (GCP) or a single letter after the region's digit
/// (AWS "us-east-1a").
fn extend_zone(text: &str, end: usize) -> usize {
    let rest = text.get(end..).unwrap_or("").as_bytes();
    let ends_digit = text
        .get(..end)
        .and_then(|s| s.bytes().next_back())
        .is_some_and(|b| b.is_ascii_digit());
    let not_word = |b: Option<&u8>| b.is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'-'));
    match rest {
        [b'-', l, ..] if l.is_ascii_lowercase() && not_word(rest.get(2)) => end + 2,
        [l, ..] if ends_digit && l.is_ascii_lowercase() && not_word(rest.get(1)) => end + 1,
        _ => end,
    }
}

/// The labels of `mentions`, deduplicated, in order of first mention: what incidents store.
pub fn labels_in(mentions: &[RegionMention]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in mentions {
        if !out.iter().any(|l| l == m.label()) {
            out.push(m.label().to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> Option<&'static str> {
        lookup(s).map(|r| r.id)
    }

    fn labels(text: &str) -> Vec<&'static str> {
        find_in_text(text).iter().map(|m| m.label()).collect()
    }

    #[test]
    fn lookup_accepts_ids_names_and_aws_parentheticals() {
        assert_eq!(id("us-east-1"), Some("us-east-1"));
        assert_eq!(id("US-EAST-1"), Some("us-east-1"));
        assert_eq!(id("N. Virginia"), Some("us-east-1"));
        assert_eq!(id("n virginia"), Some("us-east-1"));
        assert_eq!(id("us-east-1 (N. Virginia)"), Some("us-east-1"));
        assert_eq!(id("US East (N. Virginia)"), Some("us-east-1"));
        assert_eq!(id("South Carolina"), Some("us-east1"));
        assert_eq!(id("Iowa (us-central1)"), Some("us-central1"));
        assert_eq!(id("East US"), Some("eastus"));
        assert_eq!(id("east us 2"), Some("eastus2"));
        assert_eq!(id("eastus2"), Some("eastus2"));
        // AWS "South America (São Paulo)" and GCP "São Paulo" both claim it.
        assert_eq!(id("Sao Paulo"), None);
        assert_eq!(
            lookup_in(Provider::Gcp, "Sao Paulo").map(|r| r.id),
            Some("southamerica-east1")
        );
    }

    #[test]
    fn lookup_prefers_generic_areas_and_refuses_ambiguous_city_names() {
        assert_eq!(id("US"), Some("United States"));
        assert_eq!(id("APAC"), Some("Asia Pacific"));
        assert_eq!(id("emea"), Some("EMEA"));
        assert_eq!(id("Finland"), Some("Finland"));
        assert_eq!(id("Global"), Some("global"));
        // AWS "Asia Pacific (Tokyo)" and GCP "Tokyo" both claim it.
        assert_eq!(id("Tokyo"), None);
        assert_eq!(id("Atlantis"), None);
        assert_eq!(id(""), None);
    }

    #[test]
    fn scoped_lookup_reads_names_the_clouds_way() {
        assert_eq!(
            lookup_in(Provider::Gcp, "Tokyo").map(|r| r.id),
            Some("asia-northeast1")
        );
        assert_eq!(
            lookup_in(Provider::Aws, "Tokyo").map(|r| r.id),
            Some("ap-northeast-1")
        );
        assert_eq!(lookup_in(Provider::Gcp, "us").map(|r| r.id), Some("us"));
        assert_eq!(
            lookup_in(Provider::Gcp, "Multi-region: eu").map(|r| r.id),
            Some("eu")
        );
        assert_eq!(
            lookup_in(Provider::Gcp, "Finland").map(|r| r.id),
            Some("europe-north1")
        );
        assert_eq!(
            lookup_in(Provider::Generic, "global").map(|r| r.id),
            Some("global")
        );
        assert_eq!(lookup_in(Provider::Azure, "us-east-1"), None);
    }

    #[test]
    fn zone_suffixes_resolve_to_their_region() {
        assert_eq!(id("us-central1-b"), Some("us-central1"));
        assert_eq!(id("us-east-1a"), Some("us-east-1"));
        assert_eq!(id("eastus-z"), None);
    }

    #[test]
    fn region_records_carry_country_and_continent() {
        let r = lookup("europe-west9").expect("europe-west9");
        assert_eq!(r.name, "Paris");
        assert_eq!(r.provider, Provider::Gcp);
        assert_eq!(r.country, Some("FR"));
        assert_eq!(r.continent, Some(Continent::Europe));
        let r = lookup("me-central-1").expect("me-central-1");
        assert_eq!(r.continent, Some(Continent::MiddleEast));
        assert_eq!(continent_of("ap-southeast-2"), Some(Continent::Oceania));
        assert_eq!(continent_of("Asia Pacific"), Some(Continent::Asia));
        assert_eq!(continent_of("EMEA"), None);
        assert_eq!(
            continent_of("southamerica-west1"),
            Some(Continent::SouthAmerica)
        );
        assert_eq!(continent_of("nowhere"), None);
    }

    #[test]
    fn ids_are_unique_across_the_table() {
        let mut seen = std::collections::HashSet::new();
        for r in REGIONS {
            assert!(seen.insert(r.id), "duplicate id {}", r.id);
        }
        assert_eq!(
            REGIONS
                .iter()
                .filter(|r| r.provider == Provider::Aws)
                .count(),
            38
        );
        assert_eq!(
            REGIONS
                .iter()
                .filter(|r| r.provider == Provider::Gcp)
                .count(),
            46
        );
        assert_eq!(
            REGIONS
                .iter()
                .filter(|r| r.provider == Provider::Azure)
                .count(),
            70
        );
    }

    #[test]
    fn finds_regions_in_prose_with_spans() {
        let text = "Elevated errors in us-east-1 and East US 2; customers in APAC saw timeouts.";
        let found = find_in_text(text);
        let got: Vec<(&str, &str)> = found
            .iter()
            .map(|m| (m.label(), &text[m.start..m.end]))
            .collect();
        assert_eq!(
            got,
            vec![
                ("us-east-1", "us-east-1"),
                ("eastus2", "East US 2"),
                ("Asia Pacific", "APAC")
            ]
        );
    }

    #[test]
    fn prose_matching_avoids_words_and_prefers_longest() {
        assert_eq!(
            labels("Let us know; it hit central us users."),
            Vec::<&str>::new()
        );
        assert_eq!(
            labels("West Europe and Europe"),
            vec!["westeurope", "Europe"]
        );
        assert_eq!(labels("US-EAST-1 outage"), vec!["us-east-1"]);
        assert_eq!(labels("zone us-central1-b failed"), vec!["us-central1"]);
        assert_eq!(labels("europe-west12 is new"), vec!["europe-west12"]);
        assert_eq!(labels("storms in Tokyo"), Vec::<&str>::new());
        assert_eq!(
            labels("Sweden, Finland, Norway, and Russia"),
            vec!["Sweden", "Finland", "Norway", "Russia"]
        );
        assert_eq!(labels("outage in Southeast Asia"), vec!["Southeast Asia"]);
        assert_eq!(
            labels("the U.S. East Coast"),
            vec!["United States", "US East Coast"]
        );
    }

    #[test]
    fn scoped_prose_matching_prefers_the_clouds_reading() {
        let azure: Vec<&str> =
            find_in_text_in(Provider::Azure, "Southeast Asia and US Gov Virginia")
                .iter()
                .map(|m| m.label())
                .collect();
        assert_eq!(azure, vec!["southeastasia", "usgovvirginia"]);
        let gcp: Vec<&str> = find_in_text_in(Provider::Gcp, "Tokyo (asia-northeast1), Finland")
            .iter()
            .map(|m| m.label())
            .collect();
        assert_eq!(
            gcp,
            vec!["asia-northeast1", "asia-northeast1", "europe-north1"]
        );
        assert_eq!(
            labels_in(&find_in_text_in(Provider::Gcp, "Tokyo (asia-northeast1)")),
            vec!["asia-northeast1".to_string()]
        );
    }

    #[test]
    fn continents_parse_from_their_names() {
        assert_eq!(
            "Middle East".parse::<Continent>(),
            Ok(Continent::MiddleEast)
        );
        assert_eq!(
            "north_america".parse::<Continent>(),
            Ok(Continent::NorthAmerica)
        );
        assert!("Atlantis".parse::<Continent>().is_err());
    }
}
