//! Latency benchmarks of the contact center against a running release server (`scripts/bench.sh`
//! starts this first, then the server pointed at it as its Twilio):
//!
//! - offer: an agent becomes available (`POST /api/presence`) → the REST request that rings
//!   them arrives here (this program is the server's Twilio stand-in and timestamps it);
//! - consoles: N consoles hold `/api/stream` and F supervisors' floors `/api/floor/stream`, with
//!   W callers waiting; a caller leaves the queue (a signed conference-end callback) → every
//!   console and every floor has the new view (all are affected: the queue count is on each);
//! - fan-out (with `--server2`): two instances on one PostgreSQL; a console streams from the
//!   second, presence changes are made through the first.
//!
//! Usage: `center_bench --port P --server URL [--server2 URL] --public-base URL --auth-token T
//!   --db DATABASE_URL [--server-pid-file FILE] [--agents N] [--offers N] [--rounds N] [--floors F]
//!   [--waiting W]`.
//! Prints `listening on …` once the stand-in accepts, then waits for the server's /healthz.
//! Results are printed as a Markdown table (reported, not asserted).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tokio::sync::Notify;

#[derive(Default)]
struct Seen {
    /// `To` of each Calls.json → when it arrived.
    dials: Mutex<HashMap<String, Instant>>,
    arrived: Notify,
    count: Mutex<u64>,
}

async fn stand_in(State(seen): State<Arc<Seen>>, method: Method, uri: Uri, body: Bytes) -> Response {
    if method == Method::POST && uri.path().ends_with("/Calls.json") {
        let at = Instant::now();
        let to = form_urlencoded::parse(&body).find(|(k, _)| k == "To").map(|(_, v)| v.into_owned()).unwrap_or_default();
        seen.dials.lock().unwrap().insert(to, at);
        seen.arrived.notify_waiters();
        let n = {
            let mut c = seen.count.lock().unwrap();
            *c += 1;
            *c
        };
        let body = format!(r#"{{"sid": "CA{n:032x}", "status": "queued"}}"#);
        return (StatusCode::CREATED, [("content-type", "application/json")], body).into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}

struct Args {
    port: u16,
    server: String,
    server2: Option<String>,
    public_base: String,
    auth_token: String,
    db: String,
    /// A file the server's pid is written to once it runs (it starts after this program).
    server_pid_file: Option<String>,
    agents: usize,
    offers: usize,
    rounds: usize,
    floors: usize,
    waiting: usize,
}

fn args() -> Args {
    let mut map = HashMap::new();
    let raw: Vec<String> = std::env::args().skip(1).collect();
    for pair in raw.chunks(2) {
        if let [k, v] = pair {
            map.insert(k.trim_start_matches("--").to_string(), v.clone());
        }
    }
    let get = |k: &str| map.get(k).cloned();
    let need = |k: &str| get(k).unwrap_or_else(|| panic!("--{k} is required"));
    Args {
        port: need("port").parse().expect("--port"),
        server: need("server"),
        server2: get("server2"),
        public_base: need("public-base"),
        auth_token: need("auth-token"),
        db: need("db"),
        server_pid_file: get("server-pid-file"),
        agents: get("agents").and_then(|v| v.parse().ok()).unwrap_or(500),
        offers: get("offers").and_then(|v| v.parse().ok()).unwrap_or(200),
        rounds: get("rounds").and_then(|v| v.parse().ok()).unwrap_or(40),
        floors: get("floors").and_then(|v| v.parse().ok()).unwrap_or(50),
        waiting: get("waiting").and_then(|v| v.parse().ok()).unwrap_or(1000),
    }
}

struct Client {
    http: reqwest::Client,
    a: Arc<Args>,
}

impl Client {
    async fn webhook(&self, server: &str, path: &str, params: &[(&str, &str)]) -> StatusCode {
        let owned: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let sig = warm_transfer::twilio::signature::compute(&self.a.auth_token, &format!("{}{path}", self.a.public_base), &owned);
        let res = self.http.post(format!("{server}{path}")).header("x-twilio-signature", sig).form(&owned).send().await.expect("webhook");
        res.status()
    }

    async fn sign_in(&self, server: &str, agent: &str) -> String {
        let res = self
            .http
            .post(format!("{server}/api/sign_in"))
            .form(&[("identity", agent), ("password", PASSWORD)])
            .send()
            .await
            .expect("sign in");
        assert!(res.status().is_success(), "sign-in as {agent}: {}", res.status());
        res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string()
    }

    async fn presence(&self, server: &str, cookie: &str, status: &str) {
        let res = self
            .http
            .post(format!("{server}/api/presence"))
            .header("cookie", cookie)
            .form(&[("status", status)])
            .send()
            .await
            .expect("presence");
        let code = res.status();
        assert!(code.is_success(), "presence {status}: {code}: {}", res.text().await.unwrap_or_default());
    }
}

const PASSWORD: &str = "bench-password-1";

fn supervisor(n: usize) -> String {
    format!("sup{n}")
}

fn call_sid(n: usize) -> String {
    format!("CA{:032x}", 0xbe0c_0000_0000u64 + n as u64)
}

fn agent(n: usize) -> String {
    format!("bench{n:04}")
}

fn percentiles(mut v: Vec<f64>) -> String {
    if v.is_empty() {
        return "no samples".into();
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let p = |q: f64| v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1];
    format!("n={} p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms", v.len(), p(0.5), p(0.9), p(0.99), v[v.len() - 1])
}

fn status_kb(pid: u32, key: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(key)).map(|l| l.split_whitespace().nth(1).unwrap_or("?").to_string()))
        .map(|kb| format!("{:.1} MiB", kb.parse::<f64>().unwrap_or(0.0) / 1024.0))
        .unwrap_or_else(|| "?".into())
}

/// One console's stream: every view's `queue.waiting` (and the presence of `watch`) with when
/// it arrived.
async fn read_views(mut res: reqwest::Response, watch: Option<String>, out: Arc<Mutex<Vec<(Instant, i64, String)>>>, first: Arc<Notify>) {
    let mut buf: Vec<u8> = Vec::new();
    let mut seen_first = false;
    // How much of `buf` is known to hold no event's end (a directory event spans many chunks).
    let mut scanned: usize = 0;
    while let Ok(Some(chunk)) = res.chunk().await {
        let at = Instant::now();
        buf.extend_from_slice(&chunk);
        let mut start = 0;
        while let Some(end) = event_end(&buf, start.max(scanned.saturating_sub(1))) {
            let event = &buf[start..end];
            start = end + 2;
            if !seen_first {
                seen_first = true;
                first.notify_one();
            }
            // Views carry the queue; `directory` events (every agent's card) the presences. A
            // console that watches no presence has no use for the directory (~40 KB with 500
            // agents): reading it for each of 500 consoles would cost this harness more CPU than
            // the server spends sending it, on the same cores.
            let directory = event.starts_with(b"event: directory\n");
            if directory && watch.is_none() {
                continue;
            }
            // A floor's frame starts with the queue's count: read it there, not by parsing the
            // whole floor (every agent and call: ~150 KB with 500 agents) 50 times a change on
            // the server's own cores, which would measure this harness rather than the server.
            const FLOOR: &[u8] = b"data: {\"queue\":{\"waiting\":";
            if let Some(rest) = event.strip_prefix(FLOOR) {
                let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
                let waiting = std::str::from_utf8(&rest[..digits]).ok().and_then(|d| d.parse().ok()).unwrap_or(i64::MAX);
                out.lock().unwrap().push((at, waiting, String::new()));
                continue;
            }
            let Ok(event) = std::str::from_utf8(event) else { continue };
            let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) else { continue };
            let Ok(v) = serde_json::from_str::<serde_json::Value>(data.trim()) else { continue };
            if directory {
                let watched = watch.as_ref().and_then(|w| {
                    v.as_array()?.iter().find(|a| a["id"] == w.as_str()).map(|a| a["presence"]["state"].as_str().unwrap_or("").to_string())
                });
                if let Some(watched) = watched {
                    out.lock().unwrap().push((at, i64::MAX, watched));
                }
            } else {
                let waiting = v["queue"]["waiting"].as_i64().unwrap_or(i64::MAX);
                out.lock().unwrap().push((at, waiting, String::new()));
            }
        }
        buf.drain(..start);
        scanned = buf.len();
    }
}

/// Where the event that `buf` holds from `from` on ends (its blank line), if it is all there.
fn event_end(buf: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(n) = buf.get(i..)?.iter().position(|&b| b == b'\n') {
        i += n;
        if buf.get(i + 1) == Some(&b'\n') {
            return Some(i);
        }
        i += 1;
    }
    None
}

#[tokio::main]
async fn main() {
    let a = Arc::new(args());
    let seen = Arc::new(Seen::default());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", a.port)).await.expect("bind");
    println!("listening on {}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(stand_in).with_state(seen.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let http = reqwest::Client::builder().pool_max_idle_per_host(1024).build().unwrap();
    let c = Client { http: http.clone(), a: a.clone() };
    for server in std::iter::once(&a.server).chain(a.server2.as_ref()) {
        let mut up = false;
        for _ in 0..600 {
            if http.get(format!("{server}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
                up = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(up, "{server} did not become healthy");
    }

    // Agents, straight into the database (one password hash for all: argon2 is slow on purpose).
    let store = warm_transfer::store::Store::connect(&a.db).await.expect("database");
    let hash = warm_transfer::auth::hash_password(PASSWORD).unwrap();
    for n in 0..a.agents.max(a.offers + 2) {
        store.upsert_agent(&warm_transfer::ids::AgentId::parse(&agent(n)).unwrap(), &agent(n), &hash).await.unwrap();
    }
    for n in 0..a.floors {
        let id = warm_transfer::ids::AgentId::parse(&supervisor(n)).unwrap();
        store.upsert_agent(&id, &supervisor(n), &hash).await.unwrap();
        store.set_agent_role(&id, warm_transfer::center::AgentRole::Supervisor).await.unwrap();
    }
    let mut report = Vec::new();

    // ---- offer latency -------------------------------------------------------------------------
    let queued = (a.offers + a.rounds + 10).max(a.offers + a.waiting);
    for n in 0..queued {
        let sid = call_sid(n);
        assert_eq!(
            c.webhook(&a.server, "/conference/connect/client", &[("CallSid", &sid), ("From", "+14155550100")]).await,
            StatusCode::OK
        );
    }
    let mut offer = Vec::new();
    for n in 0..a.offers {
        let cookie = c.sign_in(&a.server, &agent(n)).await;
        let to = format!("client:{}", agent(n));
        let t0 = Instant::now();
        c.presence(&a.server, &cookie, "available").await;
        let arrived = loop {
            let notified = seen.arrived.notified();
            if let Some(at) = seen.dials.lock().unwrap().get(&to).copied() {
                break at;
            }
            if tokio::time::timeout(Duration::from_secs(5), notified).await.is_err() {
                panic!("no dial for {to} within 5 s");
            }
        };
        offer.push(arrived.duration_since(t0).as_secs_f64() * 1000.0);
    }
    report.push(format!("| agent available → offer's REST request | {} |", percentiles(offer)));

    // ---- many consoles ----------------------------------------------------------------------------
    let consoles = a.agents;
    let mut cookies = Vec::new();
    for n in 0..consoles {
        cookies.push(c.sign_in(&a.server, &agent(n)).await);
    }
    let mut tasks = Vec::new();
    let mut per_console = Vec::new();
    for cookie in &cookies {
        let res = http.get(format!("{}/api/stream", a.server)).header("cookie", cookie).send().await.expect("stream");
        assert!(res.status().is_success());
        let out = Arc::new(Mutex::new(Vec::new()));
        let first = Arc::new(Notify::new());
        let waiter = first.clone().notified_owned();
        tasks.push(tokio::spawn(read_views(res, None, out.clone(), first)));
        per_console.push(out);
        tokio::time::timeout(Duration::from_secs(10), waiter).await.expect("first view");
    }
    let mut per_floor = Vec::new();
    for n in 0..a.floors {
        let cookie = c.sign_in(&a.server, &supervisor(n)).await;
        let res = http.get(format!("{}/api/floor/stream", a.server)).header("cookie", cookie).send().await.expect("floor");
        assert!(res.status().is_success(), "floor stream: {}", res.status());
        let out = Arc::new(Mutex::new(Vec::new()));
        let first = Arc::new(Notify::new());
        let waiter = first.clone().notified_owned();
        // A floor's frames carry `queue.waiting` as a view does.
        tasks.push(tokio::spawn(read_views(res, None, out.clone(), first)));
        per_floor.push(out);
        tokio::time::timeout(Duration::from_secs(10), waiter).await.expect("first floor");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let server_pid = a.server_pid_file.as_ref().and_then(|f| std::fs::read_to_string(f).ok()).and_then(|p| p.trim().parse::<u32>().ok());
    let rss_with_consoles = server_pid.map(|p| (status_kb(p, "VmRSS:"), status_kb(p, "VmHWM:")));
    // /metrics with every caller waiting and every console open (a server without it: skipped).
    let mut scrapes = Vec::new();
    for _ in 0..100 {
        let t0 = Instant::now();
        let res = http.get(format!("{}/metrics", a.server)).bearer_auth("bench-metrics-token").send().await.expect("metrics");
        if !res.status().is_success() {
            break;
        }
        let _ = res.bytes().await;
        scrapes.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    if !scrapes.is_empty() {
        report.push(format!(
            "| GET /metrics ({} callers waiting, {consoles} agents, consoles and floors open) | {} |",
            queued - a.offers,
            percentiles(scrapes)
        ));
    }
    let mut fan = Vec::new();
    let mut floor_fan = Vec::new();
    for r in 0..a.rounds {
        let before: Vec<usize> = per_console.iter().map(|v| v.lock().unwrap().len()).collect();
        let floors_before: Vec<usize> = per_floor.iter().map(|v| v.lock().unwrap().len()).collect();
        let waiting_before = per_console[0].lock().unwrap().iter().rev().map(|v| v.1).find(|w| *w != i64::MAX).unwrap_or(0);
        let sid = call_sid(a.offers + r);
        let t0 = Instant::now();
        let status = c
            .webhook(
                &a.server,
                "/twilio/status",
                &[
                    ("ConferenceSid", "CF0123456789abcdef0123456789abcdef"),
                    ("FriendlyName", &sid),
                    ("StatusCallbackEvent", "conference-end"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let deadline = Instant::now() + Duration::from_secs(5);
        for (i, v) in per_console.iter().enumerate() {
            loop {
                let got = v.lock().unwrap()[before[i]..].iter().find(|x| x.1 < waiting_before).map(|x| x.0);
                if let Some(at) = got {
                    fan.push(at.duration_since(t0).as_secs_f64() * 1000.0);
                    break;
                }
                if Instant::now() > deadline {
                    panic!("console {i} never saw the queue shrink in round {r}");
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
        for (i, v) in per_floor.iter().enumerate() {
            loop {
                let got = v.lock().unwrap()[floors_before[i]..].iter().find(|x| x.1 < waiting_before).map(|x| x.0);
                if let Some(at) = got {
                    floor_fan.push(at.duration_since(t0).as_secs_f64() * 1000.0);
                    break;
                }
                if Instant::now() > deadline {
                    panic!("floor {i} never saw the queue shrink in round {r}");
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    report.push(format!(
        "| status callback → every one of {consoles} consoles ({} callers waiting) | {} |",
        queued - a.offers,
        percentiles(fan)
    ));
    if a.floors > 0 {
        report.push(format!(
            "| status callback → every one of {} supervisors' floors (the same rounds) | {} |",
            a.floors,
            percentiles(floor_fan)
        ));
    }
    if let Some((rss, hwm)) = rss_with_consoles {
        report.push(format!("| server memory with {consoles} consoles and {} floors streaming | RSS {rss}, peak {hwm} |", a.floors));
    }

    // ---- two instances ---------------------------------------------------------------------------------
    if let Some(server2) = &a.server2 {
        // Nobody may be left waiting: an available agent would be offered them (and then could
        // not go away while it rings).
        for n in a.offers + a.rounds..queued {
            let sid = call_sid(n);
            let cf = [
                ("ConferenceSid", "CF0123456789abcdef0123456789abcdef"),
                ("FriendlyName", sid.as_str()),
                ("StatusCallbackEvent", "conference-end"),
            ];
            c.webhook(&a.server, "/twilio/status", &cf).await;
        }
        let watcher = agent(a.offers);
        let changer = agent(a.offers + 1);
        let cookie2 = c.sign_in(server2, &watcher).await;
        let changer_cookie = c.sign_in(&a.server, &changer).await;
        let res = http.get(format!("{server2}/api/stream")).header("cookie", &cookie2).send().await.expect("stream");
        let out = Arc::new(Mutex::new(Vec::new()));
        let first = Arc::new(Notify::new());
        let waiter = first.clone().notified_owned();
        tasks.push(tokio::spawn(read_views(res, Some(changer.clone()), out.clone(), first)));
        tokio::time::timeout(Duration::from_secs(10), waiter).await.expect("first view");
        let mut cross = Vec::new();
        for r in 0..a.rounds {
            let want = if r % 2 == 0 { "away" } else { "available" };
            let before = out.lock().unwrap().len();
            let t0 = Instant::now();
            c.presence(&a.server, &changer_cookie, want).await;
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                let got = out.lock().unwrap()[before..].iter().find(|x| x.2 == want).map(|x| x.0);
                if let Some(at) = got {
                    cross.push(at.duration_since(t0).as_secs_f64() * 1000.0);
                    break;
                }
                assert!(Instant::now() < deadline, "the second instance's console never saw {changer} {want}");
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        report.push(format!("| change on instance 1 → console on instance 2 (PostgreSQL) | {} |", percentiles(cross)));
    }

    println!("\n| measurement | result |\n| --- | --- |");
    for line in report {
        println!("{line}");
    }
    for t in tasks {
        t.abort();
    }
}
