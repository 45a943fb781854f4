//! Server functions of the opening hours, on the floor: read them, save a schedule, close now
//! (with a reason) and reopen. Supervisors only (an agent gets 403). Every change names the
//! version it was made from: when another supervisor (or the CLI) changed the hours meanwhile,
//! it is refused (409) rather than lost, and the answer says who. Each change is a row of the
//! audit log.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::context::Ctx;
use crate::error::ApiError;

/// The opening hours as the floor shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursCard {
    /// The schedule's text (empty: open around the clock).
    pub schedule: String,
    /// Open or closed now, and until when, in words.
    pub words: String,
    pub open: bool,
    /// The "closed now" switch: its reason and who set it.
    pub closed_by: Option<(String, String)>,
    /// What a change must name (see the module's comment).
    pub version: i64,
    /// Who changed the hours last, and when (unix ms).
    pub changed: Option<(String, i64)>,
}

#[cfg(feature = "ssr")]
mod server {
    use super::HoursCard;
    use crate::error::{ApiError, Failure};
    use crate::runtime::{HoursError, KnownHours};

    pub fn card(known: &KnownHours, now: i64) -> HoursCard {
        HoursCard {
            schedule: known.row.schedule.clone().unwrap_or_default(),
            words: known.hours.words(now),
            open: known.hours.at(now).is_open(),
            closed_by: known.row.closed.as_ref().map(|(reason, by, _)| (reason.clone(), by.clone())),
            version: known.row.version,
            changed: known.row.changed_by.clone().map(|by| (by, known.row.changed_at)),
        }
    }

    pub fn refused(e: HoursError) -> ApiError {
        match e {
            HoursError::Conflict { .. } | HoursError::NotClosed => ApiError::NotNow(e.to_string()),
            HoursError::BadSchedule(e) => ApiError::BadInput(e.to_string()),
            HoursError::Store(e) => Failure::from(e).public(),
        }
    }
}

#[cfg(feature = "ssr")]
async fn change(version: i64, change: crate::store::HoursChange, audit: &str) -> Result<HoursCard, ApiError> {
    let cx = Ctx::take();
    let me = cx.supervisor().await?;
    let known = cx.state.hours.change(version, me.agent.as_str(), change).await.map_err(server::refused)?;
    tracing::info!(supervisor = %me.agent, change = audit, "opening hours changed");
    cx.state
        .store
        .audit(&me.agent, "hours", "opening hours", &format!("{} {audit}", me.agent))
        .await
        .map_err(|e| crate::error::Failure::from(e).public())?;
    Ok(server::card(&known, cx.state.hours.now()))
}

/// The opening hours now.
#[server(prefix = "/api", endpoint = "opening_hours")]
pub async fn opening_hours() -> Result<HoursCard, ApiError> {
    let cx = Ctx::take();
    cx.supervisor().await?;
    Ok(server::card(&cx.state.hours.known(), cx.state.hours.now()))
}

/// A new schedule (its text; empty: open around the clock), made from `version`.
#[server(prefix = "/api", endpoint = "save_hours")]
pub async fn save_hours(schedule: String, version: i64) -> Result<HoursCard, ApiError> {
    let text = schedule.trim();
    if text.len() > 10_000 {
        return Err(ApiError::BadInput("the schedule is too long (10,000 characters at most)".into()));
    }
    let (text, audit) = if text.is_empty() {
        (None, "removed the schedule: open around the clock")
    } else {
        (Some(text.to_string()), "saved the schedule")
    };
    change(version, crate::store::HoursChange::Schedule(text), audit).await
}

/// Closed now, whatever the schedule says, with a reason callers hear.
#[server(prefix = "/api", endpoint = "close_now")]
pub async fn close_now(reason: String, version: i64) -> Result<HoursCard, ApiError> {
    let reason: String = reason.trim().chars().take(200).collect();
    let audit = if reason.is_empty() { "closed now".to_string() } else { format!("closed now: {reason}") };
    change(version, crate::store::HoursChange::Closed(Some(reason)), &audit).await
}

/// The switch off: the schedule decides again.
#[server(prefix = "/api", endpoint = "reopen")]
pub async fn reopen(version: i64) -> Result<HoursCard, ApiError> {
    change(version, crate::store::HoursChange::Closed(None), "reopened").await
}
