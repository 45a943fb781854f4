//! The account's limits through the router, as the app meets them: 429 (20429) over the
//! concurrent requests, the same answer forced on a chosen request by a fault, 16020 for a full
//! conference, and calls accepted as `queued` that wait for their turn.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use base64::Engine as _;
use serde_json::{json, Value};
use tower::ServiceExt;

use super::router;
use crate::config::Secret;
use crate::simulator::driver::{Answering, Simulator, SimulatorConfig};
use crate::simulator::faults::{Fault, FaultRule};

const ACCOUNT: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const TOKEN: &str = "auth-token";
const NUMBER: &str = "+15005550006";

/// A simulator whose app is nowhere (nothing here makes it call the app).
fn simulator(adjust: impl FnOnce(&mut SimulatorConfig)) -> Simulator {
    let mut cfg = SimulatorConfig::new(
        ACCOUNT,
        Secret::new(TOKEN),
        "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        Secret::new("s"),
        "http://127.0.0.1:9",
        NUMBER,
    );
    adjust(&mut cfg);
    Simulator::new(cfg)
}

fn request(method: &str, path: &str, form: &[(&str, &str)]) -> Request<Body> {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT}:{TOKEN}"));
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    Request::builder()
        .method(method)
        .uri(format!("/2010-04-01/Accounts/{ACCOUNT}{path}"))
        .header("authorization", format!("Basic {auth}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("a valid request")
}

fn create_call(to: &str) -> Request<Body> {
    request("POST", "/Calls.json", &[("To", to), ("From", NUMBER), ("Url", "http://127.0.0.1:9/agent")])
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Value) {
    let res = app.clone().oneshot(req).await.expect("the router answers");
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("a body");
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// `count` requests the simulator holds (an injected delay): they stay in flight.
async fn hold_requests(sim: &Simulator, app: &Router, count: u32) -> Vec<tokio::task::JoinHandle<()>> {
    sim.fail_next(FaultRule::new("GET", "/Conferences.json", count, Fault::Delay(Duration::from_secs(60))));
    let held = (0..count)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move {
                let _ = app.oneshot(request("GET", "/Conferences.json", &[])).await;
            })
        })
        .collect();
    // A request the fault took is past the limit's check, holding its place.
    for _ in 0..5000 {
        if sim.api_requests().iter().filter(|r| r.fault.is_some()).count() == count as usize {
            return held;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("the held requests never arrived");
}

fn too_many_requests() -> Value {
    json!({"code": 20429, "message": "Too Many Requests", "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429})
}

#[tokio::test]
async fn a_request_over_the_concurrent_limit_gets_429_with_20429_and_changes_nothing() {
    // Given an account allowing two requests in flight, and two in flight
    let sim = simulator(|cfg| cfg.max_concurrent_requests = 2);
    let app = router(sim.clone());
    let held = hold_requests(&sim, &app, 2).await;

    // When the app creates a call
    let (status, body) = send(&app, create_call("client:agent1")).await;

    // Then Twilio's 429 answers it, and no call was made
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body, too_many_requests());
    assert!(sim.snapshot().calls.is_empty());
    assert_eq!(sim.api_requests().last().and_then(|r| r.status), Some(429), "logged as answered");

    // And once the held requests are gone, the same request is carried out
    for request in held {
        request.abort();
        let _ = request.await;
    }
    let (status, body) = send(&app, create_call("client:agent1")).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::CREATED, Some("queued")));
    assert_eq!(sim.snapshot().calls.len(), 1);
}

#[tokio::test]
async fn a_fault_rule_forces_a_429_with_20429_on_a_chosen_request() {
    // Given a fault rule for the next call created
    let sim = simulator(|_| {});
    let app = router(sim.clone());
    sim.fail_next(FaultRule::new("POST", "/Calls.json", 1, Fault::TOO_MANY_REQUESTS));

    // When the app creates a call, twice
    let first = send(&app, create_call("client:agent1")).await;
    let second = send(&app, create_call("client:agent1")).await;

    // Then the first gets Twilio's 429, exactly as the limit answers it, and the second goes through
    assert_eq!(first, (StatusCode::TOO_MANY_REQUESTS, too_many_requests()));
    assert_eq!(second.0, StatusCode::CREATED);
    assert_eq!(sim.snapshot().calls.len(), 1);
}

#[tokio::test]
async fn the_bare_stand_in_has_no_limit_on_requests_in_flight() {
    // Given the stand-in allowing one request in flight, and one in flight
    let sim = simulator(|cfg| {
        cfg.answering = Answering::Echo;
        cfg.max_concurrent_requests = 1;
    });
    let app = router(sim.clone());
    let _held = hold_requests(&sim, &app, 1).await;

    // When another arrives, then it is answered as ever
    assert_eq!(send(&app, create_call("client:agent1")).await.0, StatusCode::CREATED);
}

#[tokio::test]
async fn a_participant_past_the_conference_limit_is_refused_with_16020() {
    // Given conferences of at most two, and two participants added to `room`
    let sim = simulator(|cfg| cfg.max_participants = 2);
    let app = router(sim.clone());
    let add = |to: &'static str| request("POST", "/Conferences/room/Participants.json", &[("From", NUMBER), ("To", to)]);
    assert_eq!(send(&app, add("client:agent1")).await.0, StatusCode::CREATED);
    assert_eq!(send(&app, add("client:agent2")).await.0, StatusCode::CREATED);

    // When a third is added
    let (status, body) = send(&app, add("client:agent3")).await;

    // Then Twilio's 16020 refuses it, and no call was made for it
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!((body["code"].as_u64(), body["status"].as_u64()), (Some(16020), Some(400)));
    assert_eq!(body["more_info"], "https://www.twilio.com/docs/errors/16020");
    assert_eq!(sim.snapshot().calls.len(), 2);
}

#[tokio::test]
async fn calls_created_faster_than_the_accounts_rate_are_accepted_queued_and_can_be_canceled_before_they_start() {
    // Given an account placing a call every 100 s (slower than this test, whatever the machine)
    let sim = simulator(|cfg| cfg.calls_per_second = 0.01);
    let app = router(sim.clone());

    // When two calls are created at once
    let (_, first) = send(&app, create_call("client:agent1")).await;
    let (status, second) = send(&app, create_call("client:agent2")).await;

    // Then both are accepted as queued; the first rings, the second waits its turn
    assert_eq!((status, second["status"].as_str()), (StatusCode::CREATED, Some("queued")));
    let second_sid = second["sid"].as_str().expect("a sid").to_string();
    let state = sim.snapshot();
    let status_of = |sid: &str| state.calls.iter().find(|c| c.call_sid.as_str() == sid).map(|c| c.status.as_str());
    assert_eq!(status_of(first["sid"].as_str().unwrap()), Some("ringing"));
    assert_eq!(status_of(&second_sid), Some("queued"));
    assert_eq!((state.pacing.waiting, state.pacing.interval_ms), (1, Some(100_000)));
    let (_, fetched) = send(&app, request("GET", &format!("/Calls/{second_sid}.json"), &[])).await;
    assert_eq!(fetched["status"], "queued");

    // And canceled before its turn, it is gone from the queue and never rings
    let (status, canceled) = send(&app, request("POST", &format!("/Calls/{second_sid}.json"), &[("Status", "canceled")])).await;
    assert_eq!((status, canceled["status"].as_str()), (StatusCode::OK, Some("canceled")));
    assert_eq!(sim.snapshot().pacing.waiting, 0);
    assert!(sim.ringing_for("agent2").is_empty());

    // And the first, answered, is left alone by a cancel (200, still in progress, as Twilio
    // does); `completed` hangs it up
    let first_sid = first["sid"].as_str().unwrap().to_string();
    sim.answer(&crate::ids::CallSid::parse(&first_sid).unwrap()).unwrap();
    let (status, left) = send(&app, request("POST", &format!("/Calls/{first_sid}.json"), &[("Status", "canceled")])).await;
    assert_eq!((status, left["status"].as_str()), (StatusCode::OK, Some("in-progress")));
    let (status, ended) = send(&app, request("POST", &format!("/Calls/{first_sid}.json"), &[("Status", "completed")])).await;
    assert_eq!((status, ended["status"].as_str()), (StatusCode::OK, Some("completed")));
}
