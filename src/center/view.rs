//! What one agent's console shows, computed from the center's state: the server's truth that
//! the stream pushes (the browser never guesses it), with the steps that make sense now.
//!
//! Written with serde; the browser reads them by hand (`console::wire`, no serde decoders in its
//! WASM): a field added or renamed here is added or renamed there too.

use serde::{Deserialize, Serialize};

use super::agent::{AgentRole, AwayReason, Presence};
use super::call::{Call, CallNotice, CallPhase, Callback, Participant, Stage, Voicemail};
use super::command::{CallAction, PresenceAction};
use super::party::{MonitorMode, Party, Role};
use super::rules::Millis;
use super::state::State;
use crate::ids::{AgentId, CallSid, PhoneNumber, QueueName};

/// An agent as the directory shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentCard {
    pub id: AgentId,
    /// Their display name.
    pub name: String,
    pub presence: Presence,
    pub since: Millis,
}

/// An agent named for people to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentName {
    pub id: AgentId,
    pub name: String,
}

/// How a participant is on the call, as the console shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LegState {
    /// The customer, before anyone answered (hearing the queue).
    Waiting,
    Ringing,
    Connected,
    OnHold,
}

impl LegState {
    pub fn as_str(self) -> &'static str {
        match self {
            LegState::Waiting => "waiting",
            LegState::Ringing => "ringing",
            LegState::Connected => "connected",
            LegState::OnHold => "on-hold",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [LegState::Waiting, LegState::Ringing, LegState::Connected, LegState::OnHold].into_iter().find(|l| l.as_str() == s)
    }
}

/// Where the call stands, as the console names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Queued,
    /// Ringing for the agent it is offered to.
    Offered,
    Connected,
    /// With a number outside.
    Outside,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Queued => "queued",
            Phase::Offered => "offered",
            Phase::Connected => "connected",
            Phase::Outside => "outside",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Phase::Queued, Phase::Offered, Phase::Connected, Phase::Outside].into_iter().find(|p| p.as_str() == s)
    }
}

/// One participant of the call on the console: the customer, the agent who has the call, the
/// target of a transfer (and whoever else is on it), each as the server's state says they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegCard {
    pub role: Role,
    /// The agent or the number (none for the customer).
    #[serde(default)]
    pub party: Option<Party>,
    /// Who it is to a person: an agent's display name, a number, the caller's number.
    pub name: String,
    pub state: LegState,
    /// An agent whose browser has muted its microphone.
    #[serde(default)]
    pub muted: bool,
    /// A supervisor on the call: how (an agent sees a whisper meant for them and a barge; the
    /// floor sees every supervisor, listeners too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitor: Option<MonitorMode>,
}

/// A consult in progress, as both agents see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferCard {
    /// The agent who started it (who has the call).
    pub by: AgentName,
    pub to: Party,
    /// The target as a person reads it (an agent's display name, or the number).
    pub to_name: String,
    pub note: String,
    pub stage: Stage,
    pub since: Millis,
}

/// The agent's own call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallCard {
    pub call: CallSid,
    #[serde(default)]
    pub from: Option<PhoneNumber>,
    /// When the caller first queued.
    pub queued_at: Millis,
    pub phase: Phase,
    pub since: Millis,
    /// The customer first, then whoever else is on the call or ringing for it.
    pub legs: Vec<LegCard>,
    #[serde(default)]
    pub transfer: Option<TransferCard>,
    /// A transfer that failed, or a change Twilio would not make.
    #[serde(default)]
    pub notice: Option<CallNotice>,
    /// The steps that make sense for this agent now (the console enables only these buttons):
    /// exactly the ones the center would take.
    #[serde(default)]
    pub actions: Vec<CallAction>,
    /// Who transferred this call to me, if someone did (shown while it rings).
    #[serde(default)]
    pub transferred_by: Option<AgentName>,
    /// Since when the agent who has the call has asked a supervisor for help.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Millis>,
    /// Not a caller on the line but a message they left: how long, and its transcription.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voicemail: Option<Voicemail>,
    /// A callback: whom to call, since when it was asked for, how the attempts went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<Callback>,
    /// The queue the caller chose (none: the one queue there is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueName>,
}

/// The call a supervisor monitors, as their console shows it (their phone answers it by itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitorCard {
    pub call: CallSid,
    #[serde(default)]
    pub from: Option<PhoneNumber>,
    /// The agent who has the call.
    #[serde(default)]
    pub owner: Option<AgentName>,
    pub mode: MonitorMode,
    /// The supervisor's phone is in the conference (`false` while it rings).
    #[serde(default)]
    pub joined: bool,
    /// Whom a whisper is heard by.
    #[serde(default)]
    pub coaching: Option<AgentName>,
    /// Why the mode changed by itself (Twilio refused to coach, the call was transferred).
    #[serde(default)]
    pub note: Option<String>,
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
    #[serde(default)]
    pub from: Option<PhoneNumber>,
    pub rows: Vec<TimelineRow>,
}

/// Everything one console shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleView {
    pub me: AgentCard,
    /// The presence buttons that make sense now.
    #[serde(default)]
    pub presence_actions: Vec<PresenceAction>,
    pub call: Option<CallCard>,
    pub queue: QueueCard,
    /// Every other agent, by identity. The server leaves it empty and sends the directory
    /// apart (it is the same for every console, and changes far less often than a view); the
    /// browser puts it here.
    #[serde(default)]
    pub agents: Vec<AgentCard>,
    /// The agent's last few calls, newest first (filled in by the store).
    pub recent: Vec<CallHistory>,
    /// A supervisor: the call they monitor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<MonitorCard>,
    /// The server's clock when this view was made, so the browser counts durations from it.
    pub now: Millis,
}

impl State {
    pub fn card(&self, agent: &AgentId) -> Option<AgentCard> {
        let a = self.agents.get(agent)?;
        Some(AgentCard { id: a.id.clone(), name: a.name.clone(), presence: a.presence.clone(), since: a.since })
    }

    /// Every agent, by identity: the directory every console shows (each without itself).
    pub fn directory(&self) -> Vec<AgentCard> {
        self.agents.keys().filter_map(|id| self.card(id)).collect()
    }

    /// `agent`'s console view (without `recent` and the directory), or `None` for an unknown agent.
    pub fn console_view(&self, agent: &AgentId, now: Millis) -> Option<ConsoleView> {
        let me = self.card(agent)?;
        let call = self.call_of(agent).map(|c| self.call_card(c, agent));
        let queue = QueueCard { waiting: self.queue_len(), longest_since: self.queued().next().map(|c| c.queued_at) };
        let presence_actions = presence_actions(&me.presence);
        // Only a supervisor monitors: nobody else's view walks the calls for it (every console
        // makes its view again at each change).
        let supervisor = self.agents.get(agent).is_some_and(|a| a.role == AgentRole::Supervisor);
        let monitoring = if supervisor { self.monitor_card(agent) } else { None };
        Some(ConsoleView { me, presence_actions, call, queue, agents: Vec::new(), recent: Vec::new(), monitoring, now })
    }

    /// The call `supervisor` monitors, as their console shows it.
    pub fn monitor_card(&self, supervisor: &AgentId) -> Option<MonitorCard> {
        let c = self.monitored_by(supervisor)?;
        let p = c.monitor(supervisor)?;
        Some(MonitorCard {
            call: c.sid.clone(),
            from: c.from.clone(),
            owner: c.owner().map(|o| self.agent_name(o)),
            mode: p.mode.unwrap_or(MonitorMode::Listen),
            joined: p.joined,
            coaching: p.coaching.as_ref().filter(|_| p.mode == Some(MonitorMode::Whisper)).map(|a| self.agent_name(a)),
            note: p.note.clone(),
        })
    }

    /// Who a party is to a person: an agent's display name, or the number.
    pub fn name_of(&self, party: &Party) -> String {
        match party {
            Party::Agent(a) => self.agent_name(a).name,
            Party::Phone(n) => n.to_string(),
        }
    }

    pub(super) fn agent_name(&self, agent: &AgentId) -> AgentName {
        let name = self.agents.get(agent).map(|a| a.name.clone()).unwrap_or_else(|| agent.to_string());
        AgentName { id: agent.clone(), name }
    }

    /// The call's participants as `viewer` sees them (`None`: the floor, which sees everyone).
    /// An agent sees a supervisor who barged in, and one who whispers to them; a listener is
    /// shown on the floor only.
    pub fn call_legs(&self, c: &Call, viewer: Option<&AgentId>) -> Vec<LegCard> {
        let phase = c.phase();
        let waiting = matches!(phase, CallPhase::Queued | CallPhase::Offered { .. } | CallPhase::Outside { answered: false, .. });
        let shown = |p: &&Participant| match (viewer, p.role, p.mode) {
            (None, _, _) | (_, _, None) => true,
            (Some(v), Role::Monitor, _) if p.agent() == Some(v) => true,
            (Some(_), _, Some(MonitorMode::Barge)) => p.joined,
            (Some(v), _, Some(MonitorMode::Whisper)) => p.joined && p.coaching.as_ref() == Some(v),
            (Some(_), _, Some(MonitorMode::Listen)) => false,
        };
        // The caller of a voicemail, or of a callback not yet dialled, is not on the line.
        let absent = |p: &&Participant| {
            p.role == Role::Customer && !p.joined && (c.as_voicemail().is_some() || (c.as_callback().is_some() && p.leg == 0))
        };
        let mut parties: Vec<_> = c.parties.iter().filter(shown).filter(|p| !absent(p)).collect();
        parties.sort_by_key(|p| p.role);
        parties
            .into_iter()
            .map(|p| {
                let state = match p.held {
                    Some(_) => LegState::OnHold,
                    None if p.role == Role::Customer && waiting => LegState::Waiting,
                    None if !p.joined => LegState::Ringing,
                    None => LegState::Connected,
                };
                let name = match p.party() {
                    Some(party) => self.name_of(party),
                    None => c.from.as_ref().map(|f| f.to_string()).unwrap_or_default(),
                };
                LegCard { role: p.role, party: p.party().cloned(), name, state, muted: p.muted, monitor: p.mode }
            })
            .collect()
    }

    /// The call as `viewer` (the owner, the agent it is offered to, or a transfer's target) sees it.
    pub fn call_card(&self, c: &Call, viewer: &AgentId) -> CallCard {
        let phase = c.phase();
        let legs = self.call_legs(c, Some(viewer));
        let (kind, since) = phase_since(&phase, c.queued_at);
        let transferred_by = match &phase {
            CallPhase::Offered { by, .. } | CallPhase::Outside { by, .. } => by.as_ref(),
            CallPhase::Queued | CallPhase::Connected { .. } => None,
        };
        let transfer = c.transfer.as_ref().zip(c.target()).map(|(t, to)| TransferCard {
            by: self.agent_name(c.owner().unwrap_or(viewer)),
            to: to.clone(),
            to_name: self.name_of(to),
            note: t.note.clone(),
            stage: t.stage,
            since: t.since,
        });
        CallCard {
            call: c.sid.clone(),
            from: c.from.clone(),
            queued_at: c.queued_at,
            phase: kind,
            since,
            legs,
            transfer,
            notice: c.notice.clone().filter(|_| c.owner() == Some(viewer)),
            actions: self.call_actions(c, viewer),
            transferred_by: transferred_by.map(|by| self.agent_name(by)),
            help: c.help,
            voicemail: c.as_voicemail().cloned(),
            callback: c.as_callback().cloned(),
            queue: c.queue.clone(),
        }
    }

    /// The steps `agent` may take on `c` now: the same conditions the rules check, so a button
    /// the console enables is never refused for its state (a property test holds the two
    /// together).
    pub fn call_actions(&self, c: &Call, agent: &AgentId) -> Vec<CallAction> {
        use CallAction as A;
        let mut out = Vec::new();
        if c.is_voicemail() {
            // Offered (ringing on the console) or taken: the voicemail's own steps only.
            let p = c.party(Role::Owner).filter(|p| p.agent() == Some(agent));
            out.extend(match p.map(|p| p.joined) {
                Some(false) => vec![A::TakeVoicemail, A::DeclineVoicemail],
                Some(true) if c.from.as_ref().is_some_and(|f| crate::ids::E164::parse(f.as_str()).is_ok()) => {
                    vec![A::CallBack, A::VoicemailDone]
                }
                Some(true) => vec![A::VoicemailDone],
                None => vec![],
            });
            return out;
        }
        if c.owner() == Some(agent) {
            let held = c.party(Role::Customer).is_some_and(|p| p.held.is_some());
            out.extend(match &c.transfer {
                None if held => vec![A::Consult, A::Transfer, A::Resume],
                None => vec![A::Consult, A::Transfer, A::Hold],
                Some(t) => match t.stage {
                    Stage::Ringing => vec![A::Cancel],
                    Stage::Talking { .. } => vec![A::Complete, A::Cancel, A::ThreeWay, A::Swap],
                    Stage::ThreeWay => vec![A::Complete, A::Cancel, A::Leave],
                },
            });
            if c.notice.as_ref().is_some_and(|n| n.retry) {
                out.push(A::Retry);
            }
            out.push(if c.help.is_some() { A::CancelHelp } else { A::AskHelp });
        }
        let on_it = self.agents.get(agent).is_some_and(|a| a.presence == Presence::OnCall { call: c.sid.clone() });
        if on_it {
            out.push(if c.muted(agent) { A::Unmute } else { A::Mute });
        }
        out
    }
}

/// Where a call stands as the views name it, and since when (a queued call: since it queued).
pub(super) fn phase_since(phase: &CallPhase, queued_at: Millis) -> (Phase, Millis) {
    match phase {
        CallPhase::Queued => (Phase::Queued, queued_at),
        CallPhase::Offered { since, .. } => (Phase::Offered, *since),
        CallPhase::Connected { since, .. } => (Phase::Connected, *since),
        CallPhase::Outside { since, .. } => (Phase::Outside, *since),
    }
}

/// The presence buttons that make sense for a presence (the rules of `set_presence`).
pub fn presence_actions(p: &Presence) -> Vec<PresenceAction> {
    use PresenceAction as A;
    match p {
        Presence::Offline => vec![A::Available, A::Away],
        Presence::Available => vec![A::Away],
        Presence::Away { reason: AwayReason::Chosen } => vec![A::Available],
        // "Away" again turns a missed call into a chosen absence.
        Presence::Away { reason: AwayReason::MissedCall | AwayReason::Supervisor } => vec![A::Available, A::Away],
        Presence::Ringing { .. } | Presence::OnCall { .. } => vec![],
        Presence::WrapUp { .. } => vec![A::Away, A::EndWrapUp],
    }
}
