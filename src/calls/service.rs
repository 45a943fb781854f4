//! The operations the edges (webhooks, server functions) call. Each turns its typed input into
//! a command for the center, and the center's answer into what the edge renders; the rules
//! themselves live in `crate::center`.

use crate::application::AppState;
use crate::calls::flow;
use crate::center::{AgentCard, Command, LegNo, LegOutcome, Refusal, Wanted};
use crate::console::dto::{DialOutcome, VoiceToken};
use crate::ids::{AgentId, CallSid, IdError};
use crate::store::{CenterError, StatusCallback, StoreError};
use crate::twilio::access_token::{voice_token, TokenRequest, VoiceGrant};
use crate::twilio::twiml::Response;

/// One error type for the domain boundary; each edge maps it to its own status codes.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("{0}")]
    BadInput(String),
    #[error("unknown agent '{0}'")]
    UnknownAgent(String),
    #[error("unknown call '{0}'")]
    UnknownCall(String),
    /// The action makes no sense in the current state; the reason is for a person.
    #[error("{0}")]
    Refused(String),
    /// Details stay in the log; callers see a generic message.
    #[error("storage is unavailable")]
    Store(#[from] StoreError),
}

impl From<IdError> for CallError {
    fn from(e: IdError) -> Self {
        CallError::BadInput(e.0)
    }
}

impl From<CenterError> for CallError {
    fn from(e: CenterError) -> Self {
        match e {
            CenterError::Refused(Refusal::UnknownAgent(a)) => CallError::UnknownAgent(a.to_string()),
            CenterError::Refused(Refusal::UnknownCall(c)) => CallError::UnknownCall(c.to_string()),
            CenterError::Refused(Refusal::NotNow(reason)) => CallError::Refused(reason),
            CenterError::Store(e) => CallError::Store(e),
        }
    }
}

/// A Voice access token letting `agent`'s browser receive calls. The caller has checked who
/// the agent is (the signed-in session).
pub fn issue_token(state: &AppState, agent: &str) -> Result<VoiceToken, CallError> {
    let agent = AgentId::parse(agent)?;
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
    Ok(VoiceToken { identity: agent.to_string(), token, ttl_secs })
}

/// How the voice webhook went, for its log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncomingOutcome {
    Queued,
    Repeated,
    StorageFailed,
}

/// A customer's call arrived: it joins the queue. The answer is always a conference for the
/// caller: when the call cannot even be recorded, the caller hears an apology and still waits.
pub async fn incoming_call(state: &AppState, call: CallSid, from: String) -> (Response, IncomingOutcome) {
    let conference = call.to_string();
    match state.center.decide(Command::CallArrived { call, from }).await {
        Ok(d) => {
            let outcome = if d.events.is_empty() { IncomingOutcome::Repeated } else { IncomingOutcome::Queued };
            (flow::customer_twiml(&state.settings, &conference), outcome)
        }
        Err(e) => {
            tracing::error!(call_sid = %conference, error = %e, "could not queue the incoming call");
            (flow::customer_trouble_twiml(&state.settings, &conference), IncomingOutcome::StorageFailed)
        }
    }
}

/// The wait document for the caller on `call` (their place in the queue, when they have one).
pub fn wait(state: &AppState, call: Option<&CallSid>) -> Response {
    let position = call.and_then(|c| state.center.read(|s| s.queue_position(c)));
    flow::wait_twiml(&state.settings, position)
}

/// An agent answered leg `leg` of `call`: the TwiML that joins them to the caller's conference,
/// or, when the call is over or no longer theirs, a sentence and a hang-up.
pub async fn agent_join(state: &AppState, call: CallSid, agent: AgentId, leg: LegNo) -> Result<Response, CallError> {
    let command = Command::AgentAnswered { call: call.clone(), agent: agent.clone(), leg };
    match state.center.decide(command).await {
        Ok(_) => {
            let owner = state.center.read(|s| s.calls.get(&call).and_then(|c| c.owner().cloned())) == Some(agent.clone());
            Ok(flow::agent_join_twiml(&state.settings, call.as_str(), agent.as_str(), owner))
        }
        Err(CenterError::Refused(Refusal::UnknownCall(_))) if !state.center.call_known(&call).await? => {
            Err(CallError::UnknownCall(call.to_string()))
        }
        Err(CenterError::Refused(Refusal::UnknownAgent(a))) => Err(CallError::UnknownAgent(a.to_string())),
        Err(CenterError::Refused(reason)) => {
            tracing::info!(call = %call, %agent, leg, %reason, "an answer came too late");
            Ok(flow::caller_gone_twiml())
        }
        Err(CenterError::Store(e)) => Err(e.into()),
    }
}

/// Twilio reported on an agent's leg: a final status ends it (missed, or hung up).
pub async fn agent_leg_status(state: &AppState, call: CallSid, agent: AgentId, leg: LegNo, cb: StatusCallback) -> Result<(), CallError> {
    state.store.record_callback(&cb).await?;
    if let Some(outcome) = LegOutcome::from_call_status(&cb.event) {
        state.center.decide(Command::LegEnded { call, agent, leg, outcome }).await?;
    }
    Ok(())
}

/// A conference status callback for a customer's conference (named after their CallSid): when
/// the conference ends, or the customer leaves it, the call is over.
pub async fn status_callback(state: &AppState, cb: StatusCallback) -> Result<(), CallError> {
    state.store.record_callback(&cb).await?;
    let Some(call) = cb.friendly_name.as_deref().and_then(|n| CallSid::parse(n).ok()) else { return Ok(()) };
    let caller_left = match cb.event.as_str() {
        "conference-end" => true,
        "participant-leave" => cb.call_sid.as_deref() == Some(call.as_str()),
        _ => false,
    };
    if caller_left {
        state.center.decide(Command::CallerLeft { call }).await?;
    }
    Ok(())
}

/// The signed-in agent asks to be available or away.
pub async fn set_presence(state: &AppState, agent: &AgentId, wanted: Wanted) -> Result<AgentCard, CallError> {
    state.center.decide(Command::SetPresence { agent: agent.clone(), wanted }).await?;
    state.center.read(|s| s.card(agent)).ok_or_else(|| CallError::UnknownAgent(agent.to_string()))
}

/// `from` asks to bring `to` into the call `from` is on.
pub async fn dial_agent_in(state: &AppState, from: &AgentId, to: &str) -> Result<DialOutcome, CallError> {
    let to = AgentId::parse(to)?;
    state.center.decide(Command::DialIn { from: from.clone(), to: to.clone() }).await?;
    let call = state.center.read(|s| s.call_of(from).map(|c| c.sid.to_string())).unwrap_or_default();
    tracing::info!(%call, %from, %to, "dialling a colleague in");
    Ok(DialOutcome { conference: call, agent: to.to_string() })
}

/// The agent signed out: offline (a ringing offer goes to the next agent).
pub async fn signed_out(state: &AppState, agent: &AgentId) -> Result<(), CallError> {
    match state.center.decide(Command::SignedOut { agent: agent.clone() }).await {
        Ok(_) | Err(CenterError::Refused(Refusal::UnknownAgent(_))) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
