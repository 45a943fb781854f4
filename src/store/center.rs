//! The center's decisions made durable: one writer task takes the commands waiting, decides
//! them with the pure core (`crate::center`) and writes the new state, the timeline rows and the
//! effects in ONE transaction, then publishes what changed.
//!
//! Each instance keeps the whole live state in memory (agents, calls not yet over): deciding and
//! drawing consoles never reads the database. The `center` row's version guards it: every
//! transaction bumps it first (which also serialises decisions across instances on PostgreSQL,
//! and takes SQLite's write lock up front), and an instance that finds a version it did not
//! write reloads the state inside that same transaction before deciding. So two instances never
//! offer one agent two calls, nor one call to two agents. On PostgreSQL a NOTIFY tells the other
//! instances to reload and redraw their consoles at once.
//!
//! Commands arriving together are decided in one transaction (group commit): one transaction
//! per command would queue every caller behind SQLite's single writer.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use tokio::sync::{broadcast, mpsc, oneshot, Notify};

use super::pool::{Backend, StoreError};
use crate::center::{
    Agent, Call, CallHistory, Command, Decision, Effect, EndReason, Event, Presence, Refusal, Rules, State, Target, TimelineRow,
    TransferAction,
};
use crate::clock::now_ms;
use crate::ids::{AgentId, CallSid};

/// Commands decided in one transaction at most.
const MAX_BATCH: usize = 128;
/// The PostgreSQL channel that carries new versions between instances.
const CHANNEL: &str = "wt_center";

#[derive(Debug, thiserror::Error)]
pub enum CenterError {
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Something changed: the version it made and what was decided (empty when another instance
/// decided it and this one reloaded).
#[derive(Debug, Clone)]
pub struct Change {
    pub version: i64,
    pub events: Arc<Vec<Event>>,
}

struct Cached {
    state: State,
    /// The version this copy reflects; -1 forces a reload.
    version: i64,
}

struct Job {
    command: Command,
    reply: oneshot::Sender<Result<Decision, CenterError>>,
}

/// The center, shared by every request of this instance.
#[derive(Clone)]
pub struct Center {
    inner: Arc<Inner>,
}

struct Inner {
    pool: AnyPool,
    backend: Backend,
    rules: Rules,
    cache: RwLock<Cached>,
    jobs: mpsc::Sender<Job>,
    changes: broadcast::Sender<Change>,
    /// Wakes the effects worker when a decision wrote effects.
    effects: Arc<Notify>,
    /// Open console streams per agent on this instance (their heartbeats).
    connections: Mutex<HashMap<AgentId, usize>>,
    /// The directory as JSON, made once per state version (and roster change) for every console.
    directory: Mutex<Option<(i64, u64, Arc<Directory>)>>,
    /// Bumped when the roster changes without a decision (accounts made by the CLI).
    roster: std::sync::atomic::AtomicU64,
    /// Held for a whole decision transaction, so that a reload after another instance's change
    /// never replaces the copy while this instance is deciding on it.
    deciding: tokio::sync::Mutex<()>,
}

impl Center {
    /// Loads the state and starts the writer, the ticker, the heartbeat and (on PostgreSQL) the
    /// listener for other instances' changes.
    pub async fn start(store: &super::pool::Store, rules: Rules) -> Result<Self, StoreError> {
        let (pool, backend, database_url) = (store.pool.clone(), store.backend(), store.url());
        let (version, state) = load(&pool).await?;
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        let (changes, _) = broadcast::channel(1024);
        let center = Center {
            inner: Arc::new(Inner {
                pool,
                backend,
                rules,
                cache: RwLock::new(Cached { state, version }),
                jobs,
                changes,
                effects: Arc::new(Notify::new()),
                connections: Mutex::new(HashMap::new()),
                directory: Mutex::new(None),
                roster: std::sync::atomic::AtomicU64::new(0),
                deciding: tokio::sync::Mutex::new(()),
            }),
        };
        tokio::spawn(write_loop(center.clone(), queue));
        tokio::spawn(tick_loop(Arc::downgrade(&center.inner)));
        tokio::spawn(heartbeat_loop(Arc::downgrade(&center.inner)));
        if backend == Backend::Postgres {
            listen(Arc::downgrade(&center.inner), database_url.to_string()).await?;
        }
        Ok(center)
    }

    pub fn rules(&self) -> &Rules {
        &self.inner.rules
    }

    /// Decides `command` and returns once the decision is durable (or refused).
    pub async fn decide(&self, command: Command) -> Result<Decision, CenterError> {
        let (reply, answer) = oneshot::channel();
        self.inner.jobs.send(Job { command, reply }).await.map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Reads the live state (never held across an await).
    pub fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        let cache = self.inner.cache.read().unwrap_or_else(|e| e.into_inner());
        f(&cache.state)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.inner.changes.subscribe()
    }

    /// Notified whenever a decision wrote effects (the effects worker waits on it).
    pub fn effects_written(&self) -> Arc<Notify> {
        self.inner.effects.clone()
    }

    /// Picks up agents created (or removed) since the state was loaded: the CLI writes accounts
    /// straight to the database while the server runs. New agents are offline; a removed one
    /// leaves the state once nothing of theirs is live. Consoles are redrawn when it changed.
    pub async fn refresh_roster(&self) -> Result<(), StoreError> {
        let inner = &self.inner;
        let _deciding = inner.deciding.lock().await;
        let rows = sqlx::query(AGENT_COLUMNS).fetch_all(&inner.pool).await?;
        let stored: Vec<Agent> = rows.iter().map(agent_from_row).collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect();
        let changed = {
            let mut cache = inner.cache.write().unwrap_or_else(|e| e.into_inner());
            let mut changed = false;
            for a in &stored {
                if !cache.state.agents.contains_key(&a.id) {
                    cache.state.agents.insert(a.id.clone(), a.clone());
                    changed = true;
                }
            }
            let gone: Vec<AgentId> = cache
                .state
                .agents
                .values()
                .filter(|a| a.presence == Presence::Offline && !stored.iter().any(|s| s.id == a.id))
                .map(|a| a.id.clone())
                .collect();
            for id in gone {
                cache.state.agents.remove(&id);
                changed = true;
            }
            changed.then_some(cache.version)
        };
        if let Some(version) = changed {
            inner.roster.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let _ = inner.changes.send(Change { version, events: Arc::new(Vec::new()) });
        }
        Ok(())
    }

    /// A console stream for `agent` opened on this instance: they count as connected (the first
    /// one sends a heartbeat at once, so the lease starts now). Dropping the guard closes it.
    pub async fn connect(&self, agent: &AgentId) -> ConnectionGuard {
        if let Err(e) = self.refresh_roster().await {
            tracing::warn!(error = %e, "could not read the agents");
        }
        let first = {
            let mut c = self.inner.connections.lock().unwrap_or_else(|e| e.into_inner());
            let n = c.entry(agent.clone()).or_insert(0);
            *n += 1;
            *n == 1
        };
        if first {
            if let Err(e) = self.decide(Command::Heartbeat { agents: vec![agent.clone()] }).await {
                tracing::warn!(%agent, error = %e, "could not record a console connection");
            }
        }
        ConnectionGuard { center: self.clone(), agent: agent.clone() }
    }

    /// Whether a customer call with this sid was ever recorded.
    pub async fn call_known(&self, call: &CallSid) -> Result<bool, StoreError> {
        let row =
            sqlx::query("SELECT 1 FROM customer_calls WHERE call_sid = $1").bind(call.as_str()).fetch_optional(&self.inner.pool).await?;
        Ok(row.is_some())
    }

    /// The timeline of one call, oldest first.
    pub async fn timeline(&self, call: &CallSid) -> Result<Vec<TimelineRow>, StoreError> {
        let rows = sqlx::query("SELECT at, text FROM timeline WHERE call_sid = $1 ORDER BY id")
            .bind(call.as_str())
            .fetch_all(&self.inner.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(TimelineRow { at: r.try_get(0)?, text: r.try_get(1)? }))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// `agent`'s last `limit` calls with their timelines, newest first: the calls they took part
    /// in, and the one ringing for them or that they are on (a transfer's target sees the
    /// timeline so far before answering).
    pub async fn recent_calls(&self, agent: &AgentId, limit: i64) -> Result<Vec<CallHistory>, StoreError> {
        let current = self.read(|s| s.agents.get(agent).and_then(|a| a.presence.call().map(|c| c.to_string()))).unwrap_or_default();
        let rows = sqlx::query(
            "SELECT c.call_sid, c.from_number FROM customer_calls c
             WHERE c.call_sid IN (SELECT call_sid FROM timeline WHERE agent_id = $1) OR c.call_sid = $3
             ORDER BY c.queued_at DESC LIMIT $2",
        )
        .bind(agent.as_str())
        .bind(limit)
        .bind(current)
        .fetch_all(&self.inner.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let sid: String = r.try_get(0)?;
            let Ok(call) = CallSid::parse(&sid) else { continue };
            let rows = self.timeline(&call).await?;
            out.push(CallHistory { call, from: r.try_get(1)?, rows });
        }
        Ok(out)
    }
}

/// Every agent's card as JSON, shared by all the consoles of one state version.
#[derive(Debug, PartialEq, Eq)]
pub struct Directory {
    pub json: String,
    /// The same as a server-sent event, made once for all the consoles that send it (see
    /// `console::events`).
    pub frame: std::sync::OnceLock<axum::body::Bytes>,
}

impl Center {
    /// The directory (every agent and their presence) as JSON: serialised once per version of
    /// the state, however many consoles send it.
    pub fn directory(&self) -> Arc<Directory> {
        let roster = self.inner.roster.load(std::sync::atomic::Ordering::Relaxed);
        let cache = self.inner.cache.read().unwrap_or_else(|e| e.into_inner());
        let mut memo = self.inner.directory.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((version, r, dir)) = memo.as_ref() {
            if *version == cache.version && *r == roster {
                return dir.clone();
            }
        }
        let mut json = serde_json::to_string(&cache.state.directory()).unwrap_or_else(|_| "[]".into());
        // Most versions leave every card as it was (a lease renewed, a caller queued): the same
        // directory is then kept, so that every console holds one copy (each holds the one it
        // sent last; a copy per console was ~50 KB each with 500 agents) and sees at once, by
        // pointer, that there is nothing to send.
        let dir = match memo.as_ref() {
            Some((_, _, dir)) if dir.json == json => dir.clone(),
            _ => {
                json.shrink_to_fit();
                Arc::new(Directory { json, frame: std::sync::OnceLock::new() })
            }
        };
        *memo = Some((cache.version, roster, dir.clone()));
        dir
    }
}

/// An open console stream; dropping it closes the connection (the lease then runs out).
pub struct ConnectionGuard {
    center: Center,
    agent: AgentId,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        let mut c = self.center.inner.connections.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = c.get_mut(&self.agent) {
            *n -= 1;
            if *n == 0 {
                c.remove(&self.agent);
            }
        }
    }
}

// ---- loading -----------------------------------------------------------------------------------

fn agent_from_row(r: &AnyRow) -> Result<Option<Agent>, StoreError> {
    let id: String = r.try_get(0)?;
    let Ok(id) = AgentId::parse(&id) else { return Ok(None) };
    let presence: String = r.try_get(1)?;
    let presence = serde_json::from_str(&presence).unwrap_or(Presence::Offline);
    Ok(Some(Agent { id, presence, since: r.try_get(2)?, online_until: r.try_get(3)? }))
}

const AGENT_COLUMNS: &str = "SELECT identity, presence, presence_since, online_until FROM agents";

/// The version and the live state, as committed (or as this transaction sees them).
async fn read_state(conn: &mut sqlx::AnyConnection) -> Result<(i64, State), StoreError> {
    let version: i64 = sqlx::query("SELECT version FROM center WHERE id = 1").fetch_one(&mut *conn).await?.try_get(0)?;
    let agents = sqlx::query(AGENT_COLUMNS).fetch_all(&mut *conn).await?;
    let agents: Vec<Agent> = agents.iter().map(agent_from_row).collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect();
    let calls = sqlx::query("SELECT state FROM customer_calls WHERE live = 1").fetch_all(&mut *conn).await?;
    let mut live = Vec::with_capacity(calls.len());
    for r in calls {
        let json: String = r.try_get(0)?;
        match serde_json::from_str::<Call>(&json) {
            Ok(call) => live.push(call),
            Err(e) => tracing::error!(error = %e, "a stored call could not be read; left out of the live state"),
        }
    }
    Ok((version, State::from_parts(agents, live)))
}

async fn load(pool: &AnyPool) -> Result<(i64, State), StoreError> {
    read_state(&mut *pool.acquire().await?).await
}

// ---- deciding ----------------------------------------------------------------------------------

async fn write_loop(center: Center, mut queue: mpsc::Receiver<Job>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let commands: Vec<Command> = batch.iter().map(|j| j.command.clone()).collect();
        match center.commit(&commands).await {
            Ok(results) => {
                for (job, result) in batch.into_iter().zip(results) {
                    let _ = job.reply.send(result.map_err(CenterError::from));
                }
            }
            // One bad command must not fail its neighbours: each again alone, so each gets its
            // own outcome.
            Err(_) if batch.len() > 1 => {
                for job in batch {
                    let result = match center.commit(std::slice::from_ref(&job.command)).await {
                        Ok(mut r) => r.pop().unwrap_or(Err(Refusal::NotNow("nothing decided".into()))).map_err(CenterError::from),
                        Err(e) => Err(e.into()),
                    };
                    let _ = job.reply.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "a decision could not be stored");
                for job in batch {
                    let _ = job.reply.send(Err(CenterError::Store(StoreError::WriterGone)));
                }
            }
        }
    }
}

/// What one transaction writes, gathered while the state is locked.
#[derive(Default)]
struct Rows {
    agents: Vec<(String, String, i64, Option<i64>)>,
    live_calls: Vec<(String, String, i64, String)>,
    ended_calls: Vec<(String, &'static str)>,
    timeline: Vec<(String, Option<String>, String, String, String)>,
    effects: Vec<Effect>,
}

impl Center {
    async fn commit(&self, commands: &[Command]) -> Result<Vec<Result<Decision, Refusal>>, StoreError> {
        let result = self.try_commit(commands).await;
        if result.is_err() {
            // The copy may hold decisions that were rolled back: reload before the next one.
            self.inner.cache.write().unwrap_or_else(|e| e.into_inner()).version = -1;
        }
        result
    }

    async fn try_commit(&self, commands: &[Command]) -> Result<Vec<Result<Decision, Refusal>>, StoreError> {
        let inner = &self.inner;
        let _deciding = inner.deciding.lock().await;
        let now = now_ms();
        let mut tx = inner.pool.begin().await?;
        let version: i64 =
            sqlx::query("UPDATE center SET version = version + 1 WHERE id = 1 RETURNING version").fetch_one(&mut *tx).await?.try_get(0)?;
        let stale = inner.cache.read().unwrap_or_else(|e| e.into_inner()).version != version - 1;
        if stale {
            let (_, state) = read_state(&mut tx).await?;
            // What was just read is the state as of the version before ours.
            *inner.cache.write().unwrap_or_else(|e| e.into_inner()) = Cached { state, version: version - 1 };
        }
        // Agents created since the state was loaded (the CLI writes them) and callers already
        // recorded (a repeated webhook for a call that is over) are looked up first.
        let mut skip = vec![false; commands.len()];
        for (i, command) in commands.iter().enumerate() {
            for agent in named_agents(command) {
                if !self.read(|s| s.agents.contains_key(agent)) {
                    let row =
                        sqlx::query(&format!("{AGENT_COLUMNS} WHERE identity = $1")).bind(agent.as_str()).fetch_optional(&mut *tx).await?;
                    if let Some(a) = row.as_ref().map(agent_from_row).transpose()?.flatten() {
                        inner.cache.write().unwrap_or_else(|e| e.into_inner()).state.agents.insert(a.id.clone(), a);
                    }
                }
            }
            if let Command::CallArrived { call, .. } = command {
                if !self.read(|s| s.calls.contains_key(call)) {
                    let known = sqlx::query("SELECT 1 FROM customer_calls WHERE call_sid = $1")
                        .bind(call.as_str())
                        .fetch_optional(&mut *tx)
                        .await?;
                    skip[i] = known.is_some();
                }
            }
        }

        let (results, rows, events) = {
            let mut cache = inner.cache.write().unwrap_or_else(|e| e.into_inner());
            let mut results = Vec::with_capacity(commands.len());
            let mut events = Vec::new();
            for (command, skip) in commands.iter().zip(skip) {
                let result = if skip { Ok(Decision::default()) } else { cache.state.handle(command.clone(), now, &inner.rules) };
                if let Ok(d) = &result {
                    events.extend(d.events.iter().cloned());
                }
                results.push(result);
            }
            let effects = results.iter().filter_map(|r| r.as_ref().ok()).flat_map(|d| d.effects.iter().cloned()).collect();
            (results, rows_for(&cache.state, &events, effects), events)
        };

        if events.is_empty() && rows.effects.is_empty() {
            // Nothing was decided (a repeated webhook, a refusal): nothing to write, and the
            // version stays, so other instances have nothing to reload.
            tx.rollback().await?;
            return Ok(results);
        }
        let renewals = lease_renewals(&events)
            .filter(|_| rows.effects.is_empty() && rows.timeline.is_empty() && rows.live_calls.is_empty() && rows.ended_calls.is_empty());
        match &renewals {
            Some((until, agents)) => write_renewals(&mut tx, *until, agents).await?,
            None => write_rows(&mut tx, &rows, now).await?,
        }
        if inner.backend == Backend::Postgres {
            // Delivered to the other instances when (and only if) this commits, with what
            // changed, so that they need not read the whole state again.
            let notice = Notice::of(version, renewals.as_ref(), &rows);
            sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(notice).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        inner.cache.write().unwrap_or_else(|e| e.into_inner()).version = version;
        if !rows.effects.is_empty() {
            inner.effects.notify_one();
        }
        if !events.is_empty() {
            let _ = inner.changes.send(Change { version, events: Arc::new(events) });
        }
        Ok(results)
    }
}

fn named_agents(command: &Command) -> Vec<&AgentId> {
    match command {
        Command::LegAnswered { party, .. } | Command::LegEnded { party, .. } => party.agent().into_iter().collect(),
        Command::SetPresence { agent, .. } | Command::SignedOut { agent } | Command::Hold { agent, .. } | Command::Mute { agent, .. } => {
            vec![agent]
        }
        Command::Heartbeat { agents } => agents.iter().collect(),
        Command::Transfer { agent, action } => match action {
            TransferAction::Consult { to: Target::Agent(to), .. } | TransferAction::Blind { to: Target::Agent(to) } => vec![agent, to],
            _ => vec![agent],
        },
        Command::CallArrived { .. }
        | Command::CallerLeft { .. }
        | Command::ConferenceKnown { .. }
        | Command::ArrangeFailed { .. }
        | Command::Tick => {
            vec![]
        }
    }
}

/// The rows the decided events touch, read from the state they made.
fn rows_for(state: &State, events: &[Event], effects: Vec<Effect>) -> Rows {
    let mut rows = Rows { effects, ..Rows::default() };
    let mut agents = BTreeSet::new();
    let mut calls = BTreeSet::new();
    let mut ended: HashMap<&CallSid, EndReason> = HashMap::new();
    for event in events {
        match event {
            Event::PresenceChanged { agent, .. } | Event::Seen { agent, .. } => {
                agents.insert(agent.clone());
            }
            Event::Ended { call, reason } => {
                ended.insert(call, *reason);
            }
            _ => {}
        }
        if let Some(call) = event.call() {
            calls.insert(call.clone());
            if event.is_bookkeeping() {
                continue;
            }
            let value = serde_json::to_value(event).unwrap_or_default();
            let kind = value.get("event").and_then(|k| k.as_str()).unwrap_or("event").to_string();
            rows.timeline.push((call.to_string(), event.agent().map(|a| a.to_string()), kind, event.describe(), value.to_string()));
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
            Some(c) => rows.live_calls.push((call.to_string(), c.from.clone(), c.queued_at, serde_json::to_string(c).unwrap_or_default())),
            None => {
                let reason = match ended.get(&call) {
                    Some(EndReason::AgentHungUp) => "agent-hung-up",
                    Some(EndReason::OutsideHungUp) => "outside-hung-up",
                    _ => "caller-hung-up",
                };
                rows.ended_calls.push((call.to_string(), reason));
            }
        }
    }
    rows
}

async fn write_rows(tx: &mut sqlx::Transaction<'_, sqlx::Any>, rows: &Rows, now: i64) -> Result<(), StoreError> {
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
             ON CONFLICT (call_sid) DO UPDATE SET state = $4, updated_at = $5",
        )
        .bind(sid)
        .bind(from)
        .bind(queued_at)
        .bind(state)
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
            .bind(kind)
            .bind(text)
            .bind(event)
            .execute(&mut **tx)
            .await?;
    }
    for effect in &rows.effects {
        let (agent, leg) = match effect.leg() {
            Some((party, leg)) => (Some(party.as_str()), Some(i64::from(leg))),
            None => (None, None),
        };
        sqlx::query(
            "INSERT INTO effects (kind, call_sid, agent_id, leg, payload, status, next_attempt_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6, $6)",
        )
        .bind(effect.kind())
        .bind(effect.call().as_str())
        .bind(agent)
        .bind(leg)
        .bind(serde_json::to_string(effect).unwrap_or_default())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

// ---- time, heartbeats, other instances -----------------------------------------------------------

/// The decided events when they only renew console leases (a heartbeat), all to one time (one
/// decision has one `now`): the renewed agents, each once, and that time.
fn lease_renewals(events: &[Event]) -> Option<(i64, Vec<AgentId>)> {
    let mut until = None;
    let mut agents = BTreeSet::new();
    for event in events {
        let Event::Seen { agent, until: u } = event else { return None };
        if *until.get_or_insert(*u) != *u {
            return None;
        }
        agents.insert(agent.clone());
    }
    Some((until?, agents.into_iter().collect()))
}

/// Agents per statement when leases are renewed.
const RENEWALS_PER_STATEMENT: usize = 200;

/// A heartbeat's rows: only the leases change, so a few statements for every agent renewed
/// instead of one each (500 consoles made a heartbeat transaction of 500 round trips on
/// PostgreSQL, holding the `center` row, and with it every decision, all along).
async fn write_renewals(tx: &mut sqlx::Transaction<'_, sqlx::Any>, until: i64, agents: &[AgentId]) -> Result<(), StoreError> {
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

/// `$first, $first+1, …`: `n` placeholders.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// What one committed decision changed, as the other instances learn it (the NOTIFY payload):
/// from it they bring their copy from the version before to this one without reading the whole
/// state. Every change to the live state is a row `rows_for` writes, so the rows named here are
/// all that differ.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "k", rename_all = "kebab-case")]
enum Notice {
    /// Only these agents' leases were renewed, to `until`: applied as they are, nothing read.
    Seen { v: i64, until: i64, agents: Vec<String> },
    /// These agents' rows (every agent's with `None`) and these calls' rows changed: read again.
    Rows { v: i64, agents: Option<Vec<String>>, calls: Vec<String> },
    /// Anything may have changed: the whole state is read again.
    Full { v: i64 },
}

/// A NOTIFY payload must stay under 8000 bytes.
const MAX_NOTICE: usize = 7900;

impl Notice {
    fn of(version: i64, renewals: Option<&(i64, Vec<AgentId>)>, rows: &Rows) -> String {
        let calls: Vec<String> = rows.live_calls.iter().map(|c| c.0.clone()).chain(rows.ended_calls.iter().map(|c| c.0.clone())).collect();
        let mut tries = Vec::with_capacity(3);
        if let Some((until, agents)) = renewals {
            tries.push(Notice::Seen { v: version, until: *until, agents: agents.iter().map(|a| a.to_string()).collect() });
        } else {
            tries.push(Notice::Rows { v: version, agents: Some(rows.agents.iter().map(|a| a.0.clone()).collect()), calls: calls.clone() });
        }
        // Too long: every agent is read again, then everything.
        tries.push(Notice::Rows { v: version, agents: None, calls });
        tries.push(Notice::Full { v: version });
        tries
            .iter()
            .filter_map(|n| serde_json::to_string(n).ok())
            .find(|json| json.len() <= MAX_NOTICE)
            .unwrap_or_else(|| format!(r#"{{"k":"full","v":{version}}}"#))
    }

    /// A payload as sent; a bare version (an older instance's) or anything unreadable means
    /// reading everything again.
    fn parse(payload: &str) -> Notice {
        serde_json::from_str(payload).unwrap_or_else(|_| Notice::Full { v: payload.trim().parse().unwrap_or(i64::MAX) })
    }

    fn version(&self) -> i64 {
        match self {
            Notice::Seen { v, .. } | Notice::Rows { v, .. } | Notice::Full { v } => *v,
        }
    }
}

/// Sends `Tick` whenever something falls due (a wrap-up ends, an offer is overdue, a lease
/// lapses), and looks for new agent accounts every few seconds.
async fn tick_loop(inner: std::sync::Weak<Inner>) {
    let mut interval = tokio::time::interval(std::time::Duration::from_millis(250));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut ticks = 0u64;
    loop {
        interval.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        let center = Center { inner };
        ticks += 1;
        // New accounts show in the directories within a few seconds.
        if ticks.is_multiple_of(20) {
            if let Err(e) = center.refresh_roster().await {
                tracing::warn!(error = %e, "could not read the agents");
            }
        }
        let due = center.read(|s| s.next_due(center.rules())).is_some_and(|t| t <= now_ms());
        if due {
            if let Err(e) = center.decide(Command::Tick).await {
                tracing::warn!(error = %e, "tick not decided");
            }
        }
    }
}

/// Renews the lease of every agent with a console stream open here, a third of a lease apart.
async fn heartbeat_loop(inner: std::sync::Weak<Inner>) {
    let every = inner.upgrade().map(|i| i.rules.lease / 3).unwrap_or(10_000).max(100) as u64;
    let mut interval = tokio::time::interval(std::time::Duration::from_millis(every));
    loop {
        interval.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        let agents: Vec<AgentId> = inner.connections.lock().unwrap_or_else(|e| e.into_inner()).keys().cloned().collect();
        if agents.is_empty() {
            continue;
        }
        let center = Center { inner };
        if let Err(e) = center.decide(Command::Heartbeat { agents }).await {
            tracing::warn!(error = %e, "heartbeat not recorded");
        }
    }
}

/// PostgreSQL: another instance committed a decision; bring the copy here up to date and redraw
/// the consoles.
async fn listen(inner: std::sync::Weak<Inner>, url: String) -> Result<(), StoreError> {
    let mut listener = sqlx::postgres::PgListener::connect(&url).await?;
    listener.listen(CHANNEL).await?;
    tokio::spawn(async move {
        loop {
            let notice = match listener.try_recv().await {
                Ok(Some(notification)) => Notice::parse(notification.payload()),
                // The connection was lost (the next call makes it again): notices sent meanwhile
                // are lost, so everything is read again.
                Ok(None) => Notice::Full { v: i64::MAX },
                Err(e) => {
                    tracing::warn!(error = %e, "lost the PostgreSQL listener; retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    Notice::Full { v: i64::MAX }
                }
            };
            let Some(inner) = inner.upgrade() else { return };
            catch_up(&inner, notice).await;
        }
    });
    Ok(())
}

/// Brings this instance's copy to the notice's version: from the version just before by what
/// the notice names (a lease renewal from the notice alone, other changes by reading only their
/// rows), from anything else by reading the whole state. Its own decisions (already in the copy)
/// are skipped.
///
/// Rows read here may already be newer than the notice (another decision committed since); the
/// copy is then ahead of its version, which is safe: the next decision here finds a version it
/// did not expect and reads the whole state inside its transaction, and the next notice reads
/// those rows again.
async fn catch_up(inner: &Inner, notice: Notice) {
    let version = notice.version();
    let _deciding = inner.deciding.lock().await;
    let have = inner.cache.read().unwrap_or_else(|e| e.into_inner()).version;
    if have >= version {
        return;
    }
    let next = have.checked_add(1) == Some(version);
    let result = match notice {
        Notice::Seen { until, agents, .. } if next => renew_leases(inner, version, until, agents).await,
        Notice::Rows { agents, calls, .. } if next => read_rows(inner, version, agents, calls).await,
        _ => reload(inner).await,
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not follow another instance's change");
    }
}

/// Leases renewed on another instance: no row is read (but an agent this copy does not have yet).
async fn renew_leases(inner: &Inner, version: i64, until: i64, agents: Vec<String>) -> Result<(), StoreError> {
    let ids: Vec<AgentId> = agents.iter().filter_map(|a| AgentId::parse(a).ok()).collect();
    let missing: Vec<String> = {
        let cache = inner.cache.read().unwrap_or_else(|e| e.into_inner());
        ids.iter().filter(|id| !cache.state.agents.contains_key(*id)).map(|id| id.to_string()).collect()
    };
    let read = if missing.is_empty() { Vec::new() } else { read_agents(&inner.pool, Some(&missing)).await? };
    let mut events = Vec::with_capacity(ids.len());
    {
        let mut cache = inner.cache.write().unwrap_or_else(|e| e.into_inner());
        for agent in read {
            cache.state.agents.insert(agent.id.clone(), agent);
        }
        for id in ids {
            if let Some(a) = cache.state.agents.get_mut(&id) {
                a.online_until = Some(until);
                events.push(Event::Seen { agent: id, until });
            }
        }
        cache.version = version;
    }
    // Consoles show no lease: they see from these events that they have nothing to redraw.
    let _ = inner.changes.send(Change { version, events: Arc::new(events) });
    Ok(())
}

/// Another instance's decision: only the rows it wrote are read again.
async fn read_rows(inner: &Inner, version: i64, agents: Option<Vec<String>>, calls: Vec<String>) -> Result<(), StoreError> {
    let read = match &agents {
        Some(ids) if ids.is_empty() => Vec::new(),
        Some(ids) => read_agents(&inner.pool, Some(ids)).await?,
        None => read_agents(&inner.pool, None).await?,
    };
    let mut live = Vec::new();
    if !calls.is_empty() {
        let sql = format!("SELECT state FROM customer_calls WHERE live = 1 AND call_sid IN ({})", placeholders(1, calls.len()));
        let mut query = sqlx::query(&sql);
        for call in &calls {
            query = query.bind(call.as_str());
        }
        for r in query.fetch_all(&inner.pool).await? {
            let json: String = r.try_get(0)?;
            match serde_json::from_str::<Call>(&json) {
                Ok(call) => live.push(call),
                Err(e) => tracing::error!(error = %e, "a stored call could not be read; left out of the live state"),
            }
        }
    }
    {
        let mut cache = inner.cache.write().unwrap_or_else(|e| e.into_inner());
        for agent in read {
            cache.state.agents.insert(agent.id.clone(), agent);
        }
        if !calls.is_empty() {
            // The calls named are replaced by what is stored (an ended one is no longer live);
            // the queue's order is rebuilt from them.
            let State { agents, calls: mut current, .. } = std::mem::take(&mut cache.state);
            for sid in &calls {
                if let Ok(sid) = CallSid::parse(sid) {
                    current.remove(&sid);
                }
            }
            for call in live {
                current.insert(call.sid.clone(), call);
            }
            cache.state = State::from_parts(agents.into_values(), current.into_values());
        }
        cache.version = version;
    }
    inner.effects.notify_one();
    let _ = inner.changes.send(Change { version, events: Arc::new(Vec::new()) });
    Ok(())
}

/// The agents named (every one with `None`), as stored.
async fn read_agents(pool: &AnyPool, ids: Option<&[String]>) -> Result<Vec<Agent>, StoreError> {
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
    Ok(rows.iter().map(agent_from_row).collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect())
}

/// The whole state read again (a notice missed, or one naming too much).
async fn reload(inner: &Inner) -> Result<(), StoreError> {
    let (loaded, state) = load(&inner.pool).await?;
    {
        let mut cache = inner.cache.write().unwrap_or_else(|e| e.into_inner());
        if loaded > cache.version {
            *cache = Cached { state, version: loaded };
        }
    }
    inner.effects.notify_one();
    let _ = inner.changes.send(Change { version: loaded, events: Arc::new(Vec::new()) });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(n: usize) -> AgentId {
        AgentId::parse(&format!("agent-with-a-longish-name-{n:04}")).unwrap()
    }

    #[test]
    fn a_heartbeat_is_noticed_with_its_leases_and_anything_else_by_its_rows() {
        let renewed = (42, vec![agent(1), agent(2)]);
        let rows = Rows { agents: vec![(agent(1).to_string(), String::new(), 0, Some(42))], ..Rows::default() };
        assert_eq!(
            Notice::parse(&Notice::of(7, Some(&renewed), &rows)),
            Notice::Seen { v: 7, until: 42, agents: vec![agent(1).to_string(), agent(2).to_string()] }
        );
        let call = "CA0123456789abcdef0123456789abcdef".to_string();
        let rows = Rows { live_calls: vec![(call.clone(), String::new(), 0, String::new())], ..rows };
        assert_eq!(
            Notice::parse(&Notice::of(8, None, &rows)),
            Notice::Rows { v: 8, agents: Some(vec![agent(1).to_string()]), calls: vec![call] }
        );
    }

    #[test]
    fn a_notice_too_long_for_notify_names_less_and_an_old_one_means_everything() {
        let many: Vec<AgentId> = (0..400).map(agent).collect();
        let renewed = (42, many.clone());
        let json = Notice::of(9, Some(&renewed), &Rows::default());
        assert!(json.len() <= MAX_NOTICE);
        assert_eq!(Notice::parse(&json), Notice::Rows { v: 9, agents: None, calls: vec![] });
        let calls = (0..400).map(|n| (format!("CA{n:032x}"), "ended")).collect();
        let json = Notice::of(10, None, &Rows { ended_calls: calls, ..Rows::default() });
        assert_eq!(Notice::parse(&json), Notice::Full { v: 10 });
        assert_eq!(Notice::parse("11"), Notice::Full { v: 11 });
        assert_eq!(Notice::parse("garbled"), Notice::Full { v: i64::MAX });
        assert_eq!(
            lease_renewals(&[Event::Seen { agent: agent(1), until: 5 }, Event::Seen { agent: agent(1), until: 5 }]),
            Some((5, vec![agent(1)]))
        );
        assert_eq!(lease_renewals(&[]), None);
    }
}
