//! The engine's vocabulary: statuses, effects, errors, and the records it keeps per call and
//! per conference.

use std::collections::VecDeque;
use std::time::SystemTime;

use serde::Serialize;

use super::phone_book::{self, Callee};
use crate::ids::{CallSid, ConferenceSid};
use crate::simulator::twiml::{ConferenceJoin, Gather, Instruction, Record};

/// Twilio's `CallStatus` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallStatus {
    Queued,
    Ringing,
    InProgress,
    Completed,
    Busy,
    NoAnswer,
    Canceled,
    Failed,
}

impl CallStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CallStatus::Queued => "queued",
            CallStatus::Ringing => "ringing",
            CallStatus::InProgress => "in-progress",
            CallStatus::Completed => "completed",
            CallStatus::Busy => "busy",
            CallStatus::NoAnswer => "no-answer",
            CallStatus::Canceled => "canceled",
            CallStatus::Failed => "failed",
        }
    }

    /// The call is over; nothing changes it any more.
    pub fn is_final(self) -> bool {
        !matches!(self, CallStatus::Queued | CallStatus::Ringing | CallStatus::InProgress)
    }
}

/// Twilio's `Direction`: a customer calling in, or a call the REST API created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    Inbound,
    OutboundApi,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::OutboundApi => "outbound-api",
        }
    }
}

/// A conference's life. Twilio's REST API calls the waiting state `init`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConferenceStatus {
    /// Created, but nobody hears anybody yet (no start-on-enter participant with company).
    Waiting,
    InProgress,
    Completed,
}

impl ConferenceStatus {
    /// The REST API's word: `init`, `in-progress`, `completed`.
    pub fn as_twilio_str(self) -> &'static str {
        match self {
            ConferenceStatus::Waiting => "init",
            ConferenceStatus::InProgress => "in-progress",
            ConferenceStatus::Completed => "completed",
        }
    }
}

/// Why a browser should stop ringing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StopReason {
    /// The caller side gave up (hung up or was canceled) before anyone answered.
    Cancel,
    /// Answered (by this identity's device or another one registered with it).
    AnsweredElsewhere,
    /// Rang for its whole `Timeout`.
    Timeout,
    /// Declined by a device of the identity.
    Rejected,
}

/// What the engine asks the outside world to do; the driver performs these in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum SimEffect {
    /// Request TwiML for a call and hand the result back with
    /// [`Engine::twiml_result_for`](super::Engine::twiml_result_for) quoting `fetch_id`.
    FetchTwiml {
        call_sid: CallSid,
        fetch_id: u64,
        url: String,
        method: String,
        params: Vec<(String, String)>,
    },
    /// A status callback, exactly as Twilio would send it.
    Callback {
        url: String,
        method: String,
        params: Vec<(String, String)>,
    },
    /// A call to `client:{identity}` started ringing: the simulated browser shows it.
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
    /// Something Twilio would log in its debugger (a bad document, a refused join), with
    /// Twilio's error code when there is one (13238 for a verb a wait document may not use).
    Warning {
        call_sid: Option<CallSid>,
        code: Option<u32>,
        message: String,
    },
}

/// Why an operation was refused; the REST layer maps these to Twilio's error answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    #[error("The requested resource Call {0} was not found")]
    UnknownCall(String),
    #[error("The requested resource Conference {0} was not found")]
    UnknownConference(String),
    #[error("The requested resource Participant {0} was not found")]
    UnknownParticipant(String),
    #[error("Call {call_sid} is {status}; it cannot be {action}")]
    WrongState { call_sid: String, status: &'static str, action: &'static str },
    #[error("Participant label {label:?} is already in use in conference {conference}")]
    DuplicateLabel { label: String, conference: String },
    /// Twilio's 21217: a `To` that is neither `client:{identity}` nor an E.164 number.
    #[error("The 'To' number {0} is not a valid phone number.")]
    InvalidNumber(String),
    #[error("{0}")]
    Invalid(String),
    /// Twilio's 16027.
    #[error("The participant to coach ({0}) is on hold")]
    CoachOnHold(String),
    /// Twilio's 16028.
    #[error("The participant to coach ({0}) is not in the conference")]
    CoachNotInConference(String),
    /// Twilio's 16020.
    #[error("Conference {0} is full: it holds at most {1} participants")]
    ConferenceFull(String, usize),
    #[error("The requested resource Recording {0} was not found")]
    UnknownRecording(String),
    /// Twilio's 21220 for a redirect (`Url`/`Twiml`) of a call that is not in progress.
    #[error("Call is not in-progress. Cannot redirect.")]
    NotInProgress(String),
}

/// Twilio's "Conference is full" (see [`SimError::ConferenceFull`]).
pub const CONFERENCE_FULL: u32 = 16020;

impl SimError {
    /// The code Twilio's debugger gives a `<Dial><Conference>` that could not join, when it has one.
    pub(super) fn join_code(&self) -> Option<u32> {
        matches!(self, SimError::ConferenceFull(..)).then_some(CONFERENCE_FULL)
    }
}

/// Who gets told about what (a call's or a conference's status callback).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Subscription {
    pub url: String,
    pub method: String,
    /// Event words as requested (`initiated ringing answered completed`, or `start end join …`).
    pub events: Vec<String>,
}

/// What a call does once someone answers it.
#[derive(Debug, Clone)]
pub(super) enum OnAnswer {
    /// Fetch this TwiML document (calls made with `Calls.json`).
    Document { url: String, method: String },
    /// Go straight into a conference (participants added with `Participants.json`).
    Join(ConferenceJoin),
}

/// Which document an outstanding fetch is for; a result for a superseded fetch is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FetchPurpose {
    /// The call's own TwiML.
    Document,
    /// The conference's `waitUrl`, while it has not started.
    Wait,
    /// The participant's `HoldUrl`.
    Hold,
}

/// A wait or hold document that ended in `<Redirect>`: once its finite verbs have played (at
/// `due`), Twilio fetches `url` and plays that document instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Refetch {
    pub due: SystemTime,
    pub url: String,
    pub method: String,
    /// [`FetchPurpose::Wait`] or [`FetchPurpose::Hold`].
    pub purpose: FetchPurpose,
}

#[derive(Debug, Clone)]
pub(super) struct Call {
    pub sid: CallSid,
    pub from: String,
    pub to: String,
    pub direction: Direction,
    pub status: CallStatus,
    pub on_answer: OnAnswer,
    pub timeout_secs: u32,
    pub status_callback: Option<Subscription>,
    /// Next `SequenceNumber` of this call's status callbacks (Twilio starts at 0).
    pub next_sequence: u64,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    pub ringing_since: Option<SystemTime>,
    pub answered_at: Option<SystemTime>,
    pub ended_at: Option<SystemTime>,
    /// When Twilio placed an outbound call (`initiated`): after its wait in the account's queue of
    /// API-created calls (see `pacing`). `None` while it waits, and for inbound calls.
    pub placed_at: Option<SystemTime>,
    /// Everything the caller heard, in order (consecutive repeats collapsed).
    pub hearing: Vec<String>,
    /// What the caller hears right now.
    pub now_hearing: String,
    /// DTMF sent on this leg (`w` pauses included), and heard from others in its conference.
    pub digits_sent: String,
    pub digits_heard: String,
    /// The room's beeps this call heard (someone joining or leaving with a beep).
    pub beeps: Vec<String>,
    /// The rest of the call's document after the verb being executed: Twilio carries on with
    /// it when the caller leaves a conference.
    pub script: VecDeque<Instruction>,
    pub fetch: Option<(u64, FetchPurpose)>,
    pub conference: Option<ConferenceSid>,
    /// The URL and method of the call's own document being fetched, then of the one running:
    /// `<Gather>` and `<Record>` request it when they have no `action` (`None` for inline TwiML).
    pub fetching_url: Option<(String, String)>,
    pub document_url: Option<(String, String)>,
    /// A `<Gather>` or `<Record>` waiting for the caller.
    pub listening: Option<Listening>,
    /// Rings on an open `/phone` page holding its number (see `held_numbers`), not by the phone book.
    pub rings_on_page: bool,
}

/// What the caller's keys and voice go to.
#[derive(Debug, Clone)]
pub(super) enum Listening {
    Gather(Gathering),
    Record(Recording),
}

/// A `<Gather>` under way.
#[derive(Debug, Clone)]
pub(super) struct Gathering {
    pub verb: Gather,
    pub digits: String,
    /// When it gives up waiting for (more) input: `timeout` after it started or the last input.
    pub due: SystemTime,
}

/// A `<Record>` under way.
#[derive(Debug, Clone)]
pub(super) struct Recording {
    /// `RE…`, given when recording starts (an `in-progress` callback already names it).
    pub sid: String,
    pub verb: Record,
    pub started: SystemTime,
    /// What the caller said, the typed text standing for their voice (becomes the transcription).
    pub said: String,
    /// Seconds of speech so far (see `record::speech_secs`): the recording's duration, as
    /// Twilio trims the silence around it.
    pub speech_secs: u64,
    /// When the caller last stopped speaking (the start while they have not): the silence
    /// `timeout` counts from here.
    pub silent_since: SystemTime,
}

/// A finished recording, as `Recordings/{RE}` shows it.
#[derive(Debug, Clone)]
pub(super) struct StoredRecording {
    pub sid: String,
    pub call_sid: CallSid,
    pub duration_secs: u64,
    pub text: String,
    pub started: SystemTime,
    pub created: SystemTime,
}

/// Something Twilio's debugger would show (a call's `Notifications`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub call_sid: Option<CallSid>,
    /// Twilio's error code, when the simulator knows it.
    pub code: Option<u32>,
    pub message: String,
    /// RFC 2822.
    pub date: String,
}

impl Call {
    /// `client:agent1` → `agent1`: calls to a browser ring a simulated Device.
    pub fn client_identity(&self) -> Option<&str> {
        self.to.strip_prefix("client:")
    }

    /// The outside phone an outbound call rings (`None` for a browser or an inbound call).
    pub fn callee(&self) -> Option<Callee> {
        match self.direction {
            Direction::OutboundApi => phone_book::callee(&self.to),
            Direction::Inbound => None,
        }
    }

    /// How other participants name this caller when no label was given.
    pub fn party(&self) -> &str {
        match self.direction {
            Direction::Inbound => &self.from,
            Direction::OutboundApi => &self.to,
        }
    }

    pub fn hear(&mut self, what: impl Into<String>) {
        let what = what.into();
        if self.now_hearing != what {
            self.hearing.push(what.clone());
            self.now_hearing = what;
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParticipantStatus {
    /// Added through the REST API, its call not answered yet.
    Ringing,
    Connected,
}

#[derive(Debug, Clone)]
pub(super) struct Participant {
    pub call_sid: CallSid,
    pub status: ParticipantStatus,
    pub label: Option<String>,
    pub start_conference_on_enter: bool,
    pub end_conference_on_exit: bool,
    pub muted: bool,
    pub hold: bool,
    /// Heard only by the participant on this call (Twilio's `Coaching` + `CallSidToCoach`).
    pub coaching: Option<CallSid>,
    /// When the room beeps for this participant: `true`, `false`, `onEnter` or `onExit`.
    pub beep: String,
    pub wait_url: Option<String>,
    pub wait_method: String,
    /// What this participant hears while the conference waits (from its wait document).
    pub wait_audio: String,
    /// What this participant hears while on hold (from its hold document).
    pub hold_audio: String,
    /// The wait or hold document's `<Redirect>`, to be followed once what came before it has
    /// played (see [`Engine::tick`](super::Engine::tick)).
    pub refetch: Option<Refetch>,
    pub joined_at: SystemTime,
}

impl Participant {
    /// A participant as `join` describes them, not on hold, hearing nothing yet.
    pub fn new(call_sid: &CallSid, join: &ConferenceJoin, status: ParticipantStatus, now: SystemTime) -> Self {
        Participant {
            call_sid: call_sid.clone(),
            status,
            label: join.participant_label.clone(),
            start_conference_on_enter: join.start_conference_on_enter,
            end_conference_on_exit: join.end_conference_on_exit,
            muted: join.muted,
            hold: false,
            coaching: None,
            beep: join.beep.clone(),
            wait_url: join.wait_url.clone(),
            wait_method: join.wait_method.clone(),
            wait_audio: String::new(),
            hold_audio: String::new(),
            refetch: None,
            joined_at: now,
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Conference {
    pub sid: ConferenceSid,
    pub friendly_name: String,
    pub status: ConferenceStatus,
    /// In join order.
    pub participants: Vec<Participant>,
    /// The first joining participant's `statusCallback`: Twilio ignores all later ones.
    pub callback: Option<Subscription>,
    /// Next `SequenceNumber` of this conference's callbacks (starts at 1).
    pub next_sequence: u64,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    pub reason_ended: Option<&'static str>,
    pub call_sid_ending: Option<CallSid>,
}

impl Conference {
    pub fn connected(&self) -> impl Iterator<Item = &Participant> {
        self.participants.iter().filter(|p| p.status == ParticipantStatus::Connected)
    }

    /// A participant by call SID or label (the REST API accepts either).
    pub fn position(&self, call_sid_or_label: &str) -> Option<usize> {
        self.participants.iter().position(|p| p.call_sid.as_str() == call_sid_or_label || p.label.as_deref() == Some(call_sid_or_label))
    }
}

/// How a recording ended (a data word shared by the call's life and the recording's rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RecordEnd {
    Key(char),
    Hangup,
    Silence,
    MaxLength,
}
