//! Why a webhook's `X-Twilio-Signature` did not verify, in words an operator acts on. The usual
//! cause is not a forgery but a URL: Twilio signs the URL it called, and behind a TLS proxy or a
//! tunnel that is not `PUBLIC_BASE_URL`. So the signature is tried against the URLs the request's
//! own headers say it was sent to (`X-Forwarded-Proto`/`X-Forwarded-Host`, `Host`); a match names
//! the setting to fix. Nothing here ever holds the signature or a secret, and each cause is said
//! at most once a minute.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::signature::Key;

/// How often one cause is said again.
pub const EVERY: Duration = Duration::from_secs(60);

/// Why the signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// No `X-Twilio-Signature` at all: not Twilio, or a proxy dropped the header.
    Missing,
    /// The signature is Twilio's for this request, sent to `base`: `PUBLIC_BASE_URL` is wrong.
    SignedFor { base: String },
    /// It matches no URL this request could have been sent to: another account's auth token,
    /// or a request that is not Twilio's.
    NoMatch,
}

impl Cause {
    /// The cause's name, one per kind (what is rate-limited).
    pub fn kind(&self) -> &'static str {
        match self {
            Cause::Missing => "missing",
            Cause::SignedFor { .. } => "public-base-url",
            Cause::NoMatch => "no-match",
        }
    }
}

/// What is said about one refused webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub cause: Cause,
    /// The URL the app verified against (`PUBLIC_BASE_URL` and the request's path).
    pub verified_against: String,
    /// What to change.
    pub fix: String,
}

/// The request headers a diagnosis looks at (lower-case names).
#[derive(Debug, Clone, Default)]
pub struct Seen<'a> {
    pub forwarded_proto: Option<&'a str>,
    pub forwarded_host: Option<&'a str>,
    pub host: Option<&'a str>,
}

/// Why `given` (possibly empty) does not verify for `path_and_query` under `public_base`.
pub fn diagnose(key: &Key, public_base: &str, path_and_query: &str, seen: &Seen, params: &[(String, String)], given: &str) -> Diagnosis {
    let verified_against = format!("{public_base}{path_and_query}");
    if given.is_empty() {
        return Diagnosis {
            cause: Cause::Missing,
            verified_against,
            fix: "the request has no X-Twilio-Signature: if it is Twilio's, the proxy in front must pass that header on".into(),
        };
    }
    // The bases this request may have been sent to, as its headers tell.
    let first = |v: Option<&str>| v.map(|v| v.split(',').next().unwrap_or("").trim().to_string()).filter(|v| !v.is_empty());
    let mut bases = Vec::new();
    let host = first(seen.forwarded_host).or_else(|| first(seen.host));
    if let Some(host) = host {
        let schemes: Vec<String> = match first(seen.forwarded_proto) {
            Some(p) => vec![p.to_ascii_lowercase()],
            None => vec!["https".into(), "http".into()],
        };
        for scheme in schemes {
            bases.push(format!("{scheme}://{host}"));
            // Twilio signs without the default port when the URL was given without it.
            if let Some(bare) = host.strip_suffix(":443").filter(|_| scheme == "https").or_else(|| host.strip_suffix(":80")) {
                bases.push(format!("{scheme}://{bare}"));
            }
        }
    }
    for base in bases.into_iter().filter(|b| b != public_base) {
        if key.verify(&format!("{base}{path_and_query}"), params, given) {
            let fix = format!("Twilio called {base}: set PUBLIC_BASE_URL={base} (it is {public_base})");
            return Diagnosis { cause: Cause::SignedFor { base }, verified_against, fix };
        }
    }
    Diagnosis {
        cause: Cause::NoMatch,
        verified_against,
        fix: "the signature matches no URL this request was sent to: check TWILIO_AUTH_TOKEN (the auth token of the account \
              that owns the number) and that the number's webhook points at PUBLIC_BASE_URL"
            .into(),
    }
}

/// When each cause was last said.
#[derive(Debug, Default)]
pub struct Said(Mutex<HashMap<&'static str, Instant>>);

impl Said {
    /// Whether `cause` is to be said at `now` (then not again for a minute).
    pub fn first_in_a_while(&self, cause: &Cause, now: Instant) -> bool {
        let mut last = self.0.lock();
        match last.get(cause.kind()) {
            Some(at) if now.duration_since(*at) < EVERY => false,
            _ => {
                last.insert(cause.kind(), now);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "12345";
    const PATH: &str = "/conference/connect/client";

    fn params() -> Vec<(String, String)> {
        vec![("CallSid".into(), "CA1".into()), ("From".into(), "+15551230000".into())]
    }

    fn signed(base: &str) -> String {
        Key::new(TOKEN).sign(&format!("{base}{PATH}"), &params())
    }

    #[test]
    fn a_request_signed_for_the_proxys_url_names_the_setting_to_fix() {
        let given = signed("https://tunnel.example.com");
        let seen = Seen { forwarded_proto: Some("https"), forwarded_host: Some("tunnel.example.com"), host: Some("127.0.0.1:3000") };
        let d = diagnose(&Key::new(TOKEN), "http://127.0.0.1:3000", PATH, &seen, &params(), &given);
        assert_eq!(d.cause, Cause::SignedFor { base: "https://tunnel.example.com".into() });
        assert_eq!(d.verified_against, "http://127.0.0.1:3000/conference/connect/client");
        assert_eq!(
            d.fix,
            "Twilio called https://tunnel.example.com: set PUBLIC_BASE_URL=https://tunnel.example.com (it is http://127.0.0.1:3000)"
        );
        assert!(!d.fix.contains(&given) && !d.verified_against.contains(&given));
    }

    #[test]
    fn without_forwarded_headers_the_host_is_tried_with_both_schemes() {
        let given = signed("https://support.example.org");
        let seen = Seen { host: Some("support.example.org"), ..Seen::default() };
        let d = diagnose(&Key::new(TOKEN), "https://support.example.com", PATH, &seen, &params(), &given);
        assert_eq!(d.cause, Cause::SignedFor { base: "https://support.example.org".into() });
    }

    #[test]
    fn another_token_or_no_signature_are_said_as_such() {
        let seen = Seen { host: Some("support.example.com"), ..Seen::default() };
        let forged = Key::new("another-account").sign(&format!("https://support.example.com{PATH}"), &params());
        let d = diagnose(&Key::new(TOKEN), "https://support.example.com", PATH, &seen, &params(), &forged);
        assert_eq!(d.cause, Cause::NoMatch);
        assert!(d.fix.contains("TWILIO_AUTH_TOKEN"));
        let d = diagnose(&Key::new(TOKEN), "https://support.example.com", PATH, &seen, &params(), "");
        assert_eq!(d.cause, Cause::Missing);
    }

    #[test]
    fn each_cause_is_said_at_most_once_a_minute() {
        let said = Said::default();
        let t0 = Instant::now();
        assert!(said.first_in_a_while(&Cause::Missing, t0));
        assert!(!said.first_in_a_while(&Cause::Missing, t0 + Duration::from_secs(59)));
        assert!(said.first_in_a_while(&Cause::NoMatch, t0 + Duration::from_secs(1)), "another cause is said");
        assert!(said.first_in_a_while(&Cause::Missing, t0 + Duration::from_secs(61)));
    }
}
