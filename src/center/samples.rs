//! A contact center at several moments of one morning, made by the rules themselves (commands
//! decided by [`State::handle`], each decided event folded into the day's figures): for tests
//! outside the core that need real views (the browser's JSON readers are checked on them). Each
//! moment holds what the views can show: calls ringing, talking, on hold and muted, in consult,
//! monitored and coached, waiting in two queues, a voicemail, a callback, a raised hand, a
//! refused conference change; agents available, away for each reason, in wrap-up, offline.

use std::collections::HashMap;

use super::*;
use crate::ids::{AgentId, CallSid, PhoneNumber, QueueName, RecordingSid, E164};

/// The center at a moment, with the day so far.
#[derive(Clone)]
pub struct Moment {
    pub name: &'static str,
    pub state: State,
    pub day: Day,
    pub now: Millis,
    /// Every event decided so far, oldest first, with when (to make timelines of).
    pub log: Vec<(Millis, Event)>,
}

impl Moment {
    /// The calls `agent` took part in, as the console's "recent calls" shows them (the
    /// stream reads them from the store; here they come from the same events).
    pub fn recent(&self, agent: &AgentId) -> Vec<CallHistory> {
        let mut calls: Vec<CallSid> = Vec::new();
        for (_, e) in &self.log {
            if let (Some(call), Some(a)) = (e.call(), e.agent()) {
                if a == agent && !calls.contains(call) {
                    calls.push(call.clone());
                }
            }
        }
        calls
            .into_iter()
            .map(|call| CallHistory {
                from: self.state.calls.get(&call).and_then(|c| c.from.clone()),
                rows: self
                    .log
                    .iter()
                    .filter(|(_, e)| e.call() == Some(&call) && !e.is_bookkeeping())
                    .map(|(at, e)| TimelineRow { at: *at, text: e.describe() })
                    .collect(),
                call,
            })
            .collect()
    }
}

pub fn agent(name: &str) -> AgentId {
    AgentId::parse(name).unwrap()
}

pub fn call(n: u8) -> CallSid {
    CallSid::parse(&format!("CA{n:032x}")).unwrap()
}

fn number(n: u8) -> E164 {
    E164::parse(&format!("+1555000{n:04}")).unwrap()
}

fn caller(n: u8) -> PhoneNumber {
    PhoneNumber::parse(number(n).as_str()).unwrap()
}

fn leg_sid(n: u8) -> CallSid {
    CallSid::parse(&format!("CA{n:030x}ff")).unwrap()
}

const START: Millis = 1_700_000_000_000;

/// A center being moved by commands, remembering the legs dialled.
struct Center {
    state: State,
    day: Day,
    now: Millis,
    rules: Rules,
    log: Vec<(Millis, Event)>,
    legs: HashMap<(CallSid, Party), LegNo>,
}

impl Center {
    fn at(mut self, secs: i64) -> Self {
        self.now = START + secs * 1000;
        self
    }

    fn and(mut self, command: Command) -> Self {
        let what = format!("{command:?}");
        let d = self.state.handle(command, self.now, &self.rules).unwrap_or_else(|e| panic!("{what} refused: {e}"));
        for e in &d.effects {
            if let Some((party, leg)) = e.leg() {
                self.legs.insert((e.call().clone(), party), leg);
            }
        }
        for e in d.events {
            self.day.record(self.now, &e);
            self.log.push((self.now, e));
        }
        self
    }

    fn leg(&self, n: u8, party: &Party) -> LegNo {
        self.legs[&(call(n), party.clone())]
    }

    fn presence(self, name: &str, wanted: Wanted) -> Self {
        self.and(Command::SetPresence { agent: agent(name), wanted })
    }

    fn arrives(self, n: u8, queue: Option<&str>) -> Self {
        let queue = queue.map(|q| (QueueName::parse(q).unwrap(), 1));
        self.and(Command::CallArrived {
            call: call(n),
            from: Some(caller(n)),
            recorded: false,
            arrival: Arrival::Rings,
            queue,
            arrived_at: None,
        })
    }

    fn answers(self, name: &str, n: u8) -> Self {
        let party = Party::Agent(agent(name));
        let leg = self.leg(n, &party);
        self.and(Command::LegAnswered { call: call(n), party, leg, sid: Some(leg_sid(n)) })
    }

    fn misses(self, name: &str, n: u8) -> Self {
        let party = Party::Agent(agent(name));
        let leg = self.leg(n, &party);
        self.and(Command::LegEnded { call: call(n), party, leg, outcome: LegOutcome::NoAnswer })
    }

    fn step(self, name: &str, action: TransferAction) -> Self {
        self.and(Command::Transfer { agent: agent(name), action })
    }

    fn moment(&self, name: &'static str) -> Moment {
        Moment { name, state: self.state.clone(), day: self.day.clone(), now: self.now, log: self.log.clone() }
    }
}

/// The morning, moment by moment.
pub fn moments() -> Vec<Moment> {
    let mut agents: Vec<Agent> =
        (1..=7).map(|n| Agent::named(agent(&format!("agent{n}")), format!("Agent {n}"), AgentRole::Agent)).collect();
    agents[6].queues = vec![QueueName::parse("sales").unwrap()];
    agents.push(Agent::named(agent("supervisor1"), "Sue", AgentRole::Supervisor));
    let rules = Rules { callback_after: Some(60_000), ..Rules::BASIC };
    let c = Center { state: State::from_parts(agents, []), day: Day::new(START), now: START, rules, log: vec![], legs: HashMap::new() };
    let mut out = vec![c.moment("before anyone signed in")];

    let c = ["agent1", "agent2", "agent3", "agent4", "agent5", "agent7"]
        .iter()
        .enumerate()
        .fold(c, |c, (i, a)| c.at(1 + i as i64).presence(a, Wanted::Available))
        .at(8)
        .presence("supervisor1", Wanted::Away)
        .presence("agent5", Wanted::Away);
    out.push(c.moment("signed in"));

    // Two callers: agent1 (the longest idle) rings for the first, agent2 for the second.
    let c = c.at(10).arrives(1, None).arrives(2, None);
    out.push(c.moment("two offers ringing"));

    // agent1 answers, holds the caller and mutes; agent2 misses (away), agent3 rings instead.
    let c = c.at(15).answers("agent1", 1).misses("agent2", 2).at(16).and(Command::Hold { agent: agent("agent1"), hold: true });
    let c = c.and(Command::Mute { agent: agent("agent1"), muted: true });
    out.push(c.moment("on hold, muted, a missed offer"));

    // agent3 takes the second call and consults agent4, who answers; a sales caller waits.
    let c = c.at(20).answers("agent3", 2).at(25);
    let c = c.step("agent3", TransferAction::Consult { to: Target::Agent(agent("agent4")), note: "wants a refund".into() });
    let c = c.at(27).answers("agent4", 2).arrives(6, Some("sales"));
    out.push(c.moment("a consult, a caller for sales"));

    // The sales caller goes to agent7; then no one is free: callers wait (one for sales), one leaves a
    // voicemail, one asks to be called back; the supervisor coaches agent3, who raises a hand.
    let c = c.at(30).answers("agent7", 6).arrives(3, None).arrives(4, None).arrives(7, Some("sales"));
    let c = c.and(Command::VoicemailLeft {
        call: call(5),
        from: Some(caller(5)),
        recording: RecordingSid::parse(&format!("RE{:032x}", 5)).unwrap(),
        seconds: 42,
        recorded: false,
    });
    let c = c.and(Command::Transcribed { call: call(5), text: "Please call me back about my order.".into() });
    let c = c.at(95).and(Command::Tick).and(Command::RequestCallback { call: call(3), number: number(3) });
    let c = c.at(100).and(Command::Monitor { supervisor: agent("supervisor1"), call: call(2), mode: MonitorMode::Listen });
    let sup = Party::Agent(agent("supervisor1"));
    let leg = c.leg(2, &sup);
    let c = c.and(Command::MonitorAnswered { call: call(2), supervisor: agent("supervisor1"), leg, sid: Some(leg_sid(99)) });
    let c = c.and(Command::Monitor { supervisor: agent("supervisor1"), call: call(2), mode: MonitorMode::Whisper });
    let c = c.and(Command::RaiseHand { agent: agent("agent3"), raised: true });
    let c = c.and(Command::Supervise {
        supervisor: agent("supervisor1"),
        agent: agent("agent5"),
        action: SupervisorAction::SetAway { reason: "training".into() },
    });
    out.push(c.moment("coaching, callers waiting, a voicemail, a callback"));

    // A conference change Twilio refused (the agent may retry); the first caller hangs up:
    // agent1 is in wrap-up.
    let c = c.at(110).and(Command::ArrangeFailed { call: call(2), reason: "Twilio refused the hold".into() });
    let c = c.at(120).and(Command::CallerLeft { call: call(1), conference: None });
    out.push(c.moment("a refused change, a wrap-up"));
    out
}
