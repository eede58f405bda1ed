//! The `outages` binary: parse the command line, set up logging, run the command, and turn the
//! outcome into an exit code. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;
use outages::cli::Cli;
use outages::commands::{self, Exit};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("OUTAGES_LOG").unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match commands::run(cli) {
        Ok(Exit::Ok) => ExitCode::SUCCESS,
        Ok(Exit::Failed) => ExitCode::from(1),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            if e.chain().any(|c| {
                matches!(
                    c.downcast_ref::<outages::lock::LockError>(),
                    Some(outages::lock::LockError::Held { .. })
                )
            }) {
                eprintln!("error: {e:#}");
                return ExitCode::from(outages::lock::EXIT_LOCKED);
            }
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// `outages timeline | head` closes the pipe early; that is a normal end, not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
