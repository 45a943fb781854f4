//! What can be asked of the center: commands, and the vocabulary they are made of (the
//! presence an agent asks for, where a transfer goes, the steps a console offers).

use serde::{Deserialize, Deserializer, Serialize};

use super::agent::Account;
use super::call::{LegNo, LegOutcome};
use super::party::{MonitorMode, Party};
use super::rules::Millis;
use crate::ids::{deserialize_word, AgentId, CallSid, ConferenceSid, IdError, PhoneNumber, QueueName, RecordingSid, E164};

/// The presence an agent (or a script) may ask for (`/api/presence`'s `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Wanted {
    Available,
    Away,
    /// The agent's phone is gone (the browser's device unregistered or failed): no call can
    /// ring there, so none is offered until it registers again.
    Offline,
}

impl Wanted {
    pub fn as_str(self) -> &'static str {
        match self {
            Wanted::Available => "available",
            Wanted::Away => "away",
            Wanted::Offline => "offline",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Wanted::Available, Wanted::Away, Wanted::Offline].into_iter().find(|w| w.as_str() == s.trim())
    }
}

impl<'de> Deserialize<'de> for Wanted {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_word(d, Wanted::parse, |_| "status must be available, away or offline".into())
    }
}

/// A presence button of the console, offered when it makes sense (see `ConsoleView`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PresenceAction {
    Available,
    Away,
    /// Available again before the wrap-up is over.
    EndWrapUp,
}

impl PresenceAction {
    pub const ALL: [PresenceAction; 3] = [PresenceAction::Available, PresenceAction::Away, PresenceAction::EndWrapUp];

    pub fn as_str(self) -> &'static str {
        match self {
            PresenceAction::Available => "available",
            PresenceAction::Away => "away",
            PresenceAction::EndWrapUp => "end-wrap-up",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn wanted(self) -> Wanted {
        match self {
            PresenceAction::Available | PresenceAction::EndWrapUp => Wanted::Available,
            PresenceAction::Away => Wanted::Away,
        }
    }
}

/// Where a transfer sends the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "to", rename_all = "kebab-case")]
pub enum Target {
    Agent(AgentId),
    Phone(E164),
    /// Back to the queue, ahead of everyone waiting.
    Queue,
}

impl Target {
    /// What a form sends: an agent's identity, a number (`+` and digits), or `queue`.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(IdError("choose who to transfer to".into()));
        }
        Ok(match s {
            "queue" => Target::Queue,
            _ if s.starts_with('+') || s.starts_with(|c: char| c.is_ascii_digit()) => Target::Phone(E164::parse(s)?),
            _ => Target::Agent(AgentId::parse(s)?),
        })
    }

    /// The form's word for it (what [`Target::parse`] reads).
    pub fn as_str(&self) -> &str {
        match self {
            Target::Agent(a) => a.as_str(),
            Target::Phone(n) => n.as_str(),
            Target::Queue => "queue",
        }
    }

    /// The party a transfer rings (none for the queue).
    pub fn party(&self) -> Option<Party> {
        match self {
            Target::Agent(a) => Some(Party::Agent(a.clone())),
            Target::Phone(n) => Some(Party::Phone(n.clone())),
            Target::Queue => None,
        }
    }
}

/// A [`Target`] as a form spells it (`to=agent2`, `to=+15551230000`, `to=queue`): how
/// `/api/transfer` takes it. A `Target` itself is kept tagged in the stored events
/// (`{"kind":"agent","to":"agent2"}`); this is the word the console and scripts send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TransferTo(pub Target);

impl TryFrom<String> for TransferTo {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Target::parse(&s).map(TransferTo)
    }
}

impl From<TransferTo> for String {
    fn from(to: TransferTo) -> String {
        to.0.as_str().to_string()
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Agent(a) => f.write_str(a.as_str()),
            Target::Phone(n) => f.write_str(n.as_str()),
            Target::Queue => f.write_str("the queue"),
        }
    }
}

/// What the agent on a call can ask of a transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum TransferAction {
    /// Warm: the customer is held, the target rings, and the agents talk first.
    Consult { to: Target, note: String },
    /// Cold: the customer is told to hold, the agent is free at once, the target rings.
    Blind { to: Target },
    /// The customer talks with the target; the first agent leaves.
    Complete,
    /// The target is dropped; the customer is back with the first agent.
    Cancel,
    /// All three talk.
    ThreeWay,
    /// Talk with the other side (the one talking now is held).
    Swap,
    /// Leave a three-way call (the target keeps the customer).
    Leave,
    /// Ask Twilio again for the holds the call should have (after a change failed for good).
    Retry,
}

impl TransferAction {
    /// The console's step for this action.
    pub fn step(&self) -> CallAction {
        match self {
            TransferAction::Consult { .. } => CallAction::Consult,
            TransferAction::Blind { .. } => CallAction::Transfer,
            TransferAction::Complete => CallAction::Complete,
            TransferAction::Cancel => CallAction::Cancel,
            TransferAction::ThreeWay => CallAction::ThreeWay,
            TransferAction::Swap => CallAction::Swap,
            TransferAction::Leave => CallAction::Leave,
            TransferAction::Retry => CallAction::Retry,
        }
    }
}

/// A step an agent takes on their call, as the console's buttons (and `/api/transfer`'s
/// `action`) name it. The view lists the ones that make sense now; [`CallAction::command`]
/// is what the center is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallAction {
    Consult,
    /// A blind transfer.
    Transfer,
    Complete,
    Cancel,
    ThreeWay,
    Swap,
    Leave,
    Retry,
    /// The customer on hold, with music.
    Hold,
    Resume,
    Mute,
    Unmute,
    /// Ask a supervisor for help ("raise a hand"), or take the request back.
    AskHelp,
    CancelHelp,
    /// A voicemail offered to me: take it (listen, call back), or decline it (the next agent
    /// is offered it); once taken, mark it done.
    TakeVoicemail,
    DeclineVoicemail,
    VoicemailDone,
    /// Call the caller who left the voicemail back: my phone first, then theirs.
    CallBack,
}

impl CallAction {
    pub const ALL: [CallAction; 18] = [
        CallAction::Consult,
        CallAction::Transfer,
        CallAction::Complete,
        CallAction::Cancel,
        CallAction::ThreeWay,
        CallAction::Swap,
        CallAction::Leave,
        CallAction::Retry,
        CallAction::Hold,
        CallAction::Resume,
        CallAction::Mute,
        CallAction::Unmute,
        CallAction::AskHelp,
        CallAction::CancelHelp,
        CallAction::TakeVoicemail,
        CallAction::DeclineVoicemail,
        CallAction::VoicemailDone,
        CallAction::CallBack,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CallAction::Consult => "consult",
            CallAction::Transfer => "transfer",
            CallAction::Complete => "complete",
            CallAction::Cancel => "cancel",
            CallAction::ThreeWay => "three-way",
            CallAction::Swap => "swap",
            CallAction::Leave => "leave",
            CallAction::Retry => "retry",
            CallAction::Hold => "hold",
            CallAction::Resume => "resume",
            CallAction::Mute => "mute",
            CallAction::Unmute => "unmute",
            CallAction::AskHelp => "ask-help",
            CallAction::CancelHelp => "cancel-help",
            CallAction::TakeVoicemail => "take-voicemail",
            CallAction::DeclineVoicemail => "decline-voicemail",
            CallAction::VoicemailDone => "voicemail-done",
            CallAction::CallBack => "call-back",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }

    /// Consult and transfer need to know where to.
    pub fn needs_target(self) -> bool {
        matches!(self, CallAction::Consult | CallAction::Transfer)
    }

    /// The command for `agent` taking this step (`to` and `note` for a consult or a transfer).
    pub fn command(self, agent: AgentId, to: Option<Target>, note: Option<String>) -> Result<Command, MissingTarget> {
        let action = match self {
            CallAction::Consult => TransferAction::Consult { to: to.ok_or(MissingTarget)?, note: note.unwrap_or_default() },
            CallAction::Transfer => TransferAction::Blind { to: to.ok_or(MissingTarget)? },
            CallAction::Complete => TransferAction::Complete,
            CallAction::Cancel => TransferAction::Cancel,
            CallAction::ThreeWay => TransferAction::ThreeWay,
            CallAction::Swap => TransferAction::Swap,
            CallAction::Leave => TransferAction::Leave,
            CallAction::Retry => TransferAction::Retry,
            CallAction::Hold | CallAction::Resume => return Ok(Command::Hold { agent, hold: self == CallAction::Hold }),
            CallAction::Mute | CallAction::Unmute => return Ok(Command::Mute { agent, muted: self == CallAction::Mute }),
            CallAction::AskHelp | CallAction::CancelHelp => return Ok(Command::RaiseHand { agent, raised: self == CallAction::AskHelp }),
            CallAction::TakeVoicemail => return Ok(Command::Voicemail { agent, step: VoicemailStep::Take }),
            CallAction::DeclineVoicemail => return Ok(Command::Voicemail { agent, step: VoicemailStep::Decline }),
            CallAction::VoicemailDone => return Ok(Command::Voicemail { agent, step: VoicemailStep::Done }),
            CallAction::CallBack => return Ok(Command::Voicemail { agent, step: VoicemailStep::CallBack }),
        };
        Ok(Command::Transfer { agent, action })
    }
}

impl<'de> Deserialize<'de> for CallAction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_word(d, CallAction::parse, |word| {
            let all: Vec<&str> = CallAction::ALL.iter().map(|a| a.as_str()).collect();
            format!("unknown action '{}' ({})", word.trim(), all.join(", "))
        })
    }
}

impl std::fmt::Display for CallAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a supervisor does to an agent's presence from the floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum SupervisorAction {
    /// Away, with the reason the supervisor gives (on the record).
    SetAway {
        reason: String,
    },
    SetOffline,
    /// Available again before the wrap-up is over.
    EndWrapUp,
}

impl SupervisorAction {
    /// The floor's word for it.
    pub fn as_str(&self) -> &'static str {
        match self {
            SupervisorAction::SetAway { .. } => "set-away",
            SupervisorAction::SetOffline => "set-offline",
            SupervisorAction::EndWrapUp => "end-wrap-up",
        }
    }
}

/// A supervisor's step as the floor's buttons (and `/api/supervise`'s `action`) name it; a
/// `set-away` takes the reason given beside it ([`SupervisorStep::with`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SupervisorStep {
    SetAway,
    SetOffline,
    EndWrapUp,
}

impl SupervisorStep {
    pub const ALL: [SupervisorStep; 3] = [SupervisorStep::SetAway, SupervisorStep::SetOffline, SupervisorStep::EndWrapUp];

    pub fn as_str(self) -> &'static str {
        match self {
            SupervisorStep::SetAway => "set-away",
            SupervisorStep::SetOffline => "set-offline",
            SupervisorStep::EndWrapUp => "end-wrap-up",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }

    /// The action, with the reason given for a `set-away` (trimmed, 200 characters at most).
    pub fn with(self, reason: Option<&str>) -> SupervisorAction {
        match self {
            SupervisorStep::SetAway => SupervisorAction::SetAway { reason: reason.unwrap_or_default().trim().chars().take(200).collect() },
            SupervisorStep::SetOffline => SupervisorAction::SetOffline,
            SupervisorStep::EndWrapUp => SupervisorAction::EndWrapUp,
        }
    }
}

impl<'de> Deserialize<'de> for SupervisorStep {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_word(d, SupervisorStep::parse, |_| "action must be set-away, set-offline or end-wrap-up".into())
    }
}

/// Why Twilio would not let a supervisor coach an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CoachRefusal {
    /// Twilio's 16027: the agent to coach is on hold.
    AgentOnHold,
    /// Twilio's 16028: the agent to coach is not (or no longer) in the conference.
    AgentNotInConference,
}

impl CoachRefusal {
    /// Twilio's error code for it.
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            16027 => Some(CoachRefusal::AgentOnHold),
            16028 => Some(CoachRefusal::AgentNotInConference),
            _ => None,
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            CoachRefusal::AgentOnHold => "the agent is on hold",
            CoachRefusal::AgentNotInConference => "the agent is not in the call any more",
        }
    }
}

/// What the agent a voicemail is offered to (or who took it) does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VoicemailStep {
    Take,
    Decline,
    Done,
    /// Call the caller back (one click): the voicemail becomes a callback the agent makes now.
    CallBack,
}

/// A consult or a transfer asked for without saying where to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("choose who to transfer to")]
pub struct MissingTarget;

/// How a caller comes to the core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// They ring now (the voice webhook): closed, they are told so and not queued.
    Rings,
    /// They are in their conference already (kept aside while the database was away, having
    /// rung while we were open; or found waiting by nobody's knowledge): they queue.
    InConference,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A customer called the support number. `recorded`: storage already knows this call (it
    /// queued before: Twilio repeating its webhook, perhaps after the call is over). `arrival`:
    /// whether the opening hours decide (the caller rings now) or they queue whatever the hours.
    /// `queue`: the queue the caller chose in the menu, with its priority (none: the one queue).
    /// `arrived_at`: when the caller rang, when that was before this decision (they were kept
    /// aside while the database was away): they keep that place among the callers.
    CallArrived {
        call: CallSid,
        from: Option<PhoneNumber>,
        recorded: bool,
        arrival: Arrival,
        queue: Option<(QueueName, i32)>,
        arrived_at: Option<Millis>,
    },
    /// The caller on `call` left a message (`recording`, `seconds` long) and hung up.
    /// `recorded`: storage knows a voicemail of this call already handled (Twilio repeating).
    VoicemailLeft { call: CallSid, from: Option<PhoneNumber>, recording: RecordingSid, seconds: u32, recorded: bool },
    /// The caller in the callback menu chose to keep waiting (or said nothing): back in their
    /// conference, in their place (`from`: Twilio's `From`, to queue them again should their
    /// call have been given up meanwhile).
    KeepWaiting { call: CallSid, from: Option<PhoneNumber> },
    /// Twilio would not move the caller to the callback menu: `gone`, their call is over;
    /// otherwise they are still in their conference, waiting.
    MoveFailed { call: CallSid, gone: bool },
    /// The caller in the callback menu asked to be called back on `number`.
    RequestCallback { call: CallSid, number: E164 },
    /// The caller in the callback menu chose to leave a message: they leave the queue to record it.
    ChooseVoicemail { call: CallSid },
    /// Twilio's transcription of a voicemail's message.
    Transcribed { call: CallSid, text: String },
    /// The agent takes, declines, or is done with the voicemail offered to them.
    Voicemail { agent: AgentId, step: VoicemailStep },
    /// Leg `leg` of `call`, ringing `party`, was answered (Twilio fetched the join document);
    /// `sid` is the leg's own CallSid, when Twilio said it.
    LegAnswered { call: CallSid, party: Party, leg: LegNo, sid: Option<CallSid> },
    /// Leg `leg` of `call` to `party` is over (Twilio's final call status, or the dial failed).
    LegEnded { call: CallSid, party: Party, leg: LegNo, outcome: LegOutcome },
    /// The customer left (their conference ended, or they left it); `conference` is the one the
    /// callback was about, when it said (a callback about a conference the caller has since left
    /// for the callback menu changes nothing).
    CallerLeft { call: CallSid, conference: Option<ConferenceSid> },
    /// A conference callback told the sid of the call's conference.
    ConferenceKnown { call: CallSid, conference: ConferenceSid },
    /// The agent (or a script acting for them) asks to be available or away.
    SetPresence { agent: AgentId, wanted: Wanted },
    /// The agent's console is connected (sent periodically while it is).
    Heartbeat { agents: Vec<AgentId> },
    /// The agent signed out.
    SignedOut { agent: AgentId },
    /// The agent on a call asks for a transfer step.
    Transfer { agent: AgentId, action: TransferAction },
    /// The agent who has the call puts the customer on hold (with music), or takes them off.
    Hold { agent: AgentId, hold: bool },
    /// The agent's browser muted or unmuted its microphone.
    Mute { agent: AgentId, muted: bool },
    /// Twilio would not make a change to the call's conference (hold, unhold, remove), even
    /// after retries.
    ArrangeFailed { call: CallSid, reason: String },
    /// The accounts as stored (the CLI writes them while the server runs): new ones join
    /// offline, changed ones are renamed. `complete`: these are all of them, and an agent with
    /// no account any more leaves once nothing of theirs is live.
    Roster { accounts: Vec<Account>, complete: bool },
    /// A supervisor listens to, coaches (whispers to the agent) or barges into a call; asked
    /// again on the call they monitor, it switches mode.
    Monitor { supervisor: AgentId, call: CallSid, mode: MonitorMode },
    /// The supervisor leaves the call they monitor.
    StopMonitoring { supervisor: AgentId },
    /// The supervisor's monitoring leg `leg` of `call` answered: they are in the conference
    /// (Twilio's `sid` for the leg).
    MonitorAnswered { call: CallSid, supervisor: AgentId, leg: LegNo, sid: Option<CallSid> },
    /// Twilio would not let the supervisor coach (16027, 16028): they stay listening.
    CoachRefused { call: CallSid, supervisor: AgentId, why: CoachRefusal },
    /// The agent who has the call asks a supervisor for help (`raised`), or takes it back.
    RaiseHand { agent: AgentId, raised: bool },
    /// A supervisor changes an agent's presence.
    Supervise { supervisor: AgentId, agent: AgentId, action: SupervisorAction },
    /// Time passed: wrap-ups end, overdue offers are given up, lapsed consoles go offline.
    Tick,
}

impl Command {
    /// The agents the command names (their accounts must be known before it is decided).
    pub fn agents(&self) -> Vec<&AgentId> {
        match self {
            Command::LegAnswered { party, .. } | Command::LegEnded { party, .. } => party.agent().into_iter().collect(),
            Command::SetPresence { agent, .. }
            | Command::SignedOut { agent }
            | Command::Hold { agent, .. }
            | Command::Mute { agent, .. }
            | Command::Voicemail { agent, .. }
            | Command::RaiseHand { agent, .. } => {
                vec![agent]
            }
            Command::Monitor { supervisor, .. }
            | Command::StopMonitoring { supervisor }
            | Command::MonitorAnswered { supervisor, .. }
            | Command::CoachRefused { supervisor, .. } => vec![supervisor],
            Command::Supervise { supervisor, agent, .. } => vec![supervisor, agent],
            Command::Heartbeat { agents } => agents.iter().collect(),
            Command::Transfer { agent, action } => match action {
                TransferAction::Consult { to: Target::Agent(to), .. } | TransferAction::Blind { to: Target::Agent(to) } => vec![agent, to],
                _ => vec![agent],
            },
            Command::CallArrived { .. }
            | Command::KeepWaiting { .. }
            | Command::RequestCallback { .. }
            | Command::ChooseVoicemail { .. }
            | Command::MoveFailed { .. }
            | Command::VoicemailLeft { .. }
            | Command::Transcribed { .. }
            | Command::CallerLeft { .. }
            | Command::ConferenceKnown { .. }
            | Command::ArrangeFailed { .. }
            | Command::Roster { .. }
            | Command::Tick => vec![],
        }
    }
}
