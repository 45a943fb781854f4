//! Twilio's status callbacks, stored exactly as received (what they mean for the calls is
//! decided by the center).

use sqlx::Row;

use super::pool::{Store, StoreError};
use super::rows::StatusCallback;
use crate::clock::now_ms;

impl Store {
    /// Stores a status callback exactly as received, for the record (what it means for the
    /// calls is decided by the center).
    pub async fn record_callback(&self, cb: &StatusCallback) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO status_callbacks (kind, call_sid, conference_sid, friendly_name, event, sequence_number, params, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(cb.kind.as_str())
        .bind(cb.call_sid.as_ref().map(|c| c.as_str()))
        .bind(cb.conference_sid.as_ref().map(|c| c.as_str()))
        .bind(cb.friendly_name.as_deref())
        .bind(&cb.event)
        .bind(cb.sequence_number)
        .bind(&cb.params_json)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn callbacks_for_call(&self, call_sid: &str) -> Result<Vec<(String, Option<i64>)>, StoreError> {
        let rows = sqlx::query("SELECT event, sequence_number FROM status_callbacks WHERE call_sid = $1 ORDER BY id")
            .bind(call_sid)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect::<Result<_, sqlx::Error>>().map_err(Into::into)
    }
}

/// A webhook refused for its signature, as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRefusal {
    pub at: i64,
    pub cause: String,
    pub path: String,
    pub verified_against: String,
    pub fix: String,
}

impl Store {
    /// Records a refused webhook (what was logged: never the signature).
    pub async fn record_refusal(&self, r: &WebhookRefusal) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO webhook_refusals (at, cause, path, verified_against, fix) VALUES ($1, $2, $3, $4, $5)")
            .bind(r.at)
            .bind(&r.cause)
            .bind(&r.path)
            .bind(&r.verified_against)
            .bind(&r.fix)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The latest refusal of each cause since `since`, newest first.
    pub async fn recent_refusals(&self, since: i64) -> Result<Vec<WebhookRefusal>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.at, r.cause, r.path, r.verified_against, r.fix FROM webhook_refusals r
             WHERE r.at >= $1 AND r.id = (SELECT MAX(id) FROM webhook_refusals s WHERE s.cause = r.cause AND s.at >= $1)
             ORDER BY r.at DESC",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(WebhookRefusal {
                    at: r.try_get(0)?,
                    cause: r.try_get(1)?,
                    path: r.try_get(2)?,
                    verified_against: r.try_get(3)?,
                    fix: r.try_get(4)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}
