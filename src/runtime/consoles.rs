//! The consoles connected to this instance: who holds a stream open (their leases are renewed
//! by the heartbeat), and the directory every one of them is sent, made once per version.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use parking_lot::Mutex;

use crate::center::State;
use crate::ids::AgentId;

#[derive(Default)]
pub struct Consoles {
    /// Open console streams per agent on this instance.
    connections: Mutex<HashMap<AgentId, usize>>,
    /// The directory as JSON, made once per state version for every console.
    directory: Mutex<Option<(i64, Arc<Directory>)>>,
}

/// Every agent's card as JSON, shared by all the consoles of one state version.
#[derive(Debug, PartialEq, Eq)]
pub struct Directory {
    pub json: String,
    /// The same as a server-sent event, made once for all the consoles that send it (see
    /// `api::stream`).
    pub frame: OnceLock<Bytes>,
}

/// An open console stream; dropping it closes the connection (the lease then runs out).
pub struct ConnectionGuard {
    consoles: Arc<Consoles>,
    agent: AgentId,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        let mut c = self.consoles.connections.lock();
        if let Some(n) = c.get_mut(&self.agent) {
            *n -= 1;
            if *n == 0 {
                c.remove(&self.agent);
            }
        }
    }
}

impl Consoles {
    /// A stream for `agent` opened; `true` when it is their first here.
    pub(super) fn open(self: &Arc<Self>, agent: &AgentId) -> (ConnectionGuard, bool) {
        let first = {
            let mut c = self.connections.lock();
            let n = c.entry(agent.clone()).or_insert(0);
            *n += 1;
            *n == 1
        };
        (ConnectionGuard { consoles: self.clone(), agent: agent.clone() }, first)
    }

    /// The agents with a console stream open here.
    pub(super) fn connected(&self) -> Vec<AgentId> {
        self.connections.lock().keys().cloned().collect()
    }

    /// The directory of `state` at `version` as JSON: serialised once per version, however
    /// many consoles send it.
    pub(super) fn directory(&self, version: i64, state: &State) -> Arc<Directory> {
        let mut memo = self.directory.lock();
        if let Some((v, dir)) = memo.as_ref() {
            if *v == version {
                return dir.clone();
            }
        }
        let mut json = serde_json::to_string(&state.directory()).unwrap_or_else(|_| "[]".into());
        // Most versions leave every card as it was (a lease renewed, a caller queued): the same
        // directory is then kept, so that every console holds one copy (each holds the one it
        // sent last; a copy per console was ~50 KB each with 500 agents) and sees at once, by
        // pointer, that there is nothing to send.
        let dir = match memo.as_ref() {
            Some((_, dir)) if dir.json == json => dir.clone(),
            _ => {
                json.shrink_to_fit();
                Arc::new(Directory { json, frame: OnceLock::new() })
            }
        };
        *memo = Some((version, dir.clone()));
        dir
    }
}
