//! Group commit for incoming calls. Every voice webhook must make its call record and promised
//! dial durable before answering Twilio; one transaction each would queue every caller behind
//! SQLite's single writer lock. Instead one task takes whatever calls are waiting, commits them
//! in a single transaction, and answers each webhook when its batch is durable.

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use std::sync::Arc;

use super::assignments::AssignmentCache;
use super::{Backend, NewCustomerCall, Store, StoreError};
use crate::ids::AgentId;

/// Calls committed in one transaction at most; a burst larger than this takes several.
const MAX_BATCH: usize = 128;

struct Job {
    call: NewCustomerCall,
    agent: AgentId,
    reply: oneshot::Sender<Result<bool, StoreError>>,
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

    pub(super) async fn open_conference(&self, call: NewCustomerCall, agent: AgentId) -> Result<bool, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job { call, agent, reply }).await.map_err(|_| StoreError::WriterGone)?;
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
        let calls: Vec<(NewCustomerCall, AgentId)> = batch.iter().map(|j| (j.call.clone(), j.agent.clone())).collect();
        match store.open_conferences(&calls).await {
            Ok(created) => {
                for (job, created) in batch.into_iter().zip(created) {
                    let _ = job.reply.send(Ok(created));
                }
            }
            // One bad call must not fail its neighbours: retry each alone so each gets its own
            // outcome (and the caller whose record failed hears the apology, nobody else).
            Err(_) if batch.len() > 1 => {
                for job in batch {
                    let one = [(job.call.clone(), job.agent.clone())];
                    let result = store.open_conferences(&one).await.map(|c| c[0]);
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
