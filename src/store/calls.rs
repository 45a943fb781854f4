//! What the center stored about agents and calls, read back for tests and support (the live
//! state itself is loaded by the center's runtime).

use sqlx::Row;

use super::pool::{Store, StoreError};

impl Store {
    /// An agent's stored presence (the core's JSON) and since when, for tests and support.
    pub async fn presence_of(&self, identity: &str) -> Result<Option<(crate::center::Presence, i64)>, StoreError> {
        let row = sqlx::query("SELECT presence, presence_since FROM agents WHERE identity = $1")
            .bind(identity)
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else { return Ok(None) };
        let json: String = r.try_get(0)?;
        Ok(Some((serde_json::from_str(&json).unwrap_or(crate::center::Presence::Offline), r.try_get(1)?)))
    }

    /// A call's timeline as a person reads it, oldest first.
    pub async fn timeline_texts(&self, call_sid: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT text FROM timeline WHERE call_sid = $1 ORDER BY id").bind(call_sid).fetch_all(&self.pool).await?;
        rows.iter().map(|r| r.try_get(0)).collect::<Result<_, sqlx::Error>>().map_err(Into::into)
    }

    /// An agent's log (presence changes, a supervisor's actions), oldest first.
    pub async fn agent_log_texts(&self, agent: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT text FROM agent_log WHERE agent_id = $1 ORDER BY id").bind(agent).fetch_all(&self.pool).await?;
        rows.iter().map(|r| r.try_get(0)).collect::<Result<_, sqlx::Error>>().map_err(Into::into)
    }

    /// Whether the call is waiting or being handled (`true`), or over / unknown (`false`).
    pub async fn call_live(&self, call_sid: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT live FROM customer_calls WHERE call_sid = $1").bind(call_sid).fetch_optional(&self.pool).await?;
        Ok(match row {
            Some(r) => r.try_get::<i64, _>(0)? == 1,
            None => false,
        })
    }

    /// Every call not yet over, as the center stored them.
    pub async fn live_calls(&self) -> Result<Vec<crate::center::Call>, StoreError> {
        let rows = sqlx::query("SELECT state FROM customer_calls WHERE live = 1").fetch_all(&self.pool).await?;
        Ok(rows.iter().filter_map(|r| r.try_get::<String, _>(0).ok()).filter_map(|j| serde_json::from_str(&j).ok()).collect())
    }

    /// A live call's state as the center stored it.
    pub async fn live_call(&self, call_sid: &str) -> Result<Option<crate::center::Call>, StoreError> {
        let row = sqlx::query("SELECT state FROM customer_calls WHERE call_sid = $1 AND live = 1")
            .bind(call_sid)
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else { return Ok(None) };
        let json: String = r.try_get(0)?;
        Ok(serde_json::from_str(&json).ok())
    }
}
