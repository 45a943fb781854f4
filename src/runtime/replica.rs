//! PostgreSQL: following the other instances. Each committed decision is announced (`NOTIFY`,
//! see `announce`); this instance brings its copy to that version through the core, from the
//! announcement alone (leases renewed), by reading only the rows it names, or, after a gap, by
//! reading the whole state again. Then its consoles are redrawn.

use crate::center::AgentEvent;
use std::sync::{Arc, Weak};

use super::announce::{Announcement, CHANNEL};
use super::center::{Cached, Center, Change, Inner, Reread};
use crate::center::Event;
use crate::clock::now_ms;
use crate::ids::{AgentId, CallSid};
use crate::store::state;
use crate::store::StoreError;

/// Listens for other instances' decisions for as long as the center lives.
pub(super) async fn listen(inner: Weak<Inner>, url: String) -> Result<(), StoreError> {
    let mut listener = sqlx::postgres::PgListener::connect(&url).await?;
    listener.listen(CHANNEL).await?;
    tokio::spawn(async move {
        loop {
            let announcement = match listener.try_recv().await {
                Ok(Some(notification)) => Announcement::parse(notification.payload()),
                // The connection was lost (the next call makes it again): announcements sent
                // meanwhile are lost, so everything is read again.
                Ok(None) => Announcement::Full { v: i64::MAX },
                Err(e) => {
                    tracing::warn!(error = %e, "lost the PostgreSQL listener; retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    Announcement::Full { v: i64::MAX }
                }
            };
            let Some(inner) = inner.upgrade() else { return };
            Center { inner }.catch_up(announcement).await;
        }
    });
    Ok(())
}

impl Center {
    /// Brings this instance's copy to the announcement's version: from the version just before
    /// by what it names, from anything else by reading the whole state. Its own decisions
    /// (already in the copy) are skipped.
    ///
    /// Rows read here may already be newer than the announcement (another decision committed
    /// since); the copy is then ahead of its version, which is safe: the next decision here
    /// finds a version it did not expect and reads the whole state inside its transaction, and
    /// the next announcement reads those rows again.
    async fn catch_up(&self, announcement: Announcement) {
        let version = announcement.version();
        let _deciding = self.inner.deciding.lock().await;
        let have = self.version();
        if have >= version {
            return;
        }
        let next = have.checked_add(1) == Some(version);
        let result = match announcement {
            Announcement::Seen { until, agents, .. } if next => self.renew_leases(version, until, agents).await,
            Announcement::Rows { agents, calls, .. } if next => self.read_rows(version, agents, calls).await,
            _ => self.reload().await,
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not follow another instance's change");
        }
    }

    /// Leases renewed on another instance: applied as the core applies them; no row is read
    /// (but an agent this copy does not have yet).
    async fn renew_leases(&self, version: i64, until: i64, agents: Vec<String>) -> Result<(), StoreError> {
        let ids: Vec<AgentId> = agents.iter().filter_map(|a| AgentId::parse(a).ok()).collect();
        let missing: Vec<String> = self.read(|s| ids.iter().filter(|id| !s.agents.contains_key(*id)).map(|id| id.to_string()).collect());
        let read = if missing.is_empty() { Vec::new() } else { state::read_agents(&self.inner.store, Some(&missing)).await? };
        let events: Vec<Event> = ids.into_iter().map(|agent| Event::Agent(AgentEvent::Seen { agent, until })).collect();
        {
            let mut cache = self.inner.cache.write();
            cache.state.restore(read, &[], Vec::new());
            for event in &events {
                cache.state.apply(event, now_ms());
            }
            cache.version = version;
        }
        // Consoles show no lease: they see from these events that they have nothing to redraw.
        self.announce(Change { version, events: Arc::new(events), reread: Reread::Nothing }, false);
        Ok(())
    }

    /// Another instance's decision: only the rows it wrote are read again.
    async fn read_rows(&self, version: i64, agents: Option<Vec<String>>, calls: Vec<String>) -> Result<(), StoreError> {
        let store = &self.inner.store;
        let read = match &agents {
            Some(ids) if ids.is_empty() => Vec::new(),
            Some(ids) => state::read_agents(store, Some(ids)).await?,
            None => state::read_agents(store, None).await?,
        };
        let live = state::read_live_calls(store, &calls).await?;
        let named: Vec<CallSid> = calls.iter().filter_map(|c| CallSid::parse(c).ok()).collect();
        // An agent named whose row is gone was removed (every agent is named when `None`).
        let removed: Vec<AgentId> = self.read(|s| {
            s.agents
                .keys()
                .filter(|id| agents.as_ref().is_none_or(|named| named.iter().any(|n| n == id.as_str())))
                .filter(|id| !read.iter().any(|a| &a.id == *id))
                .cloned()
                .collect()
        });
        {
            let mut cache = self.inner.cache.write();
            cache.state.restore(read, &named, live);
            for agent in removed {
                cache.state.apply(&Event::Agent(AgentEvent::AccountRemoved { agent }), now_ms());
            }
            cache.version = version;
        }
        let reread = match agents {
            Some(ids) => Reread::Agents(Arc::new(ids.iter().filter_map(|a| AgentId::parse(a).ok()).collect())),
            None => Reread::Everyone,
        };
        self.announce(Change { version, events: Arc::new(Vec::new()), reread }, true);
        Ok(())
    }

    /// The whole state read again (an announcement missed, or one naming too much).
    async fn reload(&self) -> Result<(), StoreError> {
        let (loaded, mut state) = self.inner.store.load_state().await?;
        {
            let mut cache = self.inner.cache.write();
            if loaded > cache.version {
                state.keep_what_is_this_instances(&cache.state);
                *cache = Cached { state, version: loaded };
            }
        }
        self.announce(Change { version: loaded, events: Arc::new(Vec::new()), reread: Reread::Everyone }, true);
        Ok(())
    }
}
