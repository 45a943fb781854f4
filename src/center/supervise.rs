//! The supervisor's rules: listen, whisper and barge on a live call (one participant whose mode
//! changes, never a new leg), monitoring that follows the call's owner, an agent's raised hand,
//! and a supervisor setting an agent's presence.

use super::agent::{AgentRole, AwayReason, Presence};
use super::call::{Call, LegNo};
use super::command::{CoachRefusal, SupervisorAction};
use super::decide::Decider;
use super::effect::{Effect, Move};
use super::event::Event;
use super::event::{AgentEvent, MonitorEvent};
use super::party::{MonitorMode, Party, Role, Who};
use super::refusal::{Reason, Refusal};
use crate::ids::{AgentId, CallSid};

/// Twilio's limit of participants in one conference (error 16020 past it).
pub const CONFERENCE_LIMIT: usize = 250;

impl Decider<'_> {
    fn supervisor(&self, who: &AgentId) -> Result<(), Refusal> {
        self.agent_known(who)?;
        if self.state.agents[who].role != AgentRole::Supervisor {
            return Err(Reason::SupervisorsOnly.into());
        }
        Ok(())
    }

    /// Who `mode` coaches on `c`, and their leg: the owner, once their leg's sid is known.
    fn coach_target(c: &Call, mode: MonitorMode) -> Result<Option<(AgentId, CallSid)>, Refusal> {
        if mode != MonitorMode::Whisper {
            return Ok(None);
        }
        let owner = c.owner().ok_or(Reason::NobodyToCoach)?;
        let sid = c.party(Role::Owner).and_then(|p| p.sid.clone()).ok_or_else(|| Reason::CoachLegUnknown(owner.clone()))?;
        Ok(Some((owner.clone(), sid)))
    }

    pub(super) fn monitor(&mut self, supervisor: AgentId, call: CallSid, mode: MonitorMode) -> Result<(), Refusal> {
        self.supervisor(&supervisor)?;
        let c = self.state.calls.get(&call).ok_or_else(|| Refusal::UnknownCall(call.clone()))?;
        if let Some(p) = c.participant(&supervisor) {
            if p.role != Role::Monitor {
                return Err(Reason::YourOwnCall.into());
            }
            // Monitoring this call already: a switch of mode, on the same participant.
            if p.mode == Some(mode) {
                return Ok(());
            }
            let joined = p.joined;
            let target = Self::coach_target(c, mode)?;
            self.emit(Event::Monitor(MonitorEvent::MonitorModeSet {
                call: call.clone(),
                supervisor: supervisor.clone(),
                mode,
                coaching: target.as_ref().map(|(a, _)| a.clone()),
                note: None,
            }));
            // A leg still ringing takes its mode when it answers.
            if joined {
                self.effect(Effect::UpdateMonitor { call, supervisor, mode, coach: target.map(|(_, sid)| sid) });
            }
            return Ok(());
        }
        if let Some(other) = self.state.monitored_by(&supervisor) {
            return Err(Reason::MonitoringAnother(other.sid.clone()).into());
        }
        match &self.state.agents[&supervisor].presence {
            Presence::Ringing { .. } => return Err(Reason::Ringing.into()),
            Presence::OnCall { .. } => return Err(Reason::OnCall.into()),
            _ => {}
        }
        let c = &self.state.calls[&call];
        if c.owner().is_none() {
            return Err(Reason::NotMonitorable.into());
        }
        if c.parties.len() >= CONFERENCE_LIMIT {
            return Err(Reason::ConferenceFull(CONFERENCE_LIMIT).into());
        }
        // Checked now so that a whisper asked for at once is refused before a phone rings.
        Self::coach_target(c, mode)?;
        let leg = c.legs + 1;
        self.emit(Event::Monitor(MonitorEvent::MonitorRinging { call: call.clone(), supervisor: supervisor.clone(), leg, mode }));
        self.effect(Effect::AddMonitor { call, supervisor, leg });
        Ok(())
    }

    pub(super) fn stop_monitoring(&mut self, supervisor: AgentId) -> Result<(), Refusal> {
        self.supervisor(&supervisor)?;
        let c = self.state.monitored_by(&supervisor).ok_or(Reason::NotMonitoring)?.clone();
        self.leave_monitoring(&c, &supervisor);
        Ok(())
    }

    /// The supervisor leaves `c`: their leg is taken out of the conference (a ringing one is
    /// cancelled), without a sound for anyone (they joined with `Beep=false`).
    fn leave_monitoring(&mut self, c: &Call, supervisor: &AgentId) {
        let Some(p) = c.monitor(supervisor) else { return };
        let (joined, leg) = (p.joined, p.leg);
        self.emit(Event::Monitor(MonitorEvent::MonitorLeft { call: c.sid.clone(), supervisor: supervisor.clone() }));
        let party = Party::Agent(supervisor.clone());
        if joined {
            self.effect(Effect::Arrange { call: c.sid.clone(), moves: vec![Move::Remove { who: Who::Party(party) }] });
        } else {
            self.effect(Effect::CancelLeg { call: c.sid.clone(), party, leg });
        }
    }

    /// The call is over: every supervisor on it leaves (a ringing leg is cancelled; a joined one
    /// ends with the conference).
    pub(super) fn monitors_leave(&mut self, c: &Call) {
        let monitors: Vec<(AgentId, bool, LegNo)> = c.monitors().filter_map(|p| p.agent().map(|a| (a.clone(), p.joined, p.leg))).collect();
        for (supervisor, joined, leg) in monitors {
            self.emit(Event::Monitor(MonitorEvent::MonitorLeft { call: c.sid.clone(), supervisor: supervisor.clone() }));
            if !joined {
                self.effect(Effect::CancelLeg { call: c.sid.clone(), party: Party::Agent(supervisor), leg });
            }
        }
    }

    pub(super) fn monitor_answered(&mut self, call: CallSid, supervisor: AgentId, leg: LegNo, sid: Option<CallSid>) -> Result<(), Refusal> {
        self.agent_known(&supervisor)?;
        let c = self.state.calls.get(&call).ok_or_else(|| Refusal::UnknownCall(call.clone()))?;
        let p = c.monitor(&supervisor).filter(|p| p.leg == leg).ok_or_else(|| Reason::NoLongerRinging(Party::Agent(supervisor.clone())))?;
        if p.joined {
            return Ok(());
        }
        let mode = p.mode.unwrap_or(MonitorMode::Listen);
        let hand = c.help.is_some().then(|| c.owner().cloned()).flatten();
        // The owner may have changed, or their leg gone, while the phone rang: coach who has the
        // call now, or listen.
        let (mode, target, note) = match Self::coach_target(c, mode) {
            Ok(target) => (mode, target, None),
            Err(e) => (MonitorMode::Listen, None, Some(e.to_string())),
        };
        self.emit(Event::Monitor(MonitorEvent::MonitorJoined { call: call.clone(), supervisor: supervisor.clone(), sid }));
        self.emit(Event::Monitor(MonitorEvent::MonitorModeSet {
            call: call.clone(),
            supervisor: supervisor.clone(),
            mode,
            coaching: target.as_ref().map(|(a, _)| a.clone()),
            note,
        }));
        if let Some(agent) = hand {
            self.emit(Event::Monitor(MonitorEvent::HandRaised { call: call.clone(), agent, raised: false, by: Some(supervisor.clone()) }));
        }
        if mode != MonitorMode::Listen {
            self.effect(Effect::UpdateMonitor { call, supervisor, mode, coach: target.map(|(_, sid)| sid) });
        }
        Ok(())
    }

    /// Twilio refused to coach: say so, and listen (the participant is as it was before the
    /// refused change, so it is asked to listen).
    pub(super) fn coach_refused(&mut self, call: CallSid, supervisor: AgentId, why: CoachRefusal) {
        let Some(p) = self.state.calls.get(&call).and_then(|c| c.monitor(&supervisor)) else { return };
        let joined = p.joined;
        self.emit(Event::Monitor(MonitorEvent::CoachRefused { call: call.clone(), supervisor: supervisor.clone(), why }));
        self.emit(Event::Monitor(MonitorEvent::MonitorModeSet {
            call: call.clone(),
            supervisor: supervisor.clone(),
            mode: MonitorMode::Listen,
            coaching: None,
            note: Some(why.words().to_string()),
        }));
        if joined {
            self.effect(Effect::UpdateMonitor { call, supervisor, mode: MonitorMode::Listen, coach: None });
        }
    }

    /// After every decision: a supervisor coaching an agent who no longer has the call coaches
    /// the agent who has it now, or, with nobody to coach, listens (with a note saying why).
    pub(super) fn follow_owners(&mut self) {
        let touched: Vec<CallSid> = self.before.keys().cloned().collect();
        for sid in touched {
            let Some(c) = self.state.calls.get(&sid) else { continue };
            let stale: Vec<AgentId> = c
                .monitors()
                .filter(|p| p.mode == Some(MonitorMode::Whisper) && p.coaching.as_ref() != c.owner())
                .filter_map(|p| p.agent().cloned())
                .collect();
            for supervisor in stale {
                let c = &self.state.calls[&sid];
                let joined = c.monitor(&supervisor).is_some_and(|p| p.joined);
                let (mode, target, note) = match Self::coach_target(c, MonitorMode::Whisper) {
                    Ok(Some((agent, leg))) => (MonitorMode::Whisper, Some((agent.clone(), leg)), format!("{agent} has the call now")),
                    Ok(None) | Err(_) => (MonitorMode::Listen, None, "the agent coached is no longer on the call".to_string()),
                };
                self.emit(Event::Monitor(MonitorEvent::MonitorModeSet {
                    call: sid.clone(),
                    supervisor: supervisor.clone(),
                    mode,
                    coaching: target.as_ref().map(|(a, _)| a.clone()),
                    note: Some(note),
                }));
                if joined {
                    self.effect(Effect::UpdateMonitor { call: sid.clone(), supervisor, mode, coach: target.map(|(_, leg)| leg) });
                }
            }
        }
    }

    // ---- the agent's raised hand ---------------------------------------------------------------

    pub(super) fn raise_hand(&mut self, agent: AgentId, raised: bool) -> Result<(), Refusal> {
        self.agent_known(&agent)?;
        let c = self.owned_call(&agent)?;
        if c.help.is_some() != raised {
            self.emit(Event::Monitor(MonitorEvent::HandRaised { call: c.sid, agent, raised, by: None }));
        }
        Ok(())
    }

    // ---- a supervisor sets an agent's presence ----------------------------------------------

    pub(super) fn supervise(&mut self, supervisor: AgentId, agent: AgentId, action: SupervisorAction) -> Result<(), Refusal> {
        self.supervisor(&supervisor)?;
        self.agent_known(&agent)?;
        let presence = self.state.agents[&agent].presence.clone();
        let busy = |presence: &Presence| Reason::AgentBusy { agent: agent.clone(), presence: presence.word() };
        let next = match (&action, &presence) {
            (SupervisorAction::EndWrapUp, Presence::WrapUp { .. }) => Some(Presence::Available),
            (SupervisorAction::EndWrapUp, _) => return Err(Reason::NotInWrapUp(agent).into()),
            (_, Presence::OnCall { .. }) => return Err(busy(&presence).into()),
            (SupervisorAction::SetAway { .. }, Presence::Ringing { .. }) => return Err(busy(&presence).into()),
            (SupervisorAction::SetAway { .. }, Presence::Offline) => return Err(Reason::AgentOffline(agent).into()),
            (SupervisorAction::SetAway { .. }, _) => Some(Presence::Away { reason: AwayReason::Supervisor }),
            (SupervisorAction::SetOffline, Presence::Offline) => return Err(Reason::AgentOffline(agent).into()),
            // Ringing: the offer goes to the next agent at once, as when their phone is gone.
            (SupervisorAction::SetOffline, _) => None,
        };
        self.emit(Event::Agent(AgentEvent::Supervised { supervisor, agent: agent.clone(), action }));
        match next {
            Some(next) => self.presence(&agent, next),
            None => self.gone(&agent),
        }
        Ok(())
    }
}
