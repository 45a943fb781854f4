//! The queue, routing, answering and ending calls, presence, and the phone gone, as
//! given/when/then sentences.

use super::given::*;
use crate::center::*;

// ---- the queue and routing -----------------------------------------------------------------------

#[test]
fn a_caller_with_nobody_available_waits_in_the_queue() {
    let w = given_agents(&["agent1"]).when(Command::CallArrived {
        call: call(1),
        from: Some(caller(1)),
        recorded: false,
        arrival: Arrival::Rings,
        queue: None,
        arrived_at: None,
    });
    assert_eq!(w.phase(1), Some(CallPhase::Queued));
    assert_eq!(w.state.queue_position(&call(1)), Some(1));
    assert!(w.effects().is_empty(), "nobody is rung");
    assert_eq!(
        w.decision().events,
        vec![Event::Call(CallEvent::Queued { call: call(1), from: Some(caller(1)), queue: None, priority: 0, since: None })]
    );
}

#[test]
fn a_repeated_voice_webhook_queues_the_caller_once() {
    let w = given_agents(&["agent1"]).arrives(1).when(Command::CallArrived {
        call: call(1),
        from: None,
        recorded: false,
        arrival: Arrival::Rings,
        queue: None,
        arrived_at: None,
    });
    assert!(w.decision().events.is_empty());
    assert_eq!(w.state.queue_len(), 1);
}

#[test]
fn the_longest_idle_available_agent_is_offered_the_oldest_call() {
    let w = given_agents(&["agent1", "agent2", "agent3"])
        .at(1_000)
        .available("agent2")
        .at(2_000)
        .available("agent3")
        .at(3_000)
        .available("agent1")
        .at(4_000)
        .arrives(1)
        .at(4_100)
        .arrives(2);
    assert_eq!(w.offered_to(1), Some(agent("agent2")), "agent2 has been idle longest");
    assert_eq!(w.offered_to(2), Some(agent("agent3")));
    assert_eq!(w.effects(), &[dial(2, "agent3", 1)]);
    assert_eq!(w.presence("agent2"), Presence::Ringing { call: call(1) });
    assert_eq!(w.presence("agent1"), Presence::Available);
}

#[test]
fn with_no_agent_free_callers_wait_in_arrival_order_and_the_first_free_agent_gets_the_oldest() {
    let w = given_agents(&["agent1"]).at(1_000).arrives(1).at(1_001).arrives(2).at(1_002).arrives(3);
    assert_eq!(w.state.queue_position(&call(3)), Some(3));
    let w = w.at(5_000).available("agent1");
    assert_eq!(w.offered_to(1), Some(agent("agent1")));
    assert_eq!(w.effects(), &[dial(1, "agent1", 1)]);
    assert_eq!(w.state.queue_position(&call(2)), Some(1), "caller 2 is now first in line");
}

#[test]
fn no_agent_is_offered_two_calls_and_no_call_is_offered_to_two_agents() {
    let mut w = given_agents(&["agent1", "agent2"]).available("agent1").available("agent2");
    for n in 1..=5 {
        w = w.at(2_000 + n as i64).arrives(n);
    }
    let offers: Vec<_> = (1..=5).filter_map(|n| w.offered_to(n)).collect();
    assert_eq!(offers, vec![agent("agent1"), agent("agent2")]);
    assert_eq!(w.state.queue_len(), 3);
}

#[test]
fn a_missed_offer_sends_the_call_back_to_the_head_and_the_agent_away() {
    let w =
        given_agents(&["agent1", "agent2"]).at(1_000).available("agent1").at(2_000).arrives(1).at(2_001).arrives(2).at(32_000).leg_ends(
            "agent1",
            1,
            1,
            LegOutcome::NoAnswer,
        );
    assert_eq!(w.presence("agent1"), Presence::Away { reason: AwayReason::MissedCall });
    assert_eq!(w.phase(1), Some(CallPhase::Queued));
    assert_eq!(w.state.queue_position(&call(1)), Some(1), "it keeps its place ahead of caller 2");
    assert!(w.decision().events.contains(&Event::Call(CallEvent::OfferMissed {
        call: call(1),
        agent: agent("agent1"),
        outcome: LegOutcome::NoAnswer
    })));
}

#[test]
fn the_next_agent_is_offered_a_missed_call() {
    let w = given_agents(&["agent1", "agent2"]).at(1_000).available("agent1").at(2_000).available("agent2").arrives(1).arrives(2).leg_ends(
        "agent1",
        1,
        1,
        LegOutcome::Busy,
    );
    // agent2 is ringing for call 2; call 1 waits at the head until someone is free.
    assert_eq!(w.offered_to(2), Some(agent("agent2")));
    assert_eq!(w.phase(1), Some(CallPhase::Queued));
    let w = w.leg_ends("agent2", 2, 1, LegOutcome::NoAnswer).available("agent1");
    assert_eq!(w.offered_to(1), Some(agent("agent1")), "the returned call is offered first, on a new leg");
    assert_eq!(w.effects(), &[dial(1, "agent1", 2)]);
}

#[test]
fn every_kind_of_unanswered_offer_is_a_missed_call() {
    for outcome in [LegOutcome::NoAnswer, LegOutcome::Busy, LegOutcome::Failed, LegOutcome::Canceled] {
        let w = given_agents(&["agent1"]).available("agent1").arrives(1).leg_ends("agent1", 1, 1, outcome);
        assert_eq!(w.presence("agent1"), Presence::Away { reason: AwayReason::MissedCall }, "{outcome:?}");
        assert_eq!(w.phase(1), Some(CallPhase::Queued), "{outcome:?}");
    }
}

#[test]
fn news_of_an_older_leg_changes_nothing() {
    let w = given_agents(&["agent1", "agent2"])
        .available("agent1")
        .arrives(1)
        .leg_ends("agent1", 1, 1, LegOutcome::NoAnswer)
        .available("agent2");
    assert_eq!(w.offered_to(1), Some(agent("agent2")));
    let before = w.state.clone();
    let w = w.leg_ends("agent1", 1, 1, LegOutcome::NoAnswer);
    assert_eq!(w.state, before);
    assert!(w.decision().events.is_empty());
}

#[test]
fn a_caller_who_hangs_up_after_an_agent_answered_is_no_abandon_even_waiting_again_in_the_queue() {
    let w = given_agents(&["agent1"])
        .available("agent1")
        .arrives(1)
        .answers("agent1", 1, 1)
        .and(Command::Transfer { agent: agent("agent1"), action: TransferAction::Blind { to: Target::Queue } })
        .when(Command::CallerLeft { call: call(1), conference: None });
    assert!(w.decision().events.contains(&Event::Call(CallEvent::Ended {
        call: call(1),
        reason: EndReason::CallerHungUp,
        abandoned: false
    })));
}

#[test]
fn a_caller_leaving_while_offered_stops_the_ringing_and_frees_the_agent() {
    let w = given_agents(&["agent1"]).available("agent1").arrives(1).when(Command::CallerLeft { call: call(1), conference: None });
    assert_eq!(w.effects(), &[Effect::CancelLeg { call: call(1), party: Party::Agent(agent("agent1")), leg: 1 }]);
    assert_eq!(w.presence("agent1"), Presence::Available, "not their fault: no away");
    assert_eq!(w.phase(1), None);
    let events = &w.decision().events;
    assert!(events.contains(&Event::Call(CallEvent::OfferWithdrawn { call: call(1), agent: agent("agent1") })));
    assert!(
        events.contains(&Event::Call(CallEvent::Ended { call: call(1), reason: EndReason::CallerHungUp, abandoned: true })),
        "rung, never answered: an abandon"
    );
}

#[test]
fn a_caller_leaving_the_queue_is_gone_from_it() {
    let w = given_agents(&["agent1"]).arrives(1).arrives(2).when(Command::CallerLeft { call: call(1), conference: None });
    assert_eq!(w.state.queue_position(&call(2)), Some(1));
    assert!(w.effects().is_empty());
}

// ---- answering and ending --------------------------------------------------------------------------

#[test]
fn answering_connects_the_call_and_puts_the_agent_on_it() {
    let w = given_agents(&["agent1"]).available("agent1").arrives(1).at(5_000).answers("agent1", 1, 1);
    assert_eq!(w.phase(1), Some(CallPhase::Connected { owner: agent("agent1"), leg: 1, since: 5_000 }));
    assert_eq!(w.presence("agent1"), Presence::OnCall { call: call(1) });
    // Twilio asking for the join document twice is the same answer.
    let w = w.when(Command::LegAnswered { call: call(1), party: Party::Agent(agent("agent1")), leg: 1, sid: None });
    assert!(w.decision().events.is_empty());
}

#[test]
fn answering_a_call_whose_caller_left_is_refused() {
    let w = given_agents(&["agent1"])
        .available("agent1")
        .arrives(1)
        .and(Command::CallerLeft { call: call(1), conference: None })
        .when(Command::LegAnswered { call: call(1), party: Party::Agent(agent("agent1")), leg: 1, sid: None });
    assert!(w.refusal().contains("unknown or finished call"), "{}", w.refusal());
}

#[test]
fn answering_an_offer_that_moved_on_is_refused_and_changes_nothing() {
    let w = given_agents(&["agent1", "agent2"])
        .available("agent1")
        .arrives(1)
        .leg_ends("agent1", 1, 1, LegOutcome::NoAnswer)
        .available("agent2");
    let before = w.state.clone();
    let w = w.when(Command::LegAnswered { call: call(1), party: Party::Agent(agent("agent1")), leg: 1, sid: None });
    assert_eq!(w.refusal(), "this call is no longer ringing for agent1");
    assert_eq!(w.state, before);
}

#[test]
fn the_agent_hanging_up_ends_the_call_hangs_up_the_caller_and_starts_wrap_up() {
    let w = given_agents(&["agent1"]).available("agent1").arrives(1).answers("agent1", 1, 1).at(60_000).leg_ends(
        "agent1",
        1,
        1,
        LegOutcome::Completed,
    );
    assert_eq!(w.presence("agent1"), Presence::WrapUp { until: 75_000 });
    assert_eq!(w.effects(), &[Effect::HangUpCaller { call: call(1), sid: None }]);
    assert_eq!(w.phase(1), None);
}

#[test]
fn the_customer_hanging_up_puts_the_agent_in_wrap_up() {
    let w = given_agents(&["agent1"])
        .available("agent1")
        .arrives(1)
        .answers("agent1", 1, 1)
        .at(60_000)
        .and(Command::CallerLeft { call: call(1), conference: None });
    assert_eq!(w.presence("agent1"), Presence::WrapUp { until: 75_000 });
    assert!(w.effects().is_empty(), "the caller is gone already");
    // The agent's own leg ending afterwards is old news.
    let w = w.leg_ends("agent1", 1, 1, LegOutcome::Completed);
    assert!(w.decision().events.is_empty());
}

#[test]
fn after_wrap_up_the_agent_is_available_and_gets_the_next_caller() {
    let w = given_agents(&["agent1"]).available("agent1").arrives(1).answers("agent1", 1, 1).arrives(2).at(60_000).leg_ends(
        "agent1",
        1,
        1,
        LegOutcome::Completed,
    );
    assert_eq!(w.phase(2), Some(CallPhase::Queued), "nobody rings during wrap-up");
    let w = w.at(74_999).and(Command::Tick);
    assert_eq!(w.presence("agent1"), Presence::WrapUp { until: 75_000 });
    let w = w.at(75_000).and(Command::Tick);
    assert_eq!(w.offered_to(2), Some(agent("agent1")));
    assert_eq!(w.effects(), &[dial(2, "agent1", 1)]);
}

#[test]
fn an_agent_can_end_wrap_up_early() {
    let w = given_agents(&["agent1"])
        .available("agent1")
        .arrives(1)
        .answers("agent1", 1, 1)
        .leg_ends("agent1", 1, 1, LegOutcome::Completed)
        .arrives(2)
        .available("agent1");
    assert_eq!(w.offered_to(2), Some(agent("agent1")));
}

// ---- presence ----------------------------------------------------------------------------------------

#[test]
fn going_available_or_away_while_on_a_call_is_refused_and_changes_nothing() {
    let w = given_agents(&["agent1"]).available("agent1").arrives(1).answers("agent1", 1, 1);
    let before = w.state.clone();
    let w = w.when(Command::SetPresence { agent: agent("agent1"), wanted: Wanted::Available });
    assert_eq!(w.refusal(), "you are on a call");
    let w = w.when(Command::SetPresence { agent: agent("agent1"), wanted: Wanted::Away });
    assert_eq!(w.refusal(), "you are on a call");
    assert_eq!(w.state, before);
}

#[test]
fn going_away_while_a_call_rings_is_refused() {
    let w = given_agents(&["agent1"])
        .available("agent1")
        .arrives(1)
        .when(Command::SetPresence { agent: agent("agent1"), wanted: Wanted::Away });
    assert!(w.refusal().contains("ringing"));
}

#[test]
fn an_away_agent_is_not_offered_calls() {
    let w =
        given_agents(&["agent1"]).available("agent1").and(Command::SetPresence { agent: agent("agent1"), wanted: Wanted::Away }).arrives(1);
    assert_eq!(w.presence("agent1"), Presence::Away { reason: AwayReason::Chosen });
    assert_eq!(w.phase(1), Some(CallPhase::Queued));
}

#[test]
fn an_unknown_agent_is_refused() {
    let w = given_agents(&["agent1"]).when(Command::SetPresence { agent: agent("nobody"), wanted: Wanted::Available });
    assert_eq!(w.refusal(), "unknown agent 'nobody'");
}

#[test]
fn a_console_gone_past_its_lease_makes_the_agent_offline() {
    let w = given_agents(&["agent1"])
        .at(1_000)
        .and(Command::Heartbeat { agents: vec![agent("agent1")] })
        .available("agent1")
        .at(30_999)
        .and(Command::Tick);
    assert_eq!(w.presence("agent1"), Presence::Available);
    let w = w.at(31_000).and(Command::Tick);
    assert_eq!(w.presence("agent1"), Presence::Offline);
}

#[test]
fn a_ringing_agent_whose_console_is_gone_loses_the_offer_and_the_next_agent_rings() {
    let w = given_agents(&["agent1", "agent2"])
        .at(1_000)
        .and(Command::Heartbeat { agents: vec![agent("agent1")] })
        .available("agent1")
        .at(2_000)
        .available("agent2")
        .arrives(1);
    assert_eq!(w.offered_to(1), Some(agent("agent1")));
    let w = w.at(31_000).and(Command::Tick);
    assert_eq!(w.presence("agent1"), Presence::Offline);
    assert_eq!(w.offered_to(1), Some(agent("agent2")));
    assert_eq!(w.effects(), &[Effect::CancelLeg { call: call(1), party: Party::Agent(agent("agent1")), leg: 1 }, dial(1, "agent2", 2)]);
}

#[test]
fn signing_out_while_ringing_hands_the_call_to_the_next_agent() {
    let w = given_agents(&["agent1", "agent2"])
        .at(1_000)
        .available("agent1")
        .at(2_000)
        .available("agent2")
        .arrives(1)
        .and(Command::SignedOut { agent: agent("agent1") });
    assert_eq!(w.presence("agent1"), Presence::Offline);
    assert_eq!(w.offered_to(1), Some(agent("agent2")));
}

#[test]
fn an_offer_twilio_never_reports_on_is_given_up_after_the_ring_timeout_and_grace() {
    let w = given_agents(&["agent1"]).at(1_000).available("agent1").arrives(1).at(45_999).and(Command::Tick);
    assert_eq!(w.offered_to(1), Some(agent("agent1")));
    let w = w.at(46_000).and(Command::Tick);
    assert_eq!(w.phase(1), Some(CallPhase::Queued));
    assert_eq!(w.presence("agent1"), Presence::Away { reason: AwayReason::MissedCall });
    assert_eq!(w.effects(), &[Effect::CancelLeg { call: call(1), party: Party::Agent(agent("agent1")), leg: 1 }]);
}

// ---- views ----------------------------------------------------------------------------------------------

#[test]
fn a_console_view_shows_me_my_call_the_queue_and_the_others() {
    let w = given_agents(&["agent1", "agent2", "agent3"]).at(1_000).available("agent1").at(2_000).arrives(1).arrives(2);
    let view = w.state.console_view(&agent("agent1"), 3_000).unwrap();
    assert_eq!(view.me.presence, Presence::Ringing { call: call(1) });
    let c = view.call.unwrap();
    assert_eq!((c.phase, c.from), (Phase::Offered, Some(caller(1))));
    assert_eq!(view.queue, QueueCard { waiting: 1, longest_since: Some(2_000) });
    assert!(view.agents.is_empty(), "the directory goes apart");
    let directory: Vec<_> = w.state.directory().into_iter().map(|a| (a.id.to_string(), a.presence.word())).collect();
    assert_eq!(directory, [("agent1".into(), "ringing"), ("agent2".into(), "offline"), ("agent3".into(), "offline")]);
}

// ---- the phone gone ---------------------------------------------------------------------------------

#[test]
fn an_agent_whose_phone_is_gone_is_offline_and_offered_nothing() {
    let w = given_agents(&["agent1"]).available("agent1").and(Command::SetPresence { agent: agent("agent1"), wanted: Wanted::Offline });
    assert_eq!(w.presence("agent1"), Presence::Offline);
    let w = w.arrives(1);
    assert_eq!(w.phase(1), Some(CallPhase::Queued), "nobody to ring");
}

#[test]
fn a_phone_gone_while_ringing_hands_the_call_to_the_next_agent_at_once() {
    let w = given_agents(&["agent1", "agent2"])
        .at(1_000)
        .available("agent1")
        .at(2_000)
        .available("agent2")
        .arrives(1)
        .and(Command::SetPresence { agent: agent("agent1"), wanted: Wanted::Offline });
    assert_eq!(w.presence("agent1"), Presence::Offline);
    assert_eq!(w.offered_to(1), Some(agent("agent2")));
    assert_eq!(w.effects()[0], Effect::CancelLeg { call: call(1), party: Party::Agent(agent("agent1")), leg: 1 });
}

#[test]
fn a_phone_gone_during_a_call_is_refused_the_call_goes_on() {
    let w = given_agents(&["agent1"]).available("agent1").arrives(1).answers("agent1", 1, 1);
    let w = w.when(Command::SetPresence { agent: agent("agent1"), wanted: Wanted::Offline });
    assert_eq!(w.refusal(), "you are on a call");
}

#[test]
fn a_dial_twilio_never_took_leaves_the_agent_available_behind_the_others_and_the_caller_at_the_head() {
    let w = given_agents(&["agent1", "agent2"]).at(1_000).available("agent1").at(2_000).available("agent2").arrives(1).at(5_000).leg_ends(
        "agent1",
        1,
        1,
        LegOutcome::Unplaced,
    );
    assert_eq!(w.presence("agent1"), Presence::Available, "Twilio being down is not their absence");
    assert_eq!(w.offered_to(1), Some(agent("agent2")), "the next attempt goes to the agent idle longest now");
    assert_eq!(w.state.agents[&agent("agent1")].since, 5_000);
    assert_eq!(w.decision().events[0].describe(), "agent1: not placed: Twilio did not take the request");
}

#[test]
fn presences_read_back_as_written() {
    for p in [
        Presence::Offline,
        Presence::Available,
        Presence::Away { reason: AwayReason::MissedCall },
        Presence::Ringing { call: call(1) },
        Presence::OnCall { call: call(2) },
        Presence::WrapUp { until: 42 },
    ] {
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Presence>(&json).unwrap(), p, "{json}");
    }
    assert_eq!(
        serde_json::to_string(&Presence::Ringing { call: call(1) }).unwrap(),
        format!(r#"{{"state":"ringing","call":"{}"}}"#, call(1))
    );
    assert!(serde_json::from_str::<Presence>(r#"{"state":"away"}"#).is_err());
    assert!(serde_json::from_str::<Presence>(r#"{"state":"asleep"}"#).is_err());
}

#[test]
fn a_caller_kept_aside_while_the_database_was_away_keeps_the_place_of_when_they_rang() {
    // Given a caller who rang at 1,000 while the database was away (kept aside), and one who rang
    // at 2,000 once it was back and was queued at once.
    let w = given_agents(&["agent1"]).at(2_000).arrives(2);
    // When the first is queued at 3,000, as of when they rang, then they are first in line.
    let w = w.at(3_000).when(Command::CallArrived {
        call: call(1),
        from: Some(caller(1)),
        recorded: false,
        arrival: Arrival::Rings,
        queue: None,
        arrived_at: Some(1_000),
    });
    assert_eq!(
        w.decision().events,
        vec![Event::Call(CallEvent::Queued { call: call(1), from: Some(caller(1)), queue: None, priority: 0, since: Some(1_000) })]
    );
    assert_eq!(w.state.queue_position(&call(1)), Some(1));
    assert_eq!(w.state.queue_position(&call(2)), Some(2));
    assert_eq!(w.state.calls[&call(1)].queued_at, 1_000);
    // And the one who comes free is offered the caller who rang first.
    let w = w.available("agent1");
    assert_eq!(w.offered_to(1), Some(agent("agent1")));
    // A time ahead of the decision's own clock is not believed.
    let w = given_agents(&["agent1"]).at(5_000).when(Command::CallArrived {
        call: call(3),
        from: None,
        recorded: false,
        arrival: Arrival::Rings,
        queue: None,
        arrived_at: Some(9_000),
    });
    assert_eq!(w.state.calls[&call(3)].queued_at, 5_000);
}
