//! Server functions the console calls. Stable endpoint names (`/api/token`, `/api/presence`,
//! `/api/transfer`, `/api/sign_in`, `/api/sign_out`, `/api/whoami`) so scripts and integrations
//! can use them too. Each acts only for the agent signed in on the request; the logic lives in
//! `center`, `calls` and `auth`. The console's live view comes over `/api/stream` (`events`).

use leptos::prelude::*;

pub use super::dto::*;

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
                CallError::UnknownAgent(_) | CallError::UnknownCall(_) => StatusCode::NOT_FOUND,
                CallError::Refused(_) => StatusCode::CONFLICT,
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

/// A step on the signed-in agent's call: `action` is `consult` or `transfer` (blind) with `to`
/// (an agent's identity, a `+` number or `queue`) and for a consult an optional `note`; or
/// `complete`, `cancel`, `three-way`, `swap`, `leave`, `retry`; or `hold`, `resume`, `mute`,
/// `unmute` (the console sends every step here: one server function in its WASM). Answers the
/// call as it now stands (none when the agent is off it), or a plain reason why not now (409).
#[server(prefix = "/api", endpoint = "transfer")]
pub async fn transfer(
    action: String,
    to: Option<String>,
    note: Option<String>,
) -> Result<Unread<Option<crate::center::CallCard>>, ServerFnError> {
    let cx = server::Ctx::take();
    let me = cx.signed_in().await?;
    let step = crate::calls::service::parse_step(&action, to.as_deref(), note.as_deref()).map_err(|e| cx.call_error(e))?;
    crate::calls::service::step(&cx.state, &me.agent, step).await.map(|c| Unread(Some(c))).map_err(|e| cx.call_error(e))
}

/// "Hold" / "Resume" (`hold=true|false`): the customer of the signed-in agent's call on hold
/// with music, server-side (a conference hold), or back. Answers the call as it now stands.
#[server(prefix = "/api", endpoint = "hold")]
pub async fn hold(hold: String) -> Result<Option<crate::center::CallCard>, ServerFnError> {
    let cx = server::Ctx::take();
    let me = cx.signed_in().await?;
    let hold = crate::calls::service::parse_flag("hold", &hold).map_err(|e| cx.call_error(e))?;
    crate::calls::service::step(&cx.state, &me.agent, crate::calls::service::CallStep::Hold(hold)).await.map_err(|e| cx.call_error(e))
}

/// "Mute" / "Unmute" (`muted=true|false`): the browser mutes its microphone itself; this tells
/// the server, so the call's legs show it to everyone on the call.
#[server(prefix = "/api", endpoint = "mute")]
pub async fn mute(muted: String) -> Result<Option<crate::center::CallCard>, ServerFnError> {
    let cx = server::Ctx::take();
    let me = cx.signed_in().await?;
    let muted = crate::calls::service::parse_flag("muted", &muted).map_err(|e| cx.call_error(e))?;
    crate::calls::service::step(&cx.state, &me.agent, crate::calls::service::CallStep::Mute(muted)).await.map_err(|e| cx.call_error(e))
}

/// "Make me available" / "make me away" / "my phone is gone" (`status=available|away|offline`):
/// the signed-in agent's new presence, or a plain reason why not now (on a call, ringing).
#[server(prefix = "/api", endpoint = "presence")]
pub async fn set_presence(status: String) -> Result<Unread<crate::center::AgentCard>, ServerFnError> {
    let cx = server::Ctx::take();
    let me = cx.signed_in().await?;
    let Some(wanted) = crate::center::Wanted::parse(&status) else {
        return Err(cx.fail(axum::http::StatusCode::BAD_REQUEST, "status must be available, away or offline"));
    };
    crate::calls::service::set_presence(&cx.state, &me.agent, wanted).await.map(|c| Unread(Some(c))).map_err(|e| cx.call_error(e))
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
    if let Ok(me) = cx.signed_in().await {
        crate::calls::service::signed_out(&cx.state, &me.agent).await.map_err(|e| cx.call_error(e))?;
    }
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

#[server(prefix = "/api", endpoint = "site")]
pub async fn site_info() -> Result<SiteMode, ServerFnError> {
    use crate::config::{DEMO_AGENTS, DEMO_PASSWORD};
    let simulator = server::Ctx::take().state.simulator.is_some();
    Ok(SiteMode {
        simulator,
        demo_agents: if simulator { DEMO_AGENTS.iter().map(|a| a.to_string()).collect() } else { vec![] },
        demo_password: simulator.then(|| DEMO_PASSWORD.to_string()),
    })
}
