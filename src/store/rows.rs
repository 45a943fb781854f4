//! Plain row types the store returns and takes.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackKind {
    Call,
    Conference,
}

impl CallbackKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CallbackKind::Call => "call",
            CallbackKind::Conference => "conference",
        }
    }
}

/// A status callback as Twilio sent it, with the fields the store indexes pulled out.
#[derive(Debug, Clone)]
pub struct StatusCallback {
    pub kind: CallbackKind,
    pub call_sid: Option<String>,
    pub conference_sid: Option<String>,
    pub friendly_name: Option<String>,
    /// `CallStatus` for calls, `StatusCallbackEvent` for conferences.
    pub event: String,
    pub sequence_number: Option<i64>,
    pub params_json: String,
}

/// One effect in the outbox, as the worker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectRow {
    pub id: i64,
    pub effect: crate::center::Effect,
    /// Attempts including the one about to be made.
    pub attempts: i64,
}

/// Where a dial stands in the outbox (for cancelling its leg).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialRow {
    pub id: i64,
    pub status: String,
    /// A worker holds it right now (the request to Twilio may be under way).
    pub in_flight: bool,
    pub leg_sid: Option<String>,
}

/// An effect as stored, for tests and support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectRecord {
    pub kind: String,
    pub agent: Option<String>,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub leg_sid: Option<String>,
}
