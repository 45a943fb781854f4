//! The database goes away for a while (SQLite locked by another process; PostgreSQL stopped, on a
//! private server this test starts and stops): no caller is lost or stranded. Callers who ring
//! meanwhile hear the queue's TwiML within a second, Twilio never gets a 5xx, `/healthz` answers
//! 503 at once, `/metrics` and the floor show the outage; once the database is back every one of
//! them is queued in the order they rang (one who hung up meanwhile is not), and an agent is
//! offered them in that order.

use crate::common::*;
use std::process::Command as Process;
use std::time::{Duration, Instant};

/// Callers before the outage, during it, and the one of those who hangs up while it lasts.
const BEFORE: [u32; 2] = [1, 2];
const DURING: [u32; 6] = [3, 4, 5, 6, 7, 8];
const HANGS_UP: u32 = 5;

trait Outage {
    async fn begin(&mut self);
    async fn end(&mut self);
}

/// Another process holds SQLite's write lock (`BEGIN EXCLUSIVE`): reads go on, no write does.
struct SqliteLocked {
    url: String,
    holder: Option<sqlx::AnyConnection>,
}

impl Outage for SqliteLocked {
    async fn begin(&mut self) {
        use sqlx::Connection;
        let mut conn = sqlx::AnyConnection::connect(&self.url).await.unwrap();
        sqlx::query("PRAGMA busy_timeout = 5000").execute(&mut conn).await.unwrap();
        sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await.unwrap();
        self.holder = Some(conn);
    }
    async fn end(&mut self) {
        let mut conn = self.holder.take().unwrap();
        sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
    }
}

/// A PostgreSQL server of this test's own (Debian's binaries, trust auth, on a free port).
struct Cluster {
    dir: tempfile::TempDir,
    port: u16,
    bin: String,
}

impl Cluster {
    fn run(&self, program: &str, args: &[&str]) {
        let path = format!("{}/{program}", self.bin);
        // initdb and postgres refuse to run as root.
        let status = if is_root() {
            Process::new("runuser").args(["-u", "postgres", "--", &path]).args(args).status()
        } else {
            Process::new(&path).args(args).status()
        }
        .unwrap();
        let log = std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect();
        assert!(status.success(), "{program} {args:?} failed; the server's log ends:\n{}", tail.join("\n"));
    }

    fn start() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("Debian's PostgreSQL server binaries (scripts/setup.sh installs them)")
            .flatten()
            .map(|e| e.path().join("bin").display().to_string())
            .max()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let port = port_outside_the_ephemeral_range();
        let cluster = Cluster { dir, port, bin };
        if is_root() {
            assert!(Process::new("chown").args(["-R", "postgres", &cluster.dir.path().display().to_string()]).status().unwrap().success());
        }
        let data = cluster.data();
        cluster.run("initdb", &["-D", &data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        cluster.up();
        cluster
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn up(&self) {
        let options = format!("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off", self.port, self.dir.path().display());
        let log = self.dir.path().join("log").display().to_string();
        self.run("pg_ctl", &["-D", &self.data(), "-o", &options, "-l", &log, "-w", "start"]);
    }

    fn down(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let path = format!("{}/pg_ctl", self.bin);
        let args = ["-D", &self.data(), "-m", "immediate", "stop"];
        let _ = if is_root() {
            Process::new("runuser").args(["-u", "postgres", "--", &path]).args(args).status()
        } else {
            Process::new(&path).args(args).status()
        };
    }
}

/// A free port below the range the system hands out for port 0: while this test's PostgreSQL
/// is stopped, nothing the tests running beside it bind or connect (servers on port 0, their
/// clients' local ports) can take its port, so it always starts again.
fn port_outside_the_ephemeral_range() -> u16 {
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap_or_default();
    let low: u16 = range.split_whitespace().next().and_then(|p| p.parse().ok()).unwrap_or(32_768);
    // Spread by process, so two runs on one machine rarely try the same ports first.
    let first = 20_000 + (std::process::id() % 5_000) as u16;
    (first..low)
        .chain(10_000..first)
        .find(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .expect("a free port below the ephemeral range")
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0).unwrap_or(false)
}

struct Stopped<'a>(&'a Cluster);

impl Outage for Stopped<'_> {
    async fn begin(&mut self) {
        self.0.down();
    }
    async fn end(&mut self) {
        self.0.up();
    }
}

/// Every answer Twilio got, to check none was a 5xx.
#[derive(Default)]
struct Answers(Vec<(String, u16, Duration)>);

impl Answers {
    async fn webhook(&mut self, app: &TestApp, what: &str, path: &str, params: &[(&str, &str)]) -> (u16, String, Duration) {
        let started = Instant::now();
        let res = app.webhook(path, params).await;
        let took = started.elapsed();
        let status = res.status().as_u16();
        self.0.push((what.to_string(), status, took));
        (status, res.text().await.unwrap_or_default(), took)
    }
}

/// A caller rings, joins their conference (Twilio's participant-join) and fetches the wait document.
async fn rings(app: &TestApp, seen: &mut Answers, n: u32) -> Duration {
    let (call, from) = (call_sid(n), format!("+1555123{n:04}"));
    let (status, twiml, took) =
        seen.webhook(app, "voice", "/conference/connect/client", &[("CallSid", &call), ("From", &from), ("To", NUMBER)]).await;
    assert_eq!(status, 200, "caller {n}: {twiml}");
    assert!(twiml.contains("<Conference"), "caller {n} waits in their conference: {twiml}");
    let cf = format!("CF{n:032x}");
    let join = [("ConferenceSid", cf.as_str()), ("FriendlyName", &call), ("StatusCallbackEvent", "participant-join"), ("CallSid", &call)];
    seen.webhook(app, "participant-join", "/twilio/status", &join).await;
    let (status, wait, _) = seen.webhook(app, "wait", "/conference/wait", &[("CallSid", &call), ("From", &from)]).await;
    assert_eq!(status, 200);
    assert!(wait.contains("<Play") || wait.contains("<Say"), "{wait}");
    took
}

/// The live calls as stored, oldest first (by when they queued).
async fn queued_in_order(app: &TestApp) -> Vec<String> {
    use sqlx::Row;
    let pool = sqlx::AnyPool::connect(&app.db_url).await.unwrap();
    let rows =
        sqlx::query("SELECT call_sid FROM customer_calls WHERE live = 1 ORDER BY queued_at, call_sid").fetch_all(&pool).await.unwrap();
    rows.iter().map(|r| r.try_get::<String, _>(0).unwrap()).collect()
}

async fn metrics(app: &TestApp) -> String {
    let res = app.client.get(format!("{}/metrics", app.base_url)).bearer_auth("metrics-token").send().await.unwrap();
    res.text().await.unwrap()
}

async fn healthz(app: &TestApp) -> (u16, Duration) {
    let started = Instant::now();
    let res = app.client.get(format!("{}/healthz", app.base_url)).send().await.unwrap();
    (res.status().as_u16(), started.elapsed())
}

const SETTINGS: [(&str, &str); 2] = [("METRICS_TOKEN", "metrics-token"), ("WRAP_UP_SECS", "0")];

async fn no_caller_is_stranded(app: TestApp, mut outage: impl Outage, lasting: Duration) {
    let mut seen = Answers::default();
    for n in BEFORE {
        rings(&app, &mut seen, n).await;
    }
    app.add_agent("supervisor1").await;
    app.store()
        .await
        .set_agent_role(&warm_transfer::ids::AgentId::parse("supervisor1").unwrap(), warm_transfer::center::AgentRole::Supervisor)
        .await
        .unwrap();
    let sup = app.sign_in("supervisor1").await;
    let floor = app.client.get(format!("{}/api/floor/stream", app.base_url)).header("cookie", &sup).send().await.unwrap();
    let mut floor = Sse::new(floor);
    assert!(floor.next_event().await.1.get("outage").is_none());

    outage.begin().await;
    let began = Instant::now();
    let mut slowest = Duration::ZERO;
    for n in DURING {
        let took = rings(&app, &mut seen, n).await;
        assert!(took < Duration::from_secs(1), "caller {n} waited {took:?} for the voice webhook's answer");
        slowest = slowest.max(took);
    }
    eprintln!("the voice webhook answered every caller during the outage within {slowest:?}");
    // One of them hangs up while kept aside: Twilio says they left their conference.
    let (call, cf) = (call_sid(HANGS_UP), format!("CF{HANGS_UP:032x}"));
    let leave = [("ConferenceSid", cf.as_str()), ("FriendlyName", &call), ("StatusCallbackEvent", "participant-leave"), ("CallSid", &call)];
    seen.webhook(&app, "participant-leave", "/twilio/status", &leave).await;
    let (status, took) = healthz(&app).await;
    assert_eq!(status, 503, "healthz during the outage");
    assert!(took < Duration::from_secs(1), "healthz took {took:?}");
    let m = metrics(&app).await;
    assert!(m.contains("warm_transfer_database_up 0"), "{m}");
    assert!(m.contains(&format!("warm_transfer_callers_aside {}", DURING.len() - 1)), "{m}");
    let shown = loop {
        let (_, view) = floor.next_event().await;
        if let Some(o) = view.get("outage") {
            if o["aside"] == (DURING.len() - 1) as u64 {
                break o.clone();
            }
        }
    };
    assert!(shown["since"].as_i64().unwrap() > 0);
    if let Some(rest) = lasting.checked_sub(began.elapsed()) {
        tokio::time::sleep(rest).await;
    }
    outage.end().await;

    // Back: every caller still there is queued, in the order they rang; the one who hung up is not.
    let expected: Vec<String> = BEFORE.iter().chain(DURING.iter()).filter(|n| **n != HANGS_UP).map(|n| call_sid(*n)).collect();
    let started = Instant::now();
    loop {
        let queued = queued_in_order(&app).await;
        if queued == expected {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "after 20 s the queue is {queued:?}, not {expected:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eprintln!("all callers queued {:?} after the database came back", started.elapsed());
    assert_eq!(healthz(&app).await.0, 200);
    assert!(metrics(&app).await.contains("warm_transfer_database_up 1"));
    loop {
        let (_, view) = floor.next_event().await;
        if view.get("outage").is_none() {
            break;
        }
    }

    // An agent takes them one after another: offered in that same order.
    let mut offered = Vec::new();
    for (i, call) in expected.iter().enumerate() {
        if i == 0 {
            app.available("agent1").await;
        }
        let dial = app.stand_in.wait_for_dials(i + 1).await[i].clone();
        let url = dial.form.iter().find(|(k, _)| k == "Url").map(|(_, v)| v.clone()).unwrap();
        let ringing = expected.iter().find(|c| url.contains(c.as_str())).unwrap_or_else(|| panic!("{url}")).clone();
        offered.push(ringing.clone());
        let leg = dial.created.clone().unwrap();
        assert_eq!(app.agent_answers(&ringing, "agent1", 1, &leg).await.status(), 200);
        app.conference_ends(&ringing).await;
        app.leg_ends(&ringing, "agent1", 1, &leg, "completed").await;
        assert_eq!(&ringing, call);
    }
    assert_eq!(offered, expected);
    let fives: Vec<_> = seen.0.iter().filter(|(_, status, _)| *status >= 500).collect();
    assert!(fives.is_empty(), "Twilio got 5xx: {fives:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_locked_for_a_while_strands_no_caller_and_they_are_offered_in_the_order_they_rang() {
    let app = TestApp::spawn_with(&SETTINGS).await;
    let url = app.db_url.clone();
    no_caller_is_stranded(app, SqliteLocked { url, holder: None }, Duration::from_secs(8)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_stopped_for_ten_seconds_strands_no_caller_and_they_are_offered_in_the_order_they_rang() {
    let cluster = Cluster::start();
    let app = TestApp::spawn_on_url(&cluster.url(), &SETTINGS).await;
    no_caller_is_stranded(app, Stopped(&cluster), Duration::from_secs(10)).await;
}
