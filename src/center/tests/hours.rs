//! Opening hours in the core: a caller who rings while we are closed is told why and when we
//! open, and not queued; closing time is a moment the core's own timer finds (the schedule's
//! end, or the switch at once), and then every caller still waiting is offered a callback.

use super::given::*;
use crate::center::*;

const CLOSES: Millis = 100_000;
const HOLIDAY: fn() -> ClosedWhy = || ClosedWhy::Holiday("Christmas Day".into());

fn rings(n: u8) -> Command {
    Command::CallArrived { call: call(n), from: Some(caller(n)), recorded: false, arrival: Arrival::Rings, queue: None, arrived_at: None }
}

/// agent1 signed in and away (someone is there, nobody takes calls), callbacks on (offered after
/// a wait longer than the test runs).
fn open_until_closing() -> World {
    let rules = Rules { callback_after: Some(10 * CLOSES), ..Rules::BASIC };
    given_agents(&["agent1"])
        .with_rules(rules)
        .and(Command::SetPresence { agent: agent("agent1"), wanted: Wanted::Away })
        .open_until(CLOSES, ClosedWhy::Schedule)
}

#[test]
fn a_caller_who_rings_while_we_are_closed_is_told_why_and_when_we_open_and_not_queued_even_with_agents_free() {
    let mut w = given_agents(&["agent1"]).available("agent1").at(5_000);
    w.hours = Some(Opening { from: 50_000, until: CLOSES, why: HOLIDAY() });
    let w = w.when(rings(1));
    assert_eq!(
        w.decision().events,
        vec![Event::Call(CallEvent::TurnedAway { call: call(1), from: Some(caller(1)), reason: "holiday: Christmas Day".into() })]
    );
    assert_eq!(w.decision().reply, Some(Reply::Closed { why: HOLIDAY(), opens: Some(50_000) }));
    assert_eq!(w.state.queue_len(), 0);
    assert!(w.effects().is_empty(), "nobody is rung");
    assert_eq!(w.decision().events[0].describe(), format!("closed (holiday: Christmas Day): caller {} told when we open", caller(1)));
}

#[test]
fn a_closed_webhook_repeated_is_on_the_record_once_and_heard_the_same() {
    let w = open_until_closing().at(CLOSES + 1).when(Command::CallArrived {
        call: call(1),
        from: None,
        recorded: true,
        arrival: Arrival::Rings,
        queue: None,
        arrived_at: None,
    });
    assert!(w.decision().events.is_empty());
    assert_eq!(w.decision().reply, Some(Reply::Closed { why: ClosedWhy::Schedule, opens: None }));
}

#[test]
fn open_a_caller_is_queued_and_hears_so() {
    let w = open_until_closing().when(rings(1));
    assert_eq!(w.decision().reply, Some(Reply::Queued));
    assert_eq!(w.state.queue_position(&call(1)), Some(1));
}

#[test]
fn a_caller_already_queued_whose_webhook_is_repeated_after_closing_keeps_their_place() {
    let w = open_until_closing().and(rings(1)).at(CLOSES + 1).when(rings(1));
    assert!(w.decision().events.is_empty());
    assert_eq!(w.decision().reply, Some(Reply::Queued), "not told we are closed: they rang while we were open");
    assert_eq!(w.state.queue_position(&call(1)), Some(1));
}

#[test]
fn a_caller_kept_aside_while_we_were_open_is_queued_after_closing_as_of_when_they_rang() {
    let w = open_until_closing().at(CLOSES + 5_000).when(Command::CallArrived {
        call: call(1),
        from: Some(caller(1)),
        recorded: false,
        arrival: Arrival::InConference,
        queue: None,
        arrived_at: Some(CLOSES - 1_000),
    });
    assert_eq!(
        w.decision().events,
        vec![Event::Call(CallEvent::Queued {
            call: call(1),
            from: Some(caller(1)),
            queue: None,
            priority: 0,
            since: Some(CLOSES - 1_000)
        })]
    );
    assert_eq!(w.decision().reply, Some(Reply::Queued));
}

#[test]
fn closing_time_is_when_the_core_looks_next_and_then_every_caller_still_waiting_is_offered_a_callback() {
    let w = open_until_closing().and(rings(1)).and(rings(2));
    assert_eq!(w.next_due(), Some(w.now), "not yet looked at the hours: at once");
    let w = w.and(Command::Tick);
    assert!(w.effects().is_empty(), "open: nothing to do");
    assert_eq!(w.next_due(), Some(CLOSES), "the schedule's end, nothing sooner");
    assert!(!w.state.has_closed());

    let w = w.at(CLOSES).and(Command::Tick);
    assert_eq!(w.effects(), &[Effect::OfferCallback { call: call(1) }, Effect::OfferCallback { call: call(2) }]);
    assert_eq!(w.state.queue_position(&call(2)), Some(2), "they keep their place");
    assert!(w.state.has_closed());
    assert_ne!(w.next_due(), Some(CLOSES + 1), "closing is found once");
    let w = w.at(CLOSES + 1).and(Command::Tick);
    assert!(!w.effects().iter().any(|e| matches!(e, Effect::OfferCallback { .. })), "{:?}", w.effects());
}

#[test]
fn the_switch_closes_at_once_and_closing_is_found_at_the_next_look() {
    let w = open_until_closing().and(rings(1)).and(Command::Tick).at(20_000);
    assert_eq!(w.next_due(), Some(CLOSES));
    // A supervisor closes now: the hours the core asks say closed from this instant.
    let mut w = w;
    w.hours = Some(Opening { from: 0, until: 20_000, why: ClosedWhy::Manual("fire drill".into()) });
    assert_eq!(w.next_due(), Some(20_000), "looked at once");
    let w = w.and(Command::Tick);
    assert_eq!(w.effects(), &[Effect::OfferCallback { call: call(1) }]);
    assert_eq!(w.next_due(), Some(20_000 + w.rules.menu_time), "closed: only the menu's deadline falls due, the hours not");
    let w = w.when(rings(2));
    assert_eq!(w.decision().reply, Some(Reply::Closed { why: ClosedWhy::Manual("fire drill".into()), opens: None }));
}

#[test]
fn a_look_at_closing_time_offers_nothing_when_callbacks_are_off_but_the_center_knows_it_has_closed() {
    let w = given_agents(&["agent1"]).open_until(CLOSES, ClosedWhy::Schedule).and(rings(1)).and(Command::Tick);
    let w = w.at(CLOSES).and(Command::Tick);
    assert!(w.effects().is_empty());
    assert!(w.state.has_closed());
    assert_eq!(w.state.queue_position(&call(1)), Some(1), "still waiting, in their place");
}

#[test]
fn nobody_signed_in_a_caller_who_rings_is_offered_a_callback_before_they_wait() {
    let rules = Rules { callback_after: Some(60_000), ..Rules::BASIC };
    let w = given_agents(&["agent1"]).with_rules(rules).when(rings(1));
    assert_eq!(w.decision().reply, Some(Reply::CallbackOffer { nobody: true }));
}
