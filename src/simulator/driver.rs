//! Runs the engine in the real world: performs its effects (signed webhook and callback posts to
//! the app), ticks ring timeouts and due `<Redirect>`s, and broadcasts what happens to the
//! simulated browsers (SSE). It also keeps what is no part of Twilio but of the agents' browsers:
//! whether each one's simulated headset is plugged in.
//!
//! One worker performs the HTTP effects in the order the engine produced them, so callbacks
//! reach the app in sequence and a document is always fetched before anything it causes (or,
//! with several lanes, one per call, different calls in parallel: `SimulatorConfig::lanes`). Only
//! URLs under the app's public base URL are requested: any other URL (Twilio's hold music on S3 or
//! twimlets.com) is treated as an audio file and "played" without leaving the machine.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime};

use parking_lot::Mutex;
use serde::Serialize;
use tokio::sync::{broadcast, mpsc};

use super::engine::{
    CallRedirect, CallStatus, Engine, EngineConfig, RecordingView, RingingCall, SimEffect, SimError, SimState, StopReason,
};
use super::faults::{ApiRequest, Fault, FaultBook, FaultRule};
use super::twiml::{self, Instruction};
use crate::config::Secret;
use crate::ids::CallSid;
use crate::twilio::signature;

/// The path of the support number's "A call comes in" webhook in the app.
pub const VOICE_PATH: &str = "/conference/connect/client";

/// How the simulator is set up.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    pub account_sid: String,
    /// Signs every request to the app (`X-Twilio-Signature`); the app's `TWILIO_AUTH_TOKEN`.
    pub auth_token: Secret,
    /// The REST API accepts `api_key:api_secret` as well as `account_sid:auth_token`.
    pub api_key: String,
    pub api_secret: Secret,
    /// The API key's kind: a Standard key (Twilio's default, and the only kind its Keys API
    /// creates) may not read the Accounts resource (401, 20003); a Main key may.
    pub api_key_kind: ApiKeyKind,
    /// The account's secondary auth token, if it has one: it authenticates REST requests like the
    /// primary, but webhooks are signed with the primary only.
    pub secondary_auth_token: Option<Secret>,
    /// The app's public base URL (its `PUBLIC_BASE_URL`): URLs under it are the app's, requests
    /// are signed over them.
    pub app_base_url: String,
    /// Where to send requests for app URLs when that is not the public URL (a tunnel or proxy in
    /// front of a local app); `None` sends them to the public URL.
    pub app_local_url: Option<String>,
    /// The support number customers call (`To` of inbound calls).
    pub support_number: String,
    /// How often unanswered calls are checked for their ring timeout (and due `<Redirect>`s of
    /// wait and hold documents followed, and paced calls whose turn came started: a paced call
    /// starts up to this late).
    pub tick_interval: Duration,
    /// Every request to the app gives up after this long.
    pub request_timeout: Duration,
    /// How long one loop of a finite `<Play>` in a wait or hold document is taken to last before
    /// a `<Redirect>` after it is followed (the audio is never downloaded, so its length is unknown).
    pub background_play_secs: u32,
    /// Whether the REST API simulates calls or only answers (see [`Answering`]).
    pub answering: Answering,
    /// How many REST requests the log keeps (the newest).
    pub request_log: usize,
    /// Where the simulator's REST API is reached (the `{base}` of `{base}/2010-04-01/…`, the app's
    /// `TWILIO_API_BASE_URL`): recording URLs are written under it. `None`: `{app_local_url or
    /// app_base_url}/sim`, where the app serves it.
    pub api_base_url: Option<String>,
    /// The account's calls per second: calls the REST API creates (`Calls.json`, participants
    /// added with `Participants.json`) are accepted at once as `queued` but placed no faster than
    /// this, oldest first, as Twilio queues them (see `engine::pacing`). Twilio's default, 1; 0 or
    /// less: no limit. Customers' calls in are never limited.
    pub calls_per_second: f64,
    /// How many participants one conference holds (Twilio's 250): one more added through the
    /// REST API is refused (16020), one joining with `<Dial><Conference>` fails. 0: no limit.
    pub max_participants: usize,
    /// How many REST requests may be in flight at once (Twilio limits an account's concurrent
    /// requests; 100 here): one more is answered 429 (20429) and not carried out. 0: no limit.
    /// Only in [`Answering::Simulate`].
    pub max_concurrent_requests: usize,
    /// How many workers perform the HTTP effects (webhooks, callbacks). One call's requests always
    /// go through one lane, in order (its documents and callbacks reach the app in sequence, a
    /// document before anything it causes); with more lanes, different calls' go in parallel, as
    /// Twilio sends them. One lane (the default) keeps the whole account in one order, as the
    /// tests expect; the standalone simulator of a load run uses 16 (one lane held every webhook
    /// of 30 calls a second behind the others, seconds late).
    pub lanes: usize,
    /// Finished calls and conferences are forgotten this long after they ended (`None`: kept).
    /// The standalone simulator of a load run forgets after a minute; the app's own after ten.
    pub forget_finished_after: Option<Duration>,
}

/// Twilio's limit of participants in one conference.
pub const DEFAULT_MAX_PARTICIPANTS: usize = crate::center::CONFERENCE_LIMIT;
/// The simulated account's limit of REST requests in flight at once.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 100;

/// The kinds of API key Twilio has (Restricted keys are not modelled: the app needs more than
/// they usually grant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApiKeyKind {
    /// Every resource except Accounts and Keys: what the Twilio console makes by default.
    #[default]
    Standard,
    /// Every resource, the Accounts resource included.
    Main,
}

/// How the simulator's REST API answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answering {
    /// Calls and conferences are simulated: requests change them, the app gets the webhooks
    /// and callbacks Twilio would send, unknown resources are 404.
    Simulate,
    /// A bare stand-in for tests that play Twilio's webhooks by hand: every authenticated request
    /// that no fault fails succeeds, answered from its own contents (a created call gets the next
    /// `CA` + 32 hex digits, counting from 1); nothing is simulated, the app is never called, and
    /// the log keeps every request with its form.
    Echo,
}

impl SimulatorConfig {
    /// Where the REST API is reached (see [`SimulatorConfig::api_base_url`]).
    pub fn api_base_url(&self) -> String {
        match &self.api_base_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("{}/sim", self.app_local_url.as_deref().unwrap_or(&self.app_base_url).trim_end_matches('/')),
        }
    }

    /// Defaults for everything but the credentials, the app's URL and the number.
    pub fn new(account_sid: &str, auth_token: Secret, api_key: &str, api_secret: Secret, app_base_url: &str, support_number: &str) -> Self {
        SimulatorConfig {
            account_sid: account_sid.to_string(),
            auth_token,
            api_key: api_key.to_string(),
            api_secret,
            api_key_kind: ApiKeyKind::Standard,
            secondary_auth_token: None,
            app_base_url: app_base_url.trim_end_matches('/').to_string(),
            app_local_url: None,
            support_number: support_number.to_string(),
            tick_interval: Duration::from_millis(250),
            request_timeout: Duration::from_secs(10),
            background_play_secs: 5,
            answering: Answering::Simulate,
            request_log: super::faults::LOG_KEPT,
            api_base_url: None,
            calls_per_second: super::engine::DEFAULT_CALLS_PER_SECOND,
            max_participants: DEFAULT_MAX_PARTICIPANTS,
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            forget_finished_after: None,
            lanes: 1,
        }
    }
}

/// What a UI (through SSE) is told.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum SimEvent {
    /// A call to `client:{identity}` rings: the simulated Device shows an incoming call.
    Ring {
        identity: String,
        call_sid: CallSid,
        from: String,
    },
    StopRinging {
        identity: String,
        call_sid: CallSid,
        reason: StopReason,
    },
    /// Something Twilio would put in its debugger, with Twilio's error code when known.
    Warning {
        call_sid: Option<CallSid>,
        code: Option<u32>,
        message: String,
    },
    /// A request the simulator made to the app, and how it went (`HTTP 204`, `timed out`…); or
    /// (`kind` `api-fault`) a request to the simulator's REST API that an injected fault failed
    /// (`url` is its path, `outcome` the fault).
    Request {
        kind: &'static str,
        method: String,
        url: String,
        outcome: String,
    },
    /// The simulated headset of `client:{identity}`'s browser was plugged in (`headset` true)
    /// or unplugged: its Devices' lists of audio devices change.
    AudioDevices {
        identity: String,
        headset: bool,
    },
    /// A call-quality event on a browser's call (`warning`, `warning-cleared` with the SDK's
    /// name of the problem; `reconnecting`, `reconnected`): what the network would do to it.
    CallQuality {
        identity: String,
        call_sid: CallSid,
        event: &'static str,
        name: Option<String>,
    },
    /// The state after a change (shared: a broadcast clones what it sends for every receiver,
    /// and 200 agents' phones each took a copy of every state), with the calls still live to each
    /// `to` worked out once for all of them.
    State {
        state: Arc<SimState>,
        live_by_to: Arc<HashMap<String, HashSet<String>>>,
    },
}

/// The calls queued, ringing or in progress, by whom they are to (`client:agent1`, a number).
pub fn live_by_to(state: &SimState) -> HashMap<String, HashSet<String>> {
    let mut out: HashMap<String, HashSet<String>> = HashMap::new();
    for c in state.calls.iter().filter(|c| matches!(c.status.as_str(), "queued" | "ringing" | "in-progress")) {
        out.entry(c.to.clone()).or_default().insert(c.call_sid.to_string());
    }
    out
}

/// A handle on a running simulator; clones share it. The background tasks end when the last
/// handle is dropped.
#[derive(Clone)]
pub struct Simulator {
    inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) cfg: SimulatorConfig,
    engine: Mutex<Engine>,
    http: reqwest::Client,
    /// One queue per lane of workers (see [`SimulatorConfig::lanes`]).
    work: Vec<mpsc::UnboundedSender<SimEffect>>,
    /// Effects queued or being performed; [`Simulator::settle`] waits for 0.
    in_flight: AtomicUsize,
    events: broadcast::Sender<SimEvent>,
    /// The state last broadcast, so an unchanged one is not sent again.
    last_state: Mutex<Option<Arc<SimState>>>,
    /// Faults waiting for REST requests, and the log of those requests.
    faults: Mutex<FaultBook>,
    /// The identities whose simulated headset is unplugged (every headset starts plugged in).
    unplugged: Mutex<HashSet<String>>,
    /// Calls created in [`Answering::Echo`], the source of their SIDs.
    echoed: AtomicU64,
}

/// How many headsets may be unplugged at once: the endpoint is open, and each is remembered.
pub const MAX_UNPLUGGED: usize = 1000;

impl Simulator {
    /// Starts the simulator's worker and ticker; needs a Tokio runtime.
    pub fn new(cfg: SimulatorConfig) -> Self {
        // Seeded from the clock so a restarted simulator never reuses SIDs the app has stored.
        let seed = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
        let mut engine = Engine::new(EngineConfig {
            account_sid: cfg.account_sid.clone(),
            voice_url: format!("{}{VOICE_PATH}", cfg.app_base_url),
            sid_seed: seed,
            background_play_secs: cfg.background_play_secs,
        });
        engine.set_api_base_url(&cfg.api_base_url());
        engine.set_calls_per_second(cfg.calls_per_second);
        engine.set_max_participants(cfg.max_participants);
        engine.set_forget_after(cfg.forget_finished_after);
        let http = reqwest::Client::builder()
            .timeout(cfg.request_timeout)
            .user_agent("TwilioProxy/1.1 (warm-transfer simulator)")
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        let (work, queues): (Vec<_>, Vec<_>) = (0..cfg.lanes.max(1)).map(|_| mpsc::unbounded_channel()).unzip();
        // Roomy: 200 phones read it, and a slow one that lags resyncs (see `browser::events`).
        let (events, _) = broadcast::channel(4096);
        let tick = cfg.tick_interval;
        let faults = FaultBook::keeping(cfg.request_log);
        let inner = Arc::new(Inner {
            cfg,
            engine: Mutex::new(engine),
            http,
            work,
            in_flight: AtomicUsize::new(0),
            events,
            last_state: Mutex::new(None),
            faults: Mutex::new(faults),
            unplugged: Mutex::new(HashSet::new()),
            echoed: AtomicU64::new(0),
        });
        for queue in queues {
            tokio::spawn(perform_effects(Arc::downgrade(&inner), queue));
        }
        tokio::spawn(tick_ring_timeouts(Arc::downgrade(&inner), tick));
        Simulator { inner }
    }

    pub(super) fn config(&self) -> &SimulatorConfig {
        &self.inner.cfg
    }

    /// Runs `op` on the engine at the current time, then sends its effects on their way. The
    /// lock is never held across an `.await`.
    pub fn apply<T>(&self, op: impl FnOnce(&mut Engine, SystemTime) -> T) -> T {
        let (result, effects) = {
            let mut engine = self.inner.engine.lock();
            let result = op(&mut engine, SystemTime::now());
            let effects = engine.take_effects();
            // Only a changed state is broadcast (the ticker applies every 250 ms). It is sent
            // while the engine is still locked, so states reach subscribers in the order they
            // were taken: a snapshot from before a call rang can never arrive after its ring
            // (the simulated browser would take the call for ended).
            if self.inner.events.receiver_count() == 0 {
                // Nobody follows: the last state would go stale (see `shared_snapshot`).
                *self.inner.last_state.lock() = None;
            }
            let state = (self.inner.events.receiver_count() > 0).then(|| engine.snapshot()).and_then(|state| {
                let mut last = self.inner.last_state.lock();
                if last.as_deref() == Some(&state) {
                    return None;
                }
                let state = Arc::new(state);
                *last = Some(state.clone());
                Some(state)
            });
            if let Some(state) = state {
                let live_by_to = Arc::new(live_by_to(&state));
                let _ = self.inner.events.send(SimEvent::State { state, live_by_to });
            }
            (result, effects)
        };
        self.inner.dispatch(effects);
        result
    }

    /// A customer calls the support number from `from`.
    pub fn place_customer_call(&self, from: &str) -> CallSid {
        let to = self.inner.cfg.support_number.clone();
        self.apply(|e, now| e.incoming_call(from, &to, now))
    }

    pub fn answer(&self, call_sid: &CallSid) -> Result<(), SimError> {
        self.apply(|e, now| e.answer(call_sid, now))
    }

    pub fn reject(&self, call_sid: &CallSid) -> Result<(), SimError> {
        self.apply(|e, now| e.reject(call_sid, now))
    }

    pub fn hangup(&self, call_sid: &CallSid) -> Result<(), SimError> {
        self.apply(|e, now| e.hangup(call_sid, now))
    }

    /// DTMF tones from a browser's call (the simulated `Call.sendDigits`) or the `/phone` keypad;
    /// a `<Gather>` or `<Record>` listening takes them.
    pub fn send_digits(&self, call_sid: &CallSid, digits: &str) -> Result<(), SimError> {
        self.apply(|e, now| e.send_digits(call_sid, digits, now))
    }

    /// The caller says `text` (see [`Engine::speak`]): a speech `<Gather>` completes with it, a
    /// `<Record>` records it.
    pub fn speak(&self, call_sid: &CallSid, text: &str) -> Result<(), SimError> {
        self.apply(|e, now| e.speak(call_sid, text, now))
    }

    /// `POST Calls/{CA}.json Url=…|Twiml=…` without the HTTP (see [`Engine::redirect_call`]).
    pub fn redirect_call(&self, call_sid: &CallSid, to: CallRedirect) -> Result<(), SimError> {
        self.apply(|e, now| e.redirect_call(call_sid, to, now))
    }

    /// A `/phone` page holds (or renews its hold on) `number`: calls to it ring on the page (see
    /// [`super::engine::held_numbers`]). Answers the calls ringing there now.
    pub fn hold_number(&self, number: &str) -> Result<Vec<RingingCall>, SimError> {
        self.apply(|e, now| e.hold_number(number, now).map(|_| e.ringing_for_number(number)))
    }

    /// The page lets its number go back to the phone book.
    pub fn release_number(&self, number: &str) {
        self.apply(|e, _| e.release_number(number));
    }

    /// Calls ringing on the page holding `number`.
    pub fn ringing_for_number(&self, number: &str) -> Vec<RingingCall> {
        self.inner.engine.lock().ringing_for_number(number)
    }

    /// A recording by `RE…` SID.
    pub fn recording(&self, sid: &str) -> Option<RecordingView> {
        self.inner.engine.lock().recording(sid)
    }

    /// The recordings kept (all, or one call's), newest first.
    pub fn recordings(&self, call_sid: Option<&str>) -> Vec<RecordingView> {
        self.inner.engine.lock().recordings(call_sid)
    }

    /// Plugs the simulated headset of `identity`'s browser in or out, and tells its Devices. It
    /// is remembered, so a Device that connects later starts with the right devices. Refused
    /// (with the reason) when [`MAX_UNPLUGGED`] other headsets are out already.
    pub fn set_headset(&self, identity: &str, plugged: bool) -> Result<(), String> {
        let mut unplugged = self.inner.unplugged.lock();
        if plugged {
            unplugged.remove(identity);
        } else if unplugged.len() >= MAX_UNPLUGGED && !unplugged.contains(identity) {
            return Err(format!("{MAX_UNPLUGGED} headsets are unplugged already; plug one back in first"));
        } else {
            unplugged.insert(identity.to_string());
        }
        // Sent under the lock, so a Device that connects meanwhile reads the state after it
        // subscribed (see `browser::events`) and never ends up with an older one.
        let _ = self.inner.events.send(SimEvent::AudioDevices { identity: identity.to_string(), headset: plugged });
        Ok(())
    }

    /// Makes a browser's live call report a quality problem (or its end) through its Device, as
    /// the network would: for trying the console's words and the tests.
    pub fn call_quality(&self, call_sid: &CallSid, event: &'static str, name: Option<String>) -> Result<(), SimError> {
        let call = self.inner.engine.lock().call(call_sid.as_str());
        let call = call.ok_or_else(|| SimError::UnknownCall(call_sid.to_string()))?;
        let Some(identity) = call.to.strip_prefix("client:") else {
            return Err(SimError::Invalid(format!("Call {call_sid} is not a browser's call")));
        };
        if call.status != CallStatus::InProgress {
            return Err(SimError::WrongState {
                call_sid: call_sid.to_string(),
                status: call.status.as_str(),
                action: "given call-quality events",
            });
        }
        let _ = self.inner.events.send(SimEvent::CallQuality { identity: identity.to_string(), call_sid: call_sid.clone(), event, name });
        Ok(())
    }

    /// Whether `identity`'s simulated headset is plugged in.
    pub fn headset_plugged(&self, identity: &str) -> bool {
        !self.inner.unplugged.lock().contains(identity)
    }

    pub fn snapshot(&self) -> SimState {
        self.inner.engine.lock().snapshot()
    }

    /// The state as last broadcast, shared, when anyone subscribes (it is then current: every
    /// change is broadcast); else a fresh snapshot. A thousand callers' phones each looking at
    /// their call every second or two read this rather than copy the whole state each time.
    pub fn shared_snapshot(&self) -> Arc<SimState> {
        if self.inner.events.receiver_count() > 0 {
            if let Some(state) = self.inner.last_state.lock().clone() {
                return state;
            }
        }
        Arc::new(self.snapshot())
    }

    /// Calls ringing for a browser identity right now (for a Device that connects late).
    pub fn ringing_for(&self, identity: &str) -> Vec<RingingCall> {
        self.inner.engine.lock().ringing_for(identity)
    }

    /// Makes the REST API fail the next requests `rule` matches (see [`super::faults`]): they
    /// are answered with an error status, or held and dropped, and never applied.
    pub fn fail_next(&self, rule: FaultRule) {
        self.faults().add(rule);
    }

    /// Forgets every fault not yet used up.
    pub fn clear_faults(&self) {
        self.faults().clear();
    }

    /// The newest requests the REST API received (up to [`SimulatorConfig::request_log`]), oldest
    /// first, each with its form, status, the SID it created and the injected fault that failed it.
    pub fn api_requests(&self) -> Vec<ApiRequest> {
        self.faults().log()
    }

    /// The SID of the next call created in [`Answering::Echo`]: `CA` and the count in 32 hex digits.
    pub(super) fn next_echoed_sid(&self) -> CallSid {
        let n = self.inner.echoed.fetch_add(1, Ordering::Relaxed) + 1;
        CallSid::parse(&format!("CA{n:032x}")).expect("CA and 32 hex digits")
    }

    pub(super) fn faults(&self) -> parking_lot::MutexGuard<'_, FaultBook> {
        self.inner.faults.lock()
    }

    /// Tells subscribers about a REST request an injected fault failed.
    pub(super) fn announce_fault(&self, method: &str, path: &str, fault: &Fault) {
        tracing::info!(method, path, fault = %fault.describe(), "simulator REST request failed on purpose");
        let _ = self.inner.events.send(SimEvent::Request {
            kind: "api-fault",
            method: method.to_string(),
            url: path.to_string(),
            outcome: fault.describe(),
        });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<SimEvent> {
        self.inner.events.subscribe()
    }

    /// Waits until every effect produced so far (and everything those caused) was performed.
    pub async fn settle(&self) {
        while self.inner.in_flight.load(Ordering::SeqCst) > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Inner {
    /// UI notifications go out at once; requests to the app queue up for the worker, in order.
    fn dispatch(&self, effects: Vec<SimEffect>) {
        for effect in effects {
            let event = match effect {
                SimEffect::Ring { identity, call_sid, from } => SimEvent::Ring { identity, call_sid, from },
                SimEffect::StopRinging { identity, call_sid, reason } => SimEvent::StopRinging { identity, call_sid, reason },
                SimEffect::Warning { call_sid, code, message } => {
                    tracing::warn!(call_sid = call_sid.as_ref().map(|s| s.as_str()).unwrap_or("-"), ?code, %message, "simulator");
                    SimEvent::Warning { call_sid, code, message }
                }
                work @ (SimEffect::FetchTwiml { .. } | SimEffect::Callback { .. }) => {
                    self.in_flight.fetch_add(1, Ordering::SeqCst);
                    if self.work[lane_of(&work) % self.work.len()].send(work).is_err() {
                        self.in_flight.fetch_sub(1, Ordering::SeqCst);
                    }
                    continue;
                }
            };
            let _ = self.events.send(event);
        }
    }

    /// `url` is the app's (under its public base URL); the URL to actually send to.
    fn transport_url(&self, url: &str) -> Option<String> {
        let base = &self.cfg.app_base_url;
        let rest = url.strip_prefix(base.as_str())?;
        if !(rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')) {
            return None;
        }
        Some(match &self.cfg.app_local_url {
            Some(local) => format!("{}{rest}", local.trim_end_matches('/')),
            None => url.to_string(),
        })
    }

    /// Sends one webhook as Twilio does: form-encoded POST (or GET with the parameters in the
    /// query), signed over the public URL.
    async fn request(&self, kind: &'static str, method: &str, url: &str, params: &[(String, String)]) -> Result<reqwest::Response, String> {
        let Some(target) = self.transport_url(url) else {
            return Err(format!("{url} is not under the app's base URL {}; not requested", self.cfg.app_base_url));
        };
        let token = self.cfg.auth_token.expose();
        let result = if method == "GET" {
            let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
            let sep = |u: &str| if u.contains('?') { '&' } else { '?' };
            let signed_url = format!("{url}{}{query}", sep(url));
            let target = format!("{target}{}{query}", sep(&target));
            self.http.get(target).header("x-twilio-signature", signature::compute(token, &signed_url, &[])).send().await
        } else {
            self.http.post(target).header("x-twilio-signature", signature::compute(token, url, params)).form(params).send().await
        };
        let outcome = match &result {
            Ok(r) => format!("HTTP {}", r.status().as_u16()),
            Err(e) if e.is_timeout() => "timed out".to_string(),
            Err(e) => format!("failed: {e}"),
        };
        tracing::debug!(kind, method, url, %outcome, "simulator request");
        let _ = self.events.send(SimEvent::Request { kind, method: method.to_string(), url: url.to_string(), outcome: outcome.clone() });
        result.map_err(|_| outcome)
    }

    /// The document at `url`: the app's answer, or (for any other URL) an audio file to play.
    async fn fetch_document(&self, method: &str, url: &str, params: &[(String, String)]) -> Result<Vec<Instruction>, String> {
        if self.transport_url(url).is_none() {
            return Ok(vec![Instruction::Play { url: url.to_string(), loop_count: 0 }]);
        }
        let response = self.request("twiml", method, url, params).await?;
        let status = response.status();
        let audio = response.headers().get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("audio/"));
        let body = response.text().await.map_err(|e| format!("unreadable answer: {e}"))?;
        if !status.is_success() {
            return Err(format!("HTTP {} from {url}", status.as_u16()));
        }
        if audio {
            return Ok(vec![Instruction::Play { url: url.to_string(), loop_count: 1 }]);
        }
        twiml::parse(&body).map_err(|e| format!("bad TwiML from {url}: {e}"))
    }
}

/// The worker: performs queued effects one at a time, feeding documents back into the engine.
/// The lane of an effect: by the call it is about (a conference's callback: the participant's
/// call, else the conference).
fn lane_of(effect: &SimEffect) -> usize {
    use std::hash::{Hash, Hasher};
    let key = match effect {
        SimEffect::FetchTwiml { call_sid, .. } => call_sid.as_str(),
        SimEffect::Callback { params, .. } => params
            .iter()
            .find(|(k, _)| k == "CallSid")
            .or_else(|| params.iter().find(|(k, _)| k == "ConferenceSid"))
            .map_or("", |(_, v)| v.as_str()),
        _ => "",
    };
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    h.finish() as usize
}

async fn perform_effects(inner: Weak<Inner>, mut queue: mpsc::UnboundedReceiver<SimEffect>) {
    while let Some(effect) = queue.recv().await {
        let Some(inner) = inner.upgrade() else { return };
        match effect {
            SimEffect::FetchTwiml { call_sid, fetch_id, url, method, params } => {
                let result = inner.fetch_document(&method, &url, &params).await;
                let sim = Simulator { inner: inner.clone() };
                // A result the call no longer waits for is dropped by the engine; errors here are
                // only "the call is gone", which is fine.
                let _ = sim.apply(|e, now| e.twiml_result_for(&call_sid, fetch_id, result, now));
            }
            SimEffect::Callback { url, method, params } => {
                if let Err(e) = inner.request("callback", &method, &url, &params).await {
                    tracing::debug!(%url, error = %e, "simulator callback not delivered");
                }
            }
            other => inner.dispatch(vec![other]),
        }
        inner.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Starts the API-created calls whose turn came (the account's calls per second), rings out
/// unanswered calls whose timeout passed and follows due `<Redirect>`s of wait and hold documents.
async fn tick_ring_timeouts(inner: Weak<Inner>, every: Duration) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        Simulator { inner }.apply(|e, now| e.tick(now));
    }
}
