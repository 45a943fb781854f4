//! Whether the database answers, as this instance last found it: `/healthz`, `/metrics` and the
//! floor say so at once instead of each waiting out the pool's timeout, and the voice webhook
//! keeps callers aside instead of asking a database known to be away (see `calls::aside`).
//!
//! Found by whoever meets the database: a decision that fails or takes too long, the health
//! check, the worker that queues the callers kept aside (which probes it while it is away).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Mutex, MutexGuard};
use tokio::sync::watch;

use crate::center::{FloorOutage, Millis};
use crate::clock::now_ms;
use crate::ids::{CallSid, PhoneNumber, QueueName};
use crate::store::StatusCallback;
use crate::store::{Backend, Store};

/// How long a probe may take before the database counts as away.
pub const PROBE_TIMEOUT: Duration = Duration::from_millis(900);

/// What could not be written while the database was away, kept in the order it came, to be
/// written (by `calls::aside`) as soon as the database is back.
#[derive(Debug, Clone)]
pub enum Kept {
    /// A caller rang: queued as of `at` once the database is back.
    Arrival { call: CallSid, from: Option<PhoneNumber>, queue: Option<(QueueName, i32)>, at: Millis },
    /// Twilio told something of a call (a status callback): applied in its turn.
    Callback(StatusCallback),
}

impl Kept {
    fn call(&self) -> Option<&CallSid> {
        match self {
            Kept::Arrival { call, .. } => Some(call),
            Kept::Callback(_) => None,
        }
    }
}

/// How many callers are kept (not callbacks).
fn callers(kept: &VecDeque<Kept>) -> usize {
    kept.iter().filter(|k| k.call().is_some()).count()
}

/// How much is kept aside at most (a day of a busy center's callbacks would not fit in memory
/// forever; beyond this the oldest callbacks go, never an arrival).
const KEPT_MAX: usize = 50_000;

#[derive(Clone)]
pub struct Health {
    store: Store,
    kept: Arc<Mutex<VecDeque<Kept>>>,
    /// Since when the database has not answered, and how many callers wait aside; `None` while
    /// it answers. A watch: the floor's streams wake on a change.
    outage: Arc<watch::Sender<Option<FloorOutage>>>,
}

impl Health {
    pub fn new(store: Store) -> Self {
        Health { store, kept: Default::default(), outage: Arc::new(watch::channel(None).0) }
    }

    fn kept(&self) -> MutexGuard<'_, VecDeque<Kept>> {
        self.kept.lock()
    }

    /// Keeps what could not be written (a caller already kept is kept once, in their first
    /// place). Not itself an outage: a decision too slow for a webhook's budget is kept too, and
    /// the database is found away only by what fails (a decision, a probe).
    pub fn keep(&self, item: Kept) {
        let len = {
            let mut kept = self.kept();
            if item.call().is_none_or(|c| !kept.iter().any(|k| k.call() == Some(c))) {
                if kept.len() >= KEPT_MAX {
                    if let Some(i) = kept.iter().position(|k| matches!(k, Kept::Callback(_))) {
                        kept.remove(i);
                    }
                }
                kept.push_back(item);
            }
            callers(&kept)
        };
        self.set_aside(len);
    }

    /// The caller on `call` hung up while kept aside: they are not queued (`true` if they were
    /// kept).
    pub fn forget_arrival(&self, call: &CallSid) -> bool {
        let (forgot, len) = {
            let mut kept = self.kept();
            let before = kept.len();
            kept.retain(|k| k.call() != Some(call));
            (before != kept.len(), callers(&kept))
        };
        self.set_aside(len);
        forgot
    }

    /// Whether the caller on `call` waits aside.
    pub fn is_kept(&self, call: &CallSid) -> bool {
        self.kept().iter().any(|k| k.call() == Some(call))
    }

    /// The oldest thing kept, to write next.
    pub fn first_kept(&self) -> Option<Kept> {
        self.kept().front().cloned()
    }

    /// The oldest thing kept was written (or can never be): the next one is.
    pub fn written_first(&self) {
        let len = {
            let mut kept = self.kept();
            kept.pop_front();
            callers(&kept)
        };
        self.set_aside(len);
    }

    /// The count of callers aside the floor shows, during an outage.
    fn set_aside(&self, len: usize) {
        self.outage.send_if_modified(|o| match o {
            Some(o) if o.aside as usize != len => {
                o.aside = u32::try_from(len).unwrap_or(u32::MAX);
                true
            }
            _ => false,
        });
    }

    /// How many things wait aside.
    pub fn kept_len(&self) -> usize {
        self.kept().len()
    }

    /// The outage going on, if any.
    pub fn outage(&self) -> Option<FloorOutage> {
        *self.outage.borrow()
    }

    pub fn watch(&self) -> watch::Receiver<Option<FloorOutage>> {
        self.outage.subscribe()
    }

    /// The database did not answer (or not in time): away since now, unless already.
    pub fn away(&self) {
        let aside = u32::try_from(callers(&self.kept())).unwrap_or(u32::MAX);
        self.outage.send_if_modified(|o| match o {
            Some(o) if o.aside == aside => false,
            Some(o) => {
                o.aside = aside;
                true
            }
            None => {
                tracing::error!(aside, "the database does not answer: callers who ring are kept aside until it does");
                *o = Some(FloorOutage { since: now_ms(), aside });
                true
            }
        });
    }

    /// The database answers (and everything kept aside has been written).
    pub fn back(&self) {
        self.outage.send_if_modified(|o| match o.take() {
            Some(was) => {
                tracing::warn!(down_ms = now_ms() - was.since, "the database answers again");
                true
            }
            None => false,
        });
    }

    /// Asks the database whether it can take a write now (within [`PROBE_TIMEOUT`]): SQLite's
    /// write lock taken and given back (a locked file answers reads but refuses every decision),
    /// PostgreSQL's `SELECT 1` on a connection of the pool.
    pub async fn probe(&self) -> bool {
        let store = self.store.clone();
        let asked = async move {
            match store.backend() {
                Backend::Sqlite => store.can_write().await,
                Backend::Postgres => store.ping().await,
            }
        };
        matches!(tokio::time::timeout(PROBE_TIMEOUT, asked).await, Ok(Ok(())))
    }
}
