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
