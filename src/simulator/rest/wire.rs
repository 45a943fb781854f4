//! What goes over the wire in Twilio's shapes: error answers, form bodies, resource bodies.

use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::ids::CallSid;
use crate::simulator::engine::{CallView, ConferenceView, ParticipantStatus, ParticipantView, SimError, CONFERENCE_FULL};

pub(super) const API: &str = "/2010-04-01/Accounts";
/// Where every route of the API sits.
pub(super) const ACCOUNT: &str = "/2010-04-01/Accounts/{account}";
/// Twilio's "Phone number does not appear to be valid" (a `To` neither `client:` nor E.164).
pub const INVALID_NUMBER: u32 = 21217;
/// Twilio's "Too Many Requests", answered with HTTP 429.
pub const TOO_MANY_REQUESTS: u32 = 20429;

/// Twilio's error answer.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: u32,
    message: String,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into() }
    }

    pub(super) fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, 20001, message)
    }

    /// 429: too many requests of the account in flight (see `rest::limit`). The same answer as an
    /// injected `Fault::Status(429)`.
    pub(super) fn too_many_requests() -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, TOO_MANY_REQUESTS, "Too Many Requests")
    }

    pub(super) fn not_found(uri: &Uri) -> Self {
        Self::new(StatusCode::NOT_FOUND, 20404, format!("The requested resource {} was not found", uri.path()))
    }

    pub(super) fn from_sim(e: SimError, uri: &Uri) -> Self {
        match e {
            SimError::UnknownCall(_) | SimError::UnknownConference(_) | SimError::UnknownParticipant(_) | SimError::UnknownRecording(_) => {
                Self::not_found(uri)
            }
            SimError::WrongState { .. } | SimError::NotInProgress(_) => Self::new(StatusCode::BAD_REQUEST, 21220, e.to_string()),
            SimError::InvalidNumber(_) => Self::new(StatusCode::BAD_REQUEST, INVALID_NUMBER, e.to_string()),
            SimError::Invalid(m) => Self::invalid(m),
            SimError::DuplicateLabel { .. } => Self::invalid(e.to_string()),
            SimError::CoachOnHold(_) => Self::new(StatusCode::BAD_REQUEST, 16027, e.to_string()),
            SimError::CoachNotInConference(_) => Self::new(StatusCode::BAD_REQUEST, 16028, e.to_string()),
            SimError::ConferenceFull(..) => Self::new(StatusCode::BAD_REQUEST, CONFERENCE_FULL, e.to_string()),
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

pub(super) type ApiResult = Result<Response, ApiError>;

/// A form body or query: every pair, repeated keys kept.
pub(super) struct Form(pub(super) Vec<(String, String)>);

impl Form {
    pub(super) fn parse(bytes: &[u8]) -> Self {
        Form(form_urlencoded::parse(bytes).into_owned().collect())
    }

    pub(super) fn get(&self, name: &str) -> Option<String> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).filter(|v| !v.is_empty())
    }

    pub(super) fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    pub(super) fn require(&self, name: &str, code: u32, message: &str) -> Result<String, ApiError> {
        self.get(name).ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, code, format!("{message} (parameter {name})")))
    }

    pub(super) fn flag(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(ApiError::invalid(format!("{name} must be true or false, not {v:?}"))),
        }
    }

    pub(super) fn number(&self, name: &str) -> Result<Option<u32>, ApiError> {
        self.get(name)
            .map(|v| v.trim().parse().map_err(|_| ApiError::invalid(format!("{name} must be a whole number, not {v:?}"))))
            .transpose()
    }
}

/// `Calls/CA….json` → `CA…` (the `.json` suffix is part of the captured segment), or 404 for
/// the request's URI.
pub(super) fn resource<'a>(segment: &'a str, uri: &Uri) -> Result<&'a str, ApiError> {
    segment.strip_suffix(".json").ok_or_else(|| ApiError::not_found(uri))
}

pub(super) fn call_sid_of(segment: &str, uri: &Uri) -> Result<CallSid, ApiError> {
    resource(segment, uri).and_then(|s| CallSid::parse(s).map_err(|_| ApiError::not_found(uri)))
}

/// The SID of the call a request created, put on its answer for the request log.
#[derive(Debug, Clone)]
pub(super) struct Created(pub(super) CallSid);

/// A `201` that created the call `sid` (the log keeps it).
pub(super) fn created_call(body: Value, sid: CallSid) -> Response {
    let mut res = (StatusCode::CREATED, Json(body)).into_response();
    res.extensions_mut().insert(Created(sid));
    res
}

pub(super) fn ok(body: Value) -> Response {
    Json(body).into_response()
}

// ---- Twilio-shaped bodies ------------------------------------------------------------------------

pub(super) fn call_json(account: &str, c: &CallView) -> Value {
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
        "queue_time": c.queue_time_ms.to_string(),
        "trunk_sid": null,
        "uri": uri,
        "subresource_uris": {
            "notifications": format!("{API}/{account}/Calls/{}/Notifications.json", c.call_sid),
            "recordings": format!("{API}/{account}/Calls/{}/Recordings.json", c.call_sid),
        },
    })
}

pub(super) fn conference_json(account: &str, c: &ConferenceView) -> Value {
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

pub(super) fn participant_json(account: &str, p: &ParticipantView) -> Value {
    json!({
        "account_sid": account,
        "call_sid": p.call_sid,
        "conference_sid": p.conference_sid,
        "label": p.label,
        "hold": p.on_hold,
        "muted": p.muted,
        "coaching": p.coaching.is_some(),
        "call_sid_to_coach": p.coaching,
        "start_conference_on_enter": p.start_conference_on_enter,
        "end_conference_on_exit": p.end_conference_on_exit,
        "status": match p.status {
            ParticipantStatus::Ringing if p.queued => "queued",
            ParticipantStatus::Ringing => "ringing",
            ParticipantStatus::Connected => "connected",
        },
        "date_created": p.date_created,
        "date_updated": p.date_created,
        "uri": format!("{API}/{account}/Conferences/{}/Participants/{}.json", p.conference_sid, p.call_sid),
    })
}

/// One page holding everything (the simulator never has more than a page of anything).
pub(super) fn page(key: &str, uri: &Uri, items: Vec<Value>) -> Value {
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

/// Which of the account's credentials a request came with (set by [`authenticate`]): some
/// resources answer differently to each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Credential {
    /// `ACCOUNT_SID:primary auth token`.
    PrimaryToken,
    /// `ACCOUNT_SID:secondary auth token`.
    SecondaryToken,
    /// `API_KEY:API_SECRET`, of the configured kind.
    ApiKey(crate::simulator::driver::ApiKeyKind),
}
