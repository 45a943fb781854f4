//! The rules of a voicemail: a message the caller left, routed like a call. It waits in the
//! queue (in its place: when it was left), is offered to the longest-idle agent (their console
//! shows it; no phone rings), and is taken, declined (the next agent is offered it, as a missed
//! call is) or, once taken, marked done. An agent whose console goes while they have it leaves
//! it undone: it is back in the queue.

use super::agent::Presence;
use super::call::{Call, EndReason, LegOutcome};
use super::command::{Command, VoicemailStep};
use super::decide::Decider;
use super::effect::Effect;
use super::event::Event;
use super::event::{CallEvent, VoicemailEvent};
use super::party::Party;
use super::refusal::{Reason, Refusal};
use crate::ids::{AgentId, CallSid, PhoneNumber, RecordingSid, E164};

impl Decider<'_> {
    pub(super) fn voicemail_left(
        &mut self,
        call: CallSid,
        from: Option<PhoneNumber>,
        recording: RecordingSid,
        seconds: u32,
        recorded: bool,
    ) {
        // Twilio repeats a request it thinks failed: one voicemail per call.
        if self.state.calls.contains_key(&call) || recorded {
            return;
        }
        self.emit(Event::Voicemail(VoicemailEvent::VoicemailLeft { call, from, recording, seconds }));
    }

    pub(super) fn transcribed(&mut self, call: CallSid, text: String) {
        let text: String = text.trim().chars().take(2_000).collect();
        let known = self.state.calls.get(&call).and_then(|c| c.as_voicemail()).is_some_and(|v| v.transcript.as_deref() != Some(&text));
        if known && !text.is_empty() {
            self.emit(Event::Voicemail(VoicemailEvent::VoicemailTranscribed { call, text }));
        }
    }

    pub(super) fn voicemail_step(&mut self, agent: AgentId, step: VoicemailStep) -> Result<(), Refusal> {
        self.agent_known(&agent)?;
        let presence = self.state.agents[&agent].presence.clone();
        let (call, taken) = match presence {
            Presence::Ringing { call } if self.is_voicemail(&call) => (call, false),
            Presence::OnCall { call } if self.is_voicemail(&call) => (call, true),
            _ => return Err(Reason::NoVoicemail.into()),
        };
        match (step, taken) {
            (VoicemailStep::Take, false) => {
                self.emit(Event::Voicemail(VoicemailEvent::VoicemailTaken { call: call.clone(), agent: agent.clone() }));
                self.presence(&agent, Presence::OnCall { call });
            }
            (VoicemailStep::Decline, false) => {
                let outcome = LegOutcome::Busy;
                self.emit(Event::Call(CallEvent::OfferMissed { call: call.clone(), agent: agent.clone(), outcome }));
                self.missed(&agent, &call, outcome);
            }
            (VoicemailStep::Done, true) => {
                self.emit(Event::Voicemail(VoicemailEvent::VoicemailHandled { call: call.clone(), agent: agent.clone() }));
                self.after_call(&agent);
                self.emit(Event::Call(CallEvent::Ended { call, reason: EndReason::VoicemailHandled, abandoned: false }));
            }
            (VoicemailStep::CallBack, true) => {
                let c = &self.state.calls[&call];
                let number = c.from.as_ref().and_then(|f| E164::parse(f.as_str()).ok()).ok_or(Reason::NoNumberToCall)?;
                let leg = c.legs + 1;
                self.emit(Event::Voicemail(VoicemailEvent::VoicemailCalledBack { call: call.clone(), agent: agent.clone(), number, leg }));
                self.presence(&agent, Presence::Ringing { call: call.clone() });
                self.effect(Effect::Dial { call, party: Party::Agent(agent), leg });
            }
            (VoicemailStep::Take | VoicemailStep::Decline, true) => return Err(Reason::VoicemailTaken.into()),
            (VoicemailStep::Done | VoicemailStep::CallBack, false) => return Err(Reason::VoicemailNotTaken.into()),
        }
        Ok(())
    }

    /// The agent who had `call` (a voicemail) is gone: it waits in the queue again.
    pub(super) fn voicemail_returned(&mut self, agent: &AgentId, call: &CallSid) {
        self.emit(Event::Voicemail(VoicemailEvent::VoicemailReturned { call: call.clone(), agent: agent.clone() }));
    }

    /// A voicemail has nobody on the line: no transfer, hold, mute, help or monitoring.
    pub(super) fn not_for_a_voicemail(&self, command: &Command) -> Result<(), Refusal> {
        let call = match command {
            Command::Transfer { agent, .. }
            | Command::Hold { agent, .. }
            | Command::Mute { agent, .. }
            | Command::RaiseHand { agent, .. } => self.state.call_of(agent).map(|c| c.sid.clone()),
            Command::Monitor { call, .. } => Some(call.clone()),
            _ => None,
        };
        match call {
            Some(call) if self.is_voicemail(&call) => Err(Reason::NobodyOnTheLine.into()),
            _ => match command {
                Command::Transfer { agent, .. } | Command::Hold { agent, .. } => self.caller_not_yet_on(agent),
                _ => Ok(()),
            },
        }
    }

    pub(super) fn is_voicemail(&self, call: &CallSid) -> bool {
        self.state.calls.get(call).is_some_and(Call::is_voicemail)
    }
}

impl Call {
    pub fn is_voicemail(&self) -> bool {
        self.as_voicemail().is_some()
    }
}
