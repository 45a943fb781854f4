//! What a server function takes from its request (server only): the application state, the
//! headers (the session cookie) and the response options (cookies).

use axum::http::{request::Parts, HeaderMap, HeaderValue};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::auth::{self, SignedIn};
use crate::error::{ApiError, Failure};
use crate::state::AppState;

/// Everything a server function needs from its request, taken before its first `.await`:
/// the reactive context is not guaranteed to be reachable once the function has yielded
/// (a server function run by a resource during server rendering lost it).
pub struct Ctx {
    pub state: AppState,
    pub headers: HeaderMap,
    response: Option<ResponseOptions>,
}

impl Ctx {
    pub fn take() -> Self {
        Ctx {
            state: expect_context::<AppState>(),
            headers: use_context::<Parts>().map(|p| p.headers).unwrap_or_default(),
            response: use_context::<ResponseOptions>(),
        }
    }

    /// The agent signed in on this request, or why not.
    pub async fn signed_in(&self) -> Result<SignedIn, ApiError> {
        auth::current_agent(&self.state.store, &self.headers).await.map_err(|e| Failure::from(e).public())
    }

    /// The supervisor signed in on this request: an agent gets 403.
    pub async fn supervisor(&self) -> Result<SignedIn, ApiError> {
        let me = self.signed_in().await?;
        match self.state.store.agent_role(&me.agent).await.map_err(|e| Failure::from(e).public())? {
            Some(crate::center::AgentRole::Supervisor) => Ok(me),
            _ => Err(ApiError::Forbidden("only a supervisor can do that".into())),
        }
    }

    pub fn set_cookie(&self, value: String) {
        if let (Some(res), Ok(v)) = (&self.response, HeaderValue::from_str(&value)) {
            res.append_header(axum::http::header::SET_COOKIE, v);
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.state.settings.public_base_url.starts_with("https://")
    }
}
