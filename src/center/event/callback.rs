//! A callback: offered in the menu, requested, dialled, answered or missed.

use serde::{Deserialize, Serialize};

use super::format::phone_words;
use crate::center::call::{LegNo, LegOutcome};
use crate::center::rules::Millis;
use crate::ids::{AgentId, CallSid, E164};

/// A callback: offered in the menu, requested, dialled, answered or missed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum CallbackEvent {
    /// The waiting caller is offered a callback: they are in the menu (out of their
    /// conference, keeping their place) until `until` at the latest.
    CallbackOffered {
        call: CallSid,
        until: Millis,
        /// Offered because nobody is signed in to take calls (at the start of the call).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        nobody: bool,
    },
    /// The caller chose to keep waiting: back in their conference, in their place.
    BackInQueue { call: CallSid },
    /// The caller asked to be called back on `number` and hung up: the request keeps their place.
    CallbackRequested { call: CallSid, number: E164 },
    /// The agent who took the callback is on the line: attempt `attempt` calls the caller on leg `leg`.
    CallbackDialled { call: CallSid, number: E164, attempt: u32, leg: LegNo },
    /// The caller answered the callback: they talk with the agent.
    CallbackAnswered {
        call: CallSid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sid: Option<CallSid>,
    },
    /// Attempt `attempt` did not reach the caller: the agent is free, and the request waits in
    /// its place until `retry_at` (none: no attempt is left; the callback ends).
    CallbackMissed {
        call: CallSid,
        attempt: u32,
        outcome: LegOutcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_at: Option<Millis>,
    },
}

impl CallbackEvent {
    /// The call this event belongs to, for the per-call timeline.
    pub fn call(&self) -> &CallSid {
        match self {
            CallbackEvent::CallbackOffered { call, .. }
            | CallbackEvent::BackInQueue { call }
            | CallbackEvent::CallbackRequested { call, .. }
            | CallbackEvent::CallbackDialled { call, .. }
            | CallbackEvent::CallbackAnswered { call, .. }
            | CallbackEvent::CallbackMissed { call, .. } => call,
        }
    }

    /// The agent this event names first, if any (the timeline row's agent).
    pub fn agent(&self) -> Option<&AgentId> {
        match self {
            CallbackEvent::CallbackOffered { .. }
            | CallbackEvent::BackInQueue { .. }
            | CallbackEvent::CallbackRequested { .. }
            | CallbackEvent::CallbackDialled { .. }
            | CallbackEvent::CallbackAnswered { .. }
            | CallbackEvent::CallbackMissed { .. } => None,
        }
    }

    /// The event's name, as its JSON tags it (the timeline's `kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            CallbackEvent::CallbackOffered { .. } => "callback-offered",
            CallbackEvent::BackInQueue { .. } => "back-in-queue",
            CallbackEvent::CallbackRequested { .. } => "callback-requested",
            CallbackEvent::CallbackDialled { .. } => "callback-dialled",
            CallbackEvent::CallbackAnswered { .. } => "callback-answered",
            CallbackEvent::CallbackMissed { .. } => "callback-missed",
        }
    }

    /// One line for the timeline, as a person reads it.
    pub fn describe(&self) -> String {
        match self {
            CallbackEvent::CallbackOffered { nobody: true, .. } => {
                "nobody signed in: offered a callback or a message (the caller keeps their place)".into()
            }
            CallbackEvent::CallbackOffered { .. } => "offered a callback (the caller keeps their place)".into(),
            CallbackEvent::BackInQueue { .. } => "chose to keep waiting".into(),
            CallbackEvent::CallbackRequested { number, .. } => {
                format!("callback requested to {number}; the request keeps the caller's place")
            }
            CallbackEvent::CallbackDialled { number, attempt, .. } => {
                format!("callback attempt {attempt}: calling {number}")
            }
            CallbackEvent::CallbackAnswered { .. } => "the caller answered the callback".into(),
            CallbackEvent::CallbackMissed { attempt, outcome, retry_at: Some(_), .. } => {
                format!("callback attempt {attempt}: {}; trying again later, in the caller's place", phone_words(*outcome))
            }
            CallbackEvent::CallbackMissed { attempt, outcome, retry_at: None, .. } => {
                format!("callback attempt {attempt}: {}; no attempt left", phone_words(*outcome))
            }
        }
    }
}
