use axum::extract::{DefaultBodyLimit, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use axum_extra::routing::{RouterExt, TypedPath};

use super::form::TwilioForm;
use crate::calls::paths::{AgentJoin, AgentLegStatus, CallbackMenu, CallbackStep, Menu, MonitorLegStatus, Status, Voice, Wait};
use crate::calls::paths::{VoicemailRecorded, VoicemailRecording, VoicemailTranscription};
use crate::calls::{flow, service};
use crate::center::{MenuKey, NumberKeys, OfferKey};
use crate::error::{ApiError, Failure};
use crate::ids::{CallSid, ConferenceSid, PhoneNumber, RecordingSid};
use crate::state::AppState;
use crate::store::{CallbackKind, StatusCallback};
use crate::twilio::twiml;

/// Webhook bodies are small forms; anything larger is refused with 413 before it is read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Each path is mounted by its type (`calls::paths`), the one that writes its URL for Twilio;
/// `typed_post` checks that the handler's first argument is that type.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(Voice::PATH, post(voice))
        // The only one fetched with GET too: Twilio fetches a hold's document so.
        .route(Wait::PATH, post(wait).get(wait))
        .typed_post(agent_join)
        .route(Status::PATH, post(status))
        .typed_post(agent_leg_status)
        .typed_post(monitor_leg_status)
        .typed_post(callback_menu)
        .typed_post(menu)
        .typed_post(voicemail_recorded)
        .typed_post(voicemail_recording)
        .typed_post(voicemail_transcription)
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

/// What a waiting customer hears: their place in the queue, music, and this document again.
/// Without a CallSid (or with one not in the queue) there is no place to tell, only music.
/// The same document serves a customer held after a blind transfer (`?intro=transfer` says why
/// once) or waiting again in the queue.
async fn wait(path: Result<Wait, ApiError>, State(state): State<AppState>, form: TwilioForm) -> Response {
    let call = form.get("CallSid").and_then(|s| CallSid::parse(s).ok());
    if let Some(call) = &call {
        crate::calls::aside::waiting(&state, call, form.get("From").and_then(|f| PhoneNumber::parse(f).ok()));
    }
    let after_transfer = path.is_ok_and(|w| w.after_transfer);
    tracing::debug!(route = "wait", call_sid = call.as_ref().map(|c| c.as_str()).unwrap_or("-"), "wait document");
    twiml_response(service::wait(&state, call.as_ref(), after_transfer))
}

/// An agent answered their leg: join them to the caller's conference.
/// (Every path is looked at only once the signature has been checked by `TwilioForm`: an
/// unsigned request gets 403 whatever its path.)
async fn agent_join(path: Result<AgentJoin, ApiError>, State(state): State<AppState>, form: TwilioForm) -> Result<Response, Failure> {
    let AgentJoin { call, party, leg } = path?;
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
    path: Result<AgentLegStatus, ApiError>,
    State(state): State<AppState>,
    form: TwilioForm,
) -> Result<Response, Failure> {
    let AgentLegStatus { call, party, leg } = path?;
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
    path: Result<MonitorLegStatus, ApiError>,
    State(state): State<AppState>,
    form: TwilioForm,
) -> Result<Response, Failure> {
    let MonitorLegStatus { call, supervisor, leg } = path?;
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
async fn menu(path: Result<Menu, ApiError>, State(state): State<AppState>, form: TwilioForm) -> Result<Response, ApiError> {
    let Menu { call, attempt } = path?;
    let from = phone(&form, "From")?;
    let (key, speech) = (MenuKey::parse(form.get("Digits").unwrap_or_default()), form.get("SpeechResult").unwrap_or_default());
    let (doc, outcome) = service::menu_answer(&state, call.clone(), from, attempt, key, speech).await;
    tracing::info!(route = "menu", call_sid = %call, attempt, outcome = ?outcome, "menu answer");
    Ok(twiml_response(doc))
}

/// The callback menu's steps: `offer` (the menu), `choice` (1, 2 or not), `number` (1 for the
/// caller's own, or one typed), `back` (nothing pressed: back to the queue). The keys pressed
/// are read for the step that asked for them.
async fn callback_menu(path: Result<CallbackMenu, ApiError>, State(state): State<AppState>, form: TwilioForm) -> Result<Response, Failure> {
    let CallbackMenu { call, step } = path?;
    let digits = form.get("Digits").unwrap_or_default();
    let from = phone(&form, "From")?;
    let doc = match step {
        CallbackStep::Offer => service::callback_offer(&state, &call),
        CallbackStep::Choice => service::callback_choice(&state, call.clone(), from, OfferKey::parse(digits)).await?,
        CallbackStep::Number => service::callback_number(&state, call.clone(), from, NumberKeys::parse(digits)).await?,
        CallbackStep::Back => service::back_in_queue(&state, call.clone(), from, flow::KEPT_PLACE).await?,
    };
    tracing::info!(route = "callback", call_sid = %call, step = step.as_str(), "callback menu");
    Ok(twiml_response(doc))
}

/// A voicemail's recording ended (`<Record>`'s action): the message waits in the queue.
async fn voicemail_recorded(
    path: Result<VoicemailRecorded, ApiError>,
    State(state): State<AppState>,
    form: TwilioForm,
) -> Result<Response, Failure> {
    let VoicemailRecorded { call } = path?;
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
    path: Result<VoicemailRecording, ApiError>,
    State(state): State<AppState>,
    form: TwilioForm,
) -> Result<Response, Failure> {
    let VoicemailRecording { call } = path?;
    RecordingSid::parse(form.require("RecordingSid")?).map_err(bad)?;
    state.store.record_callback(&recording_callback(&form, &call, "RecordingStatus")?).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// Twilio's transcription of the message: shown with the voicemail.
async fn voicemail_transcription(
    path: Result<VoicemailTranscription, ApiError>,
    State(state): State<AppState>,
    form: TwilioForm,
) -> Result<Response, Failure> {
    let VoicemailTranscription { call } = path?;
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
