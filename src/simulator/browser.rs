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
//! And the customer's phone, for scripts and the caller bots (`crate::bots`), doing what the
//! `/phone` page does through its server functions:
//! - `POST /simulator/calls`, form `from=+1…`: a customer calls the support number; 201 with
//!   `{"call_sid": "CA…"}`, or 400 (not a number) / 429 (too many customer calls live);
//! - `GET /simulator/calls/{CA}`: that call as JSON (see [`call_json`]): its status, its
//!   conference and who else is in it, the agents it has talked with, and the `<Gather>` or
//!   `<Record>` waiting for it; 404 for an unknown call;
//! - `POST /simulator/calls/{CA}/say`, form `text=…`: the caller speaks (into a speech
//!   `<Gather>` or a `<Record>`); 204, or 400 / 404 / 409. Hanging up and keying digits are the
//!   routes above, which take any call.
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
use super::engine::{Direction, ListeningView, SimError, SimState};
use crate::ids::{AgentId, CallSid};

/// The simulated Device, in the shape of `@twilio/voice-sdk`'s `Twilio.Device` v2.
pub const DEVICE_JS: &str = include_str!("device.js");

pub fn router(sim: Simulator) -> Router {
    Router::new()
        .route("/simulator/events", get(events))
        .route("/simulator/calls", post(place_call))
        .route("/simulator/calls/{call_sid}", get(call_state))
        .route("/simulator/calls/{call_sid}/say", post(say))
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
    let feed = stream::unfold((rx, client, who.identity, live, sim), |(mut rx, client, identity, mut live, sim)| async move {
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
                Ok(SimEvent::State { live_by_to, .. }) => {
                    let now = live_by_to.get(&client).cloned().unwrap_or_default();
                    let ended: Vec<Event> =
                        live.difference(&now).map(|sid| json_event(json!({"type": "call-ended", "call_sid": sid}))).collect();
                    live = now;
                    ended
                }
                Ok(_) => continue,
                // A slow reader missed events (200 phones on a busy account): the picture is made
                // again from now, a ring it missed rings now, a call that ended meanwhile ends.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let now = live_calls_to(&sim.shared_snapshot(), &client);
                    let mut out: Vec<Event> =
                        live.difference(&now).map(|sid| json_event(json!({"type": "call-ended", "call_sid": sid}))).collect();
                    for r in sim.ringing_for(&identity) {
                        if !live.contains(r.call_sid.as_str()) {
                            out.push(json_event(json!({"type": "ring", "call_sid": r.call_sid, "from": r.from})));
                        }
                    }
                    live = now;
                    out
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            if !out.is_empty() {
                return Some((stream::iter(out.into_iter().map(Ok)), (rx, client, identity, live, sim)));
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

/// Customer calls that may be live at once through [`place_call`]: far more than the `/phone`
/// page's 20 (the bots place hundreds), but a bound, as the endpoint is open.
pub const MAX_LIVE_CALLS_IN: usize = 2_000;

/// `from=+1…`: a customer calls the support number, as the `/phone` page's "Call support" does.
async fn place_call(State(sim): State<Simulator>, body: Bytes) -> Response {
    let from = form_field(&body, "from").unwrap_or_default();
    let from = from.trim();
    let e164 = from.strip_prefix('+').is_some_and(|d| (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()));
    if !e164 {
        return (StatusCode::BAD_REQUEST, "from must be a phone number: '+' followed by 8 to 15 digits").into_response();
    }
    let live = sim.shared_snapshot().calls.iter().filter(|c| c.direction == Direction::Inbound && !c.status.is_final()).count();
    if live >= MAX_LIVE_CALLS_IN {
        return (StatusCode::TOO_MANY_REQUESTS, format!("{live} customer calls are live already")).into_response();
    }
    let sid = sim.place_customer_call(from);
    (StatusCode::CREATED, axum::Json(json!({ "call_sid": sid }))).into_response()
}

/// One call as its caller's phone sees it (see [`call_json`]).
async fn call_state(State(sim): State<Simulator>, Path(call_sid): Path<String>) -> Response {
    let sid = match CallSid::parse(&call_sid) {
        Ok(sid) => sid,
        Err(e) => return (StatusCode::BAD_REQUEST, e.0).into_response(),
    };
    // A whole snapshot for one call: the driver offers no lighter read (see the bots' notes).
    match call_json(&sim.shared_snapshot(), &sid) {
        Some(v) => axum::Json(v).into_response(),
        None => (StatusCode::NOT_FOUND, format!("no call {sid}")).into_response(),
    }
}

/// `text=…`: what the caller says (typed), as the `/phone` page's "Say" does.
async fn say(State(sim): State<Simulator>, Path(call_sid): Path<String>, body: Bytes) -> Response {
    let sid = match CallSid::parse(&call_sid) {
        Ok(sid) => sid,
        Err(e) => return (StatusCode::BAD_REQUEST, e.0).into_response(),
    };
    match form_field(&body, "text") {
        Some(text) => respond(sim.speak(&sid, &text)),
        None => (StatusCode::BAD_REQUEST, "text: missing").into_response(),
    }
}

/// The call `sid` in `state`, as JSON: `status` (Twilio's word), `from`, `to`, `now_hearing`,
/// `prompt` (the last thing said to it, without `Say: `), `conference` (its sid and status, and
/// every other participant: `call_sid`, `identity` for a browser, `to`, `label`, `status`,
/// `on_hold`), `agents` (the browsers connected with it now, by identity), `talked_with` (every
/// name it has heard in its conference so far: agents by identity, numbers by number; kept after
/// the call moves on, so a short talk between two polls is not missed), and `listening` (a
/// `<Gather>` with `finish_on_key` and the digits so far, or a `<Record>`; `null` when nothing
/// waits for the caller).
pub fn call_json(state: &SimState, sid: &CallSid) -> Option<serde_json::Value> {
    let call = state.calls.iter().find(|c| &c.call_sid == sid)?;
    let to_of = |leg: &CallSid| state.calls.iter().find(|c| &c.call_sid == leg).map(|c| c.to.clone());
    let conference = call.conference_sid.as_ref().and_then(|cf| state.conferences.iter().find(|c| &c.sid == cf));
    let others: Vec<serde_json::Value> = conference
        .map(|c| {
            c.participants
                .iter()
                .filter(|p| &p.call_sid != sid)
                .map(|p| {
                    let to = to_of(&p.call_sid).unwrap_or_default();
                    json!({
                        "call_sid": p.call_sid,
                        "identity": to.strip_prefix("client:"),
                        "to": to,
                        "label": p.label,
                        "status": p.status,
                        "on_hold": p.on_hold,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let agents: Vec<&str> = others.iter().filter(|p| p["status"] == "connected").filter_map(|p| p["identity"].as_str()).collect();
    let mut talked_with: Vec<&str> = Vec::new();
    for line in &call.hearing {
        let Some(names) = line.strip_prefix("conference with ") else { continue };
        for name in names.split(", ").map(|n| n.trim_end_matches(" (coaching)")) {
            if !talked_with.contains(&name) {
                talked_with.push(name);
            }
        }
    }
    let prompt = call.hearing.iter().rev().find_map(|l| l.strip_prefix("Say: "));
    let listening = call.listening.as_ref().map(|l| match l {
        ListeningView::Gather { dtmf, speech, digits, finish_on_key } => {
            json!({"kind": "gather", "dtmf": dtmf, "speech": speech, "so_far": digits, "finish_on_key": finish_on_key})
        }
        ListeningView::Record { said, finish_on_key, .. } => json!({"kind": "record", "so_far": said, "finish_on_key": finish_on_key}),
    });
    Some(json!({
        "call_sid": call.call_sid,
        "from": call.from,
        "to": call.to,
        "direction": call.direction.as_str(),
        "status": call.status.as_str(),
        "now_hearing": call.now_hearing,
        "prompt": prompt,
        "conference": conference.map(|c| json!({"sid": c.sid, "status": c.status.as_twilio_str(), "participants": others})),
        "agents": agents,
        "talked_with": talked_with,
        "listening": listening,
    }))
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
