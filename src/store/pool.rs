//! The connection pool: SQLite or PostgreSQL behind `sqlx::Any`, with the embedded migrations
//! applied at start-up.

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// An open decision transaction.
pub type Tx<'c> = sqlx::Transaction<'c, sqlx::Any>;

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
    #[error("warm-transfer backup copies a SQLite database; for PostgreSQL use pg_dump: pg_dump \"$DATABASE_URL\" > FILE")]
    NotSqlite,
    #[error("the database does not answer")]
    Unavailable,
}

impl StoreError {
    /// The database itself is away, full, locked or too slow (as opposed to a bad statement or
    /// row): the same request may well succeed in a moment.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Unavailable => true,
            StoreError::Database(e) => match e {
                sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
                sqlx::Error::Database(db) => {
                    let code = db.code().map(|c| c.to_string()).unwrap_or_default();
                    // SQLite: busy, locked, I/O error, full, cannot open; PostgreSQL: connection
                    // exceptions (08…), shutting down or starting (57P01–57P03), out of disk (53100).
                    matches!(code.as_str(), "5" | "6" | "10" | "13" | "14" | "261" | "517" | "53100" | "57P01" | "57P02" | "57P03")
                        || code.starts_with("08")
                        || db.message().contains("database is locked")
                }
                _ => false,
            },
            _ => false,
        }
    }
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
            // so a commit survives a crash of this process (not of the machine's power). The
            // running center's writer checkpoints in quiet moments (`runtime::checkpoint`),
            // SQLite's own checkpoint (at 1000 pages) bounds the log when there are none, and a
            // log that grew while a reader held it is cut back to 64 MiB once it starts again.
            options = options.max_connections(8).after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA journal_size_limit = 67108864").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA busy_timeout = 5000").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
                    // Deleted rows are overwritten with zeros, not left in free space: a caller
                    // forgotten (or purged) leaves no trace in the file (see `Store::scrub`).
                    sqlx::query("PRAGMA secure_delete = ON").execute(&mut *conn).await?;
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
        super::upgrade::upgrade_live_calls(&pool).await?;
        Ok(Self { pool, backend, url: url.to_string() })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Where the database is (for a connection of its own: PostgreSQL's listener).
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// A transaction for one decision (see `state`).
    pub async fn begin(&self) -> Result<Tx<'static>, StoreError> {
        Ok(self.pool.begin().await?)
    }

    /// SQLite: copies the write-ahead log's committed pages into the database file, beside
    /// the writer (PASSIVE: it waits for nobody and nobody waits for it), so the next commit
    /// can start the log again from its beginning. Answers how many pages the log held and how
    /// many of them are now in the database. PostgreSQL: nothing to do.
    pub async fn checkpoint(&self) -> Result<(i64, i64), StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok((0, 0));
        }
        let row = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&self.pool).await?;
        Ok((row.try_get(1)?, row.try_get(2)?))
    }

    /// SQLite: whether a write could start now (the write lock taken and given back at once; a
    /// file locked by another process answers reads but no write). PostgreSQL: [`Store::ping`].
    pub async fn can_write(&self) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return self.ping().await;
        }
        let mut conn = self.pool.acquire().await?;
        // A short wait for the lock: a probe must not hold a connection for the writer's 5 s.
        sqlx::query("PRAGMA busy_timeout = 200").execute(&mut *conn).await?;
        let taken = sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await;
        if taken.is_ok() {
            sqlx::query("ROLLBACK").execute(&mut *conn).await?;
        }
        sqlx::query("PRAGMA busy_timeout = 5000").execute(&mut *conn).await?;
        taken.map(drop).map_err(StoreError::from)
    }

    /// `SELECT 1`: the health check.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
