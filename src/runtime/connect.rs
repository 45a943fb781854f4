//! A console stream attaching to the center: the agent counts as connected here while it is
//! open, and the directory it is sent.

use std::sync::Arc;

use super::center::Center;
use super::consoles::{ConnectionGuard, Directory};
use crate::center::Command;

impl Center {
    /// A console stream for `agent` opened on this instance: they count as connected (the first
    /// one sends a heartbeat at once, so the lease starts now). Dropping the guard closes it.
    pub async fn connect(&self, agent: &crate::ids::AgentId) -> ConnectionGuard {
        // An account made a moment ago (the CLI) is known before its first heartbeat.
        if let Err(e) = self.refresh_roster().await {
            tracing::warn!(error = %e, "could not read the agents");
        }
        let (guard, first) = self.inner.consoles.open(agent);
        if first {
            if let Err(e) = self.decide(Command::Heartbeat { agents: vec![agent.clone()] }).await {
                tracing::warn!(%agent, error = %e, "could not record a console connection");
            }
        }
        guard
    }

    /// The directory (every agent and their presence) as JSON, shared by every console.
    pub fn directory(&self) -> Arc<Directory> {
        let cache = self.inner.cache.read();
        self.inner.consoles.directory(cache.version, &cache.state)
    }
}
