//! The browser's side of the simulator: a `Twilio.Device` look-alike (served in place of the
//! Voice SDK bundle in simulator mode) and the endpoints it talks to — a Server-Sent Events feed
//! per agent identity, the call actions (answer, reject, hang up, send digits), and the agent's
//! simulated headset, which the monitor page plugs in and out. The console above the device runs
//! the very same code as with the real SDK.
//!
//! - `GET /simulator/events?identity=…`: SSE, one JSON object per event: `ring`,
//!   `stop-ringing`, `call-ended` (each with `call_sid`), and `audio-devices` (`headset`: plugged
//!   in or not; sent at connect too);
//! - `POST /simulator/calls/{CA}/{answer|reject|hangup}`: 204, or 404 / 409 with the reason;
//! - `POST /simulator/calls/{CA}/digits`, form `digits=…` (`0-9 * # w`): 204, or 400 / 404 / 409;
//! - `POST /simulator/agents/{identity}/headset`, form `plugged=true|false`: 204, or 400 (or
//!   409 when too many headsets are out);
//! - `POST /simulator/calls/{CA}/quality`, form `event=warning|warning-cleared` and `name=` (the
//!   SDK's name: `high-rtt`, `low-mos`, …), or `event=reconnecting|reconnected`: the browser's
//!   live call reports it (SSE `call-quality` with `call_sid`, `event`, `name`); 204, or 400 /
//!   404 / 409.
//!
//! These endpoints are open: the simulator is a local demo with no real calls behind it.

use std::collections::HashSet;
use std::convert::Infallible;
use std::time::Duration;

use axum::body::Bytes;
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
use super::engine::{SimError, SimState};
use crate::ids::{AgentId, CallSid};

/// The simulated Device, in the shape of `@twilio/voice-sdk`'s `Twilio.Device` v2.
pub const DEVICE_JS: &str = include_str!("device.js");

pub fn router(sim: Simulator) -> Router {
    Router::new()
        .route("/simulator/events", get(events))
        .route("/simulator/calls/{call_sid}/digits", post(send_digits))
        .route("/simulator/calls/{call_sid}/quality", post(call_quality))
        .route("/simulator/calls/{call_sid}/{action}", post(call_action))
        .route("/simulator/agents/{identity}/headset", post(headset))
        .with_state(sim)
}

#[derive(Deserialize)]
struct Who {
    identity: String,
}

/// What one identity's device needs: its calls ringing, stopping, and ending, and its headset
/// plugged in and out.
async fn events(State(sim): State<Simulator>, Query(who): Query<Who>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let client = format!("client:{}", who.identity);
    let rx = sim.subscribe();
    // The headset first, plugged or not: the Device starts with it plugged in, and an EventSource
    // that reconnected may have missed a change. Then calls already ringing ring at once.
    let headset = json_event(json!({"type": "audio-devices", "headset": sim.headset_plugged(&who.identity)}));
    let initial: Vec<Event> = std::iter::once(headset)
        .chain(
            sim.ringing_for(&who.identity).into_iter().map(|r| json_event(json!({"type": "ring", "call_sid": r.call_sid, "from": r.from}))),
        )
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
                Ok(SimEvent::CallQuality { identity: id, call_sid, event, name }) if id == identity => {
                    vec![json_event(json!({"type": "call-quality", "call_sid": call_sid, "event": event, "name": name}))]
                }
                Ok(SimEvent::AudioDevices { identity: id, headset }) if id == identity => {
                    vec![json_event(json!({"type": "audio-devices", "headset": headset}))]
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
    respond(result)
}

/// `digits=…` from the simulated `Call.sendDigits`.
async fn send_digits(State(sim): State<Simulator>, Path(call_sid): Path<String>, body: Bytes) -> Response {
    let sid = match CallSid::parse(&call_sid) {
        Ok(sid) => sid,
        Err(e) => return (StatusCode::BAD_REQUEST, e.0).into_response(),
    };
    match form_field(&body, "digits") {
        Some(digits) => respond(sim.send_digits(&sid, &digits)),
        None => (StatusCode::BAD_REQUEST, "digits: missing").into_response(),
    }
}

/// `event=…` (and `name=…` for a warning): what the network does to a browser's live call.
async fn call_quality(State(sim): State<Simulator>, Path(call_sid): Path<String>, body: Bytes) -> Response {
    let sid = match CallSid::parse(&call_sid) {
        Ok(sid) => sid,
        Err(e) => return (StatusCode::BAD_REQUEST, e.0).into_response(),
    };
    let event = match form_field(&body, "event").as_deref() {
        Some("warning") => "warning",
        Some("warning-cleared") => "warning-cleared",
        Some("reconnecting") => "reconnecting",
        Some("reconnected") => "reconnected",
        _ => return (StatusCode::BAD_REQUEST, "event must be warning, warning-cleared, reconnecting or reconnected").into_response(),
    };
    let name = form_field(&body, "name");
    let name_ok = |n: &str| (1..=40).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
    let name = match (event, name) {
        ("warning" | "warning-cleared", Some(n)) if name_ok(&n) => Some(n),
        ("warning" | "warning-cleared", _) => {
            return (StatusCode::BAD_REQUEST, "name: the warning's name, e.g. high-rtt, low-mos, high-jitter, high-packet-loss")
                .into_response()
        }
        _ => None,
    };
    respond(sim.call_quality(&sid, event, name))
}

/// `plugged=true|false`: the monitor page plugs an agent's simulated headset in or out.
async fn headset(State(sim): State<Simulator>, Path(identity): Path<String>, body: Bytes) -> Response {
    let identity = match AgentId::parse(&identity) {
        Ok(id) => id,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("identity: {}", e.0)).into_response(),
    };
    let plugged = match form_field(&body, "plugged").as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => return (StatusCode::BAD_REQUEST, "plugged must be true or false").into_response(),
    };
    match sim.set_headset(identity.as_str(), plugged) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(reason) => (StatusCode::CONFLICT, reason).into_response(),
    }
}

/// 204, or the reason with the status that fits it.
fn respond(result: Result<(), SimError>) -> Response {
    let Err(e) = result else { return StatusCode::NO_CONTENT.into_response() };
    let status = match e {
        SimError::UnknownCall(_) => StatusCode::NOT_FOUND,
        SimError::Invalid(_) => StatusCode::BAD_REQUEST,
        _ => StatusCode::CONFLICT,
    };
    (status, e.to_string()).into_response()
}

/// One field of a form body. The content type is not insisted on: the body is all there is.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}
