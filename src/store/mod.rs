//! Every sqlx query in the app: agent accounts and sessions (`agents`), the contact center's
//! decisions (`center`), the effects outbox (`outbox`) and the record of Twilio's callbacks.
//!
//! One set of queries serves SQLite (the zero-set-up default) and PostgreSQL (several app
//! instances sharing one database): the SQL is portable (`$n` placeholders, `ON CONFLICT`,
//! BIGINT times in unix milliseconds) and runs through `sqlx::Any`. Only the migrations differ.

mod agents;
pub mod center;
pub mod outbox;
mod rows;

pub use agents::AgentRow;
pub use center::{Center, CenterError, Change, ConnectionGuard, Directory};
pub use rows::*;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the decision writer has stopped")]
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
    url: String,
}

/// Milliseconds since the epoch: the one clock every row uses.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
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
        Ok(Self { pool, backend, url: url.to_string() })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts this instance's contact center on the stored state.
    pub async fn center(&self, rules: crate::center::Rules) -> Result<Center, StoreError> {
        Center::start(self.pool.clone(), self.backend, rules, &self.url).await
    }

    /// `SELECT 1`: the health check.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Stores a status callback exactly as received, for the record (what it means for the
    /// calls is decided by the center).
    pub async fn record_callback(&self, cb: &StatusCallback) -> Result<(), StoreError> {
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
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

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

    pub async fn callbacks_for_call(&self, call_sid: &str) -> Result<Vec<(String, Option<i64>)>, StoreError> {
        let rows = sqlx::query("SELECT event, sequence_number FROM status_callbacks WHERE call_sid = $1 ORDER BY id")
            .bind(call_sid)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect::<Result<_, sqlx::Error>>().map_err(Into::into)
    }
}
