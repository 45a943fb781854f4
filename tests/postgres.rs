//! The PostgreSQL path, for real: several instances behind a load balancer share one database.
#![cfg(feature = "ssr")]

mod common;

use common::*;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_flow_runs_on_postgresql() {
    let app = TestApp::spawn_postgres().await;
    let customer = call_sid(100);
    let res = app.webhook("/conference/connect/client", &[("CallSid", &customer), ("From", "+15551230000")]).await;
    assert_eq!(res.status(), 200);
    let (name, _) = conference_attrs(&res.text().await.unwrap());
    assert_eq!(name, customer);
    let dials = app.stand_in.wait_for_dials(1).await;
    assert_eq!(dials[0].get("To"), Some("client:agent1"));

    let store = app.store().await;
    assert_eq!(store.backend(), warm_transfer::store::Backend::Postgres);
    for _ in 0..100 {
        if store.outbox_entry(&customer, "agent1").await.unwrap().is_some_and(|e| e.status == "sent") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let leg = store.conference_agent(&customer, "agent1").await.unwrap().unwrap().call_sid.expect("leg recorded");
    let res = app.webhook(&format!("/conference/{customer}/connect/agent1"), &[("CallSid", &leg)]).await;
    assert_eq!(res.status(), 200);
    let res = app.server_fn_as("agent1", "dial_agent", &[("from_agent", "agent1"), ("to_agent", "agent2")]).await;
    assert_eq!(res.status(), 200);
    app.stand_in.wait_for_dials(2).await;

    let res = app.webhook("/twilio/status", &[("CallSid", &leg), ("CallStatus", "completed"), ("SequenceNumber", "4")]).await;
    assert_eq!(res.status(), 204);
    assert_eq!(store.call(&leg).await.unwrap().unwrap().status, "completed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_database_dial_each_promise_once() {
    let first = TestApp::spawn_postgres().await;
    let second = first.restart().await;
    for n in 0..10 {
        let app = if n % 2 == 0 { &first } else { &second };
        let res = app.webhook("/conference/connect/client", &[("CallSid", &call_sid(200 + n))]).await;
        assert_eq!(res.status(), 200);
    }
    first.stand_in.wait_for_dials(10).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut urls: Vec<String> = first.stand_in.dials().iter().map(|d| d.get("Url").unwrap().to_string()).collect();
    urls.sort();
    urls.dedup();
    assert_eq!(urls.len(), 10);
    assert_eq!(first.stand_in.dials().len(), 10, "each promised dial is performed exactly once");
}

/// Agent positions are remembered in memory (`store::assignments`); only what exists is
/// remembered, so an instance that never saw a call, or saw an agent missing, still asks the
/// database and answers what it says now.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_joins_through_whichever_instance_twilio_reaches() {
    let first = TestApp::spawn_postgres().await;
    let second = first.restart().await;
    let customer = call_sid(300);
    let res = first.webhook("/conference/connect/client", &[("CallSid", &customer)]).await;
    assert_eq!(res.status(), 200);
    first.stand_in.wait_for_dials(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let agent2_join = format!("/conference/{customer}/connect/agent2");
    for app in [&first, &second] {
        let res = app.webhook(&format!("/conference/{customer}/connect/agent1"), &[("CallSid", &call_sid(301))]).await;
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains(&customer), "joins the customer's conference");
        let res = app.webhook(&agent2_join, &[("CallSid", &call_sid(302))]).await;
        assert_eq!(res.status(), 404, "agent2 is not on this call yet");
    }

    // The first agent answers, then brings agent2 in through the first instance.
    let res = first.server_fn_as("agent1", "dial_agent", &[("from_agent", "agent1"), ("to_agent", "agent2")]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    // The second instance answered 404 for agent2 before; it must not have remembered that.
    let res = second.webhook(&agent2_join, &[("CallSid", &call_sid(302))]).await;
    assert_eq!(res.status(), 200);
    let res = second.webhook(&format!("/conference/{}/connect/agent1", call_sid(399)), &[("CallSid", &call_sid(301))]).await;
    assert_eq!(res.status(), 404, "an unknown conference is still unknown");
}
