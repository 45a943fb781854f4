//! Hostile or broken input gets a clear error and changes nothing; a failing Twilio never
//! costs the caller their conference.
#![cfg(feature = "ssr")]

mod common;

use common::*;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voice_webhook_without_a_call_sid_is_refused_with_the_reason() {
    let app = TestApp::spawn().await;
    let res = app.webhook("/conference/connect/client", &[("From", "+15551230000")]).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("CallSid"));
    let res = app.webhook("/conference/connect/client", &[("CallSid", "CAnot-a-sid")]).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("CallSid"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(app.stand_in.dials().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joining_an_unknown_conference_or_as_an_unknown_agent_is_404() {
    let app = TestApp::spawn().await;
    let customer = call_sid(10);
    let res = app.webhook(&format!("/conference/{customer}/connect/agent1"), &[]).await;
    assert_eq!(res.status(), 404);
    app.webhook("/conference/connect/client", &[("CallSid", &customer)]).await;
    let res = app.webhook(&format!("/conference/{customer}/connect/agent9"), &[]).await;
    assert_eq!(res.status(), 404);
    let res = app.webhook(&format!("/conference/{customer}/connect/agent2"), &[]).await;
    assert_eq!(res.status(), 404, "agent2 was never dialled into this conference");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_or_unsigned_webhook_is_403_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let customer = call_sid(11);
    let url = format!("{}/conference/connect/client", app.base_url);
    let res = app.client.post(&url).form(&[("CallSid", customer.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let res = app.client.post(&url).header("x-twilio-signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=").form(&[("CallSid", customer.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert!(app.store().await.call(&customer).await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversize_webhook_body_is_413() {
    let app = TestApp::spawn().await;
    let big = "x".repeat(200 * 1024);
    let res = app.client.post(format!("{}/conference/connect/client", app.base_url)).form(&[("CallSid", big.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), 413);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_callback_without_a_status_is_400() {
    let app = TestApp::spawn().await;
    let res = app.webhook("/twilio/status", &[("CallSid", &call_sid(12))]).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("CallStatus"));
    let res = app.webhook("/twilio/status", &[("CallSid", &call_sid(12)), ("CallStatus", "ringing"), ("SequenceNumber", "x")]).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("SequenceNumber"));
}

async fn customer_gets_conference_while_twilio(mode: Mode, expect_attempts: i64) {
    let app = TestApp::spawn().await;
    app.stand_in.set_mode(mode);
    let customer = call_sid(20);
    let started = std::time::Instant::now();
    let res = app.webhook("/conference/connect/client", &[("CallSid", &customer)]).await;
    assert!(started.elapsed() < Duration::from_millis(400), "the webhook must not wait on Twilio");
    assert_eq!(res.status(), 200);
    let (name, _) = conference_attrs(&res.text().await.unwrap());
    assert_eq!(name, customer);

    let store = app.store().await;
    let mut entry = None;
    for _ in 0..200 {
        entry = store.outbox_entry(&customer, "agent1").await.unwrap();
        if entry.as_ref().is_some_and(|e| e.status == "failed") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let entry = entry.unwrap();
    assert_eq!(entry.status, "failed", "{entry:?}");
    assert_eq!(entry.attempts, expect_attempts, "{entry:?}");
    let error = entry.last_error.unwrap();
    assert!(!error.contains(API_SECRET) && !error.contains(AUTH_TOKEN));
    assert_eq!(store.conference_agent(&customer, "agent1").await.unwrap().unwrap().status, "failed");
    // The server is still up.
    let res = app.client.get(format!("{}/healthz", app.base_url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_refusing_our_credentials_fails_the_dial_without_retrying() {
    customer_gets_conference_while_twilio(Mode::Status(401), 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_failing_with_500_is_retried_then_recorded() {
    customer_gets_conference_while_twilio(Mode::Status(500), 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_hanging_past_the_timeout_is_retried_then_recorded() {
    customer_gets_conference_while_twilio(Mode::Hang, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_server_performs_a_dial_left_in_the_outbox() {
    let app = TestApp::spawn().await;
    // A crash between answering and dialling: the dial is promised but never made.
    let store = app.store().await;
    let customer = call_sid(30);
    let call = warm_transfer::store::NewCustomerCall {
        call_sid: warm_transfer::ids::CallSid::parse(&customer).unwrap(),
        from: "+15551230000".into(),
        to: NUMBER.into(),
        status: "ringing".into(),
    };
    store.open_conference(&call, &warm_transfer::ids::AgentId::parse("agent1").unwrap()).await.unwrap();
    let _restarted = app.restart().await;
    let dials = app.stand_in.wait_for_dials(1).await;
    assert_eq!(dials[0].get("To"), Some("client:agent1"));
    assert!(dials[0].get("Url").unwrap().contains(&customer));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_whose_agent_could_not_be_dialled_keeps_waiting_and_agents_are_told() {
    let app = TestApp::spawn().await;
    app.stand_in.set_mode(Mode::Status(401));
    let customer = call_sid(40);
    let res = app.webhook("/conference/connect/client", &[("CallSid", &customer), ("From", "+15557654321")]).await;
    let (name, attrs) = conference_attrs(&res.text().await.unwrap());
    assert_eq!((name.as_str(), attrs["waitUrl"].as_str()), (customer.as_str(), format!("{PUBLIC_BASE}/conference/wait").as_str()));
    let mut alerts = serde_json::Value::Null;
    for _ in 0..100 {
        alerts = app.server_fn_as("agent2", "dial_failures", &[]).await.json().await.unwrap();
        if alerts.as_array().is_some_and(|a| !a.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let alert = &alerts[0];
    assert_eq!(alert["conference"], customer.as_str());
    assert_eq!(alert["agent"], "agent1");
    assert_eq!(alert["caller"], "+15557654321");
    assert!(alert["error"].as_str().unwrap().contains("401"), "{alert}");
    // Once the customer hangs up, nobody needs telling any more.
    app.webhook("/twilio/status", &[("CallSid", &customer), ("CallStatus", "completed"), ("SequenceNumber", "9")]).await;
    let alerts: serde_json::Value = app.server_fn_as("agent2", "dial_failures", &[]).await.json().await.unwrap();
    assert_eq!(alerts.as_array().unwrap().len(), 0);
    // And nobody signed out sees any of it.
    assert_eq!(app.server_fn("dial_failures", &[]).await.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_caller_number_is_refused_naming_the_field_and_real_ones_pass() {
    let app = TestApp::spawn().await;
    let res = app.webhook("/conference/connect/client", &[("CallSid", &call_sid(60)), ("From", "<script>alert(1)</script>")]).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().starts_with("From:"));
    assert!(app.store().await.call(&call_sid(60)).await.unwrap().is_none(), "nothing stored");
    for (n, from) in [(61, "+15551230000"), (62, "anonymous"), (63, "12345"), (64, "client:agent2")] {
        let res = app.webhook("/conference/connect/client", &[("CallSid", &call_sid(n)), ("From", from)]).await;
        assert_eq!(res.status(), 200, "{from}");
    }
}
