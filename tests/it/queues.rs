//! Several queues through the real server and the simulator: with `QUEUES` set, a caller hears
//! the menu, chooses by key or by saying the queue's name (or, after saying nothing twice, goes
//! to the first queue), and is offered only to agents who take that queue (`agent queues`);
//! nothing is queued before the choice. With one queue the flow is today's (every other suite).

use serde_json::Value;

use crate::after_hours::{ringing_to, sim};
use crate::common::*;
use crate::simulator_pages::{call, eventually};
use warm_transfer::ids::{AgentId, QueueName};

async fn app() -> TestApp {
    let app = TestApp::spawn_with(&[("TWILIO_MODE", "simulator"), ("QUEUES", "sales,support:1")]).await;
    let store = app.store().await;
    store.set_agent_queues(&AgentId::parse("agent1").unwrap(), &[QueueName::parse("sales").unwrap()]).await.unwrap();
    store.set_agent_queues(&AgentId::parse("agent2").unwrap(), &[QueueName::parse("support").unwrap()]).await.unwrap();
    app
}

fn in_menu(state: &Value, sid: &str) -> bool {
    call(state, sid).is_some_and(|c| c["listening"]["kind"] == "gather")
}

async fn caller_in_menu(app: &TestApp, from: &str) -> String {
    let customer: String = sim(app, "sim_call", &[("from", from)]).await.json().await.unwrap();
    eventually(app, "the menu", |s| in_menu(s, &customer).then_some(())).await;
    customer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_chooses_a_queue_by_key_or_by_name_and_only_its_agents_are_offered_it() {
    let app = app().await;
    // The roster (read every few seconds) knows their queues before they take calls.
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    app.available("agent1").await;
    app.available("agent2").await;

    let first = caller_in_menu(&app, "+15551239001").await;
    let state = crate::simulator_pages::sim_state(&app).await;
    let heard = call(&state, &first).unwrap()["hearing"].to_string();
    assert!(heard.contains("For sales, press 1. For support, press 2."), "{heard}");
    assert!(app.timeline(&first).await.is_empty(), "not queued before the choice");
    sim(&app, "sim_phone_digits", &[("call_sid", &first), ("digits", "2")]).await;
    eventually(&app, "agent2 (support) rung", |s| ringing_to(s, "client:agent2")).await;
    assert_eq!(app.presence("agent1").await, "available", "agent1 takes sales only");
    assert_eq!(app.timeline(&first).await[0], "queued for support (caller +15551239001)");

    let second = caller_in_menu(&app, "+15551239002").await;
    sim(&app, "sim_phone_say", &[("call_sid", &second), ("text", "Sales please")]).await;
    eventually(&app, "agent1 (sales) rung", |s| ringing_to(s, "client:agent1")).await;
    assert_eq!(app.timeline(&second).await[0], "queued for sales (caller +15551239002)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_who_chooses_nothing_hears_the_menu_again_then_waits_in_the_first_queue() {
    let app = app().await;
    let customer = caller_in_menu(&app, "+15551239003").await;
    // Nothing pressed or said: the menu's redirect (after its 5 s), said again, then the first queue.
    let mut timeline = Vec::new();
    for _ in 0..300 {
        timeline = app.timeline(&customer).await;
        if !timeline.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(timeline.first().map(String::as_str), Some("queued for sales (caller +15551239003)"));
    let state = crate::simulator_pages::sim_state(&app).await;
    let heard = call(&state, &customer).unwrap()["hearing"].to_string();
    assert!(heard.contains("Sorry, I did not get that."), "{heard}");
}
