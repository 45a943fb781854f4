//! Plain row types the store returns and takes.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::ids::CallSid;

#[derive(Debug, Clone)]
pub struct NewCustomerCall {
    pub call_sid: CallSid,
    pub from: String,
    pub to: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConferenceRow {
    pub id: String,
    pub customer_call_sid: String,
    pub conference_sid: Option<String>,
    pub status: String,
}

impl ConferenceRow {
    pub(super) fn from_row(r: &AnyRow) -> Result<Self, super::StoreError> {
        Ok(Self {
            id: r.try_get(0)?,
            customer_call_sid: r.try_get(1)?,
            conference_sid: r.try_get(2)?,
            status: r.try_get(3)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConferenceAgentRow {
    pub conference_id: String,
    pub agent_id: String,
    /// 1 for the agent who took the call first.
    pub position: i64,
    pub call_sid: Option<String>,
    pub status: String,
}

impl ConferenceAgentRow {
    pub(super) fn from_row(r: &AnyRow) -> Result<Self, super::StoreError> {
        Ok(Self {
            conference_id: r.try_get(0)?,
            agent_id: r.try_get(1)?,
            position: r.try_get(2)?,
            call_sid: r.try_get(3)?,
            status: r.try_get(4)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRow {
    pub call_sid: String,
    pub leg: String,
    pub from_number: String,
    pub to_number: String,
    pub status: String,
    pub conference_id: Option<String>,
    pub agent_id: Option<String>,
}

impl CallRow {
    pub(super) fn from_row(r: &AnyRow) -> Result<Self, super::StoreError> {
        Ok(Self {
            call_sid: r.try_get(0)?,
            leg: r.try_get(1)?,
            from_number: r.try_get(2)?,
            to_number: r.try_get(3)?,
            status: r.try_get(4)?,
            conference_id: r.try_get(5)?,
            agent_id: r.try_get(6)?,
        })
    }
}

/// A dial the worker has claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialJob {
    pub id: i64,
    pub conference_id: String,
    pub agent_id: String,
    /// Attempts including the one about to be made.
    pub attempts: i64,
}

impl DialJob {
    pub(super) fn from_row(r: &AnyRow) -> Result<Self, super::StoreError> {
        Ok(Self {
            id: r.try_get(0)?,
            conference_id: r.try_get(1)?,
            agent_id: r.try_get(2)?,
            attempts: r.try_get(3)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub conference_id: String,
    pub agent_id: String,
    pub status: String,
    pub attempts: i64,
    pub call_sid: Option<String>,
    pub last_error: Option<String>,
}

impl OutboxRow {
    pub(super) fn from_row(r: &AnyRow) -> Result<Self, super::StoreError> {
        Ok(Self {
            id: r.try_get(0)?,
            conference_id: r.try_get(1)?,
            agent_id: r.try_get(2)?,
            status: r.try_get(3)?,
            attempts: r.try_get(4)?,
            call_sid: r.try_get(5)?,
            last_error: r.try_get(6)?,
        })
    }
}

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

/// A dial that will not be retried, on a conference whose customer is still waiting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialFailure {
    pub conference_id: String,
    pub agent_id: String,
    pub error: String,
    pub caller: String,
    pub failed_at_ms: i64,
}
