//! The contact center's rows: agents' presence, live calls (the core's `Call` as JSON), the
//! per-call timeline and the `center` version row. The runtime decides; these queries load what
//! it decides on and write what it decided, inside its transaction.

use crate::center::{AgentEvent, CallEvent};
use std::collections::{BTreeSet, HashMap};

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::pool::{Store, StoreError, Tx};
use crate::center::{Account, Agent, AgentRole, Call, CallHistory, Effect, EndReason, Event, Presence, State, TimelineRow, Urgency};
use crate::ids::{AgentId, CallSid};

const AGENT_COLUMNS: &str = "SELECT identity, display_name, role, presence, presence_since, online_until, queues FROM agents";

fn agent_from_row(r: &AnyRow) -> Result<Option<Agent>, StoreError> {
    let id: String = r.try_get(0)?;
    let Ok(id) = AgentId::parse(&id) else { return Ok(None) };
    let role: String = r.try_get(2)?;
    let presence: String = r.try_get(3)?;
    let presence = serde_json::from_str(&presence).unwrap_or(Presence::Offline);
    Ok(Some(Agent {
        id,
        name: r.try_get(1)?,
        role: AgentRole::parse(&role).unwrap_or_default(),
        presence,
        since: r.try_get(4)?,
        online_until: r.try_get(5)?,
        queues: queues_of(r.try_get(6)?),
    }))
}

/// The queues an agent takes, as stored (`sales,support`; empty: every queue). A name that no
/// longer parses is left out rather than failing the agent.
fn queues_of(stored: String) -> Vec<crate::ids::QueueName> {
    stored.split(',').filter_map(|q| crate::ids::QueueName::parse(q).ok()).collect()
}

fn agents_from_rows(rows: &[AnyRow]) -> Result<Vec<Agent>, StoreError> {
    Ok(rows.iter().map(agent_from_row).collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect())
}

fn calls_from_rows(rows: Vec<AnyRow>) -> Result<Vec<Call>, StoreError> {
    let mut live = Vec::with_capacity(rows.len());
    for r in rows {
        let json: String = r.try_get(0)?;
        match serde_json::from_str::<Call>(&json) {
            Ok(call) => live.push(call),
            Err(e) => tracing::error!(error = %e, "a stored call could not be read; left out of the live state"),
        }
    }
    Ok(live)
}

/// `$first, $first+1, …`: `n` placeholders.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The version and the live state, as committed (or as this transaction sees them).
pub async fn read_state(conn: &mut AnyConnection) -> Result<(i64, State), StoreError> {
    let version: i64 = sqlx::query("SELECT version FROM center WHERE id = 1").fetch_one(&mut *conn).await?.try_get(0)?;
    let agents = agents_from_rows(&sqlx::query(AGENT_COLUMNS).fetch_all(&mut *conn).await?)?;
    let live = calls_from_rows(sqlx::query("SELECT state FROM customer_calls WHERE live = 1").fetch_all(&mut *conn).await?)?;
    Ok((version, State::from_parts(agents, live)))
}

/// Bumps the one-row version: every decision does, first (which serialises decisions across
/// instances on PostgreSQL and takes SQLite's write lock up front). Returns the new version.
pub async fn bump_version(tx: &mut Tx<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query("UPDATE center SET version = version + 1 WHERE id = 1 RETURNING version").fetch_one(&mut **tx).await?.try_get(0)?)
}

/// An agent account as stored, if there is one (one the CLI made since the state was loaded).
pub async fn read_account(tx: &mut Tx<'_>, agent: &AgentId) -> Result<Option<Account>, StoreError> {
    let row = sqlx::query("SELECT identity, display_name, role, queues FROM agents WHERE identity = $1")
        .bind(agent.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    account_from(row)
}

fn account_from(row: Option<AnyRow>) -> Result<Option<Account>, StoreError> {
    let Some(r) = row else { return Ok(None) };
    let id: String = r.try_get(0)?;
    let role: String = r.try_get(2)?;
    Ok(AgentId::parse(&id).ok().map(|id| Account {
        id,
        name: r.try_get(1).unwrap_or_default(),
        role: AgentRole::parse(&role).unwrap_or_default(),
        queues: queues_of(r.try_get(3).unwrap_or_default()),
    }))
}

/// Whether storage knows this customer call (it queued once, perhaps long over).
pub async fn call_recorded(tx: &mut Tx<'_>, call: &CallSid) -> Result<bool, StoreError> {
    Ok(sqlx::query("SELECT 1 FROM customer_calls WHERE call_sid = $1").bind(call.as_str()).fetch_optional(&mut **tx).await?.is_some())
}

/// Whether storage knows a voicemail of this call already dealt with (Twilio repeating the
/// recording's request after it was handled).
pub async fn voicemail_recorded(tx: &mut Tx<'_>, call: &CallSid) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT 1 FROM customer_calls WHERE call_sid = $1 AND end_reason = 'voicemail-handled'")
        .bind(call.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.is_some())
}

/// What one transaction writes: gathered from the state the decisions made.
#[derive(Debug, Default)]
pub struct Rows {
    pub agents: Vec<(String, String, i64, Option<i64>)>,
    pub live_calls: Vec<(String, String, i64, String)>,
    pub ended_calls: Vec<(String, &'static str)>,
    /// Callers told we are closed: recorded as over at once (so a repeated webhook is known).
    pub closed_calls: Vec<(String, String)>,
    pub timeline: Vec<(String, Option<String>, &'static str, String, String)>,
    /// Rows about an agent and no call: presence changes, a supervisor's actions.
    pub agent_log: Vec<(String, &'static str, String, String)>,
    /// Each with its urgency when it creates a call (Twilio's pace applies to those).
    pub effects: Vec<(Effect, Option<Urgency>)>,
    /// Accounts that joined, changed or left the roster (their rows are the CLI's: nothing to
    /// write, but other instances must read them again).
    pub accounts: Vec<String>,
}

impl Rows {
    /// The rows the decided events touch, read from the state they made.
    pub fn of(state: &State, events: &[Event], effects: Vec<Effect>) -> Rows {
        let effects = effects.into_iter().map(|e| {
            let urgency = Urgency::of(&e, events);
            (e, urgency)
        });
        let mut rows = Rows { effects: effects.collect(), ..Rows::default() };
        let mut agents = BTreeSet::new();
        let mut calls = BTreeSet::new();
        let mut ended: HashMap<&CallSid, EndReason> = HashMap::new();
        for event in events {
            match event {
                // A sign-out names the agent's row, so other instances hear of it (their streams
                // of that account end too).
                Event::Agent(AgentEvent::PresenceChanged { agent, .. })
                | Event::Agent(AgentEvent::Seen { agent, .. })
                | Event::Agent(AgentEvent::SignedOut { agent }) => {
                    agents.insert(agent.clone());
                }
                Event::Call(CallEvent::Ended { call, reason, .. }) => {
                    ended.insert(call, *reason);
                }
                // An account joins as its row stands (offline, the columns' defaults): the CLI
                // wrote it, and the core's new agent is the same, so only others must read it.
                Event::Agent(AgentEvent::AccountAdded { agent, .. })
                | Event::Agent(AgentEvent::AccountChanged { agent, .. })
                | Event::Agent(AgentEvent::AccountRemoved { agent }) => rows.accounts.push(agent.to_string()),
                _ => {}
            }
            if let Event::Agent(AgentEvent::PresenceChanged { agent, .. })
            | Event::Agent(AgentEvent::Supervised { agent, .. })
            | Event::Agent(AgentEvent::SignedOut { agent }) = event
            {
                let json = serde_json::to_string(event).unwrap_or_default();
                rows.agent_log.push((agent.to_string(), event.kind(), event.describe(), json));
            }
            if let Event::Call(CallEvent::TurnedAway { call, from, .. }) = event {
                rows.closed_calls.push((call.to_string(), from.as_ref().map(|f| f.to_string()).unwrap_or_default()));
            }
            if let Some(call) = event.call() {
                if !matches!(event, Event::Call(CallEvent::TurnedAway { .. })) {
                    calls.insert(call.clone());
                }
                if event.is_bookkeeping() {
                    continue;
                }
                let json = serde_json::to_string(event).unwrap_or_default();
                rows.timeline.push((call.to_string(), event.agent().map(|a| a.to_string()), event.kind(), event.describe(), json));
            }
        }
        for id in agents {
            if let Some(a) = state.agents.get(&id) {
                let presence = serde_json::to_string(&a.presence).unwrap_or_else(|_| r#"{"state":"offline"}"#.into());
                rows.agents.push((id.to_string(), presence, a.since, a.online_until));
            }
        }
        for call in calls {
            match state.calls.get(&call) {
                Some(c) => {
                    let from = c.from.as_ref().map(|f| f.to_string()).unwrap_or_default();
                    rows.live_calls.push((call.to_string(), from, c.queued_at, serde_json::to_string(c).unwrap_or_default()))
                }
                None => rows.ended_calls.push((call.to_string(), ended.get(&call).copied().unwrap_or(EndReason::CallerHungUp).as_str())),
            }
        }
        rows
    }

    /// Whether anything but the console leases changed.
    pub fn only_agents(&self) -> bool {
        self.effects.is_empty()
            && self.timeline.is_empty()
            && self.live_calls.is_empty()
            && self.ended_calls.is_empty()
            && self.closed_calls.is_empty()
            && self.agent_log.is_empty()
    }
}

pub async fn write_rows(tx: &mut Tx<'_>, rows: &Rows, now: i64) -> Result<(), StoreError> {
    for (id, presence, since, online_until) in &rows.agents {
        sqlx::query("UPDATE agents SET presence = $1, presence_since = $2, online_until = $3 WHERE identity = $4")
            .bind(presence)
            .bind(since)
            .bind(online_until)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    for (sid, from, queued_at, state) in &rows.live_calls {
        sqlx::query(
            "INSERT INTO customer_calls (call_sid, from_number, queued_at, live, state, updated_at) VALUES ($1, $2, $3, 1, $4, $5)
             ON CONFLICT (call_sid) DO UPDATE SET state = $4, updated_at = $5, live = 1, end_reason = NULL, ended_at = NULL",
        )
        .bind(sid)
        .bind(from)
        .bind(queued_at)
        .bind(state)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    for (sid, from) in &rows.closed_calls {
        sqlx::query(
            "INSERT INTO customer_calls (call_sid, from_number, queued_at, live, state, end_reason, ended_at, updated_at)
             VALUES ($1, $2, $3, 0, '{}', 'closed', $3, $3) ON CONFLICT (call_sid) DO NOTHING",
        )
        .bind(sid)
        .bind(from)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    for (sid, reason) in &rows.ended_calls {
        sqlx::query(
            "UPDATE customer_calls SET live = 0, state = '{}', end_reason = $1, ended_at = $2, updated_at = $2 WHERE call_sid = $3",
        )
        .bind(*reason)
        .bind(now)
        .bind(sid)
        .execute(&mut **tx)
        .await?;
    }
    for (call, agent, kind, text, event) in &rows.timeline {
        sqlx::query("INSERT INTO timeline (call_sid, agent_id, at, kind, text, event) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(call)
            .bind(agent.as_deref())
            .bind(now)
            .bind(*kind)
            .bind(text)
            .bind(event)
            .execute(&mut **tx)
            .await?;
    }
    for (agent, kind, text, event) in &rows.agent_log {
        sqlx::query("INSERT INTO agent_log (agent_id, at, kind, text, event) VALUES ($1, $2, $3, $4, $5)")
            .bind(agent)
            .bind(now)
            .bind(*kind)
            .bind(text)
            .bind(event)
            .execute(&mut **tx)
            .await?;
    }
    super::outbox::write_effects(tx, &rows.effects, now).await
}

/// Agents per statement when leases are renewed.
const RENEWALS_PER_STATEMENT: usize = 200;

/// A heartbeat's rows: only the leases change, so a few statements for every agent renewed
/// instead of one each (500 consoles made a heartbeat transaction of 500 round trips on
/// PostgreSQL, holding the `center` row, and with it every decision, all along).
pub async fn write_renewals(tx: &mut Tx<'_>, until: i64, agents: &[AgentId]) -> Result<(), StoreError> {
    for chunk in agents.chunks(RENEWALS_PER_STATEMENT) {
        let sql = format!("UPDATE agents SET online_until = $1 WHERE identity IN ({})", placeholders(2, chunk.len()));
        let mut query = sqlx::query(&sql).bind(until);
        for agent in chunk {
            query = query.bind(agent.as_str());
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// PostgreSQL: tells every listening instance on `channel`, when (and only if) the transaction
/// commits.
pub async fn notify(tx: &mut Tx<'_>, channel: &str, payload: &str) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_notify($1, $2)").bind(channel).bind(payload).execute(&mut **tx).await?;
    Ok(())
}

/// The agents named (every one with `None`), as stored.
pub async fn read_agents(store: &Store, ids: Option<&[String]>) -> Result<Vec<Agent>, StoreError> {
    let pool = &store.pool;
    let rows = match ids {
        None => sqlx::query(AGENT_COLUMNS).fetch_all(pool).await?,
        Some(ids) => {
            let sql = format!("{AGENT_COLUMNS} WHERE identity IN ({})", placeholders(1, ids.len()));
            let mut query = sqlx::query(&sql);
            for id in ids {
                query = query.bind(id.as_str());
            }
            query.fetch_all(pool).await?
        }
    };
    agents_from_rows(&rows)
}

/// Those of the named calls that are still live, as stored.
pub async fn read_live_calls(store: &Store, calls: &[String]) -> Result<Vec<Call>, StoreError> {
    let pool = &store.pool;
    if calls.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("SELECT state FROM customer_calls WHERE live = 1 AND call_sid IN ({})", placeholders(1, calls.len()));
    let mut query = sqlx::query(&sql);
    for call in calls {
        query = query.bind(call.as_str());
    }
    calls_from_rows(query.fetch_all(pool).await?)
}

impl Store {
    /// The version and the live state as committed.
    pub async fn load_state(&self) -> Result<(i64, State), StoreError> {
        read_state(&mut *self.pool.acquire().await?).await
    }

    /// Every agent account: the roster.
    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let rows = sqlx::query("SELECT identity, display_name, role, queues FROM agents ORDER BY identity").fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|r| account_from(Some(r))).collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect())
    }

    /// Whether a customer call with this sid was ever recorded.
    pub async fn call_known(&self, call: &CallSid) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM customer_calls WHERE call_sid = $1").bind(call.as_str()).fetch_optional(&self.pool).await?;
        Ok(row.is_some())
    }

    /// The timeline of one call, oldest first.
    pub async fn timeline(&self, call: &CallSid) -> Result<Vec<TimelineRow>, StoreError> {
        let rows =
            sqlx::query("SELECT at, text FROM timeline WHERE call_sid = $1 ORDER BY id").bind(call.as_str()).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok(TimelineRow { at: r.try_get(0)?, text: r.try_get(1)? }))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// `agent`'s last `limit` calls with their timelines, newest first: the calls they took part
    /// in (a timeline row names them), and `current`, the one ringing for them or that they are
    /// on (a transfer's target sees the timeline so far before answering).
    pub async fn recent_calls(&self, agent: &AgentId, current: Option<&CallSid>, limit: i64) -> Result<Vec<CallHistory>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.call_sid, c.from_number FROM customer_calls c
             WHERE c.call_sid IN (SELECT call_sid FROM timeline WHERE agent_id = $1) OR c.call_sid = $3
             ORDER BY c.queued_at DESC LIMIT $2",
        )
        .bind(agent.as_str())
        .bind(limit)
        .bind(current.map(|c| c.as_str()).unwrap_or_default())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let sid: String = r.try_get(0)?;
            let Ok(call) = CallSid::parse(&sid) else { continue };
            let from: String = r.try_get(1)?;
            let rows = self.timeline(&call).await?;
            out.push(CallHistory { call, from: crate::ids::PhoneNumber::parse(&from).ok(), rows });
        }
        Ok(out)
    }
}
