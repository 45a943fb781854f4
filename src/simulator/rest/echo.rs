//! [`Answering::Echo`](super::Answering::Echo): the REST API as a bare stand-in for the tests
//! that play Twilio's webhooks by hand. Each request the app makes succeeds as Twilio would answer
//! it, from the request alone: nothing is simulated, no webhook is sent, and the resources named
//! need not exist (the test invented them). Reads find nothing: lists are empty, a single
//! resource is unknown (404).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::wire::{created_call, ok, page, resource, ApiResult, Form, ACCOUNT};
use crate::simulator::driver::Simulator;

pub(super) fn routes() -> Router<Simulator> {
    let account = ACCOUNT;
    Router::new()
        .route(&format!("{account}/Calls.json"), post(create_call))
        .route(&format!("{account}/Calls/{{call}}"), post(update_status))
        .route(&format!("{account}/Conferences.json"), get(|uri: Uri| async move { ok(page("conferences", &uri, Vec::new())) }))
        .route(&format!("{account}/Conferences/{{conference}}"), post(update_status))
        .route(
            &format!("{account}/Conferences/{{conference}}/Participants.json"),
            get(|uri: Uri| async move { ok(page("participants", &uri, Vec::new())) }).post(add_participant),
        )
        .route(
            &format!("{account}/Conferences/{{conference}}/Participants/{{who}}"),
            post(update_participant).delete(|| async { StatusCode::NO_CONTENT }),
        )
}

async fn create_call(State(sim): State<Simulator>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let sid = sim.next_echoed_sid();
    let body = json!({
        "sid": sid,
        "account_sid": sim.config().account_sid,
        "to": form.get("To"),
        "from": form.get("From"),
        "status": "queued",
        "direction": "outbound-api",
    });
    created_call(body, sid)
}

/// `POST Calls/{CA}.json` or `Conferences/{CF}.json`: the resource with the status asked for.
async fn update_status(State(sim): State<Simulator>, Path((_, resource_sid)): Path<(String, String)>, uri: Uri, body: Bytes) -> ApiResult {
    let sid = resource(&resource_sid, &uri)?;
    let status = Form::parse(&body).get("Status").unwrap_or_else(|| "in-progress".into());
    Ok(ok(json!({ "sid": sid, "account_sid": sim.config().account_sid, "status": status })))
}

async fn add_participant(State(sim): State<Simulator>, Path((_, conference)): Path<(String, String)>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let sid = sim.next_echoed_sid();
    let body = participant(&sim, &conference, json!(sid), form.get("Label"), &form);
    created_call(body, sid)
}

async fn update_participant(
    State(sim): State<Simulator>,
    Path((_, conference, who)): Path<(String, String, String)>,
    uri: Uri,
    body: Bytes,
) -> ApiResult {
    let who = resource(&who, &uri)?;
    let form = Form::parse(&body);
    // Named by CallSid or by label, as the request named it.
    let (call_sid, label) = if who.starts_with("CA") { (json!(who), None) } else { (Value::Null, Some(who.to_string())) };
    Ok(ok(participant(&sim, &conference, call_sid, label, &form)))
}

fn participant(sim: &Simulator, conference: &str, call_sid: Value, label: Option<String>, form: &Form) -> Value {
    json!({
        "account_sid": sim.config().account_sid,
        "call_sid": call_sid,
        "conference_sid": conference,
        "label": label,
        "hold": form.flag("Hold").ok().flatten().unwrap_or(false),
        "muted": form.flag("Muted").ok().flatten().unwrap_or(false),
        "status": "connected",
    })
}
