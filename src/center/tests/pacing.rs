//! Which call Twilio must create goes first when the account's pace binds, as sentences.

use super::given::{agent, call, given_agents, World};
use crate::center::*;

fn urgencies(w: &World) -> Vec<Option<Urgency>> {
    w.effects().iter().map(|e| Urgency::of(e, &w.decision().events)).collect()
}

fn on_a_call() -> World {
    given_agents(&["agent1", "agent2"]).at(1_000).available("agent1").arrives(1).answers("agent1", 1, 1).at(2_000).available("agent2")
}

#[test]
fn an_agent_rung_for_a_caller_from_the_queue_is_an_offer() {
    let w = given_agents(&["agent1"]).available("agent1").arrives(1);
    assert_eq!(urgencies(&w), vec![Some(Urgency::Offer)]);
}

#[test]
fn a_colleague_rung_for_a_consult_goes_before_any_offer_and_the_holds_are_not_paced() {
    let w = on_a_call().when(Command::Transfer {
        agent: agent("agent1"),
        action: TransferAction::Consult { to: Target::Agent(agent("agent2")), note: String::new() },
    });
    let u = urgencies(&w);
    assert!(u.contains(&Some(Urgency::Transfer)), "{u:?}");
    // Putting the customer on hold is an update of the conference, not a call Twilio creates.
    assert!(u.contains(&None), "{u:?}");
    assert!(Urgency::rank(Some(Urgency::Transfer)) > Urgency::rank(Some(Urgency::Offer)));
}

#[test]
fn a_blind_transfer_to_a_colleague_is_as_urgent_as_a_consult() {
    let w = on_a_call()
        .when(Command::Transfer { agent: agent("agent1"), action: TransferAction::Blind { to: Target::Agent(agent("agent2")) } });
    assert!(urgencies(&w).contains(&Some(Urgency::Transfer)));
}

#[test]
fn the_order_is_transfer_then_callback_then_a_supervisor_then_an_offer_and_nothing_else_is_paced() {
    let ranks: Vec<i64> =
        [Some(Urgency::Transfer), Some(Urgency::Callback), Some(Urgency::Monitor), Some(Urgency::Offer), None].map(Urgency::rank).to_vec();
    assert!(ranks.windows(2).all(|w| w[0] > w[1]), "{ranks:?}");
    assert_eq!(Urgency::rank(None), 0);
    let supervisor = Effect::AddMonitor { call: call(1), supervisor: agent("supervisor1"), leg: 3 };
    assert_eq!(Urgency::of(&supervisor, &[]), Some(Urgency::Monitor));
    assert_eq!(Urgency::of(&Effect::HangUpCaller { call: call(1), sid: None }, &[]), None);
}
