//! Server functions the console calls. Stable endpoint names (`/api/token`, `/api/dial_agent`,
//! `/api/sign_in`, `/api/sign_out`, `/api/whoami`) so scripts and older pages keep working.
//! Each acts only for the agent signed in on the request; the logic lives in `calls` and `auth`.

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

/// A customer waiting because an agent could not be rung (Twilio refused or was down).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialAlert {
    pub conference: String,
    pub agent: String,
    pub caller: String,
    pub error: String,
}

/// What the console needs to know about this deployment before anyone signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteMode {
    /// Calls are simulated (no Twilio account): show the badge and the demo sign-in.
    pub simulator: bool,
    /// In simulator mode, the ready-made agents and their shared password.
    pub demo_agents: Vec<String>,
    pub demo_password: Option<String>,
}

/// Who is signed in on this browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentInfo {
    pub identity: String,
    pub display_name: String,
}

#[cfg(feature = "ssr")]
mod server {
    use crate::application::AppState;
    use crate::auth::{self, AuthError, SignedIn};
    use crate::calls::service::CallError;
    use axum::http::{request::Parts, HeaderMap, HeaderValue, StatusCode};
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

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

        /// Sets the response status and returns the error the browser shows.
        pub fn fail(&self, status: StatusCode, message: impl Into<String>) -> ServerFnError {
            if let Some(res) = &self.response {
                res.set_status(status);
            }
            ServerFnError::new(message.into())
        }

        pub fn auth_error(&self, e: AuthError) -> ServerFnError {
            let status = match &e {
                AuthError::BadCredentials | AuthError::NotSignedIn => StatusCode::UNAUTHORIZED,
                AuthError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
                AuthError::Forbidden(_) => StatusCode::FORBIDDEN,
                AuthError::BadInput(_) => StatusCode::BAD_REQUEST,
                AuthError::Store(inner) => {
                    tracing::error!(error = %inner, "storage failed during sign-in");
                    StatusCode::SERVICE_UNAVAILABLE
                }
            };
            self.fail(status, e.to_string())
        }

        pub fn call_error(&self, e: CallError) -> ServerFnError {
            let status = match &e {
                CallError::BadInput(_) => StatusCode::BAD_REQUEST,
                CallError::UnknownAgent(_) | CallError::UnknownConference(_) => StatusCode::NOT_FOUND,
                CallError::NotOnCall(_) | CallError::AlreadyOnCall(_) => StatusCode::CONFLICT,
                CallError::Store(inner) => {
                    tracing::error!(error = %inner, "storage failed behind a console action");
                    StatusCode::SERVICE_UNAVAILABLE
                }
            };
            self.fail(status, e.to_string())
        }

        pub async fn signed_in(&self) -> Result<SignedIn, ServerFnError> {
            auth::current_agent(&self.state.store, &self.headers).await.map_err(|e| self.auth_error(e))
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
}

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

/// "Dial the second agent into my call": the signed-in agent must be `from_agent` and on a
/// live conference.
#[server(prefix = "/api", endpoint = "dial_agent")]
pub async fn dial_agent(from_agent: String, to_agent: String) -> Result<DialOutcome, ServerFnError> {
    let cx = server::Ctx::take();
    let me = cx.signed_in().await?;
    if from_agent != me.agent.as_str() {
        return Err(cx.fail(axum::http::StatusCode::FORBIDDEN, format!("you are signed in as {}", me.agent)));
    }
    crate::calls::service::dial_agent_in(&cx.state, me.agent.as_str(), &to_agent).await.map_err(|e| cx.call_error(e))
}

#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(identity: String, password: String) -> Result<AgentInfo, ServerFnError> {
    let cx = server::Ctx::take();
    let (me, token) = crate::auth::sign_in(&cx.state.store, &identity, &password).await.map_err(|e| cx.auth_error(e))?;
    cx.set_cookie(crate::auth::session_cookie(&token, cx.secure_cookies()));
    Ok(AgentInfo { identity: me.agent.to_string(), display_name: me.display_name })
}

#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), ServerFnError> {
    let cx = server::Ctx::take();
    crate::auth::sign_out(&cx.state.store, &cx.headers).await.map_err(|e| cx.auth_error(e))?;
    cx.set_cookie(crate::auth::clear_cookie(cx.secure_cookies()));
    Ok(())
}

/// The signed-in agent, or `None`.
#[server(prefix = "/api", endpoint = "whoami")]
pub async fn whoami() -> Result<Option<AgentInfo>, ServerFnError> {
    let cx = server::Ctx::take();
    match crate::auth::current_agent(&cx.state.store, &cx.headers).await {
        Ok(me) => Ok(Some(AgentInfo { identity: me.agent.to_string(), display_name: me.display_name })),
        Err(crate::auth::AuthError::NotSignedIn) => Ok(None),
        Err(e) => Err(cx.auth_error(e)),
    }
}

/// Customers left waiting because their agent could not be dialled, for every signed-in agent
/// to see (and, soon, to pick up).
#[server(prefix = "/api", endpoint = "dial_failures")]
pub async fn dial_failures() -> Result<Vec<DialAlert>, ServerFnError> {
    let cx = server::Ctx::take();
    cx.signed_in().await?;
    let failures = cx.state.store.live_dial_failures(20).await.map_err(|e| cx.call_error(e.into()))?;
    Ok(failures
        .into_iter()
        .map(|f| DialAlert { conference: f.conference_id, agent: f.agent_id, caller: f.caller, error: f.error })
        .collect())
}

#[server(prefix = "/api", endpoint = "site")]
pub async fn site_info() -> Result<SiteMode, ServerFnError> {
    use crate::application::{DEMO_AGENTS, DEMO_PASSWORD};
    let simulator = server::Ctx::take().state.simulator.is_some();
    Ok(SiteMode {
        simulator,
        demo_agents: if simulator { DEMO_AGENTS.iter().map(|a| a.to_string()).collect() } else { vec![] },
        demo_password: simulator.then(|| DEMO_PASSWORD.to_string()),
    })
}
