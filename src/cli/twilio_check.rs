//! `warm-transfer twilio check [--fix]`: asks Twilio whether the configured account is ready for
//! the app: the API key works, the auth token is the account's (or every webhook's signature
//! fails), `TWILIO_NUMBER` is the account's, and its voice webhook points at this app. Each
//! finding is a sentence with its fix; `--fix` points the number's voice webhook at
//! `PUBLIC_BASE_URL/conference/connect/client` (POST), after saying the old value. The same
//! findings are logged at start-up, one warning line each (`TWILIO_CHECK_AT_START=false` turns
//! that off). The command also reports the webhooks the app refused for their signature in the
//! last day, each cause with its fix (the app records them as it logs them).

use crate::config::{Mode, Settings};
use crate::twilio::rest::{RestConfig, RestError, TwilioClient};

/// The route Twilio must post incoming calls to.
pub const VOICE_PATH: &str = "/conference/connect/client";

/// One thing found: fine, or what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub ok: bool,
    pub text: String,
}

impl Finding {
    fn ok(text: impl Into<String>) -> Self {
        Finding { ok: true, text: text.into() }
    }

    fn fix(text: impl Into<String>) -> Self {
        Finding { ok: false, text: text.into() }
    }
}

/// Everything found; ready when every finding is fine.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn ready(&self) -> bool {
        self.findings.iter().all(|f| f.ok)
    }

    /// One line per finding (`ok:` or `FIX:`).
    pub fn lines(&self) -> Vec<String> {
        self.findings.iter().map(|f| format!("{} {}", if f.ok { "ok: " } else { "FIX:" }, f.text)).collect()
    }
}

fn client(settings: &Settings, username: &str, password: &crate::config::Secret) -> TwilioClient {
    TwilioClient::new(RestConfig {
        base_url: settings.twilio.api_base_url.clone(),
        account_sid: settings.twilio.account_sid.clone(),
        username: username.to_string(),
        password: password.clone(),
        timeout: settings.twilio.request_timeout,
    })
}

fn unreachable(e: &RestError) -> Finding {
    Finding::fix(format!("could not ask Twilio ({e}): check the network and TWILIO_API_BASE_URL"))
}

/// Asks Twilio; with `fix`, points the number's voice webhook at this app when it does not.
pub async fn check(settings: &Settings, fix: bool) -> Report {
    let mut report = Report::default();
    let t = &settings.twilio;
    if settings.mode == Mode::Simulator {
        report.findings.push(Finding::ok("simulator mode: no Twilio account is used, there is nothing to check"));
        return report;
    }
    let key = client(settings, &t.api_key, &t.api_secret);
    match key.fetch_account().await {
        Ok(a) if a.status.as_deref().is_none_or(|s| s == "active") => {
            report.findings.push(Finding::ok(format!("the API key {} works for account {}", t.api_key, a.sid)))
        }
        Ok(a) => report.findings.push(Finding::fix(format!(
            "account {} is {}: calls cannot be made until it is active again (Twilio console)",
            a.sid,
            a.status.unwrap_or_default()
        ))),
        Err(e) if e.status() == Some(401) => {
            report.findings.push(Finding::fix(format!(
                "Twilio refused the API key {} (HTTP 401): create an API key in the Twilio console (Account › API keys & tokens) \
                 and set TWILIO_API_KEY and TWILIO_API_SECRET to its SID and secret",
                t.api_key
            )));
            return report;
        }
        Err(e) if e.status() == Some(404) => {
            report.findings.push(Finding::fix(format!(
                "account {} is not reachable with this API key: check TWILIO_ACCOUNT_SID (the key must be of the same account)",
                t.account_sid
            )));
            return report;
        }
        Err(e) => {
            report.findings.push(unreachable(&e));
            return report;
        }
    }
    match client(settings, &t.account_sid, &t.auth_token).fetch_account().await {
        Ok(_) => report.findings.push(Finding::ok("TWILIO_AUTH_TOKEN is the account's: webhooks' signatures will verify")),
        Err(e) if e.status() == Some(401) => report.findings.push(Finding::fix(format!(
            "TWILIO_AUTH_TOKEN is not account {}'s auth token: every webhook's signature would fail (403); copy it from the \
             Twilio console's account dashboard",
            t.account_sid
        ))),
        Err(e) => report.findings.push(unreachable(&e)),
    }
    if !settings.public_base_url_given {
        report.findings.push(Finding::fix(format!(
            "PUBLIC_BASE_URL is not set, so the app tells Twilio {}: set it to the https URL Twilio reaches this app at",
            settings.public_base_url
        )));
    }
    let expected = settings.public_url(VOICE_PATH);
    match key.numbers(&t.number).await {
        Ok(numbers) => match numbers.into_iter().find(|n| n.phone_number == t.number) {
            None => report.findings.push(Finding::fix(format!(
                "TWILIO_NUMBER {} is not a number of account {}: set a number the account has (Phone Numbers › Active numbers)",
                t.number, t.account_sid
            ))),
            Some(n) => {
                let (url, method) = (n.voice_url.clone().unwrap_or_default(), n.voice_method.clone().unwrap_or_else(|| "POST".into()));
                if url == expected && method.eq_ignore_ascii_case("POST") {
                    report.findings.push(Finding::ok(format!("{}'s voice webhook is POST {expected}", t.number)));
                } else if fix {
                    let shown = if url.is_empty() { "nothing".to_string() } else { format!("{method} {url}") };
                    match key.set_voice_webhook(&n.sid, &expected, "POST").await {
                        Ok(_) => report
                            .findings
                            .push(Finding::ok(format!("fixed: {}'s voice webhook was {shown}, now POST {expected}", t.number))),
                        Err(e) => report.findings.push(Finding::fix(format!("could not change {}'s voice webhook: {e}", t.number))),
                    }
                } else {
                    let shown = if url.is_empty() { "nowhere".to_string() } else { format!("{method} {url}") };
                    report.findings.push(Finding::fix(format!(
                        "{}'s voice webhook points at {shown}, not at this app (POST {expected}): run `warm-transfer twilio check --fix`",
                        t.number
                    )));
                }
            }
        },
        Err(e) => report.findings.push(unreachable(&e)),
    }
    report
}

/// How far back the check looks for refused webhooks.
pub const REFUSALS_SINCE_MS: i64 = 24 * 3600 * 1000;

/// Webhooks the app refused lately for their signature (as recorded by the running app): each
/// cause once, with its fix.
pub async fn refusals(store: &crate::store::Store, now: i64) -> Vec<Finding> {
    match store.recent_refusals(now - REFUSALS_SINCE_MS).await {
        Ok(list) => list
            .into_iter()
            .map(|r| {
                let ago = (now - r.at).max(0) / 60_000;
                Finding::fix(format!(
                    "a webhook to {} was refused {ago} min ago: its signature did not verify against {}: {}",
                    r.path, r.verified_against, r.fix
                ))
            })
            .collect(),
        Err(e) => vec![Finding::fix(format!("could not read the refused webhooks from the database: {e}"))],
    }
}

/// The command: prints each finding; fails (exit 1) unless everything is ready.
pub async fn run(args: &[String]) -> Result<String, String> {
    let fix = match args {
        [] => false,
        [f] if f == "--fix" => true,
        _ => return Err("usage: warm-transfer twilio check [--fix]".into()),
    };
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    let mut report = check(&settings, fix).await;
    match crate::store::Store::connect(&settings.database_url).await {
        Ok(store) => report.findings.extend(refusals(&store, crate::clock::now_ms()).await),
        Err(e) => report.findings.push(Finding::fix(format!("could not open the database to read refused webhooks: {e}"))),
    }
    let text = report.lines().join("\n");
    if report.ready() {
        Ok(format!("{text}\nready"))
    } else {
        Err(format!("not ready:\n{text}"))
    }
}
