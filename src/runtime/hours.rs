//! The opening hours this instance answers callers with: the stored row, parsed once, read
//! again every second (another instance, or the CLI, may have changed it), and changed only
//! from the version the editor saw.
//!
//! The core asks them as its [`Calendar`] (the center is given this value): whether a caller
//! who rings is turned away, and when closing time falls, are its decisions, on its clock and
//! its timers. Asking is a read of memory, no query, so the hours cost a call nothing
//! measurable.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::RwLock;

use crate::center::{Calendar, ClosedWhy, Millis, Openness};
use crate::clock::now_ms;
use crate::schedule::{Closure, Hours, Schedule, ScheduleError};
use crate::store::{HoursChange, HoursRow, Store, StoreError};

/// How often the stored row is read again.
const REFRESH: Duration = Duration::from_secs(1);

/// The opening hours as last read.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub hours: Hours,
    pub row: HoursRow,
}

#[derive(Clone)]
pub struct OpeningHours {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    known: RwLock<Arc<Known>>,
    /// Added to the server's clock when asking the hours (the simulator's movable clock: a test
    /// or a demo tries closing time without waiting for it). Zero outside simulator mode.
    shift: AtomicI64,
}

/// Why a change to the opening hours was not made.
#[derive(Debug, thiserror::Error)]
pub enum HoursError {
    #[error("the opening hours were changed meanwhile by {by}: read them again and redo your change")]
    Conflict { by: String },
    #[error("{0}")]
    BadSchedule(#[from] ScheduleError),
    #[error("the center is not closed by the switch: the schedule decides")]
    NotClosed,
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl Known {
    fn from_row(row: HoursRow) -> Known {
        let schedule = row.schedule.as_deref().and_then(|text| {
            Schedule::parse(text)
                .inspect_err(|e| tracing::error!(error = %e, "the stored opening hours cannot be read: open around the clock"))
                .ok()
        });
        let closure = row.closed.clone().map(|(reason, by, since)| Closure { reason, by, since });
        Known { hours: Hours { schedule, closure }, row }
    }
}

impl OpeningHours {
    /// Reads the stored hours and keeps them fresh while this value lives.
    pub async fn start(store: &Store) -> Result<Self, StoreError> {
        let known = Known::from_row(store.hours().await?);
        let inner = Inner { store: store.clone(), known: RwLock::new(Arc::new(known)), shift: AtomicI64::new(0) };
        let hours = OpeningHours { inner: Arc::new(inner) };
        tokio::spawn(refresh_loop(Arc::downgrade(&hours.inner)));
        Ok(hours)
    }

    /// The clock the hours are asked with (the server's, plus the simulator's shift).
    pub fn now(&self) -> i64 {
        now_ms() + self.inner.shift.load(Ordering::Relaxed)
    }

    /// Moves the hours' clock by `by` ms (simulator mode only: the edge checks).
    pub fn shift_clock(&self, by: i64) -> i64 {
        self.inner.shift.fetch_add(by, Ordering::Relaxed) + by
    }

    pub fn known(&self) -> Arc<Known> {
        self.inner.known.read().clone()
    }

    /// What a caller who finds us closed hears (`opens` on the core's clock, as [`Calendar::at`]
    /// gave it).
    pub fn closed_message(&self, why: &ClosedWhy, opens: Option<Millis>) -> String {
        let shift = self.inner.shift.load(Ordering::Relaxed);
        self.known().hours.closed_message(why, opens.map(|t| t + shift), self.now())
    }

    /// Reads the stored row again.
    pub async fn refresh(&self) -> Result<Arc<Known>, StoreError> {
        refresh(&self.inner).await
    }

    /// Makes `change` on behalf of `by`, if the hours are still at `version`; a schedule's
    /// text is checked first (a mistake changes nothing and names its line).
    pub async fn change(&self, version: i64, by: &str, change: HoursChange) -> Result<Arc<Known>, HoursError> {
        if let HoursChange::Schedule(Some(text)) = &change {
            Schedule::parse(text)?;
        }
        if change == HoursChange::Closed(None) && self.known().row.version == version && self.known().row.closed.is_none() {
            return Err(HoursError::NotClosed);
        }
        match self.inner.store.change_hours(version, by, &change).await? {
            Some(_) => Ok(self.refresh().await?),
            None => {
                let now = self.refresh().await?;
                Err(HoursError::Conflict { by: now.row.changed_by.clone().unwrap_or_else(|| "someone".into()) })
            }
        }
    }
}

async fn refresh(inner: &Inner) -> Result<Arc<Known>, StoreError> {
    let row = inner.store.hours().await?;
    let mut known = inner.known.write();
    if known.row != row {
        *known = Arc::new(Known::from_row(row));
    }
    Ok(known.clone())
}

async fn refresh_loop(inner: Weak<Inner>) {
    let mut every = tokio::time::interval(REFRESH);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        if let Err(e) = refresh(&inner).await {
            tracing::warn!(error = %e, "could not read the opening hours again: keeping the last known");
        }
    }
}

/// The hours as the core asks them: the last known, on the core's clock moved by the
/// simulator's shift (instants it answers are moved back, so the core's timers fall on them).
impl Calendar for OpeningHours {
    fn at(&self, now: Millis) -> Openness {
        let shift = self.inner.shift.load(Ordering::Relaxed);
        match self.known().hours.at(now + shift) {
            Openness::Open { closes } => Openness::Open { closes: closes.map(|t| t - shift) },
            Openness::Closed { why, opens } => Openness::Closed { why, opens: opens.map(|t| t - shift) },
        }
    }

    fn is_open(&self, now: Millis) -> bool {
        self.known().hours.is_open(now + self.inner.shift.load(Ordering::Relaxed))
    }
}
