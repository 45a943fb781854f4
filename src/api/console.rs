//! Server functions the console calls for the agent's phone and call. Stable endpoint names (`/api/token`, `/api/presence`,
//! `/api/transfer`, `/api/sign_in`, `/api/sign_out`, `/api/whoami`) so scripts and integrations
//! can use them too. Each acts only for the agent signed in on the request; the logic lives in
//! `center`, `calls` and `auth`. The console's live view comes over `/api/stream` (`events`).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context as server;
use super::dto::{Unread, VoiceToken};

/// "A token for me": a Voice token for the signed-in agent, and only for them.
#[server(prefix = "/api", endpoint = "token")]
pub async fn get_token(agent: String) -> Result<VoiceToken, ServerFnError> {
    let cx = server::Ctx::take();
    let me = cx.signed_in().await?;
    if agent != me.agent.as_str() {
        return Err(cx.fail(
            axum::http::StatusCode::FORBIDDEN,
            format!("you are signed in as {}; a token is only issued for your own identity", me.agent),
        ));
    }
    crate::calls::service::issue_token(&cx.state, me.agent.as_str()).map_err(|e| cx.call_error(e))
}

/// A step on the signed-in agent's call: `action` is `consult` or `transfer` (blind) with `to`
/// (an agent's identity, a `+` number or `queue`) and for a consult an optional `note`; or
/// `complete`, `cancel`, `three-way`, `swap`, `leave`, `retry`; or `hold`, `resume`, `mute`,
/// `unmute` (the console sends every step here: one server function in its WASM). Answers the
/// call as it now stands (none when the agent is off it), or a plain reason why not now (409).
#[server(prefix = "/api", endpoint = "transfer")]
pub async fn transfer(
    action: String,
    to: Option<String>,
    note: Option<String>,
) -> Result<Unread<Option<crate::center::CallCard>>, ServerFnError> {
    let cx = server::Ctx::take();
    let me = cx.signed_in().await?;
    let step = crate::calls::service::parse_step(&action, to.as_deref(), note.as_deref()).map_err(|e| cx.call_error(e))?;
    crate::calls::service::step(&cx.state, &me.agent, step).await.map(|c| Unread(Some(c))).map_err(|e| cx.call_error(e))
}

/// "Hold" / "Resume" (`hold=true|false`): the customer of the signed-in agent's call on hold
/// with music, server-side (a conference hold), or back. Answers the call as it now stands.
#[server(prefix = "/api", endpoint = "hold")]
pub async fn hold(hold: String) -> Result<Option<crate::center::CallCard>, ServerFnError> {
    let cx = server::Ctx::take();
    let me = cx.signed_in().await?;
    let hold = crate::calls::service::parse_flag("hold", &hold).map_err(|e| cx.call_error(e))?;
    crate::calls::service::step(&cx.state, &me.agent, crate::calls::service::CallStep::Hold(hold)).await.map_err(|e| cx.call_error(e))
}

/// "Mute" / "Unmute" (`muted=true|false`): the browser mutes its microphone itself; this tells
/// the server, so the call's legs show it to everyone on the call.
#[server(prefix = "/api", endpoint = "mute")]
pub async fn mute(muted: String) -> Result<Option<crate::center::CallCard>, ServerFnError> {
    let cx = server::Ctx::take();
    let me = cx.signed_in().await?;
    let muted = crate::calls::service::parse_flag("muted", &muted).map_err(|e| cx.call_error(e))?;
    crate::calls::service::step(&cx.state, &me.agent, crate::calls::service::CallStep::Mute(muted)).await.map_err(|e| cx.call_error(e))
}

/// "Make me available" / "make me away" / "my phone is gone" (`status=available|away|offline`):
/// the signed-in agent's new presence, or a plain reason why not now (on a call, ringing).
#[server(prefix = "/api", endpoint = "presence")]
pub async fn set_presence(status: String) -> Result<Unread<crate::center::AgentCard>, ServerFnError> {
    let cx = server::Ctx::take();
    let me = cx.signed_in().await?;
    let Some(wanted) = crate::center::Wanted::parse(&status) else {
        return Err(cx.fail(axum::http::StatusCode::BAD_REQUEST, "status must be available, away or offline"));
    };
    crate::calls::service::set_presence(&cx.state, &me.agent, wanted).await.map(|c| Unread(Some(c))).map_err(|e| cx.call_error(e))
}
