//! Time in the center: a `Tick` whenever something falls due (a wrap-up ends, an offer is
//! overdue, a lease lapses, closing time), the heartbeat that renews the leases of the consoles connected
//! here, and a look at the roster every few seconds.

use std::sync::Weak;
use std::time::Duration;

use super::center::{Center, Inner};
use crate::center::Command;
use crate::clock::now_ms;

/// How often the ticker looks whether something fell due.
const TICK: Duration = Duration::from_millis(250);
/// How often (in ticks) the roster is read again: new accounts show within a few seconds.
const ROSTER_EVERY: u64 = 20;

pub(super) async fn tick_loop(inner: Weak<Inner>) {
    let mut interval = tokio::time::interval(TICK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut ticks = 0u64;
    loop {
        interval.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        let center = Center { inner };
        ticks += 1;
        if ticks.is_multiple_of(ROSTER_EVERY) {
            if let Err(e) = center.refresh_roster().await {
                tracing::warn!(error = %e, "could not read the agents");
            }
        }
        let now = now_ms();
        let due = center.read(|s| s.next_due(center.rules(), &center.inner.hours, now)).is_some_and(|t| t <= now);
        if due {
            if let Err(e) = center.decide(Command::Tick).await {
                tracing::warn!(error = %e, "tick not decided");
            }
        }
    }
}

/// Renews the lease of every agent with a console stream open here, a third of a lease apart.
pub(super) async fn heartbeat_loop(inner: Weak<Inner>) {
    let every = inner.upgrade().map(|i| i.rules.lease / 3).unwrap_or(10_000).max(100) as u64;
    let mut interval = tokio::time::interval(Duration::from_millis(every));
    loop {
        interval.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        let center = Center { inner };
        let agents = center.inner.consoles.connected();
        if agents.is_empty() {
            continue;
        }
        if let Err(e) = center.decide(Command::Heartbeat { agents }).await {
            tracing::warn!(error = %e, "heartbeat not recorded");
        }
    }
}
