//! A minimal, fast stand-in for api.twilio.com, for benchmarks (`scripts/bench.sh`).
//!
//! Tests use the simulator answering only (`warm-transfer stand-in`, `Answering::Echo`), which
//! checks credentials and logs every request; this one does neither, so under thousands of
//! requests a second it costs the server under test as little as possible, and it builds the same
//! against an older checkout for before/after figures.
//!
//! `POST …/Calls.json` answers `201 {"sid": "CA<32 hex>", "status": "queued"}` with a fresh sid
//! per request; anything else answers `204`. It records nothing and checks no credentials, so
//! it costs the server under test as little as possible.
//!
//! Usage: `twilio_stand_in [PORT]` (or `STAND_IN_PORT`; default 3999). Listens on 127.0.0.1 only
//! and prints `listening on 127.0.0.1:PORT` once it accepts connections.
//! `STAND_IN_THREADS` sets its tokio worker threads (default 1: a current-thread runtime);
//! `STAND_IN_DELAY_MS` adds a fixed delay to every answer (to imitate Twilio's latency).
//! Its `204` for any other path also makes it a bare axum baseline for the benchmark.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

const ACCOUNT_SID: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

#[derive(Clone)]
struct StandIn {
    /// Sids handed out so far (also the source of each new sid).
    calls: Arc<AtomicU64>,
    delay: Duration,
}

async fn handle(State(s): State<StandIn>, method: Method, uri: Uri, _body: Bytes) -> Response {
    if !s.delay.is_zero() {
        tokio::time::sleep(s.delay).await;
    }
    if method == Method::POST && uri.path().ends_with("/Calls.json") {
        let n = s.calls.fetch_add(1, Ordering::Relaxed) + 1;
        let body = format!(r#"{{"sid": "CA{n:032x}", "status": "queued", "account_sid": "{ACCOUNT_SID}"}}"#);
        return (StatusCode::CREATED, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}

fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("STAND_IN_PORT").ok())
        .map(|p| p.parse().expect("PORT must be a number"))
        .unwrap_or(3999);
    let delay = Duration::from_millis(std::env::var("STAND_IN_DELAY_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(0));
    let threads: usize = std::env::var("STAND_IN_THREADS").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    let state = StandIn { calls: Arc::new(AtomicU64::new(0)), delay };
    let calls = state.calls.clone();
    let runtime = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()?
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build()?
    };
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        println!("listening on {}", listener.local_addr()?);
        let app = axum::Router::new().fallback(handle).with_state(state);
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            })
            .await?;
        println!("stand-in answered {} Calls.json requests", calls.load(Ordering::Relaxed));
        Ok(())
    })
}
