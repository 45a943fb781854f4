//! What the bots will do, drawn from a seed: when callers arrive (Poisson arrivals, now and then a
//! burst of several at once), how long each will wait, what they choose when offered a callback;
//! how long an agent takes to answer, talks, whether they consult or transfer, end their wrap-up
//! early, take breaks. Pure: no clock, no I/O, a small PRNG of our own (splitmix64), so the same
//! seed gives the same plan and a run can be replayed.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// splitmix64 (Steele, Lea, Flood): tiny, fast, and good enough for a traffic model.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// A stream of its own for `stream` (an agent, a caller), so that one more agent or caller
    /// does not change what the others draw.
    pub fn derive(seed: u64, stream: u64) -> Self {
        let mut r = Rng(seed ^ stream.wrapping_add(1).wrapping_mul(0xD6E8_FEB8_6659_FD93));
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in [lo, hi].
    pub fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform among lo..=hi.
    pub fn int_between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next_u64() % u64::from(hi.saturating_sub(lo) + 1)) as u32
    }

    /// Exponential with this mean (the gap between Poisson arrivals).
    pub fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let (u1, u2) = (1.0 - self.unit(), self.unit());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// A duration drawn log-normally around a median (most near it, a long tail, as talk times and
/// patience are), clamped to [min, max]. Seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub median: f64,
    /// The spread of the logarithm: 0 always gives the median, 0.5 mostly 0.6x-1.6x of it.
    pub sigma: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    pub fn draw(&self, rng: &mut Rng) -> Duration {
        let secs = (self.median * (self.sigma * rng.normal()).exp()).clamp(self.min, self.max.max(self.min));
        Duration::from_secs_f64(secs)
    }
}

/// Uniform between two numbers of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Between {
    pub min: f64,
    pub max: f64,
}

impl Between {
    pub fn draw(&self, rng: &mut Rng) -> Duration {
        Duration::from_secs_f64(rng.between(self.min, self.max.max(self.min)))
    }
}

/// The callers' traffic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallerMix {
    /// Callers per second, bursts included.
    pub rate_per_sec: f64,
    /// The chance that an arrival is a burst (several callers at the same instant) ...
    pub burst_chance: f64,
    /// ... of 2 to this many callers.
    pub burst_max: u32,
    /// How long a caller waits for an agent before hanging up.
    pub patience: Spread,
    /// Of the callers offered the callback menu: the share who press 1 (a callback) and who press
    /// 2 (a voicemail); the others stay on the line.
    pub callback_share: f64,
    pub voicemail_share: f64,
}

impl Default for CallerMix {
    fn default() -> Self {
        CallerMix {
            rate_per_sec: 0.2,
            burst_chance: 0.05,
            burst_max: 4,
            patience: Spread { median: 60.0, sigma: 0.6, min: 10.0, max: 300.0 },
            callback_share: 0.3,
            voicemail_share: 0.15,
        }
    }
}

/// What a caller does when offered the callback menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MenuChoice {
    Wait,
    Callback,
    Voicemail,
}

/// One caller.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    /// 0, 1, 2… in order of arrival.
    pub index: u64,
    /// After the start of the run.
    pub at: Duration,
    pub from: String,
    pub patience: Duration,
    pub choice: MenuChoice,
    /// Seeds the caller's own draws while it runs (the gaps between its looks at the call).
    pub seed: u64,
}

/// The callers, in order of arrival, without end (take as many as wanted).
#[derive(Debug, Clone)]
pub struct Arrivals {
    rng: Rng,
    mix: CallerMix,
    /// Seconds since the start.
    t: f64,
    index: u64,
    /// Callers of the current burst still to come at `t`.
    burst_left: u32,
    /// Callers' numbers are `+1555` and 7 digits, counting from here.
    first_number: u64,
}

impl Arrivals {
    pub fn new(seed: u64, mix: CallerMix) -> Self {
        let mut rng = Rng::derive(seed, u64::MAX);
        let first_number = rng.next_u64() % 10_000_000;
        Arrivals { rng, mix, t: 0.0, index: 0, burst_left: 0, first_number }
    }

    /// Arrival instants are spaced so that callers (not bursts) come at `rate_per_sec`: a burst
    /// of k counts k times.
    fn event_rate(&self) -> f64 {
        let burst_max = self.mix.burst_max.max(2) as f64;
        let mean_size = 1.0 + self.mix.burst_chance.clamp(0.0, 1.0) * ((2.0 + burst_max) / 2.0 - 1.0);
        self.mix.rate_per_sec / mean_size
    }
}

impl Iterator for Arrivals {
    type Item = Arrival;

    fn next(&mut self) -> Option<Arrival> {
        if self.mix.rate_per_sec <= 0.0 {
            return None;
        }
        if self.burst_left > 0 {
            self.burst_left -= 1;
        } else {
            self.t += self.rng.exp(1.0 / self.event_rate());
            if self.rng.chance(self.mix.burst_chance) {
                self.burst_left = self.rng.int_between(2, self.mix.burst_max.max(2)) - 1;
            }
        }
        let patience = self.mix.patience.draw(&mut self.rng);
        let pick = self.rng.unit();
        let choice = if pick < self.mix.callback_share {
            MenuChoice::Callback
        } else if pick < self.mix.callback_share + self.mix.voicemail_share {
            MenuChoice::Voicemail
        } else {
            MenuChoice::Wait
        };
        let index = self.index;
        self.index += 1;
        Some(Arrival {
            index,
            at: Duration::from_secs_f64(self.t),
            from: format!("+1555{:07}", (self.first_number + index) % 10_000_000),
            patience,
            choice,
            seed: self.rng.next_u64(),
        })
    }
}

/// How the agents work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentMix {
    /// From the ring to answering.
    pub answer_delay: Between,
    pub talk: Spread,
    /// Shares of answered calls the agent consults a colleague about (then completes the transfer,
    /// or cancels it with `cancel_share`), and transfers blind back to the queue.
    pub consult_share: f64,
    pub cancel_share: f64,
    pub blind_share: f64,
    /// How long agent and colleague talk before the transfer is completed or cancelled.
    pub consult_talk: Between,
    /// The share of wrap-ups ended early ("End wrap-up"), and after how long.
    pub end_wrap_up_share: f64,
    pub end_wrap_up_after: Between,
    /// Mean seconds between an agent's breaks (0: none), and their length.
    pub break_every: f64,
    pub break_length: Between,
}

impl Default for AgentMix {
    fn default() -> Self {
        AgentMix {
            answer_delay: Between { min: 1.0, max: 3.0 },
            talk: Spread { median: 20.0, sigma: 0.6, min: 5.0, max: 60.0 },
            consult_share: 0.1,
            cancel_share: 0.3,
            blind_share: 0.05,
            consult_talk: Between { min: 2.0, max: 6.0 },
            end_wrap_up_share: 0.3,
            end_wrap_up_after: Between { min: 2.0, max: 6.0 },
            break_every: 600.0,
            break_length: Between { min: 20.0, max: 90.0 },
        }
    }
}

/// What an agent will do with one call, drawn when it rings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallPlan {
    pub answer_after: Duration,
    pub talk: Duration,
    pub transfer: Option<Transfer>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transfer {
    /// Consult a colleague for `consult_talk`, then complete the transfer (or cancel it).
    Consult { complete: bool, talk_millis: u64 },
    /// Back to the queue, blind.
    BlindToQueue,
}

/// One agent's draws, in the order the agent asks for them.
#[derive(Debug, Clone)]
pub struct AgentDraws {
    rng: Rng,
    mix: AgentMix,
}

impl AgentDraws {
    /// Agent number `n` (1-based) of the run seeded `seed`.
    pub fn new(seed: u64, n: u64, mix: AgentMix) -> Self {
        AgentDraws { rng: Rng::derive(seed, n), mix }
    }

    pub fn call(&mut self) -> CallPlan {
        let answer_after = self.mix.answer_delay.draw(&mut self.rng);
        let talk = self.mix.talk.draw(&mut self.rng);
        let pick = self.rng.unit();
        let transfer = if pick < self.mix.consult_share {
            let complete = !self.rng.chance(self.mix.cancel_share);
            Some(Transfer::Consult { complete, talk_millis: self.mix.consult_talk.draw(&mut self.rng).as_millis() as u64 })
        } else if pick < self.mix.consult_share + self.mix.blind_share {
            Some(Transfer::BlindToQueue)
        } else {
            None
        };
        CallPlan { answer_after, talk, transfer }
    }

    /// Whether this wrap-up is ended early, and after how long.
    pub fn wrap_up(&mut self) -> Option<Duration> {
        let after = self.mix.end_wrap_up_after.draw(&mut self.rng);
        self.rng.chance(self.mix.end_wrap_up_share).then_some(after)
    }

    /// How long until the next break (none when breaks are off).
    pub fn next_break(&mut self) -> Option<Duration> {
        (self.mix.break_every > 0.0).then(|| Duration::from_secs_f64(self.rng.exp(self.mix.break_every)))
    }

    pub fn break_length(&mut self) -> Duration {
        self.mix.break_length.draw(&mut self.rng)
    }

    /// One of `n` (a colleague to consult); `n` > 0.
    pub fn pick(&mut self, n: usize) -> usize {
        (self.rng.next_u64() % n.max(1) as u64) as usize
    }

    /// A short while drawn from the answer delay (how long before coming back from a missed call,
    /// listening to a voicemail).
    pub fn pause(&mut self) -> Duration {
        self.mix.answer_delay.draw(&mut self.rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callers(seed: u64, mix: CallerMix, n: usize) -> Vec<Arrival> {
        Arrivals::new(seed, mix).take(n).collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_plan_and_another_seed_another() {
        let mix = CallerMix::default();
        assert_eq!(callers(7, mix.clone(), 200), callers(7, mix.clone(), 200));
        assert_ne!(callers(7, mix.clone(), 200), callers(8, mix, 200));
        let draw = |seed| {
            let mut a = AgentDraws::new(seed, 1, AgentMix::default());
            (0..100).map(|_| (a.call(), a.wrap_up(), a.next_break(), a.pick(5))).collect::<Vec<_>>()
        };
        assert_eq!(draw(3), draw(3));
        assert_ne!(draw(3), draw(4));
        // Agents of one run draw apart from each other.
        let (mut one, mut two) = (AgentDraws::new(3, 1, AgentMix::default()), AgentDraws::new(3, 2, AgentMix::default()));
        assert_ne!((0..20).map(|_| one.call()).collect::<Vec<_>>(), (0..20).map(|_| two.call()).collect::<Vec<_>>());
    }

    #[test]
    fn callers_arrive_at_the_rate_asked_for_bursts_included() {
        let mix = CallerMix { rate_per_sec: 2.0, burst_chance: 0.1, burst_max: 5, ..CallerMix::default() };
        let all = callers(11, mix, 40_000);
        let secs = all.last().unwrap().at.as_secs_f64();
        let rate = all.len() as f64 / secs;
        assert!((1.9..2.1).contains(&rate), "{rate} callers/s");
        assert!(all.windows(2).all(|w| w[0].at <= w[1].at), "in order");
        // Bursts: callers arriving at the very same instant; an arrival is one 10% of the time.
        let instants = 1 + all.windows(2).filter(|w| w[1].at > w[0].at).count();
        let together = all.len() - instants;
        let expected = instants as f64 * 0.1 * 2.5; // a burst of 2..=5 brings 2.5 more on average
        assert!((together as f64 - expected).abs() < expected * 0.1, "{together} vs {expected}");
        assert!(all.iter().enumerate().all(|(i, a)| a.index == i as u64));
    }

    #[test]
    fn draws_stay_within_their_bounds_and_shares_are_kept() {
        let mix = CallerMix::default();
        let all = callers(5, mix.clone(), 20_000);
        let (lo, hi) = (Duration::from_secs_f64(mix.patience.min), Duration::from_secs_f64(mix.patience.max));
        assert!(all.iter().all(|a| a.patience >= lo && a.patience <= hi));
        let share = |c: MenuChoice| all.iter().filter(|a| a.choice == c).count() as f64 / all.len() as f64;
        assert!((share(MenuChoice::Callback) - 0.3).abs() < 0.02);
        assert!((share(MenuChoice::Voicemail) - 0.15).abs() < 0.02);
        assert!(all.iter().all(|a| a.from.len() == 12 && a.from.starts_with("+1555")));
        let mut numbers: Vec<&str> = all.iter().map(|a| a.from.as_str()).collect();
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), all.len(), "every caller calls from a number of their own");

        let agent_mix = AgentMix::default();
        let mut a = AgentDraws::new(1, 1, agent_mix.clone());
        let plans: Vec<CallPlan> = (0..20_000).map(|_| a.call()).collect();
        assert!(plans.iter().all(|p| (1.0..=3.0).contains(&p.answer_after.as_secs_f64())));
        assert!(plans.iter().all(|p| (5.0..=60.0).contains(&p.talk.as_secs_f64())));
        let mut talks: Vec<f64> = plans.iter().map(|p| p.talk.as_secs_f64()).collect();
        talks.sort_by(f64::total_cmp);
        let median = talks[talks.len() / 2];
        assert!((18.0..22.0).contains(&median), "median talk {median}");
        let count = |f: &dyn Fn(&Transfer) -> bool| plans.iter().filter(|p| p.transfer.as_ref().is_some_and(f)).count() as f64 / 20_000.0;
        assert!((count(&|t| matches!(t, Transfer::Consult { .. })) - 0.1).abs() < 0.01);
        assert!((count(&|t| matches!(t, Transfer::Consult { complete: false, .. })) - 0.03).abs() < 0.01);
        assert!((count(&|t| *t == Transfer::BlindToQueue) - 0.05).abs() < 0.01);
        let ended: Vec<Duration> = (0..10_000).filter_map(|_| a.wrap_up()).collect();
        assert!((ended.len() as f64 / 10_000.0 - 0.3).abs() < 0.02);
        assert!(ended.iter().all(|d| (2.0..=6.0).contains(&d.as_secs_f64())));
        let breaks: Vec<f64> = (0..10_000).map(|_| a.next_break().unwrap().as_secs_f64()).collect();
        let mean = breaks.iter().sum::<f64>() / breaks.len() as f64;
        assert!((570.0..630.0).contains(&mean), "mean gap between breaks {mean}");
        assert!((0..1000).all(|_| a.pick(3) < 3));
    }

    #[test]
    fn no_rate_no_callers_and_no_breaks_when_they_are_off() {
        assert_eq!(Arrivals::new(1, CallerMix { rate_per_sec: 0.0, ..CallerMix::default() }).next(), None);
        let mut a = AgentDraws::new(1, 1, AgentMix { break_every: 0.0, ..AgentMix::default() });
        assert_eq!(a.next_break(), None);
    }
}
