//! `data/sources.toml` against its loader and the vendor gazetteer: the shipped list must load,
//! cover enough vendors, name every vendor canonically, and point each format at its usual path.

use std::collections::HashSet;
use std::path::PathBuf;

use outages::extract::vendor::Gazetteer;
use outages::model::{Format, ReportKind};
use outages::sources::{self, Source};

fn shipped() -> Vec<Source> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/sources.toml");
    sources::load(&path).expect("data/sources.toml loads")
}

fn host(source: &Source) -> String {
    url::Url::parse(&source.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no host in {}", source.url))
}

#[test]
fn sources_file_covers_at_least_110_status_vendors() {
    let list = shipped();
    let vendors: HashSet<&str> = list
        .iter()
        .filter(|s| s.role == ReportKind::Status)
        .filter_map(|s| s.vendor.as_deref())
        .collect();
    assert!(vendors.len() >= 110, "{} status vendors", vendors.len());
    let press = list.iter().filter(|s| s.role == ReportKind::Press).count();
    assert!(press >= 15, "{press} press feeds");
}

#[test]
fn every_status_vendor_is_canonical_in_the_gazetteer() {
    let gazetteer = Gazetteer::builtin();
    let list = shipped();
    let strays: Vec<&str> = list
        .iter()
        .filter_map(|s| s.vendor.as_deref())
        .filter(|v| gazetteer.canonical(v) != Some(*v))
        .collect();
    assert_eq!(strays, Vec::<&str>::new());
}

#[test]
fn no_url_is_listed_twice() {
    let list = shipped();
    let mut seen = HashSet::new();
    let twice: Vec<&str> = list
        .iter()
        .map(|s| s.url.as_str())
        .filter(|u| !seen.insert(u.trim_end_matches('/').to_ascii_lowercase()))
        .collect();
    assert_eq!(twice, Vec::<&str>::new());
}

#[test]
fn press_feeds_have_role_press_and_no_vendor() {
    for s in shipped() {
        match s.role {
            ReportKind::Press => {
                assert_eq!(s.vendor, None, "{}", s.url);
                assert_eq!(s.kind, Some(Format::Feed), "{}", s.url);
            }
            ReportKind::Status => assert!(s.vendor.is_some(), "{}", s.url),
        }
    }
}

#[test]
fn status_hosts_resolve_to_their_vendor_by_host() {
    let gazetteer = Gazetteer::builtin();
    let mut unlisted = Vec::new();
    for s in shipped().iter().filter(|s| s.role == ReportKind::Status) {
        let vendor = s.vendor.as_deref().unwrap_or_default();
        let host = host(s);
        let domains = gazetteer
            .vendor(vendor)
            .map(|v| v.domains.clone())
            .unwrap_or_default();
        let listed = domains
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")));
        if listed {
            assert_eq!(gazetteer.by_host(&host), Some(vendor), "{}", s.url);
        } else {
            unlisted.push(format!("{vendor} @ {host}"));
        }
    }
    // Shared API hosts that belong to no single vendor: status.io's API and google.com.
    assert_eq!(
        unlisted,
        [
            "GitLab @ api.status.io",
            "Let's Encrypt @ api.status.io",
            "Google Workspace @ www.google.com",
        ]
    );
}

#[test]
fn each_status_format_points_at_its_usual_path() {
    let expected_suffix = |kind: Format| match kind {
        Format::StatuspageAtom => Some("/history.atom"),
        Format::StatuspageJson => Some("/api/v2/incidents.json"),
        Format::IncidentioFeed => Some("/feed.atom"),
        Format::InstatusJson => Some("/summary.json"),
        Format::BetterstackJson => Some("/index.json"),
        Format::GcpJson => Some("/incidents.json"),
        _ => None,
    };
    for s in shipped().iter().filter(|s| s.role == ReportKind::Status) {
        let kind = s.kind.unwrap_or_else(|| panic!("{} has no kind", s.url));
        if let Some(suffix) = expected_suffix(kind) {
            assert!(
                s.url.ends_with(suffix),
                "{} is {kind} but not {suffix}",
                s.url
            );
        }
        assert!(s.url.starts_with("https://"), "{}", s.url);
    }
}
