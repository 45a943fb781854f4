//! The whole contact center at a moment: every agent, every call not yet over, and the queue.
//! Plain data and questions about it; the rules that change it are in `decide`, the changes
//! themselves in `apply`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::agent::{Agent, Presence};
use super::call::Call;
use super::rules::{Millis, Rules};
use crate::ids::{AgentId, CallSid};

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
            state.insert_call(c);
        }
        state
    }

    /// Brings this copy up to rows another instance wrote: these agents as stored, and the
    /// named calls as stored (`live` holds those still live; any other named call is over).
    pub fn restore(&mut self, agents: Vec<Agent>, named: &[CallSid], live: Vec<Call>) {
        for agent in agents {
            self.agents.insert(agent.id.clone(), agent);
        }
        for sid in named {
            if let Some(c) = self.calls.remove(sid) {
                self.queue.remove(&c.queue_key());
            }
        }
        for call in live {
            if let Some(c) = self.calls.remove(&call.sid) {
                self.queue.remove(&c.queue_key());
            }
            self.insert_call(call);
        }
    }

    pub(super) fn insert_call(&mut self, call: Call) {
        if call.is_queued() {
            self.queue.insert(call.queue_key());
        }
        self.calls.insert(call.sid.clone(), call);
    }

    /// Queued calls, oldest first.
    pub fn queued(&self) -> impl Iterator<Item = &Call> {
        self.queue.iter().filter_map(|(_, sid)| self.calls.get(sid))
    }

    /// 1 for the call at the head of the queue; `None` when it is not queued.
    pub fn queue_position(&self, call: &CallSid) -> Option<usize> {
        let c = self.calls.get(call).filter(|c| c.is_queued())?;
        Some(self.queue.range(..c.queue_key()).count() + 1)
    }

    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    /// The call this agent is on or rung for, as their presence says.
    pub fn call_of(&self, agent: &AgentId) -> Option<&Call> {
        self.agents.get(agent)?.presence.call().and_then(|c| self.calls.get(c))
    }

    /// Every agent who is part of a call in any role (on it, rung for it, listening in).
    pub fn engaged(&self) -> HashSet<&AgentId> {
        self.calls.values().flat_map(Call::agents).collect()
    }

    /// Whether `agent` can be offered a call or a transfer now: available, their console there,
    /// and on no call in any role.
    pub fn free(&self, agent: &AgentId, now: Millis) -> bool {
        self.agents.get(agent).is_some_and(|a| a.presence == Presence::Available && a.online(now))
            && !self.calls.values().any(|c| c.agents().any(|a| a == agent))
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
        let offers = self.calls.values().filter_map(|c| c.ringing_since()).map(|since| since + rules.ring_timeout + rules.offer_grace);
        agents.chain(offers).min()
    }
}
