//! Performs the dials promised in the outbox: the voice webhook answers Twilio at once and the
//! dial happens here, so a slow or failing Twilio never delays the caller's TwiML, and a crash
//! between answering and dialling loses nothing (the entry is still pending at restart).

use crate::calls::flow;
use crate::config::Settings;
use crate::ids::CallSid;
use crate::store::{DialJob, Store};
use crate::twilio::rest::TwilioClient;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How long a claimed dial is ours before another worker may take it over.
const LEASE: Duration = Duration::from_secs(60);
const BATCH: i64 = 32;

/// Wakes the worker when a dial was just promised (it also polls, for retries and restarts).
#[derive(Clone, Default)]
pub struct DialerHandle(Arc<Notify>);

impl DialerHandle {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

pub struct Dialer {
    pub store: Store,
    pub twilio: TwilioClient,
    pub settings: Arc<Settings>,
    pub handle: DialerHandle,
}

impl Dialer {
    /// Runs until the process ends.
    pub async fn run(self) {
        loop {
            match self.store.claim_due_dials(LEASE, BATCH).await {
                Ok(jobs) if !jobs.is_empty() => {
                    // Dials are independent: one slow Twilio answer must not hold up the rest.
                    let mut set = tokio::task::JoinSet::new();
                    for job in jobs {
                        let (store, twilio, settings) = (self.store.clone(), self.twilio.clone(), self.settings.clone());
                        set.spawn(async move { perform(&store, &twilio, &settings, job).await });
                    }
                    while set.join_next().await.is_some() {}
                    continue;
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "dialer could not read the outbox"),
            }
            let _ = tokio::time::timeout(self.settings.outbox.poll_interval, self.handle.0.notified()).await;
        }
    }
}

async fn perform(store: &Store, twilio: &TwilioClient, settings: &Settings, job: DialJob) {
    let request = flow::agent_dial(settings, &job.conference_id, &job.agent_id);
    let result = twilio.create_call(&request).await;
    let outcome = match result {
        Ok(call) => match CallSid::parse(&call.sid) {
            Ok(sid) => {
                tracing::info!(conference = %job.conference_id, agent = %job.agent_id, call_sid = %sid, "agent dialled");
                store.dial_sent(&job, &sid, call.status.as_deref().unwrap_or("queued")).await
            }
            Err(e) => give_up(store, &job, &format!("Twilio answered with a malformed call sid: {e}")).await,
        },
        Err(e) if e.is_retryable() && (job.attempts as u32) < settings.outbox.max_attempts => {
            let delay = flow::retry_delay(
                job.attempts as u32 - 1,
                settings.outbox.backoff_base,
                settings.outbox.backoff_max,
                rand::random::<f64>(),
            );
            tracing::debug!(conference = %job.conference_id, agent = %job.agent_id, attempt = job.attempts, error = %e, "dial failed, will retry");
            store.dial_retry(&job, &e.to_string(), delay).await
        }
        Err(e) => give_up(store, &job, &e.to_string()).await,
    };
    if let Err(e) = outcome {
        tracing::error!(conference = %job.conference_id, agent = %job.agent_id, error = %e, "could not record the dial's outcome");
    }
}

/// The one log line a failed dial gets, and its record.
async fn give_up(store: &Store, job: &DialJob, error: &str) -> Result<(), crate::store::StoreError> {
    tracing::warn!(conference = %job.conference_id, agent = %job.agent_id, attempts = job.attempts, error, "agent could not be dialled");
    store.dial_failed(job, error).await
}
