//! What the center decided, as facts: the per-call timeline's rows, and how the consoles (and
//! other instances) learn of a change.

use serde::{Deserialize, Serialize};

use super::agent::{AgentRole, Presence};
use super::call::{EndReason, LegNo, LegOutcome, Side};
use super::command::{CoachRefusal, SupervisorAction, Target};
use super::party::{MonitorMode, Party};
use super::rules::Millis;
use crate::ids::{AgentId, CallSid, ConferenceSid, PhoneNumber, QueueName, RecordingSid, E164};

/// A decision, as the per-call timeline and the consoles learn of it: one feature's fact. The
/// JSON is each fact's own (`{"event": "queued", …}`), the same for every feature, so stored
/// timelines read back whichever feature wrote them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Event {
    Call(CallEvent),
    Transfer(TransferEvent),
    Voicemail(VoicemailEvent),
    Callback(CallbackEvent),
    Monitor(MonitorEvent),
    Agent(AgentEvent),
}

/// A caller's call: queued (or turned away), offered, answered, held, ended, and its conference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum CallEvent {
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
}

/// A transfer: a consult (warm) and its target, a swap, a three-way, the handover, a blind transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum TransferEvent {
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
}

/// A message a caller left, as it is taken, handled or called back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum VoicemailEvent {
    /// The caller left a message (and hung up): it waits in the queue like a call.
    VoicemailLeft {
        call: CallSid,
        #[serde(default)]
        from: Option<PhoneNumber>,
        recording: RecordingSid,
        seconds: u32,
    },
    /// Twilio's transcription of the message came (not a timeline row).
    VoicemailTranscribed { call: CallSid, text: String },
    /// The agent the voicemail was offered to took it: they listen and call back.
    VoicemailTaken { call: CallSid, agent: AgentId },
    /// The agent who took the voicemail marked it done (the call ends with it).
    VoicemailHandled { call: CallSid, agent: AgentId },
    /// The agent who took the voicemail calls the caller back: their own phone rings first (leg
    /// `leg`), then the caller's number is called, as for a callback.
    VoicemailCalledBack { call: CallSid, agent: AgentId, number: E164, leg: LegNo },
    /// The agent who had the voicemail left it undone (their console went): back in the queue.
    VoicemailReturned { call: CallSid, agent: AgentId },
}

/// A callback: offered in the menu, requested, dialled, answered or missed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum CallbackEvent {
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
    BackInQueue { call: CallSid },
    /// The caller asked to be called back on `number` and hung up: the request keeps their place.
    CallbackRequested { call: CallSid, number: E164 },
    /// The agent who took the callback is on the line: attempt `attempt` calls the caller on leg `leg`.
    CallbackDialled { call: CallSid, number: E164, attempt: u32, leg: LegNo },
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
}

/// A supervisor on a call (listening, whispering, barging) and an agent's raised hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum MonitorEvent {
    /// A supervisor's phone rings to monitor the call (leg `leg`), in `mode` once it answers.
    MonitorRinging { call: CallSid, supervisor: AgentId, leg: LegNo, mode: MonitorMode },
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
    CoachRefused { call: CallSid, supervisor: AgentId, why: CoachRefusal },
    /// The supervisor left the call (or their phone hung up, or the call ended).
    MonitorLeft { call: CallSid, supervisor: AgentId },
    /// The agent who has the call asked for help (`raised`), or the request is over (`by`: the
    /// supervisor who joined, if one did).
    HandRaised {
        call: CallSid,
        agent: AgentId,
        raised: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<AgentId>,
    },
}

/// An agent: presence, the console's lease, signing out, accounts, a supervisor's action on them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum AgentEvent {
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
            Event::Call(CallEvent::Queued { call, .. })
            | Event::Call(CallEvent::TurnedAway { call, .. })
            | Event::Voicemail(VoicemailEvent::VoicemailLeft { call, .. })
            | Event::Voicemail(VoicemailEvent::VoicemailTranscribed { call, .. })
            | Event::Voicemail(VoicemailEvent::VoicemailTaken { call, .. })
            | Event::Voicemail(VoicemailEvent::VoicemailHandled { call, .. })
            | Event::Voicemail(VoicemailEvent::VoicemailReturned { call, .. })
            | Event::Voicemail(VoicemailEvent::VoicemailCalledBack { call, .. })
            | Event::Callback(CallbackEvent::CallbackOffered { call, .. })
            | Event::Callback(CallbackEvent::BackInQueue { call })
            | Event::Callback(CallbackEvent::CallbackRequested { call, .. })
            | Event::Callback(CallbackEvent::CallbackDialled { call, .. })
            | Event::Callback(CallbackEvent::CallbackAnswered { call, .. })
            | Event::Callback(CallbackEvent::CallbackMissed { call, .. })
            | Event::Call(CallEvent::Offered { call, .. })
            | Event::Call(CallEvent::OfferMissed { call, .. })
            | Event::Call(CallEvent::OfferWithdrawn { call, .. })
            | Event::Call(CallEvent::Answered { call, .. })
            | Event::Transfer(TransferEvent::ConsultStarted { call, .. })
            | Event::Transfer(TransferEvent::TargetAnswered { call, .. })
            | Event::Transfer(TransferEvent::TargetMissed { call, .. })
            | Event::Transfer(TransferEvent::TargetLeft { call, .. })
            | Event::Transfer(TransferEvent::Swapped { call, .. })
            | Event::Transfer(TransferEvent::ThreeWayStarted { call })
            | Event::Transfer(TransferEvent::ConsultCancelled { call, .. })
            | Event::Transfer(TransferEvent::TransferCompleted { call, .. })
            | Event::Transfer(TransferEvent::Transferred { call, .. })
            | Event::Call(CallEvent::OutsideAnswered { call, .. })
            | Event::Call(CallEvent::OutsideMissed { call, .. })
            | Event::Call(CallEvent::Left { call, .. })
            | Event::Call(CallEvent::Ended { call, .. })
            | Event::Call(CallEvent::ConferenceKnown { call, .. })
            | Event::Call(CallEvent::ArrangeFailed { call, .. })
            | Event::Call(CallEvent::Rearranged { call, .. })
            | Event::Call(CallEvent::CustomerHeld { call, .. })
            | Event::Call(CallEvent::Muted { call, .. })
            | Event::Monitor(MonitorEvent::MonitorRinging { call, .. })
            | Event::Monitor(MonitorEvent::MonitorJoined { call, .. })
            | Event::Monitor(MonitorEvent::MonitorModeSet { call, .. })
            | Event::Monitor(MonitorEvent::CoachRefused { call, .. })
            | Event::Monitor(MonitorEvent::MonitorLeft { call, .. })
            | Event::Monitor(MonitorEvent::HandRaised { call, .. }) => Some(call),
            Event::Agent(AgentEvent::Supervised { .. })
            | Event::Agent(AgentEvent::PresenceChanged { .. })
            | Event::Agent(AgentEvent::SignedOut { .. })
            | Event::Agent(AgentEvent::Seen { .. })
            | Event::Agent(AgentEvent::AccountAdded { .. })
            | Event::Agent(AgentEvent::AccountChanged { .. })
            | Event::Agent(AgentEvent::AccountRemoved { .. }) => None,
        }
    }

    /// The agent this event names first, if any (the timeline row's agent).
    pub fn agent(&self) -> Option<&AgentId> {
        match self {
            Event::Call(CallEvent::Offered { agent, .. })
            | Event::Voicemail(VoicemailEvent::VoicemailTaken { agent, .. })
            | Event::Voicemail(VoicemailEvent::VoicemailHandled { agent, .. })
            | Event::Voicemail(VoicemailEvent::VoicemailReturned { agent, .. })
            | Event::Voicemail(VoicemailEvent::VoicemailCalledBack { agent, .. })
            | Event::Call(CallEvent::OfferMissed { agent, .. })
            | Event::Call(CallEvent::OfferWithdrawn { agent, .. })
            | Event::Call(CallEvent::Answered { agent, .. })
            | Event::Call(CallEvent::Muted { agent, .. })
            | Event::Call(CallEvent::Left { agent, .. })
            | Event::Agent(AgentEvent::PresenceChanged { agent, .. })
            | Event::Agent(AgentEvent::SignedOut { agent })
            | Event::Agent(AgentEvent::Seen { agent, .. })
            | Event::Agent(AgentEvent::AccountAdded { agent, .. })
            | Event::Agent(AgentEvent::AccountChanged { agent, .. })
            | Event::Agent(AgentEvent::AccountRemoved { agent })
            | Event::Monitor(MonitorEvent::HandRaised { agent, .. }) => Some(agent),
            Event::Monitor(MonitorEvent::MonitorRinging { supervisor, .. })
            | Event::Monitor(MonitorEvent::MonitorJoined { supervisor, .. })
            | Event::Monitor(MonitorEvent::MonitorModeSet { supervisor, .. })
            | Event::Monitor(MonitorEvent::CoachRefused { supervisor, .. })
            | Event::Monitor(MonitorEvent::MonitorLeft { supervisor, .. })
            | Event::Agent(AgentEvent::Supervised { supervisor, .. }) => Some(supervisor),
            Event::Transfer(TransferEvent::ConsultStarted { by, .. })
            | Event::Transfer(TransferEvent::ConsultCancelled { by, .. })
            | Event::Transfer(TransferEvent::TransferCompleted { by, .. })
            | Event::Transfer(TransferEvent::Transferred { by, .. })
            | Event::Call(CallEvent::Rearranged { by, .. })
            | Event::Call(CallEvent::CustomerHeld { by, .. }) => Some(by),
            Event::Transfer(TransferEvent::TargetAnswered { to, .. })
            | Event::Transfer(TransferEvent::TargetMissed { to, .. })
            | Event::Transfer(TransferEvent::TargetLeft { to, .. }) => to.agent(),
            Event::Call(CallEvent::Queued { .. })
            | Event::Call(CallEvent::TurnedAway { .. })
            | Event::Voicemail(VoicemailEvent::VoicemailLeft { .. })
            | Event::Voicemail(VoicemailEvent::VoicemailTranscribed { .. })
            | Event::Callback(CallbackEvent::CallbackOffered { .. })
            | Event::Callback(CallbackEvent::BackInQueue { .. })
            | Event::Callback(CallbackEvent::CallbackRequested { .. })
            | Event::Callback(CallbackEvent::CallbackDialled { .. })
            | Event::Callback(CallbackEvent::CallbackAnswered { .. })
            | Event::Callback(CallbackEvent::CallbackMissed { .. })
            | Event::Transfer(TransferEvent::Swapped { .. })
            | Event::Transfer(TransferEvent::ThreeWayStarted { .. })
            | Event::Call(CallEvent::OutsideAnswered { .. })
            | Event::Call(CallEvent::OutsideMissed { .. })
            | Event::Call(CallEvent::Ended { .. })
            | Event::Call(CallEvent::ConferenceKnown { .. })
            | Event::Call(CallEvent::ArrangeFailed { .. }) => None,
        }
    }

    /// The event's name, as its JSON tags it (the timeline's `kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Call(CallEvent::Queued { .. }) => "queued",
            Event::Call(CallEvent::TurnedAway { .. }) => "closed",
            Event::Voicemail(VoicemailEvent::VoicemailLeft { .. }) => "voicemail-left",
            Event::Voicemail(VoicemailEvent::VoicemailTranscribed { .. }) => "voicemail-transcribed",
            Event::Voicemail(VoicemailEvent::VoicemailTaken { .. }) => "voicemail-taken",
            Event::Voicemail(VoicemailEvent::VoicemailHandled { .. }) => "voicemail-handled",
            Event::Voicemail(VoicemailEvent::VoicemailReturned { .. }) => "voicemail-returned",
            Event::Voicemail(VoicemailEvent::VoicemailCalledBack { .. }) => "voicemail-called-back",
            Event::Callback(CallbackEvent::CallbackOffered { .. }) => "callback-offered",
            Event::Callback(CallbackEvent::BackInQueue { .. }) => "back-in-queue",
            Event::Callback(CallbackEvent::CallbackRequested { .. }) => "callback-requested",
            Event::Callback(CallbackEvent::CallbackDialled { .. }) => "callback-dialled",
            Event::Callback(CallbackEvent::CallbackAnswered { .. }) => "callback-answered",
            Event::Callback(CallbackEvent::CallbackMissed { .. }) => "callback-missed",
            Event::Call(CallEvent::Offered { .. }) => "offered",
            Event::Call(CallEvent::OfferMissed { .. }) => "offer-missed",
            Event::Call(CallEvent::OfferWithdrawn { .. }) => "offer-withdrawn",
            Event::Call(CallEvent::Answered { .. }) => "answered",
            Event::Transfer(TransferEvent::ConsultStarted { .. }) => "consult-started",
            Event::Transfer(TransferEvent::TargetAnswered { .. }) => "target-answered",
            Event::Transfer(TransferEvent::TargetMissed { .. }) => "target-missed",
            Event::Transfer(TransferEvent::TargetLeft { .. }) => "target-left",
            Event::Transfer(TransferEvent::Swapped { .. }) => "swapped",
            Event::Transfer(TransferEvent::ThreeWayStarted { .. }) => "three-way-started",
            Event::Transfer(TransferEvent::ConsultCancelled { .. }) => "consult-cancelled",
            Event::Transfer(TransferEvent::TransferCompleted { .. }) => "transfer-completed",
            Event::Transfer(TransferEvent::Transferred { .. }) => "transferred",
            Event::Call(CallEvent::OutsideAnswered { .. }) => "outside-answered",
            Event::Call(CallEvent::OutsideMissed { .. }) => "outside-missed",
            Event::Call(CallEvent::Left { .. }) => "left",
            Event::Call(CallEvent::Ended { .. }) => "ended",
            Event::Call(CallEvent::ConferenceKnown { .. }) => "conference-known",
            Event::Call(CallEvent::ArrangeFailed { .. }) => "arrange-failed",
            Event::Call(CallEvent::Rearranged { .. }) => "rearranged",
            Event::Call(CallEvent::CustomerHeld { .. }) => "customer-held",
            Event::Call(CallEvent::Muted { .. }) => "muted",
            Event::Agent(AgentEvent::PresenceChanged { .. }) => "presence-changed",
            Event::Agent(AgentEvent::SignedOut { .. }) => "signed-out",
            Event::Agent(AgentEvent::Seen { .. }) => "seen",
            Event::Agent(AgentEvent::AccountAdded { .. }) => "account-added",
            Event::Agent(AgentEvent::AccountChanged { .. }) => "account-changed",
            Event::Agent(AgentEvent::AccountRemoved { .. }) => "account-removed",
            Event::Monitor(MonitorEvent::MonitorRinging { .. }) => "monitor-ringing",
            Event::Monitor(MonitorEvent::MonitorJoined { .. }) => "monitor-joined",
            Event::Monitor(MonitorEvent::MonitorModeSet { .. }) => "monitor-mode-set",
            Event::Monitor(MonitorEvent::CoachRefused { .. }) => "coach-refused",
            Event::Monitor(MonitorEvent::MonitorLeft { .. }) => "monitor-left",
            Event::Monitor(MonitorEvent::HandRaised { .. }) => "hand-raised",
            Event::Agent(AgentEvent::Supervised { .. }) => "supervised",
        }
    }

    /// Not a timeline row: bookkeeping only.
    pub fn is_bookkeeping(&self) -> bool {
        matches!(
            self,
            Event::Agent(AgentEvent::Seen { .. })
                | Event::Voicemail(VoicemailEvent::VoicemailTranscribed { .. })
                | Event::Call(CallEvent::Ended { reason: EndReason::VoicemailHandled, .. })
                | Event::Call(CallEvent::ConferenceKnown { .. })
                | Event::Call(CallEvent::Muted { .. })
                | Event::Monitor(MonitorEvent::MonitorJoined { .. })
                | Event::Agent(AgentEvent::AccountAdded { .. })
                | Event::Agent(AgentEvent::AccountChanged { .. })
                | Event::Agent(AgentEvent::AccountRemoved { .. })
        )
    }

    /// Nothing a console shows changed: only console leases were renewed.
    pub fn is_lease(&self) -> bool {
        matches!(self, Event::Agent(AgentEvent::Seen { .. }))
    }

    /// One line for the timeline, as a person reads it.
    pub fn describe(&self) -> String {
        match self {
            Event::Call(CallEvent::Queued { from, queue: None, .. }) => {
                format!("queued (caller {})", from.as_ref().map(|f| f.as_str()).unwrap_or("unknown"))
            }
            Event::Call(CallEvent::Queued { from, queue: Some(q), .. }) => {
                format!("queued for {q} (caller {})", from.as_ref().map(|f| f.as_str()).unwrap_or("unknown"))
            }
            Event::Call(CallEvent::TurnedAway { from, reason, .. }) => {
                format!("closed ({reason}): caller {} told when we open", from.as_ref().map(|f| f.as_str()).unwrap_or("unknown"))
            }
            Event::Voicemail(VoicemailEvent::VoicemailLeft { from, seconds, .. }) => format!(
                "voicemail left by {} ({}:{:02})",
                from.as_ref().map(|f| f.as_str()).unwrap_or("an unknown caller"),
                seconds / 60,
                seconds % 60
            ),
            Event::Voicemail(VoicemailEvent::VoicemailTranscribed { text, .. }) => format!("transcription: {text}"),
            Event::Voicemail(VoicemailEvent::VoicemailTaken { agent, .. }) => format!("{agent} took the voicemail"),
            Event::Voicemail(VoicemailEvent::VoicemailHandled { agent, .. }) => format!("voicemail handled by {agent}"),
            Event::Voicemail(VoicemailEvent::VoicemailReturned { agent, .. }) => {
                format!("{agent} left the voicemail undone: back in the queue")
            }
            Event::Voicemail(VoicemailEvent::VoicemailCalledBack { agent, number, .. }) => format!("{agent} calls {number} back"),
            Event::Callback(CallbackEvent::CallbackOffered { nobody: true, .. }) => {
                "nobody signed in: offered a callback or a message (the caller keeps their place)".into()
            }
            Event::Callback(CallbackEvent::CallbackOffered { .. }) => "offered a callback (the caller keeps their place)".into(),
            Event::Callback(CallbackEvent::BackInQueue { .. }) => "chose to keep waiting".into(),
            Event::Callback(CallbackEvent::CallbackRequested { number, .. }) => {
                format!("callback requested to {number}; the request keeps the caller's place")
            }
            Event::Callback(CallbackEvent::CallbackDialled { number, attempt, .. }) => {
                format!("callback attempt {attempt}: calling {number}")
            }
            Event::Callback(CallbackEvent::CallbackAnswered { .. }) => "the caller answered the callback".into(),
            Event::Callback(CallbackEvent::CallbackMissed { attempt, outcome, retry_at: Some(_), .. }) => {
                format!("callback attempt {attempt}: {}; trying again later, in the caller's place", phone_words(*outcome))
            }
            Event::Callback(CallbackEvent::CallbackMissed { attempt, outcome, retry_at: None, .. }) => {
                format!("callback attempt {attempt}: {}; no attempt left", phone_words(*outcome))
            }
            Event::Call(CallEvent::Offered { agent, .. }) => format!("offered to {agent}"),
            Event::Call(CallEvent::OfferMissed { agent, outcome, .. }) => {
                format!("{agent}: {}", party_words(&Party::Agent(agent.clone()), *outcome))
            }
            Event::Call(CallEvent::OfferWithdrawn { agent, .. }) => format!("{agent} stopped ringing: the caller left"),
            Event::Call(CallEvent::Answered { agent, .. }) => format!("answered by {agent}"),
            Event::Transfer(TransferEvent::ConsultStarted { by, to, note, .. }) if note.is_empty() => {
                format!("{by} consults {to}; customer on hold")
            }
            Event::Transfer(TransferEvent::ConsultStarted { by, to, note, .. }) => {
                format!("{by} consults {to} (note: {note}); customer on hold")
            }
            Event::Transfer(TransferEvent::TargetAnswered { to, .. }) => format!("{to} answered the consult"),
            Event::Transfer(TransferEvent::TargetMissed { to, outcome, .. }) => {
                format!("consult to {to} failed: {}; customer back with the agent", party_words(to, *outcome))
            }
            Event::Transfer(TransferEvent::TargetLeft { to, .. }) => format!("{to} hung up; customer back with the agent"),
            Event::Transfer(TransferEvent::Swapped { with: Side::Customer, .. }) => {
                "swapped: talking with the customer, target on hold".into()
            }
            Event::Transfer(TransferEvent::Swapped { with: Side::Target, .. }) => {
                "swapped: talking with the target, customer on hold".into()
            }
            Event::Transfer(TransferEvent::ThreeWayStarted { .. }) => "three-way call".into(),
            Event::Transfer(TransferEvent::ConsultCancelled { by, .. }) => format!("{by} cancelled the transfer; customer back with {by}"),
            Event::Transfer(TransferEvent::TransferCompleted { by, to, .. }) => format!("transfer completed: {to} has the call, {by} left"),
            Event::Transfer(TransferEvent::Transferred { by, to, .. }) => format!("{by} transferred the call to {to}"),
            Event::Call(CallEvent::OutsideAnswered { number, .. }) => format!("{number} answered"),
            Event::Call(CallEvent::OutsideMissed { number, outcome, .. }) => {
                format!("{number}: {}; back to the head of the queue", party_words(&Party::Phone(number.clone()), *outcome))
            }
            Event::Call(CallEvent::Left { agent, .. }) => format!("{agent} hung up"),
            Event::Call(CallEvent::Ended { reason: EndReason::CallerHungUp, .. }) => "customer hung up".into(),
            Event::Call(CallEvent::Ended { reason: EndReason::VoicemailHandled, .. }) => "voicemail done".into(),
            Event::Call(CallEvent::Ended { reason: EndReason::CallbackGaveUp, .. }) => {
                "callback failed: the caller could not be reached".into()
            }
            Event::Call(CallEvent::Ended { reason: EndReason::ToVoicemail, .. }) => "chose to leave a message".into(),
            Event::Call(CallEvent::Ended { reason: EndReason::AgentHungUp, .. }) => "call ended by the agent".into(),
            Event::Call(CallEvent::Ended { reason: EndReason::OutsideHungUp, .. }) => {
                "call ended by the number it was transferred to".into()
            }
            Event::Call(CallEvent::ConferenceKnown { conference, .. }) => format!("conference {conference}"),
            Event::Call(CallEvent::ArrangeFailed { reason, .. }) => format!("Twilio would not change the call: {reason}"),
            Event::Call(CallEvent::Rearranged { by, .. }) => format!("{by} asked Twilio again"),
            Event::Call(CallEvent::CustomerHeld { by, hold: true, .. }) => format!("{by} put the customer on hold"),
            Event::Call(CallEvent::CustomerHeld { by, hold: false, .. }) => format!("{by} took the customer off hold"),
            Event::Call(CallEvent::Muted { agent, muted: true, .. }) => format!("{agent} muted"),
            Event::Call(CallEvent::Muted { agent, muted: false, .. }) => format!("{agent} unmuted"),
            Event::Agent(AgentEvent::PresenceChanged { agent, presence, .. }) => format!("{agent} is {}", presence.word()),
            Event::Agent(AgentEvent::SignedOut { agent }) => format!("{agent}'s sessions ended"),
            Event::Agent(AgentEvent::Seen { agent, .. }) => format!("{agent} is connected"),
            Event::Agent(AgentEvent::AccountAdded { agent, name, .. }) => format!("{agent} ({name}) joined"),
            Event::Agent(AgentEvent::AccountChanged { agent, name, role, .. }) => format!("{agent} is now {name}, {}", role.as_str()),
            Event::Agent(AgentEvent::AccountRemoved { agent }) => format!("{agent} was removed"),
            Event::Monitor(MonitorEvent::MonitorRinging { supervisor, mode, .. }) => format!("{supervisor} joining to {}", mode.as_str()),
            Event::Monitor(MonitorEvent::MonitorJoined { supervisor, .. }) => format!("{supervisor} joined"),
            Event::Monitor(MonitorEvent::MonitorModeSet { supervisor, mode, coaching, note, .. }) => {
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
            Event::Monitor(MonitorEvent::CoachRefused { supervisor, why, .. }) => {
                format!("Twilio would not let {supervisor} coach: {}; {supervisor} stays listening", why.words())
            }
            Event::Monitor(MonitorEvent::MonitorLeft { supervisor, .. }) => format!("{supervisor} left"),
            Event::Monitor(MonitorEvent::HandRaised { agent, raised: true, .. }) => format!("{agent} asked for help"),
            Event::Monitor(MonitorEvent::HandRaised { agent, by: Some(by), .. }) => format!("{by} answered {agent}'s request for help"),
            Event::Monitor(MonitorEvent::HandRaised { agent, .. }) => format!("{agent}'s request for help is over"),
            Event::Agent(AgentEvent::Supervised { supervisor, agent, action }) => match action {
                SupervisorAction::SetAway { reason } if reason.is_empty() => format!("{supervisor} set {agent} away"),
                SupervisorAction::SetAway { reason } => format!("{supervisor} set {agent} away: {reason}"),
                SupervisorAction::SetOffline => format!("{supervisor} set {agent} offline"),
                SupervisorAction::EndWrapUp => format!("{supervisor} ended {agent}'s wrap-up"),
            },
        }
    }
}
