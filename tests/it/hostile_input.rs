//! Property tests: whatever arrives (any text in a TwiML document, any string as an identifier,
//! any form or body at a webhook, any argument to a server function), nothing panics, the answer
//! is one of the documented ones, and refused input changes nothing.
//!
//! Every property runs a fixed number of generated cases (`cases` below) and prints how many
//! inputs it tried; run with `--nocapture` to see the counts.
use crate::common::*;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;
use std::time::Duration;
use warm_transfer::center::Target;
use warm_transfer::ids::{AgentId, CallSid, ConferenceSid};
use warm_transfer::twilio::signature;
use warm_transfer::twilio::twiml::{Beep, Conference, Response};
use warm_transfer::webhooks::MAX_BODY_BYTES;

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// Cases per property over pure functions, and over HTTP against the running server.
const PURE_CASES: u32 = 2000;
const HTTP_CASES: u32 = 250;
const PG_CASES: u32 = 150;

fn config(cases: u32) -> Config {
    Config {
        cases,
        // Regressions are reported in the failure message; no files are written next to the test.
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    }
}

/// Runs `test` over `cases` inputs from `strategy`, failing the test with the minimal failing
/// input; prints how many inputs were tried.
fn check<S: Strategy>(name: &str, cases: u32, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let tried = AtomicUsize::new(0);
    let mut runner = TestRunner::new(config(cases));
    let result = runner.run(&strategy, |value| {
        tried.fetch_add(1, Ordering::Relaxed);
        test(value)
    });
    let tried = tried.load(Ordering::Relaxed);
    eprintln!("property {name:?}: {tried} inputs tried ({cases} cases configured)");
    if let Err(e) = result {
        panic!("property {name:?} failed after {tried} inputs: {e}");
    }
}

/// How often each status was answered, printed with the case count so the spread of outcomes
/// (not only the number of inputs) shows.
#[derive(Default)]
struct Statuses(std::sync::Mutex<std::collections::BTreeMap<u16, usize>>);

impl Statuses {
    fn add(&self, status: u16) {
        *self.0.lock().unwrap().entry(status).or_default() += 1;
    }
    fn report(&self, name: &str) {
        eprintln!("property {name:?}: answers by status {:?}", self.0.lock().unwrap());
    }
}

/// Panics on the server's threads (tokio workers), which would otherwise only kill one
/// connection and leave the server looking healthy.
static SERVER_PANICS: AtomicUsize = AtomicUsize::new(0);

fn count_server_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name().is_some_and(|n| n.starts_with("tokio-runtime-worker")) {
                SERVER_PANICS.fetch_add(1, Ordering::SeqCst);
            }
            previous(info);
        }));
    });
}

/// A runtime of its own for the server, so the (synchronous) property closures can `block_on`
/// each request.
fn runtime() -> tokio::runtime::Runtime {
    count_server_panics();
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

fn assert_still_healthy(rt: &tokio::runtime::Runtime, app: &TestApp) {
    let status = rt.block_on(async { app.client.get(format!("{}/healthz", app.base_url)).send().await.unwrap().status() });
    assert_eq!(status, 200, "the server must still be up");
    assert_eq!(SERVER_PANICS.load(Ordering::SeqCst), 0, "a server thread panicked (see stderr)");
}

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// Characters that tend to break writers and parsers, plus anything at all.
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        3 => select(vec![
            '<', '>', '&', '"', '\'', ']', '[', '\r', '\n', '\t', '\0', '\u{7}', '\u{b}', '\u{c}', '\u{1b}',
            '\u{1f}', '\u{7f}', '\u{85}', '\u{a0}', '\u{2028}', '\u{d7ff}', '\u{e000}', '\u{fffd}', '\u{fffe}',
            '\u{ffff}', '\u{10000}', '\u{10ffff}', ' ', '=', '%', '+', '/', ';', '?', '#', '.', 'é', '😀',
        ]),
        3 => prop::char::range('a', 'z'),
    ]
}

/// Any unicode, weighted towards XML and URL metacharacters and markup fragments.
fn hostile_string() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            8 => hostile_char().prop_map(String::from),
            1 => select(vec![
                "]]>", "<![CDATA[", "<!--", "-->", "&amp;", "&#0;", "&#x1;", "</Say>", "<Hangup/>", "\r\n", "&lt;",
                "<?xml", "\"'", "%00", "%FF", "%", "%zz", "..", "CA", "agent1",
            ])
            .prop_map(String::from),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

/// Characters XML 1.0 can carry (`Char` production of the spec).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{a}' | '\u{d}' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}')
}

fn xml_clean(s: &str) -> String {
    s.chars().filter(|&c| is_xml_char(c)).collect()
}

// ---------------------------------------------------------------------------------------------
// a. The TwiML writer
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct TwimlInput {
    say: String,
    play: String,
    name: String,
    label: String,
    status_callback: String,
    wait_url: String,
    wait_method: String,
    events: Vec<String>,
}

fn twiml_input() -> impl Strategy<Value = TwimlInput> {
    (
        hostile_string(),
        hostile_string(),
        hostile_string(),
        hostile_string(),
        hostile_string(),
        hostile_string(),
        hostile_string(),
        prop::collection::vec(hostile_string(), 0..4),
    )
        .prop_map(|(say, play, name, label, status_callback, wait_url, wait_method, events)| TwimlInput {
            say,
            play,
            name,
            label,
            status_callback,
            wait_url,
            wait_method,
            events,
        })
}

fn element_text(node: roxmltree::Node<'_, '_>) -> String {
    node.children().filter(|n| n.is_text()).filter_map(|n| n.text()).collect()
}

#[test]
fn any_text_in_a_twiml_document_is_escaped_and_reads_back_unchanged_minus_what_xml_cannot_carry() {
    check("TwiML escaping round-trips", PURE_CASES, twiml_input(), |input| {
        let xml = Response::new()
            .say(input.say.clone())
            .play(input.play.clone(), Some(3))
            .dial_conference(Conference {
                name: input.name.clone(),
                participant_label: Some(input.label.clone()),
                status_callback: Some(input.status_callback.clone()),
                wait_url: Some(input.wait_url.clone()),
                wait_method: Some(input.wait_method.clone()),
                status_callback_event: input.events.clone(),
                beep: Some(Beep::OnExit),
                muted: Some(false),
                ..Conference::default()
            })
            .hangup()
            .to_xml();
        // XML forbids the literal `]]>` in content; a lenient parser might not say so.
        prop_assert!(!xml.contains("]]>"), "literal ]]> in {xml:?}");
        let doc = roxmltree::Document::parse(&xml).map_err(|e| TestCaseError::fail(format!("{e}: {xml:?}")))?;
        let response = doc.root_element();
        prop_assert_eq!(response.tag_name().name(), "Response");
        let verbs: Vec<_> = response.children().filter(|n| n.is_element()).collect();
        let names: Vec<&str> = verbs.iter().map(|n| n.tag_name().name()).collect();
        prop_assert_eq!(&names, &["Say", "Play", "Dial", "Hangup"], "no verb injected or lost: {:?}", xml);

        prop_assert_eq!(element_text(verbs[0]), xml_clean(&input.say));
        prop_assert!(verbs[0].children().all(|n| n.is_text()));
        prop_assert_eq!(element_text(verbs[1]), xml_clean(&input.play));
        prop_assert_eq!(verbs[1].attribute("loop"), Some("3"));

        let dial_children: Vec<_> = verbs[2].children().filter(|n| n.is_element()).collect();
        prop_assert_eq!(dial_children.len(), 1);
        let conference = dial_children[0];
        prop_assert_eq!(conference.tag_name().name(), "Conference");
        prop_assert_eq!(element_text(conference), xml_clean(&input.name));
        prop_assert!(conference.children().all(|n| n.is_text()));
        let mut expected = vec![
            ("beep", "onExit".to_string()),
            ("muted", "false".to_string()),
            ("participantLabel", xml_clean(&input.label)),
            ("statusCallback", xml_clean(&input.status_callback)),
            ("waitMethod", xml_clean(&input.wait_method)),
            ("waitUrl", xml_clean(&input.wait_url)),
        ];
        if !input.events.is_empty() {
            expected.push(("statusCallbackEvent", xml_clean(&input.events.join(" "))));
        }
        expected.sort();
        let mut attrs: Vec<(&str, String)> = conference.attributes().map(|a| (a.name(), a.value().to_string())).collect();
        attrs.sort();
        prop_assert_eq!(attrs, expected, "{:?}", xml);
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// b. Identifier parsers
// ---------------------------------------------------------------------------------------------

/// The SID grammar, written independently of the parser: optional surrounding whitespace, the
/// prefix, 32 hex digits.
fn sid_grammar(prefix: &str, s: &str) -> Option<String> {
    let t = s.trim();
    let rest = t.strip_prefix(prefix)?;
    (rest.len() == 32 && rest.bytes().all(|b| b.is_ascii_hexdigit())).then(|| t.to_string())
}

/// The agent identity grammar: 1-121 letters or digits (any script), `.`, `_`, `-`, after trimming.
fn agent_grammar(s: &str) -> Option<String> {
    let t = s.trim();
    let n = t.chars().count();
    ((1..=121).contains(&n) && t.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))).then(|| t.to_string())
}

/// Arbitrary strings, near misses of each grammar, and valid identifiers with noise around them.
fn id_candidate() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => hostile_string(),
        2 => "(CA|CF|ca|cf|CX|AC)[0-9a-fA-Fg]{30,34}",
        1 => "[ \t\n]{0,2}CA[0-9a-f]{32}[ \t\n\u{85}\u{3000}]{0,2}",
        1 => "[ \t\n]{0,2}CF[0-9a-f]{32}[ \t\n]{0,2}",
        1 => "[ \u{a0}]{0,2}[\\w.\\-]{1,125}[ \n]{0,2}",
        1 => "[A-Za-z0-9._\\-/ <>&\"']{0,130}",
        1 => (0usize..8, "[\\w]{1,3}").prop_map(|(n, w)| format!("{}{w}", "\u{301}".repeat(n))),
    ]
}

#[test]
fn identifier_parsers_never_panic_and_accept_exactly_their_grammar() {
    check("id parsers accept exactly their grammar", PURE_CASES, id_candidate(), |s| {
        let call = CallSid::parse(&s);
        prop_assert_eq!(call.as_ref().ok().map(|v| v.as_str().to_string()), sid_grammar("CA", &s));
        let conference = ConferenceSid::parse(&s);
        prop_assert_eq!(conference.as_ref().ok().map(|v| v.as_str().to_string()), sid_grammar("CF", &s));
        let agent = AgentId::parse(&s);
        prop_assert_eq!(agent.as_ref().ok().map(|v| v.as_str().to_string()), agent_grammar(&s));
        // Refusals name what was expected.
        if let Err(e) = &call {
            prop_assert!(e.0.contains("CallSid"), "{}", e);
        }
        if let Err(e) = &conference {
            prop_assert!(e.0.contains("ConferenceSid"), "{}", e);
        }
        if let Err(e) = &agent {
            prop_assert!(e.0.contains("agent identity"), "{}", e);
        }
        // What is accepted is safe where identities go: a TwiML attribute, a `client:` address, a
        // URL path segment (no markup, whitespace, control characters or URL delimiters), and it
        // parses to itself again.
        if let Ok(a) = &agent {
            prop_assert!(!a.as_str().chars().any(|c| c.is_whitespace() || c.is_control() || "<>&\"'/?#%:;=+@ ".contains(c)), "{:?}", a);
            prop_assert_eq!(AgentId::parse(a.as_str()), Ok(a.clone()));
        }
        if let Ok(c) = &call {
            prop_assert_eq!(CallSid::parse(c.as_str()), Ok(c.clone()));
        }
        Ok(())
    });
}

#[test]
fn every_identifier_generated_from_the_grammar_is_accepted_as_is() {
    let valid = ("CA[0-9a-f]{32}", "CF[0-9a-f]{32}", "[A-Za-z0-9._\\-]{1,121}");
    check("valid ids are accepted", PURE_CASES, valid, |(ca, cf, agent)| {
        prop_assert_eq!(CallSid::parse(&ca).map(|v| v.to_string()), Ok(ca.clone()));
        prop_assert!(ConferenceSid::parse(&ca).is_err());
        prop_assert_eq!(ConferenceSid::parse(&cf).map(|v| v.to_string()), Ok(cf.clone()));
        prop_assert!(CallSid::parse(&cf).is_err());
        prop_assert_eq!(AgentId::parse(&agent).map(|v| v.to_string()), Ok(agent.clone()));
        // Serde goes through the same parser.
        let json = serde_json::to_string(&ca).unwrap();
        prop_assert_eq!(serde_json::from_str::<CallSid>(&json).map(|v| v.to_string()).ok(), Some(ca));
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// c. Webhooks over HTTP
// ---------------------------------------------------------------------------------------------

/// Every field name a 400 from a webhook may give as its reason.
const FIELDS: [&str; 12] = [
    "party",
    "CallSid",
    "From",
    "To",
    "SequenceNumber",
    "CallStatus",
    "StatusCallbackEvent",
    "ConferenceSid",
    "FriendlyName",
    "agent identity",
    "conference_id",
    "agent_id",
];

/// One `&`-separated piece of a form body.
#[derive(Debug, Clone)]
enum Piece {
    /// Properly form-encoded name and value.
    Pair(String, String),
    /// Name and value as percent-escapes of arbitrary bytes (invalid UTF-8 included).
    Bytes(Vec<u8>, Vec<u8>),
    /// Raw bytes, not encoded at all.
    Raw(Vec<u8>),
}

fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(vec![
            "CallSid", "SequenceNumber", "CallStatus", "ConferenceSid", "FriendlyName", "StatusCallbackEvent",
            "From", "To", "AccountSid", "callsid", "CallSid ",
        ])
        .prop_map(String::from),
        1 => hostile_string(),
    ]
}

fn field_value() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => "CA[0-9a-f]{32}",
        1 => "CF[0-9a-f]{32}",
        1 => Just(call_sid(1)),
        1 => select(vec!["ringing", "in-progress", "completed", "conference-start", "conference-end", "participant-join", ""])
            .prop_map(String::from),
        2 => prop_oneof![
            "-?[0-9]{1,25}",
            "[0-9]{1,5}\\.[0-9]{1,3}",
            "0x[0-9a-f]{1,8}",
            "[ +]?[0-9]{1,3}[ e]?[0-9]{0,2}",
            Just("9223372036854775808".to_string()),
            Just("-9223372036854775809".to_string()),
        ],
        3 => hostile_string(),
        1 => (500usize..6000, select(vec!['x', '%', '&', 'é', '\0'])).prop_map(|(n, c)| c.to_string().repeat(n)),
    ]
}

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        8 => (field_name(), field_value()).prop_map(|(k, v)| Piece::Pair(k, v)),
        1 => (prop::collection::vec(any::<u8>(), 0..12), prop::collection::vec(any::<u8>(), 0..40)).prop_map(|(k, v)| Piece::Bytes(k, v)),
        1 => prop::collection::vec(any::<u8>(), 0..40).prop_map(Piece::Raw),
    ]
}

fn percent_all(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("%{b:02X}")).collect()
}

fn form_body(pieces: &[Piece]) -> Vec<u8> {
    let mut body = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        if i > 0 {
            body.push(b'&');
        }
        match p {
            Piece::Pair(k, v) => {
                body.extend(form_urlencoded::byte_serialize(k.as_bytes()).flat_map(str::bytes));
                body.push(b'=');
                body.extend(form_urlencoded::byte_serialize(v.as_bytes()).flat_map(str::bytes));
            }
            Piece::Bytes(k, v) => {
                body.extend(percent_all(k).bytes());
                body.push(b'=');
                body.extend(percent_all(v).bytes());
            }
            Piece::Raw(raw) => body.extend(raw),
        }
    }
    body
}

/// A path segment, percent-encoding every byte but ASCII letters, digits, `-`, `_`, `~`.
fn encode_segment(raw: &[u8]) -> String {
    raw.iter()
        .map(|&b| if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~') { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

struct Answer {
    status: u16,
    content_type: String,
    body: String,
}

/// POSTs `body` to `path` signed the way Twilio signs: over the public URL and the parameters
/// as the server will read them (invalid UTF-8 becomes U+FFFD on both sides).
async fn signed_post(app: &TestApp, path: &str, body: Vec<u8>) -> Answer {
    let params: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let sig = signature::compute(AUTH_TOKEN, &format!("{PUBLIC_BASE}{path}"), &params);
    let res = app
        .client
        .post(format!("{}{}", app.base_url, path))
        .header("x-twilio-signature", sig)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("no answer from POST {path} (did the handler panic?): {e}"));
    let status = res.status().as_u16();
    let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let body = res.text().await.unwrap();
    Answer { status, content_type, body }
}

/// What every webhook answer must satisfy, whatever the route.
fn check_answer(path: &str, body_len: usize, a: &Answer) -> Result<(), TestCaseError> {
    if body_len > MAX_BODY_BYTES {
        prop_assert_eq!(a.status, 413, "{} with a {}-byte body", path, body_len);
        return Ok(());
    }
    prop_assert!(matches!(a.status, 200 | 204 | 400 | 404), "{} answered {}: {}", path, a.status, a.body);
    if a.status == 400 {
        prop_assert!(FIELDS.iter().any(|f| a.body.contains(f)), "{} 400 without a field name: {:?}", path, a.body);
    }
    if a.status == 200 {
        prop_assert_eq!(&a.content_type, "text/xml", "{}", path);
        roxmltree::Document::parse(&a.body).map_err(|e| TestCaseError::fail(format!("{path}: bad TwiML {e}: {}", a.body)))?;
    }
    Ok(())
}

/// The first value of `name`, as the handlers read the form (NUL characters dropped at the edge:
/// PostgreSQL cannot store them).
fn first(params: &[(String, String)], name: &str) -> Option<String> {
    params.iter().find(|(k, _)| k.replace('\0', "") == name).map(|(_, v)| v.replace('\0', ""))
}

/// A form Twilio could have sent (a call or conference status callback, a call's first
/// request), possibly with a field missing or broken, plus anything at all.
fn plausible_form() -> impl Strategy<Value = Vec<Piece>> {
    let pair = |k: &'static str, v: BoxedStrategy<String>| v.prop_map(move |v| Piece::Pair(k.to_string(), v));
    let sid = || prop_oneof![4 => "CA[0-9a-f]{32}", 1 => field_value()].boxed();
    let cf = || prop_oneof![4 => "CF[0-9a-f]{32}", 1 => field_value()].boxed();
    let seq = || prop_oneof![4 => "[0-9]{1,4}", 1 => field_value()].boxed();
    let status = || {
        prop_oneof![
            4 => select(vec!["queued", "ringing", "in-progress", "completed", "busy", "failed"]).prop_map(String::from),
            1 => field_value(),
        ]
        .boxed()
    };
    let event = || {
        prop_oneof![
            4 => select(vec!["conference-start", "conference-end", "participant-join", "participant-leave"]).prop_map(String::from),
            1 => field_value(),
        ]
        .boxed()
    };
    let call = (pair("CallSid", sid()), pair("CallStatus", status()), pair("SequenceNumber", seq()), pair("From", field_value().boxed()))
        .prop_map(|(a, b, c, d)| vec![a, b, c, d]);
    let conference = (
        pair("ConferenceSid", cf()),
        pair("FriendlyName", field_value().boxed()),
        pair("StatusCallbackEvent", event()),
        pair("SequenceNumber", seq()),
        pair("CallSid", sid()),
    )
        .prop_map(|(a, b, c, d, e)| vec![a, b, c, d, e]);
    (prop_oneof![call, conference], prop::collection::vec(any::<prop::sample::Index>(), 0..2), prop::collection::vec(piece(), 0..4))
        .prop_map(|(mut form, drop, extra)| {
            for i in drop {
                if !form.is_empty() {
                    form.remove(i.index(form.len()));
                }
            }
            form.extend(extra);
            form
        })
}

fn pieces() -> impl Strategy<Value = Vec<Piece>> {
    prop_oneof![prop::collection::vec(piece(), 0..10), plausible_form()]
}

/// Which database the server under test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Db {
    Sqlite,
    /// The local server tests/postgres.rs uses (`TEST_POSTGRES_URL`); fewer cases.
    Postgres,
}

impl Db {
    async fn spawn(self) -> TestApp {
        match self {
            Db::Sqlite => TestApp::spawn().await,
            Db::Postgres => TestApp::spawn_postgres().await,
        }
    }
    fn cases(self) -> u32 {
        match self {
            Db::Sqlite => HTTP_CASES,
            Db::Postgres => PG_CASES,
        }
    }
}

/// A route whose answer depends only on the form.
/// What a route must answer to a form: `Ok` or the property's failure.
type Oracle = fn(&[(String, String)], &Answer) -> Result<(), TestCaseError>;

fn form_route_property(db: Db, path: &'static str, oracle: Oracle) {
    let name = &format!("signed forms at {path} ({db:?})");
    let rt = runtime();
    let app = rt.block_on(db.spawn());
    let statuses = Statuses::default();
    check(name, db.cases(), pieces(), |pieces| {
        let body = form_body(&pieces);
        let len = body.len();
        let params: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
        let answer = rt.block_on(signed_post(&app, path, body));
        statuses.add(answer.status);
        check_answer(path, len, &answer)?;
        if len <= MAX_BODY_BYTES {
            oracle(&params, &answer)?;
        }
        Ok(())
    });
    statuses.report(name);
    assert_still_healthy(&rt, &app);
}

fn voice_oracle(params: &[(String, String)], a: &Answer) -> Result<(), TestCaseError> {
    // `From` and `To` are parsed too: a malformed one is refused naming that field.
    let bad_number = ["From", "To"]
        .into_iter()
        .find(|k| first(params, k).filter(|v| !v.is_empty()).is_some_and(|v| warm_transfer::ids::PhoneNumber::parse(&v).is_err()));
    let sid_ok = first(params, "CallSid").filter(|s| !s.is_empty()).is_some_and(|s| CallSid::parse(&s).is_ok());
    if let (true, Some(field)) = (sid_ok, bad_number) {
        prop_assert_eq!(a.status, 400);
        prop_assert!(a.body.starts_with(&format!("{field}:")), "{}", a.body);
        return Ok(());
    }
    match first(params, "CallSid").filter(|s| !s.is_empty()).map(|s| CallSid::parse(&s)) {
        Some(Ok(sid)) => {
            prop_assert_eq!(a.status, 200, "{}", a.body);
            let (name, _) = conference_attrs(&a.body);
            prop_assert_eq!(name, sid.to_string());
            // The call was recorded (and its agent will be dialled): with the database up, the
            // caller never hears the storage-trouble apology, whatever else the form carried.
            prop_assert!(!a.body.contains(warm_transfer::calls::flow::TROUBLE_MESSAGE), "the call was not stored: {:?}", params);
        }
        _ => {
            prop_assert_eq!(a.status, 400);
            prop_assert!(a.body.contains("CallSid"), "{}", a.body);
        }
    }
    Ok(())
}

fn status_oracle(params: &[(String, String)], a: &Answer) -> Result<(), TestCaseError> {
    prop_assert!(matches!(a.status, 204 | 400), "{} {}", a.status, a.body);
    if let Some(seq) = first(params, "SequenceNumber") {
        if seq.parse::<i64>().is_err() {
            prop_assert_eq!(a.status, 400);
        }
    }
    if first(params, "CallStatus").is_none() && first(params, "StatusCallbackEvent").is_none() {
        prop_assert_eq!(a.status, 400);
    }
    Ok(())
}

#[test]
fn any_signed_form_at_the_voice_webhook_gets_twiml_or_a_400_naming_the_bad_field() {
    form_route_property(Db::Sqlite, "/conference/connect/client", voice_oracle);
}

#[test]
fn any_signed_form_at_the_voice_webhook_on_postgresql_gets_twiml_or_a_400_naming_the_bad_field() {
    form_route_property(Db::Postgres, "/conference/connect/client", voice_oracle);
}

#[test]
fn any_signed_form_at_the_wait_route_gets_the_wait_twiml() {
    form_route_property(Db::Sqlite, "/conference/wait", |_, a| {
        prop_assert_eq!(a.status, 200, "{}", a.body);
        prop_assert!(a.body.contains("<Play") && a.body.contains("<Redirect"), "{}", a.body);
        Ok(())
    });
}

#[test]
fn any_signed_form_at_the_status_callback_is_stored_or_refused_with_the_field_named() {
    form_route_property(Db::Sqlite, "/twilio/status", status_oracle);
}

#[test]
fn any_signed_form_at_the_status_callback_on_postgresql_is_stored_or_refused_with_the_field_named() {
    form_route_property(Db::Postgres, "/twilio/status", status_oracle);
}

#[derive(Debug, Clone)]
enum Segment {
    /// The conference the test opened / the agent dialled into it.
    Known,
    /// A valid identifier the server has not seen.
    Other(String),
    Raw(Vec<u8>),
}

fn segment(known_other: &'static [&'static str]) -> impl Strategy<Value = Segment> {
    prop_oneof![
        2 => Just(Segment::Known),
        1 => select(known_other).prop_map(|s| Segment::Other(s.to_string())),
        3 => hostile_string().prop_map(|s| Segment::Raw(s.into_bytes())),
        1 => prop::collection::vec(any::<u8>(), 0..20).prop_map(Segment::Raw),
    ]
    // A segment that is `.` or `..` is resolved away by any URL parser (Twilio's included)
    // before the request is sent: it never reaches the route.
    .prop_filter("dot segments are normalised by the client", |s| !matches!(s, Segment::Raw(b) if b == b"." || b == b".."))
}

#[test]
fn any_signed_request_to_any_agent_join_path_gets_twiml_a_400_or_a_404() {
    agent_join_property(Db::Sqlite);
}

#[test]
fn any_signed_request_to_any_agent_join_path_on_postgresql_gets_twiml_a_400_or_a_404() {
    agent_join_property(Db::Postgres);
}

fn agent_join_property(db: Db) {
    let name = &format!("signed forms at /conference/{{id}}/connect/{{agent}} ({db:?})");
    let rt = runtime();
    let app = rt.block_on(db.spawn());
    let customer = call_sid(1);
    rt.block_on(async {
        app.available("agent1").await;
        assert_eq!(app.webhook("/conference/connect/client", &[("CallSid", &customer)]).await.status(), 200);
        app.stand_in.wait_for_dials(1).await;
    });
    let strategy =
        (segment(&["CA0000000000000000000000000000000f", "nope", "agent2"]), segment(&["agent2", "agent3", " agent1"]), pieces());
    let statuses = Statuses::default();
    check(name, db.cases(), strategy, |(conf, agent, pieces)| {
        let conf_raw = match &conf {
            Segment::Known => customer.clone().into_bytes(),
            Segment::Other(s) => s.clone().into_bytes(),
            Segment::Raw(b) => b.clone(),
        };
        let agent_raw = match &agent {
            Segment::Known => b"agent1".to_vec(),
            Segment::Other(s) => s.clone().into_bytes(),
            Segment::Raw(b) => b.clone(),
        };
        let path = format!("/conference/{}/connect/{}?leg=1", encode_segment(&conf_raw), encode_segment(&agent_raw));
        let body = form_body(&pieces);
        let len = body.len();
        let a = rt.block_on(signed_post(&app, &path, body));
        statuses.add(a.status);
        // The route's own answer, given what the test knows of the state.
        let expected: &[u16] = if agent_raw.is_empty() {
            &[404] // a trailing empty segment: no route matches (an empty conference id does)
        } else if len > MAX_BODY_BYTES {
            &[413]
        } else if std::str::from_utf8(&conf_raw).is_err() || std::str::from_utf8(&agent_raw).is_err() {
            &[400]
        } else {
            let agent = AgentId::parse(std::str::from_utf8(&agent_raw).unwrap());
            let conference = CallSid::parse(std::str::from_utf8(&conf_raw).unwrap());
            match (agent, conference) {
                (Err(_), _) | (_, Err(_)) => &[400],
                (Ok(_), Ok(c)) if c.as_str() != customer => &[404],
                // agent1 was offered the call; agent2 has an account but not this call (told so
                // and hung up); anyone else is unknown.
                (Ok(a), _) if a.as_str() == "agent1" || a.as_str() == "agent2" => &[200],
                (Ok(_), _) => &[404],
            }
        };
        prop_assert!(expected.contains(&a.status), "{}: expected {:?}, got {}: {}", path, expected, a.status, a.body);
        if !agent_raw.is_empty() {
            check_answer(&path, len, &a)?;
        }
        if a.status == 200 && !a.body.contains("<Hangup") {
            let (name, attrs) = conference_attrs(&a.body);
            prop_assert_eq!(name, customer.clone());
            prop_assert_eq!(attrs.get("participantLabel").map(String::as_str), Some("agent1"));
        }
        Ok(())
    });
    statuses.report(name);
    assert_still_healthy(&rt, &app);
}

#[test]
fn any_unsigned_or_forged_body_at_any_webhook_is_403() {
    let rt = runtime();
    let app = rt.block_on(TestApp::spawn());
    let customer = call_sid(1);
    rt.block_on(async {
        app.available("agent1").await;
        assert_eq!(app.webhook("/conference/connect/client", &[("CallSid", &customer)]).await.status(), 200);
        app.stand_in.wait_for_dials(1).await;
    });
    let join = format!("/conference/{customer}/connect/agent1?leg=1");
    let fixed = select(vec![
        ("POST", "/conference/connect/client".to_string()),
        ("POST", "/conference/wait".to_string()),
        ("GET", "/conference/wait?CallSid=CA0123456789abcdef0123456789abcdef".to_string()),
        ("POST", join),
        ("POST", "/twilio/status".to_string()),
    ]);
    // The join route under any (non-empty) segments, invalid UTF-8 included: whatever the path,
    // an unsigned request learns nothing but 403.
    let raw_segment = || {
        prop_oneof![hostile_string().prop_map(String::into_bytes), prop::collection::vec(any::<u8>(), 1..12)]
            .prop_filter("a route needs non-empty segments other than dots", |b| !b.is_empty() && b != b"." && b != b"..")
    };
    let join_anywhere = (raw_segment(), raw_segment())
        .prop_map(|(c, a)| ("POST", format!("/conference/{}/connect/{}", encode_segment(&c), encode_segment(&a))));
    let routes = prop_oneof![3 => fixed, 1 => join_anywhere];
    let signature_header = prop_oneof![
        Just(None),
        "[A-Za-z0-9+/=]{0,40}".prop_map(Some),
        // A genuine signature, but for another URL.
        Just(Some(signature::compute(AUTH_TOKEN, &format!("{PUBLIC_BASE}/elsewhere"), &[]))),
    ];
    let content_type = select(vec!["application/x-www-form-urlencoded", "application/json", "text/plain", "application/octet-stream"]);
    let strategy = (routes, prop::collection::vec(any::<u8>(), 0..2048), signature_header, content_type);
    let dials_before = app.stand_in.dials().len();
    check("unsigned raw bodies at every webhook", HTTP_CASES, strategy, |((method, path), body, sig, ct)| {
        let status = rt.block_on(async {
            let url = format!("{}{}", app.base_url, path);
            let mut rb = if method == "GET" { app.client.get(url) } else { app.client.post(url) };
            rb = rb.header("content-type", ct).body(body);
            if let Some(sig) = sig {
                rb = rb.header("x-twilio-signature", sig);
            }
            rb.send().await.unwrap_or_else(|e| panic!("no answer from {method} {path}: {e}")).status().as_u16()
        });
        prop_assert_eq!(status, 403, "{} {}", method, path);
        Ok(())
    });
    rt.block_on(async { tokio::time::sleep(Duration::from_millis(200)).await });
    assert_eq!(app.stand_in.dials().len(), dials_before, "a refused webhook must not dial anyone");
    assert_still_healthy(&rt, &app);
}

// ---------------------------------------------------------------------------------------------
// d. Server functions
// ---------------------------------------------------------------------------------------------

/// Which session a server-function call carries.
#[derive(Debug, Clone)]
enum Session {
    /// agent1's real session cookie.
    Agent1,
    NoCookie,
    /// A well-formed cookie with a token the server never issued.
    Forged(String),
}

fn session() -> impl Strategy<Value = Session> {
    prop_oneof![
        6 => Just(Session::Agent1),
        1 => Just(Session::NoCookie),
        1 => "[A-Za-z0-9_\\-=+/.]{0,60}".prop_map(Session::Forged),
    ]
}

/// An agent argument: the configured ones (some with whitespace or case changed), lookalikes,
/// anything; sometimes left out altogether.
fn agent_arg() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        4 => select(vec![
            "agent1", "agent2", " agent2", "agent2\n", "agent3", "Agent2", "agent1 ", "agent1 agent2", "agent1/../agent2",
            "agent\u{2010}2", "",
        ])
        .prop_map(|s| Some(s.to_string())),
        4 => hostile_string().prop_map(Some),
        1 => (122usize..400).prop_map(|n| Some("a".repeat(n))),
        1 => Just(None),
    ]
}

struct FnAnswer {
    status: u16,
    body: String,
}

async fn call_server_fn(app: &TestApp, cookie: &str, session: &Session, endpoint: &str, params: &[(&str, &str)]) -> FnAnswer {
    let mut rb = app.client.post(format!("{}/api/{}", app.base_url, endpoint)).form(params);
    match session {
        Session::Agent1 => rb = rb.header("cookie", cookie),
        Session::NoCookie => {}
        Session::Forged(token) => rb = rb.header("cookie", format!("{}={token}", warm_transfer::auth::COOKIE)),
    }
    let res = rb.send().await.unwrap_or_else(|e| panic!("no answer from /api/{endpoint}: {e}"));
    FnAnswer { status: res.status().as_u16(), body: res.text().await.unwrap() }
}

/// A required argument left out: Leptos refuses the call before our code runs, with its own
/// error naming the field; the app answers it as what it is, the caller's mistake (400).
fn check_missing_argument(a: &FnAnswer, field: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.status, 400, "{}", a.body);
    prop_assert!(a.body.contains(field), "{:?} should name {}", a.body, field);
    Ok(())
}

fn check_refusal(a: &FnAnswer, status: u16, reasons: &[&str]) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.status, status, "{}", a.body);
    prop_assert!(reasons.iter().any(|r| a.body.contains(r)), "expected one of {:?} in {:?}", reasons, a.body);
    prop_assert!(!a.body.contains("eyJ"), "no token in a refusal: {}", a.body);
    Ok(())
}

#[test]
fn any_agent_string_asking_for_a_token_gets_one_only_for_the_signed_in_agent() {
    let rt = runtime();
    let app = rt.block_on(TestApp::spawn());
    let cookie = rt.block_on(app.sign_in("agent1"));
    let statuses = Statuses::default();
    check("/api/token with arbitrary agent and session", HTTP_CASES, (agent_arg(), session()), |(agent, session)| {
        let params: Vec<(&str, &str)> = agent.as_deref().map(|a| ("agent", a)).into_iter().collect();
        let a = rt.block_on(call_server_fn(&app, &cookie, &session, "token", &params));
        statuses.add(a.status);
        // `agent` is read as an identity before the function runs (a server function's
        // arguments are the core's types): one that is none is refused whoever asks, and one
        // is read as everywhere (trimmed: " agent1" is agent1).
        let identity = agent.as_deref().map(AgentId::parse);
        match (&identity, &session) {
            (None, _) => check_missing_argument(&a, "agent")?,
            (Some(Err(_)), _) => check_refusal(&a, 400, &["agent identity must be"])?,
            (_, Session::NoCookie | Session::Forged(_)) => check_refusal(&a, 401, &["please sign in"])?,
            (Some(Ok(agent)), Session::Agent1) if agent.as_str() == "agent1" => {
                prop_assert_eq!(a.status, 200, "{}", a.body);
                let v: serde_json::Value = serde_json::from_str(&a.body).unwrap();
                prop_assert_eq!(v["identity"].as_str(), Some("agent1"));
            }
            (Some(_), Session::Agent1) => check_refusal(&a, 403, &["you are signed in as agent1"])?,
        }
        Ok(())
    });
    statuses.report("/api/token with arbitrary agent and session");
    assert_still_healthy(&rt, &app);
}

#[test]
fn any_transfer_target_strings_consult_only_a_known_available_colleague_for_the_signed_in_agent() {
    let rt = runtime();
    let app = rt.block_on(TestApp::spawn());
    let customer = call_sid(1);
    let (cookie, store) = rt.block_on(async {
        app.available("agent1").await;
        app.customer_calls(&customer, "+15551230000").await;
        app.stand_in.wait_for_dials(1).await;
        // agent1 is on the customer's call and agent2 is free: a consult with agent2 is possible
        // exactly once.
        assert_eq!(app.agent_answers(&customer, "agent1", 1, &stand_in_sid(1)).await.status(), 200);
        app.available("agent2").await;
        (app.sign_in("agent1").await, app.store().await)
    });
    let dialled = AtomicUsize::new(1);
    let strategy = (agent_arg(), session());
    let statuses = Statuses::default();
    check("/api/transfer (consult) with arbitrary targets and session", HTTP_CASES, strategy, |(to, session)| {
        let mut params = vec![("action", "consult")];
        if let Some(t) = to.as_deref() {
            params.push(("to", t));
        }
        let a = rt.block_on(call_server_fn(&app, &cookie, &session, "transfer", &params));
        statuses.add(a.status);
        let phone_like = |t: &str| t.trim().starts_with('+') || t.trim().starts_with(|c: char| c.is_ascii_digit());
        // `to` is read as a target before the function runs (a server function's arguments are
        // the core's types): one that names no one is refused whoever asks. An empty one is
        // none at all (the form's way of leaving it out).
        let malformed = to.as_deref().is_some_and(|t| !t.is_empty() && Target::parse(t).is_err());
        match (&to, &session) {
            (Some(t), _) if malformed && t.trim().is_empty() => check_refusal(&a, 400, &["choose who to transfer to"])?,
            (Some(t), _) if malformed && phone_like(t) => check_refusal(&a, 400, &["E.164"])?,
            (Some(_), _) if malformed => check_refusal(&a, 400, &["agent identity must be"])?,
            (_, Session::NoCookie | Session::Forged(_)) => check_refusal(&a, 401, &["please sign in"])?,
            (None, _) => check_refusal(&a, 400, &["choose who to transfer to"])?,
            (Some(t), _) if t.is_empty() => check_refusal(&a, 400, &["choose who to transfer to"])?,
            (Some(t), _) if t.trim() == "queue" => check_refusal(&a, 409, &["a consult needs a person"])?,
            // Numbers are checked before anything is dialled (none of these strings is a valid one).
            (Some(t), _) if phone_like(t) => check_refusal(&a, 400, &["E.164"])?,
            (Some(t), _) => match AgentId::parse(t).map(|t| t.to_string()) {
                Err(_) => check_refusal(&a, 400, &["agent identity must be"])?,
                // One transfer at a time: while the consult is on, any other is refused first.
                Ok(_) if dialled.load(Ordering::SeqCst) == 2 => check_refusal(&a, 409, &["a transfer is already in progress"])?,
                Ok(t) if t != "agent1" && t != "agent2" => check_refusal(&a, 404, &["unknown agent"])?,
                Ok(t) if t == "agent1" => check_refusal(&a, 409, &["cannot transfer a call to yourself"])?,
                Ok(_) if dialled.load(Ordering::SeqCst) == 1 => {
                    prop_assert_eq!(a.status, 200, "{}", a.body);
                    let v: serde_json::Value = serde_json::from_str(&a.body).unwrap();
                    prop_assert_eq!(v["transfer"]["to"].as_str(), Some("agent2"));
                    prop_assert_eq!(v["call"].as_str(), Some(customer.as_str()));
                    dialled.store(2, Ordering::SeqCst);
                    rt.block_on(app.stand_in.wait_for_dials(2));
                }
                Ok(_) => unreachable!("covered above"),
            },
        }
        // Refused requests dial nobody.
        prop_assert_eq!(app.stand_in.dials().len(), dialled.load(Ordering::SeqCst));
        Ok(())
    });
    statuses.report("/api/transfer (consult) with arbitrary targets and session");
    rt.block_on(async { tokio::time::sleep(Duration::from_millis(300)).await });
    let dials = app.stand_in.dials();
    assert_eq!(dials.len(), dialled.load(Ordering::SeqCst));
    for d in &dials {
        assert!(matches!(d.get("To"), Some("client:agent1" | "client:agent2")), "{d:?}");
    }
    let effects = rt.block_on(store.effects_of_call(&customer)).unwrap();
    let dialled: Vec<_> = effects.iter().filter(|e| e.kind == "dial").filter_map(|e| e.agent.clone()).collect();
    assert_eq!(dialled, ["agent1", "agent2"], "{effects:?}");
    assert_still_healthy(&rt, &app);
}
