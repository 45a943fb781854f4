//! Agents: who they are (identity, display name, role) and where they are (presence).

use serde::{Deserialize, Deserializer, Serialize};

use super::rules::Millis;
use crate::ids::{deserialize_word, AgentId, CallSid, QueueName};

/// What an account may do: take calls (every account), and for a supervisor also run the floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgentRole {
    #[default]
    Agent,
    Supervisor,
}

impl AgentRole {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentRole::Agent => "agent",
            AgentRole::Supervisor => "supervisor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "agent" => Some(AgentRole::Agent),
            "supervisor" => Some(AgentRole::Supervisor),
            _ => None,
        }
    }
}

/// Read with its own parser (`/api/add_account`'s `role`, and stored accounts alike).
impl<'de> Deserialize<'de> for AgentRole {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_word(d, AgentRole::parse, |_| "role must be agent or supervisor".into())
    }
}

/// Why an agent is away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AwayReason {
    /// The agent chose it.
    Chosen,
    /// An offered call rang out, was declined, or could not reach them: they are set away so
    /// the next caller does not ring an empty desk.
    MissedCall,
    /// A supervisor set them away (the reason is on the record).
    Supervisor,
}

/// Where an agent is. Agents with a call hold its id, so "ringing for nothing" cannot be written.
/// Written as `{"state": "ringing", "call": "CA…"}`; read through [`PresenceWire`], a flat
/// struct, rather than serde's internally tagged enum, whose buffering decoder would be a large
/// part of the browser's WASM (every console reads presences).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case", try_from = "PresenceWire")]
pub enum Presence {
    Offline,
    Available,
    Away {
        reason: AwayReason,
    },
    /// Offered a call (or dialled into one): their browser rings.
    Ringing {
        call: CallSid,
    },
    OnCall {
        call: CallSid,
    },
    /// After a call, until `until` (the agent can end it early).
    WrapUp {
        until: Millis,
    },
}

/// A presence as JSON has it: the state's word and whichever field that state carries.
#[derive(Deserialize)]
pub struct PresenceWire {
    state: String,
    #[serde(default)]
    reason: Option<AwayReason>,
    #[serde(default)]
    call: Option<CallSid>,
    #[serde(default)]
    until: Option<Millis>,
}

impl TryFrom<PresenceWire> for Presence {
    type Error = String;
    fn try_from(w: PresenceWire) -> Result<Self, String> {
        let missing = |field: &str| format!("presence '{}' needs '{field}'", w.state);
        Ok(match w.state.as_str() {
            "offline" => Presence::Offline,
            "available" => Presence::Available,
            "away" => Presence::Away { reason: w.reason.ok_or_else(|| missing("reason"))? },
            "ringing" => Presence::Ringing { call: w.call.clone().ok_or_else(|| missing("call"))? },
            "on-call" => Presence::OnCall { call: w.call.clone().ok_or_else(|| missing("call"))? },
            "wrap-up" => Presence::WrapUp { until: w.until.ok_or_else(|| missing("until"))? },
            other => return Err(format!("unknown presence '{other}'")),
        })
    }
}

impl Presence {
    /// The word the console and `/api/presence` use.
    pub fn word(&self) -> &'static str {
        match self {
            Presence::Offline => "offline",
            Presence::Available => "available",
            Presence::Away { .. } => "away",
            Presence::Ringing { .. } => "ringing",
            Presence::OnCall { .. } => "on-call",
            Presence::WrapUp { .. } => "wrap-up",
        }
    }

    /// The call this presence is about, if any.
    pub fn call(&self) -> Option<&CallSid> {
        match self {
            Presence::Ringing { call } | Presence::OnCall { call } => Some(call),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub id: AgentId,
    /// The name colleagues know them by (the account's display name).
    pub name: String,
    pub role: AgentRole,
    pub presence: Presence,
    /// When the presence began. For an available agent this is how long they have been idle:
    /// the smallest `since` is the longest-idle agent.
    pub since: Millis,
    /// While the agent's console holds its stream, this is kept a little ahead of now; once it
    /// passes, the agent is offline. `None`: no console ever connected (scripts), no lease.
    pub online_until: Option<Millis>,
    /// The queues they take (their skills); empty: every queue.
    pub queues: Vec<QueueName>,
}

impl Agent {
    /// A new account: offline, named by its identity until it has a display name.
    pub fn new(id: AgentId) -> Self {
        let name = id.to_string();
        Agent { id, name, role: AgentRole::Agent, presence: Presence::Offline, since: 0, online_until: None, queues: Vec::new() }
    }

    pub fn named(id: AgentId, name: impl Into<String>, role: AgentRole) -> Self {
        Agent { name: name.into(), role, ..Agent::new(id) }
    }

    /// Whose console holds its stream at `now` (or who never had one: a script).
    /// Whether they take calls of `queue` (`None`: the one queue there is).
    pub fn takes(&self, queue: Option<&QueueName>) -> bool {
        self.queues.is_empty() || queue.is_none_or(|q| self.queues.contains(q))
    }

    pub fn online(&self, now: Millis) -> bool {
        self.online_until.is_none_or(|t| t > now)
    }
}

/// An agent account as stored (what the roster is made of).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AgentId,
    pub name: String,
    pub role: AgentRole,
    /// The queues they take; empty: every queue.
    pub queues: Vec<QueueName>,
}
