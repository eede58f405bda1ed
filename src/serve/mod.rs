//! The local web UI and JSON API (`outages serve`): server-rendered pages that read without
//! JavaScript, a small embedded script for the interactive parts, JSON endpoints described by an
//! OpenAPI document, and the exports as downloads.
//!
//! Every request reads the store (and the search index) on the blocking pool, never on the async
//! threads. Every scraped string reaching a page is escaped, only http(s) links are rendered as
//! links, and the assets are compiled into the binary: no request path reaches the file system.

mod api;
mod assets;
mod cache;
mod charts;
mod html;
pub mod openapi;
mod pages;
mod params;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use thiserror::Error;

use crate::crawl::DataPaths;
use crate::index::{IndexError, SearchIndex};
use crate::query::QueryError;
use crate::search_syntax::SyntaxError;
use crate::store::{Store, StoreError};

/// Why a request or the server failed.
#[derive(Debug, Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error("bad query: {0}")]
    Syntax(#[from] SyntaxError),
    #[error("bad parameter {name}: {message}")]
    BadParam { name: String, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("computing the figures: {0}")]
    Figures(#[from] crate::figures::FiguresError),
    #[error("no store at {0}: run `outages demo`, `outages crawl` or `outages ingest` first")]
    NoStore(String),
    #[error("the worker reading the store stopped: {0}")]
    Worker(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
    #[error("the server is busy with other requests; try again in a moment")]
    Busy,
}

impl ServeError {
    fn status(&self) -> StatusCode {
        match self {
            ServeError::Syntax(_)
            | ServeError::BadParam { .. }
            | ServeError::Query(QueryError::Filter(_)) => StatusCode::BAD_REQUEST,
            ServeError::NotFound(_) => StatusCode::NOT_FOUND,
            ServeError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Adds what the status asks a client to know: when to come back after a 503.
    fn finish(&self, mut res: Response) -> Response {
        if matches!(self, ServeError::Busy) {
            res.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
        res
    }
}

/// Requests whose store or index work may run at once; the rest wait their turn, up to
/// [`QUEUE_WAIT`], then get a 503. Two cores serve four reads well; more only add memory.
const WORK_SLOTS: usize = 4;
/// How long a request waits for a work slot before the 503.
const QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
/// The `Retry-After` of that 503, in seconds.
const RETRY_AFTER_SECS: &str = "2";

/// Connections kept open between requests; more requests at once open more.
const POOL_SIZE: usize = 4;

/// What every handler shares: where the data is, the index (tantivy readers are `Sync`), and a
/// few idle SQLite connections (a `rusqlite::Connection` is not `Sync`, so each request takes
/// one of its own).
pub struct AppState {
    paths: DataPaths,
    index: SearchIndex,
    idle: Mutex<Vec<Store>>,
    slots: Arc<tokio::sync::Semaphore>,
    answers: cache::Answers,
}

type Shared = Arc<AppState>;

impl AppState {
    /// Opens the index and brings it up to date with the store (a crawl interrupted between
    /// the two leaves it behind).
    pub fn open(paths: &DataPaths) -> Result<AppState, ServeError> {
        if !paths.store.exists() {
            return Err(ServeError::NoStore(paths.store.display().to_string()));
        }
        // Serving only reads: a read-only connection never writes and never waits on a crawl.
        let store = Store::open_read_only(&paths.store)?;
        let mut index = SearchIndex::open(&paths.index)?;
        // As every reader: heal a gap only when no writer runs (it indexes the gap itself).
        if let crate::index::Healed::Failed(e) = index.heal(&store, &paths.lock_file()) {
            tracing::warn!(error = %e, "index is behind the store and could not be updated now");
        }
        Ok(AppState {
            paths: paths.clone(),
            index,
            idle: Mutex::new(vec![store]),
            slots: Arc::new(tokio::sync::Semaphore::new(WORK_SLOTS)),
            answers: cache::Answers::default(),
        })
    }

    fn take_store(&self) -> Result<Store, ServeError> {
        let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match pooled {
            Some(store) => Ok(store),
            None => Ok(Store::open_read_only(&self.paths.store)?),
        }
    }

    fn give_back(&self, store: Store) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < POOL_SIZE
        {
            idle.push(store);
        }
    }
}

/// Runs `work` with a store connection and the index on the blocking pool, once one of the
/// [`WORK_SLOTS`] is free (a 503 after [`QUEUE_WAIT`]). A client that goes away while its
/// request waits costs nothing: the wait is dropped with the request, before any work.
async fn blocking<T, F>(state: &Shared, work: F) -> Result<T, ServeError>
where
    T: Send + 'static,
    F: FnOnce(&Store, &SearchIndex) -> Result<T, ServeError> + Send + 'static,
{
    let slot = tokio::time::timeout(QUEUE_WAIT, Arc::clone(&state.slots).acquire_owned())
        .await
        .map_err(|_| ServeError::Busy)?
        .map_err(|_| ServeError::Busy)?;
    let state = Arc::clone(state);
    tokio::task::spawn_blocking(move || {
        // The slot is held until the work ends, even if the client left meanwhile.
        let _slot = slot;
        let store = state.take_store()?;
        let out = work(&store, &state.index);
        state.give_back(store);
        out
    })
    .await
    .map_err(|e| ServeError::Worker(e.to_string()))?
}

/// The store's and the index's revisions: an answer computed at these is the answer until
/// either moves.
/// Two small reads, so they take no work slot.
async fn revisions(state: &Shared) -> Result<(i64, i64), ServeError> {
    let state = Arc::clone(state);
    tokio::task::spawn_blocking(move || {
        let store = state.take_store()?;
        let rev = store.current_rev();
        state.give_back(store);
        Ok((rev?, state.index.indexed_rev()))
    })
    .await
    .map_err(|e| ServeError::Worker(e.to_string()))?
}

/// Serves an answer that depends only on the store (figures, vendor pages, compare, exports)
/// from [`cache::Answers`] while the revisions are unchanged, so a burst of the same costly
/// request is computed once.
async fn cached_answers(
    State(state): State<Shared>,
    req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    if req.method() != axum::http::Method::GET || !cache::cacheable(req.uri().path()) {
        return next.run(req).await;
    }
    let Ok(revs) = revisions(&state).await else {
        return next.run(req).await;
    };
    let key = req.uri().to_string();
    if let Some(hit) = state.answers.get(&key, revs) {
        return hit.response();
    }
    let res = next.run(req).await;
    if res.status() != StatusCode::OK {
        return res;
    }
    let (parts, body) = res.into_parts();
    match axum::body::to_bytes(body, cache::MAX_ANSWER_BYTES).await {
        Ok(bytes) => {
            let answer = cache::Answer::new(&parts.headers, bytes);
            state.answers.put(key, revs, answer.clone());
            answer.response()
        }
        // Too large to keep (or the body failed): answered afresh next time.
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the answer could not be read\n",
        )
            .into_response(),
    }
}

/// The whole application: pages, API, exports and assets, behind the security headers.
pub fn router(state: AppState) -> Router {
    let shared: Shared = Arc::new(state);
    Router::new()
        .route("/", get(pages::search))
        .route("/search/results", get(pages::search_fragment))
        .route("/timeline", get(pages::timeline))
        .route("/vendors", get(pages::vendors))
        .route("/vendors/{name}", get(pages::vendor))
        .route("/compare", get(pages::compare))
        .route("/events/{id}", get(pages::event))
        .route("/sources", get(pages::sources))
        .route("/api", get(pages::api_help))
        .route("/api/search", get(api::search))
        .route("/api/events/{id}", get(api::event))
        .route("/api/timeline", get(api::timeline))
        .route("/api/stats", get(api::stats))
        .route("/api/compare", get(api::compare))
        .route("/api/sources", get(api::sources))
        .route("/api/openapi.json", get(api::openapi))
        .route("/export.csv", get(api::export_csv))
        .route("/feed.atom", get(api::export_atom))
        .route("/calendar.ics", get(api::export_ics))
        .route("/assets/{name}", get(assets::asset))
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&shared),
            cached_answers,
        ))
        .layer(middleware::from_fn(direct_host_only))
        .layer(middleware::from_fn(security_headers))
        .with_state(shared)
}

/// The Content-Security-Policy of every response: scripts and styles only from this server's
/// own files (nothing inline), no frames, no plugins, forms only back to this server.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Refuses a request whose `Host` is a DNS name other than `localhost` (421). A hostile page
/// that rebinds its own name to 127.0.0.1 (DNS rebinding) still sends its own name as `Host`,
/// while whoever reaches this server directly uses its address or `localhost`; an address
/// cannot be rebound, so no configuration is needed whatever address the server is bound to.
async fn direct_host_only(req: Request<axum::body::Body>, next: Next) -> Response {
    match req.headers().get(header::HOST) {
        Some(host) if !is_direct_host(host.as_bytes()) => (
            StatusCode::MISDIRECTED_REQUEST,
            "this server answers only to its own address or localhost\n",
        )
            .into_response(),
        _ => next.run(req).await,
    }
}

/// `localhost` or an IP literal, with or without a port (`127.0.0.1:8080`, `[::1]:8080`).
fn is_direct_host(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split_once(']').is_some_and(|(ip, port)| {
            ip.parse::<std::net::Ipv6Addr>().is_ok()
                && (port.is_empty() || port.strip_prefix(':').is_some_and(is_port))
        });
    }
    let name = match text.split_once(':') {
        Some((name, port)) if is_port(port) => name,
        Some(_) => return false,
        None => text,
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::Ipv4Addr>().is_ok()
}

fn is_port(text: &str) -> bool {
    !text.is_empty() && text.parse::<u16>().is_ok()
}

async fn security_headers(req: Request<axum::body::Body>, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// Serves the UI on `listener` until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve<F>(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: F,
) -> Result<(), ServeError>
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(ServeError::Serve)
}

/// Binds `addr` (loopback unless the user asks otherwise).
pub async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, ServeError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })
}

/// A JSON error body `{"error": "..."}` with the error's status.
pub(crate) struct ApiError(ServeError);

impl From<ServeError> for ApiError {
    fn from(e: ServeError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
            tracing::error!(error = %self.0, "request failed");
        }
        let res = (
            status,
            axum::Json(serde_json::json!({ "error": self.0.to_string() })),
        )
            .into_response();
        self.0.finish(res)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_addresses_and_localhost_are_direct_hosts() {
        for direct in [
            "127.0.0.1:8080",
            "127.0.0.1",
            "localhost:3000",
            "LOCALHOST",
            "[::1]:8080",
            "[::1]",
            "192.168.1.20:80",
        ] {
            assert!(is_direct_host(direct.as_bytes()), "{direct}");
        }
        for rebound in [
            "evil.test:8080",
            "evil.test",
            "localhost.evil.test",
            "127.0.0.1.nip.io:80",
            "127.0.0.1:",
            "127.0.0.1:99999",
            "[::1]x",
            "[evil]:80",
            "",
        ] {
            assert!(!is_direct_host(rebound.as_bytes()), "{rebound}");
        }
        assert!(!is_direct_host(b"\xff\xfe"));
    }
}
