//! The browser's side of the simulator: a `Twilio.Device` look-alike (served in place of the
//! Voice SDK bundle in simulator mode) and the endpoints it talks to — a Server-Sent Events feed
//! per agent identity and the call actions (answer, reject, hang up). The console above the
//! device runs the very same code as with the real SDK.
//!
//! These endpoints are open: the simulator is a local demo with no real calls behind it.

use std::collections::HashSet;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use futures_util::stream::{self, Stream};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast;

use super::driver::{SimEvent, Simulator};
use super::engine::SimState;
use crate::ids::CallSid;

/// The simulated Device, in the shape of `@twilio/voice-sdk`'s `Twilio.Device` v2.
pub const DEVICE_JS: &str = include_str!("device.js");

pub fn router(sim: Simulator) -> Router {
    Router::new().route("/simulator/events", get(events)).route("/simulator/calls/{call_sid}/{action}", post(call_action)).with_state(sim)
}

#[derive(Deserialize)]
struct Who {
    identity: String,
}

/// What one identity's device needs: its calls ringing, stopping, and ending.
async fn events(State(sim): State<Simulator>, Query(who): Query<Who>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let client = format!("client:{}", who.identity);
    let rx = sim.subscribe();
    // Calls already ringing when the device registers ring at once.
    let initial: Vec<Event> = sim
        .ringing_for(&who.identity)
        .into_iter()
        .map(|r| json_event(json!({"type": "ring", "call_sid": r.call_sid, "from": r.from})))
        .collect();
    let live: HashSet<String> = live_calls_to(&sim.snapshot(), &client);
    let feed = stream::unfold((rx, client, who.identity, live), |(mut rx, client, identity, mut live)| async move {
        loop {
            let out = match rx.recv().await {
                Ok(SimEvent::Ring { identity: id, call_sid, from }) if id == identity => {
                    live.insert(call_sid.to_string());
                    vec![json_event(json!({"type": "ring", "call_sid": call_sid, "from": from}))]
                }
                Ok(SimEvent::StopRinging { identity: id, call_sid, reason }) if id == identity => {
                    vec![json_event(json!({"type": "stop-ringing", "call_sid": call_sid, "reason": reason}))]
                }
                Ok(SimEvent::State { state }) => {
                    let now = live_calls_to(&state, &client);
                    let ended: Vec<Event> =
                        live.difference(&now).map(|sid| json_event(json!({"type": "call-ended", "call_sid": sid}))).collect();
                    live = now;
                    ended
                }
                Ok(_) => continue,
                // A slow reader missed events: carry on; the next state corrects the picture.
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            if !out.is_empty() {
                return Some((stream::iter(out.into_iter().map(Ok)), (rx, client, identity, live)));
            }
        }
    });
    use futures_util::StreamExt;
    let stream = stream::iter(initial.into_iter().map(Ok)).chain(feed.flatten());
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn live_calls_to(state: &SimState, client: &str) -> HashSet<String> {
    state
        .calls
        .iter()
        .filter(|c| c.to == client && matches!(c.status.as_str(), "queued" | "ringing" | "in-progress"))
        .map(|c| c.call_sid.to_string())
        .collect()
}

fn json_event(v: serde_json::Value) -> Event {
    Event::default().data(v.to_string())
}

async fn call_action(State(sim): State<Simulator>, Path((call_sid, action)): Path<(String, String)>) -> Response {
    let sid = match CallSid::parse(&call_sid) {
        Ok(sid) => sid,
        Err(e) => return (StatusCode::BAD_REQUEST, e.0).into_response(),
    };
    let result = match action.as_str() {
        "answer" => sim.answer(&sid),
        "reject" => sim.reject(&sid),
        "hangup" => sim.hangup(&sid),
        _ => return (StatusCode::NOT_FOUND, "unknown call action (answer, reject, hangup)").into_response(),
    };
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => (StatusCode::CONFLICT, e.to_string()).into_response(),
    }
}
