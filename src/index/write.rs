//! Writing the index: one document per event (one outage, with the text of every member), added
//! in rev order by one writer that commits with the rev reached, so an interrupted sync resumes
//! where the last commit ended.

use tantivy::{IndexWriter, TantivyDocument, Term};

use super::{COMMIT_EVERY, Fields, IndexError, SearchIndex, WRITER_MEMORY, WRITER_THREADS};
use super::{tantivy_date, vendor_key};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::model::{Incident, Severity};
use crate::store::ChangedEvent;

/// One pass of the writer over incidents in rev order: deletes replaced documents, commits
/// every [`COMMIT_EVERY`] documents with the rev reached, and reloads the reader at the end.
pub(super) struct Writing<'a> {
    index: &'a SearchIndex,
    writer: IndexWriter,
    /// Whether the index may already hold the incidents, whose old documents must go.
    replacing: bool,
    wipe: bool,
    pub(super) rev: i64,
    indexed: usize,
    uncommitted: usize,
    committed: bool,
}

impl<'a> Writing<'a> {
    pub(super) fn start(
        index: &'a SearchIndex,
        from: i64,
        wipe: bool,
    ) -> Result<Writing<'a>, IndexError> {
        let writer: IndexWriter = index
            .index
            .writer_with_num_threads(WRITER_THREADS, WRITER_MEMORY)
            .map_err(index.tantivy_err("opening the writer"))?;
        if wipe {
            writer
                .delete_all_documents()
                .map_err(index.tantivy_err("deleting all documents"))?;
        }
        // Into an empty index each incident comes once (a page lists each id once, at its
        // last rev), so there is no old document to delete; the deletes otherwise cost a
        // term lookup each at every commit.
        let replacing = !wipe && index.reader.searcher().num_docs() > 0;
        Ok(Writing {
            index,
            writer,
            replacing,
            wipe,
            rev: from,
            indexed: 0,
            uncommitted: 0,
            committed: false,
        })
    }

    /// Drops the document of an event a regrouping removed.
    pub(super) fn remove(&mut self, id: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.index.fields.id, id));
        self.uncommitted += 1;
    }

    pub(super) fn add(&mut self, changed: &ChangedEvent) -> Result<(), IndexError> {
        if self.replacing {
            self.writer
                .delete_term(Term::from_field_text(self.index.fields.id, &changed.id));
        }
        let event: IndexedEvent =
            serde_json::from_str(&changed.json).map_err(|source| IndexError::Event {
                location: self.index.location.clone(),
                id: changed.id.clone(),
                source,
            })?;
        self.writer
            .add_document(document(&self.index.fields, changed, &event))
            .map_err(self.index.tantivy_err("adding a document"))?;
        self.rev = self.rev.max(changed.rev);
        self.indexed += 1;
        self.uncommitted += 1;
        if self.uncommitted >= COMMIT_EVERY {
            commit(&mut self.writer, self.rev).map_err(self.index.tantivy_err("committing"))?;
            self.committed = true;
            self.uncommitted = 0;
        }
        Ok(())
    }

    /// Commits what is left, claiming `rev`: every event the store wrote up to it is indexed.
    pub(super) fn finish(mut self, rev: i64) -> Result<usize, IndexError> {
        let rev = self.rev.max(rev);
        if self.uncommitted > 0 || rev != self.rev || (self.wipe && !self.committed) {
            commit(&mut self.writer, rev).map_err(self.index.tantivy_err("committing"))?;
        }
        self.writer
            .wait_merging_threads()
            .map_err(self.index.tantivy_err("finishing merges"))?;
        self.index
            .reader
            .reload()
            .map_err(self.index.tantivy_err("reloading the reader"))?;
        Ok(self.indexed)
    }
}

/// What the index reads of a stored event's JSON (`merge::MergedEvent`).
#[derive(Deserialize)]
struct IndexedEvent {
    vendor: String,
    title: String,
    start: Option<DateTime<Utc>>,
    severity: Severity,
    #[serde(default)]
    regions: Vec<String>,
    #[serde(default)]
    services: Vec<String>,
    cause: Option<String>,
    #[serde(default)]
    updates: Vec<IndexedText>,
    #[serde(default)]
    merged_from: Vec<IndexedMember>,
}

#[derive(Deserialize)]
struct IndexedText {
    text: String,
}

#[derive(Deserialize)]
struct IndexedMember {
    incident_id: String,
    title: String,
}

/// The document of one event: its title, and as body every member's update, the other
/// members' titles, the cause, services and regions.
fn document(f: &Fields, changed: &ChangedEvent, event: &IndexedEvent) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.id, &changed.id);
    doc.add_text(f.vendor, vendor_key(&event.vendor));
    doc.add_text(f.vendor_text, &event.vendor);
    let mut parts: Vec<&str> = event.updates.iter().map(|u| u.text.as_str()).collect();
    parts.extend(
        event
            .merged_from
            .iter()
            .map(|m| m.title.as_str())
            .filter(|t| *t != event.title),
    );
    parts.extend(event.cause.as_deref());
    parts.extend(event.services.iter().map(String::as_str));
    parts.extend(event.regions.iter().map(String::as_str));
    parts.retain(|p| !p.trim().is_empty());
    let body = parts.join("\n");
    doc.add_text(f.title, &event.title);
    doc.add_text(f.title_pairs, &event.title);
    doc.add_text(f.body_pairs, &body);
    doc.add_text(f.body, body);
    doc.add_text(f.severity, event.severity.as_str());
    // The same date the store filters and sorts events on, so both answer a date range alike.
    doc.add_date(
        f.start,
        tantivy_date(
            event
                .start
                .or(changed.sort_at)
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
        ),
    );
    doc.add_text(f.vendor_name, &event.vendor);
    if let Some(start) = event.start {
        doc.add_i64(f.onset, start.timestamp());
    }
    for m in &event.merged_from {
        doc.add_text(f.members, &m.incident_id);
    }
    doc
}

fn commit(writer: &mut IndexWriter, rev: i64) -> tantivy::Result<()> {
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&rev.to_string());
    prepared.commit()?;
    Ok(())
}

/// The text searched besides the title: updates oldest first, then cause, services, regions.
pub fn body_text(incident: &Incident) -> String {
    let mut parts: Vec<&str> = incident.updates.iter().map(|u| u.text.as_str()).collect();
    parts.extend(incident.cause.as_deref());
    parts.extend(incident.services.iter().map(String::as_str));
    parts.extend(incident.regions.iter().map(String::as_str));
    parts.retain(|p| !p.trim().is_empty());
    parts.join("\n")
}
