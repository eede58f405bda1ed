//! What the crate's unit tests share: the walk over the real files beside the project
//! (`../shared/corpus`, `../shared/bench/...`). Present in CI and on the developers' machines,
//! absent on a user's clone, so a test over them skips with a message when they are absent and
//! fails when they are absent under `CI=true`, as `tests/it/corpus.rs` does for the
//! integration tests: a corpus test must never pass by reading nothing.

use std::path::{Path, PathBuf};

/// The shared folder: `OUTAGES_SHARED_DIR` (`.ci/run` points it at a missing folder to prove
/// that a user's clone passes), else `../shared` beside the project.
pub(crate) fn shared_root() -> PathBuf {
    match std::env::var_os("OUTAGES_SHARED_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    }
}

/// Every file under each of `dirs` (relative to `../shared`), sorted; `None` (after printing
/// why) when one of them is missing and the test should skip.
///
/// # Panics
/// Under `CI=true` when a directory is missing, so CI cannot pass by skipping.
pub(crate) fn shared_files(dirs: &[&str]) -> Option<Vec<PathBuf>> {
    let root = shared_root();
    let mut files = Vec::new();
    for dir in dirs {
        let dir = root.join(dir);
        if !dir.is_dir() {
            assert!(
                !std::env::var("CI").is_ok_and(|v| v == "true"),
                "{} is missing under CI=true",
                dir.display()
            );
            eprintln!("skipping: {} not found", dir.display());
            return None;
        }
        files_under(&dir, &mut files);
    }
    files.sort();
    Some(files)
}

/// Every file under `dir`, depth first; unreadable directories are a failure, not a skip.
pub(crate) fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let listing =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in listing.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}
