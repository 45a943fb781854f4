//! A transfer: a consult (warm) and its target, a swap, a three-way, the handover, a blind transfer.

use serde::{Deserialize, Serialize};

use super::format::party_words;
use crate::center::call::{LegNo, LegOutcome, Side};
use crate::center::command::Target;
use crate::center::party::Party;
use crate::ids::{AgentId, CallSid};

/// A transfer: a consult (warm) and its target, a swap, a three-way, the handover, a blind transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum TransferEvent {
    /// The owner started a consult: the customer is held, `to` rings on leg `leg`.
    ConsultStarted {
        call: CallSid,
        by: AgentId,
        to: Party,
        leg: LegNo,
        note: String,
    },
    /// The consult's target answered: the two agents talk, the customer still on hold.
    TargetAnswered {
        call: CallSid,
        to: Party,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sid: Option<CallSid>,
    },
    /// The consult's target did not answer, was busy, declined, or could not be rung: the
    /// customer is back with the owner.
    TargetMissed {
        call: CallSid,
        to: Party,
        outcome: LegOutcome,
    },
    /// The target hung up during the consult or the three-way call.
    TargetLeft {
        call: CallSid,
        to: Party,
    },
    Swapped {
        call: CallSid,
        with: Side,
    },
    ThreeWayStarted {
        call: CallSid,
    },
    /// The owner dropped the target: the customer is back with them.
    ConsultCancelled {
        call: CallSid,
        by: AgentId,
    },
    /// The owner left (completed, left the three-way call, or hung up): the target has the
    /// customer, or, still ringing, the customer waits for them.
    TransferCompleted {
        call: CallSid,
        by: AgentId,
        to: Party,
    },
    /// A blind transfer: the owner is free, the call rings `to` (on leg `leg`) or waits in the
    /// queue.
    Transferred {
        call: CallSid,
        by: AgentId,
        to: Target,
        leg: Option<LegNo>,
    },
}

impl TransferEvent {
    /// The call this event belongs to, for the per-call timeline.
    pub fn call(&self) -> &CallSid {
        match self {
            TransferEvent::ConsultStarted { call, .. }
            | TransferEvent::TargetAnswered { call, .. }
            | TransferEvent::TargetMissed { call, .. }
            | TransferEvent::TargetLeft { call, .. }
            | TransferEvent::Swapped { call, .. }
            | TransferEvent::ThreeWayStarted { call }
            | TransferEvent::ConsultCancelled { call, .. }
            | TransferEvent::TransferCompleted { call, .. }
            | TransferEvent::Transferred { call, .. } => call,
        }
    }

    /// The agent this event names first, if any (the timeline row's agent).
    pub fn agent(&self) -> Option<&AgentId> {
        match self {
            TransferEvent::ConsultStarted { by, .. }
            | TransferEvent::ConsultCancelled { by, .. }
            | TransferEvent::TransferCompleted { by, .. }
            | TransferEvent::Transferred { by, .. } => Some(by),
            TransferEvent::TargetAnswered { to, .. } | TransferEvent::TargetMissed { to, .. } | TransferEvent::TargetLeft { to, .. } => {
                to.agent()
            }
            TransferEvent::Swapped { .. } | TransferEvent::ThreeWayStarted { .. } => None,
        }
    }

    /// The event's name, as its JSON tags it (the timeline's `kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            TransferEvent::ConsultStarted { .. } => "consult-started",
            TransferEvent::TargetAnswered { .. } => "target-answered",
            TransferEvent::TargetMissed { .. } => "target-missed",
            TransferEvent::TargetLeft { .. } => "target-left",
            TransferEvent::Swapped { .. } => "swapped",
            TransferEvent::ThreeWayStarted { .. } => "three-way-started",
            TransferEvent::ConsultCancelled { .. } => "consult-cancelled",
            TransferEvent::TransferCompleted { .. } => "transfer-completed",
            TransferEvent::Transferred { .. } => "transferred",
        }
    }

    /// One line for the timeline, as a person reads it.
    pub fn describe(&self) -> String {
        match self {
            TransferEvent::ConsultStarted { by, to, note, .. } if note.is_empty() => {
                format!("{by} consults {to}; customer on hold")
            }
            TransferEvent::ConsultStarted { by, to, note, .. } => {
                format!("{by} consults {to} (note: {note}); customer on hold")
            }
            TransferEvent::TargetAnswered { to, .. } => format!("{to} answered the consult"),
            TransferEvent::TargetMissed { to, outcome, .. } => {
                format!("consult to {to} failed: {}; customer back with the agent", party_words(to, *outcome))
            }
            TransferEvent::TargetLeft { to, .. } => format!("{to} hung up; customer back with the agent"),
            TransferEvent::Swapped { with: Side::Customer, .. } => "swapped: talking with the customer, target on hold".into(),
            TransferEvent::Swapped { with: Side::Target, .. } => "swapped: talking with the target, customer on hold".into(),
            TransferEvent::ThreeWayStarted { .. } => "three-way call".into(),
            TransferEvent::ConsultCancelled { by, .. } => format!("{by} cancelled the transfer; customer back with {by}"),
            TransferEvent::TransferCompleted { by, to, .. } => format!("transfer completed: {to} has the call, {by} left"),
            TransferEvent::Transferred { by, to, .. } => format!("{by} transferred the call to {to}"),
        }
    }
}
