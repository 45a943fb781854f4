//! What a wait or hold document may hold: Twilio's 13238 for anything but playing and redirecting.

use super::*;

fn waiting_customer(wait_doc: &str) -> (World, CallSid) {
    let mut w = World::new();
    let wait = format!("{APP}/wait");
    w.serve(
        &format!("{APP}/voice"),
        &format!("<Response><Dial><Conference startConferenceOnEnter=\"false\" waitUrl=\"{wait}\">room</Conference></Dial></Response>"),
    );
    w.serve(&wait, wait_doc);
    let customer = w.engine.incoming_call(CUSTOMER, NUMBER, w.now());
    w.pump();
    (w, customer)
}

#[test]
fn a_wait_document_with_a_verb_it_may_not_use_is_rejected_with_13238_and_the_caller_waits_in_silence() {
    for verb in ["<Gather numDigits=\"1\"/>", "<Record/>", "<Hangup/>", "<Dial><Conference>other</Conference></Dial>"] {
        let (mut w, customer) =
            waiting_customer(&format!("<Response><Say>Please wait.</Say>{verb}<Redirect>{APP}/wait</Redirect></Response>"));
        let warning = w.log.iter().find_map(|e| match e {
            SimEffect::Warning { call_sid, code: Some(code), message } => Some((call_sid.clone(), *code, message.clone())),
            _ => None,
        });
        let (call_sid, code, message) = warning.unwrap_or_else(|| panic!("no 13238 for {verb}"));
        assert_eq!((call_sid.as_ref(), code), (Some(&customer), INVALID_BACKGROUND_VERB));
        assert!(message.contains("13238"), "{message}");
        let notes = w.engine.snapshot().notifications;
        assert_eq!(notes.last().map(|n| (n.code, n.call_sid.clone())), Some((Some(13238), Some(customer.clone()))));

        assert_eq!(w.status(&customer), CallStatus::InProgress, "not dropped");
        assert_eq!(w.room().participants.len(), 1, "still in the room");
        assert_eq!(w.call(&customer).now_hearing, "silence");
        assert!(!w.call(&customer).hearing.contains(&"Say: Please wait.".to_string()), "nothing of the document is played");
        assert!(w.tick_at(600).iter().all(|e| !matches!(e, SimEffect::FetchTwiml { .. })), "its redirect is not followed");
    }
}

#[test]
fn a_hold_document_with_a_gather_is_rejected_too() {
    let (mut w, customer, _agent) = World::customer_with_agent();
    let hold_url = format!("{APP}/hold");
    w.serve(&hold_url, "<Response><Gather/></Response>");
    w.update(customer.as_str(), ParticipantUpdate { hold: Some(true), hold_url: Some(hold_url), ..Default::default() });
    assert!(w.log.iter().any(|e| matches!(e, SimEffect::Warning { code: Some(13238), .. })));
    assert_eq!(w.call(&customer).now_hearing, "silence");
    assert!(w.room().participants.iter().any(|p| p.call_sid == customer && p.on_hold));
}

#[test]
fn a_wait_document_that_only_plays_and_redirects_is_fine() {
    let (w, customer) =
        waiting_customer(&format!("<Response><Say>Please wait.</Say><Play>{APP}/a.mp3</Play><Redirect>{APP}/wait</Redirect></Response>"));
    assert!(!w.log.iter().any(|e| matches!(e, SimEffect::Warning { .. })));
    assert_eq!(w.call(&customer).now_hearing, format!("Play: {APP}/a.mp3"));
}
