//! How a search runs over the index: the text query (fuzzy retry, common-word phrases from
//! pairs), the filters that narrow without ranking, the top documents, and the snippets of the
//! hits shown. [`SearchIndex::search`], [`SearchIndex::top`] and [`SearchIndex::shown`] are
//! the public entry points in the parent module.

use super::*;

impl SearchIndex {
    /// The text part of a query, over title (boosted 2x), body and vendor name; with `fuzzy`,
    /// each word also matches within one edit ("outgae", "netwrok"). Returns the query to run,
    /// where phrases of common words read pair terms ([`phrase`]), and the parser's query,
    /// whose words the snippets highlight.
    pub(super) fn text_query(&self, text: &str, fuzzy: bool) -> (Box<dyn Query>, Box<dyn Query>) {
        let fields = self.text_fields();
        let mut parser =
            QueryParser::for_index(&self.index, fields.iter().map(|(f, _)| *f).collect());
        for (field, boost) in fields {
            parser.set_field_boost(field, boost);
        }
        if fuzzy {
            for field in [self.fields.title, self.fields.body, self.fields.vendor_text] {
                parser.set_field_fuzzy(field, false, 1, true);
            }
        }
        let (query, errors) = parser.parse_query_lenient(text);
        if !errors.is_empty() {
            tracing::debug!(query = %text, errors = errors.len(), "query parsed leniently");
        }
        // Also in the retry with words within one edit: a phrase is never fuzzy, and a common
        // phrase that matches nothing (the retry's case) would otherwise be read again from
        // every position of its words.
        let pairs = |field: Field| {
            if field == self.fields.title {
                Some(self.fields.title_pairs)
            } else if field == self.fields.body {
                Some(self.fields.body_pairs)
            } else {
                None
            }
        };
        let text_fields: Vec<phrase::TextField> = fields
            .iter()
            .map(|&(field, boost)| phrase::TextField {
                field,
                boost,
                pairs: pairs(field),
            })
            .collect();
        let mut analyzer = self.snippet_analyzer.clone();
        let rewritten = phrase::rewrite(text, query.as_ref(), &parser, &text_fields, &mut analyzer);
        (rewritten.unwrap_or_else(|| query.box_clone()), query)
    }

    /// The fields free text searches, with their boosts.
    pub(super) fn text_fields(&self) -> [(Field, f32); 3] {
        [
            (self.fields.title, TITLE_BOOST),
            (self.fields.body, 1.0),
            (self.fields.vendor_text, 1.0),
        ]
    }

    pub(super) fn generators(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
    ) -> Result<Generators, IndexError> {
        let err = |source| IndexError::Tantivy {
            location: self.location.clone(),
            op: "preparing snippets",
            source,
        };
        let generator = |field: Field| {
            // As tantivy's `SnippetGenerator::create`, with the shared stem cache: a query's
            // terms in this field, each weighted by its rarity.
            let mut terms: BTreeSet<&Term> = BTreeSet::new();
            query.query_terms(&mut |term, _| {
                if term.field() == field {
                    terms.insert(term);
                }
            });
            let mut weighted: BTreeMap<String, f32> = BTreeMap::new();
            for term in terms {
                let value = term.value();
                let Some(text) = value.as_str() else {
                    continue;
                };
                let doc_freq = searcher.doc_freq(term).map_err(err)?;
                if doc_freq > 0 {
                    weighted.insert(text.to_string(), 1.0 / (1.0 + doc_freq as f32));
                }
            }
            Ok(SnippetGenerator::new(
                weighted,
                self.snippet_analyzer.clone(),
                field,
                SNIPPET_CHARS,
            ))
        };
        Ok(Generators {
            body: generator(self.fields.body)?,
            title: generator(self.fields.title)?,
        })
    }

    /// The query of `q` run to its top `q.limit`: scores and addresses, with the searcher and
    /// snippet generators that go with them. `None` when nothing can match (a zero limit).
    pub(super) fn ranked(&self, q: &SearchQuery) -> Result<Option<TopDocsRanked>, IndexError> {
        if q.limit == 0 {
            return Ok(None);
        }
        let tantivy_err = |op: &'static str| {
            move |source| IndexError::Tantivy {
                location: self.location.clone(),
                op,
                source,
            }
        };
        let searcher = self.reader.searcher();
        let filters = self.filters(q);
        let text = defuse_query(&q.text);
        if text.trim().is_empty() {
            let query = with_filters(Box::new(AllQuery), filters);
            let newest_first = TopDocs::with_limit(q.limit)
                .order_by_fast_field::<tantivy::DateTime>("start", Order::Desc);
            let top = searcher
                .search(&query, &newest_first)
                .map_err(tantivy_err("searching"))?;
            return Ok(Some(TopDocsRanked {
                top: top.into_iter().map(|(_, address)| (0.0, address)).collect(),
                searcher,
                generators: None,
            }));
        }

        // Exact terms first; only when they find nothing, the same words within one edit
        // ("outgae", "netwrok"), so a typo gets an answer and a correct word is never diluted.
        let mut ranked = None;
        for fuzzy in [false, true] {
            let (searched, text_query) = self.text_query(&text, fuzzy);
            let query = with_filters(searched, clone_all(&filters));
            let top = searcher
                .search(&query, &TopDocs::with_limit(q.limit).order_by_score())
                .map_err(tantivy_err("searching"))?;
            let found = !top.is_empty();
            ranked = Some((top, text_query));
            if found {
                break;
            }
        }
        let Some((top, text_query)) = ranked else {
            return Ok(None);
        };
        let generators = self.generators(&searcher, text_query.as_ref())?;
        Ok(Some(TopDocsRanked {
            top,
            searcher,
            generators: Some(generators),
        }))
    }

    pub(super) fn filters(&self, q: &SearchQuery) -> Vec<Box<dyn Query>> {
        let f = &self.fields;
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        if let Some(vendor) = &q.vendor {
            let term = Term::from_field_text(f.vendor, &vendor_key(vendor));
            filters.push(Box::new(TermQuery::new(term, IndexRecordOption::Basic)));
        }
        if let Some(severity) = q.severity {
            let term = Term::from_field_text(f.severity, severity.as_str());
            filters.push(Box::new(TermQuery::new(term, IndexRecordOption::Basic)));
        }
        if q.since.is_some() || q.until.is_some() {
            let bound = |t: Option<chrono::DateTime<Utc>>, inclusive: bool| match t {
                None => Bound::Unbounded,
                Some(t) => {
                    let term = Term::from_field_date_for_search(f.start, tantivy_date(t));
                    if inclusive {
                        Bound::Included(term)
                    } else {
                        Bound::Excluded(term)
                    }
                }
            };
            filters.push(Box::new(RangeQuery::new(
                bound(q.since, true),
                bound(q.until, false),
            )));
        }
        filters
    }

    pub(super) fn read_doc(
        &self,
        searcher: &Searcher,
        address: DocAddress,
    ) -> Result<TantivyDocument, IndexError> {
        searcher.doc(address).map_err(|source| IndexError::Tantivy {
            location: self.location.clone(),
            op: "reading a matched document",
            source,
        })
    }

    pub(super) fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: f32,
        generators: Option<&Generators>,
    ) -> Result<Option<Hit>, IndexError> {
        let doc = self.read_doc(searcher, address)?;
        let id = text_of(&doc, self.fields.id);
        if id.is_empty() {
            tracing::warn!(index = %self.location, "indexed document without an id; skipped");
            return Ok(None);
        }
        let snippet = self.snippet_of(&doc, generators);
        Ok(Some(Hit { id, score, snippet }))
    }

    pub(super) fn snippet_of(
        &self,
        doc: &TantivyDocument,
        generators: Option<&Generators>,
    ) -> Snippet {
        let body = text_of(doc, self.fields.body);
        let title = text_of(doc, self.fields.title);
        generators
            .and_then(|g| marked(g.body.snippet(&body)).or_else(|| marked(g.title.snippet(&title))))
            .unwrap_or_else(|| Snippet {
                text: truncate_chars(
                    if body.is_empty() { &title } else { &body },
                    PLAIN_SNIPPET_CHARS,
                ),
                highlights: Vec::new(),
            })
    }
}

pub(super) fn text_of(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

pub(super) struct Searched {
    pub(super) searcher: Searcher,
    pub(super) generators: Option<Generators>,
}

pub(super) struct TopDocsRanked {
    pub(super) top: Vec<(f32, DocAddress)>,
    pub(super) searcher: Searcher,
    pub(super) generators: Option<Generators>,
}

pub(super) struct Generators {
    pub(super) body: SnippetGenerator,
    pub(super) title: SnippetGenerator,
}

/// Our snippet from tantivy's, or `None` when nothing in it matched.
pub(super) fn marked(snippet: tantivy::snippet::Snippet) -> Option<Snippet> {
    if snippet.highlighted().is_empty() {
        return None;
    }
    Some(Snippet {
        text: snippet.fragment().to_string(),
        highlights: collapse_overlapped_ranges(snippet.highlighted()),
    })
}

/// `query` narrowed by `filters`, which match without changing the ranking. Without filters
/// the query is returned as it is, so a disjunction of terms keeps its block-WAND scorer.
pub(super) fn with_filters(query: Box<dyn Query>, filters: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if filters.is_empty() {
        return query;
    }
    let mut clauses = vec![(Occur::Must, query)];
    for filter in filters {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
    }
    Box::new(BooleanQuery::new(clauses))
}

pub(super) fn clone_all(queries: &[Box<dyn Query>]) -> Vec<Box<dyn Query>> {
    queries.iter().map(|q| q.box_clone()).collect()
}

/// Makes user text safe for the query parser: control characters become spaces, and
/// parentheses nested deeper than [`MAX_QUERY_DEPTH`] and `NOT`s beyond that many are dropped.
/// The parser recurses on both, and hostile nesting would overflow its stack (an abort, not an
/// error); such input degrades to a looser query instead.
pub(super) fn defuse_query(text: &str) -> String {
    let mut depth = 0usize;
    let mut flat = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' => {
                depth += 1;
                flat.push(if depth > MAX_QUERY_DEPTH { ' ' } else { '(' });
            }
            ')' => {
                flat.push(if depth > MAX_QUERY_DEPTH { ' ' } else { ')' });
                depth = depth.saturating_sub(1);
            }
            c if c.is_control() => flat.push(' '),
            c => flat.push(c),
        }
    }
    let mut nots = 0usize;
    let mut words: Vec<&str> = Vec::new();
    for word in flat.split_whitespace() {
        if word == "NOT" {
            nots += 1;
            if nots > MAX_QUERY_DEPTH {
                continue;
            }
        }
        words.push(word);
    }
    words.join(" ")
}
