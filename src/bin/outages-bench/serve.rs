//! The crawl stage's loopback server: `/feeds/N.atom` for N below the URL count, each a
//! generated Statuspage `history.atom` of five incidents with an ETag (`"feed-N"`), so ours, `wrk` and the
//! Python peer fetch the same bytes from the same process.

use std::io::Read;
use std::sync::Arc;

use anyhow::Result;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use outages::bench::generate::{Generator, VENDORS, statuspage_atom};

/// Distinct bodies; URL N serves body N mod this, a multiple of the vendor count so each body
/// keeps one vendor.
const POOL_PER_VENDOR: usize = 24;
/// Incidents per served feed.
const FEED_INCIDENTS: usize = 5;

struct Feeds {
    urls: usize,
    bodies: Vec<Arc<str>>,
}

pub fn serve(urls: usize, seed: u64) -> Result<Value> {
    let mut generator = Generator::new(seed ^ 0xC4A1);
    let pool = VENDORS.len() * POOL_PER_VENDOR;
    let bodies: Vec<Arc<str>> = (0..pool)
        .map(|n| {
            let vendor = VENDORS.get(n % VENDORS.len()).unwrap_or(&VENDORS[0]);
            let mut list = generator.incidents(FEED_INCIDENTS);
            for i in &mut list {
                i.vendor = vendor.name.to_string();
            }
            Arc::from(statuspage_atom(vendor, &list))
        })
        .collect();
    let state = Arc::new(Feeds { urls, bodies });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        println!("{}", json!({"port": port}));
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        // The driver closes our stdin to stop us; nothing else ends the server.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
            let _ = stop_tx.send(());
        });
        let app = Router::new()
            .route("/feeds/{file}", axum::routing::get(feed))
            .with_state(state);
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop_rx.await;
            })
            .await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(json!({"served": urls}))
}

async fn feed(
    State(feeds): State<Arc<Feeds>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(n) = file
        .strip_suffix(".atom")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n < feeds.urls)
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(body) = feeds.bodies.get(n % feeds.bodies.len().max(1)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // Each URL always serves the same body, so its number is a valid ETag; `wrk` sends it back
    // for the conditional-GET baseline (bench/peers/wrk-rotate.lua).
    let etag = format!("\"feed-{n}\"");
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag)
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut response = body.to_string().into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/atom+xml; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    response
}
