//! Helpers to run the real `outages` binary against a temporary data directory.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `outages ARGS...` with `--data-dir dir`, without inheriting a data dir from the
/// environment, and returns its output.
pub fn outages(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_outages"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("OUTAGES_DATA_DIR")
        .env("OUTAGES_LOG", "warn")
        .output()
        .expect("the outages binary runs")
}

/// Stdout as text, after asserting the command succeeded (printing stderr when it did not).
pub fn ok_stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "command failed with {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Parses stdout as JSON and validates it against `../shared/event.schema.json` when the shared
/// folder is present (it is in CI).
pub fn events_json(output: &Output) -> serde_json::Value {
    let text = ok_stdout(output);
    let value: serde_json::Value = serde_json::from_str(&text).expect("stdout is JSON");
    validate_contract(&value);
    value
}

pub fn validate_contract(value: &serde_json::Value) {
    let Some(schema_path) = crate::corpus::shared_path("event.schema.json") else {
        return;
    };
    let schema_text = std::fs::read_to_string(&schema_path).expect("schema readable");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema is JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "output breaks the event contract: {errors:#?}"
    );
}
