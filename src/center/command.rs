//! What can be asked of the center (commands), what it decided (events, the timeline's rows)
//! and what must happen in the world because of it (effects, performed from the outbox).

use serde::{Deserialize, Serialize};

use super::model::{EndReason, LegNo, LegOutcome, Millis, Music, Party, Presence, Side, Who};
use crate::ids::{AgentId, CallSid, E164};

/// The presence an agent (or a script) may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Wanted {
    Available,
    Away,
    /// The agent's phone is gone (the browser's device unregistered or failed): no call can
    /// ring there, so none is offered until it registers again.
    Offline,
}

impl Wanted {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "available" => Some(Wanted::Available),
            "away" => Some(Wanted::Away),
            "offline" => Some(Wanted::Offline),
            _ => None,
        }
    }
}

/// Where a transfer sends the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "to", rename_all = "kebab-case")]
pub enum Target {
    Agent(AgentId),
    Phone(E164),
    /// Back to the queue, ahead of everyone waiting.
    Queue,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Agent(a) => f.write_str(a.as_str()),
            Target::Phone(n) => f.write_str(n.as_str()),
            Target::Queue => f.write_str("the queue"),
        }
    }
}

/// What the agent on a call can ask of a transfer (the console's buttons).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum TransferAction {
    /// Warm: the customer is held, the target rings, and the agents talk first.
    Consult { to: Target, note: String },
    /// Cold: the customer is told to hold, the agent is free at once, the target rings.
    Blind { to: Target },
    /// The customer talks with the target; the first agent leaves.
    Complete,
    /// The target is dropped; the customer is back with the first agent.
    Cancel,
    /// All three talk.
    ThreeWay,
    /// Talk with the other side (the one talking now is held).
    Swap,
    /// Leave a three-way call (the target keeps the customer).
    Leave,
    /// Ask Twilio again for the holds the call should have (after a change failed for good).
    Retry,
}

impl TransferAction {
    pub fn name(&self) -> &'static str {
        match self {
            TransferAction::Consult { .. } => "consult",
            TransferAction::Blind { .. } => "transfer",
            TransferAction::Complete => "complete",
            TransferAction::Cancel => "cancel",
            TransferAction::ThreeWay => "three-way",
            TransferAction::Swap => "swap",
            TransferAction::Leave => "leave",
            TransferAction::Retry => "retry",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A customer called the support number.
    CallArrived { call: CallSid, from: String },
    /// Leg `leg` of `call`, ringing `party`, was answered (Twilio fetched the join document).
    LegAnswered { call: CallSid, party: Party, leg: LegNo },
    /// Leg `leg` of `call` to `party` is over (Twilio's final call status, or the dial failed).
    LegEnded { call: CallSid, party: Party, leg: LegNo, outcome: LegOutcome },
    /// The customer left (their conference ended, or they left it).
    CallerLeft { call: CallSid },
    /// A conference callback told the `CF…` sid of the call's conference.
    ConferenceKnown { call: CallSid, conference: String },
    /// The agent (or a script acting for them) asks to be available or away.
    SetPresence { agent: AgentId, wanted: Wanted },
    /// The agent's console is connected (sent periodically while it is).
    Heartbeat { agents: Vec<AgentId> },
    /// The agent signed out.
    SignedOut { agent: AgentId },
    /// The agent on a call asks for a transfer step.
    Transfer { agent: AgentId, action: TransferAction },
    /// The agent who has the call puts the customer on hold (with music), or takes them off.
    Hold { agent: AgentId, hold: bool },
    /// The agent's browser muted or unmuted its microphone.
    Mute { agent: AgentId, muted: bool },
    /// Twilio would not make a change to the call's conference (hold, unhold, remove), even
    /// after retries.
    ArrangeFailed { call: CallSid, reason: String },
    /// Time passed: wrap-ups end, overdue offers are given up, lapsed consoles go offline.
    Tick,
}

/// A decision, as the per-call timeline and the consoles learn of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    Queued {
        call: CallSid,
        from: String,
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
    /// The offer was withdrawn because the caller left while it rang.
    OfferWithdrawn {
        call: CallSid,
        agent: AgentId,
    },
    Answered {
        call: CallSid,
        agent: AgentId,
    },
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
    /// A number outside took the call.
    OutsideAnswered {
        call: CallSid,
        number: E164,
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
    },
    ConferenceKnown {
        call: CallSid,
        conference: String,
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
    PresenceChanged {
        agent: AgentId,
        presence: Presence,
        since: Millis,
    },
    /// The agent's console lease was renewed (not a timeline row; kept for the store).
    Seen {
        agent: AgentId,
        until: Millis,
    },
}

fn party_words(party: &Party, outcome: LegOutcome) -> &'static str {
    // Twilio reports a browser's decline as `busy`; an agent's browser is never busy otherwise
    // (routing rings no one who is on a call), so for an agent it means they declined.
    match (party, outcome) {
        (Party::Agent(_), LegOutcome::Busy) => "declined",
        (Party::Phone(_), LegOutcome::Busy) => "busy",
        _ => outcome.words(),
    }
}

impl Event {
    /// The call this event belongs to, for the per-call timeline.
    pub fn call(&self) -> Option<&CallSid> {
        match self {
            Event::Queued { call, .. }
            | Event::Offered { call, .. }
            | Event::OfferMissed { call, .. }
            | Event::OfferWithdrawn { call, .. }
            | Event::Answered { call, .. }
            | Event::ConsultStarted { call, .. }
            | Event::TargetAnswered { call, .. }
            | Event::TargetMissed { call, .. }
            | Event::TargetLeft { call, .. }
            | Event::Swapped { call, .. }
            | Event::ThreeWayStarted { call }
            | Event::ConsultCancelled { call, .. }
            | Event::TransferCompleted { call, .. }
            | Event::Transferred { call, .. }
            | Event::OutsideAnswered { call, .. }
            | Event::OutsideMissed { call, .. }
            | Event::Left { call, .. }
            | Event::Ended { call, .. }
            | Event::ConferenceKnown { call, .. }
            | Event::ArrangeFailed { call, .. }
            | Event::Rearranged { call, .. }
            | Event::CustomerHeld { call, .. }
            | Event::Muted { call, .. } => Some(call),
            Event::PresenceChanged { .. } | Event::Seen { .. } => None,
        }
    }

    /// The agent this event names first, if any (the timeline row's agent).
    pub fn agent(&self) -> Option<&AgentId> {
        match self {
            Event::Offered { agent, .. }
            | Event::OfferMissed { agent, .. }
            | Event::OfferWithdrawn { agent, .. }
            | Event::Answered { agent, .. }
            | Event::Muted { agent, .. }
            | Event::Left { agent, .. }
            | Event::PresenceChanged { agent, .. }
            | Event::Seen { agent, .. } => Some(agent),
            Event::ConsultStarted { by, .. }
            | Event::ConsultCancelled { by, .. }
            | Event::TransferCompleted { by, .. }
            | Event::Transferred { by, .. }
            | Event::Rearranged { by, .. }
            | Event::CustomerHeld { by, .. } => Some(by),
            Event::TargetAnswered { to, .. } | Event::TargetMissed { to, .. } | Event::TargetLeft { to, .. } => to.agent(),
            Event::Queued { .. }
            | Event::Swapped { .. }
            | Event::ThreeWayStarted { .. }
            | Event::OutsideAnswered { .. }
            | Event::OutsideMissed { .. }
            | Event::Ended { .. }
            | Event::ConferenceKnown { .. }
            | Event::ArrangeFailed { .. } => None,
        }
    }

    /// Not a timeline row: bookkeeping only.
    pub fn is_bookkeeping(&self) -> bool {
        matches!(self, Event::Seen { .. } | Event::ConferenceKnown { .. } | Event::Muted { .. })
    }

    /// One line for the timeline, as a person reads it.
    pub fn describe(&self) -> String {
        match self {
            Event::Queued { from, .. } => format!("queued (caller {})", if from.is_empty() { "unknown" } else { from }),
            Event::Offered { agent, .. } => format!("offered to {agent}"),
            Event::OfferMissed { agent, outcome, .. } => format!("{agent}: {}", party_words(&Party::Agent(agent.clone()), *outcome)),
            Event::OfferWithdrawn { agent, .. } => format!("{agent} stopped ringing: the caller left"),
            Event::Answered { agent, .. } => format!("answered by {agent}"),
            Event::ConsultStarted { by, to, note, .. } if note.is_empty() => format!("{by} consults {to}; customer on hold"),
            Event::ConsultStarted { by, to, note, .. } => format!("{by} consults {to} (note: {note}); customer on hold"),
            Event::TargetAnswered { to, .. } => format!("{to} answered the consult"),
            Event::TargetMissed { to, outcome, .. } => {
                format!("consult to {to} failed: {}; customer back with the agent", party_words(to, *outcome))
            }
            Event::TargetLeft { to, .. } => format!("{to} hung up; customer back with the agent"),
            Event::Swapped { with: Side::Customer, .. } => "swapped: talking with the customer, target on hold".into(),
            Event::Swapped { with: Side::Target, .. } => "swapped: talking with the target, customer on hold".into(),
            Event::ThreeWayStarted { .. } => "three-way call".into(),
            Event::ConsultCancelled { by, .. } => format!("{by} cancelled the transfer; customer back with {by}"),
            Event::TransferCompleted { by, to, .. } => format!("transfer completed: {to} has the call, {by} left"),
            Event::Transferred { by, to, .. } => format!("{by} transferred the call to {to}"),
            Event::OutsideAnswered { number, .. } => format!("{number} answered"),
            Event::OutsideMissed { number, outcome, .. } => {
                format!("{number}: {}; back to the head of the queue", party_words(&Party::Phone(number.clone()), *outcome))
            }
            Event::Left { agent, .. } => format!("{agent} hung up"),
            Event::Ended { reason: EndReason::CallerHungUp, .. } => "customer hung up".into(),
            Event::Ended { reason: EndReason::AgentHungUp, .. } => "call ended by the agent".into(),
            Event::Ended { reason: EndReason::OutsideHungUp, .. } => "call ended by the number it was transferred to".into(),
            Event::ConferenceKnown { conference, .. } => format!("conference {conference}"),
            Event::ArrangeFailed { reason, .. } => format!("Twilio would not change the call: {reason}"),
            Event::Rearranged { by, .. } => format!("{by} asked Twilio again"),
            Event::CustomerHeld { by, hold: true, .. } => format!("{by} put the customer on hold"),
            Event::CustomerHeld { by, hold: false, .. } => format!("{by} took the customer off hold"),
            Event::Muted { agent, muted: true, .. } => format!("{agent} muted"),
            Event::Muted { agent, muted: false, .. } => format!("{agent} unmuted"),
            Event::PresenceChanged { agent, presence, .. } => format!("{agent} is {}", presence.word()),
            Event::Seen { agent, .. } => format!("{agent} is connected"),
        }
    }
}

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
    /// Hang up the customer: nobody is left to talk to them.
    HangUpCaller { call: CallSid },
    /// Change the call's conference, in this order: holds and removals first, then unholds,
    /// so no one hears what they should not. Flags (`endConferenceOnExit`) are never changed
    /// after joining: Twilio ignores such a change on a held participant, so every participant
    /// joins with the flag it keeps (see `calls::flow`).
    Arrange { call: CallSid, moves: Vec<Move> },
}

impl Effect {
    pub fn call(&self) -> &CallSid {
        match self {
            Effect::Dial { call, .. } | Effect::CancelLeg { call, .. } | Effect::HangUpCaller { call } | Effect::Arrange { call, .. } => {
                call
            }
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Effect::Dial { .. } => "dial",
            Effect::CancelLeg { .. } => "cancel-leg",
            Effect::HangUpCaller { .. } => "hang-up-caller",
            Effect::Arrange { .. } => "arrange",
        }
    }

    /// The leg a dial or a cancel is about (stored beside the effect, to find a leg's dial).
    pub fn leg(&self) -> Option<(&Party, LegNo)> {
        match self {
            Effect::Dial { party, leg, .. } | Effect::CancelLeg { party, leg, .. } => Some((party, *leg)),
            Effect::HangUpCaller { .. } | Effect::Arrange { .. } => None,
        }
    }
}

/// Why a command was refused. The state is unchanged; the text is for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("unknown agent '{0}'")]
    UnknownAgent(AgentId),
    #[error("unknown or finished call '{0}'")]
    UnknownCall(CallSid),
    #[error("{0}")]
    NotNow(String),
}

/// What one command decided.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    pub events: Vec<Event>,
    pub effects: Vec<Effect>,
}
