//! Voice access tokens for the Twilio Voice JS SDK v2.
//!
//! A token is a JWT (HS256, signed with the API key secret) whose header carries
//! `cty: twilio-fpa;v=1`. It is fully determined by its inputs, so the output is made
//! byte-identical to Twilio's official python library (`tests/fixtures/twilio-vectors.json`):
//! the JSON is written by hand in python's `json.dumps` style (compact separators, the key order
//! python produces, `ensure_ascii` escaping) instead of depending on serde_json's map ordering.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt::Write as _;

/// What the token lets the browser do with Programmable Voice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoiceGrant {
    /// Receive calls addressed to `client:{identity}`.
    pub incoming_allow: bool,
    /// TwiML App (`AP…`) used when the browser places outgoing calls.
    pub outgoing_application_sid: Option<String>,
}

/// Everything a token is made of; `now_unix` is passed in so tokens are reproducible in tests.
#[derive(Debug, Clone, Copy)]
pub struct TokenRequest<'a> {
    pub account_sid: &'a str,
    pub api_key_sid: &'a str,
    pub api_key_secret: &'a str,
    pub identity: &'a str,
    pub ttl_secs: u64,
    pub now_unix: u64,
    pub grant: &'a VoiceGrant,
}

/// Twilio rejects access tokens valid for more than 24 hours, so a longer ttl would only produce
/// a token that fails at registration time, far from its cause. Clamping keeps it usable.
pub const MAX_TTL_SECS: u64 = 86_400;

/// Header as PyJWT writes it: `sort_keys=True`, so `alg, cty, typ`. Constant, so kept literal.
const HEADER_JSON: &str = r#"{"alg":"HS256","cty":"twilio-fpa;v=1","typ":"JWT"}"#;

/// Builds and signs a Voice access token; returns the compact JWT string.
pub fn voice_token(req: &TokenRequest<'_>) -> String {
    let ttl = req.ttl_secs.min(MAX_TTL_SECS);
    let payload = payload_json(req, req.now_unix.saturating_add(ttl));

    let mut jwt = URL_SAFE_NO_PAD.encode(HEADER_JSON);
    jwt.push('.');
    jwt.push_str(&URL_SAFE_NO_PAD.encode(payload));

    let mut mac = Hmac::<Sha256>::new_from_slice(req.api_key_secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(jwt.as_bytes());
    let signature = mac.finalize().into_bytes();

    jwt.push('.');
    jwt.push_str(&URL_SAFE_NO_PAD.encode(signature));
    jwt
}

/// Payload in the key order twilio-python emits:
/// `jti, grants{voice{incoming, outgoing}, identity}, iss, exp, nbf, sub`.
/// Like twilio-python, empty parts (no incoming, no outgoing app, empty identity) are left out.
fn payload_json(req: &TokenRequest<'_>, exp: u64) -> String {
    let mut voice = Vec::new();
    if req.grant.incoming_allow {
        voice.push(r#""incoming":{"allow":true}"#.to_owned());
    }
    if let Some(app) = req.grant.outgoing_application_sid.as_deref().filter(|s| !s.is_empty()) {
        voice.push(format!(r#""outgoing":{{"application_sid":{}}}"#, json_string(app)));
    }

    let mut grants = format!(r#""voice":{{{}}}"#, voice.join(","));
    if !req.identity.is_empty() {
        let _ = write!(grants, r#","identity":{}"#, json_string(req.identity));
    }

    let jti = format!("{}-{}", req.api_key_sid, req.now_unix);
    format!(
        r#"{{"jti":{},"grants":{{{}}},"iss":{},"exp":{},"nbf":{},"sub":{}}}"#,
        json_string(&jti),
        grants,
        json_string(req.api_key_sid),
        exp,
        req.now_unix,
        json_string(req.account_sid),
    )
}

/// A JSON string literal exactly as python's `json.dumps` (ensure_ascii) writes it: everything
/// outside printable ASCII becomes `\uXXXX` with lowercase hex, astral characters as a
/// UTF-16 surrogate pair. The bytes matter because they are signed.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const VECTORS: &str = include_str!("../../tests/fixtures/twilio-vectors.json");

    fn token_vectors() -> Vec<Value> {
        let all: Value = serde_json::from_str(VECTORS).expect("fixture is valid JSON");
        let tokens = all["access_tokens"].as_array().expect("access_tokens array").clone();
        assert!(!tokens.is_empty());
        tokens
    }

    fn decode_part(part: &str) -> Value {
        let bytes = URL_SAFE_NO_PAD.decode(part).expect("base64url without padding");
        serde_json::from_slice(&bytes).expect("JSON")
    }

    fn sample_grant() -> VoiceGrant {
        VoiceGrant { incoming_allow: true, outgoing_application_sid: None }
    }

    fn sample_request<'a>(identity: &'a str, ttl_secs: u64, grant: &'a VoiceGrant) -> TokenRequest<'a> {
        TokenRequest {
            account_sid: "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            api_key_sid: "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            api_key_secret: "secret",
            identity,
            ttl_secs,
            now_unix: 1_700_000_000,
            grant,
        }
    }

    #[test]
    fn every_access_token_vector_is_reproduced_exactly() {
        for v in token_vectors() {
            let name = v["name"].as_str().unwrap();
            let grant = VoiceGrant {
                incoming_allow: v["voice_grant"]["incoming_allow"].as_bool().unwrap_or(false),
                outgoing_application_sid: v["voice_grant"]["outgoing_application_sid"].as_str().map(str::to_owned),
            };
            let req = TokenRequest {
                account_sid: v["account_sid"].as_str().unwrap(),
                api_key_sid: v["api_key_sid"].as_str().unwrap(),
                api_key_secret: v["api_key_secret"].as_str().unwrap(),
                identity: v["identity"].as_str().unwrap(),
                ttl_secs: v["ttl_seconds"].as_u64().unwrap(),
                now_unix: v["now_unix"].as_u64().unwrap(),
                grant: &grant,
            };
            let jwt = voice_token(&req);
            assert_eq!(jwt, v["jwt"].as_str().unwrap(), "vector {name:?}");

            // Redundant with the byte comparison, but names the culprit when it fails.
            let parts: Vec<&str> = jwt.split('.').collect();
            assert_eq!(decode_part(parts[0]), v["header"], "header of {name:?}");
            assert_eq!(decode_part(parts[1]), v["payload"], "payload of {name:?}");
        }
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_header_and_payload_with_the_key_secret() {
        let grant = sample_grant();
        let jwt = voice_token(&sample_request("agent1", 3600, &grant));
        let (signed, signature) = jwt.rsplit_once('.').unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(b"secret").unwrap();
        mac.update(signed.as_bytes());
        mac.verify_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap()).expect("signature verifies with the API key secret");
    }

    #[test]
    fn a_ttl_above_the_twilio_maximum_is_clamped_to_one_day() {
        let grant = sample_grant();
        let jwt = voice_token(&sample_request("agent1", 7 * 86_400, &grant));
        let payload = decode_part(jwt.split('.').nth(1).unwrap());
        assert_eq!(payload["exp"].as_u64().unwrap(), 1_700_000_000 + MAX_TTL_SECS);
        assert_eq!(payload["nbf"].as_u64().unwrap(), 1_700_000_000);
    }

    #[test]
    fn a_grant_without_incoming_or_outgoing_leaves_both_out_like_twilio_python() {
        let grant = VoiceGrant { incoming_allow: false, outgoing_application_sid: Some(String::new()) };
        let jwt = voice_token(&sample_request("agent1", 3600, &grant));
        let payload = decode_part(jwt.split('.').nth(1).unwrap());
        assert_eq!(payload["grants"]["voice"], serde_json::json!({}));
        assert_eq!(payload["grants"]["identity"], "agent1");
    }

    #[test]
    fn hostile_identities_are_escaped_like_python_json_dumps_and_round_trip() {
        let identity = "a\"b\\c\n\t\u{1}\u{7f}é😀/";
        let grant = sample_grant();
        let jwt = voice_token(&sample_request(identity, 3600, &grant));
        let raw = URL_SAFE_NO_PAD.decode(jwt.split('.').nth(1).unwrap()).unwrap();
        let raw = String::from_utf8(raw).unwrap();
        assert!(raw.is_ascii(), "ensure_ascii output: {raw}");
        assert!(raw.contains(r#""identity":"a\"b\\c\n\t\u0001\u007f\u00e9\ud83d\ude00/""#), "python-style escapes: {raw}");
        let payload: Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(payload["grants"]["identity"], identity);
    }
}
