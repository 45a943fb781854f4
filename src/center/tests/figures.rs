//! Today's figures as given/when/then sentences: events at given times folded into a day, the
//! figures read at a moment. The edge cases the formulas are known for: a caller who abandons
//! at 4 s and at 6 s, a transferred call, a call still in progress at midnight.

use super::given::{agent, call};
use crate::center::*;

const MIDNIGHT: Millis = 1_000_000_000;

fn at(secs: i64) -> Millis {
    MIDNIGHT + secs * 1000
}

struct Today {
    day: Day,
}

fn today() -> Today {
    Today { day: Day::new(MIDNIGHT) }
}

impl Today {
    fn then(mut self, secs: i64, event: Event) -> Self {
        self.day.record(at(secs), &event);
        self
    }

    fn queued(self, secs: i64, n: u8) -> Self {
        self.then(secs, Event::Call(CallEvent::Queued { call: call(n), from: None, queue: None, priority: 0, since: None }))
    }

    fn answered(self, secs: i64, n: u8, name: &str) -> Self {
        self.then(secs, Event::Call(CallEvent::Answered { call: call(n), agent: agent(name), sid: None }))
    }

    fn ended(self, secs: i64, n: u8, reason: EndReason) -> Self {
        self.then(secs, Event::Call(CallEvent::Ended { call: call(n), reason, abandoned: false }))
    }

    /// The caller hung up before any agent answered (as the core decided it).
    fn abandoned(self, secs: i64, n: u8) -> Self {
        self.then(secs, Event::Call(CallEvent::Ended { call: call(n), reason: EndReason::CallerHungUp, abandoned: true }))
    }

    fn figures(&self, secs: i64) -> Figures {
        self.day.figures(at(secs), &Thresholds::default())
    }
}

#[test]
fn a_caller_who_hangs_up_at_4_s_is_a_short_abandon_and_at_6_s_an_abandon() {
    let t = today().queued(0, 1).abandoned(4, 1).queued(10, 2).abandoned(16, 2).queued(20, 3).answered(35, 3, "agent1");
    let f = t.figures(60);
    assert_eq!((f.offered, f.answered, f.abandoned, f.short_abandoned), (3, 1, 1, 1));
    // 1 answered within 20 s ÷ (1 answered + 1 abandoned after 5 s).
    assert_eq!(f.service_level, Some(500));
    assert_eq!(f.asa, Some(15_000));
    assert_eq!(f.formula, "service level = answered within 20 s ÷ (answered + abandoned after 5 s)");
}

#[test]
fn a_caller_who_rang_while_we_were_closed_counts_as_closed_and_in_no_rate() {
    let closed = Event::Call(CallEvent::TurnedAway { call: call(9), from: None, reason: "outside the opening hours".into() });
    let f = today().then(1, closed).queued(10, 1).answered(12, 1, "agent1").figures(60);
    assert_eq!((f.closed, f.offered, f.answered, f.abandoned, f.service_level), (1, 1, 1, 0, Some(1000)));
}

#[test]
fn an_answer_after_the_threshold_is_answered_but_late() {
    let f = today().queued(0, 1).answered(25, 1, "agent1").queued(30, 2).answered(40, 2, "agent2").figures(50);
    assert_eq!((f.answered, f.answered_in_time, f.service_level), (2, 1, Some(500)));
    assert_eq!(f.asa, Some(17_500));
}

#[test]
fn a_transferred_call_is_answered_once_and_its_first_wait_is_its_speed_of_answer() {
    let f = today()
        .queued(0, 1)
        .answered(10, 1, "agent1")
        .then(40, Event::Transfer(TransferEvent::Transferred { call: call(1), by: agent("agent1"), to: Target::Queue, leg: None }))
        .answered(70, 1, "agent2")
        .ended(100, 1, EndReason::AgentHungUp)
        .figures(200);
    assert_eq!((f.offered, f.answered, f.handled), (1, 1, 1));
    assert_eq!(f.asa, Some(10_000));
    // With an agent 10-40 s and 70-100 s; the wait in between is not handle time.
    assert_eq!(f.talk, Some(60_000));
}

#[test]
fn a_call_still_in_progress_at_midnight_counts_on_the_day_it_queued() {
    let mut day = Day::new(MIDNIGHT);
    // Queued and answered yesterday: today sees only its end.
    day.record(MIDNIGHT - 30_000, &Event::Call(CallEvent::Queued { call: call(1), from: None, queue: None, priority: 0, since: None }));
    day.record(MIDNIGHT - 10_000, &Event::Call(CallEvent::Answered { call: call(1), agent: agent("agent1"), sid: None }));
    day.record(MIDNIGHT + 50_000, &Event::Call(CallEvent::Ended { call: call(1), reason: EndReason::CallerHungUp, abandoned: false }));
    let f = day.figures(MIDNIGHT + 60_000, &Thresholds::default());
    assert_eq!((f.offered, f.answered, f.abandoned, f.handled), (0, 0, 0, 0));
    assert_eq!(f.service_level, None, "nothing counts yet today");
}

#[test]
fn handle_time_is_talk_plus_hold_plus_wrap_up() {
    let f = today()
        .queued(0, 1)
        .answered(5, 1, "agent1")
        .then(25, Event::Call(CallEvent::CustomerHeld { call: call(1), by: agent("agent1"), hold: true }))
        .then(35, Event::Call(CallEvent::CustomerHeld { call: call(1), by: agent("agent1"), hold: false }))
        .then(
            45,
            Event::Transfer(TransferEvent::ConsultStarted {
                call: call(1),
                by: agent("agent1"),
                to: Party::Agent(agent("agent2")),
                leg: 2,
                note: String::new(),
            }),
        )
        .then(55, Event::Transfer(TransferEvent::ConsultCancelled { call: call(1), by: agent("agent1") }))
        .ended(65, 1, EndReason::CallerHungUp)
        .then(
            65,
            Event::Agent(AgentEvent::PresenceChanged {
                agent: agent("agent1"),
                presence: Presence::WrapUp { until: at(80) },
                since: at(65),
            }),
        )
        .then(80, Event::Agent(AgentEvent::PresenceChanged { agent: agent("agent1"), presence: Presence::Available, since: at(80) }))
        .figures(100);
    assert_eq!(f.handled, 1);
    assert_eq!((f.talk, f.hold, f.wrap_up), (Some(40_000), Some(20_000), Some(15_000)));
    assert_eq!(f.handle_time(), Some(75_000));
}

#[test]
fn the_longest_wait_counts_callers_still_waiting_up_to_now() {
    let f = today().queued(0, 1).answered(8, 1, "agent1").queued(10, 2).figures(40);
    assert_eq!(f.longest_wait, 30_000);
}

#[test]
fn each_agent_has_calls_handled_and_offers_missed_today() {
    let t = today()
        .queued(0, 1)
        .then(1, Event::Call(CallEvent::Offered { call: call(1), agent: agent("agent1"), leg: 1 }))
        .then(31, Event::Call(CallEvent::OfferMissed { call: call(1), agent: agent("agent1"), outcome: LegOutcome::NoAnswer }))
        .answered(40, 1, "agent2");
    assert_eq!(t.day.agent(&agent("agent1")), (0, 1));
    assert_eq!(t.day.agent(&agent("agent2")), (1, 0));
}

#[test]
fn the_supervisors_actions_today_are_listed_newest_first() {
    let t = today()
        .then(
            1,
            Event::Agent(AgentEvent::Supervised {
                supervisor: agent("supervisor1"),
                agent: agent("agent1"),
                action: SupervisorAction::SetOffline,
            }),
        )
        .then(
            2,
            Event::Agent(AgentEvent::Supervised {
                supervisor: agent("supervisor1"),
                agent: agent("agent2"),
                action: SupervisorAction::EndWrapUp,
            }),
        );
    let texts: Vec<&str> = t.day.actions().map(|(_, text)| text.as_str()).collect();
    assert_eq!(texts, ["supervisor1 ended agent2's wrap-up", "supervisor1 set agent1 offline"]);
}
