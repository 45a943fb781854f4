//! The supervisor's floor, live: `GET /api/floor/stream`, server-sent events each holding the
//! whole [`FloorView`](crate::center::FloorView), the first at once and a new one after every
//! change that alters it (the same bytes for every floor open, made once per change). Only a
//! supervisor's session opens it (the [`Supervisor`] guard): an agent gets 403, no session 401.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use tokio::sync::{broadcast, watch};

use super::caller::Supervisor;
use crate::auth::{self, AuthError};
use crate::center::FloorPacing;
use crate::runtime::{Change, FloorFrame};
use crate::state::AppState;

/// A comment line is sent after this long without an event, so that proxies keep the stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

struct Session {
    state: AppState,
    changes: broadcast::Receiver<Change>,
    /// The database going away or coming back changes the floor without a decision.
    outage: watch::Receiver<Option<crate::center::FloorOutage>>,
    /// Calls waiting at Twilio's pace change without a decision: the floor shows them too.
    pacing: watch::Receiver<Option<FloorPacing>>,
    last: Option<Arc<FloorFrame>>,
    sent: tokio::time::Instant,
    /// Whose floor this is, and the request's session cookie: a sign-out, a disabled or removed
    /// account ends the stream at once.
    supervisor: crate::ids::AgentId,
    cookie: HeaderMap,
}

pub async fn stream(State(state): State<AppState>, me: Supervisor, headers: HeaderMap) -> Response {
    let supervisor = me.agent.clone();
    let changes = state.center.subscribe();
    let pacing = state.center.watch_pacing();
    let outage = state.center.health().watch();
    let session = Session { state, changes, outage, pacing, last: None, sent: tokio::time::Instant::now(), supervisor, cookie: headers };
    ([(header::CONTENT_TYPE, "text/event-stream"), (header::CACHE_CONTROL, "no-cache")], Body::from_stream(frames(session))).into_response()
}

fn frames(session: Session) -> impl Stream<Item = Result<Bytes, Infallible>> {
    stream::unfold(Some(session), |session| async move {
        let mut s = session?;
        loop {
            match s.state.floor.frame().await {
                Ok(frame) => {
                    let same = s.last.as_ref().is_some_and(|last| Arc::ptr_eq(last, &frame) || last.json == frame.json);
                    if !same {
                        let event = frame.event();
                        s.last = Some(frame);
                        s.sent = tokio::time::Instant::now();
                        return Some((Ok(event), Some(s)));
                    }
                    s.last = Some(frame);
                }
                Err(e) => tracing::error!(error = %e, "the floor could not be read"),
            }
            loop {
                let next = async {
                    tokio::select! {
                        change = s.changes.recv() => Some(change),
                        // The worker is gone only with the process: then changes end too.
                        _ = s.pacing.changed() => None,
                        _ = s.outage.changed() => None,
                    }
                };
                let Ok(change) = tokio::time::timeout_at(s.sent + KEEP_ALIVE, next).await else {
                    s.sent = tokio::time::Instant::now();
                    return Some((Ok(Bytes::from_static(b":\n\n")), Some(s)));
                };
                let Some(change) = change else { break };
                if let Ok(change) = &change {
                    if change.may_end_sessions_of(&s.supervisor)
                        && matches!(auth::current_agent(&s.state.store, &s.cookie).await, Err(AuthError::NotSignedIn))
                    {
                        return None;
                    }
                }
                match change {
                    // Leases renewed: nothing the floor shows changed.
                    Ok(change) if change.leases_only() => continue,
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => break,
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    })
}
