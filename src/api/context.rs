//! What a server function takes from its request (server only): the application state, the
//! headers (the session cookie) and the response options (status, cookies).

use crate::auth::{self, AuthError, SignedIn};
use crate::calls::service::CallError;
use crate::state::AppState;
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
