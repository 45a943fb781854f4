//! What a console offers is exactly what the center takes: over random runs of commands (calls
//! arriving and leaving, answers, misses, presence, every transfer step, holds, mutes, Twilio
//! refusing a change, time passing, agent3 as a supervisor listening, whispering, barging and
//! leaving, hands raised), after each one every agent's view offers a step if and only if the
//! center would accept it and it would change something, and nobody is on two calls.

use proptest::prelude::*;

use super::given::{agent, call, caller, RULES};
use crate::center::*;
use crate::ids::{CallSid, E164};

pub(super) const AGENTS: [&str; 3] = ["agent1", "agent2", "agent3"];
const OUTSIDE: &str = "+14155550100";

/// One thing that happens, picked at random and made into a command from the state at hand.
#[derive(Debug, Clone)]
pub(super) enum Op {
    Arrive(u8),
    Presence(usize, u8),
    Heartbeat(usize),
    SignOut(usize),
    /// The leg ringing for an agent is answered.
    Answer(usize),
    /// The leg of an agent on a call (ringing or answered) ends.
    EndLeg(usize, u8),
    /// The number a call was sent to (or is consulting) answers, or its leg ends.
    AnswerOutside(u8),
    EndOutside(u8, u8),
    CallerLeft(u8),
    Step(usize, usize, u8),
    ArrangeFailed(u8),
    Wait(i64),
    /// agent3 (a supervisor) monitors call n in a mode, their leg answers, or they leave.
    Monitor(u8, u8),
    MonitorAnswer,
    StopMonitoring,
    /// Twilio refuses to coach.
    CoachRefused(u8),
}

pub(super) fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1u8..=3).prop_map(Op::Arrive),
        4 => (0usize..3, 0u8..5).prop_map(|(a, w)| Op::Presence(a, w)),
        1 => (0usize..3).prop_map(Op::Heartbeat),
        1 => (0usize..3).prop_map(Op::SignOut),
        6 => (0usize..3).prop_map(Op::Answer),
        2 => (0usize..3, 0u8..6).prop_map(|(a, o)| Op::EndLeg(a, o)),
        2 => (1u8..=3).prop_map(Op::AnswerOutside),
        1 => (1u8..=3, 0u8..6).prop_map(|(c, o)| Op::EndOutside(c, o)),
        1 => (1u8..=3).prop_map(Op::CallerLeft),
        10 => (0usize..6, 0usize..STEPS.len(), 0u8..5).prop_map(|(a, s, t)| Op::Step(a, s, t)),
        1 => (1u8..=3).prop_map(Op::ArrangeFailed),
        3 => (1u8..=3, 0u8..3).prop_map(|(c, m)| Op::Monitor(c, m)),
        2 => Just(Op::MonitorAnswer),
        1 => Just(Op::StopMonitoring),
        1 => (1u8..=3).prop_map(Op::CoachRefused),
        2 => (0i64..5_000).prop_map(Op::Wait),
        1 => (0i64..60_000).prop_map(Op::Wait),
    ]
}

/// The steps tried, consults more often: most of the others need one under way.
const STEPS: [CallAction; 18] = [
    CallAction::Consult,
    CallAction::Consult,
    CallAction::Consult,
    CallAction::Consult,
    CallAction::Transfer,
    CallAction::Complete,
    CallAction::Cancel,
    CallAction::ThreeWay,
    CallAction::ThreeWay,
    CallAction::Swap,
    CallAction::Swap,
    CallAction::Leave,
    CallAction::Retry,
    CallAction::Hold,
    CallAction::Resume,
    CallAction::Mute,
    CallAction::Unmute,
    CallAction::Complete,
];

const OUTCOMES: [LegOutcome; 6] =
    [LegOutcome::NoAnswer, LegOutcome::Busy, LegOutcome::Failed, LegOutcome::Completed, LegOutcome::Unplaced, LegOutcome::Canceled];

fn outside() -> E164 {
    E164::parse(OUTSIDE).unwrap()
}

/// The command an op makes now (`None`: nothing to do, e.g. no leg rings for that agent).
pub(super) fn command(state: &State, op: &Op) -> Option<Command> {
    let a = |i: usize| agent(AGENTS[i]);
    let leg_of = |party: &Party, joined: Option<bool>| {
        state.calls.values().find_map(|c| {
            let p = c.parties.iter().find(|p| p.party() == Some(party) && joined.is_none_or(|j| p.joined == j))?;
            Some((c.sid.clone(), p.leg))
        })
    };
    Some(match op {
        Op::Arrive(n) => Command::CallArrived {
            call: call(*n),
            from: Some(caller(*n)),
            recorded: false,
            arrival: Arrival::Rings,
            queue: None,
            arrived_at: None,
        },
        // Mostly available: calls need someone to answer them.
        Op::Presence(i, w) => Command::SetPresence {
            agent: a(*i),
            wanted: [Wanted::Available, Wanted::Available, Wanted::Available, Wanted::Away, Wanted::Offline][*w as usize],
        },
        Op::Heartbeat(i) => Command::Heartbeat { agents: vec![a(*i)] },
        Op::SignOut(i) => Command::SignedOut { agent: a(*i) },
        Op::Answer(i) => {
            let party = Party::Agent(a(*i));
            let (call, leg) = leg_of(&party, Some(false))?;
            Command::LegAnswered { call, party, leg, sid: None }
        }
        Op::EndLeg(i, o) => {
            let party = Party::Agent(a(*i));
            let (call, leg) = leg_of(&party, None)?;
            Command::LegEnded { call, party, leg, outcome: OUTCOMES[*o as usize] }
        }
        Op::AnswerOutside(n) => {
            let party = Party::Phone(outside());
            let leg = state.calls.get(&call(*n))?.parties.iter().find(|p| p.party() == Some(&party))?.leg;
            Command::LegAnswered { call: call(*n), party, leg, sid: None }
        }
        Op::EndOutside(n, o) => {
            let party = Party::Phone(outside());
            let leg = state.calls.get(&call(*n))?.parties.iter().find(|p| p.party() == Some(&party))?.leg;
            Command::LegEnded { call: call(*n), party, leg, outcome: OUTCOMES[*o as usize] }
        }
        Op::CallerLeft(n) => Command::CallerLeft { call: call(*n), conference: None },
        Op::Step(i, s, t) => {
            // Half the time whoever has a call takes the step: most steps need one.
            let actor = match *i {
                0..=2 => a(*i),
                _ => state.calls.values().filter_map(Call::owner).min().cloned().unwrap_or_else(|| a(*i - 3)),
            };
            let target = match t {
                0..=2 => Target::Agent(a(*t as usize)),
                3 => Target::Phone(outside()),
                _ => Target::Queue,
            };
            STEPS[*s].command(actor, Some(target), Some("note".into())).ok()?
        }
        Op::ArrangeFailed(n) => Command::ArrangeFailed { call: call(*n), reason: "HTTP 500".into() },
        Op::Wait(_) => Command::Tick,
        Op::Monitor(n, m) => Command::Monitor { supervisor: a(2), call: call(*n), mode: MonitorMode::ALL[*m as usize] },
        Op::MonitorAnswer => {
            let c = state.monitored_by(&a(2))?;
            let leg = c.monitor(&a(2))?.leg;
            Command::MonitorAnswered { call: c.sid.clone(), supervisor: a(2), leg, sid: Some(call(9)) }
        }
        Op::StopMonitoring => Command::StopMonitoring { supervisor: a(2) },
        Op::CoachRefused(n) => Command::CoachRefused { call: call(*n), supervisor: a(2), why: CoachRefusal::AgentOnHold },
    })
}

/// Whether the center takes `command` now and it changes something (a console lease renewed
/// alone is not a step).
fn takes(state: &State, command: Command, now: Millis) -> bool {
    let mut copy = state.clone();
    copy.handle(command, now, &RULES).is_ok_and(|d| d.events.iter().any(|e| !e.is_lease()) || !d.effects.is_empty())
}

/// For every agent: each step their view offers is taken, and each one it does not offer is not.
fn views_offer_what_the_center_takes(state: &State, now: Millis) -> Result<(), TestCaseError> {
    for name in AGENTS {
        let me = agent(name);
        let Some(view) = state.console_view(&me, now) else { continue };
        let offered = view.call.as_ref().map(|c| c.actions.clone()).unwrap_or_default();
        let monitoring = state.monitored_by(&me).is_some();
        for action in CallAction::ALL {
            // A monitoring supervisor's mute is their phone's (no call card offers it).
            if monitoring && matches!(action, CallAction::Mute | CallAction::Unmute) {
                continue;
            }
            // A phone number and the queue: targets every transfer accepts while it makes sense.
            let to = match action {
                CallAction::Consult => Some(Target::Phone(outside())),
                _ => Some(Target::Queue),
            };
            let command = action.command(me.clone(), to, None).expect("every step has what it needs");
            let taken = takes(state, command, now);
            prop_assert_eq!(
                offered.contains(&action),
                taken,
                "{}: {} offered {:?}; the center would take it: {}",
                name,
                action,
                offered,
                taken
            );
        }
        let wrap_up = matches!(view.me.presence, Presence::WrapUp { .. });
        for action in PresenceAction::ALL {
            let before = view.me.presence.clone();
            let mut copy = state.clone();
            let changes = copy
                .handle(Command::SetPresence { agent: me.clone(), wanted: action.wanted() }, now, &RULES)
                .is_ok_and(|_| copy.agents[&me].presence != before);
            let expected = changes
                && match action {
                    PresenceAction::Available => !wrap_up,
                    PresenceAction::EndWrapUp => wrap_up,
                    PresenceAction::Away => true,
                };
            prop_assert_eq!(view.presence_actions.contains(&action), expected, "{}: {:?} with {:?}", name, action, before);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn a_view_offers_a_step_exactly_when_the_center_would_take_it(ops in prop::collection::vec(op(), 1..80)) {
        let roles = [AgentRole::Agent, AgentRole::Agent, AgentRole::Supervisor];
        let mut state = State::from_parts(AGENTS.iter().zip(roles).map(|(n, r)| Agent::named(agent(n), *n, r)), []);
        let mut now: Millis = 1_000;
        views_offer_what_the_center_takes(&state, now)?;
        for op in &ops {
            if let Op::Wait(ms) = op {
                now += ms;
            }
            now += 1;
            if let Some(command) = command(&state, op) {
                let _ = state.handle(command, now, &RULES);
            }
            views_offer_what_the_center_takes(&state, now)?;
            // The index routing and the ticker walk is the calls anyone besides the caller is on.
            let attended: Vec<&CallSid> = state.attended().map(|c| &c.sid).collect();
            let mut expected: Vec<&CallSid> =
                state.calls.values().filter(|c| c.parties.iter().any(|p| p.role != Role::Customer)).map(|c| &c.sid).collect();
            expected.sort();
            prop_assert_eq!(attended, expected);
            // Nobody is part of two calls, in any role; a monitoring supervisor rings for none.
            for name in AGENTS {
                let me = agent(name);
                let on = state.calls.values().filter(|c| c.participant(&me).is_some()).count();
                prop_assert!(on <= 1, "{} is on {} calls", name, on);
                if state.monitored_by(&me).is_some() {
                    let p = &state.agents[&me].presence;
                    prop_assert!(!matches!(p, Presence::Ringing { .. } | Presence::OnCall { .. }), "{} monitors while {:?}", name, p);
                }
            }
        }
    }
}
