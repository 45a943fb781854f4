//! What opening hours, voicemail, a menu and callbacks need from the simulator, through its REST
//! API and driver, with a small local app standing in for the product's webhooks: calls moved with
//! `Url`/`Twiml`, `<Record>` and the recordings it leaves, `<Gather>`, Twilio's 13238 for a wait
//! document that gathers, and numbers held by `/phone` pages.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::IntoResponse;

use crate::common::{ACCOUNT_SID, API_KEY, API_SECRET, AUTH_TOKEN, NUMBER};
use crate::simulator_flow::{eventually, start_simulator};
use warm_transfer::ids::CallSid;
use warm_transfer::simulator::driver::VOICE_PATH;
use warm_transfer::simulator::engine::{CallStatus, CallView, ConferenceStatus, ListeningView};
use warm_transfer::simulator::{SimEvent, Simulator};
use warm_transfer::twilio::signature;

type Params = Vec<(String, String)>;

const CUSTOMER: &str = "+15551230000";

/// The product's webhooks, played by a local app: documents by path (others answer 204), and
/// every request kept with its parameters and whether its `X-Twilio-Signature` is right.
#[derive(Clone, Default)]
struct Webhooks {
    base: String,
    documents: Arc<Mutex<HashMap<String, String>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

#[derive(Debug, Clone)]
struct Seen {
    path: String,
    params: Params,
    signed: bool,
}

impl Webhooks {
    async fn start() -> Webhooks {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let app = Webhooks { base: format!("http://{}", listener.local_addr().unwrap()), ..Webhooks::default() };
        let router = axum::Router::new().fallback(answer).with_state(app.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        app
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Serves `xml` at `path`; `{app}` in it stands for this app's base URL.
    fn serve(&self, path: &str, xml: &str) {
        self.documents.lock().unwrap().insert(path.to_string(), xml.replace("{app}", &self.base));
    }

    fn seen(&self, path: &str) -> Vec<Seen> {
        self.seen.lock().unwrap().iter().filter(|s| s.path == path).cloned().collect()
    }

    /// Waits for the first request to `path`.
    async fn first(&self, path: &str) -> Seen {
        eventually(&format!("a request to {path}"), || async { self.seen(path).into_iter().next() }).await
    }
}

async fn answer(State(app): State<Webhooks>, method: Method, uri: Uri, headers: HeaderMap, body: String) -> axum::response::Response {
    let path = uri.path().to_string();
    let (params, signed_url): (Params, String) = if method == Method::GET {
        let query = uri.query().unwrap_or_default();
        (form_urlencoded::parse(query.as_bytes()).into_owned().collect(), format!("{}{path}?{query}", app.base))
    } else {
        (form_urlencoded::parse(body.as_bytes()).into_owned().collect(), app.url(&path))
    };
    let signing: &[(String, String)] = if method == Method::GET { &[] } else { &params };
    let expected = signature::compute(AUTH_TOKEN, &signed_url, signing);
    let signed = headers.get("x-twilio-signature").and_then(|v| v.to_str().ok()) == Some(expected.as_str());
    app.seen.lock().unwrap().push(Seen { path: path.clone(), params, signed });
    match app.documents.lock().unwrap().get(&path).cloned() {
        Some(xml) => ([("content-type", "text/xml")], xml).into_response(),
        None => axum::http::StatusCode::NO_CONTENT.into_response(),
    }
}

fn param<'a>(s: &'a Seen, name: &str) -> Option<&'a str> {
    s.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn call_of(sim: &Simulator, sid: &CallSid) -> CallView {
    sim.snapshot().calls.into_iter().find(|c| &c.call_sid == sid).expect("the call is listed")
}

async fn until_call(sim: &Simulator, sid: &CallSid, what: &str, check: impl Fn(&CallView) -> bool) -> CallView {
    eventually(what, || async {
        sim.settle().await;
        let call = call_of(sim, sid);
        check(&call).then_some(call)
    })
    .await
}

/// The simulator's REST API with the account's credentials.
struct Rest {
    http: reqwest::Client,
    base: String,
}

impl Rest {
    fn new(base: &str) -> Rest {
        Rest { http: reqwest::Client::new(), base: base.to_string() }
    }

    fn account_url(&self, rest: &str) -> String {
        format!("{}/2010-04-01/Accounts/{ACCOUNT_SID}/{rest}", self.base)
    }

    async fn update_call(&self, sid: &str, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
        let res = self
            .http
            .post(self.account_url(&format!("Calls/{sid}.json")))
            .basic_auth(API_KEY, Some(API_SECRET))
            .form(form)
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.json().await.unwrap())
    }
}

// ---- moving a live call -------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_call_is_moved_by_url_or_twiml_leaving_its_conference_and_a_ringing_one_is_refused() {
    let app = Webhooks::start().await;
    let (sim, base) = start_simulator(&app.base).await;
    let rest = Rest::new(&base);
    app.serve(
        VOICE_PATH,
        "<Response><Dial><Conference startConferenceOnEnter=\"false\" endConferenceOnExit=\"true\" \
         statusCallback=\"{app}/events\" statusCallbackEvent=\"start end join leave\">room</Conference></Dial></Response>",
    );
    app.serve("/closed", "<Response><Say>We are closed.</Say><Gather numDigits=\"1\" action=\"{app}/choice\" timeout=\"60\"/></Response>");

    let customer = sim.place_customer_call(CUSTOMER);
    let waiting = until_call(&sim, &customer, "the customer in the room", |c| c.conference_sid.is_some()).await;
    let room = waiting.conference_sid.unwrap();

    let closed = app.url("/closed");
    let (status, body) = rest.update_call(customer.as_str(), &[("Url", closed.as_str()), ("Method", "POST")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["sid"], customer.as_str());
    let fetched = app.first("/closed").await;
    assert!(fetched.signed);
    assert_eq!(param(&fetched, "CallSid"), Some(customer.as_str()));
    assert_eq!(param(&fetched, "CallStatus"), Some("in-progress"));
    let moved = until_call(&sim, &customer, "the customer at the menu", |c| c.listening.is_some()).await;
    assert!(moved.hearing.contains(&"Say: We are closed.".to_string()));
    assert_eq!(moved.conference_sid, None);
    let conference = sim.snapshot().conferences.into_iter().find(|c| c.sid == room).unwrap();
    assert_eq!(conference.status, ConferenceStatus::Completed);
    let events: Vec<String> = eventually("the conference events", || async { Some(app.seen("/events")).filter(|e| e.len() >= 3) })
        .await
        .iter()
        .map(|s| param(s, "StatusCallbackEvent").unwrap().to_string())
        .collect();
    assert_eq!(events, ["participant-join", "participant-leave", "conference-end"]);

    // Twiml runs at once; Url wins over Twiml when both are given.
    let (status, _) = rest
        .update_call(
            customer.as_str(),
            &[("Twiml", "<Response><Say>Inline.</Say><Play loop=\"0\">https://m.example/a.mp3</Play></Response>")],
        )
        .await;
    assert_eq!(status, 200);
    let inline = until_call(&sim, &customer, "the inline TwiML", |c| c.hearing.contains(&"Say: Inline.".to_string())).await;
    assert!(inline.listening.is_none(), "the Gather was abandoned");
    assert!(app.seen("/choice").is_empty());

    // Back into a room of the same name: a new one, since the old one ended.
    let back = "<Response><Dial><Conference>room</Conference></Dial></Response>";
    rest.update_call(customer.as_str(), &[("Twiml", back)]).await;
    let rejoined = until_call(&sim, &customer, "the customer in a room again", |c| c.conference_sid.is_some()).await;
    assert_ne!(rejoined.conference_sid, Some(room));

    // A ringing call cannot be moved; an unknown one is 404.
    let ringing = sim
        .apply(|e, now| {
            e.create_call(
                warm_transfer::simulator::engine::OutboundCall {
                    to: "client:agent1".into(),
                    from: NUMBER.into(),
                    url: app.url("/agent"),
                    ..Default::default()
                },
                now,
            )
        })
        .unwrap();
    let (status, body) = rest.update_call(ringing.as_str(), &[("Url", closed.as_str())]).await;
    assert_eq!((status, body["code"].as_u64()), (400, Some(21220)), "{body}");
    assert_eq!(body["message"], "Call is not in-progress. Cannot redirect.");
    let unknown = format!("CA{:032x}", 12345);
    let (status, body) = rest.update_call(&unknown, &[("Url", closed.as_str())]).await;
    assert_eq!((status, body["code"].as_u64()), (404, Some(20404)));
}

// ---- voicemail ------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voicemail_is_recorded_its_action_and_callbacks_are_signed_and_the_recording_is_served() {
    let app = Webhooks::start().await;
    let (sim, base) = start_simulator(&app.base).await;
    app.serve(
        VOICE_PATH,
        "<Response><Say>Leave a message after the beep.</Say><Record action=\"{app}/saved\" maxLength=\"120\" finishOnKey=\"#\" \
         recordingStatusCallback=\"{app}/recorded\" transcribe=\"true\" transcribeCallback=\"{app}/transcribed\"/></Response>",
    );
    app.serve("/saved", "<Response><Say>Thank you.</Say><Hangup/></Response>");

    let customer = sim.place_customer_call(CUSTOMER);
    let recording = until_call(&sim, &customer, "the recording", |c| matches!(c.listening, Some(ListeningView::Record { .. }))).await;
    assert_eq!(recording.now_hearing, "beep (recording)");
    let message = "Please call me back tomorrow morning about my broken router.";
    sim.speak(&customer, message).unwrap();
    sim.send_digits(&customer, "#").unwrap();

    let saved = app.first("/saved").await;
    let recorded = app.first("/recorded").await;
    let transcribed = app.first("/transcribed").await;
    assert!(saved.signed && recorded.signed && transcribed.signed, "every request is signed");
    let re = param(&saved, "RecordingSid").unwrap().to_string();
    let url = format!("{base}/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{re}");
    assert_eq!(param(&saved, "RecordingUrl"), Some(url.as_str()));
    assert_eq!(param(&saved, "RecordingDuration"), Some("4"));
    assert_eq!(param(&saved, "Digits"), Some("#"));
    assert_eq!((param(&recorded, "RecordingStatus"), param(&recorded, "RecordingSid")), (Some("completed"), Some(re.as_str())));
    assert_eq!(param(&transcribed, "TranscriptionText"), Some(message));
    assert_eq!(param(&transcribed, "TranscriptionStatus"), Some("completed"));
    let done = until_call(&sim, &customer, "the call to end", |c| c.status == CallStatus::Completed).await;
    assert!(done.hearing.contains(&"Say: Thank you.".to_string()));

    // The recording over REST, with the account's credentials.
    let http = reqwest::Client::new();
    let wav = http.get(format!("{url}.wav")).basic_auth(ACCOUNT_SID, Some(AUTH_TOKEN)).send().await.unwrap();
    assert_eq!(wav.status(), 200);
    assert_eq!(wav.headers()["content-type"], "audio/x-wav");
    let bytes = wav.bytes().await.unwrap();
    assert!(bytes.starts_with(b"RIFF") && bytes.len() > 44 && bytes.len() < 40_000, "{}", bytes.len());
    let mp3 = http.get(format!("{url}.mp3")).basic_auth(API_KEY, Some(API_SECRET)).send().await.unwrap();
    assert_eq!(mp3.headers()["content-type"], "audio/mpeg");
    let json: serde_json::Value =
        http.get(format!("{url}.json")).basic_auth(API_KEY, Some(API_SECRET)).send().await.unwrap().json().await.unwrap();
    assert_eq!((json["sid"].as_str(), json["call_sid"].as_str()), (Some(re.as_str()), Some(customer.as_str())));
    assert_eq!((json["duration"].as_str(), json["status"].as_str()), (Some("4"), Some("completed")));
    let listed: serde_json::Value = http
        .get(format!("{base}/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings.json?CallSid={customer}"))
        .basic_auth(API_KEY, Some(API_SECRET))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["recordings"][0]["sid"], re.as_str());
    assert_eq!(http.get(format!("{url}.wav")).send().await.unwrap().status(), 401);

    let deleted = http.delete(format!("{url}.json")).basic_auth(API_KEY, Some(API_SECRET)).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    let gone = http.get(format!("{url}.wav")).basic_auth(API_KEY, Some(API_SECRET)).send().await.unwrap();
    assert_eq!(gone.status(), 404);
    assert_eq!(gone.json::<serde_json::Value>().await.unwrap()["code"], 20404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hanging_up_on_a_voicemail_still_posts_the_action_with_digits_hangup() {
    let app = Webhooks::start().await;
    let (sim, _base) = start_simulator(&app.base).await;
    app.serve(VOICE_PATH, "<Response><Record action=\"{app}/saved\"/></Response>");
    app.serve("/saved", "<Response><Say>Never heard.</Say></Response>");
    let customer = sim.place_customer_call(CUSTOMER);
    until_call(&sim, &customer, "the recording", |c| c.listening.is_some()).await;
    sim.speak(&customer, "Bye.").unwrap();
    sim.hangup(&customer).unwrap();
    let saved = app.first("/saved").await;
    assert_eq!((param(&saved, "Digits"), param(&saved, "CallStatus")), (Some("hangup"), Some("completed")));
    sim.settle().await;
    assert!(!call_of(&sim, &customer).hearing.contains(&"Say: Never heard.".to_string()));
}

// ---- a menu ----------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_menu_takes_digits_then_speech_and_falls_through_on_its_simulated_timeout() {
    let app = Webhooks::start().await;
    let (sim, _base) = start_simulator(&app.base).await;
    app.serve(VOICE_PATH, "<Response><Gather numDigits=\"1\" action=\"{app}/choice\"><Say>Press 1 for sales.</Say></Gather></Response>");
    app.serve("/choice", "<Response><Gather input=\"speech\" action=\"{app}/said\"><Say>Say what it is about.</Say></Gather></Response>");
    app.serve("/said", "<Response><Say>Thanks.</Say><Hangup/></Response>");

    let customer = sim.place_customer_call(CUSTOMER);
    until_call(&sim, &customer, "the menu", |c| c.listening.is_some()).await;
    sim.send_digits(&customer, "1").unwrap();
    let choice = app.first("/choice").await;
    assert!(choice.signed);
    assert_eq!(param(&choice, "Digits"), Some("1"));
    until_call(&sim, &customer, "the speech menu", |c| matches!(c.listening, Some(ListeningView::Gather { speech: true, .. }))).await;
    sim.speak(&customer, "my invoice").unwrap();
    let said = app.first("/said").await;
    assert_eq!((param(&said, "SpeechResult"), param(&said, "Confidence")), (Some("my invoice"), Some("0.9")));
    until_call(&sim, &customer, "the call to end", |c| c.status == CallStatus::Completed).await;

    // Nothing pressed: after its timeout (the driver's ticks), the verb after the Gather.
    app.serve(VOICE_PATH, "<Response><Gather timeout=\"1\" action=\"{app}/choice\"/><Say>Nothing pressed.</Say></Response>");
    let second = sim.place_customer_call(CUSTOMER);
    let done = until_call(&sim, &second, "the fall-through", |c| c.status == CallStatus::Completed).await;
    assert!(done.hearing.contains(&"Say: Nothing pressed.".to_string()));
    assert_eq!(app.seen("/choice").len(), 1, "no action without input");
}

// ---- 13238 ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_document_with_a_gather_is_twilios_13238_and_the_caller_waits_on_in_silence() {
    let app = Webhooks::start().await;
    let (sim, _base) = start_simulator(&app.base).await;
    let mut events = sim.subscribe();
    app.serve(
        VOICE_PATH,
        "<Response><Dial><Conference startConferenceOnEnter=\"false\" waitUrl=\"{app}/wait\">room</Conference></Dial></Response>",
    );
    app.serve("/wait", "<Response><Gather numDigits=\"1\"><Say>Press 1 for a callback.</Say></Gather></Response>");
    let customer = sim.place_customer_call(CUSTOMER);
    let code = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let SimEvent::Warning { call_sid, code: Some(code), .. } = events.recv().await.unwrap() {
                assert_eq!(call_sid.as_ref(), Some(&customer));
                break code;
            }
        }
    })
    .await
    .expect("a 13238 warning");
    assert_eq!(code, 13238);
    let call = until_call(&sim, &customer, "silence", |c| c.now_hearing == "silence").await;
    assert_eq!(call.status, CallStatus::InProgress);
    assert!(call.conference_sid.is_some(), "still waiting in the room");
    assert!(sim.snapshot().notifications.iter().any(|n| n.code == Some(13238)));
}

// ---- a number held by a /phone page ------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_to_a_number_held_by_a_phone_page_rings_there_until_answered_or_declined() {
    let app = Webhooks::start().await;
    let (sim, base) = start_simulator(&app.base).await;
    app.serve("/callback", "<Response><Say>This is your callback.</Say><Play loop=\"0\">https://m.example/a.mp3</Play></Response>");
    let page = "+15551234567";
    assert!(sim.hold_number(page).unwrap().is_empty());
    let twilio = crate::simulator_flow::client(&base, API_KEY, API_SECRET);
    let dial = || warm_transfer::twilio::rest::CreateCall {
        to: page.into(),
        from: NUMBER.into(),
        url: app.url("/callback"),
        timeout_secs: Some(20),
        ..Default::default()
    };
    let call = CallSid::parse(&twilio.create_call(&dial()).await.unwrap().sid).unwrap();
    let ringing = sim.hold_number(page).unwrap();
    assert_eq!(ringing.len(), 1);
    assert_eq!((ringing[0].call_sid.clone(), ringing[0].from.as_str()), (call.clone(), NUMBER));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(call_of(&sim, &call).status, CallStatus::Ringing, "no auto-answer after the phone book's ring");
    sim.answer(&call).unwrap();
    let answered =
        until_call(&sim, &call, "the callback document", |c| c.hearing.contains(&"Say: This is your callback.".to_string())).await;
    assert_eq!(answered.status, CallStatus::InProgress);

    let declined = CallSid::parse(&twilio.create_call(&dial()).await.unwrap().sid).unwrap();
    sim.reject(&declined).unwrap();
    assert_eq!(call_of(&sim, &declined).status, CallStatus::Busy);

    // Released: the phone book again (this number answers by itself).
    sim.release_number(page);
    let other = CallSid::parse(&twilio.create_call(&dial()).await.unwrap().sid).unwrap();
    until_call(&sim, &other, "the auto-answer", |c| c.status == CallStatus::InProgress).await;
}
