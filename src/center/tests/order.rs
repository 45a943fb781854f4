//! The order the outbox keeps (`center::order`), as given/when/then sentences over an outbox in
//! memory, and over random runs of the center with the outbox performing what it decides
//! (claims, crashes, Twilio refusing, withdrawals and late reports among them): a conference
//! changes one participant at a time, a party never has two live legs, a withdrawn leg is never
//! created, and nothing waits forever.

use proptest::prelude::*;

use super::given::{agent, call, dial, given_agents, RULES};
use super::properties::{command, op, Op, AGENTS};
use crate::center::order::{may_take, Lane, LegRef, Progress, Queued, LEG_OVER_WAIT_MS};
use crate::center::*;

/// How long a claim is the claimant's.
const LEASE: Millis = 15_000;

/// The outbox in memory, performed as `calls::effects` performs it.
#[derive(Default)]
struct Outbox {
    rows: Vec<Queued>,
    effects: Vec<Effect>,
    /// Claimed and not yet performed: a worker has them.
    under_way: Vec<usize>,
}

impl Outbox {
    fn write(&mut self, effects: &[Effect], now: Millis) {
        for e in effects {
            self.rows.push(Queued {
                id: self.rows.len() as i64 + 1,
                order: e.order(),
                progress: Progress::Pending,
                created_at: now,
                next_attempt_at: now,
                claimed_until: 0,
                leg_over: false,
            });
            self.effects.push(e.clone());
        }
    }

    /// One claim: every effect the rule lets through, judged against the outbox as it stood
    /// before the claim (one query's snapshot, as in SQL).
    fn claim(&mut self, now: Millis) -> Vec<usize> {
        let taken: Vec<usize> = (0..self.rows.len()).filter(|&i| may_take(&self.rows, &self.rows[i], now)).collect();
        for &i in &taken {
            self.rows[i].claimed_until = now + LEASE;
            self.under_way.push(i);
        }
        taken
    }

    fn taken(&self, effect: &Effect, now: Millis) -> bool {
        let i = self.effects.iter().position(|e| e == effect).expect("written");
        may_take(&self.rows, &self.rows[i], now)
    }

    fn creating(&self, leg: &LegRef) -> Option<usize> {
        self.rows.iter().position(|r| r.order.creates.as_ref() == Some(leg))
    }

    /// Performs the `k`-th effect under way (`fails`: Twilio refused it for good).
    fn perform(&mut self, k: usize, fails: bool, now: Millis) {
        if self.under_way.is_empty() {
            return;
        }
        let i = self.under_way.remove(k % self.under_way.len());
        if self.rows[i].progress != Progress::Pending {
            return;
        }
        let creates = self.rows[i].order.creates.is_some();
        let progress = match self.rows[i].order.withdraws.clone() {
            // A cancel: a dial under way is waited for; one not sent is skipped; one sent is
            // stopped at Twilio (its leg is reported over later).
            Some(leg) => match self.creating(&leg).map(|d| (d, self.rows[d].progress, self.rows[d].claimed_until > now)) {
                Some((_, Progress::Pending, true)) => {
                    self.rows[i].next_attempt_at = now + 100;
                    self.rows[i].claimed_until = 0;
                    return;
                }
                Some((d, Progress::Pending, false)) => {
                    self.rows[d].progress = Progress::Closed;
                    Progress::Done { leg_up: false }
                }
                _ => Progress::Done { leg_up: false },
            },
            None if fails => Progress::Closed,
            None => Progress::Done { leg_up: creates },
        };
        self.rows[i].progress = progress;
        self.rows[i].claimed_until = 0;
    }

    /// The instance performing what is under way dies before sending any of it: its claims
    /// run out.
    fn crash(&mut self, now: Millis) {
        for i in self.under_way.drain(..) {
            self.rows[i].claimed_until = now;
        }
    }

    /// Twilio reported on a leg (`over`: it ended), as the webhooks tell the outbox: its dial
    /// went out, whoever sent it.
    fn reported(&mut self, leg: &LegRef, over: bool) {
        if let Some(d) = self.creating(leg) {
            let row = &mut self.rows[d];
            if row.progress == Progress::Pending {
                row.progress = Progress::Done { leg_up: true };
                row.claimed_until = 0;
            }
            row.leg_over |= over;
        }
    }

    fn live_legs(&self) -> Vec<usize> {
        (0..self.rows.len()).filter(|&i| self.rows[i].progress == (Progress::Done { leg_up: true }) && !self.rows[i].leg_over).collect()
    }

    /// A leg that may be up: being created, or created and not reported over.
    fn live(&self, i: usize, now: Millis) -> bool {
        let r = &self.rows[i];
        r.order.creates.is_some()
            && !r.leg_over
            && match r.progress {
                Progress::Pending => r.claimed_until > now,
                Progress::Done { leg_up } => leg_up,
                Progress::Closed => false,
            }
    }

    /// The promises, just after `taken` were claimed.
    fn keeps_its_promises(&self, taken: &[usize], now: Millis) -> Result<(), TestCaseError> {
        for &i in taken {
            let e = &self.rows[i];
            // A conference changes one participant at a time, in the order decided.
            if let Some(lane @ Lane::Conference(_)) = &e.order.lane {
                for (j, p) in self.rows.iter().enumerate() {
                    if j != i && p.order.lane.as_ref() == Some(lane) && p.progress == Progress::Pending {
                        prop_assert!(p.id > e.id && p.claimed_until <= now, "{:?} taken beside {:?}", self.effects[i], self.effects[j]);
                    }
                }
            }
            let Some(leg) = &e.order.creates else { continue };
            // A withdrawn leg is never created.
            prop_assert!(!self.rows.iter().any(|w| w.order.withdraws.as_ref() == Some(leg)), "withdrawn {:?} taken", self.effects[i]);
            // A party never has two live legs (unless a report is overdue).
            if e.created_at > now - LEG_OVER_WAIT_MS {
                for j in 0..self.rows.len() {
                    let same_party = self.rows[j].order.creates.as_ref().is_some_and(|l| l.party == leg.party);
                    prop_assert!(
                        j == i || !same_party || !self.live(j, now),
                        "{:?} taken while {:?} may be up",
                        self.effects[i],
                        self.effects[j]
                    );
                }
            }
        }
        Ok(())
    }
}

fn at(now: Millis, outbox: &mut Outbox, effects: &[Effect]) {
    outbox.write(effects, now);
}

fn unhold(n: u8) -> Effect {
    Effect::Arrange { call: call(n), moves: vec![Move::Unhold { who: Who::Customer }] }
}

fn hold(n: u8) -> Effect {
    Effect::Arrange { call: call(n), moves: vec![Move::Hold { who: Who::Customer, music: Music::Hold }] }
}

fn cancel(n: u8, name: &str, leg: LegNo) -> Effect {
    Effect::CancelLeg { call: call(n), party: Party::Agent(agent(name)), leg }
}

#[test]
fn a_hold_waits_for_the_change_to_its_conference_decided_before_it() {
    let mut outbox = Outbox::default();
    at(1_000, &mut outbox, &[unhold(1), hold(1), hold(2)]);
    assert_eq!(outbox.claim(1_000), [0, 2], "the unhold, and the other call's hold beside it");
    assert!(!outbox.taken(&hold(1), 1_000), "not while the unhold is under way");
    outbox.perform(0, false, 1_010);
    assert_eq!(outbox.claim(1_020), [1]);
}

#[test]
fn the_next_offer_rings_an_agent_only_once_the_old_one_is_withdrawn_and_reported_over() {
    // agent1 rings for caller 1, who hangs up; caller 2 is offered to agent1 at once.
    let w = given_agents(&["agent1"]).available("agent1").arrives(1);
    assert_eq!(w.effects(), [dial(1, "agent1", 1)]);
    let mut outbox = Outbox::default();
    at(1_000, &mut outbox, w.effects());
    assert_eq!(outbox.claim(1_000), [0]);
    outbox.perform(0, false, 1_010);
    let w = w.at(2_000).and(Command::CallerLeft { call: call(1), conference: None }).arrives(2);
    at(2_000, &mut outbox, &[cancel(1, "agent1", 1)]);
    at(2_000, &mut outbox, w.effects());
    assert_eq!(w.effects(), [dial(2, "agent1", 1)]);
    assert_eq!(outbox.claim(2_000), [1], "the cancel first");
    assert!(!outbox.taken(&dial(2, "agent1", 1), 2_000), "not while the old offer may still ring");
    outbox.perform(0, false, 2_010);
    assert!(!outbox.taken(&dial(2, "agent1", 1), 2_020), "nor until Twilio says the old leg is over");
    let leg = LegRef { call: call(1), party: Party::Agent(agent("agent1")), leg: 1 };
    outbox.reported(&leg, true);
    assert_eq!(outbox.claim(2_030), [2]);
}

#[test]
fn a_dial_withdrawn_before_it_went_out_is_never_sent_and_its_cancel_skips_it() {
    let mut outbox = Outbox::default();
    at(1_000, &mut outbox, &[dial(1, "agent1", 1)]);
    assert_eq!(outbox.claim(1_000), [0]);
    outbox.crash(1_001);
    at(1_002, &mut outbox, &[cancel(1, "agent1", 1), dial(2, "agent2", 1)]);
    assert_eq!(outbox.claim(20_000), [1, 2], "the cancel and another agent's dial; never the withdrawn one");
    outbox.perform(0, false, 20_010);
    assert_eq!(outbox.rows[0].progress, Progress::Closed, "skipped");
    assert!(outbox.claim(30_000).is_empty());
}

#[test]
fn after_an_instance_died_holding_an_offer_the_next_offer_to_that_agent_waits_for_its_withdrawal() {
    let mut outbox = Outbox::default();
    at(1_000, &mut outbox, &[dial(1, "agent1", 1)]);
    outbox.claim(1_000);
    outbox.crash(1_001);
    at(1_002, &mut outbox, &[cancel(1, "agent1", 1), dial(2, "agent1", 1)]);
    assert_eq!(outbox.claim(1_003), [1], "the withdrawal first");
    outbox.perform(0, false, 1_004);
    assert_eq!(outbox.claim(1_005), [2]);
}

#[test]
fn a_report_that_never_comes_holds_the_next_leg_no_longer_than_the_bound() {
    let mut outbox = Outbox::default();
    at(1_000, &mut outbox, &[dial(1, "agent1", 1)]);
    outbox.claim(1_000);
    outbox.perform(0, false, 1_010);
    at(2_000, &mut outbox, &[dial(2, "agent1", 1)]);
    assert!(!outbox.taken(&dial(2, "agent1", 1), 2_000 + LEG_OVER_WAIT_MS - 1));
    assert!(outbox.taken(&dial(2, "agent1", 1), 2_000 + LEG_OVER_WAIT_MS));
}

#[test]
fn hanging_up_a_caller_waits_for_nothing() {
    let mut outbox = Outbox::default();
    let hang_up = Effect::HangUpCaller { call: call(1), sid: None };
    at(1_000, &mut outbox, &[unhold(1), cancel(1, "agent1", 1), hang_up.clone()]);
    outbox.claim(1_000);
    at(1_001, &mut outbox, &[hang_up.clone(), hold(1)]);
    assert_eq!(outbox.claim(1_001), [3], "the second hang-up at once, the hold after the unhold");
}

/// One thing that happens: the center decides, or the outbox and Twilio move.
#[derive(Debug, Clone)]
enum Step {
    Center(Op),
    Claim,
    /// A worker finishes one effect under way; `true`: Twilio refused it for good.
    Perform(u8, bool),
    Crash,
    /// Twilio reports a live leg over.
    Report(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => op().prop_map(Step::Center),
        3 => Just(Step::Claim),
        3 => (any::<u8>(), prop::bool::weighted(0.1)).prop_map(|(k, f)| Step::Perform(k, f)),
        1 => Just(Step::Crash),
        2 => any::<u8>().prop_map(Step::Report),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn the_outbox_keeps_every_promise_over_random_runs(steps in prop::collection::vec(step(), 1..120)) {
        let roles = [AgentRole::Agent, AgentRole::Agent, AgentRole::Supervisor];
        let mut state = State::from_parts(AGENTS.iter().zip(roles).map(|(n, r)| Agent::named(agent(n), *n, r)), []);
        let mut outbox = Outbox::default();
        let mut now: Millis = 1_000;
        let mut seen = std::collections::HashSet::new();
        for step in &steps {
            now += 1;
            match step {
                Step::Center(op) => {
                    if let Op::Wait(ms) = op {
                        now += ms;
                    }
                    let Some(command) = command(&state, op) else { continue };
                    // Twilio never names two calls alike: a call that ended does not arrive again.
                    if let Command::CallArrived { call, .. } = &command {
                        if !state.calls.contains_key(call) && !seen.insert(call.clone()) {
                            continue;
                        }
                    }
                    // The webhooks tell the outbox of a leg before the center hears of it.
                    match &command {
                        Command::LegAnswered { call, party, leg, .. } => {
                            outbox.reported(&LegRef { call: call.clone(), party: party.clone(), leg: *leg }, false)
                        }
                        Command::MonitorAnswered { call, supervisor, leg, .. } => {
                            outbox.reported(&LegRef { call: call.clone(), party: Party::Agent(supervisor.clone()), leg: *leg }, false)
                        }
                        Command::LegEnded { call, party, leg, .. } => {
                            outbox.reported(&LegRef { call: call.clone(), party: party.clone(), leg: *leg }, true)
                        }
                        _ => {}
                    }
                    if let Ok(decision) = state.handle(command, now, &RULES) {
                        outbox.write(&decision.effects, now);
                    }
                }
                Step::Claim => {
                    let taken = outbox.claim(now);
                    outbox.keeps_its_promises(&taken, now)?;
                }
                Step::Perform(k, fails) => outbox.perform(*k as usize, *fails, now),
                Step::Crash => outbox.crash(now),
                Step::Report(k) => {
                    let live = outbox.live_legs();
                    if !live.is_empty() {
                        let i = live[*k as usize % live.len()];
                        outbox.rows[i].leg_over = true;
                    }
                }
            }
        }
        // Nothing waits forever: once Twilio has reported every leg, the outbox drains.
        for _ in 0..50 {
            for i in outbox.live_legs() {
                outbox.rows[i].leg_over = true;
            }
            now += 1_000;
            let taken = outbox.claim(now);
            outbox.keeps_its_promises(&taken, now)?;
            while !outbox.under_way.is_empty() {
                outbox.perform(0, false, now);
            }
        }
        let stuck: Vec<&Effect> = (0..outbox.rows.len()).filter(|&i| outbox.rows[i].progress == Progress::Pending).map(|i| &outbox.effects[i]).collect();
        prop_assert!(stuck.is_empty(), "never performed: {:?}", stuck);
    }
}
