//! A message a caller left, as it is taken, handled or called back.

use serde::{Deserialize, Serialize};

use crate::center::call::LegNo;
use crate::ids::{AgentId, CallSid, PhoneNumber, RecordingSid, E164};

/// A message a caller left, as it is taken, handled or called back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum VoicemailEvent {
    /// The caller left a message (and hung up): it waits in the queue like a call.
    VoicemailLeft {
        call: CallSid,
        #[serde(default)]
        from: Option<PhoneNumber>,
        recording: RecordingSid,
        seconds: u32,
    },
    /// Twilio's transcription of the message came (not a timeline row).
    VoicemailTranscribed { call: CallSid, text: String },
    /// The agent the voicemail was offered to took it: they listen and call back.
    VoicemailTaken { call: CallSid, agent: AgentId },
    /// The agent who took the voicemail marked it done (the call ends with it).
    VoicemailHandled { call: CallSid, agent: AgentId },
    /// The agent who took the voicemail calls the caller back: their own phone rings first (leg
    /// `leg`), then the caller's number is called, as for a callback.
    VoicemailCalledBack { call: CallSid, agent: AgentId, number: E164, leg: LegNo },
    /// The agent who had the voicemail left it undone (their console went): back in the queue.
    VoicemailReturned { call: CallSid, agent: AgentId },
}

impl VoicemailEvent {
    /// The call this event belongs to, for the per-call timeline.
    pub fn call(&self) -> &CallSid {
        match self {
            VoicemailEvent::VoicemailLeft { call, .. }
            | VoicemailEvent::VoicemailTranscribed { call, .. }
            | VoicemailEvent::VoicemailTaken { call, .. }
            | VoicemailEvent::VoicemailHandled { call, .. }
            | VoicemailEvent::VoicemailReturned { call, .. }
            | VoicemailEvent::VoicemailCalledBack { call, .. } => call,
        }
    }

    /// The agent this event names first, if any (the timeline row's agent).
    pub fn agent(&self) -> Option<&AgentId> {
        match self {
            VoicemailEvent::VoicemailTaken { agent, .. }
            | VoicemailEvent::VoicemailHandled { agent, .. }
            | VoicemailEvent::VoicemailReturned { agent, .. }
            | VoicemailEvent::VoicemailCalledBack { agent, .. } => Some(agent),
            VoicemailEvent::VoicemailLeft { .. } | VoicemailEvent::VoicemailTranscribed { .. } => None,
        }
    }

    /// The event's name, as its JSON tags it (the timeline's `kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            VoicemailEvent::VoicemailLeft { .. } => "voicemail-left",
            VoicemailEvent::VoicemailTranscribed { .. } => "voicemail-transcribed",
            VoicemailEvent::VoicemailTaken { .. } => "voicemail-taken",
            VoicemailEvent::VoicemailHandled { .. } => "voicemail-handled",
            VoicemailEvent::VoicemailReturned { .. } => "voicemail-returned",
            VoicemailEvent::VoicemailCalledBack { .. } => "voicemail-called-back",
        }
    }

    /// One line for the timeline, as a person reads it.
    pub fn describe(&self) -> String {
        match self {
            VoicemailEvent::VoicemailLeft { from, seconds, .. } => format!(
                "voicemail left by {} ({}:{:02})",
                from.as_ref().map(|f| f.as_str()).unwrap_or("an unknown caller"),
                seconds / 60,
                seconds % 60
            ),
            VoicemailEvent::VoicemailTranscribed { text, .. } => format!("transcription: {text}"),
            VoicemailEvent::VoicemailTaken { agent, .. } => format!("{agent} took the voicemail"),
            VoicemailEvent::VoicemailHandled { agent, .. } => format!("voicemail handled by {agent}"),
            VoicemailEvent::VoicemailReturned { agent, .. } => {
                format!("{agent} left the voicemail undone: back in the queue")
            }
            VoicemailEvent::VoicemailCalledBack { agent, number, .. } => format!("{agent} calls {number} back"),
        }
    }
}
