//! Signing in and out, who is signed in, and what kind of deployment this is: the server
//! functions the console calls before (and around) the agent's work.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::Ctx;
use super::dto::{AgentInfo, SiteMode};
use crate::error::ApiError;
#[cfg(feature = "ssr")]
use crate::error::Failure;

#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(identity: String, password: String) -> Result<AgentInfo, ApiError> {
    let cx = Ctx::take();
    let (me, token) = crate::auth::sign_in(&cx.state.store, &identity, &password).await.map_err(|e| Failure::from(e).public())?;
    cx.set_cookie(crate::auth::session_cookie(&token, cx.secure_cookies()));
    Ok(info(me))
}

/// The signed-in agent as the browser knows them; their role as stored (a role the CLI just gave
/// counts at once).
#[cfg(feature = "ssr")]
fn info(me: crate::auth::SignedIn) -> AgentInfo {
    let supervisor = me.is_supervisor();
    AgentInfo { identity: me.agent, display_name: me.display_name, supervisor }
}

#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), ApiError> {
    let cx = Ctx::take();
    let me = cx.signed_in().await.ok();
    // The session first: the sign-out decided next is what tells this session's open streams
    // (on every instance) to look at it again, and end.
    crate::auth::sign_out(&cx.state.store, cx.headers()).await.map_err(|e| Failure::from(e).public())?;
    if let Some(me) = me {
        crate::calls::service::signed_out(&cx.state, &me.agent).await.map_err(|e| e.public())?;
    }
    cx.set_cookie(crate::auth::clear_cookie(cx.secure_cookies()));
    Ok(())
}

/// The signed-in agent, or `None`.
#[server(prefix = "/api", endpoint = "whoami")]
pub async fn whoami() -> Result<Option<AgentInfo>, ApiError> {
    let cx = Ctx::take();
    match cx.signed_in().await {
        Ok(me) => Ok(Some(info(me))),
        Err(ApiError::NotSignedIn) => Ok(None),
        Err(e) => Err(e),
    }
}

#[server(prefix = "/api", endpoint = "site")]
pub async fn site_info() -> Result<SiteMode, ApiError> {
    use crate::config::{DEMO_AGENTS, DEMO_PASSWORD, DEMO_SUPERVISOR};
    let simulator = Ctx::take().state.simulator.is_some();
    Ok(SiteMode {
        simulator,
        demo_agents: if simulator { DEMO_AGENTS.iter().chain([&DEMO_SUPERVISOR]).map(|a| a.to_string()).collect() } else { vec![] },
        demo_password: simulator.then(|| DEMO_PASSWORD.to_string()),
    })
}
