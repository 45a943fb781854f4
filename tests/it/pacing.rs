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
    // Watched from now: a dial is timed as it arrives, not when the burst's requests are done.
    let burst = async {
        // agent5 is the last free, so no caller is offered to them: they are the consult's target.
        for a in ["agent2", "agent3", "agent4", "agent5"] {
            app.available(a).await;
        }
        for n in 2..=4 {
            app.customer_calls(&call_sid(n), &format!("+1415555010{n}")).await;
        }
        let res = app.transfer("agent1", &[("action", "consult"), ("to", "agent5"), ("note", "")]).await;
        assert_eq!(res.status(), 200, "{:?}", res.text().await);
    };
    tokio::join!(dials_as_they_come(app, 5), burst).0
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
    at_the_pace(&dials[1..]);
}

/// Calls a second apart, as Twilio receives them: the turns are a second apart; each request
/// then reaches Twilio after a few milliseconds of the sender's own (more on a busy 2-core
/// machine running other tests), so one gap may look shorter, never the run as a whole.
fn at_the_pace(dials: &[(Recorded, Instant)]) {
    let gaps: Vec<Duration> = dials.windows(2).map(|pair| pair[1].1 - pair[0].1).collect();
    let n = gaps.len() as u32;
    let whole = dials[dials.len() - 1].1 - dials[0].1;
    assert!(whole >= Duration::from_millis(950) * n, "{} calls created within {whole:?} at 1 call per second: {gaps:?}", n + 1);
    assert!(gaps.iter().all(|g| *g >= Duration::from_millis(600)), "two calls created too close at 1 call per second: {gaps:?}");
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
    at_the_pace(&dials);
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

/// An instance dies after claiming a dial and before sending it; meanwhile the center withdraws
/// that offer (its cancel is written). When the claim's lease runs out, the dial is never taken
/// again, so the agent is not rung for a call that went to someone else: the cancel is taken,
/// and it finds the dial unsent (and skips it). One that died after sending it: Twilio's report
/// on the leg marks the dial done, so it is not sent twice.
async fn a_dial_withdrawn_while_its_claimant_was_dead_is_never_sent(postgres: bool) {
    use warm_transfer::center::order::LegRef;
    use warm_transfer::center::{Effect, Party, Urgency};
    use warm_transfer::ids::CallSid;
    use warm_transfer::store::outbox::LegReport;
    use warm_transfer::store::{EffectStatus, Store};
    let dir = tempfile::tempdir().unwrap();
    let url = crate::common::fresh_store_url(dir.path(), "outbox.db", postgres).await;
    let store = Store::connect(&url).await.unwrap();
    let (call, other) = (CallSid::parse(&call_sid(1)).unwrap(), CallSid::parse(&call_sid(2)).unwrap());
    let agent = |a: &str| Party::Agent(AgentId::parse(a).unwrap());
    let write = |effects: Vec<(Effect, Option<Urgency>)>| {
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            warm_transfer::store::outbox::write_effects(&mut tx, &effects, 1).await.unwrap();
            tx.commit().await.unwrap();
        }
    };
    write(vec![(Effect::Dial { call: call.clone(), party: agent("agent1"), leg: 1 }, Some(Urgency::Offer))]).await;
    // The instance that dies: it claims the dial for 300 ms and never sends it.
    let (claimed, _) = store.claim_paced(Duration::from_millis(300), None, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    write(vec![
        (Effect::CancelLeg { call: call.clone(), party: agent("agent1"), leg: 1 }, None),
        (Effect::Dial { call: other.clone(), party: agent("agent2"), leg: 1 }, Some(Urgency::Offer)),
    ])
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (dials, _) = store.claim_paced(Duration::from_secs(15), None, 10).await.unwrap();
    assert_eq!(dials.iter().map(|d| d.effect.call().clone()).collect::<Vec<_>>(), vec![other], "only agent2's dial is taken");
    let cancels = store.claim_effects(Duration::from_secs(15), 10).await.unwrap();
    assert!(matches!(cancels.as_slice(), [r] if matches!(r.effect, Effect::CancelLeg { .. })), "{cancels:?}");
    let dial = store.dial_of_leg(&LegRef { call: call.clone(), party: agent("agent1"), leg: 1 }).await.unwrap().unwrap();
    assert!(matches!(dial.status, EffectStatus::Pending) && !dial.in_flight, "the cancel finds it unsent");
    assert!(store.skip_pending_dial(dial.id).await.unwrap());
    let (after, _) = store.claim_paced(Duration::from_secs(15), None, 10).await.unwrap();
    assert!(after.is_empty(), "skipped for good: {after:?}");

    // It had sent the dial before it died: Twilio reports the leg (it rings, it is answered), so
    // the dial is done and never sent a second time.
    let third = CallSid::parse(&call_sid(3)).unwrap();
    write(vec![(Effect::Dial { call: third.clone(), party: agent("agent3"), leg: 1 }, Some(Urgency::Offer))]).await;
    let (claimed, _) = store.claim_paced(Duration::from_millis(300), None, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let leg = CallSid::parse(&call_sid(33)).unwrap();
    store.leg_reported(&LegRef { call: third.clone(), party: agent("agent3"), leg: 1 }, Some(&leg), LegReport::Alive).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (again, _) = store.claim_paced(Duration::from_secs(15), None, 10).await.unwrap();
    assert!(again.is_empty(), "never sent again: {again:?}");
    let dial = store.dial_of_leg(&LegRef { call: third.clone(), party: agent("agent3"), leg: 1 }).await.unwrap().unwrap();
    assert!(matches!(dial.status, EffectStatus::Done) && dial.leg_sid == Some(leg), "{dial:?}");
    assert!(!store.effect_failed(claimed[0].id, "timed out").await.unwrap(), "a late failure leaves it done");
}

#[tokio::test]
async fn a_dial_withdrawn_while_its_claimant_was_dead_is_never_sent_sqlite() {
    a_dial_withdrawn_while_its_claimant_was_dead_is_never_sent(false).await;
}

#[tokio::test]
async fn a_dial_withdrawn_while_its_claimant_was_dead_is_never_sent_postgres() {
    a_dial_withdrawn_while_its_claimant_was_dead_is_never_sent(true).await;
}

/// The customer hung up, so the agent is free for the center; Twilio has not yet said that the
/// agent's own leg is over (it may still be up on their phone for a moment). Their next dial
/// waits for that report, so the browser never rings while the old call is on it; at most
/// `LEG_OVER_WAIT_MS`, so a report lost on its way never keeps the agent from ringing again.
async fn a_dial_waits_until_the_partys_previous_leg_is_reported_over(postgres: bool) {
    use warm_transfer::center::order::LegRef;
    use warm_transfer::center::{Effect, Party, Urgency};
    use warm_transfer::clock::now_ms;
    use warm_transfer::ids::CallSid;
    use warm_transfer::store::outbox::{write_effects, LegReport, LEG_OVER_WAIT_MS};
    use warm_transfer::store::Store;
    let dir = tempfile::tempdir().unwrap();
    let url = crate::common::fresh_store_url(dir.path(), "outbox.db", postgres).await;
    let store = Store::connect(&url).await.unwrap();
    let agent = Party::Agent(AgentId::parse("agent1").unwrap());
    let dial = |n: u32| (Effect::Dial { call: CallSid::parse(&call_sid(n)).unwrap(), party: agent.clone(), leg: 1 }, Some(Urgency::Offer));
    let write = |effects: Vec<(Effect, Option<Urgency>)>, at: i64| {
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            write_effects(&mut tx, &effects, at).await.unwrap();
            tx.commit().await.unwrap();
        }
    };
    let lease = Duration::from_secs(15);
    // The first call's dial went out and was answered; the call is over for the center.
    write(vec![dial(1)], now_ms()).await;
    let (first, _) = store.claim_paced(lease, None, 10).await.unwrap();
    let leg = CallSid::parse(&call_sid(11)).unwrap();
    store.effect_done(first[0].id, Some(&leg)).await.unwrap();
    // The next caller is offered to agent1 at once: the dial waits for the old leg's end.
    write(vec![dial(2)], now_ms()).await;
    let (held, _) = store.claim_paced(lease, None, 10).await.unwrap();
    assert!(held.is_empty(), "rung while the previous leg may be up: {held:?}");
    let old = LegRef { call: CallSid::parse(&call_sid(1)).unwrap(), party: agent.clone(), leg: 1 };
    store.leg_reported(&old, Some(&leg), LegReport::Alive).await.unwrap();
    assert!(store.claim_paced(lease, None, 10).await.unwrap().0.is_empty(), "in progress is not over");
    store.leg_reported(&old, Some(&leg), LegReport::Over).await.unwrap();
    let (rung, _) = store.claim_paced(lease, None, 10).await.unwrap();
    assert_eq!(rung.len(), 1, "rung once Twilio said the old leg is over");

    // A report that never comes holds the next dial no longer than LEG_OVER_WAIT_MS.
    let leg2 = CallSid::parse(&call_sid(12)).unwrap();
    store.effect_done(rung[0].id, Some(&leg2)).await.unwrap();
    write(vec![dial(3)], now_ms() - LEG_OVER_WAIT_MS - 100).await;
    assert_eq!(store.claim_paced(lease, None, 10).await.unwrap().0.len(), 1, "not held past the bound");
}

#[tokio::test]
async fn a_dial_waits_until_the_partys_previous_leg_is_reported_over_sqlite() {
    a_dial_waits_until_the_partys_previous_leg_is_reported_over(false).await;
}

#[tokio::test]
async fn a_dial_waits_until_the_partys_previous_leg_is_reported_over_postgres() {
    a_dial_waits_until_the_partys_previous_leg_is_reported_over(true).await;
}
