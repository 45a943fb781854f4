//! Every sqlx query in the app, behind one [`Store`] the call domain uses.
//!
//! One set of queries serves SQLite (the zero-set-up default) and PostgreSQL (several app
//! instances sharing one database): the SQL is portable (`$n` placeholders, `ON CONFLICT`,
//! BIGINT times in unix milliseconds) and runs through `sqlx::Any`. Only the migrations differ.

mod agents;
mod assignments;
mod rows;
mod writer;

pub use agents::AgentRow;
pub use rows::*;

use crate::ids::{AgentId, CallSid};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::sync::Arc;
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the call writer has stopped")]
    WriterGone,
    #[error("unsupported DATABASE_URL scheme (use sqlite: or postgres:)")]
    UnsupportedUrl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
    writer: writer::CallWriter,
    assignments: Arc<assignments::AssignmentCache>,
}

/// Milliseconds since the epoch: the one clock every row uses.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Store {
    /// Connects, configures SQLite for concurrent use, and applies the embedded migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(5));
        if backend == Backend::Sqlite {
            // WAL lets readers run beside the one writer; NORMAL syncs the WAL at checkpoints,
            // so a commit survives a crash of this process (not of the machine's power).
            options = options.max_connections(8).after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA busy_timeout = 5000").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
                    Ok(())
                })
            });
        } else {
            options = options.max_connections(16);
        }
        let pool = options.connect(url).await?;
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        let assignments = Arc::new(assignments::AssignmentCache::default());
        let writer = writer::CallWriter::start(pool.clone(), backend, assignments.clone());
        Ok(Self { pool, backend, writer, assignments })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// `SELECT 1`: the health check.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// A customer's call arrived: record the call, open its conference, assign the first agent
    /// and promise the dial, durably, before returning. Twilio retries a webhook it thinks
    /// failed; a CallSid seen before changes nothing and returns `false`.
    ///
    /// Calls arriving together are committed together (group commit, see `writer`): one
    /// transaction per batch instead of one per call is what lets a burst of callers through
    /// SQLite's single writer.
    pub async fn open_conference(&self, call: &NewCustomerCall, first_agent: &AgentId) -> Result<bool, StoreError> {
        self.writer.write(writer::Write::OpenConference { call: call.clone(), agent: first_agent.clone() }).await
    }

    /// One transaction for a batch of writes (see `writer`); `outcome[i]` for `writes[i]`.
    async fn commit_writes(&self, writes: &[&writer::Write]) -> Result<Vec<bool>, StoreError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let mut outcomes = Vec::with_capacity(writes.len());
        for write in writes {
            outcomes.push(match write {
                writer::Write::OpenConference { call, agent } => open_conference_tx(&mut tx, call, agent, now).await?,
                writer::Write::DialSent { job, call_sid, status } => {
                    dial_sent_tx(&mut tx, job, call_sid, status, now).await?;
                    true
                }
            });
        }
        tx.commit().await?;
        for (write, _) in writes.iter().zip(&outcomes).filter(|(_, created)| **created) {
            if let writer::Write::OpenConference { call, agent } = write {
                self.assignments.put(call.call_sid.as_str(), agent.as_str(), 1);
            }
        }
        Ok(outcomes)
    }

    /// Brings another agent onto a conference: the assignment and its dial in one transaction.
    /// Returns `false` if that agent is already assigned there (a double click dials once).
    pub async fn add_agent(&self, conference_id: &str, agent: &AgentId) -> Result<bool, StoreError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let position: i64 = sqlx::query("SELECT COALESCE(MAX(position), 0) + 1 FROM conference_agents WHERE conference_id = $1")
            .bind(conference_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        let created = add_agent_tx(&mut tx, conference_id, agent.as_str(), position, now).await?;
        tx.commit().await?;
        if created {
            self.assignments.put(conference_id, agent.as_str(), position);
        }
        Ok(created)
    }

    pub async fn conference(&self, id: &str) -> Result<Option<ConferenceRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, customer_call_sid, conference_sid, status FROM conferences WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| ConferenceRow::from_row(&r)).transpose()
    }

    /// Whether the conference exists and, if so, `agent`'s position on it: from memory when this
    /// instance wrote or read it before (see `assignments`), else one round trip, for the
    /// agent-join webhook.
    pub async fn assignment(&self, conference_id: &str, agent: &str) -> Result<Option<Option<i64>>, StoreError> {
        if let Some(position) = self.assignments.get(conference_id, agent) {
            return Ok(Some(Some(position)));
        }
        let row = sqlx::query(
            "SELECT c.id, a.position FROM conferences c
             LEFT JOIN conference_agents a ON a.conference_id = c.id AND a.agent_id = $2
             WHERE c.id = $1",
        )
        .bind(conference_id)
        .bind(agent)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            None => None,
            Some(r) => {
                let position = r.try_get::<Option<i64>, _>(1)?;
                if let Some(position) = position {
                    self.assignments.put(conference_id, agent, position);
                }
                Some(position)
            }
        })
    }

    pub async fn conference_agent(&self, conference_id: &str, agent: &str) -> Result<Option<ConferenceAgentRow>, StoreError> {
        let row = sqlx::query(
            "SELECT conference_id, agent_id, position, call_sid, status FROM conference_agents
             WHERE conference_id = $1 AND agent_id = $2",
        )
        .bind(conference_id)
        .bind(agent)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| ConferenceAgentRow::from_row(&r)).transpose()
    }

    pub async fn conference_agents(&self, conference_id: &str) -> Result<Vec<ConferenceAgentRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT conference_id, agent_id, position, call_sid, status FROM conference_agents
             WHERE conference_id = $1 ORDER BY position",
        )
        .bind(conference_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(ConferenceAgentRow::from_row).collect()
    }

    /// The newest conference that is not over and on which `agent` is (or is being put) on a call.
    pub async fn live_conference_of(&self, agent: &AgentId) -> Result<Option<ConferenceRow>, StoreError> {
        let row = sqlx::query(
            "SELECT c.id, c.customer_call_sid, c.conference_sid, c.status
             FROM conferences c JOIN conference_agents a ON a.conference_id = c.id
             WHERE a.agent_id = $1 AND c.status <> 'completed'
               AND a.status NOT IN ('completed', 'failed', 'busy', 'no-answer', 'canceled')
             ORDER BY a.created_at DESC LIMIT 1",
        )
        .bind(agent.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| ConferenceRow::from_row(&r)).transpose()
    }

    pub async fn call(&self, call_sid: &str) -> Result<Option<CallRow>, StoreError> {
        let row = sqlx::query(
            "SELECT call_sid, leg, from_number, to_number, status, conference_id, agent_id FROM calls WHERE call_sid = $1",
        )
        .bind(call_sid)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| CallRow::from_row(&r)).transpose()
    }

    // ---- the dial outbox -------------------------------------------------------------------

    /// Takes up to `limit` due dials for this worker. A claim is a lease: an instance that
    /// dies mid-dial lets the lease lapse and another instance (or its own restart) retries.
    pub async fn claim_due_dials(&self, lease: Duration, limit: i64) -> Result<Vec<DialJob>, StoreError> {
        let now = now_ms();
        // One statement, one write: a claim per row was a write transaction per dial, each
        // queued on SQLite's single writer beside the incoming calls. The outer conditions
        // repeat the inner ones on purpose: on PostgreSQL an instance that loses the race for a
        // row re-checks them against the winner's update and skips it (no double dial).
        let rows = sqlx::query(
            "UPDATE dial_outbox SET claimed_until = $1, attempts = attempts + 1, updated_at = $2
             WHERE status = 'pending' AND next_attempt_at <= $2 AND claimed_until <= $2 AND id IN (
                 SELECT id FROM dial_outbox
                 WHERE status = 'pending' AND next_attempt_at <= $2 AND claimed_until <= $2
                 ORDER BY next_attempt_at LIMIT $3)
             RETURNING id, conference_id, agent_id, attempts",
        )
        .bind(now + lease.as_millis() as i64)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(DialJob::from_row).collect()
    }

    /// Twilio accepted the dial: remember the agent's leg. Committed with whatever else is
    /// being written (see `writer`): under load, a transaction per dial queued on SQLite's one
    /// writer behind the incoming calls.
    pub async fn dial_sent(&self, job: &DialJob, call_sid: &CallSid, status: &str) -> Result<(), StoreError> {
        self.writer
            .write(writer::Write::DialSent { job: job.clone(), call_sid: call_sid.clone(), status: status.to_string() })
            .await
            .map(|_| ())
    }

    /// A transient failure: try again at `retry_in` from now.
    pub async fn dial_retry(&self, job: &DialJob, error: &str, retry_in: Duration) -> Result<(), StoreError> {
        let now = now_ms();
        sqlx::query("UPDATE dial_outbox SET last_error = $1, next_attempt_at = $2, claimed_until = 0, updated_at = $3 WHERE id = $4")
            .bind(error)
            .bind(now + retry_in.as_millis() as i64)
            .bind(now)
            .bind(job.id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A final failure: the dial will not be tried again; the agent is marked failed.
    pub async fn dial_failed(&self, job: &DialJob, error: &str) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE dial_outbox SET status = 'failed', last_error = $1, claimed_until = 0, updated_at = $2 WHERE id = $3")
            .bind(error)
            .bind(now)
            .bind(job.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE conference_agents SET status = 'failed', updated_at = $1 WHERE conference_id = $2 AND agent_id = $3")
            .bind(now)
            .bind(&job.conference_id)
            .bind(&job.agent_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn outbox_entry(&self, conference_id: &str, agent: &str) -> Result<Option<OutboxRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, conference_id, agent_id, status, attempts, call_sid, last_error FROM dial_outbox
             WHERE conference_id = $1 AND agent_id = $2",
        )
        .bind(conference_id)
        .bind(agent)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| OutboxRow::from_row(&r)).transpose()
    }

    /// Dials that failed for good on conferences still going on (newest first): customers who
    /// are waiting because nobody could be rung.
    pub async fn live_dial_failures(&self, limit: i64) -> Result<Vec<DialFailure>, StoreError> {
        let rows = sqlx::query(
            "SELECT o.conference_id, o.agent_id, COALESCE(o.last_error, ''), c.from_number, o.updated_at
             FROM dial_outbox o JOIN conferences f ON f.id = o.conference_id
             JOIN calls c ON c.call_sid = f.customer_call_sid
             WHERE o.status = 'failed' AND f.status <> 'completed' AND c.status NOT IN ('completed', 'canceled', 'failed', 'busy', 'no-answer')
             ORDER BY o.updated_at DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DialFailure {
                    conference_id: r.try_get(0)?,
                    agent_id: r.try_get(1)?,
                    error: r.try_get(2)?,
                    caller: r.try_get(3)?,
                    failed_at_ms: r.try_get(4)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// The conference is over: dials not yet made are dropped, and the agent legs still ringing
    /// are returned so they can be cancelled (nobody is left to talk to).
    pub async fn close_conference_dials(&self, conference_id: &str) -> Result<Vec<String>, StoreError> {
        let now = now_ms();
        sqlx::query(
            "UPDATE dial_outbox SET status = 'failed', last_error = 'the customer left before the dial', updated_at = $1
             WHERE conference_id = $2 AND status = 'pending'",
        )
        .bind(now)
        .bind(conference_id)
        .execute(&self.pool)
        .await?;
        let rows = sqlx::query(
            "SELECT call_sid FROM conference_agents
             WHERE conference_id = $1 AND call_sid IS NOT NULL AND status IN ('queued', 'initiated', 'ringing')",
        )
        .bind(conference_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| r.try_get(0)).collect::<Result<_, sqlx::Error>>().map_err(Into::into)
    }

    // ---- status callbacks --------------------------------------------------------------------

    /// Stores a callback as received and applies it to the call or conference it names.
    /// Callbacks can arrive late or twice: one whose SequenceNumber is not newer than the last
    /// applied is stored for the record but changes no state.
    pub async fn record_callback(&self, cb: &StatusCallback) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO status_callbacks (kind, call_sid, conference_sid, friendly_name, event, sequence_number, params, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(cb.kind.as_str())
        .bind(cb.call_sid.as_deref())
        .bind(cb.conference_sid.as_deref())
        .bind(cb.friendly_name.as_deref())
        .bind(&cb.event)
        .bind(cb.sequence_number)
        .bind(&cb.params_json)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let seq = cb.sequence_number.unwrap_or(i64::MAX);
        match cb.kind {
            CallbackKind::Call => {
                if let Some(call_sid) = &cb.call_sid {
                    let applied = sqlx::query(
                        "UPDATE calls SET status = $1, last_sequence = $2, updated_at = $3
                         WHERE call_sid = $4 AND last_sequence < $2",
                    )
                    .bind(&cb.event)
                    .bind(seq)
                    .bind(now)
                    .bind(call_sid)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if applied == 1 {
                        sqlx::query("UPDATE conference_agents SET status = $1, updated_at = $2 WHERE call_sid = $3")
                            .bind(&cb.event)
                            .bind(now)
                            .bind(call_sid)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
            }
            CallbackKind::Conference => {
                if let (Some(name), Some(status)) = (&cb.friendly_name, conference_status_after(&cb.event)) {
                    sqlx::query(
                        "UPDATE conferences SET status = $1, conference_sid = COALESCE($2, conference_sid),
                                last_sequence = $3, updated_at = $4
                         WHERE id = $5 AND last_sequence < $3 AND status <> 'completed'",
                    )
                    .bind(status)
                    .bind(cb.conference_sid.as_deref())
                    .bind(seq)
                    .bind(now)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn callbacks_for_call(&self, call_sid: &str) -> Result<Vec<(String, Option<i64>)>, StoreError> {
        let rows = sqlx::query("SELECT event, sequence_number FROM status_callbacks WHERE call_sid = $1 ORDER BY id")
            .bind(call_sid)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r: &AnyRow| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}

/// Which conference status a conference event leads to, if any.
fn conference_status_after(event: &str) -> Option<&'static str> {
    match event {
        "conference-start" => Some("in-progress"),
        "conference-end" => Some("completed"),
        _ => None,
    }
}

async fn dial_sent_tx(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    job: &DialJob,
    call_sid: &CallSid,
    status: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE dial_outbox SET status = 'sent', call_sid = $1, last_error = NULL, updated_at = $2 WHERE id = $3")
        .bind(call_sid.as_str())
        .bind(now)
        .bind(job.id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE conference_agents SET call_sid = $1, status = $2, updated_at = $3 WHERE conference_id = $4 AND agent_id = $5")
        .bind(call_sid.as_str())
        .bind(status)
        .bind(now)
        .bind(&job.conference_id)
        .bind(&job.agent_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO calls (call_sid, leg, from_number, to_number, status, conference_id, agent_id, created_at, updated_at)
         VALUES ($1, 'agent', '', $2, $3, $4, $5, $6, $6) ON CONFLICT (call_sid) DO NOTHING",
    )
    .bind(call_sid.as_str())
    .bind(format!("client:{}", job.agent_id))
    .bind(status)
    .bind(&job.conference_id)
    .bind(&job.agent_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn open_conference_tx(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    call: &NewCustomerCall,
    first_agent: &AgentId,
    now: i64,
) -> Result<bool, StoreError> {
    let conference_id = call.call_sid.as_str();
    let inserted = sqlx::query(
        "INSERT INTO calls (call_sid, leg, from_number, to_number, status, conference_id, created_at, updated_at)
         VALUES ($1, 'customer', $2, $3, $4, $1, $5, $5) ON CONFLICT (call_sid) DO NOTHING",
    )
    .bind(conference_id)
    .bind(&call.from)
    .bind(&call.to)
    .bind(&call.status)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO conferences (id, customer_call_sid, status, created_at, updated_at)
         VALUES ($1, $1, 'waiting', $2, $2)",
    )
    .bind(conference_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    add_agent_tx(tx, conference_id, first_agent.as_str(), 1, now).await?;
    Ok(true)
}

async fn add_agent_tx(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    conference_id: &str,
    agent: &str,
    position: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let created = sqlx::query(
        "INSERT INTO conference_agents (conference_id, agent_id, position, status, created_at, updated_at)
         VALUES ($1, $2, $3, 'dialing', $4, $4) ON CONFLICT (conference_id, agent_id) DO NOTHING",
    )
    .bind(conference_id)
    .bind(agent)
    .bind(position)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if created == 1 {
        sqlx::query(
            "INSERT INTO dial_outbox (conference_id, agent_id, status, next_attempt_at, created_at, updated_at)
             VALUES ($1, $2, 'pending', $3, $3, $3)",
        )
        .bind(conference_id)
        .bind(agent)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(created == 1)
}
