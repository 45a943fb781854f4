//! The call domain's operations, as the edges (webhooks, server functions) call them.
//! Each parses nothing itself beyond its typed inputs and holds the rules of the flow.

use crate::application::AppState;
use crate::calls::flow;
use crate::console::api::{DialOutcome, VoiceToken};
use crate::ids::{AgentId, IdError};
use crate::store::{NewCustomerCall, StatusCallback, StoreError};
use crate::twilio::access_token::{voice_token, TokenRequest, VoiceGrant};
use crate::twilio::twiml::Response;

/// One error type for the domain boundary; each edge maps it to its own status codes.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("{0}")]
    BadInput(String),
    #[error("unknown agent '{0}'")]
    UnknownAgent(String),
    #[error("unknown conference '{0}'")]
    UnknownConference(String),
    #[error("agent '{0}' is not on a live call")]
    NotOnCall(String),
    #[error("agent '{0}' is already on this call")]
    AlreadyOnCall(String),
    /// Details stay in the log; callers see a generic message.
    #[error("storage is unavailable")]
    Store(#[from] StoreError),
}

impl From<IdError> for CallError {
    fn from(e: IdError) -> Self {
        CallError::BadInput(e.0)
    }
}

impl AppState {
    /// An agent with an account here, parsed from untrusted input.
    pub async fn known_agent(&self, raw: &str) -> Result<AgentId, CallError> {
        let agent = AgentId::parse(raw)?;
        if self.store.agent(agent.as_str()).await?.is_some() {
            Ok(agent)
        } else {
            Err(CallError::UnknownAgent(agent.to_string()))
        }
    }

    fn first_agent(&self) -> &AgentId {
        // Settings guarantee at least two agents.
        &self.settings.agents[0]
    }
}

/// A Voice access token letting `agent`'s browser receive calls. The caller has checked who
/// the agent is (the signed-in session).
pub fn issue_token(state: &AppState, agent: &str) -> Result<VoiceToken, CallError> {
    let agent = AgentId::parse(agent)?;
    let twilio = &state.settings.twilio;
    let ttl_secs = state.settings.token_ttl.as_secs();
    let now_unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
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
    Opened,
    Repeated,
    StorageFailed,
}

/// A customer's call arrived. The answer is always a conference for the caller: when the dial
/// cannot even be recorded, the caller hears an apology and still waits in the conference.
pub async fn incoming_call(state: &AppState, call: NewCustomerCall) -> (Response, IncomingOutcome) {
    let conference_id = call.call_sid.to_string();
    match state.store.open_conference(&call, state.first_agent()).await {
        Ok(created) => {
            if created {
                state.dialer.wake();
            }
            let outcome = if created { IncomingOutcome::Opened } else { IncomingOutcome::Repeated };
            (flow::customer_twiml(&state.settings, &conference_id), outcome)
        }
        Err(e) => {
            tracing::error!(call_sid = %conference_id, error = %e, "could not record the incoming call");
            (flow::customer_trouble_twiml(&state.settings, &conference_id), IncomingOutcome::StorageFailed)
        }
    }
}

/// An agent answered: the TwiML that joins their leg to the conference.
pub async fn agent_join(state: &AppState, conference_id: &str, agent: &str) -> Result<Response, CallError> {
    let agent = AgentId::parse(agent)?;
    let position = state
        .store
        .assignment(conference_id, agent.as_str())
        .await?
        .ok_or_else(|| CallError::UnknownConference(conference_id.to_string()))?
        .ok_or_else(|| CallError::UnknownAgent(agent.to_string()))?;
    Ok(flow::agent_join_twiml(&state.settings, conference_id, agent.as_str(), position))
}

/// `from` asks to bring `to` into the call `from` is on.
pub async fn dial_agent_in(state: &AppState, from: &str, to: &str) -> Result<DialOutcome, CallError> {
    let from = AgentId::parse(from)?;
    let to = state.known_agent(to).await?;
    if from == to {
        return Err(CallError::BadInput("an agent cannot dial themselves in".into()));
    }
    let conference = state
        .store
        .live_conference_of(&from)
        .await?
        .ok_or_else(|| CallError::NotOnCall(from.to_string()))?;
    if !state.store.add_agent(&conference.id, &to).await? {
        return Err(CallError::AlreadyOnCall(to.to_string()));
    }
    state.dialer.wake();
    tracing::info!(conference = %conference.id, from = %from, to = %to, "dialling a second agent in");
    Ok(DialOutcome { conference: conference.id, agent: to.to_string() })
}

/// Stores a call or conference status callback and applies it. When the customer's conference
/// ends, agents still being rung for it stop ringing: their browsers would otherwise ring for
/// a caller who is gone.
pub async fn status_callback(state: &AppState, cb: StatusCallback) -> Result<(), CallError> {
    state.store.record_callback(&cb).await?;
    if cb.event == "conference-end" {
        if let Some(conference) = cb.friendly_name.as_deref() {
            let ringing = state.store.close_conference_dials(conference).await?;
            for call_sid in ringing {
                // Off the callback's path: Twilio waits for our answer to this request.
                let twilio = state.twilio.clone();
                let conference = conference.to_string();
                tokio::spawn(async move {
                    match twilio.cancel_call(&call_sid).await {
                        Ok(()) => tracing::info!(%conference, %call_sid, "stopped ringing an agent: the customer left"),
                        Err(e) => tracing::warn!(%conference, %call_sid, error = %e, "could not stop ringing an agent"),
                    }
                });
            }
        }
    }
    Ok(())
}
