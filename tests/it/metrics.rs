//! `GET /metrics`: off without a token, 401 without the right one, and after a scripted flow
//! (an offer answered, a caller who gives up, a console open) the values, read with a
//! Prometheus text-format parser, are what happened.

use crate::common::*;

const TOKEN: &str = "metrics-token-7Qx";

async fn scrape(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let req = app.client.get(format!("{}/metrics", app.base_url));
    let req = match token {
        Some(t) => req.header("authorization", format!("Bearer {t}")),
        None => req,
    };
    req.send().await.unwrap()
}

fn value(scrape: &prometheus_parse::Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    let sample = scrape
        .samples
        .iter()
        .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .unwrap_or_else(|| panic!("no {name} {labels:?} in {:?}", scrape.samples.iter().map(|s| &s.metric).collect::<Vec<_>>()));
    match sample.value {
        prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Gauge(v) | prometheus_parse::Value::Untyped(v) => v,
        ref other => panic!("{name} is {other:?}"),
    }
}

#[tokio::test]
async fn metrics_are_off_without_a_token_and_need_the_right_one() {
    let app = TestApp::spawn().await;
    assert_eq!(scrape(&app, None).await.status(), 404);
    let app = TestApp::spawn_with(&[("METRICS_TOKEN", TOKEN)]).await;
    assert_eq!(scrape(&app, None).await.status(), 401);
    assert_eq!(scrape(&app, Some("wrong")).await.status(), 401);
    assert_eq!(scrape(&app, Some(TOKEN)).await.status(), 200);
}

#[tokio::test]
async fn after_a_scripted_flow_the_metrics_say_what_happened() {
    let app = TestApp::spawn_with(&[("METRICS_TOKEN", TOKEN)]).await;
    let cookie = app.sign_in("agent2").await;
    let console = app.client.get(format!("{}/api/stream", app.base_url)).header("cookie", cookie).send().await.unwrap();
    let mut console = Sse::new(console);
    console.next_view().await;

    app.available("agent1").await;
    let first = call_sid(1);
    app.customer_calls(&first, "+15551230001").await;
    let leg = app.stand_in.wait_for_dials(1).await[0].created.clone().unwrap();
    assert_eq!(app.agent_answers(&first, "agent1", 1, &leg).await.status(), 200);
    // A second caller waits (agent2 is not available), then gives up.
    app.customer_calls(&call_sid(2), "+15551230002").await;
    app.conference_ends(&call_sid(2)).await;
    // A third waits on.
    app.customer_calls(&call_sid(3), "+15551230003").await;

    let res = scrape(&app, Some(TOKEN)).await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("Prometheus text format");
    assert_eq!(value(&scrape, "warm_transfer_offers_total", &[]), 1.0);
    assert_eq!(value(&scrape, "warm_transfer_answers_total", &[]), 1.0);
    assert_eq!(value(&scrape, "warm_transfer_misses_total", &[]), 0.0);
    assert_eq!(value(&scrape, "warm_transfer_abandons_total", &[]), 1.0);
    assert_eq!(value(&scrape, "warm_transfer_callers_waiting", &[("queue", "main")]), 1.0);
    assert!(value(&scrape, "warm_transfer_longest_wait_seconds", &[("queue", "main")]) >= 0.0);
    assert_eq!(value(&scrape, "warm_transfer_agents", &[("presence", "on-call")]), 1.0);
    assert_eq!(value(&scrape, "warm_transfer_agents", &[("presence", "available")]), 0.0);
    assert_eq!(value(&scrape, "warm_transfer_console_streams", &[]), 1.0);
    assert_eq!(value(&scrape, "warm_transfer_twilio_requests_total", &[("kind", "dial"), ("outcome", "ok")]), 1.0);
    assert!(value(&scrape, "warm_transfer_decisions_total", &[]) >= 6.0);
    assert!(text.contains("warm_transfer_commit_seconds_bucket"), "{text}");
    assert!(text.contains("warm_transfer_twilio_request_seconds_bucket{"), "{text}");
    assert!(!text.contains(AUTH_TOKEN) && !text.contains(API_SECRET));
}
