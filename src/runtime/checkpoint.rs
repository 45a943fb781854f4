//! SQLite: the write-ahead log copied into the database by the writer in a quiet moment, off
//! the decisions' path.
//!
//! SQLite's own checkpoint runs inside whichever commit makes the log pass 1000 pages, so that
//! decision waits for it before anyone hears of it (an offer's REST request came 10-20 ms late
//! every few seconds). The writer checkpoints first: once nothing new has come for a moment
//! after a batch, so the decisions are answered and their effects under way. The checkpoint
//! ends before the writer's next transaction, so the next write finds the log copied and starts
//! it again from its beginning, and the log seldom reaches SQLite's threshold. Under a load that
//! leaves no quiet moment, SQLite's own checkpoint still bounds the log. (A checkpoint from a
//! timer, beside a busy writer, never let the log start again: it grew to 1 GB in the voice
//! benchmark.)

use std::time::{Duration, Instant};

use crate::store::{Backend, Store};

/// How often at most the log is copied (when there is something to copy).
const EVERY: Duration = Duration::from_millis(100);
/// How long the writer must have had nothing to do for a checkpoint to run in between.
const QUIET: Duration = Duration::from_millis(10);

pub(super) struct Checkpoints {
    sqlite: bool,
    last: Instant,
    /// Something was written since the last checkpoint, or it could not copy the whole log (a
    /// reader or another write came between).
    pending: bool,
}

impl Checkpoints {
    pub(super) fn new(backend: Backend) -> Self {
        Self { sqlite: backend == Backend::Sqlite, last: Instant::now(), pending: false }
    }

    /// A batch was written.
    pub(super) fn written(&mut self) {
        self.pending = self.sqlite;
    }

    /// How long to wait for the next job before checkpointing, if one is wanted: a quiet
    /// moment, and not sooner than `EVERY` after the last.
    pub(super) fn quiet(&self) -> Option<Duration> {
        self.pending.then(|| QUIET.max(EVERY.saturating_sub(self.last.elapsed())))
    }

    pub(super) async fn run(&mut self, store: &Store) {
        self.pending = match store.checkpoint().await {
            Ok((log, copied)) => copied < log,
            Err(e) => {
                tracing::warn!(error = %e, "could not checkpoint the write-ahead log");
                false
            }
        };
        self.last = Instant::now();
    }
}
