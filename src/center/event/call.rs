//! A caller's call: queued (or turned away), offered, answered, held, ended, and its conference.

use serde::{Deserialize, Serialize};

use super::format::{is_zero, party_words};
use crate::center::call::{EndReason, LegNo, LegOutcome};
use crate::center::party::Party;
use crate::center::rules::Millis;
use crate::ids::{AgentId, CallSid, ConferenceSid, PhoneNumber, QueueName, E164};

/// A caller's call: queued (or turned away), offered, answered, held, ended, and its conference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum CallEvent {
    Queued {
        call: CallSid,
        #[serde(default)]
        from: Option<PhoneNumber>,
        /// The queue the caller chose in the menu (none: the one queue there is), and its priority.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        queue: Option<QueueName>,
        #[serde(default, skip_serializing_if = "is_zero")]
        priority: i32,
        /// When the caller rang, when that was before the decision (kept aside while the database
        /// was away): their place in the queue is from then.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<Millis>,
    },
    /// The caller rang while we were closed (`reason`, as the opening hours say it): told so and
    /// when we open, not queued.
    TurnedAway {
        call: CallSid,
        #[serde(default)]
        from: Option<PhoneNumber>,
        reason: String,
    },
    Offered {
        call: CallSid,
        agent: AgentId,
        leg: LegNo,
    },
    /// The offer was not answered; the call goes back to the head of the queue.
    OfferMissed {
        call: CallSid,
        agent: AgentId,
        outcome: LegOutcome,
    },
    /// The agent's ringing (an offer, or a consult) stopped because the caller left.
    OfferWithdrawn {
        call: CallSid,
        agent: AgentId,
    },
    Answered {
        call: CallSid,
        agent: AgentId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sid: Option<CallSid>,
    },
    /// A number outside took the call.
    OutsideAnswered {
        call: CallSid,
        number: E164,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sid: Option<CallSid>,
    },
    /// A number outside the call was sent to did not take it: back to the head of the queue.
    OutsideMissed {
        call: CallSid,
        number: E164,
        outcome: LegOutcome,
    },
    Left {
        call: CallSid,
        agent: AgentId,
    },
    Ended {
        call: CallSid,
        reason: EndReason,
        /// An abandon: the caller hung up before any agent answered (the one definition, which
        /// the metrics and the floor's figures both count).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        abandoned: bool,
    },
    ConferenceKnown {
        call: CallSid,
        conference: ConferenceSid,
    },
    /// A change to the conference failed for good: the owner is told and may retry.
    ArrangeFailed {
        call: CallSid,
        reason: String,
    },
    /// The owner asked again for the holds the call should have.
    Rearranged {
        call: CallSid,
        by: AgentId,
    },
    /// The owner put the customer on hold (`hold`) or took them off it.
    CustomerHeld {
        call: CallSid,
        by: AgentId,
        hold: bool,
    },
    /// An agent on the call muted or unmuted their microphone (not a timeline row).
    Muted {
        call: CallSid,
        agent: AgentId,
        muted: bool,
    },
}

impl CallEvent {
    /// The call this event belongs to, for the per-call timeline.
    pub fn call(&self) -> &CallSid {
        match self {
            CallEvent::Queued { call, .. }
            | CallEvent::TurnedAway { call, .. }
            | CallEvent::Offered { call, .. }
            | CallEvent::OfferMissed { call, .. }
            | CallEvent::OfferWithdrawn { call, .. }
            | CallEvent::Answered { call, .. }
            | CallEvent::OutsideAnswered { call, .. }
            | CallEvent::OutsideMissed { call, .. }
            | CallEvent::Left { call, .. }
            | CallEvent::Ended { call, .. }
            | CallEvent::ConferenceKnown { call, .. }
            | CallEvent::ArrangeFailed { call, .. }
            | CallEvent::Rearranged { call, .. }
            | CallEvent::CustomerHeld { call, .. }
            | CallEvent::Muted { call, .. } => call,
        }
    }

    /// The agent this event names first, if any (the timeline row's agent).
    pub fn agent(&self) -> Option<&AgentId> {
        match self {
            CallEvent::Offered { agent, .. }
            | CallEvent::OfferMissed { agent, .. }
            | CallEvent::OfferWithdrawn { agent, .. }
            | CallEvent::Answered { agent, .. }
            | CallEvent::Muted { agent, .. }
            | CallEvent::Left { agent, .. } => Some(agent),
            CallEvent::Rearranged { by, .. } | CallEvent::CustomerHeld { by, .. } => Some(by),
            CallEvent::Queued { .. }
            | CallEvent::TurnedAway { .. }
            | CallEvent::OutsideAnswered { .. }
            | CallEvent::OutsideMissed { .. }
            | CallEvent::Ended { .. }
            | CallEvent::ConferenceKnown { .. }
            | CallEvent::ArrangeFailed { .. } => None,
        }
    }

    /// The event's name, as its JSON tags it (the timeline's `kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            CallEvent::Queued { .. } => "queued",
            CallEvent::TurnedAway { .. } => "closed",
            CallEvent::Offered { .. } => "offered",
            CallEvent::OfferMissed { .. } => "offer-missed",
            CallEvent::OfferWithdrawn { .. } => "offer-withdrawn",
            CallEvent::Answered { .. } => "answered",
            CallEvent::OutsideAnswered { .. } => "outside-answered",
            CallEvent::OutsideMissed { .. } => "outside-missed",
            CallEvent::Left { .. } => "left",
            CallEvent::Ended { .. } => "ended",
            CallEvent::ConferenceKnown { .. } => "conference-known",
            CallEvent::ArrangeFailed { .. } => "arrange-failed",
            CallEvent::Rearranged { .. } => "rearranged",
            CallEvent::CustomerHeld { .. } => "customer-held",
            CallEvent::Muted { .. } => "muted",
        }
    }

    /// One line for the timeline, as a person reads it.
    pub fn describe(&self) -> String {
        match self {
            CallEvent::Queued { from, queue: None, .. } => {
                format!("queued (caller {})", from.as_ref().map(|f| f.as_str()).unwrap_or("unknown"))
            }
            CallEvent::Queued { from, queue: Some(q), .. } => {
                format!("queued for {q} (caller {})", from.as_ref().map(|f| f.as_str()).unwrap_or("unknown"))
            }
            CallEvent::TurnedAway { from, reason, .. } => {
                format!("closed ({reason}): caller {} told when we open", from.as_ref().map(|f| f.as_str()).unwrap_or("unknown"))
            }
            CallEvent::Offered { agent, .. } => format!("offered to {agent}"),
            CallEvent::OfferMissed { agent, outcome, .. } => {
                format!("{agent}: {}", party_words(&Party::Agent(agent.clone()), *outcome))
            }
            CallEvent::OfferWithdrawn { agent, .. } => format!("{agent} stopped ringing: the caller left"),
            CallEvent::Answered { agent, .. } => format!("answered by {agent}"),
            CallEvent::OutsideAnswered { number, .. } => format!("{number} answered"),
            CallEvent::OutsideMissed { number, outcome, .. } => {
                format!("{number}: {}; back to the head of the queue", party_words(&Party::Phone(number.clone()), *outcome))
            }
            CallEvent::Left { agent, .. } => format!("{agent} hung up"),
            CallEvent::Ended { reason: EndReason::CallerHungUp, .. } => "customer hung up".into(),
            CallEvent::Ended { reason: EndReason::VoicemailHandled, .. } => "voicemail done".into(),
            CallEvent::Ended { reason: EndReason::CallbackGaveUp, .. } => "callback failed: the caller could not be reached".into(),
            CallEvent::Ended { reason: EndReason::ToVoicemail, .. } => "chose to leave a message".into(),
            CallEvent::Ended { reason: EndReason::AgentHungUp, .. } => "call ended by the agent".into(),
            CallEvent::Ended { reason: EndReason::OutsideHungUp, .. } => "call ended by the number it was transferred to".into(),
            CallEvent::ConferenceKnown { conference, .. } => format!("conference {conference}"),
            CallEvent::ArrangeFailed { reason, .. } => format!("Twilio would not change the call: {reason}"),
            CallEvent::Rearranged { by, .. } => format!("{by} asked Twilio again"),
            CallEvent::CustomerHeld { by, hold: true, .. } => format!("{by} put the customer on hold"),
            CallEvent::CustomerHeld { by, hold: false, .. } => format!("{by} took the customer off hold"),
            CallEvent::Muted { agent, muted: true, .. } => format!("{agent} muted"),
            CallEvent::Muted { agent, muted: false, .. } => format!("{agent} unmuted"),
        }
    }
}
