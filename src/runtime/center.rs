//! The running center of this instance: its copy of the live state, the queue of commands for
//! the one writer, the broadcast of changes to the consoles and the effects worker.
//!
//! Each instance keeps the whole live state in memory (agents, calls not yet over): deciding and
//! drawing consoles never reads the database. `decide` hands a command to the writer
//! (`commit`), which decides it with the pure core and makes it durable in one transaction; the
//! state is only ever changed by the core (`State::handle`, `State::apply`, `State::restore`).

use crate::center::AgentEvent;
use std::sync::Arc;

use parking_lot::RwLock;
use tokio::sync::{broadcast, mpsc, oneshot, watch, Notify};

use super::consoles::Consoles;
use crate::center::{Command, Decision, Event, FloorPacing, Refusal, Rules, State};
use crate::ids::AgentId;
use crate::store::{Backend, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum CenterError {
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Something changed: the version it made and what was decided (empty when another instance
/// decided it and this one read its rows).
#[derive(Debug, Clone)]
pub struct Change {
    pub version: i64,
    /// What this instance decided (empty for another instance's change: see `reread`).
    pub events: Arc<Vec<Event>>,
    /// Another instance's change, as far as this one knows it: whose rows were read again.
    pub reread: Reread,
}

/// Which agents' rows this instance read again to follow another instance's change.
#[derive(Debug, Clone, Default)]
pub enum Reread {
    /// None: this instance's own decision (its events say what changed), or only leases.
    #[default]
    Nothing,
    /// These agents'.
    Agents(Arc<Vec<AgentId>>),
    /// Everyone's (the whole state, or every agent, was read again).
    Everyone,
}

impl Change {
    /// Only console leases were renewed: nothing a console shows changed.
    pub fn leases_only(&self) -> bool {
        !self.events.is_empty() && self.events.iter().all(Event::is_lease)
    }

    /// Whether this change may have ended the account's sessions (signed out, disabled or
    /// removed), here or on another instance: its open streams then check their session.
    pub fn may_end_sessions_of(&self, agent: &AgentId) -> bool {
        let here = self.events.iter().any(|e| match e {
            Event::Agent(AgentEvent::SignedOut { agent: a }) | Event::Agent(AgentEvent::AccountRemoved { agent: a }) => a == agent,
            _ => false,
        });
        here || match &self.reread {
            Reread::Nothing => false,
            Reread::Agents(agents) => agents.contains(agent),
            Reread::Everyone => true,
        }
    }
}

pub(super) struct Cached {
    pub(super) state: State,
    /// The version this copy reflects; -1 forces a reload.
    pub(super) version: i64,
}

pub(super) struct Job {
    pub(super) command: Command,
    pub(super) reply: oneshot::Sender<Result<Decision, CenterError>>,
}

/// The center, shared by every request of this instance.
#[derive(Clone)]
pub struct Center {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) store: Store,
    pub(super) rules: Rules,
    /// The opening hours the core decides with (its `Calendar`).
    pub(super) hours: super::hours::OpeningHours,
    pub(super) cache: RwLock<Cached>,
    pub(super) jobs: mpsc::Sender<Job>,
    pub(super) changes: broadcast::Sender<Change>,
    /// Wakes the effects worker when a decision wrote effects.
    pub(super) effects: Arc<Notify>,
    /// The console streams open on this instance, and the directory they share.
    pub(super) consoles: Arc<Consoles>,
    /// Held for a whole decision transaction, so that a reload after another instance's change
    /// never replaces the copy while this instance is deciding on it.
    pub(super) deciding: tokio::sync::Mutex<()>,
    /// What is counted of the decisions (`/metrics`).
    pub(super) metrics: Arc<crate::metrics::Metrics>,
    /// Calls the account must create waiting their turn at Twilio's pace, as the effects worker
    /// last found them (the floor shows it).
    pub(super) pacing: watch::Sender<Option<FloorPacing>>,
    /// Whether the database answers: while it does not, decisions fail at once (not each after
    /// the pool's timeout) until a probe finds it back.
    pub(super) health: super::health::Health,
}

impl Center {
    pub fn rules(&self) -> &Rules {
        &self.inner.rules
    }

    /// Whether we are open now, as the core asks its hours: for an answer that cannot wait for
    /// a decision (the menu, before anything is recorded; a caller ringing while the database is
    /// away). The decision itself is the core's (`Command::CallArrived`).
    pub fn opening_now(&self) -> crate::center::Openness {
        use crate::center::{Calendar, Openness};
        let now = crate::clock::now_ms();
        if self.inner.hours.is_open(now) {
            Openness::Open { closes: None }
        } else {
            self.inner.hours.at(now)
        }
    }

    pub(super) fn backend(&self) -> Backend {
        self.inner.store.backend()
    }

    /// Decides `command` and returns once the decision is durable (or refused).
    pub async fn decide(&self, command: Command) -> Result<Decision, CenterError> {
        let (reply, answer) = oneshot::channel();
        self.inner.jobs.send(Job { command, reply }).await.map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Reads the live state (never held across an await).
    pub fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        let cache = self.inner.cache.read();
        f(&cache.state)
    }

    /// Reads the live state with the version it reflects (never held across an await).
    pub fn read_versioned<T>(&self, f: impl FnOnce(&State) -> T) -> (i64, T) {
        let cache = self.inner.cache.read();
        (cache.version, f(&cache.state))
    }

    /// Waits (at most `patience`) until this instance holds version `version` or a later one: a
    /// console that saw it on another instance (and reconnects here after that one died) is never
    /// shown an older state. `false`: still behind after `patience`.
    pub async fn caught_up(&self, version: i64, patience: std::time::Duration) -> bool {
        let mut changes = self.subscribe();
        let until = tokio::time::Instant::now() + patience;
        while self.version() < version {
            match tokio::time::timeout_at(until, changes.recv()).await {
                Ok(Ok(_)) | Ok(Err(broadcast::error::RecvError::Lagged(_))) => {}
                Ok(Err(broadcast::error::RecvError::Closed)) | Err(_) => return self.version() >= version,
            }
        }
        true
    }

    /// The version of the state this instance holds.
    pub fn version(&self) -> i64 {
        self.inner.cache.read().version
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.inner.changes.subscribe()
    }

    /// Tells this instance's consoles (and the effects worker) about a new version.
    pub(super) fn announce(&self, change: Change, effects: bool) {
        if effects {
            self.inner.effects.notify_one();
        }
        let _ = self.inner.changes.send(change);
    }

    /// The consoles streaming from this instance now.
    pub fn console_streams(&self) -> usize {
        self.inner.consoles.connected().len()
    }

    /// Calls waiting their turn at Twilio's pace, as last found.
    pub fn pacing(&self) -> Option<FloorPacing> {
        *self.inner.pacing.borrow()
    }

    /// Told by the effects worker; watchers wake only on a change.
    pub fn set_pacing(&self, pacing: Option<FloorPacing>) {
        self.inner.pacing.send_if_modified(|p| {
            let changed = *p != pacing;
            *p = pacing;
            changed
        });
    }

    /// Wakes when the calls waiting at Twilio's pace change.
    pub fn watch_pacing(&self) -> watch::Receiver<Option<FloorPacing>> {
        self.inner.pacing.subscribe()
    }

    /// Whether the database answers, as this instance last found it.
    pub fn health(&self) -> &super::health::Health {
        &self.inner.health
    }

    /// Notified whenever a decision wrote effects (the effects worker waits on it).
    pub fn effects_written(&self) -> Arc<Notify> {
        self.inner.effects.clone()
    }
}
