//! Server functions the console calls for the agent's phone and call. Stable endpoint names
//! (`/api/token`, `/api/transfer`, `/api/presence`) so scripts and integrations can use them
//! too. Each acts only for the agent signed in on the request. The arguments are the core's
//! types, read from the form by their own parsers (a malformed one is refused, 400, before the
//! function runs, with the reason); the rules live in `center` (through `calls::service`), the
//! errors' statuses in `crate::error`; the phone's token is issued here. The console's live
//! view comes over `/api/stream`.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::Ctx;
use super::dto::{Unread, VoiceToken};
use crate::center::{AgentCard, CallAction, CallCard, TransferTo, Wanted};
use crate::error::ApiError;
use crate::ids::AgentId;

/// "A token for me": a Voice token for the signed-in agent, and only for them.
#[server(prefix = "/api", endpoint = "token")]
pub async fn get_token(agent: AgentId) -> Result<VoiceToken, ApiError> {
    let cx = Ctx::take();
    let me = cx.signed_in().await?;
    if agent != me.agent {
        return Err(ApiError::Forbidden(format!("you are signed in as {}; a token is only issued for your own identity", me.agent)));
    }
    Ok(issue_token(&cx.state, &me.agent))
}

/// A Voice access token letting `agent`'s browser receive calls. The caller has checked who
/// the agent is (the signed-in session).
#[cfg(feature = "ssr")]
fn issue_token(state: &crate::state::AppState, agent: &crate::ids::AgentId) -> VoiceToken {
    use crate::twilio::access_token::{voice_token, TokenRequest, VoiceGrant};
    let twilio = &state.settings.twilio;
    let ttl_secs = state.settings.token_ttl.as_secs();
    let now_unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let token = voice_token(&TokenRequest {
        account_sid: &twilio.account_sid,
        api_key_sid: &twilio.api_key,
        api_key_secret: twilio.api_secret.expose(),
        identity: agent.as_str(),
        ttl_secs,
        now_unix,
        grant: &VoiceGrant { incoming_allow: true, outgoing_application_sid: None },
    });
    VoiceToken { identity: agent.to_string(), token, ttl_secs }
}

/// A step on the signed-in agent's call, the one way to take any: `action` is one of
/// `consult` or `transfer` (blind) with `to` (an agent's identity, a `+` number or `queue`) and
/// for a consult an optional `note`; `complete`, `cancel`, `three-way`, `swap`, `leave`,
/// `retry`; `hold`, `resume` (the customer, with music); `mute`, `unmute` (the browser mutes
/// itself, the call's legs show it). Answers the call as it now stands (none when the agent is
/// off it), or a plain reason why not now (409).
#[server(prefix = "/api", endpoint = "transfer")]
pub async fn transfer(action: CallAction, to: Option<TransferTo>, note: Option<String>) -> Result<Unread<Option<CallCard>>, ApiError> {
    let cx = Ctx::take();
    let me = cx.signed_in().await?;
    let to = to.filter(|_| action.needs_target()).map(|to| to.0);
    let card = crate::calls::service::step(&cx.state, &me.agent, action, to, note).await.map_err(|e| e.public())?;
    Ok(Unread(Some(card)))
}

/// "Make me available" / "make me away" / "my phone is gone" (`status=available|away|offline`):
/// the signed-in agent's new presence, or a plain reason why not now (on a call, ringing).
#[server(prefix = "/api", endpoint = "presence")]
pub async fn set_presence(status: Wanted) -> Result<Unread<AgentCard>, ApiError> {
    let cx = Ctx::take();
    let me = cx.signed_in().await?;
    let card = crate::calls::service::set_presence(&cx.state, &me.agent, status).await.map_err(|e| e.public())?;
    Ok(Unread(Some(card)))
}
