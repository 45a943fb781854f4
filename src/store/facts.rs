//! The stored facts today's figures are folded from: the timeline's events and the agents' log
//! (presence changes, a supervisor's actions), each with its time, read in the order they were
//! written from a cursor (their ids grow with every commit: decisions are serialised by the
//! `center` row), so a reader catches up with only what is new.

use sqlx::Row;

use super::pool::{Store, StoreError};
use crate::center::Event;

/// Which table a fact comes from (each has its own cursor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactTable {
    Timeline,
    AgentLog,
}

impl FactTable {
    fn name(self) -> &'static str {
        match self {
            FactTable::Timeline => "timeline",
            FactTable::AgentLog => "agent_log",
        }
    }
}

/// One stored event and when it was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub id: i64,
    pub at: i64,
    pub event: Event,
}

impl Store {
    /// The facts of `table` written after id `after` and decided at or after `since`, oldest
    /// first, at most `limit`. A row this version cannot read is skipped (and said once).
    pub async fn facts(&self, table: FactTable, after: i64, since: i64, limit: i64) -> Result<Vec<Fact>, StoreError> {
        let sql = format!("SELECT id, at, event FROM {} WHERE id > $1 AND at >= $2 ORDER BY id LIMIT $3", table.name());
        let rows = sqlx::query(&sql).bind(after).bind(since).bind(limit).fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let (id, at, json): (i64, i64, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            match serde_json::from_str(&json) {
                Ok(event) => out.push(Fact { id, at, event }),
                Err(e) => tracing::warn!(table = table.name(), id, error = %e, "a stored event could not be read; left out of the figures"),
            }
        }
        Ok(out)
    }
}
