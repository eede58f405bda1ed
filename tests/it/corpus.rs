//! Access to the shared corpus of real vendor files (`../shared/corpus`, beside the project).
//!
//! Present in CI and on the developers' machines, absent on a user's clone: tests that need it
//! skip with a message when it is absent, and fail when it is absent under `CI=true`.

use std::path::PathBuf;

/// The corpus directory, or `None` (after printing why) when the test should skip.
///
/// # Panics
/// Under `CI=true` when the corpus is missing, so CI cannot pass by skipping.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "../shared/corpus is missing under CI=true: {}",
            dir.display()
        );
    }
    eprintln!("skipping: ../shared/corpus not found at {}", dir.display());
    None
}

/// A file inside the corpus, or `None` when the corpus is absent (see [`corpus_dir`]).
pub fn corpus_file(relative: &str) -> Option<PathBuf> {
    corpus_dir().map(|d| d.join(relative))
}
