//! Test harness: the real application on port 0 with a fresh database, and a local stand-in for
//! api.twilio.com (the simulator, only answering) that records every request and can be told to fail.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use warm_transfer::application::Application;
use warm_transfer::config::{Secret, Settings};
use warm_transfer::ids::AgentId;
use warm_transfer::simulator::{Answering, ApiRequest, Fault, FaultRule, Simulator, SimulatorConfig};
use warm_transfer::twilio::signature;

pub const ACCOUNT_SID: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const API_KEY: &str = "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
pub const API_SECRET: &str = "test-api-secret-Zq9";
pub const AUTH_TOKEN: &str = "test-auth-token-Xy7";
pub const NUMBER: &str = "+15005550006";
pub const PUBLIC_BASE: &str = "https://support.example.com";

/// How the stand-in answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Ok,
    /// Every request fails with this HTTP status (and Twilio's error body).
    Status(u16),
    /// Every request is held 30 s, then dropped (504).
    Hang,
}

/// One request the stand-in received: method, path, form, Basic user, status, created SID.
pub type Recorded = ApiRequest;

/// api.twilio.com for these tests: the built-in simulator answering every request from its own
/// contents ([`Answering::Echo`]) and logging it, while the tests play Twilio's webhooks by hand.
/// It checks the app's credentials as Twilio does; its fault injection is [`StandIn::set_mode`].
#[derive(Clone)]
pub struct StandIn {
    pub base_url: String,
    sim: Simulator,
}

impl StandIn {
    pub async fn start() -> Self {
        let mut cfg = SimulatorConfig::new(ACCOUNT_SID, Secret::new(AUTH_TOKEN), API_KEY, Secret::new(API_SECRET), PUBLIC_BASE, NUMBER);
        cfg.answering = Answering::Echo;
        cfg.calls_per_second = 0.0;
        // The load tests make thousands of requests; every one is asked about.
        cfg.request_log = 1_000_000;
        let sim = Simulator::new(cfg);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let api = warm_transfer::simulator::rest::router(sim.clone());
        tokio::spawn(async move { axum::serve(listener, api).await.unwrap() });
        StandIn { base_url, sim }
    }

    /// From now on every request is answered `mode`'s way.
    pub fn set_mode(&self, mode: Mode) {
        self.sim.clear_faults();
        let fault = match mode {
            Mode::Ok => return,
            Mode::Status(code) => Fault::Status(code),
            Mode::Hang => Fault::Delay(Duration::from_secs(30)),
        };
        self.sim.fail_next(FaultRule::new("*", "", u32::MAX, fault));
    }

    /// The simulator behind the stand-in (its faults, its log).
    pub fn sim(&self) -> &Simulator {
        &self.sim
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.sim.api_requests()
    }

    /// Calls.json creations, in order.
    pub fn dials(&self) -> Vec<Recorded> {
        self.requests().into_iter().filter(|r| r.method == "POST" && r.path.ends_with("/Calls.json")).collect()
    }

    /// Waits up to 10 s for `n` dials to have arrived and been answered (a dial is recorded as
    /// it arrives, and the SID it creates once answered: a test reading `created` under load
    /// must not see it still being handled). Past 10 s, `n` arrived are enough (one may hang).
    pub async fn wait_for_dials(&self, n: usize) -> Vec<Recorded> {
        for _ in 0..200 {
            let d = self.dials();
            if d.len() >= n && d[..n].iter().all(|r| r.status.is_some()) {
                return d;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let d = self.dials();
        if d.len() >= n {
            return d;
        }
        panic!("expected {n} dials, stand-in saw {:?}", self.requests());
    }
}

pub struct TestApp {
    pub base_url: String,
    pub db_url: String,
    pub stand_in: StandIn,
    pub client: reqwest::Client,
    _dir: Arc<tempfile::TempDir>,
}

pub fn settings_with(db_url: &str, twilio_base: &str, extra: &[(&str, &str)]) -> Settings {
    let mut env: HashMap<String, String> = [
        ("TWILIO_ACCOUNT_SID", ACCOUNT_SID),
        ("TWILIO_API_KEY", API_KEY),
        ("TWILIO_API_SECRET", API_SECRET),
        ("TWILIO_AUTH_TOKEN", AUTH_TOKEN),
        ("TWILIO_NUMBER", NUMBER),
        ("PUBLIC_BASE_URL", PUBLIC_BASE),
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0"),
        ("TWILIO_TIMEOUT_MS", "500"),
        ("OUTBOX_BACKOFF_MS", "20"),
        ("OUTBOX_MAX_ATTEMPTS", "3"),
        // The tests count the requests Twilio gets: none of their own at start.
        ("TWILIO_CHECK_AT_START", "false"),
        // The queue's own tests wait as callers did before callbacks (a caller with nobody signed
        // in would be offered one); `after_hours.rs` and `hours.rs` turn them on.
        ("CALLBACK_AFTER_SECS", "0"),
        // The tests time the requests Twilio gets; `pacing.rs` keeps Twilio's pace.
        ("TWILIO_CALLS_PER_SECOND", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    env.insert("DATABASE_URL".into(), db_url.into());
    env.insert("TWILIO_API_BASE_URL".into(), twilio_base.into());
    for (k, v) in extra {
        env.insert(k.to_string(), v.to_string());
    }
    Settings::from_lookup(|k| env.get(k).cloned()).unwrap()
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    pub async fn spawn_with(extra: &[(&str, &str)]) -> Self {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let db_url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        let stand_in = StandIn::start().await;
        Self::spawn_on(dir, db_url, stand_in, extra).await
    }

    /// A second server on the same database and stand-in: a restart.
    pub async fn restart(&self) -> Self {
        self.restart_with(&[]).await
    }

    /// A second server on the same database and stand-in, with these settings.
    pub async fn restart_with(&self, extra: &[(&str, &str)]) -> Self {
        Self::spawn_on(self._dir.clone(), self.db_url.clone(), self.stand_in.clone(), extra).await
    }

    async fn spawn_on(dir: Arc<tempfile::TempDir>, db_url: String, stand_in: StandIn, extra: &[(&str, &str)]) -> Self {
        let settings = settings_with(&db_url, &stand_in.base_url, extra);
        let app = Application::build(settings).await.expect("app starts");
        let base_url = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let app = TestApp { base_url, db_url, stand_in, client: reqwest::Client::new(), _dir: dir };
        for agent in ["agent1", "agent2"] {
            app.add_agent(agent).await;
        }
        app
    }

    /// Creates (or resets) an agent account whose password is [`password_of`] the agent.
    pub async fn add_agent(&self, identity: &str) {
        let hash = warm_transfer::auth::hash_password(&password_of(identity)).unwrap();
        self.store().await.upsert_agent(&AgentId::parse(identity).unwrap(), &format!("Agent {identity}"), &hash).await.unwrap();
    }

    /// Signs in through the server function and returns the session cookie (`name=value`).
    pub async fn sign_in(&self, identity: &str) -> String {
        let res = self.server_fn("sign_in", &[("identity", identity), ("password", &password_of(identity))]).await;
        assert_eq!(res.status(), 200, "sign-in as {identity} failed");
        let set_cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
        set_cookie.split(';').next().unwrap().to_string()
    }

    /// Calls a server function as a signed-in agent.
    pub async fn server_fn_as(&self, identity: &str, endpoint: &str, params: &[(&str, &str)]) -> reqwest::Response {
        let cookie = self.sign_in(identity).await;
        self.client.post(format!("{}/api/{}", self.base_url, endpoint)).header("cookie", cookie).form(params).send().await.unwrap()
    }

    /// POSTs a webhook form as Twilio would: signed over the public URL.
    pub async fn webhook(&self, path: &str, params: &[(&str, &str)]) -> reqwest::Response {
        let owned: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let sig = signature::compute(AUTH_TOKEN, &format!("{PUBLIC_BASE}{path}"), &owned);
        self.client.post(format!("{}{}", self.base_url, path)).header("x-twilio-signature", sig).form(&owned).send().await.unwrap()
    }

    /// POSTs the voice webhook as Twilio would through a proxy or tunnel at `https://{host}` the
    /// app was not told about: signed over that URL, with the forwarded headers a proxy adds.
    /// Answers the response and the signature sent.
    pub async fn webhook_via_tunnel(&self, host: &str, params: &[(String, String)]) -> (reqwest::Response, String) {
        let sig = signature::compute(AUTH_TOKEN, &format!("https://{host}/conference/connect/client"), params);
        let res = self
            .client
            .post(format!("{}/conference/connect/client", self.base_url))
            .header("x-twilio-signature", &sig)
            .header("x-forwarded-proto", "https")
            .header("x-forwarded-host", host)
            .form(params)
            .send()
            .await
            .unwrap();
        (res, sig)
    }

    /// Calls a Leptos server function the way the console does (URL-encoded form, JSON answer).
    pub async fn server_fn(&self, endpoint: &str, params: &[(&str, &str)]) -> reqwest::Response {
        self.client.post(format!("{}/api/{}", self.base_url, endpoint)).form(params).send().await.unwrap()
    }

    pub async fn store(&self) -> warm_transfer::store::Store {
        warm_transfer::store::Store::connect(&self.db_url).await.unwrap()
    }
}

pub fn password_of(identity: &str) -> String {
    format!("pw-{identity}-Kq3z")
}

/// Parses TwiML, failing the test if it is not well-formed.
pub fn conference_attrs(xml: &str) -> (String, HashMap<String, String>) {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("bad TwiML {e}: {xml}"));
    let conf = doc.descendants().find(|n| n.has_tag_name("Conference")).unwrap_or_else(|| panic!("no Conference in {xml}"));
    let attrs = conf.attributes().map(|a| (a.name().to_string(), a.value().to_string())).collect();
    (conf.text().unwrap_or_default().to_string(), attrs)
}

pub fn call_sid(n: u32) -> String {
    format!("CA{:032x}", 0xc0ffee00u64 + n as u64)
}

/// A fresh, empty PostgreSQL database on the local server (`TEST_POSTGRES_URL`, default the
/// machine's `test` database), named uniquely so tests can run in parallel.
/// A fresh database of either kind for a test of the store alone: a new PostgreSQL database, or
/// a SQLite file named `name` in `dir`.
pub async fn fresh_store_url(dir: &std::path::Path, name: &str, postgres: bool) -> String {
    match postgres {
        true => fresh_postgres_url().await,
        false => format!("sqlite://{}?mode=rwc", dir.join(name).display()),
    }
}

pub async fn fresh_postgres_url() -> String {
    use sqlx::Connection;
    let admin = std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL must be reachable at {admin} for these tests: {e}"));
    let name = format!("wt_test_{}_{}", std::process::id(), rand::random::<u32>());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

impl TestApp {
    /// The application on the database at `db_url` (a private server a test controls), with a
    /// stand-in of its own.
    pub async fn spawn_on_url(db_url: &str, extra: &[(&str, &str)]) -> Self {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        Self::spawn_on(dir, db_url.to_string(), StandIn::start().await, extra).await
    }

    /// The same application on a fresh PostgreSQL database.
    pub async fn spawn_postgres() -> Self {
        Self::spawn_postgres_with(&[]).await
    }

    /// The same application on a fresh PostgreSQL database, with these settings.
    pub async fn spawn_postgres_with(extra: &[(&str, &str)]) -> Self {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let stand_in = StandIn::start().await;
        Self::spawn_on(dir, fresh_postgres_url().await, stand_in, extra).await
    }
}

/// The contact center driven the way Twilio and the consoles drive it.
impl TestApp {
    /// The agent asks to be available (as the console does once its phone registered).
    pub async fn available(&self, agent: &str) {
        let res = self.server_fn_as(agent, "presence", &[("status", "available")]).await;
        assert_eq!(res.status(), 200, "{agent} could not go available: {:?}", res.text().await);
    }

    /// A customer calls the support number; returns the TwiML.
    pub async fn customer_calls(&self, call: &str, from: &str) -> String {
        let res = self.webhook("/conference/connect/client", &[("CallSid", call), ("From", from), ("To", NUMBER)]).await;
        assert_eq!(res.status(), 200);
        res.text().await.unwrap()
    }

    /// Twilio fetches the join document of leg `leg` (the agent answered).
    pub async fn agent_answers(&self, call: &str, agent: &str, leg: u32, leg_sid: &str) -> reqwest::Response {
        self.webhook(&format!("/conference/{call}/connect/{agent}?leg={leg}"), &[("CallSid", leg_sid), ("CallStatus", "in-progress")]).await
    }

    /// Twilio reports a final status of an agent's leg.
    pub async fn leg_ends(&self, call: &str, agent: &str, leg: u32, leg_sid: &str, status: &str) {
        let res = self.webhook(&format!("/twilio/legs/{call}/{agent}/{leg}"), &[("CallSid", leg_sid), ("CallStatus", status)]).await;
        assert_eq!(res.status(), 204, "{:?}", res.text().await);
    }

    /// A conference callback tells the app the conference's sid (Twilio sends one when a
    /// participant joins).
    pub async fn conference_joined(&self, call: &str, conference: &str) {
        let res = self
            .webhook(
                "/twilio/status",
                &[("ConferenceSid", conference), ("FriendlyName", call), ("StatusCallbackEvent", "participant-join"), ("CallSid", call)],
            )
            .await;
        assert_eq!(res.status(), 204);
    }

    /// A transfer step as the signed-in `agent` asks for it (`/api/transfer`).
    pub async fn transfer(&self, agent: &str, params: &[(&str, &str)]) -> reqwest::Response {
        self.server_fn_as(agent, "transfer", params).await
    }

    /// The customer's conference ended (they hung up).
    pub async fn conference_ends(&self, call: &str) {
        let res = self
            .webhook(
                "/twilio/status",
                &[
                    ("ConferenceSid", "CF0123456789abcdef0123456789abcdef"),
                    ("FriendlyName", call),
                    ("StatusCallbackEvent", "conference-end"),
                ],
            )
            .await;
        assert_eq!(res.status(), 204);
    }

    /// The agent's presence word as stored (`available`, `away`, `ringing`, …).
    pub async fn presence(&self, agent: &str) -> String {
        let (p, _) = self.store().await.presence_of(agent).await.unwrap().expect("agent exists");
        p.word().to_string()
    }

    /// Waits up to 10 s for the agent's presence to be `word`.
    pub async fn wait_presence(&self, agent: &str, word: &str) {
        for _ in 0..200 {
            if self.presence(agent).await == word {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{agent} never became {word}: still {}", self.presence(agent).await);
    }

    pub async fn timeline(&self, call: &str) -> Vec<String> {
        self.store().await.timeline_texts(call).await.unwrap()
    }
}

impl StandIn {
    /// Waits up to 10 s for a POST to `path_end` whose form has `key=value`.
    pub async fn wait_for_form(&self, path_end: &str, key: &str, value: &str) -> Recorded {
        for _ in 0..200 {
            if let Some(r) = self.updates().into_iter().find(|r| r.path.ends_with(path_end) && r.get(key) == Some(value)) {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected a POST …{path_end} {key}={value}; stand-in saw {:?}", self.requests());
    }

    /// Requests other than dials (cancels, hang-ups), in order.
    pub fn updates(&self) -> Vec<Recorded> {
        self.requests().into_iter().filter(|r| r.method == "POST" && !r.path.ends_with("/Calls.json")).collect()
    }

    /// Waits up to 10 s for a POST to `path_end` with `Status=status`.
    pub async fn wait_for_update(&self, path_end: &str, status: &str) -> Recorded {
        for _ in 0..200 {
            if let Some(r) = self.updates().into_iter().find(|r| r.path.ends_with(path_end) && r.get("Status") == Some(status)) {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected a POST …{path_end} Status={status}; stand-in saw {:?}", self.requests());
    }
}

/// The CallSid the stand-in gives its `n`th created call (1-based), as the app will know it.
pub fn stand_in_sid(n: u64) -> String {
    format!("CA{n:032x}")
}

/// A console stream (`/api/stream`) read event by event.
pub struct Sse {
    res: reqwest::Response,
    buf: String,
    /// The last event id seen (`id:`), as a browser keeps it for `Last-Event-ID`.
    pub last_id: Option<i64>,
}

impl Sse {
    pub fn new(res: reqwest::Response) -> Self {
        Sse { res, buf: String::new(), last_id: None }
    }

    /// The response, to read on (what was already buffered is dropped).
    pub fn into_response(self) -> reqwest::Response {
        self.res
    }

    /// The next event: its name (`message` for views) and its data as JSON.
    pub async fn next_event(&mut self) -> (String, serde_json::Value) {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let event: String = self.buf.drain(..end + 2).collect();
                if let Some(id) = event.lines().find_map(|l| l.strip_prefix("id:")) {
                    self.last_id = id.trim().parse().ok();
                }
                let name =
                    event.lines().find_map(|l| l.strip_prefix("event:")).map(|n| n.trim().to_string()).unwrap_or_else(|| "message".into());
                if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) {
                    return (name, serde_json::from_str(data.trim()).unwrap());
                }
                continue; // a keep-alive comment
            }
            let chunk = tokio::time::timeout(Duration::from_secs(5), self.res.chunk())
                .await
                .expect("an event within 5 s")
                .unwrap()
                .expect("stream open");
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The next view (directories skipped).
    pub async fn next_view(&mut self) -> serde_json::Value {
        loop {
            let (name, data) = self.next_event().await;
            if name == "message" {
                return data;
            }
        }
    }

    /// The next directory (views skipped).
    pub async fn next_directory(&mut self) -> serde_json::Value {
        loop {
            let (name, data) = self.next_event().await;
            if name == "directory" {
                return data;
            }
        }
    }
}

/// Reads an event stream until the server ends it; panics if it is still open after `within`.
/// Answers how long it took.
pub async fn stream_ends_within(mut res: reqwest::Response, within: Duration) -> Duration {
    let started = std::time::Instant::now();
    loop {
        match tokio::time::timeout_at(tokio::time::Instant::from_std(started + within), res.chunk()).await {
            Err(_) => panic!("the stream is still open after {within:?}"),
            Ok(Ok(Some(_))) => continue,
            Ok(Ok(None)) | Ok(Err(_)) => return started.elapsed(),
        }
    }
}
