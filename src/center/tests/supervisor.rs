//! The supervisor's rules as given/when/then sentences: listen, whisper and barge on one
//! participant, Twilio's refusals to coach, monitoring that follows a transfer and ends with the
//! call, routing around a monitoring supervisor, the raised hand, and presence set by a
//! supervisor.

use super::given::{agent, call, given_agents, World};
use crate::center::*;
use crate::ids::{AgentId, CallSid};

fn leg_sid(n: u8) -> CallSid {
    CallSid::parse(&format!("CA{:030x}ff", n)).unwrap()
}

fn sup() -> AgentId {
    agent("supervisor1")
}

/// agent1 and agent2 signed in, supervisor1 (a supervisor, away), and caller 1 talking with
/// agent1, whose leg Twilio named.
fn a_connected_call() -> World {
    let mut w = given_agents(&["agent1", "agent2", "supervisor1"]);
    w.state.agents.get_mut(&sup()).unwrap().role = AgentRole::Supervisor;
    w.available("agent1")
        .arrives(1)
        .and(Command::LegAnswered { call: call(1), party: Party::Agent(agent("agent1")), leg: 1, sid: Some(leg_sid(1)) })
        .available("agent2")
}

fn monitor(mode: MonitorMode) -> Command {
    Command::Monitor { supervisor: sup(), call: call(1), mode }
}

fn answered(leg: LegNo) -> Command {
    Command::MonitorAnswered { call: call(1), supervisor: sup(), leg, sid: Some(leg_sid(9)) }
}

fn listening() -> World {
    a_connected_call().at(5_000).and(monitor(MonitorMode::Listen)).and(answered(2))
}

fn the_monitor(w: &World) -> Participant {
    w.state.calls[&call(1)].monitor(&sup()).cloned().expect("supervisor1 is on the call")
}

fn update(mode: MonitorMode, coach: Option<CallSid>) -> Effect {
    Effect::UpdateMonitor { call: call(1), supervisor: sup(), mode, coach }
}

fn rows(w: &World) -> Vec<String> {
    w.decision().events.iter().filter(|e| !e.is_bookkeeping()).map(Event::describe).collect()
}

#[test]
fn listening_rings_the_supervisor_into_the_conference_as_one_new_leg() {
    let w = a_connected_call().when(monitor(MonitorMode::Listen));
    assert_eq!(w.effects(), [Effect::AddMonitor { call: call(1), supervisor: sup(), leg: 2 }]);
    let m = the_monitor(&w);
    assert_eq!((m.role, m.joined, m.mode), (Role::Monitor, false, Some(MonitorMode::Listen)));
    assert_eq!(rows(&w), ["supervisor1 joining to listen"]);
}

#[test]
fn once_the_supervisors_phone_answers_they_are_listening_and_nothing_else_is_asked_of_twilio() {
    let w = a_connected_call().and(monitor(MonitorMode::Listen)).when(answered(2));
    assert!(w.effects().is_empty(), "{:?}", w.effects());
    assert!(the_monitor(&w).joined);
    assert_eq!(rows(&w), ["supervisor1 listening"]);
}

#[test]
fn whisper_then_barge_then_listen_update_the_same_participant_one_request_each() {
    let w = listening().when(monitor(MonitorMode::Whisper));
    assert_eq!(w.effects(), [update(MonitorMode::Whisper, Some(leg_sid(1)))]);
    assert_eq!(rows(&w), ["supervisor1 coaching agent1"]);
    let w = w.when(monitor(MonitorMode::Barge));
    assert_eq!(w.effects(), [update(MonitorMode::Barge, None)]);
    assert_eq!(rows(&w), ["supervisor1 barged in"]);
    let w = w.when(monitor(MonitorMode::Listen));
    assert_eq!(w.effects(), [update(MonitorMode::Listen, None)]);
    assert_eq!(w.state.calls[&call(1)].monitors().count(), 1, "never a second leg");
}

#[test]
fn asking_for_the_mode_already_in_use_changes_nothing() {
    let w = listening().when(monitor(MonitorMode::Listen));
    assert!(w.decision().is_empty());
}

#[test]
fn a_whisper_asked_for_at_once_takes_effect_when_the_phone_answers() {
    let w = a_connected_call().when(monitor(MonitorMode::Whisper));
    assert_eq!(w.effects(), [Effect::AddMonitor { call: call(1), supervisor: sup(), leg: 2 }], "always joins as a listener");
    let w = w.when(answered(2));
    assert_eq!(w.effects(), [update(MonitorMode::Whisper, Some(leg_sid(1)))]);
    assert_eq!(rows(&w), ["supervisor1 coaching agent1"]);
}

#[test]
fn a_mode_switched_while_the_phone_rings_asks_twilio_nothing_until_it_answers() {
    let w = a_connected_call().and(monitor(MonitorMode::Listen)).when(monitor(MonitorMode::Barge));
    assert!(w.effects().is_empty());
    let w = w.when(answered(2));
    assert_eq!(w.effects(), [update(MonitorMode::Barge, None)]);
}

#[test]
fn leaving_removes_the_supervisors_participant_and_a_ringing_one_is_cancelled() {
    let w = listening().when(Command::StopMonitoring { supervisor: sup() });
    let who = Who::Party(Party::Agent(sup()));
    assert_eq!(w.effects(), [Effect::Arrange { call: call(1), moves: vec![Move::Remove { who }] }]);
    assert_eq!(rows(&w), ["supervisor1 left"]);
    assert!(w.state.calls[&call(1)].monitor(&sup()).is_none());

    let w = a_connected_call().and(monitor(MonitorMode::Listen)).when(Command::StopMonitoring { supervisor: sup() });
    assert_eq!(w.effects(), [Effect::CancelLeg { call: call(1), party: Party::Agent(sup()), leg: 2 }]);
}

#[test]
fn the_supervisor_hanging_up_their_phone_leaves_the_call() {
    let w = listening().when(Command::LegEnded { call: call(1), party: Party::Agent(sup()), leg: 2, outcome: LegOutcome::Completed });
    assert_eq!(rows(&w), ["supervisor1 left"]);
    assert!(w.effects().is_empty());
}

#[test]
fn twilio_refusing_to_coach_an_agent_on_hold_leaves_the_supervisor_listening_with_a_note() {
    let w = listening().and(monitor(MonitorMode::Whisper));
    let w = w.when(Command::CoachRefused { call: call(1), supervisor: sup(), why: CoachRefusal::AgentOnHold });
    assert_eq!(w.effects(), [update(MonitorMode::Listen, None)]);
    let m = the_monitor(&w);
    assert_eq!(m.mode, Some(MonitorMode::Listen));
    assert_eq!(m.note.as_deref(), Some("the agent is on hold"));
    assert_eq!(
        rows(&w),
        [
            "Twilio would not let supervisor1 coach: the agent is on hold; supervisor1 stays listening",
            "supervisor1 listening (the agent is on hold)"
        ]
    );
}

#[test]
fn twilio_refusing_to_coach_an_agent_no_longer_in_the_conference_is_said_too() {
    let w = listening().and(monitor(MonitorMode::Whisper)).when(Command::CoachRefused {
        call: call(1),
        supervisor: sup(),
        why: CoachRefusal::AgentNotInConference,
    });
    assert_eq!(the_monitor(&w).note.as_deref(), Some("the agent is not in the call any more"));
}

#[test]
fn a_refusal_for_a_supervisor_who_has_left_is_ignored() {
    let w = listening().and(Command::StopMonitoring { supervisor: sup() }).when(Command::CoachRefused {
        call: call(1),
        supervisor: sup(),
        why: CoachRefusal::AgentOnHold,
    });
    assert!(w.decision().is_empty());
}

#[test]
fn after_a_consult_is_completed_the_whisper_follows_the_new_owner() {
    let w = listening()
        .and(monitor(MonitorMode::Whisper))
        .and(Command::Transfer {
            agent: agent("agent1"),
            action: TransferAction::Consult { to: Target::Agent(agent("agent2")), note: String::new() },
        })
        .and(Command::LegAnswered { call: call(1), party: Party::Agent(agent("agent2")), leg: 3, sid: Some(leg_sid(3)) });
    assert_eq!(the_monitor(&w).coaching, Some(agent("agent1")), "the consult keeps the owner");
    let w = w.when(Command::Transfer { agent: agent("agent1"), action: TransferAction::Complete });
    assert!(w.effects().contains(&update(MonitorMode::Whisper, Some(leg_sid(3)))), "{:?}", w.effects());
    assert_eq!(the_monitor(&w).coaching, Some(agent("agent2")));
    assert!(rows(&w).contains(&"supervisor1 coaching agent2 (agent2 has the call now)".to_string()), "{:?}", rows(&w));
}

#[test]
fn after_a_blind_transfer_a_whispering_supervisor_falls_back_to_listening_with_a_note() {
    let w = listening()
        .and(monitor(MonitorMode::Whisper))
        .when(Command::Transfer { agent: agent("agent1"), action: TransferAction::Blind { to: Target::Agent(agent("agent2")) } });
    assert!(w.effects().contains(&update(MonitorMode::Listen, None)), "{:?}", w.effects());
    let m = the_monitor(&w);
    assert_eq!((m.mode, m.coaching.clone()), (Some(MonitorMode::Listen), None));
    assert_eq!(m.note.as_deref(), Some("the agent coached is no longer on the call"));
}

#[test]
fn a_barging_or_listening_supervisor_stays_as_they_are_through_a_transfer() {
    let w = listening()
        .and(monitor(MonitorMode::Barge))
        .when(Command::Transfer { agent: agent("agent1"), action: TransferAction::Blind { to: Target::Agent(agent("agent2")) } });
    assert!(!w.effects().iter().any(|e| matches!(e, Effect::UpdateMonitor { .. })), "{:?}", w.effects());
    assert_eq!(the_monitor(&w).mode, Some(MonitorMode::Barge));
}

#[test]
fn holds_and_transfers_work_unchanged_on_a_monitored_call() {
    let w = listening().when(Command::Hold { agent: agent("agent1"), hold: true });
    assert_eq!(w.effects(), [Effect::Arrange { call: call(1), moves: vec![Move::Hold { who: Who::Customer, music: Music::Hold }] }]);
    let w = w.and(Command::Hold { agent: agent("agent1"), hold: false }).when(Command::Transfer {
        agent: agent("agent1"),
        action: TransferAction::Consult { to: Target::Agent(agent("agent2")), note: String::new() },
    });
    assert!(w.last.is_ok());
    assert_eq!(w.presence("agent2"), Presence::Ringing { call: call(1) });
}

#[test]
fn when_the_call_ends_the_supervisor_leaves_it_and_a_ringing_leg_is_cancelled() {
    let w = listening().when(Command::CallerLeft { call: call(1), conference: None });
    assert!(rows(&w).contains(&"supervisor1 left".to_string()), "{:?}", rows(&w));
    assert!(w.state.monitored_by(&sup()).is_none());

    let w = a_connected_call().and(monitor(MonitorMode::Listen)).when(Command::CallerLeft { call: call(1), conference: None });
    assert!(w.effects().contains(&Effect::CancelLeg { call: call(1), party: Party::Agent(sup()), leg: 2 }), "{:?}", w.effects());
}

#[test]
fn routing_never_offers_a_call_to_a_supervisor_who_is_monitoring() {
    let w = listening()
        .and(Command::SetPresence { agent: sup(), wanted: Wanted::Available })
        .and(Command::SetPresence { agent: agent("agent2"), wanted: Wanted::Away })
        .arrives(2);
    assert_eq!(w.offered_to(2), None, "the supervisor is monitoring");
    let w = w.and(Command::StopMonitoring { supervisor: sup() });
    assert_eq!(w.offered_to(2), Some(sup()), "free again, a supervisor takes calls too");
}

#[test]
fn only_supervisors_monitor_and_only_calls_an_agent_has() {
    let w = a_connected_call().when(Command::Monitor { supervisor: agent("agent2"), call: call(1), mode: MonitorMode::Listen });
    assert_eq!(w.refusal(), "only a supervisor can do that");
    let w = a_connected_call().arrives(2).when(Command::Monitor { supervisor: sup(), call: call(2), mode: MonitorMode::Listen });
    assert_eq!(w.refusal(), "no agent is talking on this call yet: it can be monitored once an agent has it");
    let w = listening().arrives(2);
    let w = w.when(Command::Monitor { supervisor: sup(), call: call(2), mode: MonitorMode::Listen });
    assert!(w.refusal().starts_with("you are monitoring another call"), "{}", w.refusal());
}

#[test]
fn coaching_needs_the_agents_leg() {
    let mut w = given_agents(&["agent1", "supervisor1"]);
    w.state.agents.get_mut(&sup()).unwrap().role = AgentRole::Supervisor;
    let w = w.available("agent1").arrives(1).answers("agent1", 1, 1).when(monitor(MonitorMode::Whisper));
    assert_eq!(w.refusal(), "agent1's phone has not joined the call yet: listen until it has");
}

#[test]
fn a_raised_hand_is_on_the_call_until_a_supervisor_joins() {
    let w = a_connected_call().at(7_000).when(Command::RaiseHand { agent: agent("agent1"), raised: true });
    assert_eq!(rows(&w), ["agent1 asked for help"]);
    assert_eq!(w.state.calls[&call(1)].help, Some(7_000));
    let card = w.state.call_card(&w.state.calls[&call(1)], &agent("agent1"));
    assert!(card.actions.contains(&CallAction::CancelHelp));
    let w = w.and(monitor(MonitorMode::Listen)).when(answered(2));
    assert_eq!(w.state.calls[&call(1)].help, None);
    assert!(rows(&w).contains(&"supervisor1 answered agent1's request for help".to_string()), "{:?}", rows(&w));
}

#[test]
fn only_the_agent_who_has_the_call_raises_a_hand_and_it_can_be_taken_back() {
    let w = a_connected_call().when(Command::RaiseHand { agent: agent("agent2"), raised: true });
    assert_eq!(w.refusal(), "you are not on a call");
    let w = a_connected_call()
        .and(Command::RaiseHand { agent: agent("agent1"), raised: true })
        .when(Command::RaiseHand { agent: agent("agent1"), raised: false });
    assert_eq!(rows(&w), ["agent1's request for help is over"]);
}

#[test]
fn the_agent_sees_a_whisper_meant_for_them_and_a_barge_but_never_a_listener() {
    let legs = |w: &World, viewer: &str| {
        let c = &w.state.calls[&call(1)];
        w.state.call_card(c, &agent(viewer)).legs.iter().filter_map(|l| l.monitor).collect::<Vec<_>>()
    };
    let w = listening();
    assert!(legs(&w, "agent1").is_empty());
    assert_eq!(w.state.call_legs(&w.state.calls[&call(1)], None).iter().filter(|l| l.monitor.is_some()).count(), 1, "the floor sees it");
    let w = w.and(monitor(MonitorMode::Whisper));
    assert_eq!(legs(&w, "agent1"), [MonitorMode::Whisper]);
    let w = w.and(monitor(MonitorMode::Barge));
    assert_eq!(legs(&w, "agent1"), [MonitorMode::Barge]);
}

#[test]
fn the_supervisors_console_shows_the_call_they_monitor() {
    let w = a_connected_call().and(monitor(MonitorMode::Listen));
    let card = w.state.console_view(&sup(), 9_000).unwrap().monitoring.unwrap();
    assert_eq!((card.call, card.mode, card.joined), (call(1), MonitorMode::Listen, false));
    assert_eq!(card.owner.map(|o| o.id), Some(agent("agent1")));
}

#[test]
fn a_supervisor_sets_an_agent_away_with_a_reason_or_offline_and_ends_a_wrap_up() {
    let w = a_connected_call().when(Command::Supervise {
        supervisor: sup(),
        agent: agent("agent2"),
        action: SupervisorAction::SetAway { reason: "team meeting".into() },
    });
    assert_eq!(w.presence("agent2"), Presence::Away { reason: AwayReason::Supervisor });
    assert_eq!(w.decision().events[0].describe(), "supervisor1 set agent2 away: team meeting");

    let w = w.when(Command::Supervise { supervisor: sup(), agent: agent("agent2"), action: SupervisorAction::SetOffline });
    assert_eq!(w.presence("agent2"), Presence::Offline);

    let w = w.when(Command::Supervise { supervisor: sup(), agent: agent("agent1"), action: SupervisorAction::SetOffline });
    assert_eq!(w.refusal(), "agent1 is on-call: that can wait until they are off the call");

    let w = w.and(Command::CallerLeft { call: call(1), conference: None });
    assert!(matches!(w.presence("agent1"), Presence::WrapUp { .. }));
    let w = w.when(Command::Supervise { supervisor: sup(), agent: agent("agent1"), action: SupervisorAction::EndWrapUp });
    assert_eq!(w.presence("agent1"), Presence::Available);
    assert_eq!(w.decision().events[0].describe(), "supervisor1 ended agent1's wrap-up");
}

#[test]
fn an_agent_cannot_supervise() {
    let w = a_connected_call().when(Command::Supervise {
        supervisor: agent("agent2"),
        agent: agent("agent1"),
        action: SupervisorAction::EndWrapUp,
    });
    assert_eq!(w.refusal(), "only a supervisor can do that");
}

#[test]
fn setting_a_ringing_agent_offline_sends_the_call_to_the_next_agent() {
    let mut w = given_agents(&["agent1", "agent2", "supervisor1"]);
    w.state.agents.get_mut(&sup()).unwrap().role = AgentRole::Supervisor;
    let w = w.available("agent1").at(2_000).available("agent2").arrives(1);
    assert_eq!(w.offered_to(1), Some(agent("agent1")));
    let w = w.when(Command::Supervise { supervisor: sup(), agent: agent("agent1"), action: SupervisorAction::SetOffline });
    assert_eq!(w.presence("agent1"), Presence::Offline);
    assert_eq!(w.offered_to(1), Some(agent("agent2")));
}

#[test]
fn a_monitoring_supervisors_browser_mute_is_shown_on_their_participant() {
    let w = listening().when(Command::Mute { agent: sup(), muted: true });
    assert!(the_monitor(&w).muted);
    assert!(w.effects().is_empty(), "the browser mutes itself; Twilio is asked nothing");
}
