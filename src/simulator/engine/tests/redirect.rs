//! `POST Calls/{CA}.json Url=…|Twiml=…`: a live call moved to other TwiML.

use super::*;

/// The `FetchTwiml` effects for `url`, with their parameters.
pub(super) fn fetches<'a>(effects: &'a [SimEffect], url: &str) -> Vec<&'a Params> {
    effects
        .iter()
        .filter_map(|e| match e {
            SimEffect::FetchTwiml { url: u, params, .. } if u == url => Some(params),
            _ => None,
        })
        .collect()
}

fn to_url(url: &str) -> CallRedirect {
    CallRedirect::Url { url: url.to_string(), method: None }
}

#[test]
fn a_customer_moved_out_of_its_conference_leaves_it_ending_it_and_runs_the_new_document() {
    let (mut w, customer, agent) = World::customer_with_agent();
    let room = w.room().sid;
    let closed = format!("{APP}/closed");
    w.serve(&closed, "<Response><Say>We are closed.</Say><Pause length=\"1\"/></Response>");

    w.engine.redirect_call(&customer, to_url(&closed), w.now()).unwrap();
    let effects = w.pump();

    let fetched = fetches(&effects, &closed);
    assert_eq!(fetched.len(), 1, "{effects:?}");
    assert_eq!(get(fetched[0], "CallSid"), Some(customer.as_str()));
    assert_eq!(get(fetched[0], "CallStatus"), Some("in-progress"));
    let events = conference_events(&effects);
    assert_eq!(events, ["participant-leave", "participant-leave", "conference-end"], "the customer had endConferenceOnExit");
    let ended = w.engine.conference(room.as_str()).unwrap();
    assert_eq!(ended.reason_ended.as_deref(), Some("participant-with-end-conference-on-exit-left"));
    assert_eq!(ended.call_sid_ending.as_ref(), Some(&customer));
    assert!(w.call(&customer).hearing.contains(&"Say: We are closed.".to_string()));
    assert_eq!(w.status(&customer), CallStatus::Completed, "its new document ended");
    assert_eq!(w.status(&agent), CallStatus::Completed, "the agent's leg carried on after <Dial> and ended");
}

#[test]
fn a_participant_without_end_on_exit_leaves_and_the_room_goes_on_and_it_can_come_back() {
    let (mut w, customer, agent) = World::customer_with_agent();
    let room = w.room().sid;
    // The agent goes to a menu, then back into the room by name.
    let aside = format!("{APP}/aside");
    w.serve(&aside, "<Response><Say>One moment.</Say><Dial><Conference participantLabel=\"agent1\">room</Conference></Dial></Response>");
    w.engine.redirect_call(&agent, CallRedirect::Url { url: aside.clone(), method: Some("get".into()) }, w.now()).unwrap();
    let effects = w.pump();
    assert!(effects.iter().any(|e| matches!(e, SimEffect::FetchTwiml { url, method, .. } if url == &aside && method == "GET")));
    assert_eq!(conference_events(&effects), ["participant-leave", "participant-join"]);
    assert_eq!(w.room().sid, room, "the same live room");
    assert_eq!(w.room().status, ConferenceStatus::InProgress);
    assert_eq!(w.call(&customer).now_hearing, "conference with agent1");
    assert!(w.call(&agent).hearing.contains(&"Say: One moment.".to_string()));
}

#[test]
fn a_call_moved_back_after_its_room_ended_gets_a_new_room_of_the_same_name() {
    let (mut w, customer, _agent) = World::customer_with_agent();
    let old_room = w.room().sid;
    w.serve(&format!("{APP}/menu"), "<Response><Gather timeout=\"30\"><Say>Press 1.</Say></Gather></Response>");
    w.engine.redirect_call(&customer, to_url(&format!("{APP}/menu")), w.now()).unwrap();
    w.pump();
    assert_eq!(w.engine.conference(old_room.as_str()).unwrap().status, ConferenceStatus::Completed);

    let twiml = twiml::parse("<Response><Dial><Conference>room</Conference></Dial></Response>").map_err(|e| e.to_string());
    w.engine.redirect_call(&customer, CallRedirect::Twiml(twiml), w.now()).unwrap();
    w.pump();
    let new_room = w.room();
    assert_ne!(new_room.sid, old_room);
    assert_eq!(new_room.participants.len(), 1);
    assert_eq!(w.call(&customer).conference_sid.as_ref(), Some(&new_room.sid));
    assert!(w.call(&customer).listening.is_none(), "the Gather was abandoned");
}

#[test]
fn a_gather_or_record_under_way_is_abandoned_without_its_action() {
    let mut w = World::new();
    w.serve(&format!("{APP}/voice"), "<Response><Record action=\"/never\"/></Response>");
    let customer = w.engine.incoming_call(CUSTOMER, NUMBER, w.now());
    w.pump();
    w.engine.speak(&customer, "Hello, call me back.", w.now()).unwrap();
    let inline = twiml::parse("<Response><Say>Thanks.</Say><Hangup/></Response>").map_err(|e| e.to_string());
    w.engine.redirect_call(&customer, CallRedirect::Twiml(inline), w.now()).unwrap();
    let effects = w.pump();
    assert!(!effects.iter().any(|e| matches!(e, SimEffect::FetchTwiml { .. })), "{effects:?}");
    assert!(w.engine.recordings(None).is_empty());
    assert_eq!(w.status(&customer), CallStatus::Completed);
    assert_eq!(w.call(&customer).now_hearing, "call ended");
    assert!(w.call(&customer).hearing.contains(&"Say: Thanks.".to_string()));
}

#[test]
fn bad_inline_twiml_gets_the_application_error() {
    let (mut w, customer, _agent) = World::customer_with_agent();
    let bad = twiml::parse("<Response><Say>").map_err(|e| e.to_string());
    w.engine.redirect_call(&customer, CallRedirect::Twiml(bad), w.now()).unwrap();
    let effects = w.pump();
    assert!(effects.iter().any(|e| matches!(e, SimEffect::Warning { code: Some(DOCUMENT_ERROR), .. })));
    assert!(w.call(&customer).hearing.contains(&format!("Say: {APPLICATION_ERROR}")));
    assert_eq!(w.status(&customer), CallStatus::Completed);
}

#[test]
fn only_a_call_in_progress_can_be_moved() {
    let mut w = World::new();
    let ringing = w.dial("client:agent1", &format!("{APP}/agent"), None).unwrap();
    assert_eq!(w.engine.redirect_call(&ringing, to_url(&format!("{APP}/x")), w.now()), Err(SimError::NotInProgress(ringing.to_string())));
    w.engine.hangup(&ringing, w.now()).unwrap();
    assert_eq!(w.engine.redirect_call(&ringing, to_url(&format!("{APP}/x")), w.now()), Err(SimError::NotInProgress(ringing.to_string())));
    let unknown = CallSid::parse(&format!("CA{:032x}", 999)).unwrap();
    assert!(matches!(w.engine.redirect_call(&unknown, to_url("u"), w.now()), Err(SimError::UnknownCall(_))));
    let (mut w, customer, _) = World::customer_with_agent();
    let bad_method = CallRedirect::Url { url: format!("{APP}/x"), method: Some("PUT".into()) };
    assert!(matches!(w.engine.redirect_call(&customer, bad_method, w.now()), Err(SimError::Invalid(_))));
    assert_eq!(w.room().status, ConferenceStatus::InProgress, "a refused request changes nothing");
}
