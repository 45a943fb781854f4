//! `<Gather>`: a menu answered with keys or words, or not at all.

use super::redirect::fetches;
use super::*;

const MENU: &str = "https://app.example/menu";
const CHOICE: &str = "https://app.example/menu/choice";

/// A customer calling a line whose voice document redirects to a menu of `gather`, followed by
/// `after` (what runs when the Gather falls through).
fn menu(gather: &str, after: &str) -> (World, CallSid) {
    let mut w = World::new();
    w.serve(&format!("{APP}/voice"), &format!("<Response><Redirect>{MENU}</Redirect></Response>"));
    w.serve(MENU, &format!("<Response>{gather}{after}</Response>"));
    w.serve(CHOICE, "<Response><Say>You chose.</Say><Pause length=\"60\"/></Response>");
    let customer = w.engine.incoming_call(CUSTOMER, NUMBER, w.now());
    w.pump();
    (w, customer)
}

fn hears(w: &World, sid: &CallSid, what: &str) -> bool {
    w.call(sid).hearing.iter().any(|h| h == what)
}

#[test]
fn num_digits_reached_requests_the_action_with_the_digits_and_runs_its_answer() {
    let (mut w, customer) =
        menu(&format!("<Gather numDigits=\"1\" action=\"{CHOICE}\"><Say>Press 1 for sales.</Say></Gather>"), "<Say>Bye.</Say>");
    assert!(hears(&w, &customer, "Say: Press 1 for sales."));
    assert!(matches!(w.call(&customer).listening, Some(ListeningView::Gather { dtmf: true, speech: false, .. })));
    w.engine.send_digits(&customer, "2", w.now()).unwrap();
    let effects = w.pump();
    let choice = fetches(&effects, CHOICE);
    assert_eq!(choice.len(), 1);
    assert_eq!(get(choice[0], "Digits"), Some("2"));
    assert_eq!(get(choice[0], "CallSid"), Some(customer.as_str()));
    assert_eq!(get(choice[0], "From"), Some(CUSTOMER));
    assert!(hears(&w, &customer, "Say: You chose."));
    assert!(!hears(&w, &customer, "Say: Bye."), "the rest of the menu is replaced");
    assert!(w.call(&customer).listening.is_none());
    assert_eq!(w.call(&customer).digits_sent, "2");
}

#[test]
fn the_finish_key_submits_what_came_before_it_and_every_digit_restarts_the_timeout() {
    let (mut w, customer) = menu(&format!("<Gather action=\"{CHOICE}\" method=\"GET\" timeout=\"5\"/>"), "");
    w.secs = 4;
    w.engine.send_digits(&customer, "12", w.now()).unwrap();
    assert!(w.tick_at(8).is_empty(), "5 s from the last digit, not from the start");
    w.engine.send_digits(&customer, "3#9", w.now()).unwrap();
    let effects = w.pump();
    let choice: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            SimEffect::FetchTwiml { url, method, params, .. } if url == CHOICE => Some((method, params)),
            _ => None,
        })
        .collect();
    assert_eq!(choice.len(), 1);
    assert_eq!(choice[0].0, "GET");
    assert_eq!(get(choice[0].1, "Digits"), Some("123"), "without the finish key");
}

#[test]
fn a_timeout_with_digits_submits_them_without_it_falls_through_to_the_next_verb() {
    let (mut w, customer) = menu(&format!("<Gather action=\"{CHOICE}\"/>"), "<Say>We did not get that.</Say>");
    w.engine.send_digits(&customer, "42", w.now()).unwrap();
    let effects = w.tick_at(5);
    assert_eq!(get(fetches(&effects, CHOICE)[0], "Digits"), Some("42"));

    let (mut w, customer) = menu(&format!("<Gather action=\"{CHOICE}\" timeout=\"3\"/>"), "<Say>We did not get that.</Say>");
    assert!(w.tick_at(2).is_empty());
    let effects = w.tick_at(3);
    assert!(fetches(&effects, CHOICE).is_empty());
    assert!(hears(&w, &customer, "Say: We did not get that."));
    assert_eq!(w.status(&customer), CallStatus::Completed);
}

#[test]
fn action_on_empty_result_requests_the_action_with_empty_digits() {
    let (mut w, _customer) = menu(&format!("<Gather action=\"{CHOICE}\" actionOnEmptyResult=\"true\"/>"), "<Say>Never.</Say>");
    let effects = w.tick_at(5);
    let choice = fetches(&effects, CHOICE);
    assert_eq!(choice.len(), 1);
    assert_eq!(get(choice[0], "Digits"), Some(""));

    // The finish key alone is an empty result too.
    let (mut w, customer) = menu(&format!("<Gather action=\"{CHOICE}\"/>"), "<Say>Nothing pressed.</Say>");
    w.engine.send_digits(&customer, "#", w.now()).unwrap();
    assert!(fetches(&w.pump(), CHOICE).is_empty());
    assert!(hears(&w, &customer, "Say: Nothing pressed."));
}

#[test]
fn speech_completes_a_speech_gather_with_the_words_and_a_confidence() {
    let (mut w, customer) = menu(&format!("<Gather input=\"speech dtmf\" action=\"{CHOICE}\"/>"), "");
    w.secs = 3;
    w.engine.speak(&customer, "", w.now()).unwrap(); // starting to speak holds the timeout off
    assert!(w.tick_at(7).is_empty());
    w.engine.speak(&customer, "  sales please ", w.now()).unwrap();
    let effects = w.pump();
    let choice = fetches(&effects, CHOICE);
    assert_eq!(get(choice[0], "SpeechResult"), Some("sales please"));
    assert_eq!(get(choice[0], "Confidence"), Some(SPEECH_CONFIDENCE));
    assert_eq!(get(choice[0], "Digits"), None);

    // A DTMF-only Gather does not hear words.
    let (mut w, customer) = menu(&format!("<Gather action=\"{CHOICE}\"/>"), "");
    w.engine.speak(&customer, "sales", w.now()).unwrap();
    assert!(w.pump().is_empty());
    // And a speech-only one takes no keys: they are only sent.
    let (mut w, customer) = menu(&format!("<Gather input=\"speech\" action=\"{CHOICE}\"/>"), "");
    w.engine.send_digits(&customer, "1#", w.now()).unwrap();
    assert!(w.pump().is_empty());
    assert_eq!(w.call(&customer).digits_sent, "1#");
}

#[test]
fn without_an_action_the_menu_is_requested_again_and_relative_actions_resolve_against_it() {
    let (mut w, customer) = menu("<Gather numDigits=\"1\"><Say>Again.</Say></Gather>", "");
    w.engine.send_digits(&customer, "9", w.now()).unwrap();
    let again = fetches(&w.pump(), MENU).into_iter().cloned().collect::<Vec<_>>();
    assert_eq!(again.len(), 1);
    assert_eq!(get(&again[0], "Digits"), Some("9"));

    let (mut w, customer) = menu("<Gather numDigits=\"1\" action=\"menu/choice\"/>", "");
    w.engine.send_digits(&customer, "1", w.now()).unwrap();
    assert_eq!(fetches(&w.pump(), CHOICE).len(), 1, "{APP}/menu + menu/choice");
}

#[test]
fn hanging_up_while_gathering_submits_nothing() {
    let (mut w, customer) = menu(&format!("<Gather action=\"{CHOICE}\"/>"), "");
    w.engine.send_digits(&customer, "12", w.now()).unwrap();
    w.engine.hangup(&customer, w.now()).unwrap();
    let effects = w.pump();
    assert!(fetches(&effects, CHOICE).is_empty());
    assert!(w.tick_at(60).is_empty());
    assert_eq!(w.status(&customer), CallStatus::Completed);
}
