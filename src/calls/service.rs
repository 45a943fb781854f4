//! The operations the edges (webhooks, server functions) call. Each turns its typed input into
//! a command for the center, and the center's answer into what the edge renders; the rules
//! themselves live in `crate::center`.

use crate::api::dto::VoiceToken;
use crate::calls::flow;
use crate::center::{AgentCard, CallCard, Command, LegNo, LegOutcome, Party, Refusal, Target, TransferAction, Wanted};
use crate::ids::{AgentId, CallSid, IdError, E164};
use crate::state::AppState;
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

/// The wait document for the caller on `call` (their place in the queue, when they have one),
/// after a blind transfer's sentence when `intro` asks for it.
pub fn wait(state: &AppState, call: Option<&CallSid>, intro: Option<&str>) -> Response {
    let position = call.and_then(|c| state.center.read(|s| s.queue_position(c)));
    let intro = match intro {
        Some("transfer") => Some(flow::TRANSFER_MESSAGE),
        _ => None,
    };
    flow::wait_twiml_after(&state.settings, intro, position)
}

/// `party` (an agent, or a number a transfer dialled) answered leg `leg` of `call`: the TwiML
/// that joins them to the caller's conference, or, when the call is over or no longer theirs,
/// a sentence and a hang-up.
pub async fn agent_join(state: &AppState, call: CallSid, party: Party, leg: LegNo) -> Result<Response, CallError> {
    let command = Command::LegAnswered { call: call.clone(), party: party.clone(), leg };
    match state.center.decide(command).await {
        Ok(_) => Ok(flow::agent_join_twiml(&state.settings, call.as_str(), party.as_str())),
        Err(CenterError::Refused(Refusal::UnknownCall(_))) if !state.center.call_known(&call).await? => {
            Err(CallError::UnknownCall(call.to_string()))
        }
        Err(CenterError::Refused(Refusal::UnknownAgent(a))) => Err(CallError::UnknownAgent(a.to_string())),
        Err(CenterError::Refused(reason)) => {
            tracing::info!(call = %call, %party, leg, %reason, "an answer came too late");
            Ok(flow::caller_gone_twiml())
        }
        Err(CenterError::Store(e)) => Err(e.into()),
    }
}

/// Twilio reported on a leg: a final status ends it (missed, or hung up).
pub async fn agent_leg_status(state: &AppState, call: CallSid, party: Party, leg: LegNo, cb: StatusCallback) -> Result<(), CallError> {
    state.store.record_callback(&cb).await?;
    if let Some(outcome) = LegOutcome::from_call_status(&cb.event) {
        state.center.decide(Command::LegEnded { call, party, leg, outcome }).await?;
    }
    Ok(())
}

/// A conference status callback for a customer's conference (named after their CallSid): when
/// the conference ends, or the customer leaves it, the call is over.
pub async fn status_callback(state: &AppState, cb: StatusCallback) -> Result<(), CallError> {
    state.store.record_callback(&cb).await?;
    let Some(call) = cb.friendly_name.as_deref().and_then(|n| CallSid::parse(n).ok()) else { return Ok(()) };
    // The conference's sid is what holds and removals are addressed to: learn it once.
    if let Some(cf) = cb.conference_sid.as_deref().filter(|_| cb.event != "conference-end") {
        if state.center.read(|s| s.calls.get(&call).is_some_and(|c| c.conference.as_deref() != Some(cf))) {
            state.center.decide(Command::ConferenceKnown { call: call.clone(), conference: cf.to_string() }).await?;
        }
    }
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

/// The signed-in agent asks to be available or away (or says their phone is gone).
pub async fn set_presence(state: &AppState, agent: &AgentId, wanted: Wanted) -> Result<AgentCard, CallError> {
    state.center.decide(Command::SetPresence { agent: agent.clone(), wanted }).await?;
    state.center.read(|s| s.card(agent)).ok_or_else(|| CallError::UnknownAgent(agent.to_string()))
}

/// One thing an agent does to the call they are on, from the console's buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallStep {
    Transfer(TransferAction),
    /// Hold (`true`) or resume the customer: a conference hold with music.
    Hold(bool),
    /// The browser muted (`true`) or unmuted its microphone: the call's legs say so.
    Mute(bool),
}

/// The agent takes a step on the call they are on; the answer is their call as it now stands.
pub async fn step(state: &AppState, agent: &AgentId, step: CallStep) -> Result<Option<CallCard>, CallError> {
    let agent_id = agent.clone();
    let (command, name) = match step {
        CallStep::Transfer(action) => {
            let name = action.name();
            (Command::Transfer { agent: agent_id, action }, name)
        }
        CallStep::Hold(hold) => (Command::Hold { agent: agent_id, hold }, if hold { "hold" } else { "resume" }),
        CallStep::Mute(muted) => (Command::Mute { agent: agent_id, muted }, if muted { "mute" } else { "unmute" }),
    };
    state.center.decide(command).await?;
    tracing::info!(%agent, step = name, "call step");
    Ok(state.center.read(|s| s.call_of(agent).map(|c| c.card(agent))))
}

/// `true`/`false` as a form sends it.
pub fn parse_flag(name: &str, value: &str) -> Result<bool, CallError> {
    match value.trim() {
        "true" | "1" | "on" => Ok(true),
        "false" | "0" | "off" => Ok(false),
        _ => Err(CallError::BadInput(format!("{name} must be true or false"))),
    }
}

/// What the console sends for a step on its call, parsed: `action` is one of the button names,
/// `to` (for consult and transfer) an agent's identity, a `+` number or `queue`.
pub fn parse_step(action: &str, to: Option<&str>, note: Option<&str>) -> Result<CallStep, CallError> {
    let target = || -> Result<Target, CallError> {
        let to = to.map(str::trim).filter(|t| !t.is_empty()).ok_or_else(|| CallError::BadInput("choose who to transfer to".into()))?;
        Ok(match to {
            "queue" => Target::Queue,
            _ if to.starts_with('+') || to.starts_with(|c: char| c.is_ascii_digit()) => Target::Phone(E164::parse(to)?),
            _ => Target::Agent(AgentId::parse(to)?),
        })
    };
    let action = match action.trim() {
        "hold" => return Ok(CallStep::Hold(true)),
        "resume" => return Ok(CallStep::Hold(false)),
        "mute" => return Ok(CallStep::Mute(true)),
        "unmute" => return Ok(CallStep::Mute(false)),
        other => other,
    };
    Ok(CallStep::Transfer(match action {
        "consult" => TransferAction::Consult { to: target()?, note: note.unwrap_or_default().to_string() },
        "transfer" => TransferAction::Blind { to: target()? },
        "complete" => TransferAction::Complete,
        "cancel" => TransferAction::Cancel,
        "three-way" => TransferAction::ThreeWay,
        "swap" => TransferAction::Swap,
        "leave" => TransferAction::Leave,
        "retry" => TransferAction::Retry,
        other => {
            return Err(CallError::BadInput(format!(
                "unknown action '{other}' (consult, transfer, complete, cancel, three-way, swap, leave, retry, hold, resume, mute, unmute)"
            )))
        }
    }))
}

/// The agent signed out: offline (a ringing offer goes to the next agent).
pub async fn signed_out(state: &AppState, agent: &AgentId) -> Result<(), CallError> {
    match state.center.decide(Command::SignedOut { agent: agent.clone() }).await {
        Ok(_) | Err(CenterError::Refused(Refusal::UnknownAgent(_))) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
