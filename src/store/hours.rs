//! The opening hours' one row: read by every instance, changed only from the version the
//! editor saw (so two supervisors editing at once never overwrite each other).

use sqlx::Row;

use super::pool::{Store, StoreError};
use crate::clock::now_ms;

/// The opening hours as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HoursRow {
    /// The schedule's text; `None`: always open.
    pub schedule: Option<String>,
    /// The "closed now" switch: its reason, who, since when.
    pub closed: Option<(String, String, i64)>,
    pub version: i64,
    pub changed_by: Option<String>,
    pub changed_at: i64,
}

/// A change to the opening hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoursChange {
    /// A new schedule's text (already checked), or none: always open.
    Schedule(Option<String>),
    /// The switch on (with its reason) or off.
    Closed(Option<String>),
}

impl Store {
    pub async fn hours(&self) -> Result<HoursRow, StoreError> {
        let r = sqlx::query(
            "SELECT schedule, closed_reason, closed_by, closed_since, version, changed_by, changed_at FROM opening_hours WHERE id = 1",
        )
        .fetch_one(&self.pool)
        .await?;
        let reason: Option<String> = r.try_get(1)?;
        let by: Option<String> = r.try_get(2)?;
        let since: Option<i64> = r.try_get(3)?;
        Ok(HoursRow {
            schedule: r.try_get(0)?,
            closed: reason.map(|reason| (reason, by.unwrap_or_default(), since.unwrap_or_default())),
            version: r.try_get(4)?,
            changed_by: r.try_get(5)?,
            changed_at: r.try_get(6)?,
        })
    }

    /// Makes `change` if the row is still at `version`: `Ok(Some(new version))`, or `Ok(None)`
    /// when someone changed it meanwhile (nothing is written then).
    pub async fn change_hours(&self, version: i64, by: &str, change: &HoursChange) -> Result<Option<i64>, StoreError> {
        let now = now_ms();
        let done = match change {
            HoursChange::Schedule(text) => {
                sqlx::query(
                    "UPDATE opening_hours SET schedule = $1, version = version + 1, changed_by = $2, changed_at = $3
                     WHERE id = 1 AND version = $4",
                )
                .bind(text.clone())
                .bind(by)
                .bind(now)
                .bind(version)
                .execute(&self.pool)
                .await?
            }
            HoursChange::Closed(Some(reason)) => {
                sqlx::query(
                    "UPDATE opening_hours SET closed_reason = $1, closed_by = $2, closed_since = $3, version = version + 1,
                     changed_by = $2, changed_at = $3 WHERE id = 1 AND version = $4",
                )
                .bind(reason.clone())
                .bind(by)
                .bind(now)
                .bind(version)
                .execute(&self.pool)
                .await?
            }
            HoursChange::Closed(None) => {
                sqlx::query(
                    "UPDATE opening_hours SET closed_reason = NULL, closed_by = NULL, closed_since = NULL, version = version + 1,
                     changed_by = $1, changed_at = $2 WHERE id = 1 AND version = $3",
                )
                .bind(by)
                .bind(now)
                .bind(version)
                .execute(&self.pool)
                .await?
            }
        };
        Ok((done.rows_affected() == 1).then_some(version + 1))
    }
}
