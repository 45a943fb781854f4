//! `<Record>`: a voicemail, its action, its callbacks and the recording it leaves.

use super::redirect::fetches;
use super::*;

const VOICEMAIL: &str = "https://app.example/voicemail";
const SAVED: &str = "https://app.example/voicemail/saved";
const RECORDED: &str = "https://app.example/voicemail/recorded";
const TRANSCRIBED: &str = "https://app.example/voicemail/transcribed";

/// A customer calling a support line whose voice document is a voicemail with `attributes`.
fn voicemail(attributes: &str) -> (World, CallSid) {
    let mut w = World::new();
    w.engine.set_api_base_url("https://sim.example/sim/");
    w.serve(&format!("{APP}/voice"), &format!("<Response><Redirect>{VOICEMAIL}</Redirect></Response>"));
    w.serve(VOICEMAIL, &format!("<Response><Say>Leave a message.</Say><Record {attributes}/><Say>We got nothing.</Say></Response>"));
    w.serve(SAVED, "<Response><Say>Thank you, goodbye.</Say></Response>");
    let customer = w.engine.incoming_call(CUSTOMER, NUMBER, w.now());
    w.pump();
    (w, customer)
}

fn callbacks_to<'a>(effects: &'a [SimEffect], url: &str) -> Vec<&'a Params> {
    effects
        .iter()
        .filter_map(|e| match e {
            SimEffect::Callback { url: u, params, .. } if u == url => Some(params),
            _ => None,
        })
        .collect()
}

#[test]
fn a_message_ended_with_a_key_requests_the_action_posts_the_callbacks_and_is_kept() {
    let (mut w, customer) = voicemail(&format!(
        "action=\"{SAVED}\" maxLength=\"60\" finishOnKey=\"#\" recordingStatusCallback=\"{RECORDED}\" transcribe=\"true\" \
         transcribeCallback=\"{TRANSCRIBED}\""
    ));
    assert_eq!(w.call(&customer).now_hearing, "beep (recording)");
    assert!(matches!(w.call(&customer).listening, Some(ListeningView::Record { .. })));
    let message = "Hi, this is Ann. Please call me back about my order, thanks."; // 60 characters: 4 s
    assert_eq!(message.len(), 60);
    w.engine.speak(&customer, message, w.now()).unwrap();
    w.engine.send_digits(&customer, "1", w.now()).unwrap();
    assert!(w.pump().is_empty(), "1 is not a finish key here");
    w.secs = 3;
    w.engine.send_digits(&customer, "#", w.now()).unwrap();
    let effects = w.pump();

    let action = fetches(&effects, SAVED);
    assert_eq!(action.len(), 1, "{effects:?}");
    let sid = get(action[0], "RecordingSid").unwrap().to_string();
    assert!(sid.starts_with("RE") && sid.len() == 34, "{sid}");
    let url = format!("https://sim.example/sim/2010-04-01/Accounts/{ACCOUNT}/Recordings/{sid}");
    assert_eq!(get(action[0], "RecordingUrl"), Some(url.as_str()));
    assert_eq!(get(action[0], "RecordingDuration"), Some("4"));
    assert_eq!(get(action[0], "Digits"), Some("#"));
    assert_eq!(get(action[0], "CallSid"), Some(customer.as_str()));
    assert_eq!(get(action[0], "CallStatus"), Some("in-progress"));

    let recorded = callbacks_to(&effects, RECORDED);
    assert_eq!(recorded.len(), 1, "completed only, by default");
    for (k, v) in [
        ("AccountSid", ACCOUNT),
        ("CallSid", customer.as_str()),
        ("RecordingSid", sid.as_str()),
        ("RecordingUrl", url.as_str()),
        ("RecordingStatus", "completed"),
        ("RecordingDuration", "4"),
        ("RecordingChannels", "1"),
        ("RecordingSource", "RecordVerb"),
    ] {
        assert_eq!(get(recorded[0], k), Some(v), "{k}");
    }
    assert!(get(recorded[0], "RecordingStartTime").unwrap().ends_with("+0000"));

    let transcribed = callbacks_to(&effects, TRANSCRIBED);
    assert_eq!(transcribed.len(), 1);
    assert_eq!(get(transcribed[0], "TranscriptionText"), Some(message));
    assert_eq!(get(transcribed[0], "TranscriptionStatus"), Some("completed"));
    assert_eq!(get(transcribed[0], "RecordingSid"), Some(sid.as_str()));
    assert!(get(transcribed[0], "TranscriptionSid").unwrap().starts_with("TR"));
    let order: Vec<&str> = effects
        .iter()
        .filter_map(|e| match e {
            SimEffect::FetchTwiml { url, .. } | SimEffect::Callback { url, .. } => Some(url.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(order[..3], [SAVED, RECORDED, TRANSCRIBED], "the action first, then the recording, then its text");

    // The action's answer runs, and the recording is kept until deleted.
    assert!(w.call(&customer).hearing.contains(&"Say: Thank you, goodbye.".to_string()));
    assert_eq!(w.status(&customer), CallStatus::Completed);
    let kept = w.engine.recording(&sid).unwrap();
    assert_eq!((kept.call_sid.clone(), kept.duration_secs, kept.text.as_str()), (customer.clone(), 4, message));
    assert_eq!(w.engine.snapshot().recordings, vec![kept]);
    w.engine.delete_recording(&sid).unwrap();
    assert!(w.engine.recording(&sid).is_none());
    assert_eq!(w.engine.delete_recording(&sid), Err(SimError::UnknownRecording(sid)));
}

#[test]
fn hanging_up_ends_the_recording_the_action_still_hears_of_it_but_is_not_run() {
    let (mut w, customer) = voicemail(&format!("action=\"{SAVED}\" recordingStatusCallback=\"{RECORDED}\""));
    w.engine.speak(&customer, "Call me.", w.now()).unwrap();
    w.secs = 2;
    w.engine.hangup(&customer, w.now()).unwrap();
    let effects = w.pump();
    let action = fetches(&effects, SAVED);
    assert_eq!(action.len(), 1);
    assert_eq!(get(action[0], "Digits"), Some("hangup"));
    assert_eq!(get(action[0], "CallStatus"), Some("completed"));
    assert_eq!(get(action[0], "RecordingDuration"), Some("1"));
    assert_eq!(callbacks_to(&effects, RECORDED).len(), 1);
    assert!(!w.call(&customer).hearing.contains(&"Say: Thank you, goodbye.".to_string()), "the answer is not run");
    assert_eq!(w.status(&customer), CallStatus::Completed);
    assert_eq!(w.engine.recordings(Some(customer.as_str())).len(), 1);
}

#[test]
fn silence_after_speaking_ends_it_without_digits_and_max_length_cuts_it() {
    let (mut w, customer) = voicemail(&format!("action=\"{SAVED}\" timeout=\"3\""));
    w.engine.speak(&customer, "A short one.", w.now()).unwrap(); // 1 s of speech, silence from 1 s
    assert!(w.tick_at(3).is_empty());
    let effects = w.tick_at(4);
    let action = fetches(&effects, SAVED);
    assert_eq!(action.len(), 1, "{effects:?}");
    assert_eq!(get(action[0], "Digits"), None);
    assert_eq!(get(action[0], "RecordingDuration"), Some("1"));

    let (mut w, customer) = voicemail(&format!("action=\"{SAVED}\" maxLength=\"10\" timeout=\"0\""));
    w.engine.speak(&customer, &"blah ".repeat(60), w.now()).unwrap(); // 20 s of speech
    assert!(w.tick_at(9).is_empty());
    let effects = w.tick_at(10);
    let action = fetches(&effects, SAVED);
    assert_eq!(get(action[0], "RecordingDuration"), Some("10"), "cut at maxLength");
    assert_eq!(get(action[0], "Digits"), None);
}

#[test]
fn an_empty_recording_requests_nothing_and_the_next_verb_runs() {
    let (mut w, customer) = voicemail(&format!("action=\"{SAVED}\" recordingStatusCallback=\"{RECORDED}\""));
    // Typing (the /phone page) counts as starting to speak: it holds the timeout off.
    w.secs = 4;
    w.engine.speak(&customer, "", w.now()).unwrap();
    assert!(w.tick_at(8).is_empty());
    let effects = w.tick_at(9);
    assert!(fetches(&effects, SAVED).is_empty());
    assert!(callbacks_to(&effects, RECORDED).is_empty(), "absent is not asked for");
    assert!(w.call(&customer).hearing.contains(&"Say: We got nothing.".to_string()));
    assert_eq!(w.status(&customer), CallStatus::Completed);
    assert!(w.engine.recordings(None).is_empty());

    // A finish key with nothing said is empty too.
    let (mut w, customer) = voicemail(&format!("action=\"{SAVED}\""));
    w.engine.send_digits(&customer, "5", w.now()).unwrap();
    assert!(fetches(&w.pump(), SAVED).is_empty());
    assert!(w.call(&customer).hearing.contains(&"Say: We got nothing.".to_string()));
}

#[test]
fn without_an_action_the_current_document_is_requested_again_and_long_messages_fail_transcription() {
    let (mut w, customer) = voicemail(&format!("playBeep=\"false\" maxLength=\"600\" transcribeCallback=\"{TRANSCRIBED}\""));
    assert_eq!(w.call(&customer).now_hearing, "recording");
    w.engine.speak(&customer, &"x".repeat(15 * 121), w.now()).unwrap(); // 121 s
    w.engine.send_digits(&customer, "*", w.now()).unwrap();
    let effects = w.pump();
    let again = fetches(&effects, VOICEMAIL);
    assert_eq!(again.len(), 1, "Twilio's default action is the document's own URL");
    assert_eq!(get(again[0], "RecordingDuration"), Some("121"));
    let transcribed = callbacks_to(&effects, TRANSCRIBED);
    assert_eq!(get(transcribed[0], "TranscriptionStatus"), Some("failed"));
    assert_eq!(get(transcribed[0], "TranscriptionText"), None);
    assert!(matches!(w.call(&customer).listening, Some(ListeningView::Record { .. })), "the same document records again");
}

#[test]
fn in_progress_and_absent_events_are_sent_when_asked_for() {
    let (mut w, customer) = voicemail(&format!(
        "action=\"{SAVED}\" recordingStatusCallback=\"{RECORDED}\" recordingStatusCallbackEvent=\"in-progress completed absent\""
    ));
    let started = callbacks_to(&w.log, RECORDED);
    assert_eq!(started.len(), 1);
    assert_eq!(get(started[0], "RecordingStatus"), Some("in-progress"));
    assert_eq!(get(started[0], "RecordingDuration"), None);
    w.tick_at(5);
    let all = callbacks_to(&w.log, RECORDED);
    assert_eq!(all.iter().map(|p| get(p, "RecordingStatus").unwrap()).collect::<Vec<_>>(), ["in-progress", "absent"]);
    assert_eq!(w.status(&customer), CallStatus::Completed);
}

#[test]
fn the_caller_speaks_only_on_a_live_call_and_speech_is_lost_where_nobody_listens() {
    let (mut w, customer, _agent) = World::customer_with_agent();
    w.engine.speak(&customer, "Hello?", w.now()).unwrap();
    assert!(w.pump().is_empty());
    assert!(matches!(w.engine.speak(&customer, &"x".repeat(MAX_SPEECH + 1), w.now()), Err(SimError::Invalid(_))));
    w.engine.hangup(&customer, w.now()).unwrap();
    assert!(matches!(w.engine.speak(&customer, "Hello?", w.now()), Err(SimError::WrongState { .. })));
    assert_eq!(speech_secs("a"), 1);
    assert_eq!(speech_secs(&"a".repeat(30)), 2);
    assert_eq!(speech_secs(&"a".repeat(31)), 3);
}
