//! Hostile or broken input gets a clear error and changes nothing; a failing Twilio never
//! costs the caller their conference.
use crate::common::*;
use std::time::Duration;
use warm_transfer::store::EffectStatus;

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
async fn joining_an_unknown_call_or_as_an_unknown_agent_is_404_and_a_malformed_leg_400() {
    let app = TestApp::spawn().await;
    let customer = call_sid(10);
    let res = app.webhook(&format!("/conference/{customer}/connect/agent1?leg=1"), &[]).await;
    assert_eq!(res.status(), 404);
    app.customer_calls(&customer, "+15551230000").await;
    let res = app.webhook(&format!("/conference/{customer}/connect/agent9?leg=1"), &[]).await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("agent9"));
    for bad in ["", "?leg=0", "?leg=x", "?leg=-1"] {
        let res = app.webhook(&format!("/conference/{customer}/connect/agent1{bad}"), &[]).await;
        assert_eq!(res.status(), 400, "{bad}");
        assert!(res.text().await.unwrap().contains("leg"));
    }
    // agent2 was never offered this call: told so and hung up, nobody joins.
    let res = app.webhook(&format!("/conference/{customer}/connect/agent2?leg=1"), &[]).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("<Hangup"));
    assert_eq!(app.presence("agent2").await, "offline");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_or_unsigned_webhook_is_403_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let customer = call_sid(11);
    let url = format!("{}/conference/connect/client", app.base_url);
    let res = app.client.post(&url).form(&[("CallSid", customer.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let res = app
        .client
        .post(&url)
        .header("x-twilio-signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        .form(&[("CallSid", customer.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(app.timeline(&customer).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversize_webhook_body_is_413() {
    let app = TestApp::spawn().await;
    let big = "x".repeat(200 * 1024);
    let res =
        app.client.post(format!("{}/conference/connect/client", app.base_url)).form(&[("CallSid", big.as_str())]).send().await.unwrap();
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
    app.available("agent1").await;
    let customer = call_sid(20);
    let started = std::time::Instant::now();
    let res = app.webhook("/conference/connect/client", &[("CallSid", &customer)]).await;
    assert!(started.elapsed() < Duration::from_millis(400), "the webhook must not wait on Twilio");
    assert_eq!(res.status(), 200);
    let (name, _) = conference_attrs(&res.text().await.unwrap());
    assert_eq!(name, customer);

    let store = app.store().await;
    let mut dial = None;
    for _ in 0..200 {
        dial = store.effects_of_call(&customer).await.unwrap().into_iter().find(|e| e.kind == "dial");
        if dial.as_ref().is_some_and(|e| e.status == EffectStatus::Failed) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let dial = dial.unwrap();
    assert_eq!(dial.status, EffectStatus::Failed, "{dial:?}");
    assert_eq!(dial.attempts, expect_attempts, "{dial:?}");
    let error = dial.last_error.unwrap();
    assert!(!error.contains(API_SECRET) && !error.contains(AUTH_TOKEN));
    // The call could not be placed: not the agent's absence, so they are not set away; the
    // caller keeps waiting at the head of the queue, with the reason in the call's timeline, and
    // is offered again (to the only agent there is).
    assert!(store.call_live(&customer).await.unwrap());
    // The dial is marked failed first, then the center is told: wait for its word.
    let not_placed = "agent1: not placed: Twilio did not take the request".to_string();
    let mut timeline = app.timeline(&customer).await;
    for _ in 0..100 {
        if timeline.contains(&not_placed) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        timeline = app.timeline(&customer).await;
    }
    assert!(timeline.contains(&not_placed), "{timeline:?}");
    assert_ne!(app.presence("agent1").await, "away");
    for _ in 0..100 {
        if store.effects_of_call(&customer).await.unwrap().iter().filter(|e| e.kind == "dial").count() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(store.effects_of_call(&customer).await.unwrap().iter().filter(|e| e.kind == "dial").count() >= 2, "offered again");
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
async fn a_dial_that_failed_for_a_while_goes_out_once_twilio_is_back() {
    let app = TestApp::spawn().await;
    app.stand_in.set_mode(Mode::Status(503));
    app.available("agent1").await;
    let customer = call_sid(30);
    app.customer_calls(&customer, "+15551230000").await;
    // A first refusal, then Twilio recovers before the retries run out.
    for _ in 0..100 {
        if !app.stand_in.requests().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    app.stand_in.set_mode(Mode::Ok);
    let dials = app.stand_in.wait_for_dials(2).await;
    assert_eq!(dials.last().unwrap().get("To"), Some("client:agent1"));
    assert_eq!(app.presence("agent1").await, "ringing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_caller_number_is_refused_naming_the_field_and_real_ones_pass() {
    let app = TestApp::spawn().await;
    let res = app.webhook("/conference/connect/client", &[("CallSid", &call_sid(60)), ("From", "<script>alert(1)</script>")]).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().starts_with("From:"));
    assert!(app.timeline(&call_sid(60)).await.is_empty(), "nothing stored");
    for (n, from) in [(61, "+15551230000"), (62, "anonymous"), (63, "12345"), (64, "client:agent2")] {
        let res = app.webhook("/conference/connect/client", &[("CallSid", &call_sid(n)), ("From", from)]).await;
        assert_eq!(res.status(), 200, "{from}");
    }
}
