//! Performs the effects the center decided (ring an agent, stop a leg ringing, hang up a caller)
//! through the Twilio client. The webhook that caused them has long been answered: a slow or
//! failing Twilio never delays a caller's TwiML, and a crash in between loses nothing (the effect
//! is still in the outbox at restart). Failures are retried with backoff; a dial that fails for
//! good is told back to the center as a missed leg, so the caller goes back to the queue.

use std::sync::Arc;
use std::time::Duration;

use crate::calls::flow;
use crate::calls::paths::CallbackStep;
use crate::center::order::LegRef;
use crate::center::{CoachRefusal, Command, Effect, FloorPacing, LegOutcome, MonitorMode, Move, Who};
use crate::config::Settings;
use crate::ids::{AgentId, CallSid, ConferenceSid};
use crate::metrics::{KindLabel, RequestLabels};
use crate::runtime::Center;
use crate::store::{EffectRow, EffectStatus, Store, StoreError};
use crate::twilio::rest::{RestError, TwilioClient, UpdateParticipant};

/// Effects claimed at once, and performed side by side at most.
const BATCH: i64 = 32;
const IN_FLIGHT: usize = 64;
/// How long a claimed effect is ours before another worker may take it over: longer than any
/// request may take (it times out), with room to record its outcome. Effects a dead instance had
/// claimed wait this long, so it is kept short: an offer waits in the meantime, and rings out.
fn lease(settings: &Settings) -> Duration {
    settings.twilio.request_timeout + Duration::from_secs(10)
}

/// A cancel waiting for its dial's request to come back looks again this soon.
const CANCEL_WAIT: Duration = Duration::from_millis(100);

pub struct EffectsWorker {
    pub store: Store,
    pub center: Center,
    pub twilio: TwilioClient,
    pub settings: Arc<Settings>,
    pub metrics: Arc<crate::metrics::Metrics>,
}

/// What performing one effect came to.
enum Outcome {
    Done(Option<CallSid>),
    /// Try again after this long (without giving up: the effect is waiting on another).
    Wait(Duration),
    Failed(RestError),
}

impl EffectsWorker {
    /// Runs until the process ends. Requests go out as soon as they are claimed, side by side
    /// (at most [`IN_FLIGHT`]): a slow Twilio answer to one never holds up the next offer,
    /// which is claimed while the first is still on its way.
    pub async fn run(self) {
        let wake = self.center.effects_written();
        let lease = lease(&self.settings);
        let room = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
        let this = Arc::new(self);
        loop {
            // Effects are independent: one slow Twilio answer must not hold up the rest.
            let free = room.available_permits().min(BATCH as usize) as i64;
            if free > 0 {
                match this.store.claim_effects(lease, free).await {
                    Ok(rows) => rows.into_iter().for_each(|row| this.spawn(row, &room, &wake)),
                    Err(e) => tracing::error!(error = %e, "effects worker could not read the outbox"),
                }
            }
            // Calls to create, at the account's pace, the most urgent first.
            let mut next_turn = None;
            let free = room.available_permits().min(BATCH as usize) as i64;
            if free > 0 {
                match this.store.claim_paced(lease, this.settings.outbox.pace, free).await {
                    Ok((rows, wait)) => {
                        next_turn = wait;
                        rows.into_iter().for_each(|row| this.spawn(row, &room, &wake));
                    }
                    Err(e) => tracing::error!(error = %e, "effects worker could not read the outbox's calls to create"),
                }
            }
            this.tell_pacing(next_turn.is_some()).await;
            // Woken by a new effect, a finished one (room again, or an effect it held back now
            // due), a leg reported over (a dial waiting for it), the next turn at Twilio's pace,
            // or the poll (another instance's effects).
            let nap = next_turn.map_or(this.settings.outbox.poll_interval, |t| t.min(this.settings.outbox.poll_interval));
            let _ = tokio::time::timeout(nap, wake.notified()).await;
        }
    }

    /// Performs one claimed effect in a task of its own, holding one place in flight.
    fn spawn(self: &Arc<Self>, row: EffectRow, room: &Arc<tokio::sync::Semaphore>, wake: &Arc<tokio::sync::Notify>) {
        let Ok(place) = room.clone().try_acquire_owned() else {
            // Claimed beyond the room (never, as claims ask for at most the room left): the
            // lease runs out and it is claimed again.
            tracing::warn!(id = row.id, "an effect was claimed with no room to perform it");
            return;
        };
        // Only an effect that stands in a lane (others may wait for it: `center::order`), or a
        // full room, calls for another look when it is done: every look is a query on the
        // shared outbox. (A leg's next leg waits for its report, which wakes the worker.)
        let held_back = row.effect.order().lane.is_some();
        let (this, wake, room) = (self.clone(), wake.clone(), room.clone());
        tokio::spawn(async move {
            let again = this.perform(row).await;
            let was_full = room.available_permits() == 0;
            drop(place);
            if held_back || was_full {
                wake.notify_one();
            }
            // An effect waiting on another (a cancel on its dial's request) is looked at again
            // when it is due, not at the next poll.
            if let Some(after) = again {
                tokio::time::sleep(after).await;
                wake.notify_one();
            }
        });
    }

    /// Tells the center (and so the floor) how many calls wait for their turn at Twilio's pace,
    /// and since when. Asked of the outbox only while the pace binds (the next turn has not come).
    /// Once shown, it is counted again every round until nothing waits (a free turn sends
    /// one, the rest still wait).
    async fn tell_pacing(&self, binding: bool) {
        if !binding && self.center.pacing().is_none() {
            return;
        }
        match self.store.paced_waiting().await {
            Ok((waiting, Some(since))) if waiting > 0 => {
                self.center.set_pacing(Some(FloorPacing { waiting: waiting.min(u32::MAX as i64) as u32, since }))
            }
            Ok(_) => self.center.set_pacing(None),
            Err(e) => tracing::warn!(error = %e, "could not count the calls waiting at Twilio's pace"),
        }
    }

    /// Performs the effect and records its outcome; `Some(delay)`: it is to be tried again then.
    async fn perform(&self, row: EffectRow) -> Option<Duration> {
        let started = std::time::Instant::now();
        let outcome = match &row.effect {
            Effect::Dial { call, party, leg } => {
                let request = flow::agent_dial(&self.settings, call, party, *leg);
                match self.twilio.create_call(&request).await {
                    Ok(created) => match CallSid::parse(&created.sid) {
                        Ok(sid) => {
                            tracing::info!(call_sid = %call, %party, leg, leg_sid = %sid, "rung");
                            Outcome::Done(Some(sid))
                        }
                        Err(e) => Outcome::Failed(RestError::Decode(format!("Twilio answered with a malformed call sid: {e}"))),
                    },
                    Err(e) => Outcome::Failed(e),
                }
            }
            Effect::CancelLeg { call, party, leg } => {
                match self.store.dial_of_leg(&LegRef { call: call.clone(), party: party.clone(), leg: *leg }).await {
                    Ok(None) => Outcome::Done(None),
                    Ok(Some(dial)) => match (dial.status, dial.leg_sid) {
                        (EffectStatus::Pending, _) if dial.in_flight => Outcome::Wait(CANCEL_WAIT),
                        (EffectStatus::Pending, _) => match self.store.skip_pending_dial(dial.id).await {
                            Ok(true) => Outcome::Done(None),
                            Ok(false) => Outcome::Wait(CANCEL_WAIT),
                            Err(e) => Outcome::Failed(store_failure(e)),
                        },
                        (EffectStatus::Done, Some(leg_sid)) => match self.twilio.cancel_call(leg_sid.as_str()).await {
                            // Answered just as the offer was withdrawn (before the app heard of it):
                            // Twilio leaves an answered call alone, so it is hung up. Until it is
                            // over, this cancel stays pending, and the party's next dial waits for
                            // it: their phone never rings while the old leg is live.
                            Ok(true) => match self.twilio.hang_up_call(leg_sid.as_str()).await {
                                Ok(()) => {
                                    tracing::info!(call_sid = %call, %party, leg, "hung up a leg answered as its offer was withdrawn");
                                    Outcome::Done(None)
                                }
                                Err(e) if !e.is_retryable() && e.status().is_some() => Outcome::Done(None),
                                Err(e) => Outcome::Failed(e),
                            },
                            Ok(false) => {
                                tracing::info!(call_sid = %call, %party, leg, "stopped ringing");
                                Outcome::Done(None)
                            }
                            // Already answered, over, or unknown: there is nothing left to stop.
                            Err(e) if !e.is_retryable() && e.status().is_some() => Outcome::Done(None),
                            Err(e) => Outcome::Failed(e),
                        },
                        _ => Outcome::Done(None),
                    },
                    Err(e) => Outcome::Failed(store_failure(e)),
                }
            }
            Effect::HangUpCaller { call, sid } => match self.twilio.hang_up_call(sid.as_ref().unwrap_or(call).as_str()).await {
                Ok(()) => Outcome::Done(None),
                // The caller is gone already.
                Err(e) if !e.is_retryable() && e.status().is_some() => Outcome::Done(None),
                Err(e) => Outcome::Failed(e),
            },
            Effect::OfferCallback { call } => {
                let url = flow::callback_url(&self.settings, call, CallbackStep::Offer);
                match self.twilio.redirect_call(call.as_str(), &url).await {
                    Ok(()) => {
                        tracing::info!(call_sid = %call, "moved to the callback menu");
                        Outcome::Done(None)
                    }
                    // Refused for good: the call is over (404, or 21220 "not in progress"), or the
                    // caller was never moved and waits on.
                    Err(e) if !e.is_retryable() && e.status().is_some() => {
                        let gone = e.status() == Some(404) || e.code() == Some(21220);
                        tracing::info!(call_sid = %call, error = %e, gone, "could not move the caller to the callback menu");
                        if let Err(e) = self.center.decide(Command::MoveFailed { call: call.clone(), gone }).await {
                            tracing::error!(call_sid = %call, error = %e, "could not report the failed move to the center");
                        }
                        Outcome::Done(None)
                    }
                    Err(e) => Outcome::Failed(e),
                }
            }
            Effect::Arrange { call, moves } => self.arrange(call, moves).await,
            Effect::AddMonitor { call, supervisor, leg } => match self.conference_of(call).await {
                Ok(Some(conference)) => {
                    let request = flow::monitor_participant(&self.settings, call, supervisor, *leg);
                    match self.twilio.add_participant(conference.as_str(), &request).await {
                        Ok(p) => match p.call_sid.as_deref().map(CallSid::parse) {
                            Some(Ok(sid)) => {
                                tracing::info!(call_sid = %call, %supervisor, leg, leg_sid = %sid, "supervisor's phone rung to listen");
                                Outcome::Done(Some(sid))
                            }
                            _ => Outcome::Failed(RestError::Decode("Twilio answered a new participant without a valid call_sid".into())),
                        },
                        Err(e) => Outcome::Failed(e),
                    }
                }
                // The call's conference is over: nothing to listen to.
                Ok(None) => Outcome::Failed(RestError::Api {
                    status: 404,
                    code: None,
                    message: "the call's conference is over".into(),
                    more_info: None,
                }),
                Err(e) => Outcome::Failed(e),
            },
            Effect::UpdateMonitor { call, supervisor, mode, coach } => self.update_monitor(call, supervisor, *mode, coach.as_ref()).await,
        };
        self.count(&row, &outcome, started.elapsed());
        let again = match &outcome {
            Outcome::Wait(delay) => Some(*delay),
            _ => None,
        };
        if let Err(e) = self.record(&row, outcome).await {
            tracing::error!(id = row.id, call_sid = %row.effect.call(), error = %e, "could not record an effect's outcome");
        }
        again
    }

    /// The request's kind, outcome and latency for `/metrics` (a wait asked Twilio nothing).
    fn count(&self, row: &EffectRow, outcome: &Outcome, took: Duration) {
        let kind = row.effect.kind().as_str().to_string();
        let outcome = match outcome {
            Outcome::Wait(_) => return,
            Outcome::Done(_) => "ok",
            Outcome::Failed(e)
                if e.status() == Some(429) || (e.is_retryable() && (row.attempts as u32) < self.settings.outbox.max_attempts) =>
            {
                self.metrics.outbox_retries.get_or_create(&KindLabel { kind: kind.clone() }).inc();
                "retry"
            }
            Outcome::Failed(_) => {
                self.metrics.outbox_failures.get_or_create(&KindLabel { kind: kind.clone() }).inc();
                "failed"
            }
        };
        self.metrics.twilio_seconds.get_or_create(&KindLabel { kind: kind.clone() }).observe(took.as_secs_f64());
        self.metrics.twilio_requests.get_or_create(&RequestLabels { kind, outcome: outcome.into() }).inc();
    }

    async fn record(&self, row: &EffectRow, outcome: Outcome) -> Result<(), StoreError> {
        match outcome {
            Outcome::Done(leg_sid) => self.store.effect_done(row.id, leg_sid.as_ref()).await,
            Outcome::Wait(delay) => self.store.effect_retry(row.id, "waiting for the dial to come back", delay).await,
            // Twilio asks us to slow down (429, 20429): not a refusal, so never given up for it
            // (the backoff grows with the attempts); a call to create also moves the account's
            // next turn back, on every instance. An offer held up this long is withdrawn by the
            // ring timeout like any other, and its caller offered to the next agent.
            Outcome::Failed(e) if e.status() == Some(429) => {
                let delay = flow::retry_delay(
                    (row.attempts as u32).saturating_sub(1),
                    self.settings.outbox.backoff_base,
                    self.settings.outbox.backoff_max,
                    rand::random::<f64>(),
                );
                tracing::info!(
                    id = row.id,
                    kind = row.effect.kind().as_str(),
                    delay_ms = delay.as_millis() as u64,
                    "Twilio asked us to slow down"
                );
                if row.effect.order().creates.is_some() {
                    self.store.slow_pace(delay).await?;
                }
                self.store.effect_retry(row.id, &e.to_string(), delay).await
            }
            Outcome::Failed(e) if e.is_retryable() && (row.attempts as u32) < self.settings.outbox.max_attempts => {
                let delay = flow::retry_delay(
                    row.attempts as u32 - 1,
                    self.settings.outbox.backoff_base,
                    self.settings.outbox.backoff_max,
                    rand::random::<f64>(),
                );
                tracing::debug!(id = row.id, call_sid = %row.effect.call(), kind = row.effect.kind().as_str(), attempt = row.attempts, error = %e, "effect failed, will retry");
                self.store.effect_retry(row.id, &e.to_string(), delay).await
            }
            Outcome::Failed(e) => {
                tracing::warn!(id = row.id, kind = row.effect.kind().as_str(), call_sid = %row.effect.call(), attempts = row.attempts, error = %e, "effect given up");
                if !self.store.effect_failed(row.id, &e.to_string()).await? {
                    // Twilio reported its leg meanwhile: it went through after all.
                    return Ok(());
                }
                let command = match &row.effect {
                    // The party could not be rung: the center moves the caller on (the queue,
                    // or back to the agent who was transferring).
                    Effect::Dial { call, party, leg } => {
                        Some(Command::LegEnded { call: call.clone(), party: party.clone(), leg: *leg, outcome: LegOutcome::Unplaced })
                    }
                    // Never moved: the caller waits on in their conference.
                    Effect::OfferCallback { call } => Some(Command::MoveFailed { call: call.clone(), gone: false }),
                    // The owner is told, and may ask again.
                    Effect::Arrange { call, .. } => Some(Command::ArrangeFailed { call: call.clone(), reason: e.to_string() }),
                    // The supervisor's phone could not be added (the conference ended, or is
                    // full): they are not on the call.
                    Effect::AddMonitor { call, supervisor, leg } => Some(Command::LegEnded {
                        call: call.clone(),
                        party: crate::center::Party::Agent(supervisor.clone()),
                        leg: *leg,
                        outcome: LegOutcome::Unplaced,
                    }),
                    _ => None,
                };
                if let Some(command) = command {
                    let call = row.effect.call().clone();
                    if let Err(e) = self.center.decide(command).await {
                        tracing::error!(call_sid = %call, error = %e, "could not report a failed effect to the center");
                    }
                }
                Ok(())
            }
        }
    }
}

impl EffectsWorker {
    /// Holds, unholds and removes participants of the call's conference, in the order given.
    /// Each step is idempotent (holding a held participant changes nothing, removing one who is
    /// gone is done), so a retry simply runs them all again.
    async fn arrange(&self, call: &CallSid, moves: &[Move]) -> Outcome {
        let conference = match self.conference_of(call).await {
            Ok(Some(cf)) => cf,
            // No live conference: the customer is gone, nothing is left to arrange.
            Ok(None) => return Outcome::Done(None),
            Err(e) => return Outcome::Failed(e),
        };
        for m in moves {
            let (who, result) = match m {
                Move::Hold { who, music } => {
                    let hold_url = match who {
                        Who::Customer => flow::customer_hold_url(&self.settings, *music),
                        Who::Party(_) => self.settings.hold_music_url.clone(),
                    };
                    let update = UpdateParticipant { hold: Some(true), hold_url: Some(hold_url), ..Default::default() };
                    (who, self.twilio.update_participant(conference.as_str(), &self.participant(call, who), &update).await.map(|_| ()))
                }
                Move::Unhold { who } => {
                    let update = UpdateParticipant { hold: Some(false), ..Default::default() };
                    (who, self.twilio.update_participant(conference.as_str(), &self.participant(call, who), &update).await.map(|_| ()))
                }
                Move::Remove { who } => (who, self.twilio.remove_participant(conference.as_str(), &self.participant(call, who)).await),
            };
            match result {
                Ok(()) => {}
                // That participant is no longer in the conference: nothing to change for them.
                Err(e) if e.status() == Some(404) => tracing::info!(call_sid = %call, ?who, "participant already gone"),
                Err(e) => return Outcome::Failed(e),
            }
        }
        tracing::info!(call_sid = %call, moves = moves.len(), "conference arranged");
        Outcome::Done(None)
    }

    /// One update of the supervisor's participant. Twilio's refusals to coach (16027: the agent
    /// is on hold; 16028: the agent is not in the conference) are told to the center, which
    /// keeps the supervisor listening; never an error for anyone.
    async fn update_monitor(&self, call: &CallSid, supervisor: &AgentId, mode: MonitorMode, coach: Option<&CallSid>) -> Outcome {
        let conference = match self.conference_of(call).await {
            Ok(Some(cf)) => cf,
            Ok(None) => return Outcome::Done(None),
            Err(e) => return Outcome::Failed(e),
        };
        let update = flow::monitor_update(mode, coach);
        match self.twilio.update_participant(conference.as_str(), supervisor.as_str(), &update).await {
            Ok(_) => {
                tracing::info!(call_sid = %call, %supervisor, mode = mode.as_str(), "supervisor's mode changed");
                Outcome::Done(None)
            }
            Err(e) => match e.code().and_then(CoachRefusal::from_code) {
                Some(why) => {
                    tracing::info!(call_sid = %call, %supervisor, error = %e, "Twilio would not coach");
                    let command = Command::CoachRefused { call: call.clone(), supervisor: supervisor.clone(), why };
                    if let Err(e) = self.center.decide(command).await {
                        tracing::error!(call_sid = %call, error = %e, "could not report a refused coaching to the center");
                    }
                    Outcome::Done(None)
                }
                // The supervisor's leg is gone already: its end is reported by its own callback.
                None if e.status() == Some(404) => Outcome::Done(None),
                None => Outcome::Failed(e),
            },
        }
    }

    /// The path segment Twilio knows a participant by: the customer's CallSid, or the label
    /// every other leg joined with.
    fn participant(&self, call: &CallSid, who: &Who) -> String {
        match who {
            // A callback's caller is on a leg of their own.
            Who::Customer => self
                .center
                .read(|s| s.calls.get(call).and_then(|c| c.party(crate::center::Role::Customer)).and_then(|p| p.sid.clone()))
                .unwrap_or_else(|| call.clone())
                .to_string(),
            Who::Party(p) => p.to_string(),
        }
    }

    /// The call's `CF…` sid: from the center (a conference callback told it), else asked of
    /// Twilio by the conference's name.
    async fn conference_of(&self, call: &CallSid) -> Result<Option<ConferenceSid>, RestError> {
        if let Some(cf) = self.center.read(|s| s.calls.get(call).and_then(|c| c.conference.clone())) {
            return Ok(Some(cf));
        }
        let found = match self.twilio.find_live_conference(call.as_str()).await? {
            Some(c) => Some(
                ConferenceSid::parse(&c.sid)
                    .map_err(|e| RestError::Decode(format!("Twilio answered with a malformed conference sid: {e}")))?,
            ),
            None => None,
        };
        if let Some(cf) = &found {
            let _ = self.center.decide(Command::ConferenceKnown { call: call.clone(), conference: cf.clone() }).await;
        }
        Ok(found)
    }
}

fn store_failure(e: StoreError) -> RestError {
    // Retryable: the database will most likely answer again.
    RestError::Transport(format!("storage: {e}"))
}
