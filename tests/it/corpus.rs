//! Access to the shared folder beside the project (`../shared`: the corpus of real vendor files,
//! the benchmark sets and the event schema).
//!
//! Present in CI and on the developers' machines, absent on a user's clone: tests that need it
//! skip with a message when it is absent, and fail when it is absent under `CI=true`.
//! `OUTAGES_SHARED_DIR` points the tests at another folder (`.ci/run` points it at a missing one
//! to prove that a user's clone passes).

use std::path::PathBuf;

/// The shared folder: `OUTAGES_SHARED_DIR`, else `../shared` beside the project.
pub fn shared_root() -> PathBuf {
    match std::env::var_os("OUTAGES_SHARED_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    }
}

/// A path inside the shared folder, or `None` (after printing why) when it is absent and the
/// test should skip.
///
/// # Panics
/// Under `CI=true` when the path is missing, so CI cannot pass by skipping.
pub fn shared_path(relative: &str) -> Option<PathBuf> {
    let path = shared_root().join(relative);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{} is missing under CI=true", path.display());
    }
    eprintln!("skipping: {} not found", path.display());
    None
}

/// The corpus directory, or `None` (after printing why) when the test should skip.
///
/// # Panics
/// Under `CI=true` when the corpus is missing, so CI cannot pass by skipping.
pub fn corpus_dir() -> Option<PathBuf> {
    shared_path("corpus")
}

/// A file inside the corpus, or `None` when the corpus is absent (see [`corpus_dir`]).
pub fn corpus_file(relative: &str) -> Option<PathBuf> {
    corpus_dir().map(|d| d.join(relative))
}
