//! Today's figures, folded from the stored facts (the timeline's events and the agents'
//! presence changes, each with its time), so that a restart or another instance folding the same
//! rows shows the same numbers. The formulas are stated beside them on the floor:
//!
//! - a call counts on the day it first queued; *offered* = calls queued today;
//! - *answered*: an agent answered it (once, however often it was transferred); *abandoned*: the
//!   caller hung up before any answer, after the short-abandon threshold (a caller who hangs up
//!   sooner is a *short abandon*, in no rate);
//! - **service level** = answered within the answer threshold ÷ (answered + abandoned);
//! - *average speed of answer* = mean wait of the answered calls (first queued → first answer);
//! - *average handle time* = talk + hold + wrap-up, each averaged over the calls answered and
//!   finished today (hold: the customer held by the agent or for a consult; wrap-up: the agents'
//!   wrap-ups that ended today).

use super::event::{AgentEvent, CallEvent, TransferEvent};
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::agent::Presence;
use super::call::Side;
use super::event::Event;
use super::rules::Millis;
use crate::ids::{AgentId, CallSid};

/// The thresholds of the service level (settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// Answered within this long counts as meeting the service level (default 20 s).
    pub answer_within: Millis,
    /// A caller who hangs up within this long is not counted as abandoned (default 5 s).
    pub short_abandon: Millis,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { answer_within: 20_000, short_abandon: 5_000 }
    }
}

impl Thresholds {
    /// The service level's formula, in words, as the floor prints it.
    pub fn formula(&self) -> String {
        format!(
            "service level = answered within {} s ÷ (answered + abandoned after {} s)",
            self.answer_within / 1000,
            self.short_abandon / 1000
        )
    }
}

/// Today's figures for the queue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub offered: u32,
    pub answered: u32,
    pub abandoned: u32,
    pub short_abandoned: u32,
    pub answered_in_time: u32,
    /// Per mille (`None` while nothing counts).
    pub service_level: Option<u32>,
    /// Average speed of answer.
    pub asa: Option<Millis>,
    /// Calls answered and finished today (the handle time's denominator).
    pub handled: u32,
    pub talk: Option<Millis>,
    pub hold: Option<Millis>,
    pub wrap_up: Option<Millis>,
    /// The longest any caller queued today waited before an answer or hanging up (callers
    /// still waiting count up to now).
    pub longest_wait: Millis,
    /// Callers who rang while we were closed (told so; in no rate).
    #[serde(default)]
    pub closed: u32,
    pub formula: String,
}

impl Figures {
    /// Average handle time: talk + hold + wrap-up.
    pub fn handle_time(&self) -> Option<Millis> {
        (self.handled > 0).then(|| self.talk.unwrap_or(0) + self.hold.unwrap_or(0) + self.wrap_up.unwrap_or(0))
    }
}

/// One call queued today, as far as the figures need it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct CallDay {
    queued_at: Millis,
    answered_at: Option<Millis>,
    /// The caller hung up before any answer, at.
    abandoned_at: Option<Millis>,
    ended: bool,
    connected_since: Option<Millis>,
    held_since: Option<Millis>,
    /// With an agent (or a number) so far, hold included.
    handle: Millis,
    hold: Millis,
}

impl CallDay {
    fn hold(&mut self, at: Millis, held: bool) {
        match (held, self.held_since) {
            (true, None) if self.connected_since.is_some() => self.held_since = Some(at),
            (false, Some(since)) => {
                self.hold += at - since;
                self.held_since = None;
            }
            _ => {}
        }
    }

    fn disconnect(&mut self, at: Millis) {
        self.hold(at, false);
        if let Some(since) = self.connected_since.take() {
            self.handle += at - since;
        }
    }
}

/// One agent's day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentDay {
    /// Calls they answered (offers and consults) today.
    pub handled: u32,
    /// Offers that rang out, were declined or could not reach them today.
    pub missed: u32,
    wrap_since: Option<Millis>,
    wrap: Millis,
    wraps: u32,
}

/// Today's facts, folded one event at a time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Day {
    /// When today began (midnight in the configured time zone).
    pub start: Millis,
    calls: HashMap<CallSid, CallDay>,
    agents: HashMap<AgentId, AgentDay>,
    /// The supervisors' actions on agents today, the latest [`ACTIONS_KEPT`], oldest first.
    actions: std::collections::VecDeque<(Millis, String)>,
    /// Callers who rang while we were closed.
    closed: u32,
}

/// The supervisors' actions the floor lists.
pub const ACTIONS_KEPT: usize = 20;

impl Day {
    pub fn new(start: Millis) -> Self {
        Day { start, ..Day::default() }
    }

    /// Folds in one decided event that happened `at`. Events of yesterday are ignored, and so
    /// is anything about a call that did not queue today.
    pub fn record(&mut self, at: Millis, event: &Event) {
        if at < self.start {
            return;
        }
        match event {
            Event::Call(CallEvent::Answered { agent, .. })
            | Event::Transfer(TransferEvent::TargetAnswered { to: super::party::Party::Agent(agent), .. }) => {
                self.agents.entry(agent.clone()).or_default().handled += 1;
            }
            Event::Call(CallEvent::OfferMissed { agent, .. }) => self.agents.entry(agent.clone()).or_default().missed += 1,
            Event::Call(CallEvent::TurnedAway { .. }) => self.closed += 1,
            Event::Agent(AgentEvent::Supervised { .. }) => {
                if self.actions.len() == ACTIONS_KEPT {
                    self.actions.pop_front();
                }
                self.actions.push_back((at, event.describe()));
            }
            Event::Agent(AgentEvent::PresenceChanged { agent, presence, .. }) => {
                let a = self.agents.entry(agent.clone()).or_default();
                if let Some(since) = a.wrap_since.take() {
                    a.wrap += at - since;
                    a.wraps += 1;
                }
                if matches!(presence, Presence::WrapUp { .. }) {
                    a.wrap_since = Some(at);
                }
            }
            _ => {}
        }
        let Some(call) = event.call() else { return };
        if let Event::Call(CallEvent::Queued { .. }) = event {
            self.calls.entry(call.clone()).or_insert(CallDay { queued_at: at, ..CallDay::default() });
            return;
        }
        let Some(c) = self.calls.get_mut(call) else { return };
        match event {
            Event::Call(CallEvent::Answered { .. }) | Event::Call(CallEvent::OutsideAnswered { .. }) => {
                if c.answered_at.is_none() && matches!(event, Event::Call(CallEvent::Answered { .. })) {
                    c.answered_at = Some(at);
                }
                if c.connected_since.is_none() {
                    c.connected_since = Some(at);
                }
            }
            Event::Call(CallEvent::CustomerHeld { hold, .. }) => c.hold(at, *hold),
            Event::Transfer(TransferEvent::ConsultStarted { .. }) => c.hold(at, true),
            Event::Transfer(TransferEvent::Swapped { with, .. }) => c.hold(at, *with == Side::Target),
            Event::Transfer(TransferEvent::ConsultCancelled { .. })
            | Event::Transfer(TransferEvent::TargetMissed { .. })
            | Event::Transfer(TransferEvent::TargetLeft { .. })
            | Event::Transfer(TransferEvent::ThreeWayStarted { .. })
            | Event::Transfer(TransferEvent::TransferCompleted { .. }) => c.hold(at, false),
            // A blind transfer: the customer waits again, for a person or in the queue.
            Event::Transfer(TransferEvent::Transferred { .. }) => c.disconnect(at),
            Event::Call(CallEvent::Ended { abandoned, .. }) => {
                c.disconnect(at);
                c.ended = true;
                if *abandoned {
                    c.abandoned_at = Some(at);
                }
            }
            _ => {}
        }
    }

    /// The supervisors' latest actions on agents today, newest first.
    pub fn actions(&self) -> impl Iterator<Item = &(Millis, String)> {
        self.actions.iter().rev()
    }

    /// Calls answered and offers missed today by `agent`.
    pub fn agent(&self, agent: &AgentId) -> (u32, u32) {
        self.agents.get(agent).map(|a| (a.handled, a.missed)).unwrap_or((0, 0))
    }

    pub fn figures(&self, now: Millis, th: &Thresholds) -> Figures {
        let mut f = Figures { formula: th.formula(), closed: self.closed, ..Figures::default() };
        let (mut waited, mut talk, mut hold) = (0, 0, 0);
        for c in self.calls.values() {
            f.offered += 1;
            let wait_end = c.answered_at.or(c.abandoned_at).unwrap_or(if c.ended { c.queued_at } else { now });
            f.longest_wait = f.longest_wait.max(wait_end - c.queued_at);
            if let Some(answered) = c.answered_at {
                f.answered += 1;
                waited += answered - c.queued_at;
                if answered - c.queued_at <= th.answer_within {
                    f.answered_in_time += 1;
                }
                if c.ended {
                    f.handled += 1;
                    talk += c.handle - c.hold;
                    hold += c.hold;
                }
            } else if let Some(left) = c.abandoned_at {
                if left - c.queued_at > th.short_abandon {
                    f.abandoned += 1;
                } else {
                    f.short_abandoned += 1;
                }
            }
        }
        let counted = f.answered + f.abandoned;
        f.service_level = (counted > 0).then(|| (f.answered_in_time * 1000 + counted / 2) / counted);
        f.asa = (f.answered > 0).then(|| waited / Millis::from(f.answered));
        if f.handled > 0 {
            let n = Millis::from(f.handled);
            f.talk = Some(talk / n);
            f.hold = Some(hold / n);
            let wrap: Millis = self.agents.values().map(|a| a.wrap).sum();
            f.wrap_up = Some(wrap / n);
        }
        f
    }
}
