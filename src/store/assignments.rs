//! Agent positions on conferences, remembered in memory for the agent-join webhook.
//!
//! A position is written once, with the assignment, and never changes or goes away (no query
//! updates or deletes it), so a remembered position is right on every instance for as long as
//! it is kept. Only what is known to exist is kept: a miss asks the database, where another
//! instance may have written it since.

use std::collections::HashMap;
use std::sync::Mutex;

/// Conferences remembered at most; past that the memory starts over (and refills from the
/// database on demand). An agent joins seconds after the call arrives, so the recent
/// conferences are the ones asked for; a few thousand cover a busy center and keep the memory
/// small (about 1 MB; 20,000 added ~9 MB to the server's peak RSS in the benchmark).
const CAPACITY: usize = 4_096;

#[derive(Default)]
pub(crate) struct AssignmentCache {
    // conference id → (agent, position); a conference has a handful of agents.
    conferences: Mutex<HashMap<String, Vec<(String, i64)>>>,
}

impl AssignmentCache {
    pub(crate) fn get(&self, conference_id: &str, agent: &str) -> Option<i64> {
        let conferences = self.conferences.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        conferences.get(conference_id)?.iter().find(|(a, _)| a == agent).map(|&(_, position)| position)
    }

    pub(crate) fn put(&self, conference_id: &str, agent: &str, position: i64) {
        let mut conferences = self.conferences.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if conferences.len() >= CAPACITY && !conferences.contains_key(conference_id) {
            conferences.clear();
        }
        let agents = conferences.entry(conference_id.to_string()).or_default();
        if !agents.iter().any(|(a, _)| a == agent) {
            agents.push((agent.to_string(), position));
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.conferences.lock().unwrap().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_position_is_found_for_its_conference_and_agent_only() {
        let cache = AssignmentCache::default();
        cache.put("CA1", "agent1", 1);
        cache.put("CA1", "agent2", 2);
        assert_eq!(cache.get("CA1", "agent1"), Some(1));
        assert_eq!(cache.get("CA1", "agent2"), Some(2));
        assert_eq!(cache.get("CA1", "agent3"), None);
        assert_eq!(cache.get("CA2", "agent1"), None);
    }

    #[test]
    fn the_first_position_written_for_an_agent_stays() {
        let cache = AssignmentCache::default();
        cache.put("CA1", "agent1", 1);
        cache.put("CA1", "agent1", 5);
        assert_eq!(cache.get("CA1", "agent1"), Some(1));
    }

    #[test]
    fn a_full_cache_starts_over_instead_of_growing() {
        let cache = AssignmentCache::default();
        for i in 0..CAPACITY {
            cache.put(&format!("CA{i}"), "agent1", 1);
        }
        assert_eq!(cache.len(), CAPACITY);
        cache.put("CA-new", "agent1", 1);
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.get("CA-new", "agent1"), Some(1));
        assert_eq!(cache.get("CA0", "agent1"), None, "forgotten, to be read from the database again");
    }
}
