//! Secrets stay secret: through a whole transfer and every way it can fail, no configured secret
//! (API key secret, auth token, the Basic credentials built from them), no agent password and no
//! session token appears in a log line at DEBUG, an HTTP answer (headers and body), the console
//! page, or the database (a session token only in the Set-Cookie that hands it out).
use crate::common::*;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use warm_transfer::store::EffectStatus;

/// Everything the subscriber writes, shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

struct CapturedWriter(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Installs the global subscriber (and the `log` bridge, so reqwest's and sqlx's `log`
    /// records are captured too) at DEBUG. Once per test binary: this file has one test.
    fn install() -> Self {
        let captured = Captured::default();
        let buf = captured.0.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_target(true)
            .with_writer(move || CapturedWriter(buf.clone()))
            .try_init()
            .expect("the only subscriber in this test binary");
        captured
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Everything the outside world got to see, labelled for the failure message.
#[derive(Default)]
struct Exposed(Vec<(String, String)>);

impl Exposed {
    fn add(&mut self, label: impl Into<String>, text: impl Into<String>) {
        self.0.push((label.into(), text.into()));
    }

    /// Records the answer's headers and body; gives back status and body.
    async fn answer(&mut self, label: &str, res: reqwest::Response) -> (u16, String) {
        let status = res.status().as_u16();
        for (name, value) in res.headers() {
            self.add(format!("{label}: header {name}"), String::from_utf8_lossy(value.as_bytes()));
        }
        let body = tokio::time::timeout(Duration::from_secs(20), res.text())
            .await
            .unwrap_or_else(|_| panic!("{label}: the answer's body never finished"))
            .unwrap();
        self.add(format!("{label}: body ({status})"), body.clone());
        (status, body)
    }
}

fn base64_variants(plain: &str) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    use base64::Engine;
    [STANDARD.encode(plain), STANDARD_NO_PAD.encode(plain), URL_SAFE.encode(plain), URL_SAFE_NO_PAD.encode(plain)].into()
}

/// A password someone tried that is not the agent's: it must not be written down either.
const WRONG_PASSWORD: &str = "wrong-password-Pq8v";

/// The needles: the secrets themselves, the Basic credentials the REST client sends, and the
/// agents' passwords (right and wrong).
fn secrets() -> Vec<String> {
    let mut s =
        vec![API_SECRET.to_string(), AUTH_TOKEN.to_string(), password_of("agent1"), password_of("agent2"), WRONG_PASSWORD.to_string()];
    s.extend(base64_variants(&format!("{API_KEY}:{API_SECRET}")));
    s.extend(base64_variants(&format!("{ACCOUNT_SID}:{AUTH_TOKEN}")));
    s.extend(base64_variants(API_SECRET));
    s.extend(base64_variants(AUTH_TOKEN));
    s
}

/// The session token in a sign-in answer's `Set-Cookie`.
fn session_token(res: &reqwest::Response) -> String {
    let set_cookie = res.headers()["set-cookie"].to_str().unwrap();
    let pair = set_cookie.split(';').next().unwrap();
    pair.split_once('=').unwrap().1.to_string()
}

async fn wait_for_failed_dial(app: &TestApp, call: &str) -> warm_transfer::store::EffectRecord {
    let store = app.store().await;
    for _ in 0..200 {
        if let Some(e) =
            store.effects_of_call(call).await.unwrap().into_iter().find(|e| e.kind == "dial" && e.status == EffectStatus::Failed)
        {
            return e;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the dial for {call} never failed: {:?}", store.effects_of_call(call).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_a_log_line_an_answer_the_console_page_or_the_database() {
    let logs = Captured::install();
    let mut seen = Exposed::default();
    let app = TestApp::spawn().await;
    let get = |path: &str| app.client.get(format!("{}{}", app.base_url, path)).send();

    // The console page.
    seen.answer("GET /", get("/").await.unwrap()).await;

    // Signing in: a wrong password, then the right ones; each session token is a secret too,
    // shown once in its own Set-Cookie and nowhere else.
    seen.answer("sign_in wrong password", app.server_fn("sign_in", &[("identity", "agent1"), ("password", WRONG_PASSWORD)]).await).await;
    let mut sessions = Vec::new();
    let mut cookies = Vec::new();
    for agent in ["agent1", "agent2"] {
        let res = app.server_fn("sign_in", &[("identity", agent), ("password", &password_of(agent))]).await;
        let token = session_token(&res);
        let (status, _) = seen.answer(&format!("sign_in {agent}"), res).await;
        assert_eq!(status, 200);
        cookies.push(format!("{}={token}", warm_transfer::auth::COOKIE));
        sessions.push(token);
    }
    let (agent1_cookie, agent2_cookie) = (cookies[0].clone(), cookies[1].clone());
    let as_agent = |cookie: &str, endpoint: &str, params: &[(&str, &str)]| {
        app.client.post(format!("{}/api/{}", app.base_url, endpoint)).header("cookie", cookie).form(params).send()
    };
    seen.answer("whoami", as_agent(&agent1_cookie, "whoami", &[]).await.unwrap()).await;
    seen.answer("GET / signed in", app.client.get(format!("{}/", app.base_url)).header("cookie", &agent1_cookie).send().await.unwrap())
        .await;

    // The whole transfer.
    let customer = call_sid(1);
    let voice = [("CallSid", customer.as_str()), ("From", "+15551230000"), ("To", NUMBER), ("AccountSid", ACCOUNT_SID)];
    let (status, _) = seen.answer("voice", app.webhook("/conference/connect/client", &voice).await).await;
    assert_eq!(status, 200);
    seen.answer("wait", app.webhook("/conference/wait", &[("CallSid", &customer)]).await).await;
    let (status, _) = seen.answer("presence agent1", as_agent(&agent1_cookie, "presence", &[("status", "available")]).await.unwrap()).await;
    assert_eq!(status, 200);
    app.stand_in.wait_for_dials(1).await;
    let leg1 = stand_in_sid(1);
    for (agent, cookie) in [("agent1", &agent1_cookie), ("agent2", &agent2_cookie)] {
        let (status, _) = seen.answer(&format!("token {agent}"), as_agent(cookie, "token", &[("agent", agent)]).await.unwrap()).await;
        assert_eq!(status, 200);
    }
    let join1 = format!("/conference/{customer}/connect/agent1?leg=1");
    let (status, _) = seen.answer("agent1 joins", app.webhook(&join1, &[("CallSid", &leg1)]).await).await;
    assert_eq!(status, 200);
    for step in ["hold", "resume"] {
        let (status, body) = seen.answer(step, as_agent(&agent1_cookie, "transfer", &[("action", step)]).await.unwrap()).await;
        assert_eq!(status, 200, "{step}: {body}");
    }
    seen.answer("presence agent2", as_agent(&agent2_cookie, "presence", &[("status", "available")]).await.unwrap()).await;
    let (status, _) = seen
        .answer("consult", as_agent(&agent1_cookie, "transfer", &[("action", "consult"), ("to", "agent2"), ("note", "vip")]).await.unwrap())
        .await;
    assert_eq!(status, 200);
    app.stand_in.wait_for_dials(2).await;
    let leg2 = stand_in_sid(2);
    let join2 = format!("/conference/{customer}/connect/agent2?leg=2");
    seen.answer("agent2 joins", app.webhook(&join2, &[("CallSid", &leg2)]).await).await;
    for (n, status) in ["ringing", "in-progress", "completed"].iter().enumerate() {
        let seq = (n + 1).to_string();
        let path = format!("/twilio/legs/{customer}/agent1/1");
        let (code, _) = seen
            .answer("call status", app.webhook(&path, &[("CallSid", &leg1), ("CallStatus", status), ("SequenceNumber", &seq)]).await)
            .await;
        assert_eq!(code, 204);
    }
    let cf = "CF0123456789abcdef0123456789abcdef";
    for event in ["conference-start", "participant-join", "conference-end"] {
        seen.answer(
            "conference status",
            app.webhook("/twilio/status", &[("ConferenceSid", cf), ("FriendlyName", &customer), ("StatusCallbackEvent", event)]).await,
        )
        .await;
    }

    // Bad input and forgeries.
    let url = |p: &str| format!("{}{}", app.base_url, p);
    seen.answer("voice without CallSid", app.webhook("/conference/connect/client", &[("From", "+1")]).await).await;
    seen.answer(
        "bad SequenceNumber",
        app.webhook("/twilio/status", &[("CallSid", &leg1), ("CallStatus", "x"), ("SequenceNumber", "x")]).await,
    )
    .await;
    seen.answer("unknown conference", app.webhook(&format!("/conference/{}/connect/agent1?leg=1", call_sid(99)), &[]).await).await;
    seen.answer("unknown agent joins", app.webhook(&format!("/conference/{customer}/connect/agent9?leg=1"), &[]).await).await;
    seen.answer("bad agent joins", app.webhook(&format!("/conference/{customer}/connect/%3Cscript%3E?leg=1"), &[]).await).await;
    let (status, _) = seen
        .answer("unsigned", app.client.post(url("/conference/connect/client")).form(&[("CallSid", call_sid(2))]).send().await.unwrap())
        .await;
    assert_eq!(status, 403);
    let forged = warm_transfer::twilio::signature::compute("not-the-token", &format!("{PUBLIC_BASE}/twilio/status"), &[]);
    let (status, _) = seen
        .answer("forged", app.client.post(url("/twilio/status")).header("x-twilio-signature", forged).body("").send().await.unwrap())
        .await;
    assert_eq!(status, 403);
    let big = "x".repeat(100 * 1024);
    seen.answer("oversize", app.client.post(url("/twilio/status")).form(&[("CallSid", big.as_str())]).send().await.unwrap()).await;
    seen.answer("token not signed in", app.server_fn("token", &[("agent", "agent1")]).await).await;
    seen.answer("token for someone else", as_agent(&agent1_cookie, "token", &[("agent", "agent2")]).await.unwrap()).await;
    seen.answer("token bad agent", as_agent(&agent1_cookie, "token", &[("agent", "<script>")]).await.unwrap()).await;
    seen.answer("token no agent", as_agent(&agent1_cookie, "token", &[]).await.unwrap()).await;
    let forged_cookie = format!("{}=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", warm_transfer::auth::COOKIE);
    seen.answer("token forged session", as_agent(&forged_cookie, "token", &[("agent", "agent1")]).await.unwrap()).await;
    seen.answer("dial unknown agent", as_agent(&agent1_cookie, "transfer", &[("action", "consult"), ("to", "mallory")]).await.unwrap())
        .await;
    seen.answer("dial self", as_agent(&agent2_cookie, "transfer", &[("action", "consult"), ("to", "agent2")]).await.unwrap()).await;
    seen.answer("dial as someone else", as_agent(&agent2_cookie, "transfer", &[("action", "complete")]).await.unwrap()).await;
    seen.answer(
        "dial cross-site",
        app.client
            .post(format!("{}/api/transfer", app.base_url))
            .header("cookie", &agent1_cookie)
            .header("origin", "https://evil.example")
            .form(&[("action", "cancel")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    seen.answer("sign_in unknown agent", app.server_fn("sign_in", &[("identity", "mallory"), ("password", WRONG_PASSWORD)]).await).await;
    seen.answer("unknown page", get("/no/such/page").await.unwrap()).await;

    // Twilio refusing our credentials, failing, hanging: each customer's dial fails for good.
    let mut last_errors = Vec::new();
    for (n, mode, expect_attempts) in [(2u32, Mode::Status(401), 1i64), (3, Mode::Status(500), 3), (4, Mode::Hang, 3)] {
        app.stand_in.set_mode(mode);
        let customer = call_sid(n);
        // agent1 is free again (after wrap-up or a missed call), so the new caller rings them.
        seen.answer("presence", as_agent(&agent1_cookie, "presence", &[("status", "available")]).await.unwrap()).await;
        let (status, _) =
            seen.answer(&format!("voice while {mode:?}"), app.webhook("/conference/connect/client", &[("CallSid", &customer)]).await).await;
        assert_eq!(status, 200);
        let entry = wait_for_failed_dial(&app, &customer).await;
        assert_eq!(entry.attempts, expect_attempts, "{mode:?}: {entry:?}");
        let error = entry.last_error.clone().unwrap_or_else(|| panic!("{mode:?}: no error recorded: {entry:?}"));
        seen.add(format!("outbox last_error while {mode:?}"), error.clone());
        last_errors.push(error);
        app.conference_ends(&customer).await;
        // The console and the agent still work while Twilio is down.
        seen.answer(&format!("token while {mode:?}"), as_agent(&agent1_cookie, "token", &[("agent", "agent1")]).await.unwrap()).await;
    }
    app.stand_in.set_mode(Mode::Ok);
    // The calls' timelines, as the consoles show them.
    for n in 1..=4 {
        seen.add(format!("timeline {n}"), app.timeline(&call_sid(n)).await.join("\n"));
    }
    seen.answer("sign_out", as_agent(&agent2_cookie, "sign_out", &[]).await.unwrap()).await;
    seen.answer("whoami after sign_out", as_agent(&agent2_cookie, "whoami", &[]).await.unwrap()).await;
    // The successful dials' entries too.
    let store = app.store().await;
    for entry in store.effects_of_call(&customer).await.unwrap() {
        seen.add("outbox".to_string(), format!("{entry:?}"));
    }
    seen.answer("GET / at the end", get("/").await.unwrap()).await;
    seen.answer(
        "GET / at the end, signed in",
        app.client.get(format!("{}/", app.base_url)).header("cookie", &agent1_cookie).send().await.unwrap(),
    )
    .await;
    seen.answer("healthz", get("/healthz").await.unwrap()).await;

    // A webhook through a tunnel the app was not told about: Twilio signed the tunnel's URL.
    // It is refused, and the log says which URL it was checked against and what to set.
    let tunnel = "https://tunnel.example.net";
    let params = vec![("CallSid".to_string(), call_sid(77)), ("From".to_string(), "+15551230077".to_string())];
    let (res, tunnel_signature) = app.webhook_via_tunnel("tunnel.example.net", &params).await;
    assert_eq!(seen.answer("webhook through an unknown tunnel", res).await.0, 403);

    // The database files as a whole (SQLite: the file and its journal).
    let db_path = app.db_url.trim_start_matches("sqlite://").split('?').next().unwrap().to_string();
    let dir = std::path::Path::new(&db_path).parent().unwrap();
    let mut db_bytes = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        db_bytes += bytes.len();
        seen.add(format!("database file {}", path.display()), String::from_utf8_lossy(&bytes));
    }
    assert!(db_bytes > 0);

    // Let the dialer's last log lines land, then look.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = logs.text();
    seen.add("captured log", log.clone());

    // The checks can fail: the needles are what really goes over the wire, and capture works.
    // The stand-in accepts only API_KEY:API_SECRET (or the account and AUTH_TOKEN), both needles.
    let first = &app.stand_in.requests()[0];
    assert_eq!((first.user.as_deref(), first.status), (Some(API_KEY), Some(201)), "the needles are the real Basic credentials");
    assert!(!log.is_empty(), "nothing was captured");
    let rest_debug: Vec<&str> =
        log.lines().filter(|l| l.contains("DEBUG") && l.contains("warm_transfer::twilio::rest") && l.contains("twilio request")).collect();
    assert!(rest_debug.len() >= 5, "the REST client's debug lines were captured:\n{log}");
    assert!(rest_debug.iter().any(|l| l.contains("status=401")), "{log}");
    assert!(rest_debug.iter().any(|l| l.contains("twilio request failed")), "the timeouts were logged:\n{log}");
    assert!(log.contains("effect given up"), "{log}");
    let refused: Vec<&str> = log.lines().filter(|l| l.contains("refused a webhook")).collect();
    assert!(
        refused.iter().any(|l| l.contains(&format!("set PUBLIC_BASE_URL={tunnel} (it is {PUBLIC_BASE})"))
            && l.contains(&format!("verified_against={PUBLIC_BASE}/conference/connect/client"))),
        "the refusal names the URL checked and the fix:\n{log}"
    );
    assert!(!log.contains(&tunnel_signature), "a signature never reaches the log");
    assert!(log.contains("refused a webhook: its X-Twilio-Signature does not verify"), "{log}");
    // Every line about a call carries its sid: the hold and resume steps, and the conference's
    // start and end (which name no call of their own: the customer's is the conference's name).
    for step in ["hold", "resume"] {
        let line = log.lines().find(|l| l.contains("call step") && l.contains(&format!("step={step}"))).unwrap_or_else(|| panic!("{log}"));
        assert!(line.contains(&format!("call_sid={customer}")), "{line}");
    }
    // The log is the whole test binary's (one global subscriber; other tests run alongside and
    // end conferences too): the line sought is the one about this customer's conference.
    for event in ["conference-start", "conference-end"] {
        let line = log
            .lines()
            .find(|l| {
                l.contains("route=\"status\"") && l.contains(&format!("event={event}")) && l.contains(&format!("call_sid={customer}"))
            })
            .unwrap_or_else(|| panic!("no {event} line with call_sid={customer}:\n{log}"));
        assert!(line.contains(&format!("conference_sid={cf}")), "{line}");
    }
    assert!(last_errors.iter().any(|e| e.contains("401")), "{last_errors:?}");

    let mut leaks = Vec::new();
    for (label, text) in &seen.0 {
        // A session token is handed out once, in its own sign-in's Set-Cookie.
        let own_cookie = label.starts_with("sign_in agent") && label.ends_with("header set-cookie");
        let needles = secrets().into_iter().chain(sessions.iter().filter(|_| !own_cookie).cloned());
        for secret in needles {
            if text.contains(&secret) {
                let at = text.find(&secret).unwrap();
                let bytes = &text.as_bytes()[at.saturating_sub(200)..(at + 200).min(text.len())];
                let context = String::from_utf8_lossy(bytes);
                leaks.push(format!("{label} contains {secret:?}: …{context}…"));
            }
        }
    }
    let log_lines = log.lines().count();
    let mut targets = std::collections::BTreeMap::<String, usize>::new();
    for line in log.lines() {
        // `2026-…Z  LEVEL target: message`
        let mut words = line.split_whitespace().skip(1);
        if let (Some(level), Some(target)) = (words.next(), words.next()) {
            *targets.entry(format!("{level} {}", target.trim_end_matches(':'))).or_default() += 1;
        }
    }
    eprintln!("captured log lines by level and target: {targets:?}");
    eprintln!(
        "checked {} artefacts ({} answers' headers and bodies, {} log lines, {} bytes of database) for {} needles",
        seen.0.len(),
        seen.0.iter().filter(|(l, _)| l.contains(": body")).count(),
        log_lines,
        db_bytes,
        secrets().len() + sessions.len()
    );
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
}
