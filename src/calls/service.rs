//! The operations the edges (webhooks, server functions) call. Each takes typed input, asks the
//! center, and turns its answer into what the edge renders; the rules themselves live in
//! `crate::center`, the errors' statuses and sentences in `crate::error`.

use crate::calls::flow;
use crate::center::order::LegRef;
use crate::center::{
    AgentCard, Arrival, CallAction, CallCard, ClosedWhy, Command, LegNo, LegOutcome, MenuKey, MonitorCard, MonitorMode, NumberKeys,
    OfferKey, Openness, Party, Refusal, Reply, SupervisorAction, Target, Wanted,
};
use crate::error::{ApiError, Failure};
use crate::ids::{AgentId, CallSid, PhoneNumber, QueueName, RecordingSid, E164};
use crate::runtime::{CenterError, Kept};
use crate::state::AppState;
use crate::store::outbox::LegReport;
use crate::store::StatusCallback;
use crate::twilio::status::{CallStatus, ConferenceEvent};
use crate::twilio::twiml::Response;

/// How the voice webhook went, for its log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncomingOutcome {
    Queued,
    /// We are closed: told so, not queued.
    Closed,
    /// Several queues: the caller chooses in the menu first (not queued yet).
    Menu,
    Repeated,
    StorageFailed,
    /// The database is away: the caller waits aside, queued once it is back.
    KeptAside,
}

/// How long the voice webhook waits for the caller to be queued before keeping them aside (Twilio
/// waits 15 s for a webhook; a caller should hear something within a second).
pub const ARRIVAL_BUDGET: std::time::Duration = std::time::Duration::from_millis(600);

/// A customer's call arrived: it joins the queue, or, when the opening hours say we are closed,
/// the caller hears so and when we open. Open, the answer is always a conference for the
/// caller: when the call cannot even be recorded, the caller hears an apology and still waits.
pub async fn incoming_call(state: &AppState, call: CallSid, from: Option<PhoneNumber>) -> (Response, IncomingOutcome) {
    // Several queues: the caller chooses first, and queues once they have (a hang-up in the menu
    // is nobody's abandon: they never queued). Nothing is recorded before they choose, so the
    // hours are asked here as the core asks them; closed, the core decides (and records) it.
    if state.settings.queues.len() > 1 && state.center.opening_now().is_open() {
        return (flow::menu_twiml(&state.settings, &call, 1, Response::new().say(flow::MENU_WELCOME)), IncomingOutcome::Menu);
    }
    arrive(state, call, from, None).await
}

/// The caller's answer to the menu (`attempt`: how many times it was said): the queue they chose,
/// the menu again once, then the first queue.
pub async fn menu_answer(
    state: &AppState,
    call: CallSid,
    from: Option<PhoneNumber>,
    attempt: u32,
    key: MenuKey,
    speech: &str,
) -> (Response, IncomingOutcome) {
    let settings = &state.settings;
    let queue = match flow::menu_choice(settings, key, speech) {
        Some(q) => q,
        None if attempt < 2 => {
            return (flow::menu_twiml(settings, &call, attempt + 1, Response::new().say(flow::MENU_AGAIN)), IncomingOutcome::Menu);
        }
        None => match settings.queues.first() {
            Some(q) => q,
            None => return arrive(state, call, from, None).await,
        },
    };
    arrive(state, call, from, Some((queue.name.clone(), queue.priority))).await
}

/// The caller joins the queue (`queue`, when there are several), or hears that we are closed:
/// what the core decided, rendered.
async fn arrive(
    state: &AppState,
    call: CallSid,
    from: Option<PhoneNumber>,
    queue: Option<(QueueName, i32)>,
) -> (Response, IncomingOutcome) {
    let health = state.center.health();
    let at = crate::clock::now_ms();
    // The database is away (or too slow to answer within the webhook's budget): the caller is
    // kept aside, with when they rang, and waits in their conference; they are queued as soon as
    // it is back (`calls::aside`). The answer never waits for the database longer than that.
    // Without a decision, the hours are asked as the core asks them: closed, the caller hears so.
    let undecided = |queue| match state.center.opening_now() {
        Openness::Closed { why, opens } => (closed(state, &call, &why, opens), IncomingOutcome::Closed),
        Openness::Open { .. } => {
            health.keep(Kept::Arrival { call: call.clone(), from: from.clone(), queue, at });
            tracing::warn!(call_sid = %call, "the database is away: the caller waits aside, to be queued once it is back");
            (flow::customer_trouble_twiml(&state.settings, &call), IncomingOutcome::KeptAside)
        }
    };
    if health.outage().is_some() {
        return undecided(queue);
    }
    let command = Command::CallArrived {
        call: call.clone(),
        from: from.clone(),
        recorded: false,
        arrival: Arrival::Rings,
        queue: queue.clone(),
        arrived_at: None,
    };
    let decided = match tokio::time::timeout(ARRIVAL_BUDGET, state.center.decide(command)).await {
        Ok(result) => result,
        Err(_) => Err(CenterError::Store(crate::store::StoreError::Unavailable)),
    };
    match decided {
        Ok(d) => {
            let repeated = d.events.is_empty();
            match d.reply {
                Some(Reply::Closed { why, opens }) => (closed(state, &call, &why, opens), IncomingOutcome::Closed),
                Some(Reply::CallbackOffer { nobody }) => {
                    let say = if nobody { flow::NOBODY_MESSAGE } else { flow::WAIT_MESSAGE };
                    (flow::callback_offer_twiml(&state.settings, &call, Response::new().say(say)), IncomingOutcome::Queued)
                }
                // Queued (or a repeated webhook): they wait in their conference.
                _ => {
                    let outcome = if repeated { IncomingOutcome::Repeated } else { IncomingOutcome::Queued };
                    (flow::customer_twiml(&state.settings, &call), outcome)
                }
            }
        }
        Err(CenterError::Store(e)) => {
            tracing::error!(call_sid = %call, error = %e, "could not queue the incoming call");
            undecided(queue)
        }
        Err(e) => {
            tracing::error!(call_sid = %call, error = %e, "could not queue the incoming call");
            (flow::customer_trouble_twiml(&state.settings, &call), IncomingOutcome::StorageFailed)
        }
    }
}

/// What a caller who finds us closed hears.
fn closed(state: &AppState, call: &CallSid, why: &ClosedWhy, opens: Option<crate::center::Millis>) -> Response {
    flow::closed_twiml(&state.settings, call, &state.hours.closed_message(why, opens))
}

/// The caller on `call` left a message (the recording's request): it waits in the queue like a
/// call. The answer thanks them (when they are still on the line to hear it). Storage failing
/// answers 503, so Twilio asks again and no message is lost.
pub async fn voicemail_left(
    state: &AppState,
    call: CallSid,
    from: Option<PhoneNumber>,
    recording: RecordingSid,
    seconds: u32,
) -> Result<Response, Failure> {
    let command = Command::VoicemailLeft { call: call.clone(), from, recording, seconds, recorded: false };
    let d = state.center.decide(command).await?;
    tracing::info!(call_sid = %call, seconds, outcome = if d.events.is_empty() { "repeated" } else { "queued" }, "voicemail left");
    Ok(flow::voicemail_thanks_twiml())
}

/// The callback menu (Twilio fetched it after the REST update moved the caller there).
pub fn callback_offer(state: &AppState, call: &CallSid) -> Response {
    if !state.center.read(|s| s.calls.contains_key(call)) {
        tracing::warn!(call_sid = %call, "the callback menu was fetched for a call no longer waiting");
    }
    flow::callback_offer_twiml(&state.settings, call, Response::new())
}

/// The caller's choice in the callback menu: 1, which number to call; 2, a message; anything
/// else, back to the queue.
pub async fn callback_choice(state: &AppState, call: CallSid, from: Option<PhoneNumber>, key: OfferKey) -> Result<Response, Failure> {
    match key {
        OfferKey::CallMeBack => {}
        OfferKey::LeaveMessage => {
            return match state.center.decide(Command::ChooseVoicemail { call: call.clone() }).await {
                Ok(d) => Ok(render_menu_reply(state, &call, d.reply)),
                Err(CenterError::Refused(_)) => back_in_queue(state, call, from.clone(), flow::KEPT_PLACE).await,
                Err(CenterError::Store(e)) => Err(e.into()),
            };
        }
        OfferKey::KeepWaiting => return back_in_queue(state, call, from.clone(), flow::KEPT_PLACE).await,
    }
    let caller_id = state.center.read(|s| s.calls.get(&call).and_then(|c| c.from.clone()));
    let caller_id = caller_id.and_then(|f| E164::parse(f.as_str()).ok());
    Ok(flow::callback_number_twiml(&state.settings, &call, caller_id.as_ref().map(E164::as_str)))
}

/// The number to call back: 1 for the caller's own, or one typed (its country code first).
pub async fn callback_number(state: &AppState, call: CallSid, from: Option<PhoneNumber>, keys: NumberKeys) -> Result<Response, Failure> {
    let number = match keys {
        NumberKeys::OwnNumber => {
            state.center.read(|s| s.calls.get(&call).and_then(|c| c.from.clone())).and_then(|f| E164::parse(f.as_str()).ok())
        }
        NumberKeys::Typed(number) => Some(number),
        NumberKeys::Unusable => None,
    };
    let Some(number) = number else {
        return back_in_queue(state, call, from.clone(), flow::NUMBER_UNUSABLE).await;
    };
    match state.center.decide(Command::RequestCallback { call: call.clone(), number }).await {
        Ok(d) => {
            tracing::info!(call_sid = %call, "callback requested");
            Ok(render_menu_reply(state, &call, d.reply))
        }
        // Out of the menu already (its time ran out): back in the queue as they were.
        Err(CenterError::Refused(reason)) => {
            tracing::info!(call_sid = %call, %reason, "callback not taken");
            back_in_queue(state, call, from.clone(), flow::KEPT_PLACE).await
        }
        Err(CenterError::Store(e)) => Err(e.into()),
    }
}

/// The caller goes back to their conference, in their place (`say`: why, first).
pub async fn back_in_queue(state: &AppState, call: CallSid, from: Option<PhoneNumber>, say: &str) -> Result<Response, Failure> {
    match state.center.decide(Command::KeepWaiting { call: call.clone(), from }).await {
        Ok(_) | Err(CenterError::Refused(_)) => Ok(flow::back_in_queue_twiml(&state.settings, &call, say)),
        Err(CenterError::Store(e)) => Err(e.into()),
    }
}

/// What the caller in the callback menu hears after their choice, as the core decided it.
fn render_menu_reply(state: &AppState, call: &CallSid, reply: Option<Reply>) -> Response {
    match reply {
        Some(Reply::Voicemail) => flow::voicemail_twiml(&state.settings, call, Response::new()),
        Some(Reply::CallbackTaken { number }) => flow::callback_taken_twiml(number.as_str()),
        // Anything else: back in their place (what a choice the core did not take comes to).
        _ => flow::back_in_queue_twiml(&state.settings, call, flow::KEPT_PLACE),
    }
}

/// Twilio's transcription of a voicemail (shown with it in the console).
pub async fn voicemail_transcribed(state: &AppState, call: CallSid, text: String) -> Result<(), Failure> {
    state.center.decide(Command::Transcribed { call, text }).await?;
    Ok(())
}

/// The wait document for the caller on `call` (their place in the queue, when they have one),
/// after a blind transfer's sentence when the hold asked for it; once we have closed, a caller
/// still in the queue hears that they keep their place.
pub fn wait(state: &AppState, call: Option<&CallSid>, after_transfer: bool) -> Response {
    let position = call.and_then(|c| state.center.read(|s| s.queue_position(c)));
    let closing = position.is_some() && !state.center.opening_now().is_open();
    let intro = after_transfer.then_some(flow::TRANSFER_MESSAGE).or(closing.then_some(flow::CLOSING_MESSAGE));
    flow::wait_twiml_after(&state.settings, intro, position)
}

/// What a leg's final status means for the center (`None`: the leg is not over).
fn leg_outcome(status: CallStatus) -> Option<LegOutcome> {
    Some(match status {
        CallStatus::NoAnswer => LegOutcome::NoAnswer,
        CallStatus::Busy => LegOutcome::Busy,
        CallStatus::Failed => LegOutcome::Failed,
        CallStatus::Canceled => LegOutcome::Canceled,
        CallStatus::Completed => LegOutcome::Completed,
        CallStatus::Queued | CallStatus::Initiated | CallStatus::Ringing | CallStatus::InProgress => return None,
    })
}

/// `party` (an agent, or a number a transfer dialled) answered leg `leg` of `call` (Twilio's
/// `sid` for that leg): the TwiML that joins them to the caller's conference, or, when the call
/// is over or no longer theirs, a sentence and a hang-up.
pub async fn agent_join(state: &AppState, call: CallSid, party: Party, leg: LegNo, sid: Option<CallSid>) -> Result<Response, Failure> {
    let reported = LegRef { call: call.clone(), party: party.clone(), leg };
    state.store.leg_reported(&reported, sid.as_ref(), LegReport::Alive).await?;
    let command = Command::LegAnswered { call: call.clone(), party: party.clone(), leg, sid };
    match state.center.decide(command).await {
        Ok(d) => Ok(if d.reply == Some(Reply::Join { as_customer: true }) {
            flow::callback_customer_join_twiml(&state.settings, &call, &party)
        } else {
            flow::agent_join_twiml(&state.settings, &call, &party)
        }),
        Err(CenterError::Refused(Refusal::UnknownCall(_))) if !state.store.call_known(&call).await? => {
            Err(Refusal::UnknownCall(call).into())
        }
        Err(CenterError::Refused(r @ Refusal::UnknownAgent(_))) => Err(r.into()),
        Err(CenterError::Refused(reason)) => {
            tracing::info!(call_sid = %call, %party, leg, %reason, "an answer came too late");
            Ok(flow::caller_gone_twiml())
        }
        Err(CenterError::Store(e)) => Err(e.into()),
    }
}

/// Twilio reported on a leg: a final status ends it (missed, or hung up).
pub async fn agent_leg_status(state: &AppState, call: CallSid, party: Party, leg: LegNo, cb: StatusCallback) -> Result<(), Failure> {
    state.store.record_callback(&cb).await?;
    let outcome = CallStatus::parse(&cb.event).and_then(leg_outcome);
    let reported = LegRef { call: call.clone(), party: party.clone(), leg };
    state.store.leg_reported(&reported, cb.call_sid.as_ref(), outcome.map_or(LegReport::Alive, |_| LegReport::Over)).await?;
    if let Some(outcome) = outcome {
        // The party's next leg may be waiting for this one to be over (center::order).
        state.center.effects_written().notify_one();
        state.center.decide(Command::LegEnded { call, party, leg, outcome }).await?;
    }
    Ok(())
}

/// Twilio reported on a supervisor's monitoring leg: answered, they are in the conference; a
/// final status, they left (or never joined). An answer the center no longer expects (the call
/// ended while the phone rang, or they left meanwhile) is hung up: nobody stays on a dead line.
pub async fn monitor_leg_status(
    state: &AppState,
    call: CallSid,
    supervisor: AgentId,
    leg: LegNo,
    cb: StatusCallback,
) -> Result<(), Failure> {
    state.store.record_callback(&cb).await?;
    let party = Party::Agent(supervisor.clone());
    let status = CallStatus::parse(&cb.event);
    let outcome = status.and_then(leg_outcome);
    let reported = LegRef { call: call.clone(), party: party.clone(), leg };
    state.store.leg_reported(&reported, cb.call_sid.as_ref(), outcome.map_or(LegReport::Alive, |_| LegReport::Over)).await?;
    if outcome.is_some() {
        // The supervisor's next leg may be waiting for this one to be over (center::order).
        state.center.effects_written().notify_one();
    }
    if status == Some(CallStatus::InProgress) {
        let command = Command::MonitorAnswered { call: call.clone(), supervisor, leg, sid: cb.call_sid.clone() };
        match state.center.decide(command).await {
            Ok(_) => {}
            Err(CenterError::Refused(reason)) => {
                tracing::info!(call_sid = %call, %party, leg, %reason, "a monitoring leg answered too late: hanging it up");
                if let Some(sid) = cb.call_sid.clone() {
                    let twilio = state.twilio.clone();
                    tokio::spawn(async move {
                        if let Err(e) = twilio.hang_up_call(sid.as_str()).await {
                            tracing::warn!(call_sid = %call, leg_sid = %sid, error = %e, "could not hang up a late monitoring leg");
                        }
                    });
                }
            }
            Err(e) => return Err(e.into()),
        }
    } else if let Some(outcome) = outcome {
        state.center.decide(Command::LegEnded { call, party, leg, outcome }).await?;
    }
    Ok(())
}

/// A conference status callback for a customer's conference (named after their CallSid): when
/// the conference ends, or the customer leaves it, the call is over.
pub async fn status_callback(state: &AppState, cb: StatusCallback) -> Result<(), Failure> {
    state.store.record_callback(&cb).await?;
    let Some(call) = cb.friendly_name.as_deref().and_then(|n| CallSid::parse(n).ok()) else { return Ok(()) };
    // The conference's sid is what holds and removals are addressed to: learn it once.
    if let Some(cf) = cb.conference_sid.clone().filter(|_| ConferenceEvent::parse(&cb.event) != Some(ConferenceEvent::End)) {
        if state.center.read(|s| s.calls.get(&call).is_some_and(|c| c.learns_conference(&cf))) {
            state.center.decide(Command::ConferenceKnown { call: call.clone(), conference: cf }).await?;
        }
    }
    if caller_who_left(&cb).is_some() {
        state.center.decide(Command::CallerLeft { call, conference: cb.conference_sid }).await?;
    }
    Ok(())
}

/// The customer a conference callback says left (their conference ended, or they left it): the
/// conference is named after their call.
pub fn caller_who_left(cb: &StatusCallback) -> Option<CallSid> {
    let call = cb.friendly_name.as_deref().and_then(|n| CallSid::parse(n).ok())?;
    let left = match ConferenceEvent::parse(&cb.event) {
        Some(ConferenceEvent::End) => true,
        Some(ConferenceEvent::Leave) => cb.call_sid.as_ref() == Some(&call),
        _ => false,
    };
    left.then_some(call)
}

/// The signed-in agent asks to be available or away (or says their phone is gone).
pub async fn set_presence(state: &AppState, agent: &AgentId, wanted: Wanted) -> Result<AgentCard, Failure> {
    state.center.decide(Command::SetPresence { agent: agent.clone(), wanted }).await?;
    state.center.read(|s| s.card(agent)).ok_or_else(|| Refusal::UnknownAgent(agent.clone()).into())
}

/// The agent takes a step on the call they are on (`to` and `note` for a consult or a
/// transfer); the answer is their call as it now stands.
pub async fn step(
    state: &AppState,
    agent: &AgentId,
    action: CallAction,
    to: Option<Target>,
    note: Option<String>,
) -> Result<Option<CallCard>, Failure> {
    let command = action.command(agent.clone(), to, note).map_err(|e| ApiError::BadInput(e.to_string()))?;
    // The call the step is about, for the log line (a step that ends the call leaves none after).
    let call = state.center.read(|s| s.call_of(agent).map(|c| c.sid.clone()));
    state.center.decide(command).await?;
    let call_sid = call.as_ref().map_or_else(|| "-".to_string(), |c| c.to_string());
    tracing::info!(%agent, call_sid = %call_sid, step = %action, "call step");
    Ok(state.center.read(|s| s.call_of(agent).map(|c| s.call_card(c, agent))))
}

/// A supervisor listens to, coaches on, or barges into `call` (or switches mode on the call they
/// monitor); their console then shows the call they monitor, and their phone answers it.
pub async fn monitor(state: &AppState, supervisor: &AgentId, call: CallSid, mode: MonitorMode) -> Result<Option<MonitorCard>, Failure> {
    state.center.decide(Command::Monitor { supervisor: supervisor.clone(), call: call.clone(), mode }).await?;
    tracing::info!(%supervisor, call_sid = %call, mode = mode.as_str(), "monitoring");
    Ok(state.center.read(|s| s.monitor_card(supervisor)))
}

/// The supervisor leaves the call they monitor.
pub async fn stop_monitoring(state: &AppState, supervisor: &AgentId) -> Result<(), Failure> {
    state.center.decide(Command::StopMonitoring { supervisor: supervisor.clone() }).await?;
    tracing::info!(%supervisor, "left the call monitored");
    Ok(())
}

/// A supervisor sets an agent away (with a reason) or offline, or ends their wrap-up: the
/// agent's card as it now is.
pub async fn supervise(state: &AppState, supervisor: &AgentId, agent: &AgentId, action: SupervisorAction) -> Result<AgentCard, Failure> {
    let word = action.as_str();
    state.center.decide(Command::Supervise { supervisor: supervisor.clone(), agent: agent.clone(), action }).await?;
    tracing::info!(%supervisor, %agent, action = word, "supervised");
    state.center.read(|s| s.card(agent)).ok_or_else(|| Refusal::UnknownAgent(agent.clone()).into())
}

/// The agent signed out: offline (a ringing offer goes to the next agent).
pub async fn signed_out(state: &AppState, agent: &AgentId) -> Result<(), Failure> {
    match state.center.decide(Command::SignedOut { agent: agent.clone() }).await {
        Ok(_) | Err(CenterError::Refused(Refusal::UnknownAgent(_))) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
