//! Plain row types the store returns and takes.

use crate::center::Effect;
use crate::ids::{CallSid, ConferenceSid};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackKind {
    Call,
    Conference,
    /// A voicemail's recording or transcription.
    Recording,
}

impl CallbackKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CallbackKind::Call => "call",
            CallbackKind::Conference => "conference",
            CallbackKind::Recording => "recording",
        }
    }
}

/// A status callback as Twilio sent it, with the fields the store indexes pulled out.
#[derive(Debug, Clone)]
pub struct StatusCallback {
    pub kind: CallbackKind,
    pub call_sid: Option<CallSid>,
    pub conference_sid: Option<ConferenceSid>,
    pub friendly_name: Option<String>,
    /// `CallStatus` for calls, `StatusCallbackEvent` for conferences (Twilio's words).
    pub event: String,
    pub sequence_number: Option<i64>,
    pub params_json: String,
}

/// Where an effect in the outbox stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EffectStatus {
    /// Waiting to be performed (or being performed: see its claim).
    Pending,
    Done,
    /// Given up after its retries, or refused for good.
    Failed,
    /// A dial cancelled before it went out: never made.
    Skipped,
}

impl EffectStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EffectStatus::Pending => "pending",
            EffectStatus::Done => "done",
            EffectStatus::Failed => "failed",
            EffectStatus::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [EffectStatus::Pending, EffectStatus::Done, EffectStatus::Failed, EffectStatus::Skipped].into_iter().find(|e| e.as_str() == s)
    }
}

/// One effect in the outbox, as the worker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectRow {
    pub id: i64,
    pub effect: Effect,
    /// Attempts including the one about to be made.
    pub attempts: i64,
}

/// Where a dial stands in the outbox (for cancelling its leg).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialRow {
    pub id: i64,
    pub status: EffectStatus,
    /// A worker holds it right now (the request to Twilio may be under way).
    pub in_flight: bool,
    pub leg_sid: Option<CallSid>,
}

/// An effect as stored, for tests and support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectRecord {
    pub kind: String,
    pub agent: Option<String>,
    pub status: EffectStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub leg_sid: Option<String>,
}
