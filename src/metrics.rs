//! What the server counts and measures, for `GET /metrics` (Prometheus' text format, written by
//! the `prometheus-client` crate). One set per running application (so several in one test
//! process never mix): the runtime counts decisions and their commit time and the offers,
//! answers, misses and abandons it decides; the effects worker counts Twilio's REST requests by
//! kind and outcome with their latency, and the outbox's retries and failures; the gauges (the
//! queue, agents by presence, console streams) are read from the live state when scraped.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// The one queue's name on every per-queue series (several queues will add theirs).
pub const QUEUE: &str = "main";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// What was asked of Twilio: `dial`, `cancel-leg`, `hang-up-caller`, `arrange`, `add-monitor`, `update-monitor`.
    pub kind: String,
    /// `ok`, `retry` (failed, tried again later) or `failed` (given up).
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct QueueLabel {
    pub queue: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PresenceLabel {
    pub presence: String,
}

type Seconds = Family<KindLabel, Histogram, fn() -> Histogram>;

fn latency() -> Histogram {
    // 1 ms to ~16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

pub struct Metrics {
    registry: Registry,
    pub decisions: Counter,
    pub commit_seconds: Histogram,
    pub offers: Counter,
    pub answers: Counter,
    pub misses: Counter,
    pub abandons: Counter,
    pub twilio_requests: Family<RequestLabels, Counter>,
    pub twilio_seconds: Seconds,
    pub outbox_retries: Family<KindLabel, Counter>,
    pub outbox_failures: Family<KindLabel, Counter>,
    pub callers_waiting: Family<QueueLabel, Gauge>,
    pub longest_wait_seconds: Family<QueueLabel, Gauge<f64, AtomicU64>>,
    pub agents: Family<PresenceLabel, Gauge>,
    pub console_streams: Gauge,
    pub database_up: Gauge,
    pub database_down_seconds: Gauge,
    pub callers_aside: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut m = Metrics {
            registry: Registry::with_prefix("warm_transfer"),
            decisions: Counter::default(),
            commit_seconds: latency(),
            offers: Counter::default(),
            answers: Counter::default(),
            misses: Counter::default(),
            abandons: Counter::default(),
            twilio_requests: Family::default(),
            twilio_seconds: Family::new_with_constructor(latency),
            outbox_retries: Family::default(),
            outbox_failures: Family::default(),
            callers_waiting: Family::default(),
            longest_wait_seconds: Family::default(),
            agents: Family::default(),
            console_streams: Gauge::default(),
            database_up: Gauge::default(),
            database_down_seconds: Gauge::default(),
            callers_aside: Gauge::default(),
        };
        let r = &mut m.registry;
        r.register("decisions", "Commands decided (each in a durable transaction)", m.decisions.clone());
        r.register("commit_seconds", "Time to decide and commit one batch of commands", m.commit_seconds.clone());
        r.register("offers", "Calls offered to an agent", m.offers.clone());
        r.register("answers", "Offers answered by an agent", m.answers.clone());
        r.register("misses", "Offers an agent did not take (no answer, declined, unreachable)", m.misses.clone());
        r.register(
            "abandons",
            "Callers who hung up before any agent answered (the floor's abandons, short ones included)",
            m.abandons.clone(),
        );
        r.register("twilio_requests", "REST requests to Twilio by kind and outcome", m.twilio_requests.clone());
        r.register("twilio_request_seconds", "Latency of REST requests to Twilio by kind", m.twilio_seconds.clone());
        r.register("outbox_retries", "Requests to Twilio that failed and will be tried again", m.outbox_retries.clone());
        r.register("outbox_failures", "Requests to Twilio given up after their retries", m.outbox_failures.clone());
        r.register("callers_waiting", "Callers in the queue now", m.callers_waiting.clone());
        r.register("longest_wait_seconds", "How long the caller at the head of the queue has waited", m.longest_wait_seconds.clone());
        r.register("agents", "Agents by presence now", m.agents.clone());
        r.register("console_streams", "Agent consoles streaming from this instance", m.console_streams.clone());
        r.register(
            "database_up",
            "1 while the database takes writes, 0 while it is away (as this instance found it)",
            m.database_up.clone(),
        );
        r.register("database_down_seconds", "How long the database has been away (0 while it answers)", m.database_down_seconds.clone());
        r.register("callers_aside", "Callers kept aside while the database is away, to be queued once it is back", m.callers_aside.clone());
        m
    }

    /// Everything, in Prometheus' text format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "the metrics could not be written");
        }
        out
    }
}
