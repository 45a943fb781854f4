//! What the center decided, as facts: the per-call timeline's rows, and how the consoles (and
//! other instances) learn of a change.

use serde::{Deserialize, Serialize};

use super::agent::{AgentRole, Presence};
use super::call::{EndReason, LegNo, LegOutcome, Side};
use super::command::{CoachRefusal, SupervisorAction, Target};
use super::party::{MonitorMode, Party};
use super::rules::Millis;
use crate::ids::{AgentId, CallSid, ConferenceSid, PhoneNumber, QueueName, RecordingSid, E164};

/// A decision, as the per-call timeline and the consoles learn of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    Queued {
        call: CallSid,
        #[serde(default)]
        from: Option<PhoneNumber>,
        /// The queue the caller chose in the menu (none: the one queue there is), and its priority.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        queue: Option<QueueName>,
        #[serde(default, skip_serializing_if = "is_zero")]
        priority: i32,
        /// When the caller rang, when that was before the decision (kept aside while the database
        /// was away): their place in the queue is from then.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<Millis>,
    },
    /// The caller rang while we were closed (`reason`, as the opening hours say it): told so and
    /// when we open, not queued.
    TurnedAway {
        call: CallSid,
        #[serde(default)]
        from: Option<PhoneNumber>,
        reason: String,
    },
    /// The caller left a message (and hung up): it waits in the queue like a call.
    VoicemailLeft {
        call: CallSid,
        #[serde(default)]
        from: Option<PhoneNumber>,
        recording: RecordingSid,
        seconds: u32,
    },
    /// Twilio's transcription of the message came (not a timeline row).
    VoicemailTranscribed {
        call: CallSid,
        text: String,
    },
    /// The agent the voicemail was offered to took it: they listen and call back.
    VoicemailTaken {
        call: CallSid,
        agent: AgentId,
    },
    /// The agent who took the voicemail marked it done (the call ends with it).
    VoicemailHandled {
        call: CallSid,
        agent: AgentId,
    },
    /// The agent who took the voicemail calls the caller back: their own phone rings first (leg
    /// `leg`), then the caller's number is called, as for a callback.
    VoicemailCalledBack {
        call: CallSid,
        agent: AgentId,
        number: E164,
        leg: LegNo,
    },
    /// The agent who had the voicemail left it undone (their console went): back in the queue.
    VoicemailReturned {
        call: CallSid,
        agent: AgentId,
    },
    /// The waiting caller is offered a callback: they are in the menu (out of their
    /// conference, keeping their place) until `until` at the latest.
    CallbackOffered {
        call: CallSid,
        until: Millis,
        /// Offered because nobody is signed in to take calls (at the start of the call).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        nobody: bool,
    },
    /// The caller chose to keep waiting: back in their conference, in their place.
    BackInQueue {
        call: CallSid,
    },
    /// The caller asked to be called back on `number` and hung up: the request keeps their place.
    CallbackRequested {
        call: CallSid,
        number: E164,
    },
    /// The agent who took the callback is on the line: attempt `attempt` calls the caller on leg `leg`.
    CallbackDialled {
        call: CallSid,
        number: E164,
        attempt: u32,
        leg: LegNo,
    },
    /// The caller answered the callback: they talk with the agent.
    CallbackAnswered {
        call: CallSid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sid: Option<CallSid>,
    },
    /// Attempt `attempt` did not reach the caller: the agent is free, and the request waits in
    /// its place until `retry_at` (none: no attempt is left; the callback ends).
    CallbackMissed {
        call: CallSid,
        attempt: u32,
        outcome: LegOutcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_at: Option<Millis>,
    },
    Offered {
        call: CallSid,
        agent: AgentId,
        leg: LegNo,
    },
    /// The offer was not answered; the call goes back to the head of the queue.
    OfferMissed {
        call: CallSid,
        agent: AgentId,
        outcome: LegOutcome,
    },
    /// The agent's ringing (an offer, or a consult) stopped because the caller left.
    OfferWithdrawn {
        call: CallSid,
        agent: AgentId,
    },
    Answered {
        call: CallSid,
        agent: AgentId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sid: Option<CallSid>,
    },
    /// The owner started a consult: the customer is held, `to` rings on leg `leg`.
    ConsultStarted {
        call: CallSid,
        by: AgentId,
        to: Party,
        leg: LegNo,
        note: String,
    },
    /// The consult's target answered: the two agents talk, the customer still on hold.
    TargetAnswered {
        call: CallSid,
        to: Party,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sid: Option<CallSid>,
    },
    /// The consult's target did not answer, was busy, declined, or could not be rung: the
    /// customer is back with the owner.
    TargetMissed {
        call: CallSid,
        to: Party,
        outcome: LegOutcome,
    },
    /// The target hung up during the consult or the three-way call.
    TargetLeft {
        call: CallSid,
        to: Party,
    },
    Swapped {
        call: CallSid,
        with: Side,
    },
    ThreeWayStarted {
        call: CallSid,
    },
    /// The owner dropped the target: the customer is back with them.
    ConsultCancelled {
        call: CallSid,
        by: AgentId,
    },
    /// The owner left (completed, left the three-way call, or hung up): the target has the
    /// customer, or, still ringing, the customer waits for them.
    TransferCompleted {
        call: CallSid,
        by: AgentId,
        to: Party,
    },
    /// A blind transfer: the owner is free, the call rings `to` (on leg `leg`) or waits in the
    /// queue.
    Transferred {
        call: CallSid,
        by: AgentId,
        to: Target,
        leg: Option<LegNo>,
    },
    /// A number outside took the call.
    OutsideAnswered {
        call: CallSid,
        number: E164,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sid: Option<CallSid>,
    },
    /// A number outside the call was sent to did not take it: back to the head of the queue.
    OutsideMissed {
        call: CallSid,
        number: E164,
        outcome: LegOutcome,
    },
    Left {
        call: CallSid,
        agent: AgentId,
    },
    Ended {
        call: CallSid,
        reason: EndReason,
        /// An abandon: the caller hung up before any agent answered (the one definition, which
        /// the metrics and the floor's figures both count).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        abandoned: bool,
    },
    ConferenceKnown {
        call: CallSid,
        conference: ConferenceSid,
    },
    /// A change to the conference failed for good: the owner is told and may retry.
    ArrangeFailed {
        call: CallSid,
        reason: String,
    },
    /// The owner asked again for the holds the call should have.
    Rearranged {
        call: CallSid,
        by: AgentId,
    },
    /// The owner put the customer on hold (`hold`) or took them off it.
    CustomerHeld {
        call: CallSid,
        by: AgentId,
        hold: bool,
    },
    /// An agent on the call muted or unmuted their microphone (not a timeline row).
    Muted {
        call: CallSid,
        agent: AgentId,
        muted: bool,
    },
    PresenceChanged {
        agent: AgentId,
        presence: Presence,
        since: Millis,
    },
    /// The account's sessions ended (signed out, disabled or removed), whatever its presence:
    /// every console and floor stream of the account ends at once, on every instance.
    SignedOut {
        agent: AgentId,
    },
    /// The agent's console lease was renewed (not a timeline row; kept for the store).
    Seen {
        agent: AgentId,
        until: Millis,
    },
    /// A supervisor's phone rings to monitor the call (leg `leg`), in `mode` once it answers.
    MonitorRinging {
        call: CallSid,
        supervisor: AgentId,
        leg: LegNo,
        mode: MonitorMode,
    },
    /// The supervisor's monitoring leg answered: they are in the conference (the mode follows).
    MonitorJoined {
        call: CallSid,
        supervisor: AgentId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sid: Option<CallSid>,
    },
    /// The supervisor listens, coaches `coaching`, or barges in; `note` says why it changed by
    /// itself (the call was transferred, Twilio refused).
    MonitorModeSet {
        call: CallSid,
        supervisor: AgentId,
        mode: MonitorMode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        coaching: Option<AgentId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Twilio would not let the supervisor coach: they stay listening.
    CoachRefused {
        call: CallSid,
        supervisor: AgentId,
        why: CoachRefusal,
    },
    /// The supervisor left the call (or their phone hung up, or the call ended).
    MonitorLeft {
        call: CallSid,
        supervisor: AgentId,
    },
    /// The agent who has the call asked for help (`raised`), or the request is over (`by`: the
    /// supervisor who joined, if one did).
    HandRaised {
        call: CallSid,
        agent: AgentId,
        raised: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<AgentId>,
    },
    /// A supervisor changed an agent's presence (the presence change follows).
    Supervised {
        supervisor: AgentId,
        agent: AgentId,
        action: SupervisorAction,
    },
    /// A new account joined the roster (offline).
    AccountAdded {
        agent: AgentId,
        name: String,
        role: AgentRole,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        queues: Vec<QueueName>,
    },
    /// An account's name, role or queues changed.
    AccountChanged {
        agent: AgentId,
        name: String,
        role: AgentRole,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        queues: Vec<QueueName>,
    },
    /// An account was removed (and nothing of theirs was live).
    AccountRemoved {
        agent: AgentId,
    },
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

/// How a call to a number (not an agent's browser) ended.
fn phone_words(outcome: LegOutcome) -> &'static str {
    match outcome {
        LegOutcome::Busy => "busy",
        _ => outcome.words(),
    }
}

fn party_words(party: &Party, outcome: LegOutcome) -> &'static str {
    // Twilio reports a browser's decline as `busy`; an agent's browser is never busy otherwise
    // (routing rings no one who is on a call), so for an agent it means they declined.
    match (party, outcome) {
        (Party::Agent(_), LegOutcome::Busy) => "declined",
        (Party::Phone(_), LegOutcome::Busy) => "busy",
        _ => outcome.words(),
    }
}

impl Event {
    /// The call this event belongs to, for the per-call timeline.
    pub fn call(&self) -> Option<&CallSid> {
        match self {
            Event::Queued { call, .. }
            | Event::TurnedAway { call, .. }
            | Event::VoicemailLeft { call, .. }
            | Event::VoicemailTranscribed { call, .. }
            | Event::VoicemailTaken { call, .. }
            | Event::VoicemailHandled { call, .. }
            | Event::VoicemailReturned { call, .. }
            | Event::VoicemailCalledBack { call, .. }
            | Event::CallbackOffered { call, .. }
            | Event::BackInQueue { call }
            | Event::CallbackRequested { call, .. }
            | Event::CallbackDialled { call, .. }
            | Event::CallbackAnswered { call, .. }
            | Event::CallbackMissed { call, .. }
            | Event::Offered { call, .. }
            | Event::OfferMissed { call, .. }
            | Event::OfferWithdrawn { call, .. }
            | Event::Answered { call, .. }
            | Event::ConsultStarted { call, .. }
            | Event::TargetAnswered { call, .. }
            | Event::TargetMissed { call, .. }
            | Event::TargetLeft { call, .. }
            | Event::Swapped { call, .. }
            | Event::ThreeWayStarted { call }
            | Event::ConsultCancelled { call, .. }
            | Event::TransferCompleted { call, .. }
            | Event::Transferred { call, .. }
            | Event::OutsideAnswered { call, .. }
            | Event::OutsideMissed { call, .. }
            | Event::Left { call, .. }
            | Event::Ended { call, .. }
            | Event::ConferenceKnown { call, .. }
            | Event::ArrangeFailed { call, .. }
            | Event::Rearranged { call, .. }
            | Event::CustomerHeld { call, .. }
            | Event::Muted { call, .. }
            | Event::MonitorRinging { call, .. }
            | Event::MonitorJoined { call, .. }
            | Event::MonitorModeSet { call, .. }
            | Event::CoachRefused { call, .. }
            | Event::MonitorLeft { call, .. }
            | Event::HandRaised { call, .. } => Some(call),
            Event::Supervised { .. }
            | Event::PresenceChanged { .. }
            | Event::SignedOut { .. }
            | Event::Seen { .. }
            | Event::AccountAdded { .. }
            | Event::AccountChanged { .. }
            | Event::AccountRemoved { .. } => None,
        }
    }

    /// The agent this event names first, if any (the timeline row's agent).
    pub fn agent(&self) -> Option<&AgentId> {
        match self {
            Event::Offered { agent, .. }
            | Event::VoicemailTaken { agent, .. }
            | Event::VoicemailHandled { agent, .. }
            | Event::VoicemailReturned { agent, .. }
            | Event::VoicemailCalledBack { agent, .. }
            | Event::OfferMissed { agent, .. }
            | Event::OfferWithdrawn { agent, .. }
            | Event::Answered { agent, .. }
            | Event::Muted { agent, .. }
            | Event::Left { agent, .. }
            | Event::PresenceChanged { agent, .. }
            | Event::SignedOut { agent }
            | Event::Seen { agent, .. }
            | Event::AccountAdded { agent, .. }
            | Event::AccountChanged { agent, .. }
            | Event::AccountRemoved { agent }
            | Event::HandRaised { agent, .. } => Some(agent),
            Event::MonitorRinging { supervisor, .. }
            | Event::MonitorJoined { supervisor, .. }
            | Event::MonitorModeSet { supervisor, .. }
            | Event::CoachRefused { supervisor, .. }
            | Event::MonitorLeft { supervisor, .. }
            | Event::Supervised { supervisor, .. } => Some(supervisor),
            Event::ConsultStarted { by, .. }
            | Event::ConsultCancelled { by, .. }
            | Event::TransferCompleted { by, .. }
            | Event::Transferred { by, .. }
            | Event::Rearranged { by, .. }
            | Event::CustomerHeld { by, .. } => Some(by),
            Event::TargetAnswered { to, .. } | Event::TargetMissed { to, .. } | Event::TargetLeft { to, .. } => to.agent(),
            Event::Queued { .. }
            | Event::TurnedAway { .. }
            | Event::VoicemailLeft { .. }
            | Event::VoicemailTranscribed { .. }
            | Event::CallbackOffered { .. }
            | Event::BackInQueue { .. }
            | Event::CallbackRequested { .. }
            | Event::CallbackDialled { .. }
            | Event::CallbackAnswered { .. }
            | Event::CallbackMissed { .. }
            | Event::Swapped { .. }
            | Event::ThreeWayStarted { .. }
            | Event::OutsideAnswered { .. }
            | Event::OutsideMissed { .. }
            | Event::Ended { .. }
            | Event::ConferenceKnown { .. }
            | Event::ArrangeFailed { .. } => None,
        }
    }

    /// The event's name, as its JSON tags it (the timeline's `kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Queued { .. } => "queued",
            Event::TurnedAway { .. } => "closed",
            Event::VoicemailLeft { .. } => "voicemail-left",
            Event::VoicemailTranscribed { .. } => "voicemail-transcribed",
            Event::VoicemailTaken { .. } => "voicemail-taken",
            Event::VoicemailHandled { .. } => "voicemail-handled",
            Event::VoicemailReturned { .. } => "voicemail-returned",
            Event::VoicemailCalledBack { .. } => "voicemail-called-back",
            Event::CallbackOffered { .. } => "callback-offered",
            Event::BackInQueue { .. } => "back-in-queue",
            Event::CallbackRequested { .. } => "callback-requested",
            Event::CallbackDialled { .. } => "callback-dialled",
            Event::CallbackAnswered { .. } => "callback-answered",
            Event::CallbackMissed { .. } => "callback-missed",
            Event::Offered { .. } => "offered",
            Event::OfferMissed { .. } => "offer-missed",
            Event::OfferWithdrawn { .. } => "offer-withdrawn",
            Event::Answered { .. } => "answered",
            Event::ConsultStarted { .. } => "consult-started",
            Event::TargetAnswered { .. } => "target-answered",
            Event::TargetMissed { .. } => "target-missed",
            Event::TargetLeft { .. } => "target-left",
            Event::Swapped { .. } => "swapped",
            Event::ThreeWayStarted { .. } => "three-way-started",
            Event::ConsultCancelled { .. } => "consult-cancelled",
            Event::TransferCompleted { .. } => "transfer-completed",
            Event::Transferred { .. } => "transferred",
            Event::OutsideAnswered { .. } => "outside-answered",
            Event::OutsideMissed { .. } => "outside-missed",
            Event::Left { .. } => "left",
            Event::Ended { .. } => "ended",
            Event::ConferenceKnown { .. } => "conference-known",
            Event::ArrangeFailed { .. } => "arrange-failed",
            Event::Rearranged { .. } => "rearranged",
            Event::CustomerHeld { .. } => "customer-held",
            Event::Muted { .. } => "muted",
            Event::PresenceChanged { .. } => "presence-changed",
            Event::SignedOut { .. } => "signed-out",
            Event::Seen { .. } => "seen",
            Event::AccountAdded { .. } => "account-added",
            Event::AccountChanged { .. } => "account-changed",
            Event::AccountRemoved { .. } => "account-removed",
            Event::MonitorRinging { .. } => "monitor-ringing",
            Event::MonitorJoined { .. } => "monitor-joined",
            Event::MonitorModeSet { .. } => "monitor-mode-set",
            Event::CoachRefused { .. } => "coach-refused",
            Event::MonitorLeft { .. } => "monitor-left",
            Event::HandRaised { .. } => "hand-raised",
            Event::Supervised { .. } => "supervised",
        }
    }

    /// Not a timeline row: bookkeeping only.
    pub fn is_bookkeeping(&self) -> bool {
        matches!(
            self,
            Event::Seen { .. }
                | Event::VoicemailTranscribed { .. }
                | Event::Ended { reason: EndReason::VoicemailHandled, .. }
                | Event::ConferenceKnown { .. }
                | Event::Muted { .. }
                | Event::MonitorJoined { .. }
                | Event::AccountAdded { .. }
                | Event::AccountChanged { .. }
                | Event::AccountRemoved { .. }
        )
    }

    /// Nothing a console shows changed: only console leases were renewed.
    pub fn is_lease(&self) -> bool {
        matches!(self, Event::Seen { .. })
    }

    /// One line for the timeline, as a person reads it.
    pub fn describe(&self) -> String {
        match self {
            Event::Queued { from, queue: None, .. } => {
                format!("queued (caller {})", from.as_ref().map(|f| f.as_str()).unwrap_or("unknown"))
            }
            Event::Queued { from, queue: Some(q), .. } => {
                format!("queued for {q} (caller {})", from.as_ref().map(|f| f.as_str()).unwrap_or("unknown"))
            }
            Event::TurnedAway { from, reason, .. } => {
                format!("closed ({reason}): caller {} told when we open", from.as_ref().map(|f| f.as_str()).unwrap_or("unknown"))
            }
            Event::VoicemailLeft { from, seconds, .. } => format!(
                "voicemail left by {} ({}:{:02})",
                from.as_ref().map(|f| f.as_str()).unwrap_or("an unknown caller"),
                seconds / 60,
                seconds % 60
            ),
            Event::VoicemailTranscribed { text, .. } => format!("transcription: {text}"),
            Event::VoicemailTaken { agent, .. } => format!("{agent} took the voicemail"),
            Event::VoicemailHandled { agent, .. } => format!("voicemail handled by {agent}"),
            Event::VoicemailReturned { agent, .. } => format!("{agent} left the voicemail undone: back in the queue"),
            Event::VoicemailCalledBack { agent, number, .. } => format!("{agent} calls {number} back"),
            Event::CallbackOffered { nobody: true, .. } => {
                "nobody signed in: offered a callback or a message (the caller keeps their place)".into()
            }
            Event::CallbackOffered { .. } => "offered a callback (the caller keeps their place)".into(),
            Event::BackInQueue { .. } => "chose to keep waiting".into(),
            Event::CallbackRequested { number, .. } => format!("callback requested to {number}; the request keeps the caller's place"),
            Event::CallbackDialled { number, attempt, .. } => format!("callback attempt {attempt}: calling {number}"),
            Event::CallbackAnswered { .. } => "the caller answered the callback".into(),
            Event::CallbackMissed { attempt, outcome, retry_at: Some(_), .. } => {
                format!("callback attempt {attempt}: {}; trying again later, in the caller's place", phone_words(*outcome))
            }
            Event::CallbackMissed { attempt, outcome, retry_at: None, .. } => {
                format!("callback attempt {attempt}: {}; no attempt left", phone_words(*outcome))
            }
            Event::Offered { agent, .. } => format!("offered to {agent}"),
            Event::OfferMissed { agent, outcome, .. } => format!("{agent}: {}", party_words(&Party::Agent(agent.clone()), *outcome)),
            Event::OfferWithdrawn { agent, .. } => format!("{agent} stopped ringing: the caller left"),
            Event::Answered { agent, .. } => format!("answered by {agent}"),
            Event::ConsultStarted { by, to, note, .. } if note.is_empty() => format!("{by} consults {to}; customer on hold"),
            Event::ConsultStarted { by, to, note, .. } => format!("{by} consults {to} (note: {note}); customer on hold"),
            Event::TargetAnswered { to, .. } => format!("{to} answered the consult"),
            Event::TargetMissed { to, outcome, .. } => {
                format!("consult to {to} failed: {}; customer back with the agent", party_words(to, *outcome))
            }
            Event::TargetLeft { to, .. } => format!("{to} hung up; customer back with the agent"),
            Event::Swapped { with: Side::Customer, .. } => "swapped: talking with the customer, target on hold".into(),
            Event::Swapped { with: Side::Target, .. } => "swapped: talking with the target, customer on hold".into(),
            Event::ThreeWayStarted { .. } => "three-way call".into(),
            Event::ConsultCancelled { by, .. } => format!("{by} cancelled the transfer; customer back with {by}"),
            Event::TransferCompleted { by, to, .. } => format!("transfer completed: {to} has the call, {by} left"),
            Event::Transferred { by, to, .. } => format!("{by} transferred the call to {to}"),
            Event::OutsideAnswered { number, .. } => format!("{number} answered"),
            Event::OutsideMissed { number, outcome, .. } => {
                format!("{number}: {}; back to the head of the queue", party_words(&Party::Phone(number.clone()), *outcome))
            }
            Event::Left { agent, .. } => format!("{agent} hung up"),
            Event::Ended { reason: EndReason::CallerHungUp, .. } => "customer hung up".into(),
            Event::Ended { reason: EndReason::VoicemailHandled, .. } => "voicemail done".into(),
            Event::Ended { reason: EndReason::CallbackGaveUp, .. } => "callback failed: the caller could not be reached".into(),
            Event::Ended { reason: EndReason::ToVoicemail, .. } => "chose to leave a message".into(),
            Event::Ended { reason: EndReason::AgentHungUp, .. } => "call ended by the agent".into(),
            Event::Ended { reason: EndReason::OutsideHungUp, .. } => "call ended by the number it was transferred to".into(),
            Event::ConferenceKnown { conference, .. } => format!("conference {conference}"),
            Event::ArrangeFailed { reason, .. } => format!("Twilio would not change the call: {reason}"),
            Event::Rearranged { by, .. } => format!("{by} asked Twilio again"),
            Event::CustomerHeld { by, hold: true, .. } => format!("{by} put the customer on hold"),
            Event::CustomerHeld { by, hold: false, .. } => format!("{by} took the customer off hold"),
            Event::Muted { agent, muted: true, .. } => format!("{agent} muted"),
            Event::Muted { agent, muted: false, .. } => format!("{agent} unmuted"),
            Event::PresenceChanged { agent, presence, .. } => format!("{agent} is {}", presence.word()),
            Event::SignedOut { agent } => format!("{agent}'s sessions ended"),
            Event::Seen { agent, .. } => format!("{agent} is connected"),
            Event::AccountAdded { agent, name, .. } => format!("{agent} ({name}) joined"),
            Event::AccountChanged { agent, name, role, .. } => format!("{agent} is now {name}, {}", role.as_str()),
            Event::AccountRemoved { agent } => format!("{agent} was removed"),
            Event::MonitorRinging { supervisor, mode, .. } => format!("{supervisor} joining to {}", mode.as_str()),
            Event::MonitorJoined { supervisor, .. } => format!("{supervisor} joined"),
            Event::MonitorModeSet { supervisor, mode, coaching, note, .. } => {
                let what = match (mode, coaching) {
                    (MonitorMode::Listen, _) => format!("{supervisor} listening"),
                    (MonitorMode::Whisper, Some(agent)) => format!("{supervisor} coaching {agent}"),
                    (MonitorMode::Whisper, None) => format!("{supervisor} coaching"),
                    (MonitorMode::Barge, _) => format!("{supervisor} barged in"),
                };
                match note {
                    Some(note) => format!("{what} ({note})"),
                    None => what,
                }
            }
            Event::CoachRefused { supervisor, why, .. } => {
                format!("Twilio would not let {supervisor} coach: {}; {supervisor} stays listening", why.words())
            }
            Event::MonitorLeft { supervisor, .. } => format!("{supervisor} left"),
            Event::HandRaised { agent, raised: true, .. } => format!("{agent} asked for help"),
            Event::HandRaised { agent, by: Some(by), .. } => format!("{by} answered {agent}'s request for help"),
            Event::HandRaised { agent, .. } => format!("{agent}'s request for help is over"),
            Event::Supervised { supervisor, agent, action } => match action {
                SupervisorAction::SetAway { reason } if reason.is_empty() => format!("{supervisor} set {agent} away"),
                SupervisorAction::SetAway { reason } => format!("{supervisor} set {agent} away: {reason}"),
                SupervisorAction::SetOffline => format!("{supervisor} set {agent} offline"),
                SupervisorAction::EndWrapUp => format!("{supervisor} ended {agent}'s wrap-up"),
            },
        }
    }
}
