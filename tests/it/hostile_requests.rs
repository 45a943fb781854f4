//! 20,000 hostile requests at every route and server function of the running server: random
//! bytes and broken forms, every method, content types that lie, signatures right and wrong,
//! session cookies real, forged and absent, origins from elsewhere. Bad input is the caller's
//! mistake: no answer may be a 5xx, the server stays up, and a customer calling afterwards still
//! gets the queue's TwiML.
//!
//! The requests are drawn from a fixed seed (printed; `HOSTILE_SEED` replays another), so a
//! failure names the exact request that got a 5xx and can be run again.

use crate::common::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use warm_transfer::twilio::signature;

/// How many requests are thrown (the issue's floor).
const REQUESTS: usize = 20_000;
/// How many are in flight at once.
const IN_FLIGHT: usize = 16;

/// A small deterministic generator (xorshift64*): the test must replay exactly.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.next() as u8).collect()
    }
    /// Text that looks like what a field holds, with what breaks parsers mixed in.
    fn text(&mut self) -> String {
        const PIECES: &[&str] = &[
            "CA0123456789abcdef0123456789abcdef",
            "CFffffffffffffffffffffffffffffffff",
            "agent1",
            "agent2",
            "+15551230001",
            "client:agent1",
            "in-progress",
            "completed",
            "participant-leave",
            "1",
            "true",
            "",
            " ",
            "%",
            "%ZZ",
            "%C3%28",
            "&",
            "=",
            "+",
            "\u{0}",
            "\u{202e}",
            "é",
            "😀",
            "<Response/>",
            "'; drop table calls; --",
            "../../etc/passwd",
            "null",
            "[]",
            "{}",
            "-1",
            "99999999999999999999",
            "NaN",
            "available",
            "away",
            "supervisor",
            "queue",
            "sales",
        ];
        (0..self.below(4)).map(|_| *self.pick(PIECES)).collect()
    }
}

/// One request to throw.
#[derive(Debug, Clone)]
struct Thrown {
    method: &'static str,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    signature: Option<String>,
    cookie: Option<String>,
    origin: Option<&'static str>,
    fetch_site: Option<&'static str>,
}

/// Every path the server answers, with its path parameters filled by real-looking and broken ids.
fn paths(draw: &mut Draw, server_fns: &[String]) -> String {
    let sid = |d: &mut Draw| match d.below(4) {
        0 => "CA0123456789abcdef0123456789abcdef".to_string(),
        1 => format!("CA{:032x}", d.next() as u128 * d.next() as u128),
        2 => "not-a-sid".to_string(),
        _ => "%FF%00".to_string(),
    };
    let party = |d: &mut Draw| d.pick(&["agent1", "agent2", "nobody", "%2e%2e", "+15551230001"]).to_string();
    match draw.below(22) {
        0..=7 => draw.pick(server_fns).clone(),
        8 => "/conference/connect/client".into(),
        9 => "/conference/wait".into(),
        10 => "/twilio/status".into(),
        11 => format!("/conference/{}/connect/{}", sid(draw), party(draw)),
        12 => format!("/twilio/legs/{}/{}/{}", sid(draw), party(draw), draw.pick(&["1", "0", "-1", "x"])),
        13 => format!("/twilio/monitor/{}/{}/{}", sid(draw), party(draw), draw.pick(&["1", "2", "z"])),
        14 => format!("/twilio/callback/{}/{}", sid(draw), draw.pick(&["offer", "confirm", "x", ""])),
        15 => format!("/twilio/menu/{}", sid(draw)),
        16 => format!("/twilio/voicemail/{}{}", sid(draw), draw.pick(&["", "/recording", "/transcription"])),
        17 => format!("/api/voicemail/{}/audio", sid(draw)),
        18 => draw.pick(&["/api/stream", "/api/floor/stream", "/healthz", "/metrics", "/vendor/twilio.min.js"]).to_string(),
        19 => draw.pick(&["/", "/floor", "/phone", "/simulator", "/pkg/none.wasm"]).to_string(),
        20 => format!("/api/{}", draw.text().replace('/', "")),
        _ => format!(
            "/{}",
            String::from_utf8_lossy(&draw.bytes(12)).chars().filter(|c| c.is_ascii_graphic() && *c != '?' && *c != '#').collect::<String>()
        ),
    }
}

fn form(draw: &mut Draw) -> Vec<u8> {
    const NAMES: &[&str] = &[
        "CallSid",
        "From",
        "To",
        "CallStatus",
        "ConferenceSid",
        "StatusCallbackEvent",
        "SequenceNumber",
        "Timestamp",
        "Digits",
        "identity",
        "password",
        "agent",
        "to",
        "presence",
        "reason",
        "call",
        "step",
        "kind",
        "queue",
        "RecordingSid",
        "RecordingUrl",
        "RecordingDuration",
        "ReasonParticipantLeft",
        "Hold",
        "Muted",
        "name",
        "role",
        "x",
    ];
    let mut out = Vec::new();
    for i in 0..draw.below(8) {
        if i > 0 {
            out.push(b'&');
        }
        if draw.chance(10) {
            out.extend(draw.bytes(12));
            continue;
        }
        out.extend(draw.pick(NAMES).as_bytes());
        if draw.chance(90) {
            out.push(b'=');
            let value = draw.text();
            if draw.chance(50) {
                out.extend(form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>().as_bytes());
            } else {
                out.extend(value.as_bytes());
            }
        }
    }
    out
}

fn throw(draw: &mut Draw, server_fns: &[String], cookie: &str) -> Thrown {
    let path = paths(draw, server_fns);
    let method = *draw.pick(&["POST", "POST", "POST", "GET", "GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]);
    let content_type = *draw.pick(&[
        None,
        Some("application/x-www-form-urlencoded"),
        Some("application/x-www-form-urlencoded"),
        Some("application/x-www-form-urlencoded; charset=latin1"),
        Some("application/json"),
        Some("text/plain"),
        Some("multipart/form-data; boundary=x"),
        Some("application/cbor"),
        Some("application/octet-stream"),
        Some("text/event-stream"),
    ]);
    let body = match draw.below(10) {
        0..=3 => form(draw),
        4..=5 => draw.bytes(300),
        6 => br#"{"identity":"agent1","password":5,"x":[1,{"#.to_vec(),
        7 => vec![],
        // Just over the webhooks' limit; now and then over the server functions' (2 MB).
        8 => vec![b'a'; if draw.chance(5) { 2 * 1024 * 1024 + 1 } else { 64 * 1024 + 1 }],
        _ => {
            let mut b = form(draw);
            b.extend([0xff, 0xfe, 0xc3, 0x28]);
            b
        }
    };
    let signature = match draw.below(4) {
        0 => None,
        1 => Some("bm90IGEgc2lnbmF0dXJl".to_string()),
        2 => Some(String::from_utf8_lossy(&draw.bytes(30)).chars().filter(|c| c.is_ascii_graphic()).collect()),
        // A valid signature over the form, as if Twilio had sent it (the body may still be bad).
        _ => {
            let params: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
            Some(signature::compute(AUTH_TOKEN, &format!("{PUBLIC_BASE}{path}"), &params))
        }
    };
    let cookie = match draw.below(5) {
        0 | 1 => None,
        2 => Some(cookie.to_string()),
        3 => Some(format!("{cookie}x")),
        _ => Some(format!(
            "session={}",
            String::from_utf8_lossy(&draw.bytes(40)).chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>()
        )),
    };
    let origin = *draw.pick(&[None, None, Some("https://evil.example.org"), Some(PUBLIC_BASE), Some("null")]);
    let fetch_site = *draw.pick(&[None, None, Some("same-origin"), Some("cross-site"), Some("none"), Some("same-site")]);
    Thrown { method, path, content_type, body, signature, cookie, origin, fetch_site }
}

async fn send(client: &reqwest::Client, base: &str, t: &Thrown) -> Result<u16, String> {
    let method = reqwest::Method::from_bytes(t.method.as_bytes()).unwrap();
    let mut rb = client.request(method, format!("{base}{}", t.path)).body(t.body.clone());
    if let Some(ct) = t.content_type {
        rb = rb.header("content-type", ct);
    }
    if let Some(s) = &t.signature {
        rb = rb.header("x-twilio-signature", s);
    }
    if let Some(c) = &t.cookie {
        rb = rb.header("cookie", c);
    }
    if let Some(o) = t.origin {
        rb = rb.header("origin", o);
    }
    if let Some(s) = t.fetch_site {
        rb = rb.header("sec-fetch-site", s);
    }
    // Only the status is read: a stream answered 200 stays open, and is dropped at once.
    match rb.send().await {
        Ok(res) => Ok(res.status().as_u16()),
        // The server may close a connection on a body over its limit before reading it all.
        Err(e) if t.body.len() > 64 * 1024 => Ok(if e.is_timeout() { 0 } else { 413 }),
        Err(e) => Err(format!("no answer: {e}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_thousand_hostile_requests_get_no_5xx_and_the_server_still_takes_calls() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in("agent1").await;
    let mut server_fns: Vec<String> = leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.to_string()).collect();
    server_fns.sort();
    assert!(server_fns.len() > 10 && server_fns.iter().any(|p| p == "/api/sign_in"), "{server_fns:?}");
    let seed = std::env::var("HOSTILE_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_2026_u64);
    eprintln!("hostile requests: seed {seed} (HOSTILE_SEED replays another), {} server functions", server_fns.len());
    let mut draw = Draw(seed | 1);
    let thrown: Vec<Thrown> = (0..REQUESTS).map(|_| throw(&mut draw, &server_fns, &cookie)).collect();
    // A new connection for each request: the server may close one after answering without reading
    // a body (a 413, a 403), and a pooled connection reused after that fails on the client's side.
    let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).pool_max_idle_per_host(0).build().unwrap();
    let (thrown, base) = (Arc::new(thrown), Arc::new(app.base_url.clone()));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..IN_FLIGHT {
        let (thrown, base, next, client) = (thrown.clone(), base.clone(), next.clone(), client.clone());
        workers.spawn(async move {
            let mut seen: BTreeMap<u16, usize> = BTreeMap::new();
            let mut bad = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(t) = thrown.get(i) else { break };
                match send(&client, &base, t).await {
                    Ok(status) => {
                        *seen.entry(status).or_default() += 1;
                        if status >= 500 {
                            bad.push(format!(
                                "{status} for request {i}: {} {} {:?} body {:?}",
                                t.method,
                                t.path,
                                t.content_type,
                                String::from_utf8_lossy(&t.body[..t.body.len().min(120)])
                            ));
                        }
                    }
                    Err(e) => bad.push(format!("request {i} ({} {}): {e}", t.method, t.path)),
                }
            }
            (seen, bad)
        });
    }
    let (mut seen, mut bad) = (BTreeMap::<u16, usize>::new(), Vec::new());
    while let Some(done) = workers.join_next().await {
        let (s, b) = done.unwrap();
        for (k, v) in s {
            *seen.entry(k).or_default() += v;
        }
        bad.extend(b);
    }
    eprintln!("hostile requests: {REQUESTS} thrown, statuses {seen:?}");
    assert_eq!(seen.values().sum::<usize>() + bad.iter().filter(|b| b.starts_with("request")).count(), REQUESTS);
    assert!(bad.is_empty(), "{} requests got a 5xx or no answer; the first ones:\n{}", bad.len(), bad[..bad.len().min(20)].join("\n"));
    // Most statuses are refusals, but the spread shows every kind of answer was reached.
    for status in [200, 400, 403, 404, 405, 413] {
        assert!(seen.contains_key(&status), "no {status} among {seen:?}");
    }
    // Alive, and a customer calling now still gets the queue.
    assert_eq!(app.client.get(format!("{}/healthz", app.base_url)).send().await.unwrap().status(), 200);
    let twiml = app.customer_calls(&call_sid(900), "+15551230900").await;
    assert!(twiml.contains("<Conference"), "{twiml}");
}
