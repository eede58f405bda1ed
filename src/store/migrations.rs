//! The schema's history: an ordered list of SQL scripts, migration `n` being `MIGRATIONS[n - 1]`.
//!
//! `PRAGMA user_version` records how many have been applied. A shipped script is never edited,
//! only followed by a new one, because databases in the field already ran it: editing it would
//! leave them with a schema no binary describes.

/// Every migration, oldest first. Append only.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: sources and their fetches, incidents with their updates and versions, the rev counter.
    r#"
CREATE TABLE sources (
    url                  TEXT PRIMARY KEY NOT NULL,
    vendor               TEXT,
    kind                 TEXT,
    role                 TEXT,
    etag                 TEXT,
    last_modified        TEXT,
    last_checked_at      TEXT,
    last_success_at      TEXT,
    last_error           TEXT,
    last_error_class     TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_attempt_at      TEXT,
    oldest_item_at       TEXT,
    newest_item_at       TEXT
);

CREATE TABLE fetches (
    id           INTEGER PRIMARY KEY,
    source_url   TEXT NOT NULL REFERENCES sources(url) ON DELETE CASCADE,
    fetched_at   TEXT NOT NULL,
    http_status  INTEGER NOT NULL,
    content_type TEXT,
    body         BLOB NOT NULL,
    body_sha256  TEXT NOT NULL,
    format       TEXT
);
CREATE INDEX fetches_by_source ON fetches(source_url, id);

CREATE TABLE incidents (
    id              TEXT PRIMARY KEY NOT NULL,
    vendor          TEXT NOT NULL COLLATE NOCASE,
    title           TEXT NOT NULL,
    start           TEXT,
    "end"           TEXT,
    status          TEXT NOT NULL,
    severity        TEXT NOT NULL,
    severity_native TEXT,
    regions         TEXT NOT NULL,
    services        TEXT NOT NULL,
    cause           TEXT,
    sources         TEXT NOT NULL,
    rev             INTEGER NOT NULL,
    first_seen      TEXT NOT NULL,
    last_seen       TEXT NOT NULL,
    content_hash    TEXT NOT NULL
);
CREATE INDEX incidents_by_vendor_start ON incidents(vendor, start);
CREATE INDEX incidents_by_rev ON incidents(rev);

CREATE TABLE updates (
    incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    at          TEXT,
    status      TEXT NOT NULL,
    text        TEXT NOT NULL
);
-- A plain UNIQUE constraint treats NULL times as distinct, so undated updates would repeat.
CREATE UNIQUE INDEX updates_identity ON updates(incident_id, ifnull(at, ''), status, text);

CREATE TABLE incident_versions (
    incident_id  TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    seen_at      TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    json         TEXT NOT NULL
);
CREATE INDEX incident_versions_by_incident ON incident_versions(incident_id, seen_at);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value
);
INSERT INTO meta(key, value) VALUES ('rev', 0);
"#,
    // 2: merged events (issue 5): which incidents form one outage, why (the score and its
    // parts), where each field's value came from, and which feed listed each incident last.
    r#"
CREATE TABLE events (
    id          TEXT PRIMARY KEY NOT NULL,
    vendor      TEXT NOT NULL COLLATE NOCASE,
    start       TEXT,
    "end"       TEXT,
    sort_at     TEXT NOT NULL,
    json        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX events_by_vendor_sort ON events(vendor, sort_at);
CREATE INDEX events_by_sort ON events(sort_at);

CREATE TABLE event_members (
    incident_id     TEXT PRIMARY KEY NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    role            TEXT NOT NULL,
    matched_with    TEXT,
    score_total     REAL,
    score_time      REAL,
    score_text      REAL,
    score_services  REAL,
    score_regions   REAL,
    reason          TEXT NOT NULL,
    incident_hash   TEXT NOT NULL
);
CREATE INDEX event_members_by_event ON event_members(event_id);

CREATE TABLE event_provenance (
    event_id    TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    field       TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    value       TEXT NOT NULL,
    main        INTEGER NOT NULL
);
CREATE INDEX event_provenance_by_event ON event_provenance(event_id, field);

CREATE TABLE feed_listings (
    source_url     TEXT NOT NULL,
    incident_id    TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    last_listed_at TEXT NOT NULL,
    missing_since  TEXT,
    PRIMARY KEY (source_url, incident_id)
);
CREATE INDEX feed_listings_by_incident ON feed_listings(incident_id);
"#,
    // 3: which incidents each source's document listed, so one that vanishes from a feed while
    // still inside the feed's time window is flagged (never deleted).
    r#"
CREATE TABLE source_items (
    source_url      TEXT NOT NULL,
    incident_id     TEXT NOT NULL,
    last_in_feed_at TEXT NOT NULL,
    missing_since   TEXT,
    PRIMARY KEY (source_url, incident_id)
);
"#,
    // 4: saved searches ("every AWS us-east-1 outage"), exported or subscribed to by name.
    r#"
CREATE TABLE watchlists (
    name        TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
    query       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
"#,
    // 5: one table for what each feed listed. Migrations 2 and 3 both recorded it
    // (`feed_listings` for merging, `source_items` for source health); their rows move into
    // `feed_listings`. Where both hold a pair, the later listing wins, and on the same listing
    // time a vanished flag from either is kept, so no flag and no listing is lost. Rows of
    // incidents the store does not hold (never written: `source_items` had no foreign key)
    // are dropped with the old table.
    r#"
INSERT INTO feed_listings (source_url, incident_id, last_listed_at, missing_since)
    SELECT s.source_url, s.incident_id, s.last_in_feed_at, s.missing_since
    FROM source_items s
    WHERE s.incident_id IN (SELECT id FROM incidents)
    ON CONFLICT(source_url, incident_id) DO UPDATE SET
        missing_since = CASE
            WHEN excluded.last_listed_at > feed_listings.last_listed_at THEN excluded.missing_since
            WHEN excluded.last_listed_at < feed_listings.last_listed_at THEN feed_listings.missing_since
            ELSE coalesce(feed_listings.missing_since, excluded.missing_since)
        END,
        last_listed_at = max(feed_listings.last_listed_at, excluded.last_listed_at);
DROP TABLE source_items;
"#,
    // 6: an incident's current content is no longer copied into `incident_versions` when it is
    // written: the row and its updates hold it exactly, and the copy doubled what every new
    // incident wrote. `version_seen_at` is when the current content was first seen; the
    // content becomes a row of `incident_versions` when it is replaced. Rows written before
    // keep NULL: their current content is already in `incident_versions`.
    r#"
ALTER TABLE incidents ADD COLUMN version_seen_at TEXT;
"#,
    // 7: `event_provenance` goes. It held each field's value and source incident per event,
    // which the event's JSON (`events.json`, `MergedEvent.provenance`) already carries, and
    // nothing read it; writing it was about nine rows per event, the largest part of a merge.
    r#"
DROP TABLE event_provenance;
"#,
    // 8: `updates` loses its unique index over (incident, time, status, text), which kept a
    // second copy of every update's text in a b-tree that grew with the store and made each
    // insert a search through it. The upsert already writes only updates the incident does
    // not hold (compared on the whole value in Rust), so the index guarded nothing; reading an
    // incident's updates in order needs only (incident, time).
    r#"
DROP INDEX updates_identity;
CREATE INDEX updates_by_incident ON updates(incident_id, at);
"#,
    // 9: the search index holds events, not incidents (one document per outage, so every view
    // counts and lists the same thing). Each event row gets a rev from the store's counter
    // when it is written, and an event a regrouping removed leaves its id in
    // `event_removals` with the rev of the removal, so the index can drop its document. Rows
    // written before keep rev 0: the index is rebuilt anyway, its schema having changed.
    r#"
ALTER TABLE events ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
CREATE INDEX events_by_rev ON events(rev);
CREATE TABLE event_removals (
    id  TEXT PRIMARY KEY NOT NULL,
    rev INTEGER NOT NULL
);
"#,
    // 10: coverage as data (issue 18): the stretches of time each source covered for each
    // vendor, so figures count covered time only and a failed crawl leaves a hole. Stores
    // written before get what they can show: each status source's item window to its last
    // success, and each vendor's status records' own span (an ingested archive).
    r#"
CREATE TABLE coverage (
    source TEXT NOT NULL,
    vendor TEXT NOT NULL COLLATE NOCASE,
    start  TEXT NOT NULL,
    "end"  TEXT NOT NULL
);
CREATE INDEX coverage_by_vendor ON coverage(vendor, start);
CREATE INDEX coverage_by_source ON coverage(source, vendor, "end");
INSERT INTO coverage (source, vendor, start, "end")
    SELECT url, vendor, oldest_item_at, coalesce(last_success_at, newest_item_at) FROM sources
    WHERE vendor IS NOT NULL AND (role IS NULL OR role = 'status')
      AND oldest_item_at IS NOT NULL AND coalesce(last_success_at, newest_item_at) IS NOT NULL;
INSERT INTO coverage (source, vendor, start, "end")
    SELECT 'records stored before coverage was kept', vendor, min(start),
           max(coalesce("end", start))
    FROM incidents WHERE start IS NOT NULL AND sources LIKE '%"kind":"status"%'
    GROUP BY vendor;
"#,
];

/// The schema version this binary writes.
pub(crate) fn latest_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}
