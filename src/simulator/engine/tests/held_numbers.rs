//! Numbers held by open `/phone` pages ring there, not by the phone book.

use super::*;
use crate::simulator::engine::held_numbers::HOLD_SECS;

const PAGE: &str = "+15551239999";

fn callback_dial(w: &mut World, to: &str, timeout: Option<u32>) -> CallSid {
    w.serve(
        &format!("{APP}/callback"),
        "<Response><Say>This is your callback.</Say><Play loop=\"0\">https://music.example/a.mp3</Play></Response>",
    );
    w.dial(to, &format!("{APP}/callback"), timeout).unwrap()
}

#[test]
fn a_held_number_rings_on_its_page_until_answered_and_then_runs_its_document() {
    let mut w = World::new();
    w.engine.hold_number(PAGE, w.now()).unwrap();
    let call = callback_dial(&mut w, PAGE, Some(30));
    assert!(w.call(&call).rings_on_page);
    let ringing = w.engine.ringing_for_number(PAGE);
    assert_eq!(ringing.len(), 1);
    assert_eq!((ringing[0].call_sid.clone(), ringing[0].from.as_str()), (call.clone(), NUMBER));

    w.tick_at(RING_SECS + 5);
    assert_eq!(w.status(&call), CallStatus::Ringing, "nobody answers by themselves");
    w.engine.answer(&call, w.now()).unwrap();
    w.pump();
    assert_eq!(w.status(&call), CallStatus::InProgress);
    assert!(w.call(&call).hearing.contains(&"Say: This is your callback.".to_string()));
    assert_eq!(statuses(&w.log, &call), ["initiated", "ringing", "in-progress"]);
    assert!(w.engine.ringing_for_number(PAGE).is_empty());
}

#[test]
fn declining_is_busy_and_nobody_answering_is_no_answer_even_after_the_page_closed() {
    let mut w = World::new();
    w.engine.hold_number(PAGE, w.now()).unwrap();
    let declined = callback_dial(&mut w, PAGE, Some(30));
    w.engine.reject(&declined, w.now()).unwrap();
    w.pump();
    assert_eq!(w.status(&declined), CallStatus::Busy);

    let unanswered = callback_dial(&mut w, PAGE, Some(30));
    // The page stops renewing: its hold lapses, but this call rings on until its Timeout.
    w.tick_at(HOLD_SECS + 1);
    assert!(!w.engine.number_held(PAGE, w.now()));
    assert_eq!(w.status(&unanswered), CallStatus::Ringing);
    w.tick_at(30);
    assert_eq!(w.status(&unanswered), CallStatus::NoAnswer);
    assert_eq!(statuses(&w.log, &unanswered), ["initiated", "ringing", "no-answer"]);
}

#[test]
fn holds_lapse_without_renewal_and_numbers_not_held_follow_the_phone_book() {
    let mut w = World::new();
    w.engine.hold_number(PAGE, w.now()).unwrap();
    w.secs = HOLD_SECS - 1;
    w.engine.hold_number(PAGE, w.now()).unwrap(); // renewed
    w.secs = HOLD_SECS + 1;
    assert!(w.engine.number_held(PAGE, w.now()));
    w.secs = 2 * HOLD_SECS;
    assert!(!w.engine.number_held(PAGE, w.now()));

    // Lapsed: the phone book again (any number answers by itself).
    let call = callback_dial(&mut w, PAGE, None);
    assert!(!w.call(&call).rings_on_page);
    w.tick_at(2 * HOLD_SECS + RING_SECS);
    assert_eq!(w.status(&call), CallStatus::InProgress);

    // Released at once; only numbers can be held; the page's hold beats the book.
    w.engine.hold_number(PAGE, w.now()).unwrap();
    w.engine.release_number(PAGE);
    assert!(!w.engine.number_held(PAGE, w.now()));
    assert!(matches!(w.engine.hold_number("client:agent1", w.now()), Err(SimError::InvalidNumber(_))));
    w.engine.hold_number(UNREACHABLE, w.now()).unwrap();
    let call = callback_dial(&mut w, UNREACHABLE, None);
    assert_eq!(w.status(&call), CallStatus::Ringing);
}
