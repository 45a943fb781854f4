//! The only way out to Twilio: a small typed client for the handful of REST calls the app makes
//! (`api.twilio.com/2010-04-01`, see `../shared/twilio/README.md`, "REST calls the app makes").
//!
//! - Paths are `{base}/2010-04-01/Accounts/{AccountSid}/….json`, every segment percent-encoded
//!   (participant labels may contain any character).
//! - HTTP Basic auth; the password is a [`Secret`] and never reaches an error message, a `Debug`
//!   dump or a log line.
//! - Bodies are `application/x-www-form-urlencoded` with Twilio's PascalCase names, booleans as
//!   `true`/`false`, list parameters as one repeated key per value, unset fields left out.
//! - Every request has a timeout; [`RestError::is_retryable`] tells the outbox what to try again.

use crate::config::Secret;
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// How to reach Twilio's REST API.
#[derive(Debug, Clone)]
pub struct RestConfig {
    /// `https://api.twilio.com` in production; a local mock in tests. No trailing slash needed.
    pub base_url: String,
    /// The account the resources live in (`AC…`).
    pub account_sid: String,
    /// API key SID (`SK…`) or the account SID.
    pub username: String,
    /// API key secret or auth token.
    pub password: Secret,
    /// Every request (connect, send, read the answer) gives up after this long.
    pub timeout: Duration,
}

/// A Twilio REST client; cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct TwilioClient {
    http: reqwest::Client,
    inner: Arc<Inner>,
}

struct Inner {
    base_url: String,
    account_sid: String,
    username: String,
    password: Secret,
    timeout: Duration,
}

impl fmt::Debug for TwilioClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioClient")
            .field("base_url", &self.inner.base_url)
            .field("account_sid", &self.inner.account_sid)
            .field("username", &self.inner.username)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

/// `POST /Calls.json`: dial someone (here: an agent's browser, `To=client:{identity}`).
#[derive(Debug, Clone, Default)]
pub struct CreateCall {
    pub to: String,
    pub from: String,
    /// Where Twilio fetches the TwiML for the call once it is answered.
    pub url: String,
    pub method: Option<String>,
    /// Seconds to let it ring (Twilio's default is 60).
    pub timeout_secs: Option<u32>,
    pub status_callback: Option<String>,
    /// `initiated`, `ringing`, `answered`, `completed`: one `StatusCallbackEvent` key each.
    pub status_callback_event: Vec<String>,
    pub status_callback_method: Option<String>,
}

/// `POST /Conferences/{CF or name}/Participants.json`: dial someone into a conference.
#[derive(Debug, Clone, Default)]
pub struct AddParticipant {
    pub from: String,
    pub to: String,
    pub label: Option<String>,
    pub start_conference_on_enter: Option<bool>,
    pub end_conference_on_exit: Option<bool>,
    pub status_callback: Option<String>,
    pub status_callback_event: Vec<String>,
    pub timeout_secs: Option<u32>,
    /// `true`, `false`, `onEnter` or `onExit`.
    pub beep: Option<String>,
    pub wait_url: Option<String>,
    pub muted: Option<bool>,
    /// Heard only by the participant on `call_sid_to_coach` (the two go together).
    pub coaching: Option<bool>,
    pub call_sid_to_coach: Option<String>,
}

/// `POST /Conferences/{CF}/Participants/{CallSid or label}.json`: hold, mute, change flags.
#[derive(Debug, Clone, Default)]
pub struct UpdateParticipant {
    pub hold: Option<bool>,
    pub hold_url: Option<String>,
    pub muted: Option<bool>,
    pub end_conference_on_exit: Option<bool>,
    pub announce_url: Option<String>,
    /// Heard only by the participant on `call_sid_to_coach` (which Twilio requires with
    /// `Coaching=true`).
    pub coaching: Option<bool>,
    pub call_sid_to_coach: Option<String>,
}

/// A call resource (`CA…`) as Twilio answers it; unknown fields are ignored.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct CallResource {
    pub sid: String,
    pub status: Option<String>,
    #[serde(default)]
    pub account_sid: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub parent_call_sid: Option<String>,
}

/// An account resource (`AC…`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct AccountResource {
    pub sid: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub friendly_name: Option<String>,
    /// The account's **primary** auth token, whichever token (primary or secondary) read the
    /// resource: Twilio signs webhooks with this one only. A secret: never shown.
    #[serde(default, deserialize_with = "secret")]
    pub auth_token: Option<Secret>,
}

fn secret<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    Ok(<Option<String> as serde::Deserialize>::deserialize(d)?.map(Secret::new))
}

/// A phone number of the account (`PN…`), with its voice webhook.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct NumberResource {
    pub sid: String,
    pub phone_number: String,
    #[serde(default)]
    pub voice_url: Option<String>,
    #[serde(default)]
    pub voice_method: Option<String>,
    /// A TwiML App (`AP…`) that takes the number's calls instead of `voice_url`.
    #[serde(default)]
    pub voice_application_sid: Option<String>,
    /// A SIP trunk (`TK…`) that takes the number's calls instead of `voice_url` and any app.
    #[serde(default)]
    pub trunk_sid: Option<String>,
}

impl NumberResource {
    /// What takes the number's incoming calls when it is not `voice_url`: Twilio ignores the
    /// voice URL while either is set (an empty value is unset).
    pub fn routed_elsewhere(&self) -> Option<NumberRouting> {
        let set = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        match (set(&self.trunk_sid), set(&self.voice_application_sid)) {
            (Some(trunk), _) => Some(NumberRouting::Trunk(trunk)),
            (None, Some(app)) => Some(NumberRouting::Application(app)),
            (None, None) => None,
        }
    }
}

/// Where a number's calls go instead of its voice webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberRouting {
    /// A TwiML App (`voice_application_sid`).
    Application(String),
    /// A SIP trunk (`trunk_sid`).
    Trunk(String),
}

/// A conference resource (`CF…`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ConferenceResource {
    pub sid: String,
    #[serde(default)]
    pub friendly_name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// A conference participant resource.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ParticipantResource {
    #[serde(default)]
    pub call_sid: Option<String>,
    #[serde(default)]
    pub conference_sid: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub hold: Option<bool>,
    #[serde(default)]
    pub muted: Option<bool>,
    #[serde(default)]
    pub status: Option<String>,
}

/// Why a REST call failed. No variant ever carries the password or the `Authorization` header.
#[derive(Debug, thiserror::Error)]
pub enum RestError {
    /// Twilio answered with an error status (its JSON body `{"code","message","more_info","status"}`
    /// when there was one).
    #[error("Twilio answered HTTP {status}{}: {message}", code.map(|c| format!(" (error {c})")).unwrap_or_default())]
    Api { status: u16, code: Option<i64>, message: String, more_info: Option<String> },
    /// No complete answer within the configured timeout.
    #[error("Twilio did not answer in time")]
    Timeout,
    /// The request never got an HTTP answer (DNS, connection, TLS…).
    #[error("could not reach Twilio: {0}")]
    Transport(String),
    /// A success status whose body is not the expected JSON.
    #[error("unexpected answer from Twilio: {0}")]
    Decode(String),
}

impl RestError {
    /// Worth trying again later: throttling (429), server errors (5xx), timeouts, transport errors.
    /// Client errors (bad request, auth, not found) will fail the same way again.
    pub fn is_retryable(&self) -> bool {
        match self {
            RestError::Api { status, .. } => *status == 429 || (500..=599).contains(status),
            RestError::Timeout | RestError::Transport(_) => true,
            RestError::Decode(_) => false,
        }
    }

    /// Twilio's error code, for API errors that carry one.
    pub fn code(&self) -> Option<i64> {
        match self {
            RestError::Api { code, .. } => *code,
            _ => None,
        }
    }

    /// The HTTP status Twilio answered with, for API errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            RestError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Longest piece of an answer body quoted in an error message.
const MAX_QUOTED: usize = 600;

impl TwilioClient {
    pub fn new(cfg: RestConfig) -> Self {
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            .user_agent(concat!("warm-transfer/", env!("CARGO_PKG_VERSION")))
            .build()
            // Only fails if the TLS backend cannot start; every request still sets its own timeout.
            .unwrap_or_else(|_| reqwest::Client::new());
        TwilioClient {
            http,
            inner: Arc::new(Inner {
                base_url: cfg.base_url.trim_end_matches('/').to_string(),
                account_sid: cfg.account_sid,
                username: cfg.username,
                password: cfg.password,
                timeout: cfg.timeout,
            }),
        }
    }

    /// `POST /Calls.json` (201).
    pub async fn create_call(&self, req: &CreateCall) -> Result<CallResource, RestError> {
        let path = self.path(&["Calls"]);
        self.send_json(reqwest::Method::POST, &path, None, Some(req.to_form())).await
    }

    /// `GET /Conferences.json?FriendlyName={name}&Status=in-progress`: the live conference with that
    /// name, if any.
    pub async fn find_live_conference(&self, friendly_name: &str) -> Result<Option<ConferenceResource>, RestError> {
        #[derive(serde::Deserialize)]
        struct Page {
            #[serde(default)]
            conferences: Vec<ConferenceResource>,
        }
        let path = self.path(&["Conferences"]);
        let query = encode_form(&[("FriendlyName", friendly_name.to_string()), ("Status", "in-progress".into())]);
        let page: Page = self.send_json(reqwest::Method::GET, &path, Some(query), None).await?;
        // Twilio filters server-side; the checks only guard against a page that ignored the filter.
        Ok(page.conferences.into_iter().find(|c| {
            c.status.as_deref().is_none_or(|s| s == "in-progress") && c.friendly_name.as_deref().is_none_or(|n| n == friendly_name)
        }))
    }

    /// `POST /Conferences/{conference}/Participants.json` (201); `conference` is a `CF…` SID or
    /// the conference's friendly name.
    /// `GET /Accounts/{AC}.json`: the account, if these credentials may read it.
    pub async fn fetch_account(&self) -> Result<AccountResource, RestError> {
        let path = format!("/2010-04-01/Accounts/{}.json", encode_segment(&self.inner.account_sid));
        self.send_json(reqwest::Method::GET, &path, None, None).await
    }

    /// `GET /IncomingPhoneNumbers.json?PhoneNumber=…`: the account's numbers that are `number`.
    pub async fn numbers(&self, number: &str) -> Result<Vec<NumberResource>, RestError> {
        #[derive(serde::Deserialize)]
        struct Page {
            #[serde(default)]
            incoming_phone_numbers: Vec<NumberResource>,
        }
        let path = self.path(&["IncomingPhoneNumbers"]);
        let query = encode_form(&[("PhoneNumber", number.to_string())]);
        let page: Page = self.send_json(reqwest::Method::GET, &path, Some(query), None).await?;
        Ok(page.incoming_phone_numbers)
    }

    /// `POST /IncomingPhoneNumbers/{PN}.json VoiceUrl=… VoiceMethod=…`: where its calls go.
    /// With `detach`, also `VoiceApplicationSid=` or `TrunkSid=` (empty: unset): a TwiML App or
    /// a SIP trunk set on the number would otherwise keep taking its calls, whatever the voice URL
    /// says.
    pub async fn set_voice_webhook(
        &self,
        number_sid: &str,
        url: &str,
        method: &str,
        detach: Option<&NumberRouting>,
    ) -> Result<NumberResource, RestError> {
        let path = self.path(&["IncomingPhoneNumbers", number_sid]);
        let mut form = vec![("VoiceUrl", url.to_string()), ("VoiceMethod", method.to_string())];
        match detach {
            Some(NumberRouting::Application(_)) => form.push(("VoiceApplicationSid", String::new())),
            Some(NumberRouting::Trunk(_)) => form.push(("TrunkSid", String::new())),
            None => {}
        }
        self.send_json(reqwest::Method::POST, &path, None, Some(form)).await
    }

    pub async fn add_participant(&self, conference: &str, req: &AddParticipant) -> Result<ParticipantResource, RestError> {
        let path = self.path(&["Conferences", conference, "Participants"]);
        self.send_json(reqwest::Method::POST, &path, None, Some(req.to_form())).await
    }

    /// `POST /Conferences/{CF}/Participants/{CallSid or label}.json` (200).
    pub async fn update_participant(
        &self,
        conference: &str,
        call_sid_or_label: &str,
        req: &UpdateParticipant,
    ) -> Result<ParticipantResource, RestError> {
        let path = self.path(&["Conferences", conference, "Participants", call_sid_or_label]);
        self.send_json(reqwest::Method::POST, &path, None, Some(req.to_form())).await
    }

    /// `DELETE /Conferences/{CF}/Participants/{CallSid or label}.json` (204): hang up that leg.
    pub async fn remove_participant(&self, conference: &str, call_sid_or_label: &str) -> Result<(), RestError> {
        let path = self.path(&["Conferences", conference, "Participants", call_sid_or_label]);
        self.send(reqwest::Method::DELETE, &path, None, None).await.map(drop)
    }

    /// `POST /Conferences/{CF}.json` with `Status=completed`: end it for everyone.
    pub async fn end_conference(&self, conference: &str) -> Result<(), RestError> {
        let path = self.path(&["Conferences", conference]);
        let form = vec![("Status", "completed".to_string())];
        self.send(reqwest::Method::POST, &path, None, Some(form)).await.map(drop)
    }

    /// `POST /Calls/{CA}.json` with `Status=canceled`: stop a call that is still ringing or
    /// queued. Twilio leaves a call already answered alone (and says so: the call it answers
    /// with is `in-progress`); that one needs `completed`. `Ok(true)`: it was answered.
    pub async fn cancel_call(&self, call_sid: &str) -> Result<bool, RestError> {
        let path = self.path(&["Calls", call_sid]);
        let form = vec![("Status", "canceled".to_string())];
        let body = self.send(reqwest::Method::POST, &path, None, Some(form)).await?;
        let status = serde_json::from_slice::<serde_json::Value>(&body).ok().and_then(|v| v["status"].as_str().map(str::to_string));
        Ok(status.as_deref() == Some("in-progress"))
    }

    /// `POST /Calls/{CA}.json` with `Url=…`: the call in progress leaves what it is doing (its
    /// conference) and runs the document at `url` (fetched with POST).
    pub async fn redirect_call(&self, call_sid: &str, url: &str) -> Result<(), RestError> {
        let path = self.path(&["Calls", call_sid]);
        let form = vec![("Url", url.to_string()), ("Method", "POST".to_string())];
        self.send(reqwest::Method::POST, &path, None, Some(form)).await.map(drop)
    }

    /// `POST /Calls/{CA}.json` with `Status=completed`: hang up a call in progress.
    pub async fn hang_up_call(&self, call_sid: &str) -> Result<(), RestError> {
        let path = self.path(&["Calls", call_sid]);
        let form = vec![("Status", "completed".to_string())];
        self.send(reqwest::Method::POST, &path, None, Some(form)).await.map(drop)
    }

    /// `GET /Recordings/{RE}.wav`: a recording's audio, fetched with the account's credentials
    /// (recordings are served to the console through the app, never as public links).
    pub async fn recording_wav(&self, recording_sid: &str) -> Result<Vec<u8>, RestError> {
        let path = self.path(&["Recordings", recording_sid]);
        let path = format!("{}.wav", path.trim_end_matches(".json"));
        self.send(reqwest::Method::GET, &path, None, None).await
    }

    /// `/2010-04-01/Accounts/{AC}/{segments…}.json`, each segment percent-encoded.
    fn path(&self, segments: &[&str]) -> String {
        let mut p = String::from("/2010-04-01/Accounts/");
        p.push_str(&encode_segment(&self.inner.account_sid));
        for s in segments {
            p.push('/');
            p.push_str(&encode_segment(s));
        }
        p.push_str(".json");
        p
    }

    async fn send_json<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        query: Option<String>,
        form: Option<Vec<(&'static str, String)>>,
    ) -> Result<T, RestError> {
        let body = self.send(method, path, query, form).await?;
        serde_json::from_slice(&body).map_err(|e| RestError::Decode(self.redact(&format!("{path}: {e}"))))
    }

    /// Sends one request; a 2xx answer gives its body, anything else a [`RestError`].
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        query: Option<String>,
        form: Option<Vec<(&'static str, String)>>,
    ) -> Result<Vec<u8>, RestError> {
        let mut url = format!("{}{}", self.inner.base_url, path);
        if let Some(q) = query.as_deref().filter(|q| !q.is_empty()) {
            url.push('?');
            url.push_str(q);
        }
        let mut rb = self
            .http
            .request(method.clone(), url)
            .timeout(self.inner.timeout)
            .basic_auth(&self.inner.username, Some(self.inner.password.expose()))
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(form) = form {
            rb = rb.header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(encode_form(&form));
        }

        let resp = match rb.send().await {
            Ok(r) => r,
            Err(e) => {
                let err = self.transport_error(e);
                tracing::debug!(method = %method, path, error = %err, "twilio request failed");
                return Err(err);
            }
        };
        let status = resp.status();
        tracing::debug!(method = %method, path, status = status.as_u16(), "twilio request");
        let body = resp.bytes().await.map_err(|e| self.transport_error(e))?;
        if status.is_success() {
            Ok(body.to_vec())
        } else {
            Err(self.api_error(status, &body))
        }
    }

    fn transport_error(&self, e: reqwest::Error) -> RestError {
        if e.is_timeout() {
            return RestError::Timeout;
        }
        // The URL is left out (a misconfigured base URL could carry credentials); the cause chain
        // says what went wrong.
        let e = e.without_url();
        let mut msg = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            source = s.source();
        }
        RestError::Transport(self.redact(&msg))
    }

    fn api_error(&self, status: reqwest::StatusCode, body: &[u8]) -> RestError {
        let e = parse_api_error(status.as_u16(), body);
        match e {
            RestError::Api { status, code, message, more_info } => {
                RestError::Api { status, code, message: self.redact(&message), more_info: more_info.map(|m| self.redact(&m)) }
            }
            other => other,
        }
    }

    /// Belt and braces: no message built from the outside world may contain the password.
    fn redact(&self, s: &str) -> String {
        let pw = self.inner.password.expose();
        if pw.is_empty() {
            s.to_string()
        } else {
            s.replace(pw, "[redacted]")
        }
    }
}

/// Twilio's error JSON `{"code","message","more_info","status"}` into [`RestError::Api`]. Other
/// JSON (a proxy's or a mock's problem report) is quoted, shortened; non-JSON bodies (HTML error
/// pages) give a generic message.
fn parse_api_error(status: u16, body: &[u8]) -> RestError {
    #[derive(serde::Deserialize)]
    struct TwilioError {
        #[serde(default)]
        code: Option<i64>,
        #[serde(default)]
        message: Option<String>,
        #[serde(default)]
        more_info: Option<String>,
    }
    let generic = || {
        let reason = reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("error");
        format!("{reason} (no error details)")
    };
    let (code, message, more_info) = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v @ serde_json::Value::Object(_)) => {
            let t: Option<TwilioError> = serde_json::from_value(v.clone()).ok();
            match t {
                Some(TwilioError { code, message: Some(message), more_info }) => (code, message, more_info),
                Some(TwilioError { code, message: None, more_info }) => (code, describe_json(v), more_info),
                None => (None, describe_json(v), None),
            }
        }
        _ => (None, generic(), None),
    };
    RestError::Api { status, code, message, more_info }
}

/// A non-Twilio JSON error (e.g. an RFC 7807 problem report from a proxy or a mock): its `title`
/// and `detail` first, then the other fields as compact JSON, shortened.
fn describe_json(v: serde_json::Value) -> String {
    let serde_json::Value::Object(mut map) = v else {
        return shorten(&v.to_string());
    };
    let mut parts = Vec::new();
    for key in ["title", "detail"] {
        if let Some(serde_json::Value::String(s)) = map.remove(key) {
            parts.push(s);
        }
    }
    map.remove("type");
    map.remove("status");
    if !map.is_empty() {
        parts.push(serde_json::Value::Object(map).to_string());
    }
    shorten(&parts.join(": "))
}

fn shorten(s: &str) -> String {
    if s.len() <= MAX_QUOTED {
        return s.to_string();
    }
    let mut end = MAX_QUOTED;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Percent-encodes one path segment: everything but RFC 3986 unreserved characters.
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn encode_form(pairs: &[(&str, String)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    ser.finish()
}

fn bool_str(b: bool) -> String {
    if b { "true" } else { "false" }.to_string()
}

/// Builds a form in a fixed order, leaving out unset values.
#[derive(Default)]
struct Form(Vec<(&'static str, String)>);

impl Form {
    /// A required string: an empty one is left out, so Twilio reports it as missing.
    fn text(mut self, key: &'static str, v: &str) -> Self {
        if !v.is_empty() {
            self.0.push((key, v.to_string()));
        }
        self
    }
    fn opt(mut self, key: &'static str, v: &Option<String>) -> Self {
        if let Some(v) = v {
            self.0.push((key, v.clone()));
        }
        self
    }
    fn flag(mut self, key: &'static str, v: Option<bool>) -> Self {
        if let Some(v) = v {
            self.0.push((key, bool_str(v)));
        }
        self
    }
    fn num(mut self, key: &'static str, v: Option<u32>) -> Self {
        if let Some(v) = v {
            self.0.push((key, v.to_string()));
        }
        self
    }
    fn list(mut self, key: &'static str, vs: &[String]) -> Self {
        self.0.extend(vs.iter().map(|v| (key, v.clone())));
        self
    }
}

impl CreateCall {
    fn to_form(&self) -> Vec<(&'static str, String)> {
        Form::default()
            .text("To", &self.to)
            .text("From", &self.from)
            .text("Url", &self.url)
            .opt("Method", &self.method)
            .num("Timeout", self.timeout_secs)
            .opt("StatusCallback", &self.status_callback)
            .list("StatusCallbackEvent", &self.status_callback_event)
            .opt("StatusCallbackMethod", &self.status_callback_method)
            .0
    }
}

impl AddParticipant {
    fn to_form(&self) -> Vec<(&'static str, String)> {
        Form::default()
            .text("From", &self.from)
            .text("To", &self.to)
            .opt("Label", &self.label)
            .flag("StartConferenceOnEnter", self.start_conference_on_enter)
            .flag("EndConferenceOnExit", self.end_conference_on_exit)
            .opt("StatusCallback", &self.status_callback)
            .list("StatusCallbackEvent", &self.status_callback_event)
            .num("Timeout", self.timeout_secs)
            .opt("Beep", &self.beep)
            .opt("WaitUrl", &self.wait_url)
            .flag("Muted", self.muted)
            .flag("Coaching", self.coaching)
            .opt("CallSidToCoach", &self.call_sid_to_coach)
            .0
    }
}

impl UpdateParticipant {
    fn to_form(&self) -> Vec<(&'static str, String)> {
        Form::default()
            .flag("Hold", self.hold)
            .opt("HoldUrl", &self.hold_url)
            .flag("Muted", self.muted)
            .flag("EndConferenceOnExit", self.end_conference_on_exit)
            .opt("AnnounceUrl", &self.announce_url)
            .flag("Coaching", self.coaching)
            .opt("CallSidToCoach", &self.call_sid_to_coach)
            .0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::extract::Request;
    use axum::http::StatusCode;
    use axum::response::Response;
    use std::sync::Mutex;
    use std::time::Instant;

    const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
    const CONF: &str = "CF0123456789abcdef0123456789abcdef";
    const CALL: &str = "CA0123456789abcdef0123456789abcdef";
    const USER: &str = "SK0123456789abcdef0123456789abcdef";
    const PASSWORD: &str = "hunter2-super-secret-password";

    fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
        form.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }

    fn client(base_url: &str, timeout: Duration) -> TwilioClient {
        TwilioClient::new(RestConfig {
            base_url: base_url.to_string(),
            account_sid: ACCOUNT.into(),
            username: USER.into(),
            password: Secret::new(PASSWORD),
            timeout,
        })
    }

    /// What the fake Twilio saw of one request.
    #[derive(Debug, Clone)]
    struct Seen {
        method: String,
        path: String,
        query: Option<String>,
        authorization: Option<String>,
        content_type: Option<String>,
        body: String,
    }

    /// A local HTTP server answering every request with `status` and `body` after `delay`,
    /// recording what it received.
    async fn fake_twilio(status: u16, body: &'static str, delay: Duration) -> (String, Arc<Mutex<Vec<Seen>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let app = axum::Router::new().fallback(move |req: Request| {
            let log = log.clone();
            async move {
                let (parts, b) = req.into_parts();
                let bytes = axum::body::to_bytes(b, usize::MAX).await.unwrap_or_default();
                let header = |n: &str| parts.headers.get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
                log.lock().unwrap().push(Seen {
                    method: parts.method.to_string(),
                    path: parts.uri.path().to_string(),
                    query: parts.uri.query().map(str::to_string),
                    authorization: header("authorization"),
                    content_type: header("content-type"),
                    body: String::from_utf8_lossy(&bytes).into_owned(),
                });
                tokio::time::sleep(delay).await;
                Response::builder()
                    .status(StatusCode::from_u16(status).unwrap())
                    .header("content-type", "application/json")
                    .body(Body::from(body))
                    .unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (format!("http://{addr}"), seen)
    }

    fn assert_no_password(e: &RestError) {
        for s in [format!("{e}"), format!("{e:?}")] {
            assert!(!s.contains(PASSWORD), "password leaked: {s}");
            assert!(!s.contains("Authorization") && !s.contains("authorization"), "auth header leaked: {s}");
            let basic = base64_basic();
            assert!(!s.contains(&basic), "basic credentials leaked: {s}");
        }
    }

    fn base64_basic() -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    }

    #[test]
    fn a_call_request_repeats_status_callback_event_once_per_event() {
        let req = CreateCall {
            to: "client:agent1".into(),
            from: "+15005550006".into(),
            url: "https://support.example.com/conference/connect/agent1".into(),
            method: Some("POST".into()),
            timeout_secs: Some(30),
            status_callback: Some("https://support.example.com/webhooks/call-status".into()),
            status_callback_event: vec!["initiated".into(), "ringing".into(), "answered".into(), "completed".into()],
            status_callback_method: Some("POST".into()),
        };
        let form = req.to_form();
        assert_eq!(
            pairs(&form),
            vec![
                ("To", "client:agent1"),
                ("From", "+15005550006"),
                ("Url", "https://support.example.com/conference/connect/agent1"),
                ("Method", "POST"),
                ("Timeout", "30"),
                ("StatusCallback", "https://support.example.com/webhooks/call-status"),
                ("StatusCallbackEvent", "initiated"),
                ("StatusCallbackEvent", "ringing"),
                ("StatusCallbackEvent", "answered"),
                ("StatusCallbackEvent", "completed"),
                ("StatusCallbackMethod", "POST"),
            ]
        );
        assert_eq!(
            encode_form(&form),
            "To=client%3Aagent1&From=%2B15005550006\
             &Url=https%3A%2F%2Fsupport.example.com%2Fconference%2Fconnect%2Fagent1&Method=POST&Timeout=30\
             &StatusCallback=https%3A%2F%2Fsupport.example.com%2Fwebhooks%2Fcall-status\
             &StatusCallbackEvent=initiated&StatusCallbackEvent=ringing&StatusCallbackEvent=answered\
             &StatusCallbackEvent=completed&StatusCallbackMethod=POST"
        );
    }

    #[test]
    fn unset_optional_fields_are_left_out_of_a_call_request() {
        let req =
            CreateCall { to: "client:agent2".into(), from: "+15005550006".into(), url: "https://x.test/t".into(), ..Default::default() };
        assert_eq!(pairs(&req.to_form()), vec![("To", "client:agent2"), ("From", "+15005550006"), ("Url", "https://x.test/t")]);
    }

    #[test]
    fn an_empty_to_is_left_out_so_twilio_reports_it_missing() {
        let req = CreateCall { from: "+15005550006".into(), url: "https://x.test/t".into(), ..Default::default() };
        assert!(req.to_form().iter().all(|(k, _)| *k != "To"));
    }

    #[test]
    fn participant_booleans_are_written_as_true_and_false() {
        let req = AddParticipant {
            from: "+15005550006".into(),
            to: "client:agent2".into(),
            label: Some("agent 2 & co/ü".into()),
            start_conference_on_enter: Some(true),
            end_conference_on_exit: Some(false),
            status_callback: Some("https://x.test/conference-status".into()),
            status_callback_event: vec!["ringing".into(), "answered".into()],
            timeout_secs: Some(20),
            beep: Some("onEnter".into()),
            wait_url: Some("https://x.test/hold-music".into()),
            muted: Some(true),
            coaching: Some(true),
            call_sid_to_coach: Some(CALL.into()),
        };
        let form = req.to_form();
        assert_eq!(
            pairs(&form),
            vec![
                ("From", "+15005550006"),
                ("To", "client:agent2"),
                ("Label", "agent 2 & co/ü"),
                ("StartConferenceOnEnter", "true"),
                ("EndConferenceOnExit", "false"),
                ("StatusCallback", "https://x.test/conference-status"),
                ("StatusCallbackEvent", "ringing"),
                ("StatusCallbackEvent", "answered"),
                ("Timeout", "20"),
                ("Beep", "onEnter"),
                ("WaitUrl", "https://x.test/hold-music"),
                ("Muted", "true"),
                ("Coaching", "true"),
                ("CallSidToCoach", CALL),
            ]
        );
        let encoded = encode_form(&form);
        assert!(encoded.contains("&Label=agent+2+%26+co%2F%C3%BC&"), "{encoded}");
        assert!(encoded.contains("StatusCallbackEvent=ringing&StatusCallbackEvent=answered"), "{encoded}");
    }

    #[test]
    fn a_hold_update_sends_only_hold_and_hold_url() {
        let hold = UpdateParticipant { hold: Some(true), hold_url: Some("https://x.test/hold".into()), ..Default::default() };
        assert_eq!(encode_form(&hold.to_form()), "Hold=true&HoldUrl=https%3A%2F%2Fx.test%2Fhold");
        let unhold = UpdateParticipant { hold: Some(false), ..Default::default() };
        assert_eq!(encode_form(&unhold.to_form()), "Hold=false");
        let all = UpdateParticipant {
            hold: None,
            hold_url: None,
            muted: Some(false),
            end_conference_on_exit: Some(true),
            announce_url: Some("https://x.test/a".into()),
            coaching: Some(true),
            call_sid_to_coach: Some(CALL.into()),
        };
        assert_eq!(
            pairs(&all.to_form()),
            vec![
                ("Muted", "false"),
                ("EndConferenceOnExit", "true"),
                ("AnnounceUrl", "https://x.test/a"),
                ("Coaching", "true"),
                ("CallSidToCoach", CALL)
            ]
        );
        assert!(UpdateParticipant::default().to_form().is_empty());
    }

    #[test]
    fn labels_with_any_characters_are_percent_encoded_in_the_path() {
        let c = client("https://api.twilio.com/", Duration::from_secs(1));
        assert_eq!(
            c.path(&["Conferences", "support queue/1", "Participants", "agent 2?#&%ü"]),
            format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences/support%20queue%2F1/Participants/agent%202%3F%23%26%25%C3%BC.json")
        );
        assert_eq!(c.path(&["Calls"]), format!("/2010-04-01/Accounts/{ACCOUNT}/Calls.json"));
    }

    #[test]
    fn twilio_error_json_becomes_an_api_error_with_code_and_message() {
        let body = br#"{"code": 21211, "message": "The 'To' number +1555 is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}"#;
        match parse_api_error(400, body) {
            RestError::Api { status, code, message, more_info } => {
                assert_eq!(status, 400);
                assert_eq!(code, Some(21211));
                assert_eq!(message, "The 'To' number +1555 is not a valid phone number.");
                assert_eq!(more_info.as_deref(), Some("https://www.twilio.com/docs/errors/21211"));
            }
            other => panic!("{other:?}"),
        }
        let e = parse_api_error(400, body);
        assert_eq!(e.status(), Some(400));
        assert_eq!(e.to_string(), "Twilio answered HTTP 400 (error 21211): The 'To' number +1555 is not a valid phone number.");
    }

    #[test]
    fn a_non_json_error_body_gives_a_short_generic_message() {
        let html = format!("<html><body>{}</body></html>", "Bad Gateway ".repeat(1000));
        match parse_api_error(502, html.as_bytes()) {
            RestError::Api { status: 502, code: None, message, more_info: None } => {
                assert_eq!(message, "Bad Gateway (no error details)");
            }
            other => panic!("{other:?}"),
        }
        let other_json = format!(r#"{{"title":"Invalid request","detail":"{}"}}"#, "x".repeat(5000));
        match parse_api_error(422, other_json.as_bytes()) {
            RestError::Api { status: 422, message, .. } => {
                assert!(message.starts_with("Invalid request: xxx") && message.len() < MAX_QUOTED + 10, "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn client_errors_are_not_retryable_but_throttling_server_errors_and_timeouts_are() {
        let api = |status| RestError::Api { status, code: None, message: String::new(), more_info: None };
        for s in [400, 401, 403, 404, 409, 422] {
            assert!(!api(s).is_retryable(), "{s}");
        }
        for s in [429, 500, 502, 503, 504] {
            assert!(api(s).is_retryable(), "{s}");
        }
        assert!(RestError::Timeout.is_retryable());
        assert!(RestError::Transport("connection refused".into()).is_retryable());
        assert!(!RestError::Decode("expected value".into()).is_retryable());
        assert_eq!(RestError::Timeout.status(), None);
    }

    #[test]
    fn debug_output_of_the_client_and_its_config_hides_the_password() {
        let cfg = RestConfig {
            base_url: "https://api.twilio.com".into(),
            account_sid: ACCOUNT.into(),
            username: USER.into(),
            password: Secret::new(PASSWORD),
            timeout: Duration::from_secs(5),
        };
        assert!(!format!("{cfg:?}").contains(PASSWORD));
        assert!(!format!("{:?}", TwilioClient::new(cfg)).contains(PASSWORD));
    }

    #[tokio::test]
    async fn the_client_sends_basic_auth_the_right_path_and_a_form_body() {
        let (base, seen) = fake_twilio(
            201,
            r#"{"sid":"CA0123456789abcdef0123456789abcdef","status":"queued","to":"client:agent1","extra":{"a":1}}"#,
            Duration::ZERO,
        )
        .await;
        let c = client(&base, Duration::from_secs(5));
        let call = c
            .create_call(&CreateCall {
                to: "client:agent1".into(),
                from: "+15005550006".into(),
                url: "https://x.test/twiml".into(),
                status_callback_event: vec!["ringing".into(), "answered".into()],
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(call.sid, CALL);
        assert_eq!(call.status.as_deref(), Some("queued"));
        assert_eq!(call.from, None);

        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 1);
        let r = &seen[0];
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, format!("/2010-04-01/Accounts/{ACCOUNT}/Calls.json"));
        assert_eq!(r.query, None);
        assert_eq!(r.authorization.as_deref(), Some(format!("Basic {}", base64_basic()).as_str()));
        assert_eq!(r.content_type.as_deref(), Some("application/x-www-form-urlencoded"));
        assert_eq!(
            r.body,
            "To=client%3Aagent1&From=%2B15005550006&Url=https%3A%2F%2Fx.test%2Ftwiml\
             &StatusCallbackEvent=ringing&StatusCallbackEvent=answered"
        );
    }

    #[tokio::test]
    async fn a_cancel_says_whether_twilio_left_the_call_alone_because_it_was_answered() {
        for (body, answered) in [
            (r#"{"sid":"CA0123456789abcdef0123456789abcdef","status":"in-progress"}"#, true),
            (r#"{"sid":"CA0123456789abcdef0123456789abcdef","status":"canceled"}"#, false),
            (r#"{"sid":"CA0123456789abcdef0123456789abcdef","status":"completed"}"#, false),
        ] {
            let (base, seen) = fake_twilio(200, body, Duration::ZERO).await;
            let c = client(&base, Duration::from_secs(5));
            assert_eq!(c.cancel_call("CA0123456789abcdef0123456789abcdef").await.unwrap(), answered, "{body}");
            assert!(seen.lock().unwrap()[0].body.contains("Status=canceled"));
        }
    }

    #[tokio::test]
    async fn participant_calls_use_the_conference_and_label_paths() {
        let (base, seen) = fake_twilio(
            200,
            r#"{"call_sid":"CA0123456789abcdef0123456789abcdef","conference_sid":"CF0123456789abcdef0123456789abcdef","label":"agent 2","hold":true,"muted":false,"status":"connected"}"#,
            Duration::ZERO,
        )
        .await;
        let c = client(&base, Duration::from_secs(5));
        let p = c
            .add_participant(
                "support room",
                &AddParticipant {
                    from: "+15005550006".into(),
                    to: "client:agent2".into(),
                    label: Some("agent 2".into()),
                    end_conference_on_exit: Some(false),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(p.label.as_deref(), Some("agent 2"));
        let p = c
            .update_participant(
                CONF,
                "agent 2",
                &UpdateParticipant { hold: Some(true), hold_url: Some("https://x.test/hold".into()), ..Default::default() },
            )
            .await
            .unwrap();
        assert_eq!(p.hold, Some(true));
        c.remove_participant(CONF, CALL).await.unwrap();
        c.end_conference(CONF).await.unwrap();

        let seen = seen.lock().unwrap().clone();
        let summary: Vec<(&str, &str, &str)> = seen.iter().map(|s| (s.method.as_str(), s.path.as_str(), s.body.as_str())).collect();
        let base_path = format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences");
        assert_eq!(
            summary,
            vec![
                (
                    "POST",
                    format!("{base_path}/support%20room/Participants.json").as_str(),
                    "From=%2B15005550006&To=client%3Aagent2&Label=agent+2&EndConferenceOnExit=false"
                ),
                (
                    "POST",
                    format!("{base_path}/{CONF}/Participants/agent%202.json").as_str(),
                    "Hold=true&HoldUrl=https%3A%2F%2Fx.test%2Fhold"
                ),
                ("DELETE", format!("{base_path}/{CONF}/Participants/{CALL}.json").as_str(), ""),
                ("POST", format!("{base_path}/{CONF}.json").as_str(), "Status=completed"),
            ]
        );
        assert!(seen.iter().all(|s| s.authorization.as_deref() == Some(format!("Basic {}", base64_basic()).as_str())));
    }

    #[tokio::test]
    async fn finding_the_live_conference_asks_for_in_progress_conferences_by_name() {
        let (base, seen) = fake_twilio(
            200,
            r#"{"conferences":[{"sid":"CF0123456789abcdef0123456789abcdef","friendly_name":"call CA1 & co","status":"in-progress","region":"us1"}],"page":0}"#,
            Duration::ZERO,
        )
        .await;
        let c = client(&base, Duration::from_secs(5));
        let conf = c.find_live_conference("call CA1 & co").await.unwrap().expect("a conference");
        assert_eq!(conf.sid, CONF);
        assert!(c.find_live_conference("another room").await.unwrap().is_none(), "a page ignoring the filter is not trusted");
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen[0].method, "GET");
        assert_eq!(seen[0].path, format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences.json"));
        assert_eq!(seen[0].query.as_deref(), Some("FriendlyName=call+CA1+%26+co&Status=in-progress"));
        assert_eq!(seen[0].body, "");
    }

    #[tokio::test]
    async fn an_empty_conference_page_means_no_live_conference() {
        let (base, _) = fake_twilio(200, r#"{"conferences":[],"page":0}"#, Duration::ZERO).await;
        assert!(client(&base, Duration::from_secs(5)).find_live_conference("room").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_hanging_server_gives_a_retryable_timeout() {
        let (base, _) = fake_twilio(200, "{}", Duration::from_secs(30)).await;
        let c = client(&base, Duration::from_millis(300));
        let started = Instant::now();
        let err = c.end_conference(CONF).await.unwrap_err();
        assert!(matches!(err, RestError::Timeout), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
        assert!(err.is_retryable());
        assert_no_password(&err);
    }

    #[tokio::test]
    async fn a_500_answer_becomes_a_retryable_api_error() {
        let (base, _) = fake_twilio(
            500,
            r#"{"code":20500,"message":"Internal Server Error","more_info":"https://www.twilio.com/docs/errors/20500","status":500}"#,
            Duration::ZERO,
        )
        .await;
        let err = client(&base, Duration::from_secs(5)).create_call(&CreateCall::default()).await.unwrap_err();
        assert!(matches!(err, RestError::Api { status: 500, code: Some(20500), .. }), "{err:?}");
        assert!(err.is_retryable());
        assert_eq!(err.status(), Some(500));
        assert_no_password(&err);
    }

    #[tokio::test]
    async fn a_401_answer_is_not_retryable() {
        let (base, _) = fake_twilio(
            401,
            r#"{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}"#,
            Duration::ZERO,
        )
        .await;
        let err = client(&base, Duration::from_secs(5)).remove_participant(CONF, CALL).await.unwrap_err();
        assert_eq!(err.status(), Some(401));
        assert!(!err.is_retryable());
        assert_no_password(&err);
    }

    #[tokio::test]
    async fn a_success_answer_that_is_not_json_is_a_decode_error() {
        let (base, _) = fake_twilio(201, "<html>ok</html>", Duration::ZERO).await;
        let err = client(&base, Duration::from_secs(5)).create_call(&CreateCall::default()).await.unwrap_err();
        assert!(matches!(err, RestError::Decode(_)), "{err:?}");
        assert!(!err.is_retryable());
        assert_no_password(&err);
    }

    #[tokio::test]
    async fn an_unreachable_server_is_a_retryable_transport_error() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let err = client(&format!("http://127.0.0.1:{port}"), Duration::from_secs(5)).end_conference(CONF).await.unwrap_err();
        assert!(matches!(err, RestError::Transport(_)), "{err:?}");
        assert!(err.is_retryable());
        assert_no_password(&err);
    }

    #[tokio::test]
    async fn errors_never_show_the_password_even_when_the_server_echoes_it() {
        let (base, _) = fake_twilio(
            400,
            r#"{"code":1,"message":"bad password hunter2-super-secret-password","more_info":"hunter2-super-secret-password"}"#,
            Duration::ZERO,
        )
        .await;
        let err = client(&base, Duration::from_secs(5)).end_conference(CONF).await.unwrap_err();
        assert_eq!(err.status(), Some(400));
        assert_no_password(&err);
    }
}
