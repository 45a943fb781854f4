//! Typed settings read once from the environment (and an optional `.env`) at start-up.
//! Secrets are wrapped in [`Secret`] so that no `Debug`, `Display` or log line can print them.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

/// A value that must never reach a log, an error message or the browser.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    /// The only way to read the value: grep for `expose` to audit every use.
    pub fn expose(&self) -> &str {
        &self.0
    }
}
impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// How to reach Twilio's REST API and check its webhooks.
#[derive(Debug, Clone)]
pub struct TwilioSettings {
    pub account_sid: String,
    pub api_key: String,
    pub api_secret: Secret,
    pub auth_token: Secret,
    pub number: String,
    pub api_base_url: String,
    /// Every REST request gives up after this long; the outbox retries later.
    pub request_timeout: Duration,
}

/// Who answers the app's REST calls and sends its webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The real api.twilio.com (or `TWILIO_API_BASE_URL`).
    Twilio,
    /// The built-in simulator, mounted at `/sim`: no account needed.
    Simulator,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub mode: Mode,
    pub listen_addr: SocketAddr,
    /// `PUBLIC_BASE_URL` was given; otherwise it follows the bound address.
    pub public_base_url_given: bool,
    /// Where Twilio reaches us, without a trailing slash: callback URLs and signature checks.
    pub public_base_url: String,
    pub database_url: String,
    pub twilio: TwilioSettings,
    /// Played to the customer while waiting (the tutorial's classical track).
    pub wait_music_url: String,
    /// The agents' conference `waitUrl`.
    pub hold_music_url: String,
    /// Seconds an agent's client rings before Twilio gives up (`Timeout`).
    pub ring_timeout_secs: u32,
    /// How long an agent is in wrap-up after a call (`WRAP_UP_SECS`, 0 for none).
    pub wrap_up: Duration,
    /// Callbacks offered after this wait (`CALLBACK_AFTER_SECS`, 0: never), attempts to reach
    /// the caller (`CALLBACK_ATTEMPTS`) and the pause between them (`CALLBACK_RETRY_SECS`).
    pub callback_after: Option<Duration>,
    pub callback_attempts: u32,
    pub callback_retry: Duration,
    /// The queues callers choose from in the menu (`QUEUES`: `sales,support:2`, a name and an
    /// optional priority each; digit 1 is the first). None or one: no menu, today's one queue.
    pub queues: Vec<QueueSetting>,
    /// Access tokens live this long (Twilio refuses more than a day).
    pub token_ttl: Duration,
    pub outbox: OutboxSettings,
    /// Check `X-Twilio-Signature` on every webhook. Off only for local development
    /// (`TWILIO_VERIFY_SIGNATURES=false`), and start-up then warns loudly.
    pub verify_signatures: bool,
    pub floor: FloorSettings,
    /// Ask Twilio at start-up whether the account is ready, and warn (`TWILIO_CHECK_AT_START`).
    pub check_at_start: bool,
    /// `GET /metrics` answers only with `Authorization: Bearer <METRICS_TOKEN>`; unset, it is off.
    pub metrics_token: Option<Secret>,
    /// Log lines as JSON objects (`LOG_FORMAT=json`), one per line.
    pub json_logs: bool,
    /// Finished calls (their timelines, callbacks, callers' numbers) are deleted this long after
    /// they ended (`RETENTION_DAYS`, default 90), by a daily job.
    pub retention: Duration,
}

/// The supervisor's floor: when the day begins and how the service level is counted.
#[derive(Debug, Clone)]
pub struct FloorSettings {
    /// Today starts at midnight here (`FLOOR_TIME_ZONE`, an IANA name; default UTC).
    pub time_zone: chrono_tz::Tz,
    /// `SERVICE_LEVEL_SECS` (answered within, default 20) and `SHORT_ABANDON_SECS` (default 5).
    pub thresholds: crate::center::Thresholds,
}

impl FloorSettings {
    /// When the day that holds `now` began: midnight in the floor's time zone (the first moment
    /// of the day where a time change skips midnight).
    pub fn day_start(&self, now: i64) -> i64 {
        use chrono::{NaiveTime, TimeZone};
        let Some(utc) = chrono::DateTime::from_timestamp_millis(now) else { return now };
        let local = utc.with_timezone(&self.time_zone).date_naive();
        let mut at = local.and_time(NaiveTime::MIN);
        for _ in 0..24 {
            if let Some(start) = self.time_zone.from_local_datetime(&at).earliest() {
                return start.timestamp_millis();
            }
            at += chrono::Duration::hours(1);
        }
        now
    }
}

/// Retry policy for dials waiting in the outbox.
#[derive(Debug, Clone)]
pub struct OutboxSettings {
    pub max_attempts: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// How often the worker looks for due entries even when nobody woke it.
    pub poll_interval: Duration,
    /// The time between two calls the account may create (`TWILIO_CALLS_PER_SECOND`: Twilio
    /// queues more, silently, so the app keeps the pace itself); `None`: no limit.
    pub pace: Option<Duration>,
}

/// `TWILIO_CALLS_PER_SECOND`: the account's limit on calls created through the API (Twilio's
/// default is 1; raised on request). `0` or `unlimited`: the app does not pace.
pub fn parse_pace(value: Option<&str>) -> Result<Option<Duration>, String> {
    let Some(value) = value.map(str::trim) else { return Ok(Some(Duration::from_secs(1))) };
    if value == "unlimited" {
        return Ok(None);
    }
    match value.parse::<f64>() {
        Ok(cps) if cps.is_finite() && (0.01..=1000.0).contains(&cps) => Ok(Some(Duration::from_secs_f64(1.0 / cps))),
        Ok(cps) if cps.abs() < f64::EPSILON => Ok(None),
        _ => Err(format!("expected calls per second between 0.01 and 1000 (Twilio's default is 1), or 0 for no limit, not '{value}'")),
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("missing required settings: {}", .0.join(", "))]
    Missing(Vec<&'static str>),
    #[error("invalid setting {name}: {reason}")]
    Invalid { name: &'static str, reason: String },
}

pub const SIM_ACCOUNT_SID: &str = "AC51515151515151515151515151515151";
pub const SIM_API_KEY: &str = "SK51515151515151515151515151515151";
pub const SIM_NUMBER: &str = "+15005550006";
/// Demo agents a new user can sign in as straight away in simulator mode (made at start when
/// missing), and their shared password.
pub const DEMO_AGENTS: [&str; 3] = ["agent1", "agent2", "agent3"];
/// The demo supervisor (same password): signs in to the floor (`/floor`).
pub const DEMO_SUPERVISOR: &str = "supervisor1";
pub const DEMO_PASSWORD: &str = "simulator";

fn random_secret() -> String {
    let bytes: [u8; 24] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://warm-transfer.db?mode=rwc";
pub const DEFAULT_API_BASE_URL: &str = "https://api.twilio.com";
pub const DEFAULT_LISTEN_ADDR: &str = "127.0.0.1:3000";
pub const DEFAULT_WAIT_MUSIC: &str = "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3";
pub const DEFAULT_HOLD_MUSIC: &str = "http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical";

impl Settings {
    /// Reads the process environment, after loading `.env` if there is one.
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Parses settings from any key lookup, so tests need not touch the process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        const REQUIRED: [&str; 5] = ["TWILIO_ACCOUNT_SID", "TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER"];
        let given = REQUIRED.iter().filter(|k| get(k).is_some()).count();
        // Complete Twilio settings mean real Twilio; none at all mean the simulator; a partial set
        // is a mistake worth stopping for, not a reason to fall back silently.
        let mode = match get("TWILIO_MODE").as_deref() {
            Some("simulator") => Mode::Simulator,
            Some("twilio") => Mode::Twilio,
            None | Some("auto") if given == 0 => Mode::Simulator,
            None | Some("auto") => Mode::Twilio,
            Some(_) => return Err(invalid("TWILIO_MODE", "expected twilio, simulator or auto")),
        };
        let simulated = |name: &str| -> Option<String> {
            (mode == Mode::Simulator).then(|| match name {
                "TWILIO_ACCOUNT_SID" => SIM_ACCOUNT_SID.to_string(),
                "TWILIO_API_KEY" => SIM_API_KEY.to_string(),
                "TWILIO_NUMBER" => SIM_NUMBER.to_string(),
                // Fresh per start: nothing outside this process signs or calls as the simulator.
                _ => random_secret(),
            })
        };
        let get_twilio = |k: &str| if mode == Mode::Simulator { simulated(k) } else { get(k) };
        let mut missing = Vec::new();
        let mut required = |name: &'static str| {
            get_twilio(name).unwrap_or_else(|| {
                missing.push(name);
                String::new()
            })
        };
        let account_sid = required("TWILIO_ACCOUNT_SID");
        let api_key = required("TWILIO_API_KEY");
        let api_secret = Secret::new(required("TWILIO_API_SECRET"));
        let auth_token = Secret::new(required("TWILIO_AUTH_TOKEN"));
        let number = required("TWILIO_NUMBER");
        if !missing.is_empty() {
            return Err(ConfigError::Missing(missing));
        }

        let listen_addr: SocketAddr =
            get("LEPTOS_SITE_ADDR").unwrap_or_else(|| DEFAULT_LISTEN_ADDR.into()).parse().map_err(|e| invalid("LEPTOS_SITE_ADDR", e))?;
        let public_base_url_given = get("PUBLIC_BASE_URL").is_some();
        let public_base_url = match get("PUBLIC_BASE_URL") {
            Some(u) => parse_base_url("PUBLIC_BASE_URL", &u)?,
            None => format!("http://{listen_addr}"),
        };
        let api_base_url =
            parse_base_url("TWILIO_API_BASE_URL", &get("TWILIO_API_BASE_URL").unwrap_or_else(|| DEFAULT_API_BASE_URL.into()))?;
        if get("AGENTS").is_some() {
            // The tutorial's setting: agents are accounts now, and calls go to whoever is free.
            tracing::warn!("AGENTS is no longer used: create agents with `warm-transfer agent add` (README)");
        }
        let retention_days = millis(&get, "RETENTION_DAYS", 90)?;
        if retention_days == 0 {
            return Err(invalid("RETENTION_DAYS", "expected at least 1 day (today's figures are read from the calls)"));
        }
        let ring_timeout_secs = millis(&get, "RING_TIMEOUT_SECS", 30)?;
        if !(5..=600).contains(&ring_timeout_secs) {
            return Err(invalid("RING_TIMEOUT_SECS", "expected 5 to 600 seconds"));
        }

        Ok(Settings {
            mode,
            public_base_url_given,
            listen_addr,
            public_base_url,
            database_url: get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            twilio: TwilioSettings {
                account_sid,
                api_key,
                api_secret,
                auth_token,
                number,
                api_base_url,
                request_timeout: Duration::from_millis(millis(&get, "TWILIO_TIMEOUT_MS", 5_000)?),
            },
            wait_music_url: get("WAIT_MUSIC_URL").unwrap_or_else(|| DEFAULT_WAIT_MUSIC.into()),
            hold_music_url: get("HOLD_MUSIC_URL").unwrap_or_else(|| DEFAULT_HOLD_MUSIC.into()),
            ring_timeout_secs: ring_timeout_secs as u32,
            wrap_up: Duration::from_secs(millis(&get, "WRAP_UP_SECS", 15)?),
            callback_after: match millis(&get, "CALLBACK_AFTER_SECS", 90)? {
                0 => None,
                secs => Some(Duration::from_secs(secs)),
            },
            callback_attempts: match millis(&get, "CALLBACK_ATTEMPTS", 3)? {
                n @ 1..=10 => n as u32,
                _ => return Err(invalid("CALLBACK_ATTEMPTS", "expected 1 to 10 attempts")),
            },
            callback_retry: Duration::from_secs(millis(&get, "CALLBACK_RETRY_SECS", 120)?),
            queues: match get("QUEUES") {
                None => Vec::new(),
                Some(list) => QueueSetting::parse_list(&list).map_err(|e| invalid("QUEUES", e))?,
            },
            token_ttl: Duration::from_secs(3600),
            outbox: OutboxSettings {
                max_attempts: millis(&get, "OUTBOX_MAX_ATTEMPTS", 5)? as u32,
                backoff_base: Duration::from_millis(millis(&get, "OUTBOX_BACKOFF_MS", 500)?),
                backoff_max: Duration::from_secs(30),
                poll_interval: Duration::from_secs(1),
                pace: parse_pace(get("TWILIO_CALLS_PER_SECOND").as_deref()).map_err(|e| invalid("TWILIO_CALLS_PER_SECOND", e))?,
            },
            verify_signatures: match get("TWILIO_VERIFY_SIGNATURES").as_deref() {
                None | Some("true") | Some("1") => true,
                Some("false") | Some("0") => false,
                Some(_) => return Err(invalid("TWILIO_VERIFY_SIGNATURES", "expected true or false")),
            },
            floor: FloorSettings {
                time_zone: match get("FLOOR_TIME_ZONE") {
                    None => chrono_tz::UTC,
                    Some(name) => name
                        .parse()
                        .map_err(|_| invalid("FLOOR_TIME_ZONE", format!("unknown time zone '{name}' (e.g. UTC, Europe/Paris)")))?,
                },
                thresholds: crate::center::Thresholds {
                    answer_within: millis(&get, "SERVICE_LEVEL_SECS", 20)? as i64 * 1000,
                    short_abandon: millis(&get, "SHORT_ABANDON_SECS", 5)? as i64 * 1000,
                },
            },
            retention: Duration::from_secs(retention_days * 24 * 3600),
            metrics_token: get("METRICS_TOKEN").map(Secret::new),
            check_at_start: match get("TWILIO_CHECK_AT_START").as_deref() {
                None | Some("true") | Some("1") => true,
                Some("false") | Some("0") => false,
                Some(_) => return Err(invalid("TWILIO_CHECK_AT_START", "expected true or false")),
            },
            json_logs: match get("LOG_FORMAT").as_deref() {
                None | Some("text") => false,
                Some("json") => true,
                Some(_) => return Err(invalid("LOG_FORMAT", "expected text or json")),
            },
        })
    }

    /// The timings the contact center's rules use.
    pub fn rules(&self) -> crate::center::Rules {
        crate::center::Rules {
            wrap_up: self.wrap_up.as_millis() as i64,
            ring_timeout: i64::from(self.ring_timeout_secs) * 1000,
            callback_after: self.callback_after.map(|d| d.as_millis() as i64),
            callback_attempts: self.callback_attempts,
            callback_retry: self.callback_retry.as_millis() as i64,
            ..crate::center::Rules::default()
        }
    }

    /// The URL Twilio uses for one of our routes (`path` starts with `/`).
    pub fn public_url(&self, path: &str) -> String {
        format!("{}{}", self.public_base_url, path)
    }
}

/// Settings for unit tests: fixed fake credentials, a public https URL.
#[cfg(test)]
pub(crate) fn test_settings() -> Settings {
    Settings::from_lookup(|k| {
        Some(
            match k {
                "TWILIO_ACCOUNT_SID" => "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "TWILIO_API_KEY" => "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                "TWILIO_API_SECRET" | "TWILIO_AUTH_TOKEN" => "x",
                "TWILIO_NUMBER" => "+15005550006",
                "PUBLIC_BASE_URL" => "https://support.example.com",
                _ => return None,
            }
            .to_string(),
        )
    })
    .expect("test settings parse")
}

fn invalid(name: &'static str, reason: impl fmt::Display) -> ConfigError {
    ConfigError::Invalid { name, reason: reason.to_string() }
}

fn millis(get: &impl Fn(&str) -> Option<String>, name: &'static str, default: u64) -> Result<u64, ConfigError> {
    match get(name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| invalid(name, "expected a whole number")),
    }
}

fn parse_base_url(name: &'static str, value: &str) -> Result<String, ConfigError> {
    let u = url::Url::parse(value).map_err(|e| invalid(name, e))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(invalid(name, "expected an http(s) URL"));
    }
    Ok(value.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn full() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("TWILIO_ACCOUNT_SID", "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
            ("TWILIO_API_KEY", "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
            ("TWILIO_API_SECRET", "api-secret-value"),
            ("TWILIO_AUTH_TOKEN", "auth-token-value"),
            ("TWILIO_NUMBER", "+15005550006"),
        ])
    }

    fn parse(env: &HashMap<&str, &str>) -> Result<Settings, ConfigError> {
        Settings::from_lookup(|k| env.get(k).map(|v| v.to_string()))
    }

    #[test]
    fn twilios_pace_is_one_call_a_second_unless_told_otherwise() {
        let mut env = full();
        assert_eq!(parse(&env).unwrap().outbox.pace, Some(Duration::from_secs(1)));
        env.insert("TWILIO_CALLS_PER_SECOND", "5");
        assert_eq!(parse(&env).unwrap().outbox.pace, Some(Duration::from_millis(200)));
        env.insert("TWILIO_CALLS_PER_SECOND", "0");
        assert_eq!(parse(&env).unwrap().outbox.pace, None);
        env.insert("TWILIO_CALLS_PER_SECOND", "fast");
        let err = parse(&env).unwrap_err().to_string();
        assert!(err.contains("TWILIO_CALLS_PER_SECOND") && err.contains("'fast'"), "{err}");
    }

    #[test]
    fn the_floors_day_starts_at_midnight_in_its_time_zone() {
        let mut env = full();
        // 2026-12-01 03:30 UTC is still 30 November in New York (UTC-5 in winter).
        let now = 1_796_095_800_000;
        let utc = parse(&env).unwrap().floor;
        assert_eq!(utc.day_start(now), 1_796_083_200_000, "2026-12-01 00:00 UTC");
        env.insert("FLOOR_TIME_ZONE", "America/New_York");
        let ny = parse(&env).unwrap().floor;
        assert_eq!(ny.day_start(now), 1_796_014_800_000, "2026-11-30 00:00 EST = 05:00 UTC");
        assert_eq!(utc.thresholds, crate::center::Thresholds::default());
        env.insert("FLOOR_TIME_ZONE", "Mars/Olympus");
        assert!(matches!(parse(&env), Err(ConfigError::Invalid { name: "FLOOR_TIME_ZONE", .. })));
        env.insert("FLOOR_TIME_ZONE", "UTC");
        env.insert("SERVICE_LEVEL_SECS", "30");
        assert_eq!(parse(&env).unwrap().floor.thresholds.answer_within, 30_000);
    }

    #[test]
    fn no_twilio_settings_at_all_means_the_simulator() {
        let s = parse(&HashMap::new()).unwrap();
        assert_eq!(s.mode, Mode::Simulator);
        assert!(s.twilio.account_sid.starts_with("AC"));
    }

    #[test]
    fn complete_twilio_settings_mean_real_twilio_and_a_setting_forces_either() {
        assert_eq!(parse(&full()).unwrap().mode, Mode::Twilio);
        let mut env = full();
        env.insert("TWILIO_MODE", "simulator");
        let s = parse(&env).unwrap();
        assert_eq!(s.mode, Mode::Simulator);
        assert_ne!(s.twilio.auth_token.expose(), "auth-token-value", "real credentials never reach the simulator");
    }

    #[test]
    fn partial_twilio_settings_are_an_error_not_a_silent_simulator() {
        let mut env = full();
        env.remove("TWILIO_AUTH_TOKEN");
        assert_eq!(parse(&env).unwrap_err(), ConfigError::Missing(vec!["TWILIO_AUTH_TOKEN"]));
    }

    #[test]
    fn every_missing_variable_is_named_in_one_error() {
        let err = parse(&HashMap::from([("TWILIO_MODE", "twilio")])).unwrap_err();
        let msg = err.to_string();
        for v in ["TWILIO_ACCOUNT_SID", "TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER"] {
            assert!(msg.contains(v), "{msg}");
        }
    }

    #[test]
    fn defaults_follow_the_tutorial() {
        let s = parse(&full()).unwrap();
        assert_eq!(s.twilio.api_base_url, "https://api.twilio.com");
        assert_eq!(s.listen_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(s.public_base_url, "http://127.0.0.1:3000");
        assert_eq!(s.wrap_up, Duration::from_secs(15));
        assert_eq!(s.rules().ring_timeout, 30_000);
    }

    #[test]
    fn a_trailing_slash_on_the_public_url_is_dropped() {
        let mut env = full();
        env.insert("PUBLIC_BASE_URL", "https://support.example.com/");
        assert_eq!(parse(&env).unwrap().public_url("/conference/wait"), "https://support.example.com/conference/wait");
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let s = parse(&full()).unwrap();
        let dump = format!("{s:?}");
        assert!(!dump.contains("api-secret-value") && !dump.contains("auth-token-value"), "{dump}");
    }

    #[test]
    fn a_malformed_address_is_refused_with_its_name() {
        let mut env = full();
        env.insert("LEPTOS_SITE_ADDR", "nowhere");
        assert!(parse(&env).unwrap_err().to_string().contains("LEPTOS_SITE_ADDR"));
    }
}

/// One queue of the menu: its name (said in the menu, and what agents' skills name) and its
/// priority (a higher one is offered first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSetting {
    pub name: crate::ids::QueueName,
    pub priority: i32,
}

impl QueueSetting {
    /// `sales,support:2`: at most nine (one key each), no name twice.
    pub fn parse_list(s: &str) -> Result<Vec<QueueSetting>, String> {
        let mut out: Vec<QueueSetting> = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, priority) = part.split_once(':').unwrap_or((part, "0"));
            let name = crate::ids::QueueName::parse(name).map_err(|e| e.0)?;
            let priority = priority.trim().parse().map_err(|_| format!("'{part}': the priority is a whole number"))?;
            if out.iter().any(|q| q.name == name) {
                return Err(format!("queue '{name}' is named twice"));
            }
            out.push(QueueSetting { name, priority });
        }
        if out.len() > 9 {
            return Err("at most nine queues (one key each in the menu)".into());
        }
        Ok(out)
    }
}
