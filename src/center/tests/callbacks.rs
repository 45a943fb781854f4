//! Callbacks: offered after a wait (or at the start when the queue's head has waited long), the
//! menu that keeps the caller's place, the request that keeps it against callers who arrived
//! later, the agent's leg first and then the caller's, each failed attempt, and never an abandon.

use super::given::*;
use crate::center::*;
use crate::ids::{CallSid, E164};

const AFTER: Millis = 60_000;

fn rules() -> Rules {
    Rules { callback_after: Some(AFTER), callback_attempts: 2, callback_retry: 120_000, ..Rules::BASIC }
}

fn number(n: u8) -> E164 {
    E164::parse(caller(n).as_str()).unwrap()
}

fn leg_sid(n: u8) -> CallSid {
    CallSid::parse(&format!("CA{:032x}", 0xab00 + u32::from(n))).unwrap()
}

/// agent1 and agent2 signed in, away: nobody takes calls, but someone is there.
fn signed_in_away(names: &[&str]) -> World {
    let w = given_agents(names).with_rules(rules());
    names.iter().fold(w, |w, n| w.and(Command::SetPresence { agent: agent(n), wanted: Wanted::Away }))
}

/// Caller 1 (at 1 s) was offered a callback after the wait and asked for it on their number.
fn callback_requested() -> World {
    signed_in_away(&["agent1", "agent2"])
        .arrives(1)
        .at(1_000 + AFTER)
        .and(Command::Tick)
        .and(Command::RequestCallback { call: call(1), number: number(1) })
}

impl World {
    fn customer_answers(self, n: u8, leg: LegNo) -> Self {
        self.and(Command::LegAnswered { call: call(n), party: Party::Phone(number(n)), leg, sid: Some(leg_sid(n)) })
    }

    fn customer_leg_ends(self, n: u8, leg: LegNo, outcome: LegOutcome) -> Self {
        self.and(Command::LegEnded { call: call(n), party: Party::Phone(number(n)), leg, outcome })
    }

    fn agent_answers(self, name: &str, n: u8, leg: LegNo) -> Self {
        self.and(Command::LegAnswered { call: call(n), party: Party::Agent(agent(name)), leg, sid: Some(leg_sid(100 + leg as u8)) })
    }
}

#[test]
fn a_caller_who_has_waited_is_moved_to_the_callback_menu_once_keeping_their_place() {
    let w = signed_in_away(&["agent1"]).arrives(1).at(2_000).arrives(2).at(1_000 + AFTER).and(Command::Tick);
    assert_eq!(
        w.decision().events,
        vec![Event::Callback(CallbackEvent::CallbackOffered { call: call(1), until: 1_000 + AFTER + rules().menu_time, nobody: false })]
    );
    assert_eq!(w.effects(), &[Effect::OfferCallback { call: call(1) }]);
    assert_eq!(w.state.queue_position(&call(1)), Some(1), "the menu keeps their place");
    // Their conference ends as they leave it: they are not gone.
    let w = w.and(Command::CallerLeft { call: call(1), conference: None });
    assert!(w.state.calls.contains_key(&call(1)));
    // While they choose, the caller behind them is offered to an agent who comes free.
    let w = w.available("agent1");
    assert_eq!(w.offered_to(2), Some(agent("agent1")));
    assert_eq!(w.phase(1), Some(CallPhase::Queued));
    // Back from the menu, still first; never offered a callback again.
    let w = w.and(Command::KeepWaiting { call: call(1), from: Some(caller(1)) });
    assert_eq!(w.decision().events, vec![Event::Callback(CallbackEvent::BackInQueue { call: call(1) })]);
    assert_eq!(w.state.queue_position(&call(1)), Some(1));
    let w = w.at(10 * AFTER).and(Command::Tick);
    assert!(!w.decision().events.iter().any(|e| matches!(e, Event::Callback(CallbackEvent::CallbackOffered { .. }))));
}

#[test]
fn a_caller_who_hangs_up_in_the_menu_is_gone_once_its_time_is_over() {
    let w = signed_in_away(&["agent1"]).arrives(1).at(1_000 + AFTER).and(Command::Tick);
    let w = w.at(1_000 + AFTER + rules().menu_time).and(Command::Tick);
    assert!(w.decision().events.contains(&Event::Call(CallEvent::Ended {
        call: call(1),
        reason: EndReason::CallerHungUp,
        abandoned: true
    })));
    assert!(w.effects().is_empty(), "nobody to hang up: {:?}", w.effects());
}

#[test]
fn at_the_start_a_callback_is_offered_when_the_queues_head_has_waited_long() {
    let w = signed_in_away(&["agent1"]).arrives(1).at(30_000).arrives(2);
    assert!(
        !w.decision().events.iter().any(|e| matches!(e, Event::Callback(CallbackEvent::CallbackOffered { .. }))),
        "the head waited 29 s only"
    );
    // The menu is in the answer to the voice webhook itself: no REST request.
    let w = w.at(1_000 + AFTER).and(Command::CallArrived {
        call: call(3),
        from: Some(caller(3)),
        recorded: false,
        arrival: Arrival::Rings,
        queue: None,
        arrived_at: None,
    });
    assert_eq!(
        w.decision().events[1],
        Event::Callback(CallbackEvent::CallbackOffered { call: call(3), until: 1_000 + AFTER + rules().menu_time, nobody: false })
    );
    assert!(w.effects().is_empty());
}

#[test]
fn at_the_start_a_callback_is_offered_when_recent_callers_waited_long_before_an_answer() {
    // Caller 1 waited the whole `AFTER` before agent1 answered; nobody waits now.
    let w = signed_in_away(&["agent1"]).arrives(1).at(1_000 + AFTER).available("agent1").answers("agent1", 1, 1);
    let w = w.at(2 * AFTER).arrives(2);
    assert!(
        w.decision()
            .events
            .iter()
            .any(|e| matches!(e, Event::Callback(CallbackEvent::CallbackOffered { call: c, nobody: false, .. }) if *c == call(2))),
        "{:?}",
        w.decision().events
    );
}

#[test]
fn a_callback_request_keeps_the_callers_place_against_callers_who_arrived_later() {
    let w = callback_requested().at(70_000).arrives(2).at(80_000).available("agent1");
    assert_eq!(w.offered_to(1), Some(agent("agent1")), "the request is first, as its caller was");
    assert_eq!(w.effects(), &[dial(1, "agent1", 1)], "the agent's phone rings as for a call");
    assert_eq!(w.offered_to(2), None);
}

#[test]
fn the_agent_answers_first_then_the_caller_is_called_and_they_talk() {
    let w = callback_requested().available("agent1").agent_answers("agent1", 1, 1);
    assert_eq!(
        w.decision().events[2],
        Event::Callback(CallbackEvent::CallbackDialled { call: call(1), number: number(1), attempt: 1, leg: 2 })
    );
    assert_eq!(w.effects(), &[Effect::Dial { call: call(1), party: Party::Phone(number(1)), leg: 2 }]);
    let card = w.state.call_card(&w.state.calls[&call(1)], &agent("agent1"));
    assert_eq!(card.callback.as_ref().map(|cb| cb.number.clone()), Some(number(1)));
    assert!(w.when_consult_refused());

    let w = w.customer_answers(1, 2);
    assert_eq!(w.decision().events, vec![Event::Callback(CallbackEvent::CallbackAnswered { call: call(1), sid: Some(leg_sid(1)) })]);
    // The caller hangs up: the call is over, the agent in wrap-up; their leg ends with the conference.
    let w = w.customer_leg_ends(1, 2, LegOutcome::Completed);
    assert!(
        w.decision().events.contains(&Event::Call(CallEvent::Ended { call: call(1), reason: EndReason::CallerHungUp, abandoned: false })),
        "a callback is never an abandon"
    );
    assert!(matches!(w.presence("agent1"), Presence::WrapUp { .. }));
    // The agent hanging up first instead hangs up the caller's own leg.
    let w = callback_requested().available("agent1").agent_answers("agent1", 1, 1).customer_answers(1, 2);
    let w = w.leg_ends("agent1", 1, 1, LegOutcome::Completed);
    assert!(w.effects().contains(&Effect::HangUpCaller { call: call(1), sid: Some(leg_sid(1)) }), "{:?}", w.effects());
}

impl World {
    /// A consult before the caller is on the line is refused (there is nobody to transfer).
    fn when_consult_refused(&self) -> bool {
        let w = self.clone().when(Command::Transfer { agent: agent("agent1"), action: TransferAction::Blind { to: Target::Queue } });
        w.refusal() == "the caller has not answered the callback yet"
    }
}

#[test]
fn a_busy_caller_frees_the_agent_and_the_request_waits_in_its_place_for_the_retry() {
    let w = callback_requested().at(70_000).arrives(2).at(80_000).available("agent1").agent_answers("agent1", 1, 1);
    let w = w.at(90_000).customer_leg_ends(1, 2, LegOutcome::Busy);
    assert_eq!(
        w.decision().events[0],
        Event::Callback(CallbackEvent::CallbackMissed {
            call: call(1),
            attempt: 1,
            outcome: LegOutcome::Busy,
            retry_at: Some(90_000 + 120_000)
        })
    );
    assert_eq!(w.decision().events[0].describe(), "callback attempt 1: busy; trying again later, in the caller's place");
    assert!(
        w.effects().contains(&Effect::HangUpCaller { call: call(1), sid: Some(leg_sid(101)) }),
        "the agent's lone leg: {:?}",
        w.effects()
    );
    assert!(matches!(w.presence("agent1"), Presence::WrapUp { .. }));
    // Meanwhile the caller behind goes first (agent1 out of wrap-up); the request keeps its
    // place, and a free agent is not offered it before the retry time.
    let w = w.at(106_000).and(Command::Tick);
    assert_eq!(w.offered_to(2), Some(agent("agent1")));
    let w = w.available("agent2");
    assert_eq!(w.offered_to(1), None);
    assert_eq!(w.state.queue_position(&call(1)), Some(1));
    assert_eq!(w.next_due().map(|t| t <= 210_000), Some(true));
    // At the retry time the free agent takes it, and the second attempt is the last.
    let w = w.at(210_000).and(Command::Tick);
    assert_eq!(w.offered_to(1), Some(agent("agent2")));
    let w = w.agent_answers("agent2", 1, 3);
    assert_eq!(
        w.decision().events[2],
        Event::Callback(CallbackEvent::CallbackDialled { call: call(1), number: number(1), attempt: 2, leg: 4 })
    );
    let w = w.customer_leg_ends(1, 4, LegOutcome::NoAnswer);
    assert_eq!(
        w.decision().events[0],
        Event::Callback(CallbackEvent::CallbackMissed { call: call(1), attempt: 2, outcome: LegOutcome::NoAnswer, retry_at: None })
    );
    assert!(w.decision().events.contains(&Event::Call(CallEvent::Ended {
        call: call(1),
        reason: EndReason::CallbackGaveUp,
        abandoned: false
    })));
    assert!(!w.state.calls.contains_key(&call(1)));
}

#[test]
fn a_callback_is_never_an_abandon() {
    let mut day = Day::new(0);
    day.record(1_000, &Event::Call(CallEvent::Queued { call: call(1), from: None, queue: None, priority: 0, since: None }));
    day.record(2_000, &Event::Callback(CallbackEvent::CallbackRequested { call: call(1), number: number(1) }));
    day.record(90_000, &Event::Call(CallEvent::Ended { call: call(1), reason: EndReason::CallbackGaveUp, abandoned: false }));
    let f = day.figures(100_000, &Thresholds::default());
    assert_eq!((f.offered, f.abandoned, f.short_abandoned), (1, 0, 0));
}

#[test]
fn a_choice_out_of_the_menu_is_refused_and_a_repeated_request_changes_nothing() {
    let w = signed_in_away(&["agent1"]).arrives(1).when(Command::RequestCallback { call: call(1), number: number(1) });
    assert_eq!(w.refusal(), "the caller is not in the callback menu (any more)");
    let w = callback_requested().when(Command::RequestCallback { call: call(1), number: number(1) });
    assert!(w.decision().events.is_empty());
}

#[test]
fn a_caller_in_the_menu_who_chooses_a_message_leaves_the_queue_not_as_an_abandon() {
    let w = signed_in_away(&["agent1"]).arrives(1).at(1_000 + AFTER).and(Command::Tick);
    let w = w.and(Command::ChooseVoicemail { call: call(1) });
    assert_eq!(
        w.decision().events,
        vec![Event::Call(CallEvent::Ended { call: call(1), reason: EndReason::ToVoicemail, abandoned: false })]
    );
    assert_eq!(w.decision().events[0].describe(), "chose to leave a message");
    assert!(w.effects().is_empty(), "they are recording their message: {:?}", w.effects());
    let mut day = Day::new(0);
    day.record(1_000, &Event::Call(CallEvent::Queued { call: call(1), from: None, queue: None, priority: 0, since: None }));
    day.record(70_000, &w.decision().events[0]);
    assert_eq!(day.figures(80_000, &Thresholds::default()).abandoned, 0);
}

#[test]
fn a_caller_twilio_would_not_move_waits_on_and_one_whose_call_is_over_is_gone() {
    let offered = signed_in_away(&["agent1"]).arrives(1).at(1_000 + AFTER).and(Command::Tick);
    let w = offered.clone().and(Command::MoveFailed { call: call(1), gone: false });
    assert_eq!(w.decision().events, vec![Event::Callback(CallbackEvent::BackInQueue { call: call(1) })]);
    assert!(w.state.calls[&call(1)].routable(w.now));
    let w = offered.and(Command::MoveFailed { call: call(1), gone: true });
    assert_eq!(
        w.decision().events,
        vec![Event::Call(CallEvent::Ended { call: call(1), reason: EndReason::CallerHungUp, abandoned: true })]
    );
}

#[test]
fn a_caller_back_from_the_menu_after_its_time_ran_out_waits_again_rather_than_being_lost() {
    let w = signed_in_away(&["agent1"]).arrives(1).at(1_000 + AFTER).and(Command::Tick);
    let w = w.at(1_000 + AFTER + rules().menu_time).and(Command::Tick);
    assert!(!w.state.calls.contains_key(&call(1)));
    let w = w.and(Command::KeepWaiting { call: call(1), from: Some(caller(1)) });
    assert_eq!(
        w.decision().events,
        vec![Event::Call(CallEvent::Queued { call: call(1), from: Some(caller(1)), queue: None, priority: 0, since: None })]
    );
    assert_eq!(w.state.queue_position(&call(1)), Some(1));
}

#[test]
fn with_nobody_signed_in_a_caller_is_offered_a_callback_or_a_message_at_once() {
    let w = given_agents(&["agent1"]).with_rules(rules()).arrives(1);
    assert_eq!(
        w.decision().events[1],
        Event::Callback(CallbackEvent::CallbackOffered { call: call(1), until: 1_000 + rules().menu_time, nobody: true })
    );
    // Someone signed in, even away: callers wait as usual.
    let w = signed_in_away(&["agent1"]).arrives(2);
    assert_eq!(w.decision().events.len(), 1, "{:?}", w.decision().events);
}

#[test]
fn a_long_queue_passing_the_wait_at_once_is_moved_to_the_menu_in_slices() {
    let mut w = signed_in_away(&["agent1"]);
    for n in 1..=25 {
        w = w.arrives(n);
    }
    let w = w.at(1_000 + AFTER).and(Command::Tick);
    assert_eq!(w.effects().len(), 20);
    assert!(w.next_due().is_some_and(|t| t <= w.now), "the rest are still due");
    let w = w.and(Command::Tick);
    assert_eq!(w.effects().len(), 5);
}

#[test]
fn a_late_word_about_the_conference_a_caller_left_for_the_menu_does_not_end_their_call() {
    let old = crate::ids::ConferenceSid::parse("CF00000000000000000000000000000001").unwrap();
    let new = crate::ids::ConferenceSid::parse("CF00000000000000000000000000000002").unwrap();
    // Given a caller in their conference (Twilio told its sid), moved to the callback menu and
    // back into the queue: a new conference of the same name.
    let w = signed_in_away(&["agent1"])
        .arrives(1)
        .and(Command::ConferenceKnown { call: call(1), conference: old.clone() })
        .at(1_000 + AFTER)
        .and(Command::Tick)
        .and(Command::KeepWaiting { call: call(1), from: Some(caller(1)) });
    assert_eq!(w.state.calls[&call(1)].conference, None, "the new conference is not known yet");
    // When the old conference's participant-leave and conference-end arrive late, then nothing
    // changes: it is not their conference any more, nor learned as theirs again.
    let w = w.and(Command::ConferenceKnown { call: call(1), conference: old.clone() });
    assert!(w.decision().events.is_empty());
    let w = w.and(Command::CallerLeft { call: call(1), conference: Some(old.clone()) });
    assert!(w.decision().events.is_empty(), "{:?}", w.decision().events);
    assert_eq!(w.phase(1), Some(CallPhase::Queued));
    // The new conference is theirs: leaving it ends the call.
    let w = w.and(Command::ConferenceKnown { call: call(1), conference: new.clone() });
    assert_eq!(w.state.calls[&call(1)].conference, Some(new.clone()));
    let w = w.and(Command::CallerLeft { call: call(1), conference: Some(new) });
    assert!(w.decision().events.contains(&Event::Call(CallEvent::Ended {
        call: call(1),
        reason: EndReason::CallerHungUp,
        abandoned: true
    })));
}

#[test]
fn each_choice_in_the_menu_says_what_the_caller_hears_next() {
    let w = callback_requested();
    assert_eq!(w.decision().reply, Some(Reply::CallbackTaken { number: number(1) }));
    let w = w.and(Command::RequestCallback { call: call(1), number: number(2) });
    assert_eq!(w.decision().reply, Some(Reply::CallbackTaken { number: number(1) }), "Twilio repeating: the number first asked for");

    let offered = signed_in_away(&["agent1"]).arrives(1).at(1_000 + AFTER).and(Command::Tick);
    let w = offered.clone().and(Command::KeepWaiting { call: call(1), from: None });
    assert_eq!(w.decision().reply, Some(Reply::BackInQueue));
    let w = offered.and(Command::ChooseVoicemail { call: call(1) });
    assert_eq!(w.decision().reply, Some(Reply::Voicemail));
    assert!(w.when(Command::ChooseVoicemail { call: call(1) }).last.is_err(), "out of the menu: refused, the edge puts them back");
}
