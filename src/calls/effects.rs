//! Performs the effects the center decided (ring an agent, stop a leg ringing, hang up a caller)
//! through the Twilio client. The webhook that caused them has long been answered: a slow or
//! failing Twilio never delays a caller's TwiML, and a crash in between loses nothing (the effect
//! is still in the outbox at restart). Failures are retried with backoff; a dial that fails for
//! good is told back to the center as a missed leg, so the caller goes back to the queue.

use std::sync::Arc;
use std::time::Duration;

use crate::calls::flow;
use crate::center::{Command, Effect, LegOutcome};
use crate::config::Settings;
use crate::ids::CallSid;
use crate::store::{Center, EffectRow, Store, StoreError};
use crate::twilio::rest::{RestError, TwilioClient};

/// How long a claimed effect is ours before another worker may take it over.
const LEASE: Duration = Duration::from_secs(60);
const BATCH: i64 = 32;
/// A cancel waiting for its dial's request to come back looks again this soon.
const CANCEL_WAIT: Duration = Duration::from_millis(100);

pub struct EffectsWorker {
    pub store: Store,
    pub center: Center,
    pub twilio: TwilioClient,
    pub settings: Arc<Settings>,
}

/// What performing one effect came to.
enum Outcome {
    Done(Option<String>),
    /// Try again after this long (without giving up: the effect is waiting on another).
    Wait(Duration),
    Failed(RestError),
}

impl EffectsWorker {
    /// Runs until the process ends.
    pub async fn run(self) {
        let wake = self.center.effects_written();
        let this = Arc::new(self);
        loop {
            match this.store.claim_effects(LEASE, BATCH).await {
                Ok(rows) if !rows.is_empty() => {
                    // Effects are independent: one slow Twilio answer must not hold up the rest.
                    let mut set = tokio::task::JoinSet::new();
                    for row in rows {
                        let this = this.clone();
                        set.spawn(async move { this.perform(row).await });
                    }
                    while set.join_next().await.is_some() {}
                    continue;
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "effects worker could not read the outbox"),
            }
            let _ = tokio::time::timeout(this.settings.outbox.poll_interval, wake.notified()).await;
        }
    }

    async fn perform(&self, row: EffectRow) {
        let outcome = match &row.effect {
            Effect::Dial { call, agent, leg, .. } => {
                let request = flow::agent_dial(&self.settings, call.as_str(), agent.as_str(), *leg);
                match self.twilio.create_call(&request).await {
                    Ok(created) => match CallSid::parse(&created.sid) {
                        Ok(sid) => {
                            tracing::info!(call = %call, %agent, leg, leg_sid = %sid, "agent rung");
                            Outcome::Done(Some(sid.to_string()))
                        }
                        Err(e) => Outcome::Failed(RestError::Decode(format!("Twilio answered with a malformed call sid: {e}"))),
                    },
                    Err(e) => Outcome::Failed(e),
                }
            }
            Effect::CancelLeg { call, agent, leg } => match self.store.dial_of_leg(call, agent, *leg).await {
                Ok(None) => Outcome::Done(None),
                Ok(Some(dial)) => match (dial.status.as_str(), dial.leg_sid) {
                    ("pending", _) if dial.in_flight => Outcome::Wait(CANCEL_WAIT),
                    ("pending", _) => match self.store.skip_pending_dial(dial.id).await {
                        Ok(true) => Outcome::Done(None),
                        Ok(false) => Outcome::Wait(CANCEL_WAIT),
                        Err(e) => Outcome::Failed(store_failure(e)),
                    },
                    ("done", Some(leg_sid)) => match self.twilio.cancel_call(&leg_sid).await {
                        Ok(()) => {
                            tracing::info!(call = %call, %agent, leg, "stopped ringing an agent");
                            Outcome::Done(None)
                        }
                        // Already answered, over, or unknown: there is nothing left to stop.
                        Err(e) if !e.is_retryable() && e.status().is_some() => Outcome::Done(None),
                        Err(e) => Outcome::Failed(e),
                    },
                    _ => Outcome::Done(None),
                },
                Err(e) => Outcome::Failed(store_failure(e)),
            },
            Effect::HangUpCaller { call } => match self.twilio.hang_up_call(call.as_str()).await {
                Ok(()) => Outcome::Done(None),
                // The caller is gone already.
                Err(e) if !e.is_retryable() && e.status().is_some() => Outcome::Done(None),
                Err(e) => Outcome::Failed(e),
            },
        };
        if let Err(e) = self.record(&row, outcome).await {
            tracing::error!(id = row.id, error = %e, "could not record an effect's outcome");
        }
    }

    async fn record(&self, row: &EffectRow, outcome: Outcome) -> Result<(), StoreError> {
        match outcome {
            Outcome::Done(leg_sid) => self.store.effect_done(row.id, leg_sid.as_deref()).await,
            Outcome::Wait(delay) => self.store.effect_retry(row.id, "waiting for the dial to come back", delay).await,
            Outcome::Failed(e) if e.is_retryable() && (row.attempts as u32) < self.settings.outbox.max_attempts => {
                let delay = flow::retry_delay(
                    row.attempts as u32 - 1,
                    self.settings.outbox.backoff_base,
                    self.settings.outbox.backoff_max,
                    rand::random::<f64>(),
                );
                tracing::debug!(id = row.id, kind = row.effect.kind(), attempt = row.attempts, error = %e, "effect failed, will retry");
                self.store.effect_retry(row.id, &e.to_string(), delay).await
            }
            Outcome::Failed(e) => {
                tracing::warn!(id = row.id, kind = row.effect.kind(), call = %row.effect.call(), attempts = row.attempts, error = %e, "effect given up");
                self.store.effect_failed(row.id, &e.to_string()).await?;
                if let Effect::Dial { call, agent, leg, .. } = &row.effect {
                    // The agent could not be rung: the center puts the caller back in the queue.
                    let command = Command::LegEnded { call: call.clone(), agent: agent.clone(), leg: *leg, outcome: LegOutcome::Failed };
                    if let Err(e) = self.center.decide(command).await {
                        tracing::error!(call = %call, %agent, error = %e, "could not report a failed dial to the center");
                    }
                }
                Ok(())
            }
        }
    }
}

fn store_failure(e: StoreError) -> RestError {
    // Retryable: the database will most likely answer again.
    RestError::Transport(format!("storage: {e}"))
}
