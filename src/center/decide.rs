//! The rules: a command and the time in, events and effects out.
//!
//! Every handler checks everything it needs before it emits anything, so a refused command
//! leaves the state exactly as it was. Each emitted event is applied at once (`apply`), so the
//! rules that follow (routing above all) see the state it made. Who is on hold is state of each
//! participant, set as events are applied; after a decision the difference is what Twilio is
//! asked to change (`arrange`).

use super::event::{AgentEvent, CallEvent, CallbackEvent, MonitorEvent, TransferEvent};
use std::collections::{BTreeMap, BTreeSet};

use super::agent::{Account, Agent, AwayReason, Presence};
use super::call::{Call, CallPhase, EndReason, LegNo, LegOutcome, Music, Side, Stage};
use super::command::{Arrival, Command, Target, TransferAction, Wanted};
use super::effect::Effect;
use super::event::Event;
use super::opening::{AlwaysOpen, Calendar, ClosedWhy, Openness};
use super::party::{Party, Role, Who};
use super::refusal::{Reason, Refusal};
use super::rules::{Millis, Rules};
use super::state::State;
use crate::ids::{AgentId, CallSid, ConferenceSid, PhoneNumber, QueueName, E164};

/// The longest note a consult carries (the target reads it while their browser rings).
pub const NOTE_MAX_CHARS: usize = 500;

/// What one command decided.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    pub events: Vec<Event>,
    pub effects: Vec<Effect>,
    /// What the caller (or the party answering) hears next, when the command is one Twilio
    /// waits on the answer of: the edge renders it, and asks nothing else.
    pub reply: Option<Reply>,
}

/// What the party on the line hears next, as the core decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A caller waits in their conference, to be answered (a repeated webhook: as before).
    Queued,
    /// Before they wait, a caller is offered a callback or a message: the queue's head has
    /// waited long, or (`nobody`) nobody who takes the queue is signed in.
    CallbackOffer { nobody: bool },
    /// We are closed: the caller hears why and when we open, and is not queued.
    Closed { why: ClosedWhy, opens: Option<Millis> },
    /// The party who answered a leg joins the caller's conference: as the customer (a callback
    /// reached them), or as an agent or a number called.
    Join { as_customer: bool },
    /// The caller from the callback menu waits in their conference again, in their place.
    BackInQueue,
    /// The caller in the callback menu will be called back on `number` (and may hang up).
    CallbackTaken { number: E164 },
    /// The caller in the callback menu leaves a message (recorded next).
    Voicemail,
}

impl Decision {
    /// Nothing was decided (a repeated webhook, a step already taken).
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.effects.is_empty()
    }
}

impl State {
    /// Decides `command` at `now`, open around the clock, and applies what was decided.
    pub fn handle(&mut self, command: Command, now: Millis, rules: &Rules) -> Result<Decision, Refusal> {
        self.handle_in(command, now, rules, &AlwaysOpen)
    }

    /// Decides `command` at `now` with these opening `hours`, and applies what was decided.
    pub fn handle_in(&mut self, command: Command, now: Millis, rules: &Rules, hours: &dyn Calendar) -> Result<Decision, Refusal> {
        let mut d = Decider {
            state: self,
            now,
            rules,
            hours,
            out: Decision::default(),
            before: BTreeMap::new(),
            removals: Vec::new(),
            full: BTreeSet::new(),
        };
        d.not_for_a_voicemail(&command)?;
        let arrived = match &command {
            Command::CallArrived { call, .. } => Some(call.clone()),
            _ => None,
        };
        match command {
            Command::CallArrived { call, from, recorded, arrival, queue, arrived_at } => {
                d.call_arrived(call, from, recorded, arrival, queue, arrived_at)
            }
            Command::LegAnswered { call, party, leg, sid } => d.leg_answered(call, party, leg, sid)?,
            Command::LegEnded { call, party, leg, outcome } => d.leg_ended(&call, &party, leg, outcome),
            Command::CallerLeft { call, conference } => d.caller_left(&call, conference.as_ref()),
            Command::ConferenceKnown { call, conference } => d.conference_known(call, conference),
            Command::VoicemailLeft { call, from, recording, seconds, recorded } => {
                d.voicemail_left(call, from, recording, seconds, recorded)
            }
            Command::Transcribed { call, text } => d.transcribed(call, text),
            Command::KeepWaiting { call, from } => d.keep_waiting(call, from),
            Command::MoveFailed { call, gone } => d.move_failed(call, gone),
            Command::RequestCallback { call, number } => d.request_callback(call, number)?,
            Command::ChooseVoicemail { call } => d.choose_voicemail(call)?,
            Command::Voicemail { agent, step } => d.voicemail_step(agent, step)?,
            Command::SetPresence { agent, wanted } => d.set_presence(agent, wanted)?,
            Command::Heartbeat { agents } => d.heartbeat(agents),
            Command::SignedOut { agent } => d.signed_out(agent)?,
            Command::Transfer { agent, action } => d.transfer(agent, action)?,
            Command::Hold { agent, hold } => d.hold(agent, hold)?,
            Command::Mute { agent, muted } => d.mute(agent, muted)?,
            Command::ArrangeFailed { call, reason } => d.arrange_failed(call, reason),
            Command::Roster { accounts, complete } => d.roster(accounts, complete),
            Command::Monitor { supervisor, call, mode } => d.monitor(supervisor, call, mode)?,
            Command::StopMonitoring { supervisor } => d.stop_monitoring(supervisor)?,
            Command::MonitorAnswered { call, supervisor, leg, sid } => d.monitor_answered(call, supervisor, leg, sid)?,
            Command::CoachRefused { call, supervisor, why } => d.coach_refused(call, supervisor, why),
            Command::RaiseHand { agent, raised } => d.raise_hand(agent, raised)?,
            Command::Supervise { supervisor, agent, action } => d.supervise(supervisor, agent, action)?,
            Command::Tick => d.tick(),
        }
        d.route();
        if let Some(call) = arrived {
            d.offer_callback_at_start(&call);
        }
        d.follow_owners();
        d.arrange();
        Ok(d.out)
    }
}

pub(super) struct Decider<'a> {
    pub(super) state: &'a mut State,
    pub(super) now: Millis,
    pub(super) rules: &'a Rules,
    pub(super) hours: &'a dyn Calendar,
    pub(super) out: Decision,
    /// Who each touched call had on hold before this decision.
    pub(super) before: BTreeMap<CallSid, Vec<(Who, Option<Music>)>>,
    /// Participants to take out of a call's conference, in order.
    pub(super) removals: Vec<(CallSid, Who)>,
    /// Calls whose every hold is asked for again (a retry after Twilio refused).
    pub(super) full: BTreeSet<CallSid>,
}

impl Decider<'_> {
    pub(super) fn emit(&mut self, event: Event) {
        if let Some(c) = event.call().and_then(|sid| self.state.calls.get(sid)) {
            self.before.entry(c.sid.clone()).or_insert_with(|| c.parties.iter().map(|p| (p.who.clone(), p.held)).collect());
        }
        self.state.apply(&event, self.now);
        self.out.events.push(event);
    }

    pub(super) fn effect(&mut self, effect: Effect) {
        self.out.effects.push(effect);
    }

    pub(super) fn presence(&mut self, agent: &AgentId, presence: Presence) {
        let unchanged = self.state.agents.get(agent).is_none_or(|a| a.presence == presence);
        if !unchanged {
            self.emit(Event::Agent(AgentEvent::PresenceChanged { agent: agent.clone(), presence, since: self.now }));
        }
    }

    /// Where an agent goes when their call is over: wrap-up, or straight back when there is none.
    pub(super) fn after_call(&mut self, agent: &AgentId) {
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

    pub(super) fn agent_known(&self, agent: &AgentId) -> Result<(), Refusal> {
        if self.state.agents.contains_key(agent) {
            Ok(())
        } else {
            Err(Refusal::UnknownAgent(agent.clone()))
        }
    }

    fn online(&self, agent: &AgentId) -> bool {
        self.state.agents.get(agent).is_some_and(|a| a.online(self.now))
    }

    pub(super) fn remove(&mut self, call: &CallSid, party: Party) {
        self.removals.push((call.clone(), Who::Party(party)));
    }

    // ---- calls ---------------------------------------------------------------------------------

    fn call_arrived(
        &mut self,
        call: CallSid,
        from: Option<PhoneNumber>,
        recorded: bool,
        arrival: Arrival,
        queue: Option<(QueueName, i32)>,
        arrived_at: Option<Millis>,
    ) {
        // Closed when they ring: the caller hears so (and when we open), and the call is on the
        // record. One already in their conference queues whatever the hours (they rang while
        // we were open, or nobody knows when), and so does one already queued (Twilio repeating
        // the webhook of a caller who rang while we were open).
        let queued = self.state.calls.contains_key(&call);
        let closed = match arrival {
            Arrival::Rings if !queued && !self.hours.is_open(self.now) => match self.hours.at(self.now) {
                Openness::Closed { why, opens } => Some((why, opens)),
                Openness::Open { .. } => None,
            },
            Arrival::Rings | Arrival::InConference => None,
        };
        self.out.reply = Some(match &closed {
            Some((why, opens)) => Reply::Closed { why: why.clone(), opens: *opens },
            None => Reply::Queued,
        });
        // Twilio repeats a webhook it thinks failed: the same caller queues once, and a call
        // already over (the repeat came late) is not queued again.
        if queued || recorded {
            return;
        }
        match closed {
            Some((why, _)) => self.emit(Event::Call(CallEvent::TurnedAway { call, from, reason: why.words() })),
            None => {
                let (queue, priority) = queue.map_or((None, 0), |(q, p)| (Some(q), p));
                // Kept aside while the database was away: queued as of when they rang (never later
                // than now, whatever the clocks of the instances say).
                let since = arrived_at.filter(|t| *t < self.now);
                self.emit(Event::Call(CallEvent::Queued { call, from, queue, priority, since }))
            }
        }
    }

    fn conference_known(&mut self, call: CallSid, conference: ConferenceSid) {
        // A late callback about a conference the caller has left is not their conference again.
        if self.state.calls.get(&call).is_some_and(|c| c.learns_conference(&conference)) {
            self.emit(Event::Call(CallEvent::ConferenceKnown { call, conference }));
        }
    }

    fn leg_answered(&mut self, call: CallSid, party: Party, leg: LegNo, sid: Option<CallSid>) -> Result<(), Refusal> {
        if let Some(agent) = party.agent() {
            self.agent_known(agent)?;
        }
        if self.is_callback_leg(&call, &party, leg) {
            self.out.reply = Some(Reply::Join { as_customer: true });
            if self.state.calls[&call].party(Role::Customer).is_some_and(|p| !p.joined) {
                self.emit(Event::Callback(CallbackEvent::CallbackAnswered { call, sid }));
            }
            return Ok(());
        }
        let c = self.state.calls.get(&call).ok_or_else(|| Refusal::UnknownCall(call.clone()))?;
        self.out.reply = Some(Reply::Join { as_customer: false });
        // Whether this leg is the target's or the owner's, and whether it had joined already.
        let joined = |role: Role| c.party(role).filter(|p| p.party() == Some(&party) && p.leg == leg).map(|p| p.joined);
        let (target, owner) = (joined(Role::Target), joined(Role::Owner));
        if let Some(joined) = target {
            if !joined {
                self.emit(Event::Transfer(TransferEvent::TargetAnswered { call: call.clone(), to: party.clone(), sid }));
                if let Party::Agent(agent) = &party {
                    self.presence(agent, Presence::OnCall { call });
                }
            }
            return Ok(());
        }
        let Some(joined) = owner else { return Err(Reason::NoLongerRinging(party).into()) };
        // Twilio fetched the join document again: the same answer, nothing new.
        if joined {
            return Ok(());
        }
        match party {
            Party::Agent(agent) => {
                self.emit(Event::Call(CallEvent::Answered { call: call.clone(), agent: agent.clone(), sid }));
                self.presence(&agent, Presence::OnCall { call: call.clone() });
                self.dial_callback(&call);
            }
            Party::Phone(number) => self.emit(Event::Call(CallEvent::OutsideAnswered { call, number, sid })),
        }
        Ok(())
    }

    fn leg_ended(&mut self, call: &CallSid, party: &Party, leg: LegNo, outcome: LegOutcome) {
        // A leg of a call that is over, or an older leg: its news is stale.
        if self.is_callback_leg(call, party, leg) {
            return self.callback_leg_ended(call, outcome);
        }
        let Some(c) = self.state.calls.get(call) else { return };
        // Answered-then-completed without our having seen the answer counts as failed.
        let unanswered = if outcome == LegOutcome::Completed { LegOutcome::Failed } else { outcome };
        let Some(p) = c.parties.iter().find(|p| p.party() == Some(party) && p.leg == leg && p.role != Role::Customer) else { return };
        let (role, joined) = (p.role, p.joined);
        let consult_target = c.target().cloned().filter(|_| c.transfer.is_some());
        match (role, party) {
            (Role::Target, _) if !joined => {
                self.emit(Event::Transfer(TransferEvent::TargetMissed { call: call.clone(), to: party.clone(), outcome: unanswered }));
                if let Party::Agent(agent) = party {
                    self.missed(agent, call, unanswered);
                }
            }
            (Role::Target, _) => {
                self.emit(Event::Transfer(TransferEvent::TargetLeft { call: call.clone(), to: party.clone() }));
                if let Party::Agent(agent) = party {
                    self.off_call(agent, call);
                }
            }
            (Role::Owner, Party::Agent(agent)) if !joined => self.offer_missed(call, agent, unanswered),
            (Role::Owner, Party::Agent(owner)) => match consult_target {
                // The first agent hung up during a consult: the customer stays for the target.
                Some(to) => {
                    self.emit(Event::Transfer(TransferEvent::TransferCompleted { call: call.clone(), by: owner.clone(), to }));
                    self.after_call(owner);
                }
                None => {
                    self.emit(Event::Call(CallEvent::Left { call: call.clone(), agent: owner.clone() }));
                    self.after_call(owner);
                    self.end_call(call, EndReason::AgentHungUp);
                }
            },
            (Role::Owner, Party::Phone(_)) if joined => self.end_call(call, EndReason::OutsideHungUp),
            (Role::Owner, Party::Phone(number)) => {
                self.emit(Event::Call(CallEvent::OutsideMissed { call: call.clone(), number: number.clone(), outcome: unanswered }));
            }
            (Role::Monitor, Party::Agent(supervisor)) => {
                self.emit(Event::Monitor(MonitorEvent::MonitorLeft { call: call.clone(), supervisor: supervisor.clone() }))
            }
            (Role::Customer | Role::Monitor, _) => {}
        }
    }

    /// The offered agent did not take the call: it goes back to the head of the queue.
    fn offer_missed(&mut self, call: &CallSid, agent: &AgentId, outcome: LegOutcome) {
        self.emit(Event::Call(CallEvent::OfferMissed { call: call.clone(), agent: agent.clone(), outcome }));
        self.missed(agent, call, outcome);
    }

    /// An agent who let a call ring out is set away, so the next caller does not ring an empty
    /// desk; one whose console is gone is offline.
    pub(super) fn missed(&mut self, agent: &AgentId, call: &CallSid, outcome: LegOutcome) {
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

    fn caller_left(&mut self, call: &CallSid, conference: Option<&ConferenceSid>) {
        // A caller moved to the callback menu leaves their conference (and it ends): they are not
        // gone. Nor is a callback's or a voicemail's: their caller hung up on purpose. Nor is one
        // back from the menu in a new conference of the same name, when Twilio's word about the
        // one they left comes late.
        let on_the_line = self
            .state
            .calls
            .get(call)
            .is_some_and(|c| c.menu_until.is_none() && c.is_live_caller() && conference.is_none_or(|cf| !c.left_conference(cf)));
        if on_the_line {
            self.end_call(call, EndReason::CallerHungUp);
        }
    }

    /// The call is over: whoever rings for it stops (and is free again, told why on their
    /// call's timeline), whoever is on it goes to wrap-up, and when the customer is still there
    /// (the other side ended it) they are hung up.
    pub(super) fn end_call(&mut self, call: &CallSid, reason: EndReason) {
        let Some(c) = self.state.calls.get(call).cloned() else { return };
        self.monitors_leave(&c);
        for p in c.parties.iter().filter(|p| matches!(p.role, Role::Owner | Role::Target)) {
            let Some(party) = p.party() else { continue };
            match (p.joined, party) {
                (false, Party::Agent(agent)) => {
                    self.emit(Event::Call(CallEvent::OfferWithdrawn { call: call.clone(), agent: agent.clone() }));
                    self.effect(Effect::CancelLeg { call: call.clone(), party: party.clone(), leg: p.leg });
                    self.ring_stopped(agent, call);
                }
                (false, Party::Phone(_)) => self.effect(Effect::CancelLeg { call: call.clone(), party: party.clone(), leg: p.leg }),
                (true, Party::Agent(agent)) => self.off_call(agent, call),
                (true, Party::Phone(_)) => {}
            }
        }
        // An abandon: a caller on the line who hung up before any agent answered (a callback or
        // a voicemail never is: their caller hung up on purpose).
        let abandoned = reason == EndReason::CallerHungUp && c.is_live_caller() && !c.started;
        self.emit(Event::Call(CallEvent::Ended { call: call.clone(), reason, abandoned }));
        // Only a caller on the line is hung up (not a voicemail's, nor a callback's not reached);
        // a callback's caller is on a leg of their own.
        let customer = c.party(Role::Customer).filter(|p| p.joined);
        if let Some(p) = customer.filter(|_| reason != EndReason::CallerHungUp) {
            let sid = p.sid.clone().filter(|s| s != call);
            self.effect(Effect::HangUpCaller { call: call.clone(), sid });
        }
    }

    // ---- transfers -----------------------------------------------------------------------------

    /// The call `agent` owns, or why they cannot act on one.
    pub(super) fn owned_call(&self, agent: &AgentId) -> Result<Call, Refusal> {
        let Presence::OnCall { call } = &self.state.agents[agent].presence else { return Err(Reason::NotOnCall.into()) };
        let c = self.state.calls.get(call).ok_or(Reason::NotOnCall)?;
        match c.owner() {
            Some(owner) if owner == agent => Ok(c.clone()),
            Some(owner) => Err(Reason::NotYourCall { owner: owner.clone() }.into()),
            None => Err(Reason::NotOnCall.into()),
        }
    }

    /// Checks that `target` may be rung for a transfer from `agent`.
    fn check_target(&self, agent: &AgentId, target: &Target) -> Result<(), Refusal> {
        if let Target::Agent(to) = target {
            if to == agent {
                return Err(Reason::ToYourself.into());
            }
            self.agent_known(to)?;
            if !self.state.free(to, self.now) {
                let presence = match &self.state.agents[to].presence {
                    _ if !self.online(to) => "offline",
                    Presence::Available => "on a call",
                    p => p.word(),
                };
                return Err(Reason::TargetNotAvailable { agent: to.clone(), presence }.into());
            }
        }
        Ok(())
    }

    fn transfer(&mut self, agent: AgentId, action: TransferAction) -> Result<(), Refusal> {
        self.agent_known(&agent)?;
        let c = self.owned_call(&agent)?;
        let call = c.sid.clone();
        let target = c.target().cloned();
        match action {
            TransferAction::Consult { to, note } => {
                if c.transfer.is_some() {
                    return Err(Reason::TransferInProgress.into());
                }
                let Some(party) = to.party() else { return Err(Reason::ConsultNeedsPerson.into()) };
                self.check_target(&agent, &to)?;
                let note: String = note.trim().chars().take(NOTE_MAX_CHARS).collect();
                let leg = c.legs + 1;
                self.emit(Event::Transfer(TransferEvent::ConsultStarted { call: call.clone(), by: agent, to: party.clone(), leg, note }));
                if let Party::Agent(a) = &party {
                    self.presence(a, Presence::Ringing { call: call.clone() });
                }
                self.effect(Effect::Dial { call, party, leg });
            }
            TransferAction::Blind { to } => {
                if c.transfer.is_some() {
                    return Err(Reason::ConsultInProgress.into());
                }
                self.check_target(&agent, &to)?;
                let party = to.party();
                let leg = party.as_ref().map(|_| c.legs + 1);
                self.emit(Event::Transfer(TransferEvent::Transferred { call: call.clone(), by: agent.clone(), to, leg }));
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
                let (t, to) = c.transfer.clone().zip(target).ok_or(Reason::NoTransfer)?;
                match (&action, t.stage) {
                    (_, Stage::Ringing) => return Err(Reason::NotAnsweredYet(to).into()),
                    (TransferAction::Leave, Stage::Talking { .. }) => return Err(Reason::LeaveNeedsThreeWay.into()),
                    _ => {}
                }
                self.emit(Event::Transfer(TransferEvent::TransferCompleted { call: call.clone(), by: agent.clone(), to }));
                self.remove(&call, Party::Agent(agent.clone()));
                self.after_call(&agent);
            }
            TransferAction::Cancel => {
                let (t, to) = c.transfer.clone().zip(target).ok_or(Reason::NoTransfer)?;
                let leg = c.party(Role::Target).map(|p| p.leg).unwrap_or(c.legs);
                self.emit(Event::Transfer(TransferEvent::ConsultCancelled { call: call.clone(), by: agent }));
                if t.stage == Stage::Ringing {
                    self.effect(Effect::CancelLeg { call: call.clone(), party: to.clone(), leg });
                    if let Some(a) = to.agent() {
                        self.ring_stopped(a, &call);
                    }
                } else {
                    self.remove(&call, to.clone());
                    if let Some(a) = to.agent() {
                        self.off_call(a, &call);
                    }
                }
            }
            TransferAction::ThreeWay => {
                let (t, to) = c.transfer.clone().zip(target).ok_or(Reason::NoTransfer)?;
                match t.stage {
                    Stage::Ringing => return Err(Reason::TargetStillRinging(to).into()),
                    Stage::ThreeWay => return Err(Reason::AlreadyThreeWay.into()),
                    Stage::Talking { .. } => self.emit(Event::Transfer(TransferEvent::ThreeWayStarted { call })),
                }
            }
            TransferAction::Swap => {
                let t = c.transfer.clone().ok_or(Reason::NoTransfer)?;
                let Stage::Talking { with } = t.stage else { return Err(Reason::SwapNeedsAnswer.into()) };
                let with = if with == Side::Target { Side::Customer } else { Side::Target };
                self.emit(Event::Transfer(TransferEvent::Swapped { call, with }));
            }
            TransferAction::Retry => {
                if !c.notice.as_ref().is_some_and(|n| n.retry) {
                    return Err(Reason::NothingToRetry.into());
                }
                self.emit(Event::Call(CallEvent::Rearranged { call: call.clone(), by: agent }));
                self.full.insert(call);
            }
        }
        Ok(())
    }

    fn hold(&mut self, agent: AgentId, hold: bool) -> Result<(), Refusal> {
        self.agent_known(&agent)?;
        let c = self.owned_call(&agent)?;
        if c.transfer.is_some() {
            return Err(Reason::HoldDuringTransfer.into());
        }
        let held = c.party(Role::Customer).is_some_and(|p| p.held.is_some());
        if held != hold {
            self.emit(Event::Call(CallEvent::CustomerHeld { call: c.sid, by: agent, hold }));
        }
        Ok(())
    }

    fn mute(&mut self, agent: AgentId, muted: bool) -> Result<(), Refusal> {
        self.agent_known(&agent)?;
        // On a call, or a supervisor monitoring one (their browser mutes itself there too).
        let call = match self.state.agents[&agent].presence.clone() {
            Presence::OnCall { call } => call,
            _ => self.state.monitored_by(&agent).map(|c| c.sid.clone()).ok_or(Reason::NotOnCall)?,
        };
        let is_muted = self.state.calls.get(&call).is_some_and(|c| c.muted(&agent));
        if is_muted != muted {
            self.emit(Event::Call(CallEvent::Muted { call, agent, muted }));
        }
        Ok(())
    }

    fn arrange_failed(&mut self, call: CallSid, reason: String) {
        if self.state.calls.contains_key(&call) {
            self.emit(Event::Call(CallEvent::ArrangeFailed { call, reason }));
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
            (Presence::Ringing { .. }, _) => return Err(Reason::Ringing.into()),
            (Presence::OnCall { .. }, _) => return Err(Reason::OnCall.into()),
            (Presence::Away { reason: AwayReason::Chosen }, Wanted::Away)
            | (Presence::Available, Wanted::Available)
            | (Presence::Offline, Wanted::Offline) => None,
            (_, Wanted::Offline) => Some(Presence::Offline),
            (_, Wanted::Available) => Some(Presence::Available),
            (_, Wanted::Away) => Some(Presence::Away { reason: AwayReason::Chosen }),
        };
        // Acting from the console shows it is there: its lease is renewed.
        if self.state.agents[&agent].online_until.is_some() {
            self.emit(Event::Agent(AgentEvent::Seen { agent: agent.clone(), until: self.now + self.rules.lease }));
        }
        if let Some(next) = next {
            self.presence(&agent, next);
        }
        Ok(())
    }

    fn heartbeat(&mut self, agents: Vec<AgentId>) {
        for agent in agents {
            if self.state.agents.contains_key(&agent) {
                self.emit(Event::Agent(AgentEvent::Seen { agent, until: self.now + self.rules.lease }));
            }
        }
    }

    /// Offline, and said even when they already were: their open streams end on that word.
    fn signed_out(&mut self, agent: AgentId) -> Result<(), Refusal> {
        self.agent_known(&agent)?;
        self.gone(&agent);
        self.emit(Event::Agent(AgentEvent::SignedOut { agent }));
        Ok(())
    }

    /// The agent's console is gone: a ringing leg (an offer or a transfer) is given up at once,
    /// and the agent is offline. A call in progress is left alone (the audio may well outlive
    /// the page); its end comes from Twilio.
    pub(super) fn gone(&mut self, agent: &AgentId) {
        match self.state.agents[agent].presence.clone() {
            // A voicemail has no audio to outlive the page: it waits for the next agent.
            Presence::OnCall { call } if self.is_voicemail(&call) => {
                self.voicemail_returned(agent, &call);
                self.presence(agent, Presence::Offline);
            }
            Presence::OnCall { .. } | Presence::Offline => {}
            Presence::Ringing { call } => {
                let party = Party::Agent(agent.clone());
                if let Some(leg) = self.state.calls.get(&call).and_then(|c| c.ringing_leg()).filter(|(p, _)| *p == party).map(|(_, l)| l) {
                    if !self.is_voicemail(&call) {
                        self.effect(Effect::CancelLeg { call: call.clone(), party: party.clone(), leg });
                    }
                    self.leg_ended(&call, &party, leg, LegOutcome::Gone);
                }
                self.presence(agent, Presence::Offline);
            }
            _ => self.presence(agent, Presence::Offline),
        }
    }

    /// The accounts as stored: see [`State::roster_events`].
    fn roster(&mut self, accounts: Vec<Account>, complete: bool) {
        for event in self.state.roster_events(&accounts, complete) {
            self.emit(event);
        }
    }

    // ---- time ----------------------------------------------------------------------------------

    /// Closing time (the schedule's, or the switch): every caller still waiting is offered a
    /// callback or a message (they keep their place if they wait on).
    fn look_at_the_hours(&mut self) {
        let open = self.hours.is_open(self.now);
        if self.state.seen_open == Some(true) && !open {
            self.offer_callbacks(true);
        }
        self.state.seen_open = Some(open);
    }

    fn tick(&mut self) {
        self.look_at_the_hours();
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
            .attended()
            .filter(|c| c.ringing_since().is_some_and(|since| since + self.rules.ring_timeout + self.rules.offer_grace <= now))
            .filter_map(|c| c.ringing_leg().map(|(party, leg)| (c.sid.clone(), party, leg)))
            .collect();
        self.menus_expired();
        self.offer_callbacks(false);
        for (call, party, leg) in overdue {
            if !self.is_voicemail(&call) {
                self.effect(Effect::CancelLeg { call: call.clone(), party: party.clone(), leg });
            }
            self.leg_ended(&call, &party, leg, LegOutcome::NoAnswer);
        }
    }

    // ---- routing -------------------------------------------------------------------------------

    /// While a caller waits and an agent is free: the longest-idle available agent is offered
    /// the call at the head of the queue. An agent who is part of any call, in any role, is not
    /// free.
    fn route(&mut self) {
        // Runs after every command: the cheap checks first. A long queue is exactly when nobody
        // is available, and who is engaged is a walk over every call.
        let now = self.now;
        if self.state.queue.is_empty() || !self.state.agents.values().any(|a| a.presence == Presence::Available && a.online(now)) {
            return;
        }
        let mut engaged: BTreeSet<AgentId> = self.state.engaged().into_iter().cloned().collect();
        // With one queue (or all of one priority) the first match in queue order wins.
        let priorities = self.state.queued().any(|c| c.priority != 0);
        loop {
            // The free agents, longest idle first.
            let mut free: Vec<&Agent> = self
                .state
                .agents
                .values()
                .filter(|a| a.presence == Presence::Available && a.online(now) && !engaged.contains(&a.id))
                .collect();
            if free.is_empty() {
                return;
            }
            free.sort_by(|a, b| (a.since, &a.id).cmp(&(b.since, &b.id)));
            // The call to offer: of the highest priority, the first in queue order that one of
            // them takes (their skills), and the longest idle of those who take it. A caller in
            // the callback menu, or a callback waiting to try again, keeps their place but lets
            // the next one go.
            let mut best: Option<(i32, CallSid, AgentId)> = None;
            for c in self.state.queued() {
                if !c.routable(now) || best.as_ref().is_some_and(|(p, ..)| *p >= c.priority) {
                    continue;
                }
                if let Some(a) = free.iter().find(|a| a.takes(c.queue.as_ref())) {
                    best = Some((c.priority, c.sid.clone(), a.id.clone()));
                    if !priorities {
                        break;
                    }
                }
            }
            let Some((_, call, agent)) = best else { return };
            let leg = self.state.calls[&call].legs + 1;
            self.emit(Event::Call(CallEvent::Offered { call: call.clone(), agent: agent.clone(), leg }));
            self.presence(&agent, Presence::Ringing { call: call.clone() });
            // A voicemail is offered on the console: no phone rings for it.
            if !self.is_voicemail(&call) {
                self.effect(Effect::Dial { call, party: Party::Agent(agent.clone()), leg });
            }
            engaged.insert(agent);
        }
    }
}

impl CallPhase {
    /// The agent the call rings for or is connected to.
    pub fn agent(&self) -> Option<&AgentId> {
        match self {
            CallPhase::Offered { agent, .. } | CallPhase::Connected { owner: agent, .. } => Some(agent),
            CallPhase::Queued | CallPhase::Outside { .. } => None,
        }
    }
}
