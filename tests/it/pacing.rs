//! Twilio's pace: the account creates calls at its calls-per-second limit (Twilio queues more,
//! silently), so the app sends them one by one itself, the most urgent first, backs off when
//! Twilio says 429, and shows the supervisor when the pace delays offers.

use std::time::{Duration, Instant};

use warm_transfer::center::AgentRole;
use warm_transfer::ids::AgentId;
use warm_transfer::simulator::{Fault, FaultRule};

use crate::common::{call_sid, Recorded, Sse, TestApp};

const PACE: &[(&str, &str)] = &[("TWILIO_CALLS_PER_SECOND", "1")];

/// Each dial as it arrives at the stand-in, with when it arrived (looked for every 10 ms).
async fn dials_as_they_come(app: &TestApp, n: usize) -> Vec<(Recorded, Instant)> {
    let mut seen: Vec<(Recorded, Instant)> = Vec::new();
    let until = Instant::now() + Duration::from_secs(15);
    while seen.len() < n {
        assert!(Instant::now() < until, "expected {n} dials, saw {:?}", app.stand_in.dials());
        for d in app.stand_in.dials().into_iter().skip(seen.len()) {
            seen.push((d, Instant::now()));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    seen
}

async fn on_a_call_then_a_burst(app: &TestApp) -> Vec<(Recorded, Instant)> {
    for a in ["agent3", "agent4", "agent5", "supervisor1"] {
        app.add_agent(a).await;
    }
    app.available("agent1").await;
    app.customer_calls(&call_sid(1), "+14155550101").await;
    let first = app.stand_in.wait_for_dials(1).await;
    let leg = first[0].created.clone().unwrap();
    assert_eq!(app.agent_answers(&call_sid(1), "agent1", 1, &leg).await.status(), 200);
    // The account's next turn comes a second after that dial.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    // agent5 is the last free, so no caller is offered to them: they are the consult's target.
    for a in ["agent2", "agent3", "agent4", "agent5"] {
        app.available(a).await;
    }
    for n in 2..=4 {
        app.customer_calls(&call_sid(n), &format!("+1415555010{n}")).await;
    }
    let res = app.transfer("agent1", &[("action", "consult"), ("to", "agent5"), ("note", "")]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    dials_as_they_come(app, 5).await
}

async fn a_consult_goes_before_offers_waiting_their_turn(app: TestApp) {
    let dials = on_a_call_then_a_burst(&app).await;
    let to: Vec<&str> = dials.iter().map(|(d, _)| d.get("To").unwrap_or("")).collect();
    // The first offer of the burst went at once; the consult (a customer on hold) overtook the
    // two offers still waiting.
    assert_eq!(to[..3], ["client:agent1", "client:agent2", "client:agent5"], "{to:?}");
    let mut rest = to[3..].to_vec();
    rest.sort();
    assert_eq!(rest, ["client:agent3", "client:agent4"]);
    for pair in dials[1..].windows(2) {
        let gap = pair[1].1 - pair[0].1;
        assert!(gap >= Duration::from_millis(900), "two calls created {gap:?} apart at 1 call per second");
    }
}

#[tokio::test]
async fn calls_are_created_at_the_accounts_pace_and_a_consult_goes_first() {
    a_consult_goes_before_offers_waiting_their_turn(TestApp::spawn_with(PACE).await).await;
}

#[tokio::test]
async fn calls_are_created_at_the_accounts_pace_and_a_consult_goes_first_on_postgres() {
    a_consult_goes_before_offers_waiting_their_turn(TestApp::spawn_postgres_with(PACE).await).await;
}

#[tokio::test]
async fn two_instances_keep_one_pace_between_them() {
    let first = TestApp::spawn_postgres_with(PACE).await;
    let second = first.restart_with(PACE).await;
    for a in ["agent3", "agent4"] {
        first.add_agent(a).await;
    }
    for a in ["agent1", "agent2", "agent3", "agent4"] {
        first.available(a).await;
    }
    for n in 1..=4 {
        let app = if n % 2 == 0 { &first } else { &second };
        app.customer_calls(&call_sid(n), &format!("+1415555010{n}")).await;
    }
    let dials = dials_as_they_come(&first, 4).await;
    for pair in dials.windows(2) {
        let gap = pair[1].1 - pair[0].1;
        assert!(gap >= Duration::from_millis(900), "two instances created calls {gap:?} apart at 1 call per second");
    }
}

#[tokio::test]
async fn the_floor_shows_when_the_pace_delays_offers() {
    let app = TestApp::spawn_with(PACE).await;
    app.add_agent("supervisor1").await;
    app.store().await.set_agent_role(&AgentId::parse("supervisor1").unwrap(), AgentRole::Supervisor).await.unwrap();
    let cookie = app.sign_in("supervisor1").await;
    let res = app.client.get(format!("{}/api/floor/stream", app.base_url)).header("cookie", cookie).send().await.unwrap();
    let mut floor = Sse::new(res);
    assert!(floor.next_view().await.get("pacing").is_none(), "nothing waits yet");
    for a in ["agent3", "agent4"] {
        app.add_agent(a).await;
    }
    for a in ["agent1", "agent2", "agent3", "agent4"] {
        app.available(a).await;
    }
    for n in 1..=4 {
        app.customer_calls(&call_sid(n), &format!("+1415555010{n}")).await;
    }
    let mut most = 0;
    loop {
        let view = floor.next_view().await;
        match view.get("pacing") {
            Some(p) => {
                let waiting = p["waiting"].as_u64().unwrap();
                assert!(p["since"].as_i64().unwrap() <= view["now"].as_i64().unwrap());
                most = most.max(waiting);
            }
            // Every dial went out: the floor says nothing waits any more.
            None if most > 0 => break,
            None => {}
        }
    }
    assert!((1..=3).contains(&most), "at most three offers waited behind the first, saw {most}");
    assert_eq!(app.stand_in.dials().len(), 4);
}

#[tokio::test]
async fn twilio_saying_too_many_requests_slows_the_pace_and_the_offer_still_rings() {
    let app = TestApp::spawn_with(&[("TWILIO_CALLS_PER_SECOND", "10")]).await;
    app.stand_in.sim().fail_next(FaultRule::new("POST", "/Calls.json", 4, Fault::Status(429)));
    app.available("agent1").await;
    app.customer_calls(&call_sid(1), "+14155550101").await;
    // Four 429s, more than OUTBOX_MAX_ATTEMPTS (3): Twilio asked us to wait, it never refused.
    let until = Instant::now() + Duration::from_secs(15);
    loop {
        let dials = app.stand_in.dials();
        if dials.iter().any(|d| d.status == Some(201)) {
            assert_eq!(dials.iter().filter(|d| d.status == Some(429)).count(), 4, "{dials:?}");
            break;
        }
        assert!(Instant::now() < until, "the dial never went through: {dials:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.presence("agent1").await, "ringing");
}
