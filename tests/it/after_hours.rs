//! When nobody can answer, through the real server with the built-in simulator as Twilio (its
//! `<Record>`, `<Gather>`, REST call updates and the phone book's numbers): a caller who rings
//! while we are closed leaves a voicemail that an agent takes, hears (the recording through the
//! app) and handles; a waiting caller is moved to the callback menu, presses 1, hangs up, and is
//! called back once an agent answers first, keeping their place; a busy number is retried, each
//! attempt on the timeline, then given up. On SQLite and PostgreSQL.

use serde_json::Value;

use crate::common::*;
use crate::simulator_pages::{call, eventually};
use warm_transfer::center::AgentRole;
use warm_transfer::ids::AgentId;
use warm_transfer::simulator::engine::phone_book::BUSY;

const SIMULATOR: (&str, &str) = ("TWILIO_MODE", "simulator");
/// Callbacks as in production (the other suites run without them).
const CALLBACKS_ON: (&str, &str) = ("CALLBACK_AFTER_SECS", "90");

async fn app_on(postgres: bool, extra: &[(&str, &str)]) -> TestApp {
    let mut settings = vec![SIMULATOR, CALLBACKS_ON];
    settings.extend_from_slice(extra);
    if postgres {
        TestApp::spawn_postgres_with(&settings).await
    } else {
        TestApp::spawn_with(&settings).await
    }
}

pub(crate) async fn sim(app: &TestApp, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
    let res = app.server_fn(endpoint, form).await;
    assert_eq!(res.status(), 200, "{endpoint}: {:?}", res.text().await);
    res
}

/// A customer calls from `from`: their call's sid.
async fn customer_calls(app: &TestApp, from: &str) -> String {
    sim(app, "sim_call", &[("from", from)]).await.json().await.unwrap()
}

fn hears(state: &Value, sid: &str, what: &str) -> bool {
    call(state, sid).and_then(|c| c["hearing"].as_array()).is_some_and(|h| h.iter().any(|l| l.as_str().is_some_and(|l| l.contains(what))))
}

fn listening(state: &Value, sid: &str, kind: &str) -> bool {
    call(state, sid).is_some_and(|c| c["listening"]["kind"] == kind)
}

/// The ringing leg to `to` (`client:agent1`, or a number).
pub(crate) fn ringing_to(state: &Value, to: &str) -> Option<String> {
    state["calls"]
        .as_array()?
        .iter()
        .find(|c| c["to"] == to && c["status"] == "ringing")
        .and_then(|c| c["sid"].as_str())
        .map(str::to_string)
}

async fn answer_leg(app: &TestApp, leg: &str) {
    let res = app.client.post(format!("{}/simulator/calls/{leg}/answer", app.base_url)).send().await.unwrap();
    assert_eq!(res.status(), 204);
}

async fn step(app: &TestApp, agent: &str, action: &str) -> Value {
    let res = app.transfer(agent, &[("action", action)]).await;
    assert_eq!(res.status(), 200, "{action}: {:?}", res.text().await);
    res.json().await.unwrap()
}

async fn close_now(app: &TestApp) {
    app.add_agent("supervisor1").await;
    app.store().await.set_agent_role(&AgentId::parse("supervisor1").unwrap(), AgentRole::Supervisor).await.unwrap();
    let res = app.server_fn_as("supervisor1", "close_now", &[("reason", ""), ("version", "0")]).await;
    assert_eq!(res.status(), 200);
}

async fn closed_voicemail_is_left_taken_heard_and_handled(postgres: bool) {
    let app = app_on(postgres, &[]).await;
    close_now(&app).await;
    let customer = customer_calls(&app, "+15551230042").await;
    eventually(&app, "the voicemail's recording", |s| listening(s, &customer, "record").then_some(())).await;
    let state = crate::simulator_pages::sim_state(&app).await;
    assert!(hears(&state, &customer, "We are closed right now."), "{state}");
    sim(&app, "sim_phone_say", &[("call_sid", &customer), ("text", "Hello, please call me back about order 42.")]).await;
    sim(&app, "sim_hangup", &[("call_sid", &customer)]).await;

    // Nobody available yet: it waits; the first agent available is offered it on the console.
    app.available("agent1").await;
    app.wait_presence("agent1", "ringing").await;
    let card = step(&app, "agent1", "take-voicemail").await;
    assert_eq!(card["voicemail"]["seconds"].as_u64().map(|s| s >= 1), Some(true), "{card}");
    // The transcription came with the recording's callbacks.
    let store = app.store().await;
    let mut transcript = None;
    for _ in 0..200 {
        transcript = store.live_call(&customer).await.unwrap().and_then(|c| c.as_voicemail().cloned()).and_then(|v| v.transcript);
        if transcript.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(transcript.as_deref(), Some("Hello, please call me back about order 42."));
    let cookie = app.sign_in("agent1").await;
    let audio = app.client.get(format!("{}/api/voicemail/{customer}/audio", app.base_url)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(audio.status(), 200);
    assert_eq!(audio.headers()["content-type"], "audio/x-wav");
    assert_eq!(audio.headers()["cache-control"], "private, no-store");
    let bytes = audio.bytes().await.unwrap();
    assert_eq!(&bytes[..4], b"RIFF", "a WAV file");
    step(&app, "agent1", "voicemail-done").await;
    let timeline = app.timeline(&customer).await;
    assert_eq!(timeline[0], "closed (closed by a supervisor): caller +15551230042 told when we open");
    assert!(timeline[1].starts_with("voicemail left by +15551230042"), "{timeline:?}");
    assert_eq!(&timeline[2..], ["offered to agent1", "agent1 took the voicemail", "voicemail handled by agent1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_voicemail_is_left_taken_heard_and_handled_on_sqlite() {
    closed_voicemail_is_left_taken_heard_and_handled(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_voicemail_is_left_taken_heard_and_handled_on_postgres() {
    closed_voicemail_is_left_taken_heard_and_handled(true).await;
}

/// The settings of a quick callback: offered after 1 s of waiting, retried after 1 s, twice.
const QUICK_CALLBACKS: [(&str, &str); 3] = [("CALLBACK_AFTER_SECS", "1"), ("CALLBACK_RETRY_SECS", "1"), ("CALLBACK_ATTEMPTS", "2")];

/// agent2 signed in but away: someone is there, nobody takes calls (so callers wait, and are
/// moved to the menu after the wait).
async fn someone_away(app: &TestApp) {
    let res = app.server_fn_as("agent2", "presence", &[("status", "away")]).await;
    assert_eq!(res.status(), 200);
}

/// The caller on `from` waits, is moved to the callback menu, presses 1 and confirms their own
/// number, and hangs up: their call's sid.
async fn asks_for_a_callback(app: &TestApp, from: &str) -> String {
    let customer = customer_calls(app, from).await;
    eventually(app, "the callback menu", |s| listening(s, &customer, "gather").then_some(())).await;
    let state = crate::simulator_pages::sim_state(app).await;
    assert!(hears(&state, &customer, "press 1 and we will call you back"), "{state}");
    sim(app, "sim_phone_digits", &[("call_sid", &customer), ("digits", "1")]).await;
    eventually(app, "the number's confirmation", |s| hears(s, &customer, "Press 1 to confirm").then_some(())).await;
    sim(app, "sim_phone_digits", &[("call_sid", &customer), ("digits", "1#")]).await;
    eventually(app, "the caller hung up", |s| (call(s, &customer)?["status"] == "completed").then_some(())).await;
    customer
}

async fn a_waiting_caller_asks_for_a_callback_and_is_called_back_after_the_agent_answers(postgres: bool) {
    let app = app_on(postgres, &QUICK_CALLBACKS).await;
    someone_away(&app).await;
    let number = "+15551230043";
    sim(&app, "sim_phone_hold", &[("number", number)]).await;
    let customer = asks_for_a_callback(&app, number).await;
    let state = crate::simulator_pages::sim_state(&app).await;
    assert!(hears(&state, &customer, "We will call you back at 1 5 5 5 1 2 3 0 0 4 3 when it is your turn"), "{state}");
    // A caller arriving later waits behind the request.
    let later = customer_calls(&app, "+15551230044").await;

    app.available("agent1").await;
    let leg = eventually(&app, "agent1 rung for the callback", |s| ringing_to(s, "client:agent1")).await;
    answer_leg(&app, &leg).await;
    // Then the caller's phone rings (on their page), from the support number.
    let back = eventually(&app, "the caller's phone ringing", |s| ringing_to(s, number)).await;
    let state = crate::simulator_pages::sim_state(&app).await;
    assert_eq!(call(&state, &back).unwrap()["from"], NUMBER);
    sim(&app, "sim_phone_answer", &[("call_sid", &back)]).await;
    eventually(&app, "the caller talking with agent1", |s| (call(s, &back)?["now_hearing"] == "conference with agent1").then_some(()))
        .await;
    assert_eq!(app.presence("agent1").await, "on-call");
    let timeline = app.timeline(&customer).await;
    assert_eq!(
        timeline,
        [
            "queued (caller +15551230043)",
            "offered a callback (the caller keeps their place)",
            "callback requested to +15551230043; the request keeps the caller's place",
            "offered to agent1",
            "answered by agent1",
            "callback attempt 1: calling +15551230043",
            "the caller answered the callback",
        ]
    );
    // The caller who came later is still waiting (in the menu or back in the queue), not served first.
    assert!(app.store().await.call_live(&later).await.unwrap());
    // The caller hangs up: the call is over, the agent in wrap-up.
    sim(&app, "sim_hangup", &[("call_sid", &back)]).await;
    app.wait_presence("agent1", "wrap-up").await;
    assert_eq!(app.timeline(&customer).await.last().map(String::as_str), Some("customer hung up"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_caller_asks_for_a_callback_and_is_called_back_after_the_agent_answers_on_sqlite() {
    a_waiting_caller_asks_for_a_callback_and_is_called_back_after_the_agent_answers(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_caller_asks_for_a_callback_and_is_called_back_after_the_agent_answers_on_postgres() {
    a_waiting_caller_asks_for_a_callback_and_is_called_back_after_the_agent_answers(true).await;
}

async fn a_callback_to_a_busy_number_is_retried_then_given_up(postgres: bool) {
    let app = app_on(postgres, &[QUICK_CALLBACKS[0], QUICK_CALLBACKS[1], QUICK_CALLBACKS[2], ("WRAP_UP_SECS", "0")]).await;
    someone_away(&app).await;
    let customer = asks_for_a_callback(&app, BUSY).await;
    app.available("agent1").await;
    for attempt in 1..=2 {
        let leg = eventually(&app, "agent1 rung for the callback", |s| ringing_to(s, "client:agent1")).await;
        answer_leg(&app, &leg).await;
        // The busy number rings a second and is busy: the agent's lone leg is hung up.
        eventually(&app, "agent1's leg hung up", |s| (call(s, &leg)?["status"] == "completed").then_some(())).await;
        let rows = app.timeline(&customer).await;
        let said = if attempt == 1 {
            "callback attempt 1: busy; trying again later, in the caller's place"
        } else {
            "callback attempt 2: busy; no attempt left"
        };
        for _ in 0..100 {
            if app.timeline(&customer).await.iter().any(|r| r == said) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(app.timeline(&customer).await.iter().any(|r| r == said), "{rows:?}");
    }
    let rows = app.timeline(&customer).await;
    assert_eq!(rows.last().map(String::as_str), Some("callback failed: the caller could not be reached"), "{rows:?}");
    assert_eq!(rows.iter().filter(|r| r.starts_with("callback attempt") && r.contains(": calling")).count(), 2);
    assert!(!app.store().await.call_live(&customer).await.unwrap());
    app.wait_presence("agent1", "available").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_to_a_busy_number_is_retried_then_given_up_on_sqlite() {
    a_callback_to_a_busy_number_is_retried_then_given_up(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_to_a_busy_number_is_retried_then_given_up_on_postgres() {
    a_callback_to_a_busy_number_is_retried_then_given_up(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_who_presses_2_leaves_a_message_and_the_agent_calls_back_in_one_click() {
    let app = app_on(false, &QUICK_CALLBACKS).await;
    someone_away(&app).await;
    let number = "+15551230045";
    sim(&app, "sim_phone_hold", &[("number", number)]).await;
    let customer = customer_calls(&app, number).await;
    eventually(&app, "the callback menu", |s| listening(s, &customer, "gather").then_some(())).await;
    sim(&app, "sim_phone_digits", &[("call_sid", &customer), ("digits", "2")]).await;
    eventually(&app, "the voicemail's recording", |s| listening(s, &customer, "record").then_some(())).await;
    sim(&app, "sim_phone_say", &[("call_sid", &customer), ("text", "It is about my invoice.")]).await;
    sim(&app, "sim_phone_digits", &[("call_sid", &customer), ("digits", "#")]).await;
    eventually(&app, "the caller thanked", |s| hears(s, &customer, "Your message has been recorded").then_some(())).await;

    app.available("agent1").await;
    app.wait_presence("agent1", "ringing").await;
    step(&app, "agent1", "take-voicemail").await;
    let card = step(&app, "agent1", "call-back").await;
    assert_eq!(card["callback"]["number"], number, "{card}");
    // My phone first, then theirs.
    let leg = eventually(&app, "agent1 rung to call back", |s| ringing_to(s, "client:agent1")).await;
    answer_leg(&app, &leg).await;
    let back = eventually(&app, "the caller's phone ringing", |s| ringing_to(s, number)).await;
    sim(&app, "sim_phone_answer", &[("call_sid", &back)]).await;
    eventually(&app, "the caller talking with agent1", |s| (call(s, &back)?["now_hearing"] == "conference with agent1").then_some(()))
        .await;
    let timeline = app.timeline(&customer).await;
    assert_eq!(
        &timeline[..3],
        ["queued (caller +15551230045)", "offered a callback (the caller keeps their place)", "chose to leave a message"],
        "{timeline:?}"
    );
    assert!(timeline[3].starts_with("voicemail left by +15551230045"), "{timeline:?}");
    assert_eq!(
        &timeline[4..],
        [
            "offered to agent1",
            "agent1 took the voicemail",
            "agent1 calls +15551230045 back",
            "answered by agent1",
            "callback attempt 1: calling +15551230045",
            "the caller answered the callback",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_nobody_signed_in_a_caller_is_offered_a_callback_or_a_message_at_once() {
    let app = app_on(false, &[]).await;
    let customer = customer_calls(&app, "+15551230046").await;
    eventually(&app, "the menu at once", |s| listening(s, &customer, "gather").then_some(())).await;
    let state = crate::simulator_pages::sim_state(&app).await;
    assert!(hears(&state, &customer, "Nobody can take your call right now."), "{state}");
    sim(&app, "sim_phone_digits", &[("call_sid", &customer), ("digits", "2")]).await;
    eventually(&app, "the voicemail's recording", |s| listening(s, &customer, "record").then_some(())).await;
    let timeline = app.timeline(&customer).await;
    assert_eq!(
        timeline,
        [
            "queued (caller +15551230046)",
            "nobody signed in: offered a callback or a message (the caller keeps their place)",
            "chose to leave a message"
        ]
    );
}
