//! What the bots of one run share (in the bots' process, never the app's): when each customer
//! call was first answered, and what each agent's console last said.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::time::Instant;

use super::series::{unix_ms, Sample, Series};

/// What the bots of one run share: when each customer call was first answered (a caller's wait
/// is measured to that, not to its next look), and each agent's state, to know when every agent
/// is ready and when the queue is empty.
#[derive(Default)]
pub struct Board {
    answers: Mutex<HashMap<String, Instant>>,
    agents: Mutex<HashMap<String, AgentNow>>,
    /// Callers placed and not yet rung to an agent: when, and whether an agent sat idle for
    /// them then (only those count for the offer latency).
    unrung: Mutex<HashMap<String, (Instant, bool)>>,
    pub series: Mutex<Series>,
}

#[derive(Debug, Clone, Default)]
struct AgentNow {
    ready: bool,
    busy: bool,
    queue_waiting: u64,
    presence: String,
    /// Its console stream is down (its instance died): it reconnects.
    cut: bool,
}

/// Answers kept at most (callbacks' answers have no caller bot to collect them).
const ANSWERS_KEPT: usize = 10_000;

impl Board {
    pub fn answered(&self, call: &str) {
        let mut answers = self.answers.lock();
        if answers.len() >= ANSWERS_KEPT {
            let old = Instant::now() - Duration::from_secs(3600);
            answers.retain(|_, at| *at > old);
        }
        answers.entry(call.to_string()).or_insert_with(Instant::now);
    }

    pub fn answered_at(&self, call: &str) -> Option<std::time::Instant> {
        self.answers.lock().get(call).map(|at| at.into_std())
    }

    pub fn forget_answer(&self, call: &str) {
        self.answers.lock().remove(call);
    }

    pub fn set_ready(&self, agent: &str) {
        self.agents.lock().entry(agent.to_string()).or_default().ready = true;
    }

    pub fn agent_now(&self, agent: &str, busy: bool, queue_waiting: u64, presence: &str) {
        let mut agents = self.agents.lock();
        let a = agents.entry(agent.to_string()).or_default();
        (a.busy, a.queue_waiting) = (busy, queue_waiting);
        if a.presence != presence {
            a.presence = presence.to_string();
        }
    }

    /// The agent's console stream broke (`true`) or is back (`false`).
    pub fn console_cut(&self, agent: &str, cut: bool) {
        self.agents.lock().entry(agent.to_string()).or_default().cut = cut;
    }

    /// A caller placed their call: an agent sat idle for them if more agents were available and
    /// free than callers were waiting to be rung.
    pub fn placed(&self, call: &str, at: Instant) {
        let idle = {
            let agents = self.agents.lock();
            agents.values().filter(|a| a.ready && !a.busy && !a.cut && a.presence == "available").count()
        };
        let mut unrung = self.unrung.lock();
        let waiting = unrung.len();
        unrung.insert(call.to_string(), (at, idle > waiting));
    }

    /// An agent's phone rang for `call` at `at` (its first ring counts; a consult's does not).
    pub fn rung(&self, call: &str, at: Instant) {
        let placed = self.unrung.lock().remove(call);
        if let Some((since, true)) = placed {
            let ms = at.saturating_duration_since(since).as_secs_f64() * 1000.0;
            self.series.lock().offer(ms);
        }
    }

    /// The caller is done (served, gone, called back later): no longer waiting to be rung.
    pub fn caller_done(&self, call: &str) {
        self.unrung.lock().remove(call);
    }

    /// The queue and the agents now, for the series.
    pub fn sample(&self) -> Sample {
        let agents = self.agents.lock();
        let mut by_state: BTreeMap<String, u64> = BTreeMap::new();
        for a in agents.values().filter(|a| a.ready) {
            let state = if a.cut {
                "reconnecting"
            } else {
                match a.presence.as_str() {
                    "on-call" => "talking",
                    "wrap-up" => "wrap_up",
                    "offline" | "away" => "away",
                    other => other,
                }
            };
            *by_state.entry(state.to_string()).or_default() += 1;
        }
        let waiting = agents.values().filter(|a| !a.cut).map(|a| a.queue_waiting).max().unwrap_or(0);
        let talking = by_state.get("talking").copied().unwrap_or(0);
        Sample { t: unix_ms(), waiting, talking, agents: by_state }
    }

    /// Consoles down now.
    pub fn cut(&self) -> u64 {
        self.agents.lock().values().filter(|a| a.cut).count() as u64
    }

    pub fn ready(&self) -> usize {
        self.agents.lock().values().filter(|a| a.ready).count()
    }

    /// Nobody waiting in the queue and no agent on a call or rung, as the consoles say.
    pub fn drained(&self) -> bool {
        self.agents.lock().values().all(|a| !a.busy && a.queue_waiting == 0)
    }
}
