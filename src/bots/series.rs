//! What a load run measures over time, from the bots' side (the app is a black box behind its
//! balancer): offer latency (a caller placed while an agent bot sat idle → that agent's phone
//! rings), change → console latency (a presence change asked of one instance → the agent's
//! console stream, on whichever instance it is, shows it), consoles resuming after their
//! instance died, and once a second the queue and the agents by state. Times are Unix
//! milliseconds, so the load script can mark the kill on the same axis.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// Samples kept per series at most (a demo runs for hours; a load run stays far below).
const KEPT: usize = 200_000;

pub fn unix_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// One latency, when it ended.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub t: i64,
    pub ms: f64,
}

/// A console stream that broke and came back: how long it took, the version it had seen and
/// the version it resumed at (never older).
#[derive(Debug, Clone, Serialize)]
pub struct Resume {
    pub t: i64,
    pub ms: f64,
    pub agent: String,
    pub from_version: Option<i64>,
    pub to_version: Option<i64>,
}

/// The queue and the agents, once a second.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    pub t: i64,
    /// Callers waiting, as the consoles last said.
    pub waiting: u64,
    /// Agents on a call.
    pub talking: u64,
    /// Agents by presence (`available`, `ringing`, `talking`, `wrap_up`, `away`), and
    /// `reconnecting`: their console stream is down.
    pub agents: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Series {
    pub started_ms: i64,
    pub ended_ms: i64,
    pub offer_latency: Vec<Latency>,
    pub console_latency: Vec<Latency>,
    pub resumes: Vec<Resume>,
    /// Console streams down when the run ended.
    pub unresumed: u64,
    pub samples: Vec<Sample>,
}

impl Series {
    pub fn offer(&mut self, ms: f64) {
        push(&mut self.offer_latency, Latency { t: unix_ms(), ms });
    }

    pub fn change_seen(&mut self, ms: f64) {
        push(&mut self.console_latency, Latency { t: unix_ms(), ms });
    }

    pub fn resumed(&mut self, r: Resume) {
        push(&mut self.resumes, r);
    }

    pub fn sample(&mut self, s: Sample) {
        push(&mut self.samples, s);
    }
}

fn push<T>(v: &mut Vec<T>, x: T) {
    if v.len() < KEPT {
        v.push(x);
    }
}
