//! The `outages` binary: parse the command line, set up logging, run the command, and turn the
//! outcome into an exit code. Everything else lives in the library.

use std::io::Write;
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
        .with_writer(|| LineSafeStderr)
        .with_ansi(false)
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

/// Standard error for log lines. Logged fields carry scraped text (a feed entry's id, a parse
/// error quoting the document), so control characters are written escaped: one event stays
/// one line and nothing in it can move or recolour the terminal (RELIABILITY.md F8).
struct LineSafeStderr;

impl Write for LineSafeStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::io::stderr().lock().write_all(&escape_log_line(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// The formatter writes one whole event per call, ending in its newline; every other C0 or C1
/// control character (tab aside) becomes a visible escape.
fn escape_log_line(buf: &[u8]) -> Vec<u8> {
    let (body, newline) = match buf.strip_suffix(b"\n") {
        Some(body) => (body, true),
        None => (buf, false),
    };
    let mut out = Vec::with_capacity(buf.len() + 8);
    let mut bytes = body.iter().copied().peekable();
    while let Some(b) = bytes.next() {
        match b {
            b'\t' => out.push(b),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0..=0x1f | 0x7f => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
            // C1 controls (U+0080..U+009F) are 0xC2 0x80..0x9F in UTF-8; U+009B is a CSI.
            0xc2 if bytes.peek().is_some_and(|n| (0x80..=0x9f).contains(n)) => {
                let c1 = bytes.next().unwrap_or_default();
                out.extend_from_slice(format!("\\u{{{c1:04x}}}").as_bytes());
            }
            _ => out.push(b),
        }
    }
    if newline {
        out.push(b'\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_keep_one_line_and_lose_every_control_character() {
        assert_eq!(
            escape_log_line("WARN entry=a\nfake line\x1b[2J\r\u{9b}31m caf\u{e9}\tok\n".as_bytes()),
            b"WARN entry=a\\nfake line\\x1b[2J\\r\\u{009b}31m caf\xc3\xa9\tok\n".to_vec()
        );
        assert_eq!(escape_log_line(b"no newline"), b"no newline".to_vec());
    }
}
