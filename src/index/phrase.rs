//! Phrases of common words answered from pair terms (Lucene's CommonGrams idea), with the
//! same matches and the same scores as tantivy's phrase query.
//!
//! A phrase like "of the" matches most documents, and tantivy checks it by reading every
//! position of both words in each of them: the slow tail of search. The title and body are
//! also indexed as pairs of adjacent stems where one is a common word ([`super::stem`]), each
//! pair at its first word's position. A phrase whose every adjacent pair is such a pair
//! matches at position p exactly when each of its pairs occurs at p plus its offset, so its
//! count is the frequency of its one pair (two words) or the intersection of a few short
//! position lists (more words). The score is tantivy's: BM25 over the phrase's own words, with
//! the field length of the original field, so rankings do not move.
//!
//! The rewrite mirrors tantivy's query parser over its syntax tree and replaces only those
//! phrases; the mirror, built without the replacement, must print exactly as the parser's own
//! query, or the parser's query is used as it is.

use std::fmt;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    Bm25Weight, BooleanQuery, BoostQuery, EmptyQuery, EmptyScorer, EnableScoring, Explanation,
    Occur, PhraseQuery, Query, QueryParser, Scorer, Weight,
};
use tantivy::query_grammar::{UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

use super::stem::{is_common, pair_term};

/// A default field of free text, with its boost and, when it has one, its pair field.
#[derive(Debug, Clone, Copy)]
pub(super) struct TextField {
    pub field: Field,
    pub boost: Score,
    pub pairs: Option<Field>,
}

/// `parsed` (the parser's query of `text`) with each common-word phrase over a field with
/// pairs answered from the pairs; `parsed` itself when there is no such phrase or the mirror
/// of the parser differs from it.
pub(super) fn rewrite(
    text: &str,
    parsed: &dyn Query,
    parser: &QueryParser,
    fields: &[TextField],
    analyzer: &mut TextAnalyzer,
) -> Option<Box<dyn Query>> {
    let (ast, _) = tantivy::query_grammar::parse_query_lenient(text);
    let mut mirror = Mirror {
        parser,
        fields,
        analyzer,
        rewritten: 0,
    };
    let plain = mirror.build(ast.clone(), false).unwrap_or_else(empty);
    if format!("{plain:?}") != format!("{parsed:?}") {
        tracing::debug!(query = %text, "phrase rewrite skipped: the mirror differs from the parser");
        return None;
    }
    let rewritten = mirror.build(ast, true).unwrap_or_else(empty);
    (mirror.rewritten > 0).then_some(rewritten)
}

fn empty() -> Box<dyn Query> {
    Box::new(EmptyQuery)
}

/// Builds tantivy's query from the syntax tree as its parser does (`None` where it trims an
/// empty clause), leaving every leaf but the phrases it rewrites to the parser itself.
struct Mirror<'a> {
    parser: &'a QueryParser,
    fields: &'a [TextField],
    analyzer: &'a mut TextAnalyzer,
    /// Phrases replaced by the last build with rewriting.
    rewritten: usize,
}

impl Mirror<'_> {
    fn build(&mut self, ast: UserInputAst, rewrite: bool) -> Option<Box<dyn Query>> {
        match ast {
            UserInputAst::Clause(children) => {
                let mut clauses = Vec::with_capacity(children.len());
                for (occur, child) in children {
                    if let Some(query) = self.build(child, rewrite) {
                        clauses.push((occur.unwrap_or(Occur::Should), query));
                    }
                }
                (!clauses.is_empty())
                    .then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
            }
            UserInputAst::Boost(child, boost) => {
                let query = self.build(*child, rewrite)?;
                let boost = boost.into_inner() as Score;
                Some(if (boost - 1.0).abs() < Score::EPSILON {
                    query
                } else {
                    Box::new(BoostQuery::new(query, boost))
                })
            }
            UserInputAst::Leaf(leaf) => {
                if rewrite
                    && let UserInputLeaf::Literal(literal) = leaf.as_ref()
                    && let Some(query) = self.common_phrase(literal)
                {
                    self.rewritten += 1;
                    return Some(query);
                }
                let (query, _) = self
                    .parser
                    .build_query_from_user_input_ast_lenient(UserInputAst::Leaf(leaf));
                (!query.is::<EmptyQuery>()).then_some(query)
            }
        }
    }

    /// The query of a phrase on the default fields whose words are consecutive and pair up
    /// into common pairs, with pairs where a field has them; `None` for any other literal.
    /// Checked against the parser's query of the same literal.
    fn common_phrase(&mut self, literal: &UserInputLiteral) -> Option<Box<dyn Query>> {
        if literal.field_name.is_some() || literal.slop != 0 || literal.prefix {
            return None;
        }
        let mut words: Vec<(usize, String)> = Vec::new();
        self.analyzer
            .token_stream(&literal.phrase)
            .process(&mut |token| words.push((token.position, token.text.clone())));
        if words.len() < 2 {
            return None;
        }
        let pairs: Vec<(usize, String)> = words
            .windows(2)
            .map_while(|pair| match pair {
                [(at, first), (next, second)]
                    if *next == at + 1 && (is_common(first) || is_common(second)) =>
                {
                    Some((*at, pair_term(first, second)))
                }
                _ => None,
            })
            .collect();
        if pairs.len() + 1 != words.len() {
            return None;
        }
        let plain = self.per_field(&words, None);
        let (parsed, _) = self
            .parser
            .build_query_from_user_input_ast_lenient(UserInputAst::Leaf(Box::new(
                UserInputLeaf::Literal(literal.clone()),
            )));
        if format!("{plain:?}") != format!("{parsed:?}") {
            return None;
        }
        Some(self.per_field(&words, Some(&pairs)))
    }

    /// The phrase over each default field as the parser builds it (a should-clause per field,
    /// each boosted by its field's boost), answered from pairs when `pairs` is given.
    fn per_field(
        &self,
        words: &[(usize, String)],
        pairs: Option<&[(usize, String)]>,
    ) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for field in self.fields {
            let terms = |f: Field, list: &[(usize, String)]| -> Vec<(usize, Term)> {
                list.iter()
                    .map(|(at, text)| (*at, Term::from_field_text(f, text)))
                    .collect()
            };
            let phrase: Box<dyn Query> = match (pairs, field.pairs) {
                (Some(pairs), Some(pair_field)) => Box::new(PairPhraseQuery {
                    words: terms(field.field, words),
                    pairs: terms(pair_field, pairs),
                }),
                _ => Box::new(PhraseQuery::new_with_offset_and_slop(
                    terms(field.field, words),
                    0,
                )),
            };
            let phrase = if (field.boost - 1.0).abs() < Score::EPSILON {
                phrase
            } else {
                Box::new(BoostQuery::new(phrase, field.boost))
            };
            clauses.push((Occur::Should, phrase));
        }
        match clauses.len() {
            1 => clauses.pop().map_or_else(empty, |(_, q)| q),
            _ => Box::new(BooleanQuery::new(clauses)),
        }
    }
}

/// A phrase of `words` (offset, term in the text field) answered from `pairs` (offset, term in
/// the pair field), one pair per adjacent pair of words.
#[derive(Clone)]
pub(super) struct PairPhraseQuery {
    words: Vec<(usize, Term)>,
    pairs: Vec<(usize, Term)>,
}

impl fmt::Debug for PairPhraseQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PairPhraseQuery")
            .field("words", &self.words)
            .field("pairs", &self.pairs)
            .finish()
    }
}

impl Query for PairPhraseQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let words: Vec<Term> = self.words.iter().map(|(_, t)| t.clone()).collect();
        // As tantivy's phrase weight: BM25 over the words of the phrase in the text field.
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(Bm25Weight::for_terms(statistics_provider, &words)?),
            EnableScoring::Disabled { .. } => None,
        };
        let field = words
            .first()
            .map(Term::field)
            .ok_or_else(|| TantivyError::InvalidArgument("a phrase without words".into()))?;
        Ok(Box::new(PairPhraseWeight {
            field,
            pairs: self.pairs.clone(),
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, term) in &self.words {
            visitor(term, true);
        }
    }
}

struct PairPhraseWeight {
    /// The text field, whose lengths score the phrase.
    field: Field,
    pairs: Vec<(usize, Term)>,
    bm25: Option<Bm25Weight>,
}

impl PairPhraseWeight {
    fn pair_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<PairPhraseScorer>> {
        let bm25 = self.bm25.as_ref().map(|w| w.boost_by(boost));
        let lengths = match (&bm25, reader.fieldnorms_readers().get_field(self.field)?) {
            (Some(_), Some(lengths)) => lengths,
            _ => FieldNormReader::constant(reader.max_doc(), 1),
        };
        // One pair's frequency is the phrase's count: no positions needed.
        let option = if self.pairs.len() == 1 {
            IndexRecordOption::WithFreqs
        } else {
            IndexRecordOption::WithFreqsAndPositions
        };
        let max_offset = self.pairs.iter().map(|(at, _)| *at).max().unwrap_or(0);
        let mut postings = Vec::with_capacity(self.pairs.len());
        for (at, term) in &self.pairs {
            let Some(list) = reader
                .inverted_index(term.field())?
                .read_postings(term, option)?
            else {
                return Ok(None);
            };
            let shift = u32::try_from(max_offset - at).unwrap_or(u32::MAX);
            postings.push((shift, list));
        }
        Ok(Some(PairPhraseScorer::new(postings, bm25, lengths)))
    }
}

impl Weight for PairPhraseWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.pair_scorer(reader, boost)? {
            Some(scorer) => Box::new(scorer),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let not_matched =
            || TantivyError::InvalidArgument(format!("document #{doc} does not match the phrase"));
        let mut scorer = self.pair_scorer(reader, 1.0)?.ok_or_else(not_matched)?;
        if scorer.seek(doc) != doc {
            return Err(not_matched());
        }
        Ok(Explanation::new(
            "phrase from common-word pairs",
            scorer.score(),
        ))
    }
}

/// The documents where every pair occurs at the phrase's positions, with the phrase count.
struct PairPhraseScorer {
    /// Each pair's postings with what to add to its positions to align them on the last pair.
    postings: Vec<(u32, SegmentPostings)>,
    bm25: Option<Bm25Weight>,
    lengths: FieldNormReader,
    doc: DocId,
    count: u32,
    left: Vec<u32>,
    right: Vec<u32>,
}

impl PairPhraseScorer {
    fn new(
        postings: Vec<(u32, SegmentPostings)>,
        bm25: Option<Bm25Weight>,
        lengths: FieldNormReader,
    ) -> PairPhraseScorer {
        let mut scorer = PairPhraseScorer {
            postings,
            bm25,
            lengths,
            doc: TERMINATED,
            count: 0,
            left: Vec::new(),
            right: Vec::new(),
        };
        let first = scorer.postings.first().map_or(TERMINATED, |(_, p)| p.doc());
        scorer.doc = scorer.next_match(first);
        scorer
    }

    /// The first document at or after `candidate` where the phrase occurs.
    fn next_match(&mut self, mut candidate: DocId) -> DocId {
        loop {
            candidate = self.align(candidate);
            if candidate == TERMINATED {
                self.count = 0;
                return TERMINATED;
            }
            self.count = self.phrase_count();
            if self.count > 0 {
                return candidate;
            }
            candidate = match self.postings.first_mut() {
                Some((_, first)) => first.advance(),
                None => TERMINATED,
            };
        }
    }

    /// Moves every postings list to the first document at or after `candidate` that all hold.
    fn align(&mut self, mut candidate: DocId) -> DocId {
        'search: loop {
            if candidate == TERMINATED {
                return TERMINATED;
            }
            for (_, list) in &mut self.postings {
                let mut doc = list.doc();
                if doc < candidate {
                    doc = list.seek(candidate);
                }
                if doc > candidate {
                    candidate = doc;
                    continue 'search;
                }
            }
            return candidate;
        }
    }

    /// Occurrences of the phrase in the current document, all pairs being on it.
    fn phrase_count(&mut self) -> u32 {
        let PairPhraseScorer {
            postings,
            left,
            right,
            ..
        } = self;
        let Some(((shift, first), rest)) = postings.split_first_mut() else {
            return 0;
        };
        if rest.is_empty() {
            return first.term_freq();
        }
        first.positions_with_offset(*shift, left);
        for (shift, list) in rest {
            list.positions_with_offset(*shift, right);
            let mut at = 0;
            left.retain(|position| {
                while right.get(at).is_some_and(|r| r < position) {
                    at += 1;
                }
                right.get(at) == Some(position)
            });
            if left.is_empty() {
                return 0;
            }
        }
        u32::try_from(left.len()).unwrap_or(u32::MAX)
    }
}

impl DocSet for PairPhraseScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let next = match self.postings.first_mut() {
            Some((_, first)) => first.advance(),
            None => TERMINATED,
        };
        self.doc = self.next_match(next);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.doc = self.next_match(target);
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.postings
            .iter()
            .map(|(_, p)| p.size_hint())
            .min()
            .unwrap_or(0)
    }
}

impl Scorer for PairPhraseScorer {
    fn score(&mut self) -> Score {
        match &self.bm25 {
            Some(bm25) => bm25.score(self.lengths.fieldnorm_id(self.doc), self.count),
            None => 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::DocAddress;
    use tantivy::collector::TopDocs;

    use crate::index::{SearchIndex, SearchQuery};
    use crate::store::Store;
    use crate::store::fixtures::{incident, t, update};

    /// Generated incidents in two commits (two segments), the second replacing some of the
    /// first (deleted documents), so pairs are read across segments and past deletions.
    fn generated() -> SearchIndex {
        let mut events = crate::bench::generate::Generator::new(7).incidents(400);
        let mut store = Store::open_in_memory().expect("store");
        store
            .upsert_incidents(&events[..200], t("2026-01-01T00:00:00Z"))
            .expect("first half");
        crate::merge::merge_pending(&mut store, t("2026-01-01T00:00:00Z")).expect("merge");
        let mut index = SearchIndex::open_in_ram().expect("index");
        index.sync(&store).expect("first sync");
        for e in events.iter_mut().take(50) {
            e.title = format!("{} in the region of the outage", e.title);
        }
        store
            .upsert_incidents(&events, t("2026-01-02T00:00:00Z"))
            .expect("second part");
        crate::merge::merge_pending(&mut store, t("2026-01-02T00:00:00Z")).expect("merge");
        index.sync(&store).expect("second sync");
        index
    }

    /// Every match of `query` with its score bits, best first (ties by address).
    fn all_hits(index: &SearchIndex, query: &dyn tantivy::query::Query) -> Vec<(u32, DocAddress)> {
        let searcher = index.reader.searcher();
        let mut hits: Vec<(u32, DocAddress)> = searcher
            .search(query, &TopDocs::with_limit(100_000).order_by_score())
            .expect("search")
            .into_iter()
            .filter(|(_, address)| {
                let segment = searcher.segment_reader(address.segment_ord);
                !segment.is_deleted(address.doc_id)
            })
            .map(|(score, address)| (score.to_bits(), address))
            .collect();
        hits.sort();
        hits
    }

    #[test]
    fn pair_phrases_match_and_score_exactly_as_tantivy_phrases() {
        let index = generated();
        for text in [
            "\"of the\"",
            "\"in the\"",
            "\"we are investigating\"",
            "\"is experiencing\"",
            "\"and are working on\"",
            "\"the results\"",
            "\"region of the outage\"",
            "\"of the\" degraded",
            "\"we are\" OR \"the issue\"",
            "+\"in the\" -degraded",
            "\"monitoring the results\"^3",
            "(\"we are\" AND errors) OR \"in the\"",
            "in-the",
        ] {
            // The retry with words within one edit keeps its phrases exact, and rewritten.
            for fuzzy in [false, true] {
                let (searched, parsed) = index.text_query(text, fuzzy);
                assert!(
                    format!("{searched:?}").contains("PairPhraseQuery"),
                    "{text}: not rewritten: {searched:?}"
                );
                let expected = all_hits(&index, parsed.as_ref());
                assert!(!expected.is_empty(), "{text} matches nothing");
                assert_eq!(all_hits(&index, searched.as_ref()), expected, "{text}");
            }
        }
    }

    #[test]
    fn phrases_without_a_common_pair_stay_tantivys() {
        let index = generated();
        for text in [
            "\"database failover\"",
            "\"degraded performance of the\"",
            "\"of the\"~1",
            "degraded",
            "",
        ] {
            let (searched, parsed) = index.text_query(text, false);
            assert_eq!(format!("{searched:?}"), format!("{parsed:?}"), "{text}");
        }
    }

    #[test]
    fn common_phrases_find_exactly_these_incidents_in_this_order() {
        let mut store = Store::open_in_memory().expect("store");
        let texts = [
            (
                "cause",
                "Degraded API",
                "We are investigating the cause of the outage.",
            ),
            (
                "an",
                "Network issue",
                "The cause of an outage is the network, as we said before.",
            ),
            (
                "not",
                "Queue delays",
                "We are not investigating, we are monitoring.",
            ),
            ("art", "State of the art failover", "Recovered."),
            (
                "twice",
                "Errors",
                "Some of the jobs and some of the runners of the fleet.",
            ),
        ];
        let incidents: Vec<_> = texts
            .iter()
            .enumerate()
            .map(|(n, (id, title, text))| {
                let mut i = incident(id, &format!("2024-03-0{}T10:00:00Z", n + 1));
                i.title = (*title).to_string();
                i.updates = vec![update("2024-03-01T10:00:00Z", "investigating", text)];
                i
            })
            .collect();
        store
            .upsert_incidents(&incidents, t("2024-03-10T00:00:00Z"))
            .expect("upsert");
        crate::merge::merge_pending(&mut store, t("2024-03-10T00:00:00Z")).expect("merge");
        let mut index = SearchIndex::open_in_ram().expect("index");
        index.sync(&store).expect("sync");
        let ids = |text: &str| -> Vec<String> {
            let q = SearchQuery {
                text: text.into(),
                limit: 10,
                ..SearchQuery::default()
            };
            index
                .search(&q)
                .expect("search")
                .into_iter()
                .map(|h| h.id)
                .collect()
        };
        assert_eq!(
            ids("\"of the\""),
            ["github:art", "github:twice", "github:cause"]
        );
        assert_eq!(ids("\"we are investigating\""), ["github:cause"]);
        assert_eq!(ids("\"we are\""), ["github:not", "github:cause"]);
        assert_eq!(ids("\"cause of\""), ["github:cause", "github:an"]);
        assert_eq!(ids("\"are not investigating\""), ["github:not"]);
        assert!(ids("\"of the network\"").is_empty());
    }
}
