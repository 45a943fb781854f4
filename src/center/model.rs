//! The contact center's state: agents and their presence, customer calls and where each stands.
//! Plain data; the rules that change it are in `decide`, the changes themselves in `apply`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::ids::{AgentId, CallSid, E164};

/// Unix milliseconds: the one clock of the core (passed in, never read here).
pub type Millis = i64;

/// Why an agent is away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AwayReason {
    /// The agent chose it.
    Chosen,
    /// An offered call rang out, was declined, or could not reach them: they are set away so
    /// the next caller does not ring an empty desk.
    MissedCall,
}

/// Where an agent is. Agents with a call hold its id, so "ringing for nothing" cannot be written.
/// Written as `{"state": "ringing", "call": "CA…"}`; read through [`PresenceWire`], a flat
/// struct, rather than serde's internally tagged enum, whose buffering decoder would be a large
/// part of the browser's WASM (every console reads presences).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case", try_from = "PresenceWire")]
pub enum Presence {
    Offline,
    Available,
    Away {
        reason: AwayReason,
    },
    /// Offered a call (or dialled into one): their browser rings.
    Ringing {
        call: CallSid,
    },
    OnCall {
        call: CallSid,
    },
    /// After a call, until `until` (the agent can end it early).
    WrapUp {
        until: Millis,
    },
}

/// A presence as JSON has it: the state's word and whichever field that state carries.
#[derive(Deserialize)]
pub struct PresenceWire {
    state: String,
    #[serde(default)]
    reason: Option<AwayReason>,
    #[serde(default)]
    call: Option<CallSid>,
    #[serde(default)]
    until: Option<Millis>,
}

impl TryFrom<PresenceWire> for Presence {
    type Error = String;
    fn try_from(w: PresenceWire) -> Result<Self, String> {
        let missing = |field: &str| format!("presence '{}' needs '{field}'", w.state);
        Ok(match w.state.as_str() {
            "offline" => Presence::Offline,
            "available" => Presence::Available,
            "away" => Presence::Away { reason: w.reason.ok_or_else(|| missing("reason"))? },
            "ringing" => Presence::Ringing { call: w.call.clone().ok_or_else(|| missing("call"))? },
            "on-call" => Presence::OnCall { call: w.call.clone().ok_or_else(|| missing("call"))? },
            "wrap-up" => Presence::WrapUp { until: w.until.ok_or_else(|| missing("until"))? },
            other => return Err(format!("unknown presence '{other}'")),
        })
    }
}

impl Presence {
    /// The word the console and `/api/presence` use.
    pub fn word(&self) -> &'static str {
        match self {
            Presence::Offline => "offline",
            Presence::Available => "available",
            Presence::Away { .. } => "away",
            Presence::Ringing { .. } => "ringing",
            Presence::OnCall { .. } => "on-call",
            Presence::WrapUp { .. } => "wrap-up",
        }
    }

    /// The call this presence is about, if any.
    pub fn call(&self) -> Option<&CallSid> {
        match self {
            Presence::Ringing { call } | Presence::OnCall { call } => Some(call),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub id: AgentId,
    pub presence: Presence,
    /// When the presence began. For an available agent this is how long they have been idle:
    /// the smallest `since` is the longest-idle agent.
    pub since: Millis,
    /// While the agent's console holds its stream, this is kept a little ahead of now; once it
    /// passes, the agent is offline. `None`: no console ever connected (scripts), no lease.
    pub online_until: Option<Millis>,
}

impl Agent {
    pub fn new(id: AgentId) -> Self {
        Agent { id, presence: Presence::Offline, since: 0, online_until: None }
    }
}

/// One agent leg the center asked Twilio for. Each leg of a call has its own number, carried in
/// the URLs Twilio calls back on, so a late callback for an older leg is told apart from the
/// current one.
pub type LegNo = u32;

/// Who a leg rings: an agent's browser, or a phone number outside (a transfer's target).
/// Written as one string (the agent's identity, or the `+` number), which is also how it appears
/// in the URLs Twilio calls back on: an identity never starts with `+`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Party {
    Agent(AgentId),
    Phone(E164),
}

impl Party {
    pub fn parse(s: &str) -> Result<Self, crate::ids::IdError> {
        if s.trim_start().starts_with('+') {
            E164::parse(s).map(Party::Phone)
        } else {
            AgentId::parse(s).map(Party::Agent)
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Party::Agent(a) => a.as_str(),
            Party::Phone(n) => n.as_str(),
        }
    }

    pub fn agent(&self) -> Option<&AgentId> {
        match self {
            Party::Agent(a) => Some(a),
            Party::Phone(_) => None,
        }
    }
}

impl std::fmt::Display for Party {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Party {
    type Error = crate::ids::IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Party::parse(&s)
    }
}

impl From<Party> for String {
    fn from(p: Party) -> String {
        p.as_str().to_string()
    }
}

impl From<AgentId> for Party {
    fn from(a: AgentId) -> Self {
        Party::Agent(a)
    }
}

/// Where a customer call stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "kebab-case")]
pub enum CallPhase {
    /// Waiting for an agent.
    Queued,
    /// Ringing `agent`'s browser on leg `leg` since `since`. `by`: the agent who transferred
    /// the call here blind (or who left it during a consult), if any.
    Offered {
        agent: AgentId,
        leg: LegNo,
        since: Millis,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<AgentId>,
    },
    /// Talking: `owner` (on leg `leg`) is the agent responsible for the call.
    Connected { owner: AgentId, leg: LegNo, since: Millis },
    /// Handed to a phone number outside (a transfer): ringing it until `answered`, then the
    /// customer talks with it and no agent is on the call.
    Outside { number: E164, leg: LegNo, since: Millis, answered: bool, by: AgentId },
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

/// How far a consult has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "kebab-case")]
pub enum Stage {
    /// The target rings; the customer is on hold.
    Ringing,
    /// The target answered; the first agent talks with one side, the other is on hold.
    Talking { with: Side },
    /// All three talk.
    ThreeWay,
}

/// A consult (warm transfer) in progress on a connected call: the owner brought `to` in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    pub to: Party,
    pub leg: LegNo,
    /// What the first agent typed for the target (may be empty).
    pub note: String,
    pub stage: Stage,
    pub since: Millis,
}

/// Something the owner must know about their call that is not its state: a transfer that
/// failed (and why), or a change to the conference Twilio would not make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub text: String,
    pub at: Millis,
    /// `true` when the conference may not be as the center wants it (a hold or unhold failed
    /// for good): the owner is offered "Retry".
    #[serde(default)]
    pub retry: bool,
}

/// A customer call that is not over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub sid: CallSid,
    /// The caller's number as Twilio gave it.
    pub from: String,
    /// When the call first queued.
    pub queued_at: Millis,
    /// Its place in the queue when it waits: a call that comes back from a missed offer keeps
    /// it, and one transferred to the queue goes ahead of everyone (`None`: `queued_at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_key: Option<Millis>,
    pub phase: CallPhase,
    /// A consult in progress (only while `Connected`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<Transfer>,
    /// Legs dialled so far (the next leg is `legs + 1`).
    pub legs: LegNo,
    /// The conference has started (an agent joined once): from then on a caller who waits
    /// without an agent is held with music, as the conference's own wait music is over.
    #[serde(default)]
    pub started: bool,
    /// Twilio's `CF…` sid of the call's conference, once a callback told it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<Notice>,
    /// The owner put the customer on hold (outside a consult, which holds them by itself).
    #[serde(default)]
    pub on_hold: bool,
    /// Agents on the call whose microphone is muted (the browser mutes; the server shows it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub muted: Vec<AgentId>,
}

impl Call {
    pub fn new(sid: CallSid, from: String, now: Millis) -> Self {
        Call {
            sid,
            from,
            queued_at: now,
            queue_key: None,
            phase: CallPhase::Queued,
            transfer: None,
            legs: 0,
            started: false,
            conference: None,
            notice: None,
            on_hold: false,
            muted: Vec::new(),
        }
    }

    pub fn owner(&self) -> Option<&AgentId> {
        match &self.phase {
            CallPhase::Connected { owner, .. } => Some(owner),
            _ => None,
        }
    }

    /// When the leg this call waits on began ringing, if it waits on one (an offer, a consult's
    /// target, a number outside): overdue ones are given up by the ticker.
    pub fn ringing_since(&self) -> Option<Millis> {
        match (&self.phase, &self.transfer) {
            (CallPhase::Offered { since, .. }, _) | (CallPhase::Outside { since, answered: false, .. }, _) => Some(*since),
            (CallPhase::Connected { .. }, Some(Transfer { stage: Stage::Ringing, since, .. })) => Some(*since),
            _ => None,
        }
    }

    /// The key that orders the queue.
    pub fn queue_key(&self) -> (Millis, CallSid) {
        (self.queue_key.unwrap_or(self.queued_at), self.sid.clone())
    }
}

/// What the customer hears while held.
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

/// A participant of a call's conference, as the center addresses it (Twilio: the customer's
/// `CallSid`, or the participant label: the agent's identity or the dialled number).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "who", content = "id", rename_all = "kebab-case")]
pub enum Who {
    Customer,
    Party(Party),
}

/// Who should be on hold in a call's conference now; the rules change it, and the difference
/// between before and after a decision is what Twilio is asked to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holds {
    pub customer: Option<Music>,
    pub target: Option<Party>,
}

impl Call {
    /// Who is on hold, as the call's state says they should be.
    pub fn holds(&self) -> Holds {
        let waiting = |music| if self.started { Some(music) } else { None };
        match &self.phase {
            CallPhase::Queued => Holds { customer: waiting(Music::Queue), target: None },
            CallPhase::Offered { .. } => Holds { customer: waiting(Music::Transfer), target: None },
            CallPhase::Outside { answered: false, .. } => Holds { customer: waiting(Music::Transfer), target: None },
            CallPhase::Outside { answered: true, .. } => Holds::default(),
            CallPhase::Connected { .. } => match &self.transfer {
                None if self.on_hold => Holds { customer: Some(Music::Hold), target: None },
                None => Holds::default(),
                Some(t) => match t.stage {
                    Stage::Ringing | Stage::Talking { with: Side::Target } => Holds { customer: Some(Music::Hold), target: None },
                    Stage::Talking { with: Side::Customer } => Holds { customer: None, target: Some(t.to.clone()) },
                    Stage::ThreeWay => Holds::default(),
                },
            },
        }
    }
}

/// Why a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndReason {
    /// The customer hung up (or Twilio ended their conference).
    CallerHungUp,
    /// The last agent on the call hung up.
    AgentHungUp,
    /// The call was transferred to a number outside, and that side hung up.
    OutsideHungUp,
}

/// How an agent leg ended, as Twilio reports it (or as we found out).
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
    /// Twilio's final `CallStatus` of an agent leg.
    pub fn from_call_status(status: &str) -> Option<Self> {
        Some(match status {
            "no-answer" => LegOutcome::NoAnswer,
            "busy" => LegOutcome::Busy,
            "failed" => LegOutcome::Failed,
            "canceled" => LegOutcome::Canceled,
            "completed" => LegOutcome::Completed,
            _ => return None,
        })
    }

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

/// Timings the rules depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// How long an agent stays in wrap-up after a call.
    pub wrap_up: Millis,
    /// How long an offer rings before Twilio gives up (`Timeout` of the dial).
    pub ring_timeout: Millis,
    /// An offer Twilio has said nothing about this long after its ring timeout is taken as
    /// missed (a lost callback must not keep a caller waiting forever).
    pub offer_grace: Millis,
    /// How long a console's connection may be gone before its agent is offline.
    pub lease: Millis,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { wrap_up: 15_000, ring_timeout: 30_000, offer_grace: 15_000, lease: 30_000 }
    }
}

/// The whole contact center: every agent, every call not yet over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    pub agents: BTreeMap<AgentId, Agent>,
    pub calls: HashMap<CallSid, Call>,
    /// The queued calls in queue order (kept in step with `calls` by `apply`).
    pub(super) queue: BTreeSet<(Millis, CallSid)>,
}

impl State {
    /// A state from stored agents and calls.
    pub fn from_parts(agents: impl IntoIterator<Item = Agent>, calls: impl IntoIterator<Item = Call>) -> Self {
        let mut state = State::default();
        for a in agents {
            state.agents.insert(a.id.clone(), a);
        }
        for c in calls {
            if c.phase == CallPhase::Queued {
                state.queue.insert(c.queue_key());
            }
            state.calls.insert(c.sid.clone(), c);
        }
        state
    }

    /// Queued calls, oldest first.
    pub fn queued(&self) -> impl Iterator<Item = &Call> {
        self.queue.iter().filter_map(|(_, sid)| self.calls.get(sid))
    }

    /// 1 for the call at the head of the queue; `None` when it is not queued.
    pub fn queue_position(&self, call: &CallSid) -> Option<usize> {
        let c = self.calls.get(call).filter(|c| c.phase == CallPhase::Queued)?;
        Some(self.queue.range(..c.queue_key()).count() + 1)
    }

    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    /// The agent whose call this is, or who is on it.
    pub fn call_of(&self, agent: &AgentId) -> Option<&Call> {
        self.agents.get(agent)?.presence.call().and_then(|c| self.calls.get(c))
    }

    /// The soonest moment something falls due by itself (a wrap-up ends, an offer is overdue, a
    /// console lease lapses), for the ticker.
    pub fn next_due(&self, rules: &Rules) -> Option<Millis> {
        let agents = self.agents.values().flat_map(|a| {
            let wrap = match a.presence {
                Presence::WrapUp { until } => Some(until),
                _ => None,
            };
            let lease = a.online_until.filter(|_| a.presence != Presence::Offline);
            wrap.into_iter().chain(lease)
        });
        let offers = self.calls.values().filter_map(|c| c.ringing_since()).map(|since| since + rules.ring_timeout + rules.offer_grace);
        agents.chain(offers).min()
    }
}
