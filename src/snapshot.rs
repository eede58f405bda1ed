//! The bundled snapshot (`data/snapshot/`): status documents in the vendors' real formats,
//! replayed by a loopback HTTP server so `outages demo` and the tests crawl them through the real
//! fetch path. A file's path is the real URL's host and path (see [`crate::fetch::Mirror`]).
//!
//! The server answers conditional GETs (a content-hash ETag and the file's modification time)
//! like a real status page, so a second crawl of unchanged files costs only 304s.

use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A running snapshot server; dropping it (or calling [`SnapshotServer::stop`]) shuts it down.
pub struct SnapshotServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SnapshotServer {
    /// Serves `root` on 127.0.0.1 at an ephemeral port.
    pub async fn start(root: PathBuf) -> std::io::Result<SnapshotServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let app = Router::new().fallback(serve_file).with_state(root);
        let task = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stop_rx.await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::warn!(error = %e, "snapshot server stopped with an error");
            }
        });
        Ok(SnapshotServer {
            addr,
            stop: Some(stop_tx),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT/`
    pub fn base_url(&self) -> url::Url {
        // A socket address always forms a valid URL.
        url::Url::parse(&format!("http://{}/", self.addr)).unwrap_or_else(|_| unreachable!())
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SnapshotServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

async fn serve_file(State(root): State<PathBuf>, request: Request<Body>) -> Response {
    let Some(path) = safe_join(&root, request.uri().path()) else {
        return (StatusCode::BAD_REQUEST, "bad path").into_response();
    };
    let (bytes, modified) = match read(&path).await {
        Some(found) => found,
        None => return (StatusCode::NOT_FOUND, "not in the snapshot").into_response(),
    };
    let etag = format!("\"{}\"", hex(&Sha256::digest(&bytes)[..12]));
    let last_modified = httpdate(modified);
    let headers = request.headers();
    if if_none_match(headers, &etag) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        set(&mut response, header::ETAG, &etag);
        return response;
    }
    let mut response = (StatusCode::OK, bytes).into_response();
    set(&mut response, header::ETAG, &etag);
    set(&mut response, header::LAST_MODIFIED, &last_modified);
    set(&mut response, header::CONTENT_TYPE, content_type(&path));
    response
}

async fn read(path: &Path) -> Option<(Vec<u8>, SystemTime)> {
    let meta = tokio::fs::metadata(path).await.ok()?;
    if !meta.is_file() {
        return None;
    }
    let bytes = tokio::fs::read(path).await.ok()?;
    Some((bytes, meta.modified().unwrap_or(SystemTime::UNIX_EPOCH)))
}

/// Maps a request path to a file under `root`, refusing anything but plain names (no `..`, no
/// absolute parts), so no request escapes the snapshot folder.
fn safe_join(root: &Path, request_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(request_path)?;
    let mut out = root.to_path_buf();
    let mut parts = 0;
    for c in Path::new(decoded.trim_start_matches('/')).components() {
        match c {
            Component::Normal(p) => {
                out.push(p);
                parts += 1;
            }
            _ => return None,
        }
    }
    (parts > 0).then_some(out)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hexpair = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hexpair, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

fn set(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, v);
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("atom") => "application/atom+xml; charset=utf-8",
        Some("rss") | Some("xml") => "application/rss+xml; charset=utf-8",
        Some("json") => "application/json; charset=utf-8",
        Some("html") => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// IMF-fixdate, as HTTP wants it.
fn httpdate(t: SystemTime) -> String {
    let t: chrono::DateTime<chrono::Utc> = t.into();
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_cannot_escape_the_root() {
        let root = Path::new("/srv/snap");
        assert_eq!(
            safe_join(root, "/www.githubstatus.com/history.atom"),
            Some(PathBuf::from("/srv/snap/www.githubstatus.com/history.atom"))
        );
        assert_eq!(safe_join(root, "/../etc/passwd"), None);
        assert_eq!(safe_join(root, "/a/%2e%2e/%2e%2e/etc/passwd"), None);
        assert_eq!(safe_join(root, "/"), None);
    }
}
