//! The supervisor's floor, computed from the center's state and today's figures: the queue,
//! every agent, every live call with everyone on it (listeners too), and the raised hands. The
//! same for every supervisor (each finds their own monitoring by their identity), so it is made
//! once per change for all the floors open.
//!
//! Written with serde; the browser reads it by hand (`floor::wire`): a field added or renamed
//! here is added or renamed there too.

use serde::{Deserialize, Serialize};

use super::agent::{AgentRole, Presence};
use super::call::{Call, Stage};
use super::figures::{Day, Figures, Thresholds};
use super::party::{MonitorMode, Role};
use super::rules::Millis;
use super::state::State;
use super::view::{phase_since, AgentName, LegCard, Phase, TimelineRow};
use crate::ids::{AgentId, CallSid, PhoneNumber, QueueName};

/// The callers listed by name on the floor (the count covers them all).
pub const CALLERS_SHOWN: usize = 20;

/// A caller waiting in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingCaller {
    pub call: CallSid,
    #[serde(default)]
    pub from: Option<PhoneNumber>,
    /// When they first queued.
    pub since: Millis,
    /// Not a caller on the line: the message they left.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub voicemail: bool,
    /// Not a caller on the line: they asked to be called back.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub callback: bool,
}

/// The queue now and today.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloorQueue {
    pub waiting: usize,
    /// Of those, voicemails (messages left, waiting for an agent like calls).
    #[serde(default)]
    pub voicemails: usize,
    /// Of those, callback requests.
    #[serde(default)]
    pub callbacks: usize,
    /// With several queues: how many wait in each (in name order).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_queue: Vec<QueueCount>,
    /// When the caller who has waited longest started waiting (the longest wait ticks from it).
    #[serde(default)]
    pub longest_since: Option<Millis>,
    /// The first callers in queue order.
    #[serde(default)]
    pub callers: Vec<WaitingCaller>,
    pub today: Figures,
}

/// How many wait in one queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCount {
    pub queue: QueueName,
    pub waiting: usize,
}

/// One agent on the floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloorAgent {
    pub id: AgentId,
    pub name: String,
    pub role: AgentRole,
    pub presence: Presence,
    pub since: Millis,
    /// Their console is connected.
    pub online: bool,
    /// The call they ring for or are on (its card is in `calls`).
    #[serde(default)]
    pub call: Option<CallSid>,
    /// A supervisor: the call they monitor.
    #[serde(default)]
    pub monitoring: Option<CallSid>,
    pub handled: u32,
    pub missed: u32,
    /// The queues they take (empty: every queue).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<QueueName>,
}

/// A supervisor on a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloorMonitor {
    pub supervisor: AgentName,
    pub mode: MonitorMode,
    pub joined: bool,
    #[serde(default)]
    pub coaching: Option<AgentName>,
    /// Why the mode changed by itself (Twilio refused to coach, the call was transferred).
    #[serde(default)]
    pub note: Option<String>,
}

/// A live call (someone besides the caller is on it or rung for it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloorCall {
    pub call: CallSid,
    #[serde(default)]
    pub from: Option<PhoneNumber>,
    pub queued_at: Millis,
    pub phase: Phase,
    pub since: Millis,
    /// The agent who has it (or is offered it).
    #[serde(default)]
    pub agent: Option<AgentName>,
    /// The customer is on hold.
    #[serde(default)]
    pub on_hold: bool,
    /// A consult in progress, and how far.
    #[serde(default)]
    pub transfer: Option<Stage>,
    /// Everyone on it, as the owner's console shows them, and every supervisor.
    pub legs: Vec<LegCard>,
    #[serde(default)]
    pub monitors: Vec<FloorMonitor>,
    /// Since when the agent has asked for help.
    #[serde(default)]
    pub help: Option<Millis>,
    /// An agent has it: a supervisor may listen in.
    #[serde(default)]
    pub monitorable: bool,
}

/// Everything the floor shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloorView {
    pub queue: FloorQueue,
    pub agents: Vec<FloorAgent>,
    pub calls: Vec<FloorCall>,
    /// The supervisors' actions on agents today (set away, offline, end of wrap-up), newest first.
    #[serde(default)]
    pub log: Vec<TimelineRow>,
    /// Calls the account must create that wait for their turn at Twilio's pace (none: nothing
    /// waits). Not the core's: the outbox knows it, and the runtime sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pacing: Option<FloorPacing>,
    /// The database has not answered since then (none: it answers). Not the core's either: the
    /// runtime finds it, and sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outage: Option<FloorOutage>,
    /// The server's clock when this view was made.
    pub now: Millis,
}

/// Calls waiting their turn at the account's pace (Twilio's calls per second): agents rung late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloorPacing {
    /// How many calls to create wait now.
    pub waiting: u32,
    /// Since when the longest has been waiting (its delay ticks from it).
    pub since: Millis,
}

/// The database away: since when, and how many callers this instance keeps aside meanwhile (they
/// are queued in the order they rang as soon as it is back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloorOutage {
    pub since: Millis,
    pub aside: u32,
}

impl State {
    /// The floor at `now`, with today's figures from `day`.
    pub fn floor_view(&self, day: &Day, thresholds: &Thresholds, now: Millis) -> FloorView {
        let queue = FloorQueue {
            waiting: self.queue_len(),
            voicemails: self.queued().filter(|c| c.is_voicemail()).count(),
            callbacks: self.queued().filter(|c| c.as_callback().is_some()).count(),
            by_queue: {
                let mut counts: std::collections::BTreeMap<QueueName, usize> = Default::default();
                for q in self.queued().filter_map(|c| c.queue.clone()) {
                    *counts.entry(q).or_default() += 1;
                }
                counts.into_iter().map(|(queue, waiting)| QueueCount { queue, waiting }).collect()
            },
            longest_since: self.queued().next().map(|c| c.queued_at),
            callers: self
                .queued()
                .take(CALLERS_SHOWN)
                .map(|c| WaitingCaller {
                    call: c.sid.clone(),
                    from: c.from.clone(),
                    since: c.queued_at,
                    voicemail: c.is_voicemail(),
                    callback: c.as_callback().is_some(),
                })
                .collect(),
            today: day.figures(now, thresholds),
        };
        let mut calls: Vec<FloorCall> = self.attended().map(|c| self.floor_call(c)).collect();
        calls.sort_by(|a, b| (a.queued_at, &a.call).cmp(&(b.queued_at, &b.call)));
        let agents = self
            .agents
            .values()
            .map(|a| {
                let (handled, missed) = day.agent(&a.id);
                FloorAgent {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    role: a.role,
                    presence: a.presence.clone(),
                    since: a.since,
                    online: a.presence != Presence::Offline && a.online(now),
                    call: a.presence.call().cloned(),
                    monitoring: (a.role == AgentRole::Supervisor).then(|| self.monitored_by(&a.id).map(|c| c.sid.clone())).flatten(),
                    handled,
                    missed,
                    queues: a.queues.clone(),
                }
            })
            .collect();
        let log = day.actions().map(|(at, text)| TimelineRow { at: *at, text: text.clone() }).collect();
        FloorView { queue, agents, calls, log, pacing: None, outage: None, now }
    }

    fn floor_call(&self, c: &Call) -> FloorCall {
        let phase = c.phase();
        let (kind, since) = phase_since(&phase, c.queued_at);
        let agent = phase.agent();
        let monitors = c
            .monitors()
            .filter_map(|p| {
                Some(FloorMonitor {
                    supervisor: self.agent_name(p.agent()?),
                    mode: p.mode.unwrap_or(MonitorMode::Listen),
                    joined: p.joined,
                    coaching: p.coaching.as_ref().filter(|_| p.mode == Some(MonitorMode::Whisper)).map(|a| self.agent_name(a)),
                    note: p.note.clone(),
                })
            })
            .collect();
        FloorCall {
            call: c.sid.clone(),
            from: c.from.clone(),
            queued_at: c.queued_at,
            phase: kind,
            since,
            agent: agent.map(|a| self.agent_name(a)),
            on_hold: c.party(Role::Customer).is_some_and(|p| p.held.is_some()),
            transfer: c.transfer.as_ref().map(|t| t.stage),
            legs: self.call_legs(c, None),
            monitors,
            help: c.help,
            monitorable: c.owner().is_some(),
        }
    }
}
