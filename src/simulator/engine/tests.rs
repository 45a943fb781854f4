//! The engine's behaviour for transfers: the hold quirk, the phone book, what the REST API does
//! to participants (by label, held with a hold document, removed while ringing or talking), and
//! who hears the digits an agent keys in. The submodules cover the voice features: `<Gather>`,
//! `<Record>`, moving a call with `Url`/`Twiml`, what a wait document may hold (13238), numbers
//! held by `/phone` pages, and the account's limits (calls per second, 250 participants).
//! The app's real documents are exercised in `tests/it/simulator_engine.rs`; here the documents are
//! written by hand so each rule is seen on its own.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::phone_book::{self, BUSY, NO_ANSWER, RING_SECS, UNREACHABLE};
use super::*;
use crate::ids::CallSid;
use crate::simulator::twiml::{self, Instruction};

const ACCOUNT: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const NUMBER: &str = "+15005550006";
const CUSTOMER: &str = "+15551230000";
const OUTSIDE: &str = "+447700900123";
const APP: &str = "https://app.example";
const EVENTS: &str = "https://app.example/events";

type Params = Vec<(String, String)>;

mod background;
mod gather;
mod held_numbers;
mod limits;
mod record;
mod redirect;

/// The engine with a clock in whole seconds and documents served by URL; any other URL is music.
struct World {
    engine: Engine,
    secs: u64,
    documents: Vec<(String, String)>,
    log: Vec<SimEffect>,
}

impl World {
    fn new() -> Self {
        let cfg = EngineConfig { account_sid: ACCOUNT.into(), voice_url: format!("{APP}/voice"), sid_seed: 0, background_play_secs: 5 };
        let mut w = World { engine: Engine::new(cfg), secs: 0, documents: Vec::new(), log: Vec::new() };
        // The customer waits in `room` and ends it by leaving; conference events go to EVENTS.
        w.serve(
            &format!("{APP}/voice"),
            &format!(
                "<Response><Dial><Conference startConferenceOnEnter=\"false\" endConferenceOnExit=\"true\" \
                 statusCallback=\"{EVENTS}\" statusCallbackEvent=\"start end join leave hold modify\">room</Conference>\
                 </Dial></Response>"
            ),
        );
        w.serve(&format!("{APP}/agent"), "<Response><Dial><Conference participantLabel=\"agent1\">room</Conference></Dial></Response>");
        // An outside party joins the room, and says goodbye when it is taken out.
        w.serve(
            &format!("{APP}/outside"),
            "<Response><Dial><Conference participantLabel=\"outside\">room</Conference></Dial><Say>Goodbye.</Say></Response>",
        );
        w
    }

    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_795_287_600 + self.secs)
    }

    /// Serves `xml` at `url` (instead of what was served there).
    fn serve(&mut self, url: &str, xml: &str) {
        self.documents.retain(|(u, _)| u != url);
        self.documents.push((url.to_string(), xml.to_string()));
    }

    /// Answers every fetch until nothing more happens; returns this step's effects.
    fn pump(&mut self) -> Vec<SimEffect> {
        let mut step = Vec::new();
        loop {
            let effects = self.engine.take_effects();
            if effects.is_empty() {
                return step;
            }
            for e in effects {
                if let SimEffect::FetchTwiml { call_sid, fetch_id, url, .. } = &e {
                    let doc = match self.documents.iter().find(|(u, _)| u == url) {
                        Some((_, xml)) => twiml::parse(xml).map_err(|e| e.to_string()),
                        None => Ok(vec![Instruction::Play { url: url.clone(), loop_count: 0 }]),
                    };
                    self.engine.twiml_result_for(call_sid, *fetch_id, doc, self.now()).unwrap();
                }
                step.push(e.clone());
                self.log.push(e);
            }
        }
    }

    fn tick_at(&mut self, secs: u64) -> Vec<SimEffect> {
        self.secs = secs;
        self.engine.tick(self.now());
        self.pump()
    }

    fn dial(&mut self, to: &str, url: &str, timeout_secs: Option<u32>) -> Result<CallSid, SimError> {
        let req = OutboundCall {
            to: to.into(),
            from: NUMBER.into(),
            url: url.into(),
            timeout_secs,
            status_callback: Some(format!("{APP}/status")),
            status_callback_event: vec!["initiated ringing answered completed".into()],
            ..Default::default()
        };
        let sid = self.engine.create_call(req, self.now());
        self.pump();
        sid
    }

    /// The customer talking with agent1 in `room` (in progress).
    fn customer_with_agent() -> (World, CallSid, CallSid) {
        let mut w = World::new();
        let customer = w.engine.incoming_call(CUSTOMER, NUMBER, w.now());
        w.pump();
        let agent = w.dial("client:agent1", &format!("{APP}/agent"), None).unwrap();
        w.engine.answer(&agent, w.now()).unwrap();
        w.pump();
        assert_eq!(w.room().status, ConferenceStatus::InProgress);
        (w, customer, agent)
    }

    fn update(&mut self, who: &str, update: ParticipantUpdate) -> ParticipantView {
        let view = self.engine.update_participant("room", who, update, self.now()).unwrap();
        self.pump();
        view
    }

    fn call(&self, sid: &CallSid) -> CallView {
        self.engine.call(sid.as_str()).unwrap()
    }

    fn status(&self, sid: &CallSid) -> CallStatus {
        self.call(sid).status
    }

    /// The newest conference called `room`.
    fn room(&self) -> ConferenceView {
        self.engine.find_conferences(Some("room"), None).into_iter().next().expect("a room")
    }
}

fn get<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// `StatusCallbackEvent` of each conference callback.
fn conference_events(effects: &[SimEffect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            SimEffect::Callback { url, params, .. } if url == EVENTS => get(params, "StatusCallbackEvent").map(str::to_string),
            _ => None,
        })
        .collect()
}

/// `(CallStatus, CallDuration)` of each call progress callback about `sid`.
fn progress(effects: &[SimEffect], sid: &CallSid) -> Vec<(String, Option<String>)> {
    effects
        .iter()
        .filter_map(|e| match e {
            SimEffect::Callback { params, .. }
                if get(params, "ConferenceSid").is_none() && get(params, "CallSid") == Some(sid.as_str()) =>
            {
                Some((get(params, "CallStatus")?.to_string(), get(params, "CallDuration").map(str::to_string)))
            }
            _ => None,
        })
        .collect()
}

fn statuses(effects: &[SimEffect], sid: &CallSid) -> Vec<String> {
    progress(effects, sid).into_iter().map(|(s, _)| s).collect()
}

fn hold() -> ParticipantUpdate {
    ParticipantUpdate { hold: Some(true), ..Default::default() }
}

fn end_on_exit(end: bool) -> ParticipantUpdate {
    ParticipantUpdate { end_conference_on_exit: Some(end), ..Default::default() }
}

// ---- the hold quirk ----------------------------------------------------------------------------

#[test]
fn end_conference_on_exit_set_while_on_hold_is_ignored_silently_and_the_conference_outlives_the_participant() {
    let (mut w, _customer, agent) = World::customer_with_agent();
    w.update("agent1", hold());

    let view = w.update("agent1", end_on_exit(true));
    assert!(!view.end_conference_on_exit, "the answer shows the old value");
    assert!(!w.room().labelled("agent1").unwrap().end_conference_on_exit);
    assert!(!conference_events(&w.log).contains(&"participant-modify".to_string()));

    w.engine.hangup(&agent, w.now()).unwrap();
    w.pump();
    assert_eq!(w.room().status, ConferenceStatus::InProgress, "agent1 leaving does not end the room");
}

#[test]
fn end_conference_on_exit_set_before_the_hold_ends_the_conference_when_the_participant_leaves() {
    let (mut w, customer, agent) = World::customer_with_agent();
    let view = w.update("agent1", end_on_exit(true));
    assert!(view.end_conference_on_exit);
    assert_eq!(conference_events(&w.log).last().map(String::as_str), Some("participant-modify"));
    w.update("agent1", hold());

    w.engine.hangup(&agent, w.now()).unwrap();
    w.pump();
    let room = w.room();
    assert_eq!(room.status, ConferenceStatus::Completed);
    assert_eq!(room.reason_ended.as_deref(), Some("participant-with-end-conference-on-exit-left"));
    assert_eq!(w.status(&customer), CallStatus::Completed);
}

#[test]
fn the_hold_state_the_request_finds_decides_not_the_hold_it_asks_for() {
    let (mut w, _customer, _agent) = World::customer_with_agent();
    // Not held yet: holding and setting the flag in one request sets it.
    let view = w.update("agent1", ParticipantUpdate { hold: Some(true), end_conference_on_exit: Some(true), ..Default::default() });
    assert!(view.on_hold && view.end_conference_on_exit);

    // Held: unholding and clearing the flag in one request only unholds.
    let view = w.update("agent1", ParticipantUpdate { hold: Some(false), end_conference_on_exit: Some(false), ..Default::default() });
    assert!(!view.on_hold);
    assert!(view.end_conference_on_exit, "the change arrived while held");
    assert!(w.log.iter().any(|e| matches!(e, SimEffect::Warning { message, .. } if message.contains("ignored"))));

    // Unheld now, so the same change goes through.
    assert!(!w.update("agent1", end_on_exit(false)).end_conference_on_exit);
}

// ---- participants by label, hold documents, removal ---------------------------------------------

#[test]
fn a_hold_url_is_fetched_by_get_unless_told_with_the_held_calls_sid_and_the_conference_sid() {
    let (mut w, customer, agent) = World::customer_with_agent();
    let room = w.room().sid;
    let hold_url = format!("{APP}/hold?call=x");
    w.serve(&hold_url, "<Response><Say>Please hold.</Say><Play loop=\"0\">https://music.example/a.mp3</Play></Response>");

    // By CallSid, default method.
    w.engine
        .update_participant(
            room.as_str(),
            customer.as_str(),
            ParticipantUpdate { hold: Some(true), hold_url: Some(hold_url.clone()), ..Default::default() },
            w.now(),
        )
        .unwrap();
    let effects = w.pump();
    let fetch = effects.iter().find_map(|e| match e {
        SimEffect::FetchTwiml { call_sid, url, method, params, .. } if url == &hold_url => Some((call_sid, method, params)),
        _ => None,
    });
    let (call_sid, method, params) = fetch.expect("the hold document is fetched");
    assert_eq!((call_sid, method.as_str()), (&customer, "GET"));
    assert_eq!(get(params, "CallSid"), Some(customer.as_str()));
    assert_eq!(get(params, "ConferenceSid"), Some(room.as_str()));
    assert_eq!(get(params, "AccountSid"), Some(ACCOUNT));
    assert_eq!(get(params, "CallStatus"), Some("in-progress"));
    assert_eq!(w.call(&customer).now_hearing, "Play: https://music.example/a.mp3 (looping)");
    assert!(w.call(&customer).hearing.contains(&"Say: Please hold.".to_string()));
    assert_eq!(w.call(&agent).now_hearing, "conference: nobody else");
    assert_eq!(conference_events(&effects), ["participant-hold"]);

    // Unhold: back in the conversation.
    w.update(customer.as_str(), ParticipantUpdate { hold: Some(false), ..Default::default() });
    assert_eq!(w.call(&customer).now_hearing, "conference with agent1");
    assert_eq!(conference_events(&w.log).last().map(String::as_str), Some("participant-unhold"));

    // By label, with HoldMethod=POST.
    let view = w.update(
        "agent1",
        ParticipantUpdate { hold: Some(true), hold_url: Some(hold_url.clone()), hold_method: Some("POST".into()), ..Default::default() },
    );
    assert!(view.on_hold);
    assert!(w.log.iter().any(
        |e| matches!(e, SimEffect::FetchTwiml { call_sid, url, method, .. } if call_sid == &agent && url == &hold_url && method == "POST")
    ));
}

#[test]
fn removing_a_ringing_participant_by_label_cancels_its_call() {
    let (mut w, customer, _agent) = World::customer_with_agent();
    let added = w
        .engine
        .add_participant(
            "room",
            NewParticipant { from: NUMBER.into(), to: "client:agent2".into(), label: Some("agent2".into()), ..Default::default() },
            w.now(),
        )
        .unwrap();
    w.pump();
    assert_eq!(w.engine.ringing_for("agent2").len(), 1);

    w.engine.remove_participant("room", "agent2", w.now()).unwrap();
    let effects = w.pump();
    assert_eq!(w.status(&added.call_sid), CallStatus::Canceled);
    assert!(effects.iter().any(|e| matches!(e, SimEffect::StopRinging { reason: StopReason::Cancel, .. })));
    assert!(w.engine.ringing_for("agent2").is_empty());
    assert!(w.room().labelled("agent2").is_none());
    assert_eq!(w.call(&customer).now_hearing, "conference with agent1");
}

#[test]
fn removing_a_connected_participant_by_label_makes_its_call_carry_on_after_dial() {
    let (mut w, customer, _agent) = World::customer_with_agent();
    let outside = w.dial(OUTSIDE, &format!("{APP}/outside"), None).unwrap();
    w.tick_at(RING_SECS);
    assert_eq!(w.room().participants.len(), 3);

    w.engine.remove_participant("room", "outside", w.now()).unwrap();
    w.pump();
    let call = w.call(&outside);
    assert_eq!(call.hearing[call.hearing.len() - 2..], ["Say: Goodbye.".to_string(), "call ended".to_string()]);
    assert_eq!(call.status, CallStatus::Completed, "the document ended after the <Say>");
    assert_eq!(w.call(&customer).now_hearing, "conference with agent1");
}

// ---- outside phone numbers ---------------------------------------------------------------------

#[test]
fn a_number_answers_by_itself_after_a_short_ring_runs_its_document_and_stays_until_hung_up() {
    let (mut w, customer, agent) = World::customer_with_agent();
    w.secs = 10;
    let outside = w.dial(OUTSIDE, &format!("{APP}/outside"), None).unwrap();
    assert_eq!(w.status(&outside), CallStatus::Ringing);
    assert!(!w.log.iter().any(|e| matches!(e, SimEffect::Ring { call_sid, .. } if call_sid == &outside)));
    assert!(w.engine.ringing_for(OUTSIDE).is_empty(), "no browser rings");

    assert!(statuses(&w.tick_at(10 + RING_SECS - 1), &outside).is_empty());
    let effects = w.tick_at(10 + RING_SECS);
    assert!(effects.iter().any(|e| matches!(e, SimEffect::FetchTwiml { url, .. } if url == &format!("{APP}/outside"))));
    assert_eq!(w.status(&outside), CallStatus::InProgress);
    assert_eq!(w.call(&customer).now_hearing, format!("conference with agent1, outside"));

    // It stays on the line however long it takes.
    w.tick_at(10 + 3600);
    assert_eq!(w.status(&outside), CallStatus::InProgress);
    w.engine.hangup(&outside, w.now()).unwrap();
    w.pump();
    assert_eq!(w.status(&outside), CallStatus::Completed);
    assert_eq!(
        progress(&w.log, &outside),
        [
            ("initiated".to_string(), None),
            ("ringing".to_string(), None),
            ("in-progress".to_string(), None),
            ("completed".to_string(), Some((3600 - RING_SECS).to_string())),
        ]
    );
    let view = w.engine.snapshot().calls.into_iter().find(|c| c.call_sid == outside).unwrap();
    assert_eq!((view.to.as_str(), view.status, view.direction), (OUTSIDE, CallStatus::Completed, Direction::OutboundApi));
    assert_eq!(w.status(&agent), CallStatus::InProgress);
}

#[test]
fn an_answered_number_in_a_conference_ends_with_the_conference() {
    let (mut w, customer, _agent) = World::customer_with_agent();
    let outside = w.dial(OUTSIDE, &format!("{APP}/outside"), None).unwrap();
    w.tick_at(RING_SECS);
    w.engine.hangup(&customer, w.now()).unwrap();
    w.pump();
    assert_eq!(w.room().status, ConferenceStatus::Completed);
    assert_eq!(w.status(&outside), CallStatus::Completed);
    assert!(w.call(&outside).hearing.contains(&"Say: Goodbye.".to_string()), "it carried on after <Dial>");
}

#[test]
fn the_busy_number_is_busy_after_a_short_ring() {
    let mut w = World::new();
    let call = w.dial(BUSY, &format!("{APP}/outside"), Some(30)).unwrap();
    w.tick_at(RING_SECS - 1);
    assert_eq!(w.status(&call), CallStatus::Ringing);
    w.tick_at(RING_SECS);
    assert_eq!(w.status(&call), CallStatus::Busy);
    assert_eq!(
        progress(&w.log, &call),
        [("initiated".to_string(), None), ("ringing".to_string(), None), ("busy".to_string(), Some("0".to_string()))]
    );
    assert!(!w.log.iter().any(|e| matches!(e, SimEffect::FetchTwiml { .. })), "its document is never asked for");
}

#[test]
fn the_no_answer_number_rings_until_the_calls_timeout() {
    let mut w = World::new();
    let call = w.dial(NO_ANSWER, &format!("{APP}/outside"), Some(25)).unwrap();
    w.tick_at(24);
    assert_eq!(w.status(&call), CallStatus::Ringing);
    w.tick_at(25);
    assert_eq!(w.status(&call), CallStatus::NoAnswer);
    assert_eq!(statuses(&w.log, &call), ["initiated", "ringing", "no-answer"]);

    // With no Timeout, Twilio's 60 s.
    let call = w.dial(NO_ANSWER, &format!("{APP}/outside"), None).unwrap();
    w.tick_at(25 + u64::from(DEFAULT_TIMEOUT_SECS) - 1);
    assert_eq!(w.status(&call), CallStatus::Ringing);
    w.tick_at(25 + u64::from(DEFAULT_TIMEOUT_SECS));
    assert_eq!(w.status(&call), CallStatus::NoAnswer);
}

#[test]
fn the_unreachable_number_fails_at_once() {
    let mut w = World::new();
    let call = w.dial(UNREACHABLE, &format!("{APP}/outside"), None).unwrap();
    assert_eq!(w.status(&call), CallStatus::Failed);
    assert_eq!(progress(&w.log, &call), [("initiated".to_string(), None), ("failed".to_string(), Some("0".to_string()))]);
    assert!(w.call(&call).end_time.is_some());

    // Added as a participant: Twilio accepts the request, then the call fails and leaves.
    let (mut w, _customer, _agent) = World::customer_with_agent();
    let added = w
        .engine
        .add_participant("room", NewParticipant { from: NUMBER.into(), to: UNREACHABLE.into(), ..Default::default() }, w.now())
        .unwrap();
    w.pump();
    assert_eq!(added.status, ParticipantStatus::Ringing);
    assert_eq!(w.status(&added.call_sid), CallStatus::Failed);
    assert_eq!(w.room().participants.len(), 2);
    assert_eq!(w.room().status, ConferenceStatus::InProgress);
}

#[test]
fn a_timeout_no_longer_than_the_ring_wins() {
    let mut w = World::new();
    let call = w.dial(OUTSIDE, &format!("{APP}/outside"), Some(RING_SECS as u32)).unwrap();
    w.tick_at(RING_SECS);
    assert_eq!(w.status(&call), CallStatus::NoAnswer);
}

#[test]
fn a_number_added_as_a_participant_answers_and_joins() {
    let (mut w, customer, _agent) = World::customer_with_agent();
    let added = w
        .engine
        .add_participant(
            "room",
            NewParticipant { from: NUMBER.into(), to: OUTSIDE.into(), label: Some("supplier".into()), ..Default::default() },
            w.now(),
        )
        .unwrap();
    w.pump();
    assert_eq!(w.room().labelled("supplier").unwrap().status, ParticipantStatus::Ringing);
    w.tick_at(RING_SECS);
    assert_eq!(w.room().labelled("supplier").unwrap().status, ParticipantStatus::Connected);
    assert_eq!(w.call(&customer).now_hearing, "conference with agent1, supplier");

    // Busy as a participant: it never joins.
    let busy =
        w.engine.add_participant("room", NewParticipant { from: NUMBER.into(), to: BUSY.into(), ..Default::default() }, w.now()).unwrap();
    w.pump();
    w.tick_at(2 * RING_SECS);
    assert_eq!(w.status(&busy.call_sid), CallStatus::Busy);
    assert_eq!(w.room().participants.len(), 3);
    assert_eq!(w.status(&added.call_sid), CallStatus::InProgress);
}

#[test]
fn a_to_that_is_neither_a_browser_nor_a_number_is_refused() {
    let mut w = World::new();
    for bad in ["agent1", "client:", "5551230000", "+1 555 123 0000", "sip:x@example.com"] {
        assert_eq!(w.dial(bad, &format!("{APP}/outside"), None), Err(SimError::InvalidNumber(bad.to_string())), "{bad}");
        let err = w
            .engine
            .add_participant("room", NewParticipant { from: NUMBER.into(), to: bad.into(), ..Default::default() }, w.now())
            .unwrap_err();
        assert_eq!(err, SimError::InvalidNumber(bad.to_string()));
    }
    assert!(w.engine.snapshot().calls.is_empty());
    assert!(w.engine.snapshot().conferences.is_empty(), "a refused participant opens no room");
    assert!(phone_book::is_dialable("client:agent1"));
}

#[test]
fn browser_calls_still_wait_for_a_person() {
    let mut w = World::new();
    let call = w.dial("client:agent1", &format!("{APP}/agent"), Some(30)).unwrap();
    w.tick_at(29);
    assert_eq!(w.status(&call), CallStatus::Ringing, "a browser never answers by itself");
    w.engine.reject(&call, w.now()).unwrap();
    w.pump();
    assert_eq!(w.status(&call), CallStatus::Busy);
}

// ---- DTMF ----------------------------------------------------------------------------------------

/// The customer, agent1 and the outside number talking in `room`.
fn three_in_the_room() -> (World, CallSid, CallSid, CallSid) {
    let (mut w, customer, agent) = World::customer_with_agent();
    let outside = w.dial(OUTSIDE, &format!("{APP}/outside"), None).unwrap();
    w.tick_at(RING_SECS);
    assert_eq!(w.room().participants.len(), 3);
    (w, customer, agent, outside)
}

fn digits(w: &World, sid: &CallSid) -> (String, String) {
    let call = w.call(sid);
    (call.digits_sent, call.digits_heard)
}

#[test]
fn digits_an_agent_keys_in_are_heard_by_everyone_else_in_the_room() {
    let (mut w, customer, agent, outside) = three_in_the_room();
    w.engine.send_digits(&agent, "12#", w.now()).unwrap();
    assert_eq!(digits(&w, &agent), ("12#".into(), String::new()));
    assert_eq!(digits(&w, &outside), (String::new(), "12#".into()));
    assert_eq!(digits(&w, &customer), (String::new(), "12#".into()));

    // A pause is sent but never heard; what is heard adds up.
    w.engine.send_digits(&agent, "*w0", w.now()).unwrap();
    assert_eq!(digits(&w, &agent).0, "12#*w0");
    assert_eq!(digits(&w, &outside).1, "12#*0");
    assert_eq!(w.call(&customer).now_hearing, "conference with agent1, outside", "the tones change nothing else");
}

#[test]
fn a_held_participant_hears_its_music_not_the_digits_and_a_held_sender_is_heard_by_nobody() {
    let (mut w, customer, agent, outside) = three_in_the_room();
    w.update(customer.as_str(), hold());
    w.engine.send_digits(&agent, "12#", w.now()).unwrap();
    assert_eq!(digits(&w, &outside).1, "12#");
    assert_eq!(digits(&w, &customer).1, "", "on hold");

    w.update("agent1", hold());
    w.engine.send_digits(&agent, "9", w.now()).unwrap();
    assert_eq!(digits(&w, &agent).0, "12#9", "sent all the same");
    assert_eq!(digits(&w, &outside).1, "12#");
}

#[test]
fn digits_on_a_call_outside_any_conference_are_only_sent() {
    let mut w = World::new();
    w.serve(&format!("{APP}/music"), &format!("<Response><Play loop=\"0\">{APP}/song.mp3</Play></Response>"));
    let call = w.dial("client:agent1", &format!("{APP}/music"), None).unwrap();
    w.engine.answer(&call, w.now()).unwrap();
    w.pump();
    w.engine.send_digits(&call, "42", w.now()).unwrap();
    assert_eq!(digits(&w, &call), ("42".into(), String::new()));
}

#[test]
fn digits_need_an_answered_call_and_only_dtmf_characters() {
    let (mut w, customer, agent, outside) = three_in_the_room();
    for bad in ["12a", "1 2", "", "p", "W", "１"] {
        assert!(matches!(w.engine.send_digits(&agent, bad, w.now()), Err(SimError::Invalid(_))), "{bad:?}");
    }
    let too_many = "1".repeat(MAX_DIGITS + 1);
    assert!(matches!(w.engine.send_digits(&agent, &too_many, w.now()), Err(SimError::Invalid(_))));
    assert_eq!(digits(&w, &agent), (String::new(), String::new()), "nothing of a refused request is sent");
    assert_eq!(digits(&w, &outside).1, "");

    let ringing = w.dial("client:agent2", &format!("{APP}/agent"), None).unwrap();
    let err = w.engine.send_digits(&ringing, "1", w.now()).unwrap_err();
    assert!(matches!(err, SimError::WrongState { status: "ringing", .. }), "{err:?}");
    w.engine.hangup(&customer, w.now()).unwrap();
    w.pump();
    let err = w.engine.send_digits(&agent, "1", w.now()).unwrap_err();
    assert!(matches!(err, SimError::WrongState { status: "completed", .. }), "{err:?}");
    let unknown = CallSid::parse(&format!("CA{}", "0".repeat(32))).unwrap();
    assert!(matches!(w.engine.send_digits(&unknown, "1", w.now()), Err(SimError::UnknownCall(_))));
}
