use axum::extract::rejection::PathRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use super::form::TwilioForm;
use crate::calls::{flow, service};
use crate::center::{LegNo, Party};
use crate::error::{ApiError, Failure};
use crate::ids::{AgentId, CallSid, ConferenceSid, PhoneNumber, RecordingSid};
use crate::state::AppState;
use crate::store::{CallbackKind, StatusCallback};
use crate::twilio::twiml;

/// Webhook bodies are small forms; anything larger is refused with 413 before it is read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/conference/connect/client", post(voice))
        .route(flow::WAIT_PATH, post(wait).get(wait))
        .route("/conference/{conference_id}/connect/{party}", post(agent_join))
        .route(flow::STATUS_PATH, post(status))
        .route("/twilio/legs/{call_sid}/{party}/{leg}", post(agent_leg_status))
        .route("/twilio/monitor/{call_sid}/{supervisor}/{leg}", post(monitor_leg_status))
        .route("/twilio/callback/{call_sid}/{step}", post(callback_menu))
        .route("/twilio/menu/{call_sid}", post(menu))
        .route("/twilio/voicemail/{call_sid}", post(voicemail_recorded))
        .route("/twilio/voicemail/{call_sid}/recording", post(voicemail_recording))
        .route("/twilio/voicemail/{call_sid}/transcription", post(voicemail_transcription))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

fn twiml_response(doc: twiml::Response) -> Response {
    ([("content-type", twiml::CONTENT_TYPE)], doc.to_xml()).into_response()
}

fn bad(e: impl std::fmt::Display) -> ApiError {
    ApiError::BadInput(e.to_string())
}

/// `From`/`To` as Twilio sends them; absent is allowed, malformed is refused.
fn phone(form: &TwilioForm, name: &str) -> Result<Option<PhoneNumber>, ApiError> {
    match form.get(name).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => PhoneNumber::parse(v).map(Some).map_err(|e| bad(format!("{name}: {e}"))),
    }
}

fn call_sid(form: &TwilioForm) -> Result<CallSid, ApiError> {
    CallSid::parse(form.require("CallSid")?).map_err(bad)
}

/// A customer called the support number: they join the queue.
async fn voice(State(state): State<AppState>, form: TwilioForm) -> Result<Response, ApiError> {
    let sid = call_sid(&form).inspect_err(|e| tracing::info!(route = "voice", outcome = %e, "refused"))?;
    let from = phone(&form, "From")?;
    phone(&form, "To")?;
    let (doc, outcome) = service::incoming_call(&state, sid.clone(), from).await;
    tracing::info!(route = "voice", call_sid = %sid, outcome = ?outcome, "customer call");
    Ok(twiml_response(doc))
}

/// A query parameter of the URL Twilio was given (`?leg=` on the join URL, `?intro=` on a hold).
fn query(uri: &axum::http::Uri, name: &str) -> Option<String> {
    form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// What a waiting customer hears: their place in the queue, music, and this document again.
/// Without a CallSid (or with one not in the queue) there is no place to tell, only music.
/// The same document serves a customer held after a blind transfer (`?intro=transfer` says why
/// once) or waiting again in the queue.
async fn wait(State(state): State<AppState>, uri: axum::http::Uri, form: TwilioForm) -> Response {
    let call = form.get("CallSid").and_then(|s| CallSid::parse(s).ok());
    if let Some(call) = &call {
        crate::calls::aside::waiting(&state, call, form.get("From").and_then(|f| PhoneNumber::parse(f).ok()));
    }
    let after_transfer = query(&uri, "intro").as_deref() == Some(flow::TRANSFER_INTRO);
    tracing::debug!(route = "wait", call_sid = call.as_ref().map(|c| c.as_str()).unwrap_or("-"), "wait document");
    twiml_response(service::wait(&state, call.as_ref(), after_transfer))
}

/// The leg number Twilio's URL carries (`?leg=` on the join URL, a path segment on callbacks).
fn leg_number(raw: Option<&str>) -> Result<LegNo, ApiError> {
    raw.and_then(|l| l.parse::<LegNo>().ok()).filter(|l| *l > 0).ok_or_else(|| bad("leg must be a whole number from 1"))
}

/// The call and party named by a path, parsed (the path is only looked at once the signature
/// has been checked by `TwilioForm`: an unsigned request gets 403 whatever its path).
fn call_and_party(call: &str, party: &str) -> Result<(CallSid, Party), ApiError> {
    let call = CallSid::parse(call).map_err(bad)?;
    // The path names an agent or a transfer's number: the reason says which part is wrong.
    let party = Party::parse(party).map_err(|e| bad(format!("party: {e}")))?;
    Ok((call, party))
}

/// An agent answered their leg: join them to the caller's conference.
async fn agent_join(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    uri: axum::http::Uri,
    form: TwilioForm,
) -> Result<Response, Failure> {
    let Path((conference_id, party)) = path.map_err(|e| bad(e.body_text()))?;
    let (call, party) = call_and_party(&conference_id, &party)?;
    let leg = leg_number(query(&uri, "leg").as_deref())?;
    // The leg's own sid (Twilio always sends it; a malformed one is only not kept).
    let sid = form.get("CallSid").and_then(|s| CallSid::parse(s).ok());
    let shown = sid.as_ref().map(|s| s.to_string()).unwrap_or_else(|| "-".into());
    match service::agent_join(&state, call.clone(), party.clone(), leg, sid).await {
        Ok(doc) => {
            tracing::info!(route = "agent-join", call_sid = %call, leg_sid = %shown, agent = %party, outcome = "joined");
            Ok(twiml_response(doc))
        }
        Err(e) => {
            tracing::info!(route = "agent-join", call_sid = %call, leg_sid = %shown, agent = %party, outcome = %e, "refused");
            Err(e)
        }
    }
}

/// Progress of an agent's leg (Twilio's call status callback, on the URL the dial named).
async fn agent_leg_status(
    State(state): State<AppState>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    form: TwilioForm,
) -> Result<Response, Failure> {
    let Path((call, party, leg)) = path.map_err(|e| bad(e.body_text()))?;
    let (call, party) = call_and_party(&call, &party)?;
    let leg = leg_number(Some(&leg))?;
    let cb = parse_callback(&form).inspect_err(|e| tracing::info!(route = "leg-status", outcome = %e, "refused"))?;
    if cb.kind != CallbackKind::Call {
        return Err(bad("missing required parameter CallStatus").into());
    }
    let event = cb.event.clone();
    service::agent_leg_status(&state, call.clone(), party.clone(), leg, cb).await?;
    tracing::info!(route = "leg-status", call_sid = %call, agent = %party, leg, event = %event, outcome = "applied");
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// Progress of a supervisor's monitoring leg (added to the conference by REST, so its answer
/// is told by this callback, not by a join document).
async fn monitor_leg_status(
    State(state): State<AppState>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    form: TwilioForm,
) -> Result<Response, Failure> {
    let Path((call, supervisor, leg)) = path.map_err(|e| bad(e.body_text()))?;
    let call = CallSid::parse(&call).map_err(bad)?;
    let supervisor = AgentId::parse(&supervisor).map_err(|e| bad(format!("supervisor: {e}")))?;
    let leg = leg_number(Some(&leg))?;
    let cb = parse_callback(&form).inspect_err(|e| tracing::info!(route = "monitor-status", outcome = %e, "refused"))?;
    if cb.kind != CallbackKind::Call {
        return Err(bad("missing required parameter CallStatus").into());
    }
    let event = cb.event.clone();
    service::monitor_leg_status(&state, call.clone(), supervisor.clone(), leg, cb).await?;
    tracing::info!(route = "monitor-status", call_sid = %call, %supervisor, leg, event = %event, outcome = "applied");
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// The answer to the menu at the start of a call (several queues): the queue chosen by key or by
/// name, the menu again, or the first queue.
async fn menu(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    uri: axum::http::Uri,
    form: TwilioForm,
) -> Result<Response, ApiError> {
    let Path(call) = path.map_err(|e| bad(e.body_text()))?;
    let call = CallSid::parse(&call).map_err(bad)?;
    let attempt = query(&uri, "attempt").and_then(|a| a.parse::<u32>().ok()).unwrap_or(1);
    let from = phone(&form, "From")?;
    let (digits, speech) = (form.get("Digits").unwrap_or_default(), form.get("SpeechResult").unwrap_or_default());
    let (doc, outcome) = service::menu_answer(&state, call.clone(), from, attempt, digits, speech).await;
    tracing::info!(route = "menu", call_sid = %call, attempt, outcome = ?outcome, "menu answer");
    Ok(twiml_response(doc))
}

/// The callback menu's steps: `offer` (the menu), `choice` (1 or not), `number` (1 for the
/// caller's own, or one typed), `back` (nothing pressed: back to the queue).
async fn callback_menu(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    form: TwilioForm,
) -> Result<Response, Failure> {
    let Path((call, step)) = path.map_err(|e| bad(e.body_text()))?;
    let call = CallSid::parse(&call).map_err(bad)?;
    let digits = form.get("Digits").unwrap_or_default().to_string();
    let from = phone(&form, "From")?;
    let doc = match step.as_str() {
        "offer" => service::callback_offer(&state, &call),
        "choice" => service::callback_choice(&state, call.clone(), from, &digits).await?,
        "number" => service::callback_number(&state, call.clone(), from, &digits).await?,
        "back" => service::back_in_queue(&state, call.clone(), from, crate::calls::flow::KEPT_PLACE).await?,
        other => return Err(bad(format!("unknown callback step '{other}' (offer, choice, number, back)")).into()),
    };
    tracing::info!(route = "callback", call_sid = %call, step = %step, "callback menu");
    Ok(twiml_response(doc))
}

/// The call a voicemail path names.
fn voicemail_call(path: Result<Path<String>, PathRejection>) -> Result<CallSid, ApiError> {
    let Path(call) = path.map_err(|e| bad(e.body_text()))?;
    CallSid::parse(&call).map_err(bad)
}

/// A voicemail's recording ended (`<Record>`'s action): the message waits in the queue.
async fn voicemail_recorded(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    form: TwilioForm,
) -> Result<Response, Failure> {
    let call = voicemail_call(path)?;
    let recording = RecordingSid::parse(form.require("RecordingSid")?).map_err(bad)?;
    let seconds = match form.get("RecordingDuration").filter(|d| !d.is_empty()) {
        Some(d) => d.parse::<u32>().map_err(|_| bad("RecordingDuration must be a whole number of seconds"))?,
        None => 0,
    };
    let from = phone(&form, "From")?;
    let doc = service::voicemail_left(&state, call, from, recording, seconds).await?;
    Ok(twiml_response(doc))
}

/// A callback about a voicemail's recording or transcription, stored as received.
fn recording_callback(form: &TwilioForm, call: &CallSid, status: &str) -> Result<StatusCallback, ApiError> {
    Ok(StatusCallback {
        kind: CallbackKind::Recording,
        call_sid: Some(call.clone()),
        conference_sid: None,
        friendly_name: None,
        event: form.require(status)?.to_string(),
        sequence_number: None,
        params_json: form.to_json(),
    })
}

/// The recording is ready at Twilio (or absent): on the record; the message was queued when the
/// recording ended.
async fn voicemail_recording(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    form: TwilioForm,
) -> Result<Response, Failure> {
    let call = voicemail_call(path)?;
    RecordingSid::parse(form.require("RecordingSid")?).map_err(bad)?;
    state.store.record_callback(&recording_callback(&form, &call, "RecordingStatus")?).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// Twilio's transcription of the message: shown with the voicemail.
async fn voicemail_transcription(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    form: TwilioForm,
) -> Result<Response, Failure> {
    let call = voicemail_call(path)?;
    let cb = recording_callback(&form, &call, "TranscriptionStatus")?;
    state.store.record_callback(&cb).await?;
    if cb.event == "completed" {
        let text = form.get("TranscriptionText").unwrap_or_default().to_string();
        service::voicemail_transcribed(&state, call, text).await?;
    }
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// Call and conference status callbacks: every one is stored, then applied in order.
async fn status(State(state): State<AppState>, form: TwilioForm) -> Result<Response, Failure> {
    let cb = parse_callback(&form).inspect_err(|e| tracing::info!(route = "status", outcome = %e, "refused"))?;
    // The customer's call a conference callback is about is the conference's name (a conference
    // start or end names no call of its own); a participant's leg is said beside it.
    let sid = match cb.kind {
        CallbackKind::Conference => cb.friendly_name.clone(),
        CallbackKind::Call | CallbackKind::Recording => cb.call_sid.as_ref().map(|s| s.to_string()),
    };
    let (kind, event, leg) = (cb.kind, cb.event.clone(), cb.call_sid.as_ref().map(|s| s.to_string()));
    let conference = cb.conference_sid.as_ref().map(|c| c.to_string());
    let outcome = crate::calls::aside::status_callback(&state, cb).await?;
    let sid = sid.unwrap_or_else(|| "-".into());
    let leg = leg.filter(|l| *l != sid).unwrap_or_else(|| "-".into());
    let conference = conference.unwrap_or_else(|| "-".into());
    tracing::info!(route = "status", call_sid = %sid, leg_sid = %leg, conference_sid = %conference, kind = kind.as_str(), event = %event, outcome);
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

fn parse_callback(form: &TwilioForm) -> Result<StatusCallback, ApiError> {
    let call_sid = match form.get("CallSid").filter(|s| !s.is_empty()) {
        Some(s) => Some(CallSid::parse(s).map_err(bad)?),
        None => None,
    };
    let sequence_number = match form.get("SequenceNumber") {
        Some(s) => Some(s.parse::<i64>().map_err(|_| bad("SequenceNumber must be a whole number"))?),
        None => None,
    };
    let (kind, event, conference_sid) = if let Some(event) = form.get("StatusCallbackEvent").filter(|_| form.get("ConferenceSid").is_some())
    {
        let conference = ConferenceSid::parse(form.require("ConferenceSid")?).map_err(bad)?;
        form.require("FriendlyName")?;
        (CallbackKind::Conference, event.to_string(), Some(conference))
    } else if let Some(status) = form.get("CallStatus") {
        if call_sid.is_none() {
            return Err(bad("missing required parameter CallSid"));
        }
        (CallbackKind::Call, status.to_string(), form.get("ConferenceSid").and_then(|c| ConferenceSid::parse(c).ok()))
    } else {
        return Err(bad("missing required parameter CallStatus (call) or StatusCallbackEvent with ConferenceSid (conference)"));
    };
    Ok(StatusCallback {
        kind,
        call_sid,
        conference_sid,
        friendly_name: form.get("FriendlyName").map(str::to_string),
        event,
        sequence_number,
        params_json: form.to_json(),
    })
}
