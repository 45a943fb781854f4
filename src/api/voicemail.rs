//! `GET /api/voicemail/{call}/audio`: a voicemail's message, fetched from Twilio with the
//! account's credentials and passed on to the console (a recording is never shown as a public
//! link). Only the agent the voicemail is offered to or who took it, or a supervisor, may hear
//! it; the answer is never cached by the browser or a proxy.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::caller::SignedIn;
use crate::center::Role;
use crate::error::{ApiError, Failure};
use crate::ids::CallSid;
use crate::state::AppState;

pub async fn audio(State(state): State<AppState>, me: SignedIn, Path(call): Path<String>) -> Response {
    match serve(&state, &me, &call).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, "audio/x-wav"), (header::CACHE_CONTROL, "private, no-store")], bytes).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn serve(state: &AppState, me: &SignedIn, call: &str) -> Result<Vec<u8>, Failure> {
    let call = CallSid::parse(call).map_err(|e| ApiError::BadInput(e.0))?;
    let (recording, theirs) = state.center.read(|s| {
        let c = s.calls.get(&call);
        let recording = c.and_then(|c| c.as_voicemail()).map(|v| v.recording.clone());
        let theirs = c.and_then(|c| c.party(Role::Owner)).and_then(|p| p.agent()) == Some(&me.agent);
        (recording, theirs)
    });
    let Some(recording) = recording else {
        return Err(ApiError::NotFound(format!("no voicemail waiting on call '{call}'")).into());
    };
    // A supervisor by the account's role as stored (`caller`), not the center's copy of it.
    if !(theirs || me.is_supervisor()) {
        return Err(ApiError::Forbidden("this voicemail is offered to another agent".into()).into());
    }
    state.twilio.recording_wav(recording.as_str()).await.map_err(|e| {
        tracing::warn!(call_sid = %call, recording = %recording, error = %e, "could not fetch a voicemail's recording");
        match e.status() {
            Some(404) => ApiError::NotFound(format!("Twilio has no recording {recording} (deleted?)")).into(),
            _ => Failure::from(ApiError::Unavailable),
        }
    })
}
