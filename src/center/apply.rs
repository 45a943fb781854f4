//! The state changes each decided event makes. Events are facts: applying one never fails, and
//! applying the same events to the same state gives the same state (other instances rely on it).

use super::agent::Agent;
use super::call::{Call, CallKind, CallNotice, Callback, Music, Participant, Side, Stage, Transfer, Voicemail};
use super::command::Target;
use super::event::Event;
use super::event::{AgentEvent, CallEvent, CallbackEvent, MonitorEvent, TransferEvent, VoicemailEvent};
use super::party::{Party, Role};
use super::rules::Millis;
use super::state::State;
use crate::ids::CallSid;

impl State {
    /// Applies one decided event.
    pub fn apply(&mut self, event: &Event, now: Millis) {
        self.change(event, now);
        if let Some(call) = event.call() {
            self.reindex(call);
        }
    }

    fn change(&mut self, event: &Event, now: Millis) {
        match event {
            Event::Call(event) => self.call_changes(event, now),
            Event::Transfer(event) => self.transfer_changes(event, now),
            Event::Voicemail(event) => self.voicemail_changes(event, now),
            Event::Callback(event) => self.callback_changes(event, now),
            Event::Monitor(event) => self.monitor_changes(event, now),
            Event::Agent(event) => self.agent_changes(event, now),
        }
    }

    /// A caller's call: queued, offered, answered, held, ended, its conference.
    fn call_changes(&mut self, event: &CallEvent, now: Millis) {
        match event {
            CallEvent::Queued { call, from, queue, priority, since } => {
                let mut c = Call::new(call.clone(), from.clone(), since.unwrap_or(now));
                c.queue = queue.clone();
                c.priority = *priority;
                self.insert_call(c)
            }
            CallEvent::Offered { call, agent, leg } => {
                let Some(c) = self.calls.get_mut(call) else { return };
                self.queue.remove(&c.queue_key());
                c.parties.retain(|p| p.role != Role::Owner);
                c.parties.push(Participant::ringing(Party::Agent(agent.clone()), Role::Owner, *leg, now));
                c.transferred_by = None;
                c.legs = c.legs.max(*leg);
                hold_customer(c, c.waiting(Music::Transfer));
            }
            CallEvent::OfferMissed { call, .. } | CallEvent::OutsideMissed { call, .. } => self.requeue(call, Music::Queue),
            CallEvent::Answered { call, sid, .. } => {
                let Some(c) = self.calls.get_mut(call) else { return };
                // How long the latest caller answered waited: the queue's recent answer time.
                if c.is_live_caller() && !c.started {
                    self.recent_wait = Some(now - c.queued_at);
                }
                if let Some(owner) = c.party_mut(Role::Owner) {
                    owner.joined = true;
                    owner.since = now;
                    owner.sid = sid.clone();
                }
                c.started = true;
                c.transferred_by = None;
                // Whoever held the customer before is gone: the new agent talks with them.
                hold_customer(c, None);
            }
            CallEvent::OutsideAnswered { call, sid, .. } => {
                let Some(c) = self.calls.get_mut(call) else { return };
                if let Some(owner) = c.party_mut(Role::Owner) {
                    owner.joined = true;
                    owner.since = now;
                    owner.sid = sid.clone();
                }
                hold_customer(c, None);
            }
            CallEvent::Ended { call, .. } => self.remove_call(call),
            CallEvent::ConferenceKnown { call, conference } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.conference = Some(conference.clone());
                }
            }
            CallEvent::ArrangeFailed { call, .. } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.notice = Some(CallNotice { text: event.describe(), at: now, retry: true });
                }
            }
            CallEvent::Rearranged { call, .. } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.notice = None;
                }
            }
            CallEvent::CustomerHeld { call, hold, .. } => {
                if let Some(c) = self.calls.get_mut(call) {
                    hold_customer(c, hold.then_some(Music::Hold));
                }
            }
            CallEvent::Muted { call, agent, muted } => {
                if let Some(p) = self.calls.get_mut(call).and_then(|c| c.parties.iter_mut().find(|p| p.agent() == Some(agent))) {
                    p.muted = *muted;
                }
            }
            CallEvent::OfferWithdrawn { .. } | CallEvent::Left { .. } | CallEvent::TurnedAway { .. } => {}
        }
    }

    /// A consult and its target, a swap, a three-way, the handover, a blind transfer.
    fn transfer_changes(&mut self, event: &TransferEvent, now: Millis) {
        match event {
            TransferEvent::ConsultStarted { call, to, leg, note, .. } => {
                let Some(c) = self.calls.get_mut(call) else { return };
                c.parties.retain(|p| p.role != Role::Target);
                c.parties.push(Participant::ringing(to.clone(), Role::Target, *leg, now));
                c.transfer = Some(Transfer { note: note.clone(), stage: Stage::Ringing, since: now });
                c.legs = c.legs.max(*leg);
                c.notice = None;
                // The consult holds the customer; when it ends they are back, talking.
                hold_customer(c, Some(Music::Hold));
            }
            TransferEvent::TargetAnswered { call, sid, .. } => {
                let Some(c) = self.calls.get_mut(call) else { return };
                if let Some(target) = c.party_mut(Role::Target) {
                    target.joined = true;
                    target.since = now;
                    target.sid = sid.clone();
                }
                if let Some(t) = c.transfer.as_mut() {
                    t.stage = Stage::Talking { with: Side::Target };
                    t.since = now;
                }
            }
            TransferEvent::TargetMissed { call, .. } | TransferEvent::TargetLeft { call, .. } => {
                let Some(c) = self.calls.get_mut(call) else { return };
                end_consult(c);
                c.notice = Some(CallNotice { text: event.describe(), at: now, retry: false });
            }
            TransferEvent::ConsultCancelled { call, .. } => {
                if let Some(c) = self.calls.get_mut(call) {
                    end_consult(c);
                }
            }
            TransferEvent::Swapped { call, with } => {
                let Some(c) = self.calls.get_mut(call) else { return };
                if let Some(t) = c.transfer.as_mut() {
                    t.stage = Stage::Talking { with: *with };
                }
                let (customer, target) = match with {
                    Side::Customer => (None, Some(Music::Hold)),
                    Side::Target => (Some(Music::Hold), None),
                };
                hold_customer(c, customer);
                if let Some(t) = c.party_mut(Role::Target) {
                    t.held = target;
                }
            }
            TransferEvent::ThreeWayStarted { call } => {
                let Some(c) = self.calls.get_mut(call) else { return };
                if let Some(t) = c.transfer.as_mut() {
                    t.stage = Stage::ThreeWay;
                }
                hold_customer(c, None);
                if let Some(t) = c.party_mut(Role::Target) {
                    t.held = None;
                }
            }
            TransferEvent::TransferCompleted { call, by, .. } => {
                let Some(c) = self.calls.get_mut(call) else { return };
                if c.transfer.take().is_none() {
                    return;
                }
                // The call's time goes on with the agent who takes it over.
                let connected_since = c.party(Role::Owner).filter(|o| o.joined).map(|o| o.since);
                c.parties.retain(|p| p.role != Role::Owner);
                let Some(target) = c.party_mut(Role::Target) else { return };
                target.role = Role::Owner;
                target.held = None;
                let (joined, agent) = (target.joined, target.agent().is_some());
                target.since = match (agent, joined) {
                    (true, true) => connected_since.unwrap_or(now),
                    (false, true) => now,
                    (_, false) => target.since,
                };
                c.transferred_by = if agent && joined { None } else { Some(by.clone()) };
                let customer = if joined { None } else { c.waiting(Music::Transfer) };
                hold_customer(c, customer);
            }
            TransferEvent::Transferred { call, by, to, leg } => {
                let Some(c) = self.calls.get_mut(call) else { return };
                c.notice = None;
                c.parties.retain(|p| p.role != Role::Owner);
                c.legs = c.legs.max(leg.unwrap_or(0));
                let leg = leg.unwrap_or(c.legs);
                match to.party() {
                    Some(party) => {
                        c.parties.push(Participant::ringing(party, Role::Owner, leg, now));
                        c.transferred_by = Some(by.clone());
                        hold_customer(c, c.waiting(Music::Transfer));
                    }
                    // Sent back to the queue, the customer is told why, as for any blind
                    // transfer, before they hear their place again.
                    None => {
                        debug_assert_eq!(to, &Target::Queue);
                        self.requeue(call, Music::Transfer);
                    }
                }
            }
        }
    }

    /// A message: left, transcribed, taken, returned, called back, handled.
    fn voicemail_changes(&mut self, event: &VoicemailEvent, now: Millis) {
        match event {
            VoicemailEvent::VoicemailLeft { call, from, recording, seconds } => {
                let message = Voicemail { recording: recording.clone(), seconds: *seconds, transcript: None };
                self.insert_call(Call::voicemail(call.clone(), from.clone(), message, now))
            }
            VoicemailEvent::VoicemailTranscribed { call, text } => {
                if let Some(CallKind::Voicemail(v)) = self.calls.get_mut(call).map(|c| &mut c.kind) {
                    v.transcript = Some(text.clone());
                }
            }
            VoicemailEvent::VoicemailTaken { call, .. } => {
                if let Some(owner) = self.calls.get_mut(call).and_then(|c| c.party_mut(Role::Owner)) {
                    owner.joined = true;
                    owner.since = now;
                }
            }
            VoicemailEvent::VoicemailReturned { call, .. } => self.requeue(call, Music::Queue),
            VoicemailEvent::VoicemailCalledBack { call, agent, number, leg } => {
                let Some(c) = self.calls.get_mut(call) else { return };
                // From now on a callback like any other, made by this agent: their phone first.
                c.kind = CallKind::Callback(Callback::new(number.clone(), now));
                c.parties.retain(|p| p.role != Role::Owner);
                c.parties.push(Participant::ringing(Party::Agent(agent.clone()), Role::Owner, *leg, now));
                c.legs = c.legs.max(*leg);
            }
            VoicemailEvent::VoicemailHandled { .. } => {}
        }
    }

    /// A callback: offered in the menu, requested, dialled, answered or missed.
    fn callback_changes(&mut self, event: &CallbackEvent, now: Millis) {
        match event {
            CallbackEvent::CallbackOffered { call, until, .. } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.callback_offered = true;
                    c.menu_until = Some(*until);
                    // The caller leaves their conference for the menu; back in the queue they join
                    // a new one of the same name, learned from its own callbacks.
                    if let Some(cf) = c.conference.take() {
                        c.left_conferences.push(cf);
                    }
                }
            }
            CallbackEvent::BackInQueue { call } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.menu_until = None;
                }
            }
            CallbackEvent::CallbackRequested { call, number } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.menu_until = None;
                    c.kind = CallKind::Callback(Callback::new(number.clone(), now));
                    // The caller hangs up: the request waits in their place, nobody on the line.
                    if let Some(customer) = c.party_mut(Role::Customer) {
                        customer.joined = false;
                        customer.held = None;
                        customer.sid = None;
                    }
                }
            }
            CallbackEvent::CallbackDialled { call, attempt, leg, .. } => {
                let Some(c) = self.calls.get_mut(call) else { return };
                c.legs = c.legs.max(*leg);
                if let Some(cb) = c.as_callback_mut() {
                    cb.attempts = *attempt;
                    cb.not_before = None;
                }
                if let Some(customer) = c.party_mut(Role::Customer) {
                    customer.leg = *leg;
                    customer.since = now;
                }
            }
            CallbackEvent::CallbackAnswered { call, sid } => {
                if let Some(customer) = self.calls.get_mut(call).and_then(|c| c.party_mut(Role::Customer)) {
                    customer.joined = true;
                    customer.since = now;
                    customer.sid = sid.clone();
                }
            }
            CallbackEvent::CallbackMissed { call, outcome, retry_at, .. } => {
                let Some(c) = self.calls.get_mut(call) else { return };
                if let Some(cb) = c.as_callback_mut() {
                    cb.last = Some(*outcome);
                    cb.not_before = *retry_at;
                }
                // The next attempt starts afresh, in a new conference: in its place in the queue.
                c.started = false;
                c.conference = None;
                self.requeue(call, Music::Queue);
            }
        }
    }

    /// A supervisor on a call, and an agent's raised hand.
    fn monitor_changes(&mut self, event: &MonitorEvent, now: Millis) {
        match event {
            MonitorEvent::MonitorRinging { call, supervisor, leg, mode } => {
                let Some(c) = self.calls.get_mut(call) else { return };
                c.parties.retain(|p| p.agent() != Some(supervisor));
                c.parties.push(Participant::monitor(supervisor.clone(), *leg, *mode, now));
                c.legs = c.legs.max(*leg);
            }
            MonitorEvent::MonitorJoined { call, supervisor, sid } => {
                if let Some(p) = self.calls.get_mut(call).and_then(|c| c.monitor_mut(supervisor)) {
                    p.joined = true;
                    p.since = now;
                    p.sid = sid.clone();
                }
            }
            MonitorEvent::MonitorModeSet { call, supervisor, mode, coaching, note } => {
                if let Some(p) = self.calls.get_mut(call).and_then(|c| c.monitor_mut(supervisor)) {
                    p.mode = Some(*mode);
                    p.coaching = coaching.clone();
                    p.note = note.clone();
                }
            }
            MonitorEvent::MonitorLeft { call, supervisor } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.parties.retain(|p| !(p.role == Role::Monitor && p.agent() == Some(supervisor)));
                }
            }
            MonitorEvent::HandRaised { call, raised, .. } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.help = raised.then_some(now);
                }
            }
            MonitorEvent::CoachRefused { .. } => {}
        }
    }

    /// An agent: presence, leases, signing out, accounts.
    fn agent_changes(&mut self, event: &AgentEvent, _now: Millis) {
        match event {
            AgentEvent::Supervised { .. } => {}
            AgentEvent::PresenceChanged { agent, presence, since } => {
                // Off a call: its mute is over with it.
                let left = self.agents.get(agent).map(|a| a.presence.clone()).filter(|p| p != presence).and_then(|p| p.call().cloned());
                if let Some(p) =
                    left.and_then(|call| self.calls.get_mut(&call)).and_then(|c| c.parties.iter_mut().find(|p| p.agent() == Some(agent)))
                {
                    p.muted = false;
                }
                if let Some(a) = self.agents.get_mut(agent) {
                    a.presence = presence.clone();
                    a.since = *since;
                }
            }
            AgentEvent::Seen { agent, until } => {
                if let Some(a) = self.agents.get_mut(agent) {
                    a.online_until = Some(*until);
                }
            }
            // No console of theirs holds a lease any more.
            AgentEvent::SignedOut { agent } => {
                if let Some(a) = self.agents.get_mut(agent) {
                    a.online_until = None;
                }
            }
            AgentEvent::AccountAdded { agent, name, role, queues } => {
                let a = self.agents.entry(agent.clone()).or_insert_with(|| Agent::named(agent.clone(), name.clone(), *role));
                a.queues = queues.clone();
            }
            AgentEvent::AccountChanged { agent, name, role, queues } => {
                if let Some(a) = self.agents.get_mut(agent) {
                    a.name = name.clone();
                    a.role = *role;
                    a.queues = queues.clone();
                }
            }
            AgentEvent::AccountRemoved { agent } => {
                self.agents.remove(agent);
            }
        }
    }

    /// Puts a call back in the queue, the customer held with `music` if the conference has
    /// started. One that had been talking to an agent (a transfer that failed, or one to the
    /// queue) goes ahead of everyone waiting; one that only rang keeps its place.
    fn requeue(&mut self, call: &CallSid, music: Music) {
        let head = self.queue.first().map(|(k, _)| *k);
        let Some(c) = self.calls.get_mut(call) else { return };
        c.parties.retain(|p| !matches!(p.role, Role::Owner | Role::Target));
        c.transfer = None;
        c.transferred_by = None;
        hold_customer(c, c.waiting(music));
        if c.started {
            let own = c.queue_key().0;
            if let Some(head) = head.filter(|h| *h <= own) {
                c.queue_key = Some(head - 1);
            }
        }
        self.queue.insert(c.queue_key());
    }
}

/// The customer on hold with `music`, or off hold.
fn hold_customer(c: &mut Call, music: Option<Music>) {
    if let Some(customer) = c.party_mut(Role::Customer) {
        customer.held = music;
    }
}

/// The consult is over (failed, left, cancelled): the target goes and the customer is back
/// with the owner, talking.
fn end_consult(c: &mut Call) {
    c.transfer = None;
    c.parties.retain(|p| p.role != Role::Target);
    hold_customer(c, None);
}
