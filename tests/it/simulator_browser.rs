//! The simulated browser's endpoints (`/simulator/…`, what `device.js` talks to) on the real
//! server in simulator mode: digits keyed in a call, an agent's headset plugged out and in, and
//! call-quality events injected into an agent's call.
use serde_json::{json, Value};

use crate::common::{Sse, TestApp};
use crate::simulator_pages::{call, eventually, sim_state, simulator_app};

async fn post(app: &TestApp, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.client.post(format!("{}{path}", app.base_url)).form(form).send().await.unwrap()
}

async fn digits(app: &TestApp, call_sid: &str, digits: &str) -> reqwest::Response {
    post(app, &format!("/simulator/calls/{call_sid}/digits"), &[("digits", digits)]).await
}

/// `identity`'s feed, as its Device reads it.
async fn feed(app: &TestApp, identity: &str) -> Sse {
    let res = app.client.get(format!("{}/simulator/events?identity={identity}", app.base_url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    Sse::new(res)
}

async fn headset(app: &TestApp, identity: &str, plugged: &str) -> reqwest::Response {
    post(app, &format!("/simulator/agents/{identity}/headset"), &[("plugged", plugged)]).await
}

/// A customer calls and agent1 (available) is rung: the customer's call and agent1's leg.
async fn customer_rings_agent1(app: &TestApp) -> (String, String) {
    let customer: String = app.server_fn("sim_call", &[("from", "+15557654321")]).await.json().await.unwrap();
    let leg = eventually(app, "agent1 being rung", |s| {
        let c = s["calls"].as_array()?.iter().find(|c| c["to"] == "client:agent1" && c["status"] == "ringing")?;
        c["sid"].as_str().map(str::to_string)
    })
    .await;
    (customer, leg)
}

/// agent1's Device answers the leg; back once the two talk.
async fn agent1_answers(app: &TestApp, customer: &str, leg: &str) {
    assert_eq!(post(app, &format!("/simulator/calls/{leg}/answer"), &[]).await.status(), 204);
    eventually(app, "agent1 talking with the customer", |s| (call(s, customer)?["now_hearing"] == "conference with agent1").then_some(()))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digits_keyed_in_an_agents_call_are_heard_by_the_customer() {
    let app = simulator_app().await;
    app.available("agent1").await;
    let (customer, leg) = customer_rings_agent1(&app).await;
    // Not answered yet: nothing to key digits into.
    let res = digits(&app, &leg, "1").await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("ringing"));

    agent1_answers(&app, &customer, &leg).await;

    for bad in ["12a", "1 2", "", "#!"] {
        let res = digits(&app, &leg, bad).await;
        assert_eq!(res.status(), 400, "{bad:?}");
        assert!(res.text().await.unwrap().starts_with("digits:"), "{bad:?}");
    }
    let res = post(&app, &format!("/simulator/calls/{leg}/digits"), &[("tones", "1")]).await;
    assert_eq!((res.status().as_u16(), res.text().await.unwrap()), (400, "digits: missing".to_string()));
    assert_eq!(digits(&app, "not-a-sid", "1").await.status(), 400);
    assert_eq!(digits(&app, &format!("CA{}", "0".repeat(32)), "1").await.status(), 404);

    assert_eq!(digits(&app, &leg, "12#").await.status(), 204);
    assert_eq!(digits(&app, &leg, "w4").await.status(), 204);
    let state = sim_state(&app).await;
    let (agent, customer_call) = (call(&state, &leg).unwrap(), call(&state, &customer).unwrap());
    assert_eq!((agent["digits_sent"].as_str(), agent["digits_heard"].as_str()), (Some("12#w4"), Some("")));
    assert_eq!((customer_call["digits_sent"].as_str(), customer_call["digits_heard"].as_str()), (Some(""), Some("12#4")));
    let monitor = app.client.get(format!("{}/simulator", app.base_url)).send().await.unwrap().text().await.unwrap();
    assert!(monitor.contains("heard 12#4") && monitor.contains("keyed 12#w4"), "{monitor}");

    // The customer hangs up, the conference ends, the agent's leg with it.
    assert_eq!(app.server_fn("sim_hangup", &[("call_sid", &customer)]).await.status(), 200);
    eventually(&app, "agent1's leg to end", |s| (call(s, &leg)?["status"] == "completed").then_some(())).await;
    assert_eq!(digits(&app, &leg, "1").await.status(), 409);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unplugging_a_headset_tells_that_agents_devices_now_and_when_they_connect_later() {
    let app = simulator_app().await;
    let unplugged = json!({"type": "audio-devices", "headset": false});
    let plugged = json!({"type": "audio-devices", "headset": true});
    // A Device learns the headset's state as it connects.
    let mut agent1 = feed(&app, "agent1").await;
    let mut agent2 = feed(&app, "agent2").await;
    assert_eq!(agent1.next_event().await.1, plugged);
    assert_eq!(agent2.next_event().await.1, plugged);

    let res = headset(&app, "agent1", "false").await;
    assert_eq!(res.status(), 204);
    assert_eq!(agent1.next_event().await.1, unplugged);
    // agent2's next event is about its own headset: agent1's never reached it.
    assert_eq!(headset(&app, "agent2", "true").await.status(), 204);
    assert_eq!(agent2.next_event().await.1, plugged);

    // Remembered: a Device registering now starts without the headset; the monitor offers it back.
    assert_eq!(feed(&app, "agent1").await.next_event().await.1, unplugged);
    let state = sim_state(&app).await;
    let headset_of = |id: &str| state["agents"].as_array().unwrap().iter().find(|a| a["id"] == id).unwrap()["headset"].clone();
    assert_eq!((headset_of("agent1"), headset_of("agent2")), (Value::Bool(false), Value::Bool(true)));
    let monitor = app.client.get(format!("{}/simulator", app.base_url)).send().await.unwrap().text().await.unwrap();
    assert!(monitor.contains("action=\"/simulator/agents/agent1/headset\"") && monitor.contains("Plug headset in"), "{monitor}");
    assert!(monitor.contains("Unplug headset"), "agent2's is still in: {monitor}");

    for bad in ["yes", "", "TRUE", "1"] {
        let res = headset(&app, "agent1", bad).await;
        assert_eq!(res.status(), 400, "{bad:?}");
        assert!(res.text().await.unwrap().contains("plugged"), "{bad:?}");
    }
    assert_eq!(post(&app, "/simulator/agents/agent1/headset", &[]).await.status(), 400);
    let res = headset(&app, "a%20b", "false").await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().starts_with("identity:"));

    assert_eq!(headset(&app, "agent1", "true").await.status(), 204);
    assert_eq!(agent1.next_event().await.1, plugged);
}

async fn quality(app: &TestApp, call_sid: &str, form: &[(&str, &str)]) -> reqwest::Response {
    post(app, &format!("/simulator/calls/{call_sid}/quality"), form).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_quality_events_reach_the_device_of_the_agent_on_that_call() {
    let app = simulator_app().await;
    app.available("agent1").await;
    let mut agent1 = feed(&app, "agent1").await;
    let mut agent2 = feed(&app, "agent2").await;
    assert_eq!(agent1.next_event().await.1["type"], "audio-devices");
    assert_eq!(agent2.next_event().await.1["type"], "audio-devices");
    let (customer, leg) = customer_rings_agent1(&app).await;
    // Ringing: no media yet to go bad.
    let res = quality(&app, &leg, &[("event", "reconnecting")]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("ringing"));
    agent1_answers(&app, &customer, &leg).await;

    assert_eq!(quality(&app, &leg, &[("event", "warning"), ("name", "high-rtt")]).await.status(), 204);
    assert_eq!(quality(&app, &leg, &[("event", "reconnecting"), ("name", "")]).await.status(), 204);
    let events: Vec<Value> = loop {
        let (_, e) = agent1.next_event().await;
        if e["type"] == "call-quality" {
            break vec![e, agent1.next_event().await.1];
        }
    };
    assert_eq!(
        events,
        vec![
            json!({"type": "call-quality", "call_sid": leg, "event": "warning", "name": "high-rtt"}),
            json!({"type": "call-quality", "call_sid": leg, "event": "reconnecting", "name": null}),
        ]
    );

    // Bad input changes nothing and says why.
    for (form, words) in [
        (vec![("event", "lost")], "event must be"),
        (vec![], "event must be"),
        (vec![("event", "warning")], "name:"),
        (vec![("event", "warning"), ("name", "High RTT")], "name:"),
    ] {
        let res = quality(&app, &leg, &form).await;
        assert_eq!(res.status(), 400, "{form:?}");
        assert!(res.text().await.unwrap().starts_with(words), "{form:?}");
    }
    assert_eq!(quality(&app, "nope", &[("event", "reconnected")]).await.status(), 400);
    assert_eq!(quality(&app, &format!("CA{}", "0".repeat(32)), &[("event", "reconnected")]).await.status(), 404);
    let res = quality(&app, &customer, &[("event", "reconnected")]).await;
    assert_eq!(res.status(), 400, "the customer's call is not a browser's");
    // agent2's Device heard none of it: its next event is its own headset.
    assert_eq!(headset(&app, "agent2", "false").await.status(), 204);
    assert_eq!(agent2.next_event().await.1, json!({"type": "audio-devices", "headset": false}));
    // The monitor offers the controls on agent1's live call.
    let monitor = app.client.get(format!("{}/simulator", app.base_url)).send().await.unwrap().text().await.unwrap();
    assert!(monitor.contains(&format!("action=\"/simulator/calls/{leg}/quality\"")) && monitor.contains("Poor connection"), "{monitor}");
}
