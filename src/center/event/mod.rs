//! What the center decided, as facts: the per-call timeline's rows, and how the consoles (and
//! other instances) learn of a change. Each feature has its facts (`call`, `transfer`,
//! `voicemail`, `callback`, `monitor`, `agent`), with what each names (its call, its agent),
//! its name as stored and its words; `Event` is one of them, and the state's changes are
//! applied feature by feature (`apply`).

use serde::{Deserialize, Serialize};

use super::call::EndReason;
use crate::ids::{AgentId, CallSid};

mod agent;
mod call;
mod callback;
mod format;
mod monitor;
mod transfer;
mod voicemail;

pub use agent::AgentEvent;
pub use call::CallEvent;
pub use callback::CallbackEvent;
pub use monitor::MonitorEvent;
pub use transfer::TransferEvent;
pub use voicemail::VoicemailEvent;

/// A decision, as the per-call timeline and the consoles learn of it: one feature's fact. The
/// JSON is each fact's own (`{"event": "queued", …}`), the same for every feature, so stored
/// timelines read back whichever feature wrote them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Event {
    Call(CallEvent),
    Transfer(TransferEvent),
    Voicemail(VoicemailEvent),
    Callback(CallbackEvent),
    Monitor(MonitorEvent),
    Agent(AgentEvent),
}

impl Event {
    /// The call this event belongs to, for the per-call timeline.
    pub fn call(&self) -> Option<&CallSid> {
        match self {
            Event::Call(e) => Some(e.call()),
            Event::Transfer(e) => Some(e.call()),
            Event::Voicemail(e) => Some(e.call()),
            Event::Callback(e) => Some(e.call()),
            Event::Monitor(e) => Some(e.call()),
            Event::Agent(_) => None,
        }
    }

    /// The agent this event names first, if any (the timeline row's agent).
    pub fn agent(&self) -> Option<&AgentId> {
        match self {
            Event::Call(e) => e.agent(),
            Event::Transfer(e) => e.agent(),
            Event::Voicemail(e) => e.agent(),
            Event::Callback(e) => e.agent(),
            Event::Monitor(e) => e.agent(),
            Event::Agent(e) => e.agent(),
        }
    }

    /// The event's name, as its JSON tags it (the timeline's `kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Call(e) => e.kind(),
            Event::Transfer(e) => e.kind(),
            Event::Voicemail(e) => e.kind(),
            Event::Callback(e) => e.kind(),
            Event::Monitor(e) => e.kind(),
            Event::Agent(e) => e.kind(),
        }
    }

    /// Not a timeline row: bookkeeping only.
    pub fn is_bookkeeping(&self) -> bool {
        matches!(
            self,
            Event::Agent(AgentEvent::Seen { .. })
                | Event::Voicemail(VoicemailEvent::VoicemailTranscribed { .. })
                | Event::Call(CallEvent::Ended { reason: EndReason::VoicemailHandled, .. })
                | Event::Call(CallEvent::ConferenceKnown { .. })
                | Event::Call(CallEvent::Muted { .. })
                | Event::Monitor(MonitorEvent::MonitorJoined { .. })
                | Event::Agent(AgentEvent::AccountAdded { .. })
                | Event::Agent(AgentEvent::AccountChanged { .. })
                | Event::Agent(AgentEvent::AccountRemoved { .. })
        )
    }

    /// Nothing a console shows changed: only console leases were renewed.
    pub fn is_lease(&self) -> bool {
        matches!(self, Event::Agent(AgentEvent::Seen { .. }))
    }

    /// One line for the timeline, as a person reads it.
    pub fn describe(&self) -> String {
        match self {
            Event::Call(e) => e.describe(),
            Event::Transfer(e) => e.describe(),
            Event::Voicemail(e) => e.describe(),
            Event::Callback(e) => e.describe(),
            Event::Monitor(e) => e.describe(),
            Event::Agent(e) => e.describe(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::center::call::Side;
    use crate::ids::E164;

    const CALL: &str = "CA00000000000000000000000000000001";

    /// Facts of every feature as timelines stored them before events were by feature: they
    /// read back as the same fact, and are written as the same bytes.
    #[test]
    fn each_features_facts_keep_the_json_stored_before() {
        let call = CallSid::parse(CALL).unwrap();
        let agent = AgentId::parse("agent1").unwrap();
        let stored = [
            (
                format!(r#"{{"event":"ended","call":"{CALL}","reason":"caller-hung-up","abandoned":true}}"#),
                Event::Call(CallEvent::Ended { call: call.clone(), reason: EndReason::CallerHungUp, abandoned: true }),
            ),
            (
                format!(r#"{{"event":"swapped","call":"{CALL}","with":"customer"}}"#),
                Event::Transfer(TransferEvent::Swapped { call: call.clone(), with: Side::Customer }),
            ),
            (
                format!(r#"{{"event":"voicemail-taken","call":"{CALL}","agent":"agent1"}}"#),
                Event::Voicemail(VoicemailEvent::VoicemailTaken { call: call.clone(), agent: agent.clone() }),
            ),
            (
                format!(r#"{{"event":"callback-requested","call":"{CALL}","number":"+15550000001"}}"#),
                Event::Callback(CallbackEvent::CallbackRequested { call: call.clone(), number: E164::parse("+15550000001").unwrap() }),
            ),
            (
                format!(r#"{{"event":"hand-raised","call":"{CALL}","agent":"agent1","raised":true}}"#),
                Event::Monitor(MonitorEvent::HandRaised { call: call.clone(), agent: agent.clone(), raised: true, by: None }),
            ),
            (r#"{"event":"signed-out","agent":"agent1"}"#.to_string(), Event::Agent(AgentEvent::SignedOut { agent: agent.clone() })),
        ];
        for (json, event) in stored {
            assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), event, "{json}");
            assert_eq!(serde_json::to_string(&event).unwrap(), json);
            assert_eq!(event.kind(), serde_json::from_str::<serde_json::Value>(&json).unwrap()["event"], "the kind is the JSON's tag");
        }
        assert!(serde_json::from_str::<Event>(r#"{"event":"no-such-thing"}"#).is_err());
    }
}
