//! What a server function takes from its request (server only): the application state, the
//! request's head (the session cookie: who is calling, see `caller`) and the response options
//! (cookies).

use axum::extract::FromRequestParts;
use axum::http::{request::Parts, HeaderMap, HeaderValue};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use super::caller::{SignedIn, Supervisor};
use crate::error::{ApiError, Failure};
use crate::state::AppState;

/// Everything a server function needs from its request, taken before its first `.await`:
/// the reactive context is not guaranteed to be reachable once the function has yielded
/// (a server function run by a resource during server rendering lost it).
pub struct Ctx {
    pub state: AppState,
    parts: Parts,
    response: Option<ResponseOptions>,
}

impl Ctx {
    pub fn take() -> Self {
        Ctx {
            state: expect_context::<AppState>(),
            parts: use_context::<Parts>().unwrap_or_else(|| axum::http::Request::new(()).into_parts().0),
            response: use_context::<ResponseOptions>(),
        }
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.parts.headers
    }

    /// What an axum route would take as an argument (`SignedIn`, `Supervisor`), taken the same
    /// way, its refusal told as the server functions' error.
    pub async fn extract<T: FromRequestParts<AppState, Rejection = Failure>>(&self) -> Result<T, ApiError> {
        T::from_request_parts(&mut self.parts.clone(), &self.state).await.map_err(Failure::public)
    }

    /// The agent signed in on this request, or why not.
    pub async fn signed_in(&self) -> Result<SignedIn, ApiError> {
        self.extract().await
    }

    /// The supervisor signed in on this request: an agent gets 403.
    pub async fn supervisor(&self) -> Result<Supervisor, ApiError> {
        self.extract().await
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
