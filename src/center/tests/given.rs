//! The given/when/then of the center's tests: a contact center at a moment, the commands
//! that move it, and what to ask of it afterwards.

use crate::center::*;
use crate::ids::{AgentId, CallSid, PhoneNumber};

pub fn agent(name: &str) -> AgentId {
    AgentId::parse(name).unwrap()
}

pub fn call(n: u8) -> CallSid {
    CallSid::parse(&format!("CA{n:032x}")).unwrap()
}

/// The number caller `n` calls from.
pub fn caller(n: u8) -> PhoneNumber {
    PhoneNumber::parse(&format!("+1555000{n:04}")).unwrap()
}

pub const RULES: Rules = Rules::BASIC;

/// Opening hours for the sentences: open from `from` until `until`, closed (for `why`) before
/// and after.
#[derive(Debug, Clone)]
pub struct Opening {
    pub from: Millis,
    pub until: Millis,
    pub why: ClosedWhy,
}

impl Calendar for Opening {
    fn at(&self, now: Millis) -> Openness {
        if (self.from..self.until).contains(&now) {
            Openness::Open { closes: Some(self.until) }
        } else {
            Openness::Closed { why: self.why.clone(), opens: (now < self.from).then_some(self.from) }
        }
    }
}

/// A contact center at a moment in time, and what the last command decided.
#[derive(Clone)]
pub struct World {
    pub state: State,
    pub now: Millis,
    pub last: Result<Decision, Refusal>,
    pub rules: Rules,
    /// `None`: open around the clock.
    pub hours: Option<Opening>,
}

pub fn given_agents(names: &[&str]) -> World {
    let state = State::from_parts(names.iter().map(|n| Agent::new(agent(n))), []);
    World { state, now: 1_000, last: Ok(Decision::default()), rules: RULES, hours: None }
}

impl World {
    pub fn at(mut self, now: Millis) -> Self {
        self.now = now;
        self
    }

    /// Applies a command that must be accepted.
    pub fn and(mut self, command: Command) -> Self {
        self = self.when(command);
        if let Err(e) = &self.last {
            panic!("setup command refused: {e}");
        }
        self
    }

    pub fn when(mut self, command: Command) -> Self {
        self.last = match &self.hours {
            Some(hours) => self.state.handle_in(command, self.now, &self.rules, hours),
            None => self.state.handle(command, self.now, &self.rules),
        };
        self
    }

    /// The same center with opening hours from now until `until` (closed after, for `why`).
    pub fn open_until(mut self, until: Millis, why: ClosedWhy) -> Self {
        self.hours = Some(Opening { from: self.now, until, why });
        self
    }

    /// When the core would look at the clock again by itself.
    pub fn next_due(&self) -> Option<Millis> {
        match &self.hours {
            Some(hours) => self.state.next_due(&self.rules, hours, self.now),
            None => self.state.next_due(&self.rules, &AlwaysOpen, self.now),
        }
    }

    /// The same center with other timings (callbacks on, say).
    pub fn with_rules(mut self, rules: Rules) -> Self {
        self.rules = rules;
        self
    }

    pub fn available(self, name: &str) -> Self {
        self.and(Command::SetPresence { agent: agent(name), wanted: Wanted::Available })
    }

    pub fn arrives(self, n: u8) -> Self {
        self.and(Command::CallArrived {
            call: call(n),
            from: Some(caller(n)),
            recorded: false,
            arrival: Arrival::Rings,
            queue: None,
            arrived_at: None,
        })
    }

    pub fn answers(self, name: &str, n: u8, leg: LegNo) -> Self {
        self.and(Command::LegAnswered { call: call(n), party: Party::Agent(agent(name)), leg, sid: None })
    }

    pub fn leg_ends(self, name: &str, n: u8, leg: LegNo, outcome: LegOutcome) -> Self {
        self.and(Command::LegEnded { call: call(n), party: Party::Agent(agent(name)), leg, outcome })
    }

    pub fn presence(&self, name: &str) -> Presence {
        self.state.agents[&agent(name)].presence.clone()
    }

    pub fn phase(&self, n: u8) -> Option<CallPhase> {
        self.state.calls.get(&call(n)).map(Call::phase)
    }

    pub fn offered_to(&self, n: u8) -> Option<AgentId> {
        match self.phase(n) {
            Some(CallPhase::Offered { agent, .. }) => Some(agent),
            _ => None,
        }
    }

    pub fn decision(&self) -> &Decision {
        self.last.as_ref().expect("the last command was accepted")
    }

    pub fn effects(&self) -> &[Effect] {
        &self.decision().effects
    }

    pub fn refusal(&self) -> String {
        match &self.last {
            Err(e) => e.to_string(),
            Ok(d) => panic!("expected a refusal, got {d:?}"),
        }
    }
}

pub fn dial(n: u8, name: &str, leg: LegNo) -> Effect {
    Effect::Dial { call: call(n), party: Party::Agent(agent(name)), leg }
}
