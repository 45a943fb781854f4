//! The caller and agent bots through the real server in simulator mode, over HTTP only: three
//! agents, a dozen callers arriving fast (some in bursts), short talks, consults and blind
//! transfers, callers who give up, ask for a callback or leave a message. Every caller's call
//! ends served, abandoned, called back or as a voicemail; none is lost; no agent is ever offered
//! a second call while one is live. And the phone endpoints the caller bots use, as a script sees
//! them.

use std::time::Duration;

use serde_json::Value;

use crate::after_hours::ringing_to;
use crate::common::TestApp;
use crate::simulator_pages::{eventually, simulator_app};
use warm_transfer::bots::plan::{AgentMix, Between, CallerMix, Spread};
use warm_transfer::bots::{self, BotsConfig};
use warm_transfer::ids::AgentId;

const PASSWORD: &str = "bots-password-1";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bots_bring_every_caller_to_an_end_and_no_agent_gets_two_calls_at_once() {
    let app = TestApp::spawn_with(&[
        ("TWILIO_MODE", "simulator"),
        // The callback menu early, so that callers reach it within the test.
        ("CALLBACK_AFTER_SECS", "3"),
        ("WRAP_UP_SECS", "1"),
        ("RING_TIMEOUT_SECS", "8"),
    ])
    .await;
    let hash = warm_transfer::auth::hash_password(PASSWORD).unwrap();
    let store = app.store().await;
    for n in 1..=3 {
        store.upsert_agent(&AgentId::parse(&format!("bot{n}")).unwrap(), &format!("Bot {n}"), &hash).await.unwrap();
    }

    let mut config = BotsConfig::new(&app.base_url, 3, PASSWORD, 20240611);
    config.callers = Some(12);
    // Roomy: the whole suite runs beside it (a callback or a voicemail may take a while).
    config.drain = Duration::from_secs(60);
    config.caller_mix = CallerMix {
        rate_per_sec: 2.0,
        burst_chance: 0.2,
        burst_max: 3,
        patience: Spread { median: 7.0, sigma: 0.5, min: 3.0, max: 14.0 },
        callback_share: 0.35,
        voicemail_share: 0.35,
    };
    config.agent_mix = AgentMix {
        answer_delay: Between { min: 0.2, max: 0.8 },
        talk: Spread { median: 2.0, sigma: 0.4, min: 1.0, max: 4.0 },
        consult_share: 0.3,
        cancel_share: 0.4,
        blind_share: 0.15,
        consult_talk: Between { min: 0.5, max: 1.0 },
        end_wrap_up_share: 0.5,
        end_wrap_up_after: Between { min: 0.2, max: 0.5 },
        break_every: 0.0,
        break_length: Between { min: 1.0, max: 2.0 },
    };
    let summary = tokio::time::timeout(Duration::from_secs(150), bots::run(config)).await.expect("the run ends");
    let report = serde_json::to_string_pretty(&summary).unwrap();
    println!("{report}");

    let o = &summary.outcomes;
    assert_eq!(o.callers, 12, "{report}");
    assert_eq!(o.served + o.abandoned + o.callback + o.voicemail, 12, "every caller ends one of the four ways: {report}");
    assert_eq!((o.lost, o.failed), (0, 0), "{report}");
    assert!(o.served >= 1, "{report}");
    let a = &summary.agents;
    assert_eq!(a.double_offers, 0, "{report}");
    assert_eq!(a.errors, 0, "{report}");
    assert!(a.answered >= o.served, "{report}");
    assert!(summary.drained, "the queue was emptied: {report}");
    assert!(summary.per_agent.iter().all(|r| r.console_events > 0), "every agent read its console: {report}");
}

/// The customer's phone for scripts: place a call, look at it, speak; refusals have their status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_places_a_call_and_sees_whom_it_talks_with() {
    let app = simulator_app().await;
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let req = app.client.post(format!("{}{path}", app.base_url)).form(&form);
        async move { req.send().await.unwrap() }
    };
    let look = |sid: String| {
        let req = app.client.get(format!("{}/simulator/calls/{sid}", app.base_url));
        async move { req.send().await.unwrap() }
    };
    assert_eq!(post("/simulator/calls".into(), vec![("from", "0123".into())]).await.status(), 400);
    assert_eq!(look("CA00000000000000000000000000000000".into()).await.status(), 404);
    assert_eq!(look("nonsense".into()).await.status(), 400);

    let res = post("/simulator/calls".into(), vec![("from", "+15557650001".into())]).await;
    assert_eq!(res.status(), 201);
    let sid = res.json::<Value>().await.unwrap()["call_sid"].as_str().unwrap().to_string();
    let call = until(&app, &sid, |c| c["conference"]["sid"].is_string()).await;
    assert_eq!((call["status"].as_str(), call["from"].as_str()), (Some("in-progress"), Some("+15557650001")), "{call}");
    assert_eq!((call["agents"].clone(), call["talked_with"].clone()), (serde_json::json!([]), serde_json::json!([])), "{call}");
    assert!(call["conference"]["sid"].as_str().is_some_and(|s| s.starts_with("CF")), "waiting in its conference: {call}");
    assert!(call["prompt"].as_str().is_some_and(|p| !p.is_empty()), "the welcome was said: {call}");
    // Nothing listens: the words go nowhere, yet the call heard them; too long a text is refused.
    assert_eq!(post(format!("/simulator/calls/{sid}/say"), vec![("text", "hello?".into())]).await.status(), 204);
    assert_eq!(post(format!("/simulator/calls/{sid}/say"), vec![]).await.status(), 400);

    app.available("agent1").await;
    let leg = eventually(&app, "agent1 rung", |s| ringing_to(s, "client:agent1")).await;
    assert_eq!(post(format!("/simulator/calls/{leg}/answer"), vec![]).await.status(), 204);
    let call = until(&app, &sid, |c| c["agents"] == serde_json::json!(["agent1"])).await;
    assert_eq!(call["agents"], serde_json::json!(["agent1"]), "{call}");
    let agent = &call["conference"]["participants"][0];
    assert_eq!(
        (agent["identity"].as_str(), agent["status"].as_str(), agent["on_hold"].as_bool()),
        (Some("agent1"), Some("connected"), Some(false))
    );

    assert_eq!(post(format!("/simulator/calls/{sid}/hangup"), vec![]).await.status(), 204);
    let call: Value = look(sid.clone()).await.json().await.unwrap();
    assert_eq!(call["status"], "completed", "{call}");
    assert_eq!(call["talked_with"], serde_json::json!(["agent1"]), "whom it talked with is kept: {call}");
    assert_eq!(post(format!("/simulator/calls/{sid}/say"), vec![("text", "bye".into())]).await.status(), 409);
}

/// Looks at the call every 50 ms (up to 10 s) until `done` says so; the last look.
async fn until(app: &TestApp, sid: &str, done: impl Fn(&Value) -> bool) -> Value {
    let mut call = Value::Null;
    for _ in 0..200 {
        call = app.client.get(format!("{}/simulator/calls/{sid}", app.base_url)).send().await.unwrap().json().await.unwrap();
        if done(&call) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    call
}
