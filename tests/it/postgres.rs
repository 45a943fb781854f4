//! The PostgreSQL path, for real: several instances behind a load balancer share one database,
//! decide in turn on the `center` row, and tell each other about changes (LISTEN/NOTIFY).
use crate::common::*;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use warm_transfer::center::{Call, CallPhase, Presence};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contact_center_runs_on_postgresql() {
    let app = TestApp::spawn_postgres().await;
    assert_eq!(app.store().await.backend(), warm_transfer::store::Backend::Postgres);
    app.available("agent1").await;
    let customer = call_sid(100);
    let (name, _) = conference_attrs(&app.customer_calls(&customer, "+15551230000").await);
    assert_eq!(name, customer);
    let dials = app.stand_in.wait_for_dials(1).await;
    assert_eq!(dials[0].get("To"), Some("client:agent1"));
    let res = app.agent_answers(&customer, "agent1", 1, &stand_in_sid(1)).await;
    assert_eq!(res.status(), 200);
    app.available("agent2").await;
    let res = app.server_fn_as("agent1", "transfer", &[("action", "consult"), ("to", "agent2")]).await;
    assert_eq!(res.status(), 200);
    app.stand_in.wait_for_dials(2).await;
    app.conference_ends(&customer).await;
    app.wait_presence("agent1", "wrap-up").await;
    assert_eq!(
        app.timeline(&customer).await,
        [
            "queued (caller +15551230000)",
            "offered to agent1",
            "answered by agent1",
            "agent1 consults agent2; customer on hold",
            "agent2 stopped ringing: the caller left",
            "customer hung up"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_never_offer_one_agent_two_calls_nor_one_call_twice() {
    let first = TestApp::spawn_postgres().await;
    let second = first.restart().await;
    first.available("agent1").await;
    second.available("agent2").await;
    let calls: Vec<String> = (0..10).map(|n| call_sid(200 + n)).collect();
    let mut arrivals = Vec::new();
    for (n, call) in calls.iter().enumerate() {
        let app = if n % 2 == 0 { &first } else { &second };
        arrivals.push(app.customer_calls(call, "+15551230000"));
    }
    futures_util::future::join_all(arrivals).await;
    first.stand_in.wait_for_dials(2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let dials = first.stand_in.dials();
    assert_eq!(dials.len(), 2, "two agents, two offers: {dials:?}");
    let agents: HashSet<_> = dials.iter().map(|d| d.get("To").unwrap().to_string()).collect();
    assert_eq!(agents.len(), 2, "one offer per agent");
    let urls: HashSet<_> = dials.iter().map(|d| d.get("Url").unwrap().split("/connect/").next().unwrap().to_string()).collect();
    assert_eq!(urls.len(), 2, "one agent per call");
    assert_invariants(&first).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_on_one_instance_reaches_a_console_on_the_other() {
    let first = TestApp::spawn_postgres().await;
    let second = first.restart().await;
    let cookie = second.sign_in("agent2").await;
    let res = second.client.get(format!("{}/api/stream", second.base_url)).header("cookie", cookie).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let mut stream = Sse::new(res);
    let first_view = stream.next_view().await;
    assert_eq!(first_view["me"]["id"], "agent2");
    let started = std::time::Instant::now();
    first.available("agent1").await;
    loop {
        let directory = stream.next_directory().await;
        let agent1 = directory.as_array().unwrap().iter().find(|a| a["id"] == "agent1").cloned().unwrap();
        if agent1["presence"]["state"] == "available" {
            break;
        }
    }
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
}

/// A console whose instance died reconnects (through the balancer) to another and sends the
/// version of the last view it saw: it resumes from there, never from an older state, and the
/// view it gets holds every change it had seen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_resumes_on_another_instance_from_the_last_view_it_saw() {
    let first = TestApp::spawn_postgres().await;
    let second = first.restart().await;
    let cookie = first.sign_in("agent1").await;
    let open = |app: &TestApp, seen: Option<i64>| {
        let mut req = app.client.get(format!("{}/api/stream", app.base_url)).header("cookie", cookie.clone());
        if let Some(seen) = seen {
            req = req.header("last-event-id", seen.to_string());
        }
        req.send()
    };
    let mut on_first = Sse::new(open(&first, None).await.unwrap());
    on_first.next_view().await;
    first.available("agent1").await;
    let seen = loop {
        let view = on_first.next_view().await;
        if view["me"]["presence"]["state"] == "available" {
            break on_first.last_id.expect("each view carries the version it shows");
        }
    };
    // The first instance dies; the console comes back through the other, right away.
    drop(on_first);
    let mut on_second = Sse::new(open(&second, Some(seen)).await.unwrap());
    let view = on_second.next_view().await;
    assert!(on_second.last_id.unwrap() >= seen, "resumed at {:?}, had seen {seen}", on_second.last_id);
    assert_eq!(view["me"]["presence"]["state"], "available", "{view}");
}

/// Random arrivals, hang-ups, answers, misses, presence changes and transfer steps through two
/// instances on one database: never an agent with two offers (an offer or a transfer ringing),
/// never a call offered twice, no agent on two calls, and every caller is offered once agents
/// are free.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_arrivals_hang_ups_and_presence_changes_on_two_instances_keep_the_rules() {
    use rand::{Rng, SeedableRng};
    let first = TestApp::spawn_postgres().await;
    let second = first.restart().await;
    first.add_agent("agent3").await;
    let agents = ["agent1", "agent2", "agent3"];
    let seed: u64 = std::env::var("PROPTEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(rand::random);
    eprintln!("seed {seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut next_call = 0u32;
    for _round in 0..20 {
        let mut ops = Vec::new();
        for _ in 0..4 {
            let app = if rng.gen_bool(0.5) { &first } else { &second };
            let agent = agents[rng.gen_range(0..agents.len())];
            let op = rng.gen_range(0..14);
            let other = agents[rng.gen_range(0..agents.len())];
            let step = ["complete", "cancel", "three-way", "swap", "leave"][rng.gen_range(0..5)];
            let blind = rng.gen_bool(0.2);
            next_call += 1;
            let new_call = call_sid(500 + next_call);
            let old_call = call_sid(500 + rng.gen_range(1..=next_call));
            ops.push(async move {
                match op {
                    0 => {
                        app.customer_calls(&new_call, "+15551230000").await;
                    }
                    1 | 2 => app.conference_ends(&old_call).await,
                    3 => {
                        app.server_fn_as(agent, "presence", &[("status", "away")]).await;
                    }
                    // Transfer steps, most refused for the state they meet: refusals change nothing.
                    4..=6 if blind => {
                        app.transfer(agent, &[("action", "transfer"), ("to", "queue")]).await;
                    }
                    4..=6 => {
                        app.transfer(agent, &[("action", "consult"), ("to", other)]).await;
                    }
                    7 => {
                        app.transfer(agent, &[("action", step)]).await;
                    }
                    _ => {
                        app.server_fn_as(agent, "presence", &[("status", "available")]).await;
                    }
                }
            });
        }
        futures_util::future::join_all(ops).await;
        // Offers are answered or missed now and then, through either instance.
        for (call, state) in live_calls(&first).await {
            let ringing = state.ringing_leg().and_then(|(party, leg)| party.agent().map(|a| (a.clone(), leg)));
            if let Some((agent, leg)) = ringing {
                let app = if rng.gen_bool(0.5) { &first } else { &second };
                if rng.gen_bool(0.5) {
                    app.agent_answers(call.as_str(), agent.as_str(), leg, &call_sid(900)).await;
                } else {
                    app.leg_ends(call.as_str(), agent.as_str(), leg, &call_sid(900), "no-answer").await;
                }
            }
        }
        assert_invariants(&first).await;
        // The agents on calls take transfer steps, concurrently, through either instance.
        let mut steps = Vec::new();
        let store = first.store().await;
        let mut free = Vec::new();
        for agent in agents {
            if store.presence_of(agent).await.unwrap().is_some_and(|(p, _)| p == Presence::Available) {
                free.push(agent);
            }
        }
        for (_, state) in live_calls(&first).await {
            let Some(owner) = state.owner().cloned() else { continue };
            let app = if rng.gen_bool(0.5) { &first } else { &second };
            // Mostly a colleague who is free (else the consult is only refused).
            let other = if !free.is_empty() && rng.gen_bool(0.8) {
                free[rng.gen_range(0..free.len())]
            } else {
                agents[rng.gen_range(0..agents.len())]
            };
            let to = if rng.gen_bool(0.2) { "queue" } else { other };
            let action = ["consult", "consult", "transfer", "complete", "cancel", "three-way", "swap", "leave"][rng.gen_range(0..8)];
            steps.push(async move {
                let owner = owner.to_string();
                app.transfer(&owner, &[("action", action), ("to", to)]).await;
            });
        }
        futures_util::future::join_all(steps).await;
        assert_invariants(&first).await;
    }
    // Everyone hangs up what they are on, then all agents are free: every waiting caller is
    // offered in turn.
    for (call, state) in live_calls(&first).await {
        if matches!(state.phase(), CallPhase::Connected { .. }) {
            first.conference_ends(call.as_str()).await;
        }
    }
    for _ in 0..40 {
        let live = live_calls(&first).await;
        if live.is_empty() {
            break;
        }
        for agent in agents {
            let _ = second.server_fn_as(agent, "presence", &[("status", "available")]).await;
        }
        for (call, state) in live {
            if let CallPhase::Offered { agent, leg, .. } = state.phase() {
                first.agent_answers(call.as_str(), agent.as_str(), leg, &call_sid(901)).await;
                first.conference_ends(call.as_str()).await;
            }
        }
        assert_invariants(&first).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(live_calls(&first).await.is_empty(), "every caller was offered and served");
    // How much of the run was transfers (printed: the mix depends on the seed).
    let store = first.store().await;
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for n in 1..=next_call {
        for row in store.timeline_texts(&call_sid(500 + n)).await.unwrap() {
            for kind in
                ["consults", "answered the consult", "transfer completed", "cancelled the transfer", "transferred the call", "three-way"]
            {
                if row.contains(kind) {
                    *kinds.entry(kind.to_string()).or_default() += 1;
                }
            }
        }
    }
    eprintln!("transfer steps taken: {kinds:?}");
}

async fn live_calls(app: &TestApp) -> HashMap<String, Call> {
    app.store().await.live_calls().await.unwrap().into_iter().map(|c| (c.sid.to_string(), c)).collect()
}

/// Never an agent with two offers, never a call offered to two agents, and what an agent is
/// ringing for is offered to them.
async fn assert_invariants(app: &TestApp) {
    let store = app.store().await;
    let calls = live_calls(app).await;
    let mut offered_agents = HashSet::new();
    let mut on_calls = HashSet::new();
    for (sid, call) in &calls {
        if let Some((party, _)) = call.ringing_leg() {
            let Some(agent) = party.agent() else { continue };
            assert!(offered_agents.insert(agent.clone()), "{agent} is offered two calls");
            let (presence, _) = store.presence_of(agent.as_str()).await.unwrap().unwrap();
            assert_eq!(presence, Presence::Ringing { call: call.sid.clone() }, "{agent} rings for {sid}");
        }
        let joined_target =
            call.transfer.as_ref().filter(|t| t.stage != warm_transfer::center::Stage::Ringing).and_then(|_| call.target()?.agent());
        for agent in call.owner().into_iter().chain(joined_target) {
            assert!(on_calls.insert(agent.clone()), "{agent} is on two calls");
            let (presence, _) = store.presence_of(agent.as_str()).await.unwrap().unwrap();
            assert_eq!(presence, Presence::OnCall { call: call.sid.clone() }, "{agent} is on {sid}");
        }
    }
    for agent in ["agent1", "agent2", "agent3"] {
        if let Some((Presence::Ringing { call }, _)) = store.presence_of(agent).await.unwrap() {
            let c = calls.get(call.as_str()).unwrap_or_else(|| panic!("{agent} rings for a call that is over"));
            let ringing_for_me = matches!(&c.phase(), CallPhase::Offered { agent: a, .. } if a.as_str() == agent)
                || c.ringing_leg().is_some_and(|(p, _)| p.as_str() == agent);
            assert!(ringing_for_me, "{agent} rings for {call}, which is not offered to them");
        }
    }
}

/// Each instance follows the other's decisions from what their notices name (only the rows a
/// decision wrote are read again; renewed leases are taken as they are): after random traffic
/// through both, with consoles open on both (their heartbeats travel too), a console on the
/// second instance shows what a console on a fresh instance, which read the whole state, shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_that_follows_notices_shows_what_a_fresh_one_reads() {
    use rand::{Rng, SeedableRng};
    let first = TestApp::spawn_postgres().await;
    let second = first.restart().await;
    first.add_agent("agent3").await;
    let mut on_first = open_console(&first, "agent1").await;
    let mut on_second = open_console(&second, "agent2").await;
    let agents = ["agent1", "agent2", "agent3"];
    let seed: u64 = std::env::var("PROPTEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(rand::random);
    eprintln!("seed {seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut next_call = 0u32;
    for _round in 0..6 {
        let mut ops = Vec::new();
        for _ in 0..4 {
            let app = if rng.gen_bool(0.5) { &first } else { &second };
            let agent = agents[rng.gen_range(0..agents.len())];
            let op = rng.gen_range(0..5);
            next_call += 1;
            let new_call = call_sid(700 + next_call);
            let old_call = call_sid(700 + rng.gen_range(1..=next_call));
            ops.push(async move {
                match op {
                    0 | 1 => {
                        app.customer_calls(&new_call, "+15551230000").await;
                    }
                    2 => app.conference_ends(&old_call).await,
                    3 => {
                        app.server_fn_as(agent, "presence", &[("status", "available")]).await;
                    }
                    _ => {
                        app.server_fn_as(agent, "presence", &[("status", "away")]).await;
                    }
                }
            });
        }
        futures_util::future::join_all(ops).await;
        for (call, state) in live_calls(&first).await {
            if let CallPhase::Offered { agent, leg, .. } = state.phase() {
                let app = if rng.gen_bool(0.5) { &first } else { &second };
                if rng.gen_bool(0.5) {
                    app.agent_answers(call.as_str(), agent.as_str(), leg, &call_sid(990)).await;
                } else {
                    app.leg_ends(call.as_str(), agent.as_str(), leg, &call_sid(990), "no-answer").await;
                }
            }
        }
    }
    let third = first.restart().await;
    let mut on_third = open_console(&third, "agent2").await;
    // Time may still move things (a wrap-up ending): compare until both show the same.
    let mut last = (serde_json::Value::Null, serde_json::Value::Null);
    for _ in 0..20 {
        let _ = latest(&mut on_first).await;
        let followed = latest(&mut on_second).await;
        let fresh = latest(&mut on_third).await;
        if followed == fresh {
            return;
        }
        last = (followed.1, fresh.1);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("the second instance's console differs from a fresh instance's: {:#?}", last);
}

async fn open_console(app: &TestApp, agent: &str) -> (Sse, Option<serde_json::Value>, Option<serde_json::Value>) {
    let cookie = app.sign_in(agent).await;
    let res = app.client.get(format!("{}/api/stream", app.base_url)).header("cookie", cookie).send().await.unwrap();
    assert_eq!(res.status(), 200);
    (Sse::new(res), None, None)
}

/// The directory and the view (its presence, call and queue) a console shows once its stream
/// has been quiet for a moment.
async fn latest(console: &mut (Sse, Option<serde_json::Value>, Option<serde_json::Value>)) -> (serde_json::Value, serde_json::Value) {
    let (stream, directory, view) = console;
    while let Ok((name, data)) = tokio::time::timeout(Duration::from_millis(300), stream.next_event()).await {
        if name == "directory" {
            *directory = Some(data);
        } else {
            *view = Some(data);
        }
    }
    let view = view.clone().unwrap_or_default();
    (directory.clone().unwrap_or_default(), serde_json::json!({ "me": view["me"], "call": view["call"], "queue": view["queue"] }))
}

/// An account disabled through one instance while its console (offline: no phone) holds a stream
/// on the other: that stream ends at once too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_an_account_on_one_instance_ends_its_stream_on_the_other() {
    let first = TestApp::spawn_postgres().await;
    let second = first.restart().await;
    first.add_agent("supervisor1").await;
    first
        .store()
        .await
        .set_agent_role(&warm_transfer::ids::AgentId::parse("supervisor1").unwrap(), warm_transfer::center::AgentRole::Supervisor)
        .await
        .unwrap();
    let sup = first.sign_in("supervisor1").await;
    let cookie = second.sign_in("agent2").await;
    let res = second.client.get(format!("{}/api/stream", second.base_url)).header("cookie", cookie).send().await.unwrap();
    let mut sse = Sse::new(res);
    assert_eq!(sse.next_view().await["me"]["presence"]["state"], "offline");
    let res = first
        .client
        .post(format!("{}/api/set_account_disabled", first.base_url))
        .header("cookie", sup)
        .form(&[("identity", "agent2"), ("disabled", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let took = stream_ends_within(sse.into_response(), Duration::from_secs(2)).await;
    eprintln!("the stream on the other instance ended after {took:?}");
}
