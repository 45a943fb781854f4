//! Server functions of the supervisor's floor: listen, whisper or barge on a call, leave it,
//! and set an agent's presence. Stable endpoints (`/api/monitor`, `/api/stop_monitoring`,
//! `/api/supervise`) like the console's. Only a supervisor may: an agent gets 403 from the
//! supervisor guard (`caller::Supervisor`), before anything else is read. The floor itself comes
//! over `/api/floor/stream`.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::Ctx;
use super::dto::Unread;
use crate::center::{AgentCard, MonitorCard};
use crate::error::ApiError;

/// Listen to (`mode=listen`), coach the agent on (`whisper`) or barge into (`barge`) `call`;
/// asked on the call the supervisor monitors, it switches mode on the same participant.
#[server(prefix = "/api", endpoint = "monitor")]
pub async fn monitor(call: String, mode: String) -> Result<Unread<Option<MonitorCard>>, ApiError> {
    use crate::center::MonitorMode;
    let cx = Ctx::take();
    let me = cx.supervisor().await?;
    let call = crate::ids::CallSid::parse(&call).map_err(|e| ApiError::BadInput(e.0))?;
    let Some(mode) = MonitorMode::parse(&mode) else {
        return Err(ApiError::BadInput("mode must be listen, whisper or barge".into()));
    };
    let card = crate::calls::service::monitor(&cx.state, &me.agent, call, mode).await.map_err(|e| e.public())?;
    Ok(Unread(Some(card)))
}

/// Leave the call the supervisor monitors.
#[server(prefix = "/api", endpoint = "stop_monitoring")]
pub async fn stop_monitoring() -> Result<(), ApiError> {
    let cx = Ctx::take();
    let me = cx.supervisor().await?;
    crate::calls::service::stop_monitoring(&cx.state, &me.agent).await.map_err(|e| e.public())
}

/// Set `agent` away (`action=set-away`, with a `reason`), offline (`set-offline`), or end their
/// wrap-up (`end-wrap-up`): the agent's card as it now is, or why not now.
#[server(prefix = "/api", endpoint = "supervise")]
pub async fn supervise(agent: String, action: String, reason: Option<String>) -> Result<Unread<AgentCard>, ApiError> {
    use crate::center::SupervisorAction;
    let cx = Ctx::take();
    let me = cx.supervisor().await?;
    let agent = crate::ids::AgentId::parse(&agent).map_err(|e| ApiError::BadInput(e.0))?;
    let Some(action) = SupervisorAction::parse(&action, reason.as_deref()) else {
        return Err(ApiError::BadInput("action must be set-away, set-offline or end-wrap-up".into()));
    };
    let card = crate::calls::service::supervise(&cx.state, &me.agent, &agent, action).await.map_err(|e| e.public())?;
    Ok(Unread(Some(card)))
}
