//! The simulator in the world: its REST API driven by the app's own REST client, and the whole
//! warm transfer run through the real server, with the simulator as Twilio.
use std::future::Future;
use std::time::Duration;

use crate::common::{password_of, settings_with, ACCOUNT_SID, API_KEY, API_SECRET, AUTH_TOKEN, NUMBER};
use warm_transfer::application::Application;
use warm_transfer::calls::flow;
use warm_transfer::config::Secret;
use warm_transfer::ids::CallSid;
use warm_transfer::simulator::engine::{CallStatus, ConferenceStatus, SimState};
use warm_transfer::simulator::{SimEvent, Simulator, SimulatorConfig};
use warm_transfer::twilio::rest::{AddParticipant, CreateCall, RestConfig, RestError, TwilioClient, UpdateParticipant};

const CUSTOMER: &str = "+15551230000";

/// A simulator whose REST API is served under `{base}/sim` on a local port (recording URLs
/// point there too).
pub(crate) async fn start_simulator(app_base_url: &str) -> (Simulator, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/sim", listener.local_addr().unwrap());
    let mut cfg = SimulatorConfig::new(ACCOUNT_SID, Secret::new(AUTH_TOKEN), API_KEY, Secret::new(API_SECRET), app_base_url, NUMBER);
    cfg.api_base_url = Some(base.clone());
    // These tests are about the flow, not the account's pace (tests/it/pacing.rs is).
    cfg.calls_per_second = 0.0;
    let sim = Simulator::new(cfg);
    let app = axum::Router::new().nest("/sim", warm_transfer::simulator::rest::router(sim.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (sim, base)
}

pub(crate) fn client(base_url: &str, username: &str, password: &str) -> TwilioClient {
    TwilioClient::new(RestConfig {
        base_url: base_url.to_string(),
        account_sid: ACCOUNT_SID.into(),
        username: username.into(),
        password: Secret::new(password),
        timeout: Duration::from_secs(5),
    })
}

/// Polls `check` for up to 10 s.
pub(crate) async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    for _ in 0..400 {
        if let Some(v) = check().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for {what}");
}

fn agent_dial(to: &str) -> CreateCall {
    CreateCall {
        to: to.into(),
        from: NUMBER.into(),
        url: "http://127.0.0.1:9/agent".into(),
        method: Some("POST".into()),
        timeout_secs: Some(30),
        ..Default::default()
    }
}

fn participant(to: &str, label: &str, start: bool) -> AddParticipant {
    AddParticipant {
        from: NUMBER.into(),
        to: to.into(),
        label: Some(label.into()),
        start_conference_on_enter: Some(start),
        end_conference_on_exit: Some(false),
        ..Default::default()
    }
}

pub(crate) fn api_error(e: RestError) -> (u16, Option<i64>, String) {
    match e {
        RestError::Api { status, code, message, .. } => (status, code, message),
        other => panic!("expected an API error, got {other:?}"),
    }
}

// ---- the REST API ----------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apps_rest_client_creates_a_call_that_rings_the_agents_browser() {
    let (sim, base) = start_simulator("http://127.0.0.1:9").await;
    let mut events = sim.subscribe();
    let twilio = client(&base, API_KEY, API_SECRET);

    let call = twilio.create_call(&agent_dial("client:agent1")).await.unwrap();
    assert!(call.sid.starts_with("CA") && call.sid.len() == 34, "{call:?}");
    assert_eq!(call.status.as_deref(), Some("queued"));
    assert_eq!(call.account_sid.as_deref(), Some(ACCOUNT_SID));
    assert_eq!(call.to.as_deref(), Some("client:agent1"));
    assert_eq!(call.from.as_deref(), Some(NUMBER));
    assert_eq!(call.direction.as_deref(), Some("outbound-api"));

    let ringing = sim.ringing_for("agent1");
    assert_eq!(ringing.len(), 1);
    assert_eq!(ringing[0].call_sid.as_str(), call.sid);
    let ring = loop {
        match events.recv().await.unwrap() {
            SimEvent::Ring { identity, call_sid, from } => break (identity, call_sid, from),
            _ => continue,
        }
    };
    assert_eq!((ring.0.as_str(), ring.1.as_str(), ring.2.as_str()), ("agent1", call.sid.as_str(), NUMBER));

    // The account SID with the auth token is accepted too.
    let by_token = client(&base, ACCOUNT_SID, AUTH_TOKEN);
    by_token.create_call(&agent_dial("client:agent2")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conferences_are_found_held_emptied_and_ended_through_the_apps_rest_client() {
    let (sim, base) = start_simulator("http://127.0.0.1:9").await;
    let twilio = client(&base, API_KEY, API_SECRET);

    // Two participants added by room name; answering both starts the room.
    let a = twilio.add_participant("room-1", &participant("client:agent1", "agent1", false)).await.unwrap();
    let b = twilio.add_participant("room-1", &participant("client:agent2", "agent2", true)).await.unwrap();
    // Answered as created: its call is placed in the account's turn (at once here, unpaced).
    assert_eq!(a.status.as_deref(), Some("queued"));
    assert_eq!(a.label.as_deref(), Some("agent1"));
    assert!(twilio.find_live_conference("room-1").await.unwrap().is_none(), "not in progress before anyone answers");
    for p in [&a, &b] {
        sim.answer(&CallSid::parse(p.call_sid.as_deref().unwrap()).unwrap()).unwrap();
    }
    let room = twilio.find_live_conference("room-1").await.unwrap().expect("live conference");
    assert!(room.sid.starts_with("CF"));
    assert_eq!(room.friendly_name.as_deref(), Some("room-1"));
    assert_eq!(room.status.as_deref(), Some("in-progress"));
    assert_eq!(Some(room.sid.clone()), a.conference_sid);
    assert!(twilio.find_live_conference("room-2").await.unwrap().is_none());

    // Hold by label, then unhold by CallSid.
    let held = twilio.update_participant(&room.sid, "agent1", &UpdateParticipant { hold: Some(true), ..Default::default() }).await.unwrap();
    assert_eq!((held.hold, held.status.as_deref()), (Some(true), Some("connected")));
    let state = sim.snapshot();
    assert_eq!(state.conferences[0].labelled("agent1").unwrap().hearing, "hold music playing");
    let unheld = twilio
        .update_participant(&room.sid, a.call_sid.as_deref().unwrap(), &UpdateParticipant { hold: Some(false), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(unheld.hold, Some(false));

    // Remove agent2; agent1 stays; then end the room for everyone.
    twilio.remove_participant(&room.sid, "agent2").await.unwrap();
    let state = sim.snapshot();
    assert_eq!(state.conferences[0].participants.len(), 1);
    let b_call = state.calls.iter().find(|c| Some(c.call_sid.as_str()) == b.call_sid.as_deref()).unwrap();
    assert_eq!(b_call.status, CallStatus::Completed);

    twilio.end_conference(&room.sid).await.unwrap();
    let state = sim.snapshot();
    assert_eq!(state.conferences[0].status, ConferenceStatus::Completed);
    assert!(state.calls.iter().all(|c| c.status == CallStatus::Completed));
    assert!(twilio.find_live_conference("room-1").await.unwrap().is_none());

    // The ended room and its participants are gone for the API.
    let (status, code, _) = api_error(twilio.end_conference(&room.sid).await.unwrap_err());
    assert_eq!((status, code), (404, Some(20404)));
    let (status, code, _) = api_error(twilio.remove_participant(&room.sid, "agent1").await.unwrap_err());
    assert_eq!((status, code), (404, Some(20404)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_or_missing_credentials_get_twilios_401() {
    let (sim, base) = start_simulator("http://127.0.0.1:9").await;
    for (user, password) in [(API_KEY, "wrong"), (ACCOUNT_SID, API_SECRET), ("", ""), (API_KEY, "")] {
        let (status, code, message) = api_error(client(&base, user, password).create_call(&agent_dial("client:agent1")).await.unwrap_err());
        assert_eq!((status, code, message.as_str()), (401, Some(20003), "Authenticate"), "{user}:{password}");
    }
    let raw = reqwest::Client::new().post(format!("{base}/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json")).send().await.unwrap();
    assert_eq!(raw.status(), 401);
    let body: serde_json::Value = raw.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401})
    );
    assert!(sim.snapshot().calls.is_empty(), "nothing was created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_parameters_and_unknown_resources_get_twilios_400_and_404() {
    let (sim, base) = start_simulator("http://127.0.0.1:9").await;
    let twilio = client(&base, API_KEY, API_SECRET);

    let (status, code, message) = api_error(twilio.create_call(&agent_dial("")).await.unwrap_err());
    assert_eq!((status, code), (400, Some(21201)));
    assert!(message.contains("To"), "{message}");
    let mut no_url = agent_dial("client:agent1");
    no_url.url.clear();
    let (status, code, message) = api_error(twilio.create_call(&no_url).await.unwrap_err());
    assert_eq!((status, code), (400, Some(21205)));
    assert!(message.contains("Url"), "{message}");

    let unknown = format!("CF{}", "0".repeat(32));
    let (status, code, _) = api_error(
        twilio.update_participant(&unknown, "agent1", &UpdateParticipant { hold: Some(true), ..Default::default() }).await.unwrap_err(),
    );
    assert_eq!((status, code), (404, Some(20404)));
    let (status, code, _) = api_error(twilio.add_participant(&unknown, &participant("client:a", "a", true)).await.unwrap_err());
    assert_eq!((status, code), (404, Some(20404)));

    // A duplicate label is refused.
    twilio.add_participant("room", &participant("client:agent1", "agent1", true)).await.unwrap();
    let (status, _, message) = api_error(twilio.add_participant("room", &participant("client:agent9", "agent1", true)).await.unwrap_err());
    assert_eq!(status, 400);
    assert!(message.contains("agent1"), "{message}");
    assert_eq!(sim.snapshot().calls.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_driver_rings_out_an_unanswered_call_after_its_timeout_and_tells_subscribers() {
    let mut cfg =
        SimulatorConfig::new(ACCOUNT_SID, Secret::new(AUTH_TOKEN), API_KEY, Secret::new(API_SECRET), "http://127.0.0.1:9", NUMBER);
    cfg.tick_interval = Duration::from_millis(50);
    cfg.calls_per_second = 0.0;
    let sim = Simulator::new(cfg);
    let mut events = sim.subscribe();
    let sid = sim
        .apply(|e, now| {
            e.create_call(
                warm_transfer::simulator::engine::OutboundCall {
                    from: NUMBER.into(),
                    to: "client:agent1".into(),
                    url: "http://127.0.0.1:9/agent".into(),
                    timeout_secs: Some(1),
                    ..Default::default()
                },
                now,
            )
        })
        .unwrap();
    let (mut rang, mut changed) = (false, false);
    let reason = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match events.recv().await.unwrap() {
                SimEvent::Ring { call_sid, .. } if call_sid == sid => rang = true,
                SimEvent::State { state, .. } if status_of(&state, &sid) == CallStatus::Ringing => changed = true,
                SimEvent::StopRinging { call_sid, reason, .. } if call_sid == sid => break reason,
                _ => {}
            }
        }
    })
    .await
    .expect("rang out within 5 s");
    assert!(rang && changed);
    assert_eq!(reason, warm_transfer::simulator::engine::StopReason::Timeout);
    assert_eq!(status_of(&sim.snapshot(), &sid), CallStatus::NoAnswer);
}

// ---- the whole warm transfer through the real server -----------------------------------------

/// The app on a free local port whose public URL is its real local URL, so the simulator's
/// signatures (over the URLs it requests) verify; its Twilio is the simulator.
pub(crate) struct Stack {
    pub(crate) sim: Simulator,
    pub(crate) app_url: String,
    db_url: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Stack {
    pub(crate) async fn start() -> Self {
        Self::start_with(false, &[]).await
    }

    pub(crate) async fn start_postgres() -> Self {
        Self::start_with(true, &[]).await
    }

    /// On PostgreSQL or SQLite, with settings of its own beside the defaults.
    pub(crate) async fn start_with(postgres: bool, extra: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db_url = if postgres {
            crate::common::fresh_postgres_url().await
        } else {
            format!("sqlite://{}?mode=rwc", dir.path().join("sim.db").display())
        };
        Self::start_on(dir, db_url, extra).await
    }

    async fn start_on(dir: tempfile::TempDir, db_url: String, extra: &[(&str, &str)]) -> Self {
        // The port must be known before the app starts (it is in PUBLIC_BASE_URL): take a free one.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let addr = format!("127.0.0.1:{port}");
        let app_url = format!("http://{addr}");
        let (sim, sim_base) = start_simulator(&app_url).await;
        let mut settings_env = vec![
            ("PUBLIC_BASE_URL", app_url.as_str()),
            ("LEPTOS_SITE_ADDR", addr.as_str()),
            ("TWILIO_TIMEOUT_MS", "5000"),
            ("WRAP_UP_SECS", "1"),
        ];
        settings_env.extend_from_slice(extra);
        let settings = settings_with(&db_url, &sim_base, &settings_env);
        let app = Application::build(settings).await.expect("app starts");
        tokio::spawn(app.run_until_stopped());
        let store = warm_transfer::store::Store::connect(&db_url).await.unwrap();
        for agent in ["agent1", "agent2", "agent3"] {
            let hash = warm_transfer::auth::hash_password(&password_of(agent)).unwrap();
            store.upsert_agent(&warm_transfer::ids::AgentId::parse(agent).unwrap(), &format!("Agent {agent}"), &hash).await.unwrap();
        }
        Stack { sim, app_url, db_url, http: reqwest::Client::new(), _dir: dir }
    }

    pub(crate) async fn store(&self) -> warm_transfer::store::Store {
        warm_transfer::store::Store::connect(&self.db_url).await.unwrap()
    }

    /// The call ringing for `client:{identity}`, once it rings.
    pub(crate) async fn rings(&self, identity: &str) -> CallSid {
        eventually(&format!("{identity}'s browser to ring"), || async { self.sim.ringing_for(identity).pop().map(|r| r.call_sid) }).await
    }

    pub(crate) async fn until(&self, what: &str, check: impl Fn(&SimState) -> bool) -> SimState {
        eventually(what, || async {
            self.sim.settle().await;
            let state = self.sim.snapshot();
            check(&state).then_some(state)
        })
        .await
    }

    /// A server function as a signed-in agent.
    pub(crate) async fn server_fn_as(&self, identity: &str, endpoint: &str, params: &[(&str, &str)]) -> reqwest::Response {
        let res = self
            .http
            .post(format!("{}/api/sign_in", self.app_url))
            .form(&[("identity", identity), ("password", &password_of(identity))])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "sign-in as {identity}");
        let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        self.http.post(format!("{}/api/{endpoint}", self.app_url)).header("cookie", cookie).form(params).send().await.unwrap()
    }

    /// `(event, CallSid)` of every conference callback the app stored, in arrival order.
    async fn stored_conference_events(&self) -> Vec<(String, Option<String>)> {
        let pool = sqlx::SqlitePool::connect(&self.db_url).await.unwrap();
        sqlx::query_as("SELECT event, call_sid FROM status_callbacks WHERE kind = 'conference' ORDER BY id").fetch_all(&pool).await.unwrap()
    }
}

pub(crate) fn status_of(state: &SimState, sid: &CallSid) -> CallStatus {
    state.calls.iter().find(|c| &c.call_sid == sid).map(|c| c.status).expect("call exists")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_warm_transfer_runs_through_the_real_server_with_the_simulator_as_twilio() {
    let stack = Stack::start().await;
    let sim = &stack.sim;

    // agent1 is available; a customer calls: the app's voice webhook (signed, verified) puts
    // them in a waiting room and the center rings agent1 through the simulator's REST API.
    assert_eq!(stack.server_fn_as("agent1", "presence", &[("status", "available")]).await.status(), 200);
    let customer = sim.place_customer_call(CUSTOMER);
    let agent1 = stack.rings("agent1").await;
    let state = stack
        .until("the customer to hear the wait music", |s| {
            s.calls.iter().any(|c| c.call_sid == customer && c.now_hearing.starts_with("Play:"))
        })
        .await;
    let heard = &state.calls.iter().find(|c| c.call_sid == customer).unwrap().hearing;
    assert!(heard.contains(&format!("Say: {}", flow::WAIT_MESSAGE)), "{heard:?}");
    assert_eq!(state.conferences[0].friendly_name, customer.as_str());
    assert_eq!(state.conferences[0].status, ConferenceStatus::Waiting);

    // agent1 answers: the app's join document starts the conference.
    sim.answer(&agent1).unwrap();
    let state = stack.until("the conference to start", |s| s.conferences[0].status == ConferenceStatus::InProgress).await;
    let room = &state.conferences[0];
    assert_eq!(room.labelled("agent1").unwrap().hearing, format!("conference with {CUSTOMER}"));
    assert!(!room.labelled("agent1").unwrap().end_conference_on_exit);
    let store = stack.store().await;

    // agent1 consults agent2 through the console's server function: the customer is held with
    // music while agent2 rings and answers.
    assert_eq!(stack.server_fn_as("agent2", "presence", &[("status", "available")]).await.status(), 200);
    let res = stack.server_fn_as("agent1", "transfer", &[("action", "consult"), ("to", "agent2")]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let agent2 = stack.rings("agent2").await;
    sim.answer(&agent2).unwrap();
    let state = stack.until("three in the conference", |s| s.conferences[0].participants.len() == 3).await;
    assert!(!state.conferences[0].labelled("agent2").unwrap().end_conference_on_exit);
    let customer_in = |s: &SimState| s.conferences[0].participants.iter().find(|p| p.call_sid == customer).cloned();
    assert!(customer_in(&state).unwrap().on_hold, "the customer is on hold during the consult");

    // agent1 hangs up: the customer comes off hold and talks on with agent2.
    sim.hangup(&agent1).unwrap();
    let state = stack
        .until("agent1 to leave and the customer to talk with agent2", |s| {
            s.conferences[0].participants.len() == 2 && customer_in(s).is_some_and(|p| p.hearing == "conference with agent2")
        })
        .await;
    assert_eq!(state.conferences[0].status, ConferenceStatus::InProgress);
    assert!(!customer_in(&state).unwrap().on_hold);

    // The customer hangs up: the conference ends, and agent2's call with it.
    sim.hangup(&customer).unwrap();
    let state = stack.until("the conference to end", |s| s.conferences[0].status == ConferenceStatus::Completed).await;
    assert_eq!(status_of(&state, &agent2), CallStatus::Completed);
    assert_eq!(status_of(&state, &customer), CallStatus::Completed);

    // The app stored every callback and the center's timeline tells the story.
    eventually("the app to see the call end", || async { (!store.call_live(customer.as_str()).await.unwrap()).then_some(()) }).await;
    assert_eq!(
        store.timeline_texts(customer.as_str()).await.unwrap(),
        [
            format!("queued (caller {CUSTOMER})"),
            "offered to agent1".into(),
            "answered by agent1".into(),
            "agent1 consults agent2; customer on hold".into(),
            "agent2 answered the consult".into(),
            "transfer completed: agent2 has the call, agent1 left".into(),
            "customer hung up".into(),
        ]
    );
    for (agent, leg) in [("agent1", &agent1), ("agent2", &agent2)] {
        eventually(&format!("{agent}'s leg to be completed"), || async {
            store.callbacks_for_call(leg.as_str()).await.unwrap().iter().any(|(e, _)| e == "completed").then_some(())
        })
        .await;
        // Stored for the leg: its call progress events, and its conference events (participant-…).
        let stored: Vec<String> = store.callbacks_for_call(leg.as_str()).await.unwrap().into_iter().map(|(e, _)| e).collect();
        let statuses: Vec<&String> = stored.iter().filter(|e| !e.starts_with("participant-")).collect();
        assert_eq!(statuses, ["initiated", "ringing", "in-progress", "completed"], "{agent}");
        assert!(stored.contains(&"participant-join".to_string()) && stored.contains(&"participant-leave".to_string()), "{stored:?}");
    }
    let events = stack.stored_conference_events().await;
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(
        names,
        [
            "participant-join",
            "participant-join",
            "conference-start",
            "participant-hold",
            "participant-join",
            "participant-leave",
            "participant-unhold",
            "participant-leave",
            "participant-leave",
            "conference-end",
        ]
    );
    assert_eq!(events[0].1.as_deref(), Some(customer.as_str()));
}

/// Three agents and five callers through the real server with the simulator as Twilio: each
/// agent rings once (longest idle first), two callers wait and hear their place; a missed offer
/// turns the agent away and rings the next; after a hang-up and wrap-up the waiting callers are
/// served in arrival order; nobody is dropped.
async fn three_agents_and_five_callers(stack: Stack) {
    let sim = &stack.sim;
    for agent in ["agent1", "agent2", "agent3"] {
        assert_eq!(stack.server_fn_as(agent, "presence", &[("status", "available")]).await.status(), 200);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let callers: Vec<CallSid> = (0..5).map(|n| sim.place_customer_call(&format!("+1555123000{n}"))).collect();
    // Each agent rings once, for the three oldest callers, longest-idle agent first.
    let mut rung = Vec::new();
    for agent in ["agent1", "agent2", "agent3"] {
        let leg = stack.rings(agent).await;
        rung.push(leg);
    }
    let ringing_for = |state: &SimState, leg: &CallSid| state.calls.iter().find(|c| &c.call_sid == leg).map(|c| c.status);
    let state = stack.until("three agents ringing", |s| rung.iter().all(|l| ringing_for(s, l) == Some(CallStatus::Ringing))).await;
    assert_eq!(state.calls.iter().filter(|c| c.to.starts_with("client:")).count(), 3, "no agent rings twice");
    // The fifth caller waits second in line and hears so.
    stack
        .until("caller 5 to hear their place", |s| {
            s.calls.iter().any(|c| c.call_sid == callers[4] && c.hearing.iter().any(|h| h == "Say: You are caller number 2."))
        })
        .await;

    // agent1 and agent2 answer; agent3 declines: away, and caller 3 goes back to the head.
    sim.answer(&rung[0]).unwrap();
    sim.answer(&rung[1]).unwrap();
    sim.reject(&rung[2]).unwrap();
    let store = stack.store().await;
    eventually("agent3 to be away", || async {
        let (p, _) = store.presence_of("agent3").await.unwrap()?;
        (p.word() == "away").then_some(())
    })
    .await;
    stack
        .until("caller 3 to be told they are first again", |s| {
            s.calls.iter().any(|c| c.call_sid == callers[2] && c.hearing.iter().any(|h| h == "Say: You are caller number 1."))
        })
        .await;

    // agent1 hangs up: the caller is hung up with them; after wrap-up agent1 gets caller 3 (who
    // kept the head of the queue), then agent2 hangs up and gets caller 4, agent3 comes back for 5.
    sim.hangup(&rung[0]).unwrap();
    let next = stack.rings("agent1").await;
    let state = stack.until("agent1 ringing again", |s| ringing_for(s, &next) == Some(CallStatus::Ringing)).await;
    assert_eq!(status_of(&state, &callers[0]), CallStatus::Completed, "the first caller was hung up with their agent");
    assert_eq!(
        store.timeline_texts(callers[2].as_str()).await.unwrap()[..3],
        ["queued (caller +15551230002)".to_string(), "offered to agent3".into(), "agent3: declined".into()]
    );
    sim.answer(&next).unwrap();
    sim.hangup(&rung[1]).unwrap();
    let fourth = stack.rings("agent2").await;
    sim.answer(&fourth).unwrap();
    assert_eq!(stack.server_fn_as("agent3", "presence", &[("status", "available")]).await.status(), 200);
    let fifth = stack.rings("agent3").await;
    sim.answer(&fifth).unwrap();
    stack
        .until("every caller talking to an agent or served", |s| {
            s.conferences.iter().filter(|c| c.status == ConferenceStatus::InProgress).count() == 3
        })
        .await;
    for (caller, leg) in [(&callers[2], &next), (&callers[3], &fourth), (&callers[4], &fifth)] {
        let state = sim.snapshot();
        let conference =
            state.conferences.iter().find(|c| c.friendly_name == caller.as_str() && c.status == ConferenceStatus::InProgress).unwrap();
        assert!(conference.participants.iter().any(|p| &p.call_sid == leg), "{caller} talks to the agent who answered");
    }
    assert!(store.live_calls().await.unwrap().iter().all(|c| matches!(c.phase(), warm_transfer::center::CallPhase::Connected { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_agents_and_five_callers_on_sqlite() {
    three_agents_and_five_callers(Stack::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_agents_and_five_callers_on_postgresql() {
    three_agents_and_five_callers(Stack::start_postgres().await).await;
}

/// An agent's browser never rings for two calls at once: when a caller hangs up while their
/// offer rings and the same decision offers the agent the next caller, the cancel of the old
/// leg reaches Twilio before the new dial, however slow the cancel is (here Twilio drops the
/// first attempt after 300 ms and the retry goes through).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agents_old_offer_is_cancelled_at_twilio_before_their_next_one_is_dialled() {
    use warm_transfer::simulator::{Fault, FaultRule};
    let stack = Stack::start_with(false, &[("OUTBOX_BACKOFF_MS", "50")]).await;
    assert_eq!(stack.server_fn_as("agent1", "presence", &[("status", "available")]).await.status(), 200);
    let first = stack.sim.place_customer_call(CUSTOMER);
    let old = stack.rings("agent1").await;
    stack.sim.place_customer_call("+15551230001");
    let store = stack.store().await;
    eventually("the second caller to queue", || async { (store.live_calls().await.unwrap().len() == 2).then_some(()) }).await;
    let cancel = format!("/Calls/{old}.json");
    stack.sim.fail_next(FaultRule::new("POST", &cancel, 1, Fault::Delay(Duration::from_millis(300))));
    stack.sim.hangup(&first).unwrap();
    let next = eventually("agent1 to ring for the next caller", || async {
        stack.sim.ringing_for("agent1").into_iter().find(|r| r.call_sid != old)
    })
    .await;
    let log = stack.sim.api_requests();
    let cancels: Vec<u64> = log.iter().filter(|r| r.method == "POST" && r.path.ends_with(&cancel)).map(|r| r.id).collect();
    let dials: Vec<u64> = log.iter().filter(|r| r.method == "POST" && r.path.ends_with("/Calls.json")).map(|r| r.id).collect();
    assert_eq!(dials.len(), 2, "{log:?}");
    assert!(cancels.len() >= 2, "the dropped cancel was tried again: {log:?}");
    assert!(cancels.iter().all(|c| *c < dials[1]), "the old leg's cancel reached Twilio before the next dial: {log:?}");
    let s = stack.sim.snapshot();
    assert_eq!(status_of(&s, &old), CallStatus::Canceled);
    assert_ne!(next.call_sid, old);
}
