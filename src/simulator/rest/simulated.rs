//! The routes answered from the engine: requests change simulated calls and conferences.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Extension;

use super::recordings::{delete_recording, fetch_recording, list_call_recordings, list_recordings};
use axum::Router;
use serde_json::{json, Value};

use super::wire::{
    call_json, call_sid_of, conference_json, created_call, ok, page, participant_json, resource, ApiError, ApiResult, Credential, Form,
    ACCOUNT,
};
use crate::simulator::driver::ApiKeyKind;
use crate::simulator::driver::Simulator;
use crate::simulator::engine::{CallRedirect, NewParticipant, NumberRouting, OutboundCall, ParticipantUpdate, SimError};
use crate::simulator::twiml;

pub(super) fn routes() -> Router<Simulator> {
    let account = ACCOUNT;
    Router::new()
        .route(account, get(fetch_account))
        .route(&format!("{account}/IncomingPhoneNumbers.json"), get(list_numbers))
        .route(&format!("{account}/IncomingPhoneNumbers/{{number}}"), get(fetch_number).post(update_number))
        .route(&format!("{account}/Calls.json"), post(create_call))
        .route(&format!("{account}/Calls/{{call}}"), get(fetch_call).post(update_call))
        .route(&format!("{account}/Calls/{{call}}/Recordings.json"), get(list_call_recordings))
        .route(&format!("{account}/Recordings.json"), get(list_recordings))
        .route(&format!("{account}/Recordings/{{recording}}"), get(fetch_recording).delete(delete_recording))
        .route(&format!("{account}/Conferences.json"), get(list_conferences))
        .route(&format!("{account}/Conferences/{{conference}}"), get(fetch_conference).post(update_conference))
        .route(&format!("{account}/Conferences/{{conference}}/Participants.json"), get(list_participants).post(add_participant))
        .route(
            &format!("{account}/Conferences/{{conference}}/Participants/{{who}}"),
            get(fetch_participant).post(update_participant).delete(remove_participant),
        )
}

// ---- the account and its number --------------------------------------------------------------------

/// `GET Accounts/{AC}.json`: the simulated account (reached only with its own credentials).
/// As Twilio: a Standard API key may not read it (401, 20003); whichever auth token reads it,
/// `auth_token` is the primary (the one webhooks are signed with).
async fn fetch_account(
    State(sim): State<Simulator>,
    Path(account): Path<String>,
    Extension(credential): Extension<Credential>,
    uri: Uri,
) -> ApiResult {
    let sid = resource(&account, &uri)?;
    if credential == Credential::ApiKey(ApiKeyKind::Standard) {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, 20003, "Authenticate"));
    }
    let primary = sim.config().auth_token.expose().to_string();
    Ok(ok(json!({ "sid": sid, "friendly_name": "Simulated account", "status": "active", "type": "Full", "auth_token": primary })))
}

/// The support number's resource sid (fixed per number).
fn number_sid(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    format!("PN{digits:0>32}")
}

fn number_json(sim: &Simulator) -> Value {
    let cfg = sim.config();
    let (voice_url, routing) = sim.apply(|e, _| (e.voice_url().to_string(), e.number_routing().cloned()));
    json!({
        "sid": number_sid(&cfg.support_number),
        "account_sid": cfg.account_sid,
        "phone_number": cfg.support_number,
        "friendly_name": cfg.support_number,
        "voice_url": voice_url,
        "voice_method": "POST",
        "voice_application_sid": match &routing { Some(NumberRouting::Application(app)) => json!(app), _ => Value::Null },
        "trunk_sid": match &routing { Some(NumberRouting::Trunk(trunk)) => json!(trunk), _ => Value::Null },
    })
}

/// `GET IncomingPhoneNumbers.json[?PhoneNumber=…]`: the account's one number (none when asked
/// for another: a number of another account is not listed).
async fn list_numbers(State(sim): State<Simulator>, uri: Uri) -> ApiResult {
    let wanted =
        uri.query().and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "PhoneNumber").map(|(_, v)| v.into_owned()));
    let items = match wanted {
        Some(n) if n != sim.config().support_number => vec![],
        _ => vec![number_json(&sim)],
    };
    Ok(ok(page("incoming_phone_numbers", &uri, items)))
}

async fn fetch_number(State(sim): State<Simulator>, Path((_, number)): Path<(String, String)>, uri: Uri) -> ApiResult {
    if resource(&number, &uri)? != number_sid(&sim.config().support_number) {
        return Err(ApiError::not_found(&uri));
    }
    Ok(ok(number_json(&sim)))
}

/// `POST IncomingPhoneNumbers/{PN}.json VoiceUrl=… [VoiceMethod=POST] [VoiceApplicationSid=…]
/// [TrunkSid=…]`: incoming calls go there. As Twilio: an app or a trunk set on the number wins
/// over its voice URL; setting one drops the other; an empty value unsets it.
async fn update_number(State(sim): State<Simulator>, Path((_, number)): Path<(String, String)>, uri: Uri, body: Bytes) -> ApiResult {
    if resource(&number, &uri)? != number_sid(&sim.config().support_number) {
        return Err(ApiError::not_found(&uri));
    }
    let form = Form::parse(&body);
    if let Some(method) = form.get("VoiceMethod").filter(|m| m != "POST") {
        return Err(ApiError::invalid(format!("VoiceMethod {method}: the simulator posts incoming calls (use POST)")));
    }
    let sid_param = |name: &str, prefix: &str| -> Result<Option<Option<String>>, ApiError> {
        // An empty value is given (it unsets), not absent: read the pair itself.
        match form.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()) {
            None => Ok(None),
            Some(v) if v.is_empty() => Ok(Some(None)),
            Some(v) if v.len() == 34 && v.starts_with(prefix) && v[2..].chars().all(|c| c.is_ascii_hexdigit()) => Ok(Some(Some(v))),
            Some(v) => Err(ApiError::invalid(format!("{name} {v:?} is not a {prefix} SID"))),
        }
    };
    let (app, trunk) = (sid_param("VoiceApplicationSid", "AP")?, sid_param("TrunkSid", "TK")?);
    sim.apply(|e, _| {
        if let Some(url) = form.get("VoiceUrl") {
            e.set_voice_url(&url);
        }
        let current = e.number_routing().cloned();
        let routing = match (app, trunk) {
            (_, Some(Some(trunk))) => Some(NumberRouting::Trunk(trunk)),
            (Some(Some(app)), _) => Some(NumberRouting::Application(app)),
            (Some(None), None) => current.filter(|r| !matches!(r, NumberRouting::Application(_))),
            (None, Some(None)) => current.filter(|r| !matches!(r, NumberRouting::Trunk(_))),
            (Some(None), Some(None)) => None,
            (None, None) => current,
        };
        e.route_number(routing);
    });
    Ok(ok(number_json(&sim)))
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
    // Twilio's answer to a create always says queued; the simulated call already rings, unless
    // calls created before it still wait for their turn (the account's calls per second).
    body["status"] = json!("queued");
    Ok(created_call(body, view.call_sid))
}

async fn fetch_call(State(sim): State<Simulator>, Path((_, call)): Path<(String, String)>, uri: Uri) -> ApiResult {
    let sid = call_sid_of(&call, &uri)?;
    let view = sim.apply(|e, _| e.call(sid.as_str())).ok_or_else(|| ApiError::not_found(&uri))?;
    Ok(ok(call_json(&sim.config().account_sid, &view)))
}

/// The longest `Twiml` Twilio takes.
const MAX_TWIML: usize = 4000;

/// `Status=canceled` (before answer) or `completed` hangs the call up; `Url` (with `Method`) or
/// `Twiml` moves a call in progress to other TwiML (see `engine::redirect`): `Status` wins over
/// both, and `Url` over `Twiml` (Twilio ignores `Twiml` when both are given).
async fn update_call(State(sim): State<Simulator>, Path((_, call)): Path<(String, String)>, uri: Uri, body: Bytes) -> ApiResult {
    let sid = call_sid_of(&call, &uri)?;
    let form = Form::parse(&body);
    let status = form.get("Status");
    let redirect = match (form.get("Url"), form.get("Twiml")) {
        (Some(url), _) => Some(CallRedirect::Url { url, method: form.get("Method") }),
        (None, Some(doc)) if doc.chars().count() > MAX_TWIML => {
            return Err(ApiError::invalid(format!("Twiml is longer than {MAX_TWIML} characters")));
        }
        (None, Some(doc)) => Some(CallRedirect::Twiml(twiml::parse(&doc).map_err(|e| format!("bad Twiml parameter: {e}")))),
        (None, None) => None,
    };
    let view = sim
        .apply(|e, now| {
            match (&status, redirect) {
                (Some(status), _) => e.update_call_status(&sid, status, now)?,
                (None, Some(to)) => e.redirect_call(&sid, to, now)?,
                (None, None) => {}
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
    let sid = resource(&conference, &uri)?.to_string();
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
    let sid = resource(&conference, &uri)?.to_string();
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
        coaching: form.flag("Coaching")?,
        call_sid_to_coach: form.get("CallSidToCoach"),
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
    Ok(created_call(participant_json(&sim.config().account_sid, &view), view.call_sid))
}

async fn fetch_participant(
    State(sim): State<Simulator>,
    Path((_, conference, who)): Path<(String, String, String)>,
    uri: Uri,
) -> ApiResult {
    let who = resource(&who, &uri)?.to_string();
    let view = sim.apply(|e, _| e.participant(&conference, &who)).map_err(|e| ApiError::from_sim(e, &uri))?;
    Ok(ok(participant_json(&sim.config().account_sid, &view)))
}

async fn update_participant(
    State(sim): State<Simulator>,
    Path((_, conference, who)): Path<(String, String, String)>,
    uri: Uri,
    body: Bytes,
) -> ApiResult {
    let who = resource(&who, &uri)?.to_string();
    let form = Form::parse(&body);
    let update = ParticipantUpdate {
        hold: form.flag("Hold")?,
        hold_url: form.get("HoldUrl"),
        hold_method: form.get("HoldMethod"),
        muted: form.flag("Muted")?,
        end_conference_on_exit: form.flag("EndConferenceOnExit")?,
        coaching: form.flag("Coaching")?,
        call_sid_to_coach: form.get("CallSidToCoach"),
    };
    let view = sim.apply(|e, now| e.update_participant(&conference, &who, update, now)).map_err(|e| ApiError::from_sim(e, &uri))?;
    Ok(ok(participant_json(&sim.config().account_sid, &view)))
}

async fn remove_participant(
    State(sim): State<Simulator>,
    Path((_, conference, who)): Path<(String, String, String)>,
    uri: Uri,
) -> ApiResult {
    let who = resource(&who, &uri)?.to_string();
    sim.apply(|e, now| e.remove_participant(&conference, &who, now)).map_err(|e| ApiError::from_sim(e, &uri))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
