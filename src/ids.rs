//! Identifiers that cross the edges, parsed once where they enter (webhook forms, server-function
//! arguments, URL paths) so the rest of the code never handles an unchecked string.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why an identifier was refused; the message names what was expected, never echoes secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct IdError(pub String);

/// Reads a word of a vocabulary (one of an enum's words) with the type's own parser, trimmed as
/// the forms' words always were, and refuses anything else with the sentence `refused` makes of
/// it (naming the field and the choices): how a server function's argument becomes the core's
/// enum, with a reason the caller can act on (400).
pub fn deserialize_word<'de, D, T>(d: D, parse: fn(&str) -> Option<T>, refused: fn(&str) -> String) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let word = String::deserialize(d)?;
    parse(&word).ok_or_else(|| serde::de::Error::custom(refused(&word)))
}

/// Twilio SIDs are a two-letter prefix and 32 hex digits.
fn parse_sid(kind: &str, prefix: &str, s: &str) -> Result<String, IdError> {
    let s = s.trim();
    let ok = s.len() == 34 && s.starts_with(prefix) && s[2..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(s.to_string())
    } else {
        Err(IdError(format!("{kind} must be '{prefix}' followed by 32 hex digits")))
    }
}

/// `Display`, `TryFrom<String>` (through `parse`) and `Into<String>` for a string newtype.
macro_rules! string_newtype_impls {
    ($name:ident) => {
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

macro_rules! sid_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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
        string_newtype_impls!($name);
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
sid_type!(
    /// A recording (`RE…`): a voicemail's message.
    RecordingSid, "RecordingSid", "RE"
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
        let ok = !s.is_empty() && s.chars().count() <= 121 && s.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(IdError("agent identity must be 1-121 letters, digits, '.', '_' or '-'".into()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
string_newtype_impls!(AgentId);

/// A queue callers wait in (`sales`, `support`): lowercase letters, digits and `-`, as the menu,
/// the settings and agents' skills name it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct QueueName(String);

impl QueueName {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let s = s.trim();
        let ok = (1..=32).contains(&s.len()) && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(IdError(format!("queue name '{s}': 1-32 lowercase letters, digits or '-'")))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A list as written in settings and the CLI: `sales,support` (empty: none).
    pub fn parse_list(s: &str) -> Result<Vec<Self>, IdError> {
        let mut out: Vec<Self> = s.split(',').filter(|q| !q.trim().is_empty()).map(Self::parse).collect::<Result<_, _>>()?;
        out.sort();
        out.dedup();
        Ok(out)
    }
}
string_newtype_impls!(QueueName);

/// A caller or callee as Twilio writes it in `From`/`To`: a number (E.164 `+` and digits, or
/// the bare digits of a short code or national number, 3–15 of them: a real customer with an
/// odd caller ID must still get through), a browser client (`client:<identity>`), a SIP address (`sip:…`), or one of the words
/// Twilio uses for a withheld number. Anything else is refused at the edge.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

/// What Twilio sends in `From` when the caller withholds their number.
const WITHHELD: [&str; 5] = ["anonymous", "restricted", "unknown", "private", "unavailable"];

impl PhoneNumber {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let s = s.trim();
        let digits = |d: &str| (3..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit());
        let ok = match s {
            _ if s.starts_with('+') => digits(&s[1..]),
            _ if digits(s) => true,
            _ if s.starts_with("client:") => AgentId::parse(&s[7..]).is_ok(),
            _ if s.starts_with("sip:") => s.len() <= 256 && s.len() > 4 && !s.chars().any(|c| c.is_control() || c.is_whitespace()),
            _ => WITHHELD.iter().any(|w| w.eq_ignore_ascii_case(s)),
        };
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(IdError("a phone number must be 3-15 digits (optionally after +), client:<identity>, sip:<address> or anonymous".into()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
string_newtype_impls!(PhoneNumber);

/// A phone number a transfer may dial: E.164 only (`+`, a country code that does not start
/// with 0, 8 to 15 digits in all). Checked before anything is dialled, so a typo is an error on
/// the agent's screen, not a failed call.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct E164(String);

impl E164 {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        // People type numbers with spaces, dashes, dots and brackets: those are dropped.
        let s: String = s.trim().chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
        let digits = s.strip_prefix('+').unwrap_or("");
        let ok = (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
        if ok {
            Ok(Self(s))
        } else {
            Err(IdError(
                "a phone number must be in E.164 form: + then the country code and number, 8 to 15 digits (e.g. +14155550100)".into(),
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
string_newtype_impls!(E164);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transfer_number_is_e164_and_typing_marks_are_dropped() {
        assert_eq!(E164::parse(" +1 (415) 555-0100 ").unwrap().as_str(), "+14155550100");
        assert_eq!(E164::parse("+442071838750").unwrap().as_str(), "+442071838750");
        for bad in ["", "+", "4155550100", "+0123456789", "+1415555", "+1234567890123456", "+1415555O100", "client:agent1"] {
            assert!(E164::parse(bad).is_err(), "{bad}");
        }
    }

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
    fn phone_numbers_are_what_twilio_sends_and_nothing_else() {
        for ok in ["+15551230000", "+447700900123", "12345", "client:agent1", "sip:alice@example.com", "Anonymous", "restricted"] {
            assert!(PhoneNumber::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "+15", "12", "+1555123000012345", "+1555-123-0000", "client:a b", "sip:", "sip:a b", "<script>", "anonymous2"] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
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
