//! The rules: a command and the time in, events and effects out.
//!
//! Every handler checks everything it needs before it emits anything, so a refused command
//! leaves the state exactly as it was. Each emitted event is applied at once (`apply`), so the
//! rules that follow (routing above all) see the state it made. Who is on hold is never decided
//! by hand: each call's state says who should be held (`Call::holds`), and after a decision the
//! difference is what Twilio is asked to change (`Decider::arrange`).

use std::collections::{BTreeMap, BTreeSet};

use super::command::{Command, Decision, Effect, Event, Move, Refusal, Target, TransferAction, Wanted};
use super::model::{
    AwayReason, Call, CallPhase, EndReason, Holds, LegNo, LegOutcome, Millis, Notice, Party, Presence, Rules, Side, Stage, State, Transfer,
    Who,
};
use crate::ids::{AgentId, CallSid};

/// The longest note a consult carries (the target reads it while their browser rings).
pub const NOTE_MAX_CHARS: usize = 500;

impl State {
    /// Decides `command` at `now` and applies what was decided.
    pub fn handle(&mut self, command: Command, now: Millis, rules: &Rules) -> Result<Decision, Refusal> {
        let mut d = Decider {
            state: self,
            now,
            rules,
            out: Decision::default(),
            before: BTreeMap::new(),
            removals: Vec::new(),
            gone: BTreeSet::new(),
            full: BTreeSet::new(),
        };
        match command {
            Command::CallArrived { call, from } => d.call_arrived(call, from),
            Command::LegAnswered { call, party, leg } => d.leg_answered(call, party, leg)?,
            Command::LegEnded { call, party, leg, outcome } => d.leg_ended(&call, &party, leg, outcome),
            Command::CallerLeft { call } => d.caller_left(&call),
            Command::ConferenceKnown { call, conference } => d.conference_known(call, conference),
            Command::SetPresence { agent, wanted } => d.set_presence(agent, wanted)?,
            Command::Heartbeat { agents } => d.heartbeat(agents),
            Command::SignedOut { agent } => d.signed_out(agent)?,
            Command::Transfer { agent, action } => d.transfer(agent, action)?,
            Command::Hold { agent, hold } => d.hold(agent, hold)?,
            Command::Mute { agent, muted } => d.mute(agent, muted)?,
            Command::ArrangeFailed { call, reason } => d.arrange_failed(call, reason),
            Command::Tick => d.tick(),
        }
        d.route();
        d.arrange();
        Ok(d.out)
    }
}

struct Decider<'a> {
    state: &'a mut State,
    now: Millis,
    rules: &'a Rules,
    out: Decision,
    /// Who each touched call had on hold before this decision.
    before: BTreeMap<CallSid, Holds>,
    /// Participants to take out of a call's conference, in order.
    removals: Vec<(CallSid, Who)>,
    /// Parties whose leg ended in this decision: nothing is asked of them any more.
    gone: BTreeSet<(CallSid, Party)>,
    /// Calls whose every hold is asked for again (a retry after Twilio refused).
    full: BTreeSet<CallSid>,
}

impl Decider<'_> {
    fn emit(&mut self, event: Event) {
        if let Some(c) = event.call().and_then(|sid| self.state.calls.get(sid)) {
            self.before.entry(c.sid.clone()).or_insert_with(|| c.holds());
        }
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

    /// An agent leaving `call` goes to wrap-up, if they were on it.
    fn off_call(&mut self, agent: &AgentId, call: &CallSid) {
        if self.state.agents.get(agent).is_some_and(|a| a.presence == Presence::OnCall { call: call.clone() }) {
            self.after_call(agent);
        }
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

    fn remove(&mut self, call: &CallSid, party: Party) {
        self.gone.insert((call.clone(), party.clone()));
        self.removals.push((call.clone(), Who::Party(party)));
    }

    // ---- calls ---------------------------------------------------------------------------------

    fn call_arrived(&mut self, call: CallSid, from: String) {
        // Twilio repeats a webhook it thinks failed: the same caller queues once.
        if !self.state.calls.contains_key(&call) {
            self.emit(Event::Queued { call, from });
        }
    }

    fn conference_known(&mut self, call: CallSid, conference: String) {
        if self.state.calls.get(&call).is_some_and(|c| c.conference.as_deref() != Some(conference.as_str())) {
            self.emit(Event::ConferenceKnown { call, conference });
        }
    }

    fn leg_answered(&mut self, call: CallSid, party: Party, leg: LegNo) -> Result<(), Refusal> {
        if let Some(agent) = party.agent() {
            self.agent_known(agent)?;
        }
        let c = self.state.calls.get(&call).ok_or_else(|| Refusal::UnknownCall(call.clone()))?.clone();
        if let Some(t) = c.transfer.as_ref().filter(|t| t.to == party && t.leg == leg) {
            if t.stage == Stage::Ringing {
                self.emit(Event::TargetAnswered { call: call.clone(), to: party.clone() });
                if let Party::Agent(agent) = &party {
                    self.presence(agent, Presence::OnCall { call });
                }
            }
            return Ok(());
        }
        match (&c.phase, &party) {
            (CallPhase::Offered { agent: offered, leg: l, .. }, Party::Agent(agent)) if offered == agent && *l == leg => {
                let agent = agent.clone();
                self.emit(Event::Answered { call: call.clone(), agent: agent.clone() });
                self.presence(&agent, Presence::OnCall { call });
                Ok(())
            }
            // Twilio fetched the join document again: the same answer, nothing new.
            (CallPhase::Connected { owner, leg: l, .. }, Party::Agent(agent)) if owner == agent && *l == leg => Ok(()),
            (CallPhase::Outside { number, leg: l, answered, .. }, Party::Phone(n)) if number == n && *l == leg => {
                if !answered {
                    self.emit(Event::OutsideAnswered { call, number: n.clone() });
                }
                Ok(())
            }
            _ => Err(Refusal::NotNow(format!("this call is no longer ringing for {party}"))),
        }
    }

    fn leg_ended(&mut self, call: &CallSid, party: &Party, leg: LegNo, outcome: LegOutcome) {
        // A leg of a call that is over, or an older leg: its news is stale.
        let Some(c) = self.state.calls.get(call) else { return };
        // Answered-then-completed without our having seen the answer counts as failed.
        let unanswered = if outcome == LegOutcome::Completed { LegOutcome::Failed } else { outcome };
        if let Some(t) = c.transfer.clone().filter(|t| &t.to == party && t.leg == leg) {
            self.gone.insert((call.clone(), party.clone()));
            if t.stage == Stage::Ringing {
                self.emit(Event::TargetMissed { call: call.clone(), to: party.clone(), outcome: unanswered });
                if let Party::Agent(agent) = party {
                    self.missed(agent, call, unanswered);
                }
            } else {
                self.emit(Event::TargetLeft { call: call.clone(), to: party.clone() });
                if let Party::Agent(agent) = party {
                    self.off_call(agent, call);
                }
            }
            return;
        }
        match (c.phase.clone(), party) {
            (CallPhase::Offered { agent: offered, leg: l, .. }, Party::Agent(agent)) if &offered == agent && l == leg => {
                self.offer_missed(call, agent, unanswered);
            }
            (CallPhase::Connected { owner, leg: l, .. }, Party::Agent(agent)) if &owner == agent && l == leg => {
                self.gone.insert((call.clone(), party.clone()));
                match c.transfer.clone() {
                    // The first agent hung up during a consult: the customer stays for the target.
                    Some(t) => {
                        self.emit(Event::TransferCompleted { call: call.clone(), by: owner.clone(), to: t.to });
                        self.after_call(&owner);
                    }
                    None => {
                        self.emit(Event::Left { call: call.clone(), agent: owner.clone() });
                        self.after_call(&owner);
                        self.end_call(call, EndReason::AgentHungUp);
                    }
                }
            }
            (CallPhase::Outside { number, leg: l, answered, .. }, Party::Phone(n)) if &number == n && l == leg => {
                self.gone.insert((call.clone(), party.clone()));
                if answered {
                    self.end_call(call, EndReason::OutsideHungUp);
                } else {
                    self.emit(Event::OutsideMissed { call: call.clone(), number, outcome: unanswered });
                }
            }
            _ => {}
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
            let next = match outcome {
                LegOutcome::Gone => Presence::Offline,
                // Twilio down is nobody's absence: available again, behind the agents who have
                // waited longer, so an outage does not turn the whole floor away one by one.
                LegOutcome::Unplaced => Presence::Available,
                _ => Presence::Away { reason: AwayReason::MissedCall },
            };
            self.presence(agent, next);
        }
    }

    fn caller_left(&mut self, call: &CallSid) {
        if self.state.calls.contains_key(call) {
            self.end_call(call, EndReason::CallerHungUp);
        }
    }

    /// The call is over: whoever rings for it stops (and is free again), whoever is on it goes
    /// to wrap-up, and when the customer is still there (the other side ended it) they are hung up.
    fn end_call(&mut self, call: &CallSid, reason: EndReason) {
        let Some(c) = self.state.calls.get(call).cloned() else { return };
        match &c.phase {
            CallPhase::Offered { agent, leg, .. } => {
                self.emit(Event::OfferWithdrawn { call: call.clone(), agent: agent.clone() });
                self.effect(Effect::CancelLeg { call: call.clone(), party: Party::Agent(agent.clone()), leg: *leg });
                self.ring_stopped(agent, call);
            }
            CallPhase::Outside { number, leg, answered: false, .. } => {
                self.effect(Effect::CancelLeg { call: call.clone(), party: Party::Phone(number.clone()), leg: *leg });
            }
            CallPhase::Connected { owner, .. } => self.off_call(owner, call),
            CallPhase::Queued | CallPhase::Outside { .. } => {}
        }
        if let Some(t) = &c.transfer {
            if t.stage == Stage::Ringing {
                self.effect(Effect::CancelLeg { call: call.clone(), party: t.to.clone(), leg: t.leg });
                if let Some(agent) = t.to.agent() {
                    self.ring_stopped(agent, call);
                }
            } else if let Some(agent) = t.to.agent() {
                self.off_call(agent, call);
            }
        }
        self.emit(Event::Ended { call: call.clone(), reason });
        if reason != EndReason::CallerHungUp {
            self.effect(Effect::HangUpCaller { call: call.clone() });
        }
    }

    // ---- transfers -----------------------------------------------------------------------------

    /// The call `agent` owns, or why they cannot act on one.
    fn owned_call(&self, agent: &AgentId) -> Result<Call, Refusal> {
        let Presence::OnCall { call } = &self.state.agents[agent].presence else {
            return Err(Refusal::NotNow("you are not on a call".into()));
        };
        let c = self.state.calls.get(call).ok_or_else(|| Refusal::NotNow("you are not on a call".into()))?;
        match c.owner() {
            Some(owner) if owner == agent => Ok(c.clone()),
            Some(owner) => Err(Refusal::NotNow(format!("{owner} has this call: only they can do that"))),
            None => Err(Refusal::NotNow("you are not on a call".into())),
        }
    }

    /// Checks that `target` may be rung for a transfer from `agent`.
    fn check_target(&self, agent: &AgentId, target: &Target) -> Result<(), Refusal> {
        if let Target::Agent(to) = target {
            if to == agent {
                return Err(Refusal::NotNow("you cannot transfer a call to yourself".into()));
            }
            self.agent_known(to)?;
            let t = &self.state.agents[to];
            if t.presence != Presence::Available || !self.online(to) {
                let word = if self.online(to) { t.presence.word() } else { "offline" };
                return Err(Refusal::NotNow(format!("{to} is {word}; only an available agent can take a transfer")));
            }
        }
        Ok(())
    }

    fn transfer(&mut self, agent: AgentId, action: TransferAction) -> Result<(), Refusal> {
        self.agent_known(&agent)?;
        let c = self.owned_call(&agent)?;
        let call = c.sid.clone();
        let none_yet = || Refusal::NotNow("there is no transfer in progress".into());
        match action {
            TransferAction::Consult { to, note } => {
                if c.transfer.is_some() {
                    return Err(Refusal::NotNow("a transfer is already in progress: complete or cancel it first".into()));
                }
                let party = match &to {
                    Target::Agent(a) => Party::Agent(a.clone()),
                    Target::Phone(n) => Party::Phone(n.clone()),
                    Target::Queue => {
                        return Err(Refusal::NotNow(
                            "a consult needs a person to talk to: use Transfer to send the call to the queue".into(),
                        ))
                    }
                };
                self.check_target(&agent, &to)?;
                let note: String = note.trim().chars().take(NOTE_MAX_CHARS).collect();
                let leg = c.legs + 1;
                self.emit(Event::ConsultStarted { call: call.clone(), by: agent, to: party.clone(), leg, note });
                if let Party::Agent(a) = &party {
                    self.presence(a, Presence::Ringing { call: call.clone() });
                }
                self.effect(Effect::Dial { call, party, leg });
            }
            TransferAction::Blind { to } => {
                if c.transfer.is_some() {
                    return Err(Refusal::NotNow("a consult is in progress: complete or cancel it first".into()));
                }
                self.check_target(&agent, &to)?;
                let party = match &to {
                    Target::Agent(a) => Some(Party::Agent(a.clone())),
                    Target::Phone(n) => Some(Party::Phone(n.clone())),
                    Target::Queue => None,
                };
                let leg = party.as_ref().map(|_| c.legs + 1);
                self.emit(Event::Transferred { call: call.clone(), by: agent.clone(), to, leg });
                self.remove(&call, Party::Agent(agent.clone()));
                self.after_call(&agent);
                if let (Some(party), Some(leg)) = (party, leg) {
                    if let Party::Agent(a) = &party {
                        self.presence(a, Presence::Ringing { call: call.clone() });
                    }
                    self.effect(Effect::Dial { call, party, leg });
                }
            }
            TransferAction::Complete | TransferAction::Leave => {
                let t = c.transfer.clone().ok_or_else(none_yet)?;
                match (&action, t.stage) {
                    (_, Stage::Ringing) => {
                        return Err(Refusal::NotNow(format!("{} has not answered yet: wait, or cancel the transfer", t.to)))
                    }
                    (TransferAction::Leave, Stage::Talking { .. }) => {
                        return Err(Refusal::NotNow("leave is for a three-way call: to hand the call over, complete the transfer".into()))
                    }
                    _ => {}
                }
                self.emit(Event::TransferCompleted { call: call.clone(), by: agent.clone(), to: t.to });
                self.remove(&call, Party::Agent(agent.clone()));
                self.after_call(&agent);
            }
            TransferAction::Cancel => {
                let t = c.transfer.clone().ok_or_else(none_yet)?;
                self.emit(Event::ConsultCancelled { call: call.clone(), by: agent });
                if t.stage == Stage::Ringing {
                    self.gone.insert((call.clone(), t.to.clone()));
                    self.effect(Effect::CancelLeg { call: call.clone(), party: t.to.clone(), leg: t.leg });
                    if let Some(a) = t.to.agent() {
                        self.ring_stopped(a, &call);
                    }
                } else {
                    self.remove(&call, t.to.clone());
                    if let Some(a) = t.to.agent() {
                        self.off_call(a, &call);
                    }
                }
            }
            TransferAction::ThreeWay => {
                let t = c.transfer.clone().ok_or_else(none_yet)?;
                match t.stage {
                    Stage::Ringing => return Err(Refusal::NotNow(format!("{} has not answered yet", t.to))),
                    Stage::ThreeWay => return Err(Refusal::NotNow("the call is three-way already".into())),
                    Stage::Talking { .. } => self.emit(Event::ThreeWayStarted { call }),
                }
            }
            TransferAction::Swap => {
                let t = c.transfer.clone().ok_or_else(none_yet)?;
                let Stage::Talking { with } = t.stage else {
                    return Err(Refusal::NotNow("swap is for a consult once the target has answered".into()));
                };
                let with = if with == Side::Target { Side::Customer } else { Side::Target };
                self.emit(Event::Swapped { call, with });
            }
            TransferAction::Retry => {
                self.emit(Event::Rearranged { call: call.clone(), by: agent });
                self.full.insert(call);
            }
        }
        Ok(())
    }

    fn hold(&mut self, agent: AgentId, hold: bool) -> Result<(), Refusal> {
        self.agent_known(&agent)?;
        let c = self.owned_call(&agent)?;
        if c.transfer.is_some() {
            return Err(Refusal::NotNow("a transfer is in progress: the consult decides who is on hold".into()));
        }
        if c.on_hold != hold {
            self.emit(Event::CustomerHeld { call: c.sid, by: agent, hold });
        }
        Ok(())
    }

    fn mute(&mut self, agent: AgentId, muted: bool) -> Result<(), Refusal> {
        self.agent_known(&agent)?;
        let Presence::OnCall { call } = self.state.agents[&agent].presence.clone() else {
            return Err(Refusal::NotNow("you are not on a call".into()));
        };
        let is_muted = self.state.calls.get(&call).is_some_and(|c| c.muted.contains(&agent));
        if is_muted != muted {
            self.emit(Event::Muted { call, agent, muted });
        }
        Ok(())
    }

    fn arrange_failed(&mut self, call: CallSid, reason: String) {
        if self.state.calls.contains_key(&call) {
            self.emit(Event::ArrangeFailed { call, reason });
        }
    }

    /// Turns the change of who is held (and who was removed) in each touched call into one
    /// `Arrange` effect per call: holds and removals first, then unholds.
    fn arrange(&mut self) {
        let before = std::mem::take(&mut self.before);
        let removals = std::mem::take(&mut self.removals);
        for (sid, was) in before {
            let Some(c) = self.state.calls.get(&sid) else { continue };
            let now = c.holds();
            let full = self.full.contains(&sid);
            let here = |p: &Party| !self.gone.contains(&(sid.clone(), p.clone()));
            let mut moves = Vec::new();
            if let Some(music) = now.customer {
                if full || was.customer.is_none() {
                    moves.push(Move::Hold { who: Who::Customer, music });
                }
            }
            if let Some(p) = now.target.as_ref().filter(|p| full || was.target.as_ref() != Some(*p)) {
                moves.push(Move::Hold { who: Who::Party(p.clone()), music: super::model::Music::Hold });
            }
            // Every removal follows an event on its call, so its call is one of these.
            moves.extend(removals.iter().filter(|(call, _)| *call == sid).map(|(_, who)| Move::Remove { who: who.clone() }));
            if now.customer.is_none() && (full || was.customer.is_some()) {
                moves.push(Move::Unhold { who: Who::Customer });
            }
            let target_joined = c.transfer.as_ref().filter(|t| t.stage != Stage::Ringing).map(|t| t.to.clone());
            let unhold = if full {
                target_joined.filter(|p| now.target.as_ref() != Some(p))
            } else {
                was.target.filter(|p| now.target.as_ref() != Some(p))
            };
            if let Some(p) = unhold.filter(|p| here(p)) {
                moves.push(Move::Unhold { who: Who::Party(p) });
            }
            if !moves.is_empty() {
                self.effect(Effect::Arrange { call: sid, moves });
            }
        }
    }

    // ---- agents --------------------------------------------------------------------------------

    fn set_presence(&mut self, agent: AgentId, wanted: Wanted) -> Result<(), Refusal> {
        self.agent_known(&agent)?;
        let current = self.state.agents[&agent].presence.clone();
        let next = match (&current, wanted) {
            // The phone is gone while a call rings there: it cannot be answered, so it goes to
            // the next agent at once rather than after the ring timeout.
            (Presence::Ringing { .. }, Wanted::Offline) => {
                self.gone(&agent);
                return Ok(());
            }
            (Presence::Ringing { .. }, _) => {
                return Err(Refusal::NotNow("a call is ringing for you: answer it or let it ring".into()));
            }
            (Presence::OnCall { .. }, _) => return Err(Refusal::NotNow("you are on a call".into())),
            (Presence::Away { reason: AwayReason::Chosen }, Wanted::Away)
            | (Presence::Available, Wanted::Available)
            | (Presence::Offline, Wanted::Offline) => None,
            (_, Wanted::Offline) => Some(Presence::Offline),
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

    /// The agent's console is gone: a ringing leg (an offer or a transfer) is given up at once,
    /// and the agent is offline. A call in progress is left alone (the audio may well outlive
    /// the page); its end comes from Twilio.
    fn gone(&mut self, agent: &AgentId) {
        match self.state.agents[agent].presence.clone() {
            Presence::OnCall { .. } | Presence::Offline => {}
            Presence::Ringing { call } => {
                let party = Party::Agent(agent.clone());
                if let Some(leg) = self.state.calls.get(&call).and_then(|c| c.ringing_leg()).filter(|(p, _)| *p == party).map(|(_, l)| l) {
                    self.effect(Effect::CancelLeg { call: call.clone(), party: party.clone(), leg });
                    self.leg_ended(&call, &party, leg, LegOutcome::Gone);
                }
                self.presence(agent, Presence::Offline);
            }
            _ => self.presence(agent, Presence::Offline),
        }
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
        // A leg Twilio has said nothing about long after its ring timeout is given up: a lost
        // callback must not keep a caller waiting (or on hold) forever.
        let overdue: Vec<_> = self
            .state
            .calls
            .values()
            .filter(|c| c.ringing_since().is_some_and(|since| since + self.rules.ring_timeout + self.rules.offer_grace <= now))
            .filter_map(|c| c.ringing_leg().map(|(party, leg)| (c.sid.clone(), party, leg)))
            .collect();
        for (call, party, leg) in overdue {
            self.effect(Effect::CancelLeg { call: call.clone(), party: party.clone(), leg });
            self.leg_ended(&call, &party, leg, LegOutcome::NoAnswer);
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
            self.effect(Effect::Dial { call, party: Party::Agent(agent), leg });
        }
    }
}

impl Call {
    /// The leg this call waits on while it rings, and whom it rings.
    pub fn ringing_leg(&self) -> Option<(Party, LegNo)> {
        match (&self.phase, &self.transfer) {
            (CallPhase::Offered { agent, leg, .. }, _) => Some((Party::Agent(agent.clone()), *leg)),
            (CallPhase::Outside { number, leg, answered: false, .. }, _) => Some((Party::Phone(number.clone()), *leg)),
            (CallPhase::Connected { .. }, Some(Transfer { to, leg, stage: Stage::Ringing, .. })) => Some((to.clone(), *leg)),
            _ => None,
        }
    }
}

impl State {
    /// Puts a call back in the queue. One that had been talking to an agent (the conference
    /// started: a transfer that failed, or one to the queue) goes ahead of everyone waiting.
    fn requeue(&mut self, call: &CallSid) {
        let head = self.queue.first().map(|(k, _)| *k);
        let Some(c) = self.calls.get_mut(call) else { return };
        c.phase = CallPhase::Queued;
        c.on_hold = false;
        if c.started {
            let own = c.queue_key().0;
            if let Some(head) = head.filter(|h| *h <= own) {
                c.queue_key = Some(head - 1);
            }
        }
        self.queue.insert(c.queue_key());
    }

    /// Applies one decided event. Events are facts: applying one never fails.
    pub fn apply(&mut self, event: &Event, now: Millis) {
        match event {
            Event::Queued { call, from } => {
                let c = Call::new(call.clone(), from.clone(), now);
                self.queue.insert(c.queue_key());
                self.calls.insert(call.clone(), c);
            }
            Event::Offered { call, agent, leg } => {
                if let Some(c) = self.calls.get_mut(call) {
                    self.queue.remove(&c.queue_key());
                    c.phase = CallPhase::Offered { agent: agent.clone(), leg: *leg, since: now, by: None };
                    c.legs = c.legs.max(*leg);
                }
            }
            Event::OfferMissed { call, .. } | Event::OutsideMissed { call, .. } => self.requeue(call),
            Event::Answered { call, agent } => {
                if let Some(c) = self.calls.get_mut(call) {
                    let leg = match c.phase {
                        CallPhase::Offered { leg, .. } => leg,
                        _ => c.legs,
                    };
                    c.phase = CallPhase::Connected { owner: agent.clone(), leg, since: now };
                    c.started = true;
                    // Whoever held the customer before is gone: the new agent talks with them.
                    c.on_hold = false;
                }
            }
            Event::ConsultStarted { call, to, leg, note, .. } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.transfer = Some(Transfer { to: to.clone(), leg: *leg, note: note.clone(), stage: Stage::Ringing, since: now });
                    c.legs = c.legs.max(*leg);
                    c.notice = None;
                    // The consult holds the customer now; when it ends they are back, talking.
                    c.on_hold = false;
                }
            }
            Event::TargetAnswered { call, .. } => {
                if let Some(t) = self.calls.get_mut(call).and_then(|c| c.transfer.as_mut()) {
                    t.stage = Stage::Talking { with: Side::Target };
                    t.since = now;
                }
            }
            Event::TargetMissed { call, .. } | Event::TargetLeft { call, .. } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.transfer = None;
                    c.notice = Some(Notice { text: event.describe(), at: now, retry: false });
                }
            }
            Event::ConsultCancelled { call, .. } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.transfer = None;
                }
            }
            Event::Swapped { call, with } => {
                if let Some(t) = self.calls.get_mut(call).and_then(|c| c.transfer.as_mut()) {
                    t.stage = Stage::Talking { with: *with };
                }
            }
            Event::ThreeWayStarted { call } => {
                if let Some(t) = self.calls.get_mut(call).and_then(|c| c.transfer.as_mut()) {
                    t.stage = Stage::ThreeWay;
                }
            }
            Event::TransferCompleted { call, by, .. } => {
                if let Some(c) = self.calls.get_mut(call) {
                    let Some(t) = c.transfer.take() else { return };
                    let joined = t.stage != Stage::Ringing;
                    let since = match c.phase {
                        CallPhase::Connected { since, .. } => since,
                        _ => now,
                    };
                    c.phase = match (t.to, joined) {
                        (Party::Agent(a), true) => CallPhase::Connected { owner: a, leg: t.leg, since },
                        (Party::Agent(a), false) => CallPhase::Offered { agent: a, leg: t.leg, since: t.since, by: Some(by.clone()) },
                        (Party::Phone(n), joined) => CallPhase::Outside {
                            number: n,
                            leg: t.leg,
                            since: if joined { now } else { t.since },
                            answered: joined,
                            by: by.clone(),
                        },
                    };
                }
            }
            Event::Transferred { call, by, to, leg } => {
                let Some(c) = self.calls.get_mut(call) else { return };
                c.notice = None;
                // The owner's hold ends with their part in the call.
                c.on_hold = false;
                c.legs = c.legs.max(leg.unwrap_or(0));
                let leg = leg.unwrap_or(c.legs);
                match to {
                    Target::Agent(a) => c.phase = CallPhase::Offered { agent: a.clone(), leg, since: now, by: Some(by.clone()) },
                    Target::Phone(n) => {
                        c.phase = CallPhase::Outside { number: n.clone(), leg, since: now, answered: false, by: by.clone() }
                    }
                    Target::Queue => self.requeue(call),
                }
            }
            Event::OutsideAnswered { call, .. } => {
                if let Some(c) = self.calls.get_mut(call) {
                    if let CallPhase::Outside { answered, since, .. } = &mut c.phase {
                        *answered = true;
                        *since = now;
                    }
                }
            }
            Event::Ended { call, .. } => {
                if let Some(c) = self.calls.remove(call) {
                    self.queue.remove(&c.queue_key());
                }
            }
            Event::ConferenceKnown { call, conference } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.conference = Some(conference.clone());
                }
            }
            Event::ArrangeFailed { call, .. } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.notice = Some(Notice { text: event.describe(), at: now, retry: true });
                }
            }
            Event::Rearranged { call, .. } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.notice = None;
                }
            }
            Event::CustomerHeld { call, hold, .. } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.on_hold = *hold;
                }
            }
            Event::Muted { call, agent, muted } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.muted.retain(|a| a != agent);
                    if *muted {
                        c.muted.push(agent.clone());
                    }
                }
            }
            Event::OfferWithdrawn { .. } | Event::Left { .. } => {}
            Event::PresenceChanged { agent, presence, since } => {
                // Off a call: its mute is over with it.
                if let Some(Presence::OnCall { call }) = self.agents.get(agent).map(|a| a.presence.clone()).filter(|p| p != presence) {
                    if let Some(c) = self.calls.get_mut(&call) {
                        c.muted.retain(|a| a != agent);
                    }
                }
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
