//! Agent accounts, sessions and failed sign-ins.

use sqlx::Row;

use super::pool::{Store, StoreError};
use crate::center::AgentRole;
use crate::clock::now_ms;
use crate::ids::AgentId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRow {
    pub identity: String,
    pub display_name: String,
    pub password_hash: String,
    /// What the account may do: the one source of the role (the center's copy follows it).
    pub role: AgentRole,
}

impl Store {
    /// Creates or replaces an agent account (the CLI's `agent add` also resets a password).
    pub async fn upsert_agent(&self, identity: &AgentId, display_name: &str, password_hash: &str) -> Result<bool, StoreError> {
        let now = now_ms();
        let existed = self.agent(identity).await?.is_some();
        let identity = identity.as_str();
        sqlx::query(
            "INSERT INTO agents (identity, display_name, password_hash, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $4)
             ON CONFLICT (identity) DO UPDATE SET display_name = $2, password_hash = $3, updated_at = $4",
        )
        .bind(identity)
        .bind(display_name)
        .bind(password_hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        // A new password ends every session signed in with the old one.
        if existed {
            sqlx::query("DELETE FROM sessions WHERE identity = $1").bind(identity).execute(&self.pool).await?;
        }
        Ok(!existed)
    }

    /// Every session of the account ends (its next request, and its open streams when told, find
    /// it signed out).
    pub async fn end_sessions(&self, identity: &AgentId) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE identity = $1").bind(identity.as_str()).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn remove_agent(&self, identity: &AgentId) -> Result<bool, StoreError> {
        let identity = identity.as_str();
        sqlx::query("DELETE FROM sessions WHERE identity = $1").bind(identity).execute(&self.pool).await?;
        let n = sqlx::query("DELETE FROM agents WHERE identity = $1").bind(identity).execute(&self.pool).await?.rows_affected();
        Ok(n == 1)
    }

    pub async fn agent(&self, identity: &AgentId) -> Result<Option<AgentRow>, StoreError> {
        let row = sqlx::query("SELECT identity, display_name, password_hash, role FROM agents WHERE identity = $1")
            .bind(identity.as_str())
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(AgentRow {
                identity: r.try_get(0)?,
                display_name: r.try_get(1)?,
                password_hash: r.try_get(2)?,
                role: AgentRole::parse(&r.try_get::<String, _>(3)?).unwrap_or_default(),
            }),
            None => None,
        })
    }

    /// What an account may do.
    pub async fn set_agent_role(&self, identity: &AgentId, role: AgentRole) -> Result<(), StoreError> {
        sqlx::query("UPDATE agents SET role = $1 WHERE identity = $2")
            .bind(role.as_str())
            .bind(identity.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The queues (skills) the agent takes; empty: every queue. The running center reads it
    /// with the roster.
    pub async fn set_agent_queues(&self, identity: &AgentId, queues: &[crate::ids::QueueName]) -> Result<bool, StoreError> {
        let list = queues.iter().map(|q| q.as_str()).collect::<Vec<_>>().join(",");
        let done =
            sqlx::query("UPDATE agents SET queues = $1 WHERE identity = $2").bind(list).bind(identity.as_str()).execute(&self.pool).await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn create_session(&self, token_hash: &str, identity: &str, expires_at: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sessions (token_hash, identity, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(identity)
            .bind(now_ms())
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The agent a live session belongs to, with their display name and role: who a request
    /// comes from and what they may do, in one read.
    pub async fn session_agent(&self, token_hash: &str) -> Result<Option<(String, String, AgentRole)>, StoreError> {
        let row = sqlx::query(
            "SELECT a.identity, a.display_name, a.role FROM sessions s JOIN agents a ON a.identity = s.identity
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled = 0",
        )
        .bind(token_hash)
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(r) => Some((r.try_get(0)?, r.try_get(1)?, AgentRole::parse(&r.try_get::<String, _>(2)?).unwrap_or_default())),
            None => None,
        })
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn record_sign_in_failure(&self, identity: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sign_in_failures (identity, failed_at) VALUES ($1, $2)")
            .bind(identity)
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Failed sign-ins for `identity` since `since_ms`, and the oldest of them.
    pub async fn sign_in_failures_since(&self, identity: &str, since_ms: i64) -> Result<(i64, Option<i64>), StoreError> {
        let row = sqlx::query("SELECT COUNT(*), MIN(failed_at) FROM sign_in_failures WHERE identity = $1 AND failed_at > $2")
            .bind(identity)
            .bind(since_ms)
            .fetch_one(&self.pool)
            .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    pub async fn clear_sign_in_failures(&self, identity: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE identity = $1").bind(identity).execute(&self.pool).await?;
        Ok(())
    }
}

/// An account as the floor's account list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub identity: String,
    pub display_name: String,
    pub role: AgentRole,
    pub disabled: bool,
}

impl Store {
    /// Every account, by identity, with whether it is disabled.
    pub async fn account_rows(&self) -> Result<Vec<AccountRow>, StoreError> {
        let rows = sqlx::query("SELECT identity, display_name, role, disabled FROM agents ORDER BY identity").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(AccountRow {
                    identity: r.try_get(0)?,
                    display_name: r.try_get(1)?,
                    role: AgentRole::parse(&r.try_get::<String, _>(2)?).unwrap_or_default(),
                    disabled: r.try_get::<i64, _>(3)? != 0,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Whether the account is disabled (`None`: no such account).
    pub async fn agent_disabled(&self, identity: &AgentId) -> Result<Option<bool>, StoreError> {
        let row = sqlx::query("SELECT disabled FROM agents WHERE identity = $1").bind(identity.as_str()).fetch_optional(&self.pool).await?;
        Ok(match row {
            Some(r) => Some(r.try_get::<i64, _>(0)? != 0),
            None => None,
        })
    }

    /// Disables (its sessions end) or enables an account; `false` when there is no such account.
    pub async fn set_agent_disabled(&self, identity: &AgentId, disabled: bool) -> Result<bool, StoreError> {
        let n = sqlx::query("UPDATE agents SET disabled = $1, updated_at = $2 WHERE identity = $3")
            .bind(i64::from(disabled))
            .bind(now_ms())
            .bind(identity.as_str())
            .execute(&self.pool)
            .await?
            .rows_affected();
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE identity = $1").bind(identity.as_str()).execute(&self.pool).await?;
        }
        Ok(n > 0)
    }

    /// A row of the audit log: `actor` did `action` to `subject`.
    pub async fn audit(&self, actor: &AgentId, action: &str, subject: &str, text: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO audit_log (at, actor, action, subject, text) VALUES ($1, $2, $3, $4, $5)")
            .bind(now_ms())
            .bind(actor.as_str())
            .bind(action)
            .bind(subject)
            .bind(text)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The newest `limit` rows of the audit log, newest first: when, and what.
    pub async fn audit_rows(&self, limit: i64) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query("SELECT at, text FROM audit_log ORDER BY id DESC LIMIT $1").bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect::<Result<_, sqlx::Error>>().map_err(Into::into)
    }
}
