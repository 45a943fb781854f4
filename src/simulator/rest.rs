//! `api.twilio.com/2010-04-01` for the requests this app makes, answered from the engine
//! ([`simulated`]) or, for tests that play Twilio's webhooks by hand, from the request alone
//! ([`echo`]).
//!
//! Routes are relative to `/2010-04-01/…`; the app reaches them with `TWILIO_API_BASE_URL` set to
//! wherever this router is nested (e.g. `{base}/sim`). Requests need HTTP Basic auth with
//! `ACCOUNT_SID:auth_token` or `API_KEY:API_SECRET`. Errors are Twilio's JSON
//! (`{"code","message","more_info","status"}`): 401/20003 for authentication, 404/20404 for an
//! unknown resource, 400 for bad input (21201 missing `To`, 21603 missing `From`, 21205 missing
//! `Url`, 21217 a `To` that is neither `client:…` nor an E.164 number, 20001 another invalid
//! parameter, 21220 a call in the wrong state, including `Url`/`Twiml` on a call not in
//! progress: "Call is not in-progress. Cannot redirect." — close to Twilio's codes, which are not
//! all documented; 16020 for a participant added to a full conference). Requests can be made to
//! fail on purpose, and all are logged: see [`super::faults`]. In [`Answering::Simulate`] a
//! request arriving while [`SimulatorConfig::max_concurrent_requests`] others are in flight gets
//! Twilio's 429 (20429) and changes nothing (see [`limit`]). In [`Answering::Echo`] the same
//! authentication, faults and log front [`echo`]'s answers instead of the engine's, with no limit
//! (a bare stand-in answers every request).
//!
//! - [`wire`]: Twilio's error answers, forms and resource bodies;
//! - [`simulated`]: the routes answered from the engine (calls, also moved to other TwiML with
//!   `Url`/`Twiml`; conferences; participants);
//! - [`recordings`]: what `<Record>` left (`.wav`, `.mp3`, `.json`, delete);
//! - [`echo`]: the routes answered from the request ([`Answering::Echo`]);
//! - [`limit`]: Twilio's limit on the account's concurrent requests.
//!
//! [`SimulatorConfig::max_concurrent_requests`]: super::SimulatorConfig::max_concurrent_requests

use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine as _;
use subtle::ConstantTimeEq;

mod echo;
mod limit;
mod recordings;
mod simulated;
#[cfg(test)]
mod tests;
mod wire;

pub use recordings::wav;

use super::driver::{Answering, Simulator};
use super::faults::{self, Fault};
use wire::{ApiError, Created, Credential, Form, API};

pub use wire::{INVALID_NUMBER, TOO_MANY_REQUESTS};

/// The API, to be served at the app's `TWILIO_API_BASE_URL`. Its limit on concurrent requests
/// belongs to the router: mount one router per simulator (as the app and `warm-transfer
/// simulator` do), so every client of the account shares it.
pub fn router(sim: Simulator) -> Router {
    let api = match sim.config().answering {
        Answering::Simulate => simulated::routes(),
        Answering::Echo => echo::routes(),
    };
    // The last layer added runs first: log, then authenticate, then hold a place among the
    // requests in flight (Simulate only), then inject faults. A faulted request holds its place
    // too: it is in flight at Twilio all the same.
    let api = api
        .fallback(|uri: Uri| async move { ApiError::not_found(&uri) })
        .layer(axum::middleware::from_fn_with_state(sim.clone(), inject_faults));
    let api = match sim.config().answering {
        Answering::Simulate => {
            let places = limit::RequestLimit::new(sim.config().max_concurrent_requests);
            api.layer(axum::middleware::from_fn_with_state(places, limit::limit_requests))
        }
        Answering::Echo => api,
    };
    api.layer(axum::middleware::from_fn_with_state(sim.clone(), authenticate))
        .layer(axum::middleware::from_fn_with_state(sim.clone(), record))
        .with_state(sim)
}

/// Which entry of the request log a request is (set by [`record`]).
#[derive(Debug, Clone, Copy)]
struct LogId(u64);

/// The largest body the API reads (Twilio's own limit is far above any form this app sends).
const MAX_BODY: usize = 64 * 1024;

/// Every request goes into the simulator's request log with its form, its Basic user, the
/// status it was answered with and the call it created.
async fn record(State(sim): State<Simulator>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, 20_413, "Request body too large").into_response();
    };
    let form = Form::parse(&body).0;
    let user = basic_credentials(&parts.headers).map(|(user, _)| user);
    let id = sim.faults().arrived(parts.method.as_str(), parts.uri.path(), form, user);
    let mut req = Request::from_parts(parts, axum::body::Body::from(body));
    req.extensions_mut().insert(LogId(id));
    let res = next.run(req).await;
    let created = res.extensions().get::<Created>().map(|Created(sid)| sid.to_string());
    sim.faults().answered(id, res.status().as_u16(), created);
    res
}

/// The `user:password` of a Basic `Authorization` header.
fn basic_credentials(headers: &axum::http::HeaderMap) -> Option<(String, String)> {
    let encoded = headers.get("authorization")?.to_str().ok()?.strip_prefix("Basic ")?;
    let raw = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = raw.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// A request a [`FaultRule`](super::faults::FaultRule) matches is not carried out: it gets the
/// rule's error at once, or is held and dropped (see [`super::faults`]).
async fn inject_faults(State(sim): State<Simulator>, req: Request, next: Next) -> Response {
    let (method, path) = (req.method().as_str().to_string(), req.uri().path().to_string());
    let Some(fault) = sim.faults().take(&method, &path) else { return next.run(req).await };
    if let Some(LogId(id)) = req.extensions().get::<LogId>() {
        sim.faults().failed_by(*id, &fault);
    }
    sim.announce_fault(&method, &path, &fault);
    match fault {
        Fault::Status(status) => {
            let status = StatusCode::from_u16(faults::status_of(status)).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let reason = status.canonical_reason().unwrap_or("Error");
            ApiError::new(status, 20_000 + u32::from(status.as_u16()), reason).into_response()
        }
        Fault::Refuse { status, code } => {
            let status = StatusCode::from_u16(faults::status_of(status)).unwrap_or(StatusCode::BAD_REQUEST);
            ApiError::new(status, code, format!("Twilio refused the request (error {code}, injected)")).into_response()
        }
        Fault::Delay(delay) => {
            tokio::time::sleep(delay).await;
            let message = "Gateway Timeout (the simulator dropped this request: an injected delay)";
            ApiError::new(StatusCode::GATEWAY_TIMEOUT, 20_504, message).into_response()
        }
    }
}

/// Basic auth against every credential pair of the account (the API key, the primary and the
/// secondary auth token), compared in constant time; the account in the path must be the
/// simulated one.
async fn authenticate(State(sim): State<Simulator>, mut req: Request, next: Next) -> Response {
    let cfg = sim.config();
    let credential = basic_credentials(req.headers()).and_then(|(user, password)| {
        let pair = |u: &str, p: &str| bool::from(u.as_bytes().ct_eq(user.as_bytes()) & p.as_bytes().ct_eq(password.as_bytes()));
        let secondary = cfg.secondary_auth_token.as_ref().is_some_and(|t| pair(&cfg.account_sid, t.expose()));
        // Every pair is compared, whichever matches, so the time taken says nothing of which.
        let (primary, key) = (pair(&cfg.account_sid, cfg.auth_token.expose()), pair(&cfg.api_key, cfg.api_secret.expose()));
        match (primary, secondary, key) {
            (true, _, _) => Some(Credential::PrimaryToken),
            (_, true, _) => Some(Credential::SecondaryToken),
            (_, _, true) => Some(Credential::ApiKey(cfg.api_key_kind)),
            _ => None,
        }
    });
    let Some(credential) = credential else {
        return ApiError::new(StatusCode::UNAUTHORIZED, 20003, "Authenticate").into_response();
    };
    let own_account = format!("{API}/{}/", cfg.account_sid);
    let the_account = format!("{API}/{}.json", cfg.account_sid);
    if !req.uri().path().starts_with(&own_account) && req.uri().path() != the_account {
        return ApiError::not_found(req.uri()).into_response();
    }
    req.extensions_mut().insert(credential);
    next.run(req).await
}
