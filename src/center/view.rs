//! What one agent's console shows, computed from the center's state: the server's truth that
//! the stream pushes (the browser never guesses it).

use serde::{Deserialize, Serialize};

use super::model::{CallPhase, Millis, Presence, State};
use crate::ids::{AgentId, CallSid};

/// An agent as the directory shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentCard {
    pub id: AgentId,
    pub presence: Presence,
    pub since: Millis,
}

/// One agent leg of the call on the console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegCard {
    pub agent: AgentId,
    /// `ringing` or `connected`.
    pub state: String,
    /// The agent who owns the call.
    pub owner: bool,
}

/// The agent's own call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallCard {
    pub call: CallSid,
    pub from: String,
    /// When the caller first queued.
    pub queued_at: Millis,
    /// `offered` (ringing for the owner-to-be) or `connected`.
    pub phase: String,
    pub since: Millis,
    pub legs: Vec<LegCard>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCard {
    pub waiting: usize,
    /// When the caller at the head of the queue started waiting.
    pub longest_since: Option<Millis>,
}

/// One line of a call's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineRow {
    pub at: Millis,
    pub text: String,
}

/// A recent call of the agent's with its timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallHistory {
    pub call: CallSid,
    pub from: String,
    pub rows: Vec<TimelineRow>,
}

/// Everything one console shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleView {
    pub me: AgentCard,
    pub call: Option<CallCard>,
    pub queue: QueueCard,
    /// Every other agent, by identity. The server leaves it empty and sends the directory
    /// apart (it is the same for every console, and changes far less often than a view); the
    /// browser puts it here.
    #[serde(default)]
    pub agents: Vec<AgentCard>,
    /// The agent's last few calls, newest first (filled in by the store).
    pub recent: Vec<CallHistory>,
    /// The server's clock when this view was made, so the browser counts durations from it.
    pub now: Millis,
}

impl State {
    pub fn card(&self, agent: &AgentId) -> Option<AgentCard> {
        let a = self.agents.get(agent)?;
        Some(AgentCard { id: a.id.clone(), presence: a.presence.clone(), since: a.since })
    }

    /// Every agent, by identity: the directory every console shows (each without itself).
    pub fn directory(&self) -> Vec<AgentCard> {
        self.agents.keys().filter_map(|id| self.card(id)).collect()
    }

    /// `agent`'s console view (without `recent` and the directory), or `None` for an unknown agent.
    pub fn console_view(&self, agent: &AgentId, now: Millis) -> Option<ConsoleView> {
        let me = self.card(agent)?;
        let call = self.call_of(agent).map(|c| {
            let mut legs = Vec::new();
            let (phase, since) = match &c.phase {
                CallPhase::Queued => ("queued", c.queued_at),
                CallPhase::Offered { agent, since, .. } => {
                    legs.push(LegCard { agent: agent.clone(), state: "ringing".into(), owner: true });
                    ("offered", *since)
                }
                CallPhase::Connected { owner, since, .. } => {
                    legs.push(LegCard { agent: owner.clone(), state: "connected".into(), owner: true });
                    ("connected", *since)
                }
            };
            for h in &c.helpers {
                legs.push(LegCard { agent: h.agent.clone(), state: if h.joined { "connected" } else { "ringing" }.into(), owner: false });
            }
            CallCard { call: c.sid.clone(), from: c.from.clone(), queued_at: c.queued_at, phase: phase.into(), since, legs }
        });
        let queue = QueueCard { waiting: self.queue_len(), longest_since: self.queued().next().map(|c| c.queued_at) };
        Some(ConsoleView { me, call, queue, agents: Vec::new(), recent: Vec::new(), now })
    }
}
