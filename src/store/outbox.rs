//! The effects outbox: what the center decided Twilio must be asked to do, written in the
//! decision's transaction and performed by `calls::effects`. Claims are leases, so a worker that
//! dies mid-request lets another (or its own restart) take the effect over, and two instances
//! never perform one effect at the same time.

use std::time::Duration;

use sqlx::Row;

use super::pool::{Backend, Store, StoreError, Tx};
use super::rows::{DialRow, EffectRecord, EffectRow, EffectStatus};
use crate::center::{Effect, EffectKind, Party, Urgency};
use crate::clock::now_ms;
use crate::ids::CallSid;

/// Writes the decided effects, pending, due now (inside the decision's transaction), each with
/// its urgency when it creates a call.
pub async fn write_effects(tx: &mut Tx<'_>, effects: &[(Effect, Option<Urgency>)], now: i64) -> Result<(), StoreError> {
    for (effect, urgency) in effects {
        let (party, leg) = match effect.leg() {
            Some((party, leg)) => (Some(party.to_string()), Some(i64::from(leg))),
            None => (None, None),
        };
        sqlx::query(
            "INSERT INTO effects (kind, call_sid, agent_id, leg, payload, status, next_attempt_at, created_at, updated_at, urgency)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7, $8)",
        )
        .bind(effect.kind().as_str())
        .bind(effect.call().as_str())
        .bind(party)
        .bind(leg)
        .bind(serde_json::to_string(effect).unwrap_or_default())
        .bind(EffectStatus::Pending.as_str())
        .bind(now)
        .bind(Urgency::rank(*urgency))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// How long a dial waits at most for its party's previous leg to be reported over (a status
/// callback lost on its way must not keep an agent from ever ringing again).
pub const LEG_OVER_WAIT_MS: i64 = 5_000;

/// The order rules of a call to create towards one party, shared by both claims (see
/// [`Store::claim_effects`]), over the candidate `e`, with `$2` the time now: after that party's
/// pending cancel, never for a withdrawn leg, only once that party's previous leg is reported over.
static PARTY_RULES: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "AND NOT (e.kind = 'dial' AND EXISTS (
                     SELECT 1 FROM effects p WHERE p.kind = 'cancel-leg' AND p.agent_id = e.agent_id AND p.status = 'pending' AND p.id < e.id))
                 AND NOT (e.kind IN ('dial', 'add-monitor') AND EXISTS (
                     SELECT 1 FROM effects c WHERE c.kind = 'cancel-leg' AND c.call_sid = e.call_sid
                     AND c.agent_id = e.agent_id AND c.leg = e.leg))
                 AND NOT (e.kind = 'dial' AND e.created_at > $2 - {LEG_OVER_WAIT_MS} AND EXISTS (
                     SELECT 1 FROM effects d WHERE d.id = (
                         SELECT MAX(p.id) FROM effects p WHERE p.kind = 'dial' AND p.agent_id = e.agent_id AND p.id < e.id
                         AND p.created_at > $2 - 14400000)
                     AND d.status = 'done' AND d.leg_sid IS NOT NULL AND NOT EXISTS (
                         SELECT 1 FROM status_callbacks s WHERE s.call_sid = d.leg_sid
                         AND s.event IN ('completed', 'canceled', 'no-answer', 'busy', 'failed'))))"
    )
});

impl Store {
    /// Takes up to `limit` due effects, oldest first, for `lease`, in the order they were
    /// decided where order matters:
    /// - changes to one call's conference (`arrange`) one at a time: a later hold must not
    ///   overtake an earlier unhold;
    /// - a dial to a party waits while an earlier cancel of a leg to the same party is pending
    ///   (under way included): the cancel of the old offer reaches Twilio before the new one
    ///   rings, so an agent's browser never rings for two calls at once;
    /// - a dial (or a supervisor's phone) whose leg was withdrawn (its cancel written) is never
    ///   taken: the cancel skips it. Only a dial claimed by an instance that died before it was
    ///   sent can be in that state, found again when its lease runs out; sent then, it would ring
    ///   an agent for a call that went to someone else meanwhile;
    /// - a dial to a party waits until Twilio has reported the end of that party's previous leg
    ///   (at most [`LEG_OVER_WAIT_MS`] after it was decided): a call that just ended for the
    ///   center (the customer hung up) may still be up on the agent's phone for a moment, and a
    ///   browser must not ring for the next caller while it is (the Voice SDK would refuse it).
    ///
    /// Calls to create (dials, supervisors' phones) are left to [`Store::claim_paced`].
    ///
    /// Whichever instance performs them.
    pub async fn claim_effects(&self, lease: Duration, limit: i64) -> Result<Vec<EffectRow>, StoreError> {
        let now = now_ms();
        // The outer conditions repeat the inner ones on purpose: on PostgreSQL an instance that
        // loses the race for a row re-checks them against the winner's update and skips it.
        let rules = PARTY_RULES.as_str();
        let rows = sqlx::query(&format!(
            "UPDATE effects SET claimed_until = $1, attempts = attempts + 1, updated_at = $2, taken_at = COALESCE(taken_at, $2)
             WHERE status = 'pending' AND next_attempt_at <= $2 AND claimed_until <= $2 AND id IN (
                 SELECT e.id FROM effects e WHERE e.status = 'pending' AND e.next_attempt_at <= $2 AND e.claimed_until <= $2
                 AND e.urgency = 0
                 AND NOT (e.kind IN ('arrange', 'add-monitor', 'update-monitor') AND EXISTS (
                     SELECT 1 FROM effects p WHERE p.kind IN ('arrange', 'add-monitor', 'update-monitor')
                     AND p.call_sid = e.call_sid AND p.status = 'pending' AND p.id < e.id))
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
    /// transaction); the order rules of [`Store::claim_effects`] kept (a supervisor's phone after
    /// the earlier changes to that call, a dial after its party's earlier cancel); the most urgent first (a colleague rung for a consult before the next
    /// offer), then the oldest. Without an interval (no limit), up to `limit`, most urgent first.
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
        let rules = PARTY_RULES.as_str();
        let rows = sqlx::query(&format!(
            "UPDATE effects SET claimed_until = $1, attempts = attempts + 1, updated_at = $2, taken_at = COALESCE(taken_at, $2)
             WHERE status = 'pending' AND next_attempt_at <= $2 AND claimed_until <= $2 AND id IN (
                 SELECT e.id FROM effects e WHERE e.status = 'pending' AND e.urgency > 0 AND e.next_attempt_at <= $2
                 AND e.claimed_until <= $2
                 AND NOT (e.kind = 'add-monitor' AND EXISTS (
                     SELECT 1 FROM effects p WHERE p.kind IN ('arrange', 'add-monitor', 'update-monitor')
                     AND p.call_sid = e.call_sid AND p.status = 'pending' AND p.id < e.id))
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

    /// Twilio reported on a leg (it rang, was answered, ended): its dial went out, whoever sent
    /// it. A dial still pending then (its sender died before recording it) is done, so it is
    /// never sent again when its lease runs out: that would ring the agent a second time for the
    /// same leg, perhaps while they talk on it or on the next call.
    pub async fn leg_reported(&self, call: &CallSid, party: &Party, leg: u32, leg_sid: Option<&CallSid>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE effects SET status = $1, leg_sid = COALESCE(leg_sid, $2), last_error = NULL, claimed_until = 0, updated_at = $3
             WHERE kind IN ($4, $5) AND call_sid = $6 AND agent_id = $7 AND leg = $8 AND status = 'pending'",
        )
        .bind(EffectStatus::Done.as_str())
        .bind(leg_sid.map(|s| s.as_str()))
        .bind(now_ms())
        .bind(EffectKind::Dial.as_str())
        .bind(EffectKind::AddMonitor.as_str())
        .bind(call.as_str())
        .bind(party.as_str())
        .bind(i64::from(leg))
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

    /// The dial of one leg, if it was written.
    pub async fn dial_of_leg(&self, call: &CallSid, party: &Party, leg: u32) -> Result<Option<DialRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, status, claimed_until, leg_sid FROM effects WHERE kind IN ($1, $5) AND call_sid = $2 AND agent_id = $3 AND leg = $4",
        )
        .bind(EffectKind::Dial.as_str())
        .bind(call.as_str())
        .bind(party.as_str())
        .bind(i64::from(leg))
        .bind(EffectKind::AddMonitor.as_str())
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
