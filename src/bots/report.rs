//! What the bots saw: each agent's counts, the callers' outcomes and waits, and the summary of a
//! run (printed as JSON by `warm-transfer bots`, logged every minute in demo mode).

use std::collections::VecDeque;
use std::time::Duration;

use serde::Serialize;

use super::caller::{CallerReport, Outcome};

/// Errors kept word for word per agent (the count goes on).
const ERRORS_KEPT: usize = 5;
/// Waits kept for the percentiles (the newest; a demo runs for hours).
const WAITS_KEPT: usize = 20_000;
/// Notes about lost and failed callers kept.
const NOTES_KEPT: usize = 20;

/// One agent bot's counts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AgentReport {
    pub id: String,
    /// Rings on its phone.
    pub offers: u64,
    pub answered: u64,
    /// Rings that had stopped when it answered.
    pub answered_too_late: u64,
    /// Rings withdrawn before it answered (the caller hung up, the offer moved on).
    pub rings_withdrawn: u64,
    /// Offered or rung for a call while another was live on its phone (as the simulated Twilio
    /// says when it rings): must be 0.
    pub double_offers: u64,
    /// Rang while the bot still counted a leg live that Twilio had ended (the phone feed's
    /// "call ended" came after the next ring): the bot's view, not the app's.
    pub late_ends: u64,
    pub hung_up: u64,
    pub consults: u64,
    pub consults_completed: u64,
    pub consults_cancelled: u64,
    /// Consults not asked for: no colleague was available.
    pub consults_skipped: u64,
    /// Consults the colleague never answered (or that ended before they did).
    pub consults_failed: u64,
    pub blind_transfers: u64,
    pub voicemails: u64,
    pub wrap_ups_ended_early: u64,
    pub breaks: u64,
    /// Made itself available again after being made away or offline (a missed call).
    pub came_back: u64,
    /// Steps the app refused as "not now" (409): races with the server, not faults.
    pub steps_refused: u64,
    /// The console stream's events (keep-alives included) and the longest gap between two.
    pub console_events: u64,
    pub longest_console_silence_ms: u64,
    pub errors: u64,
    pub last_errors: Vec<String>,
}

impl AgentReport {
    pub fn error(&mut self, text: String) {
        self.errors += 1;
        if self.last_errors.len() >= ERRORS_KEPT {
            self.last_errors.remove(0);
        }
        self.last_errors.push(text);
    }

    /// Every agent's counts added up.
    pub fn total(all: &[AgentReport]) -> AgentReport {
        let mut t = AgentReport { id: "all".into(), ..AgentReport::default() };
        for a in all {
            t.offers += a.offers;
            t.answered += a.answered;
            t.answered_too_late += a.answered_too_late;
            t.rings_withdrawn += a.rings_withdrawn;
            t.double_offers += a.double_offers;
            t.late_ends += a.late_ends;
            t.hung_up += a.hung_up;
            t.consults += a.consults;
            t.consults_completed += a.consults_completed;
            t.consults_cancelled += a.consults_cancelled;
            t.consults_failed += a.consults_failed;
            t.consults_skipped += a.consults_skipped;
            t.blind_transfers += a.blind_transfers;
            t.voicemails += a.voicemails;
            t.wrap_ups_ended_early += a.wrap_ups_ended_early;
            t.breaks += a.breaks;
            t.came_back += a.came_back;
            t.steps_refused += a.steps_refused;
            t.console_events += a.console_events;
            t.longest_console_silence_ms = t.longest_console_silence_ms.max(a.longest_console_silence_ms);
            t.errors += a.errors;
            t.last_errors.extend(a.last_errors.iter().map(|e| format!("{}: {e}", a.id)));
        }
        t.last_errors.truncate(ERRORS_KEPT * 4);
        t
    }
}

/// The callers' outcomes.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcomes {
    pub callers: u64,
    pub served: u64,
    pub abandoned: u64,
    pub callback: u64,
    pub voicemail: u64,
    pub lost: u64,
    pub failed: u64,
}

/// Waits until an agent answered, in milliseconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Waits {
    pub p50_ms: u64,
    pub p99_ms: u64,
    pub max_ms: u64,
}

/// The callers' reports, folded as they come.
#[derive(Debug, Default)]
pub struct Tally {
    pub outcomes: Outcomes,
    waits: VecDeque<u64>,
    notes: Vec<String>,
}

impl Tally {
    pub fn add(&mut self, r: CallerReport) {
        let o = &mut self.outcomes;
        o.callers += 1;
        *match r.outcome {
            Outcome::Served => &mut o.served,
            Outcome::Abandoned => &mut o.abandoned,
            Outcome::Callback => &mut o.callback,
            Outcome::Voicemail => &mut o.voicemail,
            Outcome::Lost => &mut o.lost,
            Outcome::Failed => &mut o.failed,
        } += 1;
        if let Some(wait) = r.wait {
            if self.waits.len() >= WAITS_KEPT {
                self.waits.pop_front();
            }
            self.waits.push_back(wait.as_millis() as u64);
        }
        if let Some(note) = r.note.filter(|_| self.notes.len() < NOTES_KEPT) {
            self.notes.push(note);
        }
    }

    pub fn waits(&self) -> Waits {
        let mut w: Vec<u64> = self.waits.iter().copied().collect();
        w.sort_unstable();
        let at = |q: f64| w.get(((w.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0);
        Waits { p50_ms: at(0.5), p99_ms: at(0.99), max_ms: w.last().copied().unwrap_or(0) }
    }
}

/// A run's summary.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub outcomes: Outcomes,
    pub waits: Waits,
    /// What happened to lost and failed callers.
    pub notes: Vec<String>,
    /// Every agent's counts added up, then each agent's.
    pub agents: AgentReport,
    pub per_agent: Vec<AgentReport>,
    /// Whether the queue was empty and every agent idle before the agents stopped.
    pub drained: bool,
    pub seconds: f64,
    /// What was measured over time (a run's end only; not in the demo's minute logs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<super::series::Series>,
}

impl Summary {
    pub fn new(tally: &Tally, per_agent: Vec<AgentReport>, drained: bool, took: Duration) -> Self {
        Summary {
            outcomes: tally.outcomes.clone(),
            waits: tally.waits(),
            notes: tally.notes.clone(),
            agents: AgentReport::total(&per_agent),
            per_agent,
            drained,
            seconds: took.as_secs_f64(),
            series: None,
        }
    }

    /// Nothing that must never happen happened (no caller lost, no double offer), and no bot
    /// failed to do its part (an error, a call it could not place or watch).
    pub fn clean(&self) -> bool {
        self.outcomes.lost == 0 && self.agents.double_offers == 0 && self.agents.errors == 0 && self.outcomes.failed == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served(ms: u64) -> CallerReport {
        CallerReport { outcome: Outcome::Served, wait: Some(Duration::from_millis(ms)), note: None }
    }

    #[test]
    fn outcomes_are_counted_and_waits_ranked() {
        let mut t = Tally::default();
        (1..=100).for_each(|ms| t.add(served(ms)));
        t.add(CallerReport { outcome: Outcome::Lost, wait: None, note: Some("CA1 ended".into()) });
        t.add(CallerReport { outcome: Outcome::Callback, wait: None, note: None });
        let w = t.waits();
        assert_eq!((w.p50_ms, w.p99_ms, w.max_ms), (51, 99, 100));
        assert_eq!((t.outcomes.callers, t.outcomes.served, t.outcomes.lost, t.outcomes.callback), (102, 100, 1, 1));
        let s = Summary::new(&t, vec![AgentReport { id: "bot1".into(), double_offers: 0, ..AgentReport::default() }], true, Duration::ZERO);
        assert!(!s.clean(), "a lost caller");
        assert_eq!(s.notes, vec!["CA1 ended".to_string()]);
        assert_eq!(Tally::default().waits().p99_ms, 0);
    }
}
