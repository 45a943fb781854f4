//! Agent sign-in: argon2id password hashes, opaque session tokens kept only as SHA-256 hashes,
//! the session cookie, and a per-identity limit on failed attempts.

use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::http::HeaderMap;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::center::AgentRole;
use crate::clock::now_ms;
use crate::ids::AgentId;
use crate::store::{Store, StoreError};

pub const COOKIE: &str = "wt_session";
/// One shift; signing in again is cheap.
pub const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
/// At most this many failed sign-ins per identity within [`FAILURE_WINDOW`].
pub const MAX_FAILURES: i64 = 5;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
pub const MIN_PASSWORD_LEN: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("wrong agent name or password")]
    BadCredentials,
    #[error("too many failed sign-ins; try again in {0} minutes")]
    RateLimited(u64),
    #[error("please sign in")]
    NotSignedIn,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    BadInput(String),
    #[error("sign-in is unavailable right now")]
    Store(#[from] StoreError),
}

/// The agent a request is signed in as, and what their account may do: read with the session,
/// from the account as stored (the role's one source; see `crate::api::caller`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub agent: AgentId,
    pub display_name: String,
    pub role: AgentRole,
}

impl SignedIn {
    pub fn is_supervisor(&self) -> bool {
        self.role == AgentRole::Supervisor
    }
}

pub fn hash_password(password: &str) -> Result<String, AuthError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AuthError::BadInput(format!("a password needs at least {MIN_PASSWORD_LEN} characters")));
    }
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| AuthError::BadInput(e.to_string()))?;
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| AuthError::BadInput(e.to_string()))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).map(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok()).unwrap_or(false)
}

type PasswordJob = Box<dyn FnOnce() + Send>;

/// Runs `work` (an argon2 hash or check) on the one thread kept for them, and waits for it.
///
/// Argon2 takes tens of milliseconds of CPU and ~19 MiB of memory per call, on purpose. On the
/// async workers it would stall every request; on tokio's blocking pool a burst of sign-ins ran
/// dozens at once (measured: 60 concurrent sign-ins, 71 threads, a 1 GiB peak, 230 MiB kept).
/// One thread, one at a time: sign-ins queue (~20 ms each), memory stays one argon2's worth, and
/// a flood of password guesses cannot take the machine. `None` if the thread is gone.
pub async fn on_password_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    static JOBS: std::sync::OnceLock<parking_lot::Mutex<std::sync::mpsc::Sender<PasswordJob>>> = std::sync::OnceLock::new();
    let jobs = JOBS.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<PasswordJob>();
        let spawned = std::thread::Builder::new().name("passwords".into()).spawn(move || {
            while let Ok(job) = rx.recv() {
                job();
                give_back_freed_memory();
            }
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start the password thread");
        }
        parking_lot::Mutex::new(tx)
    });
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job: PasswordJob = Box::new(move || {
        let _ = reply.send(work());
    });
    jobs.lock().send(job).ok()?;
    answer.await.ok()
}

/// Returns the memory argon2 just freed to the system. glibc keeps a freed 19 MiB block in the
/// thread's heap and, measured, did not reuse it: each sign-in added ~19 MiB to the server's
/// resident memory (111 MiB after 24 sign-ins; 34 MiB with this, and 36 MiB at the peak of 60
/// sign-ins at once, which had reached 1 GiB on tokio's blocking pool).
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::os::raw::c_int;
        }
        // SAFETY: malloc_trim only releases free memory back to the system; it touches no
        // memory in use and has no preconditions.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// A fresh session token: 256 random bits, URL-safe.
pub fn new_session_token() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// `Set-Cookie` for a new session. `Secure` whenever the public URL is https.
pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        SESSION_TTL.as_secs(),
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_cookie(secure: bool) -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}", if secure { "; Secure" } else { "" })
}

/// The session token in a request's `Cookie` header, if any.
pub fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

/// A hash to verify against when the identity does not exist, so that a wrong name takes as
/// long as a wrong password and sign-in reveals nothing about which agents exist.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy-password-never-used").unwrap_or_default())
}

/// Checks a password and opens a session. Returns the agent and the session token to set.
pub async fn sign_in(store: &Store, identity: &str, password: &str) -> Result<(SignedIn, String), AuthError> {
    let agent = AgentId::parse(identity).map_err(|_| AuthError::BadCredentials)?;
    let since = now_ms() - FAILURE_WINDOW.as_millis() as i64;
    let (failures, oldest) = store.sign_in_failures_since(agent.as_str(), since).await?;
    if failures >= MAX_FAILURES {
        let free_at = oldest.unwrap_or(since) + FAILURE_WINDOW.as_millis() as i64;
        let minutes = ((free_at - now_ms()).max(0) as u64).div_ceil(60_000).max(1);
        return Err(AuthError::RateLimited(minutes));
    }
    let row = store.agent(&agent).await?;
    let hash = row.as_ref().map(|r| r.password_hash.as_str()).unwrap_or_else(|| decoy_hash());
    let (password, hash) = (password.to_string(), hash.to_string());
    let ok = on_password_thread(move || verify_password(&password, &hash)).await.unwrap_or(false);
    let Some(row) = row.filter(|_| ok) else {
        store.record_sign_in_failure(agent.as_str()).await?;
        tracing::info!(agent = %agent, "failed sign-in");
        return Err(AuthError::BadCredentials);
    };
    store.clear_sign_in_failures(agent.as_str()).await?;
    if store.agent_disabled(&agent).await? == Some(true) {
        tracing::info!(agent = %agent, "sign-in refused: the account is disabled");
        return Err(AuthError::Forbidden("this account is disabled: ask a supervisor".into()));
    }
    let token = new_session_token();
    let expires = now_ms() + SESSION_TTL.as_millis() as i64;
    store.create_session(&token_hash(&token), agent.as_str(), expires).await?;
    tracing::info!(agent = %agent, "signed in");
    Ok((SignedIn { agent, display_name: row.display_name, role: row.role }, token))
}

/// The signed-in agent of a request, from its session cookie.
pub async fn current_agent(store: &Store, headers: &HeaderMap) -> Result<SignedIn, AuthError> {
    let token = cookie_token(headers).ok_or(AuthError::NotSignedIn)?;
    let (identity, display_name, role) = store.session_agent(&token_hash(&token)).await?.ok_or(AuthError::NotSignedIn)?;
    let agent = AgentId::parse(&identity).map_err(|_| AuthError::NotSignedIn)?;
    Ok(SignedIn { agent, display_name, role })
}

pub async fn sign_out(store: &Store, headers: &HeaderMap) -> Result<(), AuthError> {
    if let Some(token) = cookie_token(headers) {
        store.delete_session(&token_hash(&token)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterx", &hash));
        assert!(!verify_password("correct horse battery", "not a hash"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(matches!(hash_password("short"), Err(AuthError::BadInput(_))));
    }

    #[test]
    fn the_session_cookie_is_http_only_strict_and_secure_on_https() {
        let c = session_cookie("tok", true);
        for part in ["wt_session=tok", "HttpOnly", "SameSite=Strict", "Secure", "Max-Age=28800", "Path=/"] {
            assert!(c.contains(part), "{c}");
        }
        assert!(!session_cookie("tok", false).contains("Secure"));
    }

    #[test]
    fn the_session_token_is_read_from_among_other_cookies() {
        let mut h = HeaderMap::new();
        h.insert("cookie", "a=1; wt_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie_token(&h).as_deref(), Some("abc"));
        h.insert("cookie", "wt_session=".parse().unwrap());
        assert_eq!(cookie_token(&h), None);
    }

    #[test]
    fn session_tokens_are_random_and_stored_only_as_hashes() {
        let (a, b) = (new_session_token(), new_session_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
