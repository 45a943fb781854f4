//! The effects outbox: what the center decided Twilio must be asked to do, written in the
//! decision's transaction and performed by `calls::effects`. Claims are leases, so a worker that
//! dies mid-request lets another (or its own restart) take the effect over, and two instances
//! never perform one effect at the same time.

use std::time::Duration;

use sqlx::Row;

use super::pool::{Backend, Store, StoreError, Tx};
use super::rows::{DialRow, EffectRecord, EffectRow, EffectStatus};
pub use crate::center::order::{may_take, LEG_LOOKBACK_MS, LEG_OVER_WAIT_MS};
use crate::center::order::{Lane, LegRef};
use crate::center::{Effect, Urgency};
use crate::clock::now_ms;
use crate::ids::CallSid;

/// Writes the decided effects, pending, due now (inside the decision's transaction), each with
/// its urgency when it creates a call, and where it stands in line (the core's [`Order`]).
pub async fn write_effects(tx: &mut Tx<'_>, effects: &[(Effect, Option<Urgency>)], now: i64) -> Result<(), StoreError> {
    for (effect, urgency) in effects {
        let (party, leg) = match effect.leg() {
            Some((party, leg)) => (Some(party.to_string()), Some(i64::from(leg))),
            None => (None, None),
        };
        let order = effect.order();
        sqlx::query(
            "INSERT INTO effects (kind, call_sid, agent_id, leg, payload, status, next_attempt_at, created_at, updated_at, urgency,
                                  lane, awaits, creates, withdraws)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7, $8, $9, $10, $11, $12)",
        )
        .bind(effect.kind().as_str())
        .bind(effect.call().as_str())
        .bind(party)
        .bind(leg)
        .bind(serde_json::to_string(effect).unwrap_or_default())
        .bind(EffectStatus::Pending.as_str())
        .bind(now)
        .bind(Urgency::rank(*urgency))
        .bind(order.lane.as_ref().map(Lane::key))
        .bind(order.awaits.as_ref().map(Lane::key))
        .bind(order.creates.as_ref().map(LegRef::key))
        .bind(order.withdraws.as_ref().map(LegRef::key))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The one rule both claims take by, over the candidate `e` with `$2` the time now: the core's
/// [`may_take`] in SQL (a test holds the two to the same answers). No earlier unfinished effect
/// in the lane it stands in or awaits; for a leg it creates: not withdrawn, and no earlier leg of
/// that party that may still be up (being created, or created and not reported over) unless it
/// has waited [`LEG_OVER_WAIT_MS`]. The caller's conditions (pending, due, not under way) come
/// first.
/// What Twilio said of a leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegReport {
    /// It rings, or was answered.
    Alive,
    /// It ended (answered or not).
    Over,
}

static ORDER_RULE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| order_rule("$2"));

/// [`ORDER_RULE`] with `now` naming the parameter that holds the time.
fn order_rule(now: &str) -> String {
    format!(
        "AND NOT (e.lane IS NOT NULL AND EXISTS (
                     SELECT 1 FROM effects p WHERE p.lane = e.lane AND p.status = 'pending' AND p.id < e.id))
                 AND NOT (e.awaits IS NOT NULL AND EXISTS (
                     SELECT 1 FROM effects p WHERE p.lane = e.awaits AND p.status = 'pending' AND p.id < e.id))
                 AND NOT (e.creates IS NOT NULL AND EXISTS (SELECT 1 FROM effects w WHERE w.withdraws = e.creates))
                 AND NOT (e.creates IS NOT NULL AND e.created_at > $2 - {LEG_OVER_WAIT_MS} AND EXISTS (
                     SELECT 1 FROM effects d WHERE d.agent_id = e.agent_id AND d.id < e.id AND d.creates IS NOT NULL
                     AND d.created_at > $2 - {LEG_LOOKBACK_MS} AND d.leg_over_at IS NULL
                     AND ((d.status = 'pending' AND d.claimed_until > $2) OR (d.status = 'done' AND d.leg_sid IS NOT NULL))))"
    )
    .replace("$2", now)
}

impl Store {
    /// Takes up to `limit` due effects, oldest first, for `lease`, in the order the core put
    /// them in (`center::order`: one change to a conference at a time, a party's new leg only
    /// once its old ones are withdrawn and over, never a withdrawn leg), by the one rule
    /// [`ORDER_RULE`]. Calls to create (dials, supervisors' phones) are left to
    /// [`Store::claim_paced`].
    ///
    /// Whichever instance performs them.
    pub async fn claim_effects(&self, lease: Duration, limit: i64) -> Result<Vec<EffectRow>, StoreError> {
        let now = now_ms();
        // The outer conditions repeat the inner ones on purpose: on PostgreSQL an instance that
        // loses the race for a row re-checks them against the winner's update and skips it.
        let rules = ORDER_RULE.as_str();
        let rows = sqlx::query(&format!(
            "UPDATE effects SET claimed_until = $1, attempts = attempts + 1, updated_at = $2, taken_at = COALESCE(taken_at, $2)
             WHERE status = 'pending' AND next_attempt_at <= $2 AND claimed_until <= $2 AND id IN (
                 SELECT e.id FROM effects e WHERE e.status = 'pending' AND e.next_attempt_at <= $2 AND e.claimed_until <= $2
                 AND e.urgency = 0
                 {rules}
                 ORDER BY e.id LIMIT $3)
             RETURNING id, payload, attempts",
        ))
        .bind(now + lease.as_millis() as i64)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: i64 = r.try_get(0)?;
            let payload: String = r.try_get(1)?;
            match serde_json::from_str(&payload) {
                Ok(effect) => out.push(EffectRow { id, effect, attempts: r.try_get(2)? }),
                Err(e) => {
                    tracing::error!(id, error = %e, "an effect in the outbox could not be read; marked failed");
                    self.effect_failed(id, "unreadable effect").await?;
                }
            }
        }
        out.sort_by_key(|e| e.id);
        Ok(out)
    }

    /// Takes calls to create (dials, supervisors' phones) at the account's pace: with an
    /// `interval` between two calls, at most one, and only when the account's next turn has come
    /// (the one `call_pacing` row, shared by every instance, is moved on in the same
    /// transaction); in the order the core put them in ([`ORDER_RULE`]); the most urgent first
    /// (a colleague rung for a consult before the next offer), then the oldest. Without an interval (no limit), up to `limit`, most urgent first.
    /// `Ok((rows, wait))`: `wait` is how long until the next turn when it has not come.
    pub async fn claim_paced(
        &self,
        lease: Duration,
        interval: Option<Duration>,
        limit: i64,
    ) -> Result<(Vec<EffectRow>, Option<Duration>), StoreError> {
        let now = now_ms();
        // Most rounds have no call to create: a read, and no write lock taken for nothing.
        let due: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM effects WHERE status = 'pending' AND urgency > 0 AND next_attempt_at <= $1 AND claimed_until <= $1 LIMIT 1",
        )
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        if due.is_none() {
            return Ok((Vec::new(), None));
        }
        let mut tx = self.begin().await?;
        let limit = match interval {
            Some(interval) => {
                // The turn is timed by the database's clock when the row is locked, not by ours
                // before: waiting for the lock (another instance's turn) must not make our turn
                // look earlier than it is, and every instance then keeps time by one clock.
                let clock = self.clock_ms();
                let took = sqlx::query(&format!("UPDATE call_pacing SET next_at = {clock} + $1 WHERE id = 1 AND next_at <= {clock}"))
                    .bind(interval.as_millis() as i64)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if took == 0 {
                    let wait: i64 =
                        sqlx::query_scalar(&format!("SELECT next_at - {clock} FROM call_pacing WHERE id = 1")).fetch_one(&mut *tx).await?;
                    tx.rollback().await?;
                    return Ok((Vec::new(), Some(Duration::from_millis(wait.max(1) as u64))));
                }
                1
            }
            None => limit,
        };
        let rules = ORDER_RULE.as_str();
        let rows = sqlx::query(&format!(
            "UPDATE effects SET claimed_until = $1, attempts = attempts + 1, updated_at = $2, taken_at = COALESCE(taken_at, $2)
             WHERE status = 'pending' AND next_attempt_at <= $2 AND claimed_until <= $2 AND id IN (
                 SELECT e.id FROM effects e WHERE e.status = 'pending' AND e.urgency > 0 AND e.next_attempt_at <= $2
                 AND e.claimed_until <= $2
                 {rules}
                 ORDER BY e.urgency DESC, e.id LIMIT $3)
             RETURNING id, payload, attempts, urgency",
        ))
        .bind(now + lease.as_millis() as i64)
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            // Nothing to create: the turn is not spent.
            tx.rollback().await?;
            return Ok((Vec::new(), None));
        }
        tx.commit().await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: i64 = r.try_get(0)?;
            let payload: String = r.try_get(1)?;
            let urgency: i64 = r.try_get(3)?;
            match serde_json::from_str(&payload) {
                Ok(effect) => out.push((urgency, EffectRow { id, effect, attempts: r.try_get(2)? })),
                Err(e) => {
                    tracing::error!(id, error = %e, "an effect in the outbox could not be read; marked failed");
                    self.effect_failed(id, "unreadable effect").await?;
                }
            }
        }
        out.sort_by_key(|(urgency, e)| (-urgency, e.id));
        Ok((out.into_iter().map(|(_, e)| e).collect(), None))
    }

    /// Twilio said "too many requests" (429): the account's next call waits at least `delay`, on
    /// every instance.
    pub async fn slow_pace(&self, delay: Duration) -> Result<(), StoreError> {
        let clock = self.clock_ms();
        sqlx::query(&format!("UPDATE call_pacing SET next_at = {clock} + $1 WHERE id = 1 AND next_at < {clock} + $1"))
            .bind(delay.as_millis() as i64)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The database's clock in unix milliseconds, as SQL: the pace's one clock.
    fn clock_ms(&self) -> &'static str {
        match self.backend() {
            Backend::Sqlite => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS BIGINT)",
            Backend::Postgres => "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
        }
    }

    /// Calls waiting for their turn now (not those on their way): how many, and since when the
    /// longest has been due.
    pub async fn paced_waiting(&self) -> Result<(i64, Option<i64>), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*), MIN(next_attempt_at) FROM effects
             WHERE status = 'pending' AND urgency > 0 AND next_attempt_at <= $1 AND claimed_until <= $1",
        )
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    /// Performed; `leg_sid` is the call Twilio created for a dial.
    pub async fn effect_done(&self, id: i64, leg_sid: Option<&CallSid>) -> Result<(), StoreError> {
        sqlx::query("UPDATE effects SET status = $1, leg_sid = $2, last_error = NULL, claimed_until = 0, updated_at = $3 WHERE id = $4")
            .bind(EffectStatus::Done.as_str())
            .bind(leg_sid.map(|s| s.as_str()))
            .bind(now_ms())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Twilio reported on a leg (it rang, was answered, ended): the effect that creates it went
    /// out, whoever sent it. One still pending then (its sender died before recording it) is
    /// done, so it is never sent again when its lease runs out: that would ring the agent a
    /// second time for the same leg, perhaps while they talk on it or on the next call. A leg
    /// reported [`LegReport::Over`] no longer holds its party's next leg back.
    pub async fn leg_reported(&self, leg: &LegRef, leg_sid: Option<&CallSid>, report: LegReport) -> Result<(), StoreError> {
        let now = now_ms();
        sqlx::query(
            "UPDATE effects SET
                 leg_sid = CASE WHEN status = 'pending' THEN COALESCE(leg_sid, $2) ELSE leg_sid END,
                 last_error = CASE WHEN status = 'pending' THEN NULL ELSE last_error END,
                 claimed_until = CASE WHEN status = 'pending' THEN 0 ELSE claimed_until END,
                 status = CASE WHEN status = 'pending' THEN $1 ELSE status END,
                 leg_over_at = COALESCE(leg_over_at, $3), updated_at = $4
             WHERE creates = $5",
        )
        .bind(EffectStatus::Done.as_str())
        .bind(leg_sid.map(|s| s.as_str()))
        .bind((report == LegReport::Over).then_some(now))
        .bind(now)
        .bind(leg.key())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Not now: try again after `delay`.
    pub async fn effect_retry(&self, id: i64, error: &str, delay: Duration) -> Result<(), StoreError> {
        let now = now_ms();
        sqlx::query("UPDATE effects SET last_error = $1, next_attempt_at = $2, claimed_until = 0, updated_at = $3 WHERE id = $4 AND status = 'pending'")
            .bind(error)
            .bind(now + delay.as_millis() as i64)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Given up for good.
    /// `false`: it was no longer pending (Twilio reported the leg of a dial whose request timed
    /// out here: it went through after all), and stays as it is.
    pub async fn effect_failed(&self, id: i64, error: &str) -> Result<bool, StoreError> {
        let n = sqlx::query(
            "UPDATE effects SET status = $1, last_error = $2, claimed_until = 0, updated_at = $3 WHERE id = $4 AND status = 'pending'",
        )
        .bind(EffectStatus::Failed.as_str())
        .bind(error)
        .bind(now_ms())
        .bind(id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// The effect that creates a leg (a dial, a supervisor's phone), if it was written.
    pub async fn dial_of_leg(&self, leg: &LegRef) -> Result<Option<DialRow>, StoreError> {
        let row = sqlx::query("SELECT id, status, claimed_until, leg_sid FROM effects WHERE creates = $1")
            .bind(leg.key())
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else { return Ok(None) };
        let claimed_until: i64 = r.try_get(2)?;
        let status: String = r.try_get(1)?;
        let leg_sid: Option<String> = r.try_get(3)?;
        Ok(Some(DialRow {
            id: r.try_get(0)?,
            status: EffectStatus::parse(&status).unwrap_or(EffectStatus::Failed),
            in_flight: claimed_until > now_ms(),
            leg_sid: leg_sid.and_then(|s| CallSid::parse(&s).ok()),
        }))
    }

    /// A dial that has not gone out is never made: `true` if it was still waiting and is now
    /// skipped (`false`: a worker took it meanwhile).
    pub async fn skip_pending_dial(&self, id: i64) -> Result<bool, StoreError> {
        let now = now_ms();
        let n = sqlx::query(
            "UPDATE effects SET status = $1, last_error = 'cancelled before it was dialled', updated_at = $2
             WHERE id = $3 AND status = 'pending' AND claimed_until <= $2",
        )
        .bind(EffectStatus::Skipped.as_str())
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// The effects the claims would take at `now`, whatever their urgency, oldest first: what
    /// the outbox holds to the core's [`may_take`] (for tests and support).
    pub async fn takeable_at(&self, now: i64) -> Result<Vec<i64>, StoreError> {
        let rule = order_rule("$1");
        let ids = sqlx::query_scalar(&format!(
            "SELECT e.id FROM effects e WHERE e.status = 'pending' AND e.next_attempt_at <= $1 AND e.claimed_until <= $1 {rule}
             ORDER BY e.id"
        ))
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids)
    }

    /// Every effect of a call, oldest first (for tests and support).
    pub async fn effects_of_call(&self, call: &str) -> Result<Vec<EffectRecord>, StoreError> {
        let rows = sqlx::query("SELECT kind, agent_id, status, attempts, last_error, leg_sid FROM effects WHERE call_sid = $1 ORDER BY id")
            .bind(call)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let status: String = r.try_get(2)?;
                Ok(EffectRecord {
                    kind: r.try_get(0)?,
                    agent: r.try_get(1)?,
                    status: EffectStatus::parse(&status).unwrap_or(EffectStatus::Failed),
                    attempts: r.try_get(3)?,
                    last_error: r.try_get(4)?,
                    leg_sid: r.try_get(5)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}
