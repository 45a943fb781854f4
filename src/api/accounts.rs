//! Server functions of the floor's account management: supervisors list accounts, add one (a
//! temporary password shown once), reset a password, disable, enable or remove an account, and
//! read the audit log, where every change names the supervisor who made it. An agent gets 403.
//! The CLI (`warm-transfer agent …`) stays. The arguments are the core's types (an identity, a
//! role), read from the form by their own parsers (400 with the reason when malformed).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context::Ctx;
use super::dto::{AccountInfo, AuditEntry, TemporaryPassword};
use crate::center::AgentRole;
use crate::error::ApiError;
use crate::ids::AgentId;

/// How many rows of the audit log the floor shows.
pub const AUDIT_SHOWN: i64 = 30;

#[cfg(feature = "ssr")]
mod server {
    use crate::api::context::Ctx;
    use crate::api::dto::TemporaryPassword;
    use crate::error::{ApiError, Failure};
    use crate::ids::AgentId;

    pub fn storage(e: crate::store::StoreError) -> ApiError {
        Failure::from(e).public()
    }

    /// A fresh password (16 characters, none that read alike), set on `agent` (hashed), and
    /// said once to the supervisor.
    pub async fn new_password(cx: &Ctx, agent: &AgentId, name: &str) -> Result<TemporaryPassword, ApiError> {
        const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
        let password: String = (0..16).map(|_| ALPHABET[rand::random::<usize>() % ALPHABET.len()] as char).collect();
        let secret = password.clone();
        let hash = crate::auth::on_password_thread(move || crate::auth::hash_password(&secret))
            .await
            .ok_or(ApiError::Unavailable)?
            .map_err(|e| ApiError::BadInput(e.to_string()))?;
        cx.state.store.upsert_agent(agent, name, &hash).await.map_err(storage)?;
        Ok(TemporaryPassword { identity: agent.clone(), password })
    }

    /// The account must exist; a supervisor does not act on their own account here.
    pub async fn other_account(cx: &Ctx, me: &AgentId, agent: &AgentId) -> Result<String, ApiError> {
        if agent == me {
            return Err(ApiError::NotNow("not your own account: ask another supervisor, or use the CLI".into()));
        }
        match cx.state.store.agent(agent).await.map_err(storage)? {
            Some(row) => Ok(row.display_name),
            None => Err(ApiError::NotFound(format!("unknown agent '{agent}'"))),
        }
    }
}

/// Every account, with its role and whether it is disabled.
#[server(prefix = "/api", endpoint = "accounts")]
pub async fn accounts() -> Result<Vec<AccountInfo>, ApiError> {
    let cx = Ctx::take();
    cx.supervisor().await?;
    let rows = cx.state.store.account_rows().await.map_err(server::storage)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(AccountInfo {
                identity: crate::ids::AgentId::parse(&r.identity).ok()?,
                name: r.display_name,
                role: r.role,
                disabled: r.disabled,
            })
        })
        .collect())
}

/// The audit log, newest first.
#[server(prefix = "/api", endpoint = "audit_log")]
pub async fn audit_log() -> Result<Vec<AuditEntry>, ApiError> {
    let cx = Ctx::take();
    cx.supervisor().await?;
    let rows = cx.state.store.audit_rows(AUDIT_SHOWN).await.map_err(server::storage)?;
    Ok(rows.into_iter().map(|(at, text)| AuditEntry { at, text }).collect())
}

/// A new account (`role` agent or supervisor); its temporary password is answered once.
#[server(prefix = "/api", endpoint = "add_account")]
pub async fn add_account(identity: AgentId, name: String, role: AgentRole) -> Result<TemporaryPassword, ApiError> {
    let cx = Ctx::take();
    let me = cx.supervisor().await?;
    let agent = identity;
    let name = match name.trim() {
        "" => agent.to_string(),
        n => n.chars().take(100).collect(),
    };
    if cx.state.store.agent(&agent).await.map_err(server::storage)?.is_some() {
        return Err(ApiError::NotNow(format!("an account '{agent}' exists already: reset its password instead")));
    }
    let password = server::new_password(&cx, &agent, &name).await?;
    cx.state.store.set_agent_role(&agent, role).await.map_err(server::storage)?;
    let text = format!("{} added {agent} ({name}, {})", me.agent, role.as_str());
    cx.state.store.audit(&me.agent, "add", agent.as_str(), &text).await.map_err(server::storage)?;
    tracing::info!(supervisor = %me.agent, %agent, "account added");
    Ok(password)
}

/// A new temporary password for `identity` (their sessions end); answered once.
#[server(prefix = "/api", endpoint = "reset_password")]
pub async fn reset_password(identity: AgentId) -> Result<TemporaryPassword, ApiError> {
    let cx = Ctx::take();
    let me = cx.supervisor().await?;
    let agent = identity;
    let name = server::other_account(&cx, &me.agent, &agent).await?;
    let password = server::new_password(&cx, &agent, &name).await?;
    let text = format!("{} reset {agent}'s password", me.agent);
    cx.state.store.audit(&me.agent, "reset-password", agent.as_str(), &text).await.map_err(server::storage)?;
    tracing::info!(supervisor = %me.agent, %agent, "password reset");
    Ok(password)
}

/// Disables (`disabled=true`: signing in is refused, their sessions end, they are offline) or
/// enables an account.
#[server(prefix = "/api", endpoint = "set_account_disabled")]
pub async fn set_account_disabled(identity: AgentId, disabled: bool) -> Result<(), ApiError> {
    let cx = Ctx::take();
    let me = cx.supervisor().await?;
    let agent = identity;
    server::other_account(&cx, &me.agent, &agent).await?;
    cx.state.store.set_agent_disabled(&agent, disabled).await.map_err(server::storage)?;
    if disabled {
        crate::calls::service::signed_out(&cx.state, &agent).await.map_err(|e| e.public())?;
    }
    let text = format!("{} {} {agent}", me.agent, if disabled { "disabled" } else { "enabled" });
    let action = if disabled { "disable" } else { "enable" };
    cx.state.store.audit(&me.agent, action, agent.as_str(), &text).await.map_err(server::storage)?;
    tracing::info!(supervisor = %me.agent, %agent, disabled, "account disabled or enabled");
    Ok(())
}

/// Removes an account (offline at once; it leaves the roster once nothing of theirs is live).
#[server(prefix = "/api", endpoint = "remove_account")]
pub async fn remove_account(identity: AgentId) -> Result<(), ApiError> {
    let cx = Ctx::take();
    let me = cx.supervisor().await?;
    let agent = identity;
    server::other_account(&cx, &me.agent, &agent).await?;
    // Sessions first: the sign-out below is what tells their open streams to look again.
    cx.state.store.end_sessions(&agent).await.map_err(server::storage)?;
    crate::calls::service::signed_out(&cx.state, &agent).await.map_err(|e| e.public())?;
    cx.state.store.remove_agent(&agent).await.map_err(server::storage)?;
    let text = format!("{} removed {agent}", me.agent);
    cx.state.store.audit(&me.agent, "remove", agent.as_str(), &text).await.map_err(server::storage)?;
    tracing::info!(supervisor = %me.agent, %agent, "account removed");
    Ok(())
}
