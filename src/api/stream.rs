//! The console's live view: `GET /api/stream`, a server-sent-events stream of the signed-in
//! agent's [`ConsoleView`], a full snapshot first and again after every change that alters it.
//! The directory (every agent's presence) is the same for every console and changes far less
//! often than a view, so it goes apart as a `directory` event (a JSON array of agent cards,
//! serialised once per change for all consoles) whenever it changed; the browser merges it into
//! the view's `agents`.
//! Holding the stream is what keeps the agent connected (see `Center::connect`); a reconnecting
//! browser gets a fresh snapshot. Each view's event id is the center's version it shows: a
//! console that reconnects (to any instance, behind a balancer) sends it back as
//! `Last-Event-ID`, and the instance first reads up to that version, so the console resumes from
//! where it was and never sees an older state.
//!
//! The events are written here rather than with axum's `Sse`, whose events each copy their data
//! into a buffer of their own: the directory's event is made once per directory and the same
//! bytes go to every console (500 consoles took 500 copies of ~40 KB at each presence change).

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use tokio::sync::broadcast;

use super::caller::SignedIn;
use crate::auth::{self, AuthError};
use crate::center::{CallHistory, ConsoleView};
use crate::clock::now_ms;
use crate::ids::AgentId;
use crate::runtime::{Change, ConnectionGuard, Directory};
use crate::state::AppState;
use std::sync::Arc;

/// How many past calls the console shows.
const RECENT_CALLS: i64 = 5;
/// A comment line is sent after this long without an event, so that proxies keep the stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// A console gets the directory at most this often: it is every agent's card, and at every
/// presence change of anyone 200 consoles each took 30 KB (6 MB a change, hundreds of MB a
/// second at 30 calls a second). Colleagues' presence then shows at most this late.
const DIRECTORY_EVERY: Duration = Duration::from_millis(500);
/// How long a resuming console waits for this instance to read up to the version it saw.
const RESUME_PATIENCE: Duration = Duration::from_secs(2);

struct Session {
    state: AppState,
    agent: AgentId,
    changes: broadcast::Receiver<Change>,
    /// The last view sent (with `now` zeroed, so the clock alone sends nothing).
    last: Option<ConsoleView>,
    recent: Vec<CallHistory>,
    /// The directory last sent, and when.
    directory: Option<Arc<Directory>>,
    directory_sent: Option<tokio::time::Instant>,
    /// A newer directory waits until then (at most one every [`DIRECTORY_EVERY`]).
    directory_due: Option<tokio::time::Instant>,
    /// When something was last sent (for the keep-alive).
    sent: tokio::time::Instant,
    /// The request's session cookie: a change of mine checks the session still stands (an
    /// account disabled or removed ends its open streams, not only its next request).
    cookie: HeaderMap,
    _connection: ConnectionGuard,
}

pub async fn stream(State(state): State<AppState>, me: SignedIn, headers: HeaderMap) -> Response {
    let agent = me.agent;
    // A console reconnecting (its instance died, the balancer sent it here) says the version of
    // the last view it saw (`Last-Event-ID`): this instance first reads up to it, so the console
    // resumes from there and never goes back in time.
    if let Some(seen) = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<i64>().ok()) {
        if !state.center.caught_up(seen, RESUME_PATIENCE).await {
            tracing::warn!(agent = %agent, seen, here = state.center.version(), "a console resumed ahead of this instance");
        }
    }
    // Subscribe before connecting: the connection's own heartbeat is then not missed.
    let changes = state.center.subscribe();
    let connection = state.center.connect(&agent).await;
    let recent = recent_calls(&state, &agent).await.unwrap_or_default();
    let mut cookie = HeaderMap::new();
    if let Some(c) = headers.get(header::COOKIE) {
        cookie.insert(header::COOKIE, c.clone());
    }
    let session = Session {
        state,
        agent,
        changes,
        last: None,
        recent,
        directory: None,
        directory_sent: None,
        directory_due: None,
        sent: tokio::time::Instant::now(),
        cookie,
        _connection: connection,
    };
    ([(header::CONTENT_TYPE, "text/event-stream"), (header::CACHE_CONTROL, "no-cache")], Body::from_stream(views(session))).into_response()
}

/// The agent's last calls with their timelines: those they took part in, and the one ringing
/// for them or that they are on.
async fn recent_calls(state: &AppState, agent: &AgentId) -> Result<Vec<CallHistory>, crate::store::StoreError> {
    let current = state.center.read(|s| s.agents.get(agent).and_then(|a| a.presence.call().cloned()));
    state.store.recent_calls(agent, current.as_ref(), RECENT_CALLS).await
}

fn views(session: Session) -> impl Stream<Item = Result<Bytes, Infallible>> {
    stream::unfold(Some(session), |session| async move {
        let mut s = session?;
        loop {
            if let Some(event) = s.next_directory().or_else(|| s.next_view()) {
                s.sent = tokio::time::Instant::now();
                return Some((Ok(event), Some(s)));
            }
            let keep_alive = s.sent + KEEP_ALIVE;
            let wake = s.directory_due.map_or(keep_alive, |due| due.min(keep_alive));
            let Ok(change) = tokio::time::timeout_at(wake, s.changes.recv()).await else {
                if s.directory_due.is_some_and(|due| due <= tokio::time::Instant::now()) {
                    // The directory that waited is due: back to the top, which sends it.
                    continue;
                }
                s.sent = tokio::time::Instant::now();
                return Some((Ok(Bytes::from_static(b":\n\n")), Some(s)));
            };
            match change {
                Ok(change) => {
                    // Leases renewed (heartbeats, every few seconds for every console): nothing a
                    // console shows changed, so the views are not made again.
                    if change.leases_only() {
                        continue;
                    }
                    // The timelines are read again only when one of my calls moved: events that
                    // name me, or (after another instance's change) my presence or call changed.
                    let mine = if change.events.is_empty() {
                        let now = s.state.center.read(|st| st.console_view(&s.agent, 0).map(|v| (v.me, v.call)));
                        now != s.last.as_ref().map(|l| (l.me.clone(), l.call.clone()))
                    } else {
                        let current = s.last.as_ref().and_then(|l| l.call.as_ref()).map(|c| c.call.clone());
                        change.events.iter().any(|e| match e.call() {
                            // My presence changed (I ring for a call, or left one): a consult's
                            // target sees the call's timeline so far from the first ring.
                            None => e.agent() == Some(&s.agent) && !e.is_bookkeeping(),
                            Some(call) => {
                                e.agent() == Some(&s.agent) || current.as_ref() == Some(call) || s.recent.iter().any(|h| &h.call == call)
                            }
                        })
                    };
                    // Signed out elsewhere, disabled or removed (here or on another instance),
                    // whatever the presence: the stream ends (the browser then finds its session
                    // gone and shows the sign-in form).
                    if (mine || change.may_end_sessions_of(&s.agent))
                        && matches!(auth::current_agent(&s.state.store, &s.cookie).await, Err(AuthError::NotSignedIn))
                    {
                        return None;
                    }
                    if mine {
                        s.recent = recent_calls(&s.state, &s.agent).await.unwrap_or(s.recent);
                    }
                }
                // A slow reader missed changes: the next view is a fresh snapshot anyway.
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
}

impl Session {
    /// The directory to send now, if it differs from the last one sent.
    fn next_directory(&mut self) -> Option<Bytes> {
        let now = self.state.center.directory();
        let same = self.directory.as_ref().is_some_and(|last| Arc::ptr_eq(last, &now) || last.json == now.json);
        if same {
            // Hold the current copy, not an older equal one: the old one is then freed.
            self.directory = Some(now);
            self.directory_due = None;
            return None;
        }
        let at = tokio::time::Instant::now();
        if let Some(sent) = self.directory_sent.filter(|sent| at < *sent + DIRECTORY_EVERY) {
            self.directory_due = Some(sent + DIRECTORY_EVERY);
            return None;
        }
        self.directory_due = None;
        self.directory_sent = Some(at);
        // JSON has no line breaks (serde_json escapes them in strings): one `data` line.
        let event = now.frame.get_or_init(|| Bytes::from(format!("event: directory\ndata: {}\n\n", now.json))).clone();
        self.directory = Some(now);
        Some(event)
    }

    /// The view to send now, if it differs from the last one sent.
    fn next_view(&mut self) -> Option<Bytes> {
        let now = now_ms();
        let (version, view) = self.state.center.read_versioned(|s| s.console_view(&self.agent, now));
        let mut view = view?;
        view.recent = self.recent.clone();
        let unchanged = self.last.as_ref().is_some_and(|last| ConsoleView { now: last.now, ..view.clone() } == *last);
        if unchanged {
            return None;
        }
        let json = serde_json::to_string(&view).ok()?;
        self.last = Some(view);
        // The version is the event's id: a browser that reconnects sends it back (Last-Event-ID).
        Some(Bytes::from(format!("id: {version}\ndata: {json}\n\n")))
    }
}
