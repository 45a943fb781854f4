//! Server functions of the simulator's pages (`/phone`, `/simulator`): what the simulated Twilio
//! is doing, and the customer's side of a call.
//!
//! These are deliberately open (no agent sign-in): `/phone` is the *customer's* phone and
//! `/simulator` a monitor (whose one control, an agent's simulated headset, posts to
//! `simulator::browser`), in a local demo that runs without a Twilio account. They act
//! only on the built-in simulator (never on real Twilio) and refuse everything when the app talks
//! to real Twilio. The same-origin guard in `application.rs` still keeps other sites out, and the
//! phone's functions (hang up, keypad, speech, answer, decline) only reach customers' calls
//! (inbound, or ringing on a `/phone` page), never an agent's leg.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// Everything the simulator pages show, shared by server and browser.
///
/// Live calls and conferences are always all there; of the finished ones only the most recent
/// (see [`FINISHED_CALLS_SHOWN`], [`FINISHED_CONFERENCES_SHOWN`]) so a long demo stays light.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimStateDto {
    /// Oldest first.
    pub calls: Vec<SimCallDto>,
    /// Oldest first.
    pub conferences: Vec<SimConferenceDto>,
    /// The app's queue, head first (what the contact center decided, beside what Twilio does).
    #[serde(default)]
    pub queue: Vec<QueuedCallDto>,
    /// Every agent and their presence.
    #[serde(default)]
    pub agents: Vec<AgentPresenceDto>,
    /// Recordings kept, newest first.
    #[serde(default)]
    pub recordings: Vec<SimRecordingDto>,
    /// What Twilio's debugger would show, newest last (13238 for a wait document that gathers…).
    #[serde(default)]
    pub notifications: Vec<SimNotificationDto>,
    /// The account's pace for calls created through the API, and the calls queued for it.
    #[serde(default)]
    pub pacing: SimPacingDto,
}

/// Twilio's pace for calls created through the API (1 a second unless raised): the calls it
/// accepted (`queued`) and will place in their turn.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimPacingDto {
    /// The least time between two such calls starting; `None`: no limit.
    pub interval_ms: Option<u64>,
    /// Calls queued for their turn.
    pub waiting: usize,
    /// When the oldest of them was created, and when the next may start (UTC, `HH:MM:SS`).
    pub oldest_at: Option<String>,
    pub next_at: Option<String>,
}

impl SimPacingDto {
    /// As the monitor says it: "Twilio's pace: 1 call a second · 3 calls queued for their turn
    /// (the oldest since 09:15:02 UTC; the next starts at 09:15:05 UTC)".
    pub fn words(&self) -> String {
        let pace = match self.interval_ms {
            None => return "Twilio's pace: no limit on calls created through the API".into(),
            Some(0) => "no limit".to_string(),
            Some(ms) if 1000 % ms == 0 => match 1000 / ms {
                1 => "1 call a second".to_string(),
                n => format!("{n} calls a second"),
            },
            Some(ms) => format!("1 call every {:.2} s", ms as f64 / 1000.0),
        };
        let mut words = format!("Twilio's pace: {pace}");
        if self.waiting > 0 {
            words += &format!(
                " · {} queued for their turn",
                if self.waiting == 1 { "1 call".into() } else { format!("{} calls", self.waiting) }
            );
            let times: Vec<String> = [
                self.oldest_at.as_ref().map(|t| format!("the oldest since {t} UTC")),
                self.next_at.as_ref().map(|t| format!("the next starts at {t} UTC")),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !times.is_empty() {
                words += &format!(" ({})", times.join("; "));
            }
        } else {
            words += " · none queued";
        }
        words
    }
}

/// A caller waiting in the app's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedCallDto {
    pub call_sid: String,
    pub from: String,
    /// Unix milliseconds, the server's clock.
    pub since: i64,
}

/// An agent as the contact center sees them, and their simulated headset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPresenceDto {
    pub id: String,
    /// `offline available away ringing on-call wrap-up`.
    pub presence: String,
    /// Whether the headset of the agent's simulated browser is plugged in.
    #[serde(default = "plugged_in")]
    pub headset: bool,
}

fn plugged_in() -> bool {
    true
}

/// One call leg.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimCallDto {
    pub sid: String,
    pub from: String,
    pub to: String,
    /// `inbound` (a customer) or `outbound-api` (a call the app made, e.g. to `client:agent1`).
    pub direction: String,
    /// Twilio's `CallStatus`: `queued ringing in-progress completed busy no-answer canceled failed`.
    pub status: String,
    /// What the caller hears now (`Say: …`, `hold music playing`, `conference with agent1`…).
    pub now_hearing: String,
    /// Everything heard so far, in order.
    pub hearing: Vec<String>,
    /// DTMF keyed on this leg (`w` for a pause), and heard from others in its conference.
    #[serde(default)]
    pub digits_sent: String,
    #[serde(default)]
    pub digits_heard: String,
    /// The room's beeps this call heard ("supervisor1 joined").
    #[serde(default)]
    pub beeps: Vec<String>,
    pub conference_sid: Option<String>,
    /// A `<Gather>` or `<Record>` waiting for the caller's keys or words.
    #[serde(default)]
    pub listening: Option<SimListeningDto>,
    /// A call to a number a `/phone` page holds: it rings (and is answered) on that page.
    #[serde(default)]
    pub rings_on_page: bool,
}

/// What a call's `<Gather>` or `<Record>` is waiting for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimListeningDto {
    /// `gather` or `record`.
    pub kind: String,
    /// A Gather takes keys / speech; a Record takes words (and its finish keys).
    pub dtmf: bool,
    pub speech: bool,
    /// Keyed so far (Gather); said so far (Record).
    pub so_far: String,
    /// The keys that finish it (`#` by default for a Gather, `1234567890*#` for a Record).
    pub finish_on_key: String,
}

/// A recording `<Record>` left (and the app has not deleted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimRecordingDto {
    pub sid: String,
    pub call_sid: String,
    pub duration_secs: u64,
    /// What the caller said (its transcription).
    pub text: String,
}

/// Something Twilio's debugger would show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimNotificationDto {
    pub call_sid: Option<String>,
    pub code: Option<u32>,
    pub message: String,
    pub date: String,
}

/// A call ringing on the `/phone` page that holds its number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomingCallDto {
    pub call_sid: String,
    /// Who calls (the support number, for the app's callbacks).
    pub from: String,
}

/// One conference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimConferenceDto {
    pub sid: String,
    pub friendly_name: String,
    /// Twilio's word: `init` (waiting), `in-progress`, `completed`.
    pub status: String,
    pub participants: Vec<SimParticipantDto>,
    /// Why it ended, once it has.
    pub reason_ended: Option<String>,
}

/// One participant of a conference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimParticipantDto {
    pub call_sid: String,
    /// The `participantLabel` (agents are labelled with their identity; customers are not).
    pub label: Option<String>,
    /// How to name the participant: the label, else the caller's number (or the dialled party).
    pub name: String,
    /// `ringing` or `connected`.
    pub status: String,
    pub on_hold: bool,
    pub muted: bool,
    /// The name of the participant this one coaches (only they hear it).
    #[serde(default)]
    pub coaching: Option<String>,
    /// What this participant hears now.
    pub hearing: String,
}

impl SimCallDto {
    /// Still ringing or talking.
    pub fn is_live(&self) -> bool {
        matches!(self.status.as_str(), "queued" | "ringing" | "in-progress")
    }
}

impl SimConferenceDto {
    pub fn is_live(&self) -> bool {
        self.status != "completed"
    }
}

impl SimStateDto {
    pub fn call(&self, sid: &str) -> Option<&SimCallDto> {
        self.calls.iter().find(|c| c.sid == sid)
    }

    pub fn conference(&self, sid: &str) -> Option<&SimConferenceDto> {
        self.conferences.iter().find(|c| c.sid == sid)
    }
}

/// How many finished calls [`sim_state`] reports (the newest ones).
pub const FINISHED_CALLS_SHOWN: usize = 50;
/// How many finished conferences [`sim_state`] reports (the newest ones).
pub const FINISHED_CONFERENCES_SHOWN: usize = 20;
/// Customer calls the phone page may have going at once (the endpoint is open).
pub const MAX_LIVE_CUSTOMER_CALLS: usize = 20;

/// Why [`sim_customer_call`] refuses a `from` that is not [`is_phone_number`].
pub const FROM_ERROR: &str = "from must be a phone number: '+' followed by 8 to 15 digits, e.g. +15551230000";

/// The longest text [`sim_phone_say`] takes.
pub const MAX_SAY: usize = 4000;

/// A number a customer may call from: `+` and 8 to 15 digits (E.164).
pub fn is_phone_number(s: &str) -> bool {
    s.strip_prefix('+').is_some_and(|digits| (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::simulator::engine::{CallView, ConferenceView, Direction, ListeningView, ParticipantStatus, SimError, SimState};
    use crate::simulator::Simulator;
    use crate::state::AppState;

    pub const SIMULATOR_OFF: &str = "the simulator is off: this app talks to real Twilio";

    /// The running simulator, or the error every simulator function gives in Twilio mode.
    pub fn simulator() -> Result<Simulator, ApiError> {
        use_context::<AppState>().and_then(|state| state.simulator.clone()).ok_or_else(|| ApiError::NotFound(SIMULATOR_OFF.into()))
    }

    /// The contact center's queue and agents (with their simulated headsets), beside the
    /// simulator's own state.
    pub fn with_center(mut dto: SimStateDto) -> SimStateDto {
        if let Some(state) = use_context::<AppState>() {
            let headset = |id: &str| state.simulator.as_ref().is_none_or(|sim| sim.headset_plugged(id));
            state.center.read(|s| {
                dto.queue = s
                    .queued()
                    .map(|c| QueuedCallDto {
                        call_sid: c.sid.to_string(),
                        from: c.from.as_ref().map(|f| f.to_string()).unwrap_or_default(),
                        since: c.queued_at,
                    })
                    .collect();
                dto.agents = s
                    .agents
                    .values()
                    .map(|a| AgentPresenceDto {
                        id: a.id.to_string(),
                        presence: a.presence.word().to_string(),
                        headset: headset(a.id.as_str()),
                    })
                    .collect();
            });
        }
        dto
    }

    pub fn sim_error(e: SimError) -> ApiError {
        match &e {
            SimError::UnknownCall(_) | SimError::UnknownConference(_) | SimError::UnknownParticipant(_) | SimError::UnknownRecording(_) => {
                ApiError::NotFound(e.to_string())
            }
            SimError::WrongState { .. } | SimError::DuplicateLabel { .. } | SimError::NotInProgress(_) => ApiError::NotNow(e.to_string()),
            SimError::Invalid(_) | SimError::InvalidNumber(_) => ApiError::BadInput(e.to_string()),
            SimError::CoachOnHold(_) | SimError::CoachNotInConference(_) | SimError::ConferenceFull(..) => ApiError::NotNow(e.to_string()),
        }
    }

    /// All live calls and conferences, and the newest finished ones.
    pub fn to_dto(state: SimState) -> SimStateDto {
        let calls = keep_recent(state.calls, |c| !c.status.is_final(), FINISHED_CALLS_SHOWN);
        let conferences = keep_recent(state.conferences, |c| c.status.is_live(), FINISHED_CONFERENCES_SHOWN);
        let name_of = |call_sid: &str| {
            calls.iter().find(|c| c.call_sid.as_str() == call_sid).map(|c| match c.direction {
                Direction::Inbound => c.from.clone(),
                Direction::OutboundApi => c.to.clone(),
            })
        };
        let conferences = conferences.iter().map(|c| conference_dto(c, &name_of)).collect();
        let recordings = state
            .recordings
            .into_iter()
            .map(|r| SimRecordingDto { sid: r.sid, call_sid: r.call_sid.to_string(), duration_secs: r.duration_secs, text: r.text })
            .collect();
        let notifications = state
            .notifications
            .into_iter()
            .map(|n| SimNotificationDto { call_sid: n.call_sid.map(|s| s.to_string()), code: n.code, message: n.message, date: n.date })
            .collect();
        let clock = |t: Option<String>| {
            t.and_then(|t| chrono::DateTime::parse_from_rfc2822(&t).ok())
                .map(|t| t.with_timezone(&chrono::Utc).format("%H:%M:%S").to_string())
        };
        let pacing = SimPacingDto {
            interval_ms: state.pacing.interval_ms,
            waiting: state.pacing.waiting,
            oldest_at: clock(state.pacing.waiting_since),
            next_at: clock(state.pacing.next_start),
        };
        SimStateDto {
            calls: calls.into_iter().map(call_dto).collect(),
            conferences,
            recordings,
            notifications,
            pacing,
            ..SimStateDto::default()
        }
    }

    /// A call the customer's phone may act on: a customer's call in, or a call ringing (or
    /// answered) on a `/phone` page. Never an agent's leg or a number the phone book answers.
    pub fn customer_call(sim: &Simulator, call_sid: &str) -> Result<CallView, ApiError> {
        let sid = crate::ids::CallSid::parse(call_sid).map_err(|e| ApiError::BadInput(format!("call_sid: {e}")))?;
        let call = sim.snapshot().calls.into_iter().find(|c| c.call_sid == sid);
        match call {
            None => Err(sim_error(SimError::UnknownCall(sid.to_string()))),
            Some(c) if c.direction == Direction::Inbound || c.rings_on_page => Ok(c),
            Some(_) => Err(ApiError::Forbidden(format!("call_sid: {sid} is not a customer's call; agents hang up in the console"))),
        }
    }

    /// Keeps order; drops all but the last `finished_kept` items that are not `live`.
    pub(super) fn keep_recent<T>(items: Vec<T>, live: impl Fn(&T) -> bool, finished_kept: usize) -> Vec<T> {
        let finished = items.iter().filter(|i| !live(i)).count();
        let mut skip = finished.saturating_sub(finished_kept);
        items
            .into_iter()
            .filter(|i| {
                if skip > 0 && !live(i) {
                    skip -= 1;
                    false
                } else {
                    true
                }
            })
            .collect()
    }

    fn call_dto(c: CallView) -> SimCallDto {
        SimCallDto {
            sid: c.call_sid.to_string(),
            from: c.from,
            to: c.to,
            direction: c.direction.as_str().to_string(),
            status: c.status.as_str().to_string(),
            now_hearing: c.now_hearing,
            hearing: c.hearing,
            digits_sent: c.digits_sent,
            digits_heard: c.digits_heard,
            beeps: c.beeps,
            conference_sid: c.conference_sid.map(|s| s.to_string()),
            listening: c.listening.map(|l| match l {
                ListeningView::Gather { dtmf, speech, digits, finish_on_key } => SimListeningDto {
                    kind: "gather".into(),
                    dtmf,
                    speech,
                    so_far: digits,
                    finish_on_key: finish_on_key.map(String::from).unwrap_or_default(),
                },
                ListeningView::Record { said, finish_on_key, .. } => {
                    SimListeningDto { kind: "record".into(), dtmf: false, speech: true, so_far: said, finish_on_key }
                }
            }),
            rings_on_page: c.rings_on_page,
        }
    }

    fn conference_dto(c: &ConferenceView, name_of: &impl Fn(&str) -> Option<String>) -> SimConferenceDto {
        SimConferenceDto {
            sid: c.sid.to_string(),
            friendly_name: c.friendly_name.clone(),
            status: c.status.as_twilio_str().to_string(),
            participants: c
                .participants
                .iter()
                .map(|p| SimParticipantDto {
                    call_sid: p.call_sid.to_string(),
                    label: p.label.clone(),
                    name: p.label.clone().or_else(|| name_of(p.call_sid.as_str())).unwrap_or_else(|| p.call_sid.to_string()),
                    status: match p.status {
                        ParticipantStatus::Ringing => "ringing",
                        ParticipantStatus::Connected => "connected",
                    }
                    .to_string(),
                    on_hold: p.on_hold,
                    muted: p.muted,
                    coaching: p.coaching.as_ref().map(|coached| {
                        c.participants
                            .iter()
                            .find(|o| &o.call_sid == coached)
                            .and_then(|o| o.label.clone())
                            .or_else(|| name_of(coached.as_str()))
                            .unwrap_or_else(|| coached.to_string())
                    }),
                    hearing: p.hearing.clone(),
                })
                .collect(),
            reason_ended: c.reason_ended.clone(),
        }
    }
}

/// What the simulated Twilio is doing: calls and conferences (open: see the module docs).
#[server(prefix = "/api", endpoint = "sim_state")]
pub async fn sim_state() -> Result<SimStateDto, ApiError> {
    use server::*;
    Ok(with_center(to_dto(simulator()?.snapshot())))
}

/// A customer calls the support number from `from`; returns the new call's CallSid.
#[server(prefix = "/api", endpoint = "sim_call")]
pub async fn sim_customer_call(from: String) -> Result<String, ApiError> {
    use server::*;
    let sim = simulator()?;
    let from = from.trim();
    if !is_phone_number(from) {
        return Err(ApiError::BadInput(FROM_ERROR.into()));
    }
    let live =
        sim.snapshot().calls.iter().filter(|c| c.direction == crate::simulator::engine::Direction::Inbound && !c.status.is_final()).count();
    if live >= MAX_LIVE_CUSTOMER_CALLS {
        return Err(ApiError::TooMany(format!("{live} customer calls are already going on; hang one up first")));
    }
    Ok(sim.place_customer_call(from).to_string())
}

/// Moves the opening hours' clock by `minutes` (negative: back; 0: only read it), so closing
/// time can be tried without waiting for it; answers the clock the hours now go by (unix ms).
/// Calls, offers and the timeline keep the real clock.
#[server(prefix = "/api", endpoint = "sim_clock")]
pub async fn sim_clock(minutes: i64) -> Result<i64, ApiError> {
    use server::*;
    simulator()?;
    if minutes.abs() > 366 * 24 * 60 {
        return Err(ApiError::BadInput("minutes: at most a year either way".into()));
    }
    let state = use_context::<crate::state::AppState>().ok_or(ApiError::Internal)?;
    state.hours.shift_clock(minutes * 60_000);
    Ok(state.hours.now())
}

/// The customer hangs up (or gives up while it still rings): their call in, or a call answered
/// on their `/phone` page.
#[server(prefix = "/api", endpoint = "sim_hangup")]
pub async fn sim_customer_hangup(call_sid: String) -> Result<(), ApiError> {
    use server::*;
    let sim = simulator()?;
    let call = customer_call(&sim, &call_sid)?;
    sim.hangup(&call.call_sid).map_err(sim_error)
}

/// The `/phone` page holds its own number (`number`, the one it calls from) while open: calls the
/// app makes to it ring on the page, not by the phone book. The page calls this on load and keeps
/// calling it (twice a second with its poll); a hold lapses 10 s after the last call
/// (`engine::held_numbers::HOLD_SECS`). Answers the calls ringing on the page now, oldest first.
#[server(prefix = "/api", endpoint = "sim_phone_hold")]
pub async fn sim_phone_hold(number: String) -> Result<Vec<IncomingCallDto>, ApiError> {
    use server::*;
    let sim = simulator()?;
    let number = number.trim();
    if !is_phone_number(number) {
        return Err(ApiError::BadInput(format!("number: {FROM_ERROR}")));
    }
    let ringing = sim.hold_number(number).map_err(sim_error)?;
    Ok(ringing.into_iter().map(|r| IncomingCallDto { call_sid: r.call_sid.to_string(), from: r.from }).collect())
}

/// The page stops holding `number` (it now calls from another one): calls to it follow the phone
/// book again.
#[server(prefix = "/api", endpoint = "sim_phone_release")]
pub async fn sim_phone_release(number: String) -> Result<(), ApiError> {
    use server::*;
    let sim = simulator()?;
    sim.release_number(number.trim());
    Ok(())
}

/// The customer answers a call ringing on their page: it runs the call's TwiML.
#[server(prefix = "/api", endpoint = "sim_phone_answer")]
pub async fn sim_phone_answer(call_sid: String) -> Result<(), ApiError> {
    use server::*;
    let sim = simulator()?;
    let call = customer_call(&sim, &call_sid)?;
    if !call.rings_on_page {
        return Err(ApiError::Forbidden(format!("call_sid: {} does not ring on a phone page", call.call_sid)));
    }
    sim.answer(&call.call_sid).map_err(sim_error)
}

/// The customer declines a call ringing on their page: it ends `busy`.
#[server(prefix = "/api", endpoint = "sim_phone_decline")]
pub async fn sim_phone_decline(call_sid: String) -> Result<(), ApiError> {
    use server::*;
    let sim = simulator()?;
    let call = customer_call(&sim, &call_sid)?;
    if !call.rings_on_page {
        return Err(ApiError::Forbidden(format!("call_sid: {} does not ring on a phone page", call.call_sid)));
    }
    sim.reject(&call.call_sid).map_err(sim_error)
}

/// The customer's keypad: DTMF on their call (`0-9 * #`, `w` a pause); a `<Gather>` or
/// `<Record>` listening takes them.
#[server(prefix = "/api", endpoint = "sim_phone_digits")]
pub async fn sim_phone_digits(call_sid: String, digits: String) -> Result<(), ApiError> {
    use server::*;
    let sim = simulator()?;
    let call = customer_call(&sim, &call_sid)?;
    sim.send_digits(&call.call_sid, digits.trim()).map_err(sim_error)
}

/// The customer says `text` (typed, standing for their voice): a speech `<Gather>` completes with
/// it, a `<Record>` records it (it becomes the transcription). An empty text is the customer still
/// speaking (typing): it holds off the silence timeout.
#[server(prefix = "/api", endpoint = "sim_phone_say")]
pub async fn sim_phone_say(call_sid: String, text: String) -> Result<(), ApiError> {
    use server::*;
    let sim = simulator()?;
    if text.chars().count() > MAX_SAY {
        return Err(ApiError::BadInput(format!("text: at most {MAX_SAY} characters")));
    }
    let call = customer_call(&sim, &call_sid)?;
    sim.speak(&call.call_sid, &text).map_err(sim_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_plus_and_8_to_15_digits() {
        for ok in ["+15551230000", "+12345678", "+123456789012345"] {
            assert!(is_phone_number(ok), "{ok}");
        }
        for bad in
            ["", "+", "15551230000", "+1234567", "+1234567890123456", "+1555 123 0000", "+1555abc0000", "client:agent1", "++15551230000"]
        {
            assert!(!is_phone_number(bad), "{bad}");
        }
    }

    #[test]
    fn liveness_follows_twilio_statuses() {
        let call = |status: &str| SimCallDto {
            sid: "CA".into(),
            from: String::new(),
            to: String::new(),
            direction: "inbound".into(),
            status: status.into(),
            now_hearing: String::new(),
            hearing: vec![],
            digits_sent: String::new(),
            digits_heard: String::new(),
            beeps: Vec::new(),
            conference_sid: None,
            listening: None,
            rings_on_page: false,
        };
        for live in ["queued", "ringing", "in-progress"] {
            assert!(call(live).is_live(), "{live}");
        }
        for over in ["completed", "busy", "no-answer", "canceled", "failed"] {
            assert!(!call(over).is_live(), "{over}");
        }
    }

    #[test]
    fn the_pace_is_said_with_the_calls_queued_for_it() {
        let pace = |interval_ms, waiting, oldest: Option<&str>, next: Option<&str>| {
            SimPacingDto { interval_ms, waiting, oldest_at: oldest.map(str::to_string), next_at: next.map(str::to_string) }.words()
        };
        assert_eq!(pace(None, 0, None, None), "Twilio's pace: no limit on calls created through the API");
        assert_eq!(pace(Some(1000), 0, None, None), "Twilio's pace: 1 call a second · none queued");
        assert_eq!(
            pace(Some(1000), 3, Some("09:15:02"), Some("09:15:05")),
            "Twilio's pace: 1 call a second · 3 calls queued for their turn (the oldest since 09:15:02 UTC; the next starts at 09:15:05 UTC)"
        );
        assert_eq!(pace(Some(10), 1, None, None), "Twilio's pace: 100 calls a second · 1 call queued for their turn");
        assert_eq!(pace(Some(400), 0, None, None), "Twilio's pace: 1 call every 0.40 s · none queued");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn only_the_newest_finished_items_are_kept_in_order() {
        // Odd numbers are live.
        let kept = server::keep_recent((0..10).collect(), |n: &i32| n % 2 == 1, 2);
        assert_eq!(kept, vec![1, 3, 5, 6, 7, 8, 9]);
        assert_eq!(server::keep_recent(vec![2, 4], |_: &i32| false, 5), vec![2, 4]);
    }
}
