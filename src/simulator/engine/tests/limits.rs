//! The account's limits: API-created calls placed no faster than the calls per second (oldest
//! first, inbound calls never waiting), and a conference's 250 participants (16020).

use super::*;

/// Browser calls: they ring until someone answers, so nothing moves on by itself.
fn dial_agents(w: &mut World, names: &[&str]) -> Vec<CallSid> {
    names.iter().map(|n| w.dial(&format!("client:{n}"), &format!("{APP}/agent"), None).unwrap()).collect()
}

fn rang(effects: &[SimEffect], sid: &CallSid) -> bool {
    effects.iter().any(|e| matches!(e, SimEffect::Ring { call_sid, .. } if call_sid == sid))
}

// ---- calls per second ----------------------------------------------------------------------------

#[test]
fn three_calls_created_at_once_at_one_per_second_start_a_second_apart_in_the_order_they_were_created() {
    // Given an account placing one call per second
    let mut w = World::new();
    w.engine.set_calls_per_second(1.0);

    // When three calls are created in the same instant
    let [a, b, c]: [CallSid; 3] = dial_agents(&mut w, &["agent1", "agent2", "agent3"]).try_into().unwrap();

    // Then the first rings at once, the others are accepted and wait, queued, with no callback yet
    assert_eq!([w.status(&a), w.status(&b), w.status(&c)], [CallStatus::Ringing, CallStatus::Queued, CallStatus::Queued]);
    assert!(rang(&w.log, &a) && !rang(&w.log, &b) && !rang(&w.log, &c));
    assert!(statuses(&w.log, &b).is_empty() && statuses(&w.log, &c).is_empty());
    let pacing = w.engine.snapshot().pacing;
    assert_eq!((pacing.interval_ms, pacing.waiting), (Some(1000), 2));
    assert_eq!(pacing.waiting_since, Some(crate::simulator::time::rfc2822(w.now())));

    // And the second starts one second later, not a moment before
    w.tick_at(0);
    assert_eq!(w.status(&b), CallStatus::Queued);
    let effects = w.tick_at(1);
    assert!(rang(&effects, &b) && !rang(&effects, &c));
    assert_eq!(statuses(&effects, &b), ["initiated", "ringing"]);
    assert_eq!(w.status(&c), CallStatus::Queued);

    // And the third one second after that
    assert!(rang(&w.tick_at(2), &c));
    assert_eq!(w.status(&c), CallStatus::Ringing);
    assert_eq!([w.call(&a).queue_time_ms, w.call(&b).queue_time_ms, w.call(&c).queue_time_ms], [0, 1000, 2000]);
    assert_eq!(w.engine.snapshot().pacing.waiting, 0);

    // And their ring time counts from when they started ringing, not from when they were created
    w.tick_at(2 + u64::from(DEFAULT_TIMEOUT_SECS) - 1);
    assert_eq!(w.status(&c), CallStatus::Ringing);
    w.tick_at(2 + u64::from(DEFAULT_TIMEOUT_SECS));
    assert_eq!(w.status(&c), CallStatus::NoAnswer);
}

#[test]
fn with_no_limit_calls_created_at_once_all_start_at_once() {
    // Given an account with no calls-per-second limit
    let mut w = World::new();
    w.engine.set_calls_per_second(0.0);

    // When three calls are created in the same instant
    let calls = dial_agents(&mut w, &["agent1", "agent2", "agent3"]);

    // Then all three ring at once
    assert!(calls.iter().all(|sid| w.status(sid) == CallStatus::Ringing && rang(&w.log, sid)));
    assert_eq!(w.engine.snapshot().pacing, PacingView { interval_ms: None, waiting: 0, waiting_since: None, next_start: None });
}

#[test]
fn a_queued_call_canceled_or_hung_up_before_its_turn_is_never_dialled() {
    // Given three calls created at once at one call per second: two wait
    let mut w = World::new();
    w.engine.set_calls_per_second(1.0);
    let [_a, b, c]: [CallSid; 3] = dial_agents(&mut w, &["agent1", "agent2", "agent3"]).try_into().unwrap();

    // When the app cancels the second (Status=canceled) and hangs up the third (Status=completed)
    w.engine.update_call_status(&b, "canceled", w.now()).unwrap();
    w.engine.update_call_status(&c, "completed", w.now()).unwrap();
    w.pump();

    // Then both are canceled, and the only callback about each is that final one
    assert_eq!((w.status(&b), w.status(&c)), (CallStatus::Canceled, CallStatus::Canceled));
    assert_eq!(progress(&w.log, &b), [("canceled".to_string(), Some("0".to_string()))]);
    assert_eq!(statuses(&w.log, &c), ["canceled"]);
    assert_eq!(w.engine.snapshot().pacing.waiting, 0);

    // And their turns come and go without either ever ringing
    w.tick_at(1);
    w.tick_at(2);
    assert!(!rang(&w.log, &b) && !rang(&w.log, &c));
    assert!(w.engine.ringing_for("agent2").is_empty() && w.engine.ringing_for("agent3").is_empty());
    assert_eq!(w.call(&b).queue_time_ms, 0);

    // And a call created later starts at once: the canceled ones left the queue
    let d = w.dial("client:agent4", &format!("{APP}/agent"), None).unwrap();
    assert_eq!(w.status(&d), CallStatus::Ringing);
}

#[test]
fn a_participant_added_through_the_api_waits_its_turn_and_removed_meanwhile_is_never_dialled() {
    // Given the customer and agent1 talking, then one call per second and a consult that used it
    let (mut w, _customer, _agent) = World::customer_with_agent();
    w.engine.set_calls_per_second(1.0);
    let consult = w.dial("client:agent2", &format!("{APP}/agent"), None).unwrap();
    assert_eq!(w.status(&consult), CallStatus::Ringing, "nothing waited: it starts at once");

    // When two participants are added in the same instant
    let add = |w: &mut World, label: &str| {
        let req = NewParticipant { from: NUMBER.into(), to: format!("client:{label}"), label: Some(label.into()), ..Default::default() };
        let view = w.engine.add_participant("room", req, w.now()).unwrap();
        w.pump();
        view
    };
    let supervisor = add(&mut w, "supervisor1");
    let agent3 = add(&mut w, "agent3");

    // Then both are listed, queued, and neither rings yet
    assert!(supervisor.queued && agent3.queued);
    assert_eq!(w.room().labelled("agent3").unwrap().hearing, "queued");
    assert_eq!(w.status(&supervisor.call_sid), CallStatus::Queued);
    assert_eq!(w.engine.snapshot().pacing.waiting, 2);

    // And removing the second before its turn cancels its call: it never rings
    w.engine.remove_participant("room", "agent3", w.now()).unwrap();
    w.pump();
    assert_eq!(w.status(&agent3.call_sid), CallStatus::Canceled);
    assert!(w.room().labelled("agent3").is_none());

    // And the first rings a second later, then joins when answered
    w.tick_at(1);
    assert_eq!(w.status(&supervisor.call_sid), CallStatus::Ringing);
    assert!(!w.room().labelled("supervisor1").unwrap().queued);
    w.tick_at(2);
    assert!(!rang(&w.log, &agent3.call_sid));
    w.engine.answer(&supervisor.call_sid, w.now()).unwrap();
    w.pump();
    assert_eq!(w.room().labelled("supervisor1").unwrap().status, ParticipantStatus::Connected);
}

#[test]
fn customers_calling_in_are_never_paced_and_leave_the_account_its_turn() {
    // Given an account placing one call per second
    let mut w = World::new();
    w.engine.set_calls_per_second(1.0);

    // When three customers call in the same instant
    let customers: Vec<CallSid> = (0..3).map(|n| w.engine.incoming_call(&format!("+1555123000{n}"), NUMBER, w.now())).collect();
    w.pump();

    // Then every one is answered by its TwiML at once
    assert!(customers.iter().all(|sid| w.status(sid) == CallStatus::InProgress));
    assert_eq!(w.engine.snapshot().pacing.waiting, 0);

    // And the account's next API-created call still starts at once, the one after it a second later
    let [a, b]: [CallSid; 2] = dial_agents(&mut w, &["agent1", "agent2"]).try_into().unwrap();
    assert_eq!((w.status(&a), w.status(&b)), (CallStatus::Ringing, CallStatus::Queued));
}

// ---- a conference's participants -------------------------------------------------------------------

/// The customer and agent1 in `room`, and browsers added through the API (ringing) up to 250.
fn full_room() -> (World, CallSid) {
    let (mut w, customer, _agent) = World::customer_with_agent();
    for n in 3..=250 {
        let req = NewParticipant { from: NUMBER.into(), to: format!("client:guest{n}"), ..Default::default() };
        w.engine.add_participant("room", req, w.now()).unwrap();
    }
    w.pump();
    assert_eq!(w.room().participants.len(), 250);
    (w, customer)
}

#[test]
fn the_251st_participant_added_through_the_api_is_refused_with_16020_and_no_call_is_made() {
    // Given a room of 250 participants (two talking, 248 still ringing to join)
    let (mut w, _customer) = full_room();
    let calls_before = w.engine.snapshot().calls.len();

    // When one more is added through the REST API
    let req = NewParticipant { from: NUMBER.into(), to: "client:late".into(), label: Some("late".into()), ..Default::default() };
    let refused = w.engine.add_participant("room", req, w.now()).unwrap_err();

    // Then it is refused as Twilio refuses it (16020), and nothing is dialled
    assert_eq!(refused, SimError::ConferenceFull("room".into(), 250));
    assert_eq!(w.engine.snapshot().calls.len(), calls_before);
    assert_eq!(w.room().participants.len(), 250);

    // And one of those ringing, already counted, still joins when it answers
    let guest = w.room().participants[2].call_sid.clone();
    w.engine.answer(&guest, w.now()).unwrap();
    w.pump();
    assert_eq!(w.room().participants.iter().filter(|p| p.status == ParticipantStatus::Connected).count(), 3);
}

#[test]
fn a_dial_into_a_full_conference_fails_with_16020_and_the_call_goes_on_with_the_next_verb() {
    // Given a room of 250 participants, and a document that joins it and then says something
    let (mut w, _customer) = full_room();
    let late = format!("{APP}/late");
    w.serve(&late, "<Response><Dial><Conference participantLabel=\"late\">room</Conference></Dial><Say>Sorry.</Say></Response>");

    // When a 251st call answers into that document
    let call = w.dial("client:late", &late, None).unwrap();
    w.engine.answer(&call, w.now()).unwrap();
    w.pump();

    // Then it never joins: the debugger says 16020, the call goes on with the next verb and ends
    assert!(w.room().labelled("late").is_none());
    assert_eq!(w.room().participants.len(), 250);
    let notes = w.engine.snapshot().notifications;
    assert!(notes.iter().any(|n| n.call_sid.as_ref() == Some(&call) && n.code == Some(CONFERENCE_FULL)), "{notes:?}");
    let heard = w.call(&call).hearing;
    assert_eq!(heard[heard.len() - 2..], ["Say: Sorry.".to_string(), "call ended".to_string()]);
    assert_eq!(w.status(&call), CallStatus::Completed);

    // And once someone leaves, the next one gets in
    let guest = w.room().participants[2].call_sid.clone();
    w.engine.remove_participant("room", guest.as_str(), w.now()).unwrap();
    let next = w.dial("client:next", &late, None).unwrap();
    w.engine.answer(&next, w.now()).unwrap();
    w.pump();
    assert_eq!(w.room().labelled("late").map(|p| p.call_sid.clone()), Some(next));
}

#[test]
fn the_limit_can_be_set_and_zero_is_no_limit() {
    // Given a room limited to 3
    let (mut w, _customer, _agent) = World::customer_with_agent();
    w.engine.set_max_participants(3);
    let add = |w: &mut World, to: &str| {
        w.engine.add_participant("room", NewParticipant { from: NUMBER.into(), to: to.into(), ..Default::default() }, w.now())
    };

    // Then the third gets in and the fourth does not
    add(&mut w, "client:agent2").unwrap();
    assert_eq!(add(&mut w, "client:agent3"), Err(SimError::ConferenceFull("room".into(), 3)));

    // And with no limit it does
    w.engine.set_max_participants(0);
    add(&mut w, "client:agent3").unwrap();
}
