//! `warm-transfer twilio check [--fix]`: asks Twilio whether the configured account is ready for
//! the app: the API key works (of either kind), the auth token is the account's primary (a
//! secondary one authenticates REST requests but every webhook's signature would fail),
//! `TWILIO_NUMBER` is the account's, and its calls go to this app (its voice webhook, with no
//! TwiML App or SIP trunk winning over it). Each finding is a sentence with its fix; `--fix`
//! points the number's voice webhook at `PUBLIC_BASE_URL/conference/connect/client` (POST),
//! detaching a TwiML App, after saying the old values. The same
//! findings are logged at start-up, one warning line each (`TWILIO_CHECK_AT_START=false` turns
//! that off). The command also reports the webhooks the app refused for their signature in the
//! last day, each cause with its fix (the app records them as it logs them).

use crate::config::{Mode, Settings};
use crate::twilio::rest::{NumberResource, NumberRouting, RestConfig, RestError, TwilioClient};

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
///
/// Every question is one Twilio answers for the kind of credential asked with: the API key is
/// proved by listing the account's numbers (any key may; a Standard key, Twilio's default, may
/// not read the Accounts resource), the auth token by reading the Accounts resource with it
/// (which also names the primary token, the only one webhooks are signed with).
pub async fn check(settings: &Settings, fix: bool) -> Report {
    let mut report = Report::default();
    let t = &settings.twilio;
    if settings.mode == Mode::Simulator {
        report.findings.push(Finding::ok("simulator mode: no Twilio account is used, there is nothing to check"));
        return report;
    }
    let key = client(settings, &t.api_key, &t.api_secret);
    let numbers = match key.numbers(&t.number).await {
        Ok(numbers) => {
            report.findings.push(Finding::ok(format!("the API key {} works for account {}", t.api_key, t.account_sid)));
            numbers
        }
        Err(e) if e.status() == Some(401) => {
            report.findings.push(Finding::fix(format!(
                "Twilio refused the API key {} (HTTP 401): set TWILIO_API_KEY and TWILIO_API_SECRET to an API key's SID and its \
                 secret (Twilio console: Account › API keys & tokens; a Standard key is enough)",
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
    };
    report.findings.push(auth_token_finding(settings).await);
    if !settings.public_base_url_given {
        report.findings.push(Finding::fix(format!(
            "PUBLIC_BASE_URL is not set, so the app tells Twilio {}: set it to the https URL Twilio reaches this app at",
            settings.public_base_url
        )));
    }
    match numbers.into_iter().find(|n| n.phone_number == t.number) {
        None => report.findings.push(Finding::fix(format!(
            "TWILIO_NUMBER {} is not a number of account {}: set a number the account has (Phone Numbers › Active numbers)",
            t.number, t.account_sid
        ))),
        Some(n) => report.findings.push(number_finding(settings, &key, &n, fix).await),
    }
    report
}

/// The auth token, read back through the Accounts resource: not the account's (401), the
/// secondary (the resource names another primary), or the primary; and the account's status.
async fn auth_token_finding(settings: &Settings) -> Finding {
    let t = &settings.twilio;
    match client(settings, &t.account_sid, &t.auth_token).fetch_account().await {
        Err(e) if e.status() == Some(401) => Finding::fix(format!(
            "TWILIO_AUTH_TOKEN is not account {}'s auth token: every webhook's signature would fail (403); copy the primary \
             auth token from the Twilio console's account dashboard",
            t.account_sid
        )),
        Err(e) => unreachable(&e),
        Ok(a) if a.auth_token.as_ref().is_some_and(|primary| !same_secret(primary, &t.auth_token)) => Finding::fix(format!(
            "TWILIO_AUTH_TOKEN is account {}'s secondary auth token: it works for REST requests, but Twilio signs webhooks \
             with the primary only, so every webhook would fail (403); set TWILIO_AUTH_TOKEN to the primary auth token \
             (Account › API keys & tokens › Auth tokens)",
            t.account_sid
        )),
        Ok(a) if a.status.as_deref().is_some_and(|s| s != "active") => Finding::fix(format!(
            "account {} is {}: calls cannot be made until it is active again (Twilio console)",
            a.sid,
            a.status.unwrap_or_default()
        )),
        Ok(_) => Finding::ok("TWILIO_AUTH_TOKEN is the account's primary auth token: webhooks' signatures will verify"),
    }
}

/// Compared in constant time: a secret's length or prefix must not leak through timing.
fn same_secret(a: &crate::config::Secret, b: &crate::config::Secret) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(a.expose().as_bytes().ct_eq(b.expose().as_bytes()))
}

/// Where the number's incoming calls go: this app's voice route, or elsewhere (another URL, a
/// TwiML App, a SIP trunk: either wins over the voice URL). With `fix`, the voice URL is pointed
/// at this app and an app or a trunk detached from the number, and the old values said (so the
/// team can put them back).
async fn number_finding(settings: &Settings, key: &TwilioClient, n: &NumberResource, fix: bool) -> Finding {
    let number = &settings.twilio.number;
    let expected = settings.public_url(VOICE_PATH);
    let (url, method) = (n.voice_url.clone().unwrap_or_default(), n.voice_method.clone().unwrap_or_else(|| "POST".into()));
    let webhook = if url.is_empty() { "nothing".to_string() } else { format!("{method} {url}") };
    let routing = n.routed_elsewhere();
    let elsewhere = routing.as_ref().map(|r| match r {
        NumberRouting::Application(app) => format!("the TwiML App {app} (voice_application_sid)"),
        NumberRouting::Trunk(trunk) => format!("the SIP trunk {trunk} (trunk_sid)"),
    });
    if routing.is_none() && url == expected && method.eq_ignore_ascii_case("POST") {
        return Finding::ok(format!("{number}'s voice webhook is POST {expected}"));
    }
    if !fix {
        return Finding::fix(match &elsewhere {
            Some(elsewhere) => format!(
                "{number}'s calls go to {elsewhere}, which wins over its voice webhook ({webhook}): run \
                 `warm-transfer twilio check --fix` (it detaches it from the number and points the voice webhook at POST {expected})"
            ),
            None => format!(
                "{number}'s voice webhook points at {}, not at this app (POST {expected}): run `warm-transfer twilio check --fix`",
                if url.is_empty() { "nowhere".to_string() } else { webhook.clone() }
            ),
        });
    }
    match key.set_voice_webhook(&n.sid, &expected, "POST", routing.as_ref()).await {
        Ok(_) => Finding::ok(match &elsewhere {
            Some(elsewhere) => format!(
                "fixed: {number}'s calls went to {elsewhere} and its voice webhook was {webhook}; {} is detached from the \
                 number and the voice webhook is now POST {expected}",
                match routing {
                    Some(NumberRouting::Trunk(_)) => "the trunk",
                    _ => "the app",
                }
            ),
            None => format!("fixed: {number}'s voice webhook was {webhook}, now POST {expected}"),
        }),
        Err(e) => Finding::fix(format!("could not change {number}'s voice webhook: {e}")),
    }
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
