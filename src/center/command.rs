//! What can be asked of the center (commands), what it decided (events, the timeline's rows)
//! and what must happen in the world because of it (effects, performed from the outbox).

use serde::{Deserialize, Serialize};

use super::model::{EndReason, LegNo, LegOutcome, Millis, Presence};
use crate::ids::{AgentId, CallSid};

/// The presence an agent (or a script) may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Wanted {
    Available,
    Away,
}

impl Wanted {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "available" => Some(Wanted::Available),
            "away" => Some(Wanted::Away),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A customer called the support number.
    CallArrived { call: CallSid, from: String },
    /// An agent's browser answered leg `leg` of `call` (Twilio fetched the join document).
    AgentAnswered { call: CallSid, agent: AgentId, leg: LegNo },
    /// Leg `leg` of `call` to `agent` is over (Twilio's final call status, or the dial failed).
    LegEnded { call: CallSid, agent: AgentId, leg: LegNo, outcome: LegOutcome },
    /// The customer left (their conference ended, or they left it).
    CallerLeft { call: CallSid },
    /// The agent (or a script acting for them) asks to be available or away.
    SetPresence { agent: AgentId, wanted: Wanted },
    /// The agent's console is connected (sent periodically while it is).
    Heartbeat { agents: Vec<AgentId> },
    /// The agent signed out.
    SignedOut { agent: AgentId },
    /// An agent on a call brings another agent in (the tutorial's transfer).
    DialIn { from: AgentId, to: AgentId },
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
    DialledIn {
        call: CallSid,
        by: AgentId,
        agent: AgentId,
        leg: LegNo,
    },
    /// A dialled-in agent did not join.
    DialInMissed {
        call: CallSid,
        agent: AgentId,
        outcome: LegOutcome,
    },
    Joined {
        call: CallSid,
        agent: AgentId,
    },
    Left {
        call: CallSid,
        agent: AgentId,
    },
    /// The call now belongs to `agent` (the owner left and they stayed).
    OwnerChanged {
        call: CallSid,
        agent: AgentId,
    },
    Ended {
        call: CallSid,
        reason: EndReason,
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

impl Event {
    /// The call this event belongs to, for the per-call timeline.
    pub fn call(&self) -> Option<&CallSid> {
        match self {
            Event::Queued { call, .. }
            | Event::Offered { call, .. }
            | Event::OfferMissed { call, .. }
            | Event::OfferWithdrawn { call, .. }
            | Event::Answered { call, .. }
            | Event::DialledIn { call, .. }
            | Event::DialInMissed { call, .. }
            | Event::Joined { call, .. }
            | Event::Left { call, .. }
            | Event::OwnerChanged { call, .. }
            | Event::Ended { call, .. } => Some(call),
            Event::PresenceChanged { .. } | Event::Seen { .. } => None,
        }
    }

    /// The agent this event names, if any.
    pub fn agent(&self) -> Option<&AgentId> {
        match self {
            Event::Offered { agent, .. }
            | Event::OfferMissed { agent, .. }
            | Event::OfferWithdrawn { agent, .. }
            | Event::Answered { agent, .. }
            | Event::DialledIn { agent, .. }
            | Event::DialInMissed { agent, .. }
            | Event::Joined { agent, .. }
            | Event::Left { agent, .. }
            | Event::OwnerChanged { agent, .. }
            | Event::PresenceChanged { agent, .. }
            | Event::Seen { agent, .. } => Some(agent),
            Event::Queued { .. } | Event::Ended { .. } => None,
        }
    }

    /// One line for the timeline, as a person reads it.
    pub fn describe(&self) -> String {
        match self {
            Event::Queued { from, .. } => format!("queued (caller {})", if from.is_empty() { "unknown" } else { from }),
            Event::Offered { agent, .. } => format!("offered to {agent}"),
            Event::OfferMissed { agent, outcome, .. } => format!("{agent}: {}", outcome.words()),
            Event::OfferWithdrawn { agent, .. } => format!("{agent} stopped ringing: the caller left"),
            Event::Answered { agent, .. } => format!("answered by {agent}"),
            Event::DialledIn { by, agent, .. } => format!("{by} dialled {agent} in"),
            Event::DialInMissed { agent, outcome, .. } => format!("{agent} did not join: {}", outcome.words()),
            Event::Joined { agent, .. } => format!("{agent} joined"),
            Event::Left { agent, .. } => format!("{agent} hung up"),
            Event::OwnerChanged { agent, .. } => format!("{agent} now has the call"),
            Event::Ended { reason: EndReason::CallerHungUp, .. } => "customer hung up".into(),
            Event::Ended { reason: EndReason::AgentHungUp, .. } => "call ended by the agent".into(),
            Event::PresenceChanged { agent, presence, .. } => format!("{agent} is {}", presence.word()),
            Event::Seen { agent, .. } => format!("{agent} is connected"),
        }
    }
}

/// Something the world must do; written to the outbox in the decision's transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "kebab-case")]
pub enum Effect {
    /// Ring `agent`'s browser; on answer it joins the call's conference. `owner`: the agent the
    /// call is offered to (not a dialled-in helper).
    Dial { call: CallSid, agent: AgentId, leg: LegNo, owner: bool },
    /// Stop ringing that leg (or never place it, if the dial has not gone out yet).
    CancelLeg { call: CallSid, agent: AgentId, leg: LegNo },
    /// Hang up the customer: nobody is left to talk to them.
    HangUpCaller { call: CallSid },
}

impl Effect {
    pub fn call(&self) -> &CallSid {
        match self {
            Effect::Dial { call, .. } | Effect::CancelLeg { call, .. } | Effect::HangUpCaller { call } => call,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Effect::Dial { .. } => "dial",
            Effect::CancelLeg { .. } => "cancel-leg",
            Effect::HangUpCaller { .. } => "hang-up-caller",
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
