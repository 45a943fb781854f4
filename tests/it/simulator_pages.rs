//! The simulator's pages (`/phone`, `/simulator`) and their open server functions
//! (`/api/sim_state`, `/api/sim_call`, `/api/sim_hangup`), on the real server in simulator mode.
use std::time::Duration;

use crate::common::TestApp;
use serde_json::Value;

pub(crate) async fn simulator_app() -> TestApp {
    TestApp::spawn_with(&[("TWILIO_MODE", "simulator")]).await
}

pub(crate) async fn sim_state(app: &TestApp) -> Value {
    let res = app.server_fn("sim_state", &[]).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Polls the simulator's state for up to 10 s until `check` finds something.
pub(crate) async fn eventually<T>(app: &TestApp, what: &str, check: impl Fn(&Value) -> Option<T>) -> T {
    let mut last = Value::Null;
    for _ in 0..200 {
        last = sim_state(app).await;
        if let Some(v) = check(&last) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}; last state {last:#}");
}

pub(crate) fn call<'a>(state: &'a Value, sid: &str) -> Option<&'a Value> {
    state["calls"].as_array()?.iter().find(|c| c["sid"] == sid)
}

#[tokio::test]
async fn pages_render_their_initial_state_on_the_server() {
    let app = simulator_app().await;
    for (path, ids) in [
        ("/phone", &["sim-badge", "phone-from", "phone-call-button", "phone-hangup-button", "phone-status"][..]),
        ("/simulator", &["sim-badge", "sim-summary", "sim-conferences", "sim-calls", "sim-pacing"][..]),
    ] {
        let res = app.client.get(format!("{}{path}", app.base_url)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let html = res.text().await.unwrap();
        for id in ids {
            assert!(html.contains(&format!("id=\"{id}\"")), "{path} lacks #{id}");
        }
        assert!(html.contains("href=\"/\""), "{path} links to the console");
    }
    let phone = app.client.get(format!("{}/phone", app.base_url)).send().await.unwrap().text().await.unwrap();
    assert!(phone.contains("Idle"), "{phone}");
    assert!(phone.contains("value=\"+15551230000\""), "default From number");
    let monitor = app.client.get(format!("{}/simulator", app.base_url)).send().await.unwrap().text().await.unwrap();
    assert!(monitor.contains("0 live calls"), "{monitor}");
    // The tests' account has no pace (TWILIO_CALLS_PER_SECOND=0, which the simulator shares).
    assert!(monitor.contains("Twilio&#x27;s pace: no limit") || monitor.contains("Twilio's pace: no limit"), "{monitor}");
    assert_eq!(sim_state(&app).await["pacing"]["waiting"], 0);
}

#[tokio::test]
async fn a_customer_calls_waits_in_the_conference_and_hangs_up() {
    let app = simulator_app().await;
    app.available("agent1").await;
    let res = app.server_fn("sim_call", &[("from", "+15557654321")]).await;
    assert_eq!(res.status(), 200);
    let sid: String = res.json().await.unwrap();
    assert!(sid.starts_with("CA") && sid.len() == 34, "{sid}");

    // The app answers with its TwiML: the customer waits in a conference named after the call.
    let conference_sid = eventually(&app, "the customer in a conference", |s| {
        let c = call(s, &sid)?;
        (c["status"] == "in-progress").then(|| c["conference_sid"].as_str().map(str::to_string))?
    })
    .await;
    let state = sim_state(&app).await;
    let c = call(&state, &sid).unwrap();
    assert_eq!(c["from"], "+15557654321");
    assert_eq!(c["direction"], "inbound");
    assert!(!c["now_hearing"].as_str().unwrap().is_empty());
    let conference = state["conferences"].as_array().unwrap().iter().find(|c| c["sid"] == conference_sid).unwrap();
    assert_eq!(conference["friendly_name"], sid.as_str());
    let me = conference["participants"].as_array().unwrap().iter().find(|p| p["call_sid"] == sid).unwrap();
    assert_eq!(me["name"], "+15557654321", "an unlabelled customer is named by their number");

    // The app rings agent1: that leg is not the customer's to hang up.
    let agent_leg = eventually(&app, "agent1 being rung", |s| {
        s["calls"].as_array()?.iter().find(|c| c["to"] == "client:agent1").map(|c| c["sid"].as_str().unwrap().to_string())
    })
    .await;
    let res = app.server_fn("sim_hangup", &[("call_sid", &agent_leg)]).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("call_sid"));

    // The monitor lists the live call.
    let monitor = app.client.get(format!("{}/simulator", app.base_url)).send().await.unwrap().text().await.unwrap();
    assert!(monitor.contains(&sid), "the monitor shows the customer's call");

    let res = app.server_fn("sim_hangup", &[("call_sid", &sid)]).await;
    assert_eq!(res.status(), 200);
    eventually(&app, "the call completed", |s| (call(s, &sid)?["status"] == "completed").then_some(())).await;
    // Hanging up twice is a conflict, not a crash.
    assert_eq!(app.server_fn("sim_hangup", &[("call_sid", &sid)]).await.status(), 409);
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field() {
    let app = simulator_app().await;
    for from in ["", "5551230000", "+1555", "+1555123000012345", "+1555abc0000", "client:agent1"] {
        let res = app.server_fn("sim_call", &[("from", from)]).await;
        assert_eq!(res.status(), 400, "from={from:?}");
        assert!(res.text().await.unwrap().contains("from"), "from={from:?}");
    }
    let res = app.server_fn("sim_hangup", &[("call_sid", "not-a-sid")]).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("call_sid"));
    let unknown = format!("CA{}", "0".repeat(32));
    assert_eq!(app.server_fn("sim_hangup", &[("call_sid", &unknown)]).await.status(), 404);
}

#[tokio::test]
async fn with_real_twilio_the_simulator_functions_refuse() {
    let app = TestApp::spawn().await;
    for (endpoint, params) in [
        ("sim_state", &[][..]),
        ("sim_call", &[("from", "+15551230000")][..]),
        ("sim_hangup", &[("call_sid", "CA00000000000000000000000000000000")][..]),
    ] {
        let res = app.server_fn(endpoint, params).await;
        assert_eq!(res.status(), 404, "{endpoint}");
        assert!(res.text().await.unwrap().contains("the simulator is off"), "{endpoint}");
    }
    // The page still renders, and says why nothing works.
    let phone = app.client.get(format!("{}/phone", app.base_url)).send().await.unwrap().text().await.unwrap();
    assert!(phone.contains("the simulator is off"), "{phone}");
    assert!(phone.contains("id=\"sim-badge\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monitor_shows_the_queue_and_the_agents_presence() {
    let app = simulator_app().await;
    let mut sids = Vec::new();
    for from in ["+15557650001", "+15557650002"] {
        let res = app.server_fn("sim_call", &[("from", from)]).await;
        sids.push(res.json::<String>().await.unwrap());
    }
    let queue = eventually(&app, "both callers queued", |s| {
        let q: Vec<String> = s["queue"].as_array()?.iter().map(|q| q["call_sid"].as_str().unwrap().to_string()).collect();
        (q.len() == 2).then_some(q)
    })
    .await;
    assert_eq!(queue, sids, "head first, in arrival order");
    // The caller at the head is told so while waiting.
    let heard = eventually(&app, "the place in line", |s| {
        let h =
            call(s, &sids[1])?["hearing"].as_array()?.iter().filter_map(|h| h.as_str()).find(|h| h.contains("caller number"))?.to_string();
        Some(h)
    })
    .await;
    assert_eq!(heard, "Say: You are caller number 2.");
    let state = sim_state(&app).await;
    let presence = |id: &str| state["agents"].as_array().unwrap().iter().find(|a| a["id"] == id).unwrap()["presence"].clone();
    assert_eq!(presence("agent3"), "offline");
    let monitor = app.client.get(format!("{}/simulator", app.base_url)).send().await.unwrap().text().await.unwrap();
    assert!(monitor.contains("Queue (2 waiting)"), "{monitor}");
    // agent1 becomes available: the head of the queue rings them, the queue moves.
    app.available("agent1").await;
    eventually(&app, "the queue to move", |s| (s["queue"].as_array()?.len() == 1).then_some(())).await;
}

/// The phone's functions for callbacks, keys and voice. (A call ringing on the page needs the
/// simulator's REST API, whose credentials are fresh per start in simulator mode: that part is in
/// `simulator_voice`, through the driver.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_page_holds_its_number_and_keys_and_speaks_on_the_customers_call_only() {
    let app = simulator_app().await;
    let res = app.server_fn("sim_phone_hold", &[("number", "+15551112222")]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), serde_json::json!([]), "nothing rings yet");
    let res = app.server_fn("sim_phone_hold", &[("number", "12345")]).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("number"));
    assert_eq!(app.server_fn("sim_phone_release", &[("number", "+15551112222")]).await.status(), 200);

    let sid: String = app.server_fn("sim_call", &[("from", "+15557654321")]).await.json().await.unwrap();
    eventually(&app, "the customer's call answered", |s| (call(s, &sid)?["status"] == "in-progress").then_some(())).await;
    assert_eq!(app.server_fn("sim_phone_digits", &[("call_sid", &sid), ("digits", "12#")]).await.status(), 200);
    assert_eq!(app.server_fn("sim_phone_say", &[("call_sid", &sid), ("text", "hello?")]).await.status(), 200);
    let state = sim_state(&app).await;
    let me = call(&state, &sid).unwrap();
    assert_eq!((me["digits_sent"].as_str(), me["rings_on_page"].as_bool()), (Some("12#"), Some(false)));
    assert_eq!(app.server_fn("sim_phone_say", &[("call_sid", &sid), ("text", &"x".repeat(4001))]).await.status(), 400);
    assert_eq!(app.server_fn("sim_phone_digits", &[("call_sid", &sid), ("digits", "x")]).await.status(), 400);
    // Only calls ringing on a page are answered or declined there.
    assert_eq!(app.server_fn("sim_phone_answer", &[("call_sid", &sid)]).await.status(), 403);
    let unknown = format!("CA{}", "0".repeat(32));
    assert_eq!(app.server_fn("sim_phone_decline", &[("call_sid", &unknown)]).await.status(), 404);
    // Not an agent's leg either.
    let agent_leg = eventually(&app, "an agent leg", |s| {
        s["calls"].as_array()?.iter().find(|c| c["direction"] == "outbound-api").map(|c| c["sid"].as_str().unwrap().to_string())
    });
    app.available("agent1").await;
    let agent_leg = agent_leg.await;
    assert_eq!(app.server_fn("sim_phone_digits", &[("call_sid", &agent_leg), ("digits", "1")]).await.status(), 403);
    assert_eq!(app.server_fn("sim_phone_answer", &[("call_sid", &agent_leg)]).await.status(), 403);
}
