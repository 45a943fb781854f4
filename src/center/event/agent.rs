//! An agent: presence, the console's lease, signing out, accounts, a supervisor's action on them.

use serde::{Deserialize, Serialize};

use crate::center::agent::{AgentRole, Presence};
use crate::center::command::SupervisorAction;
use crate::center::rules::Millis;
use crate::ids::{AgentId, QueueName};

/// An agent: presence, the console's lease, signing out, accounts, a supervisor's action on them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum AgentEvent {
    PresenceChanged {
        agent: AgentId,
        presence: Presence,
        since: Millis,
    },
    /// The account's sessions ended (signed out, disabled or removed), whatever its presence:
    /// every console and floor stream of the account ends at once, on every instance.
    SignedOut {
        agent: AgentId,
    },
    /// The agent's console lease was renewed (not a timeline row; kept for the store).
    Seen {
        agent: AgentId,
        until: Millis,
    },
    /// A supervisor changed an agent's presence (the presence change follows).
    Supervised {
        supervisor: AgentId,
        agent: AgentId,
        action: SupervisorAction,
    },
    /// A new account joined the roster (offline).
    AccountAdded {
        agent: AgentId,
        name: String,
        role: AgentRole,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        queues: Vec<QueueName>,
    },
    /// An account's name, role or queues changed.
    AccountChanged {
        agent: AgentId,
        name: String,
        role: AgentRole,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        queues: Vec<QueueName>,
    },
    /// An account was removed (and nothing of theirs was live).
    AccountRemoved {
        agent: AgentId,
    },
}

impl AgentEvent {
    /// The agent this event names first, if any (the timeline row's agent).
    pub fn agent(&self) -> Option<&AgentId> {
        match self {
            AgentEvent::PresenceChanged { agent, .. }
            | AgentEvent::SignedOut { agent }
            | AgentEvent::Seen { agent, .. }
            | AgentEvent::AccountAdded { agent, .. }
            | AgentEvent::AccountChanged { agent, .. }
            | AgentEvent::AccountRemoved { agent } => Some(agent),
            AgentEvent::Supervised { supervisor, .. } => Some(supervisor),
        }
    }

    /// The event's name, as its JSON tags it (the timeline's `kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            AgentEvent::PresenceChanged { .. } => "presence-changed",
            AgentEvent::SignedOut { .. } => "signed-out",
            AgentEvent::Seen { .. } => "seen",
            AgentEvent::AccountAdded { .. } => "account-added",
            AgentEvent::AccountChanged { .. } => "account-changed",
            AgentEvent::AccountRemoved { .. } => "account-removed",
            AgentEvent::Supervised { .. } => "supervised",
        }
    }

    /// One line for the timeline, as a person reads it.
    pub fn describe(&self) -> String {
        match self {
            AgentEvent::PresenceChanged { agent, presence, .. } => format!("{agent} is {}", presence.word()),
            AgentEvent::SignedOut { agent } => format!("{agent}'s sessions ended"),
            AgentEvent::Seen { agent, .. } => format!("{agent} is connected"),
            AgentEvent::AccountAdded { agent, name, .. } => format!("{agent} ({name}) joined"),
            AgentEvent::AccountChanged { agent, name, role, .. } => format!("{agent} is now {name}, {}", role.as_str()),
            AgentEvent::AccountRemoved { agent } => format!("{agent} was removed"),
            AgentEvent::Supervised { supervisor, agent, action } => match action {
                SupervisorAction::SetAway { reason } if reason.is_empty() => format!("{supervisor} set {agent} away"),
                SupervisorAction::SetAway { reason } => format!("{supervisor} set {agent} away: {reason}"),
                SupervisorAction::SetOffline => format!("{supervisor} set {agent} offline"),
                SupervisorAction::EndWrapUp => format!("{supervisor} ended {agent}'s wrap-up"),
            },
        }
    }
}
