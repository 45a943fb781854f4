//! The tutorial's call flow over HTTP against the real server, with a local Twilio stand-in.
#![cfg(feature = "ssr")]

mod common;

use common::*;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tutorial_flow_conferences_the_caller_and_dials_both_agents() {
    let app = TestApp::spawn().await;
    let customer = call_sid(1);

    // Step 2: the customer calls; TwiML puts them in a conference named after their CallSid.
    let res = app
        .webhook("/conference/connect/client", &[("CallSid", &customer), ("From", "+15551230000"), ("To", NUMBER), ("CallStatus", "ringing"), ("AccountSid", ACCOUNT_SID)])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/xml");
    let (name, attrs) = conference_attrs(&res.text().await.unwrap());
    assert_eq!(name, customer);
    assert_eq!(attrs["startConferenceOnEnter"], "false");
    assert_eq!(attrs["endConferenceOnExit"], "true");
    assert_eq!(attrs["waitUrl"], format!("{PUBLIC_BASE}/conference/wait"));

    // ...and agent1 is dialled through the REST API with the exact fields.
    let dials = app.stand_in.wait_for_dials(1).await;
    let dial = &dials[0];
    assert_eq!(dial.path, format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"));
    assert_eq!(dial.get("To"), Some("client:agent1"));
    assert_eq!(dial.get("From"), Some(NUMBER));
    assert_eq!(dial.get("Url"), Some(format!("{PUBLIC_BASE}/conference/{customer}/connect/agent1").as_str()));
    let expected_auth = format!("Basic {}", base64_basic(API_KEY, API_SECRET));
    assert_eq!(dial.authorization.as_deref(), Some(expected_auth.as_str()));

    // The stored rows: the customer's call, the conference, agent1 with the leg Twilio created.
    let store = app.store().await;
    let call = store.call(&customer).await.unwrap().expect("customer call stored");
    assert_eq!((call.leg.as_str(), call.from_number.as_str()), ("customer", "+15551230000"));
    let conference = store.conference(&customer).await.unwrap().expect("conference stored");
    assert_eq!(conference.status, "waiting");
    let agent1 = wait_for_agent_leg(&store, &customer, "agent1").await;
    assert_eq!(agent1.position, 1);

    // Step 3: the wait route.
    let res = app.webhook("/conference/wait", &[("CallSid", &customer)]).await;
    assert_eq!(res.status(), 200);
    let xml = res.text().await.unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let say = doc.descendants().find(|n| n.has_tag_name("Say")).unwrap();
    assert_eq!(say.text(), Some("Thank you for calling. Please wait in line for a few seconds. An agent will be with you shortly."));
    let play = doc.descendants().find(|n| n.has_tag_name("Play")).unwrap();
    assert_eq!(play.attribute("loop"), Some("0"));

    // Step 4: agent1 answers and joins; leaving will not end the call.
    let res = app.webhook(&format!("/conference/{customer}/connect/agent1"), &[("CallSid", agent1.call_sid.as_deref().unwrap())]).await;
    assert_eq!(res.status(), 200);
    let (name, attrs) = conference_attrs(&res.text().await.unwrap());
    assert_eq!(name, customer);
    assert_eq!(attrs["startConferenceOnEnter"], "true");
    assert_eq!(attrs["endConferenceOnExit"], "false");

    // Step 5: agent1 dials agent2 in through the console's server function.
    let res = app.server_fn_as("agent1", "dial_agent", &[("from_agent", "agent1"), ("to_agent", "agent2")]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let dials = app.stand_in.wait_for_dials(2).await;
    assert_eq!(dials[1].get("To"), Some("client:agent2"));
    assert_eq!(dials[1].get("Url"), Some(format!("{PUBLIC_BASE}/conference/{customer}/connect/agent2").as_str()));
    let agent2 = wait_for_agent_leg(&store, &customer, "agent2").await;
    assert_eq!(agent2.position, 2);

    // The second agent's leg ends the conference when it leaves.
    let res = app.webhook(&format!("/conference/{customer}/connect/agent2"), &[("CallSid", agent2.call_sid.as_deref().unwrap())]).await;
    let (_, attrs) = conference_attrs(&res.text().await.unwrap());
    assert_eq!(attrs["endConferenceOnExit"], "true");
    assert_eq!(attrs["startConferenceOnEnter"], "true");
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
async fn a_repeated_voice_webhook_dials_once_and_stores_one_call() {
    let app = TestApp::spawn().await;
    let customer = call_sid(2);
    for _ in 0..2 {
        let res = app.webhook("/conference/connect/client", &[("CallSid", &customer)]).await;
        assert_eq!(res.status(), 200);
    }
    app.stand_in.wait_for_dials(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.stand_in.dials().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dialling_agent2_needs_agent1_on_a_live_call() {
    let app = TestApp::spawn().await;
    let res = app.server_fn_as("agent1", "dial_agent", &[("from_agent", "agent1"), ("to_agent", "agent2")]).await;
    assert!(!res.status().is_success());
    assert!(res.text().await.unwrap().contains("not on a live call"));
    assert!(app.stand_in.dials().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_callbacks_are_stored_and_applied_in_sequence_order() {
    let app = TestApp::spawn().await;
    let customer = call_sid(3);
    app.webhook("/conference/connect/client", &[("CallSid", &customer)]).await;
    let store = app.store().await;
    let leg = wait_for_agent_leg(&store, &customer, "agent1").await.call_sid.unwrap();

    for (status, seq) in [("ringing", "1"), ("completed", "3"), ("in-progress", "2")] {
        let res = app.webhook("/twilio/status", &[("CallSid", &leg), ("CallStatus", status), ("SequenceNumber", seq)]).await;
        assert_eq!(res.status(), 204);
    }
    // The late "in-progress" (2) arrived after "completed" (3): stored, not applied.
    assert_eq!(store.call(&leg).await.unwrap().unwrap().status, "completed");
    assert_eq!(store.callbacks_for_call(&leg).await.unwrap().len(), 3);

    let cf = "CF0123456789abcdef0123456789abcdef";
    let res = app
        .webhook("/twilio/status", &[("ConferenceSid", cf), ("FriendlyName", &customer), ("StatusCallbackEvent", "conference-start"), ("SequenceNumber", "1")])
        .await;
    assert_eq!(res.status(), 204);
    let conference = store.conference(&customer).await.unwrap().unwrap();
    assert_eq!((conference.status.as_str(), conference.conference_sid.as_deref()), ("in-progress", Some(cf)));
}

async fn wait_for_agent_leg(store: &warm_transfer::store::Store, conference: &str, agent: &str) -> warm_transfer::store::ConferenceAgentRow {
    for _ in 0..200 {
        if let Some(row) = store.conference_agent(conference, agent).await.unwrap() {
            if row.call_sid.is_some() {
                return row;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{agent} never got a call leg on {conference}");
}

fn base64_basic(user: &str, pass: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
}

fn base64_url_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()
}
