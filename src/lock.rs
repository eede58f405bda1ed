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
use std::time::{Duration, Instant};

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

/// How long a writer waits for a process that holds the lock only to bring the search index up
/// to date (a reader healing a gap, or `reindex`): such a holder finishes soon, so a writer
/// waits for it instead of failing.
pub const INDEX_PATIENCE: Duration = Duration::from_secs(600);

/// What the holder of the lock is doing, as written in the lock file after its pid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// Writes the store (and the index): `crawl`, `watch`, `ingest`, `demo`, `remerge` ...
    Write,
    /// Only writes the derived index: `reindex`, or a reader healing a gap.
    Index,
}

/// Whom to wait for when the lock is held.
#[derive(Debug, Clone, Copy)]
enum Wait {
    /// Nobody: refuse at once.
    Never,
    /// A holder that only maintains the index, for up to this long.
    ForIndex(Duration),
    /// Any holder, for up to this long.
    ForAny(Duration),
}

impl WriterLock {
    /// Takes the lock for a run that writes the store. A run holding it to write refuses this
    /// one at once (two overlapping cron runs); a holder that only brings the index up to date
    /// is waited for, up to [`INDEX_PATIENCE`]. The file then holds this process's id, so a
    /// refusal can name the holder.
    pub fn acquire(path: &Path) -> Result<WriterLock, LockError> {
        Self::take(path, Purpose::Write, Wait::ForIndex(INDEX_PATIENCE))
    }

    /// Takes the lock to write only the index. `patience` `None` tries once (a reader healing
    /// a gap: when a writer runs, the writer brings the index up to date itself); `Some`
    /// waits for any holder that long (`reindex` beside an `ingest`).
    pub fn for_index(path: &Path, patience: Option<Duration>) -> Result<WriterLock, LockError> {
        let wait = patience.map_or(Wait::Never, Wait::ForAny);
        Self::take(path, Purpose::Index, wait)
    }

    fn take(path: &Path, purpose: Purpose, wait: Wait) -> Result<WriterLock, LockError> {
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
        let started = Instant::now();
        let mut told = false;
        loop {
            let taken = match FileExt::try_lock_exclusive(&file) {
                Ok(taken) => taken,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => false,
                Err(e) => return Err(io(e)),
            };
            if taken {
                break;
            }
            let (holder, holding_for) = holder(&mut file);
            let patience = match (wait, holding_for) {
                (Wait::Never, _) => None,
                // The holder is writing its pid this very moment: look again shortly.
                (_, None) => Some(UNREADABLE_HOLDER_WAIT),
                (Wait::ForIndex(p), Some(Purpose::Index)) => Some(p),
                (Wait::ForIndex(_), Some(Purpose::Write)) => None,
                (Wait::ForAny(p), _) => Some(p),
            };
            if patience.is_none_or(|p| started.elapsed() >= p) {
                return Err(LockError::Held {
                    path: path.to_path_buf(),
                    holder,
                });
            }
            if !told {
                eprintln!("waiting for {holder} to release {}", path.display());
                told = true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        match purpose {
            Purpose::Write => writeln!(file, "{}", std::process::id()),
            Purpose::Index => writeln!(file, "{} index", std::process::id()),
        }
        .map_err(io)?;
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

/// How long a holder whose lock file does not name it yet (it has just taken the lock and is
/// writing its pid) is given before it is taken for a writer.
const UNREADABLE_HOLDER_WAIT: Duration = Duration::from_secs(2);

/// "pid N" from the lock file (or a neutral phrase when it is unreadable), and what it holds
/// the lock for (`None` when the file names nobody yet).
fn holder(file: &mut File) -> (String, Option<Purpose>) {
    let mut text = String::new();
    let read = file
        .seek(SeekFrom::Start(0))
        .and_then(|_| file.take(64).read_to_string(&mut text));
    let mut words = text.split_whitespace();
    let pid = read
        .ok()
        .and_then(|_| words.next())
        .and_then(|w| w.parse::<u32>().ok());
    let purpose = match words.next() {
        Some("index") => Purpose::Index,
        _ => Purpose::Write,
    };
    match pid {
        Some(pid) if purpose == Purpose::Index => (
            format!("pid {pid}, updating the search index"),
            Some(purpose),
        ),
        Some(pid) => (format!("pid {pid}"), Some(purpose)),
        None => ("another process".into(), None),
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

    /// A reader healing the index never waits, and a writer waits for it rather than fail;
    /// `reindex` waits for a writer.
    #[test]
    fn index_holders_are_waited_for_and_readers_never_wait() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("outages.lock");
        let writing = WriterLock::acquire(&path).expect("writer");
        let started = Instant::now();
        assert!(
            WriterLock::for_index(&path, None).is_err(),
            "a reader heal tries once"
        );
        assert!(started.elapsed() < Duration::from_secs(1));
        drop(writing);

        let healing = WriterLock::for_index(&path, None).expect("heal");
        let text = std::fs::read_to_string(&path).expect("lock file");
        assert_eq!(text.trim(), format!("{} index", std::process::id()));
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            drop(healing);
        });
        let started = Instant::now();
        let writer = WriterLock::acquire(&path).expect("the writer waits for the heal");
        assert!(started.elapsed() >= Duration::from_millis(200));
        release.join().expect("thread");

        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            drop(writer);
        });
        let reindex = WriterLock::for_index(&path, Some(Duration::from_secs(30)))
            .expect("reindex waits for the writer");
        release.join().expect("thread");
        drop(reindex);
    }
}
