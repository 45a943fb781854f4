//! The whole contact center at a moment: every agent, every call not yet over, and the queue.
//! Plain data and questions about it; the rules that change it are in `decide`, the changes
//! themselves in `apply`.

use super::event::AgentEvent;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::agent::{Account, Agent, AgentRole, Presence};
use super::call::Call;
use super::event::Event;
use super::opening::{next_look, Calendar};
use super::party::Role;
use super::rules::{Millis, Rules};
use crate::ids::{AgentId, CallSid, QueueName};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    pub agents: BTreeMap<AgentId, Agent>,
    pub calls: HashMap<CallSid, Call>,
    /// The queued calls in queue order (kept in step with `calls` by `apply`).
    pub(super) queue: BTreeSet<(Millis, CallSid)>,
    /// The calls someone besides the caller is on or rung for (kept in step with `calls` by
    /// `apply`): what routing and the ticker walk, so that a long queue costs them nothing.
    pub(super) attended: BTreeSet<CallSid>,
    /// The queued calls with a time of their own (a callback menu's deadline, a callback's next
    /// attempt), kept in step by `apply`: what the ticker asks, so a long queue costs it nothing.
    pub(super) timed: HashMap<CallSid, Millis>,
    /// How long the caller answered last had waited (this instance's, since it started): with
    /// the queue's head's wait, what a caller arriving now can expect.
    pub(super) recent_wait: Option<Millis>,
    /// Whether the center was open when the core last looked at the hours (`None`: not yet):
    /// closing time is the look that finds it closed after open. This instance's, like
    /// `recent_wait` (every instance may find closing time; the second finds callers offered).
    pub(super) seen_open: Option<bool>,
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
            self.remove_call(sid);
        }
        for call in live {
            self.remove_call(&call.sid);
            self.insert_call(call);
        }
    }

    /// Takes over from the copy this one replaces what only this instance knows (what recent
    /// callers waited, whether it last found us open), which storage does not hold.
    pub fn keep_what_is_this_instances(&mut self, old: &State) {
        self.recent_wait = old.recent_wait;
        self.seen_open = old.seen_open;
    }

    pub(super) fn insert_call(&mut self, call: Call) {
        if call.is_queued() {
            self.queue.insert(call.queue_key());
        }
        let sid = call.sid.clone();
        self.calls.insert(sid.clone(), call);
        self.reindex(&sid);
    }

    pub(super) fn remove_call(&mut self, sid: &CallSid) {
        if let Some(c) = self.calls.remove(sid) {
            self.queue.remove(&c.queue_key());
        }
        self.attended.remove(sid);
        self.timed.remove(sid);
    }

    /// Brings `attended` (and `timed`) in step with this call as it now is (or is no more).
    pub(super) fn reindex(&mut self, sid: &CallSid) {
        match self.calls.get(sid) {
            Some(c) if c.parties.iter().any(|p| p.role != Role::Customer) => {
                self.attended.insert(sid.clone());
            }
            _ => {
                self.attended.remove(sid);
            }
        }
        match self.calls.get(sid).and_then(Call::timer) {
            Some(at) => {
                self.timed.insert(sid.clone(), at);
            }
            None => {
                self.timed.remove(sid);
            }
        }
    }

    /// The calls someone besides the caller is on or rung for.
    pub fn attended(&self) -> impl Iterator<Item = &Call> {
        self.attended.iter().filter_map(|sid| self.calls.get(sid))
    }

    /// Queued calls, oldest first.
    pub fn queued(&self) -> impl Iterator<Item = &Call> {
        self.queue.iter().filter_map(|(_, sid)| self.calls.get(sid))
    }

    /// 1 for the call at the head of the queue; `None` when it is not queued.
    pub fn queue_position(&self, call: &CallSid) -> Option<usize> {
        let c = self.calls.get(call).filter(|c| c.is_queued())?;
        let ahead = self.queue.range(..c.queue_key()).filter(|(_, sid)| self.calls.get(sid).is_some_and(|o| o.queue == c.queue)).count();
        Some(ahead + 1)
    }

    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    /// The call this agent is on or rung for, as their presence says.
    pub fn call_of(&self, agent: &AgentId) -> Option<&Call> {
        self.agents.get(agent)?.presence.call().and_then(|c| self.calls.get(c))
    }

    /// The call this supervisor monitors (or whose monitoring leg rings for them).
    pub fn monitored_by(&self, supervisor: &AgentId) -> Option<&Call> {
        self.attended().find(|c| c.monitor(supervisor).is_some())
    }

    /// What the accounts as stored change: new ones join offline, renamed ones change, and
    /// (from a complete list) one whose account is gone leaves, once nothing of theirs is live.
    /// Asked on its own every few seconds, so that an unchanged roster costs no decision.
    pub fn roster_events(&self, accounts: &[Account], complete: bool) -> Vec<Event> {
        let mut events = Vec::new();
        for account in accounts {
            let made: fn(AgentId, String, AgentRole, Vec<QueueName>) -> Event = match self.agents.get(&account.id) {
                None => |agent, name, role, queues| Event::Agent(AgentEvent::AccountAdded { agent, name, role, queues }),
                Some(a) if a.name != account.name || a.role != account.role || a.queues != account.queues => {
                    |agent, name, role, queues| Event::Agent(AgentEvent::AccountChanged { agent, name, role, queues })
                }
                Some(_) => continue,
            };
            events.push(made(account.id.clone(), account.name.clone(), account.role, account.queues.clone()));
        }
        if complete {
            let stored: HashSet<&AgentId> = accounts.iter().map(|a| &a.id).collect();
            let gone = |a: &&Agent| a.presence == Presence::Offline && !stored.contains(&a.id);
            let mut removed = self.agents.values().filter(gone).peekable();
            if removed.peek().is_some() {
                let engaged = self.engaged();
                events.extend(
                    removed.filter(|a| !engaged.contains(&a.id)).map(|a| Event::Agent(AgentEvent::AccountRemoved { agent: a.id.clone() })),
                );
            }
        }
        events
    }

    /// Every agent who is part of a call in any role (on it, rung for it, listening in).
    pub fn engaged(&self) -> HashSet<&AgentId> {
        self.attended().flat_map(Call::agents).collect()
    }

    /// Whether `agent` can be offered a call or a transfer now: available, their console there,
    /// and on no call in any role.
    pub fn free(&self, agent: &AgentId, now: Millis) -> bool {
        self.agents.get(agent).is_some_and(|a| a.presence == Presence::Available && a.online(now))
            && !self.attended().any(|c| c.agents().any(|a| a == agent))
    }

    /// Whether the core last found us closed (callers still waiting keep their place, and
    /// hear so).
    #[cfg(test)]
    pub fn has_closed(&self) -> bool {
        self.seen_open == Some(false)
    }

    /// The soonest moment something falls due by itself (a wrap-up ends, an offer is overdue, a
    /// console lease lapses), for the ticker.
    pub fn next_due(&self, rules: &Rules, hours: &dyn Calendar, now: Millis) -> Option<Millis> {
        let agents = self.agents.values().flat_map(|a| {
            let wrap = match a.presence {
                Presence::WrapUp { until } => Some(until),
                _ => None,
            };
            let lease = a.online_until.filter(|_| a.presence != Presence::Offline);
            wrap.into_iter().chain(lease)
        });
        let offers = self.attended().filter_map(|c| c.ringing_since()).map(|since| since + rules.ring_timeout + rules.offer_grace);
        // Callbacks: a menu's deadline, a retry's time, and the first caller in queue order due
        // to be offered one (callers offered already are passed over: they are few at the head).
        let timed = self.timed.values().copied();
        let offer = rules.callback_after.and_then(|after| self.queued().find(|c| c.offerable_callback()).map(|c| c.queued_at + after));
        let closing = next_look(self.seen_open, hours, now);
        agents.chain(offers).chain(timed).chain(offer).chain(closing).min()
    }
}
