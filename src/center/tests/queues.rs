//! Several queues: a caller waits in the queue they chose; an agent is offered only the queues
//! they take (an agent with none named takes every queue); routing stays longest-idle among
//! those who take the call's queue; a higher-priority queue goes first; the place a caller hears
//! is their place in their own queue.

use super::given::*;
use crate::center::*;
use crate::ids::QueueName;

fn queue(name: &str) -> QueueName {
    QueueName::parse(name).unwrap()
}

/// agent1 takes sales, agent2 support, agent3 both (no queue named: every one).
fn floor() -> World {
    let accounts = vec![
        Account { id: agent("agent1"), name: "Agent 1".into(), role: AgentRole::Agent, queues: vec![queue("sales")] },
        Account { id: agent("agent2"), name: "Agent 2".into(), role: AgentRole::Agent, queues: vec![queue("support")] },
        Account { id: agent("agent3"), name: "Agent 3".into(), role: AgentRole::Agent, queues: vec![] },
    ];
    given_agents(&[]).and(Command::Roster { accounts, complete: true })
}

impl World {
    fn arrives_in(self, n: u8, q: &str, priority: i32) -> Self {
        self.and(Command::CallArrived {
            call: call(n),
            from: Some(caller(n)),
            recorded: false,
            arrival: Arrival::Rings,
            queue: Some((queue(q), priority)),
            arrived_at: None,
        })
    }
}

#[test]
fn a_caller_is_offered_only_to_an_agent_who_takes_their_queue() {
    let w = floor().at(1_000).available("agent2").at(2_000).available("agent1").at(3_000).arrives_in(1, "sales", 0);
    assert_eq!(w.offered_to(1), Some(agent("agent1")), "agent2 has waited longer but takes support only");
    assert_eq!(
        w.decision().events[0],
        Event::Call(CallEvent::Queued { call: call(1), from: Some(caller(1)), queue: Some(queue("sales")), priority: 0, since: None })
    );
    assert_eq!(w.decision().events[0].describe(), format!("queued for sales (caller {})", caller(1)));
}

#[test]
fn the_longest_idle_of_those_who_take_the_queue_is_offered_the_call() {
    let w = floor().at(1_000).available("agent3").at(2_000).available("agent1").at(3_000).arrives_in(1, "sales", 0);
    assert_eq!(w.offered_to(1), Some(agent("agent3")), "agent3 takes every queue and has waited longest");
}

#[test]
fn a_sales_caller_with_no_sales_agent_free_waits_while_a_later_support_caller_is_served() {
    let w = floor().at(1_000).arrives_in(1, "sales", 0).at(2_000).arrives_in(2, "support", 0).at(3_000).available("agent2");
    assert_eq!(w.offered_to(2), Some(agent("agent2")));
    assert_eq!(w.offered_to(1), None);
    assert_eq!(w.state.queue_position(&call(1)), Some(1));
}

#[test]
fn a_higher_priority_queue_goes_first_and_each_caller_hears_their_place_in_their_own_queue() {
    let w = floor().at(1_000).arrives_in(1, "sales", 0).at(2_000).arrives_in(2, "support", 5).at(2_500).arrives_in(3, "sales", 0);
    assert_eq!(w.state.queue_position(&call(3)), Some(2), "second in sales");
    assert_eq!(w.state.queue_position(&call(2)), Some(1), "first in support");
    let w = w.at(3_000).available("agent3");
    assert_eq!(w.offered_to(2), Some(agent("agent3")), "support's priority beats the older sales caller");
}

#[test]
fn an_agents_queues_change_with_their_account() {
    let w = floor();
    assert_eq!(w.state.agents[&agent("agent1")].queues, vec![queue("sales")]);
    let accounts = vec![Account { id: agent("agent1"), name: "Agent 1".into(), role: AgentRole::Agent, queues: vec![queue("support")] }];
    let w = w.and(Command::Roster { accounts, complete: false });
    assert_eq!(
        w.decision().events,
        vec![Event::Agent(AgentEvent::AccountChanged {
            agent: agent("agent1"),
            name: "Agent 1".into(),
            role: AgentRole::Agent,
            queues: vec![queue("support")]
        })]
    );
    assert!(w.state.agents[&agent("agent1")].takes(Some(&queue("support"))));
    assert!(!w.state.agents[&agent("agent1")].takes(Some(&queue("sales"))));
}
