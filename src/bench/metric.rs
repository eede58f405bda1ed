//! The article-extraction benchmark's score (scrapinghub/article-extraction-benchmark), written
//! here so that our extractor and the Python peers are judged by the same code: text is cut into
//! `\w+` tokens, each side becomes a multiset of 4-token shingles, and a page scores the share
//! of shingles the two sides have in common. Precision and recall are averaged over pages before
//! F1 is taken, as the benchmark does.

use std::collections::HashMap;

/// Tokens per shingle, as in the benchmark.
const SHINGLE: usize = 4;

/// One page's score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageScore {
    pub precision: f64,
    pub recall: f64,
}

/// Scores averaged over a set of pages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SetScore {
    pub pages: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// `\w+` tokens, lowercased (Unicode letters, digits and `_`, like Python's `re` default).
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Multiset of 4-token shingles.
fn shingles(tokens: &[String]) -> HashMap<&[String], usize> {
    let mut out = HashMap::new();
    for w in tokens.windows(SHINGLE) {
        *out.entry(w).or_insert(0) += 1;
    }
    out
}

/// The benchmark's per-page precision and recall: an empty side scores 0, two empty sides 1.
pub fn page_score(extracted: &str, truth: &str) -> PageScore {
    let (te, tt) = (tokens(extracted), tokens(truth));
    let (e, t) = (shingles(&te), shingles(&tt));
    let (ne, nt): (usize, usize) = (e.values().sum(), t.values().sum());
    if ne == 0 && nt == 0 {
        return PageScore {
            precision: 1.0,
            recall: 1.0,
        };
    }
    let shared: usize = e
        .iter()
        .map(|(k, n)| (*n).min(t.get(k).copied().unwrap_or(0)))
        .sum();
    let ratio = |total: usize| {
        if total == 0 {
            0.0
        } else {
            shared as f64 / total as f64
        }
    };
    PageScore {
        precision: ratio(ne),
        recall: ratio(nt),
    }
}

/// Mean precision and recall over `pages`, and the F1 of those means; `None` for no pages.
pub fn set_score(pages: &[PageScore]) -> Option<SetScore> {
    if pages.is_empty() {
        return None;
    }
    let n = pages.len() as f64;
    let precision = pages.iter().map(|p| p.precision).sum::<f64>() / n;
    let recall = pages.iter().map(|p| p.recall).sum::<f64>() / n;
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Some(SetScore {
        pages: pages.len(),
        precision,
        recall,
        f1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_follow_python_word_class() {
        assert_eq!(
            tokens("Don't panic: GitHub_API 502s, café!"),
            vec!["don", "t", "panic", "github_api", "502s", "café"]
        );
    }

    #[test]
    fn identical_texts_score_one_and_disjoint_zero() {
        let s = "the database failover took nine minutes to complete";
        assert_eq!(
            page_score(s, s),
            PageScore {
                precision: 1.0,
                recall: 1.0
            }
        );
        let other = "an expired certificate broke every webhook delivery today";
        assert_eq!(
            page_score(s, other),
            PageScore {
                precision: 0.0,
                recall: 0.0
            }
        );
    }

    #[test]
    fn empty_sides_follow_the_benchmark_rule() {
        let one = PageScore {
            precision: 1.0,
            recall: 1.0,
        };
        assert_eq!(page_score("", "too short"), one);
        let s = "one two three four five";
        assert_eq!(
            page_score("", s),
            PageScore {
                precision: 0.0,
                recall: 0.0
            }
        );
        assert_eq!(
            page_score(s, ""),
            PageScore {
                precision: 0.0,
                recall: 0.0
            }
        );
    }

    #[test]
    fn partial_overlap_counts_shingles_as_a_multiset() {
        // Extracted: 3 shingles (a b c d, b c d e, c d e f); truth: 2 (a b c d, b c d x).
        let p = page_score("a b c d e f", "a b c d x");
        assert_eq!(p.precision, 1.0 / 3.0);
        assert_eq!(p.recall, 0.5);
        // Repeated shingles only match as often as the other side has them.
        let q = page_score("a b c d a b c d", "a b c d");
        assert_eq!(q.recall, 1.0);
        assert_eq!(q.precision, 1.0 / 5.0);
    }

    #[test]
    fn set_score_averages_before_f1() {
        let pages = [
            PageScore {
                precision: 1.0,
                recall: 0.5,
            },
            PageScore {
                precision: 0.5,
                recall: 1.0,
            },
        ];
        let s = set_score(&pages).expect("two pages");
        assert_eq!(
            (s.pages, s.precision, s.recall, s.f1),
            (2, 0.75, 0.75, 0.75)
        );
        assert_eq!(set_score(&[]), None);
    }
}
