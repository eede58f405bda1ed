//! Writing the index: one document per incident, added in rev order by one writer that
//! commits with the rev reached, so an interrupted sync resumes where the last commit ended.

use tantivy::{IndexWriter, TantivyDocument, Term};

use super::{COMMIT_EVERY, Fields, IndexError, SearchIndex, WRITER_MEMORY, WRITER_THREADS};
use super::{tantivy_date, vendor_key};
use crate::model::Incident;
use crate::store::ChangedIncident;

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

    pub(super) fn add(&mut self, changed: &ChangedIncident) -> Result<(), IndexError> {
        if self.replacing {
            self.writer.delete_term(Term::from_field_text(
                self.index.fields.id,
                &changed.incident.id,
            ));
        }
        self.writer
            .add_document(document(&self.index.fields, changed))
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

    pub(super) fn finish(mut self) -> Result<usize, IndexError> {
        if self.uncommitted > 0 || (self.wipe && !self.committed) {
            commit(&mut self.writer, self.rev).map_err(self.index.tantivy_err("committing"))?;
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

/// The document of one incident.
fn document(f: &Fields, changed: &ChangedIncident) -> TantivyDocument {
    let incident = &changed.incident;
    let mut doc = TantivyDocument::default();
    doc.add_text(f.id, &incident.id);
    doc.add_text(f.vendor, vendor_key(&incident.vendor));
    doc.add_text(f.vendor_text, &incident.vendor);
    let body = body_text(incident);
    doc.add_text(f.title, &incident.title);
    doc.add_text(f.title_pairs, &incident.title);
    doc.add_text(f.body_pairs, &body);
    doc.add_text(f.body, body);
    doc.add_text(f.severity, incident.severity.as_str());
    // The same date the store filters and sorts on, so both answer a date range alike.
    doc.add_date(
        f.start,
        tantivy_date(incident.start.unwrap_or(changed.first_seen)),
    );
    doc.add_text(f.vendor_name, &incident.vendor);
    if let Some(start) = incident.start {
        doc.add_i64(f.onset, start.timestamp());
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
