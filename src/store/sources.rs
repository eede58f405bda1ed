//! Crawl state per source URL (validators, health, backoff, item window) and the raw bodies
//! fetched from it, stored zlib-compressed so extraction can be re-run without refetching.

use std::collections::HashMap;
use std::io::{Read, Write};

use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use rusqlite::{OptionalExtension, Row, params};

use super::{Store, StoreError, corrupt, decode_time, encode_time, sha256_hex, sql_error};
use crate::extract::text::{one_line, truncate_chars};
use crate::fetch::Validators;
use crate::model::{Format, ReportKind};

/// Largest body read back from the database: stored bodies passed the fetch cap, so anything
/// bigger is damage, and decompressing it unbounded could exhaust memory.
const MAX_STORED_BODY: u64 = 256 * 1024 * 1024;

/// Longest error message kept on a source, in characters.
const MAX_ERROR_CHARS: usize = 500;

/// What the store knows about one source URL.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceState {
    pub url: String,
    pub vendor: Option<String>,
    /// The configured format (`kind` in `sources.toml`), when one was given.
    pub kind: Option<Format>,
    /// Unknown until the first successful fetch records it.
    pub role: Option<ReportKind>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Last attempt, successful or not.
    pub last_checked_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The most recent failure; kept after a success as history.
    pub last_error: Option<String>,
    pub last_error_class: Option<String>,
    /// Failures since the last success; 0 means healthy.
    pub consecutive_failures: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Time span of the items in the last parsed body, to spot gaps between crawls.
    pub oldest_item_at: Option<DateTime<Utc>>,
    pub newest_item_at: Option<DateTime<Utc>>,
}

impl SourceState {
    /// The validators to send with the next conditional GET.
    pub fn validators(&self) -> Validators {
        Validators {
            etag: self.etag.clone(),
            last_modified: self.last_modified.clone(),
        }
    }
}

/// A successful fetch (2xx or 304) to record.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchRecord {
    pub url: String,
    pub vendor: Option<String>,
    pub kind: Option<Format>,
    pub role: ReportKind,
    pub fetched_at: DateTime<Utc>,
    pub http_status: u16,
    /// As sent by the server with this response.
    pub validators: Validators,
    /// The body of a 2xx; ignored on a 304.
    pub body: Option<FetchedBody>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FetchedBody {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    /// The format it was parsed as, when known.
    pub format: Option<Format>,
}

/// What [`Store::record_fetch`] did with the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyRecord {
    /// 304, or a 2xx without a body: nothing to store.
    NoBody,
    /// Byte-identical to the latest stored body of this source, so not stored again; the
    /// caller may skip parsing it.
    Unchanged,
    /// Stored as a new fetch.
    Stored,
}

/// An incident a source listed before and no longer does, though the feed's time window still
/// covers its start: the vendor removed or re-keyed it. It is kept; this is the flag.
#[derive(Debug, Clone, PartialEq)]
pub struct VanishedItem {
    pub incident_id: String,
    pub title: String,
    pub last_in_feed_at: DateTime<Utc>,
    pub missing_since: DateTime<Utc>,
}

/// The hash of a source's latest body and the format it was parsed as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedBodyHash {
    /// Lowercase hex SHA-256, as [`body_sha256`] computes it.
    pub sha256: String,
    pub format: Format,
}

/// Lowercase hex SHA-256 of a body, the form the store keeps to tell identical bodies apart.
pub fn body_sha256(bytes: &[u8]) -> String {
    sha256_hex(bytes)
}

/// The latest stored body of a source, decompressed.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredBody {
    pub url: String,
    pub fetched_at: DateTime<Utc>,
    pub format: Option<Format>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

const SOURCE_COLUMNS: &str = "url, vendor, kind, role, etag, last_modified, last_checked_at,
    last_success_at, last_error, last_error_class, consecutive_failures, next_attempt_at,
    oldest_item_at, newest_item_at";

impl Store {
    /// The state of one source, `None` if it was never recorded.
    pub fn source(&self, url: &str) -> Result<Option<SourceState>, StoreError> {
        let db = self.db.as_str();
        let sql = format!("SELECT {SOURCE_COLUMNS} FROM sources WHERE url = ?1");
        let raw = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut stmt| stmt.query_row([url], RawSource::from_row).optional())
            .map_err(|e| sql_error(db, &format!("reading source {url}"), e))?;
        raw.map(|raw| raw.decode(db)).transpose()
    }

    /// Every recorded source, by url.
    pub fn sources(&self) -> Result<Vec<SourceState>, StoreError> {
        let db = self.db.as_str();
        let sql = format!("SELECT {SOURCE_COLUMNS} FROM sources ORDER BY url");
        let raws = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut stmt| {
                stmt.query_map([], RawSource::from_row)?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| sql_error(db, "listing sources", e))?;
        raws.into_iter().map(|raw| raw.decode(db)).collect()
    }

    /// Records a successful fetch: the source is healthy again, its validators are those of
    /// this response (on a 304 only the ones the server re-sent replace the stored ones), and a
    /// body different from the last stored one is kept compressed.
    pub fn record_fetch(&mut self, record: &FetchRecord) -> Result<BodyRecord, StoreError> {
        let not_modified = record.http_status == 304;
        if !not_modified && !(200..300).contains(&record.http_status) {
            return Err(StoreError::InvalidFetch {
                url: record.url.clone(),
                reason: format!(
                    "HTTP {} is not a success; record it with record_failure",
                    record.http_status
                ),
            });
        }
        let db = self.db.as_str();
        let url = record.url.as_str();
        let op = |what: &str| format!("{what} for source {url}");
        let tx = super::write_tx(&mut self.conn)
            .map_err(|e| sql_error(db, &op("starting the fetch record"), e))?;
        super::execute_cached(
            &tx,
            "INSERT INTO sources (url, vendor, kind, role, etag, last_modified, last_checked_at,
                 last_success_at, consecutive_failures)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, 0)
             ON CONFLICT(url) DO UPDATE SET
                 vendor = coalesce(excluded.vendor, vendor),
                 kind = coalesce(excluded.kind, kind),
                 role = excluded.role,
                 etag = CASE WHEN ?8 THEN coalesce(excluded.etag, etag) ELSE excluded.etag END,
                 last_modified = CASE WHEN ?8 THEN coalesce(excluded.last_modified, last_modified)
                                      ELSE excluded.last_modified END,
                 last_checked_at = excluded.last_checked_at,
                 last_success_at = excluded.last_success_at,
                 consecutive_failures = 0",
            params![
                url,
                record.vendor,
                record.kind.map(Format::as_str),
                record.role.as_str(),
                record.validators.etag,
                record.validators.last_modified,
                encode_time(record.fetched_at),
                not_modified
            ],
        )
        .map_err(|e| sql_error(db, &op("updating the state"), e))?;
        let body = match (&record.body, not_modified) {
            (Some(body), false) => body,
            _ => {
                tx.commit()
                    .map_err(|e| sql_error(db, &op("committing the fetch record"), e))?;
                return Ok(BodyRecord::NoBody);
            }
        };
        let outcome = store_body(&tx, db, url, record, body)?;
        tx.commit()
            .map_err(|e| sql_error(db, &op("committing the fetch record"), e))?;
        Ok(outcome)
    }

    /// Records a 2xx whose body could not be read as what the source should serve (a web page
    /// instead of a feed, an empty or unparsable body): the body is kept for re-extraction, but
    /// the attempt counts as a failure, never as a success, and the validators are not stored,
    /// so the next crawl fetches it whole instead of getting a 304 for a document never read.
    pub fn record_unreadable_fetch(
        &mut self,
        record: &FetchRecord,
        class: &str,
        message: &str,
    ) -> Result<BodyRecord, StoreError> {
        let db = self.db.as_str();
        let url = record.url.as_str();
        let op = |what: &str| format!("{what} for source {url}");
        let message = truncate_chars(&one_line(message), MAX_ERROR_CHARS);
        let tx = super::write_tx(&mut self.conn)
            .map_err(|e| sql_error(db, &op("starting the unreadable-fetch record"), e))?;
        super::execute_cached(
            &tx,
            "INSERT INTO sources (url, vendor, kind, role, last_checked_at, last_error,
                 last_error_class, consecutive_failures)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)
             ON CONFLICT(url) DO UPDATE SET
                 vendor = coalesce(excluded.vendor, vendor),
                 kind = coalesce(excluded.kind, kind),
                 role = excluded.role,
                 etag = NULL,
                 last_modified = NULL,
                 last_checked_at = excluded.last_checked_at,
                 last_error = excluded.last_error,
                 last_error_class = excluded.last_error_class,
                 consecutive_failures = consecutive_failures + 1",
            params![
                url,
                record.vendor,
                record.kind.map(Format::as_str),
                record.role.as_str(),
                encode_time(record.fetched_at),
                message,
                class
            ],
        )
        .map_err(|e| sql_error(db, &op("updating the state"), e))?;
        let outcome = match &record.body {
            Some(body) => store_body(&tx, db, url, record, body)?,
            None => BodyRecord::NoBody,
        };
        tx.commit()
            .map_err(|e| sql_error(db, &op("committing the unreadable-fetch record"), e))?;
        Ok(outcome)
    }

    /// The items flagged as vanished from a source's feed (see [`Store::record_listing`]),
    /// most recently missed first.
    pub fn vanished_items(&self, url: &str) -> Result<Vec<VanishedItem>, StoreError> {
        let db = self.db.as_str();
        let raws = self
            .conn
            .prepare_cached(
                "SELECT s.incident_id, i.title, s.last_listed_at, s.missing_since
                 FROM feed_listings s JOIN incidents i ON i.id = s.incident_id
                 WHERE s.source_url = ?1 AND s.missing_since IS NOT NULL
                 ORDER BY s.missing_since DESC, s.incident_id",
            )
            .and_then(|mut stmt| {
                stmt.query_map([url], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| sql_error(db, &format!("listing vanished items of source {url}"), e))?;
        raws.into_iter()
            .map(|(incident_id, title, last, missing)| {
                let time = |field: &str, s: &str| {
                    decode_time(s).map_err(|e| {
                        corrupt(
                            db,
                            format!("{field} of item {incident_id} of source {url}"),
                            e,
                        )
                    })
                };
                Ok(VanishedItem {
                    last_in_feed_at: time("last_in_feed_at", &last)?,
                    missing_since: time("missing_since", &missing)?,
                    incident_id: incident_id.clone(),
                    title,
                })
            })
            .collect()
    }

    /// Writes a consistent copy of the whole database to `dest` (which must not exist) with
    /// `VACUUM INTO`: one read transaction, so a crawl writing meanwhile is either wholly in
    /// the copy or not at all, and the copy is compact. Copying the file with `cp` instead
    /// could catch a half-applied WAL.
    pub fn backup_to(&self, dest: &std::path::Path) -> Result<(), StoreError> {
        let target = dest.to_string_lossy().into_owned();
        if dest.exists() {
            return Err(StoreError::InvalidBackup {
                dest: target,
                reason: "the file already exists; choose a new name".into(),
            });
        }
        if let Err(e) = self.conn.execute("VACUUM INTO ?1", [&target]) {
            // The file did not exist before: whatever part of it was written is no backup.
            let _ = std::fs::remove_file(dest);
            return Err(sql_error(
                &self.db,
                &format!("backing up to {target} (nothing left behind)"),
                e,
            ));
        }
        Ok(())
    }

    /// Records a failed attempt: one more consecutive failure, the error kept (on one line,
    /// truncated), everything else (validators, last success, item window) untouched.
    pub fn record_failure(
        &mut self,
        url: &str,
        vendor: Option<&str>,
        at: DateTime<Utc>,
        class: &str,
        message: &str,
    ) -> Result<(), StoreError> {
        let message = truncate_chars(&one_line(message), MAX_ERROR_CHARS);
        super::execute_cached(
            &self.conn,
            "INSERT INTO sources (url, vendor, last_checked_at, last_error, last_error_class,
                     consecutive_failures)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1)
                 ON CONFLICT(url) DO UPDATE SET
                     vendor = coalesce(excluded.vendor, vendor),
                     last_checked_at = excluded.last_checked_at,
                     last_error = excluded.last_error,
                     last_error_class = excluded.last_error_class,
                     consecutive_failures = consecutive_failures + 1",
            params![url, vendor, encode_time(at), message, class],
        )
        .map_err(|e| sql_error(&self.db, &format!("recording a failure of source {url}"), e))?;
        Ok(())
    }

    /// Sets when the crawler should try this source again (`None`: at the next run).
    pub fn set_next_attempt(
        &mut self,
        url: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        super::execute_cached(
            &self.conn,
            "INSERT INTO sources (url, next_attempt_at) VALUES (?1, ?2)
                 ON CONFLICT(url) DO UPDATE SET next_attempt_at = excluded.next_attempt_at",
            params![url, at.map(encode_time)],
        )
        .map_err(|e| {
            sql_error(
                &self.db,
                &format!("scheduling the next attempt of source {url}"),
                e,
            )
        })?;
        Ok(())
    }

    /// Records the time span of the items in the body just parsed from this source.
    pub fn record_items_window(
        &mut self,
        url: &str,
        oldest: Option<DateTime<Utc>>,
        newest: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        super::execute_cached(
            &self.conn,
            "INSERT INTO sources (url, oldest_item_at, newest_item_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(url) DO UPDATE SET
                     oldest_item_at = excluded.oldest_item_at,
                     newest_item_at = excluded.newest_item_at",
            params![url, oldest.map(encode_time), newest.map(encode_time)],
        )
        .map_err(|e| {
            sql_error(
                &self.db,
                &format!("recording the item window of source {url}"),
                e,
            )
        })?;
        Ok(())
    }

    /// The hash of every source's latest stored body, where that body was parsed (it has a
    /// format): a crawl that fetches the same bytes again has nothing new to parse or store.
    pub fn parsed_body_hashes(&self) -> Result<HashMap<String, ParsedBodyHash>, StoreError> {
        let db = self.db.as_str();
        let rows = self
            .conn
            .prepare_cached(
                "SELECT source_url, body_sha256, format FROM fetches
                 WHERE id IN (SELECT max(id) FROM fetches GROUP BY source_url)
                   AND format IS NOT NULL",
            )
            .and_then(|mut stmt| {
                stmt.query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| sql_error(db, "reading the latest body hashes", e))?;
        let mut out = HashMap::with_capacity(rows.len());
        for (url, sha256, format) in rows {
            let format = format
                .parse::<Format>()
                .map_err(|e| corrupt(db, format!("the format of a fetch of {url}"), e))?;
            out.insert(url, ParsedBodyHash { sha256, format });
        }
        Ok(out)
    }

    /// The latest stored body of every source, by url, decompressed, for re-extraction.
    pub fn latest_bodies(&self) -> Result<Vec<StoredBody>, StoreError> {
        let db = self.db.as_str();
        let raws = self
            .conn
            .prepare_cached(
                "SELECT source_url, fetched_at, format, content_type, body FROM fetches
                 WHERE id IN (SELECT max(id) FROM fetches GROUP BY source_url)
                 ORDER BY source_url",
            )
            .and_then(|mut stmt| {
                stmt.query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Vec<u8>>(4)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| sql_error(db, "listing the latest bodies", e))?;
        let mut out = Vec::with_capacity(raws.len());
        for (url, fetched_at, format, content_type, compressed) in raws {
            let what = |field: &str| format!("the {field} of the latest body of source {url}");
            let fetched_at = decode_time(&fetched_at).map_err(|e| corrupt(db, what("time"), e))?;
            let format = format
                .map(|f| f.parse::<Format>())
                .transpose()
                .map_err(|e| corrupt(db, what("format"), e))?;
            let bytes = decompress(&compressed).map_err(|source| StoreError::Body {
                db: db.to_string(),
                op: format!("decompressing the latest body of source {url}"),
                source,
            })?;
            out.push(StoredBody {
                url,
                fetched_at,
                format,
                content_type,
                bytes,
            });
        }
        Ok(out)
    }
}

/// Stores a fetched body unless it is byte-identical to the source's latest one.
fn store_body(
    tx: &rusqlite::Connection,
    db: &str,
    url: &str,
    record: &FetchRecord,
    body: &FetchedBody,
) -> Result<BodyRecord, StoreError> {
    let op = |what: &str| format!("{what} for source {url}");
    let sha = sha256_hex(&body.bytes);
    let last_sha: Option<String> = tx
        .query_row(
            "SELECT body_sha256 FROM fetches WHERE source_url = ?1 ORDER BY id DESC LIMIT 1",
            [url],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| sql_error(db, &op("reading the last body hash"), e))?;
    let outcome = if last_sha.as_deref() == Some(sha.as_str()) {
        BodyRecord::Unchanged
    } else {
        let compressed = compress(&body.bytes).map_err(|source| StoreError::Body {
            db: db.to_string(),
            op: op("compressing the body"),
            source,
        })?;
        super::execute_cached(
            tx,
            "INSERT INTO fetches (source_url, fetched_at, http_status, content_type, body,
                     body_sha256, format)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                url,
                encode_time(record.fetched_at),
                record.http_status,
                body.content_type,
                compressed,
                sha,
                body.format.map(Format::as_str)
            ],
        )
        .map_err(|e| sql_error(db, &op("storing the body"), e))?;
        BodyRecord::Stored
    };
    Ok(outcome)
}

/// Fast zlib: bodies are compressed on the crawl's one writer thread, where the default level
/// took about a sixth of that thread's time in a first crawl; the output is about a fifth larger.
fn compress(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = ZlibEncoder::new(Vec::with_capacity(bytes.len() / 4), Compression::fast());
    encoder.write_all(bytes)?;
    encoder.finish()
}

fn decompress(compressed: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    ZlibDecoder::new(compressed)
        .take(MAX_STORED_BODY + 1)
        .read_to_end(&mut out)?;
    if u64::try_from(out.len()).unwrap_or(u64::MAX) > MAX_STORED_BODY {
        return Err(std::io::Error::other(format!(
            "body exceeds {MAX_STORED_BODY} bytes once decompressed"
        )));
    }
    Ok(out)
}

struct RawSource {
    url: String,
    vendor: Option<String>,
    kind: Option<String>,
    role: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    times: [Option<String>; 5],
    last_error: Option<String>,
    last_error_class: Option<String>,
    consecutive_failures: i64,
}

impl RawSource {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<RawSource> {
        Ok(RawSource {
            url: r.get(0)?,
            vendor: r.get(1)?,
            kind: r.get(2)?,
            role: r.get(3)?,
            etag: r.get(4)?,
            last_modified: r.get(5)?,
            last_error: r.get(8)?,
            last_error_class: r.get(9)?,
            consecutive_failures: r.get(10)?,
            // last_checked_at, last_success_at, next_attempt_at, oldest_item_at, newest_item_at
            times: [r.get(6)?, r.get(7)?, r.get(11)?, r.get(12)?, r.get(13)?],
        })
    }

    fn decode(self, db: &str) -> Result<SourceState, StoreError> {
        let url = self.url;
        let bad =
            |field: &str, reason: String| corrupt(db, format!("{field} of source {url}"), reason);
        let [checked, success, next, oldest, newest] = self.times;
        let time = |field: &str, s: Option<String>| {
            s.map(|s| decode_time(&s).map_err(|e| bad(field, format!("{s:?}: {e}"))))
                .transpose()
        };
        let kind = self
            .kind
            .map(|k| k.parse::<Format>())
            .transpose()
            .map_err(|e| bad("kind", e))?;
        let role = match self.role.as_deref() {
            None => None,
            Some(r) if r == ReportKind::Status.as_str() => Some(ReportKind::Status),
            Some(r) if r == ReportKind::Press.as_str() => Some(ReportKind::Press),
            Some(r) => return Err(bad("role", format!("unknown role {r:?}"))),
        };
        Ok(SourceState {
            vendor: self.vendor,
            kind,
            role,
            etag: self.etag,
            last_modified: self.last_modified,
            last_checked_at: time("last_checked_at", checked)?,
            last_success_at: time("last_success_at", success)?,
            last_error: self.last_error,
            last_error_class: self.last_error_class,
            consecutive_failures: u32::try_from(self.consecutive_failures).unwrap_or(u32::MAX),
            next_attempt_at: time("next_attempt_at", next)?,
            oldest_item_at: time("oldest_item_at", oldest)?,
            newest_item_at: time("newest_item_at", newest)?,
            url,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::t;

    const URL: &str = "https://www.githubstatus.com/history.atom";

    fn fetch(at: &str, status: u16, etag: Option<&str>, body: Option<&[u8]>) -> FetchRecord {
        FetchRecord {
            url: URL.into(),
            vendor: Some("GitHub".into()),
            kind: Some(Format::StatuspageAtom),
            role: ReportKind::Status,
            fetched_at: t(at),
            http_status: status,
            validators: Validators {
                etag: etag.map(str::to_string),
                last_modified: None,
            },
            body: body.map(|bytes| FetchedBody {
                bytes: bytes.to_vec(),
                content_type: Some("application/atom+xml".into()),
                format: Some(Format::StatuspageAtom),
            }),
        }
    }

    #[test]
    fn body_is_stored_compressed_and_read_back_whole() {
        let mut store = Store::open_in_memory().expect("store");
        let body = "<feed>".repeat(1000);
        let outcome = store
            .record_fetch(&fetch(
                "2024-03-01T10:00:00Z",
                200,
                Some("\"v1\""),
                Some(body.as_bytes()),
            ))
            .expect("record");
        assert_eq!(outcome, BodyRecord::Stored);
        let stored_len: i64 = store
            .conn
            .query_row("SELECT length(body) FROM fetches", [], |r| r.get(0))
            .expect("blob length");
        assert!(
            stored_len < 200,
            "6000 repetitive bytes compress well, got {stored_len}"
        );
        let bodies = store.latest_bodies().expect("bodies");
        assert_eq!(
            bodies,
            vec![StoredBody {
                url: URL.into(),
                fetched_at: t("2024-03-01T10:00:00Z"),
                format: Some(Format::StatuspageAtom),
                content_type: Some("application/atom+xml".into()),
                bytes: body.into_bytes(),
            }]
        );
        let state = store.source(URL).expect("read").expect("present");
        assert_eq!(state.etag.as_deref(), Some("\"v1\""));
        assert_eq!(state.kind, Some(Format::StatuspageAtom));
        assert_eq!(state.role, Some(ReportKind::Status));
        assert_eq!(state.last_success_at, Some(t("2024-03-01T10:00:00Z")));
    }

    #[test]
    fn identical_body_is_stored_once_and_latest_body_wins() {
        let mut store = Store::open_in_memory().expect("store");
        let first = fetch("2024-03-01T10:00:00Z", 200, None, Some(b"one"));
        assert_eq!(store.record_fetch(&first).expect("one"), BodyRecord::Stored);
        let same = fetch("2024-03-01T11:00:00Z", 200, None, Some(b"one"));
        assert_eq!(
            store.record_fetch(&same).expect("same"),
            BodyRecord::Unchanged
        );
        let second = fetch("2024-03-01T12:00:00Z", 200, None, Some(b"two"));
        assert_eq!(
            store.record_fetch(&second).expect("two"),
            BodyRecord::Stored
        );
        let count: i64 = store
            .conn
            .query_row("SELECT count(*) FROM fetches", [], |r| r.get(0))
            .expect("count");
        assert_eq!(count, 2);
        let bodies = store.latest_bodies().expect("bodies");
        assert_eq!(bodies.len(), 1);
        assert_eq!(bodies[0].bytes, b"two");
        assert_eq!(bodies[0].fetched_at, t("2024-03-01T12:00:00Z"));
    }

    #[test]
    fn not_modified_keeps_validators_unless_new_ones_are_sent() {
        let mut store = Store::open_in_memory().expect("store");
        store
            .record_fetch(&fetch(
                "2024-03-01T10:00:00Z",
                200,
                Some("\"v1\""),
                Some(b"x"),
            ))
            .expect("200");
        let quiet = fetch("2024-03-01T11:00:00Z", 304, None, Some(b"ignored"));
        assert_eq!(store.record_fetch(&quiet).expect("304"), BodyRecord::NoBody);
        let state = store.source(URL).expect("read").expect("present");
        assert_eq!(state.etag.as_deref(), Some("\"v1\""));
        assert_eq!(state.last_checked_at, Some(t("2024-03-01T11:00:00Z")));
        assert_eq!(state.last_success_at, Some(t("2024-03-01T11:00:00Z")));
        let fresh = fetch("2024-03-01T12:00:00Z", 304, Some("\"v2\""), None);
        store.record_fetch(&fresh).expect("304 with etag");
        let state = store.source(URL).expect("read").expect("present");
        assert_eq!(state.etag.as_deref(), Some("\"v2\""));
        assert_eq!(store.latest_bodies().expect("bodies")[0].bytes, b"x");
    }

    #[test]
    fn failures_count_up_keep_the_etag_and_reset_on_success() {
        let mut store = Store::open_in_memory().expect("store");
        store
            .record_fetch(&fetch(
                "2024-03-01T10:00:00Z",
                200,
                Some("\"v1\""),
                Some(b"x"),
            ))
            .expect("200");
        for hour in ["11", "12"] {
            store
                .record_failure(
                    URL,
                    Some("GitHub"),
                    t(&format!("2024-03-01T{hour}:00:00Z")),
                    "timeout",
                    "operation timed out\nafter 30 s",
                )
                .expect("failure");
        }
        let state = store.source(URL).expect("read").expect("present");
        assert_eq!(state.consecutive_failures, 2);
        assert_eq!(state.etag.as_deref(), Some("\"v1\""));
        assert_eq!(
            state.last_error.as_deref(),
            Some("operation timed out after 30 s")
        );
        assert_eq!(state.last_error_class.as_deref(), Some("timeout"));
        assert_eq!(state.last_checked_at, Some(t("2024-03-01T12:00:00Z")));
        assert_eq!(state.last_success_at, Some(t("2024-03-01T10:00:00Z")));
        store
            .record_fetch(&fetch("2024-03-01T13:00:00Z", 304, None, None))
            .expect("recovered");
        let state = store.source(URL).expect("read").expect("present");
        assert_eq!(state.consecutive_failures, 0);
        assert_eq!(state.validators().etag.as_deref(), Some("\"v1\""));
    }

    #[test]
    fn error_status_is_refused_as_a_fetch() {
        let mut store = Store::open_in_memory().expect("store");
        let err = store
            .record_fetch(&fetch("2024-03-01T10:00:00Z", 503, None, Some(b"down")))
            .expect_err("503 is not a success");
        assert!(err.to_string().contains(URL), "{err}");
        assert_eq!(store.source(URL).expect("read"), None);
    }

    #[test]
    fn item_window_and_next_attempt_are_recorded() {
        let mut store = Store::open_in_memory().expect("store");
        store
            .record_items_window(
                URL,
                Some(t("2024-01-01T00:00:00Z")),
                Some(t("2024-03-01T00:00:00Z")),
            )
            .expect("window");
        store
            .set_next_attempt(URL, Some(t("2024-03-01T10:30:00Z")))
            .expect("next attempt");
        let state = store.source(URL).expect("read").expect("present");
        assert_eq!(state.oldest_item_at, Some(t("2024-01-01T00:00:00Z")));
        assert_eq!(state.newest_item_at, Some(t("2024-03-01T00:00:00Z")));
        assert_eq!(state.next_attempt_at, Some(t("2024-03-01T10:30:00Z")));
        assert_eq!(state.consecutive_failures, 0);
        assert_eq!(store.sources().expect("all").len(), 1);
        assert_eq!(store.counts().expect("counts").sources, 1);
    }

    #[test]
    fn an_item_gone_from_inside_the_window_is_flagged_and_kept_an_aged_out_one_is_not() {
        use crate::store::fixtures::incident;
        let mut store = Store::open_in_memory().expect("store");
        let old = incident("old", "2024-01-01T00:00:00Z");
        let mid = incident("mid", "2024-02-01T00:00:00Z");
        let new = incident("new", "2024-03-01T00:00:00Z");
        let newest = incident("newest", "2024-03-10T00:00:00Z");
        store
            .upsert_incidents(
                &[old.clone(), mid.clone(), new.clone()],
                t("2024-03-02T00:00:00Z"),
            )
            .expect("upsert");
        let ids = |list: &[&crate::model::Incident]| -> Vec<String> {
            list.iter().map(|i| i.id.clone()).collect()
        };
        let first = store
            .record_listing(
                URL,
                &ids(&[&old, &mid, &new]),
                Some((t("2024-01-01T00:00:00Z"), t("2024-03-01T00:00:00Z"))),
                t("2024-03-02T00:00:00Z"),
            )
            .expect("first");
        assert_eq!(first, 0);
        // Next fetch: "old" aged out (before the window), "mid" vanished inside it.
        store
            .upsert_incidents(std::slice::from_ref(&newest), t("2024-03-11T00:00:00Z"))
            .expect("upsert");
        let flagged = store
            .record_listing(
                URL,
                &ids(&[&new, &newest]),
                Some((t("2024-01-15T00:00:00Z"), t("2024-03-10T00:00:00Z"))),
                t("2024-03-11T00:00:00Z"),
            )
            .expect("second");
        assert_eq!(flagged, 1);
        let vanished = store.vanished_items(URL).expect("vanished");
        assert_eq!(
            vanished,
            vec![VanishedItem {
                incident_id: mid.id.clone(),
                title: mid.title.clone(),
                last_in_feed_at: t("2024-03-02T00:00:00Z"),
                missing_since: t("2024-03-11T00:00:00Z"),
            }]
        );
        assert_eq!(
            store.counts().expect("counts").incidents,
            4,
            "nothing deleted"
        );
        // Listed again: the flag clears.
        store
            .record_listing(URL, &ids(&[&mid]), None, t("2024-03-12T00:00:00Z"))
            .expect("third");
        assert_eq!(store.vanished_items(URL).expect("vanished"), vec![]);
    }

    #[test]
    fn disk_full_is_a_clear_error_and_committed_rows_survive() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("full.sqlite");
        let mut store = Store::open(&path).expect("store");
        store
            .record_fetch(&fetch(
                "2024-03-01T10:00:00Z",
                200,
                Some("\"v1\""),
                Some(b"small"),
            ))
            .expect("fits");
        let pages: i64 = store
            .conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .expect("page_count");
        store
            .conn
            .query_row(&format!("PRAGMA max_page_count = {}", pages + 2), [], |r| {
                r.get::<_, i64>(0)
            })
            .expect("limit the file");
        // Incompressible bytes, far more than two pages.
        let mut noise = Vec::with_capacity(256 * 1024);
        let mut x: u32 = 0x1234_5678;
        for _ in 0..256 * 1024 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            noise.push((x & 0xff) as u8);
        }
        let err = store
            .record_fetch(&fetch(
                "2024-03-01T11:00:00Z",
                200,
                Some("\"v2\""),
                Some(&noise),
            ))
            .expect_err("the disk is full");
        let message = err.to_string();
        assert!(message.contains("full"), "{message}");
        assert!(message.contains("full.sqlite"), "{message}");
        drop(store);
        let store = Store::open(&path).expect("reopens");
        let state = store.source(URL).expect("read").expect("present");
        assert_eq!(
            state.etag.as_deref(),
            Some("\"v1\""),
            "the failed write rolled back"
        );
        assert_eq!(store.latest_bodies().expect("bodies")[0].bytes, b"small");
    }
}
