//! Answers that depend only on the stored data (figures, vendor and compare pages, exports),
//! kept while the store's and the index's revisions stay the same: a burst of the same costly
//! request is computed once, and a crawl that changes anything makes every kept answer stale at
//! once. Bounded in entries, bytes and age (figures also read the clock: an ongoing outage
//! grows, an open one turns stale).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Largest answer kept (and read back to keep).
pub(super) const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;
/// Most answers and bytes kept; the oldest go first.
const MAX_ANSWERS: usize = 128;
const MAX_BYTES: usize = 64 * 1024 * 1024;
/// Longest an answer is kept, whatever the revisions say.
const MAX_AGE: Duration = Duration::from_secs(60);

/// The routes whose answers are kept: each reads much and depends only on the data.
pub(super) fn cacheable(path: &str) -> bool {
    matches!(
        path,
        "/api/stats" | "/api/compare" | "/compare" | "/export.csv" | "/feed.atom" | "/calendar.ics"
    ) || path.starts_with("/vendors/")
}

/// A kept answer: its body and the headers that describe it.
#[derive(Clone)]
pub(super) struct Answer {
    content_type: Option<HeaderValue>,
    disposition: Option<HeaderValue>,
    body: Bytes,
}

impl Answer {
    pub(super) fn new(headers: &HeaderMap, body: Bytes) -> Answer {
        Answer {
            content_type: headers.get(header::CONTENT_TYPE).cloned(),
            disposition: headers.get(header::CONTENT_DISPOSITION).cloned(),
            body,
        }
    }

    pub(super) fn response(&self) -> Response {
        let mut res = (StatusCode::OK, self.body.clone()).into_response();
        let h = res.headers_mut();
        if let Some(v) = &self.content_type {
            h.insert(header::CONTENT_TYPE, v.clone());
        }
        if let Some(v) = &self.disposition {
            h.insert(header::CONTENT_DISPOSITION, v.clone());
        }
        res
    }
}

struct Kept {
    revs: (i64, i64),
    at: Instant,
    answer: Answer,
}

#[derive(Default)]
pub(super) struct Answers {
    kept: Mutex<HashMap<String, Kept>>,
}

impl Answers {
    /// The answer kept for `key` at these revisions, if it is still fresh.
    pub(super) fn get(&self, key: &str, revs: (i64, i64)) -> Option<Answer> {
        let kept = self.kept.lock().ok()?;
        kept.get(key)
            .filter(|k| k.revs == revs && k.at.elapsed() < MAX_AGE)
            .map(|k| k.answer.clone())
    }

    pub(super) fn put(&self, key: String, revs: (i64, i64), answer: Answer) {
        if answer.body.len() > MAX_ANSWER_BYTES {
            return;
        }
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        kept.retain(|_, k| k.revs == revs && k.at.elapsed() < MAX_AGE);
        let bytes =
            |m: &HashMap<String, Kept>| m.values().map(|k| k.answer.body.len()).sum::<usize>();
        while kept.len() >= MAX_ANSWERS || bytes(&kept) + answer.body.len() > MAX_BYTES {
            let Some(oldest) = kept
                .iter()
                .min_by_key(|(_, k)| k.at)
                .map(|(key, _)| key.clone())
            else {
                break;
            };
            kept.remove(&oldest);
        }
        kept.insert(
            key,
            Kept {
                revs,
                at: Instant::now(),
                answer,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(text: &str) -> Answer {
        Answer::new(&HeaderMap::new(), Bytes::from(text.to_string()))
    }

    #[test]
    fn an_answer_is_kept_until_a_revision_moves() {
        let answers = Answers::default();
        answers.put("/api/stats?vendor=a".into(), (5, 5), answer("one"));
        assert!(answers.get("/api/stats?vendor=a", (5, 5)).is_some());
        assert!(answers.get("/api/stats?vendor=a", (6, 5)).is_none());
        assert!(answers.get("/api/stats?vendor=a", (5, 6)).is_none());
        assert!(answers.get("/api/stats?vendor=b", (5, 5)).is_none());
        for n in 0..(MAX_ANSWERS + 10) {
            answers.put(format!("/vendors/{n}"), (5, 5), answer("x"));
        }
        let kept = answers.kept.lock().map(|k| k.len()).unwrap_or(0);
        assert!(kept <= MAX_ANSWERS, "{kept}");
        assert!(cacheable("/vendors/GitHub") && cacheable("/export.csv"));
        assert!(!cacheable("/api/search") && !cacheable("/"));
    }
}
