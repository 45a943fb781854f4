//! What the console's server functions answer: plain serde types shared by the server and the
//! browser. A leaf module, so the call domain can build these answers without depending on the
//! server functions that send them.

use serde::{Deserialize, Serialize};

/// A Voice access token for one agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoiceToken {
    pub identity: String,
    pub token: String,
    /// Seconds until the token expires.
    pub ttl_secs: u64,
}

/// What the console needs to know about this deployment before anyone signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteMode {
    /// Calls are simulated (no Twilio account): show the badge and the demo sign-in.
    pub simulator: bool,
    /// In simulator mode, the ready-made agents and their shared password.
    pub demo_agents: Vec<String>,
    pub demo_password: Option<String>,
}

/// Who is signed in on this browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentInfo {
    pub identity: crate::ids::AgentId,
    pub display_name: String,
    /// A supervisor also runs the floor.
    #[serde(default)]
    pub supervisor: bool,
}

/// An account, as the floor's account list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    pub identity: crate::ids::AgentId,
    pub name: String,
    pub role: crate::center::AgentRole,
    pub disabled: bool,
}

/// A password made for an account, shown once to the supervisor who asked (never stored, never
/// logged: only its hash is kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemporaryPassword {
    pub identity: crate::ids::AgentId,
    pub password: String,
}

/// A row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: i64,
    pub text: String,
}

/// A server function's answer the console itself never reads (what changed reaches it over the
/// stream): `T` as JSON on the wire, for scripts and integrations, but skipped unread in the
/// browser (`None` there), so the console's WASM carries no decoder for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread<T>(pub Option<T>);

impl<T: Serialize> Serialize for Unread<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Some(v) => v.serialize(s),
            None => s.serialize_unit(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Unread<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[cfg(feature = "hydrate")]
        return serde::de::IgnoredAny::deserialize(d).map(|_| Unread(None));
        #[cfg(not(feature = "hydrate"))]
        T::deserialize(d).map(|v| Unread(Some(v)))
    }
}
