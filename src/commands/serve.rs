//! `serve`, and the web UI at the end of `demo`: bind, print the address to open, serve until
//! Ctrl-C, then let the requests in flight finish.

use std::net::SocketAddr;

use anyhow::{Context, Result};

use super::Exit;
use crate::cli::ServeArgs;
use crate::crawl::DataPaths;
use crate::serve::{self, AppState, ServeError};

pub fn serve(paths: &DataPaths, args: &ServeArgs) -> Result<Exit> {
    let state = AppState::open(paths)?;
    runtime()?.block_on(async {
        let listener = serve::bind(args.addr).await?;
        run(listener, state).await
    })?;
    Ok(Exit::Ok)
}

/// The demo's UI: on 127.0.0.1:8080, or on a free loopback port when that one is taken (a
/// second demo, another local server), so the demo never fails for want of a port.
pub fn serve_demo(paths: &DataPaths) -> Result<()> {
    let state = AppState::open(paths)?;
    runtime()?.block_on(async {
        let preferred = SocketAddr::from(([127, 0, 0, 1], 8080));
        let listener = match serve::bind(preferred).await {
            Ok(l) => l,
            Err(ServeError::Bind { source, .. })
                if source.kind() == std::io::ErrorKind::AddrInUse =>
            {
                eprintln!("{preferred} is in use; choosing a free port");
                serve::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?
            }
            Err(e) => return Err(e.into()),
        };
        run(listener, state).await
    })
}

async fn run(listener: tokio::net::TcpListener, state: AppState) -> Result<()> {
    let addr = listener
        .local_addr()
        .context("cannot read the address the server listens on")?;
    // Listen for Ctrl-C before telling anyone where to connect, so a stop right after the
    // address appears is already a clean one.
    let stop = stop_signal()?;
    println!("Web UI: open http://{addr}/  (JSON API under /api; Ctrl-C to stop)");
    let shutdown = async move {
        stop.await;
        eprintln!("stopping the web UI");
    };
    serve::serve(listener, state, shutdown).await?;
    Ok(())
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM; registered when called, not when first awaited.
#[cfg(unix)]
fn stop_signal() -> Result<impl std::future::Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?;
    let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn stop_signal() -> Result<impl std::future::Future<Output = ()> + Send + 'static> {
    Ok(async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C; stop the process to end");
            std::future::pending::<()>().await;
        }
    })
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
