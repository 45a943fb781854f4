//! The contact center's state: agents and their presence, customer calls and where each stands.
//! Plain data; the rules that change it are in `decide`, the changes themselves in `apply`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::ids::{AgentId, CallSid};

/// Unix milliseconds: the one clock of the core (passed in, never read here).
pub type Millis = i64;

/// Why an agent is away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AwayReason {
    /// The agent chose it.
    Chosen,
    /// An offered call rang out, was declined, or could not reach them: they are set away so
    /// the next caller does not ring an empty desk.
    MissedCall,
}

/// Where an agent is. Agents with a call hold its id, so "ringing for nothing" cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
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
    pub presence: Presence,
    /// When the presence began. For an available agent this is how long they have been idle:
    /// the smallest `since` is the longest-idle agent.
    pub since: Millis,
    /// While the agent's console holds its stream, this is kept a little ahead of now; once it
    /// passes, the agent is offline. `None`: no console ever connected (scripts), no lease.
    pub online_until: Option<Millis>,
}

impl Agent {
    pub fn new(id: AgentId) -> Self {
        Agent { id, presence: Presence::Offline, since: 0, online_until: None }
    }
}

/// One agent leg the center asked Twilio for. Each leg of a call has its own number, carried in
/// the URLs Twilio calls back on, so a late callback for an older leg is told apart from the
/// current one.
pub type LegNo = u32;

/// Where a customer call stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "kebab-case")]
pub enum CallPhase {
    /// Waiting for an agent.
    Queued,
    /// Ringing `agent`'s browser on leg `leg` since `since`.
    Offered { agent: AgentId, leg: LegNo, since: Millis },
    /// Talking: `owner` (on leg `leg`) is the agent responsible for the call.
    Connected { owner: AgentId, leg: LegNo, since: Millis },
}

/// A second agent brought into a connected call (the tutorial's warm transfer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Helper {
    pub agent: AgentId,
    pub leg: LegNo,
    /// Still ringing (`false`) or on the call (`true`).
    pub joined: bool,
}

/// A customer call that is not over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub sid: CallSid,
    /// The caller's number as Twilio gave it.
    pub from: String,
    /// Its place in the queue: the time it first queued. A call that comes back from a missed
    /// offer keeps it, and so goes back to the head of the queue.
    pub queued_at: Millis,
    pub phase: CallPhase,
    /// Agents dialled into the call besides the owner.
    pub helpers: Vec<Helper>,
    /// Legs dialled so far (the next leg is `legs + 1`).
    pub legs: LegNo,
}

impl Call {
    pub fn owner(&self) -> Option<&AgentId> {
        match &self.phase {
            CallPhase::Connected { owner, .. } => Some(owner),
            _ => None,
        }
    }

    pub fn helper(&self, agent: &AgentId) -> Option<&Helper> {
        self.helpers.iter().find(|h| &h.agent == agent)
    }
}

/// Why a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndReason {
    /// The customer hung up (or Twilio ended their conference).
    CallerHungUp,
    /// The last agent on the call hung up.
    AgentHungUp,
}

/// How an agent leg ended, as Twilio reports it (or as we found out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LegOutcome {
    NoAnswer,
    /// Busy, or declined in the browser (Twilio reports both as `busy`).
    Busy,
    /// Twilio could not place the call (or refused the request to).
    Failed,
    /// Cancelled before it was answered.
    Canceled,
    /// Answered, then hung up.
    Completed,
    /// The agent's console went away while it rang.
    Gone,
}

impl LegOutcome {
    /// Twilio's final `CallStatus` of an agent leg.
    pub fn from_call_status(status: &str) -> Option<Self> {
        Some(match status {
            "no-answer" => LegOutcome::NoAnswer,
            "busy" => LegOutcome::Busy,
            "failed" => LegOutcome::Failed,
            "canceled" => LegOutcome::Canceled,
            "completed" => LegOutcome::Completed,
            _ => return None,
        })
    }

    pub fn words(self) -> &'static str {
        match self {
            LegOutcome::NoAnswer => "no answer",
            LegOutcome::Busy => "busy or declined",
            LegOutcome::Failed => "could not be rung",
            LegOutcome::Canceled => "cancelled",
            LegOutcome::Completed => "hung up",
            LegOutcome::Gone => "console gone",
        }
    }
}

/// Timings the rules depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// How long an agent stays in wrap-up after a call.
    pub wrap_up: Millis,
    /// How long an offer rings before Twilio gives up (`Timeout` of the dial).
    pub ring_timeout: Millis,
    /// An offer Twilio has said nothing about this long after its ring timeout is taken as
    /// missed (a lost callback must not keep a caller waiting forever).
    pub offer_grace: Millis,
    /// How long a console's connection may be gone before its agent is offline.
    pub lease: Millis,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { wrap_up: 15_000, ring_timeout: 30_000, offer_grace: 15_000, lease: 30_000 }
    }
}

/// The whole contact center: every agent, every call not yet over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    pub agents: BTreeMap<AgentId, Agent>,
    pub calls: HashMap<CallSid, Call>,
    /// The queued calls in queue order (kept in step with `calls` by `apply`).
    pub(super) queue: BTreeSet<(Millis, CallSid)>,
}

impl State {
    /// A state from stored agents and calls.
    pub fn from_parts(agents: impl IntoIterator<Item = Agent>, calls: impl IntoIterator<Item = Call>) -> Self {
        let mut state = State::default();
        for a in agents {
            state.agents.insert(a.id.clone(), a);
        }
        for c in calls {
            if c.phase == CallPhase::Queued {
                state.queue.insert((c.queued_at, c.sid.clone()));
            }
            state.calls.insert(c.sid.clone(), c);
        }
        state
    }

    /// Queued calls, oldest first.
    pub fn queued(&self) -> impl Iterator<Item = &Call> {
        self.queue.iter().filter_map(|(_, sid)| self.calls.get(sid))
    }

    /// 1 for the call at the head of the queue; `None` when it is not queued.
    pub fn queue_position(&self, call: &CallSid) -> Option<usize> {
        let c = self.calls.get(call).filter(|c| c.phase == CallPhase::Queued)?;
        Some(self.queue.range(..(c.queued_at, c.sid.clone())).count() + 1)
    }

    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    /// The agent whose call this is, or who is on it.
    pub fn call_of(&self, agent: &AgentId) -> Option<&Call> {
        self.agents.get(agent)?.presence.call().and_then(|c| self.calls.get(c))
    }

    /// The soonest moment something falls due by itself (a wrap-up ends, an offer is overdue, a
    /// console lease lapses), for the ticker.
    pub fn next_due(&self, rules: &Rules) -> Option<Millis> {
        let agents = self.agents.values().flat_map(|a| {
            let wrap = match a.presence {
                Presence::WrapUp { until } => Some(until),
                _ => None,
            };
            let lease = a.online_until.filter(|_| a.presence != Presence::Offline);
            wrap.into_iter().chain(lease)
        });
        let offers = self.calls.values().filter_map(|c| match c.phase {
            CallPhase::Offered { since, .. } => Some(since + rules.ring_timeout + rules.offer_grace),
            _ => None,
        });
        agents.chain(offers).min()
    }
}
