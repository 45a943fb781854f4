use axum::extract::rejection::PathRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use super::{TwilioForm, WebhookError, MAX_BODY_BYTES};
use crate::application::AppState;
use crate::calls::{flow, service};
use crate::ids::{CallSid, PhoneNumber};
use crate::store::{CallbackKind, NewCustomerCall, StatusCallback};
use crate::twilio::twiml;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/conference/connect/client", post(voice))
        .route("/conference/wait", post(wait).get(wait))
        .route("/conference/{conference_id}/connect/{agent_id}", post(agent_join))
        .route(flow::STATUS_PATH, post(status))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

fn twiml_response(doc: twiml::Response) -> Response {
    ([("content-type", twiml::CONTENT_TYPE)], doc.to_xml()).into_response()
}

/// `From`/`To` as Twilio sends them; absent is allowed (stored empty), malformed is refused.
fn phone(form: &TwilioForm, name: &str) -> Result<String, WebhookError> {
    match form.get(name).filter(|v| !v.is_empty()) {
        None => Ok(String::new()),
        Some(v) => PhoneNumber::parse(v).map(String::from).map_err(|e| WebhookError::BadRequest(format!("{name}: {}", e.0))),
    }
}

fn call_sid(form: &TwilioForm) -> Result<CallSid, WebhookError> {
    CallSid::parse(form.require("CallSid")?).map_err(|e| WebhookError::BadRequest(e.0))
}

/// A customer called the support number.
async fn voice(State(state): State<AppState>, form: TwilioForm) -> Result<Response, WebhookError> {
    let call = NewCustomerCall {
        call_sid: call_sid(&form).inspect_err(|e| tracing::info!(route = "voice", outcome = %e, "refused"))?,
        from: phone(&form, "From")?,
        to: phone(&form, "To")?,
        status: form.get("CallStatus").unwrap_or("ringing").to_string(),
    };
    let sid = call.call_sid.clone();
    let (doc, outcome) = service::incoming_call(&state, call).await;
    tracing::info!(route = "voice", call_sid = %sid, outcome = ?outcome, "customer call");
    Ok(twiml_response(doc))
}

/// What a waiting customer hears (rendered once at start-up).
async fn wait(State(state): State<AppState>, form: TwilioForm) -> Response {
    tracing::debug!(route = "wait", call_sid = form.get("CallSid").unwrap_or("-"), "wait music");
    ([("content-type", twiml::CONTENT_TYPE)], state.wait_twiml.clone()).into_response()
}

/// An agent answered the dial: join them to the conference.
async fn agent_join(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    form: TwilioForm,
) -> Result<Response, WebhookError> {
    // The path is only looked at once the signature has been checked (by `TwilioForm`): an
    // unsigned request gets 403 whatever its path, never a hint about what the path should be.
    let Path((mut conference_id, agent_id)) = path.map_err(|e| WebhookError::BadRequest(e.body_text()))?;
    // As for form values (see `TwilioForm`): a NUL would make the PostgreSQL lookup fail with a 500.
    super::form::strip_nul(&mut conference_id);
    let sid = form.get("CallSid").unwrap_or("-").to_string();
    match service::agent_join(&state, &conference_id, &agent_id).await {
        Ok(doc) => {
            tracing::info!(route = "agent-join", call_sid = %sid, conference = %conference_id, agent = %agent_id, outcome = "joined");
            Ok(twiml_response(doc))
        }
        Err(e) => {
            tracing::info!(route = "agent-join", call_sid = %sid, conference = %conference_id, agent = %agent_id, outcome = %e, "refused");
            Err(e.into())
        }
    }
}

/// Call and conference status callbacks: every one is stored, then applied in order.
async fn status(State(state): State<AppState>, form: TwilioForm) -> Result<Response, WebhookError> {
    let cb = parse_callback(&form).inspect_err(|e| tracing::info!(route = "status", outcome = %e, "refused"))?;
    let (kind, event, sid) = (cb.kind, cb.event.clone(), cb.call_sid.clone());
    service::status_callback(&state, cb).await?;
    tracing::info!(route = "status", call_sid = sid.as_deref().unwrap_or("-"), kind = kind.as_str(), event = %event, outcome = "stored");
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

fn parse_callback(form: &TwilioForm) -> Result<StatusCallback, WebhookError> {
    let call_sid = match form.get("CallSid").filter(|s| !s.is_empty()) {
        Some(s) => Some(CallSid::parse(s).map_err(|e| WebhookError::BadRequest(e.0))?.to_string()),
        None => None,
    };
    let sequence_number = match form.get("SequenceNumber") {
        Some(s) => Some(s.parse::<i64>().map_err(|_| WebhookError::BadRequest("SequenceNumber must be a whole number".into()))?),
        None => None,
    };
    let (kind, event) = if let Some(event) = form.get("StatusCallbackEvent").filter(|_| form.get("ConferenceSid").is_some()) {
        crate::ids::ConferenceSid::parse(form.require("ConferenceSid")?).map_err(|e| WebhookError::BadRequest(e.0))?;
        form.require("FriendlyName")?;
        (CallbackKind::Conference, event.to_string())
    } else if let Some(status) = form.get("CallStatus") {
        if call_sid.is_none() {
            return Err(WebhookError::BadRequest("missing required parameter CallSid".into()));
        }
        (CallbackKind::Call, status.to_string())
    } else {
        return Err(WebhookError::BadRequest(
            "missing required parameter CallStatus (call) or StatusCallbackEvent with ConferenceSid (conference)".into(),
        ));
    };
    Ok(StatusCallback {
        kind,
        call_sid,
        conference_sid: form.get("ConferenceSid").map(str::to_string),
        friendly_name: form.get("FriendlyName").map(str::to_string),
        event,
        sequence_number,
        params_json: form.to_json(),
    })
}
