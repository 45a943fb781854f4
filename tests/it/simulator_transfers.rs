//! What transfers need from the simulator, over HTTP with the app's own REST client: outside
//! phone numbers from the phone book, Twilio's hold quirk, hold documents, and REST requests made
//! to fail on purpose.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::Form;

use crate::common::{ACCOUNT_SID, API_KEY, API_SECRET, NUMBER};
use crate::simulator_flow::{api_error, client, eventually, start_simulator};
use warm_transfer::config::Secret;
use warm_transfer::ids::CallSid;
use warm_transfer::simulator::engine::phone_book::{BUSY, NO_ANSWER, UNREACHABLE};
use warm_transfer::simulator::engine::{CallStatus, CallView, ConferenceStatus};
use warm_transfer::simulator::{Fault, FaultRule, SimEvent, Simulator};
use warm_transfer::twilio::rest::{AddParticipant, CreateCall, RestConfig, RestError, TwilioClient, UpdateParticipant};

const OUTSIDE: &str = "+447700900123";

type Params = Vec<(String, String)>;

/// A stand-in for the app's webhooks: `/outside` puts the callee in `room` (and says goodbye
/// after), `/hold` is a hold document; every request's parameters are kept, by path.
#[derive(Clone, Default)]
struct App {
    seen: Arc<Mutex<Vec<(String, Params)>>>,
}

impl App {
    async fn start() -> (App, String) {
        let app = App::default();
        let router = axum::Router::new()
            .route(
                "/outside",
                post(|State(app): State<App>, Form(p): Form<Params>| async move {
                    app.keep("/outside", p);
                    twiml("<Response><Dial><Conference participantLabel=\"outside\">room</Conference></Dial><Say>Goodbye.</Say></Response>")
                }),
            )
            .route(
                "/hold",
                get(|State(app): State<App>, Query(p): Query<Params>| async move {
                    app.keep("/hold", p);
                    twiml("<Response><Say>Please hold.</Say><Play loop=\"0\">https://music.example/hold.mp3</Play></Response>")
                }),
            )
            .route(
                "/status",
                post(|State(app): State<App>, Form(p): Form<Params>| async move {
                    app.keep("/status", p);
                    axum::http::StatusCode::NO_CONTENT
                }),
            )
            .with_state(app.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        (app, base)
    }

    fn keep(&self, path: &str, params: Params) {
        self.seen.lock().unwrap().push((path.to_string(), params));
    }

    fn seen(&self, path: &str) -> Vec<Params> {
        self.seen.lock().unwrap().iter().filter(|(p, _)| p == path).map(|(_, params)| params.clone()).collect()
    }
}

fn twiml(xml: &'static str) -> ([(&'static str, &'static str); 1], &'static str) {
    ([("content-type", "text/xml")], xml)
}

fn get_param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn dial(to: &str, app: &str) -> CreateCall {
    CreateCall {
        to: to.into(),
        from: NUMBER.into(),
        url: format!("{app}/outside"),
        method: Some("POST".into()),
        timeout_secs: Some(5),
        status_callback: Some(format!("{app}/status")),
        status_callback_event: ["initiated", "ringing", "answered", "completed"].map(String::from).to_vec(),
        ..Default::default()
    }
}

fn call_of(sim: &Simulator, sid: &str) -> CallView {
    sim.snapshot().calls.into_iter().find(|c| c.call_sid.as_str() == sid).expect("the call is listed")
}

async fn until_status(sim: &Simulator, sid: &str, status: CallStatus) -> CallView {
    eventually(&format!("{sid} to be {}", status.as_str()), || async {
        sim.settle().await;
        let call = call_of(sim, sid);
        (call.status == status).then_some(call)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_numbers_answer_are_busy_never_answer_or_fail_by_the_phone_book() {
    let (app, app_url) = App::start().await;
    let (sim, base) = start_simulator(&app_url).await;
    let twilio = client(&base, API_KEY, API_SECRET);

    // Any other number answers by itself, runs its Url's TwiML, and stays until hung up.
    let outside = twilio.create_call(&dial(OUTSIDE, &app_url)).await.unwrap();
    assert_eq!(outside.to.as_deref(), Some(OUTSIDE));
    until_status(&sim, &outside.sid, CallStatus::InProgress).await;
    // Answered first, then its document is fetched and run: the room follows a moment later.
    let call = eventually("the answered number to join its room", || async {
        sim.settle().await;
        Some(call_of(&sim, &outside.sid)).filter(|c| c.conference_sid.is_some())
    })
    .await;
    assert!(call.conference_sid.is_some(), "it joined the room its document names");
    assert_eq!(get_param(&app.seen("/outside")[0], "To"), Some(OUTSIDE));
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(call_of(&sim, &outside.sid).status, CallStatus::InProgress, "an answered number does not hang up by itself");
    twilio.hang_up_call(&outside.sid).await.unwrap();
    until_status(&sim, &outside.sid, CallStatus::Completed).await;

    let busy = twilio.create_call(&dial(BUSY, &app_url)).await.unwrap();
    let failed = twilio.create_call(&dial(UNREACHABLE, &app_url)).await.unwrap();
    let no_answer = twilio.create_call(&dial(NO_ANSWER, &app_url)).await.unwrap();
    until_status(&sim, &failed.sid, CallStatus::Failed).await;
    until_status(&sim, &busy.sid, CallStatus::Busy).await;
    assert_eq!(call_of(&sim, &no_answer.sid).status, CallStatus::Ringing);
    let view = until_status(&sim, &no_answer.sid, CallStatus::NoAnswer).await;
    assert_eq!(view.to, NO_ANSWER);

    // The status callbacks have the same shape as a browser's.
    let progress = |sid: &str| -> Vec<(String, Option<String>)> {
        app.seen("/status")
            .iter()
            .filter(|p| get_param(p, "CallSid") == Some(sid))
            .map(|p| (get_param(p, "CallStatus").unwrap().to_string(), get_param(p, "CallDuration").map(str::to_string)))
            .collect()
    };
    let statuses = |sid: &str| progress(sid).into_iter().map(|(s, _)| s).collect::<Vec<_>>();
    sim.settle().await;
    assert_eq!(statuses(&outside.sid), ["initiated", "ringing", "in-progress", "completed"]);
    assert!(progress(&outside.sid)[3].1.as_deref().is_some_and(|d| d.parse::<u64>().is_ok()), "CallDuration on completed");
    assert_eq!(statuses(&busy.sid), ["initiated", "ringing", "busy"]);
    assert_eq!(statuses(&failed.sid), ["initiated", "failed"]);
    assert_eq!(statuses(&no_answer.sid), ["initiated", "ringing", "no-answer"]);
    for p in app.seen("/status") {
        for name in ["AccountSid", "From", "To", "Direction", "ApiVersion", "SequenceNumber", "Timestamp", "CallbackSource"] {
            assert!(get_param(&p, name).is_some(), "{name} missing from {p:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_to_that_is_neither_a_browser_nor_a_number_gets_twilios_21217() {
    let (sim, base) = start_simulator("http://127.0.0.1:9").await;
    let twilio = client(&base, API_KEY, API_SECRET);
    for bad in ["agent1", "5551230000", "+1 555 123 0000", "client:"] {
        let (status, code, message) = api_error(twilio.create_call(&dial(bad, "http://127.0.0.1:9")).await.unwrap_err());
        assert_eq!((status, code), (400, Some(21217)), "{bad}");
        assert!(message.contains("is not a valid phone number"), "{message}");
        let add = AddParticipant { from: NUMBER.into(), to: bad.into(), ..Default::default() };
        let (status, code, _) = api_error(twilio.add_participant("room", &add).await.unwrap_err());
        assert_eq!((status, code), (400, Some(21217)), "{bad}");
    }
    assert!(sim.snapshot().calls.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn end_conference_on_exit_changed_on_hold_is_ignored_over_the_rest_api_as_twilio_does() {
    let (app, app_url) = App::start().await;
    let (sim, base) = start_simulator(&app_url).await;
    let twilio = client(&base, API_KEY, API_SECRET);
    // Two outside numbers added to a room by name; they answer by themselves.
    let add = |label: &str, to: &str| AddParticipant {
        from: NUMBER.into(),
        to: to.into(),
        label: Some(label.into()),
        start_conference_on_enter: Some(true),
        end_conference_on_exit: Some(false),
        ..Default::default()
    };
    let customer = twilio.add_participant("room", &add("customer", "+15551230001")).await.unwrap();
    twilio.add_participant("room", &add("agent", "+15551230002")).await.unwrap();
    let room = eventually("the room to start", || async {
        sim.settle().await;
        sim.snapshot().conferences.into_iter().find(|c| c.status == ConferenceStatus::InProgress)
    })
    .await;

    // Held (by label, with a hold document fetched by GET with the call and the room).
    let hold = UpdateParticipant { hold: Some(true), hold_url: Some(format!("{app_url}/hold")), ..Default::default() };
    let held = twilio.update_participant(&room.sid.to_string(), "customer", &hold).await.unwrap();
    assert_eq!(held.hold, Some(true));
    let fetched = eventually("the hold document to be fetched", || async { app.seen("/hold").pop() }).await;
    assert_eq!(get_param(&fetched, "CallSid"), customer.call_sid.as_deref());
    assert_eq!(get_param(&fetched, "ConferenceSid"), Some(room.sid.as_str()));

    // The flag change answers 200 and changes nothing.
    let set = UpdateParticipant { end_conference_on_exit: Some(true), ..Default::default() };
    twilio.update_participant(room.sid.as_str(), "customer", &set).await.unwrap();
    let raw: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/2010-04-01/Accounts/{}/Conferences/{}/Participants/customer.json", ACCOUNT_SID, room.sid))
        .basic_auth(API_KEY, Some(API_SECRET))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(raw["end_conference_on_exit"], false);
    assert_eq!(raw["hold"], true);

    // The customer leaves: the room goes on.
    twilio.hang_up_call(customer.call_sid.as_deref().unwrap()).await.unwrap();
    sim.settle().await;
    let state = sim.snapshot();
    let room_now = state.conferences.iter().find(|c| c.sid == room.sid).unwrap();
    assert_eq!(room_now.status, ConferenceStatus::InProgress);
    assert_eq!(room_now.participants.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_errors_fail_the_next_matching_requests_unapplied_and_show_in_the_request_log() {
    let (sim, base) = start_simulator("http://127.0.0.1:9").await;
    let twilio = client(&base, API_KEY, API_SECRET);
    let mut events = sim.subscribe();
    let add = AddParticipant { from: NUMBER.into(), to: "client:agent1".into(), label: Some("agent1".into()), ..Default::default() };
    let added = twilio.add_participant("room", &add).await.unwrap();
    sim.answer(&CallSid::parse(added.call_sid.as_deref().unwrap()).unwrap()).unwrap();
    let room = added.conference_sid.unwrap();

    sim.fail_next(FaultRule::new("POST", "/Participants/", 2, Fault::Status(500)));
    let hold = UpdateParticipant { hold: Some(true), ..Default::default() };
    for _ in 0..2 {
        let err = twilio.update_participant(&room, "agent1", &hold).await.unwrap_err();
        assert!(err.is_retryable(), "{err:?}");
        let (status, code, message) = api_error(err);
        assert_eq!((status, code, message.as_str()), (500, Some(20500), "Internal Server Error"));
        assert!(!sim.snapshot().conferences[0].participants[0].on_hold, "not applied");
    }
    // Other requests pass meanwhile, and the third update goes through.
    assert!(twilio.find_live_conference("room").await.is_ok());
    assert_eq!(twilio.update_participant(&room, "agent1", &hold).await.unwrap().hold, Some(true));

    let log = sim.api_requests();
    let updates: Vec<_> = log.iter().filter(|r| r.method == "POST" && r.path.contains("/Participants/")).collect();
    assert_eq!(updates.len(), 3);
    assert!(updates[0].failed() && updates[1].failed() && !updates[2].failed());
    assert_eq!((updates[0].status, updates[0].fault.as_deref()), (Some(500), Some("injected HTTP 500")));
    assert_eq!(updates[2].status, Some(200));
    assert!(log.iter().filter(|r| !r.path.contains("/Participants/")).all(|r| !r.failed()), "{log:?}");
    let announced = loop {
        match events.recv().await.unwrap() {
            SimEvent::Request { kind: "api-fault", method, url, outcome } => break (method, url, outcome),
            _ => continue,
        }
    };
    assert_eq!((announced.0.as_str(), announced.2.as_str()), ("POST", "injected HTTP 500"));
    assert!(announced.1.ends_with("/Participants/agent1.json"), "{}", announced.1);

    // Any method, any path; cleared before it fires.
    sim.fail_next(FaultRule::new("*", "", 1, Fault::Status(503)));
    sim.clear_faults();
    assert!(twilio.find_live_conference("room").await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_injected_delay_runs_the_client_into_its_timeout_and_the_request_is_not_applied() {
    let (sim, base) = start_simulator("http://127.0.0.1:9").await;
    // The app's client, giving up well before the simulator would answer.
    let twilio = TwilioClient::new(RestConfig {
        base_url: base.clone(),
        account_sid: ACCOUNT_SID.into(),
        username: API_KEY.into(),
        password: Secret::new(API_SECRET),
        timeout: Duration::from_millis(300),
    });
    sim.fail_next(FaultRule::new("post", "/Calls.json", 1, Fault::Delay(Duration::from_millis(800))));

    let err = twilio.create_call(&dial("client:agent1", "http://127.0.0.1:9")).await.unwrap_err();
    assert!(matches!(err, RestError::Timeout), "{err:?}");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(sim.snapshot().calls.is_empty(), "the delayed request was dropped, not carried out late");
    let log = sim.api_requests();
    assert_eq!(log.len(), 1);
    assert!(log[0].failed());
    assert_eq!(log[0].fault.as_deref(), Some("injected delay of 800 ms, then dropped"));

    // Used up: the retry goes through.
    let call = twilio.create_call(&dial("client:agent1", "http://127.0.0.1:9")).await.unwrap();
    assert_eq!(call_of(&sim, &call.sid).status, CallStatus::Ringing);
}
