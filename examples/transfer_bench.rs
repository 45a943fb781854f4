//! Transfer latencies against a running release server (`scripts/bench.sh --routes transfer`
//! starts this first, then the server pointed at it as its Twilio): the server-side time from
//! the Twilio callback that decides a transfer's outcome to the REST request that moves the
//! customer (takes them off hold), timestamped here, where that request arrives.
//!
//! - blind transfer answered: the target's join webhook (Twilio fetching the join document
//!   when the target answers) → `POST Participants/{customer}.json Hold=false`;
//! - consult failed: the target's leg status callback `no-answer` → the same unhold;
//! - Hold clicked: `POST /api/transfer action=hold` → `POST Participants/{customer}.json Hold=true`.
//!
//! Each round sets up its own call: a caller queues, agent A is offered it and answers, a
//! conference callback tells the conference's sid, agent B becomes available, A transfers.
//! Usage: `transfer_bench --port P --server URL --public-base URL --auth-token T --db URL
//!   [--rounds N]`. Prints `listening on …` once the stand-in accepts, then a Markdown table.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tokio::sync::Notify;

const PASSWORD: &str = "bench-password-1";
const CONFERENCE: &str = "CFbe0cbe0cbe0cbe0cbe0cbe0cbe0cbe0c";

/// What reached the stand-in: dials by `To`, unholds by participant.
#[derive(Default)]
struct Seen {
    dials: Mutex<HashMap<String, Instant>>,
    unholds: Mutex<HashMap<String, Instant>>,
    holds: Mutex<HashMap<String, Instant>>,
    arrived: Notify,
    count: Mutex<u64>,
}

async fn stand_in(State(seen): State<Arc<Seen>>, method: Method, uri: Uri, body: Bytes) -> Response {
    let at = Instant::now();
    let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let path = uri.path();
    if method == Method::POST && path.ends_with("/Calls.json") {
        seen.dials.lock().unwrap().insert(form.get("To").cloned().unwrap_or_default(), at);
        seen.arrived.notify_waiters();
        let n = {
            let mut c = seen.count.lock().unwrap();
            *c += 1;
            *c
        };
        let body = format!(r#"{{"sid": "CA{n:032x}", "status": "queued"}}"#);
        return (StatusCode::CREATED, [("content-type", "application/json")], body).into_response();
    }
    if method == Method::POST && path.contains("/Participants/") {
        let who = path.rsplit('/').next().unwrap_or_default().trim_end_matches(".json").to_string();
        match form.get("Hold").map(String::as_str) {
            Some("false") => seen.unholds.lock().unwrap().insert(who, at),
            Some("true") => seen.holds.lock().unwrap().insert(who, at),
            _ => None,
        };
        seen.arrived.notify_waiters();
        return (StatusCode::OK, [("content-type", "application/json")], "{}").into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}

struct Args {
    port: u16,
    server: String,
    public_base: String,
    auth_token: String,
    db: String,
    rounds: usize,
}

fn args() -> Args {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let map: HashMap<String, String> = raw
        .chunks(2)
        .filter_map(|p| if let [k, v] = p { Some((k.trim_start_matches("--").to_string(), v.clone())) } else { None })
        .collect();
    let need = |k: &str| map.get(k).cloned().unwrap_or_else(|| panic!("--{k} is required"));
    Args {
        port: need("port").parse().expect("--port"),
        server: need("server"),
        public_base: need("public-base"),
        auth_token: need("auth-token"),
        db: need("db"),
        rounds: map.get("rounds").and_then(|v| v.parse().ok()).unwrap_or(100),
    }
}

struct Bench {
    http: reqwest::Client,
    a: Args,
    seen: Arc<Seen>,
}

impl Bench {
    async fn webhook(&self, path: &str, params: &[(&str, &str)]) {
        let owned: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let sig = warm_transfer::twilio::signature::compute(&self.a.auth_token, &format!("{}{path}", self.a.public_base), &owned);
        let res = self.http.post(format!("{}{path}", self.a.server)).header("x-twilio-signature", sig).form(&owned).send().await.unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
    }

    async fn sign_in(&self, agent: &str) -> String {
        let res = self
            .http
            .post(format!("{}/api/sign_in", self.a.server))
            .form(&[("identity", agent), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "sign-in as {agent}: {}", res.status());
        res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string()
    }

    async fn api(&self, cookie: &str, endpoint: &str, params: &[(&str, &str)]) {
        let res = self.http.post(format!("{}/api/{endpoint}", self.a.server)).header("cookie", cookie).form(params).send().await.unwrap();
        let code = res.status();
        assert!(code.is_success(), "{endpoint} {params:?}: {code}: {}", res.text().await.unwrap_or_default());
    }

    /// Waits for `key` in one of the stand-in's maps and returns when it arrived.
    async fn arrival(&self, what: fn(&Seen) -> &Mutex<HashMap<String, Instant>>, key: &str) -> Instant {
        loop {
            let notified = self.seen.arrived.notified();
            if let Some(at) = what(&self.seen).lock().unwrap().get(key).copied() {
                return at;
            }
            if tokio::time::timeout(Duration::from_secs(5), notified).await.is_err() {
                panic!("nothing for {key} within 5 s");
            }
        }
    }

    /// A caller on the line with `a` (who answered leg 1), `b` available: the call's sid and
    /// both agents' cookies.
    async fn on_a_call(&self, n: usize, a: &str, b: &str) -> (String, String, String) {
        let call = format!("CA{:032x}", 0x7ea5_0000_0000u64 + n as u64);
        let (ca, cb) = (self.sign_in(a).await, self.sign_in(b).await);
        self.api(&ca, "presence", &[("status", "available")]).await;
        self.webhook("/conference/connect/client", &[("CallSid", &call), ("From", "+14155550100")]).await;
        self.arrival(|s| &s.dials, &format!("client:{a}")).await;
        self.webhook(&format!("/conference/{call}/connect/{a}?leg=1"), &[("CallSid", "CA00000000000000000000000000000001")]).await;
        self.webhook(
            "/twilio/status",
            &[("ConferenceSid", CONFERENCE), ("FriendlyName", &call), ("StatusCallbackEvent", "participant-join"), ("CallSid", &call)],
        )
        .await;
        self.api(&cb, "presence", &[("status", "available")]).await;
        (call, ca, cb)
    }
}

fn percentiles(mut v: Vec<f64>) -> String {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let p = |q: f64| v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1];
    format!("n={} p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms", v.len(), p(0.5), p(0.9), p(0.99), v[v.len() - 1])
}

fn ms(from: Instant, to: Instant) -> f64 {
    to.duration_since(from).as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let a = args();
    let seen = Arc::new(Seen::default());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", a.port)).await.expect("bind");
    println!("listening on {}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(stand_in).with_state(seen.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();
    let mut up = false;
    for _ in 0..600 {
        if http.get(format!("{}/healthz", a.server)).send().await.is_ok_and(|r| r.status().is_success()) {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "{} did not become healthy", a.server);

    // Agents straight into the database (one password hash for all: argon2 is slow on purpose).
    let store = warm_transfer::store::Store::connect(&a.db).await.expect("database");
    let hash = warm_transfer::auth::hash_password(PASSWORD).unwrap();
    let agents = 4 * a.rounds;
    for n in 0..agents {
        store.upsert_agent(&warm_transfer::ids::AgentId::parse(&format!("tb{n:04}")).unwrap(), "bench", &hash).await.unwrap();
    }
    let b = Bench { http, a, seen };
    let (mut answered, mut failed, mut held) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..b.a.rounds {
        // Blind transfer; the target answers → the customer comes off hold.
        let (x, y) = (format!("tb{:04}", 4 * r), format!("tb{:04}", 4 * r + 1));
        let (call, cx, _) = b.on_a_call(2 * r, &x, &y).await;
        // First, Hold: the click → the REST request that holds the customer.
        let t0 = Instant::now();
        b.api(&cx, "transfer", &[("action", "hold")]).await;
        held.push(ms(t0, b.arrival(|s| &s.holds, &call).await));
        b.api(&cx, "transfer", &[("action", "transfer"), ("to", &y)]).await;
        b.arrival(|s| &s.dials, &format!("client:{y}")).await;
        let t0 = Instant::now();
        b.webhook(&format!("/conference/{call}/connect/{y}?leg=2"), &[("CallSid", "CA00000000000000000000000000000002")]).await;
        answered.push(ms(t0, b.arrival(|s| &s.unholds, &call).await));
        // Out of the way: back from wrap-up, they would be offered the next round's caller.
        b.api(&cx, "presence", &[("status", "away")]).await;

        // Consult; the target does not answer → the customer is back with the first agent.
        let (x, y) = (format!("tb{:04}", 4 * r + 2), format!("tb{:04}", 4 * r + 3));
        let (call, cx, _) = b.on_a_call(2 * r + 1, &x, &y).await;
        b.api(&cx, "transfer", &[("action", "consult"), ("to", &y)]).await;
        b.arrival(|s| &s.dials, &format!("client:{y}")).await;
        let t0 = Instant::now();
        b.webhook(&format!("/twilio/legs/{call}/{y}/2"), &[("CallSid", "CA00000000000000000000000000000003"), ("CallStatus", "no-answer")])
            .await;
        failed.push(ms(t0, b.arrival(|s| &s.unholds, &call).await));
    }
    println!("| measurement | result |");
    println!("|---|---|");
    println!("| blind transfer: target answered (join webhook) → unhold REST request | {} |", percentiles(answered));
    println!("| consult: target no-answer callback → unhold REST request | {} |", percentiles(failed));
    println!("| Hold clicked (`POST /api/transfer action=hold`) → hold REST request | {} |", percentiles(held));
}
