//! Group commit for the two writes every customer call makes: its record with the promised dial
//! (the voice webhook) and, once Twilio took that dial, the agent's leg (the dialer). One
//! transaction each would queue every caller behind SQLite's single writer lock. Instead one
//! task takes whatever writes are waiting, commits them in a single transaction, and answers
//! each writer when its batch is durable.

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use std::sync::Arc;

use super::assignments::AssignmentCache;
use super::{Backend, DialJob, NewCustomerCall, Store, StoreError};
use crate::ids::{AgentId, CallSid};

/// Writes committed in one transaction at most; a burst larger than this takes several.
const MAX_BATCH: usize = 128;

/// One write waiting for the next transaction.
pub(super) enum Write {
    /// A customer's call: record it, open its conference, assign and promise the first agent.
    OpenConference { call: NewCustomerCall, agent: AgentId },
    /// Twilio accepted a dial: record the agent's leg.
    DialSent { job: DialJob, call_sid: CallSid, status: String },
}

/// What a write did: whether the call was new (`OpenConference`), or nothing to report.
pub(super) type Outcome = Result<bool, StoreError>;

struct Job {
    write: Write,
    reply: oneshot::Sender<Outcome>,
}

#[derive(Clone)]
pub(super) struct CallWriter {
    jobs: mpsc::Sender<Job>,
}

impl CallWriter {
    pub(super) fn start(pool: AnyPool, backend: Backend, assignments: Arc<AssignmentCache>) -> Self {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        // The writer's own handle on the store; its `writer` field is never used by `run`.
        let (dead, _) = mpsc::channel(1);
        let store = Store { pool, backend, writer: CallWriter { jobs: dead }, assignments };
        tokio::spawn(run(store, queue));
        CallWriter { jobs }
    }

    /// Queues `write` and waits until it is durable (or failed).
    pub(super) async fn write(&self, write: Write) -> Outcome {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job { write, reply }).await.map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

async fn run(store: Store, mut queue: mpsc::Receiver<Job>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let writes: Vec<&Write> = batch.iter().map(|j| &j.write).collect();
        match store.commit_writes(&writes).await {
            Ok(outcomes) => {
                for (job, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            // One bad write must not fail its neighbours: retry each alone so each gets its own
            // outcome (and the caller whose record failed hears the apology, nobody else).
            Err(_) if batch.len() > 1 => {
                for job in batch {
                    let result = store.commit_writes(&[&job.write]).await.map(|o| o[0]);
                    let _ = job.reply.send(result);
                }
            }
            Err(e) => {
                if let Some(job) = batch.pop() {
                    let _ = job.reply.send(Err(e));
                }
            }
        }
    }
}
