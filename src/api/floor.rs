//! Server functions of the supervisor's floor: listen, whisper or barge on a call, leave it,
//! and set an agent's presence. Stable endpoints (`/api/monitor`, `/api/stop_monitoring`,
//! `/api/supervise`) like the console's. Only a supervisor may: an agent gets 403 from the
//! supervisor guard (`caller::Supervisor`). The arguments are the core's types, read from the
//! form by their own parsers (400 with the reason when malformed, before the guard: Leptos reads
//! them first). The floor itself comes over `/api/floor/stream`.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::Ctx;
use super::dto::Unread;
use crate::center::{AgentCard, MonitorCard, MonitorMode, SupervisorStep};
use crate::error::ApiError;
use crate::ids::{AgentId, CallSid};

/// Listen to (`mode=listen`), coach the agent on (`whisper`) or barge into (`barge`) `call`;
/// asked on the call the supervisor monitors, it switches mode on the same participant.
#[server(prefix = "/api", endpoint = "monitor")]
pub async fn monitor(call: CallSid, mode: MonitorMode) -> Result<Unread<Option<MonitorCard>>, ApiError> {
    let cx = Ctx::take();
    let me = cx.supervisor().await?;
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
pub async fn supervise(agent: AgentId, action: SupervisorStep, reason: Option<String>) -> Result<Unread<AgentCard>, ApiError> {
    let cx = Ctx::take();
    let me = cx.supervisor().await?;
    let action = action.with(reason.as_deref());
    let card = crate::calls::service::supervise(&cx.state, &me.agent, &agent, action).await.map_err(|e| e.public())?;
    Ok(Unread(Some(card)))
}
