//! Who a request comes from, found once (server only): [`SignedIn`] (the account of the session
//! cookie, with its role) and [`Supervisor`] (a signed-in supervisor), as axum extractors. Plain
//! routes (the streams, a voicemail's audio) take them as arguments; server functions take them
//! through `Ctx::extract`, the same impls (`leptos_axum::extract_with_state` would turn the
//! refusal into a debug string and every status into 500).
//!
//! The role is the account's, as stored: the CLI and the floor's account management write it
//! there, and it is read with the session, so a role just given or taken counts at once. The
//! center keeps a copy (`center::Agent::role`, brought up to date by the roster every few
//! seconds) for its pure rules and its views, which cannot read storage; an edge never asks it
//! who is a supervisor.
//!
//! A refusal is a [`Failure`]: no session 401, not a supervisor 403 (the core's own sentence,
//! [`Reason::SupervisorsOnly`]), storage away 503 (logged once, where it is answered).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;

pub use crate::auth::SignedIn;
use crate::center::{Reason, Refusal};
use crate::error::{ApiError, Failure};
use crate::state::AppState;

/// The signed-in account of a request carrying `headers`, or why there is none.
pub async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<SignedIn, Failure> {
    crate::auth::current_agent(&state.store, headers).await.map_err(Failure::from)
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        signed_in(state, &parts.headers).await
    }
}

/// A signed-in supervisor. The only way to have one is [`Supervisor::of`], which checks the
/// role: a function given a `Supervisor` needs no check of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supervisor(SignedIn);

impl Supervisor {
    /// `me`, if their account is a supervisor's; otherwise the refusal every supervisor route
    /// answers (403, "only a supervisor can do that").
    pub fn of(me: SignedIn) -> Result<Supervisor, ApiError> {
        if me.is_supervisor() {
            Ok(Supervisor(me))
        } else {
            Err(Refusal::from(Reason::SupervisorsOnly).into())
        }
    }
}

/// A supervisor is a signed-in account: `me.agent`, `me.display_name` read through.
impl std::ops::Deref for Supervisor {
    type Target = SignedIn;
    fn deref(&self) -> &SignedIn {
        &self.0
    }
}

impl FromRequestParts<AppState> for Supervisor {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        Ok(Supervisor::of(SignedIn::from_request_parts(parts, state).await?)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::center::AgentRole;
    use crate::ids::AgentId;

    fn account(role: AgentRole) -> SignedIn {
        SignedIn { agent: AgentId::parse("sue").unwrap(), display_name: "Sue".into(), role }
    }

    #[test]
    fn a_supervisors_account_is_a_supervisor_and_stays_itself() {
        let sup = Supervisor::of(account(AgentRole::Supervisor)).unwrap();
        assert_eq!(sup.agent.as_str(), "sue");
        assert_eq!(sup.display_name, "Sue");
        assert_eq!(*sup, account(AgentRole::Supervisor));
    }

    #[test]
    fn an_agents_account_is_refused_with_403_and_the_cores_sentence() {
        let refused = Supervisor::of(account(AgentRole::Agent)).unwrap_err();
        assert_eq!(refused, ApiError::Forbidden("only a supervisor can do that".into()));
        assert_eq!(refused.status(), 403);
        // The sentence the core gives an agent who asks it directly: one refusal, wherever met.
        assert_eq!(refused.to_string(), Reason::SupervisorsOnly.to_string());
    }

    #[test]
    fn a_refusal_answers_plain_text_with_its_status() {
        use axum::response::IntoResponse;
        let res = Failure::from(Supervisor::of(account(AgentRole::Agent)).unwrap_err()).into_response();
        assert_eq!(res.status(), 403);
        assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
        let res = Failure::from(crate::auth::AuthError::NotSignedIn).into_response();
        assert_eq!(res.status(), 401);
    }
}
