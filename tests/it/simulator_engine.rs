//! The simulator's engine on its own: calls, conferences and callbacks as Twilio would produce
//! them, with the app's real TwiML (from `calls::flow`) fed back in, and time passed in by hand.
#![cfg(feature = "ssr")]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use warm_transfer::calls::flow;
use warm_transfer::calls::paths::Wait;
use warm_transfer::center::Party;
use warm_transfer::config::Settings;
use warm_transfer::ids::CallSid;
use warm_transfer::simulator::engine::{
    CallStatus, CallView, ConferenceStatus, ConferenceView, Engine, EngineConfig, NewParticipant, OutboundCall, ParticipantUpdate,
    SimEffect, SimError, StopReason, DEFAULT_HOLD_MUSIC,
};
use warm_transfer::simulator::twiml::{self, Instruction};
use warm_transfer::twilio::twiml::{Conference, Response};

const ACCOUNT_SID: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const NUMBER: &str = "+15005550006";
const CUSTOMER: &str = "+15551230000";
const BASE: &str = "https://support.example.com";
/// 2026-11-21 19:00:00 UTC, a Saturday.
const T0: u64 = 1_795_287_600;
/// How long a finite `<Play>` in a wait or hold document lasts (not the driver's 5, to see it used).
const BACKGROUND_PLAY_SECS: u64 = 7;
const MUSIC: &str = "http://music.example/hold.mp3";

type Params = Vec<(String, String)>;

fn settings() -> Settings {
    Settings::from_lookup(|k| {
        Some(
            match k {
                "TWILIO_ACCOUNT_SID" => ACCOUNT_SID,
                "TWILIO_API_KEY" => "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                "TWILIO_API_SECRET" | "TWILIO_AUTH_TOKEN" => "x",
                "TWILIO_NUMBER" => NUMBER,
                "PUBLIC_BASE_URL" => BASE,
                _ => return None,
            }
            .to_string(),
        )
    })
    .unwrap()
}

fn read(doc: &Response) -> Vec<Instruction> {
    twiml::parse(&doc.to_xml()).unwrap()
}

fn get<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The engine plus a stand-in for the app at the TwiML level: every fetch is answered with the
/// document the app's own `flow` functions write, as the real routes would.
struct World {
    engine: Engine,
    settings: Settings,
    now: SystemTime,
    /// Every effect so far, in order.
    log: Vec<SimEffect>,
    /// Fetches left unanswered on purpose (`auto_fetch = false`).
    pending: Vec<SimEffect>,
    auto_fetch: bool,
    /// Documents served instead of the app's, by URL (raw TwiML the app's writer cannot produce).
    documents: Vec<(String, String)>,
}

impl World {
    fn new() -> Self {
        let engine = Engine::new(EngineConfig {
            account_sid: ACCOUNT_SID.into(),
            voice_url: format!("{BASE}/conference/connect/client"),
            sid_seed: 0,
            background_play_secs: BACKGROUND_PLAY_SECS as u32,
        });
        World {
            engine,
            settings: settings(),
            now: UNIX_EPOCH + Duration::from_secs(T0),
            log: Vec::new(),
            pending: Vec::new(),
            auto_fetch: true,
            documents: Vec::new(),
        }
    }

    /// From now on, `url` answers with the TwiML `xml`.
    fn serve(&mut self, url: &str, xml: &str) {
        self.documents.retain(|(u, _)| u != url);
        self.documents.push((url.to_string(), xml.to_string()));
    }

    /// Ticks at `secs_after_t0`; returns what happened.
    fn tick_at(&mut self, secs_after_t0: u64) -> Vec<SimEffect> {
        self.at(secs_after_t0);
        self.engine.tick(self.now);
        self.pump()
    }

    fn at(&mut self, secs_after_t0: u64) {
        self.now = UNIX_EPOCH + Duration::from_secs(T0 + secs_after_t0);
    }

    /// Collects the engine's effects, answering fetches until there are none; returns what
    /// happened in this step.
    fn pump(&mut self) -> Vec<SimEffect> {
        let mut step = Vec::new();
        loop {
            let effects = self.engine.take_effects();
            if effects.is_empty() {
                break;
            }
            for e in effects {
                step.push(e.clone());
                self.log.push(e.clone());
                if let SimEffect::FetchTwiml { call_sid, fetch_id, url, .. } = &e {
                    if self.auto_fetch {
                        let doc = self.app_document(call_sid, url);
                        self.engine.twiml_result_for(call_sid, *fetch_id, doc, self.now).unwrap();
                    } else {
                        self.pending.push(e.clone());
                    }
                }
            }
        }
        step
    }

    /// What the app's routes answer; any other URL is music, as the driver treats it.
    fn app_document(&self, call_sid: &CallSid, url: &str) -> Result<Vec<Instruction>, String> {
        let s = &self.settings;
        if let Some((_, xml)) = self.documents.iter().find(|(u, _)| u == url) {
            return twiml::parse(xml).map_err(|e| e.to_string());
        }
        let Some(path) = url.strip_prefix(BASE) else {
            return Ok(vec![Instruction::Play { url: url.to_string(), loop_count: 0 }]);
        };
        if path == "/conference/connect/client" {
            // The conference is named after the customer's CallSid.
            return Ok(read(&flow::customer_twiml(s, call_sid)));
        }
        if path == (Wait { after_transfer: false }).to_string() {
            return Ok(read(&looping_wait(s)));
        }
        let parts: Vec<&str> = path.split('/').collect();
        if let ["", "conference", conference, "connect", agent] = parts.as_slice() {
            let agent = agent.split('?').next().unwrap_or_default();
            return Ok(read(&flow::agent_join_twiml(s, &CallSid::parse(conference).unwrap(), &Party::parse(agent).unwrap())));
        }
        Err(format!("404 for {url}"))
    }

    fn customer_calls(&mut self) -> CallSid {
        let sid = self.engine.incoming_call(CUSTOMER, NUMBER, self.now);
        self.pump();
        sid
    }

    /// The app's dialer: `Calls.json` with exactly the fields the app sends.
    fn dial(&mut self, conference: &CallSid, agent: &str) -> CallSid {
        let leg = if agent == "agent1" { 1 } else { 2 };
        let req = flow::agent_dial(&self.settings, conference, &Party::parse(agent).unwrap(), leg);
        let sid = self.engine.create_call(req, self.now).unwrap();
        self.pump();
        sid
    }

    fn answer(&mut self, sid: &CallSid) -> Vec<SimEffect> {
        self.engine.answer(sid, self.now).unwrap();
        self.pump()
    }

    fn hangup(&mut self, sid: &CallSid) -> Vec<SimEffect> {
        self.engine.hangup(sid, self.now).unwrap();
        self.pump()
    }

    fn call(&self, sid: &CallSid) -> CallView {
        self.engine.call(sid.as_str()).unwrap()
    }

    /// The newest conference of that name.
    fn room(&self, name: &CallSid) -> ConferenceView {
        self.engine.find_conferences(Some(name.as_str()), None).into_iter().next().expect("conference exists")
    }

    fn hearing(&self, sid: &CallSid) -> String {
        self.call(sid).now_hearing
    }

    /// Customer waiting, agent1 answered and joined: the conference is in progress.
    fn customer_with_agent1() -> (World, CallSid, CallSid) {
        let mut w = World::new();
        let customer = w.customer_calls();
        let agent1 = w.dial(&customer, "agent1");
        w.at(5);
        w.answer(&agent1);
        (w, customer, agent1)
    }
}

/// `(url, method)` of each TwiML fetch.
fn fetches(effects: &[SimEffect]) -> Vec<(String, String)> {
    effects
        .iter()
        .filter_map(|e| match e {
            SimEffect::FetchTwiml { url, method, .. } => Some((url.clone(), method.clone())),
            _ => None,
        })
        .collect()
}

fn callbacks(effects: &[SimEffect]) -> Vec<Params> {
    effects
        .iter()
        .filter_map(|e| match e {
            SimEffect::Callback { params, .. } => Some(params.clone()),
            _ => None,
        })
        .collect()
}

fn conference_events(effects: &[SimEffect]) -> Vec<Params> {
    callbacks(effects).into_iter().filter(|p| get(p, "ConferenceSid").is_some()).collect()
}

fn call_events(effects: &[SimEffect], sid: &CallSid) -> Vec<Params> {
    callbacks(effects).into_iter().filter(|p| get(p, "ConferenceSid").is_none() && get(p, "CallSid") == Some(sid.as_str())).collect()
}

/// `(event, CallSid or "-")` of each conference callback.
fn event_names(effects: &[SimEffect]) -> Vec<(String, String)> {
    conference_events(effects)
        .iter()
        .map(|p| (get(p, "StatusCallbackEvent").unwrap().to_string(), get(p, "CallSid").unwrap_or("-").to_string()))
        .collect()
}

fn ev(event: &str, sid: &CallSid) -> (String, String) {
    (event.to_string(), sid.to_string())
}

fn conf_ev(event: &str) -> (String, String) {
    (event.to_string(), "-".to_string())
}

#[test]
fn the_tutorials_six_steps_run_at_engine_level() {
    let mut w = World::new();
    w.auto_fetch = false;

    // A customer calls: Twilio asks the app's voice URL, with Twilio's form.
    let customer = w.engine.incoming_call(CUSTOMER, NUMBER, w.now);
    let effects = w.pump();
    let [SimEffect::FetchTwiml { call_sid, url, method, params, .. }] = effects.as_slice() else {
        panic!("expected one fetch: {effects:?}")
    };
    assert_eq!(call_sid, &customer);
    assert_eq!((url.as_str(), method.as_str()), ("https://support.example.com/conference/connect/client", "POST"));
    for (name, value) in [
        ("CallSid", customer.as_str()),
        ("AccountSid", ACCOUNT_SID),
        ("From", CUSTOMER),
        ("To", NUMBER),
        ("CallStatus", "ringing"),
        ("Direction", "inbound"),
        ("ApiVersion", "2010-04-01"),
    ] {
        assert_eq!(get(params, name), Some(value), "{name}");
    }
    assert_eq!(w.call(&customer).status, CallStatus::Ringing);

    // The app's TwiML puts the customer in a waiting conference named after the call.
    let customer_doc = read(&flow::customer_twiml(&w.settings, &customer));
    w.engine.twiml_result(&customer, Ok(customer_doc), w.now).unwrap();
    let effects = w.pump();
    assert_eq!(w.call(&customer).status, CallStatus::InProgress);
    assert_eq!(event_names(&effects), vec![ev("participant-join", &customer)]);
    let room = w.room(&customer);
    assert_eq!(room.status, ConferenceStatus::Waiting);
    assert_eq!(room.friendly_name, customer.as_str());
    assert!(room.sid.as_str().starts_with("CF"));

    // While waiting, the customer hears the wait URL: the message, then music.
    let Some(SimEffect::FetchTwiml { url, method, params, .. }) = w.pending.pop() else { panic!("no wait fetch") };
    assert_eq!((url.as_str(), method.as_str()), ("https://support.example.com/conference/wait", "POST"));
    assert_eq!(get(&params, "CallStatus"), Some("in-progress"));
    w.engine.twiml_result(&customer, Ok(read(&looping_wait(&w.settings))), w.now).unwrap();
    w.auto_fetch = true;
    w.pump();
    let heard = w.call(&customer).hearing;
    let music = format!("Play: {} (looping)", w.settings.wait_music_url);
    assert!(heard.contains(&format!("Say: {}", flow::WAIT_MESSAGE)), "{heard:?}");
    assert_eq!(heard.last(), Some(&music));
    assert_eq!(w.room(&customer).participants[0].hearing, music);

    // The app dials agent1: the browser rings.
    let agent1 = w.dial(&customer, "agent1");
    assert!(
        matches!(w.log.last(), Some(SimEffect::Ring { identity, call_sid, from }) if identity == "agent1" && call_sid == &agent1 && from == NUMBER)
    );
    assert_eq!(w.engine.ringing_for("agent1").len(), 1);
    assert_eq!(w.call(&agent1).status, CallStatus::Ringing);

    // agent1 answers: the join document starts the conference; customer and agent hear each other.
    w.at(5);
    let effects = w.answer(&agent1);
    assert!(effects.iter().any(|e| matches!(e, SimEffect::StopRinging { reason: StopReason::AnsweredElsewhere, .. })));
    assert!(effects
        .iter()
        .any(|e| matches!(e, SimEffect::FetchTwiml { url, .. } if url == &format!("{BASE}/conference/{customer}/connect/agent1?leg=1"))));
    assert_eq!(event_names(&effects), vec![ev("participant-join", &agent1), conf_ev("conference-start")]);
    assert!(w.engine.ringing_for("agent1").is_empty());
    let room = w.room(&customer);
    assert_eq!(room.status, ConferenceStatus::InProgress);
    assert_eq!(w.hearing(&customer), "conference with agent1");
    assert_eq!(w.hearing(&agent1), format!("conference with {CUSTOMER}"));
    let join = &conference_events(&effects)[0];
    assert_eq!(get(join, "ParticipantLabel"), Some("agent1"));
    assert_eq!(get(join, "StartConferenceOnEnter"), Some("true"));
    assert_eq!(get(join, "EndConferenceOnExit"), Some("false"));

    // agent1 dials agent2 in; agent2 answers; all three talk.
    w.at(20);
    let agent2 = w.dial(&customer, "agent2");
    w.at(25);
    w.answer(&agent2);
    let room = w.room(&customer);
    assert_eq!(room.participants.len(), 3);
    assert_eq!(w.hearing(&customer), "conference with agent1, agent2");
    assert!(!room.labelled("agent2").unwrap().end_conference_on_exit, "only the customer ends the conference by leaving");

    // agent1 hangs up: the customer and agent2 talk on.
    w.at(65);
    let effects = w.hangup(&agent1);
    assert_eq!(w.call(&agent1).status, CallStatus::Completed);
    let completed = call_events(&effects, &agent1);
    assert_eq!(get(&completed[0], "CallStatus"), Some("completed"));
    assert_eq!(get(&completed[0], "CallDuration"), Some("60"));
    assert_eq!(event_names(&effects), vec![ev("participant-leave", &agent1)]);
    assert_eq!(w.room(&customer).status, ConferenceStatus::InProgress);
    assert_eq!(w.hearing(&customer), "conference with agent2");
    assert_eq!(w.hearing(&agent2), format!("conference with {CUSTOMER}"));

    // The customer hangs up: the conference ends (their end-on-exit) and agent2's call completes.
    w.at(100);
    let effects = w.hangup(&customer);
    assert_eq!(
        event_names(&effects),
        vec![ev("participant-leave", &customer), ev("participant-leave", &agent2), conf_ev("conference-end")]
    );
    let end = conference_events(&effects).pop().unwrap();
    assert_eq!(get(&end, "ReasonConferenceEnded"), Some("participant-with-end-conference-on-exit-left"));
    assert_eq!(get(&end, "CallSidEndingConference"), Some(customer.as_str()));
    let room = w.room(&customer);
    assert_eq!(room.status, ConferenceStatus::Completed);
    assert!(room.participants.is_empty());
    assert_eq!(w.call(&agent2).status, CallStatus::Completed);
    assert_eq!(get(&call_events(&effects, &agent2)[0], "CallDuration"), Some("75"));
    assert_eq!(w.call(&customer).status, CallStatus::Completed);
}

#[test]
fn a_customer_hanging_up_while_waiting_ends_the_conference_but_the_agents_call_rings_on_until_canceled() {
    let mut w = World::new();
    let customer = w.customer_calls();
    let agent1 = w.dial(&customer, "agent1");

    w.at(3);
    let effects = w.hangup(&customer);
    let end = conference_events(&effects).pop().unwrap();
    assert_eq!(get(&end, "StatusCallbackEvent"), Some("conference-end"));
    assert_eq!(get(&end, "ReasonConferenceEnded"), Some("participant-with-end-conference-on-exit-left"));
    // Twilio does not cancel a separate call that was on its way into the room.
    assert!(!effects.iter().any(|e| matches!(e, SimEffect::StopRinging { .. })), "{effects:?}");
    assert_eq!(w.call(&agent1).status, CallStatus::Ringing);
    assert_eq!(w.engine.ringing_for("agent1").len(), 1);

    // Cancelling it is the app's job (Calls/{CA}.json Status=canceled).
    w.at(4);
    w.engine.update_call_status(&agent1, "canceled", w.now).unwrap();
    let effects = w.pump();
    assert!(effects
        .iter()
        .any(|e| matches!(e, SimEffect::StopRinging { identity, reason: StopReason::Cancel, .. } if identity == "agent1")));
    assert_eq!(w.call(&agent1).status, CallStatus::Canceled);
    let done = call_events(&effects, &agent1);
    assert_eq!(get(&done[0], "CallStatus"), Some("canceled"));
    assert_eq!(get(&done[0], "CallDuration"), Some("0"));
    assert!(w.engine.ringing_for("agent1").is_empty());
}

#[test]
fn an_agent_answering_after_the_customer_left_is_alone_in_a_fresh_room_of_the_same_name() {
    let mut w = World::new();
    let customer = w.customer_calls();
    let first_room = w.room(&customer).sid;
    let agent1 = w.dial(&customer, "agent1");
    w.hangup(&customer);

    w.at(10);
    w.answer(&agent1);
    let room = w.room(&customer);
    assert_ne!(room.sid, first_room);
    assert_eq!(room.status, ConferenceStatus::Waiting, "a lone participant does not start a conference");
    assert_eq!(w.hearing(&agent1), format!("Play: {} (looping)", w.settings.hold_music_url));
}

#[test]
fn the_last_agent_hanging_up_leaves_the_conference_running_until_the_app_hangs_the_customer_up() {
    let (mut w, customer, agent1) = World::customer_with_agent1();
    let agent2 = w.dial(&customer, "agent2");
    w.answer(&agent2);
    w.hangup(&agent1);
    assert_eq!(w.room(&customer).status, ConferenceStatus::InProgress);

    w.at(50);
    w.hangup(&agent2);
    // No agent's leaving ends the conference: the app decides what happens to the customer.
    assert_eq!(w.room(&customer).status, ConferenceStatus::InProgress);
    let effects = w.hangup(&customer);
    let end = conference_events(&effects).pop().unwrap();
    assert_eq!(get(&end, "StatusCallbackEvent"), Some("conference-end"));
    assert_eq!(get(&end, "CallSidEndingConference"), Some(customer.as_str()));
    assert_eq!(w.room(&customer).status, ConferenceStatus::Completed);
    assert_eq!(w.call(&customer).status, CallStatus::Completed);
}

#[test]
fn an_unanswered_agent_call_reports_no_answer_after_its_timeout_and_the_customer_keeps_waiting() {
    let mut w = World::new();
    let customer = w.customer_calls();
    let agent1 = w.dial(&customer, "agent1");
    let timeout = u64::from(w.settings.ring_timeout_secs);

    w.at(timeout - 1);
    w.engine.tick(w.now);
    assert!(w.pump().is_empty());
    assert_eq!(w.call(&agent1).status, CallStatus::Ringing);

    w.at(timeout);
    w.engine.tick(w.now);
    let effects = w.pump();
    assert!(effects.iter().any(|e| matches!(e, SimEffect::StopRinging { reason: StopReason::Timeout, .. })));
    assert_eq!(w.call(&agent1).status, CallStatus::NoAnswer);
    assert_eq!(get(&call_events(&effects, &agent1)[0], "CallStatus"), Some("no-answer"));

    assert_eq!(w.call(&customer).status, CallStatus::InProgress);
    let room = w.room(&customer);
    assert_eq!(room.status, ConferenceStatus::Waiting);
    assert_eq!(w.hearing(&customer), format!("Play: {} (looping)", w.settings.wait_music_url));
}

#[test]
fn a_rejected_call_is_busy_and_stops_ringing() {
    let mut w = World::new();
    let customer = w.customer_calls();
    let agent1 = w.dial(&customer, "agent1");
    w.engine.reject(&agent1, w.now).unwrap();
    let effects = w.pump();
    assert!(effects.iter().any(|e| matches!(e, SimEffect::StopRinging { reason: StopReason::Rejected, .. })));
    assert_eq!(w.call(&agent1).status, CallStatus::Busy);
    assert_eq!(
        w.engine.answer(&agent1, w.now),
        Err(SimError::WrongState { call_sid: agent1.to_string(), status: "busy", action: "answered" })
    );
}

#[test]
fn a_duplicate_participant_label_is_rejected() {
    let (mut w, customer, _agent1) = World::customer_with_agent1();

    // A second leg answering with the same join document (label agent1) is refused and ends.
    let again = w.dial(&customer, "agent1");
    let effects = w.answer(&again);
    assert!(effects.iter().any(|e| matches!(e, SimEffect::Warning { message, .. } if message.contains("already in use"))), "{effects:?}");
    assert_eq!(w.call(&again).status, CallStatus::Completed);
    assert_eq!(w.room(&customer).participants.len(), 2);

    // The REST API refuses it outright.
    let room = w.room(&customer).sid;
    let err = w
        .engine
        .add_participant(
            room.as_str(),
            NewParticipant { from: NUMBER.into(), to: "client:agent9".into(), label: Some("agent1".into()), ..Default::default() },
            w.now,
        )
        .unwrap_err();
    assert!(matches!(err, SimError::DuplicateLabel { .. }), "{err:?}");
}

#[test]
fn sequence_numbers_increase_per_conference_from_1_and_per_call_from_0() {
    let (mut w, customer, agent1) = World::customer_with_agent1();
    w.hangup(&agent1);
    w.hangup(&customer);

    let seqs: Vec<u64> = conference_events(&w.log).iter().map(|p| get(p, "SequenceNumber").unwrap().parse().unwrap()).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    assert!(seqs.len() >= 5, "{seqs:?}");

    let agent_events = call_events(&w.log, &agent1);
    let statuses: Vec<&str> = agent_events.iter().map(|p| get(p, "CallStatus").unwrap()).collect();
    assert_eq!(statuses, ["initiated", "ringing", "in-progress", "completed"]);
    let seqs: Vec<&str> = agent_events.iter().map(|p| get(p, "SequenceNumber").unwrap()).collect();
    assert_eq!(seqs, ["0", "1", "2", "3"]);
    for p in &agent_events {
        assert_eq!(get(p, "Direction"), Some("outbound-api"));
        assert_eq!(get(p, "To"), Some("client:agent1"));
        assert_eq!(get(p, "From"), Some(NUMBER));
    }
}

#[test]
fn callbacks_carry_twilios_fields_and_an_rfc_2822_timestamp_from_the_time_given() {
    let mut w = World::new();
    let customer = w.customer_calls();
    let join = conference_events(&w.log).pop().unwrap();
    assert_eq!(get(&join, "Timestamp"), Some("Sat, 21 Nov 2026 19:00:00 +0000"));
    assert_eq!(get(&join, "AccountSid"), Some(ACCOUNT_SID));
    assert_eq!(get(&join, "FriendlyName"), Some(customer.as_str()));
    assert_eq!(get(&join, "CallSid"), Some(customer.as_str()));
    assert_eq!(get(&join, "Hold"), Some("false"));
    assert_eq!(get(&join, "Muted"), Some("false"));
    assert_eq!(get(&join, "StartConferenceOnEnter"), Some("false"));
    assert_eq!(get(&join, "EndConferenceOnExit"), Some("true"));
    assert_eq!(get(&join, "ParticipantLabel"), None, "the customer has no label");
    let room = w.room(&customer);
    assert_eq!(get(&join, "ConferenceSid"), Some(room.sid.as_str()));
    assert!(w
        .log
        .iter()
        .any(|e| matches!(e, SimEffect::Callback { url, method, .. } if url == &format!("{BASE}/twilio/status") && method == "POST")));
}

#[test]
fn callbacks_are_filtered_by_the_requested_events_of_the_first_participant_with_a_callback() {
    let mut w = World::new();
    w.auto_fetch = false;
    // The customer asks only for joins; a later participant's wider request is ignored.
    let customer = w.engine.incoming_call(CUSTOMER, NUMBER, w.now);
    let only_joins = Response::new().dial_conference(Conference {
        name: "room".into(),
        start_conference_on_enter: Some(false),
        status_callback: Some(format!("{BASE}/first")),
        status_callback_event: vec!["join".into()],
        ..Conference::default()
    });
    w.engine.twiml_result(&customer, Ok(read(&only_joins)), w.now).unwrap();

    let agent = w
        .engine
        .create_call(
            OutboundCall { from: NUMBER.into(), to: "client:agent1".into(), url: format!("{BASE}/agent"), ..Default::default() },
            w.now,
        )
        .unwrap();
    w.engine.answer(&agent, w.now).unwrap();
    let everything = Response::new().dial_conference(Conference {
        name: "room".into(),
        participant_label: Some("agent1".into()),
        status_callback: Some(format!("{BASE}/second")),
        status_callback_event: ["start", "end", "join", "leave"].map(String::from).to_vec(),
        ..Conference::default()
    });
    w.engine.twiml_result(&agent, Ok(read(&everything)), w.now).unwrap();
    w.engine.hangup(&agent, w.now).unwrap();
    w.engine.hangup(&customer, w.now).unwrap();
    w.pump();

    let sent: Vec<(String, String)> = w
        .log
        .iter()
        .filter_map(|e| match e {
            SimEffect::Callback { url, params, .. } => {
                Some((url.clone(), get(params, "StatusCallbackEvent").unwrap_or("call").to_string()))
            }
            _ => None,
        })
        .collect();
    let first = format!("{BASE}/first");
    assert_eq!(sent, vec![(first.clone(), "participant-join".into()), (first, "participant-join".into())]);
}

#[test]
fn call_callbacks_follow_the_calls_own_event_list_and_default_to_completed() {
    let mut w = World::new();
    let answered_only = w
        .engine
        .create_call(
            OutboundCall {
                from: NUMBER.into(),
                to: "client:agent1".into(),
                url: format!("{BASE}/x"),
                status_callback: Some(format!("{BASE}/cb")),
                status_callback_event: vec!["answered".into()],
                ..Default::default()
            },
            w.now,
        )
        .unwrap();
    let default_events = w
        .engine
        .create_call(
            OutboundCall {
                from: NUMBER.into(),
                to: "client:agent2".into(),
                url: format!("{BASE}/x"),
                status_callback: Some(format!("{BASE}/cb")),
                ..Default::default()
            },
            w.now,
        )
        .unwrap();
    w.auto_fetch = false;
    w.answer(&answered_only);
    w.answer(&default_events);
    w.hangup(&answered_only);
    w.hangup(&default_events);
    let statuses =
        |sid: &CallSid| -> Vec<String> { call_events(&w.log, sid).iter().map(|p| get(p, "CallStatus").unwrap().to_string()).collect() };
    assert_eq!(statuses(&answered_only), ["in-progress"]);
    assert_eq!(statuses(&default_events), ["completed"]);
}

#[test]
fn hold_and_unhold_emit_their_events_and_the_held_participant_hears_hold_music() {
    let (mut w, customer, agent1) = World::customer_with_agent1();
    let room = w.room(&customer).sid;

    w.engine
        .update_participant(room.as_str(), customer.as_str(), ParticipantUpdate { hold: Some(true), ..Default::default() }, w.now)
        .unwrap();
    let effects = w.pump();
    assert_eq!(event_names(&effects), vec![ev("participant-hold", &customer)]);
    assert_eq!(get(&conference_events(&effects)[0], "Hold"), Some("true"));
    assert_eq!(w.hearing(&customer), DEFAULT_HOLD_MUSIC);
    assert_eq!(w.hearing(&agent1), "conference: nobody else");
    assert!(w.room(&customer).participants[0].on_hold);

    let view = w
        .engine
        .update_participant(room.as_str(), customer.as_str(), ParticipantUpdate { hold: Some(false), ..Default::default() }, w.now)
        .unwrap();
    assert!(!view.on_hold);
    let effects = w.pump();
    assert_eq!(event_names(&effects), vec![ev("participant-unhold", &customer)]);
    assert_eq!(w.hearing(&customer), "conference with agent1");

    // Held by label with a hold URL: Twilio fetches it (GET by default) and plays what it says.
    w.engine
        .update_participant(
            room.as_str(),
            "agent1",
            ParticipantUpdate { hold: Some(true), hold_url: Some("https://music.example.com/hold.mp3".into()), ..Default::default() },
            w.now,
        )
        .unwrap();
    let effects = w.pump();
    assert!(effects
        .iter()
        .any(|e| matches!(e, SimEffect::FetchTwiml { url, method, .. } if url == "https://music.example.com/hold.mp3" && method == "GET")));
    assert_eq!(w.hearing(&agent1), "Play: https://music.example.com/hold.mp3 (looping)");
    assert_eq!(w.hearing(&customer), "conference: nobody else");

    // Mute is reported too, and a muted participant is not heard.
    w.engine
        .update_participant(
            room.as_str(),
            "agent1",
            ParticipantUpdate { hold: Some(false), muted: Some(true), ..Default::default() },
            w.now,
        )
        .unwrap();
    let effects = w.pump();
    assert_eq!(event_names(&effects), vec![ev("participant-unhold", &agent1), ev("participant-mute", &agent1)]);
    assert_eq!(w.hearing(&customer), "conference: nobody else");
    assert_eq!(w.hearing(&agent1), format!("conference with {CUSTOMER}"));
}

#[test]
fn a_stale_wait_document_is_dropped_once_the_conference_has_started() {
    let mut w = World::new();
    w.auto_fetch = false;
    let customer = w.engine.incoming_call(CUSTOMER, NUMBER, w.now);
    w.engine.twiml_result(&customer, Ok(read(&flow::customer_twiml(&w.settings, &customer))), w.now).unwrap();
    w.pump();
    let Some(SimEffect::FetchTwiml { fetch_id: wait_fetch, .. }) = w.pending.pop() else { panic!() };

    let agent1 = w.engine.create_call(flow::agent_dial(&w.settings, &customer, &Party::parse("agent1").unwrap(), 1), w.now).unwrap();
    w.engine.answer(&agent1, w.now).unwrap();
    w.engine
        .twiml_result(&agent1, Ok(read(&flow::agent_join_twiml(&w.settings, &customer, &Party::parse("agent1").unwrap()))), w.now)
        .unwrap();
    assert_eq!(w.hearing(&customer), "conference with agent1");

    // The wait music arrives late: it changes nothing.
    w.engine.twiml_result_for(&customer, wait_fetch, Ok(read(&looping_wait(&w.settings))), w.now).unwrap();
    assert_eq!(w.hearing(&customer), "conference with agent1");
    // Only the welcome before the conference was said; the late wait document's was not.
    let said: Vec<_> = w.call(&customer).hearing.into_iter().filter(|h| h.starts_with("Say:")).collect();
    assert_eq!(said, [format!("Say: {}", flow::WAIT_MESSAGE)]);
}

#[test]
fn a_document_that_cannot_be_fetched_plays_the_application_error_and_hangs_up() {
    let mut w = World::new();
    w.auto_fetch = false;
    let customer = w.engine.incoming_call(CUSTOMER, NUMBER, w.now);
    w.engine.twiml_result(&customer, Err("HTTP 500".into()), w.now).unwrap();
    let effects = w.pump();
    assert!(effects.iter().any(|e| matches!(e, SimEffect::Warning { message, .. } if message.contains("HTTP 500"))));
    let call = w.call(&customer);
    assert_eq!(call.status, CallStatus::Completed);
    assert!(call.hearing.iter().any(|h| h.contains("application error")));

    // And an unknown verb is reported as such by the reader, for the driver to pass on.
    assert!(twiml::parse("<Response><Enqueue>q</Enqueue></Response>").is_err());
}

#[test]
fn ending_a_conference_through_the_api_completes_every_call_in_it() {
    let (mut w, customer, agent1) = World::customer_with_agent1();
    let room = w.room(&customer).sid;
    w.engine.end_conference(room.as_str(), w.now).unwrap();
    let effects = w.pump();
    let end = conference_events(&effects).pop().unwrap();
    assert_eq!(get(&end, "ReasonConferenceEnded"), Some("conference-ended-via-api"));
    assert_eq!(get(&end, "CallSidEndingConference"), None);
    assert_eq!(w.call(&customer).status, CallStatus::Completed);
    assert_eq!(w.call(&agent1).status, CallStatus::Completed);
    assert_eq!(w.engine.end_conference(room.as_str(), w.now), Err(SimError::UnknownConference(room.to_string())));
}

#[test]
fn removing_a_participant_kicks_them_and_the_rest_talk_on() {
    let (mut w, customer, agent1) = World::customer_with_agent1();
    let agent2 = w.dial(&customer, "agent2");
    w.answer(&agent2);
    let room = w.room(&customer).sid;
    w.engine.remove_participant(room.as_str(), "agent1", w.now).unwrap();
    let effects = w.pump();
    let leave = conference_events(&effects).remove(0);
    assert_eq!(get(&leave, "StatusCallbackEvent"), Some("participant-leave"));
    assert_eq!(get(&leave, "ParticipantCallStatus"), Some("in-progress"));
    // Nothing follows <Dial> in the app's document, so the kicked call ends.
    assert_eq!(w.call(&agent1).status, CallStatus::Completed);
    assert_eq!(w.hearing(&customer), "conference with agent2");
    assert_eq!(w.engine.remove_participant(room.as_str(), "agent1", w.now), Err(SimError::UnknownParticipant("agent1".into())));
}

#[test]
fn a_participant_added_through_the_api_rings_joins_on_answer_and_leaves_with_no_answer_if_unanswered() {
    let mut w = World::new();
    let customer = w.customer_calls();
    let request = || NewParticipant {
        from: NUMBER.into(),
        to: "client:agent2".into(),
        label: Some("agent2".into()),
        timeout_secs: Some(20),
        end_conference_on_exit: Some(true),
        ..Default::default()
    };
    // By friendly name, as the app may address it.
    let added = w.engine.add_participant(customer.as_str(), request(), w.now).unwrap();
    w.pump();
    assert_eq!(added.status, warm_transfer::simulator::engine::ParticipantStatus::Ringing);
    assert_eq!(w.engine.ringing_for("agent2").len(), 1);
    w.answer(&added.call_sid);
    let room = w.room(&customer);
    assert_eq!(room.status, ConferenceStatus::InProgress);
    assert_eq!(w.hearing(&customer), "conference with agent2");

    // Another one that nobody answers leaves the room again, reported with its call status.
    let mut second = request();
    second.label = Some("agent3".into());
    second.to = "client:agent3".into();
    let added = w.engine.add_participant(room.sid.as_str(), second, w.now).unwrap();
    w.pump();
    w.at(20);
    w.engine.tick(w.now);
    let effects = w.pump();
    assert_eq!(w.call(&added.call_sid).status, CallStatus::NoAnswer);
    let leave = conference_events(&effects).pop().unwrap();
    assert_eq!(get(&leave, "StatusCallbackEvent"), Some("participant-leave"));
    assert_eq!(get(&leave, "ParticipantCallStatus"), Some("no-answer"));
    assert_eq!(w.room(&customer).participants.len(), 2);
    assert_eq!(w.room(&customer).status, ConferenceStatus::InProgress);
}

#[test]
fn sids_are_well_formed_distinct_and_the_same_on_every_run() {
    let run = || {
        let (w, customer, agent1) = World::customer_with_agent1();
        let room = w.room(&customer).sid;
        (customer, agent1, room)
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    let (customer, agent1, room) = a;
    assert_ne!(customer, agent1);
    for sid in [customer.as_str(), agent1.as_str(), room.as_str()] {
        assert_eq!(sid.len(), 34);
        assert!(sid[2..].bytes().all(|c| c.is_ascii_hexdigit()));
    }
    assert!(room.as_str().starts_with("CF"));

    let seeded = Engine::new(EngineConfig {
        account_sid: ACCOUNT_SID.into(),
        voice_url: format!("{BASE}/v"),
        sid_seed: 0xfeed,
        background_play_secs: BACKGROUND_PLAY_SECS as u32,
    })
    .incoming_call(CUSTOMER, NUMBER, SystemTime::UNIX_EPOCH);
    assert_ne!(seeded, customer, "another seed gives other SIDs");
}

#[test]
fn the_snapshot_serialises_for_a_ui() {
    let (w, customer, _agent1) = World::customer_with_agent1();
    let json = serde_json::to_value(w.engine.snapshot()).unwrap();
    let room = &json["conferences"][0];
    assert_eq!(room["status"], "in-progress");
    assert_eq!(room["friendly_name"], customer.as_str());
    assert_eq!(room["participants"][1]["label"], "agent1");
    assert_eq!(room["participants"][0]["hearing"], "conference with agent1");
    assert_eq!(room["participants"][0]["on_hold"], false);
    assert_eq!(json["calls"][0]["status"], "in-progress");
    assert_eq!(json["calls"][0]["from"], CUSTOMER);
    assert_eq!(json["calls"][1]["to"], "client:agent1");
}

#[test]
fn operations_on_unknown_or_finished_calls_are_errors() {
    let mut w = World::new();
    let nobody = CallSid::parse(&format!("CA{}", "f".repeat(32))).unwrap();
    assert_eq!(w.engine.answer(&nobody, w.now), Err(SimError::UnknownCall(nobody.to_string())));
    let customer = w.customer_calls();
    w.hangup(&customer);
    assert!(matches!(w.engine.hangup(&customer, w.now), Err(SimError::WrongState { .. })));
    assert!(matches!(w.engine.answer(&customer, w.now), Err(SimError::WrongState { .. })));
    assert!(matches!(
        w.engine.create_call(OutboundCall { from: NUMBER.into(), url: "https://x".into(), ..Default::default() }, w.now),
        Err(SimError::Invalid(m)) if m.contains("To")
    ));
}

// ---- <Redirect> and re-fetched wait and hold documents -------------------------------------------

fn wait_url() -> String {
    format!("{BASE}{}", Wait { after_transfer: false })
}

/// The queue-position wait document: the position, a stretch of music, then fetch it again.
fn position_document(position: u32) -> String {
    format!(
        "<Response><Say>You are caller number {position}.</Say><Play>{MUSIC}</Play>\
         <Redirect method=\"POST\">{}</Redirect></Response>",
        wait_url()
    )
}

#[test]
fn a_wait_document_ending_in_a_redirect_is_fetched_again_once_its_music_has_played() {
    let mut w = World::new();
    w.serve(&wait_url(), &position_document(2));
    let customer = w.customer_calls();
    assert_eq!(fetches(&w.log).iter().filter(|(u, _)| u == &wait_url()).count(), 1);
    let heard = w.call(&customer).hearing;
    assert_eq!(heard[heard.len() - 2..], ["Say: You are caller number 2.".to_string(), format!("Play: {MUSIC}")], "{heard:?}");
    assert_eq!(w.hearing(&customer), format!("Play: {MUSIC}"));
    assert_eq!(w.room(&customer).participants[0].hearing, format!("Play: {MUSIC}"));

    // The queue moves; the music is still playing, so nothing is fetched yet.
    w.serve(&wait_url(), &position_document(1));
    assert!(w.tick_at(BACKGROUND_PLAY_SECS - 1).is_empty());
    assert_eq!(w.hearing(&customer), format!("Play: {MUSIC}"));

    // The music is over: the redirect fetches the wait document again, with the call's parameters.
    let effects = w.tick_at(BACKGROUND_PLAY_SECS);
    let [SimEffect::FetchTwiml { call_sid, url, method, params, .. }] = &effects[..] else { panic!("expected one fetch: {effects:?}") };
    assert_eq!((call_sid, url, method.as_str()), (&customer, &wait_url(), "POST"));
    assert_eq!(get(params, "CallSid"), Some(customer.as_str()));
    assert_eq!(get(params, "From"), Some(CUSTOMER));
    assert_eq!(get(params, "To"), Some(NUMBER));
    assert_eq!(get(params, "CallStatus"), Some("in-progress"));
    let heard = w.call(&customer).hearing;
    assert_eq!(
        heard[heard.len() - 4..],
        [
            "Say: You are caller number 2.".to_string(),
            format!("Play: {MUSIC}"),
            "Say: You are caller number 1.".to_string(),
            format!("Play: {MUSIC}"),
        ],
        "{heard:?}"
    );
    assert_eq!(w.room(&customer).status, ConferenceStatus::Waiting);

    // And again after the next stretch of music, counted from the new document.
    assert!(w.tick_at(2 * BACKGROUND_PLAY_SECS - 1).is_empty());
    assert_eq!(fetches(&w.tick_at(2 * BACKGROUND_PLAY_SECS)), vec![(wait_url(), "POST".to_string())]);
}

#[test]
fn every_finite_verb_before_a_redirect_takes_its_time_and_a_looping_play_never_ends() {
    let mut w = World::new();
    let next = format!("{BASE}/next-wait");
    w.serve(
        &wait_url(),
        &format!(
            "<Response><Say>Hello.</Say><Play loop=\"2\">{MUSIC}</Play><Pause length=\"3\"/>\
             <Redirect method=\"GET\">{next}</Redirect><Say>never reached</Say></Response>"
        ),
    );
    w.serve(&next, &format!("<Response><Say>Still waiting.</Say><Play loop=\"0\">{MUSIC}</Play><Redirect>{next}</Redirect></Response>"));
    let customer = w.customer_calls();
    assert_eq!(w.hearing(&customer), "silence (3 s)");
    assert!(!w.call(&customer).hearing.iter().any(|h| h.contains("never reached")));

    // Two loops of music and the pause: 2 × 7 + 3 seconds.
    let due = 2 * BACKGROUND_PLAY_SECS + 3;
    assert!(w.tick_at(due - 1).is_empty());
    assert_eq!(fetches(&w.tick_at(due)), vec![(next.clone(), "GET".to_string())]);
    assert_eq!(w.hearing(&customer), format!("Play: {MUSIC} (looping)"));

    // Endless music: the redirect after it is never followed.
    assert!(fetches(&w.tick_at(due + 3600)).is_empty());
    assert_eq!(w.hearing(&customer), format!("Play: {MUSIC} (looping)"));
}

#[test]
fn a_wait_redirect_is_not_followed_once_the_conference_has_started_or_the_caller_has_left() {
    // An agent joins before the music is over: the conference starts and the wait is over.
    let mut w = World::new();
    w.serve(&wait_url(), &position_document(1));
    let customer = w.customer_calls();
    let agent1 = w.dial(&customer, "agent1");
    w.at(1);
    w.answer(&agent1);
    assert_eq!(w.room(&customer).status, ConferenceStatus::InProgress);
    for secs in [BACKGROUND_PLAY_SECS, 10 * BACKGROUND_PLAY_SECS] {
        assert!(fetches(&w.tick_at(secs)).is_empty());
    }
    assert_eq!(w.hearing(&customer), "conference with agent1");
    assert_eq!(w.call(&customer).hearing.iter().filter(|h| h.starts_with("Say: You are caller")).count(), 1);

    // The customer hangs up while waiting: nothing is fetched for the ended call.
    let mut w = World::new();
    w.serve(&wait_url(), &position_document(1));
    let customer = w.customer_calls();
    w.at(2);
    w.hangup(&customer);
    assert!(w.tick_at(BACKGROUND_PLAY_SECS).is_empty());
    assert_eq!(w.call(&customer).status, CallStatus::Completed);
}

#[test]
fn a_hold_document_ending_in_a_redirect_is_fetched_again_only_while_held() {
    let (mut w, customer, agent1) = World::customer_with_agent1();
    let room = w.room(&customer).sid;
    let hold_url = format!("{BASE}/hold");
    w.serve(
        &hold_url,
        &format!("<Response><Say>Please hold.</Say><Play>{MUSIC}</Play><Redirect method=\"GET\">{hold_url}</Redirect></Response>"),
    );
    let hold = |hold: bool| ParticipantUpdate { hold: Some(hold), hold_url: Some(hold_url.clone()), ..Default::default() };

    w.at(10);
    w.engine.update_participant(room.as_str(), customer.as_str(), hold(true), w.now).unwrap();
    let effects = w.pump();
    assert_eq!(fetches(&effects), vec![(hold_url.clone(), "GET".to_string())]);
    let heard = w.call(&customer).hearing;
    assert_eq!(heard[heard.len() - 2..], ["Say: Please hold.".to_string(), format!("Play: {MUSIC}")], "{heard:?}");
    assert_eq!(w.hearing(&agent1), "conference: nobody else");

    assert!(w.tick_at(10 + BACKGROUND_PLAY_SECS - 1).is_empty());
    let effects = w.tick_at(10 + BACKGROUND_PLAY_SECS);
    assert_eq!(fetches(&effects), vec![(hold_url.clone(), "GET".to_string())]);
    assert_eq!(w.call(&customer).hearing.iter().filter(|h| *h == "Say: Please hold.").count(), 2);
    assert_eq!(w.hearing(&customer), format!("Play: {MUSIC}"));

    // Unheld before the next redirect is due: the hold document is not fetched again.
    w.at(10 + BACKGROUND_PLAY_SECS + 1);
    w.engine
        .update_participant(room.as_str(), customer.as_str(), ParticipantUpdate { hold: Some(false), ..Default::default() }, w.now)
        .unwrap();
    w.pump();
    assert_eq!(w.hearing(&customer), "conference with agent1");
    for secs in [2 * BACKGROUND_PLAY_SECS + 10, 10 * BACKGROUND_PLAY_SECS] {
        assert!(fetches(&w.tick_at(secs)).is_empty());
    }
    assert_eq!(w.hearing(&customer), "conference with agent1");
    assert_eq!(w.call(&customer).hearing.iter().filter(|h| *h == "Say: Please hold.").count(), 2);
}

#[test]
fn a_redirect_in_a_calls_own_document_fetches_the_new_document_and_runs_it_instead_of_the_rest() {
    // An answered outbound call.
    let mut w = World::new();
    let (first, second) = (format!("{BASE}/first"), format!("{BASE}/second"));
    w.serve(&first, &format!("<Response><Say>One moment.</Say><Redirect method=\"GET\">{second}</Redirect><Hangup/></Response>"));
    w.serve(&second, "<Response><Say>Connecting you.</Say><Dial><Conference>room</Conference></Dial></Response>");
    let agent = w
        .engine
        .create_call(OutboundCall { from: NUMBER.into(), to: "client:agent1".into(), url: first.clone(), ..Default::default() }, w.now)
        .unwrap();
    w.pump();
    let effects = w.answer(&agent);
    assert_eq!(fetches(&effects), vec![(first.clone(), "POST".to_string()), (second.clone(), "GET".to_string())]);
    let Some(SimEffect::FetchTwiml { params, .. }) = effects.iter().filter(|e| matches!(e, SimEffect::FetchTwiml { .. })).nth(1) else {
        panic!()
    };
    assert_eq!(get(params, "CallSid"), Some(agent.as_str()));
    assert_eq!(get(params, "CallStatus"), Some("in-progress"));
    let call = w.call(&agent);
    assert_eq!(call.status, CallStatus::InProgress, "the <Hangup> after the redirect is never reached");
    assert!(call.hearing.contains(&"Say: One moment.".to_string()), "{:?}", call.hearing);
    assert!(call.hearing.contains(&"Say: Connecting you.".to_string()), "{:?}", call.hearing);
    assert_eq!(call.conference_sid, Some(w.engine.find_conferences(Some("room"), None)[0].sid.clone()));

    // A customer's first document redirects: the call is answered and runs the app's document.
    let mut w = World::new();
    let voice = format!("{BASE}/conference/connect/client");
    w.serve(&voice, &format!("<Response><Redirect>{first}</Redirect></Response>"));
    w.serve(&first, "<Response><Say>Welcome.</Say></Response>");
    let customer = w.customer_calls();
    assert_eq!(fetches(&w.log), vec![(voice, "POST".to_string()), (first, "POST".to_string())]);
    let call = w.call(&customer);
    assert!(call.hearing.contains(&"Say: Welcome.".to_string()), "{:?}", call.hearing);
    assert_eq!(call.status, CallStatus::Completed, "the new document ended, so the call did");
    assert!(call.start_time.is_some());
}

/// The tutorial's wait document (message, then endless music): what these engine tests were
/// written against; the app's own document (place in line, music, redirect) has its own tests.
fn looping_wait(s: &warm_transfer::config::Settings) -> warm_transfer::twilio::twiml::Response {
    warm_transfer::twilio::twiml::Response::new().say(flow::WAIT_MESSAGE).play(s.wait_music_url.clone(), Some(0))
}

// ---- a supervisor on the call: who hears whom ------------------------------------------------

/// supervisor1 added to the call's conference as the app adds a listener, and answering.
fn with_listener(w: &mut World, customer: &CallSid) -> CallSid {
    let supervisor = warm_transfer::ids::AgentId::parse("supervisor1").unwrap();
    let add = flow::monitor_participant(&w.settings, customer, &supervisor, 2);
    let conference = w.room(customer).sid.to_string();
    let req = NewParticipant {
        from: add.from,
        to: add.to,
        label: add.label,
        start_conference_on_enter: add.start_conference_on_enter,
        end_conference_on_exit: add.end_conference_on_exit,
        muted: add.muted,
        beep: add.beep,
        status_callback: add.status_callback,
        status_callback_event: add.status_callback_event,
        timeout_secs: add.timeout_secs,
        ..NewParticipant::default()
    };
    let p = w.engine.add_participant(&conference, req, w.now).unwrap();
    w.pump();
    w.answer(&p.call_sid);
    p.call_sid
}

fn mode(w: &mut World, customer: &CallSid, m: warm_transfer::center::MonitorMode, coach: Option<&CallSid>) -> Result<(), SimError> {
    let u = flow::monitor_update(m, coach);
    let conference = w.room(customer).sid.to_string();
    let update = ParticipantUpdate { muted: u.muted, coaching: u.coaching, call_sid_to_coach: u.call_sid_to_coach, ..Default::default() };
    w.engine.update_participant(&conference, "supervisor1", update, w.now)?;
    w.pump();
    Ok(())
}

#[test]
fn a_listener_hears_everyone_is_heard_by_no_one_and_joins_and_leaves_without_a_beep() {
    use warm_transfer::center::MonitorMode;
    let (mut w, customer, agent1) = World::customer_with_agent1();
    w.at(10);
    let sup = with_listener(&mut w, &customer);
    assert_eq!(w.hearing(&sup), format!("conference with {CUSTOMER}, agent1"));
    assert_eq!(w.hearing(&customer), "conference with agent1");
    assert_eq!(w.hearing(&agent1), format!("conference with {CUSTOMER}"));

    // Whisper: only agent1 hears the supervisor.
    mode(&mut w, &customer, MonitorMode::Whisper, Some(&agent1)).unwrap();
    assert_eq!(w.hearing(&agent1), format!("conference with {CUSTOMER}, supervisor1 (coaching)"));
    assert_eq!(w.hearing(&customer), "conference with agent1");
    let room = w.room(&customer);
    assert_eq!(room.labelled("supervisor1").unwrap().coaching.as_ref(), Some(&agent1));

    // Barge: everyone hears them.
    mode(&mut w, &customer, MonitorMode::Barge, None).unwrap();
    assert_eq!(w.hearing(&customer), "conference with agent1, supervisor1");
    assert_eq!(w.hearing(&agent1), format!("conference with {CUSTOMER}, supervisor1"));

    // Leaving: removed by label.
    let conference = w.room(&customer).sid.to_string();
    w.engine.remove_participant(&conference, "supervisor1", w.now).unwrap();
    w.pump();
    assert_eq!(w.hearing(&customer), "conference with agent1");
    // agent1 joined with Twilio's default beep; the supervisor never beeped.
    assert_eq!(w.call(&customer).beeps, ["agent1 joined"]);
    assert!(w.call(&agent1).beeps.is_empty(), "{:?}", w.call(&agent1).beeps);
}

#[test]
fn coaching_an_agent_on_hold_is_16027_and_one_not_in_the_conference_16028_changing_nothing() {
    use warm_transfer::center::MonitorMode;
    let (mut w, customer, agent1) = World::customer_with_agent1();
    let _sup = with_listener(&mut w, &customer);
    let conference = w.room(&customer).sid.to_string();
    w.engine.update_participant(&conference, "agent1", ParticipantUpdate { hold: Some(true), ..Default::default() }, w.now).unwrap();
    w.pump();
    let refused = mode(&mut w, &customer, MonitorMode::Whisper, Some(&agent1)).unwrap_err();
    assert!(matches!(refused, SimError::CoachOnHold(_)), "{refused:?}");
    let room = w.room(&customer);
    let sup = room.labelled("supervisor1").unwrap();
    assert!(sup.muted && sup.coaching.is_none(), "a refused request changes nothing");

    let gone = CallSid::parse(&format!("CA{:032x}", 77)).unwrap();
    let refused = mode(&mut w, &customer, MonitorMode::Whisper, Some(&gone)).unwrap_err();
    assert!(matches!(refused, SimError::CoachNotInConference(_)), "{refused:?}");
}

#[test]
fn a_conference_holds_250_participants_and_refuses_the_next_with_16020() {
    let (mut w, customer, _agent1) = World::customer_with_agent1();
    let conference = w.room(&customer).sid.to_string();
    for n in 2..250 {
        let req = NewParticipant { from: NUMBER.into(), to: format!("+1555000{n:04}"), ..NewParticipant::default() };
        w.engine.add_participant(&conference, req, w.now).unwrap();
    }
    let req = NewParticipant { from: NUMBER.into(), to: "+15559990000".into(), ..NewParticipant::default() };
    let refused = w.engine.add_participant(&conference, req, w.now).unwrap_err();
    assert!(matches!(refused, SimError::ConferenceFull(_, 250)), "{refused:?}");
}
