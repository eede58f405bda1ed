//! A query that is one phrase, its top k found without reading the positions of every match.
//!
//! A phrase of common words ("of the", "we are investigating") occurs in nearly every document,
//! and tantivy reads the word positions of each one before scoring it: that walk was the slow
//! tail of search. Here each document's score is first bounded from its term frequencies alone
//! (a phrase occurs no more often than its rarest word, and BM25 grows with the frequency), and
//! positions are read only where the bound beats the worst score of the page so far. Those
//! scores come from tantivy's own phrase scorer, so the page is the one the plain query ranks;
//! every other use of the query (counts, facets, date order) runs the plain query itself.

use std::fmt;

use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    Bm25Weight, BoostQuery, EnableScoring, Explanation, PhraseQuery, Query, Scorer, Weight,
};
use tantivy::query_grammar::{UserInputAst, UserInputLeaf};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

use super::rank::{DocBoost, RankBy};

/// The phrase in one text field, as the query parser builds it.
#[derive(Debug, Clone)]
pub(super) struct FieldPhrase {
    field: Field,
    boost: Score,
    /// Each token's position in the phrase and its term.
    terms: Vec<(usize, Term)>,
}

/// The phrase of `text` in each of `fields` (with the parser's boost), when `text` is one
/// phrase and nothing else: a quoted phrase without slop, or one word the analyzer splits
/// ("us-east-1"). `analyzer` gives each field's analyzer.
pub(super) fn single_phrase(
    text: &str,
    fields: &[(Field, Score)],
    mut analyzer: impl FnMut(Field) -> Option<TextAnalyzer>,
) -> Option<Vec<FieldPhrase>> {
    let (mut ast, errors) = tantivy::query_grammar::parse_query_lenient(text);
    if !errors.is_empty() {
        return None;
    }
    let literal = loop {
        match ast {
            UserInputAst::Clause(mut clauses) if clauses.len() == 1 => {
                let (occur, inner) = clauses.pop()?;
                if occur.is_some() {
                    return None;
                }
                ast = inner;
            }
            UserInputAst::Leaf(leaf) => match *leaf {
                UserInputLeaf::Literal(literal) => break literal,
                _ => return None,
            },
            _ => return None,
        }
    };
    if literal.field_name.is_some() || literal.slop > 0 || literal.prefix {
        return None;
    }
    let mut phrases = Vec::with_capacity(fields.len());
    for &(field, boost) in fields {
        let mut analyzer = analyzer(field)?;
        let mut terms = Vec::new();
        analyzer
            .token_stream(&literal.phrase)
            .process(&mut |token| {
                terms.push((token.position, Term::from_field_text(field, &token.text)));
            });
        if terms.len() < 2 {
            return None;
        }
        phrases.push(FieldPhrase {
            field,
            boost,
            terms,
        });
    }
    Some(phrases)
}

/// The phrase over its fields (their scores summed, as the parser's disjunction does) within
/// `filters`; `exact` is the same query as the parser and the filters build it.
pub(super) struct PrunedPhrase {
    pub exact: Box<dyn Query>,
    pub phrases: Vec<FieldPhrase>,
    pub filters: Vec<Box<dyn Query>>,
    /// The collector's order, whose boost the bound is compared in.
    pub by: RankBy,
    /// Documents visited before judging the bound: when it admitted more than half of them
    /// (words far more frequent than the phrase, as "of the" in outage prose), the rest of the
    /// segment runs the plain query, which reads positions without the bound's extra work.
    pub judge_after: u32,
}

/// [`PrunedPhrase::judge_after`] for searches.
pub(super) const JUDGE_AFTER: u32 = 1024;

impl Clone for PrunedPhrase {
    fn clone(&self) -> Self {
        PrunedPhrase {
            exact: self.exact.box_clone(),
            phrases: self.phrases.clone(),
            filters: self.filters.iter().map(|f| f.box_clone()).collect(),
            by: self.by,
            judge_after: self.judge_after,
        }
    }
}

impl fmt::Debug for PrunedPhrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrunedPhrase({:?})", self.exact)
    }
}

impl Query for PrunedPhrase {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let exact = self.exact.weight(scoring)?;
        let EnableScoring::Enabled {
            statistics_provider,
            ..
        } = scoring
        else {
            return Ok(exact);
        };
        let mut phrases = Vec::with_capacity(self.phrases.len());
        for phrase in &self.phrases {
            let terms: Vec<Term> = phrase.terms.iter().map(|(_, t)| t.clone()).collect();
            let plain: Box<dyn Query> =
                Box::new(PhraseQuery::new_with_offset(phrase.terms.clone()));
            // Boosted as the parser does, so the exact scores are the parser's own.
            let query: Box<dyn Query> = if (phrase.boost - 1.0).abs() < Score::EPSILON {
                plain
            } else {
                Box::new(BoostQuery::new(plain, phrase.boost))
            };
            phrases.push(PhraseWeight {
                field: phrase.field,
                bound: Bm25Weight::for_terms(statistics_provider, &terms)?.boost_by(phrase.boost),
                terms,
                exact: query.weight(scoring)?,
            });
        }
        let filters = self
            .filters
            .iter()
            .map(|f| f.weight(EnableScoring::disabled_from_schema(scoring.schema())))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(PrunedPhraseWeight {
            exact,
            phrases,
            filters,
            by: self.by,
            judge_after: self.judge_after,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.exact.query_terms(visitor);
    }
}

struct PhraseWeight {
    field: Field,
    terms: Vec<Term>,
    /// The phrase's BM25 with its field boost: scored at a term frequency, a bound.
    bound: Bm25Weight,
    exact: Box<dyn Weight>,
}

struct PrunedPhraseWeight {
    exact: Box<dyn Weight>,
    phrases: Vec<PhraseWeight>,
    filters: Vec<Box<dyn Weight>>,
    by: RankBy,
    judge_after: u32,
}

/// One field's phrase in one segment: the documents holding every word, with frequencies only,
/// and the exact scorer that reads positions.
struct Cursor<'a> {
    weight: &'a PhraseWeight,
    postings: Vec<SegmentPostings>,
    norms: tantivy::fieldnorm::FieldNormReader,
    exact: Box<dyn Scorer>,
    /// The current document holding every word, or TERMINATED.
    doc: DocId,
}

impl Cursor<'_> {
    /// Moves to the first document at or after `target` holding every word.
    fn align(&mut self, target: DocId) {
        let mut candidate = target;
        'search: while candidate != TERMINATED {
            for postings in &mut self.postings {
                let mut at = postings.doc();
                if at < candidate {
                    at = postings.seek(candidate);
                }
                if at > candidate {
                    candidate = at;
                    continue 'search;
                }
            }
            break;
        }
        self.doc = candidate;
    }

    /// The most the phrase can score in the current document.
    fn bound(&self) -> Score {
        let least = self
            .postings
            .iter()
            .map(|p| p.term_freq())
            .min()
            .unwrap_or(0);
        self.weight
            .bound
            .score(self.norms.fieldnorm_id(self.doc), least)
    }

    /// The exact score of the phrase in the current document; `None` when its words are there
    /// but not as the phrase.
    fn exact(&mut self) -> Option<Score> {
        let mut at = self.exact.doc();
        if at < self.doc {
            at = self.exact.seek(self.doc);
        }
        (at == self.doc).then(|| self.exact.score())
    }
}

impl Weight for PrunedPhraseWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.exact.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.exact.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.exact.count(reader)
    }

    fn for_each(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        self.exact.for_each(reader, callback)
    }

    fn for_each_no_score(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        self.exact.for_each_no_score(reader, callback)
    }

    fn for_each_pruning(
        &self,
        mut threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let mut cursors = Vec::with_capacity(self.phrases.len());
        for weight in &self.phrases {
            let inverted = reader.inverted_index(weight.field)?;
            let mut postings = Vec::with_capacity(weight.terms.len());
            for term in &weight.terms {
                match inverted.read_postings(term, IndexRecordOption::WithFreqs)? {
                    Some(p) => postings.push(p),
                    None => break,
                }
            }
            if postings.len() < weight.terms.len() {
                // A word missing from this segment's field: the phrase cannot occur in it.
                continue;
            }
            let norms = match reader.fieldnorms_readers().get_field(weight.field)? {
                Some(norms) => norms,
                None => tantivy::fieldnorm::FieldNormReader::constant(reader.max_doc(), 1),
            };
            let mut cursor = Cursor {
                weight,
                postings,
                norms,
                exact: weight.exact.scorer(reader, 1.0)?,
                doc: 0,
            };
            cursor.align(0);
            cursors.push(cursor);
        }
        let boosts = DocBoost::for_segment(reader, self.by)?;
        let mut filters = self
            .filters
            .iter()
            .map(|f| f.scorer(reader, 1.0))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let (mut visited, mut admitted) = (0u32, 0u32);
        loop {
            let doc = cursors.iter().map(|c| c.doc).min().unwrap_or(TERMINATED);
            if doc == TERMINATED {
                return Ok(());
            }
            visited += 1;
            if visited > self.judge_after && admitted > visited / 2 {
                // Every document before `doc` is settled: the plain query takes over from it.
                let mut plain = self.exact.scorer(reader, 1.0)?;
                let mut at = plain.doc();
                if at < doc {
                    at = plain.seek(doc);
                }
                while at != TERMINATED {
                    let score = plain.score();
                    if score > threshold {
                        threshold = callback(at, score);
                    }
                    at = plain.advance();
                }
                return Ok(());
            }
            let bound: Score = cursors
                .iter()
                .filter(|c| c.doc == doc)
                .map(Cursor::bound)
                .sum();
            if bound > threshold
                && boosts.may_reach(doc, bound, threshold)
                && passes(&mut filters, doc)
            {
                admitted += 1;
                let mut score: Score = 0.0;
                let mut found = false;
                for cursor in cursors.iter_mut().filter(|c| c.doc == doc) {
                    if let Some(s) = cursor.exact() {
                        score += s;
                        found = true;
                    }
                }
                if found && score > threshold {
                    threshold = callback(doc, score);
                }
            }
            for cursor in cursors.iter_mut().filter(|c| c.doc == doc) {
                cursor.align(doc + 1);
            }
        }
    }
}

/// Whether `doc` is in every filter; the filters only ever move forward.
fn passes(filters: &mut [Box<dyn Scorer>], doc: DocId) -> bool {
    filters.iter_mut().all(|filter| {
        let mut at = filter.doc();
        if at < doc {
            at = filter.seek(doc);
        }
        at == doc
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{MatchFilter, RankBy, SearchIndex, SearchQuery};
    use crate::model::Severity;
    use crate::store::Store;
    use crate::store::fixtures::{incident, t, update};

    fn query(text: &str) -> SearchQuery {
        SearchQuery {
            text: text.into(),
            limit: 10,
            ..SearchQuery::default()
        }
    }

    /// An index of one incident, for the phrase detection's analyzers.
    fn setup() -> SearchIndex {
        let mut store = Store::open_in_memory().expect("store");
        store
            .upsert_incidents(
                &[incident("runners", "2024-03-01T10:00:00Z")],
                t("2024-03-02T00:00:00Z"),
            )
            .expect("upsert");
        let mut index = SearchIndex::open_in_ram().expect("index");
        index.sync(&store).expect("sync");
        index
    }

    /// Incidents whose text mixes common words at varied frequencies and lengths, over two
    /// commits (two segments), with vendors and severities to filter on.
    fn common_words_index() -> (Store, SearchIndex) {
        const WORDS: &[&str] = &[
            "of",
            "the",
            "we",
            "are",
            "investigating",
            "is",
            "down",
            "in",
            "and",
            "working",
            "on",
            "outage",
            "api",
            "errors",
            "the",
            "of",
            "us-east-1",
            "region",
        ];
        let mut store = Store::open_in_memory().expect("store");
        let mut index = SearchIndex::open_in_ram().expect("index");
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |below: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % below as u64) as usize
        };
        for batch in 0..2 {
            let mut incidents = Vec::new();
            for n in 0..150 {
                let mut i = incident(&format!("c{batch}-{n}"), "2024-03-01T10:00:00Z");
                let words: Vec<&str> = (0..3 + next(60))
                    .map(|_| WORDS.get(next(WORDS.len())).copied().unwrap_or("the"))
                    .collect();
                i.updates = vec![update(
                    "2024-03-01T10:00:00Z",
                    "investigating",
                    &words.join(" "),
                )];
                let title: Vec<&str> = (0..1 + next(6))
                    .map(|_| WORDS.get(next(WORDS.len())).copied().unwrap_or("of"))
                    .collect();
                i.title = title.join(" ");
                if n % 3 == 0 {
                    i.vendor = "Slack".into();
                    i.id = format!("slack:c{batch}-{n}");
                }
                i.severity = [Severity::Major, Severity::Minor, Severity::Critical][n % 3];
                i.start =
                    Some(t("2020-01-01T00:00:00Z") + chrono::Duration::days(next(1500) as i64));
                incidents.push(i);
            }
            store
                .upsert_incidents(&incidents, t("2024-03-02T00:00:00Z"))
                .expect("upsert");
            index.sync(&store).expect("sync");
        }
        (store, index)
    }

    #[test]
    fn pruned_phrase_ranks_the_same_page_as_the_plain_phrase_query() {
        let (_store, index) = common_words_index();
        let now = t("2024-06-01T00:00:00Z");
        let mut pruned_queries = 0;
        for text in [
            "\"of the\"",
            "\"the of\"",
            "\"we are investigating\"",
            "\"is down\"",
            "\"the the\"",
            "\"and working on the\"",
            "us-east-1",
            "\"api errors\"",
            "+\"of the\"",
        ] {
            assert!(
                single_phrase(text, &index.text_fields(), |f| {
                    index.index.tokenizer_for_field(f).ok()
                })
                .is_some(),
                "{text} is one phrase"
            );
            for (vendor, severity) in [
                (None, None),
                (Some("slack"), None),
                (None, Some(Severity::Major)),
            ] {
                for by in [RankBy::Relevance, RankBy::Boosted { now }] {
                    for limit in [1, 3, 10, 40] {
                        let q = SearchQuery {
                            vendor: vendor.map(str::to_string),
                            severity,
                            limit,
                            ..query(text)
                        };
                        let filter = MatchFilter::default();
                        let plain = index
                            .top_pruned(&q, by, &filter, false, None)
                            .expect("plain");
                        let judged = index
                            .top_pruned(&q, by, &filter, false, Some(16))
                            .expect("pruned, then plain");
                        assert_eq!(
                            judged.ranked, plain.ranked,
                            "{text} {vendor:?} {severity:?} {by:?} {limit}, judged early"
                        );
                        let pruned = index
                            .top_pruned(&q, by, &filter, false, Some(u32::MAX))
                            .expect("pruned");
                        assert_eq!(
                            pruned.ranked, plain.ranked,
                            "{text} {vendor:?} {severity:?} {by:?} {limit}"
                        );
                        pruned_queries += usize::from(!plain.ranked.is_empty());
                    }
                }
            }
        }
        // Every query found something in most settings: the comparison was not of empty pages.
        assert!(pruned_queries >= 150, "{pruned_queries}");
    }

    #[test]
    fn only_a_lone_unfielded_phrase_without_slop_is_pruned() {
        let index = setup();
        let fields = index.text_fields();
        let phrase = |text: &str| {
            single_phrase(text, &fields, |f| index.index.tokenizer_for_field(f).ok()).is_some()
        };
        assert!(phrase("\"we are investigating\""));
        assert!(phrase("us-east-1"));
        for other in [
            "of the",
            "\"outage\"",
            "\"of the\"~2",
            "title:\"of the\"",
            "\"of the\" outage",
            "\"of the\"^2",
            "",
        ] {
            assert!(!phrase(other), "{other}");
        }
    }
}
