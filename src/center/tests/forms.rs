//! The words the browser sends as server-function arguments: each value is written by serde as
//! its own word (what the form carries, `action=three-way`) and read back by the type's parser,
//! so what the console and the floor send is what the server reads, and a word the server
//! refuses is refused with the reason the endpoint always gave.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::center::*;
use crate::ids::AgentId;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: T, word: &str) {
    assert_eq!(serde_json::to_value(&value).unwrap(), json!(word), "{value:?} is written as its word");
    assert_eq!(serde_json::from_value::<T>(json!(word)).unwrap(), value, "{word} reads back");
    assert_eq!(serde_json::from_value::<T>(json!(format!(" {word} "))).unwrap(), value, "{word} is read trimmed, as forms were");
}

fn refused<T: DeserializeOwned + std::fmt::Debug>(word: &str) -> String {
    serde_json::from_value::<T>(Value::String(word.into())).unwrap_err().to_string()
}

#[test]
fn every_word_a_form_sends_reads_back_as_what_it_was_written_from() {
    CallAction::ALL.into_iter().for_each(|a| round_trip(a, a.as_str()));
    MonitorMode::ALL.into_iter().for_each(|m| round_trip(m, m.as_str()));
    [Wanted::Available, Wanted::Away, Wanted::Offline].into_iter().for_each(|w| round_trip(w, w.as_str()));
    [AgentRole::Agent, AgentRole::Supervisor].into_iter().for_each(|r| round_trip(r, r.as_str()));
    for to in ["agent2", "+15551230000", "queue"] {
        round_trip(TransferTo(Target::parse(to).unwrap()), to);
    }
    round_trip(AgentId::parse("agent1").unwrap(), "agent1");
}

#[test]
fn a_supervisors_step_reads_its_word_and_takes_the_reason_for_away_only() {
    // Written only by the browser (the server reads it): its words are the floor's.
    for step in SupervisorStep::ALL {
        assert_eq!(serde_json::to_value(step).unwrap(), json!(step.as_str()));
        assert_eq!(serde_json::from_value::<SupervisorStep>(json!(step.as_str())).unwrap(), step);
    }
    let long = "x".repeat(300);
    assert_eq!(SupervisorStep::SetAway.with(Some("  training ")), SupervisorAction::SetAway { reason: "training".into() });
    assert_eq!(SupervisorStep::SetAway.with(None), SupervisorAction::SetAway { reason: String::new() });
    assert_eq!(SupervisorStep::SetAway.with(Some(&long)), SupervisorAction::SetAway { reason: "x".repeat(200) });
    assert_eq!(SupervisorStep::SetOffline.with(Some("ignored")), SupervisorAction::SetOffline);
}

#[test]
fn a_word_that_is_none_is_refused_with_the_reason_the_endpoint_gives() {
    assert_eq!(refused::<Wanted>("asleep"), "status must be available, away or offline");
    assert!(refused::<CallAction>(" maybe ").starts_with("unknown action 'maybe' (consult, transfer, complete,"));
    assert_eq!(refused::<MonitorMode>("shout"), "mode must be listen, whisper or barge");
    assert_eq!(refused::<SupervisorStep>("dance"), "action must be set-away, set-offline or end-wrap-up");
    assert_eq!(refused::<AgentRole>("boss"), "role must be agent or supervisor");
    assert_eq!(refused::<TransferTo>(" "), "choose who to transfer to");
    assert!(refused::<TransferTo>("+1555").contains("E.164"));
    assert!(refused::<AgentId>("agent 1").starts_with("agent identity must be"));
}
