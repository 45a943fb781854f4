//! The roster, arrivals Twilio repeats, and every party of a call first-class (their legs, their
//! sids, someone listening in), as given/when/then sentences; and a call stored by the previous
//! version reading back as it was.

use super::given::*;
use crate::center::*;
use crate::ids::CallSid;

fn account(id: &str, name: &str) -> Account {
    Account { id: agent(id), name: name.into(), role: AgentRole::Agent, queues: vec![] }
}

fn roster(accounts: &[(&str, &str)], complete: bool) -> Command {
    Command::Roster { accounts: accounts.iter().map(|(id, name)| account(id, name)).collect(), complete }
}

// ---- the roster ------------------------------------------------------------------------------------

#[test]
fn a_new_account_joins_offline_under_its_name_and_is_offered_nothing_until_available() {
    let w = given_agents(&["agent1"]).and(roster(&[("agent1", "agent1"), ("agent2", "Agent Two")], true));
    assert_eq!(
        w.decision().events,
        vec![Event::Agent(AgentEvent::AccountAdded {
            agent: agent("agent2"),
            name: "Agent Two".into(),
            role: AgentRole::Agent,
            queues: vec![]
        })]
    );
    assert_eq!(w.presence("agent2"), Presence::Offline);
    assert_eq!(w.state.card(&agent("agent2")).unwrap().name, "Agent Two");
    let w = w.arrives(1);
    assert_eq!(w.phase(1), Some(CallPhase::Queued), "nobody is available");
    // The same roster again changes nothing.
    let w = w.and(roster(&[("agent1", "agent1"), ("agent2", "Agent Two")], true));
    assert!(w.decision().events.is_empty());
}

#[test]
fn a_renamed_account_is_shown_by_its_new_name_in_the_directory_and_on_the_call() {
    let w = given_agents(&["agent1"]).available("agent1").arrives(1).answers("agent1", 1, 1).and(roster(&[("agent1", "Ann")], false));
    assert_eq!(
        w.decision().events,
        vec![Event::Agent(AgentEvent::AccountChanged {
            agent: agent("agent1"),
            name: "Ann".into(),
            role: AgentRole::Agent,
            queues: vec![]
        })]
    );
    assert_eq!(w.state.directory()[0].name, "Ann");
    let card = w.state.console_view(&agent("agent1"), w.now).unwrap().call.unwrap();
    let owner = card.legs.iter().find(|l| l.role == Role::Owner).unwrap();
    assert_eq!((owner.name.as_str(), owner.party.clone()), ("Ann", Some(Party::Agent(agent("agent1")))));
}

#[test]
fn a_removed_account_leaves_once_nothing_of_theirs_is_live() {
    let w = given_agents(&["agent1", "agent2"]).available("agent2").arrives(1).answers("agent2", 1, 1);
    // agent2 is on a call: they stay until it is over; agent1 (offline, on nothing) leaves now.
    let w = w.and(roster(&[], true));
    assert_eq!(w.decision().events, vec![Event::Agent(AgentEvent::AccountRemoved { agent: agent("agent1") })]);
    assert!(w.state.agents.contains_key(&agent("agent2")));
    let w = w.leg_ends("agent2", 1, 1, LegOutcome::Completed).and(Command::SignedOut { agent: agent("agent2") }).and(roster(&[], true));
    assert!(w.state.agents.is_empty());
    // A partial list (the accounts a command named) removes no one.
    let w = given_agents(&["agent1"]).and(roster(&[("agent2", "agent2")], false));
    assert!(w.state.agents.contains_key(&agent("agent1")));
}

// ---- arrivals Twilio repeats ---------------------------------------------------------------------------

#[test]
fn a_voice_webhook_repeated_after_the_call_is_over_does_not_queue_the_caller_again() {
    let w = given_agents(&["agent1"]).arrives(1).and(Command::CallerLeft { call: call(1), conference: None }).when(Command::CallArrived {
        call: call(1),
        from: Some(caller(1)),
        recorded: true,
        arrival: Arrival::Rings,
        queue: None,
        arrived_at: None,
    });
    assert!(w.decision().events.is_empty());
    assert_eq!(w.state.queue_len(), 0);
}

// ---- every party of a call ---------------------------------------------------------------------------

#[test]
fn each_party_of_a_call_has_its_leg_its_part_and_twilios_sid_once_it_answered() {
    let leg_sid = CallSid::parse(&format!("CA{:032x}", 0xa1)).unwrap();
    let w = given_agents(&["agent1"]).available("agent1").arrives(1);
    let c = &w.state.calls[&call(1)];
    assert_eq!(c.parties.len(), 2);
    assert_eq!((c.parties[0].role, c.parties[0].leg, c.parties[0].sid.clone()), (Role::Customer, 0, Some(call(1))));
    assert_eq!((c.parties[1].role, c.parties[1].leg, c.parties[1].joined, c.parties[1].sid.clone()), (Role::Owner, 1, false, None));
    let w = w.and(Command::LegAnswered { call: call(1), party: Party::Agent(agent("agent1")), leg: 1, sid: Some(leg_sid.clone()) });
    let owner = w.state.calls[&call(1)].participant(&agent("agent1")).unwrap().clone();
    assert_eq!((owner.joined, owner.sid), (true, Some(leg_sid)));
}

/// agent1 talks with caller 1, and agent2 (available) listens in on the call.
fn with_a_listener() -> World {
    let mut w = given_agents(&["agent1", "agent2"]).available("agent1").arrives(1).answers("agent1", 1, 1).available("agent2");
    let c = w.state.calls.get_mut(&call(1)).unwrap();
    c.parties.push(Participant { joined: true, ..Participant::ringing(Party::Agent(agent("agent2")), Role::Monitor, 2, w.now) });
    w
}

#[test]
fn an_agent_listening_in_on_a_call_is_not_offered_another_nor_a_transfer() {
    let w = with_a_listener().arrives(2);
    assert_eq!(w.phase(2), Some(CallPhase::Queued), "agent2 is available but on a call, listening");
    assert_eq!(w.presence("agent2"), Presence::Available);
    let w = with_a_listener().when(Command::Transfer {
        agent: agent("agent1"),
        action: TransferAction::Consult { to: Target::Agent(agent("agent2")), note: String::new() },
    });
    assert_eq!(w.refusal(), "agent2 is on a call; only an available agent can take a transfer");
}

#[test]
fn a_listener_is_never_held_nor_taken_off_hold_and_stays_through_a_hold() {
    let w = with_a_listener().and(Command::Hold { agent: agent("agent1"), hold: true });
    assert_eq!(w.effects(), &[Effect::Arrange { call: call(1), moves: vec![Move::Hold { who: Who::Customer, music: Music::Hold }] }]);
    let w = w.and(Command::Hold { agent: agent("agent1"), hold: false });
    assert_eq!(w.effects(), &[Effect::Arrange { call: call(1), moves: vec![Move::Unhold { who: Who::Customer }] }]);
    let listener = w.state.calls[&call(1)].participant(&agent("agent2")).unwrap();
    assert_eq!((listener.role, listener.held), (Role::Monitor, None));
}

// ---- a call as stored ---------------------------------------------------------------------------------

#[test]
fn a_call_reads_back_as_it_was_written() {
    let w = given_agents(&["agent1", "agent2"])
        .available("agent1")
        .arrives(1)
        .answers("agent1", 1, 1)
        .available("agent2")
        .and(Command::Transfer {
            agent: agent("agent1"),
            action: TransferAction::Consult { to: Target::Agent(agent("agent2")), note: "n".into() },
        })
        .answers("agent2", 1, 2)
        .and(Command::Transfer { agent: agent("agent1"), action: TransferAction::Swap });
    let c = &w.state.calls[&call(1)];
    let json = serde_json::to_string(c).unwrap();
    assert_eq!(&serde_json::from_str::<Call>(&json).unwrap(), c, "{json}");
}

#[test]
fn another_instances_rows_replace_what_this_copy_had() {
    let mut w = given_agents(&["agent1"]).available("agent1").arrives(1).arrives(2);
    let mut other = w.state.clone();
    other.handle(Command::CallerLeft { call: call(1), conference: None }, w.now, &RULES).unwrap();
    let agents: Vec<Agent> = other.agents.values().cloned().collect();
    let live: Vec<Call> = other.calls.values().cloned().collect();
    w.state.restore(agents, &[call(1), call(2)], live);
    assert_eq!(w.state, other);
}

#[test]
fn an_offline_agent_signed_out_is_still_said_signed_out_so_their_open_streams_end() {
    // Given agent1 signed in with the console open (a lease) but no phone: offline.
    let w = given_agents(&["agent1"]).and(Command::Heartbeat { agents: vec![agent("agent1")] });
    assert_eq!(w.presence("agent1"), Presence::Offline);
    // When their account is disabled (a sign-out), then the sign-out is an event all the same,
    // and no console holds a lease for them any more.
    let w = w.and(Command::SignedOut { agent: agent("agent1") });
    assert_eq!(w.decision().events, vec![Event::Agent(AgentEvent::SignedOut { agent: agent("agent1") })]);
    assert_eq!(w.state.agents[&agent("agent1")].online_until, None);
}
