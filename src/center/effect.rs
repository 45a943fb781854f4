//! What must happen in the world because of a decision: the requests Twilio is asked to carry
//! out, written to the outbox in the decision's transaction and performed from there.

use serde::{Deserialize, Serialize};

use super::call::{LegNo, Music};
use super::party::{MonitorMode, Party, Who};
use crate::ids::{AgentId, CallSid};

/// One change to a call's conference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "move", rename_all = "kebab-case")]
pub enum Move {
    Hold { who: Who, music: Music },
    Unhold { who: Who },
    Remove { who: Who },
}

/// Something the world must do; written to the outbox in the decision's transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "kebab-case")]
pub enum Effect {
    /// Ring `party` (an agent's browser or a number); on answer it joins the call's conference.
    Dial {
        call: CallSid,
        #[serde(alias = "agent")]
        party: Party,
        leg: LegNo,
    },
    /// Stop ringing that leg (or never place it, if the dial has not gone out yet).
    CancelLeg {
        call: CallSid,
        #[serde(alias = "agent")]
        party: Party,
        leg: LegNo,
    },
    /// Hang up the customer (their leg `sid` when it is not the call itself: a callback's), or,
    /// after a callback's attempt failed, the agent's leg `sid` left alone in the conference.
    HangUpCaller {
        call: CallSid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sid: Option<CallSid>,
    },
    /// Move the waiting caller out of their conference to the callback menu (a REST update of
    /// their call); the menu brings them back, in their place, unless they ask for a callback.
    OfferCallback { call: CallSid },
    /// Change the call's conference, in this order: holds and removals first, then unholds,
    /// so no one hears what they should not. Flags (`endConferenceOnExit`) are never changed
    /// after joining: Twilio ignores such a change on a held participant, so every participant
    /// joins with the flag it keeps (see `calls::flow`).
    Arrange { call: CallSid, moves: Vec<Move> },
    /// Ring a supervisor's phone into the call's conference as a listener: muted, without a
    /// beep (Twilio beeps by default), never ending the conference by leaving, labelled with
    /// their identity (so a later change or removal addresses them by name).
    AddMonitor { call: CallSid, supervisor: AgentId, leg: LegNo },
    /// Change how the supervisor is on the call: muted or not, coaching the agent on leg
    /// `coach` (Twilio's `CallSidToCoach`) or not. One request on the same participant.
    UpdateMonitor { call: CallSid, supervisor: AgentId, mode: MonitorMode, coach: Option<CallSid> },
}

/// The kinds of effect, as the outbox files them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EffectKind {
    Dial,
    CancelLeg,
    HangUpCaller,
    Arrange,
    AddMonitor,
    UpdateMonitor,
    OfferCallback,
}

impl EffectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EffectKind::Dial => "dial",
            EffectKind::CancelLeg => "cancel-leg",
            EffectKind::HangUpCaller => "hang-up-caller",
            EffectKind::Arrange => "arrange",
            EffectKind::AddMonitor => "add-monitor",
            EffectKind::UpdateMonitor => "update-monitor",
            EffectKind::OfferCallback => "offer-callback",
        }
    }
}

impl Effect {
    pub fn call(&self) -> &CallSid {
        match self {
            Effect::Dial { call, .. }
            | Effect::CancelLeg { call, .. }
            | Effect::HangUpCaller { call, .. }
            | Effect::OfferCallback { call }
            | Effect::Arrange { call, .. }
            | Effect::AddMonitor { call, .. }
            | Effect::UpdateMonitor { call, .. } => call,
        }
    }

    pub fn kind(&self) -> EffectKind {
        match self {
            Effect::Dial { .. } => EffectKind::Dial,
            Effect::CancelLeg { .. } => EffectKind::CancelLeg,
            Effect::HangUpCaller { .. } => EffectKind::HangUpCaller,
            Effect::Arrange { .. } => EffectKind::Arrange,
            Effect::AddMonitor { .. } => EffectKind::AddMonitor,
            Effect::UpdateMonitor { .. } => EffectKind::UpdateMonitor,
            Effect::OfferCallback { .. } => EffectKind::OfferCallback,
        }
    }

    /// The leg a dial, a supervisor's leg or a cancel is about (stored beside the effect, to
    /// find a leg's dial).
    pub fn leg(&self) -> Option<(Party, LegNo)> {
        match self {
            Effect::Dial { party, leg, .. } | Effect::CancelLeg { party, leg, .. } => Some((party.clone(), *leg)),
            Effect::AddMonitor { supervisor, leg, .. } => Some((Party::Agent(supervisor.clone()), *leg)),
            Effect::HangUpCaller { .. } | Effect::Arrange { .. } | Effect::UpdateMonitor { .. } | Effect::OfferCallback { .. } => None,
        }
    }
}
