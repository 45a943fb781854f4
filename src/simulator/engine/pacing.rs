//! The account's calls-per-second limit on the calls the REST API creates (`Calls.json`, and the
//! call of a participant added with `Participants.json`): Twilio's "CPS".
//!
//! Twilio accepts every such request at once (201, `queued`) but places the calls from one queue
//! per account, oldest first, no faster than the account's rate (1 call per second unless Twilio
//! raised it), and says nothing about it: an app that dials in bursts (several agents, a callback
//! wave) sees its later calls ring late, and must not take "queued" for "ringing". The simulator
//! does the same: a created call stays `queued` until its turn, then starts as any outbound call
//! does (`initiated`, `ringing`). A call canceled (or hung up) while it waits is taken out of the
//! queue and never dialled; its only callback is the final one (`canceled`). Calls coming in to
//! the support number never wait: the limit is on the calls the account places.
//!
//! [`Pacer`] is the queue and the clock of the last start, nothing else: the engine decides what
//! starting a call means and when to ask (at creation, and on every `tick`). Times are passed in.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::ids::CallSid;
use crate::simulator::time::rfc2822;

/// Twilio's rate for an account unless it was raised.
pub const DEFAULT_CALLS_PER_SECOND: f64 = 1.0;

/// The slowest pace taken: Twilio places nothing that would wait more than a day in its queue
/// (error 22005), so a slower rate means nothing more.
const SLOWEST: Duration = Duration::from_secs(24 * 3600);

/// The calls waiting for their turn, and when the next may start.
#[derive(Debug, Clone, Default)]
pub(super) struct Pacer {
    /// The least time between two starts; `None`: no limit.
    interval: Option<Duration>,
    /// Created but not started yet, oldest first, each with when it was created.
    waiting: VecDeque<(CallSid, SystemTime)>,
    /// The earliest the next call may start (the last start plus `interval`).
    next_start: Option<SystemTime>,
}

/// What the monitor may show of the queue of paced calls (part of the engine's snapshot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PacingView {
    /// The least time between two API-created calls starting, in ms (1000 at 1 call per second);
    /// `None`: no limit.
    pub interval_ms: Option<u64>,
    /// How many API-created calls were accepted (`queued`) and wait for their turn.
    pub waiting: usize,
    /// When the oldest of them was created (RFC 2822); `None` when none waits.
    pub waiting_since: Option<String>,
    /// The earliest the next of them may start (RFC 2822); `None` when none waits.
    pub next_start: Option<String>,
}

impl Pacer {
    /// `calls_per_second` ≤ 0 (or not a number, or infinite): no limit.
    pub fn set_calls_per_second(&mut self, calls_per_second: f64) {
        let cps = calls_per_second;
        self.interval = if cps.is_nan() || cps <= 0.0 || cps.is_infinite() {
            None
        } else {
            Some(Duration::try_from_secs_f64(1.0 / cps).map_or(SLOWEST, |d| d.min(SLOWEST)))
        };
        if self.interval.is_none() {
            // Lifted: whatever waits goes at the next chance, not after the old interval.
            self.next_start = None;
        }
    }

    /// `sid` (created `now`) waits behind the calls created before it.
    pub fn enqueue(&mut self, sid: CallSid, now: SystemTime) {
        self.waiting.push_back((sid, now));
    }

    /// The oldest waiting call, if its turn has come at `now`: taken out of the queue, its start
    /// counted (the next one waits the interval from now).
    pub fn next_due(&mut self, now: SystemTime) -> Option<CallSid> {
        if self.waiting.is_empty() || self.next_start.is_some_and(|t| t > now) {
            return None;
        }
        let (sid, _) = self.waiting.pop_front()?;
        // Counted from the actual start, so two starts are never closer than the interval, however
        // late the tick that started this one came.
        self.next_start = self.interval.and_then(|i| now.checked_add(i));
        Some(sid)
    }

    /// A call that ended while waiting (canceled, hung up) gives up its place.
    pub fn forget(&mut self, sid: &CallSid) {
        self.waiting.retain(|(s, _)| s != sid);
    }

    pub fn view(&self) -> PacingView {
        let waits = !self.waiting.is_empty();
        PacingView {
            interval_ms: self.interval.map(|i| u64::try_from(i.as_millis()).unwrap_or(u64::MAX)),
            waiting: self.waiting.len(),
            waiting_since: self.waiting.front().map(|(_, since)| rfc2822(*since)),
            next_start: self.next_start.filter(|_| waits).map(rfc2822),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    fn sid(n: u32) -> CallSid {
        CallSid::parse(&format!("CA{n:032x}")).unwrap()
    }

    fn at(millis: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_795_287_600) + Duration::from_millis(millis)
    }

    #[test]
    fn calls_start_one_interval_apart_in_the_order_they_were_created() {
        let mut pacer = Pacer::default();
        pacer.set_calls_per_second(2.0);
        for n in 1..=3 {
            pacer.enqueue(sid(n), at(0));
        }
        assert_eq!(pacer.next_due(at(0)), Some(sid(1)));
        assert_eq!(pacer.next_due(at(0)), None, "the next waits half a second");
        assert_eq!(pacer.next_due(at(499)), None);
        assert_eq!(pacer.next_due(at(500)), Some(sid(2)));
        // A late start pushes the next one back: never two starts closer than the interval.
        assert_eq!(pacer.next_due(at(1200)), Some(sid(3)));
        pacer.enqueue(sid(4), at(1300));
        assert_eq!(pacer.next_due(at(1699)), None);
        assert_eq!(pacer.next_due(at(1700)), Some(sid(4)));
    }

    #[test]
    fn no_rate_or_a_rate_of_zero_or_less_is_no_limit() {
        for cps in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let mut pacer = Pacer::default();
            pacer.set_calls_per_second(cps);
            pacer.enqueue(sid(1), at(0));
            pacer.enqueue(sid(2), at(0));
            assert_eq!((pacer.next_due(at(0)), pacer.next_due(at(0))), (Some(sid(1)), Some(sid(2))), "{cps}");
            assert_eq!(pacer.view().interval_ms, None);
        }
    }

    #[test]
    fn a_limit_lifted_lets_everything_waiting_go_at_once() {
        let mut pacer = Pacer::default();
        pacer.set_calls_per_second(1.0);
        for n in 1..=3 {
            pacer.enqueue(sid(n), at(0));
        }
        assert_eq!(pacer.next_due(at(0)), Some(sid(1)));
        pacer.set_calls_per_second(0.0);
        assert_eq!((pacer.next_due(at(1)), pacer.next_due(at(1))), (Some(sid(2)), Some(sid(3))));
    }

    #[test]
    fn a_forgotten_call_gives_up_its_place_and_the_view_counts_who_waits_since_when() {
        let mut pacer = Pacer::default();
        pacer.set_calls_per_second(1.0);
        pacer.enqueue(sid(1), at(0));
        pacer.enqueue(sid(2), at(0));
        pacer.enqueue(sid(3), at(2000));
        assert_eq!(pacer.next_due(at(0)), Some(sid(1)));
        pacer.forget(&sid(2));
        let view = pacer.view();
        assert_eq!((view.interval_ms, view.waiting), (Some(1000), 1));
        assert_eq!(view.waiting_since, Some(rfc2822(at(2000))));
        assert_eq!(view.next_start, Some(rfc2822(at(1000))));
        assert_eq!(pacer.next_due(at(1000)), Some(sid(3)));
        assert_eq!(pacer.view(), PacingView { interval_ms: Some(1000), waiting: 0, waiting_since: None, next_start: None });
    }

    #[test]
    fn a_rate_slower_than_a_call_a_day_is_a_call_a_day() {
        let mut pacer = Pacer::default();
        pacer.set_calls_per_second(1e-300);
        assert_eq!(pacer.view().interval_ms, Some(24 * 3600 * 1000));
    }
}
