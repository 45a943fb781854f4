//! The contact center over HTTP against the real server, with a local Twilio stand-in that
//! records every request: queueing, longest-idle routing, missed offers, hang-ups, wrap-up,
//! dialling a colleague in, the presence API, and nothing lost across a restart.
use crate::common::*;
use std::time::Duration;

fn dial_url(call: &str, agent: &str, leg: u32) -> String {
    format!("{PUBLIC_BASE}/conference/{call}/connect/{agent}?leg={leg}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_rings_the_longest_idle_available_agent_with_twilios_exact_request() {
    let app = TestApp::spawn().await;
    app.available("agent2").await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    app.available("agent1").await;
    let customer = call_sid(1);

    let xml = app.customer_calls(&customer, "+15551230000").await;
    let (name, attrs) = conference_attrs(&xml);
    assert_eq!(name, customer);
    assert_eq!(attrs["startConferenceOnEnter"], "false");
    assert_eq!(attrs["endConferenceOnExit"], "true");
    assert_eq!(attrs["waitUrl"], format!("{PUBLIC_BASE}/conference/wait"));
    assert!(xml.contains("Thank you for calling"), "the welcome is said once, before the conference: {xml}");

    // agent2 has been idle longest.
    let dials = app.stand_in.wait_for_dials(1).await;
    let dial = &dials[0];
    assert_eq!(dial.path, format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"));
    assert_eq!(dial.get("To"), Some("client:agent2"));
    assert_eq!(dial.get("From"), Some(NUMBER));
    assert_eq!(dial.get("Url"), Some(dial_url(&customer, "agent2", 1).as_str()));
    assert_eq!(dial.get("StatusCallback"), Some(format!("{PUBLIC_BASE}/twilio/legs/{customer}/agent2/1").as_str()));
    assert_eq!(dial.get("Timeout"), Some("30"));
    // Basic API_KEY:API_SECRET: the stand-in checks the password as Twilio does, and created the call.
    assert_eq!((dial.user.as_deref(), dial.status), (Some(API_KEY), Some(201)));
    assert_eq!(app.presence("agent2").await, "ringing");
    assert_eq!(app.presence("agent1").await, "available");

    // The owner joins without ending the call when leaving; the conference starts.
    let res = app.agent_answers(&customer, "agent2", 1, &stand_in_sid(1)).await;
    assert_eq!(res.status(), 200);
    let (name, attrs) = conference_attrs(&res.text().await.unwrap());
    assert_eq!(name, customer);
    assert_eq!((attrs["startConferenceOnEnter"].as_str(), attrs["endConferenceOnExit"].as_str()), ("true", "false"));
    assert_eq!(app.presence("agent2").await, "on-call");
    assert_eq!(app.timeline(&customer).await, ["queued (caller +15551230000)", "offered to agent2", "answered by agent2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_callers_hear_their_place_in_the_queue_as_it_moves() {
    let app = TestApp::spawn().await;
    let (first, second) = (call_sid(10), call_sid(11));
    app.customer_calls(&first, "+15551230001").await;
    app.customer_calls(&second, "+15551230002").await;
    let wait = |call: String| {
        let app = &app;
        async move {
            let res = app.webhook("/conference/wait", &[("CallSid", &call)]).await;
            assert_eq!(res.status(), 200);
            res.text().await.unwrap()
        }
    };
    let xml = wait(second.clone()).await;
    assert!(xml.contains("You are caller number 2."), "{xml}");
    assert!(xml.contains(&format!(">{PUBLIC_BASE}/conference/wait</Redirect>")), "the document comes back: {xml}");
    app.conference_ends(&first).await;
    assert!(wait(second.clone()).await.contains("You are caller number 1."));
    // Once offered, no place is announced.
    app.available("agent1").await;
    app.stand_in.wait_for_dials(1).await;
    assert!(!wait(second).await.contains("<Say>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missed_offer_turns_the_agent_away_and_rings_the_next_agent() {
    let app = TestApp::spawn().await;
    app.available("agent1").await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    app.available("agent2").await;
    let customer = call_sid(2);
    app.customer_calls(&customer, "+15551230000").await;
    let dials = app.stand_in.wait_for_dials(1).await;
    assert_eq!(dials[0].get("To"), Some("client:agent1"));

    app.leg_ends(&customer, "agent1", 1, &stand_in_sid(1), "no-answer").await;
    let dials = app.stand_in.wait_for_dials(2).await;
    assert_eq!(dials[1].get("To"), Some("client:agent2"));
    assert_eq!(dials[1].get("Url"), Some(dial_url(&customer, "agent2", 2).as_str()));
    assert_eq!(app.presence("agent1").await, "away");
    let (presence, _) = app.store().await.presence_of("agent1").await.unwrap().unwrap();
    assert_eq!(serde_json::to_value(&presence).unwrap()["reason"], "missed-call");

    // A late, repeated report of the old leg changes nothing.
    app.leg_ends(&customer, "agent1", 1, &stand_in_sid(1), "no-answer").await;
    // agent2 declines (Twilio says busy): nobody is left, the caller waits at the head.
    app.leg_ends(&customer, "agent2", 2, &stand_in_sid(2), "busy").await;
    assert_eq!(app.presence("agent2").await, "away");
    assert_eq!(
        app.timeline(&customer).await,
        ["queued (caller +15551230000)", "offered to agent1", "agent1: no answer", "offered to agent2", "agent2: declined"]
    );
    assert!(app.store().await.call_live(&customer).await.unwrap(), "the caller still waits");
    // agent1 comes back: they get the caller at once, on a third leg.
    app.available("agent1").await;
    let dials = app.stand_in.wait_for_dials(3).await;
    assert_eq!(dials[2].get("Url"), Some(dial_url(&customer, "agent1", 3).as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_caller_hanging_up_while_offered_stops_the_ringing_at_once() {
    let app = TestApp::spawn().await;
    app.available("agent1").await;
    let customer = call_sid(3);
    app.customer_calls(&customer, "+15551230000").await;
    app.stand_in.wait_for_dials(1).await;
    // Let the dial's answer be recorded, so there is a leg to cancel.
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.conference_ends(&customer).await;
    app.stand_in.wait_for_update(&format!("/Calls/{}.json", stand_in_sid(1)), "canceled").await;
    assert_eq!(app.presence("agent1").await, "available", "not the agent's fault");
    // Answering now: the agent hears why and is hung up, nobody joins an empty conference.
    let res = app.agent_answers(&customer, "agent1", 1, &stand_in_sid(1)).await;
    assert_eq!(res.status(), 200);
    let xml = res.text().await.unwrap();
    assert!(xml.contains("no longer waiting") && xml.contains("<Hangup"), "{xml}");
    assert!(!xml.contains("<Conference"), "{xml}");
    assert_eq!(app.presence("agent1").await, "available");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_call_the_agent_wraps_up_then_gets_the_next_caller() {
    let app = TestApp::spawn_with(&[("WRAP_UP_SECS", "1")]).await;
    app.available("agent1").await;
    let (first, second) = (call_sid(4), call_sid(5));
    app.customer_calls(&first, "+15551230001").await;
    app.stand_in.wait_for_dials(1).await;
    assert_eq!(app.agent_answers(&first, "agent1", 1, &stand_in_sid(1)).await.status(), 200);
    app.customer_calls(&second, "+15551230002").await;

    // Going away or available while on a call makes no sense: refused, nothing changes.
    let res = app.server_fn_as("agent1", "presence", &[("status", "away")]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("you are on a call"));

    // The agent hangs up: the caller is hung up too (nobody else is on the call).
    app.leg_ends(&first, "agent1", 1, &stand_in_sid(1), "completed").await;
    app.stand_in.wait_for_update(&format!("/Calls/{first}.json"), "completed").await;
    assert_eq!(app.presence("agent1").await, "wrap-up");
    assert_eq!(app.stand_in.dials().len(), 1, "nobody rings during wrap-up");
    // Wrap-up ends by itself; the waiting caller is offered.
    let dials = app.stand_in.wait_for_dials(2).await;
    assert_eq!(dials[1].get("Url"), Some(dial_url(&second, "agent1", 1).as_str()));
    assert_eq!(app.timeline(&first).await.last().map(String::as_str), Some("call ended by the agent"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consult_holds_the_customer_and_when_the_first_agent_hangs_up_the_target_keeps_them() {
    const CF: &str = "CF0123456789abcdef0123456789abcdef";
    let app = TestApp::spawn().await;
    app.available("agent1").await;
    let customer = call_sid(6);
    app.customer_calls(&customer, "+15551230000").await;
    app.stand_in.wait_for_dials(1).await;
    app.agent_answers(&customer, "agent1", 1, &stand_in_sid(1)).await;
    app.conference_joined(&customer, CF).await;

    // agent2 is not available yet: refused with the reason, nothing dialled.
    let res = app.transfer("agent1", &[("action", "consult"), ("to", "agent2")]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("only an available agent can take a transfer"));

    app.available("agent2").await;
    let cookie = app.sign_in("agent2").await;
    let mut agent2_console =
        Sse::new(app.client.get(format!("{}/api/stream", app.base_url)).header("cookie", &cookie).send().await.unwrap());
    let res = app.transfer("agent1", &[("action", "consult"), ("to", "agent2"), ("note", "wants a refund")]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    // agent2's console, while it rings: who transfers, the note, and the call's timeline so far.
    let view = loop {
        let v = agent2_console.next_view().await;
        if v["call"]["transfer"].is_object() && v["recent"].as_array().is_some_and(|r| !r.is_empty()) {
            break v;
        }
    };
    assert_eq!(view["call"]["transfer"]["by"], serde_json::json!({"id": "agent1", "name": "Agent agent1"}));
    assert_eq!(view["call"]["transfer"]["note"], "wants a refund");
    assert_eq!(view["call"]["legs"][2]["state"], "ringing");
    let rows: Vec<&str> = view["recent"][0]["rows"].as_array().unwrap().iter().map(|r| r["text"].as_str().unwrap()).collect();
    assert_eq!(rows.last(), Some(&"agent1 consults agent2 (note: wants a refund); customer on hold"));
    let dials = app.stand_in.wait_for_dials(2).await;
    assert_eq!(dials[1].get("Url"), Some(dial_url(&customer, "agent2", 2).as_str()));
    // The customer is held, with the wait document as the music, in the conference Twilio named.
    let hold = app.stand_in.wait_for_form(&format!("/Conferences/{CF}/Participants/{customer}.json"), "Hold", "true").await;
    assert_eq!(hold.get("HoldUrl"), Some(format!("{PUBLIC_BASE}/conference/wait").as_str()));
    assert_eq!(hold.get("EndConferenceOnExit"), None, "flags are never changed after joining");

    let res = app.agent_answers(&customer, "agent2", 2, &stand_in_sid(2)).await;
    let (_, attrs) = conference_attrs(&res.text().await.unwrap());
    assert_eq!(attrs["endConferenceOnExit"], "false", "the center, not Twilio, decides when an agent leaving ends the call");
    assert_eq!(attrs["participantLabel"], "agent2");

    // agent1 hangs up during the consult: the customer comes off hold, talking to agent2.
    app.leg_ends(&customer, "agent1", 1, &stand_in_sid(1), "completed").await;
    app.stand_in.wait_for_form(&format!("/Conferences/{CF}/Participants/{customer}.json"), "Hold", "false").await;
    assert!(app.stand_in.updates().iter().all(|u| u.get("Status").is_none()), "nothing hung up: {:?}", app.stand_in.updates());
    assert_eq!(app.presence("agent1").await, "wrap-up");
    assert_eq!(app.presence("agent2").await, "on-call");
    let timeline = app.timeline(&customer).await;
    assert!(timeline.contains(&"agent1 consults agent2 (note: wants a refund); customer on hold".to_string()), "{timeline:?}");
    assert!(timeline.contains(&"transfer completed: agent2 has the call, agent1 left".to_string()), "{timeline:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_presence_api_answers_json_and_refuses_what_makes_no_sense() {
    let app = TestApp::spawn().await;
    let res = app.server_fn_as("agent1", "presence", &[("status", "away")]).await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["id"], "agent1");
    assert_eq!(body["presence"]["state"], "away");
    assert_eq!(body["presence"]["reason"], "chosen");
    let res = app.server_fn_as("agent1", "presence", &[("status", "asleep")]).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("available, away or offline"));
    let res = app.server_fn("presence", &[("status", "available")]).await;
    assert_eq!(res.status(), 401, "signed-in agents only");
    assert_eq!(app.presence("agent1").await, "away");
    // The console says its phone is gone: offline, and no caller is offered to it.
    let res = app.server_fn_as("agent1", "presence", &[("status", "offline")]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.presence("agent1").await, "offline");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_is_issued_for_the_signed_in_agent_only() {
    let app = TestApp::spawn().await;
    let res = app.server_fn_as("agent2", "token", &[("agent", "agent2")]).await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["identity"], "agent2");
    let jwt = body["token"].as_str().unwrap();
    let payload = jwt.split('.').nth(1).unwrap();
    let payload: serde_json::Value = serde_json::from_slice(&base64_url_decode(payload)).unwrap();
    assert_eq!(payload["grants"]["identity"], "agent2");
    assert_eq!(payload["grants"]["voice"]["incoming"]["allow"], true);
    assert_eq!(payload["iss"], API_KEY);
    assert_eq!(payload["sub"], ACCOUNT_SID);

    // Signed in as agent2, a token for agent1 is refused.
    let res = app.server_fn_as("agent2", "token", &[("agent", "agent1")]).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("only issued for your own identity"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_voice_webhook_queues_and_dials_once() {
    let app = TestApp::spawn().await;
    app.available("agent1").await;
    let customer = call_sid(7);
    for _ in 0..2 {
        app.customer_calls(&customer, "+15551230000").await;
    }
    app.stand_in.wait_for_dials(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.stand_in.dials().len(), 1);
    // Even after the call is over, a late repeat does not queue it again.
    app.conference_ends(&customer).await;
    app.customer_calls(&customer, "+15551230000").await;
    assert!(!app.store().await.call_live(&customer).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_callbacks_are_all_stored_for_the_record() {
    let app = TestApp::spawn().await;
    let customer = call_sid(8);
    app.customer_calls(&customer, "+15551230000").await;
    let leg = call_sid(9);
    for status in ["ringing", "completed", "in-progress"] {
        app.leg_ends(&customer, "agent1", 1, &leg, status).await;
    }
    assert_eq!(app.store().await.callbacks_for_call(&leg).await.unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_loses_no_waiting_caller_and_no_promised_dial() {
    let app = TestApp::spawn().await;
    let customer = call_sid(12);
    app.customer_calls(&customer, "+15551230000").await;
    // A new server on the same database (the old one is simply abandoned, as after kill -9).
    let again = app.restart().await;
    again.available("agent2").await;
    let dials = again.stand_in.wait_for_dials(1).await;
    assert_eq!(dials[0].get("Url"), Some(dial_url(&customer, "agent2", 1).as_str()));
}

fn base64_url_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_stream_pushes_the_agents_live_view() {
    let app = TestApp::spawn().await;
    let res = app.client.get(format!("{}/api/stream", app.base_url)).send().await.unwrap();
    assert_eq!(res.status(), 401, "signed-in agents only");
    let cookie = app.sign_in("agent1").await;
    let res = app.client.get(format!("{}/api/stream", app.base_url)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let mut stream = Sse::new(res);
    // The directory first (every agent, the same for all consoles), then my view.
    let (name, directory) = stream.next_event().await;
    assert_eq!(name, "directory");
    let ids: Vec<&str> = directory.as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["agent1", "agent2"]);
    let view = stream.next_view().await;
    assert_eq!((view["me"]["id"].as_str(), view["me"]["presence"]["state"].as_str()), (Some("agent1"), Some("offline")));
    assert_eq!(view["queue"]["waiting"], 0);

    // A caller queues: the view says so at once.
    let customer = call_sid(13);
    app.customer_calls(&customer, "+15551230000").await;
    let view = stream.next_view().await;
    assert_eq!(view["queue"]["waiting"], 1);
    // agent1 goes available: they ring for the caller, with the call on their console.
    app.available("agent1").await;
    let view = loop {
        let v = stream.next_view().await;
        if v["call"].is_object() {
            break v;
        }
    };
    assert_eq!(view["me"]["presence"]["state"], "ringing");
    assert_eq!(view["call"]["from"], "+15551230000");
    assert_eq!(view["call"]["legs"][0]["state"], "waiting", "the customer");
    assert_eq!(view["call"]["legs"][1]["state"], "ringing", "agent1");
    assert_eq!(view["queue"]["waiting"], 0);
    // A reconnecting console gets a fresh snapshot, with the call's timeline so far.
    drop(stream);
    let mut again = Sse::new(app.client.get(format!("{}/api/stream", app.base_url)).header("cookie", &cookie).send().await.unwrap());
    let view = again.next_view().await;
    assert_eq!(view["me"]["presence"]["state"], "ringing");
    let rows: Vec<&str> = view["recent"][0]["rows"].as_array().unwrap().iter().map(|r| r["text"].as_str().unwrap()).collect();
    assert_eq!(rows, ["queued (caller +15551230000)", "offered to agent1"]);
}
