//! One writer per data directory: `crawl`, `watch`, `ingest` and `demo` hold an exclusive
//! advisory lock on a file beside the store for as long as they run.
//!
//! Two overlapping runs (a cron job still going when the next starts) would otherwise wait on
//! each other's SQLite transactions until `SQLITE_BUSY` and fail halfway; with the lock the
//! second one exits at once, saying who holds it. `flock`-style locks die with their process,
//! so a run killed with `kill -9` leaves no stale lock behind (a leftover file is harmless).
//! Readers (`search`, `timeline`, `serve`) never take it: SQLite's WAL lets them read during a
//! crawl.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use fs4::fs_std::FileExt;
use thiserror::Error;

/// Exit status of a run refused because another holds the lock (`EX_TEMPFAIL` from
/// sysexits.h: schedulers read it as "try again later", not as a failure to alert on).
pub const EXIT_LOCKED: u8 = 75;

/// Why the lock could not be taken.
#[derive(Debug, Error)]
pub enum LockError {
    #[error("another run holds {} ({holder}); only one crawl, watch or ingest may write to a data directory at a time", path.display())]
    Held { path: PathBuf, holder: String },
    #[error("cannot use the lock file {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct WriterLock {
    file: File,
    path: PathBuf,
}

impl WriterLock {
    /// Takes the lock at `path` (creating the file and its folder), without waiting. The file
    /// then holds this process's id, so the refusal message can name the holder.
    pub fn acquire(path: &Path) -> Result<WriterLock, LockError> {
        let io = |source| LockError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io)?;
        match FileExt::try_lock_exclusive(&file) {
            Ok(true) => {}
            Ok(false) => {
                return Err(LockError::Held {
                    path: path.to_path_buf(),
                    holder: holder(&mut file),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                return Err(LockError::Held {
                    path: path.to_path_buf(),
                    holder: holder(&mut file),
                });
            }
            Err(e) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(WriterLock {
            file,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        // Closing the file releases the lock anyway; unlocking first just makes it immediate.
        let _ = FileExt::unlock(&self.file);
    }
}

/// "pid N" from the lock file, or a neutral phrase when it is unreadable.
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let read = file
        .seek(SeekFrom::Start(0))
        .and_then(|_| file.take(32).read_to_string(&mut text));
    match read.ok().and_then(|_| text.trim().parse::<u32>().ok()) {
        Some(pid) => format!("pid {pid}"),
        None => "another process".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_on_the_same_file_is_refused_with_the_holder_pid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub").join("outages.lock");
        let first = WriterLock::acquire(&path).expect("first lock");
        let err = WriterLock::acquire(&path).expect_err("second lock refused");
        let expected = format!("pid {}", std::process::id());
        match &err {
            LockError::Held { holder, .. } => assert_eq!(holder, &expected),
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("outages.lock"), "{err}");
        drop(first);
        let again = WriterLock::acquire(&path).expect("lock after release");
        assert_eq!(again.path(), path.as_path());
    }
}
