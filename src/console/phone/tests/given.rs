//! What the phone's tests share: agents, calls, and consoles brought to a point.

pub use super::super::audio::*;
pub use super::super::device::{gives_up, GIVE_UP_MS};
pub use super::super::machine::*;
pub use super::super::tab::*;
pub use super::super::words::*;
pub use crate::center::{CallAction, Target, Wanted};
pub use crate::ids::{AgentId, CallSid};
pub use Input as E;
pub use Task as F;

pub fn agent(name: &str) -> AgentId {
    AgentId::parse(name).unwrap()
}

pub fn a1() -> AgentId {
    agent("agent1")
}

pub fn a2() -> AgentId {
    agent("agent2")
}

pub fn sid(n: u8) -> CallSid {
    CallSid::parse(&format!("CA{:032x}", n)).unwrap()
}

/// Feeds events in order, returning the console and the tasks of the last one.
pub fn run(events: impl IntoIterator<Item = Input>) -> (Console, Vec<Task>) {
    let mut c = Console::new();
    let mut last = vec![];
    for e in events {
        last = c.apply(e);
    }
    (c, last)
}

/// Registered, announced, and the server took the announcement.
pub fn ready(who: AgentId) -> Console {
    run([E::Start(who), E::MicChecked(Mic::Ready), E::TabTimerFired(1), E::TokenReceived("tok".into()), E::Registered, E::PresenceSet]).0
}

pub fn ringing(who: AgentId) -> Console {
    let mut c = ready(who);
    c.apply(E::Incoming { call_sid: sid(1), from: "+15550001".into() });
    c
}

pub fn in_call(who: AgentId) -> Console {
    let mut c = ringing(who);
    c.apply(E::AnswerClicked);
    c.apply(E::Accepted);
    c
}

pub fn dialling() -> Console {
    let mut c = in_call(a1());
    c.apply(E::TransferRequested(consult("agent2")));
    c
}

pub fn no_call_buttons(c: &Console) -> bool {
    !c.can_answer() && !c.can_hang_up() && !c.can_transfer()
}

pub fn consult(to: &str) -> TransferRequest {
    TransferRequest::to(CallAction::Consult, Target::Agent(agent(to)), Some("billing question"))
}
