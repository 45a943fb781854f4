//! The rules of a callback: a waiting caller offered "press 1 to be called back" (after a set
//! wait, or at the start of the call when the queue's head has waited that long already) is in
//! the menu, out of their conference, keeping their place. They keep waiting (back in their
//! conference, same place) or ask to be called back and hang up: the request keeps their place.
//! When it reaches the head of the queue and an agent is free, the agent's phone rings as for a
//! call; once they answer, the caller's number is called (caller ID: the support number). An
//! attempt that finds the caller busy or away frees the agent and waits, in the same place,
//! until the retry time; after the last attempt the callback ends, reported. A callback is never
//! an abandon.

use super::agent::Presence;
use super::call::{Call, EndReason, LegNo, LegOutcome};
use super::decide::{Decider, Reply};
use super::effect::Effect;
use super::event::Event;
use super::event::{CallEvent, CallbackEvent};
use super::party::{Party, Role};
use super::refusal::{Reason, Refusal};
use super::rules::Millis;
use crate::ids::{AgentId, CallSid, PhoneNumber, E164};

/// Callers moved to the menu in one tick at most.
pub const OFFERS_PER_TICK: usize = 20;

impl Decider<'_> {
    /// A caller who just arrived and is still waiting is offered a callback (or a message) when
    /// nobody who takes their queue is signed in, or when the wait to expect is long: the queue's
    /// recent answer time, or what its head has waited already.
    pub(super) fn offer_callback_at_start(&mut self, call: &CallSid) {
        let Some(after) = self.rules.callback_after else { return };
        let Some(queue) = self.state.calls.get(call).filter(|c| c.is_queued() && c.offerable_callback()).map(|c| c.queue.clone()) else {
            return;
        };
        let now = self.now;
        // Nobody signed in who takes this queue.
        let nobody = !self.state.agents.values().any(|a| a.presence != Presence::Offline && a.online(now) && a.takes(queue.as_ref()));
        // The wait to expect: the longer of the queue's recent answer time and what the caller at
        // the head (not the one arriving) has waited so far.
        let head = self.state.queued().find(|c| c.is_live_caller() && c.sid != *call).map(|c| now - c.queued_at);
        let expected = head.into_iter().chain(self.state.recent_wait).max();
        if nobody || expected.is_some_and(|wait| wait >= after) {
            self.emit(Event::Callback(CallbackEvent::CallbackOffered { call: call.clone(), until: now + self.rules.menu_time, nobody }));
            self.out.reply = Some(Reply::CallbackOffer { nobody });
        }
    }

    /// Callers who have waited `callback_after` are offered a callback: moved to the menu; at
    /// closing time (`all`) every caller still waiting is.
    pub(super) fn offer_callbacks(&mut self, all: bool) {
        let Some(after) = self.rules.callback_after else { return };
        let due: Vec<CallSid> = self
            .state
            .queued()
            .filter(|c| c.offerable_callback() && (all || c.queued_at + after <= self.now))
            .map(|c| c.sid.clone())
            // A long queue passing the wait all at once is offered in slices, tick by tick (the
            // next ones stay due), so no one decision carries thousands of moves.
            .take(if all { usize::MAX } else { OFFERS_PER_TICK })
            .collect();
        for call in due {
            self.emit(Event::Callback(CallbackEvent::CallbackOffered {
                call: call.clone(),
                until: self.now + self.rules.menu_time,
                nobody: false,
            }));
            self.effect(Effect::OfferCallback { call });
        }
    }

    /// Callers whose menu time is over without a choice are taken to have hung up there.
    pub(super) fn menus_expired(&mut self) {
        let expired = |sid: &CallSid| self.state.calls.get(sid).and_then(|c| c.menu_until).is_some_and(|until| until <= self.now);
        let gone: Vec<CallSid> = self.state.timed.keys().filter(|sid| expired(sid)).cloned().collect();
        for call in gone {
            self.end_call(&call, EndReason::CallerHungUp);
        }
    }

    pub(super) fn keep_waiting(&mut self, call: CallSid, from: Option<PhoneNumber>) {
        self.out.reply = Some(Reply::BackInQueue);
        match self.state.calls.get(&call) {
            Some(c) if c.menu_until.is_some() => self.emit(Event::Callback(CallbackEvent::BackInQueue { call })),
            Some(_) => {}
            // Their menu's time ran out and the call was given up, yet here they are: they wait
            // again, at the back (better than a conference nobody is offered).
            None => self.emit(Event::Call(CallEvent::Queued { call, from, queue: None, priority: 0, since: None })),
        }
    }

    pub(super) fn move_failed(&mut self, call: CallSid, gone: bool) {
        if self.state.calls.get(&call).is_none_or(|c| c.menu_until.is_none()) {
            return;
        }
        if gone {
            self.end_call(&call, EndReason::CallerHungUp);
        } else {
            self.emit(Event::Callback(CallbackEvent::BackInQueue { call }));
        }
    }

    pub(super) fn request_callback(&mut self, call: CallSid, number: E164) -> Result<(), Refusal> {
        let c = self.state.calls.get(&call).ok_or_else(|| Refusal::UnknownCall(call.clone()))?;
        if let Some(cb) = c.as_callback() {
            // Twilio repeating the choice: asked already.
            self.out.reply = Some(Reply::CallbackTaken { number: cb.number.clone() });
            return Ok(());
        }
        if c.menu_until.is_none() || !c.is_queued() {
            return Err(Reason::NotInMenu.into());
        }
        self.out.reply = Some(Reply::CallbackTaken { number: number.clone() });
        self.emit(Event::Callback(CallbackEvent::CallbackRequested { call, number }));
        Ok(())
    }

    /// The caller in the menu chose to leave a message: they leave the queue (their message,
    /// once recorded, waits in it as a voicemail).
    pub(super) fn choose_voicemail(&mut self, call: CallSid) -> Result<(), Refusal> {
        let c = self.state.calls.get(&call).ok_or_else(|| Refusal::UnknownCall(call.clone()))?;
        if c.menu_until.is_none() || !c.is_queued() {
            return Err(Reason::NotInMenu.into());
        }
        self.emit(Event::Call(CallEvent::Ended { call, reason: EndReason::ToVoicemail, abandoned: false }));
        self.out.reply = Some(Reply::Voicemail);
        Ok(())
    }

    /// The agent who took a callback is on the line: the caller's number is called.
    pub(super) fn dial_callback(&mut self, call: &CallSid) {
        let Some(c) = self.state.calls.get(call) else { return };
        let Some(cb) = c.as_callback() else { return };
        let (number, attempt, leg) = (cb.number.clone(), cb.attempts + 1, c.legs + 1);
        self.emit(Event::Callback(CallbackEvent::CallbackDialled { call: call.clone(), number: number.clone(), attempt, leg }));
        self.effect(Effect::Dial { call: call.clone(), party: Party::Phone(number), leg });
    }

    /// Whether `party` on leg `leg` is the caller being called back on `call`.
    pub(super) fn is_callback_leg(&self, call: &CallSid, party: &Party, leg: LegNo) -> bool {
        self.state.calls.get(call).is_some_and(|c| {
            let customer = c.party(Role::Customer).is_some_and(|p| p.leg == leg && leg > 0);
            customer && matches!((c.as_callback(), party), (Some(cb), Party::Phone(n)) if cb.number == *n)
        })
    }

    /// The caller's leg of a callback ended: before an answer, the attempt failed (the agent is
    /// free; the request waits in its place, or ends after the last attempt); after, they hung up.
    pub(super) fn callback_leg_ended(&mut self, call: &CallSid, outcome: LegOutcome) {
        let Some(c) = self.state.calls.get(call) else { return };
        let joined = c.party(Role::Customer).is_some_and(|p| p.joined);
        if joined {
            self.end_call(call, EndReason::CallerHungUp);
            return;
        }
        let outcome = if outcome == LegOutcome::Completed { LegOutcome::Failed } else { outcome };
        let attempt = c.as_callback().map(|cb| cb.attempts).unwrap_or(1);
        let owner = c.party(Role::Owner).and_then(|p| Some((p.agent()?.clone(), p.sid.clone())));
        let retry_at = (attempt < self.rules.callback_attempts).then_some(self.now + self.rules.callback_retry);
        self.emit(Event::Callback(CallbackEvent::CallbackMissed { call: call.clone(), attempt, outcome, retry_at }));
        if let Some((agent, sid)) = owner {
            // The agent waited alone in the conference: their leg is hung up, and they are free.
            self.after_call(&agent);
            if let Some(sid) = sid {
                self.effect(Effect::HangUpCaller { call: call.clone(), sid: Some(sid) });
            }
        }
        if retry_at.is_none() {
            self.emit(Event::Call(CallEvent::Ended { call: call.clone(), reason: EndReason::CallbackGaveUp, abandoned: false }));
        }
    }

    /// Refuses a step that needs the caller on the line while a callback has not reached them.
    pub(super) fn caller_not_yet_on(&self, agent: &AgentId) -> Result<(), Refusal> {
        match self.state.call_of(agent) {
            Some(c) if c.as_callback().is_some() && !c.party(Role::Customer).is_some_and(|p| p.joined) => {
                Err(Reason::CallbackNotAnswered.into())
            }
            _ => Ok(()),
        }
    }
}

impl Call {
    /// A caller on the line (not a voicemail, not a callback request).
    pub fn is_live_caller(&self) -> bool {
        self.as_voicemail().is_none() && self.as_callback().is_none()
    }

    /// Whether the caller may be offered a callback now: waiting on the line, not offered one yet.
    pub(super) fn offerable_callback(&self) -> bool {
        self.is_live_caller() && !self.callback_offered && self.menu_until.is_none()
    }

    /// Whether routing may offer this queued call now: not in the callback menu, and not a
    /// callback waiting for its next attempt.
    pub fn routable(&self, now: Millis) -> bool {
        self.menu_until.is_none() && self.as_callback().and_then(|cb| cb.not_before).is_none_or(|t| t <= now)
    }

    /// When this call needs the ticker by itself, while it is queued: its menu's deadline, or
    /// its callback's next attempt.
    pub(super) fn timer(&self) -> Option<Millis> {
        let retry = self.as_callback().and_then(|cb| cb.not_before);
        [self.menu_until, retry].into_iter().flatten().min().filter(|_| self.is_queued())
    }
}
