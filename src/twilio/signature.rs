//! `X-Twilio-Signature`: proof that a webhook request really comes from Twilio.
//!
//! The signed string is the full public URL exactly as Twilio requested it (so it is never
//! re-serialised through a URL parser, which would normalise ports, case or escapes) followed,
//! for form posts, by every parameter name and value. JSON bodies are signed over the URL alone
//! and bound to it by a `bodySHA256` query parameter.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The auth token, keyed into HMAC-SHA1 once: every webhook is checked with it, and a fresh
/// key schedule per request (hashing the padded key twice) was a measurable share of the
/// webhooks' CPU. Cloning the keyed state is a copy of two SHA-1 states.
#[derive(Clone)]
pub struct Key(Hmac<Sha1>);

impl Key {
    pub fn new(auth_token: &str) -> Self {
        Self(Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).expect("HMAC accepts keys of any length"))
    }

    /// As [`compute`], with the key already set up.
    pub fn sign(&self, url: &str, params: &[(String, String)]) -> String {
        STANDARD.encode(self.mac(url, &signed_pairs(params)).finalize().into_bytes())
    }

    /// Checks a form-post signature in constant time. Like Twilio's own validators, the URL is
    /// also tried with its default port added or removed, because Twilio may sign either form
    /// (`https://host/x` and `https://host:443/x` are the same resource).
    pub fn verify(&self, url: &str, params: &[(String, String)], signature: &str) -> bool {
        // A signature that is not base64 of 20 bytes cannot match; comparing raw MACs saves
        // encoding one per candidate URL. `verify_slice` compares in constant time.
        let Ok(given) = STANDARD.decode(signature) else {
            return false;
        };
        if given.len() != 20 {
            return false;
        }
        let pairs = signed_pairs(params);
        // The candidate URLs are public, so only the comparison itself needs to be constant-time;
        // stopping at the first match reveals only which public form of the URL Twilio signed, and
        // saves a second HMAC on every genuine request (the common case: the URL as configured).
        // The other form is only built when the first does not match.
        self.mac(url, &pairs).verify_slice(&given).is_ok()
            || other_port_form(url).is_some_and(|other| self.mac(&other, &pairs).verify_slice(&given).is_ok())
    }

    /// The raw HMAC-SHA1 of the signed string for `url` and `pairs` (sorted, deduplicated).
    fn mac(&self, url: &str, pairs: &[(&str, &str)]) -> Hmac<Sha1> {
        let mut mac = self.0.clone();
        mac.update(url.as_bytes());
        for (name, value) in pairs {
            mac.update(name.as_bytes());
            mac.update(value.as_bytes());
        }
        mac
    }
}

/// Never shows the keyed state: it is derived from the auth token.
impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("signature::Key(..)")
    }
}

/// Names are sorted by code point and, for a repeated name, its distinct values too (sorting
/// the `(name, value)` pairs and dropping duplicates does both: UTF-8 byte order is code point
/// order).
fn signed_pairs(params: &[(String, String)]) -> Vec<(&str, &str)> {
    let mut pairs: Vec<(&str, &str)> = params.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// The signature Twilio sends for a request to `url` carrying the form `params`:
/// HMAC-SHA1 keyed with the auth token, standard base64 with padding.
pub fn compute(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    Key::new(auth_token).sign(url, params)
}

/// [`Key::verify`] with a key set up for this one check.
pub fn verify(auth_token: &str, url: &str, params: &[(String, String)], signature: &str) -> bool {
    Key::new(auth_token).verify(url, params, signature)
}

/// Checks a JSON-body request: the URL's `bodySHA256` query parameter must be the hex SHA-256 of
/// `body`, and the signature must verify over the URL alone (which includes that hash).
pub fn verify_json(auth_token: &str, url: &str, body: &[u8], signature: &str) -> bool {
    let Some(claimed) = query_param(url, "bodySHA256") else {
        return false;
    };
    // twilio-python compares against a lowercase hexdigest; do the same.
    let actual = lower_hex(&Sha256::digest(body));
    let body_ok = bool::from(actual.as_bytes().ct_eq(claimed.as_bytes()));
    body_ok & verify(auth_token, url, &[], signature)
}

/// The same URL with the scheme's default port added (when it has no port) or removed (when it
/// has exactly the default port). Other ports name another endpoint, so they are never touched;
/// unknown schemes and malformed URLs have no other form.
fn other_port_form(url: &str) -> Option<String> {
    let scheme_end = url.find("://")?;
    let scheme = &url[..scheme_end];
    let default_port = if scheme.eq_ignore_ascii_case("https") {
        "443"
    } else if scheme.eq_ignore_ascii_case("http") {
        "80"
    } else {
        return None;
    };
    let authority_start = scheme_end + 3;
    let authority_end = url[authority_start..].find(['/', '?', '#']).map_or(url.len(), |i| authority_start + i);
    let authority = &url[authority_start..authority_end];
    // Skip any `user:pass@`, and any `:` inside an IPv6 literal such as `[::1]`.
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    let host_port = &authority[host_start..];
    let port_colon = host_port.rfind(':').filter(|&colon| host_port.rfind(']').is_none_or(|bracket| colon > bracket));

    let (before, after) = (&url[..authority_start + host_start], &url[authority_end..]);
    match port_colon {
        None => Some(format!("{before}{host_port}:{default_port}{after}")),
        Some(colon) if &host_port[colon + 1..] == default_port => Some(format!("{before}{}{after}", &host_port[..colon])),
        Some(_) => None,
    }
}

/// First value of a query parameter (percent-decoded), ignoring any fragment.
fn query_param(url: &str, name: &str) -> Option<String> {
    let without_fragment = url.split('#').next().unwrap_or(url);
    let (_, query) = without_fragment.split_once('?')?;
    form_urlencoded::parse(query.as_bytes()).find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
}

fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const VECTORS: &str = include_str!("../../tests/fixtures/twilio-vectors.json");

    struct Vector {
        name: String,
        auth_token: String,
        url: String,
        params: Vec<(String, String)>,
        signature: String,
    }

    fn vectors() -> Vec<Vector> {
        let all: Value = serde_json::from_str(VECTORS).expect("fixture is valid JSON");
        let list = all["signatures"].as_array().expect("signatures array");
        assert!(!list.is_empty());
        list.iter()
            .map(|v| Vector {
                name: v["name"].as_str().unwrap().to_owned(),
                auth_token: v["auth_token"].as_str().unwrap().to_owned(),
                url: v["url"].as_str().unwrap().to_owned(),
                params: v["params"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect(),
                signature: v["signature"].as_str().unwrap().to_owned(),
            })
            .collect()
    }

    /// The other spelling of an https URL (":443" removed or added), written independently of
    /// `other_port_form` so the test does not just mirror the implementation.
    fn other_port_spelling(url: &str) -> String {
        let rest = url.strip_prefix("https://").expect("fixture URLs are https");
        let slash = rest.find('/').unwrap_or(rest.len());
        let (host, path) = rest.split_at(slash);
        match host.strip_suffix(":443") {
            Some(bare) => format!("https://{bare}{path}"),
            None => format!("https://{host}:443{path}"),
        }
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn every_signature_vector_is_computed_exactly() {
        for v in vectors() {
            assert_eq!(compute(&v.auth_token, &v.url, &v.params), v.signature, "vector {:?}", v.name);
        }
    }

    #[test]
    fn every_signature_vector_verifies() {
        for v in vectors() {
            assert!(verify(&v.auth_token, &v.url, &v.params, &v.signature), "vector {:?}", v.name);
        }
    }

    #[test]
    fn parameter_order_in_the_request_does_not_change_the_signature() {
        for v in vectors() {
            let mut reversed = v.params.clone();
            reversed.reverse();
            assert!(verify(&v.auth_token, &v.url, &reversed, &v.signature), "vector {:?}", v.name);
        }
    }

    #[test]
    fn every_signature_vector_is_rejected_when_a_param_is_tampered_with() {
        for v in vectors() {
            let mut tampered = v.params.clone();
            match tampered.first_mut() {
                Some((_, value)) => value.push('9'),
                None => tampered.push(("Injected".into(), "1".into())),
            }
            assert!(!verify(&v.auth_token, &v.url, &tampered, &v.signature), "vector {:?}", v.name);
        }
    }

    #[test]
    fn every_signature_vector_is_rejected_with_a_wrong_auth_token() {
        for v in vectors() {
            let wrong = format!("{}x", v.auth_token);
            assert!(!verify(&wrong, &v.url, &v.params, &v.signature), "vector {:?}", v.name);
        }
    }

    #[test]
    fn every_signature_vector_is_rejected_for_another_url_or_a_mangled_signature() {
        for v in vectors() {
            let other_url = format!("{}x", v.url);
            assert!(!verify(&v.auth_token, &other_url, &v.params, &v.signature), "vector {:?}", v.name);
            assert!(!verify(&v.auth_token, &v.url, &v.params, ""), "vector {:?}", v.name);
            let truncated = &v.signature[..v.signature.len() - 1];
            assert!(!verify(&v.auth_token, &v.url, &v.params, truncated), "vector {:?}", v.name);
        }
    }

    #[test]
    fn every_signature_vector_verifies_with_the_default_port_added_or_removed() {
        for v in vectors() {
            let other = other_port_spelling(&v.url);
            assert_ne!(other, v.url);
            assert!(verify(&v.auth_token, &other, &v.params, &v.signature), "vector {:?} at {other}", v.name);
        }
    }

    #[test]
    fn the_explicit_443_vector_verifies_against_the_url_without_the_port_and_vice_versa() {
        let v = vectors().into_iter().find(|v| v.url.contains(":443/")).expect(":443 vector");
        let bare = v.url.replace(":443/", "/");
        assert!(verify(&v.auth_token, &bare, &v.params, &v.signature));

        let signed_bare = compute(&v.auth_token, &bare, &v.params);
        assert_ne!(signed_bare, v.signature, "the port is part of the signed bytes");
        assert!(verify(&v.auth_token, &v.url, &v.params, &signed_bare));
    }

    #[test]
    fn only_the_default_port_of_the_scheme_is_interchangeable() {
        let params = pairs(&[("CallSid", "CA1")]);
        let sig = compute("tok", "https://h.example/x", &params);
        assert!(!verify("tok", "https://h.example:8443/x", &params, &sig));
        assert!(!verify("tok", "https://h.example:80/x", &params, &sig));

        let sig = compute("tok", "http://h.example/x?y=1", &params);
        assert!(verify("tok", "http://h.example:80/x?y=1", &params, &sig));
        assert!(!verify("tok", "http://h.example:443/x?y=1", &params, &sig));

        let sig = compute("tok", "https://user:pass@h.example:443/x", &params);
        assert!(verify("tok", "https://user:pass@h.example/x", &params, &sig));
    }

    #[test]
    fn repeated_names_are_signed_once_per_distinct_value_in_sorted_order() {
        let url = "https://h.example/status";
        let params = pairs(&[
            ("StatusCallbackEvent", "ringing"),
            ("To", "client:agent1"),
            ("StatusCallbackEvent", "answered"),
            ("StatusCallbackEvent", "ringing"),
        ]);
        let mut mac = Hmac::<Sha1>::new_from_slice(b"tok").unwrap();
        mac.update(b"https://h.example/statusStatusCallbackEventansweredStatusCallbackEventringingToclient:agent1");
        let expected = STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(compute("tok", url, &params), expected);
    }

    #[test]
    fn a_key_set_up_once_checks_every_vector_like_a_fresh_one_and_never_shows_the_token() {
        for v in vectors() {
            let key = Key::new(&v.auth_token);
            assert_eq!(key.sign(&v.url, &v.params), v.signature, "{}", v.name);
            // The same key, used again, gives the same answers: the keyed state is not consumed.
            assert!(key.verify(&v.url, &v.params, &v.signature), "{}", v.name);
            assert!(key.verify(&v.url, &v.params, &v.signature), "{}", v.name);
            assert!(!key.verify(&v.url, &v.params, &v.signature[..v.signature.len() - 2]), "{}", v.name);
            assert!(!format!("{key:?}").contains(&v.auth_token), "{}", v.name);
        }
    }

    #[test]
    fn a_signature_that_is_not_base64_of_a_sha1_mac_is_refused() {
        let params = pairs(&[("CallSid", "CA1")]);
        let sig = compute("tok", "https://h.example/x", &params);
        assert!(verify("tok", "https://h.example/x", &params, &sig));
        for bad in ["not base64!", "AAAA", &format!("{sig}AAAA"), &sig.replace('=', "")] {
            assert!(!verify("tok", "https://h.example/x", &params, bad), "{bad}");
        }
    }

    /// From twilio-python's own request-validator tests.
    #[test]
    fn a_json_body_signed_over_its_body_sha256_url_verifies() {
        let body = br#"{"property": "value", "boolean": true}"#;
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2\
                   &bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
        let signature = "a9nBmqA0ju/hNViExpshrM61xv4=";
        assert!(verify_json("12345", url, body, signature));
        let with_port = url.replace("mycompany.com/", "mycompany.com:443/");
        assert!(verify_json("12345", &with_port, body, signature));
    }

    #[test]
    fn a_json_body_is_rejected_when_the_body_hash_or_signature_does_not_match() {
        let body = br#"{"property": "value", "boolean": true}"#;
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2\
                   &bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
        let signature = "a9nBmqA0ju/hNViExpshrM61xv4=";
        assert!(!verify_json("12345", url, br#"{"property": "other", "boolean": true}"#, signature));
        assert!(!verify_json("wrong", url, body, signature));
        assert!(!verify_json("12345", url, body, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));

        // A URL without the hash cannot vouch for any body, even with a valid URL signature.
        let bare = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert!(!verify_json("12345", bare, body, &compute("12345", bare, &[])));
    }
}
