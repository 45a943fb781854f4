//! A supervisor on a call (listening, whispering, barging) and an agent's raised hand.

use serde::{Deserialize, Serialize};

use crate::center::call::LegNo;
use crate::center::command::CoachRefusal;
use crate::center::party::MonitorMode;
use crate::ids::{AgentId, CallSid};

/// A supervisor on a call (listening, whispering, barging) and an agent's raised hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum MonitorEvent {
    /// A supervisor's phone rings to monitor the call (leg `leg`), in `mode` once it answers.
    MonitorRinging { call: CallSid, supervisor: AgentId, leg: LegNo, mode: MonitorMode },
    /// The supervisor's monitoring leg answered: they are in the conference (the mode follows).
    MonitorJoined {
        call: CallSid,
        supervisor: AgentId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sid: Option<CallSid>,
    },
    /// The supervisor listens, coaches `coaching`, or barges in; `note` says why it changed by
    /// itself (the call was transferred, Twilio refused).
    MonitorModeSet {
        call: CallSid,
        supervisor: AgentId,
        mode: MonitorMode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        coaching: Option<AgentId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Twilio would not let the supervisor coach: they stay listening.
    CoachRefused { call: CallSid, supervisor: AgentId, why: CoachRefusal },
    /// The supervisor left the call (or their phone hung up, or the call ended).
    MonitorLeft { call: CallSid, supervisor: AgentId },
    /// The agent who has the call asked for help (`raised`), or the request is over (`by`: the
    /// supervisor who joined, if one did).
    HandRaised {
        call: CallSid,
        agent: AgentId,
        raised: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<AgentId>,
    },
}

impl MonitorEvent {
    /// The call this event belongs to, for the per-call timeline.
    pub fn call(&self) -> &CallSid {
        match self {
            MonitorEvent::MonitorRinging { call, .. }
            | MonitorEvent::MonitorJoined { call, .. }
            | MonitorEvent::MonitorModeSet { call, .. }
            | MonitorEvent::CoachRefused { call, .. }
            | MonitorEvent::MonitorLeft { call, .. }
            | MonitorEvent::HandRaised { call, .. } => call,
        }
    }

    /// The agent this event names first, if any (the timeline row's agent).
    pub fn agent(&self) -> Option<&AgentId> {
        match self {
            MonitorEvent::HandRaised { agent, .. } => Some(agent),
            MonitorEvent::MonitorRinging { supervisor, .. }
            | MonitorEvent::MonitorJoined { supervisor, .. }
            | MonitorEvent::MonitorModeSet { supervisor, .. }
            | MonitorEvent::CoachRefused { supervisor, .. }
            | MonitorEvent::MonitorLeft { supervisor, .. } => Some(supervisor),
        }
    }

    /// The event's name, as its JSON tags it (the timeline's `kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            MonitorEvent::MonitorRinging { .. } => "monitor-ringing",
            MonitorEvent::MonitorJoined { .. } => "monitor-joined",
            MonitorEvent::MonitorModeSet { .. } => "monitor-mode-set",
            MonitorEvent::CoachRefused { .. } => "coach-refused",
            MonitorEvent::MonitorLeft { .. } => "monitor-left",
            MonitorEvent::HandRaised { .. } => "hand-raised",
        }
    }

    /// One line for the timeline, as a person reads it.
    pub fn describe(&self) -> String {
        match self {
            MonitorEvent::MonitorRinging { supervisor, mode, .. } => format!("{supervisor} joining to {}", mode.as_str()),
            MonitorEvent::MonitorJoined { supervisor, .. } => format!("{supervisor} joined"),
            MonitorEvent::MonitorModeSet { supervisor, mode, coaching, note, .. } => {
                let what = match (mode, coaching) {
                    (MonitorMode::Listen, _) => format!("{supervisor} listening"),
                    (MonitorMode::Whisper, Some(agent)) => format!("{supervisor} coaching {agent}"),
                    (MonitorMode::Whisper, None) => format!("{supervisor} coaching"),
                    (MonitorMode::Barge, _) => format!("{supervisor} barged in"),
                };
                match note {
                    Some(note) => format!("{what} ({note})"),
                    None => what,
                }
            }
            MonitorEvent::CoachRefused { supervisor, why, .. } => {
                format!("Twilio would not let {supervisor} coach: {}; {supervisor} stays listening", why.words())
            }
            MonitorEvent::MonitorLeft { supervisor, .. } => format!("{supervisor} left"),
            MonitorEvent::HandRaised { agent, raised: true, .. } => format!("{agent} asked for help"),
            MonitorEvent::HandRaised { agent, by: Some(by), .. } => format!("{by} answered {agent}'s request for help"),
            MonitorEvent::HandRaised { agent, .. } => format!("{agent}'s request for help is over"),
        }
    }
}
