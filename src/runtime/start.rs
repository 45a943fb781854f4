//! Starting the center: the state as stored, the writer, the timers and (on PostgreSQL) the
//! listener that follows the other instances.

use std::sync::Arc;

use parking_lot::RwLock;
use tokio::sync::{broadcast, mpsc, Notify};

use super::center::{Cached, Center, Inner};
use super::commit::{write_loop, MAX_BATCH};
use super::hours::OpeningHours;
use super::replica::listen;
use super::timers::{heartbeat_loop, tick_loop};
use crate::center::Rules;
use crate::store::{Backend, Store, StoreError};

impl Center {
    /// Loads the state and starts the writer, the ticker, the heartbeat and (on PostgreSQL) the
    /// listener for other instances' changes.
    pub async fn start(
        store: &Store,
        rules: Rules,
        hours: OpeningHours,
        metrics: Arc<crate::metrics::Metrics>,
    ) -> Result<Self, StoreError> {
        let (version, state) = store.load_state().await?;
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        let (changes, _) = broadcast::channel(1024);
        let center = Center {
            inner: Arc::new(Inner {
                store: store.clone(),
                rules,
                hours,
                cache: RwLock::new(Cached { state, version }),
                jobs,
                changes,
                effects: Arc::new(Notify::new()),
                consoles: Default::default(),
                deciding: tokio::sync::Mutex::new(()),
                metrics,
                pacing: tokio::sync::watch::channel(None).0,
                health: super::health::Health::new(store.clone()),
            }),
        };
        tokio::spawn(write_loop(center.clone(), queue));
        tokio::spawn(tick_loop(Arc::downgrade(&center.inner)));
        tokio::spawn(heartbeat_loop(Arc::downgrade(&center.inner)));
        if store.backend() == Backend::Postgres {
            listen(Arc::downgrade(&center.inner), store.url().to_string()).await?;
        }
        Ok(center)
    }
}
