//! `api.twilio.com/2010-04-01` for the requests this app makes, answered from the engine.
//!
//! Routes are relative to `/2010-04-01/…`; the app reaches them with `TWILIO_API_BASE_URL` set to
//! wherever this router is nested (e.g. `{base}/sim`). Requests need HTTP Basic auth with
//! `ACCOUNT_SID:auth_token` or `API_KEY:API_SECRET`. Errors are Twilio's JSON
//! (`{"code","message","more_info","status"}`): 401/20003 for authentication, 404/20404 for an
//! unknown resource, 400 for bad input (21201 missing `To`, 21603 missing `From`, 21205 missing
//! `Url`, 21217 a `To` that is neither `client:…` nor an E.164 number, 20001 another invalid
//! parameter, 21220 a call in the wrong state — close to Twilio's codes, which are not all
//! documented). Requests can be made to fail on purpose, and all are logged: see
//! [`super::faults`].

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;

use super::driver::Simulator;
use super::engine::{
    CallView, ConferenceView, NewParticipant, OutboundCall, ParticipantStatus, ParticipantUpdate, ParticipantView, SimError,
};
use super::faults::{self, Fault};
use crate::ids::CallSid;

const API: &str = "/2010-04-01/Accounts";
/// Twilio's "Phone number does not appear to be valid" (a `To` neither `client:` nor E.164).
pub const INVALID_NUMBER: u32 = 21217;

pub fn router(sim: Simulator) -> Router {
    let account = "/2010-04-01/Accounts/{account}";
    Router::new()
        .route(&format!("{account}/Calls.json"), post(create_call))
        .route(&format!("{account}/Calls/{{call}}"), get(fetch_call).post(update_call))
        .route(&format!("{account}/Conferences.json"), get(list_conferences))
        .route(&format!("{account}/Conferences/{{conference}}"), get(fetch_conference).post(update_conference))
        .route(&format!("{account}/Conferences/{{conference}}/Participants.json"), get(list_participants).post(add_participant))
        .route(
            &format!("{account}/Conferences/{{conference}}/Participants/{{who}}"),
            get(fetch_participant).post(update_participant).delete(remove_participant),
        )
        .fallback(|uri: Uri| async move { ApiError::not_found(&uri) })
        // The last layer added runs first: log, then authenticate, then inject faults.
        .layer(axum::middleware::from_fn_with_state(sim.clone(), inject_faults))
        .layer(axum::middleware::from_fn_with_state(sim.clone(), authenticate))
        .layer(axum::middleware::from_fn_with_state(sim.clone(), record))
        .with_state(sim)
}

/// Which entry of the request log a request is (set by [`record`]).
#[derive(Debug, Clone, Copy)]
struct LogId(u64);

/// Every request goes into the simulator's request log with the status it was answered with.
async fn record(State(sim): State<Simulator>, mut req: Request, next: Next) -> Response {
    let id = sim.faults().arrived(req.method().as_str(), req.uri().path());
    req.extensions_mut().insert(LogId(id));
    let res = next.run(req).await;
    sim.faults().answered(id, res.status().as_u16());
    res
}

/// A request a [`FaultRule`](super::faults::FaultRule) matches is not carried out: it gets the
/// rule's error at once, or is held and dropped (see [`super::faults`]).
async fn inject_faults(State(sim): State<Simulator>, req: Request, next: Next) -> Response {
    let (method, path) = (req.method().as_str().to_string(), req.uri().path().to_string());
    let Some(fault) = sim.faults().take(&method, &path) else { return next.run(req).await };
    if let Some(LogId(id)) = req.extensions().get::<LogId>() {
        sim.faults().failed_by(*id, &fault);
    }
    sim.announce_fault(&method, &path, &fault);
    match fault {
        Fault::Status(status) => {
            let status = StatusCode::from_u16(faults::status_of(status)).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let reason = status.canonical_reason().unwrap_or("Error");
            ApiError::new(status, 20_000 + u32::from(status.as_u16()), reason).into_response()
        }
        Fault::Delay(delay) => {
            tokio::time::sleep(delay).await;
            let message = "Gateway Timeout (the simulator dropped this request: an injected delay)";
            ApiError::new(StatusCode::GATEWAY_TIMEOUT, 20_504, message).into_response()
        }
    }
}

/// Twilio's error answer.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: u32,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into() }
    }

    fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, 20001, message)
    }

    fn not_found(uri: &Uri) -> Self {
        Self::new(StatusCode::NOT_FOUND, 20404, format!("The requested resource {} was not found", uri.path()))
    }

    fn from_sim(e: SimError, uri: &Uri) -> Self {
        match e {
            SimError::UnknownCall(_) | SimError::UnknownConference(_) | SimError::UnknownParticipant(_) => Self::not_found(uri),
            SimError::WrongState { .. } => Self::new(StatusCode::BAD_REQUEST, 21220, e.to_string()),
            SimError::InvalidNumber(_) => Self::new(StatusCode::BAD_REQUEST, INVALID_NUMBER, e.to_string()),
            SimError::Invalid(m) => Self::invalid(m),
            SimError::DuplicateLabel { .. } => Self::invalid(e.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "code": self.code,
            "message": self.message,
            "more_info": format!("https://www.twilio.com/docs/errors/{}", self.code),
            "status": self.status.as_u16(),
        });
        let mut res = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert("www-authenticate", "Basic realm=\"Twilio API\"".parse().expect("static header"));
        }
        res
    }
}

type ApiResult = Result<Response, ApiError>;

/// Basic auth against both credential pairs, compared in constant time; the account in the path
/// must be the simulated one.
async fn authenticate(State(sim): State<Simulator>, req: Request, next: Next) -> Response {
    let cfg = sim.config();
    let given = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|raw| String::from_utf8(raw).ok());
    let ok = given.as_deref().and_then(|g| g.split_once(':')).is_some_and(|(user, password)| {
        let pair = |u: &str, p: &str| u.as_bytes().ct_eq(user.as_bytes()) & p.as_bytes().ct_eq(password.as_bytes());
        bool::from(pair(&cfg.account_sid, cfg.auth_token.expose()) | pair(&cfg.api_key, cfg.api_secret.expose()))
    });
    if !ok {
        return ApiError::new(StatusCode::UNAUTHORIZED, 20003, "Authenticate").into_response();
    }
    let own_account = format!("{API}/{}/", cfg.account_sid);
    if !req.uri().path().starts_with(&own_account) {
        return ApiError::not_found(req.uri()).into_response();
    }
    next.run(req).await
}

/// A form body or query: every pair, repeated keys kept.
struct Form(Vec<(String, String)>);

impl Form {
    fn parse(bytes: &[u8]) -> Self {
        Form(form_urlencoded::parse(bytes).into_owned().collect())
    }

    fn get(&self, name: &str) -> Option<String> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).filter(|v| !v.is_empty())
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    fn require(&self, name: &str, code: u32, message: &str) -> Result<String, ApiError> {
        self.get(name).ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, code, format!("{message} (parameter {name})")))
    }

    fn flag(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(ApiError::invalid(format!("{name} must be true or false, not {v:?}"))),
        }
    }

    fn number(&self, name: &str) -> Result<Option<u32>, ApiError> {
        self.get(name)
            .map(|v| v.trim().parse().map_err(|_| ApiError::invalid(format!("{name} must be a whole number, not {v:?}"))))
            .transpose()
    }
}

/// `Calls/CA….json` → `CA…`; the `.json` suffix is part of the captured segment.
fn strip_json(segment: &str) -> Option<&str> {
    segment.strip_suffix(".json")
}

fn call_sid_of(segment: &str, uri: &Uri) -> Result<CallSid, ApiError> {
    strip_json(segment).and_then(|s| CallSid::parse(s).ok()).ok_or_else(|| ApiError::not_found(uri))
}

fn created(body: Value) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

fn ok(body: Value) -> Response {
    Json(body).into_response()
}

// ---- calls ---------------------------------------------------------------------------------------

async fn create_call(State(sim): State<Simulator>, uri: Uri, body: Bytes) -> ApiResult {
    let form = Form::parse(&body);
    let req = OutboundCall {
        to: form.require("To", 21201, "No 'To' number is specified")?,
        from: form.require("From", 21603, "A 'From' phone number is required")?,
        url: form.require("Url", 21205, "Url parameter is required")?,
        method: form.get("Method"),
        timeout_secs: form.number("Timeout")?,
        status_callback: form.get("StatusCallback"),
        status_callback_event: form.all("StatusCallbackEvent"),
        status_callback_method: form.get("StatusCallbackMethod"),
    };
    let account = sim.config().account_sid.clone();
    let view = sim
        .apply(|e, now| e.create_call(req, now).map(|sid| e.call(sid.as_str()).expect("just created")))
        .map_err(|e| ApiError::from_sim(e, &uri))?;
    let mut body = call_json(&account, &view);
    // Twilio's answer to a create always says queued; the simulated call already rings.
    body["status"] = json!("queued");
    Ok(created(body))
}

async fn fetch_call(State(sim): State<Simulator>, Path((_, call)): Path<(String, String)>, uri: Uri) -> ApiResult {
    let sid = call_sid_of(&call, &uri)?;
    let view = sim.apply(|e, _| e.call(sid.as_str())).ok_or_else(|| ApiError::not_found(&uri))?;
    Ok(ok(call_json(&sim.config().account_sid, &view)))
}

/// `Status=canceled` (before answer) or `completed` hangs the call up.
async fn update_call(State(sim): State<Simulator>, Path((_, call)): Path<(String, String)>, uri: Uri, body: Bytes) -> ApiResult {
    let sid = call_sid_of(&call, &uri)?;
    let form = Form::parse(&body);
    let status = form.get("Status");
    let view = sim
        .apply(|e, now| {
            if let Some(status) = &status {
                e.update_call_status(&sid, status, now)?;
            }
            e.call(sid.as_str()).ok_or_else(|| SimError::UnknownCall(sid.to_string()))
        })
        .map_err(|e| ApiError::from_sim(e, &uri))?;
    Ok(ok(call_json(&sim.config().account_sid, &view)))
}

// ---- conferences ---------------------------------------------------------------------------------

async fn list_conferences(State(sim): State<Simulator>, uri: Uri) -> ApiResult {
    let query = Form::parse(uri.query().unwrap_or_default().as_bytes());
    let (name, status) = (query.get("FriendlyName"), query.get("Status"));
    let found = sim.apply(|e, _| e.find_conferences(name.as_deref(), status.as_deref()));
    let account = &sim.config().account_sid;
    let list: Vec<Value> = found.iter().map(|c| conference_json(account, c)).collect();
    Ok(ok(page("conferences", &uri, list)))
}

async fn fetch_conference(State(sim): State<Simulator>, Path((_, conference)): Path<(String, String)>, uri: Uri) -> ApiResult {
    let sid = strip_json(&conference).ok_or_else(|| ApiError::not_found(&uri))?.to_string();
    let view = sim.apply(|e, _| e.conference(&sid)).ok_or_else(|| ApiError::not_found(&uri))?;
    Ok(ok(conference_json(&sim.config().account_sid, &view)))
}

/// `Status=completed` ends the conference for everyone.
async fn update_conference(
    State(sim): State<Simulator>,
    Path((_, conference)): Path<(String, String)>,
    uri: Uri,
    body: Bytes,
) -> ApiResult {
    let sid = strip_json(&conference).ok_or_else(|| ApiError::not_found(&uri))?.to_string();
    let form = Form::parse(&body);
    let view = sim
        .apply(|e, now| {
            match form.get("Status").as_deref() {
                Some("completed") => e.end_conference(&sid, now)?,
                Some(other) => return Err(SimError::Invalid(format!("Status must be completed, not {other:?}"))),
                None if e.conference(&sid).is_none() => return Err(SimError::UnknownConference(sid.clone())),
                None => {}
            }
            e.conference(&sid).ok_or_else(|| SimError::UnknownConference(sid.clone()))
        })
        .map_err(|e| ApiError::from_sim(e, &uri))?;
    Ok(ok(conference_json(&sim.config().account_sid, &view)))
}

// ---- participants --------------------------------------------------------------------------------

async fn list_participants(State(sim): State<Simulator>, Path((_, conference)): Path<(String, String)>, uri: Uri) -> ApiResult {
    let view = sim.apply(|e, _| e.live_conference(&conference)).map_err(|e| ApiError::from_sim(e, &uri))?;
    let account = &sim.config().account_sid;
    let list: Vec<Value> = view.participants.iter().map(|p| participant_json(account, p)).collect();
    Ok(ok(page("participants", &uri, list)))
}

async fn add_participant(State(sim): State<Simulator>, Path((_, conference)): Path<(String, String)>, uri: Uri, body: Bytes) -> ApiResult {
    let form = Form::parse(&body);
    let req = NewParticipant {
        from: form.require("From", 21603, "A 'From' phone number is required")?,
        to: form.require("To", 21201, "No 'To' number is specified")?,
        label: form.get("Label"),
        start_conference_on_enter: form.flag("StartConferenceOnEnter")?,
        end_conference_on_exit: form.flag("EndConferenceOnExit")?,
        muted: form.flag("Muted")?,
        beep: form.get("Beep"),
        wait_url: form.0.iter().find(|(k, _)| k == "WaitUrl").map(|(_, v)| v.clone()),
        wait_method: form.get("WaitMethod"),
        timeout_secs: form.number("Timeout")?,
        status_callback: form.get("StatusCallback"),
        status_callback_event: form.all("StatusCallbackEvent"),
        status_callback_method: form.get("StatusCallbackMethod"),
        conference_status_callback: form.get("ConferenceStatusCallback"),
        conference_status_callback_event: form.all("ConferenceStatusCallbackEvent"),
        conference_status_callback_method: form.get("ConferenceStatusCallbackMethod"),
    };
    let view = sim.apply(|e, now| e.add_participant(&conference, req, now)).map_err(|e| ApiError::from_sim(e, &uri))?;
    Ok(created(participant_json(&sim.config().account_sid, &view)))
}

async fn fetch_participant(
    State(sim): State<Simulator>,
    Path((_, conference, who)): Path<(String, String, String)>,
    uri: Uri,
) -> ApiResult {
    let who = strip_json(&who).ok_or_else(|| ApiError::not_found(&uri))?.to_string();
    let view = sim.apply(|e, _| e.participant(&conference, &who)).map_err(|e| ApiError::from_sim(e, &uri))?;
    Ok(ok(participant_json(&sim.config().account_sid, &view)))
}

async fn update_participant(
    State(sim): State<Simulator>,
    Path((_, conference, who)): Path<(String, String, String)>,
    uri: Uri,
    body: Bytes,
) -> ApiResult {
    let who = strip_json(&who).ok_or_else(|| ApiError::not_found(&uri))?.to_string();
    let form = Form::parse(&body);
    let update = ParticipantUpdate {
        hold: form.flag("Hold")?,
        hold_url: form.get("HoldUrl"),
        hold_method: form.get("HoldMethod"),
        muted: form.flag("Muted")?,
        end_conference_on_exit: form.flag("EndConferenceOnExit")?,
    };
    let view = sim.apply(|e, now| e.update_participant(&conference, &who, update, now)).map_err(|e| ApiError::from_sim(e, &uri))?;
    Ok(ok(participant_json(&sim.config().account_sid, &view)))
}

async fn remove_participant(
    State(sim): State<Simulator>,
    Path((_, conference, who)): Path<(String, String, String)>,
    uri: Uri,
) -> ApiResult {
    let who = strip_json(&who).ok_or_else(|| ApiError::not_found(&uri))?.to_string();
    sim.apply(|e, now| e.remove_participant(&conference, &who, now)).map_err(|e| ApiError::from_sim(e, &uri))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---- Twilio-shaped bodies ------------------------------------------------------------------------

fn call_json(account: &str, c: &CallView) -> Value {
    let uri = format!("{API}/{account}/Calls/{}.json", c.call_sid);
    json!({
        "sid": c.call_sid,
        "account_sid": account,
        "to": c.to,
        "to_formatted": c.to,
        "from": c.from,
        "from_formatted": c.from,
        "status": c.status,
        "direction": c.direction,
        "api_version": "2010-04-01",
        "date_created": c.date_created,
        "date_updated": c.date_updated,
        "start_time": c.start_time,
        "end_time": c.end_time,
        "duration": c.duration.map(|d| d.to_string()),
        "parent_call_sid": null,
        "price": null,
        "price_unit": "USD",
        "answered_by": null,
        "caller_name": null,
        "forwarded_from": null,
        "group_sid": null,
        "phone_number_sid": null,
        "queue_time": "0",
        "trunk_sid": null,
        "uri": uri,
        "subresource_uris": {
            "notifications": format!("{API}/{account}/Calls/{}/Notifications.json", c.call_sid),
            "recordings": format!("{API}/{account}/Calls/{}/Recordings.json", c.call_sid),
        },
    })
}

fn conference_json(account: &str, c: &ConferenceView) -> Value {
    let base = format!("{API}/{account}/Conferences/{}", c.sid);
    json!({
        "sid": c.sid,
        "account_sid": account,
        "friendly_name": c.friendly_name,
        "status": c.status.as_twilio_str(),
        "date_created": c.date_created,
        "date_updated": c.date_updated,
        "api_version": "2010-04-01",
        "region": "us1",
        "reason_conference_ended": c.reason_ended,
        "call_sid_ending_conference": c.call_sid_ending,
        "uri": format!("{base}.json"),
        "subresource_uris": {
            "participants": format!("{base}/Participants.json"),
            "recordings": format!("{base}/Recordings.json"),
        },
    })
}

fn participant_json(account: &str, p: &ParticipantView) -> Value {
    json!({
        "account_sid": account,
        "call_sid": p.call_sid,
        "conference_sid": p.conference_sid,
        "label": p.label,
        "hold": p.on_hold,
        "muted": p.muted,
        "coaching": false,
        "call_sid_to_coach": null,
        "start_conference_on_enter": p.start_conference_on_enter,
        "end_conference_on_exit": p.end_conference_on_exit,
        "status": match p.status {
            ParticipantStatus::Ringing => "ringing",
            ParticipantStatus::Connected => "connected",
        },
        "date_created": p.date_created,
        "date_updated": p.date_created,
        "uri": format!("{API}/{account}/Conferences/{}/Participants/{}.json", p.conference_sid, p.call_sid),
    })
}

/// One page holding everything (the simulator never has more than a page of anything).
fn page(key: &str, uri: &Uri, items: Vec<Value>) -> Value {
    let here = uri.path_and_query().map(|p| p.as_str()).unwrap_or_default().to_string();
    let end = items.len().saturating_sub(1);
    json!({
        key: items,
        "page": 0,
        "page_size": 50,
        "start": 0,
        "end": end,
        "uri": here,
        "first_page_uri": here,
        "next_page_uri": null,
        "previous_page_uri": null,
    })
}
