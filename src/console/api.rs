//! Server functions the console calls. Stable endpoint names (`/api/token`, `/api/dial_agent`)
//! so scripts and older pages keep working across releases.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A Voice access token for one agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoiceToken {
    pub identity: String,
    pub token: String,
    /// Seconds until the token expires.
    pub ttl_secs: u64,
}

/// What happened when an agent asked to bring another agent into their call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialOutcome {
    pub conference: String,
    pub agent: String,
}

/// "A token for me": issues a Voice token for `agent`.
#[server(prefix = "/api", endpoint = "token")]
pub async fn get_token(agent: String) -> Result<VoiceToken, ServerFnError> {
    use crate::application::AppState;
    let state = expect_context::<AppState>();
    crate::calls::service::issue_token(&state, &agent).map_err(|e| ServerFnError::new(e.to_string()))
}

/// "Dial the second agent into my call": `from_agent` must be on a live conference.
#[server(prefix = "/api", endpoint = "dial_agent")]
pub async fn dial_agent(from_agent: String, to_agent: String) -> Result<DialOutcome, ServerFnError> {
    use crate::application::AppState;
    let state = expect_context::<AppState>();
    crate::calls::service::dial_agent_in(&state, &from_agent, &to_agent)
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))
}
