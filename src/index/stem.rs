//! The index's English analyzer: tantivy's `en_stem` (simple tokenizer, tokens over 40 bytes
//! dropped, lower case, Snowball English) with each word's stem remembered.
//!
//! Stemming a word runs the Snowball program over it; outage text repeats a small vocabulary
//! ("investigating", "degraded", "the"), so nearly every token of a rebuild or of a snippet is a
//! word already stemmed. The stems come from tantivy's own `Stemmer`, so the terms are the same
//! as `en_stem`'s (a test pins that) and a cached stem never differs from a computed one.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::tokenizer::{
    Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
    Token, TokenFilter, TokenStream, Tokenizer,
};

/// The name the analyzer is registered under; the schema names it, so an index written with
/// plain `en_stem` is rebuilt once (same terms, but tantivy compares schemas by name).
pub const ANALYZER: &str = "en_stem_cached";

/// The analyzer of the common-pair fields: [`ANALYZER`]'s stems, emitted as adjacent pairs
/// ("of the", "we are") wherever one of the two is a [`is_common`] word.
pub const PAIRS_ANALYZER: &str = "en_stem_common_pairs";

/// Longest token kept, as `en_stem`.
const MAX_TOKEN_BYTES: usize = 40;

/// Words remembered per cache. Hostile text of endless distinct words stops filling it at this
/// size (a few MB) and is stemmed word by word, as without a cache.
const MAX_CACHED_WORDS: usize = 50_000;

/// The analyzer for indexing: every copy tantivy takes (one per field of each segment being
/// written) starts its own cache, so the indexing threads never share a lock.
pub fn analyzer() -> TextAnalyzer {
    build(Stems::Local(Cache::default()))
}

/// The analyzer for snippets: every copy shares one cache, because tantivy copies the analyzer
/// for each snippet and a private cache would start empty each time.
pub fn shared_analyzer() -> TextAnalyzer {
    build(Stems::Shared(Arc::default()))
}

fn build(stems: Stems) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(CachedStemmer { stems })
        .build()
}

/// The analyzer for indexing the common-pair fields (see [`PAIRS_ANALYZER`]).
pub fn pairs_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(CachedStemmer {
            stems: Stems::Local(Cache::default()),
        })
        .filter(CommonPairs)
        .build()
}

/// The words (their stems, which are the words themselves) that make a pair: Lucene's English
/// stop words and "we", the most frequent words of status updates. A phrase of two such words
/// ("of the") matches in most documents, and checking it from word positions read every
/// occurrence of both; a pair is one term whose frequency is the phrase's count.
pub fn is_common(stem: &str) -> bool {
    matches!(
        stem,
        "a" | "an"
            | "and"
            | "are"
            | "as"
            | "at"
            | "be"
            | "but"
            | "by"
            | "for"
            | "if"
            | "in"
            | "into"
            | "is"
            | "it"
            | "no"
            | "not"
            | "of"
            | "on"
            | "or"
            | "such"
            | "that"
            | "the"
            | "their"
            | "then"
            | "there"
            | "these"
            | "they"
            | "this"
            | "to"
            | "was"
            | "we"
            | "will"
            | "with"
    )
}

/// The term of the pair `first second` (two stems). A space never occurs inside a token of
/// the simple tokenizer, so a pair can never equal a word.
pub fn pair_term(first: &str, second: &str) -> String {
    let mut pair = String::with_capacity(first.len() + 1 + second.len());
    pair.push_str(first);
    pair.push(' ');
    pair.push_str(second);
    pair
}

/// FNV-1a: the keys are short words, where SipHash's setup costs more than the lookup.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// Word -> stem, with the stemmer that fills it.
struct Cache {
    stems: HashMap<Box<str>, Box<str>, BuildHasherDefault<Fnv>>,
    stemmer: TextAnalyzer,
}

impl Default for Cache {
    fn default() -> Self {
        Cache {
            stems: HashMap::default(),
            stemmer: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build(),
        }
    }
}

impl Cache {
    /// Replaces `word` (lower case) by its stem.
    fn stem(&mut self, word: &mut String) {
        if let Some(stem) = self.stems.get(word.as_str()) {
            word.clear();
            word.push_str(stem);
            return;
        }
        let mut stream = self.stemmer.token_stream(word);
        let stem: Box<str> = if stream.advance() {
            stream.token().text.as_str().into()
        } else {
            // The raw tokenizer yields the whole input as one token, even an empty one.
            return;
        };
        drop(stream);
        if self.stems.len() < MAX_CACHED_WORDS {
            self.stems.insert(word.as_str().into(), stem.clone());
        }
        word.clear();
        word.push_str(&stem);
    }
}

enum Stems {
    Local(Cache),
    Shared(Arc<Mutex<Cache>>),
}

impl Clone for Stems {
    fn clone(&self) -> Self {
        match self {
            Stems::Local(_) => Stems::Local(Cache::default()),
            Stems::Shared(cache) => Stems::Shared(Arc::clone(cache)),
        }
    }
}

impl Stems {
    fn stem(&mut self, word: &mut String) {
        match self {
            Stems::Local(cache) => cache.stem(word),
            // A poisoned lock only means another thread panicked mid-insert of a word and its
            // stem, both complete values: the map is still sound.
            Stems::Shared(cache) => cache
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .stem(word),
        }
    }
}

/// The token filter: tokens are expected in lower case, as for tantivy's `Stemmer`.
#[derive(Clone)]
struct CachedStemmer {
    stems: Stems,
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemFilter<T> {
        CachedStemFilter {
            inner: tokenizer,
            stems: self.stems,
        }
    }
}

#[derive(Clone)]
struct CachedStemFilter<T> {
    inner: T,
    stems: Stems,
}

impl<T: Tokenizer> Tokenizer for CachedStemFilter<T> {
    type TokenStream<'a> = CachedStemStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        let CachedStemFilter { inner, stems } = self;
        CachedStemStream {
            tail: inner.token_stream(text),
            stems,
        }
    }
}

struct CachedStemStream<'a, T> {
    tail: T,
    stems: &'a mut Stems,
}

impl<T: TokenStream> TokenStream for CachedStemStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        self.stems.stem(&mut self.tail.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The filter of [`pairs_analyzer`]: of a stream of stems, only the pairs of adjacent ones
/// (consecutive positions: a dropped overlong word breaks adjacency, as it does for a phrase)
/// where either is common, each at the position of its first word.
#[derive(Clone)]
struct CommonPairs;

impl TokenFilter for CommonPairs {
    type Tokenizer<T: Tokenizer> = CommonPairsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CommonPairsFilter<T> {
        CommonPairsFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
struct CommonPairsFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CommonPairsFilter<T> {
    type TokenStream<'a> = CommonPairsStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CommonPairsStream {
            tail: self.inner.token_stream(text),
            previous: None,
            previous_text: String::new(),
            pair: Token::default(),
        }
    }
}

struct CommonPairsStream<T> {
    tail: T,
    /// Position and start offset of the last word seen, whose text is in `previous_text`.
    previous: Option<(usize, usize)>,
    previous_text: String,
    pair: Token,
}

impl<T: TokenStream> TokenStream for CommonPairsStream<T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            let word = self.tail.token();
            let paired = self.previous.filter(|&(position, _)| {
                word.position == position + 1
                    && (is_common(&self.previous_text) || is_common(&word.text))
            });
            if let Some((position, offset_from)) = paired {
                self.pair.text.clear();
                self.pair.text.push_str(&self.previous_text);
                self.pair.text.push(' ');
                self.pair.text.push_str(&word.text);
                self.pair.position = position;
                self.pair.offset_from = offset_from;
                self.pair.offset_to = word.offset_to;
                self.pair.position_length = 1;
            }
            self.previous = Some((word.position, word.offset_from));
            self.previous_text.clear();
            self.previous_text.push_str(&word.text);
            if paired.is_some() {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        &self.pair
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.pair
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::TokenizerManager;

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        analyzer
            .token_stream(text)
            .process(&mut |t| out.push(t.clone()));
        out
    }

    const TEXT: &str = "We are investigating elevated error rates and DEGRADED performance \
        affecting Hosted Runners; the issues' causes are being identified, dying, lying, tying, \
        skies, happily, generously, news, ugly 12:30 UTC us-east-1 Ünïcödé naïve café \
        aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa investigating investigating";

    #[test]
    fn cached_analyzer_yields_en_stem_tokens_exactly() {
        let mut plain = TokenizerManager::default()
            .get("en_stem")
            .expect("tantivy registers en_stem");
        let expected = tokens(&mut plain, TEXT);
        // 38 words, the overlong one dropped.
        assert_eq!(expected.len(), 37);
        assert_eq!(expected[2].text, "investig");
        assert_eq!(expected[18].text, "die");
        for mut cached in [analyzer(), shared_analyzer()] {
            // Twice: the second pass answers every word from the cache.
            assert_eq!(tokens(&mut cached, TEXT), expected);
            assert_eq!(tokens(&mut cached, TEXT), expected);
        }
    }

    #[test]
    fn shared_copies_share_one_cache_and_local_copies_start_empty() {
        let mut shared = Stems::Shared(Arc::default());
        let mut word = "investigating".to_string();
        shared.stem(&mut word);
        assert_eq!(word, "investig");
        let Stems::Shared(copy) = shared.clone() else {
            panic!("a shared cache cloned into a local one");
        };
        let copied = copy.lock().expect("lock").stems.len();
        assert_eq!(copied, 1);

        let mut local = Stems::Local(Cache::default());
        local.stem(&mut "investigating".to_string());
        let Stems::Local(fresh) = local.clone() else {
            panic!("a local cache cloned into a shared one");
        };
        assert!(fresh.stems.is_empty());
    }

    #[test]
    fn pairs_are_adjacent_stems_with_a_common_word_at_the_first_position() {
        let mut pairs = pairs_analyzer();
        let got: Vec<(String, usize)> = tokens(
            &mut pairs,
            "We are investigating the cause of the Errors. Database failover; \
             the aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa of it",
        )
        .into_iter()
        .map(|t| (t.text, t.position))
        .collect();
        let expected = [
            ("we are", 0),
            ("are investig", 1),
            ("investig the", 2),
            ("the caus", 3),
            ("caus of", 4),
            ("of the", 5),
            ("the error", 6),
            // "error databas" and "databas failov" have no common word.
            ("failov the", 9),
            // The overlong word breaks "the ... of".
            ("of it", 12),
        ];
        let expected: Vec<(String, usize)> =
            expected.iter().map(|(t, p)| (t.to_string(), *p)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn common_words_are_their_own_stems() {
        let mut stem = Cache::default();
        for word in [
            "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into",
            "is", "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then",
            "there", "these", "they", "this", "to", "was", "we", "will", "with",
        ] {
            let mut stemmed = word.to_string();
            stem.stem(&mut stemmed);
            assert_eq!(stemmed, word);
            assert!(is_common(word), "{word}");
        }
        assert!(!is_common("investig"));
        assert_eq!(pair_term("of", "the"), "of the");
    }

    #[test]
    fn cache_stops_growing_at_its_bound_and_keeps_stemming() {
        let mut cache = Cache::default();
        for n in 0..MAX_CACHED_WORDS + 10 {
            let mut word = format!("word{n}ing");
            cache.stem(&mut word);
        }
        assert_eq!(cache.stems.len(), MAX_CACHED_WORDS);
        let mut word = "connections".to_string();
        cache.stem(&mut word);
        assert_eq!(word, "connect");
    }
}
