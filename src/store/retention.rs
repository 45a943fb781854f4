//! Data kept in bounds: finished calls older than the retention period are deleted with
//! everything about them (their timelines, Twilio's callbacks about them and their legs, their
//! effects), one caller can be forgotten on request, and a SQLite database can be copied while it
//! runs. A call still live is never touched: the running center holds it.

use sqlx::Row;

use super::pool::{Backend, Store, StoreError, Tx};

/// What a deletion removed, by kind of row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removed {
    pub calls: u64,
    pub timeline: u64,
    pub callbacks: u64,
    pub effects: u64,
    /// Agents' presence log rows (retention only: they hold no caller's number).
    pub agent_log: u64,
}

impl std::fmt::Display for Removed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} calls, {} timeline rows, {} Twilio callbacks, {} effects", self.calls, self.timeline, self.callbacks, self.effects)?;
        if self.agent_log > 0 {
            write!(f, ", {} presence log rows", self.agent_log)?;
        }
        Ok(())
    }
}

/// Rows deleted per statement, so that a large purge never holds the database for long.
const CHUNK: usize = 200;

fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// `DELETE FROM table WHERE column IN (values)`: how many rows went.
async fn delete_in(tx: &mut Tx<'_>, table: &str, column: &str, values: &[String]) -> Result<u64, StoreError> {
    let sql = format!("DELETE FROM {table} WHERE {column} IN ({})", placeholders(values.len()));
    let mut q = sqlx::query(&sql);
    for v in values {
        q = q.bind(v.as_str());
    }
    Ok(q.execute(&mut **tx).await?.rows_affected())
}

impl Store {
    /// Deletes the finished calls whose end is before `before`, with everything about them, and
    /// the callbacks and presence log rows older than that.
    pub async fn purge_finished(&self, before: i64) -> Result<Removed, StoreError> {
        let rows =
            sqlx::query("SELECT call_sid FROM customer_calls WHERE live = 0 AND ended_at < $1").bind(before).fetch_all(&self.pool).await?;
        let calls: Vec<String> = rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
        let mut removed = self.delete_calls(&calls).await?;
        removed.callbacks +=
            sqlx::query("DELETE FROM status_callbacks WHERE received_at < $1").bind(before).execute(&self.pool).await?.rows_affected();
        removed.agent_log += sqlx::query("DELETE FROM agent_log WHERE at < $1").bind(before).execute(&self.pool).await?.rows_affected();
        sqlx::query("DELETE FROM webhook_refusals WHERE at < $1").bind(before).execute(&self.pool).await?;
        Ok(removed)
    }

    /// Deletes everything about the caller `number` (a privacy request): their finished calls
    /// with their timelines, effects and callbacks, and any other callback naming the number.
    /// Answers what was removed and how many of their calls are still live (left alone).
    pub async fn forget_caller(&self, number: &str) -> Result<(Removed, u64), StoreError> {
        let rows =
            sqlx::query("SELECT call_sid, live FROM customer_calls WHERE from_number = $1").bind(number).fetch_all(&self.pool).await?;
        let mut finished = Vec::new();
        let mut live = 0;
        for r in &rows {
            if r.try_get::<i64, _>(1)? == 1 {
                live += 1;
            } else {
                finished.push(r.try_get::<String, _>(0)?);
            }
        }
        let mut removed = self.delete_calls(&finished).await?;
        // Callbacks the number appears in otherwise (a transfer to it, a repeated webhook).
        let pattern = format!("%\"{}\"%", number.replace(['%', '_'], ""));
        removed.callbacks +=
            sqlx::query("DELETE FROM status_callbacks WHERE params LIKE $1").bind(&pattern).execute(&self.pool).await?.rows_affected();
        Ok((removed, live))
    }

    /// Deletes these (finished) calls and every row about them: their timelines, their effects,
    /// and the callbacks about them or about their legs (found through the effects' leg sids).
    async fn delete_calls(&self, calls: &[String]) -> Result<Removed, StoreError> {
        let mut removed = Removed::default();
        for chunk in calls.chunks(CHUNK) {
            let list = placeholders(chunk.len());
            let mut tx = self.begin().await?;
            let legs_sql = format!("SELECT leg_sid FROM effects WHERE leg_sid IS NOT NULL AND call_sid IN ({list})");
            let mut legs = sqlx::query(&legs_sql);
            for c in chunk {
                legs = legs.bind(c.as_str());
            }
            let legs: Vec<String> = legs.fetch_all(&mut *tx).await?.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
            removed.timeline += delete_in(&mut tx, "timeline", "call_sid", chunk).await?;
            removed.effects += delete_in(&mut tx, "effects", "call_sid", chunk).await?;
            removed.callbacks += delete_in(&mut tx, "status_callbacks", "call_sid", chunk).await?;
            removed.callbacks += delete_in(&mut tx, "status_callbacks", "friendly_name", chunk).await?;
            removed.calls += delete_in(&mut tx, "customer_calls", "call_sid", chunk).await?;
            for legs in legs.chunks(CHUNK) {
                removed.callbacks += delete_in(&mut tx, "status_callbacks", "call_sid", legs).await?;
            }
            tx.commit().await?;
        }
        Ok(removed)
    }

    /// After a deletion of people's data (a privacy request, the retention purge): no copy of it
    /// left in any of the database's files. SQLite overwrites what it deletes (`secure_delete`,
    /// set on every connection), but earlier versions of the pages stay in the write-ahead log:
    /// it is checkpointed and truncated to nothing (retried while a reader holds it, up to
    /// `PATIENCE`). PostgreSQL keeps deleted rows' bytes in its pages even after a vacuum: the
    /// tables that held them are rewritten (`VACUUM FULL`). Answers whether it is done (`false`: the log was held by a reader
    /// the whole time; running the same command again finishes it).
    pub async fn scrub(&self) -> Result<bool, StoreError> {
        const TABLES: [&str; 4] = ["customer_calls", "timeline", "status_callbacks", "effects"];
        const PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);
        match self.backend() {
            Backend::Sqlite => {
                let started = std::time::Instant::now();
                loop {
                    let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(&self.pool).await?;
                    let busy: i64 = row.try_get(0)?;
                    if busy == 0 {
                        return Ok(true);
                    }
                    if started.elapsed() > PATIENCE {
                        return Ok(false);
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
            Backend::Postgres => {
                // A plain VACUUM marks the dead tuples' space free but leaves their bytes in the
                // pages (seen in the tests' scan): only a rewrite of the table removes them. It
                // holds each table for as long as it takes (the decisions that write to it wait).
                for table in TABLES {
                    sqlx::query(&format!("VACUUM FULL {table}")).execute(&self.pool).await?;
                }
                Ok(true)
            }
        }
    }

    /// A consistent copy of a SQLite database, written to `path` while the app runs (SQLite's
    /// `VACUUM INTO`: one read transaction, so the copy is the database at one moment).
    pub async fn backup_sqlite(&self, path: &str) -> Result<(), StoreError> {
        if self.backend() != Backend::Sqlite {
            return Err(StoreError::NotSqlite);
        }
        sqlx::query("VACUUM INTO $1").bind(path).execute(&self.pool).await?;
        Ok(())
    }
}
