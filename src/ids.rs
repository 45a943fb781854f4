//! Identifiers that cross the edges, parsed once where they enter (webhook forms, server-function
//! arguments, URL paths) so the rest of the code never handles an unchecked string.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why an identifier was refused; the message names what was expected, never echoes secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct IdError(pub String);

/// Twilio SIDs are a two-letter prefix and 32 hex digits.
fn parse_sid(kind: &str, prefix: &str, s: &str) -> Result<String, IdError> {
    let s = s.trim();
    let ok = s.len() == 34
        && s.starts_with(prefix)
        && s[2..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(s.to_string())
    } else {
        Err(IdError(format!("{kind} must be '{prefix}' followed by 32 hex digits")))
    }
}

macro_rules! sid_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, IdError> {
                parse_sid($kind, $prefix, s).map(Self)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
    };
}

sid_type!(
    /// A call leg (`CA…`).
    CallSid, "CallSid", "CA"
);
sid_type!(
    /// A conference as Twilio names it (`CF…`); ours are addressed by friendly name.
    ConferenceSid, "ConferenceSid", "CF"
);

/// An agent's identity: the `client:` name Twilio rings and the token's identity.
/// Twilio allows up to 121 characters; we keep to letters, digits, `.`, `_`, `-` so an identity
/// is safe in a URL path segment and a TwiML attribute without further escaping.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgentId(String);

impl AgentId {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let s = s.trim();
        let ok = !s.is_empty()
            && s.chars().count() <= 121
            && s.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(IdError(
                "agent identity must be 1-121 letters, digits, '.', '_' or '-'".into(),
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl fmt::Display for AgentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for AgentId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Self::parse(&s)
    }
}
impl From<AgentId> for String {
    fn from(v: AgentId) -> String {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_sid_is_ca_and_32_hex_digits() {
        assert!(CallSid::parse("CA0123456789abcdef0123456789abcdef").is_ok());
        assert!(CallSid::parse("CF0123456789abcdef0123456789abcdef").is_err());
        assert!(CallSid::parse("CA0123").is_err());
        assert!(CallSid::parse("CA0123456789abcdef0123456789abcdeg").is_err());
        assert!(CallSid::parse("").is_err());
    }

    #[test]
    fn a_refused_sid_names_the_field() {
        let e = CallSid::parse("nope").unwrap_err();
        assert!(e.0.contains("CallSid"), "{e}");
    }

    #[test]
    fn agent_identities_keep_to_url_safe_characters() {
        assert!(AgentId::parse("agent1").is_ok());
        assert!(AgentId::parse("maría.lópez").is_ok());
        assert!(AgentId::parse("a/b").is_err());
        assert!(AgentId::parse("a b").is_err());
        assert!(AgentId::parse("<script>").is_err());
        assert!(AgentId::parse(&"a".repeat(122)).is_err());
    }
}
