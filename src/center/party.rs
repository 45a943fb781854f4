//! Who can be on a call: the customer, an agent's browser, a phone number outside; and the part
//! each plays in it.

use serde::{Deserialize, Deserializer, Serialize};

use crate::ids::{deserialize_word, AgentId, IdError, E164};

/// Who a leg rings: an agent's browser, or a phone number outside (a transfer's target).
/// Written as one string (the agent's identity, or the `+` number), which is also how it appears
/// in the URLs Twilio calls back on: an identity never starts with `+`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Party {
    Agent(AgentId),
    Phone(E164),
}

impl Party {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        if s.trim_start().starts_with('+') {
            E164::parse(s).map(Party::Phone)
        } else {
            AgentId::parse(s).map(Party::Agent)
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Party::Agent(a) => a.as_str(),
            Party::Phone(n) => n.as_str(),
        }
    }

    pub fn agent(&self) -> Option<&AgentId> {
        match self {
            Party::Agent(a) => Some(a),
            Party::Phone(_) => None,
        }
    }
}

impl std::fmt::Display for Party {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Party {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Party::parse(&s)
    }
}

impl From<Party> for String {
    fn from(p: Party) -> String {
        p.as_str().to_string()
    }
}

impl From<AgentId> for Party {
    fn from(a: AgentId) -> Self {
        Party::Agent(a)
    }
}

/// A participant of a call's conference, as the center addresses it (Twilio: the customer's
/// `CallSid`, or the participant label: the agent's identity or the dialled number).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "who", content = "id", rename_all = "kebab-case")]
pub enum Who {
    Customer,
    Party(Party),
}

impl Who {
    /// The agent this participant is, if an agent.
    pub fn agent(&self) -> Option<&AgentId> {
        match self {
            Who::Party(p) => p.agent(),
            Who::Customer => None,
        }
    }
}

/// The part a participant plays in a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Who called.
    Customer,
    /// Whoever the call is with, or is ringing for: the agent who has it (or is offered it), or
    /// the number it was handed to.
    Owner,
    /// The target of a consult in progress (an agent or a number).
    Target,
    /// Someone listening in (a supervisor): on the call, never its owner.
    Monitor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Owner => "owner",
            Role::Target => "target",
            Role::Monitor => "monitor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Role::Customer, Role::Owner, Role::Target, Role::Monitor].into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the center puts this part of a call on hold: the customer (held for a consult,
    /// a transfer, by the owner) and a consult's target (after a swap). Asking Twilio again for
    /// every hold ("Retry") takes these off hold when they should not be held.
    pub fn holdable(self) -> bool {
        matches!(self, Role::Customer | Role::Target)
    }
}

/// How a supervisor is on a call they monitor. Switching mode changes the same participant in
/// the conference (one request), never a new leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MonitorMode {
    /// Hears everyone, heard by no one (muted, joined without a beep).
    Listen,
    /// Heard by the agent who has the call only (Twilio's coaching).
    Whisper,
    /// Heard by everyone.
    Barge,
}

impl MonitorMode {
    pub const ALL: [MonitorMode; 3] = [MonitorMode::Listen, MonitorMode::Whisper, MonitorMode::Barge];

    pub fn as_str(self) -> &'static str {
        match self {
            MonitorMode::Listen => "listen",
            MonitorMode::Whisper => "whisper",
            MonitorMode::Barge => "barge",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }

    /// Twilio's `Muted` for the supervisor's participant: only a listener is muted.
    pub fn muted(self) -> bool {
        self == MonitorMode::Listen
    }

    /// Twilio's `Coaching`.
    pub fn coaching(self) -> bool {
        self == MonitorMode::Whisper
    }
}

/// Read with its own parser (`/api/monitor`'s `mode`, and the stored events alike).
impl<'de> Deserialize<'de> for MonitorMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_word(d, MonitorMode::parse, |_| "mode must be listen, whisper or barge".into())
    }
}
