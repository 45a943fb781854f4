//! The engine itself: the simulated account's calls and conferences, and a call's life from
//! creation to its end (the conference's side is in `conference`, DTMF in `digits`, callbacks
//! in `notify`, what the outside sees in `view`).

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, SystemTime};

use super::model::{
    Call, CallStatus, Conference, ConferenceStatus, Direction, FetchPurpose, Listening, Notification, OnAnswer, SimEffect, SimError,
    StopReason, StoredRecording, Subscription,
};
use super::pacing::Pacer;
use super::phone_book::{self, Callee};
use crate::center::CONFERENCE_LIMIT;
use crate::ids::{CallSid, ConferenceSid};
use crate::simulator::time::rfc2822;
use crate::simulator::twiml::{ConferenceJoin, Instruction};
pub use crate::twilio::rest::NumberRouting;

/// What Twilio says when a call's document cannot be fetched or read.
pub const APPLICATION_ERROR: &str = "We are sorry, an application error has occurred. Goodbye.";
/// What a caller hears while on hold or waiting without a wait URL: Twilio's default music.
pub const DEFAULT_HOLD_MUSIC: &str = "hold music playing";
/// Twilio's 12100 ("Document parse failure"), given here to any document that cannot be had.
pub const DOCUMENT_ERROR: u32 = 12100;
/// Twilio's default ring time for `Calls.json`.
pub const DEFAULT_TIMEOUT_SECS: u32 = 60;

/// The fixed facts of the simulated account.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub account_sid: String,
    /// The support number's "A call comes in" webhook (`{app}/conference/connect/client`).
    pub voice_url: String,
    /// Mixed into every SID so separate runs never hand out the same ones (0 in tests).
    pub sid_seed: u64,
    /// How long one loop of a finite `<Play>` in a wait or hold document lasts before a
    /// `<Redirect>` after it is followed (the audio's real length is not known).
    pub background_play_secs: u32,
}

/// `POST Calls.json`: a call from Twilio to someone. The simulator takes the very request type
/// the app's REST client sends (it has every field this engine reads).
pub type OutboundCall = crate::twilio::rest::CreateCall;

/// Where the simulated REST API is reached unless told otherwise ([`Engine::set_api_base_url`]):
/// recording URLs are written under it, as Twilio writes them under `api.twilio.com`.
pub const DEFAULT_API_BASE_URL: &str = "https://api.twilio.com";
/// How many debugger notifications the engine keeps (the newest).
pub const NOTIFICATIONS_KEPT: usize = 100;

pub struct Engine {
    pub(super) cfg: EngineConfig,
    pub(super) sid_counter: u64,
    pub(super) fetch_counter: u64,
    pub(super) calls: BTreeMap<String, Call>,
    pub(super) conferences: BTreeMap<String, Conference>,
    pub(super) effects: Vec<SimEffect>,
    /// Finished recordings by `RE…` SID (deleted ones are gone).
    pub(super) recordings: BTreeMap<String, StoredRecording>,
    /// What Twilio's debugger would show, newest last (at most [`NOTIFICATIONS_KEPT`]).
    pub(super) notifications: VecDeque<Notification>,
    /// A TwiML App or a SIP trunk set on the support number: it takes the calls, not the voice URL.
    pub(super) number_routing: Option<NumberRouting>,
    /// Numbers an open `/phone` page holds, and until when (see `held_numbers`).
    pub(super) held_numbers: BTreeMap<String, SystemTime>,
    pub(super) api_base_url: String,
    /// API-created calls waiting for their turn under the account's calls per second (see `pacing`).
    pub(super) pacer: Pacer,
    /// How many participants one conference holds (Twilio's 250); the next is refused (16020).
    pub(super) max_participants: usize,
    /// Finished calls and conferences are forgotten this long after they ended (`None`: kept):
    /// every change copies the state for the simulated browsers, and a load run's thousands of
    /// finished calls made each copy slower than the app's whole work.
    pub(super) forget_after: Option<Duration>,
}

impl Engine {
    pub fn new(cfg: EngineConfig) -> Self {
        Engine {
            cfg,
            sid_counter: 0,
            fetch_counter: 0,
            calls: BTreeMap::new(),
            conferences: BTreeMap::new(),
            effects: Vec::new(),
            recordings: BTreeMap::new(),
            notifications: VecDeque::new(),
            number_routing: None,
            held_numbers: BTreeMap::new(),
            api_base_url: DEFAULT_API_BASE_URL.to_string(),
            // No pacing unless told: an engine driven by hand (tests) starts its calls at once. The
            // simulator sets Twilio's 1 call per second from its configuration.
            pacer: Pacer::default(),
            max_participants: CONFERENCE_LIMIT,
            forget_after: None,
        }
    }

    /// Finished calls and conferences are forgotten `after` they ended (`None`: kept, as tests
    /// that read a call's end expect).
    pub fn set_forget_after(&mut self, after: Option<Duration>) {
        self.forget_after = after;
    }

    /// Forgets what finished long enough ago (see `forget_after`); a REST request about a
    /// forgotten call is then answered 404.
    fn forget_finished(&mut self, now: SystemTime) {
        let Some(after) = self.forget_after else { return };
        let long_ago = |t: Option<SystemTime>| t.is_some_and(|t| t + after <= now);
        self.calls.retain(|_, c| !(c.status.is_final() && long_ago(c.ended_at)));
        self.conferences.retain(|_, c| !(c.status == ConferenceStatus::Completed && long_ago(Some(c.updated_at))));
    }

    /// The account's rate of API-created calls (see `pacing`): they are placed no faster than this,
    /// oldest first; 0 or less: no limit. Calls already waiting keep their place.
    pub fn set_calls_per_second(&mut self, calls_per_second: f64) {
        self.pacer.set_calls_per_second(calls_per_second);
    }

    /// How many participants one conference holds (Twilio's 250); 0: no limit.
    pub fn set_max_participants(&mut self, max: usize) {
        self.max_participants = if max == 0 { usize::MAX } else { max };
    }

    /// Where the simulated REST API is reached (`{base}` of `{base}/2010-04-01/…`): recording
    /// URLs point there.
    pub fn set_api_base_url(&mut self, url: &str) {
        self.api_base_url = url.trim_end_matches('/').to_string();
    }

    pub fn account_sid(&self) -> &str {
        &self.cfg.account_sid
    }

    /// Everything the world should do since the last call, in order.
    pub fn take_effects(&mut self) -> Vec<SimEffect> {
        std::mem::take(&mut self.effects)
    }

    pub(super) fn next_hex(&mut self) -> String {
        self.sid_counter += 1;
        format!("{:016x}{:016x}", self.cfg.sid_seed, self.sid_counter)
    }

    pub(super) fn new_call_sid(&mut self) -> CallSid {
        CallSid::parse(&format!("CA{}", self.next_hex())).expect("CA + 32 hex digits")
    }

    pub(super) fn new_conference_sid(&mut self) -> ConferenceSid {
        ConferenceSid::parse(&format!("CF{}", self.next_hex())).expect("CF + 32 hex digits")
    }

    /// Logs what Twilio's debugger would show: an effect for the driver, and a notification kept
    /// for the monitor.
    pub(super) fn warn(&mut self, call_sid: Option<&CallSid>, code: Option<u32>, message: impl Into<String>, now: SystemTime) {
        let message = message.into();
        if self.notifications.len() >= NOTIFICATIONS_KEPT {
            self.notifications.pop_front();
        }
        self.notifications.push_back(Notification { call_sid: call_sid.cloned(), code, message: message.clone(), date: rfc2822(now) });
        self.effects.push(SimEffect::Warning { call_sid: call_sid.cloned(), code, message });
    }

    pub(super) fn call_mut(&mut self, sid: &CallSid) -> Result<&mut Call, SimError> {
        self.calls.get_mut(sid.as_str()).ok_or_else(|| SimError::UnknownCall(sid.to_string()))
    }

    // ---- creating calls ---------------------------------------------------------------------

    /// A customer dials the support number: Twilio asks the app what to do with the call.
    /// Where the support number's incoming calls are posted (its "A call comes in" webhook).
    pub fn voice_url(&self) -> &str {
        &self.cfg.voice_url
    }

    /// The number's webhook changed (`POST IncomingPhoneNumbers/{PN}.json VoiceUrl=…`): the next
    /// caller is posted there.
    pub fn set_voice_url(&mut self, url: &str) {
        self.cfg.voice_url = url.to_string();
    }

    /// What takes the number's calls instead of its voice URL, if anything (a TwiML App or a SIP
    /// trunk, as `voice_application_sid` / `trunk_sid` say).
    pub fn number_routing(&self) -> Option<&NumberRouting> {
        self.number_routing.as_ref()
    }

    /// Routes the number's calls to a TwiML App or a SIP trunk (`None`: back to its voice URL).
    /// Twilio keeps one of the two: setting either drops the other.
    pub fn route_number(&mut self, routing: Option<NumberRouting>) {
        self.number_routing = routing;
    }

    pub fn incoming_call(&mut self, from: &str, to: &str, now: SystemTime) -> CallSid {
        if let Some(routing) = self.number_routing.clone() {
            return self.incoming_call_elsewhere(from, to, &routing, now);
        }
        let url = self.cfg.voice_url.clone();
        let sid =
            self.insert_call(from, to, Direction::Inbound, OnAnswer::Document { url: url.clone(), method: "POST".into() }, 0, None, now);
        let call = self.calls.get_mut(sid.as_str()).expect("just inserted");
        // An inbound call rings at Twilio while the webhook is asked; it is answered by its TwiML.
        call.status = CallStatus::Ringing;
        call.hear("ringing");
        self.fetch(&sid, FetchPurpose::Document, &url, "POST");
        sid
    }

    /// A call to a number routed to a TwiML App or a SIP trunk never reaches the voice URL (the
    /// app): Twilio silently hands it to the app or the trunk, which this simulator does not
    /// have, so the caller hears an error and the call fails, with a debugger notice saying why.
    fn incoming_call_elsewhere(&mut self, from: &str, to: &str, routing: &NumberRouting, now: SystemTime) -> CallSid {
        let sid =
            self.insert_call(from, to, Direction::Inbound, OnAnswer::Document { url: String::new(), method: "POST".into() }, 0, None, now);
        let call = self.calls.get_mut(sid.as_str()).expect("just inserted");
        call.status = CallStatus::Ringing;
        call.hear(APPLICATION_ERROR);
        let what = match routing {
            NumberRouting::Application(app) => format!("the TwiML App {app} (voice_application_sid)"),
            NumberRouting::Trunk(trunk) => format!("the SIP trunk {trunk} (trunk_sid)"),
        };
        self.warn(Some(&sid), None, format!("a call to {to} went to {what}, not to the number's voice URL"), now);
        self.finish_call(&sid, CallStatus::Failed, now);
        sid
    }

    /// `POST Calls.json`: queued, then initiated and ringing when its turn comes (at once unless
    /// calls created before it still wait: see `pacing`).
    pub fn create_call(&mut self, req: OutboundCall, now: SystemTime) -> Result<CallSid, SimError> {
        for (name, value) in [("To", &req.to), ("From", &req.from), ("Url", &req.url)] {
            if value.trim().is_empty() {
                return Err(SimError::Invalid(format!("Required parameter {name} is missing")));
            }
        }
        check_to(&req.to)?;
        let method = normalise_method(req.method.as_deref(), "POST")?;
        let callback = subscription(req.status_callback, req.status_callback_event, req.status_callback_method, &["completed"])?;
        let on_answer = OnAnswer::Document { url: req.url, method };
        let timeout = req.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS);
        let sid = self.insert_call(&req.from, &req.to, Direction::OutboundApi, on_answer, timeout, callback, now);
        self.place_call(&sid, now);
        Ok(sid)
    }

    /// An API-created call joins the account's queue and starts when its turn comes (now, when
    /// nothing waits and the last start is an interval ago).
    pub(super) fn place_call(&mut self, sid: &CallSid, now: SystemTime) {
        self.pacer.enqueue(sid.clone(), now);
        self.start_paced_calls(now);
    }

    /// Starts every waiting call whose turn has come.
    fn start_paced_calls(&mut self, now: SystemTime) {
        while let Some(sid) = self.pacer.next_due(now) {
            // A call that ended while waiting left the queue (`finish_call`); checked all the same,
            // as a call must never be dialled twice.
            if self.calls.get(sid.as_str()).is_some_and(|c| c.status == CallStatus::Queued) {
                self.start_ringing(&sid, now);
            }
        }
    }

    /// A call leg for a participant added with `Participants.json`: on answer it joins `join`.
    pub(super) fn create_participant_call(
        &mut self,
        from: &str,
        to: &str,
        join: ConferenceJoin,
        timeout_secs: u32,
        callback: Option<Subscription>,
        now: SystemTime,
    ) -> CallSid {
        self.insert_call(from, to, Direction::OutboundApi, OnAnswer::Join(join), timeout_secs, callback, now)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn insert_call(
        &mut self,
        from: &str,
        to: &str,
        direction: Direction,
        on_answer: OnAnswer,
        timeout_secs: u32,
        status_callback: Option<Subscription>,
        now: SystemTime,
    ) -> CallSid {
        let sid = self.new_call_sid();
        let call = Call {
            sid: sid.clone(),
            from: from.to_string(),
            to: to.to_string(),
            direction,
            status: CallStatus::Queued,
            on_answer,
            timeout_secs,
            status_callback,
            next_sequence: 0,
            created_at: now,
            updated_at: now,
            ringing_since: None,
            answered_at: None,
            ended_at: None,
            placed_at: None,
            hearing: Vec::new(),
            now_hearing: String::new(),
            digits_sent: String::new(),
            digits_heard: String::new(),
            beeps: Vec::new(),
            script: VecDeque::new(),
            fetch: None,
            conference: None,
            fetching_url: None,
            document_url: None,
            listening: None,
            rings_on_page: false,
        };
        self.calls.insert(sid.to_string(), call);
        sid
    }

    /// Outbound calls: `initiated`, then `ringing`; a browser identity is told to ring. An
    /// unreachable number fails straight after `initiated`.
    pub(super) fn start_ringing(&mut self, sid: &CallSid, now: SystemTime) {
        if let Some(call) = self.calls.get_mut(sid.as_str()) {
            call.placed_at = Some(now);
        }
        self.call_event(sid, "initiated", now);
        let on_page = self.calls.get(sid.as_str()).is_some_and(|c| c.callee().is_some() && self.number_held(&c.to, now));
        let Some(call) = self.calls.get_mut(sid.as_str()) else { return };
        // A number an open /phone page holds rings there, whatever the phone book says.
        call.rings_on_page = on_page;
        if call.callee() == Some(Callee::Unreachable) && !on_page {
            self.finish_call(sid, CallStatus::Failed, now);
            return;
        }
        call.status = CallStatus::Ringing;
        call.ringing_since = Some(now);
        call.updated_at = now;
        call.hear("ringing");
        let ring = call.client_identity().map(|identity| SimEffect::Ring {
            identity: identity.to_string(),
            call_sid: sid.clone(),
            from: call.from.clone(),
        });
        self.call_event(sid, "ringing", now);
        self.effects.extend(ring);
    }

    // ---- what the people on the calls do ------------------------------------------------------

    /// The callee picks up a ringing outbound call.
    pub fn answer(&mut self, sid: &CallSid, now: SystemTime) -> Result<(), SimError> {
        let call = self.call_mut(sid)?;
        if call.status != CallStatus::Ringing || call.direction != Direction::OutboundApi {
            return Err(wrong_state(call, "answered"));
        }
        call.status = CallStatus::InProgress;
        call.answered_at = Some(now);
        call.updated_at = now;
        call.hear("connecting");
        let on_answer = call.on_answer.clone();
        self.stop_ringing(sid, StopReason::AnsweredElsewhere);
        self.call_event(sid, "answered", now);
        match on_answer {
            OnAnswer::Document { url, method } => self.fetch(sid, FetchPurpose::Document, &url, &method),
            OnAnswer::Join(join) => {
                if let Err(e) = self.join_conference(sid, &join, now) {
                    self.warn(Some(sid), e.join_code(), e.to_string(), now);
                    self.run_script(sid, now);
                }
            }
        }
        Ok(())
    }

    /// The callee declines a ringing call: the caller side hears busy.
    pub fn reject(&mut self, sid: &CallSid, now: SystemTime) -> Result<(), SimError> {
        let call = self.call_mut(sid)?;
        if call.status != CallStatus::Ringing || call.direction != Direction::OutboundApi {
            return Err(wrong_state(call, "rejected"));
        }
        self.finish_call(sid, CallStatus::Busy, now);
        Ok(())
    }

    /// Hangs up: a call not yet answered is canceled, an answered one completed.
    pub fn hangup(&mut self, sid: &CallSid, now: SystemTime) -> Result<(), SimError> {
        let call = self.call_mut(sid)?;
        let end = match call.status {
            CallStatus::Queued | CallStatus::Ringing => CallStatus::Canceled,
            CallStatus::InProgress => CallStatus::Completed,
            _ => return Err(wrong_state(call, "hung up")),
        };
        self.finish_call(sid, end, now);
        Ok(())
    }

    /// `POST Calls/{CA}.json` with `Status=canceled` or `completed`. As Twilio: `canceled`
    /// "attempts to hang up this call if it is queued or ringing, but does not affect the call if
    /// it is already in progress" (200, the call as it is); `completed` hangs up any live call.
    pub fn update_call_status(&mut self, sid: &CallSid, status: &str, now: SystemTime) -> Result<(), SimError> {
        let call = self.call_mut(sid)?;
        match (status, call.status) {
            ("canceled", CallStatus::Queued | CallStatus::Ringing) | ("completed", _) => self.hangup(sid, now),
            ("canceled", CallStatus::InProgress) => Ok(()),
            ("canceled", _) => Err(wrong_state(call, "canceled")),
            (other, _) => Err(SimError::Invalid(format!("Status must be canceled or completed, not {other:?}"))),
        }
    }

    /// Starts the API-created calls whose turn has come (see `pacing`), rings out every unanswered
    /// outbound call whose `Timeout` has passed, lets the phone book's numbers answer or be busy
    /// once they have rung [`phone_book::RING_SECS`], then fetches the wait and hold documents
    /// whose `<Redirect>` is due.
    pub fn tick(&mut self, now: SystemTime) {
        self.forget_finished(now);
        self.start_paced_calls(now);
        let rung_for = |c: &Call, secs: u64| c.ringing_since.is_some_and(|t| t + Duration::from_secs(secs) <= now);
        let ringing = || self.calls.values().filter(|c| c.status == CallStatus::Ringing && c.direction == Direction::OutboundApi);
        let due: Vec<CallSid> = ringing().filter(|c| rung_for(c, c.timeout_secs.into())).map(|c| c.sid.clone()).collect();
        // A timeout as short as the ring wins: those calls are gone before the numbers pick up.
        let picked_up: Vec<(CallSid, Callee)> = ringing()
            .filter(|c| !due.contains(&c.sid) && !c.rings_on_page && rung_for(c, phone_book::RING_SECS))
            .filter_map(|c| c.callee().map(|callee| (c.sid.clone(), callee)))
            .collect();
        for sid in due {
            self.finish_call(&sid, CallStatus::NoAnswer, now);
        }
        for (sid, callee) in picked_up {
            // Each was still ringing a moment ago; anything that ended it since is fine too.
            let _ = match callee {
                Callee::Answers => self.answer(&sid, now),
                Callee::Busy => self.reject(&sid, now),
                Callee::NeverAnswers | Callee::Unreachable => Ok(()),
            };
        }
        self.follow_due_redirects(now);
        self.end_due_listening(now);
        self.lapse_held_numbers(now);
    }

    // ---- TwiML --------------------------------------------------------------------------------

    pub(super) fn fetch(&mut self, sid: &CallSid, purpose: FetchPurpose, url: &str, method: &str) {
        self.fetch_with(sid, purpose, url, method, Vec::new());
    }

    /// The parameters Twilio sends with every request about a call, its status as `status`.
    pub(super) fn call_params(&self, call: &Call, status: &str) -> Vec<(String, String)> {
        [
            ("CallSid", call.sid.to_string()),
            ("AccountSid", self.cfg.account_sid.clone()),
            ("From", call.from.clone()),
            ("To", call.to.clone()),
            ("CallStatus", status.to_string()),
            ("Direction", call.direction.as_str().to_string()),
            ("ApiVersion", "2010-04-01".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Requests a document for the call, with the call's parameters and `extra` ones (a
    /// `<Gather>`'s `Digits`, a `<Record>`'s `RecordingUrl` …).
    pub(super) fn fetch_with(&mut self, sid: &CallSid, purpose: FetchPurpose, url: &str, method: &str, extra: Vec<(String, String)>) {
        let Some(call) = self.calls.get(sid.as_str()) else { return };
        let mut params = self.call_params(call, call.status.as_str());
        // A hold document is for one participant of one room; the app may write it per call.
        if purpose == FetchPurpose::Hold {
            params.extend(call.conference.as_ref().map(|cf| ("ConferenceSid".to_string(), cf.to_string())));
        }
        params.extend(extra);
        self.fetch_counter += 1;
        let id = self.fetch_counter;
        let call = self.calls.get_mut(sid.as_str()).expect("looked up above");
        call.fetch = Some((id, purpose));
        if purpose == FetchPurpose::Document {
            call.fetching_url = Some((url.to_string(), method.to_string()));
        }
        self.effects.push(SimEffect::FetchTwiml {
            call_sid: sid.clone(),
            fetch_id: id,
            url: url.to_string(),
            method: method.to_string(),
            params,
        });
    }

    /// The answer to the call's latest outstanding [`SimEffect::FetchTwiml`].
    pub fn twiml_result(&mut self, sid: &CallSid, result: Result<Vec<Instruction>, String>, now: SystemTime) -> Result<(), SimError> {
        let fetch_id = self.call_mut(sid)?.fetch.map(|(id, _)| id);
        match fetch_id {
            Some(id) => self.twiml_result_for(sid, id, result, now),
            None => Ok(()),
        }
    }

    /// The answer to one [`SimEffect::FetchTwiml`]; an answer the call no longer waits for (it hung
    /// up, the conference started, the hold ended) is dropped.
    pub fn twiml_result_for(
        &mut self,
        sid: &CallSid,
        fetch_id: u64,
        result: Result<Vec<Instruction>, String>,
        now: SystemTime,
    ) -> Result<(), SimError> {
        let call = self.call_mut(sid)?;
        let purpose = match call.fetch {
            Some((id, purpose)) if id == fetch_id && !call.status.is_final() => purpose,
            _ => return Ok(()),
        };
        call.fetch = None;
        match (purpose, result) {
            (FetchPurpose::Document, Ok(doc)) => {
                // An answered call (a `<Redirect>` was followed) simply runs its new document.
                if call.status == CallStatus::Ringing {
                    // An inbound call is answered by its first TwiML.
                    call.status = CallStatus::InProgress;
                    call.answered_at = Some(now);
                    call.updated_at = now;
                }
                call.document_url = call.fetching_url.take();
                call.listening = None;
                call.script = doc.into();
                self.run_script(sid, now);
            }
            (FetchPurpose::Document, Err(e)) => {
                self.warn(Some(sid), Some(DOCUMENT_ERROR), format!("could not get TwiML: {e}"), now);
                let call = self.call_mut(sid)?;
                call.hear(format!("Say: {APPLICATION_ERROR}"));
                call.script.clear();
                let end = if call.status == CallStatus::InProgress || call.direction == Direction::Inbound {
                    CallStatus::Completed
                } else {
                    CallStatus::Failed
                };
                self.finish_call(sid, end, now);
            }
            (FetchPurpose::Wait | FetchPurpose::Hold, result) => self.play_background(sid, purpose, result, now),
        }
        Ok(())
    }

    /// Executes the call's document from where it stands until it blocks (a conference, endless
    /// music) or ends (then the call is completed, as Twilio hangs up after the last verb).
    pub(super) fn run_script(&mut self, sid: &CallSid, now: SystemTime) {
        loop {
            let Some(call) = self.calls.get_mut(sid.as_str()) else { return };
            if call.status.is_final() {
                return;
            }
            let Some(verb) = call.script.pop_front() else {
                self.finish_call(sid, CallStatus::Completed, now);
                return;
            };
            match verb {
                Instruction::Say { text } => call.hear(format!("Say: {text}")),
                Instruction::Play { url, loop_count: 0 } => {
                    call.hear(format!("Play: {url} (looping)"));
                    return;
                }
                Instruction::Play { url, .. } => call.hear(format!("Play: {url}")),
                Instruction::Pause { length_secs } => call.hear(format!("silence ({length_secs} s)")),
                Instruction::Hangup => {
                    self.finish_call(sid, CallStatus::Completed, now);
                    return;
                }
                Instruction::Dial(join) => match self.join_conference(sid, &join, now) {
                    Ok(()) => return,
                    // Twilio logs the failed <Dial> (a full room: 16020) and moves on to the next
                    // verb (the simulator reads no `action` on <Dial>).
                    Err(e) => self.warn(Some(sid), e.join_code(), e.to_string(), now),
                },
                // The fetched document replaces whatever is left of this one.
                Instruction::Redirect { url, method } => {
                    call.script.clear();
                    let url = absolute_url(call.document_url.as_ref(), &url);
                    self.fetch(sid, FetchPurpose::Document, &url, &method);
                    return;
                }
                // Both wait for the caller (see `gather` and `record`).
                Instruction::Gather(verb) => {
                    self.start_gather(sid, verb, now);
                    return;
                }
                Instruction::Record(verb) => {
                    self.start_record(sid, verb, now);
                    return;
                }
            }
        }
    }

    // ---- ending calls -------------------------------------------------------------------------

    pub(super) fn stop_ringing(&mut self, sid: &CallSid, reason: StopReason) {
        if let Some(identity) = self.calls.get(sid.as_str()).and_then(|c| c.client_identity()) {
            self.effects.push(SimEffect::StopRinging { identity: identity.to_string(), call_sid: sid.clone(), reason });
        }
    }

    /// The call is over with `status`: the browser stops ringing, the `completed` callback goes
    /// out, and a participant leaves its conference (which may end it).
    pub(super) fn finish_call(&mut self, sid: &CallSid, status: CallStatus, now: SystemTime) {
        let recording = self
            .calls
            .get(sid.as_str())
            .is_some_and(|c| c.status == CallStatus::InProgress && matches!(c.listening, Some(Listening::Record(_))));
        if recording {
            // Hanging up ends a recording: Twilio still requests its action (and posts its
            // callbacks), but no longer runs what the action answers.
            self.end_recording(sid, super::model::RecordEnd::Hangup, now);
        }
        let Some(call) = self.calls.get_mut(sid.as_str()) else { return };
        if call.status.is_final() {
            return;
        }
        call.listening = None;
        let was_ringing = call.status == CallStatus::Ringing && call.direction == Direction::OutboundApi;
        let was_queued = call.status == CallStatus::Queued;
        call.status = status;
        call.ended_at = Some(now);
        call.updated_at = now;
        call.fetch = None;
        call.script.clear();
        call.hear("call ended");
        if was_ringing {
            let reason = match status {
                CallStatus::NoAnswer => StopReason::Timeout,
                CallStatus::Busy => StopReason::Rejected,
                _ => StopReason::Cancel,
            };
            self.stop_ringing(sid, reason);
        }
        if was_queued {
            // Canceled before its turn: it is never dialled.
            self.pacer.forget(sid);
        }
        self.call_event(sid, "completed", now);
        self.participant_call_ended(sid, now);
    }
}

pub(super) fn wrong_state(call: &Call, action: &'static str) -> SimError {
    SimError::WrongState { call_sid: call.sid.to_string(), status: call.status.as_str(), action }
}

/// `To` must be a browser or an E.164 number (see [`phone_book`]).
pub(super) fn check_to(to: &str) -> Result<(), SimError> {
    if phone_book::is_dialable(to) {
        Ok(())
    } else {
        Err(SimError::InvalidNumber(to.to_string()))
    }
}

/// Twilio resolves a relative `action` or `<Redirect>` URL against the URL of the document it is
/// in; an absolute one is taken as it is.
pub(super) fn absolute_url(document: Option<&(String, String)>, url: &str) -> String {
    if url::Url::parse(url).is_ok() {
        return url.to_string();
    }
    document
        .and_then(|(base, _)| url::Url::parse(base).ok())
        .and_then(|base| base.join(url).ok())
        .map_or_else(|| url.to_string(), String::from)
}

pub(super) fn normalise_method(method: Option<&str>, default: &str) -> Result<String, SimError> {
    match method.map(str::trim).filter(|m| !m.is_empty()) {
        None => Ok(default.to_string()),
        Some(m) if m.eq_ignore_ascii_case("GET") || m.eq_ignore_ascii_case("POST") => Ok(m.to_ascii_uppercase()),
        Some(m) => Err(SimError::Invalid(format!("Method must be GET or POST, not {m:?}"))),
    }
}

/// A status callback subscription; with a URL but no events, Twilio uses `default_events`.
pub(super) fn subscription(
    url: Option<String>,
    events: Vec<String>,
    method: Option<String>,
    default_events: &[&str],
) -> Result<Option<Subscription>, SimError> {
    let Some(url) = url.filter(|u| !u.trim().is_empty()) else { return Ok(None) };
    // Lists may arrive as repeated keys or space-separated in one value.
    let mut events: Vec<String> = events.iter().flat_map(|e| e.split_whitespace()).map(str::to_string).collect();
    if events.is_empty() {
        events = default_events.iter().map(|e| e.to_string()).collect();
    }
    Ok(Some(Subscription { url, method: normalise_method(method.as_deref(), "POST")?, events }))
}
