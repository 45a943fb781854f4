//! Transfers as given/when/then sentences: consult, blind, three-way and swap, to an agent, a
//! number or the queue, and every way each can fail or be hung up on.

use super::given::{agent, call, dial, given_agents, World, RULES};
use crate::center::*;
use crate::ids::{AgentId, ConferenceSid, E164};

fn consult(to: &str, note: &str) -> Command {
    Command::Transfer { agent: agent("agent1"), action: TransferAction::Consult { to: target(to), note: note.into() } }
}

fn blind(to: &str) -> Command {
    Command::Transfer { agent: agent("agent1"), action: TransferAction::Blind { to: target(to) } }
}

fn by(name: &str, action: TransferAction) -> Command {
    Command::Transfer { agent: agent(name), action }
}

fn step(action: TransferAction) -> Command {
    by("agent1", action)
}

fn target(to: &str) -> Target {
    match to {
        "queue" => Target::Queue,
        _ if to.starts_with('+') => Target::Phone(E164::parse(to).unwrap()),
        _ => Target::Agent(agent(to)),
    }
}

fn party(to: &str) -> Party {
    Party::parse(to).unwrap()
}

fn customer() -> Who {
    Who::Customer
}

fn who(p: &str) -> Who {
    Who::Party(party(p))
}

fn arrange(moves: Vec<Move>) -> Effect {
    Effect::Arrange { call: call(1), moves }
}

fn hold(w: Who, music: Music) -> Move {
    Move::Hold { who: w, music }
}

fn unhold(w: Who) -> Move {
    Move::Unhold { who: w }
}

fn remove(w: Who) -> Move {
    Move::Remove { who: w }
}

const OUTSIDE: &str = "+14155550100";

/// agent1 talks with the caller on call 1 (leg 1); agent2 and agent3 are available.
fn on_a_call() -> World {
    given_agents(&["agent1", "agent2", "agent3"])
        .at(1_000)
        .available("agent1")
        .arrives(1)
        .answers("agent1", 1, 1)
        .at(2_000)
        .available("agent2")
        .at(3_000)
        .available("agent3")
        .at(10_000)
}

fn consulting() -> World {
    on_a_call().and(consult("agent2", "billing question")).at(12_000).answers("agent2", 1, 2)
}

impl World {
    fn transfer(&self) -> Option<Transfer> {
        self.state.calls.get(&call(1)).and_then(|c| c.transfer.clone())
    }

    fn stage(&self) -> Option<Stage> {
        self.transfer().map(|t| t.stage)
    }

    fn holds(&self) -> Vec<(Who, Music)> {
        self.state.calls[&call(1)].holds()
    }

    fn notice(&self) -> Option<String> {
        self.state.calls.get(&call(1)).and_then(|c| c.notice.clone()).map(|n| n.text)
    }

    fn owner(&self) -> Option<AgentId> {
        self.state.calls.get(&call(1)).and_then(|c| c.owner().cloned())
    }

    fn actions(&self, name: &str) -> Vec<&'static str> {
        let c = &self.state.calls[&call(1)];
        // Mute is the browser's to decide, asking for help is always there for the owner; the
        // transfer steps are what these sentences are about.
        self.state
            .call_actions(c, &agent(name))
            .into_iter()
            .filter(|a| !matches!(a, CallAction::Mute | CallAction::Unmute | CallAction::AskHelp | CallAction::CancelHelp))
            .map(CallAction::as_str)
            .collect()
    }

    fn card(&self, name: &str) -> CallCard {
        self.state.call_card(&self.state.calls[&call(1)], &agent(name))
    }

    fn timeline(&self) -> Vec<String> {
        self.decision().events.iter().filter(|e| e.call().is_some() && !e.is_bookkeeping()).map(Event::describe).collect()
    }
}

// ---- consult (warm) -------------------------------------------------------------------------------

#[test]
fn a_consult_holds_the_customer_with_music_and_rings_the_target_with_the_note() {
    let w = on_a_call().and(consult("agent2", "billing question"));
    assert_eq!(w.effects(), &[dial(1, "agent2", 2), arrange(vec![hold(customer(), Music::Hold)])]);
    assert_eq!(w.presence("agent2"), Presence::Ringing { call: call(1) });
    assert_eq!(w.stage(), Some(Stage::Ringing));
    assert_eq!(w.timeline(), ["agent1 consults agent2 (note: billing question); customer on hold"]);
    // The target's console shows who is transferring and the note while it rings.
    let card = w.state.console_view(&agent("agent2"), w.now).unwrap().call.unwrap();
    let t = card.transfer.unwrap();
    assert_eq!((t.by.id.as_str(), t.note.as_str(), t.stage.as_str()), ("agent1", "billing question", "ringing"));
    assert!(card.actions.is_empty(), "only the owner acts on the transfer");
    assert_eq!(w.actions("agent1"), ["cancel"]);
}

#[test]
fn when_the_target_answers_the_agents_talk_privately_while_the_customer_stays_on_hold() {
    let w = consulting();
    assert_eq!(w.stage(), Some(Stage::Talking { with: Side::Target }));
    assert_eq!(w.presence("agent2"), Presence::OnCall { call: call(1) });
    assert!(w.effects().is_empty(), "the customer is on hold already");
    assert_eq!(w.holds(), vec![(customer(), Music::Hold)]);
    assert_eq!(w.actions("agent1"), ["complete", "cancel", "three-way", "swap"]);
    let legs: Vec<_> =
        w.card("agent1").legs.into_iter().map(|l| (l.name, l.role.as_str().to_string(), l.state.as_str().to_string())).collect();
    assert_eq!(
        legs,
        [
            ("+15550000001".into(), "customer".into(), "on-hold".into()),
            ("agent1".into(), "owner".into(), "connected".into()),
            ("agent2".into(), "target".into(), "connected".into())
        ]
    );
}

#[test]
fn completing_takes_the_customer_off_hold_to_the_target_and_the_first_agent_leaves() {
    let w = consulting().at(20_000).and(step(TransferAction::Complete));
    assert_eq!(w.effects(), &[arrange(vec![remove(who("agent1")), unhold(customer())])]);
    assert_eq!(w.owner(), Some(agent("agent2")));
    assert_eq!(w.transfer(), None);
    assert_eq!(w.presence("agent1"), Presence::WrapUp { until: 20_000 + RULES.wrap_up });
    assert_eq!(w.presence("agent2"), Presence::OnCall { call: call(1) });
    assert_eq!(w.timeline(), ["transfer completed: agent2 has the call, agent1 left"]);
    // The old owner's leg ending afterwards is old news.
    let w = w.leg_ends("agent1", 1, 1, LegOutcome::Completed);
    assert!(w.decision().events.is_empty());
    // The new owner hanging up ends the call.
    let w = w.leg_ends("agent2", 1, 2, LegOutcome::Completed);
    assert_eq!(w.effects(), &[Effect::HangUpCaller { call: call(1), sid: None }]);
}

#[test]
fn cancelling_while_the_target_rings_stops_it_and_the_customer_is_back() {
    let w = on_a_call().and(consult("agent2", "")).and(step(TransferAction::Cancel));
    assert_eq!(w.effects(), &[Effect::CancelLeg { call: call(1), party: party("agent2"), leg: 2 }, arrange(vec![unhold(customer())])]);
    assert_eq!(w.presence("agent2"), Presence::Available, "not their fault");
    assert_eq!(w.transfer(), None);
    assert_eq!(w.owner(), Some(agent("agent1")));
    assert_eq!(w.timeline(), ["agent1 cancelled the transfer; customer back with agent1"]);
}

#[test]
fn cancelling_after_the_target_answered_drops_the_target_first_then_unholds_the_customer() {
    let w = consulting().and(step(TransferAction::Cancel));
    assert_eq!(w.effects(), &[arrange(vec![remove(who("agent2")), unhold(customer())])]);
    assert_eq!(w.presence("agent2"), Presence::WrapUp { until: w.now + RULES.wrap_up });
    assert_eq!(w.actions("agent1"), ["consult", "transfer", "hold"]);
}

#[test]
fn three_way_unholds_the_customer_then_the_first_agent_can_leave() {
    let w = consulting().and(step(TransferAction::ThreeWay));
    assert_eq!(w.effects(), &[arrange(vec![unhold(customer())])]);
    assert_eq!(w.stage(), Some(Stage::ThreeWay));
    assert_eq!(w.holds(), vec![]);
    assert_eq!(w.actions("agent1"), ["complete", "cancel", "leave"]);
    let w = w.and(step(TransferAction::Leave));
    assert_eq!(w.effects(), &[arrange(vec![remove(who("agent1"))])]);
    assert_eq!(w.owner(), Some(agent("agent2")));
}

#[test]
fn swap_holds_the_side_left_before_unholding_the_side_joined() {
    let w = consulting().and(step(TransferAction::Swap));
    assert_eq!(w.effects(), &[arrange(vec![hold(who("agent2"), Music::Hold), unhold(customer())])]);
    assert_eq!(w.stage(), Some(Stage::Talking { with: Side::Customer }));
    let w = w.and(step(TransferAction::Swap));
    assert_eq!(w.effects(), &[arrange(vec![hold(customer(), Music::Hold), unhold(who("agent2"))])]);
    // Completing from the swapped side also takes the target off hold.
    let w = w.and(step(TransferAction::Swap)).and(step(TransferAction::Complete));
    assert_eq!(w.effects(), &[arrange(vec![remove(who("agent1")), unhold(who("agent2"))])]);
}

// ---- consult failures --------------------------------------------------------------------------------

#[test]
fn a_target_that_does_not_take_the_consult_brings_the_customer_back_and_the_owner_sees_why() {
    for (outcome, words, presence) in [
        (LegOutcome::NoAnswer, "no answer", Presence::Away { reason: AwayReason::MissedCall }),
        (LegOutcome::Busy, "declined", Presence::Away { reason: AwayReason::MissedCall }),
        (LegOutcome::Failed, "could not be rung", Presence::Away { reason: AwayReason::MissedCall }),
        (LegOutcome::Completed, "could not be rung", Presence::Away { reason: AwayReason::MissedCall }),
    ] {
        let w = on_a_call().and(consult("agent2", "")).leg_ends("agent2", 1, 2, outcome);
        assert_eq!(w.effects(), &[arrange(vec![unhold(customer())])], "{outcome:?}");
        assert_eq!(w.transfer(), None);
        assert_eq!(w.owner(), Some(agent("agent1")));
        let expected = format!("consult to agent2 failed: {words}; customer back with the agent");
        assert_eq!(w.notice().as_deref(), Some(expected.as_str()), "{outcome:?}");
        assert_eq!(w.presence("agent2"), presence, "{outcome:?}");
        // The owner's console shows it; the target's does not.
        assert!(w.card("agent1").notice.is_some());
    }
}

#[test]
fn a_target_whose_console_goes_away_while_ringing_fails_the_consult_and_is_offline() {
    let w = on_a_call().and(consult("agent2", "")).and(Command::SignedOut { agent: agent("agent2") });
    assert_eq!(w.effects(), &[Effect::CancelLeg { call: call(1), party: party("agent2"), leg: 2 }, arrange(vec![unhold(customer())])]);
    assert_eq!(w.presence("agent2"), Presence::Offline);
    assert_eq!(w.notice().as_deref(), Some("consult to agent2 failed: console gone; customer back with the agent"));
}

#[test]
fn a_consult_twilio_never_reports_on_is_given_up_and_the_customer_is_back() {
    let w = on_a_call().and(consult("agent2", "")).at(10_000 + RULES.ring_timeout + RULES.offer_grace).and(Command::Tick);
    assert_eq!(w.effects(), &[Effect::CancelLeg { call: call(1), party: party("agent2"), leg: 2 }, arrange(vec![unhold(customer())])]);
    assert_eq!(w.transfer(), None);
}

#[test]
fn the_customer_hanging_up_while_the_target_rings_stops_it_frees_both_agents_and_tells_the_target_why() {
    let w = on_a_call().and(consult("agent2", "")).at(15_000).and(Command::CallerLeft { call: call(1), conference: None });
    assert_eq!(w.effects(), &[Effect::CancelLeg { call: call(1), party: party("agent2"), leg: 2 }]);
    assert_eq!(w.presence("agent2"), Presence::Available);
    assert_eq!(w.presence("agent1"), Presence::WrapUp { until: 15_000 + RULES.wrap_up });
    assert_eq!(w.phase(1), None);
    // A row naming the target: the call is among their recent calls, and says what happened.
    assert_eq!(w.timeline(), ["agent2 stopped ringing: the caller left", "customer hung up"]);
    let row = w.decision().events.iter().find(|e| e.kind() == "offer-withdrawn").unwrap();
    assert_eq!(row.agent(), Some(&agent("agent2")));
}

#[test]
fn the_customer_hanging_up_during_the_consult_tells_both_agents_at_once() {
    let w = consulting().at(15_000).and(Command::CallerLeft { call: call(1), conference: None });
    assert!(w.effects().is_empty(), "the conference ends with the customer: nobody is left in it");
    assert_eq!(w.presence("agent1"), Presence::WrapUp { until: 15_000 + RULES.wrap_up });
    assert_eq!(w.presence("agent2"), Presence::WrapUp { until: 15_000 + RULES.wrap_up });
    assert_eq!(w.phase(1), None);
}

#[test]
fn the_first_agent_hanging_up_while_the_target_rings_leaves_the_customer_waiting_for_the_target() {
    let w = on_a_call().and(consult("agent2", "")).at(15_000).leg_ends("agent1", 1, 1, LegOutcome::Completed);
    assert!(w.effects().is_empty(), "the customer stays on hold with music: never alone in silence");
    assert_eq!(w.phase(1), Some(CallPhase::Offered { agent: agent("agent2"), leg: 2, since: 10_000, by: Some(agent("agent1")) }));
    assert_eq!(w.presence("agent1"), Presence::WrapUp { until: 15_000 + RULES.wrap_up });
    assert_eq!(w.presence("agent2"), Presence::Ringing { call: call(1) });
    // The target answers: the customer comes off hold talking to them.
    let w2 = w.answers("agent2", 1, 2);
    assert_eq!(w2.effects(), &[arrange(vec![unhold(customer())])]);
    assert_eq!(w2.owner(), Some(agent("agent2")));
}

#[test]
fn the_first_agent_gone_and_the_target_failing_sends_the_customer_to_the_head_of_the_queue() {
    let w = given_agents(&["agent1", "agent2", "agent3"])
        .at(1_000)
        .available("agent1")
        .arrives(1)
        .answers("agent1", 1, 1)
        .at(2_000)
        .available("agent2")
        .and(consult("agent2", ""))
        .arrives(2)
        .leg_ends("agent1", 1, 1, LegOutcome::Completed)
        .leg_ends("agent2", 1, 2, LegOutcome::NoAnswer);
    assert_eq!(w.phase(1), Some(CallPhase::Queued));
    assert_eq!(w.state.queue_position(&call(1)), Some(1), "ahead of caller 2, who waited less but never talked to anyone");
    assert_eq!(w.holds(), vec![(customer(), Music::Queue)]);
    assert!(w.effects().is_empty(), "held already: the hold document now tells their place");
    let w = w.at(20_000).available("agent3");
    assert_eq!(w.offered_to(1), Some(agent("agent3")));
}

#[test]
fn the_first_agent_hanging_up_during_the_consult_completes_the_transfer() {
    let w = consulting().leg_ends("agent1", 1, 1, LegOutcome::Completed);
    assert_eq!(w.effects(), &[arrange(vec![unhold(customer())])]);
    assert_eq!(w.owner(), Some(agent("agent2")));
    assert_eq!(w.timeline(), ["transfer completed: agent2 has the call, agent1 left"]);
}

#[test]
fn the_target_hanging_up_during_the_consult_brings_the_customer_back() {
    let w = consulting().leg_ends("agent2", 1, 2, LegOutcome::Completed);
    assert_eq!(w.effects(), &[arrange(vec![unhold(customer())])]);
    assert_eq!(w.owner(), Some(agent("agent1")));
    assert_eq!(w.notice().as_deref(), Some("agent2 hung up; customer back with the agent"));
    assert_eq!(w.presence("agent2"), Presence::WrapUp { until: w.now + RULES.wrap_up });
}

#[test]
fn the_target_hanging_up_while_held_after_a_swap_asks_nothing_of_the_gone_target() {
    let w = consulting().and(step(TransferAction::Swap)).leg_ends("agent2", 1, 2, LegOutcome::Completed);
    assert!(w.effects().is_empty(), "the customer was talking already; the target is gone");
    assert_eq!(w.transfer(), None);
}

#[test]
fn transfer_steps_that_make_no_sense_now_are_refused_and_change_nothing() {
    let ringing = on_a_call().and(consult("agent2", ""));
    for (w, command, reason) in [
        (on_a_call(), consult("agent1", ""), "you cannot transfer a call to yourself"),
        (on_a_call(), consult("queue", ""), "a consult needs a person to talk to: use Transfer to send the call to the queue"),
        (on_a_call(), step(TransferAction::Complete), "there is no transfer in progress"),
        (ringing.clone(), consult("agent3", ""), "a transfer is already in progress: complete or cancel it first"),
        (ringing.clone(), blind("agent3"), "a consult is in progress: complete or cancel it first"),
        (ringing.clone(), step(TransferAction::Complete), "agent2 has not answered yet: wait, or cancel the transfer"),
        (ringing.clone(), step(TransferAction::Swap), "swap is for a consult once the target has answered"),
        (ringing.clone(), step(TransferAction::ThreeWay), "agent2 has not answered yet"),
        (consulting(), step(TransferAction::Leave), "leave is for a three-way call: to hand the call over, complete the transfer"),
        (consulting(), by("agent2", TransferAction::Complete), "agent1 has this call: only they can do that"),
        (consulting(), by("agent3", TransferAction::Cancel), "you are not on a call"),
    ] {
        let before = w.state.clone();
        let w = w.when(command);
        assert_eq!(w.refusal(), reason);
        assert_eq!(w.state, before);
    }
    let w = given_agents(&["agent1", "agent2"]).available("agent1").arrives(1).answers("agent1", 1, 1).when(consult("agent2", ""));
    assert_eq!(w.refusal(), "agent2 is offline; only an available agent can take a transfer");
    let w = on_a_call().and(Command::SetPresence { agent: agent("agent2"), wanted: Wanted::Away }).when(blind("agent2"));
    assert_eq!(w.refusal(), "agent2 is away; only an available agent can take a transfer");
}

#[test]
fn a_long_note_is_cut_to_its_limit() {
    let w = on_a_call().and(consult("agent2", &"x".repeat(2_000)));
    assert_eq!(w.transfer().unwrap().note.chars().count(), NOTE_MAX_CHARS);
}

// ---- blind (cold) --------------------------------------------------------------------------------------

#[test]
fn a_blind_transfer_frees_the_agent_at_once_and_the_customer_hears_why_while_the_target_rings() {
    let w = on_a_call().at(20_000).and(blind("agent2"));
    assert_eq!(w.effects(), &[dial(1, "agent2", 2), arrange(vec![hold(customer(), Music::Transfer), remove(who("agent1"))])]);
    assert_eq!(w.presence("agent1"), Presence::WrapUp { until: 20_000 + RULES.wrap_up });
    assert_eq!(w.phase(1), Some(CallPhase::Offered { agent: agent("agent2"), leg: 2, since: 20_000, by: Some(agent("agent1")) }));
    assert_eq!(w.timeline(), ["agent1 transferred the call to agent2"]);
    let card = w.state.console_view(&agent("agent2"), w.now).unwrap().call.unwrap();
    assert_eq!(card.transferred_by.map(|by| by.id), Some(agent("agent1")));
    let w = w.answers("agent2", 1, 2);
    assert_eq!(w.effects(), &[arrange(vec![unhold(customer())])]);
    assert_eq!(w.owner(), Some(agent("agent2")));
}

#[test]
fn a_blind_transfer_the_target_misses_goes_to_the_head_of_the_queue_and_on_to_the_next_agent() {
    for outcome in [LegOutcome::NoAnswer, LegOutcome::Busy, LegOutcome::Failed] {
        let w = on_a_call().and(blind("agent2")).at(30_000).leg_ends("agent2", 1, 2, outcome);
        // agent3 is the longest-idle available agent now: caller 1 (back at the head) rings there.
        assert_eq!(w.offered_to(1), Some(agent("agent3")), "{outcome:?}");
        assert_eq!(w.presence("agent2"), Presence::Away { reason: AwayReason::MissedCall });
        assert_eq!(w.effects(), &[dial(1, "agent3", 3)], "held with music throughout: nothing to change");
    }
}

#[test]
fn a_blind_transfer_to_the_queue_puts_the_caller_ahead_of_everyone_waiting_and_tells_them_why() {
    let w = given_agents(&["agent1"]).at(1_000).available("agent1").arrives(1).answers("agent1", 1, 1).at(2_000).arrives(2).arrives(3);
    let w = w.at(5_000).and(blind("queue"));
    assert_eq!(w.phase(1), Some(CallPhase::Queued));
    assert_eq!(w.state.queue_position(&call(1)), Some(1));
    assert_eq!(w.state.queue_position(&call(2)), Some(2));
    // "Please hold while we transfer your call", as every blind transfer says, then their place.
    assert_eq!(w.effects(), &[arrange(vec![hold(customer(), Music::Transfer), remove(who("agent1"))])]);
    assert_eq!(w.presence("agent1"), Presence::WrapUp { until: 5_000 + RULES.wrap_up });
}

// ---- numbers outside ---------------------------------------------------------------------------------

#[test]
fn a_consult_with_a_number_outside_completes_to_it_and_ends_when_it_hangs_up() {
    let w = on_a_call().and(consult(OUTSIDE, "escalation"));
    assert_eq!(w.effects(), &[Effect::Dial { call: call(1), party: party(OUTSIDE), leg: 2 }, arrange(vec![hold(customer(), Music::Hold)])]);
    let w = w.and(Command::LegAnswered { call: call(1), party: party(OUTSIDE), leg: 2, sid: None });
    assert_eq!(w.stage(), Some(Stage::Talking { with: Side::Target }));
    let w = w.at(40_000).and(step(TransferAction::Complete));
    assert_eq!(w.effects(), &[arrange(vec![remove(who("agent1")), unhold(customer())])]);
    assert!(matches!(w.phase(1), Some(CallPhase::Outside { answered: true, .. })));
    assert_eq!(w.presence("agent1"), Presence::WrapUp { until: 40_000 + RULES.wrap_up });
    let w = w.and(Command::LegEnded { call: call(1), party: party(OUTSIDE), leg: 2, outcome: LegOutcome::Completed });
    assert_eq!(w.effects(), &[Effect::HangUpCaller { call: call(1), sid: None }]);
    assert_eq!(w.timeline(), ["call ended by the number it was transferred to"]);
}

#[test]
fn a_busy_number_fails_the_consult_in_plain_words() {
    let w = on_a_call().and(consult(OUTSIDE, "")).and(Command::LegEnded {
        call: call(1),
        party: party(OUTSIDE),
        leg: 2,
        outcome: LegOutcome::Busy,
    });
    assert_eq!(w.notice().as_deref(), Some("consult to +14155550100 failed: busy; customer back with the agent"));
    assert_eq!(w.effects(), &[arrange(vec![unhold(customer())])]);
}

#[test]
fn a_blind_transfer_to_a_number_that_answers_connects_the_customer_and_one_that_fails_requeues() {
    let w = on_a_call().and(blind(OUTSIDE));
    assert_eq!(w.presence("agent1"), Presence::WrapUp { until: 10_000 + RULES.wrap_up });
    let answered = w.clone().and(Command::LegAnswered { call: call(1), party: party(OUTSIDE), leg: 2, sid: None });
    assert_eq!(answered.effects(), &[arrange(vec![unhold(customer())])]);
    let missed = w.and(Command::LegEnded { call: call(1), party: party(OUTSIDE), leg: 2, outcome: LegOutcome::NoAnswer });
    assert_eq!(missed.timeline()[0], "+14155550100: no answer; back to the head of the queue");
    assert_eq!(missed.offered_to(1), Some(agent("agent2")), "the longest-idle agent gets the caller back");
}

// ---- when Twilio will not change the conference ----------------------------------------------------------

#[test]
fn a_change_twilio_would_not_make_is_shown_to_the_owner_who_can_ask_again_for_every_hold() {
    let w = consulting().and(step(TransferAction::Swap)).and(Command::ArrangeFailed { call: call(1), reason: "HTTP 500".into() });
    assert_eq!(w.notice().as_deref(), Some("Twilio would not change the call: HTTP 500"));
    assert!(w.actions("agent1").contains(&"retry"));
    let w = w.and(step(TransferAction::Retry));
    assert_eq!(w.effects(), &[arrange(vec![hold(who("agent2"), Music::Hold), unhold(customer())])]);
    assert_eq!(w.notice(), None);
    assert!(!w.actions("agent1").contains(&"retry"));
}

#[test]
fn conference_sids_are_learned_once_and_not_timeline_rows() {
    let cf = ConferenceSid::parse(&format!("CF{:032x}", 1)).unwrap();
    let w = on_a_call().and(Command::ConferenceKnown { call: call(1), conference: cf.clone() });
    assert_eq!(w.state.calls[&call(1)].conference, Some(cf.clone()));
    assert!(w.timeline().is_empty());
    let w = w.and(Command::ConferenceKnown { call: call(1), conference: cf });
    assert!(w.decision().events.is_empty());
}

// ---- hold and mute outside a transfer -------------------------------------------------------------------

#[test]
fn the_owner_holds_the_customer_with_music_and_takes_them_back() {
    let w = on_a_call().and(Command::Hold { agent: agent("agent1"), hold: true });
    assert_eq!(w.effects(), &[arrange(vec![hold(customer(), Music::Hold)])]);
    assert_eq!(w.timeline(), ["agent1 put the customer on hold"]);
    assert_eq!(w.actions("agent1"), ["consult", "transfer", "resume"]);
    // Asking again changes nothing.
    let w = w.and(Command::Hold { agent: agent("agent1"), hold: true });
    assert!(w.decision().events.is_empty());
    let w = w.and(Command::Hold { agent: agent("agent1"), hold: false });
    assert_eq!(w.effects(), &[arrange(vec![unhold(customer())])]);
    assert_eq!(w.timeline(), ["agent1 took the customer off hold"]);
}

#[test]
fn a_consult_from_hold_ends_with_the_customer_talking_again() {
    let w = on_a_call().and(Command::Hold { agent: agent("agent1"), hold: true }).and(consult("agent2", ""));
    assert_eq!(w.effects(), &[dial(1, "agent2", 2)], "held already");
    let w = w.and(step(TransferAction::Cancel));
    assert_eq!(w.effects(), &[Effect::CancelLeg { call: call(1), party: party("agent2"), leg: 2 }, arrange(vec![unhold(customer())])]);
}

#[test]
fn hold_is_for_the_owner_outside_a_consult() {
    let w = consulting().when(Command::Hold { agent: agent("agent1"), hold: true });
    assert_eq!(w.refusal(), "a transfer is in progress: the consult decides who is on hold");
    let w = consulting().when(Command::Hold { agent: agent("agent2"), hold: false });
    assert_eq!(w.refusal(), "agent1 has this call: only they can do that");
    let w = on_a_call().when(Command::Hold { agent: agent("agent3"), hold: true });
    assert_eq!(w.refusal(), "you are not on a call");
}

#[test]
fn mute_is_shown_on_the_leg_and_ends_with_the_call() {
    let w = consulting().and(Command::Mute { agent: agent("agent2"), muted: true });
    assert!(w.effects().is_empty(), "the browser mutes itself: nothing for Twilio");
    assert!(w.timeline().is_empty(), "not a timeline row");
    let legs = w.card("agent1").legs;
    assert_eq!(
        legs.iter().map(|l| (l.name.as_str(), l.muted)).collect::<Vec<_>>(),
        [("+15550000001", false), ("agent1", false), ("agent2", true)]
    );
    let w = w.and(step(TransferAction::Cancel));
    assert!(!w.state.calls[&call(1)].parties.iter().any(|p| p.muted), "agent2 left: their mute is over");
    let w = given_agents(&["agent1"]).available("agent1").when(Command::Mute { agent: agent("agent1"), muted: true });
    assert_eq!(w.refusal(), "you are not on a call");
}

#[test]
fn a_customer_held_then_transferred_blind_talks_with_the_new_agent_once_they_answer() {
    let w = on_a_call().and(Command::Hold { agent: agent("agent1"), hold: true }).and(blind("agent2"));
    assert_eq!(w.effects(), &[dial(1, "agent2", 2), arrange(vec![remove(who("agent1"))])], "held already: still held while agent2 rings");
    let w = w.answers("agent2", 1, 2);
    assert_eq!(w.effects(), &[arrange(vec![unhold(customer())])]);
    assert_eq!(w.holds(), vec![], "nobody on hold");
    // The same from the queue.
    let w = on_a_call().and(Command::Hold { agent: agent("agent1"), hold: true });
    let w = w.and(Command::SetPresence { agent: agent("agent2"), wanted: Wanted::Away });
    let w = w
        .and(Command::SetPresence { agent: agent("agent3"), wanted: Wanted::Away })
        .and(blind("queue"))
        .available("agent2")
        .answers("agent2", 1, 2);
    assert_eq!(w.effects(), &[arrange(vec![unhold(customer())])]);
}
