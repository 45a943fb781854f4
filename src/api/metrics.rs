//! `GET /metrics`: the server's figures in Prometheus' text format, for a scraper holding
//! `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time). With no token set the
//! endpoint is off (404): figures about callers are not for anyone who asks.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::center::Presence;
use crate::clock::now_ms;
use crate::metrics::{PresenceLabel, QueueLabel, QUEUE};
use crate::state::AppState;

/// Every presence, so that a presence nobody is in reads 0 rather than vanishing.
const PRESENCES: [&str; 6] = ["offline", "available", "away", "ringing", "on-call", "wrap-up"];

pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = &state.settings.metrics_token else {
        return (StatusCode::NOT_FOUND, "metrics are off: set METRICS_TOKEN to turn them on").into_response();
    };
    let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).unwrap_or("");
    if !bool::from(given.as_bytes().ct_eq(token.expose().as_bytes())) {
        return (StatusCode::UNAUTHORIZED, "metrics need Authorization: Bearer <METRICS_TOKEN>").into_response();
    }
    let m = &state.metrics;
    let now = now_ms();
    let (waiting, longest, presences) = state.center.read(|s| {
        let mut counts = [0i64; PRESENCES.len()];
        for a in s.agents.values() {
            let word = match &a.presence {
                Presence::Available
                | Presence::Away { .. }
                | Presence::Ringing { .. }
                | Presence::OnCall { .. }
                | Presence::WrapUp { .. }
                    if !a.online(now) =>
                {
                    "offline"
                }
                p => p.word(),
            };
            if let Some(i) = PRESENCES.iter().position(|p| *p == word) {
                counts[i] += 1;
            }
        }
        (s.queue_len() as i64, s.queued().next().map(|c| (now - c.queued_at).max(0)), counts)
    });
    let queue = QueueLabel { queue: QUEUE.into() };
    m.callers_waiting.get_or_create(&queue).set(waiting);
    m.longest_wait_seconds.get_or_create(&queue).set(longest.unwrap_or(0) as f64 / 1000.0);
    for (word, n) in PRESENCES.iter().zip(presences) {
        m.agents.get_or_create(&PresenceLabel { presence: (*word).into() }).set(n);
    }
    m.console_streams.set(state.center.console_streams() as i64);
    let health = state.center.health();
    let outage = health.outage();
    m.database_up.set(i64::from(outage.is_none()));
    m.database_down_seconds.set(outage.map_or(0, |o| (now - o.since).max(0) / 1000));
    m.callers_aside.set(outage.map_or(0, |o| i64::from(o.aside)));
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], m.encode()).into_response()
}
