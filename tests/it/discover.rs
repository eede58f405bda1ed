//! `outages sources add URL`: the platform is found by probing a loopback status page.

use std::path::Path;

use outages::snapshot::SnapshotServer;

use crate::cli::{ok_stdout, outages};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn serve(files: &[(&str, &str)]) -> (tokio::runtime::Runtime, SnapshotServer, tempfile::TempDir) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let root = tempfile::tempdir().expect("tempdir");
    for (at, fixture) in files {
        let dest = root.path().join(at);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        std::fs::copy(Path::new(FIXTURES).join(fixture), dest).expect("copy");
    }
    let server = runtime
        .block_on(SnapshotServer::start(root.path().to_path_buf()))
        .expect("server");
    (runtime, server, root)
}

#[test]
fn statuspage_json_found_when_there_is_no_atom_feed() {
    let (_rt, server, _root) = serve(&[("api/v2/incidents.json", "crawl/incidents-v1.json")]);
    let data = tempfile::tempdir().expect("tempdir");
    let sources = data.path().join("sources.toml");
    let base = server.base_url().to_string();
    let out = outages(
        data.path(),
        &[
            "sources",
            "add",
            &base,
            "--sources",
            sources.to_str().expect("utf-8"),
            "--allow-private",
        ],
    );
    let text = ok_stdout(&out);
    assert!(text.contains("added GitHub"), "{text}");
    let listed = outages::sources::load(&sources).expect("valid sources file");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].url, format!("{base}api/v2/incidents.json"));
    assert_eq!(listed[0].kind, Some(outages::model::Format::StatuspageJson));
    assert_eq!(listed[0].vendor.as_deref(), Some("GitHub"));
    assert!(listed[0].allow_private);

    // Adding it again is refused, and the file is left as it was.
    let again = outages(
        data.path(),
        &[
            "sources",
            "add",
            &base,
            "--sources",
            sources.to_str().expect("utf-8"),
            "--allow-private",
        ],
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("listed twice"));
    assert_eq!(
        outages::sources::load(&sources).expect("still valid").len(),
        1
    );
}

#[test]
fn atom_feed_preferred_and_nothing_found_is_an_error() {
    let (_rt, server, _root) = serve(&[
        ("history.atom", "statuspage/history-imitation.atom"),
        ("api/v2/incidents.json", "crawl/incidents-v1.json"),
    ]);
    let data = tempfile::tempdir().expect("tempdir");
    let sources = data.path().join("sources.toml");
    let base = server.base_url().to_string();
    let out = outages(
        data.path(),
        &[
            "sources",
            "add",
            &base,
            "--vendor",
            "GitHub",
            "--sources",
            sources.to_str().expect("utf-8"),
            "--allow-private",
        ],
    );
    ok_stdout(&out);
    let listed = outages::sources::load(&sources).expect("valid");
    assert_eq!(listed[0].kind, Some(outages::model::Format::StatuspageAtom));

    let (_rt2, empty, _root2) = serve(&[]);
    let out = outages(
        data.path(),
        &[
            "sources",
            "add",
            empty.base_url().as_ref(),
            "--vendor",
            "X",
            "--sources",
            sources.to_str().expect("utf-8"),
            "--allow-private",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no status feed or API found"), "{err}");
}

/// A sources file that is not UTF-8 (one Latin-1 "é") is refused with the reason and left
/// byte for byte as it was: `sources add` never rewrites a file it could not read whole.
#[test]
fn a_sources_file_that_is_not_utf8_survives_sources_add_untouched() {
    let data = tempfile::tempdir().expect("tempdir");
    let sources = data.path().join("sources.toml");
    let mut bytes = b"[[source]]\nvendor = \"Caf".to_vec();
    bytes.push(0xE9);
    bytes.extend_from_slice(b"\"\nurl = \"https://status.example.test/history.atom\"\n");
    std::fs::write(&sources, &bytes).expect("write");
    let out = outages(
        data.path(),
        &[
            "sources",
            "add",
            "http://127.0.0.1:9/",
            "--sources",
            sources.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not valid UTF-8"), "{err}");
    assert!(err.contains("sources.toml"), "{err}");
    assert_eq!(std::fs::read(&sources).expect("read"), bytes);
    let leftovers: Vec<_> = std::fs::read_dir(data.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}
