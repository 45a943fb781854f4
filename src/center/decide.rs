//! The rules: a command and the time in, events and effects out.
//!
//! Every handler checks everything it needs before it emits anything, so a refused command
//! leaves the state exactly as it was. Each emitted event is applied at once (`apply`), so the
//! rules that follow (routing above all) see the state it made.

use super::command::{Command, Decision, Effect, Event, Refusal, Wanted};
use super::model::{AwayReason, CallPhase, EndReason, LegNo, LegOutcome, Millis, Presence, Rules, State};
use crate::ids::{AgentId, CallSid};

impl State {
    /// Decides `command` at `now` and applies what was decided.
    pub fn handle(&mut self, command: Command, now: Millis, rules: &Rules) -> Result<Decision, Refusal> {
        let mut d = Decider { state: self, now, rules, out: Decision::default() };
        match command {
            Command::CallArrived { call, from } => d.call_arrived(call, from),
            Command::AgentAnswered { call, agent, leg } => d.agent_answered(call, agent, leg)?,
            Command::LegEnded { call, agent, leg, outcome } => d.leg_ended(call, agent, leg, outcome),
            Command::CallerLeft { call } => d.caller_left(&call),
            Command::SetPresence { agent, wanted } => d.set_presence(agent, wanted)?,
            Command::Heartbeat { agents } => d.heartbeat(agents),
            Command::SignedOut { agent } => d.signed_out(agent)?,
            Command::DialIn { from, to } => d.dial_in(from, to)?,
            Command::Tick => d.tick(),
        }
        d.route();
        Ok(d.out)
    }
}

struct Decider<'a> {
    state: &'a mut State,
    now: Millis,
    rules: &'a Rules,
    out: Decision,
}

impl Decider<'_> {
    fn emit(&mut self, event: Event) {
        self.state.apply(&event, self.now);
        self.out.events.push(event);
    }

    fn effect(&mut self, effect: Effect) {
        self.out.effects.push(effect);
    }

    fn presence(&mut self, agent: &AgentId, presence: Presence) {
        let unchanged = self.state.agents.get(agent).is_none_or(|a| a.presence == presence);
        if !unchanged {
            self.emit(Event::PresenceChanged { agent: agent.clone(), presence, since: self.now });
        }
    }

    /// Where an agent goes when their call is over: wrap-up, or straight back when there is none.
    fn after_call(&mut self, agent: &AgentId) {
        let next = if self.rules.wrap_up > 0 { Presence::WrapUp { until: self.now + self.rules.wrap_up } } else { Presence::Available };
        self.presence(agent, next);
    }

    /// An agent whose ringing stopped through no fault of theirs is available again.
    fn ring_stopped(&mut self, agent: &AgentId, call: &CallSid) {
        if self.state.agents.get(agent).is_some_and(|a| a.presence == Presence::Ringing { call: call.clone() }) {
            self.presence(agent, Presence::Available);
        }
    }

    fn agent_known(&self, agent: &AgentId) -> Result<(), Refusal> {
        if self.state.agents.contains_key(agent) {
            Ok(())
        } else {
            Err(Refusal::UnknownAgent(agent.clone()))
        }
    }

    fn online(&self, agent: &AgentId) -> bool {
        self.state.agents.get(agent).is_some_and(|a| a.online_until.is_none_or(|t| t > self.now))
    }

    // ---- calls ---------------------------------------------------------------------------------

    fn call_arrived(&mut self, call: CallSid, from: String) {
        // Twilio repeats a webhook it thinks failed: the same caller queues once.
        if !self.state.calls.contains_key(&call) {
            self.emit(Event::Queued { call, from });
        }
    }

    fn agent_answered(&mut self, call: CallSid, agent: AgentId, leg: LegNo) -> Result<(), Refusal> {
        self.agent_known(&agent)?;
        let c = self.state.calls.get(&call).ok_or_else(|| Refusal::UnknownCall(call.clone()))?;
        match &c.phase {
            CallPhase::Offered { agent: offered, leg: l, .. } if *offered == agent && *l == leg => {
                self.emit(Event::Answered { call: call.clone(), agent: agent.clone() });
                self.presence(&agent, Presence::OnCall { call });
                Ok(())
            }
            // Twilio fetched the join document again: the same answer, nothing new.
            CallPhase::Connected { owner, leg: l, .. } if *owner == agent && *l == leg => Ok(()),
            _ => match c.helper(&agent) {
                Some(h) if h.leg == leg && h.joined => Ok(()),
                Some(h) if h.leg == leg => {
                    self.emit(Event::Joined { call: call.clone(), agent: agent.clone() });
                    self.presence(&agent, Presence::OnCall { call });
                    Ok(())
                }
                _ => Err(Refusal::NotNow(format!("this call is no longer ringing for {agent}"))),
            },
        }
    }

    fn leg_ended(&mut self, call: CallSid, agent: AgentId, leg: LegNo, outcome: LegOutcome) {
        // A leg of a call that is over, or an older leg: its news is stale.
        let Some(c) = self.state.calls.get(&call) else { return };
        match c.phase.clone() {
            CallPhase::Offered { agent: offered, leg: l, .. } if offered == agent && l == leg => {
                // Answered-then-completed without our having seen the answer counts as failed.
                let outcome = if outcome == LegOutcome::Completed { LegOutcome::Failed } else { outcome };
                self.offer_missed(&call, &agent, outcome);
            }
            CallPhase::Connected { owner, leg: l, .. } if owner == agent && l == leg => {
                self.emit(Event::Left { call: call.clone(), agent: agent.clone() });
                self.after_call(&agent);
                let joined = self.state.calls.get(&call).and_then(|c| c.helpers.iter().find(|h| h.joined)).map(|h| h.agent.clone());
                match joined {
                    Some(next) => self.emit(Event::OwnerChanged { call, agent: next }),
                    None => self.end_call(&call, EndReason::AgentHungUp),
                }
            }
            _ => {
                let Some(h) = c.helper(&agent).filter(|h| h.leg == leg).cloned() else { return };
                if h.joined {
                    self.emit(Event::Left { call, agent: agent.clone() });
                    self.after_call(&agent);
                } else {
                    self.emit(Event::DialInMissed { call: call.clone(), agent: agent.clone(), outcome });
                    self.missed(&agent, &call, outcome);
                }
            }
        }
    }

    /// The offered agent did not take the call: it goes back to the head of the queue.
    fn offer_missed(&mut self, call: &CallSid, agent: &AgentId, outcome: LegOutcome) {
        self.emit(Event::OfferMissed { call: call.clone(), agent: agent.clone(), outcome });
        self.missed(agent, call, outcome);
    }

    /// An agent who let a call ring out is set away, so the next caller does not ring an empty
    /// desk; one whose console is gone is offline.
    fn missed(&mut self, agent: &AgentId, call: &CallSid, outcome: LegOutcome) {
        let ringing = self.state.agents.get(agent).is_some_and(|a| a.presence == Presence::Ringing { call: call.clone() });
        if ringing {
            let next = if outcome == LegOutcome::Gone { Presence::Offline } else { Presence::Away { reason: AwayReason::MissedCall } };
            self.presence(agent, next);
        }
    }

    fn caller_left(&mut self, call: &CallSid) {
        if self.state.calls.contains_key(call) {
            self.end_call(call, EndReason::CallerHungUp);
        }
    }

    /// The call is over: whoever rings for it stops (and is free again), whoever is on it goes
    /// to wrap-up, and when agents ended it the caller is hung up.
    fn end_call(&mut self, call: &CallSid, reason: EndReason) {
        let Some(c) = self.state.calls.get(call).cloned() else { return };
        if let CallPhase::Offered { agent, leg, .. } = &c.phase {
            self.emit(Event::OfferWithdrawn { call: call.clone(), agent: agent.clone() });
            self.effect(Effect::CancelLeg { call: call.clone(), agent: agent.clone(), leg: *leg });
            self.ring_stopped(agent, call);
        }
        for h in &c.helpers {
            if h.joined {
                self.after_call(&h.agent);
            } else {
                self.effect(Effect::CancelLeg { call: call.clone(), agent: h.agent.clone(), leg: h.leg });
                self.ring_stopped(&h.agent, call);
            }
        }
        if let CallPhase::Connected { owner, .. } = &c.phase {
            if self.state.agents.get(owner).is_some_and(|a| a.presence == Presence::OnCall { call: call.clone() }) {
                self.after_call(owner);
            }
        }
        self.emit(Event::Ended { call: call.clone(), reason });
        if reason == EndReason::AgentHungUp {
            self.effect(Effect::HangUpCaller { call: call.clone() });
        }
    }

    // ---- agents --------------------------------------------------------------------------------

    fn set_presence(&mut self, agent: AgentId, wanted: Wanted) -> Result<(), Refusal> {
        self.agent_known(&agent)?;
        let current = self.state.agents[&agent].presence.clone();
        let next = match (&current, wanted) {
            (Presence::Ringing { .. }, _) => {
                return Err(Refusal::NotNow("a call is ringing for you: answer it or let it ring".into()));
            }
            (Presence::OnCall { .. }, _) => return Err(Refusal::NotNow("you are on a call".into())),
            (Presence::Away { reason: AwayReason::Chosen }, Wanted::Away) | (Presence::Available, Wanted::Available) => None,
            (_, Wanted::Available) => Some(Presence::Available),
            (_, Wanted::Away) => Some(Presence::Away { reason: AwayReason::Chosen }),
        };
        // Acting from the console shows it is there: its lease is renewed.
        if self.state.agents[&agent].online_until.is_some() {
            self.emit(Event::Seen { agent: agent.clone(), until: self.now + self.rules.lease });
        }
        if let Some(next) = next {
            self.presence(&agent, next);
        }
        Ok(())
    }

    fn heartbeat(&mut self, agents: Vec<AgentId>) {
        for agent in agents {
            if self.state.agents.contains_key(&agent) {
                self.emit(Event::Seen { agent, until: self.now + self.rules.lease });
            }
        }
    }

    fn signed_out(&mut self, agent: AgentId) -> Result<(), Refusal> {
        self.agent_known(&agent)?;
        self.gone(&agent);
        Ok(())
    }

    /// The agent's console is gone: a ringing offer is given up at once, and the agent is
    /// offline. A call in progress is left alone (the audio may well outlive the page); its end
    /// comes from Twilio.
    fn gone(&mut self, agent: &AgentId) {
        match self.state.agents[agent].presence.clone() {
            Presence::OnCall { .. } | Presence::Offline => {}
            Presence::Ringing { call } => {
                let offer = self.state.calls.get(&call).map(|c| c.phase.clone());
                match offer {
                    Some(CallPhase::Offered { agent: offered, leg, .. }) if &offered == agent => {
                        self.effect(Effect::CancelLeg { call: call.clone(), agent: agent.clone(), leg });
                        self.offer_missed(&call, agent, LegOutcome::Gone);
                    }
                    _ => {
                        if let Some(h) = self.state.calls.get(&call).and_then(|c| c.helper(agent)).cloned() {
                            self.effect(Effect::CancelLeg { call: call.clone(), agent: agent.clone(), leg: h.leg });
                            self.emit(Event::DialInMissed { call: call.clone(), agent: agent.clone(), outcome: LegOutcome::Gone });
                        }
                        self.presence(agent, Presence::Offline);
                    }
                }
            }
            _ => self.presence(agent, Presence::Offline),
        }
    }

    fn dial_in(&mut self, from: AgentId, to: AgentId) -> Result<(), Refusal> {
        self.agent_known(&from)?;
        self.agent_known(&to)?;
        if from == to {
            return Err(Refusal::NotNow("an agent cannot dial themselves in".into()));
        }
        let not_on_call = || Refusal::NotNow(format!("{from} is not on a call"));
        let call = match &self.state.agents[&from].presence {
            Presence::OnCall { call } => call.clone(),
            _ => return Err(not_on_call()),
        };
        let c = self.state.calls.get(&call).ok_or_else(not_on_call)?;
        if c.owner() == Some(&to) || c.helper(&to).is_some() {
            return Err(Refusal::NotNow(format!("{to} is already on this call")));
        }
        let target = &self.state.agents[&to];
        if target.presence != Presence::Available || !self.online(&to) {
            return Err(Refusal::NotNow(format!("{to} is {}; only an available agent can be dialled in", target.presence.word())));
        }
        let leg = c.legs + 1;
        self.emit(Event::DialledIn { call: call.clone(), by: from, agent: to.clone(), leg });
        self.presence(&to, Presence::Ringing { call: call.clone() });
        self.effect(Effect::Dial { call, agent: to, leg, owner: false });
        Ok(())
    }

    // ---- time ----------------------------------------------------------------------------------

    fn tick(&mut self) {
        let now = self.now;
        let agents: Vec<_> = self.state.agents.values().map(|a| (a.id.clone(), a.presence.clone(), a.online_until)).collect();
        for (agent, presence, online_until) in agents {
            if online_until.is_some_and(|t| t <= now) && presence != Presence::Offline {
                self.gone(&agent);
                continue;
            }
            if let Presence::WrapUp { until } = presence {
                if until <= now {
                    self.presence(&agent, Presence::Available);
                }
            }
        }
        let overdue: Vec<_> = self
            .state
            .calls
            .values()
            .filter_map(|c| match &c.phase {
                CallPhase::Offered { agent, leg, since } if since + self.rules.ring_timeout + self.rules.offer_grace <= now => {
                    Some((c.sid.clone(), agent.clone(), *leg))
                }
                _ => None,
            })
            .collect();
        for (call, agent, leg) in overdue {
            self.effect(Effect::CancelLeg { call: call.clone(), agent: agent.clone(), leg });
            self.offer_missed(&call, &agent, LegOutcome::NoAnswer);
        }
    }

    // ---- routing -------------------------------------------------------------------------------

    /// While a caller waits and an agent is free: the longest-idle available agent is offered
    /// the call at the head of the queue.
    fn route(&mut self) {
        loop {
            let Some((_, call)) = self.state.queue.first().cloned() else { return };
            let agent = self
                .state
                .agents
                .values()
                .filter(|a| a.presence == Presence::Available && a.online_until.is_none_or(|t| t > self.now))
                .min_by(|a, b| (a.since, &a.id).cmp(&(b.since, &b.id)))
                .map(|a| a.id.clone());
            let Some(agent) = agent else { return };
            let leg = self.state.calls[&call].legs + 1;
            self.emit(Event::Offered { call: call.clone(), agent: agent.clone(), leg });
            self.presence(&agent, Presence::Ringing { call: call.clone() });
            self.effect(Effect::Dial { call, agent, leg, owner: true });
        }
    }
}

impl State {
    /// Applies one decided event. Events are facts: applying one never fails.
    pub fn apply(&mut self, event: &Event, now: Millis) {
        match event {
            Event::Queued { call, from } => {
                self.calls.insert(
                    call.clone(),
                    super::model::Call {
                        sid: call.clone(),
                        from: from.clone(),
                        queued_at: now,
                        phase: CallPhase::Queued,
                        helpers: Vec::new(),
                        legs: 0,
                    },
                );
                self.queue.insert((now, call.clone()));
            }
            Event::Offered { call, agent, leg } => {
                if let Some(c) = self.calls.get_mut(call) {
                    self.queue.remove(&(c.queued_at, call.clone()));
                    c.phase = CallPhase::Offered { agent: agent.clone(), leg: *leg, since: now };
                    c.legs = c.legs.max(*leg);
                }
            }
            Event::OfferMissed { call, .. } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.phase = CallPhase::Queued;
                    self.queue.insert((c.queued_at, call.clone()));
                }
            }
            Event::Answered { call, agent } => {
                if let Some(c) = self.calls.get_mut(call) {
                    let leg = match c.phase {
                        CallPhase::Offered { leg, .. } => leg,
                        _ => c.legs,
                    };
                    c.phase = CallPhase::Connected { owner: agent.clone(), leg, since: now };
                }
            }
            Event::DialledIn { call, agent, leg, .. } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.helpers.push(super::model::Helper { agent: agent.clone(), leg: *leg, joined: false });
                    c.legs = c.legs.max(*leg);
                }
            }
            Event::DialInMissed { call, agent, .. } | Event::Left { call, agent } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.helpers.retain(|h| &h.agent != agent);
                }
            }
            Event::Joined { call, agent } => {
                if let Some(h) = self.calls.get_mut(call).and_then(|c| c.helpers.iter_mut().find(|h| &h.agent == agent)) {
                    h.joined = true;
                }
            }
            Event::OwnerChanged { call, agent } => {
                if let Some(c) = self.calls.get_mut(call) {
                    let leg = c.helper(agent).map(|h| h.leg).unwrap_or(c.legs);
                    let since = match c.phase {
                        CallPhase::Connected { since, .. } => since,
                        _ => now,
                    };
                    c.helpers.retain(|h| &h.agent != agent);
                    c.phase = CallPhase::Connected { owner: agent.clone(), leg, since };
                }
            }
            Event::Ended { call, .. } => {
                if let Some(c) = self.calls.remove(call) {
                    self.queue.remove(&(c.queued_at, c.sid));
                }
            }
            Event::OfferWithdrawn { .. } => {}
            Event::PresenceChanged { agent, presence, since } => {
                if let Some(a) = self.agents.get_mut(agent) {
                    a.presence = presence.clone();
                    a.since = *since;
                }
            }
            Event::Seen { agent, until } => {
                if let Some(a) = self.agents.get_mut(agent) {
                    a.online_until = Some(*until);
                }
            }
        }
    }
}
