//! A customer call and everyone on it: the customer, the agent (or number) who has it or is
//! rung for it, a consult's target, and room for someone listening in. Each participant is
//! first-class: its leg, Twilio's sid for that leg once known, whether it is held (and with
//! what), muted, and its part in the call. Where the call stands (queued, offered, connected,
//! outside) is read from them.

use serde::{Deserialize, Serialize};

use super::party::{MonitorMode, Party, Role, Who};
use super::rules::Millis;
use crate::ids::{AgentId, CallSid, ConferenceSid, PhoneNumber, QueueName, RecordingSid, E164};

/// One leg the center asked Twilio for. Each leg of a call has its own number, carried in the
/// URLs Twilio calls back on, so a late callback for an older leg is told apart from the
/// current one. The customer's own call is leg 0.
pub type LegNo = u32;

/// What someone on hold hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Music {
    /// Music (a consult: an agent will be back).
    Hold,
    /// "Please hold while we transfer your call", then music (a blind transfer).
    Transfer,
    /// Their place in the queue between stretches of music (waiting again for an agent).
    Queue,
}

/// Who the first agent of a consult is talking with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    /// The target (the customer is on hold): the consult itself.
    Target,
    /// The customer (the target is on hold): after a swap.
    Customer,
}

/// How far a consult has come. Written as one word: `ringing`, `consulting` (talking with the
/// target), `with-customer` (after a swap) or `three-way`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "&str", try_from = "String")]
pub enum Stage {
    /// The target rings; the customer is on hold.
    Ringing,
    /// The target answered; the first agent talks with one side, the other is on hold.
    Talking { with: Side },
    /// All three talk.
    ThreeWay,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Ringing => "ringing",
            Stage::Talking { with: Side::Target } => "consulting",
            Stage::Talking { with: Side::Customer } => "with-customer",
            Stage::ThreeWay => "three-way",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "ringing" => Stage::Ringing,
            "consulting" => Stage::Talking { with: Side::Target },
            "with-customer" => Stage::Talking { with: Side::Customer },
            "three-way" => Stage::ThreeWay,
            _ => return None,
        })
    }
}

impl From<Stage> for &'static str {
    fn from(s: Stage) -> Self {
        s.as_str()
    }
}

impl TryFrom<String> for Stage {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Stage::parse(&s).ok_or_else(|| format!("unknown transfer stage '{s}'"))
    }
}

/// A consult (warm transfer) in progress on a connected call: the owner brought in the call's
/// target participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// What the first agent typed for the target (may be empty).
    pub note: String,
    pub stage: Stage,
    pub since: Millis,
}

/// Something the owner must know about their call that is not its state: a transfer that
/// failed (and why), or a change to the conference Twilio would not make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallNotice {
    pub text: String,
    pub at: Millis,
    /// `true` when the conference may not be as the center wants it (a hold or unhold failed
    /// for good): the owner is offered "Retry".
    #[serde(default)]
    pub retry: bool,
}

/// Why a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndReason {
    /// The customer hung up (or Twilio ended their conference).
    CallerHungUp,
    /// A voicemail: the agent who took it marked it done.
    VoicemailHandled,
    /// A callback: the caller could not be reached in the attempts allowed.
    CallbackGaveUp,
    /// The caller chose, in the callback menu, to leave a message instead of waiting.
    ToVoicemail,
    /// The last agent on the call hung up.
    AgentHungUp,
    /// The call was transferred to a number outside, and that side hung up.
    OutsideHungUp,
}

impl EndReason {
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::CallerHungUp => "caller-hung-up",
            EndReason::VoicemailHandled => "voicemail-handled",
            EndReason::CallbackGaveUp => "callback-gave-up",
            EndReason::ToVoicemail => "to-voicemail",
            EndReason::AgentHungUp => "agent-hung-up",
            EndReason::OutsideHungUp => "outside-hung-up",
        }
    }
}

/// How a leg ended, as Twilio reports it (or as we found out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LegOutcome {
    NoAnswer,
    /// Busy, or declined in the browser (Twilio reports both as `busy`).
    Busy,
    /// Twilio could not place the call.
    Failed,
    /// Our request to place it never got through (Twilio unreachable or refusing it, even after
    /// retries): not the agent's doing, so they are not set away.
    Unplaced,
    /// Cancelled before it was answered.
    Canceled,
    /// Answered, then hung up.
    Completed,
    /// The agent's console went away while it rang.
    Gone,
}

impl LegOutcome {
    pub fn words(self) -> &'static str {
        match self {
            LegOutcome::NoAnswer => "no answer",
            LegOutcome::Busy => "busy or declined",
            LegOutcome::Failed => "could not be rung",
            LegOutcome::Unplaced => "not placed: Twilio did not take the request",
            LegOutcome::Canceled => "cancelled",
            LegOutcome::Completed => "hung up",
            LegOutcome::Gone => "console gone",
        }
    }
}

/// One participant of a call: who, its part in the call, its leg, and how it is in the
/// conference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub who: Who,
    pub role: Role,
    /// The leg the center dialled for it (0: the customer's own call).
    pub leg: LegNo,
    /// Twilio's sid of that leg, once known (the customer's is the call's own; an agent's or a
    /// number's arrives with its answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<CallSid>,
    /// Answered and in the conference (`false` while it rings).
    pub joined: bool,
    /// Since when it has this part (and state).
    pub since: Millis,
    /// On hold, and what it hears there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<Music>,
    /// An agent whose browser has muted its microphone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub muted: bool,
    /// A supervisor monitoring the call (role [`Role::Monitor`]): how they are on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<MonitorMode>,
    /// The agent a whispering supervisor coaches (the owner when it was set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coaching: Option<AgentId>,
    /// Why a supervisor's mode changed by itself (Twilio refused to coach, the call moved on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Participant {
    pub fn customer(call: &CallSid, now: Millis) -> Self {
        Participant { sid: Some(call.clone()), joined: true, ..Participant::new(Who::Customer, Role::Customer, 0, now) }
    }

    /// A leg just dialled for `party`, ringing.
    pub fn ringing(party: Party, role: Role, leg: LegNo, now: Millis) -> Self {
        Participant::new(Who::Party(party), role, leg, now)
    }

    /// Who, in what part, on which leg, from `now`: not yet in, held, muted or monitoring.
    fn new(who: Who, role: Role, leg: LegNo, now: Millis) -> Self {
        Participant {
            who,
            role,
            leg,
            sid: None,
            joined: false,
            since: now,
            held: None,
            muted: false,
            mode: None,
            coaching: None,
            note: None,
        }
    }

    /// A supervisor's monitoring leg, just dialled (in the mode asked for).
    pub fn monitor(supervisor: AgentId, leg: LegNo, mode: MonitorMode, now: Millis) -> Self {
        Participant { mode: Some(mode), ..Participant::ringing(Party::Agent(supervisor), Role::Monitor, leg, now) }
    }

    pub fn party(&self) -> Option<&Party> {
        match &self.who {
            Who::Party(p) => Some(p),
            Who::Customer => None,
        }
    }

    pub fn agent(&self) -> Option<&AgentId> {
        self.who.agent()
    }
}

/// A message the caller left (and hung up): it waits in the queue and is offered like a call,
/// to be listened to (through the app) and handled in the console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voicemail {
    pub recording: RecordingSid,
    pub seconds: u32,
    /// Twilio's transcription, once it came (English, messages up to two minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
}

/// The caller asked to be called back instead of waiting: the request keeps their place in the
/// queue; when it reaches an agent, the agent's phone rings, and once they answer, `number` is
/// called (caller ID: the support number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Callback {
    pub number: E164,
    pub requested_at: Millis,
    /// Attempts placed so far.
    #[serde(default)]
    pub attempts: u32,
    /// After a failed attempt: not before then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<Millis>,
    /// How the last attempt went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<LegOutcome>,
}

impl Callback {
    /// Asked for `now`: no attempt yet.
    pub fn new(number: E164, now: Millis) -> Self {
        Callback { number, requested_at: now, attempts: 0, not_before: None, last: None }
    }
}

/// Where a customer call stands, read from its participants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallPhase {
    /// Waiting for an agent.
    Queued,
    /// Ringing `agent`'s browser on leg `leg` since `since`. `by`: the agent who transferred
    /// the call here (blind, or by leaving a consult), if any.
    Offered { agent: AgentId, leg: LegNo, since: Millis, by: Option<AgentId> },
    /// Talking: `owner` (on leg `leg`) is the agent responsible for the call.
    Connected { owner: AgentId, leg: LegNo, since: Millis },
    /// Handed to a phone number outside (a transfer): ringing it until `answered`, then the
    /// customer talks with it and no agent is on the call.
    Outside { number: E164, leg: LegNo, since: Millis, answered: bool, by: Option<AgentId> },
}

/// A customer call that is not over.
/// What a call in the center is: a caller on the line, the message one left, or a caller who
/// asked to be called back (and hung up). One of the three, never two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallKind {
    Live,
    /// Not a caller on the line but the message they left.
    Voicemail(Voicemail),
    /// The caller asked to be called back (and hung up): the request waits in their place.
    Callback(Callback),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub sid: CallSid,
    /// The caller's number as Twilio gave it (`None`: Twilio gave none).
    pub from: Option<PhoneNumber>,
    /// When the call first queued.
    pub queued_at: Millis,
    /// Its place in the queue when it waits: a call that comes back from a missed offer keeps
    /// it, and one transferred to the queue goes ahead of everyone (`None`: `queued_at`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_key: Option<Millis>,
    /// Everyone on the call or rung for it: the customer first.
    pub parties: Vec<Participant>,
    /// A consult in progress (only while an agent has the call); its target is the participant
    /// whose role is [`Role::Target`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer: Option<Transfer>,
    /// The agent who transferred the call to where it rings now (or who left it mid-consult).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transferred_by: Option<AgentId>,
    /// Legs dialled so far (the next leg is `legs + 1`).
    pub legs: LegNo,
    /// The conference has started (an agent joined once): from then on a caller who waits
    /// without an agent is held with music, as the conference's own wait music is over.
    pub started: bool,
    /// Twilio's sid of the call's conference, once a callback told it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conference: Option<ConferenceSid>,
    /// Conferences the caller left for the callback menu: Twilio's callbacks about them (a late
    /// `participant-leave` or `conference-end`) concern a conference that is no longer theirs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_conferences: Vec<ConferenceSid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<CallNotice>,
    /// Since when the owner has asked a supervisor for help (cleared when one joins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Millis>,
    pub kind: CallKind,
    /// The caller is in the callback menu, out of their conference, until then at the latest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub menu_until: Option<Millis>,
    /// The callback has been offered to this caller (once is enough).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub callback_offered: bool,
    /// The queue the caller chose in the menu (none: the one queue there is), and its priority:
    /// a call of a higher-priority queue is offered before those of lower ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueName>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub priority: i32,
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

impl Call {
    /// Whether the caller left this conference for the callback menu (it is no longer theirs).
    pub fn left_conference(&self, conference: &ConferenceSid) -> bool {
        self.left_conferences.contains(conference)
    }

    /// Whether a callback naming `conference` tells this call something new: not the conference
    /// already known, nor one the caller has left.
    pub fn learns_conference(&self, conference: &ConferenceSid) -> bool {
        self.conference.as_ref() != Some(conference) && !self.left_conference(conference)
    }

    pub fn new(sid: CallSid, from: Option<PhoneNumber>, now: Millis) -> Self {
        let customer = Participant::customer(&sid, now);
        Call {
            sid,
            from,
            queued_at: now,
            queue_key: None,
            parties: vec![customer],
            transfer: None,
            transferred_by: None,
            legs: 0,
            started: false,
            conference: None,
            left_conferences: Vec::new(),
            notice: None,
            help: None,
            kind: CallKind::Live,
            menu_until: None,
            callback_offered: false,
            queue: None,
            priority: 0,
        }
    }

    /// The message `from` left on call `sid`, waiting from `now` (the caller is not on the line).
    pub fn voicemail(sid: CallSid, from: Option<PhoneNumber>, voicemail: Voicemail, now: Millis) -> Self {
        let mut call = Call::new(sid, from, now);
        for p in &mut call.parties {
            p.joined = false;
        }
        call.kind = CallKind::Voicemail(voicemail);
        call
    }

    /// The message, when this call is a voicemail.
    pub fn as_voicemail(&self) -> Option<&Voicemail> {
        match &self.kind {
            CallKind::Voicemail(v) => Some(v),
            _ => None,
        }
    }

    /// The request, when this call is a callback.
    pub fn as_callback(&self) -> Option<&Callback> {
        match &self.kind {
            CallKind::Callback(cb) => Some(cb),
            _ => None,
        }
    }

    pub(super) fn as_callback_mut(&mut self) -> Option<&mut Callback> {
        match &mut self.kind {
            CallKind::Callback(cb) => Some(cb),
            _ => None,
        }
    }

    /// The participant with this part (the customer, the owner, the target: one each).
    pub fn party(&self, role: Role) -> Option<&Participant> {
        self.parties.iter().find(|p| p.role == role)
    }

    pub(super) fn party_mut(&mut self, role: Role) -> Option<&mut Participant> {
        self.parties.iter_mut().find(|p| p.role == role)
    }

    /// The participant that is this agent, in whatever part.
    pub fn participant(&self, agent: &AgentId) -> Option<&Participant> {
        self.parties.iter().find(|p| p.agent() == Some(agent))
    }

    /// The supervisors monitoring the call (or whose phone rings to).
    pub fn monitors(&self) -> impl Iterator<Item = &Participant> {
        self.parties.iter().filter(|p| p.role == Role::Monitor)
    }

    /// This supervisor's monitoring participant, if they monitor the call.
    pub fn monitor(&self, supervisor: &AgentId) -> Option<&Participant> {
        self.monitors().find(|p| p.agent() == Some(supervisor))
    }

    pub(super) fn monitor_mut(&mut self, supervisor: &AgentId) -> Option<&mut Participant> {
        self.parties.iter_mut().find(|p| p.role == Role::Monitor && p.agent() == Some(supervisor))
    }

    /// Every agent on the call or rung for it, in any part.
    pub fn agents(&self) -> impl Iterator<Item = &AgentId> {
        self.parties.iter().filter_map(Participant::agent)
    }

    /// Where the call stands.
    pub fn phase(&self) -> CallPhase {
        let Some(p) = self.party(Role::Owner) else { return CallPhase::Queued };
        match &p.who {
            Who::Party(Party::Agent(agent)) if !p.joined => {
                CallPhase::Offered { agent: agent.clone(), leg: p.leg, since: p.since, by: self.transferred_by.clone() }
            }
            Who::Party(Party::Agent(owner)) => CallPhase::Connected { owner: owner.clone(), leg: p.leg, since: p.since },
            Who::Party(Party::Phone(number)) => CallPhase::Outside {
                number: number.clone(),
                leg: p.leg,
                since: p.since,
                answered: p.joined,
                by: self.transferred_by.clone(),
            },
            Who::Customer => CallPhase::Queued,
        }
    }

    pub fn is_queued(&self) -> bool {
        self.party(Role::Owner).is_none()
    }

    /// The agent who has the call (answered it), if one does.
    pub fn owner(&self) -> Option<&AgentId> {
        self.party(Role::Owner).filter(|p| p.joined).and_then(Participant::agent)
    }

    /// The consult's target, while there is one.
    pub fn target(&self) -> Option<&Party> {
        self.party(Role::Target).and_then(Participant::party)
    }

    /// Whether this agent's microphone is muted on the call.
    pub fn muted(&self, agent: &AgentId) -> bool {
        self.participant(agent).is_some_and(|p| p.muted)
    }

    /// Who is on hold, and with what: the list the conference changes are worked out from.
    pub fn holds(&self) -> Vec<(Who, Music)> {
        self.parties.iter().filter_map(|p| p.held.map(|m| (p.who.clone(), m))).collect()
    }

    /// The leg this call waits on while it rings (an offer, a number outside, a consult's
    /// target), whom it rings, and since when: overdue ones are given up by the ticker.
    pub fn ringing(&self) -> Option<(&Party, LegNo, Millis)> {
        self.parties
            .iter()
            .filter(|p| !p.joined && matches!(p.role, Role::Owner | Role::Target))
            .find_map(|p| p.party().map(|party| (party, p.leg, p.since)))
    }

    /// The leg this call waits on while it rings, and whom it rings.
    pub fn ringing_leg(&self) -> Option<(Party, LegNo)> {
        self.ringing().map(|(party, leg, _)| (party.clone(), leg))
    }

    /// When that leg began ringing.
    pub fn ringing_since(&self) -> Option<Millis> {
        self.ringing().map(|(_, _, since)| since)
    }

    /// The key that orders the queue.
    pub fn queue_key(&self) -> (Millis, CallSid) {
        (self.queue_key.unwrap_or(self.queued_at), self.sid.clone())
    }

    /// What the customer hears while waiting without an agent: nothing more than the
    /// conference's own wait music until an agent has joined once, then this music as a hold.
    pub fn waiting(&self, music: Music) -> Option<Music> {
        self.started.then_some(music)
    }
}

// ---- reading a stored call ---------------------------------------------------------------------
