//! Server functions of the simulator's pages (`/phone`, `/simulator`): what the simulated Twilio
//! is doing, and the customer's side of a call.
//!
//! These are deliberately open (no agent sign-in): `/phone` is the *customer's* phone and
//! `/simulator` a monitor (whose one control, an agent's simulated headset, posts to
//! `simulator::browser`), in a local demo that runs without a Twilio account. They act
//! only on the built-in simulator (never on real Twilio) and refuse everything when the app talks
//! to real Twilio. The same-origin guard in `application.rs` still keeps other sites out, and the
//! hang-up only reaches customers' (inbound) calls, never an agent's leg.

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

/// A number a customer may call from: `+` and 8 to 15 digits (E.164).
pub fn is_phone_number(s: &str) -> bool {
    s.strip_prefix('+').is_some_and(|digits| (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::simulator::engine::{CallView, ConferenceView, Direction, ParticipantStatus, SimError, SimState};
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
            SimError::UnknownCall(_) | SimError::UnknownConference(_) | SimError::UnknownParticipant(_) => {
                ApiError::NotFound(e.to_string())
            }
            SimError::WrongState { .. } | SimError::DuplicateLabel { .. } => ApiError::NotNow(e.to_string()),
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
        SimStateDto { calls: calls.into_iter().map(call_dto).collect(), conferences, ..SimStateDto::default() }
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

/// The customer hangs up (or gives up while it still rings).
#[server(prefix = "/api", endpoint = "sim_hangup")]
pub async fn sim_customer_hangup(call_sid: String) -> Result<(), ApiError> {
    use server::*;
    let sim = simulator()?;
    let sid = crate::ids::CallSid::parse(&call_sid).map_err(|e| ApiError::BadInput(format!("call_sid: {e}")))?;
    let is_customer =
        sim.snapshot().calls.iter().find(|c| c.call_sid == sid).map(|c| c.direction == crate::simulator::engine::Direction::Inbound);
    match is_customer {
        None => return Err(sim_error(crate::simulator::engine::SimError::UnknownCall(sid.to_string()))),
        Some(false) => return Err(ApiError::Forbidden(format!("call_sid: {sid} is not a customer's call; agents hang up in the console"))),
        Some(true) => {}
    }
    sim.hangup(&sid).map_err(sim_error)
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
        };
        for live in ["queued", "ringing", "in-progress"] {
            assert!(call(live).is_live(), "{live}");
        }
        for over in ["completed", "busy", "no-answer", "canceled", "failed"] {
            assert!(!call(over).is_live(), "{over}");
        }
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
