//! A literal crash: the real server binary, callers queued through the voice webhook, `kill -9`
//! while they are still arriving, and a restart on the same SQLite file. Every caller the
//! server answered (its decision was durable before the answer) is still waiting: queued or
//! offered, never two offers to one agent; and the restarted server offers the queue on.
use crate::common::*;
use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use warm_transfer::center::{CallPhase, Presence};

struct Server {
    child: Child,
    base_url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_server(db_url: &str, stand_in: &StandIn, dir: &std::path::Path) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(env!("CARGO_BIN_EXE_warm-transfer"))
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
        .env("TWILIO_API_KEY", API_KEY)
        .env("TWILIO_API_SECRET", API_SECRET)
        .env("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
        .env("TWILIO_NUMBER", NUMBER)
        .env("TWILIO_API_BASE_URL", &stand_in.base_url)
        .env("PUBLIC_BASE_URL", PUBLIC_BASE)
        .env("DATABASE_URL", db_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the server binary starts");
    let server = Server { child, base_url: format!("http://127.0.0.1:{port}") };
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client.get(format!("{}/healthz", server.base_url)).send().await.is_ok_and(|r| r.status().is_success()) {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not become healthy");
}

/// A caller at the voice webhook, signed as Twilio signs; `true` once the server answered 200.
async fn caller(client: &reqwest::Client, base_url: &str, call: &str) -> bool {
    let params = vec![("CallSid".to_string(), call.to_string()), ("From".into(), "+15551230000".into()), ("To".into(), NUMBER.into())];
    let path = "/conference/connect/client";
    let sig = warm_transfer::twilio::signature::compute(AUTH_TOKEN, &format!("{PUBLIC_BASE}{path}"), &params);
    let sent = client.post(format!("{base_url}{path}")).header("x-twilio-signature", sig).form(&params).send().await;
    sent.is_ok_and(|r| r.status() == 200)
}

/// Signs `agent` in and makes them available, as their console does.
async fn available(client: &reqwest::Client, base_url: &str, agent: &str) {
    let password = password_of(agent);
    let res =
        client.post(format!("{base_url}/api/sign_in")).form(&[("identity", agent), ("password", password.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), 200, "sign-in as {agent}");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let res =
        client.post(format!("{base_url}/api/presence")).header("cookie", cookie).form(&[("status", "available")]).send().await.unwrap();
    assert_eq!(res.status(), 200, "{agent} could not go available: {:?}", res.text().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_answered_before_a_kill_9_are_still_waiting_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}?mode=rwc", dir.path().join("crash.db").display());
    let stand_in = StandIn::start().await;
    let server = start_server(&db_url, &stand_in, dir.path()).await;
    let store = warm_transfer::store::Store::connect(&db_url).await.unwrap();
    let hash = warm_transfer::auth::hash_password(&password_of("agent1")).unwrap();
    store.upsert_agent(&warm_transfer::ids::AgentId::parse("agent1").unwrap(), "Agent agent1", &hash).await.unwrap();
    let hash = warm_transfer::auth::hash_password(&password_of("agent2")).unwrap();
    store.upsert_agent(&warm_transfer::ids::AgentId::parse("agent2").unwrap(), "Agent agent2", &hash).await.unwrap();
    let client = reqwest::Client::new();
    available(&client, &server.base_url, "agent1").await;

    // Callers arrive, 8 at a time, while the server is killed under them.
    let calls: Vec<String> = (0..400).map(|n| call_sid(3000 + n)).collect();
    let answered = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let arrivals = {
        let (client, base_url, calls, answered) = (client.clone(), server.base_url.clone(), calls.clone(), answered.clone());
        tokio::spawn(async move {
            for batch in calls.chunks(8) {
                let outcomes = futures_util::future::join_all(batch.iter().map(|c| caller(&client, &base_url, c))).await;
                for (call, ok) in batch.iter().zip(outcomes) {
                    if ok {
                        answered.lock().unwrap().push(call.clone());
                    }
                }
            }
        })
    };
    while answered.lock().unwrap().len() < 40 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut server = server;
    // SIGKILL: no shutdown, no flush; whatever was not committed is lost.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    arrivals.await.unwrap();
    let answered: Vec<String> = answered.lock().unwrap().clone();
    assert!(answered.len() < calls.len(), "the kill came after every caller: nothing was tested");

    let restarted = start_server(&db_url, &stand_in, dir.path()).await;
    let live: std::collections::HashMap<String, warm_transfer::center::Call> =
        store.live_calls().await.unwrap().into_iter().map(|c| (c.sid.to_string(), c)).collect();
    for call in &answered {
        let c = live.get(call).unwrap_or_else(|| panic!("{call} was answered before the kill but is no longer waiting"));
        assert!(matches!(c.phase(), CallPhase::Queued | CallPhase::Offered { .. }), "{call} is {:?}", c.phase());
    }
    let offered: Vec<_> =
        live.values().filter_map(|c| if let CallPhase::Offered { agent, .. } = c.phase() { Some(agent) } else { None }).collect();
    assert!(offered.len() <= 1 && offered.iter().collect::<HashSet<_>>().len() == offered.len(), "offers: {offered:?}");
    if let Some(agent) = offered.first() {
        let (presence, _) = store.presence_of(agent.as_str()).await.unwrap().unwrap();
        assert!(matches!(presence, Presence::Ringing { .. }), "{agent} has an offer but is {presence:?}");
    }

    // The restarted server goes on with the queue: another agent is offered the next caller.
    let before = stand_in.dials().len();
    available(&client, &restarted.base_url, "agent2").await;
    let dials = stand_in.wait_for_dials(before + 1).await;
    assert_eq!(dials.last().unwrap().get("To"), Some("client:agent2"));
}
