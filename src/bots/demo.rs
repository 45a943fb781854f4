//! Demo mode (`./scripts/run.sh --demo`, or `DEMO=1`): the app in simulator mode with agent bots
//! `bot1..botN` made at start (password `simulator`, as the demo agents) and callers coming
//! without end, all over HTTP against the app's own URL; people sign in as agent1..3 beside the
//! bots and take real simulated calls, and the floor, the queue and the consoles move at once.
//!
//! Settings, read here from the environment (after `.env`) until they join the typed settings:
//! - `DEMO`: `1`, `true`, `on` or `yes` turns demo mode on (default off);
//! - `DEMO_AGENTS`: how many agent bots (1-200, default 8);
//! - `DEMO_CALLERS_PER_MIN`: callers a minute, bursts included (0-600, default 12);
//! - `DEMO_SEED`: the plan's seed (default: from the clock, a new demo each start).
//!
//! Making the bots' accounts is the one thing here that touches the app's insides: it is the
//! app's start-up, as simulator mode makes its demo accounts. The bots themselves only use HTTP.

use std::net::SocketAddr;
use std::time::Duration;

use super::plan::CallerMix;
use super::runner::{run, BotsConfig};
use crate::config::{Mode, Settings, DEMO_PASSWORD};
use crate::ids::AgentId;
use crate::store::Store;

/// The agent bots' identities are this and a number.
pub const PREFIX: &str = "bot";

#[derive(Debug, Clone, PartialEq)]
pub struct Demo {
    pub agents: usize,
    pub callers_per_min: f64,
    pub seed: u64,
}

impl Demo {
    /// Demo mode's settings from `get` (the environment), or `None` when it is off.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Option<Demo>, String> {
        let on = get("DEMO").is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "on" | "yes"));
        if !on {
            return Ok(None);
        }
        let number = |name: &str, default: f64, max: f64| -> Result<f64, String> {
            match get(name) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|n| (0.0..=max).contains(n))
                    .ok_or_else(|| format!("{name}: expected 0 to {max}, not '{v}'")),
            }
        };
        let agents = number("DEMO_AGENTS", 8.0, 200.0)?.round() as usize;
        if agents == 0 {
            return Err("DEMO_AGENTS: at least 1".into());
        }
        let seed = match get("DEMO_SEED") {
            Some(v) => v.trim().parse().map_err(|_| format!("DEMO_SEED: expected a whole number, not '{v}'"))?,
            None => std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1),
        };
        Ok(Some(Demo { agents, callers_per_min: number("DEMO_CALLERS_PER_MIN", 12.0, 600.0)?, seed }))
    }

    /// Start-up's part: demo mode's settings from the environment, checked against the app's
    /// (the simulator, or there is nobody to call), and the bots' accounts made when missing.
    pub async fn prepare(settings: &Settings) -> Result<Option<Demo>, String> {
        let Some(demo) = Demo::from_lookup(|k| std::env::var(k).ok())? else { return Ok(None) };
        if settings.mode != Mode::Simulator {
            return Err("demo mode runs on the simulator: set TWILIO_MODE=simulator (or no Twilio settings)".into());
        }
        let store = Store::connect(&settings.database_url).await.map_err(|e| e.to_string())?;
        let hash = crate::auth::on_password_thread(|| crate::auth::hash_password(DEMO_PASSWORD))
            .await
            .ok_or("the password thread is gone")?
            .map_err(|e| e.to_string())?;
        for n in 1..=demo.agents {
            let id = AgentId::parse(&format!("{PREFIX}{n}")).map_err(|e| e.0)?;
            if store.agent(&id).await.map_err(|e| e.to_string())?.is_none() {
                store.upsert_agent(&id, &format!("Bot {n}"), &hash).await.map_err(|e| e.to_string())?;
            }
        }
        Ok(Some(demo))
    }

    /// The bots at work against the app listening at `listen` (its real port), without end.
    pub fn start(self, listen: SocketAddr, port: u16) {
        let host = if listen.ip().is_unspecified() { "127.0.0.1".to_string() } else { listen.ip().to_string() };
        let host = if host.contains(':') { format!("[{host}]") } else { host };
        let mut config = BotsConfig::new(&format!("http://{host}:{port}"), self.agents, DEMO_PASSWORD, self.seed);
        config.prefix = PREFIX.into();
        config.caller_mix = CallerMix { rate_per_sec: self.callers_per_min / 60.0, ..CallerMix::default() };
        tracing::warn!(
            agents = self.agents,
            callers_per_min = self.callers_per_min,
            seed = self.seed,
            "DEMO MODE: agent bots {PREFIX}1..{PREFIX}{} and caller bots are at work; sign in as agent1..3 beside them",
            self.agents
        );
        tokio::spawn(async move {
            // The server starts serving right after this: the bots' first requests wait for it.
            tokio::time::sleep(Duration::from_millis(200)).await;
            run(config).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo(vars: &[(&str, &str)]) -> Result<Option<Demo>, String> {
        Demo::from_lookup(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn demo_mode_is_off_unless_asked_for_and_its_numbers_are_checked() {
        assert_eq!(demo(&[]), Ok(None));
        assert_eq!(demo(&[("DEMO", "0"), ("DEMO_AGENTS", "x")]), Ok(None));
        let d = demo(&[("DEMO", "1"), ("DEMO_SEED", "42")]).unwrap().unwrap();
        assert_eq!(d, Demo { agents: 8, callers_per_min: 12.0, seed: 42 });
        let d = demo(&[("DEMO", "true"), ("DEMO_AGENTS", "3"), ("DEMO_CALLERS_PER_MIN", "30"), ("DEMO_SEED", "1")]).unwrap().unwrap();
        assert_eq!((d.agents, d.callers_per_min), (3, 30.0));
        assert!(demo(&[("DEMO", "on"), ("DEMO_AGENTS", "0")]).is_err());
        assert!(demo(&[("DEMO", "on"), ("DEMO_AGENTS", "500")]).is_err());
        assert!(demo(&[("DEMO", "on"), ("DEMO_CALLERS_PER_MIN", "fast")]).is_err());
        assert!(demo(&[("DEMO", "on"), ("DEMO_SEED", "-1")]).is_err());
    }
}
