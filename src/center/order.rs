//! The order in which Twilio is asked to do things, decided here as data: each effect says which
//! lane it stands in, which lane it waits for, and which leg it creates or withdraws; the outbox
//! claims with one generic rule over those facts ([`may_take`], and the same rule in SQL in
//! `store::outbox`), knowing no effect kind and no Twilio word.
//!
//! The promises it keeps, tested here over random runs (`tests/order.rs`):
//! - **a conference changes one participant at a time**: every change to a call's conference
//!   (holds, removals, a supervisor's phone added or changed) stands in that conference's lane,
//!   so a later hold never overtakes an earlier unhold and no customer is overheard;
//! - **a party never has two live legs**: a dial waits for every pending cancel to its party
//!   (the old offer stops ringing before the new one rings), is never sent once withdrawn, and
//!   waits until each earlier leg of that party is reported over (at most [`LEG_OVER_WAIT_MS`]:
//!   a report lost on its way must not keep an agent from ever ringing again).

use super::call::LegNo;
use super::effect::Effect;
use super::party::Party;
use super::rules::Millis;
use crate::ids::CallSid;

/// How long a new leg waits at most for its party's earlier legs to be reported over.
pub const LEG_OVER_WAIT_MS: Millis = 5_000;

/// How far back a party's earlier legs are looked for (older ones were lost long ago).
pub const LEG_LOOKBACK_MS: Millis = 4 * 3_600_000;

/// A line effects stand in: each waits until every earlier one in its lane is finished.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Lane {
    /// Changes to one call's conference.
    Conference(CallSid),
    /// Withdrawals of a party's legs (their new legs wait for these).
    Party(Party),
}

impl Lane {
    /// The lane as the outbox files it.
    pub fn key(&self) -> String {
        match self {
            Lane::Conference(call) => format!("conference:{call}"),
            Lane::Party(party) => format!("party:{party}"),
        }
    }
}

/// One leg of a call towards a party.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LegRef {
    pub call: CallSid,
    pub party: Party,
    pub leg: LegNo,
}

impl LegRef {
    /// The leg as the outbox files it.
    pub fn key(&self) -> String {
        format!("{}/{}/{}", self.call, self.party, self.leg)
    }
}

/// Where an effect stands in line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Order {
    /// The lane it stands in: it waits for the earlier unfinished effects there, and the later
    /// ones wait for it.
    pub lane: Option<Lane>,
    /// A lane it waits for without standing in it.
    pub awaits: Option<Lane>,
    /// The leg it creates: never sent once withdrawn; waits for the party's earlier legs to be
    /// over.
    pub creates: Option<LegRef>,
    /// The leg it withdraws.
    pub withdraws: Option<LegRef>,
}

impl Effect {
    /// Where this effect stands in line (see the module's promises).
    pub fn order(&self) -> Order {
        let leg = |call: &CallSid, party: &Party, leg: &LegNo| LegRef { call: call.clone(), party: party.clone(), leg: *leg };
        match self {
            Effect::Dial { call, party, leg: n } => {
                Order { awaits: Some(Lane::Party(party.clone())), creates: Some(leg(call, party, n)), ..Order::default() }
            }
            Effect::CancelLeg { call, party, leg: n } => {
                Order { lane: Some(Lane::Party(party.clone())), withdraws: Some(leg(call, party, n)), ..Order::default() }
            }
            Effect::AddMonitor { call, supervisor, leg: n } => {
                let party = Party::Agent(supervisor.clone());
                Order {
                    lane: Some(Lane::Conference(call.clone())),
                    awaits: Some(Lane::Party(party.clone())),
                    creates: Some(leg(call, &party, n)),
                    withdraws: None,
                }
            }
            Effect::Arrange { call, .. } | Effect::UpdateMonitor { call, .. } => {
                Order { lane: Some(Lane::Conference(call.clone())), ..Order::default() }
            }
            Effect::HangUpCaller { .. } | Effect::OfferCallback { .. } => Order::default(),
        }
    }
}

/// Where an effect in the outbox stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Not yet performed: waiting, or claimed (under way until `claimed_until`).
    Pending,
    /// Performed; `leg_up`: the leg it created exists at Twilio.
    Done { leg_up: bool },
    /// Given up, or skipped (withdrawn before it went out).
    Closed,
}

/// An effect as the outbox holds it: what [`may_take`] looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// The outbox's order of writing.
    pub id: i64,
    pub order: Order,
    pub progress: Progress,
    pub created_at: Millis,
    pub next_attempt_at: Millis,
    pub claimed_until: Millis,
    /// Twilio reported the leg it created over.
    pub leg_over: bool,
}

impl Queued {
    /// The leg it created may be up (being created, or created and not reported over).
    fn leg_live(&self, now: Millis) -> bool {
        !self.leg_over
            && match self.progress {
                Progress::Pending => self.claimed_until > now,
                Progress::Done { leg_up } => leg_up,
                Progress::Closed => false,
            }
    }
}

/// The one rule the outbox claims by: `e` (pending, due and not under way) may be taken now
/// when no earlier unfinished effect stands in its lane or the lane it awaits, and, for a leg
/// it creates, that leg was not withdrawn and no earlier leg of the same party may still be up
/// (unless `e` has waited [`LEG_OVER_WAIT_MS`] for that). `outbox` is every effect written.
pub fn may_take(outbox: &[Queued], e: &Queued, now: Millis) -> bool {
    if e.progress != Progress::Pending || e.next_attempt_at > now || e.claimed_until > now {
        return false;
    }
    let earlier_in =
        |lane: &Lane| outbox.iter().any(|p| p.id < e.id && p.progress == Progress::Pending && p.order.lane.as_ref() == Some(lane));
    if e.order.lane.as_ref().is_some_and(earlier_in) || e.order.awaits.as_ref().is_some_and(earlier_in) {
        return false;
    }
    let Some(leg) = &e.order.creates else { return true };
    if outbox.iter().any(|w| w.order.withdraws.as_ref() == Some(leg)) {
        return false;
    }
    let waited = e.created_at <= now - LEG_OVER_WAIT_MS;
    waited
        || !outbox.iter().any(|d| {
            d.id < e.id
                && d.created_at > now - LEG_LOOKBACK_MS
                && d.order.creates.as_ref().is_some_and(|l| l.party == leg.party)
                && d.leg_live(now)
        })
}
