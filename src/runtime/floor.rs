//! The floor of this instance: today's facts folded as they are written (from the database,
//! so that every instance, and this one after a restart, folds the same rows into the same
//! figures), and the floor's view made once per version for every supervisor watching.
//! Nothing is done while no floor is open: the view is made when a floor asks for it.

use std::sync::{Arc, OnceLock};

use axum::body::Bytes;

use super::center::Center;
use crate::center::{Day, FloorView};
use crate::clock::now_ms;
use crate::config::FloorSettings;
use crate::store::{FactTable, Store, StoreError};

/// Facts read per query while catching up.
const PAGE: i64 = 5_000;

/// The floor's view at one version, as JSON, shared by every floor stream.
#[derive(Debug)]
pub struct FloorFrame {
    pub version: i64,
    pub view: FloorView,
    pub json: String,
    /// The same as a server-sent event, made once for all the floors that send it.
    pub frame: OnceLock<Bytes>,
}

impl FloorFrame {
    pub fn event(&self) -> Bytes {
        self.frame.get_or_init(|| Bytes::from(format!("data: {}\n\n", self.json))).clone()
    }
}

#[derive(Clone)]
pub struct Floor {
    inner: Arc<Inner>,
}

struct Inner {
    center: Center,
    store: Store,
    health: super::health::Health,
    settings: FloorSettings,
    folded: tokio::sync::Mutex<Folded>,
}

struct Folded {
    day: Day,
    /// The last fact folded from each table.
    timeline: i64,
    log: i64,
    memo: Option<Arc<FloorFrame>>,
}

impl Floor {
    pub fn new(center: Center, store: Store, health: super::health::Health, settings: FloorSettings) -> Self {
        let folded = Folded { day: Day::new(i64::MAX), timeline: 0, log: 0, memo: None };
        Floor { inner: Arc::new(Inner { center, store, health, settings, folded: tokio::sync::Mutex::new(folded) }) }
    }

    pub fn settings(&self) -> &FloorSettings {
        &self.inner.settings
    }

    /// The floor as it stands: the same frame while nothing changed, a new one after a change.
    pub async fn frame(&self) -> Result<Arc<FloorFrame>, StoreError> {
        let inner = &self.inner;
        let mut f = inner.folded.lock().await;
        let now = now_ms();
        let start = inner.settings.day_start(now);
        if f.day.start != start {
            // A new day (or the first look): today's facts from the beginning.
            *f = Folded { day: Day::new(start), timeline: 0, log: 0, memo: None };
        }
        let version = inner.center.version();
        let pacing = inner.center.pacing();
        let outage = inner.health.outage();
        if let Some(memo) = f.memo.as_ref().filter(|m| m.version == version && m.view.pacing == pacing && m.view.outage == outage) {
            return Ok(memo.clone());
        }
        // While the database is away, the day's figures stay as last folded: the floor still
        // shows the live state and the outage.
        for table in [FactTable::Timeline, FactTable::AgentLog].into_iter().filter(|_| outage.is_none()) {
            loop {
                let after = match table {
                    FactTable::Timeline => f.timeline,
                    FactTable::AgentLog => f.log,
                };
                let facts = inner.store.facts(table, after, start, PAGE).await?;
                for fact in &facts {
                    f.day.record(fact.at, &fact.event);
                }
                if let Some(last) = facts.last() {
                    match table {
                        FactTable::Timeline => f.timeline = last.id,
                        FactTable::AgentLog => f.log = last.id,
                    }
                }
                if (facts.len() as i64) < PAGE {
                    break;
                }
            }
        }
        let view = FloorView { pacing, outage, ..inner.center.read(|s| s.floor_view(&f.day, &inner.settings.thresholds, now)) };
        // Most changes leave the floor as it was (a lease renewed): the same frame is kept, so
        // the streams see by pointer that there is nothing to send.
        let frame = match f.memo.as_ref() {
            Some(memo) if FloorView { now: memo.view.now, ..view.clone() } == memo.view => {
                Arc::new(FloorFrame { version, view: memo.view.clone(), json: memo.json.clone(), frame: memo.frame.clone() })
            }
            _ => {
                let json = serde_json::to_string(&view).unwrap_or_else(|_| "{}".into());
                Arc::new(FloorFrame { version, view, json, frame: OnceLock::new() })
            }
        };
        f.memo = Some(frame.clone());
        Ok(frame)
    }
}
